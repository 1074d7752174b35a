/*
 * The core's SQL scanner for lint: a tokenizer that knows the dialect's
 * quoting (the splitter's flags), and a reader of the few statement forms
 * the lint rules care about. It reports strata_action records exactly as
 * a driver's analyze() would, so the rules never know which one read the
 * statement.
 *
 * It is not a parser: what it does not recognise is STRATA_ACT_OTHER, and
 * no input can make it fail, loop or read out of bounds (it is fuzzed).
 * Every loop advances over a bounded token array.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint.h"

/* A statement with more tokens is read up to here: the forms lint cares
 * about are decided in their first tokens, and a huge INSERT is not one. */
#define MAX_TOKENS 200000

enum { T_WORD, T_QIDENT, T_STRING, T_NUM, T_PUNCT, T_DOLLAR_BODY };

typedef struct tok {
	int type;
	const char *p;
	size_t n;
	int line; /* 1-based within the statement */
} tok;

typedef struct lexer {
	const strata__scan_dialect *d;
	const char *s, *end;
	int line;
	tok *v;
	size_t n, cap;
} lexer;

void strata__scan_dialect_for(strata__scan_dialect *out,
                              const strata_dialect *d, unsigned split_flags)
{
	out->name = d && d->name ? d->name : "";
	out->flags = split_flags;
	out->fold_lower = !strcmp(out->name, "postgres");
}

static void push(lexer *lx, int type, const char *p, size_t n, int line)
{
	if (lx->n >= MAX_TOKENS)
		return;
	if (lx->n == lx->cap) {
		lx->cap = lx->cap ? lx->cap * 2 : 64;
		lx->v = strata__realloc(lx->v, lx->cap * sizeof(tok));
	}
	lx->v[lx->n].type = type;
	lx->v[lx->n].p = p;
	lx->v[lx->n].n = n;
	lx->v[lx->n].line = line;
	lx->n++;
}

/* Advance over [p, q), counting lines. */
static const char *over(lexer *lx, const char *p, const char *q)
{
	for (; p < q; p++)
		if (*p == '\n')
			lx->line++;
	return q;
}

/* A quoted run closed by q; a doubled q stands for itself; bs: backslash
 * escapes. Returns the position after the closing quote (or the end). */
static const char *quoted(const lexer *lx, const char *p, char q, int bs)
{
	p++;
	while (p < lx->end) {
		if (bs && *p == '\\' && p + 1 < lx->end) {
			p += 2;
			continue;
		}
		if (*p == q) {
			if (p + 1 < lx->end && p[1] == q) {
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
	return lx->end;
}

static const char *block_comment(const lexer *lx, const char *p)
{
	int depth = 1;
	int nest = (lx->d->flags & STRATA_SPLIT_NESTED_COMMENTS) != 0;

	p += 2;
	while (p < lx->end) {
		if (p + 1 < lx->end && p[0] == '*' && p[1] == '/') {
			p += 2;
			if (--depth == 0 || !nest)
				return p;
			continue;
		}
		if (nest && p + 1 < lx->end && p[0] == '/' && p[1] == '*') {
			depth++;
			p += 2;
			continue;
		}
		p++;
	}
	return lx->end;
}

static int ident_start(unsigned char c)
{
	return isalpha(c) || c == '_' || c >= 0x80;
}

static int ident_char(unsigned char c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

/* $tag$ at p (PostgreSQL): the tag's length including both '$', or 0. */
static size_t dollar_tag(const lexer *lx, const char *p)
{
	const char *q = p + 1;

	if (q < lx->end && ident_start((unsigned char)*q) &&
	    !((unsigned char)*q >= 0x80))
		while (q < lx->end && (isalnum((unsigned char)*q) || *q == '_'))
			q++;
	if (q < lx->end && *q == '$')
		return (size_t)(q - p) + 1;
	return 0;
}

static const char *dollar_body(const lexer *lx, const char *p, size_t tag)
{
	const char *q = p + tag;

	while (q + tag <= lx->end) {
		if (*q == '$' && !memcmp(q, p, tag))
			return q + tag;
		q++;
	}
	return lx->end;
}

/* One token (or a skipped blank or comment) at p; the next position. */
static const char *lex_one(lexer *lx, const char *p)
{
	unsigned f = lx->d->flags;
	unsigned char c = (unsigned char)*p;
	const char *q;
	int line = lx->line;
	size_t tag;

	if (isspace(c))
		return over(lx, p, p + 1);
	if ((c == '-' && p + 1 < lx->end && p[1] == '-') ||
	    (c == '#' && (f & STRATA_SPLIT_HASH_COMMENT))) {
		q = memchr(p, '\n', (size_t)(lx->end - p));
		return q ? q : lx->end;
	}
	if (c == '/' && p + 1 < lx->end && p[1] == '*')
		return over(lx, p, block_comment(lx, p));
	if (c == '\'') {
		q = quoted(lx, p, '\'', (f & STRATA_SPLIT_BACKSLASH_ESC) != 0);
		push(lx, T_STRING, p, (size_t)(q - p), line);
		return over(lx, p, q);
	}
	if ((c == 'E' || c == 'e') && (f & STRATA_SPLIT_E_STRINGS) &&
	    p + 1 < lx->end && p[1] == '\'') {
		q = quoted(lx, p + 1, '\'', 1);
		push(lx, T_STRING, p, (size_t)(q - p), line);
		return over(lx, p, q);
	}
	if (c == '"') {
		int str = (f & STRATA_SPLIT_DQUOTE_STRING) != 0;

		q = quoted(lx, p, '"', str && (f & STRATA_SPLIT_BACKSLASH_ESC));
		push(lx, str ? T_STRING : T_QIDENT, p, (size_t)(q - p), line);
		return over(lx, p, q);
	}
	if ((c == '`' && (f & STRATA_SPLIT_BACKTICK_IDENT)) ||
	    (c == '[' && (f & STRATA_SPLIT_BRACKET_IDENT))) {
		q = quoted(lx, p, c == '[' ? ']' : '`', 0);
		push(lx, T_QIDENT, p, (size_t)(q - p), line);
		return over(lx, p, q);
	}
	if (c == '$' && (f & STRATA_SPLIT_DOLLAR_QUOTES) &&
	    (tag = dollar_tag(lx, p)) > 0) {
		q = dollar_body(lx, p, tag);
		push(lx, T_DOLLAR_BODY, p, (size_t)(q - p), line);
		return over(lx, p, q);
	}
	if (ident_start(c)) {
		for (q = p + 1; q < lx->end && ident_char((unsigned char)*q);
		     q++)
			;
		push(lx, T_WORD, p, (size_t)(q - p), line);
		return q;
	}
	if (isdigit(c)) {
		for (q = p + 1; q < lx->end && (isalnum((unsigned char)*q) ||
		                                *q == '.' || *q == '_');
		     q++)
			;
		push(lx, T_NUM, p, (size_t)(q - p), line);
		return q;
	}
	if (c == ':' && p + 1 < lx->end && p[1] == ':') {
		push(lx, T_PUNCT, p, 2, line);
		return p + 2;
	}
	push(lx, T_PUNCT, p, 1, line);
	return p + 1;
}

static void lex(lexer *lx, const strata__scan_dialect *d, const char *s,
                size_t len)
{
	const char *p = s;

	memset(lx, 0, sizeof(*lx));
	lx->d = d;
	lx->s = s;
	lx->end = s + len;
	lx->line = 1;
	while (p < lx->end && lx->n < MAX_TOKENS)
		p = lex_one(lx, p);
}

/* ---- reading statements ---- */

/* The actions of one statement, collected: options that come after the
 * clauses (MySQL ALGORITHM=, LOCK=) apply to all of them. */
typedef struct reader {
	const strata__scan_dialect *d;
	tok *t;
	size_t n;
	strata__act *acts;
	size_t nacts;
	unsigned all_flags; /* added to every action */
} reader;

static int is_kw(const reader *r, size_t i, const char *k)
{
	size_t n = strlen(k);

	return i < r->n && r->t[i].type == T_WORD && r->t[i].n == n &&
	       !strncasecmp(r->t[i].p, k, n);
}

static int is_punct(const reader *r, size_t i, char c)
{
	return i < r->n && r->t[i].type == T_PUNCT && r->t[i].n == 1 &&
	       r->t[i].p[0] == c;
}

static int is_name(const reader *r, size_t i)
{
	return i < r->n && (r->t[i].type == T_WORD || r->t[i].type == T_QIDENT);
}

/* Skip the keywords given (NULL-terminated list) in any order, each as
 * often as it comes: "IF NOT EXISTS", "ONLY"... */
static size_t skip_kw(const reader *r, size_t i, const char *const *kws)
{
	const char *const *k;

	for (;;) {
		for (k = kws; *k; k++)
			if (is_kw(r, i, *k))
				break;
		if (!*k)
			return i;
		i++;
	}
}

/* A token's name: quoted ones unquoted (doubled quotes halved), unquoted
 * ones folded as the dialect folds them. */
static char *tok_name(const reader *r, const tok *t)
{
	char *out, *o;
	size_t i;

	if (t->type != T_QIDENT) {
		out = strata__strndup(t->p, t->n);
		if (r->d->fold_lower)
			for (o = out; *o; o++)
				*o = (char)tolower((unsigned char)*o);
		return out;
	}
	out = o = strata__malloc(t->n + 1);
	{
		char close = t->p[0] == '[' ? ']' : t->p[0];
		size_t end = t->n;

		/* An unterminated quote (garbage) runs to the end. */
		if (end >= 2 && t->p[end - 1] == close)
			end--;
		for (i = 1; i < end; i++) {
			*o++ = t->p[i];
			if (t->p[i] == close && close != ']' && i + 1 < end &&
			    t->p[i + 1] == close)
				i++;
		}
	}
	*o = '\0';
	return out;
}

/* A qualified name at *i: [schema.]name (a third part, db.schema.name,
 * keeps the last two). Advances *i; 0 if there is no name. */
static int qname(const reader *r, size_t *i, char **schema, char **name)
{
	*schema = *name = NULL;
	if (!is_name(r, *i))
		return 0;
	*name = tok_name(r, &r->t[*i]);
	(*i)++;
	while (is_punct(r, *i, '.') && is_name(r, *i + 1)) {
		free(*schema);
		*schema = *name;
		*name = tok_name(r, &r->t[*i + 1]);
		*i += 2;
	}
	return 1;
}

static strata__act *add(reader *r, int kind, size_t at)
{
	strata__act *a;

	r->acts = strata__realloc(r->acts, (r->nacts + 1) * sizeof(*a));
	a = &r->acts[r->nacts++];
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	a->line = at < r->n ? r->t[at].line : (r->n ? r->t[r->n - 1].line : 1);
	return a;
}

/* Where the depth-0 item starting at i ends: at a ',' or at end. */
static size_t item_end(const reader *r, size_t i, size_t end)
{
	int depth = 0;

	for (; i < end; i++) {
		if (is_punct(r, i, '('))
			depth++;
		else if (is_punct(r, i, ')') && depth > 0)
			depth--;
		else if (depth == 0 && is_punct(r, i, ','))
			return i;
	}
	return end;
}

static int find_kw(const reader *r, size_t i, size_t end, const char *k)
{
	int depth = 0;

	for (; i < end; i++) {
		if (is_punct(r, i, '('))
			depth++;
		else if (is_punct(r, i, ')') && depth > 0)
			depth--;
		else if (depth == 0 && is_kw(r, i, k))
			return 1;
	}
	return 0;
}

/* Words that end a column's type in a column definition. */
static const char *const type_end[] = {
        "NOT",           "NULL",        "DEFAULT",   "CONSTRAINT",
        "PRIMARY",       "UNIQUE",      "CHECK",     "REFERENCES",
        "COLLATE",       "GENERATED",   "AS",        "AUTO_INCREMENT",
        "AUTOINCREMENT", "COMMENT",     "ON",        "FIRST",
        "AFTER",         "USING",       "CHARSET",   "IDENTITY",
        "STORAGE",       "COMPRESSION", "INVISIBLE", "VISIBLE",
        "SRID",          "KEY",         "FORMAT",    NULL};

static int ends_type(const reader *r, size_t i, size_t start)
{
	const char *const *k;

	if (is_punct(r, i, ',') || is_punct(r, i, ')') || is_punct(r, i, ';'))
		return 1;
	/* CHARACTER SET after a type; CHARACTER VARYING is a type. */
	if (i > start && is_kw(r, i, "CHARACTER") && is_kw(r, i + 1, "SET"))
		return 1;
	for (k = type_end; *k; k++)
		if (is_kw(r, i, *k))
			return 1;
	return 0;
}

/* The type written at *i, up to a word that ends it; NULL if none. */
static char *type_text(const reader *r, size_t *i, size_t end)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t start = *i;
	int depth = 0;

	while (*i < end && (depth > 0 || !ends_type(r, *i, start))) {
		const tok *t = &r->t[*i];
		int glue = b.len == 0 || t->type == T_PUNCT ||
		           (b.len && (b.ptr[b.len - 1] == '(' ||
		                      b.ptr[b.len - 1] == '.'));

		if (is_punct(r, *i, '('))
			depth++;
		else if (is_punct(r, *i, ')'))
			depth--;
		if (is_punct(r, *i, '[') || is_punct(r, *i, ']'))
			glue = 1;
		if (!glue)
			strata__buf_putc(&b, ' ');
		strata__buf_put(&b, t->p, t->n);
		(*i)++;
	}
	if (!b.len)
		return NULL;
	return strata__buf_detach(&b);
}

/* Functions whose value differs per row (or per call): a DEFAULT using one
 * must be computed for every existing row, which rewrites the table.
 * PostgreSQL 11+ stores a non-volatile default once (now(),
 * CURRENT_TIMESTAMP and constants are "fast defaults"). */
static const char *const pg_volatile[] = {"random",
                                          "gen_random_uuid",
                                          "uuid_generate_v1",
                                          "uuid_generate_v1mc",
                                          "uuid_generate_v4",
                                          "clock_timestamp",
                                          "timeofday",
                                          "nextval",
                                          "txid_current",
                                          "statement_timestamp_volatile",
                                          NULL};
/* MySQL/MariaDB: an expression default that is not a constant cannot be
 * added in place (UUID(), RAND() per row). */
static const char *const my_volatile[] = {"uuid",    "uuid_short",   "rand",
                                          "sysdate", "random_bytes", NULL};

static int word_in(const reader *r, size_t i, const char *const *list)
{
	for (; *list; list++)
		if (is_kw(r, i, *list))
			return 1;
	return 0;
}

static int volatile_in(const reader *r, size_t i, size_t end)
{
	const char *const *list =
	        !strcmp(r->d->name, "mysql") ? my_volatile : pg_volatile;

	for (; i < end; i++)
		if (word_in(r, i, list) && is_punct(r, i + 1, '('))
			return 1;
	return 0;
}

/* Serial types are integers with a nextval() default. */
static int serial_type(const char *type)
{
	return type &&
	       (!strcasecmp(type, "serial") || !strcasecmp(type, "bigserial") ||
	        !strcasecmp(type, "smallserial") ||
	        !strcasecmp(type, "serial4") || !strcasecmp(type, "serial8") ||
	        !strcasecmp(type, "serial2"));
}

/* The attributes after a column's type, from i to end. */
static unsigned column_flags(const reader *r, size_t i, size_t end)
{
	unsigned f = 0;

	for (; i < end; i++) {
		if (is_kw(r, i, "NOT") && is_kw(r, i + 1, "NULL"))
			f |= STRATA_ACTF_NOT_NULL;
		else if (is_kw(r, i, "PRIMARY") && is_kw(r, i + 1, "KEY"))
			f |= STRATA_ACTF_NOT_NULL;
		else if (is_kw(r, i, "DEFAULT")) {
			f |= STRATA_ACTF_DEFAULT;
			if (volatile_in(r, i + 1, end))
				f |= STRATA_ACTF_VOLATILE_DEFAULT;
		} else if (is_kw(r, i, "IDENTITY") ||
		           is_kw(r, i, "AUTO_INCREMENT")) {
			f |= STRATA_ACTF_DEFAULT | STRATA_ACTF_VOLATILE_DEFAULT;
		} else if ((is_kw(r, i, "GENERATED") &&
		            !find_kw(r, i, end, "IDENTITY")) ||
		           (is_kw(r, i, "AS") && is_punct(r, i + 1, '('))) {
			f |= STRATA_ACTF_GENERATED;
		}
	}
	return f;
}

/* A column definition at i: name type attributes. Fills a. */
static void column_def(reader *r, size_t i, size_t end, strata__act *a)
{
	size_t j;

	if (!is_name(r, i))
		return;
	a->column = tok_name(r, &r->t[i]);
	i++;
	j = i;
	a->type = type_text(r, &j, end);
	a->flags |= column_flags(r, j, end);
	if (serial_type(a->type))
		a->flags |= STRATA_ACTF_DEFAULT | STRATA_ACTF_VOLATILE_DEFAULT;
}

/* CHECK ( col IS NOT NULL ): the column it proves, or NULL. */
static char *check_not_null(const reader *r, size_t i, size_t end)
{
	size_t j = i;
	int open = 0;

	while (j < end && is_punct(r, j, '(')) {
		j++;
		open++;
	}
	if (!open || !is_name(r, j) || !is_kw(r, j + 1, "IS") ||
	    !is_kw(r, j + 2, "NOT") || !is_kw(r, j + 3, "NULL"))
		return NULL;
	i = j + 4;
	while (i < end && is_punct(r, i, ')')) {
		i++;
		open--;
	}
	if (open != 0)
		return NULL;
	return tok_name(r, &r->t[j]);
}

static const char *constraint_kind(const reader *r, size_t i)
{
	if (is_kw(r, i, "PRIMARY"))
		return "primary key";
	if (is_kw(r, i, "UNIQUE"))
		return "unique";
	if (is_kw(r, i, "FOREIGN"))
		return "foreign key";
	if (is_kw(r, i, "CHECK"))
		return "check";
	if (is_kw(r, i, "EXCLUDE"))
		return "exclusion";
	return NULL;
}

static void set_table(strata__act *a, const char *schema, const char *table)
{
	a->schema = schema ? strata__strdup(schema) : NULL;
	a->table = table ? strata__strdup(table) : NULL;
}

/* ADD CONSTRAINT name kind ... / ADD kind ... at i (after ADD). */
static void add_constraint(reader *r, size_t i, size_t end, size_t at,
                           const char *schema, const char *table)
{
	strata__act *a;
	char *cname = NULL;
	const char *kind;

	if (is_kw(r, i, "CONSTRAINT")) {
		if (is_name(r, i + 1) && !constraint_kind(r, i + 1))
			cname = tok_name(r, &r->t[i + 1]);
		i += cname ? 2 : 1;
	}
	kind = constraint_kind(r, i);
	if (!kind) {
		free(cname);
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
		set_table(a, schema, table);
		return;
	}
	a = add(r, STRATA_ACT_ADD_CONSTRAINT, at);
	set_table(a, schema, table);
	a->name = cname;
	a->detail = strata__strdup(kind);
	if (!strcmp(kind, "check"))
		a->column = check_not_null(r, i + 1, end);
	if (find_kw(r, i, end, "VALID") && find_kw(r, i, end, "NOT"))
		a->flags |= STRATA_ACTF_NOT_VALID;
}

/* MySQL ADD INDEX/KEY/FULLTEXT/SPATIAL [name] (cols). */
static void add_index(reader *r, size_t i, size_t end, size_t at,
                      const char *schema, const char *table)
{
	strata__act *a = add(r, STRATA_ACT_CREATE_INDEX, at);

	set_table(a, schema, table);
	if (is_kw(r, i, "FULLTEXT") || is_kw(r, i, "SPATIAL")) {
		a->detail = strata__strndup(r->t[i].p, r->t[i].n);
		for (char *p = a->detail; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		i++;
	}
	i = skip_kw(r, i, (const char *const[]){"INDEX", "KEY", NULL});
	if (is_name(r, i) && !is_kw(r, i, "USING") && i < end)
		a->name = tok_name(r, &r->t[i]);
}

static void alter_add(reader *r, size_t i, size_t end, size_t at,
                      const char *schema, const char *table)
{
	int col_kw = is_kw(r, i, "COLUMN");
	strata__act *a;

	if (col_kw)
		i++;
	if (!col_kw && (is_kw(r, i, "CONSTRAINT") || constraint_kind(r, i))) {
		/* MySQL ADD UNIQUE [INDEX|KEY] name (...) */
		add_constraint(r, i, end, at, schema, table);
		return;
	}
	if (!col_kw && (is_kw(r, i, "INDEX") || is_kw(r, i, "KEY") ||
	                is_kw(r, i, "FULLTEXT") || is_kw(r, i, "SPATIAL"))) {
		add_index(r, i, end, at, schema, table);
		return;
	}
	i = skip_kw(r, i, (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	if (is_punct(r, i, '(')) { /* MySQL ADD (c1 t1, c2 t2) */
		size_t e;

		for (i++; i < end; i = e + 1) {
			e = item_end(r, i, end);
			a = add(r, STRATA_ACT_ADD_COLUMN, i);
			set_table(a, schema, table);
			column_def(r, i, e, a);
		}
		return;
	}
	a = add(r, STRATA_ACT_ADD_COLUMN, at);
	set_table(a, schema, table);
	column_def(r, i, end, a);
}

static void alter_drop(reader *r, size_t i, size_t end, size_t at,
                       const char *schema, const char *table)
{
	static const char *const if_exists[] = {"IF", "EXISTS", NULL};
	strata__act *a;

	if (is_kw(r, i, "CONSTRAINT") || is_kw(r, i, "CHECK") ||
	    (is_kw(r, i, "FOREIGN") && is_kw(r, i + 1, "KEY"))) {
		i += is_kw(r, i, "FOREIGN") ? 2 : 1;
		i = skip_kw(r, i, if_exists);
		a = add(r, STRATA_ACT_DROP_CONSTRAINT, at);
		set_table(a, schema, table);
		if (is_name(r, i))
			a->name = tok_name(r, &r->t[i]);
		return;
	}
	if (is_kw(r, i, "PRIMARY") && is_kw(r, i + 1, "KEY")) {
		a = add(r, STRATA_ACT_DROP_CONSTRAINT, at);
		set_table(a, schema, table);
		a->detail = strata__strdup("primary key");
		return;
	}
	if (is_kw(r, i, "INDEX") || is_kw(r, i, "KEY")) {
		i = skip_kw(r, i + 1, if_exists);
		a = add(r, STRATA_ACT_DROP_INDEX, at);
		set_table(a, schema, table);
		if (is_name(r, i))
			a->name = tok_name(r, &r->t[i]);
		return;
	}
	if (is_kw(r, i, "DEFAULT") || is_kw(r, i, "PARTITION") ||
	    is_kw(r, i, "EXPRESSION") || is_kw(r, i, "IDENTITY")) {
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
		set_table(a, schema, table);
		return;
	}
	if (is_kw(r, i, "COLUMN"))
		i++;
	a = add(r, STRATA_ACT_DROP_COLUMN, at);
	set_table(a, schema, table);
	if (is_kw(r, i, "IF") && is_kw(r, i + 1, "EXISTS")) {
		a->flags |= STRATA_ACTF_IF_EXISTS;
		i += 2;
	}
	if (is_name(r, i) && i < end)
		a->column = tok_name(r, &r->t[i]);
}

/* ALTER [COLUMN] c TYPE t / SET DATA TYPE t / SET|DROP NOT NULL /
 * SET DEFAULT e. */
static void alter_column(reader *r, size_t i, size_t end, size_t at,
                         const char *schema, const char *table)
{
	strata__act *a;
	char *col;
	size_t j;

	if (is_kw(r, i, "COLUMN"))
		i++;
	if (!is_name(r, i) || is_kw(r, i, "CONSTRAINT") ||
	    is_kw(r, i, "INDEX")) {
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
		set_table(a, schema, table);
		return;
	}
	col = tok_name(r, &r->t[i]);
	i++;
	if (is_kw(r, i, "TYPE") ||
	    (is_kw(r, i, "SET") && is_kw(r, i + 1, "DATA") &&
	     is_kw(r, i + 2, "TYPE"))) {
		j = i + (is_kw(r, i, "TYPE") ? 1 : 3);
		a = add(r, STRATA_ACT_ALTER_TYPE, at);
		a->type = type_text(r, &j, end);
		if (find_kw(r, j, end, "USING"))
			a->flags |= STRATA_ACTF_USING;
	} else if (is_kw(r, i, "SET") && is_kw(r, i + 1, "NOT") &&
	           is_kw(r, i + 2, "NULL")) {
		a = add(r, STRATA_ACT_SET_NOT_NULL, at);
	} else if (is_kw(r, i, "DROP") && is_kw(r, i + 1, "NOT") &&
	           is_kw(r, i + 2, "NULL")) {
		a = add(r, STRATA_ACT_DROP_NOT_NULL, at);
	} else if (is_kw(r, i, "SET") && is_kw(r, i + 1, "DEFAULT")) {
		a = add(r, STRATA_ACT_SET_DEFAULT, at);
		a->flags |= STRATA_ACTF_DEFAULT;
		if (volatile_in(r, i + 2, end))
			a->flags |= STRATA_ACTF_VOLATILE_DEFAULT;
	} else {
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
	}
	set_table(a, schema, table);
	a->column = col;
}

/* MySQL MODIFY [COLUMN] c def / CHANGE [COLUMN] old new def. */
static void alter_modify(reader *r, size_t i, size_t end, size_t at,
                         const char *schema, const char *table, int change)
{
	strata__act *a;
	char *old = NULL;

	if (is_kw(r, i, "COLUMN"))
		i++;
	if (change && is_name(r, i) && is_name(r, i + 1)) {
		old = tok_name(r, &r->t[i]);
		i++;
	}
	a = add(r, STRATA_ACT_ALTER_TYPE, at);
	set_table(a, schema, table);
	column_def(r, i, end, a);
	/* The MODIFY says NOT NULL as written; a DEFAULT in it is not a
	 * new column's default. */
	a->flags &= STRATA_ACTF_NOT_NULL | STRATA_ACTF_GENERATED;
	if (old && a->column && strcasecmp(old, a->column)) {
		strata__act *rn;
		char *newname = a->column;

		a->column = strata__strdup(old);
		rn = add(r, STRATA_ACT_RENAME_COLUMN, at);
		set_table(rn, schema, table);
		rn->column = old;
		rn->name = strata__strdup(newname);
		free(newname);
		return;
	}
	if (old && a->column) {
		free(a->column);
		a->column = old;
		return;
	}
	free(old);
}

static void alter_rename(reader *r, size_t i, size_t end, size_t at,
                         const char *schema, const char *table)
{
	strata__act *a;

	if (is_kw(r, i, "TO") || is_kw(r, i, "AS") ||
	    (is_name(r, i) && i + 1 >= end && !is_kw(r, i, "COLUMN"))) {
		char *s2, *n2;

		i += is_kw(r, i, "TO") || is_kw(r, i, "AS");
		a = add(r, STRATA_ACT_RENAME_TABLE, at);
		set_table(a, schema, table);
		if (qname(r, &i, &s2, &n2))
			a->name = n2;
		free(s2);
		return;
	}
	if (is_kw(r, i, "INDEX") || is_kw(r, i, "KEY") ||
	    is_kw(r, i, "CONSTRAINT")) {
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
		set_table(a, schema, table);
		return;
	}
	if (is_kw(r, i, "COLUMN"))
		i++;
	a = add(r, STRATA_ACT_RENAME_COLUMN, at);
	set_table(a, schema, table);
	if (is_name(r, i))
		a->column = tok_name(r, &r->t[i]);
	if (is_kw(r, i + 1, "TO") && is_name(r, i + 2))
		a->name = tok_name(r, &r->t[i + 2]);
}

/* ALGORITHM [=] x / LOCK [=] y: online when MySQL is asked to refuse
 * rather than copy or block (INPLACE, INSTANT, LOCK=NONE). */
static int alter_option(reader *r, size_t i)
{
	size_t v = i + 1 + is_punct(r, i + 1, '=');

	if (is_kw(r, i, "ALGORITHM")) {
		if (is_kw(r, v, "INPLACE") || is_kw(r, v, "INSTANT") ||
		    is_kw(r, v, "NOCOPY"))
			r->all_flags |= STRATA_ACTF_ONLINE;
		return 1;
	}
	if (is_kw(r, i, "LOCK") && !is_kw(r, i + 1, "TABLES")) {
		if (is_kw(r, v, "NONE"))
			r->all_flags |= STRATA_ACTF_ONLINE;
		return 1;
	}
	return 0;
}

static void alter_clause(reader *r, size_t i, size_t end, const char *schema,
                         const char *table)
{
	size_t at = i;
	strata__act *a;

	if (is_kw(r, i, "ADD"))
		alter_add(r, i + 1, end, at, schema, table);
	else if (is_kw(r, i, "DROP"))
		alter_drop(r, i + 1, end, at, schema, table);
	else if (is_kw(r, i, "ALTER"))
		alter_column(r, i + 1, end, at, schema, table);
	else if (is_kw(r, i, "MODIFY"))
		alter_modify(r, i + 1, end, at, schema, table, 0);
	else if (is_kw(r, i, "CHANGE"))
		alter_modify(r, i + 1, end, at, schema, table, 1);
	else if (is_kw(r, i, "RENAME"))
		alter_rename(r, i + 1, end, at, schema, table);
	else if (is_kw(r, i, "VALIDATE") && is_kw(r, i + 1, "CONSTRAINT")) {
		a = add(r, STRATA_ACT_VALIDATE_CONSTRAINT, at);
		set_table(a, schema, table);
		if (is_name(r, i + 2))
			a->name = tok_name(r, &r->t[i + 2]);
	} else if (!alter_option(r, i)) {
		a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, at);
		set_table(a, schema, table);
	}
}

static void read_alter(reader *r, size_t i)
{
	static const char *const pre[] = {"ONLINE", "IGNORE", NULL};
	static const char *const mid[] = {"IF", "EXISTS", "ONLY", NULL};
	char *schema, *table;
	size_t e;

	i = skip_kw(r, i, pre);
	if (!is_kw(r, i, "TABLE")) {
		add(r, STRATA_ACT_OTHER, 0);
		return;
	}
	i = skip_kw(r, i + 1, mid);
	if (!qname(r, &i, &schema, &table)) {
		add(r, STRATA_ACT_OTHER, 0);
		return;
	}
	if (is_punct(r, i, '*'))
		i++;
	for (; i < r->n; i = e + 1) {
		e = item_end(r, i, r->n);
		if (e > i)
			alter_clause(r, i, e, schema, table);
	}
	if (!r->nacts) {
		strata__act *a = add(r, STRATA_ACT_ALTER_TABLE_OTHER, 0);
		set_table(a, schema, table);
	}
	free(schema);
	free(table);
}

/* Past the keywords in skip, the [schema.]table the statement acts on:
 * an action of kind on it, or, with no name there, one STRATA_ACT_OTHER
 * and NULL. */
static strata__act *named_action(reader *r, size_t *i, const char *const *skip,
                                 int kind)
{
	strata__act *a;
	char *schema, *table;

	*i = skip_kw(r, *i, skip);
	if (!qname(r, i, &schema, &table)) {
		add(r, STRATA_ACT_OTHER, 0);
		return NULL;
	}
	a = add(r, kind, 0);
	a->schema = schema;
	a->table = table;
	return a;
}

static void read_create_table(reader *r, size_t i, unsigned flags)
{
	static const char *const ine[] = {"IF", "NOT", "EXISTS", NULL};
	strata__act *a = named_action(r, &i, ine, STRATA_ACT_CREATE_TABLE);

	if (a)
		a->flags = flags;
}

static void read_create_index(reader *r, size_t i, unsigned flags,
                              const char *detail)
{
	static const char *const ine[] = {"IF", "NOT", "EXISTS", NULL};
	strata__act *a = add(r, STRATA_ACT_CREATE_INDEX, 0);
	char *s = NULL, *n = NULL;

	a->flags = flags;
	a->detail = detail ? strata__strdup(detail) : NULL;
	if (is_kw(r, i, "CONCURRENTLY")) {
		a->flags |= STRATA_ACTF_CONCURRENTLY;
		i++;
	}
	i = skip_kw(r, i, ine);
	if (!is_kw(r, i, "ON") && qname(r, &i, &s, &n)) {
		free(s);
		a->name = n;
	}
	if (!is_kw(r, i, "ON"))
		return;
	i = skip_kw(r, i + 1, (const char *const[]){"ONLY", NULL});
	qname(r, &i, &a->schema, &a->table);
	for (; i < r->n; i++)
		alter_option(r, i);
}

static void read_create(reader *r, size_t i)
{
	static const char *const pre[] = {"OR",    "REPLACE",  "GLOBAL",
	                                  "LOCAL", "UNLOGGED", NULL};
	unsigned flags = 0;
	const char *detail = NULL;

	i = skip_kw(r, i, pre);
	if (is_kw(r, i, "TEMP") || is_kw(r, i, "TEMPORARY")) {
		flags |= STRATA_ACTF_TEMPORARY;
		i++;
	}
	if (is_kw(r, i, "TABLE")) {
		read_create_table(r, i + 1, flags);
		return;
	}
	if (is_kw(r, i, "UNIQUE")) {
		flags |= STRATA_ACTF_UNIQUE;
		i++;
	} else if (is_kw(r, i, "FULLTEXT") || is_kw(r, i, "SPATIAL")) {
		detail = is_kw(r, i, "FULLTEXT") ? "fulltext" : "spatial";
		i++;
	}
	if (is_kw(r, i, "INDEX")) {
		read_create_index(r, i + 1, flags, detail);
		return;
	}
	add(r, STRATA_ACT_OTHER, 0);
}

static void read_drop(reader *r, size_t i)
{
	static const char *const ie[] = {"IF", "EXISTS", NULL};
	unsigned flags = 0;
	int kind;
	size_t e;

	if (is_kw(r, i, "TEMPORARY")) {
		flags |= STRATA_ACTF_TEMPORARY;
		i++;
	}
	if (is_kw(r, i, "TABLE"))
		kind = STRATA_ACT_DROP_TABLE;
	else if (is_kw(r, i, "INDEX"))
		kind = STRATA_ACT_DROP_INDEX;
	else if (is_kw(r, i, "SCHEMA") || is_kw(r, i, "DATABASE"))
		kind = STRATA_ACT_DROP_SCHEMA;
	else {
		add(r, STRATA_ACT_OTHER, 0);
		return;
	}
	i++;
	if (kind == STRATA_ACT_DROP_INDEX && is_kw(r, i, "CONCURRENTLY")) {
		flags |= STRATA_ACTF_CONCURRENTLY;
		i++;
	}
	if (is_kw(r, i, "IF") && is_kw(r, i + 1, "EXISTS"))
		flags |= STRATA_ACTF_IF_EXISTS;
	i = skip_kw(r, i, ie);
	for (; i < r->n; i = e + 1) {
		strata__act *a;
		char *s, *n;
		size_t j = i;

		e = item_end(r, i, r->n);
		if (!qname(r, &j, &s, &n))
			break;
		a = add(r, kind, i);
		a->flags = flags;
		if (kind == STRATA_ACT_DROP_TABLE) {
			a->schema = s;
			a->table = n;
		} else {
			free(s);
			a->name = n;
		}
		/* MySQL DROP INDEX name ON table */
		if (kind == STRATA_ACT_DROP_INDEX && is_kw(r, j, "ON")) {
			j++;
			qname(r, &j, &a->schema, &a->table);
		}
	}
	if (!r->nacts)
		add(r, STRATA_ACT_OTHER, 0);
}

static void read_truncate(reader *r, size_t i)
{
	static const char *const pre[] = {"TABLE", "ONLY", NULL};
	size_t e;

	i = skip_kw(r, i, pre);
	for (; i < r->n; i = e + 1) {
		strata__act *a;
		char *s, *n;
		size_t j = i;

		e = item_end(r, i, r->n);
		if (!qname(r, &j, &s, &n))
			break;
		a = add(r, STRATA_ACT_TRUNCATE, i);
		a->schema = s;
		a->table = n;
		if (is_kw(r, j, "RESTART") || is_kw(r, j, "CASCADE"))
			break;
	}
	if (!r->nacts)
		add(r, STRATA_ACT_OTHER, 0);
}

/* DELETE FROM t [WHERE] / UPDATE t SET ... [WHERE]. */
static void read_dml(reader *r, size_t i, int kind)
{
	static const char *const pre[] = {"LOW_PRIORITY", "QUICK", "IGNORE",
	                                  "FROM",         "ONLY",  NULL};
	strata__act *a = named_action(r, &i, pre, kind);

	if (a && find_kw(r, i, r->n, "WHERE"))
		a->flags |= STRATA_ACTF_WHERE;
}

/* MySQL RENAME TABLE a TO b [, c TO d]. */
static void read_rename(reader *r, size_t i)
{
	size_t e;

	if (!is_kw(r, i, "TABLE") && !is_kw(r, i, "TABLES")) {
		add(r, STRATA_ACT_OTHER, 0);
		return;
	}
	for (i++; i < r->n; i = e + 1) {
		strata__act *a;
		char *s, *n;
		size_t j = i;

		e = item_end(r, i, r->n);
		if (!qname(r, &j, &s, &n))
			break;
		a = add(r, STRATA_ACT_RENAME_TABLE, i);
		a->schema = s;
		a->table = n;
		if (is_kw(r, j, "TO")) {
			j++;
			if (qname(r, &j, &s, &n)) {
				free(s);
				a->name = n;
			}
		}
	}
	if (!r->nacts)
		add(r, STRATA_ACT_OTHER, 0);
}

/* SET [SESSION|LOCAL|GLOBAL] [@@session.]name {=|TO} value. */
static void read_set(reader *r, size_t i)
{
	static const char *const pre[] = {"SESSION", "LOCAL", NULL};
	strata__act *a;
	size_t v;

	i = skip_kw(r, i, pre);
	/* @@session.lock_wait_timeout, @@lock_wait_timeout */
	while (is_punct(r, i, '@'))
		i++;
	if (is_kw(r, i, "SESSION") && is_punct(r, i + 1, '.'))
		i += 2;
	if (!is_kw(r, i, "lock_timeout") && !is_kw(r, i, "lock_wait_timeout") &&
	    !is_kw(r, i, "innodb_lock_wait_timeout")) {
		add(r, STRATA_ACT_OTHER, 0);
		return;
	}
	a = add(r, STRATA_ACT_SET_LOCK_TIMEOUT, 0);
	a->name = strata__strndup(r->t[i].p, r->t[i].n);
	v = i + 1 + (is_punct(r, i + 1, '=') || is_kw(r, i + 1, "TO"));
	if (v < r->n)
		a->detail = strata__strndup(r->t[v].p, r->t[v].n);
}

static void read_stmt(reader *r)
{
	size_t i = 0;

	if (is_kw(r, 0, "ALTER"))
		read_alter(r, 1);
	else if (is_kw(r, 0, "CREATE"))
		read_create(r, 1);
	else if (is_kw(r, 0, "DROP"))
		read_drop(r, 1);
	else if (is_kw(r, 0, "TRUNCATE"))
		read_truncate(r, 1);
	else if (is_kw(r, 0, "DELETE"))
		read_dml(r, 1, STRATA_ACT_DELETE);
	else if (is_kw(r, 0, "UPDATE"))
		read_dml(r, 1, STRATA_ACT_UPDATE);
	else if (is_kw(r, 0, "RENAME"))
		read_rename(r, 1);
	else if (is_kw(r, 0, "SET"))
		read_set(r, 1);
	else
		add(r, STRATA_ACT_OTHER, i);
}

void strata__act_free(strata__act *a)
{
	free(a->schema);
	free(a->table);
	free(a->column);
	free(a->name);
	free(a->type);
	free(a->detail);
	memset(a, 0, sizeof(*a));
}

static void reader_free(reader *r)
{
	size_t i;

	for (i = 0; i < r->nacts; i++)
		strata__act_free(&r->acts[i]);
	free(r->acts);
}

int strata__lint_scan(const strata__scan_dialect *d, const char *stmt,
                      size_t len, strata_action_fn fn, void *ctx)
{
	lexer lx;
	reader r;
	size_t i;
	int rc = 0;

	lex(&lx, d, stmt, len);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.t = lx.v;
	r.n = lx.n;
	read_stmt(&r);
	for (i = 0; rc == 0 && i < r.nacts; i++) {
		strata__act *x = &r.acts[i];
		strata_action a;

		memset(&a, 0, sizeof(a));
		a.struct_size = sizeof(a);
		a.kind = x->kind;
		a.flags = x->flags | r.all_flags;
		a.schema = x->schema;
		a.table = x->table;
		a.column = x->column;
		a.name = x->name;
		a.type = x->type;
		a.detail = x->detail;
		a.line = x->line;
		rc = fn(ctx, &a);
	}
	reader_free(&r);
	free(lx.v);
	return rc;
}

void strata__lint_columns(const strata__scan_dialect *d, const char *stmt,
                          size_t len, strata__col_fn fn, void *ctx)
{
	lexer lx;
	reader r;
	size_t i = 1, e;
	char *schema = NULL, *table = NULL;

	lex(&lx, d, stmt, len);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.t = lx.v;
	r.n = lx.n;
	if (!is_kw(&r, 0, "CREATE"))
		goto out;
	i = skip_kw(&r, i,
	            (const char *const[]){"OR", "REPLACE", "GLOBAL", "LOCAL",
	                                  "UNLOGGED", "TEMP", "TEMPORARY",
	                                  NULL});
	if (!is_kw(&r, i, "TABLE"))
		goto out;
	i = skip_kw(&r, i + 1,
	            (const char *const[]){"IF", "NOT", "EXISTS", NULL});
	if (!qname(&r, &i, &schema, &table) || !is_punct(&r, i, '('))
		goto out;
	for (i++; i < r.n; i = e + 1) {
		strata__act a;

		e = item_end(&r, i, r.n);
		if (constraint_kind(&r, i) || is_kw(&r, i, "CONSTRAINT") ||
		    is_kw(&r, i, "INDEX") || is_kw(&r, i, "KEY") ||
		    is_kw(&r, i, "FULLTEXT") || is_kw(&r, i, "SPATIAL") ||
		    is_kw(&r, i, "LIKE"))
			continue;
		memset(&a, 0, sizeof(a));
		column_def(&r, i, e, &a);
		if (a.column && a.type)
			fn(ctx, table, a.column, a.type);
		strata__act_free(&a);
		if (e < r.n && is_punct(&r, e, ')'))
			break;
	}
out:
	free(schema);
	free(table);
	free(lx.v);
}

void strata__lint_names(const strata__scan_dialect *d, const char *sql,
                        size_t len, strata__name_fn fn, void *ctx,
                        int *defines_views)
{
	lexer lx;
	reader r;
	size_t i;

	lex(&lx, d, sql, len);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.t = lx.v;
	r.n = lx.n;
	for (i = 0; i < r.n; i++) {
		if (!is_name(&r, i))
			continue;
		if (is_kw(&r, i, "VIEW") || is_kw(&r, i, "TRIGGER"))
			*defines_views = 1;
		if (r.t[i].type == T_WORD) {
			fn(ctx, r.t[i].p, r.t[i].n);
		} else {
			char *n = tok_name(&r, &r.t[i]);

			fn(ctx, n, strlen(n));
			free(n);
		}
	}
	free(lx.v);
}

/* ---- what MySQL and MariaDB reject ---- */

/* PostgreSQL types no MySQL or MariaDB release knows, with the message. */
static const char *const pg_only_types[][2] = {
        {"jsonb", "MySQL and MariaDB have no type JSONB (use JSON)"},
        {"timestamptz", "MySQL and MariaDB have no type TIMESTAMPTZ"},
        {"bytea", "MySQL and MariaDB have no type BYTEA (use BLOB)"},
        {"bigserial", "MySQL and MariaDB have no type BIGSERIAL"},
        {"smallserial", "MySQL and MariaDB have no type SMALLSERIAL"},
        {"tsvector", "MySQL and MariaDB have no type TSVECTOR"},
        {"citext", "MySQL and MariaDB have no type CITEXT"},
        {"timetz", "MySQL and MariaDB have no type TIMETZ"},
        {"cidr", "MySQL and MariaDB have no type CIDR"},
        {"macaddr", "MySQL and MariaDB have no type MACADDR"},
        {"hstore", "MySQL and MariaDB have no type HSTORE"},
        {NULL, NULL}};

/* A PostgreSQL-only type name used as a column's type (after a column
 * name or TYPE), not a name itself. */
static const char *pg_type_at(const reader *r, size_t i)
{
	size_t k;

	if (i == 0 || r->t[i - 1].type == T_PUNCT ||
	    is_kw(r, i - 1, "COLUMN") || is_kw(r, i - 1, "TABLE") ||
	    is_kw(r, i - 1, "EXISTS") || is_kw(r, i - 1, "DROP") ||
	    is_kw(r, i - 1, "ALTER") || is_kw(r, i - 1, "INDEX") ||
	    is_kw(r, i - 1, "ON"))
		return NULL;
	for (k = 0; pg_only_types[k][0]; k++)
		if (is_kw(r, i, pg_only_types[k][0]))
			return pg_only_types[k][1];
	return NULL;
}

/* $$ or $tag$, as the MySQL tokenizer sees it: '$' then '$' or a word
 * ending in '$', adjacent. */
static int dollar_quote_at(const reader *r, size_t i)
{
	const tok *t = &r->t[i], *u;

	if (!is_punct(r, i, '$') || i + 1 >= r->n)
		return 0;
	u = &r->t[i + 1];
	if (u->p != t->p + 1)
		return 0;
	return is_punct(r, i + 1, '$') ||
	       (u->type == T_WORD && u->p[u->n - 1] == '$');
}

static const char *mysql_alter_rejects(const reader *r, int *line)
{
	size_t i;

	for (i = 2; i + 2 < r->n; i++) {
		size_t c = i + 1 + is_kw(r, i + 1, "COLUMN");

		if (!is_kw(r, i, "ALTER") || !is_name(r, c))
			continue;
		*line = r->t[i].line;
		if (is_kw(r, c + 1, "TYPE") ||
		    (is_kw(r, c + 1, "SET") && is_kw(r, c + 2, "DATA")))
			return "MySQL has no ALTER COLUMN ... TYPE; it changes "
			       "a "
			       "column's type with MODIFY COLUMN";
		if ((is_kw(r, c + 1, "SET") || is_kw(r, c + 1, "DROP")) &&
		    is_kw(r, c + 2, "NOT"))
			return "MySQL has no ALTER COLUMN ... SET/DROP NOT "
			       "NULL; "
			       "it redefines the column with MODIFY COLUMN";
	}
	for (i = 2; i + 1 < r->n; i++) {
		if ((is_kw(r, i, "NOT") && is_kw(r, i + 1, "VALID")) ||
		    (is_kw(r, i, "VALIDATE") &&
		     is_kw(r, i + 1, "CONSTRAINT"))) {
			*line = r->t[i].line;
			return "MySQL has no NOT VALID constraints nor "
			       "VALIDATE "
			       "CONSTRAINT";
		}
	}
	return NULL;
}

const char *strata__lint_mysql_rejects(const strata__scan_dialect *d,
                                       const char *stmt, size_t len, int *line)
{
	const char *res = NULL;
	lexer lx;
	reader r;
	size_t i;

	lex(&lx, d, stmt, len);
	memset(&r, 0, sizeof(r));
	r.d = d;
	r.t = lx.v;
	r.n = lx.n;
	*line = 1;
	if (is_kw(&r, 0, "ALTER") && is_kw(&r, 1, "TABLE"))
		res = mysql_alter_rejects(&r, line);
	for (i = 0; !res && i < r.n; i++) {
		const tok *t = &r.t[i];

		*line = t->line;
		if (is_kw(&r, i, "INDEX") && is_kw(&r, i + 1, "CONCURRENTLY"))
			res = "MySQL has no CREATE/DROP INDEX CONCURRENTLY "
			      "(its "
			      "online DDL is ALGORITHM=INPLACE, LOCK=NONE)";
		else if (t->type == T_PUNCT && t->n == 2)
			res = "MySQL has no '::' cast; write CAST(x AS type)";
		else if (dollar_quote_at(&r, i))
			res = "MySQL has no $$-quoted bodies";
		else if (t->type == T_WORD)
			res = pg_type_at(&r, i);
	}
	free(lx.v);
	return res;
}
