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
} strata__mcol;

typedef struct strata__midx {
	char *name, *columns;
	int unique, primary;
	/* MySQL's index backing a foreign key (it requires one). */
	int fk_support;
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
} strata__mobject;

typedef struct strata__model {
	const char *driver;
	const char *exclude; /* the history table */
	strata__mtable *tables;
	size_t ntables;
	strata__mobject *objects;
	size_t nobjects;
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
