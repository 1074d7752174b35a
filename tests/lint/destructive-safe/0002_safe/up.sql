DELETE FROM logs WHERE id < 100;
UPDATE users SET name = 'x' WHERE id = 1;
CREATE TABLE scratch (id integer);
INSERT INTO scratch VALUES (1);
DELETE FROM scratch;
DROP TABLE scratch;
