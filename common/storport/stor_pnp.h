/*
 * stor_pnp.h - what both StorPort miniports of ours do alike for Plug and
 * Play: read an SRB_FUNCTION_PNP request (srb/ns-srb-_srbex_data_pnp),
 * answer a unit's capabilities query (STOR_DEVICE_CAPABILITIES_EX), and
 * take back every request on the rings of a device that was surprise
 * removed, without touching the device.
 */
#pragma once
#include <storport/virtio_stor.h>

/* IRQL: any. the PnP action of an SRB_FUNCTION_PNP SRB and whether it is
 * for the adapter (SRB_PNP_FLAGS_ADAPTER_REQUEST) or a unit; FALSE if the
 * SRB carries no PnP block (our miniports register SRB_EX only). */
BOOLEAN VwStorPnpAction(PVOID Srb, STOR_PNP_ACTION *Action, BOOLEAN *Adapter);

/* IRQL: any. answer StorQueryCapabilities for a unit: the STOR_CAP_* bits of
 * Caps set in the STOR_DEVICE_CAPABILITIES_EX at DataBuffer, D1 and D2
 * cleared; an SRB status (INVALID_REQUEST for a missing or short buffer). */
UCHAR VwStorPnpCapabilities(PVOID Srb, ULONG Caps);

/* IRQL: DISPATCH_LEVEL, StartIo lock: hand every request still on the N
 * queues to Cancel, reading and writing only the rings' memory: the device
 * is gone and neither its registers nor its answers are waited for. */
VOID VwStorDetachAll(struct virtqueue *const *Vqs, ULONG N,
                     void (*Cancel)(void *Ctx, struct virtqueue *Vq, void *Cookie), void *Ctx);
