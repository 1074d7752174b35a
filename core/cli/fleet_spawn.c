/*
 * A fleet's targets run as child strata processes, one a target: each has
 * its own connection, lock and failure, and a crash in one cannot take
 * the others down. Their output arrives on pipes and is handed on a whole
 * line at a time, so that parallel targets never interleave mid-line.
 */
#define _GNU_SOURCE /* pipe2 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

extern char **environ;

#define REPORT_FD 3

/* The environment of a child: ours, with the target's URL in STRATA_URL
 * (never on the command line, where ps shows it to every user). */
static char **child_env(const char *url)
{
	size_t n = 0, i, k = 0;
	char **env;

	while (environ[n])
		n++;
	env = cli_calloc(n + 3, sizeof(*env));
	for (i = 0; i < n; i++)
		if (strncmp(environ[i], "STRATA_URL=", 11) &&
		    strncmp(environ[i], "DATABASE_URL=", 13) &&
		    strncmp(environ[i], "STRATA_REPORT_FD=", 17))
			env[k++] = environ[i];
	env[k] = cli_calloc(strlen(url) + 12, 1);
	sprintf(env[k++], "STRATA_URL=%s", url);
	env[k++] = "STRATA_REPORT_FD=3";
	return env;
}

/* The running program: readlink, which valgrind answers with its
 * client's path (an exec of /proc/self/exe would run valgrind itself). */
static const char *self(void)
{
	static char path[4096];
	ssize_t n;

	if (path[0])
		return path;
	n = readlink("/proc/self/exe", path, sizeof(path) - 1);
	if (n <= 0 || (size_t)n >= sizeof(path) - 1)
		snprintf(path, sizeof(path), "/proc/self/exe");
	else
		path[n] = '\0';
	return path;
}

static void child(int pipes[3][2], const char *prog, char *const argv[],
                  char **env)
{
	int devnull = open("/dev/null", O_RDONLY | O_CLOEXEC), i;

	if (devnull >= 0)
		dup2(devnull, STDIN_FILENO);
	for (i = 0; i < 3; i++)
		dup2(pipes[i][1], i == 2 ? REPORT_FD : i + 1);
	signal(SIGPIPE, SIG_DFL);
	execve(prog, argv, env);
	dprintf(STDERR_FILENO, "strata: cannot run strata again: %s\n",
	        strerror(errno));
	_exit(127);
}

static void close_pipes(int pipes[3][2], int n)
{
	int i;

	for (i = 0; i < n; i++) {
		close(pipes[i][0]);
		close(pipes[i][1]);
	}
}

int cli_proc_start(cli_proc *p, char *const argv[], const char *url)
{
	int pipes[3][2], i, saved;
	sigset_t block, old;
	const char *prog;
	char **env;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < 3; i++)
		if (pipe2(pipes[i], O_CLOEXEC)) {
			close_pipes(pipes, i);
			return -1;
		}
	env = child_env(url);
	prog = self();
	fflush(NULL);
	p->start_ms = cli_now_ms();
	/* A signal between fork and "running" would not reach the child. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	p->pid = fork();
	if (p->pid == 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		child(pipes, prog, argv, env);
	}
	saved = errno;
	for (i = 0; env[i]; i++)
		if (!strncmp(env[i], "STRATA_URL=", 11))
			free(env[i]);
	free(env);
	for (i = 0; i < 3; i++) {
		close(pipes[i][1]);
		p->fd[i] = pipes[i][0];
	}
	if (p->pid < 0) {
		for (i = 0; i < 3; i++)
			close(p->fd[i]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
		return -1;
	}
	p->running = 1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	return 0;
}

/* Hands over the whole lines in stream s's buffer; at EOF the rest. */
static void flush_lines(cli_proc *p, int s, int eof, cli_proc_line_fn fn,
                        void *ctx)
{
	char *start = p->part[s], *nl;
	size_t left = p->plen[s];

	while (left && (nl = memchr(start, '\n', left))) {
		fn(ctx, p, s, start, (size_t)(nl - start));
		left -= (size_t)(nl - start) + 1;
		start = nl + 1;
	}
	if (left && (eof || left >= CLI_PROC_LINE_MAX)) {
		fn(ctx, p, s, start, left); /* a huge or unended line */
		left = 0;
	}
	memmove(p->part[s], start, left);
	p->plen[s] = left;
}

static void read_stream(cli_proc *p, int s, cli_proc_line_fn fn, void *ctx)
{
	ssize_t r;

	/* A line (one JSON document: a status of 10,000 migrations) may be
	 * megabytes long: the buffer grows to hold it whole. */
	if (p->psize[s] - p->plen[s] < CLI_PROC_READ) {
		p->psize[s] = p->psize[s] ? p->psize[s] * 2 : 2 * CLI_PROC_READ;
		p->part[s] = realloc(p->part[s], p->psize[s]);
		if (!p->part[s]) {
			fputs("strata: out of memory\n", stderr);
			abort();
		}
	}
	r = read(p->fd[s], p->part[s] + p->plen[s], p->psize[s] - p->plen[s]);
	if (r < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (r > 0) {
		p->plen[s] += (size_t)r;
		flush_lines(p, s, 0, fn, ctx);
		return;
	}
	flush_lines(p, s, 1, fn, ctx);
	close(p->fd[s]);
	p->fd[s] = -1;
	free(p->part[s]);
	p->part[s] = NULL;
	p->psize[s] = 0;
}

/* All its pipes closed: the child has exited or is about to. */
static void reap(cli_proc *p)
{
	int st = 0;
	pid_t r;

	while ((r = waitpid(p->pid, &st, 0)) < 0 && errno == EINTR)
		;
	if (r < 0)
		st = 1 << 8; /* its status is lost: exit 1, a failure */
	p->status = st;
	p->ms = cli_now_ms() - p->start_ms;
	p->running = 0;
}

int cli_proc_pump(cli_proc *const *procs, size_t n, cli_proc_line_fn fn,
                  void *ctx)
{
	struct pollfd pf[3 * CLI_PARALLEL_MAX];
	cli_proc *owner[3 * CLI_PARALLEL_MAX];
	int stream[3 * CLI_PARALLEL_MAX];
	size_t i, np = 0;
	int s, running = 0;

	for (i = 0; i < n; i++)
		for (s = 0; s < 3; s++)
			if (procs[i]->running && procs[i]->fd[s] >= 0) {
				pf[np].fd = procs[i]->fd[s];
				pf[np].events = POLLIN;
				pf[np].revents = 0;
				owner[np] = procs[i];
				stream[np++] = s;
			}
	if (np && poll(pf, np, -1) < 0)
		return errno == EINTR ? (int)n : -1; /* a signal: look again */
	for (i = 0; i < np; i++)
		if (pf[i].revents)
			read_stream(owner[i], stream[i], fn, ctx);
	for (i = 0; i < n; i++) {
		cli_proc *p = procs[i];

		if (p->running && p->fd[0] < 0 && p->fd[1] < 0 && p->fd[2] < 0)
			reap(p);
		running += p->running;
	}
	return running;
}
