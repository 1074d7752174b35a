/*
 * strata import --convert: another tool's folder rewritten in strata's
 * layout, <version>_<name>/up.sql and down.sql (pop's dialect files as
 * up.<driver>.sql), each file what strata ran of the original: its
 * section, with "-- strata:no-transaction" where it ran outside a
 * transaction. The original folder is left as it is.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "runner.h"

static int write_file(const char *path, const char *text, strata_error *err)
{
	FILE *f = fopen(path, "wx");

	if (!f || fputs(text, f) == EOF || fclose(f) != 0) {
		if (f)
			fclose(f);
		return strata__err_at(err, STRATA_EFAIL, path, 0,
		                      "cannot write: %s", strerror(errno));
	}
	return STRATA_OK;
}

/* The strata file for one part of a migration: NULL in *out when the
 * part has no statement (an empty down section: no down.sql). */
/* The strata file for one part of a migration: NULL in *out when the
 * part is an empty section (an empty dbmate down: no down.sql). */
static int part_text(strata *s, const char *path, int down, char **out,
                     strata_error *err)
{
	strata__script sc;
	strata__view v;
	char *text = NULL, *body = NULL;
	size_t len = 0;
	int rc = strata__read_file(&text, &len, path, err);

	*out = NULL;
	memset(&sc, 0, sizeof(sc));
	memset(&v, 0, sizeof(v));
	if (!rc)
		rc = strata__layout_view(&v, path, text, len, down, err);
	if (!rc)
		body = strata__view_body(&v, text, len);
	if (!rc && !(down && v.text && !*body))
		rc = strata__script_load_text(
		        &sc, path, text, len, s->drv,
		        s->split_flags | (down ? STRATA__LOAD_DOWN : 0), err);
	if (!rc && *body)
		*out = strata__printf(
		        "%s%s\n",
		        sc.no_transaction &&
		                        !strstr(body, "strata:no-transaction")
		                ? "-- strata:no-transaction\n"
		                : "",
		        body);
	strata__script_free(&sc);
	strata__view_free(&v);
	free(body);
	free(text);
	return rc;
}

static int write_part(strata *s, const char *folder, const strata__mfile *f,
                      int down, strata_error *err)
{
	char *text = NULL, *name, *path;
	int rc = part_text(s, f->path, down, &text, err);

	if (rc || !text)
		return rc;
	name = f->driver ? strata__printf("%s.%s.sql", down ? "down" : "up",
	                                  f->driver)
	                 : strata__printf("%s.sql", down ? "down" : "up");
	path = strata__path_join(folder, name);
	rc = write_file(path, text, err);
	free(path);
	free(name);
	free(text);
	return rc;
}

static int one(strata *s, const char *out, const strata__migration *m,
               strata_error *err)
{
	char *id, *folder;
	size_t i;
	int rc = STRATA_OK;

	if (strchr(m->version, '.'))
		return strata__err_at(err, STRATA_EUSAGE, m->up[0].path, 0,
		                      "version %s has parts: strata's folders "
		                      "are <digits>_<name>; keep the Flyway "
		                      "folder (strata reads it in place)",
		                      m->version);
	id = strata__printf("%s_%s", m->version, m->name);
	folder = strata__path_join(out, id);
	if (mkdir(folder, 0777) != 0)
		rc = strata__err_at(err, STRATA_EFAIL, folder, 0,
		                    "cannot create folder: %s",
		                    strerror(errno));
	for (i = 0; !rc && i < m->nup; i++)
		rc = write_part(s, folder, &m->up[i], 0, err);
	for (i = 0; !rc && i < m->ndown; i++)
		rc = write_part(s, folder, &m->down[i], 1, err);
	free(folder);
	free(id);
	return rc;
}

int strata__convert(strata *s, const char *out, strata_error *err)
{
	size_t i;
	int rc = STRATA_OK;

	if (s->src.count && s->src.items[0].layout == STRATA__LAYOUT_STRATA)
		return strata__err_at(err, STRATA_EUSAGE, s->src.dir, 0,
		                      "already in strata's layout: nothing to "
		                      "convert");
	if (mkdir(out, 0777) != 0)
		return strata__err_at(err, STRATA_EUSAGE, out, 0,
		                      "cannot create the converted folder: %s",
		                      strerror(errno));
	for (i = 0; !rc && i < s->src.count; i++)
		rc = one(s, out, &s->src.items[i], err);
	if (rc)
		return rc;
	/* From now on the run's migrations are the converted files. */
	strata__source_done(s);
	strata__source_free(&s->src);
	return strata__source_load_for(&s->src, out, s->drv,
	                               strata__config_plugin_path(s->cfg), NULL,
	                               STRATA__LAYOUT_STRATA, err);
}
