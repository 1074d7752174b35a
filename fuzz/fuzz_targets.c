/*
 * libFuzzer target for a targets file (core/targets.c): "URL" or
 * "NAME URL" lines, # comments, ${VAR} expansion, names derived from
 * URLs and made unique, then the shards of what was read.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("FUZZ_SET", "postgres://u:p@h/db", 1);
	setenv("FUZZ_EMPTY", "", 1);
	unsetenv("FUZZ_UNSET");
	return 0;
}

static void check(const strata_targets *t)
{
	size_t i, j, n = strata_targets_count(t);

	for (i = 0; i < n; i++) {
		const char *name = strata_targets_name(t, i);

		if (!name || !*name || !strata_targets_url(t, i) ||
		    !strata_targets_redacted(t, i))
			abort();
		for (j = 0; j < i; j++)
			if (!strcmp(name, strata_targets_name(t, j)))
				abort(); /* names are unique */
	}
}

/* Slices 1..3 of 3 hold every target exactly once. */
static void shards(const char *text)
{
	size_t total = 0, want = 0;
	unsigned k;

	for (k = 1; k <= 3; k++) {
		strata_targets *t = NULL;
		strata_error err;

		memset(&err, 0, sizeof(err));
		if (strata__targets_parse(&t, text, "fuzz", &err))
			abort(); /* parsed once already */
		want = strata_targets_count(t);
		if (strata_targets_shard(t, k, 3, &err))
			abort();
		total += strata_targets_count(t);
		strata_targets_free(t);
	}
	if (total != want)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	strata_targets *t = NULL;
	strata_error err;
	int rc;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&err, 0, sizeof(err));
	rc = strata__targets_parse(&t, text, "fuzz", &err);
	if (rc == STRATA_OK) {
		if (!t || err.message)
			abort();
		check(t);
		if (strata_targets_count(t) <= 64)
			shards(text);
	} else if (t || !err.message || err.line < 0) {
		abort();
	}
	strata_targets_free(t);
	strata_error_clear(&err);
	free(text);
	return 0;
}
