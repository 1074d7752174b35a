#!/bin/bash
# The Debian packages (debian/, docs/packaging.md): builds them with
# dpkg-buildpackage -us -uc -b from a copy of the tree (never in the tree
# itself), runs lintian (no errors allowed), unpacks strata, libstrata0 and
# strata-driver-sqlite into a scratch root and checks, with
# STRATA_PLUGIN_PATH and LD_LIBRARY_PATH pointing into it:
#   - strata drivers lists SQLite only, and SQLite migrations run;
#   - a postgres:// (and a mysql://) URL exits 2 naming the package to
#     install;
# and that each driver package depends on its client library and on
# nothing of strata, that strata ships no driver and recommends SQLite's.
# Run from tests/run-suite.sh as a step of its own; needs the build
# dependencies (scripts/install-deps.sh build) plus dpkg-dev, debhelper
# and lintian (install-deps.sh test). Cleans up after itself.
#
# Environment: JOBS (default nproc), KEEP_DEBS=DIR to keep the .deb files.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
jobs=${JOBS:-$(nproc)}
work=$(mktemp -d "${TMPDIR:-/tmp}/strata-deb.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
n=0
bad=0

ok() { # ok STATUS DESCRIPTION
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		# what the command printed, when the check captured it
		[ -z "${out:-}" ] || printf '%s\n' "$out" | sed 's/^/#   /' | head -40
		bad=$((bad + 1))
	fi
}

has() { # has NEEDLE HAYSTACK DESCRIPTION
	case "$2" in *"$1"*) ok 0 "$3" ;; *)
		ok 1 "$3 [wanted: $1]"
		printf '%s\n' "$2" | sed 's/^/#   /' | head -20
		;;
	esac
}

finish() {
	echo "1..$n"
	[ "$bad" -eq 0 ]
	exit $?
}

# A copy of the tree: the files git knows (tracked, and new ones not
# ignored), so that no build directory or generated file comes along;
# outside a git checkout, everything but the usual build output.
src=$work/strata-0.1.0
mkdir -p "$src"
start=$SECONDS
if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
	(cd "$top" && git ls-files -z --cached --others --exclude-standard |
		tar --null -T - --ignore-failed-read -cf - 2>/dev/null) |
		tar -xf - -C "$src"
else
	tar -C "$top" --exclude='./build*' --exclude='./autom4te.cache' \
		--exclude='*.o' --exclude='*.lo' --exclude='*.la' \
		--exclude='.libs' --exclude='.deps' -cf - . | tar -xf - -C "$src"
fi
[ -f "$src/debian/control" ]
ok $? "a copy of the tree with debian/"
[ "$bad" -eq 0 ] || finish

# The build: no tests (they need servers; the suite runs them), in
# parallel. dpkg-checkbuilddeps fails it when a build dependency is missing.
(cd "$src" && DEB_BUILD_OPTIONS="nocheck parallel=$jobs" \
	dpkg-buildpackage -us -uc -b) >"$work/build.log" 2>&1
rc=$?
[ $rc -eq 0 ] || tail -n 40 "$work/build.log" | sed 's/^/#   /'
grep -q 'symbols or patterns disappeared' "$work/build.log" &&
	echo "# libstrata.so.0 lost symbols that debian/libstrata0.symbols lists: an ABI break (soname bump) or a stale symbols file"
ok $rc "dpkg-buildpackage -us -uc -b ($((SECONDS - start)) s)"
[ $rc -eq 0 ] || finish

# dpkg-gensymbols fails the build on a symbol that disappeared, and only
# warns on a new one (which lintian then reports as an error): either way
# the exports changed without debian/libstrata0.symbols.
if grep -qE 'dpkg-gensymbols: warning: .*(new symbols|disappeared)' "$work/build.log"; then
	sed -n '/^--- debian\/libstrata0/,/^[^-+ @]/p' "$work/build.log" | sed 's/^/#   /'
	ok 1 "debian/libstrata0.symbols lists what libstrata.so.0 exports (add new API as 'NAME@Base VERSION', docs/packaging.md)"
else
	ok 0 "debian/libstrata0.symbols lists what libstrata.so.0 exports"
fi

deb() { find "$work" -maxdepth 1 -name "$1_*.deb" | head -n 1; }
for p in strata libstrata0 libstrata-dev strata-driver-sqlite \
	strata-driver-postgresql strata-driver-mysql; do
	[ -n "$(deb "$p")" ]
	ok $? "package $p built"
done
[ "$bad" -eq 0 ] || finish
[ -z "${KEEP_DEBS:-}" ] || { mkdir -p "$KEEP_DEBS" && cp "$work"/*.deb "$KEEP_DEBS"/; }

# lintian: errors fail; warnings are listed (docs/packaging.md says which
# remain and why).
start=$SECONDS
changes=$(find "$work" -maxdepth 1 -name 'strata_*.changes' | head -n 1)
lintian --fail-on error --tag-display-limit 0 "$changes" >"$work/lintian.out" 2>&1
rc=$?
# (CI runs as root; lintian says so on every run.)
sed -i '/running with root privileges/d' "$work/lintian.out"
sed 's/^/#   lintian: /' "$work/lintian.out"
ok $rc "lintian: no errors ($(grep -c '^E:' "$work/lintian.out") errors, $(grep -c '^W:' "$work/lintian.out") warnings, $((SECONDS - start)) s)"

# What each package holds and needs.
field() { dpkg-deb -f "$(deb "$1")" "$2"; }
contents() { dpkg-deb -c "$(deb "$1")" | awk '{ print $6 }'; }
for pair in sqlite:libsqlite3-0 postgresql:libpq5 mysql:libmariadb3; do
	p=strata-driver-${pair%%:*}
	dep=$(field "$p" Depends)
	has "${pair#*:}" "$dep" "$p depends on ${pair#*:} ($dep)"
	case " $dep" in *[\ ,]strata* | *libstrata*) ok 1 "$p depends on nothing of strata" ;;
	*) ok 0 "$p depends on nothing of strata" ;; esac
	[ "$(contents "$p" | grep -c '\.so$')" -eq 1 ]
	ok $? "$p holds one plugin"
done
has "strata-driver-sqlite" "$(field strata Recommends)" "strata recommends strata-driver-sqlite"
! contents strata | grep -q '/strata/strata_.*\.so$'
ok $? "strata ships no driver"
has "libstrata0" "$(field strata Depends)" "strata depends on libstrata0"
contents libstrata0 | grep -q 'libstrata\.so\.0'
ok $? "libstrata0 holds libstrata.so.0"
lst=$(contents libstrata-dev)
for f in include/strata/strata.h include/strata/driver.h /libstrata.so \
	pkgconfig/strata.pc man7/strata-driver.7.gz; do
	has "$f" "$lst" "libstrata-dev holds $f"
done

# Only strata, libstrata0 and the SQLite driver, unpacked.
root=$work/root
for p in strata libstrata0 strata-driver-sqlite; do
	dpkg-deb -x "$(deb "$p")" "$root" || ok 1 "dpkg-deb -x $p"
done
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
export LD_LIBRARY_PATH=$root/usr/lib/$multiarch
export STRATA_PLUGIN_PATH=$root/usr/lib/$multiarch/strata
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS
export STRATA_CACHE_DIR=$work/cache
bin=$root/usr/bin/strata
# The packaged program also searches its built-in folder, where installed
# packages would put their drivers.
builtin=/usr/lib/$multiarch/strata
[ ! -d "$builtin" ] || echo "# note: $builtin exists on this machine; its drivers are listed too"

out=$("$bin" drivers 2>&1)
rc=$?
ok $rc "strata drivers runs from the scratch root"
has "$STRATA_PLUGIN_PATH/strata_sqlite" "$out" "it lists SQLite from the scratch root"
[ -d "$builtin" ] || [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ]
ok $? "and SQLite only [$(printf '%s' "$out" | tr '\n' '|')]"

cd "$work" || exit 1
out=$("$bin" --url "sqlite:$work/app.db" --dir "$top/examples/migrations" up 2>&1)
ok $? "SQLite migrations run with the packaged driver"
out=$("$bin" --url "sqlite:$work/app.db" --dir "$top/examples/migrations" status --exit-code 2>&1)
ok $? "and status says all applied"

for pair in postgres://app@localhost/app:strata-driver-postgresql \
	mysql://app@localhost/app:strata-driver-mysql; do
	url=${pair%:*}
	out=$("$bin" --url "$url" status 2>&1)
	rc=$?
	[ $rc -eq 2 ]
	ok $? "${url%%:*}:// exits 2 without its driver (exit $rc)"
	has "install ${pair##*:}" "$out" "and names the package to install"
done

finish
