/*
 * The neutral schema model. Drivers report objects through a sink; the core
 * keeps one canonical text line per object, sorted, so that the fingerprint
 * does not depend on catalog order. Row estimates are kept out of the
 * fingerprint: data changes are not schema drift.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct strata__schema {
	char **lines;
	size_t count;
	const char *exclude;
	char *text;
	char fingerprint[STRATA__SHA256_HEX];
};

static const char *nz(const char *s)
{
	return s ? s : "";
}

/* The history table and SQLite's bookkeeping tables are not the schema. */
static int excluded(const strata__schema *sc, const char *table)
{
	if (!table)
		return 0;
	if (!strncmp(table, "sqlite_", 7))
		return 1;
	return !strcmp(table, sc->exclude);
}

static int add(strata__schema *sc, const char *table, char *line)
{
	if (excluded(sc, table)) {
		free(line);
		return 0;
	}
	sc->lines =
	        strata__realloc(sc->lines, (sc->count + 1) * sizeof(char *));
	sc->lines[sc->count++] = line;
	return 0;
}

static int on_table(void *ctx, const char *table, int64_t est_rows)
{
	STRATA_UNUSED(est_rows);
	return add(ctx, table, strata__printf("table %s", table));
}

static int on_column(void *ctx, const char *table, const char *column,
                     const char *type, int nullable, const char *dflt)
{
	return add(ctx, table,
	           strata__printf("column %s.%s %s%s%s%s", table, column,
	                          nz(type), nullable ? "" : " not null",
	                          dflt ? " default " : "", nz(dflt)));
}

static int on_index(void *ctx, const char *table, const char *index, int unique,
                    int primary, const char *columns)
{
	return add(ctx, table,
	           strata__printf("%s %s on %s (%s)",
	                          primary  ? "primary key"
	                          : unique ? "unique index"
	                                   : "index",
	                          index, table, nz(columns)));
}

static int on_fk(void *ctx, const char *table, const char *name,
                 const char *columns, const char *ref_table,
                 const char *ref_columns, const char *on_delete,
                 const char *on_update)
{
	return add(ctx, table,
	           strata__printf("foreign key %s on %s (%s) references "
	                          "%s (%s) on delete %s on update %s",
	                          nz(name), table, nz(columns), nz(ref_table),
	                          nz(ref_columns), nz(on_delete),
	                          nz(on_update)));
}

static int on_object(void *ctx, const char *kind, const char *name,
                     const char *table)
{
	strata__schema *sc = ctx;

	if (!table && excluded(sc, name))
		return 0;
	return add(ctx, table,
	           strata__printf("%s %s%s%s", kind, name, table ? " on " : "",
	                          nz(table)));
}

static int cmp_lines(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void finish(strata__schema *sc)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;

	if (sc->count)
		qsort(sc->lines, sc->count, sizeof(char *), cmp_lines);
	for (i = 0; i < sc->count; i++) {
		strata__buf_puts(&b, sc->lines[i]);
		strata__buf_putc(&b, '\n');
	}
	sc->text = strata__buf_detach(&b);
	strata__sha256_hex(sc->fingerprint, sc->text, strlen(sc->text));
}

int strata__schema_read(strata__schema **out, const strata_driver *drv,
                        strata_conn *conn, const char *exclude_table,
                        strata_error *err)
{
	strata__schema *sc = strata__calloc(1, sizeof(*sc));
	strata_schema_sink sink = {sc,       on_table, on_column,
	                           on_index, on_fk,    on_object};
	strata_dberr de;

	*out = NULL;
	sc->exclude = exclude_table;
	memset(&de, 0, sizeof(de));
	if (strata__drv_introspect(drv, conn, &sink, &de) != STRATA_DRV_OK) {
		strata__err(err, STRATA_EFAIL, "schema introspection failed");
		strata__err_db(err, &de);
		strata__schema_free(sc);
		return STRATA_EFAIL;
	}
	finish(sc);
	*out = sc;
	return STRATA_OK;
}

void strata__schema_free(strata__schema *sc)
{
	size_t i;

	if (!sc)
		return;
	for (i = 0; i < sc->count; i++)
		free(sc->lines[i]);
	free(sc->lines);
	free(sc->text);
	free(sc);
}

const char *strata__schema_fingerprint(const strata__schema *sc)
{
	return sc->fingerprint;
}

const char *strata__schema_text(const strata__schema *sc)
{
	return sc->text;
}
