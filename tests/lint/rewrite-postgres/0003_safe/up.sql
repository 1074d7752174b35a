SET lock_timeout = '5s';
ALTER TABLE users ALTER COLUMN name TYPE varchar(100);
ALTER TABLE users ALTER COLUMN name TYPE text;
ALTER TABLE users ADD COLUMN created_at timestamptz DEFAULT now();
ALTER TABLE users ADD COLUMN flag boolean NOT NULL DEFAULT false;
ALTER TABLE users ALTER COLUMN price TYPE numeric(12,2);
ALTER TABLE users ADD COLUMN later uuid;
ALTER TABLE users ALTER COLUMN later SET DEFAULT gen_random_uuid();
