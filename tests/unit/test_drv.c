/* core/drv.c and the loader: the required members, the init hook, scheme
 * resolution, and override files named per driver. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"

static char root[256];

static int op_conn(strata_conn **o, const strata_url *u, unsigned f,
                   strata_dberr *e)
{
	(void)o, (void)u, (void)f, (void)e;
	return STRATA_DRV_ERROR;
}
static void op_close(strata_conn *c)
{
	(void)c;
}
static int op_exec(strata_conn *c, const char *s, strata_dberr *e)
{
	(void)c, (void)s, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_query(strata_conn *c, const char *s, const strata_value *p, int n,
                    strata_row_fn fn, void *ctx, strata_dberr *e)
{
	(void)c, (void)s, (void)p, (void)n, (void)fn, (void)ctx, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_tx(strata_conn *c, strata_dberr *e)
{
	(void)c, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_lock(strata_conn *c, const char *n, unsigned t, strata_dberr *e)
{
	(void)c, (void)n, (void)t, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_unlock(strata_conn *c, const char *n, strata_dberr *e)
{
	(void)c, (void)n, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_exists(strata_conn *c, const char *s, const char *t, int *x,
                     strata_dberr *e)
{
	(void)c, (void)s, (void)t, (void)x, (void)e;
	return STRATA_DRV_ERROR;
}
static int op_introspect(strata_conn *c, const strata_schema_sink *s,
                         strata_dberr *e)
{
	(void)c, (void)s, (void)e;
	return STRATA_DRV_ERROR;
}

static int init_calls;
static int init_ok(strata_dberr *e)
{
	(void)e;
	init_calls++;
	return STRATA_DRV_OK;
}
static int init_bad(strata_dberr *e)
{
	init_calls++;
	snprintf(e->message, sizeof(e->message), "no client library");
	return STRATA_DRV_ERROR;
}

static const strata_dialect dialect = {.name = "fake", .ident_quote = '"'};
static const char *const pg_schemes[] = {"postgres", "postgresql", NULL};
static const char *const my_schemes[] = {"mysql", "mariadb", NULL};
static const char *const no_schemes[] = {NULL};
static const char *const pg_files[] = {"pg", "postgres", NULL};

static strata_driver fake(const char *name, const char *const *schemes)
{
	strata_driver d = {
	        .abi_version = STRATA_DRIVER_ABI_VERSION,
	        .struct_size = sizeof(strata_driver),
	        .name = name,
	        .version = "1",
	        .schemes = schemes,
	        .dialect = &dialect,
	        .connect = op_conn,
	        .close = op_close,
	        .exec = op_exec,
	        .query = op_query,
	        .begin = op_tx,
	        .commit = op_tx,
	        .rollback = op_tx,
	        .lock = op_lock,
	        .unlock = op_unlock,
	        .table_exists = op_exists,
	        .introspect = op_introspect,
	};
	return d;
}

static int op_rows(strata_conn *c, const char *t, int64_t *rows,
                   strata_dberr *e)
{
	(void)c;
	(void)e;
	*rows = strcmp(t, "big") ? -1 : 1234;
	return STRATA_DRV_OK;
}

/* ABI 2.5's table_rows: absent, or beyond an older vtable's struct_size,
 * it is never called and there is no estimate. */
static void table_rows(void)
{
	strata_driver d = fake("fake", pg_schemes);
	int64_t n = 0;
	strata_dberr e;

	memset(&e, 0, sizeof(e));
	is_int(strata__drv_table_rows(&d, NULL, "big", &n, &e), STRATA_DRV_OK,
	       "table_rows absent: OK");
	is_int((int)n, -1, "table_rows absent: no estimate");
	d.table_rows = op_rows;
	strata__drv_table_rows(&d, NULL, "big", &n, &e);
	is_int((int)n, 1234, "table_rows: the driver's estimate");
	strata__drv_table_rows(&d, NULL, "none", &n, &e);
	is_int((int)n, -1, "table_rows: the driver's -1");
	d.struct_size = offsetof(strata_driver, table_rows);
	n = 0;
	strata__drv_table_rows(&d, NULL, "big", &n, &e);
	is_int((int)n, -1, "table_rows past an ABI 2.4 vtable: not called");
}

/* ---- ABI 2.7: STRATA_BATCH_ONE_ROW and prepare_many ------------------ */

static unsigned batch_seen; /* the flags batch() got */
static int commits;
static int64_t second_count; /* what item 1 changed */

static int op_batch(strata_conn *c, strata_batch_item *it, size_t n,
                    unsigned flags, size_t *failed, strata_dberr *e)
{
	size_t i;

	(void)c, (void)failed, (void)e;
	batch_seen = flags;
	for (i = 0; i < n; i++)
		it[i].changes = i == 1 ? second_count : 1;
	commits += (flags & STRATA_BATCH_COMMIT) != 0;
	return STRATA_DRV_OK;
}
static int op_commit(strata_conn *c, strata_dberr *e)
{
	(void)c, (void)e;
	commits++;
	return STRATA_DRV_OK;
}
static int op_begin(strata_conn *c, strata_dberr *e)
{
	(void)c, (void)e;
	return STRATA_DRV_OK;
}
static int queries;
static int op_query_ok(strata_conn *c, const char *s, const strata_value *p,
                       int n, strata_row_fn fn, void *ctx, strata_dberr *e)
{
	(void)c, (void)s, (void)p, (void)n, (void)fn, (void)ctx, (void)e;
	queries++;
	return STRATA_DRV_OK;
}
static int64_t op_changes(strata_conn *c)
{
	(void)c;
	return queries == 2 ? second_count : 1;
}

static int run_batch(strata *s, size_t *failed)
{
	strata_batch_item it[3];
	strata_dberr e;

	memset(it, 0, sizeof(it));
	memset(&e, 0, sizeof(e));
	commits = queries = 0;
	batch_seen = 0;
	return strata__drv_batch(s, NULL, it, 3,
	                         STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT |
	                                 STRATA_BATCH_ONE_ROW,
	                         failed, &e);
}

/* An update that matched no row must stop the COMMIT, whichever side
 * checks the count: the driver that declares the flag, in its own round
 * trip, or else the core, before a COMMIT of its own. */
static void batch_one_row(void)
{
	strata_driver d = fake("fake", pg_schemes);
	strata s;
	size_t failed = 0;

	memset(&s, 0, sizeof(s));
	s.drv = &d;
	d.commit = op_commit;
	d.batch = op_batch;
	second_count = 0;
	is_int(run_batch(&s, &failed), STRATA_DRV_ERROR,
	       "no flag: an item that changed no row fails the batch");
	is_int((int)failed, 1, "no flag: at its index");
	is_int(commits, 0, "no flag: nothing commits");
	is_int((int)batch_seen, STRATA_BATCH_BEGIN,
	       "no flag: the driver got neither the flag nor the COMMIT");
	second_count = 1;
	is_int(run_batch(&s, &failed), STRATA_DRV_OK,
	       "no flag: counts of one pass");
	is_int(commits, 1, "no flag: the core commits after the check");
	d.batch_flags = STRATA_BATCH_ONE_ROW;
	is_int(run_batch(&s, &failed), STRATA_DRV_OK, "flag: OK");
	is_int((int)batch_seen,
	       STRATA_BATCH_BEGIN | STRATA_BATCH_COMMIT | STRATA_BATCH_ONE_ROW,
	       "flag: the driver gets it with the COMMIT");
	is_int(commits, 1, "flag: the driver's COMMIT only");
	d.struct_size = offsetof(strata_driver, batch_flags);
	run_batch(&s, &failed);
	is_int((int)batch_seen, STRATA_BATCH_BEGIN,
	       "the flag beyond the vtable's struct_size: not read");
	/* An ABI 2.6 vtable's size covers the member, in its tail padding. */
	d.struct_size = offsetof(strata_driver, prepare_many);
	d.abi_version = (STRATA_DRIVER_ABI_MAJOR << 16) | 6;
	run_batch(&s, &failed);
	is_int((int)batch_seen, STRATA_BATCH_BEGIN,
	       "an ABI 2.6 driver's padding where the flags are: not read");
	d.abi_version = STRATA_DRIVER_ABI_VERSION;
	d.struct_size = sizeof(d);
	d.batch = NULL;
	d.begin = op_begin;
	d.query = op_query_ok;
	d.changes = op_changes;
	second_count = 2;
	is_int(run_batch(&s, &failed), STRATA_DRV_ERROR,
	       "no batch: an item that changed two rows fails");
	is_int((int)failed, 1, "no batch: at its index");
	is_int(queries, 2, "no batch: nothing after it ran");
	is_int(commits, 0, "no batch: nothing commits");
}

static int op_prepare(strata_conn *c, const char *sql, strata_dberr *e)
{
	(void)c;
	if (strncmp(sql, "CREAT ", 6))
		return STRATA_DRV_OK;
	snprintf(e->message, sizeof(e->message), "syntax error");
	return STRATA_DRV_ERROR;
}

/* Without prepare_many, prepare() for each, stopping at a rejection. */
/* ---- ABI 2.8: STRATA_BATCH_LOCKED and lock_guard --------------------- */

static int guards;
static int op_guard(strata_conn *c, strata_conn *l, const char *name,
                    strata_dberr *e)
{
	(void)c, (void)l, (void)name, (void)e;
	guards++;
	return STRATA_DRV_OK;
}

/* The flag reaches only a driver that declares it; the core arms only
 * such a driver's sessions, and needs its lock_guard and batch. */
static void batch_locked(void)
{
	strata_driver d = fake("fake", pg_schemes);
	strata_batch_item it[1];
	strata_dberr e;
	strata s;
	size_t failed = 0;

	memset(&s, 0, sizeof(s));
	memset(it, 0, sizeof(it));
	memset(&e, 0, sizeof(e));
	s.drv = &d;
	d.commit = op_commit;
	d.batch = op_batch;
	d.lock_guard = op_guard;
	guards = 0;
	is_int(strata__drv_lock_guard(&s, NULL, NULL, "t", &e),
	       STRATA_DRV_ERROR, "lock_guard without the flag: not armed");
	is_int(guards, 0, "lock_guard without the flag: not called");
	strata__drv_batch(&s, NULL, it, 1,
	                  STRATA_BATCH_COMMIT | STRATA_BATCH_LOCKED, &failed,
	                  &e);
	is_int((int)batch_seen, STRATA_BATCH_COMMIT,
	       "without the flag the driver does not get LOCKED");
	d.batch_flags = STRATA_BATCH_LOCKED;
	is_int(strata__drv_lock_guard(&s, NULL, NULL, "t", &e), STRATA_DRV_OK,
	       "lock_guard with the flag: armed");
	strata__drv_batch(&s, NULL, it, 1,
	                  STRATA_BATCH_COMMIT | STRATA_BATCH_LOCKED, &failed,
	                  &e);
	is_int((int)batch_seen, STRATA_BATCH_COMMIT | STRATA_BATCH_LOCKED,
	       "with the flag the driver gets it");
	d.abi_version = (STRATA_DRIVER_ABI_MAJOR << 16) | 7;
	d.struct_size = offsetof(strata_driver, lock_guard);
	is_int(strata__drv_lock_guard(&s, NULL, NULL, "t", &e),
	       STRATA_DRV_ERROR, "an ABI 2.7 driver: not armed");
	d.abi_version = STRATA_DRIVER_ABI_VERSION;
	d.struct_size = sizeof(d);
	d.lock_guard = NULL;
	is_int(strata__drv_lock_guard(&s, NULL, NULL, "t", &e),
	       STRATA_DRV_ERROR, "the flag without lock_guard: not armed");
}

static void prepare_many(void)
{
	strata_driver d = fake("fake", pg_schemes);
	const char *sqls[] = {"SELECT 1", "CREAT TABLE t (x INT)", "SELECT 2"};
	strata_dberr e;
	size_t bad = 0;

	memset(&e, 0, sizeof(e));
	is_int(strata__drv_prepare_many(&d, NULL, sqls, 3, &bad, &e),
	       STRATA_DRV_OK, "no prepare at all: nothing is rejected");
	is_int((int)bad, 3, "no prepare at all: *rejected is n");
	d.prepare = op_prepare;
	is_int(strata__drv_prepare_many(&d, NULL, sqls, 3, &bad, &e),
	       STRATA_DRV_ERROR, "prepare for each: the rejection");
	is_int((int)bad, 1, "prepare for each: its index");
	is_str(e.message, "syntax error", "prepare for each: its message");
}

/* A driver of ABI 2.5 calls every member of the schema sink. */
static int introspect_all(strata_conn *c, const strata_schema_sink *s,
                          strata_dberr *e)
{
	(void)c, (void)e;
	if (s->table(s->ctx, "t", -1) ||
	    s->column(s->ctx, "t", "c", "int", 1, NULL) ||
	    s->index(s->ctx, "t", "i", 0, 0, "c") ||
	    s->foreign_key(s->ctx, "t", "f", "c", "u", "d", "CASCADE",
	                   "NO ACTION") ||
	    s->object(s->ctx, "view", "v", NULL))
		return STRATA_DRV_ERROR;
	return STRATA_DRV_OK;
}

static int count_table(void *ctx, const char *t, int64_t est)
{
	(void)t, (void)est;
	(*(int *)ctx)++;
	return 0;
}

static int count_column(void *ctx, const char *t, const char *c,
                        const char *type, int nullable, const char *def)
{
	(void)t, (void)c, (void)type, (void)nullable, (void)def;
	(*(int *)ctx)++;
	return 0;
}

static int introspect_lean(strata_conn *c, const strata_schema_sink *s,
                           strata_dberr *e)
{
	(void)c, (void)e;
	return s->index || s->foreign_key || s->object ? STRATA_DRV_ERROR
	                                               : STRATA_DRV_OK;
}

/* A sink may leave index, foreign_key and object NULL only for a driver
 * that says it takes that (ABI 2.6); any other, rebuilt against 2.6 or
 * not, gets members that ignore its reports. */
static void lean_sink(void)
{
	strata_driver d = fake("fake", pg_schemes);
	strata_schema_sink k = {NULL, count_table, count_column,
	                        NULL, NULL,        NULL};
	strata_dberr e;
	int n = 0;

	k.ctx = &n;
	d.introspect = introspect_all;
	is_int(strata__drv_introspect(&d, NULL, &k, &e), STRATA_DRV_OK,
	       "a driver without STRATA_INTROSPECT_PARTIAL: OK");
	is_int(n, 2, "the table and the column reached the sink");
	ok(k.index == NULL && k.object == NULL, "the caller's sink unchanged");
	d.introspect_flags = STRATA_INTROSPECT_PARTIAL;
	d.struct_size = offsetof(strata_driver, introspect_flags);
	n = 0;
	is_int(strata__drv_introspect(&d, NULL, &k, &e), STRATA_DRV_OK,
	       "the flag beyond an ABI 2.5 vtable's struct_size: not read");
	is_int(n, 2, "and its table and column reached the sink");
	d.struct_size = sizeof(d);
	d.introspect = introspect_lean;
	is_int(strata__drv_introspect(&d, NULL, &k, &e), STRATA_DRV_OK,
	       "with STRATA_INTROSPECT_PARTIAL the driver gets the NULLs");
}

static void says(char *why, const char *want, const char *what)
{
	is_str(why, want, "%s", what);
	free(why);
}

static void required(void)
{
	strata_driver d = fake("x", pg_schemes);

	says(strata__drv_check(&d), NULL, "a complete vtable passes");
	{
		strata_dialect dl = dialect;

		d.dialect = &dl;
		dl.ident_quote = '\0';
		says(strata__drv_check(&d), "driver dialect has no ident_quote",
		     "a dialect without ident_quote is named");
		dl = dialect;
		dl.param_style = 7;
		says(strata__drv_check(&d),
		     "driver dialect has an unknown param_style 7",
		     "an unknown param_style is named");
		dl = dialect;
		dl.name = NULL;
		says(strata__drv_check(&d), "driver dialect has no name",
		     "a dialect without a name is named");
		d = fake("x", pg_schemes);
		d.url_form = 5;
		says(strata__drv_check(&d),
		     "driver declares an unknown url_form 5",
		     "an unknown url_form is named");
		d = fake("x", pg_schemes);
	}
	d.query = NULL;
	says(strata__drv_check(&d),
	     "driver vtable lacks required operation "
	     "'query'",
	     "a missing operation is named");
	d = fake("x", pg_schemes);
	d.dialect = NULL;
	says(strata__drv_check(&d),
	     "driver vtable lacks required member "
	     "'dialect'",
	     "a missing member is named");
	d = fake("x", pg_schemes);
	d.unlock = NULL;
	says(strata__drv_check(&d),
	     "driver vtable lacks required operation "
	     "'unlock'",
	     "unlock is required");
	d = fake("x", no_schemes);
	says(strata__drv_check(&d), "driver declares no URL schemes",
	     "at least one scheme");
	d = fake("x", pg_schemes);
	d.struct_size = offsetof(strata_driver, introspect);
	says(strata__drv_check(&d),
	     "driver vtable lacks required operation "
	     "'introspect'",
	     "a member beyond struct_size is missing");
}

static void init_once(void)
{
	static strata_driver good, bad, none;

	good = fake("good", pg_schemes);
	good.init = init_ok;
	bad = fake("bad", pg_schemes);
	bad.init = init_bad;
	none = fake("none", pg_schemes);
	init_calls = 0;
	says(strata__drv_init(&good), NULL, "init succeeds");
	says(strata__drv_init(&good), NULL, "and again");
	is_int(init_calls, 1, "init ran once");
	says(strata__drv_init(&bad), "init failed: no client library",
	     "a failing init says why");
	says(strata__drv_init(&bad), "init failed: no client library",
	     "and is remembered");
	is_int(init_calls, 2, "the failing init ran once too");
	says(strata__drv_init(&none), NULL, "no init hook: usable");
}

static void put(const char *rel, const char *text)
{
	char path[512], dir[512], *slash;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	*slash = '\0';
	mkdir(dir, 0777);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static void drop(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
}

static int load(strata__source *src, const strata_driver *d, strata_error *e)
{
	memset(e, 0, sizeof(*e));
	return strata__source_load_for(src, root, d, NULL, NULL,
	                               STRATA__LAYOUT_STRATA, e);
}

/* Loading for driver d refuses rel, saying needle. */
static void refused(const strata_driver *d, const char *rel, const char *needle)
{
	strata__source src;
	strata_error e;

	is_int(load(&src, d, &e), STRATA_EUSAGE, "%s refuses %s", d->name, rel);
	ok(e.message && strstr(e.message, needle) && e.file &&
	           strstr(e.file, rel),
	   "naming it and saying '%s' (%s)", needle,
	   e.message ? e.message : "");
	strata__source_free(&src);
	strata_error_clear(&e);
}

static void loads(const strata_driver *d, const char *what)
{
	strata__source src;
	strata_error e;

	is_int(load(&src, d, &e), 0, "%s (%s)", what,
	       e.message ? e.message : "");
	strata__source_free(&src);
	strata_error_clear(&e);
}

static const char *chosen(const strata_driver *d, int up)
{
	static char base[64];
	strata__source src;
	strata_error e;
	const char *buf[2], *f = NULL;

	base[0] = '\0';
	if (load(&src, d, &e) == 0 && src.count == 1)
		f = strata__migration_file_in(&src.items[0], up,
		                              strata__drv_file_names(d, buf));
	if (f)
		snprintf(base, sizeof(base), "%s", strata__basename(f));
	strata__source_free(&src);
	strata_error_clear(&e);
	return base;
}

static void file_names(void)
{
	strata_driver pg = fake("postgres", pg_schemes);
	strata_driver my = fake("mysql", my_schemes);
	strata_driver lite = fake("sqlite", no_schemes);
	strata_driver pg2 = fake("postgres", pg_schemes);
	static const char *const lite_schemes[] = {"sqlite", "sqlite3", NULL};

	lite.schemes = lite_schemes;
	pg2.file_names = pg_files;

	put("1_a/up.sql", "SELECT 1;");
	put("1_a/up.postgresql.sql", "SELECT 1;");
	refused(&pg, "1_a/up.postgresql.sql",
	        "'postgresql' is a URL scheme, "
	        "the driver is 'postgres': this "
	        "file would never run; name it "
	        "up.postgres.sql");
	/* The installed postgres driver (on $STRATA_PLUGIN_PATH) has the
	 * scheme postgresql: refused on every database, not only there. */
	refused(&my, "1_a/up.postgresql.sql",
	        "'postgresql' is a URL scheme, the driver is 'postgres': "
	        "this file would never run; name it up.postgres.sql");
	loads(NULL, "without a driver, every name is kept");
	refused(&pg2, "1_a/up.postgresql.sql", "name it up.pg.sql");
	drop("1_a/up.postgresql.sql");

	put("1_a/down.mariadb.sql", "SELECT 1;");
	refused(&my, "1_a/down.mariadb.sql", "name it down.mysql.sql");
	refused(&lite, "1_a/down.mariadb.sql", "name it down.mysql.sql");
	drop("1_a/down.mariadb.sql");

	/* A name no installed driver knows may be for one not installed. */
	put("1_a/up.oracle.sql", "SELECT 1;");
	loads(&lite, "sqlite keeps up.oracle.sql (no such driver here)");
	loads(&pg, "postgres keeps up.oracle.sql");
	drop("1_a/up.oracle.sql");

	/* The chosen file: the first of the driver's file names that has
	 * one, else the generic file. */
	is_str(chosen(&pg, 1), "up.sql", "no override: the generic file");
	put("1_a/up.postgres.sql", "SELECT 1;");
	is_str(chosen(&pg, 1), "up.postgres.sql", "its override");
	is_str(chosen(&pg2, 1), "up.postgres.sql",
	       "its second file name when the first has no file");
	put("1_a/up.pg.sql", "SELECT 1;");
	is_str(chosen(&pg2, 1), "up.pg.sql", "the first file name wins");
	is_str(chosen(&pg, 1), "up.postgres.sql",
	       "up.pg.sql is not the other driver's");
	is_str(chosen(&lite, 1), "up.sql", "sqlite: the generic file");
	is_str(chosen(&lite, 0), "", "no down file");
}

/* The loader against the test fixtures (tests/plugins). */
static void loader(void)
{
	const char *fix = getenv("STRATA_TEST_PLUGINS");
	char log[300], line[64];
	strata__plugin *p = NULL;
	strata_driver_info *list = NULL;
	strata_error e;
	size_t n = 0, i, lines = 0;
	FILE *f;

	if (!fix) {
		ok(0, "STRATA_TEST_PLUGINS is set (run through make check)");
		return;
	}
	snprintf(log, sizeof(log), "%s/init.log", root);
	setenv("STRATA_TEST_INIT_LOG", log, 1);
	/* plugin_path is searched instead of the variable. */
	setenv("STRATA_PLUGIN_PATH", "/nonexistent", 1);
	memset(&e, 0, sizeof(e));
	is_int(strata__plugin_load(&p, "alt", fix, &e), 0,
	       "alt:// found through plugin_path (%s)",
	       e.message ? e.message : "");
	is_str(p ? strata__plugin_driver(p)->name : NULL, "altname",
	       "by the driver that declares it");
	strata__plugin_free(p);
	p = NULL;
	is_int(strata__plugin_load(&p, "altsql", fix, &e), 0,
	       "its other scheme");
	strata__plugin_free(p);
	p = NULL;
	is_int(strata__plugin_load(&p, "alt", NULL, &e), STRATA_EUSAGE,
	       "not found without plugin_path");
	ok(e.message && strstr(e.message, "no driver handles URL scheme "
	                                  "'alt'; installed: "),
	   "says no driver handles the scheme (%s)",
	   e.message ? e.message : "");
	strata_error_clear(&e);
	/* strata_drivers_list_path() searches plugin_path like the loader. */
	ok(strata_drivers_list_path(&list, &n, fix, &e) == 0,
	   "drivers list with a plugin path");
	for (i = 0, lines = 0; i < n; i++)
		lines += !strcmp(list[i].name, "altname") && !list[i].problem;
	is_int(lines, 1, "finds the fixture on plugin_path alone");
	strata_drivers_free(list, n);
	ok(strata_drivers_list(&list, &n, &e) == 0, "drivers list");
	for (i = 0, lines = 0; i < n; i++)
		lines += !strcmp(list[i].name, "altname");
	is_int(lines, 0, "without it, only $STRATA_PLUGIN_PATH");
	strata_drivers_free(list, n);
	lines = 0;
	/* The fixture declares file URLs: the rest of the URL is a path. */
	{
		strata__url_owned u;

		ok(strata__url_parse_in(&u, "alt:data/app.db", fix, &e) == 0,
		   "alt:data/app.db parses");
		is_str(u.url.path, "data/app.db", "as a relative path");
		ok(!u.url.host, "with no host");
		strata__url_free(&u);
		ok(strata__url_parse_in(&u, "alt:///abs/app.db", fix, &e) == 0,
		   "alt:///abs/app.db parses");
		is_str(u.url.path, "/abs/app.db", "as an absolute path");
		strata__url_free(&u);
		is_int(strata__scheme_form("alt", fix), STRATA_URL_FILE,
		       "alt: declared as a file URL");
		is_int(strata__scheme_form("nosuch", fix), -1,
		       "no driver: no form");
	}
	setenv("STRATA_PLUGIN_PATH", fix, 1);
	ok(strata_drivers_list(&list, &n, &e) == 0, "drivers list");
	for (i = 0; i < n; i++)
		if (!strcmp(list[i].name, "altname"))
			is_str(list[i].schemes, "alt,altsql",
			       "the list shows the schemes");
	strata_drivers_free(list, n);
	is_int(strata__plugin_load(&p, "nosuch", fix, &e), STRATA_EUSAGE,
	       "an unknown scheme");
	ok(e.message && strstr(e.message, "no driver handles URL scheme "
	                                  "'nosuch'; installed: altname "
	                                  "(alt, altsql)"),
	   "names the scheme and the installed drivers (%s)",
	   e.message ? e.message : "");
	strata_error_clear(&e);
	f = fopen(log, "r");
	while (f && fgets(line, sizeof(line), f))
		lines++;
	if (f)
		fclose(f);
	is_int(lines, 1, "init ran once in this process");
}

int main(void)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/strata-test-drv-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	required();
	init_once();
	file_names();
	table_rows();
	lean_sink();
	batch_one_row();
	batch_locked();
	prepare_many();
	loader();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
