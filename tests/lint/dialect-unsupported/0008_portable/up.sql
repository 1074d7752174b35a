-- valid everywhere: no false positive on MySQL or SQLite
CREATE TABLE t8 (id integer PRIMARY KEY, doc text, amount double precision, flag boolean, note varchar(20) DEFAULT 'a::b $$');
UPDATE users SET name = 'x::y' WHERE id = 1;
CREATE INDEX t8_note ON t8 (note);
