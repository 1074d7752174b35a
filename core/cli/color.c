/*
 * Colour: on a terminal only, unless --color=always; NO_COLOR (any
 * non-empty value) turns the automatic choice off, --color=always wins
 * over it because it is asked for on the command line.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

static int smart_terminal(int fd)
{
	const char *term = getenv("TERM");

	return isatty(fd) && !(term && !strcmp(term, "dumb"));
}

static int wanted(int fd)
{
	const char *no = getenv("NO_COLOR");

	if (cli_out.color != CLI_AUTO)
		return cli_out.color == CLI_ALWAYS;
	return !(no && *no) && smart_terminal(fd);
}

void cli_color_setup(void)
{
	cli_out.color_out = wanted(STDOUT_FILENO);
	cli_out.color_err = wanted(STDERR_FILENO);
	cli_out.live = cli_out.format == CLI_FORMAT_TEXT && !cli_out.quiet &&
	               smart_terminal(STDOUT_FILENO);
}

const char *cli_sgr(int on_stderr, const char *code)
{
	return (on_stderr ? cli_out.color_err : cli_out.color_out) ? code : "";
}

const char *cli_sgr_off(int on_stderr)
{
	return cli_sgr(on_stderr, CLI_RESET);
}

const char *cli_state_color(strata_state st)
{
	switch (st) {
	case STRATA_STATE_APPLIED:
		return CLI_GREEN;
	case STRATA_STATE_PENDING:
		return CLI_CYAN;
	case STRATA_STATE_SKIPPED:
	case STRATA_STATE_BASELINE:
		return CLI_DIM;
	case STRATA_STATE_MODIFIED:
	case STRATA_STATE_MISSING:
		return CLI_YELLOW;
	case STRATA_STATE_FAILED:
	case STRATA_STATE_UNKNOWN:
		return CLI_RED;
	}
	return "";
}
