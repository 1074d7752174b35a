/*
 * The library's guards at its face: the history-table name is refused
 * where it is quoted, whichever way the config was made; options carry a
 * version; list accessors stay in bounds; the result pool.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"

static char root[] = "/tmp/strata-api-XXXXXX";

static int exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	return stat(path, &st) == 0;
}

static void names(void)
{
	char *q;

	ok(strata__ident_valid("strata_migrations"), "plain name");
	ok(strata__ident_valid("app.schema_history"), "schema.name");
	ok(!strata__ident_valid("a\"b"), "a quote is refused");
	ok(!strata__ident_valid("a b"), "a space is refused");
	ok(!strata__ident_valid("a.b.c"), "two dots are refused");
	ok(!strata__ident_valid(""), "empty is refused");
	ok(!strata__ident_valid(NULL), "NULL is refused");
	ok(!strata__ident_valid("1abc"), "a leading digit is refused");

	q = strata__ident_quote_in(NULL, "hist", '"');
	is_str(q, "\"hist\"", "a valid name is quoted");
	free(q);
	q = strata__ident_quote_in("we\"ird", "hist", '"');
	is_str(q, "\"we\"\"ird\".\"hist\"",
	       "a schema from the database is quoted whole, quotes doubled");
	free(q);
	q = strata__ident_quote_in(NULL, "x\"; DROP TABLE t; --", '"');
	ok(q == NULL, "the quoting itself refuses a crafted name");
	free(q);
	q = strata__ident_quote_in("s", "x` ; DROP TABLE t", '`');
	ok(q == NULL, "... with backticks too");
	free(q);
}

/* strata_config_parse() does not know where the name will go; strata_open()
 * must refuse it before it connects, so no SQLite file appears. */
static void crafted_table(void)
{
	static const char *const bad[] = {"x\"; DROP TABLE users; --",
	                                  "a.b.c",
	                                  "t`x",
	                                  "has space",
	                                  "s.\"q\"",
	                                  NULL};
	strata_config *cfg = NULL;
	strata_error err = {0};
	strata *s = NULL;
	char ini[512];
	size_t i;
	int rc;

	for (i = 0; bad[i]; i++) {
		snprintf(ini, sizeof(ini),
		         "[default]\nurl = sqlite:%s/crafted.db\n"
		         "migrations = %s\ntable = %s\n",
		         root, root, bad[i]);
		rc = strata_config_parse(&cfg, ini, "crafted.ini", NULL, &err);
		ok(rc == 0, "parse keeps table '%s' (checked where used)",
		   bad[i]);
		rc = cfg ? strata_open(&s, cfg, &err) : -99;
		is_int(rc, STRATA_EUSAGE, "strata_open refuses table '%s'",
		       bad[i]);
		ok(s == NULL, "no handle");
		ok(err.message && strstr(err.message, "not a valid identifier"),
		   "says why: %s", err.message ? err.message : "(none)");
		ok(!exists("crafted.db"), "no database file was created");
		strata_close(s);
		s = NULL;
		strata_config_free(cfg);
		cfg = NULL;
		strata_error_clear(&err);
	}
}

static void options(void)
{
	strata_options o = STRATA_OPTIONS_INIT, zero;
	strata_config *cfg = NULL;
	strata_error err = {0};
	char url[300];

	snprintf(url, sizeof(url), "sqlite:%s/opts.db", root);
	is_int(o.version, STRATA_OPTIONS_VERSION, "INIT sets the version");
	is_int(o.lock_timeout, -1, "INIT: lock_timeout not given");
	memset(&zero, 0xff, sizeof(zero));
	is_int(strata_options_init(&zero, STRATA_OPTIONS_VERSION), 0,
	       "strata_options_init");
	ok(zero.version == STRATA_OPTIONS_VERSION && zero.url == NULL &&
	           zero.lock_timeout == -1 && zero.no_create == 0,
	   "strata_options_init sets the defaults");
	is_int(strata_options_init(&zero, 0), STRATA_EUSAGE,
	       "strata_options_init: version 0 refused");
	is_int(strata_options_init(&zero, STRATA_OPTIONS_VERSION + 1),
	       STRATA_EUSAGE, "strata_options_init: a future version refused");

	o.url = url;
	o.table = "t; DROP TABLE x";
	is_int(strata_config_load(&cfg, &o, &err), STRATA_EUSAGE,
	       "strata_options.table is validated too");
	strata_error_clear(&err);

	memset(&zero, 0, sizeof(zero));
	zero.url = url;
	is_int(strata_config_load(&cfg, &zero, &err), STRATA_EUSAGE,
	       "options never initialised (version 0): usage error");
	ok(cfg == NULL, "no config");
	ok(err.message && strstr(err.message, "STRATA_OPTIONS_INIT"),
	   "names the fix: %s", err.message ? err.message : "(none)");
	strata_error_clear(&err);
	zero.version = STRATA_OPTIONS_VERSION + 1;
	is_int(strata_config_load(&cfg, &zero, &err), STRATA_EUSAGE,
	       "options from a newer header: usage error");
	strata_error_clear(&err);
	is_int(strata_config_load(&cfg, NULL, &err), STRATA_EUSAGE,
	       "NULL options: usage error");
	strata_error_clear(&err);

	o.table = NULL;
	is_int(strata_config_load(&cfg, &o, &err), 0,
	       "initialised options load");
	is_str(strata_config_url(cfg), url, "the url is used");
	strata_config_free(cfg);
	strata_error_clear(&err);
}

static void accessors(void)
{
	strata_driver_info list[2];

	memset(list, 0, sizeof(list));
	ok(strata_driver_info_at(list, 2, 1) == &list[1], "driver info 1 of 2");
	ok(strata_driver_info_at(list, 2, 2) == NULL, "past the end: NULL");
	ok(strata_driver_info_at(NULL, 0, 0) == NULL, "empty list: NULL");
	ok(strata_status_item_at(NULL, 0) == NULL, "NULL status: NULL");
	ok(strata_plan_step_at(NULL, 0) == NULL, "NULL plan: NULL");
	ok(strata_history_row_at(NULL, 0) == NULL, "NULL history: NULL");
}

static void pool(void)
{
	strata__pool p = {NULL};
	const char *a, *b, *big;
	char *long_text = malloc(20000);
	void **ptrs;
	size_t i;
	int all = 1;

	memset(long_text, 'x', 19999);
	long_text[19999] = '\0';
	a = strata__pool_strdup(&p, "alpha");
	big = strata__pool_strdup(&p, long_text);
	b = strata__pool_strdup(&p, "beta");
	is_str(a, "alpha", "pooled string");
	is_str(b, "beta", "pooled after a large one");
	ok(big && strlen(big) == 19999, "a string larger than a block");
	ok(strata__pool_strdup(&p, NULL) == NULL, "NULL stays NULL");
	for (i = 0; i < 1000; i++) {
		ptrs = strata__pool_alloc(&p, 3 * sizeof(void *),
		                          sizeof(void *));
		all &= ((uintptr_t)ptrs % sizeof(void *)) == 0;
		strata__pool_strdup(&p, "odd");
	}
	ok(all, "pointer arrays are aligned");
	is_str(strata__pool_take(&p, strata__strdup("taken")), "taken",
	       "pool_take copies (and frees the original)");
	strata__pool_free(&p);
	ok(p.head == NULL, "freed");
	free(long_text);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static strata_state status_of_first(strata *s)
{
	strata_status *st = NULL;
	strata_error err = {0};
	strata_state state = STRATA_STATE_UNKNOWN;

	if (strata_status_get(&st, s, &err) == STRATA_OK && st->count)
		state = strata_status_item_at(st, 0)->state;
	strata_status_free(st);
	strata_error_clear(&err);
	return state;
}

/* status reads the folder and the cached checksums on a thread while it
 * queries the database; a second status in the same session must look
 * at the files again, not reuse what the first one looked up. */
static void status_twice(void)
{
	strata_config *cfg = NULL;
	strata_error err = {0};
	strata *s = NULL;
	char ini[600], dir[200], file[300], cache[300];

	snprintf(dir, sizeof(dir), "%s/m/1_a", root);
	snprintf(file, sizeof(file), "%s/up.sql", dir);
	snprintf(cache, sizeof(cache), "%s/cache", root);
	snprintf(ini, sizeof(ini),
	         "[default]\nurl = sqlite:%s/twice.db\nmigrations = %s/m\n",
	         root, root);
	snprintf(file, sizeof(file), "%s/m", root);
	mkdir(file, 0700);
	mkdir(dir, 0700);
	snprintf(file, sizeof(file), "%s/up.sql", dir);
	write_file(file, "CREATE TABLE a (x INT);\n");
	sleep(3); /* older than the cache's 2 s racy window */
	ok(strata_config_parse(&cfg, ini, "twice.ini", NULL, &err) == 0,
	   "config");
	ok(strata_open(&s, cfg, &err) == STRATA_OK, "open");
	strata_set_checksum_cache(s, cache);
	ok(strata_up(s, NULL, &err) == STRATA_OK, "up");
	is_int(status_of_first(s), STRATA_STATE_APPLIED, "applied");
	strata_close(s);
	s = NULL;
	ok(strata_open(&s, cfg, &err) == STRATA_OK, "a new session");
	strata_set_checksum_cache(s, cache);
	is_int(status_of_first(s), STRATA_STATE_APPLIED,
	       "applied, from the cache");
	write_file(file, "CREATE TABLE a (x INT, y INT);\n");
	is_int(status_of_first(s), STRATA_STATE_MODIFIED,
	       "a file changed between two status calls is seen");
	strata_close(s);
	strata_config_free(cfg);
	strata_error_clear(&err);
}

int main(void)
{
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return 1;
	}
	names();
	crafted_table();
	options();
	accessors();
	pool();
	if (!exists("crafted.db"))
		status_twice();
	if (!exists("crafted.db")) { /* else kept, to look at */
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
		if (system(cmd) != 0)
			fprintf(stderr, "# could not remove %s\n", root);
	}
	return tap_done();
}
