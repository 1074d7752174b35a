/*
 * strata driver for SQLite.
 *
 * The migration lock is SQLite's own file lock, taken with BEGIN EXCLUSIVE
 * on a sidecar database "<db>-strata-lock": it works between processes,
 * waits through SQLite's busy handler, and the operating system drops it if
 * the holder dies, so there is never a stale lock to clean up. The sidecar
 * is named after the database's real path, so that every path to one
 * database shares one lock, and is never opened through a symbolic link.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "sqlite_int.h"

static char *str_dup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);

	if (p)
		memcpy(p, s, n);
	return p;
}

int sqlite__fail(sqlite3 *db, strata_dberr *err)
{
	int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;

	err->sqlstate[0] = '\0';
	err->code = code;
	snprintf(err->message, sizeof(err->message), "%s",
	         db ? sqlite3_errmsg(db) : "out of memory");
	return STRATA_DRV_ERROR;
}

static int fail_msg(strata_dberr *err, const char *msg, const char *arg)
{
	err->sqlstate[0] = '\0';
	err->code = 0;
	snprintf(err->message, sizeof(err->message), msg, arg);
	return STRATA_DRV_ERROR;
}

/* A configuration error about path: "<what> <path>: <why>". */
static int fail_config(strata_dberr *err, const char *what, const char *path,
                       const char *why)
{
	err->sqlstate[0] = '\0';
	err->code = 0;
	snprintf(err->message, sizeof(err->message), "%s %s%s%s", what, path,
	         why ? ": " : "", why ? why : "");
	return STRATA_DRV_CONFIG;
}

static int in_memory(const char *path)
{
	return !strcmp(path, ":memory:") || !*path;
}

/* Checked before opening, so that a bad URL creates no database file. */
static int parse_params(const strata_url *url, int *busy, strata_dberr *err)
{
	size_t i;

	for (i = 0; i < url->nparams; i++) {
		const strata_url_param *p = &url->params[i];
		char *end;
		long v;

		if (strcmp(p->key, "busy_timeout")) {
			fail_msg(err,
			         "unknown sqlite URL parameter '%s' "
			         "(known: busy_timeout)",
			         p->key);
			return STRATA_DRV_CONFIG;
		}
		v = strtol(p->value, &end, 10);
		if (!*p->value || *end || v < 0 || v > INT_MAX) {
			fail_msg(err, "invalid busy_timeout '%s'", p->value);
			return STRATA_DRV_CONFIG;
		}
		*busy = (int)v;
	}
	return STRATA_DRV_OK;
}

static void conn_free(strata_conn *c)
{
	if (!c)
		return;
	if (c->lockdb)
		sqlite3_close(c->lockdb);
	free(c->lockpath);
	sqlite3_close(c->db);
	free(c->path);
	free(c);
}

static int drv_connect(strata_conn **out, const strata_url *url,
                       unsigned cflags, strata_dberr *err)
{
	const char *path = url->path ? url->path : "";
	strata_conn *c;
	struct stat sb;
	int rc, busy = 5000,
	        flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;

	if ((rc = parse_params(url, &busy, err)) != STRATA_DRV_OK)
		return rc;
	if (!(cflags & STRATA_CONNECT_NO_CREATE))
		flags |= SQLITE_OPEN_CREATE;
	else if (!in_memory(path) && stat(path, &sb) && errno == ENOENT)
		return fail_config(err, "no such database file:", path, NULL);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = str_dup(path))) {
		free(c);
		return sqlite__fail(NULL, err);
	}
	if (sqlite3_open_v2(c->path, &c->db, flags, NULL) != SQLITE_OK) {
		rc = c->db ? sqlite__fail(c->db, err) : sqlite__fail(NULL, err);
		snprintf(err->message + strlen(err->message),
		         sizeof(err->message) - strlen(err->message),
		         " (opening %s)", c->path);
		conn_free(c);
		return rc;
	}
	sqlite3_extended_result_codes(c->db, 1);
	snprintf(c->version, sizeof(c->version), "SQLite %s",
	         sqlite3_libversion());
	/* Wait for other writers rather than fail with "database is locked". */
	sqlite3_busy_timeout(c->db, busy);
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

/* Steps a prepared statement to the end, rows to fn if set. */
static int run_stmt(sqlite3 *db, sqlite3_stmt *st, strata_row_fn fn, void *ctx,
                    strata_dberr *err)
{
	const char *vals[64];
	int rc, n, i, stop = 0;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn || stop)
			continue;
		n = sqlite3_column_count(st);
		if (n > 64)
			n = 64;
		for (i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		stop = fn(ctx, n, vals);
	}
	if (rc != SQLITE_DONE) {
		sqlite__fail(db, err);
		sqlite3_finalize(st);
		return STRATA_DRV_ERROR;
	}
	sqlite3_finalize(st);
	return STRATA_DRV_OK;
}

static int exec_on(sqlite3 *db, const char *sql, strata_dberr *err)
{
	const char *tail = sql;

	while (tail && *tail) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return sqlite__fail(db, err);
		if (!st) /* whitespace or a comment */
			continue;
		if (run_stmt(db, st, NULL, NULL, err) != STRATA_DRV_OK)
			return STRATA_DRV_ERROR;
	}
	return STRATA_DRV_OK;
}

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	return exec_on(c->db, sql, err);
}

static int bind_all(sqlite3_stmt *st, const strata_value *p, int n)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < n && rc == SQLITE_OK; i++) {
		if (p[i].type == STRATA_VAL_TEXT)
			rc = sqlite3_bind_text(st, i + 1, p[i].text, -1,
			                       SQLITE_TRANSIENT);
		else if (p[i].type == STRATA_VAL_INT)
			rc = sqlite3_bind_int64(st, i + 1, p[i].i);
		else
			rc = sqlite3_bind_null(st, i + 1);
	}
	return rc;
}

int sqlite__query(sqlite3 *db, const char *sql, const strata_value *params,
                  int nparams, strata_row_fn fn, void *ctx, strata_dberr *err)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite__fail(db, err);
	if (!st)
		return STRATA_DRV_OK;
	if (bind_all(st, params, nparams) != SQLITE_OK) {
		sqlite__fail(db, err);
		sqlite3_finalize(st);
		return STRATA_DRV_ERROR;
	}
	return run_stmt(db, st, fn, ctx, err);
}

static int drv_query(strata_conn *c, const char *sql,
                     const strata_value *params, int nparams, strata_row_fn fn,
                     void *ctx, strata_dberr *err)
{
	return sqlite__query(c->db, sql, params, nparams, fn, ctx, err);
}

/* IMMEDIATE takes the write lock up front: no deadlock on upgrade. */
static int drv_begin(strata_conn *c, strata_dberr *err)
{
	return exec_on(c->db, "BEGIN IMMEDIATE", err);
}

static int drv_commit(strata_conn *c, strata_dberr *err)
{
	return exec_on(c->db, "COMMIT", err);
}

static int drv_rollback(strata_conn *c, strata_dberr *err)
{
	if (sqlite3_get_autocommit(c->db))
		return STRATA_DRV_OK; /* SQLite already rolled back */
	return exec_on(c->db, "ROLLBACK", err);
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Polls against the wall clock: SQLite's busy handler counts the sleeps it
 * asked for, which a loaded machine stretches well past the timeout. */
static int take_exclusive(sqlite3 *db, unsigned timeout_ms)
{
	long long deadline = now_ms() + timeout_ms;
	struct timespec pause = {0, 50 * 1000000L};
	int rc;

	for (;;) {
		rc = sqlite3_exec(db, "BEGIN EXCLUSIVE", NULL, NULL, NULL);
		if (rc == SQLITE_OK || (rc & 0xff) != SQLITE_BUSY)
			return rc;
		if (now_ms() >= deadline)
			return SQLITE_BUSY;
		nanosleep(&pause, NULL);
	}
}

/* realpath() of path, or of its directory when the file does not exist. */
static char *real_db_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *out;
	size_t n;

	if ((real = realpath(path, NULL)) || errno != ENOENT)
		return real;
	if (!slash)
		dir = str_dup(".");
	else if (slash == path)
		dir = str_dup("/");
	else if ((dir = malloc((size_t)(slash - path) + 1)))
		snprintf(dir, (size_t)(slash - path) + 1, "%s", path);
	real = dir ? realpath(dir, NULL) : NULL;
	free(dir);
	if (!real)
		return NULL;
	slash = slash ? slash + 1 : path;
	n = strlen(real) + 1 + strlen(slash) + 1;
	if ((out = malloc(n)))
		snprintf(out, n, "%s/%s", strcmp(real, "/") ? real : "", slash);
	free(real);
	return out;
}

/*
 * Create or check the sidecar ourselves: O_NOFOLLOW so that a planted
 * symbolic link cannot make us create or open a file elsewhere, and a
 * clear configuration error when it cannot be opened read-write. The fd
 * is closed before SQLite locks the file (closing drops POSIX locks).
 */
static int check_sidecar(strata_conn *c, const char *path, strata_dberr *err)
{
	int fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	struct stat sb;
	int e = errno, reg;

	if (fd < 0)
		return fail_config(err, "cannot open the lock file", path,
		                   e == ELOOP ? "it is a symbolic link"
		                              : strerror(e));
	reg = fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode);
	close(fd);
	if (!reg)
		return fail_config(err, "cannot use the lock file", path,
		                   "not a regular file");
	/* The file the lock is on, for lock_check. */
	c->lockdev = sb.st_dev;
	c->lockino = sb.st_ino;
	return STRATA_DRV_OK;
}

static char *sidecar_path(const char *db, strata_dberr *err)
{
	char *real = real_db_path(db), *path;
	size_t n;

	if (!real) {
		fail_config(err, "cannot resolve the database path", db,
		            strerror(errno));
		return NULL;
	}
	n = strlen(real) + sizeof("-strata-lock");
	if ((path = malloc(n)))
		snprintf(path, n, "%s-strata-lock", real);
	else
		sqlite__fail(NULL, err);
	free(real);
	return path;
}

static int open_sidecar(strata_conn *c, const char *path, strata_dberr *err)
{
	int rc = check_sidecar(c, path, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	rc = sqlite3_open_v2(path, &c->lockdb,
	                     SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW,
	                     NULL);
	if (rc == SQLITE_OK && sqlite3_db_readonly(c->lockdb, "main") == 1)
		rc = SQLITE_READONLY;
	if (rc == SQLITE_OK)
		return STRATA_DRV_OK;
	fail_config(err, "cannot open the lock file", path,
	            c->lockdb ? sqlite3_errmsg(c->lockdb) : "out of memory");
	sqlite3_close(c->lockdb);
	c->lockdb = NULL;
	return STRATA_DRV_CONFIG;
}

static int drv_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err)
{
	char *path;
	int rc;

	(void)name;
	if (in_memory(c->path) || c->lockdb)
		return STRATA_DRV_OK; /* private to this connection */
	if (!(path = sidecar_path(c->path, err)))
		return STRATA_DRV_CONFIG;
	if ((rc = open_sidecar(c, path, err)) != STRATA_DRV_OK) {
		free(path);
		return rc;
	}
	rc = take_exclusive(c->lockdb, timeout_ms);
	if (rc == SQLITE_OK) {
		c->lockpath = path;
		return STRATA_DRV_OK;
	}
	if ((rc & 0xff) == SQLITE_BUSY)
		rc = STRATA_DRV_TIMEOUT;
	else
		rc = fail_config(err, "cannot lock", path,
		                 sqlite3_errmsg(c->lockdb));
	free(path);
	sqlite3_close(c->lockdb);
	c->lockdb = NULL;
	return rc;
}

static int drv_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	(void)name;
	(void)err;
	if (!c->lockdb)
		return STRATA_DRV_OK;
	sqlite3_exec(c->lockdb, "ROLLBACK", NULL, NULL, NULL);
	sqlite3_close(c->lockdb);
	c->lockdb = NULL;
	free(c->lockpath);
	c->lockpath = NULL;
	return STRATA_DRV_OK;
}

static int lost(strata_dberr *err, const char *why, const char *path)
{
	fail_msg(err, why, path);
	return STRATA_DRV_LOST;
}

/*
 * The lock is on the sidecar file we opened: if that path was removed or
 * replaced (cleanup of "stray" files, a restore), a second strata opens
 * and locks the new file, and both would migrate.
 */
static int drv_lock_check(strata_conn *c, const char *name, strata_dberr *err)
{
	struct stat sb;

	(void)name;
	if (!c->lockdb || !c->lockpath)
		return in_memory(c->path)
		               ? STRATA_DRV_OK
		               : lost(err, "no lock was taken on %s", c->path);
	if (lstat(c->lockpath, &sb))
		return lost(err, "the lock file %s was removed", c->lockpath);
	if (sb.st_dev != c->lockdev || sb.st_ino != c->lockino)
		return lost(err, "the lock file %s was replaced", c->lockpath);
	return STRATA_DRV_OK;
}

static int drv_in_transaction(strata_conn *c)
{
	return !sqlite3_get_autocommit(c->db);
}

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
	char *sql = sqlite3_mprintf("SELECT 1 FROM \"%w\".sqlite_master "
	                            "WHERE type = 'table' AND name = ?",
	                            schema ? schema : "main");
	strata_value v;
	int rc;

	if (!sql)
		return sqlite__fail(NULL, err);
	v.type = STRATA_VAL_TEXT;
	v.text = table;
	*exists = 0;
	rc = sqlite__query(c->db, sql, &v, 1, set_flag, exists, err);
	sqlite3_free(sql);
	return rc;
}

/* Rows matched by the last INSERT/UPDATE/DELETE. */
static int64_t drv_changes(strata_conn *c)
{
#if SQLITE_VERSION_NUMBER >= 3037000
	return (int64_t)sqlite3_changes64(c->db);
#else
	return (int64_t)sqlite3_changes(c->db);
#endif
}

static const char *const schemes[] = {"sqlite", "sqlite3", NULL};

static const strata_dialect dialect = {
        .name = "sqlite",
        .ident_quote = '"',
        .transactional_ddl = 1,
        .param_style = STRATA_PARAM_QMARK,
        .split_flags = STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |
                       STRATA_SPLIT_BACKTICK_IDENT,
        .history_table_options = NULL,
};

const strata_driver strata_driver_sqlite = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "sqlite",
        .version = "0.1.0",
        .description = "SQLite (embedded, libsqlite3)",
        .schemes = schemes,
        .dialect = &dialect,
        .connect = drv_connect,
        .close = drv_close,
        .server_version = drv_server_version,
        .exec = drv_exec,
        .query = drv_query,
        .begin = drv_begin,
        .commit = drv_commit,
        .rollback = drv_rollback,
        .changes = drv_changes,
        .in_transaction = drv_in_transaction,
        .lock = drv_lock,
        .unlock = drv_unlock,
        .lock_check = drv_lock_check,
        .table_exists = drv_table_exists,
        .introspect = sqlite__introspect,
};
