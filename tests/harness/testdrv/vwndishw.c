/*
 * vwndishw: an NDIS 6.50 miniport on a virtio-blk PCI function (not NetKVM)
 * that proves the harness's ndis.sys hardware exports end to end.  A frame
 * the protocol sends (512 or 1024 bytes: whole sectors) is written to
 * sector 8 of the disk straight from its NET_BUFFER through
 * NdisMAllocateNetBufferSGList; the device's completion (an MSI-X message,
 * or the line with the ISR status register) runs the ISR, the DPC frees
 * the SG list, completes the send and reads the sector back into a receive
 * buffer in shared memory, whose completion the DPC indicates as the
 * received frame.  Also used: the adapter's keywords (*ReceiveBuffers,
 * NetworkAddress, a write-back), NdisMGetBusData for the virtio
 * capabilities, NdisMMapIoSpace, NdisMQueueDpcEx (sends are started by a
 * DPC on the last CPU), NdisMSynchronizeWithInterruptEx.  Virtio 1.x facts
 * from the virtio specification, 4.1 (PCI transport) and 5.2 (block).
 * Built as badndishw with VWNDISHW_PLANTED: the keyword "Plant" picks a bug.
 */
#include <ntddk.h>
#include <vw/compiler.h>
#include <vw/ndis.h>
#include "../include/vw_oid.h" /* the vendor OIDs, shared with the harness */
#include "ndistd.h"
/* NdisDeviceStateD3, which vw/ndis.h does not declare yet. */
#include "../include/vw_ndis.h"

#define TAG       VW_POOL_TAG('v', 'w', 'N', 'h')
#define MTU       1500
#define QSIZE     16
#define RX_MAX    8
#define SECTOR    8 /* where frames go on the disk */
#define SG_BUFLEN 256

/* Virtio PCI capabilities and common configuration (virtio 4.1.4). */
#define CAP_VENDOR    0x09
#define CFG_COMMON    1
#define CFG_NOTIFY    2
#define CFG_ISR       3
#define C_DFSEL       0x00
#define C_DF          0x04
#define C_GFSEL       0x08
#define C_GF          0x0C
#define C_MSIX_CONFIG 0x10
#define C_STATUS      0x14
#define C_QSEL        0x16
#define C_QSIZE       0x18
#define C_QMSIX       0x1A
#define C_QENABLE     0x1C
#define C_QNOTIFY_OFF 0x1E
#define C_QDESC       0x20
#define C_QDRIVER     0x28
#define C_QDEVICE     0x30
#define S_ACK         1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8
#define NO_VECTOR     0xFFFF
#define DESC_NEXT     1
#define DESC_WRITE    2
#define BLK_T_IN      0
#define BLK_T_OUT     1

typedef struct {
    ULONG64 addr;
    ULONG len;
    USHORT flags, next;
} DESC;

typedef struct {
    ULONG type, reserved;
    ULONG64 sector;
} BLK_HDR;

/* What the keywords gave (the vendor OID VW_OID_VWNDISHW_KEYWORDS reports it):
 * each read's status and value. */
typedef struct {
    NDIS_STATUS dec_status, hex_status, bad_status, dword_status, str_status, missing_status;
    ULONG dec, hex, dword;
    ULONG str_type;
    WCHAR str[16];
} VWNDISHW_KEYWORDS;

enum state { ST_PAUSED, ST_RUNNING, ST_PAUSING };
enum io { IO_IDLE, IO_WRITE, IO_READ };

typedef struct {
    NDIS_HANDLE handle, pool, dma, intr;
    NDIS_SPIN_LOCK lock;
    enum state state;
    ULONG plant, rx_count;
    UCHAR mac[6];
    /* Device */
    PUCHAR bar, common, notify, isr;
    KTIMER d3_timer; /* planted 10: reads the ISR status after D3 */
    KDPC d3_dpc;
    ULONG bar_len;
    NDIS_PHYSICAL_ADDRESS bar_pa;
    BOOLEAN msix;
    USHORT qsize, avail_idx, last_used;
    /* Shared memory: the ring page and the request page */
    PUCHAR ring, req;
    NDIS_PHYSICAL_ADDRESS ring_pa, req_pa;
    /* Receive buffers in shared memory, their MDLs and NBLs */
    PUCHAR rx_buf[RX_MAX];
    NDIS_PHYSICAL_ADDRESS rx_pa[RX_MAX];
    PMDL rx_mdl[RX_MAX];
    PNET_BUFFER_LIST rx[RX_MAX], free_rx;
    ULONG rx_out;
    /* The frame in flight and the sends waiting */
    enum io io;
    PNET_BUFFER_LIST cur, waiting, *waiting_tail;
    ULONG cur_len;
    PNET_BUFFER_LIST cur_rx;
    UCHAR sgbuf[SG_BUFLEN];
    BOOLEAN sync_seen;
    VWNDISHW_KEYWORDS kw;
    ULONG filter; /* the packet filter: 0, nothing is read back to indicate */
} ADAPTER;

static NDIS_OID g_oids[] = {OID_GEN_MAXIMUM_FRAME_SIZE, OID_802_3_CURRENT_ADDRESS,
                            OID_GEN_CURRENT_PACKET_FILTER};

/* ---- Configuration (PASSIVE) ------------------------------------------- */

/* One keyword read as TYPE: its status, and *VALUE for an integer (PASSIVE). */
static NDIS_STATUS read_one(NDIS_HANDLE cfg, PCWSTR name, NDIS_PARAMETER_TYPE type,
                            PNDIS_CONFIGURATION_PARAMETER *p)
{
    NDIS_STRING k;
    NDIS_STATUS st;
    NdisInitUnicodeString(&k, name);
    NdisReadConfiguration(&st, p, cfg, &k, type);
    return st;
}

/* The typed reads the scenario checks: decimal, hex, a bad number, a
 * REG_DWORD, a string, a missing keyword (PASSIVE). */
static VOID read_typed(ADAPTER *a, NDIS_HANDLE cfg)
{
    PNDIS_CONFIGURATION_PARAMETER p;
    VWNDISHW_KEYWORDS *k = &a->kw;
    if ((k->dec_status = read_one(cfg, L"*JumboPacket", NdisParameterInteger, &p)) == 0)
        k->dec = p->ParameterData.IntegerData;
    if ((k->hex_status = read_one(cfg, L"HexValue", NdisParameterHexInteger, &p)) == 0)
        k->hex = p->ParameterType == NdisParameterInteger ? p->ParameterData.IntegerData : 0;
    k->bad_status = read_one(cfg, L"BadNumber", NdisParameterInteger, &p);
    if ((k->dword_status = read_one(cfg, L"DwordValue", NdisParameterInteger, &p)) == 0)
        k->dword = p->ParameterData.IntegerData;
    if ((k->str_status = read_one(cfg, L"Name", NdisParameterString, &p)) == 0) {
        k->str_type = p->ParameterType;
        ULONG n = p->ParameterData.StringData.Length;
        if (n > sizeof(k->str) - sizeof(WCHAR))
            n = sizeof(k->str) - sizeof(WCHAR);
        RtlCopyMemory(k->str, p->ParameterData.StringData.Buffer, n);
    }
    k->missing_status = read_one(cfg, L"NotThere", NdisParameterInteger, &p);
}

/* The keywords: *ReceiveBuffers (decimal), NetworkAddress, and Plant;
 * writes "Initialized" = 1 back. */
static NDIS_STATUS read_config(ADAPTER *a)
{
    NDIS_CONFIGURATION_OBJECT o = {0};
    o.Header.Type = NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT;
    o.Header.Revision = NDIS_CONFIGURATION_OBJECT_REVISION_1;
    o.Header.Size = NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1;
    o.NdisHandle = a->handle;
    NDIS_HANDLE cfg;
    NDIS_STATUS st = NdisOpenConfigurationEx(&o, &cfg);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    NDIS_STRING rx = NDIS_STRING_CONST("*ReceiveBuffers"), plant = NDIS_STRING_CONST("Plant");
    NDIS_STRING done = NDIS_STRING_CONST("Initialized");
    PNDIS_CONFIGURATION_PARAMETER p;
    a->rx_count = 4;
    NdisReadConfiguration(&st, &p, cfg, &rx, NdisParameterInteger);
    if (st == NDIS_STATUS_SUCCESS && p->ParameterType == NdisParameterInteger &&
        p->ParameterData.IntegerData >= 1 && p->ParameterData.IntegerData <= RX_MAX)
        a->rx_count = p->ParameterData.IntegerData;
    NdisReadConfiguration(&st, &p, cfg, &plant, NdisParameterHexInteger);
    if (st == NDIS_STATUS_SUCCESS)
        a->plant = p->ParameterData.IntegerData;
    read_typed(a, cfg);
    PVOID addr;
    UINT len;
    static const UCHAR dflt[6] = {0x02, 0x56, 0x57, 0x00, 0x00, 0x02};
    RtlCopyMemory(a->mac, dflt, 6);
    NdisReadNetworkAddress(&st, &addr, &len, cfg);
    /* A unicast, locally administered address of 6 bytes only. */
    if (st == NDIS_STATUS_SUCCESS && len == 6 && (((PUCHAR)addr)[0] & 3) == 2)
        RtlCopyMemory(a->mac, addr, 6);
    NDIS_CONFIGURATION_PARAMETER w = {0};
    w.ParameterType = NdisParameterInteger;
    w.ParameterData.IntegerData = 1;
    NdisWriteConfiguration(&st, cfg, &done, &w);
#ifdef VWNDISHW_PLANTED
    if (a->plant == 9) /* planted: the handle stays open */
        return NDIS_STATUS_SUCCESS;
#endif
    NdisCloseConfiguration(cfg);
    return NDIS_STATUS_SUCCESS;
}

/* ---- Device access -------------------------------------------------------- */

/* Register reads and writes of the mapped BAR (any IRQL). */
static UCHAR r8(PUCHAR p)
{
    return READ_REGISTER_UCHAR(p);
}
/* A 16-bit register (any IRQL). */
static USHORT r16(PUCHAR p)
{
    return READ_REGISTER_USHORT((PUSHORT)p);
}
/* An 8-bit register write (any IRQL). */
static VOID w8(PUCHAR p, UCHAR v)
{
    WRITE_REGISTER_UCHAR(p, v);
}
/* A 16-bit register write (any IRQL). */
static VOID w16(PUCHAR p, USHORT v)
{
    WRITE_REGISTER_USHORT((PUSHORT)p, v);
}
/* A 32-bit register write (any IRQL). */
static VOID w32(PUCHAR p, ULONG v)
{
    WRITE_REGISTER_ULONG((PULONG)p, v);
}
/* A 32-bit register read (any IRQL). */
static ULONG r32(PUCHAR p)
{
    return READ_REGISTER_ULONG((PULONG)p);
}
/* A 64-bit register as two 32-bit writes, low first (any IRQL). */
static VOID w64(PUCHAR p, ULONG64 v)
{
    w32(p, (ULONG)v);
    w32(p + 4, (ULONG)(v >> 32));
}

/* Finds the common, notify and ISR structures in one memory BAR through
 * the capability list, maps that BAR (PASSIVE). */
static NDIS_STATUS find_device(ADAPTER *a, PNDIS_RESOURCE_LIST res)
{
    UCHAR cfg[256];
    if (NdisMGetBusData(a->handle, PCI_WHICHSPACE_CONFIG, 0, cfg, sizeof(cfg)) != sizeof(cfg))
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    if (*(USHORT *)cfg != 0x1AF4 || !(cfg[6] & 0x10))
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    /* Memory space and bus mastering on in the command register. */
    USHORT cmd = *(USHORT *)&cfg[4] | 0x6;
    if (NdisMSetBusData(a->handle, PCI_WHICHSPACE_CONFIG, 4, &cmd, 2) != 2)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    ULONG off[4] = {0}, bar = 0xff, mult = 0;
    for (UCHAR c = cfg[0x34] & 0xfc, n = 0; c != 0 && n < 48; c = cfg[c + 1] & 0xfc, n++) {
        if (cfg[c] != CAP_VENDOR || cfg[c + 3] < CFG_COMMON || cfg[c + 3] > CFG_ISR)
            continue;
        off[cfg[c + 3]] = *(ULONG *)&cfg[c + 8];
        bar = cfg[c + 4];
        if (cfg[c + 3] == CFG_NOTIFY)
            mult = *(ULONG *)&cfg[c + 16];
    }
    if (bar > 5)
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    ULONG64 base = *(ULONG *)&cfg[0x10 + 4 * bar] & ~0xFull;
    if ((cfg[0x10 + 4 * bar] & 6) == 4)
        base |= (ULONG64) * (ULONG *)&cfg[0x14 + 4 * bar] << 32;
    /* The translated memory range holding the BAR. */
    for (ULONG i = 0; i < res->Count; i++) {
        PCM_PARTIAL_RESOURCE_DESCRIPTOR d = &res->PartialDescriptors[i];
        if (d->Type == CmResourceTypeMemory && (ULONG64)d->u.Memory.Start.QuadPart == base) {
            a->bar_pa = d->u.Memory.Start;
            a->bar_len = d->u.Memory.Length;
        }
    }
    if (a->bar_len == 0)
        return NDIS_STATUS_RESOURCE_CONFLICT;
    NDIS_STATUS st = NdisMMapIoSpace((PVOID *)&a->bar, a->handle, a->bar_pa, a->bar_len);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    a->common = a->bar + off[CFG_COMMON];
    a->isr = a->bar + off[CFG_ISR];
    w16(a->common + C_QSEL, 0);
    a->notify = a->bar + off[CFG_NOTIFY] + mult * r16(a->common + C_QNOTIFY_OFF);
    return NDIS_STATUS_SUCCESS;
}

/* Reset, VERSION_1 only, queue 0 on the ring page, message 0 (PASSIVE). */
static NDIS_STATUS start_device(ADAPTER *a)
{
    w8(a->common + C_STATUS, 0);
    if (r8(a->common + C_STATUS) != 0) /* the reset is done when 0 reads back */
        return NDIS_STATUS_ADAPTER_NOT_FOUND;
    w8(a->common + C_STATUS, S_ACK | S_DRIVER);
    w32(a->common + C_DFSEL, 1);
    if (!(r32(a->common + C_DF) & 1))
        return NDIS_STATUS_NOT_SUPPORTED;
    w32(a->common + C_GFSEL, 0);
    w32(a->common + C_GF, 0);
    w32(a->common + C_GFSEL, 1);
    w32(a->common + C_GF, 1);
    w8(a->common + C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
    if (!(r8(a->common + C_STATUS) & S_FEATURES_OK))
        return NDIS_STATUS_NOT_SUPPORTED;
    w16(a->common + C_MSIX_CONFIG, NO_VECTOR);
    w16(a->common + C_QSEL, 0);
    a->qsize = r16(a->common + C_QSIZE);
    if (a->qsize > QSIZE)
        a->qsize = QSIZE;
    if (a->qsize < 4)
        return NDIS_STATUS_NOT_SUPPORTED;
    w16(a->common + C_QSIZE, a->qsize);
    if (a->msix) {
        w16(a->common + C_QMSIX, 0);
        if (r16(a->common + C_QMSIX) != 0)
            return NDIS_STATUS_RESOURCES;
    }
    w64(a->common + C_QDESC, a->ring_pa.QuadPart);
    w64(a->common + C_QDRIVER, a->ring_pa.QuadPart + 1024);
    w64(a->common + C_QDEVICE, a->ring_pa.QuadPart + 2048);
    w16(a->common + C_QENABLE, 1);
    w8(a->common + C_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
    return NDIS_STATUS_SUCCESS;
}

/* ---- The ring (DISPATCH, under the lock) -------------------------------- */

/* Descriptor I of the split ring (DISPATCH). */
static DESC *desc(ADAPTER *a, ULONG i)
{
    return (DESC *)a->ring + i;
}

/* Publishes chain HEAD and notifies the device. */
static VOID publish(ADAPTER *a, USHORT head)
{
    PUSHORT avail = (PUSHORT)(a->ring + 1024);
    avail[2 + a->avail_idx % a->qsize] = head;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    avail[1] = ++a->avail_idx;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    w16(a->notify, 0);
}

/* A block request: header, data runs, status (descriptors 0.. in order). */
static VOID blk_request(ADAPTER *a, ULONG type, const ULONG64 *pa, const ULONG *len, ULONG n)
{
    BLK_HDR *h = (BLK_HDR *)a->req;
    h->type = type;
    h->reserved = 0;
    h->sector = SECTOR;
    a->req[64] = 0xff;
    ULONG d = 0;
    *desc(a, d) = (DESC){a->req_pa.QuadPart, sizeof(BLK_HDR), DESC_NEXT, 1};
    for (ULONG i = 0; i < n; i++, d++)
        *desc(a, d + 1) =
            (DESC){pa[i], len[i], (USHORT)(DESC_NEXT | (type == BLK_T_IN ? DESC_WRITE : 0)),
                   (USHORT)(d + 2)};
    *desc(a, d + 1) = (DESC){a->req_pa.QuadPart + 64, 1, DESC_WRITE, 0};
    publish(a, 0);
}

/* ProcessSGList: the frame's runs become the write's data (DISPATCH). */
static VOID NTAPI process_sg(PDEVICE_OBJECT pdo, PVOID reserved, PSCATTER_GATHER_LIST sgl,
                             PVOID ctx)
{
    ADAPTER *a = ctx;
    ULONG64 pa[8];
    ULONG len[8], n = sgl->NumberOfElements;
    (void)pdo, (void)reserved;
    if (n > 8 || n + 2 > a->qsize)
        return;
    for (ULONG i = 0; i < n; i++) {
        pa[i] = sgl->Elements[i].Address.QuadPart;
        len[i] = sgl->Elements[i].Length;
    }
    NET_BUFFER_MINIPORT_RESERVED(NET_BUFFER_LIST_FIRST_NB(a->cur))[0] = sgl;
    a->io = IO_WRITE;
    blk_request(a, BLK_T_OUT, pa, len, n);
}

/* Starts the next waiting frame when the device is idle (DISPATCH, lock held). */
static VOID start_next(ADAPTER *a, PNET_BUFFER_LIST *done)
{
    while (a->io == IO_IDLE && a->waiting != NULL) {
        PNET_BUFFER_LIST n = a->waiting;
        a->waiting = NET_BUFFER_LIST_NEXT_NBL(n);
        if (a->waiting == NULL)
            a->waiting_tail = &a->waiting;
        NET_BUFFER_LIST_NEXT_NBL(n) = NULL;
        PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(n);
        ULONG len = NET_BUFFER_DATA_LENGTH(nb);
        if (a->state != ST_RUNNING || (len != 512 && len != 1024) || a->free_rx == NULL) {
            NET_BUFFER_LIST_STATUS(n) = a->state != ST_RUNNING ? NDIS_STATUS_PAUSED
                                        : a->free_rx == NULL   ? NDIS_STATUS_RESOURCES
                                                               : NDIS_STATUS_INVALID_LENGTH;
            NET_BUFFER_LIST_NEXT_NBL(n) = *done;
            *done = n;
            continue;
        }
        a->cur = n;
        a->cur_len = len;
        NDIS_STATUS st = NdisMAllocateNetBufferSGList(a->dma, nb, a, NDIS_SG_LIST_WRITE_TO_DEVICE,
                                                      a->sgbuf, sizeof(a->sgbuf));
        if (st != NDIS_STATUS_SUCCESS || a->io != IO_WRITE) {
            a->cur = NULL;
            NET_BUFFER_LIST_STATUS(n) = NDIS_STATUS_RESOURCES;
            NET_BUFFER_LIST_NEXT_NBL(n) = *done;
            *done = n;
        }
    }
}

/* ---- Interrupt and DPC ---------------------------------------------------- */

/* MSI-X: ours (DIRQL); the DPC on this CPU and, through the (deprecated)
 * TargetProcessors mask, on CPU 0 too: two DPCs of one message may run at
 * once, and reap serialises them with the lock. */
static BOOLEAN NTAPI msg_isr(NDIS_HANDLE ctx, ULONG msg, PBOOLEAN queue_dpc, PULONG targets)
{
    (void)ctx, (void)msg;
    *queue_dpc = TRUE;
    *targets = 1;
    return TRUE;
}

/* The line: reading the ISR status register acknowledges it; ours when
 * bit 0 (a queue) or 1 (configuration) was set (DIRQL). */
static BOOLEAN NTAPI line_isr(NDIS_HANDLE ctx, PBOOLEAN queue_dpc, PULONG targets)
{
    ADAPTER *a = ctx;
    (void)targets;
#ifdef VWNDISHW_PLANTED
    if (a->plant == 11) { /* planted: never reads the ISR status, claims all */
        *queue_dpc = TRUE;
        return TRUE;
    }
#endif
    UCHAR v = r8(a->isr);
    *queue_dpc = (v & 1) != 0;
#ifdef VWNDISHW_PLANTED
    if (a->plant == 12) /* planted: claims a status of 0 too (a shared line's) */
        return TRUE;
    if (a->plant == 13) /* planted: declines its own interrupt after reading it */
        return FALSE;
#endif
    return v != 0;
}

/* Reaps the used ring: a finished write frees its SG list, completes the
 * send and reads the sector back; a finished read is indicated (DISPATCH). */
static VOID reap(ADAPTER *a, PVOID throttle)
{
    PNET_BUFFER_LIST done = NULL, rx = NULL;
    (void)throttle;
    NdisDprAcquireSpinLock(&a->lock);
    PUSHORT used = (PUSHORT)(a->ring + 2048);
    while (a->io != IO_IDLE && a->last_used != *(volatile USHORT *)&used[1]) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        a->last_used++;
        UCHAR status = a->req[64];
        if (a->io == IO_WRITE) {
            PNET_BUFFER nb = NET_BUFFER_LIST_FIRST_NB(a->cur);
            PSCATTER_GATHER_LIST sgl = NET_BUFFER_MINIPORT_RESERVED(nb)[0];
#ifdef VWNDISHW_PLANTED
            if (a->plant != 1) /* planted 1: the list is never freed */
#endif
                NdisMFreeNetBufferSGList(a->dma, sgl, nb);
#ifdef VWNDISHW_PLANTED
            if (a->plant == 2) /* planted: freed twice */
                NdisMFreeNetBufferSGList(a->dma, sgl, nb);
#endif
            NET_BUFFER_LIST_STATUS(a->cur) =
                status == 0 ? NDIS_STATUS_SUCCESS : NDIS_STATUS_FAILURE;
            NET_BUFFER_LIST_NEXT_NBL(a->cur) = done;
            done = a->cur;
            a->cur = NULL;
            a->io = IO_IDLE;
            if (status == 0 && a->free_rx != NULL && a->filter != 0) {
                PNET_BUFFER_LIST r = a->free_rx;
                a->free_rx = NET_BUFFER_LIST_NEXT_NBL(r);
                NET_BUFFER_LIST_NEXT_NBL(r) = NULL;
                ULONG i = (ULONG)(ULONG_PTR)NET_BUFFER_LIST_MINIPORT_RESERVED(r)[0];
                ULONG64 pa = a->rx_pa[i].QuadPart;
                a->cur_rx = r;
                a->io = IO_READ;
                blk_request(a, BLK_T_IN, &pa, &a->cur_len, 1);
            }
        } else {
            PNET_BUFFER_LIST r = a->cur_rx;
            a->cur_rx = NULL;
            a->io = IO_IDLE;
            if (status == 0) {
                NET_BUFFER_DATA_LENGTH(NET_BUFFER_LIST_FIRST_NB(r)) = a->cur_len;
                NET_BUFFER_LIST_NEXT_NBL(r) = rx;
                rx = r;
                a->rx_out++;
            } else {
                NET_BUFFER_LIST_NEXT_NBL(r) = a->free_rx;
                a->free_rx = r;
            }
        }
    }
    start_next(a, &done);
    BOOLEAN paused = a->state == ST_PAUSING && a->io == IO_IDLE && a->rx_out == 0 &&
                     a->waiting == NULL && rx == NULL;
    if (paused)
        a->state = ST_PAUSED;
    NdisDprReleaseSpinLock(&a->lock);
    if (done != NULL)
        NdisMSendNetBufferListsComplete(a->handle, done, NDIS_SEND_COMPLETE_FLAGS_DISPATCH_LEVEL);
    if (rx != NULL)
        NdisMIndicateReceiveNetBufferLists(a->handle, rx, NDIS_DEFAULT_PORT_NUMBER, 1,
                                           NDIS_RECEIVE_FLAGS_DISPATCH_LEVEL);
    if (paused)
        NdisMPauseComplete(a->handle);
#ifdef VWNDISHW_PLANTED
    if (a->plant == 6) { /* planted: shared memory from a DPC (PASSIVE only) */
        PVOID va;
        NDIS_PHYSICAL_ADDRESS pa;
        NdisMAllocateSharedMemory(a->handle, 64, FALSE, &va, &pa);
    }
#endif
}

/* The message's DPC (DISPATCH). */
static VOID NTAPI msg_dpc(NDIS_HANDLE ctx, ULONG msg, PVOID dpcctx, PVOID throttle, PVOID r2)
{
    (void)msg, (void)dpcctx, (void)r2;
    reap(ctx, throttle);
}

/* The line's DPC (DISPATCH). */
static VOID NTAPI line_dpc(NDIS_HANDLE ctx, PVOID dpcctx, PVOID throttle, PVOID r2)
{
    (void)dpcctx, (void)r2;
    reap(ctx, throttle);
}

/* Run under the interrupt's lock: the adapter starts taking frames (DIRQL). */
static BOOLEAN NTAPI set_running(NDIS_HANDLE ctx)
{
    ADAPTER *a = ctx;
    a->sync_seen = TRUE;
    return TRUE;
}

/* ---- Life cycle ------------------------------------------------------------ */

/* Frees what InitializeEx allocated, in reverse (PASSIVE). */
static VOID release(ADAPTER *a)
{
    if (a->common != NULL)
        w8(a->common + C_STATUS, 0);
    if (a->intr != NULL) {
#ifdef VWNDISHW_PLANTED
        if (a->plant == 5) { /* planted: a DPC queued after deregistration */
            NdisMDeregisterInterruptEx(a->intr);
            GROUP_AFFINITY g = {0};
            g.Mask = 1;
            NdisMQueueDpcEx(a->intr, 0, &g, NULL);
            a->intr = NULL;
        } else if (a->plant != 4) /* planted 4: never deregistered */
#endif
            NdisMDeregisterInterruptEx(a->intr);
    }
    for (ULONG i = 0; i < RX_MAX; i++) {
        if (a->rx[i])
            NdisFreeNetBufferList(a->rx[i]);
        if (a->rx_mdl[i])
            NdisFreeMdl(a->rx_mdl[i]);
        if (a->rx_buf[i])
            NdisMFreeSharedMemory(a->handle, 2048, FALSE, a->rx_buf[i], a->rx_pa[i]);
    }
    if (a->pool)
        NdisFreeNetBufferListPool(a->pool);
    if (a->req)
        NdisMFreeSharedMemory(a->handle, PAGE_SIZE, FALSE, a->req, a->req_pa);
#ifdef VWNDISHW_PLANTED
    if (a->plant != 3) /* planted 3: the ring page leaks */
#endif
        if (a->ring)
            NdisMFreeSharedMemory(a->handle, PAGE_SIZE, FALSE, a->ring, a->ring_pa);
    if (a->dma)
        NdisMDeregisterScatterGatherDma(a->dma);
    if (a->bar)
        NdisMUnmapIoSpace(a->handle, a->bar, a->bar_len);
    NdisFreeSpinLock(&a->lock);
    NdisFreeMemory(a, sizeof(*a), 0);
}

/* Registration and general attributes, the MAC from the keywords (PASSIVE). */
static NDIS_STATUS set_attributes(ADAPTER *a)
{
    NDIS_STATUS st = VwTdSetRegistration(a->handle, a,
                                         NDIS_MINIPORT_ATTRIBUTES_HARDWARE_DEVICE |
                                             NDIS_MINIPORT_ATTRIBUTES_BUS_MASTER,
                                         NdisInterfacePci);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    NDIS_MINIPORT_ADAPTER_GENERAL_ATTRIBUTES gen;
    VwTdGeneralAttributes(&gen, MTU, 1000000000ull, a->mac, g_oids, sizeof(g_oids));
    gen.MacOptions = NDIS_MAC_OPTION_NO_LOOPBACK | NDIS_MAC_OPTION_FULL_DUPLEX;
    gen.SupportedPacketFilters =
        NDIS_PACKET_TYPE_DIRECTED | NDIS_PACKET_TYPE_MULTICAST | NDIS_PACKET_TYPE_BROADCAST;
    return NdisMSetMiniportAttributes(a->handle, (PNDIS_MINIPORT_ADAPTER_ATTRIBUTES)&gen);
}

/* DMA, interrupt, shared memory, receive buffers (PASSIVE). */
static NDIS_STATUS set_resources(ADAPTER *a)
{
    NDIS_SG_DMA_DESCRIPTION dd = {0};
    dd.Header.Type = NDIS_OBJECT_TYPE_SG_DMA_DESCRIPTION;
    dd.Header.Revision = NDIS_SG_DMA_DESCRIPTION_REVISION_1;
    dd.Header.Size = sizeof(dd);
    dd.Flags = NDIS_SG_DMA_64_BIT_ADDRESS;
    dd.MaximumPhysicalMapping = 2048;
    dd.ProcessSGListHandler = process_sg;
    NDIS_STATUS st = NdisMRegisterScatterGatherDma(a->handle, &dd, &a->dma);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    if (dd.ScatterGatherListSize > SG_BUFLEN)
        return NDIS_STATUS_RESOURCES;
    NdisMAllocateSharedMemory(a->handle, PAGE_SIZE, FALSE, (PVOID *)&a->ring, &a->ring_pa);
    NdisMAllocateSharedMemory(a->handle, PAGE_SIZE, FALSE, (PVOID *)&a->req, &a->req_pa);
    if (a->ring == NULL || a->req == NULL)
        return NDIS_STATUS_RESOURCES;
    RtlZeroMemory(a->ring, PAGE_SIZE);
    a->pool = VwTdNblPool(a->handle, TAG); /* NDIS_PROTOCOL_ID_DEFAULT is 0 */
    if (a->pool == NULL)
        return NDIS_STATUS_RESOURCES;
    for (ULONG i = 0; i < a->rx_count; i++) {
        NdisMAllocateSharedMemory(a->handle, 2048, FALSE, (PVOID *)&a->rx_buf[i], &a->rx_pa[i]);
        if (a->rx_buf[i] == NULL ||
            (a->rx_mdl[i] = NdisAllocateMdl(a->handle, a->rx_buf[i], 2048)) == NULL ||
            (a->rx[i] = NdisAllocateNetBufferAndNetBufferList(a->pool, 0, 0, a->rx_mdl[i], 0, 0)) ==
                NULL)
            return NDIS_STATUS_RESOURCES;
        a->rx[i]->SourceHandle = a->handle;
        NET_BUFFER_LIST_MINIPORT_RESERVED(a->rx[i])[0] = (PVOID)(ULONG_PTR)i;
        NET_BUFFER_LIST_NEXT_NBL(a->rx[i]) = a->free_rx;
        a->free_rx = a->rx[i];
    }
    NDIS_MINIPORT_INTERRUPT_CHARACTERISTICS ic = {0};
    ic.Header.Type = NDIS_OBJECT_TYPE_MINIPORT_INTERRUPT;
    ic.Header.Revision = NDIS_MINIPORT_INTERRUPT_REVISION_1;
    ic.Header.Size = sizeof(ic);
    ic.InterruptHandler = line_isr;
    ic.InterruptDpcHandler = line_dpc;
    ic.MsiSupported = TRUE;
    ic.MsiSyncWithAllMessages = TRUE;
    ic.MessageInterruptHandler = msg_isr;
    ic.MessageInterruptDpcHandler = msg_dpc;
    st = NdisMRegisterInterruptEx(a->handle, a, &ic, &a->intr);
    if (st != NDIS_STATUS_SUCCESS)
        return st;
    a->msix = ic.InterruptType == NDIS_CONNECT_MESSAGE_BASED;
    return NDIS_STATUS_SUCCESS;
}

/* Keywords, attributes, the device, DMA and interrupt; Paused after (PASSIVE). */
static NDIS_STATUS NTAPI initialize(NDIS_HANDLE h, NDIS_HANDLE drvctx,
                                    PNDIS_MINIPORT_INIT_PARAMETERS p)
{
    (void)drvctx;
    ADAPTER *a = NdisAllocateMemoryWithTagPriority(h, sizeof(*a), TAG, NormalPoolPriority);
    if (a == NULL)
        return NDIS_STATUS_RESOURCES;
    RtlZeroMemory(a, sizeof(*a));
    a->handle = h;
    a->waiting_tail = &a->waiting;
    NdisAllocateSpinLock(&a->lock);
    NDIS_STATUS st = read_config(a);
    if (st == NDIS_STATUS_SUCCESS)
        st = set_attributes(a);
    if (st == NDIS_STATUS_SUCCESS)
        st = find_device(a, p->AllocatedResources);
    if (st == NDIS_STATUS_SUCCESS)
        st = set_resources(a);
    if (st == NDIS_STATUS_SUCCESS)
        st = start_device(a);
    if (st != NDIS_STATUS_SUCCESS)
        release(a);
    return st;
}

/* Frees everything (PASSIVE; Paused, nothing out). */
static VOID NTAPI halt(NDIS_HANDLE ctx, NDIS_HALT_ACTION action)
{
    (void)action;
    release(ctx);
}

/* PENDING while a frame is in flight or a receive NBL is out (PASSIVE). */
static NDIS_STATUS NTAPI pause(NDIS_HANDLE ctx, PNDIS_MINIPORT_PAUSE_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    NdisAcquireSpinLock(&a->lock);
    BOOLEAN busy = a->io != IO_IDLE || a->rx_out != 0 || a->waiting != NULL;
    a->state = busy ? ST_PAUSING : ST_PAUSED;
    NdisReleaseSpinLock(&a->lock);
    return busy ? NDIS_STATUS_PENDING : NDIS_STATUS_SUCCESS;
}

/* Running, the flag set under the interrupt's lock (PASSIVE). */
static NDIS_STATUS NTAPI restart(NDIS_HANDLE ctx, PNDIS_MINIPORT_RESTART_PARAMETERS p)
{
    ADAPTER *a = ctx;
    (void)p;
    NdisMSynchronizeWithInterruptEx(a->intr, 0, set_running, a);
    a->state = ST_RUNNING;
    return NDIS_STATUS_SUCCESS;
}

#ifdef VWNDISHW_PLANTED
/* Planted 10: reads the ISR status register with the device in D3 (DISPATCH). */
static VOID NTAPI d3_read(PKDPC dpc, PVOID ctx, PVOID a1, PVOID a2)
{
    ADAPTER *a = ctx;
    (void)dpc, (void)a1, (void)a2;
    (void)r8(a->isr);
}
#endif

/* OID_PNP_QUERY_POWER (always SUCCESS: network/oid-pnp-query-power) and
 * OID_PNP_SET_POWER: NDIS paused the adapter first, so nothing is in flight
 * and the device needs no register access to sleep or wake (PASSIVE). */
static NDIS_STATUS power_oid(ADAPTER *a, PNDIS_OID_REQUEST r)
{
    if (r->DATA.Oid == OID_PNP_QUERY_POWER) {
        r->DATA.QUERY_INFORMATION.BytesWritten = 0;
        return NDIS_STATUS_SUCCESS;
    }
    if (r->DATA.SET_INFORMATION.InformationBufferLength < sizeof(ULONG)) {
        r->DATA.SET_INFORMATION.BytesNeeded = sizeof(ULONG);
        return NDIS_STATUS_INVALID_LENGTH;
    }
    r->DATA.SET_INFORMATION.BytesRead = sizeof(ULONG);
#ifdef VWNDISHW_PLANTED
    if (a->plant == 10 &&
        *(PULONG)r->DATA.SET_INFORMATION.InformationBuffer == VW_NDIS_DEVICE_STATE_D3) {
        LARGE_INTEGER due;
        due.QuadPart = -10 * 1000; /* 1 ms */
        KeInitializeDpc(&a->d3_dpc, d3_read, a);
        KeInitializeTimer(&a->d3_timer);
        KeSetTimer(&a->d3_timer, due, &a->d3_dpc);
    }
#else
    (void)a;
#endif
    return NDIS_STATUS_SUCCESS;
}

/* The maximum frame size and the MAC, power, the packet filter; nothing
 * else (PASSIVE). */
static NDIS_STATUS NTAPI oid_request(NDIS_HANDLE ctx, PNDIS_OID_REQUEST r)
{
    ADAPTER *a = ctx;
    ULONG v = MTU;
    if ((r->RequestType == NdisRequestQueryInformation && r->DATA.Oid == OID_PNP_QUERY_POWER) ||
        (r->RequestType == NdisRequestSetInformation && r->DATA.Oid == OID_PNP_SET_POWER))
        return power_oid(a, r);
    if (r->RequestType == NdisRequestSetInformation && r->DATA.Oid == OID_GEN_CURRENT_PACKET_FILTER)
        return VwTdSetPacketFilter(r, &a->filter);
    if (r->RequestType != NdisRequestQueryInformation)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (r->DATA.Oid == VW_OID_VWNDISHW_KEYWORDS) {
        if (r->DATA.QUERY_INFORMATION.InformationBufferLength < sizeof(a->kw)) {
            r->DATA.QUERY_INFORMATION.BytesNeeded = sizeof(a->kw);
            return NDIS_STATUS_INVALID_LENGTH;
        }
        RtlCopyMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, &a->kw, sizeof(a->kw));
        r->DATA.QUERY_INFORMATION.BytesWritten = sizeof(a->kw);
        return NDIS_STATUS_SUCCESS;
    }
    const VOID *src = r->DATA.Oid == OID_GEN_MAXIMUM_FRAME_SIZE  ? (const VOID *)&v
                      : r->DATA.Oid == OID_802_3_CURRENT_ADDRESS ? (const VOID *)a->mac
                                                                 : NULL;
    ULONG len = r->DATA.Oid == OID_GEN_MAXIMUM_FRAME_SIZE ? sizeof(v) : 6;
    if (src == NULL)
        return NDIS_STATUS_NOT_SUPPORTED;
    if (r->DATA.QUERY_INFORMATION.InformationBufferLength < len) {
        r->DATA.QUERY_INFORMATION.BytesNeeded = len;
        return NDIS_STATUS_INVALID_LENGTH;
    }
    RtlCopyMemory(r->DATA.QUERY_INFORMATION.InformationBuffer, src, len);
    r->DATA.QUERY_INFORMATION.BytesWritten = len;
    return NDIS_STATUS_SUCCESS;
}

/* Queues the frames; a DPC on the last processor starts them (<= DISPATCH). */
static VOID NTAPI send(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, NDIS_PORT_NUMBER port, ULONG flags)
{
    ADAPTER *a = ctx;
    (void)port;
    BOOLEAN dispatch = (flags & NDIS_SEND_FLAGS_DISPATCH_LEVEL) != 0;
    if (dispatch)
        NdisDprAcquireSpinLock(&a->lock);
    else
        NdisAcquireSpinLock(&a->lock);
    *a->waiting_tail = nbls;
    while (*a->waiting_tail != NULL)
        a->waiting_tail = &NET_BUFFER_LIST_NEXT_NBL(*a->waiting_tail);
    if (dispatch)
        NdisDprReleaseSpinLock(&a->lock);
    else
        NdisReleaseSpinLock(&a->lock);
    GROUP_AFFINITY g = {0};
    ULONG last = KeQueryActiveProcessorCountEx(ALL_PROCESSOR_GROUPS) - 1;
    g.Group = (USHORT)(last / 64);
    g.Mask = (KAFFINITY)1 << (last % 64);
    NdisMQueueDpcEx(a->intr, 0, &g, NULL);
}

/* Receive NBLs come back; the last one may finish a pause (<= DISPATCH). */
static VOID NTAPI return_nbls(NDIS_HANDLE ctx, PNET_BUFFER_LIST nbls, ULONG flags)
{
    ADAPTER *a = ctx;
    BOOLEAN dispatch = (flags & NDIS_RETURN_FLAGS_DISPATCH_LEVEL) != 0;
    if (dispatch)
        NdisDprAcquireSpinLock(&a->lock);
    else
        NdisAcquireSpinLock(&a->lock);
    while (nbls != NULL) {
        PNET_BUFFER_LIST next = NET_BUFFER_LIST_NEXT_NBL(nbls);
        NET_BUFFER_LIST_NEXT_NBL(nbls) = a->free_rx;
        a->free_rx = nbls;
        a->rx_out--;
        nbls = next;
    }
    BOOLEAN complete =
        a->state == ST_PAUSING && a->rx_out == 0 && a->io == IO_IDLE && a->waiting == NULL;
    if (complete)
        a->state = ST_PAUSED;
    if (dispatch)
        NdisDprReleaseSpinLock(&a->lock);
    else
        NdisReleaseSpinLock(&a->lock);
    if (complete)
        NdisMPauseComplete(a->handle);
}

/* No PnP event changes anything here (PASSIVE). */
static VOID NTAPI pnp_event(NDIS_HANDLE ctx, PNET_DEVICE_PNP_EVENT e)
{
    (void)ctx, (void)e;
}

/* Registers the miniport with NDIS 6.50 characteristics (PASSIVE). */
NTSTATUS NTAPI DriverEntry(PDRIVER_OBJECT drv, PUNICODE_STRING path)
{
    NDIS_MINIPORT_DRIVER_CHARACTERISTICS ch = {0};
    ch.InitializeHandlerEx = initialize;
    ch.HaltHandlerEx = halt;
    ch.PauseHandler = pause;
    ch.RestartHandler = restart;
    ch.OidRequestHandler = oid_request;
    ch.SendNetBufferListsHandler = send;
    ch.ReturnNetBufferListsHandler = return_nbls;
    ch.DevicePnPEventNotifyHandler = pnp_event;
    return VwTdRegisterMiniport(drv, path, &ch);
}
