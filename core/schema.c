/*
 * The neutral schema model. Drivers report objects through a sink; the core
 * keeps one canonical text line per object, sorted, so that the fingerprint
 * does not depend on catalog order. Row estimates are kept out of the
 * fingerprint: data changes are not schema drift.
 *
 * The details of ABI 2.2 (introspect_detail: index keys, predicates,
 * generated columns, view and trigger definitions) add lines of their own.
 * A schema without them keeps the fingerprint strata computed before
 * details existed; for one with them, the fingerprint without the detail
 * lines is kept too (legacy), so that a history stamped by an older strata
 * does not read as drift after the upgrade.
 *
 * Alongside, every sink call is kept as a record (snapshot.c's format): the
 * text stored in the snapshot table, from which drift is explained.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

typedef struct lines {
	char **v;
	size_t n;
} lines;

struct strata__schema {
	lines plain, detail, records;
	lines gen; /* "column t.c " of each generated column */
	const char *exclude;
	char *text, *record;
	char fingerprint[STRATA__SHA256_HEX];
	char legacy[STRATA__SHA256_HEX];
	/* Without the generated columns, which SQLite's introspection
	 * left out before details existed; "" when there are none. */
	char legacy_nogen[STRATA__SHA256_HEX];
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The history table, its snapshot table and SQLite's bookkeeping tables
 * are not the schema. */
static int excluded(const strata__schema *sc, const char *table)
{
	if (!table)
		return 0;
	return strata__history_own(sc->exclude, table);
}

static void push(lines *l, char *line)
{
	l->v = strata__realloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = line;
}

static int add(strata__schema *sc, const char *table, char *line, char *record)
{
	if (excluded(sc, table)) {
		free(line);
		free(record);
		return 0;
	}
	push(&sc->plain, line);
	push(&sc->records, record);
	return 0;
}

static int add_detail(strata__schema *sc, const char *table, char *line,
                      char *record)
{
	if (excluded(sc, table)) {
		free(line);
		free(record);
		return 0;
	}
	push(&sc->detail, line);
	push(&sc->records, record);
	return 0;
}

static int on_table(void *ctx, const char *table, int64_t est_rows)
{
	const char *f[] = {table};

	STRATA_UNUSED(est_rows);
	return add(ctx, table, strata__printf("table %s", table),
	           strata__snapshot_record("T", f, 1));
}

static int on_column(void *ctx, const char *table, const char *column,
                     const char *type, int nullable, const char *dflt)
{
	const char *f[] = {table, column, type, nullable ? "1" : "0", dflt};

	return add(ctx, table,
	           strata__printf("column %s.%s %s%s%s%s", table, column,
	                          nz(type), nullable ? "" : " not null",
	                          dflt ? " default " : "", nz(dflt)),
	           strata__snapshot_record("C", f, 5));
}

static int on_index(void *ctx, const char *table, const char *index, int unique,
                    int primary, const char *columns)
{
	const char *f[] = {table, index, unique ? "1" : "0",
	                   primary ? "1" : "0", columns};

	return add(ctx, table,
	           strata__printf("%s %s on %s (%s)",
	                          primary  ? "primary key"
	                          : unique ? "unique index"
	                                   : "index",
	                          index, table, nz(columns)),
	           strata__snapshot_record("I", f, 5));
}

static int on_fk(void *ctx, const char *table, const char *name,
                 const char *columns, const char *ref_table,
                 const char *ref_columns, const char *on_delete,
                 const char *on_update)
{
	const char *f[] = {table,       name,      columns,  ref_table,
	                   ref_columns, on_delete, on_update};

	return add(ctx, table,
	           strata__printf("foreign key %s on %s (%s) references "
	                          "%s (%s) on delete %s on update %s",
	                          nz(name), table, nz(columns), nz(ref_table),
	                          nz(ref_columns), nz(on_delete),
	                          nz(on_update)),
	           strata__snapshot_record("F", f, 7));
}

static int on_object(void *ctx, const char *kind, const char *name,
                     const char *table)
{
	strata__schema *sc = ctx;
	const char *f[] = {kind, name, table};

	if (!table && excluded(sc, name))
		return 0;
	return add(ctx, table,
	           strata__printf("%s %s%s%s", kind, name, table ? " on " : "",
	                          nz(table)),
	           strata__snapshot_record("O", f, 3));
}

/* Detail text on one canonical line: line breaks written as \n. */
static char *one_line(const char *s)
{
	strata__buf b = STRATA__BUF_INIT;

	for (; s && *s; s++)
		if (*s == '\n')
			strata__buf_puts(&b, "\\n");
		else if (*s != '\r')
			strata__buf_putc(&b, *s);
	strata__buf_puts(&b, "");
	return strata__buf_detach(&b);
}

static int on_index_detail(void *ctx, const char *table, const char *index,
                           const char *keys, const char *predicate,
                           const char *include, const char *method)
{
	const char *f[] = {table, index, keys, predicate, include, method};
	char *k = one_line(keys), *p = one_line(predicate);
	char *line = strata__printf(
	        "index detail %s on %s keys (%s)%s%s%s%s%s%s", nz(index),
	        nz(table), k, predicate ? " where " : "", p,
	        include ? " include (" : "", nz(include), include ? ")" : "",
	        method ? " using " : "");

	free(k);
	free(p);
	if (method) {
		char *m = strata__printf("%s%s", line, method);

		free(line);
		line = m;
	}
	return add_detail(ctx, table, line,
	                  strata__snapshot_record("XI", f, 6));
}

static int on_generated(void *ctx, const char *table, const char *column,
                        const char *expr, int stored)
{
	const char *f[] = {table, column, expr, stored ? "1" : "0"};
	char *e = one_line(expr);
	char *line =
	        strata__printf("generated %s.%s %s as (%s)", nz(table),
	                       nz(column), stored ? "stored" : "virtual", e);

	free(e);
	if (!excluded(ctx, table))
		push(&((strata__schema *)ctx)->gen,
		     strata__printf("column %s.%s ", nz(table), nz(column)));
	return add_detail(ctx, table, line,
	                  strata__snapshot_record("XG", f, 4));
}

static int on_definition(void *ctx, const char *kind, const char *name,
                         const char *sql)
{
	const char *f[] = {kind, name, sql};
	char *q = one_line(sql);
	char *line =
	        strata__printf("definition %s %s: %s", nz(kind), nz(name), q);

	free(q);
	return add_detail(ctx, name, line, strata__snapshot_record("XD", f, 3));
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void sort(lines *l)
{
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(char *), cmp_lines);
}

static int generated(const strata__schema *sc, const char *line)
{
	size_t i;

	for (i = 0; i < sc->gen.n; i++)
		if (!strncmp(line, sc->gen.v[i], strlen(sc->gen.v[i])))
			return 1;
	return 0;
}

/* The sorted union of a and b (each sorted; b may be NULL), one line
 * each; without generated columns' lines when nogen is set. */
static char *join(const strata__schema *sc, const lines *a, const lines *b,
                  int nogen)
{
	strata__buf buf = STRATA__BUF_INIT;
	size_t i = 0, j = 0, nb = b ? b->n : 0;

	while (i < a->n || j < nb) {
		const char *s;

		if (j >= nb || (i < a->n && strcmp(a->v[i], b->v[j]) <= 0))
			s = a->v[i++];
		else
			s = b->v[j++];
		if (nogen && generated(sc, s))
			continue;
		strata__buf_puts(&buf, s);
		strata__buf_putc(&buf, '\n');
	}
	strata__buf_puts(&buf, "");
	return strata__buf_detach(&buf);
}

static void hash_of(char out[STRATA__SHA256_HEX], char *text)
{
	strata__sha256_hex(out, text, strlen(text));
	free(text);
}

static void finish(strata__schema *sc)
{
	sort(&sc->plain);
	sort(&sc->detail);
	sort(&sc->records);
	sc->text = join(sc, &sc->plain, &sc->detail, 0);
	strata__sha256_hex(sc->fingerprint, sc->text, strlen(sc->text));
	hash_of(sc->legacy, join(sc, &sc->plain, NULL, 0));
	if (sc->gen.n)
		hash_of(sc->legacy_nogen, join(sc, &sc->plain, NULL, 1));
	sc->record = strata__snapshot_join(sc->records.v, sc->records.n);
}

int strata__schema_read(strata__schema **out, const strata_driver *drv,
                        strata_conn *conn, const char *exclude_table,
                        strata_error *err)
{
	strata__schema *sc = strata__calloc(1, sizeof(*sc));
	strata_schema_sink sink = {sc,       on_table, on_column,
	                           on_index, on_fk,    on_object};
	strata_detail_sink dsink;
	strata_dberr de;

	*out = NULL;
	sc->exclude = exclude_table;
	memset(&dsink, 0, sizeof(dsink));
	dsink.struct_size = sizeof(dsink);
	dsink.ctx = sc;
	dsink.index = on_index_detail;
	dsink.generated = on_generated;
	dsink.definition = on_definition;
	memset(&de, 0, sizeof(de));
	if (strata__drv_introspect(drv, conn, &sink, &de) != STRATA_DRV_OK ||
	    strata__drv_introspect_detail(drv, conn, &dsink, &de) !=
	            STRATA_DRV_OK) {
		strata__err(err, STRATA_EFAIL, "schema introspection failed");
		strata__err_db(err, &de);
		strata__schema_free(sc);
		return STRATA_EFAIL;
	}
	finish(sc);
	*out = sc;
	return STRATA_OK;
}

static void lines_free(lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
}

void strata__schema_free(strata__schema *sc)
{
	if (!sc)
		return;
	lines_free(&sc->plain);
	lines_free(&sc->detail);
	lines_free(&sc->records);
	lines_free(&sc->gen);
	free(sc->text);
	free(sc->record);
	free(sc);
}

const char *strata__schema_fingerprint(const strata__schema *sc)
{
	return sc->fingerprint;
}

/* fp is this schema's fingerprint, or the one an older strata computed
 * for it (without details). */
int strata__schema_matches(const strata__schema *sc, const char *fp)
{
	return fp && (!strcmp(fp, sc->fingerprint) || !strcmp(fp, sc->legacy) ||
	              (*sc->legacy_nogen && !strcmp(fp, sc->legacy_nogen)));
}

const char *strata__schema_text(const strata__schema *sc)
{
	return sc->text;
}

const char *strata__schema_record(const strata__schema *sc)
{
	return sc->record;
}
