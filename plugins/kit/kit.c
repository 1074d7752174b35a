/* The driver kit: errors, URL parameters, lock polling, string buffers. */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "kit.h"

/* ---- errors ---------------------------------------------------------- */

#define ELLIPSIS "..."

/* The core prints a driver's message as one line of its own. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r' || *s == '\t')
			*s = ' ';
}

/* Append n bytes; a cut message ends in "...". */
static void msg_put(strata_dberr *e, const char *s, size_t n)
{
	size_t cap = sizeof(e->message);
	size_t len = strnlen(e->message, cap - 1);
	size_t room = cap - 1 - len;

	if (n <= room) {
		memcpy(e->message + len, s, n);
		e->message[len + n] = '\0';
	} else {
		memcpy(e->message + len, s, room);
		memcpy(e->message + cap - sizeof(ELLIPSIS), ELLIPSIS,
		       sizeof(ELLIPSIS));
	}
	one_line(e->message + len);
}

/*
 * Formats into a buffer of its own first: the arguments may point into
 * e->message itself ("...: %s", e->message).
 */
static void msg_vadd(strata_dberr *e, int replace, const char *fmt, va_list ap)
{
	char tmp[sizeof(e->message) + 1]; /* one more: detects a cut */
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);

	if (replace)
		e->message[0] = '\0';
	/* A cut tmp is longer than any room left, so msg_put marks it. */
	if (n > 0)
		msg_put(e, tmp,
		        (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

int strata__kit_verr(strata_dberr *e, const char *sqlstate, int code,
                     const char *fmt, va_list ap)
{
	snprintf(e->sqlstate, sizeof(e->sqlstate), "%.5s",
	         sqlstate ? sqlstate : "");
	e->code = code;
	msg_vadd(e, 1, fmt, ap);
	return STRATA_DRV_ERROR;
}

int strata__kit_err(strata_dberr *e, const char *sqlstate, int code,
                    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strata__kit_verr(e, sqlstate, code, fmt, ap);
	va_end(ap);
	return STRATA_DRV_ERROR;
}

int strata__kit_fail(strata_dberr *e, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strata__kit_verr(e, NULL, 0, fmt, ap);
	va_end(ap);
	return rc;
}

int strata__kit_nomem(strata_dberr *e)
{
	return strata__kit_fail(e, STRATA_DRV_NOMEM, "out of memory");
}

int strata__kit_unarmed(size_t n, size_t *failed, strata_dberr *e)
{
	*failed = n;
	return strata__kit_fail(e, STRATA_DRV_ERROR,
	                        "batch: no lock check armed (lock_guard) on "
	                        "this session");
}

int strata__kit_config(strata_dberr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strata__kit_verr(e, NULL, 0, fmt, ap);
	va_end(ap);
	return STRATA_DRV_CONFIG;
}

void strata__kit_err_add(strata_dberr *e, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg_vadd(e, 0, fmt, ap);
	va_end(ap);
}

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

void strata__kit_err_add_lines(strata_dberr *e, const char *s)
{
	int first = 1;

	while (s && *s) {
		const char *eol = strchr(s, '\n');
		const char *end = eol ? eol : s + strlen(s);
		const char *b = s;

		while (b < end && is_space(*b))
			b++;
		while (end > b && is_space(end[-1]))
			end--;
		if (end > b) {
			if (!first)
				msg_put(e, "; ", 2);
			msg_put(e, b, (size_t)(end - b));
			first = 0;
		}
		if (!eol)
			break;
		s = eol + 1;
	}
}

/* ---- URL parameters -------------------------------------------------- */

const char *strata__kit_param(const strata_url *url, const char *key)
{
	const char *v = NULL;
	size_t i;

	for (i = 0; i < url->nparams; i++)
		if (url->params[i].key && !strcmp(url->params[i].key, key))
			v = url->params[i].value ? url->params[i].value : "";
	return v;
}

static int in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

const char *strata__kit_param_unknown(const strata_url *url,
                                      const char *const *known)
{
	size_t i;

	for (i = 0; i < url->nparams; i++) {
		const char *k = url->params[i].key ? url->params[i].key : "";

		if (!in_list(k, known))
			return k;
	}
	return NULL;
}

int strata__kit_params_check(const strata_url *url, const char *const *known,
                             const char *what, strata_dberr *e)
{
	const char *bad = strata__kit_param_unknown(url, known);
	const char *const *k;

	if (!bad)
		return STRATA_DRV_OK;
	strata__kit_config(e, "unknown %s '%s' (known:", what, bad);
	for (k = known; *k; k++)
		strata__kit_err_add(e, "%s %s", k == known ? "" : ",", *k);
	strata__kit_err_add(e, "%s)", *known ? "" : " none");
	return STRATA_DRV_CONFIG;
}

int strata__kit_parse_int(const char *s, long long min, long long max,
                          long long *out)
{
	char *end;
	long long v;

	/* strtoll skips leading blanks and takes a sign: be stricter. */
	if (!s || !((*s >= '0' && *s <= '9') || (*s == '-' && min < 0)))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

static const strata__kit_choice bools[] = {
        {"1", 1},     {"true", 1}, {"yes", 1}, {"on", 1}, {"0", 0},
        {"false", 0}, {"no", 0},   {"off", 0}, {NULL, 0},
};

int strata__kit_parse_bool(const char *s, int *out)
{
	return strata__kit_parse_enum(s, bools, out);
}

int strata__kit_parse_enum(const char *s, const strata__kit_choice *choices,
                           int *out)
{
	const strata__kit_choice *c;

	for (c = choices; s && c->name; c++)
		if (!strcasecmp(c->name, s)) {
			*out = c->value;
			return 0;
		}
	return -1;
}

int strata__kit_param_int(const strata_url *url, const char *key, long long min,
                          long long max, long long *out, strata_dberr *e)
{
	const char *v = strata__kit_param(url, key);

	if (!v || !strata__kit_parse_int(v, min, max, out))
		return STRATA_DRV_OK;
	return strata__kit_config(e,
	                          "invalid %s '%s' (an integer from %lld "
	                          "to %lld)",
	                          key, v, min, max);
}

int strata__kit_param_bool(const strata_url *url, const char *key, int *out,
                           strata_dberr *e)
{
	const char *v = strata__kit_param(url, key);

	if (!v || !strata__kit_parse_bool(v, out))
		return STRATA_DRV_OK;
	return strata__kit_config(e, "invalid %s '%s' (true or false)", key, v);
}

int strata__kit_param_enum(const strata_url *url, const char *key,
                           const strata__kit_choice *choices, int *out,
                           strata_dberr *e)
{
	const char *v = strata__kit_param(url, key);
	const strata__kit_choice *c;

	if (!v || !strata__kit_parse_enum(v, choices, out))
		return STRATA_DRV_OK;
	strata__kit_config(e, "invalid %s '%s' (one of:", key, v);
	for (c = choices; c->name; c++)
		strata__kit_err_add(e, "%s %s", c == choices ? "" : ",",
		                    c->name);
	strata__kit_err_add(e, ")");
	return STRATA_DRV_CONFIG;
}

/* ---- lock polling ---------------------------------------------------- */

#define POLL_FIRST_MS 10
#define POLL_MAX_MS   100

long long strata__kit_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(long long ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	/* An interrupted sleep only polls early; the deadline still holds. */
	nanosleep(&ts, NULL);
}

/*
 * The loop of poll and retry; on timeout it returns STRATA_DRV_TIMEOUT
 * with e as try_once's last attempt left it. The deadline is on the
 * monotonic clock, not a count of sleeps: a loaded machine stretches
 * every sleep, and the wait must still end on time.
 */
static int poll_until(unsigned timeout_ms, strata__kit_try_fn try_once,
                      void *ctx, strata_dberr *e)
{
	long long deadline = strata__kit_now_ms() + timeout_ms, left;
	long long pause = POLL_FIRST_MS;
	int rc;

	for (;;) {
		rc = try_once(ctx, e);
		if (rc != STRATA_DRV_TIMEOUT)
			return rc;
		left = deadline - strata__kit_now_ms();
		if (left <= 0)
			return rc;
		sleep_ms(left < pause ? left : pause);
		pause = pause * 2 > POLL_MAX_MS ? POLL_MAX_MS : pause * 2;
	}
}

int strata__kit_poll(unsigned timeout_ms, strata__kit_try_fn try_once,
                     void *ctx, strata_dberr *e)
{
	int rc = poll_until(timeout_ms, try_once, ctx, e);

	if (rc == STRATA_DRV_TIMEOUT)
		return strata__kit_fail(e, rc, "lock not acquired within %u ms",
		                        timeout_ms);
	return rc;
}

int strata__kit_retry(unsigned timeout_ms, strata__kit_try_fn try_once,
                      void *ctx, strata_dberr *e)
{
	int rc = poll_until(timeout_ms, try_once, ctx, e);

	return rc == STRATA_DRV_TIMEOUT ? STRATA_DRV_ERROR : rc;
}

/* ---- string buffer --------------------------------------------------- */

static int buf_grow(strata__kit_buf *b, size_t more)
{
	size_t cap = b->cap ? b->cap : 64;
	char *p;

	if (b->oom)
		return STRATA_DRV_NOMEM;
	if (more > (size_t)-1 / 2 - b->len) {
		b->oom = 1;
		return STRATA_DRV_NOMEM;
	}
	if (b->len + more + 1 <= b->cap)
		return STRATA_DRV_OK;
	while (cap < b->len + more + 1)
		cap *= 2;
	if (!(p = realloc(b->p, cap))) {
		b->oom = 1;
		return STRATA_DRV_NOMEM;
	}
	if (!b->p)
		p[0] = '\0';
	b->p = p;
	b->cap = cap;
	return STRATA_DRV_OK;
}

int strata__kit_buf_put(strata__kit_buf *b, const char *s, size_t n)
{
	if (buf_grow(b, n) != STRATA_DRV_OK)
		return STRATA_DRV_NOMEM;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return STRATA_DRV_OK;
}

int strata__kit_buf_add(strata__kit_buf *b, const char *s)
{
	return strata__kit_buf_put(b, s, strlen(s));
}

static int buf_vprintf(strata__kit_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0) {
		b->oom = 1; /* an encoding error: treat the text as lost */
		return STRATA_DRV_NOMEM;
	}
	if (buf_grow(b, (size_t)n) != STRATA_DRV_OK)
		return STRATA_DRV_NOMEM;
	vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
	b->len += (size_t)n;
	return STRATA_DRV_OK;
}

int strata__kit_buf_printf(strata__kit_buf *b, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = buf_vprintf(b, fmt, ap);
	va_end(ap);
	return rc;
}

const char *strata__kit_buf_str(const strata__kit_buf *b)
{
	return b->p ? b->p : "";
}

void strata__kit_buf_reset(strata__kit_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->p)
		b->p[0] = '\0';
}

char *strata__kit_buf_take(strata__kit_buf *b)
{
	char *s = b->oom ? NULL : b->p;

	if (b->oom)
		free(b->p);
	else if (!s && (s = malloc(1)))
		s[0] = '\0';
	memset(b, 0, sizeof(*b));
	return s;
}

void strata__kit_buf_free(strata__kit_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

char *strata__kit_printf(const char *fmt, ...)
{
	strata__kit_buf b = {0};
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	return strata__kit_buf_take(&b);
}

/* ---- queries ---- */

typedef struct first_value {
	char *val;
	int rows, nomem;
} first_value;

static int take_first(void *ctx, int ncols, const char *const *values)
{
	first_value *fv = ctx;

	fv->rows = 1;
	if (ncols > 0 && values[0]) {
		fv->val = strdup(values[0]);
		fv->nomem = !fv->val;
	}
	return 1; /* the first row is all that is wanted */
}

int strata__kit_query_value(strata__kit_query_fn q, strata_conn *c,
                            const char *sql, const strata_value *params,
                            int nparams, char **out, int *rows, strata_dberr *e)
{
	first_value fv = {NULL, 0, 0};
	int rc = q(c, sql, params, nparams, take_first, &fv, e);

	if (rc == STRATA_DRV_OK && fv.nomem)
		rc = strata__kit_nomem(e);
	if (rc != STRATA_DRV_OK) {
		free(fv.val);
		return rc;
	}
	*out = fv.val;
	if (rows)
		*rows = fv.rows;
	return STRATA_DRV_OK;
}

/* ---- schema sink ---- */

int strata__kit_want_index(const strata_schema_sink *k)
{
	return k->index != NULL;
}

int strata__kit_want_fk(const strata_schema_sink *k)
{
	return k->foreign_key != NULL;
}

int strata__kit_want_object(const strata_schema_sink *k)
{
	return k->object != NULL;
}
