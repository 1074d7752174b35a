/*
 * Progress: each migration is announced when it starts and reported with
 * its duration when it ends, a line at a time. On a terminal the
 * announcement is one line rewritten in place ("statement 2 of 5, 3.1 s"),
 * redrawn by a ticker thread so that a long statement still shows time
 * passing. The ticker only redraws under the mutex; events come from the
 * main thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static pthread_t ticker;
static int ticking, stopping;
static cli_counts counts;

/* The migration running, for the live line. */
static struct {
	int open; /* a live line is on the terminal */
	int running;
	char what[320]; /* "applying 0002_users (up.sql)" */
	int index, count;
	int64_t t0;
} cur;

int64_t cli_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static size_t columns(void)
{
	struct winsize w;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &w) == 0 && w.ws_col > 20)
		return w.ws_col;
	return 80;
}

/* Under mu. */
static void clear_line(void)
{
	if (!cur.open)
		return;
	fputs("\r\033[K", stdout);
	fflush(stdout);
	cur.open = 0;
	cli_signals_live_line(0);
}

/* Under mu. */
static void draw(void)
{
	char line[512];
	int64_t ms = cli_now_ms() - cur.t0;
	size_t width = columns() - 1;

	if (cur.index)
		snprintf(line, sizeof(line),
		         "%s ... statement %d of %d, %.1f s", cur.what,
		         cur.index, cur.count, (double)ms / 1000);
	else
		snprintf(line, sizeof(line), "%s ... %.1f s", cur.what,
		         (double)ms / 1000);
	if (strlen(line) > width)
		line[width] = '\0';
	printf("\r\033[K%s", line);
	fflush(stdout);
	cur.open = 1;
	cli_signals_live_line(1);
}

static void *tick(void *arg)
{
	struct timespec until;

	(void)arg;
	pthread_mutex_lock(&mu);
	while (!stopping) {
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_nsec += 250 * 1000000L;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&wake, &mu, &until);
		if (!stopping && cur.running)
			draw();
	}
	pthread_mutex_unlock(&mu);
	return NULL;
}

void cli_progress_begin(void)
{
	counts.start_ms = cli_now_ms();
}

void cli_progress_end(void)
{
	pthread_mutex_lock(&mu);
	clear_line();
	cur.running = 0;
	stopping = 1;
	pthread_cond_signal(&wake);
	pthread_mutex_unlock(&mu);
	if (ticking)
		pthread_join(ticker, NULL);
	ticking = 0;
	stopping = 0;
}

const cli_counts *cli_progress_counts(void)
{
	return &counts;
}

static void count(const strata_event *ev)
{
	switch (ev->kind) {
	case STRATA_EV_APPLIED:
		counts.applied++;
		break;
	case STRATA_EV_SKIPPED:
		counts.skipped++;
		break;
	case STRATA_EV_REVERTED:
		counts.reverted++;
		break;
	case STRATA_EV_BASELINED:
		counts.baselined++;
		break;
	case STRATA_EV_RESOLVED:
		counts.resolved++;
		break;
	case STRATA_EV_REPAIRED:
		counts.repaired++;
		break;
	case STRATA_EV_FAILED:
		counts.failed++;
		break;
	default:
		break;
	}
}

/* Under mu. */
static void started(const strata_event *ev)
{
	const char *verb = cli_out.command && !strcmp(cli_out.command, "down")
	                           ? "reverting"
	                           : "applying";

	snprintf(cur.what, sizeof(cur.what), "%s %s (%s)", verb,
	         ev->id        ? ev->id
	         : ev->version ? ev->version
	                       : "?",
	         ev->source ? ev->source : "-");
	cur.index = cur.count = 0;
	cur.t0 = cli_now_ms();
	cur.running = 1;
	if (!cli_out.live) {
		printf("%s ...\n", cur.what);
		fflush(stdout);
		return;
	}
	draw();
	if (!ticking && pthread_create(&ticker, NULL, tick, NULL) == 0)
		ticking = 1;
}

/* -v, as each statement starts: "  [2/5] line 7: CREATE TABLE users
 * (id ...". Under mu. */
static void statement_start(const strata_event *ev)
{
	char sql[72];
	size_t i, n = 0;
	int space = 0;

	for (i = 0; ev->sql && ev->sql[i] && n < sizeof(sql) - 4; i++) {
		int ws = strchr(" \t\r\n", ev->sql[i]) != NULL;

		if (!ws || (!space && n))
			sql[n++] = ws ? ' ' : ev->sql[i];
		space = ws;
	}
	if (ev->sql && ev->sql[i])
		memcpy(sql + n, "...", 3), n += 3;
	sql[n] = '\0';
	clear_line();
	printf("  [%d/%d] line %d: %s\n", ev->index, ev->count, ev->line, sql);
	fflush(stdout);
	if (cli_out.live)
		draw();
}

/* -v, when it finished: "  [2/5] 12 ms". Under mu. */
static void statement_done(const strata_event *ev)
{
	clear_line();
	printf("  [%d/%d] %lld ms\n", ev->index, ev->count,
	       (long long)ev->duration_ms);
	fflush(stdout);
	if (cli_out.live)
		draw();
}

static void text_event(const strata_event *ev)
{
	switch (ev->kind) {
	case STRATA_EV_START:
		if (!cli_out.quiet)
			started(ev);
		break;
	case STRATA_EV_STATEMENT:
		cur.index = ev->index;
		cur.count = ev->count;
		if (cli_out.verbose && !cli_out.quiet)
			statement_start(ev); /* redraws a live line */
		else if (cur.open)
			draw();
		break;
	case STRATA_EV_STATEMENT_DONE:
		if (cli_out.verbose && !cli_out.quiet)
			statement_done(ev);
		break;
	case STRATA_EV_LOCK_WAIT:
		if (!cli_out.quiet)
			cli_text_event(ev);
		break;
	case STRATA_EV_OUT_OF_ORDER: /* a warning: shown even with -q */
		cli_text_event(ev);
		break;
	default:
		clear_line();
		cur.running = 0;
		if (!cli_out.quiet)
			cli_text_event(ev);
		break;
	}
}

void cli_on_event(void *ctx, const strata_event *ev)
{
	(void)ctx;
	pthread_mutex_lock(&mu);
	count(ev);
	if (cli_out.format == CLI_FORMAT_JSON)
		cli_json_event(ev);
	else
		text_event(ev);
	pthread_mutex_unlock(&mu);
}
