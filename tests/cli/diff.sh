#!/bin/sh
# strata diff: examples/ applied to SQLite, PostgreSQL and MariaDB compare
# equal pairwise; one deliberate difference on each database is named.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
EXINI=$STRATA_SRCDIR/examples/strata.ini

# json_check EXIT_CODE: the diff document on $OUT has the documented shape.
json_check() {
	printf '%s\n' "$OUT" | "$PYTHON" -c '
import json, sys
want = int(sys.argv[1])
d = json.loads(sys.stdin.read())
assert d["format_version"] == 1 and d["command"] == "diff", d
for side in ("a", "b"):
    for k in ("target", "driver", "server"):
        assert isinstance(d[side][k], str), (side, k)
assert d["exit_code"] == want and d["equal"] == (want == 0), d
assert isinstance(d["differences"], list)
for it in d["differences"]:
    assert it["change"] in ("only_a", "only_b", "changed"), it
    for k in ("kind", "object", "detail"):
        assert isinstance(it[k], str), (k, it)
    for k in ("attribute", "a", "b"):
        assert it[k] is None or isinstance(it[k], str), (k, it)
    assert (it["attribute"] is None) == (it["change"] != "changed"), it
assert (len(d["differences"]) == 0) == (want == 0)
' "$1"
}

# examples_db ENGINE: a new database with examples/ applied; URL in $DBURL.
examples_db() {
	db_new "$1" || return 1
	strata -c "$EXINI" --url "$DBURL" up
	[ "$RC" -eq 0 ]
}

CLEAN=""
for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e: server required but not started"
		continue ;;
	esac
	examples_db "$e"
	ok $? "$e: examples up"
	CLEAN="$CLEAN $e=$DBURL"
done

# Pairwise, both ways round: equal, exit 0.
for x in $CLEAN; do
	for y in $CLEAN; do
		[ "$x" = "$y" ] && continue
		strata diff "${x#*=}" "${y#*=}"
		expect_rc 0 "examples: ${x%%=*} equals ${y%%=*}"
		has "equal:" "$OUT" "${x%%=*} vs ${y%%=*}: says equal"
	done
done

# One deliberate difference on each database, named against each clean
# one (its own engine's included).
for x in $CLEAN; do
	e=${x%%=*}
	examples_db "$e"
	ok $? "$e: second examples database"
	case "$e" in
	sqlite)
		db_query "$e" "$DBURL" "ALTER TABLE users ADD COLUMN sneaky INTEGER"
		want="users.sneaky: column only in B ($DBURL)"
		;;
	postgres)
		db_query "$e" "$DBURL" "ALTER TABLE posts ALTER COLUMN title TYPE text"
		want="posts.title: type varchar(200) vs text"
		;;
	mysql)
		db_query "$e" "$DBURL" "DROP INDEX posts_user_created_idx ON posts"
		want="posts (user_id, created_at): index only in A"
		;;
	esac
	changed=$DBURL
	for y in $CLEAN; do
		strata diff "${y#*=}" "$changed"
		expect_rc 3 "$e: deliberate difference against ${y%%=*}"
		# The line names the URL password-redacted.
		case "$want" in
		*"only in B ("*) has "users.sneaky: column only in B (" "$OUT" \
			"$e vs ${y%%=*}: names the extra column" ;;
		*) has "$want" "$OUT" "$e vs ${y%%=*}: names it" ;;
		esac
		is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 \
			"$e vs ${y%%=*}: only that difference"
		strata --format json diff "${y#*=}" "$changed"
		expect_rc 3 "$e vs ${y%%=*}: json"
		json_check 3
		ok $? "$e vs ${y%%=*}: json document validates"
	done
	if [ "$e" = sqlite ]; then
		strata diff "$changed" "${x#*=}"
		has "users.sneaky: column only in A (sqlite:" "$OUT" \
			"sqlite: the other way round, only in A"
	fi
done

# Passwords never printed; the URL is shown with ***.
for x in $CLEAN; do
	case "$x" in
	postgres=* | mysql=*)
		strata diff "${x#*=}" sqlite:/nonexistent/x.db
		lacks "strata-secret" "$OUT$ERR" "${x%%=*}: password not printed"
		strata diff "${x#*=}" "${x#*=}"
		expect_rc 0 "${x%%=*}: a database equals itself"
		has ":***@" "$OUT" "${x%%=*}: URL redacted"
		lacks "strata-secret" "$OUT$ERR" "${x%%=*}: no password in output"
		strata --format json diff "${x#*=}" "${x#*=}"
		json_check 0
		ok $? "${x%%=*}: equal json validates"
		lacks "strata-secret" "$OUT$ERR" "${x%%=*}: no password in json"
		;;
	esac
done

# Two SQLite files, as paths and through environments of strata.ini.
sqlite3 a.db "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x', n INT);
CREATE INDEX t_name ON t (name); CREATE VIEW v AS SELECT id FROM t;"
sqlite3 b.db "CREATE TABLE t (id INTEGER PRIMARY KEY, name VARCHAR(20) NOT NULL DEFAULT 'x', n INT);
CREATE INDEX t_name_other ON t (name); CREATE VIEW v AS SELECT id FROM t;"
strata diff a.db sqlite:b.db
expect_rc 0 "sqlite files: index names do not matter"
sqlite3 b.db "DROP INDEX t_name_other; CREATE UNIQUE INDEX t_u ON t (name);
CREATE TABLE extra (x TEXT); DROP VIEW v;"
printf '[default]\nurl = sqlite:a.db\n[left]\nurl = sqlite:a.db\n[right]\nurl = sqlite:b.db\n' >s.ini
strata -c s.ini diff left right
expect_rc 3 "environment names: differ"
has "extra: table only in B (sqlite:b.db)" "$OUT" "names the table"
has "t (name): index only in A (sqlite:a.db)" "$OUT" "names the index"
has "t (name): unique index only in B (sqlite:b.db)" "$OUT" "names the unique index"
has "v: view only in A (sqlite:a.db)" "$OUT" "names the view"
has "4 differences" "$ERR" "counts them"
strata -c s.ini -q diff left left
expect_rc 0 "-q: equal"
is "$OUT" "" "-q: nothing printed when equal"
[ -e strata_migrations ] || [ ! -e left ]
ok $? "no file created for an environment name"

# The same table written in each dialect's own words compares equal:
# serial/identity/auto_increment/rowid, boolean as tinyint(1) with 0/false,
# DECIMAL/NUMERIC, DOUBLE/DOUBLE PRECISION, now()/CURRENT_TIMESTAMP,
# DEFAULT NULL, a UNIQUE constraint's index.
KINDS=""
for e in $(engines); do
	case "$e" in missing-*) continue ;; esac
	db_new "$e" || { ok 1 "$e: database for the types table"; continue; }
	case "$e" in
	sqlite) sql="CREATE TABLE k (id INTEGER PRIMARY KEY, flag BOOLEAN NOT NULL DEFAULT 0, name VARCHAR(20) DEFAULT 'x', price NUMERIC(10,2) DEFAULT 0.00, ts TIMESTAMP DEFAULT CURRENT_TIMESTAMP, code CHAR(3) UNIQUE, d DOUBLE PRECISION, j TEXT DEFAULT NULL)" ;;
	postgres) sql="CREATE TABLE k (id SERIAL PRIMARY KEY, flag BOOLEAN NOT NULL DEFAULT false, name VARCHAR(20) DEFAULT 'x', price NUMERIC(10,2) DEFAULT 0.00, ts TIMESTAMP DEFAULT now(), code CHAR(3) UNIQUE, d DOUBLE PRECISION, j TEXT DEFAULT NULL)" ;;
	mysql) sql="CREATE TABLE k (id INT AUTO_INCREMENT PRIMARY KEY, flag BOOLEAN NOT NULL DEFAULT FALSE, name VARCHAR(20) DEFAULT 'x', price DECIMAL(10,2) DEFAULT 0.00, ts TIMESTAMP NULL DEFAULT CURRENT_TIMESTAMP, code CHAR(3) UNIQUE, d DOUBLE, j TEXT DEFAULT NULL) ENGINE=InnoDB" ;;
	esac
	db_query "$e" "$DBURL" "$sql" >/dev/null
	ok $? "$e: types table created"
	KINDS="$KINDS $e=$DBURL"
done
for x in $KINDS; do
	for y in $KINDS; do
		[ "$x" = "$y" ] && continue
		strata diff "${x#*=}" "${y#*=}"
		expect_rc 0 "types: ${x%%=*} equals ${y%%=*}"
	done
done

# A primary key and a unique index on the same column, under other index
# names, pair up with their like (the primary key is a sort key).
sqlite3 pk1.db "CREATE TABLE p (a TEXT NOT NULL PRIMARY KEY, b INT);
CREATE UNIQUE INDEX p_one ON p (a); CREATE INDEX p_b ON p (b);"
sqlite3 pk2.db "CREATE TABLE p (a TEXT NOT NULL PRIMARY KEY, b INT);
CREATE INDEX p_b2 ON p (b); CREATE UNIQUE INDEX p_two ON p (a);"
strata diff pk1.db pk2.db
expect_rc 0 "primary key and unique index on one column: equal"
sqlite3 pk3.db "CREATE TABLE p (a TEXT NOT NULL UNIQUE, b INT);
CREATE INDEX p_b ON p (b);"
strata diff pk1.db pk3.db
expect_rc 3 "primary key dropped: differs"
has "p (a): primary key only in A" "$OUT" "names the primary key"
is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 1 "only the primary key"

# Across drivers, names are matched whatever their case; a serial in a
# table whose quoted name holds a dot owns its sequence.
if engines | grep -qx postgres; then
	sqlite3 case.db 'CREATE TABLE "Foo" ("Id" INTEGER PRIMARY KEY, "Name" TEXT);
CREATE TABLE "a.b" (id INTEGER PRIMARY KEY);'
	if db_new postgres; then
		db_query postgres "$DBURL" 'CREATE TABLE foo (id SERIAL PRIMARY KEY, name TEXT);
CREATE TABLE "a.b" (id SERIAL PRIMARY KEY);' >/dev/null
		strata diff case.db "$DBURL"
		expect_rc 3 "sqlite vs postgres: names differ in case"
		has "Foo: case differs: Foo vs foo" "$OUT" "table case differs"
		has "Foo.Id: case differs: Foo.Id vs foo.id" "$OUT" \
			"column case differs"
		lacks "only in" "$OUT" "case: nothing only on one side"
		lacks "sequence" "$OUT" "quoted dotted table: its sequence is owned"
		is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 3 \
			"case: one line per name"
	else
		ok 1 "postgres: database for the case test"
	fi
fi

# Two databases of one driver compare the reported type too: unsigned and
# fractional seconds precision are differences between MySQL databases.
if engines | grep -qx mysql; then
	if db_new mysql; then
		m1=$DBURL
		db_query mysql "$m1" "CREATE TABLE t (a INT, b INT, ts TIMESTAMP(3) NULL, n DECIMAL(10,2))"
		db_new mysql
		m2=$DBURL
		db_query mysql "$m2" "CREATE TABLE t (a INT UNSIGNED, b INT, ts TIMESTAMP(6) NULL, n DECIMAL(10,2))"
		strata diff "$m1" "$m2"
		expect_rc 3 "mysql vs mysql: exact types differ"
		has "t.a: type int(11) vs int(10) unsigned" "$OUT" "unsigned differs"
		has "t.ts: type timestamp(3) vs timestamp(6)" "$OUT" \
			"precision differs"
		is "$(printf '%s\n' "$OUT" | wc -l | tr -d ' ')" 2 \
			"mysql: only those two"
	else
		ok 1 "mysql: databases for the exact type test"
	fi
fi

# Usage and configuration errors: exit 2, nothing created.
strata diff a.db
expect_rc 2 "one operand"
strata diff a.db b.db c.db
expect_rc 2 "three operands"
strata --url sqlite:a.db diff a.db b.db
expect_rc 2 "--url refused"
strata -c s.ini diff left nosuchenv
expect_rc 2 "unknown environment"
strata diff a.db nosuch://host/db
expect_rc 2 "unknown URL scheme"
has "nosuch" "$ERR" "names the scheme"
strata diff a.db sqlite:missing.db
expect_rc 2 "missing SQLite file"
[ ! -e missing.db ]
ok $? "missing SQLite file not created"
strata --format json diff a.db nosuch://x
expect_rc 2 "json: bad URL"
printf '%s\n' "$OUT" | "$PYTHON" -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["command"] == "diff" and d["exit_code"] == 2 and d["error"]["kind"] == "usage", d'
ok $? "json: error document"
strata diff --help
expect_rc 0 "diff --help"
has "diff A B" "$OUT" "help synopsis"

done_testing
