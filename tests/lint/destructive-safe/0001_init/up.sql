CREATE TABLE users (id integer PRIMARY KEY, name varchar(100));
CREATE TABLE logs (id integer, msg text);
