#!/bin/sh
# PostgreSQL scripts are split by PostgreSQL's own parser (libpg_query,
# driver ABI 2.1 split): SQL-standard bodies (BEGIN ATOMIC ... END) stay
# whole, and a file that does not parse stops everything at file:line
# before any pending migration runs. Dollar quotes, E'' strings and nested
# comments still split as before. A file that is not UTF-8 is refused at
# the line of its first bad byte, and psql-only input (meta-commands, COPY
# ... FROM stdin data) is named as the cause.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

atomic() {
	db_new postgres || return
	U=$DBURL
	M=$T_TMP/atomic
	mig "$M" 1_f up.sql "-- strata:allow rename
/* a /* nested */ comment; with a semicolon */
CREATE TABLE t (x INT);
CREATE FUNCTION add_one(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT a + 1;
END;
CREATE FUNCTION twice(a int) RETURNS int LANGUAGE plpgsql AS \$body\$
BEGIN
  RETURN a * 2; -- not the end;
END;
\$body\$;
INSERT INTO t VALUES (length(E'it\\'s; \\\\ x'));
;;
-- a trailing comment; not a statement"
	strata --dir "$M" --url "$U" plan
	expect_rc 0 "postgres: plan"
	has "-- line 4
CREATE FUNCTION add_one(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT a + 1;
END;" "$OUT" "postgres: plan shows the BEGIN ATOMIC body as one statement"
	has "-- line 3
CREATE TABLE t (x INT);" "$OUT" "postgres: the first statement after comments, at its own line"
	has "-- line 13
INSERT INTO t" "$OUT" "postgres: E'' string with \\' in one statement"
	lacks "trailing comment" "$OUT" "postgres: a comment alone is no statement"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "postgres: up with BEGIN ATOMIC"
	has "4 statements" "$OUT" "postgres: four statements ran"
	is "$(db_query postgres "$U" "SELECT add_one(41), twice(21)")" "42	42" \
		"postgres: both functions work"
	is "$(db_query postgres "$U" "SELECT x FROM t")" 9 \
		"postgres: the E'' string was passed whole (it's; \\ x)"
}

syntax_error() {
	db_new postgres || return
	U=$DBURL
	M=$T_TMP/syntax
	mig "$M" 1_ok up.sql "CREATE TABLE first (x INT);"
	mig "$M" 2_early up.sql "CREATE TABLE second (x INT);"
	mig "$M" 3_bad up.sql "CREATE TABLE third (x INT);

-- the next statement does not parse
/* ; */
CREATE TABLE fourth (
  y INT, -- é, ü: characters of more than one byte
  z INT NOT NUL
);"
	mig "$M" 4_later up.sql "CREATE TABLE fifth (x INT);"
	strata --dir "$M" --url "$U" up --to 1
	expect_rc 0 "postgres: first migration applied"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: a file that does not parse"
	has "3_bad/up.sql:7: error: syntax error at or near \"NUL\"" "$ERR" \
		"postgres: the error names file:7 and the parser's message"
	is "$(db_query postgres "$U" "SELECT string_agg(version, ',' ORDER BY version) FROM strata_migrations")" \
		1 "postgres: no history row for the pending ones"
	is "$(db_query postgres "$U" "SELECT string_agg(tablename, ',' ORDER BY tablename) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'strata\_%'")" \
		first "postgres: nothing of the pending files ran, not even the earlier file nor the statement before the error"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: plan refuses it too"
	has "3_bad/up.sql:7:" "$ERR" "postgres: plan names file:7"
	# At the end of the input: the line where the text stops.
	mig "$M" 3_bad up.sql "SELECT 1;
SELECT 1 FROM
"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: a statement cut short"
	has "3_bad/up.sql:2: error: syntax error at end of input" "$ERR" \
		"postgres: the line where the text stops"
	mig "$M" 3_bad up.sql "SELECT 1;
SELECT 'no end;"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: an unterminated string"
	has "3_bad/up.sql:2: error: unterminated quoted string" "$ERR" \
		"postgres: the string's line"
	mig "$M" 3_bad up.sql "-- only a comment
;"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: comments and ';' alone are no statement"
	has "no SQL statement in this file" "$ERR" \
		"postgres: the empty-file rule still applies"
	is "$(db_query postgres "$U" "SELECT count(*) FROM strata_migrations")" \
		1 "postgres: still only the first migration"
	# The transaction-control check sees the parser's statements.
	mig "$M" 3_bad up.sql "/* c */ COMMIT;"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: COMMIT in a transactional file"
	has "3_bad/up.sql:1: error: COMMIT inside a migration" "$ERR" \
		"postgres: COMMIT found after a leading comment"
}

not_utf8() {
	db_new postgres || return
	U=$DBURL
	M=$T_TMP/latin1
	mig "$M" 1_ok up.sql "CREATE TABLE first (x INT);"
	# Latin-1 bytes: é as the single byte 0xE9, on line 3 (line 2 has a
	# real UTF-8 é, so character and byte counts differ before it).
	mkdir -p "$M/2_latin1"
	printf 'CREATE TABLE second (x INT);\n-- \303\251t\303\251\nCOMMENT ON TABLE second IS \047caf\351\047;\nSELECT 1 FROM;\n' \
		>"$M/2_latin1/up.sql"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: a file that is not UTF-8"
	has "2_latin1/up.sql:3: error: not valid UTF-8 (byte 0xE9)" "$ERR" \
		"postgres: the line of the first invalid byte, before any parse error"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 'first'")" \
		0 "postgres: nothing ran"
	# A sequence cut short by the end of a line names that line, and an
	# overlong form or a surrogate is no UTF-8 either.
	printf 'SELECT 1;\nSELECT 2;\nSELECT \342\202\n;\n' >"$M/2_latin1/up.sql"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: a truncated UTF-8 sequence"
	has "2_latin1/up.sql:3: error: not valid UTF-8 (byte 0xE2)" "$ERR" \
		"postgres: the truncated sequence's line"
	printf 'SELECT \300\257;\n' >"$M/2_latin1/up.sql"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: an overlong form"
	has "2_latin1/up.sql:1: error: not valid UTF-8 (byte 0xC0)" "$ERR" \
		"postgres: overlong forms are refused"
	printf 'SELECT 1;\nSELECT \355\240\200;\n' >"$M/2_latin1/up.sql"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: an encoded surrogate"
	has "2_latin1/up.sql:2: error: not valid UTF-8 (byte 0xED)" "$ERR" \
		"postgres: surrogates are refused"
	# Four-byte characters are fine.
	printf 'SELECT \047\360\237\230\200\047;\n' >"$M/2_latin1/up.sql"
	strata --dir "$M" --url "$U" plan
	expect_rc 0 "postgres: a four-byte character is valid UTF-8"
}

psql_input() {
	db_new postgres || return
	U=$DBURL
	M=$T_TMP/psql
	mig "$M" 1_meta up.sql "CREATE TABLE t (a INT, b TEXT);
  \\set ON_ERROR_STOP on
SELECT 1;"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: a psql meta-command"
	has "1_meta/up.sql:2: error: syntax error at or near \"\\\"" "$ERR" \
		"postgres: the meta-command's line"
	has "parser); psql meta-commands are not SQL" "$ERR" \
		"postgres: and why, after the parser's message"
	lacks "COPY" "$ERR" "postgres: no COPY hint without COPY"
	mig "$M" 1_meta up.sql "CREATE TABLE t (a INT, b TEXT);
-- a ; comment
COPY t (a, b) FROM stdin;
1	it's here
2	x
\\.
SELECT 1;"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: COPY ... FROM stdin with data"
	has "1_meta/up.sql:4: error: syntax error at or near \"1\"" "$ERR" \
		"postgres: the first data line"
	has "parser); COPY ... FROM stdin data cannot be in a migration" "$ERR" \
		"postgres: and why"
	lacks "meta-commands" "$ERR" "postgres: no meta-command hint on a data line"
	mig "$M" 1_meta up.sql "COPY t FROM stdin oops;"
	strata --dir "$M" --url "$U" plan
	expect_rc 2 "postgres: an error inside a COPY statement"
	lacks "stdin data" "$ERR" "postgres: no COPY hint for the COPY statement itself"
	# COPY from a file, or to stdout, is no reason.
	mig "$M" 1_meta up.sql "COPY t FROM '/tmp/x';
COPY t TO stdout;
SELECT 1 FROM;"
	strata --dir "$M" --url "$U" up
	expect_rc 2 "postgres: an error after other COPY statements"
	has "1_meta/up.sql:3: error: syntax error at or near \";\"" "$ERR" \
		"postgres: the plain error"
	lacks "COPY" "$ERR" "postgres: no COPY hint for COPY FROM a file or TO stdout"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 't'")" \
		0 "postgres: nothing ran"
}

for e in $(engines); do
	case $e in
	missing-postgres) ok 1 "PostgreSQL server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	postgres)
		atomic
		syntax_error
		not_utf8
		psql_input
		;;
	esac
done

done_testing
