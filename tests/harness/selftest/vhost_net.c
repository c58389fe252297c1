/*
 * The vhost-user tier, network: testdrv/vnet.sys exchanges frames with DPDK
 * testpmd (macswap forwarding, 2 queue pairs) through the generic front end
 * (dev_vhost.h), with EVENT_IDX, split (net_2q_split) and packed
 * (net_2q_packed) rings.  All frames go out on both transmit queues first
 * (the driver does not wait per frame, as a real NIC driver), then each
 * comes back MAC-swapped on the receive queue of the same pair, in order,
 * every payload compared; the driver's counters show every frame completed.
 * The driver sets the pair count on the control queue (the front end's own,
 * as in QEMU).  A missing testpmd is a failure: `make` installs it (Debian
 * dpdk-dev).
 */
#include <string.h>
#include "dev_vhost.h"
#include "scenario.h"

#define VNET_IOCTL_SEND 0x222044u
#define VNET_IOCTL_RECV 0x222048u
#define VNET_IOCTL_INFO 0x22204cu
#define NET_QUEUES      4 /* 2 pairs */
#define FRAMES          4 /* per pair */
#define FRAME_LEN       96
#define F_EVENT_IDX     29
#define F_RING_PACKED   34
#define F_MQ            22

struct vnet_info {
    uint64_t features;
    uint32_t pairs, sent[2], received[2];
};

static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0a};
static const uint8_t self[6] = {0x52, 0x54, 0x00, 0x76, 0x77, 0x01};

/* Frame K of PAIR: to the peer from us, a local ethertype, a payload that
 * says which frame it is. */
static void make_frame(uint8_t *f, unsigned pair, unsigned k)
{
    memcpy(f, peer, 6);
    memcpy(f + 6, self, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    for (unsigned i = 14; i < FRAME_LEN; i++)
        f[i] = (uint8_t)(pair * 101 + k * 17 + i);
}

/* Post frame K on PAIR (the driver does not wait for the device). */
static void send_frame(struct vm *vm, gva_t pdo, unsigned pair, unsigned k)
{
    uint8_t req[4 + FRAME_LEN];
    uint32_t pair32 = pair;
    memcpy(req, &pair32, 4);
    make_frame(req + 4, pair, k);
    uint32_t status = vw_ioctl(vm, pdo, VNET_IOCTL_SEND, req, sizeof(req), NULL, 0, NULL);
    VW_EXPECT(vm, status == 0, "pair %u frame %u: send gave 0x%08x", pair, k, status);
}

/* Frame K of PAIR came back MAC-swapped on the same pair, payload intact
 * (testpmd keeps a queue's order). */
static void recv_frame(struct vm *vm, gva_t pdo, unsigned pair, unsigned k)
{
    uint8_t f[FRAME_LEN], got[2048];
    uint32_t pair32 = pair;
    uint64_t len = 0;
    make_frame(f, pair, k);
    uint32_t status = vw_ioctl(vm, pdo, VNET_IOCTL_RECV, &pair32, 4, got, sizeof(got), &len);
    VW_EXPECT(vm, status == 0, "pair %u frame %u: nothing came back (0x%08x)", pair, k, status);
    VW_EXPECT(vm, len == FRAME_LEN, "pair %u frame %u: %llu bytes came back, %u sent", pair, k,
              (unsigned long long)len, FRAME_LEN);
    VW_EXPECT(vm, memcmp(got, self, 6) == 0 && memcmp(got + 6, peer, 6) == 0,
              "pair %u frame %u: the addresses are not swapped", pair, k);
    VW_EXPECT(vm, memcmp(got + 12, f + 12, FRAME_LEN - 12) == 0,
              "pair %u frame %u: the payload differs from what was sent", pair, k);
}

static void run(struct vm *vm, uint64_t withhold)
{
    if (!vw_vhost_require(vm, &vw_vhost_net))
        return;
    struct vw_vhost_params p = {
        .queues = NET_QUEUES, .extra_queues = 1, .queue_max = 256, .withhold = withhold};
    struct vw_vhost_dev *net = vw_vhost_create(vm, &vw_vhost_net, &p);
    if (net == NULL || !vw_driver_load(vm, "vnet") || !vw_add_device(vm, net->dev->pdo))
        return;
    gva_t pdo = net->dev->pdo;
    /* testpmd's forwarding core polls: a second one beside it would wait. */
    VW_EXPECT(vm, vw_vhost_lock_held(vm, &vw_vhost_net),
              "the polling back end's lock is free while testpmd runs");
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");
    /* All frames out on both pairs first, then every answer reaped. */
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < NET_QUEUES / 2 && !vm->failed; pair++)
            send_frame(vm, pdo, pair, k);
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < NET_QUEUES / 2 && !vm->failed; pair++)
            recv_frame(vm, pdo, pair, k);

    struct vnet_info info = {0};
    uint64_t got = 0;
    VW_EXPECT(vm,
              vw_ioctl(vm, pdo, VNET_IOCTL_INFO, NULL, 0, &info, sizeof(info), &got) == 0 &&
                  got == sizeof(info),
              "VNET_IOCTL_INFO failed");
    bool packed = !(withhold >> F_RING_PACKED & 1);
    VW_EXPECT(vm, (info.features >> F_RING_PACKED & 1) == packed && (info.features >> F_MQ & 1),
              "negotiated 0x%llx (packed offered: %d)", (unsigned long long)info.features, packed);
    VW_EXPECT(vm, info.pairs == 2 && net->net_pairs == 2 && net->net_refused == 0,
              "the driver uses %u pairs, set %u on the control queue (%u refused)", info.pairs,
              net->net_pairs, net->net_refused);
    for (unsigned i = 0; i < 2 && !vm->failed; i++)
        VW_EXPECT(vm, info.sent[i] == FRAMES && info.received[i] == FRAMES,
                  "pair %u: %u sent, %u received, %u each expected", i, info.sent[i],
                  info.received[i], FRAMES);
    for (unsigned i = 0; i < NET_QUEUES && !vm->failed; i++)
        VW_EXPECT(vm, net->q[i].calls > 0 && net->q[i].vector == i,
                  "queue %u: %llu calls, MSI-X message %u", i, (unsigned long long)net->q[i].calls,
                  net->q[i].vector);
    VW_EXPECT(vm, vw_close(vm, pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
    /* The reset stopped every queue: testpmd took FRAMES buffers from each
     * (packed: the avail wrap counter, still 1, in bit 15). */
    for (unsigned i = 0; i < NET_QUEUES && !vm->failed; i++)
        VW_EXPECT(vm,
                  net->q[i].stopped && net->q[i].stopped_base == (packed ? 0x8000u : 0) + FRAMES,
                  "queue %u: GET_VRING_BASE gave 0x%x, 0x%x expected", i, net->q[i].stopped_base,
                  (packed ? 0x8000u : 0) + FRAMES);
    vw_vhost_stop(net);
}

VW_SCENARIO("vhost", net_2q_split, NULL)
{
    run(vm, 1ull << F_RING_PACKED);
}

/* Packed rings against testpmd: DPDK leaves the driver's length in the used
 * descriptors of a transmit queue, reserved without VIRTQ_DESC_F_WRITE
 * (spec 2.8.4); the ring core ignores it. */
VW_SCENARIO("vhost", net_2q_packed, NULL)
{
    run(vm, 0);
}
