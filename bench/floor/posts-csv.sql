-- The floor for `dump --table posts --format csv`: the server writes the CSV and
-- psql streams it through.
-- psql -X -q -v ON_ERROR_STOP=1 -d insta485 -f bench/floor/posts-csv.sql
COPY (SELECT * FROM posts ORDER BY postid) TO STDOUT WITH (FORMAT csv, HEADER);
