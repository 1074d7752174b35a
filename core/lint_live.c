/*
 * The target's parse checks, sent together: before the pass that reports
 * on the pending files, their statements go to the driver's prepare_many
 * in batches, and the pass looks each statement up by its text instead of
 * a round trip of its own. A statement the batch did not cover is checked
 * on its own, as before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lint.h"

/* Sent when this much text waits: bounds the copies a large data file
 * would make, while a run of small migrations still shares its trips. */
#define QUEUE_BYTES (1024 * 1024)

/* 64 bits on every platform, with the length: a statement is taken for
 * an accepted one only when both agree. */
static uint64_t key(const char *sql)
{
	size_t n = strlen(sql);

	return strata__hash64(sql, n, 0) ^ (uint64_t)n << 48;
}

void strata__live_init(strata__live *lv, const strata_driver *drv,
                       strata_conn *conn)
{
	memset(lv, 0, sizeof(*lv));
	lv->drv = drv;
	lv->conn = conn;
}

static void accept(strata__live *lv, const char *sql)
{
	if (lv->nok == lv->okcap) {
		lv->okcap = lv->okcap ? 2 * lv->okcap : 64;
		lv->ok = strata__realloc(lv->ok, lv->okcap * sizeof(*lv->ok));
	}
	lv->ok[lv->nok++] = key(sql);
}

static void reject(strata__live *lv, const char *sql, const char *message)
{
	strata__live_rej *r;

	lv->bad = strata__realloc(lv->bad, (lv->nbad + 1) * sizeof(*lv->bad));
	r = &lv->bad[lv->nbad++];
	r->sql = strata__strdup(sql);
	r->message = strata__strdup(message);
}

/* Sends the queue; after a rejection, the rest again. What a failure
 * other than a rejection leaves unanswered stays unknown: those
 * statements are checked one by one when the pass meets them. */
static void flush(strata__live *lv)
{
	size_t i = 0, j, n, bad;
	strata_dberr de;
	int rc;

	while (i < lv->nq) {
		memset(&de, 0, sizeof(de));
		n = lv->nq - i;
		rc = strata__drv_prepare_many(lv->drv, lv->conn,
		                              (const char *const *)lv->q + i, n,
		                              &bad, &de);
		if (rc == STRATA_DRV_OK)
			bad = n;
		else if (rc != STRATA_DRV_ERROR || bad >= n)
			break;
		for (j = i; j < i + bad; j++)
			accept(lv, lv->q[j]);
		if (bad < n)
			reject(lv, lv->q[i + bad], de.message);
		i += bad + 1;
	}
	for (i = 0; i < lv->nq; i++)
		free(lv->q[i]);
	lv->nq = 0;
	lv->qbytes = 0;
}

void strata__live_add(strata__live *lv, const char *sql)
{
	if (lv->nq == lv->qcap) {
		lv->qcap = lv->qcap ? 2 * lv->qcap : 64;
		lv->q = strata__realloc(lv->q, lv->qcap * sizeof(*lv->q));
	}
	lv->q[lv->nq++] = strata__strdup(sql);
	lv->qbytes += strlen(sql);
	if (lv->qbytes >= QUEUE_BYTES)
		flush(lv);
}

static int cmp_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

void strata__live_done(strata__live *lv)
{
	flush(lv);
	strata__sort(lv->ok, lv->nok, sizeof(*lv->ok), cmp_key);
	lv->done = 1;
}

int strata__live_find(const strata__live *lv, const char *sql,
                      const char **message)
{
	uint64_t k;
	size_t lo = 0, hi, mid, i;

	if (!lv->done)
		return -1;
	for (i = 0; i < lv->nbad; i++)
		if (!strcmp(lv->bad[i].sql, sql)) {
			*message = lv->bad[i].message;
			return 1;
		}
	k = key(sql);
	hi = lv->nok;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if (lv->ok[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < lv->nok && lv->ok[lo] == k ? 0 : -1;
}

void strata__live_free(strata__live *lv)
{
	size_t i;

	for (i = 0; i < lv->nq; i++)
		free(lv->q[i]);
	for (i = 0; i < lv->nbad; i++) {
		free(lv->bad[i].sql);
		free(lv->bad[i].message);
	}
	free(lv->q);
	free(lv->bad);
	free(lv->ok);
	memset(lv, 0, sizeof(*lv));
}
