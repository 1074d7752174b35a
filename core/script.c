/*
 * One migration file: its bytes (checksummed), its "-- strata:" directives
 * and its statements.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

/* Returns the directive text after "-- strata:" on this line, or NULL. */
static const char *directive(const char *line, const char *end)
{
	const char *p = strata__sql_comment(line, end);

	if (!p || end - p < 7 || strncmp(p, "strata:", 7) != 0)
		return NULL;
	return p + 7;
}

static void add_allow(strata__script *s, const char *w, size_t n)
{
	s->allow = strata__realloc(s->allow, (s->nallow + 1) * sizeof(char *));
	s->allow[s->nallow++] = strata__strndup(w, n);
}

static int apply_directive(strata__script *s, const char *d, const char *end,
                           int line, strata_error *err)
{
	size_t n = 0;

	while (d + n < end && !isspace((unsigned char)d[n]))
		n++;
	if (n == 14 && !strncmp(d, "no-transaction", 14)) {
		s->no_transaction = 1;
		return STRATA_OK;
	}
	if (n == 5 && !strncmp(d, "empty", 5)) {
		s->empty = line;
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
	                      "no-transaction, empty, allow)",
	                      (int)n, d);
}

/* Directives count only in the leading comment block, where a reader looks
 * for them; one further down is a mistake worth stopping for. */
static int parse_directives(strata__script *s, const char *text, size_t len,
                            strata_error *err)
{
	const char *p = text, *end = text + len;
	int line = 1, header = 1, rc;

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
		if (d && (rc = apply_directive(s, d, eol, line, err)) != 0)
			return rc;
		if (q < eol && !(eol - q >= 2 && q[0] == '-' && q[1] == '-'))
			header = 0;
		p = eol + 1;
		line++;
	}
	return STRATA_OK;
}

/* Editors on Windows add a UTF-8 byte order mark; it is not SQL (servers
 * reject it) and would hide a directive on the first line. */
static size_t bom_len(const char *text, size_t len)
{
	return len >= 3 && !memcmp(text, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

/* Checksums ignore a BOM and CRLF line endings (git autocrlf), so that a
 * checkout on another system is not an edit; an LF file without a BOM
 * hashes exactly its bytes, as it always did. */
static void checksum_text(char out[STRATA__SHA256_HEX], const char *text,
                          size_t len)
{
	size_t skip = bom_len(text, len), i, n = 0;
	char *norm = strata__malloc(len + 1);

	for (i = skip; i < len; i++)
		if (text[i] != '\r' || i + 1 >= len || text[i + 1] != '\n')
			norm[n++] = text[i];
	strata__sha256_hex(out, norm, n);
	free(norm);
}

/* A dbmate or goose file's checksum is its up section's: an edit to its
 * down section is no edit to what ran. Others: the whole file. */
static void view_checksum(char out[STRATA__SHA256_HEX], const strata__view *v,
                          const char *text, size_t len)
{
	char *body;

	if (!v->whole) {
		checksum_text(out, text, len);
		return;
	}
	body = strata__view_body(v, text + bom_len(text, len),
	                         len - bom_len(text, len));
	checksum_text(out, body, strlen(body));
	free(body);
}

/* The same for a file read on its own (its up part, when it has parts). */
static void file_checksum(char out[STRATA__SHA256_HEX], const char *path,
                          const char *text, size_t len)
{
	size_t skip = bom_len(text, len);
	strata__view v;
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (strata__layout_view(&v, path, text + skip, len - skip, 0, &e))
		strata__view_free(&v); /* checksummed whole; loading says why */
	view_checksum(out, &v, text, len);
	strata__view_free(&v);
	strata_error_clear(&e);
}

/* A file without statements is a template nobody filled in, unless it
 * says it is meant to do nothing. */
static int check_empty(const strata__script *s, strata_error *err)
{
	if (s->stmts.count == 0 && !s->empty)
		return strata__err_at(
		        err, STRATA_EUSAGE, s->path, 1,
		        "no SQL statement in this file; write the migration, "
		        "or put '-- strata:empty' in its leading comments to "
		        "record an intentional no-op");
	if (s->stmts.count > 0 && s->empty)
		return strata__err_at(err, STRATA_EUSAGE, s->path, s->empty,
		                      "'-- strata:empty' in a file that has "
		                      "statements: remove one or the other");
	return STRATA_OK;
}

int strata__script_load(strata__script *s, const char *path, unsigned flags,
                        strata_error *err)
{
	return strata__script_load_drv(s, path, NULL, flags, err);
}

int strata__script_load_drv(strata__script *s, const char *path,
                            const strata_driver *drv, unsigned flags,
                            strata_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	rc = strata__read_file(&text, &len, path, err);
	if (rc) {
		memset(s, 0, sizeof(*s));
		s->path = strata__strdup(path);
		return rc;
	}
	rc = strata__script_load_text(s, path, text, len, drv, flags, err);
	free(text);
	return rc;
}

static const char *tx_control(const char *sql);

/* goose's StatementBegin ... StatementEnd: each block one statement, in
 * its place among the others (by line). */
static void insert_block(strata__script *s, const strata__view_block *b)
{
	size_t i;

	s->stmts.items = strata__realloc(
	        s->stmts.items, (s->stmts.count + 1) * sizeof(*s->stmts.items));
	for (i = s->stmts.count; i > 0 && s->stmts.items[i - 1].line > b->line;
	     i--)
		s->stmts.items[i] = s->stmts.items[i - 1];
	s->stmts.items[i].sql = strata__strdup(b->sql);
	s->stmts.items[i].line = b->line;
	s->stmts.count++;
}

static int has_tx_control(const strata__script *s)
{
	size_t i;

	for (i = 0; i < s->stmts.count; i++)
		if (tx_control(s->stmts.items[i].sql))
			return 1;
	return 0;
}

/* Another tool's file: its section, transaction and blocks. */
static int apply_view(strata__script *s, const strata__view *v, int down,
                      strata_error *err)
{
	size_t i;

	for (i = 0; i < v->nblocks; i++)
		insert_block(s, &v->blocks[i]);
	/* golang-migrate runs a file as it is: one that commits is its own
	 * transaction's master. */
	if (v->no_tx > 0 || (v->no_tx < 0 && has_tx_control(s)))
		s->no_transaction = 1;
	if (v->text && !s->stmts.count && !s->empty)
		return strata__err_at(err, STRATA_EUSAGE, s->path, 0,
		                      "the %s section has no statement%s",
		                      down ? "down" : "up",
		                      down ? ": this migration cannot be "
		                             "reverted"
		                           : "");
	return STRATA_OK;
}

int strata__script_load_text(strata__script *s, const char *path,
                             const char *text, size_t len,
                             const strata_driver *drv, unsigned flags,
                             strata_error *err)
{
	int down = (flags & STRATA__LOAD_DOWN) != 0, rc = STRATA_OK;
	strata__view v;
	const char *sql;
	size_t skip;

	memset(s, 0, sizeof(*s));
	memset(&v, 0, sizeof(v));
	flags &= ~STRATA__LOAD_DOWN;
	s->path = strata__strdup(path);
	/* An up part's view is the one to checksum; a down part's is not. */
	if (down)
		file_checksum(s->checksum, path, text, len);
	skip = bom_len(text, len);
	sql = text + skip;
	len -= skip;
	if (memchr(sql, '\0', len))
		rc = strata__err_at(err, STRATA_EUSAGE, path, 0,
		                    "file contains a NUL byte; not SQL text");
	if (!rc)
		rc = strata__layout_view(&v, path, sql, len, down, err);
	if (!down)
		view_checksum(s->checksum, &v, text, len + skip);
	if (!rc && v.text) {
		sql = v.text;
		len = v.len;
	}
	if (!rc)
		rc = parse_directives(s, sql, len, err);
	if (!rc)
		rc = strata__drv_split(drv, &s->stmts, sql, len, flags, path,
		                       err);
	if (!rc)
		rc = apply_view(s, &v, down, err);
	if (!rc && !v.text)
		rc = check_empty(s, err);
	strata__view_free(&v);
	return rc;
}

/* Skips blanks and comments before a statement's next word. */
static const char *skip_blank(const char *p)
{
	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (p[0] == '-' && p[1] == '-') {
			p += strcspn(p, "\n");
		} else if (p[0] == '/' && p[1] == '*') {
			const char *e = strstr(p + 2, "*/");
			p = e ? e + 2 : p + strlen(p);
		} else {
			return p;
		}
	}
}

/* The next word of a statement: its start in *w, its length returned. */
static size_t next_word(const char **p, const char **w)
{
	size_t n = 0;

	*w = skip_blank(*p);
	while (isalpha((unsigned char)(*w)[n]) || (*w)[n] == '_')
		n++;
	*p = *w + n;
	return n;
}

static int kw(const char *w, size_t n, const char *k)
{
	return strlen(k) == n && !strncasecmp(w, k, n);
}

/* The transaction control a statement starts with, or NULL. ROLLBACK TO
 * (a savepoint), SAVEPOINT and RELEASE stay inside the transaction. */
static const char *tx_control(const char *sql)
{
	const char *p = sql, *w;
	size_t n = next_word(&p, &w);

	if (kw(w, n, "COMMIT"))
		return "COMMIT";
	if (kw(w, n, "END")) /* PostgreSQL's and SQLite's COMMIT */
		return "END";
	if (kw(w, n, "BEGIN"))
		return "BEGIN";
	if (kw(w, n, "ABORT")) /* PostgreSQL's ROLLBACK */
		return "ABORT";
	if (kw(w, n, "START") || kw(w, n, "PREPARE")) {
		const char *first = kw(w, n, "START") ? "START TRANSACTION"
		                                      : "PREPARE TRANSACTION";
		n = next_word(&p, &w);
		return kw(w, n, "TRANSACTION") ? first : NULL;
	}
	if (!kw(w, n, "ROLLBACK"))
		return NULL;
	n = next_word(&p, &w);
	if (kw(w, n, "WORK") || kw(w, n, "TRANSACTION"))
		n = next_word(&p, &w);
	return kw(w, n, "TO") ? NULL : "ROLLBACK";
}

int strata__script_check_tx(const strata__script *s, strata_error *err)
{
	size_t i;

	for (i = 0; i < s->stmts.count; i++) {
		const char *what = tx_control(s->stmts.items[i].sql);

		if (what)
			return strata__err_at(
			        err, STRATA_EUSAGE, s->path,
			        s->stmts.items[i].line,
			        "%s inside a migration that strata runs in a "
			        "transaction would end that transaction early "
			        "(what follows could not be rolled back); "
			        "remove it, or put '-- strata:no-transaction' "
			        "in the file's leading comments",
			        what);
	}
	return STRATA_OK;
}
void strata__script_free(strata__script *s)
{
	size_t i;

	for (i = 0; i < s->nallow; i++)
		free(s->allow[i]);
	free(s->allow);
	free(s->path);
	strata__stmts_free(&s->stmts);
	memset(s, 0, sizeof(*s));
}

int strata__checksums_for(char out[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX], const char *path,
                          strata_error *err)
{
	char *text = NULL;
	size_t len = 0;
	int rc;

	if (!path) {
		strata__sha256_hex(out, "", 0);
		if (raw)
			strata__sha256_hex(raw, "", 0);
		return STRATA_OK;
	}
	rc = strata__read_file(&text, &len, path, err);
	if (rc)
		return rc;
	file_checksum(out, path, text, len);
	if (raw)
		strata__sha256_hex(raw, text, len);
	free(text);
	return STRATA_OK;
}

int strata__checksum_for(char out[STRATA__SHA256_HEX], const char *path,
                         strata_error *err)
{
	return strata__checksums_for(out, NULL, path, err);
}
