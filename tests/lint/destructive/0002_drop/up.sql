DROP TABLE old_stuff;
ALTER TABLE users DROP COLUMN bio;
DELETE FROM logs;
UPDATE users SET name = 'x';
