/* URL parsing and password redaction. */
#include "tap.h"
#include "internal.h"

static void parse_ok(const char *text, const char *scheme, const char *user,
                     const char *pass, const char *host, int port,
                     const char *path)
{
	strata__url_owned u;
	strata_error e;

	memset(&e, 0, sizeof(e));
	ok(strata__url_parse(&u, text, &e) == 0, "parses %s", text);
	is_str(u.url.scheme, scheme, "%s: scheme", text);
	is_str(u.url.user, user, "%s: user", text);
	is_str(u.url.password, pass, "%s: password", text);
	is_str(u.url.host, host, "%s: host", text);
	is_int(u.url.port, port, "%s: port", text);
	is_str(u.url.path, path, "%s: path", text);
	strata__url_free(&u);
	strata_error_clear(&e);
}

static void parse_bad(const char *text, const char *needle)
{
	strata__url_owned u;
	strata_error e;

	memset(&e, 0, sizeof(e));
	is_int(strata__url_parse(&u, text, &e), STRATA_EUSAGE, "rejects %s",
	       needle);
	ok(e.message && strstr(e.message, needle), "says '%s' (%s)", needle,
	   e.message ? e.message : "");
	ok(!e.message || !strstr(e.message, "sekret"), "no password in error");
	strata_error_clear(&e);
}

static void params(void)
{
	strata__url_owned u;
	strata_error e;

	memset(&e, 0, sizeof(e));
	ok(strata__url_parse(&u,
	                     "postgres://h/db?sslmode=require&host=%2Ftmp"
	                     "%2Fs",
	                     &e) == 0,
	   "query parsed");
	is_int(u.url.nparams, 2, "two params");
	if (u.url.nparams == 2) {
		is_str(u.url.params[0].key, "sslmode", "key");
		is_str(u.url.params[1].value, "/tmp/s", "decoded value");
	}
	strata__url_free(&u);
}

static void redaction(void)
{
	char *r = strata_url_redact("postgres://bob:sekret@db:5432/app");

	is_str(r, "postgres://bob:***@db:5432/app", "password redacted");
	free(r);
	r = strata_url_redact("mysql://bob@db/app?password=sekret&x=1");
	is_str(r, "mysql://bob@db/app?password=***&x=1", "query password");
	free(r);
	r = strata_url_redact("mysql://bob:p%40ss@db/app");
	is_str(r, "mysql://bob:***@db/app", "encoded password");
	free(r);
	r = strata_url_redact("sqlite:data/app.db");
	is_str(r, "sqlite:data/app.db", "nothing to redact");
	free(r);
	r = strata_url_redact("postgres://u:p/a@ss@host:5/db?sslmode=require");
	is_str(r, "postgres://u:***@host:5/db?sslmode=require",
	       "unencoded / and @ in the password");
	free(r);
	r = strata_url_redact("postgres://u:p?w:d@h/db");
	is_str(r, "postgres://u:***@h/db", "unencoded ? and : in the password");
	free(r);
	r = strata_url_redact("postgres://h/db?sslmode=verify-full&sslpassword="
	                      "k3y&SSLPassword=k3y&client_secret=s3c&"
	                      "ssl%70assword=k3y&x=1");
	is_str(r,
	       "postgres://h/db?sslmode=verify-full&sslpassword=***&"
	       "SSLPassword=***&client_secret=***&ssl%70assword=***&x=1",
	       "every secret parameter, any case, encoded names");
	free(r);
	r = strata_url_redact("u:sekret@h/db");
	is_str(r, "u:***@h/db", "no scheme: still redacted");
	free(r);
	r = strata__scrub("FATAL: password sekret rejected", "sekret");
	is_str(r, "FATAL: password *** rejected", "scrubbed");
	free(r);
}

/* A password with unencoded '/', ':', '@', '?' stays in the password. */
static void odd_passwords(void)
{
	strata__url_owned u;
	strata_error e;
	char *r;

	parse_ok("postgres://u:p/a@ss@host/db", "postgres", "u", "p/a@ss",
	         "host", 0, "db");
	parse_ok("mysql://u:p:x?y#z@h:3306/db", "mysql", "u", "p:x?y#z", "h",
	         3306, "db");
	parse_ok("postgres://:pw@h/db", "postgres", NULL, "pw", "h", 0, "db");
	memset(&e, 0, sizeof(e));
	ok(strata__url_parse(&u,
	                     "postgres://u:p/w@h/db?sslpassword=k3y%2F&"
	                     "sslmode=require",
	                     &e) == 0,
	   "parses with sslpassword");
	r = strata__scrub_url("bad p/w and k3y/ and sslmode", &u.url);
	is_str(r, "bad *** and *** and sslmode", "scrubs password and params");
	free(r);
	strata__url_free(&u);
}

/* Review 3 finding 5: an '@' after the host never moves the host. */
static void at_after_host(void)
{
	strata__url_owned u;
	strata_error e;

	parse_bad("postgres://u:p@h/db?application_name=a@b", "ambiguous");
	parse_bad("postgres://h:5432/db?application_name=a@b", "ambiguous");
	parse_bad("postgres://h/db@x", "ambiguous");
	parse_bad("mysql://u:p/w@h/db?x=a@b", "ambiguous");
	parse_bad("postgres://u:12/x@h/db", "ambiguous");
	parse_ok("postgres://u:p@h/db?application_name=a%40b", "postgres", "u",
	         "p", "h", 0, "db");
	parse_ok("postgres://u:p@h/db?x=a@b:c", "postgres", "u", "p", "h", 0,
	         "db");
	parse_ok("postgres://u:p/w@h:5/db", "postgres", "u", "p/w", "h", 5,
	         "db");
	parse_ok("postgres://u:Zq7/Kx9:Vw3@Jm5@h:5/db", "postgres", "u",
	         "Zq7/Kx9:Vw3@Jm5", "h", 5, "db");
	memset(&e, 0, sizeof(e));
	ok(strata__url_parse(&u, "postgres://u:s3cret@h/db?a=x@y", &e) != 0,
	   "refused");
	ok(e.message && !strstr(e.message, "s3cret"),
	   "the refusal does not print the password (%s)",
	   e.message ? e.message : "");
	strata_error_clear(&e);
}

int main(void)
{
	parse_ok("sqlite:data/app.db", "sqlite", NULL, NULL, NULL, 0,
	         "data/app.db");
	parse_ok("sqlite:///var/lib/app.db", "sqlite", NULL, NULL, NULL, 0,
	         "/var/lib/app.db");
	parse_ok("./app.db", "sqlite", NULL, NULL, NULL, 0, "./app.db");
	parse_ok("app.db", "sqlite", NULL, NULL, NULL, 0, "app.db");
	parse_ok("postgres://bob:p%40ss@db.example:6432/app", "postgres", "bob",
	         "p@ss", "db.example", 6432, "app");
	parse_ok("POSTGRESQL://db/app", "postgresql", NULL, NULL, "db", 0,
	         "app");
	parse_ok("mysql://root@[::1]:3307/app", "mysql", "root", NULL, "::1",
	         3307, "app");
	parse_ok("mariadb://u:@/app?socket=/run/m.sock", "mariadb", "u", "",
	         NULL, 0, "app");
	parse_bad("postgres://bob:sekret@db:99999/app", "port out of range");
	parse_bad("postgres://bob:sekret@db:12x/app", "invalid port");
	parse_bad("postgres:db/app", "URL must look like");
	parse_bad("mysql://h/db?novalue", "has no value");
	parse_bad("sqlite:", "no file path");
	params();
	redaction();
	odd_passwords();
	at_after_host();
	return tap_done();
}
