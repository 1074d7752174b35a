CREATE TABLE e (id integer);
