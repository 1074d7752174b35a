CREATE TABLE tmp_a (id integer);
ALTER TABLE tmp_a RENAME TO tmp_b;
ALTER TABLE tmp_b RENAME COLUMN id TO ident;
