/*
 * nk_rxhdr tests: what the device says of a received frame, each way it
 * can be wrong, against a 60-byte frame: NEEDS_CSUM offsets at the last
 * field that fits and one byte past, with RSC_INFO; GSO types unknown, not
 * negotiated, gso_size 0, hdr_len past the frame, ECN without GUEST_ECN,
 * RSC_INFO on a frame not coalesced; flags the features do not allow
 * ignored; the used-length verdicts as drop reasons, each with a name.
 * The copy built with NK_PLANTED_RXHDR_CSUM (offsets believed) must fail.
 */
#include <string.h>

#include "../../nk_net.h"
#include "../../nk_rxhdr.h"
#include "nku.h"

#define F(bit) NK_BIT(bit)

/* The checksum offsets against the frame. */
static void test_csum_offsets(void)
{
    uint64_t f = F(VIRTIO_NET_F_GUEST_CSUM);
    struct nk_vnet_hdr vh = {
        .flags = VIRTIO_NET_HDR_F_NEEDS_CSUM, .csum_start = 34, .csum_offset = 6};
    check(nk_rx_hdr_check(&vh, 60, f) == NK_RXBAD_NONE, "rxhdr: UDP checksum at 40 of 60 taken");
    vh.csum_start = 52;
    check(nk_rx_hdr_check(&vh, 60, f) == NK_RXBAD_NONE,
          "rxhdr: NEEDS_CSUM field in the last two bytes taken");
    vh.csum_start = 53;
    check(nk_rx_hdr_check(&vh, 60, f) == NK_RXBAD_CSUM,
          "rxhdr: NEEDS_CSUM field one byte past the frame dropped");
    vh.csum_start = 0xFFFF;
    vh.csum_offset = 0xFFFF;
    check(nk_rx_hdr_check(&vh, 60, f) == NK_RXBAD_CSUM,
          "rxhdr: csum_start and csum_offset 0xFFFF dropped (no 16-bit wrap)");
    check(nk_rx_hdr_check(&vh, 60, 0) == NK_RXBAD_NONE,
          "rxhdr: NEEDS_CSUM without GUEST_CSUM ignored, not believed");
    vh = (struct nk_vnet_hdr){.flags = VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_RSC_INFO,
                              .gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
                              .gso_size = 1448,
                              .csum_start = 3,
                              .csum_offset = 0};
    check(nk_rx_hdr_check(&vh, 3000, f | F(VIRTIO_NET_F_GUEST_TSO4) | F(VIRTIO_NET_F_RSC_EXT)) ==
              NK_RXBAD_CSUM,
          "rxhdr: NEEDS_CSUM with RSC_INFO (the fields are counts) dropped");
}

/* The GSO fields against the features and the frame. */
static void test_gso(void)
{
    uint64_t f = F(VIRTIO_NET_F_GUEST_CSUM) | F(VIRTIO_NET_F_GUEST_TSO4) |
                 F(VIRTIO_NET_F_GUEST_TSO6) | F(VIRTIO_NET_F_RSC_EXT);
    struct nk_vnet_hdr vh = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4,
                             .gso_size = 1448,
                             .hdr_len = 54,
                             .flags = VIRTIO_NET_HDR_F_DATA_VALID};
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_NONE, "rxhdr: a coalesced TCPv4 frame taken");
    vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV6;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_NONE, "rxhdr: a coalesced TCPv6 frame taken");
    check(nk_rx_hdr_check(&vh, 9000, f & ~F(VIRTIO_NET_F_GUEST_TSO6)) == NK_RXBAD_GSO,
          "rxhdr: GSO_TCPV6 without GUEST_TSO6 dropped");
    vh.gso_type = VIRTIO_NET_HDR_GSO_UDP;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO,
          "rxhdr: GSO_UDP without GUEST_UFO dropped");
    vh.gso_type = VIRTIO_NET_HDR_GSO_UDP_L4;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO,
          "rxhdr: GSO_UDP_L4 (USO never negotiated) dropped");
    vh.gso_type = 2;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO, "rxhdr: GSO type 2 (unknown) dropped");
    vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4;
    vh.gso_size = 0;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO, "rxhdr: gso_size 0 dropped");
    vh.gso_size = 1448;
    vh.hdr_len = 9001;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO, "rxhdr: hdr_len past the frame dropped");
    vh.hdr_len = 54;
    vh.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN;
    check(nk_rx_hdr_check(&vh, 9000, f) == NK_RXBAD_GSO, "rxhdr: ECN without GUEST_ECN dropped");
    check(nk_rx_hdr_check(&vh, 9000, f | F(VIRTIO_NET_F_GUEST_ECN)) == NK_RXBAD_NONE,
          "rxhdr: ECN with GUEST_ECN taken");
    vh.gso_type = VIRTIO_NET_HDR_GSO_ECN;
    check(nk_rx_hdr_check(&vh, 9000, f | F(VIRTIO_NET_F_GUEST_ECN)) == NK_RXBAD_GSO,
          "rxhdr: the ECN bit on a frame not coalesced dropped");
    vh = (struct nk_vnet_hdr){.flags = VIRTIO_NET_HDR_F_RSC_INFO, .csum_start = 4};
    check(nk_rx_hdr_check(&vh, 1514, f) == NK_RXBAD_GSO,
          "rxhdr: RSC_INFO on a frame not coalesced dropped");
    check(nk_rx_hdr_check(&vh, 1514, f & ~F(VIRTIO_NET_F_RSC_EXT)) == NK_RXBAD_NONE,
          "rxhdr: RSC_INFO without RSC_EXT ignored");
    vh = (struct nk_vnet_hdr){.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448};
    check(nk_rx_hdr_check(&vh, 9000, 0) == NK_RXBAD_GSO,
          "rxhdr: GSO_TCPV4 with no guest offload negotiated dropped");
}

/* The used-length verdicts as drop reasons, every reason named. */
static void test_reasons(void)
{
    check(nk_rx_bad_from_used(NK_RXUSED_OK) == NK_RXBAD_NONE &&
              nk_rx_bad_from_used(NK_RXUSED_SHORT) == NK_RXBAD_SHORT &&
              nk_rx_bad_from_used(NK_RXUSED_TOO_LONG) == NK_RXBAD_LONG &&
              nk_rx_bad_from_used(NK_RXUSED_BAD_MERGE) == NK_RXBAD_MERGE,
          "rxhdr: used-length verdicts map to their reasons");
    bool named = strcmp(nk_rx_bad_name(NK_RXBAD_KINDS), "unknown") == 0;
    for (unsigned k = 0; k < NK_RXBAD_KINDS; k++)
        for (unsigned j = 0; j < k; j++)
            named = named && strcmp(nk_rx_bad_name(k), nk_rx_bad_name(j)) != 0;
    check(named, "rxhdr: every reason has a name of its own");
    /* The device's lengths through nk_rxbuf_check_used: MRG_RXBUF at MTU 1500 */
    struct nk_rxbuf_in in = {.mtu = 1500,
                             .mrg_rxbuf = true,
                             .ring_size = 256,
                             .indirect = true,
                             .capacity = 256,
                             .page_size = 4096,
                             .vnet_hdr_bytes = 12};
    struct nk_rxbuf_plan p;
    check(nk_rxbuf_plan(&in, &p) == NK_RXBUF_OK &&
              nk_rxbuf_check_used(&p, 11, 1, 8) == NK_RXUSED_SHORT &&
              nk_rxbuf_check_used(&p, p.buf_bytes + 1, 1, 8) == NK_RXUSED_TOO_LONG &&
              nk_rxbuf_check_used(&p, 100, 0, 8) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, 100, 9, 8) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, 100, p.max_merge + 1, 0xFFFF) == NK_RXUSED_BAD_MERGE &&
              nk_rxbuf_check_used(&p, p.buf_bytes, p.max_merge, p.max_merge) == NK_RXUSED_OK,
          "rxhdr: used length 11 / past the buffer, num_buffers 0, past posted, past MAX refused");
}

/* See the file comment. */
void test_rxhdr(void)
{
    test_csum_offsets();
    test_gso();
    test_reasons();
}
