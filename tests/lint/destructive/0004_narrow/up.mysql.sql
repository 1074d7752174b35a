ALTER TABLE users MODIFY name varchar(20);
