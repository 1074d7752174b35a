/*
 * SIGINT/SIGTERM: one line on stderr saying what was interrupted and the
 * state it leaves, then exit 130/143. The line is composed ahead of time
 * from progress events; the handler only write(2)s it and _exit()s.
 * A failed write to stdout (a full disk, a closed pipe) is exit 1.
 */
#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Two buffers: the handler reads the one sig_cur points to, never the one
 * being written. */
static char sig_text[2][640];
static size_t sig_len[2];
static volatile sig_atomic_t sig_cur;
static int sig_reverting;
static volatile sig_atomic_t sig_live; /* a progress line is unfinished */

static void sig_set(const char *fmt, ...)
{
	int next = !sig_cur, n;
	va_list ap;

	va_start(ap, fmt);
	n = vsnprintf(sig_text[next], sizeof(sig_text[next]), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(sig_text[next])) { /* keep the newline */
		n = (int)sizeof(sig_text[next]) - 1;
		sig_text[next][n - 1] = '\n';
	}
	sig_len[next] = (size_t)n;
	atomic_signal_fence(memory_order_seq_cst); /* text before the flip */
	sig_cur = next;
}

static void on_signal(int sig)
{
	int cur = sig_cur;
	ssize_t w = sig_live ? write(STDOUT_FILENO, "\n", 1) : 0;

	w = write(STDERR_FILENO, sig_text[cur], sig_len[cur]);
	(void)w;
	_exit(sig == SIGINT ? CLI_EXIT_SIGINT : CLI_EXIT_SIGTERM);
}

/* START comes before a transaction begins, and for a migration without
 * one once its "failed" row is written; either may have finished (commit
 * or last statement done) before its APPLIED/REVERTED event. */
static void started(const strata_event *ev)
{
	const char *id = ev->id ? ev->id : ev->version ? ev->version : "?";
	const char *v = ev->version ? ev->version : id;
	int tx = ev->detail && !strcmp(ev->detail, "transaction");

	if (tx)
		sig_set("strata: interrupted while %s %s inside a transaction: "
		        "the database rolls it back (%s) unless its commit had "
		        "completed; check 'strata status'\n",
		        sig_reverting ? "reverting" : "applying", id,
		        sig_reverting ? "it stays applied"
		                      : "nothing recorded");
	else
		sig_set("strata: interrupted while %s %s without a "
		        "transaction: statements that ran are kept and it is "
		        "recorded as failed, unless it had finished; check "
		        "'strata status' and the database, then run 'strata "
		        "resolve %s --applied' or '--rolled-back'\n",
		        sig_reverting ? "reverting" : "applying", id, v);
}

void cli_track_event(void *ctx, const strata_event *ev)
{
	switch (ev->kind) {
	case STRATA_EV_START:
		started(ev);
		break;
	case STRATA_EV_LOCK_WAIT:
		sig_set("strata: interrupted while waiting for the migration "
		        "lock; nothing was changed\n");
		break;
	case STRATA_EV_APPLIED:
	case STRATA_EV_REVERTED:
	case STRATA_EV_SKIPPED:
		/* the next one's "failed" row may be on its way: say how to
		 * see it rather than "nothing else changed" */
		sig_set("strata: interrupted between migrations: those "
		        "reported as done are recorded, no other migration "
		        "ran; check 'strata status'\n");
		break;
	default:
		break;
	}
	cli_on_event(ctx, ev);
}

void cli_signals_live_line(int open)
{
	sig_live = open;
}

void cli_signals_setup(const char *command)
{
	struct sigaction sa;

	sig_reverting = command && !strcmp(command, "down");
	sig_set("strata: interrupted; no migration was running\n");
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

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
