/*
 * One migration file: its bytes (checksummed), its "-- strata:" directives
 * and its statements.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Returns the directive text after "-- strata:" on this line, or NULL. */
static const char *directive(const char *line, const char *end)
{
	const char *p = line;

	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return NULL;
	p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 7 || strncmp(p, "strata:", 7) != 0)
		return NULL;
	return p + 7;
}

static void add_allow(strata_script *s, const char *w, size_t n)
{
	s->allow = strata__realloc(s->allow, (s->nallow + 1) * sizeof(char *));
	s->allow[s->nallow++] = strata__strndup(w, n);
}

static int apply_directive(strata_script *s, const char *d, const char *end,
                           int line, strata_error *err)
{
	size_t n = 0;

	while (d + n < end && !isspace((unsigned char)d[n]))
		n++;
	if (n == 14 && !strncmp(d, "no-transaction", 14)) {
		s->no_transaction = 1;
		return STRATA_OK;
	}
	if (n == 5 && !strncmp(d, "allow", 5)) {
		const char *w = d + n;

		for (;;) {
			while (w < end && isspace((unsigned char)*w))
				w++;
			if (w >= end)
				break;
			for (n = 0;
			     w + n < end && !isspace((unsigned char)w[n]); n++)
				;
			add_allow(s, w, n);
			w += n;
		}
		return STRATA_OK;
	}
	return strata__err_at(err, STRATA_EUSAGE, s->path, line,
	                      "unknown directive 'strata:%.*s' (known: "
	                      "no-transaction, allow)",
	                      (int)n, d);
}

/* Directives count only in the leading comment block, where a reader looks
 * for them; one further down is a mistake worth stopping for. */
static int parse_directives(strata_script *s, const char *text, size_t len,
                            strata_error *err)
{
	const char *p = text, *end = text + len;
	int line = 1, header = 1;

	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p, *d;

		if (!eol)
			eol = end;
		while (q < eol && isspace((unsigned char)*q))
			q++;
		d = directive(p, eol);
		if (d && !header)
			return strata__err_at(err, STRATA_EUSAGE, s->path, line,
			                      "strata: directives must come "
			                      "before the first statement");
		if (d && apply_directive(s, d, eol, line, err))
			return err ? err->code : STRATA_EUSAGE;
		if (q < eol && !(eol - q >= 2 && q[0] == '-' && q[1] == '-'))
			header = 0;
		p = eol + 1;
		line++;
	}
	return STRATA_OK;
}

int strata_script_load(strata_script *s, const char *path, unsigned flags,
                       strata_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->path = strata__strdup(path);
	rc = strata__read_file(&text, &len, path, err);
	if (rc)
		return rc;
	strata_sha256_hex(s->checksum, text, len);
	if (memchr(text, '\0', len))
		rc = strata__err_at(err, STRATA_EUSAGE, path, 0,
		                    "file contains a NUL byte; not SQL text");
	if (!rc)
		rc = parse_directives(s, text, len, err);
	if (!rc)
		rc = strata_split(&s->stmts, text, len, flags, path, err);
	free(text);
	return rc;
}

void strata_script_free(strata_script *s)
{
	size_t i;

	for (i = 0; i < s->nallow; i++)
		free(s->allow[i]);
	free(s->allow);
	free(s->path);
	strata_stmts_free(&s->stmts);
	memset(s, 0, sizeof(*s));
}

int strata__checksum_for(char out[STRATA_SHA256_HEX], const char *path,
                         strata_error *err)
{
	char *text = NULL;
	size_t len = 0;

	if (!path) {
		strata_sha256_hex(out, "", 0);
		return STRATA_OK;
	}
	if (strata__read_file(&text, &len, path, err))
		return err ? err->code : STRATA_EFAIL;
	strata_sha256_hex(out, text, len);
	free(text);
	return STRATA_OK;
}
