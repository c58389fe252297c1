/*
 * NetKVM's NetworkAddress on a device without VIRTIO_NET_F_CTRL_MAC_ADDR
 * but with CTRL_RX (virtio 1.2 5.1.6.5.2): the driver cannot make the
 * address the device's own (MAC_ADDR_SET), so it puts it in the unicast
 * list of VIRTIO_NET_CTRL_MAC_TABLE_SET, which the device then delivers
 * to.  The address is the current one (OID_802_3_CURRENT_ADDRESS, the
 * general attributes), the permanent one stays the device's; a frame to
 * it is indicated and one to the device's own address is not (the
 * packet filter's DIRECTED is the address in use); after a multicast-list
 * change (a new table) and after D3 and D0 (the device reset, the table
 * said again) frames to it still arrive.
 */
#include "nk_harness.h"

#define MT_LEN 80

static const uint8_t mt_addr[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
static const uint8_t mt_group[2][6] = {{0x01, 0x00, 0x5e, 0x00, 0x00, 0x01},
                                       {0x01, 0x00, 0x5e, 0x00, 0x00, 0x02}};

VW_SCENARIO("netkvm", netkvm_mac_table_network_address_ctrl_rx, NULL)
{
    static const char *const kw[] = {"NetworkAddress", "02-11-22-33-44-55", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .keywords = kw}; /* CTRL_RX, no CTRL_MAC_ADDR */
    uint8_t mac[6] = {0}, perm[6] = {0};
    uint32_t status = 1, done = 0;
    if (!nk_up(vm, &r, &o))
        return;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(mac, mt_addr, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS: status 0x%08x, %02x-%02x-%02x-%02x-%02x-%02x", status,
              mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_PERMANENT_ADDRESS, perm, 6, &status, &done) &&
                  status == 0 && memcmp(perm, nk_mac, 6) == 0,
              "OID_802_3_PERMANENT_ADDRESS is not the device's MAC");
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, memcmp(st.mac, mt_addr, 6) == 0, "general attributes carry another MAC");
    const uint8_t *first[2] = {mt_addr, nk_mac};
    nk_expect_delivery(vm, &r, first, 2, 0x1, MT_LEN, 900, "at start");
    VW_EXPECT(
        vm,
        vw_ndis_oid(vm, true, VW_OID_802_3_MULTICAST_LIST, (void *)mt_group, 12, &status, &done) &&
            status == 0,
        "multicast list: status 0x%08x", status);
    const uint8_t *after[3] = {mt_addr, mt_group[1], nk_mac};
    nk_expect_delivery(vm, &r, after, 3, 0x3, MT_LEN, 900, "after the multicast list");
    if (!nk_to_d3(vm) || !nk_to_d0(vm))
        return;
    nk_expect_delivery(vm, &r, after, 3, 0x3, MT_LEN, 900, "after D3 and D0");
    nk_down_clean(vm, &r);
}
