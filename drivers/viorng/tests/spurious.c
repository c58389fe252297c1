/*
 * A spurious interrupt on the line (or another device's, on a shared line):
 * the device's ISR status says nothing is pending, so the ISR must decline
 * it; reads go on working after it.
 */
#include "viorng_test.h"

VW_SCENARIO("viorng", spurious_line_interrupt_declined, NULL)
{
    struct vw_virtio *dev = viorng_device(vm, VMODEL_MODERN, false, 0);
    if (!viorng_start(vm, dev))
        return;
    viorng_read_expect(vm, dev, 16);
    unsigned before = vm->k->interrupts_delivered;
    vw_intr_raise(vm, dev->pdo, 0);
    vw_run(vm);
    VW_EXPECT(vm, vm->k->interrupts_delivered == before + 1,
              "the injected interrupt was not delivered");
    VW_EXPECT(vm, vm->log && strstr(vm->log, "the line ISR did not claim the interrupt"),
              "the ISR claimed an interrupt its device did not raise");
    viorng_read_expect(vm, dev, 16);
    viorng_finish(vm, dev);
}
