CREATE TABLE users (id integer PRIMARY KEY, name varchar(50), n integer, price numeric(10,2));
