/*
 * Output state: the settings every printing file reads (fixed once the
 * command line is parsed), and the last word on stdout: a failed write (a
 * full disk, a closed pipe) is exit 1, reported once.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
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

/* Text from the database (a history row anyone with write access may
 * have edited, a server's error message) or from files must not drive the
 * terminal: control characters but tab become \xNN, as the library's
 * error lines escape them; a line break becomes one followed by indent
 * (NULL: escaped too). At most n bytes of s (-1: all). malloc'd. */
char *cli_printable_n(const char *s, long n, const char *indent)
{
	size_t size = 1, in = indent ? strlen(indent) : 0;
	const char *p;
	char *out, *o;
	long k;

	for (p = s, k = n; *p && k != 0; p++, k--)
		size += *p == '\n' && indent ? 1 + in : 4;
	out = o = cli_calloc(size, 1);
	for (p = s, k = n; *p && k != 0; p++, k--) {
		unsigned char c = (unsigned char)*p;

		if (c == '\n' && indent) {
			*o++ = '\n';
			memcpy(o, indent, in);
			o += in;
		} else if ((c < 0x20 && c != '\t') || c == 0x7f) {
			o += sprintf(o, "\\x%02x", c);
		} else {
			*o++ = (char)c;
		}
	}
	*o = '\0';
	return out;
}

char *cli_printable(const char *s, const char *indent)
{
	return cli_printable_n(s, -1, indent);
}

void cli_put_safe(FILE *out, const char *s, long n)
{
	char *t = cli_printable_n(s, n, NULL);

	fputs(t, out);
	free(t);
}
