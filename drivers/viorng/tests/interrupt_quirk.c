/*
 * The framework's interrupt connection against a kernel whose
 * IoConnectInterruptEx(CONNECT_MESSAGE_BASED) returns success without
 * filling the connection context (vw_intr_quirk_empty_context, as another
 * NT-compatible kernel behaved): the framework must not use the empty
 * context (NULL dereference at START), but connect the line interrupt and
 * serve reads through it; with no line to fall back on, START fails with
 * one clear error and nothing connected or leaked.
 */
#include "viorng_test.h"

VW_SCENARIO("viorng", message_connect_without_context_uses_line, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_TRANSITIONAL, false, 0);
    vw_intr_quirk_empty_context(vm, true);
    if (!viorng_start(vm, dev))
        return;
    unsigned before = vm->k->interrupts_delivered;
    viorng_read_expect(vm, dev, 64);
    viorng_read_expect(vm, dev, 64);
    VW_EXPECT(vm, vm->k->interrupts_delivered > before,
              "reads completed without the line interrupt being delivered");
    viorng_finish(vm, dev);
}

VW_SCENARIO("viorng", message_connect_without_context_no_line, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, true, 0);
    vw_intr_quirk_empty_context(vm, true);
    if (dev == NULL || !vw_driver_load(vm, "viorng") || !vw_add_device(vm, dev->pdo))
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status != 0, "START succeeded with no usable interrupt connection");
    for (unsigned i = 0; i < vm->k->interrupt_count; i++)
        VW_EXPECT(vm, !vm->k->interrupts[i]->live, "an interrupt is left connected");
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
