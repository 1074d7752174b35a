/* The history table. Every write is parameterized. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"
#include "runner.h"

#define COLUMNS                                                                \
	"version, name, checksum, source, status, started_at, finished_at, "   \
	"duration_ms, applied_by, steps, error, schema_fingerprint"
#define NCOLS 12

int strata__history_exists(strata *s, int *exists, strata_error *err)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	if (strata__drv_table_exists(s, s->conn, s->hist_schema, s->hist_table,
	                             exists, &de) != STRATA_DRV_OK)
		return strata__drv_fail(s, err, &de,
		                        "cannot look up the history table");
	return STRATA_OK;
}

/* The columns are the core's: the same on every database. */
static char *render_ddl(strata *s)
{
	const char *opts = s->drv->dialect->history_table_options;

	return strata__printf(
	        "CREATE TABLE IF NOT EXISTS %s (version VARCHAR(255) NOT NULL "
	        "PRIMARY KEY, name VARCHAR(255) NOT NULL, checksum CHAR(64) "
	        "NOT NULL, source VARCHAR(255) NOT NULL, status VARCHAR(16) "
	        "NOT "
	        "NULL, started_at VARCHAR(32) NOT NULL, finished_at "
	        "VARCHAR(32), duration_ms BIGINT, applied_by VARCHAR(255) NOT "
	        "NULL, steps INTEGER NOT NULL DEFAULT 0, error TEXT, "
	        "schema_fingerprint CHAR(64))%s%s",
	        s->table_quoted, opts ? " " : "", opts ? opts : "");
}

int strata__history_ensure(strata *s, strata_error *err)
{
	char *ddl;
	strata_dberr de;
	int exists = 0, rc;

	rc = strata__history_exists(s, &exists, err);
	if (rc || exists) {
		s->history_ready = !rc;
		return rc;
	}
	ddl = render_ddl(s);
	memset(&de, 0, sizeof(de));
	if (strata__drv_exec(s, s->conn, ddl, &de) != STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de,
		                      "cannot create the history table");
	free(ddl);
	s->history_ready = !rc;
	return rc;
}

/* The type of the history table's version column, from the driver's
 * introspection; NULL if not found. Only asked for in the rare case of a
 * version too long for an integer. */
typedef struct col_probe {
	const char *table;
	char *type;
} col_probe;

static int probe_column(void *ctx, const char *table, const char *column,
                        const char *type, int nullable, const char *dflt)
{
	col_probe *p = ctx;

	STRATA_UNUSED(nullable);
	STRATA_UNUSED(dflt);
	if (!p->type && table && column && type &&
	    !strcasecmp(table, p->table) && !strcasecmp(column, "version"))
		p->type = strata__strdup(type);
	return 0;
}

static int probe_table(void *ctx, const char *t, int64_t rows)
{
	STRATA_UNUSED(ctx);
	STRATA_UNUSED(t);
	STRATA_UNUSED(rows);
	return 0;
}

static int probe_index(void *ctx, const char *t, const char *i, int u, int p,
                       const char *c)
{
	STRATA_UNUSED(ctx);
	STRATA_UNUSED(t);
	STRATA_UNUSED(i);
	STRATA_UNUSED(u);
	STRATA_UNUSED(p);
	STRATA_UNUSED(c);
	return 0;
}

static int probe_fk(void *ctx, const char *t, const char *n, const char *c,
                    const char *rt, const char *rc, const char *od,
                    const char *ou)
{
	STRATA_UNUSED(ctx);
	STRATA_UNUSED(t);
	STRATA_UNUSED(n);
	STRATA_UNUSED(c);
	STRATA_UNUSED(rt);
	STRATA_UNUSED(rc);
	STRATA_UNUSED(od);
	STRATA_UNUSED(ou);
	return 0;
}

static int probe_object(void *ctx, const char *k, const char *n, const char *t)
{
	STRATA_UNUSED(ctx);
	STRATA_UNUSED(k);
	STRATA_UNUSED(n);
	STRATA_UNUSED(t);
	return 0;
}

static int version_type(strata *s, char **type, strata_error *err)
{
	col_probe p = {s->hist_table, NULL};
	strata_schema_sink sink = {&p,          probe_table, probe_column,
	                           probe_index, probe_fk,    probe_object};
	strata_dberr de;

	*type = NULL;
	memset(&de, 0, sizeof(de));
	if (strata__drv_introspect(s->drv, s->conn, &sink, &de) !=
	    STRATA_DRV_OK) {
		free(p.type);
		return strata__drv_fail(s, err, &de,
		                        "cannot read the history table's "
		                        "columns");
	}
	*type = p.type;
	return STRATA_OK;
}

static int integer_type(const char *type)
{
	static const char *const ints[] = {
	        "int",     "bigint", "smallint",  "mediumint",
	        "tinyint", "serial", "bigserial", "unsigned big int"};
	size_t i;

	for (i = 0; i < sizeof(ints) / sizeof(ints[0]); i++)
		if (!strncasecmp(type, ints[i], strlen(ints[i])))
			return 1;
	return 0;
}

/* The statements that turn the version column into text: the dialect's
 * template (%T the quoted table, %D the history table's DDL), else NULL. */
static char *widen_sql(strata *s)
{
	const char *t = s->drv->dialect->widen_version_sql;
	strata__buf b = STRATA__BUF_INIT;
	char *ddl;

	if (!t)
		return NULL;
	for (; *t; t++) {
		if (t[0] != '%' || !t[1]) {
			strata__buf_putc(&b, *t);
			continue;
		}
		t++;
		if (*t == 'T') {
			strata__buf_puts(&b, s->table_quoted);
		} else if (*t == 'D') {
			ddl = render_ddl(s);
			strata__buf_puts(&b, ddl);
			free(ddl);
		} else {
			if (*t != '%')
				strata__buf_putc(&b, '%');
			strata__buf_putc(&b, *t);
		}
	}
	return strata__buf_detach(&b);
}

int strata__history_check_wide(strata *s, const strata_status *st,
                               const char *upto, strata_error *err)
{
	const strata_status_item *wide = NULL;
	char *type = NULL, *fix;
	size_t i;
	int rc;

	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		/* A long version already stored: the column is text. */
		if (it->state != STRATA_STATE_PENDING &&
		    strata__version_valid(it->version) &&
		    !strata__version_fits_int64(it->version))
			return STRATA_OK;
		if (!wide && strata__pending_upto(it, upto) &&
		    !strata__version_fits_int64(it->version))
			wide = it;
	}
	if (!wide)
		return STRATA_OK;
	rc = version_type(s, &type, err);
	if (rc || !type || !integer_type(type)) {
		free(type);
		return rc;
	}
	fix = widen_sql(s);
	rc = strata__err(err, STRATA_EUSAGE,
	                 "migration %s: version %s is too large for the "
	                 "history table's version column, of type %s (made "
	                 "by strata 0.1); nothing was run. Change the column "
	                 "to text first: %s",
	                 wide->id, wide->version, type,
	                 fix ? fix : "make it VARCHAR(255) NOT NULL");
	free(fix);
	free(type);
	return rc;
}

/* What strata__history_load() hands out: the pool owns every string the
 * rows point to. */
typedef struct history_block {
	strata_history pub;
	strata__pool pool;
	size_t cap;
} history_block;

static int on_row(void *ctx, int ncols, const char *const *v)
{
	history_block *hb = ctx;
	strata_history *h = &hb->pub;
	strata__pool *p = &hb->pool;
	strata_history_row *r;

	if (ncols < NCOLS)
		return 1;
	if (h->count == hb->cap) {
		hb->cap = hb->cap ? 2 * hb->cap : 64;
		h->rows = strata__realloc(h->rows, hb->cap * sizeof(*h->rows));
	}
	r = &h->rows[h->count++];
	memset(r, 0, sizeof(*r));
	r->version = strata__pool_strdup(p, v[0]);
	r->name = strata__pool_strdup(p, v[1]);
	r->checksum = strata__pool_strdup(p, v[2]);
	r->source = strata__pool_strdup(p, v[3]);
	r->status = strata__pool_strdup(p, v[4]);
	r->started_at = strata__pool_strdup(p, v[5]);
	r->finished_at = strata__pool_strdup(p, v[6]);
	r->duration_ms = v[7] ? strtoll(v[7], NULL, 10) : 0;
	r->applied_by = strata__pool_strdup(p, v[8]);
	r->steps = v[9] ? atoi(v[9]) : 0;
	r->error = strata__pool_strdup(p, v[10]);
	r->fingerprint = strata__pool_strdup(p, v[11]);
	r->state = strata__history_state(r->status);
	return 0;
}

int strata__history_cmp_rows(const void *a, const void *b)
{
	const strata_history_row *x = a, *y = b;
	return strata__version_cmp(x->version, y->version);
}

int strata__history_load(strata_history **out, strata *s, strata_error *err)
{
	history_block *hb = strata__calloc(1, sizeof(*hb));
	strata_history *h = &hb->pub;
	strata_dberr de;
	char *sql;
	int exists = 0, rc;

	h->item_size = sizeof(strata_history_row);
	*out = NULL;
	/* After ensure() the table exists: skip the catalog round trip. */
	exists = s->history_ready;
	rc = exists ? STRATA_OK : strata__history_exists(s, &exists, err);
	if (!rc && exists) {
		/* Ordered in C: a text column sorts "10" before "9". */
		sql = strata__printf("SELECT " COLUMNS " FROM %s",
		                     s->table_quoted);
		memset(&de, 0, sizeof(de));
		if (strata__drv_query(s, s->conn, sql, NULL, 0, on_row, hb,
		                      &de) != STRATA_DRV_OK)
			rc = strata__drv_fail(s, err, &de,
			                      "cannot read the history table");
		free(sql);
	}
	if (rc) {
		strata_history_free(h);
		return rc;
	}
	strata__sort(h->rows, h->count, sizeof(*h->rows),
	             strata__history_cmp_rows);
	*out = h;
	return STRATA_OK;
}

void strata_history_free(strata_history *h)
{
	history_block *hb = (history_block *)(void *)h; /* pub is first */

	if (!h)
		return;
	strata__pool_free(&hb->pool);
	free(h->rows);
	free(hb);
}

int strata_history_get(strata_history **out, strata *s, strata_error *err)
{
	return strata__history_load(out, s, err);
}

static strata_value text(const char *t)
{
	strata_value v = {t ? STRATA_VAL_TEXT : STRATA_VAL_NULL, t, 0};
	return v;
}

static strata_value num(int64_t i)
{
	strata_value v = {STRATA_VAL_INT, NULL, i};
	return v;
}

/* Values in COLUMNS order, version first. The version is bound as text
 * also for a BIGINT column of an older release: the database converts. */
static void row_values(strata_value v[NCOLS], const strata_history_row *r)
{
	v[0] = text(r->version);
	v[1] = text(r->name);
	v[2] = text(r->checksum);
	v[3] = text(r->source);
	v[4] = text(r->status);
	v[5] = text(r->started_at);
	v[6] = text(r->finished_at);
	v[7] = num(r->duration_ms);
	v[8] = text(r->applied_by);
	v[9] = num(r->steps);
	v[10] = text(r->error);
	v[11] = text(r->fingerprint);
}

/* One parameterized write on the session; what: the error's context. */
int strata__exec_params(strata *s, const char *sql, const strata_value *v,
                        int n, const char *what, strata_error *err)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	if (strata__drv_query(s, s->conn, sql, v, n, NULL, NULL, &de) !=
	    STRATA_DRV_OK)
		return strata__drv_fail(s, err, &de, what);
	return STRATA_OK;
}

/* Any count but one (or unknown) of matched rows means someone else
 * changed the history table under us. */
static int one_row(strata *s, int64_t rows, const strata_value *key,
                   const char *op, strata_error *err)
{
	char vbuf[32];

	if (rows < 0 || rows == 1)
		return STRATA_OK;
	snprintf(vbuf, sizeof(vbuf), "%lld", (long long)key->i);
	return strata__err(err, STRATA_EFAIL,
	                   "the history table %s was changed by someone else: "
	                   "%s the row of version %s matched %lld rows, not 1",
	                   strata_config_table(s->cfg), op,
	                   key->type == STRATA_VAL_TEXT ? key->text : vbuf,
	                   (long long)rows);
}

/* An UPDATE/DELETE of one history row (key: its version). */
static int run_one(strata *s, const char *sql, const strata_value *v, int n,
                   const strata_value *key, const char *op, const char *what,
                   strata_error *err)
{
	int rc = strata__exec_params(s, sql, v, n, what, err);

	return rc ? rc
	          : one_row(s, strata__drv_changes(s, s->conn), key, op, err);
}

/* What a failed write was doing, for its error. */
#define WHAT_INSERT "cannot record the migration in history"
#define WHAT_UPDATE "cannot update the history row"

static char *insert_sql(strata *s)
{
	strata__buf b = STRATA__BUF_INIT;
	char ph[16];
	int i;

	strata__buf_printf(&b, "INSERT INTO %s (" COLUMNS ") VALUES (",
	                   s->table_quoted);
	for (i = 1; i <= NCOLS; i++)
		strata__buf_printf(&b, "%s%s", i > 1 ? ", " : "",
		                   strata__ph(s->drv->dialect, i, ph));
	strata__buf_putc(&b, ')');
	return b.ptr;
}

/* Values: SET columns 2..12 first, then the version for WHERE. */
static char *update_sql(strata *s, strata_value w[NCOLS],
                        const strata_history_row *r)
{
	static const char *const cols[] = {
	        "name",        "checksum",          "source",
	        "status",      "started_at",        "finished_at",
	        "duration_ms", "applied_by",        "steps",
	        "error",       "schema_fingerprint"};
	strata__buf b = STRATA__BUF_INIT;
	strata_value v[NCOLS];
	char ph[16];
	int i;

	row_values(v, r);
	memcpy(w, v + 1, (NCOLS - 1) * sizeof(strata_value));
	w[NCOLS - 1] = v[0];
	strata__buf_printf(&b, "UPDATE %s SET ", s->table_quoted);
	for (i = 0; i < NCOLS - 1; i++)
		strata__buf_printf(&b, "%s%s = %s", i ? ", " : "", cols[i],
		                   strata__ph(s->drv->dialect, i + 1, ph));
	strata__buf_printf(&b, " WHERE version = %s",
	                   strata__ph(s->drv->dialect, NCOLS, ph));
	return b.ptr;
}

int strata__history_insert(strata *s, const strata_history_row *r,
                           strata_error *err)
{
	strata_value v[NCOLS];
	char *sql = insert_sql(s);
	int rc;

	row_values(v, r);
	rc = strata__exec_params(s, sql, v, NCOLS, WHAT_INSERT, err);
	free(sql);
	return rc;
}

int strata__history_update(strata *s, const strata_history_row *r,
                           strata_error *err)
{
	strata_value w[NCOLS];
	char *sql = update_sql(s, w, r);
	int rc = run_one(s, sql, w, NCOLS, &w[NCOLS - 1], "updating",
	                 WHAT_UPDATE, err);

	free(sql);
	return rc;
}

/* ---- history writes sent together ------------------------------------ */

struct strata__hq_ent {
	char *sql;
	strata_value v[NCOLS];
	int update; /* must match exactly one row */
};

static strata__hq_ent *hq_add(strata__hq *q)
{
	if (q->n == q->cap) {
		q->cap = q->cap ? 2 * q->cap : 4;
		q->e = strata__realloc(q->e, q->cap * sizeof(*q->e));
	}
	memset(&q->e[q->n], 0, sizeof(*q->e));
	return &q->e[q->n++];
}

void strata__hq_insert(strata *s, strata__hq *q, const strata_history_row *r)
{
	strata__hq_ent *e = hq_add(q);

	e->sql = insert_sql(s);
	row_values(e->v, r);
}

void strata__hq_update(strata *s, strata__hq *q, const strata_history_row *r)
{
	strata__hq_ent *e = hq_add(q);

	e->sql = update_sql(s, e->v, r);
	e->update = 1;
}

void strata__hq_clear(strata__hq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		free(q->e[i].sql);
	free(q->e);
	memset(q, 0, sizeof(*q));
}

static const char *hq_what(const strata__hq *q, size_t failed)
{
	if (failed == SIZE_MAX)
		return STRATA__WHAT_BEGIN;
	if (failed >= q->n)
		return STRATA__WHAT_COMMIT;
	return q->e[failed].update ? WHAT_UPDATE : WHAT_INSERT;
}

/* Whether a queued update's row count must be checked before COMMIT. */
static int hq_checks(const strata__hq *q)
{
	size_t i;

	for (i = 0; i < q->n; i++)
		if (q->e[i].update)
			return 1;
	return 0;
}

/* A queued row whose write changed a number of rows other than one; an
 * update's key is its last parameter, an insert's its first. */
static int hq_count(strata *s, const strata__hq_ent *e, int64_t rows,
                    strata_error *err)
{
	return one_row(s, rows, e->update ? &e->v[NCOLS - 1] : &e->v[0],
	               e->update ? "updating" : "inserting", err);
}

/* An update that matched no row stops the COMMIT: the driver checks the
 * counts in the same round trip where it can, else the core before it
 * commits (strata__drv_batch). */
int strata__hq_run(strata *s, strata__hq *q, unsigned flags, strata_error *err)
{
	strata_batch_item *it = strata__calloc(q->n + 1, sizeof(*it));
	strata_dberr de;
	size_t i, failed = 0;
	int rc = STRATA_OK;

	for (i = 0; i < q->n; i++) {
		it[i].sql = q->e[i].sql;
		it[i].params = q->e[i].v;
		it[i].nparams = NCOLS;
	}
	if (hq_checks(q))
		flags |= STRATA_BATCH_ONE_ROW;
	memset(&de, 0, sizeof(de));
	if (strata__drv_batch(s, s->conn, it, q->n, flags, &failed, &de) !=
	    STRATA_DRV_OK) {
		if (failed < q->n && it[failed].changes >= 0 &&
		    it[failed].changes != 1)
			rc = hq_count(s, &q->e[failed], it[failed].changes,
			              err);
		else
			rc = strata__drv_fail(s, err, &de, hq_what(q, failed));
	}
	free(it);
	strata__hq_clear(q);
	return rc;
}

int strata__history_delete(strata *s, const char *version, strata_error *err)
{
	strata_value v = text(version);
	char ph[16];
	char *sql = strata__printf("DELETE FROM %s WHERE version = %s",
	                           s->table_quoted,
	                           strata__ph(s->drv->dialect, 1, ph));
	int rc = run_one(s, sql, &v, 1, &v, "deleting",
	                 "cannot delete the history row", err);

	free(sql);
	return rc;
}

int strata__history_set_fingerprint(strata *s, const char *version,
                                    const char *fp, strata_error *err)
{
	strata_value v[2];
	char ph1[16], ph2[16];
	char *sql = strata__printf(
	        "UPDATE %s SET schema_fingerprint = %s WHERE version = %s",
	        s->table_quoted, strata__ph(s->drv->dialect, 1, ph1),
	        strata__ph(s->drv->dialect, 2, ph2));
	int rc;

	v[0] = text(fp);
	v[1] = text(version);
	rc = run_one(s, sql, v, 2, &v[1], "updating",
	             "cannot record the schema fingerprint", err);
	free(sql);
	return rc;
}

/* Numeric match: SQLite's INTEGER affinity in an older BIGINT table
 * stores "0002" as 2. h is sorted by version, as strata__history_load()
 * returns it: a binary search, so lookups stay O(log n) at 10,000 rows. */
const strata_history_row *strata__history_find(const strata_history *h,
                                               const char *version)
{
	size_t lo = 0, hi = h->count;

	if (!strata__version_valid(version))
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (strata__version_cmp(h->rows[mid].version, version) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < h->count && !strata__version_cmp(h->rows[lo].version,
	                                             version)
	               ? &h->rows[lo]
	               : NULL;
}

int strata__row_known_status(const char *status)
{
	return strata__history_state(status) != STRATA_HISTORY_UNKNOWN;
}

static const char *run_time(const strata_history_row *r)
{
	return r->finished_at  ? r->finished_at
	       : r->started_at ? r->started_at
	                       : "";
}

const strata_history_row *strata__history_latest(const strata_history *h)
{
	const strata_history_row *best = NULL;
	size_t i;

	for (i = 0; i < h->count; i++) {
		const strata_history_row *r = &h->rows[i];
		int c;

		if (!strata__row_known_status(r->status) ||
		    !strcmp(r->status, "failed") ||
		    !strata__version_valid(r->version))
			continue;
		c = best ? strcmp(run_time(r), run_time(best)) : 1;
		if (c > 0 || (c == 0 && strata__version_cmp(r->version,
		                                            best->version) > 0))
			best = r;
	}
	return best;
}

/* After up, down, resolve or baseline: status compares the schema with
 * the latest run's row, so that is the row that gets the fingerprint. */
void strata__stamp_latest(strata *s)
{
	strata_history *h = NULL;
	const strata_history_row *r;
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (strata__history_load(&h, s, &e) == STRATA_OK &&
	    (r = strata__history_latest(h)) != NULL)
		strata__stamp_fingerprint(s, r->version);
	strata_history_free(h);
	strata_error_clear(&e);
}
