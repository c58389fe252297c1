/*
 * netkvm.h - the NetKVM miniport: a deserialized NDIS 6.50 Ethernet
 * miniport over the virtio core (common/ndis/ for the OS services,
 * nk_net.h for the OS-neutral half).  One adapter per virtio-net function:
 * queue pairs (receive 2k, transmit 2k+1) and a control queue, every ring
 * in one shared-memory block carved by the core's queue plan.
 *
 * Files: driver.c (DriverEntry, characteristics, PnP events, shutdown),
 * init.c (MiniportInitializeEx, MiniportHaltEx, attributes), device.c
 * (virtio bring-up: features, configuration, queues), intr.c (ISRs and
 * DPCs), params.c (advanced properties), tx.c (send path), rx.c
 * (receive path), ctrl.c (control queue), oid.c (OID requests), state.c
 * (pause, restart, link indications).
 */
#pragma once
#include <ntddk.h>
#include <vw/compiler.h>
#include <vw/ndis.h>
#include <ndis/virtio_ndis.h>
#include <virtio/virtqueue_req.h>
#include "nk_announce.h"
#include "nk_net.h"
#include "nk_offload.h"
#include "nk_params.h"
#include "nk_refill.h"
#include "nk_reset.h"
#include "nk_rsc.h"
#include "nk_rss.h"
#include "nk_rxbuf.h"
#include "nk_rxfilter.h"
#include "nk_rxhdr.h"
#include "nk_settings.h"
#include "nk_stats.h"
#include "nk_txdone.h"
#include "nk_vlan.h"

#define NK_TAG VW_POOL_TAG('N', 'K', 'v', 'n')
/* The NDIS level, a build choice made here only: netkvm.sys registers 6.50
 * (Windows 10, Server 2016-2022); netkvm683.sys (NK_NDIS683, build.mk)
 * 6.83, the first level with USO (NDIS_OFFLOAD revision 6, NDIS_OFFLOAD_PARAMETERS
 * revision 5), for Windows 11 and Server 2025.  NK_USO: the build can offer USO. */
#define NK_NDIS_MAJOR 6
#ifdef NK_NDIS683
#define NK_NDIS_MINOR 83
#define NK_USO        1
/* 6.80 and later: characteristics revision 3 (its SynchronousOidRequest
 * handlers are optional and left NULL) */
#define NK_CHARS_REVISION   NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3
#define NK_CHARS_SIZE       NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_3
#define NK_OFFLOAD_REVISION NDIS_OFFLOAD_REVISION_6
#define NK_OFFLOAD_SIZE     NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_6
#else
#define NK_NDIS_MINOR       50
#define NK_USO              0
#define NK_CHARS_REVISION   NDIS_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2
#define NK_CHARS_SIZE       NDIS_SIZEOF_MINIPORT_DRIVER_CHARACTERISTICS_REVISION_2
/* NDIS_OFFLOAD at 6.50 is revision 4 (ns-ntddndis-_ndis_offload, Header:
 * 6.30 revision 3, 6.50 revision 4, 6.70 revision 5, 6.83 revision 6);
 * what 4 adds, EncapsulatedPacketTaskOffloadVxlan and EncapsulationTypes,
 * stays zero: no VXLAN or NVGRE task offload */
#define NK_OFFLOAD_REVISION NDIS_OFFLOAD_REVISION_4
#define NK_OFFLOAD_SIZE     NDIS_SIZEOF_NDIS_OFFLOAD_REVISION_4
#endif
/* The adapter's log lines, as the DoLog and DebugLevel properties allow
 * (nk_settings: log_level -1 with DoLog 0, else DebugLevel): NK_LOG_ERR
 * lines (findings, errors, state changes: everything logged by default)
 * print at DebugLevel 0 and above, NK_LOG_INFO (the properties and
 * features in effect) from 1, NK_LOG_CTRL (each control command) from 2. */
#define NK_LOG_ERR  0
#define NK_LOG_INFO 1
#define NK_LOG_CTRL 2
#define NK_LOG(A, LVL, ...)                                                                        \
    do {                                                                                           \
        if ((int)(LVL) <= (int)(A)->Settings.log_level)                                            \
            DbgPrint(__VA_ARGS__);                                                                 \
    } while (0)
#define NK_DRV_MAJOR  1
#define NK_DRV_MINOR  0
#define NK_TX_TABLE   64          /* descriptors in a TX request's own indirect table */
#define NK_RX_CHUNK   0x10000u    /* receive buffers come in 64 KiB shared blocks */
#define NK_RX_MEM_CAP (64u << 20) /* receive buffers of all queues together, at most */
#define NK_BATCH      64u         /* NBLs indicated per call */
/* The large-send limits (MaxOffLoadSize per IP version, NK_TX_GSO_FRAME_MAX
 * the longest frame a send may carry) are nk_offload.h's: host-tested */

/* Counters and the outstanding counts: the compiler's atomics (the
 * Interlocked*64 forms are not declared for every arch in mingw-w64) */
#define NK_ADD64(p, v) ((void)__atomic_fetch_add((p), (LONG64)(v), __ATOMIC_RELAXED))
#define NK_INC64(p)    NK_ADD64((p), 1)
#define NK_ADD32(p, v) ((void)__atomic_fetch_add((p), (LONG)(v), __ATOMIC_SEQ_CST))

/* An NDIS_OBJECT_HEADER's three fields, in one statement */
#define NK_HEADER(h, type, rev, size)                                                              \
    ((h).Type = (UCHAR)(type), (h).Revision = (UCHAR)(rev), (h).Size = (USHORT)(size))

typedef enum { NK_PAUSED = 0, NK_RUNNING = 1, NK_PAUSING = 2 } NK_STATE;

typedef struct _NK_ADAPTER NK_ADAPTER, *PNK_ADAPTER;

/* A TX request: its virtio_net_hdr and indirect table in shared memory */
typedef struct _NK_TX_ENTRY {
    struct _NK_TX_ENTRY *Next; /* free list, or the completed list */
    PNET_BUFFER Nb;
    PSCATTER_GATHER_LIST Sgl;
    BOOLEAN Bounced; /* Nb went out of the queue's bounce buffer */
    BOOLEAN BadUsed; /* the device gave its used entry a length (nk_tx_used_ok) */
    PUCHAR Hdr;
    ULONG64 HdrPa;
    struct virtqueue_indirect Table;
} NK_TX_ENTRY, *PNK_TX_ENTRY;

typedef struct _NK_TXQ {
    PNK_ADAPTER Adapter;
    struct virtqueue Vq;
    NDIS_SPIN_LOCK Lock;
    PNK_TX_ENTRY Entries, Free;
    ULONG Count;
    struct virtio_dma Dma;          /* headers, then tables */
    PNET_BUFFER PendHead, PendTail; /* mapped, waiting for ring space */
    ULONG Index;                    /* pair */
    ULONG Message;
    ULONG Unfit; /* frames failed: the ring refused a request that fits it */
    /* One frame's flat copy (tx.c): a send of more SG elements than a
     * request's table goes out of it; BounceOwner holds it, from the copy
     * until the device is done with the frame (NULL: free) */
    struct virtio_dma Bounce;
    ULONG BounceBytes;
    PNET_BUFFER BounceOwner;
    ULONG Bounced;     /* frames sent out of the bounce buffer */
    ULONG BounceWaits; /* times a frame waited for it */
    /* MiniportSendNetBufferLists calls mapping frames for this queue: while
     * one runs, posts leave publishing and the kick to the last one out */
    volatile LONG InSend;
    ULONG64 Done;             /* requests the device completed (queue lock) */
    struct nk_tx_watch Watch; /* CheckForHang's last look (reset.c) */
} NK_TXQ, *PNK_TXQ;

/* A receive buffer: shared memory, its MDL and the NBL that carries it */
typedef struct _NK_RXBUF {
    struct _NK_RXBUF *Next; /* free list, or the rest of a merged frame */
    PUCHAR Va;
    ULONG64 Pa;
    PMDL Mdl;
    PNET_BUFFER_LIST Nbl;
    struct _NK_RXQ *Queue;
    ULONG Class; /* a frame's first buffer: 0 directed, 1 multicast, 2 broadcast (rx.c) */
    /* A frame's first buffer: the coalesced unit it is (nk_rsc; RscSegs 0:
     * none), counted in OID_TCP_RSC_STATISTICS when indicated (rx_offload.c) */
    USHORT RscSegs;
    ULONG RscBytes;
} NK_RXBUF, *PNK_RXBUF;

typedef struct _NK_RXQ {
    PNK_ADAPTER Adapter;
    struct virtqueue Vq;
    NDIS_SPIN_LOCK Lock;
    PNK_RXBUF Bufs, Free;
    ULONG Count, Posted;
    struct virtio_dma *Chunks;
    ULONG ChunkCount;
    struct nk_rxbuf_plan Plan; /* buffer size, count, merge limit (nk_rxbuf) */
    ULONG Shortages;           /* times fewer than Plan.min_count stayed posted */
    struct nk_refill Refill;   /* the refill's bounded retry (rx.c, nk_refill) */
    ULONG Index;
    ULONG Message;
    GROUP_AFFINITY Affinity; /* the CPU whose DPC serves this pair */
    BOOLEAN HasAffinity;
} NK_RXQ, *PNK_RXQ;

/* A processor's receive path (RSS): frames the table sends to this CPU
 * wait here for its DPC, which indicates them there */
typedef struct _NK_RSS_CPU {
    PNK_ADAPTER Adapter;
    KDPC Dpc;
    NDIS_SPIN_LOCK Lock;
    PNET_BUFFER_LIST Head, Tail;
    ULONG Count;
} NK_RSS_CPU, *PNK_RSS_CPU;

/* RSS: the capabilities offered, the checked map the data path reads and
 * the parameters as the OS set them (for the query) */
typedef struct _NK_RSS {
    BOOLEAN Offered; /* *RSS on: capabilities in the general attributes */
    BOOLEAN Device;  /* VIRTIO_NET_F_RSS: the device steers by the table too */
    BOOLEAN Report;  /* VIRTIO_NET_F_HASH_REPORT: the device's hash is used */
    NDIS_RECEIVE_SCALE_CAPABILITIES Caps;
    struct nk_rss_pub Pub; /* the map: read lock-free per frame, set by the OID */
    ULONG Cpus;            /* active processors (per-CPU paths), index order */
    PNK_RSS_CPU Cpu;
    PPROCESSOR_NUMBER Numbers; /* processor index -> group and number */
    ULONG HashInformation;
    USHORT Flags, BaseCpu, Entries;
    PROCESSOR_NUMBER Table[NK_RSS_MAX_ITABLE];
    UCHAR Key[NK_RSS_KEY_BYTES];
    /* A set's work space (NDIS sends one OID request at a time) */
    PROCESSOR_NUMBER NextTable[NK_RSS_MAX_ITABLE];
    uint16_t NextCpus[NK_RSS_MAX_ITABLE];
    LONG64 BadReports; /* hash reports out of range */
} NK_RSS;

typedef struct _NK_STATS {
    LONG64 TxFrames[3], TxBytes[3]; /* directed, multicast, broadcast */
    LONG64 RxFrames[3], RxBytes[3];
    LONG64 TxErrors, TxDiscards, RxErrors, RxDiscards, RxNoBuffer;
    /* Frames dropped for what the device said of them, per reason (each
     * also an RxErrors); the first of each reason is logged (rx.c) */
    LONG64 RxBad[NK_RXBAD_KINDS];
    /* Sends whose used entry had a length (each also a TxErrors); the
     * first is logged (tx.c) */
    LONG64 TxBadUsed;
    /* OID_TCP_RSC_STATISTICS: segments, TCP payload octets and coalesced
     * units indicated (rx.c NkRxCount); no abort is ever reported by the
     * device, so Aborts stays 0 */
    LONG64 RscPkts, RscOctets, RscEvents;
} NK_STATS;

struct _NK_ADAPTER {
    NDIS_HANDLE Handle;
    VW_NDIS_VIRTIO V;
    BOOLEAN Mapped, Ready, Removed;
    volatile LONG State; /* NK_STATE */
    NDIS_HANDLE Interrupt, Dma, NblPool;
    NDIS_INTERRUPT_TYPE InterruptType;
    PIO_INTERRUPT_MESSAGE_INFO MessageInfo;
    ULONG Messages;        /* granted (0: line) */
    volatile LONG LineIsr; /* ISR bits a line interrupt read, for its DPC */
    uint64_t Features;
    struct nk_config Cfg;
    struct nk_queue_plan Plan;
    struct nk_params Params;     /* the advanced properties, checked */
    struct nk_settings Settings; /* what the miniport does with them */
    struct nk_offload OffloadHw; /* the task offloads that may be offered */
    struct nk_offload Offload;   /* those on now (OID_TCP_OFFLOAD_PARAMETERS) */
    ULONG HdrLen, RxSegs;
    ULONG MaxFrame; /* MTU + Ethernet header */
    UCHAR CurrentMac[NK_ETH_ALEN];
    enum nk_mac_way MacWay; /* how CurrentMac reaches the device (ctrl.c) */
    /* Rings: one block for all queues */
    struct virtqueue_plan QPlan;
    uint16_t *QSizes;
    struct virtqueue **RestartVqs; /* every queue, for virtio_device_restart (D0, reset) */
    ULONG QCount;
    struct virtio_dma RingBlock;
    PVOID RingMem;
    ULONG RingMemSize;
    PNK_RXQ Rx;
    PNK_TXQ Tx;
    ULONG Pairs; /* pairs set up */
    /* Receive queues a return call marked for reposting, a bit each (rx.c) */
    volatile LONG *RxRepost;
    ULONG RxRepostWords;
    /* The refill retry: one timer, a bit per queue that asked (rx.c) */
    NDIS_HANDLE RefillTimer;
    volatile LONG *RxRefill;
    struct nk_refill_gate RefillGate; /* closed at D3 and halt (NkRxRefillStop) */
    ULONG ActivePairs;                /* pairs the device was told to use (sends go there) */
    /* Control queue */
    struct virtqueue Ctrl;
    BOOLEAN HasCtrl;
    volatile LONG CtrlBusy; /* a command owns the control page (ctrl.c) */
    ULONG_PTR CtrlSeq;      /* the cookie of the last command posted (even, never 0) */
    BOOLEAN CtrlStale;      /* a command timed out: still the device's (ctrl.c) */
    struct virtio_dma CtrlDma;
    /* Pause bookkeeping */
    volatile LONG TxOut; /* NBLs accepted, not completed */
    volatile LONG RxOut; /* NBLs indicated, not returned */
    /* Filters, as the OIDs set them (PASSIVE; queries and the device read
     * these); the data path reads the published snapshot RxFilter */
    ULONG PacketFilter; /* 0 until NDIS sets one: nothing is indicated */
    UCHAR Mcast[NK_MCAST_MAX][NK_ETH_ALEN];
    ULONG McastCount;
    struct nk_rx_filter_pub RxFilter; /* read lock-free per frame (rx.c) */
    BOOLEAN LinkUp;
    NK_STATS Stats;
    NK_RSS Rss;
    struct nk_vlan_cfg Vlan; /* *PriorityVLANTag and VlanId */
    /* GUEST_ANNOUNCE (announce.c) */
    NDIS_HANDLE AnnounceWork;
    volatile LONG AnnounceQueued;  /* the work item is queued or running */
    volatile LONG AnnouncePending; /* asked while not Running: sent at restart */
    NDIS_SPIN_LOCK AnnounceLock;   /* Addrs, between the OID and the work item */
    struct nk_announce_addrs Addrs;
    LONG64 Announcements; /* announcements sent and acknowledged */
    BOOLEAN PoweredDown;  /* D3: the device reset, its buffers taken back (power.c) */
    BOOLEAN D0Failed;     /* D0 answered but the device did not come back: a reset tries again */
    /* MiniportResetEx (reset.c): the state the data path asks, and the
     * work item that says the control settings again */
    struct nk_reset Reset;
    NDIS_HANDLE ResetWork;
    volatile LONG ResetQueued;
};

/* ---- driver.c ---- */
extern NDIS_HANDLE NkDriverHandle;

/* ---- init.c ---- */
MINIPORT_INITIALIZE NkInitialize;
MINIPORT_HALT NkHalt;

/* ---- params.c ---- */
void NkReadParams(PNK_ADAPTER A);

/* ---- device.c ---- */
NDIS_STATUS NkDeviceStart(PNK_ADAPTER A);
void NkDeviceStop(PNK_ADAPTER A);
NDIS_STATUS NkDeviceReinit(PNK_ADAPTER A);

/* ---- reset.c ---- */
MINIPORT_RESET NkReset;
MINIPORT_CHECK_FOR_HANG NkCheckForHang;
NDIS_STATUS NkResetInit(PNK_ADAPTER A);
void NkResetFree(PNK_ADAPTER A);

/* ---- power.c ---- */
NDIS_STATUS NkPowerSet(PNK_ADAPTER A, PNDIS_OID_REQUEST R);

/* ---- intr.c ---- */
NDIS_STATUS NkInterruptRegister(PNK_ADAPTER A);
void NkInterruptDeregister(PNK_ADAPTER A);

/* ---- tx.c ---- */
NDIS_STATUS NkTxInit(PNK_ADAPTER A, PNK_TXQ Q);
void NkTxFree(PNK_ADAPTER A, PNK_TXQ Q);
void NkTxDrain(PNK_TXQ Q);
void NkTxCancelAll(PNK_TXQ Q, NDIS_STATUS Status);
MINIPORT_SEND_NET_BUFFER_LISTS NkSend;
MINIPORT_CANCEL_SEND NkCancelSend;
BOOLEAN NkTxSendOwn(PNK_TXQ Q, const UCHAR *Frame, ULONG Len);
MINIPORT_PROCESS_SG_LIST NkProcessSgList;

/* ---- tx_offload.c ---- */
enum { NK_OFF_OK = 0, NK_OFF_FAIL = 1, NK_OFF_MANY = 2 }; /* NkTxOffload */
int NkTxOffload(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNET_BUFFER Nb, const UCHAR *Flat, PUCHAR Slot,
                ULONG SlotBytes, const UCHAR *Tag, ULONG *Copied);
void NkTxOffloadComplete(PNET_BUFFER_LIST Nbl);
ULONG NkTxMaxLength(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNET_BUFFER Nb);
struct nk_tx_request;
BOOLEAN NkTxUsoRequest(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, struct nk_tx_request *Req, BOOLEAN *Ok);
BOOLEAN NkTxUsoAsked(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl);
ULONG NkTxSgAfter(PSCATTER_GATHER_LIST Sgl, ULONG Skip, ULONG *First, ULONG *FirstOff);

/* ---- rx_offload.c ---- */
void NkRxOffload(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNK_RXBUF B, ULONG Len);

/* ---- rx.c ---- */
NDIS_STATUS NkRxInit(PNK_ADAPTER A, PNK_RXQ Q);
void NkRxFree(PNK_ADAPTER A, PNK_RXQ Q);
void NkRxPost(PNK_RXQ Q);
void NkRxDrain(PNK_RXQ Q);
void NkRxReclaim(PNK_RXQ Q);
void NkRxRefillStop(PNK_ADAPTER A);
void NkRxRefillStart(PNK_ADAPTER A);
void NkRxCount(PNK_ADAPTER A, PNET_BUFFER_LIST Nbls);
BOOLEAN NkRxFilterPublish(PNK_ADAPTER A);
MINIPORT_RETURN_NET_BUFFER_LISTS NkReturn;

/* ---- ctrl.c ---- */
BOOLEAN NkCtrlSend(PNK_ADAPTER A, const struct nk_ctrl_cmd *Cmd);
BOOLEAN NkPoll(BOOLEAN (*Ready)(PVOID), PVOID Ctx, ULONG BoundUs);
void NkCtrlApplyFilter(PNK_ADAPTER A);
void NkCtrlSetPairs(PNK_ADAPTER A);
void NkCtrlSetMac(PNK_ADAPTER A);

/* ---- oid.c ---- */
MINIPORT_OID_REQUEST NkOidRequest;
MINIPORT_CANCEL_OID_REQUEST NkCancelOid;
extern const NDIS_OID NkSupportedOids[];
extern const ULONG NkSupportedOidCount;

/* ---- offload.c ---- */
NDIS_STATUS NkOffloadInit(PNK_ADAPTER A);
void NkOffloadRestore(PNK_ADAPTER A);
NDIS_STATUS NkOffloadSetParameters(PNK_ADAPTER A, PNDIS_OID_REQUEST R);
NDIS_STATUS NkOffloadSetEncapsulation(PNK_ADAPTER A, PNDIS_OID_REQUEST R);

/* ---- rss.c ---- */
NDIS_STATUS NkRssInit(PNK_ADAPTER A);
void NkRssFree(PNK_ADAPTER A);
void NkRssRestore(PNK_ADAPTER A);
PNDIS_RECEIVE_SCALE_CAPABILITIES NkRssCapabilities(PNK_ADAPTER A);
NDIS_STATUS NkRssSetParameters(PNK_ADAPTER A, PNDIS_OID_REQUEST R);
NDIS_STATUS NkRssQueryParameters(PNK_ADAPTER A, PNDIS_OID_REQUEST R);
void NkRssClassify(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNK_RXBUF B);
ULONG NkRssSteer(PNK_ADAPTER A, PNET_BUFFER_LIST *Head, ULONG Count);

/* ---- vlan.c ---- */
void NkVlanInit(PNK_ADAPTER A);
BOOLEAN NkVlanRx(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNK_RXBUF First);
int NkVlanTx(PNK_ADAPTER A, PNET_BUFFER_LIST Nbl, PNET_BUFFER Nb, PUCHAR Out);

/* ---- announce.c ---- */
NDIS_STATUS NkAnnounceInit(PNK_ADAPTER A);
void NkAnnounceFree(PNK_ADAPTER A);
void NkAnnounceRequest(PNK_ADAPTER A);
void NkAnnounceResume(PNK_ADAPTER A);
NDIS_STATUS NkAnnounceSetAddresses(PNK_ADAPTER A, PNDIS_OID_REQUEST R);

/* ---- state.c ---- */
MINIPORT_PAUSE NkPause;
MINIPORT_RESTART NkRestart;
void NkPauseCheck(PNK_ADAPTER A);
void NkLinkUpdate(PNK_ADAPTER A, BOOLEAN Force);
void NkIndicateStatus(PNK_ADAPTER A, NDIS_STATUS Code, PVOID Buf, ULONG Len);
void NkFrameClass(const UCHAR *Dest, ULONG *Class);
