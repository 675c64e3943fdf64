-- The floor for `dump --table posts --format table` (and, with psql -x, expanded):
-- psql's own aligned output.  psql reads the whole result before printing it.
-- psql -X -q -v ON_ERROR_STOP=1 [-x] -d insta485 -f bench/floor/posts.sql
SELECT * FROM posts ORDER BY postid;
