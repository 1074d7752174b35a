/* strata status: where each migration stands, and whether the schema has
 * changed outside strata since the last recorded fingerprint. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* The latest run describes the schema now; with out-of-order migrations
 * that need not be the highest version. */
static const strata_history_row *reference(const strata_history *h)
{
	const strata_history_row *r = strata__history_latest(h);

	return r && r->fingerprint ? r : NULL;
}

static int check_schema(strata_status *st, strata *s, const strata_history *h,
                        strata_error *err)
{
	const strata_history_row *ref = reference(h);
	strata__schema *sc = NULL;
	int rc;

	if (!ref || st->failed)
		return STRATA_OK;
	rc = strata__schema_read(&sc, s->drv, s->conn, s->hist_table, err);
	if (rc)
		return rc;
	st->schema_checked = 1;
	st->schema_since =
	        strata__pool_strdup(strata__status_pool(st), ref->version);
	st->schema_drift =
	        strcmp(strata__schema_fingerprint(sc), ref->fingerprint) != 0;
	strata__schema_free(sc);
	return STRATA_OK;
}

int strata_status_get(strata_status **out, strata *s, strata_error *err)
{
	strata_history *h = NULL;
	int rc = strata__history_load(&h, s, err);

	*out = NULL;
	if (!rc)
		rc = strata__status_build(out, s, h, err);
	if (!rc)
		rc = check_schema(*out, s, h, err);
	if (rc) {
		strata_status_free(*out);
		*out = NULL;
	}
	strata_history_free(h);
	return rc;
}
