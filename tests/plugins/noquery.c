/* A driver without the required query operation: the loader must name
 * it. Nothing here is ever called. */
#include <strata/driver.h>

static int nq_connect(strata_conn **out, const strata_url *url, unsigned flags,
                      strata_dberr *err)
{
	(void)out;
	(void)url;
	(void)flags;
	(void)err;
	return STRATA_DRV_ERROR;
}

static void nq_close(strata_conn *c)
{
	(void)c;
}

static int nq_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	(void)c;
	(void)sql;
	(void)err;
	return STRATA_DRV_ERROR;
}

static int nq_tx(strata_conn *c, strata_dberr *err)
{
	(void)c;
	(void)err;
	return STRATA_DRV_ERROR;
}

static int nq_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                   strata_dberr *err)
{
	(void)c;
	(void)name;
	(void)timeout_ms;
	(void)err;
	return STRATA_DRV_ERROR;
}

static int nq_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	(void)c;
	(void)name;
	(void)err;
	return STRATA_DRV_ERROR;
}

static int nq_table_exists(strata_conn *c, const char *schema,
                           const char *table, int *exists, strata_dberr *err)
{
	(void)c;
	(void)schema;
	(void)table;
	(void)exists;
	(void)err;
	return STRATA_DRV_ERROR;
}

static int nq_introspect(strata_conn *c, const strata_schema_sink *sink,
                         strata_dberr *err)
{
	(void)c;
	(void)sink;
	(void)err;
	return STRATA_DRV_ERROR;
}

static const char *const schemes[] = {"noquery", NULL};
static const strata_dialect dialect = {.name = "noquery"};

const strata_driver strata_driver_noquery = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "noquery",
        .version = "0.0.1",
        .schemes = schemes,
        .dialect = &dialect,
        .connect = nq_connect,
        .close = nq_close,
        .exec = nq_exec,
        .begin = nq_tx,
        .commit = nq_tx,
        .rollback = nq_tx,
        .lock = nq_lock,
        .unlock = nq_unlock,
        .table_exists = nq_table_exists,
        .introspect = nq_introspect,
};
