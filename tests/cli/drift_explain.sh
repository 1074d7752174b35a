#!/bin/sh
# Drift that says what changed: status and check list the tables, columns,
# indexes, foreign keys and views changed outside migrations, from the
# snapshot stored with the fingerprint (<history>_snapshot), on every
# database; no false drift after up, also with generated columns, partial,
# expression and DESC indexes, views and triggers; a history from before
# snapshots (or details) existed keeps working.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

M=$T_TMP/m
mig $M 1_users up.sql "CREATE TABLE users (id INTEGER PRIMARY KEY,
  email VARCHAR(100) NOT NULL, name VARCHAR(50),
  status VARCHAR(10) DEFAULT 'new', score INTEGER);
CREATE INDEX idx_x ON users (email);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER,
  title VARCHAR(200));
CREATE VIEW v_users AS SELECT id, email FROM users;"
mig $M 1_users down.sql "DROP VIEW v_users;
DROP TABLE posts;
DROP TABLE users;"
# The details introspection reports, one table of their own per database.
mig $M 2_gadgets up.sqlite.sql "CREATE TABLE gadgets (id INTEGER PRIMARY KEY,
  price INTEGER, qty INTEGER, code TEXT,
  total INTEGER GENERATED ALWAYS AS (price * qty) STORED,
  half INTEGER AS (price / 2));
CREATE INDEX g_partial ON gadgets (price) WHERE qty > 0;
CREATE INDEX g_expr ON gadgets (lower(code));
CREATE INDEX g_desc ON gadgets (qty DESC, price);
CREATE TRIGGER g_trg AFTER INSERT ON gadgets BEGIN SELECT 1; END;"
mig $M 2_gadgets up.postgres.sql "CREATE TABLE gadgets (id INTEGER PRIMARY KEY,
  price INTEGER, qty INTEGER, code TEXT, tags INTEGER[],
  total INTEGER GENERATED ALWAYS AS (price * qty) STORED);
CREATE INDEX g_partial ON gadgets (price) WHERE qty > 0;
CREATE INDEX g_expr ON gadgets (lower(code));
CREATE INDEX g_desc ON gadgets (qty DESC NULLS LAST, price);
CREATE INDEX g_ops ON gadgets (code text_pattern_ops);
CREATE INDEX g_incl ON gadgets (price) INCLUDE (qty);
CREATE INDEX g_gin ON gadgets USING gin (tags);
CREATE FUNCTION g_fn() RETURNS trigger LANGUAGE plpgsql
  AS \$\$ BEGIN RETURN NEW; END \$\$;
CREATE TRIGGER g_trg BEFORE INSERT ON gadgets
  FOR EACH ROW EXECUTE FUNCTION g_fn();"
mig $M 2_gadgets up.mysql.sql "CREATE TABLE gadgets (id INTEGER PRIMARY KEY,
  price INTEGER, qty INTEGER, code VARCHAR(100), body TEXT,
  total INTEGER GENERATED ALWAYS AS (price * qty) STORED,
  half INTEGER AS (price / 2) VIRTUAL);
CREATE INDEX g_desc ON gadgets (qty DESC, price);
CREATE INDEX g_prefix ON gadgets (code(10));
CREATE FULLTEXT INDEX g_ft ON gadgets (body);
CREATE TRIGGER g_trg BEFORE INSERT ON gadgets FOR EACH ROW SET NEW.qty = 1;"
mig $M 2_gadgets down.sql "DROP TABLE gadgets;"
mig $M 2_gadgets down.postgres.sql "DROP TABLE gadgets;
DROP FUNCTION g_fn();"

# The changes made outside migrations, the same ones on every database.
outside_sqlite() {
	sqlite3 "${1#sqlite:}" "PRAGMA foreign_keys = OFF;
BEGIN;
DROP VIEW v_users;
CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL,
  name VARCHAR(50) NOT NULL, status VARCHAR(10) DEFAULT 'old',
  score INTEGER, sneaky INTEGER,
  doubled INTEGER GENERATED ALWAYS AS (score * 2) VIRTUAL);
INSERT INTO users_new (id, email, name, status, score)
  SELECT id, email, coalesce(name, ''), status, score FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;
CREATE VIEW v_users AS SELECT id, email FROM users;
CREATE INDEX idx_partial ON users (score) WHERE score > 0;
CREATE INDEX idx_desc ON users (score DESC);
CREATE TABLE posts_new (id INTEGER PRIMARY KEY,
  user_id INTEGER REFERENCES users (id), title VARCHAR(200));
INSERT INTO posts_new SELECT * FROM posts;
DROP TABLE posts;
ALTER TABLE posts_new RENAME TO posts;
COMMIT;"
}

outside() { # outside ENGINE URL
	case "$1" in
	sqlite) outside_sqlite "$2" ;;
	postgres) db_query "$1" "$2" "DROP VIEW v_users;
ALTER TABLE users ALTER COLUMN email TYPE TEXT;
CREATE VIEW v_users AS SELECT id, email FROM users;
ALTER TABLE users ALTER COLUMN name SET NOT NULL;
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'old';
ALTER TABLE users ADD COLUMN sneaky INTEGER;
DROP INDEX idx_x;
ALTER TABLE posts ADD CONSTRAINT fk_user FOREIGN KEY (user_id)
  REFERENCES users (id);
CREATE INDEX idx_partial ON users (score) WHERE score > 0;
CREATE INDEX idx_desc ON users (score DESC);
ALTER TABLE users ADD COLUMN doubled INTEGER
  GENERATED ALWAYS AS (score * 2) STORED;" ;;
	mysql) db_query "$1" "$2" "ALTER TABLE users MODIFY email TEXT NOT NULL;
ALTER TABLE users MODIFY name VARCHAR(50) NOT NULL;
ALTER TABLE users ALTER COLUMN status SET DEFAULT 'old';
ALTER TABLE users ADD COLUMN sneaky INTEGER;
DROP INDEX idx_x ON users;
ALTER TABLE posts ADD CONSTRAINT fk_user FOREIGN KEY (user_id)
  REFERENCES users (id);
CREATE INDEX idx_desc ON users (score DESC);
ALTER TABLE users ADD COLUMN doubled INTEGER
  GENERATED ALWAYS AS (score * 2) VIRTUAL;" ;;
	esac
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e: server required but not started"
		continue ;;
	esac
	db_new "$e" || { ok 1 "$e: database"; continue; }
	U=$DBURL
	strata --dir "$M" --url "$U" up
	expect_rc 0 "$e: up"
	# Part -1 is the catalog digest (digest.sh); the text's parts count up.
	is "$(db_query "$e" "$U" "SELECT count(*) FROM strata_migrations_snapshot WHERE part <> -1")" \
		"$(db_query "$e" "$U" "SELECT count(*) FROM strata_migrations_snapshot WHERE part >= 0")" \
		"$e: snapshot table readable"
	n=$(db_query "$e" "$U" "SELECT count(DISTINCT fingerprint) FROM strata_migrations_snapshot")
	is "$n" 1 "$e: one snapshot kept"
	fp=$(db_query "$e" "$U" "SELECT schema_fingerprint FROM strata_migrations WHERE version = '2'")
	sfp=$(db_query "$e" "$U" "SELECT DISTINCT fingerprint FROM strata_migrations_snapshot")
	is "$sfp" "$fp" "$e: the snapshot is the latest run's fingerprint"
	strata --dir "$M" --url "$U" check
	expect_rc 0 "$e: no false drift after up (generated columns, partial, expression and DESC indexes, views, triggers)"
	strata --dir "$M" --url "$U" status
	lacks "changed outside strata" "$OUT" "$e: status: no drift"
	strata diff "$U" "$U"
	expect_rc 0 "$e: a database with details equals itself"

	outside "$e" "$U"
	ok $? "$e: changes made outside strata"
	strata --dir "$M" --url "$U" status
	expect_rc 0 "$e: status exit code unchanged"
	has "warning: the schema changed outside strata since 2" "$OUT" "$e: drift"
	has "users.email: type varchar(100) -> text (changed outside migrations)" "$OUT" "$e: type change named"
	has "users.name: nullable null -> not null (changed outside migrations)" "$OUT" "$e: nullability named"
	has "users.status: default 'new' -> 'old' (changed outside migrations)" "$OUT" "$e: default named"
	has "users.sneaky: column added outside migrations" "$OUT" "$e: added column named"
	has "index idx_x on users: removed outside migrations" "$OUT" "$e: dropped index named"
	has "foreign key posts (user_id) -> users (id): added outside migrations" "$OUT" "$e: foreign key named"
	has "index idx_desc on users: added outside migrations" "$OUT" "$e: DESC index named"
	has "users.doubled: column added outside migrations" "$OUT" "$e: generated column named"
	if [ "$e" != mysql ]; then
		has "index idx_partial on users: added outside migrations" "$OUT" "$e: partial index named"
	fi
	lacks "gadgets." "$OUT" "$e: nothing else named (columns)"
	lacks "on gadgets" "$OUT" "$e: nothing else named (indexes)"
	lacks "g_trg" "$OUT" "$e: nothing else named (trigger)"
	lacks "v_users" "$OUT" "$e: the view recreated as it was is no change"
	strata --dir "$M" --url "$U" check
	expect_rc 3 "$e: check exit 3 on drift"
	has "users.sneaky: column added outside migrations" "$OUT$ERR" "$e: check names it"
	strata --dir "$M" --url "$U" check --format json
	expect_rc 3 "$e: check json exit 3"
	printf '%s' "$OUT" >"$T_TMP/j.json"
	"$PYTHON" - "$T_TMP/j.json" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["schema"]
assert s["drift"] is True and s["drift_explained"] is True, s
c = {(x["object"], x["change"]) for x in s["changes"]}
assert ("users.sneaky", "added") in c, c
assert ("index idx_x on users", "removed") in c, c
t = [x for x in s["changes"] if x["object"] == "users.email"][0]
assert t["attribute"] == "type" and t["before"] == "varchar(100)", t
assert t["after"] == "text" and t["kind"] == "column", t
EOF
	ok $? "$e: json lists the changes"
	problems=$(printf '%s\n' "$OUT" |
		"$PYTHON" "$STRATA_SRCDIR/tests/cli/cli_json_check.py" document check)
	is "$problems" "" "$e: json document validates"

	# An index rebuilt with other keys under its name is one change.
	case "$e" in
	mysql) db_query "$e" "$U" "DROP INDEX g_desc ON gadgets; CREATE INDEX g_desc ON gadgets (qty, price)" ;;
	*) db_query "$e" "$U" "DROP INDEX g_desc; CREATE INDEX g_desc ON gadgets (qty, price)" ;;
	esac
	strata --dir "$M" --url "$U" status
	has "index g_desc on gadgets: keys qty DESC" "$OUT" "$e: index keys change named"
	lacks "index g_desc on gadgets: added" "$OUT" "$e: not as removed and added"

	# The definition of a view changed outside migrations.
	case "$e" in
	mysql) db_query "$e" "$U" "CREATE OR REPLACE VIEW v_users AS SELECT id FROM users" ;;
	*) db_query "$e" "$U" "DROP VIEW v_users; CREATE VIEW v_users AS SELECT id FROM users" ;;
	esac
	strata --dir "$M" --url "$U" status
	has "view v_users: definition changed outside migrations" "$OUT" "$e: view definition named"

	# A history from before snapshots: drift without detail, still exit 3.
	db_query "$e" "$U" "DROP TABLE strata_migrations_snapshot"
	strata --dir "$M" --url "$U" check
	expect_rc 3 "$e: without a snapshot, drift is still drift"
	has "no schema snapshot was recorded with 2" "$OUT$ERR" "$e: says why there is no detail"
	lacks "users.sneaky" "$OUT$ERR" "$e: no guessed detail"
	strata --dir "$M" --url "$U" check --format json
	has '"drift_explained":false' "$OUT" "$e: json says unexplained"
	# The next run records one again (the table is created lazily).
	strata --dir "$M" --url "$U" down
	expect_rc 0 "$e: down"
	strata --dir "$M" --url "$U" up
	expect_rc 0 "$e: up again"
	strata --dir "$M" --url "$U" check
	expect_rc 0 "$e: clean after the run re-stamped"
	is "$(db_query "$e" "$U" "SELECT count(DISTINCT fingerprint) FROM strata_migrations_snapshot")" 1 \
		"$e: snapshot recreated"
done

# A history stamped before details existed: the fingerprint of the plain
# lines (as strata computed it then) is no drift, with and without details.
old_fp() {
	printf '%s' "$1" | sha256sum | cut -d' ' -f1
}
for e in $(engines); do
	case "$e" in missing-*) continue ;; esac
	case "$e" in
	sqlite) plain="column a.x INTEGER
table a
" ;;
	postgres) plain="column a.x integer
table a
" ;;
	mysql) plain="column a.x int(11)
table a
" ;;
	esac
	P=$T_TMP/p_$e
	mig "$P" 1_a up.sql "CREATE TABLE a (x INTEGER);"
	db_new "$e" || continue
	strata --dir "$P" --url "$DBURL" up
	expect_rc 0 "$e: plain schema up"
	is "$(db_query "$e" "$DBURL" "SELECT schema_fingerprint FROM strata_migrations")" \
		"$(old_fp "$plain")" "$e: a schema without details keeps its old fingerprint"
done

# SQLite: an older strata left generated columns out and knew no details.
D=$T_TMP/old
mig "$D" 1_g up.sql "CREATE TABLE g (x INTEGER, y INTEGER AS (x + 1));
CREATE INDEX gi ON g (x) WHERE x > 0;"
db_new sqlite
strata --dir "$D" --url "$DBURL" up
expect_rc 0 "old: up"
sqlite3 "${DBURL#sqlite:}" "DROP TABLE strata_migrations_snapshot;
UPDATE strata_migrations SET schema_fingerprint = '$(old_fp "column g.x INTEGER
index gi on g (x)
table g
")'"
strata --dir "$D" --url "$DBURL" check
expect_rc 0 "old: the fingerprint of an older strata is no drift"
sqlite3 "${DBURL#sqlite:}" "ALTER TABLE g ADD COLUMN z INTEGER"
strata --dir "$D" --url "$DBURL" check
expect_rc 3 "old: a real change still is"

# The snapshot table is not the schema: diff and status leave it out.
db_new sqlite
A=$DBURL
strata --dir "$D" --url "$A" up
db_new sqlite
strata --dir "$D" --url "$DBURL" up
sqlite3 "${DBURL#sqlite:}" "DROP TABLE strata_migrations_snapshot"
strata diff "$A" "$DBURL"
expect_rc 0 "snapshot table left out of diff"

# Large schemas: the snapshot is cut into parts of at most 16,000
# characters, at line boundaries, and read back whole.
B=$T_TMP/big
i=0
sql=""
while [ $i -lt 150 ]; do
	sql="$sql CREATE TABLE t_$i (id INTEGER PRIMARY KEY, a_rather_long_column_name_$i VARCHAR(100) NOT NULL DEFAULT 'some default text', b INTEGER);"
	i=$((i + 1))
done
mig "$B" 1_big up.sql "$sql"
db_new sqlite
strata --dir "$B" --url "$DBURL" up
expect_rc 0 "big: up"
parts=$(sqlite3 "${DBURL#sqlite:}" "SELECT count(*) FROM strata_migrations_snapshot WHERE part >= 0")
[ "$parts" -gt 1 ]
ok $? "big: several parts ($parts)"
max=$(sqlite3 "${DBURL#sqlite:}" "SELECT max(length(content)) FROM strata_migrations_snapshot WHERE part >= 0")
[ "$max" -le 16000 ]
ok $? "big: each at most 16000 characters ($max)"
nl=$(sqlite3 "${DBURL#sqlite:}" "SELECT count(*) FROM strata_migrations_snapshot WHERE part >= 0 AND substr(content, -1) <> char(10)")
is "$nl" 0 "big: parts end at a line break"
sqlite3 "${DBURL#sqlite:}" "ALTER TABLE t_149 ADD COLUMN extra INTEGER"
strata --dir "$B" --url "$DBURL" status
is "$(printf '%s\n' "$OUT" | grep -c 'outside migrations')" 1 "big: exactly the one change"
has "t_149.extra: column added outside migrations" "$OUT" "big: named"

done_testing
