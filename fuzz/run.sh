#!/usr/bin/env bash
# Build and run strata's libFuzzer targets: fuzz_splitter (core/splitter.c),
# fuzz_config (core/config.c), fuzz_url (core/url.c), fuzz_targets
# (core/targets.c), fuzz_layout (core/layout.c) and fuzz_lint
# (core/lint_scan.c). This header is the manual.
#
#   fuzz/run.sh [TARGET...]        TARGET: splitter, config, url, targets, layout, lint
#                                  (default: all)
#
# Environment:
#   FUZZ_SECONDS  seconds per target (default 30)
#   FUZZ_BUILD    build/work directory (default: a new mktemp -d dir, kept
#                 so that crash artifacts can be inspected)
#   FUZZ_CC       compiler (default: clang, else clang-14)
#   FUZZ_ARGS     extra libFuzzer flags, e.g. "-jobs=2 -workers=2"
#
# The repository is found from this script's path, so any cwd works. Nothing
# is written into the repository: objects, binaries, the working corpus (a
# copy of fuzz/corpus/<target>) and crash artifacts all go under FUZZ_BUILD.
# Exit status: 0 if every target ran clean, 1 if any crash, leak, timeout or
# sanitizer report was found, 2 on a build or setup problem.
#
# Needs: clang (14 is fine) with libclang-rt-14-dev (libFuzzer + ASan/UBSan
# runtimes), pkg-config, libinih-dev and libltdl-dev.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
FUZZ_SECONDS=${FUZZ_SECONDS:-30}
FUZZ_ARGS=${FUZZ_ARGS:-}

die() { echo "fuzz/run.sh: $*" >&2; exit 2; }

if [ -n "${FUZZ_CC:-}" ]; then
	CC=$FUZZ_CC
elif command -v clang >/dev/null 2>&1; then
	CC=clang
elif command -v clang-14 >/dev/null 2>&1; then
	CC=clang-14
else
	die "clang not found (apt-get install clang libclang-rt-14-dev)"
fi
command -v pkg-config >/dev/null 2>&1 || die "pkg-config not found"
pkg-config --exists inih || die "inih not found by pkg-config (libinih-dev)"
case $FUZZ_SECONDS in
'' | *[!0-9]*) die "FUZZ_SECONDS must be a whole number, not '$FUZZ_SECONDS'" ;;
esac

if [ -z "${FUZZ_BUILD:-}" ]; then
	FUZZ_BUILD=$(mktemp -d "${TMPDIR:-/tmp}/strata-fuzz.XXXXXX")
fi
mkdir -p "$FUZZ_BUILD/obj"
FUZZ_BUILD=$(cd "$FUZZ_BUILD" && pwd)

TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(splitter config url lint targets layout sumcache)
for t in "${TARGETS[@]}"; do
	[ -f "$REPO/fuzz/fuzz_$t.c" ] || die "no such target: $t"
done

# shellcheck disable=SC2054 # the commas are part of one flag
SAN=(-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined)
CFLAGS=(-g -O1 "${SAN[@]}" -I "$REPO/include" -I "$REPO/core"
	-DSTRATA_PLUGIN_DIR='"/nonexistent"')
read -r -a INIH_CFLAGS <<<"$(pkg-config --cflags inih)"
read -r -a LIBS <<<"$(pkg-config --libs inih) -lltdl"

# The core goes into a static archive, so each target links only the
# objects it needs (the splitter and config code need a handful of files;
# the rest, e.g. the plugin loader, stays out of the binary).
echo "fuzz: building with $CC into $FUZZ_BUILD"
objs=()
for src in "$REPO"/core/*.c; do
	obj="$FUZZ_BUILD/obj/$(basename "${src%.c}").o"
	"$CC" "${CFLAGS[@]}" "${INIH_CFLAGS[@]}" -c "$src" -o "$obj" ||
		die "compiling $src failed"
	objs+=("$obj")
done
rm -f "$FUZZ_BUILD/libstrata_fuzz.a"
ar rcs "$FUZZ_BUILD/libstrata_fuzz.a" "${objs[@]}"
for t in "${TARGETS[@]}"; do
	"$CC" "${CFLAGS[@]}" "${INIH_CFLAGS[@]}" "$REPO/fuzz/fuzz_$t.c" \
		"$FUZZ_BUILD/libstrata_fuzz.a" "${LIBS[@]}" \
		-o "$FUZZ_BUILD/fuzz_$t" || die "linking fuzz_$t failed"
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

status=0
summaries=()
for t in "${TARGETS[@]}"; do
	corpus="$FUZZ_BUILD/corpus/$t"
	arts="$FUZZ_BUILD/artifacts/$t"
	log="$FUZZ_BUILD/fuzz_$t.log"
	mkdir -p "$corpus" "$arts"
	cp -f "$REPO/fuzz/corpus/$t"/* "$corpus/"
	dict=()
	[ -f "$REPO/fuzz/$t.dict" ] && dict=(-dict="$REPO/fuzz/$t.dict")
	echo "fuzz: running fuzz_$t for ${FUZZ_SECONDS}s (log: $log)"
	rc=0
	t0=$SECONDS
	# shellcheck disable=SC2086 # FUZZ_ARGS is a list of flags
	"$FUZZ_BUILD/fuzz_$t" -max_total_time="$FUZZ_SECONDS" -max_len=4096 \
		-timeout=25 -print_final_stats=1 "${dict[@]}" \
		-artifact_prefix="$arts/" $FUZZ_ARGS "$corpus" >"$log" 2>&1 ||
		rc=$?
	elapsed=$((SECONDS - t0))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" |
		tail -n 1)
	last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
	cov=$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$last")
	ft=$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$last")
	ncorp=$(sed -n 's/.* corp: \([0-9]*\/[0-9]*[a-zA-Z]*\).*/\1/p' <<<"$last")
	found=$(find "$arts" -type f | head -n 5 | tr '\n' ' ')
	if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
		verdict=OK
	else
		verdict="FAILED (exit $rc)"
		status=1
		grep -E 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer)|runtime error:|invariant violated|Test unit written' \
			"$log" | head -n 8 >&2 || true
	fi
	summaries+=("fuzz_$t: $verdict execs=${execs:-?} cov=${cov:-?} ft=${ft:-?} corpus=${ncorp:-?} time=${elapsed}s${found:+ artifacts: $found}")
done

for s in "${summaries[@]}"; do
	echo "$s"
done
[ $status -eq 0 ] || echo "fuzz: failures found; logs and inputs in $FUZZ_BUILD" >&2
exit $status
