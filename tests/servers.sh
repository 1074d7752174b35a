#!/usr/bin/env bash
# Start and stop throwaway PostgreSQL and MariaDB servers for the test suite.
#
#   tests/servers.sh start DIR   # DIR: an existing, empty directory (mktemp -d)
#   tests/servers.sh stop DIR    # stop whatever "start DIR" started; idempotent
#
# "start" writes DIR/env, a file of shell "export" lines for the tests to
# source, and prints the same lines (passwords masked) on stdout:
#
#   STRATA_TEST_PG_URL         postgres://strata:PASSWORD@127.0.0.1:PORT/strata
#   STRATA_TEST_PG_SOCKET_URL  postgres://postgres@localhost:PORT/strata?host=DIR/pg
#   STRATA_TEST_PG_ADMIN       psql command line, superuser over the socket
#   STRATA_TEST_PG_PORT        TCP port (also names the socket .s.PGSQL.PORT)
#   STRATA_TEST_PG_SOCKET_DIR  DIR/pg
#   STRATA_TEST_MY_URL         mysql://strata:PASSWORD@127.0.0.1:PORT/strata
#   STRATA_TEST_MY_SOCKET_URL  mysql://root@localhost/strata?socket=DIR/my/mysqld.sock
#   STRATA_TEST_MY_ADMIN       mariadb client command line, root over the socket
#   STRATA_TEST_MY_PORT        TCP port
#   STRATA_TEST_MY_SOCKET      DIR/my/mysqld.sock
#   STRATA_TEST_PGBOUNCER_URL  postgres://strata:PASSWORD@127.0.0.1:PORT/strata
#                              through pgbouncer, pool_mode = transaction
#   STRATA_TEST_PG_REPLICA_URL postgres://strata:PASSWORD@127.0.0.1:PORT/strata
#                              a hot standby streaming from the PostgreSQL
#                              above (pg_basebackup -R)
#   STRATA_TEST_PG_REPLICA_ADMIN  psql command line on the standby
#   STRATA_TEST_GALERA_URL1..3, STRATA_TEST_GALERA_ADMIN1..3
#                              a 3-node MariaDB Galera cluster, by
#                              tests/galera.sh in DIR/galera
#
# The *_ADMIN values are meant to be word-split: $STRATA_TEST_PG_ADMIN -c '...'
#
# Environment:
#   STRATA_TEST_SERVERS        which servers to start (default "pg pgreplica my
#                              pgbouncer galera"; pgbouncer and pgreplica
#                              need pg)
#   STRATA_TEST_PG_EXTRA_ARGS  extra options for postgres (via pg_ctl -o)
#   STRATA_TEST_MY_EXTRA_ARGS  extra options for mariadbd (word-split)
#
# If any step of "start" fails, the failing server's log is dumped to stderr,
# everything already started is stopped again, and the exit status is 1.

set -euo pipefail

readonly PASSWORD='strata-secret'
readonly READY_TIMEOUT=60
readonly STOP_TIMEOUT=30
# Ports other local test setups are known to use.
readonly AVOID_PORTS=' 55432 53306 '

prog=${0##*/}

log() { printf '%s: %s\n' "$prog" "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
	printf 'usage: %s start|stop DIR\n' "$prog" >&2
	exit 2
}

# ---------------------------------------------------------------- helpers

# shellcheck source=tests/server-lib.sh
. "$(dirname "$0")/server-lib.sh"

# ---------------------------------------------------------------- binaries

# Highest-versioned /usr/lib/postgresql/*/bin (Debian layout), or nothing.
pg_latest_bindir() {
	local d best=''
	for d in /usr/lib/postgresql/*/bin; do
		[ -x "$d/pg_ctl" ] || continue
		if [ -z "$best" ] ||
			[ "$(printf '%s\n%s\n' "$best" "$d" | sort -V | tail -n 1)" = "$d" ]; then
			best=$d
		fi
	done
	printf '%s\n' "$best"
}

find_pg() {
	local d
	PG_BINDIR=
	d=$(pg_latest_bindir)
	if [ -n "$d" ] && [ -x "$d/initdb" ]; then
		PG_BINDIR=$d
	elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
		PG_BINDIR=$(dirname "$(command -v initdb)")
	else
		die "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin)"
	fi
	local b
	for b in initdb pg_ctl postgres psql; do
		[ -x "$PG_BINDIR/$b" ] || die "PostgreSQL: $PG_BINDIR/$b not found"
	done
}


find_my() {
	MY_INSTALL_DB=$(find_first mariadb-install-db mysql_install_db) ||
		die "MariaDB: mariadb-install-db / mysql_install_db not found"
	MY_SERVER=$(find_first mariadbd /usr/sbin/mariadbd mysqld /usr/sbin/mysqld) ||
		die "MariaDB: mariadbd / mysqld not found"
	MY_CLIENT=$(find_first mariadb mysql) ||
		die "MariaDB: mariadb / mysql client not found"
	MY_ADMIN=$(find_first mariadb-admin mysqladmin) ||
		die "MariaDB: mariadb-admin / mysqladmin not found"
}

# ---------------------------------------------------------------- PostgreSQL

pg_owner() { stat -c %U "$DIR/pg/data" 2>/dev/null; }

pg_psql() { # superuser psql over the socket
	"$PG_BINDIR/psql" -h "$DIR/pg" -p "$PG_PORT" -U postgres -d postgres \
		-X -q -v ON_ERROR_STOP=1 "$@"
}

start_pg() {
	local t0 user attempt off
	t0=$(now_ms)
	find_pg
	STAGE="PostgreSQL"

	if [ "$(id -u)" -eq 0 ]; then
		user=postgres
		id -u "$user" >/dev/null 2>&1 || die "PostgreSQL: running as root but there is no 'postgres' system user"
	else
		user=$(id -un)
	fi

	mkdir -p "$DIR/pg"
	chmod 0755 "$DIR/pg"
	if [ "$(id -u)" -eq 0 ]; then
		chown "$user:" "$DIR/pg"
		if ! runuser -u "$user" -- test -w "$DIR/pg" -a -x "$DIR/pg"; then
			die "PostgreSQL: user '$user' cannot reach $DIR/pg; a parent directory is not searchable by others (use a temp dir under /tmp)"
		fi
	fi

	if ! as_user "$user" "$PG_BINDIR/initdb" -D "$DIR/pg/data" -U postgres \
		--auth-local=trust --auth-host=scram-sha-256 \
		--encoding=UTF8 --locale=C --no-sync >"$DIR/pg/initdb.log" 2>&1; then
		dump_log "PostgreSQL initdb" "$DIR/pg/initdb.log"
		die "PostgreSQL: initdb failed"
	fi

	cat >"$DIR/pg/data/pg_hba.conf" <<-'EOF'
		# written by tests/servers.sh
		local all all                trust
		local replication all        trust
		host  all all 127.0.0.1/32   scram-sha-256
		host  all all ::1/128        scram-sha-256
	EOF
	cat >>"$DIR/pg/data/postgresql.conf" <<-EOF

		# ---- tests/servers.sh ----
		listen_addresses = '127.0.0.1'
		unix_socket_directories = '$DIR/pg'
		unix_socket_permissions = 0777
		max_connections = 100
		fsync = off
		full_page_writes = off
		synchronous_commit = off
		password_encryption = 'scram-sha-256'
		logging_collector = off
		log_min_messages = warning
		log_line_prefix = '%m [%p] %q%u@%d '
	EOF

	for attempt in 1 2 3 4 5; do
		pick_port
		PG_PORT=$PORT
		printf 'port = %s\n' "$PG_PORT" >>"$DIR/pg/data/postgresql.conf"
		off=$(($(stat -c %s "$DIR/pg/log" 2>/dev/null || echo 0) + 1))
		if (
			close_fds
			as_user "$user" "$PG_BINDIR/pg_ctl" start -D "$DIR/pg/data" \
				-l "$DIR/pg/log" -w -t "$READY_TIMEOUT" -s \
				${STRATA_TEST_PG_EXTRA_ARGS:+-o "$STRATA_TEST_PG_EXTRA_ARGS"} \
				</dev/null >>"$DIR/pg/pg_ctl.log" 2>&1
		); then
			break
		fi
		# Lost a race for the port against someone else: try another one.
		if [ "$attempt" -lt 5 ] &&
			tail -c "+$off" "$DIR/pg/log" 2>/dev/null | grep -q 'Address already in use'; then
			log "PostgreSQL: port $PG_PORT taken meanwhile, retrying"
			stop_pg
			continue
		fi
		dump_log "PostgreSQL" "$DIR/pg/pg_ctl.log" "$DIR/pg/log"
		die "PostgreSQL: server failed to start"
	done

	# pg_ctl -w already waited; double-check it accepts connections.
	local i ok=''
	for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
		if pg_psql -c 'select 1' >/dev/null 2>&1; then
			ok=1
			break
		fi
		sleep 0.1
	done
	if [ -z "$ok" ]; then
		dump_log "PostgreSQL" "$DIR/pg/log"
		die "PostgreSQL: server does not accept connections on $DIR/pg port $PG_PORT"
	fi

	if ! pg_psql >"$DIR/pg/setup.log" 2>&1 <<-EOF; then
		CREATE ROLE strata WITH LOGIN PASSWORD '$PASSWORD' CREATEDB;
		CREATE DATABASE strata OWNER strata;
	EOF
		dump_log "PostgreSQL setup" "$DIR/pg/setup.log" "$DIR/pg/log"
		die "PostgreSQL: creating role/database failed"
	fi

	ENV_LINES+=(
		"STRATA_TEST_PG_URL=postgres://strata:$PASSWORD@127.0.0.1:$PG_PORT/strata"
		"STRATA_TEST_PG_SOCKET_URL=postgres://postgres@localhost:$PG_PORT/strata?host=$DIR/pg"
		"STRATA_TEST_PG_ADMIN=$PG_BINDIR/psql -h $DIR/pg -p $PG_PORT -U postgres -X -q -v ON_ERROR_STOP=1"
		"STRATA_TEST_PG_PORT=$PG_PORT"
		"STRATA_TEST_PG_SOCKET_DIR=$DIR/pg"
	)
	log "PostgreSQL $(basename "$(dirname "$PG_BINDIR")") ready on 127.0.0.1:$PG_PORT ($(elapsed "$t0"))"
}

stop_pg() { # [DATA]: the primary's by default
	local data=${1:-$DIR/pg/data} pid user pg_ctl=''
	[ -f "$data/postmaster.pid" ] || return 0
	pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null) || return 0
	pid_is "$pid" postgres postmaster || return 0

	user=$(pg_owner) || user=$(id -un)
	if [ -n "${PG_BINDIR:-}" ]; then
		pg_ctl=$PG_BINDIR/pg_ctl
	else
		pg_ctl=$(pg_latest_bindir)
		if [ -n "$pg_ctl" ]; then
			pg_ctl=$pg_ctl/pg_ctl
		else
			pg_ctl=$(command -v pg_ctl 2>/dev/null) || true
		fi
	fi
	# Children, to make sure they are gone too if we have to kill -9.
	local kids
	kids=$(pgrep -P "$pid" 2>/dev/null | tr '\n' ' ') || true

	# pg_ctl -w waits (up to STOP_TIMEOUT) until the postmaster removed its
	# pid file, just before exiting, so a short wait suffices afterwards.
	local grace=$STOP_TIMEOUT
	if [ -n "$pg_ctl" ]; then
		as_user "$user" "$pg_ctl" stop -D "$data" -m fast -w -t "$STOP_TIMEOUT" -s \
			>/dev/null 2>&1 || true
		grace=5
	else
		kill -INT "$pid" 2>/dev/null || true # = fast shutdown
	fi
	if ! wait_gone "$pid" "$grace"; then
		log "PostgreSQL (pid $pid) did not stop in time, killing it"
		kill -9 "$pid" 2>/dev/null || true
		local k
		for k in $kids; do
			pid_is "$k" postgres && kill -9 "$k" 2>/dev/null
		done
		wait_gone "$pid" 5 || { log "PostgreSQL (pid $pid) could not be killed"; return 1; }
	fi
	return 0
}

# ------------------------------------------------------ PostgreSQL standby

# A hot standby of the server above, streaming over its socket: a copy
# made by pg_basebackup -R, on a port of its own (same socket folder).
# Through a replication slot: without one the primary recycles WAL the
# standby has not received yet whenever it falls behind (the suite writes
# gigabytes of WAL: every CREATE DATABASE copies its template into it),
# and a standby that lost a segment never catches up again.
start_pg_replica() {
	local t0 user data=$DIR/pgr/data i ok=''
	t0=$(now_ms)
	STAGE="PostgreSQL standby"
	user=$(pg_owner)
	mkdir -p "$DIR/pgr"
	[ "$(id -u)" -ne 0 ] || chown "$user:" "$DIR/pgr"
	if ! as_user "$user" "$PG_BINDIR/pg_basebackup" -h "$DIR/pg" -p "$PG_PORT" \
		-U postgres -D "$data" -R -X stream --no-sync --checkpoint=fast \
		-C -S strata_standby \
		>"$DIR/pgr/basebackup.log" 2>&1; then
		dump_log "PostgreSQL standby" "$DIR/pgr/basebackup.log" "$DIR/pg/log"
		die "PostgreSQL standby: pg_basebackup failed"
	fi
	pick_port
	PG_REPLICA_PORT=$PORT
	printf 'port = %s\nhot_standby = on\n' "$PG_REPLICA_PORT" >>"$data/postgresql.conf"
	if ! (
		close_fds
		as_user "$user" "$PG_BINDIR/pg_ctl" start -D "$data" -l "$DIR/pgr/log" \
			-w -t "$READY_TIMEOUT" -s </dev/null >>"$DIR/pgr/pg_ctl.log" 2>&1
	); then
		dump_log "PostgreSQL standby" "$DIR/pgr/pg_ctl.log" "$DIR/pgr/log"
		die "PostgreSQL standby: server failed to start"
	fi
	for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
		if [ "$("$PG_BINDIR/psql" -h "$DIR/pg" -p "$PG_REPLICA_PORT" -U postgres \
			-d postgres -X -q -A -t -c 'select pg_is_in_recovery()' 2>/dev/null)" = t ]; then
			ok=1
			break
		fi
		sleep 0.1
	done
	if [ -z "$ok" ]; then
		dump_log "PostgreSQL standby" "$DIR/pgr/log"
		die "PostgreSQL standby: not accepting connections in recovery on port $PG_REPLICA_PORT"
	fi
	ENV_LINES+=(
		"STRATA_TEST_PG_REPLICA_URL=postgres://strata:$PASSWORD@127.0.0.1:$PG_REPLICA_PORT/strata"
		"STRATA_TEST_PG_REPLICA_ADMIN=$PG_BINDIR/psql -h $DIR/pg -p $PG_REPLICA_PORT -U postgres -X -q -v ON_ERROR_STOP=1"
	)
	log "PostgreSQL standby ready on 127.0.0.1:$PG_REPLICA_PORT ($(elapsed "$t0"))"
}

# ---------------------------------------------------------------- pgbouncer

# In front of the PostgreSQL above, in transaction pooling mode: what
# tests/cli/pgbouncer.sh needs to show that the lock works there too.
start_bouncer() {
	local t0 user bin attempt pid i ok off
	t0=$(now_ms)
	STAGE="pgbouncer"
	bin=$(find_first pgbouncer /usr/sbin/pgbouncer) ||
		die "pgbouncer not found (install it, or set STRATA_TEST_SERVERS=\"pg my\")"
	[ -n "${PG_PORT:-}" ] || die "pgbouncer needs the PostgreSQL server (STRATA_TEST_SERVERS)"
	user=$(id -un)
	[ "$(id -u)" -eq 0 ] && user=postgres # pgbouncer refuses to run as root

	mkdir -p "$DIR/bouncer"
	# The auth file holds the password in clear: pgbouncer needs it to log
	# in to the server with SCRAM.
	printf '"strata" "%s"\n' "$PASSWORD" >"$DIR/bouncer/users.txt"
	chmod 0600 "$DIR/bouncer/users.txt"
	[ "$(id -u)" -eq 0 ] && chown -R "$user:" "$DIR/bouncer"

	for attempt in 1 2 3 4 5; do
		pick_port
		BOUNCER_PORT=$PORT
		cat >"$DIR/bouncer/pgbouncer.ini" <<-EOF
			; written by tests/servers.sh
			[databases]
			* = host=127.0.0.1 port=$PG_PORT

			[pgbouncer]
			listen_addr = 127.0.0.1
			listen_port = $BOUNCER_PORT
			unix_socket_dir = $DIR/bouncer
			pool_mode = transaction
			auth_type = scram-sha-256
			auth_file = $DIR/bouncer/users.txt
			max_client_conn = 500
			default_pool_size = 40
			logfile = $DIR/bouncer/log
			pidfile = $DIR/bouncer/pgbouncer.pid
		EOF
		off=$(($(stat -c %s "$DIR/bouncer/log" 2>/dev/null || echo 0) + 1))
		(
			close_fds
			as_user "$user" "$bin" -d -q "$DIR/bouncer/pgbouncer.ini" \
				</dev/null >>"$DIR/bouncer/stdout.log" 2>&1
		) || true
		ok=''
		for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
			pid=$(head -n 1 "$DIR/bouncer/pgbouncer.pid" 2>/dev/null) || pid=''
			if [ -n "$pid" ] && ! alive "$pid"; then
				break
			fi
			if [ -n "$pid" ] && PGPASSWORD=$PASSWORD "$PG_BINDIR/psql" \
				-h 127.0.0.1 -p "$BOUNCER_PORT" -U strata -d strata -X -q \
				-c 'select 1' >/dev/null 2>&1; then
				ok=1
				break
			fi
			sleep 0.1
		done
		[ -n "$ok" ] && break
		stop_bouncer || true
		if [ "$attempt" -lt 5 ] &&
			tail -c "+$off" "$DIR/bouncer/log" 2>/dev/null | grep -q 'Address already in use'; then
			log "pgbouncer: port $BOUNCER_PORT taken meanwhile, retrying"
			continue
		fi
		dump_log "pgbouncer" "$DIR/bouncer/stdout.log" "$DIR/bouncer/log"
		die "pgbouncer: did not accept connections on 127.0.0.1:$BOUNCER_PORT"
	done

	ENV_LINES+=(
		"STRATA_TEST_PGBOUNCER_URL=postgres://strata:$PASSWORD@127.0.0.1:$BOUNCER_PORT/strata"
	)
	log "pgbouncer $("$bin" --version 2>/dev/null | awk 'NR == 1 {print $2}') (pool_mode = transaction) ready on 127.0.0.1:$BOUNCER_PORT ($(elapsed "$t0"))"
}

stop_bouncer() {
	local pid
	[ -f "$DIR/bouncer/pgbouncer.pid" ] || return 0
	pid=$(head -n 1 "$DIR/bouncer/pgbouncer.pid" 2>/dev/null) || return 0
	pid_is "$pid" pgbouncer || return 0
	kill -TERM "$pid" 2>/dev/null || true # immediate shutdown
	if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
		log "pgbouncer (pid $pid) did not stop in ${STOP_TIMEOUT}s, killing it"
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || { log "pgbouncer (pid $pid) could not be killed"; return 1; }
	fi
	return 0
}

# ---------------------------------------------------------------- MariaDB

my_admin() {
	"$MY_ADMIN" --no-defaults -uroot --socket="$DIR/my/mysqld.sock" \
		--connect-timeout=2 "$@"
}

start_my() {
	local t0 attempt off pid root_args=()
	t0=$(now_ms)
	find_my
	STAGE="MariaDB"
	[ "$(id -u)" -eq 0 ] && root_args=(--user=root)

	mkdir -p "$DIR/my/tmp"
	chmod 0755 "$DIR/my"

	if ! "$MY_INSTALL_DB" --no-defaults --datadir="$DIR/my/data" \
		--auth-root-authentication-method=normal --skip-test-db \
		--skip-name-resolve "${root_args[@]}" \
		</dev/null >"$DIR/my/install.log" 2>&1; then
		dump_log "MariaDB install-db" "$DIR/my/install.log"
		die "MariaDB: $(basename "$MY_INSTALL_DB") failed"
	fi

	local extra=()
	# shellcheck disable=SC2206 # word splitting intended
	[ -n "${STRATA_TEST_MY_EXTRA_ARGS:-}" ] && extra=($STRATA_TEST_MY_EXTRA_ARGS)

	for attempt in 1 2 3 4 5; do
		pick_port
		MY_PORT=$PORT
		off=$(($(stat -c %s "$DIR/my/error.log" 2>/dev/null || echo 0) + 1))
		(
			close_fds
			exec setsid "$MY_SERVER" --no-defaults "${root_args[@]}" \
				--datadir="$DIR/my/data" \
				--socket="$DIR/my/mysqld.sock" \
				--port="$MY_PORT" --bind-address=127.0.0.1 \
				--pid-file="$DIR/my/mysqld.pid" \
				--log-error="$DIR/my/error.log" \
				--tmpdir="$DIR/my/tmp" \
				--skip-name-resolve \
				--innodb-flush-log-at-trx-commit=0 \
				--innodb-buffer-pool-size=64M \
				--innodb-use-native-aio=0 \
				--max-connections=200 \
				--character-set-server=utf8mb4 \
				--collation-server=utf8mb4_general_ci \
				"${extra[@]}" \
				</dev/null >>"$DIR/my/stdout.log" 2>&1
		) &
		pid=$!
		printf '%s\n' "$pid" >"$DIR/my/launch.pid"

		local i up='' dead=''
		for ((i = 0; i < READY_TIMEOUT * 10; i++)); do
			if ! alive "$pid"; then
				dead=1
				break
			fi
			if [ -S "$DIR/my/mysqld.sock" ] && my_admin ping >/dev/null 2>&1; then
				up=1
				break
			fi
			sleep 0.1
		done
		[ -n "$up" ] && break
		if [ -n "$dead" ] && [ "$attempt" -lt 5 ] &&
			tail -c "+$off" "$DIR/my/error.log" 2>/dev/null | grep -q 'Address already in use'; then
			log "MariaDB: port $MY_PORT taken meanwhile, retrying"
			wait "$pid" 2>/dev/null || true
			stop_my
			continue
		fi
		dump_log "MariaDB" "$DIR/my/stdout.log" "$DIR/my/error.log"
		if [ -n "$dead" ]; then
			die "MariaDB: server exited during startup"
		fi
		die "MariaDB: server did not answer within ${READY_TIMEOUT}s"
	done

	if ! "$MY_CLIENT" --no-defaults -uroot --socket="$DIR/my/mysqld.sock" \
		>"$DIR/my/setup.log" 2>&1 <<-EOF; then
		CREATE USER 'strata'@'127.0.0.1' IDENTIFIED BY '$PASSWORD';
		CREATE USER 'strata'@'localhost' IDENTIFIED BY '$PASSWORD';
		GRANT ALL PRIVILEGES ON *.* TO 'strata'@'127.0.0.1' WITH GRANT OPTION;
		GRANT ALL PRIVILEGES ON *.* TO 'strata'@'localhost' WITH GRANT OPTION;
		CREATE DATABASE strata;
		FLUSH PRIVILEGES;
	EOF
		dump_log "MariaDB setup" "$DIR/my/setup.log" "$DIR/my/error.log"
		die "MariaDB: creating user/database failed"
	fi

	ENV_LINES+=(
		"STRATA_TEST_MY_URL=mysql://strata:$PASSWORD@127.0.0.1:$MY_PORT/strata"
		"STRATA_TEST_MY_SOCKET_URL=mysql://root@localhost/strata?socket=$DIR/my/mysqld.sock"
		"STRATA_TEST_MY_ADMIN=$MY_CLIENT --no-defaults -uroot --socket=$DIR/my/mysqld.sock"
		"STRATA_TEST_MY_PORT=$MY_PORT"
		"STRATA_TEST_MY_SOCKET=$DIR/my/mysqld.sock"
	)
	log "MariaDB $("$MY_SERVER" --version 2>/dev/null | awk '{print $3}') ready on 127.0.0.1:$MY_PORT ($(elapsed "$t0"))"
}

stop_my() {
	stop_mariadbd "$DIR/my" MariaDB "${MY_ADMIN:-}"
}

# ---------------------------------------------------------------- Galera

# tests/galera.sh does it all; its env lines join ours.
start_galera() {
	STAGE="Galera"
	"$(dirname "$0")/galera.sh" start "$DIR/galera" >/dev/null ||
		{ DUMPED=1; die "Galera: the cluster did not start"; }
}

stop_galera() {
	[ -d "$DIR/galera" ] || return 0
	"$(dirname "$0")/galera.sh" stop "$DIR/galera"
}

# ---------------------------------------------------------------- commands

do_stop() {
	local rc=0
	stop_galera || rc=1
	stop_bouncer || rc=1
	stop_my || rc=1
	stop_pg "$DIR/pgr/data" || rc=1
	stop_pg || rc=1
	return "$rc"
}

on_start_exit() {
	local rc=$?
	trap - EXIT HUP INT TERM
	if [ "$rc" -ne 0 ]; then
		if [ -z "${DUMPED:-}" ]; then
			case ${STAGE:-} in
			PostgreSQL) dump_log "PostgreSQL" "$DIR/pg/initdb.log" "$DIR/pg/pg_ctl.log" "$DIR/pg/log" ;;
			"PostgreSQL standby") dump_log "PostgreSQL standby" "$DIR/pgr/basebackup.log" "$DIR/pgr/pg_ctl.log" "$DIR/pgr/log" ;;
			MariaDB) dump_log "MariaDB" "$DIR/my/install.log" "$DIR/my/stdout.log" "$DIR/my/error.log" ;;
			pgbouncer) dump_log "pgbouncer" "$DIR/bouncer/stdout.log" "$DIR/bouncer/log" ;;
			esac
		fi
		log "start failed${STAGE:+ (in $STAGE)}; stopping what was started"
		do_stop || true
		rm -f "$DIR/env.tmp"
	fi
	exit "$rc"
}

cmd_start() {
	local want_pg='' want_my='' want_bouncer='' want_replica='' want_galera='' s
	for s in ${STRATA_TEST_SERVERS-pg pgreplica my pgbouncer galera}; do
		case $s in
		pg | postgres | postgresql) want_pg=1 ;;
		pgreplica | replica) want_replica=1 ;;
		my | mysql | mariadb) want_my=1 ;;
		pgbouncer | bouncer) want_bouncer=1 ;;
		galera) want_galera=1 ;;
		*) die "STRATA_TEST_SERVERS: unknown server '$s' (use: pg pgreplica my pgbouncer galera)" ;;
		esac
	done
	[ -z "$want_bouncer" ] || [ -n "$want_pg" ] ||
		die "STRATA_TEST_SERVERS: pgbouncer needs pg"
	[ -z "$want_replica" ] || [ -n "$want_pg" ] ||
		die "STRATA_TEST_SERVERS: pgreplica needs pg"

	[ -d "$DIR" ] || die "$DIR: no such directory"
	[[ $DIR =~ ^[A-Za-z0-9._/+-]+$ ]] ||
		die "$DIR: directory name must consist of [A-Za-z0-9._/+-] only"
	# Unix socket paths are limited to 107 bytes.
	[ "${#DIR}" -le 80 ] || die "$DIR: path too long for Unix sockets (max 80 chars)"
	if [ -e "$DIR/pg" ] || [ -e "$DIR/my" ] || [ -e "$DIR/bouncer" ] ||
		[ -e "$DIR/galera" ] || [ -e "$DIR/env" ]; then
		die "$DIR: already used by a previous start (pg/, my/, bouncer/, galera/ or env exists)"
	fi
	# mktemp -d makes 0700 directories; the postgres user must get in.
	chmod 0755 "$DIR"

	STAGE=
	ENV_LINES=()
	trap on_start_exit EXIT
	# Interrupted start: still clean up (via the EXIT trap).
	trap 'exit 129' HUP
	trap 'exit 130' INT
	trap 'exit 143' TERM

	if [ -n "$want_pg" ]; then start_pg; fi
	if [ -n "$want_replica" ]; then start_pg_replica; fi
	if [ -n "$want_bouncer" ]; then start_bouncer; fi
	if [ -n "$want_my" ]; then start_my; fi
	if [ -n "$want_galera" ]; then
		mkdir "$DIR/galera"
		start_galera
	fi
	STAGE="writing $DIR/env"

	write_env ${want_galera:+"$DIR/galera/env"}
	STAGE=
}

server_main "$@"
