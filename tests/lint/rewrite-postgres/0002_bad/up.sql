SET lock_timeout = '5s';
ALTER TABLE users ALTER COLUMN n TYPE bigint;
ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();
ALTER TABLE users ADD COLUMN seq bigserial;
ALTER TABLE users ADD COLUMN total bigint GENERATED ALWAYS AS (n * 2) STORED;
