-- The floor for `dump` of the default data: every table in psql's aligned layout
-- (insta485db's default format is a drawn table), ordered by primary key, from one
-- psql session.
-- psql -X -q -v ON_ERROR_STOP=1 -d insta485 -f bench/floor/dump.sql
SELECT * FROM comments ORDER BY commentid;
SELECT * FROM following ORDER BY follower, followee;
SELECT * FROM likes ORDER BY likeid;
SELECT * FROM posts ORDER BY postid;
SELECT * FROM users ORDER BY username;
