ALTER TABLE users COMMENT = 'accounts; one row per person';
ALTER TABLE posts COMMENT = 'posts written by users';
