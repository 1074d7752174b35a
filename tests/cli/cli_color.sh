#!/bin/sh
# Colour on a terminal only; NO_COLOR (non-empty) turns it off;
# --color=always|never|auto overrides the automatic choice.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV NO_COLOR
export TERM=xterm

# on_pty ARGS...: strata on a pseudo-terminal; $OUT is all it wrote.
on_pty() {
	"$PYTHON" "$STRATA_SRCDIR/tests/cli/cli_pty.py" -- "$STRATA_BIN" "$@" >"$T_TMP/pty"
	RC=$?
	OUT=$(tr -d '\r' <"$T_TMP/pty")
	ERR=""
}

ESC=$(printf '\033[')
M=migrations
mig $M 1_users up.sql "CREATE TABLE users (id INT);"
mig $M 1_users down.sql "DROP TABLE users;"
mig $M 2_bad up.sql "SELECT * FROM nowhere;"
DB=sqlite:$T_TMP/app.db
: >app.db
"$STRATA_BIN" --url "$DB" up --to 1 >/dev/null

on_pty --url "$DB" status
has "${ESC}32mapplied" "$OUT" "a terminal: the state in colour"
has "${ESC}1mVERSION" "$OUT" "the header in bold"
strata --url "$DB" status
lacks "$ESC" "$OUT" "a pipe: no colour"
has "applied  " "$OUT" "same text"
on_pty --url "$DB" up
has "${ESC}1;31mfailed" "$OUT" "a terminal: the failure in red"
has "${ESC}1;31m" "$(printf '%s\n' "$OUT" | grep 'error:')" "the error line in red"
strata --url "$DB" up
lacks "$ESC" "$OUT$ERR" "a pipe: a failure without colour"

NO_COLOR=1 on_pty --url "$DB" status
lacks "${ESC}3" "$OUT" "NO_COLOR=1: no colour on a terminal"
NO_COLOR= on_pty --url "$DB" status
has "${ESC}32m" "$OUT" "an empty NO_COLOR is not set"
on_pty --color=never --url "$DB" status
lacks "${ESC}3" "$OUT" "--color=never"
on_pty --url "$DB" status --color=never
expect_rc 0 "--color=never after the command"
has "applied  " "$OUT" "the status is printed"
lacks "${ESC}3" "$OUT" "without colour"
on_pty --url "$DB" status --color never
expect_rc 2 "--color never: 'never' is an operand"
has "write --color=never" "$OUT" "the error says to write --color=never"
strata --url "$DB" status --color=always
has "${ESC}32mapplied" "$OUT" "--color=always on a pipe"
strata --url "$DB" status --color
has "${ESC}32mapplied" "$OUT" "--color alone means always"
NO_COLOR=1 strata --url "$DB" status --color=always
has "${ESC}32mapplied" "$OUT" "--color=always wins over NO_COLOR"
strata --url "$DB" status --color=auto
lacks "$ESC" "$OUT" "--color=auto on a pipe"
TERM=dumb on_pty --url "$DB" status
lacks "${ESC}3" "$OUT" "TERM=dumb: no colour"
on_pty --url "$DB" --format json status
lacks "$ESC" "$OUT" "JSON is never coloured"

done_testing
