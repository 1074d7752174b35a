-- strata:allow irreversible
CREATE TABLE f (id integer);
