/* Identifiers for the history table, and bound-parameter placeholders. */
#include <ctype.h>
#include <stdio.h>
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
	const char *dot = strchr(name, '.');

	if (!dot)
		return part_valid(name, strlen(name));
	return part_valid(name, (size_t)(dot - name)) &&
	       part_valid(dot + 1, strlen(dot + 1));
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

char *strata__ident_quote(const char *name, char q)
{
	const char *dot = strchr(name, '.');
	strata__buf b = STRATA__BUF_INIT;

	if (!dot)
		return strata__ident_quote_in(NULL, name, q);
	put_part(&b, name, (size_t)(dot - name), q);
	strata__buf_putc(&b, '.');
	put_part(&b, dot + 1, strlen(dot + 1), q);
	return strata__buf_detach(&b);
}

char *strata__ident_quote_in(const char *schema, const char *name, char q)
{
	strata__buf b = STRATA__BUF_INIT;

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
