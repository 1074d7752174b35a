/*
 * Every call from the core into a driver goes through this file (as in
 * libgit2's refdb.c and curl's vtls.c). Here, and only here:
 *
 * - the required members are listed (one table: the loader checks it, and
 *   strata-driver(7) lists the same set);
 * - optional members are tested with STRATA_DRV_HAS, with the fallback
 *   the ABI documents when a driver lacks one;
 * - a failure is normalised: an unknown return code is STRATA_DRV_ERROR,
 *   and an error without a message gets one naming the driver and the
 *   operation;
 * - the per-process init hook runs, once per driver.
 *
 * A trace of driver calls, if ever wanted, belongs here too: done() sees
 * the outcome of every operation that returns a code.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define REQ(member, is_op)                                                     \
	{                                                                      \
		offsetof(strata_driver, member),                               \
		        sizeof(((const strata_driver *)0)->member), #member,   \
		        is_op                                                  \
	}

/* The members a driver must set; every other one may be NULL. */
static const struct required {
	size_t off, size;
	const char *name;
	int is_op; /* an operation (function), else data */
} required[] = {
        REQ(name, 0),    REQ(version, 0),      REQ(schemes, 0),
        REQ(dialect, 0), REQ(connect, 1),      REQ(close, 1),
        REQ(exec, 1),    REQ(query, 1),        REQ(begin, 1),
        REQ(commit, 1),  REQ(rollback, 1),     REQ(lock, 1),
        REQ(unlock, 1),  REQ(table_exists, 1), REQ(introspect, 1),
};

/* Whether the member at [off, off + size) is within the driver's struct
 * and set (NULL pointers are all zero bits on every platform strata runs
 * on; reading the bytes avoids converting function pointers). */
static int member_set(const strata_driver *d, size_t off, size_t size)
{
	const unsigned char *p = (const unsigned char *)d + off;
	size_t i;

	if (d->struct_size < off + size)
		return 0;
	for (i = 0; i < size; i++)
		if (p[i])
			return 1;
	return 0;
}

char *strata__drv_check(const strata_driver *d)
{
	size_t i;

	for (i = 0; i < sizeof(required) / sizeof(required[0]); i++)
		if (!member_set(d, required[i].off, required[i].size))
			return strata__printf(
			        "driver vtable lacks required %s '%s'",
			        required[i].is_op ? "operation" : "member",
			        required[i].name);
	if (!d->schemes[0])
		return strata__strdup("driver declares no URL schemes");
	if (d->url_form != STRATA_URL_SERVER && d->url_form != STRATA_URL_FILE)
		return strata__printf("driver declares an unknown url_form %d",
		                      d->url_form);
	if (!d->dialect->name)
		return strata__strdup("driver dialect has no name");
	if (!d->dialect->ident_quote)
		return strata__strdup("driver dialect has no ident_quote");
	if (d->dialect->param_style != STRATA_PARAM_QMARK &&
	    d->dialect->param_style != STRATA_PARAM_DOLLAR)
		return strata__printf("driver dialect has an unknown "
		                      "param_style %d",
		                      d->dialect->param_style);
	return NULL;
}

int strata__drv_handles(const strata_driver *d, const char *scheme)
{
	const char *const *sc;

	for (sc = d->schemes; *sc; sc++)
		if (!strcmp(*sc, scheme))
			return 1;
	return 0;
}

char *strata__drv_schemes(const strata_driver *d, const char *sep)
{
	strata__buf b = STRATA__BUF_INIT;
	const char *const *sc;

	for (sc = d->schemes; *sc; sc++)
		strata__buf_printf(&b, "%s%s", sc == d->schemes ? "" : sep,
		                   *sc);
	return strata__buf_detach(&b);
}

const char *const *strata__drv_file_names(const strata_driver *d,
                                          const char *buf[2])
{
	if (STRATA_DRV_HAS(d, file_names) && d->file_names[0])
		return d->file_names;
	buf[0] = d->name;
	buf[1] = NULL;
	return buf;
}

/*
 * The outcome of init, per driver, for the life of the process. Keyed by
 * the vtable's address: a driver is made resident before its init runs
 * (loader.c), so the address is never reused by another module.
 */
typedef struct init_rec {
	const strata_driver *drv;
	char *why; /* NULL: init succeeded (or there is none) */
	struct init_rec *next;
} init_rec;

static pthread_mutex_t init_mu = PTHREAD_MUTEX_INITIALIZER;
static init_rec *inits;

char *strata__drv_init(const strata_driver *d)
{
	init_rec *r;
	char *why = NULL;

	pthread_mutex_lock(&init_mu);
	for (r = inits; r && r->drv != d; r = r->next)
		;
	if (!r) {
		r = strata__calloc(1, sizeof(*r));
		r->drv = d;
		if (STRATA_DRV_HAS(d, init)) {
			strata_dberr de;
			int rc;

			memset(&de, 0, sizeof(de));
			rc = d->init(&de);
			if (rc == STRATA_DRV_NOMEM)
				strata__oom();
			if (rc != STRATA_DRV_OK)
				r->why = strata__printf(
				        "init failed: %s",
				        de.message[0] ? de.message
				                      : "no reason given");
		}
		r->next = inits;
		inits = r;
	}
	why = strata__strdup(r->why);
	pthread_mutex_unlock(&init_mu);
	return why;
}

static int known_rc(int rc)
{
	switch (rc) {
	case STRATA_DRV_OK:
	case STRATA_DRV_ERROR:
	case STRATA_DRV_TIMEOUT:
	case STRATA_DRV_NOMEM:
	case STRATA_DRV_CONFIG:
	case STRATA_DRV_LOST:
		return 1;
	default:
		return 0;
	}
}

/* Every operation's return code passes here. */
static int done(const strata_driver *d, const char *op, int rc,
                strata_dberr *de)
{
	if (rc == STRATA_DRV_OK)
		return rc;
	if (rc == STRATA_DRV_NOMEM)
		strata__oom(); /* the one policy: see docs/embedding.md */
	if (!known_rc(rc))
		rc = STRATA_DRV_ERROR;
	if (de && !de->message[0] && rc != STRATA_DRV_TIMEOUT)
		snprintf(de->message, sizeof(de->message),
		         "driver '%s' failed in %s without saying why", d->name,
		         op);
	return rc;
}

int strata__drv_connect(strata *s, strata_conn **out, unsigned flags,
                        strata_dberr *de)
{
	int rc;

	*out = NULL;
	rc = done(s->drv, "connect",
	          s->drv->connect(out, &s->url.url, flags, de), de);
	if (rc != STRATA_DRV_OK)
		*out = NULL;
	return rc;
}

void strata__drv_close(strata *s, strata_conn *c)
{
	if (c)
		s->drv->close(c);
}

/* Absent, or no answer: "". */
const char *strata__drv_server_version(const strata *s, strata_conn *c)
{
	const char *v = NULL;

	if (STRATA_DRV_HAS(s->drv, server_version))
		v = s->drv->server_version(c);
	return v ? v : "";
}

/* Absent: OK, flags unchanged. */
int strata__drv_session_setup(strata *s, strata_conn *c, unsigned *flags,
                              strata_dberr *de)
{
	unsigned f = *flags;
	int rc;

	if (!STRATA_DRV_HAS(s->drv, session_setup))
		return STRATA_DRV_OK;
	rc = done(s->drv, "session_setup", s->drv->session_setup(c, &f, de),
	          de);
	if (rc == STRATA_DRV_OK)
		*flags = f;
	return rc;
}

int strata__drv_exec(strata *s, strata_conn *c, const char *sql,
                     strata_dberr *de)
{
	return done(s->drv, "exec", s->drv->exec(c, sql, de), de);
}

int strata__drv_query(strata *s, strata_conn *c, const char *sql,
                      const strata_value *params, int nparams, strata_row_fn fn,
                      void *fn_ctx, strata_dberr *de)
{
	return done(s->drv, "query",
	            s->drv->query(c, sql, params, nparams, fn, fn_ctx, de), de);
}

int strata__drv_begin(strata *s, strata_conn *c, strata_dberr *de)
{
	return done(s->drv, "begin", s->drv->begin(c, de), de);
}

int strata__drv_commit(strata *s, strata_conn *c, strata_dberr *de)
{
	return done(s->drv, "commit", s->drv->commit(c, de), de);
}

int strata__drv_rollback(strata *s, strata_conn *c, strata_dberr *de)
{
	return done(s->drv, "rollback", s->drv->rollback(c, de), de);
}

/* Absent: -1 (unknown). */
int64_t strata__drv_changes(strata *s, strata_conn *c)
{
	return STRATA_DRV_HAS(s->drv, changes) ? s->drv->changes(c) : -1;
}

/* STRATA_BATCH_ONE_ROW checked by the core; an unknown count passes. */
static int one_row(const strata_batch_item *it, strata_dberr *de)
{
	if (it->changes < 0 || it->changes == 1)
		return STRATA_DRV_OK;
	memset(de, 0, sizeof(*de));
	snprintf(de->message, sizeof(de->message), "changed %lld rows, not 1",
	         (long long)it->changes);
	return STRATA_DRV_ERROR;
}

/* Without the driver's batch: one round trip per statement. */
static int batch_each(strata *s, strata_conn *c, strata_batch_item *items,
                      size_t n, unsigned flags, size_t *failed,
                      strata_dberr *de)
{
	size_t i;
	int rc = STRATA_DRV_OK;

	*failed = SIZE_MAX;
	if (flags & STRATA_BATCH_BEGIN)
		rc = strata__drv_begin(s, c, de);
	for (i = 0; rc == STRATA_DRV_OK && i < n; i++) {
		*failed = i;
		rc = strata__drv_query(s, c, items[i].sql, items[i].params,
		                       items[i].nparams, NULL, NULL, de);
		items[i].changes = strata__drv_changes(s, c);
		if (rc == STRATA_DRV_OK && (flags & STRATA_BATCH_ONE_ROW))
			rc = one_row(&items[i], de);
	}
	if (rc == STRATA_DRV_OK && (flags & STRATA_BATCH_COMMIT)) {
		*failed = n;
		rc = strata__drv_commit(s, c, de);
	}
	return rc;
}

int strata__drv_batch(strata *s, strata_conn *c, strata_batch_item *items,
                      size_t n, unsigned flags, size_t *failed,
                      strata_dberr *de)
{
	const strata_driver *d = s->drv;
	unsigned late =
	        flags & STRATA_BATCH_ONE_ROW & ~STRATA_DRV_BATCH_FLAGS(d);
	unsigned flags_sent;
	size_t i;
	int rc;

	/* Only an armed session of a driver that honours it gets LOCKED
	 * (strata__drv_lock_guard); the caller checked the lock otherwise. */
	flags &= ~(STRATA_BATCH_LOCKED & ~STRATA_DRV_BATCH_FLAGS(d));
	for (i = 0; i < n; i++)
		items[i].changes = -1;
	*failed = SIZE_MAX;
	if (!STRATA_DRV_HAS(d, batch))
		return batch_each(s, c, items, n, flags, failed, de);
	if (!late)
		return done(d, "batch",
		            d->batch(c, items, n, flags, failed, de), de);
	/* The counts are checked here, so the COMMIT waits for them. */
	flags_sent = flags & ~(STRATA_BATCH_ONE_ROW | STRATA_BATCH_COMMIT);
	rc = done(d, "batch", d->batch(c, items, n, flags_sent, failed, de),
	          de);
	for (i = 0; rc == STRATA_DRV_OK && i < n; i++)
		if ((rc = one_row(&items[i], de)) != STRATA_DRV_OK)
			*failed = i;
	if (rc == STRATA_DRV_OK && (flags & STRATA_BATCH_COMMIT)) {
		*failed = n;
		rc = strata__drv_commit(s, c, de);
	}
	return rc;
}

/* Absent: -1 (unknown). */
int strata__drv_in_transaction(strata *s, strata_conn *c)
{
	return STRATA_DRV_HAS(s->drv, in_transaction)
	               ? s->drv->in_transaction(c)
	               : -1;
}

int strata__drv_lock(strata *s, strata_conn *c, const char *name,
                     unsigned timeout_ms, strata_dberr *de)
{
	return done(s->drv, "lock", s->drv->lock(c, name, timeout_ms, de), de);
}

int strata__drv_unlock(strata *s, strata_conn *c, const char *name,
                       strata_dberr *de)
{
	return done(s->drv, "unlock", s->drv->unlock(c, name, de), de);
}

/* Whether c's commits can check the lock held by lock_c themselves
 * (STRATA_BATCH_LOCKED): STRATA_DRV_OK once armed. */
int strata__drv_lock_guard(strata *s, strata_conn *c, strata_conn *lock_c,
                           const char *name, strata_dberr *de)
{
	const strata_driver *d = s->drv;

	if (!(STRATA_DRV_BATCH_FLAGS(d) & STRATA_BATCH_LOCKED) ||
	    !STRATA_DRV_HAS(d, lock_guard) || !STRATA_DRV_HAS(d, batch))
		return STRATA_DRV_ERROR;
	return done(d, "lock_guard", d->lock_guard(c, lock_c, name, de), de);
}

/* Absent: OK (the lock cannot be lost). */
int strata__drv_lock_check(strata *s, strata_conn *c, const char *name,
                           strata_dberr *de)
{
	if (!STRATA_DRV_HAS(s->drv, lock_check))
		return STRATA_DRV_OK;
	return done(s->drv, "lock_check", s->drv->lock_check(c, name, de), de);
}

/* Absent: OK with *out NULL (no schemas). */
int strata__drv_current_schema(strata *s, strata_conn *c, const char *schema,
                               const char *table, char **out, strata_dberr *de)
{
	int rc;

	*out = NULL;
	if (!STRATA_DRV_HAS(s->drv, current_schema))
		return STRATA_DRV_OK;
	rc = done(s->drv, "current_schema",
	          s->drv->current_schema(c, schema, table, out, de), de);
	if (rc != STRATA_DRV_OK) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int strata__drv_table_exists(strata *s, strata_conn *c, const char *schema,
                             const char *table, int *exists, strata_dberr *de)
{
	*exists = 0;
	return done(s->drv, "table_exists",
	            s->drv->table_exists(c, schema, table, exists, de), de);
}

static int skip_index(void *ctx, const char *table, const char *index,
                      int unique, int primary, const char *columns)
{
	(void)ctx, (void)table, (void)index, (void)unique, (void)primary;
	(void)columns;
	return 0;
}

static int skip_fk(void *ctx, const char *table, const char *name,
                   const char *columns, const char *ref_table,
                   const char *ref_columns, const char *on_delete,
                   const char *on_update)
{
	(void)ctx, (void)table, (void)name, (void)columns, (void)ref_table;
	(void)ref_columns, (void)on_delete, (void)on_update;
	return 0;
}

static int skip_object(void *ctx, const char *kind, const char *name,
                       const char *table)
{
	(void)ctx, (void)kind, (void)name, (void)table;
	return 0;
}

/* NULL members of the sink mean "not wanted" to a driver that says it
 * takes them (ABI 2.6); any other calls every member, so it gets ones that
 * ignore the report. */
static int takes_partial(const strata_driver *d)
{
	return d->struct_size >= offsetof(strata_driver, introspect_flags) +
	                                 sizeof(d->introspect_flags) &&
	       (d->introspect_flags & STRATA_INTROSPECT_PARTIAL);
}

int strata__drv_introspect(const strata_driver *d, strata_conn *c,
                           const strata_schema_sink *sink, strata_dberr *de)
{
	strata_schema_sink full = *sink;

	if (!takes_partial(d)) {
		full.index = full.index ? full.index : skip_index;
		full.foreign_key =
		        full.foreign_key ? full.foreign_key : skip_fk;
		full.object = full.object ? full.object : skip_object;
	}
	return done(d, "introspect", d->introspect(c, &full, de), de);
}

typedef struct split_ctx {
	strata__stmts *out;
} split_ctx;

static int split_stmt(void *ctx, const char *stmt, size_t len, int line)
{
	split_ctx *sc = ctx;
	strata__stmt *it;

	/* The core's splitter trims trailing blanks too; a statement that is
	 * only blanks is none. */
	while (len > 0 && isspace((unsigned char)stmt[len - 1]))
		len--;
	if (len == 0)
		return 0;
	sc->out->items = strata__realloc(
	        sc->out->items, (sc->out->count + 1) * sizeof(strata__stmt));
	it = &sc->out->items[sc->out->count++];
	it->sql = strata__strndup(stmt, len);
	it->line = line > 0 ? line : 1;
	return 0;
}

/* Absent: the core's splitter with flags. */
int strata__drv_split(const strata_driver *d, strata__stmts *out,
                      const char *sql, size_t len, unsigned flags,
                      const char *file, strata_error *err)
{
	split_ctx sc;
	strata_dberr de;
	char *text;
	int rc, line = 0;

	if (!d || !STRATA_DRV_HAS(d, split))
		return strata__split(out, sql, len, flags, file, err);
	memset(out, 0, sizeof(*out));
	memset(&de, 0, sizeof(de));
	sc.out = out;
	/* The ABI promises a NUL after the text. */
	text = strata__strndup(sql, len);
	rc = done(d, "split", d->split(text, len, split_stmt, &sc, &line, &de),
	          &de);
	free(text);
	if (rc == STRATA_DRV_OK)
		return STRATA_OK;
	strata__stmts_free(out);
	return strata__err_at(err, STRATA_EUSAGE, file, line > 0 ? line : 0,
	                      "%s", de.message);
}

/* ABI 2.2. Absent analyze: STRATA_DRV_OK with *present = 0, and the core's
 * tokenizer reads the statement instead. */
int strata__drv_analyze(const strata_driver *d, const char *stmt, size_t len,
                        strata_action_fn fn, void *ctx, int *present,
                        strata_dberr *de)
{
	*present = d && STRATA_DRV_HAS(d, analyze);
	if (!*present)
		return STRATA_DRV_OK;
	return done(d, "analyze", d->analyze(stmt, len, fn, ctx, de), de);
}

/* Absent prepare: *present = 0 (nothing can be said about the statement). */
int strata__drv_prepare(const strata_driver *d, strata_conn *c, const char *sql,
                        int *present, strata_dberr *de)
{
	*present = d && STRATA_DRV_HAS(d, prepare);
	if (!*present)
		return STRATA_DRV_OK;
	return done(d, "prepare", d->prepare(c, sql, de), de);
}

/* Absent prepare_many: prepare() for each, one round trip apiece. */
int strata__drv_prepare_many(const strata_driver *d, strata_conn *c,
                             const char *const *sqls, size_t n,
                             size_t *rejected, strata_dberr *de)
{
	size_t i;
	int rc = STRATA_DRV_OK, present;

	*rejected = n;
	if (STRATA_DRV_HAS(d, prepare_many))
		return done(d, "prepare_many",
		            d->prepare_many(c, sqls, n, rejected, de), de);
	for (i = 0; rc == STRATA_DRV_OK && i < n; i++)
		if ((rc = strata__drv_prepare(d, c, sqls[i], &present, de)) !=
		    STRATA_DRV_OK)
			*rejected = i;
	return rc;
}

/* Absent standby: never one. */
int strata__drv_standby(strata *s, strata_conn *c, int *standby,
                        strata_dberr *de)
{
	*standby = 0;
	if (!STRATA_DRV_HAS(s->drv, standby))
		return STRATA_DRV_OK;
	return done(s->drv, "standby", s->drv->standby(c, standby, de), de);
}

/* Absent table_rows: -1 (no estimate). */
int strata__drv_table_rows(const strata_driver *d, strata_conn *c,
                           const char *table, int64_t *rows, strata_dberr *de)
{
	*rows = -1;
	if (!d || !STRATA_DRV_HAS(d, table_rows))
		return STRATA_DRV_OK;
	return done(d, "table_rows", d->table_rows(c, table, rows, de), de);
}

/* Absent catalog: *present = 0 (the full introspection must be read). */
int strata__drv_catalog(const strata_driver *d, strata_conn *c,
                        strata_row_fn fn, void *ctx, int *present,
                        strata_dberr *de)
{
	*present = d && STRATA_DRV_HAS(d, catalog);
	if (!*present)
		return STRATA_DRV_OK;
	return done(d, "catalog", d->catalog(c, fn, ctx, de), de);
}

/* Absent introspect_detail: nothing more is reported. */
int strata__drv_introspect_detail(const strata_driver *d, strata_conn *c,
                                  const strata_detail_sink *sink,
                                  strata_dberr *de)
{
	if (!d || !STRATA_DRV_HAS(d, introspect_detail))
		return STRATA_DRV_OK;
	return done(d, "introspect_detail", d->introspect_detail(c, sink, de),
	            de);
}
