/*
 * The PostgreSQL driver's analyze operation (plugins/postgres/analyze.c),
 * linked in directly: each statement's actions, rendered as one line, must
 * be what the linter's rules expect.
 */
#include <string.h>

#include "pg_int.h"
#include "tap.h"

static const char *const kinds[] = {"OTHER",           "CREATE_TABLE",
                                    "DROP_TABLE",      "TRUNCATE",
                                    "DELETE",          "UPDATE",
                                    "ADD_COLUMN",      "DROP_COLUMN",
                                    "ALTER_TYPE",      "SET_NOT_NULL",
                                    "DROP_NOT_NULL",   "SET_DEFAULT",
                                    "CREATE_INDEX",    "DROP_INDEX",
                                    "ADD_CONSTRAINT",  "VALIDATE",
                                    "DROP_CONSTRAINT", "RENAME_TABLE",
                                    "RENAME_COLUMN",   "SET_LOCK_TIMEOUT",
                                    "DROP_SCHEMA",     "ALTER_TABLE_OTHER"};

static const char *const flag_names[] = {
        "WHERE",        "NOT_NULL",  "DEFAULT",   "VOLATILE",
        "CONCURRENTLY", "UNIQUE",    "NOT_VALID", "IF_EXISTS",
        "ONLINE",       "GENERATED", "USING",     "TEMPORARY"};

typedef struct out {
	char text[2048];
	int calls, stop_at;
} out;

static void put(out *o, const char *fmt, const char *s)
{
	size_t n = strlen(o->text);

	if (s)
		snprintf(o->text + n, sizeof(o->text) - n, fmt, s);
}

/* "KIND s.t c name [type] detail FLAG|FLAG @line", actions joined by "; ". */
static int on_action(void *ctx, const strata_action *a)
{
	out *o = ctx;
	size_t i, n;
	int first = 1;

	if (o->calls++)
		put(o, "%s", "; ");
	put(o, "%s",
	    a->kind >= 0 && a->kind < (int)(sizeof(kinds) / sizeof(*kinds))
	            ? kinds[a->kind]
	            : "?");
	put(o, " %s.", a->schema);
	put(o, a->schema ? "%s" : " %s", a->table);
	put(o, " %s", a->column);
	put(o, " name=%s", a->name);
	put(o, " [%s]", a->type);
	put(o, " '%s'", a->detail);
	for (i = 0; i < sizeof(flag_names) / sizeof(*flag_names); i++)
		if (a->flags & (1u << i)) {
			put(o, first ? " %s" : "|%s", flag_names[i]);
			first = 0;
		}
	n = strlen(o->text);
	snprintf(o->text + n, sizeof(o->text) - n, " @%d", a->line);
	if (a->struct_size != sizeof(strata_action))
		put(o, "%s", " (bad struct_size)");
	return o->stop_at && o->calls == o->stop_at;
}

static void is_actions(const char *sql, const char *want)
{
	out o;
	strata_dberr e;
	char name[512], *p;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	rc = pg__analyze(sql, strlen(sql), on_action, &o, &e);
	if (rc != STRATA_DRV_OK)
		snprintf(o.text, sizeof(o.text), "error %d: %s", rc, e.message);
	/* A test's name is one line. */
	snprintf(name, sizeof(name), "%s", sql);
	for (p = name; *p; p++)
		if (*p == '\n' || *p == '#')
			*p = ' ';
	is_str(o.text, want, "%s", name);
}

int main(void)
{
	out o;
	strata_dberr e;
	int rc;

	/* Tables. */
	is_actions("CREATE TABLE t (id int)", "CREATE_TABLE t @1");
	is_actions("CREATE TEMP TABLE s.t (id int)",
	           "CREATE_TABLE s.t TEMPORARY @1");
	is_actions("CREATE TABLE IF NOT EXISTS t (id int)",
	           "CREATE_TABLE t IF_EXISTS @1");
	is_actions("CREATE TABLE t2 AS SELECT 1 AS a", "CREATE_TABLE t2 @1");
	is_actions("DROP TABLE IF EXISTS a, s.b",
	           "DROP_TABLE a IF_EXISTS @1; DROP_TABLE s.b IF_EXISTS @1");
	is_actions("TRUNCATE a, b", "TRUNCATE a @1; TRUNCATE b @1");
	is_actions("DELETE FROM s.t", "DELETE s.t @1");
	is_actions("DELETE FROM t WHERE id = 1", "DELETE t WHERE @1");
	is_actions("UPDATE t SET a = 1", "UPDATE t @1");
	is_actions("UPDATE t SET a = 1 WHERE b", "UPDATE t WHERE @1");
	is_actions("DROP SCHEMA x CASCADE", "DROP_SCHEMA name=x @1");
	/* Folded and quoted names, as the server resolves them. */
	is_actions("ALTER TABLE \"Foo\".Bar ADD COLUMN \"X\" INT",
	           "ADD_COLUMN Foo.bar X [INT] @1");

	/* ADD COLUMN: the type as written, defaults, volatility. */
	is_actions("ALTER TABLE t ADD COLUMN c varchar(20) NOT NULL",
	           "ADD_COLUMN t c [varchar(20)] NOT_NULL @1");
	is_actions("ALTER TABLE t ADD c numeric( 10 ,\n 2) DEFAULT 0",
	           "ADD_COLUMN t c [numeric( 10 , 2)] DEFAULT @1");
	is_actions("ALTER TABLE t ADD c timestamp with time zone DEFAULT now()",
	           "ADD_COLUMN t c [timestamp with time zone] DEFAULT @1");
	is_actions("ALTER TABLE t ADD c timestamptz DEFAULT clock_timestamp()",
	           "ADD_COLUMN t c [timestamptz] DEFAULT|VOLATILE @1");
	is_actions("ALTER TABLE t ADD c timestamptz DEFAULT CURRENT_TIMESTAMP",
	           "ADD_COLUMN t c [timestamptz] DEFAULT @1");
	is_actions("ALTER TABLE t ADD c uuid NOT NULL DEFAULT "
	           "public.gen_random_uuid()",
	           "ADD_COLUMN t c [uuid] NOT_NULL|DEFAULT|VOLATILE @1");
	is_actions("ALTER TABLE t ADD c float8 DEFAULT (random() * 10)::int",
	           "ADD_COLUMN t c [float8] DEFAULT|VOLATILE @1");
	is_actions("ALTER TABLE t ADD c bigserial",
	           "ADD_COLUMN t c [bigserial] NOT_NULL|DEFAULT|VOLATILE @1");
	is_actions("ALTER TABLE t ADD c int GENERATED ALWAYS AS IDENTITY",
	           "ADD_COLUMN t c [int] NOT_NULL|DEFAULT|VOLATILE @1");
	is_actions("ALTER TABLE t ADD c int GENERATED ALWAYS AS (a + 1) STORED",
	           "ADD_COLUMN t c [int] GENERATED @1");
	is_actions("ALTER TABLE t ADD c text[] COLLATE \"C\"",
	           "ADD_COLUMN t c [text[]] @1");
	is_actions("ALTER TABLE t ADD COLUMN IF NOT EXISTS c \"My Type\"",
	           "ADD_COLUMN t c [\"My Type\"] IF_EXISTS @1");
	is_actions("ALTER TABLE t ADD c int REFERENCES u (id)",
	           "ADD_COLUMN t c [int] @1; ADD_CONSTRAINT t c "
	           "'foreign key' @1");
	is_actions("ALTER TABLE t ADD c int PRIMARY KEY",
	           "ADD_COLUMN t c [int] NOT_NULL @1; ADD_CONSTRAINT t c "
	           "'primary key' @1");

	/* The other clauses, each at its own line. */
	is_actions("ALTER TABLE ONLY s.t\n"
	           "  DROP COLUMN IF EXISTS a,\n"
	           "  ALTER COLUMN b TYPE bigint,\n"
	           "  ALTER b TYPE numeric(12, 2) USING b::numeric,\n"
	           "  ALTER b SET NOT NULL, ALTER c DROP NOT NULL,\n"
	           "  ALTER d SET DEFAULT nextval('seq'),\n"
	           "  ALTER d SET DEFAULT ARRAY[1, 2],\n"
	           "  ALTER d DROP DEFAULT,\n"
	           "  SET (fillfactor = 70)",
	           "DROP_COLUMN s.t a IF_EXISTS @2; "
	           "ALTER_TYPE s.t b [bigint] @3; "
	           "ALTER_TYPE s.t b [numeric(12, 2)] USING @4; "
	           "SET_NOT_NULL s.t b @5; DROP_NOT_NULL s.t c @5; "
	           "SET_DEFAULT s.t d DEFAULT|VOLATILE @6; "
	           "SET_DEFAULT s.t d DEFAULT @7; SET_DEFAULT s.t d @8; "
	           "ALTER_TABLE_OTHER s.t @9");
	is_actions("ALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (a) "
	           "REFERENCES u (id) NOT VALID",
	           "ADD_CONSTRAINT t a name=k 'foreign key' NOT_VALID @1");
	is_actions("ALTER TABLE t ADD CONSTRAINT k CHECK (a > 0) NOT VALID,\n"
	           " VALIDATE CONSTRAINT k,\n DROP CONSTRAINT IF EXISTS j",
	           "ADD_CONSTRAINT t name=k 'check' NOT_VALID @1; "
	           "VALIDATE t name=k @2; DROP_CONSTRAINT t name=j "
	           "IF_EXISTS @3");
	is_actions("ALTER TABLE t ADD PRIMARY KEY (id), ADD UNIQUE (a), "
	           "ADD EXCLUDE USING gist (r WITH &&)",
	           "ADD_CONSTRAINT t 'primary key' @1; ADD_CONSTRAINT t "
	           "'unique' @1; ADD_CONSTRAINT t 'exclusion' @1");
	is_actions("ALTER INDEX i RENAME TO j", "OTHER @1");
	is_actions("ALTER SEQUENCE s RESTART", "OTHER @1");

	/* Indexes, renames, lock_timeout. */
	is_actions("CREATE INDEX ON t (a)", "CREATE_INDEX t @1");
	is_actions("CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS i ON s.t "
	           "(a)",
	           "CREATE_INDEX s.t name=i CONCURRENTLY|UNIQUE|IF_EXISTS @1");
	is_actions("DROP INDEX CONCURRENTLY s.i",
	           "DROP_INDEX s. name=i CONCURRENTLY @1");
	is_actions("ALTER TABLE t RENAME TO u", "RENAME_TABLE t name=u @1");
	is_actions("ALTER TABLE t RENAME COLUMN a TO b",
	           "RENAME_COLUMN t a name=b @1");
	is_actions("SET lock_timeout = '5s'", "SET_LOCK_TIMEOUT '5s' @1");
	is_actions("SET LOCAL lock_timeout TO 1000",
	           "SET_LOCK_TIMEOUT '1000' @1");
	is_actions("RESET lock_timeout", "SET_LOCK_TIMEOUT 'DEFAULT' @1");
	is_actions("SET statement_timeout = '5s'", "OTHER @1");

	/* Everything else, and what does not parse. */
	is_actions("SELECT 1", "OTHER @1");
	is_actions("CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC "
	           "SELECT 1; END",
	           "OTHER @1");
	is_actions("SELEC 1", "error -1: syntax error at or near \"SELEC\" "
	                      "(PostgreSQL 15 parser) at line 1 of the "
	                      "statement");
	is_actions("SELECT 1;\nSELECT (", "error -1: syntax error at end of "
	                                  "input (PostgreSQL 15 parser) at "
	                                  "line 2 of the statement");

	/* A callback's non-zero stops it. */
	memset(&o, 0, sizeof(o));
	memset(&e, 0, sizeof(e));
	o.stop_at = 1;
	rc = pg__analyze("DROP TABLE a, b", 15, on_action, &o, &e);
	ok(rc == STRATA_DRV_ERROR && o.calls == 1,
	   "a callback's non-zero stops it (rc %d after %d)", rc, o.calls);
	/* Only len bytes are read. */
	is_actions("DROP TABLE a", "DROP_TABLE a @1");
	memset(&o, 0, sizeof(o));
	rc = pg__analyze("DROP TABLE abc; garbage", 14, on_action, &o, &e);
	is_str(o.text, "DROP_TABLE abc @1", "only len bytes are read");
	return tap_done();
}
