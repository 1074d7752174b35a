/*
 * The migrations folder is read, and its up files' checksums looked up in
 * the checksum cache, on a thread of its own while the session's database
 * answers the history and catalog queries: at 10,000 migrations each side
 * takes tens of milliseconds. The thread reads the folder, the cache file
 * and const session state (driver, config, file names), and may load the
 * installed drivers' list (loader.c locks it) to name a misnamed override;
 * the session touches src and sums only after the join. When no thread
 * can be made, the folder is read in place, as before.
 */
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

typedef struct presum {
	char sum[STRATA__SHA256_HEX], raw[STRATA__SHA256_HEX];
	unsigned char ok;
} presum;

struct strata__prefetch {
	pthread_t thread;
	int running; /* until joined */
	int taken;   /* rc and err went to strata__source_get() */
	int rc;      /* the load's outcome, with err */
	strata_error err;
	presum *sums; /* one per s->src.items; NULL: none */
	size_t nsums;
};

static strata__sumcache *open_sums(strata *s)
{
	if (!s->sums)
		s->sums = strata__sumcache_open(
		        s->cache_dir, strata_config_migrations(s->cfg));
	return s->sums;
}

/* With the checksum cache, which also keeps folder listings (--full reads
 * every folder again, and keeps what it read). */
static int load(strata *s, strata_error *err)
{
	const char *dir = strata_config_migrations(s->cfg);

	if (s->full_check)
		strata__sumcache_refresh(open_sums(s));
	return strata__source_load_for(
	        &s->src, dir, s->drv, strata__config_plugin_path(s->cfg),
	        open_sums(s), strata__config_layout(s->cfg), err);
}

/* path under the folder open as at (dir), else itself: a stat relative
 * to the folder walks two names, not the whole path. */
static const char *under(int at, const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (at == AT_FDCWD || !n || strncmp(path, dir, n) != 0 ||
	    (path[n] != '/' && dir[n - 1] != '/'))
		return path;
	path += n;
	while (*path == '/')
		path++;
	return path;
}

/* Only what the cache has: a file it lacks is read by the merge, and
 * only if it was applied. */
static void presum_all(strata *s, struct strata__prefetch *pf)
{
	int at;
	size_t i;

	if (s->full_check || !s->src.count)
		return;
	at = open(s->src.dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (at < 0)
		at = AT_FDCWD;
	pf->sums = strata__calloc(s->src.count, sizeof(*pf->sums));
	pf->nsums = s->src.count;
	for (i = 0; i < s->src.count; i++) {
		const char *file = strata__file_for(s, &s->src.items[i], 1);

		if (file)
			pf->sums[i].ok = (unsigned char)strata__sumcache_peek(
			        s->sums, at, under(at, s->src.dir, file), file,
			        pf->sums[i].sum, pf->sums[i].raw);
	}
	if (at != AT_FDCWD)
		close(at);
}

static void *run(void *arg)
{
	strata *s = arg;
	struct strata__prefetch *pf = s->prefetch;

	pf->rc = load(s, &pf->err);
	if (!pf->rc)
		presum_all(s, pf);
	return NULL;
}

void strata__source_start(strata *s)
{
	struct strata__prefetch *pf;
	sigset_t all, old;
	int rc;

	if (s->src.dir || s->prefetch)
		return;
	pf = strata__calloc(1, sizeof(*pf));
	s->prefetch = pf;
	/* Signals stay with the caller's threads. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&pf->thread, NULL, run, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		free(pf);
		s->prefetch = NULL;
		return;
	}
	pf->running = 1;
}

static void join(strata *s)
{
	if (s->prefetch && s->prefetch->running) {
		pthread_join(s->prefetch->thread, NULL);
		s->prefetch->running = 0;
	}
}

/* A failed load is forgotten, so that the next call reads again. */
int strata__source_get(strata *s, strata_error *err)
{
	struct strata__prefetch *pf = s->prefetch;
	int rc;

	if (pf && !pf->taken) {
		join(s);
		pf->taken = 1;
		rc = pf->rc;
		if (rc) {
			strata__error_move(err, &pf->err);
			strata__source_free(&s->src);
		}
		return rc;
	}
	if (s->src.dir)
		return STRATA_OK;
	rc = load(s, err);
	if (rc)
		strata__source_free(&s->src);
	return rc;
}

int strata__source_presum(const strata *s, size_t i,
                          char sum[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX])
{
	const struct strata__prefetch *pf = s->prefetch;

	if (!pf || pf->running || s->full_check || i >= pf->nsums ||
	    !pf->sums[i].ok)
		return 0;
	memcpy(sum, pf->sums[i].sum, STRATA__SHA256_HEX);
	memcpy(raw, pf->sums[i].raw, STRATA__SHA256_HEX);
	return 1;
}

/* Looked up for one call: a later status in the same session, or one
 * after a failed call, looks at the files again. */
void strata__source_done(strata *s)
{
	join(s);
	if (s->prefetch) {
		free(s->prefetch->sums);
		s->prefetch->sums = NULL;
		s->prefetch->nsums = 0;
	}
}

void strata__source_end(strata *s)
{
	join(s);
	if (s->prefetch) {
		if (!s->prefetch->taken && s->prefetch->rc)
			strata__source_free(&s->src);
		strata_error_clear(&s->prefetch->err);
		free(s->prefetch->sums);
		free(s->prefetch);
		s->prefetch = NULL;
	}
}

strata__sumcache *strata__sums(strata *s)
{
	join(s);
	return open_sums(s);
}
