/* strata baseline and strata resolve: history changes without running SQL. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

static int baseline_one(strata *s, const strata_migration *m, const char *fp,
                        const char *who, strata_error *err)
{
	const char *file = strata_migration_file(m, 1, s->drv->name);
	char sum[STRATA_SHA256_HEX];
	strata_history_row row;
	int rc = strata__checksum_for(sum, file, err);

	if (rc)
		return rc;
	strata__row_init(&row, m, file ? strata__basename(file) : "", sum,
	                 "baseline", who);
	strata__row_finish(&row, strata__now_ms());
	row.fingerprint = strata__strdup(fp);
	rc = strata__history_insert(s, &row, err);
	if (!rc)
		strata__emit(s, STRATA_EV_BASELINED, m->version, m->name,
		             row.source, 0, 0, NULL);
	strata__row_clear(&row);
	return rc;
}

static int check_baseline(const strata_status *st, int64_t version,
                          strata_error *err)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (st->items[i].state != STRATA_STATE_PENDING &&
		    st->items[i].version > version)
			return strata__err(
			        err, STRATA_EUSAGE,
			        "cannot baseline at %lld: %lld_%s is "
			        "already recorded",
			        (long long)version,
			        (long long)st->items[i].version,
			        st->items[i].name);
	return strata__refuse_if_unclean(st, err);
}

int strata_baseline(strata *s, int64_t version, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	char *who = strata__whoami(), *fp = NULL;
	size_t i;
	int rc = strata__version_known(s, version, err);

	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc)
		rc = check_baseline(st, version, err);
	if (!rc)
		fp = strata__fingerprint(s);
	for (i = 0; !rc && i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_PENDING &&
		    st->items[i].version <= version)
			rc = baseline_one(
			        s,
			        strata_source_find(&s->src,
			                           st->items[i].version),
			        fp, who, err);
	free(fp);
	free(who);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}

static int mark_applied(strata *s, const strata_history_row *old,
                        strata_error *err)
{
	const strata_migration *m = strata_source_find(&s->src, old->version);
	const char *file = m ? strata_migration_file(m, 1, s->drv->name) : NULL;
	char sum[STRATA_SHA256_HEX];
	strata_history_row row = *old;
	int rc = STRATA_OK;

	/* The human vouches for the file as it is now. */
	if (m)
		rc = strata__checksum_for(sum, file, err);
	if (rc)
		return rc;
	row.checksum = m ? sum : old->checksum;
	row.status = "applied";
	row.fingerprint = strata__fingerprint(s);
	rc = strata__history_update(s, &row, err);
	free(row.fingerprint);
	return rc;
}

int strata_resolve(strata *s, int64_t version, int applied, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	const strata_history_row *r;
	int rc = strata__prepare(s, &st, &h, err);

	r = rc ? NULL : strata__history_find(h, version);
	if (!rc && (!r || strcmp(r->status, "failed") != 0))
		rc = strata__err(
		        err, STRATA_EUSAGE,
		        "migration %lld is not failed (%s); nothing to "
		        "resolve",
		        (long long)version, r ? r->status : "not in history");
	if (!rc)
		rc = applied ? mark_applied(s, r, err)
		             : strata__history_delete(s, version, err);
	if (!rc)
		strata__emit(s, STRATA_EV_RESOLVED, version, r->name, NULL, 0,
		             0, applied ? "applied" : "rolled back");
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
