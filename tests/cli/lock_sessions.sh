#!/bin/sh
# The lock sessions of each driver against what can end or starve them:
# behind transaction-pooling pgbouncer only the holder keeps a server
# connection in a transaction while others wait (PostgreSQL); a statement
# time limit from init_sql does not cut the GET_LOCK wait short (MariaDB
# max_statement_time); and a sidecar lock file replaced while held is a
# lost lock (SQLite).
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

# wait_for SECONDS COMMAND...: polls COMMAND every 0.1 s; 1 on time out.
wait_for() {
	n=$(($1 * 10))
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

pg_pooled_waiters() {
	if [ -z "${STRATA_TEST_PGBOUNCER_URL:-}" ]; then
		ok 1 "pgbouncer required (STRATA_TEST_PGBOUNCER_URL)"
		return
	fi
	db_new postgres || return
	name=${DBURL##*/}
	P="${STRATA_TEST_PGBOUNCER_URL%/*}/$name"
	M=$T_TMP/pgb
	# The holder's migration waits at a gate (advisory lock $gate, held by
	# a psql session) until the test has looked at the waiters.
	gate=4243
	mig "$M" 1_slow up.sql "SELECT pg_advisory_xact_lock($gate);"
	gate_closed() {
		[ "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_locks
			WHERE locktype = 'advisory' AND granted AND classid = 0
			AND objid = $gate AND objsubid = 1 AND database =
			(SELECT oid FROM pg_database WHERE datname = current_database())")" = 1 ]
	}
	# shellcheck disable=SC2086
	gate_hold pg "SELECT pg_advisory_lock($gate);" \
		"SELECT pg_advisory_unlock($gate);" $STRATA_TEST_PG_ADMIN -d "$name"
	wait_for 60 gate_closed || echo "# gave up waiting for the gate"
	"$STRATA_BIN" --dir "$M" --url "$P" up >holder.out 2>&1 &
	holder=$!
	at_gate() {
		[ "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND wait_event_type = 'Lock'
			AND wait_event = 'advisory'")" = 1 ]
	}
	wait_for 60 at_gate
	ok $? "postgres: the holder is migrating through pgbouncer"
	for i in 1 2 3; do
		"$STRATA_BIN" --dir "$M" --url "$P" --lock-timeout 30 up >"waiter.$i" 2>&1 &
		eval "w$i=\$!"
	done
	sleep 2.5
	# The holder's lock and migration transactions; no waiter's.
	is "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_stat_activity
		WHERE datname = '$name' AND xact_start < now() - interval '1 second'")" \
		2 "postgres: waiters hold no transaction (server connection) between attempts"
	gate_release pg
	# shellcheck disable=SC2154
	wait "$holder" && wait "$w1" && wait "$w2" && wait "$w3"
	ok $? "postgres: holder and waiters all succeed"
	is "$(cat holder.out waiter.* | grep -c '^applied')" 1 "postgres: the migration ran once"
}

my_statement_limit() {
	db_new mysql || return
	name=${DBURL##*/}
	lname="strata:$name.strata_migrations"
	M=$T_TMP/my
	mig "$M" 1_t up.sql "CREATE TABLE t (x INT);"
	held() {
		[ "$($STRATA_TEST_MY_ADMIN -N -B -e "SELECT IS_USED_LOCK('$lname') IS NOT NULL")" = 1 ]
	}
	# strata waits for the lock in a GET_LOCK.
	waiting() {
		[ "$($STRATA_TEST_MY_ADMIN -N -B -e "SELECT count(*) FROM information_schema.PROCESSLIST
			WHERE DB = '$name' AND USER = 'strata' AND STATE = 'User lock'")" -ge 1 ]
	}
	# Another session holds the lock until the test lets it go.
	# shellcheck disable=SC2086
	gate_hold other "SELECT GET_LOCK('$lname', 0);" \
		"SELECT RELEASE_LOCK('$lname');" $STRATA_TEST_MY_ADMIN
	wait_for 60 held
	ok $? "mysql: another session holds strata's lock"
	STRATA_INIT_SQL="SET SESSION max_statement_time = 1" \
		strata --dir "$M" --url "$DBURL" --lock-timeout 2 up
	expect_rc 4 "mysql: with max_statement_time = 1 a lock wait still times out as such"
	has "another strata is migrating" "$ERR" "mysql: says the lock is taken"
	# Released only once the next one has waited past max_statement_time.
	(
		wait_for 60 waiting || echo "# gave up waiting for strata in GET_LOCK"
		sleep 2
		gate_release other
	) &
	releaser=$!
	STRATA_INIT_SQL="SET SESSION max_statement_time = 1" \
		strata --dir "$M" --url "$DBURL" --lock-timeout 30 up
	expect_rc 0 "mysql: and waits past max_statement_time for the lock"
	has "applied" "$OUT" "mysql: then migrates"
	wait "$releaser"
	gate_release other
}

sqlite_sidecar_replaced() {
	db_new sqlite || return
	db=${DBURL#sqlite:}
	side=$db-strata-lock
	sqlite3 "$db" "CREATE TABLE busy (x INT)"
	M=$T_TMP/sq
	mig "$M" 1_t up.sql "CREATE TABLE t (x INT);"
	# Another writer makes strata wait, holding the lock, until the test
	# lets it go.
	gate_hold writer "BEGIN IMMEDIATE;
INSERT INTO busy VALUES (1);" "COMMIT;" sqlite3 -cmd ".timeout 60000" "$db"
	wait_for 60 sqlite_locked "$db"
	ok $? "sqlite: another writer holds the database"
	"$STRATA_BIN" --dir "$M" --url "$DBURL?busy_timeout=30000" up >sq.out 2>sq.err &
	victim=$!
	wait_for 60 sqlite_locked "$side"
	ok $? "sqlite: strata created its lock file"
	mv "$side" "$side.old" && : >"$side"
	gate_release writer
	wait "$victim"
	# shellcheck disable=SC2034 # read by expect_rc and ok
	RC=$? OUT=$(cat sq.out) ERR=$(cat sq.err)
	expect_rc 1 "sqlite: a replaced lock file stops the run"
	has "lost the migration lock" "$ERR" "sqlite: says the lock was lost"
	has "was replaced" "$ERR" "sqlite: says why"
	is "$(sqlite3 "$db" "SELECT count(*) FROM sqlite_master WHERE name = 't'")" 0 \
		"sqlite: nothing was migrated"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "sqlite: a new run migrates"
}

for e in $(engines); do
	case $e in
	missing-*) ok 1 "${e#missing-} server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	sqlite) sqlite_sidecar_replaced ;;
	postgres) pg_pooled_waiters ;;
	mysql) my_statement_limit ;;
	esac
done

done_testing
