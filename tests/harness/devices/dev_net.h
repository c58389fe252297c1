/*
 * A virtio-net PCI function (1AF4:1000 transitional or legacy, 1AF4:1041
 * modern): dev_virtio around the in-process net model
 * (tests/models/virtio/vmodel_net.h), notification-driven, MSI-X (2 x pairs
 * + 1 queues, one message each plus the configuration's) or the INTx line,
 * asynchronous completion as every dev_virtio model.  The model's rule
 * breaks (a driver's malformed header, control command or buffer) fail the
 * scenario; its notes go to the log.
 *
 * Scenario calls (host code, between driver calls), on net->model:
 *   vmodel_net_wire_inject(net->model, frame, len, &opts)  a frame arrives
 *   vmodel_net_wire_take(net->model, &f)                   a frame the driver sent
 *   vmodel_net_set_link / vmodel_net_announce              config interrupt
 *   vmodel_net_set_hostile, vmodel_net_stats, vmodel_net_state
 */
#pragma once
#include "dev_virtio.h"
#include "vmodel_net.h"

struct vw_net {
    struct vm *vm;
    struct vw_virtio *dev;
    struct vmodel_net *model;
    bool rules_fail; /* a rule break fails the run (default); false: counted only */
};

/* A virtio-net function with NC (device-specific bits in NC->features) and the ring
 * features RING (VIRTIO_F_* bits: EVENT_IDX, INDIRECT_DESC, RING_PACKED; VERSION_1 is
 * added unless TRANSPORT is legacy). */
struct vw_net *vw_net_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                             const struct vmodel_net_config *nc, uint64_t ring);

/* The function's shape beyond the model: ring size and MSI-X messages. */
struct vw_net_shape {
    uint16_t queue_max;    /* largest queue size offered (0: 256) */
    uint16_t msix_vectors; /* messages granted (0: one per queue + 1) */
};
/* vw_net_create with SHAPE. */
struct vw_net *vw_net_create_shaped(struct vm *vm, enum vmodel_transport transport, bool msix,
                                    const struct vmodel_net_config *nc, uint64_t ring,
                                    const struct vw_net_shape *shape);
