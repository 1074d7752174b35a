#!/bin/sh
# PostgreSQL: where the history table is found and what introspection
# keeps to. A migration creating the schema that "$user" in the default
# search_path names must not move the history (it is found where it is);
# a qualified table keeps introspection to its schema after a migration's
# SET search_path (no false drift); and the migration session has no idle
# timeout (idle_session_timeout, PostgreSQL 14+) whatever init_sql set.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

user_schema() {
	db_new postgres || return
	U=$DBURL
	role=${STRATA_TEST_PG_URL#*://}
	role=${role%%[:@]*}
	M=$T_TMP/user
	mig "$M" 1_schema up.sql "CREATE SCHEMA $role AUTHORIZATION $role;"
	mig "$M" 2_t up.sql "CREATE TABLE public.t (x INT);"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "postgres: up creating the schema \"\$user\" names"
	is "$(db_query postgres "$U" "SELECT schemaname FROM pg_tables WHERE tablename = 'strata_migrations'")" \
		public "postgres: history in public"
	strata --dir "$M" --url "$U" status --exit-code
	expect_rc 0 "postgres: the next run finds the history in public"
	has "2 applied" "$OUT" "postgres: both migrations applied"
	has "0 pending" "$OUT" "postgres: nothing pending"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "postgres: up again"
	lacks "applied" "$OUT" "postgres: applies nothing again"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 'strata_migrations'")" \
		1 "postgres: no second history table"
	# A new database with that schema already there: created where
	# current_schema() points, and found there again.
	db_new postgres || return
	U2=$DBURL
	db_query postgres "$U2" "CREATE SCHEMA $role AUTHORIZATION $role" >/dev/null
	mig "$T_TMP/user2" 1_t up.sql "CREATE TABLE t (x INT);"
	strata --dir "$T_TMP/user2" --url "$U2" up
	expect_rc 0 "postgres: up with the \$user schema present"
	is "$(db_query postgres "$U2" "SELECT schemaname FROM pg_tables WHERE tablename = 'strata_migrations'")" \
		"$role" "postgres: history in the \$user schema, as current_schema() says"
	strata --dir "$T_TMP/user2" --url "$U2" status --exit-code
	expect_rc 0 "postgres: and found there again"
}

qualified_table() {
	db_new postgres || return
	U=$DBURL
	db_query postgres "$U" "CREATE SCHEMA other AUTHORIZATION strata" >/dev/null
	M=$T_TMP/qual
	mig "$M" 1_p up.sql "CREATE TABLE p (x INT);"
	mig "$M" 2_move up.sql "-- strata:no-transaction
SET search_path = other;
CREATE TABLE o (x INT);"
	strata --dir "$M" --url "$U" --table public.strata_migrations up
	expect_rc 0 "postgres: up with a qualified table and SET search_path"
	strata --dir "$M" --url "$U" --table public.strata_migrations status --exit-code
	expect_rc 0 "postgres: status is clean"
	lacks "schema changed outside strata" "$OUT" "postgres: no false drift with a qualified table"
	# A table qualified with another schema: introspection keeps to it.
	mig "$T_TMP/qual2" 1_o up.sql "CREATE TABLE other.q (x INT);"
	strata --dir "$T_TMP/qual2" --url "$U" --table other.hist up
	expect_rc 0 "postgres: up with the table in another schema"
	db_query postgres "$U" "CREATE TABLE public.unrelated (x INT)" >/dev/null
	strata --dir "$T_TMP/qual2" --url "$U" --table other.hist status --exit-code
	expect_rc 0 "postgres: a change in public is no drift of schema other"
	lacks "schema changed outside strata" "$OUT" "postgres: introspection keeps to the table's schema"
}

idle_timeout() {
	db_new postgres || return
	U=$DBURL
	if [ "$(db_query postgres "$U" "SHOW server_version_num")" -lt 140000 ]; then
		ok 0 "postgres: no idle_session_timeout before 14 # SKIP"
		return
	fi
	mig "$T_TMP/idle" 1_t up.sql "CREATE TABLE t AS SELECT current_setting('idle_session_timeout') AS v;"
	STRATA_INIT_SQL="SET idle_session_timeout = '2s'" strata --dir "$T_TMP/idle" --url "$U" up
	expect_rc 0 "postgres: up with init_sql setting idle_session_timeout"
	is "$(db_query postgres "$U" "SELECT v FROM t")" 0 \
		"postgres: the migration session runs with no idle timeout"
}

for e in $(engines); do
	case $e in
	missing-postgres) ok 1 "PostgreSQL server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	postgres)
		user_schema
		qualified_table
		idle_timeout
		;;
	esac
done

done_testing
