/* Errors with context: file, line, and the database's own words. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

void strata_error_clear(strata_error *err)
{
	if (!err)
		return;
	free(err->file);
	free(err->message);
	free(err->db_message);
	memset(err, 0, sizeof(*err));
}

void strata__error_move(strata_error *to, strata_error *from)
{
	if (to) {
		strata_error_clear(to);
		*to = *from;
	} else {
		strata_error_clear(from);
	}
	memset(from, 0, sizeof(*from));
}

static int set(strata_error *err, int code, const char *file, int line,
               const char *fmt, va_list ap)
{
	va_list cp;
	int n;

	if (!err)
		return code;
	strata_error_clear(err);
	va_copy(cp, ap);
	n = vsnprintf(NULL, 0, fmt, cp);
	va_end(cp);
	err->message = strata__malloc(n > 0 ? (size_t)n + 1 : 1);
	err->message[0] = '\0';
	if (n > 0)
		vsnprintf(err->message, (size_t)n + 1, fmt, ap);
	err->code = code;
	err->file = strata__strdup(file);
	err->line = line;
	return code;
}

int strata__err(strata_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(err, code, NULL, 0, fmt, ap);
	va_end(ap);
	return code;
}

int strata__err_at(strata_error *err, int code, const char *file, int line,
                   const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set(err, code, file, line, fmt, ap);
	va_end(ap);
	return code;
}

void strata__err_db(strata_error *err, const strata_dberr *de)
{
	if (!err || !de)
		return;
	free(err->db_message);
	err->db_message = strata__strdup(de->message);
	snprintf(err->sqlstate, sizeof(err->sqlstate), "%s", de->sqlstate);
	err->db_code = de->code;
}

/* Database messages may span lines; the report is one line. */
static void put_oneline(strata__buf *b, const char *s)
{
	for (; *s; s++) {
		if (*s == '\n' || *s == '\r') {
			if (s[1] && s[1] != '\n' && s[1] != '\r')
				strata__buf_puts(b, "; ");
		} else if ((unsigned char)*s < 0x20 && *s != '\t') {
			/* e.g. an escape sequence in a folder name */
			strata__buf_printf(b, "\\x%02x", (unsigned char)*s);
		} else if (*s == 0x7f) {
			strata__buf_puts(b, "\\x7f");
		} else {
			strata__buf_putc(b, *s);
		}
	}
}

static void put_body(strata__buf *b, const strata_error *err)
{
	if (!err) { /* the caller passed no error to fill */
		strata__buf_puts(b, "unknown error");
		return;
	}
	put_oneline(b, err->message ? err->message : "unknown error");
	if (err->db_message && *err->db_message) {
		strata__buf_puts(b, ": ");
		put_oneline(b, err->db_message);
	}
	if (err->sqlstate[0])
		strata__buf_printf(b, " (SQLSTATE %s)", err->sqlstate);
	else if (err->db_code)
		strata__buf_printf(b, " (error %d)", err->db_code);
}

char *strata__error_body(const strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;

	put_body(&b, err);
	return strata__buf_detach(&b);
}

char *strata_error_format(const strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	char *file = err->file ? strata__printable(err->file) : NULL;

	if (file && err->line > 0)
		strata__buf_printf(&b, "%s:%d: error: ", file, err->line);
	else if (file)
		strata__buf_printf(&b, "%s: error: ", file);
	else
		strata__buf_puts(&b, "strata: error: ");
	free(file);
	put_body(&b, err);
	return strata__buf_detach(&b);
}
