#!/bin/sh
# A script run outside a transaction that leaves one open (BEGIN without
# COMMIT, MySQL SET autocommit = 0) is a failure naming the file, not
# "applied": what it did is rolled back at disconnect, and so would the
# history row be. Its open transaction is rolled back and the failure is
# recorded durably, on up and on down.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

# open_tx ENGINE UP_SQL DOWN_SQL FAIL_SQL: UP_SQL and DOWN_SQL leave a
# transaction open; FAIL_SQL fails inside one.
open_tx() {
	e=$1
	db_new "$e" || return
	U=$DBURL
	M=$T_TMP/m_$e
	mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
	mig "$M" 2_b up.sql "$2"
	mig "$M" 2_b down.sql "DELETE FROM a;"
	strata --dir "$M" --url "$U" up
	expect_rc 1 "$e: up with a script that leaves a transaction open fails"
	has "2_b/up.sql" "$ERR" "$e: names the file"
	has "left a transaction open or turned autocommit off" "$ERR" "$e: says why"
	lacks "applied 2_b" "$OUT" "$e: 2_b is not reported applied"
	is "$(db_query "$e" "$U" "SELECT count(*) FROM a")" 0 \
		"$e: the open transaction was rolled back"
	is "$(db_query "$e" "$U" "SELECT version, status FROM strata_migrations ORDER BY version" |
		tr '\t\n' ': ')" "1:applied 2:failed " "$e: the failure is recorded durably"
	has "transaction open" "$(db_query "$e" "$U" "SELECT error FROM strata_migrations WHERE version = '2'")" \
		"$e: the history row says why"

	# Fixed and resolved, it applies; then a down that leaves one open.
	strata --dir "$M" --url "$U" resolve 2 --rolled-back
	mig "$M" 2_b up.sql "INSERT INTO a VALUES (1);"
	mig "$M" 2_b down.sql "$3"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "$e: the fixed script applies"
	strata --dir "$M" --url "$U" down 1
	expect_rc 1 "$e: down with a script that leaves a transaction open fails"
	has "2_b/down.sql" "$ERR" "$e: down names the file"
	is "$(db_query "$e" "$U" "SELECT count(*) FROM a")" 1 \
		"$e: the revert's open transaction was rolled back"
	is "$(db_query "$e" "$U" "SELECT status FROM strata_migrations WHERE version = '2'")" \
		failed "$e: the failed revert is recorded durably"

	# A statement failing inside the script's own transaction: that
	# transaction is rolled back, so the statement's error is recorded.
	strata --dir "$M" --url "$U" resolve 2 --applied
	mig "$M" 3_c up.sql "$4"
	strata --dir "$M" --url "$U" up --allow-destructive
	expect_rc 1 "$e: a statement failing in the script's transaction fails"
	is "$(db_query "$e" "$U" "SELECT count(*) FROM a")" 1 \
		"$e: that transaction was rolled back"
	is "$(db_query "$e" "$U" "SELECT status FROM strata_migrations WHERE version = '3'")" \
		failed "$e: the failure is recorded durably"
	has "nope" "$(db_query "$e" "$U" "SELECT error FROM strata_migrations WHERE version = '3'")" \
		"$e: with the statement's error, not 'interrupted'"
}

for e in $(engines); do
	case $e in
	missing-*) ok 1 "${e#missing-} server required (STRATA_TEST_REQUIRE_SERVERS=1)" ;;
	sqlite | postgres)
		open_tx "$e" "-- strata:no-transaction
BEGIN;
INSERT INTO a VALUES (1);" "-- strata:no-transaction
BEGIN;
DELETE FROM a;" "-- strata:no-transaction
BEGIN;
INSERT INTO a VALUES (3);
SELECT * FROM nope;"
		;;
	mysql)
		open_tx mysql "SET autocommit = 0;
INSERT INTO a VALUES (1);" "START TRANSACTION;
DELETE FROM a;" "START TRANSACTION;
INSERT INTO a VALUES (3);
SELECT * FROM nope;"
		;;
	esac
done

done_testing
