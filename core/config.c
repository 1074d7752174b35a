/*
 * strata.ini, read with inih. [default] applies to every environment; a
 * named section overrides it. Precedence, highest first: command-line
 * flags, STRATA_* environment variables, the chosen section, [default],
 * built-in defaults.
 */
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"

enum { URL_FROM_ENV = 1, URL_FROM_FLAG = 2 };

static const char *const known_keys[] = {"url",
                                         "migrations",
                                         "table",
                                         "lock_timeout",
                                         "init_sql",
                                         "out_of_order",
                                         "host",
                                         "port",
                                         "user",
                                         "password",
                                         "password_file",
                                         "database",
                                         "options",
                                         "schema_file",
                                         "targets",
                                         "targets_file",
                                         "tenants",
                                         "layout",
                                         NULL};

typedef struct entry {
	char *section, *key, *value;
	int line;
} entry;

typedef struct parser {
	const char *text, *pos, *end;
	const char *file;
	int line;
	entry *items;
	size_t count;
	strata_error *err;
	int failed;
	/* Where the drivers that say how their URLs are written are found
	 * (strata_options.plugin_path; NULL: $STRATA_PLUGIN_PATH). */
	const char *plugin_path;
} parser;

struct strata_config {
	char *file, *env, *url, *migrations, *table, *init_sql;
	int lock_timeout;
	char *password_file; /* resolved path, to check its mode */
	int literal_secret;  /* the file itself holds a password */
	int no_create;       /* strata_options.no_create */
	int out_of_order;    /* 1: allow */
	char *plugin_path;   /* strata_options.plugin_path (drv) */
	char *schema_file;   /* where up and down write the dump, or NULL */
	strata__fleet_keys fleet; /* targets of the section (targets.c) */
	int layout;               /* STRATA__LAYOUT_*: the folder's tool */
};

/* inih asks for one line at a time, which gives us line numbers. */
static char *reader(char *str, int num, void *stream)
{
	parser *p = stream;
	const char *eol;
	size_t n;

	if (p->pos >= p->end)
		return NULL;
	eol = memchr(p->pos, '\n', (size_t)(p->end - p->pos));
	n = eol ? (size_t)(eol - p->pos) + 1 : (size_t)(p->end - p->pos);
	p->line++;
	if (n >= (size_t)num) {
		/* Reported here, before anything the cut line could cause. */
		if (!p->failed)
			strata__err_at(p->err, STRATA_EUSAGE, p->file, p->line,
			               "line too long (at most %d characters; "
			               "split url into host, user, password, "
			               "database and options keys, continue "
			               "init_sql on indented lines)",
			               num - 2);
		p->failed = 1;
		str[0] = '\0';
	} else {
		memcpy(str, p->pos, n);
		str[n] = '\0';
	}
	p->pos += eol ? (size_t)(eol - p->pos) + 1 : (size_t)(p->end - p->pos);
	return str;
}

static int key_known(const char *k)
{
	size_t i;

	for (i = 0; known_keys[i]; i++)
		if (!strcmp(known_keys[i], k))
			return 1;
	return 0;
}

static entry *find(parser *p, const char *section, const char *key)
{
	size_t i;

	for (i = p->count; i-- > 0;)
		if (!strcmp(p->items[i].section, section) &&
		    (!key || !strcmp(p->items[i].key, key)))
			return &p->items[i];
	return NULL;
}

static int fail(parser *p, const char *fmt, const char *a)
{
	if (!p->failed)
		strata__err_at(p->err, STRATA_EUSAGE, p->file, p->line, fmt, a);
	p->failed = 1;
	return 0;
}

/* The list comes from known_keys, so new keys show up by themselves. */
static int unknown_key(parser *p, const char *name)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;

	for (i = 0; known_keys[i]; i++)
		strata__buf_printf(&b, "%s%s", i ? ", " : "", known_keys[i]);
	if (!p->failed)
		strata__err_at(p->err, STRATA_EUSAGE, p->file, p->line,
		               "unknown key '%s' (known: %s)", name, b.ptr);
	p->failed = 1;
	strata__buf_free(&b);
	return 0;
}

/* url = "..." means the text inside the quotes, as in most INI dialects. */
static char *unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && (v[0] == '"' || v[0] == '\'') && v[n - 1] == v[0])
		return strata__strndup(v + 1, n - 2);
	return strata__strdup(v);
}

static int handler(void *user, const char *section, const char *name,
                   const char *value)
{
	parser *p = user;
	entry *dup;

	if (p->failed)
		return 0;
	if (!*section)
		return fail(p,
		            "key '%s' outside a section (put it under "
		            "[default])",
		            name);
	if (!key_known(name))
		return unknown_key(p, name);
	dup = find(p, section, name);
	if (dup && (!strcmp(name, "init_sql") || !strcmp(name, "targets") ||
	            !strcmp(name, "tenants"))) {
		/* Continuation lines add statements, or list items. */
		char *v = strata__printf("%s\n%s", dup->value, value);
		free(dup->value);
		dup->value = v;
		return 1;
	}
	if (dup)
		return fail(p, "duplicate key '%s'", name);
	p->items = strata__realloc(p->items, (p->count + 1) * sizeof(entry));
	p->items[p->count].section = strata__strdup(section);
	p->items[p->count].key = strata__strdup(name);
	p->items[p->count].value = unquote(value);
	p->items[p->count].line = p->line;
	p->count++;
	return 1;
}

/* ${VAR} and ${VAR:-default}; "$${" is a literal "${". ${tenant} is
 * tenant when that is not NULL. */
int strata__expand(char **out, const char *value, const char *key,
                   const char *file, int line, const char *tenant,
                   strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	const char *s = value;

	while (*s) {
		const char *close, *dflt, *val;
		char *name;

		if (s[0] == '$' && s[1] == '$' && s[2] == '{') {
			strata__buf_puts(&b, "${");
			s += 3;
			continue;
		}
		if (s[0] != '$' || s[1] != '{') {
			strata__buf_putc(&b, *s++);
			continue;
		}
		close = strchr(s, '}');
		if (!close) {
			strata__buf_free(&b);
			return strata__err_at(err, STRATA_EUSAGE, file, line,
			                      "unterminated ${ in '%s'", key);
		}
		dflt = strstr(s, ":-");
		if (dflt && dflt > close)
			dflt = NULL;
		name = strata__strndup(s + 2,
		                       (size_t)((dflt ? dflt : close) - s - 2));
		val = tenant && !strcmp(name, "tenant") ? tenant : getenv(name);
		if ((!val || !*val) && dflt) {
			strata__buf_put(&b, dflt + 2,
			                (size_t)(close - dflt - 2));
		} else if (!val) {
			strata_error_clear(err);
			strata__err_at(err, STRATA_EUSAGE, file, line,
			               "environment variable %s is not set "
			               "(used by '%s')%s",
			               name, key,
			               strcmp(name, "tenant")
			                       ? ""
			                       : "; ${tenant} needs a tenants "
			                         "= list in the same section");
			free(name);
			strata__buf_free(&b);
			return STRATA_EUSAGE;
		} else {
			strata__buf_puts(&b, val);
		}
		free(name);
		s = close + 1;
	}
	*out = strata__buf_detach(&b);
	return STRATA_OK;
}

static int expand(char **out, const entry *e, const char *file,
                  strata_error *err)
{
	return strata__expand(out, e->value, e->key, file, e->line, NULL, err);
}

static void parser_free(parser *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		free(p->items[i].section);
		free(p->items[i].key);
		free(p->items[i].value);
	}
	free(p->items);
}

static int parse_text(parser *p, const char *text, const char *file,
                      strata_error *err)
{
	int rc;

	memset(p, 0, sizeof(*p));
	p->text = p->pos = text;
	p->end = text + strlen(text);
	p->file = file;
	p->err = err;
	rc = ini_parse_stream(reader, p, handler, p);
	if (p->failed)
		return STRATA_EUSAGE;
	if (rc > 0)
		return strata__err_at(err, STRATA_EUSAGE, file, rc,
		                      "syntax error (expected [section] or "
		                      "key = value)");
	return rc < 0 ? strata__err_at(err, STRATA_EUSAGE, file, 0,
	                               "cannot parse")
	              : STRATA_OK;
}

static int lookup(char **out, parser *p, const char *env, const char *key,
                  strata_error *err)
{
	entry *e = find(p, env, key);

	if (!e)
		e = find(p, "default", key);
	*out = NULL;
	return e ? expand(out, e, p->file, err) : STRATA_OK;
}

static int set_timeout(strata_config *c, const char *v, const char *file,
                       int line, strata_error *err)
{
	char *end;
	long t;

	errno = 0;
	t = strtol(v, &end, 10);
	if (errno || end == v || *end || t < 0 || t > 86400)
		return strata__err_at(err, STRATA_EUSAGE, file, line,
		                      "lock_timeout must be whole seconds "
		                      "between 0 and 86400, not '%s'",
		                      v);
	c->lock_timeout = (int)t;
	return STRATA_OK;
}

static int check_env(parser *p, const char *env, strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;
	int rc;

	if (!strcmp(env, "default") || find(p, env, NULL) || !p->file)
		return STRATA_OK;
	for (i = 0; i < p->count; i++)
		if (find(p, p->items[i].section, NULL) == &p->items[i])
			strata__buf_printf(&b, "%s%s", b.len ? ", " : "",
			                   p->items[i].section);
	rc = strata__err_at(err, STRATA_EUSAGE, p->file, 0,
	                    "no environment [%s] (have: %s)", env,
	                    b.len ? b.ptr : "none");
	strata__buf_free(&b);
	return rc;
}

static int set_out_of_order(strata_config *c, const char *v, parser *p,
                            strata_error *err)
{
	entry *e = find(p, c->env, "out_of_order");

	e = e ? e : find(p, "default", "out_of_order");
	if (strcmp(v, "refuse") != 0 && strcmp(v, "allow") != 0)
		return strata__err_at(err, STRATA_EUSAGE, p->file,
		                      e ? e->line : 0,
		                      "out_of_order must be 'refuse' or "
		                      "'allow', not '%s'",
		                      v);
	c->out_of_order = !strcmp(v, "allow");
	return STRATA_OK;
}

/*
 * Connection parts as keys (host, port, user, password, password_file,
 * database, options) fill in or override that part of url, which must at
 * least name the scheme ("url = postgres://"). They keep long TLS options
 * under inih's line limit and secrets out of the URL.
 */
static const char *const part_keys[] = {
        "host", "port", "user", "password", "database", "options", NULL};

/* Percent-encode all but RFC 3986 unreserved characters (and keep[]). */
static void put_enc(strata__buf *b, const char *s, const char *keep)
{
	for (; s && *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (isalnum(ch) || strchr("-._~", ch) ||
		    (keep && strchr(keep, ch)))
			strata__buf_putc(b, (char)ch);
		else
			strata__buf_printf(b, "%%%02X", ch);
	}
}

/* The entry that decides key: the environment's, else [default]'s. */
static entry *pick(parser *p, const char *env, const char *key)
{
	entry *e = find(p, env, key);

	return e ? e : find(p, "default", key);
}

static int read_password_file(char **out, strata_config *c, parser *p,
                              const entry *e, strata_error *err)
{
	strata_error ferr;
	char *path = NULL, *dir;
	const char *slash = p->file ? strrchr(p->file, '/') : NULL;
	size_t n;
	int rc = expand(&path, e, p->file, err);

	if (rc)
		return rc;
	if (slash && path[0] != '/') { /* relative to the config file */
		dir = strata__strndup(p->file, (size_t)(slash - p->file));
		c->password_file = strata__path_join(dir, path);
		free(dir);
		free(path);
	} else {
		c->password_file = path;
	}
	memset(&ferr, 0, sizeof(ferr));
	if (strata__read_file(out, &n, c->password_file, &ferr)) {
		rc = strata__err_at(err, STRATA_EUSAGE, p->file, e->line,
		                    "password_file %s: %s", c->password_file,
		                    ferr.message);
		strata_error_clear(&ferr);
		return rc;
	}
	while (n > 0 && ((*out)[n - 1] == '\n' || (*out)[n - 1] == '\r'))
		(*out)[--n] = '\0';
	return STRATA_OK;
}

static int get_password(char **out, strata_config *c, parser *p, int *given,
                        strata_error *err)
{
	entry *pw = find(p, c->env, "password");
	entry *pf = find(p, c->env, "password_file");

	if (!pw && !pf) {
		pw = find(p, "default", "password");
		pf = find(p, "default", "password_file");
	}
	*given = pw || pf;
	*out = NULL;
	if (pw && pf)
		return strata__err_at(err, STRATA_EUSAGE, p->file, pf->line,
		                      "give password or password_file, not "
		                      "both");
	if (pw)
		return expand(out, pw, p->file, err);
	return pf ? read_password_file(out, c, p, pf, err) : STRATA_OK;
}

static int check_port(const char *v, parser *p, const entry *e,
                      strata_error *err)
{
	size_t n = strspn(v, "0123456789");
	long port = atol(v);

	if (*v && (v[n] || n > 5 || port < 1 || port > 65535))
		return strata__err_at(err, STRATA_EUSAGE, p->file, e->line,
		                      "port must be a number from 1 to 65535, "
		                      "not '%s'",
		                      v);
	return STRATA_OK;
}

/* Base parts from url; "scheme:" or "scheme://" alone gives just that. */
static int base_url(strata__url_owned *u, const char *url, const entry *first,
                    parser *p, strata_error *err)
{
	const char *colon = url ? strchr(url, ':') : NULL;

	memset(u, 0, sizeof(*u));
	if (!colon || colon == url)
		return strata__err_at(
		        err, STRATA_EUSAGE, p->file, first->line,
		        "'%s' needs url to name the database type, "
		        "e.g. url = postgres:// (or mysql://, "
		        "sqlite:)",
		        first->key);
	if (!colon[1] || !strcmp(colon + 1, "//")) {
		size_t i;

		u->storage[0] = strata__strndup(url, (size_t)(colon - url));
		for (i = 0; u->storage[0][i]; i++)
			u->storage[0][i] =
			        (char)tolower((unsigned char)u->storage[0][i]);
		u->url.scheme = u->storage[0];
		return STRATA_OK;
	}
	return strata__url_parse_in(u, url, p->plugin_path, err);
}

/* One key or value of options, decoded then encoded, so that no raw '@',
 * '/', '?' or '#' reaches the URL (an '@' there could move the host). */
static void put_part(strata__buf *b, const char *s, size_t n, const char *keep)
{
	char *d = strata__url_decode(s, n);

	put_enc(b, d, keep);
	free(d);
}

static void put_options(strata__buf *b, const char *opts)
{
	int first = 1;

	if (*opts == '?')
		opts++;
	while (*opts) {
		size_t n = strcspn(opts, "&");
		const char *eq = memchr(opts, '=', n);

		if (n) {
			strata__buf_putc(b, first ? '?' : '&');
			first = 0;
			put_part(b, opts, eq ? (size_t)(eq - opts) : n, NULL);
			if (eq) {
				strata__buf_putc(b, '=');
				put_part(b, eq + 1, n - (size_t)(eq - opts) - 1,
				         "/");
			}
		}
		opts += n;
		if (*opts == '&')
			opts++;
	}
}

static void put_query(strata__buf *b, const strata_url *u, const char *opts)
{
	size_t i;

	if (opts) {
		put_options(b, opts);
		return;
	}
	for (i = 0; i < u->nparams; i++) {
		strata__buf_putc(b, i ? '&' : '?');
		put_enc(b, u->params[i].key, NULL);
		strata__buf_putc(b, '=');
		put_enc(b, u->params[i].value, "/");
	}
}

/* How URLs of the scheme are written, as its driver declares; without a
 * driver, as the url key suggests ("scheme:" is a file, "scheme://" a
 * server). */
static int url_form(const strata_url *u, const char *url, const parser *p)
{
	int form = strata__scheme_form(u->scheme, p->plugin_path);

	return form >= 0 ? form : strata__url_form_hint(url);
}

/* Compose scheme://user:password@host:port/database?options, or
 * scheme:path?options for a driver that reads a file. */
static char *compose(const strata_url *u, int form, char *const part[6])
{
	const char *user = part[2] ? part[2] : u->user;
	const char *pass = part[3] ? part[3] : u->password;
	const char *host = part[0] ? part[0] : u->host;
	const char *db = part[4] ? part[4] : u->path;
	strata__buf b = STRATA__BUF_INIT;

	if (form == STRATA_URL_FILE) {
		strata__buf_printf(&b, "%s:", u->scheme);
		if (db && db[0] == '/' && db[1] == '/')
			strata__buf_puts(&b, "//");
		put_enc(&b, db, "/:@+,;=!$&'()*");
		put_query(&b, u, part[5]);
		return strata__buf_detach(&b);
	}
	strata__buf_printf(&b, "%s://", u->scheme);
	if (user && *user)
		put_enc(&b, user, NULL);
	if (pass && *pass) {
		strata__buf_putc(&b, ':');
		put_enc(&b, pass, NULL);
	}
	if ((user && *user) || (pass && *pass))
		strata__buf_putc(&b, '@');
	if (host && host[0] == '[') /* IPv6, already bracketed */
		strata__buf_puts(&b, host);
	else if (host && strchr(host, ':')) /* IPv6 */
		strata__buf_printf(&b, "[%s]", host);
	else
		put_enc(&b, host, NULL);
	if (part[1] && *part[1])
		strata__buf_printf(&b, ":%s", part[1]);
	else if (!part[1] && u->port > 0)
		strata__buf_printf(&b, ":%d", u->port);
	strata__buf_putc(&b, '/');
	put_enc(&b, db, NULL);
	put_query(&b, u, part[5]);
	return strata__buf_detach(&b);
}

static int compose_url(strata_config *c, parser *p, strata_error *err)
{
	char *part[6] = {NULL}, *pw = NULL;
	entry *first = NULL;
	strata__url_owned u;
	int given = 0, rc = STRATA_OK, form = STRATA_URL_SERVER;
	size_t i;

	for (i = 0; !rc && part_keys[i]; i++) {
		entry *e = i == 3 ? NULL : pick(p, c->env, part_keys[i]);

		first = first ? first : e;
		if (e)
			rc = expand(&part[i], e, p->file, err);
		if (!rc && e && i == 1)
			rc = check_port(part[1], p, e, err);
	}
	if (!rc)
		rc = get_password(&pw, c, p, &given, err);
	part[3] = pw;
	if (!first && given)
		first = pick(p, c->env, "password")
		                ? pick(p, c->env, "password")
		                : pick(p, c->env, "password_file");
	if (!rc && first)
		rc = base_url(&u, c->url, first, p, err);
	if (rc || !first)
		first = NULL; /* nothing to compose, or u was not filled */
	if (first)
		form = url_form(&u.url, c->url, p);
	if (first && form == STRATA_URL_FILE &&
	    (part[0] || part[1] || part[2] || given))
		rc = strata__err_at(err, STRATA_EUSAGE, p->file, first->line,
		                    "%s takes only database and options, not "
		                    "host, port, user or password (its driver "
		                    "reads a file)",
		                    u.url.scheme);
	if (first && !rc) {
		free(c->url);
		c->url = compose(&u.url, form, part);
	}
	if (first)
		strata__url_free(&u);
	for (i = 0; i < 6; i++)
		free(part[i]);
	return rc;
}

/* A literal secret: what is left once ${...} references are removed. */
static int literal(const char *v)
{
	while (*v) {
		const char *close;

		if (v[0] == '$' && v[1] == '{' && (close = strchr(v, '}'))) {
			v = close + 1;
			continue;
		}
		if (!isspace((unsigned char)*v))
			return 1;
		v++;
	}
	return 0;
}

static int query_has_secret(const char *q)
{
	while (q && *q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);
		char *v;
		int hit = 0;

		if (eq && strata__url_secret_key(q, (size_t)(eq - q))) {
			v = strata__strndup(eq + 1, n - (size_t)(eq - q) - 1);
			hit = literal(v);
			free(v);
		}
		if (hit)
			return 1;
		q += n;
		q += *q == '&';
	}
	return 0;
}

/* Does the file hold a password itself (not a ${VAR} reference)? */
static int holds_secret(const parser *p)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		const entry *e = &p->items[i];
		const char *v = e->value, *auth, *at, *colon;
		char *pw;
		int hit = 0;

		if (!strcmp(e->key, "password"))
			hit = literal(v);
		else if (!strcmp(e->key, "options"))
			hit = query_has_secret(v);
		if (hit)
			return 1;
		if (strcmp(e->key, "url") != 0)
			continue;
		auth = strstr(v, "://");
		auth = auth ? auth + 3 : v;
		at = strrchr(auth, '@');
		colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
		if (colon) {
			pw = strata__strndup(colon + 1,
			                     (size_t)(at - colon - 1));
			hit = literal(pw);
			free(pw);
		}
		if (hit || query_has_secret(strchr(at ? at : auth, '?')))
			return 1;
	}
	return 0;
}

/* Like libpq with ~/.pgpass: a secret others can read is worth a word. */
static void warn_readable(const char *path, const char *what, const char *why)
{
	struct stat st;

	if (path && stat(path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)))
		fprintf(stderr,
		        "strata: warning: %s%s %sis readable by group or "
		        "others; run 'chmod 600 %s'\n",
		        what, path, why, path);
}

static int fleet_url(strata_config *c, parser *p, const entry *n,
                     strata_error *err)
{
	const entry *u = find(p, c->env, "url");

	u = u ? u : find(p, "default", "url");
	if (!u || !strstr(u->value, "${tenant}"))
		return strata__err_at(err, STRATA_EUSAGE, p->file, n->line,
		                      "tenants needs a url with ${tenant} in "
		                      "it");
	c->fleet.url_template = strata__strdup(u->value);
	c->fleet.url_line = u->line;
	return expand(&c->fleet.tenants, n, p->file, err);
}

/* targets =, targets_file = or tenants = (with url's ${tenant}): a fleet.
 * Read from the environment's own section only: in [default] they would
 * make every environment a fleet. */
static int read_fleet(strata_config *c, parser *p, int *fleet,
                      strata_error *err)
{
	const entry *t = find(p, c->env, "targets");
	const entry *f = find(p, c->env, "targets_file");
	const entry *n = find(p, c->env, "tenants");
	const entry *first = t ? t : f ? f : n, *u = find(p, c->env, "url");

	*fleet = first != NULL;
	if (!first)
		return STRATA_OK;
	c->fleet.line = first->line;
	if (!!t + !!f + !!n > 1)
		return strata__err_at(err, STRATA_EUSAGE, p->file, first->line,
		                      "targets, targets_file and tenants "
		                      "exclude each other: one list a section");
	if (u && !n)
		return strata__err_at(err, STRATA_EUSAGE, p->file, u->line,
		                      "url and %s in one section: a fleet's "
		                      "URLs are its targets",
		                      first->key);
	if (t)
		return expand(&c->fleet.targets, t, p->file, err);
	if (f)
		return expand(&c->fleet.targets_file, f, p->file, err);
	return fleet_url(c, p, n, err);
}

static int set_layout(strata_config *c, const char *v, parser *p,
                      strata_error *err)
{
	const entry *e = find(p, c->env, "layout");

	e = e ? e : find(p, "default", "layout");
	c->layout = strata__layout_from_name(v);
	if (c->layout < 0)
		return strata__err_at(err, STRATA_EUSAGE, p->file, e->line,
		                      "layout is auto, strata, dbmate, "
		                      "golang-migrate, goose, flyway or pop, "
		                      "not '%s'",
		                      v);
	return STRATA_OK;
}

/* A fleet's user, password... keys, kept for each target's URL. */
static int fleet_parts(strata_config *c, parser *p, strata_error *err)
{
	int rc = STRATA_OK, given = 0;
	size_t i;

	for (i = 0; !rc && part_keys[i]; i++) {
		entry *e = i == 3 ? NULL : pick(p, c->env, part_keys[i]);

		if (e)
			rc = expand(&c->fleet.part[i], e, p->file, err);
		if (!rc && e && i == 1)
			rc = check_port(c->fleet.part[1], p, e, err);
		c->fleet.has_parts |= e != NULL;
	}
	if (!rc)
		rc = get_password(&c->fleet.part[3], c, p, &given, err);
	c->fleet.has_parts |= given;
	return rc;
}

/* skip_url: URL_FROM_ENV and URL_FROM_FLAG bits. A URL given as a flag
 * picks one database of a fleet; one in the environment (DATABASE_URL is
 * often set for the application) must not silently shrink a fleet. */
static int resolve(strata_config *c, parser *p, int skip_url, strata_error *err)
{
	char *v = NULL;
	int rc, fleet = 0;

	rc = check_env(p, c->env, err);
	if (!rc && !(skip_url & URL_FROM_FLAG))
		rc = read_fleet(c, p, &fleet, err);
	if (!rc && fleet && skip_url)
		rc = strata__err_at(err, STRATA_EUSAGE, p->file, c->fleet.line,
		                    "environment '%s' lists targets, and "
		                    "STRATA_URL or DATABASE_URL is set: unset "
		                    "it, or pick one database with --url",
		                    c->env);
	if (!rc && fleet)
		rc = fleet_parts(c, p, err);
	if (!rc && !skip_url && !fleet)
		rc = lookup(&c->url, p, c->env, "url", err);
	if (!rc && !skip_url && !fleet)
		rc = compose_url(c, p, err);
	if (!rc)
		rc = lookup(&c->migrations, p, c->env, "migrations", err);
	if (!rc)
		rc = lookup(&c->table, p, c->env, "table", err);
	if (!rc)
		rc = lookup(&c->init_sql, p, c->env, "init_sql", err);
	if (!rc)
		rc = lookup(&c->schema_file, p, c->env, "schema_file", err);
	if (!rc)
		rc = lookup(&v, p, c->env, "lock_timeout", err);
	if (!rc && v) {
		entry *e = find(p, c->env, "lock_timeout");
		e = e ? e : find(p, "default", "lock_timeout");
		rc = set_timeout(c, v, p->file, e->line, err);
	}
	free(v);
	v = NULL;
	if (!rc)
		rc = lookup(&v, p, c->env, "out_of_order", err);
	if (!rc && v)
		rc = set_out_of_order(c, v, p, err);
	free(v);
	v = NULL;
	if (!rc)
		rc = lookup(&v, p, c->env, "layout", err);
	if (!rc && v)
		rc = set_layout(c, v, p, err);
	free(v);
	return rc;
}

static strata_config *config_new(const char *env)
{
	strata_config *c = strata__calloc(1, sizeof(*c));

	c->env = strata__strdup(env ? env : "default");
	c->lock_timeout = 60;
	return c;
}

static int parse_config(strata_config **out, const char *text,
                        const char *filename, const char *env, int skip_url,
                        const char *plugin_path, strata_error *err)
{
	strata_config *c = config_new(env);
	parser p;
	int rc;

	*out = NULL;
	c->file = strata__strdup(filename);
	rc = parse_text(&p, text, filename, err);
	p.plugin_path = plugin_path;
	if (!rc)
		c->literal_secret = holds_secret(&p);
	if (!rc)
		rc = resolve(c, &p, skip_url, err);
	parser_free(&p);
	if (rc) {
		strata_config_free(c);
		return rc;
	}
	*out = c;
	return STRATA_OK;
}

int strata_config_parse(strata_config **out, const char *text,
                        const char *filename, const char *env,
                        strata_error *err)
{
	return parse_config(out, text, filename, env, 0, NULL, err);
}

void strata_config_free(strata_config *c)
{
	size_t i;

	if (!c)
		return;
	free(c->file);
	free(c->env);
	free(c->url);
	free(c->migrations);
	free(c->table);
	free(c->init_sql);
	free(c->password_file);
	free(c->plugin_path);
	free(c->schema_file);
	free(c->fleet.targets);
	free(c->fleet.targets_file);
	free(c->fleet.tenants);
	free(c->fleet.url_template);
	for (i = 0; i < 6; i++)
		free(c->fleet.part[i]);
	free(c);
}

static void replace(char **slot, const char *v)
{
	if (v && *v) {
		free(*slot);
		*slot = strata__strdup(v);
	}
}

/* migrations = path (and schema_file) is relative to the file that says
 * it. */
static void anchor_path(const strata_config *c, char **path)
{
	const char *slash = c->file ? strrchr(c->file, '/') : NULL;
	char *dir, *joined;

	if (!*path || !slash || (*path)[0] == '/')
		return;
	dir = strata__strndup(c->file, (size_t)(slash - c->file));
	joined = strata__path_join(dir, *path);
	free(dir);
	free(*path);
	*path = joined;
}

static int apply_overrides(strata_config *c, const strata_options *o,
                           strata_error *err)
{
	const char *t = getenv("STRATA_LOCK_TIMEOUT");

	if (c->schema_file && !*c->schema_file) {
		free(c->schema_file); /* "schema_file =" turns it off */
		c->schema_file = NULL;
	}
	anchor_path(c, &c->migrations);
	anchor_path(c, &c->schema_file);
	anchor_path(c, &c->fleet.targets_file);
	replace(&c->url, getenv("DATABASE_URL"));
	replace(&c->url, getenv("STRATA_URL"));
	replace(&c->migrations, getenv("STRATA_MIGRATIONS"));
	replace(&c->table, getenv("STRATA_TABLE"));
	replace(&c->init_sql, getenv("STRATA_INIT_SQL"));
	if (t && *t && set_timeout(c, t, "STRATA_LOCK_TIMEOUT", 0, err))
		return STRATA_EUSAGE;
	replace(&c->url, o->url);
	replace(&c->migrations, o->migrations_dir);
	replace(&c->table, o->table);
	if (o->lock_timeout >= 0)
		c->lock_timeout = o->lock_timeout;
	c->no_create = o->no_create;
	c->plugin_path = strata__strdup(o->plugin_path);
	if (!c->migrations)
		c->migrations = strata__strdup("migrations");
	if (!c->table)
		c->table = strata__strdup("strata_migrations");
	/* strata_open() checks again, for strata_config_parse()'s configs;
	 * here the error can name the file. */
	return strata__table_check(c->table, c->file, err);
}

/* An overridden url is not expanded: its ${VAR} need not be set. */
static int url_overridden(const strata_options *o)
{
	const char *e1 = getenv("STRATA_URL"), *e2 = getenv("DATABASE_URL");

	return ((o->url && *o->url) ? URL_FROM_FLAG : 0) |
	       (((e1 && *e1) || (e2 && *e2)) ? URL_FROM_ENV : 0);
}

static int load_file(strata_config **out, const char *path, const char *env,
                     int required, int skip_url, const char *plugin_path,
                     strata_error *err)
{
	char *text = NULL;
	int rc;

	if (!strata__file_exists(path)) {
		if (required)
			return strata__err_at(err, STRATA_EUSAGE, path, 0,
			                      "config file not found");
		*out = config_new(env);
		if (env && strcmp(env, "default") != 0) {
			strata_config_free(*out);
			*out = NULL;
			return strata__err(err, STRATA_EUSAGE,
			                   "environment '%s' given but no "
			                   "config file %s",
			                   env, path);
		}
		return STRATA_OK;
	}
	rc = strata__read_file(&text, NULL, path, err);
	if (rc)
		return STRATA_EUSAGE;
	rc = parse_config(out, text, path, env, skip_url, plugin_path, err);
	free(text);
	if (!rc && (*out)->literal_secret)
		warn_readable(path, "", "holds a password and ");
	if (!rc)
		warn_readable((*out)->password_file, "password_file ", "");
	return rc;
}

int strata_config_load(strata_config **out, const strata_options *opts,
                       strata_error *err)
{
	const strata_options *o;
	strata_options copy;
	const char *path, *env;
	strata_config *c = NULL;
	int rc;

	*out = NULL;
	rc = strata__options_read(&copy, opts, err);
	if (rc)
		return rc;
	o = &copy;
	path = o->config_path ? o->config_path : getenv("STRATA_CONFIG");
	env = o->env ? o->env : getenv("STRATA_ENV");
	if (env && !*env)
		env = NULL;
	rc = load_file(&c, path && *path ? path : "strata.ini", env,
	               path && *path, url_overridden(o), o->plugin_path, err);
	if (!rc)
		rc = apply_overrides(c, o, err);
	if (rc) {
		strata_config_free(c);
		return rc;
	}
	*out = c;
	return STRATA_OK;
}

const strata__fleet_keys *strata__config_fleet(const strata_config *c)
{
	return &c->fleet;
}

int strata__config_compose_target(const strata_config *c, const char *url,
                                  char **out, const char *file, int line,
                                  strata_error *err)
{
	strata__url_owned u;
	int form, rc;

	*out = NULL;
	if (!c || !c->fleet.has_parts) {
		*out = strata__strdup(url);
		return STRATA_OK;
	}
	rc = strata__url_parse_in(&u, url, c->plugin_path, err);
	if (rc)
		return strata__err_at(err, STRATA_EUSAGE, file, line,
		                      "a target is not a URL strata reads");
	form = strata__scheme_form(u.url.scheme, c->plugin_path);
	if (form < 0)
		form = strata__url_form_hint(url);
	if (form == STRATA_URL_FILE && (c->fleet.part[0] || c->fleet.part[1] ||
	                                c->fleet.part[2] || c->fleet.part[3]))
		rc = strata__err_at(err, STRATA_EUSAGE, file, line,
		                    "%s takes no host, port, user or password "
		                    "(its driver reads a file)",
		                    u.url.scheme);
	else
		*out = compose(&u.url, form, c->fleet.part);
	strata__url_free(&u);
	return rc;
}

int strata__config_layout(const strata_config *c)
{
	return c->layout;
}

const char *strata__config_file(const strata_config *c)
{
	return c->file;
}

const char *strata_config_url(const strata_config *c)
{
	return c->url;
}

const char *strata_config_migrations(const strata_config *c)
{
	return c->migrations ? c->migrations : "migrations";
}

const char *strata_config_table(const strata_config *c)
{
	return c->table ? c->table : "strata_migrations";
}

int strata_config_lock_timeout(const strata_config *c)
{
	return c->lock_timeout;
}

int strata_config_out_of_order(const strata_config *c)
{
	return c->out_of_order;
}

const char *strata_config_init_sql(const strata_config *c)
{
	return c->init_sql;
}

const char *strata_config_env(const strata_config *c)
{
	return c->env;
}

int strata__config_no_create(const strata_config *c)
{
	return c->no_create;
}

const char *strata__config_plugin_path(const strata_config *c)
{
	return c->plugin_path;
}

const char *strata_config_schema_file(const strata_config *c)
{
	return c->schema_file;
}

strata_config *strata__config_scratch(const strata_config *c, const char *url)
{
	strata_config *n = config_new(c->env);

	n->file = strata__strdup(c->file);
	n->url = strata__strdup(url);
	n->migrations = strata__strdup(c->migrations);
	n->table = strata__strdup(c->table);
	n->lock_timeout = c->lock_timeout;
	n->out_of_order = c->out_of_order;
	n->layout = c->layout;
	n->plugin_path = strata__strdup(c->plugin_path);
	/* init_sql is the configured database's (a PostgreSQL SET would
	 * fail on SQLite); no_create off: the file is new. */
	return n;
}
