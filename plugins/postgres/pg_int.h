/* Private to the PostgreSQL driver. */
#ifndef STRATA_PG_INT_H
#define STRATA_PG_INT_H

#include <strata/driver.h>

#include <libpq-fe.h>

#include "kit.h"

struct strata_conn {
	PGconn *pg;
	char *version; /* "PostgreSQL x.y" */
	/* Key (decimal) of the transaction-level advisory lock while the lock
	 * transaction is open, else NULL. */
	char *lock_key;
	int64_t changes; /* rows of the last command, -1: unknown */
	char *schema;    /* what current_schema() first reported, or NULL */
	/* lock_guard(): the query batch() runs before its COMMIT with
	 * STRATA_BATCH_LOCKED, or NULL. */
	char *guard;
	/* A BEGIN owed: sent with what comes next (query.c pg__settle,
	 * pg__run, pg__batch), or dropped if a COMMIT or ROLLBACK comes
	 * first. */
	int begin_later;
	int pos_shift; /* characters in front of the statement (pg__run) */
};

/*
 * Layers, each calling only those above it:
 *   query.c       errors from libpq, statements, parameters
 *   introspect.c  the schema, through query.c
 *   split.c       statements, with libpg_query (no connection)
 *   analyze.c     what a statement changes, with libpg_query and json-c
 *   postgres.c    connections, the lock, the catalog; the vtable
 */

/* query.c */
int pg__err_conn(strata_dberr *err, PGconn *pg);
/* Check a result (and note its row count); always clears res. */
int pg__check(strata_conn *c, PGresult *res, strata_dberr *err);
int pg__exec(strata_conn *c, const char *sql, strata_dberr *err);
/* The exec op: a migration's statement, with the BEGIN owed in front. */
int pg__run(strata_conn *c, const char *sql, strata_dberr *err);
/* Send the BEGIN owed, if any, before anything else uses the session. */
int pg__settle(strata_conn *c, strata_dberr *err);
int pg__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err);
/* The batch op: libpq's pipeline mode, one round trip. */
int pg__batch(strata_conn *c, strata_batch_item *items, size_t n,
              unsigned flags, size_t *failed, strata_dberr *err);

/* split.c: the split operation (ABI 2.1), with libpg_query. */
int pg__split(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
              int *err_line, strata_dberr *err);
/* Past blanks and comments (block comments nest in PostgreSQL): where
 * the next token starts, or end. */
const char *pg__skip_gap(const char *p, const char *end);

/* analyze.c: the analyze operation (ABI 2.2), with libpg_query. */
int pg__analyze(const char *stmt, size_t len, strata_action_fn fn, void *ctx,
                strata_dberr *err);

/* introspect.c */
int pg__introspect(strata_conn *c, const strata_schema_sink *sink,
                   strata_dberr *err);
int pg__introspect_detail(strata_conn *c, const strata_detail_sink *sink,
                          strata_dberr *err);
int pg__catalog(strata_conn *c, strata_row_fn fn, void *ctx, strata_dberr *err);

#endif
