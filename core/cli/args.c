/*
 * The command line: strata [global options] COMMAND [options] [operands].
 * Global options are accepted before and after the command; an unknown
 * option or command is named, with the nearest command as a suggestion.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const struct option global_opts[] = {
        {"config", required_argument, NULL, 'c'},
        {"env", required_argument, NULL, 'e'},
        {"url", required_argument, NULL, CLI_OPT_URL},
        {"dir", required_argument, NULL, CLI_OPT_DIR},
        {"table", required_argument, NULL, CLI_OPT_TABLE},
        {"lock-timeout", required_argument, NULL, CLI_OPT_LOCK_TIMEOUT},
        {"format", required_argument, NULL, CLI_OPT_FORMAT},
        {"color", optional_argument, NULL, CLI_OPT_COLOR},
        {"colour", optional_argument, NULL, CLI_OPT_COLOR},
        {"quiet", no_argument, NULL, 'q'},
        {"verbose", no_argument, NULL, 'v'},
        {"yes", no_argument, NULL, 'y'},
        {"targets", required_argument, NULL, CLI_OPT_TARGETS},
        {"parallel", required_argument, NULL, CLI_OPT_PARALLEL},
        {"canary", required_argument, NULL, CLI_OPT_CANARY},
        {"shard", required_argument, NULL, CLI_OPT_SHARD},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {NULL, 0, NULL, 0}};

#define GLOBAL_SHORT "c:e:qvyhV"
#define MAX_OPTS     32

void *cli_calloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p) {
		fputs("strata: out of memory\n", stderr);
		abort();
	}
	return p;
}

int cli_usage_error(const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	strata_error e;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	cli_progress_end();
	/* The line on stderr and the JSON message come from one formatter,
	 * the library's, as for every other error. */
	memset(&e, 0, sizeof(e));
	e.code = STRATA_EUSAGE;
	e.message = msg;
	cli_print_error(&e);
	cli_help_hint();
	if (cli_out.format == CLI_FORMAT_JSON) {
		cli_json_error(&e, CLI_EXIT_USAGE);
		if (cli_out.command &&
		    (cli_command_find(cli_out.command)->flags & CLI_CMD_EVENTS))
			cli_json_summary(CLI_EXIT_USAGE);
	}
	return CLI_EXIT_USAGE;
}

static int all_digits(const char *s)
{
	return s && *s && strspn(s, "0123456789") == strlen(s);
}

/* A version: digits of any length (compared as a number later), or
 * Flyway's dotted groups of digits ("1.1"). */
int cli_is_version(const char *s)
{
	size_t i;

	if (!s || !isdigit((unsigned char)s[0]))
		return 0;
	for (i = 1; s[i]; i++)
		if (!isdigit((unsigned char)s[i]) &&
		    (s[i] != '.' || !isdigit((unsigned char)s[i + 1])))
			return 0;
	return 1;
}

static int parse_seconds(cli *c, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return cli_usage_error(
		        "--lock-timeout needs seconds (0-86400), "
		        "not '%s'",
		        s);
	c->opts.lock_timeout = (int)v;
	return 0;
}

/* --row-threshold: a positive row count. */
static int parse_rows(cli *c, const char *s)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || end == s || *end || v < 1 || !all_digits(s))
		return cli_usage_error(
		        "--row-threshold needs a positive number "
		        "of rows, not '%s'",
		        s);
	c->row_threshold = (int64_t)v;
	return 0;
}

/* A count from 1 to max: --parallel, --canary. */
static int parse_count(int *out, const char *opt, const char *s, long max)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < 1 || v > max || !all_digits(s))
		return cli_usage_error("%s needs a number from 1 to %ld, not "
		                       "'%s'",
		                       opt, max, s);
	*out = (int)v;
	return 0;
}

/* --shard K/N: slice K (1..N) of N. */
static int parse_shard(cli *c, const char *s)
{
	unsigned k, n;
	int used = 0;

	if (sscanf(s, "%u/%u%n", &k, &n, &used) != 2 || s[used] || n < 1 ||
	    n > 10000 || k < 1 || k > n || !strchr("0123456789", *s))
		return cli_usage_error("--shard needs K/N with 1 <= K <= N "
		                       "(N at most 10000), not '%s'",
		                       s);
	c->shard_k = k;
	c->shard_n = n;
	return 0;
}

/* The fleet's options. */
static int take_fleet(cli *c, int ch, const char *arg)
{
	c->fleet_opts = 1;
	switch (ch) {
	case CLI_OPT_TARGETS:
		c->targets = arg;
		return 0;
	case CLI_OPT_PARALLEL:
		return parse_count(&c->parallel, "--parallel", arg,
		                   CLI_PARALLEL_MAX);
	case CLI_OPT_CANARY:
		return parse_count(&c->canary, "--canary", arg, 1000000);
	default:
		return parse_shard(c, arg);
	}
}

static int parse_when(const char *s)
{
	if (!s || !strcmp(s, "always") || !strcmp(s, "yes"))
		return CLI_ALWAYS;
	if (!strcmp(s, "never") || !strcmp(s, "no"))
		return CLI_NEVER;
	if (!strcmp(s, "auto"))
		return CLI_AUTO;
	return -1;
}

static int parse_to(cli *c, const char *s)
{
	if (!cli_is_version(s))
		return cli_usage_error(
		        "--to needs a version (digits), not '%s'", s);
	if (strspn(s, "0") == strlen(s) && strcmp(c->cmd->name, "down"))
		return cli_usage_error(
		        "--to %s: 0 is not a migration version; to revert "
		        "everything use 'strata down --to 0'",
		        s);
	c->to = s;
	return 0;
}

/* One option, global or the command's. Returns 0, -1 (help printed) or
 * an exit code. */
static int take(cli *c, int ch, const char *arg)
{
	switch (ch) {
	case 'c':
		c->opts.config_path = arg;
		break;
	case 'e':
		c->opts.env = arg;
		break;
	case CLI_OPT_URL:
		c->opts.url = arg;
		break;
	case CLI_OPT_DIR:
		c->opts.migrations_dir = arg;
		break;
	case CLI_OPT_TABLE:
		c->opts.table = arg;
		break;
	case CLI_OPT_LOCK_TIMEOUT:
		return parse_seconds(c, arg);
	case 'q':
		cli_out.quiet = 1;
		break;
	case 'v':
		cli_out.verbose = 1;
		break;
	case 'y':
		c->yes = 1;
		break;
	case CLI_OPT_TO:
		return parse_to(c, arg);
	case CLI_OPT_TARGETS:
	case CLI_OPT_PARALLEL:
	case CLI_OPT_CANARY:
	case CLI_OPT_SHARD:
		return take_fleet(c, ch, arg);
	case CLI_OPT_EXIT_CODE:
		c->exit_code = 1;
		break;
	case CLI_OPT_APPLIED:
		c->applied = 1;
		break;
	case CLI_OPT_ROLLED_BACK:
		c->rolled_back = 1;
		break;
	case CLI_OPT_OUT_OF_ORDER:
		c->out_of_order = 1;
		break;
	case CLI_OPT_ALL:
		c->all = 1;
		break;
	case CLI_OPT_DIALECT:
		c->dialects = arg;
		break;
	case CLI_OPT_WARNINGS_AS_ERRORS:
		c->warnings_as_errors = 1;
		break;
	case CLI_OPT_ROW_THRESHOLD:
		return parse_rows(c, arg);
	case CLI_OPT_ALLOW_DESTRUCTIVE:
		c->allow_destructive = 1;
		break;
	case CLI_OPT_SINGLE_TX:
		c->single_tx = 1;
		break;
	case CLI_OPT_FULL:
		c->full = 1;
		break;
	case CLI_OPT_SCRATCH_OK:
		c->scratch_ok = 1;
		break;
	case 'o': /* only commands with --output take -o */
		if (!c->cmd || strcmp(c->cmd->name, "dump"))
			return cli_usage_error("%s%sunknown option '-o'",
			                       c->cmd ? c->cmd->name : "",
			                       c->cmd ? ": " : "");
		c->output = arg;
		break;
	case CLI_OPT_OUTPUT:
		c->output = arg;
		break;
	case CLI_OPT_SCHEMA_FILE:
		c->schema_file = arg;
		break;
	case CLI_OPT_FROM:
		c->from = arg;
		break;
	case CLI_OPT_FROM_TABLE:
		c->from_table = arg;
		break;
	case CLI_OPT_CONVERT:
		c->convert = arg;
		break;
	case CLI_OPT_FORMAT:
		if (!strcmp(arg, "json"))
			cli_out.format = CLI_FORMAT_JSON;
		else if (!strcmp(arg, "text"))
			cli_out.format = CLI_FORMAT_TEXT;
		else
			return cli_usage_error("--format is text or json, not "
			                       "'%s'",
			                       arg);
		break;
	case CLI_OPT_COLOR:
		if (parse_when(arg) < 0)
			return cli_usage_error("--color is auto, always or "
			                       "never, not '%s'",
			                       arg);
		cli_out.color = (cli_when)parse_when(arg);
		break;
	case 'h':
		cli_help(c->cmd);
		return -1;
	case 'V':
		printf("strata %s\n", STRATA_VERSION);
		return -1;
	}
	return 0;
}

/* The option getopt stopped at, as the user wrote it: "--frmat", "-x". */
static void bad_option(char *buf, size_t n, char **argv)
{
	const char *a = argv[optind - 1];

	if (optopt && (!a || strncmp(a, "--", 2)))
		snprintf(buf, n, "-%c", optopt);
	else
		snprintf(buf, n, "%.*s", (int)strcspn(a, "="), a);
}

/* "--to, --table": the options NAME ("--t") abbreviates; how many. */
static int expansions(char *buf, size_t n, const char *name,
                      const struct option *longs)
{
	size_t len = strlen(name + 2), used = 0, i;
	int found = 0;

	*buf = '\0';
	for (i = 0; longs[i].name; i++)
		if (len && !strncmp(longs[i].name, name + 2, len) && used < n)
			used += (size_t)snprintf(buf + used, n - used, "%s--%s",
			                         found++ ? ", " : "",
			                         longs[i].name);
	return found;
}

/* Long options are never abbreviated, so that a new option cannot turn a
 * script's "--t" from one option into an ambiguity or into another one. */
static int abbreviation(const char *where, const char *name,
                        const struct option *longs)
{
	char list[256];
	int n = expansions(list, sizeof(list), name, longs);

	if (n > 1)
		return cli_usage_error("%s%soption '%s' is ambiguous (%s); "
		                       "options are never abbreviated",
		                       where ? where : "", where ? ": " : "",
		                       name, list);
	return cli_usage_error("%s%sunknown option '%s'%s%s%s",
	                       where ? where : "", where ? ": " : "", name,
	                       n ? " (options are never abbreviated: " : "",
	                       list, n ? ")" : "");
}

static int option_error(const char *where, int ch, char **argv,
                        const struct option *longs)
{
	char name[128];

	bad_option(name, sizeof(name), argv);
	if (ch == ':')
		return cli_usage_error("%s%soption '%s' needs a value",
		                       where ? where : "", where ? ": " : "",
		                       name);
	if (!strncmp(name, "--", 2))
		return abbreviation(where, name, longs);
	return cli_usage_error("%s%sunknown option '%s'", where ? where : "",
	                       where ? ": " : "", name);
}

/* getopt_long returned long option IDX: refuses it unless written in full.
 * The element is argv[optind - 1], or the one before when the value was
 * the next element. */
static int check_full(const char *where, char **argv, int idx,
                      const struct option *longs)
{
	const char *el = argv[optind - 1];
	char name[128];
	size_t len;

	if (optarg && optarg == el)
		el = argv[optind - 2];
	len = strcspn(el + 2, "=");

	if (strlen(longs[idx].name) == len)
		return 0;
	snprintf(name, sizeof(name), "%.*s", (int)len + 2, el);
	return abbreviation(where, name, longs);
}

/* "--color never": --color takes its value after '=' only, so "never" is
 * an operand; say so rather than "takes no arguments". */
static int stray_color(const char *prev, const char *arg)
{
	if (!prev || (strcmp(prev, "--color") && strcmp(prev, "--colour")) ||
	    parse_when(arg) < 0 || !strcmp(arg, "yes") || !strcmp(arg, "no"))
		return 0;
	return cli_usage_error("'%s %s': write %s=%s (the value of --color "
	                       "follows '=')",
	                       prev, arg, prev, arg);
}

/* Optimal string alignment distance, for "did you mean". */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[24][24];

	if (la > 22 || lb > 22)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], v = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb];
}

int cli_unknown_command(const char *name)
{
	const cli_command *best = NULL;
	size_t i, bd = 3;

	for (i = 0; cli_commands[i].name; i++) {
		size_t d = distance(name, cli_commands[i].name);

		if (d < bd && d < strlen(name)) {
			bd = d;
			best = &cli_commands[i];
		}
	}
	if (best)
		return cli_usage_error("unknown command '%s'; did you mean "
		                       "'%s'?",
		                       name, best->name);
	return cli_usage_error("unknown command '%s'", name);
}

const cli_command *cli_command_find(const char *name)
{
	size_t i;

	for (i = 0; cli_commands[i].name; i++)
		if (!strcmp(cli_commands[i].name, name))
			return &cli_commands[i];
	return NULL;
}

/* The command's options first, then the globals. */
static void merge(struct option *out, const struct option *cmd)
{
	size_t n = 0, i;

	for (i = 0; cmd && cmd[i].name && n < MAX_OPTS - 1; i++)
		out[n++] = cmd[i];
	for (i = 0; global_opts[i].name && n < MAX_OPTS - 1; i++)
		out[n++] = global_opts[i];
	memset(&out[n], 0, sizeof(out[n]));
}

/* The command's options and operands, in order: "-" makes getopt_long
 * hand operands over as it meets them (as 1), so options after operands
 * work even under POSIXLY_CORRECT. */
static int parse_command(cli *c, int argc, char **argv)
{
	struct option longs[MAX_OPTS];
	int ch, rc, idx;

	merge(longs, c->cmd->opts);
	c->pos = cli_calloc((size_t)argc + 1, sizeof(*c->pos));
	optind = 0; /* glibc: 0 re-initializes getopt for a new argv */
	opterr = 0;
	for (;;) {
		idx = -1;
		ch = getopt_long(argc, argv, "-:" GLOBAL_SHORT "o:", longs,
		                 &idx);
		if (ch == -1)
			break;
		if (ch == '?' || ch == ':')
			return option_error(c->cmd->name, ch, argv, longs);
		if (idx >= 0 &&
		    (rc = check_full(c->cmd->name, argv, idx, longs)))
			return rc;
		if (ch == 1) {
			if (optind >= 2 &&
			    (rc = stray_color(argv[optind - 2], optarg)))
				return rc;
			c->pos[c->npos++] = optarg;
			continue;
		}
		rc = take(c, ch, optarg);
		if (rc)
			return rc;
	}
	while (optind < argc) /* after "--" */
		c->pos[c->npos++] = argv[optind++];
	if (c->npos && (c->cmd->flags & CLI_CMD_NOPOS))
		return cli_usage_error("%s takes no arguments (got '%s')",
		                       c->cmd->name, c->pos[0]);
	return 0;
}

/* --format decides how every error is reported, parse errors included, so
 * it is read first wherever it stands: "status --frmat x --format json"
 * reports the unknown option in JSON. The parse proper checks it again. */
static void prescan_format(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--"); i++) {
		const char *v = NULL;

		if (!strcmp(argv[i], "--format") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--format=", 9))
			v = argv[i] + 9;
		else if (argv[i][0] == '-' && i + 1 < argc &&
		         (!strcmp(argv[i], "-c") || !strcmp(argv[i], "-e") ||
		          !strcmp(argv[i], "--config") ||
		          !strcmp(argv[i], "--env") ||
		          !strcmp(argv[i], "--url") ||
		          !strcmp(argv[i], "--dir") ||
		          !strcmp(argv[i], "--table") ||
		          !strcmp(argv[i], "--lock-timeout") ||
		          !strcmp(argv[i], "--to") ||
		          !strcmp(argv[i], "--dialect") ||
		          !strcmp(argv[i], "--row-threshold") ||
		          !strcmp(argv[i], "-o") ||
		          !strcmp(argv[i], "--output") ||
		          !strcmp(argv[i], "--schema-file") ||
		          !strcmp(argv[i], "--targets") ||
		          !strcmp(argv[i], "--parallel") ||
		          !strcmp(argv[i], "--canary") ||
		          !strcmp(argv[i], "--shard") ||
		          !strcmp(argv[i], "--from") ||
		          !strcmp(argv[i], "--from-table") ||
		          !strcmp(argv[i], "--convert")))
			i++; /* a value, even one spelled "--format" */
		if (v && !strcmp(v, "json"))
			cli_out.format = CLI_FORMAT_JSON;
		else if (v && !strcmp(v, "text"))
			cli_out.format = CLI_FORMAT_TEXT;
	}
}

int cli_parse(cli *c, int argc, char **argv)
{
	int ch, rc, idx;

	prescan_format(argc, argv);
	opterr = 0;
	for (;;) {
		idx = -1;
		ch = getopt_long(argc, argv, "+:" GLOBAL_SHORT, global_opts,
		                 &idx);
		if (ch == -1)
			break;
		if (ch == '?' || ch == ':')
			return option_error(NULL, ch, argv, global_opts);
		if (idx >= 0 && (rc = check_full(NULL, argv, idx, global_opts)))
			return rc;
		rc = take(c, ch, optarg);
		if (rc)
			return rc;
	}
	if (optind >= argc)
		return cli_usage_error("no command given");
	if (optind >= 1 && (rc = stray_color(argv[optind - 1], argv[optind])))
		return rc;
	argc -= optind;
	argv += optind;
	c->cmd = cli_command_find(argv[0]);
	if (!c->cmd)
		return cli_unknown_command(argv[0]);
	cli_out.command = c->cmd->name;
	return parse_command(c, argc, argv);
}
