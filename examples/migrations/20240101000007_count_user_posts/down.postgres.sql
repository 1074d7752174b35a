DROP TRIGGER posts_count_change ON posts;
DROP FUNCTION posts_count_change();
ALTER TABLE users DROP COLUMN post_count;
