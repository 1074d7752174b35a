UPDATE users SET name = id::text WHERE id > 0;
