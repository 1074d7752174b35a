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

/* *bad: the item that could not be written. */
static int build(strata__kit_buf *b, MYSQL *db, const strata_batch_item *items,
                 size_t n, unsigned flags, size_t *bad, strata_dberr *err)
{
	size_t i;
	int rc = STRATA_DRV_OK;

	if (flags & STRATA_BATCH_BEGIN)
		strata__kit_buf_add(b, "START TRANSACTION;");
	for (i = 0; rc == STRATA_DRV_OK && i < n; i++)
		if ((rc = put_stmt(b, db, &items[i], err)) != STRATA_DRV_OK)
			*bad = i;
	if (flags & STRATA_BATCH_COMMIT)
		strata__kit_buf_add(b, "COMMIT;");
	if (rc == STRATA_DRV_OK && b->oom) {
		*bad = 0;
		rc = strata__kit_nomem(err);
	}
	return rc;
}

/* The result of the query's statement k, item k - first, is current:
 * record it (a result set is not expected, but is consumed). */
static void take_result(MYSQL *db, strata_batch_item *items, size_t n,
                        size_t first, size_t k)
{
	MYSQL_RES *res = mysql_store_result(db);

	if (res)
		mysql_free_result(res);
	if (k >= first && k - first < n)
		items[k - first].changes =
		        my__affected(mysql_affected_rows(db));
}

/* Every result in turn; the server runs nothing after a failed
 * statement. *k: the statement that failed. */
static int read_all(MYSQL *db, strata_batch_item *items, size_t n, size_t first,
                    size_t *k, strata_dberr *err)
{
	int status;

	for (*k = 0;; ++*k) {
		take_result(db, items, n, first, *k);
		status = mysql_next_result(db);
		if (status > 0) {
			++*k;
			return my__err_db(err, db);
		}
		if (status < 0)
			return STRATA_DRV_OK;
	}
}

int my__batch(strata_conn *c, strata_batch_item *items, size_t n,
              unsigned flags, size_t *failed, strata_dberr *err)
{
	strata__kit_buf b = {0};
	size_t first = (flags & STRATA_BATCH_BEGIN) ? 1 : 0, k = 0;
	int rc = build(&b, c->db, items, n, flags, failed, err);

	c->changes = -1;
	if (rc != STRATA_DRV_OK) { /* nothing was sent */
		strata__kit_buf_free(&b);
		return rc;
	}
	if (b.len) {
		if (mysql_real_query(c->db, b.p, (unsigned long)b.len))
			rc = my__err_db(err, c->db);
		else
			rc = read_all(c->db, items, n, first, &k, err);
	}
	/* Statement k is item k - first; before the items, the BEGIN. */
	*failed = k < first ? SIZE_MAX : k - first;
	strata__kit_buf_free(&b);
	return rc;
}
