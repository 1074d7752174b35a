/*
 * Statements split where SQLite itself ends them (ABI 2.1 split op): a
 * ';' outside strings, quoted names and comments ends a statement when
 * sqlite3_complete() says the text from the statement's start is whole,
 * which keeps a trigger's BEGIN ... END body in one piece. sqlite3_complete
 * runs only from the current statement's start and only at such a ';', so
 * the work stays proportional to the script, not to its square.
 */
#include <stdlib.h>
#include <string.h>

#include "sqlite_int.h"

typedef struct scan {
	char *s; /* a writable copy: a NUL goes after each ';' tried */
	size_t n, i;
	int line;
	int *err_line;
	strata_dberr *err;
} scan;

static int fail(scan *sc, int line, const char *what)
{
	*sc->err_line = line;
	return strata__kit_err(sc->err, NULL, 0, "%s", what);
}

static void adv(scan *sc)
{
	if (sc->s[sc->i] == '\n')
		sc->line++;
	sc->i++;
}

/* Quoted text from the opening quote to its close: '' inside '...', ""
 * inside "...", `` inside `...`; [...] has no escape, as in SQLite. */
static int skip_quoted(scan *sc)
{
	char open = sc->s[sc->i], close = open == '[' ? ']' : open;
	int line = sc->line;

	adv(sc);
	while (sc->i < sc->n) {
		char c = sc->s[sc->i];

		adv(sc);
		if (c != close)
			continue;
		if (close == ']' || sc->i >= sc->n || sc->s[sc->i] != close)
			return STRATA_DRV_OK;
		adv(sc); /* a doubled quote */
	}
	return fail(sc, line,
	            open == '\'' ? "unterminated string literal"
	                         : "unterminated quoted identifier");
}

/*
 * Past blanks and comments at sc->i. An unclosed block comment is an
 * error, as with the core's splitter: SQLite would take the rest of the
 * file as the comment, and every statement in it would silently not run.
 */
static int skip_gap(scan *sc)
{
	for (;;) {
		const char *p = sc->s + sc->i;
		size_t left = sc->n - sc->i;
		int line = sc->line;

		if (left && strchr(" \t\n\r\f\v", *p)) {
			adv(sc);
		} else if (left >= 2 && p[0] == '-' && p[1] == '-') {
			while (sc->i < sc->n && sc->s[sc->i] != '\n')
				sc->i++;
		} else if (left >= 2 && p[0] == '/' && p[1] == '*') {
			sc->i += 2;
			while (sc->i < sc->n &&
			       !(sc->s[sc->i] == '*' && sc->i + 1 < sc->n &&
			         sc->s[sc->i + 1] == '/'))
				adv(sc);
			if (sc->i >= sc->n)
				return fail(sc, line,
				            "unterminated /* comment");
			sc->i += 2;
		} else {
			return STRATA_DRV_OK;
		}
	}
}

/* Whether the statement from start ends at the ';' at sc->i. */
static int complete_at(scan *sc, size_t start)
{
	char saved = sc->s[sc->i + 1];
	int yes;

	sc->s[sc->i + 1] = '\0';
	yes = sqlite3_complete(sc->s + start);
	sc->s[sc->i + 1] = saved;
	return yes;
}

static int run(scan *sc, strata_stmt_fn fn, void *ctx)
{
	size_t start = 0;
	int in_stmt = 0, start_line = 0, rc;

	while (sc->i < sc->n) {
		char c;

		if ((rc = skip_gap(sc)) != STRATA_DRV_OK)
			return rc;
		if (sc->i >= sc->n)
			break;
		c = sc->s[sc->i];
		if (c == ';') {
			/* A ';' alone is no statement. */
			if (in_stmt && complete_at(sc, start)) {
				if (fn(ctx, sc->s + start, sc->i - start,
				       start_line))
					return strata__kit_err(
					        sc->err, NULL, 0,
					        "statement at line %d not "
					        "taken",
					        start_line);
				in_stmt = 0;
			}
			sc->i++;
			continue;
		}
		if (!in_stmt) {
			in_stmt = 1;
			start = sc->i;
			start_line = sc->line;
		}
		if (c == '\'' || c == '"' || c == '`' || c == '[') {
			if ((rc = skip_quoted(sc)) != STRATA_DRV_OK)
				return rc;
		} else {
			sc->i++;
		}
	}
	/* The last statement needs no ';'. */
	if (in_stmt && fn(ctx, sc->s + start, sc->n - start, start_line))
		return strata__kit_err(sc->err, NULL, 0,
		                       "statement at line %d not taken",
		                       start_line);
	return STRATA_DRV_OK;
}

int sqlite__split(const char *sql, size_t len, strata_stmt_fn fn, void *ctx,
                  int *err_line, strata_dberr *err)
{
	scan sc;
	int rc;

	*err_line = 0;
	memset(&sc, 0, sizeof(sc));
	if (!(sc.s = malloc(len + 1)))
		return strata__kit_nomem(err);
	memcpy(sc.s, sql, len);
	sc.s[len] = '\0';
	sc.n = len;
	sc.line = 1;
	sc.err_line = err_line;
	sc.err = err;
	rc = run(&sc, fn, ctx);
	free(sc.s);
	return rc;
}
