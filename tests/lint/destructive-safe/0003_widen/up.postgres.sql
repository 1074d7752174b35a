SET lock_timeout = '5s';
-- no rewrite: a longer varchar, or text, is binary-compatible
ALTER TABLE users ALTER COLUMN name TYPE varchar(200);
ALTER TABLE users ALTER COLUMN name TYPE text;
