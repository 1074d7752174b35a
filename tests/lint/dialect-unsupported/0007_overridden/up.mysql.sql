CREATE TABLE blobs (id integer, body blob);
