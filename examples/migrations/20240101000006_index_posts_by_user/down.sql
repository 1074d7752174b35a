DROP INDEX posts_user_created_idx;
