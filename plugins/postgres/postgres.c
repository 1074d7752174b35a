/*
 * strata driver for PostgreSQL, on top of libpq.
 *
 * Everything goes through the text protocol: parameters are sent as text
 * and results are read as text, which is all the core needs. Requires a
 * PostgreSQL 12 or newer server (hashtextextended, prokind, attgenerated).
 * Introspection is in introspect.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "pg_int.h"

#define PG_DRIVER_VERSION "0.1.0"

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

/* Options libpq has no keyword for, or values it would take but strata
 * does not, are configuration errors, not connection failures. */
static const strata__kit_choice sslmodes[] = {
        {"disable", 0},   {"allow", 1},       {"prefer", 2}, {"require", 3},
        {"verify-ca", 4}, {"verify-full", 5}, {NULL, 0},
};

static int check_params(const strata_url *url, strata_dberr *err)
{
	PQconninfoOption *defs = PQconndefaults();
	const char **known;
	const char *bad, *v;
	size_t n = 0, i;
	int mode;

	if (!defs)
		return strata__kit_nomem(err);
	while (defs[n].keyword)
		n++;
	if (!(known = calloc(n + 2, sizeof(*known)))) {
		PQconninfoFree(defs);
		return strata__kit_nomem(err);
	}
	for (i = 0; i < n; i++)
		known[i] = defs[i].keyword;
	known[n] = "socket";
	bad = strata__kit_param_unknown(url, known);
	if (bad)
		strata__kit_config(err,
		                   "unknown connection parameter \"%s\" in "
		                   "postgres URL",
		                   bad);
	free(known);
	PQconninfoFree(defs);
	if (bad)
		return STRATA_DRV_CONFIG;
	v = strata__kit_param(url, "sslmode");
	/* libpq takes the modes in lower case only */
	if (v && (strata__kit_parse_enum(v, sslmodes, &mode) ||
	          strcmp(v, sslmodes[mode].name)))
		return strata__kit_config(
		        err,
		        "invalid sslmode \"%s\" in postgres "
		        "URL (disable, allow, prefer, require, "
		        "verify-ca or verify-full)",
		        v);
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
	const char *host = strata__kit_param(url, "socket");
	int port = url->port;
	size_t i;

	if (!host)
		host = url->host;
	if (host && socket_file(a, &host, &port) < 0)
		return strata__kit_nomem(err);
	/* five URL fields, three defaults, the params and a terminator */
	a->keys = calloc(url->nparams + 9, sizeof(*a->keys));
	a->vals = calloc(url->nparams + 9, sizeof(*a->vals));
	if (!a->keys || !a->vals)
		return strata__kit_nomem(err);
	if (port > 0) {
		snprintf(a->port, sizeof(a->port), "%d", port);
		args_add(a, "port", a->port);
	}
	args_add(a, "host", host);
	args_add(a, "user", url->user);
	args_add(a, "password", url->password);
	args_add(a, "dbname", url->path);
	if (!strata__kit_param(url, "application_name"))
		args_add(a, "application_name", "strata");
	if (!strata__kit_param(url, "connect_timeout"))
		args_add(a, "connect_timeout", "10");
	/* Migration files are UTF-8 whatever the database encoding is. */
	if (!strata__kit_param(url, "client_encoding"))
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
		return strata__kit_nomem(err);
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
	free(c->guard);
	free(c);
}

static int pg_connect(strata_conn **out, const strata_url *url, unsigned flags,
                      strata_dberr *err)
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
		return strata__kit_nomem(err);
	}
	/* expand_dbname=0: a database name is never parsed as a conninfo */
	c->pg = PQconnectdbParams(a.keys, a.vals, 0);
	args_free(&a);
	if (!c->pg) {
		free(c);
		return strata__kit_nomem(err);
	}
	if (PQstatus(c->pg) != CONNECTION_OK) {
		pg__err_conn(err, c->pg);
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

/* Owed, not sent: it goes with the next statement (query.c pg__run).
 * Inside a transaction it is sent, and only warns, as it always did. */
static int pg_begin(strata_conn *c, strata_dberr *err)
{
	int rc = pg__settle(c, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (PQtransactionStatus(c->pg) != PQTRANS_IDLE)
		return pg__exec(c, "BEGIN", err);
	c->begin_later = 1;
	return STRATA_DRV_OK;
}

/* A transaction that never began has nothing to end. */
static int pg_commit(strata_conn *c, strata_dberr *err)
{
	if (c->begin_later) {
		c->begin_later = 0;
		return STRATA_DRV_OK;
	}
	return pg__exec(c, "COMMIT", err);
}

/* Nor does one a syntax error kept from beginning (pg__run): ROLLBACK
 * outside a transaction would only warn. */
static int pg_rollback(strata_conn *c, strata_dberr *err)
{
	if (c->begin_later || PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		c->begin_later = 0;
		return STRATA_DRV_OK;
	}
	return pg__exec(c, "ROLLBACK", err);
}

/* ------------------------------------------------------------------ */
/* Single-value queries                                                */

/* Run a query returning one value; *out is malloc'd (NULL for SQL NULL). */
static int query_value(strata_conn *c, const char *sql,
                       const strata_value *params, int nparams, char **out,
                       strata_dberr *err)
{
	return strata__kit_query_value(pg__query, c, sql, params, nparams, out,
	                               NULL, err);
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

/* ------------------------------------------------------------------ */
/* Advisory lock                                                       */

/* Per database and lock name (the core's, opaque: it names the history
 * table), so unrelated projects never collide. */
static const char lock_key_sql[] =
        "SELECT hashtextextended('strata:' || current_database()::text || '.'"
        " || $1::text, 0)";

static int key_for(strata_conn *c, const char *name, char **key,
                   strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, name, 0};
	int rc = query_value(c, lock_key_sql, &p, 1, key, err);

	if (rc == STRATA_DRV_OK &&
	    (!*key || strspn(*key, "-0123456789") != strlen(*key))) {
		free(*key);
		*key = NULL;
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "could not derive the advisory lock key");
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
	char *sql = strata__kit_printf(fmt, key);
	PGresult *res;

	if (!sql)
		return strata__kit_nomem(err);
	res = PQexec(c->pg, sql);
	free(sql);
	*out = PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 &&
	       PQgetvalue(res, 0, 0)[0] == 't';
	return pg__check(c, res, err);
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
		pg__exec(c, "ROLLBACK", &ignored);
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

struct try_ctx {
	strata_conn *c;
	const char *key;
};

/* One attempt for the kit's poll: TIMEOUT means held elsewhere. */
static int try_once(void *ctx, strata_dberr *err)
{
	struct try_ctx *t = ctx;
	int got = 0, rc = lock_try(t->c, t->key, &got, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	return got ? STRATA_DRV_OK : STRATA_DRV_TIMEOUT;
}

static int pg_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                   strata_dberr *err)
{
	struct try_ctx t;
	char *key = NULL;
	int rc;

	if (c->lock_key)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "this connection already holds a "
		                        "strata lock");
	rc = key_for(c, name, &key, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	t.c = c;
	t.key = key;
	rc = strata__kit_poll(timeout_ms, try_once, &t, err);
	if (rc == STRATA_DRV_OK) {
		c->lock_key = key;
		return rc;
	}
	free(key);
	lock_tx_end(c);
	if (rc == STRATA_DRV_TIMEOUT)
		strata__kit_fail(
		        err, rc,
		        "timed out after %u ms waiting for the lock on "
		        "%s",
		        timeout_ms, name);
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

/* Taking the lock again in the lock transaction: true when this session
 * holds it (a transaction-level advisory lock is re-entrant and ends only
 * with the transaction), false when another does. Not pg_locks: that view
 * copies every lock of the server, and a --single-transaction run holds
 * one per table it creates, which made each check O(tables so far). */
static const char lock_held_sql[] = "SELECT pg_try_advisory_xact_lock(%s)";

/* Alive, still in the lock transaction, and the lock granted to it; the
 * query also resets any idle timer between the session and the server. */
static int pg_lock_check(strata_conn *c, const char *name, strata_dberr *err)
{
	int held = 0;

	(void)name;
	if (!c->lock_key)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "no lock was taken on this session");
	if (PQstatus(c->pg) != CONNECTION_OK)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "the lock session's connection is "
		                        "closed");
	if (PQtransactionStatus(c->pg) != PQTRANS_INTRANS)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "the lock session left its lock "
		                        "transaction");
	/* The kit formats before it writes: err may quote itself. */
	if (lock_query(c, lock_held_sql, c->lock_key, &held, err) !=
	    STRATA_DRV_OK)
		return strata__kit_fail(err, STRATA_DRV_LOST, "%s: %s",
		                        PQstatus(c->pg) == CONNECTION_OK
		                                ? "the lock session failed"
		                                : "the lock session's "
		                                  "connection was closed",
		                        err->message);
	if (!held)
		return strata__kit_fail(
		        err, STRATA_DRV_LOST,
		        "the advisory lock is no longer held by "
		        "the lock session");
	return STRATA_DRV_OK;
}

/* A key no other session takes: 64 random bits, from the kernel (or, if
 * it cannot say, the time and the process). */
static long long run_key(void)
{
	unsigned long long k = 0;
	struct timespec t;

	if (getrandom(&k, sizeof(k), GRND_NONBLOCK) != (ssize_t)sizeof(k)) {
		clock_gettime(CLOCK_REALTIME, &t);
		k = ((unsigned long long)t.tv_sec << 32) ^
		    (unsigned long long)t.tv_nsec ^
		    ((unsigned long long)getpid() << 16);
	}
	return (long long)(k >> 1); /* positive: printed as is in SQL */
}

/*
 * A commit's check of the lock (lock_guard). Next to the lock, the lock
 * transaction takes a second advisory lock on a key of its own, random,
 * so that only it holds that key, and only for as long as it holds the
 * lock. A shared request for the key from the migration session then
 * fails while the lock session lives; granted, it means the lock is
 * gone, and the division by zero fails the pipeline before its COMMIT.
 * One lock table probe a commit: pg_locks, which would name the holder,
 * copies the whole lock table (about 0.1 ms a query here).
 */
static const char guard_sql[] =
        "SELECT 1 / (NOT pg_catalog.pg_try_advisory_xact_lock_shared(%s))::int";

static int pg_lock_guard(strata_conn *c, strata_conn *l, const char *name,
                         strata_dberr *err)
{
	char key[32];
	int got = 0;
	char *sql;

	(void)name;
	free(c->guard);
	c->guard = NULL;
	if (!l->lock_key || PQtransactionStatus(l->pg) != PQTRANS_INTRANS)
		return strata__kit_fail(
		        err, STRATA_DRV_ERROR,
		        "no lock was taken on the lock session");
	snprintf(key, sizeof(key), "%lld", run_key());
	if (lock_query(l, lock_held_sql, key, &got, err) != STRATA_DRV_OK)
		return STRATA_DRV_ERROR;
	if (!got)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "the lock session could not take its "
		                        "own key");
	sql = strata__kit_printf(guard_sql, key);
	if (!sql)
		return strata__kit_nomem(err);
	/* Not armed unless it finds the lock now. */
	if (pg__exec(c, sql, err) != STRATA_DRV_OK) {
		free(sql);
		return STRATA_DRV_ERROR;
	}
	c->guard = sql;
	return STRATA_DRV_OK;
}

/* A hot standby is in recovery for as long as it follows its primary
 * (simple protocol: no portal left open, see lock_query). */
static int pg_standby(strata_conn *c, int *standby, strata_dberr *err)
{
	PGresult *res;

	*standby = 0;
	if (pg__settle(c, err) != STRATA_DRV_OK)
		return STRATA_DRV_ERROR;
	res = PQexec(c->pg, "SELECT pg_catalog.pg_is_in_recovery()");
	*standby = PQresultStatus(res) == PGRES_TUPLES_OK &&
	           PQntuples(res) == 1 && PQgetvalue(res, 0, 0)[0] == 't';
	return pg__check(c, res, err);
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
	strata__kit_config(err,
	                   "the search_path (%s) names no existing schema; set "
	                   "search_path (in init_sql or for the role) or "
	                   "qualify the table setting (table = schema.name)",
	                   path ? path : "");
	free(path);
	return STRATA_DRV_CONFIG;
}

/* Where `table` resolves: its own schema part, else the schema of the
 * table the search_path finds, else the one it would be created in. */
static int resolve_schema(strata_conn *c, const char *schema, const char *table,
                          char **out, strata_dberr *err)
{
	strata_value p = {STRATA_VAL_TEXT, NULL, 0};
	int rc;

	*out = NULL;
	if (schema)
		return (*out = strdup(schema)) ? STRATA_DRV_OK
		                               : strata__kit_nomem(err);
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
		return strata__kit_nomem(err);
	}
	return rc;
}

/* A transaction the last script left open (or failed in). */
static int pg_in_transaction(strata_conn *c)
{
	if (c->begin_later)
		return 1;
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
	return pg__exec(c, "SET idle_session_timeout = 0", err);
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
        .widen_version_sql =
                "ALTER TABLE %T ALTER COLUMN version TYPE VARCHAR(255);",
};

const strata_driver strata_driver_postgres = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "postgres",
        .version = PG_DRIVER_VERSION,
        .description = "PostgreSQL (libpq)",
        .schemes = schemes,
        .dialect = &dialect,
        .url_form = STRATA_URL_SERVER,
        .connect = pg_connect,
        .close = pg_close,
        .server_version = pg_server_version,
        .session_setup = pg_session_setup,
        .exec = pg__run,
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
        .split = pg__split,
        .analyze = pg__analyze,
        .introspect_detail = pg__introspect_detail,
        .catalog = pg__catalog,
        .batch = pg__batch,
        .standby = pg_standby,
        .introspect_flags = STRATA_INTROSPECT_PARTIAL,
        .batch_flags = STRATA_BATCH_LOCKED,
        .lock_guard = pg_lock_guard,
};
