#!/bin/sh
# strata verify: examples/ verifies clean on SQLite (temporary file and a
# given one), PostgreSQL and MariaDB; deliberately broken sets are reported
# with the right migration and difference; a database with tables is
# refused unless --scratch-ok; exit codes 0, 1, 2.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
EX=$STRATA_SRCDIR/examples/migrations

# The default scratch: a temporary SQLite file, removed after.
export TMPDIR="$T_TMP/tmp"
mkdir -p "$TMPDIR"
strata --dir "$EX" verify
expect_rc 0 "examples verify on a temporary SQLite file"
has "ok: 8 migrations verified" "$OUT" "says how many were verified"
has "  down  20240101000003_add_user_bio" "$OUT" "prints progress"
is "$(ls "$TMPDIR")" "" "the temporary database is removed"

strata --dir "$EX" --format json verify
expect_rc 0 "verify --format json"
printf '%s\n' "$OUT" | "$PYTHON" -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["command"] == "verify" and d["ok"] is True, d
assert d["verified"] == 8 and d["pending"] == 8 and d["temporary"], d
assert d["failed"] is None and d["differences"] == [] and d["exit_code"] == 0
'
ok $? "json: ok document"

# set NAME: a copy of examples/ to break.
set_copy() {
	rm -rf "$T_TMP/$1"
	cp -r "$EX" "$T_TMP/$1"
	SET="$T_TMP/$1"
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e: server required but not started"
		continue ;;
	esac
	db_new "$e" || { ok 1 "$e: database"; continue; }
	strata --dir "$EX" --url "$DBURL" verify
	expect_rc 0 "$e: examples verify clean"
	has "ok: 8 migrations verified" "$OUT" "$e: all eight"

	# Now it holds tables: refused, then --scratch-ok with nothing pending.
	strata --dir "$EX" --url "$DBURL" verify --scratch-ok
	expect_rc 0 "$e: verified database keeps the migrations (nothing pending)"
	has "ok: 0 migrations verified" "$OUT" "$e: nothing was pending"
	strata --dir "$EX" --url "$DBURL" down --to 20240101000005 -y
	strata --dir "$EX" --url "$DBURL" verify
	expect_rc 2 "$e: a database with user tables is refused"
	has "holds user tables" "$ERR" "$e: says why"
	has "--scratch-ok" "$ERR" "$e: names the way out"
	strata --dir "$EX" --url "$DBURL" verify --scratch-ok
	expect_rc 0 "$e: --scratch-ok verifies the pending ones there"
	has "ok: 3 migrations verified" "$OUT" "$e: only the three pending"

	# A down that forgets to drop a column.
	set_copy "forget-$e"
	for f in "$SET"/20240101000003_add_user_bio/down*.sql; do
		printf -- '-- strata:empty\n' >"$f"
	done
	echo "SELECT 1;" >"$SET/20240101000003_add_user_bio/down.sql"
	db_new "$e"
	strata --dir "$SET" --url "$DBURL" verify
	expect_rc 1 "$e: down that keeps a column fails"
	has "FAILED: 20240101000003_add_user_bio: its down does not restore the schema" "$OUT" "$e: names the migration"
	has "users.bio: column only after down" "$OUT" "$e: names the column"

	# A down that drops the wrong index.
	set_copy "wrongidx-$e"
	cat >"$SET/20240101000006_index_posts_by_user/up.sql" <<'EOF'
CREATE INDEX posts_user_created_idx ON posts (user_id, created_at);
CREATE INDEX posts_title_idx ON posts (title);
EOF
	rm -f "$SET"/20240101000006_index_posts_by_user/up.postgres.sql
	for f in "$SET"/20240101000006_index_posts_by_user/down*.sql; do
		case "$e" in
		mysql) echo "DROP INDEX posts_title_idx ON posts;" >"$f" ;;
		*) echo "DROP INDEX posts_title_idx;" >"$f" ;;
		esac
	done
	db_new "$e"
	strata --dir "$SET" --url "$DBURL" verify
	expect_rc 1 "$e: down that drops the wrong index fails"
	has "FAILED: 20240101000006_index_posts_by_user" "$OUT" "$e: names the index migration"
	has "posts_user_created_idx" "$OUT" "$e: names the index left behind"
	has "index only after down" "$OUT" "$e: says it is only there after down"

	# An empty down marked -- strata:empty.
	set_copy "empty-$e"
	for f in "$SET"/20240101000002_create_posts/down*.sql; do
		printf -- '-- strata:empty\n' >"$f"
	done
	db_new "$e"
	strata --dir "$SET" --url "$DBURL" --format json verify
	expect_rc 1 "$e: an empty down fails (json)"
	printf '%s\n' "$OUT" | "$PYTHON" -c '
import json, sys
d = json.loads(sys.stdin.read())
assert d["ok"] is False and d["exit_code"] == 1, d
assert d["failed"]["id"] == "20240101000002_create_posts", d
assert d["failed"]["stage"] == "restore", d
objs = [x["object"] for x in d["differences"]]
assert "posts" in objs, objs
assert all(x["detail"].endswith("only after down") for x in d["differences"] if x["change"] == "only_b"), d
assert d["verified"] == 1, d
'
	ok $? "$e: json names posts, only after down, one verified before"

	# A migration whose re-up fails: its down restores the schema but
	# keeps the row its up inserted, which the second up inserts again.
	set_copy "reup-$e"
	mkdir -p "$SET/20240101000009_kv" "$SET/20240101000010_seed"
	echo "CREATE TABLE kv (k VARCHAR(10) NOT NULL PRIMARY KEY);" \
		>"$SET/20240101000009_kv/up.sql"
	echo "DROP TABLE kv;" >"$SET/20240101000009_kv/down.sql"
	cat >"$SET/20240101000010_seed/up.sql" <<'EOF'
INSERT INTO kv (k) VALUES ('a');
CREATE TABLE flags (id INTEGER NOT NULL);
EOF
	echo "DROP TABLE flags;" >"$SET/20240101000010_seed/down.sql"
	db_new "$e"
	strata --dir "$SET" --url "$DBURL" verify
	expect_rc 1 "$e: a second up that fails is reported"
	has "FAILED: 20240101000010_seed: its second up failed" "$OUT" "$e: names the migration and stage"
	has "up.sql" "$OUT" "$e: with the file of the error"
done

# No down file at all: the down stage fails with the error.
set_copy nodown
rm -f "$SET"/20240101000004_add_display_name/down*.sql
strata --dir "$SET" verify
expect_rc 1 "a migration without down fails"
has "FAILED: 20240101000004_add_display_name: its down failed" "$OUT" "names the stage"
has "no down file" "$OUT" "gives the reason"

# Usage: verify takes no operands; unknown option.
strata --dir "$EX" verify 1
expect_rc 2 "verify takes no operands"
strata --dir "$EX" verify --scratch
expect_rc 2 "abbreviated option refused"
done_testing
