CREATE TABLE users (id int, name varchar(50));
