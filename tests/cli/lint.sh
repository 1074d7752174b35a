#!/bin/sh
# strata lint, and lint in up and check: without a database (every
# migration of the folder), with one on SQLite, PostgreSQL and MariaDB
# (the pending migrations, row counts raising severity), up refusing
# errors (exit 5, nothing applied) unless acknowledged or
# --allow-destructive, check exiting 5 before 3, text and JSON.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS NO_COLOR

# count_lines PATTERN TEXT: how many lines of TEXT match (grep -E).
count_lines() {
	printf '%s\n' "$2" | grep -cE -- "$1"
}

# ---------------------------------------------------------------------
# Without a database: every migration in the folder.
M=migrations
mig $M 1_users up.sql "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100));"
mig $M 1_users down.sql "DROP TABLE users;"
mig $M 2_drop_email up.sql "-- the address moves to a table of its own
ALTER TABLE users
    DROP COLUMN email;"
mig $M 2_drop_email down.sql "ALTER TABLE users ADD COLUMN email VARCHAR(100);"

strata lint --dialect postgres
expect_rc 5 "no database: an error in the folder"
has "migrations/2_drop_email/up.sql:3: error [destructive] (postgres)" "$OUT" \
	"file:line (the DROP's), severity, rule and dialect"
has "    ALTER TABLE users" "$OUT" "the statement, indented"
has "    DROP COLUMN email" "$OUT" "its next line, trimmed"
printf '%s\n' "$OUT" | grep -qE '^  fix: .+'
ok $? "the fix-it"
printf '%s\n' "$OUT" | tail -n 1 | grep -qE '^1 error, [0-9]+ warnings?$'
ok $? "a summary line"
is "$ERR" "" "nothing on stderr"
lacks "1_users" "$OUT" "a safe migration has no finding"

strata lint 1 --dialect postgres
expect_rc 0 "VERSION: only that migration"
lacks "2_drop_email" "$OUT" "the other is not linted"
strata lint 2 1 --dialect postgres
expect_rc 5 "two VERSIONs"
strata lint 0002 --dialect postgres
expect_rc 5 "a VERSION with leading zeros is the same version"
strata lint abc
expect_rc 2 "a VERSION that is not digits"
has "strata: error: lint: 'abc' is not a VERSION" "$ERR" "named"
strata lint 99
expect_rc 2 "a VERSION not in the folder"
has "99" "$ERR" "named"
strata lint 1 --all
expect_rc 2 "VERSION and --all"
strata lint --row-threshold 0
expect_rc 2 "--row-threshold 0"
has "--row-threshold needs a positive number of rows, not '0'" "$ERR" "says why"
strata lint --row-threshold 1e6
expect_rc 2 "--row-threshold 1e6"
strata lint --row-threshold=-5
expect_rc 2 "--row-threshold=-5"
strata lint --dialect ""
expect_rc 2 "--dialect ''"
strata lint --dialect postgres,,mysql
expect_rc 2 "--dialect with an empty name"
strata lint --dialect oracle
expect_rc 2 "--dialect: an unknown driver"
has "oracle" "$ERR" "named"
strata lint --dialect
expect_rc 2 "--dialect without a value"

# Every installed driver without --dialect: the same finding on each is
# one finding without a dialect.
strata lint
expect_rc 5 "every dialect"
is "$(count_lines '^migrations/2_drop_email/up.sql:3: error \[destructive\] [^(]' "$OUT")" 1 \
	"one finding for every dialect"
strata lint --dialect sqlite,mysql
expect_rc 5 "--dialect sqlite,mysql"
lacks "(postgres)" "$OUT" "not postgres"

# The folder: --dir, strata.ini's migrations key.
mkdir -p elsewhere
cp -r $M elsewhere/db
strata lint --dir elsewhere/db --dialect sqlite
expect_rc 5 "--dir"
has "elsewhere/db/2_drop_email/up.sql:3: error [destructive]" "$OUT" "the file under --dir"
printf '[default]\nmigrations = db\n' >elsewhere/strata.ini
strata lint -c elsewhere/strata.ini --dialect sqlite
expect_rc 5 "the config's migrations key"
has "elsewhere/db/2_drop_email/up.sql:3:" "$OUT" "relative to the config"

# JSON: one document.
strata lint --dialect postgres --format json
expect_rc 5 "--format json"
valid document lint "lint: the documented shape"
is "$(get '[d[0][k] for k in ("command", "target", "driver", "exit_code")]')" \
	'["lint", null, null, 5]' "no target, exit_code 5"
is "$(get '[(f["rule"], f["severity"], f["version"], f["file"], f["line"], f["dialect"], f["allowed"], f["est_rows"]) for f in d[0]["findings"] if f["rule"] == "destructive"]')" \
	'[["destructive", "error", "2", "migrations/2_drop_email/up.sql", 3, "postgres", false, null]]' \
	"the finding's members"
is "$(get 'd[0]["findings"][0]["statement"].startswith("ALTER TABLE users")')" true "the statement, whole"
is "$(get 'd[0]["counts"]["errors"], d[0]["counts"]["acknowledged"]')" '[1, 0]' "counts"
strata lint abc --format json
expect_rc 2 "--format json: a usage error"
is "$(get 'd[0]["error"]["kind"], d[0]["exit_code"]')" '["usage", 2]' "reported in JSON"

# Colour: the severity in red on a terminal or with --color=always.
strata lint --dialect postgres --color=always
has "$(printf '\033[1;31merror')" "$OUT" "--color=always: error in red"
strata lint --dialect postgres
lacks "$(printf '\033')" "$OUT" "no colour on a pipe"

# Acknowledged: -- strata:allow RULE in the file.
mig $M 2_drop_email up.sql "-- strata:allow destructive
ALTER TABLE users DROP COLUMN email;"
strata lint --dialect postgres
expect_rc 0 "acknowledged: exit 0"
lacks "[destructive]" "$OUT" "not printed"
has "(1 acknowledged" "$OUT" "counted in the summary"
strata lint --dialect postgres -v
expect_rc 0 "-v"
has "migrations/2_drop_email/up.sql:2: error (allowed) [destructive]" "$OUT" "-v: printed, marked"
strata lint --dialect postgres --format json
is "$(get '[f["allowed"] for f in d[0]["findings"] if f["rule"] == "destructive"], d[0]["counts"]["acknowledged"], d[0]["exit_code"]')" \
	'[[true], 1, 0]' "JSON: allowed, counted, exit 0"

# Warnings pass unless --warnings-as-errors.
rm -r $M/2_drop_email
mig $M 2_rename up.sql "ALTER TABLE users RENAME COLUMN email TO mail;"
mig $M 2_rename down.sql "ALTER TABLE users RENAME COLUMN mail TO email;"
strata lint --dialect postgres
expect_rc 0 "warnings only: exit 0"
has "warning [rename]" "$OUT" "the warning is printed"
printf '%s\n' "$OUT" | tail -n 1 | grep -qE '^0 errors, [1-9][0-9]* warnings?$'
ok $? "and counted"
strata lint --dialect postgres --warnings-as-errors
expect_rc 5 "--warnings-as-errors"
strata lint --dialect postgres --warnings-as-errors --format json
is "$(get 'd[0]["exit_code"]')" 5 "--warnings-as-errors: exit_code 5 in JSON"

# -q: findings still print, the summary only when there is something.
strata lint 1 --dialect sqlite -q
expect_rc 0 "-q, nothing found"
is "$OUT" "" "-q: nothing printed"
strata lint --dialect postgres -q
has "warning [rename]" "$OUT" "-q: findings still printed"

# ---------------------------------------------------------------------
# With a database: the pending migrations; up refuses; check exits 5.

# A table of 50 rows, with statistics so that its row count is known.
rows_sql() {
	i=1 v=""
	while [ $i -le 50 ]; do
		v="$v${v:+, }($i, 'u$i@example.com')"
		i=$((i + 1))
	done
	echo "INSERT INTO users (id, email) VALUES $v;"
}

analyze() {
	case "$1" in
	sqlite) db_query "$1" "$2" "ANALYZE" ;;
	postgres) db_query "$1" "$2" "ANALYZE users" ;;
	mysql) db_query "$1" "$2" "ANALYZE TABLE users" >/dev/null ;;
	esac
}

for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server required (STRATA_TEST_REQUIRE_SERVERS=1)"
		continue
		;;
	esac
	db_new "$e" || {
		ok 1 "$e: create a database"
		continue
	}
	url=$DBURL
	D=$T_TMP/m_$e
	mig "$D" 1_users up.sql "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100), nick VARCHAR(20));
$(rows_sql)"
	mig "$D" 1_users down.sql "DROP TABLE users;"
	mig "$D" 2_drop_email up.sql "ALTER TABLE users DROP COLUMN email;"
	mig "$D" 2_drop_email down.sql "ALTER TABLE users ADD COLUMN email VARCHAR(100);"
	strata --url "$url" --dir "$D" up --to 1
	expect_rc 0 "$e: the first migration (no finding)"
	analyze "$e" "$url"

	# lint with a database: the pending ones only.
	strata --url "$url" --dir "$D" lint
	expect_rc 5 "$e: lint: the pending migration's error"
	has "2_drop_email/up.sql:1: error [destructive] ($e)" "$OUT" "$e: with the target's dialect"
	has "[users: ~50 rows]" "$OUT" "$e: the table's row count"
	lacks "1_users" "$OUT" "$e: not the applied one"
	strata --url "$url" --dir "$D" lint --format json
	valid document lint "$e: lint JSON: the documented shape"
	is "$(get '[d[0]["driver"], [f["est_rows"] for f in d[0]["findings"] if f["rule"] == "destructive"]]')" \
		"[\"$e\", [50]]" "$e: lint JSON: driver, est_rows"

	# up refuses: exit 5, the findings, nothing applied.
	strata --url "$url" --dir "$D" up
	expect_rc 5 "$e: up refuses a destructive migration"
	has "error" "$(printf '%s\n' "$ERR" | head -n 1)" "$e: the error line first"
	has "2_drop_email/up.sql:1: error [destructive] ($e)" "$ERR" "$e: then the findings, on stderr"
	has "--allow-destructive" "$ERR" "$e: names the way out"
	lacks "applied" "$OUT" "$e: nothing applied"
	is "$(db_query "$e" "$url" "SELECT COUNT(*) FROM strata_migrations")" 1 "$e: nothing recorded"
	is "$(db_query "$e" "$url" "SELECT COUNT(email) FROM users")" 50 "$e: the column is still there"
	strata --url "$url" --dir "$D" up --format json
	expect_rc 5 "$e: up --format json refuses"
	valid events up "$e: up JSON: lint, error, summary events"
	is "$(get '[x["event"] for x in d]')" '["lint", "error", "summary"]' "$e: up JSON: the events"
	is "$(get 'd[0]["counts"]["errors"] >= 1, d[1]["error"]["kind"], d[2]["exit_code"]')" \
		'[true, "lint", 5]' "$e: up JSON: counts, kind lint, exit_code 5"

	# check: exit 5 before 3.
	strata --url "$url" --dir "$D" check
	expect_rc 5 "$e: check: lint errors in a pending migration"
	has "pending" "$OUT" "$e: check: the status"
	has "2_drop_email/up.sql:1: error [destructive]" "$OUT" "$e: check: the findings"
	strata --url "$url" --dir "$D" check --format json
	expect_rc 5 "$e: check --format json"
	valid document check "$e: check JSON: the documented shape"
	is "$(get 'd[0]["lint"]["counts"]["errors"] >= 1, d[0]["problems"], d[0]["exit_code"]')" \
		'[true, true, 5]' "$e: check JSON: lint, problems, exit_code 5"
	strata --url "$url" --dir "$D" check -q
	expect_rc 5 "$e: check -q"
	is "$OUT" "" "$e: check -q: silent"

	# Row counts raise a finding to an error above --row-threshold: an
	# index built under a write lock (PostgreSQL, SQLite), a MySQL change
	# that copies the table.
	mig "$D" 3_index up.sql "CREATE INDEX users_nick ON users (nick);"
	mig "$D" 3_index down.sql "DROP INDEX users_nick;"
	mig "$D" 3_index up.mysql.sql "ALTER TABLE users MODIFY nick BIGINT;"
	mig "$D" 3_index down.mysql.sql "ALTER TABLE users MODIFY nick VARCHAR(20);"
	strata --url "$url" --dir "$D" lint 3 --dialect "$e"
	expect_rc 0 "$e: on 50 rows, no error"
	lacks "error [blocking-index]" "$OUT" "$e: not an error"
	strata --url "$url" --dir "$D" lint 3 --dialect "$e" --row-threshold 10
	expect_rc 5 "$e: --row-threshold 10: an error"
	has "3_index/up$([ "$e" = mysql ] && echo .mysql).sql:1: error [blocking-index] ($e)" "$OUT" "$e: raised"
	printf '%s\n' "$OUT" | grep -qE '\[users: ~[0-9,]+ rows\]'
	ok $? "$e: with the count"
	strata --url "$url" --dir "$D" lint 3 --dialect "$e" --row-threshold 10 --format json
	is "$(get '[(f["severity"], f["table"], f["est_rows"] > 10) for f in d[0]["findings"] if f["rule"] == "blocking-index"]')" \
		'[["error", "users", true]]' "$e: JSON: severity, table, est_rows"
	strata --url "$url" --dir "$D" lint 3 --dialect "$e" --row-threshold 1000
	expect_rc 0 "$e: --row-threshold 1000: no error"
	rm -r "$D/3_index"

	# A table renamed by an earlier pending migration keeps its rows.
	R=$T_TMP/r_$e
	mkdir -p "$R"
	cp -r "$D/1_users" "$R/"
	mig "$R" 5_rename up.sql "ALTER TABLE users RENAME TO people;"
	mig "$R" 6_index up.sql "CREATE INDEX people_nick ON people (nick);"
	mig "$R" 6_index up.mysql.sql "ALTER TABLE people MODIFY nick BIGINT;"
	strata --url "$url" --dir "$R" lint --row-threshold 10
	expect_rc 5 "$e: renamed by a pending migration: an error"
	has "error [blocking-index]" "$OUT" "$e: on the renamed table"
	has "[people: ~50 rows]" "$OUT" "$e: with the rows of the table it was"

	# --allow-destructive applies it.
	strata --url "$url" --dir "$D" up --allow-destructive
	expect_rc 0 "$e: up --allow-destructive"
	has "applied   2_drop_email" "$OUT" "$e: applied"
	strata --url "$url" --dir "$D" lint
	expect_rc 0 "$e: lint: nothing pending, nothing found"
	strata --url "$url" --dir "$D" lint --all
	expect_rc 5 "$e: lint --all: the applied ones too"
	strata --url "$url" --dir "$D" check
	expect_rc 0 "$e: check: up to date"

	# -- strata:allow destructive lets up apply it.
	mig "$D" 4_drop_nick up.sql "-- strata:allow destructive
ALTER TABLE users DROP COLUMN nick;"
	mig "$D" 4_drop_nick down.sql "ALTER TABLE users ADD COLUMN nick VARCHAR(20);"
	strata --url "$url" --dir "$D" check
	expect_rc 3 "$e: check: an acknowledged finding leaves exit 3 (pending)"
	strata --url "$url" --dir "$D" up
	expect_rc 0 "$e: up: an acknowledged finding does not block"
	has "applied   4_drop_nick" "$OUT" "$e: applied"
done

# ---------------------------------------------------------------------
# The dialects are read side by side (SQLite on a thread of its own): the
# error reported is the one a pass in version order meets first, whichever
# dialect meets it, and the findings are the same on every run.
side_by_side() { # side_by_side FIRST SECOND: FIRST's file breaks earlier
	P=$T_TMP/side-$1
	mig "$P" 1_a up.sql "CREATE TABLE a (x INT);"
	mig "$P" 1_a down.sql "DROP TABLE a;"
	mig "$P" 2_b up.sql "ALTER TABLE a ADD COLUMN y INT;"
	mig "$P" 2_b down.sql "ALTER TABLE a DROP COLUMN y;"
	mig "$P" 3_c "up.$1.sql" "SELECT 'unterminated;"
	mig "$P" 4_d "up.$2.sql" "SELECT 'unterminated;"
	for order in "$1,$2" "$2,$1"; do
		for run in 1 2 3; do
			strata --dir "$P" lint --dialect "$order"
			expect_rc 2 "$1 breaks first, --dialect $order, run $run"
			has "3_c/up.$1.sql:1: error:" "$ERR" \
				"$1 breaks first, --dialect $order, run $run: its file"
		done
	done
}
side_by_side sqlite postgres
side_by_side postgres sqlite

F=$T_TMP/side-findings
mig "$F" 1_a up.sql "CREATE TABLE a (x INT, y INT);"
mig "$F" 2_b up.sql "ALTER TABLE a DROP COLUMN y;
CREATE INDEX a_x ON a (x);
ALTER TABLE a RENAME COLUMN x TO z;"
mig "$F" 3_c up.sql "ALTER TABLE a ALTER COLUMN z TYPE BIGINT;"
strata --dir "$F" lint --dialect postgres,mysql,sqlite
FIRST=$OUT
same=0
for run in 1 2 3 4 5; do
	strata --dir "$F" lint --dialect sqlite,mysql,postgres
	[ "$OUT" = "$FIRST" ] || same=1
done
ok $same "the same findings on every run, in every dialect order"
has "sqlite rejects" "$FIRST" "with SQLite's own"

done_testing
