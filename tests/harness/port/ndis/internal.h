/*
 * The NDIS emulation's own state, shared by its files: the registered
 * miniport driver, the one adapter, pools and their NBLs, and who owns each
 * NBL in flight.  Pages cited as in common/include/vw/ndis.h.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "abi.h"
#include "api.h"
#include "kernel.h"
#include "ndis_port.h"
#include "vw_ndis.h"

#define NDIS_MAX_POOLS   16
#define NDIS_MAX_NBLS    4096 /* a miniport preallocates one per receive buffer */
#define NDIS_MAX_FRAMES  64
#define NDIS_MAX_DIGESTS 4096  /* indications whose length and digest are kept */
#define NDIS_FRAME_MAX   9216  /* a jumbo frame at MTU 9000 with a VLAN tag */
#define NDIS_RX_SCRATCH  65560 /* a coalesced unit: 64 KiB of IP, Ethernet and a tag */
/* NetBufferListInfo slots NDIS allocates per NBL: more than any
 * MaxNetBufferListInfo of the NDIS 6 headers (27 on 64-bit). */
#define NDIS_NBL_INFO_SLOTS 32
#define NDIS_TAG            0x5349444e /* "NDIS" */

/* The offload configuration the miniport reported as current: its
 * attributes' DefaultOffloadConfiguration, then each
 * NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG (ndis/ns-ndis-_ndis_offload). */
struct ndis_offload_cfg {
    uint32_t csum_encap[4], csum[4]; /* IPv4Transmit, IPv4Receive, IPv6Transmit, IPv6Receive */
    uint32_t lso_encap[2], lso_max[2], lso_min[2]; /* LsoV2 IPv4, IPv6 */
    bool rsc[2];                                   /* Rsc IPv4, IPv6 (revision 3 and later) */
    uint32_t uso_encap[2], uso_max[2], uso_min[2]; /* UdpSegmentation (revision 6 and later) */
};

/* RSS: the capabilities of the general attributes and the parameters the
 * protocol set (rss.c). */
#define NDIS_RSS_TABLE_MAX 128
#define NDIS_RSS_KEY_MAX   40
struct ndis_rss {
    bool caps; /* the general attributes carried RecvScaleCapabilities */
    uint32_t caps_flags, queues, messages, table_entries;
    bool on;            /* parameters set with hashing enabled */
    uint32_t hash_info; /* function | types */
    uint8_t key[NDIS_RSS_KEY_MAX];
    unsigned key_len, table_len;
    uint16_t table[NDIS_RSS_TABLE_MAX]; /* processor numbers of group 0 */
};

/* Who has an NBL now. */
enum nbl_owner {
    NBL_FREE,
    NBL_MINIPORT,      /* allocated from a miniport's pool, with the miniport */
    NBL_PROTOCOL_HELD, /* indicated without RESOURCES: the protocol has it */
    NBL_SENT,          /* the protocol's, given to MiniportSendNetBufferLists */
    NBL_SEND_DONE,     /* the protocol's, completed back */
};

struct ndis_nbl {
    gva_t nbl, pool;
    enum nbl_owner owner;
    bool protocol; /* allocated by the protocol layer, not a miniport pool */
    gva_t mdl;     /* the protocol's MDL chain, its blocks with it (sendmdl.c) */
    unsigned len;  /* the protocol's frame: its length, destination MAC */
    uint8_t dst[6];
    uint32_t lso; /* the LsoV2Transmit value sent with it (0: none; lso.c) */
};

struct ndis_pool {
    gva_t handle;
    bool nbl_pool, alloc_nb;
    unsigned live;
};

/* Hardware (hw.c, dma.c, config.c). */
#define NDIS_MAX_MAPS     16
#define NDIS_MAX_PORTS    8
#define NDIS_MAX_SHMEM    2048 /* 64 KiB receive buffers without MRG_RXBUF: one block each */
#define NDIS_MAX_SGLS     1024
#define NDIS_MAX_CONFIGS  8
#define NDIS_MAX_KEYWORDS 64
#define NDIS_KEYWORD_MAX  64
#define NDIS_VALUE_MAX    256

struct ndis_map {
    gva_t va;
    uint64_t len;
};
struct ndis_ports {
    uint32_t first, count;
    gva_t offset; /* what the miniport got: the port, or a mapped VA */
};
/* NdisMRegisterInterruptEx's registration: the miniport's handlers, the
 * port connection, a KDPC per (message, CPU), per-CPU out-parameters. */
struct ndis_intr {
    bool registered, message, sync_all;
    gva_t handle, context;
    gva_t isr, dpc, misr, mdpc;
    unsigned messages;
    struct vw_interrupt *in;
    gva_t dpcs;     /* messages * CPUs KDPCs */
    gva_t scratch;  /* per CPU: BOOLEAN QueueDpc at 0, ULONG TargetProcessors at 4 */
    gva_t throttle; /* per CPU: NDIS_RECEIVE_THROTTLE_PARAMETERS */
    unsigned isr_calls, dpc_calls;
    unsigned line_isr_calls, line_declined;
    unsigned dpc_cpu_low, dpc_cpu_high; /* CPUs the DPCs ran on (low + 1; 0: none) */
};
struct ndis_shmem {
    gva_t va;
    uint64_t pa, len;
    bool live;
    bool rx; /* a receive indication's buffer lay in it (vw_ndis_shared_memory) */
};
struct ndis_sgl {
    gva_t sgl, nb;
    bool allocated; /* NDIS's memory, not the miniport's buffer */
    bool live;
};
struct ndis_keyword {
    char name[NDIS_KEYWORD_MAX];
    char value[NDIS_VALUE_MAX];
    bool integer; /* REG_DWORD: value holds the decimal number */
};
struct ndis_config {
    gva_t handle;
    gva_t params[NDIS_MAX_KEYWORDS]; /* parameters returned, freed at close */
    unsigned nparams;
};

/* Timers and I/O work items (timer.c); ADAPTER: allocated with the adapter
 * handle, so released by MiniportHaltEx. */
#define NDIS_MAX_TIMERS 32
#define NDIS_MAX_WORK   32
struct ndis_timer {
    gva_t obj, context;
    bool live, adapter, periodic;
    unsigned sets;
};
struct ndis_work {
    gva_t item;
    bool live, adapter;
};

/* Allocation failures asked for by the scenario (faults.c). */
struct ndis_faults {
    uint32_t next_mask, window_mask;
    unsigned next_skip, next_left;
    bool plant_off;      /* vw_ndis_plant_faults_off */
    bool plant_leak;     /* vw_ndis_plant_init_leak */
    uint64_t window_end; /* interrupt time */
    struct vw_ndis_alloc_calls calls;
};

struct ndis_state {
    /* NdisMRegisterMiniportDriver, and the NDIS version it gave (version.c) */
    bool registered;
    unsigned ndis_major, ndis_minor;
    gva_t driver_handle, driver_context;
    gva_t h_init, h_halt, h_unload, h_pause, h_restart, h_oid, h_send, h_return, h_cancel_send,
        h_pnp, h_shutdown, h_cancel_oid;
    gva_t h_hang, h_reset; /* optional: CheckForHangHandlerEx, ResetHandlerEx */
    /* MiniportResetEx in progress (reset.c), pended, NdisMResetComplete's word */
    bool resetting, reset_pended, reset_done, reset_addressing;
    uint32_t reset_status;
    /* The adapter */
    enum vw_ndis_adapter_state state;
    gva_t adapter; /* NdisMiniportHandle: an NDIS-owned token */
    gva_t context; /* MiniportAdapterContext */
    bool reg_attrs, gen_attrs;
    uint32_t reg_flags;
    uint8_t mac[6];
    uint32_t mtu;
    gva_t init_params, resources;
    bool pause_done, restart_done;
    unsigned halt_action; /* NDIS_HALT_ACTION for the next halt (0: the default) */
    uint32_t restart_status;
    /* OID in flight (regular OIDs are serialized: oidrequest page) */
    gva_t oid_req;
    bool oid_pending, oid_done;
    uint32_t oid_status;
    /* NBLs and pools */
    struct ndis_pool pools[NDIS_MAX_POOLS];
    struct ndis_nbl nbls[NDIS_MAX_NBLS];
    gva_t proto_pool;    /* the protocol layer's own NBLs */
    unsigned send_cpu;   /* the CPU the protocol sends from (vw_ndis_send_cpu) */
    gva_t send_first;    /* the chain of the send call being made */
    unsigned indicating; /* NdisMIndicateReceiveNetBufferLists calls in progress */
    /* Frames the protocol received, copied at indication */
    uint8_t frames[NDIS_MAX_FRAMES][NDIS_FRAME_MAX];
    uint8_t rx_scratch[NDIS_RX_SCRATCH]; /* the frame being checked at indication */
    unsigned frame_len[NDIS_MAX_FRAMES], nframes;
    unsigned frame_full[NDIS_MAX_DIGESTS], ndigests; /* whole length (DataLength) */
    uint32_t frame_fnv[NDIS_MAX_DIGESTS];            /* FNV-1a of the whole frame */
    struct vw_ndis_stats stats;
    /* The PCI function behind the adapter (vw_ndis_attach_pci), 0: none */
    gva_t pdo;
    struct ndis_map maps[NDIS_MAX_MAPS];
    unsigned nmaps;
    struct ndis_ports ports[NDIS_MAX_PORTS];
    unsigned nports;
    struct ndis_intr intr;
    /* Scatter/gather DMA and shared memory */
    bool dma_registered;
    gva_t dma_handle, process_sg, shmem_complete;
    uint32_t max_mapping;
    struct ndis_shmem shmem[NDIS_MAX_SHMEM];
    struct ndis_sgl sgls[NDIS_MAX_SGLS];
    /* Configuration: the adapter's keywords and the open handles */
    struct ndis_keyword keywords[NDIS_MAX_KEYWORDS];
    unsigned nkeywords;
    struct ndis_config configs[NDIS_MAX_CONFIGS];
    /* Timers and work items */
    struct ndis_timer timers[NDIS_MAX_TIMERS];
    struct ndis_work work[NDIS_MAX_WORK];
    unsigned work_queued;
    /* What the protocol layer sent (completed with SUCCESS) and received,
     * per destination class (0 directed, 1 multicast, 2 broadcast) */
    uint64_t out_frames[3], out_bytes[3], in_frames[3], in_bytes[3];
    /* OID_PNP_SET_POWER D3 sent, D0 not yet (power.c) */
    bool low_power;
    bool in_d3; /* the D3 set request completed, the D0 one not sent yet (power.c) */
    unsigned offload_indications;     /* NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG */
    struct ndis_offload_cfg cur;      /* the current offload configuration (offload.c) */
    uint32_t mac_options;             /* the general attributes' MacOptions (vlan.c) */
    struct ndis_rss rss;              /* RSS capabilities and parameters (rss.c) */
    struct vw_ndis_offload_stats off; /* what the offload checks saw */
    /* The protocol binding (bind.c): bound since InitializeEx, the packet
     * filter in effect, a nonzero one being set (0: none) */
    bool bound;
    uint32_t filter, filter_next;
    /* Planted into the emulation itself: NdisReadConfiguration never finds this
     * keyword (vw_ndis_plant_keyword_lost; "": none) */
    char plant_lost[NDIS_KEYWORD_MAX];
    struct ndis_faults fault;
};

struct ndis_state *ndis_state(struct vm *vm);
struct ndis_nbl *ndis_find_nbl(struct ndis_state *s, gva_t nbl);
const char *ndis_state_name(enum vw_ndis_adapter_state st);
/* An NBL (and with ALLOC_NB its NET_BUFFER, DataLength LEN, MDL chain MDL)
 * from POOL; 0 when out of memory (the run failed). */
gva_t ndis_nbl_alloc(struct vm *vm, gva_t pool, bool protocol, gva_t mdl, uint64_t len);
/* dma.c: the shared block holding VA, if any, held a received frame's buffer. */
void ndis_dma_mark_rx(struct ndis_state *s, gva_t va);
void ndis_nbl_free(struct vm *vm, struct ndis_nbl *r);
/* A nonpaged-pool MDL describing [VA, VA+LEN) (MDL_SOURCE_IS_NONPAGED_POOL,
 * PFNs filled). */
gva_t ndis_mdl_build(struct vm *vm, gva_t va, uint32_t len);
/* sendmdl.c: the protocol's frame F as LAY's chain of MDLs (NULL: one), each piece in its own
 * pool block; and freeing such a chain with its blocks. */
#define NDIS_MAX_SEND_MDLS 256
gva_t ndis_send_mdls(struct vm *vm, const uint8_t *f, unsigned len,
                     const struct vw_ndis_layout *lay);
void ndis_send_mdls_free(struct vm *vm, gva_t mdl);
/* Calls a miniport handler at IRQL; false when the run failed. */
bool ndis_call(struct vm *vm, gva_t fn, unsigned irql, unsigned n, const uint64_t *args,
               uint64_t *ret);
/* Is H the adapter handle NDIS gave InitializeEx (else the run fails, naming WHO). */
bool ndis_check_adapter(struct vm *vm, gva_t h, const char *who);
/* InitializeEx's resource list: the PCI function's translated resources, or
 * an empty list for a software adapter. */
gva_t ndis_hw_resources(struct vm *vm);
/* After MiniportHaltEx: what the miniport must have released
 * (network/halting-a-miniport-adapter); false when the run failed. */
bool ndis_hw_after_halt(struct vm *vm);
bool ndis_dma_after_halt(struct vm *vm);
bool ndis_config_after_halt(struct vm *vm);
bool ndis_timer_after_halt(struct vm *vm);
bool ndis_pools_after_failed_init(struct vm *vm);
/* NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES at A (offload.c); false, the
 * run failed, when it breaks a rule. */
bool ndis_offload_attributes(struct vm *vm, gva_t a);
void ndis_offload_indicated(struct vm *vm, gva_t buf, uint32_t len);
/* False, the run failed, when the adapter is in D3 (power.c). */
bool ndis_power_allows_indication(struct vm *vm, const char *who);
/* Counts a frame of LEN bytes to DST sent (OUT) or received (stats.c). */
void ndis_stats_count(struct ndis_state *s, bool out, const uint8_t *dst, unsigned len);
/* NetBufferListInfo slot I of NBL (the ULONG bit fields of the pointer-sized slot). */
uint32_t ndis_nbl_info(struct vm *vm, gva_t nbl, unsigned i);
void ndis_nbl_set_info(struct vm *vm, gva_t nbl, unsigned i, uint32_t v);
/* TcpRecvSegCoalesceInfo's slot on this arch (19 on x86, 22 on 64-bit). */
unsigned ndis_rsc_slot(struct vm *vm);
/* Offload checks on the protocol's send of FRAME (LEN bytes) with INFO
 * (checksum.c, lso.c, vlan.c): false and the run failed when the protocol
 * layer would not have asked for it (the offload is not enabled). */
bool ndis_checksum_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t csum);
bool ndis_vlan_tx_allowed(struct vm *vm, uint32_t v);
bool ndis_lso_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t lso);
bool ndis_uso_tx_allowed(struct vm *vm, const uint8_t *frame, unsigned len, uint32_t uso);
/* UdpSegmentationOffloadInfo's slot on this arch (uso.c). */
unsigned ndis_uso_slot(struct vm *vm);
/* At send completion: what the miniport wrote back into an LSOv2 NBL. */
bool ndis_lso_completed(struct vm *vm, gva_t nbl, uint32_t sent);
/* Receive checks of one indicated NBL whose frame is F (LEN bytes, the
 * first NDIS_FRAME_MAX at most): checksum bits, RSC counts, 802.1Q
 * information, RSS hash and processor.  False: the run failed. */
bool ndis_checksum_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len);
bool ndis_rsc_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len);
bool ndis_vlan_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len);
bool ndis_rss_rx(struct vm *vm, gva_t nbl, const uint8_t *f, unsigned len);
/* The general attributes' PowerManagementCapabilitiesEx at PM (0: none; power.c). */
bool ndis_pm_capabilities(struct vm *vm, gva_t pm);
/* The general attributes' RecvScaleCapabilities at CAPS (0: none). */
bool ndis_rss_capabilities(struct vm *vm, gva_t caps);
/* NDIS_OFFLOAD at O into the current configuration (offload.c). */
void ndis_offload_read_current(struct vm *vm, gva_t o, uint32_t size);

/* version.c: the registered NDIS version and the structure revisions it allows. */
enum ndis_rev_structure { NDIS_REV_CHARACTERISTICS, NDIS_REV_OFFLOAD };
void ndis_version_set(struct vm *vm, unsigned major, unsigned minor);
bool ndis_version_allows(struct vm *vm, enum ndis_rev_structure which, unsigned rev,
                         const char *where);

/* bind.c: the protocol binding and its packet filter. */
void ndis_bind_reset(struct vm *vm);
bool ndis_bind(struct vm *vm);
void ndis_filter_set_start(struct vm *vm, uint32_t filter);
void ndis_filter_set_done(struct vm *vm, uint32_t filter, uint32_t status);
bool ndis_filter_allows_indication(struct vm *vm, const char *who);

/* reset.c: NdisMResetComplete. */
void ndis_reset_complete(struct vm *vm, const struct vw_api *api);

/* faults.c: counts a call of A; true when the scenario asked it to fail. */
bool ndis_fault(struct vm *vm, enum vw_ndis_alloc a);

/* Does NB still have an SG list (NdisMAllocateNetBufferSGList, not freed)? */
bool ndis_dma_nb_has_list(struct vm *vm, gva_t nb);
