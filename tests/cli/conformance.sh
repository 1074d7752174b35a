#!/bin/sh
# The driver conformance test (tests/conformance/) against every built
# driver, each on a fresh database of its own, dropped afterwards. The
# program's TAP lines become this test's, prefixed with the driver name.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_INIT_SQL

PROG=$STRATA_BUILDDIR/tests/conformance/strata_conformance
# How late a lock timeout may come; valgrind slows every round trip.
SLACK=500
[ -z "${STRATA_WRAP:-}" ] || SLACK=5000

# The drivers this script has a test database for (db_new in tests/lib.sh).
KNOWN="sqlite postgres mysql"

# conform ENGINE MODULE: runs the program on a fresh database.
conform() {
	t_e=$1 t_mod=$2
	db_new "$t_e" || {
		ok 1 "$t_e: create a fresh database"
		return
	}
	if [ -n "${STRATA_WRAP:-}" ]; then
		# shellcheck disable=SC2086
		"$STRATA_LIBTOOL" --mode=execute $STRATA_WRAP "$PROG" \
			--slack-ms "$SLACK" "$t_mod" "$DBURL" \
			>"$T_TMP/conf.out" 2>"$T_TMP/conf.err"
	else
		"$PROG" --slack-ms "$SLACK" "$t_mod" "$DBURL" \
			>"$T_TMP/conf.out" 2>"$T_TMP/conf.err"
	fi
	t_rc=$?
	t_plan="" t_seen=0 t_bad=0
	while IFS= read -r t_line; do
		case $t_line in
		"ok "*)
			t_seen=$((t_seen + 1))
			ok 0 "$t_e: ${t_line#ok * - }"
			;;
		"not ok "*)
			t_seen=$((t_seen + 1)) t_bad=$((t_bad + 1))
			ok 1 "$t_e: ${t_line#not ok * - }"
			;;
		"1.."*) t_plan=${t_line#1..} ;;
		"Bail out!"*)
			t_bad=$((t_bad + 1))
			ok 1 "$t_e: ${t_line#Bail out! }"
			;;
		"#"*) printf '%s\n' "$t_line" ;;
		*) printf '#   %s\n' "$t_line" ;;
		esac
	done <"$T_TMP/conf.out"
	sed 's/^/#   stderr: /' "$T_TMP/conf.err" | head -40
	# A crash or an exit status that disagrees with the lines.
	if [ "$t_plan" != "$t_seen" ] || { [ "$t_rc" -ne 0 ] && [ "$t_bad" -eq 0 ]; } ||
		{ [ "$t_rc" -eq 0 ] && [ "$t_bad" -ne 0 ]; }; then
		ok 1 "$t_e: the conformance program ran to its end [exit $t_rc, $t_seen checks, plan '${t_plan}']"
	fi
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "${e#missing-} server required (STRATA_TEST_REQUIRE_SERVERS=1) but its URL is not set"
		continue
		;;
	esac
	mod=$STRATA_PLUGIN_PATH/strata_$e.la
	if [ ! -f "$mod" ]; then
		if [ "$e" = sqlite ] && [ "${STRATA_HAVE_SQLITE:-yes}" = no ]; then
			echo "# note: the sqlite driver is not built (configured without it)"
		elif [ "$e" = sqlite ] || [ "${STRATA_TEST_REQUIRE_SERVERS:-0}" = 1 ]; then
			ok 1 "$e: driver built ($mod)"
		else
			echo "# note: the $e driver is not built; not tested"
		fi
		continue
	fi
	conform "$e" "$mod"
done

# The program can fail: the altname fixture (tests/plugins) accepts every
# statement and stores nothing, so checks must come out "not ok" and the
# exit status must say so.
"$PROG" --slack-ms "$SLACK" "$STRATA_TEST_PLUGINS/strata_altname.la" \
	"alt:$T_TMP/nothing.db" >"$T_TMP/alt.out" 2>"$T_TMP/alt.err"
t_rc=$?
[ "$t_rc" -ne 0 ]
ok $? "altname fixture: the conformance program fails (exit $t_rc)"
grep -q '^not ok ' "$T_TMP/alt.out"
ok $? "altname fixture: with 'not ok' lines ($(grep -c '^not ok ' "$T_TMP/alt.out"))"
grep -q '^ok .* - vtable: url_form' "$T_TMP/alt.out"
ok $? "altname fixture: its vtable checks pass (file URL form)"

# A new driver is tested too, once it has a test database here.
for mod in "$STRATA_PLUGIN_PATH"/strata_*.la; do
	[ -f "$mod" ] || continue
	name=${mod##*/strata_}
	name=${name%.la}
	case " $KNOWN " in *" $name "*) continue ;; esac
	ok 1 "$name: no test database for this driver (add it to KNOWN here and to db_new in tests/lib.sh)"
done

done_testing
