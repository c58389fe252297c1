/*
 * The NetworkAddress keyword on a device without VIRTIO_NET_F_CTRL_MAC_ADDR
 * (QEMU before 1.6, or a back end that leaves it out): the driver cannot set
 * the device's address, so frames to the locally administered address it
 * reports only pass the device's filter (CTRL_RX, not promiscuous) when it
 * lists that address in VIRTIO_NET_CTRL_MAC_TABLE_SET's unicast entries
 * (virtio 1.2 5.1.6.5.2: the device delivers frames to the unicast entries
 * besides its own address).  Frames to another station stay out.
 */
#include "nk_harness.h"

#define UC_LEN 100

static const uint8_t uc_laa[6] = {0x02, 0x12, 0x34, 0x56, 0x78, 0x9a};
static const uint8_t uc_other[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0c};

/* One UC_LEN-byte frame to DST offered on the wire: whether the device
 * took it, and whether it was indicated byte for byte. */
static void uc_offer(struct vm *vm, struct nk_rig *r, const uint8_t *dst, unsigned k, bool want,
                     const char *what)
{
    uint8_t f[UC_LEN], got[UC_LEN + 16];
    nk_frame(f, UC_LEN, dst, nk_peer, k);
    struct nk_mark m = nk_mark(vm);
    bool took = vmodel_net_wire_inject(r->net->model, f, UC_LEN, NULL) >= 0;
    nk_wait_indicated_since(vm, m, want ? 1 : 0);
    vw_run_for(vm, 500); /* a frame that should not come has its chance */
    unsigned got_n = nk_mark(vm).indicated - m.indicated;
    VW_EXPECT(vm, took == want && got_n == (want ? 1u : 0u),
              "%s: the device %s it, %u indicated (%s expected)", what, took ? "took" : "filtered",
              got_n, want ? "1" : "none");
    VW_EXPECT(vm,
              !want || (vw_ndis_received(vm, m.indicated, got, sizeof(got)) == UC_LEN &&
                        memcmp(got, f, UC_LEN) == 0),
              "%s: indicated different", what);
    vw_ndis_return_all(vm);
}

VW_SCENARIO("netkvm", netkvm_network_address_unicast_table, NULL)
{
    static const char *const kw[] = {"NetworkAddress", "02-12-34-56-78-9A", NULL};
    struct nk_rig r;
    struct nk_opts o = {
        .mrg_rxbuf = true, .drop = 1ull << VIRTIO_NET_F_CTRL_MAC_ADDR, .keywords = kw};
    if (!nk_up(vm, &r, &o))
        return;
    uint8_t mac[6] = {0};
    uint32_t status = 1, done = 0,
             filter = VW_NDIS_PACKET_TYPE_DIRECTED | VW_NDIS_PACKET_TYPE_BROADCAST;
    VW_EXPECT(vm,
              vw_ndis_oid(vm, false, VW_OID_802_3_CURRENT_ADDRESS, mac, 6, &status, &done) &&
                  status == 0 && done == 6 && memcmp(mac, uc_laa, 6) == 0,
              "OID_802_3_CURRENT_ADDRESS: %02x:%02x:%02x:%02x:%02x:%02x, not NetworkAddress's",
              mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
    VW_EXPECT(vm,
              vw_ndis_oid(vm, true, VW_OID_GEN_CURRENT_PACKET_FILTER, &filter, 4, &status, &done) &&
                  status == 0,
              "OID_GEN_CURRENT_PACKET_FILTER: status 0x%08x", status);
    const struct vmodel_net_state *ms = vmodel_net_state(r.net->model);
    VW_EXPECT(vm, !ms->promisc && !ms->alluni && !ms->uni_overflow,
              "directed+broadcast: promisc %d alluni %d unicast overflow %d", ms->promisc,
              ms->alluni, ms->uni_overflow);
    bool listed = false;
    for (unsigned i = 0; i < ms->uni_count; i++)
        listed |= memcmp(ms->macs[i], uc_laa, 6) == 0;
    VW_EXPECT(vm, listed, "MAC_TABLE_SET: %u unicast entries, NetworkAddress's not among them",
              ms->uni_count);
    uc_offer(vm, &r, uc_laa, 1, true, "a frame to NetworkAddress's address");
    uc_offer(vm, &r, uc_other, 2, false, "a frame to another station");
    nk_down_clean(vm, &r);
}
