/*
 * Driver instructions counted by the emulator (bench/storage): one code
 * hook over the loaded image's range adds every instruction run there to
 * vm->insns.  Off unless asked for: a hook per instruction slows unicorn.
 */
#include "cpu.h"

/* The code hook: one instruction of the driver image ran. */
static void on_insn(uc_engine *uc, uint64_t addr, uint32_t size, void *ctx)
{
    (void)uc;
    (void)addr;
    (void)size;
    ((struct vm *)ctx)->insns++;
}

/* Start counting the driver image's instructions in vm->insns. */
bool vw_cpu_count_insns(struct vm *vm)
{
    uc_hook h;
    if (vm->insns_hooked)
        return true;
    if (vm->image.size == 0 || uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_insn, vm, vm->image.base,
                                           vm->image.base + vm->image.size - 1) != UC_ERR_OK)
        return false;
    /* A code hook reaches only blocks translated after it: drop every
     * block translated before (a bench that counts from after the driver
     * started, bench/storage's tgt rows, counted 18 instructions a request,
     * those of the few blocks first run after the hook).  Removing only the
     * image's range (UC_CTL_TB_REMOVE_CACHE) left them counted so; the
     * whole flush (unicorn 2.0.1 names it uc_ctl_flush_tlb) does not. */
    if (!vm->insns_plant_no_flush && uc_ctl_flush_tlb(vm->uc) != UC_ERR_OK)
        return false;
    vm->insns_hooked = true;
    return true;
}

/* The planted twin's knob: the next vw_cpu_count_insns skips its flush. */
void vw_cpu_plant_count_without_flush(struct vm *vm)
{
    vm->insns_plant_no_flush = true;
}
