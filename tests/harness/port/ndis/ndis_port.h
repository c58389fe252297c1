/*
 * The NDIS emulation (ndis.sys for NDIS 6 miniports), scenario side: the
 * adapter life cycle (InitializeEx, restart, pause, halt), a small protocol
 * layer that sends Ethernet frames in NET_BUFFER_LISTs and takes the
 * miniport's receive indications, and OID requests.  Each call returns
 * false when the run failed.  README: tests/harness/README.md, "NDIS".
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

/* The adapter states of network/miniport-adapter-states-and-operations. */
enum vw_ndis_adapter_state {
    VW_NDIS_HALTED,
    VW_NDIS_INITIALIZING,
    VW_NDIS_PAUSED,
    VW_NDIS_RESTARTING,
    VW_NDIS_RUNNING,
    VW_NDIS_PAUSING,
};

/* MiniportInitializeEx at PASSIVE_LEVEL; the adapter is Paused after it. */
bool vw_ndis_initialize(struct vm *vm);
/* MiniportInitializeEx, which may fail: STATUS gets its status; after a
 * failure the adapter is Halted and what the miniport must have released
 * (its NBL pools and NBLs, interrupts, I/O, shared memory, configuration
 * handles, timers) is checked, the run failing on the first left. */
bool vw_ndis_initialize_status(struct vm *vm, uint32_t *status);
/* MiniportRestart (Paused -> Running), waiting for NdisMRestartComplete;
 * the first one since InitializeEx then binds the protocol, which sets
 * OID_GEN_CURRENT_PACKET_FILTER to DIRECTED | MULTICAST | BROADCAST, as
 * TCP/IP does (bind.c; a failed set fails the run). */
bool vw_ndis_restart(struct vm *vm);
/* The packet filter the protocol set last (0 from InitializeEx until the
 * bind); a receive indication while it is 0 fails the run. */
uint32_t vw_ndis_packet_filter(struct vm *vm);
/* MiniportPause (Running -> Paused): the protocol returns what it holds
 * and NDIS waits for NdisMPauseComplete. */
bool vw_ndis_pause(struct vm *vm);
/* MiniportHaltEx from Paused, then the pools' leak check. */
bool vw_ndis_halt(struct vm *vm);
/* Surprise removal: the PnP event, a pause if Running, then the halt. */
bool vw_ndis_surprise_remove(struct vm *vm);
/* NDIS's check for hang (reset.c): MiniportCheckForHangEx at PASSIVE_LEVEL
 * when the miniport has one; HUNG gets its answer (false without one). */
bool vw_ndis_check_for_hang(struct vm *vm, bool *hung);
/* NDIS resets the adapter (Running or Paused): MiniportResetEx at
 * DISPATCH_LEVEL, waiting up to 1 s for NdisMResetComplete when it pends;
 * no send or OID request reaches the miniport meanwhile.  STATUS gets the
 * final status, ADDRESSING the AddressingReset answer (TRUE: NDIS sets
 * the packet filter again). */
bool vw_ndis_reset(struct vm *vm, uint32_t *status, bool *addressing);
/* The protocol sends COUNT frames (one NBL each, one NB with one MDL) in
 * one MiniportSendNetBufferLists call at DISPATCH_LEVEL, then runs DPCs. */
bool vw_ndis_send(struct vm *vm, const uint8_t *const *frames, const unsigned *lens,
                  unsigned count);
/* The CPU the protocol's sends run on from now (0 at first; past the last
 * CPU: 0): NDIS calls MiniportSendNetBufferLists on the sender's processor,
 * so a miniport picks its transmit queue there. */
void vw_ndis_send_cpu(struct vm *vm, unsigned cpu);
/* The protocol returns every NBL it holds (MiniportReturnNetBufferLists). */
bool vw_ndis_return_all(struct vm *vm);
/* The protocol returns up to MAX (0: all) of the NBLs it holds, in an order
 * drawn from SEED (mixing indications and queues), in one call. */
bool vw_ndis_return_shuffled(struct vm *vm, uint32_t seed, unsigned max);
/* Frame I of those indicated so far (copied at indication); its length,
 * or 0 when there is none. */
unsigned vw_ndis_received(struct vm *vm, unsigned i, uint8_t *buf, unsigned cap);
/* One OID request (query or set) at PASSIVE_LEVEL, waiting for
 * NdisMOidRequestComplete when it pends.  STATUS gets the NDIS_STATUS,
 * DONE the bytes written or read. */
bool vw_ndis_oid(struct vm *vm, bool set, uint32_t oid, void *buf, uint32_t len, uint32_t *status,
                 uint32_t *done);

/* The protocol's addresses, as TCP/IP sets them: OID_GEN_NETWORK_LAYER_ADDRESSES
 * with N4 IPv4 (NETWORK_ADDRESS_IP) then N6 IPv6 (NETWORK_ADDRESS_IP6)
 * entries, 16 at most (netaddr.c); STATUS gets the miniport's answer. */
bool vw_ndis_set_network_addresses(struct vm *vm, const uint8_t (*ip4)[4], unsigned n4,
                                   const uint8_t (*ip6)[16], unsigned n6, uint32_t *status);

/* Put the adapter on the PCI function PDO (before vw_ndis_initialize):
 * InitializeEx gets its translated resources, and bus data, I/O space and
 * interrupts reach it. */
void vw_ndis_attach_pci(struct vm *vm, gva_t pdo);
gva_t vw_ndis_pdo(struct vm *vm);
/* The adapter's registry keywords (an INF's advanced properties): a REG_SZ
 * VALUE, or a REG_DWORD; what NdisReadConfiguration finds. */
void vw_ndis_keyword(struct vm *vm, const char *name, const char *value);
void vw_ndis_keyword_dword(struct vm *vm, const char *name, uint32_t value);
/* Planted emulation bug: NdisReadConfiguration answers NAME not present,
 * whatever was set (a scenario reading a keyword by its effect must fail). */
void vw_ndis_plant_keyword_lost(struct vm *vm, const char *name);
/* Allocation failures (faults.c): the APIs a miniport may call at run time
 * answer as when memory is short (NULL; no shared memory; SG list:
 * NDIS_STATUS_RESOURCES).  MASK: bits 1 << enum vw_ndis_alloc. */
enum vw_ndis_alloc {
    VW_NDIS_ALLOC_NBL_POOL,   /* NdisAllocateNetBufferListPool */
    VW_NDIS_ALLOC_NB_AND_NBL, /* NdisAllocateNetBufferAndNetBufferList */
    VW_NDIS_ALLOC_NBL,        /* NdisAllocateNetBufferList */
    VW_NDIS_ALLOC_MDL,        /* NdisAllocateMdl */
    VW_NDIS_ALLOC_MEMORY,     /* NdisAllocateMemoryWithTagPriority */
    VW_NDIS_ALLOC_SHARED,     /* NdisMAllocateSharedMemory */
    VW_NDIS_ALLOC_SG_LIST,    /* NdisMAllocateNetBufferSGList */
    VW_NDIS_ALLOC_COUNT
};
#define VW_NDIS_ALLOC_ALL ((1u << VW_NDIS_ALLOC_COUNT) - 1)
/* After SKIP more calls of the APIs in MASK the next N fail (then they
 * succeed again). */
void vw_ndis_fail_next(struct vm *vm, uint32_t mask, unsigned skip, unsigned n);
/* Every call of the APIs in MASK fails from now for US microseconds of
 * virtual time (0: no window). */
void vw_ndis_fail_window(struct vm *vm, uint32_t mask, uint64_t us);
/* Calls per API: in all, made while the adapter was neither initializing
 * nor halted (run time: after InitializeEx returned), and failed by
 * injection. */
struct vw_ndis_alloc_calls {
    unsigned total[VW_NDIS_ALLOC_COUNT], run_time[VW_NDIS_ALLOC_COUNT], failed[VW_NDIS_ALLOC_COUNT];
};
void vw_ndis_alloc_calls(struct vm *vm, struct vw_ndis_alloc_calls *out);
/* Planted emulation bug: the calls are counted, none fails. */
void vw_ndis_plant_faults_off(struct vm *vm);
/* Planted emulation bug: a failed InitializeEx seems to leave an NBL pool. */
void vw_ndis_plant_init_leak(struct vm *vm);
const char *vw_ndis_alloc_name(enum vw_ndis_alloc a);

/* A keyword's value now (after NdisWriteConfiguration too), or NULL. */
const char *vw_ndis_keyword_value(struct vm *vm, const char *name);

struct vw_ndis_stats {
    enum vw_ndis_adapter_state state;
    unsigned sent, send_completed, send_failed; /* NBLs; failed: status not SUCCESS */
    unsigned indicated, indicated_resources;    /* NBLs; with NDIS_RECEIVE_FLAGS_RESOURCES */
    unsigned returned, held;                    /* by the protocol; held now */
    unsigned oids_pended, pause_pended, link_indications;
    unsigned resets;                        /* MiniportResetEx calls */
    unsigned isr_calls, dpc_calls;          /* the miniport's ISRs and interrupt DPCs */
    unsigned line_isr_calls, line_declined; /* of them on the line; declined (FALSE) */
    unsigned dpc_cpu_low, dpc_cpu_high;     /* lowest and highest CPU a DPC ran on, plus 1 */
    uint8_t mac[6];
    uint32_t mtu;
    uint32_t mac_options; /* the general attributes' MacOptions (NDIS_MAC_OPTION_*) */
    /* NET_IF_MEDIA_CONNECT_STATE (0 unknown, 1 connected, 2 disconnected):
     * the general attributes', then the last NDIS_STATUS_LINK_STATE's */
    uint32_t media_connect;
    /* the same two's XmitLinkSpeed and RcvLinkSpeed (bits per second) and
     * NDIS_MEDIA_DUPLEX_STATE (0 unknown, 1 half, 2 full) */
    uint64_t xmit_speed, rcv_speed;
    uint32_t duplex;
    /* the last NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG's IPv4Transmit
     * checksum fields (IpOptions, TcpOptions, Tcp, Udp, Ip: 2 bits each) */
    uint32_t offload_tx4;
};
void vw_ndis_stats(struct vm *vm, struct vw_ndis_stats *out);
/* Indication I's whole frame as the protocol got it: its length and the
 * FNV-1a 32-bit hash of its bytes (frames past vw_ndis_received's copy,
 * up to 65560 bytes; the first 4096 indications, where vw_ndis_received
 * keeps 64); false when there is no such indication. */
bool vw_ndis_received_digest(struct vm *vm, unsigned i, unsigned *len, uint32_t *fnv);
/* The miniport's live shared memory (NdisMAllocateSharedMemory, whole
 * pages as allocated): blocks and bytes in all, and of them the blocks in
 * which the buffer of a receive indication lay since the last call with
 * CLEAR (bench/net: which memory one queue's receive buffers take). */
struct vw_ndis_shared {
    unsigned blocks, rx_blocks;
    uint64_t bytes, rx_bytes;
};
void vw_ndis_shared_memory(struct vm *vm, struct vw_ndis_shared *out, bool clear);
/* OID_GEN_STATISTICS at PASSIVE: the miniport's directed, multicast and
 * broadcast frame and byte counters, sent and received, must equal what the
 * protocol layer sent (completed with SUCCESS) and was indicated; false and
 * the run failed, naming the counter, when one differs. */
bool vw_ndis_check_statistics(struct vm *vm);
/* From Paused: OID_PNP_QUERY_POWER and OID_PNP_SET_POWER to D3 (D3), or
 * OID_PNP_SET_POWER to D0; STATUS gets the set request's NDIS_STATUS. */
bool vw_ndis_set_power(struct vm *vm, bool d3, uint32_t *status);
/* OID_TCP_OFFLOAD_PARAMETERS with IPv4, TCP/IPv4, UDP/IPv4, TCP/IPv6 and
 * UDP/IPv6 checksum values (NDIS_OFFLOAD_PARAMETERS_*), the rest unchanged;
 * a success must come with NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG. */
bool vw_ndis_set_offload_parameters(struct vm *vm, const uint8_t checksums[5], uint32_t *status);

/* Per-NBL information the protocol layer sends with a frame: the ULONG
 * values of NDIS_TCP_IP_CHECKSUM_NET_BUFFER_LIST_INFO (Transmit),
 * NDIS_TCP_LARGE_SEND_OFFLOAD_NET_BUFFER_LIST_INFO (LsoV2Transmit) and
 * NDIS_NET_BUFFER_LIST_8021Q_INFO; 0: none.  Bits: vw_ndis.h. */
struct vw_ndis_tx_info {
    uint32_t csum, lso, vlan;
    uint32_t uso; /* UdpSegmentationOffloadInfo's Transmit (0: none) */
};
/* vw_ndis_send with INFO[i] for frame i (INFO NULL: none); the stack asks
 * only for what the current offload configuration enables (else the run
 * fails, "harness:"). */
bool vw_ndis_send_info(struct vm *vm, const uint8_t *const *frames, const unsigned *lens,
                       const struct vw_ndis_tx_info *info, unsigned count);
/* How the protocol lays each frame out (network/net-buffer): MDLS pieces in a chain of MDLs
 * (0 or 1: one MDL), piece I ending at CUTS[I] (NULL: even pieces); the first MDL starts with
 * LEAD bytes that are not the frame's (CurrentMdlOffset and DataOffset = LEAD).  Each piece
 * has its own pool block, so the SG list has at least one element per piece. */
struct vw_ndis_layout {
    unsigned mdls, lead;
    const unsigned *cuts;
};
/* vw_ndis_send_info with every frame laid out as LAY (NULL: one MDL, no lead). */
bool vw_ndis_send_layout(struct vm *vm, const uint8_t *const *frames, const unsigned *lens,
                         const struct vw_ndis_tx_info *info, const struct vw_ndis_layout *lay,
                         unsigned count);

/* What the offload and RSS checks saw (checksum.c, lso.c, vlan.c, rss.c). */
struct vw_ndis_offload_stats {
    unsigned rx_csum_flagged;            /* NBLs indicated with receive checksum bits */
    uint32_t last_rx_csum;               /* the last indicated NBL's Receive bits (0: none) */
    unsigned lso_completed;              /* LSOv2 NBLs completed as documented */
    unsigned rx_coalesced, rx_segments;  /* NBLs with CoalescedSegCount, their sum */
    unsigned rx_vlan_info;               /* NBLs indicated with 802.1Q information */
    uint32_t last_rx_vlan;               /* the last one's value */
    unsigned rx_hashed, rx_hash_none;    /* with RSS on: hash checked / type NONE */
    unsigned rx_cpu_low, rx_cpu_high;    /* CPUs hashed NBLs were indicated on, plus 1 */
    uint32_t rss_caps_flags, rss_queues; /* the capabilities the miniport declared */
    bool rss_caps;
    /* The current offload configuration (the offload attributes' default,
     * then each NDIS_STATUS_TASK_OFFLOAD_CURRENT_CONFIG): the checksum words
     * IPv4Transmit, IPv4Receive, IPv6Transmit, IPv6Receive (IpOptions,
     * TcpOptions, Tcp, Udp, Ip: 2 bits each from bit 0), LSOv2 IPv4/IPv6
     * MaxOffLoadSize (0: off), RSC IPv4/IPv6, USO IPv4/IPv6 MaxOffLoadSize
     * (0: off or before NDIS_OFFLOAD revision 6) */
    uint32_t cur_csum[4], cur_lso_max[2], cur_uso_max[2];
    bool cur_rsc[2];
};
void vw_ndis_offload_stats(struct vm *vm, struct vw_ndis_offload_stats *out);
/* OID_GEN_RECEIVE_SCALE_PARAMETERS as the stack sets it (revision 2: an
 * indirection table of PROCESSOR_NUMBERs, TABLE[i] the CPU index of entry i
 * (group TABLE[i] / 64, number TABLE[i] % 64),
 * N a power of two up to 128; KEY of KEY_LEN bytes up to 40; HASH_INFO the
 * function | NDIS_HASH_* types, 0: NDIS_RSS_PARAM_FLAG_DISABLE_RSS).
 * STATUS gets the miniport's answer; from a success on, each indicated
 * NBL's hash and processor are checked. */
bool vw_ndis_set_rss(struct vm *vm, uint32_t hash_info, const uint8_t *key, unsigned key_len,
                     const uint16_t *table, unsigned n, uint32_t *status);

/* OID_TCP_OFFLOAD_PARAMETERS with more than checksums: the five checksum
 * values, LsoV2IPv4/IPv6 and RscIPv4/IPv6 (NDIS_OFFLOAD_PARAMETERS_*,
 * 0: NO_CHANGE). */
struct vw_ndis_offload_params {
    uint8_t checksums[5];
    uint8_t lso4, lso6, rsc4, rsc6;
};
bool vw_ndis_set_offload_params(struct vm *vm, const struct vw_ndis_offload_params *o,
                                uint32_t *status);

/* The Toeplitz RSS hash of N input bytes under KEY (toeplitz.c); the input
 * as the hash type lists it: source then destination address, source then
 * destination port (network/rss-hashing-types). */
uint32_t vw_ndis_toeplitz(const uint8_t *key, unsigned key_len, const uint8_t *in, unsigned n);
