/* strata [global options] COMMAND [options] */
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

typedef struct cli {
	strata_options opts;
	strata_config *cfg;
	strata *s;
	strata_error err;
	int argc;
	char **argv; /* the command and its arguments */
} cli;

static const char usage_text[] =
        "usage: strata [global options] COMMAND [options]\n"
        "\n"
        "Global options:\n"
        "  -c, --config FILE     config file (default ./strata.ini)\n"
        "  -e, --env NAME        environment section of the config\n"
        "      --url URL         database URL (overrides config)\n"
        "      --dir DIR         migrations folder\n"
        "      --table NAME      history table (default strata_migrations)\n"
        "      --lock-timeout S  seconds to wait for the lock (default 60)\n"
        "  -h, --help            this help\n"
        "  -V, --version         print the version\n"
        "\n"
        "Commands:\n"
        "  init                  write strata.ini and migrations/\n"
        "  new NAME              create migrations/<timestamp>_NAME/\n"
        "  up [--to VERSION] [--allow-out-of-order]\n"
        "                        apply pending migrations\n"
        "  down [N] [--to VERSION]  revert the last N (default 1); --to 0 "
        "reverts all\n"
        "  status [--exit-code]  show every migration's state\n"
        "  check                 exit 3 if anything is pending or drifted\n"
        "  history               print the history table\n"
        "  plan [--to VERSION] [--allow-out-of-order]\n"
        "                        print the SQL 'up' would run\n"
        "  baseline VERSION      record migrations up to VERSION as applied\n"
        "  resolve VERSION --applied|--rolled-back\n"
        "                        clear a failed migration after repair\n"
        "  repair [VERSION...]   record the current checksum of applied\n"
        "                        migrations whose files were edited\n"
        "  drivers               list installed database drivers\n"
        "\n"
        "Exit codes:\n"
        "  0 ok, 1 operation failed, 2 usage or config error,\n"
        "  3 pending migrations, drift, unknown history rows or out-of-order\n"
        "    migrations (check, status --exit-code; up refusing),\n"
        "  4 lock timeout, 5 blocked by lint\n"
        "\n"
        "Versions are the digits before the first _ of a folder name, of any\n"
        "  length, compared as numbers (0002 = 2 < 10).\n"
        "\n"
        "URLs: sqlite:path.db, sqlite:///abs/path.db, a bare file path,\n"
        "  postgres://user:pass@host:port/db?sslmode=..,\n"
        "  mysql://user:pass@host:port/db?socket=/path\n";

static int usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, "strata: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'strata --help'.\n");
	return 2;
}

/* A version: digits only, any length (compared as a number later). */
static int is_version(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return i > 0;
}

static int parse_count(int64_t *out, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0)
		return -1;
	*out = v;
	return 0;
}

static int finish(cli *c, int rc)
{
	if (rc != STRATA_OK)
		cli_print_error(&c->err);
	return -rc;
}

static int connect(cli *c)
{
	int rc = strata_config_load(&c->cfg, &c->opts, &c->err);

	if (!rc)
		rc = strata_open(&c->s, c->cfg, &c->err);
	if (!rc)
		strata_set_event_fn(c->s, cli_track_event, NULL);
	return rc;
}

/* Command options: only --to VERSION, --exit-code, --applied,
 * --rolled-back, each where it makes sense. */
typedef struct cmd_opts {
	const char *to; /* NULL: not given */
	int has_to, exit_code, applied, rolled_back, out_of_order;
	int npos;
	char **pos; /* into argv */
} cmd_opts;

static int parse_cmd(cmd_opts *o, int argc, char **argv, const char *allowed)
{
	static const struct option longs[] = {
	        {"to", required_argument, NULL, 't'},
	        {"exit-code", no_argument, NULL, 'x'},
	        {"applied", no_argument, NULL, 'a'},
	        {"rolled-back", no_argument, NULL, 'r'},
	        {"allow-out-of-order", no_argument, NULL, 'o'},
	        {NULL, 0, NULL, 0}};
	int ch;

	memset(o, 0, sizeof(*o));
	optind = 0; /* glibc: 0 re-initializes getopt for a new argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "", longs, NULL)) != -1) {
		if (ch == '?' || !strchr(allowed, ch))
			return usage_error("%s: unknown option", argv[0]);
		if (ch == 't' && !is_version(optarg))
			return usage_error("--to needs a version (digits), not "
			                   "'%s'",
			                   optarg);
		if (ch == 't' && strspn(optarg, "0") == strlen(optarg) &&
		    strcmp(argv[0], "down") != 0)
			return usage_error(
			        "--to %s: 0 is not a migration version; "
			        "to revert everything use 'strata down "
			        "--to 0'",
			        optarg);
		if (ch == 't')
			o->to = optarg;
		o->has_to |= ch == 't';
		o->out_of_order |= ch == 'o';
		o->exit_code |= ch == 'x';
		o->applied |= ch == 'a';
		o->rolled_back |= ch == 'r';
	}
	/* getopt_long moved the operands to the end. */
	o->pos = argv + optind;
	o->npos = argc - optind;
	return 0;
}

static int cmd_init(cli *c)
{
	const char *cfg =
	        c->opts.config_path ? c->opts.config_path : "strata.ini";
	const char *dir =
	        c->opts.migrations_dir ? c->opts.migrations_dir : "migrations";
	int rc = strata_init_project(cfg, dir, &c->err);

	if (!rc)
		printf("created %s and, next to it, %s/\n", cfg, dir);
	return finish(c, rc);
}

static int cmd_new(cli *c, const cmd_opts *o)
{
	char *path = NULL;
	int rc;

	if (o->npos != 1)
		return usage_error("%s needs exactly one NAME", "new");
	rc = strata_config_load(&c->cfg, &c->opts, &c->err);
	if (!rc)
		rc = strata_new_migration(&path,
		                          strata_config_migrations(c->cfg),
		                          o->pos[0], &c->err);
	if (!rc)
		printf("created %s/up.sql and %s/down.sql\n", path, path);
	free(path);
	return finish(c, rc);
}

static int cmd_up(cli *c, const cmd_opts *o)
{
	int rc;

	if (o->npos)
		return usage_error("%s takes no arguments (use --to VERSION)",
		                   "up");
	rc = connect(c);
	if (!rc && o->out_of_order)
		strata_set_out_of_order(c->s, 1);
	if (!rc)
		rc = strata_up(c->s, o->to, &c->err);
	return finish(c, rc);
}

static int cmd_down(cli *c, const cmd_opts *o)
{
	int64_t n = 1;
	int rc;

	if (o->npos > 1 || (o->npos == 1 && o->has_to))
		return usage_error("%s takes a count or --to VERSION", "down");
	if (o->npos == 1 && (parse_count(&n, o->pos[0]) || n < 1))
		return usage_error("down: count must be a positive number, "
		                   "not '%s'",
		                   o->pos[0]);
	/* strata_down takes an int: 4294967297 must not become 1. */
	if (n > INT_MAX)
		return usage_error("down: count %s is too large (at most "
		                   "2147483647); to revert everything use "
		                   "'down --to 0'",
		                   o->pos[0]);
	rc = connect(c);
	if (!rc)
		rc = strata_down(c->s, (int)n, o->to, &c->err);
	return finish(c, rc);
}

/* status prints everything; check prints only when something is wrong.
 * Either exits 3 on problems when asked to (check always asks). */
static int cmd_status(cli *c, const cmd_opts *o, int check)
{
	strata_status *st = NULL;
	int rc, bad;

	if (o->npos)
		return usage_error("%s takes no arguments",
		                   check ? "check" : "status");
	rc = connect(c);
	if (!rc)
		rc = strata_status_get(&st, c->s, &c->err);
	if (rc)
		return finish(c, rc);
	bad = cli_status_problems(st);
	if (!check || bad)
		cli_print_status(st, strata_target(c->s),
		                 strata_driver_name(c->s),
		                 strata_server_version(c->s));
	else
		printf("ok: %s is up to date\n", strata_target(c->s));
	strata_status_free(st);
	return (check || o->exit_code) && bad ? 3 : 0;
}

static int cmd_history(cli *c)
{
	strata_history *h = NULL;
	int rc = connect(c);

	if (!rc)
		rc = strata_history_get(&h, c->s, &c->err);
	if (!rc)
		cli_print_history(h);
	strata_history_free(h);
	return finish(c, rc);
}

static int cmd_plan(cli *c, const cmd_opts *o)
{
	strata_plan *p = NULL;
	int rc;

	if (o->npos)
		return usage_error("%s takes no arguments", "plan");
	rc = connect(c);
	if (!rc && o->out_of_order)
		strata_set_out_of_order(c->s, 1);
	if (!rc)
		rc = strata_plan_get(&p, c->s, o->to, &c->err);
	if (!rc)
		cli_print_plan(p, strata_driver_name(c->s));
	strata_plan_free(p);
	return finish(c, rc);
}

static int cmd_baseline(cli *c, const cmd_opts *o)
{
	int rc;

	if (o->npos != 1 || !is_version(o->pos[0]))
		return usage_error("%s needs one VERSION", "baseline");
	rc = connect(c);
	if (!rc)
		rc = strata_baseline(c->s, o->pos[0], &c->err);
	return finish(c, rc);
}

static int cmd_resolve(cli *c, const cmd_opts *o)
{
	int rc;

	if (o->npos != 1 || !is_version(o->pos[0]))
		return usage_error("%s needs one VERSION", "resolve");
	if (o->applied == o->rolled_back)
		return usage_error("%s needs --applied or --rolled-back",
		                   "resolve");
	rc = connect(c);
	if (!rc)
		rc = strata_resolve(c->s, o->pos[0], o->applied, &c->err);
	return finish(c, rc);
}

static int cmd_repair(cli *c, const cmd_opts *o)
{
	int i, rc;

	for (i = 0; i < o->npos; i++)
		if (!is_version(o->pos[i]))
			return usage_error("repair: '%s' is not a VERSION",
			                   o->pos[i]);
	rc = connect(c);
	if (!rc)
		rc = strata_repair(c->s, (const char *const *)o->pos,
		                   (size_t)o->npos, &c->err);
	return finish(c, rc);
}

static int cmd_drivers(cli *c)
{
	strata_driver_info *d = NULL;
	size_t n = 0;
	int rc = strata_drivers_list(&d, &n, &c->err);

	if (!rc)
		cli_print_drivers(d, n);
	strata_drivers_free(d, n);
	return finish(c, rc);
}

static const struct {
	const char *name;
	const char *opts; /* allowed option codes */
} commands[] = {{"init", ""},      {"new", ""},     {"up", "to"},
                {"down", "t"},     {"status", "x"}, {"check", ""},
                {"history", ""},   {"plan", "to"},  {"baseline", ""},
                {"resolve", "ar"}, {"repair", ""},  {"drivers", ""},
                {NULL, NULL}};

static int dispatch(cli *c)
{
	const char *name = c->argv[0];
	cmd_opts o;
	int i, rc;

	for (i = 0; commands[i].name && strcmp(commands[i].name, name); i++)
		;
	if (!commands[i].name)
		return usage_error("unknown command '%s'", name);
	rc = parse_cmd(&o, c->argc, c->argv, commands[i].opts);
	if (rc)
		return rc;
	/* Only up and baseline may create the database (a SQLite file). */
	c->opts.no_create = strcmp(name, "up") && strcmp(name, "baseline");
	if (!strcmp(name, "new"))
		return cmd_new(c, &o);
	if (!strcmp(name, "up"))
		return cmd_up(c, &o);
	if (!strcmp(name, "down"))
		return cmd_down(c, &o);
	if (!strcmp(name, "status") || !strcmp(name, "check"))
		return cmd_status(c, &o, !strcmp(name, "check"));
	if (!strcmp(name, "plan"))
		return cmd_plan(c, &o);
	if (!strcmp(name, "baseline"))
		return cmd_baseline(c, &o);
	if (!strcmp(name, "resolve"))
		return cmd_resolve(c, &o);
	if (!strcmp(name, "repair"))
		return cmd_repair(c, &o);
	if (o.npos)
		return usage_error("%s takes no arguments", name);
	if (!strcmp(name, "init"))
		return cmd_init(c);
	if (!strcmp(name, "history"))
		return cmd_history(c);
	return cmd_drivers(c);
}

static int parse_timeout(cli *c, const char *s)
{
	int64_t v;

	if (parse_count(&v, s) || v > 86400)
		return usage_error("--lock-timeout needs seconds (0-86400), "
		                   "not '%s'",
		                   s);
	c->opts.lock_timeout = (int)v;
	return 0;
}

static int parse_global(cli *c, int argc, char **argv)
{
	static const struct option longs[] = {
	        {"config", required_argument, NULL, 'c'},
	        {"env", required_argument, NULL, 'e'},
	        {"url", required_argument, NULL, 'u'},
	        {"dir", required_argument, NULL, 'd'},
	        {"table", required_argument, NULL, 'T'},
	        {"lock-timeout", required_argument, NULL, 'L'},
	        {"help", no_argument, NULL, 'h'},
	        {"version", no_argument, NULL, 'V'},
	        {NULL, 0, NULL, 0}};
	int ch;

	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+c:e:hV", longs, NULL)) != -1) {
		switch (ch) {
		case 'c':
			c->opts.config_path = optarg;
			break;
		case 'e':
			c->opts.env = optarg;
			break;
		case 'u':
			c->opts.url = optarg;
			break;
		case 'd':
			c->opts.migrations_dir = optarg;
			break;
		case 'T':
			c->opts.table = optarg;
			break;
		case 'L':
			if (parse_timeout(c, optarg))
				return 2;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return -1;
		case 'V':
			printf("strata %s\n", STRATA_VERSION);
			return -1;
		default:
			return usage_error("unknown or incomplete option '%s'",
			                   argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return usage_error("%s", "no command given");
	c->argc = argc - optind;
	c->argv = argv + optind;
	return 0;
}

int main(int argc, char **argv)
{
	cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	c.opts.lock_timeout = -1;
	rc = parse_global(&c, argc, argv);
	if (rc)
		return cli_check_stdout(rc < 0 ? 0 : rc);
	cli_signals_setup(c.argv[0]);
	rc = dispatch(&c);
	strata_close(c.s);
	strata_config_free(c.cfg);
	strata_error_clear(&c.err);
	return cli_check_stdout(rc);
}
