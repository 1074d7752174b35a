/* strata baseline, resolve and repair: history changes without running
 * SQL. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

int strata__baseline_one(strata *s, const strata__migration *m,
                         const strata__script *sc, const char *fp,
                         const char *who, strata_error *err)
{
	char sum[STRATA__SHA256_HEX];
	strata__row row;
	int rc;

	if (!sc)
		strata__sha256_hex(sum, "", 0);
	strata__row_init(&row, m, sc ? strata__basename(sc->path) : "",
	                 sc ? sc->checksum : sum, "baseline", who);
	strata__row_finish(&row, strata__now_ms());
	row.row.fingerprint = strata__row_str(&row, fp);
	rc = strata__history_insert(s, &row.row, err);
	if (!rc)
		strata__emit(s, STRATA_EV_BASELINED, m->version, m->id, m->name,
		             row.row.source, 0, 0, NULL);
	strata__row_clear(&row);
	return rc;
}

static int check_baseline(const strata_status *st, const char *version,
                          strata_error *err)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (st->items[i].state != STRATA_STATE_PENDING &&
		    strata__version_cmp(st->items[i].version, version) > 0)
			return strata__err(err, STRATA_EUSAGE,
			                   "cannot baseline at %s: %s is "
			                   "already recorded",
			                   version, st->items[i].id);
	return strata__refuse_if_unclean(st, err);
}

/* Every file baseline records is read and validated before the first row
 * is written. sc[i] belongs to st->items[i]; its path stays NULL when the
 * migration has no file for the driver. */
static int load_all(strata__script *sc, strata *s, const strata_status *st,
                    const char *version, strata_error *err)
{
	size_t i;
	int rc = STRATA_OK;

	for (i = 0; rc == STRATA_OK && i < st->count; i++) {
		const strata__migration *m;
		const char *file;

		if (!strata__pending_upto(&st->items[i], version))
			continue;
		m = strata__source_find(&s->src, st->items[i].version);
		file = strata__file_for(s, m, 1);
		if (file)
			rc = strata__script_open(&sc[i], s, file, err);
	}
	return rc;
}

static int check_version_arg(strata *s, const char *version, strata_error *err)
{
	if (!strata__version_valid(version) || strata__version_is_zero(version))
		return strata__err(err, STRATA_EUSAGE,
		                   "'%s' is not a migration version", version);
	return strata__version_known(s, version, err);
}

int strata_baseline(strata *s, const char *version, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	strata__script *sc = NULL;
	char *who = strata__whoami(), *fp = NULL;
	size_t i;
	int rc = check_version_arg(s, version, err);

	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc)
		rc = check_baseline(st, version, err);
	if (!rc)
		rc = strata__history_check_wide(s, st, version, err);
	if (!rc) {
		sc = strata__calloc(st->count + 1, sizeof(*sc));
		rc = load_all(sc, s, st, version, err);
	}
	if (!rc)
		fp = strata__fingerprint(s);
	for (i = 0; !rc && i < st->count; i++)
		if (strata__pending_upto(&st->items[i], version))
			rc = strata__baseline_one(
			        s,
			        strata__source_find(&s->src,
			                            st->items[i].version),
			        sc[i].path ? &sc[i] : NULL, fp, who, err);
	for (i = 0; sc && i < st->count; i++)
		strata__script_free(&sc[i]);
	free(sc);
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
	const strata__migration *m = strata__source_find(&s->src, old->version);
	const char *file = m ? strata__file_for(s, m, 1) : NULL;
	char sum[STRATA__SHA256_HEX];
	strata_history_row row = *old;
	int rc = STRATA_OK;

	/* The human vouches for the file as it is now. */
	if (m)
		rc = strata__checksum_for(sum, file, err);
	if (rc)
		return rc;
	row.checksum = m ? sum : old->checksum;
	row.status = "applied";
	return strata__history_update(s, &row, err);
}

int strata_resolve(strata *s, const char *version, int applied,
                   strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	const strata_history_row *r;
	int rc = strata__version_valid(version)
	                 ? strata__prepare(s, &st, &h, err)
	                 : strata__err(err, STRATA_EUSAGE,
	                               "'%s' is not a migration version",
	                               version);

	r = rc ? NULL : strata__history_find(h, version);
	if (!rc && (!r || !r->status || strcmp(r->status, "failed") != 0))
		rc = strata__err(err, STRATA_EUSAGE,
		                 "migration %s is not failed (%s); nothing to "
		                 "resolve",
		                 version,
		                 !r          ? "not in history"
		                 : r->status ? r->status
		                             : "status NULL");
	if (!rc)
		rc = applied ? mark_applied(s, r, err)
		             : strata__history_delete(s, r->version, err);
	if (!rc) {
		const strata__migration *m =
		        strata__source_find(&s->src, version);

		strata__emit(s, STRATA_EV_RESOLVED, r->version,
		             m ? m->id : NULL, r->name ? r->name : "?", NULL, 0,
		             0, applied ? "applied" : "rolled back");
		strata__stamp_latest(s);
	}
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}

static const strata_status_item *find_item(const strata_status *st,
                                           const char *version)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (!strata__version_cmp(st->items[i].version, version))
			return &st->items[i];
	return NULL;
}

/* Only applied or baseline rows whose file changed: a skipped row's new
 * file never ran, and a failed one needs resolve. */
static int repairable(const strata_status_item *it)
{
	return it->state == STRATA_STATE_MODIFIED && it->status &&
	       (!strcmp(it->status, "applied") ||
	        !strcmp(it->status, "baseline"));
}

static int check_named(const strata_status *st, const char *const *v, size_t n,
                       strata_error *err)
{
	size_t i;

	for (i = 0; i < n; i++) {
		const strata_status_item *it = find_item(st, v[i]);

		if (!strata__version_valid(v[i]))
			return strata__err(err, STRATA_EUSAGE,
			                   "'%s' is not a migration version",
			                   v[i]);
		if (!it)
			return strata__err(err, STRATA_EUSAGE,
			                   "no migration with version %s",
			                   v[i]);
		if (strata__refuse_skipped_with_file(st, it, STRATA_EUSAGE,
		                                     err))
			return STRATA_EUSAGE;
		if (!repairable(it))
			return strata__err(
			        err, STRATA_EUSAGE,
			        "%s is %s%s%s, not an applied migration whose "
			        "file changed; nothing to repair",
			        it->id, strata_state_name(it->state),
			        it->status ? " with status " : "",
			        it->status ? it->status : "");
	}
	return STRATA_OK;
}

static int repair_one(strata *s, const strata_status_item *it,
                      const strata_history *h, strata_error *err)
{
	const strata_history_row *old = strata__history_find(h, it->version);
	const strata__migration *m = strata__source_find(&s->src, it->version);
	char sum[STRATA__SHA256_HEX];
	strata_history_row row = *old;
	char *detail;
	int rc = strata__checksum_for(sum, strata__file_for(s, m, 1), err);

	if (rc)
		return rc;
	row.checksum = sum;
	rc = strata__history_update(s, &row, err);
	if (rc)
		return rc;
	detail = strata__printf("%.12s -> %.12s",
	                        old->checksum ? old->checksum : "(none)", sum);
	strata__emit(s, STRATA_EV_REPAIRED, it->version, it->id, it->name,
	             it->source, 0, 0, detail);
	free(detail);
	return STRATA_OK;
}

static int named(const strata_status_item *it, const char *const *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strata__version_cmp(it->version, v[i]))
			return 1;
	return n == 0;
}

int strata_repair(strata *s, const char *const *versions, size_t n,
                  strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	size_t i, done = 0;
	int rc = strata__prepare(s, &st, &h, err);

	if (!rc)
		rc = check_named(st, versions, n, err);
	if (!rc && n == 0)
		rc = strata__refuse_skipped_with_file(st, NULL, STRATA_EUSAGE,
		                                      err);
	for (i = 0; !rc && i < st->count; i++) {
		if (!repairable(&st->items[i]) ||
		    !named(&st->items[i], versions, n))
			continue;
		rc = repair_one(s, &st->items[i], h, err);
		done += !rc;
	}
	/* Only claim that all is well when status agrees. */
	if (!rc && !done)
		strata__emit(s, STRATA_EV_NOTHING, NULL, NULL, NULL, NULL, 0, 0,
		             st->drifted ? "nothing to repair: no applied "
		                           "migration's file changed (some "
		                           "are missing: see 'strata status')"
		                         : "nothing to repair: every applied "
		                           "migration matches its file");
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
