/* Text rendering of strata's reports and progress events. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char *nz(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

void cli_print_error(const strata_error *err)
{
	char *line = strata_error_format(err);

	fprintf(stderr, "%s\n", line);
	free(line);
}

static void ev_done(const strata_event *ev, const char *verb)
{
	printf("%-9s %" PRId64 "_%s (%s, %d statement%s%s%s) %" PRId64 " ms\n",
	       verb, ev->version, ev->name, nz(ev->source, "-"), ev->steps,
	       ev->steps == 1 ? "" : "s", ev->detail ? ", " : "",
	       nz(ev->detail, ""), ev->duration_ms);
}

void cli_on_event(void *ctx, const strata_event *ev)
{
	(void)ctx;
	switch (ev->kind) {
	case STRATA_EV_LOCK_WAIT:
		fprintf(stderr,
		        "strata: waiting for the migration lock on %s (up to "
		        "%" PRId64 " s)\n",
		        ev->detail, ev->duration_ms / 1000);
		break;
	case STRATA_EV_APPLIED:
		ev_done(ev, "applied");
		break;
	case STRATA_EV_REVERTED:
		ev_done(ev, "reverted");
		break;
	case STRATA_EV_SKIPPED:
		printf("skipped   %" PRId64 "_%s (no file for driver %s; "
		       "recorded)\n",
		       ev->version, ev->name, ev->detail);
		break;
	case STRATA_EV_BASELINED:
		printf("baseline  %" PRId64 "_%s (recorded, not run)\n",
		       ev->version, ev->name);
		break;
	case STRATA_EV_RESOLVED:
		printf("resolved  %" PRId64 "_%s as %s\n", ev->version,
		       ev->name, ev->detail);
		break;
	case STRATA_EV_OUT_OF_ORDER:
		fprintf(stderr,
		        "strata: warning: %" PRId64 "_%s is older than applied "
		        "migrations; applying it out of order\n",
		        ev->version, ev->name);
		break;
	case STRATA_EV_NOTHING:
		printf("%s\n", ev->detail);
		break;
	}
	fflush(stdout);
}

static void status_line(const strata_status_item *it)
{
	printf("%-16" PRId64 " %-28s %-9s %-24s %s\n", it->version, it->name,
	       strata_state_name(it->state), nz(it->applied_at, "-"),
	       nz(it->source, "(none: skipped)"));
	if (it->state == STRATA_STATE_FAILED)
		printf("%16s error after %d statement(s): %s\n", "", it->steps,
		       nz(it->error, "?"));
	if (it->out_of_order)
		printf("%16s pending but older than applied migrations\n", "");
}

void cli_print_status(const strata_status *st, const char *target,
                      const char *driver, const char *server)
{
	size_t i, n[STRATA_STATE_MISSING + 1] = {0};

	printf("target: %s (driver %s%s%s)\n", target, driver,
	       *server ? ", " : "", server);
	printf("%-16s %-28s %-9s %-24s %s\n", "VERSION", "NAME", "STATE",
	       "APPLIED AT", "FILE");
	for (i = 0; i < st->count; i++) {
		status_line(&st->items[i]);
		n[st->items[i].state]++;
	}
	printf("%zu applied, %zu skipped, %zu baseline, %zu pending, "
	       "%zu modified, %zu missing, %zu failed\n",
	       n[STRATA_STATE_APPLIED], n[STRATA_STATE_SKIPPED],
	       n[STRATA_STATE_BASELINE], n[STRATA_STATE_PENDING],
	       n[STRATA_STATE_MODIFIED], n[STRATA_STATE_MISSING],
	       n[STRATA_STATE_FAILED]);
	if (st->schema_drift)
		printf("warning: the schema changed outside strata since "
		       "%" PRId64 " (fingerprint differs)\n",
		       st->schema_since);
}

int cli_status_problems(const strata_status *st)
{
	return st->pending || st->drifted || st->failed || st->schema_drift;
}

void cli_print_history(const strata_history *h)
{
	size_t i;

	printf("%-16s %-24s %-8s %-24s %8s %5s %-16s %s\n", "VERSION", "NAME",
	       "STATUS", "FINISHED", "MS", "STEPS", "FILE", "BY");
	for (i = 0; i < h->count; i++) {
		const strata_history_row *r = &h->rows[i];

		printf("%-16" PRId64 " %-24s %-8s %-24s %8" PRId64
		       " %5d %-16s %s\n",
		       r->version, nz(r->name, "?"), nz(r->status, "?"),
		       nz(r->finished_at, "-"), r->duration_ms, r->steps,
		       nz(r->source, "-"), nz(r->applied_by, "-"));
		if (r->error)
			printf("%16s error: %s\n", "", r->error);
	}
	if (h->count == 0)
		printf("(no history)\n");
}

void cli_print_plan(const strata_plan *p, const char *driver)
{
	size_t i, j;

	for (i = 0; i < p->count; i++) {
		const strata_plan_step *s = &p->steps[i];

		if (!s->source) {
			printf("-- %" PRId64 "_%s: skipped on %s (no up file "
			       "for this driver); recorded as skipped\n\n",
			       s->version, s->name, driver);
			continue;
		}
		printf("-- %" PRId64 "_%s: %s (%s)\n", s->version, s->name,
		       s->source,
		       s->transactional ? "in one transaction with its "
		                          "history row"
		                        : "no transaction");
		for (j = 0; j < s->count; j++)
			printf("-- line %d\n%s;\n", s->lines[j],
			       s->statements[j]);
		printf("\n");
	}
	if (p->count == 0)
		printf("-- nothing to apply: database is up to date\n");
}

void cli_print_drivers(const strata_driver_info *d, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (d[i].problem)
			printf("%-10s unusable   %s: %s\n", d[i].name,
			       d[i].path, d[i].problem);
		else
			printf("%-10s %-10s ABI %u.%u  %s  (%s)\n", d[i].name,
			       d[i].version, d[i].abi_major, d[i].abi_minor,
			       d[i].path, nz(d[i].description, ""));
	}
	if (n == 0)
		printf("no drivers found (set STRATA_PLUGIN_PATH?)\n");
}
