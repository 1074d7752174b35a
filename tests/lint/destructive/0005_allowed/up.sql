-- strata:allow destructive
DROP TABLE logs;
