/* strata up: apply pending migrations in version order, under the lock. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "lint.h"
#include "runner.h"

/*
 * History writes that ride on the next commit instead of a durable commit
 * of their own: the rows of migrations without a file for this driver, and
 * the final row of a no-transaction migration (its statements are durable
 * already; until this commit its row says it was interrupted, as after a
 * crash). A commit is the cost of a migration on a fast disk, so a run of
 * no-transaction migrations (MySQL) costs the DDL's commit and one more
 * each, and skipped migrations cost none.
 */
typedef struct later {
	strata__row done; /* valid when done_m is set */
	const strata__migration *done_m;
	strata__row *skips;
	size_t nskips;
	const strata__migration **skip_m;
} later;

/* The row of a migration without a file for this driver: the checksum
 * of nothing, no source. */
static void skip_row(strata__row *row, const strata__migration *m,
                     const char *who)
{
	char sum[STRATA__SHA256_HEX];

	strata__sha256_hex(sum, "", 0);
	strata__row_init(row, m, "", NULL, "skipped", who);
	row->row.checksum = strata__row_str(row, sum); /* outlives sum */
}

/* A lock check less than a second ago (last, 0: never) still holds: the
 * next one only keeps the lock session alive. */
#define LOCK_FRESH_MS 1000
static int lock_fresh(int64_t last)
{
	return last && strata__now_ms() - last < LOCK_FRESH_MS;
}

/* *checked (see check_before): when the lock session last answered;
 * negative after a migration that ran outside a transaction, whose
 * statements no commit checked. */
static int64_t answered(int64_t checked)
{
	return checked < 0 ? -checked : checked;
}

static void later_skip(later *l, const strata__migration *m, const char *who)
{
	strata__row *row;

	l->skips =
	        strata__realloc(l->skips, (l->nskips + 1) * sizeof(*l->skips));
	l->skip_m = strata__realloc(l->skip_m,
	                            (l->nskips + 1) * sizeof(*l->skip_m));
	row = &l->skips[l->nskips];
	l->skip_m[l->nskips++] = m;
	skip_row(row, m, who);
	strata__row_finish(row, strata__now_ms());
}

static void later_queue(strata *s, const later *l, strata__hq *q)
{
	size_t i;

	if (l->done_m)
		strata__hq_update(s, q, &l->done.row);
	for (i = 0; i < l->nskips; i++)
		strata__hq_insert(s, q, &l->skips[i].row);
}

static void later_emit(strata *s, const later *l)
{
	size_t i;

	if (l->done_m)
		strata__emit(s, STRATA_EV_APPLIED, l->done_m->version,
		             l->done_m->id, l->done_m->name, l->done.row.source,
		             l->done.row.steps, l->done.row.duration_ms,
		             "no transaction");
	for (i = 0; i < l->nskips; i++)
		strata__emit(s, STRATA_EV_SKIPPED, l->skip_m[i]->version,
		             l->skip_m[i]->id, l->skip_m[i]->name, NULL, 0, 0,
		             s->drv->name);
}

static void later_clear(later *l)
{
	size_t i;

	strata__row_clear(&l->done);
	for (i = 0; i < l->nskips; i++)
		strata__row_clear(&l->skips[i]);
	free(l->skips);
	free(l->skip_m);
	memset(l, 0, sizeof(*l));
}

/* In a commit of their own: at the end of the run, or when the commit
 * they rode on rolled back. emit: not yet announced. */
static int later_flush(strata *s, later *l, int emit, strata_error *err)
{
	strata__hq q = {0};
	int rc;

	if (!l->done_m && !l->nskips)
		return STRATA_OK;
	later_queue(s, l, &q);
	rc = strata__hq_run(s, &q, STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT,
	                    err);
	if (rc)
		strata__rollback(s);
	else if (emit)
		later_emit(s, l);
	later_clear(l);
	return rc;
}

/* A commit that checked the lock failed: if the lock is what was lost,
 * that is the error to report. */
static int commit_failed(strata *s, const char *stopped, const char *id, int rc,
                         strata_error *err)
{
	strata_error lost;

	memset(&lost, 0, sizeof(lost));
	if (!strata__lock_check(s, stopped, id, &lost))
		return rc;
	strata_error_clear(err);
	*err = lost;
	return STRATA_EFAIL;
}

/* The migration and its history row commit together, or neither does;
 * the waiting rows commit with them. Round trips besides the script's:
 * BEGIN with the waiting rows, then the row with COMMIT. The lock is
 * checked just before that COMMIT: in its round trip where the session
 * is armed for it (s->lock_guarded), else in one of its own; an armed
 * session still asks the lock session once a second, which keeps that
 * session from idling out. *checked: when the lock session last
 * answered. */
static int apply_tx(strata *s, strata_run *run, strata__row *row, int64_t t0,
                    later *l, int64_t *checked, strata_error *err)
{
	strata__hq q = {0};
	int guarded, rc;

	later_queue(s, l, &q);
	rc = strata__hq_run(s, &q, STRATA_BATCH_BEGIN, err);
	if (!rc)
		rc = strata__exec_script(s, run, err);
	guarded = s->lock_guarded && lock_fresh(*checked);
	if (!rc && !guarded) {
		rc = strata__lock_check(s, "rolled back instead of committing",
		                        run->m->id, err);
		if (!rc)
			*checked = strata__now_ms();
	}
	if (!rc) {
		strata__row_finish(row, t0);
		row->row.steps = run->steps;
		strata__hq_insert(s, &q, &row->row);
		rc = strata__hq_run(s, &q,
		                    STRATA_BATCH_COMMIT |
		                            (guarded ? STRATA_BATCH_LOCKED : 0),
		                    err);
		if (rc && guarded)
			rc = commit_failed(s,
			                   "rolled back instead of committing",
			                   run->m->id, rc, err);
	}
	if (!rc) {
		later_clear(l);
		return STRATA_OK;
	}
	strata__rollback(s);
	later_flush(s, l, 0, NULL); /* already announced */
	return rc;
}

/* The "failed" row a no-transaction migration starts with, committed with
 * the waiting rows in one round trip where the driver can; where the
 * session is armed for it, that commit also checks the lock (see
 * check_before). */
static int open_direct(strata *s, strata__row *row, later *l, int64_t checked,
                       const char *id, strata_error *err)
{
	strata__hq q = {0};
	int guarded = s->lock_guarded && lock_fresh(answered(checked)), rc;

	if (!guarded && !l->done_m && !l->nskips) /* no BEGIN and COMMIT */
		return strata__history_insert(s, &row->row, err);
	later_queue(s, l, &q);
	strata__hq_insert(s, &q, &row->row);
	rc = strata__hq_run(s, &q,
	                    STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT |
	                            (guarded ? STRATA_BATCH_LOCKED : 0),
	                    err);
	if (rc && guarded)
		rc = commit_failed(s, "stopped before applying", id, rc, err);
	if (!rc) {
		later_emit(s, l);
		later_clear(l);
		return STRATA_OK;
	}
	strata__rollback(s);
	later_flush(s, l, 1, NULL);
	return rc;
}

/* No transaction: a "failed" row goes in first and is kept current, so
 * that even a killed process leaves a record for 'strata resolve'. Its
 * final row waits in l for the next commit. */
static int apply_direct(strata *s, strata_run *run, strata__row *row,
                        int64_t t0, later *l, int64_t checked,
                        strata_error *err)
{
	int rc;

	row->row.status = "failed";
	row->row.error = "interrupted: strata did not finish this migration";
	rc = open_direct(s, row, l, checked, run->m->id, err);
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
	row->row.steps = run->steps;
	/* The row moves into l: its strings live in its pool. */
	l->done = *row;
	memset(row, 0, sizeof(*row));
	l->done_m = run->m;
	return STRATA_OK;
}

/*
 * Whether to check the lock before m. Only the check before a COMMIT
 * keeps a lost lock from applying a migration twice; the one before
 * starting avoids work that would be rolled back. Less than a second
 * after the lock session last answered (*checked), with everything run
 * since under checked commits, it would cost a round trip and say
 * nothing new; the answer it gets renews *checked. A migration run
 * outside a transaction leaves *checked negative: the next one that
 * runs in a transaction asks first. A skipped migration runs nothing.
 */
static int check_before(strata *s, const strata__migration *m,
                        const strata__script *sc, int64_t *checked,
                        strata_error *err)
{
	int64_t last = *checked;
	int tx, skip, rc;

	if (!sc) /* its row rides on the next commit, checked then */
		return STRATA_OK;
	*checked = 0;
	tx = strata__transactional(s, sc);
	/* Where the session is armed, a no-transaction migration's opening
	 * row checks the lock as it commits, before anything runs
	 * (open_direct). */
	skip = tx ? last > 0 : s->lock_guarded;
	if (skip && lock_fresh(answered(last))) {
		*checked = answered(last);
		return STRATA_OK;
	}
	rc = strata__lock_check(s, "stopped before applying", m->id, err);
	if (!rc && (tx || s->lock_guarded))
		*checked = strata__now_ms();
	return rc;
}

/* sc: the validated script, or NULL when m has no file for the driver. */
static int apply_one(strata *s, const strata__migration *m, strata__script *sc,
                     const char *who, later *l, int64_t *checked,
                     strata_error *err)
{
	strata__row row;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc = check_before(s, m, sc, checked, err);

	if (rc)
		return rc;
	if (!sc) {
		later_skip(l, m, who);
		return STRATA_OK;
	}
	memset(&run, 0, sizeof(run));
	run.m = m;
	run.script = sc;
	strata__row_init(&row, m, strata__basename(sc->path), sc->checksum,
	                 "applied", who);
	if (strata__transactional(s, sc)) {
		/* Announced now: they commit with this migration, or on
		 * their own if it rolls back. */
		later_emit(s, l);
		strata__emit(s, STRATA_EV_START, m->version, m->id, m->name,
		             strata__basename(sc->path), 0, 0, "transaction");
		rc = apply_tx(s, &run, &row, t0, l, checked, err);
		if (!rc)
			strata__emit(s, STRATA_EV_APPLIED, m->version, m->id,
			             m->name, strata__basename(sc->path),
			             run.steps, row.row.duration_ms, NULL);
	} else {
		/* emits START; APPLIED when its final row commits */
		rc = apply_direct(s, &run, &row, t0, l, *checked, err);
		*checked = -answered(*checked);
	}
	if (rc)
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
	char *text; /* the file's bytes, until the lint has read them */
	size_t len;
} todo;

/* Each file is read once: split here, then lent to the lint. */
static int open_todo(todo *d, strata *s, const char *file, strata_error *err)
{
	if (strata__read_file(&d->text, &d->len, file, NULL))
		return strata__script_open(&d->sc, s, file, err); /* says why */
	return strata__script_open_text(&d->sc, s, file, d->text, d->len, err);
}

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
		rc = open_todo(d, s, file, err);
	}
	*out = t;
	return rc;
}

static void free_todo(todo *t, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		strata__script_free(&t[i].sc);
		free(t[i].text);
	}
	free(t);
}

/* The lint before the run, on the texts collect read. */
static int lint_todo(strata *s, const strata_status *st, const char *target,
                     todo *t, size_t n, strata_error *err)
{
	strata__lint_text *k = strata__calloc(n + 1, sizeof(*k));
	size_t i, nk = 0;
	int rc;

	for (i = 0; i < n; i++)
		if (t[i].text) {
			k[nk].path = t[i].sc.path;
			k[nk].text = t[i].text;
			k[nk++].len = t[i].len;
		}
	rc = strata__lint_refuse(s, st, target, k, nk, err);
	free(k);
	for (i = 0; i < n; i++) { /* the run needs only the split script */
		free(t[i].text);
		t[i].text = NULL;
	}
	return rc;
}

static void out_of_order(strata *s, const todo *d)
{
	if (d->it->out_of_order)
		strata__emit(s, STRATA_EV_OUT_OF_ORDER, d->m->version, d->m->id,
		             d->m->name, NULL, 0, 0, NULL);
}

/* --single-transaction: possible only where DDL is transactional and no
 * pending file must run outside a transaction. */
static int refuse_single(strata *s, const todo *t, size_t n, strata_error *err)
{
	size_t i;

	if (!s->drv->dialect->transactional_ddl)
		return strata__err(err, STRATA_EUSAGE,
		                   "--single-transaction: %s commits every "
		                   "DDL statement on its own, so migrations "
		                   "cannot share one transaction there",
		                   s->drv->name);
	for (i = 0; i < n; i++)
		if (t[i].has_file && !strata__transactional(s, &t[i].sc))
			return strata__err_at(
			        err, STRATA_EUSAGE, t[i].sc.path, 0,
			        "--single-transaction: %s is marked -- "
			        "strata:no-transaction and cannot run inside "
			        "the run's transaction; apply it on its own "
			        "first (strata up --to %s)",
			        t[i].m->id, t[i].m->version);
	return STRATA_OK;
}

/* What a migration inside the run's transaction did, announced only once
 * everything commits; row: its history row, queued for the COMMIT. */
typedef struct single_done {
	const strata__migration *m;
	const char *source; /* NULL: skipped */
	strata__row row;
} single_done;

/* Nothing of a single-transaction run commits before the check that
 * precedes the commit, so a lost lock cannot let a second strata apply
 * the same migration: between migrations the check only keeps the lock
 * session alive, once a second is enough (a round trip per migration
 * was a third of a run's time). *last: when it was last checked. */
static int keep_alive(strata *s, const char *id, int64_t *last,
                      strata_error *err)
{
	if (lock_fresh(*last))
		return STRATA_OK;
	*last = strata__now_ms();
	return strata__lock_check(s, "stopped before applying", id, err);
}

/* The history rows go out with the COMMIT, in one round trip where the
 * driver can: a failure to write one still rolls everything back. */
static int run_in_single(strata *s, todo *d, const char *who, single_done *out,
                         strata__hq *q, int64_t *checked, strata_error *err)
{
	strata__row *row = &out->row;
	strata_run run;
	int64_t t0 = strata__now_ms();
	int rc = keep_alive(s, d->m->id, checked, err);

	if (rc)
		return rc;
	out->m = d->m;
	memset(&run, 0, sizeof(run));
	run.m = d->m;
	run.script = &d->sc;
	if (!d->has_file) {
		skip_row(row, d->m, who);
	} else {
		out->source = strata__basename(d->sc.path);
		strata__row_init(row, d->m, out->source, d->sc.checksum,
		                 "applied", who);
		strata__emit(s, STRATA_EV_START, d->m->version, d->m->id,
		             d->m->name, out->source, 0, 0,
		             "single transaction");
		rc = strata__exec_script(s, &run, err);
	}
	strata__row_finish(row, t0);
	row->row.steps = run.steps;
	if (!rc)
		strata__hq_insert(s, q, &row->row);
	else if (d->has_file)
		strata__emit_failed(s, &run, strata__now_ms() - t0, err);
	return rc;
}

static void single_emit(strata *s, const single_done *d)
{
	if (d->source)
		strata__emit(s, STRATA_EV_APPLIED, d->m->version, d->m->id,
		             d->m->name, d->source, d->row.row.steps,
		             d->row.row.duration_ms, "single transaction");
	else
		strata__emit(s, STRATA_EV_SKIPPED, d->m->version, d->m->id,
		             d->m->name, NULL, 0, 0, s->drv->name);
}

/* Every pending migration and its history row in one transaction: all
 * of them commit, or the database is left as it was. */
static int apply_single(strata *s, todo *t, size_t n, const char *who,
                        size_t *done, strata_error *err)
{
	single_done *d = strata__calloc(n + 1, sizeof(*d));
	strata__hq q = {0};
	size_t i;
	int64_t checked = 0;
	int rc = strata__begin(s, err);

	for (i = 0; !rc && i < n; i++) {
		out_of_order(s, &t[i]);
		rc = run_in_single(s, &t[i], who, &d[i], &q, &checked, err);
	}
	if (!rc)
		rc = strata__lock_check(s, "rolled back instead of committing",
		                        "the run", err);
	if (!rc)
		rc = strata__hq_run(s, &q, STRATA_BATCH_COMMIT, err);
	strata__hq_clear(&q); /* what a failure left queued */
	if (rc)
		strata__rollback(s);
	for (i = 0; i < n; i++) {
		if (!rc)
			single_emit(s, &d[i]);
		strata__row_clear(&d[i].row);
	}
	*done = rc ? 0 : n;
	free(d);
	return rc;
}

static int apply_pending(strata *s, const strata_status *st, const char *target,
                         strata_error *err)
{
	char *who = strata__whoami();
	todo *t = NULL;
	later l;
	int64_t checked = 0;
	size_t i, n = 0, done = 0;
	int frc, rc = collect(&t, &n, s, st, target, err);

	memset(&l, 0, sizeof(l));

	/* The files are valid; before anything runs, an error-level lint
	 * finding (a DROP TABLE, a NOT NULL column without a default...)
	 * needs a human's yes. */
	if (!rc && s->single_tx)
		rc = refuse_single(s, t, n, err);
	if (!rc)
		rc = lint_todo(s, st, target, t, n, err);
	if (!rc && s->single_tx && n)
		rc = apply_single(s, t, n, who, &done, err);
	for (i = 0; rc == STRATA_OK && !s->single_tx && i < n; i++) {
		out_of_order(s, &t[i]);
		rc = apply_one(s, t[i].m, t[i].has_file ? &t[i].sc : NULL, who,
		               &l, &checked, err);
		done += rc == STRATA_OK;
	}
	/* What still waits for a commit gets one; a failure above keeps
	 * its own error. */
	frc = later_flush(s, &l, 1, rc ? NULL : err);
	if (!rc)
		rc = frc;
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

void strata_set_single_transaction(strata *s, int on)
{
	s->single_tx = on;
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
