#!/bin/sh
# Installs what strata needs with apt, only when something is missing.
#   scripts/install-deps.sh build   compilers, autotools and client libraries
#   scripts/install-deps.sh test    also the database servers and test tools
set -eu

BUILD="gcc make autoconf automake libtool pkg-config libltdl-dev
libinih-dev libsqlite3-dev sqlite3 libpq-dev libpg-query-dev libmariadb-dev libjson-c-dev"
TEST="postgresql mariadb-server mariadb-client valgrind clang
libclang-rt-14-dev clang-format pgbouncer zsh g++ python3 galera-4 rsync
build-essential dpkg-dev debhelper lintian groff-base"

want=$BUILD
[ "${1:-build}" = test ] && want="$BUILD $TEST"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: run as root (or install these yourself)" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
