/* MySQL/MariaDB introspection through information_schema. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "my_int.h"

/* State shared by the introspection row callbacks. */
typedef struct walk {
	const strata_schema_sink *sink;
	const char *db;
	int rc;              /* why a callback stopped: ERROR (sink) or NOMEM */
	strata__kit_buf tmp; /* scratch for the column type */
	/* The index or foreign key being assembled from consecutive rows. */
	int open;
	char *table, *name, *ref_table, *on_delete, *on_update;
	int unique, primary;
	strata__kit_buf cols, ref_cols;
	/* The base tables (strcmp order once the first step ends), and
	 * whether the table of the last column row is one. */
	char **base;
	size_t nbase, capbase;
	strata__kit_buf last;
	int last_base;
} walk;

static int w_sink(walk *w, int r)
{
	if (r)
		w->rc = STRATA_DRV_ERROR;
	return r;
}

static int w_oom(walk *w)
{
	w->rc = STRATA_DRV_NOMEM;
	return 1;
}

static void group_clear(walk *w)
{
	free(w->table);
	free(w->name);
	free(w->ref_table);
	free(w->on_delete);
	free(w->on_update);
	w->table = w->name = w->ref_table = w->on_delete = w->on_update = NULL;
	strata__kit_buf_reset(&w->cols);
	strata__kit_buf_reset(&w->ref_cols);
	w->open = 0;
}

static int group_same(const walk *w, const char *table, const char *name)
{
	return w->open && !strcmp(w->table, my__nz(table)) &&
	       !strcmp(w->name, my__nz(name));
}

static int group_open(walk *w, const char *table, const char *name)
{
	group_clear(w);
	w->open = 1;
	w->table = strdup(my__nz(table));
	w->name = strdup(my__nz(name));
	if (!w->table || !w->name)
		return w_oom(w);
	return 0;
}

/* Append "col" or "col(len)" (prefix index) to a comma-separated list. */
static int names_add(walk *w, strata__kit_buf *b, const char *name,
                     const char *len)
{
	strata__kit_buf_printf(b, "%s%s", b->len ? "," : "", my__nz(name));
	if (len)
		strata__kit_buf_printf(b, "(%s)", len);
	return b->oom ? w_oom(w) : 0;
}

static int base_add(walk *w, const char *table)
{
	char **grown;

	if (w->nbase == w->capbase) {
		w->capbase = w->capbase ? 2 * w->capbase : 64;
		grown = realloc(w->base, w->capbase * sizeof(*w->base));
		if (!grown)
			return w_oom(w);
		w->base = grown;
	}
	if (!(w->base[w->nbase] = strdup(table)))
		return w_oom(w);
	w->nbase++;
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int base_sort(walk *w)
{
	if (w->nbase > 1)
		qsort(w->base, w->nbase, sizeof(*w->base), cmp_name);
	return 0;
}

/* Whether table is a base table; columns come grouped by table, so one
 * search per table. */
static int base_is(walk *w, const char *table)
{
	if (w->last.len && !strcmp(strata__kit_buf_str(&w->last), table))
		return w->last_base;
	strata__kit_buf_reset(&w->last);
	strata__kit_buf_add(&w->last, table);
	w->last_base = w->nbase && bsearch(&table, w->base, w->nbase,
	                                   sizeof(*w->base), cmp_name);
	if (w->last.oom)
		strata__kit_buf_reset(&w->last);
	return w->last_base;
}

/* Rows: name, TABLE_TYPE. Views and sequences are objects. */
static int table_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	const char *type = my__nz(v[1]);

	(void)n;
	if (!v[0])
		return 0;
	if (!strcmp(type, "VIEW") || !strcmp(type, "SEQUENCE")) {
		if (!strata__kit_want_object(w->sink))
			return 0; /* not wanted (non-zero would end the walk) */
		return w_sink(
		        w, w->sink->object(w->sink->ctx,
		                           *type == 'V' ? "view" : "sequence",
		                           v[0], NULL));
	}
	return base_add(w, v[0]) ||
	       w_sink(w, w->sink->table(w->sink->ctx, v[0], -1));
}

/* Rows: table, column, type, nullable, default, extra; the columns of
 * views and sequences are skipped. */
static int column_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;
	const char *def = v[4];

	(void)n;
	if (!v[0] || !base_is(w, v[0]))
		return 0;
	/* EXTRA (auto_increment, on update ..., generated) joins the type. */
	strata__kit_buf_reset(&w->tmp);
	strata__kit_buf_add(&w->tmp, my__nz(v[2]));
	if (v[5] && *v[5])
		strata__kit_buf_printf(&w->tmp, " %s", v[5]);
	if (w->tmp.oom)
		return w_oom(w);
	/* MariaDB >= 10.2.7 reports an explicit DEFAULT NULL as 'NULL'. */
	if (def && !strcmp(def, "NULL"))
		def = NULL;
	return w_sink(w, w->sink->column(w->sink->ctx, v[0], v[1],
	                                 strata__kit_buf_str(&w->tmp),
	                                 !strcmp(my__nz(v[3]), "YES"), def));
}

static int index_flush(walk *w)
{
	int r = 0;

	if (w->open && w->rc == STRATA_DRV_OK)
		r = w_sink(w, w->sink->index(w->sink->ctx, w->table, w->name,
		                             w->unique, w->primary,
		                             strata__kit_buf_str(&w->cols)));
	group_clear(w);
	return r;
}

/* Rows: table, index, non_unique, column, sub_part; by SEQ_IN_INDEX. */
static int index_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (!group_same(w, v[0], v[1])) {
		if (index_flush(w) || group_open(w, v[0], v[1]))
			return 1;
		w->unique = v[2] && !strcmp(v[2], "0");
		w->primary = !strcmp(w->name, "PRIMARY");
	}
	return names_add(w, &w->cols, v[3], v[4]);
}

static int fk_flush(walk *w)
{
	int r = 0;

	if (w->open && w->rc == STRATA_DRV_OK)
		r = w_sink(w,
		           w->sink->foreign_key(
		                   w->sink->ctx, w->table, w->name,
		                   strata__kit_buf_str(&w->cols), w->ref_table,
		                   strata__kit_buf_str(&w->ref_cols),
		                   w->on_delete, w->on_update));
	group_clear(w);
	return r;
}

/* The referenced table, qualified only when it is in another schema. */
static char *ref_table_name(const walk *w, const char *schema,
                            const char *table)
{
	if (!schema || !strcmp(schema, w->db))
		return strdup(my__nz(table));
	return strata__kit_printf("%s.%s", schema, my__nz(table));
}

/*
 * Rows: table, constraint, column, ref schema, ref table, ref column,
 * delete rule, update rule; by ORDINAL_POSITION.
 */
static int fk_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	if (!group_same(w, v[0], v[1])) {
		if (fk_flush(w) || group_open(w, v[0], v[1]))
			return 1;
		w->ref_table = ref_table_name(w, v[3], v[4]);
		w->on_delete = strdup(my__nz(v[6]));
		w->on_update = strdup(my__nz(v[7]));
		if (!w->ref_table || !w->on_delete || !w->on_update)
			return w_oom(w);
	}
	return names_add(w, &w->cols, v[2], NULL) ||
	       names_add(w, &w->ref_cols, v[5], NULL);
}

/* Rows: kind, name, table (or NULL). */
static int object_row(void *ctx, int n, const char *const *v)
{
	walk *w = ctx;

	(void)n;
	return w_sink(w, w->sink->object(w->sink->ctx, v[0], v[1], v[2]));
}

/* One information_schema query; each ? is the schema name. */
typedef struct step {
	const char *sql;
	int params; /* the ?s */
	strata_row_fn row;
	int (*flush)(walk *w); /* after the last row (the last open group) */
	/* Whether the sink takes what it reports (NULL: always); a step
	 * nobody wants is not run. */
	int (*wanted)(const strata_schema_sink *k);
} step;

/*
 * Tables proper are 'BASE TABLE' or, in MariaDB, 'SYSTEM VERSIONED'. Names
 * sort and match as bytes (CAST AS BINARY): the information_schema
 * collation ignores case, which would leave "T" and "t" in no fixed order.
 *
 * Each information_schema query reads the database's folder again (about
 * 5 ms at 1,000 tables), so tables, views and sequences come from one
 * query and the columns of views are dropped here rather than by a join.
 * MariaDB joins two information_schema tables by scanning the inner one
 * again for each outer row (COLUMNS joined to TABLES took 157 ms at 1,000
 * tables, growing with their square): where a join is needed, the inner
 * side is a derived table kept from being merged by MATERIALIZE, so it
 * is read once and looked up by key.
 *
 * Triggers are looked up by their table's schema (EVENT_OBJECT_SCHEMA,
 * always the trigger's own): MariaDB reads only that database's folder
 * for it, but every database's for TRIGGER_SCHEMA (37 ms on a server
 * holding 11,000 tables, 1,000 of them in the schema introspected).
 *
 * Row estimates (TABLE_ROWS) are left to table_rows(): MariaDB opens every
 * table for them, which beyond its table cache costs about 0.2 ms a table
 * (1.8 s at 10,000), while only the linter needs them, for a few tables.
 */
#define MATERIALIZE "LIMIT 18446744073709551615"
static const step steps[] = {
        {"SELECT TABLE_NAME, TABLE_TYPE FROM information_schema.TABLES"
         " WHERE TABLE_SCHEMA = ? AND TABLE_TYPE IN ('BASE TABLE',"
         " 'SYSTEM VERSIONED', 'VIEW', 'SEQUENCE')"
         " ORDER BY CAST(TABLE_NAME AS BINARY)",
         1, table_row, base_sort, NULL},
        {"SELECT TABLE_NAME, COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE,"
         " COLUMN_DEFAULT, EXTRA FROM information_schema.COLUMNS"
         " WHERE TABLE_SCHEMA = ?"
         " ORDER BY CAST(TABLE_NAME AS BINARY), ORDINAL_POSITION",
         1, column_row, NULL, NULL},
        {"SELECT TABLE_NAME, INDEX_NAME, NON_UNIQUE, COLUMN_NAME, SUB_PART"
         " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
         " ORDER BY CAST(TABLE_NAME AS BINARY), CAST(INDEX_NAME AS BINARY),"
         " SEQ_IN_INDEX",
         1, index_row, index_flush, strata__kit_want_index},
        {"SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME,"
         " k.REFERENCED_TABLE_SCHEMA, k.REFERENCED_TABLE_NAME,"
         " k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, r.UPDATE_RULE"
         " FROM information_schema.KEY_COLUMN_USAGE k"
         " JOIN (SELECT CAST(TABLE_NAME AS BINARY) t,"
         " CAST(CONSTRAINT_NAME AS BINARY) n, DELETE_RULE, UPDATE_RULE"
         " FROM information_schema.REFERENTIAL_CONSTRAINTS"
         " WHERE CONSTRAINT_SCHEMA = ? " MATERIALIZE ") r"
         " ON r.t = CAST(k.TABLE_NAME AS BINARY)"
         " AND r.n = CAST(k.CONSTRAINT_NAME AS BINARY)"
         " WHERE k.TABLE_SCHEMA = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL"
         " ORDER BY CAST(k.TABLE_NAME AS BINARY),"
         " CAST(k.CONSTRAINT_NAME AS BINARY), k.ORDINAL_POSITION",
         2, fk_row, fk_flush, strata__kit_want_fk},
        {"SELECT 'trigger', TRIGGER_NAME, EVENT_OBJECT_TABLE"
         " FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?"
         " ORDER BY CAST(TRIGGER_NAME AS BINARY)",
         1, object_row, NULL, strata__kit_want_object},
        {"SELECT LOWER(ROUTINE_TYPE), ROUTINE_NAME, NULL"
         " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
         " ORDER BY ROUTINE_TYPE, CAST(ROUTINE_NAME AS BINARY)",
         1, object_row, NULL, strata__kit_want_object},
        {"SELECT 'event', EVENT_NAME, NULL FROM information_schema.EVENTS"
         " WHERE EVENT_SCHEMA = ? ORDER BY CAST(EVENT_NAME AS BINARY)",
         1, object_row, NULL, strata__kit_want_object},
};

/* The database the session started in (after init_sql), where the schema
 * is introspected even after a migration ran USE; else DATABASE(). */
int my__home_db(strata_conn *c, char **out, strata_dberr *err)
{
	if (!c->home_db)
		return my__current_db(c, out, err);
	if (!(*out = strdup(c->home_db)))
		return strata__kit_nomem(err);
	return STRATA_DRV_OK;
}

/* A query's result, then what the row callbacks said (wrc): a sink that
 * stopped the walk, or memory that ran out. */
static int walk_result(int rc, int wrc, strata_dberr *err)
{
	if (rc != STRATA_DRV_OK)
		return rc;
	if (wrc == STRATA_DRV_NOMEM)
		return strata__kit_nomem(err);
	if (wrc != STRATA_DRV_OK)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "introspection aborted");
	return STRATA_DRV_OK;
}

static int run_step(strata_conn *c, walk *w, const step *s, strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_TEXT, NULL, 0},
	                     {STRATA_VAL_TEXT, NULL, 0}};
	int rc;

	p[0].text = p[1].text = w->db;
	rc = my__query(c, s->sql, p, s->params, s->row, w, err);
	if (rc == STRATA_DRV_OK && w->rc == STRATA_DRV_OK && s->flush)
		s->flush(w);
	group_clear(w);
	return walk_result(rc, w->rc, err);
}

/* The estimate of one table; the name compared as bytes, which
 * information_schema's collation does not. */
typedef struct rows_ask {
	const char *table;
	char *rows; /* TABLE_ROWS of the row named table */
	int nomem;
} rows_ask;

static int rows_row(void *ctx, int n, const char *const *v)
{
	rows_ask *a = ctx;

	(void)n;
	if (!v[0] || strcmp(v[0], a->table) || !v[1] || a->rows)
		return 0;
	a->rows = strdup(v[1]);
	a->nomem = !a->rows;
	return a->nomem;
}

int my__table_rows(strata_conn *c, const char *table, int64_t *rows,
                   strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_TEXT, NULL, 0},
	                     {STRATA_VAL_TEXT, table, 0}};
	rows_ask a = {table, NULL, 0};
	char *db = NULL;
	int rc = my__home_db(c, &db, err);

	*rows = -1;
	p[0].text = db;
	if (rc == STRATA_DRV_OK)
		rc = my__query(c,
		               "SELECT TABLE_NAME, TABLE_ROWS"
		               " FROM information_schema.TABLES"
		               " WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?",
		               p, 2, rows_row, &a, err);
	if (rc == STRATA_DRV_OK && a.nomem)
		rc = strata__kit_nomem(err);
	if (rc == STRATA_DRV_OK && a.rows)
		*rows = (int64_t)strtoll(a.rows, NULL, 10);
	free(a.rows);
	free(db);
	return rc;
}

int my__introspect(strata_conn *c, const strata_schema_sink *sink,
                   strata_dberr *err)
{
	char *db = NULL;
	walk w;
	size_t i;
	int rc = my__home_db(c, &db, err);

	memset(&w, 0, sizeof w);
	w.sink = sink;
	w.db = db;
	for (i = 0; rc == STRATA_DRV_OK && i < sizeof steps / sizeof *steps;
	     i++)
		if (!steps[i].wanted || steps[i].wanted(sink))
			rc = run_step(c, &w, &steps[i], err);
	strata__kit_buf_free(&w.tmp);
	strata__kit_buf_free(&w.cols);
	strata__kit_buf_free(&w.ref_cols);
	strata__kit_buf_free(&w.last);
	while (w.nbase)
		free(w.base[--w.nbase]);
	free(w.base);
	free(db);
	return rc;
}

/*
 * Details (introspect_detail): index keys when one is DESC (MySQL 8,
 * MariaDB 10.8+) or an expression (MySQL 8.0.13+; prefix lengths are in
 * the plain columns already), an index method other than BTREE
 * (FULLTEXT, SPATIAL, HASH), generated columns, and view and trigger
 * definitions. MySQL has no partial indexes and no INCLUDE.
 */
typedef struct dwalk {
	const strata_detail_sink *sink;
	int rc;
	char *table, *name, *method;
	int special, open;
	strata__kit_buf keys;
	const char *db; /* the database introspected */
} dwalk;

static int d_sink(dwalk *w, int r)
{
	if (r)
		w->rc = STRATA_DRV_ERROR;
	return r;
}

static int d_flush(dwalk *w)
{
	int r = 0;

	if (w->open && w->rc == STRATA_DRV_OK && (w->special || w->method))
		r = d_sink(w, w->sink->index(
		                      w->sink->ctx, w->table, w->name,
		                      w->special ? strata__kit_buf_str(&w->keys)
		                                 : NULL,
		                      NULL, NULL, w->method));
	free(w->table);
	free(w->name);
	free(w->method);
	w->table = w->name = w->method = NULL;
	w->special = w->open = 0;
	strata__kit_buf_reset(&w->keys);
	return r;
}

/* Rows: table, index, column, sub_part, collation, index type,
 * expression (NULL where the server has none); by SEQ_IN_INDEX. */
static int index_detail_row(void *ctx, int n, const char *const *v)
{
	dwalk *w = ctx;
	strata__kit_buf *b = &w->keys;

	(void)n;
	if (!w->open || strcmp(w->table, my__nz(v[0])) ||
	    strcmp(w->name, my__nz(v[1]))) {
		if (d_flush(w))
			return 1;
		w->open = 1;
		w->table = strdup(my__nz(v[0]));
		w->name = strdup(my__nz(v[1]));
		w->method = v[5] && strcmp(v[5], "BTREE")
		                    ? strata__kit_printf("%s", v[5])
		                    : NULL;
		if (!w->table || !w->name ||
		    (v[5] && strcmp(v[5], "BTREE") && !w->method)) {
			w->rc = STRATA_DRV_NOMEM;
			return 1;
		}
		for (char *p = w->method; p && *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	if (b->len)
		strata__kit_buf_add(b, ",");
	if (v[6] && *v[6]) {
		strata__kit_buf_printf(b, "(%s)", v[6]);
		w->special = 1;
	} else {
		strata__kit_buf_add(b, my__nz(v[2]));
	}
	if (v[3])
		strata__kit_buf_printf(b, "(%s)", v[3]);
	if (v[4] && !strcmp(v[4], "D")) {
		strata__kit_buf_add(b, " DESC");
		w->special = 1;
	}
	if (b->oom) {
		w->rc = STRATA_DRV_NOMEM;
		return 1;
	}
	return 0;
}

/* Rows: table, column, expression, extra. */
static int generated_row(void *ctx, int n, const char *const *v)
{
	dwalk *w = ctx;

	(void)n;
	return d_sink(w, w->sink->generated(
	                         w->sink->ctx, v[0], v[1], my__nz(v[2]),
	                         strcmp(my__nz(v[3]), "VIRTUAL GENERATED")));
}

/* Rows: kind, name, definition. */
static int definition_row(void *ctx, int n, const char *const *v)
{
	dwalk *w = ctx;

	char *pre, *def, *p;
	size_t plen;
	int r;

	(void)n;
	if (!v[2])
		return 0;
	/* MySQL qualifies every name of a view's SELECT with its database;
	 * without it the definition reads the same in any database (the
	 * same view in two databases is the same schema). */
	pre = w->db ? malloc(strlen(w->db) + 4) : NULL;
	def = strdup(v[2]);
	if (!def || (w->db && !pre)) {
		free(pre);
		free(def);
		w->rc = STRATA_DRV_NOMEM;
		return 1;
	}
	if (pre) {
		sprintf(pre, "`%s`.", w->db);
		plen = strlen(pre);
		while ((p = strstr(def, pre)) != NULL)
			memmove(p, p + plen, strlen(p + plen) + 1);
	}
	r = d_sink(w, w->sink->definition(w->sink->ctx, v[0], v[1], def));
	free(pre);
	free(def);
	return r;
}

/* clang-format off */
#define INDEX_DETAIL_SQL(expr)                                                 \
	"SELECT TABLE_NAME, INDEX_NAME, COLUMN_NAME, SUB_PART, COLLATION,"     \
	" INDEX_TYPE, " expr " FROM information_schema.STATISTICS"             \
	" WHERE TABLE_SCHEMA = ?"                                              \
	" ORDER BY CAST(TABLE_NAME AS BINARY), CAST(INDEX_NAME AS BINARY),"    \
	" SEQ_IN_INDEX"

static const char has_expression_sql[] =
        "SELECT COUNT(*) FROM information_schema.COLUMNS"
        " WHERE TABLE_SCHEMA = 'information_schema'"
        " AND TABLE_NAME = 'STATISTICS' AND COLUMN_NAME = 'EXPRESSION'";

static const char generated_sql[] =
        "SELECT TABLE_NAME, COLUMN_NAME, GENERATION_EXPRESSION, EXTRA"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
        " AND EXTRA IN ('VIRTUAL GENERATED', 'STORED GENERATED',"
        " 'PERSISTENT GENERATED')"
        " ORDER BY CAST(TABLE_NAME AS BINARY), ORDINAL_POSITION";

static const char definitions_sql[] =
        "SELECT 'view', TABLE_NAME, VIEW_DEFINITION"
        " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?"
        " UNION ALL"
        " SELECT 'trigger', TRIGGER_NAME, CONCAT('CREATE TRIGGER ',"
        " TRIGGER_NAME, ' ', ACTION_TIMING, ' ', EVENT_MANIPULATION,"
        " ' ON ', EVENT_OBJECT_TABLE, ' FOR EACH ROW ', ACTION_STATEMENT)"
        " FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?"
        " ORDER BY 1, 2";
/* clang-format on */

static int detail_query(strata_conn *c, dwalk *w, const char *sql, int n,
                        const char *db, strata_row_fn row, strata_dberr *err)
{
	strata_value p[2] = {{STRATA_VAL_TEXT, db, 0},
	                     {STRATA_VAL_TEXT, db, 0}};
	int rc = my__query(c, sql, p, n, row, w, err);

	if (rc == STRATA_DRV_OK && row == index_detail_row)
		d_flush(w);
	return walk_result(rc, w->rc, err);
}

int my__introspect_detail(strata_conn *c, const strata_detail_sink *sink,
                          strata_dberr *err)
{
	char *db = NULL;
	my__scalar has;
	dwalk w;
	int rc;

	/* A core whose sink lacks members gets no details. */
	if (sink->struct_size < sizeof(strata_detail_sink))
		return STRATA_DRV_OK;
	memset(&w, 0, sizeof w);
	memset(&has, 0, sizeof has);
	w.sink = sink;
	rc = my__home_db(c, &db, err);
	if (rc == STRATA_DRV_OK)
		rc = my__query_scalar(c, has_expression_sql, NULL, 0, &has,
		                      err);
	if (rc == STRATA_DRV_OK)
		rc = detail_query(c, &w,
		                  has.text && strcmp(has.text, "0")
		                          ? INDEX_DETAIL_SQL("EXPRESSION")
		                          : INDEX_DETAIL_SQL("NULL"),
		                  1, db, index_detail_row, err);
	d_flush(&w);
	if (rc == STRATA_DRV_OK)
		rc = detail_query(c, &w, generated_sql, 1, db, generated_row,
		                  err);
	w.db = db;
	if (rc == STRATA_DRV_OK)
		rc = detail_query(c, &w, definitions_sql, 2, db, definition_row,
		                  err);
	strata__kit_buf_free(&w.keys);
	free(has.text);
	free(db);
	return rc;
}
