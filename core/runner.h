/* Shared by the commands that run migration scripts (up, down). */
#ifndef STRATA_RUNNER_H
#define STRATA_RUNNER_H

#include "internal.h"

typedef struct strata_run {
	const strata__migration *m;
	strata__script *script;
	strata_history_row *progress; /* set: steps recorded per statement */
	int steps;
	int reverting;
} strata_run;

/* A history row being written: `row` borrows m's strings and the given
 * ones; the strings the row makes itself (times, error, fingerprint) are
 * copies in `pool`, freed by strata__row_clear. */
typedef struct strata__row {
	strata_history_row row;
	strata__pool pool;
} strata__row;

void strata__row_init(strata__row *r, const strata__migration *m,
                      const char *source, const char *checksum,
                      const char *status, const char *who);
/* A copy of v (NULL ok) that lives as long as r. */
const char *strata__row_str(strata__row *r, const char *v);
void strata__row_finish(strata__row *r, int64_t t0);
void strata__row_clear(strata__row *r);
char *strata__fingerprint(strata *s);
/* A "baseline" row for m, recorded without running it (baseline,
 * import); sc: its validated up file, or NULL when there is none for the
 * driver. fp: the schema's fingerprint; who: the user. */
int strata__baseline_one(strata *s, const strata__migration *m,
                         const strata__script *sc, const char *fp,
                         const char *who, strata_error *err);
/* Record the current schema's fingerprint on history row `version`. */
void strata__stamp_fingerprint(strata *s, const char *version);

/* The errors of a failed BEGIN and COMMIT say what failed. */
#define STRATA__WHAT_BEGIN  "cannot begin a transaction"
#define STRATA__WHAT_COMMIT "cannot commit"
int strata__begin(strata *s, strata_error *err);
int strata__commit(strata *s, strata_error *err);
void strata__rollback(strata *s);

/* Load and check a file before anything runs: any failure is
 * STRATA_EUSAGE (exit 2), a file to fix. */
int strata__script_open(strata__script *sc, strata *s, const char *path,
                        strata_error *err);
/* The same from the file's bytes already read (len of them). */
int strata__script_open_text(strata__script *sc, strata *s, const char *path,
                             const char *text, size_t len, strata_error *err);
/* The same for a down file (another tool's file: its down section). */
int strata__script_open_down(strata__script *sc, strata *s, const char *path,
                             strata_error *err);
int strata__transactional(const strata *s, const strata__script *sc);
int strata__exec_script(strata *s, strata_run *run, strata_error *err);
/* STRATA_EV_FAILED for run, with the error's message as detail. */
void strata__emit_failed(strata *s, const strata_run *run, int64_t ms,
                         const strata_error *err);
int strata__record_failure(strata *s, strata__row *row, const strata_run *run,
                           int64_t t0, const strata_error *cause);
/* After a script run outside a transaction that returned rc (session.c):
 * end a transaction it left open; if it did, fail naming path. */
int strata__check_open_tx(strata *s, int rc, const char *path,
                          strata_error *err);

/* Lock, make sure the history table exists, and load the status. */
int strata__prepare(strata *s, strata_status **st, strata_history **h,
                    strata_error *err);
#endif
