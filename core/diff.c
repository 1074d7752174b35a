/*
 * strata_diff_get: two introspected schemas compared in the neutral model
 * (model.c), also across databases. Tables and columns are matched by
 * name (across drivers whatever its case), column order is not compared;
 * indexes by table, columns and uniqueness (names differ between databases:
 * SQLite's autoindexes, MySQL's PRIMARY); foreign keys by columns and
 * referenced table and columns, whatever their names.
 *
 * Details (ABI 2.2: index keys, predicates, INCLUDE, method, generated
 * expressions, view and trigger definitions) are dialect text: between two
 * databases of one driver they are compared as written; across drivers
 * only what means the same everywhere is: whether a column is generated
 * and whether an index is partial. Triggers are compared only within one
 * driver.
 *
 * The same walk explains drift (strata__drift_items): A is the snapshot
 * taken at the last stamp, B the schema now, and every item is worded as
 * a change made outside migrations.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

struct diff_priv {
	strata_diff pub;
	strata__pool pool;
	strata__pool *sp; /* where strings go: &pool, or the status's */
	size_t cap;
	const char *drv_a, *drv_b;
	int drift;
};

static int one_driver(const struct diff_priv *d)
{
	return !strcmp(d->drv_a, d->drv_b);
}

/* Named objects in drift read "index idx_x on users: removed ...". */
static int drift_named(const char *kind)
{
	return strcmp(kind, "column") && strcmp(kind, "table");
}

static char *drift_detail(strata_diff_change change, const char *kind,
                          const char *attribute, const char *a, const char *b)
{
	const char *what = drift_named(kind) ? "" : kind;

	/* A whole view's SELECT twice is no line; a and b keep them. */
	if (change == STRATA_DIFF_CHANGED && !strcmp(attribute, "definition"))
		return strata__strdup("definition changed outside migrations");
	if (change == STRATA_DIFF_CHANGED)
		return strata__printf(
		        "%s %s -> %s (changed outside migrations)", attribute,
		        a ? a : "none", b ? b : "none");
	return strata__printf(
	        "%s%s%s outside migrations", what, *what ? " " : "",
	        change == STRATA_DIFF_ONLY_A ? "removed" : "added");
}

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
	if (d->drift)
		detail = drift_detail(change, kind, attribute, a, b);
	else if (change == STRATA_DIFF_CHANGED && !strcmp(attribute, "name"))
		detail = strata__printf("case differs: %s vs %s", a, b);
	else if (change == STRATA_DIFF_CHANGED &&
	         !strcmp(attribute, "definition"))
		detail = strata__strdup("definition differs");
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
	if (d->drift && drift_named(kind)) {
		char *named = strata__printf("%s %s", kind, object);

		free(object);
		object = named;
	}
	it->object = strata__pool_take(d->sp, object);
	it->attribute = attribute;
	it->a = strata__pool_strdup(d->sp, a);
	it->b = strata__pool_strdup(d->sp, b);
	it->detail = strata__pool_take(d->sp, detail);
}

static char *col_desc(const struct diff_priv *d, const strata__mcol *c)
{
	/* Drift compares one database with itself: its own type names. */
	const char *type = d->drift ? c->raw : c->type;

	if (c->gen_expr)
		return strata__printf("%s%s generated %s", type,
		                      c->nullable ? "" : " not null",
		                      c->gen_stored ? "stored" : "virtual");
	return strata__printf("%s%s%s%s", type, c->nullable ? "" : " not null",
	                      c->dflt ? " default " : "",
	                      c->dflt ? c->dflt : "");
}

static const char *gen_kind(const strata__mcol *c)
{
	return !c->gen_expr ? "none" : c->gen_stored ? "stored" : "virtual";
}

/* Generated columns: across drivers only whether one is generated. */
static void generated(struct diff_priv *d, const char *obj,
                      const strata__mcol *a, const strata__mcol *b)
{
	if (!a->gen_expr != !b->gen_expr ||
	    (one_driver(d) && a->gen_expr && a->gen_stored != b->gen_stored))
		add(d, STRATA_DIFF_CHANGED, "column", strata__strdup(obj),
		    "generated", gen_kind(a), gen_kind(b));
	else if (one_driver(d) && a->gen_expr &&
	         strcmp(a->gen_expr, b->gen_expr))
		add(d, STRATA_DIFF_CHANGED, "column", strata__strdup(obj),
		    "expression", a->gen_expr, b->gen_expr);
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
			desc = col_desc(d, a);
			add(d, STRATA_DIFF_ONLY_A, "column",
			    strata__printf("%s.%s", ta->name, a->name), NULL,
			    desc, NULL);
			free(desc);
			i++;
			continue;
		}
		if (c > 0) {
			desc = col_desc(d, b);
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
		desc = strata__printf("%s.%s", ta->name, a->name);
		generated(d, desc, a, b);
		free(desc);
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

static int cmp_opt(const char *a, const char *b)
{
	return !a ? (b ? -1 : 0) : !b ? 1 : strcmp(a, b);
}

/* Columns and uniqueness: what makes two indexes the same one; within
 * one driver also the keys as written and the predicate (model.c sorts
 * in this order). */
static int idx_base(const struct diff_priv *d, const strata__midx *a,
                    const strata__midx *b)
{
	int c = name_cmp(d, a->columns, b->columns);

	if (!c)
		c = a->unique - b->unique;
	if (!c && one_driver(d))
		c = cmp_opt(a->keys, b->keys);
	if (!c && one_driver(d))
		c = cmp_opt(a->predicate, b->predicate);
	return c;
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

/* "users (email)"; in drift, by name: "idx_x on users". */
static char *idx_object(const struct diff_priv *d, const strata__mtable *t,
                        const strata__midx *x)
{
	char *cols, *s;

	if (d->drift)
		return strata__printf("%s on %s", x->name, t->name);
	cols = cols_text(x->columns);
	s = strata__printf("%s (%s)", t->name, cols);
	free(cols);
	return s;
}

static void index_only(struct diff_priv *d, const strata__mtable *t,
                       const strata__midx *x, strata_diff_change change)
{
	/* MySQL's own index for a foreign key; see model.c. */
	if (x->fk_support)
		return;
	add(d, change, idx_kind(x), idx_object(d, t, x), NULL,
	    change == STRATA_DIFF_ONLY_A ? x->name : NULL,
	    change == STRATA_DIFF_ONLY_B ? x->name : NULL);
}

static void idx_attr(struct diff_priv *d, const strata__mtable *t,
                     const strata__midx *a, const char *attr, const char *x,
                     const char *y)
{
	if (!same_str(x, y))
		add(d, STRATA_DIFF_CHANGED, idx_kind(a), idx_object(d, t, a),
		    attr, x, y);
}

/* Details as written within one driver; across drivers whether the
 * index is partial. */
static void idx_details(struct diff_priv *d, const strata__mtable *t,
                        const strata__midx *a, const strata__midx *b)
{
	if (!one_driver(d)) {
		if (!a->predicate != !b->predicate)
			add(d, STRATA_DIFF_CHANGED, idx_kind(a),
			    idx_object(d, t, a), "partial",
			    a->predicate ? "yes" : "no",
			    b->predicate ? "yes" : "no");
		return;
	}
	idx_attr(d, t, a, "include", a->include, b->include);
	idx_attr(d, t, a, "method", a->method, b->method);
}

static int cmp_idx_name(const void *a, const void *b)
{
	return strata__name_cmp((*(const strata__midx *const *)a)->name,
	                        (*(const strata__midx *const *)b)->name);
}

static const strata__midx **by_name(const strata__mtable *t)
{
	const strata__midx **v = strata__calloc(t->nidx + 1, sizeof(*v));
	size_t i;

	for (i = 0; i < t->nidx; i++)
		v[i] = &t->idx[i];
	if (t->nidx > 1)
		qsort(v, t->nidx, sizeof(*v), cmp_idx_name);
	return v;
}

/* Drift compares a database with itself: indexes keep their names, so an
 * index whose keys changed is one index changed, not one removed and one
 * added. */
static void drift_indexes(struct diff_priv *d, const strata__mtable *ta,
                          const strata__mtable *tb)
{
	const strata__midx **va = by_name(ta), **vb = by_name(tb);
	size_t i = 0, j = 0;

	while (i < ta->nidx || j < tb->nidx) {
		const strata__midx *a = i < ta->nidx ? va[i] : NULL;
		const strata__midx *b = j < tb->nidx ? vb[j] : NULL;
		int c = !a ? 1 : !b ? -1 : strata__name_cmp(a->name, b->name);

		if (c < 0) {
			index_only(d, ta, a, STRATA_DIFF_ONLY_A);
			i++;
		} else if (c > 0) {
			index_only(d, tb, b, STRATA_DIFF_ONLY_B);
			j++;
		} else {
			idx_attr(d, ta, a, "kind", idx_kind(a), idx_kind(b));
			idx_attr(d, ta, a, "keys",
			         a->keys ? a->keys : a->columns,
			         b->keys ? b->keys : b->columns);
			idx_attr(d, ta, a, "where", a->predicate, b->predicate);
			idx_details(d, ta, a, b);
			i++;
			j++;
		}
	}
	free(va);
	free(vb);
}

static void indexes(struct diff_priv *d, const strata__mtable *ta,
                    const strata__mtable *tb)
{
	size_t i = 0, j = 0;

	if (d->drift) {
		drift_indexes(d, ta, tb);
		return;
	}

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
			idx_details(d, ta, a, b);
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

/* Triggers only within one driver (see model.c). */
static int compared(const struct diff_priv *d, const strata__mobject *o)
{
	return o && (one_driver(d) || strcmp(o->kind, "trigger"));
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
			if (compared(d, a))
				add(d, STRATA_DIFF_ONLY_A,
				    strata__pool_strdup(d->sp, a->kind),
				    strata__strdup(a->name), NULL, a->name,
				    NULL);
			i++;
		} else if (c > 0) {
			if (compared(d, b))
				add(d, STRATA_DIFF_ONLY_B,
				    strata__pool_strdup(d->sp, b->kind),
				    strata__strdup(b->name), NULL, NULL,
				    b->name);
			j++;
		} else {
			/* Definitions are dialect text: one driver only. */
			if (one_driver(d) && a->definition && b->definition &&
			    strcmp(a->definition, b->definition))
				add(d, STRATA_DIFF_CHANGED,
				    strata__pool_strdup(d->sp, a->kind),
				    strata__strdup(a->name), "definition",
				    a->definition, b->definition);
			i++;
			j++;
		}
	}
}

void strata__drift_items(strata__pool *pool, const strata__model *before,
                         const strata__model *now, strata_diff_item **items,
                         size_t *count)
{
	struct diff_priv d;

	memset(&d, 0, sizeof(d));
	d.sp = pool;
	d.drift = 1;
	d.drv_a = before->driver;
	d.drv_b = now->driver;
	tables(&d, before, now);
	objects(&d, before, now);
	*count = d.pub.count;
	*items = NULL;
	if (d.pub.count) {
		*items = strata__pool_alloc(pool, d.pub.count * sizeof(**items),
		                            sizeof(void *));
		memcpy(*items, d.pub.items, d.pub.count * sizeof(**items));
	}
	free(d.pub.items);
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
	d->sp = &d->pool;
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
