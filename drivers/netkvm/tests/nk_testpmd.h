/*
 * The start-up the NetKVM scenarios against DPDK testpmd share
 * (devices/dev_vhost_net.c: testpmd's vhost PMD serving a modern
 * virtio-net function over vhost-user, the control queue the front end's).
 */
#pragma once
#include "dev_vhost.h"
#include "nk_harness.h"

/* How a testpmd-backed function is set up */
struct nk_testpmd {
    unsigned pairs;    /* queue pairs offered (receive and transmit queue each) */
    unsigned cpus;     /* processors set first (0: the run's) */
    uint16_t ring;     /* each queue's size */
    bool packed;       /* offer the packed ring (else it is withheld) */
    uint64_t withhold; /* device feature bits withheld besides */
};

/* testpmd started for T, netkvm loaded on its function (the polling back
 * end's lock held meanwhile), InitializeEx done and the adapter Running;
 * NULL when testpmd is missing (the run failed) or a step failed. */
static inline struct vw_vhost_dev *nk_testpmd_up(struct vm *vm, const struct nk_testpmd *t)
{
    if (!vw_vhost_require(vm, &vw_vhost_net) || (t->cpus != 0 && !vw_cpus_set(vm, t->cpus)))
        return NULL;
    struct vw_vhost_params p = {.queues = (uint16_t)(2 * t->pairs),
                                .extra_queues = 1, /* the control queue */
                                .queue_max = t->ring,
                                .withhold =
                                    (t->packed ? 0 : 1ull << NK_F_RING_PACKED) | t->withhold};
    struct vw_vhost_dev *net = vw_vhost_create(vm, &vw_vhost_net, &p);
    if (net == NULL)
        return NULL;
    vw_ndis_attach_pci(vm, net->dev->pdo);
    if (!vw_driver_load(vm, "netkvm"))
        return NULL;
    VW_EXPECT(vm, vw_vhost_lock_held(vm, &vw_vhost_net),
              "the polling back end's lock is free while testpmd runs");
    if (!vw_ndis_initialize(vm) || !vw_ndis_restart(vm) || vm->failed)
        return NULL;
    return net;
}
