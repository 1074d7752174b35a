/*
 * Running statements for the PostgreSQL driver: errors from libpq, results,
 * parameters. The rest of the driver builds on this file; it calls nothing
 * of theirs.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pg_int.h"

/* ------------------------------------------------------------------ */
/* Error messages                                                      */

int pg__err_conn(strata_dberr *err, PGconn *pg)
{
	strata__kit_err(err, NULL, 0, "%s", "");
	strata__kit_err_add_lines(err, PQerrorMessage(pg));
	if (!err->message[0])
		strata__kit_err_add(err, "unknown libpq error");
	return STRATA_DRV_ERROR;
}

static void msg_add_field(strata_dberr *err, const char *label,
                          const char *text)
{
	if (!text || !*text)
		return;
	strata__kit_err_add(err, "%s", label);
	strata__kit_err_add_lines(err, text);
	strata__kit_err_add(err, ")");
}

/* A lost connection often comes without an SQLSTATE; report 08006. */
static void set_sqlstate(strata_dberr *err, PGconn *pg, const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);

	if (state)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "%.5s", state);
	else if (PQstatus(pg) == CONNECTION_BAD)
		snprintf(err->sqlstate, sizeof(err->sqlstate), "08006");
}

/* A failed statement: primary message, position (less shift characters
 * sent in front of it), detail and hint. */
static int set_err_res(strata_dberr *err, PGconn *pg, const PGresult *res,
                       int shift)
{
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *pos = PQresultErrorField(res, PG_DIAG_STATEMENT_POSITION);
	long at = pos ? strtol(pos, NULL, 10) : 0;

	strata__kit_err(err, NULL, 0, "%s", "");
	/* Client-side failures (lost connection...) have no fields. */
	if (!primary) {
		strata__kit_err_add_lines(err, PQresultErrorMessage(res));
		if (!err->message[0])
			pg__err_conn(err, pg);
		set_sqlstate(err, pg, res);
		return STRATA_DRV_ERROR;
	}
	set_sqlstate(err, pg, res);
	strata__kit_err_add_lines(err, primary);
	if (pos && at > shift)
		strata__kit_err_add(err, " at character %ld", at - shift);
	else if (pos)
		strata__kit_err_add(err, " at character %s", pos);
	msg_add_field(err, " (DETAIL: ",
	              PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL));
	msg_add_field(
	        err, " (HINT: ", PQresultErrorField(res, PG_DIAG_MESSAGE_HINT));
	return STRATA_DRV_ERROR;
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

int pg__check(strata_conn *c, PGresult *res, strata_dberr *err)
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
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "COPY to or from the client is not "
		                      "supported in migrations");
		break;
	default:
		rc = set_err_res(err, c->pg, res, c->pos_shift);
		break;
	}
	PQclear(res);
	return rc;
}

int pg__settle(strata_conn *c, strata_dberr *err)
{
	if (!c->begin_later)
		return STRATA_DRV_OK;
	c->begin_later = 0;
	return pg__check(c, PQexec(c->pg, "BEGIN"), err);
}

int pg__exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	int rc = pg__settle(c, err);

	return rc != STRATA_DRV_OK ? rc : pg__check(c, PQexec(c->pg, sql), err);
}

/*
 * A migration's first statement carries the BEGIN owed, one simple query
 * ("BEGIN;" and the statement), so that a migration costs a round trip
 * fewer. The server parses the whole text before running any of it: a
 * syntax error in the statement leaves no transaction, which the
 * rollback that follows finds (pg_rollback). Its position is counted
 * from the statement's start, as without the BEGIN.
 */
#define OWED "BEGIN;"
int pg__run(strata_conn *c, const char *sql, strata_dberr *err)
{
	char *both;
	int rc;

	if (!c->begin_later)
		return pg__exec(c, sql, err);
	if (!(both = strata__kit_printf(OWED "%s", sql)))
		return strata__kit_nomem(err);
	c->begin_later = 0;
	c->pos_shift = (int)strlen(OWED);
	rc = pg__check(c, PQexec(c->pg, both), err);
	c->pos_shift = 0;
	free(both);
	return rc;
}

/* Every column of every row (PQnfields of them, however many). */
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

/* Text forms of the parameters; ints are formatted into ibuf. An unknown
 * value type is refused, never sent as NULL. */
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
			return strata__kit_fail(err, STRATA_DRV_ERROR,
			                        "parameter %d has an unknown "
			                        "value type (%d)",
			                        k + 1, p[k].type);
		}
	}
	return STRATA_DRV_OK;
}

/* The parameters' text forms: *vals and *ibuf are malloc'd (NULL when
 * there are none), for the caller to free. */
static int params_alloc(const strata_value *params, int n, const char ***vals,
                        char **ibuf, strata_dberr *err)
{
	*vals = NULL;
	*ibuf = NULL;
	if (n < 0 || (n > 0 && !params))
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "invalid parameter list (%d "
		                        "parameters)",
		                        n);
	if (n == 0)
		return STRATA_DRV_OK;
	*vals = malloc((size_t)n * sizeof(**vals));
	*ibuf = malloc((size_t)n * INT_TEXT_LEN);
	if (!*vals || !*ibuf)
		return strata__kit_nomem(err);
	return params_text(params, n, *vals, *ibuf, err);
}

int pg__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err)
{
	const char **vals = NULL;
	char *ibuf = NULL;
	PGresult *res;
	int rc = pg__settle(c, err);

	if (rc == STRATA_DRV_OK)
		rc = params_alloc(params, nparams, &vals, &ibuf, err);
	if (rc != STRATA_DRV_OK) {
		free(vals);
		free(ibuf);
		return rc;
	}
	res = PQexecParams(c->pg, sql, nparams, NULL, vals, NULL, NULL, 0);
	free(vals);
	free(ibuf);
	if (fn && PQresultStatus(res) == PGRES_TUPLES_OK &&
	    send_rows(res, fn, fn_ctx) != STRATA_DRV_OK) {
		PQclear(res);
		return strata__kit_nomem(err);
	}
	return pg__check(c, res, err);
}

/* ---- batch: libpq's pipeline mode, a round trip per 64 queries ------- */

static int pipe_send(strata_conn *c, const char *sql, const strata_value *p,
                     int n, strata_dberr *err)
{
	const char **vals;
	char *ibuf;
	int rc = params_alloc(p, n, &vals, &ibuf, err);

	if (rc == STRATA_DRV_OK &&
	    !PQsendQueryParams(c->pg, sql, n, NULL, vals, NULL, NULL, 0))
		rc = pg__err_conn(err, c->pg);
	free(vals);
	free(ibuf);
	return rc;
}

/* One queued query's result and the NULL that ends it. A query the
 * pipeline skipped after an earlier error is *skipped, not an error. */
static int pipe_read(strata_conn *c, int *skipped, strata_dberr *err)
{
	PGresult *res = PQgetResult(c->pg);
	int rc;

	*skipped = 0;
	if (!res)
		return pg__err_conn(err, c->pg);
	if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
		*skipped = 1;
		PQclear(res);
		rc = STRATA_DRV_OK;
	} else {
		rc = pg__check(c, res, err);
	}
	while ((res = PQgetResult(c->pg)) != NULL) /* one NULL, normally */
		PQclear(res);
	return rc;
}

/* Query k of the pipeline: BEGIN, the items, the lock check (guard, with
 * STRATA_BATCH_LOCKED), COMMIT. */
static void pipe_stmt(const strata_batch_item *items, size_t n, size_t first,
                      const char *guard, size_t k, const char **sql,
                      const strata_value **p, int *np)
{
	*p = NULL;
	*np = 0;
	if (k < first) {
		*sql = "BEGIN";
	} else if (k - first < n) {
		*sql = items[k - first].sql;
		*p = items[k - first].params;
		*np = items[k - first].nparams;
	} else if (k - first == n && guard) {
		*sql = guard;
	} else {
		*sql = "COMMIT";
	}
}

/* Index of query k in the batch's terms: the BEGIN is SIZE_MAX, the
 * items 0..n-1, the lock check and the COMMIT n. */
static size_t item_of(size_t n, size_t first, size_t k)
{
	if (k < first)
		return SIZE_MAX;
	return k - first < n ? k - first : n;
}

/* Read the results of queries [k0, k1); the first error is the round's,
 * *failed says where. */
static int pipe_collect(strata_conn *c, strata_batch_item *items, size_t n,
                        size_t first, size_t k0, size_t k1, size_t *failed,
                        strata_dberr *err)
{
	strata_dberr later; /* errors after the first */
	PGresult *res;
	size_t k;
	int rc = STRATA_DRV_OK, skipped;

	for (k = k0; k < k1; k++) {
		int r = pipe_read(c, &skipped,
		                  rc == STRATA_DRV_OK ? err : &later);

		if (r != STRATA_DRV_OK && rc == STRATA_DRV_OK) {
			rc = r;
			*failed = item_of(n, first, k);
		} else if (!skipped && k >= first && k - first < n) {
			items[k - first].changes = c->changes;
		}
	}
	res = PQgetResult(c->pg); /* PGRES_PIPELINE_SYNC */
	if (PQresultStatus(res) != PGRES_PIPELINE_SYNC && rc == STRATA_DRV_OK) {
		rc = pg__err_conn(err, c->pg);
		*failed = item_of(n, first, k1 - 1);
	}
	PQclear(res);
	return rc;
}

/*
 * Queries [k0, k1) in one round trip. Whatever was queued is synced and
 * read, so that the session can leave pipeline mode; an error there comes
 * before the one that stopped the sending, so it is the round's.
 */
static int pipe_round(strata_conn *c, strata_batch_item *items, size_t n,
                      size_t first, const char *guard, size_t k0, size_t k1,
                      size_t *failed, strata_dberr *err)
{
	strata_dberr sent_err; /* a query that could not be queued */
	size_t k = k0, at = SIZE_MAX;
	int rc = STRATA_DRV_OK, rc2;

	while (rc == STRATA_DRV_OK && k < k1) {
		const char *sql;
		const strata_value *p;
		int np;

		pipe_stmt(items, n, first, guard, k, &sql, &p, &np);
		if ((rc = pipe_send(c, sql, p, np, &sent_err)) == STRATA_DRV_OK)
			k++;
	}
	rc2 = PQpipelineSync(c->pg)
	              ? pipe_collect(c, items, n, first, k0, k, &at, err)
	              : pg__err_conn(err, c->pg);
	if (rc2 != STRATA_DRV_OK) {
		*failed = at;
		return rc2;
	}
	if (rc != STRATA_DRV_OK) {
		*err = sent_err;
		*failed = item_of(n, first, k);
	}
	return rc;
}

/* Queries per round trip. libpq blocks while the socket will not take
 * more, and the server stops reading while its results wait unread: a
 * round's results must fit the socket buffers, and 64 small ones do. */
#define PIPE_ROUND 64

int pg__batch(strata_conn *c, strata_batch_item *items, size_t n,
              unsigned flags, size_t *failed, strata_dberr *err)
{
	size_t first = (flags & STRATA_BATCH_BEGIN) ? 1 : 0;
	const char *guard = (flags & STRATA_BATCH_LOCKED) ? c->guard : NULL;
	size_t total = first + n + (guard ? 1 : 0) +
	               ((flags & STRATA_BATCH_COMMIT) ? 1 : 0);
	size_t k0;
	int rc = STRATA_DRV_OK;

	*failed = SIZE_MAX;
	if ((flags & STRATA_BATCH_LOCKED) && !guard)
		return strata__kit_unarmed(n, failed, err);
	/* A BEGIN alone waits for the migration's first statement (pg__run);
	 * one owed goes in front of the items. */
	if (flags == STRATA_BATCH_BEGIN && n == 0 && !c->begin_later &&
	    PQtransactionStatus(c->pg) == PQTRANS_IDLE) {
		c->begin_later = 1;
		return STRATA_DRV_OK;
	}
	if (c->begin_later && !first) {
		first = 1;
		total++;
	}
	if (!PQenterPipelineMode(c->pg))
		return pg__err_conn(err, c->pg);
	c->begin_later = 0;
	for (k0 = 0; rc == STRATA_DRV_OK && k0 < total; k0 += PIPE_ROUND)
		rc = pipe_round(c, items, n, first, guard, k0,
		                total - k0 < PIPE_ROUND ? total
		                                        : k0 + PIPE_ROUND,
		                failed, err);
	if (!PQexitPipelineMode(c->pg) && rc == STRATA_DRV_OK) {
		rc = pg__err_conn(err, c->pg);
		*failed = n;
	}
	return rc;
}
