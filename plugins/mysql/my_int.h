/* Private to the MySQL/MariaDB driver. */
#ifndef STRATA_MY_INT_H
#define STRATA_MY_INT_H

#include <strata/driver.h>

#include <mysql.h>

struct strata_conn {
	MYSQL *db;
	char *version;   /* "MariaDB 10.11.6-MariaDB", for server_version */
	char *lock_name; /* GET_LOCK name held by this session, or NULL */
	int64_t changes; /* rows matched by the last statement, or -1 */
	char *home_db;   /* DATABASE() after init_sql; a USE cannot move it */
};

int my__err_fmt(strata_dberr *err, int rc, const char *fmt, ...);
int my__err_nomem(strata_dberr *err);
int my__err_stmt(strata_dberr *err, MYSQL_STMT *st);
const char *my__nz(const char *s);
int my__query(strata_conn *c, const char *sql, const strata_value *params,
              int nparams, strata_row_fn fn, void *fn_ctx, strata_dberr *err);
int my__current_db(strata_conn *c, char **out, strata_dberr *err);
int my__home_db(strata_conn *c, char **out, strata_dberr *err);

/* stmt.c */
int my__read_result(MYSQL_STMT *st, strata_row_fn fn, void *ctx,
                    strata_dberr *err);
int my__drain_stmt(MYSQL_STMT *st, strata_dberr *err);

/* introspect.c */
int my__introspect(strata_conn *c, const strata_schema_sink *sink,
                   strata_dberr *err);

#endif
