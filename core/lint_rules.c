/*
 * The lint rules: what each statement action means for a table that holds
 * data, per dialect. docs/lint.md explains every rule, its rationale and
 * its fix-it; the messages here are one line each and name no dialect, so
 * that the same finding on several dialects collapses into one.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"

const char *const strata__lint_rules[] = {"destructive",
                                          "required-column",
                                          "blocking-not-null",
                                          "blocking-index",
                                          "rewrite",
                                          "rename",
                                          "dialect-unsupported",
                                          "irreversible",
                                          "no-lock-timeout",
                                          NULL};

int strata__lint_rule_known(const char *name)
{
	const char *const *r;

	for (r = strata__lint_rules; *r; r++)
		if (!strcmp(*r, name))
			return 1;
	return 0;
}

/* ---- the schema the rules know ---- */

static int name_eq(const strata__lschema *sc, const char *a, const char *b)
{
	return sc->ci ? !strcasecmp(a, b) : !strcmp(a, b);
}

/* A target may hold 10,000 tables: names are hashed, not scanned. */
static size_t lname_hash(const strata__lschema *sc, const char *s)
{
	return strata__hash(s, strlen(s), sc->ci);
}

static size_t *lslot(const strata__lschema *sc, const char *name)
{
	size_t i = lname_hash(sc, name) & (sc->nslot - 1);

	while (sc->slot[i] && !name_eq(sc, sc->t[sc->slot[i] - 1].name, name))
		i = (i + 1) & (sc->nslot - 1);
	return &sc->slot[i];
}

/* grow: double the slots (else rebuild in place, after a rename). */
static void lrehash(strata__lschema *sc, int grow)
{
	size_t i;

	free(sc->slot);
	if (grow || !sc->nslot)
		sc->nslot = sc->nslot ? 2 * sc->nslot : 64;
	sc->slot = strata__calloc(sc->nslot, sizeof(*sc->slot));
	for (i = 0; i < sc->n; i++)
		*lslot(sc, sc->t[i].name) = i + 1;
}

strata__ltable *strata__lschema_find(strata__lschema *sc, const char *name)
{
	size_t k;

	if (!name || !sc->nslot)
		return NULL;
	k = *lslot(sc, name);
	return k ? &sc->t[k - 1] : NULL;
}

strata__ltable *strata__lschema_add(strata__lschema *sc, const char *name)
{
	strata__ltable *t = strata__lschema_find(sc, name);

	if (t)
		return t;
	sc->t = strata__realloc(sc->t, (sc->n + 1) * sizeof(*t));
	t = &sc->t[sc->n++];
	memset(t, 0, sizeof(*t));
	t->name = strata__strdup(name);
	t->est_rows = -1;
	if (2 * sc->n >= sc->nslot)
		lrehash(sc, 1);
	else
		*lslot(sc, name) = sc->n;
	return t;
}

void strata__lschema_set_col(strata__lschema *sc, const char *table,
                             const char *col, const char *type)
{
	strata__ltable *t;
	size_t i;

	if (!table || !col || !type)
		return;
	t = strata__lschema_add(sc, table);
	for (i = 0; i < t->ncols; i++)
		if (name_eq(sc, t->cols[i].name, col)) {
			free(t->cols[i].type);
			t->cols[i].type = strata__strdup(type);
			return;
		}
	t->cols = strata__realloc(t->cols, (t->ncols + 1) * sizeof(*t->cols));
	t->cols[t->ncols].name = strata__strdup(col);
	t->cols[t->ncols].type = strata__strdup(type);
	t->ncols++;
}

const char *strata__lschema_col_type(strata__lschema *sc, const char *table,
                                     const char *col)
{
	strata__ltable *t = strata__lschema_find(sc, table);
	size_t i;

	for (i = 0; t && col && i < t->ncols; i++)
		if (name_eq(sc, t->cols[i].name, col))
			return t->cols[i].type;
	return NULL;
}

static void table_clear(strata__ltable *t)
{
	size_t i;

	for (i = 0; i < t->ncols; i++) {
		free(t->cols[i].name);
		free(t->cols[i].type);
	}
	free(t->cols);
	free(t->name);
	free(t->db_name);
	free(t->created_in);
}

void strata__lschema_free(strata__lschema *sc)
{
	size_t i;

	for (i = 0; i < sc->n; i++)
		table_clear(&sc->t[i]);
	free(sc->t);
	free(sc->slot);
	memset(sc, 0, sizeof(*sc));
}

/* ---- findings ---- */

void strata__lint_add(strata__lfinds *out, const char *rule, int severity,
                      const strata__lint_stmt *st, int line, const char *table,
                      char *message, const char *fixit)
{
	strata__lfind *f;

	out->items = strata__realloc(out->items,
	                             (out->count + 1) * sizeof(*out->items));
	f = &out->items[out->count++];
	memset(f, 0, sizeof(*f));
	f->rule = rule;
	f->severity = severity;
	f->version = strata__strdup(st->version);
	f->file = strata__strdup(st->path);
	f->dialect = strata__strdup(st->file->dialect);
	f->statement = st->sql ? strata__strdup(st->sql) : NULL;
	f->message = message;
	f->fixit = strata__strdup(fixit);
	f->table = table ? strata__strdup(table) : NULL;
	f->line = line;
	f->est_rows = -1;
}

/* A table this run creates before it holds data: created by the same file,
 * or, on a connected target, by an earlier migration of this run and not
 * in the database. The rules about data and locks do not apply to it. */
static int is_new(const strata__lint_stmt *st, const char *table)
{
	strata__ltable *t = strata__lschema_find(st->schema, table);

	if (!t || !t->created_in)
		return 0;
	return !strcmp(t->created_in, st->path) ||
	       (st->schema->connected && !t->in_db);
}

static int pg(const strata__lint_stmt *st)
{
	return !strcmp(st->file->family, "postgres");
}

static int my(const strata__lint_stmt *st)
{
	return !strcmp(st->file->family, "mysql");
}

static const char *const fix_destructive =
        "stop using it in the code and deploy that first, back the data "
        "up, then drop it in a later migration; acknowledge with "
        "-- strata:allow destructive";

static void finding(strata__lint_stmt *st, const char *rule, int sev,
                    const strata__act *a, int raisable, char *msg,
                    const char *fixit)
{
	strata__lint_add(st->out, rule, sev, st, a->line, a->table, msg, fixit);
	st->out->items[st->out->count - 1].raisable = raisable;
}

/* ---- types: does a change rewrite, narrow, or neither? ---- */

enum { T_SAME, T_SAFE, T_NARROW, T_REWRITE, T_UNKNOWN };

typedef struct ltype {
	char base[32];
	long a1, a2; /* (n) or (p, s); -1 absent */
} ltype;

static const struct alias {
	const char *from, *to;
} aliases[] = {{"character varying", "varchar"},
               {"character", "char"},
               {"bpchar", "char"},
               {"int4", "int"},
               {"integer", "int"},
               {"int8", "bigint"},
               {"int2", "smallint"},
               {"decimal", "numeric"},
               {"float8", "double precision"},
               {"double", "double precision"},
               {"float4", "real"},
               {"bool", "boolean"},
               {"timestamp without time zone", "timestamp"},
               {"timestamp with time zone", "timestamptz"},
               {NULL, NULL}};

static void parse_type(ltype *t, const char *s)
{
	size_t n = 0;
	const char *p = s;
	const struct alias *al;

	t->a1 = t->a2 = -1;
	while (*p && *p != '(' && n + 1 < sizeof(t->base)) {
		char c = (char)tolower((unsigned char)*p++);

		if (isspace((unsigned char)c) &&
		    (n == 0 || t->base[n - 1] == ' '))
			continue;
		t->base[n++] = isspace((unsigned char)c) ? ' ' : c;
	}
	while (n > 0 && t->base[n - 1] == ' ')
		n--;
	t->base[n] = '\0';
	for (al = aliases; al->from; al++)
		if (!strcmp(t->base, al->from)) {
			snprintf(t->base, sizeof(t->base), "%s", al->to);
			break;
		}
	if (*p == '(') {
		t->a1 = strtol(p + 1, (char **)&p, 10);
		while (*p == ' ')
			p++;
		if (*p == ',')
			t->a2 = strtol(p + 1, NULL, 10);
	}
}

static int int_rank(const char *b)
{
	static const char *const r[] = {"tinyint", "smallint", "mediumint",
	                                "int",     "bigint",   NULL};
	int i;

	for (i = 0; r[i]; i++)
		if (!strcmp(b, r[i]))
			return i + 1;
	return 0;
}

static int text_rank(const char *b)
{
	static const char *const r[] = {"tinytext", "text", "mediumtext",
	                                "longtext", NULL};
	int i;

	for (i = 0; r[i]; i++)
		if (!strcmp(b, r[i]))
			return i + 1;
	return 0;
}

static int is_varchar(const char *b)
{
	return !strcmp(b, "varchar") || !strcmp(b, "varbinary");
}

/* MySQL stores a VARCHAR's length in one byte up to 255 bytes, two
 * beyond: widening within one class is in place, across them a copy.
 * utf8mb4 is assumed (4 bytes a character: 63 characters fit one byte). */
static int my_len_class(long n)
{
	return n <= 63 ? 1 : 2;
}

static int classify_chars(const ltype *o, const ltype *n, int pgsql)
{
	int ot = text_rank(o->base), nt = text_rank(n->base);

	if (is_varchar(o->base) && is_varchar(n->base)) {
		if (n->a1 >= 0 && (o->a1 < 0 || n->a1 < o->a1))
			return T_NARROW;
		if (pgsql)
			return T_SAFE;
		return o->a1 >= 0 && n->a1 >= 0 &&
		                       my_len_class(o->a1) ==
		                               my_len_class(n->a1)
		               ? T_SAFE
		               : T_REWRITE;
	}
	if (is_varchar(o->base) && nt)
		return pgsql ? T_SAFE : T_REWRITE;
	if (ot && is_varchar(n->base))
		return n->a1 >= 0 ? T_NARROW : T_SAFE;
	if (ot && nt)
		return nt < ot ? T_NARROW : (pgsql ? T_SAME : T_REWRITE);
	if (!strcmp(o->base, "char") && !strcmp(n->base, "char"))
		return n->a1 >= 0 && o->a1 >= 0 && n->a1 < o->a1 ? T_NARROW
		                                                 : T_REWRITE;
	return T_UNKNOWN;
}

static int classify_numeric(const ltype *o, const ltype *n)
{
	long oi, ni;

	if (n->a1 < 0)
		return T_SAFE; /* unconstrained numeric holds any value */
	if (o->a1 < 0)
		return T_NARROW;
	oi = o->a1 - (o->a2 < 0 ? 0 : o->a2);
	ni = n->a1 - (n->a2 < 0 ? 0 : n->a2);
	if (ni < oi || (n->a2 < 0 ? 0 : n->a2) < (o->a2 < 0 ? 0 : o->a2))
		return T_NARROW;
	return (n->a2 < 0 ? 0 : n->a2) == (o->a2 < 0 ? 0 : o->a2) ? T_SAFE
	                                                          : T_REWRITE;
}

static int classify(const char *old, const char *new_, int pgsql)
{
	ltype o, n;
	int oi, ni, r;

	if (!old || !new_)
		return T_UNKNOWN;
	parse_type(&o, old);
	parse_type(&n, new_);
	if (!strcmp(o.base, n.base) && o.a1 == n.a1 && o.a2 == n.a2)
		return T_SAME;
	oi = int_rank(o.base);
	ni = int_rank(n.base);
	if (oi && ni)
		return ni < oi ? T_NARROW : T_REWRITE;
	if (!strcmp(o.base, "numeric") && !strcmp(n.base, "numeric"))
		return classify_numeric(&o, &n);
	if (!strcmp(o.base, "double precision") && !strcmp(n.base, "real"))
		return T_NARROW;
	if (oi && !strcmp(n.base, "smallint"))
		return T_NARROW;
	r = classify_chars(&o, &n, pgsql);
	if (r != T_UNKNOWN)
		return r;
	return T_REWRITE;
}

/* ---- the rules, per action ---- */

static void rule_drop_table(strata__lint_stmt *st, const strata__act *a)
{
	strata__ltable *t = strata__lschema_find(st->schema, a->table);

	if ((a->flags & STRATA_ACTF_TEMPORARY) || !a->table)
		return;
	if (!is_new(st, a->table))
		finding(st, "destructive", STRATA_LINT_ERROR, a, 0,
		        strata__printf("DROP TABLE %s deletes the table and "
		                       "every row in it",
		                       a->table),
		        fix_destructive);
	if (t) { /* gone: a later CREATE TABLE of the name is new */
		free(t->created_in);
		t->created_in = NULL;
		t->dropped = 1;
	}
}

static void rule_destructive_rows(strata__lint_stmt *st, const strata__act *a)
{
	const char *what = a->kind == STRATA_ACT_TRUNCATE ? "TRUNCATE"
	                   : a->kind == STRATA_ACT_DELETE ? "DELETE"
	                                                  : "UPDATE";

	if (!a->table || is_new(st, a->table) ||
	    (a->kind != STRATA_ACT_TRUNCATE && (a->flags & STRATA_ACTF_WHERE)))
		return;
	finding(st, "destructive", STRATA_LINT_ERROR, a, 0,
	        a->kind == STRATA_ACT_TRUNCATE
	                ? strata__printf("TRUNCATE %s deletes every row",
	                                 a->table)
	                : strata__printf("%s without WHERE changes every row "
	                                 "of %s",
	                                 what, a->table),
	        a->kind == STRATA_ACT_UPDATE
	                ? "add a WHERE clause, or backfill in batches of "
	                  "rows by key; acknowledge with -- strata:allow "
	                  "destructive if every row is meant"
	                : "add a WHERE clause naming the rows; back the data "
	                  "up; acknowledge with -- strata:allow destructive "
	                  "if every row is meant");
}

static void rule_add_column(strata__lint_stmt *st, const strata__act *a)
{
	unsigned f = a->flags;
	const char *col = a->column ? a->column : "?";

	strata__lschema_set_col(st->schema, a->table, a->column, a->type);
	if (!a->table || is_new(st, a->table))
		return;
	if ((f & STRATA_ACTF_NOT_NULL) && !(f & STRATA_ACTF_DEFAULT) &&
	    !(f & STRATA_ACTF_GENERATED))
		finding(st, "required-column", STRATA_LINT_ERROR, a, 0,
		        strata__printf(
		                "ADD COLUMN %s.%s NOT NULL without a "
		                "DEFAULT: the rows already there have no "
		                "value for it, and inserts by the code "
		                "still running fail",
		                a->table, col),
		        "add the column nullable (or with a DEFAULT), backfill "
		        "it in batches, then SET NOT NULL in a later "
		        "migration");
	if (pg(st) && (f & STRATA_ACTF_VOLATILE_DEFAULT))
		finding(st, "rewrite", STRATA_LINT_WARNING, a, 1,
		        strata__printf("ADD COLUMN %s.%s with a volatile "
		                       "DEFAULT rewrites the whole table under "
		                       "an ACCESS EXCLUSIVE lock",
		                       a->table, col),
		        "add the column without the default (or with a "
		        "constant one), SET DEFAULT for new rows, backfill "
		        "existing rows in batches");
	else if (pg(st) && (f & STRATA_ACTF_GENERATED))
		finding(st, "rewrite", STRATA_LINT_WARNING, a, 1,
		        strata__printf(
		                "ADD COLUMN %s.%s GENERATED ... STORED "
		                "computes every row: the table is "
		                "rewritten under an ACCESS EXCLUSIVE lock",
		                a->table, col),
		        "add a plain nullable column, fill it by a trigger and "
		        "a batched backfill, or accept the rewrite on a small "
		        "table");
	else if (my(st) && (f & STRATA_ACTF_VOLATILE_DEFAULT) &&
	         !(f & STRATA_ACTF_ONLINE))
		finding(st, "rewrite", STRATA_LINT_WARNING, a, 1,
		        strata__printf("ADD COLUMN %s.%s with a per-row "
		                       "DEFAULT (AUTO_INCREMENT, UUID(), "
		                       "RAND()) copies the table and blocks "
		                       "writes",
		                       a->table, col),
		        "add the column nullable, backfill it in batches, or "
		        "ask for ALGORITHM=INPLACE, LOCK=NONE to fail fast");
}

static void rule_alter_type(strata__lint_stmt *st, const strata__act *a)
{
	const char *old =
	        strata__lschema_col_type(st->schema, a->table, a->column);
	const char *col = a->column ? a->column : "?";
	char *was = old ? strata__printf(" from %s", old) : strata__strdup("");
	int c = classify(old, a->type, pg(st));

	if (a->table && !is_new(st, a->table) &&
	    strcmp(st->file->family, "sqlite") != 0) {
		if (c == T_NARROW)
			finding(st, "destructive", STRATA_LINT_ERROR, a, 0,
			        strata__printf(
			                "changing %s.%s%s to %s narrows "
			                "it: values that do not fit fail "
			                "the migration or are cut",
			                a->table, col, was,
			                a->type ? a->type : "?"),
			        "add a new column of the new type, backfill "
			        "and "
			        "check it, switch the code, then drop the old "
			        "column later");
		else if ((c == T_REWRITE || c == T_UNKNOWN ||
		          (c == T_SAFE && (a->flags & STRATA_ACTF_USING))) &&
		         pg(st))
			finding(st, "rewrite", STRATA_LINT_WARNING, a, 1,
			        strata__printf(
			                "changing %s.%s%s to %s rewrites "
			                "the table and its indexes under "
			                "an ACCESS EXCLUSIVE lock%s",
			                a->table, col, was,
			                a->type ? a->type : "?",
			                old ? ""
			                    : " (its current type is not "
			                      "known here)"),
			        "add a new column of the new type, backfill it "
			        "in "
			        "batches, switch reads and writes, then drop "
			        "the "
			        "old column (expand/contract)");
		else if ((c == T_REWRITE || c == T_UNKNOWN) && my(st) &&
		         !(a->flags & STRATA_ACTF_ONLINE))
			finding(st, "blocking-index", STRATA_LINT_WARNING, a, 1,
			        strata__printf(
			                "changing %s.%s%s to %s cannot "
			                "run online: MySQL copies the "
			                "table and blocks writes meanwhile",
			                a->table, col, was,
			                a->type ? a->type : "?"),
			        "add a new column, backfill it, switch, drop "
			        "the "
			        "old one; or add ALGORITHM=INPLACE, LOCK=NONE "
			        "so "
			        "that MySQL refuses instead of blocking");
	}
	free(was);
	strata__lschema_set_col(st->schema, a->table, a->column, a->type);
}

/* A valid CHECK (col IS NOT NULL) on table, seen earlier in this run:
 * PostgreSQL 12+ then skips the scan of SET NOT NULL. */
static int proven_not_null(const strata__lint_stmt *st, const strata__act *a)
{
	size_t i, j;

	for (i = 0; i < *st->nseen; i++) {
		const strata__act *c = &(*st->seen)[i];

		if (c->kind != STRATA_ACT_ADD_CONSTRAINT || !c->detail ||
		    strcmp(c->detail, "check") || !c->table ||
		    !name_eq(st->schema, c->table, a->table) ||
		    (c->column && a->column &&
		     !name_eq(st->schema, c->column, a->column)))
			continue;
		if (!(c->flags & STRATA_ACTF_NOT_VALID))
			return 1;
		for (j = i + 1; j < *st->nseen; j++) {
			const strata__act *v = &(*st->seen)[j];

			if (v->kind == STRATA_ACT_VALIDATE_CONSTRAINT &&
			    v->name && c->name &&
			    name_eq(st->schema, v->name, c->name) && v->table &&
			    name_eq(st->schema, v->table, a->table))
				return 1;
		}
	}
	return 0;
}

static void rule_set_not_null(strata__lint_stmt *st, const strata__act *a)
{
	if (!pg(st) || !a->table || is_new(st, a->table) ||
	    proven_not_null(st, a))
		return;
	finding(st, "blocking-not-null", STRATA_LINT_WARNING, a, 1,
	        strata__printf("SET NOT NULL on %s.%s scans the whole table "
	                       "under an ACCESS EXCLUSIVE lock",
	                       a->table, a->column ? a->column : "?"),
	        "ADD CONSTRAINT c CHECK (col IS NOT NULL) NOT VALID; then "
	        "VALIDATE CONSTRAINT c (no exclusive lock); then SET NOT NULL "
	        "(PostgreSQL 12+ skips the scan) and DROP CONSTRAINT c");
}

static void rule_create_index(strata__lint_stmt *st, const strata__act *a)
{
	const char *name = a->name ? a->name : "(unnamed)";

	if (pg(st) && (a->flags & STRATA_ACTF_CONCURRENTLY) &&
	    !st->file->no_transaction) {
		finding(st, "dialect-unsupported", STRATA_LINT_ERROR, a, 0,
		        strata__printf(
		                "%s INDEX CONCURRENTLY cannot run inside "
		                "a transaction block",
		                a->kind == STRATA_ACT_CREATE_INDEX ? "CREATE"
		                                                   : "DROP"),
		        "put -- strata:no-transaction in the file's leading "
		        "comments, with this statement alone in the file");
		return;
	}
	if (a->kind != STRATA_ACT_CREATE_INDEX || !a->table ||
	    is_new(st, a->table))
		return;
	if (pg(st) && !(a->flags & STRATA_ACTF_CONCURRENTLY))
		finding(st, "blocking-index", STRATA_LINT_WARNING, a, 1,
		        strata__printf("CREATE INDEX %s on %s without "
		                       "CONCURRENTLY blocks writes to the "
		                       "table until the index is built",
		                       name, a->table),
		        "CREATE INDEX CONCURRENTLY in a migration of its own "
		        "with -- strata:no-transaction");
	else if (!strcmp(st->file->family, "sqlite"))
		finding(st, "blocking-index", STRATA_LINT_ERROR, a,
		        STRATA__RAISE_ONLY,
		        strata__printf("CREATE INDEX %s reads all of %s while "
		                       "it holds the database's write lock: "
		                       "every writer waits until it is built",
		                       name, a->table),
		        "build it at a quiet time (SQLite has no online index "
		        "build); acknowledge with -- strata:allow "
		        "blocking-index");
	else if (my(st) && a->detail && !(a->flags & STRATA_ACTF_ONLINE))
		finding(st, "blocking-index", STRATA_LINT_WARNING, a, 1,
		        strata__printf("adding a %s index %s on %s cannot run "
		                       "with concurrent writes (LOCK=NONE is "
		                       "not possible for it)",
		                       a->detail, name, a->table),
		        "build it at a quiet time or with an online schema "
		        "change tool (gh-ost, pt-online-schema-change)");
}

static void rule_add_constraint(strata__lint_stmt *st, const strata__act *a)
{
	if (!my(st) || !a->detail || strcmp(a->detail, "primary key") ||
	    !a->table || is_new(st, a->table) ||
	    (a->flags & STRATA_ACTF_ONLINE))
		return;
	finding(st, "blocking-index", STRATA_LINT_WARNING, a, 1,
	        strata__printf("ADD PRIMARY KEY on %s rebuilds the table",
	                       a->table),
	        "add ALGORITHM=INPLACE, LOCK=NONE (MySQL refuses instead of "
	        "blocking), or use an online schema change tool");
}

static void rule_rename(strata__lint_stmt *st, const strata__act *a)
{
	strata__ltable *t;

	if (!a->table)
		return;
	if (a->kind == STRATA_ACT_RENAME_COLUMN) {
		if (!is_new(st, a->table))
			finding(st, "rename", STRATA_LINT_WARNING, a, 0,
			        strata__printf("renaming column %s.%s to %s "
			                       "breaks the code still running "
			                       "that uses the old name",
			                       a->table,
			                       a->column ? a->column : "?",
			                       a->name ? a->name : "?"),
			        "expand/contract: add the new column, write "
			        "both, "
			        "backfill, move reads, then drop the old one");
		return;
	}
	if (!is_new(st, a->table)) {
		finding(st, "rename", STRATA_LINT_WARNING, a, 0,
		        strata__printf("renaming table %s to %s breaks the "
		                       "code still running that uses the old "
		                       "name",
		                       a->table, a->name ? a->name : "?"),
		        "expand/contract: create the new table (or a view "
		        "under the new name), move the code, then drop the old "
		        "one");
	} else if (a->name) {
		/* The SQLite table rebuild: a new table takes the old one's
		 * name. The DROP TABLE of the old one lost no data. */
		size_t i;

		for (i = st->out->count; i-- > st->file_first;) {
			strata__lfind *f = &st->out->items[i];

			if (!strcmp(f->rule, "destructive") && f->table &&
			    name_eq(st->schema, f->table, a->name) &&
			    !strncmp(f->message, "DROP TABLE", 10))
				f->dropped_out = 1;
		}
	}
	t = strata__lschema_find(st->schema, a->table);
	if (t && a->name) {
		strata__ltable *old = strata__lschema_find(st->schema, a->name);

		if (old && old != t) {
			free(old->name);
			old->name = strata__strdup("");
		}
		free(t->name);
		t->name = strata__strdup(a->name);
		lrehash(st->schema, 0);
	}
}

static void remember(strata__lint_stmt *st, const strata__act *a)
{
	strata__act *c;

	*st->seen = strata__realloc(*st->seen, (*st->nseen + 1) * sizeof(*c));
	c = &(*st->seen)[(*st->nseen)++];
	memset(c, 0, sizeof(*c));
	c->kind = a->kind;
	c->flags = a->flags;
	c->table = a->table ? strata__strdup(a->table) : NULL;
	c->column = a->column ? strata__strdup(a->column) : NULL;
	c->name = a->name ? strata__strdup(a->name) : NULL;
	c->detail = a->detail ? strata__strdup(a->detail) : NULL;
}

/* Actions that wait for a lock on an existing table (PostgreSQL). */
static int takes_lock(const strata__act *a)
{
	switch (a->kind) {
	case STRATA_ACT_DROP_TABLE:
	case STRATA_ACT_TRUNCATE:
	case STRATA_ACT_ADD_COLUMN:
	case STRATA_ACT_DROP_COLUMN:
	case STRATA_ACT_ALTER_TYPE:
	case STRATA_ACT_SET_NOT_NULL:
	case STRATA_ACT_DROP_NOT_NULL:
	case STRATA_ACT_SET_DEFAULT:
	case STRATA_ACT_ADD_CONSTRAINT:
	case STRATA_ACT_DROP_CONSTRAINT:
	case STRATA_ACT_RENAME_TABLE:
	case STRATA_ACT_RENAME_COLUMN:
	case STRATA_ACT_ALTER_TABLE_OTHER:
		return 1;
	case STRATA_ACT_CREATE_INDEX:
		return !(a->flags & STRATA_ACTF_CONCURRENTLY);
	default:
		return 0;
	}
}

static void rule_lock_timeout(strata__lint_stmt *st, const strata__act *a)
{
	if (a->kind == STRATA_ACT_SET_LOCK_TIMEOUT) {
		/* 0 turns the timeout off */
		if (a->detail && strcmp(a->detail, "0") &&
		    strcmp(a->detail, "'0'") &&
		    strcasecmp(a->detail, "DEFAULT"))
			st->file->lock_timeout_set = 1;
		return;
	}
	if (!pg(st) || st->file->lock_timeout_set ||
	    st->file->lock_timeout_told || !takes_lock(a) || !a->table ||
	    is_new(st, a->table) || (a->flags & STRATA_ACTF_TEMPORARY))
		return;
	st->file->lock_timeout_told = 1;
	finding(st, "no-lock-timeout", STRATA_LINT_WARNING, a, 0,
	        strata__printf("DDL on %s with no lock_timeout: while it "
	                       "waits for its lock, every query on the table "
	                       "queues behind it",
	                       a->table),
	        "SET lock_timeout = '5s'; at the top of the file (or in "
	        "init_sql), and retry the migration when it times out");
}

void strata__lint_action(strata__lint_stmt *st, const strata__act *a)
{
	rule_lock_timeout(st, a);
	switch (a->kind) {
	case STRATA_ACT_CREATE_TABLE: {
		strata__ltable *t;

		if (!a->table || (a->flags & STRATA_ACTF_TEMPORARY))
			break;
		t = strata__lschema_add(st->schema, a->table);
		while (t->ncols > 0) { /* a new table: its own columns */
			t->ncols--;
			free(t->cols[t->ncols].name);
			free(t->cols[t->ncols].type);
		}
		free(t->created_in);
		t->created_in = strata__strdup(st->path);
		if (t->dropped)
			t->in_db = 0;
		break;
	}
	case STRATA_ACT_DROP_TABLE:
		rule_drop_table(st, a);
		break;
	case STRATA_ACT_TRUNCATE:
	case STRATA_ACT_DELETE:
	case STRATA_ACT_UPDATE:
		rule_destructive_rows(st, a);
		break;
	case STRATA_ACT_DROP_COLUMN:
		if (a->table && !is_new(st, a->table))
			finding(st, "destructive", STRATA_LINT_ERROR, a, 0,
			        strata__printf("DROP COLUMN %s.%s deletes the "
			                       "column's data",
			                       a->table,
			                       a->column ? a->column : "?"),
			        fix_destructive);
		break;
	case STRATA_ACT_DROP_SCHEMA:
		finding(st, "destructive", STRATA_LINT_ERROR, a, 0,
		        strata__printf("DROP SCHEMA/DATABASE %s deletes every "
		                       "table in it",
		                       a->name ? a->name : "?"),
		        fix_destructive);
		break;
	case STRATA_ACT_ADD_COLUMN:
		rule_add_column(st, a);
		break;
	case STRATA_ACT_ALTER_TYPE:
		rule_alter_type(st, a);
		break;
	case STRATA_ACT_SET_NOT_NULL:
		rule_set_not_null(st, a);
		break;
	case STRATA_ACT_CREATE_INDEX:
	case STRATA_ACT_DROP_INDEX:
		rule_create_index(st, a);
		break;
	case STRATA_ACT_ADD_CONSTRAINT:
		rule_add_constraint(st, a);
		remember(st, a);
		break;
	case STRATA_ACT_VALIDATE_CONSTRAINT:
		remember(st, a);
		break;
	case STRATA_ACT_RENAME_TABLE:
	case STRATA_ACT_RENAME_COLUMN:
		rule_rename(st, a);
		break;
	default:
		break;
	}
}
