/*
 * Driver plugins, loaded with libltdl. Search order: each folder of
 * strata_options.plugin_path, else of $STRATA_PLUGIN_PATH (colon-
 * separated), then the built-in plugin folder. Only explicit folders are
 * searched: never the current directory, never the system library path.
 *
 * A URL's scheme finds its driver through the schemes the drivers
 * declare; the core keeps no table of them. The module named after the
 * scheme is tried first ("postgres" -> strata_postgres), then every
 * module on the search path, in order.
 */
#include <dirent.h>
#include <ltdl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef STRATA_PLUGIN_DIR
#define STRATA_PLUGIN_DIR "/usr/local/lib/strata"
#endif

struct strata__plugin {
	const strata_driver *drv;
	char *path;
};

/* libltdl keeps global state and is not thread-safe. */
static pthread_mutex_t ltdl_mu = PTHREAD_MUTEX_INITIALIZER;

/* The search path as a NULL-terminated array of folders. */
static char **search_dirs(const char *path)
{
	const char *list = path ? path : getenv("STRATA_PLUGIN_PATH");
	char **dirs = strata__calloc(1, sizeof(char *));
	size_t n = 0;

	while (list && *list) {
		size_t len = strcspn(list, ":");

		if (len) { /* an empty entry is not "." */
			dirs = strata__realloc(dirs, (n + 2) * sizeof(char *));
			dirs[n++] = strata__strndup(list, len);
		}
		list += len + (list[len] == ':');
	}
	dirs = strata__realloc(dirs, (n + 2) * sizeof(char *));
	dirs[n++] = strata__strdup(STRATA_PLUGIN_DIR);
	dirs[n] = NULL;
	return dirs;
}

static void free_dirs(char **dirs)
{
	size_t i;

	for (i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
}

static int module_present(const char *base)
{
	char *la = strata__printf("%s.la", base);
	char *so = strata__printf("%s.so", base);
	int found = strata__file_exists(la) || strata__file_exists(so);

	free(la);
	free(so);
	return found;
}

/* Checks the vtable; returns a reason string (caller frees) or NULL. */
static char *check_abi(const strata_driver *d, const char *name)
{
	if (d->abi_version >> 16 != STRATA_DRIVER_ABI_MAJOR)
		return strata__printf("wrong ABI: driver has %u.%u, strata "
		                      "expects %u.x",
		                      d->abi_version >> 16,
		                      d->abi_version & 0xffff,
		                      (unsigned)STRATA_DRIVER_ABI_MAJOR);
	if (d->struct_size <
	    offsetof(strata_driver, introspect) + sizeof(d->introspect))
		return strata__printf("wrong ABI: driver vtable is %u bytes, "
		                      "too small for ABI %u.0",
		                      d->struct_size,
		                      (unsigned)STRATA_DRIVER_ABI_MAJOR);
	if (!d->name || strcmp(d->name, name) != 0)
		return strata__printf("driver calls itself '%s', not '%s'",
		                      d->name ? d->name : "(null)", name);
	return strata__drv_check(d);
}

/* Opens base (".la" or ".so") and checks its vtable: the driver, or NULL
 * with *why set (caller frees). Call with ltdl_mu held. */
static const strata_driver *try_open(const char *base, const char *name,
                                     char **why)
{
	lt_dlhandle h;
	const strata_driver *d;
	char *sym;

	*why = NULL;
	if (!module_present(base)) {
		*why = strata__strdup("not found");
		return NULL;
	}
	h = lt_dlopenext(base);
	if (!h) {
		const char *e = lt_dlerror();
		*why = strata__printf("cannot load: %s", e ? e : "unknown");
		return NULL;
	}
	sym = strata__printf("%s%s", STRATA_DRIVER_SYMBOL_PREFIX, name);
	d = (const strata_driver *)lt_dlsym(h, sym);
	*why = d ? check_abi(d, name)
	         : strata__printf("not a strata driver (no symbol %s)", sym);
	free(sym);
	if (*why) {
		lt_dlclose(h);
		return NULL;
	}
	/* Client libraries keep process-wide state (library init, TLS) that
	 * does not survive being unmapped; and drv.c keys the init hook's
	 * outcome by the vtable's address. Keep accepted drivers loaded. */
	lt_dlmakeresident(h);
	return d;
}

static int valid_name(const char *name)
{
	size_t i;

	for (i = 0; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= '0' && name[i] <= '9') || name[i] == '_'))
			return 0;
	return i > 0 && i < 64;
}

/* "strata_sqlite.la" -> "sqlite"; NULL for anything else. */
static char *module_name(const char *file)
{
	size_t n = strlen(file);
	char *name = NULL;

	if (strncmp(file, "strata_", 7) != 0)
		return NULL;
	if (n > 10 &&
	    (!strcmp(file + n - 3, ".la") || !strcmp(file + n - 3, ".so")))
		name = strata__strndup(file + 7, n - 10);
	if (name && !valid_name(name)) {
		free(name);
		name = NULL;
	}
	return name;
}

/* The state of one scheme's search. */
typedef struct search {
	const char *scheme;
	char **dirs;
	strata__buf tried; /* "path: reason" of the modules that failed */
	int named; /* a module named after the scheme exists, unusable */
	/* A driver that declares the scheme but is unusable, and why. */
	char *failed, *failed_why;
	char **seen;      /* names of the usable drivers found */
	char **installed; /* the same as "name (scheme, ...)" */
	size_t nseen;
} search;

static void tried(search *q, const char *base, const char *why)
{
	strata__buf_printf(&q->tried, "%s%s: %s", q->tried.len ? "; " : "",
	                   base, why);
}

/* A usable driver d: accept it if it declares the scheme and its init
 * hook succeeds. */
static int accept(search *q, strata__plugin **out, const strata_driver *d,
                  const char *base)
{
	char *why;

	if (!strata__drv_handles(d, q->scheme))
		return 0;
	why = strata__drv_init(d);
	if (why) {
		tried(q, base, why);
		if (!q->failed) {
			q->failed = strata__strdup(d->name);
			q->failed_why = strata__printf("%s: %s", base, why);
		}
		free(why);
		return 0;
	}
	*out = strata__calloc(1, sizeof(**out));
	(*out)->drv = d;
	(*out)->path = strata__strdup(base);
	return 1;
}

static int seen(const search *q, const char *name)
{
	size_t i;

	for (i = 0; i < q->nseen; i++)
		if (!strcmp(q->seen[i], name))
			return 1;
	return 0;
}

/* For the message when no driver declares the scheme. */
static void note_usable(search *q, const char *name, const strata_driver *d)
{
	char *sc = strata__drv_schemes(d, ", ");

	q->seen = strata__realloc(q->seen, (q->nseen + 1) * sizeof(char *));
	q->installed =
	        strata__realloc(q->installed, (q->nseen + 1) * sizeof(char *));
	q->seen[q->nseen] = strata__strdup(name);
	q->installed[q->nseen++] = strata__printf("%s (%s)", name, sc);
	free(sc);
}

/* The module named after the scheme, in each folder. */
static void fast_path(search *q, strata__plugin **out)
{
	size_t i;

	if (!valid_name(q->scheme))
		return;
	for (i = 0; q->dirs[i] && !*out; i++) {
		char *base =
		        strata__printf("%s/strata_%s", q->dirs[i], q->scheme);
		char *why;
		const strata_driver *d = try_open(base, q->scheme, &why);

		if (!d) {
			tried(q, base, why);
			q->named |= strcmp(why, "not found") != 0;
		} else if (!seen(q, q->scheme)) {
			/* Usable: if it does not declare the scheme, other
			 * modules may. */
			note_usable(q, q->scheme, d);
			if (!accept(q, out, d, base) && q->failed)
				q->named = 1;
		}
		free(why);
		free(base);
	}
}

/* Every other module on the search path, in order; the first usable
 * driver of each name counts. */
static void scan(search *q, strata__plugin **out)
{
	size_t i;

	for (i = 0; q->dirs[i] && !*out; i++) {
		DIR *dir = opendir(q->dirs[i]);
		struct dirent *e;

		while (dir && !*out && (e = readdir(dir)) != NULL) {
			char *name = module_name(e->d_name);
			char *base, *why;
			const strata_driver *d;

			if (!name || !strcmp(name, q->scheme) ||
			    seen(q, name)) {
				free(name);
				continue;
			}
			base = strata__printf("%s/strata_%s", q->dirs[i], name);
			d = try_open(base, name, &why);
			if (d) {
				note_usable(q, name, d);
				accept(q, out, d, base);
			}
			free(why);
			free(base);
			free(name);
		}
		if (dir)
			closedir(dir);
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Where the bundled drivers come from, for the message when none handles
 * a scheme: distributions ship each driver in a package of its own
 * (docs/packaging.md). Only a hint: schemes still resolve through what
 * the installed drivers declare.
 */
static const struct {
	const char *scheme, *package, *driver, *option;
} bundled[] = {
        {"postgres", "strata-driver-postgresql", "postgres", "postgresql"},
        {"postgresql", "strata-driver-postgresql", "postgres", "postgresql"},
        {"mysql", "strata-driver-mysql", "mysql", "mysql"},
        {"mariadb", "strata-driver-mysql", "mysql", "mysql"},
        {"sqlite", "strata-driver-sqlite", "sqlite", "sqlite"},
        {"sqlite3", "strata-driver-sqlite", "sqlite", "sqlite"},
};

static void not_found(search *q, strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	const char *hint = "";
	char *more = NULL;
	size_t i;

	if (q->named) {
		strata__err(err, STRATA_EUSAGE,
		            "cannot load driver '%s' (%s); is it installed? "
		            "'strata drivers' lists what is available",
		            q->scheme, q->tried.ptr);
		return;
	}
	if (q->failed) {
		strata__err(err, STRATA_EUSAGE,
		            "cannot use driver '%s' for URL scheme '%s' (%s)",
		            q->failed, q->scheme, q->failed_why);
		return;
	}
	if (q->nseen)
		qsort(q->installed, q->nseen, sizeof(char *), cmp_str);
	for (i = 0; i < q->nseen; i++)
		strata__buf_printf(&b, "%s%s", i ? ", " : "", q->installed[i]);
	for (i = 0; i < sizeof(bundled) / sizeof(bundled[0]); i++)
		if (!strcmp(bundled[i].scheme, q->scheme)) {
			more = strata__printf(
			        "; install %s (Debian) or build strata with "
			        "the %s driver (configure --with-%s)",
			        bundled[i].package, bundled[i].driver,
			        bundled[i].option);
			hint = more;
			break;
		}
	strata__err(err, STRATA_EUSAGE,
	            "no driver handles URL scheme '%s'; installed: %s%s",
	            q->scheme, q->nseen ? b.ptr : "none", hint);
	free(more);
	strata__buf_free(&b);
}

int strata__plugin_load(strata__plugin **out, const char *scheme,
                        const char *plugin_path, strata_error *err)
{
	search q;
	size_t i;
	int rc = strata_global_init(err);

	*out = NULL;
	if (rc)
		return rc;
	memset(&q, 0, sizeof(q));
	q.scheme = scheme;
	q.dirs = search_dirs(plugin_path);
	pthread_mutex_lock(&ltdl_mu);
	fast_path(&q, out);
	if (!*out && !q.named)
		scan(&q, out);
	pthread_mutex_unlock(&ltdl_mu);
	if (!*out)
		not_found(&q, err);
	for (i = 0; i < q.nseen; i++) {
		free(q.seen[i]);
		free(q.installed[i]);
	}
	free(q.seen);
	free(q.installed);
	free(q.failed);
	free(q.failed_why);
	strata__buf_free(&q.tried);
	free_dirs(q.dirs);
	return *out ? STRATA_OK : STRATA_EUSAGE;
}

void strata__plugin_free(strata__plugin *p)
{
	if (!p)
		return;
	/* The module stays resident (see try_open), and so does libltdl's
	 * record of it: lt_dlexit would only orphan that record. */
	free(p->path);
	free(p);
}

const strata_driver *strata__plugin_driver(const strata__plugin *p)
{
	return p->drv;
}

const char *strata__plugin_path(const strata__plugin *p)
{
	return p->path;
}

int strata__scheme_form(const char *scheme, const char *plugin_path)
{
	strata__plugin *p = NULL;
	int form = -1;

	if (strata__plugin_load(&p, scheme, plugin_path, NULL) == STRATA_OK)
		form = p->drv->url_form;
	strata__plugin_free(p);
	return form;
}

/* ---- what the installed drivers call their files ---- */

/* One usable driver on a search path: its name, schemes and file names
 * (copied: the table outlives nothing, but keeps no module pointer). */
typedef struct known_drv {
	char *name;
	char **schemes, **files; /* NULL-terminated */
} known_drv;

typedef struct known_path {
	char *key; /* the plugin_path it was scanned with ("" for NULL) */
	known_drv *drvs;
	size_t n;
	struct known_path *next;
} known_path;

static pthread_mutex_t known_mu = PTHREAD_MUTEX_INITIALIZER;
static known_path *known;

static char **copy_list(const char *const *l)
{
	char **out = strata__calloc(1, sizeof(char *));
	size_t n = 0;

	for (; l && *l; l++) {
		out = strata__realloc(out, (n + 2) * sizeof(char *));
		out[n++] = strata__strdup(*l);
		out[n] = NULL;
	}
	return out;
}

static int in_list(char *const *l, const char *x)
{
	for (; *l; l++)
		if (!strcmp(*l, x))
			return 1;
	return 0;
}

static int has_known(const known_path *k, const char *name)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (!strcmp(k->drvs[i].name, name))
			return 1;
	return 0;
}

/* Every module on the path, in order; the first usable copy of a name
 * counts, as for the loader. Call with ltdl_mu held. */
static void scan_known(known_path *k, char **dirs)
{
	size_t i;

	for (i = 0; dirs[i]; i++) {
		DIR *dir = opendir(dirs[i]);
		struct dirent *e;

		while (dir && (e = readdir(dir)) != NULL) {
			char *name = module_name(e->d_name), *base, *why;
			const strata_driver *d;
			const char *buf[2];

			if (!name || has_known(k, name)) {
				free(name);
				continue;
			}
			base = strata__printf("%s/strata_%s", dirs[i], name);
			d = try_open(base, name, &why);
			if (d) {
				known_drv *kd;

				k->drvs = strata__realloc(
				        k->drvs, (k->n + 1) * sizeof(*k->drvs));
				kd = &k->drvs[k->n++];
				kd->name = strata__strdup(name);
				kd->schemes = copy_list(d->schemes);
				kd->files = copy_list(
				        strata__drv_file_names(d, buf));
			}
			free(why);
			free(base);
			free(name);
		}
		if (dir)
			closedir(dir);
	}
}

static const known_path *known_for(const char *plugin_path)
{
	const char *key = plugin_path ? plugin_path : "";
	known_path *k;
	char **dirs;

	pthread_mutex_lock(&known_mu);
	for (k = known; k && strcmp(k->key, key) != 0; k = k->next)
		;
	if (!k) {
		k = strata__calloc(1, sizeof(*k));
		k->key = strata__strdup(key);
		dirs = search_dirs(plugin_path);
		pthread_mutex_lock(&ltdl_mu);
		scan_known(k, dirs);
		pthread_mutex_unlock(&ltdl_mu);
		free_dirs(dirs);
		k->next = known;
		known = k;
	}
	pthread_mutex_unlock(&known_mu);
	return k;
}

int strata__installed_scheme(const char *plugin_path, const char *x,
                             const char **drv, const char **file_name)
{
	const known_path *k;
	size_t i;

	if (strata_global_init(NULL))
		return 0;
	k = known_for(plugin_path);
	for (i = 0; i < k->n; i++)
		if (in_list(k->drvs[i].files, x))
			return 0; /* that driver's file */
	for (i = 0; i < k->n; i++)
		if (in_list(k->drvs[i].schemes, x)) {
			*drv = k->drvs[i].name;
			*file_name = k->drvs[i].files[0];
			return 1;
		}
	return 0;
}

/* ---- strata drivers ---- */

/* A list being built: its strings go to the pool of the finished list. */
typedef struct info_list {
	strata_driver_info *items;
	size_t n;
	strata__pool pool;
} info_list;

/* What strata_drivers_list() hands out: the pool owns every string, and
 * the caller holds `items`. */
typedef struct info_block {
	strata__pool pool;
	strata_driver_info items[];
} info_block;

static int listed(const info_list *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name))
			return 1;
	return 0;
}

static strata_driver_info *add_info(info_list *l, const char *name,
                                    const char *base)
{
	strata_driver_info *info;

	l->items = strata__realloc(l->items, (l->n + 1) * sizeof(*l->items));
	info = &l->items[l->n++];
	memset(info, 0, sizeof(*info));
	info->name = strata__pool_strdup(&l->pool, name);
	info->path = strata__pool_strdup(&l->pool, base);
	return info;
}

/* Module `name` in dirs[from..]: the first copy that loads, as the loader
 * takes it, with the broken copies before it listed after it, each
 * saying which copy is used instead. None loads: the first, as it is. */
static void describe(info_list *l, char **dirs, size_t from, const char *name)
{
	char **skipped = NULL, **whys = NULL;
	size_t nskip = 0, i;
	strata_driver_info *info = NULL;

	for (i = from; dirs[i] && !info; i++) {
		char *base = strata__printf("%s/strata_%s", dirs[i], name);
		char *why;
		const strata_driver *d;

		if (!module_present(base)) {
			free(base);
			continue;
		}
		d = try_open(base, name, &why);
		if (d) {
			info = add_info(l, name, base);
			info->version =
			        strata__pool_strdup(&l->pool, d->version);
			info->description =
			        strata__pool_strdup(&l->pool, d->description);
			info->abi_major = d->abi_version >> 16;
			info->abi_minor = d->abi_version & 0xffff;
			info->schemes = strata__pool_take(
			        &l->pool, strata__drv_schemes(d, ","));
			info->problem = strata__pool_take(&l->pool,
			                                  strata__drv_init(d));
			free(base);
			continue;
		}
		skipped =
		        strata__realloc(skipped, (nskip + 1) * sizeof(char *));
		whys = strata__realloc(whys, (nskip + 1) * sizeof(char *));
		skipped[nskip] = base;
		whys[nskip++] = why;
	}
	for (i = 0; i < nskip; i++) {
		if (info || i == 0) {
			const char *path = info ? info->path : NULL;
			strata_driver_info *bad = add_info(l, name, skipped[i]);

			bad->problem = strata__pool_take(
			        &l->pool,
			        path ? strata__printf(
			                       "%s; skipped, strata uses "
			                       "%s",
			                       whys[i], path)
			             : strata__strdup(whys[i]));
		}
		free(skipped[i]);
		free(whys[i]);
	}
	free(skipped);
	free(whys);
}

static void scan_dir(info_list *l, char **dirs, size_t at)
{
	DIR *d = opendir(dirs[at]);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *name = module_name(e->d_name);

		if (name && !listed(l, name))
			describe(l, dirs, at, name);
		free(name);
	}
	closedir(d);
}

int strata_drivers_list_path(strata_driver_info **out, size_t *count,
                             const char *plugin_path, strata_error *err)
{
	info_list l;
	info_block *b;
	char **dirs;
	size_t i;
	int rc = strata_global_init(err);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	memset(&l, 0, sizeof(l));
	dirs = search_dirs(plugin_path);
	pthread_mutex_lock(&ltdl_mu);
	for (i = 0; dirs[i]; i++)
		scan_dir(&l, dirs, i);
	pthread_mutex_unlock(&ltdl_mu);
	free_dirs(dirs);
	b = strata__malloc(sizeof(*b) + l.n * sizeof(b->items[0]));
	b->pool = l.pool;
	if (l.n)
		memcpy(b->items, l.items, l.n * sizeof(b->items[0]));
	free(l.items);
	*out = b->items;
	*count = l.n;
	return STRATA_OK;
}

int strata_drivers_list(strata_driver_info **out, size_t *count,
                        strata_error *err)
{
	return strata_drivers_list_path(out, count, NULL, err);
}

void strata_drivers_free(strata_driver_info *list, size_t count)
{
	info_block *b;

	STRATA_UNUSED(count);
	if (!list)
		return;
	b = (info_block *)(void *)((char *)list - offsetof(info_block, items));
	strata__pool_free(&b->pool);
	free(b);
}
