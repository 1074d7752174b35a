/* Private to the SQLite driver. */
#ifndef STRATA_SQLITE_INT_H
#define STRATA_SQLITE_INT_H

#include <sqlite3.h>
#include <sys/types.h>

#include <strata/driver.h>

struct strata_conn {
	sqlite3 *db;
	sqlite3 *lockdb; /* sidecar database holding the migration lock */
	char *lockpath;  /* the sidecar's path, and its identity when locked */
	dev_t lockdev;
	ino_t lockino;
	char *path;
	char version[32];
};

int sqlite__fail(sqlite3 *db, strata_dberr *err);
int sqlite__query(sqlite3 *db, const char *sql, const strata_value *params,
                  int nparams, strata_row_fn fn, void *ctx, strata_dberr *err);
int sqlite__introspect(strata_conn *c, const strata_schema_sink *sink,
                       strata_dberr *err);

#endif
