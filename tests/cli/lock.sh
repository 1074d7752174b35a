#!/bin/sh
# The PostgreSQL migration lock cannot vanish silently: idle timeouts set by
# init_sql do not end it, and a lock session killed during a run stops
# strata (exit 1) before anything else is committed or applied.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

# The backend holding the strata advisory lock on database $1.
lock_holders() {
	# shellcheck disable=SC2086
	$STRATA_TEST_PG_ADMIN -d postgres -At -c "SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database =
		(SELECT oid FROM pg_database WHERE datname = '$1')"
}

# Wait up to 10 s until database $1 has a lock holder.
wait_holder() {
	i=0
	while [ -z "$(lock_holders "$1")" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
}

idle_timeouts() {
	db_new postgres || return
	U=$DBURL name=${DBURL##*/}
	M=$T_TMP/idle
	mig "$M" 1_slow up.sql "CREATE TABLE runs (n INT);
INSERT INTO runs VALUES (1);
SELECT pg_sleep(6);"
	export STRATA_INIT_SQL="SET idle_session_timeout = 2000; SET idle_in_transaction_session_timeout = 2000"
	"$STRATA_BIN" --dir "$M" --url "$U" up >"$T_TMP/first" 2>&1 &
	first=$!
	wait_holder "$name"
	# A patient one waits longer than the idle timeouts, then finds its
	# own (idle, closed) migration session replaced.
	"$STRATA_BIN" --dir "$M" --url "$U" --lock-timeout 30 up >"$T_TMP/patient" 2>&1 &
	patient=$!
	sleep 2.5 # past both idle timeouts
	strata --dir "$M" --url "$U" --lock-timeout 1 up
	expect_rc 4 "postgres: a second strata waits for the lock and gives up"
	has "another strata is migrating" "$ERR" "postgres: says another strata is migrating"
	wait "$first"
	is "$?" 0 "postgres: the first strata completes despite 2 s idle timeouts"
	wait "$patient"
	is "$?" 0 "postgres: one that waited out the idle timeouts succeeds"
	has "database is up to date" "$(cat "$T_TMP/patient")" \
		"postgres: and finds nothing left to do"
	unset STRATA_INIT_SQL
	is "$(db_query postgres "$U" "SELECT count(*) FROM runs")" 1 \
		"postgres: the migration ran once"
	is "$(db_query postgres "$U" "SELECT version, status FROM strata_migrations" | tr '\t' '|')" \
		"1|applied" "postgres: recorded applied once"
	is "$(lock_holders "$name")" "" "postgres: no lock left behind"
}

# Terminate the lock session while migration 1 sleeps; $2: its directive.
lost_lock() { # WHAT DIRECTIVE WANT_TABLE_A WANT_HISTORY MESSAGE
	db_new postgres || return
	U=$DBURL name=${DBURL##*/}
	M=$T_TMP/lost_$1
	mig "$M" 1_slow up.sql "$2
CREATE TABLE a (x INT);
SELECT pg_sleep(3);"
	mig "$M" 2_next up.sql "CREATE TABLE b (x INT);"
	"$STRATA_BIN" --dir "$M" --url "$U" up >"$T_TMP/out_$1" 2>&1 &
	run=$!
	wait_holder "$name"
	sleep 0.5
	# shellcheck disable=SC2086
	$STRATA_TEST_PG_ADMIN -d postgres -At -c "SELECT pg_terminate_backend(pid)
		FROM pg_locks WHERE locktype = 'advisory' AND granted AND database =
		(SELECT oid FROM pg_database WHERE datname = '$name')" >/dev/null
	wait "$run"
	RC=$? OUT=$(cat "$T_TMP/out_$1") ERR=$OUT
	expect_rc 1 "postgres $1: a lost lock stops the run"
	has "lost the migration lock on postgres://strata:***@" "$OUT" \
		"postgres $1: says the lock was lost, target redacted"
	has "$5; another strata may be migrating now" "$OUT" \
		"postgres $1: says where it stopped"
	lacks "strata-secret" "$OUT" "postgres $1: no password in the message"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 'a'")" \
		"$3" "postgres $1: migration 1 as expected"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename = 'b'")" \
		0 "postgres $1: migration 2 not applied"
	is "$(db_query postgres "$U" "SELECT version || ':' || status FROM strata_migrations ORDER BY 1" | tr '\n' ' ')" \
		"$4" "postgres $1: history as expected"
}

for e in $(engines); do
	case $e in
	missing-postgres) ok 1 "PostgreSQL server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	postgres)
		idle_timeouts
		lost_lock tx "" 0 "" "rolled back instead of committing 1_slow"
		lost_lock notx "-- strata:no-transaction" 1 "1:applied " \
			"stopped before applying 2_next"
		;;
	esac
done

done_testing
