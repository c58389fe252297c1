/*
 * Helpers of the vioser scenarios (see vioser_test.h).
 */
#include <stdio.h>
#include "vioser_test.h"

bool vioser_start(struct vm *vm, struct vw_console *c)
{
    if (c == NULL || !vw_driver_load(vm, "vioser") || !vw_add_device(vm, c->dev->pdo))
        return false;
    uint32_t status = vw_pnp(vm, c->dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    vw_run(vm);
    return !vm->failed;
}

gva_t vioser_open_name(struct vm *vm, const char *name)
{
    char path[300];
    snprintf(path, sizeof(path), "\\GLOBAL??\\%s", name);
    return vw_object_lookup(vm, path);
}

gva_t vioser_port_object(struct vm *vm, unsigned id)
{
    char path[64];
    snprintf(path, sizeof(path), "\\Device\\vport0p%u", id);
    return vw_object_lookup(vm, path);
}

void vioser_finish(struct vm *vm, struct vw_console *c)
{
    vw_pnp(vm, c->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    VW_EXPECT(vm, vioser_port_object(vm, 0) == 0 && vioser_port_object(vm, 1) == 0,
              "port objects left after REMOVE");
    vw_driver_unload(vm);
}

uint32_t vioser_write(struct vm *vm, gva_t port, const void *data, uint32_t len, uint64_t *written)
{
    struct vw_async a;
    uint32_t status = vw_request_start(vm, port, VW_IRP_MJ_WRITE, data, NULL, len, &a);
    for (unsigned i = 0; i < 16 && !a.done && !vm->failed; i++)
        vw_run(vm);
    VW_EXPECT(vm, a.done, "a write of %u bytes never completed", len);
    if (written)
        *written = a.info;
    return a.done ? a.status : status;
}
