/* The statement splitter: quoting, comments and bodies per dialect. */
#include "tap.h"
#include "internal.h"

#define PG                                                                     \
	(STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_NESTED_COMMENTS |           \
	 STRATA_SPLIT_E_STRINGS)
#define MY                                                                     \
	(STRATA_SPLIT_DELIMITER | STRATA_SPLIT_BEGIN_END |                     \
	 STRATA_SPLIT_BACKSLASH_ESC | STRATA_SPLIT_HASH_COMMENT |              \
	 STRATA_SPLIT_BACKTICK_IDENT | STRATA_SPLIT_DQUOTE_STRING)
#define LITE                                                                   \
	(STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |                 \
	 STRATA_SPLIT_BACKTICK_IDENT)

static strata__stmts S;
static strata_error E;

static int split(const char *sql, unsigned flags)
{
	strata__stmts_free(&S);
	strata_error_clear(&E);
	return strata__split(&S, sql, strlen(sql), flags, "t.sql", &E);
}

static void expect(const char *sql, unsigned flags, size_t n, const char *first,
                   const char *last, const char *what)
{
	int rc = split(sql, flags);

	ok(rc == 0, "%s: splits", what);
	is_int(S.count, n, "%s: %zu statement(s)", what, n);
	if (rc == 0 && S.count == n && n > 0) {
		if (first)
			is_str(S.items[0].sql, first, "%s: first", what);
		is_str(S.items[n - 1].sql, last, "%s: last", what);
	}
}

static void expect_error(const char *sql, unsigned flags, int line,
                         const char *needle, const char *what)
{
	int rc = split(sql, flags);

	ok(rc != 0, "%s: rejected", what);
	is_int(E.line, line, "%s: error line", what);
	ok(E.message && strstr(E.message, needle), "%s: says '%s' (%s)", what,
	   needle, E.message ? E.message : "");
}

static void basics(void)
{
	expect("SELECT 1; SELECT 2;", PG, 2, "SELECT 1", "SELECT 2", "two");
	expect("SELECT 1", PG, 1, "SELECT 1", "SELECT 1", "no final ;");
	expect("  ;;\n -- only a comment\n;", PG, 0, NULL, NULL, "empty");
	expect("SELECT 'a;b'; SELECT 'it''s;'", PG, 2, "SELECT 'a;b'",
	       "SELECT 'it''s;'", "quotes");
	expect("SELECT \"we;ird\" FROM t;", PG, 1, "SELECT \"we;ird\" FROM t",
	       "SELECT \"we;ird\" FROM t", "quoted identifier");
	expect("SELECT 1 -- c; not split\n; SELECT 2 /* ; */;", PG, 2,
	       "SELECT 1 -- c; not split", "SELECT 2 /* ; */", "comments");
}

static void lines(void)
{
	split("-- header\n\nCREATE TABLE a (x int);\n/* c\n */\n"
	      "INSERT INTO a\nVALUES (';\n');\nSELECT 3;",
	      PG);
	is_int(S.count, 3, "lines: three statements");
	if (S.count == 3) {
		is_int(S.items[0].line, 3, "line of the first statement");
		is_int(S.items[1].line, 6, "line after a block comment");
		is_int(S.items[2].line, 9, "line after a multi-line string");
	}
}

static void postgres(void)
{
	const char *fn = "CREATE FUNCTION f() RETURNS int AS $$\n"
	                 "BEGIN RETURN 1; END;\n$$ LANGUAGE plpgsql;\n"
	                 "SELECT f();";
	const char *tagged = "DO $body$ BEGIN PERFORM '$$;'; END $body$;"
	                     "SELECT 2";

	expect(fn, PG, 2,
	       "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN RETURN 1; "
	       "END;\n$$ LANGUAGE plpgsql",
	       "SELECT f()", "dollar-quoted body");
	expect(tagged, PG, 2, "DO $body$ BEGIN PERFORM '$$;'; END $body$",
	       "SELECT 2", "tagged dollar quote containing $$");
	expect("SELECT $1::int; SELECT a$b$ FROM t;", PG, 2, "SELECT $1::int",
	       "SELECT a$b$ FROM t", "positional params and $ in names");
	expect("SELECT E'it\\'s; ok'; SELECT 2", PG, 2, "SELECT E'it\\'s; ok'",
	       "SELECT 2", "E'' string escapes");
	expect("SELECT 'a\\'; SELECT 2", PG, 2, "SELECT 'a\\'", "SELECT 2",
	       "standard string: backslash is literal");
	expect("/* a /* nested ; */ still */ SELECT 1; SELECT 2", PG, 2,
	       "SELECT 1", "SELECT 2", "nested comments");
	expect("SELECT ARRAY[1,2][1]; SELECT 2", PG, 2, "SELECT ARRAY[1,2][1]",
	       "SELECT 2", "brackets are not quotes");
	expect_error("SELECT $$ never closed;\n", PG, 1, "dollar",
	             "unterminated dollar quote");
}

static void mysql(void)
{
	const char *delim = "CREATE TABLE t (a int);\n"
	                    "DELIMITER //\n"
	                    "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; "
	                    "END//\n"
	                    "CREATE TRIGGER x BEFORE INSERT ON t FOR EACH ROW\n"
	                    "BEGIN SET NEW.a = 1; END //\n"
	                    "DELIMITER ;\n"
	                    "SELECT 3;";
	const char *dollar = "DELIMITER $$\nCREATE PROCEDURE p() BEGIN "
	                     "SELECT 1; END$$\nDELIMITER ;\nSELECT 2;";

	expect(delim, MY, 4, "CREATE TABLE t (a int)", "SELECT 3",
	       "DELIMITER //");
	if (S.count == 4) {
		is_str(S.items[1].sql,
		       "CREATE PROCEDURE p() BEGIN SELECT 1; SELECT 2; END",
		       "procedure body kept whole");
		is_int(S.items[2].line, 4, "trigger line");
	}
	expect(dollar, MY, 2, "CREATE PROCEDURE p() BEGIN SELECT 1; END",
	       "SELECT 2", "DELIMITER $$ right after END");
	expect("CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n"
	       "IF NEW.x > 0 THEN SET @c = 1; END IF;\n"
	       "CASE WHEN 1 THEN SET @d = 1; END CASE;\nEND;\nSELECT 1;",
	       MY, 2,
	       "CREATE TRIGGER t AFTER INSERT ON a FOR EACH ROW BEGIN\n"
	       "IF NEW.x > 0 THEN SET @c = 1; END IF;\n"
	       "CASE WHEN 1 THEN SET @d = 1; END CASE;\nEND",
	       "SELECT 1", "BEGIN...END without DELIMITER, IF and CASE");
	expect("SELECT 'a\\';b'; SELECT \"x;y\"; # c;\nSELECT `a;b`", MY, 3,
	       "SELECT 'a\\';b'", "SELECT `a;b`", "backslash, \" and ` quotes");
	expect("SELECT 1 --x; SELECT 2;\n", MY, 2, "SELECT 1 --x", "SELECT 2",
	       "-- needs a space in MySQL");
	expect("/*!40101 SET NAMES utf8 */;\nSELECT 1;", MY, 2,
	       "/*!40101 SET NAMES utf8 */", "SELECT 1", "executable comment");
	/* Found by fuzzing: a '$' that is no dollar quote, at a delimiter. */
	expect("DELIMITER $\nSELECT 1$$\n",
	       STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_DELIMITER, 1,
	       "SELECT 1", "SELECT 1",
	       "custom delimiter '$' with dollar quotes");
	expect_error("DELIMITER\nSELECT 1;", MY, 1, "DELIMITER",
	             "DELIMITER without value");
	expect_error("SELECT 1;\nSELECT 'oops;\n", MY, 2, "unterminated string",
	             "unterminated string");
}

static void sqlite(void)
{
	const char *trig = "CREATE TABLE a (x);\n"
	                   "CREATE TRIGGER t AFTER INSERT ON a\n"
	                   "WHEN (CASE WHEN NEW.x THEN 1 END)\n"
	                   "BEGIN\n  UPDATE a SET x = 1;\n  DELETE FROM a;\n"
	                   "END;\nINSERT INTO [we;ird] VALUES (1);";

	expect(trig, LITE, 3, "CREATE TABLE a (x)",
	       "INSERT INTO [we;ird] VALUES (1)", "trigger body");
	if (S.count == 3)
		ok(strstr(S.items[1].sql, "DELETE FROM a;\nEND") != NULL,
		   "trigger kept whole");
	expect("BEGIN; CREATE TABLE begin_end (x); END;", LITE, 3, "BEGIN",
	       "END", "BEGIN as a transaction statement");
	expect("CREATE TABLE t (\"end\" int, begin_at int); SELECT 1", LITE, 2,
	       "CREATE TABLE t (\"end\" int, begin_at int)", "SELECT 1",
	       "keywords inside names");
	expect_error("SELECT 1; /* open\n\n", LITE, 1, "comment",
	             "unterminated comment");
}

/* ALTER [DEFINER=..] EVENT ... DO BEGIN ... END replaces an event's body;
 * any other ALTER has none. */
static void alter_event(void)
{
	expect("ALTER EVENT e ON SCHEDULE EVERY 1 HOUR\n"
	       "DO BEGIN\n  DELETE FROM evt WHERE begin < 0;\n"
	       "  IF @x THEN SET @y = 1; END IF;\nEND;\nSELECT 1;",
	       MY, 2, NULL, "SELECT 1", "ALTER EVENT ... DO BEGIN");
	if (S.count == 2)
		ok(strstr(S.items[0].sql, "END IF;\nEND") != NULL,
		   "ALTER EVENT body kept whole");
	expect("ALTER DEFINER = `u`@`%` EVENT e RENAME TO f\n"
	       "DO lbl: BEGIN INSERT INTO log VALUES (1); "
	       "CASE WHEN 1 THEN SELECT 1; END CASE; END lbl;\nSELECT 2;",
	       MY, 2, NULL, "SELECT 2", "ALTER DEFINER=.. EVENT, labelled");
	expect("ALTER EVENT e DISABLE;\nALTER EVENT e DO UPDATE evt SET begin "
	       "= 1;\nSELECT 3;",
	       MY, 3, "ALTER EVENT e DISABLE", "SELECT 3",
	       "ALTER EVENT without a BEGIN body");
	expect("ALTER TABLE evt ADD COLUMN begin INT, ADD COLUMN event INT;\n"
	       "ALTER TABLE event ADD begin INT;\nSELECT 4;",
	       MY, 3,
	       "ALTER TABLE evt ADD COLUMN begin INT, ADD COLUMN event INT",
	       "SELECT 4", "ALTER TABLE with begin and event columns");
	expect("ALTER PROCEDURE p COMMENT 'begin';\nALTER TABLE t RENAME TO "
	       "begin;\nSELECT 5;",
	       MY, 3, NULL, "SELECT 5", "ALTER PROCEDURE has no body");
	expect("ALTER EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN SELECT 1; END;\n"
	       "SELECT 6;",
	       LITE, 2, NULL, "SELECT 6", "ALTER EVENT, SQLite flags");
}

/* MariaDB runs BEGIN NOT ATOMIC ... END outside a routine, as one
 * statement; BEGIN alone or BEGIN WORK starts a transaction. */
static void not_atomic(void)
{
	expect("BEGIN NOT ATOMIC\n  DECLARE i INT DEFAULT 0;\n"
	       "  WHILE i < 3 DO\n    INSERT INTO evt (begin) VALUES (i);\n"
	       "    SET i = i + 1;\n  END WHILE;\n"
	       "  IF i > 2 THEN BEGIN SELECT 1; END; END IF;\n"
	       "  REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;\n"
	       "  lp: LOOP LEAVE lp; END LOOP lp;\n"
	       "  SELECT CASE WHEN i THEN 1 ELSE 2 END AS end;\nEND;\n"
	       "SELECT 1;",
	       MY, 2, NULL, "SELECT 1", "BEGIN NOT ATOMIC with nested blocks");
	if (S.count == 2)
		ok(strstr(S.items[0].sql, "AS end;\nEND") != NULL &&
		           S.items[1].line == 12,
		   "BEGIN NOT ATOMIC kept whole, next line right");
	expect("begin /* c */ not\n-- c\n atomic SELECT 1; SELECT 2; end;\n"
	       "SELECT 3;",
	       MY, 2, NULL, "SELECT 3", "begin not atomic, comments between");
	expect("BEGIN NOT ATOMIC END;\nSELECT 1;", MY, 2,
	       "BEGIN NOT ATOMIC END", "SELECT 1", "empty BEGIN NOT ATOMIC");
	expect("BEGIN;\nSELECT begin, event FROM evt;\nCOMMIT;", MY, 3, "BEGIN",
	       "COMMIT", "BEGIN; before begin/event columns");
	expect("BEGIN WORK;\nUPDATE evt SET begin = 1;\nEND;", MY, 3,
	       "BEGIN WORK", "END", "BEGIN WORK ... END (not a block)");
	expect("BEGIN NOT ATOMIC SELECT 1; END;\nBEGIN NOT ATOMIC SELECT 2; "
	       "END;",
	       MY, 2, "BEGIN NOT ATOMIC SELECT 1; END",
	       "BEGIN NOT ATOMIC SELECT 2; END", "two anonymous blocks");
	expect("DELIMITER //\nBEGIN NOT ATOMIC SELECT 1; END//\n"
	       "DELIMITER ;\nSELECT 2;",
	       MY, 2, "BEGIN NOT ATOMIC SELECT 1; END", "SELECT 2",
	       "BEGIN NOT ATOMIC with DELIMITER");
}

/* Issue 6 item 16: BEGIN/END open bodies only where the grammar allows. */
static void bodies(void)
{
	const char *proc =
	        "CREATE DEFINER=`root`@`localhost` PROCEDURE p(IN n INT)\n"
	        "SQL SECURITY INVOKER\nBEGIN\n"
	        "  DECLARE i INT DEFAULT 0;\n"
	        "  lbl: LOOP\n    SET i = i + 1;\n"
	        "    IF i > n THEN LEAVE lbl; END IF;\n  END LOOP lbl;\n"
	        "  WHILE i > 0 DO SET i = i - 1; END WHILE;\n"
	        "  REPEAT SET i = i + 1; UNTIL i > 3 END REPEAT;\n"
	        "  inner_blk: BEGIN SELECT 1; END inner_blk;\n"
	        "  SELECT begin, end, CASE WHEN i THEN 1 ELSE 2 END AS c "
	        "FROM evt;\nEND;\nSELECT 2;";
	const char *trig =
	        "CREATE OR REPLACE TRIGGER tr BEFORE UPDATE ON evt\n"
	        "FOR EACH ROW BEGIN\n"
	        "  IF NEW.begin > NEW.end THEN\n"
	        "    SET NEW.begin = NEW.end;\n"
	        "  ELSEIF NEW.event IS NULL THEN\n"
	        "    BEGIN SET NEW.event = 'x'; END;\n"
	        "  END IF;\n"
	        "  INSERT INTO log (begin, event) VALUES (NEW.begin, 1);\n"
	        "  UPDATE log SET begin = 1, end = 2 WHERE begin = 0;\n"
	        "END;\nINSERT INTO evt VALUES (1, 2, 3);";

	expect("CREATE TABLE evt (end INT, event INT, begin INT);\n"
	       "INSERT INTO evt (begin, event) VALUES (1, 2);",
	       MY, 2, "CREATE TABLE evt (end INT, event INT, begin INT)",
	       "INSERT INTO evt (begin, event) VALUES (1, 2)",
	       "columns begin and event (MySQL)");
	expect("CREATE TABLE evt (event INT, begin INT);\nSELECT 1;", LITE, 2,
	       "CREATE TABLE evt (event INT, begin INT)", "SELECT 1",
	       "columns begin and event (SQLite)");
	expect("CREATE TEMPORARY TABLE trigger_event (begin DATE, end DATE);\n"
	       "CREATE INDEX function_begin ON trigger_event (begin);\n"
	       "SELECT 1;",
	       MY, 3,
	       "CREATE TEMPORARY TABLE trigger_event (begin DATE, end DATE)",
	       "SELECT 1", "TRIGGER/EVENT as words in other statements");
	expect("CREATE VIEW v AS SELECT CASE WHEN begin THEN 1 END AS x, event "
	       "FROM evt;\nSELECT 2;",
	       MY, 2,
	       "CREATE VIEW v AS SELECT CASE WHEN begin THEN 1 END AS x, "
	       "event FROM evt",
	       "SELECT 2", "CASE ... END in a view");
	expect("BEGIN;\nINSERT INTO evt VALUES (1);\nCOMMIT;", MY, 3, "BEGIN",
	       "COMMIT", "BEGIN; as a statement");
	expect("START TRANSACTION; BEGIN WORK; SELECT 1;", MY, 3,
	       "START TRANSACTION", "SELECT 1", "BEGIN WORK");
	expect(proc, MY, 2, NULL, "SELECT 2", "procedure with nested blocks");
	if (S.count == 2)
		ok(strstr(S.items[0].sql, "FROM evt;\nEND") != NULL,
		   "procedure kept whole");
	expect(trig, MY, 2, NULL, "INSERT INTO evt VALUES (1, 2, 3)",
	       "trigger with nested IF, BEGIN and begin/end columns");
	expect("CREATE FUNCTION f(x INT) RETURNS INT DETERMINISTIC\n"
	       "RETURN CASE WHEN x > 0 THEN 1 ELSE 0 END;\nSELECT f(1);",
	       MY, 2, NULL, "SELECT f(1)", "function without BEGIN");
	expect("CREATE FUNCTION f() RETURNS DECIMAL(10,2) NO SQL\n"
	       "BEGIN RETURN 1.5; END;\nSELECT 1;",
	       MY, 2, NULL, "SELECT 1", "function body after RETURNS type(..)");
	expect("CREATE EVENT e ON SCHEDULE EVERY 1 DAY\n"
	       "DO UPDATE evt SET begin = begin + 1;\nSELECT 1;",
	       MY, 2,
	       "CREATE EVENT e ON SCHEDULE EVERY 1 DAY\n"
	       "DO UPDATE evt SET begin = begin + 1",
	       "SELECT 1", "event with a one-statement body");
	expect("CREATE EVENT e ON SCHEDULE EVERY 1 DAY COMMENT 'c'\n"
	       "DO BEGIN DELETE FROM evt; INSERT INTO evt (event) VALUES (1); "
	       "END;\nSELECT 1;",
	       MY, 2, NULL, "SELECT 1", "event with a BEGIN body");
	expect("CREATE TRIGGER tr AFTER INSERT ON evt\n"
	       "WHEN NEW.begin > 0 BEGIN\n"
	       "  INSERT INTO log (begin, end) VALUES (NEW.begin, NEW.end);\n"
	       "  UPDATE log SET end = CASE WHEN end THEN 1 END;\n"
	       "END;\nCREATE TABLE x (begin, end);",
	       LITE, 2, NULL, "CREATE TABLE x (begin, end)",
	       "SQLite trigger with begin/end columns");
	expect("CREATE OR REPLACE PROCEDURE p AS BEGIN NULL; SELECT 1; END;\n"
	       "SELECT 2;",
	       MY, 2, NULL, "SELECT 2", "MariaDB Oracle mode: AS BEGIN");
	expect("CREATE TEMP TRIGGER IF NOT EXISTS tr AFTER DELETE ON evt "
	       "FOR EACH ROW BEGIN DELETE FROM log; END; SELECT 1",
	       LITE, 2, NULL, "SELECT 1", "SQLite TEMP trigger");
	alter_event();
	not_atomic();
}

/* Review 3 finding 2: begin/end as aliases and names inside bodies, and
 * DEFINER's user@host does not keep the CREATE header open. */
static void names(void)
{
	static const char *const definers[] = {"root@localhost",
	                                       "'u'@'h'",
	                                       "`u`@`h`",
	                                       "CURRENT_USER",
	                                       "CURRENT_USER()",
	                                       "'u'@'10.0.%'",
	                                       "root@127.0.0.1",
	                                       "u@'%'",
	                                       " `u` @ `h` ",
	                                       "role1",
	                                       NULL};
	char sql[512], what[128];
	size_t k;

	expect("CREATE TRIGGER tr AFTER INSERT ON a FOR EACH ROW BEGIN\n"
	       "  INSERT INTO log SELECT NEW.x AS end; SET @y = 1;\nEND;\n"
	       "SELECT 1;",
	       MY, 2, NULL, "SELECT 1", "AS end in a trigger (MySQL)");
	if (S.count == 2)
		ok(strstr(S.items[0].sql, "SET @y = 1;\nEND") != NULL,
		   "trigger with AS end kept whole");
	expect("CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
	       "  INSERT INTO log SELECT NEW.x AS end; UPDATE a SET x = 1;\n"
	       "END;\nSELECT 1;",
	       LITE, 2, NULL, "SELECT 1", "AS end in a trigger (SQLite)");
	expect("CREATE PROCEDURE p() BEGIN\n"
	       "  SELECT MIN(begin) begin, MAX(end) end FROM r;\n"
	       "  SELECT x AS begin FROM r;\n  SELECT 1;\nEND;\nSELECT 2;",
	       MY, 2, NULL, "SELECT 2", "implicit aliases begin and end");
	expect("CREATE TRIGGER tr AFTER INSERT ON a BEGIN\n"
	       "  INSERT INTO log SELECT MIN(begin) begin, MAX(end) end FROM "
	       "r;\n"
	       "  INSERT INTO log SELECT x begin\n  FROM r;\nEND;\nSELECT 1;",
	       LITE, 2, NULL, "SELECT 1", "implicit aliases in a trigger");
	expect("CREATE TRIGGER tr AFTER INSERT ON a FOR EACH ROW BEGIN\n"
	       "  SET @v = (SELECT CASE WHEN a THEN end ELSE begin END "
	       "FROM t);\n  SET @w = (SELECT end FROM t);\nEND;\nSELECT 1;",
	       MY, 2, NULL, "SELECT 1", "THEN end, ELSE begin in CASE");
	expect("CREATE PROCEDURE p() BEGIN END;\nSELECT 1;", MY, 2,
	       "CREATE PROCEDURE p() BEGIN END", "SELECT 1", "empty body");
	expect("CREATE PROCEDURE p() BEGIN NOT ATOMIC END;\nSELECT 1;", MY, 2,
	       NULL, "SELECT 1", "empty BEGIN NOT ATOMIC body");
	expect("CREATE PROCEDURE p() lbl: BEGIN SELECT 1; END lbl -- c\n;\n"
	       "SELECT 2;",
	       MY, 2, NULL, "SELECT 2", "END label, comment, ;");
	expect("DELIMITER $$\nCREATE PROCEDURE p() BEGIN SELECT x AS end; "
	       "SELECT MAX(end) end FROM r; END$$\nDELIMITER ;\nSELECT 1;",
	       MY, 2, NULL, "SELECT 1", "names in a body with DELIMITER");
	for (k = 0; definers[k]; k++) {
		snprintf(sql, sizeof(sql),
		         "CREATE DEFINER=%s VIEW v AS SELECT event AS e, x AS "
		         "begin FROM t;\nCREATE TABLE after_view (a INT);",
		         definers[k]);
		snprintf(what, sizeof(what), "view, DEFINER=%s", definers[k]);
		expect(sql, MY, 2, NULL, "CREATE TABLE after_view (a INT)",
		       what);
		snprintf(sql, sizeof(sql),
		         "CREATE DEFINER = %s PROCEDURE p() BEGIN SELECT 1; "
		         "SELECT 2; END;\nSELECT 3;",
		         definers[k]);
		snprintf(what, sizeof(what), "procedure, DEFINER = %s",
		         definers[k]);
		expect(sql, MY, 2, NULL, "SELECT 3", what);
	}
}

int main(void)
{
	basics();
	lines();
	postgres();
	mysql();
	sqlite();
	bodies();
	names();
	strata__stmts_free(&S);
	strata_error_clear(&E);
	return tap_done();
}
