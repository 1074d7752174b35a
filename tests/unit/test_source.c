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

static void link_at(const char *rel, const char *target)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) != 0)
		perror("symlink");
}

static int load(strata__source *src, strata_error *e)
{
	memset(e, 0, sizeof(*e));
	return strata__source_load(src, root, e);
}

static void good(void)
{
	strata__source src;
	strata_error e;
	const strata__migration *m;

	put("10_ten/up.sql", "SELECT 10;");
	put("9_nine/up.sql", "SELECT 9;");
	put("9_nine/down.sql", "SELECT -9;");
	put("9_nine/up.sqlite.sql", "SELECT 'lite';");
	put("11_pg_only/up.postgres.sql", "SELECT 11;");
	put("README.md", "not a migration");
	put("seeds/README", "no .sql files: not a migration either");
	put(".hidden_x/up.sql", "dot-folders are ignored");
	link_at("9_nine/.#up.sql", "root@host.1234"); /* emacs lock: dot-files
	                                                are ignored */
	put("9_nine/README.md", "non-SQL files in a migration are fine");
	ok(load(&src, &e) == 0, "loads (%s)", e.message ? e.message : "");
	is_int(src.count, 3, "three migrations");
	if (src.count == 3) {
		is_str(src.items[0].version, "9",
		       "ordered numerically, not by name");
		is_str(src.items[0].name, "nine", "slug");
	}
	m = strata__source_find(&src, "9");
	ok(m && strstr(strata__migration_file(m, 1, "sqlite"), "up.sqlite.sql"),
	   "override chosen for its driver");
	ok(m && strstr(strata__migration_file(m, 1, "mysql"), "9_nine/up.sql"),
	   "generic file for other drivers");
	m = strata__source_find(&src, "11");
	ok(m && !strata__migration_file(m, 1, "sqlite"),
	   "driver-only migration has no file elsewhere");
	ok(m && !strata__migration_file(m, 0, "postgres"), "no down file");
	strata__source_free(&src);
	strata_error_clear(&e);
}

static void bad(const char *rel, const char *needle)
{
	strata__source src;
	strata_error e;
	char path[512];

	put(rel, "SELECT 1;");
	is_int(load(&src, &e), STRATA_EUSAGE, "rejects %s", rel);
	ok(e.message && strstr(e.message, needle), "says '%s' (%s)", needle,
	   e.message ? e.message : "");
	strata__source_free(&src);
	strata_error_clear(&e);
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	unlink(path);
	*strrchr(path, '/') = '\0';
	rmdir(path);
}

/* Loading fails with a usage error saying needle; then rel is removed. */
static void refused(const char *rel, const char *needle, const char *what)
{
	strata__source src;
	strata_error e;
	char cmd[600];

	is_int(load(&src, &e), STRATA_EUSAGE, "refuses %s", what);
	ok(e.message && strstr(e.message, needle) && e.file &&
	           strstr(e.file, rel),
	   "names %s and says '%s' (%s: %s)", rel, needle, e.file ? e.file : "",
	   e.message ? e.message : "");
	strata__source_free(&src);
	strata_error_clear(&e);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s/%s'", root, rel);
	if (system(cmd) != 0)
		perror("rm");
}

/* Everything that looks like a migration but cannot be read is an error,
 * never silently skipped. */
static void unreadable(void)
{
	char path[512];

	put("20_link/up.sql", "SELECT 1;");
	link_at("20_link/up.sqlite.sql", "/nonexistent/strata-test.sql");
	refused("20_link", "cannot read", "a dangling up.sqlite.sql symlink");
	put("21_dir/up.sql", "SELECT 1;");
	snprintf(path, sizeof(path), "%s/21_dir/down.sql", root);
	mkdir(path, 0777);
	refused("21_dir", "not a regular file", "a folder named down.sql");
	link_at("22_dangling", "/nonexistent/strata-test-dir");
	refused("22_dangling", "cannot read", "a dangling migration folder");
	put("abc_x/up.sql", "SELECT 1;");
	refused("abc_x", "not named <version digits>_<name>",
	        "a folder of .sql files without a version");
	put("x/seed.sql", "SELECT 1;");
	refused("x", "not named", "any folder of .sql files");
}

static void loose_sql_file(void)
{
	strata__source src;
	strata_error e;
	char path[512];

	put("0030_loose.sql", "SELECT 1;");
	is_int(load(&src, &e), STRATA_EUSAGE, "a loose 0030_loose.sql file");
	ok(e.message && strstr(e.message, "not a folder"), "says (%s)",
	   e.message ? e.message : "");
	strata__source_free(&src);
	strata_error_clear(&e);
	snprintf(path, sizeof(path), "%s/0030_loose.sql", root);
	unlink(path);
}

/* .sql in any case is SQL: never silently skipped. */
static void sql_case(void)
{
	bad("18_upper/up.SQL", "expected lower-case up.sql");
	bad("19_upper/UP.sql", "expected lower-case up.sql");
	bad("23_upper/up.sqlite.SQL", "expected lower-case up.sql");
	bad("24_upper/down.Sqlite.sql", "expected lower-case up.sql");
	put("add_index.sql", "SELECT 1;");
	refused("add_index.sql", "not a folder", "a loose add_index.sql");
	put("ADD_INDEX.SQL", "SELECT 1;");
	refused("ADD_INDEX.SQL", "not a folder", "a loose ADD_INDEX.SQL");
	put("Seeds/001.SQL", "SELECT 1;");
	refused("Seeds", "not named", "a folder of .SQL files");
}

static void escaped_names(void)
{
	strata__source src;
	strata_error e;
	size_t i, found = 0;

	put("40_a\033[31mred/up.sql", "SELECT 1;");
	ok(load(&src, &e) == 0, "an escape sequence in a folder name loads");
	for (i = 0; i < src.count; i++)
		if (strstr(src.items[i].id, "\\x1b[31mred") &&
		    strstr(src.items[i].name, "\\x1b[31mred") &&
		    !strchr(src.items[i].id, '\033'))
			found++;
	is_int(found, 1, "its id and name are printable (\\x1b)");
	strata__source_free(&src);
	strata_error_clear(&e);
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
	/* Overrides named after a URL scheme: refused per driver, see
	 * test_drv.c (the core has no table of schemes). */
	unreadable();
	loose_sql_file();
	sql_case();
	escaped_names();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		return 1;
	return tap_done();
}
