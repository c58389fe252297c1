/*
 * fuzz_rxhdr.c - the receive side's fuzz body: whatever the device says of
 * a frame.  Input = a 20-byte virtio_net_hdr as the device wrote it, byte
 * 20 the features negotiated (GUEST_CSUM, GUEST_TSO4/6, GUEST_UFO,
 * GUEST_ECN, RSC_EXT, MRG_RXBUF: one bit each), bytes 21-22 the used length
 * of the first buffer, byte 23 the buffers still posted, then the frame.
 * Oracles: a used length and num_buffers nk_rxbuf_check_used accepts lie
 * within the plan and what is posted; a header nk_rx_hdr_check accepts has
 * its checksum field and GSO header length inside the frame, and the
 * driver's next steps (completing the checksum, parsing, the checksum
 * verdicts, the RSC count) then stay inside the exactly sized frame (ASan).
 */
#include <stdlib.h>
#include <string.h>

#include "../../nk_net.h"
#include "../../nk_rxbuf.h"
#include "../../nk_rxhdr.h"
#include "nk_fuzz.h"

#define FUZZ_ASSERT(c)                                                                             \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

/* Byte 20's bits: the features they stand for. */
static uint64_t fuzz_features(uint8_t b)
{
    static const unsigned bit[7] = {VIRTIO_NET_F_GUEST_CSUM, VIRTIO_NET_F_GUEST_TSO4,
                                    VIRTIO_NET_F_GUEST_TSO6, VIRTIO_NET_F_GUEST_UFO,
                                    VIRTIO_NET_F_GUEST_ECN,  VIRTIO_NET_F_RSC_EXT,
                                    VIRTIO_NET_F_MRG_RXBUF};
    uint64_t f = 0;
    for (unsigned i = 0; i < 7; i++)
        if (b >> i & 1)
            f |= NK_BIT(bit[i]);
    return f;
}

/* Runs one input through the used-length, num_buffers and header checks. */
int nk_fuzz_rxhdr(const uint8_t *data, size_t size)
{
    if (size < 24)
        return 0;
    uint64_t features = fuzz_features(data[20]);
    bool mrg = (features & NK_BIT(VIRTIO_NET_F_MRG_RXBUF)) != 0;
    struct nk_rxbuf_in in = {.mtu = 1500,
                             .mrg_rxbuf = mrg,
                             .big_packets = (features & NK_BIT(VIRTIO_NET_F_GUEST_TSO4)) != 0,
                             .ring_size = 256,
                             .indirect = true,
                             .capacity = 256,
                             .page_size = 4096,
                             .vnet_hdr_bytes = mrg ? 12 : 10};
    struct nk_rxbuf_plan plan;
    FUZZ_ASSERT(nk_rxbuf_plan(&in, &plan) == NK_RXBUF_OK);
    struct nk_vnet_hdr vh;
    nk_vnet_hdr_get(&vh, data, (data[23] & 0x80) ? 20 : in.vnet_hdr_bytes);
    uint32_t used = (uint32_t)data[21] | (uint32_t)data[22] << 8, posted = data[23] & 0x7F;
    uint32_t nbuf = mrg ? vh.num_buffers : 1;
    int u = nk_rxbuf_check_used(&plan, used, nbuf, posted);
    if (u == NK_RXUSED_OK)
        FUZZ_ASSERT(used >= plan.hdr_bytes && used <= plan.buf_bytes && nbuf >= 1 &&
                    nbuf <= posted && nbuf <= plan.max_merge);
    FUZZ_ASSERT(nk_rx_bad_name(nk_rx_bad_from_used(u)) != NULL);
    size_t len = size - 24;
    uint8_t *frame = malloc(len ? len : 1); /* exactly sized: ASan sees over-reads */
    memcpy(frame, data + 24, len);
    enum nk_rx_bad bad = nk_rx_hdr_check(&vh, (uint32_t)len, features);
    FUZZ_ASSERT(bad < NK_RXBAD_KINDS);
    if (bad == NK_RXBAD_NONE) {
        bool csum = (features & NK_BIT(VIRTIO_NET_F_GUEST_CSUM)) &&
                    (vh.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM);
        if (csum) {
            FUZZ_ASSERT((size_t)vh.csum_start + vh.csum_offset + 2u <= len);
            nk_csum_complete(frame, len, vh.csum_start, vh.csum_offset);
        }
        if (vh.gso_type != VIRTIO_NET_HDR_GSO_NONE)
            FUZZ_ASSERT(vh.gso_size != 0 && vh.hdr_len <= len);
        struct nk_seg seg = {frame, len};
        struct nk_view v;
        struct nk_pkt pkt;
        struct nk_rx_csum r;
        uint16_t segs, dup;
        nk_view_init(&v, &seg, 1);
        nk_parse(&v, &pkt);
        nk_rx_csum(&v, &pkt, &vh, true, &r);
        nk_rx_rsc(&vh, &segs, &dup);
    }
    free(frame);
    return 0;
}
