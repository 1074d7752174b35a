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
 * default unix socket, not TCP.
 */
#include <strata/driver.h>

#include <mysql.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DRIVER_VERSION          "0.1.0"
#define DEFAULT_CHARSET         "utf8mb4"
#define DEFAULT_CONNECT_TIMEOUT 10u
#define LOCK_NAME_MAX           64   /* MySQL rejects longer GET_LOCK names */
#define COL_BUF_INIT            64   /* first size of a result column buffer */
#define CR_TLS_ERROR            2026 /* CR_SSL_CONNECTION_ERROR (errmsg.h) */

struct strata_conn {
	MYSQL *db;
	char *version;   /* "MariaDB 10.11.6-MariaDB", for server_version */
	char *lock_name; /* GET_LOCK name held by this session, or NULL */
};

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
static int err_fmt(strata_dberr *err, int rc, const char *fmt, ...)
{
	char msg[sizeof err->message];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	err_set(err, 0, "", msg);
	return rc;
}

static int err_nomem(strata_dberr *err)
{
	return err_fmt(err, STRATA_DRV_NOMEM, "out of memory");
}

static int err_db(strata_dberr *err, MYSQL *db)
{
	err_set(err, (int)mysql_errno(db), mysql_sqlstate(db), mysql_error(db));
	return STRATA_DRV_ERROR;
}

static int err_stmt(strata_dberr *err, MYSQL_STMT *st)
{
	err_set(err, (int)mysql_stmt_errno(st), mysql_stmt_sqlstate(st),
	        mysql_stmt_error(st));
	return STRATA_DRV_ERROR;
}

/* ---- small helpers --------------------------------------------------- */

/* Growable NUL-terminated string. */
typedef struct sbuf {
	char *p;
	size_t len, cap;
} sbuf;

static int sb_put(sbuf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		if (!(p = realloc(b->p, cap)))
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int sb_add(sbuf *b, const char *s)
{
	return sb_put(b, s, strlen(s));
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* Split "db.table" at the first dot; *db is malloc'd, NULL if unqualified. */
static int split_name(const char *name, char **db, const char **table)
{
	const char *dot = strchr(name, '.');

	*db = NULL;
	*table = name;
	if (!dot)
		return 0;
	if (!(*db = strndup(name, (size_t)(dot - name))))
		return -1;
	*table = dot + 1;
	return 0;
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
	const char *k = nz(p->key), *v = nz(p->value);

	if (!strcmp(k, "socket"))
		o->socket = v;
	else if (!strcmp(k, "charset"))
		o->charset = v;
	else if (!strcmp(k, "connect_timeout")) {
		if (parse_uint(v, &o->timeout))
			return err_fmt(err, STRATA_DRV_ERROR,
			               "invalid connect_timeout '%s'", v);
	} else if (!strcmp(k, "ssl-mode") || !strcmp(k, "sslmode")) {
		if (parse_ssl_mode(v, &o->ssl))
			return err_fmt(err, STRATA_DRV_ERROR,
			               "unsupported %s '%s' (use disable or "
			               "require)",
			               k, v);
	} else
		return err_fmt(err, STRATA_DRV_ERROR,
		               "unknown URL parameter '%s'", k);
	return STRATA_DRV_OK;
}

/* Connector/C only uses the socket when the host is "localhost". */
static int resolve_host(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	const char *h = url->host && *url->host ? url->host : NULL;

	if (h && h[0] == '/') {
		if (o->socket && *o->socket)
			return err_fmt(err, STRATA_DRV_ERROR,
			               "both a socket host and socket= given");
		o->socket = h;
		h = NULL;
	}
	if (o->socket && !*o->socket)
		o->socket = NULL;
	if (o->socket && h && strcmp(h, "localhost"))
		return err_fmt(err, STRATA_DRV_ERROR,
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
	if (o->ssl >= 0) {
		bad |= mysql_options(db, MYSQL_OPT_SSL_ENFORCE,
		                     o->ssl ? &on : &off);
		bad |= mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT,
		                     &off);
	}
	if (bad)
		return err_fmt(err, STRATA_DRV_ERROR,
		               "cannot set connection options");
	return STRATA_DRV_OK;
}

static int set_version(strata_conn *c, strata_dberr *err)
{
	const char *info = nz(mysql_get_server_info(c->db));
	const char *vendor = strstr(info, "MariaDB") ? "MariaDB" : "MySQL";
	size_t n = strlen(vendor) + 1 + strlen(info) + 1;

	if (!(c->version = malloc(n)))
		return err_nomem(err);
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
	free(c);
}

/*
 * No MULTI_STATEMENTS: the core splits scripts. MULTI_RESULTS is needed
 * for CALL. Auto-reconnect stays off (the default): a new session would
 * silently drop the advisory lock.
 */
static int open_session(strata_conn *c, const strata_url *url,
                        const conn_opts *o, strata_dberr *err)
{
	const char *dbname = url->path && *url->path ? url->path : NULL;
	int rc = set_options(c->db, o, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (!mysql_real_connect(c->db, o->host, url->user, url->password,
	                        dbname, (unsigned)url->port, o->socket,
	                        CLIENT_MULTI_RESULTS))
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
                       strata_dberr *err)
{
	conn_opts o;
	strata_conn *c;
	int rc;

	if ((rc = parse_opts(url, &o, err)) != STRATA_DRV_OK)
		return rc;
	if (!(c = calloc(1, sizeof *c)))
		return err_nomem(err);
	/*
	 * mysql_init runs mysql_library_init on first use, which is not
	 * thread safe: the first connect must not race another one.
	 */
	if (!(c->db = mysql_init(NULL))) {
		free(c);
		return err_nomem(err);
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

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)))
		return err_db(err, c->db);
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

static int drv_rollback(strata_conn *c, strata_dberr *err)
{
	return drv_exec(c, "ROLLBACK", err);
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
		return err_fmt(err, STRATA_DRV_ERROR,
		               "statement has %lu parameters, %d given",
		               mysql_stmt_param_count(st), n);
	for (i = 0; i < n; i++) {
		int t = params[i].type;

		if ((t != STRATA_VAL_NULL && t != STRATA_VAL_TEXT &&
		     t != STRATA_VAL_INT) ||
		    (t == STRATA_VAL_TEXT && !params[i].text))
			return err_fmt(err, STRATA_DRV_ERROR,
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
		return err_nomem(err);
	for (i = 0; i < n; i++)
		bind_value(&b[i], &params[i]);
	if ((b && mysql_stmt_bind_param(st, b)) || mysql_stmt_execute(st))
		rc = err_stmt(err, st);
	free(b);
	return rc;
}

/* One result column, fetched as text into a buffer that only grows. */
typedef struct col {
	char *buf;
	unsigned long cap; /* bytes in buf; one is kept for the NUL */
	unsigned long len; /* full length, even when truncated */
	my_bool null;
	my_bool trunc; /* set by the connector; len >= cap is what we test */
} col;

typedef struct rowset {
	unsigned n;
	MYSQL_BIND *bind;
	col *cols;
	const char **vals;
} rowset;

static void rowset_free(rowset *rs)
{
	unsigned i;

	for (i = 0; rs->cols && i < rs->n; i++)
		free(rs->cols[i].buf);
	free(rs->bind);
	free(rs->cols);
	free(rs->vals);
}

static void col_bind(MYSQL_BIND *b, col *c)
{
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = c->buf;
	b->buffer_length = c->cap - 1;
	b->length = &c->len;
	b->is_null = &c->null;
	b->error = &c->trunc;
}

static int rowset_init(rowset *rs, unsigned n)
{
	unsigned i;

	rs->n = n;
	rs->bind = calloc(n, sizeof *rs->bind);
	rs->cols = calloc(n, sizeof *rs->cols);
	rs->vals = calloc(n, sizeof *rs->vals);
	if (!rs->bind || !rs->cols || !rs->vals)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(rs->cols[i].buf = malloc(COL_BUF_INIT)))
			return -1;
		rs->cols[i].cap = COL_BUF_INIT;
		col_bind(&rs->bind[i], &rs->cols[i]);
	}
	return 0;
}

/* The value did not fit: grow the buffer and fetch the column again. */
static int col_refetch(MYSQL_STMT *st, rowset *rs, unsigned i,
                       strata_dberr *err)
{
	col *c = &rs->cols[i];
	/* Double at least, so a column of growing values re-fetches rarely. */
	unsigned long need = c->len + 1 > 2 * c->cap ? c->len + 1 : 2 * c->cap;
	char *p;

	if (!(p = realloc(c->buf, need)))
		return err_nomem(err);
	c->buf = p;
	c->cap = need;
	col_bind(&rs->bind[i], c);
	if (mysql_stmt_fetch_column(st, &rs->bind[i], i, 0))
		return err_stmt(err, st);
	return STRATA_DRV_OK;
}

/* Complete the current row: re-fetch truncated values, NUL-terminate. */
static int row_finish(MYSQL_STMT *st, rowset *rs, strata_dberr *err)
{
	unsigned i;
	int grown = 0, rc;

	for (i = 0; i < rs->n; i++) {
		col *c = &rs->cols[i];

		if (c->null) {
			rs->vals[i] = NULL;
			continue;
		}
		if (c->len >= c->cap) {
			if ((rc = col_refetch(st, rs, i, err)) != STRATA_DRV_OK)
				return rc;
			grown = 1;
		}
		c->buf[c->len] = '\0';
		rs->vals[i] = c->buf;
	}
	/* New buffers take effect for the next row only after a rebind. */
	if (grown && mysql_stmt_bind_result(st, rs->bind))
		return err_stmt(err, st);
	return STRATA_DRV_OK;
}

static int fetch_rows(MYSQL_STMT *st, rowset *rs, strata_row_fn fn, void *ctx,
                      strata_dberr *err)
{
	if (mysql_stmt_bind_result(st, rs->bind) || mysql_stmt_store_result(st))
		return err_stmt(err, st);
	for (;;) {
		int f = mysql_stmt_fetch(st), rc;

		if (f == MYSQL_NO_DATA)
			return STRATA_DRV_OK;
		if (f != 0 && f != MYSQL_DATA_TRUNCATED)
			return err_stmt(err, st);
		if ((rc = row_finish(st, rs, err)) != STRATA_DRV_OK)
			return rc;
		if (fn && fn(ctx, (int)rs->n, rs->vals))
			return STRATA_DRV_OK; /* caller stopped early */
	}
}

static int read_result(MYSQL_STMT *st, strata_row_fn fn, void *ctx,
                       strata_dberr *err)
{
	unsigned n = mysql_stmt_field_count(st);
	rowset rs;
	int rc;

	if (n == 0)
		return STRATA_DRV_OK;
	memset(&rs, 0, sizeof rs);
	if (rowset_init(&rs, n))
		rc = err_nomem(err);
	else
		rc = fetch_rows(st, &rs, fn, ctx, err);
	mysql_stmt_free_result(st);
	rowset_free(&rs);
	return rc;
}

/* Skip any further result sets (CALL), surfacing their errors. */
static int drain_stmt(MYSQL_STMT *st, strata_dberr *err)
{
	int s;

	while ((s = mysql_stmt_next_result(st)) == 0) {
		if (mysql_stmt_field_count(st) == 0)
			continue;
		if (mysql_stmt_store_result(st))
			return err_stmt(err, st);
		mysql_stmt_free_result(st);
	}
	return s > 0 ? err_stmt(err, st) : STRATA_DRV_OK;
}

static int drv_query(strata_conn *c, const char *sql,
                     const strata_value *params, int nparams, strata_row_fn fn,
                     void *fn_ctx, strata_dberr *err)
{
	MYSQL_STMT *st = mysql_stmt_init(c->db);
	int rc, rc2;

	if (!st)
		return err_nomem(err);
	if (mysql_stmt_prepare(st, sql, (unsigned long)strlen(sql)))
		rc = err_stmt(err, st);
	else if ((rc = execute(st, params, nparams, err)) == STRATA_DRV_OK) {
		rc = read_result(st, fn, fn_ctx, err);
		/* Even after an early stop, so the session stays in sync. */
		rc2 = drain_stmt(st, rc == STRATA_DRV_OK ? err : NULL);
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
	rc = drv_query(c, sql, params, n, scalar_row, s, err);
	if (rc == STRATA_DRV_OK && s->nomem)
		rc = err_nomem(err);
	if (rc != STRATA_DRV_OK) {
		free(s->text);
		s->text = NULL;
	}
	return rc;
}

/* DATABASE(), malloc'd; error if no database is selected. */
static int current_db(strata_conn *c, char **out, strata_dberr *err)
{
	scalar s;
	int rc = query_scalar(c, "SELECT DATABASE()", NULL, 0, &s, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (!s.text)
		return err_fmt(err, STRATA_DRV_ERROR, "no database selected");
	*out = s.text;
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

static int build_lock_name(const char *db, const char *table, char **out)
{
	size_t n = strlen("strata:") + strlen(db) + 1 + strlen(table);
	char *s = malloc(n + 1);

	if (!s)
		return -1;
	snprintf(s, n + 1, "strata:%s.%s", db, table);
	if (n > LOCK_NAME_MAX)
		shorten_lock_name(s, n);
	*out = s;
	return 0;
}

static int lock_name_for(strata_conn *c, const char *name, char **out,
                         strata_dberr *err)
{
	char *db;
	const char *table;
	int rc = STRATA_DRV_OK;

	if (split_name(name, &db, &table))
		return err_nomem(err);
	if (!db)
		rc = current_db(c, &db, err);
	if (rc == STRATA_DRV_OK && build_lock_name(db, table, out))
		rc = err_nomem(err);
	free(db);
	return rc;
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
		rc = err_fmt(err, STRATA_DRV_ERROR, "GET_LOCK('%s') failed",
		             lname);
	else if (strcmp(s.text, "1"))
		rc = err_fmt(err, STRATA_DRV_TIMEOUT,
		             "lock '%s' not acquired within %u ms", lname,
		             timeout_ms);
	free(s.text);
	return rc;
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
			rc = err_fmt(err, STRATA_DRV_ERROR,
			             "lock '%s' is already held", c->lock_name);
		free(lname);
		return rc;
	}
	if ((rc = get_lock(c, lname, timeout_ms, err)) == STRATA_DRV_OK)
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
		rc = err_fmt(err, STRATA_DRV_ERROR,
		             "lock '%s' was not held by this session",
		             c->lock_name);
	free(s.text);
	free(c->lock_name);
	c->lock_name = NULL;
	return rc;
}

/* ---- table_exists ---------------------------------------------------- */

static int drv_table_exists(strata_conn *c, const char *table, int *exists,
                            strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_NULL, NULL, 0},
	                     {STRATA_VAL_TEXT, NULL, 0}};
	char *db;
	scalar s;
	int rc;

	if (split_name(table, &db, &p[1].text))
		return err_nomem(err);
	if (db) {
		p[0].type = STRATA_VAL_TEXT;
		p[0].text = db;
	}
	rc = query_scalar(c,
	                  "SELECT 1 FROM information_schema.TABLES"
	                  " WHERE TABLE_SCHEMA = COALESCE(?, DATABASE())"
	                  " AND TABLE_NAME = ?",
	                  p, 2, &s, err);
	free(db);
	if (rc == STRATA_DRV_OK)
		*exists = s.rows > 0;
	free(s.text);
	return rc;
}

/* ---- introspect ------------------------------------------------------ */

/* State shared by the introspection row callbacks. */
typedef struct walk {
	const strata_schema_sink *sink;
	const char *db;
	int rc;   /* why a callback stopped: ERROR (sink) or NOMEM */
	sbuf tmp; /* scratch for the column type */
	/* The index or foreign key being assembled from consecutive rows. */
	int open;
	char *table, *name, *ref_table, *on_delete, *on_update;
	int unique, primary;
	sbuf cols, ref_cols;
} walk;

static int w_sink(walk *w, int r)
{
	if (r)
		w->rc = STRATA_DRV_ERROR;
	return r;
}

static int w_oom(walk *w)
{
	w->rc = STRATA_DRV_NOMEM;
	return 1;
}

static void group_clear(walk *w)
{
	free(w->table);
	free(w->name);
	free(w->ref_table);
	free(w->on_delete);
	free(w->on_update);
	w->table = w->name = w->ref_table = w->on_delete = w->on_update = NULL;
	w->cols.len = w->ref_cols.len = 0;
	w->open = 0;
}

static int group_same(const walk *w, const char *table, const char *name)
{
	return w->open && !strcmp(w->table, nz(table)) &&
	       !strcmp(w->name, nz(name));
}

static int group_open(walk *w, const char *table, const char *name)
{
	group_clear(w);
	w->open = 1;
	w->table = strdup(nz(table));
	w->name = strdup(nz(name));
	/* Lists start as "" even if a group has no rows to append. */
	if (!w->table || !w->name || sb_put(&w->cols, "", 0) ||
	    sb_put(&w->ref_cols, "", 0))
		return w_oom(w);
	return 0;
}

/* Append "col" or "col(len)" (prefix index) to a comma-separated list. */
static int names_add(walk *w, sbuf *b, const char *name, const char *len)
{
	if ((b->len && sb_add(b, ",")) || sb_add(b, nz(name)))
		return w_oom(w);
	if (len && (sb_add(b, "(") || sb_add(b, len) || sb_add(b, ")")))
		return w_oom(w);
	return 0;
}

static int table_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	int64_t rows = v[1] ? (int64_t)strtoll(v[1], NULL, 10) : -1;

	(void)n;
	return w_sink(w, w->sink->table(w->sink->ctx, v[0], rows));
}

static int column_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	const char *def = v[4];

	(void)n;
	/* EXTRA (auto_increment, on update ..., generated) joins the type. */
	w->tmp.len = 0;
	if (sb_put(&w->tmp, "", 0) || sb_add(&w->tmp, nz(v[2])) ||
	    (v[5] && *v[5] && (sb_add(&w->tmp, " ") || sb_add(&w->tmp, v[5]))))
		return w_oom(w);
	/* MariaDB >= 10.2.7 reports an explicit DEFAULT NULL as 'NULL'. */
	if (def && !strcmp(def, "NULL"))
		def = NULL;
	return w_sink(w, w->sink->column(w->sink->ctx, v[0], v[1], w->tmp.p,
	                                 !strcmp(nz(v[3]), "YES"), def));
}

static int index_flush(walk *w)
{
	int r = 0;

	if (w->open && w->rc == STRATA_DRV_OK)
		r = w_sink(w, w->sink->index(w->sink->ctx, w->table, w->name,
		                             w->unique, w->primary, w->cols.p));
	group_clear(w);
	return r;
}

/* Rows: table, index, non_unique, column, sub_part; by SEQ_IN_INDEX. */
static int index_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (!group_same(w, v[0], v[1])) {
		if (index_flush(w) || group_open(w, v[0], v[1]))
			return 1;
		w->unique = v[2] && !strcmp(v[2], "0");
		w->primary = !strcmp(w->name, "PRIMARY");
	}
	return names_add(w, &w->cols, v[3], v[4]);
}

static int fk_flush(walk *w)
{
	int r = 0;

	if (w->open && w->rc == STRATA_DRV_OK)
		r = w_sink(w, w->sink->foreign_key(w->sink->ctx, w->table,
		                                   w->name, w->cols.p,
		                                   w->ref_table, w->ref_cols.p,
		                                   w->on_delete, w->on_update));
	group_clear(w);
	return r;
}

/* The referenced table, qualified only when it is in another schema. */
static char *ref_table_name(const walk *w, const char *schema,
                            const char *table)
{
	size_t n;
	char *s;

	if (!schema || !strcmp(schema, w->db))
		return strdup(nz(table));
	n = strlen(schema) + 1 + strlen(nz(table)) + 1;
	if ((s = malloc(n)))
		snprintf(s, n, "%s.%s", schema, nz(table));
	return s;
}

/*
 * Rows: table, constraint, column, ref schema, ref table, ref column,
 * delete rule, update rule; by ORDINAL_POSITION.
 */
static int fk_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (!group_same(w, v[0], v[1])) {
		if (fk_flush(w) || group_open(w, v[0], v[1]))
			return 1;
		w->ref_table = ref_table_name(w, v[3], v[4]);
		w->on_delete = strdup(nz(v[6]));
		w->on_update = strdup(nz(v[7]));
		if (!w->ref_table || !w->on_delete || !w->on_update)
			return w_oom(w);
	}
	return names_add(w, &w->cols, v[2], NULL) ||
	       names_add(w, &w->ref_cols, v[5], NULL);
}

/* Rows: kind, name, table (or NULL). */
static int object_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	return w_sink(w, w->sink->object(w->sink->ctx, v[0], v[1], v[2]));
}

/* One information_schema query; each takes the schema name as its ?. */
typedef struct step {
	const char *sql;
	strata_row_fn row;
	int (*flush)(walk *w); /* emits the last open group */
} step;

/*
 * Tables proper are 'BASE TABLE' or, in MariaDB, 'SYSTEM VERSIONED'. Names
 * sort as bytes (CAST AS BINARY): the information_schema collation ignores
 * case, which would leave "T" and "t" in no fixed order.
 */
static const step steps[] = {
        {"SELECT TABLE_NAME, TABLE_ROWS FROM information_schema.TABLES"
         " WHERE TABLE_SCHEMA = ?"
         " AND TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
         " ORDER BY CAST(TABLE_NAME AS BINARY)",
         table_row, NULL},
        {"SELECT c.TABLE_NAME, c.COLUMN_NAME, c.COLUMN_TYPE, c.IS_NULLABLE,"
         " c.COLUMN_DEFAULT, c.EXTRA FROM information_schema.COLUMNS c"
         " JOIN information_schema.TABLES t"
         " ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME"
         " WHERE c.TABLE_SCHEMA = ?"
         " AND t.TABLE_TYPE IN ('BASE TABLE', 'SYSTEM VERSIONED')"
         " ORDER BY CAST(c.TABLE_NAME AS BINARY), c.ORDINAL_POSITION",
         column_row, NULL},
        {"SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART"
         " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
         " ORDER BY CAST(TABLE_NAME AS BINARY), CAST(INDEX_NAME AS BINARY),"
         " SEQ_IN_INDEX",
         index_row, index_flush},
        {"SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,"
         " k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,"
         " k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE"
         " FROM information_schema.KEY_COLUMN_USAGE k"
         " JOIN information_schema.REFERENTIAL_CONSTRAINTS r"
         " ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA"
         " AND r.TABLE_NAME = k.TABLE_NAME"
         " AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME"
         " WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL"
         " ORDER BY CAST(k.TABLE_NAME AS BINARY),"
         " CAST(k.CONSTRAINT_NAME AS BINARY), k.ORDINAL_POSITION",
         fk_row, fk_flush},
        {"SELECT 'view', TABLE_NAME, NULL FROM information_schema.VIEWS"
         " WHERE TABLE_SCHEMA = ? ORDER BY CAST(TABLE_NAME AS BINARY)",
         object_row, NULL},
        {"SELECT 'sequence', TABLE_NAME, NULL FROM information_schema.TABLES"
         " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE = 'SEQUENCE'"
         " ORDER BY CAST(TABLE_NAME AS BINARY)",
         object_row, NULL},
        {"SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE"
         " FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = ?"
         " ORDER BY CAST(TRIGGER_NAME AS BINARY)",
         object_row, NULL},
        {"SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, NULL"
         " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
         " ORDER BY ROUTINE_TYPE, CAST(ROUTINE_NAME AS BINARY)",
         object_row, NULL},
        {"SELECT 'event', EVENT_NAME, NULL FROM information_schema.EVENTS"
         " WHERE EVENT_SCHEMA = ? ORDER BY CAST(EVENT_NAME AS BINARY)",
         object_row, NULL},
};

static int run_step(strata_conn *c, walk *w, const step *s, strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, NULL, 0};
	int rc;

	p.text = w->db;
	rc = drv_query(c, s->sql, &p, 1, s->row, w, err);
	if (rc == STRATA_DRV_OK && w->rc == STRATA_DRV_OK && s->flush)
		s->flush(w);
	group_clear(w);
	if (rc != STRATA_DRV_OK)
		return rc;
	if (w->rc == STRATA_DRV_NOMEM)
		return err_nomem(err);
	if (w->rc != STRATA_DRV_OK)
		return err_fmt(err, STRATA_DRV_ERROR, "introspection aborted");
	return STRATA_DRV_OK;
}

static int drv_introspect(strata_conn *c, const strata_schema_sink *sink,
                          strata_dberr *err)
{
	char *db = NULL;
	walk w;
	size_t i;
	int rc = current_db(c, &db, err);

	memset(&w, 0, sizeof w);
	w.sink = sink;
	w.db = db;
	for (i = 0; rc == STRATA_DRV_OK && i < sizeof steps / sizeof *steps;
	     i++)
		rc = run_step(c, &w, &steps[i], err);
	free(w.tmp.p);
	free(w.cols.p);
	free(w.ref_cols.p);
	free(db);
	return rc;
}

/* ---- vtable ---------------------------------------------------------- */

static const char *const schemes[] = {"mysql", "mariadb", NULL};

static const strata_dialect dialect = {
        "mysql",
        '`',
        0, /* DDL commits implicitly */
        STRATA_PARAM_QMARK,
        STRATA_SPLIT_DELIMITER | STRATA_SPLIT_BEGIN_END |
                STRATA_SPLIT_BACKSLASH_ESC | STRATA_SPLIT_HASH_COMMENT |
                STRATA_SPLIT_BACKTICK_IDENT | STRATA_SPLIT_DQUOTE_STRING,
        "CREATE TABLE IF NOT EXISTS {table} ("
        "version BIGINT NOT NULL PRIMARY KEY, "
        "name VARCHAR(255) NOT NULL, "
        "checksum CHAR(64) NOT NULL, "
        "source VARCHAR(255) NOT NULL, "
        "status VARCHAR(16) NOT NULL, "
        "started_at VARCHAR(32) NOT NULL, "
        "finished_at VARCHAR(32), "
        "duration_ms BIGINT, "
        "applied_by VARCHAR(255) NOT NULL, "
        "steps INTEGER NOT NULL DEFAULT 0, "
        "error TEXT, "
        "schema_fingerprint CHAR(64)"
        ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
};

const strata_driver strata_driver_mysql = {
        STRATA_DRIVER_ABI_VERSION,
        sizeof(strata_driver),
        "mysql",
        DRIVER_VERSION,
        "MySQL/MariaDB (MariaDB Connector/C)",
        schemes,
        &dialect,
        drv_connect,
        drv_close,
        drv_server_version,
        drv_exec,
        drv_query,
        drv_begin,
        drv_commit,
        drv_rollback,
        drv_lock,
        drv_unlock,
        drv_table_exists,
        drv_introspect,
};
