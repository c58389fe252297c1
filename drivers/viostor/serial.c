/*
 * viostor: the serial number (VPD pages 0x80 and 0x83).  The device is
 * asked (GET_ID) only when the first INQUIRY for one of them comes, as a
 * request under the StartIo lock: nothing waits for it in HwInitialize at
 * DIRQL (StorPortStallExecution: "less than a full millisecond"), and it
 * holds no ring slot StorPort was promised for I/O.  The INQUIRY waits for
 * the answer, which comes back through the drain like any request, 100 ms
 * at most (the adapter's timer), and is then answered without a serial.
 */
#include "viostor.h"

/* IRQL: DISPATCH_LEVEL, StartIo lock: ask the device for the serial; FALSE
 * if queue 0 has no room for the request now. */
static BOOLEAN ViostorPostId(PVIOSTOR Stor)
{
    VIOSTOR_ID_BUFFER *id = Stor->IdDma.va;
    struct virtqueue *vq = &Stor->Queues[0].Vq;
    struct virtqueue_req rq;
    uint64_t pa = Stor->IdDma.pa;

    RtlZeroMemory(id, sizeof(*id));
    id->Hdr.type = VIRTIO_BLK_T_GET_ID;
    id->Status = 0xff;
    if (virtqueue_req_open(vq, &rq, 3, NULL) != 0)
        return FALSE;
    virtqueue_req_seg(&rq, pa, sizeof(id->Hdr), 0);
    virtqueue_req_seg(&rq, pa + FIELD_OFFSET(VIOSTOR_ID_BUFFER, Id), VIRTIO_BLK_ID_BYTES,
                      VIRTQUEUE_SEG_WRITE);
    virtqueue_req_seg(&rq, pa + FIELD_OFFSET(VIOSTOR_ID_BUFFER, Status), 1, VIRTQUEUE_SEG_WRITE);
    if (virtqueue_req_close(&rq, id) != 0)
        return FALSE;
    Stor->IdAsked = TRUE;
    Stor->IdPending = TRUE;
    Stor->IdLate = FALSE;
    if (virtqueue_kick_prepare(vq))
        virtqueue_notify(vq);
    return TRUE;
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: answer the waiting INQUIRYs. */
static VOID ViostorIdAnswer(PVIOSTOR Stor, UCHAR Status)
{
    PVIOSTOR_SRBEXT x = Stor->IdWaiting;

    Stor->IdWaiting = NULL;
    while (x != NULL) {
        PVIOSTOR_SRBEXT next = x->NextWaiting;
        struct vblk_cmd cmd;
        if (Status != SRB_STATUS_SUCCESS || ViostorTranslate(Stor, x, &cmd) != VBLK_DONE)
            ViostorComplete(Stor, x->Srb, Status != SRB_STATUS_SUCCESS ? Status : SRB_STATUS_ERROR,
                            NULL);
        else
            ViostorComplete(Stor, x->Srb, SRB_STATUS_SUCCESS, &cmd);
        x = next;
    }
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see viostor.h. */
VOID ViostorIdDone(PVIOSTOR Stor, uint32_t Written)
{
    VIOSTOR_ID_BUFFER *id = Stor->IdDma.va;

    Stor->IdPending = FALSE;
    if (Stor->IdLate)
        return; /* INQUIRYs were answered without it: the serial stays empty */
    if (id->Status == VIRTIO_BLK_S_OK && Written == VIRTIO_BLK_ID_BYTES + 1)
        vblk_set_serial(&Stor->Disk, id->Id, VIRTIO_BLK_ID_BYTES);
    else
        DbgPrint("viostor: GET_ID failed (status %u, %lu bytes): no serial number\n", id->Status,
                 (ULONG)Written);
    ViostorIdAnswer(Stor, SRB_STATUS_SUCCESS);
}

/* IRQL: DISPATCH_LEVEL or above, StartIo lock: see viostor.h. */
VOID ViostorIdGiveUp(PVIOSTOR Stor, UCHAR Status)
{
    if (Stor->IdPending)
        Stor->IdLate = TRUE;
    ViostorIdAnswer(Stor, Status);
}

/* IRQL: DISPATCH_LEVEL, StartIo lock: see viostor.h. */
UCHAR ViostorSerialInquiry(PVIOSTOR Stor, PVIOSTOR_SRBEXT X)
{
    struct vblk_cmd cmd;

    if (Stor->Ready && !Stor->Removed && !Stor->IdAsked && !ViostorPostId(Stor))
        return SRB_STATUS_BUSY; /* queue 0 is full: StorPort sends it again */
    if (Stor->IdPending && !Stor->IdLate && Stor->Ready && !Stor->Removed) {
        if (Stor->IdWaiting == NULL)
            VwStorTimerRequest(&Stor->Virtio.Holdoff, (ULONG)VIOSTOR_ID_WAIT_US);
        X->NextWaiting = Stor->IdWaiting;
        Stor->IdWaiting = X;
        return SRB_STATUS_PENDING;
    }
    if (Stor->Resetting && !Stor->Removed)
        return SRB_STATUS_BUSY; /* the drain met a broken queue: a slow reset goes on */
    if (!Stor->Ready || Stor->Removed)
        return SRB_STATUS_NO_DEVICE;
    if (ViostorTranslate(Stor, X, &cmd) != VBLK_DONE)
        return SRB_STATUS_ERROR;
    ViostorComplete(Stor, X->Srb, SRB_STATUS_SUCCESS, &cmd);
    return SRB_STATUS_PENDING; /* completed here, with its data */
}
