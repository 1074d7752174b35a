#!/bin/sh
# MySQL/MariaDB sessions as init_sql or the server may set them up: a short
# wait_timeout must not free the lock, a killed lock session stops the run,
# USE in a migration does not move the history, autocommit=0 does not lose
# what was reported applied, sql_mode changes how files are split, and bad
# URL parameters are configuration errors.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

if ! engine_url_base mysql >/dev/null; then
	[ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ] || skip_all "no MySQL server"
	ok 1 "mysql: server not available"
	done_testing
fi

# ini FILE MIGRATIONS INIT_SQL: a config for $DBURL.
ini() {
	printf '[default]\nurl = %s\nmigrations = %s\ninit_sql = %s\n' \
		"$DBURL" "$2" "$3" >"$1"
	chmod 600 "$1"
}
lock_holder() { # the connection id holding strata's lock on database $1
	$STRATA_TEST_MY_ADMIN -N -B -e \
		"SELECT IS_USED_LOCK('strata:$1.strata_migrations')"
}

# Slow migrations wait at a gate: GET_LOCK('$GATE'), held by an admin
# session until the test releases it.
GATE=strata-test-gate:$$
GATE_SQL="SELECT GET_LOCK('$GATE', 600);
SELECT RELEASE_LOCK('$GATE');"
my() { $STRATA_TEST_MY_ADMIN -N -B -e "$1"; }
# hold NAME LOCK: an admin session holds GET_LOCK(LOCK) until gate_release NAME.
hold() {
	# shellcheck disable=SC2086
	gate_hold "$1" "SELECT GET_LOCK('$2', 0);" "SELECT RELEASE_LOCK('$2');" \
		$STRATA_TEST_MY_ADMIN
	wait_for "$2 to be held" held "$2"
}
held() { [ "$(my "SELECT IS_USED_LOCK('$1') IS NOT NULL")" = 1 ]; }
# A strata session of database $1 waits in a GET_LOCK matching LIKE $2.
waiting() {
	[ "$(my "SELECT count(*) FROM information_schema.PROCESSLIST
		WHERE DB = '$1' AND USER = 'strata' AND STATE = 'User lock'
		AND INFO LIKE '$2'")" -ge 1 ]
}

# 1. wait_timeout = 2 on every session: the idle lock session survives.
db_new mysql || exit 1
name=${DBURL##*/}
M=$T_TMP/m1
mig $M 1_runs up.sql "CREATE TABLE runs (v INT);"
mig $M 2_slow up.sql "$GATE_SQL
INSERT INTO runs VALUES (2);"
ini t1.ini "$M" "SET SESSION wait_timeout = 2"
hold gate "$GATE"
timeout 120 "$STRATA_BIN" -c t1.ini up >first.out 2>&1 &
first=$!
wait_for "the first strata at the gate" waiting "$name" "%$GATE%"
ok $? "the first strata takes the lock and runs the slow migration"
sleep 3 # past wait_timeout
strata -c t1.ini --lock-timeout 1 up
expect_rc 4 "a second strata still finds the lock held"
gate_release gate
wait "$first"
is "$?" 0 "the first strata succeeds"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM runs WHERE v = 2")" 1 \
	"the slow migration ran once"

# ... nor end the migration session while it waits for the lock.
mig $M 3_after up.sql "INSERT INTO runs VALUES (3);"
hold lock "strata:$name.strata_migrations"
(
	wait_for "strata waiting for the lock" waiting "$name" "%GET_LOCK%"
	seen=$?
	sleep 3 # past wait_timeout
	gate_release lock
	exit $seen
) &
releaser=$!
strata -c t1.ini --lock-timeout 60 up
expect_rc 0 "a strata that waited past wait_timeout for the lock then migrates"
has "3_after (up.sql" "$OUT" "and applies the pending migration"
wait "$releaser"
ok $? "it was seen waiting for the lock"
gate_release lock

# 2. The lock session is killed: stop before the next migration.
db_new mysql || exit 1
name=${DBURL##*/}
M=$T_TMP/m2
mig $M 1_slow up.sql "$GATE_SQL
CREATE TABLE a (x INT);"
mig $M 2_b up.sql "CREATE TABLE b (x INT);"
hold gate "$GATE"
timeout 120 "$STRATA_BIN" --dir "$M" --url "$DBURL" up >lost.out 2>lost.err &
run=$!
wait_for "strata at the gate" waiting "$name" "%$GATE%"
ok $? "strata takes the lock and runs migration 1"
$STRATA_TEST_MY_ADMIN -e "KILL $(lock_holder "$name")"
gate_release gate
wait "$run"
RC=$? OUT=$(cat lost.out) ERR=$(cat lost.err)
expect_rc 1 "a lost lock stops the run"
has "lost the migration lock on" "$ERR" "says the lock was lost"
has "stopped before applying 2_b" "$ERR" "says what was not run"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'b'")" \
	0 "the next migration did not run"

# 3. USE in a migration: the history stays in the URL's database.
db_new mysql || exit 1
other=t_other_$$_$T_DBTAG
$STRATA_TEST_MY_ADMIN -e "CREATE DATABASE $other" || exit 1
T_DBS="$T_DBS mysql:$other"
M=$T_TMP/m3
mig $M 1_a up.sql "CREATE TABLE a (x INT);"
mig $M 2_use up.sql "USE $other;
CREATE TABLE inother (x INT);"
mig $M 3_c up.sql "CREATE TABLE c (x INT);"
strata --dir "$M" --url "$DBURL" up
expect_rc 0 "up with a USE in a migration"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" 3 \
	"all three history rows are in the URL's database"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = '$other' AND TABLE_NAME = 'strata_migrations'")" \
	0 "no history table in the other database"
strata --dir "$M" --url "$DBURL" status --exit-code
expect_rc 0 "status: everything applied, no false drift"

# 4. autocommit = 0: what up reports applied is there for a new session.
db_new mysql || exit 1
M=$T_TMP/m4
mig $M 1_a up.sql "CREATE TABLE a (x INT);
INSERT INTO a VALUES (1);"
mig $M 2_b up.sql "INSERT INTO a VALUES (2);"
ini t4.ini "$M" "SET autocommit = 0"
strata -c t4.ini up
expect_rc 0 "up with autocommit = 0"
has "2_b (up.sql" "$OUT" "reports 2 applied"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM a")" 2 \
	"a new connection sees both rows"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" 2 \
	"a new connection sees both history rows"

# 5. sql_mode: NO_BACKSLASH_ESCAPES and ANSI_QUOTES change the grammar.
db_new mysql || exit 1
M=$T_TMP/m5
mig $M 1_paths up.sql "CREATE TABLE p (s VARCHAR(20));
INSERT INTO p VALUES ('C:\\');
INSERT INTO p VALUES ('x');"
ini t5.ini "$M" "SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
strata -c t5.ini up
expect_rc 0 "NO_BACKSLASH_ESCAPES: 'C:\\' ends the string"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM p")" 2 "both rows inserted"
is "$(db_query mysql "$DBURL" "SELECT LENGTH(s) FROM p WHERE s <> 'x'")" 3 \
	"the backslash is kept: C:\\ has 3 characters"

# History rows go out as escaped literals (batch): quotes and
# backslashes in names survive without NO_BACKSLASH_ESCAPES, with it from
# init_sql, and with it switched on by a migration half-way through the
# run (the escaping follows the session). The failed row's error text
# goes through a prepared statement.
for mode in plain init midway; do
	db_new mysql || exit 1
	M=$T_TMP/m5b-$mode
	set0="SELECT 1;"
	[ $mode = midway ] && set0="SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES');"
	mig "$M" "1_it's\\x" up.sql "$set0
CREATE TABLE e1 (x INT);"
	mig "$M" "2_more\\'q" up.sql "CREATE TABLE e2 (x INT); CREATE TABLE e3 (x INT);"
	mig "$M" "3_bad\\" up.sql "CREATE TABLE e4 (x INT);
SELECT * FROM \`no_such_table_'x\\\`;"
	init=""
	[ $mode = init ] && init="SET SESSION sql_mode = CONCAT(@@sql_mode, ',NO_BACKSLASH_ESCAPES')"
	ini t5b.ini "$M" "$init"
	strata -c t5b.ini up
	expect_rc 1 "escaped history, $mode: the third migration fails"
	is "$(db_query mysql "$DBURL" "SELECT version, LENGTH(name), status FROM strata_migrations ORDER BY version" | tr '\t\n' ':,')" \
		"1:6:applied,2:7:applied,3:4:failed," \
		"escaped history, $mode: names with quotes and backslashes intact"
	is "$(db_query mysql "$DBURL" "SELECT name = CONCAT('more', CHAR(92), CHAR(39), 'q') FROM strata_migrations WHERE version = '2'")" \
		1 "escaped history, $mode: byte for byte"
	has "no_such_table_" "$(db_query mysql "$DBURL" "SELECT error FROM strata_migrations WHERE version = '3'")" \
		"escaped history, $mode: the error recorded"
done

db_new mysql || exit 1
M=$T_TMP/m6
mig $M 1_ansi up.sql "CREATE TABLE q (\"col\\\" INT);
INSERT INTO q (\"col\\\") VALUES (1);"
ini t6.ini "$M" "SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES')"
strata -c t6.ini up
expect_rc 0 "ANSI_QUOTES: \"...\" is an identifier"
is "$(db_query mysql "$DBURL" "SELECT count(*) FROM q")" 1 "the row is there"

# 6. Unknown URL parameters and bad ssl-mode values: exit 2.
strata --dir "$M" --url "$DBURL?bogus=1" status
expect_rc 2 "an unknown URL parameter"
has "unknown URL parameter 'bogus'" "$ERR" "names it"
strata --dir "$M" --url "$DBURL?ssl-mode=maybe" status
expect_rc 2 "a bad ssl-mode"
has "unsupported ssl-mode 'maybe'" "$ERR" "names the value"

done_testing
