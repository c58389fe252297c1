/*
 * virtio-net through DPDK testpmd's vhost PMD (Debian dpdk-dev): the
 * device-specific table of the generic vhost-user function (dev_vhost.h).
 * testpmd runs with the command line of issue 13 (no hugepages, no PCI, two
 * lcores, macswap forwarding) on p.queues / 2 queue pairs, interactive
 * (-i, commands on stdin) instead of --auto-start: its forwarding core
 * polls, from the start command the front end sends at DRIVER_OK on, so
 * the scenario keeps its lifetime short.  As in QEMU, the
 * control queue (the extra queue after the pairs) is the front end's own:
 * the model serves it here, answering VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET.
 * vhost-user has no GET_CONFIG for net: the configuration space (MAC,
 * status, max_virtqueue_pairs) is the front end's.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dev_vhost.h"
#include "kernel.h"
#include "ram.h"

#define VIRTIO_ID_NET             1
#define NET_CONFIG_LEN            12 /* mac[6], status, max_virtqueue_pairs, mtu */
#define VIRTIO_NET_S_LINK_UP      1
#define VIRTIO_NET_CTRL_MQ        4
#define VIRTIO_NET_CTRL_MQ_VQ_SET 0
#define VIRTIO_NET_OK             0
#define VIRTIO_NET_ERR            1
#define VIRTIO_NET_F_MRG_RXBUF    15
#define NET_HDR_MRG_LEN           12 /* virtio_net_hdr with num_buffers */
/* Offered by the vhost PMD but needing the front end (MTU, status and
 * announce live in the front end's configuration space, the control
 * queue's other classes in QEMU): withheld. */
#define NET_WITHHELD                                                                               \
    (1ull << 3 /* MTU */ | 1ull << 16 /* STATUS */ | 1ull << 18 /* CTRL_RX */ |                    \
     1ull << 19 /* CTRL_VLAN */ | 1ull << 21 /* GUEST_ANNOUNCE */ | 1ull << 23 /* CTRL_MAC */)
/* The front end's control queue makes these available (QEMU does the same). */
#define NET_FRONT_END_OFFERS (1ull << 17 /* CTRL_VQ */ | 1ull << 22 /* MQ */)

/* EAL's runtime directory for --file-prefix PREFIX (root: /var/run/dpdk). */
static void runtime_dir(char *buf, size_t cap)
{
    const char *xdg = getenv("XDG_RUNTIME_DIR");
    if (getuid() == 0)
        snprintf(buf, cap, "/var/run/dpdk/vw-net-%d", (int)getpid());
    else
        snprintf(buf, cap, "%s/dpdk/vw-net-%d", xdg ? xdg : "/tmp", (int)getpid());
}

/* testpmd leaves its EAL runtime directory (config, sockets, memseg
 * arrays) behind: remove this run's, which only it used. */
static void net_cleanup(const struct vw_vhost_dev *d)
{
    char dir[200], path[520];
    (void)d;
    runtime_dir(dir, sizeof(dir));
    DIR *dp = opendir(dir);
    if (dp == NULL)
        return;
    for (struct dirent *e; (e = readdir(dp)) != NULL;)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
            unlink(path);
        }
    closedir(dp);
    rmdir(dir);
}

/* dpdk-testpmd ... --vdev net_vhost0,iface=SOCK,queues=N -- macswap.
 * -m 64: the pool of 8192 mbufs of 2176 data bytes is 8192 x 2368 bytes
 * (128 header + 2176 + 64 object header) = 19.4 MB; start-up fails below
 * 44 MB (EAL's and the ports' own allocations), and the 20 MB above that
 * are for what vhost allocates per queue when the front end connects.
 * Every MB asked for is mapped and set up at start-up (1024: 0.77 s of
 * CPU, 64: 0.41 s). */
static void net_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    unsigned pairs = d->p.queues / 2;
    int prefix = snprintf(store, cap, "--file-prefix=vw-net-%d", (int)getpid()) + 1;
    int vdev = snprintf(store + prefix, cap - (size_t)prefix, "net_vhost0,iface=%s,queues=%u",
                        d->sock, pairs) +
               1;
    int rxq = snprintf(store + prefix + vdev, cap - (size_t)(prefix + vdev), "--rxq=%u", pairs) + 1;
    snprintf(store + prefix + vdev + rxq, cap - (size_t)(prefix + vdev + rxq), "--txq=%u", pairs);
    const char *args[] = {d->type->program,
                          "--no-huge",
                          "-m",
                          "64",
                          "--no-pci",
                          "-l",
                          "0,1",
                          store,
                          "--vdev",
                          store + prefix,
                          "--",
                          "--forward-mode=macswap",
                          "-i",            /* commands on stdin: forwarding starts at DRIVER_OK */
                          "--no-flush-rx", /* start drops no frame the driver already sent */
                          store + prefix + vdev,
                          store + prefix + vdev + rxq,
                          "--nb-cores=1",
                          "--total-num-mbufs=8192",
                          NULL};
    for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++)
        argv[i] = args[i];
}

/* A locally administered MAC, link up, the pairs served. */
static void net_config(const struct vw_vhost_dev *d, uint8_t *cfg)
{
    static const uint8_t mac[6] = {0x52, 0x54, 0x00, 0x76, 0x77, 0x01};
    uint16_t status = VIRTIO_NET_S_LINK_UP, pairs = (uint16_t)(d->p.queues / 2);
    memcpy(cfg, mac, 6);
    memcpy(cfg + 6, &status, 2);
    memcpy(cfg + 8, &pairs, 2);
}

/* The control queue: header (class, command), data, ack byte.  Device-side:
 * the driver's request is untrusted. */
static uint32_t net_ctrl(void *ctx, const struct vmodel_req *req)
{
    struct vw_vhost_dev *d = ctx;
    uint8_t cmd[4] = {0};
    uint32_t got = 0;
    const struct vmodel_seg *ack = NULL;
    for (unsigned i = 0; i < req->nsegs; i++) {
        const struct vmodel_seg *s = &req->segs[i];
        if (s->write) {
            ack = ack ? ack : s;
            continue;
        }
        for (uint32_t j = 0; j < s->len && got < sizeof(cmd); j++)
            cmd[got++] = ((const uint8_t *)s->va)[j];
    }
    if (ack == NULL || ack->len < 1)
        return 0;
    uint16_t pairs = (uint16_t)(cmd[2] | cmd[3] << 8);
    bool ok = req->queue == d->p.queues && got == 4 && cmd[0] == VIRTIO_NET_CTRL_MQ &&
              cmd[1] == VIRTIO_NET_CTRL_MQ_VQ_SET && pairs >= 1 && pairs <= d->p.queues / 2;
    if (ok)
        d->net_pairs = pairs;
    else
        d->net_refused++;
    *(uint8_t *)ack->va = ok ? VIRTIO_NET_OK : VIRTIO_NET_ERR;
    return 1;
}

/* Frames that start at the buffer whose head descriptor has ADDR and
 * FLAGS: the number of buffers the frame took (num_buffers of its header;
 * an indirect head's buffer is its table's first entry), 0 when the header
 * is outside guest RAM.  The back end's values are untrusted. */
static uint16_t frame_buffers(struct vw_vhost_dev *d, uint64_t addr, uint16_t flags)
{
    uint16_t buffers = 0;
    if (flags & 4) { /* VIRTQ_DESC_F_INDIRECT: the first entry of its table */
        const uint8_t *table = vw_ram_host(d->vm, addr, 16);
        if (table == NULL)
            return 0;
        memcpy(&addr, table, 8);
    }
    const uint8_t *hdr = vw_ram_host(d->vm, addr, NET_HDR_MRG_LEN);
    if (hdr != NULL)
        memcpy(&buffers, hdr + 10, 2); /* num_buffers */
    return buffers;
}

/* Split ring: count queue Q's new used entries as frames: one per entry, or
 * with mergeable receive buffers (RX) one per head, whose header's
 * num_buffers says how many entries the frame took.  A head outside the
 * table or guest RAM counts as a frame of one buffer. */
static void count_split(struct vw_vhost_dev *d, struct vw_vhost_queue *q, bool mergeable)
{
    const struct vw_vhost_ring *r = &q->ring;
    uint16_t used;
    memcpy(&used, (const uint8_t *)r->device + 2, 2);
    for (; q->fwd_seen != used; q->fwd_seen++) {
        if (q->fwd_cont > 0) {
            q->fwd_cont--;
            continue;
        }
        q->fwd_frames++;
        if (!mergeable)
            continue;
        uint32_t id;
        memcpy(&id, (const uint8_t *)r->device + 4 + 8ull * (q->fwd_seen % r->num), 4);
        if (id >= r->num)
            continue;
        const uint8_t *desc = (const uint8_t *)r->desc + 16ull * id;
        uint64_t addr;
        uint16_t flags;
        memcpy(&addr, desc, 8);
        memcpy(&flags, desc + 12, 2);
        uint16_t buffers = frame_buffers(d, addr, flags);
        q->fwd_cont = buffers > 1 ? buffers - 1u : 0;
    }
}

/* Packed ring (virtio 1.2 2.8): the used buffers the front end's cursor
 * counted (dev_vhost_packed.c: used descriptors matched to the buffers the
 * driver made available, by buffer ID, each side's wrap counter followed),
 * as frames the same way.  A mergeable head is found by the buffer ID the
 * device wrote, its address as the driver made it available; one the
 * cursor could not see available, or more than a ring behind, makes the
 * queue's count untrusted (fwd_lost), never a frame guessed. */
static void count_packed(struct vw_vhost_dev *d, struct vw_vhost_queue *q, bool mergeable,
                         bool receive)
{
    const struct vw_vhost_packed *pk = &q->pk;
    if (!mergeable || pk->num == 0) {
        uint64_t upto = d->planted_count_posted && receive ? pk->made_available : pk->used;
        q->fwd_frames += upto - q->fwd_used;
        q->fwd_used = upto;
        return;
    }
    if (pk->used - q->fwd_used > pk->num)
        q->fwd_lost = true;
    for (; q->fwd_used < pk->used && !q->fwd_lost; q->fwd_used++) {
        if (q->fwd_cont > 0) {
            q->fwd_cont--;
            continue;
        }
        uint16_t id = pk->used_id[q->fwd_used % pk->num];
        uint16_t buffers = id < pk->num && pk->head_addr[id] != VW_VHOST_NO_ADDR
                               ? frame_buffers(d, pk->head_addr[id], pk->head_flags[id])
                               : 0;
        if (buffers == 0) {
            q->fwd_lost = true;
            break;
        }
        q->fwd_frames++;
        q->fwd_cont = buffers - 1u;
    }
    q->fwd_used = pk->used;
}

/* macswap sends every frame it receives back on the pair it came from:
 * answered when the frames come back on receive queues as many as it
 * took from the transmit queues, less the ones given up on.  Transmit
 * counted first: the back end writes a frame's transmit used entry before
 * its receive one, so a frame counted sent may not be counted received
 * yet, never the reverse.  A packed queue's cursor is brought up to date
 * (vw_vhost_packed_follow) only here, so each side is counted as it was
 * when read, transmit before receive. */
static bool net_answered(struct vw_vhost_dev *d, bool forget)
{
    bool mergeable = vmodel_driver_features(d->dev->model) >> VIRTIO_NET_F_MRG_RXBUF & 1;
    bool lost = false;
    uint64_t sent = 0, received = 0;
    for (int receive = 0; receive < 2; receive++) {
        for (unsigned i = receive ? 0 : 1; i < d->p.queues; i += 2) {
            struct vw_vhost_queue *q = &d->q[i];
            if (!q->started)
                continue;
            if (q->ring.packed) {
                vw_vhost_packed_follow(&q->pk, q->ring.desc);
                count_packed(d, q, receive && mergeable, receive);
            } else {
                count_split(d, q, receive && mergeable);
            }
            lost = lost || q->fwd_lost;
        }
    }
    for (unsigned i = 0; i < d->p.queues; i++)
        *(i % 2 ? &sent : &received) += d->q[i].fwd_frames;
    if (forget && sent - d->fwd_dropped > received)
        d->fwd_dropped = sent - received;
    return !lost && sent - d->fwd_dropped <= received;
}

/* testpmd's forwarding core polls from its start command on: sent once,
 * when the driver has started the queues (until then the core waits
 * instead of spinning through testpmd's start-up and the handshake: 0.8 of
 * the 1.2 s before a run is served).  A reset's DRIVER_OK finds it
 * forwarding. */
static void net_serve(struct vw_vhost_dev *d)
{
    static const char start[] = "start\n";
    if (d->net_forwarding || d->stdin_fd < 0)
        return;
    if (write(d->stdin_fd, start, sizeof(start) - 1) != (ssize_t)(sizeof(start) - 1)) {
        vw_fail(d->vm, "vhost-net: cannot tell %s to start forwarding", d->type->program);
        return;
    }
    d->net_forwarding = true;
}

static void net_setup(struct vw_vhost_dev *d)
{
    vmodel_set_handler(d->dev->model, net_ctrl, d);
}

const struct vw_vhost_type vw_vhost_net = {
    .name = "net",
    .program = "dpdk-testpmd",
    .package = "dpdk-dev",
    .device_type = VIRTIO_ID_NET,
    .config_len = NET_CONFIG_LEN,
    .quiet_ms = 300, /* testpmd forwards from a thread that shares 2 cores with make check */
    .even_queues_receive = true,
    .polls = true,
    .withheld = NET_WITHHELD,
    .offers = NET_FRONT_END_OFFERS,
    .argv = net_argv,
    .config = net_config,
    .setup = net_setup,
    .serve = net_serve,
    .cleanup = net_cleanup,
    .answered = net_answered,
    .worker = "rte-worker", /* testpmd's forwarding lcore (-l 0,1: rte-worker-1) */
};
