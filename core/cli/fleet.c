/*
 * Fleets: one command on every target of a list (--targets FILE, or the
 * config environment's targets), each in its own strata process, at most
 * --parallel at a time, the first --canary K alone first. Lines come out
 * prefixed with the target's name; the end is a table, or one JSON
 * document listing every target. check (targets of different databases)
 * and diff also compare the targets' schemas.
 */
#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

#define NOT_RUN     (-1)
#define SERVERS_MAX 8 /* default parallelism against database servers */

typedef struct fleet_target {
	cli_proc proc; /* first: the line callback gets it */
	const char *name, *url, *redacted;
	int started, code; /* code: the exit status, or NOT_RUN */
	json_object *changed, *output;
} fleet_target;

typedef struct fleet {
	cli *c;
	strata_targets *list;
	fleet_target *t;
	size_t n;
	char **argv; /* the children's */
	int json;
} fleet;

static volatile sig_atomic_t stop_sig;
static fleet_target *sig_targets;
static size_t sig_n;

/* ---- the children's side -------------------------------------------- */

/* The report pipe a fleet's parent opened as fd 3, or -1. */
static int report_fd(void)
{
	static int fd = -2;

	if (fd == -2) {
		const char *s = getenv("STRATA_REPORT_FD");

		fd = s && !strcmp(s, "3") && fcntl(3, F_GETFD) != -1 ? 3 : -1;
	}
	return fd;
}

int cli_fleet_child(void)
{
	return report_fd() >= 0;
}

void cli_fleet_report(const strata_event *ev)
{
	int fd = report_fd(), n;
	const char *what = NULL;
	char line[512];

	if (fd < 0 || !ev->version)
		return;
	if (ev->kind == STRATA_EV_APPLIED)
		what = "applied";
	else if (ev->kind == STRATA_EV_REVERTED)
		what = "reverted";
	else if (ev->kind == STRATA_EV_SKIPPED)
		what = "skipped";
	else if (ev->kind == STRATA_EV_BASELINED)
		what = "baselined";
	if (!what)
		return;
	n = snprintf(line, sizeof(line), "%s %s\n", what, ev->version);
	if (n > 0 && (size_t)n < sizeof(line) && write(fd, line, (size_t)n))
		return;
}

/* ---- the parent's side ---------------------------------------------- */

static void on_signal(int sig)
{
	int saved = errno;
	size_t i;

	stop_sig = sig;
	for (i = 0; i < sig_n; i++)
		if (sig_targets[i].proc.running)
			kill(sig_targets[i].proc.pid, sig);
	errno = saved;
}

static void signals(fleet *f)
{
	struct sigaction sa;

	sig_targets = f->t;
	sig_n = f->n;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* An inherited SIG_IGN would reap the children for us, and their
	 * exit status with them. */
	signal(SIGCHLD, SIG_DFL);
}

/* Is a an option that fleets take, and does its value follow? */
static int fleet_option(const char *a, int *skip_next)
{
	static const char *const names[] = {"--targets", "--parallel",
	                                    "--canary", "--shard", NULL};
	size_t i, n;

	for (i = 0; names[i]; i++) {
		n = strlen(names[i]);
		if (!strncmp(a, names[i], n) && (a[n] == '=' || !a[n])) {
			*skip_next = !a[n];
			return 1;
		}
	}
	return 0;
}

/* main's argv without the fleet's own options: each child runs the same
 * command on one target. Everything after "--" is kept as written. */
static char **child_argv(int argc, char **argv)
{
	char **out = cli_calloc((size_t)argc + 1, sizeof(*out));
	int i, k = 0, skip = 0, dashdash = 0;

	for (i = 0; i < argc; i++) {
		if (dashdash || i == 0 || !fleet_option(argv[i], &skip)) {
			dashdash |= !strcmp(argv[i], "--");
			out[k++] = argv[i];
			continue;
		}
		if (skip)
			i++;
	}
	return out;
}

static void put_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, v ? json_object_new_string(v) : NULL);
}

/* A report line from a child: "applied VERSION". */
static void take_report(fleet_target *t, const char *line, size_t n)
{
	const char *sp = memchr(line, ' ', n);
	json_object *e;
	char what[16];

	if (!sp || (size_t)(sp - line) >= sizeof(what))
		return;
	snprintf(what, sizeof(what), "%.*s", (int)(sp - line), line);
	e = json_object_new_object();
	put_str(e, "change", what);
	json_object_object_add(
	        e, "version",
	        json_object_new_string_len(sp + 1, (int)(line + n - sp - 1)));
	json_object_array_add(t->changed, e);
}

static void print_prefixed(FILE *out, const fleet_target *t, int on_stderr,
                           const char *line, size_t n)
{
	fprintf(out, "%s[%s]%s ", cli_sgr(on_stderr, CLI_CYAN), t->name,
	        cli_sgr_off(on_stderr));
	fwrite(line, 1, n, out);
	fputc('\n', out);
	fflush(out);
}

/* A line of a child's JSON output, or the text when it is not JSON. */
static json_object *json_line(const char *line, size_t n)
{
	json_tokener *tok = json_tokener_new();
	json_object *o = json_tokener_parse_ex(tok, line, (int)n);

	if (o && (json_tokener_get_error(tok) != json_tokener_success ||
	          json_tokener_get_parse_end(tok) != n)) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o ? o : json_object_new_string_len(line, (int)n);
}

static void on_line(void *ctx, cli_proc *p, int stream, const char *line,
                    size_t n)
{
	fleet *f = ctx;
	fleet_target *t = (fleet_target *)p;

	if (stream == 2) {
		take_report(t, line, n);
	} else if (stream == 0 && f->json) {
		json_object_array_add(t->output, json_line(line, n));
	} else {
		print_prefixed(stream ? stderr : stdout, t, stream, line, n);
	}
}

static int exit_code_of(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : 1;
}

static void start(fleet *f, fleet_target *t)
{
	int e;

	t->started = 1;
	if (cli_proc_start(&t->proc, f->argv, t->url) == 0)
		return;
	e = errno;
	fprintf(stderr, "strata: %s: cannot start: %s\n", t->name, strerror(e));
	t->code = CLI_EXIT_FAIL;
}

/* Runs targets [from, to), at most par at a time. */
static void run_range(fleet *f, size_t from, size_t to, int par)
{
	cli_proc *live[CLI_PARALLEL_MAX];
	size_t next = from, i;
	int n = 0, k;

	while (next < to || n) {
		while (next < to && n < par && !stop_sig) {
			fleet_target *t = &f->t[next++];

			start(f, t);
			if (t->proc.running)
				live[n++] = &t->proc;
		}
		if (!n)
			break;
		if (cli_proc_pump(live, (size_t)n, on_line, f) < 0 &&
		    errno != EINTR)
			break;
		for (k = 0, i = 0; i < (size_t)n; i++) {
			fleet_target *t = (fleet_target *)live[i];

			if (live[i]->running)
				live[k++] = live[i];
			else
				t->code = exit_code_of(live[i]->status);
		}
		n = k;
	}
}

/* A target whose failure stops a canary run: anything but ok and
 * "pending or drift" (3, from check). */
static int failed(int code)
{
	return code != CLI_EXIT_OK && code != CLI_EXIT_PROBLEMS;
}

static int any_server(const fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++)
		if (strstr(f->t[i].url, "://") &&
		    strncmp(f->t[i].url, "sqlite:", 7))
			return 1;
	return 0;
}

static int parallelism(const fleet *f)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	int p = f->c->parallel;

	if (!p) {
		p = cpus > 0 ? (int)cpus : 1;
		if (any_server(f) && p > SERVERS_MAX)
			p = SERVERS_MAX;
	}
	return p > CLI_PARALLEL_MAX ? CLI_PARALLEL_MAX : p;
}

static void run_all(fleet *f)
{
	int par = parallelism(f);
	size_t canary = f->c->canary > 0 ? (size_t)f->c->canary : 0, i;

	if (canary > f->n)
		canary = f->n;
	if (canary) {
		run_range(f, 0, canary, par);
		for (i = 0; i < canary && !stop_sig; i++)
			if (failed(f->t[i].code)) {
				fprintf(stderr,
				        "strata: canary %s failed: the other "
				        "%zu target%s were not touched\n",
				        f->t[i].name, f->n - canary,
				        f->n - canary == 1 ? "" : "s");
				return;
			}
	}
	run_range(f, canary, f->n, par);
}

static const char *result_name(int code, char *buf, size_t n)
{
	switch (code) {
	case NOT_RUN:
		return "not run";
	case CLI_EXIT_OK:
		return "ok";
	case CLI_EXIT_FAIL:
		return "failed";
	case CLI_EXIT_USAGE:
		return "usage error";
	case CLI_EXIT_PROBLEMS:
		return "pending or drift";
	case CLI_EXIT_LOCK:
		return "lock timeout";
	case CLI_EXIT_LINT:
		return "blocked by lint";
	}
	if (code > 128)
		snprintf(buf, n, "killed by signal %d", code - 128);
	else
		snprintf(buf, n, "failed (exit %d)", code);
	return buf;
}

/* The fleet's exit status: 1 when any target failed or was not run, else
 * the most serious of lint (5), lock timeout (4), pending or drift (3). */
static int fleet_code(const fleet *f)
{
	int has[6] = {0};
	size_t i;

	for (i = 0; i < f->n; i++) {
		int c = f->t[i].code;

		if (c == NOT_RUN || c == CLI_EXIT_FAIL || c == CLI_EXIT_USAGE ||
		    c < 0 || c > CLI_EXIT_LINT)
			return CLI_EXIT_FAIL;
		has[c] = 1;
	}
	return has[CLI_EXIT_LINT]       ? CLI_EXIT_LINT
	       : has[CLI_EXIT_LOCK]     ? CLI_EXIT_LOCK
	       : has[CLI_EXIT_PROBLEMS] ? CLI_EXIT_PROBLEMS
	                                : CLI_EXIT_OK;
}

/* "1, 2, 3" or "1 ... 40 (40)": the versions a target's run changed. */
static void changed_text(char *buf, size_t n, json_object *changed)
{
	size_t len = json_object_array_length(changed), i, used = 0;

	buf[0] = '\0';
	if (len > 4) {
		snprintf(buf, n, "%s ... %s (%zu)",
		         json_object_get_string(json_object_object_get(
		                 json_object_array_get_idx(changed, 0),
		                 "version")),
		         json_object_get_string(json_object_object_get(
		                 json_object_array_get_idx(changed, len - 1),
		                 "version")),
		         len);
		return;
	}
	for (i = 0; i < len && used < n; i++)
		used += (size_t)snprintf(
		        buf + used, n - used, "%s%s", i ? ", " : "",
		        json_object_get_string(json_object_object_get(
		                json_object_array_get_idx(changed, i),
		                "version")));
	if (!len)
		snprintf(buf, n, "-");
}

/* The widths of the name and CHANGED columns. */
static void widths(const fleet *f, int *name, int *changed)
{
	char vb[160];
	size_t i, w = 6, v = 7;

	for (i = 0; i < f->n; i++) {
		if (strlen(f->t[i].name) > w)
			w = strlen(f->t[i].name);
		changed_text(vb, sizeof(vb), f->t[i].changed);
		if (strlen(vb) > v)
			v = strlen(vb);
	}
	*name = (int)w;
	*changed = (int)v;
}

static void print_table(const fleet *f, int code)
{
	int w, cw;
	size_t i, ok = 0;
	char rb[48], vb[160];

	widths(f, &w, &cw);
	for (i = 0; i < f->n; i++)
		ok += f->t[i].code == CLI_EXIT_OK;
	printf("\n%-*s  %-19s  %-*s  %8s  %s\n", w, "TARGET", "RESULT", cw,
	       "CHANGED", "TIME", "URL");
	for (i = 0; i < f->n; i++) {
		const fleet_target *t = &f->t[i];
		const char *r = result_name(t->code, rb, sizeof(rb));

		changed_text(vb, sizeof(vb), t->changed);
		printf("%-*s  %s%-19s%s  %-*s  %6.1f s  ", w, t->name,
		       cli_sgr(0, t->code == CLI_EXIT_OK ? CLI_GREEN
		                  : t->code == NOT_RUN   ? CLI_DIM
		                                         : CLI_RED),
		       r, cli_sgr_off(0), cw, vb,
		       (double)(t->started ? t->proc.ms : 0) / 1000);
		cli_put_safe(stdout, t->redacted, -1);
		putchar('\n');
	}
	printf("%zu of %zu target%s ok; exit %d\n", ok, f->n,
	       f->n == 1 ? "" : "s", code);
}

static json_object *target_json(const fleet_target *t)
{
	json_object *o = json_object_new_object();
	char rb[48];

	put_str(o, "name", t->name);
	put_str(o, "target", t->redacted);
	put_str(o, "result", result_name(t->code, rb, sizeof(rb)));
	json_object_object_add(
	        o, "exit_code",
	        t->code == NOT_RUN ? NULL : json_object_new_int(t->code));
	json_object_object_add(o, "changes", json_object_get(t->changed));
	json_object_object_add(
	        o, "duration_ms",
	        json_object_new_int64(t->started ? t->proc.ms : 0));
	json_object_object_add(o, "output", json_object_get(t->output));
	return o;
}

static json_object *fleet_targets_json(const fleet *f)
{
	json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < f->n; i++)
		json_object_array_add(list, target_json(&f->t[i]));
	return list;
}

/* ---- schemas compared across targets ---------------------------------- */

typedef struct opened {
	strata_config *cfg;
	strata *s;
} opened;

static void close_one(opened *o)
{
	strata_close(o->s);
	strata_config_free(o->cfg);
	memset(o, 0, sizeof(*o));
}

static int open_one(fleet *f, const fleet_target *t, opened *o)
{
	strata_options opts = f->c->opts;
	strata_error err;
	char *msg;
	int rc;

	memset(&err, 0, sizeof(err));
	memset(o, 0, sizeof(*o));
	opts.url = t->url;
	opts.no_create = 1;
	rc = strata_config_load(&o->cfg, &opts, &err);
	if (!rc)
		rc = strata_open(&o->s, o->cfg, &err);
	if (!rc)
		return 0;
	msg = strata_error_format(&err);
	fprintf(stderr, "%s[%s]%s not compared: ", cli_sgr(1, CLI_CYAN),
	        t->name, cli_sgr_off(1));
	cli_put_safe(stderr, msg, -1);
	fputc('\n', stderr);
	free(msg);
	strata_error_clear(&err);
	close_one(o);
	return -1;
}

/* "postgres" for postgresql://, "mysql" for mariadb://, "sqlite" for a
 * bare path: targets of one family need no comparison in check. */
static size_t family(const char *url, const char **name)
{
	size_t n = strcspn(url, ":/");

	*name = url;
	if (url[n] != ':') {
		*name = "sqlite";
		return 6;
	}
	if (n == 10 && !strncmp(url, "postgresql", n))
		n = 8;
	if (n == 7 && !strncmp(url, "mariadb", n)) {
		*name = "mysql";
		n = 5;
	}
	return n;
}

static int mixed(const fleet *f)
{
	const char *a, *b;
	size_t na, i;

	if (f->n < 2)
		return 0;
	na = family(f->t[0].url, &a);
	for (i = 1; i < f->n; i++) {
		size_t nb = family(f->t[i].url, &b);

		if (na != nb || strncmp(a, b, na))
			return 1;
	}
	return 0;
}

static void print_comparison(const strata_diff *d, const fleet_target *ref,
                             const fleet_target *t)
{
	size_t i;

	if (cli_out.quiet && !d->count)
		return;
	printf("%s[%s]%s schema %s %s's", cli_sgr(0, CLI_CYAN), t->name,
	       cli_sgr_off(0), d->count ? "differs from" : "equal to",
	       ref->name);
	printf(d->count ? ": %zu difference%s\n" : "\n", d->count,
	       d->count == 1 ? "" : "s");
	for (i = 0; i < d->count; i++) {
		const strata_diff_item *it = strata_diff_item_at(d, i);

		fputs("  ", stdout);
		cli_put_safe(stdout, it->object, -1);
		fputs(": ", stdout);
		cli_put_safe(stdout, it->detail, -1);
		if (it->change == STRATA_DIFF_ONLY_A)
			printf(" (only in %s)", ref->name);
		else if (it->change == STRATA_DIFF_ONLY_B)
			printf(" (only in %s)", t->name);
		putchar('\n');
	}
}

/* Each comparable target against the first: 0 all equal, 1 differences,
 * -1 a target could not be compared. In JSON, "schemas" of doc. */
static int compare_one(fleet *f, const fleet_target *ref, opened *a,
                       fleet_target *t, json_object *list)
{
	strata_diff *d = NULL;
	strata_error err;
	opened b;
	int rc;

	if (open_one(f, t, &b))
		return -1;
	memset(&err, 0, sizeof(err));
	rc = strata_diff_get(&d, a->s, b.s, &err);
	if (rc) {
		fprintf(stderr, "[%s] not compared\n", t->name);
		cli_print_error(&err);
		strata_error_clear(&err);
		close_one(&b);
		return -1;
	}
	if (f->json) {
		json_object *o = cli_json_diff_object(d, a->s, b.s);

		put_str(o, "name", t->name);
		put_str(o, "reference", ref->name);
		json_object_array_add(list, o);
	} else {
		print_comparison(d, ref, t);
	}
	rc = d->count ? 1 : 0;
	strata_diff_free(d);
	close_one(&b);
	return rc;
}

static int diffing(const fleet *f)
{
	return !strcmp(f->c->cmd->name, "diff");
}

static int comparable(const fleet *f, const fleet_target *t)
{
	return diffing(f) || t->code == CLI_EXIT_OK ||
	       t->code == CLI_EXIT_PROBLEMS;
}

/* diff runs no child: a target's result is its comparison's. */
static void mark(const fleet *f, fleet_target *t, int rc)
{
	if (diffing(f))
		t->code = rc < 0 ? CLI_EXIT_FAIL
		          : rc   ? CLI_EXIT_PROBLEMS
		                 : CLI_EXIT_OK;
}

static int compare_schemas(fleet *f, json_object *doc)
{
	json_object *list = json_object_new_array();
	fleet_target *ref = NULL;
	opened a;
	size_t i;
	int worst = 0, rc;

	for (i = 0; i < f->n && !ref; i++) {
		if (!comparable(f, &f->t[i]))
			continue;
		rc = open_one(f, &f->t[i], &a);
		mark(f, &f->t[i], rc);
		if (!rc)
			ref = &f->t[i];
	}
	for (; ref && i < f->n && !stop_sig; i++) {
		if (!comparable(f, &f->t[i]))
			continue;
		rc = compare_one(f, ref, &a, &f->t[i], list);
		mark(f, &f->t[i], rc);
		if (rc < 0 || (rc > 0 && worst == 0))
			worst = rc;
	}
	if (ref)
		close_one(&a);
	if (doc)
		json_object_object_add(doc, "schemas", list);
	else
		json_object_put(list);
	return ref ? worst : -1;
}

/* ---- the command ------------------------------------------------------ */

static int no_database(const cli_command *cmd)
{
	static const char *const names[] = {"init", "new", "drivers", "help",
	                                    NULL};
	size_t i;

	for (i = 0; names[i]; i++)
		if (!strcmp(cmd->name, names[i]))
			return 1;
	return 0;
}

/* The list, or NULL: none given, and the config names none. */
static int load(cli *c, strata_targets **t)
{
	strata_config *cfg = NULL;
	int rc;

	*t = NULL;
	if (c->targets && c->opts.url)
		return cli_usage_error("--targets and --url: give one of them");
	rc = strata_config_load(&cfg, &c->opts, &c->err);
	if (rc && !c->targets) {
		strata_error_clear(&c->err); /* the command will say it */
		return -1;
	}
	if (!rc)
		rc = strata_targets_load(t, cfg, c->targets, &c->err);
	if (!rc && !*t)
		c->cfg = cfg; /* one target: the command goes on with it */
	else
		strata_config_free(cfg);
	if (rc)
		return cli_finish(c, rc);
	if (*t && c->shard_n)
		rc = strata_targets_shard(*t, c->shard_k, c->shard_n, &c->err);
	return rc ? cli_finish(c, rc) : 0;
}

static int refuse(cli *c, const strata_targets *t)
{
	if (!t)
		return cli_usage_error(
		        "--parallel, --canary and --shard need a "
		        "list of targets: --targets FILE, or "
		        "targets in the environment of "
		        "strata.ini");
	if (!(c->cmd->flags & CLI_CMD_FLEET))
		return cli_usage_error("%s runs on one database; the list has "
		                       "%zu targets: pick one with --url",
		                       c->cmd->name, strata_targets_count(t));
	if (!strcmp(c->cmd->name, "diff") && c->npos)
		return cli_usage_error("diff with a list of targets compares "
		                       "each with the first: it takes no "
		                       "operands");
	return 0;
}

static int confirmed(const cli *c, size_t n)
{
	char q[96];

	if (strcmp(c->cmd->name, "down") || c->yes || !cli_can_prompt())
		return 1;
	snprintf(q, sizeof(q), "revert on each of %zu target%s?", n,
	         n == 1 ? "" : "s");
	return cli_confirm(q);
}

static void fleet_init(fleet *f, cli *c, strata_targets *t, int argc,
                       char **argv)
{
	size_t i;

	memset(f, 0, sizeof(*f));
	f->c = c;
	f->list = t;
	f->n = strata_targets_count(t);
	f->t = cli_calloc(f->n, sizeof(*f->t));
	f->json = cli_out.format == CLI_FORMAT_JSON;
	f->argv = child_argv(argc, argv);
	for (i = 0; i < f->n; i++) {
		fleet_target *x = &f->t[i];

		x->name = strata_targets_name(t, i);
		x->url = strata_targets_url(t, i);
		x->redacted = strata_targets_redacted(t, i);
		x->code = NOT_RUN;
		x->changed = json_object_new_array();
		x->output = json_object_new_array();
	}
}

static void fleet_free(fleet *f)
{
	size_t i;

	for (i = 0; i < f->n; i++) {
		json_object_put(f->t[i].changed);
		json_object_put(f->t[i].output);
	}
	free(f->t);
	free(f->argv);
	strata_targets_free(f->list);
}

/* Runs the children (not for diff), then compares the schemas where the
 * command asks for it; the exit status. */
static int run(fleet *f, json_object *doc)
{
	int code, cmp = 0;

	if (!diffing(f))
		run_all(f);
	if (diffing(f) || (!strcmp(f->c->cmd->name, "check") && mixed(f)))
		cmp = compare_schemas(f, doc);
	code = fleet_code(f);
	if (cmp > 0 && code == CLI_EXIT_OK)
		code = CLI_EXIT_PROBLEMS;
	if (cmp < 0 && !diffing(f) && code < CLI_EXIT_USAGE)
		code = CLI_EXIT_FAIL;
	if (stop_sig)
		code = stop_sig == SIGINT ? CLI_EXIT_SIGINT : CLI_EXIT_SIGTERM;
	return code;
}

int cli_fleet(cli *c, int argc, char **argv)
{
	strata_targets *t = NULL;
	json_object *doc = NULL;
	fleet f;
	int rc;

	if (no_database(c->cmd) && !c->fleet_opts)
		return -1;
	rc = load(c, &t);
	if (rc)
		return rc;
	if (!t && !c->fleet_opts)
		return -1;
	rc = refuse(c, t);
	if (!rc && !confirmed(c, strata_targets_count(t))) {
		fprintf(stderr, "strata: down: not confirmed; nothing "
		                "reverted\n");
		rc = CLI_EXIT_FAIL;
	}
	if (rc) {
		strata_targets_free(t);
		return rc;
	}
	if (!strata_targets_count(t) && cli_out.format != CLI_FORMAT_JSON)
		fprintf(stderr,
		        "strata: shard %u/%u holds none of the targets; "
		        "nothing to do\n",
		        c->shard_k, c->shard_n);
	fleet_init(&f, c, t, argc, argv);
	signals(&f);
	if (f.json)
		doc = cli_json_head("command", c->cmd->name);
	rc = run(&f, doc);
	if (f.json) {
		json_object_object_add(doc, "targets", fleet_targets_json(&f));
		json_object_object_add(doc, "exit_code",
		                       json_object_new_int(rc));
		cli_json_emit(doc);
	} else if (!cli_out.quiet || rc) {
		print_table(&f, rc);
	}
	fleet_free(&f);
	return rc;
}
