-- Table comments. SQLite has none, so this migration has no SQLite file:
-- it is recorded there as skipped.
COMMENT ON TABLE users IS 'accounts; one row per person';
COMMENT ON TABLE posts IS 'posts written by users';
