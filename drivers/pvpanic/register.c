/*
 * Accessing the pvpanic register: one byte at the start of the device's
 * only range, which the framework has already mapped (memory) or handed
 * over as a port number (x86/amd64).  Called at HIGH_LEVEL during a bug
 * check, so no locks and no allocations here.
 */
#include "pvpanic.h"

/* Read the pvpanic register (port or memory). IRQL: any. */
UCHAR PvPanicReadRegister(const VW_RANGE *Register)
{
#if !defined(_M_ARM64)
    if (Register->IsPort)
        return READ_PORT_UCHAR((PUCHAR)Register->Va);
#endif
    return READ_REGISTER_UCHAR((PUCHAR)Register->Va);
}

/* Write an event to the pvpanic register (port or memory). IRQL: any. */
VOID PvPanicWriteRegister(const VW_RANGE *Register, UCHAR Value)
{
#if !defined(_M_ARM64)
    if (Register->IsPort) {
        WRITE_PORT_UCHAR((PUCHAR)Register->Va, Value);
        return;
    }
#endif
    WRITE_REGISTER_UCHAR((PUCHAR)Register->Va, Value);
}
