#!/bin/sh
# bash and zsh completion, installed by make install: commands, options
# (global and per command, checked against the help), environments from
# the config's sections, versions after --to from the migrations folder.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS

BUILD=$STRATA_BUILDDIR
# install-data: the same rules as make install, without relinking the
# programs the other tests are running.
${STRATA_MAKE:-make} -s -C "$BUILD" install-data DESTDIR="$T_TMP/inst" >"$T_TMP/install.log" 2>&1
ok $? "make install-data DESTDIR=..."
BASHC=$(find "$T_TMP/inst" -path '*/share/bash-completion/completions/strata' -type f)
ZSHC=$(find "$T_TMP/inst" -path '*/share/zsh/site-functions/_strata' -type f)
[ -n "$BASHC" ]
ok $? "bash completion installed in \$(datadir)/bash-completion/completions"
[ -n "$ZSHC" ]
ok $? "zsh completion installed in \$(datadir)/zsh/site-functions (zsh's default fpath)"

# words WORD...: what bash completes for the last word (sorted, one line),
# as bash calls it: the line so far in COMP_LINE and COMP_POINT (COMP_WORDS
# split at bash's COMP_WORDBREAKS too); a reply is the part after the last
# of those characters in the word.
words() {
	bash -c '. "$1" && shift && COMP_LINE="$*" && COMP_POINT=${#COMP_LINE} &&
		_strata && printf "%s\n" "${COMPREPLY[@]}"' _ "$BASHC" "$@" |
		sed '/^$/d' | sort | tr '\n' ' ' | sed 's/ $//'
}

# contains LIST WORD...: every WORD is in LIST.
contains() {
	list=" $1 "
	shift
	for w in "$@"; do
		case "$list" in *" $w "*) ;; *)
			echo "# missing: $w"
			return 1
			;;
		esac
	done
}

is "$(words strata st)" "status" "a command"
is "$(words strata "")" "baseline check diff down drivers dump help history import init lint new plan repair resolve status up verify" \
	"every command"
is "$(words strata --url sqlite:x.db -e prod st)" "status" "after global options and their values"
is "$(words strata help hi)" "history" "help COMMAND"
is "$(words strata --format "")" "json text" "--format values"
is "$(words strata --color=a)" "always auto" "--color= values (after the '=')"
is "$(words strata --url sqlite:x.db up --t)" "--table --targets --to" "after a URL with ':'"
is "$(words strata --format=j)" "json" "--format=VALUE"
is "$(words strata --url=sqlite:x.db st)" "status" "after --url=URL"

OPTS=$(words strata status --)
contains "$OPTS" --exit-code --url --format
ok $? "status: its option and the globals"
lacks "--to" "$OPTS" "status: not another command's option"
contains "$(words strata up --)" --to --allow-out-of-order --yes
ok $? "up: --to, --allow-out-of-order"
contains "$(words strata resolve 1 --)" --applied --rolled-back
ok $? "resolve: --applied, --rolled-back"

# The options the help documents are the ones completed.
"$STRATA_BIN" help >help.txt
cmds=$(sed -n '/^Commands:/,/^$/p' help.txt | sed -n 's/^  \([a-z][a-z]*\).*/\1/p' | sort | tr '\n' ' ' | sed 's/ $//')
is "$(words strata "")" "$cmds" "completion and help list the same commands"
globals=$(sed -n '/^Global options/,/^$/p' help.txt | grep -oE -- '--[a-z-]+' | sort -u)
# shellcheck disable=SC2086
contains "$(words strata --)" $globals
ok $? "every global option of the help"
for c in $cmds; do
	[ "$c" = help ] && continue
	own=$("$STRATA_BIN" help "$c" | sed -n '/^Options:/,/^$/p' | grep -oE -- '--[a-z-]+' | sort -u)
	# shellcheck disable=SC2086
	contains "$(words strata "$c" --)" $own $globals
	ok $? "$c: every option of 'strata help $c'"
done

# Environments: the sections of strata.ini, or of -c FILE.
printf '[default]\nurl = sqlite:a.db\n[staging]\nurl = x\n  [prod]  \n' >strata.ini
mkdir -p conf
printf '[default]\n[ci]\nmigrations = db\n' >conf/other.ini
is "$(words strata -e "")" "default prod staging" "-e: the sections of strata.ini"
is "$(words strata status --env s)" "staging" "--env after the command"
is "$(words strata -c conf/other.ini -e "")" "ci default" "-c FILE: its sections"
is "$(words strata --config=conf/other.ini status -e "")" "ci default" "--config=FILE"

# Versions after --to: folder names in the migrations folder.
mig migrations 1_a up.sql "SELECT 1;"
mig migrations 2_b up.sql "SELECT 1;"
mig migrations 10_c up.sql "SELECT 1;"
mkdir -p migrations/notes
mig conf/db 20240101120000_x up.sql "SELECT 1;"
mig other 7_z up.sql "SELECT 1;"
is "$(words strata up --to "")" "1 10 2" "up --to: the versions"
is "$(words strata down --to "")" "0 1 10 2" "down --to: 0 too"
is "$(words strata plan --to 1)" "1 10" "a prefix"
is "$(words strata --dir other up --to "")" "7" "--dir"
is "$(words strata -c conf/other.ini up --to "")" "20240101120000" "the config's folder, relative to it"
is "$(words strata baseline "")" "1 10 2" "baseline VERSION"
is "$(words strata lint "")" "1 10 2" "lint VERSION"
is "$(words strata lint --dialect "")" "mysql postgres sqlite" "lint --dialect: the drivers"
is "$(words strata lint --dialect sqlite,p)" "sqlite,postgres" "lint --dialect: after a comma"
is "$(words strata lint --dialect=my)" "mysql" "lint --dialect=NAME"
is "$(words strata lint --row-threshold "")" "" "lint --row-threshold: a number, nothing offered"
contains "$(words strata up --)" --allow-destructive
ok $? "up: --allow-destructive"
lacks "--allow-destructive" "$(words strata plan --)" "plan: not --allow-destructive"
"$STRATA_BIN" --url sqlite:"$T_TMP"/none.db status >/dev/null 2>&1
[ ! -e none.db ]
ok $? "no database was needed"

bash -n "$BASHC"
ok $? "bash: the script parses"

# A real interactive bash on a terminal, with its default COMP_WORDBREAKS
# (':' and '=' break words): LINE, TAB twice, Enter. bashc prints the list
# offered and the words of the line as completed (<word>...).
bashc() {
	"$PYTHON" "$STRATA_SRCDIR/tests/cli/cli_bash_complete.py" "$BASHC" "$1"
}
T=$(bashc "strata --url sqlite:x.db up --t")
printf '%s\n' "$T" | grep -qE -- '^--table +--targets +--to *$'
ok $? "bash: --url sqlite:x.db up --t offers --table, --targets and --to"
T=$(bashc "strata --color=al")
has "<--color=always>" "$T" "bash: --color=al completes to --color=always"
T=$(bashc "strata --config=conf/other.ini -e ")
printf '%s\n' "$T" | grep -qE '^ci +default *$'
ok $? "bash: --config=FILE -e offers FILE's sections"
T=$(bashc "strata --url sqlite:x.db sta")
has "<--url><sqlite:x.db><status>" "$T" "bash: a command after a URL with ':'"
T=$(bashc "strata --dir=oth")
has "<--dir=other>" "$T" "bash: --dir=FOLDER completes the folder"
T=$(bashc "strata --dir other down --to ")
printf '%s\n' "$T" | grep -qE '^0 +7 *$'
ok $? "bash: down --to with --dir: 0 and the versions"

# zsh: the installed _strata in a real zsh (scripts/install-deps.sh test
# installs it; CI must not go without).
zwords() {
	zsh -f "$STRATA_SRCDIR/tests/cli/cli_zsh_complete.zsh" "$(dirname "$ZSHC")" "$*" |
		tr '\n' ' ' | sed 's/ $//'
}
if command -v zsh >/dev/null; then
	zsh -n "$ZSHC"
	ok $? "zsh: the script parses"
	is "$(zwords strata st)" "status" "zsh: a command"
	is "$(zwords "strata ")" "$cmds" "zsh: every command"
	is "$(zwords "strata -e ")" "default prod staging" "zsh: -e: the sections of strata.ini"
	is "$(zwords "strata -c conf/other.ini -e ")" "ci default" "zsh: -c FILE: its sections"
	is "$(zwords "strata up --to ")" "1 10 2" "zsh: up --to: the versions"
	is "$(zwords "strata --dir other down --to ")" "0 7" "zsh: down --to with --dir"
	is "$(zwords "strata status --e")" "--env --exit-code" "zsh: the command's and global options"
	contains "$(zwords "strata resolve 1 --")" --applied --rolled-back --url
	ok $? "zsh: resolve's options"
	contains "$(zwords "strata lint --")" --all --dialect --warnings-as-errors --row-threshold --url
	ok $? "zsh: lint's options"
	is "$(zwords "strata lint --dialect ")" "mysql postgres sqlite" "zsh: lint --dialect: the drivers"
	is "$(zwords "strata lint ")" "1 10 2" "zsh: lint VERSION"
	contains "$(zwords "strata up --")" --allow-destructive
	ok $? "zsh: up --allow-destructive"
elif [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
	ok 1 "zsh installed (scripts/install-deps.sh test)"
fi

done_testing
