/*
 * Loading, PnP and unload as the I/O manager does them (see pnp.h).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "abi.h"
#include "bus_pci.h"
#include "kernel.h"
#include "layout.h"
#include "pe_loader.h"
#include "pnp.h"
#include "vw_irp.h"
#include "vw_resources.h"

/* entry.c's initial __stack_chk_guard (truncated to 32 bits on x86). */
#define VW_INITIAL_STACK_GUARD 0x2f9e3b1c5a7d6000ull

static gva_t new_driver_object(struct vm *vm, const char *name)
{
    uint64_t size = VW_SIZEOF(vm, DRIVER_OBJECT);
    gva_t drv = vw_kalloc(vm, size + VW_SIZEOF(vm, DRIVER_EXTENSION));
    gva_t ext = drv + size;
    char full[96];
    snprintf(full, sizeof(full), "\\Driver\\%s", name);
    vw_wr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, Type), VW_IO_TYPE_DRIVER, 2);
    vw_wr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, Size), size, 2);
    vw_wrptr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverExtension), ext);
    vw_wrptr(vm, ext + VW_OFFSET(vm, DRIVER_EXTENSION, DriverObject), drv);
    gva_t us = vw_unicode_string(vm, full);
    uint8_t copy[16];
    vw_read(vm, us, copy, VW_SIZEOF(vm, UNICODE_STRING));
    vw_write(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverName), copy,
             VW_SIZEOF(vm, UNICODE_STRING));
    return drv;
}

static void find_stack_guard(struct vm *vm)
{
    uint64_t want = vm->ptr_size == 8 ? VW_INITIAL_STACK_GUARD : (uint32_t)VW_INITIAL_STACK_GUARD;
    for (uint64_t off = 0; off + vm->ptr_size <= vm->image.size; off += vm->ptr_size) {
        uint64_t v = 0;
        if (uc_mem_read(vm->uc, vm->image.base + off, &v, vm->ptr_size) == UC_ERR_OK && v == want) {
            vm->k->stack_guard = vm->image.base + off;
            vm->k->stack_guard_initial = want;
            return;
        }
    }
}

/* The PnP manager and the driver loader run in the System process. */
static unsigned enter_system(struct vm *vm)
{
    unsigned saved = vm->k->process;
    vm->k->process = VW_PROCESS_SYSTEM;
    return saved;
}

void vw_driver_path(struct vm *vm, const char *name, char *path, size_t size)
{
    const char *arch = vw_arch_name(vm->arch);
    snprintf(path, size, "%s/%s/%s/%s.sys", vm->out_dir, arch, name, name);
    if (access(path, R_OK) != 0)
        snprintf(path, size, "%s/%s/testdrv/%s/%s.sys", vm->build_dir, arch, name, name);
}

/* DriverEntry(driver object, registry path) of the loaded image at
 * PASSIVE_LEVEL in the system process, WHEN ("" or " after the restart")
 * in its log lines; false (the run failed) when it faulted or failed. */
static bool driver_entry(struct vm *vm, const char *when)
{
    uint64_t args[2] = {vm->k->driver_object, vm->k->registry_path}, status = 0;
    vm->irql = VW_PASSIVE_LEVEL;
    unsigned saved = enter_system(vm);
    bool called = vw_call(vm, vm->image.entry, 2, args, &status);
    vm->k->process = saved;
    if (!called)
        return false;
    vw_log(vm, "DriverEntry%s returned 0x%08x", when, (uint32_t)status);
    if (!VW_NT_SUCCESS((uint32_t)status)) {
        vw_fail(vm, "DriverEntry%s failed with 0x%08x", when, (uint32_t)status);
        return false;
    }
    return true;
}

bool vw_driver_load(struct vm *vm, const char *name)
{
    char path[4096];
    vw_driver_path(vm, name, path, sizeof(path));
    vm->k->driver_name = name;
    if (!vw_load_image(vm, path))
        return false;
    find_stack_guard(vm);
    gva_t drv = new_driver_object(vm, name);
    vw_wrptr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverStart), vm->image.base);
    vw_wr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverSize), vm->image.size, 4);
    vw_wrptr(vm, drv + VW_OFFSET(vm, DRIVER_OBJECT, DriverInit), vm->image.entry);
    vm->k->driver_object = drv;
    char reg[160];
    snprintf(reg, sizeof(reg), "\\Registry\\Machine\\System\\CurrentControlSet\\Services\\%s",
             name);
    vm->k->registry_path = vw_unicode_string(vm, reg);
    if (!driver_entry(vm, ""))
        return false;
    vm->k->driver_state = VW_DRIVER_LOADED;
    return true;
}

/* The machine restarted: the loaded driver's image as a fresh load has it
 * (its globals initial again) and its DriverEntry run again with the
 * driver object and registry path of the first load. */
bool vw_driver_reboot(struct vm *vm)
{
    char path[4096];
    if (vm->k->driver_name == NULL || vm->k->driver_object == 0) {
        vw_fail(vm, "harness: a restart with no driver loaded");
        return false;
    }
    vw_driver_path(vm, vm->k->driver_name, path, sizeof(path));
    return vw_reload_image(vm, path) && driver_entry(vm, " after the restart");
}

/* Message-signalled: one descriptor with the message count (raw) and the
 * vector/level the system assigned (translated); line: level-triggered. */
static void interrupt_descriptor(struct vm *vm, gva_t d, const struct vw_resource *r,
                                 bool translated)
{
    bool message = r->len != 0;
    vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Type), VW_RES_INTERRUPT, 1);
    vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, ShareDisposition),
          message ? 1 /* exclusive */ : 3 /* shared */, 1);
    vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Flags),
          message ? VW_CM_RESOURCE_INTERRUPT_MESSAGE | VW_CM_RESOURCE_INTERRUPT_LATCHED
                  : VW_CM_RESOURCE_INTERRUPT_LEVEL_SENSITIVE,
          2);
    if (message && !translated) {
        vw_wr(
            vm,
            d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.MessageCount),
            r->len, 2);
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Raw.Vector),
              0x60, 4);
    } else if (message) {
        vw_wr(
            vm,
            d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Level),
            5, 4);
        vw_wr(
            vm,
            d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.MessageInterrupt.Translated.Vector),
            0x60, 4);
        /* The processors the messages target (k_intr.c), in group 0. */
        uint64_t affinity = 0;
        for (unsigned m = 0; m < r->len; m++)
            if (vw_intr_target_cpu(vm, true, m) < 64)
                affinity |= 1ull << vw_intr_target_cpu(vm, true, m);
        vw_wr(vm,
              d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR,
                            u.MessageInterrupt.Translated.Affinity),
              affinity, vm->ptr_size);
    } else {
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Level),
              translated ? 5 : r->start, 4);
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Interrupt.Vector),
              translated ? 0x50 : r->start, 4);
    }
}

static gva_t resource_list(struct vm *vm, enum vw_interface bus, const struct vw_resource *res,
                           unsigned count, bool translated)
{
    uint64_t full = VW_OFFSET(vm, CM_RESOURCE_LIST, List);
    uint64_t partial = full + VW_OFFSET(vm, CM_FULL_RESOURCE_DESCRIPTOR, PartialResourceList);
    uint64_t descs = partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, PartialDescriptors);
    uint64_t dsize = VW_SIZEOF(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR);
    gva_t list = vw_kalloc(vm, descs + dsize * (count ? count : 1));
    vw_wr(vm, list + VW_OFFSET(vm, CM_RESOURCE_LIST, Count), 1, 4);
    vw_wr(vm, list + full + VW_OFFSET(vm, CM_FULL_RESOURCE_DESCRIPTOR, InterfaceType), bus, 4);
    vw_wr(vm, list + partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, Version), 1, 2);
    vw_wr(vm, list + partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, Revision), 1, 2);
    vw_wr(vm, list + partial + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_LIST, Count), count, 4);
    for (unsigned i = 0; i < count; i++) {
        gva_t d = list + descs + dsize * i;
        if (res[i].type == VW_RES_INTERRUPT) {
            interrupt_descriptor(vm, d, &res[i], translated);
            continue;
        }
        /* A translated range elsewhere in CPU space is memory there. */
        bool moved = translated && res[i].translated != 0;
        bool port = res[i].type == VW_RES_PORT && !moved;
        uint64_t start = moved ? res[i].translated : res[i].start;
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Type),
              port    ? VW_RES_PORT
              : moved ? VW_RES_MEMORY
                      : res[i].type,
              1);
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, ShareDisposition),
              1 /* CmResourceShareDeviceExclusive */, 1);
        /* CM_RESOURCE_PORT_IO; CM_RESOURCE_MEMORY_READ_WRITE is 0. */
        vw_wr(vm, d + VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, Flags), port ? 1 : 0, 2);
        vw_wr(vm,
              d + (port ? VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Start)
                        : VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Start)),
              start, 8);
        vw_wr(vm,
              d + (port ? VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Port.Length)
                        : VW_OFFSET(vm, CM_PARTIAL_RESOURCE_DESCRIPTOR, u.Memory.Length)),
              res[i].len, 4);
    }
    return list;
}

gva_t vw_pdo_create(struct vm *vm, enum vw_interface bus, const struct vw_resource *res,
                    unsigned count)
{
    struct vw_kernel *k = vm->k;
    if (vm->failed)
        return 0;
    unsigned messages = 0;
    for (unsigned i = 0; i < count; i++)
        if (res[i].type == VW_RES_INTERRUPT)
            messages += (unsigned)res[i].len;
    if (messages > VW_MAX_MESSAGES) {
        vw_fail(vm, "harness: hard limit: %u interrupt messages for one function (MSI-X: %u)",
                messages, VW_MAX_MESSAGES);
        return 0;
    }
    struct vw_pdo *pdo = vw_pdo_add(vm);
    if (pdo == NULL)
        return 0;
    if (k->bus_driver == 0)
        k->bus_driver = new_driver_object(vm, "PnpBus");
    pdo->obj = vw_pdo_new(vm);
    pdo->raw = resource_list(vm, bus, res, count, false);
    pdo->translated = resource_list(vm, bus, res, count, true);
    for (unsigned i = 0; i < count; i++)
        if (res[i].type == VW_RES_INTERRUPT && res[i].len != 0)
            pdo->messages += (unsigned)res[i].len;
        else if (res[i].type == VW_RES_INTERRUPT)
            pdo->line = true;
    return pdo->obj;
}

void vw_pdo_set_pci(struct vm *vm, gva_t pdo, const struct vw_pci_ops *ops, void *dev)
{
    struct vw_pdo *p = vw_pdo_find(vm, pdo);
    if (p != NULL) {
        p->pci = ops;
        p->pci_dev = dev;
        p->query_interface = vw_bus_query_interface;
    }
}

bool vw_add_device(struct vm *vm, gva_t pdo)
{
    if (vm->failed)
        return false;
    gva_t ext = vw_rdptr(vm, vm->k->driver_object + VW_OFFSET(vm, DRIVER_OBJECT, DriverExtension));
    gva_t add = vw_rdptr(vm, ext + VW_OFFSET(vm, DRIVER_EXTENSION, AddDevice));
    if (add == 0) {
        vw_fail(vm, "the driver set no AddDevice routine");
        return false;
    }
    uint64_t args[2] = {vm->k->driver_object, pdo}, status = 0;
    unsigned saved = enter_system(vm);
    bool called = vw_call(vm, add, 2, args, &status);
    vm->k->process = saved;
    if (!called)
        return false;
    if (!VW_NT_SUCCESS((uint32_t)status)) {
        vw_fail(vm, "AddDevice failed with 0x%08x", (uint32_t)status);
        return false;
    }
    gva_t top = vw_device_top(vm, pdo);
    if (top == pdo) {
        vw_fail(vm, "AddDevice succeeded but attached no device to the PDO");
        return false;
    }
    if (vw_rd(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, Flags), 4) & VW_DO_DEVICE_INITIALIZING) {
        vw_fail(vm, "AddDevice left DO_DEVICE_INITIALIZING set on its device");
        return false;
    }
    /* "The PnP manager updates the security descriptor for the newly-
     * created device object" (Controlling Device Access). */
    vw_security_apply_stack(vm, pdo);
    return !vm->failed;
}

/* Send an IRP the way the PnP/power manager does: a fresh IRP sized for the
 * stack, the first location filled in, IoCallDriver on the top device. */
uint32_t vw_send_irp(struct vm *vm, gva_t pdo, uint8_t major, uint8_t minor, uint32_t status,
                     void (*fill)(struct vm *, gva_t irp, gva_t stack, const void *),
                     void (*done)(struct vm *, gva_t irp, const void *), const void *ctx)
{
    if (vm->failed)
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    gva_t top = vw_device_top(vm, pdo);
    unsigned count = (unsigned)vw_rd(vm, top + VW_OFFSET(vm, DEVICE_OBJECT, StackSize), 1);
    gva_t irp = vw_irp_alloc(vm, count);
    if (irp == 0)
        return VW_STATUS_INSUFFICIENT_RESOURCES;
    vw_irp_set_status(vm, irp, status);
    gva_t stack = vw_irp_next_stack(vm, irp);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MajorFunction), major, 1);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, MinorFunction), minor, 1);
    if (fill)
        fill(vm, irp, stack, ctx);
    vm->k->completed_irp = 0;
    uint32_t result = vw_io_call_driver(vm, top, irp);
    if (vm->failed)
        return result;
    if (vm->k->completed_irp != irp) {
        vw_fail(vm, "IRP (major 0x%x minor 0x%x) returned 0x%08x but was never completed", major,
                minor, result);
        return result;
    }
    uint32_t final = vw_irp_status(vm, irp);
    if (result != VW_STATUS_PENDING && result != final)
        vw_fail(vm, "dispatch returned 0x%08x but completed the IRP with 0x%08x", result, final);
    if (done && !vm->failed)
        done(vm, irp, ctx);
    vw_pool_free(vm, irp, "I/O manager freeing the IRP");
    return final;
}

static void fill_start(struct vm *vm, gva_t irp, gva_t stack, const void *ctx)
{
    (void)irp;
    const struct vw_pdo *pdo = ctx;
    vw_wrptr(vm,
             stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.StartDevice.AllocatedResources),
             pdo->raw);
    vw_wrptr(vm,
             stack + VW_OFFSET(vm, IO_STACK_LOCATION,
                               Parameters.StartDevice.AllocatedResourcesTranslated),
             pdo->translated);
}

uint32_t vw_pnp(struct vm *vm, gva_t pdo, uint8_t minor)
{
    const struct vw_pdo *p = vw_pdo_find(vm, pdo);
    if (p == NULL) {
        vw_fail(vm, "harness: unknown PDO");
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    }
    unsigned saved = enter_system(vm);
    uint32_t status = vw_send_irp(vm, pdo, VW_IRP_MJ_PNP, minor, VW_STATUS_NOT_SUPPORTED,
                                  minor == VW_IRP_MN_START_DEVICE ? fill_start : NULL, NULL, p);
    vm->k->process = saved;
    /* What the end of the scenario still has to remove (scenario_end.c). */
    struct vw_pdo *state = vw_pdo_find(vm, pdo);
    if (minor == VW_IRP_MN_START_DEVICE && VW_NT_SUCCESS(status))
        state->started = true;
    else if (minor == VW_IRP_MN_SURPRISE_REMOVAL)
        state->surprise_removed = true;
    else if (minor == VW_IRP_MN_REMOVE_DEVICE)
        state->removed = true;
    return status;
}

/* POWER_STATE_TYPE: SystemPowerState 0, DevicePowerState 1. */
struct power_target {
    unsigned type, state;
};

static void fill_power(struct vm *vm, gva_t irp, gva_t stack, const void *ctx)
{
    (void)irp;
    const struct power_target *t = ctx;
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.Type), t->type, 4);
    vw_wr(vm, stack + VW_OFFSET(vm, IO_STACK_LOCATION, Parameters.Power.State), t->state, 4);
}

static uint32_t send_power(struct vm *vm, gva_t pdo, uint8_t minor, unsigned type, unsigned state)
{
    struct power_target t = {type, state};
    unsigned saved = enter_system(vm);
    uint32_t status =
        vw_send_irp(vm, pdo, VW_IRP_MJ_POWER, minor, VW_STATUS_NOT_SUPPORTED, fill_power, NULL, &t);
    vm->k->process = saved;
    vw_power_check_final(vm, minor, type, state, status);
    return status;
}

uint32_t vw_power_set_device(struct vm *vm, gva_t pdo, unsigned state)
{
    return send_power(vm, pdo, VW_IRP_MN_SET_POWER, 1, state);
}

uint32_t vw_power_set_system(struct vm *vm, gva_t pdo, unsigned state)
{
    return send_power(vm, pdo, VW_IRP_MN_SET_POWER, 0, state);
}

uint32_t vw_power_query(struct vm *vm, gva_t pdo, unsigned type, unsigned state)
{
    return send_power(vm, pdo, VW_IRP_MN_QUERY_POWER, type, state);
}

bool vw_driver_unload(struct vm *vm)
{
    if (vm->failed)
        return false;
    /* Device objects still present are counted as pool leaks below: a
     * driver must delete them in REMOVE_DEVICE or, if it created them
     * itself, in DriverUnload. */
    gva_t unload = vw_rdptr(vm, vm->k->driver_object + VW_OFFSET(vm, DRIVER_OBJECT, DriverUnload));
    if (unload == 0) {
        vw_fail(vm, "the driver has no DriverUnload: it can never be unloaded");
        return false;
    }
    uint64_t args[1] = {vm->k->driver_object};
    unsigned saved = enter_system(vm);
    vm->k->driver_state = VW_DRIVER_UNLOADED;
    bool called = vw_call(vm, unload, 1, args, NULL);
    vm->k->process = saved;
    if (!called)
        return false;
    unsigned pool = vw_pool_report_leaks(vm), maps = vw_mm_report_leaks(vm);
    unsigned pages = vw_mm_pages_report_leaks(vm);
    unsigned ports = vw_api_groups_report_leaks(vm);
    unsigned others = vw_dma_report_leaks(vm) + vw_intr_report_leaks(vm) +
                      vw_iomisc_report_leaks(vm) + vw_registry_report_leaks(vm) +
                      vw_event_handles_report_leaks(vm);
    unsigned links = vw_names_report_leaks(vm);
    unsigned timers = vw_timer_report_leaks(vm), items = vw_workitem_report_leaks(vm);
    unsigned mdls = vw_mdl_report_leaks(vm), threads = vw_thread_report_leaks(vm);
    unsigned pending = vw_async_report_pending(vm);
    if (pending)
        vw_fail(vm, "%u request(s) never completed at unload (details in the log)", pending);
    else if (pages)
        vw_fail(vm,
                "leaks at unload: %u MDL(s) of pages from MmAllocatePagesForMdlEx never "
                "given back (details in the log)",
                pages);
    else if (timers || items || mdls || threads)
        vw_fail(vm,
                "leaks at unload: %u timer(s) still set, %u work item(s) queued or not freed, "
                "%u MDL(s) or MDL mapping(s), %u system thread(s) running or handles/references "
                "held (details in the log)",
                timers, items, mdls, threads);
    else if (pool || maps || ports)
        vw_fail(vm,
                "leaks at unload: %u pool block(s), %u I/O mapping(s), %u registration(s) "
                "such as bug-check callbacks (details in the log)",
                pool, maps, ports);
    else if (others)
        vw_fail(vm,
                "leaks at unload: %u DMA adapter(s), common buffer(s), interrupt "
                "connection(s), references, registry or event handles (details in the log)",
                others);
    else if (links)
        vw_fail(vm, "leaks at unload: %u symbolic link(s) (details in the log)", links);
    return !vm->failed;
}

bool vw_stack_guard(struct vm *vm, uint64_t *initial, uint64_t *now)
{
    if (vm->k->stack_guard == 0)
        return false;
    *initial = vm->k->stack_guard_initial;
    *now = vw_rd(vm, vm->k->stack_guard, vm->ptr_size);
    return true;
}
