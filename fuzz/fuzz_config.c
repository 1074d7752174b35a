/*
 * libFuzzer target for strata.ini parsing (core/config.c, via inih).
 *
 * The input, NUL-terminated, is parsed twice: with env NULL ([default]) and
 * with env "production" (which also exercises the "no environment" error).
 * ${VAR} references are expanded from the process environment; the fuzzer
 * sets a few variables so that both the set and unset paths are reachable.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("FUZZ_SET", "sqlite:fuzz.db", 1);
	setenv("FUZZ_EMPTY", "", 1);
	unsetenv("FUZZ_UNSET");
	return 0;
}

/* The section's targets or tenants (a targets_file is not read: the
 * input would name any file). */
static void fleet(const strata_config *cfg)
{
	strata_targets *t = NULL;
	strata_error err;

	if (strata__config_fleet(cfg)->targets_file)
		return;
	memset(&err, 0, sizeof(err));
	if (strata_targets_load(&t, cfg, NULL, &err) == STRATA_OK &&
	    err.message)
		abort();
	strata_targets_free(t);
	strata_error_clear(&err);
}

static void parse_once(const char *text, const char *env)
{
	strata_config *cfg = NULL;
	strata_error err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = strata_config_parse(&cfg, text, "fuzz.ini", env, &err);
	if (rc == STRATA_OK) {
		if (!cfg || err.message) {
			fprintf(stderr, "fuzz_config: success without a "
			                "config, or with an error\n");
			abort();
		}
		/* Touch every accessor so that values are read back. */
		(void)strata_config_url(cfg);
		(void)strata_config_migrations(cfg);
		(void)strata_config_table(cfg);
		(void)strata_config_init_sql(cfg);
		(void)strata_config_env(cfg);
		if (strata_config_lock_timeout(cfg) < 0 ||
		    strata_config_lock_timeout(cfg) > 86400) {
			fprintf(stderr, "fuzz_config: lock_timeout out of "
			                "range\n");
			abort();
		}
		fleet(cfg);
	} else if (cfg || !err.message || err.line < 0) {
		fprintf(stderr, "fuzz_config: failure with a config, no "
		                "message, or a negative line\n");
		abort();
	}
	strata_config_free(cfg);
	strata_error_clear(&err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	parse_once(text, NULL);
	parse_once(text, "production");
	free(text);
	return 0;
}
