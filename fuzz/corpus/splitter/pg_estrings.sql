ÅINSERT INTO t VALUES (E'it\'s; fine', 'plain''quote;', e'\\');
SELECT 'E' || 'x'; SELECT E'\n';
