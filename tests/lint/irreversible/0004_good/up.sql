CREATE TABLE d (id integer);
