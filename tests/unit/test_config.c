/* strata.ini parsing: environments, expansion, and errors with lines. */
#include "tap.h"
#include "internal.h"

static strata_config *C;
static strata_error E;

static int parse(const char *text, const char *env)
{
	strata_config_free(C);
	C = NULL;
	strata_error_clear(&E);
	return strata_config_parse(&C, text, "strata.ini", env, &E);
}

static void expect_error(const char *text, const char *env, int line,
                         const char *needle, const char *what)
{
	int rc = parse(text, env);

	is_int(rc, STRATA_EUSAGE, "%s: usage error", what);
	is_int(E.line, line, "%s: line %d", what, line);
	is_str(E.file, "strata.ini", "%s: names the file", what);
	ok(E.message && strstr(E.message, needle), "%s: says '%s' (%s)", what,
	   needle, E.message ? E.message : "");
}

static void environments(void)
{
	const char *ini = "; comment\n[default]\nurl = sqlite:dev.db\n"
	                  "lock_timeout = 5\ntable = hist\n\n"
	                  "[production]\nurl = postgres://db/prod\n";

	ok(parse(ini, NULL) == 0, "parses");
	is_str(strata_config_url(C), "sqlite:dev.db", "default url");
	is_int(strata_config_lock_timeout(C), 5, "lock_timeout");
	ok(parse(ini, "production") == 0, "parses for production");
	is_str(strata_config_url(C), "postgres://db/prod", "section overrides");
	is_str(strata_config_table(C), "hist", "inherits from [default]");
	is_int(strata_config_lock_timeout(C), 5, "inherits lock_timeout");
	expect_error(ini, "staging", 0, "no environment [staging]",
	             "unknown environment");
	ok(E.message && strstr(E.message, "default, production"),
	   "lists the environments");
}

static void expansion(void)
{
	setenv("STRATA_T_URL", "postgres://u@h/d", 1);
	unsetenv("STRATA_T_UNSET");
	ok(parse("[default]\nurl = ${STRATA_T_URL}\n", NULL) == 0, "expands");
	is_str(strata_config_url(C), "postgres://u@h/d", "${VAR}");
	ok(parse("[default]\nurl = ${STRATA_T_UNSET:-sqlite:x.db}\n", NULL) ==
	           0,
	   "default value");
	is_str(strata_config_url(C), "sqlite:x.db", "${VAR:-default}");
	ok(parse("[default]\nurl = pg://u:pa$$${x}@h/d\n", NULL) == 0,
	   "escape");
	is_str(strata_config_url(C), "pg://u:pa$${x}@h/d", "$${ is literal");
	expect_error("[default]\n\nurl = ${STRATA_T_UNSET}\n", NULL, 3,
	             "STRATA_T_UNSET is not set", "unset variable");
	expect_error("[default]\nurl = ${OPEN\n", NULL, 2, "unterminated",
	             "unterminated ${");
}

static void errors(void)
{
	expect_error("[default]\nurl = x\nuri = y\n", NULL, 3,
	             "unknown key 'uri'", "unknown key");
	expect_error("url = x\n", NULL, 1, "outside a section", "no section");
	expect_error("[default]\nurl = a\nurl = b\n", NULL, 3, "duplicate",
	             "duplicate key");
	expect_error("[default]\nlock_timeout = soon\n", NULL, 2,
	             "lock_timeout must be", "bad lock_timeout");
	expect_error("[default]\nlock_timeout = -1\n", NULL, 2,
	             "lock_timeout must be", "negative lock_timeout");
	expect_error("[default]\n[broken\n", NULL, 2, "syntax error",
	             "syntax error");
}

static void long_lines(void)
{
	char text[1024];

	snprintf(text, sizeof(text), "[default]\nurl = sqlite:%0300d\n", 0);
	expect_error(text, NULL, 2, "line too long", "long line");
	ok(parse("[default]\ninit_sql = SET a = 1;\n  SET b = 2;\n", NULL) == 0,
	   "continuation lines");
	is_str(strata_config_init_sql(C), "SET a = 1;\nSET b = 2;",
	       "init_sql continues");
}

int main(void)
{
	environments();
	expansion();
	errors();
	long_lines();
	strata_config_free(C);
	strata_error_clear(&E);
	return tap_done();
}
