CREATE TABLE users_new (
    id INTEGER PRIMARY KEY,
    email VARCHAR(255) NOT NULL,
    created_at TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    bio TEXT,
    display_name VARCHAR(100)
);
INSERT INTO users_new (id, email, created_at, bio, display_name)
    SELECT id, email, created_at, bio, display_name FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE UNIQUE INDEX users_email_key ON users (email);
