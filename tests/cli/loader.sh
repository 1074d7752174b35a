#!/bin/sh
# The plugin loader: listing, refusals with reasons, and search order.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1

strata drivers
expect_rc 0 "drivers lists"
has "sqlite     0.1.0      ABI 2.8" "$OUT" "sqlite driver with version and ABI"
has "$STRATA_PLUGIN_PATH/strata_sqlite" "$OUT" "with its path"

FIX=$STRATA_TEST_PLUGINS
STRATA_PLUGIN_PATH="$FIX:$STRATA_PLUGIN_PATH" strata drivers
has "badabi     unusable" "$OUT" "bad ABI module listed as unusable"
has "wrong ABI: driver has 3.0, strata expects 2.x" "$OUT" "with the ABI reason"
has "not a strata driver (no symbol strata_driver_notadriver)" "$OUT" \
	"module without the symbol"

STRATA_PLUGIN_PATH="$FIX" strata --url badabi://h/db status
expect_rc 2 "wrong ABI refused"
has "$FIX/strata_badabi: wrong ABI: driver has 3.0, strata expects 2.x" \
	"$ERR" "says which file and the expected vs found ABI"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "one error line"

STRATA_PLUGIN_PATH="$FIX" strata --url notadriver://h/db status
expect_rc 2 "non-driver refused"
has "strata_notadriver: not a strata driver (no symbol strata_driver_notadriver)" \
	"$ERR" "says the symbol is missing"

# No module named after the scheme, and none declares it.
STRATA_PLUGIN_PATH="$FIX" strata --url nosuch://h/db status
expect_rc 2 "missing driver"
has "no driver handles URL scheme 'nosuch'" "$ERR" "names the scheme"
has "; installed: altname (alt, altsql)" "$ERR" \
	"and the usable drivers found, with their schemes"
is "$(printf '%s\n' "$ERR" | wc -l)" 1 "one error line"

# A broken file is reported with the loader's own words.
printf 'not an ELF file\n' >"$T_TMP/strata_broken.so"
STRATA_PLUGIN_PATH="$T_TMP" strata --url broken://h/db status
expect_rc 2 "unloadable file"
has "$T_TMP/strata_broken: cannot load:" "$ERR" "loader error included"

# The current directory is never searched, even with an empty entry.
mkdir -p "$T_TMP/cwd" && cp "$STRATA_PLUGIN_PATH"/.libs/strata_sqlite.so "$T_TMP/cwd/"
cd "$T_TMP/cwd" || exit 1
STRATA_PLUGIN_PATH=":" strata --url sqlite:x.db status
expect_rc 2 "driver in the current directory is not loaded"
lacks "$T_TMP/cwd" "$ERR" "cwd not among the paths tried"
cd "$T_TMP" || exit 1

# Search order: the first directory that has a usable driver wins.
: >"$T_TMP/a.db" # status does not create a database
STRATA_PLUGIN_PATH="$FIX:$STRATA_PLUGIN_PATH" strata --dir "$T_TMP" --url "sqlite:$T_TMP/a.db" status
expect_rc 0 "falls through to the next directory"

# strata drivers agrees with the loader: a broken copy earlier on the path
# does not hide the usable one strata uses, and is named as skipped.
mkdir -p "$T_TMP/shadow"
printf 'not an ELF file\n' >"$T_TMP/shadow/strata_sqlite.so"
STRATA_PLUGIN_PATH="$T_TMP/shadow:$STRATA_PLUGIN_PATH" strata --dir "$T_TMP" --url "sqlite:$T_TMP/a.db" status
expect_rc 0 "the loader skips the broken copy"
STRATA_PLUGIN_PATH="$T_TMP/shadow:$STRATA_PLUGIN_PATH" strata drivers
expect_rc 0 "drivers with a broken copy first"
has "sqlite     0.1.0      ABI 2.8  $STRATA_PLUGIN_PATH/strata_sqlite" "$OUT" \
	"lists the copy the loader uses as usable"
has "sqlite     unusable   $T_TMP/shadow/strata_sqlite: cannot load:" "$OUT" \
	"and the broken copy as unusable"
has "; skipped, strata uses $STRATA_PLUGIN_PATH/strata_sqlite" "$OUT" \
	"saying which copy is used instead"

done_testing
