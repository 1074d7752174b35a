/* Usage text, built from the command table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static const char globals_text[] =
        "Global options (before or after the command):\n"
        "  -c, --config FILE     config file (default ./strata.ini)\n"
        "  -e, --env NAME        environment section of the config\n"
        "      --url URL         database URL (overrides config)\n"
        "      --dir DIR         migrations folder\n"
        "      --table NAME      history table (default strata_migrations)\n"
        "      --lock-timeout S  seconds to wait for the lock (default 60)\n"
        "      --format FORMAT   text (default) or json (docs/json.md)\n"
        "      --color[=WHEN]    auto (default: on a terminal, unless "
        "NO_COLOR\n"
        "                        is set), always or never\n"
        "  -q, --quiet           print errors only (reports still print)\n"
        "  -v, --verbose         print each statement as it runs (lint: also\n"
        "                        the acknowledged findings)\n"
        "  -y, --yes             do not ask before reverting more than one\n"
        "                        migration\n"
        "      --targets FILE    run on every database of FILE (one URL a\n"
        "                        line, or NAME URL); also targets,\n"
        "                        targets_file or tenants in strata.ini\n"
        "      --parallel N      targets at once (default: the CPUs, at most\n"
        "                        8 with database servers)\n"
        "      --canary K        the first K targets first; stop if one fails\n"
        "      --shard K/N       only slice K of N of the targets\n"
        "  -h, --help            this help; 'strata help COMMAND' for one\n"
        "  -V, --version         print the version\n";

static const char tail_text[] =
        "\n"
        "Exit codes:\n"
        "  0 ok, 1 operation failed (or not confirmed), 2 usage or config\n"
        "  error, 3 pending migrations, drift, unknown history rows or\n"
        "    out-of-order migrations (check, status --exit-code; up "
        "refusing),\n"
        "    schemas that differ (diff),\n"
        "  4 lock timeout, 5 lint errors (lint; check, before 3; up "
        "refusing\n"
        "    unless --allow-destructive), 130/143 interrupted\n"
        "  With targets: 1 if any target failed or was not run, else the\n"
        "    highest of 5, 4 and 3 among them (3 also: schemas differ)\n"
        "\n"
        "Versions are the digits before the first _ of a folder name, of any\n"
        "  length, compared as numbers (0002 = 2 < 10).\n"
        "\n"
        "URLs: sqlite:path.db, sqlite:///abs/path.db, a bare file path,\n"
        "  postgres://user:pass@host:port/db?sslmode=..,\n"
        "  mysql://user:pass@host:port/db?socket=/path\n";

void cli_help_hint(void)
{
	if (cli_out.command)
		fprintf(stderr, "Try 'strata help %s'.\n", cli_out.command);
	else
		fprintf(stderr, "Try 'strata --help'.\n");
}

static void command_line(const cli_command *cmd)
{
	char head[128];

	snprintf(head, sizeof(head), "%s%s%s", cmd->name, *cmd->args ? " " : "",
	         cmd->args);
	if (strlen(head) <= 20)
		printf("  %-20s  %s\n", head, cmd->summary);
	else
		printf("  %s\n  %-20s  %s\n", head, "", cmd->summary);
}

static void help_all(void)
{
	size_t i;

	printf("usage: strata [global options] COMMAND [options]\n\n%s\n"
	       "Commands:\n",
	       globals_text);
	for (i = 0; cli_commands[i].name; i++)
		command_line(&cli_commands[i]);
	fputs(tail_text, stdout);
}

void cli_help(const cli_command *cmd)
{
	if (!cmd) {
		help_all();
		return;
	}
	printf("usage: strata [global options] %s%s%s\n\n%s.\n", cmd->name,
	       *cmd->args ? " " : "", cmd->args, cmd->summary);
	if (cmd->details)
		printf("\nOptions:\n%s", cmd->details);
	printf("\n%s%s", globals_text, tail_text);
}

/* A command of the table like the others, so that global options after it
 * parse as after any command and a typo of it gets a suggestion. */
int cli_cmd_help(cli *c)
{
	const cli_command *cmd = NULL;

	if (c->npos > 1)
		return cli_usage_error("help takes at most one COMMAND");
	if (c->npos && !(cmd = cli_command_find(c->pos[0]))) {
		/* The operand is wrong, not help's usage: point at the list. */
		cli_out.command = NULL;
		return cli_unknown_command(c->pos[0]);
	}
	cli_help(cmd);
	return CLI_EXIT_OK;
}
