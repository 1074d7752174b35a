/*
 * The driver kit: plumbing every strata driver needs, linked statically
 * into each plugin (libstrata_kit.la). It sees only strata/driver.h and
 * libc, so a driver built on it still depends on nothing of the core.
 *
 * Every function that can fail fills a strata_dberr and returns the
 * STRATA_DRV_* code to hand back to the core, so drivers can tail-call it.
 */
#ifndef STRATA_KIT_H
#define STRATA_KIT_H

#include <stdarg.h>
#include <stddef.h>

#include <strata/driver.h>

#if defined(__GNUC__) || defined(__clang__)
#define STRATA__KIT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define STRATA__KIT_PRINTF(f, a)
#endif

/* ---- errors ---------------------------------------------------------- */

/*
 * Fill e: sqlstate (first five characters, NULL for none), native code
 * and a formatted message, always on one line (the core prints it as
 * one); a message too long for e ends in "...". Returns STRATA_DRV_ERROR.
 */
int strata__kit_err(strata_dberr *e, const char *sqlstate, int code,
                    const char *fmt, ...) STRATA__KIT_PRINTF(4, 5);
int strata__kit_verr(strata_dberr *e, const char *sqlstate, int code,
                     const char *fmt, va_list ap);
/* A driver-side failure (no SQLSTATE, no code) returning rc. */
int strata__kit_fail(strata_dberr *e, int rc, const char *fmt, ...)
        STRATA__KIT_PRINTF(3, 4);
/* "out of memory"; returns STRATA_DRV_NOMEM. */
int strata__kit_nomem(strata_dberr *e);
/* batch() with STRATA_BATCH_LOCKED on a session lock_guard() did not arm:
 * a failure at the COMMIT's index n (*failed). */
int strata__kit_unarmed(size_t n, size_t *failed, strata_dberr *e);
/* A configuration error (exit 2 in the core); returns STRATA_DRV_CONFIG. */
int strata__kit_config(strata_dberr *e, const char *fmt, ...)
        STRATA__KIT_PRINTF(2, 3);
/* Append to e->message, on one line, with the same truncation. */
void strata__kit_err_add(strata_dberr *e, const char *fmt, ...)
        STRATA__KIT_PRINTF(2, 3);
/* Append text of several lines (a client library's message) as one line:
 * each line trimmed, empty ones dropped, the rest joined with "; ". */
void strata__kit_err_add_lines(strata_dberr *e, const char *text);

/* ---- URL parameters -------------------------------------------------- */

/* The value of the last parameter named key, or NULL. */
const char *strata__kit_param(const strata_url *url, const char *key);
/* The key of the first parameter not in known (NULL-terminated), or NULL. */
const char *strata__kit_param_unknown(const strata_url *url,
                                      const char *const *known);
/*
 * Every parameter must be in known; else STRATA_DRV_CONFIG with
 * "unknown <what> '<key>' (known: a, b, ...)". Check before anything has
 * an effect (a database file created, a connection opened).
 */
int strata__kit_params_check(const strata_url *url, const char *const *known,
                             const char *what, strata_dberr *e);

/* Pure parsers: 0 and *out set, or -1 (out untouched). */
int strata__kit_parse_int(const char *s, long long min, long long max,
                          long long *out);
/* 1/0, true/false, yes/no, on/off, any case. */
int strata__kit_parse_bool(const char *s, int *out);

/* A name a parameter may take and the value it stands for. */
typedef struct strata__kit_choice {
	const char *name;
	int value;
} strata__kit_choice;
/* Case-insensitive; choices end with a { NULL } entry. */
int strata__kit_parse_enum(const char *s, const strata__kit_choice *choices,
                           int *out);

/*
 * Parameter key parsed into *out when present (absent: OK, *out kept).
 * A bad value is STRATA_DRV_CONFIG: "invalid <key> '<value>'", with the
 * range or the choices.
 */
int strata__kit_param_int(const strata_url *url, const char *key, long long min,
                          long long max, long long *out, strata_dberr *e);
int strata__kit_param_bool(const strata_url *url, const char *key, int *out,
                           strata_dberr *e);
int strata__kit_param_enum(const strata_url *url, const char *key,
                           const strata__kit_choice *choices, int *out,
                           strata_dberr *e);

/* ---- lock polling ---------------------------------------------------- */

/*
 * One attempt at a lock: STRATA_DRV_OK when taken, STRATA_DRV_TIMEOUT
 * when held elsewhere (try again), anything else is a failure that ends
 * the wait (e filled in).
 */
typedef int (*strata__kit_try_fn)(void *ctx, strata_dberr *e);

/*
 * Call try_once until it takes the lock, fails, or timeout_ms (on the
 * monotonic clock) has passed: then STRATA_DRV_TIMEOUT. Timeout 0 is one
 * attempt. Between attempts it sleeps 10 ms, doubling up to 100 ms and
 * never past the deadline.
 */
int strata__kit_poll(unsigned timeout_ms, strata__kit_try_fn try_once,
                     void *ctx, strata_dberr *e);
/*
 * strata__kit_poll for a transient error (a certification conflict, a
 * deadlock): try_once returns STRATA_DRV_TIMEOUT with e filled in to be
 * tried again. When timeout_ms has passed, the last of those errors is
 * the answer, as STRATA_DRV_ERROR.
 */
int strata__kit_retry(unsigned timeout_ms, strata__kit_try_fn try_once,
                      void *ctx, strata_dberr *e);
/* Milliseconds on the monotonic clock (for deadlines). */
long long strata__kit_now_ms(void);

/* ---- string buffer --------------------------------------------------- */

/*
 * A growable NUL-terminated string; zero-initialise it. After a failed
 * allocation the buffer keeps what it had and every later append fails
 * too, so a chain of appends needs one check.
 */
typedef struct strata__kit_buf {
	char *p; /* NULL until something is appended */
	size_t len, cap;
	int oom;
} strata__kit_buf;

/* Each returns STRATA_DRV_OK or STRATA_DRV_NOMEM. */
int strata__kit_buf_put(strata__kit_buf *b, const char *s, size_t n);
int strata__kit_buf_add(strata__kit_buf *b, const char *s);
int strata__kit_buf_printf(strata__kit_buf *b, const char *fmt, ...)
        STRATA__KIT_PRINTF(2, 3);
/* The text so far; "" when empty, never NULL. */
const char *strata__kit_buf_str(const strata__kit_buf *b);
/* Empty again, keeping the memory (and clearing an out-of-memory). */
void strata__kit_buf_reset(strata__kit_buf *b);
/* Hand the string to the caller (malloc'd; NULL after out of memory) and
 * leave b empty. An empty buffer gives "". */
char *strata__kit_buf_take(strata__kit_buf *b);
void strata__kit_buf_free(strata__kit_buf *b);

/* A malloc'd "printf" result, or NULL when out of memory. */
char *strata__kit_printf(const char *fmt, ...) STRATA__KIT_PRINTF(1, 2);

/* ---- queries --------------------------------------------------------- */

/* A driver's own query operation (the signature of strata_driver.query). */
typedef int (*strata__kit_query_fn)(strata_conn *c, const char *sql,
                                    const strata_value *params, int nparams,
                                    strata_row_fn fn, void *fn_ctx,
                                    strata_dberr *e);
/*
 * Run sql with q and keep the first column of the first row: *out is
 * malloc'd, NULL for SQL NULL or when no row came (set only on success).
 * *rows (may be NULL): 1 if a row came, else 0; later rows are not read.
 */
int strata__kit_query_value(strata__kit_query_fn q, strata_conn *c,
                            const char *sql, const strata_value *params,
                            int nparams, char **out, int *rows,
                            strata_dberr *e);

/* ---- schema sink ----------------------------------------------------- */

/* Whether the sink takes indexes, foreign keys, other objects (each may
 * be NULL from ABI 2.6 on): a query for what is not wanted is skipped. */
int strata__kit_want_index(const strata_schema_sink *k);
int strata__kit_want_fk(const strata_schema_sink *k);
int strata__kit_want_object(const strata_schema_sink *k);

#endif
