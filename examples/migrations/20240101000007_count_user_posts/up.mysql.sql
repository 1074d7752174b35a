ALTER TABLE users ADD COLUMN post_count INT NOT NULL DEFAULT 0;

DELIMITER //
CREATE TRIGGER posts_count_insert AFTER INSERT ON posts
FOR EACH ROW
BEGIN
    UPDATE users SET post_count = post_count + 1 WHERE id = NEW.user_id;
END//
CREATE TRIGGER posts_count_delete AFTER DELETE ON posts
FOR EACH ROW
BEGIN
    UPDATE users SET post_count = post_count - 1 WHERE id = OLD.user_id;
END//
DELIMITER ;
