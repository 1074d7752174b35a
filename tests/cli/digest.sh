#!/bin/sh
# The catalog digest: status and check skip reading the schema when the
# database's catalog is exactly as it was when the fingerprint was
# recorded (SQLite: sqlite_schema's text; PostgreSQL: every catalog row's
# version; MariaDB: information_schema's cheap columns and InnoDB's
# dictionary), and read it in full otherwise, with --full, or when the
# digest belongs to another fingerprint.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

schema() { # ARGS...: "method drift changes" of status --format json
	strata --dir "$M" --url "$DBURL" status --format json "$@"
	printf '%s' "$OUT" | "$PYTHON" -c '
import json, sys
s = json.load(sys.stdin)["schema"]
print(s["method"], str(s["drift"]).lower(),
      ",".join(c["object"] for c in s["changes"]))'
}

inplace() { # SQL: an ALTER that leaves the table and its indexes as they are
	db_query mysql "$DBURL" "SET SESSION foreign_key_checks = 0;
		ALTER TABLE da $1, ALGORITHM=INPLACE" >/dev/null
}

# What information_schema shows only by opening every table (index key
# order and type, foreign keys) comes from InnoDB's dictionary instead:
# each change below leaves its cheap columns as they were.
mariadb_digest() {
	e=mysql
	db_query "$e" "$DBURL" "DROP INDEX da_v ON da;
		CREATE INDEX da_v ON da (v DESC)" >/dev/null
	got=$(schema)
	is "${got%% *}" "introspection" "$e: an index made again DESC is read"
	db_query "$e" "$DBURL" "DROP INDEX da_v ON da;
		CREATE INDEX da_v ON da (v)" >/dev/null
	inplace "ADD CONSTRAINT da_self FOREIGN KEY (v) REFERENCES da (id)"
	is "$(schema)" "introspection true foreign key da (v) -> da (id)" \
		"$e: a foreign key added in place"
	inplace "DROP FOREIGN KEY da_self"
	mig "$M" 4_fk up.sql "ALTER TABLE da ADD CONSTRAINT da_self
		FOREIGN KEY (v) REFERENCES da (id);"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up with a foreign key"
	is "$(schema)" "catalog-digest false " "$e: the digest is used"
	inplace "DROP FOREIGN KEY da_self"
	inplace "ADD CONSTRAINT da_self FOREIGN KEY (v) REFERENCES da (id)
		ON DELETE CASCADE"
	is "$(schema)" "introspection true foreign key da (v) -> da (id)" \
		"$e: only a foreign key's rule changed"
	inplace "DROP FOREIGN KEY da_self"
	inplace "ADD CONSTRAINT da_self FOREIGN KEY (v) REFERENCES da (id)"
	is "$(schema)" "catalog-digest false " "$e: the rule back: the digest again"

	# Without the PROCESS privilege InnoDB's dictionary is out of reach:
	# read in full, with nothing said about it.
	u="dg_$T_DBTAG"
	host=${STRATA_TEST_MY_URL#*@}
	$STRATA_TEST_MY_ADMIN -e "CREATE USER '$u'@'%' IDENTIFIED BY 'pw';
		GRANT ALL ON \`${DBURL##*/}\`.* TO '$u'@'%'"
	OLDURL=$DBURL
	DBURL="mysql://$u:pw@${host%/*}/${DBURL##*/}"
	is "$(schema)" "introspection false " "$e: no PROCESS privilege: read in full"
	strata --dir "$M" --url "$DBURL" status
	expect_rc 0 "$e: no PROCESS privilege: status"
	is "$ERR" "" "$e: ... and nothing said about the digest"
	DBURL=$OLDURL
	$STRATA_TEST_MY_ADMIN -e "DROP USER '$u'@'%'"

	# A table of another engine has no dictionary to vouch for it.
	mig "$M" 5_myisam up.sql "CREATE TABLE dm (id INT) ENGINE=MyISAM;"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up with a MyISAM table"
	is "$(schema)" "introspection false " "$e: a MyISAM table: read in full"

	# A database whose name the dictionary spells otherwise ("@002d").
	odd="${DBURL##*/}-x"
	$STRATA_TEST_MY_ADMIN -e "CREATE DATABASE \`$odd\`"
	OLDURL=$DBURL
	DBURL="${DBURL%/*}/$odd"
	rm -rf "$M/4_fk" "$M/5_myisam"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up in $odd"
	is "$(schema)" "catalog-digest false " "$e: $odd: the digest is used"
	inplace "ADD CONSTRAINT da_self FOREIGN KEY (v) REFERENCES da (id)"
	is "$(schema)" "introspection true foreign key da (v) -> da (id)" \
		"$e: $odd: a foreign key added in place"
	$STRATA_TEST_MY_ADMIN -e "DROP DATABASE \`$odd\`"
	DBURL=$OLDURL
}

for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server not available"
		continue
		;;
	esac
	M=$T_TMP/$e
	mig "$M" 1_a up.sql "CREATE TABLE da (id INT PRIMARY KEY, v INT);"
	mig "$M" 2_b up.sql "CREATE INDEX da_v ON da (v);"
	db_new "$e" || { ok 1 "$e: create a database"; continue; }
	quick=catalog-digest

	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up"
	is "$(schema)" "$quick false " "$e: clean, by $quick"
	is "$(schema --full)" "introspection false " "$e: --full reads the schema"
	strata --dir "$M" --url "$DBURL" check --full
	expect_rc 0 "$e: check --full: clean"

	# Every kind of outside change is still seen.
	db_query "$e" "$DBURL" "ALTER TABLE da ADD COLUMN sneaky INT" >/dev/null
	is "$(schema)" "introspection true da.sneaky" "$e: a column added"
	strata --dir "$M" --url "$DBURL" check
	expect_rc 3 "$e: check fails on it"
	db_query "$e" "$DBURL" "ALTER TABLE da DROP COLUMN sneaky" >/dev/null
	got=$(schema)
	is "${got#* }" "false " "$e: dropped again: clean"
	db_query "$e" "$DBURL" "CREATE INDEX da_id_v ON da (id, v)" >/dev/null
	is "$(schema)" "introspection true index da_id_v on da" "$e: an index added"
	db_query "$e" "$DBURL" "DROP INDEX da_id_v$([ "$e" = mysql ] && echo ' ON da')" >/dev/null
	db_query "$e" "$DBURL" "CREATE VIEW dv AS SELECT id FROM da" >/dev/null
	is "$(schema)" "introspection true view dv" "$e: a view added"
	db_query "$e" "$DBURL" "DROP VIEW dv" >/dev/null
	got=$(schema)
	is "${got#* }" "false " "$e: clean once undone"

	# A later run records a new digest with its fingerprint.
	mig "$M" 3_c up.sql "CREATE TABLE dc (id INT);"
	mig "$M" 3_c down.sql "DROP TABLE dc;"
	strata --dir "$M" --url "$DBURL" up
	expect_rc 0 "$e: up again"
	is "$(schema)" "$quick false " "$e: the new digest is used"

	if [ "$e" = postgres ]; then
		# Changes that leave pg_class alone are still seen.
		db_query "$e" "$DBURL" "ALTER TABLE da ALTER COLUMN v SET DEFAULT 7" >/dev/null
		is "$(schema)" "introspection true da.v" "$e: a column default set"
		db_query "$e" "$DBURL" "ALTER TABLE da ALTER COLUMN v DROP DEFAULT" >/dev/null
		db_query "$e" "$DBURL" "CREATE FUNCTION df() RETURNS int LANGUAGE sql AS 'SELECT 1'" >/dev/null
		is "$(schema)" "introspection true " "$e: a function created (drift, not itemized)"
		db_query "$e" "$DBURL" "DROP FUNCTION df()" >/dev/null
		strata --dir "$M" --url "$DBURL" down
		strata --dir "$M" --url "$DBURL" up
		expect_rc 0 "$e: down and up: a fresh digest"
		# Temporary tables belong to sessions, not to the schema: one
		# created and gone, and one alive in another session, leave
		# the digest as it was.
		db_query "$e" "$DBURL" "CREATE TEMP TABLE gone (x INT)" >/dev/null
		is "$(schema)" "catalog-digest false " "$e: a temporary table gone: still the digest"
		psql -X -q -d "$DBURL" -c "CREATE TEMP TABLE alive (x INT)" \
			-c "SELECT pg_sleep(30)" >/dev/null 2>&1 &
		holder=$!
		temp_alive() {
			[ "$(db_query "$e" "$DBURL" "SELECT count(*) FROM pg_class WHERE relname = 'alive' AND relpersistence = 't'")" = 1 ]
		}
		wait_for "a temporary table in another session" temp_alive
		is "$(schema)" "catalog-digest false " "$e: a temporary table alive elsewhere: still the digest"
		kill "$holder" 2>/dev/null
		wait "$holder" 2>/dev/null
		# The same: statistics (in place), not a schema change.
		db_query "$e" "$DBURL" "ANALYZE da" >/dev/null
		is "$(schema)" "catalog-digest false " "$e: ANALYZE leaves the digest"
		# Changes that write pg_attribute, not pg_class.
		db_query "$e" "$DBURL" "ALTER TABLE da ALTER COLUMN v SET NOT NULL" >/dev/null
		is "$(schema)" "introspection true da.v" "$e: NOT NULL set"
		db_query "$e" "$DBURL" "ALTER TABLE da ALTER COLUMN v DROP NOT NULL" >/dev/null
		db_query "$e" "$DBURL" "ALTER TABLE da RENAME COLUMN v TO w" >/dev/null
		got=$(schema)
		is "${got%% *}" "introspection" "$e: a column renamed"
		db_query "$e" "$DBURL" "ALTER TABLE da RENAME COLUMN w TO v" >/dev/null
		continue
	fi
	if [ "$e" = mysql ]; then
		mariadb_digest
		continue
	fi
	[ "$e" = sqlite ] || continue
	F=${DBURL#sqlite:}
	is "$(sqlite3 "$F" "SELECT count(*) FROM strata_migrations_snapshot WHERE part = -1")" \
		1 "$e: one digest, kept with the snapshot"
	# A digest of another fingerprint vouches for nothing.
	sqlite3 "$F" "UPDATE strata_migrations_snapshot SET fingerprint = 'x' || substr(fingerprint, 2) WHERE part = -1"
	is "$(schema)" "introspection false " "$e: a digest of another fingerprint is not used"
	# A snapshot from before digests: read in full, still right.
	sqlite3 "$F" "DELETE FROM strata_migrations_snapshot WHERE part = -1"
	is "$(schema)" "introspection false " "$e: no digest: read in full"
	sqlite3 "$F" "CREATE TABLE late (x INT)"
	is "$(schema)" "introspection true late" "$e: drift still explained"
	sqlite3 "$F" "DROP TABLE late"
	# Text that differs, a schema that does not: read, no false drift.
	strata --dir "$M" --url "$DBURL" down
	expect_rc 0 "$e: down"
	is "$(schema)" "$quick false " "$e: down records a digest too"
	sqlite3 "$F" "ALTER TABLE da RENAME TO da2; ALTER TABLE da2 RENAME TO da"
	is "$(schema)" "introspection false " "$e: a rename back and forth is no drift"
	# ANALYZE adds sqlite_stat1: not the user's schema.
	sqlite3 "$F" "ANALYZE"
	got=$(schema)
	is "${got#* }" "false " "$e: ANALYZE is no drift"
done

done_testing
