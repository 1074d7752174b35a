DROP TABLE old_stuff;
DROP TABLE logs;
DROP TABLE users;
