/* Private to the MySQL/MariaDB driver. */
#ifndef STRATA_MY_INT_H
#define STRATA_MY_INT_H

#include <strata/driver.h>

#include <mysql.h>

#include "kit.h"

struct strata_conn {
	MYSQL *db;
	char *version;   /* "MariaDB 10.11.6-MariaDB", for server_version */
	char *lock_name; /* GET_LOCK name held by this session, or NULL */
	int64_t changes; /* rows matched by the last statement, or -1 */
	char *home_db;   /* DATABASE() after init_sql; a USE cannot move it */
	int wsrep;       /* @@wsrep_on: -1 not asked yet, 0 off, 1 on */
	unsigned lock_stale;       /* seconds; URL parameter lock_stale */
	struct my__galera *galera; /* the Galera lock's state, or NULL */
	/* lock_guard(): the statement batch() runs before its COMMIT with
	 * STRATA_BATCH_LOCKED, or NULL. */
	char *guard;
};

/*
 * Layers, each calling only those above it (and the kit):
 *   my_err.c      errors from Connector/C handles
 *   stmt.c        prepared statements: binding, results, scalar queries
 *   introspect.c  the schema, through stmt.c
 *   catalog.c     the catalog digest's rows, through stmt.c
 *   batch.c       history writes in one multi-statement round trip
 *   galera.c      the lock on a Galera cluster, through my_err.c, batch.c
 *   mysql.c       connections, plain statements, the lock, the session;
 *                 the vtable
 */

static inline const char *my__nz(const char *s)
{
	return s ? s : "";
}

/* Server error codes (mysqld_error.h, the same in MySQL and MariaDB). */
#define MY__ER_LOCK_DEADLOCK 1213
/* Deadlock errors of autocommit statements are retried this long. */
#define MY__RETRY_MS 5000

/* my_err.c: fill err (which may be NULL) and return STRATA_DRV_ERROR. */
int my__err_db(strata_dberr *err, MYSQL *db);
int my__err_stmt(strata_dberr *err, MYSQL_STMT *st);

/* stmt.c; my__query runs a statement again after a deadlock error when
 * no transaction was open (see start_once). */
int my__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err);
/* The prepare op: a syntax error is STRATA_DRV_ERROR, nothing else. */
int my__prepare(strata_conn *c, const char *sql, strata_dberr *err);
int my__prepare_many(strata_conn *c, const char *const *sqls, size_t n,
                     size_t *rejected, strata_dberr *err);
/* Affected rows as changes() reports them: -1 for "not a DML statement". */
int64_t my__affected(my_ulonglong n);

/* First column of the first row of a query (strata__kit_query_value). */
typedef struct my__scalar {
	int rows;   /* 1 if a row came, else 0 */
	char *text; /* malloc'd; NULL for SQL NULL or no row */
} my__scalar;
int my__query_scalar(strata_conn *c, const char *sql,
                     const strata_value *params, int n, my__scalar *s,
                     strata_dberr *err);
/* DATABASE(), malloc'd; a configuration error if none is selected. */
int my__current_db(strata_conn *c, char **out, strata_dberr *err);

/* introspect.c: the database the session started in (after init_sql),
 * malloc'd; the schema is read there even after a migration ran USE. */
int my__home_db(strata_conn *c, char **out, strata_dberr *err);
/* catalog.c: the catalog op (MariaDB only). */
int my__catalog(strata_conn *c, strata_row_fn fn, void *ctx, strata_dberr *err);

/* batch.c: text as a quoted literal for this session (its character set
 * and sql_mode), appended to b; the batch op. */
int my__quote(strata__kit_buf *b, MYSQL *db, const char *text);
int my__batch(strata_conn *c, strata_batch_item *items, size_t n,
              unsigned flags, size_t *failed, strata_dberr *err);

/* galera.c: the lock as a certified row write when @@wsrep_on is ON. */
typedef struct my__galera my__galera;
int my__wsrep_on(strata_conn *c, int *on, strata_dberr *err);
int my__galera_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err);
int my__galera_check(strata_conn *c, strata_dberr *err);
int my__galera_unlock(strata_conn *c, strata_dberr *err);
void my__galera_close(strata_conn *c); /* also when never locked */

/* introspect.c */
int my__introspect(strata_conn *c, const strata_schema_sink *sink,
                   strata_dberr *err);
int my__introspect_detail(strata_conn *c, const strata_detail_sink *sink,
                          strata_dberr *err);
int my__table_rows(strata_conn *c, const char *table, int64_t *rows,
                   strata_dberr *err);

#endif
