#!/bin/sh
# up --single-transaction: every pending migration and its history row in
# one transaction on PostgreSQL and SQLite, all or none; refused (exit 2)
# on MySQL, where DDL commits on its own, and when a pending file is
# marked -- strata:no-transaction.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

rows() { # ENGINE URL: history rows, "version:status ..."
	db_query "$1" "$2" "SELECT version, status FROM strata_migrations
		ORDER BY version" 2>/dev/null | tr '\t\n' ': '
}

has_table() { # ENGINE URL TABLE: 1 or 0
	case "$1" in
	sqlite) db_query "$1" "$2" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$3'" ;;
	postgres) db_query "$1" "$2" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$3'" ;;
	mysql) db_query "$1" "$2" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$3'" ;;
	esac
}

for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server not available"
		continue
		;;
	esac
	case $e in sqlite) other=postgres ;; *) other=sqlite ;; esac
	M=$T_TMP/$e
	mig "$M" 1_a up.sql "CREATE TABLE sa (x INT);"
	mig "$M" 2_b up.sql "CREATE TABLE sb (x INT);
INSERT INTO sb (x) VALUES (1);"
	mig "$M" 3_elsewhere "up.$other.sql" "SELECT 1;"
	mig "$M" 4_bad up.sql "CREATE TABLE sc (x INT);
INSERT INTO no_such_table (x) VALUES (1);"
	db_new "$e" || { ok 1 "$e: create a database"; continue; }

	strata --dir "$M" --url "$DBURL" up --single-transaction
	if [ "$e" = mysql ]; then
		expect_rc 2 "$e: refused"
		has "--single-transaction: mysql commits every DDL statement on its own" \
			"$ERR" "$e: says why"
		is "$(has_table "$e" "$DBURL" sa)" 0 "$e: nothing ran"
		continue
	fi
	expect_rc 1 "$e: the last migration fails"
	has "applying 4_bad: statement 2 of 2 failed" "$ERR" "$e: names it"
	lacks "applied   1_a" "$OUT" "$e: nothing reported as applied"
	is "$(rows "$e" "$DBURL")" "" "$e: no history row at all"
	is "$(has_table "$e" "$DBURL" sa)" 0 "$e: the first migration's table is gone"
	is "$(has_table "$e" "$DBURL" sc)" 0 "$e: so is the failing one's"

	mig "$M" 4_bad up.sql "CREATE TABLE sc (x INT);"
	strata --dir "$M" --url "$DBURL" up --single-transaction
	expect_rc 0 "$e: all of them"
	is "$(rows "$e" "$DBURL")" "1:applied 2:applied 3:skipped 4:applied " \
		"$e: recorded, the skip too"
	has "applied   1_a (up.sql, 1 statement, single transaction)" "$OUT" \
		"$e: reported once committed"
	has "skipped   3_elsewhere" "$OUT" "$e: the skip reported"
	strata --dir "$M" --url "$DBURL" status
	expect_rc 0 "$e: status: up to date, no drift"

	mig "$M" 5_concurrent up.sql "-- strata:no-transaction
CREATE TABLE sd (x INT);"
	mig "$M" 6_f up.sql "CREATE TABLE sf (x INT);"
	strata --dir "$M" --url "$DBURL" up --single-transaction
	expect_rc 2 "$e: a no-transaction file pending: refused"
	has "$M/5_concurrent/up.sql: error: --single-transaction: 5_concurrent is marked -- strata:no-transaction" \
		"$ERR" "$e: names the file"
	has "strata up --to 5" "$ERR" "$e: says how to go on"
	is "$(has_table "$e" "$DBURL" sf)" 0 "$e: nothing ran"
	strata --dir "$M" --url "$DBURL" up --to 5
	expect_rc 0 "$e: up --to 5"
	strata --dir "$M" --url "$DBURL" up --single-transaction
	expect_rc 0 "$e: then the rest in one transaction"
	is "$(rows "$e" "$DBURL")" \
		"1:applied 2:applied 3:skipped 4:applied 5:applied 6:applied " \
		"$e: all recorded"
	strata --dir "$M" --url "$DBURL" up --single-transaction
	expect_rc 0 "$e: nothing pending"
	has "up to date" "$OUT" "$e: says so"

	# More history rows than one round trip carries (PostgreSQL sends
	# 64 queries a round): all recorded, or none when the last fails.
	B=$T_TMP/$e-many
	i=1
	while [ $i -le 150 ]; do
		mig "$B" "$(printf '%03d' $i)_m$i" up.sql "CREATE TABLE many_$i (x INT);"
		i=$((i + 1))
	done
	mig "$B" 151_bad up.sql "CREATE TABLE many_1 (x INT);"
	db_new "$e" || { ok 1 "$e: create a database"; continue; }
	strata --dir "$B" --url "$DBURL" up --single-transaction
	expect_rc 1 "$e: 151 migrations, the last fails"
	is "$(has_table "$e" "$DBURL" many_150)" 0 "$e: none of them stays"
	rm -r "$B/151_bad"
	strata --dir "$B" --url "$DBURL" up --single-transaction
	expect_rc 0 "$e: 150 migrations in one transaction"
	is "$(db_query "$e" "$DBURL" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" \
		150 "$e: 150 history rows"
done

done_testing
