#!/bin/bash
# Other tools' folders read in place (dbmate, goose, golang-migrate,
# Flyway, pop: detected, or layout = in strata.ini), and their histories
# adopted by strata import. dbmate is the real binary (npm package
# @dbmate/linux-x64): it applies part of a folder, strata imports its
# history and applies only the rest.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

# ---- layouts, on SQLite -------------------------------------------------
mkdir dbm goose gm fw pop
cat >dbm/20240101000001_users.sql <<'EOF'
-- migrate:up
CREATE TABLE users (id INT PRIMARY KEY, email TEXT);

-- migrate:down
DROP TABLE users;
EOF
cat >dbm/20240101000002_idx.sql <<'EOF'
-- migrate:up transaction:false
CREATE INDEX users_email ON users (email);
-- migrate:down
DROP INDEX users_email;
EOF
strata --dir dbm --url sqlite:dbm.db up
expect_rc 0 "dbmate: up"
has "applied   20240101000002_idx (20240101000002_idx.sql, 1 statement, no transaction)" "$OUT" \
	"dbmate: transaction:false runs outside a transaction"
is "$(sqlite3 dbm.db "SELECT count(*) FROM sqlite_master WHERE name IN ('users', 'users_email')")" 2 \
	"dbmate: the up sections ran, not the downs"
strata --dir dbm --url sqlite:dbm.db down --to 0 -y
expect_rc 0 "dbmate: down runs the down sections"
strata --dir dbm --url sqlite:dbm.db up
printf -- '-- extra line in the down section\n' >>dbm/20240101000001_users.sql
strata --dir dbm --url sqlite:dbm.db status --exit-code
expect_rc 0 "dbmate: an edit to the down section is no edit to what ran"
printf -- '-- migrate:up\nCREATE TABLE users (id INT PRIMARY KEY, email TEXT, x INT);\n-- migrate:down\nDROP TABLE users;\n' >dbm/20240101000001_users.sql
strata --dir dbm --url sqlite:dbm.db status --exit-code
expect_rc 3 "dbmate: an edit to the up section is drift"
printf -- '-- migrate:up\nCREATE TABLE users (id INT PRIMARY KEY, email TEXT);\n\n-- migrate:down\nDROP TABLE users;\n' >dbm/20240101000001_users.sql
strata --dir dbm --url sqlite:dbm.db down --to 0 -y
expect_rc 0 "dbmate: reverted again"
is "$(sqlite3 dbm.db "SELECT count(*) FROM sqlite_master WHERE name = 'users'")" 0 "dbmate: reverted"

cat >goose/00001_users.sql <<'EOF'
-- +goose Up
CREATE TABLE users (id INT PRIMARY KEY, email TEXT);
-- +goose StatementBegin
CREATE TRIGGER users_lower AFTER INSERT ON users
BEGIN
  UPDATE users SET email = lower(NEW.email) WHERE id = NEW.id;
END;
-- +goose StatementEnd

-- +goose Down
DROP TABLE users;
EOF
cat >goose/00002_idx.sql <<'EOF'
-- +goose NO TRANSACTION
-- +goose Up
CREATE INDEX users_email ON users (email);
-- +goose Down
DROP INDEX users_email;
EOF
strata --dir goose --url sqlite:goose.db up
expect_rc 0 "goose: up"
has "00001_users (00001_users.sql, 2 statements)" "$OUT" \
	"goose: StatementBegin ... StatementEnd is one statement"
has "00002_idx (00002_idx.sql, 1 statement, no transaction)" "$OUT" "goose: NO TRANSACTION"
sqlite3 goose.db "INSERT INTO users VALUES (1, 'A@B')"
is "$(sqlite3 goose.db "SELECT email FROM users")" "a@b" "goose: the trigger works"
strata --dir goose --url sqlite:goose.db down
expect_rc 0 "goose: down"
# A block's last statement without ';' does not swallow what follows.
mkdir goose3
printf -- '-- +goose Up\n-- +goose StatementBegin\nCREATE TABLE t1 (id int)\n-- +goose StatementEnd\nCREATE TABLE t2 (id int);\nCREATE TABLE t3 (id int);\n-- +goose Down\nDROP TABLE t1;\n' >goose3/00001_b.sql
strata --dir goose3 --url sqlite:goose3.db up
expect_rc 0 "goose: a block without ';'"
is "$(sqlite3 goose3.db "SELECT count(*) FROM sqlite_master WHERE name IN ('t1', 't2', 't3')")" 3 \
	"goose: the block and both statements after it ran"
printf -- '-- +goose Up\nSELECT 1;\n-- +goose envsub on\n' >goose/00003_env.sql
strata --dir goose --url sqlite:goose.db plan
expect_rc 2 "goose: an annotation strata does not know"
has "00003_env.sql:3: error: unknown goose annotation" "$ERR" "named with its line"
rm goose/00003_env.sql
printf 'package migrations\n' >goose/00003_go.go
strata --dir goose --url sqlite:goose.db status
expect_rc 2 "goose: a Go migration is refused"
has "00003_go.go: error: a goose migration in Go" "$ERR" "and named"
rm goose/00003_go.go

printf 'CREATE TABLE a (x INT);\n' >gm/1_a.up.sql
printf 'DROP TABLE a;\n' >gm/1_a.down.sql
printf 'BEGIN;\nCREATE TABLE b (x INT);\nCOMMIT;\n' >gm/2_b.up.sql
printf 'DROP TABLE b;\n' >gm/2_b.down.sql
strata --dir gm --url sqlite:gm.db up
expect_rc 0 "golang-migrate: up"
has "2_b (2_b.up.sql, 3 statements, no transaction)" "$OUT" \
	"golang-migrate: a file with its own BEGIN/COMMIT runs as written"
printf 'DROP TABLE c;\n' >gm/3_c.down.sql
strata --dir gm --url sqlite:gm.db status
expect_rc 2 "golang-migrate: a down without its up"
rm gm/3_c.down.sql

printf 'CREATE TABLE a (x INT);\n' >fw/V1__a.sql
printf 'CREATE TABLE b (x INT);\n' >fw/V1.1__b.sql
printf 'CREATE TABLE c (x INT);\n' >fw/V1.10__c.sql
printf 'CREATE TABLE d (x INT);\n' >fw/V1_2__d.sql
printf 'DROP TABLE c;\n' >fw/U1.10__c.sql
strata --dir fw --url sqlite:fw.db up
expect_rc 0 "Flyway: up"
is "$(printf '%s\n' "$OUT" | sed -n 's/^applied   \([^ ]*\).*/\1/p' | tr '\n' ' ')" \
	"V1__a V1.1__b V1.2__d V1.10__c " "Flyway: dotted versions part by part (1_2 is 1.2)"
strata --dir fw --url sqlite:fw.db down
expect_rc 0 "Flyway: the U file is the down"
has "reverted  V1.10__c (U1.10__c.sql" "$OUT" "Flyway: undo named"
strata --dir fw --url sqlite:fw.db up --to 1.10
expect_rc 0 "Flyway: --to a dotted version"
mkdir fwdup
printf 'CREATE TABLE a (x INT);\n' >fwdup/V1__init.sql
printf 'CREATE TABLE b (x INT);\n' >fwdup/V1.0__init.sql
strata --dir fwdup --url sqlite:fwdup.db up
expect_rc 2 "Flyway: 1 and 1.0 are one version twice"
has "duplicate migration version" "$ERR" "and said"

printf 'CREATE TABLE a (x INT);\n' >pop/20240101_a.up.sql
printf 'CREATE TABLE a (x INTEGER, only_sqlite INT);\n' >pop/20240101_a.sqlite3.up.sql
printf 'DROP TABLE a;\n' >pop/20240101_a.down.sql
printf 'CREATE INDEX ai ON a (x);\n' >pop/20240102_i.autocommit.up.sql
strata --dir pop --url sqlite:pop.db up
expect_rc 0 "pop: up"
has "20240101_a (20240101_a.sqlite3.up.sql" "$OUT" "pop: the sqlite3 file on SQLite"
has "20240102_i (20240102_i.autocommit.up.sql, 1 statement, no transaction)" "$OUT" \
	"pop: .autocommit. runs outside a transaction"

# strata new writes the folder's own form: the folder stays one layout.
mkdir -p newdbm && cp dbm/*.sql newdbm/
strata --dir newdbm new "add posts"
expect_rc 0 "new in a dbmate folder"
f=$(ls newdbm/*_add_posts.sql 2>/dev/null)
[ -f "$f" ] && grep -q -- '-- migrate:up' "$f" && grep -q -- '-- migrate:down' "$f"
ok $? "new: a dbmate file with both sections"
strata --dir newdbm --url sqlite:newdbm.db up
expect_rc 2 "new: an empty dbmate template is refused until written"
has "the up section has no statement" "$ERR" "new: said so"
mkdir -p newgm && cp gm/*.sql newgm/
strata --dir newgm new "add tags"
expect_rc 0 "new in a golang-migrate folder"
ls newgm/*_add_tags.up.sql newgm/*_add_tags.down.sql >/dev/null 2>&1
ok $? "new: golang-migrate's up and down files"
mkdir -p newfw && cp fw/V*.sql newfw/
strata --dir newfw new "add c"
ls newfw/V*__add_c.sql >/dev/null 2>&1
ok $? "new: a Flyway V file"
# An explicit layout: a strata folder inside would never run.
mkdir -p gm/20240101_strata_style
printf '[default]\nmigrations = gm\nlayout = golang-migrate\n' >strata.ini
strata --url sqlite:gm.db status
expect_rc 2 "a strata folder in a golang-migrate folder is refused"
has "would never run" "$ERR" "and said"
rmdir gm/20240101_strata_style
rm strata.ini

# Nothing that looks like a migration is skipped silently.
printf 'CREATE TABLE r (x INT);\n' >fw/R__refresh.sql
strata --dir fw --url sqlite:fw.db status
expect_rc 2 "Flyway: a repeatable migration is refused"
has "R__refresh.sql: error: not a flyway migration file name" "$ERR" "and named"
rm fw/R__refresh.sql
printf 'SELECT 1;\n' >gm/3_c.sql
strata --dir gm --url sqlite:gm.db status
expect_rc 2 "golang-migrate: a .sql file without .up/.down is refused"
rm gm/3_c.sql
# golang-migrate names may hold dots: no dialects there.
mkdir gmdots
printf 'CREATE TABLE d (x INT);\n' >gmdots/1_add.d.table.up.sql
printf '[default]\nmigrations = gmdots\nlayout = golang-migrate\n' >strata.ini
strata --url sqlite:gmdots.db up
expect_rc 0 "golang-migrate: a name with dots"
has "applied   1_add.d.table (1_add.d.table.up.sql" "$OUT" "the whole name, run on every database"
rm strata.ini

# layout = in strata.ini: pop's generic files read as golang-migrate's
# would be the same; a wrong name is refused with its line.
printf '[default]\nmigrations = gm\nlayout = golang-migrate\n' >strata.ini
strata --url sqlite:gm.db status --exit-code
expect_rc 0 "layout = golang-migrate"
printf '[default]\nmigrations = gm\nlayout = liquibase\n' >strata.ini
strata --url sqlite:gm.db status
expect_rc 2 "an unknown layout"
has "strata.ini:3: error: layout is auto" "$ERR" "named with its line"
rm strata.ini

# ---- import ---------------------------------------------------------------
# import_on ENGINE URL: each tool's history, hand-made as the tool writes
# it, adopted.
q() { db_query "$1" "$2" "$3"; }
import_on() {
	e=$1 u=$2
	case $e in
	postgres) bool=boolean serial="SERIAL PRIMARY KEY" ;;
	mysql) bool=boolean serial="INT AUTO_INCREMENT PRIMARY KEY" ;;
	*) bool=boolean serial="INTEGER PRIMARY KEY AUTOINCREMENT" ;;
	esac
	# golang-migrate: one row, version 1 applied (2 is not).
	q "$e" "$u" "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty $bool NOT NULL)"
	[ "$e" = postgres ] && q "$e" "$u" "ALTER TABLE schema_migrations OWNER TO strata"
	q "$e" "$u" "INSERT INTO schema_migrations VALUES (1, true)"
	strata --dir gm --url "$u" import --from golang-migrate
	expect_rc 2 "$e: golang-migrate: a dirty version is refused"
	has "recorded version 1 as dirty" "$ERR" "$e: and said"
	is "$(q "$e" "$u" "SELECT count(*) FROM strata_migrations")" 0 "$e: nothing recorded"
	q "$e" "$u" "UPDATE schema_migrations SET dirty = false"
	strata --dir gm --url "$u" import --from golang-migrate
	expect_rc 0 "$e: golang-migrate: imported"
	has "baseline  1_a" "$OUT" "$e: 1 baselined"
	lacks "2_b" "$OUT" "$e: 2 is still pending"
	strata --dir gm --url "$u" up
	expect_rc 0 "$e: up after the import"
	lacks "1_a" "$OUT" "$e: 1 not run again"
	has "applied   2_b" "$OUT" "$e: 2 applied"
	strata --dir gm --url "$u" import --from golang-migrate
	expect_rc 0 "$e: importing again changes nothing"
	lacks "baseline " "$OUT" "$e: nothing baselined twice"
}
db_new sqlite
import_on sqlite "$DBURL"
for e in $(engines); do
	case $e in sqlite) continue ;; missing-*)
		ok 1 "$e server required"
		continue
		;;
	esac
	db_new "$e" || exit 1
	import_on "$e" "$DBURL"
done

# goose: version 3 applied then rolled back; version 0 is goose's own row.
mkdir goose2
cp goose/*.sql goose2/
printf -- '-- +goose Up\nCREATE TABLE t3 (x INT);\n-- +goose Down\nDROP TABLE t3;\n' >goose2/00003_t3.sql
db_new sqlite
G=$DBURL
q sqlite "$G" "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TEXT)"
q sqlite "$G" "INSERT INTO goose_db_version (version_id, is_applied) VALUES (0, 1), (1, 1), (2, 1), (3, 1), (3, 0)"
strata --dir goose2 --url "$G" import --from goose
expect_rc 0 "goose: imported"
has "baseline  00001_users" "$OUT" "goose: 1"
has "baseline  00002_idx" "$OUT" "goose: 2"
lacks "00003" "$OUT" "goose: 3 was rolled back"

# Flyway: checksums compared with the files; a changed file, a failed row
# and a version missing from the folder are refused.
fwsum() {
	"$PYTHON" -c 'import sys, zlib
crc = 0
for line in open(sys.argv[1], encoding="utf-8").read().splitlines():
    crc = zlib.crc32(line.encode(), crc)
print(crc - (1 << 32) if crc >= (1 << 31) else crc)' "$1"
}
db_new sqlite
F=$DBURL
q sqlite "$F" "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT, description TEXT, type TEXT, script TEXT, checksum INT, installed_by TEXT, installed_on TEXT, execution_time INT, success BOOLEAN)"
q sqlite "$F" "INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', $(fwsum fw/V1__a.sql), 'x', '', 1, 1), (2, '1.1', 'b', 'SQL', 'V1.1__b.sql', $(fwsum fw/V1.1__b.sql), 'x', '', 1, 1)"
cp fw/V1.1__b.sql b.saved
printf 'CREATE TABLE b (x INT, y INT);\n' >fw/V1.1__b.sql
strata --dir fw --url "$F" import --from flyway
expect_rc 2 "Flyway: a file changed since Flyway applied it"
has "V1.1__b.sql: error: changed since Flyway applied it" "$ERR" "Flyway: named"
mv b.saved fw/V1.1__b.sql
strata --dir fw --url "$F" import --from flyway
expect_rc 0 "Flyway: imported"
has "baseline  V1.1__b" "$OUT" "Flyway: 1.1"
lacks "V1.2__d" "$OUT" "Flyway: 1.2 still pending"
db_new sqlite
F2=$DBURL
q sqlite "$F2" "CREATE TABLE flyway_schema_history (installed_rank INT PRIMARY KEY, version TEXT, description TEXT, type TEXT, script TEXT, checksum INT, installed_by TEXT, installed_on TEXT, execution_time INT, success BOOLEAN)"
q sqlite "$F2" "INSERT INTO flyway_schema_history VALUES (1, '1', 'a', 'SQL', 'V1__a.sql', NULL, 'x', '', 1, 0)"
strata --dir fw --url "$F2" import --from flyway
expect_rc 2 "Flyway: a failed row is refused"
has "recorded version 1 as failed" "$ERR" "Flyway: and said"
q sqlite "$F2" "UPDATE flyway_schema_history SET success = 1, version = '7'"
strata --dir fw --url "$F2" import --from flyway
expect_rc 2 "a version missing from the folder is refused"
has "applied version 7, which is not in fw" "$ERR" "and named"

# pop: schema_migration.
db_new sqlite
P=$DBURL
q sqlite "$P" "CREATE TABLE schema_migration (version VARCHAR(14) NOT NULL)"
q sqlite "$P" "INSERT INTO schema_migration VALUES ('20240101')"
strata --dir pop --url "$P" import --from pop
expect_rc 0 "pop: imported"
has "baseline  20240101_a" "$OUT" "pop: adopted"
strata --dir pop --url "$P" import --from sqitch
expect_rc 2 "an unknown tool"
strata --dir pop --url "$P" import --from dbmate
expect_rc 2 "a tool whose table is not there"
has "no dbmate history table schema_migrations" "$ERR" "says which table"

# --convert: strata's layout written next to the original, and recorded.
db_new sqlite
C=$DBURL
q sqlite "$C" "CREATE TABLE schema_migration (version VARCHAR(14) NOT NULL)"
q sqlite "$C" "INSERT INTO schema_migration VALUES ('20240101')"
q sqlite "$C" "CREATE TABLE a (x INTEGER, only_sqlite INT)"
strata --dir pop --url "$C" import --from pop --convert popconv
expect_rc 0 "pop --convert"
[ -f popconv/20240101_a/up.sql ] && [ -f popconv/20240101_a/up.sqlite.sql ] &&
	[ -f popconv/20240101_a/down.sql ]
ok $? "convert: pop's dialect file is strata's override"
grep -q '^-- strata:no-transaction' popconv/20240102_i/up.sql
ok $? "convert: .autocommit. is -- strata:no-transaction"
strata --dir popconv --url "$C" status --exit-code
expect_rc 3 "convert: status on the new folder: one pending, nothing modified"
has "baseline" "$OUT" "convert: 20240101 recorded from the converted file"
has "0 modified," "$OUT" "convert: its checksum is the converted file's"
strata --dir popconv --url "$C" up
expect_rc 0 "convert: up from the converted folder"
strata --dir pop --url "$C" import --from pop --convert popconv
expect_rc 2 "convert: an existing folder is refused"
db_new sqlite
q sqlite "$DBURL" "CREATE TABLE goose_db_version (id INTEGER PRIMARY KEY AUTOINCREMENT, version_id INTEGER NOT NULL, is_applied INTEGER NOT NULL, tstamp TEXT)"
strata --dir goose2 --url "$DBURL" import --from goose --convert gooseconv
expect_rc 0 "goose --convert, nothing applied yet"
grep -q 'CREATE TRIGGER' gooseconv/00001_users/up.sql && ! grep -q 'goose' gooseconv/00001_users/up.sql
ok $? "convert: goose's markers are gone, its SQL kept"
strata --dir gooseconv --url "$DBURL" up
expect_rc 0 "convert: the converted goose folder applies"
strata --dir fw --url "$F" import --from flyway --convert fwconv
expect_rc 2 "convert: Flyway's dotted versions cannot be folder names"
has "keep the Flyway folder" "$ERR" "convert: and says what to do"

# ---- the real dbmate --------------------------------------------------------
DBMATE_VERSION=2.36.0
DBMATE_SHA512=LdLpgyuluwJ93rWcvJjdlsjJ8rBeeAH52h3dSk0zAMaLrQn49dup1/o2tFpG1jM9f767HkuXdBrrjy6ZwG9BSg==
fetch_dbmate() {
	cache=${XDG_CACHE_HOME:-${HOME:-$T_TMP}/.cache}/strata-test/dbmate-$DBMATE_VERSION
	DBMATE=$cache/package/bin/dbmate
	[ -x "$DBMATE" ] && return 0
	mkdir -p "$cache" || return 1
	"$PYTHON" - "$cache" "$DBMATE_VERSION" "$DBMATE_SHA512" <<'EOF' || return 1
import base64, hashlib, io, sys, tarfile, urllib.request
dest, version, want = sys.argv[1:4]
url = "https://registry.npmjs.org/@dbmate/linux-x64/-/linux-x64-%s.tgz" % version
data = urllib.request.urlopen(url, timeout=60).read()
if base64.b64encode(hashlib.sha512(data).digest()).decode() != want:
    sys.exit("dbmate: the package's sha512 is not the one expected")
tarfile.open(fileobj=io.BytesIO(data)).extractall(dest)
EOF
	chmod +x "$DBMATE"
}
if ! fetch_dbmate; then
	if [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
		ok 1 "dbmate from the npm registry (@dbmate/linux-x64 $DBMATE_VERSION)"
	else
		echo "# skipping the dbmate part: cannot fetch @dbmate/linux-x64"
	fi
	done_testing
fi
"$DBMATE" --version | grep -q "$DBMATE_VERSION"
ok $? "dbmate $DBMATE_VERSION from the npm registry"

# dbmate applies the first two migrations of four; strata adopts them and
# applies the other two.
mkdir -p half full
cat >full/20240101000001_users.sql <<'EOF'
-- migrate:up
CREATE TABLE users (id INT PRIMARY KEY, email TEXT);
-- migrate:down
DROP TABLE users;
EOF
cat >full/20240101000002_counter.sql <<'EOF'
-- migrate:up
CREATE TABLE counter (n INT);
INSERT INTO counter VALUES (1);
-- migrate:down
DROP TABLE counter;
EOF
cat >full/20240101000003_posts.sql <<'EOF'
-- migrate:up
CREATE TABLE posts (id INT PRIMARY KEY, user_id INT);
-- migrate:down
DROP TABLE posts;
EOF
cat >full/20240101000004_more.sql <<'EOF'
-- migrate:up
INSERT INTO counter VALUES (2);
-- migrate:down
DELETE FROM counter WHERE n = 2;
EOF
cp full/20240101000001_users.sql full/20240101000002_counter.sql half/
dbmate_on() {
	e=$1 u=$2 du=$3
	"$DBMATE" --url "$du" --migrations-dir half --no-dump-schema up >dbmate.out 2>&1
	ok $? "$e: the real dbmate applied half the folder"
	strata --dir full --url "$u" import --from dbmate
	expect_rc 0 "$e: strata import --from dbmate"
	has "baseline  20240101000002_counter" "$OUT" "$e: dbmate's versions adopted"
	strata --dir full --url "$u" up
	expect_rc 0 "$e: up applies the rest"
	lacks "applied   20240101000001" "$OUT" "$e: nothing dbmate applied is run again"
	has "applied   20240101000004_more" "$OUT" "$e: the rest applied"
	is "$(q "$e" "$u" "SELECT count(*) FROM counter")" 2 "$e: each data migration ran once"
	strata --dir full --url "$u" status --exit-code
	expect_rc 0 "$e: status: all four recorded, nothing pending"
}
db_new sqlite
dbmate_on sqlite "$DBURL" "sqlite:${DBURL#sqlite:}"
for e in $(engines); do
	case $e in sqlite | missing-*) continue ;; esac
	db_new "$e" || exit 1
	case $e in
	postgres) du="$DBURL?sslmode=disable" ;;
	mysql) du=$DBURL ;;
	esac
	dbmate_on "$e" "$DBURL" "$du"
done

done_testing
