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
 *   lock_stale=secs         Galera lock: a holder whose heartbeat is older
 *                           is taken for dead (default 30; galera.c)
 * As with the mysql client, host "localhost" (the default) means the
 * default unix socket, not TCP. Any other parameter, or a bad value, is a
 * configuration error (STRATA_DRV_CONFIG).
 *
 * Prepared statements are in stmt.c, introspection in introspect.c; see
 * my_int.h for how the files layer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "my_int.h"

#define DRIVER_VERSION          "0.1.0"
#define DEFAULT_CHARSET         "utf8mb4"
#define DEFAULT_CONNECT_TIMEOUT 10u
#define DEFAULT_LOCK_STALE      30u
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

/* ---- connect --------------------------------------------------------- */

typedef struct conn_opts {
	const char *host;
	const char *socket;
	const char *charset;
	unsigned timeout;
	unsigned lock_stale;
	int ssl; /* -1: connector default, 0: disable, 1: require */
} conn_opts;

static const char *const known_params[] = {
        "socket",     "charset", "connect_timeout", "ssl-mode", "sslmode",
        "lock_stale", NULL};

static const strata__kit_choice ssl_modes[] = {
        {"disable", 0},  {"disabled", 0}, {"require", 1},
        {"required", 1}, {NULL, 0},
};

static int parse_params(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	static const char *const ssl_keys[] = {"sslmode", "ssl-mode"};
	long long timeout = o->timeout, stale = o->lock_stale;
	const char *v;
	size_t i;
	int rc = strata__kit_params_check(url, known_params, "URL parameter",
	                                  err);

	if (rc == STRATA_DRV_OK)
		rc = strata__kit_param_int(url, "connect_timeout", 0,
		                           0xFFFFFFFFll, &timeout, err);
	if (rc == STRATA_DRV_OK)
		rc = strata__kit_param_int(url, "lock_stale", 1, 86400, &stale,
		                           err);
	if (rc != STRATA_DRV_OK)
		return rc;
	o->timeout = (unsigned)timeout;
	o->lock_stale = (unsigned)stale;
	if ((v = strata__kit_param(url, "socket")))
		o->socket = v;
	if ((v = strata__kit_param(url, "charset")))
		o->charset = v;
	for (i = 0; i < sizeof(ssl_keys) / sizeof(*ssl_keys); i++) {
		v = strata__kit_param(url, ssl_keys[i]);
		if (v && strata__kit_parse_enum(v, ssl_modes, &o->ssl))
			return strata__kit_config(err,
			                          "unsupported %s '%s' (use "
			                          "disable or require)",
			                          ssl_keys[i], v);
	}
	return STRATA_DRV_OK;
}

/* Connector/C only uses the socket when the host is "localhost". */
static int resolve_host(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	const char *h = url->host && *url->host ? url->host : NULL;

	if (h && h[0] == '/') {
		if (o->socket && *o->socket)
			return strata__kit_config(
			        err, "both a socket host and socket= given");
		o->socket = h;
		h = NULL;
	}
	if (o->socket && !*o->socket)
		o->socket = NULL;
	if (o->socket && h && strcmp(h, "localhost"))
		return strata__kit_config(
		        err, "socket= conflicts with host '%s'", h);
	o->host = h ? h : "localhost";
	return STRATA_DRV_OK;
}

static int parse_opts(const strata_url *url, conn_opts *o, strata_dberr *err)
{
	int rc;

	memset(o, 0, sizeof *o);
	o->charset = DEFAULT_CHARSET;
	o->timeout = DEFAULT_CONNECT_TIMEOUT;
	o->lock_stale = DEFAULT_LOCK_STALE;
	o->ssl = -1;
	if ((rc = parse_params(url, o, err)) != STRATA_DRV_OK)
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
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "cannot set connection options");
	return STRATA_DRV_OK;
}

static int set_version(strata_conn *c, strata_dberr *err)
{
	const char *info = my__nz(mysql_get_server_info(c->db));
	const char *vendor = strstr(info, "MariaDB") ? "MariaDB" : "MySQL";

	if (!(c->version = strata__kit_printf("%s %s", vendor, info)))
		return strata__kit_nomem(err);
	return STRATA_DRV_OK;
}

static void conn_free(strata_conn *c)
{
	if (!c)
		return;
	if (c->db)
		my__galera_close(c); /* frees a Galera lock row */
	if (c->db)
		mysql_close(c->db); /* also releases GET_LOCK locks */
	free(c->version);
	free(c->lock_name);
	free(c->home_db);
	free(c->guard);
	free(c);
}

/*
 * MULTI_STATEMENTS for batch(), which sends strata's history writes in
 * one round trip; scripts still go one statement at a time, as the core
 * splits them, and before anything runs prepare() refuses a piece that
 * holds two statements (a prepared statement cannot). Turning the option
 * on and off around each batch would cost the two round trips it saves.
 * MULTI_RESULTS is needed for CALL. FOUND_ROWS: an UPDATE
 * reports the rows it matched, even when it changed nothing, for
 * changes(). Auto-reconnect is off: a new session would silently drop
 * the advisory lock.
 */
static int open_session(strata_conn *c, const strata_url *url,
                        const conn_opts *o, strata_dberr *err)
{
	const char *dbname = url->path && *url->path ? url->path : NULL;
	int rc;

	/* History, lock name and introspection all live in one database. */
	if (!dbname)
		return strata__kit_config(err, "the URL names no database "
		                               "(mysql://user@host/DATABASE)");
	rc = set_options(c->db, o, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	if (!mysql_real_connect(c->db, o->host, url->user, url->password,
	                        dbname, (unsigned)url->port, o->socket,
	                        CLIENT_MULTI_STATEMENTS | CLIENT_MULTI_RESULTS |
	                                CLIENT_FOUND_ROWS))
		return my__err_db(err, c->db);
	/*
	 * Connector/C 3.3 quietly falls back to plain text when the server
	 * lacks TLS unless the certificate is verified: check ourselves.
	 */
	if (o->ssl == 1 && !mysql_get_ssl_cipher(c->db))
		return strata__kit_err(err, "HY000", CR_TLS_ERROR,
		                       "TLS is required, but the server does "
		                       "not support it");
	return set_version(c, err);
}

/*
 * Once per process, before the first connect, serialised by the core:
 * mysql_library_init is not thread-safe, and mysql_init would otherwise
 * run it on first use, where two threads connecting at once would race.
 */
static int drv_init(strata_dberr *err)
{
	if (mysql_library_init(0, NULL, NULL))
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "cannot initialise the MariaDB client "
		                        "library");
	return STRATA_DRV_OK;
}

static int drv_connect(strata_conn **out, const strata_url *url, unsigned flags,
                       strata_dberr *err)
{
	conn_opts o;
	strata_conn *c;

	(void)flags; /* there is no database file to create */
	int rc;

	if ((rc = parse_opts(url, &o, err)) != STRATA_DRV_OK)
		return rc;
	if (!(c = calloc(1, sizeof *c)))
		return strata__kit_nomem(err);
	c->changes = -1;
	c->wsrep = -1;
	c->lock_stale = o.lock_stale;
	/* Only allocates: drv_init has set the library up already. */
	if (!(c->db = mysql_init(NULL))) {
		free(c);
		return strata__kit_nomem(err);
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
			return my__err_db(err, db);
		if ((status = mysql_next_result(db)) > 0)
			return my__err_db(err, db);
	} while (status == 0);
	return STRATA_DRV_OK;
}

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	c->changes = -1;
	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)))
		return my__err_db(err, c->db);
	c->changes = my__affected(mysql_affected_rows(c->db));
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

/* name is the core's, opaque (it names the history table): one lock per
 * history table. */
static int lock_name_for(strata_conn *c, const char *name, char **out,
                         strata_dberr *err)
{
	(void)c;
	return build_lock_name(name, out) ? strata__kit_nomem(err)
	                                  : STRATA_DRV_OK;
}

typedef struct lock_try {
	strata_conn *c;
	const char *lname;
	long long deadline; /* strata__kit_now_ms() */
} lock_try;

/*
 * One GET_LOCK that waits in the server for the time left, so that a
 * waiting strata shows in the process list as "User lock". The wait is
 * sent as text with milliseconds: MariaDB waits exactly that long, MySQL
 * (which reads whole seconds) rounds down, and the kit's poll tries again
 * for the rest. Never longer than asked.
 */
static int get_lock_once(void *ctx, strata_dberr *err)
{
	lock_try *t = ctx;
	long long left = t->deadline - strata__kit_now_ms();
	strata_value p[2] = {{STRATA_VAL_TEXT, NULL, 0},
	                     {STRATA_VAL_TEXT, NULL, 0}};
	char wait[32];
	my__scalar s;
	int rc;

	if (left < 0)
		left = 0;
	snprintf(wait, sizeof wait, "%lld.%03lld", left / 1000, left % 1000);
	p[0].text = t->lname;
	p[1].text = wait;
	rc = my__query_scalar(t->c, "SELECT GET_LOCK(?, ?)", p, 2, &s, err);
	if (rc != STRATA_DRV_OK)
		return rc;
	if (!s.text)
		rc = strata__kit_fail(
		        err, STRATA_DRV_ERROR,
		        "GET_LOCK('%s') returned NULL: the wait was "
		        "interrupted (KILL QUERY, a statement time "
		        "limit) or failed%s%s",
		        t->lname, *mysql_error(t->c->db) ? ": " : "",
		        mysql_error(t->c->db));
	else if (strcmp(s.text, "1"))
		rc = STRATA_DRV_TIMEOUT;
	free(s.text);
	return rc;
}

static int get_lock(strata_conn *c, const char *lname, unsigned timeout_ms,
                    strata_dberr *err)
{
	lock_try t;
	int rc;

	t.c = c;
	t.lname = lname;
	t.deadline = strata__kit_now_ms() + timeout_ms;
	rc = strata__kit_poll(timeout_ms, get_lock_once, &t, err);
	if (rc == STRATA_DRV_TIMEOUT)
		strata__kit_fail(err, rc, "lock '%s' not acquired within %u ms",
		                 lname, timeout_ms);
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
	int cluster = 0, rc = lock_name_for(c, name, &lname, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (c->lock_name) {
		/* GET_LOCK nests; taking it twice would need two releases. */
		if (strcmp(c->lock_name, lname))
			rc = strata__kit_fail(err, STRATA_DRV_ERROR,
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
		rc = my__wsrep_on(c, &cluster, err);
	/* GET_LOCK is local to one node of a Galera cluster. */
	if (rc == STRATA_DRV_OK && cluster)
		rc = my__galera_lock(c, name, timeout_ms, err);
	else if (rc == STRATA_DRV_OK)
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
	my__scalar s;
	int rc;

	(void)name;
	if (!c->lock_name)
		return STRATA_DRV_OK;
	if (c->galera) {
		rc = my__galera_unlock(c, err);
		free(c->lock_name);
		c->lock_name = NULL;
		return rc;
	}
	p.text = c->lock_name;
	rc = my__query_scalar(c, "SELECT RELEASE_LOCK(?)", &p, 1, &s, err);
	if (rc != STRATA_DRV_OK)
		return rc; /* still held: keep the name for a retry */
	if (!s.text || strcmp(s.text, "1"))
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "lock '%s' was not held by this session",
		                      c->lock_name);
	free(s.text);
	free(c->lock_name);
	c->lock_name = NULL;
	return rc;
}

/* The check as text, the name a literal: one round trip where a
 * prepared statement takes two. */
static char *held_sql(strata_conn *c)
{
	strata__kit_buf b = {0};

	strata__kit_buf_add(&b, "SELECT IS_USED_LOCK(");
	if (my__quote(&b, c->db, c->lock_name) != STRATA_DRV_OK) {
		strata__kit_buf_free(&b);
		return NULL;
	}
	strata__kit_buf_add(&b, ") = CONNECTION_ID()");
	return strata__kit_buf_take(&b);
}

/* 1 when the query's single value is 1. */
static int text_true(strata_conn *c, const char *sql, int *yes,
                     strata_dberr *err)
{
	MYSQL_RES *res;
	MYSQL_ROW row;

	*yes = 0;
	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)) ||
	    !(res = mysql_store_result(c->db)))
		return my__err_db(err, c->db);
	row = mysql_fetch_row(res);
	*yes = row && row[0] && !strcmp(row[0], "1");
	mysql_free_result(res);
	return mysql_next_result(c->db) > 0 ? my__err_db(err, c->db)
	                                    : STRATA_DRV_OK;
}

/* Whether this session still holds the lock; the query also keeps the
 * session from idling out. */
static int drv_lock_check(strata_conn *c, const char *name, strata_dberr *err)
{
	char *sql;
	int held = 0, rc;

	(void)name;
	if (!c->lock_name)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "this session holds no migration lock");
	if (c->galera)
		return my__galera_check(c, err);
	if (!(sql = held_sql(c)))
		return strata__kit_nomem(err);
	rc = text_true(c, sql, &held, err);
	free(sql);
	if (rc != STRATA_DRV_OK)
		return strata__kit_fail(
		        err, STRATA_DRV_LOST,
		        "the session holding lock '%s' is gone: %s",
		        c->lock_name, err->message);
	if (!held)
		return strata__kit_fail(
		        err, STRATA_DRV_LOST,
		        "lock '%s' is no longer held by this session",
		        c->lock_name);
	return STRATA_DRV_OK;
}

/*
 * A commit's check of the lock (lock_guard): IS_USED_LOCK names the lock
 * session as the holder, or the scalar subquery of two rows (error 1242)
 * stops the multi-statement query before its COMMIT. The session's number
 * comes from the server: behind a proxy, mysql_thread_id() is the
 * proxy's. Not on Galera, whose lock is a row (galera.c).
 */
static int drv_lock_guard(strata_conn *c, strata_conn *l, const char *name,
                          strata_dberr *err)
{
	strata__kit_buf b = {0};
	my__scalar id = {0, NULL};
	char *sql;
	int rc;

	(void)name;
	free(c->guard);
	c->guard = NULL;
	if (!l->lock_name || l->galera)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "no GET_LOCK lock on the lock session");
	rc = my__query_scalar(l, "SELECT CONNECTION_ID()", NULL, 0, &id, err);
	if (rc == STRATA_DRV_OK &&
	    (!id.text || !*id.text ||
	     strspn(id.text, "0123456789") != strlen(id.text)))
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "the lock session's number is unknown");
	if (rc == STRATA_DRV_OK) {
		strata__kit_buf_add(&b,
		                    "SET @strata_lock = (SELECT 1 UNION ALL "
		                    "SELECT 2 FROM DUAL WHERE NOT "
		                    "(IS_USED_LOCK(");
		rc = my__quote(&b, c->db, l->lock_name);
		strata__kit_buf_printf(&b, ") <=> %s))", id.text);
	}
	free(id.text);
	sql = strata__kit_buf_take(&b);
	if ((rc == STRATA_DRV_OK && !sql) || rc == STRATA_DRV_NOMEM)
		rc = strata__kit_nomem(err);
	else if (rc != STRATA_DRV_OK && !err->message[0])
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "the lock name cannot be quoted");
	/* Not armed unless it finds the lock now. */
	if (rc == STRATA_DRV_OK)
		rc = drv_exec(c, sql, err);
	if (rc == STRATA_DRV_OK)
		c->guard = sql;
	else
		free(sql);
	return rc;
}

/* ---- table_exists ---------------------------------------------------- */

static int drv_table_exists(strata_conn *c, const char *db, const char *table,
                            int *exists, strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_NULL, NULL, 0},
	                     {STRATA_VAL_TEXT, table, 0}};
	my__scalar s;
	int rc;

	if (db) {
		p[0].type = STRATA_VAL_TEXT;
		p[0].text = db;
	}
	rc = my__query_scalar(c,
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
		rc = strata__kit_nomem(err);
	if (rc == STRATA_DRV_OK &&
	    (!sv.autocommit || strcmp(sv.autocommit, "1")))
		rc = strata__kit_config(
		        err, "autocommit is off and cannot be turned on: "
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
static int drv_current_schema(strata_conn *c, const char *db, const char *table,
                              char **out, strata_dberr *err)
{
	(void)table;
	*out = NULL;
	if (db)
		return (*out = strdup(db)) ? STRATA_DRV_OK
		                           : strata__kit_nomem(err);
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
                       STRATA_SPLIT_BACKTICK_IDENT | STRATA_SPLIT_DQUOTE_STRING,
        .history_table_options = "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        .widen_version_sql =
                "ALTER TABLE %T MODIFY version VARCHAR(255) NOT NULL;",
};

const strata_driver strata_driver_mysql = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "mysql",
        .version = DRIVER_VERSION,
        .description = "MySQL/MariaDB (MariaDB Connector/C)",
        .schemes = schemes,
        .dialect = &dialect,
        .url_form = STRATA_URL_SERVER,
        .init = drv_init,
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
        .prepare = my__prepare,
        .introspect_detail = my__introspect_detail,
        .catalog = my__catalog,
        .batch = my__batch,
        .batch_flags = STRATA_BATCH_ONE_ROW | STRATA_BATCH_LOCKED,
        .prepare_many = my__prepare_many,
        .lock_guard = drv_lock_guard,
        .table_rows = my__table_rows,
        .introspect_flags = STRATA_INTROSPECT_PARTIAL,
};
