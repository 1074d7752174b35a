#!/bin/sh
# The everyday workflow on SQLite: init, new, up, status, history, plan,
# down, baseline.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

strata init
expect_rc 0 "init"
[ -f strata.ini ] && [ -d migrations ]
ok $? "init wrote strata.ini and migrations/"
strata init
expect_rc 2 "init refuses to overwrite"
has "strata.ini: error: already exists" "$ERR" "names the file"

mkdir -p sub
strata -c sub/strata.ini --dir db init
expect_rc 0 "init with -c and --dir"
[ -d sub/db ] && grep -q '^migrations = db$' sub/strata.ini
ok $? "folder made next to the config file, as the file will read it"

strata new "Create users!"
expect_rc 0 "new"
d=$(ls migrations)
case "$d" in [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]_create_users) ok 0 "timestamp_slug folder" ;; *) ok 1 "timestamp_slug folder ($d)" ;; esac
[ -f "migrations/$d/up.sql" ] && [ -f "migrations/$d/down.sql" ]
ok $? "up.sql and down.sql written"
strata new "create users"
expect_rc 0 "second new in the same second"
is "$(ls migrations | wc -l)" 2 "gets its own version"
rm -rf migrations/*

M=migrations
mig $M 1_users up.sql "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);"
mig $M 1_users down.sql "DROP TABLE users;"
mig $M 2_posts up.sql "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT);
INSERT INTO posts (id) VALUES (1);"
mig $M 2_posts down.sql "DROP TABLE posts;"
mig $M 2_posts up.sqlite.sql "-- the override
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT, lite INT);"
mig $M 3_pg_only up.postgres.sql "CREATE EXTENSION pgcrypto;"
mig $M 3_pg_only down.postgres.sql "DROP EXTENSION pgcrypto;"
mig $M 10_tags up.sql "CREATE TABLE tags (name TEXT);"
mig $M 10_tags down.sql "DROP TABLE tags;"
DB=sqlite:$T_TMP/app.db
: >app.db # only up and baseline create a missing database file

strata --url "$DB" status --exit-code
expect_rc 3 "status --exit-code with pending migrations"
has "1                users                        pending" "$OUT" "pending shown"

strata --url "$DB" plan
expect_rc 0 "plan"
has "-- 2_posts: migrations/2_posts/up.sqlite.sql (in one transaction with its history row)" "$OUT" \
	"plan names the override"
has "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT, lite INT);" "$OUT" \
	"plan prints the exact SQL"
has "-- 3_pg_only: skipped on sqlite" "$OUT" "plan says skipped"
[ ! -f app.db ] || [ -z "$(sqlite3 app.db .tables)" ]
ok $? "plan created nothing"

strata --url "$DB" up --to 2
expect_rc 0 "up --to 2"
has "applied   2_posts (up.sqlite.sql, 1 statement)" "$OUT" "one line per migration"
lacks "10_tags" "$OUT" "stops at --to"
strata --url "$DB" up
expect_rc 0 "up the rest"
has "skipped   3_pg_only (no file for driver sqlite; recorded)" "$OUT" "skipped recorded"
has "applied   10_tags" "$OUT" "applies 10 after 3 (numeric order)"
strata --url "$DB" up
expect_rc 0 "up again"
has "database is up to date" "$OUT" "nothing to do"

is "$(sqlite3 app.db "SELECT version, status, source, steps FROM strata_migrations ORDER BY CAST(version AS INTEGER)" | tr '\n' ' ')" \
	"1|applied|up.sql|1 2|applied|up.sqlite.sql|1 3|skipped||0 10|applied|up.sql|1 " "history rows"
is "$(sqlite3 app.db "SELECT count(*) FROM strata_migrations WHERE length(checksum) = 64 AND started_at <> '' AND finished_at <> '' AND applied_by LIKE '%@%'")" 4 \
	"history has checksum, times and who"
is "$(sqlite3 app.db "SELECT group_concat(version) FROM strata_migrations WHERE length(schema_fingerprint) = 64")" "2,10" \
	"the last migration of each run carries the schema fingerprint"
is "$(sqlite3 app.db "PRAGMA table_info(posts)" | grep -c lite)" 1 "override was run"

strata --url "$DB" status --exit-code
expect_rc 0 "status --exit-code when up to date"
has "3                pg_only                      skipped" "$OUT" "status shows skipped"
strata --url "$DB" check
expect_rc 0 "check"
strata --url "$DB" history
expect_rc 0 "history"
has "up.sqlite.sql" "$OUT" "history shows the file used"

strata --url "$DB" down
expect_rc 0 "down"
has "reverted  10_tags" "$OUT" "reverts the newest"
strata --url "$DB" down 2
expect_rc 0 "down 2"
has "reverted  3_pg_only" "$OUT" "skipped one reverted without SQL"
has "reverted  2_posts" "$OUT" "then 2"
is "$(sqlite3 app.db "SELECT group_concat(version) FROM strata_migrations")" "1" "only 1 left"
strata --url "$DB" status
lacks "schema changed outside strata" "$OUT" "no false schema drift after down"
strata --url "$DB" down --to 0
expect_rc 0 "down --to 0"
is "$(sqlite3 app.db "SELECT count(*) FROM strata_migrations")" 0 "history empty"
is "$(sqlite3 app.db ".tables" | tr -s ' \n' ' ' | sed 's/ $//')" \
	"strata_migrations strata_migrations_snapshot" \
	"all tables gone (strata's history and schema snapshot stay)"
strata --url "$DB" down
expect_rc 0 "down with nothing applied"
has "nothing to revert" "$OUT" "says so"
strata --url "$DB" down 0
expect_rc 2 "down 0 is a usage error"
strata --url "$DB" up --to 7
expect_rc 2 "up --to an unknown version"
has "no migration with version 7" "$ERR" "says so"

# baseline: adopt a database that already has the schema.
sqlite3 legacy.db "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INT, lite INT);"
strata --url sqlite:legacy.db baseline 2
expect_rc 0 "baseline 2"
has "baseline  1_users (recorded, not run)" "$OUT" "baseline lists 1"
strata --url sqlite:legacy.db up
expect_rc 0 "up after baseline"
lacks "users" "$OUT" "baselined migrations are not run"
has "applied   10_tags" "$OUT" "later ones are"
strata --url sqlite:legacy.db baseline 1
expect_rc 2 "baseline below applied migrations refused"

strata --url "$DB" frobnicate
expect_rc 2 "unknown command"
strata --url "$DB" up --bogus
expect_rc 2 "unknown option"
strata --help
expect_rc 0 "--help"
has "Exit codes:" "$OUT" "--help documents exit codes"
strata
expect_rc 2 "no command"

done_testing
