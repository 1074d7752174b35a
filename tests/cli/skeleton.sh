#!/bin/sh
# Out-of-tree drivers: `make install` into a staging directory, then
# examples/driver-skeleton built with its own GNUmakefile against the
# installed tree alone (pkg-config strata, <strata/driver.h>), installed
# into a plugin folder of its own; the installed strata lists it and runs
# migrations with it (up, status, down) through STRATA_PLUGIN_PATH, and the
# conformance test passes on it.
. "$STRATA_SRCDIR/tests/lib.sh"
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_LOCK_TIMEOUT STRATA_INIT_SQL
B=$STRATA_BUILDDIR
D=$T_TMP/dest

if ! pkg-config --exists sqlite3; then
	[ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ] ||
		skip_all "the skeleton wraps SQLite: sqlite3.pc not found (libsqlite3-dev)"
	ok 1 "sqlite3.pc (libsqlite3-dev, a build dependency) required"
	done_testing
fi

install_staged "$D"

pc=$(find "$D" -name strata.pc | head -1)
lib=$(find "$D" -name 'libstrata.so' | head -1)
bin=$(find "$D" -path '*/bin/strata' -type f | head -1)
[ -n "$pc" ] && [ -n "$lib" ] && [ -n "$bin" ] &&
	[ -n "$(find "$D" -path '*/strata/driver.h')" ]
ok $? "installed: strata.pc, libstrata.so, bin/strata, strata/driver.h"
if [ -z "$pc" ] || [ -z "$lib" ] || [ -z "$bin" ]; then done_testing; fi

# A copy, as a driver author would start (srcdir is read-only under
# distcheck). pkg-config finds the staged strata.pc first; the sysroot maps
# its absolute paths into $D. sqlite3.pc comes from the system.
cp -R "$STRATA_SRCDIR/examples/driver-skeleton" "$T_TMP/skel"
chmod -R u+w "$T_TMP/skel"
cd "$T_TMP/skel" || exit 1
rm -f strata_skel.so
PKG_CONFIG_PATH=$(dirname "$pc")
PKG_CONFIG_SYSROOT_DIR=$D
export PKG_CONFIG_PATH PKG_CONFIG_SYSROOT_DIR
make_here "the skeleton builds with its GNUmakefile and pkg-config"
has "-I$D" "$OUT" "it compiles against the installed headers"
lacks "$STRATA_SRCDIR" "$OUT" "and nothing of the source tree"
unset OUT
is "$(nm -D --defined-only strata_skel.so | awk '$3 ~ /^strata/ { print $3 }')" \
	"strata_driver_skel" "it exports its vtable and nothing else of strata"
deps=$(objdump -p strata_skel.so | grep NEEDED)
[ -n "$deps" ] && ! printf '%s\n' "$deps" | grep -q libstrata
ok $? "it does not link libstrata (a driver needs only driver.h)"

# make install into a plugin folder of its own: pkg-config's plugindir
# (without the sysroot: the path strata itself was built with), under a
# DESTDIR.
# shellcheck disable=SC2086
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u PKG_CONFIG_SYSROOT_DIR \
	${STRATA_MAKE:-make} install \
	DESTDIR="$T_TMP/plugroot" >"$T_TMP/plug.log" 2>&1
ok $? "make install DESTDIR=... (the skeleton)"
so=$(find "$T_TMP/plugroot" -name strata_skel.so | head -1)
[ -n "$so" ]
ok $? "installed as strata_skel.so ($so)"
[ -n "$so" ] || done_testing
PLUGDIR=$(dirname "$so")

# The installed strata and library, the skeleton's folder only.
# shellcheck disable=SC2034 # read by strata() in tests/lib.sh
STRATA_BIN=$bin
LD_LIBRARY_PATH=$(dirname "$lib")
STRATA_PLUGIN_PATH=$PLUGDIR
export LD_LIBRARY_PATH STRATA_PLUGIN_PATH
cd "$T_TMP" || exit 1

strata drivers
expect_rc 0 "strata drivers"
has "skel " "$OUT" "lists the skeleton"
has "$PLUGDIR/strata_skel" "$OUT" "from the plugin folder"
has "ABI 2." "$OUT" "with its ABI version"

# A migration set: a generic file, and one the skeleton overrides.
M=$T_TMP/migrations
mig "$M" 1_notes up.sql "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
mig "$M" 1_notes down.sql "DROP TABLE notes;"
mig "$M" 2_tags up.sql "CREATE TABLE tags (id SERIAL, name TEXT);"
mig "$M" 2_tags up.skel.sql "CREATE TABLE tags (id INTEGER PRIMARY KEY, name TEXT);
CREATE INDEX tags_name ON tags (name);"
mig "$M" 2_tags down.sql "DROP TABLE tags;"
DB=$T_TMP/app.db

strata --url "skel:$DB" --dir "$M" up
expect_rc 0 "up with skel:"
has "applied   1_notes (up.sql" "$OUT" "the generic file"
has "applied   2_tags (up.skel.sql, 2 statements)" "$OUT" "the skeleton's override"
is "$(sqlite3 "$DB" "SELECT version || ':' || status FROM strata_migrations ORDER BY version" | tr '\n' ' ')" \
	"1:applied 2:applied " "the history table records both"
is "$(sqlite3 "$DB" "SELECT name FROM sqlite_master WHERE name IN ('notes', 'tags', 'tags_name') ORDER BY name" | tr '\n' ' ')" \
	"notes tags tags_name " "the tables and the index exist"
[ -f "$DB-skel-lock" ]
ok $? "the lock's sidecar file was used"

strata --url "skel:$DB" --dir "$M" status --exit-code
expect_rc 0 "status"
has "2 applied" "$OUT" "both applied"
has "0 pending" "$OUT" "nothing pending"

# Drift through the skeleton's introspection: a column added outside.
sqlite3 "$DB" "ALTER TABLE notes ADD COLUMN sneaky INTEGER"
strata --url "skel:$DB" --dir "$M" status --exit-code
expect_rc 3 "status sees the schema changed outside migrations"
has "notes.sneaky" "$OUT$ERR" "naming the column (introspection works)"
sqlite3 "$DB" "ALTER TABLE notes DROP COLUMN sneaky"

strata --url "skel:$DB" --dir "$M" down --to 0 -y
expect_rc 0 "down --to 0"
is "$(sqlite3 "$DB" "SELECT count(*) FROM sqlite_master WHERE name IN ('notes', 'tags')")" \
	0 "the tables are gone"
strata --url "skel:$DB" --dir "$M" status
has "2 pending" "$OUT" "status: both pending again"

# Without its folder on the path, the scheme is unknown.
STRATA_PLUGIN_PATH=$T_TMP/empty
strata --url "skel:$DB" --dir "$M" status
STRATA_PLUGIN_PATH=$PLUGDIR
expect_rc 2 "no skeleton on the path"
has "no driver handles URL scheme 'skel'" "$ERR" "says so"

# A bundled driver's scheme, with only the skeleton installed: the message
# names the package that has the driver (docs/packaging.md). The program
# also searches its built-in folder: that must not have them.
builtin=$(env -u PKG_CONFIG_SYSROOT_DIR pkg-config --variable=plugindir strata)
for pair in mariadb:strata-driver-mysql postgresql:strata-driver-postgresql \
	sqlite:strata-driver-sqlite; do
	s=${pair%%:*}
	if ls "$builtin"/strata_* >/dev/null 2>&1; then
		echo "# note: $builtin holds drivers; $s: message not checked"
		continue
	fi
	case $s in
	sqlite) strata --url "sqlite:$T_TMP/other.db" --dir "$M" status ;;
	*) strata --url "$s://app@127.0.0.1:1/app" --dir "$M" status ;;
	esac
	expect_rc 2 "$s: no driver for it"
	has "no driver handles URL scheme '$s'; installed: skel (skel); install ${pair#*:} (Debian)" \
		"$ERR" "$s: names the installed driver and the package to install"
done

# The conformance test (tests/conformance/) takes any module: the
# skeleton as built out of tree.
PROG=$B/tests/conformance/strata_conformance
if [ -x "$PROG" ]; then
	"$PROG" --slack-ms 500 "$so" "skel:$T_TMP/conf.db" >"$T_TMP/conf.out" 2>&1
	RC=$?
	OUT=$(grep -v '^ok ' "$T_TMP/conf.out") ERR=""
	expect_rc 0 "the conformance test passes on the skeleton"
	plan=$(sed -n 's/^1\.\.//p' "$T_TMP/conf.out")
	is "$(grep -c '^ok ' "$T_TMP/conf.out")" "${plan:-none}" \
		"every one of its checks ($plan)"
	unset OUT
else
	ok 1 "the conformance program is built ($PROG)"
fi

done_testing
