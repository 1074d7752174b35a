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
done

done_testing
