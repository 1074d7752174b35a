CREATE TABLE t (id integer);
ALTER TABLE t ADD COLUMN x integer;
