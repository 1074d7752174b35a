#!/bin/sh
# down --to 0 and down N (N > 1) ask on a terminal unless --yes; never on
# a pipe. Declining changes nothing and exits 1.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

# on_pty [--answer A] [--stdin-pipe] -- ARGS...
on_pty() {
	"$PYTHON" "$STRATA_SRCDIR/tests/cli/cli_pty.py" "$@" >"$T_TMP/pty"
	RC=$?
	# no colour codes, no carriage returns
	OUT=$(sed 's/\x1b\[[0-9;]*m//g' "$T_TMP/pty" | tr -d '\r')
	ERR=""
}

M=migrations
for v in 1 2 3; do
	mig $M "${v}_t$v" up.sql "CREATE TABLE t$v (id INT);"
	mig $M "${v}_t$v" down.sql "DROP TABLE t$v;"
done
DB=sqlite:$T_TMP/app.db
: >app.db
applied() { sqlite3 app.db "SELECT count(*) FROM strata_migrations"; }

strata --url "$DB" up
is "$(applied)" 3 "three applied"

on_pty --answer n -- "$STRATA_BIN" --url "$DB" down --to 0
expect_rc 1 "down --to 0 declined"
has "strata: down: revert every applied migration of $DB (3_t3, 2_t2, 1_t1)? [y/N]" "$OUT" \
	"asks, naming the target and the migrations"
has "strata: down: not confirmed; nothing reverted" "$OUT" "says nothing was reverted"
is "$(applied)" 3 "nothing reverted"

on_pty --answer "" -- "$STRATA_BIN" --url "$DB" down 2
expect_rc 1 "down 2: Enter means no"
has "strata: down: revert 2 migrations of $DB (3_t3, 2_t2)? [y/N]" "$OUT" "down N asks with the count"
is "$(applied)" 3 "nothing reverted"

on_pty --answer y -- "$STRATA_BIN" --url "$DB" down 2
expect_rc 0 "down 2 confirmed"
has "reverted  3_t3" "$OUT" "reverted"
is "$(applied)" 1 "two reverted"

on_pty --answer n -- "$STRATA_BIN" --url "$DB" down
expect_rc 0 "down (one) does not ask"
lacks "[y/N]" "$OUT" "no question"
is "$(applied)" 0 "reverted"

strata --url "$DB" up
on_pty -- "$STRATA_BIN" --url "$DB" down 2 --yes
expect_rc 0 "--yes: no question"
lacks "[y/N]" "$OUT" "none asked"
is "$(applied)" 1 "reverted"
on_pty -- "$STRATA_BIN" -y --url "$DB" down --to 0
expect_rc 0 "-y before the command"
is "$(applied)" 0 "reverted"

strata --url "$DB" up
on_pty --answer n --stdin-pipe -- "$STRATA_BIN" --url "$DB" down --to 0
expect_rc 0 "stdin not a terminal: no question"
lacks "[y/N]" "$OUT" "none asked"
is "$(applied)" 0 "reverted as before"

strata --url "$DB" up
strata --url "$DB" down --to 0 </dev/null
expect_rc 0 "a pipe: no question"
lacks "[y/N]" "$OUT$ERR" "none asked"
is "$(applied)" 0 "reverted"

strata --url "$DB" up --to 1
on_pty --answer n -- "$STRATA_BIN" --url "$DB" down 5
expect_rc 0 "down 5 with one applied: nothing to ask"
lacks "[y/N]" "$OUT" "none asked"
is "$(applied)" 0 "reverted"

strata --url "$DB" up
on_pty --answer n -- "$STRATA_BIN" --url "$DB" down --to 2
expect_rc 0 "--to a version other than 0 does not ask"
is "$(applied)" 2 "reverted down to 2"

done_testing
