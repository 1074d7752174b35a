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
	                                    "missing",  "unknown"};
	return (unsigned)st < sizeof(names) / sizeof(names[0]) ? names[st]
	                                                       : "unknown";
}

/* Only the documented values count; "FAILED", "failed " or NULL must not
 * read as applied. */
static strata_state row_state(const strata_history_row *r)
{
	if (!strata__row_known_status(r->status) ||
	    !strata__version_valid(r->version))
		return STRATA_STATE_UNKNOWN;
	if (!strcmp(r->status, "failed"))
		return STRATA_STATE_FAILED;
	if (!strcmp(r->status, "skipped"))
		return STRATA_STATE_SKIPPED;
	if (!strcmp(r->status, "baseline"))
		return STRATA_STATE_BASELINE;
	return STRATA_STATE_APPLIED;
}

/* The result and the strings its items point to, freed together. */
typedef struct status_box {
	strata_status pub; /* first: strata_status_free() gets the box back */
	strata__pool pool;
	size_t cap;
} status_box;

strata__pool *strata__status_pool(strata_status *st)
{
	return &((status_box *)st)->pool;
}

static strata_status_item *add_item(strata_status *st)
{
	status_box *box = (status_box *)(void *)st;
	strata_status_item *it;

	if (st->count == box->cap) {
		box->cap = box->cap ? 2 * box->cap : 64;
		st->items = strata__realloc(st->items,
		                            box->cap * sizeof(*st->items));
	}
	it = &st->items[st->count++];
	memset(it, 0, sizeof(*it));
	return it;
}

static void fill_from_row(strata_status *st, strata_status_item *it,
                          const strata_history_row *r)
{
	strata__pool *pool = strata__status_pool(st);

	it->applied_at = strata__pool_strdup(pool, r->finished_at);
	it->started_at = strata__pool_strdup(pool, r->started_at);
	it->applied_by = strata__pool_strdup(pool, r->applied_by);
	it->status = strata__pool_strdup(pool, r->status);
	it->duration_ms = r->duration_ms;
	it->steps = r->steps;
	it->error = strata__pool_strdup(pool, r->error);
	it->state = row_state(r);
}

/* The highest version in history, or NULL. */
static const char *max_applied(const strata_history *h)
{
	const char *max = NULL;
	size_t i;

	for (i = 0; i < h->count; i++)
		if (strata__version_valid(h->rows[i].version) &&
		    (!max || strata__version_cmp(h->rows[i].version, max) > 0))
			max = h->rows[i].version;
	return max;
}

/* Where applied files' checksums come from. */
typedef struct merge_ctx {
	strata *s;              /* looked up by its prefetch, or NULL */
	strata__sumcache *sums; /* NULL: read every file */
	int full;               /* read them even when cached */
	int states_only;        /* no checksums: applied is never modified */
} merge_ctx;

static int checksums(const merge_ctx *mc, size_t i, const char *file,
                     char sum[STRATA__SHA256_HEX], char raw[STRATA__SHA256_HEX],
                     strata_error *err)
{
	if (mc->s && strata__source_presum(mc->s, i, sum, raw))
		return STRATA_OK;
	return strata__sumcache_get(mc->sums, mc->full, sum, raw, file, err);
}

/* i: m's index in its source; r: its history row, or NULL; max: the
 * highest version in history, or NULL. */
static int add_migration(strata_status *st, const char *const *names,
                         const strata__migration *m, size_t i,
                         const strata_history_row *r, const char *max,
                         const merge_ctx *mc, strata_error *err)
{
	const char *file = strata__migration_file_in(m, 1, names);
	strata_status_item *it = add_item(st);
	strata__pool *pool = strata__status_pool(st);
	char sum[STRATA__SHA256_HEX], raw[STRATA__SHA256_HEX];
	int rc;

	it->version = strata__pool_strdup(pool, m->version);
	it->id = strata__pool_strdup(pool, m->id);
	it->name = strata__pool_strdup(pool, m->name);
	it->source =
	        file ? strata__pool_strdup(pool, strata__basename(file)) : NULL;
	if (!r) {
		it->state = STRATA_STATE_PENDING;
		it->out_of_order =
		        max && strata__version_cmp(m->version, max) < 0;
		return STRATA_OK;
	}
	fill_from_row(st, it, r);
	if (it->state == STRATA_STATE_FAILED ||
	    it->state == STRATA_STATE_UNKNOWN || mc->states_only)
		return STRATA_OK;
	rc = checksums(mc, i, file, sum, raw, err);
	if (rc)
		return rc;
	/* Releases before 0.2 recorded the raw bytes of CRLF/BOM files. */
	if (!r->checksum ||
	    (strcmp(sum, r->checksum) != 0 && strcmp(raw, r->checksum) != 0))
		it->state = STRATA_STATE_MODIFIED;
	return STRATA_OK;
}

static void add_missing(strata_status *st, const strata_history_row *r)
{
	strata_status_item *it = add_item(st);
	strata__pool *pool = strata__status_pool(st);
	const char *v = r->version ? r->version : "";

	it->version = strata__pool_strdup(pool, v);
	it->name = strata__pool_strdup(pool, r->name ? r->name : "?");
	it->id = strata__pool_take(
	        pool, strata__printf("%s_%s", *v ? v : "?", it->name));
	it->source = strata__pool_strdup(pool, r->source);
	fill_from_row(st, it, r);
	if (it->state != STRATA_STATE_FAILED &&
	    it->state != STRATA_STATE_UNKNOWN)
		it->state = STRATA_STATE_MISSING;
}

static int cmp_items(const void *a, const void *b)
{
	const strata_status_item *x = a, *y = b;
	return strata__version_cmp(x->version, y->version);
}

static void count(strata_status *st)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		strata_state k = st->items[i].state;

		st->pending += k == STRATA_STATE_PENDING;
		st->failed += k == STRATA_STATE_FAILED;
		st->unknown += k == STRATA_STATE_UNKNOWN;
		st->drifted +=
		        k == STRATA_STATE_MODIFIED || k == STRATA_STATE_MISSING;
	}
}

/* h itself when sorted by version (as loaded), else a sorted copy in
 * *tmp: a caller may build its history by hand. */
static const strata_history *sorted_view(const strata_history *h,
                                         strata_history *tmp)
{
	size_t i;

	for (i = 1; i < h->count; i++)
		if (strata__history_cmp_rows(&h->rows[i - 1], &h->rows[i]) > 0)
			break;
	if (i >= h->count)
		return h;
	*tmp = *h;
	tmp->rows = strata__malloc(h->count * sizeof(*h->rows));
	memcpy(tmp->rows, h->rows, h->count * sizeof(*h->rows));
	qsort(tmp->rows, h->count, sizeof(*h->rows), strata__history_cmp_rows);
	return tmp;
}

/* The status of src's migrations against h, for a driver whose override
 * files are named `names`. src is sorted by version without duplicates,
 * as strata__source_load_for() returns it: the two are walked together. */
static int merge(strata_status **out, const strata__source *src,
                 const char *const *names, const strata_history *h,
                 const merge_ctx *mc, strata_error *err)
{
	status_box *box = strata__calloc(1, sizeof(*box));
	strata_status *st = &box->pub;
	const char *max = max_applied(h);
	strata_history sorted;
	size_t i, j = 0;
	int rc = STRATA_OK;

	*out = NULL;
	h = sorted_view(h, &sorted);
	st->item_size = sizeof(strata_status_item);
	/* One item a folder, and one a row without one: usually the larger
	 * of the two, grown past it only when rows lack folders. */
	box->cap = (src->count > h->count ? src->count : h->count) + 16;
	st->items = strata__malloc(box->cap * sizeof(*st->items));
	/* Both sorted by version: one walk. Rows between two folders (and
	 * rows of invalid versions, which sort first) have no folder. */
	for (i = 0; rc == STRATA_OK && i < src->count; i++) {
		const char *v = src->items[i].version;
		const strata_history_row *r = NULL;

		while (j < h->count &&
		       strata__version_cmp(h->rows[j].version, v) < 0)
			add_missing(st, &h->rows[j++]);
		if (j < h->count && !strata__version_cmp(h->rows[j].version, v))
			r = &h->rows[j];
		while (j < h->count &&
		       !strata__version_cmp(h->rows[j].version, v))
			j++;
		rc = add_migration(st, names, &src->items[i], i, r, max, mc,
		                   err);
	}
	while (rc == STRATA_OK && j < h->count)
		add_missing(st, &h->rows[j++]);
	if (h == &sorted)
		free(sorted.rows);
	if (rc) {
		strata_status_free(st);
		return rc;
	}
	strata__sort(st->items, st->count, sizeof(*st->items), cmp_items);
	count(st);
	*out = st;
	return STRATA_OK;
}

int strata__status_pending(strata_status **out, strata *s,
                           const strata_history *h, strata_error *err)
{
	merge_ctx mc = {NULL, NULL, 0, 1};
	int rc = strata__source_get(s, err);

	*out = NULL;
	return rc ? rc : merge(out, &s->src, s->file_names, h, &mc, err);
}

int strata__status_build(strata_status **out, strata *s,
                         const strata_history *h, strata_error *err)
{
	merge_ctx mc = {s, NULL, s->full_check, 0};
	int rc = strata__source_get(s, err);

	*out = NULL;
	if (rc)
		return rc;
	mc.sums = strata__sums(s);
	rc = merge(out, &s->src, s->file_names, h, &mc, err);
	strata__source_done(s);
	strata__sumcache_flush(s->sums);
	return rc;
}

int strata__status_merge(strata_status **out, const strata__source *src,
                         const char *driver, const strata_history *h,
                         strata_error *err)
{
	const char *names[2] = {driver, NULL};
	merge_ctx mc = {NULL, NULL, 0, 0};

	return merge(out, src, names, h, &mc, err);
}

void strata_status_free(strata_status *st)
{
	status_box *box = (status_box *)st;

	if (!st)
		return;
	free(st->items);
	strata__pool_free(&box->pool);
	free(box);
}

static int refuse_failed(const strata_status_item *it, strata_error *err)
{
	char *when = it->applied_at ? strata__strdup(it->applied_at)
	             : it->started_at
	                     ? strata__printf("%s (started, never finished)",
	                                      it->started_at)
	                     : strata__strdup("an unknown time");
	int rc = strata__err(
	        err, STRATA_EFAIL,
	        "migration %s failed at %s after %d statement(s) and the "
	        "database may be half-migrated: %s. Repair the database by "
	        "hand, then run 'strata resolve %s --applied' (the "
	        "migration's changes are complete) or 'strata resolve %s "
	        "--rolled-back' (they are undone)",
	        it->id, when, it->steps,
	        it->error ? it->error : "no error recorded", it->version,
	        it->version);

	free(when);
	return rc;
}

static int refuse_unknown(const strata_status *st, strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (it->state != STRATA_STATE_UNKNOWN)
			continue;
		strata__buf_printf(&b, "%s%s (", b.len ? ", " : "", it->id);
		if (!*it->version)
			strata__buf_puts(&b, "version NULL or empty)");
		else if (!strata__version_valid(it->version))
			strata__buf_printf(&b, "version '%s' is not digits)",
			                   it->version);
		else if (it->status)
			strata__buf_printf(&b, "status '%s')", it->status);
		else
			strata__buf_puts(&b, "status NULL)");
	}
	rc = strata__err(err, STRATA_EDRIFT,
	                 "the history table has rows strata does not "
	                 "understand: %s; versions are digits and the "
	                 "documented statuses are applied, failed, skipped "
	                 "and baseline. Fix the rows by hand",
	                 b.ptr);
	strata__buf_free(&b);
	return rc;
}

static int skipped_with_file(const strata_status_item *it)
{
	return it->state == STRATA_STATE_MODIFIED && it->status &&
	       !strcmp(it->status, "skipped");
}

/* The version 'down --to' must name to remove the row of st->items[k]:
 * the nearest older migration that has a folder, else 0. */
static const char *version_before(const strata_status *st, size_t k)
{
	while (k-- > 0)
		if (st->items[k].state != STRATA_STATE_MISSING &&
		    st->items[k].state != STRATA_STATE_UNKNOWN)
			return st->items[k].version;
	return "0";
}

/* A migration recorded as skipped (no file for this driver then) that
 * has one now never ran here, and repair cannot make it so. */
static void explain_skipped(strata__buf *b, const strata_status *st, size_t i)
{
	const strata_status_item *it = &st->items[i];

	strata__buf_printf(
	        b,
	        "%s is recorded as skipped on this driver (it had no file "
	        "for it) but now has %s, which never ran here; repair cannot "
	        "change that. To run it: 'strata down --to %s' (reverts what "
	        "came after it and removes the skipped row), then 'strata "
	        "up'; or restore the file layout it was skipped with",
	        it->id, it->source ? it->source : "an up file",
	        version_before(st, i));
}

int strata__refuse_skipped_with_file(const strata_status *st,
                                     const strata_status_item *only, int code,
                                     strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;
	int rc;

	for (i = 0; i < st->count; i++)
		if (skipped_with_file(&st->items[i]) &&
		    (!only || &st->items[i] == only))
			break;
	if (i == st->count)
		return STRATA_OK;
	explain_skipped(&b, st, i);
	rc = strata__err(err, code, "%s", b.ptr);
	strata__buf_free(&b);
	return rc;
}

/* Failed first: it is the more urgent. Then rows with an undocumented
 * status, then drift, all names listed. */
int strata__refuse_if_unclean(const strata_status *st, strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i, n = 0, other = 0, skipped = st->count;
	int rc;

	for (i = 0; i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_FAILED)
			return refuse_failed(&st->items[i], err);
	if (st->unknown)
		return refuse_unknown(st, err);
	if (!st->drifted)
		return STRATA_OK;
	strata__buf_puts(&b, "applied migrations changed on disk: ");
	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (it->state != STRATA_STATE_MODIFIED &&
		    it->state != STRATA_STATE_MISSING)
			continue;
		strata__buf_printf(&b, "%s%s (%s)", n++ ? ", " : "", it->id,
		                   strata_state_name(it->state));
		if (skipped_with_file(it))
			skipped = skipped < st->count ? skipped : i;
		else
			other++;
	}
	if (other)
		strata__buf_puts(&b,
		                 "; restore the files, or accept a "
		                 "deliberate edit with 'strata repair' (see "
		                 "'strata status')");
	if (skipped < st->count) {
		strata__buf_puts(&b, "; ");
		explain_skipped(&b, st, skipped);
	}
	rc = strata__err(err, STRATA_EDRIFT, "%s", b.ptr);
	strata__buf_free(&b);
	return rc;
}

static const strata_status_item *newest_recorded(const strata_status *st)
{
	size_t i;

	for (i = st->count; i-- > 0;)
		if (st->items[i].state != STRATA_STATE_PENDING)
			return &st->items[i];
	return NULL;
}

int strata__refuse_out_of_order(strata *s, const strata_status *st,
                                const char *target, strata_error *err)
{
	const strata_status_item *newest = newest_recorded(st);
	strata__buf b = STRATA__BUF_INIT;
	size_t i, n = 0;
	int rc;

	if (s->allow_out_of_order || strata_config_out_of_order(s->cfg))
		return STRATA_OK;
	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (!it->out_of_order || !strata__pending_upto(it, target))
			continue;
		strata__buf_printf(&b, "%s%s", n++ ? ", " : "", it->id);
	}
	if (!n)
		return STRATA_OK;
	rc = strata__err(err, STRATA_EDRIFT,
	                 "pending migration%s older than the newest applied "
	                 "one (%s): %s; nothing was run. If applying %s out "
	                 "of order is safe, run 'strata up "
	                 "--allow-out-of-order' or set out_of_order = allow",
	                 n == 1 ? "" : "s", newest ? newest->id : "?", b.ptr,
	                 n == 1 ? "it" : "them");
	strata__buf_free(&b);
	return rc;
}

int strata__version_known(strata *s, const char *version, strata_error *err)
{
	int rc = strata__source_get(s, err);

	if (rc)
		return rc;
	if (!strata__source_find(&s->src, version))
		return strata__err(err, STRATA_EUSAGE,
		                   "no migration with version %s in %s",
		                   version, s->src.dir);
	return STRATA_OK;
}

int strata__pending_upto(const strata_status_item *it, const char *target)
{
	return it->state == STRATA_STATE_PENDING &&
	       (!target || strata__version_cmp(it->version, target) <= 0);
}
