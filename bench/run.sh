#!/usr/bin/env bash
# strata benchmark: strata vs the plain sqlite3 CLI on generated migrations.
# docs/benchmarks.md explains every number; this header is the short manual.
#
#   STRATA_BUILD=/path/to/build bench/run.sh
#
# Environment (all optional):
#   STRATA_BUILD      build dir holding ./strata and plugins/ (out-of-tree
#                     build: cd DIR && /path/to/repo/configure && make).
#                     Unset: ./strata is built into the work dir first
#                     (needs the repo's generated ./configure).
#   BENCH_N           migrations for (a)-(c) (default 200)
#   BENCH_RUNS        timed runs per command, median reported (default 5)
#   BENCH_RSS_SIZES   migration counts for the peak-RSS runs of (d)
#                     (default "200 1000"; "200 2000" adds about 10 s
#                     on a 2-core machine, see docs/benchmarks.md)
#   BENCH_SPLIT_STMTS statements in the splitter input (default 50000)
#   BENCH_DIR         work dir (default: mktemp -d, deleted at the end)
#   BENCH_KEEP=1      keep the work dir
#   BENCH_NO_HYPERFINE=1  time with the built-in loop even if hyperfine exists
#   CC                compiler for bench/split_bench.c (default cc)
#   BENCH_PEERS=0     skip bench/peers.sh (strata vs dbmate vs each
#                     database's own client, durable servers; its own
#                     BENCH_* settings are read there)
#
# Nothing is written into the repository. Needs bash, awk, sqlite3,
# sha256sum; hyperfine and GNU time (/usr/bin/time) are used when present.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
N=${BENCH_N:-200}
RUNS=${BENCH_RUNS:-5}
RSS_SIZES=${BENCH_RSS_SIZES:-200 1000}
SPLIT_STMTS=${BENCH_SPLIT_STMTS:-50000}
CC=${CC:-cc}

die() { echo "bench/run.sh: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

for v in N RUNS SPLIT_STMTS; do
	case ${!v} in '' | *[!0-9]* | 0) die "BENCH_$v must be a positive integer" ;; esac
done
command -v sqlite3 >/dev/null || die "sqlite3 not found (apt-get install sqlite3)"
command -v sha256sum >/dev/null || die "sha256sum not found"

# The run must not pick up the caller's strata settings.
unset STRATA_URL DATABASE_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_INIT_SQL STRATA_LOCK_TIMEOUT

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	W=$(cd "$BENCH_DIR" && pwd)
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/strata-bench.XXXXXX")
	[ "${BENCH_KEEP:-0}" = 1 ] || trap 'rm -rf "$W"' EXIT
fi
cd "$W" # no strata.ini here, so only the flags below configure strata

if [ -z "${STRATA_BUILD:-}" ]; then
	[ -x "$REPO/configure" ] ||
		die "set STRATA_BUILD to a build dir (the repo has no ./configure)"
	note "building strata into $W/build (set STRATA_BUILD to skip)"
	mkdir -p "$W/build"
	(cd "$W/build" && "$REPO/configure" >configure.log 2>&1 &&
		make -j2 >make.log 2>&1) || die "build failed, see $W/build"
	STRATA_BUILD=$W/build
fi
STRATA_BUILD=$(cd "$STRATA_BUILD" && pwd)
STRATA=$STRATA_BUILD/strata
[ -x "$STRATA" ] || die "$STRATA not found or not executable"
export STRATA_PLUGIN_PATH=$STRATA_BUILD/plugins
# In an uninstalled build ./strata is libtool's wrapper script, which costs a
# bash start per run; time the real binary instead, as an install would.
if [ "$(head -c 2 "$STRATA")" = "#!" ] && [ -x "$STRATA_BUILD/.libs/strata" ]; then
	STRATA=$STRATA_BUILD/.libs/strata
	export LD_LIBRARY_PATH=$STRATA_BUILD/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
"$STRATA" --version >/dev/null 2>&1 || die "$STRATA does not run"

if [ "${BENCH_NO_HYPERFINE:-0}" != 1 ] && command -v hyperfine >/dev/null; then
	TIMER="hyperfine $(hyperfine --version | awk '{print $2}')"
else
	TIMER="shell loop (date +%s%N)"
fi
GNUTIME=
[ -x /usr/bin/time ] && /usr/bin/time -v true >/dev/null 2>&1 && GNUTIME=/usr/bin/time

# ---------------------------------------------------------------- generation
# gen_set DIR COUNT: COUNT migrations <version>_m<i>/{up,down}.sql, and the
# peer's scripts DIR.peer_up.sql / DIR.peer_down.sql.
HISTORY_DDL="CREATE TABLE IF NOT EXISTS strata_migrations (version INTEGER NOT NULL PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, source TEXT NOT NULL, status TEXT NOT NULL, started_at TEXT NOT NULL, finished_at TEXT, duration_ms INTEGER, applied_by TEXT NOT NULL, steps INTEGER, error TEXT, schema_fingerprint TEXT);"
gen_set() {
	local dir=$1 count=$2
	rm -rf "$dir"
	mkdir -p "$dir"
	seq "$count" | awk -v d="$dir" '{ printf "%s/%06d_m%d\n", d, $1, $1 }' |
		xargs mkdir -p
	awk -v n="$count" -v d="$dir" 'BEGIN {
		for (i = 1; i <= n; i++) {
			m = sprintf("%s/%06d_m%d", d, i, i)
			f = m "/up.sql"
			printf "-- migration %d\n", i > f
			printf "CREATE TABLE t_%d (\n  id INTEGER PRIMARY KEY,\n", i > f
			printf "  name TEXT NOT NULL,\n  qty INTEGER NOT NULL DEFAULT 0,\n" > f
			printf "  note TEXT\n);\n" > f
			printf "INSERT INTO t_%d (name, qty, note) VALUES\n", i > f
			printf "  (\047alpha\047, 1, \047first; row\047),\n" > f
			printf "  (\047beta\047, 2, NULL),\n" > f
			printf "  (\047gamma\047, 3, \047it\047\047s third\047);\n" > f
			printf "CREATE INDEX t_%d_name ON t_%d (name);\n", i, i > f
			close(f)
			f = m "/down.sql"
			printf "DROP INDEX t_%d_name;\nDROP TABLE t_%d;\n", i, i > f
			close(f)
		}
	}'
	# The peer: one file, each migration in its own transaction together
	# with the same history row strata writes (checksum computed now, so
	# the peer does no hashing at run time; no schema fingerprint).
	(cd "$dir" && sha256sum -- */up.sql) | awk -v d="$dir" -v ddl="$HISTORY_DDL" '
		BEGIN { print ddl }
		{
			sum = $1; file = $2; split(file, p, "/")
			id = p[1]; v = id + 0; name = id; sub(/^[0-9]+_/, "", name)
			print "BEGIN;"
			while ((getline line < (d "/" file)) > 0) print line
			close(d "/" file)
			printf "INSERT INTO strata_migrations (version, name, checksum, source, status, started_at, finished_at, duration_ms, applied_by, steps) VALUES (%d, \047%s\047, \047%s\047, \047up.sql\047, \047applied\047, strftime(\047%%Y-%%m-%%dT%%H:%%M:%%fZ\047), strftime(\047%%Y-%%m-%%dT%%H:%%M:%%fZ\047), 0, \047bench\047, 3);\n", v, name, sum
			print "COMMIT;"
		}' >"$dir.peer_up.sql"
	(cd "$dir" && printf '%s\n' */ | sort -r) | awk -v d="$dir" '
		{
			id = $1; sub(/\/$/, "", id); v = id + 0
			print "BEGIN;"
			f = d "/" id "/down.sql"
			while ((getline line < f) > 0) print line
			close(f)
			printf "DELETE FROM strata_migrations WHERE version = %d;\n", v
			print "COMMIT;"
		}' >"$dir.peer_down.sql"
}

# ------------------------------------------------------------------- timing
# measure NAME PREPARE COMMAND: median wall seconds of RUNS runs (after one
# warm-up) in $MEDIAN, mean CPU seconds (user + system) in $CPU; PREPARE
# runs untimed before each run.
measure() {
	local name=${1//,/} prep=$2 cmd=$3 i # no commas: hyperfine's CSV
	note "timing: $name"
	if [ "${TIMER%% *}" = hyperfine ]; then
		hyperfine --style basic --runs "$RUNS" \
			--warmup 1 --prepare "$prep" --export-csv "$W/hf.csv" \
			-n "$name" "$cmd" >>"$W/hyperfine.log" 2>&1 ||
			{ tail -n 20 "$W/hyperfine.log" >&2; die "$name failed"; }
		# command,mean,stddev,median,user,system,min,max
		MEDIAN=$(awk -F, 'NR == 2 { print $4 }' "$W/hf.csv")
		CPU=$(awk -F, 'NR == 2 { print $5 + $6 }' "$W/hf.csv")
	else
		: >"$W/times"
		for ((i = 0; i <= RUNS; i++)); do
			sh -c "$prep" >/dev/null 2>&1
			# wall from date +%s%N; CPU from bash's time keyword
			local t0 t1 TIMEFORMAT='%3U %3S'
			t0=$(date +%s%N)
			{ time sh -c "$cmd" >/dev/null 2>&1 ||
				die "$name failed: $cmd"; } 2>"$W/cpu"
			t1=$(date +%s%N)
			[ "$i" -eq 0 ] ||
				echo "$(((t1 - t0) / 1000)) $(cat "$W/cpu")" >>"$W/times"
		done
		MEDIAN=$(sort -n "$W/times" | awk '{ a[NR] = $1 }
			END { m = NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			      printf "%.6f", m / 1e6 }')
		CPU=$(awk '{ c += $2 + $3 } END { printf "%.6f", c / NR }' "$W/times")
	fi
}

ms() { awk -v s="$1" 'BEGIN { printf "%.1f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }'; }

q() { printf '%q' "$1"; } # quote a path for the command strings

expect() { # expect WHAT ACTUAL WANTED
	[ "$2" = "$3" ] || die "sanity check failed: $1 is '$2', expected '$3'"
}

# ------------------------------------------------------------------ machine
CPU_MODEL=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || true)
MEM=$(awk '/^MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo 2>/dev/null || true)
REV=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo unknown)
SVER=$("$STRATA" --version 2>/dev/null | head -n 1 || echo unknown)
QVER=$(sqlite3 --version | awk '{ print $1 }')
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)

MIG=$W/mig
note "generating $N migrations in $MIG"
gen_set "$MIG" "$N"

S="$(q "$STRATA") --url sqlite:$(q "$W/s.db") --dir $(q "$MIG")"
SDB=$(q "$W/s.db")
PDB=$(q "$W/p.db")
CLEAN_S="rm -f $SDB $SDB-journal $SDB-wal $SDB-shm $SDB-strata-lock"
CLEAN_P="rm -f $PDB $PDB-journal"

# (a) up on a fresh database
measure "strata up (N=$N)" "$CLEAN_S" "$S up"
A_S=$MEDIAN A_S_CPU=$CPU
measure "sqlite3 peer up (N=$N)" "$CLEAN_P" "sqlite3 $PDB < $(q "$MIG.peer_up.sql")"
A_P=$MEDIAN A_P_CPU=$CPU

# (a2) the same with synchronous=OFF on both sides (strata through its
# init_sql setting), so that fsync latency, which dominates (a) on most
# disks, drops out and the CPU cost of each side shows.
measure "strata up synchronous=OFF (N=$N)" "$CLEAN_S" \
	"STRATA_INIT_SQL='PRAGMA synchronous = OFF' $S up"
A2_S=$MEDIAN A2_S_CPU=$CPU
{ echo "PRAGMA synchronous = OFF;"; cat "$MIG.peer_up.sql"; } >"$MIG.peer_up_nosync.sql"
measure "sqlite3 peer up synchronous=OFF (N=$N)" "$CLEAN_P" \
	"sqlite3 $PDB < $(q "$MIG.peer_up_nosync.sql")"
A2_P=$MEDIAN A2_P_CPU=$CPU

# Fully migrated databases for (b) and (c), checked.
sh -c "$CLEAN_S"
sh -c "$S up" >/dev/null
sh -c "$CLEAN_P"
sqlite3 "$W/p.db" <"$MIG.peer_up.sql"
for db in s p; do
	expect "$db.db history rows" \
		"$(sqlite3 "$W/$db.db" "SELECT count(*) FROM strata_migrations WHERE status = 'applied'")" "$N"
	expect "$db.db rows in t_$N" "$(sqlite3 "$W/$db.db" "SELECT count(*) FROM t_$N")" 3
	cp "$W/$db.db" "$W/$db.full.db"
done

# (b) status on the migrated database
measure "strata status (N=$N applied)" "true" "$S status"
B_S=$MEDIAN B_S_CPU=$CPU
measure "sqlite3 peer status (N=$N)" "true" \
	"sqlite3 $PDB 'SELECT version, name, checksum, status FROM strata_migrations ORDER BY version' && cd $(q "$MIG") && sha256sum -- */up.sql"
B_P=$MEDIAN B_P_CPU=$CPU

# (c) down --to 0 from the migrated database
measure "strata down --to 0 (N=$N)" "$CLEAN_S && cp $(q "$W/s.full.db") $SDB" "$S down --to 0"
C_S=$MEDIAN C_S_CPU=$CPU
measure "sqlite3 peer down (N=$N)" "$CLEAN_P && cp $(q "$W/p.full.db") $PDB" \
	"sqlite3 $PDB < $(q "$MIG.peer_down.sql")"
C_P=$MEDIAN C_P_CPU=$CPU
for db in s p; do
	expect "$db.db tables after down" \
		"$(sqlite3 "$W/$db.db" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name LIKE 't\_%' ESCAPE '\\'")" 0
	expect "$db.db history rows after down" \
		"$(sqlite3 "$W/$db.db" "SELECT count(*) FROM strata_migrations")" 0
done

# (d1) peak RSS and wall time of one 'strata up' per size, and the peer's.
RSS_ROWS=()
for n in $RSS_SIZES; do
	case $n in '' | *[!0-9]* | 0) die "bad BENCH_RSS_SIZES entry '$n'" ;; esac
	if [ -z "$GNUTIME" ]; then
		RSS_ROWS+=("| $n | n/a (install GNU time) | | | |")
		continue
	fi
	dir=$W/rss$n
	note "peak RSS: strata up with $n migrations"
	gen_set "$dir" "$n"
	rm -f "$W/r.db" "$W/r.db-strata-lock" "$W/q.db"
	t0=$(date +%s%N)
	"$GNUTIME" -v -o "$W/time.txt" "$STRATA" --url "sqlite:$W/r.db" \
		--dir "$dir" up >/dev/null
	t1=$(date +%s%N)
	rss_s=$(awk -F': ' '/Maximum resident/ { print $2 }' "$W/time.txt")
	# shellcheck disable=SC2016 # expanded by the inner sh
	"$GNUTIME" -v -o "$W/time.txt" sh -c 'sqlite3 "$1" < "$2"' sh \
		"$W/q.db" "$dir.peer_up.sql"
	rss_p=$(awk -F': ' '/Maximum resident/ { print $2 }' "$W/time.txt")
	expect "r.db history rows" \
		"$(sqlite3 "$W/r.db" "SELECT count(*) FROM strata_migrations")" "$n"
	wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
	per=$(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.2f", (b - a) / 1e6 / n }')
	RSS_ROWS+=("| $n | $rss_s KiB | $wall s | $per ms | $rss_p KiB |")
	rm -rf "$dir" "$dir".peer_*.sql "$W/r.db" "$W/q.db"
done

# (d2) splitter throughput.
note "building bench/split_bench.c"
mkdir -p "$W/split/obj"
objs=()
for src in "$REPO"/core/*.c; do
	obj=$W/split/obj/$(basename "${src%.c}").o
	# shellcheck disable=SC2046 # pkg-config output is a list of flags
	"$CC" -O2 -g -I "$REPO/include" -I "$REPO/core" \
		-DSTRATA_PLUGIN_DIR='"/nonexistent"' $(pkg-config --cflags inih) \
		-c "$src" -o "$obj" || die "compiling $src failed"
	objs+=("$obj")
done
ar rcs "$W/split/libstrata_bench.a" "${objs[@]}"
# shellcheck disable=SC2046
"$CC" -O2 -g -I "$REPO/include" -I "$REPO/core" "$REPO/bench/split_bench.c" \
	"$W/split/libstrata_bench.a" $(pkg-config --libs inih) -lltdl \
	-o "$W/split/split_bench" || die "linking split_bench failed"
note "generating $SPLIT_STMTS statements for the splitter"
awk -v n="$SPLIT_STMTS" 'BEGIN {
	for (i = 0; i < n; i++) {
		k = i % 5
		if (k == 0)
			printf "CREATE TABLE t_%d (\n  id INTEGER PRIMARY KEY,\n  name TEXT NOT NULL DEFAULT \047x;y\047,\n  \"quoted col\" INTEGER\n);\n", i
		else if (k == 1)
			printf "INSERT INTO t_%d (name) VALUES (\047alpha; beta\047), (\047it\047\047s\047), (\047semi;colon\047);\n", i - 1
		else if (k == 2)
			printf "-- a comment; with a semicolon\nUPDATE t_%d SET name = \047z\047 WHERE id > 1;\n", i - 2
		else if (k == 3)
			printf "/* block comment; spanning\n   two lines */ CREATE INDEX t_%d_name ON t_%d (name);\n", i - 3, i - 3
		else
			printf "CREATE TRIGGER tr_%d AFTER INSERT ON t_%d FOR EACH ROW BEGIN\n  UPDATE t_%d SET name = \047a;b\047 WHERE id = NEW.id;\n  INSERT INTO t_%d (name) VALUES (\047c\047);\nEND;\n", i, i - 4, i - 4, i - 4
	}
}' >"$W/split/big.sql"
note "timing the splitter"
SPLIT_OUT=$("$W/split/split_bench" "$W/split/big.sql" "$RUNS")

# ------------------------------------------------------------------ report
cat <<EOF

## strata benchmark results

- date: $(date -u '+%Y-%m-%d %H:%M UTC')
- machine: $(nproc) CPUs, ${CPU_MODEL:-unknown CPU}, ${MEM:-? RAM}, $(uname -sr)
- load average at the start / end: $LOAD0 / $(cut -d' ' -f1-3 /proc/loadavg 2>/dev/null || echo ?)
- strata: $SVER (repo $REV), sqlite3 $QVER, timer: $TIMER
- N=$N migrations, median of $RUNS runs (after 1 warm-up)

Wall time is the median; CPU is user + system, mean over the same runs.

| measurement | strata wall | peer wall | ratio | strata CPU | peer CPU | ratio |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
| (a) up, fresh database | $(ms "$A_S") ms | $(ms "$A_P") ms | $(ratio "$A_S" "$A_P") | $(ms "$A_S_CPU") ms | $(ms "$A_P_CPU") ms | $(ratio "$A_S_CPU" "$A_P_CPU") |
| (a2) up, synchronous=OFF | $(ms "$A2_S") ms | $(ms "$A2_P") ms | $(ratio "$A2_S" "$A2_P") | $(ms "$A2_S_CPU") ms | $(ms "$A2_P_CPU") ms | $(ratio "$A2_S_CPU" "$A2_P_CPU") |
| (b) status, all applied | $(ms "$B_S") ms | $(ms "$B_P") ms | $(ratio "$B_S" "$B_P") | $(ms "$B_S_CPU") ms | $(ms "$B_P_CPU") ms | $(ratio "$B_S_CPU" "$B_P_CPU") |
| (c) down --to 0 | $(ms "$C_S") ms | $(ms "$C_P") ms | $(ratio "$C_S" "$C_P") | $(ms "$C_S_CPU") ms | $(ms "$C_P_CPU") ms | $(ratio "$C_S_CPU" "$C_P_CPU") |

(d) peak RSS of one \`strata up\` on a fresh database (GNU time), its wall
time, and the sqlite3 peer's peak RSS for the same set:

| migrations | strata max RSS | strata wall | per migration | sqlite3 peer max RSS |
| ---: | ---: | ---: | ---: | ---: |
EOF
printf '%s\n' "${RSS_ROWS[@]}"
cat <<EOF

(d) splitter throughput, $SPLIT_STMTS generated statements
($(wc -c <"$W/split/big.sql") bytes), median of $RUNS runs, MB = 10^6 bytes:

\`\`\`
$SPLIT_OUT
\`\`\`
EOF

# strata against dbmate and each database's own client, on all three
# databases (bench/peers.sh; BENCH_PEERS=0 skips it).
if [ "${BENCH_PEERS:-1}" = 1 ]; then
	note "strata, dbmate and the floor (bench/peers.sh)"
	echo
	echo "## strata, dbmate and the floor"
	echo
	STRATA_BUILD=$STRATA_BUILD BENCH_DIR='' "$REPO/bench/peers.sh"
fi
