/* Sorting and hashing shared by the core's tables and lists. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>

#include "internal.h"

/* qsort, after one pass that finds most inputs sorted already: history
 * rows come back in the order they were written, kept folder listings in
 * name order. */
void strata__sort(void *base, size_t n, size_t size,
                  int (*cmp)(const void *, const void *))
{
	const char *p = base;
	size_t i;

	for (i = 1; i < n && cmp(p + (i - 1) * size, p + i * size) <= 0; i++)
		;
	if (n > 1 && i < n)
		qsort(base, n, size, cmp);
}

uint64_t strata__hash64(const char *s, size_t n, int fold)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		h = (h ^ (fold ? (unsigned char)tolower(c) : c)) *
		    1099511628211ULL;
	}
	return h ^ h >> 29;
}

size_t strata__hash(const char *s, size_t n, int fold)
{
	return (size_t)strata__hash64(s, n, fold);
}
