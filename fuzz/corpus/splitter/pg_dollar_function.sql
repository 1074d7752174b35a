ÅCREATE FUNCTION f() RETURNS trigger AS $$
BEGIN
  NEW.updated := now(); -- keep ; inside
  RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TABLE t (id int);
