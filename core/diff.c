/*
 * strata_diff_get: two introspected schemas compared in the neutral model
 * (model.c), also across databases. Tables and columns are matched by
 * name (across drivers whatever its case), column order is not compared;
 * indexes by table, columns and uniqueness (names differ between databases:
 * SQLite's autoindexes, MySQL's PRIMARY); foreign keys by columns and
 * referenced table and columns, whatever their names.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

struct diff_priv {
	strata_diff pub;
	strata__pool pool;
	size_t cap;
	const char *drv_a, *drv_b;
};

static void add(struct diff_priv *d, strata_diff_change change,
                const char *kind, char *object, const char *attribute,
                const char *a, const char *b)
{
	strata_diff_item *it;
	char *detail;

	if (d->pub.count == d->cap) {
		d->cap = d->cap ? 2 * d->cap : 16;
		d->pub.items = strata__realloc(d->pub.items,
		                               d->cap * sizeof(*d->pub.items));
	}
	if (change == STRATA_DIFF_CHANGED && !strcmp(attribute, "name"))
		detail = strata__printf("case differs: %s vs %s", a, b);
	else if (change == STRATA_DIFF_CHANGED)
		detail = strata__printf("%s %s vs %s", attribute,
		                        a ? a : "none", b ? b : "none");
	else
		detail = strata__printf("%s only in %s", kind,
		                        change == STRATA_DIFF_ONLY_A ? "A"
		                                                     : "B");
	it = &d->pub.items[d->pub.count++];
	memset(it, 0, sizeof(*it));
	it->change = change;
	it->kind = kind;
	it->object = strata__pool_take(&d->pool, object);
	it->attribute = attribute;
	it->a = strata__pool_strdup(&d->pool, a);
	it->b = strata__pool_strdup(&d->pool, b);
	it->detail = strata__pool_take(&d->pool, detail);
}

static char *col_desc(const strata__mcol *c)
{
	return strata__printf(
	        "%s%s%s%s", c->type, c->nullable ? "" : " not null",
	        c->dflt ? " default " : "", c->dflt ? c->dflt : "");
}

/* "a,b" as "a, b". */
static char *cols_text(const char *cols)
{
	strata__buf b = STRATA__BUF_INIT;

	for (; *cols; cols++) {
		strata__buf_putc(&b, *cols);
		if (*cols == ',')
			strata__buf_putc(&b, ' ');
	}
	strata__buf_puts(&b, "");
	return strata__buf_detach(&b);
}

/*
 * SQLite stores every integer in up to 8 bytes whatever the declared
 * width, and its auto-increment key must be declared INTEGER: against
 * SQLite, smallint, integer and bigint are one type.
 */
static int same_type(const struct diff_priv *d, const char *a, const char *b)
{
	if (!strcmp(a, b))
		return 1;
	return (!strcmp(d->drv_a, "sqlite") || !strcmp(d->drv_b, "sqlite")) &&
	       strata__type_integer(a) && strata__type_integer(b);
}

/* Two databases of one driver: the reported types, which keep what the
 * neutral type drops (unsigned, fractional seconds precision). */
static int same_exact(const struct diff_priv *d, const char *a, const char *b)
{
	char *x, *y;
	int same;

	if (strcmp(d->drv_a, d->drv_b))
		return 1;
	x = strata__type_exact(a);
	y = strata__type_exact(b);
	same = !strcmp(x, y);
	free(x);
	free(y);
	return same;
}

/* Names across drivers are matched whatever their case (PostgreSQL folds
 * unquoted names to lowercase, MySQL on Windows too, SQLite keeps them). */
static int name_cmp(const struct diff_priv *d, const char *a, const char *b)
{
	if (strcmp(d->drv_a, d->drv_b))
		return strcasecmp(a, b);
	return strata__name_cmp(a, b);
}

static void case_differs(struct diff_priv *d, const char *kind, const char *a,
                         const char *b)
{
	if (strcmp(a, b))
		add(d, STRATA_DIFF_CHANGED, kind, strata__strdup(a), "name", a,
		    b);
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static void columns(struct diff_priv *d, const strata__mtable *ta,
                    const strata__mtable *tb)
{
	size_t i = 0, j = 0;

	while (i < ta->ncols || j < tb->ncols) {
		const strata__mcol *a = i < ta->ncols ? &ta->cols[i] : NULL;
		const strata__mcol *b = j < tb->ncols ? &tb->cols[j] : NULL;
		int c = !a ? 1 : !b ? -1 : name_cmp(d, a->name, b->name);
		char *desc;

		if (c < 0) {
			desc = col_desc(a);
			add(d, STRATA_DIFF_ONLY_A, "column",
			    strata__printf("%s.%s", ta->name, a->name), NULL,
			    desc, NULL);
			free(desc);
			i++;
			continue;
		}
		if (c > 0) {
			desc = col_desc(b);
			add(d, STRATA_DIFF_ONLY_B, "column",
			    strata__printf("%s.%s", tb->name, b->name), NULL,
			    NULL, desc);
			free(desc);
			j++;
			continue;
		}
		if (strcmp(a->name, b->name)) {
			char *x = strata__printf("%s.%s", ta->name, a->name);
			char *y = strata__printf("%s.%s", tb->name, b->name);

			case_differs(d, "column", x, y);
			free(x);
			free(y);
		}
		if (!same_type(d, a->type, b->type))
			add(d, STRATA_DIFF_CHANGED, "column",
			    strata__printf("%s.%s", ta->name, a->name), "type",
			    a->type, b->type);
		else if (!same_exact(d, a->raw, b->raw))
			add(d, STRATA_DIFF_CHANGED, "column",
			    strata__printf("%s.%s", ta->name, a->name), "type",
			    a->raw, b->raw);
		if (a->nullable != b->nullable)
			add(d, STRATA_DIFF_CHANGED, "column",
			    strata__printf("%s.%s", ta->name, a->name),
			    "nullable", a->nullable ? "null" : "not null",
			    b->nullable ? "null" : "not null");
		if (!same_str(a->dflt, b->dflt))
			add(d, STRATA_DIFF_CHANGED, "column",
			    strata__printf("%s.%s", ta->name, a->name),
			    "default", a->dflt, b->dflt);
		i++;
		j++;
	}
}

static const char *idx_kind(const strata__midx *x)
{
	return x->primary  ? "primary key"
	       : x->unique ? "unique index"
	                   : "index";
}

/* Columns and uniqueness: what makes two indexes the same one. */
static int idx_base(const struct diff_priv *d, const strata__midx *a,
                    const strata__midx *b)
{
	int c = name_cmp(d, a->columns, b->columns);

	return c ? c : a->unique - b->unique;
}

/* The order of model.c (primary last) to walk both lists. A primary key
 * on one side and a unique index on the same columns on the other are
 * one index of another kind (0), unless the side with the unique index
 * also has that primary key next. */
static int idx_cmp(const struct diff_priv *d, const strata__midx *a,
                   const strata__midx *an, const strata__midx *b,
                   const strata__midx *bn)
{
	int c = idx_base(d, a, b);

	if (c || a->primary == b->primary)
		return c;
	if (!a->primary && an && !idx_base(d, an, b) && an->primary)
		return -1;
	if (!b->primary && bn && !idx_base(d, a, bn) && bn->primary)
		return 1;
	return 0;
}

static void index_only(struct diff_priv *d, const strata__mtable *t,
                       const strata__midx *x, strata_diff_change change)
{
	char *cols;

	/* MySQL's own index for a foreign key; see model.c. */
	if (x->fk_support)
		return;
	cols = cols_text(x->columns);
	add(d, change, idx_kind(x), strata__printf("%s (%s)", t->name, cols),
	    NULL, change == STRATA_DIFF_ONLY_A ? x->name : NULL,
	    change == STRATA_DIFF_ONLY_B ? x->name : NULL);
	free(cols);
}

static void indexes(struct diff_priv *d, const strata__mtable *ta,
                    const strata__mtable *tb)
{
	size_t i = 0, j = 0;

	while (i < ta->nidx || j < tb->nidx) {
		const strata__midx *a = i < ta->nidx ? &ta->idx[i] : NULL;
		const strata__midx *b = j < tb->nidx ? &tb->idx[j] : NULL;
		const strata__midx *an = i + 1 < ta->nidx ? a + 1 : NULL;
		const strata__midx *bn = j + 1 < tb->nidx ? b + 1 : NULL;
		int c = !a ? 1 : !b ? -1 : idx_cmp(d, a, an, b, bn);

		if (c < 0) {
			index_only(d, ta, a, STRATA_DIFF_ONLY_A);
			i++;
		} else if (c > 0) {
			index_only(d, tb, b, STRATA_DIFF_ONLY_B);
			j++;
		} else {
			/* The same columns as the primary key on one side
			 * and as a unique index on the other. */
			if (a->primary != b->primary)
				add(d, STRATA_DIFF_CHANGED, idx_kind(a),
				    strata__printf("%s (%s)", ta->name,
				                   a->columns),
				    "kind", idx_kind(a), idx_kind(b));
			i++;
			j++;
		}
	}
}

static char *fk_object(const strata__mtable *t, const strata__mfk *f)
{
	char *c = cols_text(f->columns), *r = cols_text(f->ref_columns);
	char *s = strata__printf("%s (%s) -> %s (%s)", t->name, c, f->ref_table,
	                         r);

	free(c);
	free(r);
	return s;
}

static void fks(struct diff_priv *d, const strata__mtable *ta,
                const strata__mtable *tb)
{
	size_t i = 0, j = 0;

	while (i < ta->nfks || j < tb->nfks) {
		const strata__mfk *a = i < ta->nfks ? &ta->fks[i] : NULL;
		const strata__mfk *b = j < tb->nfks ? &tb->fks[j] : NULL;
		int c;

		if (!a || !b) {
			c = !a ? 1 : -1;
		} else {
			c = name_cmp(d, a->columns, b->columns);
			if (!c)
				c = name_cmp(d, a->ref_table, b->ref_table);
			if (!c)
				c = name_cmp(d, a->ref_columns, b->ref_columns);
		}
		if (c < 0) {
			add(d, STRATA_DIFF_ONLY_A, "foreign key",
			    fk_object(ta, a), NULL, a->name, NULL);
			i++;
		} else if (c > 0) {
			add(d, STRATA_DIFF_ONLY_B, "foreign key",
			    fk_object(tb, b), NULL, NULL, b->name);
			j++;
		} else {
			if (strcmp(a->on_delete, b->on_delete))
				add(d, STRATA_DIFF_CHANGED, "foreign key",
				    fk_object(ta, a), "on delete", a->on_delete,
				    b->on_delete);
			if (strcmp(a->on_update, b->on_update))
				add(d, STRATA_DIFF_CHANGED, "foreign key",
				    fk_object(ta, a), "on update", a->on_update,
				    b->on_update);
			i++;
			j++;
		}
	}
}

static void tables(struct diff_priv *d, const strata__model *ma,
                   const strata__model *mb)
{
	size_t i = 0, j = 0;

	while (i < ma->ntables || j < mb->ntables) {
		const strata__mtable *a =
		        i < ma->ntables ? &ma->tables[i] : NULL;
		const strata__mtable *b =
		        j < mb->ntables ? &mb->tables[j] : NULL;
		int c = !a ? 1 : !b ? -1 : name_cmp(d, a->name, b->name);

		if (c < 0) {
			add(d, STRATA_DIFF_ONLY_A, "table",
			    strata__strdup(a->name), NULL, a->name, NULL);
			i++;
		} else if (c > 0) {
			add(d, STRATA_DIFF_ONLY_B, "table",
			    strata__strdup(b->name), NULL, NULL, b->name);
			j++;
		} else {
			case_differs(d, "table", a->name, b->name);
			columns(d, a, b);
			indexes(d, a, b);
			fks(d, a, b);
			i++;
			j++;
		}
	}
}

static void objects(struct diff_priv *d, const strata__model *ma,
                    const strata__model *mb)
{
	size_t i = 0, j = 0;

	while (i < ma->nobjects || j < mb->nobjects) {
		const strata__mobject *a =
		        i < ma->nobjects ? &ma->objects[i] : NULL;
		const strata__mobject *b =
		        j < mb->nobjects ? &mb->objects[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strcmp(a->kind, b->kind);

		if (!c)
			c = strcmp(a->name, b->name);
		if (c < 0) {
			add(d, STRATA_DIFF_ONLY_A,
			    strata__pool_strdup(&d->pool, a->kind),
			    strata__strdup(a->name), NULL, a->name, NULL);
			i++;
		} else if (c > 0) {
			add(d, STRATA_DIFF_ONLY_B,
			    strata__pool_strdup(&d->pool, b->kind),
			    strata__strdup(b->name), NULL, NULL, b->name);
			j++;
		} else {
			i++;
			j++;
		}
	}
}

int strata_diff_get(strata_diff **out, strata *a, strata *b, strata_error *err)
{
	struct diff_priv *d;
	strata__model *ma = NULL, *mb = NULL;
	int rc;

	strata_error_clear(err);
	*out = NULL;
	rc = strata__model_read(&ma, a->drv, a->conn, a->hist_table, err);
	if (!rc)
		rc = strata__model_read(&mb, b->drv, b->conn, b->hist_table,
		                        err);
	if (rc) {
		strata__model_free(ma);
		return rc;
	}
	d = strata__calloc(1, sizeof(*d));
	d->pub.item_size = sizeof(strata_diff_item);
	d->drv_a = ma->driver;
	d->drv_b = mb->driver;
	tables(d, ma, mb);
	objects(d, ma, mb);
	strata__model_free(ma);
	strata__model_free(mb);
	*out = &d->pub;
	return STRATA_OK;
}

const strata_diff_item *strata_diff_item_at(const strata_diff *d, size_t i)
{
	if (!d || i >= d->count)
		return NULL;
	return (const strata_diff_item *)((const char *)d->items +
	                                  i * d->item_size);
}

void strata_diff_free(strata_diff *pub)
{
	struct diff_priv *d = (struct diff_priv *)pub;

	if (!d)
		return;
	free(d->pub.items);
	strata__pool_free(&d->pool);
	free(d);
}
