/* The commands: one table, one handler each. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option opts_up[] = {
        {"to", required_argument, NULL, CLI_OPT_TO},
        {"allow-out-of-order", no_argument, NULL, CLI_OPT_OUT_OF_ORDER},
        {"allow-destructive", no_argument, NULL, CLI_OPT_ALLOW_DESTRUCTIVE},
        {"single-transaction", no_argument, NULL, CLI_OPT_SINGLE_TX},
        {"schema-file", required_argument, NULL, CLI_OPT_SCHEMA_FILE},
        {NULL, 0, NULL, 0}};
static const struct option opts_plan[] = {
        {"to", required_argument, NULL, CLI_OPT_TO},
        {"allow-out-of-order", no_argument, NULL, CLI_OPT_OUT_OF_ORDER},
        {NULL, 0, NULL, 0}};
static const struct option opts_lint[] = {
        {"all", no_argument, NULL, CLI_OPT_ALL},
        {"dialect", required_argument, NULL, CLI_OPT_DIALECT},
        {"warnings-as-errors", no_argument, NULL, CLI_OPT_WARNINGS_AS_ERRORS},
        {"row-threshold", required_argument, NULL, CLI_OPT_ROW_THRESHOLD},
        {NULL, 0, NULL, 0}};
static const struct option opts_down[] = {
        {"to", required_argument, NULL, CLI_OPT_TO},
        {"schema-file", required_argument, NULL, CLI_OPT_SCHEMA_FILE},
        {NULL, 0, NULL, 0}};
static const struct option opts_verify[] = {
        {"scratch-ok", no_argument, NULL, CLI_OPT_SCRATCH_OK},
        {NULL, 0, NULL, 0}};
static const struct option opts_dump[] = {
        {"output", required_argument, NULL, CLI_OPT_OUTPUT},
        {NULL, 0, NULL, 0}};
static const struct option opts_status[] = {
        {"exit-code", no_argument, NULL, CLI_OPT_EXIT_CODE},
        {"full", no_argument, NULL, CLI_OPT_FULL},
        {NULL, 0, NULL, 0}};
static const struct option opts_check[] = {
        {"full", no_argument, NULL, CLI_OPT_FULL}, {NULL, 0, NULL, 0}};
static const struct option opts_import[] = {
        {"from", required_argument, NULL, CLI_OPT_FROM},
        {"from-table", required_argument, NULL, CLI_OPT_FROM_TABLE},
        {"convert", required_argument, NULL, CLI_OPT_CONVERT},
        {NULL, 0, NULL, 0}};
static const struct option opts_resolve[] = {
        {"applied", no_argument, NULL, CLI_OPT_APPLIED},
        {"rolled-back", no_argument, NULL, CLI_OPT_ROLLED_BACK},
        {NULL, 0, NULL, 0}};

static int json(void)
{
	return cli_out.format == CLI_FORMAT_JSON;
}

int cli_finish(cli *c, int rc)
{
	int code = -rc;

	cli_progress_end();
	if (rc != STRATA_OK)
		cli_print_error(&c->err);
	if (json() && rc != STRATA_OK)
		cli_json_error(&c->err, code);
	if (json() && (c->cmd->flags & CLI_CMD_EVENTS))
		cli_json_summary(code);
	return code;
}

/* $STRATA_CACHE_DIR (an absolute path; anything else, e.g. "off", turns
 * the cache off), else the XDG cache directory. */
static void checksum_cache(strata *s)
{
	const char *dir = getenv("STRATA_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	char buf[PATH_MAX];

	if (dir && *dir)
		snprintf(buf, sizeof(buf), "%s", *dir == '/' ? dir : "");
	else if (xdg && *xdg == '/')
		snprintf(buf, sizeof(buf), "%s/strata", xdg);
	else if (home && *home == '/')
		snprintf(buf, sizeof(buf), "%s/.cache/strata", home);
	else
		buf[0] = '\0';
	strata_set_checksum_cache(s, buf);
}

int cli_config(cli *c)
{
	if (c->cfg)
		return STRATA_OK; /* read once: its warnings are said once */
	return strata_config_load(&c->cfg, &c->opts, &c->err);
}

static int connect(cli *c)
{
	int rc = cli_config(c);

	if (!rc)
		rc = strata_open(&c->s, c->cfg, &c->err);
	if (!rc)
		strata_set_event_fn(c->s, cli_track_event, NULL);
	if (!rc && c->out_of_order)
		strata_set_out_of_order(c->s, 1);
	if (!rc)
		checksum_cache(c->s);
	return rc;
}

static int cmd_init(cli *c)
{
	const char *cfg =
	        c->opts.config_path ? c->opts.config_path : "strata.ini";
	const char *dir =
	        c->opts.migrations_dir ? c->opts.migrations_dir : "migrations";
	const char *slash = strrchr(cfg, '/');
	char path[4096];
	int rc = strata_init_project(cfg, dir, &c->err);

	/* The folder is made next to the config: report where it is. */
	if (slash && *dir != '/')
		snprintf(path, sizeof(path), "%.*s/%s", (int)(slash - cfg), cfg,
		         dir);
	else
		snprintf(path, sizeof(path), "%s", dir);
	if (!rc && json())
		cli_json_created(cfg, path, NULL);
	else if (!rc && !cli_out.quiet)
		printf("created %s and %s/\n", cfg, path);
	return cli_finish(c, rc);
}

/* A folder with up.sql and down.sql, or another tool's file(s). */
static void print_created(const char *path)
{
	size_t n = strlen(path);

	if (n > 4 && !strcmp(path + n - 4, ".sql") && n > 7 &&
	    !strcmp(path + n - 7, ".up.sql"))
		printf("created %s and %.*s.down.sql\n", path, (int)(n - 7),
		       path);
	else if (n > 4 && !strcmp(path + n - 4, ".sql"))
		printf("created %s\n", path);
	else
		printf("created %s/up.sql and %s/down.sql\n", path, path);
}

static int cmd_new(cli *c)
{
	char *path = NULL;
	int rc;

	if (c->npos != 1)
		return cli_usage_error("new needs exactly one NAME");
	rc = cli_config(c);
	if (!rc)
		rc = strata_new_migration(&path,
		                          strata_config_migrations(c->cfg),
		                          c->pos[0], &c->err);
	if (!rc && json())
		cli_json_created(NULL, NULL, path);
	else if (!rc && !cli_out.quiet)
		print_created(path);
	free(path);
	return cli_finish(c, rc);
}

static int cmd_up(cli *c)
{
	int rc = connect(c);

	if (!rc && c->allow_destructive)
		strata_set_allow_destructive(c->s, 1);
	if (!rc && c->single_tx)
		strata_set_single_transaction(c->s, 1);
	if (!rc)
		rc = strata_up(c->s, c->to, &c->err);
	if (rc == STRATA_ELINT)
		return cli_up_refused(c, strata_config_migrations(c->cfg));
	return cli_finish(c, cli_schema_file(c, rc));
}

/* Reverting more than one migration asks first, on a terminal only. */
static int confirmed(cli *c, long long n)
{
	int all = c->to != NULL;

	if (c->yes || !cli_can_prompt() || (n <= 1 && !all) ||
	    (all && strspn(c->to, "0") != strlen(c->to)))
		return 1;
	return cli_confirm_down(c->s, all ? -1 : n);
}

static int cmd_down(cli *c)
{
	long long n = 1;
	char *end;
	int rc;

	if (c->npos > 1 || (c->npos == 1 && c->to))
		return cli_usage_error("down takes a count or --to VERSION");
	if (c->npos == 1) {
		errno = 0;
		n = strtoll(c->pos[0], &end, 10);
		if (errno || end == c->pos[0] || *end || n < 1)
			return cli_usage_error("down: count must be a positive "
			                       "number, not '%s'",
			                       c->pos[0]);
	}
	/* strata_down takes an int: 4294967297 must not become 1. */
	if (n > INT_MAX)
		return cli_usage_error("down: count %s is too large (at most "
		                       "2147483647); to revert everything use "
		                       "'down --to 0'",
		                       c->pos[0]);
	rc = connect(c);
	if (!rc && !confirmed(c, n)) {
		fprintf(stderr, "strata: down: not confirmed; nothing "
		                "reverted\n");
		if (json())
			cli_json_summary(CLI_EXIT_FAIL);
		return CLI_EXIT_FAIL;
	}
	if (!rc)
		rc = strata_down(c->s, (int)n, c->to, &c->err);
	return cli_finish(c, cli_schema_file(c, rc));
}

/* check's exit status: lint errors that would make up refuse (5) come
 * before the problems status --exit-code reports (3). */
static int check_code(const strata_status *st, const strata_lint *l, int asked)
{
	if (l && l->errors)
		return CLI_EXIT_LINT;
	return asked && cli_status_problems(st) ? CLI_EXIT_PROBLEMS
	                                        : CLI_EXIT_OK;
}

/* status prints everything; check prints only when something is wrong.
 * Either exits 3 on problems when asked to (check always asks); check
 * also lints the pending migrations as up would. */
static int status_or_check(cli *c, int check)
{
	strata_status *st = NULL;
	strata_lint *l = NULL;
	const char *dir;
	int rc = connect(c), code;

	if (!rc && c->full)
		strata_set_full_check(c->s, 1);
	if (!rc)
		rc = strata_status_get(&st, c->s, &c->err);
	if (!rc && check)
		rc = cli_lint_pending(&l, c->s, NULL, &c->err);
	if (rc) {
		strata_status_free(st);
		return cli_finish(c, rc);
	}
	dir = strata_config_migrations(c->cfg);
	code = check_code(st, l, check || c->exit_code);
	if (json())
		cli_json_status(st, c->s,
		                l ? cli_json_lint_object(l, dir) : NULL, code);
	else if (!check || (code && !cli_out.quiet))
		cli_print_status(st, strata_target(c->s),
		                 strata_driver_name(c->s),
		                 strata_server_version(c->s));
	else if (!cli_out.quiet)
		printf("ok: %s is up to date\n", strata_target(c->s));
	if (!json() && l && l->count && code && !cli_out.quiet)
		cli_print_lint(l, dir, 0, 0);
	strata_lint_free(l);
	strata_status_free(st);
	return code;
}

static int cmd_status(cli *c)
{
	return status_or_check(c, 0);
}

static int cmd_check(cli *c)
{
	return status_or_check(c, 1);
}

static int cmd_history(cli *c)
{
	strata_history *h = NULL;
	int rc = connect(c);

	if (!rc)
		rc = strata_history_get(&h, c->s, &c->err);
	if (!rc && json())
		cli_json_history(h, c->s);
	else if (!rc)
		cli_print_history(h);
	strata_history_free(h);
	return cli_finish(c, rc);
}

static int cmd_plan(cli *c)
{
	strata_plan *p = NULL;
	int rc = connect(c);

	if (!rc)
		rc = strata_plan_get(&p, c->s, c->to, &c->err);
	if (!rc && json())
		cli_json_plan(p, c->s);
	else if (!rc)
		cli_print_plan(p, strata_driver_name(c->s));
	strata_plan_free(p);
	return cli_finish(c, rc);
}

static int cmd_baseline(cli *c)
{
	int rc;

	if (c->npos != 1 || !cli_is_version(c->pos[0]))
		return cli_usage_error("baseline needs one VERSION");
	rc = connect(c);
	if (!rc)
		rc = strata_baseline(c->s, c->pos[0], &c->err);
	return cli_finish(c, rc);
}

static int cmd_resolve(cli *c)
{
	int rc;

	if (c->npos != 1 || !cli_is_version(c->pos[0]))
		return cli_usage_error("resolve needs one VERSION");
	if (c->applied == c->rolled_back)
		return cli_usage_error("resolve needs --applied or "
		                       "--rolled-back");
	rc = connect(c);
	if (!rc)
		rc = strata_resolve(c->s, c->pos[0], c->applied, &c->err);
	return cli_finish(c, rc);
}

static int cmd_repair(cli *c)
{
	int i, rc;

	for (i = 0; i < c->npos; i++)
		if (!cli_is_version(c->pos[i]))
			return cli_usage_error("repair: '%s' is not a VERSION",
			                       c->pos[i]);
	rc = connect(c);
	if (!rc)
		rc = strata_repair(c->s, (const char *const *)c->pos,
		                   (size_t)c->npos, &c->err);
	return cli_finish(c, rc);
}

static int cmd_import(cli *c)
{
	strata_import_options o = STRATA_IMPORT_OPTIONS_INIT;
	int rc;

	if (!c->from)
		return cli_usage_error("import needs --from dbmate, "
		                       "golang-migrate, goose, flyway or pop");
	o.tool = c->from;
	o.table = c->from_table;
	o.convert_to = c->convert;
	rc = connect(c);
	if (!rc)
		rc = strata_import(c->s, &o, &c->err);
	if (!rc && c->convert && !cli_out.quiet && !json())
		fprintf(stderr,
		        "strata: import: the migrations are now also in %s, in "
		        "strata's layout; set migrations = %s\n",
		        c->convert, c->convert);
	return cli_finish(c, rc);
}

static int cmd_drivers(cli *c)
{
	strata_driver_info *d = NULL;
	size_t n = 0;
	int rc = strata_drivers_list(&d, &n, &c->err);

	if (!rc && json())
		cli_json_drivers(d, n);
	else if (!rc)
		cli_print_drivers(d, n);
	strata_drivers_free(d, n);
	return cli_finish(c, rc);
}

/* A diff operand: a URL or path (it has ':', '/' or '.') or the name of
 * an environment of strata.ini. */
static int diff_open(cli *c, const char *what, strata_config **cfg, strata **s)
{
	strata_options o = c->opts;
	int rc;

	if (strpbrk(what, ":/.")) {
		o.url = what;
		o.env = NULL;
	} else {
		o.url = NULL;
		o.env = what;
	}
	o.no_create = 1;
	rc = strata_config_load(cfg, &o, &c->err);
	if (!rc)
		rc = strata_open(s, *cfg, &c->err);
	return rc;
}

static int cmd_diff(cli *c)
{
	strata_config *cfg_b = NULL;
	strata *b = NULL;
	strata_diff *d = NULL;
	int rc, code;

	if (c->npos != 2)
		return cli_usage_error("diff needs two databases, A and B "
		                       "(URLs or environment names)");
	if (c->opts.url || c->opts.env)
		return cli_usage_error("diff takes its two databases as "
		                       "operands, not --url or -e");
	strata_config_free(c->cfg); /* each operand has its own */
	c->cfg = NULL;
	rc = diff_open(c, c->pos[0], &c->cfg, &c->s);
	if (!rc)
		rc = diff_open(c, c->pos[1], &cfg_b, &b);
	if (!rc)
		rc = strata_diff_get(&d, c->s, b, &c->err);
	if (rc) {
		strata_close(b);
		strata_config_free(cfg_b);
		return cli_finish(c, rc);
	}
	code = d->count ? CLI_EXIT_PROBLEMS : CLI_EXIT_OK;
	if (json())
		cli_json_diff(d, c->s, b, code);
	else
		cli_print_diff(d, strata_target(c->s), strata_target(b));
	strata_diff_free(d);
	strata_close(b);
	strata_config_free(cfg_b);
	return code;
}

#define TO_HELP "  --to VERSION          "
#define SF_HELP                                                                \
	"  --schema-file FILE    then write the schema dump there (default: "  \
	"schema_file\n"                                                        \
	"                        of strata.ini)\n"
#define OOO_HELP                                                               \
	"  --allow-out-of-order  also apply pending migrations older than "    \
	"applied ones\n"

const cli_command cli_commands[] = {
        {.name = "init",
         .args = "",
         .summary = "write strata.ini and migrations/",
         .run = cmd_init,
         .flags = CLI_CMD_NOPOS},
        {.name = "new",
         .args = "NAME",
         .summary = "create migrations/<timestamp>_NAME/",
         .run = cmd_new},
        {.name = "up",
         .args = "[--to VERSION] [--allow-out-of-order] "
                 "[--allow-destructive] [--single-transaction]",
         .summary = "apply pending migrations",
         .details = TO_HELP "stop after this version\n" OOO_HELP
                            "  --allow-destructive   apply even with lint "
                            "errors (see 'strata help lint')\n"
                            "  --single-transaction  all pending migrations "
                            "in one transaction: all or\n"
                            "                        none (PostgreSQL, "
                            "SQLite)\n" SF_HELP,
         .opts = opts_up,
         .run = cmd_up,
         .flags = CLI_CMD_CREATES | CLI_CMD_EVENTS | CLI_CMD_NOPOS |
                  CLI_CMD_FLEET},
        {.name = "down",
         .args = "[N] [--to VERSION] [-y]",
         .summary = "revert the last N (default 1); --to 0 reverts all",
         .details = TO_HELP
         "revert every migration above this version (0: all)\n"
         "  -y, --yes             do not ask before reverting more "
         "than one\n" SF_HELP,
         .opts = opts_down,
         .run = cmd_down,
         .flags = CLI_CMD_EVENTS | CLI_CMD_FLEET},
        {.name = "status",
         .args = "[--exit-code] [--full]",
         .summary = "show every migration's state",
         .details = "  --exit-code           exit 3 on pending migrations, "
                    "drift or failures\n"
                    "  --full                read the schema even when the "
                    "catalog is unchanged\n",
         .opts = opts_status,
         .run = cmd_status,
         .flags = CLI_CMD_NOPOS | CLI_CMD_FLEET},
        {.name = "check",
         .args = "[--full]",
         .summary = "exit 5 on lint errors in pending migrations, 3 if "
                    "anything is pending or drifted",
         .details = "  --full                read the schema even when the "
                    "catalog is unchanged\n",
         .opts = opts_check,
         .run = cmd_check,
         .flags = CLI_CMD_NOPOS | CLI_CMD_FLEET},
        {.name = "history",
         .args = "",
         .summary = "print the history table",
         .run = cmd_history,
         .flags = CLI_CMD_NOPOS},
        {.name = "plan",
         .args = "[--to VERSION] [--allow-out-of-order]",
         .summary = "print the SQL 'up' would run",
         .details = TO_HELP "stop after this version\n" OOO_HELP,
         .opts = opts_plan,
         .run = cmd_plan,
         .flags = CLI_CMD_NOPOS | CLI_CMD_FLEET},
        {.name = "baseline",
         .args = "VERSION",
         .summary = "record migrations up to VERSION as applied",
         .run = cmd_baseline,
         .flags = CLI_CMD_CREATES | CLI_CMD_EVENTS},
        {.name = "resolve",
         .args = "VERSION --applied|--rolled-back",
         .summary = "clear a failed migration after repair",
         .details = "  --applied             its statements all ran: record "
                    "it as applied\n"
                    "  --rolled-back         none of them stayed: remove its "
                    "row\n",
         .opts = opts_resolve,
         .run = cmd_resolve,
         .flags = CLI_CMD_EVENTS},
        {.name = "repair",
         .args = "[VERSION...]",
         .summary = "record the current checksum of edited applied "
                    "migrations",
         .run = cmd_repair,
         .flags = CLI_CMD_EVENTS},
        {.name = "import",
         .args = "--from TOOL [--from-table NAME] [--convert DIR]",
         .summary = "adopt another tool's history: what it applied is "
                    "recorded, not run",
         .details = "  --from TOOL           dbmate, golang-migrate, goose, "
                    "flyway or pop\n"
                    "  --from-table NAME     its history table (default: "
                    "the tool's own)\n"
                    "  --convert DIR         also write the migrations in "
                    "strata's layout into\n"
                    "                        the new folder DIR, and record "
                    "those files\n",
         .opts = opts_import,
         .run = cmd_import,
         .flags = CLI_CMD_EVENTS | CLI_CMD_NOPOS | CLI_CMD_FLEET},
        {.name = "lint",
         .args = "[VERSION...] [--all] [--dialect NAME[,NAME]] "
                 "[--warnings-as-errors] [--row-threshold N]",
         .summary = "find dangerous changes in migrations; exit 5 on "
                    "errors",
         .details = "  VERSION...            these migrations (default: the "
                    "pending ones, or\n"
                    "                        every one when no database is "
                    "configured)\n"
                    "  --all                 every migration in the folder\n"
                    "  --dialect NAME[,NAME] the drivers whose rules apply "
                    "(sqlite, postgres,\n"
                    "                        mysql; default: the target's "
                    "and the override\n"
                    "                        files', or every installed "
                    "driver)\n"
                    "  --warnings-as-errors  exit 5 on warnings too\n"
                    "  --row-threshold N     a finding on a table with more "
                    "estimated rows is\n"
                    "                        an error (default 1000000)\n",
         .opts = opts_lint,
         .run = cli_cmd_lint,
         .flags = CLI_CMD_FLEET},
        {.name = "drivers",
         .args = "",
         .summary = "list installed database drivers",
         .run = cmd_drivers,
         .flags = CLI_CMD_NOPOS},
        {.name = "diff",
         .args = "A B",
         .summary = "compare two schemas, also across databases; exit 3 "
                    "if they differ",
         .details = "  A, B                  a URL or file path (it has "
                    "':', '/' or '.'), or the\n"
                    "                        name of an environment of "
                    "strata.ini\n",
         .run = cmd_diff,
         .flags = CLI_CMD_FLEET},
        {.name = "verify",
         .args = "[--scratch-ok]",
         .summary = "check on a scratch database that each pending "
                    "down reverts its up",
         .details = "  (no -e/--url)         on a temporary SQLite file, "
                    "removed after\n"
                    "  -e ENV, --url URL     on that database, which must "
                    "hold no tables\n"
                    "  --scratch-ok          accept a database with tables: "
                    "verify its pending\n"
                    "                        migrations there\n",
         .opts = opts_verify,
         .run = cli_cmd_verify,
         .flags = CLI_CMD_CREATES | CLI_CMD_NOPOS | CLI_CMD_FLEET},
        {.name = "dump",
         .args = "[-o FILE]",
         .summary = "print the schema as DDL for the target's database",
         .details = "  -o, --output FILE     write it to FILE (atomically); "
                    "'-': stdout\n",
         .opts = opts_dump,
         .run = cli_cmd_dump,
         .flags = CLI_CMD_NOPOS},
        {.name = "help",
         .args = "[COMMAND]",
         .summary = "show this help or one command's",
         .run = cli_cmd_help},
        {.name = NULL}};
