#!/usr/bin/env bash
# strata against dbmate and the floor, on SQLite, PostgreSQL and MariaDB.
# docs/benchmarks.md ("strata, dbmate and the floor") explains the numbers.
#
#   STRATA_BUILD=/path/to/build bench/peers.sh
#
# The floor is the database's own client (sqlite3, psql, mariadb) running
# the same migrations in one session, one transaction per migration with
# the history insert: what any tool must at least pay. dbmate comes from
# the npm package @dbmate/linux-x64 (fetched with `npm pack` when it is not
# on PATH). The servers are started here, durable (fsync on, InnoDB flushing
# at every commit), in a temporary directory, and stopped at the end.
#
# Environment (all optional):
#   STRATA_BUILD     build dir holding ./strata and plugins/ (required)
#   BENCH_SIZES      migration counts for up (default "100 1000")
#   BENCH_RUNS       rounds; the tools alternate within each (default 3)
#   BENCH_DBS        databases (default "sqlite postgres mysql")
#   BENCH_STATUS_N   migrations for the status runs, SQLite and PostgreSQL
#                    (default 10000; 0: skip)
#   BENCH_MY_STATUS_N  the same on MariaDB (default 1000; 0: skip): a
#                    durable MariaDB takes minutes to apply 10,000
#   BENCH_PROJECT_N  migrations of the project-shaped set, SQLite and
#                    PostgreSQL (default 700; 0: skip)
#   BENCH_DIR        work dir (default: mktemp -d, deleted at the end)
#   BENCH_PLOT=FILE  draw time against N, one panel per database (gnuplot)
#   BENCH_DOCS=FILE  replace the part of FILE between the markers
#                    <!-- peers:begin --> and <!-- peers:end --> with the report
#
# Prints progress on stderr and a Markdown report on stdout.
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SIZES=${BENCH_SIZES:-100 1000}
RUNS=${BENCH_RUNS:-3}
DBS=${BENCH_DBS:-sqlite postgres mysql}
STATUS_N=${BENCH_STATUS_N:-10000}
MY_STATUS_N=${BENCH_MY_STATUS_N:-1000}
PROJECT_N=${BENCH_PROJECT_N:-700}

die() { echo "bench/peers.sh: $*" >&2; exit 2; }
note() { echo "bench: $*" >&2; }

[ -n "${STRATA_BUILD:-}" ] || die "set STRATA_BUILD to a build directory"
STRATA_BUILD=$(cd "$STRATA_BUILD" && pwd)
STRATA=$STRATA_BUILD/.libs/strata
[ -x "$STRATA" ] || STRATA=$STRATA_BUILD/strata
export LD_LIBRARY_PATH=$STRATA_BUILD/.libs${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
export STRATA_PLUGIN_PATH=$STRATA_BUILD/plugins/.libs:$STRATA_BUILD/plugins
"$STRATA" --version >/dev/null || die "$STRATA does not run"
unset STRATA_URL DATABASE_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_INIT_SQL STRATA_LOCK_TIMEOUT

# Output files are named relative to where the script was started (it
# works in $W), and checked before the half hour of timing, not after.
abs() { case $1 in /*) printf '%s\n' "$1" ;; *) printf '%s/%s\n' "$PWD" "$1" ;; esac; }
if [ -n "${BENCH_DOCS:-}" ]; then
	BENCH_DOCS=$(abs "$BENCH_DOCS")
	grep -q '<!-- peers:begin -->' "$BENCH_DOCS" 2>/dev/null ||
		die "BENCH_DOCS: $BENCH_DOCS has no <!-- peers:begin --> line"
	[ -w "$(dirname "$BENCH_DOCS")" ] || die "BENCH_DOCS: cannot write next to $BENCH_DOCS"
fi
if [ -n "${BENCH_PLOT:-}" ]; then
	BENCH_PLOT=$(abs "$BENCH_PLOT")
	command -v gnuplot >/dev/null || die "BENCH_PLOT needs gnuplot (apt-get install gnuplot-nox)"
	[ -w "$(dirname "$BENCH_PLOT")" ] || die "BENCH_PLOT: cannot write $BENCH_PLOT"
fi

if [ -n "${BENCH_DIR:-}" ]; then
	mkdir -p "$BENCH_DIR"
	W=$(cd "$BENCH_DIR" && pwd)
else
	W=$(mktemp -d "${TMPDIR:-/tmp}/strata-peers.XXXXXX")
fi
chmod 755 "$W" # the servers run as postgres (when root) and must reach it
SRV=""
cleanup() {
	[ -z "$SRV" ] || "$REPO/tests/servers.sh" stop "$SRV" >/dev/null 2>&1 || true
	[ -n "${BENCH_DIR:-}" ] || rm -rf "$W"
}
trap cleanup EXIT
cd "$W"

# ------------------------------------------------------------------ dbmate
DBMATE=$(command -v dbmate || true)
if [ -z "$DBMATE" ]; then
	command -v npm >/dev/null || die "dbmate not on PATH and npm missing (apt-get install npm)"
	note "fetching dbmate (npm pack @dbmate/linux-x64)"
	mkdir -p "$W/dbmate"
	(cd "$W/dbmate" && npm pack --silent @dbmate/linux-x64 >/dev/null 2>&1 &&
		tar xzf ./*.tgz) || die "npm pack @dbmate/linux-x64 failed"
	DBMATE=$W/dbmate/package/bin/dbmate
fi
DBMATE_VERSION=$("$DBMATE" --version | awk '{print $3}')

# ----------------------------------------------------------------- servers
case " $DBS " in
*" postgres "* | *" mysql "*)
	SRV=$W/servers
	mkdir -p "$SRV"
	chmod 755 "$SRV"
	note "starting durable servers in $SRV"
	STRATA_TEST_SERVERS="pg my" \
		STRATA_TEST_PG_EXTRA_ARGS="-c fsync=on -c synchronous_commit=on" \
		STRATA_TEST_MY_EXTRA_ARGS="--innodb-flush-log-at-trx-commit=1" \
		"$REPO/tests/servers.sh" start "$SRV" >/dev/null || die "servers did not start"
	# shellcheck disable=SC1091
	. "$SRV/env"
	;;
esac

# --------------------------------------------------------------- the sets
# gen DIR N: strata's folders, dbmate's files and the floor's scripts
# (one per database: the history insert is in each one's dialect).
gen() {
	local dir=$1 n=$2
	rm -rf "$dir"
	mkdir -p "$dir/strata" "$dir/dbmate"
	awk -v n="$n" -v d="$dir" 'BEGIN {
		for (i = 1; i <= n; i++) {
			v = sprintf("%06d", i)
			sql = sprintf("CREATE TABLE t_%d (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL);", i)
			m = d "/strata/" v "_m" i
			system("mkdir " m)
			print sql > (m "/up.sql"); close(m "/up.sql")
			f = d "/dbmate/" v "_m" i ".sql"
			print "-- migrate:up\n" sql "\n\n-- migrate:down\n" > f; close(f)
			for (k = 0; k < 3; k++) {
				f = d "/floor." k ".sql"
				if (k == 0) print "BEGIN;" > f; else print "START TRANSACTION;" > f
				print sql > f
				print "INSERT INTO floor_history (version, name, checksum, applied_at) VALUES (\047" v "\047, \047m" i "\047, \047" sprintf("%064d", i) "\047, CURRENT_TIMESTAMP);" > f
				print "COMMIT;" > f
			}
		}
	}'
	local ddl="CREATE TABLE floor_history (version VARCHAR(255) PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum CHAR(64) NOT NULL, applied_at TIMESTAMP NOT NULL);"
	for k in 0 1 2; do
		{ echo "$ddl"; cat "$dir/floor.$k.sql"; } >"$dir/floor.$k.tmp"
		mv "$dir/floor.$k.tmp" "$dir/floor.$k.sql"
	done
	sed -i '1i\.bail on' "$dir/floor.0.sql" # sqlite3
	# The same in one transaction: what --single-transaction is held to.
	for k in 0 1; do
		awk 'NR == 1 && /^\.bail/ { print; next }
			!b++ { print "BEGIN;" }
			$0 != "BEGIN;" && $0 != "START TRANSACTION;" && $0 != "COMMIT;"
			END { print "COMMIT;" }' "$dir/floor.$k.sql" >"$dir/floor1tx.$k.sql"
	done
}

# ------------------------------------------------------- fresh databases
# fresh DB: an empty database; its URLs in URL_STRATA, URL_DBMATE, and the
# client command in FLOOR (reading the script on stdin).
fresh() {
	local name=bench_$$
	case $1 in
	sqlite)
		rm -f "$W/bench.db" "$W/bench.db-journal" "$W/bench.db.strata-lock"
		URL_STRATA=sqlite:$W/bench.db
		URL_DBMATE=sqlite:$W/bench.db
		FLOOR="sqlite3 $W/bench.db"
		;;
	postgres)
		# shellcheck disable=SC2086
		$STRATA_TEST_PG_ADMIN -d postgres -c "DROP DATABASE IF EXISTS $name" \
			-c "CREATE DATABASE $name OWNER strata" >/dev/null
		URL_STRATA=${STRATA_TEST_PG_URL%/*}/$name
		URL_DBMATE="$URL_STRATA?sslmode=disable"
		# Over TCP as strata's user, as strata and dbmate connect. The
		# server's own psql binary: Debian's /usr/bin/psql is a Perl
		# wrapper that costs 40 ms a start.
		FLOOR="${STRATA_TEST_PG_ADMIN%% *} -X -q -v ON_ERROR_STOP=1 $URL_STRATA"
		;;
	mysql)
		# shellcheck disable=SC2086
		$STRATA_TEST_MY_ADMIN -e "DROP DATABASE IF EXISTS $name; CREATE DATABASE $name"
		URL_STRATA=${STRATA_TEST_MY_URL%/*}/$name
		URL_DBMATE=$URL_STRATA
		FLOOR="mariadb --no-defaults -h 127.0.0.1 -P $STRATA_TEST_MY_PORT -u strata -pstrata-secret $name"
		;;
	esac
}

ms() { date +%s%N | awk '{ printf "%d", $1 / 1000000 }'; }

# run_one DB N TOOL: prints the milliseconds of one up on a fresh database.
run_one() {
	local db=$1 n=$2 tool=$3 dir=$W/set.$2 k t0 t1
	fresh "$db"
	case $db in sqlite) k=0 ;; postgres) k=1 ;; mysql) k=2 ;; esac
	t0=$(ms)
	# $FLOOR is a command and its arguments: split on purpose.
	# shellcheck disable=SC2086
	case $tool in
	strata) "$STRATA" --url "$URL_STRATA" --dir "$dir/strata" up -q ;;
	strata-1tx) "$STRATA" --url "$URL_STRATA" --dir "$dir/strata" up -q --single-transaction ;;
	dbmate) "$DBMATE" --url "$URL_DBMATE" --migrations-dir "$dir/dbmate" --no-dump-schema up >/dev/null ;;
	floor) $FLOOR <"$dir/floor.$k.sql" >/dev/null ;;
	floor-1tx) $FLOOR <"$dir/floor1tx.$k.sql" >/dev/null ;;
	esac
	t1=$(ms)
	echo $((t1 - t0))
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
minmax() { sort -n | awk 'NR == 1 { lo = $1 } { hi = $1 } END { print lo "–" hi }'; }
secs() { awk -v m="$1" 'BEGIN { printf "%.2f", m / 1000 }'; }

cell() { # DB N TOOL: "1.23 s (1.20–1.30)"
	local v=${RES[$1.$2.$3]:-}
	[ -n "$v" ] || { echo "–"; return; }
	echo "$(secs "$(echo $v | tr ' ' '\n' | median)") s ($(echo $v | tr ' ' '\n' | minmax | awk -F– '{ printf "%.2f–%.2f", $1 / 1000, $2 / 1000 }'))"
}
# pratio DB N A B: the median over rounds of A's time over B's in the
# same round. The tools of a round run back to back, so a slow stretch of
# the disk (fsync latency here wanders by a factor of two within minutes)
# weighs on both sides of each ratio.
pratio() {
	local a b i
	read -r -a a <<<"${RES[$1.$2.$3]:-}"
	read -r -a b <<<"${RES[$1.$2.$4]:-}"
	[ ${#a[@]} -gt 0 ] && [ ${#a[@]} -eq ${#b[@]} ] || { echo "–"; return; }
	for i in "${!a[@]}"; do
		awk -v x="${a[$i]}" -v y="${b[$i]}" 'BEGIN { if (y > 0) printf "%.6f\n", x / y }'
	done | sort -g | awk '{ v[NR] = $1 } END { if (NR) printf "%.2f×", (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; else print "–" }'
}
med() { local v=${RES[$1.$2.$3]:-}; [ -n "$v" ] && echo $v | tr ' ' '\n' | median || echo 0; }

tools_for() {
	case $1 in
	mysql) echo "strata dbmate floor" ;;
	*) echo "strata strata-1tx dbmate floor floor-1tx" ;;
	esac
}

declare -A RES
for n in $SIZES; do
	note "generating $n migrations"
	gen "$W/set.$n" "$n"
done
for db in $DBS; do
	for n in $SIZES; do
		tools=$(tools_for "$db")
		for r in $(seq "$RUNS"); do
			# Alternate: each round starts with the next tool.
			set -- $tools
			for _ in $(seq $((r - 1))); do set -- "${@:2}" "$1"; done
			for tool in "$@"; do
				t=$(run_one "$db" "$n" "$tool") || die "$tool failed on $db ($n)"
				RES[$db.$n.$tool]="${RES[$db.$n.$tool]:-} $t"
				note "$db n=$n $tool: $t ms"
			done
		done
	done
done

# status on a large applied set (SQLite and PostgreSQL: the catalog digest
# path; MariaDB: a full introspection), against the client reading the
# history table.
# fill DB N: apply the status set (PostgreSQL: 2,000 tables a transaction,
# within max_locks_per_transaction).
fill() {
	local dir=$W/set.$2/strata to
	case $1 in
	sqlite)
		"$STRATA" --url "$URL_STRATA" --dir "$dir" up -q --single-transaction
		return
		;;
	mysql)
		"$STRATA" --url "$URL_STRATA" --dir "$dir" up -q
		return
		;;
	esac
	for to in $(seq 2000 2000 "$2") "$2"; do
		"$STRATA" --url "$URL_STRATA" --dir "$dir" up -q --single-transaction \
			--to "$(printf %06d "$to")"
	done
	# Settled, as a production database is: autovacuum would otherwise
	# still be working through 10,000 new catalog rows while status runs.
	# (VACUUM and ANALYZE update rows in place: the digest stays.)
	$FLOOR -c "VACUUM ANALYZE" >/dev/null
}
status_bench() { # DB N
	local db=$1 n=$2 st="" rss="" cl="" r t0 t1 q
	note "status with $n migrations applied ($db)"
	fresh "$db"
	fill "$db" "$n"
	for r in $(seq $((RUNS + 2))); do
		t0=$(ms)
		/usr/bin/time -f %M -o "$W/rss" "$STRATA" --url "$URL_STRATA" \
			--dir "$W/set.$n/strata" status >/dev/null
		t1=$(ms)
		st="$st $((t1 - t0))"
		rss="$rss $(cat "$W/rss")"
	done
	q="SELECT count(*) FROM strata_migrations"
	for r in $(seq $((RUNS + 2))); do
		t0=$(ms)
		case $db in
		sqlite) sqlite3 "$W/bench.db" "$q" >/dev/null ;;
		mysql) $FLOOR -e "$q" >/dev/null ;;
		*) $FLOOR -c "$q" >/dev/null ;;
		esac
		t1=$(ms)
		cl="$cl $((t1 - t0))"
	done
	STATUS_ROWS="$STATUS_ROWS| \`status\`, $n migrations applied ($n tables), $db | $(echo $st | tr ' ' '\n' | median) ms ($(echo $st | tr ' ' '\n' | minmax)), peak RSS $(( $(echo $rss | tr ' ' '\n' | median) / 1024 )) MB | $(echo "$FLOOR" | awk '{print $1}') reading the history: $(echo $cl | tr ' ' '\n' | median) ms |
"
}
STATUS_ROWS=""
if [ "$STATUS_N" -gt 0 ]; then
	gen "$W/set.$STATUS_N" "$STATUS_N"
	for db in $DBS; do
		case $db in sqlite | postgres) status_bench "$db" "$STATUS_N" ;; esac
	done
fi
if [ "$MY_STATUS_N" -gt 0 ] && [[ " $DBS " == *" mysql "* ]]; then
	[ -d "$W/set.$MY_STATUS_N" ] || gen "$W/set.$MY_STATUS_N" "$MY_STATUS_N"
	status_bench mysql "$MY_STATUS_N"
fi

# A project-shaped history (issue 9's "realistic history"): tables created
# with per-dialect types, columns added, indexes (built concurrently,
# outside a transaction, on PostgreSQL), data fixes, renames and drops;
# every other migration is MySQL-only, so SQLite and PostgreSQL skip one
# migration in two. dbmate gets, per database, the files that database
# runs (transaction:false where strata's file says no-transaction).
gen_project() { # DIR N
	local dir=$1 n=$2 db f
	rm -rf "$dir"
	mkdir -p "$dir/strata"
	awk -v n="$n" -v d="$dir/strata" 'function out(f, s) { printf "%s", s > f; close(f) }
	BEGIN {
		for (i = 1; i <= n; i++) {
			m = sprintf("%s/%06d_m%d", d, i, i); system("mkdir " m)
			if (i % 2 == 0) {
				out(m "/up.mysql.sql", "ALTER TABLE t_1 ENGINE=InnoDB;\n")
				continue
			}
			j = (i + 1) / 2; k = j % 10; t = "t_" int((j - 1) / 10) * 10 + 1
			if (k == 1) {
				out(m "/up.postgres.sql", "CREATE TABLE " t " (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL, payload JSONB, created_at TIMESTAMPTZ NOT NULL DEFAULT now());\n")
				out(m "/up.sqlite.sql", "CREATE TABLE " t " (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL, payload TEXT, created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);\n")
			} else if (k == 2 || k == 5) {
				out(m "/up.sql", "ALTER TABLE " t " ADD COLUMN c" j " VARCHAR(100);\n")
			} else if (k == 3) {
				out(m "/up.postgres.sql", "-- strata:no-transaction\nCREATE INDEX CONCURRENTLY " t "_name_" j " ON " t " (name);\n")
				out(m "/up.sql", "CREATE INDEX " t "_name_" j " ON " t " (name);\n")
			} else if (k == 4) {
				out(m "/up.sql", "UPDATE " t " SET name = trim(name) WHERE name <> trim(name);\n")
			} else if (k == 6) {
				out(m "/up.sql", "ALTER TABLE " t " ADD COLUMN flag" j " INTEGER NOT NULL DEFAULT 0;\n")
			} else if (k == 7) {
				out(m "/up.sql", "CREATE TABLE " t "_log" j " (id INTEGER PRIMARY KEY, ref INTEGER NOT NULL REFERENCES " t " (id), note VARCHAR(200));\nINSERT INTO " t "_log" j " (id, ref, note) SELECT id, id, name FROM " t ";\n")
			} else if (k == 8) {
				out(m "/up.sql", "ALTER TABLE " t " RENAME COLUMN c" (j - 6) " TO r" j ";\n")
			} else if (k == 9) {
				out(m "/up.sql", "-- strata:allow destructive\nALTER TABLE " t " DROP COLUMN c" (j - 4) ";\n")
			} else {
				out(m "/up.sql", "DELETE FROM " t " WHERE created_at < CURRENT_TIMESTAMP;\n")
			}
		}
	}'
	for db in sqlite postgres; do
		mkdir -p "$dir/dbmate.$db"
		for m in "$dir"/strata/*/; do
			f=$m/up.$db.sql
			[ -f "$f" ] || f=$m/up.sql
			[ -f "$f" ] || continue
			m=${m%/}
			{
				if grep -q '^-- strata:no-transaction' "$f"; then
					echo "-- migrate:up transaction:false"
				else
					echo "-- migrate:up"
				fi
				grep -v '^-- strata:' "$f"
				printf '\n-- migrate:down\n'
			} >"$dir/dbmate.$db/${m##*/}.sql"
		done
	done
}

project_one() { # DB TOOL: the milliseconds of one up of the project
	local db=$1 tool=$2 dir=$W/project t0 t1
	fresh "$db"
	t0=$(ms)
	case $tool in
	strata) "$STRATA" --url "$URL_STRATA" --dir "$dir/strata" up -q --allow-destructive ;;
	dbmate) "$DBMATE" --url "$URL_DBMATE" --migrations-dir "$dir/dbmate.$db" --no-dump-schema up >/dev/null ;;
	esac
	t1=$(ms)
	echo $((t1 - t0))
}

PROJECT_ROWS=""
if [ "$PROJECT_N" -gt 0 ]; then
	note "generating a project of $PROJECT_N migrations"
	gen_project "$W/project" "$PROJECT_N"
	for db in $DBS; do
		case $db in sqlite | postgres) ;; *) continue ;; esac
		for r in $(seq "$RUNS"); do
			set -- strata dbmate
			[ $((r % 2)) = 0 ] && set -- dbmate strata
			for tool in "$@"; do
				t=$(project_one "$db" "$tool") || die "$tool failed on the $db project"
				RES[$db.project.$tool]="${RES[$db.project.$tool]:-} $t"
				note "$db project $tool: $t ms"
			done
		done
		runs=$(ls "$W/project/dbmate.$db" | wc -l)
		PROJECT_ROWS="$PROJECT_ROWS| $db | $PROJECT_N ($runs run here, $((PROJECT_N - runs)) skipped) | $(cell "$db" project strata) | $(cell "$db" project dbmate) | $(pratio "$db" project strata dbmate) |
"
	done
fi

# ------------------------------------------------------------------ report

report() {
	echo "Measured $(date -u +%Y-%m-%d) on $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(. /etc/os-release && echo "$PRETTY_NAME"), with \`STRATA_BUILD=… bench/peers.sh\`"
	echo "(BENCH_SIZES=\"$SIZES\", BENCH_RUNS=$RUNS): strata $("$STRATA" --version | awk '{print $2}'), dbmate $DBMATE_VERSION,"
	echo "SQLite $(sqlite3 --version | awk '{print $1}'), $(psql --version | awk '{print "PostgreSQL " $3}'), MariaDB $(mariadb --version | sed 's/.*Distrib \([0-9.]*\).*/\1/; s/.*from \([0-9.]*\).*/\1/')."
	echo "Servers durable (PostgreSQL fsync and synchronous_commit on, InnoDB flushing at every commit). Medians of $RUNS, min–max in brackets. A ratio is the median of the rounds' ratios (the tools of a round run back to back)."
	echo
	echo "| database | N | strata | strata --single-transaction | dbmate | floor (own client) | floor, one transaction | strata/floor | strata/dbmate | 1tx: dbmate/strata | 1tx: strata/floor |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|"
	for db in $DBS; do
		for n in $SIZES; do
			echo "| $db | $n | $(cell "$db" "$n" strata) | $(cell "$db" "$n" strata-1tx) | $(cell "$db" "$n" dbmate) | $(cell "$db" "$n" floor) | $(cell "$db" "$n" floor-1tx) | $(pratio "$db" "$n" strata floor) | $(pratio "$db" "$n" strata dbmate) | $(pratio "$db" "$n" dbmate strata-1tx) | $(pratio "$db" "$n" strata-1tx floor-1tx) |"
		done
	done
	if [ -n "$PROJECT_ROWS" ]; then
		echo
		echo "A project-shaped history (BENCH_PROJECT_N): tables, columns, indexes (concurrent on PostgreSQL), data fixes, renames, drops; one migration in two MySQL-only."
		echo
		echo "| database | migrations | strata | dbmate | strata/dbmate |"
		echo "|---|---|---|---|---|"
		printf '%s' "$PROJECT_ROWS"
	fi
	if [ -n "$STATUS_ROWS" ]; then
		echo
		echo "| case | strata | floor |"
		echo "|---|---|---|"
		printf '%s' "$STATUS_ROWS"
	fi
}
REPORT=$(report)
printf '%s\n' "$REPORT"

if [ -n "${BENCH_DOCS:-}" ]; then
	awk -v r="$REPORT" '
		/<!-- peers:begin -->/ { print; print r; skip = 1; next }
		/<!-- peers:end -->/ { skip = 0 }
		!skip { print }' "$BENCH_DOCS" >"$BENCH_DOCS.tmp" &&
		mv "$BENCH_DOCS.tmp" "$BENCH_DOCS" || die "cannot write $BENCH_DOCS"
	note "wrote the report into $BENCH_DOCS"
fi

if [ -n "${BENCH_PLOT:-}" ]; then
	ndb=$(echo $DBS | wc -w)
	{
		echo "set terminal pngcairo size $((420 * ndb)),380 font ',9'"
		echo "set output '$W/plot.png'"
		echo "set multiplot layout 1,$ndb"
		echo "set logscale xy; set xlabel 'migrations'; set ylabel 'seconds'; set key top left; set grid"
		for db in $DBS; do
			for tool in strata strata-1tx dbmate floor floor-1tx; do
				for n in $SIZES; do
					m=$(med "$db" "$n" "$tool")
					[ "$m" -gt 0 ] && echo "$n $(secs "$m")" >>"$W/plot.$db.$tool"
				done
			done
			echo "set title '$db'"
			line="plot" lt=0
			for tool in strata strata-1tx dbmate floor floor-1tx; do
				lt=$((lt + 1)) # one colour per tool in every panel
				[ -s "$W/plot.$db.$tool" ] && line="$line '$W/plot.$db.$tool' with linespoints linetype $lt title '$tool',"
			done
			echo "${line%,}"
		done
		echo "unset multiplot"
	} >"$W/plot.gp"
	# gnuplot reports a file it cannot write and goes on, status 0.
	gnuplot "$W/plot.gp" && [ -s "$W/plot.png" ] && cp "$W/plot.png" "$BENCH_PLOT" ||
		die "gnuplot did not draw $BENCH_PLOT"
	note "drew $BENCH_PLOT"
fi
