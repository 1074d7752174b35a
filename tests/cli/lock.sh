#!/bin/sh
# The PostgreSQL migration lock cannot vanish silently: idle timeouts set by
# init_sql do not end it, and a lock session killed during a run stops
# strata (exit 1) before anything else is committed or applied.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

# Migrations block on the gate: advisory lock $GATE, held by a psql
# session of the test database until the test releases it.
GATE=4242
GATE_SQL="SELECT pg_advisory_xact_lock($GATE);"

# psql as admin on database $1.
pg() { # DB SQL
	# shellcheck disable=SC2086
	$STRATA_TEST_PG_ADMIN -d "$1" -At -c "$2"
}

# The backend holding the strata advisory lock on database $1 (a bigint
# key is classid, objid and objsubid 1; the gate's is not strata's).
lock_holders() {
	pg postgres "SELECT pid FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database =
		(SELECT oid FROM pg_database WHERE datname = '$1')
		AND NOT (classid = 0 AND objid = $GATE AND objsubid = 1)"
}

# Close the gate on database $1: wait until its psql session holds it.
gate_close() {
	# shellcheck disable=SC2086
	gate_hold pg "SELECT pg_advisory_lock($GATE);" \
		"SELECT pg_advisory_unlock($GATE);" $STRATA_TEST_PG_ADMIN -d "$1"
	wait_for "the gate" gate_closed "$1"
}
gate_closed() {
	[ "$(pg postgres "SELECT count(*) FROM pg_locks WHERE locktype =
		'advisory' AND granted AND classid = 0 AND objid = $GATE AND
		objsubid = 1 AND database =
		(SELECT oid FROM pg_database WHERE datname = '$1')")" = 1 ]
}
# A strata session of database $1 waits at the gate.
at_gate() {
	[ "$(pg postgres "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND application_name = 'strata'
		AND wait_event_type = 'Lock' AND wait_event = 'advisory'")" = 1 ]
}
# Database $1 has at least $2 strata sessions.
sessions_at_least() {
	[ "$(pg postgres "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$1' AND application_name = 'strata'")" -ge "$2" ]
}

idle_timeouts() {
	db_new postgres || return
	U=$DBURL name=${DBURL##*/}
	M=$T_TMP/idle
	mig "$M" 1_slow up.sql "CREATE TABLE runs (n INT);
INSERT INTO runs VALUES (1);
$GATE_SQL"
	export STRATA_INIT_SQL="SET idle_session_timeout = 2000; SET idle_in_transaction_session_timeout = 2000"
	gate_close "$name"
	timeout 120 "$STRATA_BIN" --dir "$M" --url "$U" up >"$T_TMP/first" 2>&1 &
	first=$!
	wait_for "the first strata at the gate" at_gate "$name"
	ok $? "postgres: the first strata takes the lock and runs the migration"
	# A patient one waits longer than the idle timeouts, then finds its
	# own (idle, closed) migration session replaced.
	n=$(pg postgres "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$name' AND application_name = 'strata'")
	timeout 120 "$STRATA_BIN" --dir "$M" --url "$U" --lock-timeout 60 up >"$T_TMP/patient" 2>&1 &
	patient=$!
	wait_for "the patient strata" sessions_at_least "$name" $((n + 1))
	sleep 3 # past both idle timeouts
	strata --dir "$M" --url "$U" --lock-timeout 1 up
	expect_rc 4 "postgres: a second strata waits for the lock and gives up"
	has "another strata is migrating" "$ERR" "postgres: says another strata is migrating"
	gate_release pg
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
lost_lock() { # WHAT DIRECTIVE WANT_TABLE_A WANT_HISTORY MESSAGE [UP_OPTION]
	db_new postgres || return
	U=$DBURL name=${DBURL##*/}
	M=$T_TMP/lost_$1
	mig "$M" 1_slow up.sql "$2
CREATE TABLE a (x INT);
$GATE_SQL"
	mig "$M" 2_next up.sql "CREATE TABLE b (x INT);"
	gate_close "$name"
	timeout 120 "$STRATA_BIN" --dir "$M" --url "$U" up ${6:-} >"$T_TMP/out_$1" 2>&1 &
	run=$!
	wait_for "strata at the gate" at_gate "$name"
	ok $? "postgres $1: strata takes the lock and runs migration 1"
	pg postgres "SELECT pg_terminate_backend(pid) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND database =
		(SELECT oid FROM pg_database WHERE datname = '$name')
		AND NOT (classid = 0 AND objid = $GATE AND objsubid = 1)" >/dev/null
	gate_release pg
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

# The migration itself ends the lock session, waiting until it is gone:
# the lock session answered just before the migration began, so only the
# check that goes with its COMMIT (driver lock_guard, or lock_check when
# the migration took over a second) stands between it and a commit.
lost_inside() {
	db_new postgres || return
	U=$DBURL
	M=$T_TMP/lost_inside
	mig "$M" 1_kill up.sql "CREATE TABLE a (x INT);
SELECT pg_terminate_backend(pid, 10000) FROM pg_locks
WHERE locktype = 'advisory' AND granted AND pid <> pg_backend_pid()
AND database = (SELECT oid FROM pg_database WHERE datname = current_database());"
	mig "$M" 2_next up.sql "CREATE TABLE b (x INT);"
	strata --dir "$M" --url "$U" up
	expect_rc 1 "postgres inside: a lock lost inside the migration stops the run"
	has "lost the migration lock on postgres://strata:***@" "$ERR" \
		"postgres inside: says the lock was lost"
	has "rolled back instead of committing 1_kill" "$ERR" \
		"postgres inside: at the migration's commit"
	is "$(db_query postgres "$U" "SELECT count(*) FROM pg_tables WHERE tablename IN ('a', 'b')")" \
		0 "postgres inside: the migration rolled back, the next not run"
	is "$(db_query postgres "$U" "SELECT count(*) FROM strata_migrations")" \
		0 "postgres inside: nothing recorded"
	strata --dir "$M" --url "$U" status
	has "2 pending" "$OUT" "postgres inside: both still pending"
}

for e in $(engines); do
	case $e in
	missing-postgres) ok 1 "PostgreSQL server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	postgres)
		idle_timeouts
		lost_inside
		lost_lock tx "" 0 "" "rolled back instead of committing 1_slow"
		# Between migrations the check only keeps the session alive
		# (once a second), so the loss is found before migration 2 or
		# before the commit, by timing; nothing is committed either way.
		lost_lock single "" 0 "" "" --single-transaction
		lost_lock notx "-- strata:no-transaction" 1 "1:applied " \
			"stopped before applying 2_next"
		;;
	esac
done

done_testing
