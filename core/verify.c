/*
 * strata_verify_get: every pending migration applied, reverted and
 * applied again on a scratch database, with strata_up() and strata_down()
 * themselves, so that what is verified is what production runs. The
 * schema is read (model.c) before the up, after it, after the down and
 * after the second up, and compared as strata diff compares (diff.c).
 * The migration lock is held for the whole run.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model.h"

struct verify_priv {
	strata_verify pub;
	strata__pool pool;
};

const char *strata_verify_stage_name(strata_verify_stage st)
{
	switch (st) {
	case STRATA_VERIFY_OK:
		return "ok";
	case STRATA_VERIFY_UP:
		return "up";
	case STRATA_VERIFY_DOWN:
		return "down";
	case STRATA_VERIFY_RESTORE:
		return "restore";
	case STRATA_VERIFY_REUP:
		return "re-up";
	case STRATA_VERIFY_REUP_DIFFERS:
		return "re-up-differs";
	}
	return "unknown";
}

/* The history table's companions (drift's snapshot, the Galera lock),
 * also strata's own. */
static int strata_table(const strata *s, const char *name)
{
	return strata__history_own(s->hist_table, name);
}

static void drop_table(strata__mtable *t)
{
	strata__model *one = strata__calloc(1, sizeof(*one));

	/* model.c frees tables only with their model. */
	one->tables = strata__malloc(sizeof(*t));
	one->tables[0] = *t;
	one->ntables = 1;
	strata__model_free(one);
}

/* The schema without strata's own tables. */
static int read_model(strata__model **out, strata *s, strata_error *err)
{
	strata__model *m;
	size_t i, k = 0;
	int rc = strata__model_read(&m, s->drv, s->conn, s->hist_table, err);

	if (rc)
		return rc;
	for (i = 0; i < m->ntables; i++) {
		if (strata_table(s, m->tables[i].name))
			drop_table(&m->tables[i]);
		else
			m->tables[k++] = m->tables[i];
	}
	m->ntables = k;
	*out = m;
	return STRATA_OK;
}

static void fail_msg(struct verify_priv *v, strata_verify_stage stage,
                     const strata_status_item *it, const strata_error *e)
{
	char *body = e ? strata__error_body(e) : NULL;

	if (body && e->file) {
		char *file = strata__printable(e->file), *full;

		full = e->line > 0 ? strata__printf("%s:%d: %s", file, e->line,
		                                    body)
		                   : strata__printf("%s: %s", file, body);
		free(file);
		free(body);
		body = full;
	}

	v->pub.stage = stage;
	v->pub.version = strata__pool_strdup(&v->pool, it->version);
	v->pub.id = strata__pool_strdup(&v->pool, it->id);
	v->pub.name = strata__pool_strdup(&v->pool, it->name);
	if (body)
		v->pub.message = strata__pool_take(&v->pool, body);
}

/* The differences, each detail saying when the object was there: "column
 * only after down", "type text before up, integer after down". */
static void set_details(struct verify_priv *v, const char *when_a,
                        const char *when_b)
{
	size_t i;

	for (i = 0; i < v->pub.count; i++) {
		strata_diff_item *it = &v->pub.items[i];
		char *detail;

		if (it->change == STRATA_DIFF_CHANGED)
			detail =
			        strata__printf("%s %s %s, %s %s", it->attribute,
			                       it->a ? it->a : "none", when_a,
			                       it->b ? it->b : "none", when_b);
		else
			detail = strata__printf("%s only %s", it->kind,
			                        it->change == STRATA_DIFF_ONLY_A
			                                ? when_a
			                                : when_b);
		it->detail = strata__pool_take(&v->pool, detail);
	}
}

/* 1 when they differ (recorded in v), compared as drift compares: one
 * driver, so exact types and definitions count too. */
static int compare(struct verify_priv *v, const strata__model *a,
                   const strata__model *b, const char *when_a,
                   const char *when_b)
{
	strata__drift_items(&v->pool, a, b, &v->pub.items, &v->pub.count);
	if (!v->pub.count)
		return 0;
	set_details(v, when_a, when_b);
	return 1;
}

/* up, down, compare, up, compare. STRATA_OK with v->pub.stage set when
 * the migration fails verification; an error when the schema cannot be
 * read. */
static int verify_one(struct verify_priv *v, strata *s,
                      const strata_status_item *it, strata_error *err)
{
	strata__model *before = NULL, *up1 = NULL, *down = NULL, *up2 = NULL;
	strata_error e;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = read_model(&before, s, err);
	if (!rc && strata_up(s, it->version, &e) != STRATA_OK)
		fail_msg(v, STRATA_VERIFY_UP, it, &e);
	if (!rc && !v->pub.stage)
		rc = read_model(&up1, s, err);
	if (!rc && !v->pub.stage && strata_down(s, 1, NULL, &e) != STRATA_OK)
		fail_msg(v, STRATA_VERIFY_DOWN, it, &e);
	if (!rc && !v->pub.stage)
		rc = read_model(&down, s, err);
	if (!rc && !v->pub.stage &&
	    compare(v, before, down, "before up", "after down"))
		fail_msg(v, STRATA_VERIFY_RESTORE, it, NULL);
	if (!rc && !v->pub.stage && strata_up(s, it->version, &e) != STRATA_OK)
		fail_msg(v, STRATA_VERIFY_REUP, it, &e);
	if (!rc && !v->pub.stage)
		rc = read_model(&up2, s, err);
	if (!rc && !v->pub.stage &&
	    compare(v, up1, up2, "after first up", "after second up"))
		fail_msg(v, STRATA_VERIFY_REUP_DIFFERS, it, NULL);
	if (!rc && !v->pub.stage)
		v->pub.checked++;
	strata_error_clear(&e);
	strata__model_free(before);
	strata__model_free(up1);
	strata__model_free(down);
	strata__model_free(up2);
	return rc;
}

/* A scratch database is empty: tables (or views) other than strata's own
 * mean someone's data. */
static int check_empty(strata *s, int scratch_ok, strata_error *err)
{
	strata__model *m = NULL;
	strata__buf names = STRATA__BUF_INIT;
	size_t i, n;
	int rc = read_model(&m, s, err);

	if (rc)
		return rc;
	n = m->ntables;
	for (i = 0; i < m->ntables && i < 5; i++)
		strata__buf_printf(&names, "%s%s", i ? ", " : "",
		                   m->tables[i].name);
	if (n > 5)
		strata__buf_printf(&names, ", ... (%zu tables)", n);
	strata__model_free(m);
	if (n && !scratch_ok)
		rc = strata__err(
		        err, STRATA_EUSAGE,
		        "%s holds user tables (%s); verify applies and "
		        "reverts migrations, so it wants a scratch "
		        "database: give an empty one, or --scratch-ok "
		        "to verify the pending migrations there",
		        s->target, names.ptr);
	strata__buf_free(&names);
	return rc;
}

static int verify_pending(struct verify_priv *v, strata *s, strata_error *err)
{
	strata_status *st = NULL;
	size_t i;
	int rc = strata_status_get(&st, s, err);

	for (i = 0; !rc && i < st->count; i++)
		v->pub.pending += st->items[i].state == STRATA_STATE_PENDING;
	for (i = 0; !rc && !v->pub.stage && i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_PENDING)
			rc = verify_one(v, s, &st->items[i], err);
	strata_status_free(st);
	return rc;
}

/* A folder of its own for the temporary SQLite file: the driver may add
 * -journal, -wal and lock files next to it. */
static char *scratch_dir(strata_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char *dir = strata__printf("%s/strata-verify.XXXXXX",
	                           tmp && *tmp ? tmp : "/tmp");

	if (!mkdtemp(dir)) {
		strata__err(err, STRATA_EFAIL,
		            "cannot create a temporary folder %s for the "
		            "scratch database",
		            dir);
		free(dir);
		return NULL;
	}
	return dir;
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	while (d && (e = readdir(d)) != NULL) {
		char *p;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		p = strata__path_join(dir, e->d_name);
		unlink(p);
		free(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
}

static int run(struct verify_priv *v, const strata_config *cfg,
               const strata_verify_options *o, strata_error *err)
{
	strata *s = NULL;
	int rc = strata_open(&s, cfg, err);

	if (rc)
		return rc;
	strata_set_event_fn(s, o->on_event, o->event_ctx);
	/* A scratch database: lint findings are not what verify is about,
	 * and up would refuse on them (lint-engine implements it). */
	strata_set_allow_destructive(s, 1);
	v->pub.target = strata__pool_strdup(&v->pool, strata_target(s));
	v->pub.driver = strata__pool_strdup(&v->pool, strata_driver_name(s));
	rc = strata__lock(s, err);
	if (!rc) {
		s->lock_hold = 1;
		rc = check_empty(s, o->scratch_ok || !o->use_target, err);
	}
	if (!rc)
		rc = verify_pending(v, s, err);
	s->lock_hold = 0;
	strata_close(s);
	return rc;
}

int strata_verify_get(strata_verify **out, const strata_config *cfg,
                      const strata_verify_options *opts, strata_error *err)
{
	struct verify_priv *v;
	strata_config *scratch = NULL;
	char *dir = NULL;
	int rc;

	strata_error_clear(err);
	*out = NULL;
	if (!opts || opts->version != STRATA_VERIFY_OPTIONS_VERSION)
		return strata__err(err, STRATA_EUSAGE,
		                   "strata_verify_options: version %u is not "
		                   "%u (use STRATA_VERIFY_OPTIONS_INIT)",
		                   opts ? opts->version : 0,
		                   STRATA_VERIFY_OPTIONS_VERSION);
	if (!opts->use_target) {
		char *url;

		if (!(dir = scratch_dir(err)))
			return STRATA_EFAIL;
		url = strata__printf("sqlite:%s/verify.db", dir);
		scratch = strata__config_scratch(cfg, url);
		free(url);
	}
	v = strata__calloc(1, sizeof(*v));
	v->pub.item_size = sizeof(strata_diff_item);
	v->pub.temporary = !opts->use_target;
	rc = run(v, scratch ? scratch : cfg, opts, err);
	strata_config_free(scratch);
	if (dir)
		remove_dir(dir);
	free(dir);
	if (rc) {
		strata_verify_free(&v->pub);
		return rc;
	}
	*out = &v->pub;
	return STRATA_OK;
}

const strata_diff_item *strata_verify_item_at(const strata_verify *v, size_t i)
{
	if (!v || i >= v->count)
		return NULL;
	return (const strata_diff_item *)((const char *)v->items +
	                                  i * v->item_size);
}

void strata_verify_free(strata_verify *pub)
{
	struct verify_priv *v = (struct verify_priv *)pub;

	if (!v)
		return;
	strata__pool_free(&v->pool); /* items too */
	free(v);
}
