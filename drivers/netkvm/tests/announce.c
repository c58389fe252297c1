/*
 * NetKVM and VIRTIO_NET_F_GUEST_ANNOUNCE (virtio spec 5.1.6.5.4: after a
 * migration the device sets VIRTIO_NET_S_ANNOUNCE in the status field and
 * signals a configuration change; the driver sends gratuitous packets (now
 * or from a deferred routine) and acknowledges with
 * VIRTIO_NET_CTRL_ANNOUNCE_ACK, which clears the bit).  A gratuitous
 * packet here: a frame from the adapter's MAC to the broadcast or the IPv6
 * all-nodes address carrying ARP, RARP or IPv6 (a neighbour
 * advertisement).  Two announcements in a row are each acknowledged.
 * Without the feature a device setting the bit anyway (hostile) gets
 * neither frames nor a command.  (Opt-in until the driver announced:
 * h-nkfeat's announce.c; its own checks are in announce_arp.c.)
 */
#include "nk_harness.h"

/* Lets the adapter run until the device saw ACKS acknowledgements (or 50 ms). */
static void an_wait_acks(struct vm *vm, struct nk_rig *r, uint64_t acks)
{
    for (unsigned i = 0; i < 500 && !vm->failed; i++) {
        if (vmodel_net_stats(r->net->model)->announce_acks >= acks)
            break;
        vw_run_for(vm, 1000);
    }
}

/* Frames on the wire now that announce the adapter; the others are counted in *OTHER. */
static unsigned an_take_announcements(struct nk_rig *r, unsigned *other)
{
    static const uint8_t bcast[6] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff};
    static const uint8_t all_nodes[6] = {0x33, 0x33, 0x00, 0x00, 0x00, 0x01};
    struct vmodel_net_frame w;
    unsigned n = 0;
    while (vmodel_net_wire_take(r->net->model, &w)) {
        unsigned type = w.len >= 14 ? (unsigned)(w.data[12] << 8 | w.data[13]) : 0;
        bool to =
            w.len >= 14 && (memcmp(w.data, bcast, 6) == 0 || memcmp(w.data, all_nodes, 6) == 0);
        bool from = w.len >= 14 && memcmp(w.data + 6, nk_mac, 6) == 0;
        /* ARP/RARP: the sender hardware address (offset 8 of the packet) is ours */
        bool arp = (type == 0x0806 || type == 0x8035) && w.len >= 14 + 28 &&
                   memcmp(w.data + 14 + 8, nk_mac, 6) == 0;
        if (to && from && (arp || type == 0x86dd))
            n++;
        else
            (*other)++;
    }
    return n;
}

VW_SCENARIO("netkvm", netkvm_announce_gratuitous_then_ack, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true, .add = 1ull << VIRTIO_NET_F_GUEST_ANNOUNCE};
    if (!nk_up(vm, &r, &o))
        return;
    VW_EXPECT(vm, vmodel_driver_features(r.net->dev->model) >> VIRTIO_NET_F_GUEST_ANNOUNCE & 1,
              "GUEST_ANNOUNCE offered with CTRL_VQ, not negotiated");
    for (unsigned round = 1; round <= 2 && !vm->failed; round++) {
        VW_EXPECT(vm, vmodel_net_announce(r.net->model), "the model did not announce");
        an_wait_acks(vm, &r, round);
        const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
        unsigned other = 0, n = an_take_announcements(&r, &other);
        VW_EXPECT(vm, ms->announce_acks == round && !vmodel_net_announce_pending(r.net->model),
                  "announcement %u: %llu ANNOUNCE_ACK commands, S_ANNOUNCE still %d", round,
                  (unsigned long long)ms->announce_acks, vmodel_net_announce_pending(r.net->model));
        VW_EXPECT(vm, n >= 1 && other == 0,
                  "announcement %u: %u gratuitous frames from the adapter, %u other frames", round,
                  n, other);
    }
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    VW_EXPECT(vm, ms->ctrl_err == 0 && ms->rule_errors == 0, "model: %s", ms->last_rule);
    /* Frames still flow after the announcements */
    uint8_t f[100];
    const uint8_t *one = f;
    unsigned len = sizeof(f);
    nk_frame(f, len, nk_peer, nk_mac, 1);
    struct nk_mark m = nk_mark(vm);
    vw_ndis_send(vm, &one, &len, 1);
    VW_EXPECT(vm, nk_wait_completed_since(vm, m, 1) == 1, "a send after the announcements");
    nk_down(vm, &r);
}

VW_SCENARIO("netkvm", netkvm_announce_not_negotiated_ignored, NULL)
{
    struct nk_rig r;
    struct nk_opts o = {.mrg_rxbuf = true};
    if (!nk_up(vm, &r, &o))
        return;
    struct vmodel_net_hostile h = {.announce_unasked = true};
    vmodel_net_set_hostile(r.net->model, &h);
    VW_EXPECT(vm, vmodel_net_announce(r.net->model), "the hostile model did not set S_ANNOUNCE");
    for (unsigned i = 0; i < 50 && !vm->failed; i++)
        vw_run_for(vm, 1000);
    const struct vmodel_net_stats *ms = vmodel_net_stats(r.net->model);
    unsigned other = 0, n = an_take_announcements(&r, &other);
    VW_EXPECT(vm, n == 0 && other == 0 && ms->announce_acks == 0,
              "S_ANNOUNCE without GUEST_ANNOUNCE: %u gratuitous and %u other frames sent, %llu "
              "acknowledgements",
              n, other, (unsigned long long)ms->announce_acks);
    VW_EXPECT(vm, ms->ctrl_err == 0 && ms->rule_errors == 0, "model: %s", ms->last_rule);
    vw_ndis_return_all(vm);
    nk_down(vm, &r);
}
