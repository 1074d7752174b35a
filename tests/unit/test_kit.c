/* The driver kit (plugins/kit): errors, URL parameters, polling, buffers. */
#include "tap.h"
#include "kit.h"

static void errors(void)
{
	strata_dberr e;
	char big[3000];
	size_t n;

	memset(&e, 'x', sizeof(e));
	is_int(strata__kit_err(&e, "42P01234", 7, "no table %s", "t"),
	       STRATA_DRV_ERROR, "err returns ERROR");
	is_str(e.sqlstate, "42P01", "sqlstate cut to five characters");
	is_int(e.code, 7, "code");
	is_str(e.message, "no table t", "message");

	is_int(strata__kit_err(&e, NULL, 0, "a\nb\r\tc"), STRATA_DRV_ERROR,
	       "multi-line message");
	is_str(e.message, "a b  c", "one line");
	is_str(e.sqlstate, "", "no sqlstate");

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	strata__kit_err(&e, NULL, 0, "%s", big);
	n = strlen(e.message);
	is_int(n, sizeof(e.message) - 1, "a long message fills the buffer");
	is_str(e.message + n - 3, "...", "and ends in ...");
	strata__kit_err_add(&e, "more");
	is_int(strlen(e.message), n, "appending to a full message is safe");

	is_int(strata__kit_fail(&e, STRATA_DRV_LOST, "gone"), STRATA_DRV_LOST,
	       "fail returns its code");
	is_int(strata__kit_nomem(&e), STRATA_DRV_NOMEM, "nomem");
	is_str(e.message, "out of memory", "nomem message");
	is_int(strata__kit_config(&e, "bad %d", 1), STRATA_DRV_CONFIG,
	       "config returns CONFIG");

	strata__kit_fail(&e, STRATA_DRV_ERROR, "inner");
	strata__kit_fail(&e, STRATA_DRV_LOST, "outer: %s", e.message);
	is_str(e.message, "outer: inner", "a message may quote the old one");

	strata__kit_err(&e, NULL, 0, "x");
	strata__kit_err_add_lines(&e, "  ERROR:  boom\n  DETAIL: why  \n\n");
	is_str(e.message, "xERROR:  boom; DETAIL: why", "lines joined");
}

static void params(void)
{
	static const char *const known[] = {"busy_timeout", "mode", NULL};
	static const strata__kit_choice modes[] = {
	        {"fast", 1}, {"safe", 2}, {NULL, 0}};
	strata_url_param p[] = {{"busy_timeout", "250"},
	                        {"mode", "SAFE"},
	                        {"busy_timeout", "300"}};
	strata_url url = {"sqlite", NULL, NULL, NULL, 0, "x.db", p, 3};
	strata_dberr e;
	long long v = -1;
	int m = 0, b = -1;

	is_str(strata__kit_param(&url, "busy_timeout"), "300",
	       "the last value of a key wins");
	ok(strata__kit_param(&url, "nope") == NULL, "absent key: NULL");
	is_int(strata__kit_params_check(&url, known, "sqlite URL parameter",
	                                &e),
	       STRATA_DRV_OK, "known keys pass");
	is_int(strata__kit_param_int(&url, "busy_timeout", 0, 1000, &v, &e),
	       STRATA_DRV_OK, "int parses");
	is_int(v, 300, "int value");
	is_int(strata__kit_param_enum(&url, "mode", modes, &m, &e),
	       STRATA_DRV_OK, "enum parses, any case");
	is_int(m, 2, "enum value");

	p[1].key = "bogus";
	is_int(strata__kit_params_check(&url, known, "sqlite URL parameter",
	                                &e),
	       STRATA_DRV_CONFIG, "an unknown key is a config error");
	is_str(e.message,
	       "unknown sqlite URL parameter 'bogus' (known: busy_timeout, "
	       "mode)",
	       "names the key and the known ones");
	is_str(strata__kit_param_unknown(&url, known), "bogus",
	       "param_unknown finds it");

	p[2].value = "soon";
	is_int(strata__kit_param_int(&url, "busy_timeout", 0, 1000, &v, &e),
	       STRATA_DRV_CONFIG, "a bad int is a config error");
	ok(strstr(e.message, "invalid busy_timeout 'soon'") != NULL,
	   "names the value: %s", e.message);
	is_int(v, 300, "value kept on error");
	ok(strata__kit_parse_int("1001", 0, 1000, &v) < 0, "above the range");
	ok(strata__kit_parse_int("-1", 0, 1000, &v) < 0, "below the range");
	ok(strata__kit_parse_int(" 1", 0, 1000, &v) < 0, "leading blank");
	ok(strata__kit_parse_int("", 0, 1000, &v) < 0, "empty");
	ok(strata__kit_parse_int("99999999999999999999", 0, 1000, &v) < 0,
	   "overflow");
	ok(strata__kit_parse_int("-5", -10, 10, &v) == 0 && v == -5,
	   "negative within the range");
	ok(strata__kit_parse_bool("Yes", &b) == 0 && b == 1, "bool yes");
	ok(strata__kit_parse_bool("off", &b) == 0 && b == 0, "bool off");
	ok(strata__kit_parse_bool("maybe", &b) < 0, "bool maybe");

	p[1].key = "mode";
	p[1].value = "slow";
	is_int(strata__kit_param_enum(&url, "mode", modes, &m, &e),
	       STRATA_DRV_CONFIG, "a bad enum is a config error");
	is_str(e.message, "invalid mode 'slow' (one of: fast, safe)",
	       "lists the choices");
}

struct tries {
	int n, ok_at, fail_at;
};

static int try_once(void *ctx, strata_dberr *e)
{
	struct tries *t = ctx;

	t->n++;
	if (t->fail_at && t->n == t->fail_at)
		return strata__kit_fail(e, STRATA_DRV_ERROR, "broken");
	return t->ok_at && t->n >= t->ok_at ? STRATA_DRV_OK
	                                    : STRATA_DRV_TIMEOUT;
}

static void polling(void)
{
	struct tries t = {0, 0, 0};
	strata_dberr e;
	long long t0;

	is_int(strata__kit_poll(0, try_once, &t, &e), STRATA_DRV_TIMEOUT,
	       "timeout 0: not taken");
	is_int(t.n, 1, "timeout 0 is one attempt");

	t.n = 0;
	t0 = strata__kit_now_ms();
	is_int(strata__kit_poll(300, try_once, &t, &e), STRATA_DRV_TIMEOUT,
	       "held: times out");
	ok(strata__kit_now_ms() - t0 >= 300, "not before the deadline");
	ok(strata__kit_now_ms() - t0 < 2000, "nor long after it");
	ok(t.n >= 4, "several attempts (%d)", t.n);

	t.n = 0;
	t.ok_at = 3;
	is_int(strata__kit_poll(5000, try_once, &t, &e), STRATA_DRV_OK,
	       "taken on the third attempt");
	is_int(t.n, 3, "no attempt after that");

	t.n = 0;
	t.ok_at = 0;
	t.fail_at = 2;
	is_int(strata__kit_poll(5000, try_once, &t, &e), STRATA_DRV_ERROR,
	       "a failure ends the wait");
	is_str(e.message, "broken", "with its message");
}

/* Transient until ok_at; each attempt leaves its own message. */
static int conflict_once(void *ctx, strata_dberr *e)
{
	struct tries *t = ctx;

	t->n++;
	if (t->ok_at && t->n >= t->ok_at)
		return STRATA_DRV_OK;
	strata__kit_err(e, "40001", 1213, "conflict %d", t->n);
	return STRATA_DRV_TIMEOUT;
}

static void retrying(void)
{
	struct tries t = {0, 3, 0};
	strata_dberr e;
	char want[32];

	is_int(strata__kit_retry(5000, conflict_once, &t, &e), STRATA_DRV_OK,
	       "retry: succeeds on the third attempt");
	is_int(t.n, 3, "retry: no attempt after that");

	t.n = 0;
	t.ok_at = 0;
	is_int(strata__kit_retry(200, conflict_once, &t, &e), STRATA_DRV_ERROR,
	       "retry: still failing at the deadline is an error");
	ok(t.n >= 3, "retry: several attempts (%d)", t.n);
	snprintf(want, sizeof want, "conflict %d", t.n);
	is_str(e.message, want,
	       "retry: the last attempt's error, not a timeout");
	is_str(e.sqlstate, "40001", "retry: with its SQLSTATE");
	is_int(e.code, 1213, "retry: and code");

	t.n = 0;
	t.fail_at = 1;
	is_int(strata__kit_retry(5000, try_once, &t, &e), STRATA_DRV_ERROR,
	       "retry: another failure ends it");
	is_int(t.n, 1, "retry: at once");
}

static void buffers(void)
{
	strata__kit_buf b = {0};
	char *s;
	int i;

	is_str(strata__kit_buf_str(&b), "", "empty buffer reads as \"\"");
	for (i = 0; i < 1000; i++)
		strata__kit_buf_printf(&b, "%s%d", i ? "," : "", i);
	ok(!b.oom && b.len == strlen(b.p), "grows");
	ok(!strncmp(b.p, "0,1,2,", 6) && strstr(b.p, ",999"), "content");
	strata__kit_buf_reset(&b);
	is_str(strata__kit_buf_str(&b), "", "reset");
	strata__kit_buf_add(&b, "ab");
	strata__kit_buf_put(&b, "cdef", 2);
	s = strata__kit_buf_take(&b);
	is_str(s, "abcd", "take");
	ok(b.p == NULL && b.len == 0, "take empties the buffer");
	free(s);
	s = strata__kit_buf_take(&b);
	is_str(s, "", "take of an empty buffer gives \"\"");
	free(s);
	s = strata__kit_printf("%s-%d", "x", 5);
	is_str(s, "x-5", "printf");
	free(s);
	strata__kit_buf_free(&b);
}

/* A query operation that returns `fake_rows` rows of two columns. */
static int fake_rows;
static const char *fake_first;
static int fake_query(strata_conn *c, const char *sql,
                      const strata_value *params, int nparams, strata_row_fn fn,
                      void *fn_ctx, strata_dberr *e)
{
	const char *row[2];
	int i;

	(void)c;
	(void)params;
	(void)nparams;
	if (!strcmp(sql, "fail"))
		return strata__kit_err(e, "42000", 1, "no such thing");
	row[0] = fake_first;
	row[1] = "second column";
	for (i = 0; i < fake_rows; i++)
		if (fn && fn(fn_ctx, 2, row))
			break;
	return STRATA_DRV_OK;
}

static void values(void)
{
	static char untouched[] = "untouched";
	strata_dberr e;
	char *v = untouched;
	int rows = -1;

	memset(&e, 0, sizeof(e));
	fake_rows = 3;
	fake_first = "first";
	ok(strata__kit_query_value(fake_query, NULL, "q", NULL, 0, &v, &rows,
	                           &e) == STRATA_DRV_OK,
	   "query_value");
	is_str(v, "first", "the first column of the first row");
	is_int(rows, 1, "one row read, the rest not");
	free(v);
	fake_first = NULL;
	ok(strata__kit_query_value(fake_query, NULL, "q", NULL, 0, &v, NULL,
	                           &e) == STRATA_DRV_OK &&
	           v == NULL,
	   "SQL NULL: NULL");
	fake_rows = 0;
	ok(strata__kit_query_value(fake_query, NULL, "q", NULL, 0, &v, &rows,
	                           &e) == STRATA_DRV_OK &&
	           v == NULL && rows == 0,
	   "no row: NULL, rows 0");
	v = untouched;
	ok(strata__kit_query_value(fake_query, NULL, "fail", NULL, 0, &v, &rows,
	                           &e) == STRATA_DRV_ERROR &&
	           v == untouched && !strcmp(e.sqlstate, "42000"),
	   "a failure is passed on, *out untouched");
}

int main(void)
{
	errors();
	params();
	polling();
	retrying();
	buffers();
	values();
	return tap_done();
}
