/* strata status: where each migration stands, and whether the schema has
 * changed outside strata since the last recorded fingerprint; if so, what
 * changed, from the snapshot stored with it (snapshot.c). */
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* The latest run describes the schema now; with out-of-order migrations
 * that need not be the highest version. */
static const strata_history_row *reference(const strata_history *h)
{
	const strata_history_row *r = strata__history_latest(h);

	return r && r->fingerprint ? r : NULL;
}

/* Drift items from the snapshot, when there is one of the compared
 * fingerprint. Failing to explain does not fail status: the drift itself
 * is known, so it is reported without detail. */
static void explain(strata_status *st, strata *s, const strata__schema *now,
                    const char *ref_fp)
{
	char *fp = NULL, *text = NULL;
	strata__model *before = NULL, *cur = NULL;
	strata_diff_item *items = NULL;
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (strata__snapshot_read(s, &fp, &text, &e) == STRATA_OK && fp &&
	    !strcmp(fp, ref_fp) &&
	    strata__model_from_snapshot(&before, s->drv->name, text,
	                                s->hist_table, &e) == STRATA_OK &&
	    strata__model_from_snapshot(&cur, s->drv->name,
	                                strata__schema_record(now),
	                                s->hist_table, &e) == STRATA_OK) {
		strata__drift_items(strata__status_pool(st), before, cur,
		                    &items, &st->drift_count);
		st->drift = items;
		st->drift_explained = 1;
	}
	strata__model_free(before);
	strata__model_free(cur);
	strata_error_clear(&e);
	free(fp);
	free(text);
}

static int check_schema(strata_status *st, strata *s, const strata_history *h,
                        strata_error *err)
{
	const strata_history_row *ref = reference(h);
	strata__schema *sc = NULL;
	int rc;

	if (!ref || st->failed)
		return STRATA_OK;
	if (!s->full_check && strata__snapshot_unchanged(s, ref->fingerprint)) {
		st->schema_checked = st->schema_by_digest = 1;
		st->schema_since = strata__pool_strdup(strata__status_pool(st),
		                                       ref->version);
		return STRATA_OK;
	}
	rc = strata__schema_read(&sc, s->drv, s->conn, s->hist_table, err);
	if (rc)
		return rc;
	st->schema_checked = 1;
	st->schema_since =
	        strata__pool_strdup(strata__status_pool(st), ref->version);
	st->schema_drift = !strata__schema_matches(sc, ref->fingerprint);
	if (st->schema_drift)
		explain(st, s, sc, ref->fingerprint);
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

void strata_set_full_check(strata *s, int on)
{
	s->full_check = on;
}

const strata_diff_item *strata_status_drift_at(const strata_status *st,
                                               size_t i)
{
	if (!st || i >= st->drift_count)
		return NULL;
	return &st->drift[i];
}
