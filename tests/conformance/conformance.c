/*
 * strata_conformance [--slack-ms N] MODULE URL: the driver conformance test.
 *
 * Loads the driver module MODULE (a path to strata_<name>.la or .so, or
 * without the extension) the way the core does, with libltdl and the
 * symbol strata_driver_<name>, and exercises its vtable directly, through
 * include/strata/driver.h only, against the database at URL (parsed by the
 * core's own URL parser: what strata hands drivers). Output is TAP; a
 * failure names the operation and the driver's message. URL must name a
 * fresh, empty database that the test may write to.
 *
 * The checks are what driver.h promises, and nothing a database may
 * legitimately do its own way (type names, constraint names). Optional
 * members are exercised when set. See tests/conformance/README.
 */
#include <inttypes.h>
#include <ltdl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "strata/driver.h"
#include "internal.h" /* strata__url_parse_as, strata__scrub_url */

/* The lock wait checked, and how late TIMEOUT may come by default. */
#define LOCK_WAIT_MS       300
#define DEFAULT_SLACK_MS   500
#define EARLY_TOLERANCE_MS 10

/* Wide enough for the 100-column row; a few rows are all any check reads. */
#define MAX_COLS  128
#define MAX_ROWS  8
#define WIDE_COLS 100 /* keep "100-column" in t_wide_row's messages */

/* What the checks share. */
typedef struct conf {
	const strata_driver *d;
	const char *name;      /* from the module file name */
	const strata_url *url; /* as the core parsed it */
	unsigned slack_ms;
	const char *opts; /* dialect's table options, or "" */
	char *schema;     /* from current_schema(), or NULL */
} conf;

/* ---- TAP ------------------------------------------------------------ */

static int t_n, t_failed;
static const strata_url *t_url; /* for scrubbing secrets from messages */

/*
 * Everything printed goes through here: the URL's password and secret
 * parameters scrubbed (driver messages may quote the connection string),
 * and in a test line's description no line break, and '#' escaped so that
 * a message cannot read as a TAP directive.
 */
static char *text(int line, const char *fmt, va_list ap)
{
	char buf[2048], *out, *o, *scrubbed;
	const char *p;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	scrubbed = strata__scrub_url(buf, t_url);
	if (!scrubbed || !(out = malloc(2 * strlen(scrubbed) + 1)))
		abort();
	for (o = out, p = scrubbed; *p; p++) {
		if (line && (*p == '\n' || *p == '\r')) {
			*o++ = ' ';
			continue;
		}
		if (line && *p == '#')
			*o++ = '\\';
		*o++ = *p;
	}
	*o = '\0';
	free(scrubbed);
	return out;
}

static void vdiag(const char *fmt, va_list ap)
{
	char *buf = text(0, fmt, ap), *line, *save = NULL;

	for (line = strtok_r(buf, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save))
		printf("#   %s\n", line);
	free(buf);
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vdiag(fmt, ap);
	va_end(ap);
}

static int check(int cond, const char *fmt, ...)
{
	va_list ap;
	char *what;

	va_start(ap, fmt);
	what = text(1, fmt, ap);
	va_end(ap);
	printf("%sok %d - %s\n", cond ? "" : "not ", ++t_n, what);
	free(what);
	if (!cond)
		t_failed++;
	fflush(stdout);
	return cond;
}

static void bail(const char *fmt, ...)
{
	va_list ap;
	char *why;

	va_start(ap, fmt);
	why = text(1, fmt, ap);
	va_end(ap);
	printf("Bail out! %s\n", why);
	free(why);
	exit(1);
}

static const char *rc_name(int rc)
{
	switch (rc) {
	case STRATA_DRV_OK:
		return "STRATA_DRV_OK";
	case STRATA_DRV_ERROR:
		return "STRATA_DRV_ERROR";
	case STRATA_DRV_TIMEOUT:
		return "STRATA_DRV_TIMEOUT";
	case STRATA_DRV_NOMEM:
		return "STRATA_DRV_NOMEM";
	case STRATA_DRV_CONFIG:
		return "STRATA_DRV_CONFIG";
	case STRATA_DRV_LOST:
		return "STRATA_DRV_LOST";
	default:
		return "an unknown return code";
	}
}

/* The driver's error: return code, SQLSTATE, native code, message. */
static void diag_err(const char *op, int rc, const strata_dberr *e)
{
	diag("%s returned %s (%d)%s%s, code %d: %s", op, rc_name(rc), rc,
	     e->sqlstate[0] ? ", SQLSTATE " : "", e->sqlstate, e->code,
	     e->message[0] ? e->message : "(no message)");
}

/* ok when rc is want; otherwise says what the driver returned. */
static int check_rc(int rc, int want, const strata_dberr *e, const char *op,
                    const char *fmt, ...)
{
	va_list ap;
	char what[512];

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (check(rc == want, "%s", what))
		return 1;
	diag("wanted %s", rc_name(want));
	diag_err(op, rc, e);
	return 0;
}

static void err_reset(strata_dberr *e)
{
	memset(e, 0, sizeof(*e));
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static char *xstrdup(const char *s)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		bail("out of memory");
	return d;
}

static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	char *out;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !(out = malloc((size_t)n + 1)))
		bail("out of memory");
	va_start(ap, fmt);
	vsnprintf(out, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return out;
}

static int same(const char *a, const char *b)
{
	return a && b ? !strcmp(a, b) : a == b;
}

static const char *show(const char *s)
{
	return s ? s : "(NULL)";
}

/* ---- calling the driver --------------------------------------------- */

/* SQL written with '?' placeholders, in the dialect's parameter style. */
static char *render(const conf *c, const char *sql)
{
	size_t n = strlen(sql) * 4 + 1;
	char *out = malloc(n), *o = out;
	int k = 0;

	if (!out)
		bail("out of memory");
	for (; *sql; sql++) {
		if (*sql == '?' &&
		    c->d->dialect->param_style == STRATA_PARAM_DOLLAR)
			o += sprintf(o, "$%d", ++k);
		else
			*o++ = *sql;
	}
	*o = '\0';
	return out;
}

static int query(const conf *c, strata_conn *conn, const char *sql,
                 const strata_value *p, int np, strata_row_fn fn, void *ctx,
                 strata_dberr *e)
{
	char *s = render(c, sql);
	int rc;

	err_reset(e);
	rc = c->d->query(conn, s, p, np, fn, ctx, e);
	free(s);
	return rc;
}

static int exec(const conf *c, strata_conn *conn, const char *sql,
                strata_dberr *e)
{
	err_reset(e);
	return c->d->exec(conn, sql, e);
}

/* exec() as a TAP line. */
static int exec_ok(const conf *c, strata_conn *conn, const char *sql,
                   const char *what)
{
	strata_dberr e;
	int rc = exec(c, conn, sql, &e);

	if (!check_rc(rc, STRATA_DRV_OK, &e, "exec", "exec: %s", what))
		diag("SQL: %s", sql);
	return rc == STRATA_DRV_OK;
}

/* CREATE TABLE with the dialect's table options (MySQL: InnoDB, utf8mb4,
 * which transactions, foreign keys and the UTF-8 values need). */
static int create_ok(const conf *c, strata_conn *conn, const char *ddl,
                     const char *what)
{
	char *sql = xprintf("%s%s%s", ddl, *c->opts ? " " : "", c->opts);
	int ok = exec_ok(c, conn, sql, what);

	free(sql);
	return ok;
}

/* Rows as received: copies, NULL kept NULL. */
typedef struct rows {
	int n;          /* calls of the callback */
	int ncols;      /* ncols of the last call */
	int stop_after; /* return non-zero on this call (0: never) */
	char *v[MAX_ROWS][MAX_COLS];
} rows;

static int collect(void *ctx, int ncols, const char *const *values)
{
	rows *r = ctx;
	int i;

	if (r->n < MAX_ROWS)
		for (i = 0; i < ncols && i < MAX_COLS; i++)
			r->v[r->n][i] = xstrdup(values[i]);
	r->ncols = ncols;
	r->n++;
	return r->stop_after && r->n >= r->stop_after;
}

static void rows_free(rows *r)
{
	int i, j;

	for (i = 0; i < MAX_ROWS; i++)
		for (j = 0; j < MAX_COLS; j++)
			free(r->v[i][j]);
	memset(r, 0, sizeof(*r));
}

/* One row of one or more columns; returns 1 on success. */
static int query_row(const conf *c, strata_conn *conn, const char *sql,
                     const strata_value *p, int np, rows *r, const char *what)
{
	strata_dberr e;
	int rc;

	memset(r, 0, sizeof(*r));
	rc = query(c, conn, sql, p, np, collect, r, &e);
	if (rc != STRATA_DRV_OK) {
		check(0, "%s", what);
		diag_err("query", rc, &e);
		diag("SQL: %s", sql);
		return 0;
	}
	if (r->n != 1) {
		check(0, "%s", what);
		diag("query returned %d rows, wanted 1; SQL: %s", r->n, sql);
		return 0;
	}
	return 1;
}

/* A connection made fit the way the core makes it: connect, then
 * session_setup when set. NULL (with a failed TAP line) on failure. */
static strata_conn *open_conn(const conf *c, const char *what)
{
	strata_conn *conn = NULL;
	strata_dberr e;
	unsigned flags = c->d->dialect->split_flags;
	int rc;

	err_reset(&e);
	rc = c->d->connect(&conn, c->url, 0, &e);
	if (rc != STRATA_DRV_OK || !conn) {
		check(0, "connect (%s)", what);
		diag_err("connect", rc, &e);
		return NULL;
	}
	if (c->d->session_setup) {
		err_reset(&e);
		rc = c->d->session_setup(conn, &flags, &e);
		if (rc != STRATA_DRV_OK) {
			check(0, "session_setup (%s)", what);
			diag_err("session_setup", rc, &e);
			c->d->close(conn);
			return NULL;
		}
	}
	return conn;
}

/* ---- vtable ---------------------------------------------------------- */

/* Where each ABI 2.n vtable ends; index: minor version. */
static const size_t abi_end[] = {
        offsetof(strata_driver, introspect) +
                sizeof(((strata_driver *)0)->introspect),
        offsetof(strata_driver, split) + sizeof(((strata_driver *)0)->split),
        offsetof(strata_driver, introspect_detail) +
                sizeof(((strata_driver *)0)->introspect_detail),
        offsetof(strata_driver, catalog) +
                sizeof(((strata_driver *)0)->catalog),
        offsetof(strata_driver, standby) +
                sizeof(((strata_driver *)0)->standby),
        offsetof(strata_driver, table_rows) +
                sizeof(((strata_driver *)0)->table_rows),
        offsetof(strata_driver, introspect_flags) +
                sizeof(((strata_driver *)0)->introspect_flags),
        offsetof(strata_driver, prepare_many) +
                sizeof(((strata_driver *)0)->prepare_many),
        offsetof(strata_driver, lock_guard) +
                sizeof(((strata_driver *)0)->lock_guard),
};

static void t_vtable(conf *c)
{
	const strata_driver *d = c->d;
	unsigned major = d->abi_version >> 16, minor = d->abi_version & 0xffff;
	size_t nknown = sizeof(abi_end) / sizeof(abi_end[0]);
	size_t need = minor < nknown ? abi_end[minor] : sizeof(strata_driver);
	const char *const *s;
	char missing[512] = "";
	int n = 0, empty = 0, listed = 0;

	if (!check(major == STRATA_DRIVER_ABI_MAJOR,
	           "vtable: ABI major version %u is %d", major,
	           STRATA_DRIVER_ABI_MAJOR))
		bail("%s: wrong ABI major version; nothing else is safe to "
		     "call",
		     c->name);
	if (!check(d->struct_size >= need,
	           "vtable: struct_size %u covers ABI %u.%u (%zu bytes)",
	           d->struct_size, major, minor, need))
		bail("%s: vtable smaller than its ABI", c->name);
	check(same(d->name, c->name),
	      "vtable: name '%s' matches the symbol "
	      "%s%s",
	      show(d->name), STRATA_DRIVER_SYMBOL_PREFIX, c->name);
	check(d->version && *d->version, "vtable: version is set (%s)",
	      show(d->version));
	for (s = d->schemes; s && *s; s++) {
		n++;
		empty += **s == '\0';
		listed |= !strcmp(*s, c->url->scheme);
	}
	check(n > 0 && !empty,
	      "vtable: schemes lists at least one scheme, none empty");
	/* The wrong URL for the driver: nothing below would mean much. */
	if (!check(listed,
	           "vtable: URL scheme '%s' is among the driver's schemes",
	           c->url->scheme))
		bail("%s: the URL is not for this driver", c->name);
	check(!d->file_names || (d->file_names[0] && *d->file_names[0]),
	      "vtable: file_names is NULL or lists a name");
	check(d->url_form == STRATA_URL_SERVER ||
	              d->url_form == STRATA_URL_FILE,
	      "vtable: url_form is STRATA_URL_SERVER or STRATA_URL_FILE (%d)",
	      d->url_form);

#define REQUIRE(m)                                                             \
	if (!d->m)                                                             \
	snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing), \
	         " %s", #m)
	REQUIRE(dialect);
	REQUIRE(connect);
	REQUIRE(close);
	REQUIRE(exec);
	REQUIRE(query);
	REQUIRE(begin);
	REQUIRE(commit);
	REQUIRE(rollback);
	REQUIRE(lock);
	REQUIRE(unlock);
	REQUIRE(table_exists);
	REQUIRE(introspect);
#undef REQUIRE
	if (!check(!*missing, "vtable: every required operation is set"))
		bail("%s: vtable lacks required members:%s", c->name, missing);
	check(d->dialect->name && *d->dialect->name,
	      "dialect: name is set (%s)", show(d->dialect->name));
	check(d->dialect->ident_quote != '\0',
	      "dialect: ident_quote is set (%c)", d->dialect->ident_quote);
	if (!check(d->dialect->param_style == STRATA_PARAM_QMARK ||
	                   d->dialect->param_style == STRATA_PARAM_DOLLAR,
	           "dialect: param_style is STRATA_PARAM_QMARK or _DOLLAR"))
		bail("%s: unknown parameter style %d", c->name,
		     d->dialect->param_style);
	check(!d->dialect->widen_version_sql ||
	              strstr(d->dialect->widen_version_sql, "%T"),
	      "dialect: widen_version_sql is NULL or names the table (%%T)");
	c->opts = d->dialect->history_table_options
	                  ? d->dialect->history_table_options
	                  : "";
}

static void t_init(const conf *c)
{
	strata_dberr e;
	int rc;

	if (!c->d->init)
		return;
	err_reset(&e);
	rc = c->d->init(&e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "init", "init"))
		bail("%s: init failed; the driver is unusable", c->name);
}

/* ---- split (ABI 2.1, optional, no connection) ------------------------ */

typedef struct split_seen {
	int n, stop_at; /* stop_at: return non-zero at this statement */
	char *text[4];
	int line[4];
} split_seen;

static int on_stmt(void *ctx, const char *stmt, size_t len, int line)
{
	split_seen *s = ctx;

	if (s->n < 4) {
		s->text[s->n] = xprintf("%.*s", (int)len, stmt);
		s->line[s->n] = line;
	}
	return ++s->n == s->stop_at;
}

static int split_run(const conf *c, const char *script, split_seen *s,
                     int *line, strata_dberr *e)
{
	char *sql = xstrdup(script);
	int rc;

	err_reset(e);
	*line = -1;
	rc = c->d->split(sql, strlen(sql), on_stmt, s, line, e);
	free(sql);
	return rc;
}

static void split_free(split_seen *s)
{
	int i;

	for (i = 0; i < s->n && i < 4; i++)
		free(s->text[i]);
	memset(s, 0, sizeof(*s));
}

static void t_split(const conf *c)
{
	static const char ok[] = "-- strata:allow x\n/* a */ SELECT 1;\n\n"
	                         "SELECT 'a;b'  ;\n;\n-- the end; no more\n";
	split_seen s;
	strata_dberr e;
	int rc, line;

	if (!STRATA_DRV_HAS(c->d, split))
		return;
	memset(&s, 0, sizeof(s));
	rc = split_run(c, ok, &s, &line, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "split", "split: a valid script");
	check(s.n == 2,
	      "split: two statements, comments and ';' alone are "
	      "none (%d)",
	      s.n);
	if (s.n == 2) {
		check(!strcmp(s.text[0], "SELECT 1") && s.line[0] == 2,
		      "split: the first from its first token, on its line "
		      "(%s, line %d)",
		      s.text[0], s.line[0]);
		/* Trailing blanks are the driver's to keep or drop. */
		check(!strncmp(s.text[1], "SELECT 'a;b'", 12) &&
		              !strchr(s.text[1] + 12, ';') && s.line[1] == 4,
		      "split: ';' in a string, none at the end (%s, line %d)",
		      s.text[1], s.line[1]);
	}
	split_free(&s);
	s.stop_at = 1;
	rc = split_run(c, ok, &s, &line, &e);
	check(rc == STRATA_DRV_ERROR && s.n == 1,
	      "split: a callback's non-zero stops it with STRATA_DRV_ERROR "
	      "(%s after %d)",
	      rc_name(rc), s.n);
	split_free(&s);
	rc = split_run(c, "SELECT 1;\nSELECT 'no end;\n", &s, &line, &e);
	check(rc == STRATA_DRV_ERROR && e.message[0] && line == 2,
	      "split: an unterminated string is an error at its line (%s, "
	      "line %d: %s)",
	      rc_name(rc), line, e.message);
	split_free(&s);
}

/* What the core's splitter makes of a script that every dialect reads
 * alike: the driver's own split must agree, statement by statement. */
static void t_split_agrees(const conf *c)
{
	static const char script[] =
	        "-- leading comment; with a ';'\n"
	        "CREATE TABLE conf_s (a INT, b VARCHAR(10));\n"
	        "/* block; comment */ INSERT INTO conf_s VALUES (1, 'x;y') ;\n"
	        "\n"
	        "SELECT a, -- trailing; comment\n"
	        "  b FROM conf_s\n"
	        ";\n"
	        ";\n"
	        "SELECT 'no final semicolon'\n";
	strata__stmts core;
	strata_error cerr;
	split_seen s;
	strata_dberr e;
	size_t i;
	int rc, line, same_all = 1;

	if (!STRATA_DRV_HAS(c->d, split))
		return;
	memset(&cerr, 0, sizeof(cerr));
	if (strata__split(&core, script, strlen(script),
	                  c->d->dialect->split_flags, "conf.sql", &cerr))
		bail("the core's splitter refused the agreement script: %s",
		     show(cerr.message));
	memset(&s, 0, sizeof(s));
	rc = split_run(c, script, &s, &line, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "split", "split: the agreement script");
	check(s.n == (int)core.count,
	      "split: as many statements as the core's splitter (%d, core "
	      "%zu)",
	      s.n, core.count);
	for (i = 0; i < core.count && i < 4 && (int)i < s.n; i++) {
		char *t = s.text[i];
		size_t n = strlen(t);

		/* Trailing blanks are the driver's to keep or drop. */
		while (n > 0 && strchr(" \t\r\n", t[n - 1]))
			n--;
		if (n != strlen(core.items[i].sql) ||
		    strncmp(t, core.items[i].sql, n) != 0 ||
		    s.line[i] != core.items[i].line) {
			same_all = 0;
			diag("statement %zu: driver '%.*s' at line %d, core "
			     "'%s' at line %d",
			     i + 1, (int)n, t, s.line[i], core.items[i].sql,
			     core.items[i].line);
		}
	}
	check(same_all,
	      "split: the same text and lines as the core's splitter");
	split_free(&s);
	strata__stmts_free(&core);
	strata_error_clear(&cerr);
}

/* ---- analyze (ABI 2.2, optional, no connection) ---------------------- */

#define MAX_ACTS 4

typedef struct act_seen {
	int n, stop_at;
	int kind[MAX_ACTS], line[MAX_ACTS];
	unsigned flags[MAX_ACTS];
	uint32_t size[MAX_ACTS];
	char *table[MAX_ACTS], *column[MAX_ACTS], *name[MAX_ACTS],
	        *type[MAX_ACTS];
} act_seen;

static int on_action(void *ctx, const strata_action *a)
{
	act_seen *s = ctx;

	if (s->n < MAX_ACTS) {
		s->kind[s->n] = a->kind;
		s->flags[s->n] = a->flags;
		s->line[s->n] = a->line;
		s->size[s->n] = a->struct_size;
		s->table[s->n] = xstrdup(a->table);
		s->column[s->n] = xstrdup(a->column);
		s->name[s->n] = xstrdup(a->name);
		s->type[s->n] = xstrdup(a->type);
	}
	return ++s->n == s->stop_at;
}

static void acts_free(act_seen *s)
{
	int i;

	for (i = 0; i < s->n && i < MAX_ACTS; i++) {
		free(s->table[i]);
		free(s->column[i]);
		free(s->name[i]);
		free(s->type[i]);
	}
	memset(s, 0, sizeof(*s));
}

static int analyze(const conf *c, const char *sql, act_seen *s, strata_dberr *e)
{
	char *copy = xstrdup(sql);
	int rc;

	err_reset(e);
	rc = c->d->analyze(copy, strlen(copy), on_action, s, e);
	free(copy);
	return rc;
}

/* One statement whose first action must be kind on table (and column),
 * with the flags in want set and those in unwanted clear. */
static void analyze_is(const conf *c, const char *sql, int kind,
                       const char *table, const char *column, unsigned want,
                       unsigned unwanted)
{
	act_seen s;
	strata_dberr e;
	int rc;

	memset(&s, 0, sizeof(s));
	rc = analyze(c, sql, &s, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "analyze", "analyze: %s", sql))
		return;
	if (check(s.n >= 1 && s.kind[0] == kind && same(s.table[0], table) &&
	                  same(s.column[0], column),
	          "analyze: %s: kind %d on %s.%s (got %d actions, the first "
	          "kind %d on %s.%s)",
	          sql, kind, show(table), show(column), s.n,
	          s.n ? s.kind[0] : -1, s.n ? show(s.table[0]) : "-",
	          s.n ? show(s.column[0]) : "-"))
		check((s.flags[0] & want) == want && !(s.flags[0] & unwanted) &&
		              s.size[0] >= sizeof(strata_action) &&
		              s.line[0] >= 0,
		      "analyze: %s: flags %#x set, %#x clear (got %#x), "
		      "struct_size, line %d",
		      sql, want, unwanted, s.flags[0], s.line[0]);
	acts_free(&s);
}

static void t_analyze(const conf *c)
{
	act_seen s;
	strata_dberr e;
	int rc;

	if (!STRATA_DRV_HAS(c->d, analyze))
		return;
	analyze_is(c, "CREATE TABLE conf_a (id INT)", STRATA_ACT_CREATE_TABLE,
	           "conf_a", NULL, 0, STRATA_ACTF_TEMPORARY);
	analyze_is(c, "DELETE FROM conf_a", STRATA_ACT_DELETE, "conf_a", NULL,
	           0, STRATA_ACTF_WHERE);
	analyze_is(c, "DELETE FROM conf_a WHERE id = 1", STRATA_ACT_DELETE,
	           "conf_a", NULL, STRATA_ACTF_WHERE, 0);
	analyze_is(c, "UPDATE conf_a SET id = 2", STRATA_ACT_UPDATE, "conf_a",
	           NULL, 0, STRATA_ACTF_WHERE);
	analyze_is(c, "ALTER TABLE conf_a ADD COLUMN c INT NOT NULL",
	           STRATA_ACT_ADD_COLUMN, "conf_a", "c", STRATA_ACTF_NOT_NULL,
	           STRATA_ACTF_DEFAULT);
	analyze_is(c, "ALTER TABLE conf_a ADD COLUMN d INT DEFAULT 0",
	           STRATA_ACT_ADD_COLUMN, "conf_a", "d", STRATA_ACTF_DEFAULT,
	           STRATA_ACTF_NOT_NULL | STRATA_ACTF_VOLATILE_DEFAULT);
	analyze_is(c, "ALTER TABLE conf_a DROP COLUMN c",
	           STRATA_ACT_DROP_COLUMN, "conf_a", "c", 0, 0);
	analyze_is(c, "CREATE UNIQUE INDEX conf_i ON conf_a (id)",
	           STRATA_ACT_CREATE_INDEX, "conf_a", NULL, STRATA_ACTF_UNIQUE,
	           0);
	analyze_is(c, "SELECT 1", STRATA_ACT_OTHER, NULL, NULL, 0, 0);

	memset(&s, 0, sizeof(s));
	rc = analyze(c, "DROP TABLE conf_a, conf_b", &s, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "analyze",
	         "analyze: DROP TABLE conf_a, conf_b");
	check(s.n == 2 && s.kind[0] == STRATA_ACT_DROP_TABLE &&
	              s.kind[1] == STRATA_ACT_DROP_TABLE &&
	              same(s.table[0], "conf_a") && same(s.table[1], "conf_b"),
	      "analyze: one DROP_TABLE per table, in order (%d actions)", s.n);
	acts_free(&s);
	s.stop_at = 1;
	analyze(c, "DROP TABLE conf_a, conf_b", &s, &e);
	check(s.n == 1, "analyze: a callback's non-zero stops it (%d calls)",
	      s.n);
	acts_free(&s);
	rc = analyze(c, "SELEC 1", &s, &e);
	check(rc == STRATA_DRV_ERROR && e.message[0],
	      "analyze: what does not parse is STRATA_DRV_ERROR with the "
	      "parser's message (%s: %s)",
	      rc_name(rc), e.message);
	acts_free(&s);
}

/* ---- connect --------------------------------------------------------- */

static strata_conn *t_connect(const conf *c)
{
	strata_url bad = *c->url;
	strata_url_param *p = calloc(c->url->nparams + 1, sizeof(*p));
	strata_conn *conn = (strata_conn *)&bad; /* a sentinel */
	const char *v;
	strata_dberr e;
	int rc;

	if (!p)
		bail("out of memory");
	if (c->url->nparams)
		memcpy(p, c->url->params, c->url->nparams * sizeof(*p));
	p[c->url->nparams].key = "strata_conformance_bogus";
	p[c->url->nparams].value = "1";
	bad.params = p;
	bad.nparams = c->url->nparams + 1;
	err_reset(&e);
	rc = c->d->connect(&conn, &bad, 0, &e);
	if (check_rc(rc, STRATA_DRV_CONFIG, &e, "connect",
	             "connect: an unknown URL parameter is STRATA_DRV_CONFIG"))
		check(e.message[0] != '\0', "connect: and says why (%s)",
		      e.message);
	else if (rc == STRATA_DRV_OK && conn != (strata_conn *)&bad)
		c->d->close(conn);
	check(rc == STRATA_DRV_OK || conn == (strata_conn *)&bad,
	      "connect: a failed connect leaves *out alone");
	free(p);

	conn = open_conn(c, "the test URL");
	if (!conn)
		bail("%s: cannot connect; nothing else can be checked",
		     c->name);
	check(1, "connect and session_setup");
	if (c->d->server_version) {
		v = c->d->server_version(conn);
		check(v && *v, "server_version is non-empty (%s)", show(v));
	}
	return conn;
}

static int first_value(void *ctx, int ncols, const char *const *v)
{
	char **out = ctx;

	if (ncols > 0 && v[0] && !*out)
		*out = xstrdup(v[0]);
	return 0;
}

/* MySQL on a server that tells table names apart by case
 * (lower_case_table_names = 0, as on Linux by default); information_schema's
 * collation does not. */
static int mysql_case_names(const conf *c, strata_conn *conn)
{
	strata_dberr e;
	char *v = NULL;
	int yes;

	if (strcmp(c->d->dialect->name, "mysql"))
		return 0;
	err_reset(&e);
	c->d->query(conn, "SELECT @@lower_case_table_names", NULL, 0,
	            first_value, &v, &e);
	yes = v && !strcmp(v, "0");
	free(v);
	return yes;
}

/* ---- exec ------------------------------------------------------------ */

/* Where the database has SQLSTATEs, drivers must report them. */
static int has_sqlstate(const conf *c)
{
	const char *n = c->d->dialect->name;

	return !strcmp(n, "postgres") || !strcmp(n, "mysql");
}

static int sqlstate_like(const char *s)
{
	size_t i;

	for (i = 0; i < 5; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		      (s[i] >= 'A' && s[i] <= 'Z')))
			return 0;
	return s[5] == '\0';
}

static void t_exec(const conf *c, strata_conn *conn)
{
	strata_value id = {STRATA_VAL_INT, NULL, 1};
	strata_dberr e;
	rows r;
	int rc;

	/* Leftovers of an earlier run on the same database. */
	exec(c, conn, "DROP VIEW IF EXISTS conf_parent_v", &e);
	if (mysql_case_names(c, conn))
		exec(c, conn, "DROP VIEW IF EXISTS CONF_CHILD", &e);
	exec(c, conn, "DROP TABLE IF EXISTS conf_child", &e);
	exec(c, conn, "DROP TABLE IF EXISTS conf_parent", &e);
	exec(c, conn, "DROP TABLE IF EXISTS conf_vals", &e);
	exec(c, conn, "DROP TABLE IF EXISTS conf_tx", &e);

	create_ok(c, conn,
	          "CREATE TABLE conf_vals (id INTEGER NOT NULL PRIMARY KEY, "
	          "t VARCHAR(200), i BIGINT)",
	          "CREATE TABLE");
	exec_ok(c, conn,
	        "INSERT INTO conf_vals (id, t, i) VALUES (1, 'exec', 7)",
	        "INSERT");
	if (query_row(c, conn, "SELECT t, i FROM conf_vals WHERE id = ?", &id,
	              1, &r, "exec: the inserted row is there"))
		check(same(r.v[0][0], "exec") && same(r.v[0][1], "7"),
		      "exec: the inserted row is there ('%s', '%s')",
		      show(r.v[0][0]), show(r.v[0][1]));
	rows_free(&r);

	rc = exec(c, conn, "SELEC 1 FROM conf_vals", &e);
	check_rc(rc, STRATA_DRV_ERROR, &e, "exec",
	         "exec: a syntax error is STRATA_DRV_ERROR");
	check(e.message[0] != '\0', "exec: with the database's message (%s)",
	      e.message);
	if (has_sqlstate(c))
		check(sqlstate_like(e.sqlstate), "exec: with a SQLSTATE (%s)",
		      e.sqlstate);
	else if (e.sqlstate[0])
		check(sqlstate_like(e.sqlstate),
		      "exec: a SQLSTATE, if any, has five characters (%s)",
		      e.sqlstate);
	exec_ok(c, conn, "SELECT t FROM conf_vals",
	        "after an error the session works, and a result set is "
	        "discarded");
	if (query_row(c, conn, "SELECT count(*) FROM conf_vals", NULL, 0, &r,
	              "exec: the session is in step after the discarded rows"))
		check(same(r.v[0][0], "1"),
		      "exec: the session is in step after the discarded rows");
	rows_free(&r);
}

/* ---- query ----------------------------------------------------------- */

static const char quotes[] = "it's \"quoted\" \\' `tick` -- ; ? $1 %s";
static const char utf8[] = "Gr\xc3\xbc\xc3\x9f"
                           "e \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x9a\x80";

typedef struct round_trip {
	const char *what;
	int ttype;
	const char *text;
	int itype;
	int64_t i;
	const char *want_i; /* as text; NULL for NULL */
} round_trip;

static void t_round_trip(const conf *c, strata_conn *conn, int id,
                         const round_trip *t)
{
	strata_value p[3];
	strata_dberr e;
	rows r;
	int rc;

	memset(p, 0, sizeof(p));
	p[0].type = STRATA_VAL_INT;
	p[0].i = id;
	p[1].type = t->ttype;
	p[1].text = t->text;
	p[2].type = t->itype;
	p[2].i = t->i;
	rc = query(c, conn, "INSERT INTO conf_vals (id, t, i) VALUES (?, ?, ?)",
	           p, 3, NULL, NULL, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "query",
	              "query: INSERT with %s parameters", t->what))
		return;
	if (query_row(c, conn, "SELECT t, i FROM conf_vals WHERE id = ?", p, 1,
	              &r, "query: SELECT back"))
		if (!check(same(r.v[0][0], t->text) &&
		                   same(r.v[0][1], t->want_i),
		           "query: %s round-trips", t->what))
			diag("got ('%s', '%s'), want ('%s', '%s')",
			     show(r.v[0][0]), show(r.v[0][1]), show(t->text),
			     show(t->want_i));
	rows_free(&r);
}

static const round_trip trips[] = {
        {"TEXT with quotes, backslash and placeholders", STRATA_VAL_TEXT,
         quotes, STRATA_VAL_INT, 0, "0"},
        {"UTF-8 TEXT (with a 4-byte character)", STRATA_VAL_TEXT, utf8,
         STRATA_VAL_INT, 1, "1"},
        {"an empty TEXT (not NULL)", STRATA_VAL_TEXT, "", STRATA_VAL_INT, -1,
         "-1"},
        {"INT64 max", STRATA_VAL_TEXT, "max", STRATA_VAL_INT, INT64_MAX,
         "9223372036854775807"},
        {"INT64 min", STRATA_VAL_TEXT, "min", STRATA_VAL_INT, INT64_MIN,
         "-9223372036854775808"},
        {"NULL (as NULL pointers)", STRATA_VAL_NULL, NULL, STRATA_VAL_NULL, 0,
         NULL},
};
#define NTRIPS ((int)(sizeof(trips) / sizeof(trips[0])))

static void t_wide_row(const conf *c, strata_conn *conn)
{
	char *sql = xprintf("SELECT 1"), *next;
	rows r;
	int i, good = 1;

	for (i = 2; i <= WIDE_COLS; i++) {
		next = xprintf("%s, %d", sql, i);
		free(sql);
		sql = next;
	}
	if (query_row(c, conn, sql, NULL, 0, &r, "query: a 100-column row")) {
		for (i = 0; i < WIDE_COLS && i < r.ncols && good; i++) {
			char want[16];

			snprintf(want, sizeof(want), "%d", i + 1);
			good = same(r.v[0][i], want);
		}
		if (!check(r.ncols == WIDE_COLS && good,
		           "query: a %d-column row returns every value",
		           WIDE_COLS))
			diag("got %d columns%s", r.ncols,
			     good ? "" : ", some of them wrong");
	}
	rows_free(&r);
	free(sql);
}

static void t_query(const conf *c, strata_conn *conn)
{
	strata_value p = {STRATA_VAL_TEXT, quotes, 0};
	strata_dberr e;
	rows r;
	int i, rc;

	for (i = 0; i < NTRIPS; i++)
		t_round_trip(c, conn, 2 + i, &trips[i]);

	if (query_row(c, conn, "SELECT id FROM conf_vals WHERE t = ?", &p, 1,
	              &r, "query: a TEXT parameter in WHERE"))
		check(same(r.v[0][0], "2"),
		      "query: a TEXT parameter in WHERE matches (id %s)",
		      show(r.v[0][0]));
	rows_free(&r);
	p.type = STRATA_VAL_INT;
	p.i = INT64_MIN;
	if (query_row(c, conn, "SELECT id FROM conf_vals WHERE i = ?", &p, 1,
	              &r, "query: an INT parameter in WHERE"))
		check(same(r.v[0][0], "6"),
		      "query: an INT parameter in WHERE matches (id %s)",
		      show(r.v[0][0]));
	rows_free(&r);

	t_wide_row(c, conn);

	/* Silently binding NULL would write NULL where a value was meant. */
	p.type = 99;
	p.text = "x";
	p.i = 99;
	memset(&r, 0, sizeof(r));
	rc = query(c, conn, "SELECT ?", &p, 1, collect, &r, &e);
	if (!check_rc(rc, STRATA_DRV_ERROR, &e, "query",
	              "query: an unknown value type (99) is "
	              "STRATA_DRV_ERROR") &&
	    rc == STRATA_DRV_OK && r.n == 1)
		diag("it was bound as '%s'", show(r.v[0][0]));
	else
		check(e.message[0] != '\0', "query: and says why (%s)",
		      e.message);
	rows_free(&r);

	r.stop_after = 1;
	rc = query(c, conn, "SELECT id FROM conf_vals ORDER BY id", NULL, 0,
	           collect, &r, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "query",
	         "query: a callback that returns non-zero stops the query, "
	         "which succeeds");
	check(r.n == 1, "query: no row after the callback stopped (%d calls)",
	      r.n);
	rows_free(&r);
	rc = query(c, conn, "SELECT id FROM conf_vals", NULL, 0, NULL, NULL,
	           &e);
	check_rc(rc, STRATA_DRV_OK, &e, "query",
	         "query: rows without a callback are discarded");
	if (query_row(c, conn, "SELECT count(*) FROM conf_vals", NULL, 0, &r,
	              "query: the session is in step after both"))
		check(same(r.v[0][0], "7"),
		      "query: the session is in step after both (%s rows)",
		      show(r.v[0][0]));
	rows_free(&r);
}

/* ---- changes --------------------------------------------------------- */

static void t_changes(const conf *c, strata_conn *conn)
{
	strata_value p[2] = {{STRATA_VAL_TEXT, "one", 0},
	                     {STRATA_VAL_INT, NULL, 4}};
	strata_dberr e;
	int64_t n;
	int rc;

	if (!c->d->changes)
		return;
	if (exec_ok(c, conn, "UPDATE conf_vals SET t = 'changed' WHERE id <= 3",
	            "UPDATE of three rows")) {
		n = c->d->changes(conn);
		check(n == 3,
		      "changes: 3 after exec() updated 3 rows (%" PRId64 ")",
		      n);
	}
	rc = query(c, conn, "UPDATE conf_vals SET t = ? WHERE id = ?", p, 2,
	           NULL, NULL, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "query",
	             "query: UPDATE of one row")) {
		n = c->d->changes(conn);
		check(n == 1,
		      "changes: 1 after query() updated 1 row (%" PRId64 ")",
		      n);
	}
	if (exec_ok(c, conn, "UPDATE conf_vals SET t = 'none' WHERE id < 0",
	            "UPDATE of no row")) {
		n = c->d->changes(conn);
		check(n == 0,
		      "changes: 0 after an UPDATE of no row (%" PRId64 ")", n);
	}
}

/* ---- transactions ---------------------------------------------------- */

static void in_tx_is(const conf *c, strata_conn *conn, int want,
                     const char *when)
{
	int got;

	if (!c->d->in_transaction)
		return;
	got = c->d->in_transaction(conn);
	check(got == want, "in_transaction: %d %s (%d)", want, when, got);
}

/* How many conf_tx rows with this id another session sees (-1: error). */
static int count_id(const conf *c, strata_conn *conn, int id)
{
	strata_value p = {STRATA_VAL_INT, NULL, 0};
	rows r;
	int n = -1;

	p.i = id;
	if (query_row(c, conn, "SELECT count(*) FROM conf_tx WHERE id = ?", &p,
	              1, &r, "count rows"))
		n = r.v[0][0] ? atoi(r.v[0][0]) : -1;
	rows_free(&r);
	return n;
}

static int insert_id(const conf *c, strata_conn *conn, int id)
{
	strata_value p = {STRATA_VAL_INT, NULL, 0};
	strata_dberr e;
	int rc;

	p.i = id;
	rc = query(c, conn, "INSERT INTO conf_tx (id, n) VALUES (?, 0)", &p, 1,
	           NULL, NULL, &e);
	return check_rc(rc, STRATA_DRV_OK, &e, "query",
	                "transactions: INSERT of row %d", id);
}

static void t_transactions(const conf *c, strata_conn *conn)
{
	strata_conn *other;
	strata_dberr e;
	int rc;

	create_ok(c, conn,
	          "CREATE TABLE conf_tx (id INTEGER NOT NULL PRIMARY KEY, "
	          "n INTEGER NOT NULL)",
	          "CREATE TABLE for transactions");
	in_tx_is(c, conn, 0, "before begin");

	err_reset(&e);
	rc = c->d->begin(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "begin", "begin");
	in_tx_is(c, conn, 1, "inside a transaction");
	insert_id(c, conn, 1);
	err_reset(&e);
	rc = c->d->rollback(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "rollback", "rollback");
	in_tx_is(c, conn, 0, "after rollback");
	check(count_id(c, conn, 1) == 0,
	      "rollback: the rolled-back row is gone");

	err_reset(&e);
	rc = c->d->begin(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "begin", "begin again");
	insert_id(c, conn, 2);
	in_tx_is(c, conn, 1, "after a write in the transaction");
	err_reset(&e);
	rc = c->d->commit(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "commit", "commit");
	in_tx_is(c, conn, 0, "after commit");

	/* A failed statement inside a transaction: the core's failure path. */
	err_reset(&e);
	rc = c->d->begin(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "begin",
	         "begin a transaction that fails");
	insert_id(c, conn, 3);
	rc = exec(c, conn, "INSERT INTO conf_tx_missing VALUES (1)", &e);
	check(rc == STRATA_DRV_ERROR,
	      "transactions: a failing statement is STRATA_DRV_ERROR (%s)",
	      rc_name(rc));
	err_reset(&e);
	rc = c->d->rollback(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "rollback",
	         "rollback after a failed statement");
	in_tx_is(c, conn, 0, "after that rollback");

	/* rollback() leaves autocommit on: this write is durable at once. */
	insert_id(c, conn, 4);
	in_tx_is(c, conn, 0, "after a write outside a transaction");

	other = open_conn(c, "a second session");
	if (!other)
		return;
	check(count_id(c, other, 1) == 0 && count_id(c, other, 3) == 0,
	      "transactions: another session sees no rolled-back row");
	check(count_id(c, other, 2) == 1, "transactions: another session sees "
	                                  "the committed row");
	check(count_id(c, other, 4) == 1,
	      "transactions: and the row written after rollback (autocommit "
	      "is on)");
	c->d->close(other);
}

/* ---- batch (ABI 2.4) -------------------------------------------------- */

/* items as rendered for the dialect; texts[k] frees with them. */
static int batch_run(const conf *c, strata_conn *conn, strata_batch_item *it,
                     size_t n, unsigned flags, size_t *failed, strata_dberr *e)
{
	const char *orig[8];
	size_t i;
	int rc;

	for (i = 0; i < n; i++) {
		orig[i] = it[i].sql;
		it[i].sql = render(c, orig[i]);
		it[i].changes = -7; /* must be overwritten */
	}
	err_reset(e);
	*failed = 12345;
	rc = c->d->batch(conn, it, n, flags, failed, e);
	for (i = 0; i < n; i++) {
		free((char *)it[i].sql);
		it[i].sql = orig[i];
	}
	return rc;
}

static void t_batch(const conf *c, strata_conn *conn)
{
	strata_value a[2] = {
	        {STRATA_VAL_INT, NULL, 10},
	        {STRATA_VAL_TEXT, "it's; a \"?\" -- not a comment", 0}};
	strata_value b[1] = {{STRATA_VAL_INT, NULL, 10}};
	strata_value d[1] = {{STRATA_VAL_INT, NULL, 11}};
	strata_batch_item it[3] = {
	        {"INSERT INTO conf_batch (id, t) VALUES (?, ?)", a, 2, 0},
	        {"UPDATE conf_batch SET n = n + 1 WHERE id = ?", b, 1, 0},
	        {"UPDATE conf_batch SET n = n + 1 WHERE id = ?", d, 1, 0}};
	strata_conn *other;
	strata_dberr e;
	size_t failed;
	rows r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!STRATA_DRV_HAS(c->d, batch))
		return;
	if (!create_ok(c, conn,
	               "CREATE TABLE conf_batch (id INTEGER NOT NULL PRIMARY "
	               "KEY, t VARCHAR(100), n INTEGER NOT NULL DEFAULT 0)",
	               "CREATE TABLE conf_batch"))
		return;
	rc = batch_run(c, conn, it, 3, STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT,
	               &failed, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "batch",
	         "batch: BEGIN, INSERT, two UPDATEs, COMMIT");
	check(it[0].changes == 1 && it[1].changes == 1 && it[2].changes == 0,
	      "batch: changes 1, 1, 0 (%" PRId64 ", %" PRId64 ", %" PRId64 ")",
	      it[0].changes, it[1].changes, it[2].changes);
	in_tx_is(c, conn, 0, "after a batch with COMMIT");
	other = open_conn(c, "a second session for batch");
	if (other) {
		if (query_row(c, other,
		              "SELECT t, n FROM conf_batch WHERE id = 10", NULL,
		              0, &r, "batch: read back"))
			check(same(r.v[0][0], a[1].text) &&
			              same(r.v[0][1], "1"),
			      "batch: committed, the text parameter intact "
			      "(%s, %s)",
			      show(r.v[0][0]), show(r.v[0][1]));
		rows_free(&r);
	}

	/* The second item fails (duplicate key): nothing after it runs,
	 * and the transaction rolls back whole. */
	b[0].i = 12;
	a[0].i = 10;
	{
		strata_batch_item bad[3] = {
		        {"INSERT INTO conf_batch (id) VALUES (?)", b, 1, 0},
		        {"INSERT INTO conf_batch (id, t) VALUES (?, ?)", a, 2,
		         0},
		        {"UPDATE conf_batch SET n = 100 WHERE id = ?", d, 1,
		         0}};

		d[0].i = 10;
		rc = batch_run(c, conn, bad, 3,
		               STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT,
		               &failed, &e);
		check(rc == STRATA_DRV_ERROR && failed == 1,
		      "batch: a duplicate key in item 1 fails there (%s, "
		      "failed %zu)",
		      rc_name(rc), failed);
		check(bad[2].changes != 1,
		      "batch: the item after the failure changed nothing "
		      "(%" PRId64 ")",
		      bad[2].changes);
		check(e.message[0] != '\0',
		      "batch: with the database's message");
		err_reset(&e);
		rc = c->d->rollback(conn, &e);
		check_rc(rc, STRATA_DRV_OK, &e, "rollback",
		         "batch: rollback after the failure");
		if (other &&
		    query_row(c, other,
		              "SELECT count(*), max(n) FROM conf_batch", NULL,
		              0, &r, "batch: read after failure"))
			check(same(r.v[0][0], "1") && same(r.v[0][1], "1"),
			      "batch: nothing of it stayed, the item after the "
			      "failure never ran (%s rows, max %s)",
			      show(r.v[0][0]), show(r.v[0][1]));
		rows_free(&r);
	}

	/* No flags: the items join the caller's transaction. */
	err_reset(&e);
	rc = c->d->begin(conn, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "begin", "batch: begin by hand");
	b[0].i = 13;
	{
		strata_batch_item one[1] = {
		        {"INSERT INTO conf_batch (id) VALUES (?)", b, 1, 0}};

		rc = batch_run(c, conn, one, 1, 0, &failed, &e);
		check_rc(rc, STRATA_DRV_OK, &e, "batch",
		         "batch: inside the caller's transaction");
	}
	err_reset(&e);
	c->d->rollback(conn, &e);
	if (other &&
	    query_row(c, other, "SELECT count(*) FROM conf_batch WHERE id = 13",
	              NULL, 0, &r, "batch: read after rollback"))
		check(same(r.v[0][0], "0"),
		      "batch: its write rolled back with that transaction");
	rows_free(&r);
	if (other)
		c->d->close(other);
	/* The session is usable afterwards. */
	exec_ok(c, conn, "DROP TABLE conf_batch", "DROP TABLE conf_batch");
}

/* ---- STRATA_BATCH_ONE_ROW (ABI 2.7, with batch_flags) ---------------- */

/* An UPDATE that matches no row stops the batch before its COMMIT, in
 * the driver's own round trip; one that matches its row but changes
 * nothing passes (a match is what counts). */
static void t_batch_one_row(const conf *c, strata_conn *conn)
{
	strata_value a[1] = {{STRATA_VAL_INT, NULL, 20}};
	strata_value b[1] = {{STRATA_VAL_INT, NULL, 21}};
	strata_value fresh[1] = {{STRATA_VAL_INT, NULL, 22}};
	strata_value none[1] = {{STRATA_VAL_INT, NULL, 99}};
	unsigned all =
	        STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT | STRATA_BATCH_ONE_ROW;
	strata_conn *other;
	strata_dberr e;
	size_t failed;
	rows r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!STRATA_DRV_HAS(c->d, batch) ||
	    !(STRATA_DRV_BATCH_FLAGS(c->d) & STRATA_BATCH_ONE_ROW))
		return;
	if (!create_ok(c, conn,
	               "CREATE TABLE conf_one (id INTEGER NOT NULL PRIMARY "
	               "KEY, n INTEGER NOT NULL DEFAULT 0)",
	               "CREATE TABLE conf_one"))
		return;
	{
		strata_batch_item ok[3] = {
		        {"INSERT INTO conf_one (id) VALUES (?)", a, 1, 0},
		        {"UPDATE conf_one SET n = 0 WHERE id = ?", a, 1, 0},
		        {"INSERT INTO conf_one (id) VALUES (?)", b, 1, 0}};

		rc = batch_run(c, conn, ok, 3, all, &failed, &e);
		check_rc(rc, STRATA_DRV_OK, &e, "batch",
		         "one row: an UPDATE that matches without changing");
		check(ok[1].changes == 1,
		      "one row: its changes count the match (%" PRId64 ")",
		      ok[1].changes);
	}
	{
		strata_batch_item bad[3] = {
		        {"INSERT INTO conf_one (id) VALUES (?)", fresh, 1, 0},
		        {"UPDATE conf_one SET n = 1 WHERE id = ?", none, 1, 0},
		        {"UPDATE conf_one SET n = 1 WHERE id = ?", a, 1, 0}};

		rc = batch_run(c, conn, bad, 3, all, &failed, &e);
		check(rc == STRATA_DRV_ERROR && failed == 1,
		      "one row: an UPDATE that matches nothing fails there "
		      "(%s, failed %zu)",
		      rc_name(rc), failed);
		check(bad[1].changes == 0,
		      "one row: its changes say 0 (%" PRId64 ")",
		      bad[1].changes);
		err_reset(&e);
		c->d->rollback(conn, &e);
	}
	other = open_conn(c, "a second session for one row");
	if (other &&
	    query_row(c, other, "SELECT count(*), max(n) FROM conf_one", NULL,
	              0, &r, "one row: read back"))
		check(same(r.v[0][0], "2") && same(r.v[0][1], "0"),
		      "one row: nothing of the failed batch committed (%s "
		      "rows, max %s)",
		      show(r.v[0][0]), show(r.v[0][1]));
	rows_free(&r);
	if (other)
		c->d->close(other);
	exec_ok(c, conn, "DROP TABLE conf_one", "DROP TABLE conf_one");
}

/* ---- standby (ABI 2.4) ------------------------------------------------ */

/* The conformance target is writable (the other tests write to it), so
 * a standby() that answers must say it is not one. */
static void t_standby(const conf *c, strata_conn *conn)
{
	strata_dberr e;
	int standby = -1, rc;

	if (!STRATA_DRV_HAS(c->d, standby))
		return;
	err_reset(&e);
	rc = c->d->standby(conn, &standby, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "standby", "standby: answers");
	check(standby == 0, "standby: a writable server is none (%d)", standby);
}

/* ---- current_schema, table_exists ----------------------------------- */

static void t_current_schema(conf *c, strata_conn *conn)
{
	const char *given = "strata_conformance_other";
	strata_conn *other;
	strata_dberr e;
	char *out = NULL;
	int rc;

	if (!c->d->current_schema) {
		diag("current_schema is not set: no schema checks");
		return;
	}
	err_reset(&e);
	rc = c->d->current_schema(conn, NULL, "conf_tx", &out, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "current_schema",
	             "current_schema: the session's schema"))
		check(out && *out, "current_schema: is non-empty (%s)",
		      show(out));
	c->schema = out;

	out = NULL;
	err_reset(&e);
	rc = c->d->current_schema(conn, c->schema, "conf_tx", &out, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "current_schema",
	             "current_schema: with the schema given"))
		check(same(out, c->schema), "current_schema: returns it (%s)",
		      show(out));
	free(out);

	/* On a session of its own: the first answer may pin introspection. */
	if (!(other = open_conn(c, "for current_schema")))
		return;
	out = NULL;
	err_reset(&e);
	rc = c->d->current_schema(other, given, "conf_tx", &out, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "current_schema",
	             "current_schema: with another schema given"))
		check(same(out, given), "current_schema: returns that (%s)",
		      show(out));
	free(out);
	c->d->close(other);
}

static void exists_is(const conf *c, strata_conn *conn, const char *schema,
                      const char *table, int want)
{
	strata_dberr e;
	int rc, got = -1;

	err_reset(&e);
	rc = c->d->table_exists(conn, schema, table, &got, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "table_exists",
	             "table_exists(%s, %s)", schema ? schema : "NULL", table))
		check(got == want, "table_exists(%s, %s): %s (%d)",
		      schema ? schema : "NULL", table, want ? "yes" : "no",
		      got);
}

static void t_table_exists(const conf *c, strata_conn *conn)
{
	char q = c->d->dialect->ident_quote;
	char *sql = xprintf("CREATE TABLE %cconf.dotted%c (id INTEGER)", q, q);

	exists_is(c, conn, NULL, "conf_tx", 1);
	exists_is(c, conn, NULL, "conf_missing", 0);
	if (c->schema) {
		exists_is(c, conn, c->schema, "conf_tx", 1);
		exists_is(c, conn, c->schema, "conf_missing", 0);
	}
	/* Schema and table are passed apart: a dot is part of the name. */
	if (create_ok(c, conn, sql, "CREATE TABLE with a dot in its name")) {
		exists_is(c, conn, NULL, "conf.dotted", 1);
		exists_is(c, conn, NULL, "dotted", 0);
		if (c->schema)
			exists_is(c, conn, c->schema, "conf.dotted", 1);
	}
	free(sql);
}

/* ---- prepare (ABI 2.2, optional) ------------------------------------ */

static void t_prepare(const conf *c, strata_conn *conn)
{
	strata_dberr e;
	rows r;
	int rc;

	if (!STRATA_DRV_HAS(c->d, prepare))
		return;
	err_reset(&e);
	rc = c->d->prepare(conn, "SELECT 1", &e);
	check_rc(rc, STRATA_DRV_OK, &e, "prepare", "prepare: SELECT 1");
	err_reset(&e);
	rc = c->d->prepare(conn, "SELEC 1", &e);
	check(rc == STRATA_DRV_ERROR && e.message[0],
	      "prepare: SELEC 1 is STRATA_DRV_ERROR with the database's "
	      "message (%s: %s)",
	      rc_name(rc), e.message);
	/* A name is the database's to check, or the run's: an earlier
	 * pending migration may create it (MySQL leaves it to the run). */
	err_reset(&e);
	rc = c->d->prepare(conn, "SELECT * FROM conf_no_such_table", &e);
	check(rc == STRATA_DRV_OK || (rc == STRATA_DRV_ERROR && e.message[0]),
	      "prepare: a missing table is OK or STRATA_DRV_ERROR with a "
	      "message (%s: %s)",
	      rc_name(rc), e.message);
	if (!create_ok(c, conn, "CREATE TABLE conf_prep (id INTEGER)",
	               "CREATE TABLE conf_prep"))
		return;
	err_reset(&e);
	rc = c->d->prepare(conn, "INSERT INTO conf_prep (id) VALUES (1)", &e);
	check_rc(rc, STRATA_DRV_OK, &e, "prepare", "prepare: an INSERT");
	if (query_row(c, conn, "SELECT COUNT(*) FROM conf_prep", NULL, 0, &r,
	              "prepare: count conf_prep"))
		check(same(r.v[0][0], "0"),
		      "prepare: compiles without running (%s rows)",
		      show(r.v[0][0]));
	rows_free(&r);
}

/* ---- prepare_many (ABI 2.7, optional) -------------------------------- */

/* As prepare() for each: the first syntax error is the rejection, by
 * index; a statement that fails for another reason (its table is still
 * to be created) does not hide the ones after it; nothing runs. */
static void t_prepare_many(const conf *c, strata_conn *conn)
{
	const char *sqls[] = {"CREATE TABLE conf_many (id INTEGER)",
	                      "INSERT INTO conf_many (id) VALUES (1)",
	                      "SELECT 'it''s ?; -- not a comment'", "SELEC 2",
	                      "SELECT 3"};
	size_t bad = 0;
	strata_dberr e;
	int rc;

	if (!STRATA_DRV_HAS(c->d, prepare_many))
		return;
	err_reset(&e);
	rc = c->d->prepare_many(conn, sqls, 3, &bad, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "prepare_many",
	         "prepare_many: three that parse, one on a table to come");
	err_reset(&e);
	rc = c->d->prepare_many(conn, sqls, 5, &bad, &e);
	check(rc == STRATA_DRV_ERROR && bad == 3 && e.message[0],
	      "prepare_many: SELEC 2 is the rejection, index 3, with the "
	      "database's message (%s, %zu: %s)",
	      rc_name(rc), bad, e.message);
	err_reset(&e);
	rc = c->d->prepare_many(conn, sqls + 4, 1, &bad, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "prepare_many",
	         "prepare_many: the caller resumes after the rejection");
	{
		int exists = 1;

		err_reset(&e);
		rc = c->d->table_exists(conn, NULL, "conf_many", &exists, &e);
		check(rc == STRATA_DRV_OK && !exists,
		      "prepare_many: nothing ran (conf_many does not exist)");
	}
}

/* ---- catalog (ABI 2.3, optional) ------------------------------------ */

static int catalog_text(void *ctx, int ncols, const char *const *v)
{
	char **text = ctx;
	size_t n = *text ? strlen(*text) : 0;
	int i;

	for (i = 0; i < ncols; i++) {
		const char *f = v[i] ? v[i] : "\\N";
		size_t m = strlen(f);

		*text = realloc(*text, n + m + 2);
		memcpy(*text + n, f, m);
		n += m;
		(*text)[n++] = i + 1 < ncols ? '\t' : '\n';
		(*text)[n] = '\0';
	}
	return 0;
}

/* Whether no row of catalog text names a table (first column NULL). */
static int unnamed(const char *text)
{
	const char *p;

	for (p = text; *p; p = strchr(p, '\n') + 1)
		if (strncmp(p, "\\N\t", 3) != 0)
			return 0;
	return 1;
}

static char *catalog_read(const conf *c, strata_conn *conn, const char *what)
{
	strata_dberr e;
	char *text = NULL;
	int rc;

	err_reset(&e);
	rc = c->d->catalog(conn, catalog_text, &text, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "catalog", what);
	return text ? text : strdup("");
}

/* Equal schema, equal rows; any change the introspection sees must
 * change them, or status would miss drift. */
static void t_catalog(const conf *c, strata_conn *conn)
{
	strata_dberr e;
	char *a, *b;
	int rc;

	if (!STRATA_DRV_HAS(c->d, catalog))
		return;
	/* STRATA_DRV_ERROR: no digest on this server, this time (MySQL 8;
	 * MariaDB without PROCESS); the core then introspects. The built-in
	 * SQLite and PostgreSQL drivers always have one. */
	err_reset(&e);
	a = NULL;
	rc = c->d->catalog(conn, catalog_text, &a, &e);
	if (rc == STRATA_DRV_ERROR && strcmp(c->d->name, "sqlite") != 0 &&
	    strcmp(c->d->name, "postgres") != 0) {
		diag("catalog: none here (%s)", e.message);
		free(a);
		return;
	}
	check_rc(rc, STRATA_DRV_OK, &e, "catalog", "catalog: read");
	if (!a)
		a = strdup("");
	b = catalog_read(c, conn, "catalog: read again");
	check(!strcmp(a, b), "catalog: the same rows twice");
	free(b);
	if (create_ok(c, conn, "CREATE TABLE conf_cat (id INTEGER)",
	              "CREATE TABLE conf_cat")) {
		b = catalog_read(c, conn, "catalog: after CREATE TABLE");
		check(strcmp(a, b) != 0, "catalog: a new table changes it");
		check(strstr(b, "conf_cat") != NULL || unnamed(b),
		      "catalog: the table's rows name it (or no row names a "
		      "table: a digest of many tables at once)");
		free(a);
		a = b;
		exec_ok(c, conn, "CREATE INDEX conf_cat_i ON conf_cat (id)",
		        "CREATE INDEX conf_cat_i");
		b = catalog_read(c, conn, "catalog: after CREATE INDEX");
		check(strcmp(a, b) != 0, "catalog: a new index changes it");
		free(b);
	}
	free(a);
}

/* ---- lock ------------------------------------------------------------ */

static int lock_call(const conf *c, strata_conn *conn, const char *name,
                     unsigned timeout_ms, long long *elapsed, strata_dberr *e)
{
	long long t0 = now_ms();
	int rc;

	err_reset(e);
	rc = c->d->lock(conn, name, timeout_ms, e);
	*elapsed = now_ms() - t0;
	return rc;
}

static void lock_check_ok(const conf *c, strata_conn *conn, const char *name,
                          const char *who)
{
	strata_dberr e;
	int rc;

	if (!c->d->lock_check)
		return;
	err_reset(&e);
	rc = c->d->lock_check(conn, name, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "lock_check",
	         "lock_check: OK while %s holds the lock", who);
}

static void t_lock(const conf *c)
{
	char *name = c->schema ? xprintf("%s.strata_conformance", c->schema)
	                       : xstrdup("strata_conformance");
	strata_conn *a, *b, *third;
	strata_dberr e;
	long long ms;
	int rc;

	a = open_conn(c, "lock session A");
	b = open_conn(c, "lock session B");
	if (!a || !b)
		goto out;
	rc = lock_call(c, a, name, 0, &ms, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "lock", "lock: A takes the lock"))
		goto out;
	lock_check_ok(c, a, name, "A");

	rc = lock_call(c, b, name, 0, &ms, &e);
	check_rc(rc, STRATA_DRV_TIMEOUT, &e, "lock",
	         "lock: B with timeout 0 gets STRATA_DRV_TIMEOUT");
	check(ms <= (long long)c->slack_ms,
	      "lock: at once (%lld ms, at most %u)", ms, c->slack_ms);

	rc = lock_call(c, b, name, LOCK_WAIT_MS, &ms, &e);
	check_rc(rc, STRATA_DRV_TIMEOUT, &e, "lock",
	         "lock: B with timeout %d ms gets STRATA_DRV_TIMEOUT",
	         LOCK_WAIT_MS);
	check(ms >= LOCK_WAIT_MS - EARLY_TOLERANCE_MS,
	      "lock: not before the timeout (%lld ms)", ms);
	check(ms <= LOCK_WAIT_MS + (long long)c->slack_ms,
	      "lock: nor much after (%lld ms, at most %d + %u)", ms,
	      LOCK_WAIT_MS, c->slack_ms);
	lock_check_ok(c, a, name, "A (after B gave up)");

	err_reset(&e);
	rc = c->d->unlock(a, name, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "unlock", "unlock: A lets go");
	rc = lock_call(c, b, name, LOCK_WAIT_MS, &ms, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "lock",
	              "lock: then B gets it (%lld ms)", ms))
		goto out;
	lock_check_ok(c, b, name, "B");

	/* close() releases a held lock. */
	c->d->close(b);
	b = NULL;
	if (!(third = open_conn(c, "lock session C")))
		goto out;
	rc = lock_call(c, third, name, LOCK_WAIT_MS, &ms, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "lock",
	         "lock: close() released it: a third session gets it");
	err_reset(&e);
	rc = c->d->unlock(third, name, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "unlock", "unlock: the third session");
	c->d->close(third);
out:
	if (a)
		c->d->close(a);
	if (b)
		c->d->close(b);
	free(name);
}

/* ---- STRATA_BATCH_LOCKED and lock_guard (ABI 2.8) -------------------- */

/* One locked batch: INSERT id; rc, with *failed. */
static int locked_insert(const conf *c, strata_conn *conn, int64_t id,
                         size_t *failed, strata_dberr *e)
{
	strata_value v[1] = {{STRATA_VAL_INT, NULL, 0}};
	strata_batch_item it[1] = {
	        {"INSERT INTO conf_locked (id) VALUES (?)", v, 1, 0}};

	v[0].i = id;
	return batch_run(c, conn, it, 1,
	                 STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT |
	                         STRATA_BATCH_LOCKED,
	                 failed, e);
}

/* A locked batch that must fail at its COMMIT (index 1), rolled back. */
static void locked_refused(const conf *c, strata_conn *conn, int64_t id,
                           const char *when)
{
	strata_dberr e;
	size_t failed;
	int rc = locked_insert(c, conn, id, &failed, &e);

	check(rc == STRATA_DRV_ERROR && failed == 1,
	      "locked: %s, the batch fails at the COMMIT (%s, failed %zu)",
	      when, rc_name(rc), failed);
	err_reset(&e);
	c->d->rollback(conn, &e);
}

/* A commit armed by lock_guard() goes through while the lock session
 * holds the lock, and fails at the COMMIT's index, committing nothing,
 * once it does not: released, or taken by another session. */
static void t_batch_locked(const conf *c, strata_conn *conn)
{
	char *name = c->schema ? xprintf("%s.strata_conf_guard", c->schema)
	                       : xstrdup("strata_conf_guard");
	strata_conn *a = NULL, *b = NULL;
	strata_dberr e;
	size_t failed;
	long long ms;
	rows r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (!(STRATA_DRV_BATCH_FLAGS(c->d) & STRATA_BATCH_LOCKED))
		goto out;
	if (!check(STRATA_DRV_HAS(c->d, lock_guard) &&
	                   STRATA_DRV_HAS(c->d, batch),
	           "locked: batch_flags has STRATA_BATCH_LOCKED, so "
	           "lock_guard and batch are set") ||
	    !create_ok(c, conn,
	               "CREATE TABLE conf_locked (id INTEGER NOT NULL "
	               "PRIMARY KEY)",
	               "CREATE TABLE conf_locked"))
		goto out;
	a = open_conn(c, "lock session A for lock_guard");
	b = open_conn(c, "lock session B for lock_guard");
	if (!a || !b)
		goto out;
	err_reset(&e);
	rc = c->d->lock_guard(conn, a, name, &e);
	check(rc != STRATA_DRV_OK,
	      "locked: lock_guard refuses a lock session without the lock");
	locked_refused(c, conn, 1, "on an unarmed session");
	rc = lock_call(c, a, name, 0, &ms, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "lock",
	              "locked: A takes the lock"))
		goto out;
	err_reset(&e);
	rc = c->d->lock_guard(conn, a, name, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "lock_guard",
	              "locked: arms the session while A holds the lock"))
		goto out;
	rc = locked_insert(c, conn, 2, &failed, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "batch",
	         "locked: commits while A holds the lock");

	err_reset(&e);
	rc = c->d->unlock(a, name, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "unlock", "locked: A lets go");
	locked_refused(c, conn, 3, "released");
	rc = lock_call(c, b, name, 0, &ms, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "lock", "locked: B takes it")) {
		locked_refused(c, conn, 4, "held by another session");
		err_reset(&e);
		c->d->unlock(b, name, &e);
	}
	if (query_row(c, conn, "SELECT count(*), max(id) FROM conf_locked",
	              NULL, 0, &r, "locked: read back"))
		check(same(r.v[0][0], "1") && same(r.v[0][1], "2"),
		      "locked: only the batch under the lock committed (%s "
		      "rows, max %s)",
		      show(r.v[0][0]), show(r.v[0][1]));
	rows_free(&r);
	exec_ok(c, conn, "DROP TABLE conf_locked", "DROP TABLE conf_locked");
out:
	if (a)
		c->d->close(a);
	if (b)
		c->d->close(b);
	free(name);
}

/* ---- introspect ------------------------------------------------------ */

#define MAX_SEEN 256

typedef struct col_seen {
	char *table, *name, *type, *def;
	int nullable;
} col_seen;

typedef struct idx_seen {
	char *table, *name, *columns;
	int unique, primary;
} idx_seen;

typedef struct fk_seen {
	char *table, *name, *columns, *ref_table, *ref_columns, *on_delete;
} fk_seen;

typedef struct seen {
	int abort_at_table; /* return non-zero from table() */
	int ntables, ncols, nidx, nfks, nobjs, bad_rows, saw_view;
	char *tables[MAX_SEEN];
	col_seen cols[MAX_SEEN];
	idx_seen idx[MAX_SEEN];
	fk_seen fks[MAX_SEEN];
} seen;

static int on_table(void *ctx, const char *table, int64_t est_rows)
{
	seen *s = ctx;

	if (s->abort_at_table)
		return 1;
	if (est_rows < -1)
		s->bad_rows++;
	if (s->ntables < MAX_SEEN)
		s->tables[s->ntables++] = xstrdup(table);
	return 0;
}

static int on_column(void *ctx, const char *table, const char *column,
                     const char *type, int nullable, const char *def)
{
	seen *s = ctx;
	col_seen *k;

	if (s->ncols >= MAX_SEEN)
		return 0;
	k = &s->cols[s->ncols++];
	k->table = xstrdup(table);
	k->name = xstrdup(column);
	k->type = xstrdup(type);
	k->def = xstrdup(def);
	k->nullable = nullable;
	return 0;
}

static int on_index(void *ctx, const char *table, const char *index, int unique,
                    int primary, const char *columns)
{
	seen *s = ctx;
	idx_seen *k;

	if (s->nidx >= MAX_SEEN)
		return 0;
	k = &s->idx[s->nidx++];
	k->table = xstrdup(table);
	k->name = xstrdup(index);
	k->columns = xstrdup(columns);
	k->unique = unique;
	k->primary = primary;
	return 0;
}

static int on_fk(void *ctx, const char *table, const char *name,
                 const char *columns, const char *ref_table,
                 const char *ref_columns, const char *on_delete,
                 const char *on_update)
{
	seen *s = ctx;
	fk_seen *k;

	(void)on_update;
	if (s->nfks >= MAX_SEEN)
		return 0;
	k = &s->fks[s->nfks++];
	k->table = xstrdup(table);
	k->name = xstrdup(name);
	k->columns = xstrdup(columns);
	k->ref_table = xstrdup(ref_table);
	k->ref_columns = xstrdup(ref_columns);
	k->on_delete = xstrdup(on_delete);
	return 0;
}

static int on_object(void *ctx, const char *kind, const char *name,
                     const char *table)
{
	seen *s = ctx;

	(void)table;
	s->nobjs++;
	if (same(kind, "view") && same(name, "conf_parent_v"))
		s->saw_view = 1;
	return 0;
}

static void seen_free(seen *s)
{
	int i;

	for (i = 0; i < s->ntables; i++)
		free(s->tables[i]);
	for (i = 0; i < s->ncols; i++) {
		free(s->cols[i].table);
		free(s->cols[i].name);
		free(s->cols[i].type);
		free(s->cols[i].def);
	}
	for (i = 0; i < s->nidx; i++) {
		free(s->idx[i].table);
		free(s->idx[i].name);
		free(s->idx[i].columns);
	}
	for (i = 0; i < s->nfks; i++) {
		free(s->fks[i].table);
		free(s->fks[i].name);
		free(s->fks[i].columns);
		free(s->fks[i].ref_table);
		free(s->fks[i].ref_columns);
		free(s->fks[i].on_delete);
	}
}

static int introspect(const conf *c, strata_conn *conn, seen *s,
                      strata_dberr *e)
{
	strata_schema_sink sink;

	sink.ctx = s;
	sink.table = on_table;
	sink.column = on_column;
	sink.index = on_index;
	sink.foreign_key = on_fk;
	sink.object = on_object;
	err_reset(e);
	return c->d->introspect(conn, &sink, e);
}

/* Tables and columns only: a sink without index, foreign_key and object
 * (ABI 2.6), as the linter passes. */
static int introspect_lean(const conf *c, strata_conn *conn, seen *s,
                           strata_dberr *e)
{
	strata_schema_sink sink;

	memset(&sink, 0, sizeof(sink));
	sink.ctx = s;
	sink.table = on_table;
	sink.column = on_column;
	err_reset(e);
	return c->d->introspect(conn, &sink, e);
}

static int table_seen(const seen *s, const char *t)
{
	int i;

	for (i = 0; i < s->ntables; i++)
		if (same(s->tables[i], t))
			return 1;
	return 0;
}

static const col_seen *col_find(const seen *s, const char *t, const char *n)
{
	int i;

	for (i = 0; i < s->ncols; i++)
		if (same(s->cols[i].table, t) && same(s->cols[i].name, n))
			return &s->cols[i];
	return NULL;
}

/* "a,b,c": the columns of t in the order they were reported. */
static char *col_order(const seen *s, const char *t)
{
	char *out = xstrdup(""), *next;
	int i;

	for (i = 0; i < s->ncols; i++) {
		if (!same(s->cols[i].table, t))
			continue;
		next = xprintf("%s%s%s", out, *out ? "," : "",
		               show(s->cols[i].name));
		free(out);
		out = next;
	}
	return out;
}

static void column_is(const seen *s, const char *t, const char *n, int nullable)
{
	const col_seen *k = col_find(s, t, n);

	if (!check(k != NULL, "introspect: column %s.%s", t, n))
		return;
	check(k->nullable == nullable, "introspect: %s.%s is %s (%d)", t, n,
	      nullable ? "nullable" : "NOT NULL", k->nullable);
	check(k->type && *k->type, "introspect: %s.%s has a type (%s)", t, n,
	      show(k->type));
}

static const idx_seen *idx_on(const seen *s, const char *t, const char *cols,
                              int primary)
{
	int i;

	for (i = 0; i < s->nidx; i++)
		if (same(s->idx[i].table, t) && same(s->idx[i].columns, cols) &&
		    !s->idx[i].primary == !primary)
			return &s->idx[i];
	return NULL;
}

static void diag_indexes(const seen *s, const char *t)
{
	int i;

	for (i = 0; i < s->nidx; i++)
		if (same(s->idx[i].table, t))
			diag("index %s on %s (%s) unique=%d primary=%d",
			     show(s->idx[i].name), t, show(s->idx[i].columns),
			     s->idx[i].unique, s->idx[i].primary);
}

/* The same schema through a sink without index, foreign_key and object,
 * for a driver that takes one (ABI 2.6, STRATA_INTROSPECT_PARTIAL): the
 * same tables and columns, in the same order. */
static void t_introspect_lean(const conf *c, strata_conn *conn,
                              const seen *full)
{
	seen *s;
	strata_dberr e;
	char *a, *b;
	int rc, i;

	if (c->d->struct_size < abi_end[6] ||
	    !(c->d->introspect_flags & STRATA_INTROSPECT_PARTIAL))
		return;
	if (!(s = calloc(1, sizeof(*s))))
		bail("out of memory");
	rc = introspect_lean(c, conn, s, &e);
	if (check_rc(rc, STRATA_DRV_OK, &e, "introspect",
	             "introspect with only table and column")) {
		check(s->ntables == full->ntables && s->ncols == full->ncols,
		      "introspect with only table and column: %d tables and "
		      "%d columns, as with the whole sink (%d, %d)",
		      s->ntables, s->ncols, full->ntables, full->ncols);
		for (i = 0; i < full->ntables; i++) {
			a = col_order(full, full->tables[i]);
			b = col_order(s, full->tables[i]);
			check(!strcmp(a, b),
			      "introspect with only table and column: %s has "
			      "(%s) (whole sink: (%s))",
			      show(full->tables[i]), b, a);
			free(a);
			free(b);
		}
	}
	seen_free(s);
	free(s);
}

static void t_introspect(const conf *c, strata_conn *conn)
{
	static const char parent_cols[] = "id,code,label";
	static const char child_cols[] = "id,parent_id,note";
	const col_seen *k;
	const idx_seen *x;
	const fk_seen *f = NULL;
	strata_dberr e;
	char *order;
	seen *s = calloc(1, sizeof(*s));
	int i, rc;

	if (!s)
		bail("out of memory");
	if (!create_ok(c, conn,
	               "CREATE TABLE conf_parent (id INTEGER NOT NULL PRIMARY "
	               "KEY, code VARCHAR(20) NOT NULL, label VARCHAR(50) "
	               "DEFAULT 'none')",
	               "CREATE TABLE conf_parent") ||
	    !exec_ok(c, conn,
	             "CREATE UNIQUE INDEX conf_parent_code_key ON conf_parent "
	             "(code)",
	             "CREATE UNIQUE INDEX") ||
	    !create_ok(c, conn,
	               "CREATE TABLE conf_child (id INTEGER NOT NULL PRIMARY "
	               "KEY, parent_id INTEGER NOT NULL, note VARCHAR(50), "
	               "CONSTRAINT conf_child_parent_fk FOREIGN KEY "
	               "(parent_id) REFERENCES conf_parent (id) ON DELETE "
	               "CASCADE)",
	               "CREATE TABLE conf_child with a foreign key") ||
	    !exec_ok(c, conn,
	             "CREATE INDEX conf_child_note_idx ON conf_child (note)",
	             "CREATE INDEX") ||
	    !exec_ok(c, conn,
	             "CREATE VIEW conf_parent_v AS SELECT id, code FROM "
	             "conf_parent",
	             "CREATE VIEW")) {
		free(s);
		return;
	}
	if (mysql_case_names(c, conn))
		exec_ok(c, conn,
		        "CREATE VIEW CONF_CHILD AS SELECT id AS view_col FROM "
		        "conf_parent",
		        "CREATE VIEW CONF_CHILD beside the table conf_child");

	rc = introspect(c, conn, s, &e);
	if (!check_rc(rc, STRATA_DRV_OK, &e, "introspect", "introspect"))
		goto out;
	check(table_seen(s, "conf_parent") && table_seen(s, "conf_child"),
	      "introspect: both tables reported (%d tables)", s->ntables);
	check(s->bad_rows == 0, "introspect: est_rows is -1 or a count");

	order = col_order(s, "conf_parent");
	check(!strcmp(order, parent_cols),
	      "introspect: conf_parent columns in ordinal order (%s)", order);
	free(order);
	order = col_order(s, "conf_child");
	check(!strcmp(order, child_cols),
	      "introspect: conf_child columns in ordinal order (%s)", order);
	free(order);
	check(!table_seen(s, "conf_parent_v") &&
	              !col_find(s, "conf_parent_v", "id"),
	      "introspect: a view is not a table, nor its columns a table's");
	check(!table_seen(s, "CONF_CHILD") &&
	              !col_find(s, "CONF_CHILD", "view_col") &&
	              !col_find(s, "conf_child", "view_col"),
	      "introspect: a view's columns are not those of a table whose "
	      "name differs only in case");
	check(s->saw_view,
	      "introspect: the view is an object of kind view "
	      "(%d objects)",
	      s->nobjs);
	column_is(s, "conf_parent", "id", 0);
	column_is(s, "conf_parent", "code", 0);
	column_is(s, "conf_parent", "label", 1);
	column_is(s, "conf_child", "parent_id", 0);
	column_is(s, "conf_child", "note", 1);
	if ((k = col_find(s, "conf_parent", "label")))
		check(k->def && strstr(k->def, "none"),
		      "introspect: conf_parent.label has its default (%s)",
		      show(k->def));
	if ((k = col_find(s, "conf_parent", "code")))
		check(k->def == NULL,
		      "introspect: conf_parent.code has no default (%s)",
		      show(k->def));

	x = idx_on(s, "conf_parent", "id", 1);
	if (!check(x && x->unique,
	           "introspect: the primary key is a unique primary index on "
	           "(id)"))
		diag_indexes(s, "conf_parent");
	x = idx_on(s, "conf_parent", "code", 0);
	if (!check(x && same(x->name, "conf_parent_code_key") && x->unique,
	           "introspect: unique index conf_parent_code_key on (code)"))
		diag_indexes(s, "conf_parent");
	x = idx_on(s, "conf_child", "note", 0);
	if (!check(x && same(x->name, "conf_child_note_idx") && !x->unique,
	           "introspect: non-unique index conf_child_note_idx on "
	           "(note)"))
		diag_indexes(s, "conf_child");

	for (i = 0; i < s->nfks && !f; i++)
		if (same(s->fks[i].table, "conf_child"))
			f = &s->fks[i];
	if (check(f != NULL, "introspect: the foreign key of conf_child")) {
		check(same(f->columns, "parent_id") &&
		              same(f->ref_table, "conf_parent") &&
		              same(f->ref_columns, "id"),
		      "introspect: it is (parent_id) -> conf_parent (id) "
		      "(got (%s) -> %s (%s))",
		      show(f->columns), show(f->ref_table),
		      show(f->ref_columns));
		check(f->on_delete && !strcasecmp(f->on_delete, "CASCADE"),
		      "introspect: ON DELETE CASCADE (%s)", show(f->on_delete));
	}
	t_introspect_lean(c, conn, s);
out:
	seen_free(s);
	memset(s, 0, sizeof(*s));
	s->abort_at_table = 1;
	rc = introspect(c, conn, s, &e);
	check(rc != STRATA_DRV_OK,
	      "introspect: a sink returning non-zero aborts it (%s)",
	      rc_name(rc));
	seen_free(s);
	free(s);
	exec(c, conn, "DROP VIEW IF EXISTS conf_parent_v", &e);
	if (mysql_case_names(c, conn))
		exec(c, conn, "DROP VIEW IF EXISTS CONF_CHILD", &e);
}

/* PostgreSQL turns JIT off while it introspects (its cost estimates would
 * compile every index query): the session's setting must come back, also
 * inside the caller's transaction. */
static void t_pg_jit_kept(const conf *c, strata_conn *conn)
{
	static const char *const how[] = {"outside a transaction",
	                                  "inside the caller's transaction"};
	strata_dberr e;
	seen *s;
	char *v = NULL;
	int i;

	if (strcmp(c->d->dialect->name, "postgres"))
		return;
	err_reset(&e);
	c->d->query(conn, "SELECT current_setting('jit', true)", NULL, 0,
	            first_value, &v, &e);
	if (!v)
		return; /* before PostgreSQL 11 */
	free(v);
	for (i = 0; i < 2; i++) {
		exec_ok(c, conn, i ? "BEGIN" : "SET jit = on", "jit on");
		if (i)
			exec_ok(c, conn, "SET LOCAL jit = on", "jit on");
		s = calloc(1, sizeof(*s));
		if (!s)
			bail("out of memory");
		introspect(c, conn, s, &e);
		seen_free(s);
		free(s);
		v = NULL;
		err_reset(&e);
		c->d->query(conn, "SHOW jit", NULL, 0, first_value, &v, &e);
		check(v && !strcmp(v, "on"),
		      "introspect: the session's jit is back %s (%s)", how[i],
		      show(v));
		free(v);
		if (i)
			exec(c, conn, "ROLLBACK", &e);
	}
}

/* ---- table_rows (ABI 2.5), on t_introspect's tables ------------------ */

static void t_table_rows(const conf *c, strata_conn *conn)
{
	strata_dberr e;
	int64_t n = -2;
	int rc;

	if (!STRATA_DRV_HAS(c->d, table_rows))
		return;
	err_reset(&e);
	rc = c->d->table_rows(conn, "conf_parent", &n, &e);
	check_rc(rc, STRATA_DRV_OK, &e, "table_rows", "table_rows: answers");
	check(n >= 0, "table_rows: a table has an estimate (%lld)",
	      (long long)n);
	n = -2;
	err_reset(&e);
	rc = c->d->table_rows(conn, "conf_no_such_table", &n, &e);
	check(rc == STRATA_DRV_OK && n == -1,
	      "table_rows: no table, no estimate (%s, %lld)", rc_name(rc),
	      (long long)n);
	if (!mysql_case_names(c, conn))
		return;
	n = -2;
	err_reset(&e);
	rc = c->d->table_rows(conn, "CONF_PARENT", &n, &e);
	check(rc == STRATA_DRV_OK && n == -1,
	      "table_rows: a name that differs in case is another table "
	      "(%s, %lld)",
	      rc_name(rc), (long long)n);
}

/* ---- main ------------------------------------------------------------ */

static void usage(void)
{
	fprintf(stderr, "usage: strata_conformance [--slack-ms N] MODULE "
	                "URL\n"
	                "  MODULE: path to strata_<name>.la or .so (or "
	                "without extension)\n"
	                "  URL: a fresh, empty database the test may write "
	                "to\n");
	exit(2);
}

/* "dir/strata_name.la" -> base "dir/strata_name", name "name". */
static char *module_base(const char *path, const char **name)
{
	char *base = xstrdup(path), *slash, *dot;

	slash = strrchr(base, '/');
	slash = slash ? slash + 1 : base;
	dot = strrchr(slash, '.');
	if (dot && (!strcmp(dot, ".la") || !strcmp(dot, ".so")))
		*dot = '\0';
	if (strncmp(slash, "strata_", 7) != 0 || !slash[7])
		bail("%s: a driver module is named strata_<name>", path);
	*name = slash + 7;
	return base;
}

int main(int argc, char **argv)
{
	strata__url_owned url;
	strata_error uerr;
	conf c;
	lt_dlhandle h;
	strata_conn *conn;
	char *base, *sym;
	int i = 1;

	memset(&c, 0, sizeof(c));
	c.slack_ms = DEFAULT_SLACK_MS;
	if (argc == 5 && !strcmp(argv[1], "--slack-ms")) {
		c.slack_ms = (unsigned)strtoul(argv[2], NULL, 10);
		i = 3;
	}
	if (argc - i != 2)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	base = module_base(argv[i], &c.name);
	if (lt_dlinit() != 0)
		bail("libltdl: %s", lt_dlerror());
	if (!(h = lt_dlopenext(base)))
		bail("%s: cannot load: %s", argv[i], lt_dlerror());
	sym = xprintf("%s%s", STRATA_DRIVER_SYMBOL_PREFIX, c.name);
	c.d = (const strata_driver *)lt_dlsym(h, sym);
	if (!c.d)
		bail("%s: no symbol %s", argv[i], sym);
	printf("# driver %s from %s\n", c.name, argv[i]);

	/* The URL as the core reads it for this driver: in the form it
	 * declares (a vtable too old to hold url_form: as written). */
	memset(&uerr, 0, sizeof(uerr));
	if (strata__url_parse_as(
	            &url, argv[i + 1],
	            c.d->abi_version >> 16 == STRATA_DRIVER_ABI_MAJOR &&
	                            c.d->struct_size >= abi_end[0]
	                    ? c.d->url_form
	                    : strata__url_form_hint(argv[i + 1]),
	            &uerr))
		bail("cannot parse the URL: %s", show(uerr.message));
	t_url = &url.url;
	c.url = &url.url;

	t_vtable(&c);
	t_init(&c);
	t_split(&c);
	t_split_agrees(&c);
	t_analyze(&c);
	conn = t_connect(&c);
	t_exec(&c, conn);
	t_query(&c, conn);
	t_changes(&c, conn);
	t_transactions(&c, conn);
	t_current_schema(&c, conn);
	t_table_exists(&c, conn);
	t_prepare(&c, conn);
	t_prepare_many(&c, conn);
	t_catalog(&c, conn);
	t_batch(&c, conn);
	t_batch_one_row(&c, conn);
	t_standby(&c, conn);
	t_lock(&c);
	t_batch_locked(&c, conn);
	t_introspect(&c, conn);
	t_pg_jit_kept(&c, conn);
	t_table_rows(&c, conn);
	c.d->close(conn);
	check(1, "close");

	free(c.schema);
	free(sym);
	free(base);
	strata__url_free(&url);
	strata_error_clear(&uerr);
	/* Client libraries keep process-wide state past unloading (see the
	 * core's loader): the module stays mapped until exit. */
	printf("1..%d\n", t_n);
	return t_failed ? 1 : 0;
}
