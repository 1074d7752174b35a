/*
 * Allocation helpers. The policy, documented in strata.h and
 * docs/embedding.md: an allocation failure prints one line, "strata: out
 * of memory", and aborts, as git and curl's tools do. Every allocation in
 * libstrata goes through here, so no caller ever sees a half-built result;
 * a driver's STRATA_DRV_NOMEM ends the same way (strata__oom).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void strata__oom(void)
{
	fputs("strata: out of memory\n", stderr);
	abort();
}

static void *oom(void)
{
	strata__oom();
}

void *strata__malloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	return p ? p : oom();
}

void *strata__calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > (size_t)-1 / size)
		return oom(); /* n * size would wrap */
	p = calloc(n ? n : 1, size ? size : 1);
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

/*
 * The pool: a few large blocks instead of one malloc per string, which
 * also keeps a status of 10,000 migrations cheap to build and to free.
 */
#define POOL_BLOCK 4096
#define POOL_ALIGN 16

struct strata__pool_block {
	struct strata__pool_block *next;
	size_t used, cap;
	_Alignas(POOL_ALIGN) char data[];
};

void *strata__pool_alloc(strata__pool *p, size_t n, size_t align)
{
	struct strata__pool_block *b = p->head;
	size_t at = b ? (b->used + align - 1) / align * align : 0;
	size_t cap;

	if (b && at <= b->cap && b->cap - at >= n) {
		b->used = at + n;
		return b->data + at;
	}
	cap = n > POOL_BLOCK / 4 ? n : POOL_BLOCK;
	b = strata__malloc(sizeof(*b) + cap);
	b->cap = cap;
	b->used = n;
	if (cap == n && p->head) {
		/* A large one-off: keep filling the current block. */
		b->next = p->head->next;
		p->head->next = b;
	} else {
		b->next = p->head;
		p->head = b;
	}
	return b->data;
}

const char *strata__pool_strdup(strata__pool *p, const char *s)
{
	size_t n;
	char *d;

	if (!s)
		return NULL;
	n = strlen(s);
	d = strata__pool_alloc(p, n + 1, 1);
	memcpy(d, s, n + 1);
	return d;
}

const char *strata__pool_take(strata__pool *p, char *s)
{
	const char *d = strata__pool_strdup(p, s);

	free(s);
	return d;
}

void strata__pool_free(strata__pool *p)
{
	struct strata__pool_block *b = p->head, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	p->head = NULL;
}
