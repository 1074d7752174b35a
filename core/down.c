/* strata down: revert applied migrations, newest first, under the lock. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

/* One migration to revert; its down file is read and validated before
 * anything is reverted. */
typedef struct undo {
	const strata_status_item *it;
	const strata__migration *m;
	const strata_history_row *row; /* its history row, as stored */
	strata__script sc;
	int skipped; /* recorded as skipped: only the row goes */
} undo;

/* Applied migrations to revert, newest first: `count` of them, or all
 * above target when target is given. An all-zero target means all of
 * them: a version-0 migration (Diesel's initial setup) included. */
static size_t pick(undo *out, const strata_status *st, int count,
                   const char *target)
{
	int all = target && strata__version_is_zero(target);
	size_t i, n = 0;

	for (i = st->count; i-- > 0;) {
		const strata_status_item *it = &st->items[i];

		if (it->state == STRATA_STATE_PENDING)
			continue;
		if (!all &&
		    (target ? strata__version_cmp(it->version, target) <= 0
		            : n >= (size_t)count))
			break;
		out[n++].it = it;
	}
	return n;
}

/* Everything that would stop a revert is checked before the first one. */
static int check_revertible(strata *s, undo *u, const strata_history *h,
                            strata_error *err)
{
	const char *file;
	char *want;
	int rc;

	u->m = strata__source_find(&s->src, u->it->version);
	u->row = strata__history_find(h, u->it->version);
	if (!u->m)
		return strata__err(err, STRATA_EUSAGE,
		                   "cannot revert %s: its migration folder "
		                   "is gone; nothing was reverted",
		                   u->it->id);
	u->skipped = u->row && !strcmp(u->row->status, "skipped");
	if (u->skipped)
		return STRATA_OK;
	file = strata__file_for(s, u->m, 0);
	if (file)
		return strata__script_open_down(&u->sc, s, file, err);
	want = strata__path_join(u->m->dir, "down.sql");
	rc = strata__err_at(err, STRATA_EUSAGE, want, 0,
	                    "cannot revert %s: no down file (down.sql or "
	                    "down.%s.sql); nothing was reverted",
	                    u->m->id, s->file_names[0]);
	free(want);
	return rc;
}

static int remove_row(strata *s, const char *version, strata_error *err)
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

static int revert_tx(strata *s, strata_run *run, const char *key,
                     strata_error *err)
{
	int rc = strata__begin(s, err);

	if (!rc)
		rc = strata__exec_script(s, run, err);
	if (!rc)
		rc = strata__history_delete(s, key, err);
	if (!rc)
		rc = strata__lock_check(s,
		                        "rolled back instead of committing "
		                        "the revert of",
		                        run->m->id, err);
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
	strata__row row;
	int64_t t0 = strata__now_ms();
	int rc;

	strata__row_init(&row, run->m, old->source, old->checksum, "failed",
	                 old->applied_by);
	row.row.version = old->version; /* the key as stored */
	row.row.error = "interrupted while reverting";
	rc = strata__history_update(s, &row.row, err);
	if (!rc) /* only now: an interrupt message says "recorded as failed" */
		strata__emit(s, STRATA_EV_START, run->m->version, run->m->id,
		             run->m->name, strata__basename(run->script->path),
		             0, 0, "no transaction");
	run->progress = &row.row;
	if (!rc && strata__check_open_tx(s, strata__exec_script(s, run, err),
	                                 run->script->path, err))
		rc = strata__record_failure(s, &row, run, t0, err);
	else if (!rc)
		rc = strata__history_delete(s, old->version, err);
	strata__row_clear(&row);
	return rc;
}

static int revert_one(strata *s, undo *u, strata_error *err)
{
	const strata__migration *m = u->m;
	const char *key = u->row ? u->row->version : m->version;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc = strata__lock_check(s, "stopped before reverting", m->id, err);

	if (rc)
		return rc;
	if (u->skipped) {
		rc = remove_row(s, key, err);
		if (!rc)
			strata__emit(s, STRATA_EV_REVERTED, m->version, m->id,
			             m->name, NULL, 0, 0,
			             "skipped on this driver");
		return rc;
	}
	memset(&run, 0, sizeof(run));
	run.m = m;
	run.script = &u->sc;
	run.reverting = 1;
	if (strata__transactional(s, &u->sc) || !u->row) {
		strata__emit(s, STRATA_EV_START, m->version, m->id, m->name,
		             strata__basename(u->sc.path), 0, 0, "transaction");
		rc = revert_tx(s, &run, key, err);
	} else {
		rc = revert_direct(s, &run, u->row, err); /* emits START */
	}
	if (!rc)
		strata__emit(s, STRATA_EV_REVERTED, m->version, m->id, m->name,
		             strata__basename(u->sc.path), run.steps,
		             strata__now_ms() - t0, NULL);
	else
		strata__emit_failed(s, &run, strata__now_ms() - t0, err);
	return rc;
}

static int revert(strata *s, const strata_status *st, const strata_history *h,
                  int count, const char *target, strata_error *err)
{
	undo *u = strata__calloc(st->count + 1, sizeof(*u));
	size_t n = pick(u, st, count, target), i, done = 0;
	int rc = STRATA_OK;

	for (i = 0; rc == STRATA_OK && i < n; i++)
		rc = check_revertible(s, &u[i], h, err);
	for (i = 0; rc == STRATA_OK && i < n; i++) {
		rc = revert_one(s, &u[i], err);
		done += rc == STRATA_OK;
	}
	/* The latest run left describes the schema now. */
	if (done > 0)
		strata__stamp_latest(s);
	if (rc == STRATA_OK && n == 0)
		strata__emit(s, STRATA_EV_NOTHING, NULL, NULL, NULL, NULL, 0, 0,
		             "nothing to revert");
	for (i = 0; i < n; i++)
		strata__script_free(&u[i].sc);
	free(u);
	return rc;
}

static int check_target(strata *s, const char *target, strata_error *err)
{
	if (!target || strata__version_is_zero(target))
		return STRATA_OK;
	if (!strata__version_valid(target))
		return strata__err(err, STRATA_EUSAGE,
		                   "'%s' is not a version (digits only)",
		                   target);
	return strata__version_known(s, target, err);
}

int strata_down(strata *s, int count, const char *target, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	int rc = check_target(s, target, err);

	if (!rc && count < 1 && !target)
		rc = strata__err(err, STRATA_EUSAGE,
		                 "down needs a positive count");
	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc && (st->failed || st->unknown))
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = revert(s, st, h, count, target, err);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
