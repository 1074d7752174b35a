/* A growable string buffer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static void grow(strata__buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;

	if (need <= b->cap)
		return;
	b->cap = b->cap ? b->cap : 64;
	while (b->cap < need)
		b->cap *= 2;
	b->ptr = strata__realloc(b->ptr, b->cap);
}

char *strata__buf_reserve(strata__buf *b, size_t n)
{
	grow(b, n);
	return b->ptr + b->len;
}

void strata__buf_put(strata__buf *b, const char *s, size_t n)
{
	grow(b, n);
	if (n)
		memcpy(b->ptr + b->len, s, n);
	b->len += n;
	b->ptr[b->len] = '\0';
}

void strata__buf_puts(strata__buf *b, const char *s)
{
	strata__buf_put(b, s, strlen(s));
}

void strata__buf_putc(strata__buf *b, char c)
{
	strata__buf_put(b, &c, 1);
}

void strata__buf_printf(strata__buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n <= 0)
		return;
	grow(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

char *strata__buf_detach(strata__buf *b)
{
	char *p = b->ptr ? b->ptr : strata__strdup("");

	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void strata__buf_free(strata__buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}
