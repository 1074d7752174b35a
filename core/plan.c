/* strata plan: the exact statements 'up' would run, without running them. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

/* The plan and everything its steps point to, freed together. */
typedef struct plan_box {
	strata_plan pub; /* first: strata_plan_free() gets the box back */
	strata__pool pool;
} plan_box;

static int plan_step(strata_plan_step *ps, strata__pool *pool, strata *s,
                     const strata__migration *m, strata_error *err)
{
	const char *file = strata__file_for(s, m, 1);
	strata__script sc;
	const char **stmts;
	int *lines;
	size_t i;
	int rc;

	memset(ps, 0, sizeof(*ps));
	ps->version = strata__pool_strdup(pool, m->version);
	ps->id = strata__pool_strdup(pool, m->id);
	ps->name = strata__pool_strdup(pool, m->name);
	if (!file)
		return STRATA_OK;
	/* display only */
	ps->source = strata__pool_take(pool, strata__printable(file));
	rc = strata__script_open(&sc, s, file, err);
	if (!rc) {
		ps->transactional = s->drv->dialect->transactional_ddl &&
		                    !sc.no_transaction;
		ps->count = sc.stmts.count;
		stmts = strata__pool_alloc(
		        pool, (ps->count + 1) * sizeof(*stmts), sizeof(void *));
		lines = strata__pool_alloc(
		        pool, (ps->count + 1) * sizeof(*lines), sizeof(int));
		for (i = 0; i < ps->count; i++) {
			stmts[i] = strata__pool_strdup(pool,
			                               sc.stmts.items[i].sql);
			lines[i] = sc.stmts.items[i].line;
		}
		stmts[ps->count] = NULL;
		ps->statements = stmts;
		ps->lines = lines;
	}
	strata__script_free(&sc);
	return rc;
}

static int build(plan_box *box, strata *s, const strata_status *st,
                 const char *target, strata_error *err)
{
	strata_plan *p = &box->pub;
	size_t i;
	int rc = STRATA_OK;

	p->steps = strata__calloc(st->count + 1, sizeof(*p->steps));
	for (i = 0; rc == STRATA_OK && i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (!strata__pending_upto(it, target))
			continue;
		rc = plan_step(&p->steps[p->count++], &box->pool, s,
		               strata__source_find(&s->src, it->version), err);
	}
	return rc;
}

/* SQL the database itself rejects stops plan at file:line (exit 2), as
 * it stops up before anything runs (strata__lint_refuse); lint's other
 * findings are up's to weigh, not plan's. */
static int refuse_rejected(strata *s, const strata_plan *p, strata_error *err)
{
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	const char **v = strata__calloc(p->count + 1, sizeof(*v));
	strata_lint *l = NULL;
	size_t i, n = 0;
	int rc;

	for (i = 0; i < p->count; i++)
		if (p->steps[i].source)
			v[n++] = p->steps[i].version;
	o.versions = v;
	o.nversions = n;
	o.dialects = s->drv->name;
	rc = n ? strata_lint_get(&l, s, &o, err) : STRATA_OK;
	for (i = 0; !rc && l && i < l->count; i++) {
		const strata_lint_finding *f = strata_lint_finding_at(l, i);
		char *path;

		if (f->allowed || strcmp(f->rule, "dialect-unsupported") != 0)
			continue;
		path = strata__path_join(s->src.dir, f->file);
		rc = strata__err_at(err, STRATA_EUSAGE, path, f->line, "%s",
		                    f->message);
		free(path);
	}
	strata_lint_free(l);
	free(v);
	return rc;
}

int strata_plan_get(strata_plan **out, strata *s, const char *target,
                    strata_error *err)
{
	plan_box *box = strata__calloc(1, sizeof(*box));
	strata_plan *p = &box->pub;
	strata_history *h = NULL;
	strata_status *st = NULL;
	int rc = strata__check_up_target(s, target, err);

	*out = NULL;
	p->item_size = sizeof(strata_plan_step);
	if (!rc) {
		strata__source_start(s);
		rc = strata__history_load(&h, s, err);
	}
	if (!rc)
		rc = strata__status_build(&st, s, h, err);
	if (!rc)
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = strata__refuse_out_of_order(s, st, target, err);
	if (!rc)
		rc = build(box, s, st, target, err);
	if (!rc)
		rc = refuse_rejected(s, p, err);
	strata__source_done(s); /* a failure before the build left it */
	strata_status_free(st);
	strata_history_free(h);
	if (rc) {
		strata_plan_free(p);
		return rc;
	}
	*out = p;
	return STRATA_OK;
}

void strata_plan_free(strata_plan *p)
{
	plan_box *box = (plan_box *)p;

	if (!p)
		return;
	free(p->steps);
	strata__pool_free(&box->pool);
	free(box);
}
