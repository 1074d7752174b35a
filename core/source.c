/*
 * The migrations folder: <version>_<slug>/ with up.sql, down.sql and
 * per-driver overrides up.<name>.sql / down.<name>.sql, where <name> is
 * one of the driver's file names (strata_driver.file_names, else its
 * name).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "internal.h"

const char *strata__basename(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* "20240101120000_create_users" -> version digits (any number of them,
 * malloc'd) and slug; 0 if not one. */
static int parse_id(const char *id, char **version, const char **slug)
{
	size_t nd = 0;

	while (isdigit((unsigned char)id[nd]))
		nd++;
	if (nd == 0)
		return 0;
	if (id[nd] != '_' || !id[nd + 1])
		return -1;
	*version = strata__strndup(id, nd);
	*slug = id + nd + 1;
	return 1;
}

/* ".sql" in any case: an UP.SQL must not be silently skipped. */
static int ends_sql(const char *f)
{
	size_t n = strlen(f);

	return n > 4 && !strcasecmp(f + n - 4, ".sql");
}

static int has_upper(const char *f)
{
	for (; *f; f++)
		if (isupper((unsigned char)*f))
			return 1;
	return 0;
}

/* up.sql -> (up, NULL); down.postgres.sql -> (down, "postgres"). 0: not
 * SQL; -1: a bad name; -2: not lower case. */
static int parse_file(const char *f, int *up, char **driver)
{
	size_t n = strlen(f);
	const char *rest;

	if (!ends_sql(f))
		return 0;
	if (has_upper(f))
		return -2;
	if (!strncmp(f, "up.", 3) || !strcmp(f, "up.sql"))
		*up = 1, rest = f + 3;
	else if (!strncmp(f, "down.", 5))
		*up = 0, rest = f + 5;
	else
		return -1;
	if (!strcmp(rest, "sql")) {
		*driver = NULL;
		return 1;
	}
	n = strlen(rest) - 4;
	if (n == 0 || memchr(rest, '.', n))
		return -1;
	*driver = strata__strndup(rest, n);
	return 1;
}

static int listed(const char *const *names, const char *name)
{
	for (; *names; names++)
		if (!strcmp(*names, name))
			return 1;
	return 0;
}

/*
 * up.postgresql.sql would be silently ignored on PostgreSQL, whose files
 * are up.postgres.sql: refuse a file named after a URL scheme that is not
 * a file name, on every database, so that CI on one finds what another
 * would refuse. The running driver d is asked first; only a name that is
 * not one of its files needs the installed drivers (scanned once). A name
 * no installed driver knows may be a driver's not installed here: kept.
 */
static int misnamed(const strata_driver *d, const char *plugin_path,
                    const char *path, const char *x, int up, strata_error *err)
{
	const char *buf[2];
	const char *const *names;
	const char *owner, *file;

	if (!d)
		return STRATA_OK;
	names = strata__drv_file_names(d, buf);
	if (listed(names, x))
		return STRATA_OK;
	if (strata__drv_handles(d, x)) {
		owner = d->name;
		file = names[0];
	} else if (!strata__installed_scheme(plugin_path, x, &owner, &file)) {
		return STRATA_OK;
	}
	return strata__err_at(err, STRATA_EUSAGE, path, 0,
	                      "'%s' is a URL scheme, the driver is '%s': this "
	                      "file would never run; name it %s.%s.sql",
	                      x, owner, up ? "up" : "down", file);
}

void strata__migration_add_file(strata__migration *m, int up, char *driver,
                                const char *path)
{
	strata__mfile **list = up ? &m->up : &m->down;
	size_t *n = up ? &m->nup : &m->ndown;

	*list = strata__realloc(*list, (*n + 1) * sizeof(strata__mfile));
	(*list)[*n].driver = driver;
	(*list)[*n].path = strata__strdup(path);
	(*n)++;
}

/* A dangling symlink or a folder named up.sql must not let up.sql run in
 * place of the override it hides. A regular file (readdir's type) needs
 * no look at all: whatever reads it says so if it cannot (10,000 files
 * cost a permission check each in every status). */
static int check_regular(const char *path, unsigned char type,
                         strata_error *err)
{
	struct stat st;

	if (type == DT_REG)
		return STRATA_OK;
	if (stat(path, &st) != 0)
		return strata__err_at(
		        err, STRATA_EUSAGE, path, 0, "cannot read: %s%s",
		        strerror(errno),
		        errno == ENOENT ? " (dangling symbolic link?)" : "");
	if (!S_ISREG(st.st_mode))
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "cannot read: not a regular file");
	return STRATA_OK;
}

typedef struct scan {
	strata__migration *m;
	const strata_driver *drv;
	const char *plugin_path;
	strata_error *err;
	int rc;
} scan;

static int on_file(void *ctx, const char *name, unsigned char type)
{
	scan *sc = ctx;
	char *driver = NULL, *path;
	int up = 0, kind;

	if (name[0] == '.')
		return 0;
	path = strata__path_join(sc->m->dir, name);
	kind = parse_file(name, &up, &driver);
	if (kind > 0 && driver)
		sc->rc = misnamed(sc->drv, sc->plugin_path, path, driver, up,
		                  sc->err);
	if (!sc->rc && kind > 0) {
		sc->rc = check_regular(path, type, sc->err);
		if (!sc->rc) {
			strata__migration_add_file(sc->m, up, driver, path);
			driver = NULL; /* the migration owns it now */
		}
	} else if (!sc->rc && kind < 0) {
		sc->rc = strata__err_at(
		        sc->err, STRATA_EUSAGE, path, 0,
		        "unexpected SQL file: expected %sup.sql, "
		        "down.sql, up.<driver>.sql or "
		        "down.<driver>.sql",
		        kind == -2 ? "lower-case " : "");
	}
	free(driver);
	free(path);
	return sc->rc != STRATA_OK;
}

/* id: the folder's name in the migrations folder open as rootfd. */
static int scan_migration(strata__migration *m, int rootfd, const char *id,
                          const strata_driver *drv, const char *plugin_path,
                          strata__sumcache *sums, strata_error *err)
{
	scan sc = {m, drv, plugin_path, err, STRATA_OK};

	if (strata__sumcache_dir(sums, rootfd, id, m->dir, on_file, &sc) != 0)
		return strata__err_at(err, STRATA_EUSAGE, m->dir, 0,
		                      "cannot read folder: %s",
		                      strerror(errno));
	if (sc.rc == STRATA_OK && m->nup == 0)
		sc.rc = strata__err_at(err, STRATA_EUSAGE, m->dir, 0,
		                       "migration folder has no up.sql or "
		                       "up.<driver>.sql");
	return sc.rc;
}

static int cmp_version(const void *a, const void *b)
{
	const strata__migration *x = a, *y = b;
	int c = strata__version_cmp(x->version, y->version);

	return c ? c : strcmp(x->id, y->id);
}

static int has_sql(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL)
		found = e->d_name[0] != '.' && ends_sql(e->d_name);
	if (d)
		closedir(d);
	return found;
}

/* Not a migration folder: README, seeds/, docs/ are fine, but nothing that
 * looks like a migration may be skipped silently. */
static int stray(const char *path, const char *id, int kind, strata_error *err)
{
	struct stat st;
	int sql = ends_sql(id);

	if ((kind != 0 || sql) && stat(path, &st) != 0)
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "cannot read: %s", strerror(errno));
	/* A loose add_index.sql would never run: say so. */
	if (sql && !S_ISDIR(st.st_mode))
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "not a folder: a migration is a folder "
		                      "<version>_<name>/ holding up.sql, and "
		                      "this loose SQL file would never run; "
		                      "move it into one, or out of the "
		                      "migrations folder");
	if (kind == 0 && strata__dir_exists(path) && has_sql(path))
		return strata__err_at(
		        err, STRATA_EUSAGE, path, 0,
		        "folder holds .sql files but is not named "
		        "<version digits>_<name>: strata would "
		        "never run them; rename it, or move the "
		        "files out");
	return STRATA_OK;
}

/* readdir's type saves a stat per migration; a link or an unknown type
 * is looked at. */
static int is_dir(const char *path, unsigned char type)
{
	if (type == DT_DIR)
		return 1;
	return (type == DT_UNKNOWN || type == DT_LNK) &&
	       strata__dir_exists(path);
}

strata__migration *strata__source_add(strata__source *src, char *version,
                                      const char *id, const char *name,
                                      char *dir, int layout)
{
	strata__migration *m;

	src->items = strata__realloc(src->items,
	                             (src->count + 1) * sizeof(*src->items));
	m = &src->items[src->count++];
	memset(m, 0, sizeof(*m));
	m->layout = layout;
	m->version = version;
	/* For display only (paths use dir): escape control characters. */
	m->id = strata__printable(id);
	m->name = strata__printable(name);
	m->dir = dir;
	return m;
}

static int add_entry(strata__source *src, int rootfd, const char *id,
                     unsigned char type, const strata_driver *drv,
                     const char *plugin_path, strata__sumcache *sums,
                     strata_error *err)
{
	strata__migration *m;
	const char *slug = NULL;
	char *version = NULL;
	int kind = parse_id(id, &version, &slug);
	char *dir = strata__path_join(src->dir, id);
	int rc = STRATA_OK;

	if (kind == 0 || !is_dir(dir, type)) {
		rc = stray(dir, id, kind, err);
		free(version);
		free(dir);
		return rc;
	}
	if (kind < 0) {
		rc = strata__err_at(err, STRATA_EUSAGE, dir, 0,
		                    "bad migration folder name: expected "
		                    "<version digits>_<name>");
		free(dir);
		return rc;
	}
	m = strata__source_add(src, version, id, slug, dir,
	                       STRATA__LAYOUT_STRATA);
	return scan_migration(m, rootfd, id, drv, plugin_path, sums, err);
}

static int check_duplicates(const strata__source *src, strata_error *err)
{
	size_t i;

	for (i = 1; i < src->count; i++)
		if (!strata__version_cmp(src->items[i].version,
		                         src->items[i - 1].version))
			return strata__err_at(
			        err, STRATA_EUSAGE, src->items[i].dir, 0,
			        "duplicate migration version %s (also %s)",
			        src->items[i].version, src->items[i - 1].dir);
	return STRATA_OK;
}

int strata__source_load(strata__source *src, const char *dir, strata_error *err)
{
	return strata__source_load_for(src, dir, NULL, NULL, NULL,
	                               STRATA__LAYOUT_AUTO, err);
}

/* Kept folder listings are in name order, usually the versions' too. */
static int sort_and_check(strata__source *src, strata_error *err)
{
	strata__sort(src->items, src->count, sizeof(*src->items), cmp_version);
	return check_duplicates(src, err);
}

typedef struct top {
	strata__source *src;
	int rootfd;
	const strata_driver *drv;
	const char *plugin_path;
	strata__sumcache *sums;
	strata_error *err;
	int rc;
} top;

static int on_top(void *ctx, const char *name, unsigned char type)
{
	top *t = ctx;

	if (name[0] == '.')
		return 0;
	t->rc = add_entry(t->src, t->rootfd, name, type, t->drv, t->plugin_path,
	                  t->sums, t->err);
	return t->rc != STRATA_OK;
}

int strata__source_load_for(strata__source *src, const char *dir,
                            const strata_driver *drv, const char *plugin_path,
                            strata__sumcache *sums, int layout,
                            strata_error *err)
{
	top t = {src, -1, drv, plugin_path, sums, err, STRATA_OK};
	int rc;

	memset(src, 0, sizeof(*src));
	src->dir = strata__strdup(dir);
	if (layout != STRATA__LAYOUT_STRATA) {
		rc = strata__layout_scan(src, &layout, err);
		if (rc || layout != STRATA__LAYOUT_STRATA)
			return rc ? rc : sort_and_check(src, err);
	}
	/* The folder's own listing is kept too: a warm status lists no
	 * migration folder, only stats them (layout detection reads this
	 * folder up to its first migration folder). */
	t.rootfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (t.rootfd < 0 ||
	    strata__sumcache_dir(sums, AT_FDCWD, dir, dir, on_top, &t) != 0) {
		int e = errno;

		if (t.rootfd >= 0)
			close(t.rootfd);
		return t.rc ? t.rc
		            : strata__err_at(err, STRATA_EUSAGE, dir, 0,
		                             "cannot read migrations folder: "
		                             "%s (run 'strata init' or pass "
		                             "--dir)",
		                             strerror(e));
	}
	close(t.rootfd);
	return t.rc ? t.rc : sort_and_check(src, err);
}

static void free_files(strata__mfile *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(f[i].driver);
		free(f[i].path);
	}
	free(f);
}

void strata__source_free(strata__source *src)
{
	size_t i;

	for (i = 0; i < src->count; i++) {
		strata__migration *m = &src->items[i];

		free(m->version);
		free(m->id);
		free(m->name);
		free(m->dir);
		free_files(m->up, m->nup);
		free_files(m->down, m->ndown);
	}
	free(src->items);
	free(src->dir);
	memset(src, 0, sizeof(*src));
}

static int cmp_key_version(const void *key, const void *item)
{
	return strata__version_cmp(key,
	                           ((const strata__migration *)item)->version);
}

/* Sorted by strata__source_load(), duplicates refused there. */
const strata__migration *strata__source_find(const strata__source *src,
                                             const char *version)
{
	return src->count ? bsearch(version, src->items, src->count,
	                            sizeof(*src->items), cmp_key_version)
	                  : NULL;
}

const char *strata__migration_file_in(const strata__migration *m, int up,
                                      const char *const *names)
{
	const strata__mfile *f = up ? m->up : m->down;
	size_t n = up ? m->nup : m->ndown, i;
	const char *generic = NULL;

	/* By the order of names, not of the folder: the first name wins. */
	for (; names && *names; names++)
		for (i = 0; i < n; i++)
			if (f[i].driver && !strcmp(f[i].driver, *names))
				return f[i].path;
	for (i = 0; i < n; i++)
		if (!f[i].driver)
			generic = f[i].path;
	return generic;
}

const char *strata__migration_file(const strata__migration *m, int up,
                                   const char *driver)
{
	const char *names[2] = {driver, NULL};

	return strata__migration_file_in(m, up, names);
}

int strata__has_version(const char *dir, const char *digits)
{
	const char *slug;
	struct dirent *e;
	DIR *d = opendir(dir);
	int found = 0;

	if (!d)
		return 0;
	while (!found && (e = readdir(d)) != NULL) {
		char *v = NULL;

		found = parse_id(e->d_name, &v, &slug) > 0 &&
		        !strata__version_cmp(v, digits);
		free(v);
	}
	closedir(d);
	return found;
}
