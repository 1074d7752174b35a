#!/bin/sh
# BEGIN ... END bodies are found only where the grammar has them (issue 6,
# item 16): columns named begin, event and end are ordinary words, while
# trigger, procedure and event bodies (CREATE and ALTER EVENT) and MariaDB's
# BEGIN NOT ATOMIC blocks stay whole without DELIMITER.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
M=$T_TMP/m

mig "$M" 1_columns up.sql "CREATE TABLE evt (id INT, end INT, event INT, begin INT);
INSERT INTO evt (id, begin, event, end) VALUES (1, 10, 20, 30);"
mig "$M" 2_trigger up.mysql.sql "CREATE TABLE log (begin INT, event INT);
CREATE TRIGGER evt_ai AFTER INSERT ON evt FOR EACH ROW BEGIN
  IF NEW.begin > NEW.end THEN
    INSERT INTO log (begin, event) VALUES (NEW.end, NEW.event);
  ELSE
    BEGIN
      INSERT INTO log (begin, event) VALUES (NEW.begin, NEW.event);
    END;
  END IF;
END;
INSERT INTO evt (id, begin, event, end) VALUES (2, 5, 6, 1);"
mig "$M" 2_trigger up.sqlite.sql "CREATE TABLE log (begin INT, event INT);
CREATE TRIGGER evt_ai AFTER INSERT ON evt WHEN NEW.begin > 0 BEGIN
  INSERT INTO log (begin, event)
  VALUES (CASE WHEN NEW.begin > NEW.end THEN NEW.end ELSE NEW.begin END,
          NEW.event);
END;
INSERT INTO evt (id, begin, event, end) VALUES (2, 5, 6, 1);"
mig "$M" 3_procedure up.mysql.sql "CREATE PROCEDURE fill(IN n INT)
BEGIN
  DECLARE i INT DEFAULT 0;
  again: LOOP
    SET i = i + 1;
    IF i > n THEN LEAVE again; END IF;
    INSERT INTO log (begin, event) VALUES (i, CASE WHEN i > 1 THEN 2 ELSE 1 END);
  END LOOP again;
END;
CALL fill(2);"
mig "$M" 3_procedure up.sqlite.sql "INSERT INTO log (begin, event) VALUES (1, 1);
INSERT INTO log (begin, event) VALUES (2, 2);"
# Review 3 finding 2: begin/end as aliases inside bodies; DEFINER's user
# does not keep the CREATE header open (then "event" would look like a body).
mig "$M" 4_names up.mysql.sql "CREATE TABLE r (begin INT, end INT);
INSERT INTO r VALUES (1, 2), (3, 4);
CREATE TABLE log2 (x INT);
CREATE TRIGGER r_ai AFTER INSERT ON r FOR EACH ROW BEGIN
  INSERT INTO log2 SELECT NEW.end AS end;
  SET @y = 1;
END;
CREATE PROCEDURE span() BEGIN
  SELECT MIN(begin) begin, MAX(end) end INTO @a, @b FROM r;
  INSERT INTO log2 SELECT MAX(end) end FROM r;
  INSERT INTO log2 SELECT x + 100 AS begin FROM (SELECT @a AS x) AS q;
END;
CREATE DEFINER=CURRENT_USER VIEW v AS SELECT event AS e, begin AS begin FROM evt;
CREATE TABLE after_view (a INT);
INSERT INTO r VALUES (5, 6);
CALL span();"
mig "$M" 4_names up.sqlite.sql "CREATE TABLE r (begin INT, end INT);
CREATE TABLE log2 (x INT);
CREATE TRIGGER r_ai AFTER INSERT ON r BEGIN
  INSERT INTO log2 SELECT NEW.end AS end;
  INSERT INTO log2 SELECT MAX(end) end FROM r;
  INSERT INTO log2 SELECT begin + 10 begin
  FROM r WHERE begin = NEW.begin;
END;
CREATE VIEW v AS SELECT event AS e, begin AS begin FROM evt;
CREATE TABLE after_view (a INT);
INSERT INTO r VALUES (1, 2);
INSERT INTO r VALUES (3, 4);"
# ALTER EVENT replaces an event's body: its BEGIN ... END is one
# statement, as CREATE EVENT's is. MariaDB's anonymous block BEGIN NOT
# ATOMIC ... END runs as one statement outside any routine.
mig "$M" 5_event up.mysql.sql "CREATE EVENT ev_purge ON SCHEDULE EVERY 1 DAY DISABLE
DO DELETE FROM log WHERE begin < 0;
ALTER EVENT ev_purge ON SCHEDULE EVERY 1 HOUR DO BEGIN
  DELETE FROM log WHERE begin < 0;
  IF (SELECT count(*) FROM log) > 100 THEN
    BEGIN DELETE FROM log; END;
  END IF;
END;
CREATE TABLE after_event (begin INT, event INT);"
mig "$M" 5_event up.sqlite.sql "CREATE TABLE after_event (begin INT, event INT);"
mig "$M" 6_block up.mysql.sql "CREATE TABLE blk (n INT);
BEGIN NOT ATOMIC
  DECLARE i INT DEFAULT 0;
  WHILE i < 3 DO
    SET i = i + 1;
    IF i > 0 THEN INSERT INTO blk VALUES (i); END IF;
  END WHILE;
END;
INSERT INTO after_event (begin, event) VALUES (1, 2);"
mig "$M" 6_block up.sqlite.sql "CREATE TABLE blk (n INT);
INSERT INTO blk VALUES (1), (2), (3);
INSERT INTO after_event (begin, event) VALUES (1, 2);"

for e in $(engines); do
	case "$e" in postgres) continue ;; missing-*)
		ok 1 "$e server available"
		continue
		;;
	esac
	db_new "$e" || { ok 1 "create a $e database"; continue; }
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up"
	has "applied   1_columns (up.sql, 2 statements" "$OUT" \
		"$e: begin/event/end columns: two statements"
	has "applied   2_trigger (up.$e.sql, 3 statements" "$OUT" \
		"$e: the trigger is one statement"
	is "$(db_query "$e" "$DBURL" "SELECT begin, event FROM log ORDER BY begin, event" | tr '\t\n' ', ')" \
		"1,1 1,6 2,2 " "$e: the trigger and the routine ran"
	is "$(db_query "$e" "$DBURL" "SELECT count(*) FROM evt")" 2 "$e: both rows"
	if [ "$e" = mysql ]; then
		has "applied   3_procedure (up.mysql.sql, 2 statements" "$OUT" \
			"$e: the procedure with LOOP, IF and CASE is one statement"
		has "applied   4_names (up.mysql.sql, 9 statements" "$OUT" \
			"$e: AS end, implicit aliases, DEFINER=CURRENT_USER VIEW"
		want="6,6,101,"
		has "applied   5_event (up.mysql.sql, 3 statements" "$OUT" \
			"$e: ALTER EVENT's BEGIN body is one statement"
		is "$(db_query "$e" "$DBURL" "SELECT interval_field, event_definition LIKE '%END IF;%END' FROM information_schema.events WHERE event_schema = DATABASE() AND event_name = 'ev_purge'" | tr '\t' ',')" \
			"HOUR,1" "$e: the event has the altered schedule and body"
		has "applied   6_block (up.mysql.sql, 3 statements" "$OUT" \
			"$e: BEGIN NOT ATOMIC is one statement"
	else
		has "applied   4_names (up.sqlite.sql, 7 statements" "$OUT" \
			"$e: AS end and implicit aliases in a trigger"
		want="2,2,4,4,11,13,"
	fi
	is "$(db_query "$e" "$DBURL" "SELECT x FROM log2 ORDER BY x" | tr '\n' ',')" \
		"$want" "$e: the bodies with begin/end names ran whole"
	is "$(db_query "$e" "$DBURL" "SELECT count(*) FROM after_view")" 0 \
		"$e: the table after the view exists"
	is "$(db_query "$e" "$DBURL" "SELECT n FROM blk ORDER BY n" | tr '\n' ',')" \
		"1,2,3," "$e: the anonymous block ran"
	is "$(db_query "$e" "$DBURL" "SELECT begin, event FROM after_event" | tr '\t' ',')" \
		"1,2" "$e: the statement after the block ran"
done

done_testing
