/* strata [global options] COMMAND [options] */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int main(int argc, char **argv)
{
	cli c;
	int rc;

	memset(&c, 0, sizeof(c));
	strata_options_init(&c.opts, STRATA_OPTIONS_VERSION);
	cli_progress_begin();
	rc = cli_parse(&c, argc, argv);
	if (rc) {
		free(c.pos);
		return cli_check_stdout(rc < 0 ? CLI_EXIT_OK : rc);
	}
	cli_color_setup();
	/* Only up and baseline may create the database (a SQLite file). */
	c.opts.no_create = !(c.cmd->flags & CLI_CMD_CREATES);
	/* One target of a fleet: its URL came in STRATA_URL (never on the
	 * command line), and it is the one database, as with --url. */
	if (cli_fleet_child() && !c.opts.url)
		c.opts.url = getenv("STRATA_URL");
	rc = cli_fleet(&c, argc, argv);
	if (rc >= 0) {
		strata_config_free(c.cfg);
		strata_error_clear(&c.err);
		free(c.pos);
		return cli_check_stdout(rc);
	}
	cli_signals_setup(c.cmd->name);
	rc = c.cmd->run(&c);
	cli_progress_end();
	strata_close(c.s);
	strata_config_free(c.cfg);
	strata_error_clear(&c.err);
	free(c.pos);
	return cli_check_stdout(rc);
}
