/*
 * The many-CPU model (k_cpus.c): bad/badcpu.c picks its planted bug by the
 * processor count the scenario gives the machine; at other counts it does
 * the same flows right (a DPC on the last CPU spins on the lock CPU 0
 * holds, and runs when CPU 0 releases it).
 */
#include <string.h>
#include "kernel.h"
#include "layout.h"
#include "scenario.h"

static void load_with(struct vm *vm, unsigned cpus)
{
    if (vw_cpus_set(vm, cpus) && vw_driver_load(vm, "badcpu"))
        vw_driver_unload(vm);
}

/* The DPC on CPU 3 found the lock held by CPU 0, spun once, and ran on when
 * CPU 0 released it: no update lost, and it saw itself on CPU 3. */
VW_SCENARIO("harness", cpus_dpc_spins_on_lock, NULL)
{
    load_with(vm, 4);
    VW_EXPECT(vm, vw_cpu_spins(vm) == 1, "%llu spins, expected 1",
              (unsigned long long)vw_cpu_spins(vm));
}

VW_SCENARIO("harness", cpus_one, NULL)
{
    load_with(vm, 1);
    VW_EXPECT(vm, vw_cpu_other_runs(vm) == 0, "another CPU ran with CPUS=1");
}

/* The last processor is in group 1 (index 79: group 1, number 15).
 * 64-bit only: 32-bit Windows has one group of at most 32. */
VW_SCENARIO_ON("harness", cpus_80_two_groups, NULL, VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64))
{
    load_with(vm, 80);
    VW_EXPECT(vm, vw_cpu_count(vm) == 80, "%u processors", vw_cpu_count(vm));
    VW_EXPECT(vm, vw_cpu_spins(vm) == 1, "no spin");
}

VW_SCENARIO("harness", cpus_64_one_group, NULL)
{
    load_with(vm, 64);
    VW_EXPECT(vm, vw_cpu_spins(vm) == 1, "no spin");
}

/* x86 asked for 64 runs 32, the most 32-bit Windows runs. */
VW_SCENARIO_ON("harness", cpus_x86_at_most_32, NULL, VW_ARCH_BIT(VW_X86))
{
    load_with(vm, 64);
    VW_EXPECT(vm, vw_cpu_count(vm) == 32, "%u processors on x86", vw_cpu_count(vm));
    VW_EXPECT(vm, vw_cpu_spins(vm) == 1, "no spin");
}

VW_SCENARIO("harness", checker_cpus_lost_update, "DriverEntry failed with 0xc000003e")
{
    load_with(vm, 2);
}

VW_SCENARIO("harness", checker_cpus_lowered_release, "freed pool block")
{
    load_with(vm, 3);
}

VW_SCENARIO("harness", checker_cpus_lowered_irql, "freed pool block")
{
    load_with(vm, 5);
}

VW_SCENARIO("harness", checker_cpus_release_twice, "the lock is not held (released twice?)")
{
    load_with(vm, 6);
}

VW_SCENARIO("harness", checker_cpus_irql_left_raised, "returned at IRQL")
{
    load_with(vm, 7);
}

VW_SCENARIO("harness", checker_cpus_lock_order, "held by CPU 0")
{
    load_with(vm, 8);
}

/* testdrv/vwsync.c: the line interrupt (CPU 1) raised at each
 * KeStallExecutionProcessor, inside KeSynchronizeExecution and inside
 * KeAcquireInterruptSpinLock: its ISR waits for the release. */
static gva_t sync_start(struct vm *vm, unsigned cpus)
{
    struct vw_resource line = {VW_RES_INTERRUPT, 9, 0, 0};
    if (!vw_cpus_set(vm, cpus))
        return 0;
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, &line, 1);
    if (!vw_driver_load(vm, "vwsync") || !vw_add_device(vm, pdo))
        return 0;
    vw_intr_raise_at_import(vm, pdo, 0, "KeStallExecutionProcessor", 2);
    uint32_t status = vw_pnp(vm, pdo, VW_IRP_MN_START_DEVICE);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed 0x%08x: an update was lost", status);
    vw_run(vm);
    return vm->failed ? 0 : pdo;
}

static void sync_stop(struct vm *vm, gva_t pdo)
{
    vw_pnp(vm, pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", cpus_synchronize_execution, NULL)
{
    gva_t pdo = sync_start(vm, 4);
    VW_EXPECT(vm, vm->k->interrupts_delivered == 2, "%u interrupts delivered, expected 2",
              vm->k->interrupts_delivered);
    if (pdo != 0)
        sync_stop(vm, pdo);
}

VW_SCENARIO("harness", checker_cpus_isr_unsynchronized, "0xc000003e: an update was lost")
{
    sync_start(vm, 3);
}

/* The interrupt raised while the DPC (on CPU 1, where the line goes) is in
 * a kernel call preempts it there. */
VW_SCENARIO("harness", cpus_interrupt_preempts_dpc, NULL)
{
    gva_t pdo = sync_start(vm, 4);
    if (pdo == 0)
        return;
    vw_intr_raise_at_import(vm, pdo, 0, "KeGetCurrentProcessorNumberEx", 1);
    vw_intr_raise(vm, pdo, 0);
    vw_run(vm);
    VW_EXPECT(vm, vm->log && strstr(vm->log, "ISR ran inside the DPC on CPU 1"),
              "the interrupt did not preempt the DPC");
    sync_stop(vm, pdo);
}

/* The translated MSI-X resource says where its messages go: messages 0-2
 * target CPUs 1, 2 and 3 (message M: CPU (M + 1) mod CPUS); with 2 CPUs
 * they go to CPUs 1, 0 and 1. */
static uint64_t message_affinity(struct vm *vm, unsigned cpus)
{
    struct vw_resource msgs = {VW_RES_INTERRUPT, 0, 3, 0};
    if (!vw_cpus_set(vm, cpus))
        return 0;
    gva_t pdo = vw_pdo_create(vm, VW_PCI_BUS, &msgs, 1);
    struct vw_pdo *rec = vw_pdo_find(vm, pdo);
    uint64_t d = VW_OFFSET(vm, CM_RESOURCE_LIST, List) +
                 VW_OFFSET(vm, CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList) +
                 VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, PartialDescriptors);
    return rec == NULL ? 0
                       : vw_rd(vm,
                               rec->translated + d +
                                   VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR,
                                             u.MessageInterrupt.Translated.Affinity),
                               vm->ptr_size);
}

VW_SCENARIO_NO_DRIVER("harness", cpus_message_affinity)
{
    uint64_t four = message_affinity(vm, 4);
    VW_EXPECT(vm, four == 0xe, "affinity 0x%llx with 4 CPUs, expected 0xe",
              (unsigned long long)four);
}

VW_SCENARIO_NO_DRIVER("harness", cpus_message_affinity_two)
{
    uint64_t two = message_affinity(vm, 2);
    VW_EXPECT(vm, two == 0x3, "affinity 0x%llx with 2 CPUs, expected 0x3", (unsigned long long)two);
}
