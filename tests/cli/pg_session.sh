#!/bin/sh
# PostgreSQL sessions: the history table is pinned to the schema it had at
# connect time (a migration's SET search_path cannot move it), an empty
# search_path is a configuration error, and so are unknown URL parameters
# and bad sslmode values (exit 2, not 1). A migration's first statement
# goes out behind its BEGIN, in one round trip: it is still the
# transaction's first, its errors point into it, and a failure leaves
# nothing behind.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

pinned_history() {
	db_new postgres || return
	U=$DBURL
	db_query postgres "$U" "CREATE SCHEMA other AUTHORIZATION strata" >/dev/null
	M=$T_TMP/pin
	mig "$M" 1_move up.sql "-- strata:no-transaction
SET search_path = other;
CREATE TABLE t1 (x INT);"
	mig "$M" 2_after up.sql "CREATE TABLE t2 (x INT);"
	mig "$M" 3_tx up.sql "SET search_path = other, public;
CREATE TABLE t3 (x INT);"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "postgres: up with a migration that changes search_path"
	is "$(db_query postgres "$U" "SELECT version || ':' || status FROM public.strata_migrations ORDER BY 1" | tr '\n' ' ')" \
		"1:applied 2:applied 3:applied " "postgres: every history row in public"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 'strata_migrations'")" \
		1 "postgres: one history table only"
	is "$(db_query postgres "$U" "SELECT schemaname FROM pg_tables WHERE tablename = 't2'")" \
		other "postgres: the later migration did run in the changed search_path"
	strata --dir "$M" --url "$U" status --exit-code
	expect_rc 0 "postgres: status is up to date"
	has "3 applied" "$OUT" "postgres: status finds the three rows"
	has "0 pending" "$OUT" "postgres: nothing pending"
	lacks "schema changed outside strata" "$OUT" "postgres: no false drift"

	# The schema is resolved after init_sql: init_sql can choose it.
	db_query postgres "$U" "CREATE SCHEMA hist AUTHORIZATION strata" >/dev/null
	mig "$T_TMP/pin2" 1_one up.sql "CREATE TABLE public.p1 (x INT);"
	STRATA_INIT_SQL="SET search_path = hist" strata --dir "$T_TMP/pin2" --url "$U" --table h up
	expect_rc 0 "postgres: up with init_sql choosing the schema"
	is "$(db_query postgres "$U" "SELECT schemaname FROM pg_tables WHERE tablename = 'h'")" \
		hist "postgres: history table created in init_sql's schema"

	# No schema at all: say so, exit 2.
	STRATA_INIT_SQL="SET search_path = ''" strata --dir "$M" --url "$U" status
	expect_rc 2 "postgres: an empty search_path is a configuration error"
	has "search_path" "$ERR" "postgres: names search_path"
	lacks "strata-secret" "$ERR" "postgres: no password in the message"
	STRATA_INIT_SQL="SET search_path = ''" strata --dir "$M" --url "$U" \
		--table public.strata_migrations status
	expect_rc 0 "postgres: a qualified table needs no search_path"
	has "3 applied" "$OUT" "postgres: and finds the history"
}

config_errors() {
	strata --dir "$T_TMP/pin" --url "${U}?nosuchparam=1" status
	expect_rc 2 "postgres: unknown URL parameter"
	has 'unknown connection parameter "nosuchparam"' "$ERR" "postgres: names the parameter"
	strata --dir "$T_TMP/pin" --url "${U}?sslmode=sometimes" status
	expect_rc 2 "postgres: bad sslmode"
	has 'invalid sslmode "sometimes"' "$ERR" "postgres: names the sslmode value"
	lacks "strata-secret" "$ERR" "postgres: no password in the message"
	strata --dir "$T_TMP/pin" --url "${U}?sslmode=disable" status
	expect_rc 0 "postgres: a valid sslmode is accepted"
}

first_statement() {
	db_new postgres || return
	M=$T_TMP/first
	mig "$M" 1_iso up.sql "SET TRANSACTION ISOLATION LEVEL SERIALIZABLE;
CREATE TABLE iso AS SELECT current_setting('transaction_isolation') AS level;"
	mig "$M" 2_bad up.sql "SELECT id FROM missing_tbl;
CREATE TABLE never (x INT);"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 1 "postgres: a failing first statement fails the run"
	is "$(db_query postgres "$DBURL" "SELECT level FROM iso")" serializable \
		"postgres: SET TRANSACTION is still the transaction's first statement"
	has "2_bad/up.sql:1: error: applying 2_bad: statement 1 of 2 failed: relation \"missing_tbl\" does not exist at character 16 (SQLSTATE 42P01)" \
		"$ERR" "postgres: the error's position counts from the statement"
	lacks "no transaction in progress" "$OUT$ERR" "postgres: no stray warning"
	is "$(db_query postgres "$DBURL" "SELECT version || ':' || status FROM strata_migrations ORDER BY 1" | tr '\n' ' ')" \
		"1:applied " "postgres: the failed migration is not recorded"
	is "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_tables WHERE tablename = 'never'")" \
		0 "postgres: nor anything of it kept"
	# A migration with no statement commits its row with the BEGIN.
	mig "$M" 2_bad up.sql "-- strata:empty"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "postgres: an empty migration"
	is "$(db_query postgres "$DBURL" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" \
		2 "postgres: recorded"
}

for e in $(engines); do
	case $e in
	missing-postgres) ok 1 "PostgreSQL server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	postgres)
		pinned_history
		config_errors
		first_statement
		;;
	esac
done

done_testing
