/*
 * The virtio console PCI function (see dev_console.h).
 */
#include <stdlib.h>
#include "dev_console.h"
#include "kernel.h"

#define F_VERSION_1 (1ull << 32)

/* The model's failures and notes, as the scenario's (host code). */
static void report(void *ctx, bool failure, const char *msg)
{
    struct vw_console *c = ctx;
    if (failure)
        vw_fail(c->vm, "console model: %s", msg);
    else
        vw_log(c->vm, "console model: %s", msg);
}

struct vw_console *vw_console_create(struct vm *vm, enum vmodel_transport transport, bool msix,
                                     uint64_t extra_features, bool multiport, uint32_t max_ports)
{
    struct vw_console *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return NULL;
    vw_kernel_keep(vm, c);
    c->vm = vm;
    c->con.report = (struct model_report){report, c};
    uint8_t devcfg[VMODEL_CONSOLE_CFG_LEN];
    vmodel_console_init(&c->con, multiport, max_ports, devcfg);
    uint32_t ports =
        c->con.max_ports < VMODEL_CONSOLE_MAX_PORTS ? c->con.max_ports : VMODEL_CONSOLE_MAX_PORTS;
    struct vw_virtio_config cfg = {
        .transport = transport,
        .device_type = VMODEL_CONSOLE_ID,
        .features = (transport == VMODEL_LEGACY ? 0 : F_VERSION_1) |
                    (multiport ? VMODEL_CONSOLE_F_MULTIPORT : 0) | extra_features,
        .queues = (uint16_t)(multiport ? 2 * ports + 2 : 2),
        .queue_max = 64,
        .msix = msix,
        .seed = 0xc0c0,
        .device_cfg_len = VMODEL_CONSOLE_CFG_LEN,
    };
    c->dev = vw_virtio_create(vm, &cfg);
    if (c->dev == NULL)
        return NULL;
    vmodel_set_device_cfg(c->dev->model, 0, devcfg, sizeof(devcfg));
    vmodel_set_handler(c->dev->model, vmodel_console_handler, &c->con);
    return c;
}
