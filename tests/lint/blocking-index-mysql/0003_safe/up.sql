ALTER TABLE users ADD INDEX users_name (name);
CREATE INDEX users_name2 ON users (name);
ALTER TABLE users MODIFY name varchar(60);
ALTER TABLE users MODIFY body mediumtext, ALGORITHM=INPLACE, LOCK=NONE;
ALTER TABLE users ADD COLUMN extra int;
