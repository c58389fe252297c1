/*
 * test_mactable.c - NetworkAddress and the MAC table (virtio 1.2
 * 5.1.6.5.2): how a locally administered address reaches the device
 * (MAC_ADDR_SET with CTRL_MAC_ADDR, else MAC_TABLE_SET's unicast list with
 * CTRL_RX, else not at all), and the table's bytes, the unicast entry kept
 * across multicast-list changes.  The copy built with
 * NK_PLANTED_UNICAST_NONE (the address never put in the unicast list)
 * must fail.
 */
#include <string.h>

#include "../../nk_net.h"
#include "nku.h"

#define B(n) NK_BIT(VIRTIO_NET_F_##n)

/* The table's bytes against a hand-written virtio_net_ctrl_mac pair. */
static bool mt_bytes(const struct nk_ctrl_cmd *c, const uint8_t *uni, const uint8_t (*mc)[6],
                     unsigned n)
{
    uint8_t want[NK_CTRL_DATA_MAX];
    unsigned k = 0;
    memset(want, 0, sizeof(want));
    want[k] = uni != NULL ? 1 : 0;
    k += 4;
    for (unsigned b = 0; uni != NULL && b < 6; b++)
        want[k++] = uni[b];
    want[k] = (uint8_t)n;
    k += 4;
    for (unsigned i = 0; i < n; i++)
        for (unsigned b = 0; b < 6; b++)
            want[k++] = mc[i][b];
    return c->class_ == VIRTIO_NET_CTRL_MAC && c->cmd == VIRTIO_NET_CTRL_MAC_TABLE_SET &&
           c->len == k && memcmp(c->data, want, k) == 0;
}

/* See the file comment. */
void test_mactable(void)
{
    static const uint8_t la[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    static const uint8_t mc[3][6] = {{0x01, 0x00, 0x5e, 0, 0, 1},
                                     {0x33, 0x33, 0, 0, 0, 1},
                                     {0x01, 0x00, 0x5e, 0x7f, 0xff, 0xfa}};
    uint8_t many[NK_MCAST_MAX][6];
    struct nk_ctrl_cmd c;
    uint64_t rx = B(CTRL_VQ) | B(CTRL_RX);

    check(nk_mac_way(true, rx) == NK_MAC_UNICAST,
          "mactable: NetworkAddress with CTRL_RX and no CTRL_MAC_ADDR goes in the unicast list");
    check(nk_mac_way(true, rx | B(CTRL_MAC_ADDR)) == NK_MAC_ADDR_SET &&
              nk_mac_way(true, B(CTRL_VQ) | B(CTRL_MAC_ADDR)) == NK_MAC_ADDR_SET,
          "mactable: with CTRL_MAC_ADDR it is MAC_ADDR_SET");
    check(nk_mac_way(true, B(CTRL_VQ)) == NK_MAC_DEVICE && nk_mac_way(true, 0) == NK_MAC_DEVICE,
          "mactable: with neither the device's address is kept");
    check(nk_mac_way(false, rx | B(CTRL_MAC_ADDR)) == NK_MAC_DEVICE,
          "mactable: no NetworkAddress: nothing to tell");

    enum nk_mac_way w = nk_mac_way(true, rx);
    check(nk_ctrl_rx_table(w, rx, la, mc, 2, &c) && mt_bytes(&c, la, mc, 2),
          "mactable: CTRL_RX alone: the address then 2 multicast entries");
    check(nk_ctrl_rx_table(w, rx, la, mc, 3, &c) && mt_bytes(&c, la, mc, 3) &&
              nk_ctrl_rx_table(w, rx, la, mc, 0, &c) && mt_bytes(&c, la, mc, 0),
          "mactable: the unicast entry kept when the multicast list grows to 3 and empties");
    memset(many, 0x01, sizeof(many));
    check(nk_ctrl_rx_table(w, rx, la, (const uint8_t(*)[6])many, NK_MCAST_MAX, &c) &&
              c.len == 4 + 6 + 4 + 6 * NK_MCAST_MAX &&
              !nk_ctrl_rx_table(w, rx, la, (const uint8_t(*)[6])many, NK_MCAST_MAX + 1, &c),
          "mactable: the address and NK_MCAST_MAX multicast fit, one more refused");
    check(nk_ctrl_rx_table(NK_MAC_ADDR_SET, rx | B(CTRL_MAC_ADDR), la, mc, 2, &c) &&
              mt_bytes(&c, NULL, mc, 2) && nk_ctrl_rx_table(NK_MAC_DEVICE, rx, la, mc, 1, &c) &&
              mt_bytes(&c, NULL, mc, 1),
          "mactable: MAC_ADDR_SET or the device's address: no unicast entry");
    check(!nk_ctrl_rx_table(NK_MAC_UNICAST, B(CTRL_VQ), la, mc, 1, &c),
          "mactable: no table without CTRL_RX");
}
