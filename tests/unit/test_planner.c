/* The planner: migrations on disk merged with history into states. */
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"

static char root[256];
static char sum_a[STRATA__SHA256_HEX], sum_empty[STRATA__SHA256_HEX];

static void put(const char *rel, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	*strrchr(path, '/') = '\0';
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

static strata_history_row row(const char *v, const char *status,
                              const char *checksum)
{
	strata_history_row r;

	memset(&r, 0, sizeof(r));
	r.version = v;
	r.name = "x";
	r.status = status;
	r.checksum = checksum;
	r.finished_at = "2026-01-01T00:00:00.000Z";
	r.error = status && !strcmp(status, "failed") ? "boom" : NULL;
	r.steps = 2;
	return r;
}

static const strata_status_item *find(const strata_status *st, const char *v)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (!strcmp(st->items[i].version, v))
			return &st->items[i];
	return NULL;
}

static void state_is(const strata_status *st, const char *v, strata_state want,
                     const char *what)
{
	const strata_status_item *it = find(st, v);

	ok(it != NULL, "%s: %s listed", what, v);
	if (it)
		is_str(strata_state_name(it->state), strata_state_name(want),
		       "%s", what);
}

static void merge(void)
{
	strata__source src;
	strata_history h;
	strata_history_row rows[6];
	strata_status *st = NULL;
	strata_error e;
	size_t i;

	memset(&e, 0, sizeof(e));
	ok(strata__source_load(&src, root, &e) == 0, "source loads");
	rows[0] = row("1", "applied", sum_a);
	rows[1] = row("2", "applied", sum_a); /* file changed since */
	rows[2] = row("3", "skipped", sum_empty);
	rows[3] = row("5", "failed", sum_a);
	rows[4] = row("6", "baseline", sum_a);
	rows[5] = row("9", "applied", sum_a); /* folder gone */
	h.rows = rows;
	h.count = 6;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0, "merges");
	is_int(st->count, 8, "disk and history merged by version");
	for (i = 1; i < st->count; i++)
		ok(strata__version_cmp(st->items[i - 1].version,
		                       st->items[i].version) < 0,
		   "ordered: %s before %s", st->items[i - 1].version,
		   st->items[i].version);
	state_is(st, "1", STRATA_STATE_APPLIED, "same checksum: applied");
	state_is(st, "2", STRATA_STATE_MODIFIED, "checksum differs: modified");
	state_is(st, "3", STRATA_STATE_SKIPPED, "no file for sqlite: skipped");
	state_is(st, "04", STRATA_STATE_PENDING, "not in history: pending");
	ok(find(st, "04")->out_of_order, "pending below applied: out of order");
	is_str(find(st, "04")->id, "04_late", "the folder's own name kept");
	state_is(st, "5", STRATA_STATE_FAILED, "failed stays failed");
	state_is(st, "6", STRATA_STATE_BASELINE, "baseline");
	state_is(st, "9", STRATA_STATE_MISSING,
	         "history without files: missing");
	state_is(st, "12", STRATA_STATE_PENDING, "new migration: pending");
	ok(!find(st, "12")->out_of_order, "newest pending is in order");
	is_int(st->pending, 2, "two pending");
	is_int(st->drifted, 2, "modified + missing = two drifted");
	is_int(st->failed, 1, "one failed");

	is_int(strata__refuse_if_unclean(st, &e), STRATA_EFAIL,
	       "failed blocks first");
	ok(e.message && strstr(e.message, "strata resolve 5 --applied"),
	   "and says how to resolve");
	strata_status_free(st);

	/* Seen from postgres, migration 3 has a file: its empty checksum
	 * in history no longer matches, which is drift. */
	rows[3] = row("5", "applied", sum_a);
	ok(strata__status_merge(&st, &src, "postgres", &h, &e) == 0,
	   "merges for postgres");
	state_is(st, "3", STRATA_STATE_MODIFIED, "override added later: drift");
	is_int(strata__refuse_if_unclean(st, &e), STRATA_EDRIFT,
	       "drift blocks");
	ok(e.message && strstr(e.message, "2_b (modified)") &&
	           strstr(e.message, "9_x (missing)"),
	   "naming each drifted migration (%s)", e.message);
	strata_status_free(st);
	strata__source_free(&src);
	strata_error_clear(&e);
}

static void versions(void)
{
	/* Ascending; entries with the same rank are equal numbers. */
	static const struct {
		const char *v;
		int rank;
	} sorted[] = {{"0", 0},
	              {"000", 0},
	              {"1", 1},
	              {"0002", 2},
	              {"2", 2},
	              {"9", 3},
	              {"10", 4},
	              {"0010", 4},
	              {"99", 5},
	              {"18446744073709551615", 6},
	              {"18446744073709551616", 7},
	              {"20240101120000000000", 8},
	              {"100000000000000000000", 9}};
	size_t n = sizeof(sorted) / sizeof(sorted[0]), i, j;

	for (i = 0; i < n; i++)
		for (j = 0; j < n; j++) {
			int a = sorted[i].rank, b = sorted[j].rank;
			int want = a < b ? -1 : a > b;
			int got = strata__version_cmp(sorted[i].v, sorted[j].v);

			if (got != want)
				ok(0, "version_cmp(%s, %s) = %d, want %d",
				   sorted[i].v, sorted[j].v, got, want);
		}
	ok(1, "version_cmp orders %zu versions as numbers", n);
	is_int(strata__version_cmp("0002", "10"), -1, "0002 < 10");
	is_int(strata__version_cmp("10", "9"), 1, "10 > 9 (not text order)");
	is_int(strata__version_cmp("20240101120000000001",
	                           "20240101120000000000"),
	       1, "20 digits compare");
	is_int(strata__version_cmp("007", "7"), 0, "leading zeros ignored");
	ok(strata__version_valid("00000000000000000000000001"), "any length");
	ok(!strata__version_valid("") && !strata__version_valid(NULL) &&
	           !strata__version_valid("1a") && !strata__version_valid("-1"),
	   "digits only");
	ok(strata__version_is_zero("000") && !strata__version_is_zero("010"),
	   "all-zero detected");
	ok(strata__version_cmp(NULL, "1") < 0 &&
	           strata__version_cmp("x", NULL) > 0 &&
	           strata__version_cmp(NULL, NULL) == 0,
	   "invalid versions sort first without crashing");
}

/* Statuses strata never writes are reported, not read as applied; NULL in
 * any column never crashes. */
static void unknown_rows(void)
{
	static const char *const bad[] = {"garbage", "FAILED", "failed ", NULL};
	strata__source src;
	strata_history h;
	strata_history_row rows[2];
	strata_status *st = NULL;
	strata_error e;
	size_t i;

	memset(&e, 0, sizeof(e));
	ok(strata__source_load(&src, root, &e) == 0, "source loads");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *what = bad[i] ? bad[i] : "NULL";

		rows[0] = row("1", bad[i], sum_a);
		memset(&rows[1], 0, sizeof(rows[1])); /* all NULL */
		h.rows = rows;
		h.count = 2;
		ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0,
		   "status '%s' merges", what);
		state_is(st, "1", STRATA_STATE_UNKNOWN, what);
		is_int(st->unknown, 2, "an all-NULL row is unknown too");
		is_int(strata__refuse_if_unclean(st, &e), STRATA_EDRIFT,
		       "status '%s' refuses with exit 3", what);
		ok(e.message && strstr(e.message, "1_a (status ") &&
		           (bad[i] ? strstr(e.message, bad[i]) != NULL
		                   : strstr(e.message, "NULL") != NULL),
		   "naming the version and the value (%s)",
		   e.message ? e.message : "");
		strata_error_clear(&e);
		strata_status_free(st);
	}
	strata__source_free(&src);
}

/* A row whose version is not digits is a version problem, not a status
 * one, whatever its status says. */
static void bad_version(void)
{
	strata__source src;
	strata_history h;
	strata_history_row r = row("1x", "applied", sum_a);
	strata_status *st = NULL;
	strata_error e;

	memset(&e, 0, sizeof(e));
	ok(strata__source_load(&src, root, &e) == 0, "source loads");
	h.rows = &r;
	h.count = 1;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0,
	   "a version '1x' merges");
	is_int(strata__refuse_if_unclean(st, &e), STRATA_EDRIFT,
	       "and is refused");
	ok(e.message && strstr(e.message, "version '1x' is not digits") &&
	           !strstr(e.message, "status 'applied'"),
	   "as a bad version, not a bad status (%s)",
	   e.message ? e.message : "");
	strata_error_clear(&e);
	strata_status_free(st);
	strata__source_free(&src);
}

/* Skipped rows whose migration now has a file: named, with the way out
 * (down --to the version before it), not a pointer to repair. */
static void skipped_gains_file(void)
{
	strata__source src;
	strata_history h;
	strata_history_row rows[2];
	strata_status *st = NULL;
	strata_error e;

	memset(&e, 0, sizeof(e));
	ok(strata__source_load(&src, root, &e) == 0, "source loads");
	rows[0] = row("1", "applied", sum_a);
	rows[1] = row("2", "skipped", sum_empty);
	h.rows = rows;
	h.count = 2;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0,
	   "a skipped row with a file merges");
	state_is(st, "2", STRATA_STATE_MODIFIED, "skipped, now has a file");
	is_int(strata__refuse_if_unclean(st, &e), STRATA_EDRIFT,
	       "up refuses it with exit 3");
	ok(e.message && strstr(e.message, "2_b is recorded as skipped") &&
	           strstr(e.message, "now has up.sql") &&
	           strstr(e.message, "'strata down --to 1'") &&
	           !strstr(e.message, "accept a deliberate edit"),
	   "naming it and the way out (%s)", e.message ? e.message : "");
	strata_error_clear(&e);
	strata_status_free(st);
	rows[1] = row("1", "skipped", sum_empty);
	h.count = 1;
	h.rows = &rows[1];
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0 &&
	           strata__refuse_if_unclean(st, &e) == STRATA_EDRIFT &&
	           e.message && strstr(e.message, "'strata down --to 0'"),
	   "the first migration: down --to 0 (%s)", e.message ? e.message : "");
	strata_error_clear(&e);
	strata_status_free(st);
	strata__source_free(&src);
}

/* Releases before 0.2 recorded the checksum of a CRLF/BOM file's raw
 * bytes: still a match, not an edit. */
static void raw_checksum(void)
{
	static const char text[] = "\xEF\xBB\xBFSELECT 1;\r\nSELECT 2;\r\n";
	char dir[300], path[600], raw[STRATA__SHA256_HEX];
	strata__source src;
	strata_history h;
	strata_history_row r;
	strata_status *st = NULL;
	strata_error e;
	FILE *f;

	memset(&e, 0, sizeof(e));
	snprintf(dir, sizeof(dir), "%s-crlf", root);
	mkdir(dir, 0777);
	snprintf(path, sizeof(path), "%s/1_crlf", dir);
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/1_crlf/up.sql", dir);
	f = fopen(path, "wb");
	fwrite(text, 1, sizeof(text) - 1, f);
	fclose(f);
	strata__sha256_hex(raw, text, sizeof(text) - 1);
	ok(strata__source_load(&src, dir, &e) == 0, "CRLF source loads");
	r = row("1", "applied", raw);
	h.rows = &r;
	h.count = 1;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0,
	   "a raw-bytes checksum merges");
	state_is(st, "1", STRATA_STATE_APPLIED, "the raw-bytes checksum");
	strata_status_free(st);
	r.checksum = sum_a;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0,
	   "another checksum merges");
	state_is(st, "1", STRATA_STATE_MODIFIED, "a different checksum");
	strata_status_free(st);
	strata__source_free(&src);
	unlink(path);
	snprintf(path, sizeof(path), "%s/1_crlf", dir);
	rmdir(path);
	rmdir(dir);
}

static void put_at(const char *dir, const char *rel, const char *text)
{
	char path[700];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	*strrchr(path, '/') = '\0';
	mkdir(path, 0777);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

/* The API with err = NULL: every refusal and failure is a return code,
 * never a crash. Needs the sqlite driver (STRATA_PLUGIN_PATH). */
static void null_err(void)
{
	char dir[300], url[400];
	strata_options o;
	strata_config *cfg = NULL;
	strata_plan *p = NULL;
	strata *s = NULL;
	const char *have = getenv("STRATA_HAVE_SQLITE");

	if (have && strcmp(have, "yes") != 0)
		return; /* built without the sqlite driver */
	snprintf(dir, sizeof(dir), "%s-nullerr", root);
	snprintf(url, sizeof(url), "sqlite:%s/db.sqlite", dir);
	mkdir(dir, 0777);
	put_at(dir, "1_a/up.sql", "CREATE TABLE a (x INT);");
	put_at(dir, "1_a/down.sql", "-- nothing yet");
	put_at(dir, "2_b/up.sql", "-- nothing yet");
	strata_options_init(&o, STRATA_OPTIONS_VERSION);
	o.url = url;
	o.migrations_dir = dir;
	ok(strata_config_load(&cfg, &o, NULL) == 0 &&
	           strata_open(&s, cfg, NULL) == 0,
	   "a sqlite session opens without an error struct");
	if (!s)
		return;
	is_int(strata_plan_get(&p, s, NULL, NULL), STRATA_EUSAGE,
	       "plan of an empty file: usage error");
	strata_plan_free(p);
	is_int(strata_up(s, NULL, NULL), STRATA_EUSAGE,
	       "up of an empty file: usage error");
	is_int(strata_baseline(s, "2", NULL), STRATA_EUSAGE,
	       "baseline of an empty file: usage error");
	is_int(strata_up(s, "1", NULL), STRATA_OK, "up --to 1");
	is_int(strata_down(s, 1, NULL, NULL), STRATA_EUSAGE,
	       "down with an empty down file: usage error");
	put_at(dir, "2_b/up.sql", "INSERT INTO no_such_table VALUES (1);");
	/* the runtime failure, not lint's refusal of the missing table */
	strata_set_allow_destructive(s, 1);
	is_int(strata_up(s, NULL, NULL), STRATA_EFAIL,
	       "a failing statement: failure");
	strata_close(s);
	strata_config_free(cfg);
	snprintf(url, sizeof(url), "rm -rf '%s'", dir);
	if (system(url) != 0)
		perror("rm");
}

static void latest_run(void)
{
	strata_history_row rows[3];
	strata_history h;
	const strata_history_row *r;

	rows[0] = row("1", "applied", sum_a);
	rows[1] = row("3", "applied", sum_a);
	rows[2] = row("2", "applied", sum_a); /* merged later, out of order */
	rows[0].finished_at = (char *)"2026-01-01T00:00:00.000Z";
	rows[1].finished_at = (char *)"2026-01-02T00:00:00.000Z";
	rows[2].finished_at = (char *)"2026-01-03T00:00:00.000Z";
	h.rows = rows;
	h.count = 3;
	r = strata__history_latest(&h);
	is_str(r ? r->version : "", "2", "latest run, not highest version");
	rows[2].finished_at = rows[1].finished_at;
	r = strata__history_latest(&h);
	is_str(r ? r->version : "", "3", "ties go to the higher version");
	rows[1].status = (char *)"failed";
	rows[2].status = NULL;
	r = strata__history_latest(&h);
	is_str(r ? r->version : "", "1", "failed and unknown rows skipped");
}

int main(void)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/strata-test-planner-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	strata__sha256_hex(sum_a, "SELECT 1;", 9);
	strata__sha256_hex(sum_empty, "", 0);
	put("1_a/up.sql", "SELECT 1;");
	put("2_b/up.sql", "SELECT 2;");
	put("3_pg_only/up.postgres.sql", "SELECT 3;");
	put("04_late/up.sql", "SELECT 1;");
	put("5_failed/up.sql", "SELECT 1;");
	put("6_base/up.sql", "SELECT 1;");
	put("12_new/up.sql", "SELECT 1;");
	versions();
	merge();
	unknown_rows();
	bad_version();
	skipped_gains_file();
	raw_checksum();
	null_err();
	latest_run();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
