#!/bin/sh
# SIGINT/SIGTERM during a run: one line saying what was interrupted and in
# what state, exit 130/143. A stdout that cannot be written is exit 1.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

# stdout errors: a full disk is an error, reported once on stderr.
mig "$T_TMP/m0" 1_a up.sql "CREATE TABLE a (x INT);"
strata --dir "$T_TMP/m0" --url "sqlite:$T_TMP/full.db" up
expect_rc 0 "up"
"$STRATA_BIN" --dir "$T_TMP/m0" --url "sqlite:$T_TMP/full.db" status \
	>/dev/full 2>err
is "$?" 1 "status > /dev/full exits 1"
has "strata: error: cannot write to standard output" "$(cat err)" "says so"
is "$(wc -l <err | tr -d ' ')" 1 "in one line"
"$STRATA_BIN" --help >/dev/full 2>err
is "$?" 1 "--help > /dev/full exits 1"

# busy URL: whether the database is busy with the slow statement after
# 1_a: a sleep on the servers; on SQLite, a write lock (2_slow's
# transaction, or the held history insert).
busy() {
	case "$1" in
	sqlite:*) sqlite_locked "${1#sqlite:}" ;;
	postgres:*) [ "$(db_query postgres "$1" "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event = 'PgSleep'")" = 1 ] ;;
	mysql:*) [ "$(db_query mysql "$1" "SELECT count(*) FROM information_schema.PROCESSLIST
		WHERE DB = DATABASE() AND STATE = 'User sleep'")" = 1 ] ;;
	esac
}

# run_and_kill SIGNAL DIR URL: starts 'up', waits until 1_a is applied and
# the slow 2_slow (or the held history insert) runs, then sends SIGNAL;
# sets RC, OUT, ERR.
# Its own output files, emptied first: "applied   1_a" left in strata()'s
# $T_TMP/out by an earlier run must not pass for this one's.
# WAIT (default "applied   1_a"): the output to wait for first.
run_and_kill() {
	: >"$T_TMP/kill.out"
	"$STRATA_BIN" --dir "$2" --url "$3" up >"$T_TMP/kill.out" 2>"$T_TMP/kill.err" &
	pid=$!
	wait_for "${4:-applied   1_a}" grep -q "${4:-applied   1_a}" "$T_TMP/kill.out"
	wait_for "the slow statement" busy "$3"
	kill -s "$1" $pid
	wait $pid
	RC=$?
	OUT=$(cat "$T_TMP/kill.out")
	ERR=$(cat "$T_TMP/kill.err")
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e server available"
		continue
		;;
	esac
	db_new "$e" || { ok 1 "create a $e database"; continue; }
	M=$T_TMP/m_$e
	mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
	mig "$M" 2_slow up.sql "CREATE TABLE b (x INT);
SELECT 1;"
	mig "$M" 2_slow up.sqlite.sql "CREATE TABLE b (x INT);
WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000)
SELECT count(*) FROM c;"
	mig "$M" 2_slow up.postgres.sql "CREATE TABLE b (x INT);
SELECT pg_sleep(20);"
	mig "$M" 2_slow up.mysql.sql "CREATE TABLE b (x INT);
SELECT SLEEP(20);"
	if [ "$e" = sqlite ]; then
		# SIGTERM too: the same line, exit 143, nothing recorded.
		url=$DBURL
		db_new sqlite
		run_and_kill TERM "$M" "$DBURL"
		DBURL=$url
		is "$RC" 143 "$e: SIGTERM exits 143"
		has "strata: interrupted while applying 2_slow inside a transaction" \
			"$ERR" "$e: SIGTERM: says what was interrupted"
	fi
	run_and_kill INT "$M" "$DBURL"
	is "$RC" 130 "$e: SIGINT exits 130"
	is "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" 1 "$e: one line on stderr"
	has "applied   1_a" "$OUT" "$e: progress before the signal was printed"
	if [ "$e" = mysql ]; then
		has "strata: interrupted while applying 2_slow without a transaction: statements that ran are kept and it is recorded as failed, unless it had finished; check 'strata status'" \
			"$ERR" "$e: says what was interrupted, and its state"
		has "strata resolve 2 --applied" "$ERR" "$e: says how to go on"
		is "$(db_query "$e" "$DBURL" "SELECT version, status FROM strata_migrations ORDER BY version" | tr '\t\n' ': ')" \
			"1:applied 2:failed " "$e: a failed row for the interrupted one"
	else
		has "strata: interrupted while applying 2_slow inside a transaction: the database rolls it back (nothing recorded) unless its commit had completed; check 'strata status'" \
			"$ERR" "$e: says what was interrupted, and its state"
		# PostgreSQL ends the orphaned backend at its next check.
		is "$(db_query "$e" "$DBURL" "SELECT version FROM strata_migrations ORDER BY version" | tr '\n' ' ')" \
			"1 " "$e: no history row for the interrupted one"
	fi

	# Review 3 finding 10: a migration without a transaction is "recorded
	# as failed" only once its row is written. A trigger holds up that
	# insert; a signal then must not claim the row.
	db_new "$e" || { ok 1 "create a $e database"; continue; }
	M=$T_TMP/m_hold_$e
	case "$e" in
	postgres) hold="CREATE FUNCTION hold() RETURNS trigger AS \$\$
BEGIN IF NEW.version = '2' THEN PERFORM pg_sleep(8); END IF; RETURN NEW; END
\$\$ LANGUAGE plpgsql;
CREATE TRIGGER hold BEFORE INSERT ON strata_migrations
FOR EACH ROW EXECUTE FUNCTION hold();" ;;
	mysql) hold="CREATE TRIGGER hold BEFORE INSERT ON strata_migrations
FOR EACH ROW BEGIN IF NEW.version = '2' THEN DO SLEEP(8); END IF; END;" ;;
	sqlite) hold="CREATE TABLE n (x INT);
INSERT INTO n WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000) SELECT x FROM c;
CREATE TRIGGER hold BEFORE INSERT ON strata_migrations
WHEN CAST(NEW.version AS TEXT) = '2' BEGIN
  SELECT count(*) FROM n a, n b, n c;
END;" ;;
	esac
	mig "$M" 1_a up.sql "$hold"
	mig "$M" 2_slow up.sql "-- strata:no-transaction
CREATE TABLE b (x INT);"
	if [ "$e" = mysql ]; then
		# Every MySQL migration runs without a transaction: 1_a's
		# final row commits with 2_slow's first one, so the held
		# insert holds 1_a's record too.
		run_and_kill INT "$M" "$DBURL" "applying 1_a"
	else
		run_and_kill INT "$M" "$DBURL"
	fi
	is "$RC" 130 "$e: held history insert: SIGINT exits 130"
	lacks "2_slow" "$OUT" "$e: held history insert: 2_slow did not finish"
	if [ "$e" = mysql ]; then
		has "strata: interrupted while applying 1_a without a transaction: statements that ran are kept and it is recorded as failed, unless it had finished" \
			"$ERR" "$e: held history insert: 1_a's record was in it"
		has "strata resolve 1 --applied" "$ERR" "$e: says how to go on"
		is "$(db_query "$e" "$DBURL" "SELECT version, status FROM strata_migrations ORDER BY version" | tr '\t\n' ': ')" \
			"1:failed " "$e: held history insert: 1_a as interrupted, no row for 2_slow"
	else
		has "strata: interrupted between migrations" "$ERR" \
			"$e: held history insert: between migrations"
		lacks "recorded as failed" "$ERR" \
			"$e: held history insert: no claim of a failed row"
	fi
done

done_testing
