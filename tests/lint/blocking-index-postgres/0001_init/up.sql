CREATE TABLE users (id integer PRIMARY KEY, email text);
CREATE INDEX users_email_init ON users (email);
