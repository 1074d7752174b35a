/*
 * Running one migration script: statements in order, inside a transaction
 * where the dialect and the file allow, otherwise with the history row
 * kept current after every statement so that a crash is never silent.
 */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "model.h"
#include "runner.h"

void strata__row_init(strata__row *r, const strata__migration *m,
                      const char *source, const char *checksum,
                      const char *status, const char *who)
{
	char now[32];

	memset(r, 0, sizeof(*r));
	strata__now_iso(now);
	r->row.version = m->version;
	r->row.name = m->name;
	r->row.source = source;
	r->row.checksum = checksum;
	r->row.status = status;
	r->row.started_at = strata__row_str(r, now);
	r->row.applied_by = who;
}

const char *strata__row_str(strata__row *r, const char *v)
{
	return strata__pool_strdup(&r->pool, v);
}

void strata__row_finish(strata__row *r, int64_t t0)
{
	char now[32];

	strata__now_iso(now);
	r->row.finished_at = strata__row_str(r, now);
	r->row.duration_ms = strata__now_ms() - t0;
}

void strata__row_clear(strata__row *r)
{
	strata__pool_free(&r->pool);
	memset(r, 0, sizeof(*r));
}

/* NULL when introspection fails: a missing fingerprint must not fail a
 * migration that otherwise succeeded. The snapshot that explains drift
 * later (snapshot.c) is written here, once per run, with the same
 * tolerance: without it drift is still detected, only not explained. */
char *strata__fingerprint(strata *s)
{
	strata__schema *sc = NULL;
	strata_error e;
	char *fp = NULL;
	char d1[STRATA__SHA256_HEX], d2[STRATA__SHA256_HEX];
	int digest;

	strata__snapshot_ensure(s);
	digest = strata__catalog_digest(s, d1);

	memset(&e, 0, sizeof(e));
	if (strata__schema_read(&sc, s->drv, s->conn, s->hist_table, &e) ==
	    STRATA_OK) {
		/* The digest vouches for this introspection only if nobody
		 * changed the schema while it was read. */
		digest = digest && strata__catalog_digest(s, d2) &&
		         !strcmp(d1, d2);
		fp = strata__strdup(strata__schema_fingerprint(sc));
		strata__snapshot_write(s, fp, strata__schema_record(sc),
		                       digest ? d1 : NULL, &e);
	}
	strata__schema_free(sc);
	strata_error_clear(&e);
	return fp;
}

void strata__stamp_fingerprint(strata *s, const char *version)
{
	char *fp = strata__fingerprint(s);
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (fp)
		strata__history_set_fingerprint(s, version, fp, &e);
	strata_error_clear(&e);
	free(fp);
}

static int tx(strata *s, int (*op)(strata *, strata_conn *, strata_dberr *),
              const char *what, strata_error *err)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	if (op(s, s->conn, &de) != STRATA_DRV_OK)
		return strata__drv_fail(s, err, &de, what);
	return STRATA_OK;
}

int strata__begin(strata *s, strata_error *err)
{
	return tx(s, strata__drv_begin, STRATA__WHAT_BEGIN, err);
}

int strata__commit(strata *s, strata_error *err)
{
	return tx(s, strata__drv_commit, STRATA__WHAT_COMMIT, err);
}

void strata__rollback(strata *s)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	strata__drv_rollback(s, s->conn, &de);
}

static int stmt_failed(strata *s, const strata_run *run, size_t i,
                       const strata_dberr *de, strata_error *err)
{
	const strata__stmt *st = &run->script->stmts.items[i];
	char *what =
	        strata__printf("%s %s: statement %zu of %zu failed",
	                       run->reverting ? "reverting" : "applying",
	                       run->m->id, i + 1, run->script->stmts.count);

	strata__drv_fail(s, err, de, what);
	free(what);
	if (err) {
		free(err->file);
		err->file = strata__strdup(run->script->path);
		err->line = st->line;
	}
	return STRATA_EFAIL;
}

static void emit_stmt(strata *s, const strata_run *run, strata_event_kind k,
                      size_t i, int64_t ms)
{
	const strata__stmts *sts = &run->script->stmts;
	strata_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.kind = k;
	ev.version = run->m->version;
	ev.id = run->m->id;
	ev.name = run->m->name;
	ev.source = strata__basename(run->script->path);
	ev.steps = run->steps;
	ev.duration_ms = ms;
	ev.index = (int)i + 1;
	ev.count = (int)sts->count;
	ev.sql = sts->items[i].sql;
	ev.line = sts->items[i].line;
	strata__emit_ev(s, &ev);
}

int strata__exec_script(strata *s, strata_run *run, strata_error *err)
{
	const strata__stmts *sts = &run->script->stmts;
	strata_dberr de;
	size_t i;

	for (i = 0; i < sts->count; i++) {
		int64_t t0 = strata__now_ms();

		emit_stmt(s, run, STRATA_EV_STATEMENT, i, 0);
		memset(&de, 0, sizeof(de));
		if (strata__drv_exec(s, s->conn, sts->items[i].sql, &de) !=
		    STRATA_DRV_OK)
			return stmt_failed(s, run, i, &de, err);
		run->steps++;
		emit_stmt(s, run, STRATA_EV_STATEMENT_DONE, i,
		          strata__now_ms() - t0);
		/* One statement: its final row says as much, one durable
		 * commit fewer for each such migration. */
		if (run->progress && sts->count > 1) {
			run->progress->steps = run->steps;
			if (strata__history_update(s, run->progress, err))
				return STRATA_EFAIL;
		}
	}
	return STRATA_OK;
}

void strata__emit_failed(strata *s, const strata_run *run, int64_t ms,
                         const strata_error *err)
{
	char *text = err ? strata__error_body(err) : NULL;

	strata__emit(s, STRATA_EV_FAILED, run->m->version, run->m->id,
	             run->m->name, strata__basename(run->script->path),
	             run->steps, ms, text ? text : "failed");
	free(text);
}

/* text: the file's bytes already read (len of them), or NULL to read it. */
static int script_open(strata__script *sc, strata *s, const char *path,
                       const char *text, size_t len, unsigned down,
                       strata_error *err)
{
	unsigned flags = s->split_flags | down;
	int rc = text ? strata__script_load_text(sc, path, text, len, s->drv,
	                                         flags, err)
	              : strata__script_load_drv(sc, path, s->drv, flags, err);

	if (!rc && strata__transactional(s, sc))
		rc = strata__script_check_tx(sc, err);
	/* Checked before anything runs: whatever it is, a file to fix. */
	if (rc) {
		rc = STRATA_EUSAGE;
		if (err)
			err->code = rc;
	}
	return rc;
}

int strata__script_open(strata__script *sc, strata *s, const char *path,
                        strata_error *err)
{
	return script_open(sc, s, path, NULL, 0, 0, err);
}

int strata__script_open_text(strata__script *sc, strata *s, const char *path,
                             const char *text, size_t len, strata_error *err)
{
	return script_open(sc, s, path, text, len, 0, err);
}

int strata__script_open_down(strata__script *sc, strata *s, const char *path,
                             strata_error *err)
{
	return script_open(sc, s, path, NULL, 0, STRATA__LOAD_DOWN, err);
}

int strata__transactional(const strata *s, const strata__script *sc)
{
	return s->drv->dialect->transactional_ddl && !sc->no_transaction;
}

/* After a non-transactional failure, record what happened for resolve. */
int strata__record_failure(strata *s, strata__row *row, const strata_run *run,
                           int64_t t0, const strata_error *cause)
{
	strata_error e2;
	char *text = strata__error_body(cause);

	memset(&e2, 0, sizeof(e2));
	/* stmt_failed's message already says "reverting ...". */
	row->row.error = strata__pool_take(
	        &row->pool,
	        strata__printf(
	                "%s%s",
	                run->reverting && strncmp(text, "reverting ", 10) != 0
	                        ? "while reverting: "
	                        : "",
	                text));
	free(text);
	row->row.status = "failed";
	row->row.steps = run->steps;
	strata__row_finish(row, t0);
	strata__history_update(s, &row->row, &e2);
	strata_error_clear(&e2);
	return STRATA_EFAIL;
}

int strata__prepare(strata *s, strata_status **st, strata_history **h,
                    strata_error *err)
{
	int rc = strata__source_get(s, err);

	*st = NULL;
	*h = NULL;
	if (!rc)
		rc = strata__lock(s, err);
	if (!rc)
		rc = strata__history_ensure(s, err);
	if (!rc)
		rc = strata__history_load(h, s, err);
	if (!rc)
		rc = strata__status_build(st, s, *h, err);
	return rc;
}
