CREATE TABLE users (id int, name varchar(50), body text, n int);
