/* strata plan: the exact statements 'up' would run, without running them. */
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

static int plan_step(strata_plan_step *ps, strata *s, const strata__migration *m,
                     strata_error *err)
{
	const char *file = strata__migration_file(m, 1, s->drv->name);
	strata__script sc;
	size_t i;
	int rc;

	memset(ps, 0, sizeof(*ps));
	ps->version = strata__strdup(m->version);
	ps->id = strata__strdup(m->id);
	ps->name = strata__strdup(m->name);
	if (!file)
		return STRATA_OK;
	ps->source = strata__printable(file); /* display only */
	rc = strata__script_open(&sc, s, file, err);
	if (!rc) {
		ps->transactional = s->drv->dialect->transactional_ddl &&
		                    !sc.no_transaction;
		ps->count = sc.stmts.count;
		ps->statements = strata__calloc(ps->count, sizeof(char *));
		ps->lines = strata__calloc(ps->count, sizeof(int));
		for (i = 0; i < ps->count; i++) {
			ps->statements[i] = sc.stmts.items[i].sql;
			ps->lines[i] = sc.stmts.items[i].line;
			sc.stmts.items[i].sql = NULL;
		}
	}
	strata__script_free(&sc);
	return rc;
}

static int build(strata_plan *p, strata *s, const strata_status *st,
                 const char *target, strata_error *err)
{
	size_t i;
	int rc = STRATA_OK;

	p->steps = strata__calloc(st->count + 1, sizeof(*p->steps));
	for (i = 0; rc == STRATA_OK && i < st->count; i++) {
		const strata_status_item *it = &st->items[i];

		if (!strata__pending_upto(it, target))
			continue;
		rc = plan_step(&p->steps[p->count++], s,
		               strata__source_find(&s->src, it->version), err);
	}
	return rc;
}

int strata_plan_get(strata_plan **out, strata *s, const char *target,
                    strata_error *err)
{
	strata_plan *p = strata__calloc(1, sizeof(*p));
	strata_history *h = NULL;
	strata_status *st = NULL;
	int rc = strata__check_up_target(s, target, err);

	*out = NULL;
	p->item_size = sizeof(strata_plan_step);
	if (!rc)
		rc = strata__history_load(&h, s, err);
	if (!rc)
		rc = strata__status_build(&st, s, h, err);
	if (!rc)
		rc = strata__refuse_if_unclean(st, err);
	if (!rc)
		rc = strata__refuse_out_of_order(s, st, target, err);
	if (!rc)
		rc = build(p, s, st, target, err);
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
	size_t i, j;

	if (!p)
		return;
	for (i = 0; i < p->count; i++) {
		for (j = 0; j < p->steps[i].count; j++)
			free(p->steps[i].statements[j]);
		free(p->steps[i].statements);
		free(p->steps[i].lines);
		free((char *)p->steps[i].version);
		free((char *)p->steps[i].id);
		free((char *)p->steps[i].name);
		free((char *)p->steps[i].source);
	}
	free(p->steps);
	free(p);
}
