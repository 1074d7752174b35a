/*
 * Migration versions: digit strings of any length (Kratos uses 20 digits),
 * ordered as the numbers they spell. Never converted to an integer, so no
 * length overflows and the folder's own spelling ("0002") is kept.
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

int strata__version_valid(const char *v)
{
	size_t i;

	if (!v || !*v)
		return 0;
	for (i = 0; v[i]; i++)
		if (!isdigit((unsigned char)v[i]))
			return 0;
	return 1;
}

/* Skip leading zeros; an all-zero version becomes "". */
static const char *digits(const char *v)
{
	while (*v == '0')
		v++;
	return v;
}

int strata__version_is_zero(const char *v)
{
	return strata__version_valid(v) && !*digits(v);
}

/* Invalid versions (NULL, "", "12a") sort before every valid one, among
 * themselves by text, so that a broken history row never crashes a sort. */
int strata__version_cmp(const char *a, const char *b)
{
	int va = strata__version_valid(a), vb = strata__version_valid(b);
	size_t la, lb;
	int c;

	if (!va || !vb) {
		if (va != vb)
			return va ? 1 : -1;
		c = strcmp(a ? a : "", b ? b : "");
		return c < 0 ? -1 : c > 0;
	}
	a = digits(a);
	b = digits(b);
	la = strlen(a);
	lb = strlen(b);
	if (la != lb)
		return la < lb ? -1 : 1;
	c = strcmp(a, b);
	return c < 0 ? -1 : c > 0;
}

/* An older release stored versions in a BIGINT column: does v fit one? */
int strata__version_fits_int64(const char *v)
{
	static const char max[] = "9223372036854775807";
	size_t n;

	if (!strata__version_valid(v))
		return 0;
	v = digits(v);
	n = strlen(v);
	return n < sizeof(max) - 1 ||
	       (n == sizeof(max) - 1 && strcmp(v, max) <= 0);
}
