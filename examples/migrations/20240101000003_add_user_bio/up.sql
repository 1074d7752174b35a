-- A nullable column: safe on every database, no table rewrite.
ALTER TABLE users ADD COLUMN bio TEXT;
