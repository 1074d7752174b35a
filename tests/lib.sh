# Shared helpers for the CLI tests: TAP output, running strata, and fresh
# databases on each engine. Sourced by tests/cli/*.sh.
set -u

T_N=0
T_FAILED=0
# The system python: a version manager's shim first in PATH (pyenv) costs
# half a second a call.
if [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; else PYTHON=python3; fi

# The program itself rather than libtool's wrapper script, which costs a
# shell and several seds on every call (tens of ms; most of a fast test).
# The wrapper only puts the uninstalled library on LD_LIBRARY_PATH.
STRATA_BUILDDIR=${STRATA_BIN%/*}
t_real=${STRATA_BIN%/*}/.libs/${STRATA_BIN##*/}
if [ -x "$t_real" ] && [ "$(head -c 2 "$STRATA_BIN")" = "#!" ]; then
	LD_LIBRARY_PATH=${STRATA_BIN%/*}/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
	export LD_LIBRARY_PATH
	STRATA_BIN=$t_real
fi
T_TMP=$(mktemp -d "${TMPDIR:-/tmp}/strata-test.XXXXXX")
T_DBS=""
# The checksum cache goes with the test's files, not into ~/.cache.
STRATA_CACHE_DIR=$T_TMP/.strata-cache
export STRATA_CACHE_DIR
trap 't_cleanup' EXIT

t_cleanup() {
	for spec in $T_DBS; do db_drop "$spec" >/dev/null 2>&1 || true; done
	rm -rf "$T_TMP"
}

ok() { # ok STATUS DESCRIPTION
	T_N=$((T_N + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $T_N - $2"
	else
		echo "not ok $T_N - $2"
		T_FAILED=$((T_FAILED + 1))
		if [ -n "${OUT+x}" ]; then
			printf '#   rc=%s\n' "${RC:-?}"
			printf '%s\n' "$OUT" | sed 's/^/#   out: /' | head -40
			printf '%s\n' "$ERR" | sed 's/^/#   err: /' | head -40
		fi
	fi
}

skip_all() {
	echo "1..0 # SKIP $1"
	exit 0
}

done_testing() {
	echo "1..$T_N"
	[ "$T_FAILED" -eq 0 ]
	exit $?
}

# strata ARGS...: runs the program (under $STRATA_WRAP, e.g. valgrind) and
# keeps stdout in $OUT, stderr in $ERR and the exit code in $RC.
strata() {
	# shellcheck disable=SC2086
	${STRATA_WRAP:-} "$STRATA_BIN" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	if [ -n "${BASH_VERSION:-}" ]; then # no cat process per call
		OUT=$(<"$T_TMP/out")
		ERR=$(<"$T_TMP/err")
	else
		OUT=$(cat "$T_TMP/out")
		ERR=$(cat "$T_TMP/err")
	fi
	if [ -n "${STRATA_WRAP:-}" ] && [ "$RC" -eq 99 ]; then
		echo "# valgrind found errors in: strata $*"
		printf '%s\n' "$ERR" | sed 's/^/#   /' | tail -60
	fi
	return 0
}

# JSON output (--format json): tests/cli/cli_json_check.py checks it.
CHECK="$STRATA_SRCDIR/tests/cli/cli_json_check.py"

# valid MODE COMMAND DESCRIPTION: $OUT has the documented shape.
valid() {
	problems=$(printf '%s\n' "$OUT" | "$PYTHON" "$CHECK" "$1" "$2")
	ok $? "$3"
	[ -z "$problems" ] || printf '%s\n' "$problems" | sed 's/^/#   /'
}

# get EXPR: a value from $OUT; d is the list of its lines, parsed.
get() {
	printf '%s\n' "$OUT" | "$PYTHON" -c "import json, sys
d = [json.loads(l) for l in sys.stdin if l.strip()]
print(json.dumps(($1)))"
}

expect_rc() { # expect_rc WANT DESCRIPTION
	[ "$RC" -eq "$1" ]
	ok $? "$2 (exit $1)"
}

has() { # has NEEDLE HAYSTACK DESCRIPTION
	case "$2" in *"$1"*) ok 0 "$3" ;; *) ok 1 "$3 [wanted: $1]" ;; esac
}

lacks() { # lacks NEEDLE HAYSTACK DESCRIPTION
	case "$2" in *"$1"*) ok 1 "$3 [unwanted: $1]" ;; *) ok 0 "$3" ;; esac
}

is() { # is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3 [got '$1', want '$2']"
	fi
}

# Engines to test: sqlite always; postgres and mysql when their servers
# were started (tests/servers.sh). STRATA_TEST_REQUIRE_SERVERS=1 (CI) turns
# a missing server into a failure instead of a skip. STRATA_TEST_ENGINES
# (default "sqlite postgres mysql") narrows them: the valgrind step of
# run-suite.sh runs most CLI tests on SQLite only.
engines() {
	for e in sqlite postgres mysql; do
		case " ${STRATA_TEST_ENGINES:-sqlite postgres mysql} " in
		*" $e "*) ;;
		*) continue ;;
		esac
		if [ "$e" = sqlite ]; then
			echo sqlite
		elif engine_url_base "$e" >/dev/null; then
			echo "$e"
		elif [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
			echo "missing-$e"
		fi
	done
}

engine_url_base() {
	case "$1" in
	postgres) [ -n "${STRATA_TEST_PG_URL:-}" ] && echo "$STRATA_TEST_PG_URL" ;;
	mysql) [ -n "${STRATA_TEST_MY_URL:-}" ] && echo "$STRATA_TEST_MY_URL" ;;
	*) return 1 ;;
	esac
}

# Database names must be unique across all test runs that share the
# servers (make check, make distcheck, other build trees or containers):
# a pid alone repeats across pid namespaces and after reuse, so a random
# tag goes with it.
T_DBTAG=$(od -An -N4 -tx1 /dev/urandom | tr -d ' \n')
[ -n "$T_DBTAG" ] || T_DBTAG=$(basename "$T_TMP" | tr 'A-Z' 'a-z' | tr -cd 'a-z0-9')

# db_new ENGINE: creates an empty database; its URL goes to $DBURL.
# (Not in a subshell: the database must be remembered for cleanup.)
db_new() {
	T_DBSEQ=$((${T_DBSEQ:-0} + 1))
	name="t_$(basename "$0" .sh)_$$_${T_DBTAG}_$T_DBSEQ"
	DBURL=""
	case "$1" in
	sqlite) DBURL="sqlite:$T_TMP/$name.db" ;;
	postgres)
		# shellcheck disable=SC2086
		$STRATA_TEST_PG_ADMIN -d postgres \
			-c "CREATE DATABASE $name OWNER strata" >/dev/null || return 1
		DBURL="${STRATA_TEST_PG_URL%/*}/$name"
		;;
	mysql)
		# shellcheck disable=SC2086
		$STRATA_TEST_MY_ADMIN -e "CREATE DATABASE $name" || return 1
		DBURL="${STRATA_TEST_MY_URL%/*}/$name"
		;;
	esac
	T_DBS="$T_DBS $1:$name"
}

db_drop() {
	engine=${1%%:*} name=${1#*:}
	# The admin commands are words to split.
	# shellcheck disable=SC2086
	case "$engine" in
	postgres) $STRATA_TEST_PG_ADMIN -d postgres -c "DROP DATABASE IF EXISTS $name WITH (FORCE)" ;;
	mysql) $STRATA_TEST_MY_ADMIN -e "DROP DATABASE IF EXISTS $name" ;;
	esac
}

# db_query ENGINE URL SQL: prints the result rows, tab-separated.
db_query() {
	name=${2##*/}
	# shellcheck disable=SC2086
	case "$1" in
	sqlite) sqlite3 -separator '	' "${2#sqlite:}" "$3" ;;
	postgres) $STRATA_TEST_PG_ADMIN -d "$name" -At -F '	' -c "$3" ;;
	mysql) $STRATA_TEST_MY_ADMIN -N -B -D "$name" -e "$3" ;;
	esac
}

# concurrently N OUTPREFIX ARGS...: starts N strata processes at once, each
# writing to OUTPREFIX.<i>, waits for all, and sets $FAILS to how many
# exited non-zero.
concurrently() {
	n=$1 prefix=$2 i=0 pids=""
	shift 2
	while [ $i -lt "$n" ]; do
		"$STRATA_BIN" "$@" >"$prefix.$i" 2>&1 &
		pids="$pids $!"
		i=$((i + 1))
	done
	FAILS=0
	for pid in $pids; do wait "$pid" || FAILS=$((FAILS + 1)); done
}

# mig DIR VERSION_NAME FILE CONTENT: writes one migration file.
mig() {
	mkdir -p "$1/$2"
	printf '%s\n' "$4" >"$1/$2/$3"
}

# install_staged DEST: `make install DESTDIR=DEST` from the build tree
# (one check); the test ends there if it fails. The build tree's own make,
# without the flags of the make running the tests (its jobserver,
# TESTS=...); $STRATA_MAKE may hold arguments. Nothing is relinked:
# installing only copies.
install_staged() {
	# shellcheck disable=SC2086
	(cd "$STRATA_BUILDDIR" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
		${STRATA_MAKE:-make} install DESTDIR="$1") >"$T_TMP/install.log" 2>&1
	RC=$?
	OUT=$(tail -20 "$T_TMP/install.log") ERR=""
	expect_rc 0 "make install DESTDIR=..."
	[ "$RC" -eq 0 ] || done_testing
	unset OUT
}

# make_here DESCRIPTION: a plain makefile in the current folder built with
# the test's compiler and warnings as errors (one check, the build's output
# left in OUT); the test ends there if it fails.
make_here() {
	# shellcheck disable=SC2086
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL ${STRATA_MAKE:-make} \
		CC="${STRATA_CC:-cc}" \
		CFLAGS="${STRATA_CFLAGS:--g -O2} -Wall -Wextra -Werror" \
		LDFLAGS="${STRATA_LDFLAGS:-}" >"$T_TMP/build.log" 2>&1
	RC=$?
	OUT=$(cat "$T_TMP/build.log") ERR=""
	expect_rc 0 "$1"
	[ "$RC" -eq 0 ] || done_testing
}

# wait_for WHAT CMD...: runs CMD ten times a second until it succeeds, for
# 60 s at most; then says what it was waiting for and fails.
wait_for() {
	t_what=$1 t_tries=0
	shift
	until "$@"; do
		t_tries=$((t_tries + 1))
		if [ "$t_tries" -ge 600 ]; then
			echo "# gave up waiting for $t_what"
			return 1
		fi
		sleep 0.1
	done
}

# sqlite_locked FILE: whether a SQLite database FILE (or strata's sidecar
# lock file) is write-locked by someone else right now; for wait_for. It
# takes the lock for an instant: a sqlite3 meant to hold it must wait for
# it (sqlite3 -cmd '.timeout MS'), or its BEGIN fails and it holds nothing.
sqlite_locked() {
	[ -e "$1" ] && sqlite3 "$1" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1 | grep -q "locked"
}

# Gates: a database session the test holds open, so that a migration (or a
# strata) blocks on it until the test lets it go, instead of racing a sleep.
# gate_hold NAME HOLD_SQL RELEASE_SQL CLIENT...: runs CLIENT (a database
# shell reading SQL on stdin) in the background and feeds it HOLD_SQL now,
# then RELEASE_SQL and end of input on gate_release NAME, when the test
# exits, or after 300 s. HOLD_SQL must not block: wait_for what it takes
# before relying on it. NAME: letters, digits and _.
gate_hold() {
	t_name=$1 t_g=$T_TMP/gate.$1 t_hold=$2 t_rel=$3
	shift 3
	rm -f "$t_g.open"
	(
		(
			printf '%s\n' "$t_hold"
			t_i=0
			while [ ! -e "$t_g.open" ] && [ $t_i -lt 3000 ]; do
				sleep 0.1
				t_i=$((t_i + 1))
			done
			printf '%s\n' "$t_rel"
		) | "$@" >"$t_g.out" 2>&1
	) &
	eval "t_gate_pid_$t_name=\$!"
	T_GATES="${T_GATES:-} $t_name"
	trap 't_gates_release; t_cleanup' EXIT
}

# gate_release NAME: lets the gate go and waits for its session to end;
# returns the client's exit code. (In a subshell: only lets it go.)
gate_release() {
	: >"$T_TMP/gate.$1.open"
	eval "wait \"\$t_gate_pid_$1\"" 2>/dev/null
}

t_gates_release() {
	for t_gate in ${T_GATES:-}; do gate_release "$t_gate"; done
}
