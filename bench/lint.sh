#!/usr/bin/env bash
# strata lint speed: the PostgreSQL, MySQL and SQLite files of a generated
# 700-migration project, against squawk (the PostgreSQL-only linter) on the
# PostgreSQL files alone. docs/benchmarks.md ("Lint") explains the numbers.
#
#   STRATA_BUILD=/path/to/build bench/lint.sh
#
# Environment (all optional):
#   STRATA_BUILD   build dir holding ./strata and plugins/ (required)
#   BENCH_N        migrations in the project (default 700)
#   BENCH_RUNS     timed runs per command, median reported (default 5)
#   SQUAWK         the squawk binary; unset: npm installs squawk-cli
#                  (version $SQUAWK_VERSION) into the work dir
#   BENCH_DIR      work dir (default: mktemp -d, deleted at the end)
#
# Nothing is written into the repository. Prints a Markdown report.
set -euo pipefail

N=${BENCH_N:-700}
RUNS=${BENCH_RUNS:-5}
SQUAWK_VERSION=${SQUAWK_VERSION:-2.66.0}

die() { echo "bench/lint.sh: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

for v in N RUNS; do
	case ${!v} in '' | *[!0-9]* | 0) die "BENCH_$v must be a positive integer" ;; esac
done
[ -n "${STRATA_BUILD:-}" ] || die "set STRATA_BUILD to a build dir"
STRATA_BUILD=$(cd "$STRATA_BUILD" && pwd)
STRATA=$STRATA_BUILD/strata
export STRATA_PLUGIN_PATH=$STRATA_BUILD/plugins
if [ "$(head -c 2 "$STRATA")" = "#!" ] && [ -x "$STRATA_BUILD/.libs/strata" ]; then
	STRATA=$STRATA_BUILD/.libs/strata
	export LD_LIBRARY_PATH=$STRATA_BUILD/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
"$STRATA" --version >/dev/null 2>&1 || die "$STRATA does not run"
unset STRATA_URL DATABASE_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	W=$(cd "$BENCH_DIR" && pwd)
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/strata-lint-bench.XXXXXX")
	trap 'rm -rf "$W"' EXIT
fi
cd "$W"

if [ -z "${SQUAWK:-}" ]; then
	command -v npm >/dev/null || die "npm not found (or set SQUAWK)"
	note "installing squawk-cli@$SQUAWK_VERSION with npm"
	npm install --prefix "$W/npm" --no-audit --no-fund \
		"squawk-cli@$SQUAWK_VERSION" >"$W/npm.log" 2>&1 ||
		{ tail -n 20 "$W/npm.log" >&2; die "npm install failed"; }
	# The native binary, not npm's node launcher in front of it.
	SQUAWK=$(find "$W/npm/node_modules/@squawk-cli" -path '*/bin/squawk' -type f | head -n 1)
	[ -n "$SQUAWK" ] || die "npm installed no squawk binary for this platform"
fi
"$SQUAWK" --version >/dev/null 2>&1 || die "$SQUAWK does not run"

# ---------------------------------------------------------------- generation
# A project shaped like a real one: tables created with per-dialect types,
# columns added, indexes (concurrent builds outside a transaction on
# PostgreSQL), data fixes, defaults, renames and drops now and then.
note "generating $N migrations"
awk -v n="$N" -v d="$W/set" 'function out(f, s) { printf "%s", s > f }
function dir(i) { return sprintf("%s/%06d_m%d", d, i, i) }
BEGIN {
	system("mkdir -p " d)
	for (i = 1; i <= n; i++) {
		m = dir(i); system("mkdir " m)
		k = i % 10; t = "t_" int((i - 1) / 10) * 10 + 1
		if (k == 1) {
			out(m "/up.postgres.sql", "CREATE TABLE " t " (\n  id BIGSERIAL PRIMARY KEY,\n  name TEXT NOT NULL,\n  payload JSONB,\n  created_at TIMESTAMPTZ NOT NULL DEFAULT now()\n);\n")
			out(m "/up.mysql.sql", "CREATE TABLE " t " (\n  id BIGINT AUTO_INCREMENT PRIMARY KEY,\n  name VARCHAR(255) NOT NULL,\n  payload JSON,\n  created_at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP\n) ENGINE=InnoDB;\n")
			out(m "/up.sqlite.sql", "CREATE TABLE " t " (\n  id INTEGER PRIMARY KEY AUTOINCREMENT,\n  name TEXT NOT NULL,\n  payload TEXT,\n  created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP\n);\n")
			out(m "/down.sql", "DROP TABLE " t ";\n")
		} else if (k == 2 || k == 5) {
			out(m "/up.sql", "ALTER TABLE " t " ADD COLUMN c" i " VARCHAR(100);\n")
			out(m "/down.sql", "-- strata:allow destructive\nALTER TABLE " t " DROP COLUMN c" i ";\n")
		} else if (k == 3) {
			out(m "/up.postgres.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY " t "_name_" i " ON " t " (name);\n")
			out(m "/up.sql", "CREATE INDEX " t "_name_" i " ON " t " (name);\n")
			out(m "/down.postgres.sql", "-- strata:no-transaction\nDROP INDEX CONCURRENTLY " t "_name_" i ";\n")
			out(m "/down.mysql.sql", "DROP INDEX " t "_name_" i " ON " t ";\n")
			out(m "/down.sql", "DROP INDEX " t "_name_" i ";\n")
		} else if (k == 4) {
			out(m "/up.sql", "UPDATE " t " SET name = trim(name)\n WHERE name <> trim(name);\n")
			out(m "/down.sql", "-- strata:empty (trimming cannot be undone)\n")
		} else if (k == 6) {
			out(m "/up.sql", "ALTER TABLE " t " ADD COLUMN flag" i " INTEGER NOT NULL DEFAULT 0;\n")
			out(m "/down.sql", "-- strata:allow destructive\nALTER TABLE " t " DROP COLUMN flag" i ";\n")
		} else if (k == 7) {
			out(m "/up.sql", "CREATE TABLE " t "_log" i " (\n  id INTEGER PRIMARY KEY,\n  ref INTEGER NOT NULL REFERENCES " t " (id),\n  note VARCHAR(200) DEFAULT '"'"'a; b'"'"'\n);\nINSERT INTO " t "_log" i " (id, ref, note) SELECT id, id, name FROM " t ";\n")
			out(m "/down.sql", "-- strata:allow destructive\nDROP TABLE " t "_log" i ";\n")
		} else if (k == 8) {
			out(m "/up.sql", "ALTER TABLE " t " RENAME COLUMN c" (i - 6) " TO r" i ";\n")
			out(m "/down.sql", "ALTER TABLE " t " RENAME COLUMN r" i " TO c" (i - 6) ";\n")
		} else if (k == 9) {
			out(m "/up.sql", "-- strata:allow destructive\nALTER TABLE " t " DROP COLUMN c" (i - 4) ";\n")
			out(m "/down.sql", "ALTER TABLE " t " ADD COLUMN c" (i - 4) " VARCHAR(100);\n")
		} else {
			out(m "/up.sql", "DELETE FROM " t " WHERE created_at < CURRENT_TIMESTAMP;\n")
			out(m "/down.sql", "-- strata:empty\n")
		}
		close(m "/up.sql"); close(m "/up.postgres.sql"); close(m "/up.mysql.sql")
		close(m "/up.sqlite.sql"); close(m "/down.sql")
		close(m "/down.postgres.sql"); close(m "/down.mysql.sql")
	}
}'
# The files PostgreSQL runs: its override where there is one.
: >"$W/pg.list"
for m in "$W"/set/*/; do
	if [ -f "$m/up.postgres.sql" ]; then echo "$m/up.postgres.sql"; else echo "$m/up.sql"; fi
done >"$W/pg.list"
NPG=$(wc -l <"$W/pg.list")
NALL=$(find "$W/set" -name 'up*.sql' | wc -l)

# ------------------------------------------------------------------- timing
# median_ms CMD...: the median wall time of RUNS runs, after one warm-up.
median_ms() {
	local i t0 t1
	"$@" >/dev/null 2>&1 || true
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 1000))
	done | sort -n | awk '{ a[NR] = $1 } END { m = a[int((NR + 1) / 2)]; printf "%.1f", m / 1000 }'
}

# Both must actually lint: strata finds the destructive drops it was not
# told about, squawk prints findings.
"$STRATA" --dir "$W/set" lint --all --dialect postgres,mysql,sqlite >"$W/strata.out" 2>&1 || true
grep -q "warning\|error" "$W/strata.out" || die "strata lint printed no finding; see $W/strata.out"
xargs "$SQUAWK" <"$W/pg.list" >"$W/squawk.out" 2>&1 || true
[ -s "$W/squawk.out" ] || die "squawk printed nothing"

note "timing strata lint (3 dialects) and squawk (PostgreSQL files), $RUNS runs each"
S3=$(median_ms "$STRATA" --dir "$W/set" lint --all --dialect postgres,mysql,sqlite)
SPG=$(median_ms "$STRATA" --dir "$W/set" lint --all --dialect postgres)
SQ=$(median_ms sh -c "xargs '$SQUAWK' <'$W/pg.list'")

cat <<EOF
## Lint: $N migrations ($NALL up files; $NPG run on PostgreSQL)

$(date -u +%Y-%m-%d), $(nproc) cores, median of $RUNS runs after a warm-up; squawk $("$SQUAWK" --version | awk '{print $2}').

| command | files | median | vs squawk |
| --- | --- | --- | --- |
| \`strata lint --all --dialect postgres,mysql,sqlite\` | $NALL | ${S3} ms | $(awk -v a="$S3" -v b="$SQ" 'BEGIN { printf "%.2f×", a / b }') |
| \`strata lint --all --dialect postgres\` | $NPG | ${SPG} ms | $(awk -v a="$SPG" -v b="$SQ" 'BEGIN { printf "%.2f×", a / b }') |
| \`squawk\` (PostgreSQL files) | $NPG | ${SQ} ms | 1.00× |

strata findings: $(grep -c "^\S*:[0-9]*: \(error\|warning\)" "$W/strata.out" || true) lines; squawk output: $(wc -l <"$W/squawk.out") lines.
EOF
