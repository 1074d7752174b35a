/* The structured neutral schema (model.c) and the type map (typemap.c),
 * used by diff.c. */
#ifndef STRATA_MODEL_H
#define STRATA_MODEL_H

#include "internal.h"

typedef struct strata__mcol {
	char *name;
	char *type; /* neutral */
	char *raw;  /* as the database reported it */
	int nullable;
	char *dflt; /* normalised; NULL: none */
	/* A generated column (introspect_detail): its expression as the
	 * database shows it (dialect text), NULL for an ordinary column;
	 * gen_stored: 1 STORED, 0 VIRTUAL. A generated column has no
	 * dflt. */
	char *gen_expr;
	int gen_stored;
} strata__mcol;

typedef struct strata__midx {
	char *name, *columns;
	int unique, primary;
	/* MySQL's index backing a foreign key (it requires one). */
	int fk_support;
	/* Details (introspect_detail), each NULL in the plain case: keys,
	 * the key list as the database shows it when it is more than the
	 * plain ascending columns ("lower(email)", "created_at DESC",
	 * "name text_pattern_ops", "name(10)" for a MySQL prefix); predicate,
	 * a partial index's WHERE (without the keyword); include, the
	 * INCLUDE columns ("a,b"); method, the access method when not the
	 * default ("gin", "hash", "fulltext", "spatial"). All dialect text:
	 * compared only between databases of one driver. */
	char *keys, *predicate, *include, *method;
} strata__midx;

typedef struct strata__mfk {
	char *name, *columns, *ref_table, *ref_columns;
	char *on_delete, *on_update;
} strata__mfk;

typedef struct strata__mtable {
	char *name;
	strata__mcol *cols;
	size_t ncols;
	strata__midx *idx;
	size_t nidx;
	strata__mfk *fks;
	size_t nfks;
} strata__mtable;

typedef struct strata__mobject {
	char *kind, *name;
	/* The table a trigger belongs to; NULL for views and sequences. */
	char *table;
	/* The definition (introspect_detail): a view's SELECT, a trigger's
	 * CREATE TRIGGER, as the database shows it; NULL when not reported.
	 * Dialect text. */
	char *definition;
} strata__mobject;

typedef struct strata__model {
	const char *driver;
	const char *exclude; /* the history table */
	strata__mtable *tables;
	size_t ntables;
	strata__mobject *objects;
	size_t nobjects;
	/* Objects are views, materialized views, sequences and triggers
	 * (kind "trigger", with table), sorted by kind then name. */
	/* Sequences named by a column's nextval() default (serial). */
	char **owned_seqs;
	size_t nowned;
} strata__model;

/* model.c: introspect into a model, sorted by name. */
int strata__model_read(strata__model **out, const strata_driver *drv,
                       strata_conn *conn, const char *exclude_table,
                       strata_error *err);
void strata__model_free(strata__model *m);
/* The order of tables and columns in a model: case-insensitive first, so
 * that names differing only in case sit side by side. */
int strata__name_cmp(const char *a, const char *b);
const strata__mtable *strata__model_table(const strata__model *m,
                                          const char *name);

/* model.c: the model of a snapshot's text (snapshot.c), as driver would
 * have reported it. STRATA_EFAIL when the text is not a snapshot. */
int strata__model_from_snapshot(strata__model **out, const char *driver,
                                const char *text, const char *exclude_table,
                                strata_error *err);

/* diff.c: what changed from the snapshot `before` to `now` (one driver),
 * as drift items ("added/removed/changed outside migrations"), their
 * strings in pool; *items is pool memory too. */
void strata__drift_items(strata__pool *pool, const strata__model *before,
                         const strata__model *now, strata_diff_item **items,
                         size_t *count);

/* snapshot.c: the snapshot of the schema at the last stamp, kept in the
 * <history>_snapshot table. */
char *strata__snapshot_record(const char *tag, const char *const *fields,
                              int n);
char *strata__snapshot_join(char *const *records, size_t n);
/* Replays the records of text into the sinks; non-zero when a record
 * does not parse or a callback stops. */
int strata__snapshot_replay(const char *text, const strata_schema_sink *k,
                            const strata_detail_sink *dk);
/* Create the snapshot table if it is missing, before the catalog digest
 * is taken; errors are left to the write that follows. */
void strata__snapshot_ensure(strata *s);
/* Into the table strata__snapshot_ensure made. digest: the catalog digest
 * taken with this introspection, or NULL. */
int strata__snapshot_write(strata *s, const char *fp, const char *text,
                           const char *digest, strata_error *err);
/* 1 when the driver has a catalog digest (out set), else 0. */
int strata__catalog_digest(strata *s, char out[STRATA__SHA256_HEX]);
/* 1 when the snapshot of fingerprint fp carries a catalog digest equal
 * to the catalog's now: the schema is the one fp describes. */
int strata__snapshot_unchanged(strata *s, const char *fp);
/* *fp and *text NULL when there is no snapshot. */
int strata__snapshot_read(strata *s, char **fp, char **text, strata_error *err);

/* typemap.c: a dialect's type name as the neutral type (caller frees);
 * *autoinc is set for MySQL's auto_increment. */
char *strata__type_neutral(const char *driver, const char *type, int *autoinc);
/* A type as the database reported it, for two databases of one driver:
 * lowercase, integer display widths and auto_increment dropped, the rest
 * (unsigned, precision) kept. Caller frees. */
char *strata__type_exact(const char *type);
/* smallint, integer or bigint. */
int strata__type_integer(const char *neutral);
/* A default expression normalised for a column of neutral_type; NULL:
 * no default (also for DEFAULT NULL). Caller frees. */
char *strata__default_neutral(const char *neutral_type, const char *dflt);

#endif
