/*
 * strata_dump: the introspected schema as DDL in the target's own dialect,
 * without pg_dump or mysqldump. Types, defaults and definitions are kept
 * as the database reports them (not the neutral model of model.c), so
 * that the dump applied to an empty database of the same driver dumps
 * the same text again. Objects are sorted by name; columns keep their
 * order. The history table and its snapshot table are left out.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "internal.h"

typedef struct dcol {
	char *name, *type, *dflt, *gen;
	int nullable, stored;
} dcol;

typedef struct didx {
	char *name, *cols, *keys, *pred, *incl, *method;
	int unique, primary;
} didx;

typedef struct dfk {
	char *name, *cols, *ref, *ref_cols, *del, *upd;
} dfk;

typedef struct dtable {
	char *name;
	dcol *cols;
	size_t ncols;
	didx *idx;
	size_t nidx;
	dfk *fks;
	size_t nfks;
} dtable;

typedef struct dobj {
	char *kind, *name, *table, *def;
} dobj;

typedef struct dschema {
	const strata *s;
	char quote;
	int sqlite, pg, my;
	dtable *t;
	size_t nt;
	dobj *o;
	size_t no;
} dschema;

static int ours(const dschema *d, const char *name)
{
	return !name || strata__history_own(d->s->hist_table, name);
}

static dtable *table(dschema *d, const char *name)
{
	size_t i;

	if (ours(d, name))
		return NULL;
	for (i = d->nt; i-- > 0;)
		if (!strcmp(d->t[i].name, name))
			return &d->t[i];
	d->t = strata__realloc(d->t, (d->nt + 1) * sizeof(*d->t));
	memset(&d->t[d->nt], 0, sizeof(*d->t));
	d->t[d->nt].name = strata__strdup(name);
	return &d->t[d->nt++];
}

static char *copy(const char *s)
{
	return s ? strata__strdup(s) : NULL;
}

static int on_table(void *ctx, const char *name, int64_t rows)
{
	STRATA_UNUSED(rows);
	table(ctx, name);
	return 0;
}

static int on_column(void *ctx, const char *tn, const char *name,
                     const char *type, int nullable, const char *dflt)
{
	dtable *t = table(ctx, tn);
	dcol *c;

	if (!t)
		return 0;
	t->cols = strata__realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
	c = &t->cols[t->ncols++];
	memset(c, 0, sizeof(*c));
	c->name = strata__strdup(name);
	c->type = strata__strdup(type ? type : "");
	c->nullable = nullable;
	c->dflt = copy(dflt);
	return 0;
}

static int on_index(void *ctx, const char *tn, const char *name, int unique,
                    int primary, const char *cols)
{
	dtable *t = table(ctx, tn);
	didx *x;

	if (!t)
		return 0;
	t->idx = strata__realloc(t->idx, (t->nidx + 1) * sizeof(*t->idx));
	x = &t->idx[t->nidx++];
	memset(x, 0, sizeof(*x));
	x->name = strata__strdup(name ? name : "");
	x->cols = strata__strdup(cols ? cols : "");
	x->unique = unique || primary;
	x->primary = primary;
	return 0;
}

static int on_fk(void *ctx, const char *tn, const char *name, const char *cols,
                 const char *ref, const char *ref_cols, const char *del,
                 const char *upd)
{
	dtable *t = table(ctx, tn);
	dfk *f;

	if (!t)
		return 0;
	t->fks = strata__realloc(t->fks, (t->nfks + 1) * sizeof(*t->fks));
	f = &t->fks[t->nfks++];
	f->name = strata__strdup(name ? name : "");
	f->cols = strata__strdup(cols ? cols : "");
	f->ref = strata__strdup(ref ? ref : "");
	f->ref_cols = strata__strdup(ref_cols ? ref_cols : "");
	f->del = copy(del);
	f->upd = copy(upd);
	return 0;
}

static int on_object(void *ctx, const char *kind, const char *name,
                     const char *tn)
{
	dschema *d = ctx;
	dobj *o;

	if (ours(d, name) || (tn && ours(d, tn)))
		return 0;
	d->o = strata__realloc(d->o, (d->no + 1) * sizeof(*d->o));
	o = &d->o[d->no++];
	o->kind = strata__strdup(kind);
	o->name = strata__strdup(name);
	o->table = copy(tn);
	o->def = NULL;
	return 0;
}

static didx *find_idx(dschema *d, const char *tn, const char *name)
{
	size_t i, j;

	for (i = 0; i < d->nt; i++)
		for (j = 0; !strcmp(d->t[i].name, tn) && j < d->t[i].nidx; j++)
			if (!strcmp(d->t[i].idx[j].name, name))
				return &d->t[i].idx[j];
	return NULL;
}

static int on_idx_detail(void *ctx, const char *tn, const char *name,
                         const char *keys, const char *pred, const char *incl,
                         const char *method)
{
	didx *x = find_idx(ctx, tn, name);

	if (!x)
		return 0;
	x->keys = copy(keys);
	x->pred = copy(pred);
	x->incl = copy(incl);
	x->method = copy(method);
	return 0;
}

static int on_generated(void *ctx, const char *tn, const char *col,
                        const char *expr, int stored)
{
	dschema *d = ctx;
	size_t i, j;

	for (i = 0; i < d->nt; i++)
		for (j = 0; !strcmp(d->t[i].name, tn) && j < d->t[i].ncols;
		     j++) {
			dcol *c = &d->t[i].cols[j];

			if (strcmp(c->name, col))
				continue;
			free(c->gen);
			c->gen = copy(expr);
			c->stored = stored;
			free(c->dflt);
			c->dflt = NULL;
		}
	return 0;
}

static int on_definition(void *ctx, const char *kind, const char *name,
                         const char *sql)
{
	dschema *d = ctx;
	size_t i;

	for (i = 0; i < d->no; i++)
		if (!strcmp(d->o[i].kind, kind) &&
		    !strcmp(d->o[i].name, name)) {
			free(d->o[i].def);
			d->o[i].def = copy(sql);
		}
	return 0;
}

/* ---- output ---- */

/* Words that cannot stand unquoted as a name on one of the databases. */
static const char *const reserved[] = {"add",
                                       "all",
                                       "alter",
                                       "analyze",
                                       "and",
                                       "any",
                                       "as",
                                       "asc",
                                       "between",
                                       "both",
                                       "by",
                                       "case",
                                       "cast",
                                       "check",
                                       "collate",
                                       "column",
                                       "constraint",
                                       "create",
                                       "cross",
                                       "current",
                                       "current_date",
                                       "current_time",
                                       "current_timestamp",
                                       "current_user",
                                       "default",
                                       "delete",
                                       "desc",
                                       "distinct",
                                       "do",
                                       "drop",
                                       "else",
                                       "end",
                                       "except",
                                       "exists",
                                       "false",
                                       "fetch",
                                       "for",
                                       "foreign",
                                       "from",
                                       "full",
                                       "grant",
                                       "group",
                                       "having",
                                       "in",
                                       "index",
                                       "inner",
                                       "insert",
                                       "intersect",
                                       "into",
                                       "is",
                                       "join",
                                       "key",
                                       "keys",
                                       "leading",
                                       "left",
                                       "like",
                                       "limit",
                                       "natural",
                                       "not",
                                       "null",
                                       "offset",
                                       "on",
                                       "only",
                                       "or",
                                       "order",
                                       "outer",
                                       "primary",
                                       "range",
                                       "references",
                                       "rename",
                                       "replace",
                                       "right",
                                       "row",
                                       "rows",
                                       "select",
                                       "set",
                                       "show",
                                       "table",
                                       "then",
                                       "to",
                                       "trailing",
                                       "trigger",
                                       "true",
                                       "union",
                                       "unique",
                                       "update",
                                       "user",
                                       "using",
                                       "values",
                                       "view",
                                       "when",
                                       "where",
                                       "window",
                                       "with",
                                       NULL};

static int plain_name(const char *s)
{
	size_t i;

	if (!*s || isdigit((unsigned char)*s))
		return 0;
	for (i = 0; s[i]; i++)
		if (!islower((unsigned char)s[i]) &&
		    !isdigit((unsigned char)s[i]) && s[i] != '_')
			return 0;
	for (i = 0; reserved[i]; i++)
		if (!strcmp(s, reserved[i]))
			return 0;
	return 1;
}

static void put_name(strata__buf *b, const dschema *d, const char *s)
{
	if (plain_name(s)) {
		strata__buf_puts(b, s);
		return;
	}
	strata__buf_putc(b, d->quote);
	for (; *s; s++) {
		if (*s == d->quote)
			strata__buf_putc(b, d->quote);
		strata__buf_putc(b, *s);
	}
	strata__buf_putc(b, d->quote);
}

/* "a,b" as "a, b", each name quoted where needed. */
static void put_list(strata__buf *b, const dschema *d, const char *list)
{
	int first = 1;

	while (*list) {
		size_t n = strcspn(list, ",");
		char *one = strata__strndup(list, n);

		strata__buf_puts(b, first ? "" : ", ");
		put_name(b, d, one);
		free(one);
		first = 0;
		list += n;
		if (*list == ',')
			list++;
	}
}

/* A literal SQLite keeps as it is; anything else goes in parentheses. */
static int sqlite_literal(const char *v)
{
	char *end;

	if (*v == '\'' || !strcasecmp(v, "null") || !strcasecmp(v, "true") ||
	    !strcasecmp(v, "false") || !strncasecmp(v, "current_", 8))
		return 1;
	strtod(v, &end);
	return end != v && !*end;
}

/* MySQL's EXTRA words that are no part of a column type in DDL. */
static void put_type(strata__buf *b, const dschema *d, const dcol *c)
{
	static const char *const drop[] = {" DEFAULT_GENERATED",
	                                   " VIRTUAL GENERATED",
	                                   " STORED GENERATED", NULL};
	char *t = strata__strdup(c->type);
	size_t i;

	for (i = 0; d->my && drop[i]; i++) {
		char *p = strstr(t, drop[i]);

		if (p)
			memmove(p, p + strlen(drop[i]),
			        strlen(p + strlen(drop[i])) + 1);
	}
	strata__buf_puts(b, t);
	free(t);
}

static int pg_serial(const dschema *d, const dtable *t, const dcol *c)
{
	char *want;
	int yes;

	if (!d->pg || !c->dflt || strncmp(c->dflt, "nextval('", 9))
		return 0;
	want = strata__printf("nextval('%s_%s_seq'::regclass)", t->name,
	                      c->name);
	yes = !strcmp(c->dflt, want) &&
	      (!strcmp(c->type, "integer") || !strcmp(c->type, "bigint") ||
	       !strcmp(c->type, "smallint"));
	free(want);
	return yes;
}

static void put_column(strata__buf *b, const dschema *d, const dtable *t,
                       const dcol *c)
{
	strata__buf_puts(b, "    ");
	put_name(b, d, c->name);
	strata__buf_putc(b, ' ');
	if (pg_serial(d, t, c)) {
		/* serial: the sequence comes with the column. */
		strata__buf_puts(b, !strcmp(c->type, "bigint") ? "bigserial"
		                    : !strcmp(c->type, "smallint")
		                            ? "smallserial"
		                            : "serial");
		if (!c->nullable)
			strata__buf_puts(b, " NOT NULL");
		return;
	}
	put_type(b, d, c);
	if (c->gen)
		strata__buf_printf(b, " GENERATED ALWAYS AS (%s) %s", c->gen,
		                   c->stored ? "STORED" : "VIRTUAL");
	if (!c->nullable)
		strata__buf_puts(b, " NOT NULL");
	if (!c->dflt || c->gen)
		return;
	/* PostgreSQL reports identity and generated columns here. */
	if (d->pg && !strncmp(c->dflt, "GENERATED ", 10))
		strata__buf_printf(b, " %s", c->dflt);
	else if (d->sqlite && !sqlite_literal(c->dflt))
		strata__buf_printf(b, " DEFAULT (%s)", c->dflt);
	else
		strata__buf_printf(b, " DEFAULT %s", c->dflt);
}

static int autoindex(const didx *x)
{
	return !strncmp(x->name, "sqlite_autoindex_", 17);
}

static void put_action(strata__buf *b, const char *what, const char *a)
{
	if (a && *a && strcasecmp(a, "NO ACTION"))
		strata__buf_printf(b, " %s %s", what, a);
}

static void put_fk(strata__buf *b, const dschema *d, const dfk *f)
{
	strata__buf_puts(b, "FOREIGN KEY (");
	put_list(b, d, f->cols);
	strata__buf_puts(b, ") REFERENCES ");
	put_name(b, d, f->ref);
	if (*f->ref_cols && strspn(f->ref_cols, ",") != strlen(f->ref_cols)) {
		strata__buf_puts(b, " (");
		put_list(b, d, f->ref_cols);
		strata__buf_putc(b, ')');
	}
	put_action(b, "ON DELETE", f->del);
	put_action(b, "ON UPDATE", f->upd);
}

static void put_table(strata__buf *b, const dschema *d, const dtable *t)
{
	size_t i;

	strata__buf_puts(b, "CREATE TABLE ");
	put_name(b, d, t->name);
	strata__buf_puts(b, " (\n");
	for (i = 0; i < t->ncols; i++) {
		put_column(b, d, t, &t->cols[i]);
		strata__buf_puts(b, i + 1 < t->ncols ? ",\n" : "");
	}
	for (i = 0; i < t->nidx; i++) {
		const didx *x = &t->idx[i];

		if (!x->primary && !(d->sqlite && autoindex(x)))
			continue;
		strata__buf_puts(b, ",\n    ");
		if (x->primary && d->pg) {
			strata__buf_puts(b, "CONSTRAINT ");
			put_name(b, d, x->name);
			strata__buf_putc(b, ' ');
		}
		strata__buf_puts(b, x->primary ? "PRIMARY KEY (" : "UNIQUE (");
		put_list(b, d, x->cols);
		strata__buf_putc(b, ')');
	}
	/* SQLite has no ALTER TABLE ADD CONSTRAINT. */
	for (i = 0; d->sqlite && i < t->nfks; i++) {
		strata__buf_puts(b, ",\n    ");
		put_fk(b, d, &t->fks[i]);
	}
	strata__buf_puts(b, "\n);\n");
}

static void put_index(strata__buf *b, const dschema *d, const dtable *t,
                      const didx *x)
{
	int fulltext = x->method && d->my &&
	               (!strcasecmp(x->method, "fulltext") ||
	                !strcasecmp(x->method, "spatial"));

	strata__buf_puts(b, "CREATE ");
	if (fulltext)
		strata__buf_printf(b, "%s ", x->method);
	else if (x->unique)
		strata__buf_puts(b, "UNIQUE ");
	strata__buf_puts(b, "INDEX ");
	put_name(b, d, x->name);
	strata__buf_puts(b, " ON ");
	put_name(b, d, t->name);
	if (x->method && d->pg)
		strata__buf_printf(b, " USING %s", x->method);
	strata__buf_puts(b, " (");
	if (x->keys)
		strata__buf_puts(b, x->keys); /* dialect text, as shown */
	else
		put_list(b, d, x->cols);
	strata__buf_putc(b, ')');
	if (x->incl) {
		strata__buf_puts(b, " INCLUDE (");
		put_list(b, d, x->incl);
		strata__buf_putc(b, ')');
	}
	if (x->pred)
		strata__buf_printf(b, " WHERE %s", x->pred);
	strata__buf_puts(b, ";\n");
}

/* A definition as one statement: no trailing blanks or ';'. */
static char *trimmed(const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ';'))
		n--;
	return strata__strndup(s, n);
}

/* MySQL qualifies every name of a view's SELECT with its database:
 * dropped, so that the dump recreates the view in the database it is
 * applied to. */
static char *unqualified(char *def, const char *db)
{
	char *pre, *p;
	size_t n;

	if (!db)
		return def;
	pre = strata__printf("`%s`.", db);
	n = strlen(pre);
	while ((p = strstr(def, pre)) != NULL)
		memmove(p, p + n, strlen(p + n) + 1);
	free(pre);
	return def;
}

static void put_object(strata__buf *b, const dschema *d, const dobj *o)
{
	char *def = o->def ? trimmed(o->def) : NULL;

	if (def && d->my)
		def = unqualified(def, d->s->hist_schema);
	int view = !strcmp(o->kind, "view") ||
	           !strcmp(o->kind, "materialized view");

	if (!def) {
		strata__buf_printf(b, "-- %s %s: definition not available\n",
		                   o->kind, o->name);
	} else if (view && strncasecmp(def, "CREATE ", 7)) {
		strata__buf_printf(b, "CREATE %s ",
		                   strcmp(o->kind, "view") ? "MATERIALIZED VIEW"
		                                           : "VIEW");
		put_name(b, d, o->name);
		strata__buf_printf(b, " AS\n%s;\n", def);
	} else if (d->my && !strcmp(o->kind, "trigger")) {
		/* The body holds ';': the client's DELIMITER, which strata's
		 * MySQL splitter reads too. */
		strata__buf_printf(b, "DELIMITER //\n%s//\nDELIMITER ;\n", def);
	} else {
		strata__buf_printf(b, "%s;\n", def);
	}
	free(def);
}

static int cmp_str(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int cmp_table(const void *a, const void *b)
{
	return cmp_str(((const dtable *)a)->name, ((const dtable *)b)->name);
}

static int cmp_idx(const void *a, const void *b)
{
	return cmp_str(((const didx *)a)->name, ((const didx *)b)->name);
}

static int cmp_fk(const void *a, const void *b)
{
	const dfk *x = a, *y = b;
	/* By columns: SQLite's keys have no names, only numbers that
	 * follow the order of the CREATE TABLE. */
	int c = cmp_str(x->cols, y->cols);

	if (!c)
		c = cmp_str(x->ref, y->ref);
	return c ? c : cmp_str(x->name, y->name);
}

static int cmp_obj(const void *a, const void *b)
{
	const dobj *x = a, *y = b;
	int c = cmp_str(x->kind, y->kind);

	return c ? c : cmp_str(x->name, y->name);
}

static void sort(dschema *d)
{
	size_t i;

	/* qsort() must not get NULL, even for no elements. */
	if (d->nt)
		qsort(d->t, d->nt, sizeof(*d->t), cmp_table);
	if (d->no)
		qsort(d->o, d->no, sizeof(*d->o), cmp_obj);
	for (i = 0; i < d->nt; i++) {
		if (d->t[i].nidx)
			qsort(d->t[i].idx, d->t[i].nidx, sizeof(didx), cmp_idx);
		if (d->t[i].nfks)
			qsort(d->t[i].fks, d->t[i].nfks, sizeof(dfk), cmp_fk);
	}
}

static int is_kind(const dobj *o, const char *kind)
{
	return !strcmp(o->kind, kind);
}

/* PostgreSQL functions (a trigger's among them) as pg_get_functiondef
 * shows them: other databases keep no function a trigger needs. */
static int pg_function(void *ctx, int n, const char *const *v)
{
	strata__buf *b = ctx;

	if (n >= 1 && v[0]) {
		char *def = trimmed(v[0]);

		strata__buf_printf(b, "%s;\n", def);
		free(def);
	}
	return 0;
}

static int pg_functions(strata__buf *b, const dschema *d, strata_error *err)
{
	strata *s = (strata *)d->s;
	strata_value p = {STRATA_VAL_TEXT, s->hist_schema, 0};
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	if (strata__drv_query(
	            s, s->conn,
	            "SELECT pg_catalog.pg_get_functiondef(p.oid)"
	            " FROM pg_catalog.pg_proc p"
	            " JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace"
	            " WHERE n.nspname = COALESCE($1, current_schema())"
	            " AND p.prokind IN ('f', 'p')"
	            " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_depend e"
	            " WHERE e.objid = p.oid AND e.deptype = 'e')"
	            " ORDER BY p.proname COLLATE \"C\","
	            " pg_catalog.pg_get_function_identity_arguments(p.oid)"
	            " COLLATE \"C\"",
	            &p, 1, pg_function, b, &de) != STRATA_DRV_OK)
		return strata__drv_fail(s, err, &de, "reading functions");
	return STRATA_OK;
}

static int render(strata__buf *b, const dschema *d, strata_error *err)
{
	size_t i, j;
	int rc = STRATA_OK;

	strata__buf_printf(b, "-- strata dump: %s schema\n",
	                   d->s->drv->dialect->name);
	for (i = 0; d->pg && i < d->no; i++)
		if (is_kind(&d->o[i], "sequence")) {
			strata__buf_puts(b, "CREATE SEQUENCE ");
			put_name(b, d, d->o[i].name);
			strata__buf_puts(b, ";\n");
		}
	for (i = 0; i < d->nt; i++)
		put_table(b, d, &d->t[i]);
	for (i = 0; i < d->nt; i++)
		for (j = 0; j < d->t[i].nidx; j++) {
			const didx *x = &d->t[i].idx[j];

			if (!x->primary && !(d->sqlite && autoindex(x)))
				put_index(b, d, &d->t[i], x);
		}
	for (i = 0; !d->sqlite && i < d->nt; i++)
		for (j = 0; j < d->t[i].nfks; j++) {
			strata__buf_puts(b, "ALTER TABLE ");
			put_name(b, d, d->t[i].name);
			strata__buf_puts(b, " ADD CONSTRAINT ");
			put_name(b, d, d->t[i].fks[j].name);
			strata__buf_putc(b, ' ');
			put_fk(b, d, &d->t[i].fks[j]);
			strata__buf_puts(b, ";\n");
		}
	for (i = 0; i < d->no; i++)
		if (is_kind(&d->o[i], "view") ||
		    is_kind(&d->o[i], "materialized view"))
			put_object(b, d, &d->o[i]);
	if (d->pg)
		rc = pg_functions(b, d, err);
	for (i = 0; !rc && i < d->no; i++)
		if (is_kind(&d->o[i], "trigger"))
			put_object(b, d, &d->o[i]);
	return rc;
}

static void dschema_free(dschema *d)
{
	size_t i, j;

	for (i = 0; i < d->nt; i++) {
		dtable *t = &d->t[i];

		for (j = 0; j < t->ncols; j++) {
			free(t->cols[j].name);
			free(t->cols[j].type);
			free(t->cols[j].dflt);
			free(t->cols[j].gen);
		}
		for (j = 0; j < t->nidx; j++) {
			free(t->idx[j].name);
			free(t->idx[j].cols);
			free(t->idx[j].keys);
			free(t->idx[j].pred);
			free(t->idx[j].incl);
			free(t->idx[j].method);
		}
		for (j = 0; j < t->nfks; j++) {
			free(t->fks[j].name);
			free(t->fks[j].cols);
			free(t->fks[j].ref);
			free(t->fks[j].ref_cols);
			free(t->fks[j].del);
			free(t->fks[j].upd);
		}
		free(t->cols);
		free(t->idx);
		free(t->fks);
		free(t->name);
	}
	for (i = 0; i < d->no; i++) {
		free(d->o[i].kind);
		free(d->o[i].name);
		free(d->o[i].table);
		free(d->o[i].def);
	}
	free(d->t);
	free(d->o);
}

int strata_dump(char **out, strata *s, strata_error *err)
{
	dschema d;
	strata_schema_sink sink = {&d,       on_table, on_column,
	                           on_index, on_fk,    on_object};
	strata_detail_sink detail;
	strata__buf b = STRATA__BUF_INIT;
	strata_dberr de;
	const char *dn = s->drv->dialect->name;
	int rc = STRATA_OK;

	strata_error_clear(err);
	*out = NULL;
	memset(&d, 0, sizeof(d));
	memset(&detail, 0, sizeof(detail));
	memset(&de, 0, sizeof(de));
	d.s = s;
	d.quote = s->drv->dialect->ident_quote;
	d.sqlite = !strcmp(dn, "sqlite");
	d.pg = !strcmp(dn, "postgres");
	d.my = !strcmp(dn, "mysql");
	detail.struct_size = sizeof(detail);
	detail.ctx = &d;
	detail.index = on_idx_detail;
	detail.generated = on_generated;
	detail.definition = on_definition;
	if (strata__drv_introspect(s->drv, s->conn, &sink, &de) !=
	            STRATA_DRV_OK ||
	    strata__drv_introspect_detail(s->drv, s->conn, &detail, &de) !=
	            STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de, "schema introspection");
	if (!rc) {
		sort(&d);
		rc = render(&b, &d, err);
	}
	dschema_free(&d);
	if (rc) {
		strata__buf_free(&b);
		return rc;
	}
	*out = strata__buf_detach(&b);
	return STRATA_OK;
}

int strata_dump_to_file(strata *s, const char *path, strata_error *err)
{
	char *text = NULL, *tmp;
	FILE *f;
	int rc = strata_dump(&text, s, err), ok;

	if (rc)
		return rc;
	tmp = strata__printf("%s.tmp.%ld", path, (long)getpid());
	f = fopen(tmp, "w");
	ok = f && fputs(text, f) >= 0;
	ok = f && fclose(f) == 0 && ok;
	if (ok && rename(tmp, path) == 0) {
		free(tmp);
		free(text);
		return STRATA_OK;
	}
	rc = strata__err_at(err, STRATA_EFAIL, path, 0,
	                    "cannot write the schema dump: %s",
	                    strerror(errno));
	unlink(tmp);
	free(tmp);
	free(text);
	return rc;
}
