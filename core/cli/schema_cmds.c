/* strata verify and strata dump, and the schema file after up and down. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int json(void)
{
	return cli_out.format == CLI_FORMAT_JSON;
}

/* Progress, one line per run: "  up    0002_posts (3 ms)". */
static void verify_event(void *ctx, const strata_event *ev)
{
	const char *what = ev->kind == STRATA_EV_APPLIED    ? "up"
	                   : ev->kind == STRATA_EV_REVERTED ? "down"
	                   : ev->kind == STRATA_EV_SKIPPED  ? "skip"
	                                                    : NULL;

	(void)ctx;
	if (ev->kind == STRATA_EV_LOCK_WAIT) {
		cli_text_event(ev);
		return;
	}
	if (!what || cli_out.quiet)
		return;
	printf("  %-5s %s (%lld ms)\n", what,
	       ev->id        ? ev->id
	       : ev->version ? ev->version
	                     : "?",
	       (long long)ev->duration_ms);
	fflush(stdout);
}

static void print_verify(const strata_verify *v)
{
	static const char *const why[] = {
	        "",
	        "its up failed",
	        "its down failed",
	        "its down does not restore the schema",
	        "its second up failed",
	        "its second up gives another schema"};
	size_t i;

	if (v->stage == STRATA_VERIFY_OK) {
		if (!cli_out.quiet)
			printf("ok: %zu migration%s verified on %s: each down "
			       "restores the schema, each up re-applies\n",
			       v->checked, v->checked == 1 ? "" : "s",
			       v->target);
		return;
	}
	printf("FAILED: %s: %s\n", v->id, why[v->stage]);
	if (v->message)
		printf("%s\n", v->message);
	for (i = 0; i < v->count; i++) {
		const strata_diff_item *it = strata_verify_item_at(v, i);

		cli_put_safe(stdout, it->object, -1);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->detail, -1);
		fputc('\n', stdout);
	}
	if (!cli_out.quiet)
		fprintf(stderr,
		        "strata: verify: %s fails (%zu of %zu pending verified "
		        "before it, on %s)\n",
		        v->id, v->checked, v->pending, v->target);
}

int cli_cmd_verify(cli *c)
{
	strata_verify_options o = STRATA_VERIFY_OPTIONS_INIT;
	strata_verify *v = NULL;
	int rc, code;

	rc = cli_config(c);
	/* A fleet's target comes in STRATA_URL: verify it, not a scratch. */
	o.use_target =
	        c->opts.env != NULL || c->opts.url != NULL || cli_fleet_child();
	o.scratch_ok = c->scratch_ok;
	if (!json())
		o.on_event = verify_event;
	if (!rc && !o.use_target && !json() && !cli_out.quiet)
		printf("verify: on a temporary SQLite database\n");
	if (!rc)
		rc = strata_verify_get(&v, c->cfg, &o, &c->err);
	if (rc)
		return cli_finish(c, rc);
	code = v->stage == STRATA_VERIFY_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
	if (json())
		cli_json_verify(v, code);
	else
		print_verify(v);
	strata_verify_free(v);
	return code;
}

static int connect(cli *c)
{
	int rc = cli_config(c);

	if (!rc)
		rc = strata_open(&c->s, c->cfg, &c->err);
	return rc;
}

int cli_cmd_dump(cli *c)
{
	char *text = NULL;
	int rc = connect(c);

	if (!rc && c->output && strcmp(c->output, "-"))
		rc = strata_dump_to_file(c->s, c->output, &c->err);
	else if (!rc)
		rc = strata_dump(&text, c->s, &c->err);
	if (!rc && text)
		fputs(text, stdout);
	free(text);
	return cli_finish(c, rc);
}

int cli_schema_file(cli *c, int rc)
{
	const char *path = c->schema_file;

	if (rc != STRATA_OK || !c->s)
		return rc;
	if (!path)
		path = strata_config_schema_file(c->cfg);
	if (!path)
		return rc;
	rc = strata_dump_to_file(c->s, path, &c->err);
	if (!rc && cli_out.verbose && !json())
		printf("schema written to %s\n", path);
	return rc;
}
