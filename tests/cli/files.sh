#!/bin/sh
# What a migration file is: empty files and -- strata:empty, transaction
# control statements, a UTF-8 BOM, CRLF line endings, files strata cannot
# read, stray folders and names with escape sequences; on every engine.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV
ESC=$(printf '\033')
BOM=$(printf '\357\273\277')

# Applied versions, sorted, space-separated ("" without a history table).
versions() { # ENGINE URL
	db_query "$1" "$2" "SELECT version FROM strata_migrations" 2>/dev/null |
		sort -n | tr '\n' ' ' | sed 's/ $//'
}

has_table() { # ENGINE URL TABLE: prints 1 or 0
	case "$1" in
	sqlite) db_query "$1" "$2" "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$3'" ;;
	postgres) db_query "$1" "$2" "SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename = '$3'" ;;
	mysql) db_query "$1" "$2" "SELECT count(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = '$3'" ;;
	esac
}

# Item 8: a file without statements is an error unless -- strata:empty.
empty_files() {
	e=$1 M=$T_TMP/$1-empty
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	printf '[default]\nurl = %s\nmigrations = %s\n' "$url" "$M" >"$e-empty.ini"
	strata -c "$e-empty.ini" new first
	expect_rc 0 "$e: new"
	d=$(ls -d "$M"/*_first)
	strata -c "$e-empty.ini" up
	expect_rc 2 "$e: up refuses the template strata new wrote"
	has "$d/up.sql:1: error: no SQL statement" "$ERR" "$e: names the file and line 1"
	has "strata:empty" "$ERR" "$e: and says how to mark an intentional no-op"
	is "$(versions "$e" "$url")" "" "$e: nothing recorded"
	strata -c "$e-empty.ini" plan
	expect_rc 2 "$e: plan refuses it too"
	has "$d/up.sql:1: error: no SQL statement" "$ERR" "$e: plan names it"
	v=$(basename "$d" | sed 's/_.*//')
	strata -c "$e-empty.ini" baseline "$v"
	expect_rc 2 "$e: baseline refuses it too"
	is "$(versions "$e" "$url")" "" "$e: nothing recorded by baseline"

	printf -- '-- nothing to do on purpose\n-- strata:empty\n' >"$d/up.sql"
	strata -c "$e-empty.ini" up
	expect_rc 0 "$e: -- strata:empty is recorded as applied"
	is "$(versions "$e" "$url")" "$v" "$e: with a history row"

	strata -c "$e-empty.ini" down
	expect_rc 2 "$e: down refuses the comment-only down.sql"
	has "$d/down.sql:1: error: no SQL statement" "$ERR" "$e: naming it"
	is "$(versions "$e" "$url")" "$v" "$e: the row stays"
	printf -- '-- strata:empty\n' >"$d/down.sql"
	strata -c "$e-empty.ini" down
	expect_rc 0 "$e: down with -- strata:empty"
	is "$(versions "$e" "$url")" "" "$e: removes the row"

	printf -- '-- strata:empty\nCREATE TABLE contradiction (x INT);\n' >"$d/up.sql"
	strata -c "$e-empty.ini" up
	expect_rc 2 "$e: -- strata:empty in a file with statements"
	has "$d/up.sql:1: error:" "$ERR" "$e: located at the directive"
	is "$(has_table "$e" "$url" contradiction)" 0 "$e: nothing ran"
}

# Item 11: transaction control inside a transactional file.
tx_control() {
	e=$1 M=$T_TMP/$1-tx
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	if [ "$e" = mysql ]; then # autocommit: savepoints do not last
		mig "$M" 1_ok up.sql "CREATE TABLE tx_a (x INT);"
	else
		mig "$M" 1_ok up.sql "CREATE TABLE tx_a (x INT);
SAVEPOINT s1;
INSERT INTO tx_a VALUES (1);
ROLLBACK TO SAVEPOINT s1;
RELEASE SAVEPOINT s1;"
	fi
	mig "$M" 2_commit up.sql "CREATE TABLE tx_b (x INT);
COMMIT;
CREATE TABLE tx_c (x INT);"
	strata --dir "$M" --url "$url" up
	if [ "$e" = mysql ]; then
		# No transactional DDL: files never run in a transaction.
		expect_rc 0 "$e: COMMIT is not refused where nothing runs in a transaction"
		is "$(versions "$e" "$url")" "1 2" "$e: both applied"
		return
	fi
	expect_rc 2 "$e: COMMIT in a transactional file is refused"
	has "$M/2_commit/up.sql:2: error: COMMIT" "$ERR" "$e: file:line"
	has "strata:no-transaction" "$ERR" "$e: pointing to -- strata:no-transaction"
	is "$(has_table "$e" "$url" tx_b)" 0 "$e: nothing of it ran"
	for stmt in "ROLLBACK;" "BEGIN;" "END;" "COMMIT AND CHAIN;"; do
		mig "$M" 2_commit up.sql "CREATE TABLE tx_b (x INT);
$stmt"
		strata --dir "$M" --url "$url" up --allow-destructive
		expect_rc 2 "$e: $stmt refused"
		has "2_commit/up.sql:2: error:" "$ERR" "$e: $stmt located"
	done
	if [ "$e" = postgres ]; then
		mig "$M" 2_commit up.sql "START TRANSACTION;"
		strata --dir "$M" --url "$url" up
		expect_rc 2 "$e: START TRANSACTION refused"
	fi
	mig "$M" 2_commit up.sql "-- strata:no-transaction
BEGIN;
CREATE TABLE tx_b (x INT);
COMMIT;"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: allowed with -- strata:no-transaction"
	is "$(versions "$e" "$url")" "1 2" "$e: applied, savepoints were fine"
	is "$(has_table "$e" "$url" tx_b)" 1 "$e: its table exists"
}

# Items 13 and 14: a BOM is stripped; checksums ignore CRLF and the BOM.
bom_crlf() {
	e=$1 M=$T_TMP/$1-bom
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mkdir -p "$M/1_bom" "$M/2_bomdir" "$M/3_lf"
	printf '%sCREATE TABLE bom_a (x INT);\n' "$BOM" >"$M/1_bom/up.sql"
	# The directive after a BOM counts: otherwise COMMIT would be refused.
	printf '%s-- strata:no-transaction\nBEGIN;\nCREATE TABLE bom_b (x INT);\nCOMMIT;\n' \
		"$BOM" >"$M/2_bomdir/up.sql"
	printf -- '-- lf\nCREATE TABLE lf_c (x INT);\n' >"$M/3_lf/up.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: files with a BOM run"
	has "no transaction" "$OUT" "$e: the directive after the BOM is honoured"
	is "$(has_table "$e" "$url" bom_a)$(has_table "$e" "$url" bom_b)" 11 \
		"$e: their tables exist"
	is "$(versions "$e" "$url")" "1 2 3" "$e: all recorded"

	sed -i 's/$/\r/' "$M/1_bom/up.sql" "$M/3_lf/up.sql"
	printf '%s' "$BOM" | cat - "$M/3_lf/up.sql" >"$T_TMP/x" && mv "$T_TMP/x" "$M/3_lf/up.sql"
	strata --dir "$M" --url "$url" status
	expect_rc 0 "$e: status after converting to CRLF (and adding a BOM)"
	is "$(printf '%s\n' "$OUT" | grep -c ' applied  ')" 3 "$e: all three still applied"
	has "0 modified" "$OUT" "$e: none modified"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 0 "$e: status --exit-code is clean"
	mig "$M" 4_more up.sql "CREATE TABLE crlf_d (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up still works"
	printf -- '-- an edit\n' >>"$M/3_lf/up.sql"
	strata --dir "$M" --url "$url" status
	has "1 modified" "$OUT" "$e: a real edit is still seen"
}

# Item 17: what strata cannot read is exit 2 naming it, never skipped.
unreadable() {
	e=$1 M=$T_TMP/$1-unread
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mig "$M" 1_a up.sql "CREATE TABLE generic_ran (x INT);"
	ln -s /nonexistent/strata-test.sql "$M/1_a/up.$e.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a dangling up.$e.sql symlink"
	has "$M/1_a/up.$e.sql: error: cannot read" "$ERR" "$e: is named"
	is "$(has_table "$e" "$url" generic_ran)" 0 "$e: up.sql did not run in its place"
	rm "$M/1_a/up.$e.sql"
	mkdir "$M/1_a/down.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a folder named down.sql"
	has "$M/1_a/down.sql: error: cannot read: not a regular file" "$ERR" "$e: is named"
	rmdir "$M/1_a/down.sql"

	mig "$M" abc_x up.sql "CREATE TABLE never (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a folder of .sql files without a version"
	has "$M/abc_x: error:" "$ERR" "$e: is named"
	rm -rf "$M/abc_x"
	mig "$M" seeds-docs README "not SQL"
	mig "$M" .drafts up.sql "CREATE TABLE draft (x INT);"
	mig "$M" 1_a .#up.sql "editor lock file"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: folders without .sql files, dot-folders and dot-files are ignored"
	is "$(versions "$e" "$url")" "1" "$e: applied"

	# Symbolic links are followed: to a migration folder, to its files.
	mig "$T_TMP/$e-shared" 2_linked up.sql "CREATE TABLE linked (x INT);"
	printf 'CREATE TABLE linked_file (x INT);\n' >"$T_TMP/$e-shared/3.sql"
	ln -s "$T_TMP/$e-shared/2_linked" "$M/2_linked"
	mkdir "$M/3_file"
	ln -s "$T_TMP/$e-shared/3.sql" "$M/3_file/up.sql"
	ln -s "$T_TMP/$e-shared/3.sql" "$M/4_not_a_folder.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a link named like a loose SQL file"
	has "$M/4_not_a_folder.sql: error: not a folder" "$ERR" "$e: is named"
	rm "$M/4_not_a_folder.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: a linked migration folder and a linked up.sql"
	is "$(versions "$e" "$url")" "1 2 3" "$e: both applied"
}

# A file that cannot be opened: as root, run strata as nobody.
permission_denied() {
	M=$T_TMP/perm/m
	mkdir -p "$T_TMP/perm"
	mig "$M" 1_a up.sql "CREATE TABLE a (x INT);"
	chmod 000 "$M/1_a/up.sql"
	if [ "$(id -u)" = 0 ]; then
		chmod 755 "$T_TMP" "$T_TMP/perm" "$M" "$M/1_a"
		chmod 777 "$T_TMP/perm"
		"$STRATA_LIBTOOL" --mode=execute setpriv --reuid=65534 \
			--regid=65534 --clear-groups "$STRATA_BIN" --dir "$M" \
			--url "sqlite:$T_TMP/perm/p.db" up >"$T_TMP/out" 2>"$T_TMP/err"
		RC=$? OUT=$(cat "$T_TMP/out") ERR=$(cat "$T_TMP/err")
		chmod 700 "$T_TMP"
	else
		strata --dir "$M" --url "sqlite:$T_TMP/perm/p.db" up
	fi
	expect_rc 2 "an unreadable up.sql"
	has "$M/1_a/up.sql: error: cannot read: Permission denied" "$ERR" "is named"
}

# Control characters in names are printed escaped.
escapes() {
	e=$1 M=$T_TMP/$1-esc
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	red=$(printf '0001_a\033[31mred')
	mig "$M" "$red" up.sql "CREATE TABLE esc_a (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up with an escape sequence in a folder name"
	has '\x1b[31mred' "$OUT" "$e: up prints it escaped"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in up's output"
	strata --dir "$M" --url "$url" status
	has '\x1b[31mred' "$OUT" "$e: status prints it escaped"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in status"
	mig "$M" "$(printf '0002_b\033]0;title\007')" up.sql "SELECT * FROM no_such_table;"
	strata --dir "$M" --url "$url" plan
	expect_rc 0 "$e: plan"
	has '0002_b\x1b]0;title\x07' "$OUT" "$e: plan prints it escaped"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in plan"
	strata --dir "$M" --url "$url" up --allow-destructive
	expect_rc 1 "$e: a failing migration"
	has '0002_b\x1b]0;title\x07/up.sql' "$ERR" "$e: its path is printed escaped"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in the error"
	# History rows hold what anyone with write access put there.
	db_query "$e" "$url" "UPDATE strata_migrations SET applied_by = 'x${ESC}[2Jy', error = 'a${ESC}]0;t$(printf '\007')b' WHERE version = '0001'" >/dev/null
	strata --dir "$M" --url "$url" history
	expect_rc 0 "$e: history"
	has 'x\x1b[2Jy' "$OUT" "$e: history prints a row's text escaped"
	has 'error: a\x1b]0;t\x07b' "$OUT" "$e: and its error"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in history"
	# So do the database's own names, shown when the schema drifted.
	[ "$e" = sqlite ] || return 0
	sqlite3 "${url#sqlite:}" "CREATE TABLE \"t${ESC}[2Jz\" (x INT)"
	strata --dir "$M" --url "$url" status
	has 't\x1b[2Jz: table added outside migrations' "$OUT" "$e: a drifted table's name printed escaped"
	lacks "$ESC" "$OUT$ERR" "$e: no raw escape character in the drift report"
}

# .sql in any case is SQL: an upper-case name is refused, never skipped,
# and a loose .sql file beside the migration folders is an error.
sql_case() {
	e=$1 M=$T_TMP/$1-case
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mig "$M" 1_a up.sql "CREATE TABLE ca (x INT);"
	mig "$M" 1_a "up.$e.SQL" "CREATE TABLE cb (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: up.$e.SQL is refused"
	has "$M/1_a/up.$e.SQL" "$ERR" "$e: naming the file"
	has "expected lower-case up.sql" "$ERR" "$e: and the rule"
	rm "$M/1_a/up.$e.SQL"
	mig "$M" 1_a UP.sql "CREATE TABLE cb (x INT);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: UP.sql is refused"
	rm "$M/1_a/UP.sql"
	printf 'CREATE INDEX i ON ca (x);\n' >"$M/add_index.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: a loose add_index.sql is refused"
	has "$M/add_index.sql" "$ERR" "$e: naming it"
	rm "$M/add_index.sql"
	mig "$M" Seeds 001.SQL "INSERT INTO ca VALUES (1);"
	strata --dir "$M" --url "$url" up
	expect_rc 2 "$e: Seeds/001.SQL is refused"
	has "$M/Seeds" "$ERR" "$e: naming the folder"
	is "$(versions "$e" "$url")" "" "$e: nothing ran"
	rm -r "$M/Seeds"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up once the files are fixed"
}

# Releases before 0.2 recorded the SHA-256 of a CRLF/BOM file's raw bytes:
# that row is applied, not modified.
raw_checksum() {
	e=$1 M=$T_TMP/$1-raw
	db_new "$e" || { ok 1 "$e: create a database"; return; }
	url=$DBURL
	mkdir -p "$M/1_crlf"
	printf '%sCREATE TABLE rc (x INT);\r\n' "$BOM" >"$M/1_crlf/up.sql"
	strata --dir "$M" --url "$url" up
	expect_rc 0 "$e: up a BOM/CRLF file"
	raw=$(sha256sum "$M/1_crlf/up.sql" | cut -d' ' -f1)
	db_query "$e" "$url" "UPDATE strata_migrations SET checksum = '$raw'"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 0 "$e: a raw-bytes checksum is a match"
	has "1                crlf                         applied" "$OUT" "$e: applied, not modified"
	db_query "$e" "$url" "UPDATE strata_migrations SET checksum = '$(printf '%064d' 0)'"
	strata --dir "$M" --url "$url" status --exit-code
	expect_rc 3 "$e: any other checksum is still modified"
}

for e in $(engines); do
	case "$e" in missing-*)
		ok 1 "$e: server required but not running"
		continue
		;;
	esac
	empty_files "$e"
	tx_control "$e"
	bom_crlf "$e"
	unreadable "$e"
	escapes "$e"
	sql_case "$e"
	raw_checksum "$e"
done
permission_denied
done_testing
