-- The floor for `dump --table posts --format json`: the server renders one JSON
-- object per row and psql streams them through (COPY's text-format escaping is a
-- no-op here: the posts rows hold no backslashes or control characters).
-- psql -X -q -v ON_ERROR_STOP=1 -d insta485 -f bench/floor/posts-json.sql
COPY (SELECT row_to_json(p) FROM posts AS p ORDER BY postid) TO STDOUT;
