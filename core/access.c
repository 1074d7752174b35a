/* Versioned option structs and result-list accessors of the public API. */
#include <stddef.h>
#include <string.h>

#include "internal.h"

/*
 * The size of strata_options in each version: a caller built against an
 * older header passes a smaller struct, and only that much may be read.
 * Appending a member: bump STRATA_OPTIONS_VERSION and add its end here.
 */
static const size_t options_size[STRATA_OPTIONS_VERSION + 1] = {
        [1] = sizeof(strata_options),
};

int strata_options_init(strata_options *opts, unsigned version)
{
	strata_options all;

	if (!opts || version == 0 || version > STRATA_OPTIONS_VERSION)
		return STRATA_EUSAGE;
	memset(&all, 0, sizeof(all));
	all.version = version;
	all.lock_timeout = -1;
	memcpy(opts, &all, options_size[version]);
	return STRATA_OK;
}

int strata__options_read(strata_options *out, const strata_options *in,
                         strata_error *err)
{
	if (!in)
		return strata__err(err, STRATA_EUSAGE,
		                   "strata_config_load: no options given");
	if (in->version == 0 || in->version > STRATA_OPTIONS_VERSION)
		return strata__err(
		        err, STRATA_EUSAGE,
		        "strata_options.version is %u; this libstrata "
		        "(%s) knows versions 1 to %d: initialise the "
		        "options with STRATA_OPTIONS_INIT or "
		        "strata_options_init()",
		        in->version, STRATA_VERSION, STRATA_OPTIONS_VERSION);
	strata_options_init(out, STRATA_OPTIONS_VERSION);
	memcpy(out, in, options_size[in->version]);
	return STRATA_OK;
}

static const void *item_at(const void *base, size_t count, size_t size,
                           size_t i)
{
	if (!base || i >= count)
		return NULL;
	return (const char *)base + i * size;
}

const strata_history_row *strata_history_row_at(const strata_history *h,
                                                size_t i)
{
	return h ? item_at(h->rows, h->count, h->item_size, i) : NULL;
}

const strata_status_item *strata_status_item_at(const strata_status *st,
                                                size_t i)
{
	return st ? item_at(st->items, st->count, st->item_size, i) : NULL;
}

const strata_plan_step *strata_plan_step_at(const strata_plan *p, size_t i)
{
	return p ? item_at(p->steps, p->count, p->item_size, i) : NULL;
}

const strata_driver_info *strata_driver_info_at(const strata_driver_info *list,
                                                size_t count, size_t i)
{
	return item_at(list, count, sizeof(*list), i);
}

static const char *const history_names[] = {
        [STRATA_HISTORY_APPLIED] = "applied",
        [STRATA_HISTORY_FAILED] = "failed",
        [STRATA_HISTORY_SKIPPED] = "skipped",
        [STRATA_HISTORY_BASELINE] = "baseline",
        [STRATA_HISTORY_UNKNOWN] = "unknown",
};

const char *strata_history_status_name(strata_history_status st)
{
	if ((unsigned)st > STRATA_HISTORY_UNKNOWN)
		st = STRATA_HISTORY_UNKNOWN;
	return history_names[st];
}

strata_history_status strata__history_state(const char *status)
{
	int i;

	for (i = 0; status && i < STRATA_HISTORY_UNKNOWN; i++)
		if (!strcmp(status, history_names[i]))
			return (strata_history_status)i;
	return STRATA_HISTORY_UNKNOWN;
}
