/*
 * Calling conventions (see abi.h).
 */
#include <inttypes.h>
#include "abi.h"
#include "watchdog.h"

static const int x64_args[4] = {UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_R8, UC_X86_REG_R9};

static uint64_t reg(struct vm *vm, int id)
{
    uint64_t value = 0;
    uc_reg_read(vm->uc, id, &value);
    return vm->arch == VW_X86 ? (uint32_t)value : value;
}

static void set_reg(struct vm *vm, int id, uint64_t value)
{
    uc_reg_write(vm->uc, id, &value);
}

gva_t vw_pc(struct vm *vm)
{
    switch (vm->arch) {
    case VW_X86:
        return reg(vm, UC_X86_REG_EIP);
    case VW_AMD64:
        return reg(vm, UC_X86_REG_RIP);
    default:
        return reg(vm, UC_ARM64_REG_PC);
    }
}

gva_t vw_sp(struct vm *vm)
{
    switch (vm->arch) {
    case VW_X86:
        return reg(vm, UC_X86_REG_ESP);
    case VW_AMD64:
        return reg(vm, UC_X86_REG_RSP);
    default:
        return reg(vm, UC_ARM64_REG_SP);
    }
}

gva_t vw_return_address(struct vm *vm)
{
    if (vm->arch == VW_ARM64)
        return reg(vm, UC_ARM64_REG_LR);
    uint64_t ret = 0;
    uc_mem_read(vm->uc, vw_sp(vm), &ret, vm->ptr_size);
    return ret;
}

uint64_t vw_slot(struct vm *vm, const struct vw_api *api, unsigned slot)
{
    switch (vm->arch) {
    case VW_X86:
        if (api->cc == VW_FASTCALL) {
            if (slot < 2)
                return reg(vm, slot == 0 ? UC_X86_REG_ECX : UC_X86_REG_EDX);
            slot -= 2;
        }
        return vw_rd(vm, vw_sp(vm) + 4 + 4ull * slot, 4);
    case VW_AMD64:
        if (slot < 4)
            return reg(vm, x64_args[slot]);
        return vw_rd(vm, vw_sp(vm) + 8 + 8ull * slot, 8);
    default:
        if (slot < 8)
            return reg(vm, UC_ARM64_REG_X0 + (int)slot);
        return vw_rd(vm, vw_sp(vm) + 8ull * (slot - 8), 8);
    }
}

/* x86 slot of declared argument I: earlier 64-bit arguments took two. */
static unsigned x86_slot_of(const struct vw_api *api, unsigned i)
{
    return i + (unsigned)__builtin_popcount(api->wide & ((1u << i) - 1));
}

uint64_t vw_arg(struct vm *vm, const struct vw_api *api, unsigned i)
{
    if (vm->arch != VW_X86)
        return vw_slot(vm, api, i);
    unsigned slot = x86_slot_of(api, i);
    uint64_t value = vw_slot(vm, api, slot);
    if (api->wide & (1u << i))
        value |= vw_slot(vm, api, slot + 1) << 32;
    return value;
}

unsigned vw_vararg_slot(struct vm *vm, const struct vw_api *api)
{
    return vm->arch == VW_X86 ? x86_slot_of(api, api->nargs) : api->nargs;
}

unsigned vw_callee_pop(const struct vw_api *api)
{
    unsigned slots = x86_slot_of(api, api->nargs);
    switch (api->cc) {
    case VW_STDCALL:
        return 4 * slots;
    case VW_FASTCALL:
        return slots > 2 ? 4 * (slots - 2) : 0;
    default:
        return 0;
    }
}

void vw_set_return(struct vm *vm, uint64_t value)
{
    switch (vm->arch) {
    case VW_X86:
        set_reg(vm, UC_X86_REG_EAX, (uint32_t)value);
        set_reg(vm, UC_X86_REG_EDX, (uint32_t)(value >> 32));
        break;
    case VW_AMD64:
        set_reg(vm, UC_X86_REG_RAX, value);
        break;
    default:
        set_reg(vm, UC_ARM64_REG_X0, value);
        break;
    }
}

/* Build the frame: arguments and the sentinel return address below BASE.
 * Returns the entry stack pointer. */
static gva_t build_frame(struct vm *vm, gva_t base, unsigned n, const uint64_t *args)
{
    switch (vm->arch) {
    case VW_X86: {
        gva_t sp = ((base - 4ull * n) & ~15ull) - 4;
        vw_wr(vm, sp, vm->sentinel, 4);
        for (unsigned i = 0; i < n; i++)
            vw_wr(vm, sp + 4 + 4ull * i, args[i], 4);
        set_reg(vm, UC_X86_REG_ESP, sp);
        return sp;
    }
    case VW_AMD64: {
        /* At entry rsp is 8 mod 16: return address, 32-byte home area,
         * then the fifth argument at [rsp+0x28]. */
        unsigned slots = n < 4 ? 4 : n;
        gva_t sp = ((base - 8ull * slots) & ~15ull) - 8;
        vw_wr(vm, sp, vm->sentinel, 8);
        for (unsigned i = 0; i < n; i++) {
            if (i < 4)
                set_reg(vm, x64_args[i], args[i]);
            else
                vw_wr(vm, sp + 8 + 8ull * i, args[i], 8);
        }
        set_reg(vm, UC_X86_REG_RSP, sp);
        return sp;
    }
    default: {
        unsigned stacked = n > 8 ? n - 8 : 0;
        gva_t sp = (base - 8ull * stacked) & ~15ull;
        for (unsigned i = 0; i < n; i++) {
            if (i < 8)
                set_reg(vm, UC_ARM64_REG_X0 + (int)i, args[i]);
            else
                vw_wr(vm, sp + 8ull * (i - 8), args[i], 8);
        }
        set_reg(vm, UC_ARM64_REG_LR, vm->sentinel);
        set_reg(vm, UC_ARM64_REG_SP, sp);
        return sp;
    }
    }
}

/* Emulate from PC until the sentinel or a stop.  The outermost call
 * (TIMED) carries the budget (watchdog.c); nested calls are covered by it. */
static uc_err run_call(struct vm *vm, gva_t pc, bool timed)
{
    if (timed && !vw_watchdog_arm(vm)) {
        vw_fail(vm, "harness: cannot start the call budget's watchdog");
        return UC_ERR_OK;
    }
    uc_err err = uc_emu_start(vm->uc, pc, vm->sentinel, 0, 0);
    if (timed && vw_watchdog_disarm(vm) && !vm->failed) {
        char w[48];
        uint64_t cpu_ns, wall_ns;
        vw_watchdog_budgets(vm, &cpu_ns, &wall_ns);
        vw_fail(vm,
                "driver routine did not return: it used its budget of %.3g s CPU time or %.3g s "
                "real time (at %s)",
                cpu_ns / 1e9, wall_ns / 1e9, vw_where(vm, vw_pc(vm), w));
    }
    return err;
}

bool vw_call(struct vm *vm, gva_t fn, unsigned n, const uint64_t *args, uint64_t *result)
{
    if (vm->failed)
        return false;
    uc_context *saved = NULL;
    gva_t base;
    if (vm->depth > 0) {
        /* Called from a thunk: keep the interrupted frame intact and put
         * ours well below it. */
        if (uc_context_alloc(vm->uc, &saved) != UC_ERR_OK ||
            uc_context_save(vm->uc, saved) != UC_ERR_OK) {
            vw_fail(vm, "harness: cannot save the CPU context");
            return false;
        }
        base = vw_sp(vm) - 0x200;
        if (base < vm->map.stack + 0x1000) {
            uc_context_free(saved);
            vw_fail(vm, "kernel stack overflow (call depth %u)", vm->depth);
            return false;
        }
    } else if (vm->thread_stack != 0) {
        base = vm->thread_stack; /* a harness thread's own stack (k_thread.c) */
    } else {
        base = vm->map.stack + vm->map.stack_size - 0x100;
    }
    if (vm->next_call_stack != 0) {
        base = vm->next_call_stack;
        vm->next_call_stack = 0;
    }
    gva_t entry_sp = build_frame(vm, base, n, args);
    unsigned held_before = vm->os->held_locks(vm), irql_before = vm->irql;

    vm->depth++;
    /* A budget only at the outermost level guards against endless loops in
     * the driver; nested calls are covered by it. */
    bool timed = vm->depth == 1;
    uc_err err = run_call(vm, fn, timed);
    /* A system thread's blocking wait stopped emulation at its thunk: other
     * threads run (k_thread.c), then this one resumes there. */
    while (!vm->failed && err == UC_ERR_OK && vm->os->take_block(vm)) {
        vm->depth--;
        gva_t resume = vm->os->block(vm);
        vm->depth++;
        if (resume == 0)
            break;
        err = run_call(vm, resume, timed); /* the resumed part's own budget */
    }
    if (!vm->failed && err == UC_ERR_OK && vm->os->take_suspend(vm)) {
        /* Another CPU's DPC spins on a lock (k_cpus.c): it resumes later. */
        vm->depth--;
        if (saved != NULL) {
            uc_context_restore(vm->uc, saved);
            uc_context_free(saved);
        }
        return false;
    }
    bool exited = !vm->failed && vm->os->take_exit(vm); /* PsTerminateSystemThread */
    gva_t pc = exited ? vm->sentinel : vw_pc(vm);
    if (!vm->failed && err != UC_ERR_OK)
        vw_fail(vm, "emulation stopped: %s", uc_strerror(err));
    else if (!vm->failed && pc != vm->sentinel) {
        char w[48];
        vw_fail(vm, "driver routine did not return (time-out or stop at %s)", vw_where(vm, pc, w));
    }
    vm->depth--;

    bool ok = !vm->failed;
    bool cdecl = vm->call_cdecl; /* the caller pops (an x86 exception handler) */
    vm->call_cdecl = false;
    if (ok && !exited && vm->arch == VW_X86 && vw_sp(vm) != entry_sp + 4 + (cdecl ? 0 : 4ull * n)) {
        vw_fail(vm,
                "x86 stack imbalance: routine at 0x%" PRIx64 " popped %" PRId64
                " argument bytes, expected %u (calling convention mismatch)",
                fn, (int64_t)(vw_sp(vm) - entry_sp - 4), 4 * n);
        ok = false;
    }
    if (ok) {
        vm->os->after_call(vm, fn, held_before, irql_before);
        ok = !vm->failed;
    }
    if (ok && result != NULL) {
        switch (vm->arch) {
        case VW_X86:
            *result = reg(vm, UC_X86_REG_EAX);
            break;
        case VW_AMD64:
            *result = reg(vm, UC_X86_REG_RAX);
            break;
        default:
            *result = reg(vm, UC_ARM64_REG_X0);
            break;
        }
    }
    if (saved != NULL) {
        uc_context_restore(vm->uc, saved);
        uc_context_free(saved);
    }
    return ok;
}
