#!/bin/bash
# Fleets: one command on many targets (--targets FILE, or the config's
# targets/targets_file/tenants), each its own process with its own lock
# and history; --parallel, --canary, --shard; a summary table or one JSON
# document; check across databases compares their schemas.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

if [ -z "${STRATA_TEST_PG_URL:-}" ] || [ -z "${STRATA_TEST_MY_URL:-}" ]; then
	[ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ] ||
		skip_all "no PostgreSQL or MariaDB server (tests/servers.sh starts them)"
	ok 1 "PostgreSQL and MariaDB required (STRATA_TEST_REQUIRE_SERVERS=1)"
	done_testing
fi
SECRET=strata-secret

M=$T_TMP/m
mig "$M" 1_users up.sql "CREATE TABLE users (id INT PRIMARY KEY, email VARCHAR(100));"
mig "$M" 1_users down.sql "DROP TABLE users;"
mig "$M" 2_posts up.sql "CREATE TABLE posts (id INT PRIMARY KEY, user_id INT);"
mig "$M" 2_posts down.sql "DROP TABLE posts;"
mig "$M" 3_tags up.sql "CREATE TABLE tags (id INT PRIMARY KEY);"
mig "$M" 3_tags down.sql "DROP TABLE tags;"

# 20 SQLite files and 5 PostgreSQL databases; the third PostgreSQL one is
# broken: a table in the way makes migration 2 fail there.
: >targets
for i in $(seq -w 1 20); do
	echo "sqlite:$T_TMP/lite$i.db" >>targets
done
PGS=""
for i in 1 2 3 4 5; do
	db_new postgres || exit 1
	PGS="$PGS $name"
	echo "pg$i $DBURL" >>targets
	[ "$i" = 3 ] && BROKEN=$name && BROKEN_URL=$DBURL
done
db_query postgres "$BROKEN_URL" "CREATE TABLE posts (x INT)" >/dev/null

strata --dir "$M" --targets targets --parallel 4 up
expect_rc 1 "one target fails: the fleet fails"
has "pg3" "$OUT" "the summary names the broken target"
printf '%s\n' "$OUT" | grep -E '^pg3 +failed ' >/dev/null
ok $? "pg3: failed"
n_ok=$(printf '%s\n' "$OUT" | grep -cE '^(lite[0-9]+|pg[0-9]) +ok +1, 2, 3 ')
is "$n_ok" 24 "the 24 healthy targets applied 1, 2, 3"
has "24 of 25 targets ok; exit 1" "$OUT" "the count of ok targets"
printf '%s\n' "$ERR" | grep -E '^\[pg3\] .*error: applying 2_posts.*already exists' >/dev/null
ok $? "the failure is reported with its target's name and the database's error"
lacks "$SECRET" "$OUT$ERR" "no password in the output"
c=$(db_query postgres "${STRATA_TEST_PG_URL%/*}/${PGS##* }" "SELECT count(*) FROM strata_migrations")
is "$c" 3 "a healthy PostgreSQL target has its three migrations"
c=$(db_query sqlite "sqlite:$T_TMP/lite20.db" "SELECT count(*) FROM strata_migrations")
is "$c" 3 "the last SQLite target too"

# Every line of output is whole: a prefix and the child's line, or the
# table. Nothing was interleaved mid-line.
bad=$(printf '%s\n' "$OUT" "$ERR" | grep -vE '^(\[(lite[0-9]+|pg[0-9])\] [a-z/]|$|TARGET |(lite[0-9]+|pg[0-9]) +(ok|failed) |[0-9]+ of 25 targets)' | head -3)
is "$bad" "" "each line is a whole line of one target"

# Fixed: a second run does only what is left.
db_query postgres "$BROKEN_URL" "DROP TABLE posts" >/dev/null
strata --dir "$M" --targets targets up
expect_rc 0 "after the fix the fleet completes"
printf '%s\n' "$OUT" | grep -E '^pg3 +ok +2, 3 ' >/dev/null
ok $? "pg3 applied only 2 and 3"
n_idle=$(printf '%s\n' "$OUT" | grep -cE '^(lite[0-9]+|pg[0-9]) +ok +- ')
is "$n_idle" 24 "the others had nothing to do"
lacks "applying" "$(printf '%s\n' "$OUT" | grep -v '^\[pg3\]')" "nothing applied elsewhere"

# --format json: one document with every target.
strata --dir "$M" --targets targets --format json status
expect_rc 0 "status on the fleet"
is "$(get 'len(d)')" 1 "json: one document"
is "$(get 'len(d[0]["targets"])')" 25 "json: every target"
is "$(get 'sorted(set(t["result"] for t in d[0]["targets"]))')" '["ok"]' "json: every result ok"
is "$(get 'd[0]["targets"][22]["name"]')" '"pg3"' "json: the name"
is "$(get 'd[0]["targets"][22]["output"][0]["command"]')" '"status"' "json: the target's own status document"
is "$(get 'd[0]["exit_code"]')" 0 "json: exit_code"
lacks "$SECRET" "$OUT" "json: no password"

# --canary: the broken target first, nothing else touched.
mig "$M" 4_more up.sql "CREATE TABLE more (x INT);"
mig "$M" 4_more down.sql "DROP TABLE more;"
db_query postgres "$BROKEN_URL" "CREATE TABLE more (y INT)" >/dev/null
{ grep "$BROKEN" targets; grep -v "$BROKEN" targets; } >canary
strata --dir "$M" --targets canary --canary 1 up
expect_rc 1 "the canary fails"
has "canary pg3 failed: the other 24 targets were not touched" "$ERR" "the canary is named"
n_nr=$(printf '%s\n' "$OUT" | grep -cE ' not run ')
is "$n_nr" 24 "the other 24 are 'not run'"
c=$(db_query sqlite "sqlite:$T_TMP/lite01.db" "SELECT count(*) FROM strata_migrations")
is "$c" 3 "a SQLite target was not touched"
db_query postgres "$BROKEN_URL" "DROP TABLE more" >/dev/null
strata --dir "$M" --targets canary --canary 2 -q up
expect_rc 0 "canaries pass: the fleet runs"
is "$OUT" "" "-q: no table when all succeeded"
c=$(db_query sqlite "sqlite:$T_TMP/lite01.db" "SELECT count(*) FROM strata_migrations")
is "$c" 4 "and then touches the rest"

# A lock held on one target: only lock timeouts stopped some: exit 4.
mig "$M" 5_five up.sql "CREATE TABLE five (x INT);"
mig "$M" 5_five down.sql "DROP TABLE five;"
printf 'sqlite:%s/lite05.db\nsqlite:%s/lite06.db\n' "$T_TMP" "$T_TMP" >two
gate_hold sidecar "BEGIN EXCLUSIVE;" "ROLLBACK;" \
	sqlite3 -cmd ".timeout 60000" "$T_TMP/lite05.db-strata-lock"
wait_for "the holder of lite05's lock" sqlite_locked "$T_TMP/lite05.db-strata-lock"
ok $? "an outside sqlite3 holds lite05's lock"
strata --dir "$M" --targets two --lock-timeout 1 up
expect_rc 4 "only a lock timeout stopped a target"
printf '%s\n' "$OUT" | grep -E '^lite05 +lock timeout ' >/dev/null
ok $? "lite05: lock timeout"
printf '%s\n' "$OUT" | grep -E '^lite06 +ok +5 ' >/dev/null
ok $? "lite06 applied 5"
gate_release sidecar

# --shard K/N: 4 shards over the 25 targets cover each exactly once.
: >shards
for k in 1 2 3 4; do
	strata --dir "$M" --targets targets --shard "$k/4" --format json plan
	get '"\n".join(t["name"] for t in d[0]["targets"])' | tr -d '"' |
		sed 's/\\n/\n/g' >>shards
done
is "$(sort shards | uniq | wc -l | tr -d ' ')" 25 "4 shards: 25 distinct targets"
is "$(wc -l <shards | tr -d ' ')" 25 "4 shards: each target once"
strata --dir "$M" --targets targets --shard 2/4 --format json plan
a=$(get '[t["name"] for t in d[0]["targets"]]')
echo "sqlite:$T_TMP/extra.db" >>targets
strata --dir "$M" --targets targets --shard 2/4 --format json plan
b=$(get '[t["name"] for t in d[0]["targets"] if t["name"] != "extra"]')
is "$b" "$a" "a target added moves no other target"
strata --dir "$M" --targets targets --shard 5/4 plan
expect_rc 2 "--shard 5/4"
strata --dir "$M" --targets targets --shard x plan
expect_rc 2 "--shard x"
strata --dir "$M" --targets targets --parallel 0 plan
expect_rc 2 "--parallel 0"

# The CI matrix: SQLite, PostgreSQL and MariaDB on examples/.
EX=$STRATA_SRCDIR/examples/migrations
db_new postgres || exit 1
PG_EX=$DBURL
db_new mysql || exit 1
MY_EX=$DBURL
printf 'sqlite sqlite:%s/ex.db\npg %s\nmy %s\n' "$T_TMP" "$PG_EX" "$MY_EX" >matrix
strata --dir "$EX" --targets matrix -q up
expect_rc 0 "examples/ on three databases"
strata --dir "$EX" --targets matrix check
expect_rc 0 "check: the three schemas are equal"
has "[pg] schema equal to sqlite's" "$OUT" "pg compared with sqlite"
has "[my] schema equal to sqlite's" "$OUT" "my compared with sqlite"
# One override drops a column on MariaDB only.
cp -r "$EX" ex2
v=$(ls ex2 | tail -1)
v=${v%%_*}
mig ex2 $((v + 1))_drop up.mysql.sql "ALTER TABLE users DROP COLUMN bio;"
mig ex2 $((v + 1))_drop up.sql "-- strata:empty"
strata --dir ex2 --targets matrix -q up --allow-destructive
expect_rc 0 "the override applied"
strata --dir ex2 --targets matrix check
expect_rc 3 "check: the schemas differ"
has "[my] schema differs from sqlite's" "$OUT" "the differing target is named"
has "bio" "$OUT" "the difference names the column"
strata --dir ex2 --targets matrix --format json check
is "$(get 'd[0]["schemas"][1]["equal"]')" false "json: the comparison"
is "$(get 'd[0]["exit_code"]')" 3 "json: exit 3"
strata --dir ex2 --targets matrix diff
expect_rc 3 "diff --targets compares every target with the first"
has "[my] schema differs from sqlite's" "$OUT" "diff: named"
strata --dir ex2 --targets matrix diff a b
expect_rc 2 "diff: a list and operands"

# verify on each target of a list (empty databases of three kinds): the
# targets themselves, not a scratch SQLite file.
db_new postgres || exit 1
PG_V=$DBURL
db_new mysql || exit 1
MY_V=$DBURL
printf 'sqlite:%s/v.db\n%s\n%s\n' "$T_TMP" "$PG_V" "$MY_V" >empties
strata --dir "$M" --targets empties --format json verify
expect_rc 0 "verify on three empty databases"
is "$(get '[t["output"][0]["driver"] for t in d[0]["targets"]]')" '["sqlite", "postgres", "mysql"]' \
	"each verified on its own target"
is "$(get '[t["output"][0]["temporary"] for t in d[0]["targets"]]')" '[false, false, false]' \
	"no scratch file instead"

# SIGTERM to the fleet reaches the targets running; nothing starts after.
SL=$T_TMP/slow
mig "$SL" 1_s up.postgres.sql "SELECT pg_sleep(60);"
mig "$SL" 1_s up.sql "-- strata:empty"
db_new postgres || exit 1
printf '%s\nsqlite:%s/after.db\n' "$DBURL" "$T_TMP" >slow.list
"$STRATA_BIN" --dir "$SL" --targets slow.list --parallel 1 up >slow.out 2>&1 &
fleet_pid=$!
running() { grep -q "applying 1_s" slow.out; }
wait_for "the slow target to start" running
ok $? "the slow target started"
kill -TERM "$fleet_pid"
wait "$fleet_pid"
is "$?" 143 "SIGTERM: the fleet exits 143"
has "interrupted while applying 1_s" "$(cat slow.out)" "the running target was interrupted and said so"
[ ! -e after.db ]
ok $? "the next target was not started"
left=$(ps -eo args | grep -F -- "--dir $SL up" | grep -vc grep)
is "$left" 0 "no strata of the fleet is left running"

# The config: tenants with a URL template; targets; targets_file.
cat >strata.ini <<EOF
[default]
migrations = $M

[tenants]
url = sqlite:$T_TMP/tenant_\${tenant}.db
tenants = acme, globex,
  initech

[list]
targets = sqlite:$T_TMP/l1.db, sqlite:$T_TMP/l2.db

[file]
targets_file = targets.list

[bad]
targets = sqlite:x.db
url = sqlite:y.db

[badtenant]
url = sqlite:t_\${tenant}.db
tenants = ok, no/slash
EOF
printf '# names and ${VAR}\nfirst sqlite:%s/${T_DIR_NAME}.db\n\n' "$T_TMP" >targets.list
strata -e tenants up
expect_rc 0 "tenants: up"
for t in acme globex initech; do
	[ -s "tenant_$t.db" ]
	ok $? "tenant $t has its database"
done
has "[globex] applied" "$OUT" "lines prefixed with the tenant"
strata -e list status
expect_rc 1 "targets =: status on databases that do not exist yet"
has "[l2] strata: error: cannot connect" "$ERR" "each target's own error"
strata -e list up
expect_rc 0 "targets =: up"
strata -e list status --exit-code
expect_rc 0 "targets =: status --exit-code"
strata -e tenants history
expect_rc 2 "history runs on one database"
has "pick one with --url" "$ERR" "and says how"
strata -e tenants --url "sqlite:$T_TMP/tenant_acme.db" history
expect_rc 0 "--url picks one target of the fleet"
T_DIR_NAME=fromvar strata -e file up
expect_rc 0 "targets_file, with \${VAR}"
[ -s fromvar.db ]
ok $? "the file's target, named by the variable"
has "[first]" "$OUT" "the name given in the file"
strata -e bad status
expect_rc 2 "url and targets in one section"
has "strata.ini:17:" "$ERR" "the error names the line"
strata -e badtenant status
expect_rc 2 "a tenant name with a slash"
has "strata.ini:21:" "$ERR" "named by line"
printf 'sqlite:a.db\nsqlite:a.db\n' >dup
strata --targets dup status
expect_rc 2 "a target listed twice"
has "dup:2:" "$ERR" "file and line"
printf 'a b c\n' >three
strata --targets three status
expect_rc 2 "three fields on a line"
strata --targets /nonexistent status
expect_rc 2 "a missing targets file"
strata --parallel 2 --url sqlite:x.db status
expect_rc 2 "--parallel without a list"
strata --targets dup --url sqlite:x.db status
expect_rc 2 "--targets and --url"

# A URL where a name belongs is not echoed: it may hold a password.
printf '%s primary\n' "$STRATA_TEST_PG_URL" >urlfirst
strata --targets urlfirst status
expect_rc 2 "a URL and then a name"
lacks "$SECRET" "$ERR" "the password is not in the error"
# An application's DATABASE_URL does not shrink a fleet to one database.
DATABASE_URL=sqlite:$T_TMP/other.db strata -e list status
expect_rc 2 "DATABASE_URL with a fleet environment is refused"
has "pick one database with --url" "$ERR" "and says how to pick one"
[ ! -e other.db ]
ok $? "nothing was touched"
# A host part without a path ends at ", ".
printf '[default]\nmigrations = %s\n[two]\ntargets = postgres://127.0.0.1:1, postgres://127.0.0.1:1/b\n' "$M" >two.ini
strata -c two.ini -e two --lock-timeout 1 --format json status
is "$(get 'len(d[0]["targets"])')" 2 "postgres://h, postgres://h/db: two targets"
# An empty shard.
strata --targets slow.list --shard 7/10000 check
expect_rc 0 "a shard with none of the targets"
has "holds none of the targets" "$ERR" "says so"
# JSON documents of any size come through whole.
BIG=$T_TMP/big
for i in $(seq 1 900); do mig "$BIG" "${i}_m$i" up.sql "CREATE TABLE t$i (x INT);"; done
printf 'sqlite:%s/big1.db\nsqlite:%s/big2.db\n' "$T_TMP" "$T_TMP" >big.list
strata --dir "$BIG" --targets big.list -q up
expect_rc 0 "900 migrations on two targets"
strata --dir "$BIG" --targets big.list --format json status
is "$(get 'len(d[0]["targets"][1]["output"][0]["migrations"])')" 900 \
	"json: a target's 900-migration status document, whole"
# Tenants with the section's password_file: each URL gets the password.
db_new postgres || exit 1
T1=$name
db_new postgres || exit 1
T2=$name
printf '%s\n' "$SECRET" >pw
chmod 600 pw
PGHOSTPORT=${STRATA_TEST_PG_URL#*@}
PGHOSTPORT=${PGHOSTPORT%%/*}
printf '[default]\nmigrations = %s\n[pgt]\nurl = postgres://strata@%s/${tenant}\ntenants = %s, %s\npassword_file = pw\n' \
	"$M" "$PGHOSTPORT" "$T1" "$T2" >pgt.ini
strata -c pgt.ini -e pgt -q up
expect_rc 0 "tenants with password_file"
lacks "$SECRET" "$OUT$ERR" "the password is not printed"
c=$(db_query postgres "${STRATA_TEST_PG_URL%/*}/$T2" "SELECT count(*) FROM strata_migrations")
is "$c" 5 "the second tenant has its migrations"

# down asks nothing without a terminal; -y is passed on.
strata -e tenants down --to 0 -y
expect_rc 0 "down on every tenant"
c=$(db_query sqlite "sqlite:$T_TMP/tenant_acme.db" "SELECT count(*) FROM strata_migrations")
is "$c" 0 "acme reverted"

done_testing
