/*
 * Migration versions: digit strings of any length (Kratos uses 20 digits),
 * ordered as the numbers they spell. Never converted to an integer, so no
 * length overflows and the folder's own spelling ("0002") is kept. Flyway's
 * dotted versions ("1.1", "2.0.10") are digit groups compared one by one,
 * a missing group counting as 0 (1 = 1.0 < 1.1 < 1.10).
 */
#include <ctype.h>
#include <string.h>

#include "internal.h"

int strata__version_valid(const char *v)
{
	size_t i;

	if (!v || !isdigit((unsigned char)v[0]))
		return 0;
	for (i = 1; v[i]; i++)
		if (!isdigit((unsigned char)v[i]) &&
		    (v[i] != '.' || !isdigit((unsigned char)v[i + 1])))
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
	return strata__version_valid(v) && !v[strspn(v, "0.")];
}

/* One digit group of a valid version: its significant digits in *p, how
 * many returned; *v moves past the group and its dot. "" is a group of 0. */
static size_t group(const char **v, const char **p)
{
	size_t n = strcspn(*v, ".");
	const char *g = *v;

	*v += n + ((*v)[n] == '.');
	while (n && *g == '0') {
		g++;
		n--;
	}
	*p = g;
	return n;
}

/* Plain digit strings, the usual versions, in one pass (sorting and
 * looking up 10,000 of them is most of what a status compares): -1, 0 or
 * 1, or 2 when either is not plain digits. */
static int cmp_plain(const char *a, const char *b)
{
	size_t la = 0, lb = 0;
	int c;

	if (!a || !b || !isdigit((unsigned char)*a) ||
	    !isdigit((unsigned char)*b))
		return 2;
	a = digits(a);
	b = digits(b);
	while (isdigit((unsigned char)a[la]))
		la++;
	while (isdigit((unsigned char)b[lb]))
		lb++;
	if (a[la] || b[lb])
		return 2;
	if (la != lb)
		return la < lb ? -1 : 1;
	c = memcmp(a, b, la);
	return c < 0 ? -1 : c > 0;
}

/* Invalid versions (NULL, "", "12a") sort before every valid one, among
 * themselves by text, so that a broken history row never crashes a sort. */
int strata__version_cmp(const char *a, const char *b)
{
	int va, vb, c = cmp_plain(a, b);
	size_t la, lb;

	if (c != 2)
		return c;
	va = strata__version_valid(a);
	vb = strata__version_valid(b);
	if (!va || !vb) {
		if (va != vb)
			return va ? 1 : -1;
		c = strcmp(a ? a : "", b ? b : "");
		return c < 0 ? -1 : c > 0;
	}
	while (*a || *b) {
		const char *ga, *gb;

		la = group(&a, &ga);
		lb = group(&b, &gb);
		if (la != lb)
			return la < lb ? -1 : 1;
		c = strncmp(ga, gb, la);
		if (c)
			return c < 0 ? -1 : 1;
	}
	return 0;
}

/* An older release stored versions in a BIGINT column: does v fit one? */
int strata__version_fits_int64(const char *v)
{
	static const char max[] = "9223372036854775807";
	size_t n;

	if (!strata__version_valid(v) || strchr(v, '.'))
		return 0;
	v = digits(v);
	n = strlen(v);
	return n < sizeof(max) - 1 ||
	       (n == sizeof(max) - 1 && strcmp(v, max) <= 0);
}
