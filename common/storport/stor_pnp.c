/*
 * Plug and Play requests both StorPort miniports of ours answer alike
 * (see stor_pnp.h).
 */
#include "stor_pnp.h"

/* IRQL: any. see stor_pnp.h. */
BOOLEAN VwStorPnpAction(PVOID Srb, STOR_PNP_ACTION *Action, BOOLEAN *Adapter)
{
    PSRBEX_DATA_PNP d;

    if (!VwSrbIsEx(Srb))
        return FALSE;
    d = (PSRBEX_DATA_PNP)VwSrbExData((PSTORAGE_REQUEST_BLOCK)Srb, SrbExDataTypePnp);
    if (d == NULL || d->Length < sizeof(*d) - 2 * sizeof(ULONG))
        return FALSE;
    *Action = d->PnPAction;
    *Adapter = (d->SrbPnPFlags & SRB_PNP_FLAGS_ADAPTER_REQUEST) != 0;
    return TRUE;
}

/* IRQL: any. see stor_pnp.h. */
UCHAR VwStorPnpCapabilities(PVOID Srb, ULONG Caps)
{
    PSTOR_DEVICE_CAPABILITIES_EX c = SrbGetDataBuffer(Srb);

    /* StorPort sets Version and Size (storport/ns-storport-_stor_device_capabilities_ex):
     * a smaller structure has other bit positions, so it is not guessed at */
    if (c == NULL || SrbGetDataTransferLength(Srb) < sizeof(*c) || c->Size < sizeof(*c))
        return SRB_STATUS_INVALID_REQUEST;
    c->Flags &= ~(ULONG)(STOR_CAP_DEVICE_D1 |
                         STOR_CAP_DEVICE_D2); /* "Miniport drivers set this bit to 0" */
    c->Flags |= Caps;
    return SRB_STATUS_SUCCESS;
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: see stor_pnp.h. */
VOID VwStorDetachAll(struct virtqueue *const *Vqs, ULONG N,
                     void (*Cancel)(void *Ctx, struct virtqueue *Vq, void *Cookie), void *Ctx)
{
    for (ULONG q = 0; q < N; q++) {
        void *cookie;
        while ((cookie = virtqueue_detach_unused(Vqs[q])) != NULL)
            Cancel(Ctx, Vqs[q], cookie);
    }
}
