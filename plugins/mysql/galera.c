/*
 * The migration lock on a Galera cluster (@@wsrep_on = ON). GET_LOCK is
 * local to one node: deployers connected to two nodes would both get it.
 * Here the lock is one row of `<history table>_lock`, taken by an
 * autocommit UPDATE that the cluster certifies: of two deployers writing
 * the row at once, one commit fails (a deadlock error) and retries.
 *
 *   id 1 | holder (NULL when free) | since | heartbeat | stale
 *
 * The holder refreshes heartbeat (UTC: nodes may run in other time zones)
 * from a thread of the lock session every stale/5 seconds; a row whose
 * heartbeat is older than the holder's own stale interval (its URL
 * parameter lock_stale, default 30 s, kept in the row) belongs to a holder
 * that died, and a waiter takes it over. Calls my_err.c, batch.c (quoting) and
 * the kit.
 */
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "my_int.h"

#define ER_LOCK_WAIT_TIMEOUT       1205
#define ER_UNKNOWN_COM_ERROR       1047 /* wsrep: node not ready */
#define ER_UNKNOWN_SYSTEM_VARIABLE 1193
#define ER_NO_SUCH_TABLE           1146
#define IDENT_MAX                  64
#define LOCK_SUFFIX                "_lock"

struct my__galera {
	char *table;    /* `db`.`history_lock` */
	char *holder_q; /* this session's holder id, as a quoted literal */
	unsigned stale; /* seconds */
	int taken;      /* the row is ours (until unlock) */
	/* The session is shared by the heartbeat thread and the core's
	 * calls; mu guards it and the fields below. */
	pthread_mutex_t mu;
	pthread_cond_t cv;
	pthread_t thread;
	int running, stop, lost;
	strata_dberr why; /* when lost */
};

/* ---- plumbing -------------------------------------------------------- */

/* A statement without a result; *rows: rows matched (CLIENT_FOUND_ROWS). */
static int run(strata_conn *c, const char *sql, int64_t *rows,
               strata_dberr *err)
{
	MYSQL_RES *res;

	if (mysql_real_query(c->db, sql, (unsigned long)strlen(sql)))
		return my__err_db(err, c->db);
	if (rows)
		*rows = my__affected(mysql_affected_rows(c->db));
	if ((res = mysql_store_result(c->db)))
		mysql_free_result(res);
	return STRATA_DRV_OK;
}

/* Certification conflicts and a node that is not ready: try again. */
static int transient(strata_conn *c)
{
	unsigned e = mysql_errno(c->db);

	return e == MY__ER_LOCK_DEADLOCK || e == ER_LOCK_WAIT_TIMEOUT ||
	       e == ER_UNKNOWN_COM_ERROR;
}

/* run(), with conflicts retried for up to MY__RETRY_MS. */
typedef struct retry {
	strata_conn *c;
	const char *sql;
	int64_t *rows;
} retry;

static int run_once(void *ctx, strata_dberr *err)
{
	retry *r = ctx;
	int rc = run(r->c, r->sql, r->rows, err);

	return rc != STRATA_DRV_OK && transient(r->c) ? STRATA_DRV_TIMEOUT : rc;
}

static int run_retrying(strata_conn *c, const char *sql, int64_t *rows,
                        strata_dberr *err)
{
	retry r = {c, sql, rows};

	return strata__kit_retry(MY__RETRY_MS, run_once, &r, err);
}

static void quote_ident(strata__kit_buf *b, const char *s, size_t n)
{
	size_t i;

	strata__kit_buf_add(b, "`");
	for (i = 0; i < n; i++)
		strata__kit_buf_put(b, s[i] == '`' ? "``" : s + i,
		                    s[i] == '`' ? 2 : 1);
	strata__kit_buf_add(b, "`");
}

/* ---- wsrep ----------------------------------------------------------- */

static int ask_wsrep(strata_conn *c, strata_dberr *err)
{
	my__scalar v;
	int rc = my__query_scalar(c, "SELECT @@wsrep_on", NULL, 0, &v, err);

	if (rc != STRATA_DRV_OK && err->code == ER_UNKNOWN_SYSTEM_VARIABLE) {
		memset(err, 0, sizeof(*err));
		c->wsrep = 0;
		return STRATA_DRV_OK;
	}
	if (rc != STRATA_DRV_OK)
		return rc;
	c->wsrep =
	        v.text && (!strcmp(v.text, "1") || !strcasecmp(v.text, "ON"));
	free(v.text);
	return STRATA_DRV_OK;
}

/* Asked once per session. A server without the variable (MySQL, a
 * MariaDB built without wsrep) is not a cluster. */
int my__wsrep_on(strata_conn *c, int *on, strata_dberr *err)
{
	int rc = c->wsrep < 0 ? ask_wsrep(c, err) : STRATA_DRV_OK;

	*on = c->wsrep > 0;
	return rc;
}

/* ---- names ----------------------------------------------------------- */

/* name is the core's "<database>.<history table>"; the database is the
 * session's own unless it was given in `table` (no dot in it then). */
static int table_for(strata_conn *c, const char *name, char **out,
                     strata_dberr *err)
{
	size_t h = c->home_db ? strlen(c->home_db) : 0;
	const char *dot = strchr(name, '.'), *t;
	strata__kit_buf b = {0};
	char *lt;

	if (h && !strncmp(name, c->home_db, h) && name[h] == '.')
		dot = name + h;
	t = dot ? dot + 1 : name;
	if (strlen(t) + strlen(LOCK_SUFFIX) > IDENT_MAX)
		return strata__kit_config(
		        err,
		        "history table name '%s' is too long for its Galera "
		        "lock table '%s" LOCK_SUFFIX
		        "' (at most %d characters)",
		        t, t, IDENT_MAX - (int)strlen(LOCK_SUFFIX));
	if (dot) {
		quote_ident(&b, name, (size_t)(dot - name));
		strata__kit_buf_add(&b, ".");
	}
	if ((lt = strata__kit_printf("%s" LOCK_SUFFIX, t)))
		quote_ident(&b, lt, strlen(lt));
	free(lt);
	if (!lt || !(*out = strata__kit_buf_take(&b)))
		return strata__kit_nomem(err);
	return STRATA_DRV_OK;
}

/* Who we are, for an operator reading the table: host, pid, and random
 * bits so that two sessions of one process differ. */
static int holder_for(strata_conn *c, char **out, strata_dberr *err)
{
	char host[256] = "?", id[400];
	unsigned long long r = 0;
	strata__kit_buf b = {0};
	FILE *f = fopen("/dev/urandom", "rb");

	if (!f || fread(&r, sizeof r, 1, f) != 1)
		r = (unsigned long long)strata__kit_now_ms() ^
		    ((unsigned long long)(uintptr_t)c << 16);
	if (f)
		fclose(f);
	gethostname(host, sizeof host - 1);
	host[sizeof host - 1] = '\0';
	snprintf(id, sizeof id, "%.200s pid %ld %016llx", host, (long)getpid(),
	         r);
	if (my__quote(&b, c->db, id) != STRATA_DRV_OK) {
		strata__kit_buf_free(&b);
		return strata__kit_nomem(err);
	}
	*out = strata__kit_buf_take(&b);
	return *out ? STRATA_DRV_OK : strata__kit_nomem(err);
}

/* ---- the row --------------------------------------------------------- */

/* The table and its one row. DDL runs under TOI, which waits for every
 * DDL before it in the cluster: only when the table is missing. Deployers
 * starting together race to make it, and a replicated CREATE aborts a
 * probe that holds the table's name on another node (a deadlock error):
 * both statements are retried like the row's writes. */
static int ensure_table(strata_conn *c, my__galera *g, strata_dberr *err)
{
	char *sql = strata__kit_printf("SELECT 1 FROM %s LIMIT 0", g->table);
	int rc;

	if (!sql)
		return strata__kit_nomem(err);
	rc = run_retrying(c, sql, NULL, err);
	free(sql);
	/* Only a missing table is made: any other failure is the answer. */
	if (rc == STRATA_DRV_OK || mysql_errno(c->db) != ER_NO_SUCH_TABLE)
		return rc;
	sql = strata__kit_printf(
	        "CREATE TABLE IF NOT EXISTS %s (id TINYINT UNSIGNED NOT NULL "
	        "PRIMARY KEY, holder VARCHAR(255) NULL, since DATETIME(6) "
	        "NULL, heartbeat DATETIME(6) NULL, stale INT UNSIGNED NULL) "
	        "ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
	        g->table);
	if (!sql)
		return strata__kit_nomem(err);
	rc = run_retrying(c, sql, NULL, err);
	free(sql);
	return rc;
}

/* One attempt: the row is ours if it was free, stale or ours already.
 * STRATA_DRV_TIMEOUT: held by someone else, or a conflict to retry. */
static int take_once(void *ctx, strata_dberr *err)
{
	strata_conn *c = ctx;
	my__galera *g = c->galera;
	int64_t rows = 0;
	char *sql = strata__kit_printf(
	        "UPDATE %s SET holder = %s, since = UTC_TIMESTAMP(6), "
	        "heartbeat = UTC_TIMESTAMP(6), stale = %u WHERE id = 1 AND "
	        "(holder IS NULL OR holder = %s OR heartbeat < "
	        "UTC_TIMESTAMP(6) - INTERVAL COALESCE(stale, %u) SECOND)",
	        g->table, g->holder_q, g->stale, g->holder_q, g->stale);
	int rc;

	if (!sql)
		return strata__kit_nomem(err);
	rc = run(c, sql, &rows, err);
	free(sql);
	if (rc == STRATA_DRV_OK && rows == 1) {
		g->taken = 1;
		return STRATA_DRV_OK;
	}
	if (rc != STRATA_DRV_OK)
		return transient(c) ? STRATA_DRV_TIMEOUT : rc;
	/* No row yet (a new table): make it, free, and try again now. */
	sql = strata__kit_printf("INSERT IGNORE INTO %s (id) VALUES (1)",
	                         g->table);
	if (!sql)
		return strata__kit_nomem(err);
	rc = run(c, sql, &rows, err);
	free(sql);
	if (rc != STRATA_DRV_OK)
		return transient(c) ? STRATA_DRV_TIMEOUT : rc;
	return rows == 1 ? take_once(ctx, err) : STRATA_DRV_TIMEOUT;
}

/* The server's error, kept (SQLSTATE, code, message), as a lost lock. */
static int lost_because(strata_dberr *err, const my__galera *g)
{
	char msg[sizeof err->message];
	char state[sizeof err->sqlstate];

	memcpy(msg, err->message, sizeof msg);
	memcpy(state, err->sqlstate, sizeof state);
	strata__kit_err(err, state, err->code,
	                "cannot refresh the lock row in %s: %s", g->table, msg);
	return STRATA_DRV_LOST;
}

/*
 * Refreshes the heartbeat, which also proves the row is still ours: the
 * UPDATE is certified, so a takeover ordered before it fails it.
 * STRATA_DRV_LOST when the row is someone else's now.
 */
static int beat(strata_conn *c, my__galera *g, strata_dberr *err)
{
	char *sql =
	        strata__kit_printf("UPDATE %s SET heartbeat = UTC_TIMESTAMP(6) "
	                           "WHERE id = 1 AND holder = %s",
	                           g->table, g->holder_q);
	int64_t rows = 0;
	int rc;

	if (!sql)
		return strata__kit_nomem(err);
	rc = run_retrying(c, sql, &rows, err);
	free(sql);
	if (rc != STRATA_DRV_OK)
		return lost_because(err, g);
	if (rows != 1)
		return strata__kit_fail(err, STRATA_DRV_LOST,
		                        "the lock row in %s was taken over "
		                        "(its heartbeat was older than %u s)",
		                        g->table, g->stale);
	return STRATA_DRV_OK;
}

/* ---- heartbeat thread ------------------------------------------------ */

static void *beat_main(void *arg)
{
	strata_conn *c = arg;
	my__galera *g = c->galera;
	long period = (long)g->stale * 1000 / 5;
	struct timespec at;

	mysql_thread_init();
	pthread_mutex_lock(&g->mu);
	while (!g->stop && !g->lost) {
		clock_gettime(CLOCK_MONOTONIC, &at);
		at.tv_sec += period / 1000;
		at.tv_nsec += (period % 1000) * 1000000L;
		if (at.tv_nsec >= 1000000000L) {
			at.tv_sec++;
			at.tv_nsec -= 1000000000L;
		}
		while (!g->stop && !pthread_cond_timedwait(&g->cv, &g->mu, &at))
			;
		if (!g->stop && beat(c, g, &g->why) != STRATA_DRV_OK)
			g->lost = 1;
	}
	pthread_mutex_unlock(&g->mu);
	mysql_thread_end();
	return NULL;
}

/* Signals stay with the process's own threads (the CLI's handlers). */
static int start_beat(strata_conn *c, my__galera *g, strata_dberr *err)
{
	sigset_t all, old;
	int rc;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&g->thread, NULL, beat_main, c);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc)
		return strata__kit_fail(err, STRATA_DRV_ERROR,
		                        "cannot start the Galera lock's "
		                        "heartbeat thread: %s",
		                        strerror(rc));
	g->running = 1;
	return STRATA_DRV_OK;
}

static void stop_beat(my__galera *g)
{
	if (!g->running)
		return;
	pthread_mutex_lock(&g->mu);
	g->stop = 1;
	pthread_cond_signal(&g->cv);
	pthread_mutex_unlock(&g->mu);
	pthread_join(g->thread, NULL);
	g->running = 0;
}

/* ---- the lock ops ---------------------------------------------------- */

static void galera_free(my__galera *g)
{
	if (!g)
		return;
	stop_beat(g);
	pthread_cond_destroy(&g->cv);
	pthread_mutex_destroy(&g->mu);
	free(g->table);
	free(g->holder_q);
	free(g);
}

static int galera_new(strata_conn *c, const char *name, strata_dberr *err)
{
	my__galera *g = calloc(1, sizeof *g);
	pthread_condattr_t ca;
	int rc;

	if (!g)
		return strata__kit_nomem(err);
	pthread_mutex_init(&g->mu, NULL);
	/* A wall clock stepped back must not delay the heartbeat. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->cv, &ca);
	pthread_condattr_destroy(&ca);
	g->stale = c->lock_stale;
	rc = table_for(c, name, &g->table, err);
	if (rc == STRATA_DRV_OK)
		rc = holder_for(c, &g->holder_q, err);
	if (rc != STRATA_DRV_OK) {
		galera_free(g);
		return rc;
	}
	c->galera = g;
	return STRATA_DRV_OK;
}

int my__galera_lock(strata_conn *c, const char *name, unsigned timeout_ms,
                    strata_dberr *err)
{
	strata_dberr ignored;
	int rc = c->galera ? STRATA_DRV_OK : galera_new(c, name, err);

	if (rc == STRATA_DRV_OK)
		rc = ensure_table(c, c->galera, err);
	if (rc == STRATA_DRV_OK)
		rc = strata__kit_poll(timeout_ms, take_once, c, err);
	if (rc == STRATA_DRV_TIMEOUT)
		strata__kit_fail(err, rc,
		                 "lock row in %s not acquired within %u ms",
		                 c->galera->table, timeout_ms);
	if (rc == STRATA_DRV_OK)
		rc = start_beat(c, c->galera, err);
	/* A row taken without its heartbeat would block others until it
	 * goes stale: given back. */
	if (rc != STRATA_DRV_OK && rc != STRATA_DRV_TIMEOUT && c->galera &&
	    c->galera->taken)
		my__galera_unlock(c, &ignored);
	return rc;
}

int my__galera_check(strata_conn *c, strata_dberr *err)
{
	my__galera *g = c->galera;
	int rc;

	pthread_mutex_lock(&g->mu);
	if (g->lost) {
		*err = g->why;
		rc = STRATA_DRV_LOST;
	} else if ((rc = beat(c, g, err)) != STRATA_DRV_OK) {
		g->lost = 1;
	}
	pthread_mutex_unlock(&g->mu);
	return rc;
}

/* Frees the row if it is still ours; either way the session is done
 * with the lock. */
int my__galera_unlock(strata_conn *c, strata_dberr *err)
{
	my__galera *g = c->galera;
	char *sql;
	int64_t rows = 0;
	int rc = STRATA_DRV_ERROR;

	if (!g)
		return STRATA_DRV_OK;
	stop_beat(g);
	sql = strata__kit_printf("UPDATE %s SET holder = NULL, since = NULL, "
	                         "heartbeat = NULL WHERE id = 1 AND holder = "
	                         "%s",
	                         g->table, g->holder_q);
	if (!sql)
		rc = strata__kit_nomem(err);
	if (sql)
		rc = run_retrying(c, sql, &rows, err);
	free(sql);
	if (rc == STRATA_DRV_OK && rows != 1)
		rc = strata__kit_fail(err, STRATA_DRV_ERROR,
		                      "the lock row in %s was not held by "
		                      "this session",
		                      g->table);
	c->galera = NULL;
	galera_free(g);
	return rc;
}

/* Closing without unlock (an error path): stop beating, free the row. */
void my__galera_close(strata_conn *c)
{
	strata_dberr ignored;

	if (c->galera && c->galera->taken)
		my__galera_unlock(c, &ignored);
	galera_free(c->galera);
	c->galera = NULL;
}
