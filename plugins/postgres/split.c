/*
 * Statements split by PostgreSQL's own parser (libpg_query: the server's
 * grammar as a library). SQL-standard bodies (BEGIN ATOMIC ... END) stay
 * whole, and a script that does not parse is refused before any of it
 * runs, at the line the parser stopped.
 */
#include <stdlib.h>
#include <string.h>

#include <pg_query.h>

#include "pg_int.h"

/* Past blanks and comments from p: where a statement's first token is.
 * Block comments nest, as in PostgreSQL. */
static const char *skip_gap(const char *p, const char *end)
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

static int parse_error(const char *sql, size_t len, const PgQueryError *pe,
                       int *err_line, strata_dberr *err)
{
	const char *at = cursor_at(sql, len, pe->cursorpos);

	/* "at end of input" points past the last newline: name the line
	 * where the text stops instead. */
	if (at == sql + len)
		while (at > sql && strchr(" \t\n\r\f\v", at[-1]))
			at--;
	*err_line = at ? line_of(sql, at, 1) : 0;
	/* The grammar is this library's: syntax newer than it is refused
	 * too, and the message should say by whom. */
	return strata__kit_err(err, NULL, 0, "%s (PostgreSQL %s parser)",
	                       pe->message ? pe->message : "does not parse",
	                       PG_MAJORVERSION);
}

int pg__split(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
              int *err_line, strata_dberr *err)
{
	PgQuerySplitResult r = pg_query_split_with_parser(sql);
	const char *seen = sql;
	int line = 1, rc = STRATA_DRV_OK, i;

	*err_line = 0;
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
		b = skip_gap(sql + loc, e);
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
