/*
 * nk_ctrl.c - the control-queue commands (spec 5.1.6.5) as bytes: class,
 * command and data, which the miniport sends as one device-readable
 * segment followed by the device-writable ack byte.
 */
#include "nk_net.h"

/* IRQL: any. start a command with no data */
static void nk_ctrl_init(struct nk_ctrl_cmd *c, uint8_t class_, uint8_t cmd)
{
    c->class_ = class_;
    c->cmd = cmd;
    c->len = 0;
}

/* IRQL: any. a one-byte on/off command of the RX class */
static void nk_ctrl_rx_bit(struct nk_ctrl_cmd *c, uint8_t cmd, bool on)
{
    nk_ctrl_init(c, VIRTIO_NET_CTRL_RX, cmd);
    c->data[0] = on ? 1 : 0;
    c->len = 1;
}

/* IRQL: any. the receive-mode commands for an NDIS packet filter */
unsigned nk_ctrl_rx_mode(uint32_t filter, uint64_t f, struct nk_ctrl_cmd *cmds)
{
    unsigned n = 0;
    if (!(f & NK_BIT(VIRTIO_NET_F_CTRL_RX)))
        return 0;
    bool promisc = (filter & NK_FILTER_PROMISCUOUS) != 0;
    nk_ctrl_rx_bit(&cmds[n++], VIRTIO_NET_CTRL_RX_PROMISC, promisc);
    nk_ctrl_rx_bit(&cmds[n++], VIRTIO_NET_CTRL_RX_ALLMULTI,
                   promisc || (filter & NK_FILTER_ALL_MULTI) != 0);
    if (f & NK_BIT(VIRTIO_NET_F_CTRL_RX_EXTRA)) {
        nk_ctrl_rx_bit(&cmds[n++], VIRTIO_NET_CTRL_RX_NOBCAST,
                       !promisc && (filter & NK_FILTER_BROADCAST) == 0);
        /* No multicast at all when neither list nor all-multicast is wanted */
        nk_ctrl_rx_bit(&cmds[n++], VIRTIO_NET_CTRL_RX_NOMULTI,
                       !promisc && (filter & (NK_FILTER_MULTICAST | NK_FILTER_ALL_MULTI)) == 0);
    }
    return n;
}

/* IRQL: any. does a frame to dest pass the packet filter (nk_net.h) */
bool nk_rx_filter_pass(uint32_t filter, const uint8_t *dest, const uint8_t *mac,
                       const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count)
{
    unsigned same = 0, ones = 0;
    if (filter & NK_FILTER_PROMISCUOUS)
        return true;
    for (unsigned b = 0; b < NK_ETH_ALEN; b++) {
        same += dest[b] == mac[b];
        ones += dest[b] == 0xff;
    }
    if (ones == NK_ETH_ALEN)
        return (filter & NK_FILTER_BROADCAST) != 0;
    if (!(dest[0] & 1))
        return (filter & NK_FILTER_DIRECTED) != 0 && same == NK_ETH_ALEN;
    if (filter & NK_FILTER_ALL_MULTI)
        return true;
    if (!(filter & NK_FILTER_MULTICAST))
        return false;
    for (unsigned i = 0; i < count && i < NK_MCAST_MAX; i++) {
        unsigned b = 0;
        while (b < NK_ETH_ALEN && mcast[i][b] == dest[b])
            b++;
        if (b == NK_ETH_ALEN)
            return true;
    }
    return false;
}

/* IRQL: any. how NetworkAddress's address reaches the device (nk_net.h) */
enum nk_mac_way nk_mac_way(bool asked, uint64_t f)
{
    if (!asked)
        return NK_MAC_DEVICE;
    if (f & NK_BIT(VIRTIO_NET_F_CTRL_MAC_ADDR))
        return NK_MAC_ADDR_SET;
#ifndef NK_PLANTED_UNICAST_NONE /* planted: without CTRL_MAC_ADDR the address never reaches it */
    if (f & NK_BIT(VIRTIO_NET_F_CTRL_RX))
        return NK_MAC_UNICAST;
#endif
    return NK_MAC_DEVICE;
}

/* IRQL: any. put a le32 entry count and count addresses at p; returns the end */
static uint8_t *nk_ctrl_mac_list(uint8_t *p, const uint8_t *macs, unsigned count)
{
    /* struct virtio_net_ctrl_mac { le32 entries; u8 macs[][6]; } */
    p[0] = (uint8_t)count, p[1] = (uint8_t)(count >> 8), p[2] = 0, p[3] = 0;
    p += 4;
    for (unsigned i = 0; i < count * NK_ETH_ALEN; i++)
        *p++ = macs[i];
    return p;
}

/* IRQL: any. MAC_TABLE_SET: the unicast entry (or none), then the multicast list */
bool nk_ctrl_mac_table(const uint8_t *unicast, const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count,
                       struct nk_ctrl_cmd *c)
{
    if (count > NK_MCAST_MAX)
        return false;
    nk_ctrl_init(c, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_TABLE_SET);
    uint8_t *p = nk_ctrl_mac_list(c->data, unicast, unicast != NULL ? 1 : 0);
    p = nk_ctrl_mac_list(p, count ? mcast[0] : NULL, count);
    c->len = (uint16_t)(p - c->data);
    return true;
}

/* IRQL: any. the table for the address in use and the multicast list (nk_net.h) */
bool nk_ctrl_rx_table(enum nk_mac_way way, uint64_t f, const uint8_t *mac,
                      const uint8_t (*mcast)[NK_ETH_ALEN], unsigned count, struct nk_ctrl_cmd *c)
{
    if (!(f & NK_BIT(VIRTIO_NET_F_CTRL_RX)))
        return false;
    return nk_ctrl_mac_table(way == NK_MAC_UNICAST ? mac : NULL, mcast, count, c);
}

/* IRQL: any. MAC_ADDR_SET */
void nk_ctrl_mac_addr(const uint8_t *mac, struct nk_ctrl_cmd *c)
{
    nk_ctrl_init(c, VIRTIO_NET_CTRL_MAC, VIRTIO_NET_CTRL_MAC_ADDR_SET);
    for (unsigned b = 0; b < NK_ETH_ALEN; b++)
        c->data[b] = mac[b];
    c->len = NK_ETH_ALEN;
}

/* IRQL: any. VLAN_ADD or VLAN_DEL of one id (1..4094: 0 and 4095 are reserved) */
bool nk_ctrl_vlan(bool add, unsigned vid, struct nk_ctrl_cmd *c)
{
    if (vid == 0 || vid >= 4095)
        return false;
    nk_ctrl_init(c, VIRTIO_NET_CTRL_VLAN,
                 add ? VIRTIO_NET_CTRL_VLAN_ADD : VIRTIO_NET_CTRL_VLAN_DEL);
    nk_put_le16(c->data, (uint16_t)vid);
    c->len = 2;
    return true;
}

/* IRQL: any. MQ_VQ_PAIRS_SET */
bool nk_ctrl_mq_pairs(unsigned pairs, struct nk_ctrl_cmd *c)
{
    if (pairs < VIRTIO_NET_MQ_PAIRS_MIN || pairs > VIRTIO_NET_MQ_PAIRS_MAX)
        return false;
    nk_ctrl_init(c, VIRTIO_NET_CTRL_MQ, VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET);
    nk_put_le16(c->data, (uint16_t)pairs);
    c->len = 2;
    return true;
}

/* IRQL: any. ANNOUNCE_ACK (no data) */
void nk_ctrl_announce_ack(struct nk_ctrl_cmd *c)
{
    nk_ctrl_init(c, VIRTIO_NET_CTRL_ANNOUNCE, VIRTIO_NET_CTRL_ANNOUNCE_ACK);
}

/* IRQL: any. GUEST_OFFLOADS_SET: le64 of the guest offload feature bits */
void nk_ctrl_guest_offloads(uint64_t offloads, struct nk_ctrl_cmd *c)
{
    nk_ctrl_init(c, VIRTIO_NET_CTRL_GUEST_OFFLOADS, VIRTIO_NET_CTRL_GUEST_OFFLOADS_SET);
    for (unsigned b = 0; b < 8; b++)
        c->data[b] = (uint8_t)(offloads >> (8 * b));
    c->len = 8;
}

/* IRQL: any. the device acknowledged: it wrote the ack byte (and only it), and it is OK */
bool nk_ctrl_acked(uint8_t ack, uint32_t written)
{
#ifdef NK_PLANTED_CTRL_LEN /* planted: any used length covering the ack believed */
    return written >= 1 && ack == VIRTIO_NET_OK;
#else
    return written == 1 && ack == VIRTIO_NET_OK;
#endif
}

/* IRQL: any. the command as the device reads it: class, command, data */
size_t nk_ctrl_wire(const struct nk_ctrl_cmd *c, uint8_t *out)
{
    out[0] = c->class_;
    out[1] = c->cmd;
    for (unsigned i = 0; i < c->len; i++)
        out[2 + i] = c->data[i];
    return 2 + (size_t)c->len;
}
