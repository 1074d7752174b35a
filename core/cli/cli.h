/* The strata program: argument parsing, commands and their output. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <getopt.h>
#include <sys/types.h>
#include <stdint.h>
#include <stdlib.h>

#include "strata/strata.h"

/* Exit codes: the library's status codes negated, plus the signals'. */
enum cli_exit {
	CLI_EXIT_OK = -STRATA_OK,
	CLI_EXIT_FAIL = -STRATA_EFAIL,
	CLI_EXIT_USAGE = -STRATA_EUSAGE,
	CLI_EXIT_PROBLEMS = -STRATA_EDRIFT,
	CLI_EXIT_LOCK = -STRATA_ELOCK,
	CLI_EXIT_LINT = -STRATA_ELINT,
	CLI_EXIT_SIGINT = 128 + 2,
	CLI_EXIT_SIGTERM = 128 + 15
};

/* The version of the JSON output (docs/json.md). */
#define CLI_JSON_VERSION 1

typedef enum cli_format { CLI_FORMAT_TEXT, CLI_FORMAT_JSON } cli_format;
typedef enum cli_when { CLI_AUTO, CLI_ALWAYS, CLI_NEVER } cli_when;

/* Output settings: fixed once the command line is parsed, read by every
 * file that prints. */
typedef struct cli_output {
	const char *command; /* the command running, or NULL */
	cli_format format;
	cli_when color;
	int color_out, color_err; /* colour on stdout, on stderr */
	int live;                 /* stdout is a terminal: update in place */
	int quiet, verbose;
} cli_output;

/* output.c: the settings, and the final check of stdout. */
extern cli_output cli_out;
int cli_check_stdout(int rc); /* rc, or 1 if stdout could not be written */

typedef struct cli cli;

/* Long-only options, global and per command. */
enum cli_opt {
	CLI_OPT_URL = 256,
	CLI_OPT_DIR,
	CLI_OPT_TABLE,
	CLI_OPT_LOCK_TIMEOUT,
	CLI_OPT_FORMAT,
	CLI_OPT_COLOR,
	CLI_OPT_TO,
	CLI_OPT_EXIT_CODE,
	CLI_OPT_APPLIED,
	CLI_OPT_ROLLED_BACK,
	CLI_OPT_OUT_OF_ORDER,
	CLI_OPT_ALL,
	CLI_OPT_DIALECT,
	CLI_OPT_WARNINGS_AS_ERRORS,
	CLI_OPT_ROW_THRESHOLD,
	CLI_OPT_ALLOW_DESTRUCTIVE,
	CLI_OPT_SCRATCH_OK,
	CLI_OPT_OUTPUT,
	CLI_OPT_SCHEMA_FILE,
	CLI_OPT_SINGLE_TX,
	CLI_OPT_FULL,
	CLI_OPT_TARGETS,
	CLI_OPT_PARALLEL,
	CLI_OPT_CANARY,
	CLI_OPT_SHARD,
	CLI_OPT_FROM,
	CLI_OPT_FROM_TABLE,
	CLI_OPT_CONVERT
};

enum cli_cmd_flags {
	CLI_CMD_CREATES = 1, /* may create the database (a SQLite file) */
	CLI_CMD_EVENTS = 2,  /* reports as events: JSON Lines, progress */
	CLI_CMD_NOPOS = 4,   /* takes no operands */
	CLI_CMD_FLEET = 8    /* runs on every target of a list */
};

typedef struct cli_command {
	const char *name;
	const char *args;          /* synopsis after the name, or "" */
	const char *summary;       /* one line */
	const char *details;       /* the command's own options, for help CMD */
	const struct option *opts; /* its options (before the globals) */
	int (*run)(cli *c);
	unsigned flags;
} cli_command;

extern const cli_command cli_commands[];
const cli_command *cli_command_find(const char *name);

struct cli {
	strata_options opts;
	strata_config *cfg;
	strata *s;
	strata_error err;
	const cli_command *cmd;
	/* command options */
	const char *to; /* --to VERSION, or NULL */
	int exit_code, applied, rolled_back, out_of_order, yes;
	/* lint, up and check */
	int all, warnings_as_errors, allow_destructive, single_tx, full;
	const char *dialects;  /* --dialect NAME[,NAME], or NULL */
	int64_t row_threshold; /* --row-threshold N, or 0: the default */
	/* verify, dump, up and down (schema_cmds.c) */
	int scratch_ok;
	const char *output;            /* dump -o FILE, or NULL */
	const char *schema_file;       /* up/down --schema-file FILE, or NULL */
	const char *from, *from_table; /* import --from TOOL, --from-table */
	const char *convert;           /* import --convert DIR */
	int npos;
	char **pos; /* operands in order (pointers into argv); freed by main */
	/* fleets: --targets FILE, --parallel N (0: default), --canary K,
	 * --shard K/N (0/0: all) */
	const char *targets;
	int parallel, canary;
	unsigned shard_k, shard_n;
	int fleet_opts; /* any of them given */
};

/* args.c: the command line. Returns 0, an exit code, or -1 for "done,
 * exit 0" (help or version printed). */
int cli_parse(cli *c, int argc, char **argv);
int cli_is_version(const char *s); /* digits only, at least one */
/* "unknown command 'x'; did you mean 'y'?" (help included): exit 2. */
int cli_unknown_command(const char *name);
/* calloc, or the library's out-of-memory policy: a message and abort(). */
void *cli_calloc(size_t n, size_t size);
/* s (at most n bytes of it, -1: all) with control characters but tab
 * escaped as \xNN; line breaks kept, followed by indent, when indent is
 * not NULL. malloc'd. */
char *cli_printable_n(const char *s, long n, const char *indent);
char *cli_printable(const char *s, const char *indent);
/* The same, written to out. */
void cli_put_safe(FILE *out, const char *s, long n);
int cli_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* lint.c: strata lint, and the findings that block up and fail check.
 * Findings are printed with their file under dir, the migrations folder. */
struct json_object;
int cli_cmd_lint(cli *c);
/* Warnings too unless errors_only; acknowledged findings with -v. */
void cli_print_lint(const strata_lint *l, const char *dir, int on_stderr,
                    int errors_only);
size_t cli_lint_acknowledged(const strata_lint *l);
/* CLI_EXIT_LINT on errors (or warnings, when they count), else 0. */
int cli_lint_exit(const strata_lint *l, int warnings_as_errors);
/* Lints what up would apply (up to `to`, NULL: all pending) with the
 * target's rules, as up does before it refuses. */
int cli_lint_pending(strata_lint **out, strata *s, const char *to,
                     strata_error *err);
/* up refused with STRATA_ELINT: the error, then the findings (text on
 * stderr, or a "lint" event), then the summary. Returns CLI_EXIT_LINT. */
int cli_up_refused(cli *c, const char *dir);
/* "findings" and "counts", added to o (a document or an event), or as
 * an object of their own for check's "lint" member. */
void cli_json_lint_members(struct json_object *o, const strata_lint *l,
                           const char *dir);
struct json_object *cli_json_lint_object(const strata_lint *l, const char *dir);

/* schema_cmds.c: verify and dump; the schema file after up and down. */
int cli_cmd_verify(cli *c);
int cli_cmd_dump(cli *c);
/* After a successful up or down: the dump to the schema file (flag, else
 * strata.ini's schema_file), if any. Returns rc, or the failure. */
int cli_schema_file(cli *c, int rc);

/* help.c */
int cli_cmd_help(cli *c); /* strata help [COMMAND] */
void cli_help(const cli_command *cmd);
void cli_help_hint(void); /* "Try 'strata --help'." on stderr */

/* commands.c: the handlers' shared ending. */
int cli_finish(cli *c, int rc);
/* c->cfg from the options, unless already read (by cli_fleet). */
int cli_config(cli *c);

/* color.c: SGR codes, printed through cli_sgr(). */
#define CLI_RED    "\033[1;31m"
#define CLI_GREEN  "\033[32m"
#define CLI_YELLOW "\033[33m"
#define CLI_DIM    "\033[2m"
#define CLI_BOLD   "\033[1m"
#define CLI_CYAN   "\033[36m"
#define CLI_RESET  "\033[0m"
void cli_color_setup(void);
const char *cli_sgr(int on_stderr, const char *code); /* "" when off */
const char *cli_sgr_off(int on_stderr);
const char *cli_state_color(strata_state st);

/* render.c: text. */
void cli_print_error(const strata_error *err);
void cli_print_status(const strata_status *st, const char *target,
                      const char *driver, const char *server);
int cli_status_problems(const strata_status *st);
void cli_print_history(const strata_history *h);
void cli_print_plan(const strata_plan *p, const char *driver);
void cli_print_drivers(const strata_driver_info *d, size_t n);
void cli_text_event(const strata_event *ev); /* a finished step's line */
void cli_print_diff(const strata_diff *d, const char *target_a,
                    const char *target_b);

/* json.c: one document per report, JSON Lines for events. */
/* A document or event with the members every one has (format_version,
 * key: value); cli_json_emit prints it on one line and frees it. */
struct json_object *cli_json_head(const char *key, const char *value);
void cli_json_emit(struct json_object *o);
/* lint: check's "lint" member (taken over), or NULL for status. */
void cli_json_status(const strata_status *st, strata *s,
                     struct json_object *lint, int exit_code);
void cli_json_history(const strata_history *h, strata *s);
void cli_json_plan(const strata_plan *p, strata *s);
void cli_json_drivers(const strata_driver_info *d, size_t n);
void cli_json_diff(const strata_diff *d, strata *a, strata *b, int exit_code);
/* a, b, differences, equal: the comparison, for a fleet's document. */
struct json_object *cli_json_diff_object(const strata_diff *d, strata *a,
                                         strata *b);
void cli_json_verify(const strata_verify *v, int exit_code);
void cli_json_created(const char *config, const char *dir, const char *path);
void cli_json_error(const strata_error *err, int exit_code);
void cli_json_event(const strata_event *ev);
void cli_json_summary(int exit_code);
/* The summary of an interrupted run up to "duration_ms": (no closing
 * brace), for the signal handler to finish with write(2). */
size_t cli_json_summary_head(char *buf, size_t n);

/* progress.c: events as they arrive; counts for the summary. */
typedef struct cli_counts {
	int applied, skipped, reverted, baselined, resolved, repaired, failed;
	int64_t start_ms;
} cli_counts;

void cli_on_event(void *ctx, const strata_event *ev);
void cli_progress_begin(void);
void cli_progress_end(void); /* clears a live line, stops the ticker */
const cli_counts *cli_progress_counts(void);
int64_t cli_now_ms(void);

/* signals.c: interrupt messages kept current from progress events. */
void cli_track_event(void *ctx, const strata_event *ev);
void cli_signals_setup(const char *command);
void cli_signals_live_line(int open);   /* a live line is on the terminal */
void cli_signals_json_line(int open);   /* a JSON line is being written */
void cli_signals_summary_written(void); /* the handler owes none */

/* fleet.c: the command on every target of --targets or of the config's
 * list. Returns -1 when there is no list (run on the one target), else
 * the exit code. argv: main's, to run strata again per target. */
int cli_fleet(cli *c, int argc, char **argv);
/* In a fleet's child: tells the parent what changed (STRATA_REPORT_FD). */
void cli_fleet_report(const strata_event *ev);
int cli_fleet_child(void); /* this strata runs one target of a fleet */

/* fleet_spawn.c: child processes whose output arrives a line at a time. */
#define CLI_PARALLEL_MAX  64
#define CLI_PROC_READ     65536
#define CLI_PROC_LINE_MAX (256u << 20) /* beyond: handed over in parts */
typedef struct cli_proc {
	pid_t pid;
	int fd[3];     /* stdout, stderr, report: read ends; -1: closed */
	char *part[3]; /* an unfinished line of each */
	size_t plen[3], psize[3];
	int running;
	int status; /* wait status, once reaped */
	int64_t start_ms, ms;
} cli_proc;
/* A line (without its newline) from stream 0 (stdout), 1 (stderr) or 2
 * (the report). */
typedef void (*cli_proc_line_fn)(void *ctx, cli_proc *p, int stream,
                                 const char *line, size_t n);
/* strata again (argv), with url as its STRATA_URL. 0 or -1 (errno). */
int cli_proc_start(cli_proc *p, char *const argv[], const char *url);
/* Waits for output of the running ones, hands it over by lines, reaps
 * those that ended. Returns how many still run, or -1. */
int cli_proc_pump(cli_proc *const *procs, size_t n, cli_proc_line_fn fn,
                  void *ctx);

/* confirm.c */
int cli_confirm(const char *question); /* 1: yes */
int cli_can_prompt(void);
/* Asks before reverting the newest n recorded migrations (-1: all),
 * naming them. 1: yes. */
int cli_confirm_down(strata *s, long long n);

#endif
