/* The neutral type and default mapping behind strata diff. */
#include "tap.h"
#include "model.h"

static void type(const char *driver, const char *in, const char *want,
                 int want_autoinc)
{
	int autoinc = -1;
	char *got = strata__type_neutral(driver, in, &autoinc);

	is_str(got, want, "%s: type '%s'", driver, in);
	is_int(autoinc, want_autoinc, "%s: '%s' auto-increment", driver, in);
	free(got);
}

static void dflt(const char *type_, const char *in, const char *want)
{
	char *got = strata__default_neutral(type_, in);

	is_str(got, want, "%s default %s", type_, in ? in : "(none)");
	free(got);
}

int main(void)
{
	/* PostgreSQL's format_type() */
	type("postgres", "bigint", "bigint", 0);
	type("postgres", "integer", "integer", 0);
	type("postgres", "character varying(255)", "varchar(255)", 0);
	type("postgres", "character(3)", "char(3)", 0);
	type("postgres", "timestamp without time zone", "timestamp", 0);
	type("postgres", "timestamp(3) without time zone", "timestamp", 0);
	type("postgres", "timestamp with time zone", "timestamptz", 0);
	type("postgres", "numeric(10,2)", "numeric(10,2)", 0);
	type("postgres", "double precision", "double", 0);
	type("postgres", "bytea", "binary", 0);
	type("postgres", "jsonb", "json", 0);
	type("postgres", "uuid", "uuid", 0);
	type("postgres", "boolean", "boolean", 0);
	/* MySQL/MariaDB COLUMN_TYPE with EXTRA */
	type("mysql", "bigint(20) auto_increment", "bigint", 1);
	type("mysql", "int(11)", "integer", 0);
	type("mysql", "tinyint(1)", "boolean", 0);
	type("mysql", "tinyint(4)", "smallint", 0);
	type("mysql", "varchar(200)", "varchar(200)", 0);
	type("mysql", "longtext", "text", 0);
	type("mysql", "decimal(10, 2)", "numeric(10,2)", 0);
	type("mysql", "datetime(6)", "timestamp", 0);
	type("mysql", "timestamp on update current_timestamp()", "timestamp",
	     0);
	type("mysql", "int(10) unsigned", "integer", 0);
	type("mysql", "double", "double", 0);
	type("mysql", "float", "real", 0);
	type("mysql", "varbinary(16)", "binary", 0);
	/* SQLite: known names, else the affinity rules */
	type("sqlite", "INTEGER", "integer", 0);
	type("sqlite", "VARCHAR(255)", "varchar(255)", 0);
	type("sqlite", "TIMESTAMP", "timestamp", 0);
	type("sqlite", "UNSIGNED BIG INT", "integer", 0);
	type("sqlite", "NATIVE CHARACTER(70)", "text", 0);
	type("sqlite", "", "binary", 0);
	/* SQLite's own quirk: "FLOATING POINT" holds "INT". */
	type("sqlite", "FLOATING POINT", "integer", 0);
	type("sqlite", "REALNUM", "double", 0);
	type("sqlite", "MONEY", "numeric", 0);
	ok(strata__type_integer("bigint") && !strata__type_integer("text"),
	   "integer family");

	dflt("integer", NULL, NULL);
	dflt("text", "NULL", NULL);
	dflt("varchar", "NULL::character varying", NULL);
	dflt("text", "'x'::text", "'x'");
	dflt("varchar(10)", "'it''s'::character varying", "'it''s'");
	dflt("timestamp", "CURRENT_TIMESTAMP", "current_timestamp");
	dflt("timestamp", "current_timestamp()", "current_timestamp");
	dflt("timestamp", "now()", "current_timestamp");
	dflt("timestamp", "(CURRENT_TIMESTAMP)", "current_timestamp");
	dflt("timestamptz", "CURRENT_TIMESTAMP(3)", "current_timestamp");
	dflt("integer", "0", "0");
	dflt("integer", "'0'", "0");
	dflt("integer", "(0)", "0");
	dflt("bigint", "'5'::bigint", "5");
	dflt("numeric(10,2)", "0.00", "0");
	dflt("numeric(10,2)", "1.50", "1.5");
	dflt("boolean", "true", "true");
	dflt("boolean", "1", "true");
	dflt("boolean", "FALSE", "false");
	dflt("boolean", "0", "false");
	dflt("varchar(5)", "'0'", "'0'");
	dflt("text", "'Mixed Case'", "'Mixed Case'");
	return tap_done();
}
