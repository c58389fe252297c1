/*
 * The virtio-net PCI function on the in-process model (see dev_net.h).
 */
#include <stdlib.h>
#include "dev_net.h"
#include "kernel.h"

#define F_VERSION_1 (1ull << 32)

/* Free the model with the machine (host code). */
static void destroy_model(void *p)
{
    vmodel_net_destroy(p);
}

/* The model's rule breaks and notes, as the scenario's (host code). */
static void report(void *ctx, bool failure, const char *msg)
{
    struct vw_net *n = ctx;
    if (failure && n->rules_fail)
        vw_fail(n->vm, "net model: %s", msg);
    else
        vw_log(n->vm, "net model: %s", msg);
}

struct vw_net *vw_net_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                             const struct vmodel_net_config *nc, uint64_t ring)
{
    return vw_net_create_shaped(vm, transport, msix, nc, ring, &(struct vw_net_shape){0});
}

struct vw_net *vw_net_create_shaped(struct vm *vm, enum vmodel_transport transport, bool msix,
                                    const struct vmodel_net_config *nc, uint64_t ring,
                                    const struct vw_net_shape *shape)
{
    struct vw_net *n = calloc(1, sizeof(*n));
    if (n == NULL)
        return NULL;
    vw_kernel_keep(vm, n);
    n->vm = vm;
    n->rules_fail = true;
    struct vmodel_config mc = {0};
    vmodel_net_vmodel_config(&mc, nc);
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VMODEL_NET_DEVICE_TYPE,
        .features = (transport == VMODEL_LEGACY ? 0 : F_VERSION_1) | ring | mc.features,
        .queues = mc.num_queues,
        .queue_max = shape->queue_max ? shape->queue_max : 256,
        .msix = msix,
        .msix_vectors = shape->msix_vectors,
        .seed = 0x4e37,
        .device_cfg_len = VMODEL_NET_CFG_LEN,
    };
    n->dev = vw_virtio_create(vm, &cfg);
    if (n->dev == NULL)
        return NULL;
    n->model = vmodel_net_create(n->dev->model, nc, &(struct model_report){report, n});
    if (n->model == NULL) {
        vw_fail(vm, "harness: the net model could not be created");
        return NULL;
    }
    vw_kernel_keep_fn(vm, destroy_model, n->model);
    return n;
}
