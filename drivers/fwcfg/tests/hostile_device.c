/* Devices that are not what they claim, or lie: START fails with one
 * clear status, touches no more DMA than it must, and REMOVE and unload
 * leave nothing behind. */
#include "fwcfg_test.h"
#include "vw_ntstatus.h"

VW_SCENARIO("fwcfg", bad_signature, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_BAD_SIGNATURE, VW_STATUS_DEVICE_CONFIGURATION_ERROR, 0);
}

VW_SCENARIO("fwcfg", no_dma_feature, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_NO_DMA, VW_STATUS_NOT_SUPPORTED, 0);
}

VW_SCENARIO("fwcfg", bad_dma_signature, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_BAD_DMA_SIGNATURE, VW_STATUS_NOT_SUPPORTED, 0);
}

VW_SCENARIO("fwcfg", count_absurd, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_COUNT_ABSURD, VW_STATUS_DEVICE_DATA_ERROR, 0);
}

/* The count exceeds the real entries: the first all-zero entry (key 0)
 * ends the scan instead of reading a thousand entries of nothing. */
VW_SCENARIO("fwcfg", count_too_big, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_COUNT_TOO_BIG, VW_STATUS_DEVICE_DATA_ERROR, 0);
}

VW_SCENARIO("fwcfg", name_unterminated, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_NAME_UNTERMINATED, VW_STATUS_DEVICE_DATA_ERROR, 0);
}

VW_SCENARIO("fwcfg", wrong_size, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_WRONG_SIZE, VW_STATUS_DEVICE_DATA_ERROR, 0);
}

/* Every DMA operation fails: the host-format read fails START; nothing was
 * published, so nothing is withdrawn. */
VW_SCENARIO("fwcfg", dma_error, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_DMA_ERROR, VW_STATUS_IO_DEVICE_ERROR, 1);
}

/* DMA never completes: the first operation times out (bounded polling in
 * virtual time) and START fails; no second operation is attempted. */
VW_SCENARIO("fwcfg", dma_stuck, NULL)
{
    fwcfg_expect_start_fails(vm, QEMU_FWCFG_DMA_STUCK, VW_STATUS_IO_TIMEOUT, 1);
}
