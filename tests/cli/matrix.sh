#!/bin/sh
# The same integration suite against every database engine: SQLite always,
# PostgreSQL and MariaDB on the throwaway servers of tests/servers.sh.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
EX=$STRATA_SRCDIR/examples/migrations

# Which file each engine must run for each example migration.
expected_sources() {
	case "$1" in
	sqlite) echo "1|applied|up.sqlite.sql 2|applied|up.sqlite.sql 3|applied|up.sql 4|applied|up.sql 5|applied|up.sqlite.sql 6|applied|up.sql 7|applied|up.sqlite.sql 8|skipped|" ;;
	postgres) echo "1|applied|up.sql 2|applied|up.sql 3|applied|up.sql 4|applied|up.sql 5|applied|up.sql 6|applied|up.postgres.sql 7|applied|up.postgres.sql 8|applied|up.postgres.sql" ;;
	mysql) echo "1|applied|up.mysql.sql 2|applied|up.mysql.sql 3|applied|up.sql 4|applied|up.sql 5|applied|up.mysql.sql 6|applied|up.sql 7|applied|up.mysql.sql 8|applied|up.mysql.sql" ;;
	esac
}

history_of() { # ENGINE URL
	# Versions are text: order by length first, strip the date prefix.
	db_query "$1" "$2" "SELECT version, status, source FROM strata_migrations ORDER BY length(version), version" |
		sed 's/^2024010100000*//' | tr '\t' '|' | tr '\n' ' ' | sed 's/ $//'
}

table_count() { # ENGINE URL TABLE
	case "$1" in
	sqlite) db_query "$1" "$2" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$3'" ;;
	postgres) db_query "$1" "$2" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$3'" ;;
	mysql) db_query "$1" "$2" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$3'" ;;
	esac
}

examples_round_trip() {
	e=$1
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	strata --dir "$EX" --url "$url" up
	expect_rc 0 "$e: examples up"
	is "$(history_of "$e" "$url")" "$(expected_sources "$e")" \
		"$e: history rows, with the override chosen per dialect"
	db_query "$e" "$url" "INSERT INTO users (email, display_name) VALUES ('a@x', 'A')"
	uid=$(db_query "$e" "$url" "SELECT id FROM users WHERE email = 'a@x'")
	db_query "$e" "$url" "INSERT INTO posts (user_id, title) VALUES ($uid, 'hi; there')"
	is "$(db_query "$e" "$url" "SELECT post_count FROM users WHERE email = 'a@x'")" 1 \
		"$e: the trigger body arrived whole and works"
	strata --dir "$EX" --url "$url" check
	expect_rc 0 "$e: check after up (schema matches the fingerprint)"

	strata --dir "$EX" --url "$url" down --to 0
	expect_rc 0 "$e: down to 0"
	is "$(history_of "$e" "$url")" "" "$e: history empty"
	is "$(table_count "$e" "$url" users)$(table_count "$e" "$url" posts)" "00" "$e: tables gone"

	strata --dir "$EX" --url "$url" up
	expect_rc 0 "$e: up again"
	is "$(history_of "$e" "$url")" "$(expected_sources "$e")" "$e: history after up again"

	case "$e" in
	postgres) db_query "$e" "$url" "ALTER TABLE posts ADD COLUMN sneaky int" ;;
	*) db_query "$e" "$url" "ALTER TABLE posts ADD COLUMN sneaky INT" ;;
	esac
	strata --dir "$EX" --url "$url" status
	has "the schema changed outside strata" "$OUT" "$e: schema drift detected"
}

failing_migration() {
	e=$1
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	M=$T_TMP/fail-$e
	mig "$M" 1_ok up.sql "CREATE TABLE a (x INT);"
	mig "$M" 2_bad up.sql "CREATE TABLE b (x INT);
INSERT INTO b VALUES (1);
-- line 4 fails:
INSERT INTO nope VALUES (1);
CREATE TABLE c (x INT);"
	# --allow-destructive: the runtime failure, not lint's refusal
	strata --dir "$M" --url "$url" up --allow-destructive
	expect_rc 1 "$e: failure in the middle of a migration"
	has "$M/2_bad/up.sql:4: error: applying 2_bad: statement 3 of 4 failed" "$ERR" \
		"$e: names file, line and statement"
	case $e in
	postgres) has "(SQLSTATE 42P01)" "$ERR" "$e: with the SQLSTATE" ;;
	mysql) has "(SQLSTATE 42S02)" "$ERR" "$e: with the SQLSTATE" ;;
	esac
	if [ "$e" != mysql ]; then
		is "$(history_of "$e" "$url")" "1|applied|up.sql" "$e: no history row for the failed migration"
		is "$(table_count "$e" "$url" b)" 0 "$e: rolled back atomically"
		return
	fi
	is "$(db_query "$e" "$url" "SELECT status, steps FROM strata_migrations WHERE version = '2'" | tr '\t' '|')" \
		"failed|2" "$e: failed row with the statements applied"
	is "$(table_count "$e" "$url" b)" 1 "$e: DDL committed implicitly, as MySQL does"
	strata --dir "$M" --url "$url" up
	expect_rc 1 "$e: up refuses while the migration is failed"
	has "failed at" "$ERR" "$e: says what happened"
	has "after 2 statement(s)" "$ERR" "$e: says how far it got"
	has "strata resolve 2 --rolled-back" "$ERR" "$e: says how to continue"
	db_query "$e" "$url" "DROP TABLE b"
	strata --dir "$M" --url "$url" resolve 2 --rolled-back
	expect_rc 0 "$e: resolve --rolled-back"
	mig "$M" 2_bad up.sql "CREATE TABLE b (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up after the fix"
	is "$(db_query "$e" "$url" "SELECT status, steps FROM strata_migrations WHERE version = '2'" | tr '\t' '|')" \
		"applied|1" "$e: now applied"
	# The other way out: the human finished the work by hand.
	mig "$M" 3_half up.sql "CREATE TABLE h1 (x INT);
CREATE TABLE h2 (x INT) ENGINE=NoSuchEngine;"
	strata --dir "$M" --url "$url" up
	expect_rc 1 "$e: another half-applied migration"
	db_query "$e" "$url" "CREATE TABLE h2 (x INT)"
	strata --dir "$M" --url "$url" resolve 3 --applied
	expect_rc 0 "$e: resolve --applied"
	strata --dir "$M" --url "$url" check
	expect_rc 0 "$e: clean afterwards"
}

slow_sql() {
	case "$1" in
	sqlite) echo "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000) SELECT count(*) FROM n;" ;;
	postgres) echo "SELECT pg_sleep(0.3);" ;;
	mysql) echo "SELECT SLEEP(0.3);" ;;
	esac
}

# running_long ENGINE URL SECS: whether a strata runs the slow migration of
# SECS seconds on that database (on SQLite: holds the lock, which it only
# takes to run it).
running_long() {
	case "$1" in
	sqlite) sqlite_locked "${2#sqlite:}-strata-lock" ;;
	# The first statement of a migration goes out behind its BEGIN.
	postgres) [ "$(db_query postgres "$2" "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND state = 'active'
		AND query LIKE '%SELECT pg_sleep($3)%'
		AND pid <> pg_backend_pid()")" = 1 ] ;;
	mysql) [ "$(db_query mysql "$2" "SELECT count(*) FROM information_schema.PROCESSLIST
		WHERE DB = DATABASE() AND INFO LIKE 'SELECT SLEEP($3)%'")" = 1 ] ;;
	esac
}

concurrent_up() {
	e=$1
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	M=$T_TMP/lock-$e
	mig "$M" 1_runs up.sql "CREATE TABLE runs (version INT);"
	for v in 2 3 4; do
		mig "$M" "${v}_step" up.sql "$(slow_sql "$e")
INSERT INTO runs VALUES ($v);"
	done
	concurrently 8 "$T_TMP/lock-$e" --dir "$M" --url "$url" up
	is "$FAILS" 0 "$e: 8 concurrent up processes all succeed"
	is "$(db_query "$e" "$url" "SELECT count(*), count(DISTINCT version) FROM runs" | tr '\t' '|')" "3|3" \
		"$e: each migration applied exactly once"
	is "$(cat "$T_TMP"/lock-"$e".* | grep -c '^applied')" 4 "$e: four applied lines in all"

	# The holder runs natively; a waiter under valgrind starts slowly, so
	# the holder must outlast that start-up too.
	if [ -n "${STRATA_WRAP:-}" ]; then secs=12 rows=30000000; else secs=4 rows=16000000; fi
	mig "$M" 5_long up.sql "$(slow_sql "$e" | sed "s/0\\.3/$secs/; s/200000/$rows/")"
	"$STRATA_BIN" --dir "$M" --url "$url" up >/dev/null 2>&1 &
	holder=$!
	wait_for "$e: the holder to run 5_long" running_long "$e" "$url" "$secs"
	strata --dir "$M" --url "$url" --lock-timeout 1 up
	expect_rc 4 "$e: lock timeout while another strata migrates"
	has "another strata is migrating" "$ERR" "$e: says so"
	lacks "strata-secret" "$ERR" "$e: without the password"
	wait "$holder"
	ok $? "$e: the holder finished its work"
}

splitter_on_server() {
	e=$1
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	M=$T_TMP/split-$e
	mig "$M" 1_notes up.sql "CREATE TABLE notes (body VARCHAR(100));
INSERT INTO notes VALUES ('a;b'); -- a comment; with a semicolon
/* a block; comment */ INSERT INTO notes VALUES ('it''s; fine');
INSERT INTO notes VALUES ('-- not a comment; /* nor this */');"
	mig "$M" 2_bodies up.postgres.sql 'CREATE FUNCTION add_one(i int) RETURNS int LANGUAGE plpgsql AS $fn$
BEGIN
    -- a ; inside the body, and a $$ too
    RETURN i + 1;
END;
$fn$;
CREATE FUNCTION semi() RETURNS text LANGUAGE sql AS $$ SELECT $q$;;$q$ $$;'
	mig "$M" 2_bodies up.mysql.sql 'DELIMITER $$
CREATE FUNCTION add_one(i INT) RETURNS INT DETERMINISTIC
BEGIN
    DECLARE r INT;
    SET r = i + 1; -- semicolons inside
    RETURN r;
END$$
CREATE FUNCTION semi() RETURNS VARCHAR(10) DETERMINISTIC RETURN ";;"$$
DELIMITER ;'
	mig "$M" 2_bodies up.sqlite.sql "CREATE TABLE tally (n INT);
CREATE TRIGGER notes_tally AFTER INSERT ON notes
BEGIN
    INSERT INTO tally VALUES (1); -- ; in a trigger body
    UPDATE tally SET n = n + 0 WHERE n = 1;
END;"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: tricky statements run"
	is "$(db_query "$e" "$url" "SELECT count(*) FROM notes")" 3 "$e: three rows, semicolons in strings and comments kept"
	is "$(db_query "$e" "$url" "SELECT body FROM notes ORDER BY body" | tr '\n' '|')" \
		"-- not a comment; /* nor this */|a;b|it's; fine|" "$e: values intact"
	case "$e" in
	sqlite)
		db_query "$e" "$url" "INSERT INTO notes VALUES ('x')"
		is "$(db_query "$e" "$url" "SELECT count(*) FROM tally")" 1 "$e: trigger body whole" ;;
	*) is "$(db_query "$e" "$url" "SELECT add_one(41), semi()" | tr '\t' '|')" "42|;;" "$e: routine bodies whole" ;;
	esac
}

socket_and_init_sql() {
	e=$1
	case "$e" in
	postgres)
		db_new "$e" || return
		url=$DBURL
		name=${url##*/}
		sock=$(printf '%s' "$STRATA_TEST_PG_SOCKET_URL" | sed "s|/strata?|/$name?|")
		init="SET lock_timeout = '5s'"
		check='DO $$ BEGIN IF current_setting('"'"'lock_timeout'"'"') <> '"'"'5s'"'"' THEN RAISE EXCEPTION '"'"'init_sql not applied'"'"'; END IF; END $$;'
		;;
	mysql)
		db_new "$e" || return
		url=$DBURL
		name=${url##*/}
		sock=$(printf '%s' "$STRATA_TEST_MY_SOCKET_URL" | sed "s|/strata?|/$name?|")
		init="SET SESSION sql_mode = 'ANSI_QUOTES'"
		check='CREATE TABLE "quoted" (x INT);'
		;;
	*) return ;;
	esac
	M=$T_TMP/sock-$e
	mig "$M" 1_check up.sql "$check"
	printf '[default]\nurl = %s\ninit_sql = %s\n' "$sock" "$init" >"$T_TMP/sock-$e.ini"
	strata -c "$T_TMP/sock-$e.ini" --dir "$M" up
	expect_rc 0 "$e: up over the unix socket, with init_sql applied"
	strata -c "$T_TMP/sock-$e.ini" --dir "$M" status
	has "target: $sock" "$OUT" "$e: socket URL shown"
}

for e in $(engines); do
	case "$e" in
	missing-*)
		ok 1 "${e#missing-} server required (STRATA_TEST_REQUIRE_SERVERS=1) but its URL is not set"
		continue ;;
	esac
	examples_round_trip "$e"
	failing_migration "$e"
	concurrent_up "$e"
	splitter_on_server "$e"
	socket_and_init_sql "$e"
done
engines | grep -q postgres || echo "# note: PostgreSQL not tested (no STRATA_TEST_PG_URL; run tests/run-suite.sh)"
engines | grep -q mysql || echo "# note: MariaDB not tested (no STRATA_TEST_MY_URL; run tests/run-suite.sh)"

done_testing
