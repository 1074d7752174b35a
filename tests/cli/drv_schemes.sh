#!/bin/sh
# Drivers declare their URL schemes and override-file names; the core has
# no table of them. A scheme finds a driver by scanning the search path;
# an override named after one of the running driver's schemes (but not
# one of its file names) is refused; the per-process init hook runs once
# and its failure makes the driver unusable; a missing required operation
# is named.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL
FIX=$STRATA_TEST_PLUGINS
PLUG=$STRATA_PLUGIN_PATH
export STRATA_PLUGIN_PATH="$FIX:$PLUG"

# Overrides named after a URL scheme that is not a file name are refused on
# every database (CI on one finds what another would refuse), checked
# against every driver installed on the search path; names no installed
# driver knows are kept.

# The fixture strata_altname declares the schemes alt and altsql: neither
# is its name, so only a scan of the search path finds it.
M=$T_TMP/alt
mig "$M" 1_one up.sql "SELECT 'generic';"
mig "$M" 1_one up.alt.sql "SELECT 'alt';"
mig "$M" 1_one up.altname.sql "SELECT 'not a file name of altname';"
mig "$M" 1_one up.postgres.sql "SELECT 'postgres';"
strata --dir "$M" --url alt://h/db plan
expect_rc 0 "alt:// found by scanning for a driver that declares it"
has "SELECT 'alt'" "$OUT" "its override up.alt.sql is the one planned"
lacks "not a file name" "$OUT" "up.altname.sql is not its file"
strata --dir "$M" --url altsql://h/db plan
expect_rc 0 "its second scheme works too"
has "SELECT 'alt'" "$OUT" "with the same file"

STRATA_PLUGIN_PATH=$PLUG strata --dir "$M" --url alt://h/db plan
expect_rc 2 "without the fixture folder"
has "no driver handles URL scheme 'alt'; installed: " "$ERR" \
	"names the scheme"
has "sqlite (sqlite, sqlite3)" "$ERR" "and the drivers there, with their schemes"

# strata_options.plugin_path is searched instead of $STRATA_PLUGIN_PATH:
# through the CLI, only the variable exists; the library test covers it.

# An override named after a scheme of the running driver would never run.
mig "$M" 1_one up.altsql.sql "SELECT 'never';"
strata --dir "$M" --url alt://h/db plan
expect_rc 2 "up.altsql.sql refused on altname"
has "$M/1_one/up.altsql.sql: error: 'altsql' is a URL scheme, the driver is 'altname': this file would never run; name it up.alt.sql" \
	"$ERR" "naming the file and the name it should have"
: >"$T_TMP/alt.db" # plan creates no database
strata --dir "$M" --url "sqlite:$T_TMP/alt.db" plan
expect_rc 2 "the same folder on SQLite: refused too (altname is installed)"
has "$M/1_one/up.altsql.sql: error: 'altsql' is a URL scheme, the driver is 'altname': this file would never run; name it up.alt.sql" \
	"$ERR" "naming the installed driver's file name"
rm "$M/1_one/up.altsql.sql"
strata --dir "$M" --url "sqlite:$T_TMP/alt.db" plan
expect_rc 0 "up.alt.sql and up.postgres.sql are other drivers' files: kept"
has "SELECT 'generic'" "$OUT" "SQLite runs the generic file"

# The fixture declares file URLs: the rest of the URL reaches it as a path.
: >"$T_TMP/conn.log"
STRATA_TEST_CONNECT_LOG=$T_TMP/conn.log strata --dir "$M" --url alt:data/app.db status
expect_rc 0 "alt:data/app.db"
STRATA_TEST_CONNECT_LOG=$T_TMP/conn.log strata --dir "$M" --url alt:///abs/app.db status
expect_rc 0 "alt:///abs/app.db"
is "$(sort -u "$T_TMP/conn.log" | tr '\n' ' ')" \
	"path=/abs/app.db host=(null) path=data/app.db host=(null) " \
	"the driver got the relative and the absolute path, no host"

# Connecting goes through the driver found.
strata --dir "$M" --url alt:fail/db status
expect_rc 1 "a connect failure"
has "the altname fixture cannot open 'fail/db'" "$ERR" \
	"is the driver's own message"

# The init hook: once per process, however many sessions (up opens two).
strata --dir "$M" --url alt://h/db up
expect_rc 0 "up on the fixture"
: >"$T_TMP/init.log"
STRATA_TEST_INIT_LOG=$T_TMP/init.log strata --dir "$M" --url alt://h/db up
expect_rc 0 "up with the init log"
is "$(wc -l <"$T_TMP/init.log" | tr -d ' ')" 1 "init ran once"
STRATA_TEST_INIT_FAIL=1 strata --dir "$M" --url alt://h/db status
expect_rc 2 "a failing init hook makes the driver unusable"
has "cannot use driver 'altname' for URL scheme 'alt' ($FIX/strata_altname: init failed: the altname fixture was told to fail)" \
	"$ERR" "naming the driver, the file and the driver's reason"
STRATA_TEST_INIT_FAIL=1 strata drivers
expect_rc 0 "drivers with a failing init"
has "altname    unusable   $FIX/strata_altname: init failed: the altname fixture was told to fail" \
	"$OUT" "strata drivers says why"

# A vtable without a required operation is named.
strata --url noquery://h/db status
expect_rc 2 "a driver without query"
has "$FIX/strata_noquery: driver vtable lacks required operation 'query'" \
	"$ERR" "names the missing operation"
strata drivers
has "noquery    unusable   $FIX/strata_noquery: driver vtable lacks required operation 'query'" \
	"$OUT" "strata drivers names it too"

# The real drivers: other schemes than their names, and overrides named
# after a scheme refused on that driver only.
for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server not running"
		continue
		;;
	esac
	db_new "$e" || { ok 1 "$e: create a database"; continue; }
	case $e in
	sqlite)
		alias=sqlite3 url="sqlite3:${DBURL#sqlite:}"
		: >"${DBURL#sqlite:}" # plan creates no database
		;;
	postgres) alias=postgresql url="postgresql://${DBURL#*://}" ;;
	mysql) alias=mariadb url="mariadb://${DBURL#*://}" ;;
	esac
	D=$T_TMP/$e-files
	mig "$D" 1_t up.sql "CREATE TABLE drv_generic (x INT);"
	mig "$D" 1_t "up.$e.sql" "CREATE TABLE drv_$e (x INT);"
	mig "$D" 1_t "down.$alias.sql" "DROP TABLE drv_never;"
	strata --dir "$D" --url "$url" plan
	expect_rc 2 "$e: down.$alias.sql refused"
	has "'$alias' is a URL scheme, the driver is '$e': this file would never run; name it down.$e.sql" \
		"$ERR" "$e: names the right file"
	rm "$D/1_t/down.$alias.sql"
	strata --dir "$D" --url "$url" up
	expect_rc 0 "$e: $alias: finds the $e driver"
	is "$(db_query "$e" "$DBURL" "SELECT source FROM strata_migrations")" \
		"up.$e.sql" "$e: ran its own override"
	strata --dir "$D" --url "$url" down
	expect_rc 2 "$e: down without a down file"
	has "down.sql or down.$e.sql" "$ERR" "$e: names its file name"
	other=$([ "$e" = sqlite ] && echo postgresql || echo sqlite3)
	right=$([ "$e" = sqlite ] && echo postgres || echo sqlite)
	mig "$D" 2_u up.sql "CREATE TABLE drv_u (x INT);"
	mig "$D" 2_u "up.$other.sql" "SELECT 1;"
	strata --dir "$D" --url "$url" up
	expect_rc 2 "$e: up.$other.sql (another driver's scheme) is refused too"
	has "2_u/up.$other.sql: error: '$other' is a URL scheme, the driver is '$right': this file would never run; name it up.$right.sql" \
		"$ERR" "$e: naming that driver's file name"
	rm "$D/2_u/up.$other.sql"
	mig "$D" 2_u up.oracle.sql "SELECT 1;"
	strata --dir "$D" --url "$url" up
	expect_rc 0 "$e: up.oracle.sql (no installed driver knows it) is kept"
done

done_testing
