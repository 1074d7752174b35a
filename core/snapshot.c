/*
 * The schema snapshot: what the schema looked like when strata last stamped
 * its fingerprint, kept so that drift can say what changed (status.c).
 *
 * It lives in a companion of the history table, <history>_snapshot, in the
 * same schema, created on first use. Its columns are portable (CHAR, INTEGER,
 * TEXT): the text is cut at line boundaries into parts of at most
 * PART_MAX characters (MySQL's TEXT holds 65,535 bytes; 16,000 characters
 * of up to four bytes fit). Only the latest snapshot is kept.
 *
 * The text is one record per introspection callback, sorted: a tag, then
 * the callback's arguments, tab-separated, with backslash escapes (\\, \t,
 * \n, \r) and \N for NULL. Replaying the records into a sink rebuilds the
 * model the live schema would give (model.c), so the two are compared by
 * diff.c like any two schemas of one driver.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define MAGIC    "strata-snapshot 1\n"
#define PART_MAX 16000
#define SUFFIX   "_snapshot"
/* PostgreSQL truncates longer names silently, MySQL refuses them. */
#define IDENT_MAX 63

/* Also <history>_lock: the MySQL driver's lock row on a Galera cluster. */
int strata__history_own(const char *history, const char *table)
{
	size_t n;

	if (!strncmp(table, "sqlite_", 7))
		return 1;
	if (!history)
		return 0;
	if (!strcmp(table, history))
		return 1;
	n = strlen(history);
	return !strncmp(table, history, n) &&
	       (!strcmp(table + n, SUFFIX) || !strcmp(table + n, "_lock"));
}

static void put_field(strata__buf *b, const char *s)
{
	if (!s) {
		strata__buf_puts(b, "\\N");
		return;
	}
	for (; *s; s++)
		switch (*s) {
		case '\\':
			strata__buf_puts(b, "\\\\");
			break;
		case '\t':
			strata__buf_puts(b, "\\t");
			break;
		case '\n':
			strata__buf_puts(b, "\\n");
			break;
		case '\r':
			strata__buf_puts(b, "\\r");
			break;
		default:
			strata__buf_putc(b, *s);
		}
}

char *strata__snapshot_record(const char *tag, const char *const *f, int n)
{
	strata__buf b = STRATA__BUF_INIT;
	int i;

	strata__buf_puts(&b, tag);
	for (i = 0; i < n; i++) {
		strata__buf_putc(&b, '\t');
		put_field(&b, f[i]);
	}
	return strata__buf_detach(&b);
}

char *strata__snapshot_join(char *const *records, size_t n)
{
	strata__buf b = STRATA__BUF_INIT;
	size_t i;

	strata__buf_puts(&b, MAGIC);
	for (i = 0; i < n; i++) {
		strata__buf_puts(&b, records[i]);
		strata__buf_putc(&b, '\n');
	}
	return strata__buf_detach(&b);
}

/* Splits one record (modified in place) into at most max fields, each
 * unescaped; NULL fields for \N. Returns the count. */
static int split_record(char *line, char **f, int max)
{
	int n = 0;
	char *p = line, *w;

	while (n < max) {
		f[n] = w = p;
		if (p[0] == '\\' && p[1] == 'N' && (!p[2] || p[2] == '\t')) {
			f[n] = NULL;
			p += 2;
		} else {
			while (*p && *p != '\t') {
				if (*p == '\\' && p[1]) {
					p++;
					*w++ = *p == 't'   ? '\t'
					       : *p == 'n' ? '\n'
					       : *p == 'r' ? '\r'
					                   : *p;
					p++;
				} else {
					*w++ = *p++;
				}
			}
		}
		n++;
		if (!*p) {
			if (f[n - 1])
				*w = '\0';
			break;
		}
		if (f[n - 1])
			*w = '\0';
		p++;
	}
	return n;
}

static int flag(const char *s)
{
	return s && !strcmp(s, "1");
}

static int replay_one(char *line, const strata_schema_sink *k,
                      const strata_detail_sink *dk)
{
	char *tag = line, *f[8];
	char *tab = strchr(line, '\t');
	int n;

	if (!tab)
		return -1;
	*tab = '\0';
	n = split_record(tab + 1, f, 8);
	if (!strcmp(tag, "T") && n == 1)
		return k->table(k->ctx, f[0], -1);
	if (!strcmp(tag, "C") && n == 5)
		return k->column(k->ctx, f[0], f[1], f[2], flag(f[3]), f[4]);
	if (!strcmp(tag, "I") && n == 5)
		return k->index(k->ctx, f[0], f[1], flag(f[2]), flag(f[3]),
		                f[4]);
	if (!strcmp(tag, "F") && n == 7)
		return k->foreign_key(k->ctx, f[0], f[1], f[2], f[3], f[4],
		                      f[5], f[6]);
	if (!strcmp(tag, "O") && n == 3)
		return k->object(k->ctx, f[0], f[1], f[2]);
	if (!strcmp(tag, "XI") && n == 6)
		return dk->index(dk->ctx, f[0], f[1], f[2], f[3], f[4], f[5]);
	if (!strcmp(tag, "XG") && n == 4)
		return dk->generated(dk->ctx, f[0], f[1], f[2], flag(f[3]));
	if (!strcmp(tag, "XD") && n == 3)
		return dk->definition(dk->ctx, f[0], f[1], f[2]);
	return -1;
}

int strata__snapshot_replay(const char *text, const strata_schema_sink *k,
                            const strata_detail_sink *dk)
{
	char *copy, *line, *next;
	int rc = 0;

	if (strncmp(text, MAGIC, strlen(MAGIC)))
		return -1;
	copy = strata__strdup(text + strlen(MAGIC));
	for (line = copy; !rc && *line; line = next) {
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (*line)
			rc = replay_one(line, k, dk);
	}
	free(copy);
	return rc;
}

/* NULL when the name would be too long for the database. */
static char *snapshot_quoted(strata *s)
{
	char *name = strata__printf("%s" SUFFIX, s->hist_table);
	char *q = NULL;

	if (strlen(name) <= IDENT_MAX)
		q = strata__ident_quote_in(s->hist_schema, name,
		                           s->drv->dialect->ident_quote);
	free(name);
	return q;
}

static int ensure(strata *s, const char *table, strata_error *err)
{
	const char *opts = s->drv->dialect->history_table_options;
	char *ddl = strata__printf(
	        "CREATE TABLE IF NOT EXISTS %s (fingerprint CHAR(64) NOT NULL, "
	        "part INTEGER NOT NULL, content TEXT NOT NULL, "
	        "PRIMARY KEY (fingerprint, part))%s%s",
	        table, opts ? " " : "", opts ? opts : "");
	int rc = strata__exec_params(s, ddl, NULL, 0,
	                             "cannot create the schema snapshot table",
	                             err);

	free(ddl);
	return rc;
}

/* The end of the next part of text: at most PART_MAX characters (UTF-8
 * lead bytes), ending after a line break when there is one in reach. */
static size_t part_end(const char *text)
{
	size_t i = 0, chars = 0, cut = 0;

	while (text[i] && chars < PART_MAX) {
		if (((unsigned char)text[i] & 0xC0) != 0x80)
			chars++;
		if (text[i++] == '\n')
			cut = i;
	}
	/* Finish the character cut at the limit. */
	while (text[i] && ((unsigned char)text[i] & 0xC0) == 0x80)
		i++;
	return !text[i] || !cut ? i : cut;
}

static int insert_parts(strata *s, const char *table, const char *fp,
                        const char *text, strata_error *err)
{
	char ph1[16], ph2[16], ph3[16];
	char *sql = strata__printf("INSERT INTO %s (fingerprint, part, "
	                           "content) VALUES (%s, %s, %s)",
	                           table, strata__ph(s->drv->dialect, 1, ph1),
	                           strata__ph(s->drv->dialect, 2, ph2),
	                           strata__ph(s->drv->dialect, 3, ph3));
	int rc = STRATA_OK, part = 0;

	while (!rc && *text) {
		size_t n = part_end(text);
		char *chunk = strata__strndup(text, n);
		strata_value v[3] = {{STRATA_VAL_TEXT, fp, 0},
		                     {STRATA_VAL_INT, NULL, part++},
		                     {STRATA_VAL_TEXT, chunk, 0}};

		rc = strata__exec_params(
		        s, sql, v, 3, "cannot record the schema snapshot", err);
		free(chunk);
		text += n;
	}
	free(sql);
	return rc;
}

/* Each row is hashed on its own and the rows' hashes are sorted before
 * the digest is taken: it does not depend on the order rows come in (no
 * sort on the server, no row kept), and, unlike a sum of hashes, nobody
 * can craft rows that cancel a change out. */
typedef struct catalog {
	strata__buf row; /* one row's text, reused */
	unsigned char (*h)[STRATA__SHA256_BYTES];
	size_t n, cap;
	const char *history;
} catalog;

/* strata's own tables change under it (the snapshot table is created
 * after the first digest); introspection leaves them out too. */
static int on_catalog_row(void *ctx, int ncols, const char *const *v)
{
	catalog *c = ctx;
	strata__buf *b = &c->row;
	int i;

	if (ncols > 0 && v[0] && strata__history_own(c->history, v[0]))
		return 0;
	b->len = 0;
	for (i = 0; i < ncols; i++) {
		if (i)
			strata__buf_putc(b, '\t');
		put_field(b, v[i]);
	}
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->h = strata__realloc(c->h, c->cap * sizeof(*c->h));
	}
	strata__sha256(c->h[c->n++], b->ptr, b->len);
	return 0;
}

static int cmp_hash(const void *a, const void *b)
{
	return memcmp(a, b, STRATA__SHA256_BYTES);
}

int strata__catalog_digest(strata *s, char out[STRATA__SHA256_HEX])
{
	catalog c = {STRATA__BUF_INIT, NULL, 0, 0, s->hist_table};
	strata_dberr de;
	strata__buf all = STRATA__BUF_INIT;
	int present = 0, ok;

	memset(&de, 0, sizeof(de));
	ok = strata__drv_catalog(s->drv, s->conn, on_catalog_row, &c, &present,
	                         &de) == STRATA_DRV_OK &&
	     present;
	if (ok) {
		strata__sort(c.h, c.n, sizeof(*c.h), cmp_hash);
		strata__buf_puts(&all, "strata catalog 2\n");
		strata__buf_put(&all, (const char *)c.h, c.n * sizeof(*c.h));
		strata__sha256_hex(out, all.ptr, all.len);
	}
	strata__buf_free(&all);
	strata__buf_free(&c.row);
	free(c.h);
	return ok;
}

/* The catalog digest rides along as part -1 of the snapshot's
 * fingerprint; readers of the snapshot text take parts from 0. */
static int insert_digest(strata *s, const char *table, const char *fp,
                         const char *digest, strata_error *err)
{
	char ph1[16], ph2[16];
	char *sql = strata__printf(
	        "INSERT INTO %s (fingerprint, part, content) VALUES (%s, -1, "
	        "%s)",
	        table, strata__ph(s->drv->dialect, 1, ph1),
	        strata__ph(s->drv->dialect, 2, ph2));
	strata_value v[2] = {{STRATA_VAL_TEXT, fp, 0},
	                     {STRATA_VAL_TEXT, digest, 0}};
	int rc = strata__exec_params(s, sql, v, 2,
	                             "cannot record the catalog digest", err);

	free(sql);
	return rc;
}

/* The table exists before the catalog digest is taken: created after it,
 * it would be a change the stored digest does not include. */
void strata__snapshot_ensure(strata *s)
{
	char *table = snapshot_quoted(s);
	strata_error e;

	memset(&e, 0, sizeof(e));
	if (table)
		ensure(s, table, &e);
	strata_error_clear(&e);
	free(table);
}

/* Replaces the snapshot, in one transaction unless one is open already
 * (strata__snapshot_ensure made the table). digest may be NULL. */
int strata__snapshot_write(strata *s, const char *fp, const char *text,
                           const char *digest, strata_error *err)
{
	char *table = snapshot_quoted(s), *del;
	strata_dberr de;
	int own, rc = STRATA_OK;

	if (!table)
		return STRATA_OK; /* name too long: drift stays unexplained */
	own = !strata__drv_in_transaction(s, s->conn);
	memset(&de, 0, sizeof(de));
	if (own && strata__drv_begin(s, s->conn, &de) != STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de,
		                      "cannot begin a transaction");
	del = strata__printf("DELETE FROM %s", table);
	if (!rc)
		rc = strata__exec_params(s, del, NULL, 0,
		                         "cannot replace the schema snapshot",
		                         err);
	if (!rc)
		rc = insert_parts(s, table, fp, text, err);
	if (!rc && digest)
		rc = insert_digest(s, table, fp, digest, err);
	if (own && !rc && strata__drv_commit(s, s->conn, &de) != STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de,
		                      "cannot commit the snapshot");
	else if (own && rc)
		strata__drv_rollback(s, s->conn, &de);
	free(del);
	free(table);
	return rc;
}

typedef struct reader {
	char *fp;
	strata__buf text;
	int other; /* a part of another fingerprint (a torn write) */
} reader;

static int on_part(void *ctx, int ncols, const char *const *v)
{
	reader *r = ctx;

	if (ncols < 2 || !v[0] || !v[1])
		return 0;
	if (!r->fp)
		r->fp = strata__strdup(v[0]);
	else if (strcmp(r->fp, v[0]))
		r->other = 1;
	if (!r->other)
		strata__buf_puts(&r->text, v[1]);
	return 0;
}

/* *table: the quoted snapshot table when it exists, else NULL. */
static int existing(strata *s, char **table, strata_error *err)
{
	char *name;
	strata_dberr de;
	int exists = 0, rc = STRATA_OK;

	*table = snapshot_quoted(s);
	if (!*table)
		return STRATA_OK;
	name = strata__printf("%s" SUFFIX, s->hist_table);
	memset(&de, 0, sizeof(de));
	if (strata__drv_table_exists(s, s->conn, s->hist_schema, name, &exists,
	                             &de) != STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de,
		                      "cannot look up the snapshot table");
	free(name);
	if (rc || !exists) {
		free(*table);
		*table = NULL;
	}
	return rc;
}

int strata__snapshot_read(strata *s, char **fp, char **text, strata_error *err)
{
	char *table, *sql;
	reader r;
	strata_dberr de;
	int rc = existing(s, &table, err);

	*fp = *text = NULL;
	if (rc || !table)
		return rc;
	memset(&r, 0, sizeof(r));
	memset(&de, 0, sizeof(de));
	sql = strata__printf("SELECT fingerprint, content FROM %s "
	                     "WHERE part >= 0 ORDER BY fingerprint, part",
	                     table);
	if (strata__drv_query(s, s->conn, sql, NULL, 0, on_part, &r, &de) !=
	    STRATA_DRV_OK)
		rc = strata__drv_fail(s, err, &de,
		                      "cannot read the schema snapshot");
	free(sql);
	free(table);
	if (rc || !r.fp || r.other) {
		free(r.fp);
		strata__buf_free(&r.text);
		return rc;
	}
	*fp = r.fp;
	*text = strata__buf_detach(&r.text);
	return STRATA_OK;
}

static int on_digest(void *ctx, int ncols, const char *const *v)
{
	char **out = ctx;

	if (ncols >= 2 && v[0] && v[1] && !out[0]) {
		out[0] = strata__strdup(v[0]);
		out[1] = strata__strdup(v[1]);
	}
	return 0;
}

/* The stored digest first: without one (MySQL, an older snapshot) the
 * catalog is not read at all. */
int strata__snapshot_unchanged(strata *s, const char *fp)
{
	char now[STRATA__SHA256_HEX], *table = NULL, *sql, *got[2] = {0, 0};
	strata_dberr de;
	strata_error e;
	int same = 0;

	memset(&e, 0, sizeof(e));
	memset(&de, 0, sizeof(de));
	if (!fp || !STRATA_DRV_HAS(s->drv, catalog) ||
	    existing(s, &table, &e) || !table) {
		strata_error_clear(&e);
		return 0;
	}
	sql = strata__printf("SELECT fingerprint, content FROM %s "
	                     "WHERE part = -1",
	                     table);
	if (strata__drv_query(s, s->conn, sql, NULL, 0, on_digest, got, &de) ==
	            STRATA_DRV_OK &&
	    got[0] && !strcmp(got[0], fp))
		same = strata__catalog_digest(s, now) && !strcmp(got[1], now);
	free(sql);
	free(table);
	free(got[0]);
	free(got[1]);
	return same;
}
