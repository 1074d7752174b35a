/* MariaDB's catalog digest (the catalog op). */
#include <stdlib.h>
#include <string.h>

#include "my_int.h"

/*
 * What introspection reads, without what makes MariaDB open every table
 * (the index key order and type, the foreign keys and their rules: about
 * 0.13 ms a table beyond MariaDB's table caches, 3 s of the 3.5 s status
 * took at 10,000 tables). The rest reads each table's definition (.frm).
 * - Tables (with their engine), columns, index columns, triggers,
 *   routines and events from information_schema; views, a second pass
 *   over every definition, only when the first query reports one.
 * - From InnoDB's dictionary, every index's INDEX_ID, new whenever the
 *   index is made again, as a change of its key order or type needs;
 *   and the foreign keys, their rules in TYPE. Its tables hold the whole
 *   server's rows (INNODB_SYS_FIELDS would replace STATISTICS, but cost
 *   more than it on a server with more databases than one).
 * A table of another engine has no such dictionary: the digest fails and
 * status reads the schema in full, as it does without the PROCESS
 * privilege the INNODB_SYS tables need.
 * The dictionary names tables "db/table" in filename-safe characters
 * (others become @XXXX): a database it spells otherwise is matched by all
 * databases' rows, more than the schema's, which can only cost a full
 * read, never hide a change.
 */
#define MATERIALIZE " LIMIT 18446744073709551615"
#define DICT_TABLES                                                            \
	"(SELECT TABLE_ID, NAME FROM information_schema.INNODB_SYS_TABLES"     \
	" WHERE NAME LIKE ?" MATERIALIZE ")"
/* Nine columns: the table (or NULL), the kind of row, seven values. */
static const char catalog_sql[] =
        "SELECT TABLE_NAME, 'table', TABLE_TYPE, ENGINE,"
        " NULL, NULL, NULL, NULL, NULL"
        " FROM information_schema.TABLES WHERE TABLE_SCHEMA = ?"
        " UNION ALL SELECT TABLE_NAME, 'column', COLUMN_NAME,"
        " ORDINAL_POSITION, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA,"
        " GENERATION_EXPRESSION"
        " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = ?"
        " UNION ALL SELECT TABLE_NAME, 'index', INDEX_NAME, SEQ_IN_INDEX,"
        " NON_UNIQUE, COLUMN_NAME, SUB_PART, NULL, NULL"
        " FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = ?"
        " UNION ALL SELECT SUBSTRING_INDEX(t.NAME, '/', -1), 'innodb index',"
        " i.INDEX_ID, i.NAME, i.TYPE, NULL, NULL, NULL, NULL"
        " FROM information_schema.INNODB_SYS_INDEXES i JOIN " DICT_TABLES
        " t ON t.TABLE_ID = i.TABLE_ID"
        " UNION ALL SELECT SUBSTRING_INDEX(FOR_NAME, '/', -1), 'foreign key',"
        " ID, FOR_NAME, REF_NAME, N_COLS, TYPE, NULL, NULL"
        " FROM information_schema.INNODB_SYS_FOREIGN WHERE FOR_NAME LIKE ?"
        " UNION ALL SELECT SUBSTRING_INDEX(k.FOR_NAME, '/', -1),"
        " 'foreign key column', c.ID, c.POS, c.FOR_COL_NAME, c.REF_COL_NAME,"
        " NULL, NULL, NULL FROM information_schema.INNODB_SYS_FOREIGN_COLS c"
        " JOIN (SELECT ID, FOR_NAME FROM information_schema.INNODB_SYS_FOREIGN"
        " WHERE FOR_NAME LIKE ?" MATERIALIZE ") k ON k.ID = c.ID"
        " UNION ALL SELECT EVENT_OBJECT_TABLE, 'trigger', TRIGGER_NAME,"
        " ACTION_TIMING, EVENT_MANIPULATION, ACTION_ORDER, ACTION_STATEMENT,"
        " NULL, NULL"
        " FROM information_schema.TRIGGERS WHERE EVENT_OBJECT_SCHEMA = ?"
        " UNION ALL SELECT NULL, 'routine', ROUTINE_TYPE, ROUTINE_NAME,"
        " NULL, NULL, NULL, NULL, NULL"
        " FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = ?"
        " UNION ALL SELECT NULL, 'event', EVENT_NAME,"
        " NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM information_schema.EVENTS WHERE EVENT_SCHEMA = ?";
/* The parameters: the database, or (1) the dictionary's pattern. */
static const char catalog_params[] = {0, 0, 0, 1, 1, 1, 0, 0, 0};
#define NPARAMS ((int)sizeof catalog_params)
static const char views_sql[] =
        "SELECT TABLE_NAME, 'view', VIEW_DEFINITION,"
        " NULL, NULL, NULL, NULL, NULL, NULL"
        " FROM information_schema.VIEWS WHERE TABLE_SCHEMA = ?";

typedef struct pass {
	strata_row_fn fn;
	void *ctx;
	int views;   /* a view was reported */
	char *other; /* the first table of another engine (malloc'd) */
	int nomem;
} pass;

static int is_base(const char *type)
{
	return type && (!strcmp(type, "BASE TABLE") ||
	                !strcmp(type, "SYSTEM VERSIONED"));
}

static int pass_row(void *ctx, int n, const char *const *v)
{
	pass *p = ctx;

	if (n > 3 && !strcmp(v[1], "table")) {
		p->views |= v[2] && !strcmp(v[2], "VIEW");
		if (is_base(v[2]) && (!v[3] || strcmp(v[3], "InnoDB"))) {
			p->other = strdup(v[0] ? v[0] : "");
			p->nomem = !p->other;
			return 1;
		}
	}
	return p->fn(p->ctx, n, v);
}

/* "db/%" when the dictionary spells db as it is, else "%". */
static char *dict_pattern(const char *db)
{
	const char *s;

	for (s = db; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			break;
	if (*s || s == db)
		return strata__kit_printf("%%");
	return strata__kit_printf("%s/%%", db);
}

static int run(strata_conn *c, const char *db, pass *p, strata_dberr *err)
{
	strata_value v[NPARAMS];
	char *pat = dict_pattern(db);
	int i, rc;

	if (!pat)
		return strata__kit_nomem(err);
	for (i = 0; i < NPARAMS; i++) {
		v[i].type = STRATA_VAL_TEXT;
		v[i].text = catalog_params[i] ? pat : db;
		v[i].i = 0;
	}
	rc = my__query(c, catalog_sql, v, NPARAMS, pass_row, p, err);
	if (rc == STRATA_DRV_OK && p->nomem)
		rc = strata__kit_nomem(err);
	else if (rc == STRATA_DRV_OK && p->other)
		rc = strata__kit_fail(
		        err, STRATA_DRV_ERROR,
		        "no catalog digest: table %s is not InnoDB", p->other);
	else if (rc == STRATA_DRV_OK && p->views)
		rc = my__query(c, views_sql, v, 1, p->fn, p->ctx, err);
	free(pat);
	return rc;
}

int my__catalog(strata_conn *c, strata_row_fn fn, void *ctx, strata_dberr *err)
{
	pass p = {fn, ctx, 0, NULL, 0};
	char *db = NULL;
	int rc;

	/* MySQL's information_schema is its data dictionary: read in full,
	 * it opens no table. */
	if (!c->version || !strstr(c->version, "MariaDB"))
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "no catalog digest on MySQL");
	rc = my__home_db(c, &db, err);
	if (rc == STRATA_DRV_OK)
		rc = run(c, db, &p, err);
	free(p.other);
	free(db);
	return rc;
}
