-- strata:no-transaction
-- CONCURRENTLY does not block writes, and cannot run in a transaction.
CREATE INDEX CONCURRENTLY IF NOT EXISTS posts_user_created_idx
    ON posts (user_id, created_at);
