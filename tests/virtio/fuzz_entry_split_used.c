/* libFuzzer entry for fuzz_split_used (see fuzz.h) */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    return fuzz_split_used(data, size);
}
