/*
 * Kernel routines the driver calls through pointers (bus interface, DMA
 * operations): one 16-byte slot each on a page after the import thunks,
 * holding the return instruction of the routine's convention; one code hook
 * on the page dispatches by slot, like the import thunks do.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"

#define PAGE       0x1000ull
#define SLOT       16u
#define PAGE_SLOTS (unsigned)(PAGE / SLOT)

static gva_t routine_page(struct vm *vm)
{
    return vm->map.thunks + 0x10000;
}

static void on_routine(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct vm *vm = user;
    (void)uc;
    (void)size;
    uint64_t index = (addr - routine_page(vm)) / SLOT;
    if ((addr - routine_page(vm)) % SLOT != 0 || index >= vm->k->routine_count)
        return;
    const struct vw_api *api = vm->k->routines[index];
    char w[48];
    if (vm->irql > api->irql_max) {
        vw_fail(vm, "IRQL: %s called at IRQL %u (allowed up to %u) from %s", api->name, vm->irql,
                api->irql_max, vw_where(vm, vw_return_address(vm), w));
        return;
    }
    if (vw_thread_preempt_point(vm, api->name))
        return; /* another thread runs first; this call runs when it resumes */
    vw_sched_point(vm);
    api->fn(vm, api);
    if (vm->k->irql_lowered)
        vw_irql_lowered(vm);
    if (vm->failed)
        uc_emu_stop(vm->uc);
}

gva_t vw_kernel_routine(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->routine_count; i++)
        if (k->routines[i] == api)
            return routine_page(vm) + SLOT * i;
    if (k->routine_count == PAGE_SLOTS || k->routine_count == 64) {
        vw_fail(vm, "harness: too many kernel routines");
        return 0;
    }
    if (k->routine_count == 0) {
        uc_hook h;
        /* Slots are written to the host copy: each is new and never ran,
         * so no translated block holds its old bytes. */
        k->routine_host =
            vw_map_host_pages(vm, routine_page(vm), PAGE, UC_PROT_READ | UC_PROT_EXEC);
        if (k->routine_host == NULL)
            return 0;
        uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_routine, vm, routine_page(vm),
                    routine_page(vm) + PAGE - 1);
    }
    uint8_t slot[SLOT] = {0};
    if (vm->arch == VW_ARM64) {
        slot[0] = 0xc0, slot[1] = 0x03, slot[2] = 0x5f, slot[3] = 0xd6; /* ret */
    } else if (vm->arch == VW_X86 && vw_callee_pop(api) != 0) {
        unsigned pop = vw_callee_pop(api);
        slot[0] = 0xc2, slot[1] = (uint8_t)pop, slot[2] = (uint8_t)(pop >> 8); /* ret N */
    } else {
        slot[0] = 0xc3; /* ret */
    }
    gva_t va = routine_page(vm) + SLOT * k->routine_count;
    memcpy(k->routine_host + SLOT * k->routine_count, slot, sizeof(slot));
    k->routines[k->routine_count++] = api;
    return va;
}

void vw_kernel_after_call(struct vm *vm, gva_t fn, unsigned held_before, unsigned irql_before)
{
    struct vw_kernel *k = vm->k;
    char w[48], w2[48];
    if (vm->failed)
        return;
    if (k->held_count > held_before) {
        const struct vw_spinlock_hold *h = &k->held[k->held_count - 1];
        vw_fail(vm,
                "spin lock balance: routine %s returned holding spin lock 0x%" PRIx64
                " (acquired at %s)",
                vw_where(vm, fn, w), h->lock, vw_where(vm, h->where, w2));
        return;
    }
    if (k->held_count < held_before) {
        vw_fail(vm, "spin lock balance: routine %s released a spin lock its caller held",
                vw_where(vm, fn, w));
        return;
    }
    /* A cancel routine is called at DISPATCH_LEVEL holding the cancel spin
     * lock and returns after releasing it, at the IRQL it restored. */
    if (k->cancel_routine_running == fn && vw_cancel_routine_returned(vm, fn))
        return;
    if (vm->irql != irql_before)
        vw_fail(vm, "IRQL: routine %s returned at IRQL %u, called at %u", vw_where(vm, fn, w),
                vm->irql, irql_before);
}
