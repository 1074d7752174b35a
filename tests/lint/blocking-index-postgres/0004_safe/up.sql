-- strata:no-transaction
CREATE INDEX CONCURRENTLY IF NOT EXISTS users_email3 ON users (email);
