/*
 * Other tools' migration folders, read in place: dbmate and goose (one
 * file a migration, with up and down sections), golang-migrate and pop
 * (<version>_<name>[.<dialect>][.autocommit].up.sql / .down.sql), Flyway
 * (V<version>__<desc>.sql, U<version>__<desc>.sql undoing it). Each file
 * becomes a migration as strata's own folders do; what runs of a file
 * (its section, whether in a transaction) is decided when it is read.
 */
#define _GNU_SOURCE /* memmem */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "internal.h"

static const char *const names[] = {
        [STRATA__LAYOUT_AUTO] = "auto",
        [STRATA__LAYOUT_STRATA] = "strata",
        [STRATA__LAYOUT_DBMATE] = "dbmate",
        [STRATA__LAYOUT_GOLANG_MIGRATE] = "golang-migrate",
        [STRATA__LAYOUT_GOOSE] = "goose",
        [STRATA__LAYOUT_FLYWAY] = "flyway",
        [STRATA__LAYOUT_POP] = "pop",
};

int strata__layout_from_name(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (name && !strcmp(name, names[i]))
			return (int)i;
	return -1;
}

const char *strata__layout_name(int layout)
{
	return layout >= 0 && layout < (int)(sizeof(names) / sizeof(names[0]))
	               ? names[layout]
	               : "?";
}

/* ---- file names ------------------------------------------------------ */

typedef struct fname {
	char *version, *id, *name, *dialect;
	int up, autocommit;
} fname;

static void fname_free(fname *f)
{
	free(f->version);
	free(f->id);
	free(f->name);
	free(f->dialect);
	memset(f, 0, sizeof(*f));
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && !strcmp(s + n - k, suffix);
}

/* "<digits>_<rest>": the digits' length, or 0. */
static size_t lead_digits(const char *f)
{
	size_t n = strspn(f, "0123456789");

	return n && f[n] == '_' && f[n + 1] ? n : 0;
}

/* dbmate and goose: <version>_<name>.sql, one file for up and down. */
static int single_name(fname *out, const char *f)
{
	size_t n = lead_digits(f), len = strlen(f);

	if (!n || !ends_with(f, ".sql") || ends_with(f, ".up.sql") ||
	    ends_with(f, ".down.sql"))
		return 0;
	out->version = strata__strndup(f, n);
	out->id = strata__strndup(f, len - 4);
	out->name = strata__strndup(f + n + 1, len - 4 - n - 1);
	out->up = 1;
	return 1;
}

/* The length of f without ".up.sql" (out->up = 1) or ".down.sql"; 0 if
 * it ends in neither. */
static size_t updown_stem(const char *f, fname *out)
{
	size_t len = strlen(f);

	out->up = ends_with(f, ".up.sql");
	if (out->up)
		return len - 7;
	return ends_with(f, ".down.sql") ? len - 9 : 0;
}

/* golang-migrate and pop: <version>_<name>[.<dialect>][.autocommit]
 * .(up|down).sql, the name without dots (pop's rule). */
static int updown_name(fname *out, const char *f)
{
	size_t n = lead_digits(f), stem = updown_stem(f, out);
	const char *name, *dot, *rest;

	if (!n || !stem)
		return 0;
	name = f + n + 1;
	dot = memchr(name, '.', (size_t)(f + stem - name));
	out->version = strata__strndup(f, n);
	out->name = strata__strndup(name, dot ? (size_t)(dot - name)
	                                      : (size_t)(f + stem - name));
	out->id = strata__strndup(f, (size_t)((dot ? dot : f + stem) - f));
	for (rest = dot; rest && rest < f + stem;) {
		const char *next =
		        memchr(rest + 1, '.', (size_t)(f + stem - rest - 1));
		size_t k = (size_t)((next ? next : f + stem) - rest - 1);

		if (k == 10 && !strncmp(rest + 1, "autocommit", 10))
			out->autocommit = 1;
		else if (!out->dialect && !out->autocommit)
			out->dialect = strata__strndup(rest + 1, k);
		else
			return -1;
		rest = next;
	}
	return 1;
}

/* Flyway: V<version>__<desc>.sql (U: its undo); the version's parts
 * separated by '.' or '_' ("1_1" is 1.1). */
static int flyway_name(fname *out, const char *f)
{
	const char *sep = strstr(f, "__");
	size_t i, n;
	char *v;

	if ((f[0] != 'V' && f[0] != 'U') || !sep || sep == f + 1 ||
	    !ends_with(f, ".sql") || !isdigit((unsigned char)f[1]))
		return 0;
	n = (size_t)(sep - f - 1);
	v = strata__strndup(f + 1, n);
	for (i = 0; i < n; i++)
		if (v[i] == '_')
			v[i] = '.';
	if (!strata__version_valid(v)) {
		free(v);
		return -1;
	}
	out->version = v;
	out->up = f[0] == 'V';
	out->id =
	        strata__printf("V%s__%.*s", v, (int)(strlen(sep) - 6), sep + 2);
	out->name = strata__strndup(sep + 2, strlen(sep) - 6);
	return 1;
}

/* golang-migrate: the name is everything up to .up.sql / .down.sql, dots
 * included: no dialects there. */
static int golang_name(fname *out, const char *f)
{
	size_t n = lead_digits(f), stem = updown_stem(f, out);

	if (!n || !stem)
		return 0;
	out->version = strata__strndup(f, n);
	out->name = strata__strndup(f + n + 1, stem - n - 1);
	out->id = strata__strndup(f, stem);
	return 1;
}

static int parse_name(fname *out, int layout, const char *f)
{
	memset(out, 0, sizeof(*out));
	switch (layout) {
	case STRATA__LAYOUT_DBMATE:
	case STRATA__LAYOUT_GOOSE:
		return single_name(out, f);
	case STRATA__LAYOUT_GOLANG_MIGRATE:
		return golang_name(out, f);
	case STRATA__LAYOUT_POP:
		return updown_name(out, f);
	case STRATA__LAYOUT_FLYWAY:
		return flyway_name(out, f);
	}
	return 0;
}

/* pop's dialect names, as strata's override names. */
static const char *pop_driver(const char *dialect)
{
	if (!strcmp(dialect, "postgres") || !strcmp(dialect, "postgresql"))
		return "postgres";
	if (!strcmp(dialect, "mysql") || !strcmp(dialect, "mariadb"))
		return "mysql";
	if (!strcmp(dialect, "sqlite3") || !strcmp(dialect, "sqlite"))
		return "sqlite";
	return dialect; /* cockroach: no driver of that name, never chosen */
}

/* ---- detection ------------------------------------------------------- */

/* What a single-file migration's text says it is. */
static int sniff(const char *path)
{
	char *text = NULL;
	int layout = -1;
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (strata__read_file(&text, NULL, path, &e) == STRATA_OK) {
		if (strstr(text, "-- migrate:up"))
			layout = STRATA__LAYOUT_DBMATE;
		else if (strstr(text, "+goose Up") || strstr(text, "+goose up"))
			layout = STRATA__LAYOUT_GOOSE;
	}
	strata_error_clear(&e);
	free(text);
	return layout;
}

typedef struct census {
	int folders, flyway, updown, pop, single;
	char *first_single; /* a path to sniff */
} census;

static void count(census *c, const char *dir, const char *f, int is_dir)
{
	fname n;

	if (f[0] == '.')
		return;
	if (is_dir) {
		c->folders += lead_digits(f) > 0;
		return;
	}
	memset(&n, 0, sizeof(n));
	if (flyway_name(&n, f) > 0) {
		c->flyway++;
	} else {
		fname_free(&n);
		if (updown_name(&n, f) > 0) {
			c->updown++;
			c->pop += n.dialect || n.autocommit;
		} else {
			fname_free(&n);
			if (single_name(&n, f) > 0 && !c->single++)
				c->first_single = strata__path_join(dir, f);
		}
	}
	fname_free(&n);
}

/* The layout a folder is in: strata's when it holds strata's folders or
 * nothing another tool would name. */
int strata__layout_detect(const char *dir, int *out, strata_error *err)
{
	census c;
	struct dirent *e;
	DIR *d = opendir(dir);

	memset(&c, 0, sizeof(c));
	*out = STRATA__LAYOUT_STRATA;
	if (!d)
		return STRATA_OK; /* the scan says why */
	/* One strata folder decides it: stop there. */
	while (!c.folders && (e = readdir(d)) != NULL) {
		int is_dir = e->d_type == DT_DIR;

		if (e->d_type != DT_DIR && e->d_type != DT_REG) {
			char *p = strata__path_join(dir, e->d_name);

			is_dir = strata__dir_exists(p);
			free(p);
		}
		count(&c, dir, e->d_name, is_dir);
	}
	closedir(d);
	if (c.folders || (!c.flyway && !c.updown && !c.single))
		;
	else if (c.flyway)
		*out = STRATA__LAYOUT_FLYWAY;
	else if (c.updown)
		*out = c.pop ? STRATA__LAYOUT_POP
		             : STRATA__LAYOUT_GOLANG_MIGRATE;
	else if ((*out = sniff(c.first_single)) < 0) {
		strata__err_at(err, STRATA_EUSAGE, c.first_single, 0,
		               "neither dbmate's '-- migrate:up' nor goose's "
		               "'-- +goose Up': set layout = in strata.ini");
		free(c.first_single);
		return STRATA_EUSAGE;
	}
	free(c.first_single);
	return STRATA_OK;
}

/* ---- scan ------------------------------------------------------------ */

/* A migration for each file; those of one version and name are merged
 * once all are read (merge()). */
static strata__migration *append(strata__source *src, const fname *n,
                                 int layout)
{
	return strata__source_add(src, strata__strdup(n->version), n->id,
	                          n->name, strata__strdup(src->dir), layout);
}

/* By version, then name, then the version as written: files of one
 * migration are neighbours; "1" and "1.0" stay two migrations, for
 * source.c to refuse as one version twice. */
static int cmp_migration(const void *a, const void *b)
{
	const strata__migration *x = a, *y = b;
	int c = strata__version_cmp(x->version, y->version);

	if (!c)
		c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->version, y->version);
}

static void move_files(strata__mfile **to, size_t *nto, strata__mfile *from,
                       size_t nfrom)
{
	if (nfrom) {
		*to = strata__realloc(*to, (*nto + nfrom + 1) * sizeof(**to));
		memcpy(*to + *nto, from, nfrom * sizeof(*from));
		*nto += nfrom;
	}
	free(from);
}

/* Sorted, then each run of one version and name becomes one migration
 * (pop's per-dialect files, an up and its down). */
static void merge(strata__source *src)
{
	size_t i, k = 0;

	if (src->count)
		qsort(src->items, src->count, sizeof(*src->items),
		      cmp_migration);
	for (i = 0; i < src->count; i++) {
		strata__migration *m = &src->items[i], *last;

		last = k ? &src->items[k - 1] : NULL;
		if (last && !strcmp(last->version, m->version) &&
		    !strcmp(last->name, m->name)) {
			move_files(&last->up, &last->nup, m->up, m->nup);
			move_files(&last->down, &last->ndown, m->down,
			           m->ndown);
			free(m->version);
			free(m->id);
			free(m->name);
			free(m->dir);
			continue;
		}
		src->items[k++] = *m;
	}
	src->count = k;
}

static void add(strata__migration *m, int up, const char *driver,
                const char *path)
{
	strata__migration_add_file(
	        m, up, driver ? strata__strdup(driver) : NULL, path);
}

static const char *expected(int layout)
{
	switch (layout) {
	case STRATA__LAYOUT_DBMATE:
	case STRATA__LAYOUT_GOOSE:
		return "<version>_<name>.sql";
	case STRATA__LAYOUT_FLYWAY:
		return "V<version>__<description>.sql, or U for its undo; "
		       "strata has no repeatable R__ migrations";
	}
	return "<version>_<name>.up.sql and .down.sql";
}

static int one_file(strata__source *src, int layout, const char *f,
                    strata_error *err)
{
	char *path = strata__path_join(src->dir, f);
	strata__migration *m;
	fname n;
	int kind = parse_name(&n, layout, f), rc = STRATA_OK;

	if (kind < 0)
		rc = strata__err_at(err, STRATA_EUSAGE, path, 0,
		                    "not a %s migration file name",
		                    strata__layout_name(layout));
	if (kind > 0) {
		m = append(src, &n, layout);
		if (layout == STRATA__LAYOUT_DBMATE ||
		    layout == STRATA__LAYOUT_GOOSE)
			add(m, 0, NULL, path); /* the same file's down part */
		add(m, n.up, n.dialect ? pop_driver(n.dialect) : NULL, path);
	} else if (!kind && layout == STRATA__LAYOUT_GOOSE &&
	           ends_with(f, ".go") && lead_digits(f)) {
		rc = strata__err_at(err, STRATA_EUSAGE, path, 0,
		                    "a goose migration in Go: strata runs SQL "
		                    "only; rewrite it as SQL, or apply it with "
		                    "goose and 'strata baseline' past it");
	} else if (!kind && ends_with(f, ".sql")) {
		/* Nothing that looks like a migration is skipped silently. */
		rc = strata__err_at(
		        err, STRATA_EUSAGE, path, 0,
		        "not a %s migration file name (%s), so it would never "
		        "run; rename it, or move it out of the folder",
		        strata__layout_name(layout), expected(layout));
	}
	fname_free(&n);
	free(path);
	return rc;
}

static int check_ups(const strata__source *src, strata_error *err)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (!src->items[i].nup)
			return strata__err_at(
			        err, STRATA_EUSAGE, src->items[i].down[0].path,
			        0, "a down file without its up file");
	return STRATA_OK;
}

int strata__layout_scan(strata__source *src, int *layout, strata_error *err)
{
	struct dirent *e;
	DIR *d;
	int rc = *layout == STRATA__LAYOUT_AUTO
	                 ? strata__layout_detect(src->dir, layout, err)
	                 : STRATA_OK;

	if (rc || *layout == STRATA__LAYOUT_STRATA)
		return rc;
	d = opendir(src->dir);
	if (!d)
		return strata__err_at(err, STRATA_EUSAGE, src->dir, 0,
		                      "cannot read migrations folder: %s",
		                      strerror(errno));
	while (rc == STRATA_OK && (e = readdir(d)) != NULL)
		if (e->d_name[0] == '.')
			continue;
		else if (e->d_type != DT_DIR)
			rc = one_file(src, *layout, e->d_name, err);
		else if (lead_digits(e->d_name))
			rc = strata__err_at(err, STRATA_EUSAGE, src->dir, 0,
			                    "a strata migration folder %s in a "
			                    "%s folder would never run: one "
			                    "layout a folder",
			                    e->d_name,
			                    strata__layout_name(*layout));
	closedir(d);
	if (!rc)
		merge(src);
	return rc ? rc : check_ups(src, err);
}

/* ---- what runs of a file --------------------------------------------- */

const char *strata__sql_comment(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	if (end - p < 2 || p[0] != '-' || p[1] != '-')
		return NULL;
	p += 2;
	while (p < end && (*p == ' ' || *p == '\t'))
		p++;
	return p;
}

static int word_is(const char *p, const char *end, const char *w)
{
	size_t n = strlen(w);

	return (size_t)(end - p) >= n && !strncasecmp(p, w, n) &&
	       (p + n == end || isspace((unsigned char)p[n]));
}

enum { MARK_NONE, MARK_UP, MARK_DOWN, MARK_NO_TX, MARK_BEGIN, MARK_END };

/* dbmate's "-- migrate:up [transaction:false]" and goose's "-- +goose
 * Up" and friends; *no_tx for dbmate's option. */
static int marker(const char *line, const char *end, int *no_tx,
                  const char **bad)
{
	const char *c = strata__sql_comment(line, end);

	*no_tx = 0;
	if (!c)
		return MARK_NONE;
	if (word_is(c, end, "migrate:up") || word_is(c, end, "migrate:down")) {
		*no_tx = memmem(c, (size_t)(end - c), "transaction:false",
		                17) != NULL;
		return c[8] == 'u' ? MARK_UP : MARK_DOWN;
	}
	if (!word_is(c, end, "+goose"))
		return MARK_NONE;
	c += 6;
	while (c < end && isspace((unsigned char)*c))
		c++;
	if (word_is(c, end, "Up"))
		return MARK_UP;
	if (word_is(c, end, "Down"))
		return MARK_DOWN;
	if (word_is(c, end, "NO TRANSACTION") || word_is(c, end, "NO"))
		return MARK_NO_TX;
	if (word_is(c, end, "StatementBegin"))
		return MARK_BEGIN;
	if (word_is(c, end, "StatementEnd"))
		return MARK_END;
	*bad = c;
	return MARK_NONE;
}

typedef struct sectioner {
	strata__view *v;
	int want, in, line, block, seen_any;
	const char *path;
	strata_error *err;
	strata__buf out, whole, cur; /* to split; the section; a block */
} sectioner;

static void end_block(sectioner *s)
{
	strata__view *v = s->v;
	size_t n = s->cur.len;

	while (n && (s->cur.ptr[n - 1] == '\n' || s->cur.ptr[n - 1] == ' ' ||
	             s->cur.ptr[n - 1] == '\t' || s->cur.ptr[n - 1] == '\r'))
		n--;
	if (n) {
		v->blocks = strata__realloc(
		        v->blocks, (v->nblocks + 1) * sizeof(*v->blocks));
		v->blocks[v->nblocks].line = s->block + 1;
		v->blocks[v->nblocks].sql = strata__strndup(s->cur.ptr, n);
		v->nblocks++;
	}
	strata__buf_free(&s->cur);
	s->block = 0;
}

/* One line: in the wanted section and not a marker, it goes to the text
 * to split (or, inside StatementBegin/End, to the block); every line
 * leaves a line in both texts, so that line numbers stay the file's. */
static int section_line(sectioner *s, const char *p, const char *eol)
{
	const char *bad = NULL;
	int no_tx, m = marker(p, eol, &no_tx, &bad), keep = 0;

	if (bad)
		return strata__err_at(s->err, STRATA_EUSAGE, s->path, s->line,
		                      "unknown goose annotation '%.*s' (strata "
		                      "reads Up, Down, StatementBegin, "
		                      "StatementEnd and NO TRANSACTION)",
		                      (int)(eol - bad), bad);
	if (m == MARK_UP || m == MARK_DOWN) {
		if (s->block)
			return strata__err_at(s->err, STRATA_EUSAGE, s->path,
			                      s->block,
			                      "+goose StatementBegin without "
			                      "its StatementEnd");
		s->seen_any = 1;
		s->in = m == s->want;
		if (s->in)
			s->v->no_tx |= no_tx;
	} else if (m == MARK_NO_TX) {
		s->v->no_tx = 1;
	} else if (m == MARK_BEGIN && s->in) {
		s->block = s->line;
	} else if (m == MARK_END && s->in && s->block) {
		end_block(s);
	} else if (s->in) {
		keep = 1;
		strata__buf_put(s->block ? &s->cur : &s->out, p,
		                (size_t)(eol - p));
		if (s->block)
			strata__buf_putc(&s->cur, '\n');
	}
	if (keep)
		strata__buf_put(&s->whole, p, (size_t)(eol - p));
	strata__buf_putc(&s->out, '\n');
	strata__buf_putc(&s->whole, '\n');
	return STRATA_OK;
}

static int sections(strata__view *v, const char *path, const char *text,
                    size_t len, int down, strata_error *err)
{
	sectioner s;
	const char *p = text, *end = text + len;
	int rc = STRATA_OK;

	memset(&s, 0, sizeof(s));
	s.v = v;
	s.want = down ? MARK_DOWN : MARK_UP;
	s.path = path;
	s.err = err;
	while (p < end && !rc) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));

		s.line++;
		rc = section_line(&s, p, eol ? eol : end);
		p = eol ? eol + 1 : end;
	}
	if (!rc && !s.seen_any)
		rc = strata__err_at(err, STRATA_EUSAGE, path, 0,
		                    "no '-- migrate:up' (dbmate) or '-- +goose "
		                    "Up' (goose) in this migration");
	if (!rc && s.block)
		rc = strata__err_at(err, STRATA_EUSAGE, path, s.block,
		                    "+goose StatementBegin without its "
		                    "StatementEnd");
	strata__buf_free(&s.cur);
	v->len = s.out.len;
	v->text = strata__buf_detach(&s.out);
	v->wlen = s.whole.len;
	v->whole = strata__buf_detach(&s.whole);
	return rc;
}

int strata__layout_view(strata__view *out, const char *path, const char *text,
                        size_t len, int down, strata_error *err)
{
	const char *base = strata__basename(path);
	fname n;
	int rc = STRATA_OK;

	memset(out, 0, sizeof(*out));
	if (single_name(memset(&n, 0, sizeof(n)), base) > 0)
		rc = sections(out, path, text, len, down, err);
	else if (updown_name(memset(&n, 0, sizeof(n)), base) > 0)
		out->no_tx = n.autocommit ? 1 : -1; /* -1: as the text says */
	fname_free(&n);
	return rc;
}

char *strata__view_body(const strata__view *v, const char *text, size_t len)
{
	const char *b = v->whole ? v->whole : text;
	const char *e = b + (v->whole ? v->wlen : len);

	while (b < e && (*b == '\n' || *b == '\r' || *b == ' ' || *b == '\t'))
		b++;
	while (e > b && (e[-1] == '\n' || e[-1] == '\r' || e[-1] == ' ' ||
	                 e[-1] == '\t'))
		e--;
	return strata__strndup(b, (size_t)(e - b));
}

void strata__view_free(strata__view *v)
{
	size_t i;

	for (i = 0; i < v->nblocks; i++)
		free(v->blocks[i].sql);
	free(v->text);
	free(v->whole);
	free(v->blocks);
	memset(v, 0, sizeof(*v));
}
