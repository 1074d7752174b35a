-- Required display_name, step 1 of 2: add it nullable and backfill, so
-- that running application versions keep working in between.
ALTER TABLE users ADD COLUMN display_name VARCHAR(100);
UPDATE users SET display_name = email WHERE display_name IS NULL;
