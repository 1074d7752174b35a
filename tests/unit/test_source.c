/* The migrations folder: ordering, overrides, and bad layouts. */
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "internal.h"

static char root[256];

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

static int load(strata_source *src, strata_error *e)
{
	memset(e, 0, sizeof(*e));
	return strata_source_load(src, root, e);
}

static void good(void)
{
	strata_source src;
	strata_error e;
	const strata_migration *m;

	put("10_ten/up.sql", "SELECT 10;");
	put("9_nine/up.sql", "SELECT 9;");
	put("9_nine/down.sql", "SELECT -9;");
	put("9_nine/up.sqlite.sql", "SELECT 'lite';");
	put("11_pg_only/up.postgres.sql", "SELECT 11;");
	put("README.md", "not a migration");
	put("seeds/data.sql", "not a migration either");
	ok(load(&src, &e) == 0, "loads (%s)", e.message ? e.message : "");
	is_int(src.count, 3, "three migrations");
	if (src.count == 3) {
		is_int(src.items[0].version, 9,
		       "ordered numerically, not by name");
		is_str(src.items[0].name, "nine", "slug");
	}
	m = strata_source_find(&src, 9);
	ok(m && strstr(strata_migration_file(m, 1, "sqlite"), "up.sqlite.sql"),
	   "override chosen for its driver");
	ok(m && strstr(strata_migration_file(m, 1, "mysql"), "9_nine/up.sql"),
	   "generic file for other drivers");
	m = strata_source_find(&src, 11);
	ok(m && !strata_migration_file(m, 1, "sqlite"),
	   "driver-only migration has no file elsewhere");
	ok(m && !strata_migration_file(m, 0, "postgres"), "no down file");
	strata_source_free(&src);
	strata_error_clear(&e);
}

static void bad(const char *rel, const char *needle)
{
	strata_source src;
	strata_error e;
	char path[512];

	put(rel, "SELECT 1;");
	is_int(load(&src, &e), STRATA_EUSAGE, "rejects %s", rel);
	ok(e.message && strstr(e.message, needle), "says '%s' (%s)", needle,
	   e.message ? e.message : "");
	strata_source_free(&src);
	strata_error_clear(&e);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

int main(void)
{
	char cmd[600];

	snprintf(root, sizeof(root), "/tmp/strata-test-source-XXXXXX");
	if (!mkdtemp(root))
		return 1;
	good();
	bad("010_dup/up.sql", "duplicate migration version 10");
	bad("12_typo/Up.sql", "unexpected SQL file");
	bad("15_downonly/down.sql", "has no up.sql");
	bad("13_extra/up.sql.bak.sql", "unexpected SQL file");
	bad("14x_bad/up.sql", "bad migration folder name");
	bad("16_alias/up.postgresql.sql", "name it up.postgres.sql");
	bad("17_alias/down.mariadb.sql", "name it down.mysql.sql");
	bad("1234567890123456789_long/up.sql", "bad migration folder name");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
