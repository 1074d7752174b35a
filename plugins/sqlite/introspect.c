/* SQLite introspection through sqlite_master and the table-valued pragmas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

typedef struct list {
	char **v;
	size_t n;
	int oom;
} list;

static int push(void *ctx, int ncols, const char *const *vals)
{
	list *l = ctx;
	char **nv;
	int i;

	for (i = 0; i < ncols; i++) {
		char *copy = strdup(vals[i] ? vals[i] : "");

		nv = realloc(l->v, (l->n + 1) * sizeof(char *));
		if (!nv || !copy) {
			free(copy);
			l->oom = 1;
			return 1;
		}
		l->v = nv;
		l->v[l->n++] = copy;
	}
	return 0;
}

static void list_free(list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Runs sql with one text parameter (or none) into l, ncols per row. */
static int fetch(strata_conn *c, list *l, const char *sql, const char *arg,
                 strata_dberr *err)
{
	strata_value v = {STRATA_VAL_TEXT, arg, 0};
	int rc;

	memset(l, 0, sizeof(*l));
	rc = sqlite__query(c->db, sql, &v, arg ? 1 : 0, push, l, err);
	if (rc == STRATA_DRV_OK && l->oom)
		rc = strata__kit_nomem(err);
	if (rc != STRATA_DRV_OK)
		list_free(l);
	return rc;
}

static int aborted(strata_dberr *err)
{
	return strata__kit_fail(err, STRATA_DRV_ERROR, "introspection aborted");
}

static int columns(strata_conn *c, const strata_schema_sink *k, const char *t,
                   strata_dberr *err)
{
	list l;
	size_t i;
	int rc = fetch(c, &l,
	               "SELECT name, type, \"notnull\", dflt_value IS NULL, "
	               "dflt_value FROM pragma_table_info(?) ORDER BY cid",
	               t, err);

	for (i = 0; rc == STRATA_DRV_OK && i + 4 < l.n; i += 5)
		if (k->column(k->ctx, t, l.v[i], l.v[i + 1],
		              strcmp(l.v[i + 2], "1") != 0,
		              strcmp(l.v[i + 3], "1") ? l.v[i + 4] : NULL))
			rc = aborted(err);
	list_free(&l);
	return rc;
}

/* Comma-separated column names of one index, in key order. */
static char *index_columns(strata_conn *c, const char *idx, strata_dberr *err)
{
	strata__kit_buf b = {0};
	list l;
	size_t i;
	char *out;

	if (fetch(c, &l,
	          "SELECT coalesce(name, '<expr>') FROM pragma_index_info(?) "
	          "ORDER BY seqno",
	          idx, err))
		return NULL;
	for (i = 0; i < l.n; i++)
		strata__kit_buf_printf(&b, "%s%s", i ? "," : "", l.v[i]);
	list_free(&l);
	if (!(out = strata__kit_buf_take(&b)))
		strata__kit_nomem(err);
	return out;
}

/* A rowid table's INTEGER PRIMARY KEY has no index entry of its own. */
static int rowid_pk(strata_conn *c, const strata_schema_sink *k, const char *t,
                    strata_dberr *err)
{
	list l;
	int rc = fetch(c, &l,
	               "SELECT group_concat(name, ',') FROM (SELECT name FROM "
	               "pragma_table_info(?) WHERE pk > 0 ORDER BY pk)",
	               t, err);

	if (rc == STRATA_DRV_OK && l.n == 1 && *l.v[0] &&
	    k->index(k->ctx, t, "primary", 1, 1, l.v[0]))
		rc = aborted(err);
	list_free(&l);
	return rc;
}

static int indexes(strata_conn *c, const strata_schema_sink *k, const char *t,
                   strata_dberr *err)
{
	list l;
	size_t i;
	int has_pk = 0;
	int rc = fetch(c, &l,
	               "SELECT name, \"unique\", origin FROM "
	               "pragma_index_list(?) ORDER BY name",
	               t, err);

	for (i = 0; rc == STRATA_DRV_OK && i + 2 < l.n; i += 3) {
		char *cols = index_columns(c, l.v[i], err);
		int pk = !strcmp(l.v[i + 2], "pk");

		has_pk |= pk;
		if (!cols)
			rc = STRATA_DRV_ERROR;
		else if (k->index(k->ctx, t, l.v[i], !strcmp(l.v[i + 1], "1"),
		                  pk, cols))
			rc = aborted(err);
		free(cols);
	}
	list_free(&l);
	if (rc == STRATA_DRV_OK && !has_pk)
		rc = rowid_pk(c, k, t, err);
	return rc;
}

static int foreign_keys(strata_conn *c, const strata_schema_sink *k,
                        const char *t, strata_dberr *err)
{
	list l;
	size_t i;
	char name[32];
	int rc = fetch(c, &l,
	               "SELECT id, \"table\", group_concat(\"from\", ','), "
	               "group_concat(coalesce(\"to\", ''), ','), on_delete, "
	               "on_update FROM (SELECT * FROM "
	               "pragma_foreign_key_list(?) ORDER BY id, seq) GROUP BY "
	               "id ORDER BY id",
	               t, err);

	for (i = 0; rc == STRATA_DRV_OK && i + 5 < l.n; i += 6) {
		snprintf(name, sizeof(name), "fk%s", l.v[i]);
		if (k->foreign_key(k->ctx, t, name, l.v[i + 2], l.v[i + 1],
		                   l.v[i + 3], l.v[i + 4], l.v[i + 5]))
			rc = aborted(err);
	}
	list_free(&l);
	return rc;
}

static int table(strata_conn *c, const strata_schema_sink *k, const char *t,
                 strata_dberr *err)
{
	if (k->table(k->ctx, t, -1))
		return aborted(err);
	if (columns(c, k, t, err) || indexes(c, k, t, err) ||
	    foreign_keys(c, k, t, err))
		return STRATA_DRV_ERROR;
	return STRATA_DRV_OK;
}

static int read_schema(strata_conn *c, const strata_schema_sink *k,
                       strata_dberr *err);

/* One read transaction: a consistent snapshot, and one file lock for all
 * the queries instead of one each. Inside a migration's transaction the
 * queries simply join it. */
int sqlite__introspect(strata_conn *c, const strata_schema_sink *k,
                       strata_dberr *err)
{
	int own = sqlite3_get_autocommit(c->db);
	int rc = own ? sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL)
	             : SQLITE_OK;

	if (rc != SQLITE_OK)
		return sqlite__fail(c->db, err);
	rc = read_schema(c, k, err);
	if (own && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, rc == STRATA_DRV_OK ? "COMMIT" : "ROLLBACK",
		             NULL, NULL, NULL);
	return rc;
}

static int read_schema(strata_conn *c, const strata_schema_sink *k,
                       strata_dberr *err)
{
	list l;
	size_t i;
	int rc = fetch(c, &l,
	               "SELECT type, name, tbl_name FROM sqlite_master WHERE "
	               "type IN ('table', 'view', 'trigger') AND name NOT "
	               "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
	               NULL, err);

	for (i = 0; rc == STRATA_DRV_OK && i + 2 < l.n; i += 3) {
		if (!strcmp(l.v[i], "table"))
			rc = table(c, k, l.v[i + 1], err);
		else if (k->object(k->ctx, l.v[i], l.v[i + 1],
		                   strcmp(l.v[i], "trigger") ? NULL
		                                             : l.v[i + 2]))
			rc = aborted(err);
	}
	list_free(&l);
	return rc;
}
