/*
 * Dialect type names and default expressions mapped to the neutral model,
 * so that one migration set applied to SQLite, PostgreSQL and MySQL/MariaDB
 * describes the same schema. docs/strata.1 (diff) lists every rule.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

char *strata__type_exact(const char *type)
{
	char *t = squash(type ? type : ""), *p, *name, *out;
	int autoinc;

	/* auto_increment is compared as the default; DEFAULT_GENERATED
	 * only marks MySQL 8's expression defaults. */
	if ((p = strstr(t, " auto_increment")) != NULL)
		memmove(p, p + 15, strlen(p + 15) + 1);
	if ((p = strstr(t, " default_generated")) != NULL)
		memmove(p, p + 18, strlen(p + 18) + 1);
	/* Integer display widths (int(11)) mean nothing; MySQL 8 drops
	 * them. tinyint(1) is boolean: kept. */
	name = name_of(t);
	out = strata__type_neutral("mysql", name, &autoinc);
	if (strcmp(name, "tinyint") && strata__type_integer(out) &&
	    (p = strchr(t, '(')) != NULL && strchr(p, ')'))
		memmove(p, strchr(p, ')') + 1, strlen(strchr(p, ')') + 1) + 1);
	free(out);
	free(name);
	return t;
}

int strata__type_integer(const char *neutral)
{
	return !strcmp(neutral, "integer") || !strcmp(neutral, "smallint") ||
	       !strcmp(neutral, "bigint");
}

/* Words that continue a multi-word type name after a cast:
 * "character varying", "timestamp(3) without time zone". */
static int type_word_more(const char *w, size_t n)
{
	static const char *const more[] = {"varying", "precision", "with",
	                                   "without", "time",      "zone"};
	size_t i;

	for (i = 0; i < sizeof(more) / sizeof(*more); i++)
		if (strlen(more[i]) == n && !strncasecmp(w, more[i], n))
			return 1;
	return 0;
}

static int ident_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '.' || c == '"';
}

/* End of the type name starting at s: words (maybe schema-qualified or
 * quoted), "(n)" and "[]". */
static const char *type_end(const char *s)
{
	const char *p = s;

	for (;;) {
		const char *w = p;

		while (isspace((unsigned char)*w))
			w++;
		if (p != s) {
			size_t n = 0;

			while (isalpha((unsigned char)w[n]))
				n++;
			if (!type_word_more(w, n))
				return p;
		}
		p = w;
		while (ident_char(*p))
			p++;
		if (p == w)
			return p;
		for (;;) {
			const char *q = p;

			while (isspace((unsigned char)*q))
				q++;
			if (*q == '(' && strchr(q, ')'))
				p = strchr(q, ')') + 1;
			else if (q[0] == '[' && q[1] == ']')
				p = q + 2;
			else
				break;
		}
	}
}

/* Removes PostgreSQL casts ("'x'::character varying", "0::bigint"),
 * only the "::type" token, outside quotes. */
static void strip_casts(char *s)
{
	int quoted = 0;
	char *p = s;

	while (*p) {
		if (*p == '\'') {
			quoted = !quoted;
			p++;
		} else if (!quoted && p[0] == ':' && p[1] == ':') {
			const char *e = type_end(p + 2);

			memmove(p, e, strlen(e) + 1);
		} else {
			p++;
		}
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

/* Blanks outside quotes removed: "1 + 2" is "1+2". */
static void drop_blanks(char *s)
{
	char *o = s, q = 0;

	for (; *s; s++) {
		if (q ? *s == q : (*s == '\'' || *s == '"'))
			q = q ? 0 : *s;
		if (q || !isspace((unsigned char)*s))
			*o++ = *s;
	}
	*o = '\0';
}

/*
 * A numeric literal in one exact decimal spelling ("1e3", "1000.0" and
 * "1000" are "1000"), done on the digits so that no precision is lost;
 * NULL if s is no plain number.
 */
static char *number_canon(const char *s)
{
	strata__buf b = STRATA__BUF_INIT;
	char digits[128];
	size_t nd = 0, lead = 0, i;
	long point = 0, exp = 0;
	int neg = 0, seen = 0, dot = 0;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; isdigit((unsigned char)*s) || (*s == '.' && !dot); s++) {
		if (*s == '.') {
			dot = 1;
			continue;
		}
		if (nd == sizeof(digits))
			return NULL;
		seen = 1;
		digits[nd++] = *s;
		if (!dot)
			point++;
	}
	if (!seen)
		return NULL;
	if (*s == 'e' || *s == 'E') {
		char *end;

		exp = strtol(s + 1, &end, 10);
		if (end == s + 1 || exp > 64 || exp < -64)
			return NULL;
		s = end;
	}
	if (*s)
		return NULL;
	point += exp;
	while (lead < nd && digits[lead] == '0') {
		lead++;
		point--;
	}
	while (nd > lead && digits[nd - 1] == '0')
		nd--;
	if (lead == nd)
		return strata__strdup("0");
	if (neg)
		strata__buf_putc(&b, '-');
	if (point <= 0) {
		strata__buf_puts(&b, "0.");
		for (; point < 0; point++)
			strata__buf_putc(&b, '0');
	}
	for (i = lead; i < nd; i++) {
		if (point > 0 && (long)(i - lead) == point)
			strata__buf_putc(&b, '.');
		strata__buf_putc(&b, digits[i]);
	}
	for (i = nd - lead; point > 0 && (long)i < point; i++)
		strata__buf_putc(&b, '0');
	strata__buf_puts(&b, "");
	return strata__buf_detach(&b);
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
	drop_blanks(d);
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
	if (!strcmp(d, "current_date") || !strcmp(d, "current_date()") ||
	    !strcmp(d, "curdate()")) {
		free(d);
		return strata__strdup("current_date");
	}
	if (!strcmp(d, "current_time") || starts(d, "current_time(") ||
	    !strcmp(d, "curtime()") || !strcmp(d, "localtime") ||
	    starts(d, "localtime(")) {
		free(d);
		return strata__strdup("current_time");
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
	/* Numbers in one spelling: "0.00" and "0", "1e3" and "1000". */
	if ((inner = number_canon(d)) != NULL) {
		free(d);
		d = inner;
	}
	return d;
}
