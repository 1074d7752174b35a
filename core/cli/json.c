/*
 * --format json: one document per report, one JSON Lines event per
 * progress event. Every object carries "format_version"; docs/json.md
 * describes each member. Absent strings are null, never "".
 */
#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

static json_object *str(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void put(json_object *o, const char *key, json_object *v)
{
	json_object_object_add(o, key, v);
}

static void put_int(json_object *o, const char *key, int64_t v)
{
	put(o, key, json_object_new_int64(v));
}

static void put_bool(json_object *o, const char *key, int v)
{
	put(o, key, json_object_new_boolean(v != 0));
}

/* A document or event with the members every one has. */
struct json_object *cli_json_head(const char *key, const char *value)
{
	json_object *o = json_object_new_object();

	put_int(o, "format_version", CLI_JSON_VERSION);
	put(o, key, str(value));
	return o;
}

/* Prints o on one line and frees it. */
void cli_json_emit(struct json_object *o)
{
	cli_signals_json_line(1);
	puts(json_object_to_json_string_ext(
	        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(stdout);
	cli_signals_json_line(0);
	json_object_put(o);
}

static json_object *target(const char *command, strata *s)
{
	json_object *o = cli_json_head("command", command);

	put(o, "target", str(strata_target(s)));
	put(o, "driver", str(strata_driver_name(s)));
	put(o, "server", str(strata_server_version(s)));
	return o;
}

static json_object *status_item(const strata_status_item *it)
{
	json_object *o = json_object_new_object();

	put(o, "id", str(it->id));
	put(o, "version", str(it->version));
	put(o, "name", str(it->name));
	put(o, "state", str(strata_state_name(it->state)));
	put(o, "source", str(it->source));
	put(o, "applied_at", str(it->applied_at));
	put(o, "applied_by", str(it->applied_by));
	put(o, "started_at", str(it->started_at));
	put_int(o, "duration_ms", it->duration_ms);
	put_int(o, "steps", it->steps);
	put(o, "error", str(it->error));
	put_bool(o, "out_of_order", it->out_of_order);
	put_bool(o, "transaction", !it->no_transaction);
	put(o, "history_status", str(it->status));
	return o;
}

/* A = the snapshot, B = the schema now. */
static const char *drift_change(strata_diff_change c)
{
	if (c == STRATA_DIFF_ONLY_A)
		return "removed";
	return c == STRATA_DIFF_ONLY_B ? "added" : "changed";
}

/* Drift items: what changed outside migrations since the snapshot. */
static json_object *drift_items(const strata_status *st)
{
	json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < st->drift_count; i++) {
		const strata_diff_item *it = strata_status_drift_at(st, i);
		json_object *e = json_object_new_object();

		put(e, "change", str(drift_change(it->change)));
		put(e, "kind", str(it->kind));
		put(e, "object", str(it->object));
		put(e, "attribute", str(it->attribute));
		put(e, "before", str(it->a));
		put(e, "after", str(it->b));
		put(e, "detail", str(it->detail));
		json_object_array_add(list, e);
	}
	return list;
}

void cli_json_status(const strata_status *st, strata *s, json_object *lint,
                     int exit_code)
{
	json_object *o = target(cli_out.command, s);
	json_object *list = json_object_new_array(), *n, *schema;
	int64_t by[STRATA_STATE_UNKNOWN + 1] = {0};
	size_t i;

	for (i = 0; i < st->count; i++) {
		const strata_status_item *it = strata_status_item_at(st, i);

		json_object_array_add(list, status_item(it));
		if ((unsigned)it->state <= STRATA_STATE_UNKNOWN)
			by[it->state]++;
	}
	put(o, "migrations", list);
	n = json_object_new_object();
	for (i = 0; i <= STRATA_STATE_UNKNOWN; i++)
		put_int(n, strata_state_name((strata_state)i), by[i]);
	put(o, "counts", n);
	schema = json_object_new_object();
	put_bool(schema, "checked", st->schema_checked);
	put_bool(schema, "drift", st->schema_drift);
	put(schema, "since", str(st->schema_since));
	put_bool(schema, "drift_explained", st->drift_explained);
	put(schema, "method",
	    json_object_new_string(!st->schema_checked    ? "none"
	                           : st->schema_by_digest ? "catalog-digest"
	                                                  : "introspection"));
	put(schema, "changes", drift_items(st));
	put(o, "schema", schema);
	put_bool(o, "problems", cli_status_problems(st));
	if (lint) /* check: the pending migrations' lint findings */
		put(o, "lint", lint);
	put_int(o, "exit_code", exit_code);
	cli_json_emit(o);
}

static json_object *history_row(const strata_history_row *r)
{
	json_object *o = json_object_new_object();

	put(o, "version", str(r->version));
	put(o, "name", str(r->name));
	put(o, "status", str(r->status));
	put(o, "state", str(strata_history_status_name(r->state)));
	put(o, "checksum", str(r->checksum));
	put(o, "source", str(r->source));
	put(o, "started_at", str(r->started_at));
	put(o, "finished_at", str(r->finished_at));
	put_int(o, "duration_ms", r->duration_ms);
	put_int(o, "steps", r->steps);
	put(o, "applied_by", str(r->applied_by));
	put(o, "error", str(r->error));
	put(o, "fingerprint", str(r->fingerprint));
	return o;
}

void cli_json_history(const strata_history *h, strata *s)
{
	json_object *o = target("history", s), *rows = json_object_new_array();
	size_t i;

	for (i = 0; i < h->count; i++)
		json_object_array_add(rows,
		                      history_row(strata_history_row_at(h, i)));
	put(o, "rows", rows);
	cli_json_emit(o);
}

static json_object *plan_step(const strata_plan_step *p)
{
	json_object *o = json_object_new_object();
	json_object *list = json_object_new_array();
	size_t j;

	put(o, "id", str(p->id));
	put(o, "version", str(p->version));
	put(o, "name", str(p->name));
	put(o, "source", str(p->source));
	put_bool(o, "skipped", !p->source);
	put_bool(o, "transaction", p->transactional);
	for (j = 0; j < p->count; j++) {
		json_object *st = json_object_new_object();

		put_int(st, "line", p->lines[j]);
		put(st, "sql", str(p->statements[j]));
		json_object_array_add(list, st);
	}
	put(o, "statements", list);
	return o;
}

void cli_json_plan(const strata_plan *p, strata *s)
{
	json_object *o = target("plan", s), *list = json_object_new_array();
	size_t i;

	for (i = 0; i < p->count; i++)
		json_object_array_add(list,
		                      plan_step(strata_plan_step_at(p, i)));
	put(o, "migrations", list);
	cli_json_emit(o);
}

void cli_json_drivers(const strata_driver_info *d, size_t n)
{
	json_object *o = cli_json_head("command", "drivers");
	json_object *list = json_object_new_array();
	size_t i;

	for (i = 0; i < n; i++) {
		json_object *e = json_object_new_object();

		put(e, "name", str(d[i].name));
		put(e, "version", str(d[i].version));
		put(e, "path", str(d[i].path));
		put(e, "description", str(d[i].description));
		put_int(e, "abi_major", d[i].abi_major);
		put_int(e, "abi_minor", d[i].abi_minor);
		put_bool(e, "usable", !d[i].problem);
		put(e, "problem", str(d[i].problem));
		json_object_array_add(list, e);
	}
	put(o, "drivers", list);
	cli_json_emit(o);
}

void cli_json_created(const char *config, const char *dir, const char *path)
{
	json_object *o = cli_json_head("command", cli_out.command);

	if (path) {
		put(o, "path", str(path));
	} else {
		put(o, "config", str(config));
		put(o, "migrations", str(dir));
	}
	cli_json_emit(o);
}

static const char *code_name(int code)
{
	switch (code) {
	case STRATA_EUSAGE:
		return "usage";
	case STRATA_EDRIFT:
		return "drift";
	case STRATA_ELOCK:
		return "lock";
	case STRATA_ELINT:
		return "lint";
	default:
		return "failed";
	}
}

static json_object *error_object(const strata_error *err, int exit_code)
{
	json_object *o = json_object_new_object();
	char *line = strata_error_format(err);

	put(o, "kind", str(code_name(err->code)));
	put_int(o, "exit_code", exit_code);
	put(o, "message", str(line));
	put(o, "file", str(err->file));
	put_int(o, "line", err->line);
	put(o, "db_message", str(err->db_message));
	put(o, "sqlstate", str(*err->sqlstate ? err->sqlstate : NULL));
	put_int(o, "db_code", err->db_code);
	free(line);
	return o;
}

/* Event commands report an "error" event (the summary follows); the
 * others one document with an "error" member. */
void cli_json_error(const strata_error *err, int exit_code)
{
	const cli_command *cmd =
	        cli_out.command ? cli_command_find(cli_out.command) : NULL;
	json_object *o;

	if (cmd && (cmd->flags & CLI_CMD_EVENTS)) {
		o = cli_json_head("event", "error");
		put(o, "command", str(cli_out.command));
	} else {
		o = cli_json_head("command", cli_out.command);
	}
	put(o, "error", error_object(err, exit_code));
	put_int(o, "exit_code", exit_code);
	cli_json_emit(o);
}

static const char *event_name(strata_event_kind k)
{
	switch (k) {
	case STRATA_EV_LOCK_WAIT:
		return "lock_wait";
	case STRATA_EV_APPLIED:
		return "applied";
	case STRATA_EV_SKIPPED:
		return "skipped";
	case STRATA_EV_REVERTED:
		return "reverted";
	case STRATA_EV_BASELINED:
		return "baselined";
	case STRATA_EV_RESOLVED:
		return "resolved";
	case STRATA_EV_OUT_OF_ORDER:
		return "out_of_order";
	case STRATA_EV_NOTHING:
		return "nothing";
	case STRATA_EV_REPAIRED:
		return "repaired";
	case STRATA_EV_START:
		return "start";
	case STRATA_EV_STATEMENT:
		return "statement";
	case STRATA_EV_STATEMENT_DONE:
		return "statement_done";
	case STRATA_EV_FAILED:
		return "failed";
	}
	return "unknown";
}

void cli_json_event(const strata_event *ev)
{
	int stmt = ev->kind == STRATA_EV_STATEMENT ||
	           ev->kind == STRATA_EV_STATEMENT_DONE;
	json_object *o;

	if (stmt && !cli_out.verbose)
		return;
	o = cli_json_head("event", event_name(ev->kind));
	put(o, "command", str(cli_out.command));
	put(o, "id", str(ev->id));
	put(o, "version", str(ev->version));
	put(o, "name", str(ev->name));
	put(o, "source", str(ev->source));
	put_int(o, "steps", ev->steps);
	put_int(o, "duration_ms", ev->duration_ms);
	put(o, "detail", str(ev->detail));
	if (stmt) {
		put_int(o, "index", ev->index);
		put_int(o, "count", ev->count);
		put_int(o, "line", ev->line);
		put(o, "sql", str(ev->sql));
	}
	cli_json_emit(o);
}

/* The summary's members up to the counts; the rest is added by
 * cli_json_summary, or by the signal handler (cli_json_summary_head). */
static json_object *summary_counts(void)
{
	const cli_counts *n = cli_progress_counts();
	json_object *o = cli_json_head("event", "summary");

	put(o, "command", str(cli_out.command));
	put_int(o, "applied", n->applied);
	put_int(o, "skipped", n->skipped);
	put_int(o, "reverted", n->reverted);
	put_int(o, "baselined", n->baselined);
	put_int(o, "resolved", n->resolved);
	put_int(o, "repaired", n->repaired);
	put_int(o, "failed", n->failed);
	return o;
}

void cli_json_summary(int exit_code)
{
	json_object *o = summary_counts();

	put_int(o, "duration_ms",
	        cli_now_ms() - cli_progress_counts()->start_ms);
	put_int(o, "exit_code", exit_code);
	put_bool(o, "ok", exit_code == CLI_EXIT_OK);
	put_bool(o, "interrupted", 0);
	cli_json_emit(o);
	cli_signals_summary_written();
}

size_t cli_json_summary_head(char *buf, size_t n)
{
	json_object *o = summary_counts();
	const char *text = json_object_to_json_string_ext(
	        o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	size_t len = strlen(text);
	int w = 0;

	/* drop the closing brace; the handler continues the object */
	if (len && text[len - 1] == '}')
		w = snprintf(buf, n, "%.*s,\"duration_ms\":", (int)len - 1,
		             text);
	json_object_put(o);
	return w > 0 && (size_t)w < n ? (size_t)w : 0;
}

static json_object *diff_side(strata *s)
{
	json_object *o = json_object_new_object();

	put(o, "target", str(strata_target(s)));
	put(o, "driver", str(strata_driver_name(s)));
	put(o, "server", str(strata_server_version(s)));
	return o;
}

static const char *change_name(strata_diff_change c)
{
	switch (c) {
	case STRATA_DIFF_ONLY_A:
		return "only_a";
	case STRATA_DIFF_ONLY_B:
		return "only_b";
	case STRATA_DIFF_CHANGED:
		return "changed";
	}
	return "unknown";
}

/* One difference of diff or verify. */
static json_object *diff_item(const strata_diff_item *it)
{
	json_object *e = json_object_new_object();

	put(e, "change", str(change_name(it->change)));
	put(e, "kind", str(it->kind));
	put(e, "object", str(it->object));
	put(e, "attribute", str(it->attribute));
	put(e, "a", str(it->a));
	put(e, "b", str(it->b));
	put(e, "detail", str(it->detail));
	return e;
}

static void diff_members(json_object *o, const strata_diff *d, strata *a,
                         strata *b)
{
	json_object *list = json_object_new_array();
	size_t i;

	put(o, "a", diff_side(a));
	put(o, "b", diff_side(b));
	for (i = 0; i < d->count; i++)
		json_object_array_add(list,
		                      diff_item(strata_diff_item_at(d, i)));
	put(o, "differences", list);
	put_bool(o, "equal", d->count == 0);
}

struct json_object *cli_json_diff_object(const strata_diff *d, strata *a,
                                         strata *b)
{
	json_object *o = json_object_new_object();

	diff_members(o, d, a, b);
	return o;
}

void cli_json_diff(const strata_diff *d, strata *a, strata *b, int exit_code)
{
	json_object *o = cli_json_head("command", "diff");

	diff_members(o, d, a, b);
	put_int(o, "exit_code", exit_code);
	cli_json_emit(o);
}

void cli_json_verify(const strata_verify *v, int exit_code)
{
	json_object *o = cli_json_head("command", "verify");
	json_object *list = json_object_new_array(), *f = NULL;
	size_t i;

	put(o, "target", str(v->target));
	put(o, "driver", str(v->driver));
	put_bool(o, "temporary", v->temporary);
	put_int(o, "pending", (int64_t)v->pending);
	put_int(o, "verified", (int64_t)v->checked);
	if (v->stage != STRATA_VERIFY_OK) {
		f = json_object_new_object();
		put(f, "id", str(v->id));
		put(f, "version", str(v->version));
		put(f, "name", str(v->name));
		put(f, "stage", str(strata_verify_stage_name(v->stage)));
		put(f, "message", str(v->message));
	}
	for (i = 0; i < v->count; i++)
		json_object_array_add(list,
		                      diff_item(strata_verify_item_at(v, i)));
	put(o, "failed", f);
	put(o, "differences", list);
	put_bool(o, "ok", v->stage == STRATA_VERIFY_OK);
	put_int(o, "exit_code", exit_code);
	cli_json_emit(o);
}
