/*
 * libFuzzer target for the checksum cache's file (core/sumcache.c). The
 * file is the user's own, but whatever it holds, loading it must neither
 * crash nor read past a line, and the text a loaded cache saves must load
 * back as the same entries: saving those again gives the same text.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strata__sumcache *a = strata__sumcache_parse((const char *)data, size);
	char *once = strata__sumcache_text(a);
	strata__sumcache *b = strata__sumcache_parse(once, strlen(once));
	char *twice = strata__sumcache_text(b);

	if (strcmp(once, twice) != 0) {
		fprintf(stderr, "saved text does not load back:\n%s\n---\n%s\n",
		        once, twice);
		abort();
	}
	free(once);
	free(twice);
	strata__sumcache_close(a);
	strata__sumcache_close(b);
	return 0;
}
