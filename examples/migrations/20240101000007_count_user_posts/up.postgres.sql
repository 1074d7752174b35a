ALTER TABLE users ADD COLUMN post_count INTEGER NOT NULL DEFAULT 0;

CREATE FUNCTION posts_count_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        UPDATE users SET post_count = post_count + 1 WHERE id = NEW.user_id;
        RETURN NEW;
    END IF;
    UPDATE users SET post_count = post_count - 1 WHERE id = OLD.user_id;
    RETURN OLD;
END;
$$;

CREATE TRIGGER posts_count_change AFTER INSERT OR DELETE ON posts
    FOR EACH ROW EXECUTE FUNCTION posts_count_change();
