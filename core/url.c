/*
 * Connection URLs, in the form the scheme's driver declares: file
 * (scheme:path, scheme:///abs; a bare path is a SQLite file) or server
 * (scheme://user:pass@host:port/db?key=value). Passwords never
 * leave this file unredacted except through strata_url.password.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

enum { U_SCHEME, U_USER, U_PASS, U_HOST, U_PATH };

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

static char *decode(const char *s, size_t n)
{
	char *out = strata__malloc(n + 1), *o = out;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
		    hexval(s[i + 2]) >= 0) {
			*o++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else {
			*o++ = s[i];
		}
	}
	*o = '\0';
	return out;
}

char *strata__url_decode(const char *s, size_t n)
{
	return decode(s, n);
}

/* Length of "scheme:" prefix including the colon, or 0. */
static size_t scheme_len(const char *s)
{
	size_t i = 0;

	if (!isalpha((unsigned char)s[0]))
		return 0;
	while (isalnum((unsigned char)s[i]) || s[i] == '+' || s[i] == '-' ||
	       s[i] == '.')
		i++;
	/* One letter is a drive letter or a file named "c", not a scheme. */
	return s[i] == ':' && i > 1 ? i + 1 : 0;
}

static int add_param(strata__url_owned *u, const char *s, size_t n,
                     strata_error *err)
{
	const char *eq = memchr(s, '=', n);
	size_t k = u->url.nparams;

	if (n == 0)
		return STRATA_OK;
	if (!eq || eq == s)
		return strata__err(err, STRATA_EUSAGE,
		                   "URL parameter '%.*s' has no value", (int)n,
		                   s);
	u->params = strata__realloc(u->params, (k + 1) * sizeof(*u->params));
	u->param_storage =
	        strata__realloc(u->param_storage, (2 * k + 2) * sizeof(char *));
	u->param_storage[2 * k] = decode(s, (size_t)(eq - s));
	u->param_storage[2 * k + 1] = decode(eq + 1, n - (size_t)(eq - s) - 1);
	u->params[k].key = u->param_storage[2 * k];
	u->params[k].value = u->param_storage[2 * k + 1];
	u->url.nparams = k + 1;
	u->url.params = u->params;
	return STRATA_OK;
}

static int parse_query(strata__url_owned *u, const char *q, strata_error *err)
{
	while (*q) {
		size_t n = strcspn(q, "&");

		if (add_param(u, q, n, err))
			return err ? err->code : STRATA_EUSAGE;
		q += n;
		if (*q == '&')
			q++;
	}
	return STRATA_OK;
}

static int parse_port(strata__url_owned *u, const char *s, size_t n,
                      strata_error *err)
{
	long port = 0;
	size_t i;

	if (n == 0 || n > 5)
		return strata__err(err, STRATA_EUSAGE, "invalid port in URL");
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return strata__err(err, STRATA_EUSAGE,
			                   "invalid port in URL");
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return strata__err(err, STRATA_EUSAGE, "port out of range");
	u->url.port = (int)port;
	return STRATA_OK;
}

static int parse_hostport(strata__url_owned *u, const char *s, size_t n,
                          strata_error *err)
{
	const char *colon;

	if (n && s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (!end)
			return strata__err(err, STRATA_EUSAGE,
			                   "unterminated [ in URL host");
		u->storage[U_HOST] = decode(s + 1, (size_t)(end - s - 1));
		colon = end + 1 < s + n && end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = memchr(s, ':', n);
		if (colon ? colon > s : n > 0)
			u->storage[U_HOST] =
			        decode(s, colon ? (size_t)(colon - s) : n);
	}
	if (colon)
		return parse_port(u, colon + 1, (size_t)(s + n - colon - 1),
		                  err);
	return STRATA_OK;
}

/* Could s[0..n) be host[:port]: no '@', a bracketed IPv6 or a host with
 * at most one ':', the port (maybe empty) all digits. */
static int hostport_like(const char *s, size_t n)
{
	const char *colon;

	if (memchr(s, '@', n))
		return 0;
	if (n && s[0] == '[') {
		const char *end = memchr(s, ']', n);

		if (!end)
			return 0;
		colon = end + 1 < s + n ? end + 1 : NULL;
		if (colon && *colon != ':')
			return 0;
	} else {
		colon = memchr(s, ':', n);
	}
	if (!colon)
		return 1;
	if (colon + 1 == s + n) /* "u:" is a user with an empty password */
		return 0;
	for (colon++; colon < s + n; colon++)
		if (!isdigit((unsigned char)*colon))
			return 0;
	return 1;
}

/*
 * Where the userinfo ends: an unencoded '@', '/', ':', '?' or '#' in a
 * password must never land in the host, path or query (which are
 * printed), nor may an '@' in a path or query move the host (the
 * password would go there). So each split is tried: no userinfo (the
 * authority ends at the first '/', '?' or '#'), or the userinfo ending at
 * any '@' (the host then runs to the next '/', '?' or '#'). A split fits
 * if its host part could be host[:port]. One fitting split is taken;
 * several are refused as ambiguous; none leaves the last '@', whose host
 * part then fails to parse with a reason. Sets *at (NULL: no userinfo).
 */
static int find_userinfo(const char *rest, const char **at, strata_error *err)
{
	const char *p, *last = NULL;
	int fits = 0;

	*at = NULL;
	if (hostport_like(rest, strcspn(rest, "/?#")))
		fits++;
	for (p = strchr(rest, '@'); p; p = strchr(p + 1, '@')) {
		last = p;
		if (hostport_like(p + 1, strcspn(p + 1, "/?#"))) {
			fits++;
			*at = p;
		}
	}
	if (fits > 1)
		return strata__err(err, STRATA_EUSAGE,
		                   "ambiguous database URL: an '@' after the "
		                   "host could end the user:password part; "
		                   "write '@' in the database name or a "
		                   "parameter as %%40 (and '@', '/', '?' or "
		                   "'#' in a password as %%40, %%2F, %%3F, "
		                   "%%23)");
	if (fits == 0)
		*at = last;
	return STRATA_OK;
}

static int parse_server(strata__url_owned *u, const char *rest,
                        strata_error *err)
{
	const char *at, *colon, *q;
	size_t alen, plen;

	if (strncmp(rest, "//", 2) != 0)
		return strata__err(err, STRATA_EUSAGE,
		                   "URL must look like %s://user@host/db",
		                   u->storage[U_SCHEME]);
	rest += 2;
	if (find_userinfo(rest, &at, err))
		return err ? err->code : STRATA_EUSAGE;
	if (at) {
		colon = memchr(rest, ':', (size_t)(at - rest));
		if (colon ? colon > rest : at > rest)
			u->storage[U_USER] = decode(
			        rest, (size_t)((colon ? colon : at) - rest));
		if (colon)
			u->storage[U_PASS] =
			        decode(colon + 1, (size_t)(at - colon - 1));
		rest = at + 1;
	}
	alen = strcspn(rest, "/?#");
	if (parse_hostport(u, rest, alen, err))
		return err ? err->code : STRATA_EUSAGE;
	rest += alen;
	if (*rest == '/')
		rest++;
	q = strchr(rest, '?');
	plen = q ? (size_t)(q - rest) : strlen(rest);
	if (plen)
		u->storage[U_PATH] = decode(rest, plen);
	return q ? parse_query(u, q + 1, err) : STRATA_OK;
}

static int parse_file(strata__url_owned *u, const char *rest, strata_error *err)
{
	const char *q;

	if (strncmp(rest, "//", 2) == 0)
		rest += 2;
	q = strchr(rest, '?');
	u->storage[U_PATH] =
	        decode(rest, q ? (size_t)(q - rest) : strlen(rest));
	if (!*u->storage[U_PATH])
		return strata__err(err, STRATA_EUSAGE,
		                   "%s URL has no file path",
		                   u->storage[U_SCHEME]);
	return q ? parse_query(u, q + 1, err) : STRATA_OK;
}

static void publish(strata__url_owned *u)
{
	u->url.scheme = u->storage[U_SCHEME];
	u->url.user = u->storage[U_USER];
	u->url.password = u->storage[U_PASS];
	u->url.host = u->storage[U_HOST];
	u->url.path = u->storage[U_PATH];
	u->url.params = u->params;
}

char *strata__url_scheme(const char *text)
{
	size_t sl = text ? scheme_len(text) : 0, i;
	char *s;

	if (!sl)
		return NULL;
	s = strata__strndup(text, sl - 1);
	for (i = 0; s[i]; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return s;
}

int strata__url_parse_as(strata__url_owned *u, const char *text, int form,
                         strata_error *err)
{
	size_t sl;
	int rc;

	memset(u, 0, sizeof(*u));
	if (!text || !*text)
		return strata__err(err, STRATA_EUSAGE, "empty database URL");
	sl = scheme_len(text);
	if (!sl) {
		/* A bare path: documented as a SQLite file, so the core
		 * names that scheme; its driver says how to read it. */
		u->storage[U_SCHEME] = strata__strdup(STRATA__BARE_SCHEME);
		u->storage[U_PATH] = strata__strdup(text);
		publish(u);
		return STRATA_OK;
	}
	u->storage[U_SCHEME] = strata__url_scheme(text);
	if (form == STRATA_URL_FILE)
		rc = parse_file(u, text + sl, err);
	else
		rc = parse_server(u, text + sl, err);
	publish(u);
	if (rc)
		strata__url_free(u);
	return rc;
}

int strata__url_form_hint(const char *text)
{
	size_t sl = text ? scheme_len(text) : 0;

	return sl && strncmp(text + sl, "//", 2) != 0 ? STRATA_URL_FILE
	                                              : STRATA_URL_SERVER;
}

int strata__url_parse_in(strata__url_owned *u, const char *text,
                         const char *plugin_path, strata_error *err)
{
	char *scheme = strata__url_scheme(text);
	int form = scheme ? strata__scheme_form(scheme, plugin_path) : -1;

	/* No driver for the scheme: its URL is read as written (a caller
	 * that needs the driver reports that it is missing). */
	if (form < 0)
		form = strata__url_form_hint(text);
	free(scheme);
	return strata__url_parse_as(u, text, form, err);
}

int strata__url_parse(strata__url_owned *u, const char *text, strata_error *err)
{
	return strata__url_parse_in(u, text, NULL, err);
}

void strata__url_free(strata__url_owned *u)
{
	size_t i;

	for (i = 0; i < sizeof(u->storage) / sizeof(u->storage[0]); i++)
		free(u->storage[i]);
	for (i = 0; i < 2 * u->url.nparams; i++)
		free(u->param_storage[i]);
	free(u->param_storage);
	free(u->params);
	memset(u, 0, sizeof(*u));
}

/* Any parameter named like a password or secret: password, sslpassword,
 * client_secret, passwd, pwd. Names may be percent-encoded. */
int strata__url_secret_key(const char *k, size_t n)
{
	char *d = decode(k, n);
	size_t i;
	int hit;

	for (i = 0; d[i]; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	hit = strstr(d, "password") || strstr(d, "secret") ||
	      !strcmp(d, "passwd") || !strcmp(d, "pwd");
	free(d);
	return hit;
}

static void redact_query(strata__buf *b, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);

		if (eq && strata__url_secret_key(q, (size_t)(eq - q))) {
			strata__buf_put(b, q, (size_t)(eq - q) + 1);
			strata__buf_puts(b, "***");
		} else {
			strata__buf_put(b, q, n);
		}
		q += n;
		if (*q == '&')
			strata__buf_putc(b, *q++);
	}
}

/* Userinfo up to the last '@': it hides at least what parse_server's
 * split holds as the password, whichever '@' that took. */
char *strata_url_redact(const char *url)
{
	strata__buf b = STRATA__BUF_INIT;
	const char *auth, *at, *colon, *q;

	if (!url)
		return strata__strdup("(none)");
	auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	at = strrchr(auth, '@');
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		strata__buf_put(&b, url, (size_t)(colon + 1 - url));
		strata__buf_puts(&b, "***");
	} else {
		strata__buf_put(&b, url, (size_t)((at ? at : auth) - url));
	}
	url = at ? at : auth;
	q = strchr(url, '?');
	strata__buf_put(&b, url, q ? (size_t)(q - url) : strlen(url));
	if (q) {
		strata__buf_putc(&b, '?');
		redact_query(&b, q + 1);
	}
	return strata__buf_detach(&b);
}

/* Scrub the password and every secret parameter's value. */
char *strata__scrub_url(const char *s, const strata_url *u)
{
	char *out = strata__scrub(s, u ? u->password : NULL), *next;
	size_t i;

	for (i = 0; u && out && i < u->nparams; i++) {
		const char *k = u->params[i].key;

		if (!strata__url_secret_key(k, strlen(k)))
			continue;
		next = strata__scrub(out, u->params[i].value);
		free(out);
		out = next;
	}
	return out;
}

char *strata__scrub(const char *s, const char *secret)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t n = secret ? strlen(secret) : 0;
	const char *hit;

	if (!s)
		return NULL;
	/* Very short secrets would shred ordinary words; they stay. */
	if (n < 3)
		return strata__strdup(s);
	while ((hit = strstr(s, secret)) != NULL) {
		strata__buf_put(&b, s, (size_t)(hit - s));
		strata__buf_puts(&b, "***");
		s = hit + n;
	}
	strata__buf_puts(&b, s);
	return strata__buf_detach(&b);
}
