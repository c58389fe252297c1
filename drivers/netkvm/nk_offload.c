/*
 * nk_offload.c - the offloads NetKVM can offer, the current configuration
 * an OID_TCP_OFFLOAD_PARAMETERS request leaves, and the guest offloads the
 * device is told (see nk_offload.h).
 */
#include "nk_offload.h"

#include "nk_net.h"

/* IRQL: any. see nk_offload.h */
void nk_offload_hw(uint64_t f, bool sw_rx_verify, struct nk_offload *hw)
{
    bool tx = (f & NK_BIT(VIRTIO_NET_F_CSUM)) != 0;
    bool rx = (f & NK_BIT(VIRTIO_NET_F_GUEST_CSUM)) != 0 || sw_rx_verify;
    bool ctl = (f & NK_BIT(VIRTIO_NET_F_CTRL_GUEST_OFFLOADS)) != 0;
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        hw->tx[k] = tx, hw->rx[k] = rx;
    hw->lso4 = tx && (f & NK_BIT(VIRTIO_NET_F_HOST_TSO4));
    hw->lso6 = tx && (f & NK_BIT(VIRTIO_NET_F_HOST_TSO6));
    hw->rsc4 = ctl && (f & NK_BIT(VIRTIO_NET_F_GUEST_TSO4));
    hw->rsc6 = ctl && (f & NK_BIT(VIRTIO_NET_F_GUEST_TSO6));
    hw->uso4 = hw->uso6 = tx && (f & NK_BIT(VIRTIO_NET_F_HOST_USO));
}

/* IRQL: any. see nk_offload.h */
void nk_offload_defaults(const struct nk_offload *hw, const struct nk_offload_cfg *cfg,
                         struct nk_offload *cur)
{
    const bool tx[NK_CS_KINDS] = {cfg->tx_ip4, cfg->tx_tcp4, cfg->tx_udp4, cfg->tx_tcp6,
                                  cfg->tx_udp6};
    const bool rx[NK_CS_KINDS] = {cfg->rx_ip4, cfg->rx_tcp4, cfg->rx_udp4, cfg->rx_tcp6,
                                  cfg->rx_udp6};
    for (unsigned k = 0; k < NK_CS_KINDS; k++) {
        cur->tx[k] = hw->tx[k] && tx[k];
        cur->rx[k] = hw->rx[k] && rx[k];
    }
    cur->lso4 = hw->lso4 && cfg->lso4;
    cur->lso6 = hw->lso6 && cfg->lso6;
    cur->rsc4 = hw->rsc4 && cfg->rsc4;
    cur->rsc6 = hw->rsc6 && cfg->rsc6;
    cur->uso4 = hw->uso4 && cfg->uso4;
    cur->uso6 = hw->uso6 && cfg->uso6;
}

/* IRQL: any. one on/off value (LSOv2, RSC, USO) into *on; false if invalid */
static bool nk_onoff(uint8_t v, bool can, bool *on)
{
    if (v == NK_OFL_NO_CHANGE)
        return true;
    if (v == NK_OFL_OFF) {
        *on = false;
        return true;
    }
#ifndef NK_PLANTED_OFFLOAD_UNOFFERED
    if (v == NK_OFL_TX && can) {
#else
    if (v == NK_OFL_TX) { /* planted: an offload the device lacks is turned on */
        (void)can;
#endif
        *on = true;
        return true;
    }
    return false;
}

/* IRQL: any. one checksum value into *tx / *rx; false if invalid */
static bool nk_txrx(uint8_t v, bool can_tx, bool can_rx, bool *tx, bool *rx)
{
    if (v == NK_OFL_NO_CHANGE)
        return true;
    if (v > NK_OFL_BOTH)
        return false;
    bool want_tx = v == NK_OFL_TX || v == NK_OFL_BOTH;
    bool want_rx = v == NK_OFL_RX || v == NK_OFL_BOTH;
    if ((want_tx && !can_tx) || (want_rx && !can_rx))
        return false;
    *tx = want_tx, *rx = want_rx;
    return true;
}

/* IRQL: any. see nk_offload.h: built aside, copied only when all is valid */
enum nk_offload_result nk_offload_set(struct nk_offload *cur, const struct nk_offload *hw,
                                      const struct nk_offload_req *req)
{
    struct nk_offload next = *cur;
    bool ok = true;
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        ok &= nk_txrx(req->csum[k], hw->tx[k], hw->rx[k], &next.tx[k], &next.rx[k]);
    ok &= nk_onoff(req->lso4, hw->lso4, &next.lso4);
    ok &= nk_onoff(req->lso6, hw->lso6, &next.lso6);
    ok &= nk_onoff(req->rsc4, hw->rsc4, &next.rsc4);
    ok &= nk_onoff(req->rsc6, hw->rsc6, &next.rsc6);
    ok &= nk_onoff(req->uso4, hw->uso4, &next.uso4);
    ok &= nk_onoff(req->uso6, hw->uso6, &next.uso6);
    if (!ok)
        return NK_OFL_INVALID;
    bool same = true;
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        same &= next.tx[k] == cur->tx[k] && next.rx[k] == cur->rx[k];
    same &= next.lso4 == cur->lso4 && next.lso6 == cur->lso6 && next.rsc4 == cur->rsc4 &&
            next.rsc6 == cur->rsc6 && next.uso4 == cur->uso4 && next.uso6 == cur->uso6;
    *cur = next;
    return same ? NK_OFL_SAME : NK_OFL_CHANGED;
}

/* IRQL: any. see nk_offload.h */
uint64_t nk_offload_guest_bits(const struct nk_offload *cur, uint64_t f)
{
    uint64_t bits = 0;
    bool rx = false;
    for (unsigned k = 0; k < NK_CS_KINDS; k++)
        rx |= cur->rx[k];
    if (cur->rsc4)
        bits |= NK_BIT(VIRTIO_NET_F_GUEST_TSO4);
    if (cur->rsc6)
        bits |= NK_BIT(VIRTIO_NET_F_GUEST_TSO6);
    if (rx || bits != 0)
        bits |= NK_BIT(VIRTIO_NET_F_GUEST_CSUM);
    return bits & f;
}

/* IRQL: any. the longest frame a send may carry. */
uint32_t nk_offload_tx_max_frame(bool large_send, bool tagged, uint32_t mtu_frame)
{
#ifdef NK_PLANTED_GSO_TAG_ALWAYS /* planted: the tag's allowance given to every frame */
    tagged = true;
#endif
    uint32_t most = large_send ? 14u + NK_TX_GSO_DATAGRAM_MAX : mtu_frame;
    return tagged ? most + NK_TX_TAG_BYTES : most;
}
