#!/bin/sh
# SQLite scripts are split where SQLite ends statements (driver split op,
# sqlite3_complete): a trigger's BEGIN ... END body stays whole, ';' in
# strings, quoted names and comments splits nothing, the last statement
# needs no ';', CRLF files split as LF ones. An unterminated string stops
# everything at file:line before any pending migration runs; a statement
# SQLite rejects fails at its file:line with SQLite's message and nothing
# of its file stays. The driver also connects to an in-memory database
# (sqlite::memory:), the linter's scratch schema.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

bodies() {
	db_new sqlite
	U=$DBURL
	M=$T_TMP/bodies
	: >"${U#sqlite:}"
	mig "$M" 1_t up.sql "-- leading comment; not a statement
/* block; comment */
CREATE TABLE t (x INT, note TEXT);
CREATE TABLE log (msg TEXT);
CREATE TRIGGER t_ins AFTER INSERT ON t
BEGIN
  INSERT INTO log VALUES ('x is ' || CASE WHEN NEW.x > 1 THEN 'big; ' ELSE 'small; ' END);
  -- a comment inside; with END;
  INSERT INTO log VALUES (\"note\"); /* a quoted name */
END;
INSERT INTO t VALUES (2, 'a;b'), (1, 'it''s; fine');
;;
SELECT [x;] FROM (SELECT 1 AS [x;]) -- no final semicolon"
	strata --dir "$M" --url "$U" plan
	expect_rc 0 "sqlite: plan"
	has "-- line 5
CREATE TRIGGER t_ins AFTER INSERT ON t
BEGIN" "$OUT" "sqlite: the trigger starts at its line"
	has "  INSERT INTO log VALUES (\"note\"); /* a quoted name */
END;" "$OUT" "sqlite: the trigger's body is one statement, to its END"
	has "-- line 3
CREATE TABLE t" "$OUT" "sqlite: the first statement after comments, at its own line"
	has "-- line 13
SELECT [x;] FROM (SELECT 1 AS [x;]) -- no final semicolon" "$OUT" \
		"sqlite: the last statement without ';', a bracketed name with ';'"
	lacks "leading comment" "$OUT" "sqlite: a comment alone is no statement"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "sqlite: up"
	has "5 statements" "$OUT" "sqlite: five statements ran"
	is "$(db_query sqlite "$U" "SELECT group_concat(msg, '|') FROM (SELECT msg FROM log ORDER BY rowid)")" \
		"x is big; |note|x is small; |note" "sqlite: the trigger ran whole for each row"
	is "$(db_query sqlite "$U" "SELECT group_concat(note, '|') FROM t")" \
		"a;b|it's; fine" "sqlite: strings with ';' passed whole"
}

crlf() {
	db_new sqlite
	U=$DBURL
	M=$T_TMP/crlf
	: >"${U#sqlite:}"
	mkdir -p "$M/1_crlf"
	printf -- '-- windows\r\nCREATE TABLE c (x INT);\r\n\r\nCREATE TRIGGER c_t AFTER INSERT ON c\r\nBEGIN\r\n  UPDATE c SET x = x + 1;\r\nEND;\r\nINSERT INTO c VALUES (1)\r\n' \
		>"$M/1_crlf/up.sql"
	strata --dir "$M" --url "$U" plan
	expect_rc 0 "sqlite: plan of a CRLF file"
	has "-- line 4
CREATE TRIGGER c_t" "$OUT" "sqlite: CRLF lines counted"
	has "-- line 8
INSERT INTO c VALUES (1)" "$OUT" "sqlite: CRLF: the last statement without ';'"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "sqlite: up of a CRLF file"
	has "3 statements" "$OUT" "sqlite: CRLF: three statements ran"
	is "$(db_query sqlite "$U" "SELECT x FROM c")" 2 "sqlite: CRLF: the trigger ran"
}

errors() {
	db_new sqlite
	U=$DBURL
	M=$T_TMP/errors
	mig "$M" 1_ok up.sql "CREATE TABLE first (x INT);"
	mig "$M" 2_early up.sql "CREATE TABLE second (x INT);"
	mig "$M" 3_bad up.sql "CREATE TABLE third (x INT);
-- the next string never ends
INSERT INTO third VALUES ('it''s;
);"
	mig "$M" 4_later up.sql "CREATE TABLE fourth (x INT);"
	strata --dir "$M" --url "$U" up --to 1
	expect_rc 0 "sqlite: first migration applied"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "sqlite: an unterminated string"
	has "3_bad/up.sql:3: error: unterminated string literal" "$ERR" \
		"sqlite: the error names file:line where the string opens"
	is "$(db_query sqlite "$U" "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'strata%' ORDER BY name)")" \
		first "sqlite: nothing of the pending files ran, not even the earlier file"
	mig "$M" 3_bad up.sql "CREATE TABLE third (x INT);
/* never closed; CREATE TABLE hidden (x INT);"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "sqlite: an unterminated comment"
	has "3_bad/up.sql:2: error: unterminated /* comment" "$ERR" \
		"sqlite: the comment's line"
	# A statement that splits but that SQLite rejects (SQLite compiles it
	# before anything runs): its line, SQLite's message, nothing ran.
	mig "$M" 3_bad up.sql "CREATE TABLE third (x INT);

-- the next statement is not SQL SQLite accepts
CREATE TABLE bad (
  y INT,
  z INT NOT NUL
);"
	strata --dir "$M" --url "$U" up
	[ "$RC" -ne 0 ]
	ok $? "sqlite: a statement SQLite rejects fails (exit $RC)"
	has "3_bad/up.sql:4:" "$ERR" "sqlite: at the statement's file:line"
	has "near \"NUL\": syntax error" "$ERR" "sqlite: with SQLite's message"
	is "$(db_query sqlite "$U" "SELECT count(*) FROM sqlite_master WHERE name IN ('second', 'third', 'bad', 'fourth')")" \
		0 "sqlite: nothing of the pending files ran"
	# --allow-destructive acknowledges lint errors, not SQL the database
	# rejects: still refused before anything runs.
	strata --dir "$M" --url "$U" up --allow-destructive
	expect_rc 2 "sqlite: --allow-destructive does not run it either"
	has "3_bad/up.sql:4:" "$ERR" "sqlite: the same file:line"
	is "$(db_query sqlite "$U" "SELECT count(*) FROM sqlite_master WHERE name IN ('second', 'third', 'bad', 'fourth')")" \
		0 "sqlite: nothing ran"
	# Acknowledged in the file: run anyway; SQLite refuses it then, at
	# the same file:line, and nothing of its file stays.
	sed -i '1i -- strata:allow dialect-unsupported' "$M/3_bad/up.sql"
	strata --dir "$M" --url "$U" up
	expect_rc 1 "sqlite: acknowledged, run anyway, the statement fails"
	has "3_bad/up.sql:5: error: applying 3_bad: statement 2 of 2 failed: near \"NUL\": syntax error" \
		"$ERR" "sqlite: at the statement's file:line, with SQLite's message"
	is "$(db_query sqlite "$U" "SELECT count(*) FROM sqlite_master WHERE name IN ('second', 'third', 'bad', 'fourth')")" \
		1 "sqlite: the earlier file ran, nothing of the failing file nor after it"
	is "$(db_query sqlite "$U" "SELECT count(*) FROM strata_migrations WHERE version IN ('3', '4')")" \
		0 "sqlite: no history row for it"
}

# Before up runs anything, the pending files are compiled on a scratch
# database; a table or index made by a file's last statement is compiled
# there, not run (the scratch forgets each file's tables after it), so
# what it names must still come from the statements before it.
last_statement() {
	db_new sqlite
	U=$DBURL
	M=$T_TMP/last
	mig "$M" 1_t up.sql "CREATE TABLE t (x INT, y INT);
CREATE INDEX t_x ON t (x) WHERE random() > 0;"
	mig "$M" 2_u up.sql "CREATE TABLE u (x INT PRIMARY KEY, y TEXT PRIMARY KEY);"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "sqlite: a rejected last statement stops up"
	has "1_t/up.sql:2: error: sqlite rejects this statement: non-deterministic" \
		"$ERR" "sqlite: the index on the file's own table is compiled against it"
	mig "$M" 1_t up.sql "CREATE TABLE t (x INT, y INT);
CREATE INDEX t_x ON t (x) WHERE y > 0;"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "sqlite: the next file's rejected table stops up"
	has "2_u/up.sql:1: error: sqlite rejects this statement: table \"u\" has more than one primary key" \
		"$ERR" "sqlite: a one-statement file is compiled too"
	is "$(db_query sqlite "$U" "SELECT count(*) FROM sqlite_master WHERE name IN ('t', 'u')")" \
		0 "sqlite: nothing ran"
	mig "$M" 2_u up.sql "CREATE TABLE u (x INT PRIMARY KEY, y TEXT);
CREATE INDEX u_y ON u (y);"
	mig "$M" 3_v up.sql "ALTER TABLE u ADD COLUMN z INT;"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "sqlite: valid files run"
	is "$(db_query sqlite "$U" "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE name IN ('t', 't_x', 'u', 'u_y') ORDER BY name)")" \
		"t,t_x,u,u_y" "sqlite: every table and index was made"
}

memory() {
	M=$T_TMP/memory
	mig "$M" 1_m up.sql "CREATE TABLE m (x INT);
CREATE TRIGGER m_t AFTER INSERT ON m BEGIN SELECT 1; END;
INSERT INTO m VALUES (1);"
	mkdir -p "$T_TMP/memdir"
	strata --dir "$M" --url "sqlite::memory:" up
	expect_rc 0 "sqlite::memory: up"
	has "3 statements" "$OUT" "sqlite::memory: the migration ran"
	strata --dir "$M" --url "sqlite::memory:" status
	expect_rc 0 "sqlite::memory: status"
	has "pending" "$OUT" "sqlite::memory: each connection is a new, empty database"
	(cd "$T_TMP/memdir" && strata --dir "$M" --url "sqlite::memory:" up)
	is "$(ls -A "$T_TMP/memdir")" "" "sqlite::memory: no file written"
}

bodies
crlf
errors
last_statement
memory

done_testing
