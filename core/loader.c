/*
 * Driver plugins, loaded with libltdl. Search order: each directory of
 * $STRATA_PLUGIN_PATH (colon-separated), then the configured plugin
 * directory. Only explicit directories are searched: never the current
 * directory, never the system library path.
 */
#include <dirent.h>
#include <ltdl.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#ifndef STRATA_PLUGIN_DIR
#define STRATA_PLUGIN_DIR "/usr/local/lib/strata"
#endif

struct strata__plugin {
	lt_dlhandle handle;
	const strata_driver *drv;
	char *path;
};

static const struct {
	const char *scheme, *driver;
} scheme_map[] = {{"sqlite", "sqlite"},
                  {"sqlite3", "sqlite"},
                  {"postgres", "postgres"},
                  {"postgresql", "postgres"},
                  {"mysql", "mysql"},
                  {"mariadb", "mysql"},
                  {NULL, NULL}};

const char *strata__driver_for_scheme(const char *scheme)
{
	size_t i;

	for (i = 0; scheme_map[i].scheme; i++)
		if (!strcmp(scheme_map[i].scheme, scheme))
			return scheme_map[i].driver;
	return scheme; /* a third-party driver named after its scheme */
}

/* The search path as a NULL-terminated array of directories. */
static char **search_dirs(void)
{
	const char *env = getenv("STRATA_PLUGIN_PATH");
	char **dirs = strata__calloc(1, sizeof(char *));
	size_t n = 0;

	while (env && *env) {
		size_t len = strcspn(env, ":");

		if (len) { /* an empty entry is not "." */
			dirs = strata__realloc(dirs, (n + 2) * sizeof(char *));
			dirs[n++] = strata__strndup(env, len);
		}
		env += len + (env[len] == ':');
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
	if (!d->dialect || !d->connect || !d->close || !d->exec || !d->query ||
	    !d->begin || !d->commit || !d->rollback || !d->lock || !d->unlock ||
	    !d->table_exists || !d->introspect)
		return strata__strdup("driver vtable is missing operations");
	return NULL;
}

/* Tries one file; returns NULL with *out set, or the reason. */
static char *try_open(strata__plugin **out, const char *base, const char *name)
{
	lt_dlhandle h;
	const strata_driver *d;
	char *sym, *why;

	if (!module_present(base))
		return strata__strdup("not found");
	h = lt_dlopenext(base);
	if (!h) {
		const char *e = lt_dlerror();
		return strata__printf("cannot load: %s", e ? e : "unknown");
	}
	sym = strata__printf("%s%s", STRATA_DRIVER_SYMBOL_PREFIX, name);
	d = (const strata_driver *)lt_dlsym(h, sym);
	why = d ? check_abi(d, name)
	        : strata__printf("not a strata driver (no symbol %s)", sym);
	free(sym);
	if (why) {
		lt_dlclose(h);
		return why;
	}
	/* Client libraries keep process-wide state (library init, TLS) that
	 * does not survive being unmapped; keep accepted drivers loaded. */
	lt_dlmakeresident(h);
	*out = strata__calloc(1, sizeof(**out));
	(*out)->handle = h;
	(*out)->drv = d;
	(*out)->path = strata__strdup(base);
	return NULL;
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

int strata__plugin_load(strata__plugin **out, const char *name, strata_error *err)
{
	strata__buf tried = STRATA__BUF_INIT;
	char **dirs;
	size_t i;

	*out = NULL;
	if (!valid_name(name))
		return strata__err(err, STRATA_EUSAGE,
		                   "no driver for URL scheme '%s'", name);
	if (lt_dlinit() != 0)
		return strata__err(err, STRATA_EFAIL, "libltdl: %s",
		                   lt_dlerror());
	dirs = search_dirs();
	for (i = 0; dirs[i] && !*out; i++) {
		char *base = strata__printf("%s/strata_%s", dirs[i], name);
		char *why = try_open(out, base, name);

		if (why)
			strata__buf_printf(&tried, "%s%s: %s",
			                  tried.len ? "; " : "", base, why);
		free(why);
		free(base);
	}
	free_dirs(dirs);
	if (!*out) {
		strata__err(err, STRATA_EUSAGE,
		            "cannot load driver '%s' (%s); is it installed? "
		            "'strata drivers' lists what is available",
		            name, tried.ptr);
	}
	strata__buf_free(&tried);
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

/* "strata_sqlite.la" -> "sqlite"; NULL for anything else. */
static char *module_name(const char *file)
{
	size_t n = strlen(file);

	if (strncmp(file, "strata_", 7) != 0)
		return NULL;
	if (n > 10 && !strcmp(file + n - 3, ".la"))
		return strata__strndup(file + 7, n - 10);
	if (n > 10 && !strcmp(file + n - 3, ".so"))
		return strata__strndup(file + 7, n - 10);
	return NULL;
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
	strata__plugin *p = NULL;
	char *why = try_open(&p, base, name);

	memset(info, 0, sizeof(*info));
	info->name = strata__strdup(name);
	info->path = base;
	info->problem = why;
	if (p) {
		info->version = strata__strdup(p->drv->version);
		info->description = strata__strdup(p->drv->description);
		info->abi_major = p->drv->abi_version >> 16;
		info->abi_minor = p->drv->abi_version & 0xffff;
		free(p->path);
		free(p);
	}
}

static void scan_dir(strata_driver_info **list, size_t *n, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (!d)
		return;
	while ((e = readdir(d)) != NULL) {
		char *name = module_name(e->d_name);

		if (name && valid_name(name) && !listed(*list, *n, name)) {
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

	*out = NULL;
	*count = 0;
	if (lt_dlinit() != 0)
		return strata__err(err, STRATA_EFAIL, "libltdl: %s",
		                   lt_dlerror());
	dirs = search_dirs();
	for (i = 0; dirs[i]; i++)
		scan_dir(out, count, dirs[i]);
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
	}
	free(list);
}
