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

	fprintf(stderr, "%s%s%s\n", cli_sgr(1, CLI_RED), line, cli_sgr_off(1));
	free(line);
}

/* The folder's own name: "0002_webauthn", not "2_webauthn". */
static const char *ev_id(const strata_event *ev, char *buf, size_t n)
{
	if (ev->id)
		return ev->id;
	snprintf(buf, n, "%s_%s", nz(ev->version, "?"), nz(ev->name, "?"));
	return buf;
}

/* "applied   0002_users" with the verb padded and coloured. */
static void verb(const char *v, const char *color)
{
	printf("%s%-9s%s ", cli_sgr(0, color), v, cli_sgr_off(0));
}

static void ev_done(const strata_event *ev, const char *v, const char *color)
{
	char b[512];

	verb(v, color);
	printf("%s (%s, %d statement%s%s%s) %" PRId64 " ms\n",
	       ev_id(ev, b, sizeof(b)), nz(ev->source, "-"), ev->steps,
	       ev->steps == 1 ? "" : "s", ev->detail ? ", " : "",
	       nz(ev->detail, ""), ev->duration_ms);
}

static void ev_failed(const strata_event *ev)
{
	char b[512];

	verb("failed", CLI_RED);
	printf("%s (%s) after %d statement%s, %" PRId64 " ms\n",
	       ev_id(ev, b, sizeof(b)), nz(ev->source, "-"), ev->steps,
	       ev->steps == 1 ? "" : "s", ev->duration_ms);
}

void cli_text_event(const strata_event *ev)
{
	char b[512];

	switch (ev->kind) {
	case STRATA_EV_LOCK_WAIT:
		fprintf(stderr,
		        "strata: waiting for the migration lock on %s (up to "
		        "%" PRId64 " s)\n",
		        ev->detail, ev->duration_ms / 1000);
		break;
	case STRATA_EV_APPLIED:
		ev_done(ev, "applied", CLI_GREEN);
		break;
	case STRATA_EV_REVERTED:
		ev_done(ev, "reverted", CLI_YELLOW);
		break;
	case STRATA_EV_FAILED: /* the error itself is printed by main */
		ev_failed(ev);
		break;
	case STRATA_EV_SKIPPED:
		verb("skipped", CLI_DIM);
		printf("%s (no file for driver %s; recorded)\n",
		       ev_id(ev, b, sizeof(b)), ev->detail);
		break;
	case STRATA_EV_BASELINED:
		verb("baseline", CLI_DIM);
		printf("%s (recorded, not run)\n", ev_id(ev, b, sizeof(b)));
		break;
	case STRATA_EV_RESOLVED:
		verb("resolved", CLI_GREEN);
		printf("%s as %s\n", ev_id(ev, b, sizeof(b)), ev->detail);
		break;
	case STRATA_EV_OUT_OF_ORDER:
		fprintf(stderr,
		        "strata: %swarning:%s %s is older than applied "
		        "migrations; applying it out of order\n",
		        cli_sgr(1, CLI_YELLOW), cli_sgr_off(1),
		        ev_id(ev, b, sizeof(b)));
		break;
	case STRATA_EV_NOTHING:
		printf("%s\n", ev->detail);
		break;
	case STRATA_EV_REPAIRED:
		verb("repaired", CLI_GREEN);
		printf("%s: checksum %s\n", ev_id(ev, b, sizeof(b)),
		       ev->detail);
		break;
	case STRATA_EV_START: /* progress.c */
	case STRATA_EV_STATEMENT:
	case STRATA_EV_STATEMENT_DONE:
		break;
	}
	fflush(stdout);
}

static void status_line(const strata_status_item *it)
{
	printf("%-16s %-28s %s%-9s%s %-24s %s\n", nz(it->version, "?"),
	       it->name, cli_sgr(0, cli_state_color(it->state)),
	       strata_state_name(it->state), cli_sgr_off(0),
	       nz(it->applied_at, "-"), nz(it->source, "(none: skipped)"));
	if (it->state == STRATA_STATE_FAILED && !it->applied_at &&
	    it->started_at)
		printf("%16s started at %s, never finished\n", "",
		       it->started_at);
	if (it->state == STRATA_STATE_FAILED)
		printf("%16s error after %d statement(s): %s\n", "", it->steps,
		       nz(it->error, "?"));
	/* The version first: a bad version with a good status is not a
	 * status problem. */
	if (it->state == STRATA_STATE_UNKNOWN && !*nz(it->version, ""))
		printf("%16s history version is NULL or empty\n", "");
	else if (it->state == STRATA_STATE_UNKNOWN &&
	         !cli_is_version(it->version))
		printf("%16s history version '%s' is not digits\n", "",
		       it->version);
	else if (it->state == STRATA_STATE_UNKNOWN && it->status)
		printf("%16s history status '%s' is not one strata writes "
		       "(applied, failed, skipped, baseline)\n",
		       "", it->status);
	else if (it->state == STRATA_STATE_UNKNOWN)
		printf("%16s history status is NULL\n", "");
	if (it->out_of_order)
		printf("%16s pending but older than applied migrations\n", "");
}

/* What changed outside migrations, one line each; without a snapshot
 * (recorded by a strata before 0.x) only that it changed. */
static void print_drift(const strata_status *st)
{
	size_t i;

	printf("warning: the schema changed outside strata since %s "
	       "(fingerprint differs)\n",
	       nz(st->schema_since, "?"));
	for (i = 0; i < st->drift_count; i++) {
		const strata_diff_item *it = strata_status_drift_at(st, i);
		fputs("  ", stdout);
		cli_put_safe(stdout, it->object, -1);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->detail, -1);
		fputc('\n', stdout);
	}
	if (!st->drift_explained)
		printf("  no schema snapshot was recorded with %s (an older "
		       "strata), so what changed cannot be listed; compare "
		       "with a scratch database migrated to %s (strata diff), "
		       "and the next up, down or resolve records one\n",
		       nz(st->schema_since, "?"), nz(st->schema_since, "?"));
	else if (!st->drift_count)
		printf("  the difference is in objects not compared item by "
		       "item (functions, procedures, events)\n");
}

void cli_print_status(const strata_status *st, const char *target,
                      const char *driver, const char *server)
{
	size_t i, n[STRATA_STATE_UNKNOWN + 1] = {0};

	printf("target: %s (driver %s%s%s)\n", target, driver,
	       *server ? ", " : "", server);
	printf("%s%-16s %-28s %-9s %-24s %s%s\n", cli_sgr(0, CLI_BOLD),
	       "VERSION", "NAME", "STATE", "APPLIED AT", "FILE",
	       cli_sgr_off(0));
	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = strata_status_item_at(st, i);

		status_line(it);
		if ((unsigned)it->state <= STRATA_STATE_UNKNOWN)
			n[it->state]++;
	}
	printf("%zu applied, %zu skipped, %zu baseline, %zu pending, "
	       "%zu modified, %zu missing, %zu failed\n",
	       n[STRATA_STATE_APPLIED], n[STRATA_STATE_SKIPPED],
	       n[STRATA_STATE_BASELINE], n[STRATA_STATE_PENDING],
	       n[STRATA_STATE_MODIFIED], n[STRATA_STATE_MISSING],
	       n[STRATA_STATE_FAILED]);
	if (n[STRATA_STATE_UNKNOWN])
		printf("error: %zu history row%s with a status strata does not "
		       "know; fix %s by hand\n",
		       n[STRATA_STATE_UNKNOWN],
		       n[STRATA_STATE_UNKNOWN] == 1 ? "" : "s",
		       n[STRATA_STATE_UNKNOWN] == 1 ? "it" : "them");
	if (st->schema_drift)
		print_drift(st);
}

int cli_status_problems(const strata_status *st)
{
	return st->pending || st->drifted || st->failed || st->unknown ||
	       st->schema_drift;
}

/* Every field as the database holds it, escaped: see cli_printable. */
static void history_line(const strata_history_row *r)
{
	const char *raw[7] = {nz(r->version, "?"),     nz(r->name, "?"),
	                      nz(r->status, "?"),      nz(r->finished_at, "-"),
	                      nz(r->source, "-"),      nz(r->applied_by, "-"),
	                      r->error ? r->error : ""};
	char *f[7];
	int k;

	for (k = 0; k < 7; k++)
		f[k] = cli_printable(raw[k], k == 6 ? "                        "
		                                    : NULL);
	printf("%-16s %-24s %-8s %-24s %8" PRId64 " %5d %-16s %s\n", f[0], f[1],
	       f[2], f[3], r->duration_ms, r->steps, f[4], f[5]);
	if (r->error)
		printf("%16s error: %s\n", "", f[6]);
	for (k = 0; k < 7; k++)
		free(f[k]);
}

void cli_print_history(const strata_history *h)
{
	size_t i;

	printf("%-16s %-24s %-8s %-24s %8s %5s %-16s %s\n", "VERSION", "NAME",
	       "STATUS", "FINISHED", "MS", "STEPS", "FILE", "BY");
	for (i = 0; i < h->count; i++)
		history_line(strata_history_row_at(h, i));
	if (h->count == 0)
		printf("(no history)\n");
}

void cli_print_plan(const strata_plan *p, const char *driver)
{
	size_t i, j;

	for (i = 0; i < p->count; i++) {
		const strata_plan_step *s = strata_plan_step_at(p, i);

		if (!s->source) {
			printf("-- %s: skipped on %s (no up file for this "
			       "driver); recorded as skipped\n\n",
			       s->id, driver);
			continue;
		}
		printf("-- %s: %s (%s)\n", s->id, s->source,
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

/* One line per difference; an object on one side only names where it is. */
void cli_print_diff(const strata_diff *d, const char *target_a,
                    const char *target_b)
{
	size_t i;

	for (i = 0; i < d->count; i++) {
		const strata_diff_item *it = strata_diff_item_at(d, i);

		cli_put_safe(stdout, it->object, -1);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->detail, -1);
		if (it->change == STRATA_DIFF_ONLY_A)
			printf(" (%s)", target_a);
		else if (it->change == STRATA_DIFF_ONLY_B)
			printf(" (%s)", target_b);
		putchar('\n');
	}
	if (!d->count && !cli_out.quiet)
		printf("equal: %s and %s\n", target_a, target_b);
	else if (d->count && !cli_out.quiet)
		fprintf(stderr,
		        "strata: %zu difference%s between %s (A) and "
		        "%s (B)\n",
		        d->count, d->count == 1 ? "" : "s", target_a, target_b);
}
