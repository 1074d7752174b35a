/* The strata program: argument parsing, commands and text output. */
#ifndef STRATA_CLI_H
#define STRATA_CLI_H

#include <stdlib.h>

#include "strata/strata.h"

void cli_print_error(const strata_error *err);
void cli_on_event(void *ctx, const strata_event *ev);
void cli_print_status(const strata_status *st, const char *target,
                      const char *driver, const char *server);
int cli_status_problems(const strata_status *st);
void cli_print_history(const strata_history *h);
void cli_print_plan(const strata_plan *p, const char *driver);
void cli_print_drivers(const strata_driver_info *d, size_t n);
/* signals.c: interrupt messages kept current from progress events. */
void cli_track_event(void *ctx, const strata_event *ev);
void cli_signals_setup(const char *command);
int cli_check_stdout(int rc); /* rc, or 1 if stdout could not be written */

#endif
