-- the SQLite rebuild: a new table takes the old one's name
CREATE TABLE users_new (id integer PRIMARY KEY, name text);
INSERT INTO users_new SELECT id, name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
