/*
 * strata driver for PostgreSQL, on top of libpq.
 *
 * Everything goes through the text protocol: parameters are sent as text
 * and results are read as text, which is all the core needs. Requires a
 * PostgreSQL 12 or newer server (hashtextextended, prokind, attgenerated).
 * Introspection is in introspect.c.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pg_int.h"

#define PG_DRIVER_VERSION "0.1.0"

/* How often lock() retries pg_try_advisory_xact_lock. */
#define LOCK_POLL_MS 100

/* ------------------------------------------------------------------ */
/* Error messages                                                      */

static void err_clear(strata_dberr *err)
{
	err->sqlstate[0] = '\0';
	err->code = 0;
	err->message[0] = '\0';
}

/* Append n bytes to err->message; a truncated message ends in "...". */
static void msg_put(strata_dberr *err, const char *s, size_t n)
{
	size_t cap = sizeof(err->message);
	size_t len = strlen(err->message);
	size_t room = cap - 1 - len;

	if (n <= room) {
		memcpy(err->message + len, s, n);
		err->message[len + n] = '\0';
		return;
	}
	memcpy(err->message + len, s, room);
	memcpy(err->message + cap - 4, "...", 4);
}

static void msg_add(strata_dberr *err, const char *s)
{
	msg_put(err, s, strlen(s));
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/*
 * Append text that may span several lines (libpq messages end in '\n' and
 * continuation lines are indented) as one line, joining lines with "; ".
 */
static void msg_add_lines(strata_dberr *err, const char *s)
{
	int first = 1;

	while (*s) {
		const char *eol = strchr(s, '\n');
		const char *end = eol ? eol : s + strlen(s);
		const char *b = s;

		while (b < end && is_space(*b))
			b++;
		while (end > b && is_space(end[-1]))
			end--;
		if (end > b) {
			if (!first)
				msg_add(err, "; ");
			msg_put(err, b, (size_t)(end - b));
			first = 0;
		}
		if (!eol)
			break;
		s = eol + 1;
	}
}

int pg__set_err(strata_dberr *err, const char *msg)
{
	err_clear(err);
	msg_add(err, msg);
	return STRATA_DRV_ERROR;
}

static int set_nomem(strata_dberr *err)
{
	pg__set_err(err, "out of memory");
	return STRATA_DRV_NOMEM;
}

/* A connection-level failure: only PQerrorMessage has the story. */
static int set_err_conn(strata_dberr *err, PGconn *pg)
{
	err_clear(err);
	msg_add_lines(err, PQerrorMessage(pg));
	if (!err->message[0])
		msg_add(err, "unknown libpq error");
	return STRATA_DRV_ERROR;
}

static void msg_add_field(strata_dberr *err, const char *label,
                          const char *text)
{
	if (!text || !*text)
		return;
	msg_add(err, label);
	msg_add_lines(err, text);
	msg_add(err, ")");
}

/* A lost connection often comes without an SQLSTATE; report 08006. */
static void set_sqlstate(strata_dberr *err, PGconn *pg, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", state);
	else if (PQstatus(pg) == CONNECTION_BAD)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "08006");
}

/* A failed statement: primary message, position, detail and hint. */
static int set_err_res(strata_dberr *err, PGconn *pg, const PGresult *res)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);

	err_clear(err);
	/* Client-side failures (lost connection...) have no fields. */
	if (!primary) {
		msg_add_lines(err, PQresultErrorMessage(res));
		if (!err->message[0])
			set_err_conn(err, pg);
		set_sqlstate(err, pg, res);
		return STRATA_DRV_ERROR;
	}
	set_sqlstate(err, pg, res);
	msg_add_lines(err, primary);
	if (pos) {
		msg_add(err, " at character ");
		msg_add(err, pos);
	}
	msg_add_field(err, " (DETAIL: ",
	              PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	msg_add_field(
	        err, " (HINT: ", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	return STRATA_DRV_ERROR;
}

/* ------------------------------------------------------------------ */
/* Connecting                                                          */

static void notice_ignore(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/* Connection keywords built from a URL; values point into the URL. */
struct conn_args {
	const char **keys;
	const char **vals;
	int n;
	char port[16];
	char *sockdir; /* owned: directory part of a socket file path */
};

static void args_add(struct conn_args *a, const char *key, const char *val)
{
	if (!val)
		return;
	a->keys[a->n] = key;
	a->vals[a->n] = val;
	a->n++;
}

static const char *url_param(const strata_url *url, const char *key)
{
	size_t i;

	for (i = 0; i < url->nparams; i++)
		if (strcmp(url->params[i].key, key) == 0)
			return url->params[i].value;
	return NULL;
}

static int check_sslmode(const char *mode, strata_dberr *err)
{
	static const char *const modes[] = {
	        "disable",   "allow",       "prefer", "require",
	        "verify-ca", "verify-full", NULL};
	const char *const *m;

	for (m = modes; *m; m++)
		if (strcmp(*m, mode) == 0)
			return STRATA_DRV_OK;
	pg__set_err(err, "invalid sslmode \"");
	msg_add(err, mode);
	msg_add(err, "\" in postgres URL (disable, allow, prefer, require, "
	             "verify-ca or verify-full)");
	return STRATA_DRV_CONFIG;
}

/* Reject query parameters that libpq has no keyword for: configuration
 * errors, not connection failures. */
static int check_params(const strata_url *url, strata_dberr *err)
{
	PQconninfoOption *defs = PQconndefaults();
	size_t i;

	if (!defs)
		return set_nomem(err);
	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;
		const PQconninfoOption *o;

		if (strcmp(key, "socket") == 0)
			continue;
		for (o = defs; o->keyword; o++)
			if (strcmp(o->keyword, key) == 0)
				break;
		if (!o->keyword) {
			PQconninfoFree(defs);
			pg__set_err(err, "unknown connection parameter \"");
			msg_add(err, key);
			msg_add(err, "\" in postgres URL");
			return STRATA_DRV_CONFIG;
		}
		if (strcmp(key, "sslmode") == 0 &&
		    check_sslmode(url->params[i].value, err) != STRATA_DRV_OK) {
			PQconninfoFree(defs);
			return STRATA_DRV_CONFIG;
		}
	}
	PQconninfoFree(defs);
	return STRATA_DRV_OK;
}

/*
 * A host naming the socket file itself (/run/postgresql/.s.PGSQL.5432)
 * becomes libpq's host=<directory> plus the port from the file name.
 */
static int socket_file(struct conn_args *a, const char **host, int *port)
{
	const char *base = strrchr(*host, '/');
	size_t dirlen;

	if (**host != '/' || strncmp(base + 1, ".s.PGSQL.", 9) != 0)
		return 0;
	dirlen = base == *host ? 1 : (size_t)(base - *host);
	a->sockdir = malloc(dirlen + 1);
	if (!a->sockdir)
		return -1;
	memcpy(a->sockdir, *host, dirlen);
	a->sockdir[dirlen] = '\0';
	if (*port <= 0)
		*port = atoi(base + 10);
	*host = a->sockdir;
	return 0;
}

static int build_args(struct conn_args *a, const strata_url *url,
                      strata_dberr *err)
{
	const char *host = url_param(url, "socket");
	int port = url->port;
	size_t i;

	if (!host)
		host = url->host;
	if (host && socket_file(a, &host, &port) < 0)
		return set_nomem(err);
	/* five URL fields, three defaults, the params and a terminator */
	a->keys = calloc(url->nparams + 9, sizeof(*a->keys));
	a->vals = calloc(url->nparams + 9, sizeof(*a->vals));
	if (!a->keys || !a->vals)
		return set_nomem(err);
	if (port > 0) {
		snprintf(a->port, sizeof(a->port), "%d", port);
		args_add(a, "port", a->port);
	}
	args_add(a, "host", host);
	args_add(a, "user", url->user);
	args_add(a, "password", url->password);
	args_add(a, "dbname", url->path);
	if (!url_param(url, "application_name"))
		args_add(a, "application_name", "strata");
	if (!url_param(url, "connect_timeout"))
		args_add(a, "connect_timeout", "10");
	/* Migration files are UTF-8 whatever the database encoding is. */
	if (!url_param(url, "client_encoding"))
		args_add(a, "client_encoding", "UTF8");
	for (i = 0; i < url->nparams; i++)
		if (strcmp(url->params[i].key, "socket") != 0)
			args_add(a, url->params[i].key, url->params[i].value);
	return STRATA_DRV_OK;
}

static void args_free(struct conn_args *a)
{
	free(a->keys);
	free(a->vals);
	free(a->sockdir);
}

static int conn_init(strata_conn *c, strata_dberr *err)
{
	const char *v = PQparameterStatus(c->pg, "server_version");
	size_t n;

	PQsetNoticeProcessor(c->pg, notice_ignore, NULL);
	if (!v)
		v = "(unknown version)";
	n = strlen("PostgreSQL ") + strlen(v) + 1;
	c->version = malloc(n);
	if (!c->version)
		return set_nomem(err);
	snprintf(c->version, n, "PostgreSQL %s", v);
	return STRATA_DRV_OK;
}

static void pg_close(strata_conn *c)
{
	if (!c)
		return;
	PQfinish(c->pg); /* also releases any advisory lock */
	free(c->version);
	free(c->lock_key);
	free(c->schema);
	free(c);
}

static int pg_connect(strata_conn **out, const strata_url *url,
                      unsigned flags, strata_dberr *err)
{
	struct conn_args a = {0};
	strata_conn *c;
	int rc;

	(void)flags; /* there is no database file to create */
	rc = check_params(url, err);
	if (rc == STRATA_DRV_OK)
		rc = build_args(&a, url, err);
	if (rc != STRATA_DRV_OK) {
		args_free(&a);
		return rc;
	}
	c = calloc(1, sizeof(*c));
	if (!c) {
		args_free(&a);
		return set_nomem(err);
	}
	/* expand_dbname=0: a database name is never parsed as a conninfo */
	c->pg = PQconnectdbParams(a.keys, a.vals, 0);
	args_free(&a);
	if (!c->pg) {
		free(c);
		return set_nomem(err);
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		set_err_conn(err, c->pg);
		pg_close(c);
		return STRATA_DRV_ERROR;
	}
	rc = conn_init(c, err);
	if (rc != STRATA_DRV_OK) {
		pg_close(c);
		return rc;
	}
	c->changes = -1;
	*out = c;
	return STRATA_DRV_OK;
}

static const char *pg_server_version(strata_conn *c)
{
	return c->version;
}

/* ------------------------------------------------------------------ */
/* Statements                                                          */

/*
 * COPY ... FROM STDIN / TO STDOUT leaves the session in copy mode, where
 * it would accept nothing else; end it and drain the results.
 */
static void copy_abort(PGconn *pg, ExecStatusType st)
{
	PGresult *r;
	char *buf;

	if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH)
		PQputCopyEnd(pg, "COPY FROM STDIN is not supported by strata");
	if (st == PGRES_COPY_OUT || st == PGRES_COPY_BOTH)
		while (PQgetCopyData(pg, &buf, 0) > 0)
			PQfreemem(buf);
	while ((r = PQgetResult(pg)) != NULL)
		PQclear(r);
}

/* Check a result; on failure fill err. Always clears res. */
static int result_check(strata_conn *c, PGresult *res, strata_dberr *err)
{
	ExecStatusType st = PQresultStatus(res);
	const char *rows = PQcmdTuples(res);
	int rc = STRATA_DRV_OK;

	c->changes = rows && *rows ? strtoll(rows, NULL, 10) : -1;
	switch (st) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		break;
	case PGRES_COPY_IN:
	case PGRES_COPY_OUT:
	case PGRES_COPY_BOTH:
		copy_abort(c->pg, st);
		rc = pg__set_err(err, "COPY to or from the client is not "
		                      "supported in migrations");
		break;
	default:
		rc = set_err_res(err, c->pg, res);
		break;
	}
	PQclear(res);
	return rc;
}

static int pg_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	return result_check(c, PQexec(c->pg, sql), err);
}

static int send_rows(PGresult *res, strata_row_fn fn, void *ctx)
{
	int nrows = PQntuples(res);
	int ncols = PQnfields(res);
	const char **vals;
	int r, k;

	vals = malloc((ncols ? (size_t)ncols : 1) * sizeof(*vals));
	if (!vals)
		return STRATA_DRV_NOMEM;
	for (r = 0; r < nrows; r++) {
		for (k = 0; k < ncols; k++)
			vals[k] = PQgetisnull(res, r, k)
			                  ? NULL
			                  : PQgetvalue(res, r, k);
		if (fn(ctx, ncols, vals) != 0)
			break;
	}
	free(vals);
	return STRATA_DRV_OK;
}

/* Length of a formatted int64 including sign and NUL, with slack. */
#define INT_TEXT_LEN 24

/* Text forms of the parameters; ints are formatted into ibuf. */
static int params_text(const strata_value *p, int n, const char **vals,
                       char *ibuf, strata_dberr *err)
{
	int k;

	for (k = 0; k < n; k++) {
		char *b = ibuf + (size_t)k * INT_TEXT_LEN;

		switch (p[k].type) {
		case STRATA_VAL_NULL:
			vals[k] = NULL;
			break;
		case STRATA_VAL_TEXT:
			vals[k] = p[k].text;
			break;
		case STRATA_VAL_INT:
			snprintf(b, INT_TEXT_LEN, "%" PRId64, p[k].i);
			vals[k] = b;
			break;
		default:
			return pg__set_err(err, "unknown parameter value type");
		}
	}
	return STRATA_DRV_OK;
}

int pg__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err)
{
	const char **vals = NULL;
	char *ibuf = NULL;
	PGresult *res;
	int rc;

	if (nparams < 0)
		return pg__set_err(err, "negative parameter count");
	if (nparams > 0) {
		vals = malloc((size_t)nparams * sizeof(*vals));
		ibuf = malloc((size_t)nparams * INT_TEXT_LEN);
		if (!vals || !ibuf) {
			free(vals);
			free(ibuf);
			return set_nomem(err);
		}
		rc = params_text(params, nparams, vals, ibuf, err);
		if (rc != STRATA_DRV_OK) {
			free(vals);
			free(ibuf);
			return rc;
		}
	}
	res = PQexecParams(c->pg, sql, nparams, NULL, vals, NULL, NULL, 0);
	free(vals);
	free(ibuf);
	if (fn && PQresultStatus(res) == PGRES_TUPLES_OK &&
	    send_rows(res, fn, fn_ctx) != STRATA_DRV_OK) {
		PQclear(res);
		return set_nomem(err);
	}
	return result_check(c, res, err);
}

static int pg_begin(strata_conn *c, strata_dberr *err)
{
	return pg_exec(c, "BEGIN", err);
}

static int pg_commit(strata_conn *c, strata_dberr *err)
{
	return pg_exec(c, "COMMIT", err);
}

static int pg_rollback(strata_conn *c, strata_dberr *err)
{
	return pg_exec(c, "ROLLBACK", err);
}

/* ------------------------------------------------------------------ */
/* Single-value queries                                                */

struct one_value {
	char *val;
	int got, nomem;
};

static int take_first(void *ctx, int ncols, const char *const *values)
{
	struct one_value *ov = ctx;

	ov->got = 1;
	if (ncols > 0 && values[0]) {
		ov->val = strdup(values[0]);
		ov->nomem = !ov->val;
	}
	return 1;
}

/* Run a query returning one value; *out is malloc'd (NULL for SQL NULL). */
static int query_value(strata_conn *c, const char *sql,
                       const strata_value *params, int nparams, char **out,
                       strata_dberr *err)
{
	struct one_value ov = {0};
	int rc;

	rc = pg__query(c, sql, params, nparams, take_first, &ov, err);
	if (rc == STRATA_DRV_OK && ov.nomem)
		rc = set_nomem(err);
	if (rc != STRATA_DRV_OK) {
		free(ov.val);
		return rc;
	}
	*out = ov.val;
	return STRATA_DRV_OK;
}

static int query_bool(strata_conn *c, const char *sql,
                      const strata_value *params, int nparams, int *out,
                      strata_dberr *err)
{
	char *v = NULL;
	int rc = query_value(c, sql, params, nparams, &v, err);

	if (rc == STRATA_DRV_OK)
		*out = v && v[0] == 't';
	free(v);
	return rc;
}

/*
 * Split "schema.table" into two parameters; no dot means the schema is
 * NULL and the SQL falls back to current_schema(). *schema is malloc'd.
 */
/* ------------------------------------------------------------------ */
/* Advisory lock                                                       */

/* Per database and history table (the core's "schema.table"), so unrelated
 * projects never collide. */
static const char lock_key_sql[] =
        "SELECT hashtextextended('strata:' || current_database()::text || '.'"
        " || $1::text, 0)";

static int64_t ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - t0->tv_sec) * 1000 +
	       (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* ms is at most LOCK_POLL_MS */
static void sleep_ms(int64_t ms)
{
	struct timespec ts;

	ts.tv_sec = 0;
	ts.tv_nsec = (long)ms * 1000000;
	/* An interrupted sleep just polls early; the deadline still holds. */
	nanosleep(&ts, NULL);
}

static int key_for(strata_conn *c, const char *name, char **key,
                   strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, name, 0};
	int rc = query_value(c, lock_key_sql, &p, 1, key, err);

	if (rc == STRATA_DRV_OK &&
	    (!*key || strspn(*key, "-0123456789") != strlen(*key))) {
		free(*key);
		*key = NULL;
		rc = pg__set_err(err, "could not derive the advisory lock key");
	}
	return rc;
}

/*
 * A boolean query on the lock session, with the key written into the SQL:
 * the simple protocol leaves no portal open. An open unnamed portal of the
 * extended protocol keeps its snapshot (xmin) until the next statement,
 * and CREATE INDEX CONCURRENTLY on the migration session would wait for it.
 */
static int lock_query(strata_conn *c, const char *fmt, const char *key,
                      int *out, strata_dberr *err)
{
	char sql[512];
	PGresult *res;

	snprintf(sql, sizeof(sql), fmt, key);
	res = PQexec(c->pg, sql);
	*out = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	       PQgetvalue(res, 0, 0)[0] == 't';
	return result_check(c, res, err);
}

/*
 * The lock is a transaction-level advisory lock held by an open
 * transaction on the lock session: it cannot outlive that transaction or
 * connection, so nothing can leak it. Each attempt is one round trip in a
 * transaction of its own, rolled back when the lock is not granted: behind
 * a transaction-pooling proxy (pgbouncer) only the holder pins a server
 * connection, the waiters none between attempts. The transaction must not
 * be cut short by the session's timeouts, and is READ COMMITTED so that it
 * holds no snapshot between statements (CREATE INDEX CONCURRENTLY and
 * VACUUM wait for old snapshots). Server-side keepalives (ignored on unix
 * sockets) free the lock within minutes when the holder's host vanishes.
 */
static const char lock_try_sql[] =
        "BEGIN ISOLATION LEVEL READ COMMITTED;"
        " SET LOCAL idle_in_transaction_session_timeout = 0;"
        " SET LOCAL statement_timeout = 0; SET LOCAL lock_timeout = 0;"
        " SET LOCAL tcp_keepalives_idle = 30;"
        " SET LOCAL tcp_keepalives_interval = 10;"
        " SET LOCAL tcp_keepalives_count = 3;%s"
        " SELECT pg_try_advisory_xact_lock(%s)";

static void lock_tx_end(strata_conn *c)
{
	strata_dberr ignored;

	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		pg_exec(c, "ROLLBACK", &ignored);
}

/* One attempt; the transaction stays open only when *got. */
static int lock_try(strata_conn *c, const char *key, int *got,
                    strata_dberr *err)
{
	/* PostgreSQL 17 limits whole transactions too. */
	const char *tt = PQserverVersion(c->pg) >= 170000
	                         ? " SET LOCAL transaction_timeout = 0;"
	                         : "";
	char fmt[sizeof(lock_try_sql) + 64];
	int rc;

	/* lock_query formats the key into the %s left here. */
	snprintf(fmt, sizeof(fmt), lock_try_sql, tt, "%s");
	rc = lock_query(c, fmt, key, got, err);
	if (rc != STRATA_DRV_OK || !*got)
		lock_tx_end(c);
	return rc;
}

/* Try every LOCK_POLL_MS until acquired or timeout_ms passed. */
static int poll_lock(strata_conn *c, const char *key, unsigned timeout_ms,
                     strata_dberr *err)
{
	struct timespec t0;
	int64_t left;
	int got, rc;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		rc = lock_try(c, key, &got, err);
		if (rc != STRATA_DRV_OK || got)
			return rc;
		left = (int64_t)timeout_ms - ms_since(&t0);
		if (left <= 0)
			return STRATA_DRV_TIMEOUT;
		sleep_ms(left < LOCK_POLL_MS ? left : LOCK_POLL_MS);
	}
}

static int pg_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                   strata_dberr *err)
{
	char *key = NULL;
	int rc;

	if (c->lock_key)
		return pg__set_err(err,
		                   "this connection already holds a strata "
		                   "lock");
	rc = key_for(c, name, &key, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	rc = poll_lock(c, key, timeout_ms, err);
	if (rc == STRATA_DRV_OK) {
		c->lock_key = key;
		return rc;
	}
	free(key);
	lock_tx_end(c);
	if (rc == STRATA_DRV_TIMEOUT) {
		err_clear(err);
		snprintf(err->message, sizeof(err->message),
		         "timed out after %u ms waiting for the lock on %s",
		         timeout_ms, name);
	}
	return rc;
}

/* Ending the lock transaction releases the lock. */
static int pg_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	(void)name;
	(void)err;
	if (!c->lock_key)
		return STRATA_DRV_OK;
	lock_tx_end(c);
	free(c->lock_key);
	c->lock_key = NULL;
	return STRATA_DRV_OK;
}

/* Ours when granted to this backend: a bigint key is classid (high 32
 * bits), objid (low 32 bits) and objsubid 1. */
static const char lock_held_sql[] =
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks"
        " WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"
        " AND objsubid = 1"
        " AND ((classid::bigint << 32) | objid::bigint) = %s)";

static int lost(strata_dberr *err, const char *why)
{
	pg__set_err(err, why);
	return STRATA_DRV_LOST;
}

/* Alive, still in the lock transaction, and the lock granted to it; the
 * query also resets any idle timer between the session and the server. */
static int pg_lock_check(strata_conn *c, const char *name, strata_dberr *err)
{
	int held = 0;

	(void)name;
	if (!c->lock_key)
		return lost(err, "no lock was taken on this session");
	if (PQstatus(c->pg) != CONNECTION_OK)
		return lost(err, "the lock session's connection is closed");
	if (PQtransactionStatus(c->pg) != PQTRANS_INTRANS)
		return lost(err, "the lock session left its lock transaction");
	if (lock_query(c, lock_held_sql, c->lock_key, &held, err) !=
	    STRATA_DRV_OK) {
		char why[sizeof(err->message)];

		memcpy(why, err->message, sizeof(why));
		pg__set_err(err, PQstatus(c->pg) == CONNECTION_OK
		                         ? "the lock session failed: "
		                         : "the lock session's connection was "
		                           "closed: ");
		msg_add(err, why);
		return STRATA_DRV_LOST;
	}
	if (!held)
		return lost(err, "the advisory lock is no longer held by the "
		                 "lock session");
	return STRATA_DRV_OK;
}

/* The schema of the table an unqualified name finds through the
 * search_path now, if any. */
static const char visible_schema_sql[] =
        "SELECT n.nspname FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident($1))";

static int no_schema(strata_conn *c, strata_dberr *err)
{
	char *path = NULL;
	int rc = query_value(c, "SELECT current_setting('search_path')", NULL,
	                     0, &path, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	pg__set_err(err, "the search_path (");
	msg_add(err, path ? path : "");
	msg_add(err, ") names no existing schema; set search_path (in "
	             "init_sql or for the role) or qualify the table setting "
	             "(table = schema.name)");
	free(path);
	return STRATA_DRV_CONFIG;
}

/* Where `table` resolves: its own schema part, else the schema of the
 * table the search_path finds, else the one it would be created in. */
static int resolve_schema(strata_conn *c, const char *schema,
                          const char *table, char **out, strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, NULL, 0};
	int rc;

	*out = NULL;
	if (schema)
		return (*out = strdup(schema)) ? STRATA_DRV_OK
		                               : set_nomem(err);
	p.text = table;
	rc = query_value(c, visible_schema_sql, &p, 1, out, err);
	if (rc == STRATA_DRV_OK && !*out)
		rc = query_value(c, "SELECT current_schema()", NULL, 0, out,
		                 err);
	if (rc == STRATA_DRV_OK && !*out)
		rc = no_schema(c, err);
	return rc;
}

/*
 * The history table's schema; the first answer also pins introspection
 * to it, which a later SET search_path must not move.
 */
static int pg_current_schema(strata_conn *c, const char *schema,
                             const char *table, char **out, strata_dberr *err)
{
	int rc = resolve_schema(c, schema, table, out, err);

	if (rc == STRATA_DRV_OK && !c->schema && !(c->schema = strdup(*out))) {
		free(*out);
		*out = NULL;
		return set_nomem(err);
	}
	return rc;
}

/* A transaction the last script left open (or failed in). */
static int pg_in_transaction(strata_conn *c)
{
	switch (PQtransactionStatus(c->pg)) {
	case PQTRANS_IDLE:
		return 0;
	case PQTRANS_INTRANS:
	case PQTRANS_INERROR:
		return 1;
	default:
		return -1;
	}
}

/*
 * PostgreSQL 14+ closes sessions idle longer than idle_session_timeout;
 * strata's migration session idles while files are read and checked, so
 * turn it off (revive_conn in the core stays as a fallback).
 */
static int pg_session_setup(strata_conn *c, unsigned *split_flags,
                            strata_dberr *err)
{
	(void)split_flags;
	if (PQserverVersion(c->pg) < 140000)
		return STRATA_DRV_OK;
	return pg_exec(c, "SET idle_session_timeout = 0", err);
}

static int64_t pg_changes(strata_conn *c)
{
	return c->changes;
}

/* ------------------------------------------------------------------ */
/* Catalog                                                             */

/* Any relation kind that would make CREATE TABLE IF NOT EXISTS skip. */
static const char table_exists_sql[] =
        "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_class c"
        " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace"
        " WHERE n.nspname = coalesce($1::text, current_schema()::text)"
        " AND c.relname = $2::text AND c.relkind IN ('r','p','v','m','f'))";

static int pg_table_exists(strata_conn *c, const char *schema,
                           const char *table, int *exists, strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_NULL, NULL, 0},
	                     {STRATA_VAL_TEXT, table, 0}};

	if (schema) {
		p[0].type = STRATA_VAL_TEXT;
		p[0].text = schema;
	}
	return query_bool(c, table_exists_sql, p, 2, exists, err);
}

/* ------------------------------------------------------------------ */
/* Module                                                              */

static const char *const schemes[] = {"postgres", "postgresql", NULL};

static const strata_dialect dialect = {
        .name = "postgres",
        .ident_quote = '"',
        .transactional_ddl = 1,
        .param_style = STRATA_PARAM_DOLLAR,
        .split_flags = STRATA_SPLIT_DOLLAR_QUOTES |
                       STRATA_SPLIT_NESTED_COMMENTS | STRATA_SPLIT_E_STRINGS,
        .history_table_options = NULL,
};

const strata_driver strata_driver_postgres = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "postgres",
        .version = PG_DRIVER_VERSION,
        .description = "PostgreSQL (libpq)",
        .schemes = schemes,
        .dialect = &dialect,
        .connect = pg_connect,
        .close = pg_close,
        .server_version = pg_server_version,
        .session_setup = pg_session_setup,
        .exec = pg_exec,
        .query = pg__query,
        .begin = pg_begin,
        .commit = pg_commit,
        .rollback = pg_rollback,
        .changes = pg_changes,
        .in_transaction = pg_in_transaction,
        .lock = pg_lock,
        .unlock = pg_unlock,
        .lock_check = pg_lock_check,
        .current_schema = pg_current_schema,
        .table_exists = pg_table_exists,
        .introspect = pg__introspect,
};
