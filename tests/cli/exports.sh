#!/bin/sh
# The library's face: libstrata.so exports exactly the functions strata.h
# declares with STRATA_EXTERN, and each driver plugin exactly its vtable,
# strata_driver_<name>. Anything else (internals, a library linked in
# statically) would become API that embedders can come to rely on.
. "$STRATA_SRCDIR/tests/lib.sh"
B=$STRATA_BUILDDIR
H=$STRATA_SRCDIR/include/strata/strata.h

# The names declared with STRATA_EXTERN(type) name(...), across line
# breaks; the macro's own #define lines are left out.
grep -v '^[[:space:]]*#' "$H" | tr '\n' ' ' |
	grep -o 'STRATA_EXTERN([^)]*)[[:space:]]*[A-Za-z_][A-Za-z0-9_]*' |
	sed 's/.*)[[:space:]]*//' | sort -u >"$T_TMP/api"
n=$(wc -l <"$T_TMP/api")
[ "$n" -ge 40 ] && grep -qx strata_open "$T_TMP/api" &&
	grep -qx strata_global_init "$T_TMP/api"
ok $? "strata.h declares the API with STRATA_EXTERN ($n names)"
lacks "strata__" "$(cat "$T_TMP/api")" "no private name is declared public"

# Every defined dynamic symbol, whatever its type (function, data, weak).
exports() {
	nm -D --defined-only "$1" >"$T_TMP/nm" || return 1
	awk 'NF >= 3 { sub(/@.*/, "", $3); print $3 }' "$T_TMP/nm" | sort -u
}

LIB=$B/.libs/libstrata.so
exports "$LIB" >"$T_TMP/lib"
ok $? "nm -D reads $LIB"
extra=$(comm -13 "$T_TMP/api" "$T_TMP/lib" | tr '\n' ' ')
missing=$(comm -23 "$T_TMP/api" "$T_TMP/lib" | tr '\n' ' ')
is "$extra" "" "libstrata.so exports nothing strata.h does not declare"
is "$missing" "" "libstrata.so exports everything strata.h declares"

# Hidden, not missing: the internals are in the library, as local symbols.
nm "$LIB" >"$T_TMP/all" 2>&1
has " t strata__split" "$(cat "$T_TMP/all")" \
	"internals (strata__split) are in libstrata.so as local symbols"

n=0
for so in "$B"/plugins/.libs/strata_*.so; do
	[ -e "$so" ] || continue
	name=$(basename "$so" .so)
	name=${name#strata_}
	is "$(exports "$so" | tr '\n' ' ')" "strata_driver_$name " \
		"plugin $name exports only strata_driver_$name"
	n=$((n + 1))
done
[ "$n" -ge 1 ]
ok $? "at least one plugin was checked ($n)"

# The header stands alone, as installed: C and the declarations only.
printf '#include <strata/strata.h>\nvoid f(strata_error *e);\nvoid f(strata_error *e) { strata_error_clear(e); }\n' \
	>"$T_TMP/h.c"
${CC:-cc} -Wall -Wextra -Werror -std=c99 -I"$STRATA_SRCDIR/include" \
	-c "$T_TMP/h.c" -o "$T_TMP/h.o"
ok $? "strata.h compiles on its own with -std=c99"

# And as C++ (an embedder's application may be C++): both public headers,
# STRATA_OPTIONS_INIT included. g++ is a test dependency: a missing one
# fails here rather than skipping.
cat >"$T_TMP/h.cc" <<'EOF_CC'
#include <strata/driver.h>
#include <strata/strata.h>
int main()
{
	strata_options o = STRATA_OPTIONS_INIT;
	strata_error e = strata_error();
	return o.version == STRATA_OPTIONS_VERSION && o.lock_timeout == -1 &&
	               !o.url && e.code == 0
	               ? 0
	               : 1;
}
EOF_CC
for std in c++11 c++17; do
	${CXX:-g++} -std=$std -Wall -Wextra -Werror -I"$STRATA_SRCDIR/include" \
		-o "$T_TMP/h-$std" "$T_TMP/h.cc" 2>"$T_TMP/cxx.err" &&
		"$T_TMP/h-$std"
	ok $? "both headers compile as C++ ($std -Wall -Wextra -Werror); STRATA_OPTIONS_INIT sets the defaults"
	sed 's/^/#   /' "$T_TMP/cxx.err" | head -20
done

done_testing
