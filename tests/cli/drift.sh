#!/bin/sh
# Drift: applied files changed or removed, and schema changed outside strata.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
M=$T_TMP/m
DB=sqlite:$T_TMP/d.db

mig $M 1_a up.sql "CREATE TABLE a (x INT);"
mig $M 2_b up.sql "CREATE TABLE b (x INT);"
mig $M 2_b down.sql "DROP TABLE b;"
strata --dir "$M" --url "$DB" up
expect_rc 0 "up"
strata --dir "$M" --url "$DB" check
expect_rc 0 "check: clean"

printf '%s\n' "CREATE TABLE a (x INT, y INT);" >"$M/1_a/up.sql"
strata --dir "$M" --url "$DB" status
expect_rc 0 "status without --exit-code"
has "1                a                            modified" "$OUT" "modified shown"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "status --exit-code on drift"
mig $M 3_c up.sql "CREATE TABLE c (x INT);"
strata --dir "$M" --url "$DB" up
expect_rc 3 "up refuses on drift"
has "applied migrations changed on disk: 1_a (modified)" "$ERR" "names it"
is "$(sqlite3 d.db "SELECT count(*) FROM strata_migrations")" 2 "nothing applied"
strata --dir "$M" --url "$DB" plan
expect_rc 3 "plan refuses too"
printf '%s\n' "CREATE TABLE a (x INT);" >"$M/1_a/up.sql"

# An override added later changes what this driver would run: drift.
mig $M 2_b up.sqlite.sql "CREATE TABLE b (x INT, z INT);"
strata --dir "$M" --url "$DB" check
expect_rc 3 "new override is drift"
rm "$M/2_b/up.sqlite.sql"

mv "$M/2_b" "$T_TMP/2_b.away"
strata --dir "$M" --url "$DB" up
expect_rc 3 "up refuses on a missing migration"
has "2_b (missing)" "$ERR" "names it as missing"
strata --dir "$M" --url "$DB" status
has "2                b                            missing" "$OUT" "status shows missing"
strata --dir "$M" --url "$DB" down
expect_rc 2 "cannot revert a missing migration"
has "its migration folder is gone" "$ERR" "says why"
mv "$T_TMP/2_b.away" "$M/2_b"

strata --dir "$M" --url "$DB" up
expect_rc 0 "up once restored"
strata --dir "$M" --url "$DB" check
expect_rc 0 "clean again"

sqlite3 d.db "CREATE TABLE sneaky (x INT)"
strata --dir "$M" --url "$DB" status
expect_rc 0 "status"
has "the schema changed outside strata since 3" "$OUT" "schema drift reported"
strata --dir "$M" --url "$DB" check
expect_rc 3 "check fails on schema drift"
sqlite3 d.db "DROP TABLE sneaky"
strata --dir "$M" --url "$DB" check
expect_rc 0 "clean when the schema is back"
sqlite3 d.db "INSERT INTO a VALUES (1), (2)"
strata --dir "$M" --url "$DB" check
expect_rc 0 "data changes are not drift"

done_testing
