/* One-time process set-up, shared by every handle and thread. */
#include <ltdl.h>
#include <pthread.h>

#include "internal.h"

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int ltdl_ok;

static void global_setup(void)
{
	ltdl_ok = lt_dlinit() == 0;
}

int strata_global_init(strata_error *err)
{
	pthread_once(&once, global_setup);
	if (!ltdl_ok)
		return strata__err(err, STRATA_EFAIL, "libltdl: %s",
		                   lt_dlerror());
	return STRATA_OK;
}
