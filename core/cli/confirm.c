/* Asking before a large revert: on a terminal only, never on a pipe. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"

#define NAMED_MAX 5 /* migrations named in the question; then "N more" */

int cli_can_prompt(void)
{
	return isatty(STDIN_FILENO) && isatty(STDERR_FILENO);
}

int cli_confirm(const char *question)
{
	char line[64];
	size_t n;

	fprintf(stderr, "strata: %s: %s [y/N] ", cli_out.command, question);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin)) {
		fputc('\n', stderr);
		return 0;
	}
	n = strlen(line);
	while (n && isspace((unsigned char)line[n - 1]))
		line[--n] = '\0';
	return !strcasecmp(line, "y") || !strcasecmp(line, "yes");
}

/* "0003_c, 0002_b": the newest n recorded migrations, newest first; how
 * many there are in *count. -1 when the status cannot be read (down
 * itself will say why). */
static int newest(char *buf, size_t len, size_t *count, strata *s, long long n)
{
	strata_status *st = NULL;
	strata_error err;
	size_t i, used = 0, named = 0;

	memset(&err, 0, sizeof(err));
	*buf = '\0';
	*count = 0;
	if (strata_status_get(&st, s, &err)) {
		strata_error_clear(&err);
		return -1;
	}
	for (i = st->count; i-- > 0 && (n < 0 || (long long)*count < n);) {
		const strata_status_item *it = strata_status_item_at(st, i);

		if (it->state == STRATA_STATE_PENDING)
			continue;
		if (++*count <= NAMED_MAX && used < len) {
			used += (size_t)snprintf(buf + used, len - used, "%s%s",
			                         named++ ? ", " : "", it->id);
		}
	}
	if (*count > NAMED_MAX && used < len)
		snprintf(buf + used, len - used, " and %zu more",
		         *count - NAMED_MAX);
	strata_status_free(st);
	return 0;
}

int cli_confirm_down(strata *s, long long n)
{
	char names[512], q[1024];
	size_t count;

	if (newest(names, sizeof(names), &count, s, n) < 0) {
		if (n < 0)
			snprintf(q, sizeof(q),
			         "revert every applied migration of %s?",
			         strata_target(s));
		else
			snprintf(q, sizeof(q),
			         "revert the newest %lld migrations of %s?", n,
			         strata_target(s));
		return cli_confirm(q);
	}
	if (count <= 1) /* nothing to ask about: down says what it does */
		return 1;
	if (n < 0)
		snprintf(q, sizeof(q),
		         "revert every applied migration of %s (%s)?",
		         strata_target(s), names);
	else
		snprintf(q, sizeof(q), "revert %zu migrations of %s (%s)?",
		         count, strata_target(s), names);
	return cli_confirm(q);
}
