/*
 * SQL statement splitter, driven by the dialect's STRATA_SPLIT_* flags.
 *
 * It only needs to find statement boundaries, so it tracks exactly the
 * lexical states in which a delimiter does not end a statement: strings,
 * quoted identifiers, comments, dollar quotes, BEGIN ... END bodies of
 * routines, triggers and events and MariaDB's BEGIN NOT ATOMIC blocks, and
 * a custom MySQL DELIMITER.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

typedef struct split {
	const char *s;
	size_t n, i;
	int line;
	unsigned flags;
	const char *file;
	strata_error *err;
	strata__stmts *out;
	char delim[32];
	size_t dlen;
	size_t start; /* first significant byte of the statement */
	int start_line;
	int has_content;
	int words;      /* words seen in the statement, up to a limit */
	int create;     /* statement starts with CREATE or ALTER */
	int alter;      /* ... with ALTER: only EVENT has a body */
	int header;     /* still in CREATE [OR REPLACE] [DEFINER=..] ... */
	int compound;   /* CREATE TRIGGER/PROCEDURE/FUNCTION/EVENT, ALTER
	                   EVENT, MariaDB's BEGIN NOT ATOMIC block */
	int depth;      /* open BEGIN/CASE blocks */
	char kind[64];  /* what each depth opened: 'B' BEGIN, 'C' CASE */
	int after_end;  /* previous word was END ("END CASE" closes once) */
	int opened;     /* last tokens: an opening BEGIN [NOT ATOMIC] */
	int line_start; /* only blanks since the last newline */
	char prev;      /* last token: its char, 'w' word, 'q' quoted, 0 */
	const char *pw; /* the last word, when prev is 'w' */
	size_t pwn;
} split;

/* header values: in CREATE's header, and DEFINER's user@host parts */
enum { H_NONE, H_HEAD, H_DEFINER, H_USER, H_AT, H_HOST };

static int is_word(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static char at(const split *st, size_t k)
{
	return st->i + k < st->n ? st->s[st->i + k] : '\0';
}

static void adv(split *st)
{
	if (st->s[st->i] == '\n')
		st->line++;
	st->i++;
}

static int fail(split *st, int line, const char *what)
{
	return strata__err_at(st->err, STRATA_EUSAGE, st->file, line, "%s",
	                      what);
}

static void mark_content(split *st)
{
	if (!st->has_content) {
		st->has_content = 1;
		st->start = st->i;
		st->start_line = st->line;
	}
}

static void reset_stmt(split *st)
{
	st->has_content = 0;
	st->words = st->create = st->alter = st->compound = st->depth = 0;
	st->header = st->after_end = st->opened = st->prev = 0;
	st->pw = NULL;
	st->pwn = 0;
}

static void emit(split *st, size_t end)
{
	strata__stmt *it;

	if (!st->has_content) {
		reset_stmt(st);
		return;
	}
	while (end > st->start && isspace((unsigned char)st->s[end - 1]))
		end--;
	st->out->items = strata__realloc(
	        st->out->items, (st->out->count + 1) * sizeof(strata__stmt));
	it = &st->out->items[st->out->count++];
	it->sql = strata__strndup(st->s + st->start, end - st->start);
	it->line = st->start_line;
	reset_stmt(st);
}

/* Quoted text ending at `close`; doubled close chars and, optionally,
 * backslashes escape. */
static int skip_quoted(split *st, char close, int backslash)
{
	int line = st->line;

	adv(st);
	while (st->i < st->n) {
		char c = st->s[st->i];

		if (backslash && c == '\\' && st->i + 1 < st->n) {
			adv(st);
			adv(st);
		} else if (c == close && at(st, 1) == close) {
			adv(st);
			adv(st);
		} else if (c == close) {
			adv(st);
			return STRATA_OK;
		} else {
			adv(st);
		}
	}
	return fail(st, line,
	            close == '\'' ? "unterminated string literal"
	                          : "unterminated quoted identifier");
}

static int skip_block_comment(split *st)
{
	int line = st->line, nest = 1;
	int nested = (st->flags & STRATA_SPLIT_NESTED_COMMENTS) != 0;

	adv(st);
	adv(st);
	while (st->i < st->n) {
		if (at(st, 0) == '*' && at(st, 1) == '/') {
			adv(st);
			adv(st);
			if (--nest == 0)
				return STRATA_OK;
		} else if (nested && at(st, 0) == '/' && at(st, 1) == '*') {
			adv(st);
			adv(st);
			nest++;
		} else {
			adv(st);
		}
	}
	return fail(st, line, "unterminated /* comment");
}

static void skip_line(split *st)
{
	while (st->i < st->n && st->s[st->i] != '\n')
		st->i++;
}

/* $tag$ ... $tag$; returns 0 with nothing consumed if not a dollar quote. */
static int skip_dollar(split *st, int *handled)
{
	size_t j = st->i + 1, taglen;
	int line = st->line;
	const char *tag = st->s + st->i;

	*handled = 0;
	if (st->i > 0 && is_word((unsigned char)st->s[st->i - 1]))
		return STRATA_OK;
	if (j < st->n && (isalpha((unsigned char)st->s[j]) || st->s[j] == '_'))
		while (j < st->n &&
		       (isalnum((unsigned char)st->s[j]) || st->s[j] == '_'))
			j++;
	if (j >= st->n || st->s[j] != '$')
		return STRATA_OK;
	taglen = j - st->i + 1;
	*handled = 1;
	while (st->i < j + 1)
		adv(st);
	while (st->i < st->n) {
		if (st->s[st->i] == '$' && st->n - st->i >= taglen &&
		    memcmp(st->s + st->i, tag, taglen) == 0) {
			while (taglen--)
				adv(st);
			return STRATA_OK;
		}
		adv(st);
	}
	return fail(st, line, "unterminated dollar-quoted string");
}

static int word_is(const char *w, size_t n, const char *kw)
{
	return strlen(kw) == n && strncasecmp(w, kw, n) == 0;
}

static size_t next_word(const split *st, size_t from, const char **w)
{
	size_t j = from, k;

	while (j < st->n && isspace((unsigned char)st->s[j]))
		j++;
	k = j;
	while (k < st->n && is_word((unsigned char)st->s[k]))
		k++;
	*w = st->s + j;
	return k - j;
}

static int word_in(const char *w, size_t n, const char *const *list)
{
	for (; *list; list++)
		if (word_is(w, n, *list))
			return 1;
	return 0;
}

/* Words after which BEGIN or END can only be a name. Not AS or IS:
 * MariaDB's Oracle mode writes "CREATE PROCEDURE p AS BEGIN". */
static const char *const before_ident[] = {
        "SET",     "OF",     "SELECT", "WHERE",    "AND",    "OR",
        "NOT",     "BY",     "ON",     "INTO",     "FROM",   "WHEN",
        "IN",      "LIKE",   "UPDATE", "TABLE",    "JOIN",   "USING",
        "DECLARE", "RETURN", "VALUES", "DISTINCT", "HAVING", "BETWEEN",
        "COLUMN",  NULL};

/* ... and after which END is a name: an alias, a THEN/ELSE value. */
static const char *const before_name[] = {"AS", "THEN", "ELSE", "IS", NULL};

/* Words no statement starts with: "begin FROM" is an alias. */
static const char *const not_a_statement[] = {
        "FROM", "AS",   "WHERE", "AND",     "OR",    "IS",     "IN",    "LIKE",
        "THEN", "ELSE", "WHEN",  "ORDER",   "GROUP", "HAVING", "LIMIT", "UNION",
        "INTO", "ON",   "USING", "BETWEEN", "JOIN",  NULL};

static int prev_word_in(const split *st, const char *const *list)
{
	return st->prev == 'w' && st->pw && word_in(st->pw, st->pwn, list);
}

/* DEFINER = user[@host]: user and host are one word or quoted name each,
 * a host maybe dotted (127.0.0.1) or with '%'; CURRENT_USER[()] too.
 * Returns 1 if the token (a char, 'w' word or 'q' quoted) is part of it;
 * else the clause is over and the token is an ordinary header token. */
static int definer_token(split *st, char tok)
{
	int name = tok == 'w' || tok == 'q';

	switch (st->header) {
	case H_DEFINER:
		if (tok == '=')
			return 1;
		if (name) {
			st->header = H_USER;
			return 1;
		}
		break;
	case H_USER:
		if (tok == '(' || tok == ')')
			return 1;
		if (tok == '@') {
			st->header = H_AT;
			return 1;
		}
		break;
	case H_AT:
		if (name || tok == '%')
			st->header = H_HOST;
		if (name || tok == '%' || tok == '.')
			return 1;
		break;
	case H_HOST:
		if (tok == '.' || tok == '%' || tok == '-') {
			st->header = H_AT;
			return 1;
		}
		break;
	default:
		return 0;
	}
	st->header = H_HEAD;
	return 0;
}

/* CREATE [OR REPLACE] [DEFINER = user] [SQL SECURITY x] [TEMP] <what>:
 * only a trigger, procedure, function or event has a compound body;
 * ALTER [DEFINER = user] EVENT can replace an event's body (DO ...). */
static void track_header(split *st, const char *w, size_t n)
{
	static const char *const bodies[] = {"TRIGGER", "PROCEDURE", "FUNCTION",
	                                     "EVENT", NULL};
	static const char *const prefix[] = {"OR",        "REPLACE",   "SQL",
	                                     "SECURITY",  "INVOKER",   "TEMP",
	                                     "TEMPORARY", "AGGREGATE", NULL};

	if (definer_token(st, 'w'))
		return;
	if (st->alter ? word_is(w, n, "EVENT") : word_in(w, n, bodies)) {
		st->compound = 1;
		st->header = H_NONE;
	} else if (word_is(w, n, "DEFINER")) {
		st->header = H_DEFINER;
	} else if (!word_in(w, n, prefix)) {
		st->header = H_NONE;
	}
}

/* Past blanks and comments from j. */
static size_t skip_gap(const split *st, size_t j)
{
	for (;;) {
		while (j < st->n && isspace((unsigned char)st->s[j]))
			j++;
		if (j + 1 < st->n && st->s[j] == '-' && st->s[j + 1] == '-') {
			while (j < st->n && st->s[j] != '\n')
				j++;
		} else if (j < st->n && st->s[j] == '#' &&
		           (st->flags & STRATA_SPLIT_HASH_COMMENT)) {
			while (j < st->n && st->s[j] != '\n')
				j++;
		} else if (j + 1 < st->n && st->s[j] == '/' &&
		           st->s[j + 1] == '*') {
			j += 2;
			while (j < st->n &&
			       !(st->s[j] == '*' && j + 1 < st->n &&
			         st->s[j + 1] == '/'))
				j++;
			j = j < st->n ? j + 2 : st->n;
		} else {
			return j;
		}
	}
}

static int delim_at(const split *st, size_t j)
{
	return j < st->n && st->n - j >= st->dlen &&
	       memcmp(st->s + j, st->delim, st->dlen) == 0;
}

/* A statement ends at j: end of input, ';' or the delimiter. */
static int stmt_end_at(const split *st, size_t j)
{
	return j >= st->n || st->s[j] == ';' || delim_at(st, j);
}

/* The END word just scanned closes a BEGIN block: it follows a ';' (or
 * the BEGIN of an empty block) and is followed by the statement's end,
 * maybe after a label. Otherwise it is a name ("MAX(x) end FROM"). */
static int closes_begin(const split *st, int opened)
{
	size_t j = skip_gap(st, st->i);

	if (st->prev != ';' && !opened)
		return 0;
	if (stmt_end_at(st, j))
		return 1;
	if (!is_word((unsigned char)st->s[j]) && st->s[j] != '`')
		return 0;
	if (st->s[j] == '`') {
		const char *q = memchr(st->s + j + 1, '`', st->n - j - 1);

		if (!q)
			return 0;
		j = (size_t)(q - st->s) + 1;
	} else {
		while (j < st->n && is_word((unsigned char)st->s[j]) &&
		       !delim_at(st, j))
			j++;
	}
	return stmt_end_at(st, skip_gap(st, j));
}

/* BEGIN opens a block: not after '.', ',', '(' or an operator, nor after a
 * word such as SET or SELECT, nor after AS inside a body (an alias); and
 * only if a statement, label or comment follows it. */
static int begin_opens(const split *st)
{
	const char *w;
	size_t j, n;
	char c;

	if (st->prev && strchr(".,(=<>+-*/%|&!", st->prev))
		return 0;
	if (prev_word_in(st, before_ident))
		return 0;
	if (st->depth > 0 && st->prev == 'w' && word_is(st->pw, st->pwn, "AS"))
		return 0;
	j = st->i;
	while (j < st->n && isspace((unsigned char)st->s[j]))
		j++;
	c = j < st->n ? st->s[j] : '\0';
	if (!(isalpha((unsigned char)c) || c == '_' || c == '`' || c == '-' ||
	      c == '/' || c == '#'))
		return 0;
	n = next_word(st, st->i, &w);
	if (word_is(w, n, "END")) /* an empty block, or "begin END" of CASE */
		return stmt_end_at(st, skip_gap(st, (size_t)(w - st->s) + n));
	return !word_in(w, n, not_a_statement);
}

static int end_is_keyword(const split *st)
{
	if (st->prev && strchr(".,(=<>+-*/%|&!", st->prev))
		return 0;
	return !prev_word_in(st, before_ident) &&
	       !prev_word_in(st, before_name);
}

static void push(split *st, char kind)
{
	if (st->depth < (int)sizeof(st->kind))
		st->kind[st->depth] = kind;
	st->depth++;
}

static char top(const split *st)
{
	if (st->depth > (int)sizeof(st->kind))
		return 'B';
	return st->kind[st->depth - 1];
}

/* END closes what the innermost level opened: a CASE at any END (but END
 * IF/LOOP/... close what is not counted); a BEGIN only per closes_begin. */
static void track_end(split *st, int opened)
{
	static const char *const others[] = {"IF",     "LOOP", "WHILE",
	                                     "REPEAT", "FOR",  NULL};
	const char *nw;
	size_t nn = next_word(st, st->i, &nw);

	st->after_end = 1;
	if (word_in(nw, nn, others))
		return;
	if (top(st) == 'C' || closes_begin(st, opened))
		st->depth--;
}

/* The word at j (after blanks and comments) is kw; its end in *end. */
static int word_at(const split *st, size_t j, const char *kw, size_t *end)
{
	size_t k;

	j = skip_gap(st, j);
	for (k = j; k < st->n && is_word((unsigned char)st->s[k]); k++)
		;
	*end = k;
	return word_is(st->s + j, k - j, kw);
}

/* A statement that starts with BEGIN is a transaction (BEGIN; BEGIN
 * WORK), unless it is MariaDB's anonymous block BEGIN NOT ATOMIC ... END,
 * which the server runs as one statement. */
static int not_atomic_follows(const split *st)
{
	size_t j;

	return word_at(st, st->i, "NOT", &j) && word_at(st, j, "ATOMIC", &j);
}

/* Track BEGIN/CASE ... END inside routine and trigger bodies, so that
 * ';' there does not split. */
static void track_word(split *st, const char *w, size_t n)
{
	int opened = st->opened;

	st->opened = 0;
	if (st->words == 0) {
		st->alter = word_is(w, n, "ALTER");
		st->create = st->alter || word_is(w, n, "CREATE");
		st->header = st->create ? H_HEAD : H_NONE;
		st->compound = word_is(w, n, "BEGIN") && not_atomic_follows(st);
	} else if (st->header) {
		track_header(st, w, n);
	}
	if (st->words < 1000)
		st->words++;
	if (!st->compound)
		return;
	if (st->after_end) {
		st->after_end = 0;
		if (word_is(w, n, "CASE"))
			return;
	}
	if (word_is(w, n, "CASE")) {
		push(st, 'C');
	} else if (word_is(w, n, "BEGIN") && begin_opens(st)) {
		push(st, 'B');
		st->opened = 1;
	} else if (word_is(w, n, "END") && st->depth > 0 &&
	           end_is_keyword(st)) {
		track_end(st, opened);
	} else if (opened &&
	           (word_is(w, n, "NOT") || word_is(w, n, "ATOMIC"))) {
		st->opened = 1; /* MariaDB's BEGIN NOT ATOMIC */
	}
}

static int custom_delim_here(const split *st)
{
	return !(st->dlen == 1 && st->delim[0] == ';') &&
	       st->n - st->i >= st->dlen &&
	       memcmp(st->s + st->i, st->delim, st->dlen) == 0;
}

static void scan_word(split *st)
{
	size_t b = st->i;

	mark_content(st);
	/* "END$$" ends at a custom delimiter even though $ is a word char. */
	while (st->i < st->n && is_word((unsigned char)st->s[st->i]) &&
	       (st->i == b || !custom_delim_here(st)))
		st->i++;
	if (st->flags & STRATA_SPLIT_BEGIN_END)
		track_word(st, st->s + b, st->i - b);
	st->prev = 'w';
	st->pw = st->s + b;
	st->pwn = st->i - b;
}

/* A token other than a word: the DEFINER clause and BEGIN track it. */
static void other_token(split *st, char tok)
{
	st->opened = 0;
	if (st->header >= H_DEFINER)
		definer_token(st, tok);
	st->prev = tok;
}

/* MySQL client's "DELIMITER xx" line. */
static int try_delimiter(split *st, int *handled)
{
	const char *w;
	size_t n = next_word(st, st->i, &w), j, k;
	int line = st->line;

	*handled = 0;
	if (w != st->s + st->i || !word_is(w, n, "DELIMITER"))
		return STRATA_OK;
	j = st->i + n;
	if (j < st->n && !isspace((unsigned char)st->s[j]))
		return STRATA_OK;
	*handled = 1;
	emit(st, st->i);
	while (j < st->n && (st->s[j] == ' ' || st->s[j] == '\t'))
		j++;
	k = j;
	while (k < st->n && !isspace((unsigned char)st->s[k]))
		k++;
	if (k == j || k - j >= sizeof(st->delim))
		return fail(st, line, "DELIMITER needs a value (1-31 bytes)");
	memcpy(st->delim, st->s + j, k - j);
	st->dlen = k - j;
	st->delim[st->dlen] = '\0';
	st->i = k;
	skip_line(st);
	return STRATA_OK;
}

static int at_delimiter(const split *st)
{
	if (st->dlen == 1 && st->delim[0] == ';')
		return st->s[st->i] == ';' && st->depth == 0;
	return custom_delim_here(st);
}

static int line_comment_here(const split *st)
{
	char c = at(st, 0);

	if (c == '#' && (st->flags & STRATA_SPLIT_HASH_COMMENT))
		return 1;
	if (c != '-' || at(st, 1) != '-')
		return 0;
	/* MySQL needs whitespace after "--". */
	if (st->flags & STRATA_SPLIT_HASH_COMMENT)
		return at(st, 2) == '\0' || isspace((unsigned char)at(st, 2));
	return 1;
}

static int quoted(split *st, char c)
{
	unsigned f = st->flags;
	int bs = 0;

	if (c == '\'') {
		bs = (f & STRATA_SPLIT_BACKSLASH_ESC) != 0;
		if ((f & STRATA_SPLIT_E_STRINGS) && st->i > 0 &&
		    (st->s[st->i - 1] == 'E' || st->s[st->i - 1] == 'e') &&
		    (st->i < 2 || !is_word((unsigned char)st->s[st->i - 2])))
			bs = 1;
		return skip_quoted(st, '\'', bs);
	}
	if (c == '"')
		return skip_quoted(st, '"',
		                   (f & STRATA_SPLIT_DQUOTE_STRING) &&
		                           (f & STRATA_SPLIT_BACKSLASH_ESC));
	if (c == '`')
		return skip_quoted(st, '`', 0);
	return skip_quoted(st, ']', 0);
}

static int is_quote(const split *st, char c)
{
	return c == '\'' || c == '"' ||
	       (c == '`' && (st->flags & STRATA_SPLIT_BACKTICK_IDENT)) ||
	       (c == '[' && (st->flags & STRATA_SPLIT_BRACKET_IDENT));
}

static int step_special(split *st, char c, int *handled)
{
	int rc = STRATA_OK;

	*handled = 1;
	if (st->line_start && (st->flags & STRATA_SPLIT_DELIMITER) &&
	    (c == 'd' || c == 'D')) {
		rc = try_delimiter(st, handled);
		if (rc || *handled)
			return rc;
		*handled = 1;
	}
	if (line_comment_here(st)) {
		skip_line(st);
	} else if (c == '/' && at(st, 1) == '*') {
		int hint = (st->flags & STRATA_SPLIT_HASH_COMMENT) &&
		           (at(st, 2) == '!' || at(st, 2) == '+');
		if (hint) /* MySQL executable comment: part of the statement */
			mark_content(st);
		rc = skip_block_comment(st);
	} else if (is_quote(st, c)) {
		mark_content(st);
		rc = quoted(st, c);
		other_token(st, 'q');
	} else if (c == '$' && (st->flags & STRATA_SPLIT_DOLLAR_QUOTES)) {
		int had = st->has_content;

		mark_content(st);
		rc = skip_dollar(st, handled);
		if (!*handled) /* a plain '$': step() decides what it is */
			st->has_content = had;
	} else {
		*handled = 0;
	}
	return rc;
}

static int step(split *st)
{
	char c = st->s[st->i];
	int handled, rc;

	if (isspace((unsigned char)c)) {
		if (c == '\n')
			st->line_start = 1;
		adv(st);
		return STRATA_OK;
	}
	rc = step_special(st, c, &handled);
	st->line_start = 0;
	if (rc || handled)
		return rc;
	if (at_delimiter(st)) {
		emit(st, st->i);
		st->i += st->dlen;
	} else if (is_word((unsigned char)c)) {
		scan_word(st);
	} else {
		mark_content(st);
		other_token(st, c);
		adv(st);
	}
	return STRATA_OK;
}

int strata__split(strata__stmts *out, const char *sql, size_t len,
                  unsigned flags, const char *file, strata_error *err)
{
	split st;
	int rc = STRATA_OK;

	memset(out, 0, sizeof(*out));
	memset(&st, 0, sizeof(st));
	st.s = sql;
	st.n = len;
	st.line = 1;
	st.flags = flags;
	st.file = file;
	st.err = err;
	st.out = out;
	st.delim[0] = ';';
	st.dlen = 1;
	st.line_start = 1;
	while (st.i < st.n && rc == STRATA_OK)
		rc = step(&st);
	if (rc == STRATA_OK)
		emit(&st, st.n);
	if (rc)
		strata__stmts_free(out);
	return rc;
}

void strata__stmts_free(strata__stmts *s)
{
	size_t i;

	for (i = 0; i < s->count; i++)
		free(s->items[i].sql);
	free(s->items);
	s->items = NULL;
	s->count = 0;
}
