DROP INDEX posts_user_created_idx ON posts;
