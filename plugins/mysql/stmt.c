/*
 * Prepared statements for the MySQL driver: parameters bound by type,
 * every result column fetched as text (values that did not fit their
 * buffer are fetched again). Calls only my_err.c and the kit.
 */
#include <stdlib.h>
#include <string.h>

#include "my_int.h"

#define COL_BUF_INIT 64 /* first size of a result column buffer */

/* One result column, fetched as text into a buffer that only grows. */
typedef struct col {
	char *buf;
	unsigned long cap; /* bytes in buf; one is kept for the NUL */
	unsigned long len; /* full length, even when truncated */
	my_bool null;
	my_bool trunc; /* set by the connector; len >= cap is what we test */
} col;

typedef struct rowset {
	unsigned n;
	MYSQL_BIND *bind;
	col *cols;
	const char **vals;
} rowset;

static void rowset_free(rowset *rs)
{
	unsigned i;

	for (i = 0; rs->cols && i < rs->n; i++)
		free(rs->cols[i].buf);
	free(rs->bind);
	free(rs->cols);
	free(rs->vals);
}

static void col_bind(MYSQL_BIND *b, col *c)
{
	b->buffer_type = MYSQL_TYPE_STRING;
	b->buffer = c->buf;
	b->buffer_length = c->cap - 1;
	b->length = &c->len;
	b->is_null = &c->null;
	b->error = &c->trunc;
}

static int rowset_init(rowset *rs, unsigned n)
{
	unsigned i;

	rs->n = n;
	rs->bind = calloc(n, sizeof *rs->bind);
	rs->cols = calloc(n, sizeof *rs->cols);
	rs->vals = calloc(n, sizeof *rs->vals);
	if (!rs->bind || !rs->cols || !rs->vals)
		return -1;
	for (i = 0; i < n; i++) {
		if (!(rs->cols[i].buf = malloc(COL_BUF_INIT)))
			return -1;
		rs->cols[i].cap = COL_BUF_INIT;
		col_bind(&rs->bind[i], &rs->cols[i]);
	}
	return 0;
}

/* The value did not fit: grow the buffer and fetch the column again. */
static int col_refetch(MYSQL_STMT *st, rowset *rs, unsigned i,
                       strata_dberr *err)
{
	col *c = &rs->cols[i];
	/* Double at least, so a column of growing values re-fetches rarely. */
	unsigned long need = c->len + 1 > 2 * c->cap ? c->len + 1 : 2 * c->cap;
	char *p;

	if (!(p = realloc(c->buf, need)))
		return strata__kit_nomem(err);
	c->buf = p;
	c->cap = need;
	col_bind(&rs->bind[i], c);
	if (mysql_stmt_fetch_column(st, &rs->bind[i], i, 0))
		return my__err_stmt(err, st);
	return STRATA_DRV_OK;
}

/* Complete the current row: re-fetch truncated values, NUL-terminate. */
static int row_finish(MYSQL_STMT *st, rowset *rs, strata_dberr *err)
{
	unsigned i;
	int grown = 0, rc;

	for (i = 0; i < rs->n; i++) {
		col *c = &rs->cols[i];

		if (c->null) {
			rs->vals[i] = NULL;
			continue;
		}
		if (c->len >= c->cap) {
			if ((rc = col_refetch(st, rs, i, err)) != STRATA_DRV_OK)
				return rc;
			grown = 1;
		}
		c->buf[c->len] = '\0';
		rs->vals[i] = c->buf;
	}
	/* New buffers take effect for the next row only after a rebind. */
	if (grown && mysql_stmt_bind_result(st, rs->bind))
		return my__err_stmt(err, st);
	return STRATA_DRV_OK;
}

static int fetch_rows(MYSQL_STMT *st, rowset *rs, strata_row_fn fn, void *ctx,
                      strata_dberr *err)
{
	if (mysql_stmt_bind_result(st, rs->bind))
		return my__err_stmt(err, st);
	for (;;) {
		int f = mysql_stmt_fetch(st), rc;

		if (f == MYSQL_NO_DATA)
			return STRATA_DRV_OK;
		if (f != 0 && f != MYSQL_DATA_TRUNCATED)
			return my__err_stmt(err, st);
		if ((rc = row_finish(st, rs, err)) != STRATA_DRV_OK)
			return rc;
		if (fn && fn(ctx, (int)rs->n, rs->vals))
			return STRATA_DRV_OK; /* caller stopped early */
	}
}

static int read_result(MYSQL_STMT *st, strata_row_fn fn, void *ctx,
                       strata_dberr *err)
{
	unsigned n = mysql_stmt_field_count(st);
	rowset rs;
	int rc;

	if (n == 0)
		return STRATA_DRV_OK;
	memset(&rs, 0, sizeof rs);
	if (rowset_init(&rs, n))
		rc = strata__kit_nomem(err);
	else
		rc = fetch_rows(st, &rs, fn, ctx, err);
	mysql_stmt_free_result(st);
	rowset_free(&rs);
	return rc;
}

/* Skip any further result sets (CALL), surfacing their errors. */
static int drain_stmt(MYSQL_STMT *st, strata_dberr *err)
{
	int s;

	while ((s = mysql_stmt_next_result(st)) == 0) {
		if (mysql_stmt_field_count(st) == 0)
			continue;
		if (mysql_stmt_store_result(st))
			return my__err_stmt(err, st);
		mysql_stmt_free_result(st);
	}
	return s > 0 ? my__err_stmt(err, st) : STRATA_DRV_OK;
}

int64_t my__affected(my_ulonglong n)
{
	return n == (my_ulonglong)~0 ? -1 : (int64_t)n;
}

/* Only the types check_params let through. */
static void bind_value(MYSQL_BIND *b, const strata_value *v)
{
	switch (v->type) {
	case STRATA_VAL_TEXT:
		b->buffer_type = MYSQL_TYPE_STRING;
		b->buffer = (void *)v->text; /* input: never written */
		b->buffer_length = (unsigned long)strlen(v->text);
		b->length = &b->buffer_length;
		break;
	case STRATA_VAL_INT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = (void *)&v->i;
		break;
	case STRATA_VAL_NULL:
		b->buffer_type = MYSQL_TYPE_NULL;
		b->is_null_value = 1;
		b->is_null = &b->is_null_value;
		break;
	}
}

static int check_params(MYSQL_STMT *st, const strata_value *params, int n,
                        strata_dberr *err)
{
	int i;

	/* bind_param reads param_count entries: a mismatch would overrun. */
	if (n < 0 || (n > 0 && !params) ||
	    mysql_stmt_param_count(st) != (unsigned long)n)
		return strata__kit_fail(
		        err, STRATA_DRV_ERROR,
		        "statement has %lu parameters, %d given",
		        mysql_stmt_param_count(st), n);
	/* An unknown type is refused, never bound as NULL. */
	for (i = 0; i < n; i++) {
		int t = params[i].type;

		if (t != STRATA_VAL_NULL && t != STRATA_VAL_TEXT &&
		    t != STRATA_VAL_INT)
			return strata__kit_fail(err, STRATA_DRV_ERROR,
			                        "parameter %d has an unknown "
			                        "value type (%d)",
			                        i + 1, t);
		if (t == STRATA_VAL_TEXT && !params[i].text)
			return strata__kit_fail(err, STRATA_DRV_ERROR,
			                        "parameter %d is text without "
			                        "a value",
			                        i + 1);
	}
	return STRATA_DRV_OK;
}

static int execute(MYSQL_STMT *st, const strata_value *params, int n,
                   strata_dberr *err)
{
	MYSQL_BIND *b = NULL;
	int i, rc = check_params(st, params, n, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (n > 0 && !(b = calloc((size_t)n, sizeof *b)))
		return strata__kit_nomem(err);
	for (i = 0; i < n; i++)
		bind_value(&b[i], &params[i]);
	if ((b && mysql_stmt_bind_param(st, b)) || mysql_stmt_execute(st))
		rc = my__err_stmt(err, st);
	free(b);
	return rc;
}

/* One statement prepared, executed and its result read. */
typedef struct attempt {
	strata_conn *c;
	const char *sql;
	const strata_value *params;
	int nparams;
	int in_tx; /* a transaction was open before the statement */
	int tries;
	int64_t changes; /* affected rows, read before the result is */
	MYSQL_STMT *st;
} attempt;

/*
 * A deadlock error outside a transaction rolled back this statement
 * alone, so it is run again (what the server's wsrep_retry_autocommit
 * does, a few more times): on Galera a replicated DDL aborts any
 * statement holding one of its tables, and reading information_schema
 * opens every table of the database. Inside a transaction the whole
 * transaction is gone, and the error is the caller's. strata sends only
 * its own statements through query (reads, and history writes to InnoDB
 * without a CALL), which keep nothing of a failed run.
 */
static int start_once(void *ctx, strata_dberr *err)
{
	attempt *a = ctx;
	int rc, retry;

	a->tries++;
	if (!(a->st = mysql_stmt_init(a->c->db)))
		return strata__kit_nomem(err);
	if (mysql_stmt_prepare(a->st, a->sql, (unsigned long)strlen(a->sql)))
		rc = my__err_stmt(err, a->st);
	else
		rc = execute(a->st, a->params, a->nparams, err);
	if (rc == STRATA_DRV_OK)
		a->changes = my__affected(mysql_stmt_affected_rows(a->st));
	/* The whole result is read here, so no row has reached the caller
	 * when an error comes. */
	if (rc == STRATA_DRV_OK && mysql_stmt_field_count(a->st) > 0 &&
	    mysql_stmt_store_result(a->st))
		rc = my__err_stmt(err, a->st);
	if (rc == STRATA_DRV_OK)
		return rc;
	retry = !a->in_tx && mysql_stmt_errno(a->st) == MY__ER_LOCK_DEADLOCK;
	mysql_stmt_close(a->st);
	a->st = NULL;
	return retry ? STRATA_DRV_TIMEOUT : rc;
}

static int start(attempt *a, strata_dberr *err)
{
	unsigned status = 0;
	int rc;

	/* Unknown counts as inside one: no retry. */
	a->in_tx = mariadb_get_infov(a->c->db, MARIADB_CONNECTION_SERVER_STATUS,
	                             &status) != 0 ||
	           (status & SERVER_STATUS_IN_TRANS) != 0;
	rc = strata__kit_retry(MY__RETRY_MS, start_once, a, err);
	if (rc == STRATA_DRV_OK && a->tries > 1 && err)
		memset(err, 0, sizeof(*err)); /* the retried error is gone */
	return rc;
}

int my__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err)
{
	attempt a;
	int rc, rc2;

	memset(&a, 0, sizeof a);
	a.c = c;
	a.sql = sql;
	a.params = params;
	a.nparams = nparams;
	c->changes = -1;
	if ((rc = start(&a, err)) != STRATA_DRV_OK)
		return rc;
	c->changes = a.changes;
	rc = read_result(a.st, fn, fn_ctx, err);
	/* Even after an early stop, so the session stays in sync. */
	rc2 = drain_stmt(a.st, rc == STRATA_DRV_OK ? err : NULL);
	if (rc == STRATA_DRV_OK)
		rc = rc2;
	mysql_stmt_close(a.st);
	return rc;
}

/* Larger statements are not sent ahead: one over the server's
 * max_allowed_packet would end the session (and the lock with it) before
 * anything ran. Such statements are data, not where typos hide. */
#define PREPARE_MAX       (1024 * 1024)
#define MY_ER_PARSE_ERROR 1064 /* mysqld_error.h, as in MySQL and MariaDB */

/*
 * Parse sql without running it. The server also checks names when it
 * prepares, but an earlier pending migration may create them, and some
 * statements cannot be prepared at all (ER_UNSUPPORTED_PS): only a syntax
 * error is a rejection; anything else says nothing about the statement.
 */
int my__prepare(strata_conn *c, const char *sql, strata_dberr *err)
{
	size_t n = strlen(sql);
	MYSQL_STMT *st;
	int rc = STRATA_DRV_OK;

	if (n > PREPARE_MAX || !(st = mysql_stmt_init(c->db)))
		return STRATA_DRV_OK;
	if (mysql_stmt_prepare(st, sql, (unsigned long)n) &&
	    mysql_stmt_errno(st) == MY_ER_PARSE_ERROR)
		rc = my__err_stmt(err, st);
	mysql_stmt_close(st);
	return rc;
}

/*
 * prepare_many(): SQL PREPAREs, many to a query, where the protocol's
 * prepare costs a round trip a statement. The server stops a
 * multi-statement query at its first failure, and only a syntax error is
 * a rejection. MariaDB runs each PREPARE in a block whose handlers let
 * every other error pass (a statement on a table a pending migration will
 * create fails with 1146), so one query answers for all its statements;
 * MySQL has no such blocks outside stored programs, and after any other
 * failure the check resumes with the next statement in a new query. A
 * statement too long to share a query, or not quotable in the session's
 * character set, is prepared alone.
 */
#define MANY_MAX   (256 * 1024) /* as batch(): well under max_allowed_packet */
#define MANY_ALONE (MANY_MAX / 4)
#define PARSE_NAME "strata_parse"
#define GUARD_OPEN                                                             \
	"BEGIN NOT ATOMIC DECLARE EXIT HANDLER FOR 1064 RESIGNAL; "            \
	"DECLARE CONTINUE HANDLER FOR SQLEXCEPTION BEGIN END; "
#define GUARD_CLOSE " END;"

static int put_prepare(strata__kit_buf *b, MYSQL *db, int guard,
                       const char *sql)
{
	size_t at = b->len;
	int rc;

	if (guard)
		strata__kit_buf_add(b, GUARD_OPEN);
	strata__kit_buf_add(b, "PREPARE " PARSE_NAME " FROM ");
	rc = my__quote(b, db, sql);
	if (rc == STRATA_DRV_OK)
		rc = strata__kit_buf_add(b, guard ? ";" GUARD_CLOSE : ";");
	if (rc == STRATA_DRV_ERROR)
		b->len = at; /* not quotable: prepared alone */
	return b->oom ? STRATA_DRV_NOMEM : rc;
}

/* Runs b, whose statements 0..n-1 prepare sqls[0..n) and whose last
 * deallocates. *done: with a rejection its index, else how many of the n
 * are answered. */
static int run_many(MYSQL *db, const strata__kit_buf *b, size_t n, size_t *done,
                    strata_dberr *err)
{
	size_t k = 0;
	int status = mysql_real_query(db, b->p, (unsigned long)b->len) ? 1 : 0;

	while (!status) {
		MYSQL_RES *res = mysql_store_result(db);

		if (res)
			mysql_free_result(res);
		k++;
		status = mysql_next_result(db);
	}
	*done = k < n ? k + (status > 0) : n;
	if (status < 0 || k >= n)
		return STRATA_DRV_OK;
	if (mysql_errno(db) == MY_ER_PARSE_ERROR) {
		*done = k;
		return my__err_db(err, db);
	}
	/* A client error (the session is gone) says nothing more about the
	 * rest: the run meets it first. */
	if (mysql_errno(db) >= 2000)
		*done = n;
	return STRATA_DRV_OK;
}

/* Whether sqls[j] fits the query b holds: its escaped text may double. */
static int fits(const strata__kit_buf *b, const char *sql)
{
	size_t n = strlen(sql);

	return n <= MANY_ALONE && b->len + 2 * n + 256 <= MANY_MAX;
}

int my__prepare_many(strata_conn *c, const char *const *sqls, size_t n,
                     size_t *rejected, strata_dberr *err)
{
	strata__kit_buf b = {0};
	size_t i = 0, j, done;
	int rc = STRATA_DRV_OK, guard = mariadb_connection(c->db);

	while (rc == STRATA_DRV_OK && i < n) {
		strata__kit_buf_reset(&b);
		for (j = i; j < n && fits(&b, sqls[j]); j++)
			if ((rc = put_prepare(&b, c->db, guard, sqls[j])) !=
			    STRATA_DRV_OK)
				break;
		if (rc == STRATA_DRV_NOMEM)
			break;
		rc = STRATA_DRV_OK;
		if (j == i) { /* sqls[i] alone */
			if ((rc = my__prepare(c, sqls[i], err)) !=
			    STRATA_DRV_OK)
				*rejected = i;
			i++;
			continue;
		}
		strata__kit_buf_add(&b, "DEALLOCATE PREPARE " PARSE_NAME ";");
		if (b.oom)
			break;
		rc = run_many(c->db, &b, j - i, &done, err);
		if (rc != STRATA_DRV_OK && guard) {
			/* Confirmed alone: a block the session's sql_mode
			 * does not parse (ORACLE) must not reject anything;
			 * the rest go unguarded then. */
			rc = my__prepare(c, sqls[i + done], err);
			guard = rc != STRATA_DRV_OK;
			if (rc == STRATA_DRV_OK)
				done++;
		}
		if (rc != STRATA_DRV_OK)
			*rejected = i + done;
		i += done;
	}
	if (b.oom)
		rc = STRATA_DRV_NOMEM;
	strata__kit_buf_free(&b);
	return rc == STRATA_DRV_NOMEM ? strata__kit_nomem(err) : rc;
}

int my__query_scalar(strata_conn *c, const char *sql,
                     const strata_value *params, int n, my__scalar *s,
                     strata_dberr *err)
{
	memset(s, 0, sizeof *s);
	return strata__kit_query_value(my__query, c, sql, params, n, &s->text,
	                               &s->rows, err);
}

int my__current_db(strata_conn *c, char **out, strata_dberr *err)
{
	my__scalar s;
	int rc = my__query_scalar(c, "SELECT DATABASE()", NULL, 0, &s, err);

	if (rc != STRATA_DRV_OK)
		return rc;
	if (!s.text)
		return strata__kit_config(err, "no database selected");
	*out = s.text;
	return STRATA_DRV_OK;
}
