/* A session: config, driver, connection, and the migration lock. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "runner.h"

void strata__emit(strata *s, strata_event_kind kind, const char *version,
                  const char *id, const char *name, const char *source,
                  int steps, int64_t duration_ms, const char *detail)
{
	strata_event ev;

	if (!s->on_event)
		return;
	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.version = version;
	ev.id = id;
	ev.name = name;
	ev.source = source;
	ev.steps = steps;
	ev.duration_ms = duration_ms;
	ev.detail = detail;
	strata__emit_ev(s, &ev);
}

void strata__emit_ev(strata *s, strata_event *ev)
{
	if (!s->on_event)
		return;
	ev->struct_size = sizeof(*ev);
	s->on_event(s->event_ctx, ev);
}

int strata__drv_fail_rc(strata *s, int drv_rc, strata_error *err,
                        const strata_dberr *de, const char *what)
{
	int code = drv_rc == STRATA_DRV_CONFIG ? STRATA_EUSAGE : STRATA_EFAIL;
	strata_dberr clean = *de;
	char *msg = strata__scrub_url(de->message, &s->url.url);

	snprintf(clean.message, sizeof(clean.message), "%s", msg);
	free(msg);
	strata__err(err, code, "%s", what);
	strata__err_db(err, &clean);
	return code;
}

int strata__drv_fail(strata *s, strata_error *err, const strata_dberr *de,
                     const char *what)
{
	return strata__drv_fail_rc(s, STRATA_DRV_ERROR, err, de, what);
}

int strata__run_init_sql(strata *s, strata_conn *c, strata_error *err)
{
	const char *sql = strata_config_init_sql(s->cfg);
	strata__stmts st;
	strata_dberr de;
	size_t i;
	int rc;

	if (!sql || !*sql)
		return STRATA_OK;
	rc = strata__split(&st, sql, strlen(sql), s->split_flags, "init_sql",
	                   err);
	for (i = 0; rc == STRATA_OK && i < st.count; i++) {
		memset(&de, 0, sizeof(de));
		if (strata__drv_exec(s, c, st.items[i].sql, &de) !=
		    STRATA_DRV_OK) {
			char *what = strata__printf("init_sql statement %zu "
			                            "failed on %s",
			                            i + 1, s->target);
			rc = strata__drv_fail(s, err, &de, what);
			free(what);
		}
	}
	strata__stmts_free(&st);
	return rc;
}

/* A driver failure on target: "<what> <target>". */
static int fail_on(strata *s, int drv_rc, const strata_dberr *de,
                   const char *what, strata_error *err)
{
	char *msg = strata__printf("%s %s", what, s->target);
	int rc = strata__drv_fail_rc(s, drv_rc, err, de, msg);

	free(msg);
	return rc;
}

static int drv_connect(strata *s, strata_conn **out, strata_dberr *de)
{
	unsigned flags =
	        strata__config_no_create(s->cfg) ? STRATA_CONNECT_NO_CREATE : 0;

	return strata__drv_connect(s, out, flags, de);
}

/* After init_sql: the driver makes the session fit for migrating and says
 * how its settings change the statement grammar. */
static int session_setup(strata *s, strata_conn *c, strata_error *err)
{
	unsigned flags = s->drv->dialect->split_flags;
	strata_dberr de;
	int rc;

	memset(&de, 0, sizeof(de));
	rc = strata__drv_session_setup(s, c, &flags, &de);
	if (rc != STRATA_DRV_OK)
		return fail_on(s, rc, &de, "cannot set up the session on", err);
	s->split_flags = flags;
	return STRATA_OK;
}

static int connect_one(strata *s, strata_conn **out, strata_error *err)
{
	strata_dberr de;
	int rc;

	memset(&de, 0, sizeof(de));
	rc = drv_connect(s, out, &de);
	if (rc != STRATA_DRV_OK) {
		*out = NULL;
		return fail_on(s, rc, &de, "cannot connect to", err);
	}
	rc = strata__run_init_sql(s, *out, err);
	if (!rc)
		rc = session_setup(s, *out, err);
	if (rc) {
		strata__drv_close(s, *out);
		*out = NULL;
	}
	return rc;
}

/* The driver that declares the URL's scheme (loader.c), then the rest of
 * the URL read in the form that driver declares. A bare path is a file
 * for the driver of STRATA__BARE_SCHEME. */
static int pick_driver(strata *s, const char *url, strata_error *err)
{
	char *scheme = strata__url_scheme(url);
	int rc = strata__plugin_load(&s->plugin,
	                             scheme ? scheme : STRATA__BARE_SCHEME,
	                             strata__config_plugin_path(s->cfg), err);

	free(scheme);
	if (rc)
		return rc;
	s->drv = strata__plugin_driver(s->plugin);
	s->file_names = strata__drv_file_names(s->drv, s->file_names_buf);
	rc = strata__url_parse_as(&s->url, url, s->drv->url_form, err);
	if (!rc)
		s->password = strata__strdup(s->url.url.password);
	return rc;
}

/*
 * Pin the history table to the schema (database) it resolves in right
 * after init_sql: a migration that changes search_path (USE on MySQL), or
 * creates the schema "$user" names, must not move the history writes. A
 * qualified name is passed too: the driver pins introspection to it.
 */
static int pin_history(strata *s, strata_error *err)
{
	const char *conf = strata_config_table(s->cfg);
	const char *dot = strchr(conf, '.');
	char q = s->drv->dialect->ident_quote;
	char *given = dot ? strata__strndup(conf, (size_t)(dot - conf)) : NULL;
	char *schema = NULL;
	strata_dberr de;
	int rc = STRATA_OK;

	s->hist_table = strata__strdup(dot ? dot + 1 : conf);
	memset(&de, 0, sizeof(de));
	rc = strata__drv_current_schema(s, s->conn, given, s->hist_table,
	                                &schema, &de);
	if (rc != STRATA_DRV_OK)
		rc = fail_on(s, rc, &de,
		             "cannot find the history table's schema on", err);
	if (!rc && !schema && given)
		schema = strata__strdup(given);
	free(given);
	if (rc) {
		free(schema);
		return rc;
	}
	s->hist_schema = schema;
	s->table_name = schema ? strata__printf("%s.%s", schema, s->hist_table)
	                       : strata__strdup(s->hist_table);
	s->table_quoted = strata__ident_quote_in(schema, s->hist_table, q);
	if (!s->table_quoted) /* refused by the quoting itself */
		return strata__table_check(s->hist_table, NULL, err);
	return STRATA_OK;
}

int strata_open(strata **out, const strata_config *cfg, strata_error *err)
{
	strata *s;
	const char *url = strata_config_url(cfg);
	int rc;

	*out = NULL;
	rc = strata_global_init(err);
	if (rc)
		return rc;
	if (!url || !*url)
		return strata__err(err, STRATA_EUSAGE,
		                   "no database URL: set url in strata.ini, "
		                   "STRATA_URL or DATABASE_URL, or pass --url");
	/* The name goes into SQL: refused before anything connects (or
	 * creates a SQLite file), whichever way the config was made. */
	rc = strata__table_check(strata_config_table(cfg), NULL, err);
	if (rc)
		return rc;
	s = strata__calloc(1, sizeof(*s));
	s->cfg = cfg;
	s->target = strata_url_redact(url);
	rc = pick_driver(s, url, err);
	if (!rc) {
		s->split_flags = s->drv->dialect->split_flags;
		rc = connect_one(s, &s->conn, err);
	}
	if (!rc)
		rc = pin_history(s, err);
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
	s->lock_hold = 0;
	strata__unlock(s);
	strata__source_end(s);
	if (s->conn)
		strata__drv_close(s, s->conn);
	strata__source_free(&s->src);
	strata__sumcache_close(s->sums);
	free(s->cache_dir);
	strata__plugin_free(s->plugin);
	strata__url_free(&s->url);
	free(s->password);
	free(s->target);
	free(s->table_quoted);
	free(s->table_name);
	free(s->hist_schema);
	free(s->hist_table);
	free(s);
}

void strata_set_checksum_cache(strata *s, const char *dir)
{
	strata__source_end(s);
	free(s->cache_dir);
	s->cache_dir = dir && *dir ? strata__strdup(dir) : NULL;
	strata__sumcache_close(s->sums);
	s->sums = NULL;
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
	return strata__drv_server_version(s, s->conn);
}

const char *strata__file_for(const strata *s, const strata__migration *m,
                             int up)
{
	return strata__migration_file_in(m, up, s->file_names);
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
	return fail_on(s, rc, de, "cannot take the migration lock on", err);
}

/*
 * While strata waited for the lock, the migration session sat idle, maybe
 * long enough for an idle timeout to close it: if so, open a new one, with
 * init_sql again, and pin its schema as on the first.
 */
static int revive_conn(strata *s, strata_error *err)
{
	strata_conn *c = NULL;
	char *schema = NULL;
	strata_dberr de;
	int rc;

	memset(&de, 0, sizeof(de));
	if (strata__drv_exec(s, s->conn, "SELECT 1", &de) == STRATA_DRV_OK)
		return STRATA_OK;
	rc = connect_one(s, &c, err);
	if (rc)
		return rc;
	strata__drv_close(s, s->conn);
	s->conn = c;
	s->lock_guarded = 0;
	/* The pinned name, not a new resolution: only pins introspection. */
	strata__drv_current_schema(s, s->conn, s->hist_schema, s->hist_table,
	                           &schema, &de);
	free(schema);
	return STRATA_OK;
}

/* The lock lives on its own session so that nothing the migrations do
 * (DDL with implicit commits, failed transactions) can release it. */
/* Only commands that write take the lock: on a replica they would fail
 * half-way at best, and the lock there guards nothing (the primary's
 * deployers take theirs on the primary). */
static int refuse_standby(strata *s, strata_error *err)
{
	strata_dberr de;
	int standby = 0;

	memset(&de, 0, sizeof(de));
	if (strata__drv_standby(s, s->conn, &standby, &de) != STRATA_DRV_OK)
		return strata__drv_fail(s, err, &de,
		                        "cannot tell whether the target is a "
		                        "standby");
	if (!standby)
		return STRATA_OK;
	return strata__err(err, STRATA_EUSAGE,
	                   "%s is a read-only standby (a replica in recovery "
	                   "that follows a primary): migrations change the "
	                   "schema, so run them against the primary; status "
	                   "and check work here",
	                   s->target);
}

/* Where the driver can, each commit of a migration checks the lock in its
 * own round trip instead of one before it (strata__lock_check); where it
 * cannot, or its check fails now, the commits go as before. */
static void arm_guard(strata *s)
{
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	s->lock_guarded =
	        strata__drv_lock_guard(s, s->conn, s->lock_conn, s->table_name,
	                               &de) == STRATA_DRV_OK;
}

int strata__lock(strata *s, strata_error *err)
{
	const char *name = s->table_name;
	unsigned timeout = (unsigned)strata_config_lock_timeout(s->cfg) * 1000;
	strata_dberr de;
	int rc, waited = 0;

	if (s->lock_conn)
		return STRATA_OK;
	rc = refuse_standby(s, err);
	if (!rc)
		rc = connect_one(s, &s->lock_conn, err);
	if (rc)
		return rc;
	memset(&de, 0, sizeof(de));
	rc = strata__drv_lock(s, s->lock_conn, name, 0, &de);
	if (rc == STRATA_DRV_TIMEOUT && timeout > 0) {
		strata__emit(s, STRATA_EV_LOCK_WAIT, NULL, NULL, NULL, NULL, 0,
		             strata_config_lock_timeout(s->cfg) * 1000LL,
		             s->target);
		rc = strata__drv_lock(s, s->lock_conn, name, timeout, &de);
		waited = 1;
	}
	if (rc != STRATA_DRV_OK) {
		rc = lock_failed(s, rc, &de, err);
		strata__drv_close(s, s->lock_conn);
		s->lock_conn = NULL;
		return rc;
	}
	rc = waited ? revive_conn(s, err) : STRATA_OK;
	if (rc)
		strata__unlock(s);
	else
		arm_guard(s);
	return rc;
}

void strata__unlock(strata *s)
{
	strata_dberr de;

	if (!s->lock_conn || s->lock_hold)
		return;
	s->lock_guarded = 0;
	memset(&de, 0, sizeof(de));
	strata__drv_unlock(s, s->lock_conn, s->table_name, &de);
	strata__drv_close(s, s->lock_conn);
	s->lock_conn = NULL;
}

/*
 * The lock session can be closed under us (idle timeouts, a proxy, an
 * administrator); then another strata may already be migrating. Checked
 * before every migration and before every commit of one.
 */
int strata__lock_check(strata *s, const char *stopped, const char *id,
                       strata_error *err)
{
	strata_dberr de;
	char *why;
	int rc;

	if (!s->lock_conn)
		return STRATA_OK;
	memset(&de, 0, sizeof(de));
	rc = strata__drv_lock_check(s, s->lock_conn, s->table_name, &de);
	if (rc == STRATA_DRV_OK)
		return STRATA_OK;
	why = strata__scrub_url(de.message[0] ? de.message : "no reason given",
	                        &s->url.url);
	strata__err(err, STRATA_EFAIL,
	            "lost the migration lock on %s (%s): %s%s%s; another "
	            "strata may be migrating now",
	            s->target, why, stopped ? stopped : "stopped",
	            id ? " " : "", id ? id : "");
	free(why);
	return STRATA_EFAIL;
}

/*
 * After a script that ran outside a transaction (rc: how it went): a
 * transaction it left open (or autocommit turned off) would swallow the
 * history writes that follow and be rolled back at disconnect, so
 * "applied", or the failure, would not last. Roll it back (the driver also
 * turns autocommit back on); a script that succeeded has failed.
 */
int strata__check_open_tx(strata *s, int rc, const char *path,
                          strata_error *err)
{
	if (strata__drv_in_transaction(s, s->conn) != 1)
		return rc;
	strata__rollback(s);
	if (rc)
		return rc;
	return strata__err_at(err, STRATA_EFAIL, path, 0,
	                      "the script left a transaction open or turned "
	                      "autocommit off: strata cannot record it "
	                      "durably, so that transaction was rolled back; "
	                      "commit every transaction the script begins "
	                      "and leave autocommit on");
}
