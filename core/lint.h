/* Private interfaces of the linter (lint.c, lint_scan.c, lint_rules.c). */
#ifndef STRATA_LINT_H
#define STRATA_LINT_H

#include "internal.h"

/* lint_scan.c: the core's tokenizer, for dialects whose driver has no
 * analyze op. It reports actions exactly as analyze() would. */
typedef struct strata__scan_dialect {
	const char *name; /* "postgres", "mysql", "sqlite" (dialect->name) */
	unsigned flags;   /* STRATA_SPLIT_* */
	int fold_lower;   /* unquoted names fold to lower case (PostgreSQL) */
} strata__scan_dialect;

void strata__scan_dialect_for(strata__scan_dialect *out,
                              const strata_dialect *d, unsigned split_flags);
/* Calls fn once per action of stmt (len bytes); never fails on any input:
 * what it does not understand is STRATA_ACT_OTHER. */
int strata__lint_scan(const strata__scan_dialect *d, const char *stmt,
                      size_t len, strata_action_fn fn, void *ctx);

/* The columns a CREATE TABLE declares, with their types as written:
 * what type-change rules compare against. fn gets table, column, type. */
typedef void (*strata__col_fn)(void *ctx, const char *table, const char *column,
                               const char *type);
void strata__lint_columns(const strata__scan_dialect *d, const char *stmt,
                          size_t len, strata__col_fn fn, void *ctx);

/* Every name (unquoted word or quoted identifier) in a script, to fn
 * as written (quotes removed); *defines_views is set when the script
 * creates a view or trigger (whose bodies name other tables). */
typedef void (*strata__name_fn)(void *ctx, const char *name, size_t n);
void strata__lint_names(const strata__scan_dialect *d, const char *sql,
                        size_t len, strata__name_fn fn, void *ctx,
                        int *defines_views);

/* A construct MySQL/MariaDB reject, for the generic up.sql linted for
 * MySQL: a static description and the 1-based line in stmt, or NULL.
 * Conservative: only what no MySQL or MariaDB release accepts. */
const char *strata__lint_mysql_rejects(const strata__scan_dialect *d,
                                       const char *stmt, size_t len, int *line);

/* lint_rules.c: per statement, per dialect, the findings. */

/* What the rules need to know about one file linted for one dialect. */
typedef struct strata__lint_file {
	const char *dialect;   /* the driver's name */
	const char *family;    /* dialect->name: "postgres", "mysql", ... */
	int no_transaction;    /* -- strata:no-transaction */
	int lock_timeout_set;  /* init_sql, or an earlier SET in this file */
	int lock_timeout_told; /* no-lock-timeout reported once per file */
} strata__lint_file;

/* One neutral action, owned (copied from the reporter's). */
typedef struct strata__act {
	int kind;
	unsigned flags;
	char *schema, *table, *column, *name, *type, *detail;
	int line; /* in the file */
} strata__act;

void strata__act_free(strata__act *a);

/* Table knowledge: what exists (and how big), what this run creates. */
typedef struct strata__ltable {
	char *name;
	char *db_name;    /* its name on the target (a rename moves name) */
	int64_t est_rows; /* -1: unknown */
	int in_db;        /* introspected on the target */
	int created;      /* created by a migration of this run */
	char *created_in; /* the file (path) that created it, or NULL */
	int dropped;      /* dropped by a migration of this run */
	int pruned;       /* dropped from the SQLite scratch database */
	struct strata__lcol *cols;
	size_t ncols;
} strata__ltable;

typedef struct strata__lcol {
	char *name, *type;
} strata__lcol;

typedef struct strata__lschema {
	strata__ltable *t;
	size_t n;
	int ci;        /* names compare case-insensitively (MySQL, SQLite) */
	int connected; /* in_db is known (a target was introspected) */
	size_t *slot;  /* open addressing: index + 1 into t, 0 free */
	size_t nslot;  /* a power of two above 2 n, or 0 */
} strata__lschema;

strata__ltable *strata__lschema_find(strata__lschema *sc, const char *name);
strata__ltable *strata__lschema_add(strata__lschema *sc, const char *name);
void strata__lschema_set_col(strata__lschema *sc, const char *table,
                             const char *col, const char *type);
const char *strata__lschema_col_type(strata__lschema *sc, const char *table,
                                     const char *col);
void strata__lschema_free(strata__lschema *sc);

/* A finding under construction; the engine owns the list. */
typedef struct strata__lfind {
	const char *rule; /* static */
	int severity;
	char *version, *file, *dialect, *statement, *message, *fixit, *table;
	int line;
	int64_t est_rows;
	int allowed;
	/* 1: raised to an error above the row threshold; RAISE_ONLY: a
	 * finding only there (dropped below it, or when rows are unknown) */
	int raisable;
	int dropped_out; /* withdrawn by a later statement (rebuild) */
} strata__lfind;

#define STRATA__RAISE_ONLY 2

typedef struct strata__lfinds {
	strata__lfind *items;
	size_t count;
} strata__lfinds;

/* The rule names, NULL-terminated. */
extern const char *const strata__lint_rules[];
int strata__lint_rule_known(const char *name);

/* Everything the rules read while one statement's actions arrive. */
typedef struct strata__lint_stmt {
	strata__lfinds *out;
	strata__lschema *schema;
	strata__lint_file *file;
	const char *version, *path; /* path: as shown (under the folder) */
	const char *sql;
	int line; /* the statement's first line */
	/* constraints seen so far in this run (CHECK ... NOT VALID, then
	 * VALIDATE), the engine's per-dialect list */
	strata__act **seen;
	size_t *nseen;
	size_t file_first; /* out->items from here are this file's */
} strata__lint_stmt;

/* Apply the rules to one action of a statement (a is in file lines). */
void strata__lint_action(strata__lint_stmt *st, const strata__act *a);
/* After the whole file: the file's state is reset by the caller. */
void strata__lint_add(strata__lfinds *out, const char *rule, int severity,
                      const strata__lint_stmt *st, int line, const char *table,
                      char *message, const char *fixit);

/* lint_live.c: the target's own parse checks of the pending statements,
 * sent together before the pass that reports on them (MySQL's prepare
 * costs a round trip a statement), and looked up as the pass meets each
 * statement. */
typedef struct strata__live_rej {
	char *sql, *message;
} strata__live_rej;

typedef struct strata__live {
	const strata_driver *drv;
	strata_conn *conn;
	uint64_t *ok; /* keys of the statements accepted, sorted when done */
	size_t nok, okcap;
	strata__live_rej *bad;
	size_t nbad;
	char **q; /* waiting to be sent */
	size_t nq, qcap, qbytes;
	int done;
} strata__live;

void strata__live_init(strata__live *lv, const strata_driver *drv,
                       strata_conn *conn);
/* Queues a copy of sql; sends the queue when it is large. */
void strata__live_add(strata__live *lv, const char *sql);
/* Sends the rest; lookups answer from now on. */
void strata__live_done(strata__live *lv);
/* 0: accepted, 1: rejected (*message: the database's), -1: not checked. */
int strata__live_find(const strata__live *lv, const char *sql,
                      const char **message);
void strata__live_free(strata__live *lv);

/* A file's bytes that up has read already, lent to the lint so that it
 * does not read the file again. */
typedef struct strata__lint_text {
	const char *path;
	const char *text;
	size_t len;
} strata__lint_text;

/* lint.c: for strata_up(): lint the pending migrations (up to target,
 * NULL: all) and refuse with STRATA_ELINT on unacknowledged errors,
 * unless strata_set_allow_destructive() was called. known (nknown of
 * them, may be NULL): texts already read, which must outlive the call. */
int strata__lint_refuse(strata *s, const strata_status *st, const char *target,
                        const strata__lint_text *known, size_t nknown,
                        strata_error *err);

#endif
