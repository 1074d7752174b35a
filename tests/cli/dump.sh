#!/bin/sh
# strata dump: deterministic DDL for the target's dialect. On SQLite,
# PostgreSQL and MariaDB, examples/ and a richer set (tests/cli/dump-rich)
# are applied, dumped, the dump applied to an empty database and dumped
# again: the two dumps are identical. -o writes a file atomically;
# schema_file and --schema-file write it after up and down.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
EX=$STRATA_SRCDIR/examples/migrations
RICH=$STRATA_SRCDIR/tests/cli/dump-rich

# round_trip ENGINE LABEL DIR: DIR applied, dumped twice, the dump applied
# to a new database and dumped again.
round_trip() {
	db_new "$1" || { ok 1 "$1: database"; return; }
	A=$DBURL
	strata --dir "$3" --url "$A" up --allow-destructive
	expect_rc 0 "$1 $2: up"
	strata --url "$A" dump
	expect_rc 0 "$1 $2: dump"
	D1=$OUT
	printf '%s\n' "$OUT" >"$T_TMP/$1-$2.sql"
	strata --url "$A" dump
	is "$OUT" "$D1" "$1 $2: dump is deterministic"
	has "CREATE TABLE" "$D1" "$1 $2: has tables"
	lacks "strata_migrations" "$D1" "$1 $2: without the history table"
	lacks "definition not available" "$D1" "$1 $2: every definition known"
	# The dump as a migration, applied with strata's own splitter.
	mkdir -p "$T_TMP/re-$1-$2/1_dump"
	cp "$T_TMP/$1-$2.sql" "$T_TMP/re-$1-$2/1_dump/up.sql"
	db_new "$1"
	B=$DBURL
	strata --dir "$T_TMP/re-$1-$2" --url "$B" up --allow-destructive
	expect_rc 0 "$1 $2: the dump applies to an empty database"
	strata --url "$B" dump
	is "$OUT" "$D1" "$1 $2: dumped again, identical"
	strata diff "$A" "$B"
	expect_rc 0 "$1 $2: strata diff finds them equal"
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e: server required but not started"
		continue ;;
	esac
	round_trip "$e" examples "$EX"
	round_trip "$e" rich "$RICH"
	D=$(cat "$T_TMP/$e-rich.sql")
	case "$e" in
	mysql) q='`' ;;
	*) q='"' ;;
	esac
	has "CREATE TABLE ${q}Order Items${q}" "$D" "$e: a name with a space is quoted"
	has "${q}order${q}" "$D" "$e: a reserved word is quoted"
	has "${q}ID${q}" "$D" "$e: a name with capitals is quoted"
	has "ON DELETE CASCADE" "$D" "$e: ON DELETE CASCADE"
	has "ON DELETE SET NULL" "$D" "$e: ON DELETE SET NULL"
	has "CREATE UNIQUE INDEX accounts_region_code ON accounts (region, code);" "$D" "$e: composite unique index"
	has "VIEW active_accounts" "$D" "$e: the view"
	has "DEFAULT 'new'" "$D" "$e: a string default"
done

# -o FILE, written atomically; -o - is stdout; the text ends with a newline.
db_new sqlite
strata --dir "$EX" --url "$DBURL" up --allow-destructive
strata --url "$DBURL" dump -o "$T_TMP/schema.sql"
expect_rc 0 "dump -o FILE"
is "$OUT" "" "nothing on stdout"
strata --url "$DBURL" dump -o -
is "$OUT" "$(cat "$T_TMP/schema.sql")" "-o - is stdout, the same text"
is "$(tail -c 1 "$T_TMP/schema.sql" | od -An -c | tr -d ' ')" '\n' "ends with a newline"
ls "$T_TMP"/schema.sql.tmp* >/dev/null 2>&1
ok $((! $?)) "no temporary file left"
strata --url "$DBURL" dump -o "$T_TMP/no/such/dir/schema.sql"
expect_rc 1 "an unwritable path fails"
has "no/such/dir/schema.sql" "$ERR" "naming the path"
strata --url "$DBURL" status -o x
expect_rc 2 "-o belongs to dump only"

# schema_file in strata.ini: written after up and after down.
db_new sqlite
cat >"$T_TMP/strata.ini" <<EOF
[default]
url = $DBURL
migrations = $EX
schema_file = db/schema.sql
EOF
mkdir -p "$T_TMP/db"
strata -c "$T_TMP/strata.ini" up --to 20240101000002 --allow-destructive
expect_rc 0 "up with schema_file"
S1=$(cat "$T_TMP/db/schema.sql" 2>/dev/null)
has "CREATE TABLE posts" "$S1" "schema_file written after up (relative to strata.ini)"
strata -c "$T_TMP/strata.ini" dump
is "$OUT" "$S1" "schema_file holds what dump prints"
strata -c "$T_TMP/strata.ini" down
expect_rc 0 "down with schema_file"
S2=$(cat "$T_TMP/db/schema.sql")
lacks "CREATE TABLE posts" "$S2" "schema_file rewritten after down"
strata -c "$T_TMP/strata.ini" up --allow-destructive --schema-file "$T_TMP/other.sql"
expect_rc 0 "up --schema-file"
has "CREATE TABLE posts" "$(cat "$T_TMP/other.sql" 2>/dev/null)" "--schema-file overrides the config"
is "$(cat "$T_TMP/db/schema.sql")" "$S2" "and the config's file is left alone"
printf '[default]\nschema_file = x\nbogus = 1\n' >"$T_TMP/bad.ini"
strata -c "$T_TMP/bad.ini" dump
expect_rc 2 "an unknown key is still refused"
done_testing
