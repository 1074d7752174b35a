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

static void not_found(search *q, strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
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
	strata__err(err, STRATA_EUSAGE,
	            "no driver handles URL scheme '%s'; installed: %s",
	            q->scheme, q->nseen ? b.ptr : "none");
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

static int listed(strata_driver_info *list, size_t n, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(list[i].name, name))
			return 1;
	return 0;
}

static void describe(strata_driver_info *info, const char *dir,
                     const char *name)
{
	char *base = strata__printf("%s/strata_%s", dir, name);
	char *why;
	const strata_driver *d = try_open(base, name, &why);

	memset(info, 0, sizeof(*info));
	info->name = strata__strdup(name);
	info->path = base;
	if (d) {
		info->version = strata__strdup(d->version);
		info->description = strata__strdup(d->description);
		info->abi_major = d->abi_version >> 16;
		info->abi_minor = d->abi_version & 0xffff;
		info->schemes = strata__drv_schemes(d, ",");
		why = strata__drv_init(d);
	}
	info->problem = why;
}

static void scan_dir(strata_driver_info **list, size_t *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *name = module_name(e->d_name);

		if (name && !listed(*list, *n, name)) {
			*list = strata__realloc(*list,
			                        (*n + 1) * sizeof(**list));
			describe(&(*list)[(*n)++], dir, name);
		}
		free(name);
	}
	closedir(d);
}

int strata_drivers_list(strata_driver_info **out, size_t *count,
                        strata_error *err)
{
	char **dirs;
	size_t i;
	int rc = strata_global_init(err);

	*out = NULL;
	*count = 0;
	if (rc)
		return rc;
	dirs = search_dirs(NULL);
	pthread_mutex_lock(&ltdl_mu);
	for (i = 0; dirs[i]; i++)
		scan_dir(out, count, dirs[i]);
	pthread_mutex_unlock(&ltdl_mu);
	free_dirs(dirs);
	return STRATA_OK;
}

void strata_drivers_free(strata_driver_info *list, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(list[i].name);
		free(list[i].version);
		free(list[i].path);
		free(list[i].description);
		free(list[i].problem);
		free(list[i].schemes);
	}
	free(list);
}
