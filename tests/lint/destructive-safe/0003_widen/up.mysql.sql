-- in place: the length stays in the two-byte class
ALTER TABLE users MODIFY name varchar(200);
