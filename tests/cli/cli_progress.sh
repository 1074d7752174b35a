#!/bin/sh
# Progress: each migration announced when it starts, flushed, and reported
# with its duration; on a terminal one line updated in place with
# "statement i of n" and the elapsed time. -q prints errors only, -v each
# statement as it starts and its duration when done.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV NO_COLOR
export TERM=xterm

on_pty() {
	"$PYTHON" "$STRATA_SRCDIR/tests/cli/cli_pty.py" -- "$STRATA_BIN" "$@" >"$T_TMP/pty"
	RC=$?
	OUT=$(tr -d '\r' <"$T_TMP/pty")
	ERR=""
}

# line_of TEXT: the number of the first line of $OUT holding TEXT.
line_of() { printf '%s\n' "$OUT" | grep -nF -- "$1" | head -n 1 | cut -d: -f1; }

M=migrations
mig $M 1_users up.sql "CREATE TABLE users (id INT);
INSERT INTO users (id) VALUES (1);"
mig $M 1_users down.sql "DROP TABLE users;"
mig $M 2_tags up.sql "CREATE TABLE tags (id INT);"
mig $M 2_tags down.sql "DROP TABLE tags;"
DB=sqlite:$T_TMP/app.db
: >app.db

strata --url "$DB" up --to 1
expect_rc 0 "up on a pipe"
is "$OUT" "$(printf 'applying 1_users (up.sql) ...\n')
$(printf '%s\n' "$OUT" | grep '^applied')" "announced, then done"
has "applied   1_users (up.sql, 2 statements) " "$OUT" "done with its duration"
lacks "$(printf '\r')" "$OUT" "no carriage returns on a pipe"
lacks "statement 1 of" "$OUT" "no live counter on a pipe"

strata --url "$DB" down
has "reverting 1_users (down.sql) ..." "$OUT" "down announces too"
has "reverted  1_users" "$OUT" "and reports"

strata -v --url "$DB" up
expect_rc 0 "up -v"
a=$(line_of "applying 1_users")
s1=$(line_of "  [1/2] ")
s2=$(line_of "  [2/2] ")
d=$(line_of "applied   1_users")
[ -n "$a" ] && [ -n "$s1" ] && [ -n "$s2" ] && [ -n "$d" ] && [ "$a" -lt "$s1" ] && [ "$s1" -lt "$s2" ] && [ "$s2" -lt "$d" ]
ok $? "-v: each statement between the announcement and the result"
printf '%s\n' "$OUT" | grep -qxF '  [2/2] line 2: INSERT INTO users (id) VALUES (1)'
ok $? "-v: index, line and the statement as it starts"
printf '%s\n' "$OUT" | grep -A1 -F '  [2/2] line 2:' | tail -n 1 | grep -qE '^  \[2/2\] [0-9]+ ms$'
ok $? "-v: then its duration when it is done"
strata --url "$DB" down --to 0 --verbose
has "  [1/1] " "$OUT" "--verbose after the command"

strata -q --url "$DB" up
expect_rc 0 "up -q"
is "$OUT" "" "-q: nothing on stdout"
is "$ERR" "" "-q: nothing on stderr"
strata --url "$DB" up -q
is "$OUT" "" "-q after the command; nothing to do prints nothing"
strata --url "$DB" check -q
expect_rc 0 "check -q"
is "$OUT" "" "check -q: nothing when fine"
strata --url "$DB" status -q
has "1                users" "$OUT" "status -q: the report is the result, still printed"
mig $M 3_bad up.sql "SELECT * FROM nowhere;"
strata -q --url "$DB" up
expect_rc 1 "up -q with a failure"
is "$OUT" "" "-q: no progress"
has "nowhere" "$ERR" "-q: the error is printed"
strata --url "$DB" up
has "failed    3_bad (up.sql) after 0 statements" "$OUT" "a failure is reported in the progress"
rm -r $M/3_bad

# On a terminal: one line rewritten in place.
strata --url "$DB" down --to 0
on_pty --url "$DB" up
expect_rc 0 "up on a terminal"
RAW=$(cat "$T_TMP/pty")
has "$(printf '\r\033[K')applying 1_users (up.sql) ... statement 2 of 2, 0." "$RAW" "statement i of n and the time, in place"
PLAIN=$(printf '%s\n' "$RAW" | sed 's/\x1b\[[0-9;]*m//g')
has "$(printf '\r\033[K')applied   1_users (up.sql, 2 statements)" "$PLAIN" "the result replaces it"
has "$(printf '\033[K')applied   2_tags (up.sql, 1 statement) " "$PLAIN" "each migration"
on_pty -q --url "$DB" down --to 0 --yes
is "$OUT" "" "-q on a terminal: nothing"
on_pty --format json --url "$DB" up
lacks "$(printf '\033')" "$OUT" "JSON on a terminal: no live line"

# A long statement: announced (and flushed) while it runs; on a terminal
# the elapsed time moves. The statement waits on an advisory lock the test
# holds, so it cannot finish before the checks however slow the run
# (valgrind) is.
GATE=7343
gate_closed() {
	[ "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_locks
		WHERE locktype = 'advisory' AND granted AND objid = $GATE AND
		database = (SELECT oid FROM pg_database
		WHERE datname = current_database())")" = 1 ]
}
waiting() {
	[ "$(db_query postgres "$DBURL" "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event_type = 'Lock'
		AND wait_event = 'advisory'")" = 1 ]
}
# start_gated ARGS...: a fresh database, the gate closed, and strata ARGS
# up in the background ($pid), waiting at the gate.
start_gated() {
	db_new postgres || return 1
	# shellcheck disable=SC2086
	gate_hold slow "SELECT pg_advisory_lock($GATE);" \
		"SELECT pg_advisory_unlock($GATE);" $STRATA_TEST_PG_ADMIN -d "${DBURL##*/}"
	wait_for "the gate" gate_closed || return 1
	"$STRATA_BIN" "$@" --dir "$P" --url "$DBURL" up >"$T_TMP/slow.out" 2>&1 &
	pid=$!
	wait_for "the gated statement" waiting
}
for e in $(engines); do
	[ "$e" = postgres ] || continue
	P=$T_TMP/slow
	mig "$P" 1_a up.sql "CREATE TABLE a (x INT);"
	mig "$P" 2_slow up.sql "SELECT pg_advisory_xact_lock($GATE);"
	start_gated
	OUT=$(cat "$T_TMP/slow.out")
	has "applying 2_slow (up.sql) ..." "$OUT" "postgres: the running migration is shown while it runs"
	lacks "applied   2_slow" "$OUT" "postgres: before it is done"
	gate_release slow
	wait $pid
	is "$?" 0 "postgres: then it finishes"
	# -v: the statement is printed when it starts, on a pipe too.
	start_gated -v
	OUT=$(cat "$T_TMP/slow.out")
	has "  [1/1] line 1: SELECT pg_advisory_xact_lock($GATE)" "$OUT" "postgres: -v shows the running statement on a pipe"
	! printf '%s\n' "${OUT#*applying 2_slow}" | grep -qE '^  \[1/1\] [0-9]+ ms$'
	ok $? "postgres: -v: its duration only when done"
	gate_release slow
	wait $pid
	OUT=$(cat "$T_TMP/slow.out")
	printf '%s\n' "$OUT" | grep -qE '^  \[1/1\] [0-9]+ ms$'
	ok $? "postgres: -v: then the duration"
	# The ticking time needs a statement that lasts past 1 s.
	P=$T_TMP/sleep
	mig "$P" 1_a up.sql "CREATE TABLE a (x INT);"
	mig "$P" 2_slow up.sql "SELECT pg_sleep(2);"
	db_new postgres
	on_pty --dir "$P" --url "$DBURL" up
	printf '%s\n' "$OUT" | grep -qE 'applying 2_slow \(up.sql\) ... statement 1 of 1, 1\.[0-9] s'
	ok $? "postgres: on a terminal, the elapsed time ticks while a statement runs"
done

done_testing
