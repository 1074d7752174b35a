/*
 * libFuzzer target for the linter's tokenizer (core/lint_scan.c), the
 * reader of MySQL and SQLite statements (and PostgreSQL ones without
 * libpg_query).
 *
 * Input layout: the first byte picks the dialect (postgres, mysql,
 * sqlite) and, in its high bits, MySQL's session quoting rules; the rest
 * is one statement, copied into a buffer of exactly its length so that
 * ASan catches a read past the end. Every action must carry a known kind
 * and a line within the statement.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

typedef struct fuzz_ctx {
	size_t lines;
} fuzz_ctx;

static void check(int ok, const char *what)
{
	if (ok)
		return;
	fprintf(stderr, "fuzz_lint: invariant violated: %s\n", what);
	abort();
}

static int on_action(void *ctx, const strata_action *a)
{
	const fuzz_ctx *fc = ctx;

	check(a->kind >= STRATA_ACT_OTHER &&
	              a->kind <= STRATA_ACT_ALTER_TABLE_OTHER,
	      "action kind out of range");
	check(a->line >= 0 && (size_t)a->line <= fc->lines,
	      "action line outside the statement");
	/* Every string it reports must be readable to its end. */
	check(!a->table || strlen(a->table) < 1u << 20, "table");
	check(!a->column || strlen(a->column) < 1u << 20, "column");
	check(!a->name || strlen(a->name) < 1u << 20, "name");
	check(!a->type || strlen(a->type) < 1u << 20, "type");
	check(!a->detail || strlen(a->detail) < 1u << 20, "detail");
	return 0;
}

static void on_col(void *ctx, const char *table, const char *column,
                   const char *type)
{
	(void)ctx;
	check(table && column, "a column without table or name");
	(void)type;
}

static void on_name(void *ctx, const char *name, size_t n)
{
	(void)ctx;
	check(n == 0 || name != NULL, "a name without text");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"postgres", "mysql", "sqlite"};
	strata__scan_dialect d;
	fuzz_ctx fc;
	char *stmt;
	size_t len, i;
	int views = 0, line = 0;

	if (size < 1)
		return 0;
	memset(&d, 0, sizeof(d));
	d.name = names[(data[0] & 3) % 3];
	d.fold_lower = !strcmp(d.name, "postgres");
	if (!strcmp(d.name, "postgres"))
		d.flags = STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_E_STRINGS |
		          STRATA_SPLIT_NESTED_COMMENTS;
	else if (!strcmp(d.name, "mysql"))
		d.flags = STRATA_SPLIT_BACKTICK_IDENT |
		          STRATA_SPLIT_HASH_COMMENT | STRATA_SPLIT_DELIMITER |
		          STRATA_SPLIT_BEGIN_END |
		          (data[0] & 4 ? 0 : STRATA_SPLIT_BACKSLASH_ESC) |
		          (data[0] & 8 ? 0 : STRATA_SPLIT_DQUOTE_STRING);
	else
		d.flags = STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |
		          STRATA_SPLIT_BACKTICK_IDENT;
	len = size - 1;
	stmt = malloc(len ? len : 1);
	if (!stmt)
		return 0;
	memcpy(stmt, data + 1, len);
	fc.lines = 1;
	for (i = 0; i < len; i++)
		fc.lines += stmt[i] == '\n';
	strata__lint_scan(&d, stmt, len, on_action, &fc);
	strata__lint_columns(&d, stmt, len, on_col, NULL);
	strata__lint_names(&d, stmt, len, on_name, NULL, &views);
	if (!strcmp(d.name, "mysql") &&
	    strata__lint_mysql_rejects(&d, stmt, len, &line))
		check(line >= 1 && (size_t)line <= fc.lines,
		      "mysql_rejects line outside the statement");
	free(stmt);
	return 0;
}
