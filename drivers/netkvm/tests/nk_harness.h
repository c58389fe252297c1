/*
 * Shared set-up of the NetKVM scenarios: a virtio-net PCI function
 * (devices/dev_net, the in-process net model; modern 1AF4:1041, MSI-X,
 * unless the options ask for a legacy or transitional one or the line)
 * with netkvm.sys loaded on it through the NDIS emulation
 * (port/ndis/ndis_port.h), frames sent by the emulation's protocol layer
 * and taken from the model's wire, frames injected on the wire and taken
 * from the emulation's receive indications.
 */
#pragma once
#include <stdio.h>
#include <string.h>
#include "dev_net.h"
#include "kernel.h"
#include "port/ndis/ndis_port.h"
#include "vw_ndis.h"
#include "scenario.h"

#define NK_F_EVENT_IDX   29
#define NK_F_INDIRECT    28
#define NK_F_RING_PACKED 34

struct nk_opts {
    bool mrg_rxbuf; /* offer VIRTIO_NET_F_MRG_RXBUF */
    bool packed;    /* offer the packed ring */
    uint16_t pairs; /* offer MQ with this many pairs (0, 1: no MQ) */
    uint16_t mtu;   /* offer VIRTIO_NET_F_MTU with this MTU (0: not offered) */
    /* Beyond the defaults (all zero: as above) */
    uint64_t add, drop;              /* device-specific feature bits offered besides / withheld */
    bool raw_pairs, raw_mtu;         /* MQ / MTU offered with PAIRS / MTU as given, 0 too */
    const uint8_t *mac;              /* the configuration's MAC (NULL: nk_mac) */
    uint16_t cpus;                   /* processors (0: the run's) */
    struct vw_net_shape shape;       /* ring size, MSI-X messages */
    const char *const *keywords;     /* advanced properties: name, value, ..., NULL */
    const char *image;               /* the image loaded (NULL: "netkvm"; "netkvm683": NDIS 6.83) */
    uint32_t speed;                  /* nonzero: the configuration's speed (Mbit/s) ... */
    uint8_t duplex;                  /* ... and duplex, with VIRTIO_NET_F_SPEED_DUPLEX */
    enum vmodel_transport transport; /* VMODEL_MODERN (0), _LEGACY (DEV_1000, no VERSION_1) or
                                        _TRANSITIONAL (both register files) */
    bool line;                       /* no MSI-X: the INTx line */
    bool no_indirect;                /* withhold VIRTIO_F_INDIRECT_DESC */
};

struct nk_rig {
    struct vw_net *net;
    bool loaded;
};

static const uint8_t nk_mac[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
static const uint8_t nk_peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};

/* A virtio-net function as O asks and netkvm loaded on it (DriverEntry
 * run; InitializeEx not yet). */
static inline bool nk_load(struct vm *vm, struct nk_rig *r, const struct nk_opts *o)
{
    struct vmodel_net_config nc;
    vmodel_net_default_config(&nc);
    memcpy(nc.mac, o->mac ? o->mac : nk_mac, 6);
    nc.features = 1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS |
                  1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_CTRL_RX;
    if (o->mrg_rxbuf)
        nc.features |= 1ull << VIRTIO_NET_F_MRG_RXBUF;
    if (o->pairs > 1 || o->raw_pairs) {
        nc.features |= 1ull << VIRTIO_NET_F_MQ;
        nc.max_virtqueue_pairs = o->pairs;
    }
    if (o->mtu != 0 || o->raw_mtu) {
        nc.features |= 1ull << VIRTIO_NET_F_MTU;
        nc.mtu = o->mtu;
    }
    if (o->speed != 0) {
        nc.features |= 1ull << VIRTIO_NET_F_SPEED_DUPLEX;
        nc.speed = o->speed;
        nc.duplex = o->duplex;
    }
    nc.features = (nc.features | o->add) & ~o->drop;
    nc.status = 1; /* VIRTIO_NET_S_LINK_UP */
    uint64_t ring = 1ull << NK_F_EVENT_IDX | (o->no_indirect ? 0 : 1ull << NK_F_INDIRECT) |
                    (o->packed ? 1ull << NK_F_RING_PACKED : 0);
    memset(r, 0, sizeof(*r));
    if (o->cpus != 0 && !vw_cpus_set(vm, o->cpus))
        return false;
    r->net = vw_net_create_shaped(vm, o->transport, !o->line, &nc, ring, &o->shape);
    if (r->net == NULL)
        return false;
    for (const char *const *k = o->keywords; k != NULL && k[0] != NULL && k[1] != NULL; k += 2)
        vw_ndis_keyword(vm, k[0], k[1]);
    vw_ndis_attach_pci(vm, r->net->dev->pdo);
    if (!vw_driver_load(vm, o->image != NULL ? o->image : "netkvm"))
        return false;
    r->loaded = true;
    return !vm->failed;
}

/* A virtio-net function as O asks, netkvm loaded, InitializeEx done and
 * the adapter restarted (Running). */
static inline bool nk_up(struct vm *vm, struct nk_rig *r, const struct nk_opts *o)
{
    return nk_load(vm, r, o) && vw_ndis_initialize(vm) && vw_ndis_restart(vm) && !vm->failed;
}

/* Pause, halt (the emulation's leak checks) and unload. */
static inline void nk_down(struct vm *vm, struct nk_rig *r)
{
    if (r->loaded && !vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
}

/* Pause and OID_PNP_SET_POWER D3 from Running, its status success
 * (network/oid-pnp-set-power); false when the run failed. */
static inline bool nk_to_d3(struct vm *vm)
{
    uint32_t status = 1;
    if (vm->failed || !vw_ndis_pause(vm) || !vw_ndis_set_power(vm, true, &status))
        return false;
    VW_EXPECT(vm, status == 0, "OID_PNP_SET_POWER D3: status 0x%08x", status);
    return !vm->failed;
}

/* OID_PNP_SET_POWER D0 from D3, its status success, and the restart;
 * false when the run failed. */
static inline bool nk_to_d0(struct vm *vm)
{
    uint32_t status = 1;
    if (vm->failed || !vw_ndis_set_power(vm, false, &status))
        return false;
    VW_EXPECT(vm, status == 0, "OID_PNP_SET_POWER D0: status 0x%08x", status);
    return !vm->failed && vw_ndis_restart(vm) && !vm->failed;
}

/* The end of a run: the device saw no virtio rule broken, then nk_down. */
static inline void nk_down_clean(struct vm *vm, struct nk_rig *r)
{
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rule_errors == 0, "model: %s", ms->last_rule);
    nk_down(vm, r);
}

/* The end of a run: the device saw no virtio rule broken, OID_GEN_STATISTICS
 * agrees with what the protocol sent and got (vw_ndis_check_statistics),
 * then nk_down. */
static inline void nk_down_counted(struct vm *vm, struct nk_rig *r)
{
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rule_errors == 0, "model: %s", ms->last_rule);
    vw_ndis_check_statistics(vm);
    nk_down(vm, r);
}

/* The protocol layer's counts at one moment, for the waits below to count from. */
struct nk_mark {
    unsigned completed; /* sends completed */
    unsigned indicated; /* NBLs indicated */
};

/* What was completed and indicated so far. */
static inline struct nk_mark nk_mark(struct vm *vm)
{
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    return (struct nk_mark){st.send_completed, st.indicated};
}

/* Lets devices, interrupts and DPCs run until N more NBLs than at M were
 * indicated, or 2 ms of virtual time (polled every 10 us); how many more. */
static inline unsigned nk_wait_indicated_since(struct vm *vm, struct nk_mark m, unsigned n)
{
    for (unsigned i = 0; i < 200 && !vm->failed; i++) {
        if (nk_mark(vm).indicated - m.indicated >= n)
            break;
        vw_run_for(vm, 100);
    }
    return nk_mark(vm).indicated - m.indicated;
}

/* Lets the device and the DPCs run until N more sends than at M completed,
 * or 2 ms of virtual time (polled every 10 us); how many more. */
static inline unsigned nk_wait_completed_since(struct vm *vm, struct nk_mark m, unsigned n)
{
    for (unsigned i = 0; i < 200 && !vm->failed; i++) {
        if (nk_mark(vm).completed - m.completed >= n)
            break;
        vw_run_for(vm, 100);
    }
    return nk_mark(vm).completed - m.completed;
}

/* A statistics OID queried into 8 bytes (a 4-byte answer widened); the
 * query must succeed. */
static inline uint64_t nk_query_u64(struct vm *vm, uint32_t oid)
{
    uint64_t v = 0;
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm, vw_ndis_oid(vm, false, oid, &v, 8, &status, &done) && status == 0,
              "query of OID 0x%08x: status 0x%08x", oid, status);
    if (done == 4)
        v &= 0xffffffffu;
    return v;
}

/* Driver debug lines (DbgPrint: "dbg") in the scenario log from byte FROM on. */
static inline unsigned nk_dbg_lines(const struct vm *vm, size_t from)
{
    unsigned c = 0;
    for (size_t i = from; vm->log != NULL && i + 3 < vm->log_len; i++)
        if ((i == 0 || vm->log[i - 1] == '\n') && memcmp(vm->log + i, "dbg", 3) == 0)
            c++;
    return c;
}

/* FNV-1a over N bytes at P: what vw_ndis_received_digest reports of a
 * received frame, for a scenario to compare with the frame it sent. */
static inline uint32_t nk_fnv(const uint8_t *p, unsigned n)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < n; i++)
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* Frame K of LEN bytes from SRC to DST, a local EtherType, a payload naming it. */
static inline void nk_frame(uint8_t *f, unsigned len, const uint8_t *dst, const uint8_t *src,
                            unsigned k)
{
    memcpy(f, dst, 6);
    memcpy(f + 6, src, 6);
    f[12] = 0x88, f[13] = 0xb5; /* IEEE 802 local experimental EtherType 1 */
    for (unsigned i = 14; i < len; i++)
        f[i] = (uint8_t)(k * 31 + i * 7);
}

#define NK_SEND_MAX 16
#define NK_LEN_MAX  1514

/* Frames K0..K0+N-1 (N <= NK_SEND_MAX) of LEN bytes to nk_peer, sent in one
 * call; frame k is built at BUF + k * LEN (the caller's copies). */
static inline void nk_send_frames(struct vm *vm, uint8_t *buf, unsigned len, unsigned k0,
                                  unsigned n)
{
    const uint8_t *all[NK_SEND_MAX];
    unsigned lens[NK_SEND_MAX];
    for (unsigned k = 0; k < n && k < NK_SEND_MAX; k++) {
        nk_frame(buf + k * len, len, nk_peer, nk_mac, k0 + k);
        all[k] = buf + k * len;
        lens[k] = len;
    }
    vw_ndis_send(vm, all, lens, n < NK_SEND_MAX ? n : NK_SEND_MAX);
}

/* Frame F of LEN bytes sent alone (with INFO's per-NBL information, or
 * none when INFO is NULL) and its completion awaited: whether both
 * happened (a failure names the send WHAT). */
static inline bool nk_send_one_done(struct vm *vm, const uint8_t *f, unsigned len,
                                    const struct vw_ndis_tx_info *info, const char *what)
{
    const uint8_t *frames[1] = {f};
    struct nk_mark m = nk_mark(vm);
    bool sent = info != NULL ? vw_ndis_send_info(vm, frames, &len, info, 1)
                             : vw_ndis_send(vm, frames, &len, 1);
    VW_EXPECT(vm, sent, "%s was not made", what);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "%s did not complete", what);
    return !vm->failed;
}

/* nk_send_one_done, then the frame taken off the wire into W: whether all
 * happened (a failure says which did not). */
static inline bool nk_send_one_taken(struct vm *vm, struct nk_rig *r, const uint8_t *f,
                                     unsigned len, const struct vw_ndis_tx_info *info,
                                     struct vmodel_net_frame *w)
{
    if (!nk_send_one_done(vm, f, len, info, "the send"))
        return false;
    VW_EXPECT(vm, vmodel_net_wire_take(r->net->model, w), "nothing on the wire");
    return !vm->failed;
}

/* Frame F of LEN bytes sent alone without per-NBL information: it
 * completes and the wire gets it byte for byte (a failure says which did
 * not); whether it did. */
static inline bool nk_send_one_intact(struct vm *vm, struct nk_rig *r, const uint8_t *f,
                                      unsigned len)
{
    struct vmodel_net_frame w;
    if (!nk_send_one_taken(vm, r, f, len, NULL, &w))
        return false;
    VW_EXPECT(vm, w.len == len && memcmp(w.data, f, len) == 0,
              "the %u-byte frame sent is not on the wire as sent (%u bytes)", len, w.len);
    return !vm->failed;
}

/* Is wire frame W frame F of LEN bytes with an 802.1Q tag (TPID 0x8100,
 * TCI) inserted after the addresses, the rest unchanged? */
static inline bool nk_is_tagged(const struct vmodel_net_frame *w, const uint8_t *f, unsigned len,
                                uint16_t tci)
{
    return w->len == len + 4 && memcmp(w->data, f, 12) == 0 && w->data[12] == 0x81 &&
           w->data[13] == 0x00 && (unsigned)(w->data[14] << 8 | w->data[15]) == tci &&
           memcmp(w->data + 16, f + 12, len - 12) == 0;
}

/* Frames K0..K0+N-1 of LEN bytes (<= NK_LEN_MAX) for the adapter injected on the wire. */
static inline void nk_inject_frames(struct vm *vm, struct nk_rig *r, unsigned len, unsigned k0,
                                    unsigned n)
{
    uint8_t f[NK_LEN_MAX];
    for (unsigned k = 0; k < n && !vm->failed; k++) {
        nk_frame(f, len, nk_mac, nk_peer, k0 + k);
        VW_EXPECT(vm, vmodel_net_wire_inject(r->net->model, f, len, NULL) >= 0,
                  "the model dropped frame %u", k0 + k);
    }
}

#define NK_KEPT_MAX 9216 /* the longest indicated frame the protocol keeps a copy of */

/* Indications FIRST..FIRST+N-1 are frames K0..K0+N-1 of LEN bytes as
 * nk_inject_frames built them, in order, byte for byte (WHAT names the
 * check in a failure). */
static inline void nk_expect_received(struct vm *vm, unsigned first, unsigned len, unsigned k0,
                                      unsigned n, const char *what)
{
    static uint8_t got[NK_KEPT_MAX + 64], want[NK_KEPT_MAX];
    VW_EXPECT(vm, len <= NK_KEPT_MAX, "harness: %u-byte frames are not kept", len);
    for (unsigned i = 0; i < n && !vm->failed; i++) {
        nk_frame(want, len, nk_mac, nk_peer, k0 + i);
        VW_EXPECT(vm,
                  vw_ndis_received(vm, first + i, got, sizeof(got)) == len &&
                      memcmp(got, want, len) == 0,
                  "%s: indication %u is not frame %u", what, first + i, k0 + i);
    }
}

/* The wire holds exactly frames K0..K0+N-1 of LEN bytes as nk_send_frames
 * built them, byte for byte. */
static inline void nk_expect_wire(struct vm *vm, struct nk_rig *r, unsigned len, unsigned k0,
                                  unsigned n)
{
    struct vmodel_net_frame w;
    uint8_t want[NK_LEN_MAX];
    unsigned got = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        nk_frame(want, len, nk_peer, nk_mac, k0 + got);
        VW_EXPECT(vm, w.len == len && memcmp(w.data, want, len) == 0,
                  "wire frame %u is not frame %u as sent", got, k0 + got);
        got++;
    }
    VW_EXPECT(vm, got == n, "%u frames on the wire, %u sent", got, n);
}

/* Injects one frame of LEN bytes (<= NK_LEN_MAX) per destination in DSTS
 * (frame k0 + i to DSTS[i], from nk_peer, in order), then lets 1 ms more
 * pass for an unwanted one: exactly those whose bit is set in WANT are
 * indicated, in order, byte for byte; the protocol then returns them all. */
static inline void nk_expect_delivery(struct vm *vm, struct nk_rig *r, const uint8_t *const *dsts,
                                      unsigned n, unsigned want, unsigned len, unsigned k0,
                                      const char *what)
{
    static uint8_t f[NK_LEN_MAX], buf[NK_LEN_MAX + 64];
    struct nk_mark m = nk_mark(vm);
    unsigned expect = 0;
    for (unsigned i = 0; i < n && !vm->failed; i++) {
        nk_frame(f, len, dsts[i], nk_peer, k0 + i);
        vmodel_net_wire_inject(r->net->model, f, len, NULL);
        expect += want >> i & 1;
    }
    nk_wait_indicated_since(vm, m, expect);
    for (int i = 0; i < 10 && !vm->failed; i++)
        vw_run_for(vm, 100); /* room for an unwanted one */
    unsigned got = nk_mark(vm).indicated - m.indicated;
    VW_EXPECT(vm, got == expect, "%s: %u frames indicated, %u expected", what, got, expect);
    for (unsigned i = 0, k = 0; i < n && got == expect && !vm->failed; i++) {
        if (!(want >> i & 1))
            continue;
        nk_frame(f, len, dsts[i], nk_peer, k0 + i);
        unsigned l = vw_ndis_received(vm, m.indicated + k++, buf, sizeof(buf));
        VW_EXPECT(vm, l == len && memcmp(buf, f, len) == 0,
                  "%s: indication %u is not the frame to destination %u", what, k - 1, i);
    }
    vw_ndis_return_all(vm);
}

/* Does the run's log hold S? */
static inline bool nk_logged(const struct vm *vm, const char *s)
{
    return vm->log != NULL && strstr(vm->log, s) != NULL;
}

/* Lines of the run's log holding S. */
static inline unsigned nk_lines_with(const struct vm *vm, const char *s)
{
    unsigned n = 0;
    for (const char *p = vm->log; p != NULL && (p = strstr(p, s)) != NULL; p++)
        n++;
    return n;
}

/* netkvm up with the keywords KW, 8 frames of 100 bytes each way and a
 * packet filter change (a control command): how many driver lines (ALL)
 * and how many control command lines (CTRL) the run logged. */
static inline void nk_logging_run(struct vm *vm, const char *const *kw, unsigned *all,
                                  unsigned *ctrl)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .keywords = kw};
    *all = *ctrl = 0;
    if (!nk_up(vm, &r, &o))
        return;
    static uint8_t buf[NK_SEND_MAX * 100];
    struct nk_mark m = nk_mark(vm);
    nk_inject_frames(vm, &r, 100, 0, 8);
    nk_send_frames(vm, buf, 100, 0, 8);
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 8) == 8, "8 frames not indicated");
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 8) == 8, "8 sends not completed");
    vw_ndis_return_all(vm);
    uint32_t status = 1, done = 0, filter = VW_NDIS_PACKET_TYPE_DIRECTED;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &status, &done) &&
                  status == 0,
              "packet filter: 0x%08x", status);
    nk_down(vm, &r);
    *all = nk_lines_with(vm, "dbg: netkvm:");
    *ctrl = nk_lines_with(vm, "netkvm: control command");
    vw_log(vm, "netkvm %s %s: %u driver lines, %u control command lines", kw ? kw[0] : "defaults",
           kw ? kw[1] : "", *all, *ctrl);
}
