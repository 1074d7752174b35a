#!/bin/sh
# The MySQL driver's lock on a 3-node MariaDB Galera cluster
# (tests/galera.sh, through tests/servers.sh): GET_LOCK is local to one
# node, so strata locks with a certified write of a row in
# <history>_lock. Deployers spread over the nodes apply each migration
# once and all exit 0; a held lock makes a waiter on another node time out
# (exit 4); a holder that keeps beating is never taken over; one killed
# with SIGKILL is, once its heartbeat is stale.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

if [ -z "${STRATA_TEST_GALERA_URL1:-}" ]; then
	if [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
		ok 1 "Galera cluster required (STRATA_TEST_REQUIRE_SERVERS=1)"
		done_testing
	fi
	skip_all "no Galera cluster (tests/servers.sh with galera)"
fi

DB=t_galera_$$_$T_DBTAG
# shellcheck disable=SC2086
g_cleanup() {
	# A churn loop still running (the test stopped early) ends first.
	if [ -n "${g_churn:-}" ]; then
		: >"$T_TMP/churn.stop"
		wait "$g_churn" 2>/dev/null
	fi
	$STRATA_TEST_GALERA_ADMIN1 -e "DROP DATABASE IF EXISTS $DB; DROP DATABASE IF EXISTS ${DB}_churn" >/dev/null 2>&1
}
trap 'g_cleanup; t_cleanup' EXIT
trap 'exit 1' INT TERM HUP # the EXIT trap then stops the churn below
# shellcheck disable=SC2086
$STRATA_TEST_GALERA_ADMIN1 -e "CREATE DATABASE $DB" || exit 1
U1=${STRATA_TEST_GALERA_URL1%/*}/$DB
U2=${STRATA_TEST_GALERA_URL2%/*}/$DB
U3=${STRATA_TEST_GALERA_URL3%/*}/$DB

# node N SQL: rows from node N, tab-separated.
node() {
	eval "g_admin=\$STRATA_TEST_GALERA_ADMIN$1"
	# shellcheck disable=SC2086
	# What another node committed is there before the read.
	$g_admin -N -B -D "$DB" -e "SET SESSION wsrep_sync_wait = 1; $2"
}
holder() { node "$1" "SELECT COALESCE(holder, '-') FROM strata_migrations_lock"; }
held() { [ "$(holder 1)" != - ] && [ -n "$(holder 1)" ]; }
# history N: "version:status ..." on node N.
history() {
	node "$1" "SELECT CONCAT(version, ':', status) FROM strata_migrations
		ORDER BY version + 0" | tr '\n' ' '
}

M=$T_TMP/m
mig "$T_TMP/m1" 1_counter up.sql "CREATE TABLE counter (v INT);"
mig "$M" 1_counter up.sql "CREATE TABLE counter (v INT);"
mig "$M" 2_t up.sql "CREATE TABLE t (x INT);"
# Not idempotent: applied twice, it shows.
mig "$M" 3_data up.sql "SELECT SLEEP(0.3);
INSERT INTO counter VALUES (3);"
mig "$M" 4_u up.sql "CREATE TABLE u (x INT);
ALTER TABLE t ADD COLUMN y INT;"
mig "$M" 5_data up.sql "INSERT INTO counter VALUES (5);
SELECT SLEEP(0.2);"

# 8 deployers, round-robin over the nodes.
i=0 pids=""
for u in "$U1" "$U2" "$U3" "$U1" "$U2" "$U3" "$U1" "$U2"; do
	"$STRATA_BIN" --dir "$M" --url "$u" up >"$T_TMP/o.$i" 2>&1 &
	pids="$pids $!"
	i=$((i + 1))
done
FAILS=0
for pid in $pids; do wait "$pid" || FAILS=$((FAILS + 1)); done
is "$FAILS" 0 "8 concurrent up over 3 nodes all exit 0"
[ "$FAILS" -eq 0 ] || sed 's/^/#   /' "$T_TMP"/o.*
is "$(cat "$T_TMP"/o.* | grep -c '^applied')" 5 "five 'applied' lines in all"
for n in 1 2 3; do
	is "$(history $n)" "1:applied 2:applied 3:applied 4:applied 5:applied " \
		"node $n: each migration recorded applied once"
	is "$(node $n "SELECT GROUP_CONCAT(v ORDER BY v) FROM counter")" "3,5" \
		"node $n: each data migration ran exactly once"
done
is "$(holder 2)" - "the lock row is free again"
strata --dir "$M" --url "$U3" status --exit-code
expect_rc 0 "the lock table is not drift"
lacks "_lock" "$OUT" "status does not mention the lock table"
strata --dir "$M" --url "$U2" dump
lacks "strata_migrations_lock" "$OUT" "dump leaves the lock table out"

# A lock held from outside (a fresh heartbeat): a deployer on another node
# waits and gives up with exit 4.
mig "$M" 6_more up.sql "INSERT INTO counter VALUES (6);"
node 1 "UPDATE strata_migrations_lock SET holder = 'test holder',
	since = UTC_TIMESTAMP(6), heartbeat = UTC_TIMESTAMP(6), stale = 60"
start=$(date +%s)
strata --dir "$M" --url "$U2" --lock-timeout 1 up
end=$(date +%s)
expect_rc 4 "a held lock times out on another node"
has "another strata is migrating mysql://strata:***@127.0.0.1:" "$ERR" \
	"says another strata is migrating"
[ $((end - start)) -le 6 ]
ok $? "gave up in about a second ($((end - start)) s)"
is "$(node 3 "SELECT COUNT(*) FROM counter")" 2 "nothing applied meanwhile"
is "$(holder 3)" "test holder" "the holder's row is left alone"

# The same holder, silent for 10 s: its own interval (60 s) decides, not
# a waiter's shorter lock_stale.
node 1 "UPDATE strata_migrations_lock SET heartbeat = UTC_TIMESTAMP(6) - INTERVAL 10 SECOND"
strata --dir "$M" --url "$U3?lock_stale=5" --lock-timeout 1 up
expect_rc 4 "a waiter's shorter lock_stale does not take over a holder beating on a longer one"
is "$(holder 2)" "test holder" "the row is still the holder's"

# Silent for 10 s with its own interval of 5 s: taken over.
node 1 "UPDATE strata_migrations_lock SET stale = 5"
strata --dir "$M" --url "$U3?lock_stale=5" --lock-timeout 10 up
expect_rc 0 "a stale holder is taken over"
is "$(node 2 "SELECT GROUP_CONCAT(v ORDER BY v) FROM counter")" "3,5,6" \
	"the next migration ran once"
is "$(holder 1)" - "and the lock was released"

# A live holder beats while a migration runs longer than the stale
# interval: a waiter on another node does not take over, waits, and
# finds nothing left to do.
mig "$M" 7_slow up.sql "SELECT SLEEP(4);
INSERT INTO counter VALUES (7);"
"$STRATA_BIN" --dir "$M" --url "$U1?lock_stale=2" up >"$T_TMP/slow" 2>&1 &
slow=$!
wait_for "the slow migration to hold the lock" held ||
	{ ok 1 "the slow migration took the lock"; done_testing; }
strata --dir "$M" --url "$U2?lock_stale=2" --lock-timeout 30 up
expect_rc 0 "a waiter behind a live holder succeeds"
has "database is up to date" "$OUT" "and finds nothing left to do"
wait "$slow"
is "$?" 0 "the slow holder was never taken over"
is "$(node 3 "SELECT COUNT(*) FROM counter WHERE v = 7")" 1 \
	"the slow migration ran once"

# A holder killed with SIGKILL: no session of its own frees the row, its
# heartbeat goes stale and a deployer on another node takes over; it finds
# the killed run's migration half-done and says so (exit 1, not 4).
mig "$M" 8_killed up.sql "SELECT SLEEP(30);
INSERT INTO counter VALUES (8);"
"$STRATA_BIN" --dir "$M" --url "$U1?lock_stale=2" up >"$T_TMP/killed" 2>&1 &
victim=$!
running() { [ "$(node 1 "SELECT status FROM strata_migrations WHERE version = '8'")" = failed ]; }
wait_for "the victim to start migration 8" running ||
	{ ok 1 "the victim started migration 8"; done_testing; }
kill -9 "$victim"
wait "$victim" 2>/dev/null
held
ok $? "the killed holder's row stays behind"
is "$(holder 2)" "$(holder 1)" "the same on another node"
start=$(date +%s)
strata --dir "$M" --url "$U2?lock_stale=2" --lock-timeout 30 up
end=$(date +%s)
expect_rc 1 "taken over once stale, the half-done migration is reported"
has "strata resolve" "$ERR" "points to strata resolve"
[ $((end - start)) -le 15 ]
ok $? "took over within the stale interval and a little ($((end - start)) s)"
strata --dir "$M" --url "$U3?lock_stale=2" resolve 8 --rolled-back
expect_rc 0 "resolve takes the lock on a third node"
mig "$M" 8_killed up.sql "INSERT INTO counter VALUES (8);" # no sleep now
strata --dir "$M" --url "$U3?lock_stale=2" up
expect_rc 0 "and up completes"
for n in 1 2 3; do
	is "$(node $n "SELECT GROUP_CONCAT(v ORDER BY v) FROM counter")" \
		"3,5,6,7,8" "node $n: every data migration ran once"
done
is "$(holder 3)" - "the lock row is free at the end"

# The lock session killed during a run: the heartbeat fails, and strata
# stops before the next migration.
mig "$M" 9_sleep up.sql "SELECT SLEEP(3);"
mig "$M" 10_after up.sql "INSERT INTO counter VALUES (10);"
"$STRATA_BIN" --dir "$M" --url "$U2?lock_stale=2" up >"$T_TMP/lost" 2>&1 &
run=$!
sleeping() {
	[ -n "$(node 2 "SELECT ID FROM information_schema.PROCESSLIST
		WHERE DB = '$DB' AND INFO LIKE 'SELECT SLEEP(3)%'")" ]
}
wait_for "migration 9 to run" sleeping ||
	{ ok 1 "migration 9 ran"; done_testing; }
node 2 "SELECT ID FROM information_schema.PROCESSLIST WHERE DB = '$DB'
	AND USER = 'strata' AND COALESCE(INFO, '') NOT LIKE 'SELECT SLEEP%'" |
	while read -r id; do node 2 "KILL $id"; done
wait "$run"
RC=$? OUT=$(cat "$T_TMP/lost") ERR=$OUT
expect_rc 1 "a killed lock session stops the run"
has "lost the migration lock on mysql://strata:***@" "$OUT" "says the lock was lost"
has "stopped before applying 10_after" "$OUT" "says what was not run"
is "$(node 1 "SELECT COUNT(*) FROM counter WHERE v = 10")" 0 \
	"the next migration did not run"

# A replicated DDL aborts, on another node, any statement that holds one
# of its tables, with a deadlock error: a probe of the lock table while
# deployers starting together race to create it, and every read of
# information_schema (the linter's, the fingerprint's), which opens each
# table of the database. strata runs such a statement again when no
# transaction was open. Node 1 re-creates TABLE without pause while
# deployers on node 2 run `up` ARGS; none may report the deadlock.
CDB=${DB}_churn
CURL=${U2%/*}/$CDB
# shellcheck disable=SC2086
churn() {
	while [ -d "$T_TMP" ] && [ ! -e "$T_TMP/churn.stop" ]; do
		echo "CREATE TABLE IF NOT EXISTS $CDB.$1 (id TINYINT UNSIGNED NOT NULL
			PRIMARY KEY, holder VARCHAR(255) NULL, since DATETIME(6) NULL,
			heartbeat DATETIME(6) NULL, stale INT UNSIGNED NULL);
			DROP TABLE $CDB.$1;"
	done | $STRATA_TEST_GALERA_ADMIN1 -f >/dev/null 2>&1
}
# beside TABLE N WHAT: N runs of `up`, each with a new migration if WHAT
# is "new"; sets DEADLOCKS and FAILS (exits other than 0).
beside() {
	rm -f "$T_TMP/churn.stop"
	churn "$1" &
	g_churn=$!
	DEADLOCKS=0 FAILS=0 i=0
	while [ $i -lt "$2" ]; do
		[ "$3" = new ] && mig "$T_TMP/cm" "$((i + 1))_t$i" up.sql "CREATE TABLE t$i (x INT);"
		strata --dir "$T_TMP/cm" --url "$CURL" up
		[ "$RC" -eq 0 ] || FAILS=$((FAILS + 1))
		[ "$3" != new ] || [ "$RC" -eq 0 ] || printf '%s\n' "$ERR" | sed 's/^/# /'
		case $ERR in *Deadlock*)
			DEADLOCKS=$((DEADLOCKS + 1))
			printf '%s\n' "$ERR" | sed 's/^/# /' ;;
		esac
		i=$((i + 1))
	done
	: >"$T_TMP/churn.stop"
	wait "$g_churn"
	g_churn=""
	# Node 2 applies node 1's last DROP before the next caller's run.
	node 2 "SELECT 1" >/dev/null
}
node 1 "CREATE DATABASE $CDB"
mig "$T_TMP/cm" 0_t up.sql "CREATE TABLE t (x INT);"
# Most runs find the lock table dropped (exit 1); none may see the abort
# (about one in seventy did before the probe was retried).
beside strata_migrations_lock 150 same
is "$DEADLOCKS" 0 "150 locks beside a re-created lock table: no deadlock error"
# Every run applies one migration; lint and fingerprint read the schema
# (about one in fifty failed before those reads were retried).
beside app_table 100 new
is "$DEADLOCKS" 0 "100 migrations beside a re-created table: no deadlock error"
is "$FAILS" 0 "and all 100 exit 0"
is "$(node 2 "SELECT COUNT(*) FROM $CDB.strata_migrations WHERE status = 'applied'")" \
	101 "each recorded applied"
node 1 "DROP DATABASE $CDB"

# A plain MariaDB server (no wsrep) keeps GET_LOCK: no lock table.
if [ -n "${STRATA_TEST_MY_URL:-}" ]; then
	db_new mysql
	strata --dir "$T_TMP/m1" --url "$DBURL" up
	expect_rc 0 "plain MariaDB: up"
	is "$(db_query mysql "$DBURL" "SELECT COUNT(*) FROM information_schema.TABLES
		WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME LIKE '%_lock'")" 0 \
		"plain MariaDB: no lock table"
elif [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
	ok 1 "plain MariaDB server required (STRATA_TEST_REQUIRE_SERVERS=1)"
fi

done_testing
