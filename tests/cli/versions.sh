#!/bin/sh
# Versions and the history, on every engine: versions of any length ordered
# as numbers, an older BIGINT history table, history rows strata does not
# understand, out-of-order migrations, repair, and checking every file
# (its splitting and, on every engine, its grammar) before running any.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
K1=20240101120000000001
K2=20240101120000000002

# Recorded versions in numeric order, space-separated.
versions() { # ENGINE URL
	db_query "$1" "$2" "SELECT version FROM strata_migrations" 2>/dev/null |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}

# A history table made by hand, owned by the user strata connects as.
own_table() { # ENGINE URL
	[ "$1" != postgres ] || db_query "$1" "$2" "ALTER TABLE strata_migrations OWNER TO strata"
}

# The names of the migrations a command printed, in order.
printed() { # VERB
	printf '%s\n' "$OUT" | awk -v v="$1" '$1 == v { print $2 }' | tr '\n' ' ' | sed 's/ $//'
}

table_count() { # ENGINE URL TABLE
	case "$1" in
	sqlite) db_query "$1" "$2" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$3'" ;;
	postgres) db_query "$1" "$2" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$3'" ;;
	mysql) db_query "$1" "$2" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$3'" ;;
	esac
}

pair() { # DIR ID TABLE: a migration creating TABLE, and its down
	mig "$1" "$2" up.sql "CREATE TABLE $3 (x INT);"
	mig "$1" "$2" down.sql "DROP TABLE $3;"
}

# Item 12: digit strings of any length, ordered as numbers; item 10.
long_versions() {
	e=$1 M=$T_TMP/$1-long
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 10_tags tags
	pair "$M" 0002_webauthn webauthn
	pair "$M" ${K2}_kratos2 kratos2
	pair "$M" ${K1}_kratos1 kratos1
	strata --dir "$M" --url "$url" up --to "$K1"
	expect_rc 0 "$e: up --to a 20-digit version"
	is "$(printed applied)" "0002_webauthn 10_tags ${K1}_kratos1" \
		"$e: 0002 before 10 before 20 digits, named as the folders are"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up the rest"
	is "$(printed applied)" "${K2}_kratos2" "$e: the last 20-digit one"
	is "$(versions "$e" "$url")" "0002 10 $K1 $K2" "$e: stored as written, as text"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 0 "$e: status clean"
	has "$K2" "$OUT" "$e: status shows the 20-digit version"
	has "0002             webauthn" "$OUT" "$e: and 0002 as written"
	strata --dir "$M" --url "$url" history
	expect_rc 0 "$e: history"
	has "$K1" "$OUT" "$e: history shows text versions"
	strata --dir "$M" --url "$url" check
	expect_rc 0 "$e: check"

	strata --dir "$M" --url "$url" up --to 0
	expect_rc 2 "$e: up --to 0"
	has "down --to 0" "$ERR" "$e: with a hint"
	strata --dir "$M" --url "$url" plan --to 000
	expect_rc 2 "$e: plan --to 000"
	has "down --to 0" "$ERR" "$e: plan has the hint too"
	strata --dir "$M" --url "$url" up --to 12x
	expect_rc 2 "$e: --to takes digits only"

	strata --dir "$M" --url "$url" down
	expect_rc 0 "$e: down"
	is "$(printed reverted)" "${K2}_kratos2" "$e: reverts the highest version"
	strata --dir "$M" --url "$url" down --to 10
	expect_rc 0 "$e: down --to 10"
	is "$(printed reverted)" "${K1}_kratos1" "$e: down to a version"
	strata --dir "$M" --url "$url" down --to 0
	expect_rc 0 "$e: down --to 0 reverts everything"
	is "$(printed reverted)" "10_tags 0002_webauthn" "$e: newest first"
	is "$(versions "$e" "$url")" "" "$e: history empty"
}

# A history table created by the previous release has a BIGINT version.
legacy_table() {
	e=$1 M=$T_TMP/$1-legacy
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	db_query "$e" "$url" "CREATE TABLE strata_migrations (version BIGINT NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL, source VARCHAR(255) NOT NULL, status VARCHAR(16) NOT NULL, started_at VARCHAR(32) NOT NULL, finished_at VARCHAR(32), duration_ms BIGINT, applied_by VARCHAR(255) NOT NULL, steps INTEGER NOT NULL DEFAULT 0, error TEXT, schema_fingerprint CHAR(64))"
	own_table "$e" "$url"
	pair "$M" 0002_a la
	pair "$M" 10_b lb
	mig "$M" 11_c up.sql "-- strata:no-transaction
CREATE TABLE lc (x INT);"
	mig "$M" 11_c down.sql "-- strata:no-transaction
DROP TABLE lc;"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up into a BIGINT history table"
	is "$(db_query "$e" "$url" "SELECT version FROM strata_migrations" | sort -n | tr '\n' ' ')" "2 10 11 " \
		"$e: stored as numbers there"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 0 "$e: rows matched to 0002_a as numbers"
	strata --dir "$M" --url "$url" down 3
	expect_rc 0 "$e: down through the BIGINT table"
	is "$(db_query "$e" "$url" "SELECT count(*) FROM strata_migrations")" 0 "$e: rows deleted"

	# A 20-digit version does not fit BIGINT: refused before anything
	# runs, with the statements that change the column.
	pair "$M" "${K1}_k" lk
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a 20-digit version into a BIGINT table is refused"
	has "version $K1 is too large" "$ERR" "$e: naming the version"
	is "$(db_query "$e" "$url" "SELECT count(*) FROM strata_migrations")" 0 "$e: nothing ran"
	strata --dir "$M" --url "$url" baseline "$K1"
	expect_rc 2 "$e: baseline refuses it too"
	case $e in
	sqlite) want="RENAME TO strata_history_old" ;;
	postgres) want="ALTER COLUMN version TYPE VARCHAR(255)" ;;
	mysql) want="MODIFY version VARCHAR(255) NOT NULL" ;;
	esac
	has "$want" "$ERR" "$e: giving the fix"
	fix=$(printf '%s\n' "$ERR" | sed -n 's/.*to text first: //p')
	strata --dir "$M" --url "$url" up --to 11
	expect_rc 0 "$e: up to a version that fits still works"
	db_query "$e" "$url" "$fix"
	own_table "$e" "$url"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up after the suggested fix"
	is "$(versions "$e" "$url")" "2 10 11 $K1" "$e: the 20-digit version recorded exactly"
}

# Item 6: statuses strata never writes, and NULLs anywhere.
unknown_status() {
	e=$1 M=$T_TMP/$1-unknown
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 1_a ua
	pair "$M" 2_b ub
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up"
	for bad in garbage FAILED 'failed '; do
		db_query "$e" "$url" "UPDATE strata_migrations SET status = '$bad' WHERE version = '2'"
		strata --dir "$M" --url "$url" status
		expect_rc 0 "$e: status with status '$bad'"
		has "'$bad'" "$OUT" "$e: status shows the value '$bad'"
		has "2                b                            unknown" "$OUT" "$e: as unknown, not applied"
		strata --dir "$M" --url "$url" status --exit-code
		expect_rc 3 "$e: status --exit-code on '$bad'"
		strata --dir "$M" --url "$url" check
		expect_rc 3 "$e: check on '$bad'"
		strata --dir "$M" --url "$url" up
		expect_rc 3 "$e: up refuses '$bad'"
		has "2_b (status '$bad')" "$ERR" "$e: naming the version and the value"
		strata --dir "$M" --url "$url" down
		expect_rc 3 "$e: down refuses '$bad'"
	done
	is "$(table_count "$e" "$url" ub)" 1 "$e: nothing was reverted"

	# The "failed" row of a killed run has no finished_at.
	db_query "$e" "$url" "UPDATE strata_migrations SET status = 'failed', finished_at = NULL, error = 'interrupted' WHERE version = '2'"
	strata --dir "$M" --url "$url" up
	expect_rc 1 "$e: up on an interrupted row"
	has "(started, never finished)" "$ERR" "$e: says when it started"
	lacks "an unknown time" "$ERR" "$e: not 'an unknown time'"

	# A version that is not digits is a bad version, not a bad status.
	db_query "$e" "$url" "UPDATE strata_migrations SET status = 'applied', version = '2x' WHERE version = '2'"
	strata --dir "$M" --url "$url" status
	has "history version '2x' is not digits" "$OUT" "$e: status says the version is bad"
	lacks "is not one strata writes" "$OUT" "$e: not that 'applied' is a bad status"
	strata --dir "$M" --url "$url" up
	expect_rc 3 "$e: up refuses a non-digit version"
	has "(version '2x' is not digits)" "$ERR" "$e: naming the bad version"
	lacks "status 'applied'" "$ERR" "$e: not its status"

	# A table without NOT NULL constraints: NULL in every column.
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	db_query "$e" "$url" "CREATE TABLE strata_migrations (version VARCHAR(255), name VARCHAR(255), checksum CHAR(64), source VARCHAR(255), status VARCHAR(16), started_at VARCHAR(32), finished_at VARCHAR(32), duration_ms BIGINT, applied_by VARCHAR(255), steps INTEGER, error TEXT, schema_fingerprint CHAR(64))"
	own_table "$e" "$url"
	db_query "$e" "$url" "INSERT INTO strata_migrations (version) VALUES (NULL)"
	db_query "$e" "$url" "INSERT INTO strata_migrations (version) VALUES ('1')"
	strata --dir "$M" --url "$url" status
	expect_rc 0 "$e: status with NULL columns does not crash"
	has "history status is NULL" "$OUT" "$e: reports the NULL status"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 3 "$e: status --exit-code on NULLs"
	strata --dir "$M" --url "$url" up
	expect_rc 3 "$e: up refuses NULL rows"
	has "1_a (status NULL)" "$ERR" "$e: naming the version"
	strata --dir "$M" --url "$url" down
	expect_rc 3 "$e: down refuses NULL rows"
	strata --dir "$M" --url "$url" history
	expect_rc 0 "$e: history with NULL columns"
	strata --dir "$M" --url "$url" plan
	expect_rc 3 "$e: plan refuses NULL rows"
}

# Item 7: a merged branch brings a migration older than the newest applied.
out_of_order() {
	e=$1 M=$T_TMP/$1-ooo
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 10_a oa
	pair "$M" 30_c oc
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up 10 and 30"
	pair "$M" 20_b ob
	pair "$M" 40_d od
	strata --dir "$M" --url "$url" up
	expect_rc 3 "$e: up refuses an older pending migration"
	has "20_b" "$ERR" "$e: names it"
	has "(30_c)" "$ERR" "$e: and the newest applied one"
	has "--allow-out-of-order" "$ERR" "$e: and the way out"
	is "$(versions "$e" "$url")" "10 30" "$e: nothing ran, not even 40"
	strata --dir "$M" --url "$url" plan
	expect_rc 3 "$e: plan says so too"
	has "20_b" "$ERR" "$e: plan names it"
	strata --dir "$M" --url "$url" up --allow-out-of-order
	expect_rc 0 "$e: up --allow-out-of-order"
	is "$(printed applied)" "20_b 40_d" "$e: applies both"
	has "20_b is older than applied migrations" "$ERR" "$e: warns"
	strata --dir "$M" --url "$url" check
	expect_rc 0 "$e: no false drift afterwards"

	pair "$M" 25_e oe
	printf '[default]\nurl = %s\nmigrations = %s\nout_of_order = allow\n' "$url" "$M" >"$e-ooo.ini"
	strata -c "$e-ooo.ini" up
	expect_rc 0 "$e: out_of_order = allow in the config"
	is "$(printed applied)" "25_e" "$e: applied alone"
	strata -c "$e-ooo.ini" status --exit-code
	expect_rc 0 "$e: status compares with the latest run, not the highest version"
	lacks "schema changed outside strata" "$OUT" "$e: no drift warning"
	strata -c "$e-ooo.ini" down
	expect_rc 0 "$e: down reverts 40_d"
	strata -c "$e-ooo.ini" status
	expect_rc 0 "$e: status after down"
	has "40               d                            pending" "$OUT" "$e: 40 pending again"
	lacks "schema changed outside strata" "$OUT" "$e: no false drift after down"
	printf '[default]\nurl = %s\nmigrations = %s\nout_of_order = maybe\n' "$url" "$M" >"$e-bad.ini"
	strata -c "$e-bad.ini" status
	expect_rc 2 "$e: out_of_order must be refuse or allow"
	has "out_of_order" "$ERR" "$e: names the key"
}

# Item 14: accept an edited applied file deliberately.
repair() {
	e=$1 M=$T_TMP/$1-repair
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 1_a ra
	pair "$M" 0002_b rb
	pair "$M" 3_c rc
	strata --dir "$M" --url "$url" up --to 2
	expect_rc 0 "$e: up to 2"
	strata --dir "$M" --url "$url" repair
	expect_rc 0 "$e: repair with nothing to repair"
	has "nothing to repair" "$OUT" "$e: says so"
	printf -- '-- a comment\nCREATE TABLE ra (x INT);\n' >"$M/1_a/up.sql"
	printf -- '-- another\nCREATE TABLE rb (x INT);\n' >"$M/0002_b/up.sql"
	old=$(db_query "$e" "$url" "SELECT checksum FROM strata_migrations WHERE version = '1'" | cut -c1-12)
	strata --dir "$M" --url "$url" up
	expect_rc 3 "$e: up refuses the edited files"
	strata --dir "$M" --url "$url" repair 3
	expect_rc 2 "$e: repair of a pending migration"
	has "3_c is pending" "$ERR" "$e: says it is not modified"
	strata --dir "$M" --url "$url" repair 1
	expect_rc 0 "$e: repair 1"
	new=$(db_query "$e" "$url" "SELECT checksum FROM strata_migrations WHERE version = '1'" | cut -c1-12)
	has "1_a: checksum $old -> $new" "$OUT" "$e: prints old -> new"
	lacks "0002_b" "$OUT" "$e: only the one named"
	strata --dir "$M" --url "$url" repair 1
	expect_rc 2 "$e: 1 is no longer modified"
	strata --dir "$M" --url "$url" repair
	expect_rc 0 "$e: repair the rest"
	has "repaired  0002_b: checksum" "$OUT" "$e: by its folder name"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up runs again"
	is "$(printed applied)" "3_c" "$e: and applies 3"
	strata --dir "$M" --url "$url" check
	expect_rc 0 "$e: clean"
}

# Item 9: every file is read, split and validated before anything runs.
validate_first() {
	e=$1 M=$T_TMP/$1-valid
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 1_a va
	pair "$M" 2_b vb
	mig "$M" 3_c up.sql "CREATE TABLE vc (x VARCHAR(9));
INSERT INTO vc VALUES ('oops);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: up with an unterminated string in 3"
	has "3_c/up.sql" "$ERR" "$e: names the file"
	is "$(versions "$e" "$url")" "" "$e: nothing recorded"
	is "$(table_count "$e" "$url" va)" 0 "$e: nothing run"
	strata --dir "$M" --url "$url" plan
	expect_rc 2 "$e: plan too"
	strata --dir "$M" --url "$url" baseline 3
	expect_rc 2 "$e: baseline too"
	is "$(versions "$e" "$url")" "" "$e: nothing recorded by baseline"
	strata --dir "$M" --url "$url" up --to 2
	expect_rc 0 "$e: up --to 2 does not need 3"
	mig "$M" 1_a down.sql "DROP TABLE 'va;"
	strata --dir "$M" --url "$url" down 2
	expect_rc 2 "$e: down with a broken down file in the second"
	is "$(versions "$e" "$url")" "1 2" "$e: nothing reverted"
	is "$(table_count "$e" "$url" vb)" 1 "$e: 2 is still there"
}

# Item 9 for the grammar: a typo the database's parser rejects, in the
# second pending file, stops up and plan at file:line before the first
# runs (MySQL: the driver's prepare parses each pending statement on the
# session). Valid statements on tables an earlier pending file creates,
# '?' in strings and comments, a DELIMITER body, and statements after a
# sql_mode change are not refused.
grammar_first() {
	e=$1 M=$T_TMP/$1-grammar
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mig "$M" 1_a up.sql "CREATE TABLE ga (id INT, note VARCHAR(20));"
	mig "$M" 2_b up.sql "INSERT INTO ga (id, note) VALUES (1, 'why?'); -- and?
CREATE INDEX ga_note ON ga (note);
CREAT TABLE gb (id INT);"
	mig "$M" 3_c up.sql "CREATE TABLE gc (id INT);
INSERT INTO ga (id, note) SELECT 2, '?' FROM gc WHERE 1 = 0;"
	mig "$M" 3_c up.mysql.sql "DELIMITER //
CREATE PROCEDURE gp(IN n INT)
BEGIN
  INSERT INTO ga (id, note) VALUES (n, 'what?');
END//
DELIMITER ;
CALL gp(2);
SET SESSION sql_mode = CONCAT(@@sql_mode, ',ANSI_QUOTES');
CREATE TABLE \"gc\" (\"id\" INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: up with CREAT TABLE in the second file"
	has "2_b/up.sql:3:" "$ERR" "$e: names file:line"
	is "$(versions "$e" "$url")" "" "$e: nothing recorded"
	is "$(table_count "$e" "$url" ga)" 0 "$e: the first file did not run"
	strata --dir "$M" --url "$url" plan
	expect_rc 2 "$e: plan refuses it too"
	has "2_b/up.sql:3:" "$ERR" "$e: plan names file:line"
	# --allow-destructive lets lint errors through, not SQL the
	# database rejects: that would fail half-way through the run.
	strata --dir "$M" --url "$url" up --allow-destructive
	expect_rc 2 "$e: up --allow-destructive refuses it as well"
	has "2_b/up.sql:3:" "$ERR" "$e: naming file:line"
	is "$(table_count "$e" "$url" ga)" 0 "$e: and nothing ran"
	mig "$M" 2_b up.sql "INSERT INTO ga (id, note) VALUES (1, 'why?'); -- and?
CREATE INDEX ga_note ON ga (note);
CREATE TABLE gb (id INT);"
	strata --dir "$M" --url "$url" plan
	expect_rc 0 "$e: plan with the typo fixed"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up runs statements on tables pending files create"
	is "$(versions "$e" "$url")" "1 2 3" "$e: all recorded"
	is "$(table_count "$e" "$url" gc)" 1 "$e: the last file ran whole"
	if [ "$e" = mysql ]; then
		is "$(db_query "$e" "$url" "SELECT note FROM ga ORDER BY id" | tr '\n' ',')" \
			"why?,what?," "$e: the DELIMITER procedure ran"
	fi
}

# The same across many files (MySQL sends the checks many to a round
# trip): every typo is found at its file:line, a statement that fails to
# prepare for another reason (its table is still to be created) does not
# hide the rest, and a statement too long to share a round trip is
# checked on its own.
grammar_many() {
	e=$1 M=$T_TMP/$1-grammar-many
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mkdir -p "$M"
	i=1
	while [ $i -le 300 ]; do
		d=$M/$(printf '%03d' $i)_m
		mkdir -p "$d"
		printf 'CREATE TABLE gm%d (id INT);\nINSERT INTO gm%d VALUES (%d);\n' \
			$i $i $i >"$d/up.sql"
		i=$((i + 1))
	done
	printf 'CREATE TABLE gm2 (id INT);\nINSRT INTO gm2 VALUES (2);\n' \
		>"$M/002_m/up.sql"
	printf 'CREATE TABLE gm150 (id INT);\n\nSELEC 1;\n' >"$M/150_m/up.sql"
	{
		printf 'CREATE TABLE gm299 (id INT);\nINSERT INTO gm299 VALUES (0)'
		i=0
		while [ $i -lt 12000 ]; do
			printf ',(%d)' $i
			i=$((i + 1))
		done
		printf ' WHER 1;\n'
	} >"$M/299_m/up.sql"
	# lint never creates a database file
	case "$url" in sqlite:*) : >"${url#sqlite:}" ;; esac
	strata --dir "$M" --url "$url" lint
	expect_rc 5 "$e: lint of 300 files with three typos"
	has "002_m/up.sql:2:" "$OUT" "$e: the first typo at file:line"
	has "150_m/up.sql:3:" "$OUT" "$e: the second"
	has "299_m/up.sql:2:" "$OUT" "$e: the long statement's"
	is "$(printf '%s\n' "$OUT" | grep -c 'error \[dialect-unsupported\]')" 3 \
		"$e: those three and no other"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: up refuses them"
	is "$(versions "$e" "$url")" "" "$e: nothing ran"
}

# A failed non-transactional revert says "reverting" once.
failed_revert() {
	e=$1 M=$T_TMP/$1-revert
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 1_a fa
	mig "$M" 1_a down.sql "-- strata:no-transaction
DROP TABLE fa;
DROP TABLE no_such_table;"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up"
	strata --dir "$M" --url "$url" down
	expect_rc 1 "$e: failing revert"
	strata --dir "$M" --url "$url" status
	has "reverting 1_a: statement 2 of 2 failed" "$OUT" "$e: recorded error says what failed"
	lacks "while reverting: reverting" "$OUT" "$e: without repeating itself"
}

# A version-0 migration (Diesel's initial setup) is reverted by --to 0;
# down refuses before reverting anything when a file is missing.
down_edges() {
	e=$1 M=$T_TMP/$1-down
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	pair "$M" 00000000000000_diesel_initial_setup d0
	pair "$M" 1_a da
	pair "$M" 2_b db
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up with a version-0 migration"
	strata --dir "$M" --url "$url" down 4294967297
	expect_rc 2 "$e: down 4294967297 is a usage error"
	is "$(versions "$e" "$url")" "00000000000000 1 2" "$e: nothing reverted"
	rm "$M/2_b/down.sql"
	strata --dir "$M" --url "$url" down
	expect_rc 2 "$e: down without a down file exits 2"
	has "no down file" "$ERR" "$e: saying so"
	mig "$M" 2_b down.sql "DROP TABLE db;"
	mv "$M/2_b" "$T_TMP/$e-2_b"
	strata --dir "$M" --url "$url" down
	expect_rc 2 "$e: down with the folder gone exits 2"
	has "its migration folder is gone" "$ERR" "$e: saying so"
	is "$(versions "$e" "$url")" "00000000000000 1 2" "$e: still nothing reverted"
	mv "$T_TMP/$e-2_b" "$M/2_b"
	strata --dir "$M" --url "$url" down --to 0
	expect_rc 0 "$e: down --to 0"
	is "$(printed reverted)" "2_b 1_a 00000000000000_diesel_initial_setup" \
		"$e: reverts everything, version 0 included"
	is "$(versions "$e" "$url")" "" "$e: history empty"
	is "$(table_count "$e" "$url" d0)" 0 "$e: version 0's down ran"
}

# A migration recorded as skipped (no file for this driver) that gains one:
# up names it and the way out; repair never claims all is well.
skipped_gains_file() {
	e=$1 M=$T_TMP/$1-skipfile
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	other=sqlite
	[ "$e" != sqlite ] || other=postgres
	pair "$M" 1_a sa
	mig "$M" 2_b "up.$other.sql" "CREATE TABLE sb (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up records 2_b as skipped"
	has "2_b" "$OUT" "$e: it is listed"
	pair "$M" 2_b sb
	strata --dir "$M" --url "$url" up
	expect_rc 3 "$e: up refuses the skipped migration that has a file now"
	has "2_b is recorded as skipped" "$ERR" "$e: naming it"
	has "'strata down --to 1'" "$ERR" "$e: and the way out"
	strata --dir "$M" --url "$url" repair
	expect_rc 2 "$e: repair refuses it"
	lacks "matches its file" "$OUT" "$e: without claiming all is well"
	has "2_b is recorded as skipped" "$ERR" "$e: repair names it"
	strata --dir "$M" --url "$url" repair 2
	expect_rc 2 "$e: repair 2 refuses it"
	has "2_b is recorded as skipped" "$ERR" "$e: with the same words"
	strata --dir "$M" --url "$url" down --to 1
	expect_rc 0 "$e: down --to 1 removes the skipped row"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: then up runs it"
	is "$(table_count "$e" "$url" sb)" 1 "$e: its table exists"
}

for e in $(engines); do
	case "$e" in missing-*) ok 1 "$e server (STRATA_TEST_REQUIRE_SERVERS=1)"; continue ;; esac
	long_versions "$e"
	legacy_table "$e"
	unknown_status "$e"
	out_of_order "$e"
	repair "$e"
	validate_first "$e"
	grammar_first "$e"
	grammar_many "$e"
	failed_revert "$e"
	down_edges "$e"
	skipped_gains_file "$e"
done
done_testing
