/*
 * libFuzzer target for other tools' migration files (core/layout.c and
 * core/script.c): dbmate's and goose's sections, goose's annotations and
 * StatementBegin/End blocks, golang-migrate's and pop's files. The first
 * byte picks the file name (so the layout) and whether the up or the
 * down part is read; the rest is the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static const char *const files[] = {
        "m/20240101000001_x.sql",           /* dbmate or goose: sections */
        "m/1_x.up.sql",                     /* golang-migrate */
        "m/1_x.postgres.autocommit.up.sql", /* pop */
        "m/V1.1__x.sql",                    /* Flyway */
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strata__script sc;
	strata_error err;
	size_t i;
	int rc;

	if (size < 1)
		return 0;
	memset(&err, 0, sizeof(err));
	rc = strata__script_load_text(
	        &sc, files[data[0] % 4], (const char *)data + 1, size - 1, NULL,
	        (data[0] & 4) ? STRATA__LOAD_DOWN : 0, &err);
	if (rc == STRATA_OK) {
		if (err.message)
			abort();
		for (i = 0; i < sc.stmts.count; i++)
			if (!sc.stmts.items[i].sql ||
			    sc.stmts.items[i].line < 1)
				abort();
	} else if (!err.message || err.line < 0) {
		abort();
	}
	strata__script_free(&sc);
	strata_error_clear(&err);
	return 0;
}
