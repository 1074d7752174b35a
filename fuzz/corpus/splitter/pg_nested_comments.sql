Å/* outer /* inner; */ still comment; */ SELECT 1;
-- line comment ; here
SELECT 2 /* trailing */;
