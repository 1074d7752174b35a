/*
 * Output state: the settings every printing file reads (fixed once the
 * command line is parsed), and the last word on stdout: a failed write (a
 * full disk, a closed pipe) is exit 1, reported once.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

cli_output cli_out;

int cli_check_stdout(int rc)
{
	int failed = fflush(stdout) != 0, e = errno;

	if (!failed && !ferror(stdout))
		return rc;
	if (failed)
		fprintf(stderr,
		        "strata: error: cannot write to standard output: "
		        "%s\n",
		        strerror(e));
	else
		fprintf(stderr,
		        "strata: error: cannot write to standard output\n");
	return rc ? rc : CLI_EXIT_FAIL;
}
