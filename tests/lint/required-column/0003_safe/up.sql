ALTER TABLE users ADD COLUMN nick varchar(20);
ALTER TABLE users ADD COLUMN score integer NOT NULL DEFAULT 0;
