#!/bin/sh
# The lock behind pgbouncer in pool_mode = transaction (tests/servers.sh
# starts one): concurrent runs apply each migration once, and no advisory
# lock is ever left on a pooled server connection, even by a killed strata.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

if [ -z "${STRATA_TEST_PGBOUNCER_URL:-}" ] || [ -z "${STRATA_TEST_PG_URL:-}" ]; then
	if [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
		ok 1 "pgbouncer required (STRATA_TEST_REQUIRE_SERVERS=1, no STRATA_TEST_PGBOUNCER_URL)"
		done_testing
	fi
	skip_all "no pgbouncer (tests/servers.sh starts one)"
fi

db_new postgres || exit 1
DIRECT=$DBURL
name=${DBURL##*/}
POOLED="${STRATA_TEST_PGBOUNCER_URL%/*}/$name"
M=$T_TMP/m

# Sessions holding advisory locks in the database: strata's lock session
# holds two, the lock and the key its commits check it by.
advisory_locks() {
	# shellcheck disable=SC2086
	$STRATA_TEST_PG_ADMIN -d postgres -At -c "SELECT count(DISTINCT pid) FROM pg_locks
		WHERE locktype = 'advisory' AND database =
		(SELECT oid FROM pg_database WHERE datname = '$name')"
}

mig "$M" 1_runs up.sql "CREATE TABLE runs (v INT);"
for v in 2 3 4; do
	mig "$M" "${v}_step" up.sql "SELECT pg_sleep(0.3);
INSERT INTO runs VALUES ($v);
CREATE TABLE t$v (x INT);"
done

concurrently 6 "$T_TMP/o" --dir "$M" --url "$POOLED" up
is "$FAILS" 0 "6 concurrent up through pgbouncer all succeed"
is "$(db_query postgres "$DIRECT" "SELECT count(*) || '|' || count(DISTINCT v) FROM runs")" \
	"3|3" "each migration ran exactly once"
is "$(db_query postgres "$DIRECT" "SELECT count(*) FROM strata_migrations")" 4 \
	"four history rows"
is "$(cat "$T_TMP"/o.* | grep -c '^applied')" 4 "four 'applied' lines in all"
is "$(cat "$T_TMP"/o.* | grep -c 'duplicate key')" 0 "no 'duplicate key' error"
is "$(cat "$T_TMP"/o.* | grep -c 'another strata is migrating')" 0 "nobody timed out"
is "$(advisory_locks)" 0 "no advisory lock left behind"

mig "$M" 5_direct up.sql "CREATE TABLE t5 (x INT);"
strata --dir "$M" --url "$DIRECT" --lock-timeout 1 up
expect_rc 0 "a direct up afterwards gets the lock at once"
mig "$M" 6_pooled up.sql "CREATE TABLE t6 (x INT);"
strata --dir "$M" --url "$POOLED" --lock-timeout 1 up
expect_rc 0 "so does one through pgbouncer"

# A strata killed while it holds the lock through pgbouncer: pgbouncer
# drops the server connection in the middle of its transaction, and the
# transaction-level lock goes with it.
mig "$M" 7_slow up.sql "SELECT pg_sleep(30);"
"$STRATA_BIN" --dir "$M" --url "$POOLED" up >"$T_TMP/killed" 2>&1 &
victim=$!
locks_are() { [ "$(advisory_locks)" = "$1" ]; }
wait_for "the running strata to take the lock" locks_are 1
is "$(advisory_locks)" 1 "the running strata holds the lock"
kill -9 "$victim"
wait "$victim" 2>/dev/null
wait_for "the lock to go" locks_are 0
is "$(advisory_locks)" 0 "the killed strata left no lock behind"
# The running pg_sleep may go on until its backend notices; that is fine:
# what counts is that the lock is free for the next deploy.
mig "$M" 7_slow up.sql "CREATE TABLE t7 (x INT);"
strata --dir "$M" --url "$DIRECT" --lock-timeout 2 up
expect_rc 0 "a direct up right after the kill gets the lock"
is "$(db_query postgres "$DIRECT" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" \
	7 "all seven applied once"
strata --dir "$M" --url "$POOLED" --lock-timeout 1 status --exit-code
expect_rc 0 "status through pgbouncer: up to date"

done_testing
