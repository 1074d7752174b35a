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

/* A failed row says the schema is half-way: nothing to compare. */
static int any_failed(const strata_history *h)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		if (h->rows[i].status && !strcmp(h->rows[i].status, "failed") &&
		    strata__version_valid(h->rows[i].version))
			return 1;
	return 0;
}

/* What the schema check found, read before the status is built so that
 * the database works while the folder is read (prefetch.c). */
typedef struct probe {
	const strata_history_row *ref; /* NULL: nothing to compare */
	int by_digest;                 /* the catalog is as recorded */
	strata__schema *sc;            /* else the schema now */
} probe;

static int probe_schema(probe *pr, strata *s, const strata_history *h,
                        strata_error *err)
{
	memset(pr, 0, sizeof(*pr));
	pr->ref = reference(h);
	if (!pr->ref || any_failed(h))
		pr->ref = NULL;
	else if (!s->full_check &&
	         strata__snapshot_unchanged(s, pr->ref->fingerprint))
		pr->by_digest = 1;
	else
		return strata__schema_read(&pr->sc, s->drv, s->conn,
		                           s->hist_table, err);
	return STRATA_OK;
}

static void report_schema(strata_status *st, strata *s, const probe *pr)
{
	if (!pr->ref)
		return;
	st->schema_checked = 1;
	st->schema_by_digest = pr->by_digest;
	st->schema_since =
	        strata__pool_strdup(strata__status_pool(st), pr->ref->version);
	if (pr->by_digest)
		return;
	st->schema_drift =
	        !strata__schema_matches(pr->sc, pr->ref->fingerprint);
	if (st->schema_drift)
		explain(st, s, pr->sc, pr->ref->fingerprint);
}

/* The folder's errors (read on the thread) come before the schema's, as
 * they did when the folder was read first. */
int strata_status_get(strata_status **out, strata *s, strata_error *err)
{
	strata_history *h = NULL;
	probe pr = {NULL, 0, NULL};
	strata_error pe;
	int rc, prc = STRATA_OK;

	*out = NULL;
	memset(&pe, 0, sizeof(pe));
	strata__source_start(s);
	rc = strata__history_load(&h, s, err);
	if (!rc)
		prc = probe_schema(&pr, s, h, &pe);
	if (!rc)
		rc = strata__status_build(out, s, h, err);
	if (!rc && prc)
		strata__error_move(err, &pe);
	if (!rc)
		rc = prc;
	if (!rc)
		report_schema(*out, s, &pr);
	strata_error_clear(&pe);
	strata__schema_free(pr.sc);
	strata__source_done(s); /* a failure before the build left it */
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
