/* A session: config, driver, connection, and the migration lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void strata__emit(strata *s, strata_event_kind kind, int64_t version,
                  const char *name, const char *source, int steps,
                  int64_t duration_ms, const char *detail)
{
	strata_event ev;

	if (!s->on_event)
		return;
	ev.kind = kind;
	ev.version = version;
	ev.name = name;
	ev.source = source;
	ev.steps = steps;
	ev.duration_ms = duration_ms;
	ev.detail = detail;
	s->on_event(s->event_ctx, &ev);
}

int strata__drv_fail(strata *s, strata_error *err, const strata_dberr *de,
                     const char *what)
{
	strata_dberr clean = *de;
	char *msg = strata__scrub(de->message, s->password);

	snprintf(clean.message, sizeof(clean.message), "%s", msg);
	free(msg);
	strata__err(err, STRATA_EFAIL, "%s", what);
	strata__err_db(err, &clean);
	return STRATA_EFAIL;
}

int strata__run_init_sql(strata *s, strata_conn *c, strata_error *err)
{
	const char *sql = strata_config_init_sql(s->cfg);
	strata_stmts st;
	strata_dberr de;
	size_t i;
	int rc;

	if (!sql || !*sql)
		return STRATA_OK;
	rc = strata_split(&st, sql, strlen(sql), s->drv->dialect->split_flags,
	                  "init_sql", err);
	for (i = 0; rc == STRATA_OK && i < st.count; i++) {
		memset(&de, 0, sizeof(de));
		if (s->drv->exec(c, st.items[i].sql, &de) != STRATA_DRV_OK) {
			char *what = strata__printf("init_sql statement %zu "
			                            "failed on %s",
			                            i + 1, s->target);
			rc = strata__drv_fail(s, err, &de, what);
			free(what);
		}
	}
	strata_stmts_free(&st);
	return rc;
}

static int connect_one(strata *s, strata_conn **out, strata_error *err)
{
	strata_dberr de;
	int rc;

	memset(&de, 0, sizeof(de));
	if (s->drv->connect(out, &s->url.url, &de) != STRATA_DRV_OK) {
		char *what = strata__printf("cannot connect to %s", s->target);

		rc = strata__drv_fail(s, err, &de, what);
		free(what);
		*out = NULL;
		return rc;
	}
	rc = strata__run_init_sql(s, *out, err);
	if (rc) {
		s->drv->close(*out);
		*out = NULL;
	}
	return rc;
}

static int pick_driver(strata *s, strata_error *err)
{
	const char *name = strata__driver_for_scheme(s->url.url.scheme);
	const char *const *sc;
	int rc = strata_plugin_load(&s->plugin, name, err);

	if (rc)
		return rc;
	s->drv = strata_plugin_driver(s->plugin);
	for (sc = s->drv->schemes; sc && *sc; sc++)
		if (!strcmp(*sc, s->url.url.scheme))
			return STRATA_OK;
	return strata__err(err, STRATA_EUSAGE,
	                   "driver '%s' does not handle URL scheme '%s'", name,
	                   s->url.url.scheme);
}

int strata_open(strata **out, const strata_config *cfg, strata_error *err)
{
	strata *s;
	const char *url = strata_config_url(cfg);
	int rc;

	*out = NULL;
	if (!url || !*url)
		return strata__err(err, STRATA_EUSAGE,
		                   "no database URL: set url in strata.ini, "
		                   "STRATA_URL or DATABASE_URL, or pass --url");
	s = strata__calloc(1, sizeof(*s));
	s->cfg = (strata_config *)cfg;
	s->target = strata_url_redact(url);
	rc = strata__url_parse(&s->url, url, err);
	if (!rc) {
		s->password = strata__strdup(s->url.url.password);
		rc = pick_driver(s, err);
	}
	if (!rc) {
		s->table_quoted = strata__ident_quote(
		        strata_config_table(cfg), s->drv->dialect->ident_quote);
		rc = connect_one(s, &s->conn, err);
	}
	if (rc) {
		strata_close(s);
		return rc;
	}
	*out = s;
	return STRATA_OK;
}

void strata_close(strata *s)
{
	if (!s)
		return;
	strata__unlock(s);
	if (s->conn)
		s->drv->close(s->conn);
	strata_source_free(&s->src);
	strata_plugin_free(s->plugin);
	strata__url_free(&s->url);
	free(s->password);
	free(s->target);
	free(s->table_quoted);
	free(s);
}

void strata_set_event_fn(strata *s, strata_event_fn fn, void *ctx)
{
	s->on_event = fn;
	s->event_ctx = ctx;
}

const char *strata_driver_name(const strata *s)
{
	return s->drv->name;
}

const char *strata_target(const strata *s)
{
	return s->target;
}

const char *strata_server_version(const strata *s)
{
	const char *v =
	        s->drv->server_version ? s->drv->server_version(s->conn) : NULL;
	return v ? v : "";
}

int strata__source(strata *s, strata_error *err)
{
	if (s->src.dir)
		return STRATA_OK;
	return strata_source_load(&s->src, strata_config_migrations(s->cfg),
	                          err);
}

static int lock_failed(strata *s, int rc, const strata_dberr *de,
                       strata_error *err)
{
	if (rc == STRATA_DRV_TIMEOUT)
		return strata__err(err, STRATA_ELOCK,
		                   "another strata is migrating %s (waited %d "
		                   "s)",
		                   s->target,
		                   strata_config_lock_timeout(s->cfg));
	return strata__drv_fail(s, err, de, "cannot take the migration lock");
}

/* The lock lives on its own session so that nothing the migrations do
 * (DDL with implicit commits, failed transactions) can release it. */
int strata__lock(strata *s, strata_error *err)
{
	const char *name = strata_config_table(s->cfg);
	unsigned timeout = (unsigned)strata_config_lock_timeout(s->cfg) * 1000;
	strata_dberr de;
	int rc;

	if (s->lock_conn)
		return STRATA_OK;
	rc = connect_one(s, &s->lock_conn, err);
	if (rc)
		return rc;
	memset(&de, 0, sizeof(de));
	rc = s->drv->lock(s->lock_conn, name, 0, &de);
	if (rc == STRATA_DRV_TIMEOUT && timeout > 0) {
		strata__emit(s, STRATA_EV_LOCK_WAIT, 0, NULL, NULL, 0,
		             strata_config_lock_timeout(s->cfg) * 1000LL,
		             s->target);
		rc = s->drv->lock(s->lock_conn, name, timeout, &de);
	}
	if (rc != STRATA_DRV_OK) {
		rc = lock_failed(s, rc, &de, err);
		s->drv->close(s->lock_conn);
		s->lock_conn = NULL;
	}
	return rc;
}

void strata__unlock(strata *s)
{
	strata_dberr de;

	if (!s->lock_conn)
		return;
	memset(&de, 0, sizeof(de));
	if (s->drv->unlock)
		s->drv->unlock(s->lock_conn, strata_config_table(s->cfg), &de);
	s->drv->close(s->lock_conn);
	s->lock_conn = NULL;
}
