/* A driver built against a future ABI: the loader must refuse it. */
#include <strata/driver.h>

const strata_driver strata_driver_badabi = {
        .abi_version = (uint32_t)((STRATA_DRIVER_ABI_MAJOR + 1) << 16),
        .struct_size = sizeof(strata_driver),
        .name = "badabi",
        .version = "9.9",
        .description = "from the future",
};
