/*
 * No silent limits: the tables that once had fixed sizes (64 common
 * buffers, 64 DMA regions in the device model, ring watches up to 16
 * queues of 1024 entries, 4 pollers, 4 DMA listeners, 8 destructors; 32
 * interrupt messages, 8 PDOs and interrupt connections, 64 timers, work
 * items, MDLs, MDL mappings, names, links and remove locks, 16 spin locks
 * held, 8 system threads, 16 requests in flight, 16 bus ranges, 64 MMIO
 * windows) grow as the driver asks; a hard limit that remains fails the
 * run by name.
 */
#include <string.h>
#include "dev_virtio.h"
#include "kernel.h"
#include "scenario.h"

/* badvirtio mode 18: 100 common buffers and a request in the last one, on
 * a ring of 2048 entries (watched). */
VW_SCENARIO("harness", limits_beyond_old_sizes, NULL)
{
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = 4,
        .features = 1ull << 32,
        .queues = 20,
        .queue_max = 2048,
        .msix = true,
        .seed = 9,
        .device_cfg_len = 4,
    };
    uint8_t mode = 18;
    struct vw_virtio *dev = vw_virtio_create(vm, &cfg);
    for (unsigned i = 0; i < 5 && dev != NULL; i++) /* more devices than the old 4 pollers */
        vw_virtio_create(vm, &(struct vw_virtio_config){.transport = VMODEL_MODERN,
                                                        .device_type = 4,
                                                        .features = 1ull << 32,
                                                        .queues = 1,
                                                        .queue_max = 16,
                                                        .seed = i});
    if (dev == NULL)
        return;
    vmodel_set_device_cfg(dev->model, 0, &mode, 1);
    if (!vw_driver_load(vm, "badvirtio") || !vw_add_device(vm, dev->pdo))
        return;
    uint32_t status = vw_pnp(vm, dev->pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, dev->watch[0].active && dev->watch[0].size == 2048,
              "the ring of 2048 entries is not watched (size %u)", dev->watch[0].size);
    const struct vmodel_stats *st = vmodel_stats(dev->model);
    VW_EXPECT(vm, st->completions == 1 && st->errors == 0,
              "the device completed %llu request(s) with %llu error(s); expected 1, 0",
              (unsigned long long)st->completions, (unsigned long long)st->errors);
    vw_pnp(vm, dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

/* vwlimits: more timers, work items, DPCs, MDLs and their mappings, named
 * devices, symbolic links, spin locks held at once, remove locks and
 * system threads than the old tables held (64, 64, 64, 64, 64, 64, 16, 64,
 * 8), each made and undone in DriverEntry, which bug-checks on a failure. */
VW_SCENARIO("harness", limits_kernel_objects, NULL)
{
    if (!vw_driver_load(vm, "vwlimits"))
        return;
    VW_EXPECT(vm, vm->log && strstr(vm->log, "every object beyond the old limits"),
              "vwlimits did not finish its objects");
    vw_driver_unload(vm);
}

/* MSI-X's 2048 messages on one function, delivered up to the last one, and
 * 12 devices with a connected interrupt each (the old limits: 32 messages,
 * 8 PDOs, 8 interrupt connections). */
VW_SCENARIO("harness", limits_msix_2048, NULL)
{
    gva_t pdos[12];
    for (unsigned i = 0; i < 12; i++) {
        struct vw_resource r = {VW_RES_INTERRUPT, 0, i == 0 ? 2048 : 1, 0};
        pdos[i] = vw_pdo_create(vm, VW_PCI_BUS, &r, 1);
    }
    if (!vw_driver_load(vm, "vwlimits"))
        return;
    for (unsigned i = 0; i < 12; i++) {
        vw_add_device(vm, pdos[i]);
        VW_EXPECT(vm, vw_pnp(vm, pdos[i], VW_IRP_MN_START_DEVICE) == 0, "START %u failed", i);
    }
    VW_EXPECT(vm, vm->log && strstr(vm->log, "vwlimits: 2048 message(s) connected"),
              "the 2048 messages were not connected");
    vw_intr_raise(vm, pdos[0], 2047);
    vw_intr_raise(vm, pdos[0], 1000);
    vw_intr_raise(vm, pdos[11], 0);
    vw_run(vm);
    VW_EXPECT(vm, vm->log && strstr(vm->log, "vwlimits: message 2047"),
              "message 2047 was not delivered");
    VW_EXPECT(vm, vm->log && strstr(vm->log, "vwlimits: message 1000"),
              "message 1000 was not delivered");
    VW_EXPECT(vm, vm->k->interrupts_delivered == 3, "%u interrupts delivered, expected 3",
              vm->k->interrupts_delivered);
    for (unsigned i = 0; i < 12; i++)
        vw_pnp(vm, pdos[i], VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

/* Limits that remain fail by name, never silently: more than MSI-X's 2048
 * messages on a function, more virtio functions than BAR windows, more
 * system threads than kernel-stack slots (vwlimits plants 70 when it sees
 * 3 processors). */
VW_SCENARIO("harness", limits_messages_hard_limit_named, "hard limit: 2049 interrupt messages")
{
    struct vw_resource r = {VW_RES_INTERRUPT, 0, 2049, 0};
    vw_pdo_create(vm, VW_PCI_BUS, &r, 1);
}

VW_SCENARIO("harness", limits_hard_limit_named, "hard limit: a virtio function as device 33")
{
    for (unsigned i = 0; i < 33 && !vm->failed; i++)
        vw_virtio_create(vm, &(struct vw_virtio_config){.transport = VMODEL_MODERN,
                                                        .device_type = 4,
                                                        .features = 1ull << 32,
                                                        .queues = 1,
                                                        .queue_max = 16,
                                                        .seed = i});
}

VW_SCENARIO("harness", limits_threads_hard_limit_named, "hard limit: more than 64 system threads")
{
    vw_cpus_set(vm, 3);
    vw_driver_load(vm, "vwlimits");
}
