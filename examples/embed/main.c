/*
 * embed: an application that brings its SQLite database up to date through
 * libstrata when it starts, then gets on with its work.
 *
 *   embed [DATABASE_URL [MIGRATIONS_DIR]]     (sqlite:app.db, migrations)
 *
 * Build: make (uses pkg-config --cflags --libs strata). See README.md.
 */
#include <stdio.h>
#include <stdlib.h>

#include <strata/strata.h>

/* Progress, as the migrations run. The event and its strings belong to
 * libstrata and are valid only during the call. */
static void on_event(void *ctx, const strata_event *ev)
{
	const char *what = ev->id ? ev->id : ev->version;

	(void)ctx;
	switch (ev->kind) {
	case STRATA_EV_LOCK_WAIT:
		printf("migrate: waiting for another process's migration\n");
		break;
	case STRATA_EV_APPLIED:
		printf("migrate: applied %s in %lld ms\n", what,
		       (long long)ev->duration_ms);
		break;
	case STRATA_EV_SKIPPED:
		printf("migrate: %s has no SQL for this database\n", what);
		break;
	case STRATA_EV_NOTHING:
		printf("migrate: the database is up to date\n");
		break;
	default:
		break;
	}
	fflush(stdout);
}

/* The database's migrations as a status report, read through the accessor
 * so that this program keeps working with a newer libstrata. */
static void print_status(const strata_status *st)
{
	const strata_status_item *it;
	size_t i;

	for (i = 0; (it = strata_status_item_at(st, i)) != NULL; i++)
		printf("  %-8s %s\n", strata_state_name(it->state), it->id);
	printf("%zu migrations, %zu pending\n", st->count, st->pending);
}

/* Migrate the database at url with the folder dir: 0, or a STRATA_E*
 * status with err filled in. */
static int migrate(const char *url, const char *dir, strata_error *err)
{
	strata_options opts = STRATA_OPTIONS_INIT;
	strata_config *cfg = NULL;
	strata *s = NULL;
	strata_status *st = NULL;
	int rc;

	opts.url = url;
	opts.migrations_dir = dir;
	rc = strata_config_load(&cfg, &opts, err);
	if (rc == STRATA_OK)
		rc = strata_open(&s, cfg, err);
	if (rc == STRATA_OK) {
		strata_set_event_fn(s, on_event, NULL);
		rc = strata_up(s, NULL, err); /* takes the migration lock */
	}
	if (rc == STRATA_OK)
		rc = strata_status_get(&st, s, err);
	if (rc == STRATA_OK)
		print_status(st);
	strata_status_free(st);
	strata_close(s);
	strata_config_free(cfg); /* after the handle: it borrows cfg */
	return rc;
}

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : "sqlite:app.db";
	const char *dir = argc > 2 ? argv[2] : "migrations";
	strata_error err = {0};
	char *msg;
	int rc;

	/* Once, before any thread uses libstrata. */
	rc = strata_global_init(&err);
	if (rc == STRATA_OK)
		rc = migrate(url, dir, &err);
	if (rc != STRATA_OK) {
		msg = strata_error_format(&err); /* credentials redacted */
		fprintf(stderr, "embed: cannot migrate: %s\n", msg);
		free(msg);
		strata_error_clear(&err);
		return 1;
	}

	/* The application's own work starts here, on a current schema. */
	printf("app: ready\n");
	return 0;
}
