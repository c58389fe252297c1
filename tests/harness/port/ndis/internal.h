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

#define NDIS_MAX_POOLS  16
#define NDIS_MAX_NBLS   4096 /* a miniport preallocates one per receive buffer */
#define NDIS_MAX_FRAMES 64
#define NDIS_FRAME_MAX  9216 /* a jumbo frame at MTU 9000 with a VLAN tag */
/* NetBufferListInfo slots NDIS allocates per NBL: more than any
 * MaxNetBufferListInfo of the NDIS 6 headers (27 on 64-bit). */
#define NDIS_NBL_INFO_SLOTS 32
#define NDIS_TAG            0x5349444e /* "NDIS" */

/* NDIS_STATUS values the emulation returns or checks (ndis.h, status codes). */
#define ST_SUCCESS             0x00000000u
#define ST_PENDING             0x00000103u
#define ST_FAILURE             0xC0000001u
#define ST_RESOURCES           0xC000009Au
#define ST_BAD_VERSION         0xC0230004u
#define ST_BAD_CHARACTERISTICS 0xC0230005u
#define ST_INVALID_PARAMETER   0xC000000Du

/* NDIS_OBJECT_TYPE_* and flags (ndis.h). */
#define OBJ_DRIVER_CHARS      0x8A
#define OBJ_REG_ATTRS         0x9E
#define OBJ_GEN_ATTRS         0x9F
#define OBJ_OFFLOAD_ATTR      0xA0
#define OBJ_DEFAULT           0x80
#define OBJ_INIT_PARAMS       0x81
#define OBJ_OID_REQUEST       0x96
#define OBJ_STATUS_IND        0x98
#define FLAG_DISPATCH         0x1 /* NDIS_{SEND,SEND_COMPLETE,RECEIVE,RETURN}_FLAGS_DISPATCH_LEVEL */
#define RECV_RESOURCES        0x2 /* NDIS_RECEIVE_FLAGS_RESOURCES */
#define STATUS_LINK           0x40010017u
#define STATUS_OFFLOAD_CONFIG 0x40020006u /* NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG */

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
    bool protocol;  /* allocated by the protocol layer, not a miniport pool */
    gva_t buf, mdl; /* the protocol's frame buffer and MDL */
    unsigned len;   /* the protocol's frame: its length, destination MAC */
    uint8_t dst[6];
};

struct ndis_pool {
    gva_t handle;
    bool nbl_pool, alloc_nb;
    unsigned live;
};

/* Hardware (hw.c, dma.c, config.c). */
#define NDIS_MAX_MAPS     16
#define NDIS_MAX_PORTS    8
#define NDIS_MAX_SHMEM    256
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
    unsigned dpc_cpu_low, dpc_cpu_high; /* CPUs the DPCs ran on (low + 1; 0: none) */
};
struct ndis_shmem {
    gva_t va;
    uint64_t pa, len;
    bool live;
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

struct ndis_state {
    /* NdisMRegisterMiniportDriver */
    bool registered;
    gva_t driver_handle, driver_context;
    gva_t h_init, h_halt, h_unload, h_pause, h_restart, h_oid, h_send, h_return, h_cancel_send,
        h_pnp, h_shutdown, h_cancel_oid;
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
    unsigned indicating; /* NdisMIndicateReceiveNetBufferLists calls in progress */
    /* Frames the protocol received, copied at indication */
    uint8_t frames[NDIS_MAX_FRAMES][NDIS_FRAME_MAX];
    unsigned frame_len[NDIS_MAX_FRAMES], nframes;
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
    unsigned offload_indications; /* NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG */
    /* Planted into the emulation itself: none yet */
};

struct ndis_state *ndis_state(struct vm *vm);
struct ndis_nbl *ndis_find_nbl(struct ndis_state *s, gva_t nbl);
const char *ndis_state_name(enum vw_ndis_adapter_state st);
/* An NBL (and with ALLOC_NB its NET_BUFFER, DataLength LEN, MDL chain MDL)
 * from POOL; 0 when out of memory (the run failed). */
gva_t ndis_nbl_alloc(struct vm *vm, gva_t pool, bool protocol, gva_t mdl, uint64_t len);
void ndis_nbl_free(struct vm *vm, struct ndis_nbl *r);
/* A nonpaged-pool MDL describing [VA, VA+LEN) (MDL_SOURCE_IS_NONPAGED_POOL,
 * PFNs filled). */
gva_t ndis_mdl_build(struct vm *vm, gva_t va, uint32_t len);
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
/* NDIS_MINIPORT_ADAPTER_OFFLOAD_ATTRIBUTES at A (offload.c); false, the
 * run failed, when it breaks a rule. */
bool ndis_offload_attributes(struct vm *vm, gva_t a);
void ndis_offload_indicated(struct vm *vm, gva_t buf, uint32_t len);
/* False, the run failed, when the adapter is in D3 (power.c). */
bool ndis_power_allows_indication(struct vm *vm, const char *who);
/* Counts a frame of LEN bytes to DST sent (OUT) or received (stats.c). */
void ndis_stats_count(struct ndis_state *s, bool out, const uint8_t *dst, unsigned len);
/* Does NB still have an SG list (NdisMAllocateNetBufferSGList, not freed)? */
bool ndis_dma_nb_has_list(struct vm *vm, gva_t nb);
