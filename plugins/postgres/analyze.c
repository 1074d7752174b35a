/*
 * What a statement changes, read from PostgreSQL's own parse tree: the
 * analyze operation (ABI 2.2). libpg_query gives the tree as JSON, read
 * here with json-c; the names in it are already folded as the server folds
 * them. Only what the linter's rules need is reported; everything else is
 * one STRATA_ACT_OTHER.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>
#include <pg_query.h>

#include "pg_int.h"

/* Deep enough for any expression a migration writes; json-c's own default
 * (32) is not. A tokener allocates and clears its whole stack, so the
 * common shallow tree is read with a small one first. */
#define TREE_DEPTH      2048
#define TREE_DEPTH_FAST 64
/* How deep the search for volatile calls goes into a default. */
#define EXPR_DEPTH 200

typedef struct an {
	char *sql; /* owned: the statement, NUL-terminated */
	size_t len;
	strata_action_fn fn;
	void *ctx;
	int stopped; /* fn returned non-zero */
	int nomem;
} an;

/* ---- reading the tree ------------------------------------------------ */

static json_object *get(json_object *o, const char *key)
{
	json_object *v = NULL;

	if (!o || !json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static const char *str(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v && json_object_is_type(v, json_type_string)
	               ? json_object_get_string(v)
	               : NULL;
}

static int is(json_object *o, const char *key, const char *want)
{
	const char *v = str(o, key);

	return v && !strcmp(v, want);
}

static int yes(json_object *o, const char *key)
{
	json_object *v = get(o, key);

	return v && json_object_get_boolean(v);
}

/* A node's "location" (a byte offset in the statement), or -1. */
static int loc(json_object *o)
{
	json_object *v = get(o, "location");

	return v ? json_object_get_int(v) : -1;
}

/* {"Type": {...}}: the inner object when the node is of that type. */
static json_object *node(json_object *w, const char *type)
{
	return get(w, type);
}

/* A list's i-th element, or NULL. */
static json_object *item(json_object *list, size_t i)
{
	if (!list || !json_object_is_type(list, json_type_array) ||
	    i >= json_object_array_length(list))
		return NULL;
	return json_object_array_get_idx(list, i);
}

static size_t count(json_object *list)
{
	return list && json_object_is_type(list, json_type_array)
	               ? json_object_array_length(list)
	               : 0;
}

/* The text of a {"String": {"sval": ...}} node. */
static const char *sval(json_object *w)
{
	return str(node(w, "String"), "sval");
}

/* The 1-based line of byte offset at in the statement (0: unknown). */
static int line_at(const an *a, int at)
{
	const char *p, *end;
	int line = 1;

	if (at < 0 || (size_t)at > a->len)
		return 0;
	for (p = a->sql, end = a->sql + at; p < end; p++)
		line += *p == '\n';
	return line;
}

/* ---- reporting ------------------------------------------------------- */

static void act_init(strata_action *x, int kind, int line)
{
	memset(x, 0, sizeof(*x));
	x->struct_size = sizeof(*x);
	x->kind = kind;
	x->line = line;
}

static void report(an *a, const strata_action *x)
{
	if (!a->stopped && !a->nomem && a->fn(a->ctx, x))
		a->stopped = 1;
}

static void report_kind(an *a, int kind, int line)
{
	strata_action x;

	act_init(&x, kind, line);
	report(a, &x);
}

/* A RangeVar's schema and table into x. */
static void relation(strata_action *x, json_object *rv)
{
	x->schema = str(rv, "schemaname");
	x->table = str(rv, "relname");
}

/* A dotted name as a list of String nodes: the last two parts. */
static void qualified(json_object *names, const char **schema,
                      const char **name)
{
	size_t n = count(names);

	*name = n ? sval(item(names, n - 1)) : NULL;
	*schema = n > 1 ? sval(item(names, n - 2)) : NULL;
}

/* ---- types, as written ----------------------------------------------- */

/* Words that end a column's type: what may follow it in a definition. */
static const char *const after_type[] = {
        "not",        "null",       "default",   "constraint",
        "collate",    "using",      "primary",   "unique",
        "check",      "references", "generated", "compression",
        "deferrable", "initially",  "storage",   NULL};

static int word_char(int c)
{
	return isalnum(c) || c == '_' || c == '$' || c >= 0x80;
}

static int ends_type(const char *w, size_t n)
{
	const char *const *k;

	for (k = after_type; *k; k++)
		if (strlen(*k) == n && !strncasecmp(w, *k, n))
			return 1;
	return 0;
}

/* The end of the token at p: a quoted name or string, a word, or one
 * character. */
static const char *token_end(const char *p, const char *end)
{
	char q = *p;

	if (q == '"' || q == '\'') {
		for (p++; p < end; p++) {
			if (*p != q)
				continue;
			if (end - p >= 2 && p[1] == q)
				p++;
			else
				return p + 1;
		}
		return end;
	}
	if (word_char((unsigned char)q)) {
		while (p < end && word_char((unsigned char)*p))
			p++;
		return p;
	}
	return p + 1;
}

/*
 * A column's type as the statement writes it, from the type's location to
 * where the definition goes on (a constraint, COLLATE, USING, ',' or ')'),
 * blanks and comments between its tokens made one space: "varchar(20)",
 * "timestamp with time zone", "numeric(10, 2)[]". malloc'd; NULL when
 * out of memory.
 */
static char *type_text(const an *a, json_object *tn)
{
	const char *p, *end = a->sql + a->len, *e;
	strata__kit_buf b = {0};
	int at = loc(tn), depth = 0;

	if (at < 0 || (size_t)at >= a->len) {
		const char *schema, *name;

		/* No location: the name the tree holds. */
		qualified(get(tn, "names"), &schema, &name);
		return strdup(name ? name : "");
	}
	for (p = a->sql + at;; p = e) {
		const char *t = pg__skip_gap(p, end);

		if (t >= end)
			break;
		if (depth == 0 && (*t == ',' || *t == ';' || *t == ')'))
			break;
		e = token_end(t, end);
		if (depth == 0 && word_char((unsigned char)*t) &&
		    ends_type(t, (size_t)(e - t)))
			break;
		if (*t == '(' || *t == '[')
			depth++;
		else if ((*t == ')' || *t == ']') && depth > 0)
			depth--;
		if (t > p && b.len > 0)
			strata__kit_buf_add(&b, " ");
		strata__kit_buf_put(&b, t, (size_t)(e - t));
	}
	return strata__kit_buf_take(&b);
}

/* ---- defaults -------------------------------------------------------- */

/* Functions whose value differs per row: a default calling one fills
 * every existing row separately, rewriting the table. now() and
 * CURRENT_TIMESTAMP are stable (one value per statement), not listed. */
static const char *const volatile_fns[] = {
        "random",
        "gen_random_uuid",
        "uuid_generate_v1",
        "uuid_generate_v1mc",
        "uuid_generate_v4",
        "clock_timestamp",
        "timeofday",
        "nextval",
        "txid_current",
        "pg_current_xact_id",
        "setseed",
        "random_normal",
        NULL,
};

static int volatile_fn(json_object *call)
{
	json_object *names = get(call, "funcname");
	const char *const *f;
	const char *name;

	name = count(names) ? sval(item(names, count(names) - 1)) : NULL;
	if (!name)
		return 0;
	for (f = volatile_fns; *f; f++)
		if (!strcmp(name, *f))
			return 1;
	return 0;
}

/* Whether an expression calls a volatile function anywhere in it. */
static int has_volatile(json_object *o, int depth)
{
	json_object *call;
	size_t i;

	if (!o || depth > EXPR_DEPTH)
		return 0;
	if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < count(o); i++)
			if (has_volatile(item(o, i), depth + 1))
				return 1;
		return 0;
	}
	if (!json_object_is_type(o, json_type_object))
		return 0;
	if ((call = node(o, "FuncCall")) && volatile_fn(call))
		return 1;
	{
		json_object_object_foreach(o, key, v)
		{
			(void)key;
			if (has_volatile(v, depth + 1))
				return 1;
		}
	}
	return 0;
}

/* ---- statements ------------------------------------------------------ */

static const char *constraint_detail(const char *contype)
{
	static const char *const map[][2] = {
	        {"CONSTR_PRIMARY", "primary key"}, {"CONSTR_UNIQUE", "unique"},
	        {"CONSTR_FOREIGN", "foreign key"}, {"CONSTR_CHECK", "check"},
	        {"CONSTR_EXCLUSION", "exclusion"},
	};
	size_t i;

	for (i = 0; contype && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(contype, map[i][0]))
			return map[i][1];
	return NULL;
}

/* ADD CONSTRAINT, or a constraint written in an added column. */
static void add_constraint(an *a, const strata_action *base, json_object *con,
                           int fallback_line)
{
	strata_action x = *base;
	const char *detail = constraint_detail(str(con, "contype"));

	x.line = fallback_line > 0 ? fallback_line : line_at(a, loc(con));
	x.kind = detail ? STRATA_ACT_ADD_CONSTRAINT
	                : STRATA_ACT_ALTER_TABLE_OTHER;
	x.detail = detail;
	x.name = str(con, "conname");
	x.type = NULL;
	x.flags = 0; /* the column's or clause's flags are not its own */
	if (yes(con, "skip_validation"))
		x.flags |= STRATA_ACTF_NOT_VALID;
	if (is(con, "contype", "CONSTR_FOREIGN") &&
	    count(get(con, "fk_attrs")) == 1)
		x.column = sval(item(get(con, "fk_attrs"), 0));
	report(a, &x);
}

static int is_serial(const char *t)
{
	static const char *const s[] = {"serial",  "serial4",     "bigserial",
	                                "serial8", "smallserial", "serial2",
	                                NULL};
	const char *const *k;

	for (k = s; t && *k; k++)
		if (!strcmp(t, *k))
			return 1;
	return 0;
}

/* ADD COLUMN: the column, then the table constraints written in it. */
static void add_column(an *a, strata_action *x, json_object *def)
{
	json_object *cons = get(def, "constraints");
	const char *schema, *tname;
	char *type;
	size_t i;

	x->kind = STRATA_ACT_ADD_COLUMN;
	x->column = str(def, "colname");
	qualified(get(get(def, "typeName"), "names"), &schema, &tname);
	if (is_serial(tname))
		x->flags |= STRATA_ACTF_NOT_NULL | STRATA_ACTF_DEFAULT |
		            STRATA_ACTF_VOLATILE_DEFAULT;
	for (i = 0; i < count(cons); i++) {
		json_object *c = node(item(cons, i), "Constraint");
		const char *t = str(c, "contype");

		if (!t)
			continue;
		if (!strcmp(t, "CONSTR_NOTNULL") ||
		    !strcmp(t, "CONSTR_PRIMARY"))
			x->flags |= STRATA_ACTF_NOT_NULL;
		if (!strcmp(t, "CONSTR_DEFAULT")) {
			x->flags |= STRATA_ACTF_DEFAULT;
			if (has_volatile(get(c, "raw_expr"), 0))
				x->flags |= STRATA_ACTF_VOLATILE_DEFAULT;
		}
		/* An identity column is filled from a sequence, row by row. */
		if (!strcmp(t, "CONSTR_IDENTITY"))
			x->flags |= STRATA_ACTF_NOT_NULL | STRATA_ACTF_DEFAULT |
			            STRATA_ACTF_VOLATILE_DEFAULT;
		if (!strcmp(t, "CONSTR_GENERATED"))
			x->flags |= STRATA_ACTF_GENERATED;
	}
	type = type_text(a, get(def, "typeName"));
	x->type = type;
	report(a, x);
	free(type);
	x->type = NULL;
	for (i = 0; i < count(cons); i++) {
		json_object *c = node(item(cons, i), "Constraint");

		if (constraint_detail(str(c, "contype")))
			add_constraint(a, x, c, x->line);
	}
}

/* One ALTER TABLE clause. base holds the table and the statement's line. */
static void alter_cmd(an *a, const strata_action *base, json_object *cmd,
                      int line)
{
	const char *sub = str(cmd, "subtype");
	json_object *def = get(cmd, "def"), *cd = node(def, "ColumnDef");
	strata_action x = *base;
	char *type = NULL;

	if (!sub)
		sub = "";
	x.kind = STRATA_ACT_ALTER_TABLE_OTHER;
	x.column = str(cmd, "name");
	if (yes(cmd, "missing_ok"))
		x.flags |= STRATA_ACTF_IF_EXISTS;
	if (line > 0)
		x.line = line;
	else if (cd && loc(cd) >= 0)
		x.line = line_at(a, loc(cd));
	if (!strcmp(sub, "AT_AddColumn") && cd) {
		add_column(a, &x, cd);
		return;
	}
	if (!strcmp(sub, "AT_AddConstraint") && node(def, "Constraint")) {
		x.column = NULL;
		add_constraint(a, &x, node(def, "Constraint"), x.line);
		return;
	}
	if (!strcmp(sub, "AT_DropColumn")) {
		x.kind = STRATA_ACT_DROP_COLUMN;
	} else if (!strcmp(sub, "AT_AlterColumnType") && cd) {
		x.kind = STRATA_ACT_ALTER_TYPE;
		x.type = type = type_text(a, get(cd, "typeName"));
		if (get(cd, "raw_default"))
			x.flags |= STRATA_ACTF_USING;
	} else if (!strcmp(sub, "AT_SetNotNull")) {
		x.kind = STRATA_ACT_SET_NOT_NULL;
	} else if (!strcmp(sub, "AT_DropNotNull")) {
		x.kind = STRATA_ACT_DROP_NOT_NULL;
	} else if (!strcmp(sub, "AT_ColumnDefault")) {
		/* DROP DEFAULT: the same kind without F_DEFAULT. */
		x.kind = STRATA_ACT_SET_DEFAULT;
		if (def) {
			x.flags |= STRATA_ACTF_DEFAULT;
			if (has_volatile(def, 0))
				x.flags |= STRATA_ACTF_VOLATILE_DEFAULT;
		}
	} else if (!strcmp(sub, "AT_ValidateConstraint")) {
		x.kind = STRATA_ACT_VALIDATE_CONSTRAINT;
		x.name = x.column;
		x.column = NULL;
	} else if (!strcmp(sub, "AT_DropConstraint")) {
		x.kind = STRATA_ACT_DROP_CONSTRAINT;
		x.name = x.column;
		x.column = NULL;
	}
	report(a, &x);
	free(type);
}

/*
 * The line of each ALTER TABLE clause (most carry no location): the
 * clauses follow the table's name, separated by commas outside brackets.
 * lines[i] stays 0 when the text does not split into n clauses.
 */
static void clause_lines(const an *a, json_object *rv, int *lines, size_t n)
{
	const char *end = a->sql + a->len, *p, *t, *e;
	size_t k = 0;
	int at = loc(rv), depth = 0, dot = 1;

	if (at < 0 || (size_t)at >= a->len)
		return;
	/* Past the name: words and quoted names joined by dots, maybe '*'. */
	for (p = a->sql + at;; p = e) {
		t = pg__skip_gap(p, end);
		if (t >= end)
			return;
		e = token_end(t, end);
		if (*t == '.' || *t == '*') {
			dot = *t == '.';
		} else if (dot) {
			dot = 0;
		} else {
			break;
		}
	}
	lines[k++] = line_at(a, (int)(t - a->sql));
	for (p = t; k <= n; p = e) {
		t = pg__skip_gap(p, end);
		if (t >= end)
			break;
		e = token_end(t, end);
		if (*t == '(' || *t == '[')
			depth++;
		else if ((*t == ')' || *t == ']') && depth > 0)
			depth--;
		else if (*t == ',' && depth == 0) {
			t = pg__skip_gap(e, end);
			if (k < n)
				lines[k] = line_at(a, (int)(t - a->sql));
			k++;
		}
	}
	if (k != n)
		memset(lines, 0, n * sizeof(*lines));
}

static void alter_table(an *a, json_object *st)
{
	json_object *cmds = get(st, "cmds");
	strata_action base;
	size_t i, n = count(cmds);
	int *lines;

	/* ALTER INDEX, VIEW, SEQUENCE...: not a table's change. */
	if (!is(st, "objtype", "OBJECT_TABLE")) {
		report_kind(a, STRATA_ACT_OTHER, 1);
		return;
	}
	act_init(&base, STRATA_ACT_ALTER_TABLE_OTHER, 1);
	relation(&base, get(st, "relation"));
	if (yes(st, "missing_ok"))
		base.flags |= STRATA_ACTF_IF_EXISTS;
	if (!n) {
		report(a, &base);
		return;
	}
	if (!(lines = calloc(n, sizeof(*lines)))) {
		a->nomem = 1;
		return;
	}
	clause_lines(a, get(st, "relation"), lines, n);
	for (i = 0; i < n && !a->stopped; i++)
		alter_cmd(a, &base, node(item(cmds, i), "AlterTableCmd"),
		          lines[i]);
	free(lines);
}

static void create_table(an *a, json_object *rv, int if_not_exists)
{
	strata_action x;

	act_init(&x, STRATA_ACT_CREATE_TABLE, 1);
	relation(&x, rv);
	if (is(rv, "relpersistence", "t"))
		x.flags |= STRATA_ACTF_TEMPORARY;
	if (if_not_exists)
		x.flags |= STRATA_ACTF_IF_EXISTS;
	report(a, &x);
}

static void drop(an *a, json_object *st)
{
	json_object *objs = get(st, "objects");
	const char *type = str(st, "removeType");
	strata_action x;
	size_t i;
	int kind;

	if (!type)
		type = "";
	if (!strcmp(type, "OBJECT_TABLE"))
		kind = STRATA_ACT_DROP_TABLE;
	else if (!strcmp(type, "OBJECT_INDEX"))
		kind = STRATA_ACT_DROP_INDEX;
	else if (!strcmp(type, "OBJECT_SCHEMA"))
		kind = STRATA_ACT_DROP_SCHEMA;
	else
		kind = STRATA_ACT_OTHER;
	if (kind == STRATA_ACT_OTHER || !count(objs)) {
		report_kind(a, STRATA_ACT_OTHER, 1);
		return;
	}
	for (i = 0; i < count(objs) && !a->stopped; i++) {
		json_object *o = item(objs, i);
		const char *schema, *name;

		act_init(&x, kind, 1);
		if (yes(st, "missing_ok"))
			x.flags |= STRATA_ACTF_IF_EXISTS;
		if (yes(st, "concurrent"))
			x.flags |= STRATA_ACTF_CONCURRENTLY;
		/* A schema is one String; a table or index a dotted List. */
		if (kind == STRATA_ACT_DROP_SCHEMA) {
			x.name = sval(o);
		} else {
			qualified(get(node(o, "List"), "items"), &schema,
			          &name);
			x.schema = schema;
			if (kind == STRATA_ACT_DROP_TABLE)
				x.table = name;
			else
				x.name = name;
		}
		report(a, &x);
	}
}

static void truncate_stmt(an *a, json_object *st)
{
	json_object *rels = get(st, "relations");
	strata_action x;
	size_t i;

	for (i = 0; i < count(rels) && !a->stopped; i++) {
		json_object *rv = node(item(rels, i), "RangeVar");

		act_init(&x, STRATA_ACT_TRUNCATE, line_at(a, loc(rv)));
		relation(&x, rv);
		report(a, &x);
	}
}

/* DELETE or UPDATE: the statement's first line, where its verb is. */
static void dml(an *a, json_object *st, int kind)
{
	strata_action x;

	act_init(&x, kind, 1);
	relation(&x, get(st, "relation"));
	if (get(st, "whereClause"))
		x.flags |= STRATA_ACTF_WHERE;
	report(a, &x);
}

static void create_index(an *a, json_object *st)
{
	strata_action x;

	act_init(&x, STRATA_ACT_CREATE_INDEX, 1);
	relation(&x, get(st, "relation"));
	x.name = str(st, "idxname");
	if (yes(st, "unique"))
		x.flags |= STRATA_ACTF_UNIQUE;
	if (yes(st, "concurrent"))
		x.flags |= STRATA_ACTF_CONCURRENTLY;
	if (yes(st, "if_not_exists"))
		x.flags |= STRATA_ACTF_IF_EXISTS;
	report(a, &x);
}

static void rename_stmt(an *a, json_object *st)
{
	strata_action x;
	json_object *rv = get(st, "relation");

	act_init(&x, STRATA_ACT_OTHER, 1);
	if (is(st, "renameType", "OBJECT_TABLE")) {
		x.kind = STRATA_ACT_RENAME_TABLE;
	} else if (is(st, "renameType", "OBJECT_COLUMN") &&
	           is(st, "relationType", "OBJECT_TABLE")) {
		x.kind = STRATA_ACT_RENAME_COLUMN;
		x.column = str(st, "subname");
	}
	if (x.kind != STRATA_ACT_OTHER) {
		relation(&x, rv);
		x.name = str(st, "newname");
		if (yes(st, "missing_ok"))
			x.flags |= STRATA_ACTF_IF_EXISTS;
	}
	report(a, &x);
}

/* SET [LOCAL] lock_timeout = v: v as written, without quotes; SET ... TO
 * DEFAULT and RESET report "DEFAULT". */
static void set_stmt(an *a, json_object *st)
{
	json_object *c = node(item(get(st, "args"), 0), "A_Const");
	const char *name = str(st, "name");
	strata_action x;
	char num[32];

	act_init(&x, STRATA_ACT_OTHER, 1);
	if (!name || strcmp(name, "lock_timeout") != 0) {
		report(a, &x);
		return;
	}
	x.kind = STRATA_ACT_SET_LOCK_TIMEOUT;
	if (!is(st, "kind", "VAR_SET_VALUE")) {
		x.detail = "DEFAULT";
	} else if (get(c, "ival")) {
		snprintf(num, sizeof(num), "%d",
		         json_object_get_int(get(get(c, "ival"), "ival")));
		x.detail = num;
	} else if (get(c, "sval")) {
		x.detail = str(get(c, "sval"), "sval");
	} else if (get(c, "fval")) {
		x.detail = str(get(c, "fval"), "fval");
	}
	report(a, &x);
}

static void statement(an *a, json_object *w)
{
	json_object *st;

	if ((st = node(w, "CreateStmt")))
		create_table(a, get(st, "relation"), yes(st, "if_not_exists"));
	else if ((st = node(w, "CreateTableAsStmt")) &&
	         is(st, "objtype", "OBJECT_TABLE"))
		create_table(a, get(get(st, "into"), "rel"),
		             yes(st, "if_not_exists"));
	else if ((st = node(w, "DropStmt")))
		drop(a, st);
	else if ((st = node(w, "TruncateStmt")))
		truncate_stmt(a, st);
	else if ((st = node(w, "DeleteStmt")))
		dml(a, st, STRATA_ACT_DELETE);
	else if ((st = node(w, "UpdateStmt")))
		dml(a, st, STRATA_ACT_UPDATE);
	else if ((st = node(w, "AlterTableStmt")))
		alter_table(a, st);
	else if ((st = node(w, "IndexStmt")))
		create_index(a, st);
	else if ((st = node(w, "RenameStmt")))
		rename_stmt(a, st);
	else if ((st = node(w, "VariableSetStmt")))
		set_stmt(a, st);
	else
		report_kind(a, STRATA_ACT_OTHER, 1);
}

/* ---- the operation --------------------------------------------------- */

/* The 1-based line of the parser's cursor (characters of UTF-8 text). */
static int cursor_line(const char *sql, int cursorpos)
{
	const char *p;
	int chars = 0, line = 1;

	for (p = sql; *p && cursorpos > 0; p++) {
		if (((unsigned char)*p & 0xC0) != 0x80 && ++chars == cursorpos)
			break;
		line += *p == '\n';
	}
	return line;
}

static int parse_failed(const char *sql, const PgQueryError *pe,
                        strata_dberr *err)
{
	strata__kit_err(err, NULL, 0, "%s (PostgreSQL %s parser)",
	                pe->message ? pe->message : "does not parse",
	                PG_MAJORVERSION);
	if (pe->cursorpos > 0)
		strata__kit_err_add(err, " at line %d of the statement",
		                    cursor_line(sql, pe->cursorpos));
	return STRATA_DRV_ERROR;
}

/* The tree as json-c objects; NULL when deeper than TREE_DEPTH (or out of
 * memory: *nomem). */
static json_object *read_tree(const char *tree, int *nomem)
{
	static const int depths[] = {TREE_DEPTH_FAST, TREE_DEPTH};
	json_object *root = NULL;
	size_t i;

	for (i = 0; i < sizeof(depths) / sizeof(depths[0]); i++) {
		json_tokener *tok = json_tokener_new_ex(depths[i]);
		enum json_tokener_error e;

		if (!tok) {
			*nomem = 1;
			return NULL;
		}
		root = json_tokener_parse_ex(tok, tree, (int)strlen(tree));
		e = json_tokener_get_error(tok);
		json_tokener_free(tok);
		if (root || e != json_tokener_error_depth)
			break;
	}
	return root;
}

static int walk(an *a, const char *tree, strata_dberr *err)
{
	json_object *root, *stmts;
	int nomem = 0;
	size_t i;

	root = read_tree(tree, &nomem);
	if (nomem)
		return strata__kit_nomem(err);
	/* Nested past TREE_DEPTH: the statement parses (it splits and runs),
	 * the linter just cannot see into it. */
	if (!root) {
		report_kind(a, STRATA_ACT_OTHER, 1);
		return STRATA_DRV_OK;
	}
	stmts = get(root, "stmts");
	for (i = 0; i < count(stmts) && !a->stopped; i++)
		statement(a, get(item(stmts, i), "stmt"));
	/* Only comments: nothing the linter knows. */
	if (!count(stmts))
		report_kind(a, STRATA_ACT_OTHER, 1);
	json_object_put(root);
	return STRATA_DRV_OK;
}

int pg__analyze(const char *stmt, size_t len, strata_action_fn fn, void *ctx,
                strata_dberr *err)
{
	PgQueryParseResult r;
	an a;
	int rc;

	memset(&a, 0, sizeof(a));
	/* The statement is not NUL-terminated; the parser needs it so. */
	if (!(a.sql = strndup(stmt, len)))
		return strata__kit_nomem(err);
	a.len = strlen(a.sql);
	a.fn = fn;
	a.ctx = ctx;
	r = pg_query_parse(a.sql);
	if (r.error)
		rc = parse_failed(a.sql, r.error, err);
	else
		rc = walk(&a, r.parse_tree, err);
	pg_query_free_parse_result(r);
	free(a.sql);
	if (rc == STRATA_DRV_OK && a.nomem)
		rc = strata__kit_nomem(err);
	if (rc == STRATA_DRV_OK && a.stopped)
		rc = strata__kit_err(err, NULL, 0, "action not taken");
	return rc;
}
