/* strata up: apply pending migrations in version order, under the lock. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lint.h"
#include "runner.h"

static int record_skip(strata *s, const strata__migration *m, const char *who,
                       strata_error *err)
{
	char sum[STRATA__SHA256_HEX];
	strata__row row;
	int64_t t0 = strata__now_ms();
	int rc, txn = s->drv->dialect->transactional_ddl;

	strata__sha256_hex(sum, "", 0);
	strata__row_init(&row, m, "", sum, "skipped", who);
	strata__row_finish(&row, t0);
	rc = txn ? strata__begin(s, err) : STRATA_OK;
	if (!rc)
		rc = strata__history_insert(s, &row.row, err);
	if (!rc && txn)
		rc = strata__commit(s, err);
	if (rc && txn)
		strata__rollback(s);
	if (!rc)
		strata__emit(s, STRATA_EV_SKIPPED, m->version, m->id, m->name,
		             NULL, 0, 0, s->drv->name);
	strata__row_clear(&row);
	return rc;
}

/* The migration and its history row commit together, or neither does. */
static int apply_tx(strata *s, strata_run *run, strata__row *row, int64_t t0,
                    strata_error *err)
{
	int rc = strata__begin(s, err);

	if (!rc)
		rc = strata__exec_script(s, run, err);
	if (!rc) {
		strata__row_finish(row, t0);
		row->row.steps = run->steps;
		rc = strata__history_insert(s, &row->row, err);
	}
	if (!rc)
		rc = strata__lock_check(s, "rolled back instead of committing",
		                        run->m->id, err);
	if (!rc)
		rc = strata__commit(s, err);
	if (rc)
		strata__rollback(s);
	return rc;
}

/* No transaction: a "failed" row goes in first and is kept current, so
 * that even a killed process leaves a record for 'strata resolve'. */
static int apply_direct(strata *s, strata_run *run, strata__row *row,
                        int64_t t0, strata_error *err)
{
	int rc;

	row->row.status = "failed";
	row->row.error = "interrupted: strata did not finish this migration";
	rc = strata__history_insert(s, &row->row, err);
	if (rc)
		return rc;
	/* Only now: an interrupt message says it is recorded as failed. */
	strata__emit(s, STRATA_EV_START, run->m->version, run->m->id,
	             run->m->name, strata__basename(run->script->path), 0, 0,
	             "no transaction");
	run->progress = &row->row;
	rc = strata__exec_script(s, run, err);
	rc = strata__check_open_tx(s, rc, run->script->path, err);
	if (rc)
		return strata__record_failure(s, row, run, t0, err);
	strata__row_finish(row, t0);
	row->row.error = NULL;
	row->row.status = "applied";
	return strata__history_update(s, &row->row, err);
}

/* sc: the validated script, or NULL when m has no file for the driver. */
static int apply_one(strata *s, const strata__migration *m, strata__script *sc,
                     const char *who, strata_error *err)
{
	strata__row row;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc = strata__lock_check(s, "stopped before applying", m->id, err);

	if (rc)
		return rc;
	if (!sc)
		return record_skip(s, m, who, err);
	memset(&run, 0, sizeof(run));
	run.m = m;
	run.script = sc;
	strata__row_init(&row, m, strata__basename(sc->path), sc->checksum,
	                 "applied", who);
	if (strata__transactional(s, sc)) {
		strata__emit(s, STRATA_EV_START, m->version, m->id, m->name,
		             strata__basename(sc->path), 0, 0, "transaction");
		rc = apply_tx(s, &run, &row, t0, err);
	} else {
		rc = apply_direct(s, &run, &row, t0, err); /* emits START */
	}
	if (!rc)
		strata__emit(s, STRATA_EV_APPLIED, m->version, m->id, m->name,
		             strata__basename(sc->path), run.steps,
		             row.row.duration_ms,
		             strata__transactional(s, sc) ? NULL
		                                          : "no transaction");
	else
		strata__emit_failed(s, &run, strata__now_ms() - t0, err);
	strata__row_clear(&row);
	return rc;
}

/* What up would run, each file read, split and validated before the
 * first one runs: an error in the last file must not leave the first
 * ones applied. */
typedef struct todo {
	const strata_status_item *it;
	const strata__migration *m;
	strata__script sc;
	int has_file;
} todo;

static int collect(todo **out, size_t *n, strata *s, const strata_status *st,
                   const char *target, strata_error *err)
{
	todo *t = strata__calloc(st->count + 1, sizeof(*t));
	size_t i;
	int rc = STRATA_OK;

	*n = 0;
	for (i = 0; rc == STRATA_OK && i < st->count; i++) {
		const strata_status_item *it = &st->items[i];
		todo *d = &t[*n];
		const char *file;

		if (!strata__pending_upto(it, target))
			continue;
		d->it = it;
		d->m = strata__source_find(&s->src, it->version);
		file = strata__file_for(s, d->m, 1);
		(*n)++;
		if (!file)
			continue;
		d->has_file = 1;
		rc = strata__script_open(&d->sc, s, file, err);
	}
	*out = t;
	return rc;
}

static void free_todo(todo *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		strata__script_free(&t[i].sc);
	free(t);
}

static int apply_pending(strata *s, const strata_status *st, const char *target,
                         strata_error *err)
{
	char *who = strata__whoami();
	todo *t = NULL;
	size_t i, n = 0, done = 0;
	int rc = collect(&t, &n, s, st, target, err);

	/* The files are valid; before anything runs, an error-level lint
	 * finding (a DROP TABLE, a NOT NULL column without a default...)
	 * needs a human's yes. */
	if (!rc)
		rc = strata__lint_refuse(s, st, target, err);
	for (i = 0; rc == STRATA_OK && i < n; i++) {
		if (t[i].it->out_of_order)
			strata__emit(s, STRATA_EV_OUT_OF_ORDER, t[i].m->version,
			             t[i].m->id, t[i].m->name, NULL, 0, 0,
			             NULL);
		rc = apply_one(s, t[i].m, t[i].has_file ? &t[i].sc : NULL, who,
		               err);
		done += rc == STRATA_OK;
	}
	/* One introspection per run, not per migration: reading the whole
	 * schema after each of N migrations would make up O(N^2). */
	if (done)
		strata__stamp_latest(s);
	if (rc == STRATA_OK && n == 0)
		strata__emit(s, STRATA_EV_NOTHING, NULL, NULL, NULL, NULL, 0, 0,
		             "database is up to date");
	free_todo(t, n);
	free(who);
	return rc;
}

void strata_set_out_of_order(strata *s, int allow)
{
	s->allow_out_of_order = allow;
}

/* "--to 0" reads as "up to nothing", yet used to apply everything. */
int strata__check_up_target(strata *s, const char *target, strata_error *err)
{
	if (!target)
		return STRATA_OK;
	if (strata__version_is_zero(target))
		return strata__err(err, STRATA_EUSAGE,
		                   "%s is not a migration version; to revert "
		                   "every migration use 'strata down --to 0'",
		                   target);
	if (!strata__version_valid(target))
		return strata__err(err, STRATA_EUSAGE,
		                   "'%s' is not a version (digits only)",
		                   target);
	return strata__version_known(s, target, err);
}

int strata_up(strata *s, const char *target, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	int rc = strata__check_up_target(s, target, err);

	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc)
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = strata__refuse_out_of_order(s, st, target, err);
	if (!rc)
		rc = strata__history_check_wide(s, st, target, err);
	if (!rc)
		rc = apply_pending(s, st, target, err);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
