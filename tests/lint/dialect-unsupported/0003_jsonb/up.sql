CREATE TABLE docs (id integer, body jsonb);
