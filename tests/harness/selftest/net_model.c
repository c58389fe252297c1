/*
 * The in-process virtio-net model (devices/dev_net.h) under a real driver:
 * testdrv/vnet.sys on 2 queue pairs (MQ and the control queue, EVENT_IDX,
 * split and packed rings, MSI-X).  Frames the driver sends are taken from
 * the wire, each on the pair it was sent from with its payload intact; the
 * scenario sends each back MAC-swapped onto the same pair's receive queue,
 * and the driver receives them in order.  The model saw no rule broken and
 * the driver's VQ_PAIRS_SET.  Planted: a hostile device writes a 20-byte
 * header (a hash report never negotiated) over the 12 the driver expects;
 * the frames the driver hands back are 8 bytes too long and the scenario
 * says so.  vnet posts its receive buffers before DRIVER_OK: on the packed
 * ring the ring watch starts its driver position past them.
 */
#include <string.h>
#include "dev_net.h"
#include "scenario.h"

#define VNET_IOCTL_SEND 0x222044u
#define VNET_IOCTL_RECV 0x222048u
#define VNET_IOCTL_INFO 0x22204cu
#define PAIRS           2
#define FRAMES          6 /* per pair */
#define FRAME_LEN       300
#define F_EVENT_IDX     29
#define F_INDIRECT      28
#define F_RING_PACKED   34

struct vnet_info {
    uint64_t features;
    uint32_t pairs, sent[2], received[2];
};

static const uint8_t peer[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x0b};
static const uint8_t self[6] = {0x52, 0x54, 0x00, 0x12, 0x34, 0x56};

/* Frame K of PAIR: to the peer from us, a local ethertype, a payload naming it. */
static void make_frame(uint8_t *f, unsigned pair, unsigned k)
{
    memcpy(f, peer, 6);
    memcpy(f + 6, self, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    for (unsigned i = 14; i < FRAME_LEN; i++)
        f[i] = (uint8_t)(pair * 101 + k * 17 + i);
}

static void run(struct vm *vm, bool packed, const struct vmodel_net_hostile *hx)
{
    struct vmodel_net_config nc;
    vmodel_net_default_config(&nc);
    nc.features = 1ull << VIRTIO_NET_F_CTRL_VQ | 1ull << VIRTIO_NET_F_MQ |
                  1ull << VIRTIO_NET_F_MAC | 1ull << VIRTIO_NET_F_STATUS;
    nc.max_virtqueue_pairs = PAIRS;
    uint64_t ring = 1ull << F_EVENT_IDX | 1ull << F_INDIRECT | (packed ? 1ull << F_RING_PACKED : 0);
    struct vw_net *net = vw_net_create(vm, VMODEL_MODERN, true, &nc, ring);
    if (net == NULL || !vw_driver_load(vm, "vnet") || !vw_add_device(vm, net->dev->pdo))
        return;
    gva_t pdo = net->dev->pdo;
    if (hx != NULL)
        vmodel_net_set_hostile(net->model, hx);
    VW_EXPECT(vm, vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE) == 0, "START_DEVICE failed");
    VW_EXPECT(vm, vw_create(vm, pdo) == 0, "IRP_MJ_CREATE failed");
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < PAIRS && !vm->failed; pair++) {
            uint8_t req[4 + FRAME_LEN];
            uint32_t p32 = pair;
            memcpy(req, &p32, 4);
            make_frame(req + 4, pair, k);
            uint32_t st = vw_ioctl(vm, pdo, VNET_IOCTL_SEND, req, sizeof(req), NULL, 0, NULL);
            VW_EXPECT(vm, st == 0, "pair %u frame %u: send gave 0x%08x", pair, k, st);
        }
    struct vnet_info info = {0};
    uint64_t got = 0;
    VW_EXPECT(vm,
              vw_ioctl(vm, pdo, VNET_IOCTL_INFO, NULL, 0, &info, sizeof(info), &got) == 0 &&
                  got == sizeof(info),
              "VNET_IOCTL_INFO failed");
    /* Every frame is on the wire, from its pair, intact; back it goes, MAC-swapped. */
    unsigned seen[PAIRS] = {0};
    struct vmodel_net_frame f;
    while (!vm->failed && vmodel_net_wire_take(net->model, &f)) {
        uint8_t want[FRAME_LEN], back[FRAME_LEN];
        VW_EXPECT(vm, f.queue < PAIRS && seen[f.queue] < FRAMES, "a frame from pair %u", f.queue);
        make_frame(want, f.queue, seen[f.queue]++);
        VW_EXPECT(vm, f.len == FRAME_LEN && memcmp(f.data, want, FRAME_LEN) == 0,
                  "pair %u frame %u: %u bytes on the wire, not the frame sent", f.queue,
                  seen[f.queue] - 1, f.len);
        memcpy(back, f.data + 6, 6);
        memcpy(back + 6, f.data, 6);
        memcpy(back + 12, f.data + 12, FRAME_LEN - 12);
        struct vmodel_net_rx_opts o = {.queue = f.queue};
        VW_EXPECT(vm, vmodel_net_wire_inject(net->model, back, FRAME_LEN, &o) == (int)f.queue,
                  "the model refused a frame for pair %u", f.queue);
    }
    for (unsigned pair = 0; pair < PAIRS && !vm->failed; pair++)
        VW_EXPECT(vm, seen[pair] == FRAMES, "pair %u: %u frames on the wire, %u sent", pair,
                  seen[pair], FRAMES);
    for (unsigned k = 0; k < FRAMES && !vm->failed; k++)
        for (unsigned pair = 0; pair < PAIRS && !vm->failed; pair++) {
            uint8_t want[FRAME_LEN], rx[2048];
            uint32_t p32 = pair;
            uint64_t len = 0;
            make_frame(want, pair, k);
            uint32_t st = vw_ioctl(vm, pdo, VNET_IOCTL_RECV, &p32, 4, rx, sizeof(rx), &len);
            VW_EXPECT(vm, st == 0 && len == FRAME_LEN, "pair %u frame %u: 0x%08x, %llu bytes", pair,
                      k, st, (unsigned long long)len);
            VW_EXPECT(vm,
                      memcmp(rx, self, 6) == 0 && memcmp(rx + 6, peer, 6) == 0 &&
                          memcmp(rx + 12, want + 12, FRAME_LEN - 12) == 0,
                      "pair %u frame %u: not the frame sent back", pair, k);
        }
    const struct vmodel_net_stats *s = vmodel_net_stats(net->model);
    VW_EXPECT(vm,
              s->rule_errors == 0 && s->tx_frames == PAIRS * FRAMES &&
                  s->rx_frames == PAIRS * FRAMES && s->rx_dropped_no_buffer == 0,
              "model: %llu rules broken, %llu sent, %llu received, %llu dropped",
              (unsigned long long)s->rule_errors, (unsigned long long)s->tx_frames,
              (unsigned long long)s->rx_frames, (unsigned long long)s->rx_dropped_no_buffer);
    VW_EXPECT(vm, vmodel_net_state(net->model)->pairs == PAIRS && info.pairs == PAIRS,
              "the driver uses %u pairs, the device %u", info.pairs,
              vmodel_net_state(net->model)->pairs);
    VW_EXPECT(vm, (info.features >> F_RING_PACKED & 1) == packed, "negotiated 0x%llx",
              (unsigned long long)info.features);
    VW_EXPECT(vm, vw_close(vm, pdo) == 0, "IRP_MJ_CLOSE failed");
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

VW_SCENARIO("netmodel", netmodel_2q_split, NULL)
{
    run(vm, false, NULL);
}

VW_SCENARIO("netmodel", netmodel_2q_packed, NULL)
{
    run(vm, true, NULL);
}

VW_SCENARIO("netmodel", netmodel_hostile_header, "pair 0 frame 0: 0x00000000, 308 bytes")
{
    run(vm, false, &(struct vmodel_net_hostile){.hash_unnegotiated = true});
}
