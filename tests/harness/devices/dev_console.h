/*
 * A virtio console PCI function: dev_virtio around the console model
 * (tests/models/virtio/vmodel_console), whose failures fail the scenario
 * and whose notes go to its log.
 */
#pragma once
#include "dev_virtio.h"
#include "vmodel_console.h"

struct vw_console {
    struct vm *vm;
    struct vw_virtio *dev;
    struct vmodel_console con; /* ports, control messages, host buffers */
};

/* A console PCI function (features: MULTIPORT when MULTIPORT is set). */
struct vw_console *vw_console_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t extra_features, bool multiport, uint32_t max_ports);
