/*
 * libFuzzer target for database URLs (core/url.c): parsing and redaction.
 *
 * Besides sanitizer findings it aborts when a password that is written
 * literally (":password@", no percent escapes) and occurs exactly once in
 * the input survives redaction: the one property that matters most about
 * URLs in messages.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

static size_t occurrences(const char *hay, const char *needle)
{
	size_t n = 0, len = strlen(needle);
	const char *p = hay;

	while (len && (p = strstr(p, needle)) != NULL) {
		n++;
		p += 1;
	}
	return n;
}

/* Whether password stands in text as written, as ":password@". */
static int literal(const char *text, const char *password)
{
	const char *p = strstr(text, password);
	size_t len = strlen(password);

	return p && p > text && p[-1] == ':' && p[len] == '@';
}

static void check_redacted(const char *text, const char *password)
{
	char *red = strata_url_redact(text);

	if (!red)
		abort();
	if (password && strlen(password) >= 6 &&
	    occurrences(text, password) == 1 && literal(text, password) &&
	    strstr(red, password)) {
		fprintf(stderr, "fuzz_url: password left in '%s'\n", red);
		abort();
	}
	free(red);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	strata__url_owned u;
	strata_error err;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&u, 0, sizeof(u));
	memset(&err, 0, sizeof(err));
	if (strata__url_parse(&u, text, &err) == STRATA_OK) {
		if (err.message || !u.url.scheme)
			abort();
		check_redacted(text, u.url.password);
	} else if (!err.message) {
		abort();
	}
	strata__url_free(&u);
	strata_error_clear(&err);
	free(text);
	return 0;
}
