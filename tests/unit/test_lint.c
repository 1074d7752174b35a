/*
 * The lint corpus (tests/lint/): every case folder is a migrations folder
 * with an `expect` file listing the findings strata_lint_get() must give,
 * one a line:
 *
 *   RULE SEVERITY FILE:LINE DIALECT [allowed]
 *
 * DIALECT is "*" for a finding on every dialect that read the file. A
 * "# dialects: a,b" line says which dialects the case is linted for, and
 * "# threshold: N" the row threshold, "# init_sql: SQL" the config's
 * init_sql, "# error: FILE:LINE TEXT" an error
 * (exit 2) lint must stop with instead. Nothing else may be found: the
 * safe multi-step patterns in the corpus must not be flagged.
 *
 * Then the scanner against garbage: bounded, never a crash.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "tap.h"
#include "internal.h"
#include "lint.h"

typedef struct lines {
	char **v;
	size_t n;
} lines;

static void lines_add(lines *l, char *s)
{
	l->v = realloc(l->v, (l->n + 1) * sizeof(char *));
	l->v[l->n++] = s;
}

static void lines_free(lines *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *trim(char *s)
{
	size_t n;

	while (*s == ' ' || *s == '\t')
		s++;
	n = strlen(s);
	while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ' ||
	                 s[n - 1] == '\r' || s[n - 1] == '\t'))
		s[--n] = '\0';
	return s;
}

/* The expect file: findings, and the case's options. */
static int read_expect(const char *path, lines *want, char *dialects, size_t dn,
                       long long *threshold, char *error, size_t en, char *init,
                       size_t in)
{
	char buf[1024];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	*dialects = '\0';
	*error = '\0';
	*init = '\0';
	while (fgets(buf, sizeof(buf), f)) {
		char *s = trim(buf);

		if (!strncmp(s, "# dialects:", 11))
			snprintf(dialects, dn, "%s", trim(s + 11));
		else if (!strncmp(s, "# init_sql:", 11))
			snprintf(init, in, "%s", trim(s + 11));
		else if (!strncmp(s, "# error:", 8))
			snprintf(error, en, "%s", trim(s + 8));
		else if (!strncmp(s, "# threshold:", 12))
			*threshold = atoll(s + 12);
		else if (*s && *s != '#')
			lines_add(want, strdup(s));
	}
	fclose(f);
	return 0;
}

static char *finding_line(const strata_lint_finding *f)
{
	return strata__printf("%s %s %s:%d %s%s", f->rule,
	                      f->severity == STRATA_LINT_ERROR ? "error"
	                                                       : "warning",
	                      f->file, f->line, f->dialect ? f->dialect : "*",
	                      f->allowed ? " allowed" : "");
}

/* Prints what is missing and what is extra; 1 if the lists are equal. */
static int same(lines *got, lines *want)
{
	size_t i = 0, j = 0;
	int eq = 1;

	if (got->n) /* qsort() must not get NULL */
		qsort(got->v, got->n, sizeof(char *), cmp_line);
	if (want->n)
		qsort(want->v, want->n, sizeof(char *), cmp_line);
	while (i < got->n || j < want->n) {
		int c = i >= got->n    ? 1
		        : j >= want->n ? -1
		                       : strcmp(got->v[i], want->v[j]);

		if (c == 0) {
			i++;
			j++;
			continue;
		}
		eq = 0;
		if (c < 0)
			printf("#   unexpected: %s\n", got->v[i++]);
		else
			printf("#   missing:    %s\n", want->v[j++]);
	}
	return eq;
}

/* want: "FILE:LINE TEXT": err names the file and line, and says TEXT. */
static void check_error(const char *name, int rc, const strata_error *err,
                        const char *want)
{
	char file[256];
	int line = -1;
	const char *text = strchr(want, ' ');
	const char *colon = strrchr(want, ':');
	size_t fl;

	if (!text || !colon || colon > text) {
		ok(0, "%s: a malformed '# error:' line", name);
		return;
	}
	fl = (size_t)(colon - want);
	snprintf(file, sizeof(file), "%.*s", (int)fl, want);
	line = atoi(colon + 1);
	ok(rc == STRATA_EUSAGE && err->file && strlen(err->file) >= fl &&
	           !strcmp(err->file + strlen(err->file) - fl, file) &&
	           err->line == line && err->message &&
	           strstr(err->message, text + 1),
	   "%s: exit 2 at %s", name, want);
	printf("#   got: %d %s:%d %s\n", rc, err->file ? err->file : "-",
	       err->line, err->message ? err->message : "-");
}

static void run_case(const char *dir, const char *name)
{
	char *expect = strata__printf("%s/expect", dir);
	char dialects[256], error[256], init[256];
	long long threshold = 0;
	lines want = {NULL, 0}, got = {NULL, 0};
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	strata_lint *l = NULL;
	strata_error err;
	size_t i;
	int rc;

	memset(&err, 0, sizeof(err));
	if (read_expect(expect, &want, dialects, sizeof(dialects), &threshold,
	                error, sizeof(error), init, sizeof(init))) {
		ok(0, "%s: has an expect file", name);
		free(expect);
		return;
	}
	o.migrations_dir = dir;
	o.dialects = *dialects ? dialects : NULL;
	o.row_threshold = threshold;
	o.init_sql = *init ? init : NULL;
	rc = strata_lint_get(&l, NULL, &o, &err);
	if (*error) {
		check_error(name, rc, &err, error);
		strata_error_clear(&err);
	} else if (rc) {
		ok(0, "%s: strata_lint_get: %s", name,
		   err.message ? err.message : "?");
		strata_error_clear(&err);
	} else {
		for (i = 0; i < l->count; i++)
			lines_add(&got,
			          finding_line(strata_lint_finding_at(l, i)));
		ok(same(&got, &want), "%s: %zu finding(s) as expected", name,
		   want.n);
	}
	strata_lint_free(l);
	lines_free(&want);
	lines_free(&got);
	free(expect);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void corpus(const char *root)
{
	DIR *d = opendir(root);
	struct dirent *e;
	lines names = {NULL, 0};
	size_t i;

	ok(d != NULL, "the corpus is at %s", root);
	if (!d)
		return;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			lines_add(&names, strdup(e->d_name));
	closedir(d);
	qsort(names.v, names.n, sizeof(char *), cmp_str);
	ok(names.n >= 10, "the corpus has %zu cases", names.n);
	for (i = 0; i < names.n; i++) {
		char *dir = strata__printf("%s/%s", root, names.v[i]);

		if (strata__dir_exists(dir))
			run_case(dir, names.v[i]);
		free(dir);
	}
	lines_free(&names);
}

static int count_act(void *ctx, const strata_action *a)
{
	(*(int *)ctx)++;
	return a->kind < 0;
}

/* Garbage in: the scanner returns, whatever the bytes. */
static void garbage(void)
{
	static const char *const inputs[] = {
	        "",
	        "'",
	        "\"",
	        "`",
	        "[",
	        "$",
	        "$$",
	        "$a$",
	        "/*",
	        "--",
	        "(((",
	        ")))",
	        "ALTER",
	        "ALTER TABLE",
	        "ALTER TABLE \"",
	        "ALTER TABLE t "
	        "ADD",
	        "ALTER TABLE t ALTER COLUMN",
	        "CREATE INDEX ON",
	        "DROP TABLE ,,,",
	        "RENAME TABLE a TO",
	        "SET lock_timeout",
	        "ALTER TABLE t MODIFY",
	        "ALTER TABLE t CHANGE a",
	        "CREATE TABLE t (a",
	        "ALTER TABLE t ADD CONSTRAINT c CHECK ((",
	        "E'\\",
	        "ALTER TABLE `a``b` RENAME COLUMN \"x\"\"y\" TO",
	        "UPDATE",
	        "DELETE FROM",
	        "TRUNCATE",
	        NULL};
	static const unsigned flags[] = {
	        0,
	        STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_NESTED_COMMENTS |
	                STRATA_SPLIT_E_STRINGS,
	        STRATA_SPLIT_BACKSLASH_ESC | STRATA_SPLIT_HASH_COMMENT |
	                STRATA_SPLIT_BACKTICK_IDENT |
	                STRATA_SPLIT_DQUOTE_STRING,
	        STRATA_SPLIT_BRACKET_IDENT | STRATA_SPLIT_BACKTICK_IDENT};
	static const char *const names[] = {"sqlite", "postgres", "mysql",
	                                    "sqlite"};
	unsigned char noise[512];
	unsigned seed = 12345;
	size_t i, k, j;
	int n = 0, line;

	for (k = 0; k < 4; k++) {
		strata__scan_dialect d = {names[k], flags[k], k == 1};

		for (i = 0; inputs[i]; i++) {
			strata__lint_scan(&d, inputs[i], strlen(inputs[i]),
			                  count_act, &n);
			strata__lint_mysql_rejects(&d, inputs[i],
			                           strlen(inputs[i]), &line);
		}
		for (i = 0; i < 300; i++) {
			size_t len = (seed = seed * 1103515245u + 12345u) %
			             sizeof(noise);

			for (j = 0; j < len; j++) {
				seed = seed * 1103515245u + 12345u;
				noise[j] = (unsigned char)(seed >> 16);
				/* mostly SQL-ish bytes */
				if (noise[j] & 1)
					noise[j] =
					        (unsigned char)"ALTER TABLE t "
					                       "ADD COLUMN x "
					                       "'\"`$();,.:"
					                               [(seed >>
					                                 8) %
					                                36];
			}
			strata__lint_scan(&d, (const char *)noise, len,
			                  count_act, &n);
			strata__lint_mysql_rejects(&d, (const char *)noise, len,
			                           &line);
		}
	}
	ok(n > 0, "the scanner read garbage without crashing (%d actions)", n);
}

/* What the scanner makes of the statements the rules depend on. */
typedef struct one {
	int kind;
	unsigned flags;
	char table[64], column[64], name[64], type[64];
	int count;
} one;

static int first_act(void *ctx, const strata_action *a)
{
	one *o = ctx;

	if (o->count++ == 0) {
		o->kind = a->kind;
		o->flags = a->flags;
		snprintf(o->table, sizeof(o->table), "%s",
		         a->table ? a->table : "");
		snprintf(o->column, sizeof(o->column), "%s",
		         a->column ? a->column : "");
		snprintf(o->name, sizeof(o->name), "%s",
		         a->name ? a->name : "");
		snprintf(o->type, sizeof(o->type), "%s",
		         a->type ? a->type : "");
	}
	return 0;
}

static one scan1(const char *dialect, const char *sql)
{
	strata__scan_dialect d;
	strata_dialect sd;
	unsigned fl =
	        !strcmp(dialect, "postgres")
	                ? STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_E_STRINGS
	        : !strcmp(dialect, "mysql")
	                ? STRATA_SPLIT_BACKTICK_IDENT |
	                          STRATA_SPLIT_DQUOTE_STRING |
	                          STRATA_SPLIT_BACKSLASH_ESC
	                : STRATA_SPLIT_BACKTICK_IDENT |
	                          STRATA_SPLIT_BRACKET_IDENT;
	one o;

	memset(&sd, 0, sizeof(sd));
	sd.name = dialect;
	strata__scan_dialect_for(&d, &sd, fl);
	memset(&o, 0, sizeof(o));
	strata__lint_scan(&d, sql, strlen(sql), first_act, &o);
	return o;
}

static void scanner(void)
{
	one o;

	o = scan1("postgres", "ALTER TABLE \"My\"\"T\" ADD COLUMN Foo int "
	                      "NOT NULL DEFAULT gen_random_uuid()");
	is_int(o.kind, STRATA_ACT_ADD_COLUMN, "ADD COLUMN");
	is_str(o.table, "My\"T", "a quoted name is unquoted");
	is_str(o.column, "foo", "PostgreSQL folds unquoted names to lower");
	ok(o.flags & STRATA_ACTF_VOLATILE_DEFAULT, "volatile default");
	ok(o.flags & STRATA_ACTF_NOT_NULL, "NOT NULL");
	o = scan1("postgres", "ALTER TABLE t ADD COLUMN c timestamptz "
	                      "DEFAULT now()");
	ok(!(o.flags & STRATA_ACTF_VOLATILE_DEFAULT),
	   "now() is not volatile on PostgreSQL 11+ (fast default)");
	o = scan1("mysql",
	          "ALTER TABLE `Users` MODIFY COLUMN name "
	          "VARCHAR(20) NOT NULL, ALGORITHM=INPLACE, LOCK=NONE");
	is_int(o.kind, STRATA_ACT_ALTER_TYPE, "MODIFY is a type change");
	is_str(o.table, "Users", "MySQL keeps the case as written");
	is_str(o.type, "VARCHAR(20)", "the type as written");
	ok(o.flags & STRATA_ACTF_ONLINE, "ALGORITHM=INPLACE, LOCK=NONE");
	o = scan1("mysql", "ALTER TABLE t ADD FULLTEXT INDEX ft (body)");
	is_int(o.kind, STRATA_ACT_CREATE_INDEX, "ADD FULLTEXT INDEX");
	o = scan1("postgres", "CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS "
	                      "ix ON ONLY s.t (a)");
	is_int(o.kind, STRATA_ACT_CREATE_INDEX, "CREATE INDEX");
	is_str(o.table, "t", "the index's table");
	is_str(o.name, "ix", "the index's name");
	ok((o.flags & STRATA_ACTF_CONCURRENTLY) &&
	           (o.flags & STRATA_ACTF_UNIQUE),
	   "UNIQUE, CONCURRENTLY");
	o = scan1("postgres", "DELETE FROM t WHERE id IN (SELECT id FROM u)");
	ok(o.flags & STRATA_ACTF_WHERE, "DELETE ... WHERE");
	o = scan1("postgres", "UPDATE t SET a = (SELECT b FROM u WHERE x)");
	ok(!(o.flags & STRATA_ACTF_WHERE),
	   "a WHERE inside a subquery is not the UPDATE's");
	o = scan1("sqlite", "ALTER TABLE [a b] RENAME TO c");
	is_int(o.kind, STRATA_ACT_RENAME_TABLE, "SQLite RENAME TO");
	is_str(o.table, "a b", "[bracketed] names");
	is_str(o.name, "c", "the new name");
	o = scan1("mysql", "RENAME TABLE a TO b, c TO d");
	is_int(o.count, 2, "RENAME TABLE: one action per table");
	o = scan1("postgres", "SET LOCAL lock_timeout = '5s'");
	is_int(o.kind, STRATA_ACT_SET_LOCK_TIMEOUT, "SET LOCAL lock_timeout");
	o = scan1("mysql", "SET SESSION lock_wait_timeout = 5");
	is_int(o.kind, STRATA_ACT_SET_LOCK_TIMEOUT, "SET lock_wait_timeout");
	o = scan1("postgres",
	          "ALTER TABLE t ADD CONSTRAINT c CHECK (a IS NOT NULL) NOT "
	          "VALID");
	is_int(o.kind, STRATA_ACT_ADD_CONSTRAINT, "ADD CONSTRAINT CHECK");
	is_str(o.column, "a", "the column a CHECK (a IS NOT NULL) proves");
	ok(o.flags & STRATA_ACTF_NOT_VALID, "NOT VALID");
	o = scan1("postgres", "ALTER TABLE t ADD COLUMN a int, DROP COLUMN b, "
	                      "ALTER COLUMN c SET NOT NULL");
	is_int(o.count, 3, "one action per ALTER TABLE clause");
}

int main(void)
{
	const char *src = getenv("STRATA_SRCDIR");
	char *root = strata__printf("%s/tests/lint", src ? src : ".");

	scanner();
	garbage();
	corpus(root);
	free(root);
	return tap_done();
}
