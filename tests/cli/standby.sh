#!/bin/sh
# A PostgreSQL hot standby (a streaming replica made by pg_basebackup -R):
# the commands that write refuse it before they take the lock, exit 2,
# naming it; status and check read it, and create nothing there.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

if [ -z "${STRATA_TEST_PG_REPLICA_URL:-}" ]; then
	[ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ] ||
		skip_all "no PostgreSQL standby (tests/servers.sh starts one)"
	ok 1 "PostgreSQL standby required (STRATA_TEST_REQUIRE_SERVERS=1)"
	done_testing
fi

# on_standby SQL: one value, read on the standby.
on_standby() {
	# shellcheck disable=SC2086
	$STRATA_TEST_PG_REPLICA_ADMIN -d "$name" -At -c "$1" 2>/dev/null
}
# The standby has replayed everything the primary has written so far.
caught_up() {
	[ "$(on_standby "SELECT pg_last_wal_replay_lsn() >= '$lsn'::pg_lsn")" = t ]
}
sync_standby() {
	lsn=$(db_query postgres "$DBURL" "SELECT pg_current_wal_lsn()")
	wait_for "the standby to replay $lsn" caught_up
}

M=$T_TMP/m
mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
mig "$M" 1_a down.sql "DROP TABLE a;"
mig "$M" 2_b up.sql "CREATE TABLE b (x INT);"
mig "$M" 2_b down.sql "DROP TABLE b;"

# A database strata never touched: status reads it, nothing is created.
db_new postgres || exit 1
R=${STRATA_TEST_PG_REPLICA_URL%/*}/$name
sync_standby
strata --dir "$M" --url "$R" status --exit-code
expect_rc 3 "status on a standby with no history: two pending"
has "0 applied, 0 skipped, 0 baseline, 2 pending" "$OUT" "says so"
lacks "error" "$ERR" "no error"
strata --dir "$M" --url "$R" up
expect_rc 2 "up on a standby is refused"
has "is a read-only standby" "$ERR" "says it is a standby"
rport=${STRATA_TEST_PG_REPLICA_URL##*:}
has "@127.0.0.1:${rport%%/*}/$name is a read-only standby" "$ERR" "names it"
has "postgres://strata:***@127.0.0.1:" "$ERR" "with the password masked"
lacks "strata-secret" "$ERR" "no password"
is "$(printf '%s\n' "$ERR" | grep -c .)" 1 "one error line"
is "$(on_standby "SELECT count(*) FROM pg_class WHERE relname LIKE 'strata_migrations%'")" 0 \
	"nothing created there"

# The primary applies 1; the standby follows.
strata --dir "$M" --url "$DBURL" up --to 1
expect_rc 0 "up --to 1 on the primary"
sync_standby
strata --dir "$M" --url "$R" status --exit-code
expect_rc 3 "status on the standby: 2 is pending"
has "1 applied, 0 skipped, 0 baseline, 1 pending" "$OUT" "reads the replicated history"
strata --dir "$M" --url "$R" check
expect_rc 3 "check on the standby: pending, nothing else"
lacks "error" "$ERR" "check: no error"

# Every command that writes: refused, exit 2, the history as it was.
for cmd in "up" "down" "baseline 2" "repair" "resolve --applied 1" "verify --scratch-ok"; do
	# shellcheck disable=SC2086
	strata --dir "$M" --url "$R" $cmd --yes
	expect_rc 2 "$cmd on the standby is refused"
	has "is a read-only standby" "$ERR" "$cmd: says why"
done
is "$(db_query postgres "$DBURL" "SELECT version || ':' || status FROM strata_migrations ORDER BY 1" | tr '\n' ' ')" \
	"1:applied " "the primary's history is untouched"
strata --dir "$M" --url "$DBURL" up
expect_rc 0 "the primary goes on"

done_testing
