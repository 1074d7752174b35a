/*
 * SIGINT/SIGTERM: one line on stderr saying what was interrupted and the
 * state it leaves, then exit 130/143. The line is composed ahead of time
 * from progress events; the handler only write(2)s it and _exit()s.
 * With --format json an event command's output must still end with a
 * summary: it is prepared the same way (counts so far), and the handler
 * adds the duration and the exit status.
 */
#include <signal.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Two buffers: the handler reads the one sig_cur points to, never the one
 * being written. */
static char sig_text[2][640];
static size_t sig_len[2];
static volatile sig_atomic_t sig_cur;
static int sig_reverting;
static volatile sig_atomic_t sig_live;      /* a progress line is unfinished */
static volatile sig_atomic_t sig_json_open; /* a JSON line is unfinished */

/* The JSON summary so far, double-buffered the same way; empty when the
 * command prints none. */
static char sum_text[2][512];
static size_t sum_len[2];
static volatile sig_atomic_t sum_cur;
static int64_t sum_t0;
static int sum_on; /* an event command in JSON: a summary is owed */

static void sum_update(void)
{
	int next = !sum_cur;

	sum_len[next] =
	        cli_json_summary_head(sum_text[next], sizeof(sum_text[next]));
	atomic_signal_fence(memory_order_seq_cst);
	sum_cur = next;
}

/* Appends the decimal v to buf; async-signal-safe. */
static size_t put_num(char *buf, int64_t v)
{
	char tmp[24];
	size_t n = 0, i;

	if (v < 0)
		v = 0;
	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) && n < sizeof(tmp));
	for (i = 0; i < n; i++)
		buf[i] = tmp[n - 1 - i];
	return n;
}

/* The summary line of an interrupted run: write(2) and clock_gettime(2)
 * only. */
static void sum_write(int sig)
{
	static const char tail_int[] =
	        ",\"exit_code\":130,\"ok\":false,\"interrupted\":true}\n";
	static const char tail_term[] =
	        ",\"exit_code\":143,\"ok\":false,\"interrupted\":true}\n";
	int cur = sum_cur;
	struct timespec ts;
	char num[24];
	ssize_t w;

	if (!sum_len[cur])
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (sig_json_open)
		w = write(STDOUT_FILENO, "\n", 1);
	w = write(STDOUT_FILENO, sum_text[cur], sum_len[cur]);
	w = write(STDOUT_FILENO, num,
	          put_num(num, (int64_t)ts.tv_sec * 1000 +
	                               ts.tv_nsec / 1000000 - sum_t0));
	if (sig == SIGINT)
		w = write(STDOUT_FILENO, tail_int, sizeof(tail_int) - 1);
	else
		w = write(STDOUT_FILENO, tail_term, sizeof(tail_term) - 1);
	(void)w;
}

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

	sum_write(sig);
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
	cli_fleet_report(ev);
	if (sum_on)
		sum_update(); /* the counts include this event */
}

void cli_signals_live_line(int open)
{
	sig_live = open;
}

void cli_signals_json_line(int open)
{
	sig_json_open = open;
}

void cli_signals_summary_written(void)
{
	sum_on = 0;
	sum_len[0] = sum_len[1] = 0;
}

void cli_signals_setup(const char *command)
{
	struct sigaction sa;

	sig_reverting = command && !strcmp(command, "down");
	sig_set("strata: interrupted; no migration was running\n");
	if (cli_out.format == CLI_FORMAT_JSON && command &&
	    (cli_command_find(command)->flags & CLI_CMD_EVENTS)) {
		sum_t0 = cli_progress_counts()->start_ms;
		sum_on = 1;
		sum_update();
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}
