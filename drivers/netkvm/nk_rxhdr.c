/*
 * nk_rxhdr.c - a received frame's virtio_net_hdr checked against the frame
 * and the negotiated features (nk_rxhdr.h); the drop reasons' names.
 */
#include "nk_rxhdr.h"
#include "nk_net.h"
#include "nk_rxbuf.h"

/* IRQL: any. is the GSO type (ECN bit apart) one the features let the device send? */
static int gso_type_ok(uint8_t type, uint64_t features)
{
    switch (type) {
    case VIRTIO_NET_HDR_GSO_TCPV4:
        return (features & NK_BIT(VIRTIO_NET_F_GUEST_TSO4)) != 0;
    case VIRTIO_NET_HDR_GSO_TCPV6:
        return (features & NK_BIT(VIRTIO_NET_F_GUEST_TSO6)) != 0;
    case VIRTIO_NET_HDR_GSO_UDP:
        return (features & NK_BIT(VIRTIO_NET_F_GUEST_UFO)) != 0;
    default: /* UDP_L4 needs GUEST_USO4/6, which NetKVM never acknowledges */
        return 0;
    }
}

/* IRQL: any. see nk_rxhdr.h. */
enum nk_rx_bad nk_rx_hdr_check(const struct nk_vnet_hdr *vh, uint32_t frame_len, uint64_t features)
{
    uint8_t flags = vh->flags;
    /* Flags the device may not set count for nothing (rx_offload.c masks
     * them too): NEEDS_CSUM / DATA_VALID need GUEST_CSUM, RSC_INFO RSC_EXT */
    if (!(features & NK_BIT(VIRTIO_NET_F_GUEST_CSUM)))
        flags &= (uint8_t)~(VIRTIO_NET_HDR_F_NEEDS_CSUM | VIRTIO_NET_HDR_F_DATA_VALID);
    if (!(features & NK_BIT(VIRTIO_NET_F_RSC_EXT)))
        flags &= (uint8_t)~VIRTIO_NET_HDR_F_RSC_INFO;
    if (flags & VIRTIO_NET_HDR_F_NEEDS_CSUM) {
#ifndef NK_PLANTED_RXHDR_CSUM
        /* The 2-byte field at csum_start + csum_offset inside the frame;
         * with RSC_INFO the two fields are counts, not offsets */
        if ((flags & VIRTIO_NET_HDR_F_RSC_INFO) ||
            (uint32_t)vh->csum_start + vh->csum_offset + 2u > frame_len)
            return NK_RXBAD_CSUM;
#endif
    }
    uint8_t type = vh->gso_type & (uint8_t)~VIRTIO_NET_HDR_GSO_ECN;
    if (type == VIRTIO_NET_HDR_GSO_NONE) {
        /* ECN alone, or a coalesced-frame count on a frame not coalesced */
        if (vh->gso_type != VIRTIO_NET_HDR_GSO_NONE || (flags & VIRTIO_NET_HDR_F_RSC_INFO))
            return NK_RXBAD_GSO;
        return NK_RXBAD_NONE;
    }
    if (!gso_type_ok(type, features) || vh->gso_size == 0 || vh->hdr_len > frame_len)
        return NK_RXBAD_GSO;
    if ((vh->gso_type & VIRTIO_NET_HDR_GSO_ECN) && !(features & NK_BIT(VIRTIO_NET_F_GUEST_ECN)))
        return NK_RXBAD_GSO;
    return NK_RXBAD_NONE;
}

/* IRQL: any. see nk_rxhdr.h. */
enum nk_rx_bad nk_rx_bad_from_used(int used_verdict)
{
    switch (used_verdict) {
    case NK_RXUSED_OK:
        return NK_RXBAD_NONE;
    case NK_RXUSED_SHORT:
        return NK_RXBAD_SHORT;
    case NK_RXUSED_TOO_LONG:
        return NK_RXBAD_LONG;
    default:
        return NK_RXBAD_MERGE;
    }
}

/* IRQL: any. see nk_rxhdr.h. */
const char *nk_rx_bad_name(enum nk_rx_bad bad)
{
    static const char *const names[NK_RXBAD_KINDS] = {
        "none",
        "used length shorter than the header",
        "used length past the posted buffer",
        "num_buffers not what was posted",
        "frame length out of range",
        "checksum offsets past the frame",
        "GSO fields not negotiated or nonsense",
    };
    return (unsigned)bad < NK_RXBAD_KINDS ? names[bad] : "unknown";
}
