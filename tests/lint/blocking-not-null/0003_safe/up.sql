SET lock_timeout = '5s';
ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;
ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;
-- PostgreSQL 12+: the valid CHECK proves it, no scan
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
ALTER TABLE users DROP CONSTRAINT users_email_nn;
CREATE TABLE t3 (a integer);
ALTER TABLE t3 ALTER COLUMN a SET NOT NULL;
