SET lock_timeout = '5s';
CREATE INDEX users_email ON users (email);
