/*
 * test_rsc.c - nk_rsc: a coalesced received frame as NDIS_RSC_NBL_INFO and
 * OID_TCP_RSC_STATISTICS count it: the device's segment count (RSC_EXT,
 * RSC_INFO) or the TCP payload in gso_size pieces, and the TCP payload
 * octets (the IP datagram less the IP and TCP headers, options included,
 * never the pad after the datagram).  Frames built by nku_build, payload
 * sizes written by hand.  The copy built with NK_PLANTED_RSC_OCTETS_HDR
 * (the TCP header counted as payload) must fail.
 */
#include "../../nk_rsc.h"
#include "nku.h"

/* A parsed TCP frame of PAYLOAD bytes (IPv6 when V6) with TCP_OPTS option bytes and PAD after. */
static void frame(bool v6, uint16_t payload, uint8_t tcp_opts, uint16_t pad, uint8_t *buf,
                  size_t cap, struct nk_pkt *p)
{
    struct nku_frame_spec s = {.v6 = v6,
                               .proto = 6,
                               .sport = 40000,
                               .dport = 80,
                               .payload = payload,
                               .tcp_opts = tcp_opts,
                               .pad = pad,
                               .good_csums = true};
    for (int i = 0; i < 16; i++)
        s.src[i] = (uint8_t)(0x10 + i), s.dst[i] = (uint8_t)(0x90 + i);
    struct nk_seg seg;
    struct nk_view v;
    size_t n = nku_build(&s, buf, cap);
    seg.p = buf;
    seg.len = n;
    nk_view_init(&v, &seg, 1);
    nk_parse(&v, p);
}

/* See the file comment. */
void test_rsc(void)
{
    static uint8_t f[16384];
    struct nk_pkt p;
    struct nk_rsc_unit u;
    struct nk_vnet_hdr vh = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4, .gso_size = 1448};

    frame(false, 5 * 1448, 12, 0, f, sizeof(f), &p);
    bool ok = nk_rsc_unit(&p, &vh, false, true, true, &u);
    check(ok && u.segs == 5 && u.payload == 5 * 1448 && u.dup_acks == 0,
          "rsc: IPv4, no RSC_EXT: 7240 payload bytes behind 12 option bytes in 1448 pieces: 5 "
          "segments, 7240 octets (%u, %u)",
          u.segs, u.payload);
    frame(false, 5 * 1448 + 1, 0, 6, f, sizeof(f), &p);
    ok = nk_rsc_unit(&p, &vh, false, true, true, &u);
    check(ok && u.segs == 6 && u.payload == 5 * 1448 + 1,
          "rsc: one byte more, 6 bytes of pad after the datagram: 6 segments, 7241 octets (%u, %u)",
          u.segs, u.payload);

    struct nk_vnet_hdr ext = {.flags = VIRTIO_NET_HDR_F_RSC_INFO,
                              .gso_type = VIRTIO_NET_HDR_GSO_TCPV6,
                              .gso_size = 1000,
                              .csum_start = 9,
                              .csum_offset = 2};
    frame(true, 3000, 0, 0, f, sizeof(f), &p);
    ok = nk_rsc_unit(&p, &ext, true, true, true, &u);
    check(ok && u.segs == 9 && u.dup_acks == 2 && u.payload == 3000,
          "rsc: IPv6 with RSC_EXT: the device's 9 segments and 2 dup ACKs, 3000 octets (%u, %u, "
          "%u)",
          u.segs, u.dup_acks, u.payload);
    ext.csum_start = 0;
    check(!nk_rsc_unit(&p, &ext, true, true, true, &u) && u.segs == 0,
          "rsc: RSC_INFO with 0 segments is no coalesced unit");

    frame(false, 2896, 0, 0, f, sizeof(f), &p);
    check(!nk_rsc_unit(&p, &vh, false, false, true, &u),
          "rsc: IPv4 frame with RSC IPv4 off: not counted");
    struct nk_vnet_hdr v6hdr = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV6, .gso_size = 1448};
    check(!nk_rsc_unit(&p, &v6hdr, false, true, true, &u),
          "rsc: GSO TCPV6 on an IPv4 frame: not counted");
    struct nk_vnet_hdr none = {.gso_type = VIRTIO_NET_HDR_GSO_NONE};
    check(!nk_rsc_unit(&p, &none, false, true, true, &u), "rsc: no GSO type: not counted");
    struct nk_vnet_hdr ecn = {.gso_type = VIRTIO_NET_HDR_GSO_TCPV4 | VIRTIO_NET_HDR_GSO_ECN,
                              .gso_size = 1448};
    check(nk_rsc_unit(&p, &ecn, false, true, true, &u) && u.segs == 2 && u.payload == 2896,
          "rsc: GSO TCPV4 with the ECN bit: 2 segments, 2896 octets");
    frame(false, 0, 0, 0, f, sizeof(f), &p);
    check(!nk_rsc_unit(&p, &vh, false, true, true, &u), "rsc: no payload: no coalesced unit");
}
