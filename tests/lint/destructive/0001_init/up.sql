CREATE TABLE users (id integer PRIMARY KEY, name varchar(100), bio text);
CREATE TABLE logs (id integer, msg text);
CREATE TABLE old_stuff (id integer);
