#!/bin/sh
# --format json: one document from status, check, history, plan, drivers
# (and init, new), JSON Lines from up, down, baseline, resolve and repair,
# each validated against the documented shape (docs/json.md) on every
# engine; errors still print one human line on stderr.
. "$STRATA_SRCDIR/tests/lib.sh"
cd "$T_TMP" || exit 1
unset DATABASE_URL STRATA_URL STRATA_CONFIG STRATA_ENV

M=$T_TMP/migrations
mig "$M" 1_users up.sql "CREATE TABLE users (id INT);
INSERT INTO users (id) VALUES (1);"
mig "$M" 1_users down.sql "DROP TABLE users;"
mig "$M" 2_pg_only up.postgres.sql "CREATE TABLE pg_only (id INT);"
mig "$M" 2_pg_only down.postgres.sql "DROP TABLE pg_only;"
mig "$M" 3_tags up.sql "CREATE TABLE tags (name VARCHAR(20));"
mig "$M" 3_tags down.sql "DROP TABLE tags;"
B=$T_TMP/bad
mig "$B" 1_ok up.sql "CREATE TABLE ok (id INT);"
mig "$B" 1_ok down.sql "DROP TABLE ok;"
mig "$B" 2_bad up.sql "CREATE TABLE fine (id INT);
SELECT * FROM no_such_table;"

strata --format json drivers
expect_rc 0 "drivers"
valid document drivers "drivers: one document"
is "$(get 'any(x["name"] == "sqlite" and x["usable"] for x in d[0]["drivers"])')" true "lists sqlite"

mkdir scratch && cd scratch || exit 1
strata --format json init
expect_rc 0 "init"
valid document init "init: one document"
mkdir sub
strata init -c sub/app.ini --format json
expect_rc 0 "init -c sub/app.ini"
is "$(get 'd[0]["config"], d[0]["migrations"]')" '["sub/app.ini", "sub/migrations"]' \
	"init -c sub/app.ini: the folder made next to it"
[ -d sub/migrations ]
ok $? "which is where it was made"
mkdir sub2
strata init -c sub2/app.ini
is "$OUT" "created sub2/app.ini and sub2/migrations/" "init -c: text names the folder's path"
strata --format json new "add things"
expect_rc 0 "new"
valid document new "new: one document"
cd "$T_TMP" || exit 1

for e in $(engines); do
	case $e in missing-*)
		ok 1 "$e: server not running"
		continue
		;;
	esac
	db_new "$e" || {
		ok 1 "$e: database created"
		continue
	}
	U=$DBURL
	[ "$e" = sqlite ] && : >"${U#sqlite:}"
	pend=3
	[ "$e" = postgres ] || pend=2
	skip=$((3 - pend))

	strata --url "$U" --dir "$M" --format json plan
	expect_rc 0 "$e: plan"
	valid document plan "$e: plan: one document"
	is "$(get 'd[0]["migrations"][0]["statements"][1]')" \
		'{"line": 2, "sql": "INSERT INTO users (id) VALUES (1)"}' "$e: statements with their lines"
	is "$(get 'd[0]["migrations"][1]["skipped"]')" "$([ "$e" = postgres ] && echo false || echo true)" \
		"$e: skipped on other drivers"

	strata --url "$U" --dir "$M" --format json status --exit-code
	expect_rc 3 "$e: status --exit-code with pending"
	valid document status "$e: status: one document"
	is "$(get 'd[0]["counts"]["pending"]')" 3 "$e: three pending"
	is "$(get '[d[0]["exit_code"], d[0]["problems"], d[0]["driver"]]')" "[3, true, \"$e\"]" \
		"$e: exit code, problems, driver"

	strata --url "$U" --dir "$M" --format json check
	expect_rc 3 "$e: check with pending"
	valid document check "$e: check: one document"

	strata --url "$U" --dir "$M" --format json up
	expect_rc 0 "$e: up"
	valid events up "$e: up: JSON Lines"
	is "$(get '[x["event"] for x in d]')" \
		"$(if [ "$e" = postgres ]; then
			echo '["start", "applied", "start", "applied", "start", "applied", "summary"]'
		else
			echo '["start", "applied", "skipped", "start", "applied", "summary"]'
		fi)" "$e: start, applied, skipped, summary"
	is "$(get '[d[-1][k] for k in ("applied", "skipped", "exit_code", "ok")]')" \
		"[$pend, $skip, 0, true]" "$e: the summary counts"
	is "$(get 'd[1]["id"], d[1]["source"], d[1]["steps"]')" '["1_users", "up.sql", 2]' "$e: applied names the migration"
	is "$ERR" "" "$e: nothing on stderr"

	strata --url "$U" --dir "$M" --format json up
	expect_rc 0 "$e: up with nothing to do"
	valid events up "$e: nothing to do: JSON Lines"
	is "$(get '[x["event"] for x in d]')" '["nothing", "summary"]' "$e: nothing, summary"

	strata --url "$U" --dir "$M" --format json status
	valid document status "$e: status after up"
	is "$(get 'd[0]["migrations"][0]["state"], d[0]["migrations"][0]["steps"]')" '["applied", 2]' "$e: applied, 2 steps"
	strata --url "$U" --dir "$M" --format json check
	expect_rc 0 "$e: check when up to date"
	valid document check "$e: check: one document"

	strata --url "$U" --dir "$M" --format json history
	expect_rc 0 "$e: history"
	valid document history "$e: history: one document"
	is "$(get 'len(d[0]["rows"]), d[0]["rows"][0]["state"]')" '[3, "applied"]' "$e: three rows"

	strata --url "$U" --dir "$M" --format json -v down
	expect_rc 0 "$e: down -v"
	valid events down "$e: down: JSON Lines"
	is "$(get '[x["event"] for x in d]')" '["start", "statement", "statement_done", "reverted", "summary"]' \
		"$e: -v adds statement events"
	is "$(get 'd[1]["sql"], d[1]["index"], d[1]["count"]')" '["DROP TABLE tags", 1, 1]' "$e: the statement"

	strata --url "$U" --dir "$M" --format json down --to 0 --yes
	valid events down "$e: down --to 0: JSON Lines"
	is "$(get 'd[-1]["reverted"]')" 2 "$e: summary counts the reverted (skipped ones too)"
	lacks '"statement"' "$OUT" "$e: no statement events without -v"

	strata --url "$U" --dir "$M" --format json baseline 1
	expect_rc 0 "$e: baseline"
	valid events baseline "$e: baseline: JSON Lines"
	is "$(get 'd[0]["event"], d[-1]["baselined"]')" '["baselined", 1]' "$e: baselined"

	strata --url "$U" --dir "$M" --format json repair
	expect_rc 0 "$e: repair with nothing to repair"
	valid events repair "$e: repair: JSON Lines"

	# A usage error and a failure: an error event, a summary, one line on
	# stderr.
	strata --url "$U" --dir "$M" --format json up --to 7
	expect_rc 2 "$e: up --to an unknown version"
	valid events up "$e: usage error: JSON Lines"
	is "$(get 'd[0]["event"], d[0]["error"]["kind"], d[-1]["exit_code"]')" '["error", "usage", 2]' \
		"$e: error event, then the summary"
	is "$(printf '%s\n' "$ERR" | wc -l | tr -d ' ')" 1 "$e: one human line on stderr"
	has "no migration with version 7" "$ERR" "$e: the message"

	db_new "$e"
	V=$DBURL
	[ "$e" = sqlite ] && : >"${V#sqlite:}"
	strata --url "$V" --dir "$B" --format json up
	expect_rc 1 "$e: a failing migration"
	valid events up "$e: failure: JSON Lines"
	is "$(get '[x["event"] for x in d]')" \
		'["start", "applied", "start", "failed", "error", "summary"]' "$e: failed, error, summary"
	is "$(get 'd[3]["steps"], d[-1]["failed"], d[-1]["ok"]')" '[1, 1, false]' "$e: the failed event and summary"
	has "no_such_table" "$(get 'd[4]["error"]["message"]')" "$e: the error event carries the message"
	has "no_such_table" "$ERR" "$e: and stderr"
	if [ "$e" = mysql ]; then
		strata --url "$V" --dir "$B" --format json resolve 2 --rolled-back
		expect_rc 0 "$e: resolve"
		valid events resolve "$e: resolve: JSON Lines"
		is "$(get 'd[0]["event"], d[-1]["resolved"]')" '["resolved", 1]' "$e: resolved"
	fi

	strata --url "$U" --dir "$M" --format json status --table 'bad name'
	expect_rc 2 "$e: status with a bad table name"
	valid document status "$e: error document"
	is "$(get 'd[0]["error"]["exit_code"], d[0]["exit_code"]')" '[2, 2]' "$e: with the exit code"
	[ -n "$ERR" ]
	ok $? "$e: and a line on stderr"
done

strata --format json status --url sqlite:"$T_TMP"/none.db
expect_rc 2 "status of a missing database"
valid document status "error document"
strata status --format json --bogus
expect_rc 2 "unknown option in JSON mode"
valid document status "an error document"

# --format json applies to errors found before it on the line.
strata status --frmat x --format json
expect_rc 2 "an unknown option before --format json"
valid document status "still an error document"
is "$(get 'd[0]["error"]["kind"]')" '"usage"' "a usage error"
strata --frmat x up --format=json
expect_rc 2 "an unknown global option before --format=json"
valid document up "an error document (no command read yet)"

# The JSON message is the line on stderr, usage errors included.
export ERRLINE
for args in "status --bogus" "up --to x" "down 0" "status --url" "frobnicate"; do
	# shellcheck disable=SC2086
	strata --format json $args
	ERRLINE=$(printf '%s\n' "$ERR" | head -n 1)
	is "$(get 'd[0]["error"]["message"] == __import__("os").environ["ERRLINE"]')" true \
		"$args: the JSON message is the stderr line"
done

# Interrupted: the last line is still a summary, written by the signal
# handler, with the exit status (130 SIGINT, 143 SIGTERM).
S=$T_TMP/slow_sqlite
mig "$S" 1_a up.sql "CREATE TABLE a (x INT);"
mig "$S" 2_slow up.sql "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 2000000000) SELECT count(*) FROM c;"
P=$T_TMP/slow_postgres
mig "$P" 1_a up.sql "CREATE TABLE a (x INT);"
mig "$P" 2_slow up.sql "SELECT pg_sleep(60);"
pg_sleeping() {
	[ "$(db_query postgres "$1" "SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND wait_event = 'PgSleep'")" = 1 ]
}
for e in $(engines); do
	case $e in sqlite | postgres) ;; *) continue ;; esac
	for sig in INT TERM; do
		db_new "$e" || {
			ok 1 "$e: database created"
			continue
		}
		[ "$e" = sqlite ] && : >"${DBURL#sqlite:}"
		: >"$T_TMP/int.out"
		"$STRATA_BIN" --format json --url "$DBURL" --dir "$T_TMP/slow_$e" up \
			>"$T_TMP/int.out" 2>"$T_TMP/int.err" &
		pid=$!
		wait_for "2_slow to start" grep -q '"event":"start".*"id":"2_slow"' "$T_TMP/int.out"
		[ "$e" = postgres ] && wait_for "pg_sleep" pg_sleeping "$DBURL"
		kill -s $sig $pid
		wait $pid
		RC=$?
		OUT=$(cat "$T_TMP/int.out")
		ERR=$(cat "$T_TMP/int.err")
		want=130
		[ $sig = TERM ] && want=143
		expect_rc $want "$e: SIG$sig during a statement"
		valid events up "$e: SIG$sig: JSON Lines ending in a summary"
		is "$(get 'd[-1]["event"], d[-1]["exit_code"], d[-1]["ok"], d[-1]["interrupted"], d[-1]["applied"]')" \
			"[\"summary\", $want, false, true, 1]" "$e: SIG$sig: the summary says so"
		has "strata: interrupted while applying 2_slow" "$ERR" "$e: SIG$sig: and the line on stderr"
	done
done

done_testing
