ALTER TABLE users ADD COLUMN post_count INTEGER NOT NULL DEFAULT 0;
-- The trigger body holds statements of its own; the ';' inside do not
-- end the CREATE TRIGGER.
CREATE TRIGGER posts_count_insert AFTER INSERT ON posts
BEGIN
    UPDATE users SET post_count = post_count + 1 WHERE id = NEW.user_id;
END;
CREATE TRIGGER posts_count_delete AFTER DELETE ON posts
BEGIN
    UPDATE users SET post_count = post_count - 1 WHERE id = OLD.user_id;
END;
