/*
 * Connection URLs: sqlite:path, sqlite:///abs, a bare path, and
 * scheme://user:pass@host:port/db?key=value for servers. Passwords never
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

static int add_param(strata_url_owned *u, const char *s, size_t n,
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

static int parse_query(strata_url_owned *u, const char *q, strata_error *err)
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

static int parse_port(strata_url_owned *u, const char *s, size_t n,
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

static int parse_hostport(strata_url_owned *u, const char *s, size_t n,
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

static int parse_authority(strata_url_owned *u, const char *s, size_t n,
                           strata_error *err)
{
	const char *at = NULL, *p;

	for (p = s; p < s + n; p++)
		if (*p == '@')
			at = p;
	if (at) {
		const char *colon = memchr(s, ':', (size_t)(at - s));
		size_t ulen = colon ? (size_t)(colon - s) : (size_t)(at - s);

		if (ulen)
			u->storage[U_USER] = decode(s, ulen);
		if (colon)
			u->storage[U_PASS] =
			        decode(colon + 1, (size_t)(at - colon - 1));
		n -= (size_t)(at + 1 - s);
		s = at + 1;
	}
	return parse_hostport(u, s, n, err);
}

static int parse_server(strata_url_owned *u, const char *rest,
                        strata_error *err)
{
	size_t alen, plen;
	const char *q;

	if (strncmp(rest, "//", 2) != 0)
		return strata__err(err, STRATA_EUSAGE,
		                   "URL must look like %s://user@host/db",
		                   u->storage[U_SCHEME]);
	rest += 2;
	alen = strcspn(rest, "/?");
	if (parse_authority(u, rest, alen, err))
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

static int parse_sqlite(strata_url_owned *u, const char *rest,
                        strata_error *err)
{
	const char *q;

	if (strncmp(rest, "//", 2) == 0)
		rest += 2;
	q = strchr(rest, '?');
	u->storage[U_PATH] =
	        decode(rest, q ? (size_t)(q - rest) : strlen(rest));
	if (!*u->storage[U_PATH])
		return strata__err(err, STRATA_EUSAGE,
		                   "sqlite URL has no file path");
	return q ? parse_query(u, q + 1, err) : STRATA_OK;
}

static void publish(strata_url_owned *u)
{
	u->url.scheme = u->storage[U_SCHEME];
	u->url.user = u->storage[U_USER];
	u->url.password = u->storage[U_PASS];
	u->url.host = u->storage[U_HOST];
	u->url.path = u->storage[U_PATH];
	u->url.params = u->params;
}

int strata__url_parse(strata_url_owned *u, const char *text, strata_error *err)
{
	size_t sl = scheme_len(text);
	size_t i;
	int rc;

	memset(u, 0, sizeof(*u));
	if (!text || !*text)
		return strata__err(err, STRATA_EUSAGE, "empty database URL");
	if (!sl) {
		u->storage[U_SCHEME] = strata__strdup("sqlite");
		u->storage[U_PATH] = strata__strdup(text);
		publish(u);
		return STRATA_OK;
	}
	u->storage[U_SCHEME] = strata__strndup(text, sl - 1);
	for (i = 0; u->storage[U_SCHEME][i]; i++)
		u->storage[U_SCHEME][i] =
		        (char)tolower((unsigned char)u->storage[U_SCHEME][i]);
	if (!strcmp(u->storage[U_SCHEME], "sqlite") ||
	    !strcmp(u->storage[U_SCHEME], "sqlite3"))
		rc = parse_sqlite(u, text + sl, err);
	else
		rc = parse_server(u, text + sl, err);
	publish(u);
	if (rc)
		strata__url_free(u);
	return rc;
}

void strata__url_free(strata_url_owned *u)
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

static int is_secret_key(const char *k, size_t n)
{
	return (n == 8 && !strncasecmp(k, "password", 8)) ||
	       (n == 6 && !strncasecmp(k, "passwd", 6)) ||
	       (n == 3 && !strncasecmp(k, "pwd", 3));
}

/* Blank out password=... style query parameters. */
static void redact_query(strata_buf *b, const char *q)
{
	while (*q) {
		size_t n = strcspn(q, "&");
		const char *eq = memchr(q, '=', n);

		if (eq && is_secret_key(q, (size_t)(eq - q))) {
			strata_buf_put(b, q, (size_t)(eq - q) + 1);
			strata_buf_puts(b, "***");
		} else {
			strata_buf_put(b, q, n);
		}
		q += n;
		if (*q == '&')
			strata_buf_putc(b, *q++);
	}
}

char *strata_url_redact(const char *url)
{
	strata_buf b = STRATA_BUF_INIT;
	const char *auth, *end, *at = NULL, *colon, *p, *q;

	if (!url)
		return strata__strdup("(none)");
	auth = strstr(url, "://");
	auth = auth ? auth + 3 : url;
	end = auth + strcspn(auth, "/?");
	for (p = auth; p < end; p++)
		if (*p == '@')
			at = p;
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	if (colon) {
		strata_buf_put(&b, url, (size_t)(colon + 1 - url));
		strata_buf_puts(&b, "***");
		strata_buf_put(&b, at, (size_t)(end - at));
	} else {
		strata_buf_put(&b, url, (size_t)(end - url));
	}
	q = strchr(end, '?');
	strata_buf_put(&b, end, q ? (size_t)(q - end) : strlen(end));
	if (q) {
		strata_buf_putc(&b, '?');
		redact_query(&b, q + 1);
	}
	return strata_buf_detach(&b);
}

char *strata__scrub(const char *s, const char *secret)
{
	strata_buf b = STRATA_BUF_INIT;
	size_t n = secret ? strlen(secret) : 0;
	const char *hit;

	if (!s)
		return NULL;
	/* Very short secrets would shred ordinary words; they stay. */
	if (n < 3)
		return strata__strdup(s);
	while ((hit = strstr(s, secret)) != NULL) {
		strata_buf_put(&b, s, (size_t)(hit - s));
		strata_buf_puts(&b, "***");
		s = hit + n;
	}
	strata_buf_puts(&b, s);
	return strata_buf_detach(&b);
}
