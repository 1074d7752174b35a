/* SQLite introspection through sqlite_master and the table-valued pragmas. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* Runs sql, a string constant (kept compiled by its address), with one
 * text parameter (or none) into l, ncols per row. */
static int fetch(strata_conn *c, list *l, const char *sql, const char *arg,
                 strata_dberr *err)
{
	strata_value v = {STRATA_VAL_TEXT, arg, 0};
	int rc;

	memset(l, 0, sizeof(*l));
	rc = sqlite__query_cached(c, sql, &v, arg ? 1 : 0, push, l, err);
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

/*
 * The columns, indexes and foreign keys of every table come from one query
 * each, ordered by table name as the table list is, and are read alongside
 * it: three statements for the schema instead of four or more a table.
 */
#define TABLES "FROM sqlite_master m, "
#define WHERE_TABLES                                                           \
	" WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite\\_%' ESCAPE "     \
	"'\\' "

/* table_xinfo: generated columns (hidden 2 virtual, 3 stored) are columns
 * too; 1 marks a virtual table's hidden ones. */
static const char COLUMNS[] =
        "SELECT m.name, p.name, p.type, p.\"notnull\", p.dflt_value IS NULL, "
        "p.dflt_value, p.pk " TABLES "pragma_table_xinfo(m.name) p" WHERE_TABLES
        "AND p.hidden IN (0, 2, 3) ORDER BY m.name, p.cid";
static const char INDEXES[] =
        "SELECT m.name, il.name, il.\"unique\", il.origin, ii.seqno IS NOT "
        "NULL, coalesce(ii.name, '<expr>') " TABLES
        "pragma_index_list(m.name) il LEFT JOIN pragma_index_info(il.name) "
        "ii" WHERE_TABLES "ORDER BY m.name, il.name, ii.seqno";
static const char FKEYS[] =
        "SELECT m.name, f.id, f.\"table\", f.\"from\", coalesce(f.\"to\", ''), "
        "f.on_delete, f.on_update " TABLES
        "pragma_foreign_key_list(m.name) f" WHERE_TABLES
        "ORDER BY m.name, f.id, f.seq";

typedef struct rows {
	sqlite__cursor col, idx, fk;
} rows;

/* Whether cu's row belongs to table t; rows of tables before t (none, as
 * both lists are in the same order) are passed over. */
static int at_table(sqlite__cursor *cu, const char *t, int *rc,
                    strata_dberr *err)
{
	while (*rc == STRATA_DRV_OK && cu->row &&
	       strcmp(sqlite__cursor_text(cu, 0), t) < 0)
		*rc = sqlite__cursor_next(cu, err);
	return *rc == STRATA_DRV_OK && cu->row &&
	       !strcmp(sqlite__cursor_text(cu, 0), t);
}

/* The primary key's columns by their position in it (pk - 1). */
typedef struct pkeys {
	char **name;
	size_t n;
	int oom;
} pkeys;

static void pk_add(pkeys *pk, const char *pos, const char *name)
{
	long i = strtol(pos, NULL, 10);
	char **v;

	if (i <= 0 || i > 32767 || pk->oom)
		return;
	if ((size_t)i > pk->n) {
		if (!(v = realloc(pk->name, (size_t)i * sizeof(*v)))) {
			pk->oom = 1;
			return;
		}
		memset(v + pk->n, 0, ((size_t)i - pk->n) * sizeof(*v));
		pk->name = v;
		pk->n = (size_t)i;
	}
	free(pk->name[i - 1]);
	if (!(pk->name[i - 1] = strdup(name)))
		pk->oom = 1;
}

static void pk_free(pkeys *pk)
{
	size_t i;

	for (i = 0; i < pk->n; i++)
		free(pk->name[i]);
	free(pk->name);
}

static int columns(rows *r, const strata_schema_sink *k, const char *t,
                   pkeys *pk, strata_dberr *err)
{
	sqlite__cursor *cu = &r->col;
	int rc = STRATA_DRV_OK;

	while (at_table(cu, t, &rc, err)) {
		const char *name = sqlite__cursor_text(cu, 1);

		if (k->column(k->ctx, t, name, sqlite__cursor_text(cu, 2),
		              strcmp(sqlite__cursor_text(cu, 3), "1") != 0,
		              strcmp(sqlite__cursor_text(cu, 4), "1")
		                      ? sqlite__cursor_text(cu, 5)
		                      : NULL))
			return aborted(err);
		pk_add(pk, sqlite__cursor_text(cu, 6), name);
		rc = sqlite__cursor_next(cu, err);
	}
	return rc;
}

/* A rowid table's INTEGER PRIMARY KEY has no index entry of its own. */
static int rowid_pk(const strata_schema_sink *k, const char *t, pkeys *pk,
                    strata_dberr *err)
{
	strata__kit_buf b = {0};
	size_t i, n = 0;
	int rc = STRATA_DRV_OK;

	for (i = 0; i < pk->n; i++)
		if (pk->name[i])
			strata__kit_buf_printf(&b, "%s%s", n++ ? "," : "",
			                       pk->name[i]);
	if (b.oom || pk->oom)
		rc = strata__kit_nomem(err);
	else if (b.len && k->index(k->ctx, t, "primary", 1, 1, b.p))
		rc = aborted(err);
	strata__kit_buf_free(&b);
	return rc;
}

/* The rows of one key, from cu's row on: those of table t whose column 1
 * is id. Of each row for which column `only` is "1" (or each, when only
 * is -1), column col[j] goes to out[j] (for col[j] >= 0), joined with
 * ','. */
typedef struct key_cols {
	int only;
	int col[2];
	strata__kit_buf out[2];
} key_cols;

static int key_rows(sqlite__cursor *cu, const char *t, const char *id,
                    key_cols *kc, strata_dberr *err)
{
	int rc = STRATA_DRV_OK, n = 0, j;

	while (at_table(cu, t, &rc, err) &&
	       !strcmp(sqlite__cursor_text(cu, 1), id)) {
		if (kc->only < 0 ||
		    !strcmp(sqlite__cursor_text(cu, kc->only), "1")) {
			for (j = 0; j < 2; j++)
				if (kc->col[j] >= 0)
					strata__kit_buf_printf(
					        &kc->out[j], "%s%s",
					        n ? "," : "",
					        sqlite__cursor_text(
					                cu, kc->col[j]));
			n++;
		}
		rc = sqlite__cursor_next(cu, err);
	}
	if (rc == STRATA_DRV_OK && (kc->out[0].oom || kc->out[1].oom))
		rc = strata__kit_nomem(err);
	return rc;
}

static const char *key_text(const key_cols *kc, int j)
{
	return kc->out[j].p ? kc->out[j].p : "";
}

static void key_free(key_cols *kc)
{
	strata__kit_buf_free(&kc->out[0]);
	strata__kit_buf_free(&kc->out[1]);
}

/* One index: its key columns (column 4 "1"; not the rest of the rows). */
static int one_index(sqlite__cursor *cu, const strata_schema_sink *k,
                     const char *t, int *has_pk, strata_dberr *err)
{
	key_cols kc = {4, {5, -1}, {{0}, {0}}};
	char *name = strdup(sqlite__cursor_text(cu, 1));
	int uniq = !strcmp(sqlite__cursor_text(cu, 2), "1");
	int pk = !strcmp(sqlite__cursor_text(cu, 3), "pk");
	int rc;

	if (!name)
		return strata__kit_nomem(err);
	rc = key_rows(cu, t, name, &kc, err);
	*has_pk |= pk;
	if (rc == STRATA_DRV_OK &&
	    k->index(k->ctx, t, name, uniq, pk, key_text(&kc, 0)))
		rc = aborted(err);
	key_free(&kc);
	free(name);
	return rc;
}

static int indexes(rows *r, const strata_schema_sink *k, const char *t,
                   pkeys *pk, strata_dberr *err)
{
	int has_pk = 0, rc = STRATA_DRV_OK;

	while (rc == STRATA_DRV_OK && at_table(&r->idx, t, &rc, err))
		rc = one_index(&r->idx, k, t, &has_pk, err);
	if (rc == STRATA_DRV_OK && !has_pk)
		rc = rowid_pk(k, t, pk, err);
	return rc;
}

/* One foreign key: its rows, in seq order. */
static int one_fk(sqlite__cursor *cu, const strata_schema_sink *k,
                  const char *t, strata_dberr *err)
{
	key_cols kc = {-1, {3, 4}, {{0}, {0}}};
	char *id = strdup(sqlite__cursor_text(cu, 1));
	char *ref = strdup(sqlite__cursor_text(cu, 2));
	char *del = strdup(sqlite__cursor_text(cu, 5));
	char *upd = strdup(sqlite__cursor_text(cu, 6));
	char name[32];
	int rc = !id || !ref || !del || !upd ? strata__kit_nomem(err)
	                                     : key_rows(cu, t, id, &kc, err);

	snprintf(name, sizeof(name), "fk%s", id ? id : "");
	if (rc == STRATA_DRV_OK &&
	    k->foreign_key(k->ctx, t, name, key_text(&kc, 0), ref,
	                   key_text(&kc, 1), del, upd))
		rc = aborted(err);
	key_free(&kc);
	free(id);
	free(ref);
	free(del);
	free(upd);
	return rc;
}

static int foreign_keys(rows *r, const strata_schema_sink *k, const char *t,
                        strata_dberr *err)
{
	int rc = STRATA_DRV_OK;

	while (rc == STRATA_DRV_OK && at_table(&r->fk, t, &rc, err))
		rc = one_fk(&r->fk, k, t, err);
	return rc;
}

static int table(rows *r, const strata_schema_sink *k, const char *t,
                 strata_dberr *err)
{
	pkeys pk;
	int rc;

	if (k->table(k->ctx, t, -1))
		return aborted(err);
	memset(&pk, 0, sizeof(pk));
	/* Indexes and foreign keys only when the sink takes them. */
	rc = columns(r, k, t, &pk, err);
	if (rc == STRATA_DRV_OK && strata__kit_want_index(k))
		rc = indexes(r, k, t, &pk, err);
	if (rc == STRATA_DRV_OK && strata__kit_want_fk(k))
		rc = foreign_keys(r, k, t, err);
	pk_free(&pk);
	return rc;
}

static int rows_open(rows *r, strata_conn *c, const strata_schema_sink *k,
                     strata_dberr *err)
{
	/* r starts empty (read_schema): a failed open closes what did. */
	int rc = sqlite__cursor_open(&r->col, c->db, COLUMNS, err);
	if (rc == STRATA_DRV_OK && strata__kit_want_index(k))
		rc = sqlite__cursor_open(&r->idx, c->db, INDEXES, err);
	if (rc == STRATA_DRV_OK && strata__kit_want_fk(k))
		rc = sqlite__cursor_open(&r->fk, c->db, FKEYS, err);
	return rc;
}

static void rows_close(rows *r)
{
	sqlite__cursor_close(&r->col);
	sqlite__cursor_close(&r->idx);
	sqlite__cursor_close(&r->fk);
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
	rows r = {{0}, {0}, {0}};
	size_t i;
	int rc = fetch(c, &l,
	               "SELECT type, name, tbl_name FROM sqlite_master WHERE "
	               "type IN ('table', 'view', 'trigger') AND name NOT "
	               "LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name",
	               NULL, err);

	if (rc == STRATA_DRV_OK)
		rc = rows_open(&r, c, k, err);
	for (i = 0; rc == STRATA_DRV_OK && i + 2 < l.n; i += 3) {
		if (!strcmp(l.v[i], "table"))
			rc = table(&r, k, l.v[i + 1], err);
		else if (strata__kit_want_object(k) &&
		         k->object(k->ctx, l.v[i], l.v[i + 1],
		                   strcmp(l.v[i], "trigger") ? NULL
		                                             : l.v[i + 2]))
			rc = aborted(err);
	}
	rows_close(&r);
	list_free(&l);
	return rc;
}

/*
 * Details (introspect_detail). SQLite keeps the statements as written in
 * sqlite_master; the pragmas say which parts are more than plain, and the
 * statement gives their text: a generated column's expression, an index's
 * key list and WHERE, a view's or trigger's whole statement.
 */

/* The end of the token at p: a quoted string or name, a comment, or one
 * character. */
static const char *tok_end(const char *p)
{
	char close = *p == '[' ? ']' : *p;

	if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
		for (p++; *p; p++)
			if (*p == close) {
				if (close != ']' && p[1] == close)
					p++;
				else
					return p + 1;
			}
		return p;
	}
	if (p[0] == '-' && p[1] == '-') {
		while (*p && *p != '\n')
			p++;
		return p;
	}
	if (p[0] == '/' && p[1] == '*') {
		const char *e = strstr(p + 2, "*/");

		return e ? e + 2 : p + strlen(p);
	}
	return p + 1;
}

/* The first '(' at or after p outside quotes; NULL if none. */
static const char *open_paren(const char *p)
{
	for (; *p; p = tok_end(p))
		if (*p == '(')
			return p;
	return NULL;
}

/* The ')' matching the '(' at p; NULL if unbalanced. */
static const char *close_paren(const char *p)
{
	int depth = 0;

	for (; *p; p = tok_end(p))
		if (*p == '(')
			depth++;
		else if (*p == ')' && --depth == 0)
			return p;
	return NULL;
}

static int blank(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* s..e trimmed, malloc'd. */
static char *trimmed(const char *s, const char *e)
{
	while (s < e && blank(*s))
		s++;
	while (e > s && blank(e[-1]))
		e--;
	return strata__kit_printf("%.*s", (int)(e - s), s);
}

/* The top-level items of the list between '(' at open and ')' at close,
 * each trimmed, joined with ","; the written text otherwise. */
static char *list_text(const char *open, const char *close)
{
	strata__kit_buf b = {0};
	const char *p = open + 1, *item = p;
	int depth = 0;

	for (; p <= close; p = tok_end(p)) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		if ((*p == ',' && !depth) || p == close) {
			char *one = trimmed(item, p);

			if (one)
				strata__kit_buf_printf(&b, "%s%s",
				                       b.len ? "," : "", one);
			free(one);
			item = p + 1;
			if (p == close)
				break;
		}
	}
	return strata__kit_buf_take(&b);
}

static int word_at(const char *p, const char *w)
{
	size_t n = strlen(w);

	return !strncasecmp(p, w, n) &&
	       !(isalnum((unsigned char)p[n]) || p[n] == '_');
}

/* Whether the item (a column definition) starts with the name col. */
static int names_column(const char *item, const char *col)
{
	const char *e;
	size_t n = strlen(col);

	while (blank(*item))
		item++;
	e = tok_end(item);
	if (strchr("\"`[", *item))
		return (size_t)(e - item) == n + 2 &&
		       !strncasecmp(item + 1, col, n);
	for (e = item; *e && (isalnum((unsigned char)*e) || *e == '_' ||
	                      (unsigned char)*e >= 0x80);
	     e++)
		;
	return (size_t)(e - item) == n && !strncasecmp(item, col, n);
}

/* In one column definition (item..end): the expression of AS (...). */
static char *as_expr(const char *item, const char *end)
{
	const char *p, *q;
	int depth = 0;

	for (p = item; p < end; p = tok_end(p)) {
		if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		else if (!depth &&
		         (p == item || !isalnum((unsigned char)p[-1])) &&
		         word_at(p, "AS")) {
			for (q = p + 2; blank(*q); q++)
				;
			if (*q == '(' && (p = close_paren(q)) != NULL)
				return trimmed(q + 1, p);
		}
	}
	return NULL;
}

/* The expression of generated column col in a CREATE TABLE statement. */
static char *generated_expr(const char *sql, const char *col)
{
	const char *open = open_paren(sql), *close, *p, *item;
	int depth = 0;

	if (!open || !(close = close_paren(open)))
		return NULL;
	for (p = item = open + 1; p <= close; p = tok_end(p)) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth)
			depth--;
		if ((*p == ',' && !depth) || p == close) {
			if (names_column(item, col))
				return as_expr(item, p);
			item = p + 1;
			if (p == close)
				break;
		}
	}
	return NULL;
}

static int generated(strata_conn *c, const strata_detail_sink *k, const char *t,
                     const char *sql, strata_dberr *err)
{
	list l;
	size_t i;
	int rc = fetch(c, &l,
	               "SELECT name, hidden FROM pragma_table_xinfo(?) "
	               "WHERE hidden IN (2, 3) ORDER BY cid",
	               t, err);

	for (i = 0; rc == STRATA_DRV_OK && i + 1 < l.n; i += 2) {
		char *expr = generated_expr(sql, l.v[i]);

		if (k->generated(k->ctx, t, l.v[i], expr ? expr : "",
		                 !strcmp(l.v[i + 1], "3")))
			rc = aborted(err);
		free(expr);
	}
	list_free(&l);
	return rc;
}

/* Whether an index has a key that is more than a plain ascending column
 * in the default collation. */
static int special_keys(strata_conn *c, const char *idx, int *special,
                        strata_dberr *err)
{
	list l;
	int rc = fetch(c, &l,
	               "SELECT count(*) FROM pragma_index_xinfo(?) WHERE key "
	               "AND (cid = -2 OR \"desc\" OR coll <> 'BINARY')",
	               idx, err);

	*special = rc == STRATA_DRV_OK && l.n == 1 && strcmp(l.v[0], "0");
	list_free(&l);
	return rc;
}

/* A CREATE INDEX's key list and WHERE, when it has either. */
static int index_detail(strata_conn *c, const strata_detail_sink *k,
                        const char *t, const char *idx, const char *sql,
                        strata_dberr *err)
{
	const char *open = open_paren(sql), *close, *p;
	char *keys = NULL, *pred = NULL;
	int special = 0, rc = special_keys(c, idx, &special, err);

	if (rc != STRATA_DRV_OK || !open || !(close = close_paren(open)))
		return rc;
	for (p = close + 1; blank(*p); p++)
		;
	if (word_at(p, "WHERE"))
		pred = trimmed(p + 5, p + strlen(p));
	if (special)
		keys = list_text(open, close);
	if ((keys || pred) && k->index(k->ctx, t, idx, keys, pred, NULL, NULL))
		rc = aborted(err);
	free(keys);
	free(pred);
	return rc;
}

int sqlite__introspect_detail(strata_conn *c, const strata_detail_sink *k,
                              strata_dberr *err)
{
	list l;
	size_t i;
	int own = sqlite3_get_autocommit(c->db);
	int rc;

	/* A core whose sink lacks members gets no details. */
	if (k->struct_size < sizeof(strata_detail_sink))
		return STRATA_DRV_OK;
	rc = own ? sqlite3_exec(c->db, "BEGIN", NULL, NULL, NULL) : SQLITE_OK;
	if (rc != SQLITE_OK)
		return sqlite__fail(c->db, err);
	rc = fetch(c, &l,
	           "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE "
	           "sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' "
	           "ORDER BY type, name",
	           NULL, err);
	for (i = 0; rc == STRATA_DRV_OK && i + 3 < l.n; i += 4) {
		const char *type = l.v[i], *name = l.v[i + 1];
		const char *tbl = l.v[i + 2], *sql = l.v[i + 3];

		if (!strcmp(type, "table"))
			rc = generated(c, k, name, sql, err);
		else if (!strcmp(type, "index"))
			rc = index_detail(c, k, tbl, name, sql, err);
		else if (k->definition(k->ctx, type, name, sql))
			rc = aborted(err);
	}
	list_free(&l);
	if (own && !sqlite3_get_autocommit(c->db))
		sqlite3_exec(c->db, rc == STRATA_DRV_OK ? "COMMIT" : "ROLLBACK",
		             NULL, NULL, NULL);
	return rc;
}

/* Everything introspection reads comes from these statements' text (the
 * pragmas parse it), so equal text is an equal schema. In storage order:
 * the core's digest does not depend on it, and a sort of 10,000 rows
 * would cost SQLite's sorter time and memory. */
int sqlite__catalog(strata_conn *c, strata_row_fn fn, void *ctx,
                    strata_dberr *err)
{
	return sqlite__query(c->db,
	                     "SELECT tbl_name, type, name, sql FROM "
	                     "sqlite_schema",
	                     NULL, 0, fn, ctx, err);
}
