CREATE TABLE blobs (id integer, body bytea);
