/* The planner: migrations on disk merged with history into states. */
#include <sys/stat.h>

#include "tap.h"
#include "internal.h"

static char root[256];
static char sum_a[STRATA_SHA256_HEX], sum_empty[STRATA_SHA256_HEX];

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

static strata_history_row row(int64_t v, const char *status,
                              const char *checksum)
{
	strata_history_row r;

	memset(&r, 0, sizeof(r));
	r.version = v;
	r.name = (char *)"x";
	r.status = (char *)status;
	r.checksum = (char *)checksum;
	r.finished_at = (char *)"2026-01-01T00:00:00.000Z";
	r.error = strcmp(status, "failed") ? NULL : (char *)"boom";
	r.steps = 2;
	return r;
}

static const strata_status_item *find(const strata_status *st, int64_t v)
{
	size_t i;

	for (i = 0; i < st->count; i++)
		if (st->items[i].version == v)
			return &st->items[i];
	return NULL;
}

static void state_is(const strata_status *st, int64_t v, strata_state want,
                     const char *what)
{
	const strata_status_item *it = find(st, v);

	ok(it != NULL, "%s: %lld listed", what, (long long)v);
	if (it)
		is_str(strata_state_name(it->state), strata_state_name(want),
		       "%s", what);
}

static void merge(void)
{
	strata_source src;
	strata_history h;
	strata_history_row rows[6];
	strata_status *st = NULL;
	strata_error e;
	size_t i;

	memset(&e, 0, sizeof(e));
	ok(strata_source_load(&src, root, &e) == 0, "source loads");
	rows[0] = row(1, "applied", sum_a);
	rows[1] = row(2, "applied", sum_a); /* file changed since */
	rows[2] = row(3, "skipped", sum_empty);
	rows[3] = row(5, "failed", sum_a);
	rows[4] = row(6, "baseline", sum_a);
	rows[5] = row(9, "applied", sum_a); /* folder gone */
	h.rows = rows;
	h.count = 6;
	ok(strata__status_merge(&st, &src, "sqlite", &h, &e) == 0, "merges");
	is_int(st->count, 8, "disk and history merged by version");
	for (i = 1; i < st->count; i++)
		ok(st->items[i - 1].version < st->items[i].version,
		   "ordered: %lld before %lld",
		   (long long)st->items[i - 1].version,
		   (long long)st->items[i].version);
	state_is(st, 1, STRATA_STATE_APPLIED, "same checksum: applied");
	state_is(st, 2, STRATA_STATE_MODIFIED, "checksum differs: modified");
	state_is(st, 3, STRATA_STATE_SKIPPED, "no file for sqlite: skipped");
	state_is(st, 4, STRATA_STATE_PENDING, "not in history: pending");
	ok(find(st, 4)->out_of_order, "pending below applied: out of order");
	state_is(st, 5, STRATA_STATE_FAILED, "failed stays failed");
	state_is(st, 6, STRATA_STATE_BASELINE, "baseline");
	state_is(st, 9, STRATA_STATE_MISSING, "history without files: missing");
	state_is(st, 12, STRATA_STATE_PENDING, "new migration: pending");
	ok(!find(st, 12)->out_of_order, "newest pending is in order");
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
	rows[3] = row(5, "applied", sum_a);
	ok(strata__status_merge(&st, &src, "postgres", &h, &e) == 0,
	   "merges for postgres");
	state_is(st, 3, STRATA_STATE_MODIFIED, "override added later: drift");
	is_int(strata__refuse_if_unclean(st, &e), STRATA_EDRIFT,
	       "drift blocks");
	ok(e.message && strstr(e.message, "2_b (modified)") &&
	           strstr(e.message, "9_x (missing)"),
	   "naming each drifted migration (%s)", e.message);
	strata_status_free(st);
	strata_source_free(&src);
	strata_error_clear(&e);
}

int main(void)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/strata-test-planner-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	strata_sha256_hex(sum_a, "SELECT 1;", 9);
	strata_sha256_hex(sum_empty, "", 0);
	put("1_a/up.sql", "SELECT 1;");
	put("2_b/up.sql", "SELECT 2;");
	put("3_pg_only/up.postgres.sql", "SELECT 3;");
	put("4_late/up.sql", "SELECT 1;");
	put("5_failed/up.sql", "SELECT 1;");
	put("6_base/up.sql", "SELECT 1;");
	put("12_new/up.sql", "SELECT 1;");
	merge();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
