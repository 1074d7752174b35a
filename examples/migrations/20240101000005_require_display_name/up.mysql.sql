UPDATE users SET display_name = email WHERE display_name IS NULL;
ALTER TABLE users MODIFY display_name VARCHAR(100) NOT NULL;
