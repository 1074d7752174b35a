ÅDO $body$ BEGIN RAISE NOTICE '$$ not the end; $x$'; END $body$;
SELECT $1, $$a;b$$, $q$;$q$;
