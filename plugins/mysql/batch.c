/*
 * batch(): strata's history writes, with BEGIN and COMMIT, as one
 * multi-statement text query, one round trip where prepared statements
 * cost two each (prepare, execute) and BEGIN and COMMIT one each. The
 * parameters become literals escaped by Connector/C for the session's
 * character set and sql_mode (NO_BACKSLASH_ESCAPES included). Calls only
 * my_err.c and the kit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "my_int.h"

int my__quote(strata__kit_buf *b, MYSQL *db, const char *text)
{
	size_t n = strlen(text);
	unsigned long got;
	char *esc = malloc(2 * n + 1);
	int rc;

	if (!esc)
		return STRATA_DRV_NOMEM;
	got = mysql_real_escape_string(db, esc, text, (unsigned long)n);
	if (got == (unsigned long)-1) { /* not valid in the character set */
		free(esc);
		return STRATA_DRV_ERROR;
	}
	strata__kit_buf_add(b, "'");
	strata__kit_buf_put(b, esc, got);
	free(esc);
	rc = strata__kit_buf_add(b, "'");
	return b->oom ? STRATA_DRV_NOMEM : rc;
}

static int put_literal(strata__kit_buf *b, MYSQL *db, const strata_value *v)
{
	if (v->type == STRATA_VAL_INT)
		return strata__kit_buf_printf(b, "%lld", (long long)v->i);
	if (v->type != STRATA_VAL_TEXT || !v->text)
		return strata__kit_buf_add(b, "NULL");
	return my__quote(b, db, v->text);
}

/* sql with each ? outside quotes and backticks replaced by the next
 * parameter's literal. */
static int put_stmt(strata__kit_buf *b, MYSQL *db, const strata_batch_item *it,
                    strata_dberr *err)
{
	const char *p;
	char quote = 0;
	int k = 0, rc;

	for (p = it->sql; *p; p++) {
		if (quote) {
			if (*p == '\\' && quote != '`' && p[1])
				strata__kit_buf_put(b, p++, 1);
			else if (*p == quote)
				quote = 0;
		} else if (*p == '\'' || *p == '"' || *p == '`') {
			quote = *p;
		} else if (*p == '?') {
			if (k >= it->nparams)
				break;
			rc = put_literal(b, db, &it->params[k++]);
			if (rc == STRATA_DRV_NOMEM)
				return strata__kit_nomem(err);
			if (rc != STRATA_DRV_OK)
				return strata__kit_fail(
				        err, rc,
				        "parameter %d of '%s' cannot be "
				        "written as a literal",
				        k, it->sql);
			continue;
		}
		strata__kit_buf_put(b, p, 1);
	}
	if (*p || k != it->nparams)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "batch: %d parameters for the "
		                        "placeholders of: %s",
		                        it->nparams, it->sql);
	return strata__kit_buf_add(b, ";");
}

/* The statements of a batch: START TRANSACTION, each item (and, with
 * STRATA_BATCH_ONE_ROW, its check), the lock check (guard, with
 * STRATA_BATCH_LOCKED), COMMIT. */
typedef struct plan {
	strata_batch_item *items;
	size_t n, first, per;
	const char *guard;
} plan;

/* Item of statement k: SIZE_MAX for the START TRANSACTION, n for the lock
 * check and the COMMIT; *check: k is the item's row count check. */
static size_t item_of(const plan *pl, size_t k, int *check)
{
	size_t j = k - pl->first;

	*check = 0;
	if (k < pl->first)
		return SIZE_MAX;
	if (j >= pl->n * pl->per)
		return pl->n;
	*check = (int)(j % pl->per);
	return j / pl->per;
}

/* Fails the multi-statement query when the item before changed (with
 * CLIENT_FOUND_ROWS: matched) a known number of rows other than one: a
 * scalar subquery of two rows is an error (1242), where DO would only
 * warn. ROW_COUNT() is -1 when there is no count. */
#define ONE_ROW_CHECK                                                          \
	"SET @strata_one_row = (SELECT 1 UNION ALL SELECT 2 FROM DUAL WHERE "  \
	"ROW_COUNT() NOT IN (1, -1));"

static int put_query(strata__kit_buf *b, MYSQL *db, const plan *pl, size_t k,
                     strata_dberr *err)
{
	int check, rc;
	size_t i = item_of(pl, k, &check);

	if (i == SIZE_MAX)
		rc = strata__kit_buf_add(b, "START TRANSACTION;");
	else if (i == pl->n && pl->guard && k == pl->first + pl->n * pl->per)
		rc = strata__kit_buf_printf(b, "%s;", pl->guard);
	else if (i == pl->n)
		rc = strata__kit_buf_add(b, "COMMIT;");
	else if (check)
		rc = strata__kit_buf_add(b, ONE_ROW_CHECK);
	else
		rc = put_stmt(b, db, &pl->items[i], err);
	if (rc == STRATA_DRV_OK && b->oom)
		rc = strata__kit_nomem(err);
	return rc;
}

/* The result of statement k is current: an item's row count is recorded
 * (a result set is not expected, but is consumed). */
static void take_result(MYSQL *db, const plan *pl, size_t k)
{
	MYSQL_RES *res = mysql_store_result(db);
	int check;
	size_t i = item_of(pl, k, &check);

	if (res)
		mysql_free_result(res);
	if (i < pl->n && !check)
		pl->items[i].changes = my__affected(mysql_affected_rows(db));
}

/* Statements k0.. of one query, their results in turn; the server runs
 * nothing after a failed statement. *k: the one that failed. */
static int run_text(MYSQL *db, const strata__kit_buf *b, const plan *pl,
                    size_t k0, size_t *k, strata_dberr *err)
{
	int status;

	*k = k0;
	if (mysql_real_query(db, b->p, (unsigned long)b->len))
		return my__err_db(err, db);
	for (;; ++*k) {
		take_result(db, pl, *k);
		status = mysql_next_result(db);
		if (status > 0) {
			++*k;
			return my__err_db(err, db);
		}
		if (status < 0)
			return STRATA_DRV_OK;
	}
}

/* A query well under max_allowed_packet (16 MiB by default, 1 MiB at
 * least): one over it would end the session. A long run of skipped
 * migrations goes out as several queries, in the same transaction. */
#define TEXT_MAX (256 * 1024)

int my__batch(strata_conn *c, strata_batch_item *items, size_t n,
              unsigned flags, size_t *failed, strata_dberr *err)
{
	strata__kit_buf b = {0};
	plan pl = {items, n, (flags & STRATA_BATCH_BEGIN) ? 1 : 0,
	           (flags & STRATA_BATCH_ONE_ROW) ? 2 : 1,
	           (flags & STRATA_BATCH_LOCKED) ? c->guard : NULL};
	size_t total = pl.first + n * pl.per + (pl.guard ? 1 : 0) +
	               ((flags & STRATA_BATCH_COMMIT) ? 1 : 0);
	size_t k, k0 = 0, bad = 0;
	int rc = STRATA_DRV_OK, check;

	c->changes = -1;
	if ((flags & STRATA_BATCH_LOCKED) && !pl.guard)
		return strata__kit_unarmed(n, failed, err);
	for (k = 0; rc == STRATA_DRV_OK && k < total; k++) {
		rc = put_query(&b, c->db, &pl, k, err);
		if (rc != STRATA_DRV_OK)
			bad = k; /* not sent */
		else if (b.len >= TEXT_MAX || k + 1 == total) {
			rc = run_text(c->db, &b, &pl, k0, &bad, err);
			strata__kit_buf_reset(&b);
			k0 = k + 1;
		}
	}
	*failed = item_of(&pl, bad, &check);
	strata__kit_buf_free(&b);
	return rc;
}
