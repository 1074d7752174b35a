ALTER TABLE users ADD COLUMN a integer;
