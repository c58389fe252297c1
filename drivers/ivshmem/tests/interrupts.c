/* Doorbells and interrupt events. */
#include "ivshmem_test.h"

/* The owner's doorbell reaches the register as peer << 16 | vector. */
VW_SCENARIO("ivshmem", doorbell, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    gva_t other = file ? ivshmem_open(vm, dev) : 0;
    if (other == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    status = ivshmem_ring(vm, dev, file, 5, 1);
    VW_EXPECT(vm,
              status == 0 && dev->regs.doorbell_count == 1 && dev->regs.doorbells[0] == 0x00050001u,
              "doorbell: 0x%08x, %u rung, value 0x%08x", status, dev->regs.doorbell_count,
              dev->regs.doorbells[0]);
    status = ivshmem_ring(vm, dev, other, 5, 1);
    VW_EXPECT(vm, status == ST_INVALID_HANDLE && dev->regs.doorbell_count == 1,
              "doorbell from a handle that did not map: 0x%08x", status);
    vw_file_close(vm, dev->pdo, other);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* MSI-X: an event per vector, set only by its vector; a single-shot event
 * is dropped (its reference released) after it fired once; closing the
 * handle drops the rest. */
VW_SCENARIO("ivshmem", msix_events, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0, "REQUEST_MMAP failed: 0x%08x", status);
    gva_t ev0, ev1;
    uint64_t h0 = vw_user_event(vm, &ev0), h1 = vw_user_event(vm, &ev1);
    status = ivshmem_register(vm, dev, file, 0, h0, true);
    VW_EXPECT(vm, status == 0, "REGISTER_EVENT vector 0: 0x%08x", status);
    status = ivshmem_register(vm, dev, file, 1, h1, false);
    VW_EXPECT(vm, status == 0, "REGISTER_EVENT vector 1: 0x%08x", status);
    VW_EXPECT(vm, vm->k->object_refs == 2, "%d event reference(s), expected 2", vm->k->object_refs);

    vw_ivshmem_interrupt(vm, dev, 1);
    vw_run_for(vm, 1000);
    VW_EXPECT(vm, vw_event_signalled(vm, ev1) && !vw_event_signalled(vm, ev0),
              "vector 1: event 1 %s, event 0 %s", vw_event_signalled(vm, ev1) ? "set" : "not set",
              vw_event_signalled(vm, ev0) ? "set" : "not set");
    vw_ivshmem_interrupt(vm, dev, 0);
    vw_run_for(vm, 1000);
    VW_EXPECT(vm, vw_event_signalled(vm, ev0), "vector 0 did not set its event");
    VW_EXPECT(vm, vm->k->object_refs == 1, "single-shot event still referenced (%d refs)",
              vm->k->object_refs);

    status = ivshmem_register(vm, dev, file, 2, h0, false);
    VW_EXPECT(vm, status == ST_INVALID_PARAMETER, "REGISTER_EVENT vector 2 of 2: 0x%08x", status);
    status = ivshmem_register(vm, dev, file, 0, 0x1234, false);
    VW_EXPECT(vm, status == ST_INVALID_HANDLE, "REGISTER_EVENT with a bad handle: 0x%08x", status);
    vw_file_close(vm, dev->pdo, file);
    VW_EXPECT(vm, vm->k->object_refs == 0, "%d event reference(s) after close", vm->k->object_refs);
    ivshmem_remove_and_unload(vm, dev);
}

/* At most 32 events per device. */
VW_SCENARIO("ivshmem", events_full, NULL)
{
    struct vw_ivshmem *dev = ivshmem_doorbell_device(vm);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    for (unsigned i = 0; i < 32 && status == 0; i++) {
        gva_t ev;
        status = ivshmem_register(vm, dev, file, 0, vw_user_event(vm, &ev), false);
    }
    VW_EXPECT(vm, status == 0, "registering 32 events: 0x%08x", status);
    gva_t ev;
    status = ivshmem_register(vm, dev, file, 0, vw_user_event(vm, &ev), false);
    VW_EXPECT(vm, status == ST_INSUFFICIENT_RESOURCES && vm->k->object_refs == 32,
              "33rd event: 0x%08x, %d refs", status, vm->k->object_refs);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
}

/* Revision 0 with INTx: the line is unmasked at start, the ISR reads
 * (and so clears) IntrStatus, and vector 0's event is set. */
VW_SCENARIO("ivshmem", line_interrupt, NULL)
{
    struct vw_ivshmem_config cfg = {.shm_len = SHM_LEN, .line = true, .position = 0};
    struct vw_ivshmem *dev = ivshmem_started(vm, &cfg);
    gva_t file = dev ? ivshmem_open(vm, dev) : 0;
    if (file == 0)
        return;
    VW_EXPECT(vm, dev->regs.intr_mask == 1, "IntrMask 0x%x after start", dev->regs.intr_mask);
    struct ivshmem_map map;
    uint32_t status = ivshmem_map(vm, dev, file, 2, &map);
    VW_EXPECT(vm, status == 0 && map.vectors == 1, "REQUEST_MMAP: 0x%08x, %u vectors", status,
              map.vectors);
    gva_t ev;
    status = ivshmem_register(vm, dev, file, 0, vw_user_event(vm, &ev), false);
    VW_EXPECT(vm, status == 0, "REGISTER_EVENT: 0x%08x", status);
    vw_ivshmem_interrupt(vm, dev, 0);
    vw_run_for(vm, 1000);
    VW_EXPECT(vm, vw_event_signalled(vm, ev) && dev->regs.intr_status == 0,
              "line interrupt: event %s, IntrStatus %u",
              vw_event_signalled(vm, ev) ? "set" : "not set", dev->regs.intr_status);
    vw_file_close(vm, dev->pdo, file);
    ivshmem_remove_and_unload(vm, dev);
    VW_EXPECT(vm, dev->regs.intr_mask == 0, "IntrMask 0x%x after removal", dev->regs.intr_mask);
}
