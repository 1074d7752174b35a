#!/bin/sh
# The command line: help from the command table, unknown commands and
# options named (with a suggestion), global options before or after the
# command.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV NO_COLOR

COMMANDS="init new up down status check history plan baseline resolve repair drivers diff lint help"

strata help
expect_rc 0 "strata help"
HELP=$OUT
has "usage: strata [global options] COMMAND [options]" "$OUT" "usage line"
has "Exit codes:" "$OUT" "exit codes documented"
has "--format FORMAT" "$OUT" "--format documented"
has "--color[=WHEN]" "$OUT" "--color documented"
for c in $COMMANDS; do
	printf '%s\n' "$OUT" | grep -qE "^  $c( |\$)"
	ok $? "help lists $c"
done
is "$ERR" "" "nothing on stderr"
strata --help
expect_rc 0 "strata --help"
is "$OUT" "$HELP" "--help prints the same as help"
strata -h
is "$OUT" "$HELP" "-h too"

for c in $COMMANDS; do
	strata help "$c"
	expect_rc 0 "help $c"
	has "usage: strata [global options] $c" "$OUT" "help $c: its usage line"
	ONE=$OUT
	strata "$c" --help
	[ "$RC" -eq 0 ] && [ "$OUT" = "$ONE" ] && [ -z "$ERR" ]
	ok $? "$c --help prints help $c to stdout, exit 0"
done
strata help down
has "-y, --yes" "$OUT" "help down names --yes"
has "--to VERSION" "$OUT" "help down names --to"
strata help lint
for o in --all --dialect --warnings-as-errors --row-threshold; do
	has "$o" "$OUT" "help lint names $o"
done
strata help up
has "--allow-destructive" "$OUT" "help up names --allow-destructive"
strata help plan
lacks "--allow-destructive" "$(printf '%s\n' "$OUT" | sed -n '/^Options:/,/^$/p')" \
	"but plan does not take it"
strata help
has "5 lint errors" "$OUT" "exit 5 in the help's exit codes"
strata up -h --url sqlite:nowhere.db
expect_rc 0 "up -h does not run up"
[ ! -e nowhere.db ]
ok $? "and creates nothing"

# Unknown commands: named, with the nearest command.
strata stauts
expect_rc 2 "unknown command"
is "$ERR" "strata: error: unknown command 'stauts'; did you mean 'status'?
Try 'strata --help'." "names it and suggests status"
is "$OUT" "" "nothing on stdout"
strata histroy
has "did you mean 'history'?" "$ERR" "transposition"
strata drivrs
has "did you mean 'drivers'?" "$ERR" "missing letter"
strata frobnicate
expect_rc 2 "far from every command"
is "$ERR" "strata: error: unknown command 'frobnicate'
Try 'strata --help'." "no suggestion when nothing is near"
strata help stauts
expect_rc 2 "help of an unknown command"
has "did you mean 'status'?" "$ERR" "suggests there too"
# help is a command of the table: its typos get it as the suggestion.
strata hep
expect_rc 2 "a typo of help"
has "unknown command 'hep'; did you mean 'help'?" "$ERR" "suggests help, not new"
strata hlep
has "did you mean 'help'?" "$ERR" "a transposition of help"
strata help status extra
expect_rc 2 "help with two operands"
has "help takes at most one COMMAND" "$ERR" "says so"

# Unknown options: named, with the command.
strata status --frmat json
expect_rc 2 "unknown option after the command"
is "$(printf '%s\n' "$ERR" | head -n 1)" "strata: error: status: unknown option '--frmat'" "names command and option"
has "Try 'strata help status'." "$ERR" "points to the command's help"
strata --frmat=json status
expect_rc 2 "unknown option before the command"
is "$(printf '%s\n' "$ERR" | head -n 1)" "strata: error: unknown option '--frmat'" "named without its value"
strata up -x
expect_rc 2 "unknown short option"
has "strata: error: up: unknown option '-x'" "$ERR" "named"
strata status --to 3
expect_rc 2 "an option of another command"
has "strata: error: status: unknown option '--to'" "$ERR" "named"
strata status --url
expect_rc 2 "missing value"
has "strata: error: status: option '--url' needs a value" "$ERR" "says which"
strata status --format yaml
expect_rc 2 "bad --format"
has "--format is text or json, not 'yaml'" "$ERR" "says the choices"
strata status --color=sometimes
expect_rc 2 "bad --color"
strata status extra
expect_rc 2 "operands where none are taken"
has "status takes no arguments" "$ERR" "says so"
strata
expect_rc 2 "no command"

# Long options are never abbreviated: an option added later must not turn
# a script's "--t" into an error or into another option.
strata up --t 1
expect_rc 2 "an abbreviation of two options"
has "strata: error: up: option '--t' is ambiguous (--to, --table, --targets)" "$ERR" "names every one"
strata up --allow-out
expect_rc 2 "an abbreviation of one option"
has "unknown option '--allow-out' (options are never abbreviated: --allow-out-of-order)" "$ERR" \
	"refused, naming the option"
strata --conf x.ini status
expect_rc 2 "a global abbreviation before the command"
has "unknown option '--conf' (options are never abbreviated: --config)" "$ERR" "refused too"
strata status --lock-time=3
expect_rc 2 "an abbreviation with =VALUE"
has "unknown option '--lock-time' (options are never abbreviated: --lock-timeout)" "$ERR" \
	"named without its value"
strata status --url --format
expect_rc 2 "--format as the value of --url is not --format"

# --color takes its value after '=' only: a separate auto/always/never is
# an operand, and the error says how to write it.
strata status --color never
expect_rc 2 "--color never"
has "write --color=never" "$ERR" "hints --color=never"
strata --color always status
expect_rc 2 "--color always before the command"
has "write --color=always" "$ERR" "hints --color=always"
strata --version
expect_rc 0 "--version"
has "strata " "$OUT" "prints the version"

# Global options after help (and after help's COMMAND), as after any
# command.
strata help status
ONE=$OUT
strata help status --color=never
expect_rc 0 "help status --color=never"
is "$OUT" "$ONE" "prints help status"
is "$ERR" "" "nothing on stderr"
strata help status -q --url sqlite:nowhere.db
expect_rc 0 "help status with -q and --url after it"
is "$OUT" "$ONE" "prints help status too"
strata help --format json
expect_rc 0 "help --format json"
is "$OUT" "$HELP" "prints the usage text"
strata --format json help
is "$OUT" "$HELP" "as with --format before help"
strata help --frmat json
expect_rc 2 "an unknown option after help"
has "strata: error: help: unknown option '--frmat'" "$ERR" "is named"

# Global options before or after the command mean the same.
M=migrations
mig $M 1_users up.sql "CREATE TABLE users (id INT);"
mig $M 1_users down.sql "DROP TABLE users;"
mig $M 2_posts up.sql "CREATE TABLE posts (id INT);"
mig $M 2_posts down.sql "DROP TABLE posts;"
cp -r $M other
rm -r other/2_posts
DB=sqlite:$T_TMP/app.db
strata --url "$DB" up --to 1
expect_rc 0 "up"
strata --url "$DB" status
BEFORE=$OUT
strata status --url "$DB"
expect_rc 0 "status --url after the command"
is "$OUT" "$BEFORE" "same output as --url before it"
strata status --exit-code --url "$DB"
expect_rc 3 "command option and global option mixed"
strata --url "$DB" status --format json
A=$OUT
strata --format json status --url "$DB"
is "$OUT" "$A" "--format before or after"
strata --url "$DB" --dir other status
BEFORE=$OUT
strata status --dir other --url "$DB"
is "$OUT" "$BEFORE" "--dir after the command"
lacks "posts" "$OUT" "--dir took effect"
printf '[default]\nurl = %s\n[other]\nurl = sqlite:%s/other.db\n' "$DB" "$T_TMP" >strata.ini
: >other.db
strata status -e other
expect_rc 0 "-e after the command"
has "other.db" "$OUT" "-e took effect"
strata -e other status
has "other.db" "$OUT" "-e before the command"
strata down --url "$DB" --lock-timeout 5
expect_rc 0 "down with --lock-timeout after the command"
has "reverted  1_users" "$OUT" "ran"

# Options after operands, also under POSIXLY_CORRECT (which stops getopt
# at the first operand unless the program collects operands itself).
strata --url "$DB" up
POSIXLY_CORRECT=1 strata down 1 --url "$DB"
expect_rc 0 "POSIXLY_CORRECT: down 1 --url URL"
has "reverted  2_posts" "$OUT" "--url after the operand took effect"
POSIXLY_CORRECT=1 strata baseline 1 --url "$DB" --format json
expect_rc 0 "POSIXLY_CORRECT: baseline VERSION --url --format json"
has '"event":"summary"' "$OUT" "--format after the operand took effect"
POSIXLY_CORRECT=1 strata repair 1 --url "$DB"
has "1_users is applied with status applied" "$ERR" \
	"POSIXLY_CORRECT: repair VERSION --url: reached the database"
strata --url "$DB" down -- 1
expect_rc 0 "-- ends the options"
has "reverted  1_users" "$OUT" "the operand after --"
strata --url "$DB" down -- --to
expect_rc 2 "after --, --to is an operand"
has "count must be a positive number, not '--to'" "$ERR" "taken as the count"

# The man pages format without a warning (groff-base: install-deps.sh).
for page in strata.1 strata.ini.5 strata-driver.7; do
	w=$(groff -man -ww -z "$STRATA_SRCDIR/docs/$page" 2>&1)
	is "$w" "" "man page $page: no groff warning"
done

done_testing
