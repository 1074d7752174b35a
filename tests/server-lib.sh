# shellcheck shell=bash disable=SC2034,SC2154
# Shell functions tests/servers.sh and tests/galera.sh share: ports,
# processes, logs, the env file and the command line. Sourced; the caller
# sets prog, log(), die(), usage(), cmd_start(), do_stop(), AVOID_PORTS and
# STOP_TIMEOUT.

now_ms() { date +%s%3N; }

elapsed() { # START_MS -> "1.23s"
	local d=$(($(now_ms) - $1))
	printf '%d.%02ds' $((d / 1000)) $((d % 1000 / 10))
}

# Single-quote a string for the shell.
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }

# Is a TCP port free (nobody listening on it, on any address), and not
# already handed out by pick_port (PICKED) for a server not started yet?
port_free() {
	local port=$1
	case "$AVOID_PORTS${PICKED:-} " in *" $port "*) return 1 ;; esac
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ] || return 1
	fi
	# Also try to connect; a listener answers.
	if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
		return 1
	fi
	return 0
}

# A random free port in PORT (not printed: in a subshell PICKED would be
# lost). 20000-32767 stays below Linux's default ephemeral range, so
# outgoing connections cannot be using it.
pick_port() {
	local i
	for i in $(seq 1 200); do
		PORT=$((20000 + (RANDOM * 32768 + RANDOM + i) % 12768))
		if port_free "$PORT"; then
			PICKED="${PICKED:-} $PORT"
			return 0
		fi
	done
	log "no free TCP port found"
	return 1
}

# Close every file descriptor above 2 in the current (sub)shell, so that
# daemons started from here do not keep the caller's pipes open.
close_fds() {
	local fd n
	for fd in /proc/"$BASHPID"/fd/*; do
		n=${fd##*/}
		if [ "$n" -gt 2 ] 2>/dev/null; then
			eval "exec $n>&-" 2>/dev/null || true
		fi
	done
}

# Is PID running? Zombies count as gone: orphans are reparented to PID 1,
# which may take its time reaping them (it does, in some containers).
alive() {
	local st
	[[ $1 =~ ^[0-9]+$ ]] || return 1
	kill -0 "$1" 2>/dev/null || return 1
	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 0 # no procfs: trust kill -0
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# Is PID alive and is its command name one of NAMES...?
pid_is() {
	local pid=$1 comm
	shift
	alive "$pid" || return 1
	comm=$(cat "/proc/$pid/comm" 2>/dev/null) || return 1
	local name
	for name in "$@"; do
		[ "$comm" = "$name" ] && return 0
	done
	return 1
}

# Wait up to SECS seconds for PID to disappear.
wait_gone() {
	local pid=$1 secs=$2 i
	for ((i = 0; i < secs * 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	! alive "$pid"
}

# Run a command as USER (only possible/needed when we are root).
as_user() {
	local user=$1
	shift
	if [ "$(id -u)" -eq 0 ] && [ "$user" != root ]; then
		(cd / && runuser -u "$user" -- "$@")
	else
		"$@"
	fi
}

dump_log() { # TITLE FILE...
	local title=$1 f
	shift
	DUMPED=1
	for f in "$@"; do
		[ -s "$f" ] || continue
		printf '%s: ----- %s: last 100 lines of %s -----\n' "$prog" "$title" "$f" >&2
		tail -n 100 "$f" >&2 || true
		printf '%s: ----- end of %s -----\n' "$prog" "$f" >&2
	done
}

find_first() { # NAME... ; prints the first one found (PATH or absolute)
	local n
	for n in "$@"; do
		if [[ $n == /* ]]; then
			[ -x "$n" ] && { printf '%s\n' "$n"; return 0; }
		elif command -v "$n" >/dev/null 2>&1; then
			command -v "$n"
			return 0
		fi
	done
	return 1
}

# write_env [FILE]: $DIR/env from ENV_LINES ("NAME=value", exported and
# quoted), FILE appended; written whole, then shown with $PASSWORD masked.
write_env() {
	local line
	: >"$DIR/env.tmp"
	for line in "${ENV_LINES[@]}"; do
		printf 'export %s=%s\n' "${line%%=*}" "$(sq "${line#*=}")" >>"$DIR/env.tmp"
	done
	if [ -n "${1:-}" ]; then cat "$1" >>"$DIR/env.tmp"; fi
	mv "$DIR/env.tmp" "$DIR/env"
	sed "s/$PASSWORD/***/g" "$DIR/env"
}

# server_main start|stop DIR: the scripts' command line; stop is
# idempotent (nothing to do without DIR).
server_main() {
	[ $# -eq 2 ] || usage
	[ -n "$2" ] || usage
	DIR=$2
	if [ -d "$DIR" ]; then
		DIR=$(cd "$DIR" && pwd -P)
	fi
	case $1 in
	start) cmd_start ;;
	stop) [ ! -d "$DIR" ] || do_stop ;;
	*) usage ;;
	esac
}

# stop_mariadbd DIR NAME [ADMIN]: the mariadbd whose mysqld.pid (written
# late; launch.pid covers early failures) and mysqld.sock are in DIR,
# shut down through ADMIN (else mariadb-admin), else TERM, else KILL after
# $STOP_TIMEOUT s. 0 when none runs or it stopped; NAME is for the log.
stop_mariadbd() {
	local dir=$1 name=$2 admin=${3:-} pid='' p
	[ -d "$dir" ] || return 0
	for p in "$dir/mysqld.pid" "$dir/launch.pid"; do
		[ -f "$p" ] || continue
		p=$(head -n 1 "$p" 2>/dev/null) || continue
		if pid_is "$p" mariadbd mysqld setsid; then
			pid=$p
			break
		fi
	done
	[ -n "$pid" ] || return 0
	admin=${admin:-$(find_first mariadb-admin mysqladmin 2>/dev/null || true)}
	if [ -n "$admin" ] && [ -S "$dir/mysqld.sock" ]; then
		timeout "$STOP_TIMEOUT" "$admin" --no-defaults -uroot \
			--socket="$dir/mysqld.sock" --connect-timeout=2 \
			--shutdown-timeout=0 shutdown >/dev/null 2>&1 ||
			kill -TERM "$pid" 2>/dev/null || true
	else
		kill -TERM "$pid" 2>/dev/null || true
	fi
	if ! wait_gone "$pid" "$STOP_TIMEOUT"; then
		log "$name (pid $pid) did not stop in ${STOP_TIMEOUT}s, killing it"
		kill -9 "$pid" 2>/dev/null || true
		wait_gone "$pid" 5 || { log "$name (pid $pid) could not be killed"; return 1; }
	fi
	return 0
}
