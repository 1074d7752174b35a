#!/bin/sh
# strata.ini, environments, overrides, and credentials never printed.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_LOCK_TIMEOUT STRATA_INIT_SQL
mkdir -p proj/db && cd proj || exit 1
mig db 1_a up.sql "CREATE TABLE a (x INT);"
cat >strata.ini <<'INI'
; a project
[default]
url = sqlite:dev.db
migrations = db
table = schema_history
init_sql = CREATE TABLE IF NOT EXISTS init_ran (x INT)

[ci]
url = ${CI_DB:-sqlite:ci-default.db}
lock_timeout = 3
INI

strata up
expect_rc 0 "defaults from [default]"
is "$(sqlite3 dev.db "SELECT version FROM schema_history")" 1 "table = schema_history used"
is "$(sqlite3 dev.db "SELECT count(*) FROM sqlite_master WHERE name = 'init_ran'")" 1 "init_sql ran"

strata -e ci up
expect_rc 0 "-e ci"
[ -f ci-default.db ]
ok $? "\${VAR:-default} used when unset"
CI_DB=sqlite:from-env.db strata -e ci up
[ -f from-env.db ]
ok $? "\${VAR} from the environment"
STRATA_ENV=ci CI_DB=sqlite:strata-env.db strata up
[ -f strata-env.db ]
ok $? "STRATA_ENV picks the environment"

DATABASE_URL=sqlite:dburl.db strata up
[ -f dburl.db ]
ok $? "DATABASE_URL overrides the file"
STRATA_URL=sqlite:strataurl.db DATABASE_URL=sqlite:dburl2.db strata up
[ -f strataurl.db ] && [ ! -f dburl2.db ]
ok $? "STRATA_URL beats DATABASE_URL"
STRATA_URL=sqlite:no.db strata --url sqlite:flag.db up
[ -f flag.db ] && [ ! -f no.db ]
ok $? "--url beats STRATA_URL"

# migrations = db is relative to the config file, not the cwd.
cd "$T_TMP" || exit 1
strata -c proj/strata.ini --url "sqlite:$T_TMP/elsewhere.db" up
expect_rc 0 "-c from another directory"
is "$(sqlite3 elsewhere.db "SELECT version FROM schema_history")" 1 "found the migrations next to the config"
cd proj || exit 1

strata -e staging status
expect_rc 2 "unknown environment"
has "strata.ini: error: no environment [staging] (have: default, ci)" "$ERR" "lists what exists"
strata -c missing.ini status
expect_rc 2 "missing -c file"
has "missing.ini: error: config file not found" "$ERR" "names it"

printf '[default]\nurl = sqlite:x.db\nmigratons = db\n' >bad.ini
strata -c bad.ini status
expect_rc 2 "unknown key"
has "bad.ini:3: error: unknown key 'migratons' (known: url, migrations, table, lock_timeout, init_sql," \
	"$ERR" "file:line: error: message"
has "host, port, user, password, password_file, database, options" "$ERR" \
	"lists the connection keys"
printf '[default]\nurl = ${NOT_SET_ANYWHERE}\n' >unset.ini
strata -c unset.ini status
expect_rc 2 "unset variable"
has "unset.ini:2: error: environment variable NOT_SET_ANYWHERE is not set" "$ERR" "named"
printf '[default]\ntable = bad-name\n' >table.ini
strata -c table.ini --url sqlite:x.db status
expect_rc 2 "invalid table name"
strata --lock-timeout soon status
expect_rc 2 "bad --lock-timeout"

# init_sql failures are reported and stop everything.
printf '[default]\nurl = sqlite:i.db\nmigrations = db\ninit_sql = SELEC 1\n' >init.ini
strata -c init.ini up
expect_rc 1 "failing init_sql"
has "init_sql statement 1 failed" "$ERR" "init_sql named"

# Passwords never appear, whatever fails.
for url in "postgres://alice:hunter2secret@127.0.0.1:1/db" \
	"mysql://alice:hunter2secret@127.0.0.1:1/db" \
	"postgres://alice:hunter2secret@127.0.0.1:1/db?sslmode=bogus" \
	"mysql://alice:hunter2secret@127.0.0.1:1/db?password=hunter2secret"; do
	strata --url "$url" status
	[ "$RC" -ne 0 ]
	ok $? "connect failure: ${url%%:*}"
	lacks "hunter2secret" "$OUT$ERR" "password not printed (${url%%:*})"
	has "alice:***@127.0.0.1:1/db" "$ERR" "target shown redacted (${url%%:*})"
done
strata --url "mysql://alice:hunter2secret@127.0.0.1:1" status
has "the URL names no database" "$ERR" "a MySQL URL must name its database"
printf '[default]\nurl = postgres://bob:hunter2secret@127.0.0.1:1/db\n' >pw.ini
strata -c pw.ini status
lacks "hunter2secret" "$OUT$ERR" "password from the config file not printed"

done_testing
