/*
 * Finding, mapping and accessing the pvpanic register.
 */
#include "pvpanic.h"

/* Take the first usable port or memory resource.  Its length comes from the
 * firmware or the device's BAR, so a zero length is rejected rather than
 * trusted; one byte is all the driver ever touches. */
NTSTATUS PvPanicMapRegister(PPVPANIC_REGISTER Register, PCM_RESOURCE_LIST Translated)
{
    RtlZeroMemory(Register, sizeof(*Register));
    if (Translated == NULL || Translated->Count == 0)
        return STATUS_DEVICE_CONFIGURATION_ERROR;

    PCM_PARTIAL_RESOURCE_LIST list = &Translated->List[0].PartialResourceList;
    for (ULONG i = 0; i < list->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR desc = &list->PartialDescriptors[i];
        PHYSICAL_ADDRESS start;

        if (desc->Type == CmResourceTypePort && desc->u.Port.Length != 0) {
            start = desc->u.Port.Start;
            /* A port resource may be translated into memory space. */
            if ((desc->Flags & CM_RESOURCE_PORT_IO) == CM_RESOURCE_PORT_IO) {
#if defined(_M_ARM64)
                continue; /* no port space on ARM64 */
#else
                Register->Address = (PUCHAR)(ULONG_PTR)start.QuadPart;
                Register->IsPort = TRUE;
                return STATUS_SUCCESS;
#endif
            }
        } else if (desc->Type == CmResourceTypeMemory && desc->u.Memory.Length != 0) {
            start = desc->u.Memory.Start;
        } else {
            continue;
        }
        Register->Address = (PUCHAR)MmMapIoSpace(start, 1, MmNonCached);
        if (Register->Address == NULL)
            return STATUS_INSUFFICIENT_RESOURCES;
        Register->IsMapped = TRUE;
        return STATUS_SUCCESS;
    }
    return STATUS_DEVICE_CONFIGURATION_ERROR;
}

VOID PvPanicUnmapRegister(PPVPANIC_REGISTER Register)
{
    if (Register->IsMapped)
        MmUnmapIoSpace(Register->Address, 1);
    RtlZeroMemory(Register, sizeof(*Register));
}

UCHAR PvPanicReadRegister(PPVPANIC_REGISTER Register)
{
#if !defined(_M_ARM64)
    if (Register->IsPort)
        return READ_PORT_UCHAR(Register->Address);
#endif
    return READ_REGISTER_UCHAR(Register->Address);
}

VOID PvPanicWriteRegister(PPVPANIC_REGISTER Register, UCHAR Value)
{
#if !defined(_M_ARM64)
    if (Register->IsPort) {
        WRITE_PORT_UCHAR(Register->Address, Value);
        return;
    }
#endif
    WRITE_REGISTER_UCHAR(Register->Address, Value);
}
