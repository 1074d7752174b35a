/*
 * Targets: the list of databases a fleet command runs on, each with a
 * short name for output, and the shard of the list one job takes.
 */
#define _GNU_SOURCE /* qsort_r */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define NAME_MAX_LEN 64

typedef struct target {
	char *url, *name, *redacted;
	int line;    /* where it was written, for errors */
	int derived; /* its name is its database's, not given */
} target;

struct strata_targets {
	target *items;
	size_t count;
	const char *file;         /* for errors while loading */
	const strata_config *cfg; /* its user, password... keys, or NULL */
};

static int name_char(unsigned char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.';
}

/* Names and tenants go into output and into URLs: letters, digits, '_',
 * '-' and '.'. */
static int name_ok(const char *s, size_t n)
{
	size_t i;

	if (!n || n > NAME_MAX_LEN)
		return 0;
	for (i = 0; i < n; i++)
		if (!name_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The URL with the section's user, password, host... keys applied (as to
 * its url), then kept with its redacted form. Duplicates are found once
 * all are read (check_twice). */
static int add(strata_targets *t, const char *url, size_t n, const char *name,
               size_t name_len, int line, strata_error *err)
{
	target *it;
	char *raw = strata__strndup(url, n), *u = NULL;
	int rc = strata__config_compose_target(t->cfg, raw, &u, t->file, line,
	                                       err);

	free(raw);
	if (rc)
		return rc;
	t->items = strata__realloc(t->items, (t->count + 1) * sizeof(*it));
	it = &t->items[t->count++];
	it->url = u;
	it->redacted = strata_url_redact(u);
	it->name = name ? strata__strndup(name, name_len) : NULL;
	it->line = line;
	return STRATA_OK;
}

/* Positions sorted by a string of their target: by URL or by name
 * (qsort_r: the library may load lists on several threads at once). */
typedef struct sort_by {
	const strata_targets *t;
	int url;
} sort_by;

static int cmp_pos(const void *a, const void *b, void *ctx)
{
	const sort_by *by = ctx;
	const target *x = &by->t->items[*(const size_t *)a];
	const target *y = &by->t->items[*(const size_t *)b];
	int c = by->url ? strcmp(x->url, y->url)
	                : strcmp(x->name ? x->name : "",
	                         y->name ? y->name : "");

	if (c)
		return c;
	return *(const size_t *)a < *(const size_t *)b ? -1 : 1;
}

static size_t *sorted(const strata_targets *t, int by_url)
{
	size_t *pos = strata__calloc(t->count + 1, sizeof(*pos)), i;

	sort_by by = {t, by_url};

	for (i = 0; i < t->count; i++)
		pos[i] = i;
	qsort_r(pos, t->count, sizeof(*pos), cmp_pos, &by);
	return pos;
}

/* One database listed twice would lock itself out: refused, naming the
 * second line. */
static int check_twice(strata_targets *t, strata_error *err)
{
	size_t *pos = sorted(t, 1), i;
	int rc = STRATA_OK;

	for (i = 1; i < t->count && !rc; i++) {
		const target *a = &t->items[pos[i - 1]], *b = &t->items[pos[i]];

		if (!strcmp(a->url, b->url))
			rc = strata__err_at(
			        err, STRATA_EUSAGE, t->file, b->line,
			        "target %s is listed twice (also on "
			        "line %d)",
			        b->redacted, a->line);
	}
	free(pos);
	return rc;
}

/* The end of the URL starting at s in a list: the next comma or blank,
 * except for a comma right inside the "//host,host" part, where libpq
 * lists several hosts. */
static const char *url_end(const char *s)
{
	const char *auth = strstr(s, "://"), *p = s;

	if (auth && auth < s + strcspn(s, ", \t\n")) {
		p = auth + 3;
		while (*p && !strchr("/? \t\n", *p) &&
		       !(*p == ',' && (!p[1] || strchr(" \t\n", p[1]))))
			p++;
	}
	return p + strcspn(p, ", \t\n");
}

static const char *skip_sep(const char *s)
{
	return s + strspn(s, ", \t\n");
}

static int load_list(strata_targets *t, const strata__fleet_keys *k,
                     strata_error *err)
{
	const char *s = skip_sep(k->targets);
	int rc = STRATA_OK;

	while (*s && !rc) {
		const char *e = url_end(s);

		rc = add(t, s, (size_t)(e - s), NULL, 0, k->line, err);
		s = skip_sep(e);
	}
	return rc;
}

static int load_tenants(strata_targets *t, const strata__fleet_keys *k,
                        strata_error *err)
{
	const char *s = skip_sep(k->tenants);
	int rc = STRATA_OK;

	while (*s && !rc) {
		size_t n = strcspn(s, ", \t\n");
		char *tenant = strata__strndup(s, n), *url = NULL;

		if (!name_ok(s, n))
			rc = strata__err_at(
			        err, STRATA_EUSAGE, t->file, k->line,
			        "tenant '%s' may hold only letters, "
			        "digits, '_', '-' and '.' (at most "
			        "%d)",
			        tenant, NAME_MAX_LEN);
		if (!rc)
			rc = strata__expand(&url, k->url_template, "url",
			                    t->file, k->url_line, tenant, err);
		if (!rc)
			rc = add(t, url, strlen(url), s, n, k->line, err);
		free(url);
		free(tenant);
		s = skip_sep(s + n);
	}
	return rc;
}

/* The text before a "#" that starts the line or follows a blank. */
static size_t uncommented(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (s[i] == '#' &&
		    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
			break;
	return i;
}

/* One line of a targets file: "URL" or "NAME URL", comment removed, then
 * ${VAR} expanded. */
static int load_line(strata_targets *t, const char *raw, int line,
                     strata_error *err)
{
	char *text = NULL, *code = strata__strndup(raw, uncommented(raw));
	const char *f[3], *s;
	size_t len[3], n = 0;
	int rc = strata__expand(&text, code, "targets", t->file, line, NULL,
	                        err);

	free(code);
	if (rc)
		return rc;
	for (s = text + strspn(text, " \t\r"); *s && n < 3;
	     s += len[n++], s += strspn(s, " \t\r")) {
		f[n] = s;
		len[n] = strcspn(s, " \t\r");
	}
	if (n == 3)
		rc = strata__err_at(err, STRATA_EUSAGE, t->file, line,
		                    "a target line is \"URL\" or \"NAME URL\", "
		                    "not three words or more");
	else if (n == 2 && !name_ok(f[0], len[0]))
		/* Not echoed: it may be a URL with its password. */
		rc = strata__err_at(err, STRATA_EUSAGE, t->file, line,
		                    "a target line is \"URL\" or \"NAME URL\", "
		                    "and a name holds only letters, digits, "
		                    "'_', '-' and '.' (at most %d)",
		                    NAME_MAX_LEN);
	else if (n)
		rc = add(t, f[n - 1], len[n - 1], n == 2 ? f[0] : NULL,
		         n == 2 ? len[0] : 0, line, err);
	free(text);
	return rc;
}

/* text (modified) holds the file's lines. */
static int load_text(strata_targets *t, char *text, strata_error *err)
{
	char *s, *eol;
	int rc = STRATA_OK, line = 0;

	for (s = text; !rc && *s; s = eol + 1) {
		eol = strchr(s, '\n');
		if (eol)
			*eol = '\0';
		rc = load_line(t, s, ++line, err);
		if (!eol)
			break;
	}
	if (!rc && !t->count)
		rc = strata__err_at(err, STRATA_EUSAGE, t->file, 0,
		                    "no targets in the file");
	return rc;
}

static int load_file(strata_targets *t, const char *path, strata_error *err)
{
	char *text = NULL;
	int rc = strata__read_file(&text, NULL, path, err);

	if (rc)
		return STRATA_EUSAGE; /* a missing list is a usage error */
	t->file = path;
	rc = load_text(t, text, err);
	free(text);
	return rc;
}

/* The file's or database's name: "tenant_acme" for
 * postgres://h/tenant_acme, "acme" for sqlite:dir/acme.db. */
static char *derived_name(const char *url)
{
	strata__url_owned u;
	strata_error e;
	const char *base, *dot;
	char *name = NULL;

	memset(&e, 0, sizeof(e));
	if (strata__url_parse_as(&u, url, strata__url_form_hint(url), &e)) {
		strata_error_clear(&e);
		return NULL;
	}
	if (u.url.path && *u.url.path) {
		base = strrchr(u.url.path, '/');
		base = base ? base + 1 : u.url.path;
		dot = strrchr(base, '.');
		if (!u.url.host && dot && dot > base)
			name = strata__strndup(base, (size_t)(dot - base));
		else
			name = strata__strdup(base);
	} else if (u.url.host) {
		name = strata__strdup(u.url.host);
	}
	strata__url_free(&u);
	return name;
}

/* The first duplicated name in sorted positions, or -1; *dup its later
 * position. */
static long first_dup(const strata_targets *t, size_t *dup)
{
	size_t *pos = sorted(t, 0), i;
	long found = -1;

	for (i = 1; i < t->count && found < 0; i++) {
		const target *a = &t->items[pos[i - 1]], *b = &t->items[pos[i]];

		if (a->name && b->name && !strcmp(a->name, b->name)) {
			found = (long)pos[i - 1];
			*dup = pos[i];
		}
	}
	free(pos);
	return found;
}

/* How many of the unnamed targets derive each name: a sorted copy. */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t derived_count(char **sorted_names, size_t n, const char *name)
{
	char **hit = bsearch(&name, sorted_names, n, sizeof(char *), cmp_str);
	size_t k = 0;

	if (!hit)
		return 0;
	while (hit > sorted_names && !strcmp(hit[-1], name))
		hit--;
	while (hit + k < sorted_names + n && !strcmp(hit[k], name))
		k++;
	return k;
}

/* "mx", or "postgres-mx" where another target's database is also "mx". */
static char *candidate(const target *it, const char *d, size_t shared)
{
	char *scheme, *s;

	if (!d || !name_ok(d, strlen(d)))
		return NULL;
	if (shared == 1)
		return strata__strdup(d);
	scheme = strata__url_scheme(it->url);
	s = strata__printf("%s-%s", scheme ? scheme : "sqlite", d);
	free(scheme);
	if (name_ok(s, strlen(s)))
		return s;
	free(s);
	return NULL;
}

static void derive(strata_targets *t)
{
	char **d = strata__calloc(t->count + 1, sizeof(*d));
	char **list = strata__calloc(t->count + 1, sizeof(*list));
	size_t i, n = 0;

	for (i = 0; i < t->count; i++)
		if (!t->items[i].name && (d[i] = derived_name(t->items[i].url)))
			list[n++] = d[i];
	qsort(list, n, sizeof(*list), cmp_str);
	for (i = 0; i < t->count; i++) {
		if (t->items[i].name)
			continue;
		t->items[i].derived = 1;
		t->items[i].name =
		        candidate(&t->items[i], d[i],
		                  d[i] ? derived_count(list, n, d[i]) : 0);
		if (!t->items[i].name)
			t->items[i].name = strata__printf("target#%zu", i + 1);
	}
	for (i = 0; i < t->count; i++)
		free(d[i]);
	free(d);
	free(list);
}

/* Unnamed targets get their database's name, with the scheme in front
 * where two share one; a derived name that still clashes gets "#N" (its
 * position). Names given twice are refused. */
static int name_all(strata_targets *t, strata_error *err)
{
	size_t dup = 0;
	long first = first_dup(t, &dup);

	if (first >= 0)
		return strata__err_at(err, STRATA_EUSAGE, t->file,
		                      t->items[dup].line,
		                      "target name '%s' is used twice (also on "
		                      "line %d)",
		                      t->items[dup].name, t->items[first].line);
	derive(t);
	while ((first = first_dup(t, &dup)) >= 0) {
		size_t k = t->items[dup].derived ? dup : (size_t)first;
		char *n = strata__printf("%s#%zu", t->items[k].name, k + 1);

		free(t->items[k].name);
		t->items[k].name = n;
	}
	return STRATA_OK;
}

/* A list read (rc: how that went): no database twice, every target
 * named; *out gets it, or it is freed. */
static int finish(strata_targets **out, strata_targets *t, int rc,
                  strata_error *err)
{
	if (!rc)
		rc = check_twice(t, err);
	if (!rc)
		rc = name_all(t, err);
	t->file = NULL;
	if (rc) {
		strata_targets_free(t);
		return rc;
	}
	*out = t;
	return STRATA_OK;
}

int strata_targets_load(strata_targets **out, const strata_config *cfg,
                        const char *file, strata_error *err)
{
	const strata__fleet_keys *k = cfg ? strata__config_fleet(cfg) : NULL;
	strata_targets *t;
	int rc;

	*out = NULL;
	if (!file && (!k || (!k->targets && !k->targets_file && !k->tenants)))
		return STRATA_OK;
	t = strata__calloc(1, sizeof(*t));
	/* The section's user, password... keys go with its own list only:
	 * a --targets file's URLs are complete. */
	t->cfg = file ? NULL : cfg;
	t->file = cfg ? strata__config_file(cfg) : NULL;
	if (file)
		rc = load_file(t, file, err);
	else if (k->targets_file)
		rc = load_file(t, k->targets_file, err);
	else if (k->targets)
		rc = load_list(t, k, err);
	else
		rc = load_tenants(t, k, err);
	if (!rc && !t->count)
		rc = strata__err_at(err, STRATA_EUSAGE, t->file,
		                    k ? k->line : 0,
		                    "the target list is empty");
	return finish(out, t, rc, err);
}

int strata__targets_parse(strata_targets **out, const char *text,
                          const char *file, strata_error *err)
{
	strata_targets *t = strata__calloc(1, sizeof(*t));
	char *copy = strata__strdup(text);
	int rc;

	*out = NULL;
	t->file = file;
	rc = load_text(t, copy, err);
	free(copy);
	return finish(out, t, rc, err);
}

size_t strata_targets_count(const strata_targets *t)
{
	return t ? t->count : 0;
}

const char *strata_targets_url(const strata_targets *t, size_t i)
{
	return t && i < t->count ? t->items[i].url : NULL;
}

const char *strata_targets_name(const strata_targets *t, size_t i)
{
	return t && i < t->count ? t->items[i].name : NULL;
}

const char *strata_targets_redacted(const strata_targets *t, size_t i)
{
	return t && i < t->count ? t->items[i].redacted : NULL;
}

/* The weight of key in slice j: the first 64 bits of SHA-256("j key"). */
static uint64_t weight(const char *key, unsigned j)
{
	char hex[STRATA__SHA256_HEX], *s = strata__printf("%u %s", j, key);

	strata__sha256_hex(hex, s, strlen(s));
	free(s);
	hex[16] = '\0';
	return strtoull(hex, NULL, 16);
}

/* Rendezvous hashing: the slice with the highest weight owns the target. */
static unsigned slice_of(const char *key, unsigned n)
{
	unsigned j, best = 0;
	uint64_t bw = 0;

	for (j = 0; j < n; j++) {
		uint64_t w = weight(key, j);

		if (j == 0 || w > bw) {
			bw = w;
			best = j;
		}
	}
	return best;
}

static void target_free(target *it)
{
	free(it->url);
	free(it->name);
	free(it->redacted);
}

int strata_targets_shard(strata_targets *t, unsigned k, unsigned n,
                         strata_error *err)
{
	size_t i, kept = 0;

	if (!t || n == 0 || k == 0 || k > n)
		return strata__err(err, STRATA_EUSAGE,
		                   "shard %u/%u: K is 1 to N", k, n);
	for (i = 0; i < t->count; i++) {
		if (slice_of(t->items[i].redacted, n) == k - 1)
			t->items[kept++] = t->items[i];
		else
			target_free(&t->items[i]);
	}
	t->count = kept;
	return STRATA_OK;
}

void strata_targets_free(strata_targets *t)
{
	size_t i;

	if (!t)
		return;
	for (i = 0; i < t->count; i++)
		target_free(&t->items[i]);
	free(t->items);
	free(t);
}
