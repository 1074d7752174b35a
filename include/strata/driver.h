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

#define STRATA_DRIVER_ABI_MAJOR 1
#define STRATA_DRIVER_ABI_MINOR 1
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
	/* ABI 1.1: the request cannot work as configured (bad URL parameter,
	 * unusable lock file, unsupported setup); err says why. Exit 2. */
	STRATA_DRV_CONFIG = -4,
	/* ABI 1.1: lock_check(): the lock is no longer held by this session. */
	STRATA_DRV_LOST = -5
};

/* ABI 1.1: flags for connect_ex(). */
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
 * A connection URL, parsed and percent-decoded by the core. Absent parts are
 * NULL (port: 0). For SQLite, path is the filesystem path. For servers, path
 * is the database name without the leading slash. Never print `password`.
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
} strata_dialect;

/* A bound parameter value. */
enum { STRATA_VAL_NULL = 0, STRATA_VAL_TEXT = 1, STRATA_VAL_INT = 2 };
typedef struct strata_value {
	int type;
	const char *text; /* STRATA_VAL_TEXT, NUL-terminated */
	int64_t i;        /* STRATA_VAL_INT */
} strata_value;

/* Receives one result row; NULL values are NULL pointers. Non-zero stops. */
typedef int (*strata_row_fn)(void *ctx, int ncols, const char *const *values);

/*
 * Introspection output. The core owns the model; the driver reports objects
 * through these callbacks (any order; columns in ordinal order). Lists of
 * columns are comma-separated without quoting. A non-zero return aborts.
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

/* Driver-defined connection state. */
typedef struct strata_conn strata_conn;

typedef struct strata_driver {
	uint32_t abi_version; /* STRATA_DRIVER_ABI_VERSION */
	uint32_t struct_size; /* sizeof(strata_driver) */
	const char *name;     /* matches the module and symbol name */
	const char *version;  /* driver version */
	const char *description;
	const char *const *schemes; /* URL schemes handled, NULL-terminated */
	const strata_dialect *dialect;

	/* Sessions. connect() sets *out only on success. */
	int (*connect)(strata_conn **out, const strata_url *url,
	               strata_dberr *err);
	void (*close)(strata_conn *conn);
	/* Human-readable server version, e.g. "PostgreSQL 15.4". */
	const char *(*server_version)(strata_conn *conn);

	/* Run one statement, discarding any result rows. */
	int (*exec)(strata_conn *conn, const char *sql, strata_dberr *err);
	/* Run one statement with bound parameters; rows go to fn if set. */
	int (*query)(strata_conn *conn, const char *sql,
	             const strata_value *params, int nparams, strata_row_fn fn,
	             void *fn_ctx, strata_dberr *err);
	int (*begin)(strata_conn *conn, strata_dberr *err);
	int (*commit)(strata_conn *conn, strata_dberr *err);
	int (*rollback)(strata_conn *conn, strata_dberr *err);

	/*
	 * Advisory lock named `name` (derived from the history table), held by
	 * this session until unlock() or close(), and between processes.
	 * Returns STRATA_DRV_TIMEOUT when not acquired within timeout_ms.
	 */
	int (*lock)(strata_conn *conn, const char *name, unsigned timeout_ms,
	            strata_dberr *err);
	int (*unlock)(strata_conn *conn, const char *name, strata_dberr *err);

	/* Whether table (optionally "schema.table") exists. */
	int (*table_exists)(strata_conn *conn, const char *table, int *exists,
	                    strata_dberr *err);
	/* Report the user schema (the current database/schema) to sink. */
	int (*introspect)(strata_conn *conn, const strata_schema_sink *sink,
	                  strata_dberr *err);

	/* ---- ABI 1.1: appended; the core checks struct_size first. ---- */

	/* Like connect(), with STRATA_CONNECT_* flags. May be NULL. */
	int (*connect_ex)(strata_conn **out, const strata_url *url,
	                  unsigned flags, strata_dberr *err);
	/*
	 * Called once per session after init_sql: make the session fit for
	 * migrating (e.g. MySQL autocommit back on) and report its statement
	 * splitting rules as the session's settings make them (e.g. MySQL
	 * NO_BACKSLASH_ESCAPES, ANSI_QUOTES). *split_flags holds the
	 * dialect's flags on entry. May be NULL.
	 */
	int (*session_setup)(strata_conn *conn, unsigned *split_flags,
	                     strata_dberr *err);
	/*
	 * The schema (PostgreSQL) or database (MySQL) in which `table`
	 * resolves now, or where it would be created if it does not exist,
	 * malloc'd into *out; for a qualified "schema.table", that schema.
	 * *out = NULL where the notion does not apply (SQLite). The core
	 * calls it once per session with the history table (unqualified as
	 * configured, or qualified with the schema pinned earlier) and
	 * qualifies an unqualified history table with the answer; the driver
	 * may keep introspection to that schema for the session. May be NULL.
	 */
	int (*current_schema)(strata_conn *conn, const char *table, char **out,
	                      strata_dberr *err);
	/*
	 * Whether the lock taken by lock() on conn is still held: OK, or
	 * STRATA_DRV_LOST (err says why). Also keeps the lock session alive.
	 * May be NULL (the lock cannot be lost).
	 */
	int (*lock_check)(strata_conn *conn, const char *name,
	                  strata_dberr *err);
	/* Rows changed by the last exec()/query() on conn, or -1 when
	 * unknown. May be NULL. */
	int64_t (*changes)(strata_conn *conn);
	/*
	 * Whether the session is inside a transaction or has autocommit off
	 * (so that what it writes next would not be durable): 1 yes, 0 no,
	 * -1 unknown. The core asks after every script run outside a
	 * transaction and fails the migration on 1, then calls rollback(),
	 * which must also leave autocommit on. May be NULL.
	 */
	int (*in_transaction)(strata_conn *conn);
} strata_driver;

/* Whether drv has the appended member `op` (ABI 1.1+ operations). */
#define STRATA_DRV_HAS(drv, op)                                                \
	((drv)->struct_size >=                                                 \
	         offsetof(strata_driver, op) + sizeof((drv)->op) &&            \
	 (drv)->op != NULL)

#ifdef __cplusplus
}
#endif
#endif /* STRATA_DRIVER_H */
