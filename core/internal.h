/* Private interfaces between the files of libstrata. */
#ifndef STRATA_INTERNAL_H
#define STRATA_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "strata/driver.h"
#include "strata/strata.h"

#define STRATA_UNUSED(x) ((void)(x))

/* alloc.c: allocation failure is fatal (we cannot report it usefully). */
/* Print "strata: out of memory" and abort: the one policy, also for a
 * driver that returns STRATA_DRV_NOMEM. */
void strata__oom(void) __attribute__((noreturn));
void *strata__malloc(size_t n);
void *strata__calloc(size_t n, size_t size);
void *strata__realloc(void *p, size_t n);
char *strata__strdup(const char *s);
char *strata__strndup(const char *s, size_t n);
char *strata__printf(const char *fmt, ...)
        __attribute__((format(printf, 1, 2)));
/* An arena for the strings (and arrays) a result owns: its public members
 * stay const, and the result frees them all at once. align: a power of
 * two, at most 16. */
typedef struct strata__pool {
	struct strata__pool_block *head;
} strata__pool;
void *strata__pool_alloc(strata__pool *p, size_t n, size_t align);
const char *strata__pool_strdup(strata__pool *p, const char *s); /* NULL ok */
/* Copies s into the pool and frees s. */
const char *strata__pool_take(strata__pool *p, char *s);
void strata__pool_free(strata__pool *p);

/* buf.c: a growable NUL-terminated string. */
typedef struct strata__buf {
	char *ptr;
	size_t len, cap;
} strata__buf;

#define STRATA__BUF_INIT                                                       \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
/* Room for n more bytes and the NUL at the end; the caller writes there,
 * then adds to len and terminates. */
char *strata__buf_reserve(strata__buf *b, size_t n);
void strata__buf_put(strata__buf *b, const char *s, size_t n);
void strata__buf_puts(strata__buf *b, const char *s);
void strata__buf_putc(strata__buf *b, char c);
void strata__buf_printf(strata__buf *b, const char *fmt, ...)
        __attribute__((format(printf, 2, 3)));
char *strata__buf_detach(strata__buf *b); /* never NULL */
void strata__buf_free(strata__buf *b);

/* error.c */
int strata__err(strata_error *err, int code, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));
int strata__err_at(strata_error *err, int code, const char *file, int line,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Attach the database's error to err (after strata__err*). */
void strata__err_db(strata_error *err, const strata_dberr *dberr);
/* from's error into to (its own cleared first; to may be NULL: from is
 * then dropped); from is left empty. */
void strata__error_move(strata_error *to, strata_error *from);
/* The message without the "file:line: error:" prefix. */
char *strata__error_body(const strata_error *err);

/* sha256.c */
#define STRATA__SHA256_HEX   65
#define STRATA__SHA256_BYTES 32
void strata__sha256(unsigned char out[STRATA__SHA256_BYTES], const void *data,
                    size_t len);
/* n bytes as 2 n lower-case hex digits and a NUL. */
void strata__hex(char *out, const unsigned char *bin, size_t n);
/* Whether hex starts with n lower-case hex digits. */
int strata__is_hex(const char *hex, size_t n);
void strata__sha256_hex(char out[STRATA__SHA256_HEX], const void *data,
                        size_t len);

/* sumcache.c: applied files' checksums by file identity and times. */
typedef struct strata__sumcache strata__sumcache;
/* dir NULL or "": a cache that keeps nothing (every file is read). */
strata__sumcache *strata__sumcache_open(const char *dir, const char *folder);
/* strata__checksums_for(), from the cache when the file is unchanged
 * (full: read it anyway, and refresh the entry). */
int strata__sumcache_get(strata__sumcache *c, int full,
                         char out[STRATA__SHA256_HEX],
                         char raw[STRATA__SHA256_HEX], const char *path,
                         strata_error *err);
/* 1 and the checksums when the cache has path (the file rel under the
 * open folder at) as it is now; 0: not kept, changed, or unreadable
 * (nothing is read or reported). */
int strata__sumcache_peek(strata__sumcache *c, int at, const char *rel,
                          const char *path, char sum[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX]);
/* Writes what changed; the cache stays usable. */
void strata__sumcache_flush(strata__sumcache *c);
/* A cache of the entries a file's text holds, that saves nothing; and the
 * text a cache would save (fuzz/fuzz_sumcache.c). */
strata__sumcache *strata__sumcache_parse(const char *data, size_t n);
char *strata__sumcache_text(const strata__sumcache *c);
void strata__sumcache_close(strata__sumcache *c);
/* s's cache for its migrations folder, opened on first use (after
 * joining a prefetch thread, which uses it). */
strata__sumcache *strata__sums(strata *s);

/* fsutil.c */
int strata__read_file(char **out, size_t *len, const char *path,
                      strata_error *err);
int strata__file_exists(const char *path);
int strata__dir_exists(const char *path);
/* Calls fn(ctx, name, d_type) for each entry of folder name (relative to
 * the open folder at, or AT_FDCWD) but . and ..; non-zero from fn stops.
 * 0, or -1 with errno when the folder cannot be opened or read. */
typedef int (*strata__dir_fn)(void *ctx, const char *name, unsigned char type);
int strata__dir_each(int at, const char *name, strata__dir_fn fn, void *ctx);
/* strata__dir_each of folder name under at (path: the same folder, the
 * key), from the cache while the folder's identity and times are those
 * it was listed with; c may be NULL. A kept listing is replayed in name
 * order, a fresh one in the folder's: with two bad entries, which one a
 * caller meets first may differ between a cold and a warm run. */
int strata__sumcache_dir(strata__sumcache *c, int at, const char *name,
                         const char *path, strata__dir_fn fn, void *ctx);
/* Folders are listed again (--full), and what is read is kept. */
void strata__sumcache_refresh(strata__sumcache *c);
char *strata__path_join(const char *a, const char *b);
void strata__now_iso(char out[32]);
int64_t strata__now_ms(void);
char *strata__whoami(void);
/* s with control characters as \xNN, safe to print to a terminal. */
char *strata__printable(const char *s);

/* url.c */
typedef struct strata__url_owned {
	strata_url url;
	char *storage[8];
	strata_url_param *params;
	char **param_storage;
} strata__url_owned;

/* The scheme a bare path (no "scheme:") stands for. */
#define STRATA__BARE_SCHEME "sqlite"
/* text's scheme, lower-cased (caller frees); NULL for a bare path. */
char *strata__url_scheme(const char *text);
/* Parse text in `form` (STRATA_URL_FILE or STRATA_URL_SERVER). */
int strata__url_parse_as(strata__url_owned *out, const char *text, int form,
                         strata_error *err);
/* The form text suggests when no driver says: "scheme:" followed by "//"
 * is a server URL, anything else a file. */
int strata__url_form_hint(const char *text);
/* Parse text in the form its scheme's driver declares (searching
 * plugin_path as strata__plugin_load does), else as strata__url_form_hint
 * says. */
int strata__url_parse_in(strata__url_owned *out, const char *text,
                         const char *plugin_path, strata_error *err);
/* strata__url_parse_in with the default search path. */
int strata__url_parse(strata__url_owned *out, const char *text,
                      strata_error *err);
void strata__url_free(strata__url_owned *u);
/* Percent-decode s[0..n) into a new string. */
char *strata__url_decode(const char *s, size_t n);
/* Replace every occurrence of secret in s with "***" (in place copy). */
char *strata__scrub(const char *s, const char *secret);
/* strata__scrub for the password and every secret parameter of u. */
char *strata__scrub_url(const char *s, const strata_url *u);
/* Parameter name that holds a secret (password, sslpassword, *secret*). */
int strata__url_secret_key(const char *k, size_t n);

/* ident.c: validated, quoted identifiers for the history table. */
int strata__ident_valid(const char *name);
/* STRATA_EUSAGE, naming table (and file, may be NULL), unless it is a
 * valid "name" or "schema.name". */
int strata__table_check(const char *table, const char *file, strata_error *err);
/* name (one part) in schema (NULL: none), each part quoted whole: the
 * schema comes from the database and may hold any character. NULL if name
 * is not a valid identifier: it never reaches SQL unchecked. */
char *strata__ident_quote_in(const char *schema, const char *name, char quote);
/* Placeholder number n (1-based) in the dialect's style. */
const char *strata__ph(const strata_dialect *d, int n, char buf[16]);

/* splitter.c */
typedef struct strata__stmt {
	char *sql;
	int line;
} strata__stmt;

typedef struct strata__stmts {
	strata__stmt *items;
	size_t count;
} strata__stmts;

int strata__split(strata__stmts *out, const char *sql, size_t len,
                  unsigned flags, const char *file, strata_error *err);
void strata__stmts_free(strata__stmts *s);

/* source.c: the migrations folder. */
typedef struct strata__mfile {
	char *driver; /* NULL for the generic file */
	char *path;
} strata__mfile;

typedef struct strata__migration {
	char *version; /* the folder's digits as written, e.g. "0002" */
	char *id;      /* folder name */
	char *name;    /* slug */
	char *dir;
	strata__mfile *up, *down;
	size_t nup, ndown;
	int layout; /* STRATA__LAYOUT_*: whose folder it comes from */
} strata__migration;

typedef struct strata__source {
	strata__migration *items;
	size_t count;
	char *dir;
} strata__source;

int strata__source_load(strata__source *out, const char *dir,
                        strata_error *err);
/* The same for driver d (NULL: any, nothing refused): an override named
 * after a URL scheme of d, or of a driver installed on plugin_path (NULL:
 * $STRATA_PLUGIN_PATH), that is not a file name of d or of an installed
 * driver would never run, and is refused. Other names are kept. Folder
 * listings come from sums (may be NULL) where it has them. */
int strata__source_load_for(strata__source *out, const char *dir,
                            const strata_driver *d, const char *plugin_path,
                            strata__sumcache *sums, int layout,
                            strata_error *err);
void strata__source_free(strata__source *src);
/* A migration appended to src (version and dir taken over; id and name
 * copied, escaped for display), its files to come. */
strata__migration *strata__source_add(strata__source *src, char *version,
                                      const char *id, const char *name,
                                      char *dir, int layout);
/* An up or down file of m (driver taken over; NULL: the generic one). */
void strata__migration_add_file(strata__migration *m, int up, char *driver,
                                const char *path);
const strata__migration *strata__source_find(const strata__source *src,
                                             const char *version);
/* The file for a driver whose override files are named `names` (NULL-
 * terminated; the first that has a file wins), else the generic file;
 * NULL: none. */
const char *strata__migration_file_in(const strata__migration *m, int up,
                                      const char *const *names);
/* The same for one name. */
const char *strata__migration_file(const strata__migration *m, int up,
                                   const char *driver);
const char *strata__basename(const char *path);
/* Whether dir holds a migration with this version. */
int strata__has_version(const char *dir, const char *digits);

/* layout.c: other tools' folders, read in place. */
enum {
	STRATA__LAYOUT_AUTO,
	STRATA__LAYOUT_STRATA,
	STRATA__LAYOUT_DBMATE,
	STRATA__LAYOUT_GOLANG_MIGRATE,
	STRATA__LAYOUT_GOOSE,
	STRATA__LAYOUT_FLYWAY,
	STRATA__LAYOUT_POP
};
int strata__layout_from_name(const char *name); /* -1: unknown */
/* The text after "--" and blanks of a line (p to end) that is a comment
 * (leading blanks allowed), or NULL. */
const char *strata__sql_comment(const char *p, const char *end);
const char *strata__layout_name(int layout);
/* src (dir set, nothing else) from the files of another tool's folder;
 * *layout AUTO is replaced by the one detected, STRATA when the folder is
 * strata's own (src is then left to source.c). */
int strata__layout_scan(strata__source *src, int *layout, strata_error *err);
/* convert.c: s's migrations (another tool's) written in strata's layout
 * into the new folder out, which becomes s's migrations for the run. */
int strata__convert(strata *s, const char *out, strata_error *err);
/* The layout of the folder dir (STRATA when empty or missing). */
int strata__layout_detect(const char *dir, int *out, strata_error *err);
/* The part of a file that runs, for the file names of dbmate, goose,
 * golang-migrate, pop and Flyway. text: the up (or down) section with
 * every other line blanked, so that line numbers stay the file's, and
 * goose's StatementBegin/End blocks blanked too: they are in blocks, one
 * statement each, never split. whole: the section with its blocks (for
 * conversion, and the checksum). no_tx: 1 outside a transaction, -1 as
 * the statements say (golang-migrate). text NULL: the file is strata's
 * own, or runs whole. */
typedef struct strata__view_block {
	int line;
	char *sql;
} strata__view_block;
typedef struct strata__view {
	char *text, *whole;
	size_t len, wlen;
	int no_tx;
	strata__view_block *blocks;
	size_t nblocks;
} strata__view;
int strata__layout_view(strata__view *out, const char *path, const char *text,
                        size_t len, int down, strata_error *err);
void strata__view_free(strata__view *v);
/* The section's text (whole), or else text, without its leading and
 * trailing blank lines. malloc'd. */
char *strata__view_body(const strata__view *v, const char *text, size_t len);

/* script.c: a migration file, read, checksummed and split. */
typedef struct strata__script {
	char *path;
	char checksum[STRATA__SHA256_HEX];
	int no_transaction;
	int empty; /* line of "-- strata:empty" (an intentional no-op), or 0 */
	char **allow; /* lint rules acknowledged */
	size_t nallow;
	strata__stmts stmts;
} strata__script;

/* With the split flags: load a file's down part (another tool's file
 * with sections, layout.c). */
#define STRATA__LOAD_DOWN (1u << 30)
int strata__script_load(strata__script *out, const char *path, unsigned flags,
                        strata_error *err);
/* The same, split by drv's parser when it has one (drv may be NULL). */
int strata__script_load_drv(strata__script *out, const char *path,
                            const strata_driver *drv, unsigned flags,
                            strata_error *err);
/* The same from text already read (len bytes) for the file at path. */
int strata__script_load_text(strata__script *out, const char *path,
                             const char *text, size_t len,
                             const strata_driver *drv, unsigned flags,
                             strata_error *err);
void strata__script_free(strata__script *s);
/* Refuse COMMIT, ROLLBACK, BEGIN... in a file run inside a transaction. */
int strata__script_check_tx(const strata__script *s, strata_error *err);
/* Checksum of what would run: the file, or "" when there is none. */
/* raw (may be NULL): the checksum of the bytes as they are, which older
 * releases recorded for CRLF and BOM files. */
int strata__checksums_for(char out[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX], const char *path,
                          strata_error *err);
int strata__checksum_for(char out[STRATA__SHA256_HEX], const char *path,
                         strata_error *err);

/* loader.c */
typedef struct strata__plugin strata__plugin;
/* The driver for a URL scheme: the module named after the scheme if it
 * declares it, else the first module on the search path that does.
 * plugin_path: colon-separated folders searched first (NULL:
 * $STRATA_PLUGIN_PATH), then the built-in one. The driver's init hook has
 * run. */
int strata__plugin_load(strata__plugin **out, const char *scheme,
                        const char *plugin_path, strata_error *err);
void strata__plugin_free(strata__plugin *p);
/* The url_form of the driver for scheme, or -1 if none can be used. */
int strata__scheme_form(const char *scheme, const char *plugin_path);
/* For an override file up.<x>.sql whose x is not one of the running
 * driver's file names: if an installed driver on the search path has x as
 * a URL scheme and no installed driver has it as a file name, sets *drv
 * and *file_name (that driver's name and first file name, valid for the
 * life of the process) and returns 1. The search path is scanned once per
 * process (per plugin_path). */
int strata__installed_scheme(const char *plugin_path, const char *x,
                             const char **drv, const char **file_name);
const strata_driver *strata__plugin_driver(const strata__plugin *p);
const char *strata__plugin_path(const strata__plugin *p);

/* drv.c: every call into a driver; the fallbacks of optional operations
 * are documented there and in strata-driver(7). */
/* Why the vtable cannot be used (a required member is missing), or NULL.
 * Caller frees. */
char *strata__drv_check(const strata_driver *d);
/* Run the driver's init hook once per process; why it failed (caller
 * frees; the same answer on every later call), or NULL. */
char *strata__drv_init(const strata_driver *d);
int strata__drv_handles(const strata_driver *d, const char *scheme);
/* The driver's schemes joined with sep; caller frees. */
char *strata__drv_schemes(const strata_driver *d, const char *sep);
/* The names of the driver's override files (file_names, else { name }),
 * NULL-terminated; buf holds the default. */
const char *const *strata__drv_file_names(const strata_driver *d,
                                          const char *buf[2]);
int strata__drv_connect(strata *s, strata_conn **out, unsigned flags,
                        strata_dberr *de);
void strata__drv_close(strata *s, strata_conn *c); /* c may be NULL */
const char *strata__drv_server_version(const strata *s, strata_conn *c);
int strata__drv_session_setup(strata *s, strata_conn *c, unsigned *flags,
                              strata_dberr *de);
int strata__drv_exec(strata *s, strata_conn *c, const char *sql,
                     strata_dberr *de);
int strata__drv_query(strata *s, strata_conn *c, const char *sql,
                      const strata_value *params, int nparams, strata_row_fn fn,
                      void *fn_ctx, strata_dberr *de);
int strata__drv_begin(strata *s, strata_conn *c, strata_dberr *de);
int strata__drv_commit(strata *s, strata_conn *c, strata_dberr *de);
int strata__drv_rollback(strata *s, strata_conn *c, strata_dberr *de);
int64_t strata__drv_changes(strata *s, strata_conn *c);
/* Whether c's server is a read-only standby (0 without the operation). */
int strata__drv_standby(strata *s, strata_conn *c, int *standby,
                        strata_dberr *de);
/* items in as few round trips as the driver allows (see its batch()). */
int strata__drv_batch(strata *s, strata_conn *c, strata_batch_item *items,
                      size_t n, unsigned flags, size_t *failed,
                      strata_dberr *de);
int strata__drv_in_transaction(strata *s, strata_conn *c);
int strata__drv_lock(strata *s, strata_conn *c, const char *name,
                     unsigned timeout_ms, strata_dberr *de);
int strata__drv_unlock(strata *s, strata_conn *c, const char *name,
                       strata_dberr *de);
int strata__drv_lock_check(strata *s, strata_conn *c, const char *name,
                           strata_dberr *de);
int strata__drv_lock_guard(strata *s, strata_conn *c, strata_conn *lock_c,
                           const char *name, strata_dberr *de);
int strata__drv_current_schema(strata *s, strata_conn *c, const char *schema,
                               const char *table, char **out, strata_dberr *de);
int strata__drv_table_exists(strata *s, strata_conn *c, const char *schema,
                             const char *table, int *exists, strata_dberr *de);
int strata__drv_introspect(const strata_driver *d, strata_conn *c,
                           const strata_schema_sink *sink, strata_dberr *de);
/* Split a script (sql: len bytes, no NUL) with the driver's parser, or,
 * absent, the core's splitter with flags. A script that does not parse is
 * STRATA_EUSAGE at file:line. */
int strata__drv_split(const strata_driver *d, strata__stmts *out,
                      const char *sql, size_t len, unsigned flags,
                      const char *file, strata_error *err);

/* ABI 2.2 operations; *present tells whether the driver has them. */
int strata__drv_analyze(const strata_driver *d, const char *stmt, size_t len,
                        strata_action_fn fn, void *ctx, int *present,
                        strata_dberr *de);
int strata__drv_prepare(const strata_driver *d, strata_conn *c, const char *sql,
                        int *present, strata_dberr *de);
/* ABI 2.7: *rejected is the index of the statement rejected (n: none). */
int strata__drv_prepare_many(const strata_driver *d, strata_conn *c,
                             const char *const *sqls, size_t n,
                             size_t *rejected, strata_dberr *de);
int strata__drv_catalog(const strata_driver *d, strata_conn *c,
                        strata_row_fn fn, void *ctx, int *present,
                        strata_dberr *de);
int strata__drv_introspect_detail(const strata_driver *d, strata_conn *c,
                                  const strata_detail_sink *sink,
                                  strata_dberr *de);
/* ABI 2.5: the database's estimate of table's rows; -1 without one. */
int strata__drv_table_rows(const strata_driver *d, strata_conn *c,
                           const char *table, int64_t *rows, strata_dberr *de);

/* schema.c: neutral model, fingerprinted. */
typedef struct strata__schema strata__schema;
int strata__schema_read(strata__schema **out, const strata_driver *drv,
                        strata_conn *conn, const char *exclude_table,
                        strata_error *err);
void strata__schema_free(strata__schema *sc);
const char *strata__schema_fingerprint(const strata__schema *sc);
const char *strata__schema_text(const strata__schema *sc);
/* fp is sc's fingerprint, or what strata computed before details. */
int strata__schema_matches(const strata__schema *sc, const char *fp);
/* The snapshot text of sc (snapshot.c's record format). */
const char *strata__schema_record(const strata__schema *sc);
/* snapshot.c: whether table is the history table's (history, or its
 * <history>_snapshot or <history>_lock companion) or SQLite's own: never
 * part of the schema. history may be NULL. */
int strata__history_own(const char *history, const char *table);

/* config.c: a section's targets (targets.c reads them). */
typedef struct strata__fleet_keys {
	char *targets;      /* "URL, URL", expanded */
	char *targets_file; /* anchored at the config's folder */
	char *tenants;      /* "a, b", expanded */
	char *url_template; /* url with ${tenant}, not expanded */
	int line, url_line; /* of the list's key; of url */
	/* host, port, user, password (or password_file), database, options
	 * of the section, expanded: applied to each target's URL */
	char *part[6];
	int has_parts;
} strata__fleet_keys;
const strata__fleet_keys *strata__config_fleet(const strata_config *c);
/* url with the section's host, user, password... keys applied, as to a
 * single url (cfg NULL or none given: a copy); errors at file:line. */
int strata__config_compose_target(const strata_config *cfg, const char *url,
                                  char **out, const char *file, int line,
                                  strata_error *err);
const char *strata__config_file(const strata_config *c); /* may be NULL */
int strata__config_layout(const strata_config *c);       /* STRATA__LAYOUT_* */
/* ${VAR} expansion of value (of key, at file:line); ${tenant} is tenant
 * when that is not NULL. */
int strata__expand(char **out, const char *value, const char *key,
                   const char *file, int line, const char *tenant,
                   strata_error *err);
/* targets.c: a targets file's text (file names it in errors). */
int strata__targets_parse(strata_targets **out, const char *text,
                          const char *file, strata_error *err);
/* config.c: strata_options.no_create, carried to strata_open. */
int strata__config_no_create(const strata_config *c);
/* strata_options.plugin_path, or NULL. */
const char *strata__config_plugin_path(const strata_config *c);
/* A copy of c for a scratch database at url (verify.c): its folder,
 * table, lock timeout and plugin path, without init_sql. */
strata_config *strata__config_scratch(const strata_config *c, const char *url);

/* session.c: the strata handle. */
struct strata {
	const strata_config *cfg;
	strata__plugin *plugin;
	const strata_driver *drv;
	strata_conn *conn;
	strata_conn *lock_conn;
	/* conn's commits check the lock themselves (STRATA_BATCH_LOCKED). */
	int lock_guarded;
	char *target; /* redacted URL */
	char *password;
	strata__url_owned url;
	/* The history table with the schema the driver resolved it in at
	 * connect time, if any: quoted for SQL, and as schema.table for
	 * table_exists and the lock name. */
	char *table_quoted;
	char *table_name;  /* the lock name: "schema.table", or "table" */
	char *hist_schema; /* NULL: no schemas (SQLite) */
	char *hist_table;
	/* The dialect's split flags as session_setup adjusted them. */
	unsigned split_flags;
	/* The driver's override-file names (file_names_buf: the default). */
	const char *const *file_names;
	const char *file_names_buf[2];
	int history_ready;      /* the history table is known to exist */
	int allow_out_of_order; /* set by strata_set_out_of_order() */
	int allow_destructive;  /* set by strata_set_allow_destructive() */
	int single_tx;          /* set by strata_set_single_transaction() */
	int full_check;         /* set by strata_set_full_check() */
	char *cache_dir;        /* set by strata_set_checksum_cache() */
	strata__sumcache *sums; /* opened on first use (strata__sums) */
	struct strata__prefetch *prefetch; /* prefetch.c; NULL: none */
	/* verify.c: the lock is held across several up/down runs, so
	 * strata__unlock() at the end of each one keeps it. */
	int lock_hold;
	strata__source src;
	strata_event_fn on_event;
	void *event_ctx;
};

/* version and id (folder name) may be NULL. */
void strata__emit(strata *s, strata_event_kind kind, const char *version,
                  const char *id, const char *name, const char *source,
                  int steps, int64_t duration_ms, const char *detail);
/* An event with every member set by the caller (struct_size is set). */
void strata__emit_ev(strata *s, strata_event *ev);
/* Wrap a driver failure into err with the redacted target. */
int strata__drv_fail(strata *s, strata_error *err, const strata_dberr *de,
                     const char *what);
/* Same, given the driver's return code: STRATA_DRV_CONFIG is a usage or
 * configuration error (STRATA_EUSAGE, exit 2). */
int strata__drv_fail_rc(strata *s, int drv_rc, strata_error *err,
                        const strata_dberr *de, const char *what);
int strata__lock(strata *s, strata_error *err);
void strata__unlock(strata *s);
/* Whether the lock taken by strata__lock() is still held; if not, an
 * EFAIL error "lost the migration lock ...: <stopped> <id>". stopped/id
 * say where the run stopped, e.g. "stopped before applying", "0003_x". */
int strata__lock_check(strata *s, const char *stopped, const char *id,
                       strata_error *err);
int strata__run_init_sql(strata *s, strata_conn *c, strata_error *err);
/* prefetch.c: the migrations folder, loaded once, maybe on a thread
 * started by strata__source_start() while the database is queried. The
 * session's src and sums are the thread's until strata__source_get(),
 * strata__source_done() or strata__sums() joins it. */
void strata__source_start(strata *s);
int strata__source_get(strata *s, strata_error *err);
/* After strata__source_get(): the cached checksums of migration i's up
 * file, looked up by the thread (1), or 0: the caller reads them. */
int strata__source_presum(const strata *s, size_t i,
                          char sum[STRATA__SHA256_HEX],
                          char raw[STRATA__SHA256_HEX]);
/* Ends the call that started the thread: joins it and forgets what it
 * looked up (a later call, or the src read again, looks again). A load
 * that failed unreported is reported by the next strata__source_get(). */
void strata__source_done(strata *s);
/* Joins and forgets the thread; an unreported failure is read again. */
void strata__source_end(strata *s);
/* The file of m that runs on this session's driver (up or down); NULL:
 * none. */
const char *strata__file_for(const strata *s, const strata__migration *m,
                             int up);

/* history.c */
int strata__history_exists(strata *s, int *exists, strata_error *err);
int strata__history_ensure(strata *s, strata_error *err);
int strata__history_load(strata_history **out, strata *s, strata_error *err);
int strata__history_insert(strata *s, const strata_history_row *r,
                           strata_error *err);
int strata__history_update(strata *s, const strata_history_row *r,
                           strata_error *err);
/*
 * History writes queued to go out together, in one round trip where the
 * driver has batch(). The queue borrows each row's strings: the rows must
 * outlive strata__hq_run, which empties the queue whether or not it
 * succeeds and leaves a failed transaction to the caller to roll back.
 * Updates must match exactly one row; when any is queued, COMMIT waits
 * for that check.
 */
typedef struct strata__hq_ent strata__hq_ent;
typedef struct strata__hq {
	strata__hq_ent *e;
	size_t n, cap;
} strata__hq;
void strata__hq_insert(strata *s, strata__hq *q, const strata_history_row *r);
void strata__hq_update(strata *s, strata__hq *q, const strata_history_row *r);
/* flags: STRATA_BATCH_BEGIN, STRATA_BATCH_COMMIT. */
int strata__hq_run(strata *s, strata__hq *q, unsigned flags, strata_error *err);
void strata__hq_clear(strata__hq *q);
/* version: as stored in the row (matched with =, not version_cmp). */
int strata__history_delete(strata *s, const char *version, strata_error *err);
/* One parameterized write on the session; what: the error's context. */
int strata__exec_params(strata *s, const char *sql, const strata_value *v,
                        int n, const char *what, strata_error *err);
int strata__history_set_fingerprint(strata *s, const char *version,
                                    const char *fp, strata_error *err);
/* The row whose version equals `version` as a number; h sorted by
 * strata__history_cmp_rows (strata__history_load sorts it). */
int strata__history_cmp_rows(const void *a, const void *b);
const strata_history_row *strata__history_find(const strata_history *h,
                                               const char *version);
/* The row of the latest run (latest finished_at, else started_at; ties by
 * version) among applied, skipped and baseline rows; NULL if none. */
const strata_history_row *strata__history_latest(const strata_history *h);
/* Record the current schema fingerprint on the latest run's row. */
void strata__stamp_latest(strata *s);
int strata__row_known_status(const char *status);
/* Pending migrations (up to upto, NULL: all) whose version an older
 * release's integer version column cannot hold: refused (exit 2, with the
 * ALTER that fixes the table) before anything runs. */
int strata__history_check_wide(strata *s, const strata_status *st,
                               const char *upto, strata_error *err);

/* planner.c */
/* The pool that owns the strings of st (built by strata__status_merge). */
strata__pool *strata__status_pool(strata_status *st);
int strata__status_build(strata_status **out, strata *s,
                         const strata_history *h, strata_error *err);
/* The same without checksums: which are pending, failed or unknown
 * (an applied one is never reported modified). */
int strata__status_pending(strata_status **out, strata *s,
                           const strata_history *h, strata_error *err);
/* The merge itself, without a session: what the unit tests exercise. */
int strata__status_merge(strata_status **out, const strata__source *src,
                         const char *driver, const strata_history *h,
                         strata_error *err);
/* Whether `up --to target` (NULL: all) would run it: pending, not past. */
int strata__pending_upto(const strata_status_item *it, const char *target);
int strata__refuse_if_unclean(const strata_status *st, strata_error *err);
/* A skipped row whose migration now has a file for this driver (only: that
 * item, NULL: any): fails with code, naming the way out. */
int strata__refuse_skipped_with_file(const strata_status *st,
                                     const strata_status_item *only, int code,
                                     strata_error *err);
/* Pending migrations (up to target, NULL: all) older than the newest
 * applied one: refused (exit 3, naming them) unless allowed. */
int strata__refuse_out_of_order(strata *s, const strata_status *st,
                                const char *target, strata_error *err);
int strata__version_known(strata *s, const char *version, strata_error *err);
/* up/plan --to: NULL (all) or a known version; all zeros is refused. */
int strata__check_up_target(strata *s, const char *target, strata_error *err);

/* access.c: a history status column's text, parsed. */
strata_history_status strata__history_state(const char *status);
/* A copy of the caller's options: the members its version has, defaults
 * for the rest; STRATA_EUSAGE for an unknown version (0: never set). */
int strata__options_read(strata_options *out, const strata_options *in,
                         strata_error *err);

/* version.c: versions are digit strings of any length, ordered as numbers
 * (leading zeros ignored, then shorter is smaller, then digit by digit). */
int strata__version_valid(const char *v);
int strata__version_is_zero(const char *v);
int strata__version_cmp(const char *a, const char *b);
int strata__version_fits_int64(const char *v);

/* sort.c: qsort that first checks, in one pass, whether base is sorted
 * already; and the hash of n bytes of s (FNV-1a), case folded on fold,
 * for the core's open-addressing tables. */
void strata__sort(void *base, size_t n, size_t size,
                  int (*cmp)(const void *, const void *));
size_t strata__hash(const char *s, size_t n, int fold);
/* The same, 64 bits wide on every platform. */
uint64_t strata__hash64(const char *s, size_t n, int fold);

#endif
