/*
 * The SQLite driver's split operation (plugins/sqlite/split.c), linked in
 * directly: on every script here it must give what the core's splitter
 * gives with the SQLite dialect's flags (text and line of each statement),
 * and fail where the core's splitter fails, at the same line.
 */
#include <string.h>

#include "internal.h"
#include "sqlite_int.h"
#include "tap.h"

/* The SQLite dialect's split flags (plugins/sqlite/sqlite.c). */
#define SQLITE_FLAGS                                                           \
	(STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |                 \
	 STRATA_SPLIT_BACKTICK_IDENT)

typedef struct got {
	char text[4096];
	int n, stop_at;
} got;

static void add(char *buf, size_t size, const char *s, size_t len, int line)
{
	size_t n = strlen(buf);

	snprintf(buf + n, size - n, "%d:%.*s|", line, (int)len, s);
}

static int on_stmt(void *ctx, const char *s, size_t len, int line)
{
	got *g = ctx;

	/* The core trims trailing blanks of what a driver gives. */
	while (len > 0 && strchr(" \t\r\n\f\v", s[len - 1]))
		len--;
	add(g->text, sizeof(g->text), s, len, line);
	return ++g->n == g->stop_at;
}

/* "line:text|" per statement, or "error at LINE: message". */
static void by_driver(const char *sql, char *out, size_t size)
{
	got g;
	strata_dberr e;
	int line = -1, rc;

	memset(&g, 0, sizeof(g));
	memset(&e, 0, sizeof(e));
	rc = sqlite__split(sql, strlen(sql), on_stmt, &g, &line, &e);
	if (rc != STRATA_DRV_OK)
		snprintf(out, size, "error at %d: %s", line, e.message);
	else
		snprintf(out, size, "%s", g.text);
}

static void by_core(const char *sql, char *out, size_t size)
{
	strata__stmts st;
	strata_error err;
	size_t i;

	memset(&err, 0, sizeof(err));
	out[0] = '\0';
	if (strata__split(&st, sql, strlen(sql), SQLITE_FLAGS, "f.sql", &err)) {
		snprintf(out, size, "error at %d: %s", err.line,
		         err.message ? err.message : "");
		strata_error_clear(&err);
		return;
	}
	for (i = 0; i < st.count; i++)
		add(out, size, st.items[i].sql, strlen(st.items[i].sql),
		    st.items[i].line);
	strata__stmts_free(&st);
}

/* want: the driver's result; the core's must be the same, unless the
 * case is one where SQLite knows better (core_differs). */
static void splits(const char *sql, const char *want, int core_differs)
{
	char d[4096], c[4096], name[64], *p;

	/* A test's name is one line. */
	snprintf(name, sizeof(name), "%s", sql);
	for (p = name; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '#')
			*p = ' ';
	by_driver(sql, d, sizeof(d));
	is_str(d, want, "split: %s", name);
	if (core_differs)
		return;
	by_core(sql, c, sizeof(c));
	is_str(d, c, "  the same as the core's splitter");
}

int main(void)
{
	got g;
	strata_dberr e;
	int line, rc;

	splits("", "", 0);
	splits("  \n-- only a comment\n/* and another */\n", "", 0);
	splits(";;\n;", "", 0);
	splits("SELECT 1", "1:SELECT 1|", 0);
	splits("SELECT 1;SELECT 2;", "1:SELECT 1|1:SELECT 2|", 0);
	splits("-- head; with ';'\n/* c; */ CREATE TABLE t (a INT);\n\n"
	       "INSERT INTO t VALUES ('a;b'), (\"x;\"), ([c;]), (`d;`);\n"
	       "SELECT 1 -- trailing; comment\n  FROM t\n;\nSELECT 'end'",
	       "2:CREATE TABLE t (a INT)|4:INSERT INTO t VALUES ('a;b'), "
	       "(\"x;\"), ([c;]), (`d;`)|5:SELECT 1 -- trailing; comment\n"
	       "  FROM t|8:SELECT 'end'|",
	       0);
	splits("SELECT 'it''s; fine';\nSELECT \"a\"\"b;\" FROM t;",
	       "1:SELECT 'it''s; fine'|2:SELECT \"a\"\"b;\" FROM t|", 0);
	/* Triggers: BEGIN ... END stays whole, CASE ... END inside too. */
	splits("CREATE TABLE t (a INT);\n"
	       "CREATE TRIGGER tr AFTER INSERT ON t\nBEGIN\n"
	       "  UPDATE t SET a = CASE WHEN a > 0 THEN 1 ELSE 2 END;\n"
	       "  INSERT INTO t VALUES (1);\nEND;\nSELECT 1;",
	       "1:CREATE TABLE t (a INT)|2:CREATE TRIGGER tr AFTER INSERT ON "
	       "t\nBEGIN\n  UPDATE t SET a = CASE WHEN a > 0 THEN 1 ELSE 2 "
	       "END;\n  INSERT INTO t VALUES (1);\nEND|7:SELECT 1|",
	       0);
	splits("CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE DELETE ON t "
	       "BEGIN SELECT RAISE(ABORT, 'no; way'); END; DROP TABLE x",
	       "1:CREATE TEMP TRIGGER IF NOT EXISTS tr BEFORE DELETE ON t "
	       "BEGIN SELECT RAISE(ABORT, 'no; way'); END|1:DROP TABLE x|",
	       0);
	splits("BEGIN;\nCREATE TABLE \"end\" (a);\nCOMMIT;\n",
	       "1:BEGIN|2:CREATE TABLE \"end\" (a)|3:COMMIT|", 0);
	/* CRLF line ends. */
	splits("SELECT 1;\r\n\r\n-- x\r\nSELECT 2\r\n;\r\nSELECT 3\r\n",
	       "1:SELECT 1|4:SELECT 2|6:SELECT 3|", 0);
	/* Errors: where the quote or comment opens. */
	splits("SELECT 1;\nSELECT 'open;\n\n",
	       "error at 2: unterminated string "
	       "literal",
	       0);
	splits("SELECT 1;\n\nSELECT \"x;",
	       "error at 3: unterminated quoted "
	       "identifier",
	       0);
	splits("SELECT 1;\n/* open; \nSELECT 2;",
	       "error at 2: unterminated /* comment", 0);
	/* [a]] is the name "a" then "]" in SQLite; the core reads "a]". */
	splits("SELECT [a]];\nSELECT 2", "1:SELECT [a]]|2:SELECT 2|", 1);

	memset(&g, 0, sizeof(g));
	memset(&e, 0, sizeof(e));
	g.stop_at = 1;
	rc = sqlite__split("SELECT 1; SELECT 2", 18, on_stmt, &g, &line, &e);
	ok(rc == STRATA_DRV_ERROR && g.n == 1 && e.message[0],
	   "a callback's non-zero stops it with STRATA_DRV_ERROR (%d after %d)",
	   rc, g.n);
	/* Only len bytes are read. */
	memset(&g, 0, sizeof(g));
	rc = sqlite__split("SELECT 1; SELECT 2", 9, on_stmt, &g, &line, &e);
	is_str(g.text, "1:SELECT 1|", "only len bytes are read (rc %d)", rc);
	return tap_done();
}
