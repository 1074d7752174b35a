/*
 * strata_skel: a minimal out-of-tree strata driver.
 *
 * It runs migrations on SQLite under its own URL scheme, skel:PATH, and
 * includes only <strata/driver.h> (from `pkg-config --cflags strata`) and
 * <sqlite3.h>: nothing of strata's sources. It shows what every driver
 * must supply (strata-driver(7)): connect and close, exec and query with
 * bound parameters, transactions, a lock that works between processes,
 * table_exists and introspect. Everything the ABI marks "may be NULL" is
 * left out except `changes`, which lets strata check that each history
 * write touched one row.
 *
 * The lock is flock(2) on a sidecar file "PATH-skel-lock": held per open
 * file, so two sessions of one process exclude each other too, and the
 * kernel drops it when the holder dies. (The bundled SQLite driver uses
 * SQLite's own locking on a sidecar database and resolves symbolic links;
 * see plugins/sqlite/sqlite.c in the strata sources.)
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <strata/driver.h>

/* Only the vtable leaves the module (built with -fvisibility=hidden). */
#define SKEL_EXPORT __attribute__((visibility("default")))

struct strata_conn {
	sqlite3 *db;
	char *path;
	int lockfd; /* -1: not locked */
};

/* ---- errors ------------------------------------------------------------ */

static int fail(strata_dberr *err, int rc, int code, const char *fmt, ...)
{
	va_list ap;

	err->sqlstate[0] = '\0'; /* SQLite has no SQLSTATEs */
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return rc;
}

static int db_fail(sqlite3 *db, strata_dberr *err)
{
	if (!db)
		return fail(err, STRATA_DRV_NOMEM, 0, "out of memory");
	return fail(err, STRATA_DRV_ERROR, sqlite3_extended_errcode(db), "%s",
	            sqlite3_errmsg(db));
}

/* ---- statements -------------------------------------------------------- */

/* Steps st to its end, each row to fn (if set) until fn returns non-zero;
 * finalizes st. */
static int run(sqlite3 *db, sqlite3_stmt *st, strata_row_fn fn, void *ctx,
               strata_dberr *err)
{
	int n = sqlite3_column_count(st), i, rc, stop = 0;
	const char **vals = calloc((size_t)n + 1, sizeof(*vals));

	if (!vals) {
		sqlite3_finalize(st);
		return fail(err, STRATA_DRV_NOMEM, 0, "out of memory");
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn || stop)
			continue; /* the rest is read and discarded */
		for (i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		stop = fn(ctx, n, vals);
	}
	free(vals);
	rc = rc == SQLITE_DONE ? STRATA_DRV_OK : db_fail(db, err);
	sqlite3_finalize(st);
	return rc;
}

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	const char *tail = sql;
	int rc;

	/* One statement is asked for; a trailing comment or ';' is fine. */
	while (tail && *tail) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(c->db, tail, -1, &st, &tail) !=
		    SQLITE_OK)
			return db_fail(c->db, err);
		if (st &&
		    (rc = run(c->db, st, NULL, NULL, err)) != STRATA_DRV_OK)
			return rc;
	}
	return STRATA_DRV_OK;
}

static int bind(sqlite3 *db, sqlite3_stmt *st, const strata_value *p, int n,
                strata_dberr *err)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		switch (p[i].type) {
		case STRATA_VAL_NULL:
			rc = sqlite3_bind_null(st, i + 1);
			break;
		case STRATA_VAL_TEXT:
			rc = sqlite3_bind_text(st, i + 1, p[i].text, -1,
			                       SQLITE_TRANSIENT);
			break;
		case STRATA_VAL_INT:
			rc = sqlite3_bind_int64(st, i + 1, p[i].i);
			break;
		default: /* never bind an unknown type as NULL */
			return fail(err, STRATA_DRV_ERROR, 0,
			            "parameter %d has an unknown type (%d)",
			            i + 1, p[i].type);
		}
	}
	return rc == SQLITE_OK ? STRATA_DRV_OK : db_fail(db, err);
}

static int query(sqlite3 *db, const char *sql, const strata_value *params,
                 int nparams, strata_row_fn fn, void *ctx, strata_dberr *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (nparams < 0 || (nparams > 0 && !params))
		return fail(err, STRATA_DRV_ERROR, 0, "bad parameter list");
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(db, err);
	if (!st)
		return STRATA_DRV_OK; /* a comment alone */
	if ((rc = bind(db, st, params, nparams, err)) != STRATA_DRV_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	return run(db, st, fn, ctx, err);
}

static int drv_query(strata_conn *c, const char *sql,
                     const strata_value *params, int nparams, strata_row_fn fn,
                     void *ctx, strata_dberr *err)
{
	return query(c->db, sql, params, nparams, fn, ctx, err);
}

/* IMMEDIATE takes the write lock at once: no deadlock on upgrading. */
static int drv_begin(strata_conn *c, strata_dberr *err)
{
	return drv_exec(c, "BEGIN IMMEDIATE", err);
}

static int drv_commit(strata_conn *c, strata_dberr *err)
{
	return drv_exec(c, "COMMIT", err);
}

static int drv_rollback(strata_conn *c, strata_dberr *err)
{
	/* Some errors roll back by themselves; autocommit is then on. */
	if (sqlite3_get_autocommit(c->db))
		return STRATA_DRV_OK;
	return drv_exec(c, "ROLLBACK", err);
}

static int64_t drv_changes(strata_conn *c)
{
	return sqlite3_changes(c->db);
}

/* ---- connections ------------------------------------------------------- */

static int in_memory(const char *path)
{
	return !*path || !strcmp(path, ":memory:");
}

static int drv_connect(strata_conn **out, const strata_url *url, unsigned flags,
                       strata_dberr *err)
{
	const char *path = url->path ? url->path : "";
	int oflags = SQLITE_OPEN_READWRITE;
	strata_conn *c;

	/* Refuse what we do not understand rather than ignore it. */
	if (url->nparams)
		return fail(err, STRATA_DRV_CONFIG, 0,
		            "unknown skel URL parameter '%s'",
		            url->params[0].key);
	if (!(flags & STRATA_CONNECT_NO_CREATE))
		oflags |= SQLITE_OPEN_CREATE;
	else if (!in_memory(path) && access(path, F_OK) != 0)
		return fail(err, STRATA_DRV_CONFIG, 0,
		            "no such database file: %s", path);
	if (!(c = calloc(1, sizeof(*c))) || !(c->path = strdup(path))) {
		free(c);
		return fail(err, STRATA_DRV_NOMEM, 0, "out of memory");
	}
	c->lockfd = -1;
	if (sqlite3_open_v2(path, &c->db, oflags, NULL) != SQLITE_OK) {
		int rc = db_fail(c->db, err);

		sqlite3_close(c->db);
		free(c->path);
		free(c);
		return rc;
	}
	sqlite3_extended_result_codes(c->db, 1);
	sqlite3_busy_timeout(c->db, 5000); /* wait for other writers */
	*out = c;
	return STRATA_DRV_OK;
}

static void drv_close(strata_conn *c)
{
	if (c->lockfd >= 0)
		close(c->lockfd); /* drops the lock */
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}

/* ---- the migration lock ------------------------------------------------ */

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int drv_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err)
{
	long long deadline = now_ms() + timeout_ms;
	size_t len = strlen(c->path) + sizeof("-skel-lock");
	char *lockpath;
	int fd, rc = STRATA_DRV_OK;

	(void)name; /* one database file, one lock */
	if (in_memory(c->path) || c->lockfd >= 0)
		return STRATA_DRV_OK; /* private to this connection */
	if (!(lockpath = malloc(len)))
		return fail(err, STRATA_DRV_NOMEM, 0, "out of memory");
	snprintf(lockpath, len, "%s-skel-lock", c->path);
	fd = open(lockpath, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd < 0) {
		fail(err, STRATA_DRV_CONFIG, errno,
		     "cannot open the lock file %s: %s", lockpath,
		     strerror(errno));
		free(lockpath);
		return STRATA_DRV_CONFIG;
	}
	/* Poll against the clock: the timeout is the caller's promise. */
	while (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int e = errno;
		long long left = deadline - now_ms();

		if (e != EWOULDBLOCK && e != EINTR) {
			rc = fail(err, STRATA_DRV_CONFIG, e,
			          "cannot lock %s: %s", lockpath, strerror(e));
			break;
		}
		if (left <= 0) {
			rc = fail(err, STRATA_DRV_TIMEOUT, 0,
			          "%s is locked by another session", lockpath);
			break;
		}
		usleep((useconds_t)(left < 10 ? left : 10) * 1000);
	}
	free(lockpath);
	if (rc != STRATA_DRV_OK) {
		close(fd);
		return rc;
	}
	c->lockfd = fd;
	return STRATA_DRV_OK;
}

static int drv_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	(void)name;
	(void)err;
	if (c->lockfd >= 0) {
		close(c->lockfd);
		c->lockfd = -1;
	}
	return STRATA_DRV_OK;
}

/* ---- the schema -------------------------------------------------------- */

static int set_flag(void *ctx, int ncols, const char *const *v)
{
	(void)ncols;
	(void)v;
	*(int *)ctx = 1;
	return 1;
}

static int drv_table_exists(strata_conn *c, const char *schema,
                            const char *table, int *exists, strata_dberr *err)
{
	strata_value v = {STRATA_VAL_TEXT, table, 0};

	(void)schema; /* SQLite has no schemas; "main" is the only one used */
	*exists = 0;
	return query(c->db,
	             "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
	             "name = ?",
	             &v, 1, set_flag, exists, err);
}

/* Introspection reads the pragmas row by row into the sink: the walk
 * state for the row callbacks below. */
typedef struct walk {
	strata_conn *c;
	const strata_schema_sink *k;
	strata_dberr *err;
	const char *table;
	int rc, has_pk;
} walk;

static int aborted(walk *w)
{
	w->rc = fail(w->err, STRATA_DRV_ERROR, 0, "introspection aborted");
	return 1;
}

/* pragma_table_info: name, type, notnull, has_default, default */
static int on_column(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (w->k->column(w->k->ctx, w->table, v[0], v[1] ? v[1] : "",
	                 strcmp(v[2], "1") != 0, v[3][0] == '1' ? v[4] : NULL))
		return aborted(w);
	return 0;
}

/* pragma_index_list: name, unique, origin, columns */
static int on_index(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	int pk = !strcmp(v[2], "pk");

	(void)n;
	w->has_pk |= pk;
	if (w->k->index(w->k->ctx, w->table, v[0], !strcmp(v[1], "1"), pk,
	                v[3] ? v[3] : ""))
		return aborted(w);
	return 0;
}

/* A rowid table's INTEGER PRIMARY KEY has no index of its own. */
static int on_rowid_pk(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (v[0] && w->k->index(w->k->ctx, w->table, "primary", 1, 1, v[0]))
		return aborted(w);
	return 0;
}

/* pragma_foreign_key_list, one row per key: id, table, from, to,
 * on_delete, on_update */
static int on_fk(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	char name[32];

	(void)n;
	snprintf(name, sizeof(name), "fk%s", v[0]);
	if (w->k->foreign_key(w->k->ctx, w->table, name, v[2], v[1], v[3], v[4],
	                      v[5]))
		return aborted(w);
	return 0;
}

/* Runs sql with the walk's table as its parameter, rows to fn. */
static int each(walk *w, const char *sql, strata_row_fn fn)
{
	strata_value v = {STRATA_VAL_TEXT, w->table, 0};
	int rc = query(w->c->db, sql, &v, 1, fn, w, w->err);

	return w->rc ? w->rc : rc;
}

static int one_table(walk *w)
{
	int rc;

	if (w->k->table(w->k->ctx, w->table, -1)) { /* -1: no row estimate */
		aborted(w);
		return w->rc;
	}
	w->has_pk = 0;
	rc = each(w,
	          "SELECT name, type, \"notnull\", dflt_value IS NOT NULL, "
	          "dflt_value FROM pragma_table_info(?) ORDER BY cid",
	          on_column);
	if (!rc)
		rc = each(w,
		          "SELECT il.name, il.\"unique\", il.origin, "
		          "(SELECT group_concat(coalesce(name, '<expr>'), ',') "
		          "FROM (SELECT name FROM pragma_index_info(il.name) "
		          "ORDER BY seqno)) FROM pragma_index_list(?1) AS il "
		          "ORDER BY il.name",
		          on_index);
	if (!rc && !w->has_pk)
		rc = each(w,
		          "SELECT group_concat(name, ',') FROM (SELECT name "
		          "FROM pragma_table_info(?) WHERE pk > 0 ORDER BY pk)",
		          on_rowid_pk);
	if (!rc)
		rc = each(
		        w,
		        "SELECT id, \"table\", group_concat(\"from\", ','), "
		        "group_concat(coalesce(\"to\", ''), ','), on_delete, "
		        "on_update FROM (SELECT * FROM "
		        "pragma_foreign_key_list(?) ORDER BY id, seq) GROUP BY "
		        "id ORDER BY id",
		        on_fk);
	return rc;
}

/* sqlite_master rows: type, name, tbl_name */
static int on_object(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (!strcmp(v[0], "table")) {
		int rc;

		/* Nested queries on one handle are fine in SQLite. */
		w->table = v[1];
		if ((rc = one_table(w)) != STRATA_DRV_OK) {
			w->rc = rc;
			return 1;
		}
		return 0;
	}
	if (w->k->object(w->k->ctx, v[0], v[1],
	                 strcmp(v[0], "trigger") ? NULL : v[2]))
		return aborted(w);
	return 0;
}

static int drv_introspect(strata_conn *c, const strata_schema_sink *k,
                          strata_dberr *err)
{
	walk w = {c, k, err, NULL, STRATA_DRV_OK, 0};
	int rc = query(c->db,
	               "SELECT type, name, tbl_name FROM sqlite_master WHERE "
	               "type IN ('table', 'view', 'trigger') AND name NOT "
	               "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
	               NULL, 0, on_object, &w, err);

	return w.rc ? w.rc : rc;
}

/* ---- the vtable -------------------------------------------------------- */

static const char *const schemes[] = {"skel", NULL};
/* Override files: up.skel.sql first, else SQLite's up.sqlite.sql. */
static const char *const file_names[] = {"skel", "sqlite", NULL};

static const strata_dialect dialect = {
        .name = "sqlite", /* SQLite's SQL: its lint rules and splitting */
        .ident_quote = '"',
        .transactional_ddl = 1,
        .param_style = STRATA_PARAM_QMARK,
        .split_flags = STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |
                       STRATA_SPLIT_BACKTICK_IDENT,
        .history_table_options = NULL, /* the core owns the columns */
        .widen_version_sql = NULL,     /* no strata 0.1 tables to fix */
};

SKEL_EXPORT const strata_driver strata_driver_skel = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "skel", /* the module is strata_skel.so */
        .version = "0.1.0",
        .description = "skeleton driver: SQLite as skel:PATH",
        .schemes = schemes,
        .file_names = file_names,
        .dialect = &dialect,
        .url_form = STRATA_URL_FILE, /* skel:path.db, skel:///abs.db */
        .connect = drv_connect,
        .close = drv_close,
        .exec = drv_exec,
        .query = drv_query,
        .begin = drv_begin,
        .commit = drv_commit,
        .rollback = drv_rollback,
        .changes = drv_changes,
        .lock = drv_lock,
        .unlock = drv_unlock,
        .table_exists = drv_table_exists,
        .introspect = drv_introspect,
};
