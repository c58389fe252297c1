/*
 * NetKVM's advanced properties read at InitializeEx (the emulation's
 * adapter keywords): NetworkAddress applied through CTRL_MAC_ADDR and
 * reported as the current address (the permanent one stays the device's),
 * refused when not locally administered; *JumboPacket's MTU held within
 * the device's MTU, an invalid value falling back to the default;
 * MergeableBuffers 0 keeping MRG_RXBUF off though offered.
 */
#include "nk_harness.h"

/* The current and permanent addresses (OIDs) and the general attributes' address. */
static void expect_addresses(struct vm *vm, const uint8_t *current)
{
    uint8_t mac[6] = {0}, perm[6] = {0};
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(mac, current, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS: status 0x%08x, %u bytes, %02x-%02x-%02x-%02x-%02x-%02x",
              status, done, mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_PERMANENT_ADDRESS, perm, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(perm, nk_mac, 6) == 0,
              "OID_802_3_PERMANENT_ADDRESS is not the device's MAC");
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, memcmp(st.mac, current, 6) == 0, "general attributes carry another MAC");
}

VW_SCENARIO("netkvm", netkvm_params_network_address, NULL)
{
    static const char *const kw[] = {"NetworkAddress", "02-11-22-33-44-55", NULL};
    static const uint8_t want[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
    struct nk_rig r;
    struct nk_opts o = {
        .mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_MAC_ADDR, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    expect_addresses(vm, want);
    nk_down_clean(vm, &r);
}

/* Without CTRL_MAC_ADDR and CTRL_RX the device cannot be told (neither
 * MAC_ADDR_SET nor MAC_TABLE_SET's unicast list): its own address stays.
 * With CTRL_RX alone the address goes in the unicast list (mac_table.c). */
VW_SCENARIO("netkvm", netkvm_params_network_address_no_ctrl_mac, NULL)
{
    static const char *const kw[] = {"NetworkAddress", "02-11-22-33-44-55", NULL};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .drop = 1ull << VIRTIO_NET_F_CTRL_RX, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    expect_addresses(vm, nk_mac);
    nk_down(vm, &r);
}

/* A globally administered address is refused (the locally administered check). */
VW_SCENARIO("netkvm", netkvm_params_network_address_not_local, NULL)
{
    static const char *const kw[] = {"NetworkAddress", "00-11-22-33-44-55", NULL};
    struct nk_rig r;
    struct nk_opts o = {
        .mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_CTRL_MAC_ADDR, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    expect_addresses(vm, nk_mac);
    nk_down(vm, &r);
}

/* *JumboPacket 9014 on a device that reports MTU 1500: held to 1500. */
VW_SCENARIO("netkvm", netkvm_params_jumbo_within_device_mtu, NULL)
{
    static const char *const big[] = {"*JumboPacket", "9014", NULL};
    struct nk_rig r;
    struct vw_ndis_stats st;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = 1500, .keywords = big};
    if (!nk_up(vm, &r, &o))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == 1500, "*JumboPacket 9014 on a device of MTU 1500: MTU %u", st.mtu);
    nk_down(vm, &r);
}

/* An out-of-range *JumboPacket is the default (1514: MTU 1500) even when the device allows 9000. */
VW_SCENARIO("netkvm", netkvm_params_jumbo_invalid_default, NULL)
{
    static const char *const bad[] = {"*JumboPacket", "70000", NULL};
    struct nk_rig r;
    struct vw_ndis_stats st;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = 9000, .keywords = bad};
    if (!nk_up(vm, &r, &o))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == 1500, "*JumboPacket 70000 (invalid): MTU %u, not the default 1500",
              st.mtu);
    nk_down(vm, &r);
}

/* *JumboPacket 590, its minimum, on a device allowing 9000: MTU 576; a
 * 590-byte frame goes out and one comes in, byte for byte. */
VW_SCENARIO("netkvm", netkvm_params_jumbo_min_590, NULL)
{
    static const char *const small[] = {"*JumboPacket", "590", NULL};
    struct nk_rig r;
    struct vw_ndis_stats st;
    struct nk_opts o = {.mrg_rxbuf = true, .mtu = 9000, .keywords = small};
    if (!nk_up(vm, &r, &o))
        return;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.mtu == 576, "*JumboPacket 590: MTU %u, 576 expected", st.mtu);
    static uint8_t buf[590];
    struct nk_mark m = nk_mark(vm);
    nk_send_frames(vm, buf, 590, 0, 1);
    nk_inject_frames(vm, &r, 590, 0, 1);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1 && nk_wait_indicated_since(vm, m, 1) == 1,
              "the 590-byte frames did not go out and come in");
    nk_expect_wire(vm, &r, 590, 0, 1);
    uint8_t got[600], want[590];
    nk_frame(want, 590, nk_mac, nk_peer, 0);
    VW_EXPECT(vm,
              vw_ndis_received(vm, m.indicated, got, sizeof(got)) == 590 &&
                  memcmp(got, want, 590) == 0,
              "the 590-byte frame was not indicated byte for byte");
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}

/* MergeableBuffers 0: MRG_RXBUF offered but not acknowledged; frames still arrive whole. */
VW_SCENARIO("netkvm", netkvm_params_mergeable_buffers_off, NULL)
{
    static const char *const kw[] = {"MergeableBuffers", "0", NULL};
    static uint8_t f[1514], got[2048];
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    bool mrg = vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_MRG_RXBUF & 1;
    VW_EXPECT(vm, !mrg, "MergeableBuffers 0, yet MRG_RXBUF negotiated");
    nk_frame(f, sizeof(f), nk_mac, nk_peer, 7);
    struct nk_mark m = nk_mark(vm);
    VW_EXPECT(vm, vmodel_net_wire_inject(r.net->model, f, sizeof(f), NULL) == 0,
              "the model dropped the frame");
    VW_EXPECT(vm, nk_wait_indicated_since(vm, m, 1) == 1, "the frame was not indicated");
    VW_EXPECT(vm,
              vw_ndis_received(vm, 0, got, sizeof(got)) == sizeof(f) &&
                  memcmp(got, f, sizeof(f)) == 0,
              "the indicated frame is not the one injected");
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}
