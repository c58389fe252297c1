/*
 * Helpers of NetKVM's offload and RSS scenarios (offload_csum.c, ndis683.c,
 * offload_lso.c, rss.c, vlan.c).  The device offers every offload the model
 * has; what NDIS requires of the miniport is checked by the emulation
 * (port/ndis/checksum.c, lso.c, vlan.c, rss.c), what reaches the wire by
 * the model and here.
 */
#pragma once
#include "nk_harness.h"
#include "port/ndis/frame.h"
#include "vw_ndis.h"

/* Device offloads: checksums both ways, TSO both ways for both versions,
 * the guest-offloads control, VLAN filtering. */
#define NKOFF_FEATURES                                                                             \
    (1ull << VIRTIO_NET_F_CSUM | 1ull << VIRTIO_NET_F_GUEST_CSUM |                                 \
     1ull << VIRTIO_NET_F_CTRL_GUEST_OFFLOADS | 1ull << VIRTIO_NET_F_HOST_TSO4 |                   \
     1ull << VIRTIO_NET_F_HOST_TSO6 | 1ull << VIRTIO_NET_F_GUEST_TSO4 |                            \
     1ull << VIRTIO_NET_F_GUEST_TSO6 | 1ull << VIRTIO_NET_F_CTRL_VLAN)

/* IMAGE (NULL: netkvm; "netkvm683": the NDIS 6.83 build) up on a device
 * offering NKOFF_FEATURES and EXTRA, PAIRS queue pairs on CPUS processors
 * (0: the run's). */
static inline bool nkoff_up_image(struct vm *vm, struct nk_rig *r, const char *image,
                                  uint64_t extra, uint16_t pairs, uint16_t cpus,
                                  const char *const *keywords)
{
    struct nk_opts o = {.mrg_rxbuf = true,
                        .pairs = pairs,
                        .cpus = cpus,
                        .add = NKOFF_FEATURES | extra,
                        .keywords = keywords,
                        .image = image};
    return nk_up(vm, r, &o);
}

/* netkvm up as nkoff_up_image says. */
static inline bool nkoff_up(struct vm *vm, struct nk_rig *r, uint64_t extra, uint16_t pairs,
                            uint16_t cpus, const char *const *keywords)
{
    return nkoff_up_image(vm, r, NULL, extra, pairs, cpus, keywords);
}

/* Every offload the stack can ask for on: checksums both ways for TCP and
 * UDP over both versions and the IPv4 header, LSOv2 for both, RSC when RSC. */
static inline bool nkoff_enable(struct vm *vm, bool rsc)
{
    struct vw_ndis_offload_params p = {
        .checksums = {4, 4, 4, 4, 4}, /* NDIS_OFFLOAD_PARAMETERS_TX_RX_ENABLED */
        .lso4 = VW_NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        .lso6 = VW_NDIS_OFFLOAD_PARAMETERS_LSOV2_ENABLED,
        .rsc4 = rsc ? VW_NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED : 0,
        .rsc6 = rsc ? VW_NDIS_OFFLOAD_PARAMETERS_RSC_ENABLED : 0};
    uint32_t status = 1;
    if (!vw_ndis_set_offload_params(vm, &p, &status))
        return false;
    VW_EXPECT(vm, status == VW_NDIS_STATUS_SUCCESS,
              "offloads on: OID_TCP_OFFLOAD_PARAMETERS 0x%08x", status);
    return !vm->failed;
}

/* The Transmit checksum word for a packet of ndis_frame_build. */
static inline uint32_t nkoff_tx_csum(int ipv, uint8_t proto)
{
    uint32_t v = ipv == 4 ? VW_CSUM_TX_IS_IPV4 | VW_CSUM_TX_IP : VW_CSUM_TX_IS_IPV6;
    return v | (proto == 6 ? VW_CSUM_TX_TCP | (uint32_t)(14 + (ipv == 4 ? 20 : 40)) << 16
                           : VW_CSUM_TX_UDP);
}

/* Is W tagged TCI (802.1Q, after the addresses)?  UNTAGGED (room for
 * W's length) gets W without the tag, *LEN its length. */
static inline bool nkoff_untag(const struct vmodel_net_frame *w, uint16_t tci, uint8_t *untagged,
                               unsigned *len)
{
    if (w->len < 18 || w->data[12] != 0x81 || w->data[13] != 0x00 ||
        (unsigned)(w->data[14] << 8 | w->data[15]) != tci)
        return false;
    memcpy(untagged, w->data, 12);
    memcpy(untagged + 12, w->data + 16, w->len - 16);
    *len = w->len - 4;
    return true;
}

/* Takes the wire's frames as the segments of the LSO send F over IPV
 * (headers of HL bytes, MSS), each tagged TCI unless TCI is 0: each, its
 * tag taken off, at most 1514 bytes and MSS payload bytes with right
 * checksums (the IPv4 header's too), carrying the send's next payload
 * bytes; *AT gets how many they carried; their count. */
static inline unsigned nkoff_take_segments(struct vm *vm, struct nk_rig *r, const uint8_t *f,
                                           int ipv, unsigned hl, unsigned mss, uint16_t tci,
                                           unsigned *at)
{
    static uint8_t u[1600];
    struct vmodel_net_frame w;
    unsigned n = 0;
    *at = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        const uint8_t *d = w.data;
        unsigned len = w.len;
        bool tagged = tci == 0 || (w.len <= sizeof(u) + 4 && nkoff_untag(&w, tci, u, &len));
        if (tci != 0)
            d = u;
        struct ndis_frame p;
        unsigned seg = tagged && len > hl ? len - hl : 0;
        VW_EXPECT(vm,
                  tagged && len <= 1514 && seg <= mss && ndis_frame_parse(d, len, &p) &&
                      ndis_frame_l4_csum_ok(d, &p) && (ipv == 6 || ndis_frame_ip_csum_ok(d, &p)) &&
                      memcmp(d + hl, f + hl + *at, seg) == 0,
                  "segment %u (%u bytes%s) is not the send's next MSS%s with right checksums", n,
                  w.len, tci != 0 && !tagged ? ", not tagged" : "", tci != 0 ? ", tagged," : "");
        *at += seg, n++;
    }
    return n;
}

/* Four IPV/PROTO packets of PAYLOAD[i] bytes (source ports SPORT + i) sent
 * in one call with their checksums asked: all four complete and reach the
 * wire in order with right checksums (the IPv4 header's too), the model
 * completed at least four and saw no rule broken. */
static inline void nkoff_tx_checked(struct vm *vm, struct nk_rig *r, int ipv, uint8_t proto,
                                    const unsigned payload[4], uint16_t sport)
{
    static uint8_t f[4][1514];
    unsigned lens[4];
    const uint8_t *frames[4];
    struct vw_ndis_tx_info info[4] = {{0}};
    for (unsigned i = 0; i < 4; i++) {
        lens[i] = ndis_frame_build(f[i], ipv, proto, payload[i], (uint16_t)(sport + i), nk_peer,
                                   nk_mac, true);
        frames[i] = f[i];
        info[i].csum = nkoff_tx_csum(ipv, proto);
    }
    struct nk_mark m = nk_mark(vm);
    if (!vw_ndis_send_info(vm, frames, lens, info, 4))
        return;
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 4) == 4, "sends not completed");
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        struct ndis_frame p;
        VW_EXPECT(vm,
                  n < 4 && w.len == lens[n] && ndis_frame_parse(w.data, w.len, &p) &&
                      ndis_frame_l4_csum_ok(w.data, &p) &&
                      (ipv == 6 || ndis_frame_ip_csum_ok(w.data, &p)),
                  "wire frame %u (%u bytes): checksums not completed", n, w.len);
        n++;
    }
    VW_EXPECT(vm, n == 4, "%u of 4 frames on the wire", n);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, ms->rule_errors == 0 && ms->tx_csum >= 4, "model: %s (tx_csum %llu)",
              ms->last_rule, (unsigned long long)ms->tx_csum);
}
