/*
 * strata lint, and the lint findings that up (when it refuses) and check
 * report: the command's handler, and the findings as text and as JSON.
 * The library finds them (strata_lint_get); this file only renders them.
 */
#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

/* Statement lines shown under a finding; the rest is "...". */
#define STMT_LINES 3
/* Characters of one statement line shown; the rest is "...". */
#define STMT_WIDTH 100

static int json(void)
{
	return cli_out.format == CLI_FORMAT_JSON;
}

size_t cli_lint_acknowledged(const strata_lint *l)
{
	size_t i, n = 0;

	for (i = 0; i < l->count; i++)
		n += strata_lint_finding_at(l, i)->allowed != 0;
	return n;
}

int cli_lint_exit(const strata_lint *l, int warnings_as_errors)
{
	if (l->errors || (warnings_as_errors && l->warnings))
		return CLI_EXIT_LINT;
	return CLI_EXIT_OK;
}

/* "12,345,678": row counts are read at a glance. */
static void grouped(char *buf, size_t n, int64_t v)
{
	char digits[32];
	size_t len, i, o = 0;

	snprintf(digits, sizeof(digits), "%" PRId64, v);
	len = strlen(digits);
	for (i = 0; i < len && o + 2 < n; i++) {
		if (i && (len - i) % 3 == 0)
			buf[o++] = ',';
		buf[o++] = digits[i];
	}
	buf[o] = '\0';
}

/* The file as the user finds it: under the migrations folder. */
static void finding_path(char *buf, size_t n, const char *dir, const char *file)
{
	size_t dl = dir ? strlen(dir) : 0;

	if (!file)
		snprintf(buf, n, "%s", dir ? dir : "?");
	else if (!dir || *file == '/' ||
	         (!strncmp(file, dir, dl) && file[dl] == '/'))
		snprintf(buf, n, "%s", file);
	else
		snprintf(buf, n, "%s%s%s", dir,
		         dl && dir[dl - 1] == '/' ? "" : "/", file);
}

static const char *severity_name(const strata_lint_finding *f)
{
	return f->severity == STRATA_LINT_ERROR ? "error" : "warning";
}

/* The statement's first lines, trimmed, indented under the finding. */
static void print_statement(FILE *out, const char *sql)
{
	int shown = 0;

	while (sql && *sql) {
		size_t len = strcspn(sql, "\n");
		size_t lead = strspn(sql, " \t\r");
		size_t end = len;

		while (end > lead && strchr(" \t\r", sql[end - 1]))
			end--;
		if (end > lead && shown == STMT_LINES) {
			fprintf(out, "    ...\n");
			return;
		}
		if (end > lead) {
			fputs("    ", out);
			cli_put_safe(out, sql + lead,
			             end - lead > STMT_WIDTH
			                     ? STMT_WIDTH
			                     : (long)(end - lead));
			fputs(end - lead > STMT_WIDTH ? "...\n" : "\n", out);
			shown++;
		}
		sql += len + (sql[len] == '\n');
	}
}

/*
 * One finding:
 *   migrations/0003_x/up.sql:4: error [destructive] (postgres) drops ...
 *       ALTER TABLE users DROP COLUMN email
 *     fix: stop reading the column in the code first, then drop it
 */
static void print_finding(FILE *out, int on_err, const char *dir,
                          const strata_lint_finding *f)
{
	char path[4096], rows[32];
	const char *color = f->allowed                         ? CLI_DIM
	                    : f->severity == STRATA_LINT_ERROR ? CLI_RED
	                                                       : CLI_YELLOW;

	finding_path(path, sizeof(path), dir, f->file);
	fputs(cli_sgr(on_err, CLI_BOLD), out);
	cli_put_safe(out, path, -1);
	if (f->line > 0)
		fprintf(out, ":%d", f->line);
	fprintf(out, ":%s %s%s%s%s [%s]", cli_sgr_off(on_err),
	        cli_sgr(on_err, color), severity_name(f),
	        f->allowed ? " (allowed)" : "", cli_sgr_off(on_err), f->rule);
	if (f->dialect)
		fprintf(out, " (%s)", f->dialect);
	fputc(' ', out);
	cli_put_safe(out, f->message ? f->message : "", -1);
	if (f->est_rows >= 0 && f->table) {
		grouped(rows, sizeof(rows), f->est_rows);
		fputs(" [", out);
		cli_put_safe(out, f->table, -1);
		fprintf(out, ": ~%s rows]", rows);
	}
	fputc('\n', out);
	print_statement(out, f->statement);
	if (f->fixit) {
		fprintf(out, "  %sfix:%s ", cli_sgr(on_err, CLI_CYAN),
		        cli_sgr_off(on_err));
		cli_put_safe(out, f->fixit, -1);
		fputc('\n', out);
	}
}

/* Printed: acknowledged findings only with -v; warnings not when only
 * the errors matter (up refusing). */
static int printed(const strata_lint_finding *f, int errors_only)
{
	if (f->allowed)
		return cli_out.verbose && !errors_only;
	return !errors_only || f->severity == STRATA_LINT_ERROR;
}

void cli_print_lint(const strata_lint *l, const char *dir, int on_stderr,
                    int errors_only)
{
	FILE *out = on_stderr ? stderr : stdout;
	size_t i, acked = cli_lint_acknowledged(l);

	for (i = 0; i < l->count; i++) {
		const strata_lint_finding *f = strata_lint_finding_at(l, i);

		if (printed(f, errors_only))
			print_finding(out, on_stderr, dir, f);
	}
	if (cli_out.quiet && !l->errors && !l->warnings)
		return;
	fprintf(out, "%zu error%s, %zu warning%s", l->errors,
	        l->errors == 1 ? "" : "s", l->warnings,
	        l->warnings == 1 ? "" : "s");
	if (acked)
		fprintf(out, " (%zu acknowledged%s)", acked,
		        cli_out.verbose && !errors_only ? ""
		                                        : "; -v shows them");
	if (errors_only && l->warnings)
		fprintf(out, "; 'strata lint' shows the warnings");
	fputc('\n', out);
	fflush(out);
}

static json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static json_object *finding_json(const strata_lint_finding *f, const char *dir)
{
	json_object *o = json_object_new_object();
	char path[4096];

	finding_path(path, sizeof(path), dir, f->file);
	json_object_object_add(o, "rule", str(f->rule));
	json_object_object_add(o, "severity", str(severity_name(f)));
	json_object_object_add(o, "version", str(f->version));
	json_object_object_add(o, "file", str(f->file ? path : NULL));
	json_object_object_add(o, "line", json_object_new_int(f->line));
	json_object_object_add(o, "dialect", str(f->dialect));
	json_object_object_add(o, "statement", str(f->statement));
	json_object_object_add(o, "message", str(f->message));
	json_object_object_add(o, "fixit", str(f->fixit));
	json_object_object_add(o, "table", str(f->table));
	json_object_object_add(
	        o, "est_rows",
	        f->est_rows >= 0 ? json_object_new_int64(f->est_rows) : NULL);
	json_object_object_add(o, "allowed",
	                       json_object_new_boolean(f->allowed != 0));
	return o;
}

void cli_json_lint_members(struct json_object *o, const strata_lint *l,
                           const char *dir)
{
	json_object *list = json_object_new_array(), *n;
	size_t i;

	for (i = 0; i < l->count; i++)
		json_object_array_add(
		        list, finding_json(strata_lint_finding_at(l, i), dir));
	json_object_object_add(o, "findings", list);
	n = json_object_new_object();
	json_object_object_add(n, "errors",
	                       json_object_new_int64((int64_t)l->errors));
	json_object_object_add(n, "warnings",
	                       json_object_new_int64((int64_t)l->warnings));
	json_object_object_add(
	        n, "acknowledged",
	        json_object_new_int64((int64_t)cli_lint_acknowledged(l)));
	json_object_object_add(o, "counts", n);
}

struct json_object *cli_json_lint_object(const strata_lint *l, const char *dir)
{
	json_object *o = json_object_new_object();

	cli_json_lint_members(o, l, dir);
	return o;
}

/* The lint document: the target (null without a database), the
 * findings, their counts and the exit status. */
static void json_document(const strata_lint *l, strata *s, const char *dir,
                          int exit_code)
{
	json_object *o = cli_json_head("command", "lint");

	json_object_object_add(o, "target", str(s ? strata_target(s) : NULL));
	json_object_object_add(o, "driver",
	                       str(s ? strata_driver_name(s) : NULL));
	json_object_object_add(o, "server",
	                       str(s ? strata_server_version(s) : NULL));
	json_object_object_add(o, "migrations", str(dir));
	cli_json_lint_members(o, l, dir);
	json_object_object_add(o, "exit_code", json_object_new_int(exit_code));
	cli_json_emit(o);
}

/* The findings that made up refuse, before its error and summary. */
static void json_event(const strata_lint *l, const char *dir)
{
	json_object *o = cli_json_head("event", "lint");

	json_object_object_add(o, "command", str(cli_out.command));
	cli_json_lint_members(o, l, dir);
	cli_json_emit(o);
}

/* The versions up would apply (up to --to): what it linted. */
static int up_versions(strata_plan **p, const char ***v, size_t *n, strata *s,
                       const char *to, strata_error *err)
{
	size_t i;
	int rc = strata_plan_get(p, s, to, err);

	*v = NULL;
	*n = 0;
	if (rc)
		return rc;
	*v = cli_calloc((*p)->count + 1, sizeof(**v));
	for (i = 0; i < (*p)->count; i++)
		(*v)[(*n)++] = strata_plan_step_at(*p, i)->version;
	return STRATA_OK;
}

int cli_lint_pending(strata_lint **out, strata *s, const char *to,
                     strata_error *err)
{
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	strata_plan *p = NULL;
	const char **v = NULL;
	size_t n = 0;
	int rc = STRATA_OK;

	*out = NULL;
	/* What up lints: the pending migrations up to its target, with the
	 * target's rules only (another driver's override never runs here). */
	o.dialects = strata_driver_name(s);
	if (to)
		rc = up_versions(&p, &v, &n, s, to, err);
	o.versions = v;
	o.nversions = n;
	if (!rc)
		rc = strata_lint_get(out, s, &o, err);
	strata_plan_free(p);
	free(v);
	return rc;
}

int cli_up_refused(cli *c, const char *dir)
{
	strata_lint *l = NULL;
	strata_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	cli_progress_end();
	cli_print_error(&c->err);
	rc = cli_lint_pending(&l, c->s, c->to, &e);
	if (rc) {
		fprintf(stderr, "strata: the findings could not be listed: ");
		cli_print_error(&e);
	} else if (!json()) {
		/* the errors that refused; the error line says what to do */
		cli_print_lint(l, dir, 1, 1);
	}
	if (json()) {
		if (l)
			json_event(l, dir);
		cli_json_error(&c->err, CLI_EXIT_LINT);
		cli_json_summary(CLI_EXIT_LINT);
	}
	strata_lint_free(l);
	strata_error_clear(&e);
	return CLI_EXIT_LINT;
}

/* --dialect: names separated by commas, none empty. */
static int dialects_ok(const char *d)
{
	const char *p;

	if (!d)
		return 1;
	if (!*d || *d == ',' || d[strlen(d) - 1] == ',')
		return 0;
	for (p = d; *p; p++)
		if (*p == ',' && p[1] == ',')
			return 0;
	return 1;
}

static int check_operands(cli *c)
{
	int i;

	for (i = 0; i < c->npos; i++)
		if (!cli_is_version(c->pos[i]))
			return cli_usage_error("lint: '%s' is not a VERSION "
			                       "(digits)",
			                       c->pos[i]);
	if (c->npos && c->all)
		return cli_usage_error("lint takes VERSIONs or --all, not "
		                       "both");
	if (!dialects_ok(c->dialects))
		return cli_usage_error("--dialect needs driver names "
		                       "separated by commas, not '%s'",
		                       c->dialects);
	return 0;
}

/* Connects only when a database is configured: lint also works on a
 * folder alone. */
static int open_target(cli *c)
{
	int rc = cli_config(c);

	if (!rc && strata_config_url(c->cfg))
		rc = strata_open(&c->s, c->cfg, &c->err);
	return rc;
}

int cli_cmd_lint(cli *c)
{
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	strata_lint *l = NULL;
	const char *dir;
	int rc = check_operands(c), code;

	if (rc)
		return rc;
	rc = open_target(c);
	if (rc)
		return cli_finish(c, rc);
	dir = strata_config_migrations(c->cfg);
	o.versions = (const char *const *)c->pos;
	o.nversions = (size_t)c->npos;
	o.all = c->all;
	o.dialects = c->dialects;
	o.row_threshold = c->row_threshold;
	o.migrations_dir = dir;
	o.plugin_path = c->opts.plugin_path;
	rc = strata_lint_get(&l, c->s, &o, &c->err);
	if (rc)
		return cli_finish(c, rc);
	code = cli_lint_exit(l, c->warnings_as_errors);
	if (json())
		json_document(l, c->s, dir, code);
	else
		cli_print_lint(l, dir, 0, 0);
	strata_lint_free(l);
	return code;
}
