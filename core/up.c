/* strata up: apply pending migrations in version order, under the lock. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

static int record_skip(strata *s, const strata_migration *m, const char *who,
                       strata_error *err)
{
	char sum[STRATA_SHA256_HEX];
	strata_history_row row;
	int64_t t0 = strata__now_ms();
	int rc, txn = s->drv->dialect->transactional_ddl;

	strata_sha256_hex(sum, "", 0);
	strata__row_init(&row, m, "", sum, "skipped", who);
	strata__row_finish(&row, t0);
	rc = txn ? strata__begin(s, err) : STRATA_OK;
	if (!rc)
		rc = strata__history_insert(s, &row, err);
	if (!rc && txn)
		rc = strata__commit(s, err);
	if (rc && txn)
		strata__rollback(s);
	if (!rc)
		strata__emit(s, STRATA_EV_SKIPPED, m->version, m->name, NULL, 0,
		             0, s->drv->name);
	strata__row_clear(&row);
	return rc;
}

/* The migration and its history row commit together, or neither does. */
static int apply_tx(strata *s, strata_run *run, strata_history_row *row,
                    int64_t t0, strata_error *err)
{
	int rc = strata__begin(s, err);

	if (!rc)
		rc = strata__exec_script(s, run, err);
	if (!rc) {
		strata__row_finish(row, t0);
		row->steps = run->steps;
		rc = strata__history_insert(s, row, err);
	}
	if (!rc)
		rc = strata__commit(s, err);
	if (rc)
		strata__rollback(s);
	return rc;
}

/* No transaction: a "failed" row goes in first and is kept current, so
 * that even a killed process leaves a record for 'strata resolve'. */
static int apply_direct(strata *s, strata_run *run, strata_history_row *row,
                        int64_t t0, strata_error *err)
{
	int rc;

	row->status = "failed";
	row->error = strata__strdup("interrupted: strata did not finish this "
	                            "migration");
	rc = strata__history_insert(s, row, err);
	if (rc)
		return rc;
	run->progress = row;
	rc = strata__exec_script(s, run, err);
	if (rc)
		return strata__record_failure(s, row, run, t0, err);
	strata__row_finish(row, t0);
	free(row->error);
	row->error = NULL;
	row->status = "applied";
	return strata__history_update(s, row, err);
}

static int apply_one(strata *s, const strata_migration *m, const char *who,
                     strata_error *err)
{
	const char *file = strata_migration_file(m, 1, s->drv->name);
	strata_script sc;
	strata_history_row row;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc;

	if (!file)
		return record_skip(s, m, who, err);
	rc = strata__script_open(&sc, s, file, err);
	if (rc) {
		strata_script_free(&sc);
		return rc;
	}
	memset(&run, 0, sizeof(run));
	run.m = m;
	run.script = &sc;
	strata__row_init(&row, m, strata__basename(file), sc.checksum,
	                 "applied", who);
	if (strata__transactional(s, &sc))
		rc = apply_tx(s, &run, &row, t0, err);
	else
		rc = apply_direct(s, &run, &row, t0, err);
	if (!rc)
		strata__emit(s, STRATA_EV_APPLIED, m->version, m->name,
		             strata__basename(file), run.steps, row.duration_ms,
		             strata__transactional(s, &sc) ? NULL
		                                           : "no transaction");
	strata__row_clear(&row);
	strata_script_free(&sc);
	return rc;
}

static int apply_pending(strata *s, const strata_status *st, int64_t target,
                         strata_error *err)
{
	char *who = strata__whoami();
	size_t i, done = 0;
	int64_t last = 0;
	int rc = STRATA_OK;

	for (i = 0; rc == STRATA_OK && i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (it->state != STRATA_STATE_PENDING ||
		    (target > 0 && it->version > target))
			continue;
		if (it->out_of_order)
			strata__emit(s, STRATA_EV_OUT_OF_ORDER, it->version,
			             it->name, NULL, 0, 0, NULL);
		rc = apply_one(s, strata_source_find(&s->src, it->version), who,
		               err);
		last = rc ? last : it->version;
		done++;
	}
	/* One introspection per run, not per migration: reading the whole
	 * schema after each of N migrations would make up O(N^2). */
	if (last)
		strata__stamp_fingerprint(s, last);
	if (rc == STRATA_OK && done == 0)
		strata__emit(s, STRATA_EV_NOTHING, 0, NULL, NULL, 0, 0,
		             "database is up to date");
	free(who);
	return rc;
}

int strata_up(strata *s, int64_t target, strata_error *err)
{
	strata_status *st = NULL;
	strata_history *h = NULL;
	int rc = target > 0 ? strata__version_known(s, target, err) : 0;

	if (!rc)
		rc = strata__prepare(s, &st, &h, err);
	if (!rc)
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = apply_pending(s, st, target, err);
	strata_status_free(st);
	strata_history_free(h);
	strata__unlock(s);
	return rc;
}
