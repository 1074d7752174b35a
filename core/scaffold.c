/* strata init and strata new: project files, no database needed. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "internal.h"

static const char ini_template[] =
        "; strata configuration. See strata.ini(5).\n"
        ";\n"
        "; [default] applies to every environment; other sections are\n"
        "; environments chosen with 'strata -e NAME' and override it.\n"
        "; Values may use ${VAR} or ${VAR:-fallback} from the environment.\n"
        "; --url, STRATA_URL and DATABASE_URL override url.\n"
        "\n"
        "[default]\n"
        "; sqlite:path/to.db, postgres://user@host/db, mysql://user@host/db\n"
        "url = sqlite:strata.db\n"
        "; folder of <version>_<name>/up.sql and down.sql\n"
        "migrations = %s\n"
        "; history table (name or schema.name)\n"
        "table = strata_migrations\n"
        "; seconds to wait for another strata to finish\n"
        "lock_timeout = 60\n"
        "; statements run on every new connection, e.g.\n"
        "; init_sql = SET lock_timeout = '5s'\n"
        "\n"
        ";[production]\n"
        ";url = ${DATABASE_URL}\n";

/* No statement yet: 'strata up' refuses the file until someone writes one
 * (or marks it -- strata:empty), instead of recording a no-op. */
static const char up_template[] =
        "-- %s: apply\n"
        "-- Write the SQL below; a file without statements is refused.\n"
        "-- Directives (must come first): -- strata:no-transaction,\n"
        "-- and -- strata:empty for a migration that is meant to do "
        "nothing.\n"
        "-- Per-driver overrides: up.sqlite.sql, up.postgres.sql, "
        "up.mysql.sql\n\n";

static const char down_template[] =
        "-- %s: revert what up.sql does\n"
        "-- A file without statements is refused; if there is nothing to\n"
        "-- revert, say so with the directive -- strata:empty\n\n";

static int write_new(const char *path, const char *text, strata_error *err)
{
	FILE *f = fopen(path, "wx");

	if (!f)
		return strata__err_at(err, STRATA_EFAIL, path, 0,
		                      "cannot create: %s", strerror(errno));
	if (fputs(text, f) < 0 || fclose(f) != 0)
		return strata__err_at(err, STRATA_EFAIL, path, 0,
		                      "write failed: %s", strerror(errno));
	return STRATA_OK;
}

static int init_files(const char *config_path, const char *dir,
                      const char *setting, strata_error *err);

/* dir is relative to the config file's folder, as it is when read back. */
int strata_init_project(const char *config_path, const char *dir,
                        strata_error *err)
{
	const char *slash = strrchr(config_path, '/');
	char *base = slash ? strata__strndup(config_path,
	                                     (size_t)(slash - config_path))
	                   : strata__strdup("");
	char *path = strata__path_join(base, dir ? dir : "migrations");
	int rc = init_files(config_path, path, dir ? dir : "migrations", err);

	free(base);
	free(path);
	return rc;
}

static int init_files(const char *config_path, const char *dir,
                      const char *setting, strata_error *err)
{
	struct stat st;
	char *text;
	int rc;

	if (stat(config_path, &st) == 0)
		return strata__err_at(err, STRATA_EUSAGE, config_path, 0,
		                      "already exists; not overwriting");
	if (stat(dir, &st) == 0)
		return strata__err_at(err, STRATA_EUSAGE, dir, 0,
		                      "already exists; not overwriting");
	if (mkdir(dir, 0777) != 0)
		return strata__err_at(err, STRATA_EFAIL, dir, 0,
		                      "cannot create folder: %s",
		                      strerror(errno));
	text = strata__printf(ini_template, setting);
	rc = write_new(config_path, text, err);
	free(text);
	return rc;
}

/* "Add users table!" -> "add_users_table" */
static char *slugify(const char *name)
{
	char *out = strata__malloc(strlen(name) + 1), *o = out;

	for (; *name; name++) {
		unsigned char c = (unsigned char)*name;

		if (isalnum(c))
			*o++ = (char)tolower(c);
		else if (c == '-')
			*o++ = '-';
		else if (o > out && o[-1] != '_')
			*o++ = '_';
	}
	while (o > out && o[-1] == '_')
		o--;
	*o = '\0';
	return out;
}

/* A Flyway migration of version ts in dir. */
static int flyway_has(const char *dir, const char *ts)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = strlen(ts);
	int found = 0;

	while (d && !found && (e = readdir(d)) != NULL)
		found = (e->d_name[0] == 'V' || e->d_name[0] == 'U') &&
		        !strncmp(e->d_name + 1, ts, n) &&
		        !strncmp(e->d_name + 1 + n, "__", 2);
	if (d)
		closedir(d);
	return found;
}

/* The next free UTC timestamp in ts: two 'new's in one second get
 * distinct versions, in strata's folders and in other tools' files. */
static void free_version(const char *dir, char ts[16])
{
	time_t t = time(NULL);
	struct tm tm;

	for (;; t++) {
		gmtime_r(&t, &tm);
		strftime(ts, 16, "%Y%m%d%H%M%S", &tm);
		if (!strata__has_version(dir, ts) && !flyway_has(dir, ts))
			return;
	}
}

static char *free_folder(const char *dir, const char *slug)
{
	char ts[16], *id, *path;

	free_version(dir, ts);
	id = strata__printf("%s_%s", ts, slug);
	path = strata__path_join(dir, id);
	free(id);
	return path;
}

static int write_files(const char *path, const char *slug, strata_error *err)
{
	char *up = strata__path_join(path, "up.sql");
	char *down = strata__path_join(path, "down.sql");
	char *u = strata__printf(up_template, slug);
	char *d = strata__printf(down_template, slug);
	int rc = write_new(up, u, err);

	if (!rc)
		rc = write_new(down, d, err);
	free(up);
	free(down);
	free(u);
	free(d);
	return rc;
}

/* Another tool's folder gets a migration in that tool's own form, so
 * that the folder stays one layout (and the tool can still read it). */
typedef struct foreign {
	int layout;
	const char *up_name, *down_name; /* "%s": <timestamp>_<slug> */
	const char *up_text, *down_text; /* "%s": the slug */
} foreign;

static const foreign foreigns[] = {
        {STRATA__LAYOUT_DBMATE, "%s.sql", NULL,
         "-- migrate:up\n\n\n-- migrate:down\n\n", NULL},
        {STRATA__LAYOUT_GOOSE, "%s.sql", NULL,
         "-- +goose Up\n\n\n-- +goose Down\n\n", NULL},
        {STRATA__LAYOUT_GOLANG_MIGRATE, "%s.up.sql", "%s.down.sql",
         "-- %s: apply\n\n", "-- %s: revert\n\n"},
        {STRATA__LAYOUT_POP, "%s.up.sql", "%s.down.sql", "-- %s: apply\n\n",
         "-- %s: revert\n\n"},
        {STRATA__LAYOUT_FLYWAY, "V%s.sql", NULL, "-- %s: apply\n\n", NULL},
        {0, NULL, NULL, NULL, NULL}};

static int write_one(const char *dir, const char *name_fmt, const char *id,
                     const char *text_fmt, const char *slug, char **out,
                     strata_error *err)
{
	char *name = strata__printf(name_fmt, id);
	char *path = strata__path_join(dir, name);
	char *text = strata__printf(text_fmt, slug);
	int rc = write_new(path, text, err);

	if (!rc && out)
		*out = strata__strdup(path);
	free(name);
	free(path);
	free(text);
	return rc;
}

/* The next free timestamp for a file migration; Flyway's "V<ts>__slug". */
static int new_file(char **out, const char *dir, const foreign *f,
                    const char *slug, strata_error *err)
{
	char ts[16], *id;
	int rc;

	free_version(dir, ts);
	id = strata__printf(f->layout == STRATA__LAYOUT_FLYWAY ? "%s__%s"
	                                                       : "%s_%s",
	                    ts, slug);
	rc = write_one(dir, f->up_name, id, f->up_text, slug, out, err);
	if (!rc && f->down_name)
		rc = write_one(dir, f->down_name, id, f->down_text, slug, NULL,
		               err);
	free(id);
	return rc;
}

int strata_new_migration(char **out, const char *dir, const char *name,
                         strata_error *err)
{
	char *slug = slugify(name), *path;
	const foreign *f;
	int rc, layout = STRATA__LAYOUT_STRATA;

	*out = NULL;
	if (!*slug) {
		free(slug);
		return strata__err(err, STRATA_EUSAGE,
		                   "migration name needs letters or digits");
	}
	if (!strata__dir_exists(dir) && mkdir(dir, 0777) != 0) {
		free(slug);
		return strata__err_at(err, STRATA_EFAIL, dir, 0,
		                      "cannot create folder: %s",
		                      strerror(errno));
	}
	rc = strata__layout_detect(dir, &layout, err);
	for (f = foreigns; !rc && f->up_name; f++)
		if (f->layout == layout) {
			rc = new_file(out, dir, f, slug, err);
			free(slug);
			return rc;
		}
	if (rc) {
		free(slug);
		return rc;
	}
	path = free_folder(dir, slug);
	rc = mkdir(path, 0777) == 0 ? write_files(path, slug, err)
	                            : strata__err_at(err, STRATA_EFAIL, path, 0,
	                                             "cannot create folder: %s",
	                                             strerror(errno));
	free(slug);
	if (rc) {
		free(path);
		return rc;
	}
	*out = path;
	return STRATA_OK;
}
