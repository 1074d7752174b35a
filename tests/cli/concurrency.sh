#!/bin/sh
# The lock on SQLite: concurrent 'strata up' processes apply each migration
# exactly once, and a waiter gives up after lock_timeout with exit 4.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
M=$T_TMP/m
DB=sqlite:$T_TMP/c.db

# Each migration is slow enough for the processes to overlap, and counts
# its own runs in a table that a double application would reveal.
SLOW="WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300000) SELECT count(*) FROM n;"
mig $M 1_runs up.sql "CREATE TABLE runs (version INT);"
for v in 2 3 4 5; do
	mig $M "${v}_step" up.sql "$SLOW
INSERT INTO runs VALUES ($v);
CREATE TABLE t$v (x INT);"
done

concurrently 8 "$T_TMP/o" --dir "$M" --url "$DB" up
is "$FAILS" 0 "8 concurrent up processes all succeed"
is "$(sqlite3 c.db "SELECT count(*), count(DISTINCT version) FROM runs")" "4|4" \
	"each migration ran exactly once"
is "$(sqlite3 c.db "SELECT count(*) FROM strata_migrations")" 5 "five history rows"
is "$(cat "$T_TMP"/o.* | grep -c '^applied')" 5 "five 'applied' lines in all"

# Hold the lock from outside: the same SQLite lock strata takes, held by
# an idle sqlite3 until the test lets it go (not for as long as a query
# happens to run on a loaded machine).
mig $M 6_more up.sql "CREATE TABLE t6 (x INT);"
gate_hold sidecar "BEGIN EXCLUSIVE;" "ROLLBACK;" \
	sqlite3 -cmd ".timeout 60000" "$T_TMP/c.db-strata-lock"
wait_for "the outside holder of the lock" sqlite_locked "$T_TMP/c.db-strata-lock"
start=$(date +%s)
strata --dir "$M" --url "$DB" --lock-timeout 1 up
end=$(date +%s)
expect_rc 4 "lock timeout"
has "another strata is migrating sqlite:$T_TMP/c.db (waited 1 s)" "$ERR" "says who and how long"
has "waiting for the migration lock" "$ERR" "said it was waiting"
[ $((end - start)) -le 5 ]
ok $? "gave up in about a second ($((end - start)) s)"
is "$(sqlite3 c.db "SELECT count(*) FROM strata_migrations")" 5 "nothing applied"
gate_release sidecar
strata --dir "$M" --url "$DB" up
expect_rc 0 "lock free once the holder is gone"

# A killed holder never leaves a stale lock behind. The holder reads SQL
# from a fifo, so it is killed while it holds the lock, idle.
mkfifo "$T_TMP/holder.in"
sqlite3 -cmd ".timeout 60000" "$T_TMP/c.db-strata-lock" <"$T_TMP/holder.in" >/dev/null &
holder=$!
exec 3>"$T_TMP/holder.in"
echo "BEGIN EXCLUSIVE;" >&3
wait_for "the holder to take the lock" sqlite_locked "$T_TMP/c.db-strata-lock"
kill -9 "$holder"
wait "$holder" 2>/dev/null
exec 3>&-
strata --dir "$M" --url "$DB" --lock-timeout 2 status
expect_rc 0 "status needs no lock"
mig $M 7_last up.sql "CREATE TABLE t7 (x INT);"
strata --dir "$M" --url "$DB" --lock-timeout 2 up
expect_rc 0 "up after the holder was killed"

done_testing
