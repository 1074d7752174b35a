/* strata down: revert applied migrations, newest first, under the lock. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

/* Applied versions to revert, newest first. */
static size_t pick(int64_t *out, const strata_status *st, int count,
                   int64_t target)
{
	size_t i, n = 0;

	for (i = st->count; i-- > 0;) {
		strata_state k = st->items[i].state;

		if (k == STRATA_STATE_PENDING)
			continue;
		if (target >= 0 ? st->items[i].version <= target
		                : (int)n >= count)
			break;
		out[n++] = st->items[i].version;
	}
	return n;
}

/* Everything that would stop a revert is checked before the first one. */
static int was_skipped(const strata_history *h, int64_t version)
{
	const strata_history_row *r = strata__history_find(h, version);
	return r && r->status && !strcmp(r->status, "skipped");
}

static int check_revertible(strata *s, const strata_status_item *it,
                            const strata_history *h, strata_error *err)
{
	const strata_migration *m = strata_source_find(&s->src, it->version);
	char *want;
	int rc;

	if (!m)
		return strata__err(
		        err, STRATA_EFAIL,
		        "cannot revert %lld_%s: its migration folder "
		        "is gone",
		        (long long)it->version, it->name);
	if (was_skipped(h, it->version) ||
	    strata_migration_file(m, 0, s->drv->name))
		return STRATA_OK;
	want = strata__path_join(m->dir, "down.sql");
	rc = strata__err_at(err, STRATA_EFAIL, want, 0,
	                    "cannot revert %lld_%s: no down file (down.sql or "
	                    "down.%s.sql)",
	                    (long long)m->version, m->name, s->drv->name);
	free(want);
	return rc;
}

static const strata_status_item *item(const strata_status *st, int64_t v)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (st->items[i].version == v)
			return &st->items[i];
	return NULL;
}

static int remove_row(strata *s, int64_t version, strata_error *err)
{
	int txn = s->drv->dialect->transactional_ddl;
	int rc = txn ? strata__begin(s, err) : STRATA_OK;

	if (!rc)
		rc = strata__history_delete(s, version, err);
	if (!rc && txn)
		rc = strata__commit(s, err);
	if (rc && txn)
		strata__rollback(s);
	return rc;
}

static int revert_tx(strata *s, strata_run *run, strata_error *err)
{
	int rc = strata__begin(s, err);

	if (!rc)
		rc = strata__exec_script(s, run, err);
	if (!rc)
		rc = strata__history_delete(s, run->m->version, err);
	if (!rc)
		rc = strata__commit(s, err);
	if (rc)
		strata__rollback(s);
	return rc;
}

/* Without a transaction the row says "failed" until the revert is done. */
static int revert_direct(strata *s, strata_run *run,
                         const strata_history_row *old, strata_error *err)
{
	strata_history_row row;
	int64_t t0 = strata__now_ms();
	int rc;

	strata__row_init(&row, run->m, old->source, old->checksum, "failed",
	                 old->applied_by);
	row.error = strata__strdup("interrupted while reverting");
	rc = strata__history_update(s, &row, err);
	run->progress = &row;
	if (!rc && strata__exec_script(s, run, err))
		rc = strata__record_failure(s, &row, run, t0, err);
	else if (!rc)
		rc = strata__history_delete(s, run->m->version, err);
	strata__row_clear(&row);
	return rc;
}

static int revert_one(strata *s, const strata_status_item *it,
                      const strata_history *h, strata_error *err)
{
	const strata_migration *m = strata_source_find(&s->src, it->version);
	const char *file = strata_migration_file(m, 0, s->drv->name);
	strata_script sc;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc;

	if (was_skipped(h, it->version)) {
		rc = remove_row(s, m->version, err);
		if (!rc)
			strata__emit(s, STRATA_EV_REVERTED, m->version, m->name,
			             NULL, 0, 0, "skipped on this driver");
		return rc;
	}
	rc = strata__script_open(&sc, s, file, err);
	memset(&run, 0, sizeof(run));
	run.m = m;
	run.script = &sc;
	run.reverting = 1;
	if (!rc && strata__transactional(s, &sc))
		rc = revert_tx(s, &run, err);
	else if (!rc)
		rc = revert_direct(s, &run, strata__history_find(h, m->version),
		                   err);
	if (!rc)
		strata__emit(s, STRATA_EV_REVERTED, m->version, m->name,
		             strata__basename(file), run.steps,
		             strata__now_ms() - t0, NULL);
	strata_script_free(&sc);
	return rc;
}

/* The newest migration still applied describes the schema now; give its
 * row the fingerprint so that status compares against the right one. */
static void stamp_newest(strata *s, const strata_status *st,
                         const int64_t *reverted, size_t n)
{
	size_t i, j;

	for (i = st->count; i-- > 0;) {
		const strata_status_item *it = &st->items[i];
		int gone = it->state == STRATA_STATE_PENDING ||
		           it->state == STRATA_STATE_FAILED;

		for (j = 0; j < n && !gone; j++)
			gone = reverted[j] == it->version;
		if (!gone) {
			strata__stamp_fingerprint(s, it->version);
			return;
		}
	}
}

static int revert(strata *s, const strata_status *st, const strata_history *h,
                  int count, int64_t target, strata_error *err)
{
	int64_t *todo = strata__calloc(st->count + 1, sizeof(int64_t));
	size_t n = pick(todo, st, count, target), i, done;
	int rc = STRATA_OK;

	for (i = 0; rc == STRATA_OK && i < n; i++)
		rc = check_revertible(s, item(st, todo[i]), h, err);
	for (i = 0, done = 0; rc == STRATA_OK && i < n; i++) {
		rc = revert_one(s, item(st, todo[i]), h, err);
		done += rc == STRATA_OK;
	}
	if (done > 0)
		stamp_newest(s, st, todo, done);
	if (rc == STRATA_OK && n == 0)
		strata__emit(s, STRATA_EV_NOTHING, 0, NULL, NULL, 0, 0,
		             "nothing to revert");
	free(todo);
	return rc;
}

int strata_down(strata *s, int count, int64_t target, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	int rc = target > 0 ? strata__version_known(s, target, err) : 0;

	if (!rc && count < 1 && target < 0)
		rc = strata__err(err, STRATA_EUSAGE,
		                 "down needs a positive count");
	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc && st->failed)
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = revert(s, st, h, count, target, err);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
