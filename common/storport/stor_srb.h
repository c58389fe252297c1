/*
 * stor_srb.h - routines every StorPort miniport of ours (viostor, vioscsi)
 * writes the same way: the sense buffer of either request block format,
 * physically contiguous pieces of a buffer in the SRB or uncached extension
 * appended to a virtqueue request, the current CPU's queue, the dump copy's
 * argument string, and the registration fields they all set alike.
 */
#pragma once
#include <storport/virtio_stor.h>
#include <virtio/virtqueue_req.h>

/* IRQL: any. the sense buffer of either request block format and its length field. */
PVOID VwStorSenseBuffer(PVOID Srb, PUCHAR *LengthField);

/* IRQL: DISPATCH_LEVEL or above: append (Rq != NULL) or count the physically
 * contiguous pieces of Len bytes at Va, in the SRB extension of Srb (or the
 * uncached extension, Srb NULL); -1 if a piece has no bus address. */
int VwStorVaPieces(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, struct virtqueue_req *Rq,
                   unsigned Flags);

/* IRQL: DISPATCH_LEVEL or above: as VwStorVaPieces counting, with one
 * address lookup: the pieces of Len bytes at Va (-1 if one has no bus
 * address), and in *Pa the bus address when they are one piece (else 0).
 * VwStorVaAppend then appends them without looking the address up again. */
int VwStorVaCount(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, uint64_t *Pa);

/* IRQL: DISPATCH_LEVEL or above: append what VwStorVaCount counted (Pa its address). */
VOID VwStorVaAppend(PVW_STOR_VIRTIO Virtio, PVOID Srb, PVOID Va, ULONG Len, uint64_t Pa,
                    struct virtqueue_req *Rq, unsigned Flags);

/* IRQL: DISPATCH_LEVEL or above: the queue of the current processor among
 * Queues (more than one; VwStorCpuQueue's slow half). */
ULONG VwStorCpuQueueOf(PVOID DeviceExtension, ULONG Queues);

/* IRQL: DISPATCH_LEVEL or above: the queue of the current processor among
 * Queues; one queue costs no call (every request asks). */
FORCEINLINE ULONG VwStorCpuQueue(PVOID DeviceExtension, ULONG Queues)
{
    return Queues <= 1 ? 0 : VwStorCpuQueueOf(DeviceExtension, Queues);
}

/* IRQL: any. TRUE if Args holds "KEY=<non-zero digit>" (a dump copy's "dump=1"). */
BOOLEAN VwStorArgSet(PCHAR Args, const char *Key);

/* IRQL: PASSIVE_LEVEL: the DWORD Name under the service's Parameters\Device
 * key (StorPortRegistryRead, Global 1: every adapter) in *Value; FALSE when
 * it is absent or unreadable (*Value untouched). */
BOOLEAN VwStorRegistryDword(PVOID DeviceExtension, const char *Name, ULONG *Value);

/* IRQL: PASSIVE_LEVEL: zero Hw and set what every virtio miniport of ours
 * registers alike (PCI, six access ranges, physical addresses, tagged
 * multi-request queuing with autosense, SRB_EX, BTL8 addressing); the
 * caller adds its routines and its extension sizes. */
VOID VwStorInitData(PHW_INITIALIZATION_DATA Hw);
