/* Private to the SQLite driver. */
#ifndef STRATA_SQLITE_INT_H
#define STRATA_SQLITE_INT_H

#include <sqlite3.h>
#include <sys/types.h>

#include <strata/driver.h>

#include "kit.h"

/* Statements introspection runs for every table, compiled once a
 * connection (sqlite__query_cached). */
#define SQLITE__CACHED 12

struct strata_conn {
	sqlite3 *db;
	struct {
		const char *sql; /* the caller's constant text: its address */
		sqlite3_stmt *st;
	} cached[SQLITE__CACHED];
	sqlite3 *lockdb; /* sidecar database holding the migration lock */
	char *lockpath;  /* the sidecar's path, and its identity when locked */
	dev_t lockdev;
	ino_t lockino;
	char *path;
	char version[32];
};

/*
 * Layers, each calling only those above it:
 *   query.c       errors from a handle, binding, stepping, compiling
 *   split.c       statements, where sqlite3_complete() ends them
 *   introspect.c  the schema, through query.c
 *   sqlite.c      connections, transactions, the lock; the vtable
 */

/* query.c */
int sqlite__fail(sqlite3 *db, strata_dberr *err); /* db NULL: no memory */
int sqlite__exec(sqlite3 *db, const char *sql, strata_dberr *err);
int sqlite__query(sqlite3 *db, const char *sql, const strata_value *params,
                  int nparams, strata_row_fn fn, void *ctx, strata_dberr *err);
/* sqlite__query on c->db, for a constant sql run again and again: the
 * statement is compiled on first use and kept until sqlite__uncache(). */
int sqlite__query_cached(strata_conn *c, const char *sql,
                         const strata_value *params, int nparams,
                         strata_row_fn fn, void *ctx, strata_dberr *err);
void sqlite__uncache(strata_conn *c);
/* A statement read one row at a time, several open at once on one
 * connection: introspection reads the rows of every table together. */
typedef struct sqlite__cursor {
	sqlite3 *db;
	sqlite3_stmt *st;
	int row; /* positioned on a row; 0 past the last */
} sqlite__cursor;
/* Compiles sql (no parameters) and steps to its first row. */
int sqlite__cursor_open(sqlite__cursor *cu, sqlite3 *db, const char *sql,
                        strata_dberr *err);
int sqlite__cursor_next(sqlite__cursor *cu, strata_dberr *err);
/* Column col of the current row, "" for NULL. */
const char *sqlite__cursor_text(const sqlite__cursor *cu, int col);
void sqlite__cursor_close(sqlite__cursor *cu);
/* The prepare operation (ABI 2.2): compile, never step. */
int sqlite__prepare(sqlite3 *db, const char *sql, strata_dberr *err);

/* split.c: the split operation (ABI 2.1), with sqlite3_complete(). */
int sqlite__split(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
                  int *err_line, strata_dberr *err);

/* introspect.c */
int sqlite__introspect(strata_conn *c, const strata_schema_sink *sink,
                       strata_dberr *err);
int sqlite__catalog(strata_conn *c, strata_row_fn fn, void *ctx,
                    strata_dberr *err);
int sqlite__introspect_detail(strata_conn *c, const strata_detail_sink *sink,
                              strata_dberr *err);

#endif
