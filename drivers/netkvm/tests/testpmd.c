/*
 * NetKVM against a wire we did not write: DPDK testpmd's vhost PMD
 * (devices/dev_vhost_net.c, macswap forwarding, --no-huge) serves the
 * rings of a modern virtio-net function over vhost-user; the control
 * queue is the front end's (as in QEMU).  Frames of several sizes sent by
 * the emulation's protocol layer come back with the two MAC addresses
 * swapped (testpmd's macswap) and every other byte as sent; every send
 * NBL is completed once with SUCCESS (ndis/nf-ndis-ndismsendnetbufferlistscomplete),
 * every indicated NBL is returned, the halt is clean, and testpmd, started
 * by the fixture and bounded, is stopped by PID.  One and two queue pairs
 * (MQ, virtio 1.2 5.1.6.5.5) and four, split ring; two pairs on the packed
 * ring.
 * A missing testpmd fails.
 */
#include "nk_testpmd.h"

#define TP_FRAMES 8
#define TP_MAXLEN 1514

static const unsigned tp_sizes[TP_FRAMES] = {60, 64, 128, 333, 512, 1000, 1499, 1514};

/* Lets the back end and the DPCs run until N NBLs were indicated and N
 * sends completed; real-time bounds are the front end's (dev_vhost.c). */
static void tp_wait(struct vm *vm, unsigned n)
{
    struct vw_ndis_stats st;
    for (unsigned i = 0; i < 4000 && !vm->failed; i++) {
        vw_ndis_stats(vm, &st);
        if (st.indicated >= n && st.send_completed >= n)
            break;
        vw_run_for(vm, 100);
    }
}

/* Sends every frame (one call each, then all in one call), expects each
 * back MAC-swapped and otherwise intact, in order (one pair: testpmd keeps
 * a queue's order). */
static void tp_traffic(struct vm *vm, const uint8_t *tp_mac)
{
    static uint8_t f[TP_FRAMES][TP_MAXLEN], got[2048];
    const uint8_t *all[TP_FRAMES];
    unsigned lens[TP_FRAMES];
    for (unsigned k = 0; k < TP_FRAMES; k++) {
        nk_frame(f[k], tp_sizes[k], nk_peer, tp_mac, k + 7);
        all[k] = f[k];
        lens[k] = tp_sizes[k];
    }
    for (unsigned k = 0; k < TP_FRAMES && !vm->failed; k++)
        vw_ndis_send(vm, &all[k], &lens[k], 1);
    if (!vm->failed)
        vw_ndis_send(vm, all, lens, TP_FRAMES);
    tp_wait(vm, 2 * TP_FRAMES);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.send_completed == 2 * TP_FRAMES && st.send_failed == 0,
              "%u of %u sends completed, %u not with SUCCESS", st.send_completed, 2 * TP_FRAMES,
              st.send_failed);
    VW_EXPECT(vm, st.indicated == 2 * TP_FRAMES, "%u of %u frames came back", st.indicated,
              2 * TP_FRAMES);
    for (unsigned i = 0; i < st.indicated && !vm->failed; i++) {
        unsigned k = i % TP_FRAMES, len = vw_ndis_received(vm, i, got, sizeof(got));
        VW_EXPECT(vm, len == tp_sizes[k], "frame %u came back with %u bytes, %u sent", i, len,
                  tp_sizes[k]);
        VW_EXPECT(vm, memcmp(got, tp_mac, 6) == 0 && memcmp(got + 6, nk_peer, 6) == 0,
                  "frame %u: the MAC addresses are not swapped", i);
        VW_EXPECT(vm, memcmp(got + 12, f[k] + 12, tp_sizes[k] - 12) == 0,
                  "frame %u: bytes after the addresses differ from the frame sent", i);
    }
    vw_ndis_return_all(vm);
    vw_ndis_stats(vm, &st);
    VW_EXPECT(vm, st.returned == st.indicated && st.held == 0, "%u indicated, %u returned",
              st.indicated, st.returned);
}

/* NetKVM on testpmd with PAIRS queue pairs on as many CPUs, split or
 * PACKED rings. */
static void tp_run(struct vm *vm, unsigned pairs, bool packed)
{
    /* Rings of 64: InitializeEx posts a buffer per slot, and with testpmd's
     * polling core on one of two CPUs 256 per queue can pass the harness's
     * 5 s wall-clock bound on one driver call (machine/abi.c). */
    const struct nk_testpmd t = {.pairs = pairs, .cpus = pairs, .ring = 64, .packed = packed};
    struct vw_vhost_dev *net = nk_testpmd_up(vm, &t);
    if (net == NULL)
        return;
    bool got_packed = vmodel_driver_features(net->dev->model) >> NK_F_RING_PACKED & 1;
    VW_EXPECT(vm, got_packed == packed, "packed ring offered %d, negotiated %d", packed,
              got_packed);
    struct vw_ndis_stats st;
    vw_ndis_stats(vm, &st);
    /* DPDK's vhost PMD does not offer VIRTIO_NET_F_MAC: the driver makes up
     * its own address (5.1.5), unicast and locally administered. */
    VW_EXPECT(vm, (st.mac[0] & 3) == 2, "the address without VIRTIO_NET_F_MAC starts 0x%02x",
              st.mac[0]);
    /* Without VIRTIO_NET_F_STATUS the link is up (5.1.4.2). */
    VW_EXPECT(vm, st.media_connect == 1, "media connect state %u without STATUS", st.media_connect);
    /* MQ: the driver enables every pair it plans (5.1.6.5.5); with one pair
     * none needs enabling. */
    VW_EXPECT(vm, net->net_refused == 0 && (pairs == 1 || net->net_pairs == pairs),
              "VQ_PAIRS_SET %u (%u refused), %u pairs offered", net->net_pairs, net->net_refused,
              pairs);
    tp_traffic(vm, st.mac);
    /* Every queue the driver planned was started on the back end with its
     * own MSI-X message. */
    for (unsigned i = 0; i < 2u * pairs && !vm->failed; i++)
        VW_EXPECT(vm, net->q[i].started && net->q[i].vector != 0xffff,
                  "queue %u: started %d, MSI-X message %u", i, net->q[i].started, net->q[i].vector);
    /* testpmd polls and turns notifications off (a packed ring's device
     * event DISABLE), so a transmit queue may see no kick at all; the
     * frames' return shows it was served.  The answers came by call. */
    VW_EXPECT(vm, net->q[0].calls > 0, "pair 0: no receive call");
    if (!vm->failed && vw_ndis_pause(vm) && vw_ndis_halt(vm))
        vw_driver_unload(vm);
    /* The halt reset the device: the back end stopped every queue. */
    for (unsigned i = 0; i < 2u * pairs && !vm->failed; i++)
        VW_EXPECT(vm, net->q[i].stopped, "queue %u not stopped by the reset", i);
    vw_log(vm, "netkvm testpmd %u pairs: serving after %llu ms", pairs,
           (unsigned long long)net->start_ms);
    vw_vhost_stop(net);
}

VW_SCENARIO("netkvm", netkvm_testpmd_one_pair_split, NULL)
{
    tp_run(vm, 1, false);
}

VW_SCENARIO("netkvm", netkvm_testpmd_two_pairs_split, NULL)
{
    tp_run(vm, 2, false);
}

VW_SCENARIO("netkvm", netkvm_testpmd_two_pairs_packed, NULL)
{
    tp_run(vm, 2, true);
}

VW_SCENARIO("netkvm", netkvm_testpmd_four_pairs_split, NULL)
{
    tp_run(vm, 4, false);
}
