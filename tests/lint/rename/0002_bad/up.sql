ALTER TABLE users RENAME COLUMN name TO full_name;
ALTER TABLE posts RENAME TO articles;
