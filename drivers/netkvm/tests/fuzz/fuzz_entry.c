/* libFuzzer entry for nk_fuzz_csum (see nk_fuzz.h) */
#include "nk_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's entry point: one input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return nk_fuzz_csum(data, size);
}
