CREATE INDEX CONCURRENTLY users_email2 ON users (email);
