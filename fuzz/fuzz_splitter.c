/*
 * libFuzzer target for the SQL statement splitter (core/splitter.c).
 *
 * Input layout: the first two bytes (little-endian) are the STRATA_SPLIT_*
 * flags, masked to the defined bits; the rest is the SQL text. The SQL is
 * copied into a buffer of exactly its length so that ASan catches any read
 * past the end (the splitter takes a length, not a NUL-terminated string).
 * NUL bytes are allowed in the input (memory safety still matters), but the
 * "statement is non-empty" check is skipped for them: strata__script_load
 * refuses files with a NUL byte before splitting.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define SPLIT_ALL_FLAGS                                                        \
	(STRATA_SPLIT_DOLLAR_QUOTES | STRATA_SPLIT_DELIMITER |                 \
	 STRATA_SPLIT_BEGIN_END | STRATA_SPLIT_BACKSLASH_ESC |                 \
	 STRATA_SPLIT_HASH_COMMENT | STRATA_SPLIT_BRACKET_IDENT |              \
	 STRATA_SPLIT_BACKTICK_IDENT | STRATA_SPLIT_NESTED_COMMENTS |          \
	 STRATA_SPLIT_E_STRINGS | STRATA_SPLIT_DQUOTE_STRING)

static void check(int ok, const char *what, const uint8_t *data, size_t size)
{
	if (ok)
		return;
	fprintf(stderr,
	        "fuzz_splitter: invariant violated: %s (input %zu "
	        "bytes)\n",
	        what, size);
	(void)data;
	abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strata__stmts out;
	strata_error err;
	unsigned flags;
	size_t len, i, lines = 1;
	int has_nul = 0;
	char *sql;
	int rc;

	if (size < 2)
		return 0;
	flags = ((unsigned)data[0] | ((unsigned)data[1] << 8)) &
	        SPLIT_ALL_FLAGS;
	len = size - 2;
	sql = malloc(len ? len : 1);
	if (!sql)
		return 0;
	if (len)
		memcpy(sql, data + 2, len);
	for (i = 0; i < len; i++) {
		if (sql[i] == '\n')
			lines++;
		else if (sql[i] == '\0')
			has_nul = 1;
	}

	memset(&err, 0, sizeof(err));
	rc = strata__split(&out, sql, len, flags, "fuzz.sql", &err);
	if (rc == STRATA_OK) {
		check(out.count == 0 || out.items != NULL, "items NULL", data,
		      size);
		for (i = 0; i < out.count; i++) {
			const strata__stmt *st = &out.items[i];

			check(st->sql != NULL, "statement sql NULL", data,
			      size);
			/* A statement starts at a significant byte, so it is
			 * never empty; only an embedded NUL can make it look
			 * so (strata__script_load rejects such files). */
			check(has_nul || st->sql[0] != '\0', "empty statement",
			      data, size);
			check(st->line >= 1, "statement line < 1", data, size);
			check((size_t)st->line <= lines + 1,
			      "statement line past the end of input", data,
			      size);
			if (i > 0)
				check(st->line >= out.items[i - 1].line,
				      "statement lines not ascending", data,
				      size);
		}
		check(err.message == NULL, "error message set on success", data,
		      size);
	} else {
		check(err.message != NULL, "error without message", data, size);
		check(err.line >= 0, "error line < 0", data, size);
		check((size_t)err.line <= lines + 1,
		      "error line past the end of input", data, size);
		check(out.count == 0 && out.items == NULL,
		      "statements left allocated after an error", data, size);
	}
	strata__stmts_free(&out);
	strata_error_clear(&err);
	free(sql);
	return 0;
}
