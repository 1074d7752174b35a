/*
 * Lint against real databases: row counts raise a finding's severity
 * (SQLite counted, PostgreSQL and MariaDB estimated after ANALYZE), tables
 * created by an earlier pending migration are new, init_sql's lock_timeout
 * counts, and strata_up() refuses error-level findings before it runs
 * anything, unless strata_set_allow_destructive().
 *
 * SQLite always; PostgreSQL and MySQL/MariaDB when STRATA_TEST_PG_URL and
 * STRATA_TEST_MY_URL are set (tests/servers.sh); with
 * STRATA_TEST_REQUIRE_SERVERS=1 a missing one fails.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"

static char root[] = "/tmp/strata-lintdb-XXXXXX";

static void put(const char *dir, const char *file, const char *text)
{
	char *d = strata__printf("%s/%s", root, dir);
	char *p = strata__printf("%s/%s", d, file);
	FILE *f;

	mkdir(d, 0755);
	f = fopen(p, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
	free(p);
	free(d);
}

static void exec(strata *s, const char *sql)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	if (strata__drv_exec(s, s->conn, sql, &de) != STRATA_DRV_OK)
		printf("#   %s: %s\n", sql, de.message);
}

/* The first finding of rule, or NULL. */
static const strata_lint_finding *find(const strata_lint *l, const char *rule)
{
	size_t i;

	for (i = 0; l && i < l->count; i++)
		if (!strcmp(strata_lint_finding_at(l, i)->rule, rule))
			return strata_lint_finding_at(l, i);
	return NULL;
}

static strata_lint *lint(strata *s, int64_t threshold)
{
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	strata_lint *l = NULL;
	strata_error err = {0};

	o.row_threshold = threshold;
	if (strata_lint_get(&l, s, &o, &err)) {
		printf("#   lint: %s\n", err.message);
		strata_error_clear(&err);
	}
	return l;
}

/* The migrations for engine e, the tables named with tag t. */
static void write_migrations(const char *e, const char *t)
{
	char buf[1024];

	snprintf(buf, sizeof(buf),
	         "CREATE TABLE %s_big (id integer PRIMARY KEY, name "
	         "varchar(50));\nCREATE TABLE %s_old (id integer);\n",
	         t, t);
	put("0001_init", "up.sql", buf);
	snprintf(buf, sizeof(buf), "DROP TABLE %s_old;\nDROP TABLE %s_big;\n",
	         t, t);
	put("0001_init", "down.sql", buf);
	/* The change whose cost depends on the table's size. */
	if (!strcmp(e, "mysql"))
		snprintf(buf, sizeof(buf),
		         "ALTER TABLE %s_big MODIFY name varchar(200);\n", t);
	else
		snprintf(buf, sizeof(buf),
		         "CREATE INDEX %s_big_name ON %s_big (name);\n", t, t);
	put("0002_index", "up.sql", buf);
	put("0002_index", "down.sql", "-- strata:empty\n");
	snprintf(buf, sizeof(buf), "DROP TABLE %s_old;\n", t);
	put("0003_drop", "up.sql", buf);
	put("0003_drop", "down.sql", "-- strata:empty\n");
	/* Created by a pending migration: new, whatever the next one does. */
	snprintf(buf, sizeof(buf), "CREATE TABLE %s_new (id integer);\n", t);
	put("0004_new", "up.sql", buf);
	snprintf(buf, sizeof(buf), "DROP TABLE %s_new;\n", t);
	put("0004_new", "down.sql", buf);
	snprintf(buf, sizeof(buf), "ALTER TABLE %s_new RENAME TO %s_new2;\n", t,
	         t);
	put("0005_fill", "up.sql", buf);
	put("0005_fill", "down.sql", "-- strata:empty\n");
}

static void fill(strata *s, const char *e, const char *t)
{
	strata__buf b = STRATA__BUF_INIT;
	int i;

	strata__buf_printf(&b, "INSERT INTO %s_big (id, name) VALUES ", t);
	for (i = 1; i <= 20; i++)
		strata__buf_printf(&b, "%s(%d, 'n%d')", i > 1 ? ", " : "", i,
		                   i);
	exec(s, b.ptr);
	strata__buf_free(&b);
	b = (strata__buf)STRATA__BUF_INIT;
	if (!strcmp(e, "postgres"))
		strata__buf_printf(&b, "ANALYZE %s_big", t);
	else if (!strcmp(e, "mysql"))
		strata__buf_printf(&b, "ANALYZE TABLE %s_big", t);
	if (b.ptr) {
		exec(s, b.ptr);
		strata__buf_free(&b);
	}
}

static void pending_count(strata *s, size_t want, const char *what)
{
	strata_status *st = NULL;
	strata_error err = {0};

	if (strata_status_get(&st, s, &err)) {
		ok(0, "%s: status: %s", what, err.message);
		strata_error_clear(&err);
		return;
	}
	is_int(st->pending, want, "%s", what);
	strata_status_free(st);
}

static void raising(strata *s, const char *e)
{
	const char *rule = "blocking-index";
	strata_lint *l = lint(s, 5);
	const strata_lint_finding *f = find(l, rule);

	ok(f != NULL, "%s: 20 rows, threshold 5: %s found", e, rule);
	if (f) {
		is_int(f->severity, STRATA_LINT_ERROR, "%s: raised to an error",
		       e);
		if (!strcmp(e, "mysql")) /* InnoDB's estimate */
			ok(f->est_rows > 5,
			   "%s: it carries the row count "
			   "(%lld)",
			   e, (long long)f->est_rows);
		else
			is_int(f->est_rows, 20, "%s: it carries the row count",
			       e);
		is_str(f->version, "0002", "%s: on 0002", e);
	}
	ok(!find(l, "rename"),
	   "%s: a table an earlier pending migration creates is new", e);
	ok(!find(l, "no-lock-timeout"), "%s: init_sql's lock_timeout counts",
	   e);
	strata_lint_free(l);

	l = lint(s, 1000);
	f = find(l, rule);
	if (!strcmp(e, "sqlite"))
		ok(f == NULL,
		   "%s: below the threshold, an index build is no finding", e);
	else
		ok(f && f->severity == STRATA_LINT_WARNING && f->est_rows > 0,
		   "%s: below the threshold, a warning with the count", e);
	strata_lint_free(l);
}

static void refusal(strata *s, const char *e)
{
	strata_error err = {0};
	int rc = strata_up(s, NULL, &err);

	is_int(rc, STRATA_ELINT, "%s: up refuses a DROP TABLE (exit 5)", e);
	ok(err.file && strstr(err.file, "0003_drop/up.sql") && err.line == 1,
	   "%s: the error points at 0003_drop/up.sql:1 (%s:%d)", e,
	   err.file ? err.file : "-", err.line);
	ok(err.message &&
	           strstr(err.message, "1 lint error(s) in pending migrations: "
	                               "destructive: DROP TABLE") &&
	           strstr(err.message, "--allow-destructive"),
	   "%s: says why and the way out: %s", e,
	   err.message ? err.message : "-");
	strata_error_clear(&err);
	pending_count(s, 4, "nothing was applied");
	strata_set_allow_destructive(s, 1);
	rc = strata_up(s, NULL, &err);
	is_int(rc, STRATA_OK, "%s: --allow-destructive applies them (%s)", e,
	       err.message ? err.message : "ok");
	strata_error_clear(&err);
	pending_count(s, 0, "all applied");
}

static void engine(const char *e, const char *url)
{
	char tag[32], ini[1024];
	strata_config *cfg = NULL;
	strata *s = NULL;
	strata_error err = {0};
	char *cmd;

	snprintf(tag, sizeof(tag), "lint%ld_%u", (long)getpid(),
	         (unsigned)(strata__now_ms() % 100000));
	cmd = strata__printf("rm -rf %s/0*", root);
	if (system(cmd) != 0)
		printf("# could not clean %s\n", root);
	free(cmd);
	write_migrations(e, tag);
	snprintf(ini, sizeof(ini),
	         "[default]\nurl = %s\nmigrations = %s\ntable = %s_hist\n%s",
	         url, root, tag,
	         !strcmp(e, "postgres") ? "init_sql = SET lock_timeout = '5s'\n"
	                                : "");
	if (strata_config_parse(&cfg, ini, "lint.ini", NULL, &err) ||
	    strata_open(&s, cfg, &err)) {
		ok(0, "%s: open: %s", e, err.message);
		strata_error_clear(&err);
		strata_config_free(cfg);
		return;
	}
	is_int(strata_up(s, "0001", &err), STRATA_OK, "%s: 0001 applied", e);
	strata_error_clear(&err);
	fill(s, e, tag);
	raising(s, e);
	refusal(s, e);
	/* leave the shared server database as it was */
	cmd = strata__printf("DROP TABLE %s_big", tag);
	exec(s, cmd);
	free(cmd);
	cmd = strata__printf("DROP TABLE %s_new2", tag);
	exec(s, cmd);
	free(cmd);
	cmd = strata__printf("DROP TABLE %s_hist", tag);
	exec(s, cmd);
	free(cmd);
	strata_close(s);
	strata_config_free(cfg);
}

int main(void)
{
	const char *req = getenv("STRATA_TEST_REQUIRE_SERVERS");
	const char *pg = getenv("STRATA_TEST_PG_URL");
	const char *my = getenv("STRATA_TEST_MY_URL");
	char *url;

	if (!mkdtemp(root))
		return 1;
	url = strata__printf("sqlite:%s/lint.db", root);
	engine("sqlite", url);
	free(url);
	if (pg && *pg)
		engine("postgres", pg);
	else
		ok(!(req && !strcmp(req, "1")),
		   "# skip PostgreSQL: STRATA_TEST_PG_URL is not set");
	if (my && *my)
		engine("mysql", my);
	else
		ok(!(req && !strcmp(req, "1")),
		   "# skip MySQL: STRATA_TEST_MY_URL is not set");
	url = strata__printf("rm -rf %s", root);
	if (system(url) != 0)
		printf("# could not remove %s\n", root);
	free(url);
	return tap_done();
}
