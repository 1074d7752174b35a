/*
 * strata lint: read the migrations with each target dialect's parser and
 * report what would lose data or lock a table (docs/lint.md).
 *
 * The migrations are read in version order, every one up to the last
 * selected, per dialect: the earlier ones are not reported on, but they
 * teach the rules which tables exist, their column types, and (SQLite)
 * build the scratch database the later ones are compiled against.
 */
#include <ctype.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "lint.h"
#include "runner.h"

#define DEFAULT_THRESHOLD 1000000

/* Where each name is last used: the migration's index, SIZE_MAX for
 * never drop. Names compare case-insensitively (SQLite's rule). */
typedef struct lastuse {
	char *name;
	size_t at;
} lastuse;

typedef struct usemap {
	lastuse *v;
	size_t cap, n;
} usemap;

/* One dialect the migrations are read for. */
typedef struct ldialect {
	const char *name; /* the driver's name */
	const strata_driver *drv;
	strata__plugin *plugin;   /* owned; NULL: the session's driver */
	const char *names_buf[2]; /* see names() */
	unsigned split_flags;
	strata__scan_dialect sd;
	strata__lschema schema;
	strata__act *seen;
	size_t nseen;
	int init_timeout; /* init_sql sets a lock timeout */
	/* SQLite: the scratch database built from the migrations. */
	strata *scratch;
	strata_conn *conn;
	int scratch_state; /* 0: not tried, 1: open, -1: none */
	int live_off;      /* a pending statement may change the grammar */
	strata__live live; /* the target's checks, sent ahead */
	usemap uses;       /* names' last use: tables no later file names
	                      are dropped from the scratch database */
	int planned;       /* uses was filled (plan_prune); else each file's
	                      tables are dropped after it */
	/* Each dialect is read on its own thread: what it finds and the
	 * down files it has read are its own until the threads are
	 * joined. */
	strata__lfinds f;
	struct downseen *downs;
	size_t ndowns;
} ldialect;

typedef struct fileuse {
	char *file;
	size_t n; /* dialects that read it */
} fileuse;

/* A down file's answer, read once per dialect. */
typedef struct downseen {
	const char *path; /* the source's own string */
	int has_stmts;
} downseen;

/* A file's text, read once for every dialect and every pass over it:
 * each read costs an open, a stat and a close, and a run reads each up
 * file once per dialect and once more for the scratch plan. */
typedef struct ltext {
	char *path;
	const char *text;
	size_t len;
	char *own; /* text when read here; NULL when lent (lint_refuse) */
} ltext;

typedef struct textcache {
	ltext **v; /* open addressing by path; NULL: free */
	size_t cap, n;
	pthread_mutex_t mu; /* the dialects' threads share it */
} textcache;

typedef struct lrun {
	strata *s;
	strata_lint_options o;
	const char *plugin_path;
	const strata__source *src;
	strata__source own_src;
	ldialect **d; /* each allocated once: a thread holds its own */
	size_t nd;
	strata__lfinds f;
	char *sel;     /* per migration: reported on */
	size_t upto;   /* migrations read: [0, upto) */
	fileuse *uses; /* open addressing by file; NULL file: free */
	size_t nuses, capuses;
	pthread_mutex_t uses_mu; /* the dialects' threads count uses */
	textcache texts;
} lrun;

/* ---- the names' last use ---- */

static lastuse *use_slot(usemap *m, const char *s, size_t n)
{
	size_t i = strata__hash(s, n, 1) & (m->cap - 1);

	while (m->v[i].name &&
	       (strlen(m->v[i].name) != n || strncasecmp(m->v[i].name, s, n)))
		i = (i + 1) & (m->cap - 1);
	return &m->v[i];
}

static void use_put(usemap *m, const char *s, size_t n, size_t at)
{
	lastuse *u;

	if (m->n * 2 >= m->cap) { /* grow: rehash into twice the room */
		usemap g = {NULL, m->cap ? m->cap * 2 : 256, 0};
		size_t i;

		g.v = strata__calloc(g.cap, sizeof(*g.v));
		for (i = 0; i < m->cap; i++)
			if (m->v[i].name) {
				*use_slot(&g, m->v[i].name,
				          strlen(m->v[i].name)) = m->v[i];
				g.n++;
			}
		free(m->v);
		*m = g;
	}
	u = use_slot(m, s, n);
	if (!u->name) {
		u->name = strata__strndup(s, n);
		m->n++;
	}
	if (u->at < at || u->at == 0)
		u->at = at;
}

/* 0: never named. */
static size_t use_get(usemap *m, const char *s)
{
	return m->cap ? use_slot(m, s, strlen(s))->at : 0;
}

static ltext **text_slot(textcache *c, const char *path)
{
	size_t i = strata__hash(path, strlen(path), 0) & (c->cap - 1);

	while (c->v[i] && strcmp(c->v[i]->path, path))
		i = (i + 1) & (c->cap - 1);
	return &c->v[i];
}

static void texts_grow(textcache *c)
{
	ltext **old = c->v;
	size_t i, cap = c->cap;

	c->cap = cap ? cap * 2 : 256;
	c->v = strata__calloc(c->cap, sizeof(*c->v));
	for (i = 0; i < cap; i++)
		if (old[i])
			*text_slot(c, old[i]->path) = old[i];
	free(old);
}

static ltext *text_find(textcache *c, const char *path)
{
	ltext *t;

	pthread_mutex_lock(&c->mu);
	t = c->cap ? *text_slot(c, path) : NULL;
	pthread_mutex_unlock(&c->mu);
	return t;
}

/* The entry for path, made from text (own: the buffer it takes, NULL when
 * text is lent) unless there is one; the caller holds c->mu or runs
 * before the threads. */
static ltext *text_put(textcache *c, const char *path, const char *text,
                       char **own, size_t len)
{
	ltext **slot;

	if (2 * (c->n + 1) > c->cap)
		texts_grow(c);
	slot = text_slot(c, path);
	if (!*slot) {
		*slot = strata__calloc(1, sizeof(**slot));
		(*slot)->path = strata__strdup(path);
		(*slot)->text = text;
		(*slot)->len = len;
		if (own) {
			(*slot)->own = *own;
			*own = NULL;
		}
		c->n++;
	}
	return *slot;
}

/* The text of path, read on first use by any dialect's thread; NULL if it
 * cannot be read (the caller's own read then reports why). An entry never
 * moves once made. */
static const ltext *text_of(textcache *c, const char *path)
{
	ltext *t = text_find(c, path);
	char *text = NULL;
	size_t len = 0;

	if (t)
		return t;
	if (strata__read_file(&text, &len, path, NULL))
		return NULL;
	pthread_mutex_lock(&c->mu);
	t = text_put(c, path, text, &text, len); /* or another thread's */
	pthread_mutex_unlock(&c->mu);
	free(text);
	return t;
}

/* Texts the caller read already. */
static void texts_lend(textcache *c, const strata__lint_text *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		text_put(c, k[i].path, k[i].text, NULL, k[i].len);
}

static void texts_free(textcache *c)
{
	size_t i;

	for (i = 0; i < c->cap; i++)
		if (c->v[i]) {
			free(c->v[i]->path);
			free(c->v[i]->own);
			free(c->v[i]);
		}
	free(c->v);
	c->v = NULL;
	c->cap = c->n = 0;
}

static void use_free(usemap *m)
{
	size_t i;

	for (i = 0; i < m->cap; i++)
		free(m->v[i].name);
	free(m->v);
	memset(m, 0, sizeof(*m));
}

/* ---- options, selection ---- */

static int read_opts(strata_lint_options *o, const strata_lint_options *in,
                     strata_error *err)
{
	memset(o, 0, sizeof(*o));
	o->version = STRATA_LINT_OPTIONS_VERSION;
	if (!in)
		return STRATA_OK;
	if (in->version == 0 || in->version > STRATA_LINT_OPTIONS_VERSION)
		return strata__err(err, STRATA_EUSAGE,
		                   "strata_lint_options version %u is not "
		                   "known to this library (initialise it with "
		                   "STRATA_LINT_OPTIONS_INIT)",
		                   in->version);
	*o = *in;
	return STRATA_OK;
}

static int select_versions(lrun *r, strata_error *err)
{
	size_t i, j;

	for (i = 0; i < r->o.nversions; i++) {
		const char *v = r->o.versions[i];
		int found = 0;

		for (j = 0; v && j < r->src->count; j++)
			if (!strata__version_cmp(r->src->items[j].version, v)) {
				r->sel[j] = 1;
				found = 1;
			}
		if (!found)
			return strata__err(err, STRATA_EUSAGE,
			                   "no migration %s in %s",
			                   v ? v : "(null)", r->src->dir);
	}
	return STRATA_OK;
}

static int select_pending(lrun *r, strata_error *err)
{
	strata_history *h = NULL;
	strata_status *st = NULL;
	const strata__migration *m;
	size_t i;
	int rc = strata__history_load(&h, r->s, err);

	if (!rc)
		rc = strata__status_pending(&st, r->s, h, err);
	for (i = 0; !rc && i < st->count; i++)
		if (st->items[i].state == STRATA_STATE_PENDING &&
		    (m = strata__source_find(r->src, st->items[i].version)))
			r->sel[m - r->src->items] = 1;
	strata_status_free(st);
	strata_history_free(h);
	return rc;
}

static int select_migrations(lrun *r, strata_error *err)
{
	size_t i;
	int rc = STRATA_OK;

	r->sel = strata__calloc(r->src->count + 1, 1);
	if (r->o.nversions)
		rc = select_versions(r, err);
	else if (r->o.all || !r->s)
		memset(r->sel, 1, r->src->count);
	else
		rc = select_pending(r, err);
	for (i = 0; i < r->src->count; i++)
		if (r->sel[i])
			r->upto = i + 1;
	return rc;
}

/* ---- dialects ---- */

static ldialect *add_dialect(lrun *r, const strata_driver *drv,
                             strata__plugin *p, unsigned flags)
{
	ldialect *d;
	size_t i;

	for (i = 0; i < r->nd; i++)
		if (!strcmp(r->d[i]->name, drv->name)) {
			strata__plugin_free(p);
			return r->d[i];
		}
	r->d = strata__realloc(r->d, (r->nd + 1) * sizeof(*r->d));
	d = r->d[r->nd++] = strata__calloc(1, sizeof(*d));
	d->name = drv->name;
	d->drv = drv;
	d->plugin = p;
	d->split_flags = flags;
	strata__scan_dialect_for(&d->sd, drv->dialect, flags);
	d->schema.ci = strcmp(d->sd.name, "postgres") != 0;
	return d;
}

/* The dialect's override-file names. */
static const char *const *names(ldialect *d)
{
	return strata__drv_file_names(d->drv, d->names_buf);
}

/* A driver by name (or URL scheme): the session's, or loaded. */
static int load_dialect(lrun *r, const char *name, int quiet, strata_error *err)
{
	strata__plugin *p = NULL;
	strata_error e2;
	int rc;

	if (r->s && (!strcmp(r->s->drv->name, name) ||
	             strata__drv_handles(r->s->drv, name))) {
		add_dialect(r, r->s->drv, NULL, r->s->split_flags);
		return STRATA_OK;
	}
	memset(&e2, 0, sizeof(e2));
	rc = strata__plugin_load(&p, name, r->plugin_path, &e2);
	if (rc) {
		if (!quiet)
			strata__err(err, STRATA_EUSAGE,
			            "unknown lint dialect '%s': %s", name,
			            e2.message ? e2.message : "no such driver");
		strata_error_clear(&e2);
		return quiet ? STRATA_OK : STRATA_EUSAGE;
	}
	add_dialect(r, strata__plugin_driver(p), p,
	            strata__plugin_driver(p)->dialect->split_flags);
	return STRATA_OK;
}

static int dialects_given(lrun *r, strata_error *err)
{
	const char *p = r->o.dialects;
	int rc = STRATA_OK;

	while (!rc && *p) {
		size_t n = strcspn(p, ", ");
		char *name = strata__strndup(p, n);

		if (n)
			rc = load_dialect(r, name, 0, err);
		free(name);
		p += n;
		p += strspn(p, ", ");
	}
	if (!rc && !r->nd)
		rc = strata__err(err, STRATA_EUSAGE, "no lint dialect given");
	return rc;
}

static int dialects_installed(lrun *r, strata_error *err)
{
	strata_driver_info *list = NULL;
	size_t n = 0, i;
	int rc = strata_drivers_list_path(&list, &n, r->plugin_path, err);

	for (i = 0; !rc && i < n; i++)
		if (list[i].version && !list[i].problem)
			rc = load_dialect(r, list[i].name, 1, err);
	strata_drivers_free(list, n);
	if (!rc && !r->nd)
		rc = strata__err(err, STRATA_EUSAGE,
		                 "no database driver is installed to lint for");
	return rc;
}

static int pick_dialects(lrun *r, strata_error *err)
{
	size_t i, j;
	int rc;

	if (r->o.dialects && *r->o.dialects)
		return dialects_given(r, err);
	if (r->s)
		add_dialect(r, r->s->drv, NULL, r->s->split_flags);
	for (i = 0; i < r->src->count; i++) {
		const strata__migration *m = &r->src->items[i];

		for (j = 0; j < m->nup; j++)
			if (m->up[j].driver &&
			    (rc = load_dialect(r, m->up[j].driver, 1, err)))
				return rc;
	}
	return r->nd ? STRATA_OK : dialects_installed(r, err);
}

/* ---- the target: tables, row estimates, column types ---- */

static int on_table(void *ctx, const char *table, int64_t est)
{
	strata__ltable *t = strata__lschema_add(ctx, table);

	t->in_db = 1;
	t->est_rows = est;
	if (!t->db_name)
		t->db_name = strata__strdup(table);
	return 0;
}

static int on_column(void *ctx, const char *table, const char *column,
                     const char *type, int nullable, const char *def)
{
	STRATA_UNUSED(nullable);
	STRATA_UNUSED(def);
	strata__lschema_set_col(ctx, table, column, type);
	return 0;
}

/* One introspection per lint: the tables that exist, their size and
 * columns. Indexes, foreign keys and other objects are not asked for:
 * drivers skip their queries (on MariaDB the foreign keys' opens every
 * table). */
static int introspect(lrun *r, ldialect *d, strata_error *err)
{
	strata_schema_sink sink = {&d->schema, on_table, on_column,
	                           NULL,       NULL,     NULL};
	strata_dberr de;

	memset(&de, 0, sizeof(de));
	d->schema.connected = 1;
	if (strata__drv_introspect(d->drv, r->s->conn, &sink, &de) !=
	    STRATA_DRV_OK)
		return strata__drv_fail(r->s, err, &de,
		                        "cannot read the schema for lint");
	return STRATA_OK;
}

/* ---- reading one file for one dialect ---- */

typedef struct act_ctx {
	strata__lint_stmt *st;
	int stmt_line;
} act_ctx;

static char *dup0(const char *s)
{
	return s ? strata__strdup(s) : NULL;
}

static int on_action(void *ctx, const strata_action *a)
{
	act_ctx *ac = ctx;
	strata__act x;

	memset(&x, 0, sizeof(x));
	x.kind = a->kind;
	x.flags = a->flags;
	x.schema = dup0(a->schema);
	x.table = dup0(a->table);
	x.column = dup0(a->column);
	x.name = dup0(a->name);
	x.type = dup0(a->type);
	x.detail = dup0(a->detail);
	x.line = ac->stmt_line + (a->line > 0 ? a->line - 1 : 0);
	strata__lint_action(ac->st, &x);
	strata__act_free(&x);
	return 0;
}

static void on_col(void *ctx, const char *table, const char *column,
                   const char *type)
{
	strata__lschema_set_col(ctx, table, column, type);
}

/* The statement's actions: the driver's parser, else the core's. */
static void analyze(ldialect *d, strata__lint_stmt *st, const strata__stmt *s)
{
	act_ctx ac = {st, s->line};
	size_t len = strlen(s->sql);
	strata_dberr de;
	int present = 0, rc;

	memset(&de, 0, sizeof(de));
	rc = strata__drv_analyze(d->drv, s->sql, len, on_action, &ac, &present,
	                         &de);
	if (!present || rc != STRATA_DRV_OK)
		strata__lint_scan(&d->sd, s->sql, len, on_action, &ac);
	strata__lint_columns(&d->sd, s->sql, len, on_col, &d->schema);
}

static void unsupported(strata__lint_stmt *st, int line, char *msg,
                        const char *driver)
{
	char *fix = strata__printf("write this migration for %s in "
	                           "up.%s.sql next to up.sql",
	                           driver, driver);

	strata__lint_add(st->out, "dialect-unsupported", STRATA_LINT_ERROR, st,
	                 line, NULL, msg, fix);
	free(fix);
}

/* Whether the dialect compiles statements on a scratch database: an
 * embedded one (SQLite), whose driver can prepare. */
static int has_scratch(const ldialect *d)
{
	return STRATA_DRV_HAS(d->drv, prepare) &&
	       d->drv->url_form == STRATA_URL_FILE;
}

/* SQLite: the scratch database, opened once through the driver. */
static int scratch_open(ldialect *d)
{
	char *url;
	strata_dberr de;
	strata_error e2;

	if (d->scratch_state)
		return d->scratch_state > 0;
	d->scratch_state = -1;
	if (!has_scratch(d))
		return 0;
	/* A handle with just the driver and URL: drv.c's calls need one. */
	d->scratch = strata__calloc(1, sizeof(*d->scratch));
	d->scratch->drv = d->drv;
	url = strata__printf("%s::memory:", d->drv->schemes[0]);
	memset(&e2, 0, sizeof(e2));
	memset(&de, 0, sizeof(de));
	if (strata__url_parse_as(&d->scratch->url, url, STRATA_URL_FILE, &e2) ||
	    strata__drv_connect(d->scratch, &d->conn, 0, &de) !=
	            STRATA_DRV_OK) {
		strata_error_clear(&e2);
		free(url);
		return 0;
	}
	free(url);
	/* Temporary tables in memory: ALTER TABLE's schema rewrite opens
	 * one per statement, and a temporary file's page cache is
	 * allocated and freed each time (half the replay's cost). */
	memset(&de, 0, sizeof(de));
	strata__drv_exec(d->scratch, d->conn, "PRAGMA temp_store = MEMORY",
	                 &de);
	/* One transaction for the whole replay: a commit per statement is
	 * most of the cost of a replay of hundreds of files. */
	memset(&de, 0, sizeof(de));
	strata__drv_exec(d->scratch, d->conn, "BEGIN", &de);
	d->scratch_state = 1;
	return 1;
}

static void scratch_close(ldialect *d)
{
	if (!d->scratch)
		return;
	strata__drv_close(d->scratch, d->conn);
	strata__url_free(&d->scratch->url);
	free(d->scratch);
	d->scratch = NULL;
}

/* SQLite rewrites and reloads its whole schema on ALTER TABLE ... ADD,
 * RENAME or DROP COLUMN, so the scratch database costs the number of
 * tables times the number of ALTERs. It keeps only the tables a later
 * file still names: after the last file that names one, it is dropped.
 * A file that creates a view or trigger keeps every name it holds. */
typedef struct name_ctx {
	usemap *m;
	size_t at;
} name_ctx;

static void on_name(void *ctx, const char *name, size_t n)
{
	name_ctx *nc = ctx;

	use_put(nc->m, name, n, nc->at);
}

static void plan_prune(lrun *r, ldialect *d)
{
	size_t i;

	d->planned = 1;
	for (i = 0; i < r->upto; i++) {
		const char *f = strata__migration_file_in(&r->src->items[i], 1,
		                                          names(d));
		const ltext *t;
		int views = 0;
		name_ctx nc = {&d->uses, i + 1};

		if (!f || !(t = text_of(&r->texts, f)))
			continue;
		strata__lint_names(&d->sd, t->text, t->len, on_name, &nc,
		                   &views);
		if (views) {
			nc.at = SIZE_MAX;
			strata__lint_names(&d->sd, t->text, t->len, on_name,
			                   &nc, &views);
		}
	}
}

/* After migration i: drop the tables no later file names. */
static void prune(ldialect *d, size_t i)
{
	size_t k;

	if (d->scratch_state <= 0)
		return;
	for (k = 0; k < d->schema.n; k++) {
		strata__ltable *t = &d->schema.t[k];
		char *q, *sql;
		strata_dberr de;

		if (t->pruned || !*t->name ||
		    use_get(&d->uses, t->name) > i + 1)
			continue;
		q = strata__ident_quote_in(NULL, t->name, '"');
		if (!q)
			continue;
		sql = strata__printf("DROP TABLE IF EXISTS %s", q);
		memset(&de, 0, sizeof(de));
		strata__drv_exec(d->scratch, d->conn, sql, &de);
		t->pruned = 1;
		free(sql);
		free(q);
	}
}

/* The scratch database holds only what the migrations created (and
 * forgets tables no later file names): a table or column it lacks may
 * well exist on the real database, created outside the migrations. Such
 * errors say nothing about the SQL; the database reports them when the
 * statement runs. */
static int schema_dependent(const char *msg)
{
	static const char *const names[] = {
	        "no such ",         "unknown database", "has no column named",
	        "already exists",   "ambiguous column", "cannot ",
	        "is not a function"};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strstr(msg, names[i]))
			return 1;
	return 0;
}

/* Whether sql has the word AS outside parentheses and quotes (CREATE TABLE
 * ... AS SELECT; a generated column's AS is inside its parentheses). */
static int toplevel_as(const char *p)
{
	int depth = 0;
	char q = 0;

	for (; *p; p++) {
		if (q) {
			q = *p == q ? 0 : q;
		} else if (*p == '\'' || *p == '"' || *p == '`' || *p == '[') {
			q = *p == '[' ? ']' : *p;
		} else if (*p == '(') {
			depth++;
		} else if (*p == ')') {
			depth -= depth > 0;
		} else if (!depth && !strncasecmp(p, "AS", 2) &&
		           !isalnum((unsigned char)p[2]) && p[2] != '_' &&
		           isspace((unsigned char)p[-1])) {
			return 1;
		}
	}
	return 0;
}

/* Whether running sql on the scratch database only changes its schema:
 * CREATE, ALTER and DROP, but not CREATE TABLE ... AS (a query that may
 * run for minutes). Data statements are only compiled: a migration's
 * recursive SELECT must not run inside lint. */
static int builds_schema(const char *sql)
{
	static const char *const verbs[] = {"CREATE", "ALTER", "DROP"};
	size_t i, n;
	const char *p;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		n = strlen(verbs[i]);
		if (!strncasecmp(sql, verbs[i], n) &&
		    !isalnum((unsigned char)sql[n]) && sql[n] != '_')
			break;
	}
	if (i == sizeof(verbs) / sizeof(verbs[0]))
		return 0;
	if (i != 0)
		return 1;
	/* CREATE [TEMP] TABLE name AS SELECT: a query; CREATE VIEW and
	 * CREATE TRIGGER bodies do not run when created. */
	for (p = sql + n; *p && isspace((unsigned char)*p); p++)
		;
	if (!strncasecmp(p, "TEMP", 4)) {
		while (*p && !isspace((unsigned char)*p))
			p++;
		while (*p && isspace((unsigned char)*p))
			p++;
	}
	if (strncasecmp(p, "TABLE", 5) != 0)
		return 1;
	return !toplevel_as(p);
}

/* Whether sql creates a table or an index, which the prune after the
 * file drops again (a view, trigger or virtual table would stay). */
static int pruned_kind(const char *sql)
{
	static const char *const kinds[] = {"TABLE", "INDEX", "UNIQUE INDEX",
	                                    "TEMP TABLE", "TEMPORARY TABLE"};
	const char *p = sql + 6;
	size_t i, n;

	if (strncasecmp(sql, "CREATE", 6) != 0)
		return 0;
	while (isspace((unsigned char)*p))
		p++;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		n = strlen(kinds[i]);
		if (!strncasecmp(p, kinds[i], n) &&
		    isspace((unsigned char)p[n]))
			return 1;
	}
	return 0;
}

/* The database's refusal of s as a finding; 1. */
static int rejects(const ldialect *d, strata__lint_stmt *st,
                   const strata__stmt *s, const strata_dberr *de)
{
	unsupported(st, s->line,
	            strata__printf("%s rejects this statement: %s", d->name,
	                           de->message),
	            d->name);
	return 1;
}

/* Compile the statement against the schema so far; a schema statement is
 * also run, so that the next ones see its tables, unless none will: a
 * table or index made by the file's last statement where each file's
 * tables are dropped after it (up's pending files, no plan), whose
 * compile says all its run would. 1: the database rejects it. A failure to run
 * is not reported: with no data in the scratch database, only compiling says
 * something about the SQL itself. */
static int scratch_check(ldialect *d, strata__lint_stmt *st,
                         const strata__stmt *s, int last)
{
	strata_dberr de;
	int present = 0;

	if (!scratch_open(d))
		return 0;
	memset(&de, 0, sizeof(de));
	/* Running compiles: only a failure needs the separate compile that
	 * tells a rejected statement from one that failed to run (a
	 * failed statement leaves the schema as it was). */
	if (builds_schema(s->sql) &&
	    !(last && !d->planned && pruned_kind(s->sql)) &&
	    strata__drv_exec(d->scratch, d->conn, s->sql, &de) == STRATA_DRV_OK)
		return 0;
	memset(&de, 0, sizeof(de));
	if (strata__drv_prepare(d->drv, d->conn, s->sql, &present, &de) ==
	            STRATA_DRV_OK ||
	    !present || schema_dependent(de.message))
		return 0;
	return rejects(d, st, s, &de);
}

/* After such a statement the session's grammar may not be the one the
 * rest run with. */
static int sets_sql_mode(const char *sql)
{
	const char *p;

	for (p = sql; *p; p++)
		if (!strncasecmp(p, "sql_mode", 8))
			return 1;
	return 0;
}

/* Whether d is the target's dialect, compiled on the target's session. */
static int live_target(const lrun *r, const ldialect *d)
{
	return r->s && r->s->conn && d->drv == r->s->drv;
}

/* A server database has no scratch copy: the target's own session
 * compiles the statements reported on (MySQL's prepare parses without
 * running), answered from what live_prefetch() sent ahead where it can.
 * After a statement that may change the grammar (sql_mode), the
 * session's is no longer the one the rest run with: they are left to
 * the run. 1: the database rejects the statement. */
static int live_check(const lrun *r, ldialect *d, int report,
                      strata__lint_stmt *st, const strata__stmt *s)
{
	strata_dberr de;
	const char *msg = NULL;
	int present = 1, rc;

	if (!report || !live_target(r, d) || d->scratch_state > 0 ||
	    d->live_off)
		return 0;
	memset(&de, 0, sizeof(de));
	switch (strata__live_find(&d->live, s->sql, &msg)) {
	case 0:
		rc = STRATA_DRV_OK;
		break;
	case 1:
		snprintf(de.message, sizeof(de.message), "%s", msg);
		rc = STRATA_DRV_ERROR;
		break;
	default:
		rc = strata__drv_prepare(d->drv, r->s->conn, s->sql, &present,
		                         &de);
	}
	d->live_off = sets_sql_mode(s->sql);
	if (rc == STRATA_DRV_OK || !present)
		return 0;
	return rejects(d, st, s, &de);
}

/* Load with the dialect's parser; if only that fails, it is a finding
 * and the core's splitter reads the file for the other rules. */
static int load_as(lrun *r, strata__script *sc, const char *path,
                   const strata_driver *drv, unsigned flags, strata_error *err)
{
	const ltext *t = text_of(&r->texts, path);

	if (!t)
		return strata__script_load_drv(sc, path, drv, flags, err);
	return strata__script_load_text(sc, path, t->text, t->len, drv, flags,
	                                err);
}

static int load(lrun *r, ldialect *d, strata__script *sc, const char *path,
                strata__lint_stmt *st, strata_error *err)
{
	strata_error e1;
	int rc;

	memset(&e1, 0, sizeof(e1));
	rc = load_as(r, sc, path, d->drv, d->split_flags, &e1);
	if (rc) {
		strata__script_free(sc);
		rc = load_as(r, sc, path, NULL, d->split_flags, err);
		if (!rc)
			unsupported(st, e1.line,
			            strata__printf("%s does not parse it: %s",
			                           d->name, e1.message),
			            d->name);
	}
	strata_error_clear(&e1);
	return rc;
}

static int init_sql_timeout(lrun *r, ldialect *d)
{
	const char *sql;
	strata__stmts stmts;
	strata__lint_file lf;
	strata__lint_stmt st;
	strata__lfinds none = {NULL, 0};
	strata__lschema sc;
	size_t i;

	sql = r->o.init_sql;
	if (!sql && r->s && d->drv == r->s->drv)
		sql = strata_config_init_sql(r->s->cfg);
	if (!sql || !*sql)
		return 0;
	if (strata__split(&stmts, sql, strlen(sql), d->split_flags, "init_sql",
	                  NULL))
		return 0;
	memset(&lf, 0, sizeof(lf));
	memset(&st, 0, sizeof(st));
	memset(&sc, 0, sizeof(sc));
	lf.dialect = d->name;
	lf.family = d->sd.name;
	st.out = &none;
	st.schema = &sc;
	st.file = &lf;
	st.version = st.path = "init_sql";
	st.seen = &d->seen;
	st.nseen = &d->nseen;
	for (i = 0; i < stmts.count; i++)
		strata__lint_scan(
		        &d->sd, stmts.items[i].sql, strlen(stmts.items[i].sql),
		        (strata_action_fn)on_action, &(act_ctx){&st, 1});
	strata__stmts_free(&stmts);
	strata__lschema_free(&sc);
	free(none.items);
	return lf.lock_timeout_set;
}

/* The file as shown: under the migrations folder. */
static char *shown(const lrun *r, const char *path)
{
	size_t n = strlen(r->src->dir);

	if (!strncmp(path, r->src->dir, n) && path[n] == '/')
		return strata__strdup(path + n + 1);
	return strata__strdup(path);
}

static fileuse *use_of(fileuse *v, size_t cap, const char *file)
{
	size_t i = strata__hash(file, strlen(file), 0) & (cap - 1);

	while (v[i].file && strcmp(v[i].file, file))
		i = (i + 1) & (cap - 1);
	return &v[i];
}

/* A table, not a list: every file of every dialect counts. */
static void count_use(lrun *r, const char *file)
{
	fileuse *u, *old = r->uses;
	size_t i, cap = r->capuses;

	if (2 * (r->nuses + 1) > cap) {
		r->capuses = cap ? cap * 2 : 256;
		r->uses = strata__calloc(r->capuses, sizeof(*r->uses));
		for (i = 0; i < cap; i++)
			if (old[i].file)
				*use_of(r->uses, r->capuses, old[i].file) =
				        old[i];
		free(old);
	}
	u = use_of(r->uses, r->capuses, file);
	if (!u->file) {
		u->file = strata__strdup(file);
		r->nuses++;
	}
	u->n++;
}

/* Whether a file without statements says "-- strata:empty" (script.c
 * refuses one that does not). */
static int says_empty(lrun *r, const char *path, unsigned flags)
{
	strata__script sc;
	int rc = load_as(r, &sc, path, NULL, flags, NULL);

	strata__script_free(&sc);
	return rc == STRATA_OK;
}

static void irreversible(lrun *r, ldialect *d, const strata__migration *m,
                         strata__lint_stmt *st)
{
	const char *down = strata__migration_file_in(m, 0, names(d));
	strata__stmts stmts;
	const ltext *t;
	size_t i;
	int has_stmts = 1; /* or it says -- strata:empty */

	if (!down) {
		strata__lint_add(
		        st->out, "irreversible", STRATA_LINT_WARNING, st, 0,
		        NULL,
		        strata__strdup("no down.sql: strata down cannot "
		                       "revert this migration"),
		        "write down.sql (or down.<driver>.sql) that "
		        "undoes it, or one with -- strata:empty if "
		        "nothing needs undoing");
		return;
	}
	for (i = 0; i < d->ndowns && d->downs[i].path != down; i++)
		;
	if (i < d->ndowns) {
		has_stmts = d->downs[i].has_stmts;
	} else {
		if (!(t = text_of(&r->texts, down)))
			return;
		if (!strata__split(&stmts, t->text, t->len, d->split_flags,
		                   down, NULL)) {
			has_stmts = stmts.count > 0 ||
			            says_empty(r, down, d->split_flags);
			strata__stmts_free(&stmts);
		}
		d->downs = strata__realloc(d->downs,
		                           (d->ndowns + 1) * sizeof(*d->downs));
		d->downs[d->ndowns].path = down;
		d->downs[d->ndowns++].has_stmts = has_stmts;
	}
	if (!has_stmts) {
		char *f = shown(r, down);

		strata__lint_add(
		        st->out, "irreversible", STRATA_LINT_WARNING, st, 0,
		        NULL,
		        strata__printf("%s has no statement and no "
		                       "-- strata:empty",
		                       strata__basename(f)),
		        "write the down migration, or put "
		        "-- strata:empty in it if nothing needs undoing");
		free(f);
	}
}

/* The line of "-- strata:allow ... rule" in path, for the error. */
static int allow_line(const char *path, const char *rule)
{
	char *text = NULL, *p, *eol;
	size_t len = 0;
	int line = 1, found = 0;

	if (strata__read_file(&text, &len, path, NULL))
		return 0;
	for (p = text; !found && p < text + len; p = eol + 1, line++) {
		char *a;

		eol = memchr(p, '\n', (size_t)(text + len - p));
		if (!eol)
			eol = text + len;
		*eol = '\0';
		a = strstr(p, "strata:allow");
		found = a && strstr(a, rule);
		if (found)
			break;
	}
	free(text);
	return found ? line : 0;
}

static int check_allow(const strata__script *sc, strata_error *err)
{
	size_t i;

	for (i = 0; i < sc->nallow; i++)
		if (!strata__lint_rule_known(sc->allow[i]))
			return strata__err_at(
			        err, STRATA_EUSAGE, sc->path,
			        allow_line(sc->path, sc->allow[i]),
			        "unknown lint rule '%s' in strata:allow "
			        "(known: "
			        "destructive, required-column, "
			        "blocking-not-null, "
			        "blocking-index, rewrite, rename, "
			        "dialect-unsupported, irreversible, "
			        "no-lock-timeout)",
			        sc->allow[i]);
	return STRATA_OK;
}

static void mark_allowed(strata__lfinds *f, size_t from,
                         const strata__script *sc)
{
	size_t i, j;

	for (i = from; i < f->count; i++)
		for (j = 0; j < sc->nallow; j++)
			if (!strcmp(f->items[i].rule, sc->allow[j]))
				f->items[i].allowed = 1;
}

static void lfind_free(strata__lfind *f)
{
	free(f->version);
	free(f->file);
	free(f->dialect);
	free(f->statement);
	free(f->message);
	free(f->fixit);
	free(f->table);
}

static void lfinds_free(strata__lfinds *f)
{
	size_t i;

	for (i = 0; i < f->count; i++)
		lfind_free(&f->items[i]);
	free(f->items);
	f->items = NULL;
	f->count = 0;
}

/* Appends src's findings to dst; src is left empty. */
static void lfinds_move(strata__lfinds *dst, strata__lfinds *src)
{
	if (!src->count)
		return;
	dst->items = strata__realloc(dst->items, (dst->count + src->count) *
	                                                 sizeof(*dst->items));
	memcpy(dst->items + dst->count, src->items,
	       src->count * sizeof(*src->items));
	dst->count += src->count;
	free(src->items);
	src->items = NULL;
	src->count = 0;
}

static int lint_file(lrun *r, ldialect *d, size_t mi, const char *path,
                     strata_error *err)
{
	const strata__migration *m = &r->src->items[mi];
	int report = r->sel[mi], rc;
	strata__lfinds scrap = {NULL, 0};
	strata__lint_file lf;
	strata__lint_stmt st;
	strata__script sc;
	char *file = shown(r, path);
	int generic = path == strata__migration_file(m, 1, NULL);
	size_t i, from;

	memset(&lf, 0, sizeof(lf));
	memset(&st, 0, sizeof(st));
	lf.dialect = d->name;
	lf.family = d->sd.name;
	lf.lock_timeout_set = d->init_timeout;
	st.out = report ? &d->f : &scrap;
	st.schema = &d->schema;
	st.file = &lf;
	st.version = m->version;
	st.path = file;
	st.seen = &d->seen;
	st.nseen = &d->nseen;
	st.file_first = from = st.out->count;
	/* A file that does not load is what up would refuse too: an
	 * error when it is reported on, skipped when it only teaches. */
	rc = load(r, d, &sc, path, &st, report ? err : NULL);
	if (rc) {
		strata__script_free(&sc);
		free(file);
		lfinds_free(&scrap);
		return report ? STRATA_EUSAGE : STRATA_OK;
	}
	lf.no_transaction = sc.no_transaction;
	rc = report ? check_allow(&sc, err) : STRATA_OK;
	for (i = 0; !rc && i < sc.stmts.count; i++) {
		const strata__stmt *s = &sc.stmts.items[i];
		int line = 0;
		const char *why;

		strata__lfinds *out = st.out;
		int rejected = 0;

		st.sql = s->sql;
		st.line = s->line;
		if (generic && !strcmp(d->sd.name, "mysql") &&
		    (why = strata__lint_mysql_rejects(&d->sd, s->sql,
		                                      strlen(s->sql), &line))) {
			unsupported(&st, s->line + line - 1,
			            strata__strdup(why), d->name);
			rejected = 1;
		}
		rejected |= scratch_check(d, &st, s, i + 1 == sc.stmts.count);
		if (!rejected)
			rejected = live_check(r, d, report, &st, s);
		/* A statement the dialect rejects has no other finding on
		 * it there; it still teaches the schema. */
		if (rejected)
			st.out = &scrap;
		analyze(d, &st, s);
		st.out = out;
	}
	st.sql = NULL;
	if (!rc)
		irreversible(r, d, m, &st);
	if (!rc && report) {
		pthread_mutex_lock(&r->uses_mu);
		count_use(r, file);
		pthread_mutex_unlock(&r->uses_mu);
		mark_allowed(st.out, from, &sc);
	}
	strata__script_free(&sc);
	lfinds_free(&scrap);
	free(file);
	return rc;
}

/* The statements live_check() will compile, sent ahead together: those
 * of the reported files for the target's dialect, in the pass's order,
 * up to the first that may change the grammar. */
static void live_prefetch(lrun *r, ldialect *d)
{
	strata__script sc;
	strata_error e;
	size_t i, k;
	int stop = 0;
	const char *f;

	if (!live_target(r, d) || has_scratch(d) ||
	    !STRATA_DRV_HAS(d->drv, prepare_many))
		return;
	strata__live_init(&d->live, d->drv, r->s->conn);
	for (i = 0; !stop && i < r->upto; i++) {
		if ((r->sel && !r->sel[i]) ||
		    !(f = strata__migration_file_in(&r->src->items[i], 1,
		                                    names(d))))
			continue;
		memset(&e, 0, sizeof(e));
		memset(&sc, 0, sizeof(sc));
		/* One that does not load is reported by the pass. */
		if (!load_as(r, &sc, f, d->drv, d->split_flags, &e))
			for (k = 0; !stop && k < sc.stmts.count; k++) {
				strata__live_add(&d->live,
				                 sc.stmts.items[k].sql);
				stop = sets_sql_mode(sc.stmts.items[k].sql);
			}
		strata__script_free(&sc);
		strata_error_clear(&e);
	}
	strata__live_done(&d->live);
}

/* One dialect's pass over the migrations, in version order. */
typedef struct lpass {
	lrun *r;
	ldialect *d;
	int rc;
	size_t failed_at; /* the migration whose file failed */
	strata_error err;
	pthread_t thread;
	int started;
} lpass;

static void *pass_run(void *arg)
{
	lpass *p = arg;
	lrun *r = p->r;
	ldialect *d = p->d;
	size_t i;

	/* The target's own dialect compiles only the selected (pending)
	 * files on an empty scratch: enough to find SQL it rejects before
	 * anything runs, without replaying the history on every up. */
	if (!(r->s && d->drv == r->s->drv) && scratch_open(d))
		plan_prune(r, d);
	live_prefetch(r, d);
	for (i = 0; !p->rc && i < r->upto; i++) {
		const char *f;

		/* Connected, the target's introspection knows what the
		 * applied files made; only a scratch replays them. */
		if (r->s && r->sel && !r->sel[i] &&
		    (d->drv == r->s->drv || d->scratch_state <= 0))
			continue;
		f = strata__migration_file_in(&r->src->items[i], 1, names(d));
		if (f && (p->rc = lint_file(r, d, i, f, &p->err)))
			p->failed_at = i;
		prune(d, i);
	}
	return NULL;
}

/* The dialects are independent, so they are read side by side: each on a
 * thread of its own while processors last, the dialects with a scratch
 * database (the slowest: SQLite rebuilds its schema after every ALTER
 * TABLE) first; the rest one after another on the calling thread. */
static void passes_start(lrun *r, lpass *p)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	long spare = r->nd > 1 && cpus > 1 ? cpus - 1 : 0;
	size_t k;
	int scratch;

	/* Set once: a started pass reads its own (TSan saw the second loop
	 * write them again under a running thread). */
	for (k = 0; k < r->nd; k++) {
		p[k].r = r;
		p[k].d = r->d[k];
	}
	for (scratch = 1; scratch >= 0; scratch--)
		for (k = 0; k < r->nd; k++) {
			if (p[k].started || has_scratch(r->d[k]) != scratch ||
			    spare <= 0)
				continue;
			p[k].started = !pthread_create(&p[k].thread, NULL,
			                               pass_run, &p[k]);
			spare -= p[k].started;
		}
	for (k = 0; k < r->nd; k++)
		if (!p[k].started)
			pass_run(&p[k]);
}

static int run_passes(lrun *r, strata_error *err)
{
	lpass *p = strata__calloc(r->nd, sizeof(*p));
	size_t k, first = r->nd;
	int rc = STRATA_OK;

	passes_start(r, p);
	for (k = 0; k < r->nd; k++) {
		if (p[k].started)
			pthread_join(p[k].thread, NULL);
		/* The error a single pass in version order meets first. */
		if (p[k].rc &&
		    (first == r->nd || p[k].failed_at < p[first].failed_at))
			first = k;
	}
	for (k = 0; k < r->nd; k++) {
		if (k == first && err) {
			rc = p[k].rc;
			*err = p[k].err;
		} else {
			rc = k == first ? p[k].rc : rc;
			strata_error_clear(&p[k].err);
		}
		/* In dialect order, for a stable order of equal findings. */
		lfinds_move(&r->f, &r->d[k]->f);
	}
	free(p);
	return rc;
}

static int lint_all(lrun *r, strata_error *err)
{
	size_t k;
	int rc = STRATA_OK;

	for (k = 0; k < r->nd; k++) {
		ldialect *d = r->d[k];

		d->init_timeout = init_sql_timeout(r, d);
		/* Nothing to report on (check with nothing pending): the
		 * target's tables need not be read. */
		if (r->upto && r->s && d->drv == r->s->drv &&
		    (rc = introspect(r, d, err)))
			return rc;
	}
	return run_passes(r, err);
}

/* ---- severity, duplicates, order ---- */

static int count_row(void *ctx, int ncols, const char *const *v)
{
	if (ncols > 0 && v[0])
		*(int64_t *)ctx = strtoll(v[0], NULL, 10);
	return 0;
}

/* Rows in table: the database's estimate (from the introspection, else
 * asked for this table: MySQL), else (SQLite, or a PostgreSQL table never
 * analyzed) a count, once per table with a finding. The table is asked
 * for by its name on the target, which a pending rename does not change. */
static int64_t count_rows(lrun *r, ldialect *d, const char *table)
{
	strata__ltable *t = strata__lschema_find(&d->schema, table);
	char *q, *sql;
	strata_dberr de;
	int64_t n = -1;

	if (!t || !t->in_db || !t->db_name)
		return -1;
	if (t->est_rows >= 0 || !r->s || d->drv != r->s->drv)
		return t->est_rows;
	memset(&de, 0, sizeof(de));
	if (strata__drv_table_rows(d->drv, r->s->conn, t->db_name, &n, &de) ==
	            STRATA_DRV_OK &&
	    n >= 0) {
		t->est_rows = n;
		return n;
	}
	n = -1;
	q = strata__ident_quote_in(NULL, t->db_name,
	                           d->drv->dialect->ident_quote);
	if (!q)
		return -1;
	sql = strata__printf("SELECT count(*) FROM %s", q);
	memset(&de, 0, sizeof(de));
	if (strata__drv_query(r->s, r->s->conn, sql, NULL, 0, count_row, &n,
	                      &de) != STRATA_DRV_OK)
		n = -1;
	free(sql);
	free(q);
	/* counted once: the next finding on the table reads the answer */
	t->est_rows = n;
	return n;
}

static ldialect *dialect_named(lrun *r, const char *name)
{
	size_t i;

	for (i = 0; name && i < r->nd; i++)
		if (!strcmp(r->d[i]->name, name))
			return r->d[i];
	return NULL;
}

static void raise_severity(lrun *r)
{
	int64_t limit =
	        r->o.row_threshold > 0 ? r->o.row_threshold : DEFAULT_THRESHOLD;
	size_t i;

	for (i = 0; i < r->f.count; i++) {
		strata__lfind *f = &r->f.items[i];
		ldialect *d = dialect_named(r, f->dialect);

		if (!f->table || !d) {
			if (f->raisable == STRATA__RAISE_ONLY)
				f->dropped_out = 1;
			continue;
		}
		f->est_rows = count_rows(r, d, f->table);
		if (f->raisable && f->est_rows > limit)
			f->severity = STRATA_LINT_ERROR;
		else if (f->raisable == STRATA__RAISE_ONLY)
			f->dropped_out = 1;
	}
}

static int same_finding(const strata__lfind *a, const strata__lfind *b)
{
#define SAME(x) ((!a->x && !b->x) || (a->x && b->x && !strcmp(a->x, b->x)))
	return !strcmp(a->rule, b->rule) && a->severity == b->severity &&
	       a->line == b->line && a->est_rows == b->est_rows &&
	       a->allowed == b->allowed && SAME(version) && SAME(file) &&
	       SAME(message) && SAME(table);
#undef SAME
}

static size_t uses_of(const lrun *r, const char *file)
{
	const fileuse *u;

	if (!r->capuses)
		return 1;
	u = use_of(r->uses, r->capuses, file);
	return u->file ? u->n : 1;
}

/* A finding every dialect that read the file has is one, for all. */
static void merge_dialects(lrun *r)
{
	size_t i, j, n;

	for (i = 0; i < r->f.count; i++) {
		strata__lfind *f = &r->f.items[i];
		size_t want = uses_of(r, f->file);

		if (f->dropped_out || !f->dialect || want < 2)
			continue;
		for (n = 1, j = i + 1; j < r->f.count; j++)
			if (!r->f.items[j].dropped_out &&
			    r->f.items[j].dialect &&
			    same_finding(f, &r->f.items[j]))
				n++;
		if (n != want)
			continue;
		for (j = i + 1; j < r->f.count; j++)
			if (!r->f.items[j].dropped_out &&
			    r->f.items[j].dialect &&
			    same_finding(f, &r->f.items[j]))
				r->f.items[j].dropped_out = 1;
		free(f->dialect);
		f->dialect = NULL;
	}
}

static int cmp_find(const void *pa, const void *pb)
{
	const strata__lfind *a = pa, *b = pb;
	int c = strata__version_cmp(a->version, b->version);

	if (!c)
		c = strcmp(a->file, b->file);
	if (!c)
		c = (a->line > b->line) - (a->line < b->line);
	if (!c)
		c = strcmp(a->rule, b->rule);
	if (!c)
		c = strcmp(a->dialect ? a->dialect : "",
		           b->dialect ? b->dialect : "");
	return c;
}

/* ---- the result ---- */

typedef struct lint_box {
	strata_lint pub; /* first: strata_lint_free() gets the box back */
	strata__pool pool;
} lint_box;

static strata_lint *publish(lrun *r)
{
	lint_box *box = strata__calloc(1, sizeof(*box));
	strata_lint *l = &box->pub;
	size_t i;

	if (r->f.count) /* qsort() must not get NULL */
		qsort(r->f.items, r->f.count, sizeof(*r->f.items), cmp_find);
	l->item_size = sizeof(strata_lint_finding);
	l->items = strata__pool_alloc(&box->pool,
	                              (r->f.count + 1) * sizeof(*l->items),
	                              sizeof(void *));
	for (i = 0; i < r->f.count; i++) {
		const strata__lfind *f = &r->f.items[i];
		strata_lint_finding *o = &l->items[l->count];

		if (f->dropped_out)
			continue;
		memset(o, 0, sizeof(*o));
		o->rule = f->rule;
		o->severity = (strata_lint_severity)f->severity;
		o->version = strata__pool_strdup(&box->pool, f->version);
		o->file = strata__pool_strdup(&box->pool, f->file);
		o->line = f->line;
		o->dialect = strata__pool_strdup(&box->pool, f->dialect);
		o->statement = strata__pool_strdup(&box->pool, f->statement);
		o->message = strata__pool_strdup(&box->pool, f->message);
		o->fixit = strata__pool_strdup(&box->pool, f->fixit);
		o->table = strata__pool_strdup(&box->pool, f->table);
		o->est_rows = f->est_rows;
		o->allowed = f->allowed;
		if (!f->allowed && f->severity == STRATA_LINT_ERROR)
			l->errors++;
		else if (!f->allowed)
			l->warnings++;
		l->count++;
	}
	return l;
}

static void run_free(lrun *r)
{
	size_t i, j;

	for (i = 0; i < r->nd; i++) {
		ldialect *d = r->d[i];

		scratch_close(d);
		strata__live_free(&d->live);
		use_free(&d->uses);
		strata__lschema_free(&d->schema);
		for (j = 0; j < d->nseen; j++)
			strata__act_free(&d->seen[j]);
		free(d->seen);
		free(d->downs);
		lfinds_free(&d->f);
		strata__plugin_free(d->plugin);
		free(d);
	}
	free(r->d);
	for (i = 0; i < r->capuses; i++)
		free(r->uses[i].file);
	free(r->uses);
	pthread_mutex_destroy(&r->uses_mu);
	texts_free(&r->texts);
	pthread_mutex_destroy(&r->texts.mu);
	lfinds_free(&r->f);
	free(r->sel);
	strata__source_free(&r->own_src);
}

static int open_source(lrun *r, strata_error *err)
{
	const char *dir;
	int rc;

	if (r->s) {
		rc = strata__source_get(r->s, err);
		r->src = &r->s->src;
		return rc;
	}
	dir = r->o.migrations_dir ? r->o.migrations_dir : "migrations";
	rc = strata__source_load_for(&r->own_src, dir, NULL, r->plugin_path,
	                             NULL, STRATA__LAYOUT_AUTO, err);
	r->src = &r->own_src;
	return rc;
}

/* Dialects named up front load while the migrations folder is read: a
 * driver's client libraries take as long to load as hundreds of migration
 * folders to scan. */
typedef struct lload {
	lrun *r;
	int rc;
	strata_error err;
	pthread_t thread;
} lload;

static void *load_run(void *arg)
{
	lload *l = arg;

	l->rc = dialects_given(l->r, &l->err);
	return NULL;
}

static int load_start(lload *l, lrun *r)
{
	memset(l, 0, sizeof(*l));
	l->r = r;
	if (r->s || !r->o.dialects || !*r->o.dialects)
		return 0;
	return !pthread_create(&l->thread, NULL, load_run, l);
}

/* The loader's result, unless rc already holds an earlier error. */
static int load_join(lload *l, int rc, strata_error *err)
{
	pthread_join(l->thread, NULL);
	if (!rc && l->rc && err) {
		*err = l->err;
		return l->rc;
	}
	strata_error_clear(&l->err);
	return rc ? rc : l->rc;
}

/* sel: NULL to select as the options say; else the selection to use. */
static int lint_run(strata_lint **out, strata *s,
                    const strata_lint_options *opts, const char *sel,
                    const strata__lint_text *known, size_t nknown,
                    strata_error *err)
{
	lrun r;
	lload l;
	int rc, loading = 0;

	*out = NULL;
	memset(&r, 0, sizeof(r));
	pthread_mutex_init(&r.uses_mu, NULL);
	pthread_mutex_init(&r.texts.mu, NULL);
	r.s = s;
	texts_lend(&r.texts, known, nknown);
	rc = read_opts(&r.o, opts, err);
	r.plugin_path = r.o.plugin_path ? r.o.plugin_path
	                : s             ? strata__config_plugin_path(s->cfg)
	                                : NULL;
	if (!rc)
		loading = load_start(&l, &r);
	if (!rc)
		rc = open_source(&r, err);
	if (!rc && sel) {
		size_t i;

		r.sel = strata__calloc(r.src->count + 1, 1);
		memcpy(r.sel, sel, r.src->count);
		for (i = 0; i < r.src->count; i++)
			if (r.sel[i])
				r.upto = i + 1;
	} else if (!rc) {
		rc = select_migrations(&r, err);
	}
	if (loading)
		rc = load_join(&l, rc, err);
	else if (!rc)
		rc = pick_dialects(&r, err);
	if (!rc)
		rc = lint_all(&r, err);
	if (!rc) {
		raise_severity(&r);
		merge_dialects(&r);
		*out = publish(&r);
	}
	run_free(&r);
	return rc;
}

int strata_lint_get(strata_lint **out, strata *s,
                    const strata_lint_options *opts, strata_error *err)
{
	return lint_run(out, s, opts, NULL, NULL, 0, err);
}

const strata_lint_finding *strata_lint_finding_at(const strata_lint *l,
                                                  size_t i)
{
	if (!l || i >= l->count)
		return NULL;
	return (const strata_lint_finding *)((const char *)l->items +
	                                     i * l->item_size);
}

void strata_lint_free(strata_lint *l)
{
	lint_box *box = (lint_box *)l;

	if (!box)
		return;
	strata__pool_free(&box->pool);
	free(box);
}

void strata_set_allow_destructive(strata *s, int allow)
{
	s->allow_destructive = allow;
}

/* What up refuses: unacknowledged errors; with --allow-destructive only
 * SQL the database itself rejects (dialect-unsupported), which would fail
 * half-way through the run instead of before it. */
static int refuses(const strata_lint_finding *f, int allow_destructive)
{
	return !f->allowed && f->severity == STRATA_LINT_ERROR &&
	       (!allow_destructive || !strcmp(f->rule, "dialect-unsupported"));
}

/* up: lint what is about to run (st: the status up built; target: its
 * --to) and refuse on unacknowledged errors. */
int strata__lint_refuse(strata *s, const strata_status *st, const char *target,
                        const strata__lint_text *known, size_t nknown,
                        strata_error *err)
{
	strata_lint_options o = STRATA_LINT_OPTIONS_INIT;
	strata_lint *l = NULL;
	const strata_lint_finding *f = NULL;
	char *sel, *path;
	size_t i, n = 0, nerr = 0;
	int rc;

	sel = strata__calloc(s->src.count + 1, 1);
	for (i = 0; i < st->count; i++) {
		const strata__migration *m;

		if (!strata__pending_upto(&st->items[i], target))
			continue;
		m = strata__source_find(&s->src, st->items[i].version);
		if (m) {
			sel[m - s->src.items] = 1;
			n++;
		}
	}
	/* Only what runs here: an up.mysql.sql elsewhere is not this
	 * database's business. */
	o.dialects = s->drv->name;
	rc = n ? lint_run(&l, s, &o, sel, known, nknown, err) : STRATA_OK;
	free(sel);
	for (i = 0; l && i < l->count; i++)
		nerr += refuses(strata_lint_finding_at(l, i),
		                s->allow_destructive);
	if (rc || !nerr) {
		strata_lint_free(l);
		return rc;
	}
	for (i = 0; i < l->count && !f; i++) {
		const strata_lint_finding *x = strata_lint_finding_at(l, i);

		if (refuses(x, s->allow_destructive))
			f = x;
	}
	path = strata__path_join(s->src.dir, f->file);
	/* SQL this database rejects is invalid input, as a file PostgreSQL
	 * cannot parse is: exit 2 at file:line, before anything runs. */
	if (!strcmp(f->rule, "dialect-unsupported"))
		rc = strata__err_at(err, STRATA_EUSAGE, path, f->line, "%s",
		                    f->message);
	else
		rc = strata__err_at(
		        err, STRATA_ELINT, path, f->line,
		        "%zu lint error(s) in pending migrations: %s: %s; "
		        "see strata lint, or pass --allow-destructive "
		        "(docs/lint.md)",
		        nerr, f->rule, f->message);
	free(path);
	strata_lint_free(l);
	return rc;
}
