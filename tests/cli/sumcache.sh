#!/bin/sh
# The checksum cache: status reads only the applied files whose identity
# or times changed; a cache that is not the user's alone is ignored;
# --full reads everything. The cache is the same on every database, so
# SQLite stands for all three.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV XDG_CACHE_HOME
M=$T_TMP/m
DB=sqlite:$T_TMP/d.db
C=$T_TMP/cache
export STRATA_CACHE_DIR="$C"

mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
mig "$M" 2_b up.sql "CREATE TABLE b (x INT);"
# Files changed less than 2 s ago are not cached (a write in the same
# clock tick would not change their times), and the change time cannot
# be set back: wait.
sleep 2.1

strata --dir "$M" --url "$DB" up
expect_rc 0 "up"
strata --dir "$M" --url "$DB" status
expect_rc 0 "status reads the applied files once"
f=$(ls "$C"/sums-* 2>/dev/null | head -n 1)
[ -n "$f" ] && [ -f "$f" ]
ok $? "a cache file under STRATA_CACHE_DIR"
is "$(stat -c %a "$C")" 700 "the folder is the user's alone"
is "$(stat -c %a "$f")" 600 "so is the file"
is "$(grep -c 'up.sql$' "$f")" 2 "both applied files cached"

strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "status: clean"

# Same size, same modification time, other text: the change time
# still tells.
old=$(stat -c %y "$M/1_a/up.sql")
printf '%s\n' "CREATE TABLE z (x INT);" >"$M/1_a/up.sql"
touch -d "$old" "$M/1_a/up.sql"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "an edit that keeps size and mtime is seen"
has "1                a                            modified" "$OUT" "as modified"
printf '%s\n' "CREATE TABLE a (x INT);" >"$M/1_a/up.sql"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "put back: clean"
sleep 2.1

# The cache is believed while the file is unchanged: a wrong sum in it
# shows (which proves it is read), and only a trusted cache is read.
strata --dir "$M" --url "$DB" status
sed -i 's/^\(\([^ ]* \)\{5\}\)[0-9a-f]\{64\} [0-9a-f]\{64\} \(.*2_b\/up.sql\)$/\1'"$(printf '%064d' 0) $(printf '%064d' 0)"' \3/' "$f"
grep -q "$(printf '%064d' 0)" "$f"
ok $? "a wrong sum planted for 2_b"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "a trusted cache is used"
strata --dir "$M" --url "$DB" status --exit-code --full
expect_rc 0 "--full reads the files"
strata --dir "$M" --url "$DB" check --full
expect_rc 0 "check --full too"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "--full refreshed the cache"

sed -i 's/^\(\([^ ]* \)\{5\}\)[0-9a-f]\{64\} [0-9a-f]\{64\} \(.*2_b\/up.sql\)$/\1'"$(printf '%064d' 0) $(printf '%064d' 0)"' \3/' "$f"
chmod 664 "$f"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "a group-writable cache is ignored"
ln -s "$f" "$T_TMP/link"
rm -f "$f"
printf 'strata-sums 1\ngarbage\n' >"$f"
chmod 600 "$f"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "a damaged cache is ignored"

# A file changed within the last 2 s is hashed every time, not cached.
mig "$M" 3_c up.sql "CREATE TABLE c (x INT);"
strata --dir "$M" --url "$DB" up
expect_rc 0 "up of a fresh file"
strata --dir "$M" --url "$DB" status
expect_rc 0 "status of it"
lacks "3_c/up.sql" "$(cat "$f")" "a fresh file is not cached"

# Folder listings are kept too, keyed by each folder's identity and
# times: a warm status stats each folder instead of reading it, and any
# entry added, removed or renamed in a folder is seen.
sleep 2.1
strata --dir "$M" --url "$DB" status
is "$(grep -c '^D ' "$f")" 4 "the three folders' listings are kept, and the migrations folder's"
grep -q "^D .* d1_a/d2_b/d3_c $M\$" "$f"
ok $? "the migrations folder's in name order"
grep -q '^D .* fup.sql .*/1_a$' "$f"
ok $? "with each entry's type and name"
# plant SED NEEDLE WHAT USED ERR SEEN FULL: an entry planted in a kept
# listing (the sed expression on the cache file) shows, which proves the
# listing is read; --full reads the folder itself again.
plant() {
	sed -i "$1" "$f"
	grep -q "$2" "$f"
	ok $? "$3"
	strata --dir "$M" --url "$DB" status
	expect_rc 2 "$4"
	has "$5" "$ERR" "$6"
	strata --dir "$M" --url "$DB" status --exit-code --full
	expect_rc 0 "$7"
}
plant 's|^\(D [0-9]* [0-9]* [0-9]* [0-9]*\) 7 fup.sql \(.*/2_b\)$|\1 14 fup.sql/fx.sql \2|' \
	'fup.sql/fx.sql' "an entry planted in 2_b's listing" \
	"a listing from the cache is used" \
	"2_b/x.sql: error: unexpected SQL file" \
	"the planted name is checked like a real one" \
	"--full reads the folders themselves"
# The migrations folder's own listing: a folder planted in it is looked
# for, and a folder added or removed changes the folder's times.
sleep 2.1
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "the listings kept again"
plant "s|^\(D [0-9]* [0-9]* [0-9]* [0-9]*\) 14 d1_a/d2_b/d3_c \($M\)\$|\1 20 d1_a/d2_b/d3_c/d4_zz \2|" \
	'd3_c/d4_zz' "a folder planted in the migrations folder's listing" \
	"the kept listing of the migrations folder is used" \
	"4_zz: error: cannot read folder" "the planted folder is looked for" \
	"--full lists the migrations folder again"
mig "$M" 4_d up.sql "CREATE TABLE d (x INT);"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "a migration added is seen"
has "4                d                            pending" "$OUT" "as pending"
rm -r "$M/4_d"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "and its removal"
# Changes in a folder change its times.
mig "$M" 1_a up.sqlite.sql "CREATE TABLE a (x INT, y INT);"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "an override added to an applied folder is seen"
has "modified" "$OUT" "as a modified migration"
rm "$M/1_a/up.sqlite.sql"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "and its removal"
mv "$M/2_b/up.sql" "$M/2_b/up.postgres.sql"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 3 "a rename is seen"
has "(none: skipped)" "$OUT" "2_b has no file for SQLite now"
mv "$M/2_b/up.postgres.sql" "$M/2_b/up.sql"
strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "renamed back: clean"

# No cache at all.
rm -rf "$C"
STRATA_CACHE_DIR=off strata --dir "$M" --url "$DB" status --exit-code
expect_rc 0 "STRATA_CACHE_DIR=off: status still works"
[ ! -e "$C" ]
ok $? "and nothing is written"
STRATA_CACHE_DIR=relative/dir strata --dir "$M" --url "$DB" status
[ ! -e relative ]
ok $? "a relative STRATA_CACHE_DIR is off too"
# The default place: $XDG_CACHE_HOME/strata, else ~/.cache/strata; an
# empty STRATA_CACHE_DIR is ignored, like every empty variable.
STRATA_CACHE_DIR=
XDG_CACHE_HOME=$T_TMP/xdg strata --dir "$M" --url "$DB" status
ls "$T_TMP/xdg/strata"/sums-* >/dev/null 2>&1
ok $? "under \$XDG_CACHE_HOME/strata"
HOME=$T_TMP/home strata --dir "$M" --url "$DB" status
ls "$T_TMP/home/.cache/strata"/sums-* >/dev/null 2>&1
ok $? "else under ~/.cache/strata"

done_testing
