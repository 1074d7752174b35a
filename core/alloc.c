/* Allocation helpers: out of memory is fatal, as in git and curl's tools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void *oom(void)
{
	fputs("strata: fatal: out of memory\n", stderr);
	abort();
}

void *strata__malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *strata__calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	return p ? p : oom();
}

void *strata__realloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	return q ? q : oom();
}

char *strata__strdup(const char *s)
{
	return s ? strata__strndup(s, strlen(s)) : NULL;
}

char *strata__strndup(const char *s, size_t n)
{
	char *p = strata__malloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *strata__printf(const char *fmt, ...)
{
	va_list ap;
	int n;
	char *p;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return strata__strdup("");
	p = strata__malloc((size_t)n + 1);
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}
