/* Errors of the MySQL driver from Connector/C handles; the bottom layer. */
#include "my_int.h"

/* err may be NULL: the error is then dropped (a cleanup path). */
int my__err_db(strata_dberr *err, MYSQL *db)
{
	if (err)
		strata__kit_err(err, mysql_sqlstate(db), (int)mysql_errno(db),
		                "%s", my__nz(mysql_error(db)));
	return STRATA_DRV_ERROR;
}

int my__err_stmt(strata_dberr *err, MYSQL_STMT *st)
{
	if (err)
		strata__kit_err(err, mysql_stmt_sqlstate(st),
		                (int)mysql_stmt_errno(st), "%s",
		                my__nz(mysql_stmt_error(st)));
	return STRATA_DRV_ERROR;
}
