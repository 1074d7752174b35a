#!/bin/sh
# The SQLite sidecar lock file: derived from the database's real path (two
# paths to one database share one lock), never opened through a symbolic
# link, and unusable sidecars are configuration errors (exit 2) naming the
# path. A mistyped database path is not created by read-only commands.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
T=$(cd "$T_TMP" && pwd -P)
M=$T/m
mig $M 1_a up.sql "CREATE TABLE a (x INT);"

# Two paths to one database: a symlink to the file and a symlinked folder.
mkdir real
ln -s real linkdir
ln -s real/c.db link.db
strata --dir "$M" --url "sqlite:$T/real/c.db" up
expect_rc 0 "up through the real path"

# Whether sqlite3 finds the database file $1 write-locked by someone else.
# The check takes the lock for an instant: a holder started just before
# must wait for it (-cmd '.timeout MS'), or its BEGIN fails and it never
# holds the lock.
locked() {
	sqlite3 "$1" "BEGIN IMMEDIATE; ROLLBACK;" 2>&1 | grep -q "locked"
}

# Two strata at once, through the real path and through the symlink. The
# first takes the lock, then waits (busy_timeout) for the database, which
# an outside sqlite3 holds until the test lets it go.
mig $M 2_slow up.sql "CREATE TABLE runs (x INT);
INSERT INTO runs VALUES (2);"
gate_hold db "BEGIN IMMEDIATE;" "ROLLBACK;" \
	sqlite3 -cmd ".timeout 60000" "$T/real/c.db"
wait_for "the outside holder of the database" locked "$T/real/c.db"
timeout 120 "$STRATA_BIN" --dir "$M" --url "sqlite:$T/real/c.db?busy_timeout=600000" up >first.out 2>&1 &
first=$!
wait_for "the first strata to take the lock" locked "$T/real/c.db-strata-lock"
ok $? "the first strata takes the lock and waits for the database"
strata --dir "$M" --url "sqlite:$T/link.db" --lock-timeout 1 up
expect_rc 4 "a symlink to the database waits for the same lock"
has "another strata is migrating" "$ERR" "says another strata holds it"
gate_release db
wait "$first"
is "$?" 0 "the first run succeeds"
is "$(sqlite3 real/c.db "SELECT count(*) FROM runs")" 1 "the slow migration ran once"
[ ! -e link.db-strata-lock ] && [ -f real/c.db-strata-lock ]
ok $? "the sidecar sits next to the real file"

# An outside holder of the real sidecar (idle, fed through a pipe) blocks
# runs through either path.
mig $M 3_c up.sql "CREATE TABLE c (x INT);"
gate_hold sidecar "BEGIN EXCLUSIVE;" "ROLLBACK;" \
	sqlite3 -cmd ".timeout 60000" "$T/real/c.db-strata-lock"
wait_for "the outside holder of the sidecar" locked "$T/real/c.db-strata-lock"
ok $? "an outside sqlite3 holds the real sidecar"
strata --dir "$M" --url "sqlite:$T/link.db" --lock-timeout 1 up
expect_rc 4 "the symlink path honours a lock held on the real sidecar"
strata --dir "$M" --url "sqlite:$T/linkdir/c.db" --lock-timeout 1 up
expect_rc 4 "so does a path through a symlinked folder"
gate_release sidecar
strata --dir "$M" --url "sqlite:$T/linkdir/c.db" --lock-timeout 5 up
expect_rc 0 "the lock is free once the holder is gone"
is "$(sqlite3 real/c.db "SELECT count(*) FROM strata_migrations")" 3 "all three applied"

# A planted dangling symlink must not make strata create its target.
ln -s "$T/planted" "$T/d.db-strata-lock"
strata --dir "$M" --url "sqlite:$T/d.db" up
expect_rc 2 "a symlinked sidecar is a configuration error"
has "$T/d.db-strata-lock" "$ERR" "names the sidecar"
has "symbolic link" "$ERR" "says it is a symbolic link"
[ ! -e "$T/planted" ]
ok $? "the symlink's target was not created"

# A sidecar that cannot be opened read-write: a directory in its place.
mkdir "$T/e.db-strata-lock"
strata --dir "$M" --url "sqlite:$T/e.db" up
expect_rc 2 "a directory at the sidecar path is a configuration error"
has "$T/e.db-strata-lock" "$ERR" "names the sidecar"
lacks "database is locked" "$ERR" "does not claim the database is locked"

# An immutable sidecar (root ignores permission bits), where chattr works.
: >"$T/f.db-strata-lock"
if chattr +i "$T/f.db-strata-lock" 2>/dev/null; then
	strata --dir "$M" --url "sqlite:$T/f.db" up
	chattr -i "$T/f.db-strata-lock"
	expect_rc 2 "an immutable sidecar is a configuration error"
	has "$T/f.db-strata-lock" "$ERR" "names the sidecar"
else
	echo "# chattr +i does not work here: immutable sidecar not tested"
fi

# A mistyped path: read-only commands create nothing; up creates it.
for cmd in status check history plan down; do
	strata --dir "$M" --url "sqlite:$T/typo.db" $cmd
	expect_rc 2 "$cmd on a missing database file"
	has "no such database file: $T/typo.db" "$ERR" "$cmd names the file"
	[ ! -e "$T/typo.db" ]
	ok $? "$cmd did not create the file"
done
strata --dir "$M" --url "sqlite:$T/typo.db" up
expect_rc 0 "up creates the database"
[ -f "$T/typo.db" ]
ok $? "the file exists after up"

# Unknown URL parameters are configuration errors.
strata --dir "$M" --url "sqlite:$T/typo.db?bogus=1" status
expect_rc 2 "an unknown sqlite URL parameter"
has "unknown sqlite URL parameter 'bogus'" "$ERR" "names the parameter"
strata --dir "$M" --url "sqlite:$T/new.db?busy_timeout=soon" up
expect_rc 2 "a bad busy_timeout"
has "invalid busy_timeout 'soon'" "$ERR" "names the value"
[ ! -e "$T/new.db" ]
ok $? "a bad URL creates no database file"

done_testing
