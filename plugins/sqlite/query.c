/*
 * Running statements for the SQLite driver: errors from a handle, binding,
 * stepping. The rest of the driver builds on this file; it calls nothing
 * of theirs.
 */
#include <stdlib.h>

#include "sqlite_int.h"

int sqlite__fail(sqlite3 *db, strata_dberr *err)
{
	if (!db)
		return strata__kit_nomem(err);
	return strata__kit_err(err, NULL, sqlite3_extended_errcode(db), "%s",
	                       sqlite3_errmsg(db));
}

/* Enough for any row the core reads; wider rows allocate. */
#define ROW_STACK 32

/* Steps a prepared statement to the end, rows to fn if set. */
static int step_all(sqlite3 *db, sqlite3_stmt *st, strata_row_fn fn, void *ctx,
                    strata_dberr *err)
{
	const char *stack[ROW_STACK], **vals = stack;
	int n = sqlite3_column_count(st);
	int rc, i, stop = 0;

	/* Every column: a row is never cut to fit a buffer. */
	if (fn && n > ROW_STACK && !(vals = malloc((size_t)n * sizeof(*vals))))
		return strata__kit_nomem(err);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (!fn || stop)
			continue;
		for (i = 0; i < n; i++)
			vals[i] = (const char *)sqlite3_column_text(st, i);
		stop = fn(ctx, n, vals);
	}
	if (vals != stack)
		free(vals);
	return rc == SQLITE_DONE ? STRATA_DRV_OK : sqlite__fail(db, err);
}

/* The same, and finalizes it. */
static int run_stmt(sqlite3 *db, sqlite3_stmt *st, strata_row_fn fn, void *ctx,
                    strata_dberr *err)
{
	int rc = step_all(db, st, fn, ctx, err);

	sqlite3_finalize(st);
	return rc;
}

int sqlite__exec(sqlite3 *db, const char *sql, strata_dberr *err)
{
	const char *tail = sql;
	int rc;

	while (tail && *tail) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return sqlite__fail(db, err);
		if (!st) /* whitespace or a comment */
			continue;
		if ((rc = run_stmt(db, st, NULL, NULL, err)) != STRATA_DRV_OK)
			return rc;
	}
	return STRATA_DRV_OK;
}

/* A value type this driver does not know is refused, never bound as NULL:
 * a history write would otherwise record NULL without a word. */
static int bind_all(sqlite3 *db, sqlite3_stmt *st, const strata_value *p, int n,
                    strata_dberr *err)
{
	int i, rc = SQLITE_OK;

	if (n < 0 || (n > 0 && !p))
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "invalid parameter list (%d "
		                        "parameters)",
		                        n);
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
		default:
			return strata__kit_fail(err, STRATA_DRV_ERROR,
			                        "parameter %d has an unknown "
			                        "value type (%d)",
			                        i + 1, p[i].type);
		}
	}
	return rc == SQLITE_OK ? STRATA_DRV_OK : sqlite__fail(db, err);
}

int sqlite__query(sqlite3 *db, const char *sql, const strata_value *params,
                  int nparams, strata_row_fn fn, void *ctx, strata_dberr *err)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return sqlite__fail(db, err);
	if (!st)
		return STRATA_DRV_OK;
	if ((rc = bind_all(db, st, params, nparams, err)) != STRATA_DRV_OK) {
		sqlite3_finalize(st);
		return rc;
	}
	return run_stmt(db, st, fn, ctx, err);
}

static sqlite3_stmt **cached_slot(strata_conn *c, const char *sql)
{
	int i;

	for (i = 0; i < SQLITE__CACHED; i++)
		if (c->cached[i].sql == sql || !c->cached[i].sql) {
			c->cached[i].sql = sql;
			return &c->cached[i].st;
		}
	return NULL;
}

int sqlite__query_cached(strata_conn *c, const char *sql,
                         const strata_value *params, int nparams,
                         strata_row_fn fn, void *ctx, strata_dberr *err)
{
	sqlite3_stmt **st = cached_slot(c, sql);
	int rc;

	if (!st)
		return sqlite__query(c->db, sql, params, nparams, fn, ctx, err);
	if (!*st &&
	    sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st,
	                       NULL) != SQLITE_OK)
		return sqlite__fail(c->db, err);
	rc = bind_all(c->db, *st, params, nparams, err);
	if (rc == STRATA_DRV_OK)
		rc = step_all(c->db, *st, fn, ctx, err);
	sqlite3_reset(*st);
	sqlite3_clear_bindings(*st);
	return rc;
}

void sqlite__uncache(strata_conn *c)
{
	int i;

	for (i = 0; i < SQLITE__CACHED; i++) {
		sqlite3_finalize(c->cached[i].st);
		c->cached[i].sql = NULL;
		c->cached[i].st = NULL;
	}
}

/* Compile each statement of sql without running any: SQLite checks its
 * syntax and the names it uses against the schema as it is now. */
int sqlite__prepare(sqlite3 *db, const char *sql, strata_dberr *err)
{
	const char *tail = sql;

	while (tail && *tail) {
		sqlite3_stmt *st = NULL;

		if (sqlite3_prepare_v2(db, tail, -1, &st, &tail) != SQLITE_OK)
			return sqlite__fail(db, err);
		sqlite3_finalize(st);
	}
	return STRATA_DRV_OK;
}

int sqlite__cursor_open(sqlite__cursor *cu, sqlite3 *db, const char *sql,
                        strata_dberr *err)
{
	cu->db = db;
	cu->st = NULL;
	cu->row = 0;
	if (sqlite3_prepare_v2(db, sql, -1, &cu->st, NULL) != SQLITE_OK)
		return sqlite__fail(db, err);
	return sqlite__cursor_next(cu, err);
}

int sqlite__cursor_next(sqlite__cursor *cu, strata_dberr *err)
{
	int rc = cu->st ? sqlite3_step(cu->st) : SQLITE_DONE;

	cu->row = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		return STRATA_DRV_OK;
	return sqlite__fail(cu->db, err);
}

const char *sqlite__cursor_text(const sqlite__cursor *cu, int col)
{
	const char *v = (const char *)sqlite3_column_text(cu->st, col);

	return v ? v : "";
}

void sqlite__cursor_close(sqlite__cursor *cu)
{
	sqlite3_finalize(cu->st);
	cu->st = NULL;
	cu->row = 0;
}
