/*
 * The checksum cache: what status, plan and check would otherwise read and
 * hash on every run (every applied up file), keyed as git's index keys its
 * entries: the file's device, inode, size, and change and modification
 * times in nanoseconds. A file whose times are within RACY_NS of the moment
 * it was hashed is not cached, since a write in the same clock tick would
 * leave its times unchanged. Folder listings (the migrations folder's and
 * each migration folder's) are kept the same way, in name order, keyed by
 * the folder's identity and times (adding, removing or renaming an entry
 * changes its mtime), as git's untracked cache does: a warm status costs
 * a stat of each folder and of each up file, not an open, two reads and a
 * close of every folder. One file per migrations folder, under the
 * directory given to strata_set_checksum_cache(); it belongs to the user,
 * and one that is not theirs alone is ignored. Losing it costs a re-read.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

#define MAGIC   "strata-sums 1\n"
#define RACY_NS 2000000000LL

#define OWN_PATH 1 /* else it points into the loaded file's text */
#define OWN_LIST 2
#define OWN_SUMS 4

/* The two checksums as they are saved, "sum raw": hex, so that neither the
 * load nor a lookup converts them. */
#define HEX  (2 * STRATA__SHA256_BYTES)
#define PAIR (2 * HEX + 1)

/* 10,000 migrations are 20,000 entries: kept small. */
typedef struct sum_entry {
	char *path;
	/* A folder's entries instead of a checksum: a type letter and the
	 * name for each, joined by '/' (which no name holds); else NULL. */
	char *list;
	unsigned long long dev, ino, size; /* size ~0: stale, not saved */
	long long mtime, ctime;
	char *sums;        /* a file's: PAIR bytes, not NUL-terminated */
	unsigned char own; /* OWN_* */
} sum_entry;

struct strata__sumcache {
	char *file; /* NULL: nothing is kept */
	char *text; /* the loaded file, which loaded entries point into */
	sum_entry *v;
	size_t n, cap;
	/* Entries by path: open addressing (a status looks up 20,000 paths;
	 * a search by comparison cost more than the stat calls it saves). */
	struct sum_slot *slot;
	size_t nslot; /* a power of two above 2 n */
	int dirty;
	int refresh; /* folders are listed again, and kept */
};

/* An index + 1 into v, or 0; and the path's hash, so that a probe
 * compares paths only when the hashes agree. */
struct sum_slot {
	uint32_t idx, hash;
};

static long long ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

static uint32_t hash(const char *p)
{
	return (uint32_t)strata__hash(p, strlen(p), 0);
}

static void index_put(strata__sumcache *c, size_t i)
{
	uint32_t h = hash(c->v[i].path);
	size_t k = h & (c->nslot - 1);

	while (c->slot[k].idx)
		k = (k + 1) & (c->nslot - 1);
	c->slot[k].idx = (uint32_t)(i + 1);
	c->slot[k].hash = h;
}

static void reindex(strata__sumcache *c)
{
	size_t i;

	free(c->slot);
	for (c->nslot = 64; c->nslot <= 2 * c->n; c->nslot *= 2)
		;
	c->slot = strata__calloc(c->nslot, sizeof(*c->slot));
	for (i = 0; i < c->n; i++)
		index_put(c, i);
}

static void drop(sum_entry *e)
{
	if (e->own & OWN_PATH)
		free(e->path);
	if (e->own & OWN_LIST)
		free(e->list);
	if (e->own & OWN_SUMS)
		free(e->sums);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const sum_entry *)a)->path,
	              ((const sum_entry *)b)->path);
}

/* Each path is looked up once per status, so new entries are distinct;
 * an equal pair (never expected) keeps either: both are checked against
 * the file before use. */
static void sort(strata__sumcache *c)
{
	size_t i, k = 0;

	strata__sort(c->v, c->n, sizeof(*c->v), cmp_entry); /* as saved */
	for (i = 0; i < c->n; i++) {
		if (k && !strcmp(c->v[k - 1].path, c->v[i].path)) {
			drop(&c->v[i]);
			continue;
		}
		c->v[k++] = c->v[i];
	}
	c->n = k;
	reindex(c);
}

static void reserve(strata__sumcache *c, size_t n)
{
	if (n > c->cap) {
		c->cap = n;
		c->v = strata__realloc(c->v, c->cap * sizeof(*c->v));
	}
}

static sum_entry *push(strata__sumcache *c)
{
	if (c->n == c->cap)
		reserve(c, c->cap ? c->cap + c->cap / 2 : 256);
	memset(&c->v[c->n], 0, sizeof(c->v[0]));
	return &c->v[c->n++];
}

/* A number and the blank after it; NULL when there is none, or when it
 * does not fit (20 digits at most; 19 cannot overflow, so only a 20th is
 * checked). */
static char *num(char *p, unsigned long long *out)
{
	unsigned long long v = 0;
	size_t i;

	for (i = 0; p[i] >= '0' && p[i] <= '9'; i++) {
		unsigned d = (unsigned)(p[i] - '0');

		if (i >= 19 && (i == 20 || v > (~0ULL - d) / 10))
			return NULL;
		v = v * 10 + d;
	}
	if (!i || p[i] != ' ')
		return NULL;
	*out = v;
	return p + i + 1;
}

/* Two sets of 64 lower-case hex digits, each followed by a blank. */
static char *sums(char *p, char **out)
{
	if (!strata__is_hex(p, HEX) || p[HEX] != ' ' ||
	    !strata__is_hex(p + HEX + 1, HEX) || p[PAIR] != ' ')
		return NULL;
	*out = p;
	return p + PAIR + 1;
}

/* Times are kept signed: a larger one would be saved as a negative
 * number, which no line parses back. */
static int times_fit(unsigned long long mt, unsigned long long ct)
{
	return mt <= (unsigned long long)LLONG_MAX &&
	       ct <= (unsigned long long)LLONG_MAX;
}

/* A folder: "D dev ino mtime ctime len list path", list len bytes long. */
static void parse_dir(strata__sumcache *c, char *p)
{
	sum_entry e;
	unsigned long long mt, ct, len;

	memset(&e, 0, sizeof(e));
	if ((p = num(p, &e.dev)) && (p = num(p, &e.ino)) && (p = num(p, &mt)) &&
	    (p = num(p, &ct)) && times_fit(mt, ct) && (p = num(p, &len)) &&
	    strlen(p) > len && p[len] == ' ' && p[len + 1]) {
		e.mtime = (long long)mt;
		e.ctime = (long long)ct;
		p[len] = '\0';
		e.list = p;
		e.path = p + len + 1;
		*push(c) = e;
	}
}

/* One line: dev ino size mtime ctime sum raw path (sscanf costs more than
 * the rest of a 10,000-line load together), or a folder's. */
static void parse_line(strata__sumcache *c, char *p)
{
	sum_entry e;
	unsigned long long mt, ct;

	if (p[0] == 'D' && p[1] == ' ') {
		parse_dir(c, p + 2);
		return;
	}
	memset(&e, 0, sizeof(e));
	if ((p = num(p, &e.dev)) && (p = num(p, &e.ino)) &&
	    (p = num(p, &e.size)) && (p = num(p, &mt)) && (p = num(p, &ct)) &&
	    times_fit(mt, ct) && (p = sums(p, &e.sums)) && *p) {
		e.mtime = (long long)mt;
		e.ctime = (long long)ct;
		e.path = p;
		*push(c) = e;
	}
}

/* The entries of text (NUL-terminated, taken: entries point into it);
 * lines that do not parse are left out, and all of it without MAGIC. */
static void parse(strata__sumcache *c, char *text)
{
	char *line, *next;
	size_t n;

	if (strncmp(text, MAGIC, strlen(MAGIC)) != 0) {
		free(text);
		return;
	}
	for (n = 0, line = text; (line = strchr(line, '\n')) != NULL; line++)
		n++;
	reserve(c, n + n / 8);
	c->text = text;
	for (line = text + strlen(MAGIC); *line; line = next) {
		next = strchr(line, '\n');
		if (!next)
			break;
		*next++ = '\0';
		parse_line(c, line);
	}
	sort(c);
}

/* Only a regular file of ours that nobody else may write is believed. */
static void load(strata__sumcache *c)
{
	int fd = open(c->file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *text;
	ssize_t got;

	if (fd < 0)
		return;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || st.st_size > (off_t)1 << 30) {
		close(fd);
		return;
	}
	text = strata__malloc((size_t)st.st_size + 1);
	got = read(fd, text, (size_t)st.st_size);
	close(fd);
	if (got != (ssize_t)st.st_size) {
		free(text);
		return;
	}
	text[got] = '\0';
	parse(c, text);
}

strata__sumcache *strata__sumcache_open(const char *dir, const char *folder)
{
	strata__sumcache *c = strata__calloc(1, sizeof(*c));
	char *real, hex[STRATA__SHA256_HEX];

	if (!dir || !*dir || !folder)
		return c;
	real = realpath(folder, NULL);
	if (!real)
		return c;
	strata__sha256_hex(hex, real, strlen(real));
	free(real);
	hex[32] = '\0';
	c->file = strata__printf("%s/sums-%s", dir, hex);
	load(c);
	return c;
}

strata__sumcache *strata__sumcache_parse(const char *data, size_t n)
{
	strata__sumcache *c = strata__calloc(1, sizeof(*c));
	char *text = strata__malloc(n + 1);

	memcpy(text, data, n);
	text[n] = '\0';
	parse(c, text);
	return c;
}

static sum_entry *find(strata__sumcache *c, const char *path)
{
	uint32_t h;
	size_t k;

	if (!c->nslot)
		return NULL;
	h = hash(path);
	for (k = h & (c->nslot - 1); c->slot[k].idx;
	     k = (k + 1) & (c->nslot - 1))
		if (c->slot[k].hash == h &&
		    !strcmp(c->v[c->slot[k].idx - 1].path, path))
			return &c->v[c->slot[k].idx - 1];
	return NULL;
}

static int same_file(const sum_entry *e, const struct stat *st)
{
	return e->dev == (unsigned long long)st->st_dev &&
	       e->ino == (unsigned long long)st->st_ino &&
	       e->size == (unsigned long long)st->st_size &&
	       e->mtime == ns(&st->st_mtim) && e->ctime == ns(&st->st_ctim);
}

/* path's entry while it still describes the file st, else NULL. */
static sum_entry *kept(strata__sumcache *c, const char *path,
                       const struct stat *st)
{
	sum_entry *e = find(c, path);

	return e && same_file(e, st) ? e : NULL;
}

/* The entry to fill for path, or NULL when st is too recent to trust
 * (an existing entry is then marked stale). */
static sum_entry *fresh_entry(strata__sumcache *c, const char *path,
                              const struct stat *st)
{
	struct timespec now;
	sum_entry *e = find(c, path);

	clock_gettime(CLOCK_REALTIME, &now);
	if (ns(&now) - ns(&st->st_mtim) < RACY_NS ||
	    ns(&now) - ns(&st->st_ctim) < RACY_NS) {
		if (e) /* stale now; dropped at the next save */
			e->size = ~0ULL;
		return NULL;
	}
	if (!e) {
		e = push(c);
		e->path = strata__strdup(path);
		e->own = OWN_PATH;
		if (2 * c->n >= c->nslot)
			reindex(c);
		else
			index_put(c, c->n - 1);
	}
	return e;
}

static void remember(strata__sumcache *c, const char *path,
                     const struct stat *st, const char *sum, const char *raw)
{
	sum_entry *e = fresh_entry(c, path, st);

	if (!e)
		return;
	e->dev = (unsigned long long)st->st_dev;
	e->ino = (unsigned long long)st->st_ino;
	e->size = (unsigned long long)st->st_size;
	e->mtime = ns(&st->st_mtim);
	e->ctime = ns(&st->st_ctim);
	if (!(e->own & OWN_SUMS)) {
		e->sums = strata__malloc(PAIR);
		e->own |= OWN_SUMS;
	}
	memcpy(e->sums, sum, HEX);
	e->sums[HEX] = ' ';
	memcpy(e->sums + HEX + 1, raw, HEX);
	if (!strata__is_hex(e->sums, HEX) ||
	    !strata__is_hex(e->sums + HEX + 1, HEX))
		e->size = ~0ULL; /* never: checksums are hex */
	c->dirty = 1;
}

static void put_sums(const sum_entry *e, char sum[STRATA__SHA256_HEX],
                     char raw[STRATA__SHA256_HEX])
{
	memcpy(sum, e->sums, HEX);
	sum[HEX] = '\0';
	memcpy(raw, e->sums + HEX + 1, HEX);
	raw[HEX] = '\0';
}

int strata__sumcache_peek(strata__sumcache *c, int at, const char *rel,
                          const char *path, char sum[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX])
{
	struct stat st;
	sum_entry *e;

	if (!c || !c->file || !path || fstatat(at, rel, &st, 0) != 0 ||
	    !(e = kept(c, path, &st)) || !e->sums)
		return 0;
	put_sums(e, sum, raw);
	return 1;
}

int strata__sumcache_get(strata__sumcache *c, int full,
                         char out[STRATA__SHA256_HEX],
                         char raw[STRATA__SHA256_HEX], const char *path,
                         strata_error *err)
{
	struct stat st;
	sum_entry *e;
	int rc;

	if (!c || !c->file || !path)
		return strata__checksums_for(out, raw, path, err);
	if (stat(path, &st) != 0)
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "cannot read: %s", strerror(errno));
	e = full ? NULL : kept(c, path, &st);
	if (e && e->sums) {
		put_sums(e, out, raw);
		return STRATA_OK;
	}
	rc = strata__checksums_for(out, raw, path, err);
	if (!rc)
		remember(c, path, &st, out, raw);
	return rc;
}

/* mkdir -p, 0700 as the XDG base directory spec asks for what it makes. */
static void mkdirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(dir, 0700);
			*p = '/';
		}
	mkdir(dir, 0700);
}

/* The file's text for the entries, in their order. */
static void render(const strata__sumcache *c, strata__buf *b)
{
	size_t i;

	strata__buf_puts(b, MAGIC);
	for (i = 0; i < c->n; i++) {
		const sum_entry *e = &c->v[i];

		if (e->size == ~0ULL || strchr(e->path, '\n'))
			continue;
		if (e->list)
			strata__buf_printf(b,
			                   "D %llu %llu %lld %lld %zu %s %s\n",
			                   e->dev, e->ino, e->mtime, e->ctime,
			                   strlen(e->list), e->list, e->path);
		else if (e->sums)
			strata__buf_printf(b,
			                   "%llu %llu %llu %lld %lld %.*s %s\n",
			                   e->dev, e->ino, e->size, e->mtime,
			                   e->ctime, PAIR, e->sums, e->path);
	}
}

char *strata__sumcache_text(const strata__sumcache *c)
{
	strata__buf b = STRATA__BUF_INIT;

	render(c, &b);
	return strata__buf_detach(&b);
}

/* Written whole to a temporary file and renamed over the old one, so a
 * reader never sees half of it; any failure just leaves the old one. */
static void save(strata__sumcache *c)
{
	char *dir = strata__strdup(c->file), *slash = strrchr(dir, '/');
	char *tmp = strata__printf("%s.%ld.tmp", c->file, (long)getpid());
	strata__buf b = STRATA__BUF_INIT;
	int fd;

	if (slash) {
		*slash = '\0';
		mkdirs(dir);
	}
	free(dir);
	render(c, &b);
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
	          0600);
	if (fd >= 0) {
		int ok = write(fd, b.ptr, b.len) == (ssize_t)b.len;

		ok = !close(fd) && ok;
		if (!ok || rename(tmp, c->file) != 0)
			unlink(tmp);
	}
	strata__buf_free(&b);
	free(tmp);
}

void strata__sumcache_flush(strata__sumcache *c)
{
	if (c && c->file && c->dirty) {
		sort(c);
		save(c);
		c->dirty = 0;
	}
}

void strata__sumcache_close(strata__sumcache *c)
{
	size_t i;

	if (!c)
		return;
	strata__sumcache_flush(c);
	for (i = 0; i < c->n; i++)
		drop(&c->v[i]);
	free(c->v);
	free(c->slot);
	free(c->text);
	free(c->file);
	free(c);
}

/* ---- folder listings -------------------------------------------------- */

static char type_letter(unsigned char t)
{
	return t == DT_REG ? 'f' : t == DT_DIR ? 'd' : t == DT_LNK ? 'l' : 'u';
}

static unsigned char letter_type(char c)
{
	return c == 'f'   ? DT_REG
	       : c == 'd' ? DT_DIR
	       : c == 'l' ? DT_LNK
	                  : DT_UNKNOWN;
}

typedef struct listing {
	strata__buf b;
	strata__dir_fn fn;
	void *ctx;
	int partial; /* a name the cache cannot hold, or fn stopped */
} listing;

static int record(void *ctx, const char *name, unsigned char type)
{
	listing *l = ctx;

	l->partial |= strchr(name, '\n') != NULL;
	if (l->b.len)
		strata__buf_putc(&l->b, '/');
	strata__buf_putc(&l->b, type_letter(type));
	strata__buf_puts(&l->b, name);
	if (l->fn(l->ctx, name, type)) {
		l->partial = 1;
		return 1;
	}
	return 0;
}

static int replay(const char *list, strata__dir_fn fn, void *ctx)
{
	char *copy = strata__strdup(list), *p = copy, *slash;
	int stop = 0;

	while (!stop && *p) {
		slash = strchr(p, '/');
		if (slash)
			*slash = '\0';
		stop = fn(ctx, p + 1, letter_type(p[0]));
		p = slash ? slash + 1 : p + strlen(p);
	}
	free(copy);
	return 0;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a + 1, *(char *const *)b + 1);
}

/* A listing kept in name order, so that a folder of migrations named
 * with fixed-width versions replays already sorted. */
static char *sorted_list(strata__buf *b)
{
	char **v = NULL, *p = b->ptr, *slash;
	size_t n = 0, i, cap = 0;
	strata__buf o = STRATA__BUF_INIT;

	while (p && *p) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			v = strata__realloc(v, cap * sizeof(*v));
		}
		v[n++] = p;
		slash = strchr(p, '/');
		if (!slash)
			break;
		*slash = '\0';
		p = slash + 1;
	}
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_name);
	for (i = 0; i < n; i++) {
		if (i)
			strata__buf_putc(&o, '/');
		strata__buf_puts(&o, v[i]);
	}
	free(v);
	return strata__buf_detach(&o);
}

static int same_dir(const sum_entry *e, const struct stat *st)
{
	return e->list && e->size != ~0ULL &&
	       e->dev == (unsigned long long)st->st_dev &&
	       e->ino == (unsigned long long)st->st_ino &&
	       e->mtime == ns(&st->st_mtim) && e->ctime == ns(&st->st_ctim);
}

int strata__sumcache_dir(strata__sumcache *c, int at, const char *name,
                         const char *path, strata__dir_fn fn, void *ctx)
{
	struct stat st;
	sum_entry *e;
	listing l = {STRATA__BUF_INIT, fn, ctx, 0};
	int rc;

	/* Its times before its entries: a change in between is newer than
	 * what is kept, and the next run lists it again. */
	if (!c || !c->file || fstatat(at, name, &st, 0) != 0 ||
	    !S_ISDIR(st.st_mode))
		return strata__dir_each(at, name, fn, ctx);
	e = c->refresh ? NULL : find(c, path);
	if (e && same_dir(e, &st))
		return replay(e->list, fn, ctx);
	rc = strata__dir_each(at, name, record, &l);
	if (!rc && !l.partial && (e = fresh_entry(c, path, &st)) != NULL) {
		e->dev = (unsigned long long)st.st_dev;
		e->ino = (unsigned long long)st.st_ino;
		e->size = 0;
		e->mtime = ns(&st.st_mtim);
		e->ctime = ns(&st.st_ctim);
		if (e->own & OWN_LIST)
			free(e->list);
		e->list = sorted_list(&l.b);
		e->own |= OWN_LIST;
		c->dirty = 1;
	}
	strata__buf_free(&l.b);
	return rc;
}

void strata__sumcache_refresh(strata__sumcache *c)
{
	if (c)
		c->refresh = 1;
}
