/*
 * fuzz_csum.c - the nk_csum/nk_rss fuzz body: input = 3 control bytes and
 * a frame.  Byte 0 picks the piece size the frame is split into, byte 1 the
 * TX offloads asked for, byte 2 the MSS.  Oracles: whatever the frame
 * says, parsed offsets stay inside the frame, a TX plan's patches stay
 * inside its header copy, and RSS lookups stay inside the map.  ASan and
 * UBSan catch the rest; an oracle failure traps.
 */
#include <stdlib.h>
#include <string.h>

#include "../../nk_csum.h"
#include "../../nk_rss.h"
#include "nk_fuzz.h"

#define FUZZ_ASSERT(c)                                                                             \
    do {                                                                                           \
        if (!(c))                                                                                  \
            __builtin_trap();                                                                      \
    } while (0)

/* Runs one input through the parser, the TX planner, the RX verdicts and RSS. */
int nk_fuzz_csum(const uint8_t *data, size_t size)
{
    static const uint8_t key[NK_RSS_KEY_BYTES] = {0x6d, 0x5a, 0x56, 0xda, 0x25, 0x5b, 0x0e, 0xc2};
    struct nk_seg segs[256];
    struct nk_view v;
    struct nk_pkt pkt;
    if (size < 3)
        return 0;
    size_t piece = 1 + data[0] % 64, len = size - 3, n = 0;
    uint8_t *frame = malloc(len ? len : 1); /* exactly sized: ASan sees over-reads */
    memcpy(frame, data + 3, len);
    for (size_t off = 0; off < len && n < 256; off += piece, n++) {
        segs[n].p = frame + off;
        segs[n].len = n == 255 || len - off < piece ? len - off : piece;
    }
    nk_view_init(&v, segs, n);
    enum nk_parse_status st = nk_parse(&v, &pkt);
    if (st == NK_PARSE_OK && pkt.l3 != NK_L3_NONE) {
        FUZZ_ASSERT(pkt.l3_end <= len && pkt.l3_off + pkt.l3_hlen <= pkt.l3_end);
        if (pkt.l4 == NK_L4_TCP || pkt.l4 == NK_L4_UDP)
            FUZZ_ASSERT(pkt.l4_off + pkt.l4_hlen <= pkt.l3_end);
    }
    struct nk_tx_request req = {
        .ip4_csum = data[1] & 1,
        .tcp_csum = data[1] & 2,
        .udp_csum = data[1] & 4,
        .lso_mss = data[1] & 8 ? 1u + data[2] * 16u : 0,
        .uso_mss = data[1] & 16 ? 1u + data[2] * 8u : 0,
        .l4_off_hint = data[1] & 32 ? pkt.l4_off : 0,
    };
    struct nk_tx_plan plan;
    if (nk_tx_prepare(&v, &pkt, &req, &plan) == NK_TX_OK && plan.hdr_copy) {
        FUZZ_ASSERT(plan.hdr_copy <= len && plan.npatch <= NK_TX_MAX_PATCH);
        uint8_t *hdr = malloc(plan.hdr_copy);
        FUZZ_ASSERT(nk_view_copy(&v, 0, hdr, plan.hdr_copy));
        for (unsigned i = 0; i < plan.npatch; i++)
            FUZZ_ASSERT(plan.patch[i].off + 2u <= plan.hdr_copy);
        nk_tx_apply(&plan, hdr, plan.hdr_copy);
        free(hdr);
        if (plan.vhdr.flags & VIRTIO_NET_HDR_F_NEEDS_CSUM)
            FUZZ_ASSERT(plan.vhdr.csum_start + plan.vhdr.csum_offset + 2u <= len);
    }
    struct nk_vnet_hdr vh = {.flags = data[1] >> 6};
    struct nk_rx_csum rx;
    nk_rx_csum(&v, &pkt, &vh, true, &rx);
    struct nk_rss_map m;
    uint16_t cpus[8] = {0, 1, 2, 3, 64, 65, 66, 67};
    uint32_t type;
    if (nk_rss_configure(&m, 0x1FF01u, key, sizeof(key), cpus, 8, (uint16_t)(1 + data[2] % 8)) ==
        NK_RSS_OK) {
        uint32_t h = nk_rss_hash_pkt(&m, &pkt, &type);
        FUZZ_ASSERT(nk_rss_queue(&m, h) < m.nqueues);
    }
    free(frame);
    return 0;
}
