/*
 * Test driver for the vhost-user tier, network: the smallest virtio-net
 * driver on the WDM framework and the virtio core, built to exchange frames
 * with DPDK testpmd.  It negotiates what the device offers of packed rings,
 * EVENT_IDX, the control queue and multiqueue; with MQ it sets up
 * VNET_PAIRS queue pairs (one MSI-X message per queue) and tells the device
 * on the control queue (VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET) before using the
 * second pair.  Each receive queue keeps VNET_RX_BUFS buffers posted (a
 * buffer is posted again as soon as its frame is taken).  As a real NIC
 * driver, a send never waits for the device: the frame goes into one of
 * VNET_TX_BUFS transmit buffers and the DPC reaps completions (a send waits
 * only while all of its pair's buffers are in flight).
 * Buffered IOCTLs:
 *   VNET_IOCTL_SEND  in: ULONG pair + frame (14..VNET_FRAME_MAX bytes)
 *   VNET_IOCTL_RECV  in: ULONG pair          out: the next received frame
 *   VNET_IOCTL_INFO  out: VNET_INFO, once every frame sent was completed
 */
#include <wdm/virtio_wdm.h>

#define VNET_TAG        'enWV'
#define VNET_IOCTL_SEND CTL_CODE(FILE_DEVICE_UNKNOWN, 0x811, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VNET_IOCTL_RECV CTL_CODE(FILE_DEVICE_UNKNOWN, 0x812, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VNET_IOCTL_INFO CTL_CODE(FILE_DEVICE_UNKNOWN, 0x813, METHOD_BUFFERED, FILE_ANY_ACCESS)
#define VNET_PAIRS      2
#define VNET_RX_BUFS    16
#define VNET_TX_BUFS    16
#define VNET_BUF        2048
#define VNET_HDR        12 /* struct virtio_net_hdr_v1 (VERSION_1) */
#define VNET_FRAME_MAX  (VNET_BUF - VNET_HDR)
#define VNET_FRAME_MIN  14

#define VIRTIO_NET_F_CTRL_VQ      17
#define VIRTIO_NET_F_MQ           22
#define NET_CFG_MAX_PAIRS         8 /* le16 max_virtqueue_pairs */
#define VIRTIO_NET_CTRL_MQ        4
#define VIRTIO_NET_CTRL_MQ_VQ_SET 0
#define VIRTIO_NET_OK             0

typedef struct _VNET_INFO {
    ULONGLONG Features;
    ULONG Pairs;
    ULONG Sent[VNET_PAIRS], Received[VNET_PAIRS];
} VNET_INFO;

typedef struct _VNET_PAIR {
    struct virtqueue Rx, Tx;
    struct virtio_dma RxMem; /* VNET_RX_BUFS buffers of VNET_BUF */
    struct virtio_dma TxMem; /* VNET_TX_BUFS buffers of VNET_BUF */
    ULONG TxFree;            /* bit i: transmit buffer i is ours */
    KEVENT RxReady, TxDone;
    UCHAR Done[VNET_RX_BUFS]; /* received buffers in used order */
    ULONG DoneLen[VNET_RX_BUFS];
    ULONG DoneHead, DoneCount;
    ULONG Sent, Received;
} VNET_PAIR;

typedef struct _VNET {
    VW_VIRTIO Virtio;
    VNET_PAIR P[VNET_PAIRS];
    struct virtqueue Ctrl;
    struct virtio_dma CtrlMem;
    KEVENT CtrlDone;
    BOOLEAN HasCtrl;
    ULONG Queues;   /* rx/tx queues set up: 2 per pair (0 outside D0) */
    ULONG Pairs;    /* pairs in use */
    ULONG MaxPairs; /* pairs the buffers and messages allow */
    ULONGLONG Features;
    KSPIN_LOCK Lock;
} VNET, *PVNET;

static PVNET VnetFrom(PVW_DEVICE Device)
{
    return (PVNET)VwDeviceContext(Device);
}

/* The virtqueue of queue index Q (rx 2p, tx 2p+1, control after); any IRQL. */
static struct virtqueue *VnetQueue(PVNET n, ULONG Q, BOOLEAN *IsRx)
{
    if (Q >= n->Queues) {
        *IsRx = FALSE;
        return n->HasCtrl && Q == n->Queues ? &n->Ctrl : NULL;
    }
    *IsRx = (Q & 1) == 0;
    return *IsRx ? &n->P[Q / 2].Rx : &n->P[Q / 2].Tx;
}

/* PASSIVE_LEVEL. */
static NTSTATUS VnetAddDevice(PVW_DEVICE Device)
{
    PVNET n = VnetFrom(Device);
    KeInitializeSpinLock(&n->Lock);
    KeInitializeEvent(&n->CtrlDone, NotificationEvent, FALSE);
    for (ULONG i = 0; i < VNET_PAIRS; i++) {
        KeInitializeEvent(&n->P[i].RxReady, NotificationEvent, FALSE);
        KeInitializeEvent(&n->P[i].TxDone, NotificationEvent, FALSE);
    }
    return STATUS_SUCCESS;
}

/* PASSIVE_LEVEL. */
static VOID VnetReleaseHardware(PVW_DEVICE Device)
{
    PVNET n = VnetFrom(Device);
    const struct virtio_os *os = &n->Virtio.Os;
    for (ULONG i = 0; i < VNET_PAIRS; i++) {
        if (n->P[i].RxMem.va != NULL)
            os->ops->dma_free(os->ctx, &n->P[i].RxMem);
        if (n->P[i].TxMem.va != NULL)
            os->ops->dma_free(os->ctx, &n->P[i].TxMem);
        n->P[i].RxMem.va = n->P[i].TxMem.va = NULL;
    }
    if (n->CtrlMem.va != NULL)
        os->ops->dma_free(os->ctx, &n->CtrlMem);
    n->CtrlMem.va = NULL;
    VwVirtioStop(&n->Virtio);
}

/* PASSIVE_LEVEL. */
static NTSTATUS VnetPrepareHardware(PVW_DEVICE Device, PVW_RESOURCES Resources)
{
    PVNET n = VnetFrom(Device);
    NTSTATUS status = VwVirtioStart(&n->Virtio, Device, VNET_TAG);
    if (!NT_SUCCESS(status))
        return status;
    /* A message per queue (pairs and control) or one pair. */
    n->MaxPairs =
        n->Virtio.Dev.msix && Resources->MessageCount >= 2 * VNET_PAIRS + 1 ? VNET_PAIRS : 1;
    const struct virtio_os *os = &n->Virtio.Os;
    BOOLEAN ok = os->ops->dma_alloc(os->ctx, 4096, 0, &n->CtrlMem) == 0;
    for (ULONG i = 0; ok && i < n->MaxPairs; i++)
        ok = os->ops->dma_alloc(os->ctx, VNET_RX_BUFS * VNET_BUF, 0, &n->P[i].RxMem) == 0 &&
             os->ops->dma_alloc(os->ctx, VNET_TX_BUFS * VNET_BUF, 0, &n->P[i].TxMem) == 0;
    if (!ok) {
        VnetReleaseHardware(Device);
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    return STATUS_SUCCESS;
}

/* Reset, then give back every buffer and ring; PASSIVE_LEVEL. */
static NTSTATUS VnetD0Exit(PVW_DEVICE Device, DEVICE_POWER_STATE Target)
{
    PVNET n = VnetFrom(Device);
    KIRQL irql;
    (void)Target;
    KeAcquireSpinLock(&n->Lock, &irql);
    ULONG queues = n->Queues;
    BOOLEAN ctrl = n->HasCtrl;
    n->Queues = n->Pairs = 0;
    n->HasCtrl = FALSE;
    KeReleaseSpinLock(&n->Lock, irql);
    VwVirtioReset(&n->Virtio);
    for (ULONG q = 0; q < queues; q++) {
        struct virtqueue *vq = (q & 1) ? &n->P[q / 2].Tx : &n->P[q / 2].Rx;
        while (virtqueue_detach_unused(vq) != NULL)
            ;
        virtio_queue_teardown(&n->Virtio.Dev, vq);
    }
    if (ctrl) {
        while (virtqueue_detach_unused(&n->Ctrl) != NULL)
            ;
        virtio_queue_teardown(&n->Virtio.Dev, &n->Ctrl);
    }
    for (ULONG i = 0; i < VNET_PAIRS; i++) {
        n->P[i].DoneCount = n->P[i].DoneHead = 0;
        n->P[i].TxFree = (1u << VNET_TX_BUFS) - 1;
    }
    return STATUS_SUCCESS;
}

/* Post receive buffer I of PAIR; the caller holds the lock or owns the queue. */
static int VnetPostRx(PVNET n, ULONG Pair, ULONG I)
{
    struct virtqueue_sg sg = {n->P[Pair].RxMem.pa + (uint64_t)I * VNET_BUF, VNET_BUF};
    return virtqueue_add(&n->P[Pair].Rx, &sg, 0, 1, (void *)(ULONG_PTR)(I + 1));
}

/* VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET on the control queue; PASSIVE_LEVEL. */
static NTSTATUS VnetSetPairs(PVNET n, USHORT Pairs)
{
    PUCHAR buf = (PUCHAR)n->CtrlMem.va;
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    struct virtqueue_sg sg[2] = {{n->CtrlMem.pa, 4}, {n->CtrlMem.pa + 64, 1}};
    KIRQL irql;
    buf[0] = VIRTIO_NET_CTRL_MQ;
    buf[1] = VIRTIO_NET_CTRL_MQ_VQ_SET;
    buf[2] = (UCHAR)Pairs;
    buf[3] = (UCHAR)(Pairs >> 8);
    buf[64] = 0xff;
    KeClearEvent(&n->CtrlDone);
    KeAcquireSpinLock(&n->Lock, &irql);
    int rc = virtqueue_add(&n->Ctrl, sg, 1, 1, n);
    BOOLEAN kick = rc == 0 && virtqueue_kick_prepare(&n->Ctrl);
    KeReleaseSpinLock(&n->Lock, irql);
    if (rc != 0)
        return VwVirtioStatus(rc);
    if (kick)
        virtqueue_notify(&n->Ctrl);
    if (KeWaitForSingleObject(&n->CtrlDone, Executive, KernelMode, FALSE, &timeout) !=
        STATUS_SUCCESS)
        return STATUS_IO_TIMEOUT;
    return buf[64] == VIRTIO_NET_OK ? STATUS_SUCCESS : STATUS_NOT_SUPPORTED;
}

/* Negotiate, set up the pairs (and the control queue), post the receive
 * buffers, DRIVER_OK, then the pair count on the control queue; PASSIVE_LEVEL. */
static NTSTATUS VnetD0Entry(PVW_DEVICE Device, DEVICE_POWER_STATE Previous)
{
    PVNET n = VnetFrom(Device);
    struct virtio_device *dev = &n->Virtio.Dev;
    uint64_t features;
    ULONG pairs = 1, maxPairs = 1, q = 0;
    BOOLEAN ctrl = FALSE;
    KIRQL irql;
    (void)Previous;
    int rc = virtio_negotiate(dev,
                              VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_RING_PACKED) |
                                  VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                                  VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ) | VIRTIO_BIT(VIRTIO_NET_F_MQ),
                              &features);
    if (rc == 0 && !(features & VIRTIO_BIT(VIRTIO_F_VERSION_1)))
        rc = VIRTIO_EPROTO; /* the 12-byte header needs VERSION_1 */
    if (rc == 0 && (features & VIRTIO_BIT(VIRTIO_NET_F_MQ))) {
        uint16_t max = 0; /* device-supplied: bounded by what was allocated */
        rc = virtio_config_read(dev, NET_CFG_MAX_PAIRS, &max, 2);
        if (rc == 0 && (max < 1 || max > 0x8000))
            rc = VIRTIO_EPROTO;
        maxPairs = max;
        pairs = max < n->MaxPairs ? max : n->MaxPairs;
    }
    ctrl = (features & VIRTIO_BIT(VIRTIO_NET_F_CTRL_VQ)) != 0;
    if (rc == 0 && dev->msix)
        rc = virtio_set_config_vector(dev, VIRTIO_MSI_NO_VECTOR);
    BOOLEAN perQueue = dev->msix && pairs == n->MaxPairs && n->MaxPairs == VNET_PAIRS;
    for (; rc == 0 && q < 2 * pairs; q++) {
        struct virtio_queue_config qcfg = {.index = (uint16_t)q,
                                           .msix_vector = dev->msix ? (uint16_t)(perQueue ? q : 0)
                                                                    : VIRTIO_MSI_NO_VECTOR};
        rc = virtio_queue_setup(dev, (q & 1) ? &n->P[q / 2].Tx : &n->P[q / 2].Rx, &qcfg);
        if (rc != 0)
            break;
    }
    if (rc == 0 && ctrl) {
        struct virtio_queue_config qcfg = {
            .index = (uint16_t)(2 * maxPairs),
            .msix_vector = dev->msix ? (uint16_t)(perQueue ? 2 * pairs : 0) : VIRTIO_MSI_NO_VECTOR};
        rc = virtio_queue_setup(dev, &n->Ctrl, &qcfg);
    }
    KeAcquireSpinLock(&n->Lock, &irql);
    n->Queues = q;
    n->HasCtrl = rc == 0 && ctrl;
    n->Pairs = 1; /* the second pair only after the device was told */
    n->Features = features;
    for (ULONG p = 0; p < VNET_PAIRS; p++)
        n->P[p].TxFree = (1u << VNET_TX_BUFS) - 1;
    BOOLEAN kick[VNET_PAIRS] = {FALSE};
    for (ULONG p = 0; rc == 0 && p < pairs; p++) {
        for (ULONG i = 0; rc == 0 && i < VNET_RX_BUFS; i++)
            rc = VnetPostRx(n, p, i);
        kick[p] = rc == 0 && virtqueue_kick_prepare(&n->P[p].Rx); /* publishes them */
    }
    KeReleaseSpinLock(&n->Lock, irql);
    if (rc == 0)
        rc = virtio_device_ready(dev);
    /* Notifications only after DRIVER_OK. */
    for (ULONG p = 0; rc == 0 && p < pairs; p++)
        if (kick[p])
            virtqueue_notify(&n->P[p].Rx);
    NTSTATUS status = VwVirtioStatus(rc);
    if (rc == 0 && pairs > 1)
        status = VnetSetPairs(n, (USHORT)pairs);
    if (NT_SUCCESS(status)) {
        KeAcquireSpinLock(&n->Lock, &irql);
        n->Pairs = pairs;
        KeReleaseSpinLock(&n->Lock, irql);
        return STATUS_SUCCESS;
    }
    VnetD0Exit(Device, PowerDeviceD3);
    virtio_device_fail(dev);
    return status;
}

/* DIRQL. */
static BOOLEAN VnetIsr(PVW_DEVICE Device, ULONG MessageId, PBOOLEAN QueueDpc)
{
    PVNET n = VnetFrom(Device);
    (void)MessageId;
    if (!n->Virtio.Dev.msix && virtio_isr_read(&n->Virtio.Dev) == 0)
        return FALSE;
    *QueueDpc = TRUE;
    return TRUE;
}

/* Completions of the queues on the message (all with one message or a
 * line); DISPATCH_LEVEL. */
static VOID VnetDpc(PVW_DEVICE Device, ULONG MessageId)
{
    PVNET n = VnetFrom(Device);
    PKEVENT wake[2 * VNET_PAIRS + 1];
    ULONG nwake = 0;
    uint32_t len;
    void *cookie;
    KeAcquireSpinLockAtDpcLevel(&n->Lock);
    BOOLEAN perQueue = n->Virtio.Dev.msix && n->Queues == 2 * VNET_PAIRS;
    for (ULONG q = 0; q <= n->Queues; q++) {
        BOOLEAN rx;
        struct virtqueue *vq = VnetQueue(n, q, &rx);
        if (vq == NULL || (perQueue && q != MessageId))
            continue;
        VNET_PAIR *p = q < n->Queues ? &n->P[q / 2] : NULL;
        BOOLEAN any = FALSE;
        virtqueue_disable_cb(vq);
        for (;;) {
            while ((cookie = virtqueue_get(vq, &len)) != NULL) {
                any = TRUE;
                if (p == NULL)
                    continue;
                if (!rx) {
                    /* Cookies are ours: transmit buffer + 1. */
                    p->TxFree |= 1u << (((ULONG)(ULONG_PTR)cookie - 1) % VNET_TX_BUFS);
                    p->Sent++;
                    continue;
                }
                ULONG i = (ULONG)(ULONG_PTR)cookie - 1, slot;
                if (i >= VNET_RX_BUFS || p->DoneCount >= VNET_RX_BUFS)
                    continue; /* cannot happen: cookies are ours, one per buffer */
                slot = (p->DoneHead + p->DoneCount++) % VNET_RX_BUFS;
                p->Done[slot] = (UCHAR)i;
                p->DoneLen[slot] = len;
            }
            if (virtqueue_enable_cb(vq))
                break;
            virtqueue_disable_cb(vq);
        }
        if (any)
            wake[nwake++] = p == NULL ? &n->CtrlDone : rx ? &p->RxReady : &p->TxDone;
    }
    KeReleaseSpinLockFromDpcLevel(&n->Lock);
    for (ULONG i = 0; i < nwake; i++)
        KeSetEvent(wake[i], IO_NO_INCREMENT, FALSE);
}

/* Post one frame on PAIR without waiting for the device (only, up to 5 s,
 * while every transmit buffer of the pair is in flight); PASSIVE_LEVEL. */
static NTSTATUS VnetSend(PVNET n, ULONG Pair, const UCHAR *Frame, ULONG Len)
{
    VNET_PAIR *p = &n->P[Pair];
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    KIRQL irql;
    for (int attempt = 0; attempt < 2; attempt++) {
        BOOLEAN kick = FALSE;
        int rc = VIRTIO_ENODEV;
        KeClearEvent(&p->TxDone);
        KeAcquireSpinLock(&n->Lock, &irql);
        if (Pair < n->Pairs && p->TxFree != 0) {
            ULONG i = 0;
            while (!(p->TxFree >> i & 1))
                i++;
            PUCHAR buf = (PUCHAR)p->TxMem.va + (SIZE_T)i * VNET_BUF;
            struct virtqueue_sg sg = {p->TxMem.pa + (uint64_t)i * VNET_BUF, VNET_HDR + Len};
            RtlZeroMemory(buf, VNET_HDR);
            RtlCopyMemory(buf + VNET_HDR, Frame, Len);
            rc = virtqueue_add(&p->Tx, &sg, 1, 0, (void *)(ULONG_PTR)(i + 1));
            if (rc == 0)
                p->TxFree &= ~(1u << i);
            kick = rc == 0 && virtqueue_kick_prepare(&p->Tx);
        } else if (Pair < n->Pairs)
            rc = VIRTIO_ENOSPC; /* every buffer in flight: wait for one */
        KeReleaseSpinLock(&n->Lock, irql);
        if (kick)
            virtqueue_notify(&p->Tx);
        if (rc != VIRTIO_ENOSPC)
            return VwVirtioStatus(rc);
        if (attempt == 0 && KeWaitForSingleObject(&p->TxDone, Executive, KernelMode, FALSE,
                                                  &timeout) != STATUS_SUCCESS)
            break;
    }
    return STATUS_IO_TIMEOUT;
}

/* Wait until every frame sent on a pair in use was completed (up to 5 s
 * without a completion); PASSIVE_LEVEL. */
static NTSTATUS VnetFlush(PVNET n)
{
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    KIRQL irql;
    for (ULONG i = 0; i < VNET_PAIRS; i++) {
        VNET_PAIR *p = &n->P[i];
        for (;;) {
            KeClearEvent(&p->TxDone);
            KeAcquireSpinLock(&n->Lock, &irql);
            BOOLEAN done = i >= n->Pairs || p->TxFree == (1u << VNET_TX_BUFS) - 1;
            KeReleaseSpinLock(&n->Lock, irql);
            if (done)
                break;
            /* Each wake-up reaped at least one frame: bounded. */
            if (KeWaitForSingleObject(&p->TxDone, Executive, KernelMode, FALSE, &timeout) !=
                STATUS_SUCCESS)
                return STATUS_IO_TIMEOUT;
        }
    }
    return STATUS_SUCCESS;
}

/* The next frame received on PAIR (waiting up to 5 s), its buffer posted
 * again; PASSIVE_LEVEL. */
static NTSTATUS VnetRecv(PVNET n, ULONG Pair, PUCHAR Out, ULONG Cap, PULONG Len)
{
    VNET_PAIR *p = &n->P[Pair];
    LARGE_INTEGER timeout = {.QuadPart = -50000000LL};
    KIRQL irql;
    for (int attempt = 0; attempt < 2; attempt++) {
        ULONG i = VNET_RX_BUFS, len = 0;
        BOOLEAN kick = FALSE;
        NTSTATUS status = STATUS_SUCCESS;
        KeClearEvent(&p->RxReady);
        KeAcquireSpinLock(&n->Lock, &irql);
        if (Pair >= n->Pairs)
            status = STATUS_DEVICE_NOT_READY;
        else if (p->DoneCount > 0) {
            i = p->Done[p->DoneHead];
            len = p->DoneLen[p->DoneHead];
            p->DoneHead = (p->DoneHead + 1) % VNET_RX_BUFS;
            p->DoneCount--;
            /* The length is the device's: bounded by the buffer. */
            if (len < VNET_HDR + VNET_FRAME_MIN || len > VNET_BUF || len - VNET_HDR > Cap)
                status = STATUS_INVALID_NETWORK_RESPONSE;
            else
                RtlCopyMemory(Out, (PUCHAR)p->RxMem.va + (SIZE_T)i * VNET_BUF + VNET_HDR,
                              len - VNET_HDR);
            int rc = VnetPostRx(n, Pair, i);
            kick = rc == 0 && virtqueue_kick_prepare(&p->Rx);
            if (rc != 0)
                status = VwVirtioStatus(rc);
            else if (NT_SUCCESS(status))
                p->Received++;
        }
        KeReleaseSpinLock(&n->Lock, irql);
        if (kick)
            virtqueue_notify(&p->Rx);
        if (!NT_SUCCESS(status))
            return status;
        if (i < VNET_RX_BUFS) {
            *Len = len - VNET_HDR;
            return STATUS_SUCCESS;
        }
        if (attempt == 0 && KeWaitForSingleObject(&p->RxReady, Executive, KernelMode, FALSE,
                                                  &timeout) != STATUS_SUCCESS)
            break;
    }
    return STATUS_IO_TIMEOUT;
}

/* PASSIVE_LEVEL. */
static NTSTATUS NTAPI VnetIoctl(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    PVW_DEVICE device = VwDeviceFromObject(DeviceObject);
    PVNET n = VnetFrom(device);
    PIO_STACK_LOCATION stack = IoGetCurrentIrpStackLocation(Irp);
    ULONG code = stack->Parameters.DeviceIoControl.IoControlCode;
    ULONG in = stack->Parameters.DeviceIoControl.InputBufferLength;
    ULONG out = stack->Parameters.DeviceIoControl.OutputBufferLength;
    PUCHAR sys = (PUCHAR)Irp->AssociatedIrp.SystemBuffer;
    ULONG pair = 0, len = 0;
    NTSTATUS status;

    if (in >= 4)
        RtlCopyMemory(&pair, sys, 4);
    if ((code == VNET_IOCTL_SEND || code == VNET_IOCTL_RECV) && (in < 4 || pair >= VNET_PAIRS))
        return VwCompleteRequest(device, Irp, STATUS_INVALID_PARAMETER, 0);
    if (code == VNET_IOCTL_SEND && in >= 4 + VNET_FRAME_MIN && in <= 4 + VNET_FRAME_MAX) {
        status = VnetSend(n, pair, sys + 4, in - 4);
        return VwCompleteRequest(device, Irp, status, 0);
    }
    if (code == VNET_IOCTL_RECV) {
        status = VnetRecv(n, pair, sys, out, &len);
        return VwCompleteRequest(device, Irp, status, NT_SUCCESS(status) ? len : 0);
    }
    if (code == VNET_IOCTL_INFO && out >= sizeof(VNET_INFO)) {
        status = VnetFlush(n);
        if (!NT_SUCCESS(status))
            return VwCompleteRequest(device, Irp, status, 0);
        VNET_INFO info = {.Features = n->Features, .Pairs = n->Pairs};
        for (ULONG i = 0; i < VNET_PAIRS; i++) {
            info.Sent[i] = n->P[i].Sent;
            info.Received[i] = n->P[i].Received;
        }
        RtlCopyMemory(sys, &info, sizeof(info));
        return VwCompleteRequest(device, Irp, STATUS_SUCCESS, sizeof(info));
    }
    return VwCompleteRequest(device, Irp, STATUS_INVALID_DEVICE_REQUEST, 0);
}

/* PASSIVE_LEVEL. */
static NTSTATUS NTAPI VnetCreateClose(PDEVICE_OBJECT DeviceObject, PIRP Irp)
{
    return VwCompleteRequest(VwDeviceFromObject(DeviceObject), Irp, STATUS_SUCCESS, 0);
}

static const VW_DRIVER_CONFIG VnetConfig = {
    .Name = "vnet",
    .PoolTag = VNET_TAG,
    .ContextSize = sizeof(VNET),
    .DeviceType = FILE_DEVICE_UNKNOWN,
    .DeviceFlags = DO_BUFFERED_IO,
    .AddDevice = VnetAddDevice,
    .PrepareHardware = VnetPrepareHardware,
    .ReleaseHardware = VnetReleaseHardware,
    .D0Entry = VnetD0Entry,
    .D0Exit = VnetD0Exit,
    .Isr = VnetIsr,
    .Dpc = VnetDpc,
    .Dispatch =
        {
            [IRP_MJ_CREATE] = VnetCreateClose,
            [IRP_MJ_CLOSE] = VnetCreateClose,
            [IRP_MJ_DEVICE_CONTROL] = VnetIoctl,
        },
};

DRIVER_INITIALIZE DriverEntry;

/* PASSIVE_LEVEL. */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT DriverObject, PUNICODE_STRING RegistryPath)
{
    (void)RegistryPath;
    return VwDriverInitialize(DriverObject, &VnetConfig);
}
