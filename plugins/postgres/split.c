/*
 * Statements split by PostgreSQL's own parser (libpg_query: the server's
 * grammar as a library). SQL-standard bodies (BEGIN ATOMIC ... END) stay
 * whole, and a script that does not parse is refused before any of it
 * runs, at the line the parser stopped.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <pg_query.h>

#include "pg_int.h"

/* Past blanks and comments from p: where a statement's first token is.
 * Block comments nest, as in PostgreSQL. */
const char *pg__skip_gap(const char *p, const char *end)
{
	for (;;) {
		while (p < end && strchr(" \t\n\r\f\v", *p))
			p++;
		if (end - p >= 2 && p[0] == '-' && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (end - p >= 2 && p[0] == '/' && p[1] == '*') {
			int nest = 1;

			p += 2;
			while (p < end && nest > 0) {
				if (end - p >= 2 && p[0] == '*' &&
				    p[1] == '/') {
					nest--;
					p += 2;
				} else if (end - p >= 2 && p[0] == '/' &&
				           p[1] == '*') {
					nest++;
					p += 2;
				} else {
					p++;
				}
			}
		} else {
			return p;
		}
	}
}

/* The line of `to`, counting on from `from` at line *line. */
static int line_of(const char *from, const char *to, int line)
{
	for (; from < to; from++)
		if (*from == '\n')
			line++;
	return line;
}

/* The byte at the parser's cursor position: 1-based, in characters of
 * the UTF-8 text (0: none). */
static const char *cursor_at(const char *sql, size_t len, int cursorpos)
{
	const char *p = sql, *end = sql + len;
	int chars = 0;

	if (cursorpos <= 0)
		return NULL;
	for (; p < end; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue; /* a continuation byte */
		if (++chars == cursorpos)
			return p;
	}
	return end;
}

/* The first byte of sql that does not start valid UTF-8 (RFC 3629: no
 * overlong forms, no surrogates, nothing past U+10FFFF), or NULL. */
static const char *bad_utf8(const char *sql, size_t len)
{
	const unsigned char *p = (const unsigned char *)sql, *end = p + len;

	while (p < end) {
		unsigned char c = *p;
		int n, i;
		unsigned char lo = 0x80, hi = 0xBF;

		if (c < 0x80) {
			p++;
			continue;
		}
		if (c >= 0xC2 && c <= 0xDF)
			n = 1;
		else if (c >= 0xE0 && c <= 0xEF)
			n = 2;
		else if (c >= 0xF0 && c <= 0xF4)
			n = 3;
		else
			return (const char *)p;
		/* The second byte's range is narrower after these leads. */
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
		else if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
		for (i = 1; i <= n; i++) {
			if (end - p <= i || p[i] < lo || p[i] > hi)
				return (const char *)p;
			lo = 0x80;
			hi = 0xBF;
		}
		p += n + 1;
	}
	return NULL;
}

/* Whether stmt (len bytes) is COPY ... FROM STDIN, as the parser sees it. */
static int is_copy_in(const char *stmt, size_t len)
{
	PgQueryParseResult r;
	char *text;
	int yes = 0;

	/* Only COPY can be; spare the parser everything else. */
	if (len < 4 || strncasecmp(stmt, "copy", 4) != 0 ||
	    (len > 4 && (isalnum((unsigned char)stmt[4]) || stmt[4] == '_')))
		return 0;
	text = strndup(stmt, len);
	if (!text)
		return 0;
	r = pg_query_parse(text);
	/* FROM a file or PROGRAM has a "filename"; STDIN has none. */
	if (!r.error && r.parse_tree && strstr(r.parse_tree, "\"CopyStmt\"") &&
	    strstr(r.parse_tree, "\"is_from\":true") &&
	    !strstr(r.parse_tree, "\"filename\":"))
		yes = 1;
	pg_query_free_parse_result(r);
	free(text);
	return yes;
}

/* Whether a statement before `at` is COPY ... FROM STDIN: psql sends the
 * lines after it as data, so the parser fails on them. The text before
 * the error went through the parser's own lexer, so the scanner splits it. */
static int copy_in_before(const char *sql, const char *at)
{
	PgQuerySplitResult r;
	char *head = strndup(sql, (size_t)(at - sql));
	int i, yes = 0;

	if (!head)
		return 0;
	r = pg_query_split_with_scanner(head);
	for (i = 0; !r.error && i < r.n_stmts && !yes; i++) {
		int loc = r.stmts[i]->stmt_location, n = r.stmts[i]->stmt_len;
		const char *b, *e;

		if (loc < 0 || n < 0 || loc + n > at - sql)
			break;
		/* Only a statement ended by ';' was sent before the data;
		 * "COPY t FROM stdin oops" fails on its own. */
		if (head[loc + n] != ';')
			continue;
		e = head + loc + n;
		b = pg__skip_gap(head + loc, e);
		yes = is_copy_in(b, (size_t)(e - b));
	}
	pg_query_free_split_result(r);
	free(head);
	return yes;
}

static int parse_error(const char *sql, size_t len, const PgQueryError *pe,
                       int *err_line, strata_dberr *err)
{
	const char *at = cursor_at(sql, len, pe->cursorpos), *bol;
	int rc;

	/* "at end of input" points past the last newline: name the line
	 * where the text stops instead. */
	if (at == sql + len)
		while (at > sql && strchr(" \t\n\r\f\v", at[-1]))
			at--;
	*err_line = at ? line_of(sql, at, 1) : 0;
	/* The grammar is this library's: syntax newer than it is refused
	 * too, and the message should say by whom. */
	rc = strata__kit_err(err, NULL, 0, "%s (PostgreSQL %s parser)",
	                     pe->message ? pe->message : "does not parse",
	                     PG_MAJORVERSION);
	if (!at)
		return rc;
	/* psql scripts are the usual source of such files: say what in them
	 * is not SQL. */
	for (bol = at; bol > sql && bol[-1] != '\n'; bol--)
		;
	while (bol < at && (*bol == ' ' || *bol == '\t'))
		bol++;
	if (*bol == '\\')
		strata__kit_err_add(err, "; psql meta-commands are not SQL");
	if (copy_in_before(sql, at))
		strata__kit_err_add(err, "; COPY ... FROM stdin data cannot be "
		                         "in a migration");
	return rc;
}

int pg__split(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
              int *err_line, strata_dberr *err)
{
	PgQuerySplitResult r;
	const char *seen = sql, *bad;
	int line = 1, rc = STRATA_DRV_OK, i;

	*err_line = 0;
	/* libpg_query reads UTF-8, and cursor_at counts its characters: other
	 * bytes would put errors at the wrong line, and the server would
	 * refuse them (or read them otherwise) only once earlier files ran. */
	if ((bad = bad_utf8(sql, len)) != NULL) {
		*err_line = line_of(sql, bad, 1);
		return strata__kit_err(
		        err, NULL, 0,
		        "not valid UTF-8 (byte 0x%02X); PostgreSQL "
		        "migrations must be UTF-8 text",
		        (unsigned char)*bad);
	}
	r = pg_query_split_with_parser(sql);
	if (r.error) {
		rc = parse_error(sql, len, r.error, err_line, err);
		pg_query_free_split_result(r);
		return rc;
	}
	for (i = 0; i < r.n_stmts && rc == STRATA_DRV_OK; i++) {
		int loc = r.stmts[i]->stmt_location, n = r.stmts[i]->stmt_len;
		const char *b, *e;

		if (loc < 0 || n < 0 || (size_t)loc + (size_t)n > len) {
			rc = strata__kit_err(err, NULL, 0,
			                     "libpg_query reported statement "
			                     "%d at bytes %d+%d of a %zu-byte "
			                     "script",
			                     i + 1, loc, n, len);
			break;
		}
		e = sql + loc + n;
		b = pg__skip_gap(sql + loc, e);
		if (b == e)
			continue;
		line = line_of(seen, b, line);
		seen = b;
		if (fn(ctx, b, (size_t)(e - b), line))
			rc = strata__kit_err(err, NULL, 0,
			                     "statement %d not taken", i + 1);
	}
	pg_query_free_split_result(r);
	return rc;
}
