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
#include <unistd.h>

#include "sqlite_int.h"

/* "<what> <path>: <why>", a configuration error (exit 2). */
static int fail_config(strata_dberr *err, const char *what, const char *path,
                       const char *why)
{
	return strata__kit_config(err, "%s %s: %s", what, path, why);
}

static int in_memory(const char *path)
{
	return !strcmp(path, ":memory:") || !*path;
}

static const char *const known_params[] = {"busy_timeout", NULL};

/* Checked before opening, so that a bad URL creates no database file. */
static int parse_params(const strata_url *url, int *busy, strata_dberr *err)
{
	long long v = *busy;
	int rc = strata__kit_params_check(url, known_params,
	                                  "sqlite URL parameter", err);

	if (rc == STRATA_DRV_OK)
		rc = strata__kit_param_int(url, "busy_timeout", 0, INT_MAX, &v,
		                           err);
	if (rc == STRATA_DRV_OK)
		*busy = (int)v;
	return rc;
}

static void conn_free(strata_conn *c)
{
	if (!c)
		return;
	if (c->lockdb)
		sqlite3_close(c->lockdb);
	free(c->lockpath);
	sqlite__uncache(c);
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
		return strata__kit_config(err, "no such database file: %s",
		                          path);
	c = calloc(1, sizeof(*c));
	if (!c || !(c->path = strdup(path))) {
		free(c);
		return strata__kit_nomem(err);
	}
	if (sqlite3_open_v2(c->path, &c->db, flags, NULL) != SQLITE_OK) {
		rc = sqlite__fail(c->db, err);
		strata__kit_err_add(err, " (opening %s)", c->path);
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

static int drv_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	return sqlite__exec(c->db, sql, err);
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
	return sqlite__exec(c->db, "BEGIN IMMEDIATE", err);
}

static int drv_commit(strata_conn *c, strata_dberr *err)
{
	return sqlite__exec(c->db, "COMMIT", err);
}

static int drv_rollback(strata_conn *c, strata_dberr *err)
{
	if (sqlite3_get_autocommit(c->db))
		return STRATA_DRV_OK; /* SQLite already rolled back */
	return sqlite__exec(c->db, "ROLLBACK", err);
}

/*
 * One BEGIN EXCLUSIVE on the sidecar (ctx). lockdb has no busy handler,
 * so a lock held elsewhere answers at once and the kit polls against the
 * clock: SQLite's handler counts the sleeps it asked for, which a loaded
 * machine stretches well past the timeout.
 */
static int try_exclusive(void *ctx, strata_dberr *err)
{
	int rc = sqlite3_exec(ctx, "BEGIN EXCLUSIVE", NULL, NULL, NULL);

	(void)err; /* drv_lock reports failures, from the handle */
	if (rc == SQLITE_OK)
		return STRATA_DRV_OK;
	return (rc & 0xff) == SQLITE_BUSY ? STRATA_DRV_TIMEOUT
	                                  : STRATA_DRV_ERROR;
}

/* realpath() of path, or of its directory when the file does not exist. */
static char *real_db_path(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *real, *out;

	if ((real = realpath(path, NULL)) || errno != ENOENT)
		return real;
	if (!slash)
		dir = strdup(".");
	else if (slash == path)
		dir = strdup("/");
	else
		dir = strndup(path, (size_t)(slash - path));
	real = dir ? realpath(dir, NULL) : NULL;
	free(dir);
	if (!real)
		return NULL;
	slash = slash ? slash + 1 : path;
	out = strata__kit_printf("%s/%s", strcmp(real, "/") ? real : "", slash);
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

	if (!real) {
		fail_config(err, "cannot resolve the database path", db,
		            strerror(errno));
		return NULL;
	}
	if (!(path = strata__kit_printf("%s-strata-lock", real)))
		strata__kit_nomem(err);
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
	rc = strata__kit_poll(timeout_ms, try_exclusive, c->lockdb, err);
	if (rc == STRATA_DRV_OK) {
		c->lockpath = path;
		return STRATA_DRV_OK;
	}
	if (rc != STRATA_DRV_TIMEOUT)
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
		               : strata__kit_fail(err, STRATA_DRV_LOST,
		                                  "no lock was taken on %s",
		                                  c->path);
	if (lstat(c->lockpath, &sb))
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "the lock file %s was removed",
		                        c->lockpath);
	if (sb.st_dev != c->lockdev || sb.st_ino != c->lockino)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "the lock file %s was replaced",
		                        c->lockpath);
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
		return strata__kit_nomem(err);
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

static int drv_prepare(strata_conn *c, const char *sql, strata_dberr *err)
{
	return sqlite__prepare(c->db, sql, err);
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
        /* SQLite cannot change a column's type: rebuild the table. */
        .widen_version_sql =
                "BEGIN; ALTER TABLE %T RENAME TO strata_history_old; %D; "
                "INSERT INTO %T SELECT * FROM strata_history_old; DROP "
                "TABLE strata_history_old; COMMIT;",
};

/* SQLite's memory statistics take a process-wide mutex on every
 * allocation: a sixth of the time lint spends compiling migrations on its
 * scratch database. Off, unless the process has already initialized
 * SQLite (then this returns SQLITE_MISUSE and changes nothing): an
 * application that wants sqlite3_memory_used() or a soft heap limit
 * initializes SQLite before the driver's first connect. */
static int drv_init(strata_dberr *err)
{
	(void)err;
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	return STRATA_DRV_OK;
}

const strata_driver strata_driver_sqlite = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "sqlite",
        .version = "0.1.0",
        .description = "SQLite (embedded, libsqlite3)",
        .schemes = schemes,
        .dialect = &dialect,
        .url_form = STRATA_URL_FILE,
        .init = drv_init,
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
        .split = sqlite__split,
        .prepare = drv_prepare,
        .introspect_detail = sqlite__introspect_detail,
        .catalog = sqlite__catalog,
        .introspect_flags = STRATA_INTROSPECT_PARTIAL,
};
