#!/usr/bin/env bash
# Start and stop a throwaway 3-node MariaDB Galera cluster on loopback for
# the test suite (Debian's galera-4 and rsync).
#
#   tests/galera.sh start DIR   # DIR: an existing, empty directory
#   tests/galera.sh stop DIR    # stop whatever "start DIR" started; idempotent
#
# "start" writes DIR/env, shell "export" lines for the tests to source, and
# prints them (passwords masked) on stdout:
#
#   STRATA_TEST_GALERA_URL1..3   mysql://strata:PASSWORD@127.0.0.1:PORT/strata,
#                                one per node
#   STRATA_TEST_GALERA_ADMIN1..3 mariadb client command line, root over that
#                                node's socket (word-split it)
#
# Each node N lives in DIR/nN: its own client port and socket, gcomm port
# (gmcast.listen_addr), IST port (ist.recv_addr) and rsync SST port
# (wsrep_sst_receive_address). Node 1 bootstraps the cluster
# (--wsrep-new-cluster); nodes 2 and 3 join it, one after the other, by an
# rsync SST, and "start" returns once each of them is Synced. The servers
# run as the invoking user, or as `mysql` when started by root: the SST's
# rsync daemon runs as that user and writes the joiner's data directory,
# which must be theirs.
#
# If a step fails, the failing node's logs are dumped to stderr, whatever
# was started is stopped again, and the exit status is 1.

set -euo pipefail

readonly PASSWORD='strata-secret'
readonly NODES=3
readonly READY_TIMEOUT=90
readonly STOP_TIMEOUT=30
readonly AVOID_PORTS=' 55432 53306 '
readonly PROVIDER=/usr/lib/galera/libgalera_smm.so

prog=${0##*/}

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }
usage() {
	printf 'usage: %s start|stop DIR\n' "$prog" >&2
	exit 2
}

# shellcheck source=tests/server-lib.sh
. "$(dirname "$0")/server-lib.sh"

find_bins() {
	INSTALL_DB=$(find_first mariadb-install-db mysql_install_db) ||
		die "mariadb-install-db not found (apt install mariadb-server)"
	SERVER=$(find_first mariadbd /usr/sbin/mariadbd mysqld /usr/sbin/mysqld) ||
		die "mariadbd not found (apt install mariadb-server)"
	CLIENT=$(find_first mariadb mysql) || die "mariadb client not found"
	ADMIN=$(find_first mariadb-admin mysqladmin) || die "mariadb-admin not found"
	[ -r "$PROVIDER" ] || die "$PROVIDER not found (apt install galera-4)"
	command -v rsync >/dev/null 2>&1 || die "rsync not found (apt install rsync)"
}

# ---------------------------------------------------------------- nodes

node_dir() { printf '%s/n%s' "$DIR" "$1"; }

# sql N ARGS...: the mariadb client as root on node N's socket.
sql() {
	local n=$1
	shift
	"$CLIENT" --no-defaults -uroot --socket="$(node_dir "$n")/mysqld.sock" \
		--connect-timeout=2 "$@"
}

# The node's wsrep state, e.g. "Synced", or nothing while it is not up.
node_state() {
	sql "$1" -N -B -e "SHOW GLOBAL STATUS LIKE 'wsrep_local_state_comment'" \
		2>/dev/null | cut -f2
}

# Options of node N, in a file of its own: the SST script reads it too.
write_cnf() {
	local n=$1 d i addrs=''
	d=$(node_dir "$n")
	for ((i = 1; i <= NODES; i++)); do
		addrs="$addrs${addrs:+,}127.0.0.1:${GCOMM[$i]}"
	done
	cat >"$d/my.cnf" <<-EOF
		# written by tests/galera.sh
		[mysqld]
		datadir = $d/data
		socket = $d/mysqld.sock
		port = ${MYPORT[$n]}
		bind-address = 127.0.0.1
		pid-file = $d/mysqld.pid
		log-error = $d/error.log
		tmpdir = $d/tmp
		skip-name-resolve
		innodb-flush-log-at-trx-commit = 0
		innodb-buffer-pool-size = 32M
		innodb-log-file-size = 16M
		innodb-use-native-aio = 0
		max-connections = 200
		character-set-server = utf8mb4
		collation-server = utf8mb4_general_ci
		binlog_format = ROW
		default-storage-engine = InnoDB
		innodb_autoinc_lock_mode = 2
		wsrep_on = ON
		wsrep_provider = $PROVIDER
		wsrep_cluster_name = strata-test
		wsrep_node_name = node$n
		wsrep_node_address = 127.0.0.1
		wsrep_cluster_address = gcomm://$addrs
		wsrep_provider_options = "gmcast.listen_addr=tcp://127.0.0.1:${GCOMM[$n]};ist.recv_addr=127.0.0.1:${IST[$n]};gcache.size=32M;gmcast.peer_timeout=PT1S;evs.join_retrans_period=PT0.2S"
		wsrep_sst_method = rsync
		wsrep_sst_receive_address = 127.0.0.1:${SST[$n]}
		wsrep_slave_threads = 2

		[sst]
		# no progress meter, no compression: a few MB on loopback
		progress = 0
	EOF
}

# start_node N [--wsrep-new-cluster]
start_node() {
	local n=$1 d pid i t0 state=''
	shift
	t0=$(now_ms)
	d=$(node_dir "$n")
	STAGE=$n
	write_cnf "$n"
	(
		close_fds
		exec setsid "$SERVER" --defaults-file="$d/my.cnf" "${USER_ARGS[@]}" "$@" \
			</dev/null >>"$d/stdout.log" 2>&1
	) &
	pid=$!
	printf '%s\n' "$pid" >"$d/launch.pid"
	for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
		alive "$pid" || die "node $n: mariadbd exited during startup"
		if [ -S "$d/mysqld.sock" ]; then
			state=$(node_state "$n") || state=''
			[ "$state" = Synced ] && break
		fi
		sleep 0.1
	done
	[ "$state" = Synced ] ||
		die "node $n: not Synced within ${READY_TIMEOUT}s (state: ${state:-not answering})"
	log "node $n Synced on 127.0.0.1:${MYPORT[$n]} ($(elapsed "$t0"))"
}

stop_node() {
	local n=$1 d p
	d=$(node_dir "$n")
	stop_mariadbd "$d" "node $n" "${ADMIN:-}" || return 1
	# An SST's rsync daemon outlives a node killed mid-transfer.
	p=$(cat "$d/data/rsync_sst.pid" 2>/dev/null) || p=''
	if [ -n "$p" ] && pid_is "$p" rsync; then kill -9 "$p" 2>/dev/null || true; fi
	return 0
}

# ---------------------------------------------------------------- commands

do_stop() {
	local n rc=0
	for ((n = NODES; n >= 1; n--)); do
		stop_node "$n" || rc=1
	done
	return "$rc"
}

on_start_exit() {
	local rc=$? d
	trap - EXIT HUP INT TERM
	if [ "$rc" -ne 0 ]; then
		if [ -z "${DUMPED:-}" ] && [ -n "${STAGE:-}" ]; then
			d=$(node_dir "$STAGE")
			dump_log "node $STAGE" "$d/install.log" "$d/stdout.log" "$d/error.log"
		fi
		log "start failed${STAGE:+ (node $STAGE)}; stopping what was started"
		do_stop || true
		rm -f "$DIR/env.tmp"
	fi
	exit "$rc"
}

prepare_node() {
	local n=$1 d
	d=$(node_dir "$n")
	STAGE=$n
	mkdir -p "$d/tmp" "$d/data"
	chmod 0755 "$d"
	# Joiners start empty: the SST fills the data directory.
	if [ "$n" -eq 1 ] && ! "$INSTALL_DB" --no-defaults --datadir="$d/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve "${USER_ARGS[@]}" \
		</dev/null >"$d/install.log" 2>&1; then
		dump_log "node 1 install-db" "$d/install.log"
		die "node 1: $(basename "$INSTALL_DB") failed"
	fi
	[ -z "$OWNER" ] || chown -R "$OWNER:" "$d"
}

cmd_start() {
	local t0 n
	t0=$(now_ms)
	[ -d "$DIR" ] || die "$DIR: no such directory"
	[[ $DIR =~ ^[A-Za-z0-9._/+-]+$ ]] ||
		die "$DIR: directory name must consist of [A-Za-z0-9._/+-] only"
	[ "${#DIR}" -le 90 ] || die "$DIR: path too long for Unix sockets (max 90 chars)"
	if [ -e "$DIR/n1" ] || [ -e "$DIR/env" ]; then
		die "$DIR: already used by a previous start (n1/ or env exists)"
	fi
	find_bins
	chmod 0755 "$DIR"
	OWNER='' USER_ARGS=()
	if [ "$(id -u)" -eq 0 ]; then
		id -u mysql >/dev/null 2>&1 || die "running as root but there is no 'mysql' user"
		OWNER=mysql USER_ARGS=(--user=mysql)
		runuser -u mysql -- test -x "$DIR" ||
			die "user 'mysql' cannot reach $DIR; a parent directory is not searchable"
	fi

	STAGE=
	trap on_start_exit EXIT
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	PICKED='' MYPORT=() GCOMM=() IST=() SST=()
	for ((n = 1; n <= NODES; n++)); do
		pick_port || exit 1
		MYPORT[n]=$PORT
		pick_port || exit 1
		GCOMM[n]=$PORT
		pick_port || exit 1
		IST[n]=$PORT
		pick_port || exit 1
		SST[n]=$PORT
		prepare_node "$n"
	done

	start_node 1 --wsrep-new-cluster
	# DDL and account statements replicate to the joiners (and their SST
	# copies them anyway).
	STAGE=1
	if ! sql 1 >"$DIR/n1/setup.log" 2>&1 <<-EOF; then
		CREATE USER 'strata'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
		CREATE USER 'strata'@'localhost' IDENTIFIED BY '$PASSWORD';
		GRANT ALL PRIVILEGES ON *.* TO 'strata'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL PRIVILEGES ON *.* TO 'strata'@'localhost' WITH GRANT OPTION;
		CREATE DATABASE strata;
	EOF
		dump_log "node 1 setup" "$DIR/n1/setup.log" "$DIR/n1/error.log"
		die "node 1: creating user/database failed"
	fi
	for ((n = 2; n <= NODES; n++)); do
		start_node "$n"
	done
	STAGE=
	[ "$(sql 1 -N -B -e "SHOW GLOBAL STATUS LIKE 'wsrep_cluster_size'" | cut -f2)" = "$NODES" ] ||
		die "the cluster does not have $NODES nodes"

	ENV_LINES=()
	for ((n = 1; n <= NODES; n++)); do
		ENV_LINES+=(
			"STRATA_TEST_GALERA_URL$n=mysql://strata:$PASSWORD@127.0.0.1:${MYPORT[$n]}/strata"
			"STRATA_TEST_GALERA_ADMIN$n=$CLIENT --no-defaults -uroot --socket=$(node_dir "$n")/mysqld.sock"
		)
	done
	write_env
	log "Galera cluster of $NODES nodes ready ($(elapsed "$t0"))"
}

server_main "$@"
