-- a typo in a rule name is an error, not a silent no-op
-- strata:allow destructiv
DROP TABLE x;
