/*
 * libstrata: the public API for embedding strata in an application.
 * docs/embedding.md walks through it; examples/embed/ is a complete program.
 *
 * Conventions: every function returns an int status (STRATA_OK or a negative
 * STRATA_E* code), out-parameters come first, handles are opaque, and errors
 * are reported through a caller-owned strata_error. The process exit code of
 * the strata program is the negated status.
 *
 * Ownership: what a function hands out is freed with the matching *_free()
 * (strata_config_free, strata_close, strata_status_free, ...), which frees
 * every string and array the result points to; `const` members are read-only
 * views into it, valid until then. A plain `char *` result
 * (strata_error_format, strata_url_redact, strata_new_migration's path) is the
 * caller's, freed with free(). Strings passed in are copied when kept: the
 * caller may free them once the call returns.
 */
#ifndef STRATA_STRATA_H
#define STRATA_STRATA_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_VERSION "0.1.0"

/*
 * STRATA_EXTERN marks the public API: libstrata is built with hidden
 * visibility, so only what is declared with it leaves the library.
 */
#if defined(STRATA_BUILDING_LIBRARY) && defined(__GNUC__)
#define STRATA_EXTERN(type) extern __attribute__((visibility("default"))) type
#else
#define STRATA_EXTERN(type) extern type
#endif

/*
 * Threading: call strata_global_init() once before using strata from more
 * than one thread (it is idempotent and thread-safe; strata_open() and
 * strata_drivers_list() call it too). After that, different strata handles
 * may be used from different threads at the same time; one handle, and
 * the results read from it, belong to one thread at a time.
 *
 * Memory: an allocation failure inside libstrata prints "strata: out of
 * memory" to stderr and aborts the process (see docs/embedding.md). No
 * function returns a half-built result.
 */

/* Status codes; -code is the documented exit code of the program. */
enum {
	STRATA_OK = 0,
	STRATA_EFAIL = -1,  /* operation failed */
	STRATA_EUSAGE = -2, /* usage or config error */
	STRATA_EDRIFT = -3, /* pending migrations or drift (check) */
	STRATA_ELOCK = -4,  /* lock timeout */
	STRATA_ELINT = -5   /* blocked by lint */
};

/*
 * An error with its context. The caller owns the struct: zero it before the
 * first use, and call strata_error_clear() after a failure (it frees the
 * strings and zeroes it again). A function that fails clears what err held
 * before, so one err can be reused; err may be NULL when only the status
 * code is wanted.
 *
 * Frozen for this soname: the caller allocates it and passes no size, so
 * the library cannot tell a smaller, older struct. Members are added only
 * with a soname bump.
 */
typedef struct strata_error {
	int code;         /* STRATA_E* */
	char *file;       /* owned: file the error is about, or NULL */
	int line;         /* line in file, or 0 */
	char *message;    /* owned: what strata was doing, what went wrong */
	char *db_message; /* owned: the database's own message, or NULL */
	char sqlstate[8]; /* SQLSTATE, or "" */
	int db_code;      /* the database's error number, or 0 */
} strata_error;

STRATA_EXTERN(void) strata_error_clear(strata_error *err);
/* One line: "file:line: error: message: db message (SQLSTATE x)", with
 * credentials already redacted. The caller frees it with free(). */
STRATA_EXTERN(char *) strata_error_format(const strata_error *err);

/* Settings resolved from flags, environment and strata.ini. Opaque; the
 * strings its getters return belong to it (valid until strata_config_free). */
typedef struct strata_config strata_config;

/*
 * Options for strata_config_load(), filled by the caller and only read by
 * the library (the strings are copied). Initialise with STRATA_OPTIONS_INIT
 * or strata_options_init(): `version` tells the library which members the
 * caller's header had, so members appended later keep their defaults for
 * callers built against an older header, and a version of 0 (a struct
 * that was never initialised) is refused with STRATA_EUSAGE.
 */
#define STRATA_OPTIONS_VERSION 1
typedef struct strata_options {
	unsigned version;           /* STRATA_OPTIONS_VERSION */
	const char *config_path;    /* NULL: $STRATA_CONFIG, else ./strata.ini
	                               if it exists */
	const char *env;            /* NULL: STRATA_ENV or "default" */
	const char *url;            /* overrides everything */
	const char *migrations_dir; /* NULL: from strata.ini, else
	                               "migrations" */
	const char *table;          /* history table, [schema.]name; NULL:
	                               from strata.ini, else strata_migrations */
	int lock_timeout;           /* seconds; -1: not given */
	/* Never create the database (a SQLite file): commands that only read
	 * or undo set it, so a mistyped path is an error, not a new file. */
	int no_create;
	/* Driver folders searched before the built-in one, colon-separated;
	 * NULL: $STRATA_PLUGIN_PATH. */
	const char *plugin_path;
} strata_options;

#ifdef __cplusplus
/* C++ before C++20 has no designated initializers: every member, in
 * order (a member appended to strata_options is appended here too). */
#define STRATA_OPTIONS_INIT                                                    \
	{                                                                      \
		STRATA_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, -1, 0,   \
		        NULL                                                   \
	}
#else
#define STRATA_OPTIONS_INIT                                                    \
	{                                                                      \
		.version = STRATA_OPTIONS_VERSION, .lock_timeout = -1          \
	}
#endif
/* Fill opts with the defaults of `version` (STRATA_OPTIONS_VERSION);
 * STRATA_EUSAGE for a version this library does not know. */
STRATA_EXTERN(int) strata_options_init(strata_options *opts, unsigned version);

/* Resolve the settings as the strata program does: opts, then STRATA_*
 * environment variables, then the config file's section. *out is freed
 * with strata_config_free(). */
STRATA_EXTERN(int)
strata_config_load(strata_config **out, const strata_options *opts,
                   strata_error *err);
/* Parse an in-memory INI text (used by tests and the fuzzer). The history
 * table name is checked where it is used: strata_open() refuses an invalid
 * one (STRATA_EUSAGE) before it connects. */
STRATA_EXTERN(int)
strata_config_parse(strata_config **out, const char *text, const char *filename,
                    const char *env, strata_error *err);
STRATA_EXTERN(void) strata_config_free(strata_config *cfg);
STRATA_EXTERN(const char *)
strata_config_url(const strata_config *cfg); /* may be NULL */
STRATA_EXTERN(const char *) strata_config_migrations(const strata_config *cfg);
STRATA_EXTERN(const char *) strata_config_table(const strata_config *cfg);
STRATA_EXTERN(int) strata_config_lock_timeout(const strata_config *cfg);
STRATA_EXTERN(const char *) strata_config_init_sql(const strata_config *cfg);
STRATA_EXTERN(const char *) strata_config_env(const strata_config *cfg);
/* out_of_order = allow: 1; refuse (the default): 0. */
STRATA_EXTERN(int) strata_config_out_of_order(const strata_config *cfg);

/* Copy of url with any password replaced by "***". Caller frees. */
STRATA_EXTERN(char *) strata_url_redact(const char *url);

/* Progress events, emitted while a command runs. */
typedef enum strata_event_kind {
	STRATA_EV_LOCK_WAIT,    /* waiting for the migration lock */
	STRATA_EV_APPLIED,      /* a migration was applied */
	STRATA_EV_SKIPPED,      /* recorded as skipped for this driver */
	STRATA_EV_REVERTED,     /* a migration was reverted */
	STRATA_EV_BASELINED,    /* recorded as applied without running */
	STRATA_EV_RESOLVED,     /* a failed migration was resolved */
	STRATA_EV_OUT_OF_ORDER, /* pending migration older than applied ones */
	STRATA_EV_NOTHING,      /* nothing to do */
	STRATA_EV_REPAIRED,     /* checksum re-recorded; detail "old -> new" */
	STRATA_EV_START,        /* up/down starts one; detail "transaction" or
	                           "no transaction" */
	/* Statement `index` (1-based) of `count` starts; sql and line are
	 * set. Emitted for every statement of up and down. */
	STRATA_EV_STATEMENT,
	/* Statement `index` of `count` finished after duration_ms. */
	STRATA_EV_STATEMENT_DONE,
	/* The migration failed; detail is the error message, steps are the
	 * statements that had run. */
	STRATA_EV_FAILED
} strata_event_kind;

/*
 * A progress event. The library owns it and every string in it: they are
 * valid only during the callback (copy what you keep). Versions are digit
 * strings of any length, as the folder spells them. struct_size says which
 * members this library fills in: test it before reading a member added
 * after the first release, e.g.
 *   ev->struct_size >= offsetof(strata_event, line) + sizeof(ev->line)
 */
typedef struct strata_event {
	size_t struct_size;
	strata_event_kind kind;
	const char *version; /* or NULL */
	const char *name;
	const char *source; /* file used, e.g. "up.sqlite.sql" */
	int steps;          /* statements executed */
	int64_t duration_ms;
	const char *detail;
	const char *id;   /* folder name, e.g. "0002_webauthn", or NULL */
	int index, count; /* STRATA_EV_STATEMENT*: statement index of count */
	const char *sql;  /* STRATA_EV_STATEMENT: the statement */
	int line;         /* STRATA_EV_STATEMENT: its line in source */
} strata_event;

/* Called on the thread that runs the command, between statements: keep it
 * short; it must not call back into the same handle. */
typedef void (*strata_event_fn)(void *ctx, const strata_event *ev);

/* A connected session against one target database. */
typedef struct strata strata;

/* Loads the driver, connects, and pins the history table. cfg is borrowed:
 * it must outlive the handle (free it after strata_close()). */
STRATA_EXTERN(int)
strata_open(strata **out, const strata_config *cfg, strata_error *err);
STRATA_EXTERN(void) strata_close(strata *s);
STRATA_EXTERN(void)
strata_set_event_fn(strata *s, strata_event_fn fn, void *ctx);
/* The strings below belong to the handle (valid until strata_close). */
STRATA_EXTERN(const char *) strata_driver_name(const strata *s);
STRATA_EXTERN(const char *) strata_target(const strata *s); /* redacted URL */
/* The database's own version, e.g. "PostgreSQL 15.4", or "". */
STRATA_EXTERN(const char *) strata_server_version(const strata *s);

/* Where a migration stands on the target. */
typedef enum strata_state {
	STRATA_STATE_PENDING,
	STRATA_STATE_APPLIED,
	STRATA_STATE_SKIPPED,  /* applied as a no-op: no file for the driver */
	STRATA_STATE_BASELINE, /* recorded by baseline, never run */
	STRATA_STATE_FAILED,   /* needs strata resolve */
	STRATA_STATE_MODIFIED, /* applied, but the file changed since */
	STRATA_STATE_MISSING,  /* applied, but the files are gone */
	STRATA_STATE_UNKNOWN   /* history status is none of the above */
} strata_state;

STRATA_EXTERN(const char *) strata_state_name(strata_state st);

/* Every string member of a status item belongs to the strata_status. */
typedef struct strata_status_item {
	const char *version; /* digits as written, any length */
	const char *name;
	strata_state state;
	const char *source;     /* file chosen for this driver, or NULL */
	const char *applied_at; /* finished_at from history, or NULL */
	const char *applied_by;
	int64_t duration_ms;
	int steps;
	const char *error;
	int out_of_order; /* pending, older than the newest applied */
	int no_transaction;
	const char *id;     /* folder name, or version_name if missing */
	const char *status; /* the history row's status as stored, or NULL */
	const char *started_at; /* from history, or NULL */
} strata_status_item;

/* From strata_status_get(); free with strata_status_free(), which frees the
 * items and all their strings. */
typedef struct strata_status {
	strata_status_item *items; /* read with strata_status_item_at() */
	size_t count;
	size_t pending, drifted, failed;
	int schema_checked;       /* a fingerprint was available to compare */
	int schema_drift;         /* the schema differs from the recorded one */
	const char *schema_since; /* version whose fingerprint was compared */
	size_t unknown;           /* rows with an undocumented status */
	size_t item_size;
	/* With schema_drift: what changed since the snapshot stored when
	 * the fingerprint was recorded, read with strata_status_drift_at()
	 * (change: STRATA_DIFF_ONLY_A removed since then, ONLY_B added,
	 * CHANGED). drift_explained is 0 when no snapshot was available (a
	 * history recorded before snapshots existed): drift without detail
	 * until the next up, down or baseline stamps one. */
	int drift_explained;
	const struct strata_diff_item *drift;
	size_t drift_count;
	/* schema_checked without reading the schema: the catalog digest
	 * stored with the fingerprint matched (see strata_set_full_check). */
	int schema_by_digest;
} strata_status;

STRATA_EXTERN(const strata_status_item *)
strata_status_item_at(const strata_status *st, size_t i);
/* The i-th drift item of st, or NULL past drift_count. */
STRATA_EXTERN(const struct strata_diff_item *)
strata_status_drift_at(const strata_status *st, size_t i);

STRATA_EXTERN(int)
strata_status_get(strata_status **out, strata *s, strata_error *err);
STRATA_EXTERN(void) strata_status_free(strata_status *st);

/* A history row's status column. */
typedef enum strata_history_status {
	STRATA_HISTORY_APPLIED,
	STRATA_HISTORY_FAILED,
	STRATA_HISTORY_SKIPPED,
	STRATA_HISTORY_BASELINE,
	STRATA_HISTORY_UNKNOWN /* anything else, or NULL: see `status` */
} strata_history_status;

/* One history row, as stored. The strings belong to the strata_history
 * (freed by strata_history_free); NULL where the column is NULL. */
typedef struct strata_history_row {
	const char *version; /* as stored; NULL if the row has none */
	const char *name, *checksum, *source, *status, *started_at;
	const char *finished_at, *applied_by, *error, *fingerprint;
	int64_t duration_ms;
	int steps;
	strata_history_status state; /* status, parsed */
} strata_history_row;

/*
 * Result lists: read element i with the *_at() accessor, which steps by
 * item_size, the size this library's items have, so that a caller built
 * against an older header keeps working when items grow.
 */
typedef struct strata_history {
	strata_history_row *rows; /* read with strata_history_row_at() */
	size_t count;
	size_t item_size;
} strata_history;

STRATA_EXTERN(const strata_history_row *)
strata_history_row_at(const strata_history *h, size_t i);

STRATA_EXTERN(int)
strata_history_get(strata_history **out, strata *s, strata_error *err);
STRATA_EXTERN(void) strata_history_free(strata_history *h);

/* The SQL `up` would run, per migration. Everything a step points to
 * belongs to the strata_plan (freed by strata_plan_free). */
typedef struct strata_plan_step {
	const char *version;
	const char *name;
	const char *source; /* NULL: skipped on this driver */
	int transactional;
	const char *const *statements; /* count statements, then NULL */
	const int *lines;              /* line of each in source */
	size_t count;
	const char *id; /* folder name */
} strata_plan_step;

typedef struct strata_plan {
	strata_plan_step *steps; /* read with strata_plan_step_at() */
	size_t count;
	size_t item_size;
} strata_plan;

STRATA_EXTERN(const strata_plan_step *)
strata_plan_step_at(const strata_plan *p, size_t i);

/* Versions are digit strings ("20240101120000"); a target of NULL means
 * all pending. An all-zero target is a usage error for plan and up. */
STRATA_EXTERN(int)
strata_plan_get(strata_plan **out, strata *s, const char *target,
                strata_error *err);
STRATA_EXTERN(void) strata_plan_free(strata_plan *p);

/* Allow applying migrations older than the newest applied one (overrides
 * the config's out_of_order = refuse). */
STRATA_EXTERN(void) strata_set_out_of_order(strata *s, int allow);

/* strata_up() runs every pending migration, with its history row, in one
 * transaction: all of them are applied or none is. Only where DDL is
 * transactional (PostgreSQL, SQLite); strata_up() refuses with
 * STRATA_EUSAGE elsewhere, and when a pending file is marked
 * -- strata:no-transaction. */
STRATA_EXTERN(void) strata_set_single_transaction(strata *s, int on);

/* strata_status_get() (and so check) introspects the schema in full
 * even when the catalog digest stored with the last fingerprint shows
 * that nothing changed. */
STRATA_EXTERN(void) strata_set_full_check(strata *s, int on);

/* Keep the checksums of applied migration files in dir (created 0700
 * when missing; NULL or "": keep none, the default), so that status,
 * plan, check and up read and hash only files that changed: a file is
 * read again when its device, inode, size, or change or modification
 * time differ from the cached ones. strata_set_full_check() reads every
 * file regardless. */
STRATA_EXTERN(void) strata_set_checksum_cache(strata *s, const char *dir);

/* Commands that change the target. They take the migration lock. */
STRATA_EXTERN(int) strata_up(strata *s, const char *target, strata_error *err);
/* Revert `count` newest applied migrations, or, with target non-NULL, all
 * above target ("0": everything). */
STRATA_EXTERN(int)
strata_down(strata *s, int count, const char *target, strata_error *err);
STRATA_EXTERN(int)
strata_baseline(strata *s, const char *version, strata_error *err);
STRATA_EXTERN(int)
strata_resolve(strata *s, const char *version, int applied, strata_error *err);
/* Record the current checksum of applied migrations whose files changed:
 * the given versions (n > 0), or all modified ones. */
STRATA_EXTERN(int)
strata_repair(strata *s, const char *const *versions, size_t n,
              strata_error *err);

/* Project scaffolding (no database needed). */
STRATA_EXTERN(int)
strata_init_project(const char *config_path, const char *migrations_dir,
                    strata_error *err);
/* Creates <dir>/<UTC timestamp>_<slug>/{up,down}.sql; *out_path is the
 * new folder (caller frees). */
STRATA_EXTERN(int)
strata_new_migration(char **out_path, const char *migrations_dir,
                     const char *name, strata_error *err);

/*
 * Installed drivers, as found on the plugin search path. The list and its
 * strings belong to the library until strata_drivers_free(). Read element
 * i with strata_driver_info_at(), which steps by this library's element
 * size: members are only ever appended, so a caller built against an older
 * header keeps reading the ones it knows.
 */
typedef struct strata_driver_info {
	const char *name;
	const char *version;     /* NULL if it cannot be used */
	const char *path;        /* without the .la/.so suffix */
	const char *description; /* NULL if it cannot be used */
	unsigned abi_major, abi_minor;
	/* Why it cannot be used, or NULL. A broken copy that the loader
	 * skips for a later one of the same name is listed after that one,
	 * its problem ending "; skipped, strata uses <path>". */
	const char *problem;
	/* The URL schemes it declares, comma-separated ("sqlite,sqlite3");
	 * NULL if it cannot be loaded. */
	const char *schemes;
} strata_driver_info;

/* The drivers on the default search path ($STRATA_PLUGIN_PATH, then the
 * built-in folder). */
STRATA_EXTERN(int)
strata_drivers_list(strata_driver_info **out, size_t *count, strata_error *err);
/* The same with plugin_path (colon-separated folders, as
 * strata_options.plugin_path; NULL: $STRATA_PLUGIN_PATH) searched before
 * the built-in folder: the drivers strata_open() would choose from. */
STRATA_EXTERN(int)
strata_drivers_list_path(strata_driver_info **out, size_t *count,
                         const char *plugin_path, strata_error *err);
/* Element i of a list from strata_drivers_list(), or NULL if i >= count. */
STRATA_EXTERN(const strata_driver_info *)
strata_driver_info_at(const strata_driver_info *list, size_t count, size_t i);
STRATA_EXTERN(void) strata_drivers_free(strata_driver_info *list, size_t count);

/*
 * One-time process set-up of libstrata itself (libltdl). Idempotent and
 * thread-safe; the functions that need it call it themselves. It runs no
 * driver code: a driver's per-process init hook (for example the MySQL
 * client library's) runs once per process when that driver is first
 * loaded (by strata_open() or strata_drivers_list()), serialised with
 * every other init hook.
 */
STRATA_EXTERN(int) strata_global_init(strata_error *err);
/* The name of a history status ("applied", ...; "unknown"). */
STRATA_EXTERN(const char *)
strata_history_status_name(strata_history_status st);

/*
 * Two schemas compared in a neutral model (strata diff), also across
 * databases: types, defaults and the differences that are not schema
 * differences are normalised as strata(1) (diff) describes. A and B are
 * two open handles (one may be on SQLite, the other on PostgreSQL).
 */
typedef enum strata_diff_change {
	STRATA_DIFF_ONLY_A, /* the object exists only in A */
	STRATA_DIFF_ONLY_B, /* only in B */
	STRATA_DIFF_CHANGED /* in both; `attribute` differs */
} strata_diff_change;

/* Every string belongs to the strata_diff (freed by strata_diff_free). */
typedef struct strata_diff_item {
	strata_diff_change change;
	/* "table", "column", "index", "unique index", "primary key",
	 * "foreign key", "view", "materialized view", "sequence" */
	const char *kind;
	/* "users", "users.email", "posts (user_id, created_at)",
	 * "posts (user_id) -> users (id)" */
	const char *object;
	/* STRATA_DIFF_CHANGED: "type", "nullable", "default", "kind",
	 * "on delete", "on update"; else NULL */
	const char *attribute;
	/* The value in A and in B (a column's neutral description, an
	 * index's name, the attribute's value); NULL where absent */
	const char *a, *b;
	/* One line: "column only in B", "type varchar(200) vs text" */
	const char *detail;
} strata_diff_item;

typedef struct strata_diff {
	strata_diff_item *items; /* read with strata_diff_item_at() */
	size_t count;            /* 0: the schemas are equal */
	size_t item_size;
} strata_diff;

STRATA_EXTERN(const strata_diff_item *)
strata_diff_item_at(const strata_diff *d, size_t i);
/* Introspects both targets (each without its history table) and
 * compares them; items are sorted by table, views and sequences last. */
STRATA_EXTERN(int)
strata_diff_get(strata_diff **out, strata *a, strata *b, strata_error *err);
STRATA_EXTERN(void) strata_diff_free(strata_diff *d);

/*
 * Lint (strata lint): findings about dangerous changes in migration files,
 * read with each target dialect's parser. See docs/lint.md for the rules.
 */
typedef enum strata_lint_severity {
	STRATA_LINT_WARNING = 1,
	STRATA_LINT_ERROR = 2
} strata_lint_severity;

/* Every string belongs to the strata_lint (freed by strata_lint_free). */
typedef struct strata_lint_finding {
	const char *rule; /* "destructive", "required-column", ... */
	strata_lint_severity severity;
	const char *version;   /* the migration's version */
	const char *file;      /* the file, as under the migrations folder */
	int line;              /* 1-based, in file; 0 for the whole file */
	const char *dialect;   /* the driver it concerns; NULL: every one */
	const char *statement; /* the statement, or NULL */
	const char *message;   /* one line: what is dangerous and why */
	const char *fixit;     /* one line: the safe multi-step pattern */
	const char *table;     /* the table it touches, or NULL */
	int64_t est_rows;      /* the table's estimated rows; -1: unknown */
	int allowed;           /* acknowledged by -- strata:allow RULE */
} strata_lint_finding;

typedef struct strata_lint {
	strata_lint_finding *items; /* read with strata_lint_finding_at() */
	size_t count;
	size_t item_size;
	size_t errors, warnings; /* not counting allowed findings */
} strata_lint;

#define STRATA_LINT_OPTIONS_VERSION 1
typedef struct strata_lint_options {
	unsigned version; /* STRATA_LINT_OPTIONS_VERSION */
	/* The versions to lint; NULL/0: the pending migrations when s is
	 * given, else every migration in the folder. */
	const char *const *versions;
	size_t nversions;
	int all; /* every migration in the folder, applied or not */
	/* The dialects (driver names) whose rules apply, comma-separated;
	 * NULL: the target's driver and those named by override files, or
	 * every installed driver when neither is known. */
	const char *dialects;
	/* A finding on a table with more estimated rows is raised to an
	 * error and shows the count; 0: 1,000,000. */
	int64_t row_threshold;
	/* The migrations folder when s is NULL (NULL: "migrations"). */
	const char *migrations_dir;
	/* Driver folders as strata_options.plugin_path. */
	const char *plugin_path;
	/* SQL run at connect time (strata_config_init_sql()): a lock
	 * timeout set there counts for no-lock-timeout. NULL: s's config's
	 * when s is given. */
	const char *init_sql;
} strata_lint_options;

#ifdef __cplusplus
#define STRATA_LINT_OPTIONS_INIT                                               \
	{                                                                      \
		STRATA_LINT_OPTIONS_VERSION, NULL, 0, 0, NULL, 0, NULL, NULL,  \
		        NULL                                                   \
	}
#else
#define STRATA_LINT_OPTIONS_INIT                                               \
	{                                                                      \
		.version = STRATA_LINT_OPTIONS_VERSION                         \
	}
#endif

STRATA_EXTERN(const strata_lint_finding *)
strata_lint_finding_at(const strata_lint *l, size_t i);
/* Lint migrations. s may be NULL (no database: no row counts, every
 * table assumed to exist unless the same file creates it). Findings are
 * in version, file and line order. Returns STRATA_OK whatever was found;
 * the caller reads errors and warnings. */
STRATA_EXTERN(int)
strata_lint_get(strata_lint **out, strata *s, const strata_lint_options *opts,
                strata_error *err);
STRATA_EXTERN(void) strata_lint_free(strata_lint *l);
/* strata_up() lints what it is about to apply and refuses with
 * STRATA_ELINT on unacknowledged errors unless this is set. */
STRATA_EXTERN(void) strata_set_allow_destructive(strata *s, int allow);

/*
 * Verify (strata verify): each pending migration applied, reverted and
 * applied again on a scratch database, under the migration lock, with
 * strata_up() and strata_down() themselves. The schema after its down
 * must equal the one before its up, and the second up must yield the
 * schema of the first (compared as strata_diff_get compares).
 */
typedef enum strata_verify_stage {
	STRATA_VERIFY_OK = 0,      /* every pending migration verified */
	STRATA_VERIFY_UP,          /* its up failed (message) */
	STRATA_VERIFY_DOWN,        /* its down failed (message) */
	STRATA_VERIFY_RESTORE,     /* its down left another schema (items) */
	STRATA_VERIFY_REUP,        /* the second up failed (message) */
	STRATA_VERIFY_REUP_DIFFERS /* the second up gave another schema */
} strata_verify_stage;

/* Every string belongs to the strata_verify (strata_verify_free). */
typedef struct strata_verify {
	const char *target; /* the scratch database, redacted */
	const char *driver; /* its driver */
	int temporary;      /* a temporary SQLite file, removed since */
	size_t pending;     /* migrations there were to verify */
	size_t checked;     /* migrations that passed */
	strata_verify_stage stage;
	/* The first migration that failed; NULL when stage is OK. */
	const char *version, *id, *name;
	const char *message; /* one line: what failed */
	/* The differences (RESTORE: A before its up, B after its down;
	 * REUP_DIFFERS: A after the first up, B after the second), each
	 * detail saying which, e.g. "column only after down". */
	strata_diff_item *items; /* read with strata_verify_item_at() */
	size_t count;
	size_t item_size;
} strata_verify;

#define STRATA_VERIFY_OPTIONS_VERSION 1
typedef struct strata_verify_options {
	unsigned version; /* STRATA_VERIFY_OPTIONS_VERSION */
	/* 0: a temporary SQLite file (removed after); 1: the database of
	 * the config's URL, which must hold no table but strata's own. */
	int use_target;
	/* Accept a database that holds tables: verify its pending
	 * migrations there. */
	int scratch_ok;
	/* Progress: the events of the up and down runs. */
	strata_event_fn on_event;
	void *event_ctx;
} strata_verify_options;

#ifdef __cplusplus
#define STRATA_VERIFY_OPTIONS_INIT                                             \
	{                                                                      \
		STRATA_VERIFY_OPTIONS_VERSION, 0, 0, NULL, NULL                \
	}
#else
#define STRATA_VERIFY_OPTIONS_INIT                                             \
	{                                                                      \
		.version = STRATA_VERIFY_OPTIONS_VERSION                       \
	}
#endif

/* STRATA_OK when every migration could be tried (read stage: a failing
 * migration is a result, not an error); STRATA_EUSAGE for a database
 * that holds tables without scratch_ok, STRATA_ELOCK, STRATA_EFAIL. cfg
 * gives the migrations folder, history table and lock timeout. */
STRATA_EXTERN(int)
strata_verify_get(strata_verify **out, const strata_config *cfg,
                  const strata_verify_options *opts, strata_error *err);
STRATA_EXTERN(const strata_diff_item *)
strata_verify_item_at(const strata_verify *v, size_t i);
STRATA_EXTERN(void) strata_verify_free(strata_verify *v);
/* "ok", "up", "down", "restore", "re-up", "re-up-differs". */
STRATA_EXTERN(const char *) strata_verify_stage_name(strata_verify_stage st);

/*
 * Dump (strata dump): the introspected schema, without the history table
 * and its snapshot table, as deterministic DDL in the target's dialect:
 * tables, indexes, foreign keys, views and triggers, sorted by name.
 * *out (NUL-terminated, ending with a newline) is the caller's, freed
 * with free().
 */
STRATA_EXTERN(int) strata_dump(char **out, strata *s, strata_error *err);
/* strata_dump() written to path atomically (a temporary file in the same
 * folder, then rename). */
STRATA_EXTERN(int)
strata_dump_to_file(strata *s, const char *path, strata_error *err);
/* The config's schema_file: where `up` and `down` write the dump after
 * they succeed, or NULL. */
STRATA_EXTERN(const char *)
strata_config_schema_file(const strata_config *cfg);

/*
 * Import (strata import): the history of another tool ("dbmate",
 * "golang-migrate", "goose", "flyway", "pop") in the same database,
 * adopted: each version it applied is recorded as "baseline" (not run),
 * with the checksum of the file as it is now. Refused (STRATA_EUSAGE,
 * nothing written) when that history holds a failed or dirty migration, a
 * version missing from the folder, or (Flyway) a file changed since it
 * was applied. Versions strata has already recorded are left alone.
 */
#define STRATA_IMPORT_OPTIONS_VERSION 1
typedef struct strata_import_options {
	unsigned version;  /* STRATA_IMPORT_OPTIONS_VERSION */
	const char *tool;  /* required */
	const char *table; /* the tool's history table; NULL: its default */
	/* NULL: the folder stays as it is. Else a new folder (it must not
	 * exist) that receives the migrations in strata's own layout, whose
	 * files are then the ones recorded: point `migrations` at it. */
	const char *convert_to;
} strata_import_options;

#ifdef __cplusplus
#define STRATA_IMPORT_OPTIONS_INIT                                             \
	{                                                                      \
		STRATA_IMPORT_OPTIONS_VERSION, NULL, NULL, NULL                \
	}
#else
#define STRATA_IMPORT_OPTIONS_INIT                                             \
	{                                                                      \
		.version = STRATA_IMPORT_OPTIONS_VERSION                       \
	}
#endif

STRATA_EXTERN(int)
strata_import(strata *s, const strata_import_options *opts, strata_error *err);

/*
 * Targets: the databases one command runs on (docs/scale-out.md). From a
 * file (one URL a line, or "NAME URL"; blank lines and # comments
 * ignored; ${VAR} expanded), else from the config environment's own
 * targets = URL, URL / targets_file = PATH / tenants = a, b (with
 * ${tenant} in its url). Each target has a short name (the NAME, the
 * tenant, the database or file name; unique) and its URL. *out is NULL
 * when there is no list (an ordinary, single-target config).
 */
typedef struct strata_targets strata_targets;
STRATA_EXTERN(int)
strata_targets_load(strata_targets **out, const strata_config *cfg,
                    const char *file, strata_error *err);
STRATA_EXTERN(size_t) strata_targets_count(const strata_targets *t);
STRATA_EXTERN(const char *)
strata_targets_url(const strata_targets *t, size_t i);
STRATA_EXTERN(const char *)
strata_targets_name(const strata_targets *t, size_t i);
/* The URL with its password replaced by "***". */
STRATA_EXTERN(const char *)
strata_targets_redacted(const strata_targets *t, size_t i);
/* Keeps slice k (1..n) of n, by rendezvous hashing of each redacted URL:
 * every target lands in exactly one slice, and a target added to the
 * list or a changed n moves as few others as it can. Order is kept. */
STRATA_EXTERN(int)
strata_targets_shard(strata_targets *t, unsigned k, unsigned n,
                     strata_error *err);
STRATA_EXTERN(void) strata_targets_free(strata_targets *t);

#ifdef __cplusplus
}
#endif
#endif /* STRATA_STRATA_H */
