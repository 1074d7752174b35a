#!/bin/sh
# Failures on SQLite: loud, located, and never half-applied or unrecorded.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
M=$T_TMP/m
DB=sqlite:$T_TMP/f.db

mig $M 1_ok up.sql "CREATE TABLE a (x INT);"
mig $M 1_ok down.sql "DROP TABLE a;"
mig $M 2_bad up.sql "-- creates b, then fails
CREATE TABLE b (x INT);

INSERT INTO b VALUES (1);
INSERT INTO missing_table VALUES (1);
CREATE TABLE c (x INT);"
mig $M 2_bad down.sql "DROP TABLE b;"
mig $M 3_later up.sql "CREATE TABLE d (x INT);"

strata --dir "$M" --url "$DB" up --allow-destructive
expect_rc 1 "failing migration"
has "applied   1_ok" "$OUT" "the first one applied"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "one error line"
has "$M/2_bad/up.sql:5: error: applying 2_bad: statement 3 of 4 failed: no such table: missing_table" \
	"$ERR" "file:line, migration, statement and the database's message"
is "$(sqlite3 f.db "SELECT group_concat(version) FROM strata_migrations")" 1 "no history row for the failed one"
is "$(sqlite3 f.db "SELECT count(*) FROM sqlite_master WHERE name IN ('b', 'c')")" 0 \
	"nothing of the failed migration remains"
lacks "3_later" "$OUT" "stops at the first failure"

# Fix the file: the same run now succeeds.
mig $M 2_bad up.sql "CREATE TABLE b (x INT);"
strata --dir "$M" --url "$DB" up
expect_rc 0 "up after fixing"

# A syntax problem the splitter sees is reported with its line.
mig $M 4_unterminated up.sql "SELECT 1;

SELECT 'no end;"
strata --dir "$M" --url "$DB" up
expect_rc 2 "unterminated string"
has "$M/4_unterminated/up.sql:3: error: unterminated string literal" "$ERR" "located"
rm -rf "$M/4_unterminated"

mig $M 4_directive up.sql "-- strata:no-transactoin
SELECT 1;"
strata --dir "$M" --url "$DB" up
expect_rc 2 "unknown directive"
has "$M/4_directive/up.sql:1: error: unknown directive 'strata:no-transactoin'" "$ERR" "named with its line"
mig $M 4_directive up.sql "SELECT 1;
-- strata:no-transaction
SELECT 2;"
strata --dir "$M" --url "$DB" up
expect_rc 2 "directive after the first statement"
has "up.sql:2: error:" "$ERR" "with its line"
rm -rf "$M/4_directive"

# Without a transaction a failure leaves a 'failed' row with the steps.
mig $M 5_notx up.sql "-- strata:no-transaction
CREATE TABLE e (x INT);
INSERT INTO nope VALUES (1);"
mig $M 5_notx down.sql "DROP TABLE e;"
strata --dir "$M" --url "$DB" up --allow-destructive
expect_rc 1 "no-transaction failure"
is "$(sqlite3 f.db "SELECT status, steps FROM strata_migrations WHERE version = 5")" "failed|1" \
	"failed row with the statements applied"
has "no such table: nope" "$(sqlite3 f.db "SELECT error FROM strata_migrations WHERE version = 5")" \
	"error text recorded"
strata --dir "$M" --url "$DB" up
expect_rc 1 "up refuses while a migration is failed"
has "strata resolve 5 --applied" "$ERR" "and says how to continue"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "status --exit-code sees the failure"
has "failed" "$OUT" "status shows failed"
strata --dir "$M" --url "$DB" resolve 3
expect_rc 2 "resolve needs --applied or --rolled-back"
strata --dir "$M" --url "$DB" resolve 3 --applied
expect_rc 2 "resolve of a migration that did not fail"
sqlite3 f.db "DROP TABLE e"
mig $M 5_notx up.sql "-- strata:no-transaction
CREATE TABLE e (x INT);"
strata --dir "$M" --url "$DB" resolve 5 --rolled-back
expect_rc 0 "resolve --rolled-back"
strata --dir "$M" --url "$DB" up
expect_rc 0 "up runs it again"
is "$(sqlite3 f.db "SELECT status, steps FROM strata_migrations WHERE version = 5")" "applied|1" "now applied"

# down refuses without a down file and names it, before reverting anything.
strata --dir "$M" --url "$DB" down 2
expect_rc 2 "down without down.sql"
has "$M/3_later/down.sql: error: cannot revert 3_later: no down file" "$ERR" "names the file"
is "$(sqlite3 f.db "SELECT count(*) FROM strata_migrations")" 4 "nothing reverted"

# Connection and config problems.
strata --dir "$M" --url "sqlite:$T_TMP/no/such/dir/x.db" status
expect_rc 2 "missing database file"
has "cannot connect to sqlite:$T_TMP/no/such/dir/x.db" "$ERR" "names the target"
strata --dir "$T_TMP/nowhere" --url "$DB" status
expect_rc 2 "missing migrations folder"
has "nowhere: error: cannot read migrations folder" "$ERR" "named"
strata status
expect_rc 2 "no URL at all"
has "no database URL" "$ERR" "says what to set"

done_testing
