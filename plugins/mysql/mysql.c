/*
 * strata driver for MySQL and MariaDB, built on MariaDB Connector/C.
 *
 * URL: mysql://user:password@host:port/database?param=value
 *   host starting with '/'  unix socket path (so does socket=/path)
 *   socket=/path            unix socket; the host must then be absent or
 *                           "localhost"
 *   charset=name            connection character set (default utf8mb4)
 *   connect_timeout=secs    default 10
 *   ssl-mode / sslmode      "disable"/"disabled": never request TLS;
 *                           "require"/"required": TLS mandatory, server
 *                           certificate not verified (like MySQL REQUIRED);
 *                           connect fails if the session is not encrypted.
 *                           Absent: Connector/C's default. Nothing else.
 * As with the mysql client, host "localhost" (the default) means the
 * default unix socket, not TCP. Any other parameter, or a bad value, is a
 * configuration error (STRATA_DRV_CONFIG).
 *
 * Prepared-statement results are read in stmt.c, introspection is in
 * introspect.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"

#define DRIVER_VERSION          "0.1.0"
#define DEFAULT_CHARSET         "utf8mb4"
#define DEFAULT_CONNECT_TIMEOUT 10u
#define LOCK_NAME_MAX           64   /* MySQL rejects longer GET_LOCK names */
#define CR_TLS_ERROR            2026 /* CR_SSL_CONNECTION_ERROR (errmsg.h) */
/*
 * strata's sessions idle while it waits for the lock (the migration
 * session) or while the migrations run (the lock session): a short
 * wait_timeout (init_sql, server default) must not end them. A year is the
 * longest the server accepts.
 */
#define NO_IDLE_TIMEOUT                                                        \
	"SESSION wait_timeout = 31536000, interactive_timeout = 31536000"

/* ---- errors ---------------------------------------------------------- */

/* Copy a message into err on one line: the core prints it as one. */
static void err_set(strata_dberr *err, int code, const char *state,
                    const char *msg)
{
	char *p;

	if (!err)
		return;
	err->code = code;
	snprintf(err->sqlstate, sizeof err->sqlstate, "%.5s",
	         state ? state : "");
	snprintf(err->message, sizeof err->message, "%s", msg ? msg : "");
	for (p = err->message; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

/* A driver-side error (no server code); returns rc for tail calls. */
int my__err_fmt(strata_dberr *err, int rc, const char *fmt, ...)
{
	char msg[sizeof err->message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(err, 0, "", msg);
	return rc;
}

int my__err_nomem(strata_dberr *err)
{
	return my__err_fmt(err, STRATA_DRV_NOMEM, "out of memory");
}

static int err_db(strata_dberr *err, MYSQL *db)
{
	err_set(err, (int)mysql_errno(db), mysql_sqlstate(db), mysql_error(db));
	return STRATA_DRV_ERROR;
}

int my__err_stmt(strata_dberr *err, MYSQL_STMT *st)
{
	err_set(err, (int)mysql_stmt_errno(st), mysql_stmt_sqlstate(st),
	        mysql_stmt_error(st));
	return STRATA_DRV_ERROR;
}

/* ---- small helpers --------------------------------------------------- */

const char *my__nz(const char *s)
{
	return s ? s : "";
}

/* ---- connect --------------------------------------------------------- */

typedef struct conn_opts {
	const char *host;
	const char *socket;
	const char *charset;
	unsigned timeout;
	int ssl; /* -1: connector default, 0: disable, 1: require */
} conn_opts;

static int parse_uint(const char *s, unsigned *out)
{
	char *end;
	unsigned long v;

	if (*s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > 0xFFFFFFFFul)
		return -1;
	*out = (unsigned)v;
	return 0;
}

static int parse_ssl_mode(const char *v, int *ssl)
{
	if (!strcasecmp(v, "disable") || !strcasecmp(v, "disabled"))
		*ssl = 0;
	else if (!strcasecmp(v, "require") || !strcasecmp(v, "required"))
		*ssl = 1;
	else
		return -1;
	return 0;
}

static int parse_param(const strata_url_param *p, conn_opts *o,
                       strata_dberr *err)
{
	const char *k = my__nz(p->key), *v = my__nz(p->value);

	if (!strcmp(k, "socket"))
		o->socket = v;
	else if (!strcmp(k, "charset"))
		o->charset = v;
	else if (!strcmp(k, "connect_timeout")) {
		if (parse_uint(v, &o->timeout))
			return my__err_fmt(err, STRATA_DRV_CONFIG,
			                   "invalid connect_timeout '%s'", v);
	} else if (!strcmp(k, "ssl-mode") || !strcmp(k, "sslmode")) {
		if (parse_ssl_mode(v, &o->ssl))
			return my__err_fmt(
			        err, STRATA_DRV_CONFIG,
			        "unsupported %s '%s' (use disable or "
			        "require)",
			        k, v);
	} else
		return my__err_fmt(err, STRATA_DRV_CONFIG,
		                   "unknown URL parameter '%s' (known: socket, "
		                   "charset, connect_timeout, ssl-mode)",
		                   k);
	return STRATA_DRV_OK;
}

/* Connector/C only uses the socket when the host is "localhost". */
static int resolve_host(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	const char *h = url->host && *url->host ? url->host : NULL;

	if (h && h[0] == '/') {
		if (o->socket && *o->socket)
			return my__err_fmt(
			        err, STRATA_DRV_CONFIG,
			        "both a socket host and socket= given");
		o->socket = h;
		h = NULL;
	}
	if (o->socket && !*o->socket)
		o->socket = NULL;
	if (o->socket && h && strcmp(h, "localhost"))
		return my__err_fmt(err, STRATA_DRV_CONFIG,
		                   "socket= conflicts with host '%s'", h);
	o->host = h ? h : "localhost";
	return STRATA_DRV_OK;
}

static int parse_opts(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	size_t i;
	int rc;

	memset(o, 0, sizeof *o);
	o->charset = DEFAULT_CHARSET;
	o->timeout = DEFAULT_CONNECT_TIMEOUT;
	o->ssl = -1;
	for (i = 0; i < url->nparams; i++)
		if ((rc = parse_param(&url->params[i], o, err)) !=
		    STRATA_DRV_OK)
			return rc;
	return resolve_host(url, o, err);
}

static int set_options(MYSQL *db, const conn_opts *o, strata_dberr *err)
{
	my_bool on = 1, off = 0;
	int bad = 0;

	bad |= mysql_options(db, MYSQL_SET_CHARSET_NAME, o->charset);
	bad |= mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &o->timeout);
	/* Truncation must be reported: query() re-fetches long values. */
	bad |= mysql_options(db, MYSQL_REPORT_DATA_TRUNCATION, &on);
	/* A reconnected session has silently lost the advisory lock. */
	bad |= mysql_options(db, MYSQL_OPT_RECONNECT, &off);
	if (o->ssl >= 0) {
		bad |= mysql_options(db, MYSQL_OPT_SSL_ENFORCE,
		                     o->ssl ? &on : &off);
		bad |= mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		                     &off);
	}
	if (bad)
		return my__err_fmt(err, STRATA_DRV_ERROR,
		                   "cannot set connection options");
	return STRATA_DRV_OK;
}

static int set_version(strata_conn *c, strata_dberr *err)
{
	const char *info = my__nz(mysql_get_server_info(c->db));
	const char *vendor = strstr(info, "MariaDB") ? "MariaDB" : "MySQL";
	size_t n = strlen(vendor) + 1 + strlen(info) + 1;

	if (!(c->version = malloc(n)))
		return my__err_nomem(err);
	snprintf(c->version, n, "%s %s", vendor, info);
	return STRATA_DRV_OK;
}

static void conn_free(strata_conn *c)
{
	if (!c)
		return;
	if (c->db)
		mysql_close(c->db); /* also releases GET_LOCK locks */
	free(c->version);
	free(c->lock_name);
	free(c->home_db);
	free(c);
}

/*
 * No MULTI_STATEMENTS: the core splits scripts. MULTI_RESULTS is needed
 * for CALL. FOUND_ROWS: an UPDATE reports the rows it matched, even when
 * it changed nothing, for changes(). Auto-reconnect is off: a new session
 * would silently drop the advisory lock.
 */
static int open_session(strata_conn *c, const strata_url *url,
                        const conn_opts *o, strata_dberr *err)
{
	const char *dbname = url->path && *url->path ? url->path : NULL;
	int rc;

	/* History, lock name and introspection all live in one database. */
	if (!dbname) {
		err_set(err, 0, "",
		        "the URL names no database "
		        "(mysql://user@host/DATABASE)");
		return STRATA_DRV_CONFIG;
	}
	rc = set_options(c->db, o, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	if (!mysql_real_connect(c->db, o->host, url->user, url->password,
	                        dbname, (unsigned)url->port, o->socket,
	                        CLIENT_MULTI_RESULTS | CLIENT_FOUND_ROWS))
		return err_db(err, c->db);
	/*
	 * Connector/C 3.3 quietly falls back to plain text when the server
	 * lacks TLS unless the certificate is verified: check ourselves.
	 */
	if (o->ssl == 1 && !mysql_get_ssl_cipher(c->db)) {
		err_set(err, CR_TLS_ERROR, "HY000",
		        "TLS is required, but the server does not support it");
		return STRATA_DRV_ERROR;
	}
	return set_version(c, err);
}

static int drv_connect(strata_conn **out, const strata_url *url,
                       unsigned flags, strata_dberr *err)
{
	conn_opts o;
	strata_conn *c;

	(void)flags; /* there is no database file to create */
	int rc;

	if ((rc = parse_opts(url, &o, err)) != STRATA_DRV_OK)
		return rc;
	if (!(c = calloc(1, sizeof *c)))
		return my__err_nomem(err);
	c->changes = -1;
	/*
	 * mysql_init runs mysql_library_init on first use, which is not
	 * thread safe: the first connect must not race another one.
	 */
	if (!(c->db = mysql_init(NULL))) {
		free(c);
		return my__err_nomem(err);
	}
	if ((rc = open_session(c, url, &o, err)) != STRATA_DRV_OK) {
		conn_free(c);
		return rc;
	}
	*out = c;
	return STRATA_DRV_OK;
}

static void drv_close(strata_conn *c)
{
	conn_free(c);
}

static const char *drv_server_version(strata_conn *c)
{
	return c->version;
}

/* ---- exec ------------------------------------------------------------ */

/* Consume every result set so the session is never left out of sync. */
static int drain_results(MYSQL *db, strata_dberr *err)
{
	int status;

	do {
		MYSQL_RES *res = mysql_store_result(db);

		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(db) != 0)
			return err_db(err, db);
		if ((status = mysql_next_result(db)) > 0)
			return err_db(err, db);
	} while (status == 0);
	return STRATA_DRV_OK;
}

/* Affected rows as changes() reports them: -1 for "not a DML statement". */
static int64_t affected(my_ulonglong n)
{
	return n == (my_ulonglong)~0 ? -1 : (int64_t)n;
}

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	c->changes = -1;
	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)))
		return err_db(err, c->db);
	c->changes = affected(mysql_affected_rows(c->db));
	return drain_results(c->db, err);
}

static int drv_begin(strata_conn *c, strata_dberr *err)
{
	return drv_exec(c, "START TRANSACTION", err);
}

static int drv_commit(strata_conn *c, strata_dberr *err)
{
	return drv_exec(c, "COMMIT", err);
}

/* Autocommit back on too: a script may have turned it off (see
 * drv_in_transaction), and strata's history writes need it. */
static int drv_rollback(strata_conn *c, strata_dberr *err)
{
	int rc = drv_exec(c, "ROLLBACK", err);

	return rc == STRATA_DRV_OK ? drv_exec(c, "SET autocommit = 1", err)
	                           : rc;
}

/* ---- query (prepared statements) ------------------------------------- */

static void bind_value(MYSQL_BIND *b, const strata_value *v)
{
	switch (v->type) {
	case STRATA_VAL_TEXT:
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)v->text; /* input: never written */
		b->buffer_length = (unsigned long)strlen(v->text);
		b->length = &b->buffer_length;
		break;
	case STRATA_VAL_INT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = (void *)&v->i;
		break;
	default:
		b->buffer_type = MYSQL_TYPE_NULL;
		b->is_null_value = 1;
		b->is_null = &b->is_null_value;
		break;
	}
}

static int check_params(MYSQL_STMT *st, const strata_value *params, int n,
                        strata_dberr *err)
{
	int i;

	/* bind_param reads param_count entries: a mismatch would overrun. */
	if (n < 0 || (n > 0 && !params) ||
	    mysql_stmt_param_count(st) != (unsigned long)n)
		return my__err_fmt(err, STRATA_DRV_ERROR,
		                   "statement has %lu parameters, %d given",
		                   mysql_stmt_param_count(st), n);
	for (i = 0; i < n; i++) {
		int t = params[i].type;

		if ((t != STRATA_VAL_NULL && t != STRATA_VAL_TEXT &&
		     t != STRATA_VAL_INT) ||
		    (t == STRATA_VAL_TEXT && !params[i].text))
			return my__err_fmt(err, STRATA_DRV_ERROR,
			                   "invalid parameter %d", i + 1);
	}
	return STRATA_DRV_OK;
}

static int execute(MYSQL_STMT *st, const strata_value *params, int n,
                   strata_dberr *err)
{
	MYSQL_BIND *b = NULL;
	int i, rc = check_params(st, params, n, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (n > 0 && !(b = calloc((size_t)n, sizeof *b)))
		return my__err_nomem(err);
	for (i = 0; i < n; i++)
		bind_value(&b[i], &params[i]);
	if ((b && mysql_stmt_bind_param(st, b)) || mysql_stmt_execute(st))
		rc = my__err_stmt(err, st);
	free(b);
	return rc;
}

int my__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err)
{
	MYSQL_STMT *st = mysql_stmt_init(c->db);
	int rc, rc2;

	c->changes = -1;
	if (!st)
		return my__err_nomem(err);
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)))
		rc = my__err_stmt(err, st);
	else if ((rc = execute(st, params, nparams, err)) == STRATA_DRV_OK) {
		c->changes = affected(mysql_stmt_affected_rows(st));
		rc = my__read_result(st, fn, fn_ctx, err);
		/* Even after an early stop, so the session stays in sync. */
		rc2 = my__drain_stmt(st, rc == STRATA_DRV_OK ? err : NULL);
		if (rc == STRATA_DRV_OK)
			rc = rc2;
	}
	mysql_stmt_close(st);
	return rc;
}

/* First column of the first row of a query. */
typedef struct scalar {
	int rows;
	char *text; /* NULL for SQL NULL */
	int nomem;
} scalar;

static int scalar_row(void *ctx, int ncols, const char *const *v)
{
	scalar *s = ctx;

	(void)ncols;
	s->rows++;
	if (v[0] && !(s->text = strdup(v[0])))
		s->nomem = 1;
	return 1;
}

static int query_scalar(strata_conn *c, const char *sql,
                        const strata_value *params, int n, scalar *s,
                        strata_dberr *err)
{
	int rc;

	memset(s, 0, sizeof *s);
	rc = my__query(c, sql, params, n, scalar_row, s, err);
	if (rc == STRATA_DRV_OK && s->nomem)
		rc = my__err_nomem(err);
	if (rc != STRATA_DRV_OK) {
		free(s->text);
		s->text = NULL;
	}
	return rc;
}

/* DATABASE(), malloc'd; error if no database is selected. */
int my__current_db(strata_conn *c, char **out, strata_dberr *err)
{
	scalar s;
	int rc = query_scalar(c, "SELECT DATABASE()", NULL, 0, &s, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (!s.text)
		return my__err_fmt(err, STRATA_DRV_CONFIG,
		                   "no database selected");
	*out = s.text;
	return STRATA_DRV_OK;
}

/* The database the session started in (after init_sql), where the schema
 * is introspected even after a migration ran USE; else DATABASE(). */
int my__home_db(strata_conn *c, char **out, strata_dberr *err)
{
	if (!c->home_db)
		return my__current_db(c, out, err);
	if (!(*out = strdup(c->home_db)))
		return my__err_nomem(err);
	return STRATA_DRV_OK;
}

/* ---- advisory lock --------------------------------------------------- */

static uint64_t fnv1a64(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325u;
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3u;
	}
	return h;
}

/* Keep a prefix and append ":<16 hex of the full name>" to fit 64 bytes. */
static void shorten_lock_name(char *s, size_t n)
{
	uint64_t h = fnv1a64(s, n);
	size_t keep = LOCK_NAME_MAX - 17;

	/* Do not cut a UTF-8 sequence in half. */
	while (keep > 0 && ((unsigned char)s[keep] & 0xC0) == 0x80)
		keep--;
	snprintf(s + keep, n + 1 - keep, ":%016llx", (unsigned long long)h);
}

static int build_lock_name(const char *name, char **out)
{
	size_t n = strlen("strata:") + strlen(name);
	char *s = malloc(n + 1);

	if (!s)
		return -1;
	snprintf(s, n + 1, "strata:%s", name);
	if (n > LOCK_NAME_MAX)
		shorten_lock_name(s, n);
	*out = s;
	return 0;
}

/* name is the core's "database.table": the lock is per history table. */
static int lock_name_for(strata_conn *c, const char *name, char **out,
                         strata_dberr *err)
{
	(void)c;
	return build_lock_name(name, out) ? my__err_nomem(err) : STRATA_DRV_OK;
}

static int get_lock(strata_conn *c, const char *lname, unsigned timeout_ms,
                    strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_TEXT, NULL, 0},
	                     {STRATA_VAL_INT, NULL, 0}};
	scalar s;
	int rc;

	p[0].text = lname;
	/* GET_LOCK waits whole seconds; round up so we never wait less. */
	p[1].i = (int64_t)(((uint64_t)timeout_ms + 999) / 1000);
	rc = query_scalar(c, "SELECT GET_LOCK(?, ?)", p, 2, &s, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	if (!s.text)
		rc = my__err_fmt(err, STRATA_DRV_ERROR,
		                 "GET_LOCK('%s') returned NULL: the wait was "
		                 "interrupted (KILL QUERY, a statement time "
		                 "limit) or failed%s%s",
		                 lname, *mysql_error(c->db) ? ": " : "",
		                 mysql_error(c->db));
	else if (strcmp(s.text, "1"))
		rc = my__err_fmt(err, STRATA_DRV_TIMEOUT,
		                 "lock '%s' not acquired within %u ms", lname,
		                 timeout_ms);
	free(s.text);
	return rc;
}

/*
 * A statement time limit (init_sql, the role, the server) would cut the
 * GET_LOCK wait short, a failure instead of a lock timeout. MariaDB calls
 * it max_statement_time, MySQL max_execution_time; each server rejects
 * the other's name, which is ignored.
 */
static void no_statement_limit(strata_conn *c)
{
	strata_dberr ignored;

	drv_exec(c, "SET SESSION max_statement_time = 0", &ignored);
	drv_exec(c, "SET SESSION max_execution_time = 0", &ignored);
}

static int drv_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err)
{
	char *lname = NULL;
	int rc = lock_name_for(c, name, &lname, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (c->lock_name) {
		/* GET_LOCK nests; taking it twice would need two releases. */
		if (strcmp(c->lock_name, lname))
			rc = my__err_fmt(err, STRATA_DRV_ERROR,
			                 "lock '%s' is already held",
			                 c->lock_name);
		free(lname);
		return rc;
	}
	/* Losing the session frees the lock for a second strata. */
	rc = drv_exec(c, "SET " NO_IDLE_TIMEOUT, err);
	if (rc == STRATA_DRV_OK)
		no_statement_limit(c);
	if (rc == STRATA_DRV_OK)
		rc = get_lock(c, lname, timeout_ms, err);
	if (rc == STRATA_DRV_OK)
		c->lock_name = lname;
	else
		free(lname);
	return rc;
}

/*
 * Releases the lock taken by lock(). The name was resolved then, because
 * DATABASE() may have changed since (USE in a migration).
 */
static int drv_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, NULL, 0};
	scalar s;
	int rc;

	(void)name;
	if (!c->lock_name)
		return STRATA_DRV_OK;
	p.text = c->lock_name;
	rc = query_scalar(c, "SELECT RELEASE_LOCK(?)", &p, 1, &s, err);
	if (rc != STRATA_DRV_OK)
		return rc; /* still held: keep the name for a retry */
	if (!s.text || strcmp(s.text, "1"))
		rc = my__err_fmt(err, STRATA_DRV_ERROR,
		                 "lock '%s' was not held by this session",
		                 c->lock_name);
	free(s.text);
	free(c->lock_name);
	c->lock_name = NULL;
	return rc;
}

/* Whether this session still holds the lock; the query also keeps the
 * session from idling out. */
static int drv_lock_check(strata_conn *c, const char *name, strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, NULL, 0};
	scalar s;
	int held;

	(void)name;
	if (!c->lock_name)
		return my__err_fmt(err, STRATA_DRV_LOST,
		                   "this session holds no migration lock");
	p.text = c->lock_name;
	if (query_scalar(c, "SELECT IS_USED_LOCK(?) = CONNECTION_ID()", &p, 1,
	                 &s, err) != STRATA_DRV_OK)
		return my__err_fmt(err, STRATA_DRV_LOST,
		                   "the session holding lock '%s' is gone: %s",
		                   c->lock_name, err->message);
	held = s.text && !strcmp(s.text, "1");
	free(s.text);
	if (!held)
		return my__err_fmt(
		        err, STRATA_DRV_LOST,
		        "lock '%s' is no longer held by this session",
		        c->lock_name);
	return STRATA_DRV_OK;
}

/* ---- table_exists ---------------------------------------------------- */

static int drv_table_exists(strata_conn *c, const char *db,
                            const char *table, int *exists, strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_NULL, NULL, 0},
	                     {STRATA_VAL_TEXT, table, 0}};
	scalar s;
	int rc;

	if (db) {
		p[0].type = STRATA_VAL_TEXT;
		p[0].text = db;
	}
	rc = query_scalar(c,
	                  "SELECT 1 FROM information_schema.TABLES"
	                  " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())"
	                  " AND TABLE_NAME = ?",
	                  p, 2, &s, err);
	if (rc == STRATA_DRV_OK)
		*exists = s.rows > 0;
	free(s.text);
	return rc;
}

/* ---- session --------------------------------------------------------- */

typedef struct session_vars {
	char *autocommit;
	char *sql_mode;
	char *db;
	int nomem;
} session_vars;

static int vars_row(void *ctx, int ncols, const char *const *v)
{
	session_vars *sv = ctx;

	if (ncols < 3)
		return 1;
	if ((v[0] && !(sv->autocommit = strdup(v[0]))) ||
	    (v[1] && !(sv->sql_mode = strdup(v[1]))) ||
	    (v[2] && !(sv->db = strdup(v[2]))))
		sv->nomem = 1;
	return 1;
}

/* Whether the comma-separated @@sql_mode list holds mode. */
static int has_mode(const char *modes, const char *mode)
{
	size_t n = strlen(mode);
	const char *p = modes;

	while (p && *p) {
		if (!strncasecmp(p, mode, n) && (p[n] == ',' || !p[n]))
			return 1;
		if ((p = strchr(p, ',')))
			p++;
	}
	return 0;
}

/*
 * After init_sql. autocommit=0 (init_sql or the server's init_connect)
 * would leave every statement in a transaction that the server rolls back
 * at disconnect: turn it back on; and no idle timeout (NO_IDLE_TIMEOUT).
 * NO_BACKSLASH_ESCAPES and ANSI_QUOTES change how statements end, so the
 * splitter must know. The database is remembered for introspection, which
 * a later USE must not move.
 */
static int drv_session_setup(strata_conn *c, unsigned *flags, strata_dberr *err)
{
	session_vars sv = {NULL, NULL, NULL, 0};
	int rc = drv_exec(c, "SET autocommit = 1, " NO_IDLE_TIMEOUT, err);

	if (rc == STRATA_DRV_OK)
		rc = my__query(c, "SELECT @@autocommit, @@sql_mode, DATABASE()",
		               NULL, 0, vars_row, &sv, err);
	if (rc == STRATA_DRV_OK && sv.nomem)
		rc = my__err_nomem(err);
	if (rc == STRATA_DRV_OK &&
	    (!sv.autocommit || strcmp(sv.autocommit, "1")))
		rc = my__err_fmt(err, STRATA_DRV_CONFIG,
		                 "autocommit is off and cannot be turned on: "
		                 "strata needs it");
	if (rc == STRATA_DRV_OK &&
	    has_mode(sv.sql_mode, "NO_BACKSLASH_ESCAPES"))
		*flags &= ~(unsigned)STRATA_SPLIT_BACKSLASH_ESC;
	if (rc == STRATA_DRV_OK && has_mode(sv.sql_mode, "ANSI_QUOTES"))
		*flags &= ~(unsigned)STRATA_SPLIT_DQUOTE_STRING;
	if (rc == STRATA_DRV_OK) {
		free(c->home_db);
		c->home_db = sv.db;
		sv.db = NULL;
	}
	free(sv.autocommit);
	free(sv.sql_mode);
	free(sv.db);
	return rc;
}

/* The database `table` resolves in: its own, or the current one (none is
 * a config error). */
static int drv_current_schema(strata_conn *c, const char *db,
                              const char *table, char **out, strata_dberr *err)
{
	(void)table;
	*out = NULL;
	if (db)
		return (*out = strdup(db)) ? STRATA_DRV_OK : my__err_nomem(err);
	return my__current_db(c, out, err);
}

/* From the server status flags of the last reply: a transaction open, or
 * autocommit off (the next write would open one). */
static int drv_in_transaction(strata_conn *c)
{
	unsigned int st = 0;

	if (mariadb_get_infov(c->db, MARIADB_CONNECTION_SERVER_STATUS, &st))
		return -1;
	return (st & SERVER_STATUS_IN_TRANS) ||
	       !(st & SERVER_STATUS_AUTOCOMMIT);
}

static int64_t drv_changes(strata_conn *c)
{
	return c->changes;
}

/* ---- vtable ---------------------------------------------------------- */

static const char *const schemes[] = {"mysql", "mariadb", NULL};

static const strata_dialect dialect = {
        .name = "mysql",
        .ident_quote = '`',
        .transactional_ddl = 0, /* DDL commits implicitly */
        .param_style = STRATA_PARAM_QMARK,
        .split_flags = STRATA_SPLIT_DELIMITER | STRATA_SPLIT_BEGIN_END |
                       STRATA_SPLIT_BACKSLASH_ESC | STRATA_SPLIT_HASH_COMMENT |
                       STRATA_SPLIT_BACKTICK_IDENT |
                       STRATA_SPLIT_DQUOTE_STRING,
        .history_table_options = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
};

const strata_driver strata_driver_mysql = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "mysql",
        .version = DRIVER_VERSION,
        .description = "MySQL/MariaDB (MariaDB Connector/C)",
        .schemes = schemes,
        .dialect = &dialect,
        .connect = drv_connect,
        .close = drv_close,
        .server_version = drv_server_version,
        .session_setup = drv_session_setup,
        .exec = drv_exec,
        .query = my__query,
        .begin = drv_begin,
        .commit = drv_commit,
        .rollback = drv_rollback,
        .changes = drv_changes,
        .in_transaction = drv_in_transaction,
        .lock = drv_lock,
        .unlock = drv_unlock,
        .lock_check = drv_lock_check,
        .current_schema = drv_current_schema,
        .table_exists = drv_table_exists,
        .introspect = my__introspect,
};
