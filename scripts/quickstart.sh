#!/bin/sh
# Build strata and run it on the bundled examples/ against an embedded SQLite
# database: `strata up`, then `strata status`. Installs build dependencies
# with apt when they are missing (run as root on a fresh Debian 12).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD_DIR:-$top/_build/quickstart}

"$top/scripts/install-deps.sh" build
[ -x "$top/configure" ] || "$top/bootstrap" >/dev/null
mkdir -p "$build"
cd "$build"
[ -f Makefile ] || "$top/configure" --quiet
make -j"$(nproc)" >/dev/null

work=$(mktemp -d "${TMPDIR:-/tmp}/strata-example.XXXXXX")
export STRATA_PLUGIN_PATH="$build/plugins"
url="sqlite:$work/example.db"
echo "+ strata -c examples/strata.ini --url $url up"
"$build/strata" -c "$top/examples/strata.ini" --url "$url" up
echo
echo "+ strata -c examples/strata.ini --url $url status"
"$build/strata" -c "$top/examples/strata.ini" --url "$url" status
echo
echo "The database is $work/example.db; the program is $build/strata"
echo "(set STRATA_PLUGIN_PATH=$build/plugins to run it from the build tree)."
