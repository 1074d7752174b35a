/*
 * The threading rules of strata.h and docs/embedding.md: strata_global_init()
 * is idempotent and thread-safe; after it, different handles are used from
 * different threads at the same time, each handle and its results by one
 * thread; the event callback runs on the thread that called the handle.
 * Two threads open two SQLite files at once (the driver's first load
 * included) and run up, status and history on each.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "strata/strata.h"

static char root[] = "/tmp/strata-threads-XXXXXX";
static pthread_barrier_t start;

typedef struct job {
	const char *name; /* the target: <root>/<name>.db, <root>/<name>/ */
	int migrations;   /* how many its folder has */
	/* Set and read by the job's thread only, until it is joined: the
	 * TAP output is not thread-safe, so the main thread checks them. */
	pthread_t self;
	int rc_init, rc_load, rc_open, rc_up, rc_status, rc_history;
	char err[512];
	int applied_events, foreign_events;
	size_t count, pending, all_applied;
	size_t rows, own_rows;
	char driver[32];
} job;

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f)
		return -1;
	fputs(text, f);
	return fclose(f);
}

/* <root>/<name>/<i>_<name>_t<i>/{up,down}.sql: tables named after the
 * target, so a row in the wrong database would show. */
static int make_migrations(const job *j)
{
	char dir[512], path[600], sql[200];
	int i;

	snprintf(dir, sizeof(dir), "%s/%s", root, j->name);
	if (mkdir(dir, 0700) && errno != EEXIST)
		return -1;
	for (i = 1; i <= j->migrations; i++) {
		snprintf(dir, sizeof(dir), "%s/%s/%d_%s_t%d", root, j->name, i,
		         j->name, i);
		if (mkdir(dir, 0700))
			return -1;
		snprintf(path, sizeof(path), "%s/up.sql", dir);
		snprintf(sql, sizeof(sql),
		         "CREATE TABLE %s_t%d (id INTEGER PRIMARY KEY);\n"
		         "INSERT INTO %s_t%d (id) VALUES (%d);\n",
		         j->name, i, j->name, i, i);
		if (write_file(path, sql))
			return -1;
		snprintf(path, sizeof(path), "%s/down.sql", dir);
		snprintf(sql, sizeof(sql), "DROP TABLE %s_t%d;\n", j->name, i);
		if (write_file(path, sql))
			return -1;
	}
	return 0;
}

static void on_event(void *ctx, const strata_event *ev)
{
	job *j = ctx;

	if (!pthread_equal(pthread_self(), j->self))
		j->foreign_events++;
	if (ev->kind == STRATA_EV_APPLIED)
		j->applied_events++;
}

static void keep_error(job *j, const strata_error *err)
{
	if (!j->err[0] && err->message)
		snprintf(j->err, sizeof(j->err), "%s%s%s", err->message,
		         err->db_message ? ": " : "",
		         err->db_message ? err->db_message : "");
}

static void *run(void *arg)
{
	job *j = arg;
	strata_options o = STRATA_OPTIONS_INIT;
	strata_config *cfg = NULL;
	strata_error err = {0};
	strata_status *st = NULL;
	strata_history *h = NULL;
	strata *s = NULL;
	char url[512], dir[512], prefix[64];
	size_t i;

	j->self = pthread_self();
	snprintf(url, sizeof(url), "sqlite:%s/%s.db", root, j->name);
	snprintf(dir, sizeof(dir), "%s/%s", root, j->name);
	snprintf(prefix, sizeof(prefix), "%s_t", j->name);
	/* Both threads at once: the calls below overlap. */
	pthread_barrier_wait(&start);
	j->rc_init = strata_global_init(&err); /* thread-safe, idempotent */
	o.url = url;
	o.migrations_dir = dir;
	o.table = "strata_migrations";
	o.env = "default";
	j->rc_load = strata_config_load(&cfg, &o, &err);
	if (!j->rc_load)
		j->rc_open = strata_open(&s, cfg, &err);
	if (!j->rc_load && !j->rc_open) {
		snprintf(j->driver, sizeof(j->driver), "%s",
		         strata_driver_name(s));
		strata_set_event_fn(s, on_event, j);
		j->rc_up = strata_up(s, NULL, &err);
		keep_error(j, &err);
		j->rc_status = strata_status_get(&st, s, &err);
		keep_error(j, &err);
		j->rc_history = strata_history_get(&h, s, &err);
	}
	keep_error(j, &err);
	if (st) {
		j->count = st->count;
		j->pending = st->pending;
		for (i = 0; i < st->count; i++)
			j->all_applied += strata_status_item_at(st, i)->state ==
			                  STRATA_STATE_APPLIED;
	}
	if (h) {
		const strata_history_row *r;

		j->rows = h->count;
		for (i = 0; (r = strata_history_row_at(h, i)); i++)
			j->own_rows += r->name && !strncmp(r->name, prefix,
			                                   strlen(prefix));
	}
	strata_history_free(h);
	strata_status_free(st);
	strata_close(s);
	strata_config_free(cfg);
	strata_error_clear(&err);
	return NULL;
}

static void check(const job *j)
{
	size_t n = (size_t)j->migrations;

	is_int(j->rc_init, STRATA_OK, "%s: strata_global_init on its thread",
	       j->name);
	is_int(j->rc_load, STRATA_OK, "%s: config loaded", j->name);
	is_int(j->rc_open, STRATA_OK, "%s: opened", j->name);
	is_str(j->driver, "sqlite", "%s: the SQLite driver", j->name);
	is_int(j->rc_up, STRATA_OK, "%s: up", j->name);
	is_int(j->rc_status, STRATA_OK, "%s: status", j->name);
	is_int(j->rc_history, STRATA_OK, "%s: history", j->name);
	if (j->err[0])
		printf("#   %s: %s\n", j->name, j->err);
	is_int(j->applied_events, n, "%s: %zu applied events", j->name, n);
	is_int(j->foreign_events, 0,
	       "%s: every event on the thread that called up", j->name);
	is_int(j->count, n, "%s: status lists its %zu migrations", j->name, n);
	is_int(j->pending, 0, "%s: none pending", j->name);
	is_int(j->all_applied, n, "%s: all applied", j->name);
	is_int(j->rows, n, "%s: %zu history rows in its own database", j->name,
	       n);
	is_int(j->own_rows, n, "%s: all of them its own migrations", j->name);
}

int main(void)
{
	job jobs[2] = {{.name = "a", .migrations = 12},
	               {.name = "b", .migrations = 7}};
	pthread_t t[2];
	strata_error err = {0};
	const char *have = getenv("STRATA_HAVE_SQLITE");
	char *cmd;
	size_t i;
	int started = 1;

	if (have && !strcmp(have, "no")) {
		printf("1..0 # SKIP the SQLite driver is not built\n");
		return 0;
	}
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}

	/* Once per process, before threads; calling it again changes
	 * nothing. */
	is_int(strata_global_init(&err), STRATA_OK, "strata_global_init");
	ok(err.message == NULL, "no error message");
	is_int(strata_global_init(&err), STRATA_OK,
	       "strata_global_init again (idempotent)");
	ok(err.message == NULL, "still no error message");
	is_int(strata_global_init(NULL), STRATA_OK, "with a NULL err too");

	for (i = 0; i < 2; i++)
		ok(make_migrations(&jobs[i]) == 0, "%s: %d migrations written",
		   jobs[i].name, jobs[i].migrations);
	if (pthread_barrier_init(&start, NULL, 2)) {
		perror("pthread_barrier_init");
		return 1;
	}
	for (i = 0; i < 2; i++)
		if (pthread_create(&t[i], NULL, run, &jobs[i])) {
			started = 0;
			break;
		}
	ok(started, "two threads started");
	if (!started)
		return tap_done(); /* one is waiting at the barrier */
	for (i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < 2; i++)
		check(&jobs[i]);

	cmd = malloc(strlen(root) + 16);
	sprintf(cmd, "rm -rf '%s'", root);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", root);
	free(cmd);
	return tap_done();
}
