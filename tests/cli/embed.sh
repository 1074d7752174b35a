#!/bin/sh
# Embedding: `make install` into a staging directory, then examples/embed
# built against the installed tree alone (pkg-config, <strata/strata.h>,
# -lstrata) migrates a SQLite database at start-up, and a second start
# finds nothing to do; the same on PostgreSQL and MariaDB.
. "$STRATA_SRCDIR/tests/lib.sh"
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_LOCK_TIMEOUT STRATA_INIT_SQL
D=$T_TMP/dest

install_staged "$D"

pc=$(find "$D" -name strata.pc | head -1)
lib=$(find "$D" -name 'libstrata.so' | head -1)
plug=$(find "$D" -name 'strata_sqlite.so' | head -1)
hdr=$(find "$D" -path '*/strata/strata.h' | head -1)
[ -n "$pc" ] && [ -n "$lib" ] && [ -n "$plug" ] && [ -n "$hdr" ]
ok $? "installed: strata.pc, libstrata.so, the sqlite driver, strata.h"
if [ -z "$pc" ] || [ -z "$lib" ] || [ -z "$plug" ] || [ -z "$hdr" ]; then
	done_testing
fi
lacks "/include/include/" "$hdr" "headers are not under include/include"
[ -f "$(dirname "$hdr")/driver.h" ]
ok $? "driver.h is installed next to strata.h"

# Only the staging tree: PKG_CONFIG_LIBDIR hides any strata.pc installed on
# the machine, the sysroot maps the .pc's absolute paths into $D.
PKG_CONFIG_LIBDIR=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$D
export PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
unset PKG_CONFIG_PATH
cflags=$(pkg-config --cflags strata)
libs=$(pkg-config --libs strata)
has "-I$D" "$cflags" "pkg-config --cflags points into the installed tree"
has "-lstrata" "$libs" "pkg-config --libs links -lstrata"
pdir=$(pkg-config --variable=plugindir strata)
is "$D${pdir#"$D"}" "$(dirname "$plug")" "pkg-config's plugindir is where the drivers are"

# A copy of the example, as a user would take it (srcdir is read-only
# under distcheck).
cp -R "$STRATA_SRCDIR/examples/embed" "$T_TMP/app"
chmod -R u+w "$T_TMP/app"
cd "$T_TMP/app" || exit 1
rm -f embed app.db
make_here "examples/embed builds with pkg-config against the install"
unset OUT

# Run it on the installed library and driver only.
LD_LIBRARY_PATH=$(dirname "$lib")${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
STRATA_PLUGIN_PATH=$(dirname "$plug")
export LD_LIBRARY_PATH STRATA_PLUGIN_PATH
has "$D" "$(ldd ./embed | grep libstrata)" "embed loads the installed libstrata.so"

run_embed() {
	./embed "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
}

run_embed
expect_rc 0 "first start migrates"
has "migrate: applied 20240101000001_create_notes" "$OUT" "reports the first migration"
has "migrate: applied 20240101000002_add_note_tags" "$OUT" "reports the second migration"
has "app: ready" "$OUT" "then gets on with its work"
is "$(sqlite3 app.db "SELECT version || ':' || status FROM strata_migrations ORDER BY version" | tr '\n' ' ')" \
	"20240101000001:applied 20240101000002:applied " "both recorded in the history table"
is "$(sqlite3 app.db "SELECT name FROM sqlite_master WHERE name LIKE 'note%' ORDER BY name" | tr '\n' ' ')" \
	"note_tags notes " "the tables exist"

run_embed
expect_rc 0 "second start"
has "migrate: the database is up to date" "$OUT" "second start: nothing to do"
lacks "applied 2024" "$OUT" "second start applies nothing"
has "2 migrations, 0 pending" "$OUT" "status read through the API"
is "$(sqlite3 app.db "SELECT count(*) FROM strata_migrations")" 2 "still two history rows"

# Any strata URL (README): the same migrations on every database.
for e in $(engines); do
	case $e in
	sqlite) continue ;; # above
	missing-*)
		ok 1 "${e#missing-} server required but its URL is not set"
		continue
		;;
	esac
	db_new "$e" || {
		ok 1 "$e: create a database"
		continue
	}
	run_embed "$DBURL" migrations
	expect_rc 0 "$e: first start migrates"
	has "migrate: applied 20240101000002_add_note_tags" "$OUT" \
		"$e: both migrations applied"
	is "$(db_query "$e" "$DBURL" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" \
		2 "$e: both recorded as applied"
	run_embed "$DBURL" migrations
	expect_rc 0 "$e: second start"
	has "migrate: the database is up to date" "$OUT" "$e: nothing to do"
done

# Errors come back formatted, with the password redacted.
mkdir -p bad/1_broken
printf 'CREATE TABLE (;\n' >bad/1_broken/up.sql
printf -- '-- nothing\n' >bad/1_broken/down.sql
run_embed sqlite:bad.db bad
expect_rc 1 "a failing migration is an error"
has "embed: cannot migrate: " "$ERR" "printed with strata_error_format"
run_embed "postgres://app:Sekr1tPw@127.0.0.1:1/none" migrations
expect_rc 1 "an unreachable server is an error"
lacks "Sekr1tPw" "$ERR$OUT" "the password is not printed"

done_testing
