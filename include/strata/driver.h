/*
 * strata driver ABI: the only header a strata driver plugin includes.
 *
 * A driver is a libtool module named strata_<name>.la that exports one const
 * symbol, `strata_driver_<name>`, of type strata_driver. The loader refuses a
 * module whose abi_version major differs from STRATA_DRIVER_ABI_MAJOR or whose
 * struct_size is smaller than the ABI it claims. New operations are appended
 * to the end of strata_driver and bump the minor version, so older drivers
 * keep loading; the core checks struct_size before calling appended members.
 */
#ifndef STRATA_DRIVER_H
#define STRATA_DRIVER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define STRATA_DRIVER_ABI_MAJOR 2
#define STRATA_DRIVER_ABI_MINOR 8
#define STRATA_DRIVER_ABI_VERSION                                              \
	((uint32_t)((STRATA_DRIVER_ABI_MAJOR << 16) | STRATA_DRIVER_ABI_MINOR))

/* Prefix of the exported vtable symbol; the driver name follows. */
#define STRATA_DRIVER_SYMBOL_PREFIX "strata_driver_"

/* Return codes of driver operations. */
enum {
	STRATA_DRV_OK = 0,
	STRATA_DRV_ERROR = -1,   /* err is filled in */
	STRATA_DRV_TIMEOUT = -2, /* lock not acquired within the timeout */
	STRATA_DRV_NOMEM = -3,
	/* The request cannot work as configured (bad URL parameter,
	 * unusable lock file, unsupported setup); err says why. Exit 2. */
	STRATA_DRV_CONFIG = -4,
	/* lock_check(): the lock is no longer held by this session. */
	STRATA_DRV_LOST = -5
};

/* Flags for connect(). */
#define STRATA_CONNECT_NO_CREATE (1u << 0) /* never create a database file */

/* A database error as the database reported it. */
typedef struct strata_dberr {
	char sqlstate[8]; /* five-character SQLSTATE, or "" */
	int code;         /* native error code, or 0 */
	char message[1024];
} strata_dberr;

/* A URL query parameter (percent-decoded). */
typedef struct strata_url_param {
	const char *key;
	const char *value;
} strata_url_param;

/*
 * A connection URL, parsed and percent-decoded by the core in the form the
 * driver declares (url_form). Absent parts are NULL (port: 0). For
 * STRATA_URL_FILE, path is the filesystem path and there is no user, host
 * or port. For servers, path is the database name without the leading
 * slash. Never print `password`.
 */
typedef struct strata_url {
	const char *scheme; /* as written: "sqlite", "postgres", "mariadb"... */
	const char *user;
	const char *password;
	const char *host; /* may be a unix socket directory or file */
	int port;
	const char *path;
	const strata_url_param *params;
	size_t nparams;
} strata_url;

/* Statement-splitting rules of a dialect (flags for the core's splitter). */
#define STRATA_SPLIT_DOLLAR_QUOTES   (1u << 0) /* $tag$ ... $tag$ */
#define STRATA_SPLIT_DELIMITER       (1u << 1) /* MySQL client DELIMITER */
#define STRATA_SPLIT_BEGIN_END       (1u << 2) /* BEGIN ... END bodies */
#define STRATA_SPLIT_BACKSLASH_ESC   (1u << 3) /* \' inside '...' and "..." */
#define STRATA_SPLIT_HASH_COMMENT    (1u << 4) /* # to end of line */
#define STRATA_SPLIT_BRACKET_IDENT   (1u << 5) /* [identifier] */
#define STRATA_SPLIT_BACKTICK_IDENT  (1u << 6) /* `identifier` */
#define STRATA_SPLIT_NESTED_COMMENTS (1u << 7) /* slash-star comments nest */
#define STRATA_SPLIT_E_STRINGS       (1u << 8) /* E'...' backslash escapes */
#define STRATA_SPLIT_DQUOTE_STRING   (1u << 9) /* "..." is a string (MySQL) */

/* How bound parameters are written in SQL passed to query(). */
enum { STRATA_PARAM_QMARK = 0, STRATA_PARAM_DOLLAR = 1 };

typedef struct strata_dialect {
	const char *name;      /* "sqlite", "postgres", "mysql" */
	char ident_quote;      /* '"' or '`' */
	int transactional_ddl; /* DDL commits with the transaction */
	int param_style;       /* STRATA_PARAM_* */
	unsigned split_flags;  /* STRATA_SPLIT_* */
	/*
	 * Appended to the core's CREATE TABLE of the history table (whose
	 * column types every supported database accepts), e.g. MySQL's
	 * "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"; NULL for nothing.
	 */
	const char *history_table_options;
	/*
	 * May be NULL. The statements that turn the history table's version
	 * column (an integer in tables made by strata 0.1) into
	 * VARCHAR(255), shown to the user to run by hand. A template: %T is
	 * the quoted history table, %D the core's CREATE TABLE of it (for a
	 * database that must rebuild the table), %% a '%'. NULL: the message
	 * asks for the change in words.
	 */
	const char *widen_version_sql;
} strata_dialect;

/* How a driver's URLs are written after "scheme:" (strata_driver.url_form). */
enum {
	/* scheme://user:password@host:port/database?key=value; path is the
	 * database name without the leading slash. */
	STRATA_URL_SERVER = 0,
	/* scheme:relative/path, scheme:///absolute/path or
	 * scheme://relative/path, then ?key=value; path is the file's path.
	 * A bare path without a scheme is a file for the driver of the
	 * "sqlite" scheme. */
	STRATA_URL_FILE = 1
};

/* A bound parameter value. */
enum { STRATA_VAL_NULL = 0, STRATA_VAL_TEXT = 1, STRATA_VAL_INT = 2 };
typedef struct strata_value {
	int type;
	const char *text; /* STRATA_VAL_TEXT, NUL-terminated */
	int64_t i;        /* STRATA_VAL_INT */
} strata_value;

/* Receives one result row; NULL values are NULL pointers. Non-zero stops. */
typedef int (*strata_row_fn)(void *ctx, int ncols, const char *const *values);

/* One statement of batch() (ABI 2.4). */
typedef struct strata_batch_item {
	const char *sql;
	const strata_value *params; /* may be NULL when nparams is 0 */
	int nparams;
	int64_t changes; /* out: rows changed, -1 when unknown */
} strata_batch_item;

#define STRATA_BATCH_BEGIN  1u /* open a transaction before the items */
#define STRATA_BATCH_COMMIT 2u /* commit it after them */
/* Each item must change exactly one row (an UPDATE: match one); one that
 * does not is a failure at its index, with its changes set, and nothing
 * after it runs. Passed only to a driver whose batch_flags has it (ABI
 * 2.7); for any other the core checks the counts before it commits. */
#define STRATA_BATCH_ONE_ROW 4u
/* After the items, and before the COMMIT if any, in the same round trip:
 * the session must find the migration lock still held by the lock session
 * that lock_guard() armed it with; if not, a failure at index n, with the
 * COMMIT not run. Passed only to a driver whose batch_flags has it, on a
 * session armed by lock_guard() (ABI 2.8). */
#define STRATA_BATCH_LOCKED 8u

/*
 * Introspection output. The core owns the model; the driver reports objects
 * through these callbacks (any order; columns in ordinal order). Lists of
 * columns are comma-separated without quoting. A non-zero return aborts.
 * table and column are always set. index, foreign_key and object may be
 * NULL (ABI 2.6), but only for a driver whose introspect_flags has
 * STRATA_INTROSPECT_PARTIAL: the caller does not want them, and the
 * driver need not read them.
 */
typedef struct strata_schema_sink {
	void *ctx;
	int (*table)(void *ctx, const char *table, int64_t est_rows /* -1 */);
	int (*column)(void *ctx, const char *table, const char *column,
	              const char *type, int nullable, const char *default_expr);
	int (*index)(void *ctx, const char *table, const char *index,
	             int unique, int primary, const char *columns);
	int (*foreign_key)(void *ctx, const char *table, const char *name,
	                   const char *columns, const char *ref_table,
	                   const char *ref_columns, const char *on_delete,
	                   const char *on_update);
	/* Other named objects: kind is "view", "trigger", "sequence"... */
	int (*object)(void *ctx, const char *kind, const char *name,
	              const char *table);
} strata_schema_sink;

/*
 * Receives one statement of a script from split(): its text (stmt_len
 * bytes, not NUL-terminated, valid until fn returns) and the 1-based line,
 * in the whole file, of its first token. Non-zero stops the split.
 */
typedef int (*strata_stmt_fn)(void *ctx, const char *stmt, size_t stmt_len,
                              int line);

/*
 * What one statement changes, as analyze() reports it (ABI 2.2): the
 * neutral facts the linter's rules read. One statement may report several
 * actions (an ALTER TABLE with several clauses). Names are unquoted, as
 * the database would resolve them (unquoted identifiers folded the
 * dialect's way); strings are valid until the callback returns.
 */
enum strata_action_kind {
	STRATA_ACT_OTHER = 0,           /* anything not listed below */
	STRATA_ACT_CREATE_TABLE,        /* table */
	STRATA_ACT_DROP_TABLE,          /* table (one action per table) */
	STRATA_ACT_TRUNCATE,            /* table */
	STRATA_ACT_DELETE,              /* table; F_WHERE */
	STRATA_ACT_UPDATE,              /* table; F_WHERE */
	STRATA_ACT_ADD_COLUMN,          /* table, column, type; F_NOT_NULL,
	                                   F_DEFAULT, F_VOLATILE_DEFAULT,
	                                   F_GENERATED */
	STRATA_ACT_DROP_COLUMN,         /* table, column */
	STRATA_ACT_ALTER_TYPE,          /* table, column, type (the new one);
	                                   F_USING. MySQL MODIFY/CHANGE also
	                                   sets F_NOT_NULL as written */
	STRATA_ACT_SET_NOT_NULL,        /* table, column */
	STRATA_ACT_DROP_NOT_NULL,       /* table, column */
	STRATA_ACT_SET_DEFAULT,         /* table, column; F_VOLATILE_DEFAULT */
	STRATA_ACT_CREATE_INDEX,        /* table, name; F_UNIQUE,
	                                   F_CONCURRENTLY, F_ONLINE */
	STRATA_ACT_DROP_INDEX,          /* name, table if known;
	                                   F_CONCURRENTLY */
	STRATA_ACT_ADD_CONSTRAINT,      /* table, name, detail: "primary key",
	                                   "unique", "foreign key", "check",
	                                   "exclusion"; F_NOT_VALID */
	STRATA_ACT_VALIDATE_CONSTRAINT, /* table, name */
	STRATA_ACT_DROP_CONSTRAINT,     /* table, name */
	STRATA_ACT_RENAME_TABLE,        /* table, name (the new name) */
	STRATA_ACT_RENAME_COLUMN,       /* table, column, name (the new name) */
	/* A session setting that bounds lock waits (PostgreSQL lock_timeout,
	 * MySQL lock_wait_timeout); detail: the value as written */
	STRATA_ACT_SET_LOCK_TIMEOUT,
	STRATA_ACT_DROP_SCHEMA,      /* name: a schema or database */
	STRATA_ACT_ALTER_TABLE_OTHER /* table: an ALTER TABLE clause not
	                                listed (e.g. MySQL ENGINE=) */
};

#define STRATA_ACTF_WHERE    (1u << 0) /* DELETE/UPDATE has WHERE */
#define STRATA_ACTF_NOT_NULL (1u << 1)
#define STRATA_ACTF_DEFAULT  (1u << 2) /* a DEFAULT is given */
#define STRATA_ACTF_VOLATILE_DEFAULT                                           \
	(1u << 3) /* e.g. random(), now() on                                   \
	             MySQL, nextval() */
#define STRATA_ACTF_CONCURRENTLY (1u << 4)
#define STRATA_ACTF_UNIQUE       (1u << 5)
#define STRATA_ACTF_NOT_VALID    (1u << 6)
#define STRATA_ACTF_IF_EXISTS    (1u << 7)
/* MySQL: ALGORITHM=INPLACE or INSTANT and LOCK=NONE were asked for */
#define STRATA_ACTF_ONLINE    (1u << 8)
#define STRATA_ACTF_GENERATED (1u << 9)
#define STRATA_ACTF_USING     (1u << 10) /* ALTER TYPE ... USING */
#define STRATA_ACTF_TEMPORARY (1u << 11) /* a temporary table */

typedef struct strata_action {
	uint32_t struct_size; /* sizeof(strata_action) of the reporter */
	int kind;             /* enum strata_action_kind */
	unsigned flags;       /* STRATA_ACTF_* */
	const char *schema;   /* NULL: not qualified */
	const char *table;    /* NULL where it does not apply */
	const char *column;   /* NULL where it does not apply */
	const char *name;     /* index/constraint name, a rename's new name */
	const char *type;     /* a column's type as written, or NULL */
	const char *detail;   /* see the kinds; NULL otherwise */
	int line;             /* 1-based line within the statement, or 0 */
} strata_action;

/* Receives one action from analyze(); non-zero stops. */
typedef int (*strata_action_fn)(void *ctx, const strata_action *a);

/*
 * Introspection details beyond strata_schema_sink (ABI 2.2), reported by
 * introspect_detail() for the same objects. Only what differs from the
 * plain case is reported: an index whose keys are plain ascending columns
 * with the default operator class, no predicate and no INCLUDE gets no
 * call, so that schemas without such details fingerprint as before.
 */
typedef struct strata_detail_sink {
	uint32_t struct_size; /* sizeof(strata_detail_sink) of the core */
	void *ctx;
	/* keys: the key list as the database shows it, comma-separated,
	 * e.g. "lower(email)", "created_at DESC", "name text_pattern_ops";
	 * predicate: a partial index's WHERE, or NULL; include: INCLUDE
	 * columns or NULL; method: "btree", "gin", ... or NULL */
	int (*index)(void *ctx, const char *table, const char *index,
	             const char *keys, const char *predicate,
	             const char *include, const char *method);
	/* A generated column's expression as the database shows it; stored:
	 * 1 stored, 0 virtual. */
	int (*generated)(void *ctx, const char *table, const char *column,
	                 const char *expr, int stored);
	/* The definition of an object reported by object() (a view's
	 * SELECT, a trigger's CREATE TRIGGER), as the database shows it. */
	int (*definition)(void *ctx, const char *kind, const char *name,
	                  const char *sql);
} strata_detail_sink;

/* Driver-defined connection state. */
typedef struct strata_conn strata_conn;

/*
 * The driver vtable. Every member says whether it is required or may be
 * NULL; the loader refuses a driver that lacks a required one. Members
 * are never reordered within a major version: new ones are appended
 * below a "ABI 2.n" marker and bump the minor version, and the core
 * tests them with STRATA_DRV_HAS() before use.
 *
 * Names of tables are passed as `schema` (NULL: the session's current
 * schema or database) and `table`, both unquoted, never joined with a
 * dot: either may contain any character.
 */
typedef struct strata_driver {
	/* ---- ABI 2.0 ---- */
	uint32_t abi_version;    /* required: STRATA_DRIVER_ABI_VERSION */
	uint32_t struct_size;    /* required: sizeof(strata_driver) */
	const char *name;        /* required: matches the module and symbol */
	const char *version;     /* required: the driver's own version */
	const char *description; /* may be NULL */
	/* Required: URL schemes handled, NULL-terminated, at least one.
	 * The core finds the driver for a URL by these, not by a table. */
	const char *const *schemes;
	/*
	 * May be NULL (then { name }): the names this driver's override files
	 * carry, up.<file_name>.sql, NULL-terminated; the first is the one
	 * messages suggest. A file named after one of the driver's schemes
	 * but not listed here is refused, since it would never run.
	 */
	const char *const *file_names;
	const strata_dialect *dialect; /* required */
	/* STRATA_URL_SERVER (0, the default) or STRATA_URL_FILE: how the
	 * core parses the rest of a URL with one of this driver's schemes. */
	int url_form;

	/*
	 * May be NULL. Called once per process, before the first connect,
	 * serialised by the core (e.g. mysql_library_init, which is not
	 * thread-safe). Non-OK makes the driver unusable; err says why.
	 */
	int (*init)(strata_dberr *err);

	/* Required. Sets *out only on success. flags: STRATA_CONNECT_*. */
	int (*connect)(strata_conn **out, const strata_url *url, unsigned flags,
	               strata_dberr *err);
	void (*close)(strata_conn *conn); /* required */
	/* May be NULL. Human-readable server version ("PostgreSQL 15.4"). */
	const char *(*server_version)(strata_conn *conn);
	/*
	 * May be NULL. Called once per session after init_sql: make the
	 * session fit for migrating (e.g. MySQL autocommit back on) and
	 * report its statement-splitting rules as the session's settings
	 * make them (e.g. MySQL NO_BACKSLASH_ESCAPES, ANSI_QUOTES).
	 * *split_flags holds the dialect's flags on entry.
	 */
	int (*session_setup)(strata_conn *conn, unsigned *split_flags,
	                     strata_dberr *err);

	/* Required. Run one statement, discarding any result rows. */
	int (*exec)(strata_conn *conn, const char *sql, strata_dberr *err);
	/* Required. One statement with bound parameters; rows go to fn if
	 * set, every column of every row, NULLs as NULL pointers. */
	int (*query)(strata_conn *conn, const char *sql,
	             const strata_value *params, int nparams, strata_row_fn fn,
	             void *fn_ctx, strata_dberr *err);
	int (*begin)(strata_conn *conn, strata_dberr *err);    /* required */
	int (*commit)(strata_conn *conn, strata_dberr *err);   /* required */
	int (*rollback)(strata_conn *conn, strata_dberr *err); /* required;
	                  must also leave autocommit on */
	/* May be NULL. Rows changed by the last exec()/query(), or -1. */
	int64_t (*changes)(strata_conn *conn);
	/*
	 * May be NULL. Whether the session is inside a transaction or has
	 * autocommit off (so that what it writes next would not be durable):
	 * 1 yes, 0 no, -1 unknown. The core asks after every script run
	 * outside a transaction and fails the migration on 1.
	 */
	int (*in_transaction)(strata_conn *conn);

	/*
	 * Required. Advisory lock named `name`, held by this session until
	 * unlock() or close(), and between processes. STRATA_DRV_TIMEOUT
	 * when not acquired within timeout_ms.
	 */
	int (*lock)(strata_conn *conn, const char *name, unsigned timeout_ms,
	            strata_dberr *err);
	int (*unlock)(strata_conn *conn, const char *name,
	              strata_dberr *err); /* required */
	/*
	 * May be NULL (the lock cannot be lost). Whether the lock taken by
	 * lock() is still held: OK, or STRATA_DRV_LOST (err says why). Also
	 * keeps the lock session alive.
	 */
	int (*lock_check)(strata_conn *conn, const char *name,
	                  strata_dberr *err);

	/*
	 * May be NULL (no schemas: SQLite). The schema (PostgreSQL) or
	 * database (MySQL) in which `table` resolves now, or where it would
	 * be created, malloc'd into *out; with `schema` non-NULL, a copy of
	 * it. The core calls it once per session with the history table and
	 * pins the answer; the driver may keep introspection to that schema
	 * for the session. *out = NULL where the notion does not apply.
	 */
	int (*current_schema)(strata_conn *conn, const char *schema,
	                      const char *table, char **out, strata_dberr *err);
	/* Required. Whether schema.table (schema NULL: current) exists. */
	int (*table_exists)(strata_conn *conn, const char *schema,
	                    const char *table, int *exists, strata_dberr *err);
	/* Required. Report the user schema (the current database/schema, or
	 * the one current_schema() pinned) to sink. */
	int (*introspect)(strata_conn *conn, const strata_schema_sink *sink,
	                  strata_dberr *err);
	/* ---- ABI 2.0 ends here; ABI 2.1 members follow. ---- */

	/* ---- ABI 2.1 ---- */
	/*
	 * May be NULL: the core's splitter with the dialect's split_flags (as
	 * session_setup adjusted them) is used. Split a migration script with
	 * the database's own parser, without a connection (any thread, init
	 * done), before any pending file runs. sql is len bytes with no NUL
	 * byte among them, and sql[len] is '\0'. Call fn once per statement,
	 * in order, with its text from its first token (no leading blanks or
	 * comments) to its end, without the terminating ';' (the core trims
	 * trailing blanks); empty statements and comments alone are not
	 * statements. When fn returns non-zero, stop and return
	 * STRATA_DRV_ERROR. When the script does not parse, return
	 * STRATA_DRV_ERROR with the parser's message in err and the 1-based
	 * line of the error in *err_line (0: unknown); nothing of the script
	 * has run then.
	 */
	int (*split)(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
	             int *err_line, strata_dberr *err);
	/* ---- ABI 2.1 ends here; ABI 2.2 members follow. ---- */

	/* ---- ABI 2.2 ---- */
	/*
	 * May be NULL: the core's tokenizer reads the statement with the
	 * dialect's rules. Parse one statement as split() (or the core's
	 * splitter) gave it, without a connection, and call fn once per
	 * action, in order; a statement that changes nothing the linter
	 * knows reports one STRATA_ACT_OTHER. When it does not parse, return
	 * STRATA_DRV_ERROR with the parser's message in err.
	 */
	int (*analyze)(const char *stmt, size_t len, strata_action_fn fn,
	               void *ctx, strata_dberr *err);
	/*
	 * May be NULL. Compile one statement on conn without running it
	 * (e.g. sqlite3_prepare_v2): OK, or STRATA_DRV_ERROR with the
	 * database's message in err when the database rejects it.
	 */
	int (*prepare)(strata_conn *conn, const char *sql, strata_dberr *err);
	/*
	 * May be NULL. After introspect(), report the details of the same
	 * schema to sink (see strata_detail_sink). A driver reads only the
	 * sink members within sink->struct_size.
	 */
	int (*introspect_detail)(strata_conn *conn,
	                         const strata_detail_sink *sink,
	                         strata_dberr *err);
	/* ---- ABI 2.2 ends here; ABI 2.3 members follow. ---- */

	/* ---- ABI 2.3 ---- */
	/*
	 * May be NULL (status then introspects in full every time). Report
	 * to fn, in any order (the core sorts the rows' hashes first)
	 * and with as few queries as the database allows, catalog rows that
	 * determine everything introspect() and introspect_detail() report for
	 * the same schema (SQLite: the SQL text in sqlite_schema). The first
	 * column of a row names the table it belongs to, or is NULL (none, or a
	 * row that digests many tables at once); the core leaves out its own
	 * tables' rows. The core only hashes the rows, to skip a full
	 * introspection when nothing changed since the last one: equal rows
	 * must mean an equal schema; unequal rows may still be equal (more than
	 * the schema may be digested).
	 */
	int (*catalog)(strata_conn *conn, strata_row_fn fn, void *ctx,
	               strata_dberr *err);
	/* ---- ABI 2.3 ends here; ABI 2.4 members follow. ---- */

	/* ---- ABI 2.4 ---- */
	/*
	 * May be NULL (the core then calls begin, query for each item and
	 * commit, one round trip each). Run items[0..n) in order, each with
	 * its own parameters and no result rows, in as few round trips as
	 * the database allows, with BEGIN before the first when flags has
	 * STRATA_BATCH_BEGIN and COMMIT after the last when it has
	 * STRATA_BATCH_COMMIT. Stop at the first failure, describe it in err
	 * and set *failed to its index (SIZE_MAX: the BEGIN, n: the COMMIT);
	 * nothing after it may run. Set each item's changes (rows changed,
	 * -1 when unknown). Without STRATA_BATCH_BEGIN the items are
	 * atomic only inside the caller's transaction. The core sends only
	 * its own bookkeeping statements this way, never a migration's, and
	 * rolls back after a failure.
	 */
	int (*batch)(strata_conn *conn, strata_batch_item *items, size_t n,
	             unsigned flags, size_t *failed, strata_dberr *err);
	/*
	 * May be NULL (never a standby). Set *standby to 1 when the server
	 * is a read-only replica that follows a primary (PostgreSQL: a hot
	 * standby, pg_is_in_recovery()), else 0. Commands that write (up,
	 * down, baseline, resolve, repair, verify) refuse such a target
	 * before they take the lock.
	 */
	int (*standby)(strata_conn *conn, int *standby, strata_dberr *err);
	/* ---- ABI 2.4 ends here; ABI 2.5 members follow. ---- */

	/* ---- ABI 2.5 ---- */
	/*
	 * May be NULL (the linter then counts the rows when a finding needs
	 * the number and introspect() reported -1). Set *rows to the
	 * database's estimate of the rows of table, in the schema introspect()
	 * reads, without reading them (MySQL: information_schema.TABLES),
	 * or -1 when it has none or there is no such table. For databases
	 * where an estimate costs as much per table in introspect() as a
	 * whole pass over the schema (MariaDB opens every table for it).
	 */
	int (*table_rows)(strata_conn *conn, const char *table, int64_t *rows,
	                  strata_dberr *err);
	/* ---- ABI 2.5 ends here; ABI 2.6 members follow. ---- */

	/* ---- ABI 2.6 ---- */
	/*
	 * May be 0. STRATA_INTROSPECT_PARTIAL: introspect() accepts a sink
	 * whose index, foreign_key or object is NULL, and skips what they
	 * would report (and the queries for it). Without it the core fills
	 * such members with callbacks that ignore the report.
	 */
	unsigned introspect_flags;
	/* ---- ABI 2.6 ends here; ABI 2.7 members follow. ---- */

	/* ---- ABI 2.7 ---- */
	/*
	 * May be 0. The STRATA_BATCH_* flags beyond BEGIN and COMMIT that
	 * batch() honours (STRATA_BATCH_ONE_ROW: it checks the row counts
	 * before its COMMIT, in the same round trip). Read only from a
	 * driver of ABI 2.7 or later: an ABI 2.6 vtable's size already
	 * covers it, in its tail padding.
	 */
	unsigned batch_flags;
	/*
	 * May be NULL (the core calls prepare() for each). prepare() for
	 * sqls[0..n), each on its own and in order, in as few round trips
	 * as the database allows. When the database rejects one, set
	 * *rejected to its index, its message in err, and return
	 * STRATA_DRV_ERROR: the caller resumes after it. A failure that
	 * prepare() would not call a rejection is none here either.
	 */
	int (*prepare_many)(strata_conn *conn, const char *const *sqls,
	                    size_t n, size_t *rejected, strata_dberr *err);
	/* ---- ABI 2.7 ends here; ABI 2.8 members follow. ---- */

	/* ---- ABI 2.8 ---- */
	/*
	 * May be NULL; required when batch_flags has STRATA_BATCH_LOCKED.
	 * Arm conn, a migration session, to check in its batch() that
	 * lock_conn, another session of the same database, still holds the
	 * lock it took with lock() on name: without a round trip of its own,
	 * in the database's view at the COMMIT. Check the check once before
	 * returning: STRATA_DRV_OK only when conn finds the lock held now;
	 * any failure leaves conn unarmed, and the core then asks
	 * lock_check() on lock_conn before each commit instead. Arming again
	 * replaces the check; close() forgets it.
	 */
	int (*lock_guard)(strata_conn *conn, strata_conn *lock_conn,
	                  const char *name, strata_dberr *err);
	/* ---- ABI 2.8 ends here; append ABI 2.9 members below. ---- */
} strata_driver;

/* introspect_flags */
#define STRATA_INTROSPECT_PARTIAL 1u

/* The batch flags drv honours: 0 before ABI 2.7, whose vtables may cover
 * batch_flags with their size, in the tail padding. */
#define STRATA_DRV_BATCH_FLAGS(drv)                                            \
	(((drv)->abi_version & 0xffffu) >= 7 &&                                \
	                 (drv)->struct_size >=                                 \
	                         offsetof(strata_driver, batch_flags) +        \
	                                 sizeof((drv)->batch_flags)            \
	         ? (drv)->batch_flags                                          \
	         : 0u)

/* Whether drv has member `op` (within its struct_size) and it is set. */
#define STRATA_DRV_HAS(drv, op)                                                \
	((drv)->struct_size >=                                                 \
	         offsetof(strata_driver, op) + sizeof((drv)->op) &&            \
	 (drv)->op != NULL)

#ifdef __cplusplus
}
#endif
#endif /* STRATA_DRIVER_H */
