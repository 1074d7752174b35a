#!/bin/sh
# Every UPDATE/DELETE of a history row must match exactly one row: when a
# migration (or anyone) removed the row, strata stops with exit 1 saying
# the history table was changed by someone else, naming the version and the
# operation, instead of carrying on with a history that lies.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
WHO="the history table strata_migrations was changed by someone else"

for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server not available"
		continue
		;;
	esac

	# A no-transaction migration deletes its own "failed" row: the next
	# progress update matches no row.
	M=$T_TMP/$e-up
	mig $M 1_a up.sql "CREATE TABLE a (x INT);"
	mig $M 2_selfdelete up.sql "-- strata:no-transaction
DELETE FROM strata_migrations WHERE name = 'selfdelete';
CREATE TABLE b (x INT);"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up --allow-destructive
	expect_rc 1 "$e: up stops when its history row vanished"
	has "$WHO: updating the row of version 2 matched 0 rows, not 1" "$ERR" \
		"$e: names the table, the operation, the version and the count"
	lacks "applied 2_" "$OUT" "$e: does not report 2 as applied"
	is "$(db_query $e "$DBURL" "SELECT count(*) FROM strata_migrations")" 1 \
		"$e: only migration 1 is in the history"

	# A down.sql deletes its own history row: the revert's delete (or, on
	# MySQL, its progress update) matches no row.
	M=$T_TMP/$e-down
	mig $M 1_a up.sql "CREATE TABLE a (x INT);"
	mig $M 2_c up.sql "CREATE TABLE c (x INT);"
	mig $M 2_c down.sql "DELETE FROM strata_migrations WHERE name = 'c';
DROP TABLE c;"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up"
	strata --dir "$M" --url "$DBURL" down
	expect_rc 1 "$e: down stops when its history row vanished"
	if [ $e = mysql ]; then
		has "$WHO: updating the row of version 2 matched 0 rows, not 1" \
			"$ERR" "$e: says so"
	else
		has "$WHO: deleting the row of version 2 matched 0 rows, not 1" \
			"$ERR" "$e: says so"
		is "$(db_query $e "$DBURL" "SELECT status FROM strata_migrations WHERE name = 'c'")" \
			applied "$e: rolled back: 2 is still applied"
		is "$(db_query $e "$DBURL" "SELECT count(*) FROM c")" 0 \
			"$e: rolled back: table c is still there"
	fi
	lacks "reverted" "$OUT" "$e: does not report a revert"

	# A one-statement no-transaction migration deletes its own "failed"
	# row. Its final update waits for the next commit (on MySQL, the one
	# that also opens the next migration's row): that commit must not
	# happen, and the next migration must not run.
	M=$T_TMP/$e-final
	mig $M 1_a up.sql "CREATE TABLE fa (x INT);"
	mig $M 2_selfdelete up.sql "-- strata:no-transaction
DELETE FROM strata_migrations WHERE name = 'selfdelete';"
	mig $M 3_c up.sql "CREATE TABLE fc (x INT);"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up --allow-destructive
	expect_rc 1 "$e: final: up stops when the waiting update matches no row"
	has "$WHO: updating the row of version 2 matched 0 rows, not 1" "$ERR" \
		"$e: final: names the table, the operation, the version and the count"
	lacks "applied   3_c" "$OUT" "$e: final: 3 is not reported applied"
	is "$(db_query $e "$DBURL" "SELECT version FROM strata_migrations ORDER BY version" | tr '\n' ' ')" \
		"1 " "$e: final: nothing of 2 or 3 was recorded"
	is "$(db_query $e "$DBURL" "SELECT count(*) FROM fa" 2>&1)" 0 \
		"$e: final: 1's table is there"
	case "$(db_query $e "$DBURL" "SELECT count(*) FROM fc" 2>&1)" in
	0) ok 1 "$e: final: 3 did not run" ;;
	*) ok 0 "$e: final: 3 did not run" ;;
	esac
	# The same at the end of the run: the final update commits alone.
	rm -r "$M/3_c"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up --allow-destructive
	expect_rc 1 "$e: final, last: up fails"
	has "$WHO: updating the row of version 2 matched 0 rows, not 1" "$ERR" \
		"$e: final, last: says why"

	# Normal runs are unaffected (MySQL: an UPDATE that changes nothing
	# still matches its row).
	M=$T_TMP/$e-ok
	mig $M 1_a up.sql "CREATE TABLE a (x INT);"
	mig $M 2_b up.sql "-- strata:no-transaction
CREATE TABLE b (x INT);
INSERT INTO b VALUES (1);"
	mig $M 2_b down.sql "-- strata:no-transaction
UPDATE b SET x = 2;
DROP TABLE b;"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: a normal up"
	strata --dir "$M" --url "$DBURL" down --to 1
	expect_rc 0 "$e: a normal down"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up again"

	# Rows that wait for the next commit: a skipped migration's row
	# commits with the next migration; if that one rolls back, the skip
	# is still recorded, and a run that ends with skips records them.
	case $e in sqlite) other=postgres ;; *) other=sqlite ;; esac
	M=$T_TMP/$e-later
	mig $M 1_a up.sql "CREATE TABLE la (x INT);"
	mig $M 2_elsewhere "up.$other.sql" "SELECT 1;"
	mig $M 3_bad up.sql "CREATE TABLE la (x INT);"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up
	expect_rc 1 "$e: later: the third fails"
	has "skipped   2_elsewhere (no file for driver $e; recorded)" "$OUT" \
		"$e: later: the skip is reported"
	if [ "$e" = mysql ]; then
		want="1:applied 2:skipped 3:failed "
	else
		want="1:applied 2:skipped "
	fi
	is "$(db_query $e "$DBURL" "SELECT version, status FROM strata_migrations ORDER BY version" | tr '\t\n' ': ')" \
		"$want" "$e: later: recorded although the commit it rode on failed"
	[ "$e" = mysql ] && db_query $e "$DBURL" "DELETE FROM strata_migrations WHERE version = '3'"
	mig $M 3_bad up.sql "CREATE TABLE lb (x INT);"
	mig $M 4_tail "up.$other.sql" "SELECT 1;"
	mig $M 5_tail "up.$other.sql" "SELECT 1;"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: later: up"
	is "$(db_query $e "$DBURL" "SELECT version, status FROM strata_migrations ORDER BY version" | tr '\t\n' ': ')" \
		"1:applied 2:skipped 3:applied 4:skipped 5:skipped " \
		"$e: later: skips at the end of the run are recorded"
	has "applied   3_bad" "$OUT" "$e: later: applied reported"
	strata --dir "$M" --url "$DBURL" status
	expect_rc 0 "$e: later: status: up to date"

	# A long run of skipped migrations rides on one commit, however many
	# queries its rows take (MySQL: one text query holds about 800).
	M=$T_TMP/$e-skips
	mkdir -p "$M"
	(cd "$M" && seq -f '%04g_s' 1 1300 | xargs mkdir)
	for d in "$M"/*_s; do
		printf 'SELECT 1;\n' >"$d/up.$other.sql"
	done
	mig "$M" 1301_t up.sql "CREATE TABLE lt (x INT);"
	db_new $e || { ok 1 "$e: create database"; continue; }
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: 1,300 skipped, then one applied"
	is "$(db_query $e "$DBURL" "SELECT status, count(*) FROM strata_migrations GROUP BY status ORDER BY status" | tr '\t\n' ': ')" \
		"applied:1 skipped:1300 " "$e: every skip recorded"
done

done_testing
