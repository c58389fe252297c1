/* libFuzzer entry for nk_fuzz_csum and nk_fuzz_rxhdr (see nk_fuzz.h) */
#include "nk_fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* libFuzzer's entry point: one input, read by both bodies. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    nk_fuzz_csum(data, size);
    return nk_fuzz_rxhdr(data, size);
}
