/* Versioned option structs and result-list accessors of the public API. */
#include <string.h>

#include "internal.h"

int strata_options_init(strata_options *opts, unsigned version)
{
	if (!opts || version == 0 || version > STRATA_OPTIONS_VERSION)
		return STRATA_EUSAGE;
	memset(opts, 0, sizeof(*opts));
	opts->version = version;
	opts->lock_timeout = -1;
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
