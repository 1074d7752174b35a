/*
 * Splitter throughput: reads a SQL file and splits it with strata__split()
 * (core/splitter.c) under each dialect's flags, RUNS times (default 5)
 * after one warm-up, and prints the median throughput.
 *
 *   split_bench FILE [RUNS]
 *
 * Output, one line per dialect:
 *   split <dialect> bytes=<n> stmts=<n> median_ms=<x> mb_s=<x>
 * MB is 10^6 bytes. Only the split is timed: reading the file is not, and
 * neither is freeing the statements.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "internal.h"

static const struct {
	const char *name;
	unsigned flags;
} dialects[] = {
        /* As the drivers in plugins/ declare them. */
        {"sqlite", STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BRACKET_IDENT |
                           STRATA_SPLIT_BACKTICK_IDENT},
        {"postgres", STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_NESTED_COMMENTS |
                             STRATA_SPLIT_E_STRINGS},
        {"mysql",
         STRATA_SPLIT_DELIMITER | STRATA_SPLIT_BEGIN_END |
                 STRATA_SPLIT_BACKSLASH_ESC | STRATA_SPLIT_HASH_COMMENT |
                 STRATA_SPLIT_BACKTICK_IDENT | STRATA_SPLIT_DQUOTE_STRING},
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	strata_error err;
	char *text = NULL;
	size_t len = 0, d;
	int runs = argc > 2 ? atoi(argv[2]) : 5;

	if (argc < 2 || runs < 1) {
		fprintf(stderr, "usage: split_bench FILE [RUNS]\n");
		return 2;
	}
	memset(&err, 0, sizeof(err));
	if (strata__read_file(&text, &len, argv[1], &err)) {
		fprintf(stderr, "split_bench: %s\n", err.message);
		strata_error_clear(&err);
		return 1;
	}
	for (d = 0; d < sizeof(dialects) / sizeof(dialects[0]); d++) {
		double *t = calloc((size_t)runs, sizeof(double)), med;
		size_t count = 0;
		int r;

		if (!t)
			return 1;
		for (r = -1; r < runs; r++) { /* r == -1: warm-up */
			strata__stmts out;
			double t0 = now_s();

			if (strata__split(&out, text, len, dialects[d].flags,
			                  argv[1], &err)) {
				fprintf(stderr, "split_bench: %s: %s\n",
				        dialects[d].name, err.message);
				strata_error_clear(&err);
				free(t);
				free(text);
				return 1;
			}
			if (r >= 0)
				t[r] = now_s() - t0;
			count = out.count;
			strata__stmts_free(&out);
		}
		qsort(t, (size_t)runs, sizeof(double), cmp_double);
		med = runs % 2 ? t[runs / 2]
		               : (t[runs / 2 - 1] + t[runs / 2]) / 2;
		printf("split %s bytes=%zu stmts=%zu median_ms=%.2f "
		       "mb_s=%.1f\n",
		       dialects[d].name, len, count, med * 1e3,
		       (double)len / 1e6 / med);
		free(t);
	}
	free(text);
	return 0;
}
