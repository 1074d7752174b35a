/*
 * Dialect type names and default expressions mapped to the neutral model,
 * so that one migration set applied to SQLite, PostgreSQL and MySQL/MariaDB
 * describes the same schema. docs/strata.1 (diff) lists every rule.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

/* Lowercase copy with runs of blanks collapsed and the ends trimmed. */
static char *squash(const char *s)
{
	char *out = strata__calloc(1, strlen(s) + 1), *o = out;
	int blank = 0;

	while (*s && isspace((unsigned char)*s))
		s++;
	for (; *s; s++) {
		if (isspace((unsigned char)*s)) {
			blank = 1;
			continue;
		}
		if (blank && o != out)
			*o++ = ' ';
		blank = 0;
		*o++ = (char)tolower((unsigned char)*s);
	}
	*o = '\0';
	return out;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* "(...)" after the name, blanks removed: "(10,2)"; "" if none. */
static char *args_of(const char *s)
{
	const char *p = strchr(s, '('), *q = p ? strchr(p, ')') : NULL;
	strata__buf b = STRATA__BUF_INIT;

	if (p && q) {
		for (; p <= q; p++)
			if (!isspace((unsigned char)*p))
				strata__buf_putc(&b, *p);
	}
	strata__buf_puts(&b, "");
	return strata__buf_detach(&b);
}

/* The name up to "(" or the end, trimmed. */
static char *name_of(const char *s)
{
	size_t n = strcspn(s, "(");

	while (n && s[n - 1] == ' ')
		n--;
	return strata__printf("%.*s", (int)n, s);
}

typedef struct alias {
	const char *name;    /* as the dialect spells it */
	const char *neutral; /* NULL: keep the arguments, name below */
	int keep_args;       /* append "(n)" / "(p,s)" */
} alias;

/*
 * Names every dialect may report, lowercase. Integer display widths
 * (MariaDB's int(11)) carry no meaning and are dropped; lengths of
 * strings and numeric precision are kept. timestamp, datetime and
 * PostgreSQL's "timestamp without time zone" are all "timestamp":
 * migrations write TIMESTAMP on every database.
 */
static const alias aliases[] = {
        {"integer", "integer", 0},
        {"int", "integer", 0},
        {"int4", "integer", 0},
        {"mediumint", "integer", 0},
        {"serial", "integer", 0},
        {"smallint", "smallint", 0},
        {"int2", "smallint", 0},
        {"smallserial", "smallint", 0},
        {"bigint", "bigint", 0},
        {"int8", "bigint", 0},
        {"bigserial", "bigint", 0},
        {"character varying", "varchar", 1},
        {"varchar", "varchar", 1},
        {"nvarchar", "varchar", 1},
        {"varchar2", "varchar", 1},
        {"character", "char", 1},
        {"char", "char", 1},
        {"nchar", "char", 1},
        {"bpchar", "char", 1},
        {"text", "text", 0},
        {"tinytext", "text", 0},
        {"mediumtext", "text", 0},
        {"longtext", "text", 0},
        {"clob", "text", 0},
        {"boolean", "boolean", 0},
        {"bool", "boolean", 0},
        {"timestamp", "timestamp", 0},
        {"timestamp without time zone", "timestamp", 0},
        {"datetime", "timestamp", 0},
        {"timestamp with time zone", "timestamptz", 0},
        {"timestamptz", "timestamptz", 0},
        {"date", "date", 0},
        {"time", "time", 0},
        {"time without time zone", "time", 0},
        {"numeric", "numeric", 1},
        {"decimal", "numeric", 1},
        {"real", "real", 0},
        {"float4", "real", 0},
        {"float", "real", 0},
        {"double precision", "double", 0},
        {"double", "double", 0},
        {"float8", "double", 0},
        {"bytea", "binary", 0},
        {"blob", "binary", 0},
        {"tinyblob", "binary", 0},
        {"mediumblob", "binary", 0},
        {"longblob", "binary", 0},
        {"binary", "binary", 0},
        {"varbinary", "binary", 0},
        {"json", "json", 0},
        {"jsonb", "json", 0},
        {"uuid", "uuid", 0},
};

/* SQLite's affinity rules (https://sqlite.org/datatype3.html, 3.1), for
 * declared types no alias names. */
static const char *sqlite_affinity(const char *t)
{
	if (strstr(t, "int"))
		return "integer";
	if (strstr(t, "char") || strstr(t, "clob") || strstr(t, "text"))
		return "text";
	if (!*t || strstr(t, "blob"))
		return "binary";
	if (strstr(t, "real") || strstr(t, "floa") || strstr(t, "doub"))
		return "double";
	return "numeric";
}

char *strata__type_neutral(const char *driver, const char *type, int *autoinc)
{
	char *t = squash(type ? type : ""), *name, *args, *out = NULL;
	int sqlite = driver && !strcmp(driver, "sqlite");
	char *p;
	size_t i;

	*autoinc = 0;
	/* MySQL's EXTRA follows the type: auto_increment, DEFAULT_GENERATED
	 * (MySQL 8 marks expression defaults) and "on update ...". Only
	 * auto-increment is kept, as the column's default. */
	if ((p = strstr(t, " auto_increment")) != NULL) {
		*autoinc = 1;
		*p = '\0';
	}
	if ((p = strstr(t, " default_generated")) != NULL)
		*p = '\0';
	if ((p = strstr(t, " on update ")) != NULL)
		*p = '\0';
	/* MySQL's "unsigned"/"zerofill" and PostgreSQL's precision of
	 * time types ("timestamp(3) without time zone") are not compared. */
	if ((p = strstr(t, " unsigned")) != NULL)
		*p = '\0';
	if ((p = strstr(t, " zerofill")) != NULL)
		*p = '\0';
	name = name_of(t);
	args = args_of(t);
	/* "timestamp(3) without time zone": the precision goes, the
	 * words after it stay. */
	if ((!strcmp(name, "timestamp") || !strcmp(name, "time")) && *args) {
		const char *rest = strchr(t, ')');
		char *full = strata__printf("%s%s", name, rest ? rest + 1 : "");

		free(name);
		name = full;
		free(args);
		args = strata__strdup("");
	}
	/* MySQL has no boolean: BOOLEAN is tinyint(1). */
	if (!strcmp(name, "tinyint"))
		out = strata__strdup(strcmp(args, "(1)") ? "smallint"
		                                         : "boolean");
	for (i = 0; !out && i < sizeof(aliases) / sizeof(*aliases); i++)
		if (!strcmp(name, aliases[i].name))
			out = strata__printf("%s%s", aliases[i].neutral,
			                     aliases[i].keep_args ? args : "");
	if (!out && sqlite)
		out = strata__strdup(sqlite_affinity(t));
	if (!out)
		out = strata__strdup(t);
	free(name);
	free(args);
	free(t);
	return out;
}

int strata__type_integer(const char *neutral)
{
	return !strcmp(neutral, "integer") || !strcmp(neutral, "smallint") ||
	       !strcmp(neutral, "bigint");
}

/* Strips PostgreSQL casts ("'x'::character varying", "0::bigint") from
 * the end, outside quotes. */
static void strip_casts(char *s)
{
	for (;;) {
		size_t n = strlen(s), i;
		int quoted = 0;
		char *cast = NULL;

		for (i = 0; i < n; i++) {
			if (s[i] == '\'')
				quoted = !quoted;
			else if (!quoted && s[i] == ':' && s[i + 1] == ':')
				cast = s + i;
		}
		if (!cast)
			return;
		*cast = '\0';
	}
}

/* Outer parentheses around the whole expression: "(0)", "((1))". */
static void strip_parens(char *s)
{
	size_t n;

	while ((n = strlen(s)) >= 2 && s[0] == '(' && s[n - 1] == ')') {
		size_t i;
		int depth = 0, whole = 1;

		for (i = 0; i < n - 1; i++) {
			depth += s[i] == '(' ? 1 : s[i] == ')' ? -1 : 0;
			if (depth == 0) {
				whole = 0;
				break;
			}
		}
		if (!whole)
			return;
		memmove(s, s + 1, n - 2);
		s[n - 2] = '\0';
	}
}

static int is_number(const char *s)
{
	char *end;

	if (!*s)
		return 0;
	(void)strtod(s, &end);
	return *end == '\0';
}

/* Lowercase outside quotes, blanks trimmed. */
static void lower_unquoted(char *s)
{
	int quoted = 0;

	for (; *s; s++) {
		if (*s == '\'')
			quoted = !quoted;
		else if (!quoted)
			*s = (char)tolower((unsigned char)*s);
	}
}

static char *trim_dup(const char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return strata__printf("%.*s", (int)n, s);
}

char *strata__default_neutral(const char *neutral_type, const char *dflt)
{
	char *d, *inner;
	size_t n;

	if (!dflt)
		return NULL;
	d = trim_dup(dflt);
	strip_parens(d);
	strip_casts(d);
	strip_parens(d);
	lower_unquoted(d);
	n = strlen(d);
	/* NULL is no default at all. */
	if (!*d || !strcmp(d, "null")) {
		free(d);
		return NULL;
	}
	/* The current time, however the dialect spells it. */
	if (!strcmp(d, "current_timestamp") ||
	    starts(d, "current_timestamp(") || !strcmp(d, "now()") ||
	    !strcmp(d, "localtimestamp") || starts(d, "localtimestamp(") ||
	    !strcmp(d, "transaction_timestamp()") ||
	    !strcmp(d, "statement_timestamp()")) {
		free(d);
		return strata__strdup("current_timestamp");
	}
	/* A quoted number ('0', MariaDB's quoting of some literals) is
	 * the number. */
	if (n >= 2 && d[0] == '\'' && d[n - 1] == '\'') {
		inner = strata__printf("%.*s", (int)n - 2, d + 1);
		if (is_number(inner) && strcmp(neutral_type, "text") &&
		    !starts(neutral_type, "varchar") &&
		    !starts(neutral_type, "char")) {
			free(d);
			d = inner;
		} else {
			free(inner);
		}
	}
	/* Booleans: true/false, 1/0 (MySQL's tinyint(1), SQLite). */
	if (!strcmp(neutral_type, "boolean")) {
		if (!strcmp(d, "1") || !strcmp(d, "true") ||
		    !strcmp(d, "'t'") || !strcmp(d, "'true'")) {
			free(d);
			return strata__strdup("true");
		}
		if (!strcmp(d, "0") || !strcmp(d, "false") ||
		    !strcmp(d, "'f'") || !strcmp(d, "'false'")) {
			free(d);
			return strata__strdup("false");
		}
	}
	/* Numbers in one spelling: "0.00" and "0" differ only in scale. */
	if (is_number(d) && strchr(d, '.') && !strchr(d, 'e')) {
		n = strlen(d);
		while (n > 1 && d[n - 1] == '0')
			d[--n] = '\0';
		if (n > 1 && d[n - 1] == '.')
			d[--n] = '\0';
	}
	return d;
}
