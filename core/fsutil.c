/* Files, clocks and the identity recorded in history. */
#define _GNU_SOURCE /* getdents64 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "internal.h"

int strata__read_file(char **out, size_t *len, const char *path,
                      strata_error *err)
{
	strata__buf b = STRATA__BUF_INIT;
	struct stat st;
	size_t want = 8192;
	ssize_t n;
	int reg = 0, fd = open(path, O_RDONLY | O_CLOEXEC);

	/* A file strata cannot read is a setup problem: exit 2. */
	if (fd < 0)
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "cannot read: %s", strerror(errno));
	if (fstat(fd, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			close(fd);
			return strata__err_at(err, STRATA_EUSAGE, path, 0,
			                      "cannot read: is a folder");
		}
		/* One byte more than the size: a short read of a regular
		 * file is its end, so a file costs one read (lint reads
		 * thousands). */
		reg = S_ISREG(st.st_mode);
		if (reg && st.st_size > 0)
			want = (size_t)st.st_size + 1;
	}
	for (;;) {
		n = read(fd, strata__buf_reserve(&b, want), want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		b.len += (size_t)n;
		b.ptr[b.len] = '\0';
		if (reg && (size_t)n < want)
			break;
	}
	if (n < 0) {
		int e = errno;

		close(fd);
		strata__buf_free(&b);
		return strata__err_at(err, STRATA_EUSAGE, path, 0,
		                      "read error: %s", strerror(e));
	}
	close(fd);
	if (len)
		*len = b.len;
	*out = strata__buf_detach(&b);
	return STRATA_OK;
}

#if defined(__linux__) && defined(__GLIBC__) &&                                \
        (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 30))
#define HAVE_GETDENTS64 1
#endif

#ifdef HAVE_GETDENTS64
/* The records of one getdents64 call; 1 to stop. */
static int each_record(const char *buf, ssize_t n, strata__dir_fn fn, void *ctx)
{
	ssize_t off = 0;

	while (off < n) {
		const struct dirent64 *e = (const void *)(buf + off);

		off += e->d_reclen;
		if (e->d_name[0] == '.' &&
		    (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		if (fn(ctx, e->d_name, e->d_type))
			return 1;
	}
	return 0;
}

/* Without opendir's fstat and its 32 KiB buffer: a migration folder costs
 * an open, one read of its entries and the read that finds no more
 * (scanning 10,000 of them is most of what status does). Closes fd. */
static int dir_list(int fd, strata__dir_fn fn, void *ctx)
{
	char buf[4096] __attribute__((aligned(8)));
	ssize_t n;
	int e;

	while ((n = getdents64(fd, buf, sizeof(buf))) > 0)
		if (each_record(buf, n, fn, ctx))
			break;
	e = errno;
	close(fd);
	errno = e;
	return n < 0 ? -1 : 0;
}
#else
static int dir_list(int fd, strata__dir_fn fn, void *ctx)
{
	DIR *d = fdopendir(fd);
	struct dirent *e;
	int stop = 0, err;

	if (!d) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	/* fn may leave errno set: only readdir's own end counts. */
	while (!stop && (errno = 0, e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			stop = fn(ctx, e->d_name, e->d_type);
	err = stop ? 0 : errno;
	closedir(d);
	errno = err;
	return err ? -1 : 0;
}
#endif

int strata__dir_each(int at, const char *name, strata__dir_fn fn, void *ctx)
{
	int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -1 : dir_list(fd, fn, ctx);
}

int strata__file_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int strata__dir_exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

char *strata__path_join(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), sep;
	char *p;

	if (!la || b[0] == '/')
		return strata__strdup(b);
	sep = a[la - 1] != '/';
	p = strata__malloc(la + sep + lb + 1);
	memcpy(p, a, la);
	p[la] = '/';
	memcpy(p + la + sep, b, lb + 1);
	return p;
}

void strata__now_iso(char out[32])
{
	struct timespec ts;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(out, 20, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + 19, 13, ".%03uZ",
	         (unsigned)(ts.tv_nsec / 1000000) % 1000);
}

int64_t strata__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* "user@host", or $STRATA_APPLIED_BY for CI systems that know better. */
char *strata__whoami(void)
{
	const char *env = getenv("STRATA_APPLIED_BY");
	const char *user = getenv("USER");
	struct passwd pwd, *pw = NULL;
	char host[256] = "", pwbuf[4096];

	if (env && *env)
		return strata__strdup(env);
	if (!user || !*user) {
		/* getpwuid_r: handles may be used from several threads. */
		if (getpwuid_r(getuid(), &pwd, pwbuf, sizeof(pwbuf), &pw) != 0)
			pw = NULL;
		user = pw ? pw->pw_name : "unknown";
	}
	if (gethostname(host, sizeof(host) - 1) != 0)
		snprintf(host, sizeof(host), "unknown");
	return strata__printf("%s@%s", user, host);
}

/* Names come from the filesystem: a folder named with an escape sequence
 * must not drive the user's terminal. */
char *strata__printable(const char *s)
{
	strata__buf b = STRATA__BUF_INIT;
	const char *p = s;

	while (p && *p && (unsigned char)*p >= 0x20 && *p != 0x7f)
		p++;
	if (p && !*p) /* the usual case: nothing to escape */
		return strata__strdup(s);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20 || c == 0x7f)
			strata__buf_printf(&b, "\\x%02x", c);
		else
			strata__buf_putc(&b, (char)c);
	}
	return strata__buf_detach(&b);
}
