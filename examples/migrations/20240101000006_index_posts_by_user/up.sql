CREATE INDEX posts_user_created_idx ON posts (user_id, created_at);
