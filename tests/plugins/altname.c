/*
 * A driver that stores nothing, for the loader tests: its name (altname)
 * is none of its URL schemes, so it is found only by scanning the search
 * path; its override files are up.alt.sql, and "altsql" is a scheme but
 * not a file name. Every statement succeeds; no table exists.
 *
 * Its init hook appends a line to $STRATA_TEST_INIT_LOG, and fails when
 * $STRATA_TEST_INIT_FAIL is set. Its URLs are file URLs (alt:path): connect
 * appends the path it was given to $STRATA_TEST_CONNECT_LOG, and fails for
 * a path that starts with "fail".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <strata/driver.h>

struct strata_conn {
	int unused;
};

static int alt_init(strata_dberr *err)
{
	const char *log = getenv("STRATA_TEST_INIT_LOG");
	FILE *f = log && *log ? fopen(log, "a") : NULL;

	if (f) {
		fputs("init\n", f);
		fclose(f);
	}
	if (getenv("STRATA_TEST_INIT_FAIL")) {
		snprintf(err->message, sizeof(err->message),
		         "the altname fixture was told to fail");
		return STRATA_DRV_ERROR;
	}
	return STRATA_DRV_OK;
}

static int alt_connect(strata_conn **out, const strata_url *url, unsigned flags,
                       strata_dberr *err)
{
	const char *log = getenv("STRATA_TEST_CONNECT_LOG");
	FILE *f = log && *log ? fopen(log, "a") : NULL;

	(void)flags;
	if (f) {
		fprintf(f, "path=%s host=%s\n",
		        url->path ? url->path : "(null)",
		        url->host ? url->host : "(null)");
		fclose(f);
	}
	if (url->path && !strncmp(url->path, "fail", 4)) {
		snprintf(err->message, sizeof(err->message),
		         "the altname fixture cannot open '%s'", url->path);
		return STRATA_DRV_ERROR;
	}
	*out = calloc(1, sizeof(**out));
	return *out ? STRATA_DRV_OK : STRATA_DRV_NOMEM;
}

static void alt_close(strata_conn *c)
{
	free(c);
}

static int alt_exec(strata_conn *c, const char *sql, strata_dberr *err)
{
	(void)c;
	(void)sql;
	(void)err;
	return STRATA_DRV_OK;
}

static int alt_query(strata_conn *c, const char *sql,
                     const strata_value *params, int nparams, strata_row_fn fn,
                     void *fn_ctx, strata_dberr *err)
{
	(void)c;
	(void)sql;
	(void)params;
	(void)nparams;
	(void)fn;
	(void)fn_ctx;
	(void)err;
	return STRATA_DRV_OK;
}

static int alt_tx(strata_conn *c, strata_dberr *err)
{
	(void)c;
	(void)err;
	return STRATA_DRV_OK;
}

static int alt_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err)
{
	(void)c;
	(void)name;
	(void)timeout_ms;
	(void)err;
	return STRATA_DRV_OK;
}

static int alt_unlock(strata_conn *c, const char *name, strata_dberr *err)
{
	(void)c;
	(void)name;
	(void)err;
	return STRATA_DRV_OK;
}

static int alt_table_exists(strata_conn *c, const char *schema,
                            const char *table, int *exists, strata_dberr *err)
{
	(void)c;
	(void)schema;
	(void)table;
	(void)err;
	*exists = 0;
	return STRATA_DRV_OK;
}

static int alt_introspect(strata_conn *c, const strata_schema_sink *sink,
                          strata_dberr *err)
{
	(void)c;
	(void)sink;
	(void)err;
	return STRATA_DRV_OK;
}

static const char *const schemes[] = {"alt", "altsql", NULL};
static const char *const file_names[] = {"alt", NULL};

static const strata_dialect dialect = {
        .name = "alt",
        .ident_quote = '"',
        .transactional_ddl = 1,
        .param_style = STRATA_PARAM_QMARK,
};

const strata_driver strata_driver_altname = {
        .abi_version = STRATA_DRIVER_ABI_VERSION,
        .struct_size = sizeof(strata_driver),
        .name = "altname",
        .version = "0.0.1",
        .description = "test fixture: stores nothing",
        .schemes = schemes,
        .file_names = file_names,
        .dialect = &dialect,
        .url_form = STRATA_URL_FILE,
        .init = alt_init,
        .connect = alt_connect,
        .close = alt_close,
        .exec = alt_exec,
        .query = alt_query,
        .begin = alt_tx,
        .commit = alt_tx,
        .rollback = alt_tx,
        .lock = alt_lock,
        .unlock = alt_unlock,
        .table_exists = alt_table_exists,
        .introspect = alt_introspect,
};
