RENAME TABLE articles TO entries;
ALTER TABLE entries CHANGE id entry_id integer;
