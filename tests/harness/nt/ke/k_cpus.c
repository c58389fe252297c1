/*
 * Processors.  CPUS=N in the environment (default 4) or vw_cpus_set before
 * the driver loads; groups of 64 (80 CPUs: group 0 has 64, group 1 has 16);
 * x86 at most 32, one group, as 32-bit Windows.
 * One unicorn engine runs one CPU at a time: the running CPU's IRQL is
 * vm->irql and its spin locks k->held, the others keep theirs here.
 * Threads, work items, PnP and the scenario run on CPU 0.  An interrupt
 * runs on the CPU its message targets (k_intr.c), a DPC on the CPU it was
 * queued on or targeted at (k_dpc.c).  At a scheduling point of the running
 * CPU, an idle CPU with work runs it (seeded: at some points only), nested,
 * on its own interrupt stack, even while the running CPU holds a spin lock:
 * the two race.  A DPC that acquires a spin lock another CPU holds spins:
 * its context is saved at the call, its CPU is left SPINNING and the holder
 * runs on; the release (or a later point) resumes it at the same call.  A
 * cycle of CPUs spinning on each other's locks is a deadlock, reported.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "pnp.h"

#define DEFAULT_CPUS 4
#define MAX_CPUS     2048 /* a hard limit, failed by name */
/* 32-bit Windows runs at most 32 logical processors, in one group
 * (KeQueryMaximumProcessorCountEx; KAFFINITY is 32 bits there). */
#define X86_MAX_CPUS 32
#define CPU_STACK    0x10000

enum cpu_state { CPU_IDLE, CPU_ACTIVE, CPU_SPINNING };

struct vw_cpu {
    enum cpu_state state;
    unsigned irql;
    struct vw_spinlock_hold *held; /* while another CPU runs (k->held: the running one's) */
    unsigned held_count, held_cap;
    struct vw_dpc_entry *dpcs; /* queued DPCs, in order */
    unsigned dpc_count, dpc_cap;
    gva_t stack;        /* top of its interrupt stack (CPU 0: the machine's) */
    unsigned on_istack; /* ISRs and DPCs running on it */
    /* SPINNING: the DPC suspended at its acquisition of spin_lock. */
    gva_t spin_lock, spin_routine;
    uc_context *ctx;
    /* DPC routines started here, and the number of the one running (0:
     * none; a spinning DPC still runs): vw_cpu_dpc_running. */
    uint64_t dpc_seq, dpc_now;
};

struct vw_cpus {
    unsigned count, current;
    struct vw_cpu *cpu;
    unsigned others_running; /* nesting of CPUs run at another's point */
    unsigned base_depth;     /* vm->depth of the other CPU's DPC routine */
    bool base_is_dpc, suspend_now;
    uint64_t other_runs, spins;
};

static struct vw_cpus *cpus(struct vm *vm)
{
    return vm->k->cpus;
}

bool vw_cpus_init(struct vm *vm)
{
    struct vw_cpus *c = calloc(1, sizeof(*c));
    if (c == NULL)
        return false;
    vm->k->cpus = c;
    unsigned n = DEFAULT_CPUS;
    const char *env = getenv("CPUS");
    if (env != NULL && *env != '\0')
        n = (unsigned)strtoul(env, NULL, 10);
    return vw_cpus_set(vm, n);
}

void vw_cpus_free(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    if (c == NULL)
        return;
    free(vm->k->held);
    vm->k->held = NULL;
    for (unsigned i = 0; i < c->count; i++) {
        free(c->cpu[i].dpcs);
        free(c->cpu[i].held);
        if (c->cpu[i].ctx != NULL)
            uc_context_free(c->cpu[i].ctx);
    }
    free(c->cpu);
    free(c);
    vm->k->cpus = NULL;
}

bool vw_cpus_set(struct vm *vm, unsigned n)
{
    struct vw_cpus *c = cpus(vm);
    if (n == 0 || n > MAX_CPUS) {
        vw_fail(vm, "harness: CPUS=%u (1 to %u)", n, MAX_CPUS);
        return false;
    }
    /* An x86 guest on a larger machine sees 32: so does this one. */
    if (vm->arch == VW_X86 && n > X86_MAX_CPUS) {
        vw_log(vm, "harness: CPUS=%u on x86: 32-bit Windows runs at most %u processors", n,
               X86_MAX_CPUS);
        n = X86_MAX_CPUS;
    }
    for (unsigned i = 0; i < c->count; i++)
        if (c->cpu[i].dpc_count > 0 || c->cpu[i].state == CPU_SPINNING) {
            vw_fail(vm, "harness: vw_cpus_set with work queued");
            return false;
        }
    struct vw_cpu *cpu = calloc(n, sizeof(*cpu));
    if (cpu == NULL)
        return false;
    for (unsigned i = 0; i < c->count; i++) {
        free(c->cpu[i].dpcs);
        free(c->cpu[i].held); /* the running CPU's (k->held) becomes CPU 0's */
    }
    free(c->cpu);
    c->cpu = cpu;
    c->count = n;
    c->current = 0;
    cpu[0].state = CPU_ACTIVE;
    cpu[0].stack = vm->map.istack + VW_ISTACK_SIZE - 0x100;
    return true;
}

unsigned vw_cpu_count(struct vm *vm)
{
    return cpus(vm)->count;
}

unsigned vw_cpu_current(struct vm *vm)
{
    return cpus(vm)->current;
}

uint64_t vw_cpu_other_runs(struct vm *vm)
{
    return cpus(vm)->other_runs;
}

uint64_t vw_cpu_spins(struct vm *vm)
{
    return cpus(vm)->spins;
}

/* Make CPU N the running one: the live IRQL and held locks move. */
static void switch_to(struct vm *vm, unsigned n)
{
    struct vw_cpus *c = cpus(vm);
    struct vw_kernel *k = vm->k;
    struct vw_cpu *from = &c->cpu[c->current], *to = &c->cpu[n];
    if (n == c->current)
        return;
    from->irql = vm->irql;
    from->held = k->held;
    from->held_count = k->held_count;
    from->held_cap = k->held_cap;
    vm->irql = to->irql;
    k->held = to->held;
    k->held_count = to->held_count;
    k->held_cap = to->held_cap;
    to->held = NULL;
    c->current = n;
}

/* The queue of CPU N (k_dpc.c). */
struct vw_dpc_entry *vw_cpu_dpcs(struct vm *vm, unsigned n, unsigned **count)
{
    *count = &cpus(vm)->cpu[n].dpc_count;
    return cpus(vm)->cpu[n].dpcs;
}

bool vw_cpu_dpc_push(struct vm *vm, unsigned n, struct vw_dpc_entry e)
{
    struct vw_cpu *cpu = &cpus(vm)->cpu[n];
    if (cpu->dpc_count == cpu->dpc_cap) {
        unsigned cap = cpu->dpc_cap ? cpu->dpc_cap * 2 : 16;
        struct vw_dpc_entry *d = realloc(cpu->dpcs, cap * sizeof(*d));
        if (d == NULL) {
            vw_fail(vm, "harness: out of memory for the DPC queue of CPU %u", n);
            return false;
        }
        cpu->dpcs = d;
        cpu->dpc_cap = cap;
    }
    cpu->dpcs[cpu->dpc_count++] = e;
    return true;
}

/* The stack an ISR or DPC of the running CPU starts on: its interrupt
 * stack's top, or below the frame already on it (nested). */
gva_t vw_cpu_enter_istack(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    struct vw_cpu *cpu = &c->cpu[c->current];
    if (cpu->stack == 0) {
        gva_t s = vw_kalloc(vm, CPU_STACK);
        if (s == 0) {
            vw_fail(vm, "harness: no interrupt stack for CPU %u", c->current);
            return 0;
        }
        cpu->stack = s + CPU_STACK - 0x100;
    }
    return cpu->on_istack++ == 0 ? cpu->stack : 0;
}

void vw_cpu_leave_istack(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    c->cpu[c->current].on_istack--;
}

/* Which CPU holds LOCK (-1: none), looking at the running CPU's live list. */
static int holder(struct vm *vm, gva_t lock)
{
    struct vw_cpus *c = cpus(vm);
    for (unsigned i = 0; i < vm->k->held_count; i++)
        if (vm->k->held[i].lock == lock)
            return (int)c->current;
    for (unsigned n = 0; n < c->count; n++) {
        if (n == c->current)
            continue;
        for (unsigned i = 0; i < c->cpu[n].held_count; i++)
            if (c->cpu[n].held[i].lock == lock)
                return (int)n;
    }
    return -1;
}

bool vw_cpu_holds_locks(struct vm *vm, unsigned n)
{
    struct vw_cpus *c = cpus(vm);
    if (n >= c->count)
        return false;
    return n == c->current ? vm->k->held_count > 0 : c->cpu[n].held_count > 0;
}

int vw_cpu_lock_holder(struct vm *vm, gva_t lock)
{
    return holder(vm, lock);
}

static void set_pc(struct vm *vm, gva_t pc)
{
    int r = vm->arch == VW_X86     ? UC_X86_REG_EIP
            : vm->arch == VW_AMD64 ? UC_X86_REG_RIP
                                   : UC_ARM64_REG_PC;
    uc_reg_write(vm->uc, r, &pc);
}

/* In the acquisition of LOCK, held by another CPU: spin.  True when the
 * running CPU was suspended (the caller returns without taking the lock;
 * the call runs again when the CPU resumes). */
bool vw_cpu_spin(struct vm *vm, gva_t lock)
{
    struct vw_cpus *c = cpus(vm);
    struct vw_cpu *cpu = &c->cpu[c->current];
    if (c->others_running == 0 || !c->base_is_dpc || vm->depth != c->base_depth)
        return false;
    if (cpu->ctx == NULL && uc_context_alloc(vm->uc, &cpu->ctx) != UC_ERR_OK)
        return false;
    uc_context_save(vm->uc, cpu->ctx);
    cpu->spin_lock = lock;
    cpu->state = CPU_SPINNING;
    c->suspend_now = true;
    c->spins++;
    /* Leave the emulation by its end address (uc_emu_stop would also stop
     * the emulation of the CPU this one runs nested in). */
    set_pc(vm, vm->sentinel);
    return true;
}

bool vw_cpu_take_suspend(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    if (c == NULL || !c->suspend_now)
        return false;
    c->suspend_now = false;
    return true;
}

uint64_t vw_cpu_dpc_running(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    return c->cpu[c->current].dpc_now;
}

bool vw_cpu_spinning(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    return c->cpu[c->current].state == CPU_SPINNING;
}

/* Run the DPC routine ROUTINE on the running CPU, which may spin in it (a
 * suspension is recorded).  True when it ran to its end. */
bool vw_cpu_call_dpc(struct vm *vm, gva_t routine, const uint64_t *args)
{
    struct vw_cpus *c = cpus(vm);
    struct vw_cpu *cpu = &c->cpu[c->current];
    unsigned base = c->base_depth;
    bool was_dpc = c->base_is_dpc;
    c->base_depth = vm->depth + 1;
    c->base_is_dpc = true;
    cpu->dpc_now = ++cpu->dpc_seq;
    bool ok = vw_call(vm, routine, 4, args, NULL);
    c->base_depth = base;
    c->base_is_dpc = was_dpc;
    if (!ok && cpu->state == CPU_SPINNING) {
        cpu->spin_routine = routine;
        return false;
    }
    cpu->dpc_now = 0;
    return ok;
}

/* Resume spinning CPU N at its acquisition (its lock is free now). */
static void resume(struct vm *vm, unsigned n)
{
    struct vw_cpus *c = cpus(vm);
    struct vw_cpu *cpu = &c->cpu[n];
    unsigned from = c->current;
    uc_context *saved = NULL;
    if (uc_context_alloc(vm->uc, &saved) != UC_ERR_OK ||
        uc_context_save(vm->uc, saved) != UC_ERR_OK) {
        vw_fail(vm, "harness: cannot save the CPU context");
        return;
    }
    c->cpu[from].state = CPU_ACTIVE;
    switch_to(vm, n);
    cpu->state = CPU_ACTIVE;
    c->others_running++;
    unsigned base = c->base_depth;
    bool was_dpc = c->base_is_dpc;
    vm->depth++;
    c->base_depth = vm->depth;
    c->base_is_dpc = true;
    uc_context_restore(vm->uc, cpu->ctx);
    gva_t pc = vw_pc(vm);
    uc_err err = uc_emu_start(vm->uc, pc, vm->sentinel, 0, 0);
    bool again = !vm->failed && err == UC_ERR_OK && vw_cpu_take_suspend(vm);
    if (!vm->failed && !again) {
        char w[48];
        if (err != UC_ERR_OK)
            vw_fail(vm, "emulation stopped: %s", uc_strerror(err));
        else if (vw_pc(vm) != vm->sentinel)
            vw_fail(vm, "driver routine did not return (stop at %s)", vw_where(vm, vw_pc(vm), w));
        else
            vw_kernel_after_call(vm, cpu->spin_routine, 0, VW_DISPATCH_LEVEL);
    }
    vm->depth--;
    c->base_depth = base;
    c->base_is_dpc = was_dpc;
    if (!again && !vm->failed) {
        /* The DPC ended: what the DPC drain does after each routine. */
        cpu->dpc_now = 0;
        vm->irql = VW_PASSIVE_LEVEL;
        vw_cpu_leave_istack(vm);
        vm->k->dpcs_run++;
        vw_dpc_drain(vm);
    }
    if (cpu->state != CPU_SPINNING)
        cpu->state = CPU_IDLE;
    c->others_running--;
    switch_to(vm, from);
    uc_context_restore(vm->uc, saved);
    uc_context_free(saved);
}

/* Resume every spinning CPU whose lock is free now; true when one ran. */
static bool resume_spinners(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    bool any = false;
    for (unsigned n = 0; n < c->count && !vm->failed; n++)
        if (n != c->current && c->cpu[n].state == CPU_SPINNING &&
            holder(vm, c->cpu[n].spin_lock) < 0) {
            resume(vm, n);
            any = true;
        }
    return any;
}

void vw_cpu_released(struct vm *vm, gva_t lock)
{
    struct vw_cpus *c = cpus(vm);
    for (unsigned n = 0; n < c->count && !vm->failed; n++)
        if (n != c->current && c->cpu[n].state == CPU_SPINNING && c->cpu[n].spin_lock == lock &&
            holder(vm, lock) < 0)
            resume(vm, n);
}

/* The running CPU must take LOCK, which CPU H holds: let H run on if it
 * spins on a lock now free; false (after a failure) when it cannot. */
bool vw_cpu_wait_holder(struct vm *vm, gva_t lock, const char *who)
{
    struct vw_cpus *c = cpus(vm);
    for (int h = holder(vm, lock); h >= 0 && (unsigned)h != c->current && !vm->failed;
         h = holder(vm, lock)) {
        struct vw_cpu *hc = &c->cpu[h];
        if (hc->state == CPU_SPINNING && holder(vm, hc->spin_lock) < 0) {
            resume(vm, (unsigned)h);
            continue;
        }
        if (vw_cpu_spin(vm, lock))
            return false;
        if (hc->state == CPU_SPINNING)
            vw_fail(vm,
                    "deadlock: %s(0x%" PRIx64 ") on CPU %u: CPU %d holds it and spins on lock "
                    "0x%" PRIx64 " held by CPU %d",
                    who, lock, c->current, h, hc->spin_lock, holder(vm, hc->spin_lock));
        else
            vw_fail(vm,
                    "harness: %s(0x%" PRIx64 ") on CPU %u would spin on CPU %d's lock inside a "
                    "nested call (not modelled)",
                    who, lock, c->current, h);
        return false;
    }
    return !vm->failed;
}

/* At a scheduling point of the running CPU: idle CPUs with an interrupt
 * or a DPC waiting run them (seeded: each at about half the points), and
 * spinning CPUs whose lock is free resume.  True when one ran. */
bool vw_cpu_run_others(struct vm *vm, bool seeded)
{
    struct vw_cpus *c = cpus(vm);
    if (c->count == 1 || c->others_running > 0 || vm->failed)
        return false;
    bool any = resume_spinners(vm);
    unsigned from = c->current;
    for (unsigned n = 0; n < c->count && !vm->failed; n++) {
        struct vw_cpu *cpu = &c->cpu[n];
        if (n == from || cpu->state != CPU_IDLE)
            continue;
        if (cpu->dpc_count == 0 && !vw_intr_pending_on(vm, n))
            continue;
        if (seeded && !vw_sched_coin(vm))
            continue;
        uc_context *saved = NULL;
        if (vm->depth > 0 && (uc_context_alloc(vm->uc, &saved) != UC_ERR_OK ||
                              uc_context_save(vm->uc, saved) != UC_ERR_OK)) {
            vw_fail(vm, "harness: cannot save the CPU context");
            return any;
        }
        c->others_running++;
        c->other_runs++;
        switch_to(vm, n);
        cpu->state = CPU_ACTIVE;
        vm->irql = VW_PASSIVE_LEVEL;
        vw_intr_deliver(vm);
        vw_dpc_drain(vm);
        if (cpu->state != CPU_SPINNING)
            cpu->state = CPU_IDLE;
        switch_to(vm, from);
        c->others_running--;
        if (saved != NULL) {
            uc_context_restore(vm->uc, saved);
            uc_context_free(saved);
        }
        any = true;
    }
    /* A CPU spinning on a lock that CPU 0 holds with nothing running on
     * it will spin for ever. */
    for (unsigned n = 0; n < c->count && !vm->failed && vm->depth == 0; n++)
        if (c->cpu[n].state == CPU_SPINNING) {
            int h = holder(vm, c->cpu[n].spin_lock);
            if (h >= 0 && c->cpu[h].state != CPU_SPINNING)
                vw_fail(vm, "deadlock: CPU %u spins for ever on lock 0x%" PRIx64 " held by CPU %d",
                        n, c->cpu[n].spin_lock, h);
        }
    return any;
}

/* Run FN(VM, ARG) with CPU N as the running one at PASSIVE_LEVEL, from the
 * scenario (depth 0), then N's DPCs: a thread of the scenario's on that
 * processor (NDIS calls MiniportSendNetBufferLists on the sender's CPU).
 * Meanwhile the CPU it left is idle, so its interrupts and DPCs run as any
 * other's; it is the running one again after.  FN's result, false when
 * the run failed. */
bool vw_cpu_run_as(struct vm *vm, unsigned n, bool (*fn)(struct vm *, void *), void *arg)
{
    struct vw_cpus *c = cpus(vm);
    unsigned from = c->current;
    if (n == from)
        return fn(vm, arg);
    if (n >= c->count || vm->depth > 0 || c->others_running > 0) {
        vw_fail(vm, "harness: vw_cpu_run_as(%u) with %u CPUs, inside a driver call or a nested run",
                n, c->count);
        return false;
    }
    vw_cpu_flush_dpcs(vm);
    if (c->cpu[n].state != CPU_IDLE || vm->irql != VW_PASSIVE_LEVEL) {
        vw_fail(vm, "harness: vw_cpu_run_as(%u): the CPU is not idle", n);
        return false;
    }
    c->cpu[from].state = CPU_IDLE;
    switch_to(vm, n);
    c->cpu[n].state = CPU_ACTIVE;
    vm->irql = VW_PASSIVE_LEVEL;
    bool ok = fn(vm, arg) && !vm->failed;
    vw_intr_deliver(vm);
    vw_dpc_drain(vm);
    /* Whatever the CPU left spins or waits on runs before the scenario
     * moves back. */
    vw_cpu_flush_dpcs(vm);
    c->cpu[n].state = CPU_IDLE;
    if (c->cpu[from].state != CPU_IDLE && !vm->failed)
        vw_fail(vm, "harness: CPU %u spins after the scenario's work on CPU %u", from, n);
    switch_to(vm, from);
    c->cpu[from].state = CPU_ACTIVE;
    vw_cpu_flush_dpcs(vm);
    return ok && !vm->failed;
}

/* Every CPU's queued DPCs run (KeFlushQueuedDpcs). */
void vw_cpu_flush_dpcs(struct vm *vm)
{
    struct vw_cpus *c = cpus(vm);
    for (unsigned round = 0; round < 16 && !vm->failed; round++) {
        bool left = false;
        for (unsigned n = 0; n < c->count; n++)
            if (n != c->current && (c->cpu[n].dpc_count > 0 || c->cpu[n].state == CPU_SPINNING))
                left = true;
        if (!left || !vw_cpu_run_others(vm, false))
            return;
    }
}

bool vw_cpu_dpc_queued_in(struct vm *vm, gva_t start, uint64_t len, bool remove, gva_t exact)
{
    struct vw_cpus *c = cpus(vm);
    for (unsigned n = 0; n < c->count; n++) {
        struct vw_cpu *cpu = &c->cpu[n];
        for (unsigned i = 0; i < cpu->dpc_count; i++) {
            gva_t d = cpu->dpcs[i].dpc;
            if (exact ? d != exact : (d < start || d >= start + len))
                continue;
            if (remove) {
                memmove(&cpu->dpcs[i], &cpu->dpcs[i + 1],
                        (cpu->dpc_count - i - 1) * sizeof(cpu->dpcs[0]));
                cpu->dpc_count--;
            }
            return true;
        }
    }
    return false;
}
