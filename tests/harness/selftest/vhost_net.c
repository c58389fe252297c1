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
#include <time.h>
#include "dev_vhost.h"
#include "kernel.h"
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

/* Real time in ms (host clock). */
static uint64_t wall_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

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

/* How long testpmd is stopped (SIGSTOP) before the frames go out: not at
 * all, 4 s of real time (a loaded host), or for good (a hang). */
enum net_pause { NET_RUNS, NET_STOPPED_4S, NET_HUNG };

static void run(struct vm *vm, uint64_t withhold, enum net_pause pause, bool planted_count)
{
    if (!vw_vhost_require(vm, &vw_vhost_net))
        return;
    struct vw_vhost_params p = {
        .queues = NET_QUEUES, .extra_queues = 1, .queue_max = 256, .withhold = withhold};
    struct vw_vhost_dev *net = vw_vhost_create(vm, &vw_vhost_net, &p);
    if (net == NULL || !vw_driver_load(vm, "vnet") || !vw_add_device(vm, net->dev->pdo))
        return;
    gva_t pdo = net->dev->pdo;
    net->planted_count_posted = planted_count;
    /* testpmd's forwarding core polls: a second one beside it would wait. */
    VW_EXPECT(vm, vw_vhost_lock_held(vm, &vw_vhost_net),
              "the polling back end's lock is free while testpmd runs");
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");
    uint64_t v0 = vm->k->interrupt_time, t0 = wall_ms();
    if (pause == NET_HUNG)
        vw_vhost_hang_bound(net, 5000);
    if (pause != NET_RUNS && !vw_vhost_pause(net, pause == NET_HUNG ? 0 : 4000))
        return;
    /* All frames out on both pairs first, then every answer reaped. */
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < NET_QUEUES / 2 && !vm->failed; pair++)
            send_frame(vm, pdo, pair, k);
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < NET_QUEUES / 2 && !vm->failed; pair++)
            recv_frame(vm, pdo, pair, k);
    vw_vhost_pause_end(net);
    if (pause == NET_STOPPED_4S) {
        /* The wait was in real time: no receive timed out (5 s virtual). */
        uint64_t real = wall_ms() - t0, virt = (vm->k->interrupt_time - v0) / 10000;
        vw_log(vm, "testpmd stopped 4 s: %llu ms of real time, %llu ms of virtual time",
               (unsigned long long)real, (unsigned long long)virt);
        VW_EXPECT(vm, real >= 4000 && virt < 5000,
                  "testpmd stopped 4 s: %llu ms real, %llu ms virtual (a receive's wait is 5 s)",
                  (unsigned long long)real, (unsigned long long)virt);
    }

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
    /* The front end's own count of what testpmd forwarded (its settling
     * wait ends on it): exactly the frames sent on each transmit queue and
     * taken back on each receive queue, split or packed. */
    net->type->answered(net, false);
    for (unsigned i = 0; i < NET_QUEUES && !vm->failed; i++)
        VW_EXPECT(vm, net->q[i].fwd_frames == FRAMES && !net->q[i].fwd_lost,
                  "queue %u: the front end counted %llu frames forwarded%s, %u expected", i,
                  (unsigned long long)net->q[i].fwd_frames,
                  net->q[i].fwd_lost ? " (count untrusted)" : "", FRAMES);
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
    run(vm, 1ull << F_RING_PACKED, NET_RUNS, false);
}

/* testpmd stopped 4 s of real time with every frame waiting on its
 * transmit queues: a slow host, not a device that hangs.  The front end
 * waits for it in real time (virtual time stands still; with the old 3 s
 * bound virtual time ran on and a receive timed out). */
VW_SCENARIO("vhost", net_2q_split_testpmd_stopped_4s, NULL)
{
    run(vm, 1ull << F_RING_PACKED, NET_STOPPED_4S, false);
}

/* Stopped for good, with a 5 s hang bound: the run fails naming testpmd. */
VW_SCENARIO("vhost", checker_testpmd_hangs, "the back end (dpdk-testpmd, pid")
{
    run(vm, 1ull << F_RING_PACKED, NET_HUNG, false);
}

/* Packed rings against testpmd: DPDK leaves the driver's length in the used
 * descriptors of a transmit queue, reserved without VIRTQ_DESC_F_WRITE
 * (spec 2.8.4); the ring core ignores it. */
VW_SCENARIO("vhost", net_2q_packed, NULL)
{
    run(vm, 0, NET_RUNS, false);
}

/* Planted: the front end counts the receive buffers the driver posted on a
 * packed ring as frames come back (16 a queue, before testpmd forwarded
 * any): the count of frames forwarded, which ends its settling wait, is
 * caught. */
VW_SCENARIO("vhost", checker_packed_count_posted, "frames forwarded, 4 expected")
{
    run(vm, 0, NET_RUNS, true);
}
