/*
 * fwcfg: one DMA operation.  The descriptor lives in the common buffer;
 * its physical address goes to the DMA register, which starts the
 * operation.  The device clears the control word when it is done, or sets
 * ERROR; it is polled for a bounded time, so a device that never answers
 * costs FWCFG_DMA_POLLS * FWCFG_DMA_POLL_US and one error message.
 */
#include "fwcfg.h"

/* One fw_cfg DMA operation on item Key, waited for with a bound. IRQL: PASSIVE_LEVEL. */
NTSTATUS FwCfgDmaTransfer(PFWCFG_DEVICE Fw, USHORT Key, ULONG Control, ULONGLONG Pa, ULONG Length)
{
    volatile FWCFG_DMA_ACCESS *access = &Fw->Area->Access;
    ULONG control = 0;

    access->ControlBe = FwCfgBe32(((ULONG)Key << 16) | FWCFG_DMA_SELECT | Control);
    access->LengthBe = FwCfgBe32(Length);
    access->AddressBe = FwCfgBe64(Pa);
    /* The descriptor and the data must be in memory before the device
     * looks at them. */
    FwCfgMemoryBarrier();
    FwCfgWriteDmaRegister(Fw,
                          (ULONGLONG)Fw->AreaPa.QuadPart + FIELD_OFFSET(FWCFG_DMA_AREA, Access));

    for (ULONG poll = 0; poll < FWCFG_DMA_POLLS; poll++) {
        FwCfgMemoryBarrier();
        control = FwCfgBe32(access->ControlBe);
        if (control & FWCFG_DMA_ERROR) {
            VwError(Fw->Device, "DMA %s of item 0x%04x failed (control 0x%08lx)",
                    (Control & FWCFG_DMA_WRITE) ? "write" : "read", Key, control);
            return STATUS_IO_DEVICE_ERROR;
        }
        if (control == 0)
            return STATUS_SUCCESS;
        KeStallExecutionProcessor(FWCFG_DMA_POLL_US);
    }
    VwError(Fw->Device, "DMA %s of item 0x%04x did not finish in %u us (control 0x%08lx)",
            (Control & FWCFG_DMA_WRITE) ? "write" : "read", Key,
            FWCFG_DMA_POLLS * FWCFG_DMA_POLL_US, control);
    return STATUS_IO_TIMEOUT;
}
