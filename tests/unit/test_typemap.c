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
	/* Only the "::type" token goes, not the rest of the expression. */
	dflt("text", "('a'::text || 'b'::text)", "'a'||'b'");
	dflt("text", "'a'::character varying(5) || 'b'", "'a'||'b'");
	dflt("timestamp", "'2000-01-01'::timestamp(3) without time zone + x",
	     "'2000-01-01'+x");
	dflt("text", "'{}'::text[]", "'{}'");
	dflt("text", "'a::b'::text", "'a::b'");
	/* The current date and time, however spelt. */
	dflt("date", "curdate()", "current_date");
	dflt("date", "current_date()", "current_date");
	dflt("date", "CURRENT_DATE", "current_date");
	dflt("time", "curtime()", "current_time");
	dflt("time", "CURRENT_TIME", "current_time");
	dflt("time", "current_time(0)", "current_time");
	/* Numbers compared as numbers. */
	dflt("numeric", "1e3", "1000");
	dflt("numeric", "1000", "1000");
	dflt("numeric", "1.0", "1");
	dflt("numeric", "1.5E-2", "0.015");
	dflt("numeric", "-0.50", "-0.5");
	dflt("numeric", "'-2.5e1'::numeric", "-25");
	dflt("numeric", "0.000", "0");
	dflt("numeric", "012", "12");
	dflt("bigint", "12345678901234567890", "12345678901234567890");
	/* Blanks outside quotes do not count. */
	dflt("integer", "1+2", "1+2");
	dflt("integer", "1 + 2", "1+2");
	dflt("text", "'a  b'", "'a  b'");
	/* One driver: the reported type, display widths aside. */
	{
		char *x = strata__type_exact("int(10) unsigned");
		char *y = strata__type_exact("int(11)");
		char *z = strata__type_exact("INT(11) auto_increment");
		char *t3 = strata__type_exact("timestamp(3)");
		char *t6 = strata__type_exact("timestamp(6)");
		char *n1 = strata__type_exact("decimal(10,2)");
		char *n2 = strata__type_exact("decimal(12,2)");

		ok(strcmp(x, y) != 0, "exact: unsigned differs");
		is_str(y, "int", "exact: display width dropped");
		is_str(z, "int", "exact: auto_increment dropped");
		ok(strcmp(t3, t6) != 0, "exact: timestamp precision differs");
		ok(strcmp(n1, n2) != 0, "exact: numeric precision differs");
		free(x);
		free(y);
		free(z);
		free(t3);
		free(t6);
		free(n1);
		free(n2);
	}
	return tap_done();
}
