/*
 * strata import: another tool's history adopted as strata's. The versions
 * dbmate, golang-migrate, goose, Flyway or pop recorded as applied are
 * recorded as "baseline" rows (not run again), after every one of them is
 * found in the folder and every file is read and validated; nothing is
 * written when anything is off. The other tool's table is only read.
 */
#include <stdint.h>
#include <strings.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

typedef struct tool {
	const char *name, *table, *fallback; /* default table(s) */
	const char *sql;                     /* %s: the quoted table */
} tool;

static const tool tools[] = {
        {"dbmate", "schema_migrations", NULL, "SELECT version FROM %s"},
        {"golang-migrate", "schema_migrations", NULL,
         "SELECT version, dirty FROM %s"},
        {"goose", "goose_db_version", NULL,
         "SELECT version_id, is_applied FROM %s ORDER BY id"},
        {"flyway", "flyway_schema_history", NULL,
         "SELECT version, type, success, checksum, script FROM %s "
         "ORDER BY installed_rank"},
        {"pop", "schema_migration", "schema_migrations",
         "SELECT version FROM %s"},
        {NULL, NULL, NULL, NULL}};

/* What the tool's rows say, in its order: a version applied, or taken
 * back; sorted once all are read (finish), the last word on each version
 * wins. */
typedef struct vrow {
	char *v;
	int applied;
	size_t seq;
} vrow;

typedef struct vset {
	vrow *rows;
	size_t n;
	char **v; /* applied versions, sorted (finish) */
	size_t nv;
	char *upto;   /* golang-migrate, a Flyway baseline: all up to it */
	char *failed; /* Flyway, golang-migrate's dirty row: refused */
	const char *tool;
	strata *s;
	strata_error *err;
	int rc;
} vset;

static void vset_free(vset *vs)
{
	size_t i;

	for (i = 0; i < vs->n; i++)
		free(vs->rows[i].v);
	free(vs->rows);
	free(vs->v);
	free(vs->upto);
	free(vs->failed);
}

static void put(vset *vs, const char *v, int applied)
{
	vs->rows = strata__realloc(vs->rows, (vs->n + 1) * sizeof(*vs->rows));
	vs->rows[vs->n].v = strata__strdup(v);
	vs->rows[vs->n].applied = applied;
	vs->rows[vs->n].seq = vs->n;
	vs->n++;
}

static int cmp_row(const void *a, const void *b)
{
	const vrow *x = a, *y = b;
	int c = strata__version_cmp(x->v, y->v);

	return c ? c : (x->seq < y->seq ? -1 : 1);
}

static int cmp_version_p(const void *a, const void *b)
{
	return strata__version_cmp(*(char *const *)a, *(char *const *)b);
}

/* The applied versions, sorted, each by its last row. */
static void finish(vset *vs)
{
	size_t i;

	if (vs->n)
		qsort(vs->rows, vs->n, sizeof(*vs->rows), cmp_row);
	vs->v = strata__calloc(vs->n + 1, sizeof(*vs->v));
	for (i = 0; i < vs->n; i++) {
		int last = i + 1 == vs->n ||
		           strata__version_cmp(vs->rows[i].v,
		                               vs->rows[i + 1].v) != 0;

		if (last && vs->rows[i].applied)
			vs->v[vs->nv++] = vs->rows[i].v;
	}
}

static int truthy(const char *s)
{
	return s &&
	       (!strcmp(s, "t") || !strcmp(s, "1") || !strcasecmp(s, "true"));
}

/* Flyway's checksum: CRC-32 of the file's lines without their line
 * breaks (and without a byte order mark), as a signed 32-bit number. */
static int32_t flyway_crc(const char *text, size_t len)
{
	uint32_t crc = 0xFFFFFFFFu;
	size_t i = len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
	int k;

	for (; i < len; i++) {
		if (text[i] == '\n' || text[i] == '\r')
			continue;
		crc ^= (unsigned char)text[i];
		for (k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
	}
	return (int32_t)(crc ^ 0xFFFFFFFFu);
}

/* A Flyway row's file still has the checksum Flyway recorded. */
static int flyway_same(vset *vs, const char *version, const char *sum)
{
	const strata__migration *m = strata__source_find(&vs->s->src, version);
	const char *file = m ? strata__file_for(vs->s, m, 1) : NULL;
	char *text = NULL;
	size_t len = 0;
	int32_t now;

	if (!file || !sum || strata__read_file(&text, &len, file, NULL))
		return 1; /* found missing later, or nothing to compare */
	now = flyway_crc(text, len);
	free(text);
	if (now == (int32_t)strtol(sum, NULL, 10))
		return 1;
	vs->rc = strata__err_at(vs->err, STRATA_EUSAGE, file, 0,
	                        "changed since Flyway applied it (its "
	                        "checksum was %s, the file's is now %d): "
	                        "restore it, or run 'flyway repair' first",
	                        sum, (int)now);
	return 0;
}

static void flyway_row(vset *vs, const char *const *c)
{
	const char *version = c[0], *type = c[1] ? c[1] : "";

	if (!truthy(c[2])) {
		if (!vs->failed)
			vs->failed = strata__strdup(version ? version : "?");
	} else if (!version) {
		; /* a repeatable migration: strata has none */
	} else if (!strcmp(type, "BASELINE")) {
		free(vs->upto);
		vs->upto = strata__strdup(version);
	} else if (!strcmp(type, "UNDO_SQL") || !strcmp(type, "UNDO_JDBC") ||
	           !strcmp(type, "DELETE")) {
		put(vs, version, 0); /* undone, or struck by flyway repair */
	} else if (strcmp(type, "SCHEMA") && flyway_same(vs, version, c[3])) {
		put(vs, version, 1);
	}
}

static int on_row(void *ctx, int ncols, const char *const *c)
{
	vset *vs = ctx;

	if (vs->rc || ncols < 1)
		return 0;
	if (!strcmp(vs->tool, "flyway") && ncols >= 4) {
		flyway_row(vs, c);
	} else if (!strcmp(vs->tool, "golang-migrate") && c[0]) {
		free(vs->upto);
		vs->upto = strata__strdup(c[0]);
		if (ncols > 1 && truthy(c[1]))
			vs->failed = strata__strdup(c[0]);
	} else if (!strcmp(vs->tool, "goose") && c[0]) {
		if (strcmp(c[0], "0"))
			put(vs, c[0], ncols > 1 && truthy(c[1]));
	} else if (c[0]) {
		put(vs, c[0], 1);
	}
	return 0;
}

static const tool *find_tool(const char *name)
{
	const tool *t;

	for (t = tools; t->name; t++)
		if (!strcmp(t->name, name))
			return t;
	return NULL;
}

/* The table given, else the tool's default (pop: either spelling). */
static int pick_table(strata *s, const tool *t, const char *given,
                      const char **out, strata_error *err)
{
	const char *names[3] = {given ? given : t->table,
	                        given ? NULL : t->fallback, NULL};
	strata_dberr de;
	size_t i;
	int exists = 0;

	for (i = 0; names[i]; i++) {
		memset(&de, 0, sizeof(de));
		if (!strata__ident_valid(names[i]))
			return strata__err(err, STRATA_EUSAGE,
			                   "'%s' is not a table name",
			                   names[i]);
		if (strata__drv_table_exists(s, s->conn, s->hist_schema,
		                             names[i], &exists, &de))
			return strata__drv_fail(s, err, &de,
			                        "cannot look for the table");
		if (exists) {
			*out = names[i];
			return STRATA_OK;
		}
	}
	return strata__err(err, STRATA_EUSAGE,
	                   "no %s history table %s%s%s in %s", t->name,
	                   names[0], names[1] ? " or " : "",
	                   names[1] ? names[1] : "", s->target);
}

static int read_history(vset *vs, const tool *t, const char *table)
{
	char *q = strata__ident_quote_in(vs->s->hist_schema, table,
	                                 vs->s->drv->dialect->ident_quote);
	char *sql = strata__printf(t->sql, q);
	strata_dberr de;
	int rc;

	memset(&de, 0, sizeof(de));
	rc = strata__drv_query(vs->s, vs->s->conn, sql, NULL, 0, on_row, vs,
	                       &de);
	if (rc)
		rc = strata__drv_fail(vs->s, vs->err, &de,
		                      "cannot read the history");
	free(sql);
	free(q);
	return rc ? rc : vs->rc;
}

/* Every version applied: golang-migrate's and a Flyway baseline's "up
 * to", the others' list. */
static int applied(const vset *vs, const char *version)
{
	if (vs->upto && strata__version_cmp(version, vs->upto) <= 0)
		return 1;
	return vs->nv && bsearch(&version, vs->v, vs->nv, sizeof(*vs->v),
	                         cmp_version_p) != NULL;
}

/* The tool's versions all have a migration in the folder. */
static int check_found(vset *vs)
{
	size_t i;

	if (vs->failed)
		return strata__err(
		        vs->err, STRATA_EUSAGE,
		        "%s recorded version %s as %s: a migration failed "
		        "half-way; repair the database and that tool's "
		        "history first (golang-migrate: migrate force; "
		        "Flyway: flyway repair), then import",
		        vs->tool, vs->failed,
		        strcmp(vs->tool, "flyway") ? "dirty" : "failed");
	if (vs->upto && !strata__source_find(&vs->s->src, vs->upto) &&
	    !strcmp(vs->tool, "golang-migrate"))
		return strata__err(vs->err, STRATA_EUSAGE,
		                   "golang-migrate is at version %s, which is "
		                   "not in %s",
		                   vs->upto, vs->s->src.dir);
	for (i = 0; i < vs->nv; i++)
		if (!strata__source_find(&vs->s->src, vs->v[i]))
			return strata__err(vs->err, STRATA_EUSAGE,
			                   "%s applied version %s, which is "
			                   "not in %s: nothing was imported",
			                   vs->tool, vs->v[i], vs->s->src.dir);
	return STRATA_OK;
}

/* The pending migrations the tool applied, files validated, then
 * recorded; those strata has already recorded are left as they are. */
static int adopt(vset *vs, const strata_status *st)
{
	strata__script *sc = strata__calloc(st->count + 1, sizeof(*sc));
	char *who = strata__whoami(), *fp = NULL;
	size_t i;
	int rc = STRATA_OK, begun = 0;

	for (i = 0; !rc && i < st->count; i++) {
		const strata__migration *m;
		const char *file;

		if (st->items[i].state != STRATA_STATE_PENDING ||
		    !applied(vs, st->items[i].version))
			continue;
		m = strata__source_find(&vs->s->src, st->items[i].version);
		file = strata__file_for(vs->s, m, 1);
		if (file)
			rc = strata__script_open(&sc[i], vs->s, file, vs->err);
	}
	if (!rc)
		fp = strata__fingerprint(vs->s);
	/* All rows or none, and one durable commit for 10,000 of them. */
	if (!rc)
		rc = strata__begin(vs->s, vs->err);
	begun = !rc;
	for (i = 0; !rc && i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_PENDING &&
		    applied(vs, st->items[i].version))
			rc = strata__baseline_one(
			        vs->s,
			        strata__source_find(&vs->s->src,
			                            st->items[i].version),
			        sc[i].path ? &sc[i] : NULL, fp, who, vs->err);
	if (!rc)
		rc = strata__commit(vs->s, vs->err);
	else if (begun)
		strata__rollback(vs->s);
	for (i = 0; i < st->count; i++)
		strata__script_free(&sc[i]);
	free(sc);
	free(fp);
	free(who);
	return rc;
}

static int check_options(const strata_import_options *o, const tool **t,
                         strata_error *err)
{
	if (!o || o->version != STRATA_IMPORT_OPTIONS_VERSION)
		return strata__err(err, STRATA_EUSAGE,
		                   "strata_import_options: version %u is not "
		                   "%u (use STRATA_IMPORT_OPTIONS_INIT)",
		                   o ? o->version : 0,
		                   STRATA_IMPORT_OPTIONS_VERSION);
	*t = o->tool ? find_tool(o->tool) : NULL;
	if (!*t)
		return strata__err(err, STRATA_EUSAGE,
		                   "import --from: dbmate, golang-migrate, "
		                   "goose, flyway or pop, not '%s'",
		                   o->tool ? o->tool : "");
	return STRATA_OK;
}

int strata_import(strata *s, const strata_import_options *o, strata_error *err)
{
	const tool *t = NULL;
	strata_status *st = NULL;
	strata_history *h = NULL;
	const char *tbl = NULL;
	vset vs;
	int rc = check_options(o, &t, err);

	if (rc)
		return rc;
	memset(&vs, 0, sizeof(vs));
	vs.tool = t->name;
	vs.s = s;
	vs.err = err;
	rc = strata__prepare(s, &st, &h, err);
	if (!rc)
		rc = pick_table(s, t, o->table, &tbl, err);
	if (!rc)
		rc = read_history(&vs, t, tbl);
	if (!rc)
		finish(&vs);
	if (!rc)
		rc = check_found(&vs);
	if (!rc && o->convert_to) {
		strata_status_free(st);
		st = NULL;
		rc = strata__convert(s, o->convert_to, err);
		if (!rc)
			rc = strata__status_build(&st, s, h, err);
	}
	if (!rc)
		rc = adopt(&vs, st);
	vset_free(&vs);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
