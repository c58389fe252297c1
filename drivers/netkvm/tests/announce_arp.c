/*
 * NetKVM's GUEST_ANNOUNCE (virtio 1.2 5.1.6.5.4): the model offers the
 * feature, sets VIRTIO_NET_S_ANNOUNCE and raises a configuration
 * interrupt (vmodel_net_announce); the driver sends its announcement on
 * the wire and then VIRTIO_NET_CTRL_ANNOUNCE_ACK.  The ack clears the bit
 * (5.1.4.2): a later configuration interrupt (a link flap) must not
 * announce again.  With the IPv4 addresses OID_GEN_NETWORK_LAYER_ADDRESSES
 * gave (network/oid-gen-network-layer-addresses) each gets a gratuitous
 * ARP request; with none, one RARP request for the adapter's address.
 * The frames are written out byte by byte here.
 */
#include "nk_harness.h"

#define AN_LEN 60

/* The expected frame: an ARP request (oper 1, EtherType 0806) announcing
 * IP, or a RARP request (oper 3, EtherType 8035) when IP is NULL. */
static void an_expected(uint8_t *f, const uint8_t *ip)
{
    memset(f, 0, AN_LEN);
    memset(f, 0xff, 6);
    memcpy(f + 6, nk_mac, 6);
    f[12] = ip ? 0x08 : 0x80, f[13] = ip ? 0x06 : 0x35;
    f[15] = 1, f[16] = 0x08, f[18] = 6, f[19] = 4, f[21] = ip ? 1 : 3;
    memcpy(f + 22, nk_mac, 6);
    if (ip) {
        memcpy(f + 28, ip, 4);
        memcpy(f + 38, ip, 4);
    } else {
        memcpy(f + 32, nk_mac, 6);
    }
}

/* Lets the devices, DPCs and work items run for about 2 ms. */
static void an_run(struct vm *vm)
{
    for (int i = 0; i < 20 && !vm->failed; i++)
        vw_run_for(vm, 100);
}

/* The wire holds exactly N frames, frame k announcing ips[k] (NULL: RARP). */
static void an_expect_wire(struct vm *vm, struct nk_rig *r, const uint8_t (*ips)[4], unsigned n,
                           const char *what)
{
    struct vmodel_net_frame w;
    uint8_t want[AN_LEN];
    unsigned got = 0;
    while (!vm->failed && vmodel_net_wire_take(r->net->model, &w)) {
        an_expected(want, ips != NULL && got < n ? ips[got] : NULL);
        VW_EXPECT(vm, got < n && w.len == AN_LEN && memcmp(w.data, want, AN_LEN) == 0,
                  "%s: wire frame %u (%u bytes, EtherType %02x%02x) is not announcement %u", what,
                  got, w.len, w.data[12], w.data[13], got);
        got++;
    }
    VW_EXPECT(vm, got == n, "%s: %u frames on the wire, %u expected", what, got, n);
}

/* Ack counted: ctrl_ok moved by exactly N (the announcements' acks) */
static void an_expect_acks(struct vm *vm, struct nk_rig *r, uint64_t before, unsigned n,
                           const char *what)
{
    const struct vmodel_net_stats *mst = vmodel_net_stats(r->net->model);
    VW_EXPECT(vm, mst->ctrl_ok == before + n && mst->ctrl_err == 0 && mst->rule_errors == 0,
              "%s: %llu control commands acknowledged, %u expected; %s", what,
              (unsigned long long)(mst->ctrl_ok - before), n, mst->last_rule);
}

/* After the ack: S_ANNOUNCE clear, and a link flap brings no second
 * announcement. */
static void an_expect_quiet_after(struct vm *vm, struct nk_rig *r)
{
    VW_EXPECT(vm,
              !vmodel_net_announce_pending(r->net->model) &&
                  vmodel_net_stats(r->net->model)->announce_acks == 1,
              "after the ack: S_ANNOUNCE %d, %llu ANNOUNCE_ACK commands",
              vmodel_net_announce_pending(r->net->model),
              (unsigned long long)vmodel_net_stats(r->net->model)->announce_acks);
    uint64_t ok = vmodel_net_stats(r->net->model)->ctrl_ok;
    vmodel_net_set_link(r->net->model, false);
    an_run(vm);
    vmodel_net_set_link(r->net->model, true);
    an_run(vm);
    an_expect_wire(vm, r, NULL, 0, "after a link flap");
    an_expect_acks(vm, r, ok, 0, "after a link flap");
}

VW_SCENARIO("netkvm", netkvm_announce_rarp_without_addresses, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    VW_EXPECT(vm, vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_GUEST_ANNOUNCE & 1,
              "GUEST_ANNOUNCE offered with CTRL_VQ and not acknowledged");
    uint64_t ok = vmodel_net_stats(r.net->model)->ctrl_ok;
    vmodel_net_announce(r.net->model);
    an_run(vm);
    an_expect_wire(vm, &r, NULL, 1, "no address known");
    an_expect_acks(vm, &r, ok, 1, "no address known");
    an_expect_quiet_after(vm, &r);
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_announce_gratuitous_arp, NULL)
{
    static const uint8_t ips[2][4] = {{10, 1, 2, 3}, {192, 168, 0, 7}};
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    /* NETWORK_ADDRESS_LIST of two NETWORK_ADDRESS_IP (ntddndis.h, natural
     * alignment: sin_port, padding, in_addr at 4, sin_zero: 16 bytes) */
    uint8_t list[6 + 2 * (4 + 16)];
    memset(list, 0, sizeof(list));
    list[0] = 2, list[4] = VW_NDIS_PROTOCOL_ID_TCP_IP;
    for (unsigned k = 0; k < 2; k++) {
        uint8_t *e = list + 6 + k * 20;
        e[0] = 16, e[2] = VW_NDIS_PROTOCOL_ID_TCP_IP;
        memcpy(e + 4 + 4, ips[k], 4);
    }
    uint32_t status = 1, done = 0;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_NETWORK_LAYER_ADDRESSES, list, sizeof(list), &status,
                          &done) &&
                  status == 0,
              "OID_GEN_NETWORK_LAYER_ADDRESSES: status 0x%08x", status);
    /* A list whose entry runs past the buffer: refused, the addresses kept */
    uint8_t bad[sizeof(list)];
    memcpy(bad, list, sizeof(bad));
    bad[6 + 20] = 200;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_NETWORK_LAYER_ADDRESSES, bad, sizeof(bad), &status,
                          &done) &&
                  status != 0,
              "a malformed NETWORK_ADDRESS_LIST was accepted");
    uint64_t ok = vmodel_net_stats(r.net->model)->ctrl_ok;
    vmodel_net_announce(r.net->model);
    an_run(vm);
    an_expect_wire(vm, &r, ips, 2, "two IPv4 addresses");
    an_expect_acks(vm, &r, ok, 1, "two IPv4 addresses");
    an_expect_quiet_after(vm, &r);
    nk_down(vm, &r);
}

/* Asked while paused: nothing is sent (a paused miniport sends nothing)
 * until the restart, which sends the announcement and the ack. */
VW_SCENARIO("netkvm", netkvm_announce_waits_for_restart, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    uint64_t ok = vmodel_net_stats(r.net->model)->ctrl_ok;
    if (!vw_ndis_pause(vm))
        return;
    vmodel_net_announce(r.net->model);
    an_run(vm);
    an_expect_wire(vm, &r, NULL, 0, "paused");
    an_expect_acks(vm, &r, ok, 0, "paused");
    if (vm->failed || !vw_ndis_restart(vm))
        return;
    an_run(vm);
    an_expect_wire(vm, &r, NULL, 1, "after the restart");
    an_expect_acks(vm, &r, ok, 1, "after the restart");
    nk_down(vm, &r);
}
