/*
 * The planner: merges the migrations on disk with the history table into
 * one ordered status list, and decides whether it is safe to proceed.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"

const char *strata_state_name(strata_state st)
{
	static const char *const names[] = {"pending",  "applied", "skipped",
	                                    "baseline", "failed",  "modified",
	                                    "missing"};
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st]
	                                                       : "unknown";
}

static strata_state row_state(const strata_history_row *r)
{
	if (!strcmp(r->status, "failed"))
		return STRATA_STATE_FAILED;
	if (!strcmp(r->status, "skipped"))
		return STRATA_STATE_SKIPPED;
	if (!strcmp(r->status, "baseline"))
		return STRATA_STATE_BASELINE;
	return STRATA_STATE_APPLIED;
}

static strata_status_item *add_item(strata_status *st)
{
	strata_status_item *it;

	st->items = strata__realloc(st->items,
	                            (st->count + 1) * sizeof(*st->items));
	it = &st->items[st->count++];
	memset(it, 0, sizeof(*it));
	return it;
}

static void fill_from_row(strata_status_item *it, const strata_history_row *r)
{
	it->applied_at = strata__strdup(r->finished_at);
	it->applied_by = strata__strdup(r->applied_by);
	it->duration_ms = r->duration_ms;
	it->steps = r->steps;
	it->error = strata__strdup(r->error);
	it->state = row_state(r);
}

static int64_t max_applied(const strata_history *h)
{
	int64_t max = -1;
	size_t i;

	for (i = 0; i < h->count; i++)
		if (h->rows[i].version > max)
			max = h->rows[i].version;
	return max;
}

static int add_migration(strata_status *st, const char *driver,
                         const strata_migration *m, const strata_history *h,
                         strata_error *err)
{
	const char *file = strata_migration_file(m, 1, driver);
	const strata_history_row *r = strata__history_find(h, m->version);
	strata_status_item *it = add_item(st);
	char sum[STRATA_SHA256_HEX];

	it->version = m->version;
	it->name = strata__strdup(m->name);
	it->source = file ? strata__strdup(strata__basename(file)) : NULL;
	if (!r) {
		it->state = STRATA_STATE_PENDING;
		it->out_of_order = m->version < max_applied(h);
		return STRATA_OK;
	}
	fill_from_row(it, r);
	if (it->state == STRATA_STATE_FAILED)
		return STRATA_OK;
	if (strata__checksum_for(sum, file, err))
		return STRATA_EFAIL;
	if (!r->checksum || strcmp(sum, r->checksum) != 0)
		it->state = STRATA_STATE_MODIFIED;
	return STRATA_OK;
}

static void add_missing(strata_status *st, const strata_history_row *r)
{
	strata_status_item *it = add_item(st);

	it->version = r->version;
	it->name = strata__strdup(r->name);
	it->source = strata__strdup(r->source);
	fill_from_row(it, r);
	if (it->state != STRATA_STATE_FAILED)
		it->state = STRATA_STATE_MISSING;
}

static int cmp_items(const void *a, const void *b)
{
	const strata_status_item *x = a, *y = b;
	return x->version < y->version ? -1 : x->version > y->version;
}

static void count(strata_status *st)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		strata_state k = st->items[i].state;

		st->pending += k == STRATA_STATE_PENDING;
		st->failed += k == STRATA_STATE_FAILED;
		st->drifted +=
		        k == STRATA_STATE_MODIFIED || k == STRATA_STATE_MISSING;
	}
}

int strata__status_build(strata_status **out, strata *s,
                         const strata_history *h, strata_error *err)
{
	int rc = strata__source(s, err);

	*out = NULL;
	return rc ? rc
	          : strata__status_merge(out, &s->src, s->drv->name, h, err);
}

int strata__status_merge(strata_status **out, const strata_source *src,
                         const char *driver, const strata_history *h,
                         strata_error *err)
{
	strata_status *st = strata__calloc(1, sizeof(*st));
	size_t i;
	int rc = STRATA_OK;

	*out = NULL;
	for (i = 0; rc == STRATA_OK && i < src->count; i++)
		rc = add_migration(st, driver, &src->items[i], h, err);
	for (i = 0; rc == STRATA_OK && i < h->count; i++)
		if (!strata_source_find(src, h->rows[i].version))
			add_missing(st, &h->rows[i]);
	if (rc) {
		strata_status_free(st);
		return rc;
	}
	if (st->count)
		qsort(st->items, st->count, sizeof(*st->items), cmp_items);
	count(st);
	*out = st;
	return STRATA_OK;
}

void strata_status_free(strata_status *st)
{
	size_t i;

	if (!st)
		return;
	for (i = 0; i < st->count; i++) {
		free((char *)st->items[i].name);
		free((char *)st->items[i].source);
		free((char *)st->items[i].applied_at);
		free((char *)st->items[i].applied_by);
		free((char *)st->items[i].error);
	}
	free(st->items);
	free(st);
}

static int refuse_failed(const strata_status_item *it, strata_error *err)
{
	return strata__err(
	        err, STRATA_EFAIL,
	        "migration %lld_%s failed at %s after %d statement(s) and the "
	        "database may be half-migrated: %s. Repair the database by "
	        "hand, then run 'strata resolve %lld --applied' (the "
	        "migration's changes are complete) or 'strata resolve %lld "
	        "--rolled-back' (they are undone)",
	        (long long)it->version, it->name,
	        it->applied_at ? it->applied_at : "an unknown time", it->steps,
	        it->error ? it->error : "no error recorded",
	        (long long)it->version, (long long)it->version);
}

/* Failed first: it is the more urgent. Then drift, all names listed. */
int strata__refuse_if_unclean(const strata_status *st, strata_error *err)
{
	strata_buf b = STRATA_BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_FAILED)
			return refuse_failed(&st->items[i], err);
	if (!st->drifted)
		return STRATA_OK;
	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (it->state == STRATA_STATE_MODIFIED ||
		    it->state == STRATA_STATE_MISSING)
			strata_buf_printf(&b, "%s%lld_%s (%s)",
			                  b.len ? ", " : "",
			                  (long long)it->version, it->name,
			                  strata_state_name(it->state));
	}
	rc = strata__err(err, STRATA_EDRIFT,
	                 "applied migrations changed on disk: %s; restore "
	                 "the files (see 'strata status')",
	                 b.ptr);
	strata_buf_free(&b);
	return rc;
}

int strata__version_known(strata *s, int64_t version, strata_error *err)
{
	int rc = strata__source(s, err);

	if (rc)
		return rc;
	if (!strata_source_find(&s->src, version))
		return strata__err(err, STRATA_EUSAGE,
		                   "no migration with version %lld in %s",
		                   (long long)version, s->src.dir);
	return STRATA_OK;
}
