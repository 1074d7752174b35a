#!/bin/sh
# Secrets: passwords with '/', ':', '@' and secret URL parameters are never
# printed; connection parts as config keys (password_file, options); a
# warning when a file holding a password is readable by others.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV STRATA_MIGRATIONS \
	STRATA_TABLE STRATA_LOCK_TIMEOUT STRATA_INIT_SQL
umask 022
M=$T_TMP/m
mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
F=$T_TMP/f
mig "$F" 1_fails up.sql "SELECT * FROM no_such_table_here;"

# none_of TEXT DESCRIPTION: no part of the secrets below is in TEXT.
# Paths under $T_TMP are left out: mktemp's random letters once made
# /tmp/strata-test.Zq7U1v.
none_of() {
	g_text=$(printf '%s' "$1" | sed "s|$T_TMP||g")
	for part in Zq7 Kx9 Vw3 Jm5 Qs8Secret; do
		case "$g_text" in *"$part"*)
			ok 1 "$2 [printed: $part]"
			return
			;;
		esac
	done
	ok 0 "$2"
}

# URL parts of a test server URL scheme://user:pass@host:port/db.
split_url() {
	rest=${1#*://}
	U_USER=${rest%%:*}
	U_PASS=${rest#*:}
	U_PASS=${U_PASS%@*}
	hp=${rest##*@}
	hp=${hp%%/*}
	U_HOST=${hp%:*}
	U_PORT=${hp##*:}
}

for e in $(engines); do
	case "$e" in sqlite) continue ;; missing-*)
		ok 1 "$e server available"
		continue
		;;
	esac
	db_new "$e" || { ok 1 "create a $e database"; continue; }
	split_url "$DBURL"
	scheme=${DBURL%%:*}
	dbname=${DBURL##*/}

	# A wrong password with unencoded '/', ':' and '@': the connection
	# fails and not one piece of it is printed.
	bad="$scheme://$U_USER:Zq7/Kx9:Vw3@Jm5@$U_HOST:$U_PORT/$dbname"
	for cmd in status up history; do
		strata --dir "$M" --url "$bad" $cmd
		[ "$RC" -eq 1 ]
		ok $? "$e: $cmd with a wrong password fails (exit 1, got $RC)"
		none_of "$OUT$ERR" "$e: $cmd: no part of the password printed"
		has "$U_USER:***@$U_HOST:$U_PORT/$dbname" "$ERR" \
			"$e: $cmd: the host is still named"
	done

	# A secret parameter on a working URL (PostgreSQL knows sslpassword;
	# MariaDB refuses it as unknown, exit 2, without printing the value).
	sec="$DBURL?sslpassword=Qs8Secret"
	strata --dir "$M" --url "$sec" status
	if [ "$e" = postgres ]; then
		expect_rc 0 "$e: status with sslpassword="
		has "sslpassword=***" "$OUT" "$e: status header shows it redacted"
		strata --dir "$F" --url "$sec" up
		expect_rc 1 "$e: a failing migration"
		none_of "$OUT$ERR" "$e: failing migration: secret not printed"
	else
		expect_rc 2 "$e: sslpassword is not a MariaDB parameter"
	fi
	none_of "$OUT$ERR" "$e: status: sslpassword value not printed"

	# The same database through separate keys: password_file (relative
	# to the config file, newline removed) and options.
	mkdir -p "$T_TMP/$e/conf" && cd "$T_TMP/$e" || exit 1
	printf '%s\n' "$U_PASS" >conf/db.pass
	chmod 600 conf/db.pass
	if [ "$e" = postgres ]; then
		opts="sslmode=disable&connect_timeout=5&application_name=strata_keys"
	else
		opts="ssl-mode=disable&connect_timeout=5&charset=utf8mb4"
	fi
	cat >conf/strata.ini <<-INI
	[default]
	url = $scheme://
	host = $U_HOST
	port = $U_PORT
	user = $U_USER
	password_file = db.pass
	database = no_such_database_here
	options = $opts
	migrations = $M
	[ci]
	database = $dbname
	INI
	chmod 600 conf/strata.ini
	strata -c conf/strata.ini -e ci up
	expect_rc 0 "$e: up through host/port/user/password_file/database/options"
	is "$(db_query "$e" "$DBURL" "SELECT version FROM strata_migrations")" 1 \
		"$e: applied in the [ci] database"
	lacks "warning" "$ERR" "$e: no warning for private files"
	strata -c conf/strata.ini -e ci status
	expect_rc 0 "$e: status"
	lacks "$U_PASS" "$OUT$ERR" "$e: password from password_file not printed"
	has "$U_USER:***@" "$OUT" "$e: target redacted"

	# Review 3 finding 5: an '@' in options or in a URL's query never
	# moves the host (the password would go there).
	if [ "$e" = postgres ]; then
		at_opts="sslmode=disable&connect_timeout=5&application_name=a@b"
	else
		at_opts="ssl-mode=disable&connect_timeout=5&x=a@b"
	fi
	grep -v '^options = ' conf/strata.ini >conf/at.ini
	printf 'options = %s\n' "$at_opts" >>conf/at.ini
	chmod 600 conf/at.ini
	strata -c conf/at.ini -e ci status
	if [ "$e" = postgres ]; then
		expect_rc 0 "$e: options with an '@': same host"
	else
		expect_rc 2 "$e: options with an '@': x is a parameter"
		has "unknown URL parameter 'x'" "$ERR" \
			"$e: the '@' stayed in the parameter"
	fi
	lacks "$U_PASS" "$OUT$ERR" "$e: options with '@': password not printed"
	strata --dir "$M" --url "$DBURL?connect_timeout=5&x=a@b" status
	expect_rc 2 "$e: --url with an '@' in the query is refused"
	has "ambiguous database URL" "$ERR" "$e: says it is ambiguous"
	lacks "$U_PASS" "$OUT$ERR" "$e: ambiguous URL: password not printed"
	if [ "$e" = postgres ]; then
		strata --dir "$M" --url "$DBURL?application_name=a%40b" status
		expect_rc 0 "$e: --url with %40 in the query works"
	fi

	chmod 644 conf/db.pass
	strata -c conf/strata.ini -e ci status
	expect_rc 0 "$e: a readable password_file still works"
	has "strata: warning: password_file conf/db.pass is readable by group or others; run 'chmod 600 conf/db.pass'" \
		"$ERR" "$e: warns about the password file"
	rm conf/db.pass
	strata -c conf/strata.ini -e ci status
	expect_rc 2 "$e: missing password_file"
	has "conf/strata.ini:6: error: password_file conf/db.pass: cannot read" \
		"$ERR" "$e: names the config line and the file"
	cd "$T_TMP" || exit 1
done

# A literal password in a file others can read: warned about, naming the
# file; not for ${VAR} references, not once the file is private.
printf '[default]\nurl = postgres://u:Zq7@127.0.0.1:1/db\n' >lit.ini
chmod 644 lit.ini
strata -c lit.ini status
has "strata: warning: lit.ini holds a password and is readable by group or others; run 'chmod 600 lit.ini'" \
	"$ERR" "warns about a readable config file with a password in url"
chmod 600 lit.ini
strata -c lit.ini status
lacks "warning" "$ERR" "no warning once it is private"
printf '[default]\nurl = postgres://127.0.0.1:1/db\nuser = u\npassword = Zq7\n' >key.ini
chmod 640 key.ini
strata -c key.ini status
has "key.ini holds a password" "$ERR" "password key: warned"
none_of "$OUT$ERR" "password key: not printed"
# shellcheck disable=SC2016 # literal ${...} references
printf '[default]\nurl = postgres://u:${PW:-x}@127.0.0.1:1/db?sslpassword=${SP}\n' >ref.ini
chmod 644 ref.ini
SP=Qs8Secret strata -c ref.ini status
lacks "warning" "$ERR" "\${VAR} references are not literal passwords"
none_of "$OUT$ERR" "sslpassword from the environment not printed"
printf '[default]\nurl = sqlite:x.db\noptions = x=1&client_secret=Qs8Secret\n' >opt.ini
chmod 604 opt.ini
strata -c opt.ini status
has "opt.ini holds a password" "$ERR" "a secret in options: warned"
none_of "$OUT$ERR" "a secret in options: not printed"

# SQLite: database as a key, environments inherit and override it.
mkdir -p lite && cd lite || exit 1
printf '[default]\nurl = sqlite:\ndatabase = main.db\nmigrations = %s\n[ci]\ndatabase = ci.db\n' "$M" >strata.ini
strata up
expect_rc 0 "sqlite: database key"
[ -f main.db ]
ok $? "sqlite: database = main.db used"
strata -e ci up
expect_rc 0 "sqlite: [ci] database"
is "$(sqlite3 ci.db "SELECT version FROM strata_migrations")" 1 "sqlite: ci.db migrated"
printf '[default]\nurl = sqlite:\nhost = h\ndatabase = x.db\n' >host.ini
strata -c host.ini status
expect_rc 2 "sqlite: host is refused"
has "host.ini:3: error: sqlite takes only database and options" "$ERR" "sqlite: says why"
printf '[default]\nhost = h\n' >noscheme.ini
strata -c noscheme.ini status
expect_rc 2 "keys without a url scheme"
has "noscheme.ini:2: error: 'host' needs url to name the database type" "$ERR" "says to set url"

# A line over inih's limit is "line too long", never "duplicate key".
long=$(printf 'postgres://u@h/db?sslmode=verify-full&sslrootcert=/etc/ssl/%0200d.pem' 0)
printf '[default]\nurl = %s\nurl = sqlite:x.db\n' "$long" >long.ini
strata -c long.ini status
expect_rc 2 "a long line"
has "long.ini:2: error: line too long" "$ERR" "line too long, with file:line"
lacks "duplicate" "$ERR" "not reported as a duplicate key"

done_testing
