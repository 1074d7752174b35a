/*
 * Identifiers for the history table, and bound-parameter placeholders.
 *
 * The history table's name reaches SQL text (it cannot be a bound
 * parameter), so it is checked here, where it is quoted, and not only by
 * the config loader: strata_config_parse() and strata_options.table lead
 * to strata_open() too.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static int part_valid(const char *s, size_t n)
{
	size_t i;

	if (n == 0 || n > 63 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && s[i] != '_')
			return 0;
	return 1;
}

/* "name" or "schema.name", each part [A-Za-z_][A-Za-z0-9_]{0,62}. */
int strata__ident_valid(const char *name)
{
	const char *dot = name ? strchr(name, '.') : NULL;

	if (!name)
		return 0;
	if (!dot)
		return part_valid(name, strlen(name));
	return part_valid(name, (size_t)(dot - name)) &&
	       part_valid(dot + 1, strlen(dot + 1));
}

int strata__table_check(const char *table, const char *file, strata_error *err)
{
	char *shown;
	int rc;

	if (strata__ident_valid(table))
		return STRATA_OK;
	shown = strata__printable(table ? table : "");
	rc = strata__err_at(err, STRATA_EUSAGE, file, 0,
	                    "table '%s' is not a valid identifier (letters, "
	                    "digits, _; optional schema.)",
	                    shown);
	free(shown);
	return rc;
}

/* One quoted part; the quote character inside it is doubled. */
static void put_part(strata__buf *b, const char *s, size_t n, char q)
{
	size_t i;

	strata__buf_putc(b, q);
	for (i = 0; i < n; i++) {
		if (s[i] == q)
			strata__buf_putc(b, q);
		strata__buf_putc(b, s[i]);
	}
	strata__buf_putc(b, q);
}

char *strata__ident_quote_in(const char *schema, const char *name, char q)
{
	strata__buf b = STRATA__BUF_INIT;

	if (!name || !part_valid(name, strlen(name)))
		return NULL;
	if (schema) {
		put_part(&b, schema, strlen(schema), q);
		strata__buf_putc(&b, '.');
	}
	put_part(&b, name, strlen(name), q);
	return strata__buf_detach(&b);
}

const char *strata__ph(const strata_dialect *d, int n, char buf[16])
{
	if (d->param_style == STRATA_PARAM_DOLLAR)
		snprintf(buf, 16, "$%d", n);
	else
		snprintf(buf, 16, "?");
	return buf;
}
