#!/usr/bin/env python3
"""Checks strata's --format json output against the shape documented in
docs/json.md. Reads stdin; prints one line per problem; exits 1 on any.

  cli_json_check.py document COMMAND   one document (status, check, ...)
  cli_json_check.py events COMMAND     JSON Lines ending in a summary
"""
import json
import sys

S, I, B, L, O = str, int, bool, list, dict
N = type(None)

TOP = {"format_version": I, "command": (S, N)}
TARGET = dict(TOP, target=S, driver=S, server=S)
ERROR = {"kind": S, "exit_code": I, "message": S, "file": (S, N),
         "line": I, "db_message": (S, N), "sqlstate": (S, N),
         "db_code": I}
STATUS_ITEM = {"id": S, "version": (S, N), "name": (S, N), "state": S,
               "source": (S, N), "applied_at": (S, N),
               "applied_by": (S, N), "started_at": (S, N),
               "duration_ms": I, "steps": I, "error": (S, N),
               "out_of_order": B, "transaction": B,
               "history_status": (S, N)}
STATES = ["pending", "applied", "skipped", "baseline", "failed",
          "modified", "missing", "unknown"]
STATUS = dict(TARGET, migrations=L, counts=O, schema=O, problems=B,
              exit_code=I)
HISTORY_ROW = {"version": (S, N), "name": (S, N), "status": (S, N),
               "state": S, "checksum": (S, N), "source": (S, N),
               "started_at": (S, N), "finished_at": (S, N),
               "duration_ms": I, "steps": I, "applied_by": (S, N),
               "error": (S, N), "fingerprint": (S, N)}
PLAN_STEP = {"id": S, "version": S, "name": S, "source": (S, N),
             "skipped": B, "transaction": B, "statements": L}
DRIVER = {"name": S, "version": (S, N), "path": S, "description": (S, N),
          "abi_major": I, "abi_minor": I, "usable": B, "problem": (S, N)}
EVENT = {"format_version": I, "event": S, "command": S, "id": (S, N),
         "version": (S, N), "name": (S, N), "source": (S, N), "steps": I,
         "duration_ms": I, "detail": (S, N)}
STMT = dict(EVENT, index=I, count=I, line=I, sql=S)
SUMMARY = {"format_version": I, "event": S, "command": S, "applied": I,
           "skipped": I, "reverted": I, "baselined": I, "resolved": I,
           "repaired": I, "failed": I, "duration_ms": I, "exit_code": I,
           "ok": B, "interrupted": B}
FINDING = {"rule": S, "severity": S, "version": S, "file": (S, N),
           "line": I, "dialect": (S, N), "statement": (S, N), "message": S,
           "fixit": (S, N), "table": (S, N), "est_rows": (I, N),
           "allowed": B}
LINT_COUNTS = {"errors": I, "warnings": I, "acknowledged": I}
LINT = dict(TOP, target=(S, N), driver=(S, N), server=(S, N),
            migrations=S, findings=L, counts=O, exit_code=I)
EVENTS = {"start", "statement", "statement_done", "applied", "skipped",
          "reverted", "baselined", "resolved", "repaired", "out_of_order",
          "nothing", "lock_wait", "failed"}

problems = []


def check(obj, shape, where):
    if not isinstance(obj, dict):
        problems.append(f"{where}: not an object")
        return
    for key, want in shape.items():
        if key not in obj:
            problems.append(f"{where}: missing '{key}'")
        elif type(obj[key]) is bool and want is I:
            problems.append(f"{where}.{key}: a boolean, not a number")
        elif not isinstance(obj[key], want):
            problems.append(f"{where}.{key}: {type(obj[key]).__name__}")
    for key in obj:
        if key not in shape:
            problems.append(f"{where}: undocumented member '{key}'")
    if obj.get("format_version", 1) != 1:
        problems.append(f"{where}: format_version is not 1")


def findings(obj, where):
    """The findings and counts of a lint document, event or member."""
    for i, f in enumerate(obj.get("findings", [])):
        check(f, FINDING, f"{where}findings[{i}]")
        if f.get("severity") not in ("error", "warning"):
            problems.append(f"{where}findings[{i}]: severity "
                            f"{f.get('severity')!r}")
    check(obj.get("counts"), LINT_COUNTS, f"{where}counts")


def document(doc, command):
    if "error" in doc:
        check(doc, dict(TOP, error=O, exit_code=I), "document")
        check(doc["error"], ERROR, "error")
        return
    if doc.get("command") != command:
        problems.append(f"command is {doc.get('command')!r}")
    if command in ("status", "check"):
        check(doc, dict(STATUS, lint=O) if command == "check" else STATUS,
              command)
        if command == "check":
            check(doc.get("lint"), {"findings": L, "counts": O}, "lint")
            findings(doc.get("lint") or {}, "lint.")
        for i, it in enumerate(doc.get("migrations", [])):
            check(it, STATUS_ITEM, f"migrations[{i}]")
            if it.get("state") not in STATES:
                problems.append(f"migrations[{i}]: state {it.get('state')}")
        check(doc.get("counts"), {s: I for s in STATES}, "counts")
        check(doc.get("schema"), {"checked": B, "drift": B,
                                  "since": (S, N), "drift_explained": B,
                                  "changes": L, "method": S}, "schema")
        if (doc.get("schema") or {}).get("method") not in (
                "none", "catalog-digest", "introspection"):
            problems.append("schema.method: not a documented value")
        for i, c in enumerate((doc.get("schema") or {}).get("changes", [])):
            check(c, {"change": S, "kind": S, "object": S,
                      "attribute": (S, N), "before": (S, N),
                      "after": (S, N), "detail": S},
                  f"schema.changes[{i}]")
    elif command == "history":
        check(doc, dict(TARGET, rows=L), "history")
        for i, r in enumerate(doc.get("rows", [])):
            check(r, HISTORY_ROW, f"rows[{i}]")
    elif command == "plan":
        check(doc, dict(TARGET, migrations=L), "plan")
        for i, p in enumerate(doc.get("migrations", [])):
            check(p, PLAN_STEP, f"migrations[{i}]")
            for j, st in enumerate(p.get("statements", [])):
                check(st, {"line": I, "sql": S},
                      f"migrations[{i}].statements[{j}]")
    elif command == "drivers":
        check(doc, dict(TOP, drivers=L), "drivers")
        for i, d in enumerate(doc.get("drivers", [])):
            check(d, DRIVER, f"drivers[{i}]")
    elif command == "lint":
        check(doc, LINT, "lint")
        findings(doc, "")
    elif command == "init":
        check(doc, dict(TOP, config=S, migrations=S), "init")
    elif command == "new":
        check(doc, dict(TOP, path=S), "new")
    else:
        problems.append(f"no shape for {command}")


def events(lines, command):
    if not lines:
        problems.append("no events")
        return
    for n, ev in enumerate(lines):
        where = f"line {n + 1} ({ev.get('event')})"
        if ev.get("command") != command:
            problems.append(f"{where}: command {ev.get('command')!r}")
        kind = ev.get("event")
        if kind == "summary":
            check(ev, SUMMARY, where)
            if n != len(lines) - 1:
                problems.append(f"{where}: summary is not last")
        elif kind == "error":
            check(ev, {"format_version": I, "event": S, "command": S,
                       "error": O, "exit_code": I}, where)
            check(ev.get("error"), ERROR, where + ".error")
        elif kind == "lint":
            check(ev, {"format_version": I, "event": S, "command": S,
                       "findings": L, "counts": O}, where)
            findings(ev, where + ".")
        elif kind in ("statement", "statement_done"):
            check(ev, STMT, where)
        elif kind in EVENTS:
            check(ev, EVENT, where)
        else:
            problems.append(f"{where}: unknown event")
    if lines[-1].get("event") != "summary":
        problems.append("the last line is not a summary")


def main():
    mode, command = sys.argv[1], sys.argv[2]
    text = sys.stdin.read()
    if mode == "document":
        if text.count("\n") != 1 or not text.endswith("\n"):
            problems.append("not one line")
        try:
            document(json.loads(text), command)
        except ValueError as e:
            problems.append(f"not JSON: {e}")
    else:
        parsed = []
        for n, line in enumerate(text.splitlines()):
            try:
                parsed.append(json.loads(line))
            except ValueError as e:
                problems.append(f"line {n + 1}: not JSON: {e}")
        events(parsed, command)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


main()
