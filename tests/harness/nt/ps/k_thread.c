/*
 * System threads, cooperative: one runs at a time, until it waits.  Each
 * emulated thread has its own kernel stack in guest memory and its own host
 * coroutine (ucontext) for the harness code that runs it.  A thread switch
 * happens only where no emulation is active: a blocking wait of a thread's
 * outermost driver call (depth 1) saves the CPU context at the thunk and
 * stops emulation; vw_call then runs the block loop (vw_thread_block),
 * which switches to another runnable thread, or runs devices, interrupts,
 * DPCs and work items, or moves the clock to the next timer or time-out,
 * until this thread's wait is satisfied; then the context is restored with
 * the wait's result and the thunk returns to the driver.  The scenario's
 * own code is thread 0.  A wait nested deeper (in a work item, a
 * completion routine) keeps the inline wait of k_wait.c and cannot switch.
 *
 * Threads end by returning or by PsTerminateSystemThread; the thread
 * object (a dispatcher object, waitable) is signalled then.  Handles come
 * from PsCreateSystemThread and go with ZwClose; ObReferenceObjectByHandle
 * references the object until ObfDereferenceObject.  Threads alive,
 * handles open and references held at unload are reported.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <ucontext.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "vw_ntstatus.h"

#define THREAD_OBJECT      6 /* DISPATCHER_HEADER type */
#define THREAD_OBJECT_SIZE 0x400
#define HANDLE_BASE        0x80000400u
#define KSTACK_SIZE        0x20000
#define HOST_STACK_SIZE    (1u << 20)
#define MAX_TIMER_JUMPS    100000

enum thread_state { T_NEW, T_RUNNING, T_BLOCKED, T_DONE };
enum wait_kind { WAIT_SINGLE, WAIT_ANY, WAIT_ALL, WAIT_DELAY, WAIT_PREEMPTED };

struct vw_thread {
    unsigned id;
    enum thread_state state;
    gva_t object, start, context, kstack;
    vw_on_wait_fn *host_fn; /* a harness thread (vw_preempt_at): runs this */
    void *host_ctx;
    bool handle_open, in_block_loop;
    int refs;
    ucontext_t host;
    void *host_stack;
    uc_context *cpu;
    /* Per-thread machine state, saved while another thread runs. */
    unsigned depth, irql, in_worker, process, critical_region;
    gva_t thread_stack;
    /* The wait it is blocked in. */
    gva_t objects[64];
    unsigned count;
    enum wait_kind kind;
    uint64_t deadline;
    gva_t resume_pc;
};

struct vw_threads {
    struct vw_thread t[VW_MAX_THREADS];
    unsigned count, current;
    bool blocked_now, exit_now; /* set by a hook for vw_call */
    gva_t skip_thunk;
    struct vm *vm;
    /* vw_preempt_at: kernel calls left before the switch, what to run. */
    unsigned preempt_left;
    const char *preempt_names; /* only calls through these imports count (NULL: all) */
    vw_on_wait_fn *preempt_fn;
    void *preempt_ctx;
    unsigned preempt_thread; /* the harness thread made for it, 0 = none */
};

static struct vw_threads *threads(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (k->threads == NULL) {
        k->threads = calloc(1, sizeof(*k->threads));
        if (k->threads == NULL)
            return NULL;
        vw_kernel_keep(vm, k->threads);
        k->threads->count = 1; /* thread 0: the scenario */
        k->threads->t[0].state = T_RUNNING;
        k->threads->vm = vm;
    }
    return k->threads;
}

static struct vw_thread *current(struct vm *vm)
{
    return &vm->k->threads->t[vm->k->threads->current];
}

unsigned vw_thread_current(struct vm *vm)
{
    return vm->k->threads != NULL ? vm->k->threads->current : 0;
}

bool vw_thread_active(struct vm *vm)
{
    return vm->k->threads != NULL && vm->k->threads->count > 1;
}

static bool signalled(struct vm *vm, gva_t object)
{
    return (int32_t)vw_rd(vm, object + VW_OFFSET(vm, KEVENT, Header.SignalState), 4) > 0;
}

/* Whether T's wait would be satisfied now (nothing consumed). */
static bool wait_done(struct vm *vm, const struct vw_thread *t)
{
    if (t->deadline != VW_NO_DEADLINE && vm->k->interrupt_time >= t->deadline)
        return true;
    if (t->kind == WAIT_PREEMPTED)
        return true; /* runnable as soon as the preempting thread lets go */
    if (t->kind == WAIT_DELAY)
        return false;
    unsigned n = 0;
    for (unsigned i = 0; i < t->count; i++)
        n += signalled(vm, t->objects[i]);
    return t->kind == WAIT_ALL ? n == t->count : n > 0;
}

static bool runnable(struct vm *vm, const struct vw_thread *t)
{
    return t->state == T_NEW || (t->state == T_BLOCKED && wait_done(vm, t));
}

static void thread_main(unsigned lo, unsigned hi);

/* Switch from the current thread to TO; returns when someone switches
 * back. */
static void switch_to(struct vm *vm, unsigned to)
{
    struct vw_threads *ts = vm->k->threads;
    struct vw_thread *from = current(vm), *next = &ts->t[to];
    from->depth = vm->depth;
    from->irql = vm->irql;
    from->in_worker = vm->k->in_worker;
    from->process = vm->k->process;
    from->critical_region = vm->k->critical_region;
    from->thread_stack = vm->thread_stack;
    if (next->state == T_NEW) {
        next->state = T_RUNNING;
        next->host_stack =
            mmap(NULL, HOST_STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (next->host_stack == MAP_FAILED || getcontext(&next->host) != 0) {
            vw_fail(vm, "harness: cannot create a host stack for thread %u", to);
            return;
        }
        next->host.uc_stack.ss_sp = next->host_stack;
        next->host.uc_stack.ss_size = HOST_STACK_SIZE;
        next->host.uc_link = NULL;
        uintptr_t p = (uintptr_t)ts;
        makecontext(&next->host, (void (*)(void))thread_main, 2, (unsigned)p,
                    (unsigned)((uint64_t)p >> 32));
        next->depth = 0;
        next->irql = VW_PASSIVE_LEVEL;
        next->in_worker = 0;
        next->process = VW_PROCESS_SYSTEM; /* a system thread */
        next->critical_region = 0;
        next->thread_stack = next->kstack + KSTACK_SIZE - 0x100;
    }
    ts->current = to;
    vm->depth = next->depth;
    vm->irql = next->irql;
    vm->k->in_worker = next->in_worker;
    vm->k->process = next->process;
    vm->k->critical_region = next->critical_region;
    vm->thread_stack = next->thread_stack;
    swapcontext(&from->host, &next->host);
}

static int pick_other(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    for (unsigned n = 1; n < ts->count; n++) {
        unsigned i = (ts->current + n) % ts->count;
        if (runnable(vm, &ts->t[i]))
            return (int)i;
    }
    return -1;
}

/* The earliest moment anything is due: a timer or a blocked thread's
 * time-out. */
static uint64_t next_event(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    uint64_t next = vw_next_due(vm);
    for (unsigned i = 0; i < ts->count; i++) {
        const struct vw_thread *t = &ts->t[i];
        if ((t->state == T_BLOCKED || i == ts->current) && t->deadline < next)
            next = t->deadline;
    }
    return next;
}

/* Run until the current thread's wait is done (it is not consumed here);
 * false when the run failed or nothing can ever satisfy it. */
static bool block(struct vm *vm, bool forever)
{
    struct vw_threads *ts = vm->k->threads;
    struct vw_thread *me = current(vm);
    unsigned jumps = 0;
    while (!vm->failed) {
        if (!forever && wait_done(vm, me))
            return true;
        int other = pick_other(vm);
        if (other >= 0) {
            if (!forever)
                me->state = T_BLOCKED;
            switch_to(vm, (unsigned)other);
            if (!forever)
                me->state = T_RUNNING;
            continue;
        }
        if (vm->k->on_wait != NULL) {
            vw_on_wait_fn *fn = vm->k->on_wait;
            vm->k->on_wait = NULL;
            fn(vm, vm->k->on_wait_ctx);
            continue;
        }
        me->in_block_loop = true;
        bool busy = vw_sched_idle(vm);
        me->in_block_loop = false;
        if (busy)
            continue;
        uint64_t next = next_event(vm);
        if (next != VW_NO_DEADLINE && jumps++ < MAX_TIMER_JUMPS) {
            if (next > vm->k->interrupt_time)
                vw_time_advance(vm, next - vm->k->interrupt_time);
            vw_timer_expire(vm);
            continue;
        }
        vw_sched_check_stalls(vm, true); /* a device that knows why names it first */
        vw_fail(vm,
                "deadlock: every thread waits (thread %u%s) and nothing else can run or is "
                "due",
                me->id, forever ? " finished" : "");
    }
    /* A failure ends the run in the scenario's thread. */
    if (ts->current != 0 && ts->t[0].state == T_BLOCKED)
        switch_to(vm, 0);
    return false;
}

static void thread_main(unsigned lo, unsigned hi)
{
    struct vw_threads *ts = (struct vw_threads *)(uintptr_t)((uint64_t)hi << 32 | lo);
    struct vm *vm = ts->vm;
    struct vw_thread *me = current(vm);
    uint64_t args[1] = {me->context};
    if (me->host_fn != NULL) {
        me->host_fn(vm, me->host_ctx); /* its driver calls use its own stack */
    } else {
        vm->next_call_stack = me->kstack + KSTACK_SIZE - 0x100;
        vw_call(vm, me->start, 1, args, NULL);
    }
    if (!vm->failed && vm->irql != VW_PASSIVE_LEVEL)
        vw_fail(vm, "system thread %u ended at IRQL %u", me->id, vm->irql);
    me->state = T_DONE;
    me->deadline = VW_NO_DEADLINE;
    vw_wr(vm, me->object + VW_OFFSET(vm, KEVENT, Header.SignalState), 1, 4);
    vw_log(vm, "system thread %u ended", me->id);
    block(vm, true); /* never comes back: someone else runs now */
    abort();
}

/* The waiting APIs (k_wait.c) at depth 1 with threads around: record the
 * wait, save the CPU context, stop emulation; vw_call does the rest. */
bool vw_thread_wait(struct vm *vm, const gva_t *objects, unsigned count, int kind,
                    uint64_t deadline)
{
    struct vw_threads *ts = vm->k->threads;
    if (!vw_thread_active(vm) || vm->depth != 1 || vm->k->in_worker || current(vm)->in_block_loop)
        return false;
    struct vw_thread *me = current(vm);
    if (me->cpu == NULL && uc_context_alloc(vm->uc, &me->cpu) != UC_ERR_OK)
        return false;
    for (unsigned i = 0; i < count && i < 64; i++)
        me->objects[i] = objects[i];
    me->count = count;
    me->kind = (enum wait_kind)kind;
    me->deadline = deadline;
    me->resume_pc = vw_pc(vm);
    uc_context_save(vm->uc, me->cpu);
    ts->blocked_now = true;
    uc_emu_stop(vm->uc);
    return true;
}

bool vw_thread_take_block(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    if (ts == NULL || !ts->blocked_now)
        return false;
    ts->blocked_now = false;
    return true;
}

bool vw_thread_take_exit(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    if (ts == NULL || !ts->exit_now)
        return false;
    ts->exit_now = false;
    return true;
}

/* Consume the satisfied wait and compute what the API returns. */
static uint32_t finish_wait(struct vm *vm, struct vw_thread *me)
{
    if (me->kind == WAIT_DELAY)
        return VW_STATUS_SUCCESS;
    int r = vw_wait_consume(vm, me->objects, me->count, me->kind == WAIT_ALL);
    if (r < 0)
        return VW_STATUS_TIMEOUT;
    return me->kind == WAIT_ANY ? (uint32_t)r : VW_STATUS_SUCCESS;
}

gva_t vw_thread_block(struct vm *vm)
{
    struct vw_thread *me = current(vm);
    if (me->kind == WAIT_PREEMPTED) {
        /* The other thread runs first, until it ends or blocks; then this
         * one carries on at the kernel call it was stopped at, which runs
         * now (no return value to set, no thunk to skip). */
        me->state = T_BLOCKED;
        switch_to(vm, vm->k->threads->preempt_thread);
        me->state = T_RUNNING;
        if (vm->failed)
            return 0;
        uc_context_restore(vm->uc, me->cpu);
        return me->resume_pc;
    }
    if (!block(vm, false))
        return 0;
    uint32_t status = finish_wait(vm, me);
    uc_context_restore(vm->uc, me->cpu);
    vw_set_return(vm, status);
    vm->k->threads->skip_thunk = me->resume_pc;
    return me->resume_pc;
}

bool vw_thread_skip(struct vm *vm, gva_t thunk)
{
    struct vw_threads *ts = vm->k->threads;
    if (ts == NULL || ts->skip_thunk != thunk || thunk == 0)
        return false;
    ts->skip_thunk = 0;
    return true;
}

void vw_thread_run_for(struct vm *vm, uint64_t units)
{
    struct vw_thread *me = current(vm);
    me->kind = WAIT_DELAY;
    me->count = 0;
    me->deadline = vm->k->interrupt_time + units;
    block(vm, false);
}

/* Thread ID's kernel stack, mapped (0 on failure). */
static gva_t kstack_of(struct vm *vm, unsigned id)
{
    gva_t kstack =
        vm->map.wstack + VW_WSTACK_SIZE + 0x10000 + (uint64_t)(id - 1) * (KSTACK_SIZE + 0x10000);
    if (!vw_map_pages(vm, kstack, KSTACK_SIZE, UC_PROT_READ | UC_PROT_WRITE))
        return 0;
    return kstack;
}

void vw_preempt_at(struct vm *vm, unsigned n, void (*fn)(struct vm *vm, void *ctx), void *ctx)
{
    struct vw_threads *ts = threads(vm);
    if (ts == NULL)
        return;
    ts->preempt_left = n > 0 ? n : 1;
    ts->preempt_names = NULL;
    ts->preempt_fn = fn;
    ts->preempt_ctx = ctx;
}

void vw_preempt_at_import(struct vm *vm, const char *names, unsigned n,
                          void (*fn)(struct vm *vm, void *ctx), void *ctx)
{
    vw_preempt_at(vm, n, fn, ctx);
    if (vm->k->threads != NULL)
        vm->k->threads->preempt_names = names;
}

/* Whether NAME is one of the '|'-separated names in LIST (NULL: any). */
static bool name_in(const char *list, const char *name)
{
    if (list == NULL)
        return true;
    size_t n = strlen(name);
    for (const char *p = list;;) {
        const char *end = strchr(p, '|');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len == n && strncmp(p, name, n) == 0)
            return true;
        if (end == NULL)
            return false;
        p = end + 1;
    }
}

/* A kernel call of the scenario's thread (on_thunk, on_routine, before the
 * API runs): at the armed one, make the harness thread, save this
 * thread's context at the call, stop emulation; vw_call then runs
 * vw_thread_block, which switches to it.  True when it did. */
bool vw_thread_preempt_point(struct vm *vm, const char *name)
{
    struct vw_threads *ts = vm->k->threads;
    if (ts == NULL || ts->preempt_fn == NULL || ts->current != 0 || vm->depth != 1 ||
        vm->k->in_worker || vm->k->in_sched || vm->irql > VW_APC_LEVEL || vm->failed ||
        !name_in(ts->preempt_names, name))
        return false;
    if (--ts->preempt_left > 0)
        return false;
    struct vw_thread *me = current(vm);
    if (ts->count == VW_MAX_THREADS) {
        vw_fail(vm, "harness: hard limit: more than %u threads (vw_preempt_at)",
                VW_MAX_THREADS - 1);
        return false;
    }
    if (me->cpu == NULL && uc_context_alloc(vm->uc, &me->cpu) != UC_ERR_OK) {
        vw_fail(vm, "harness: no CPU context left for vw_preempt_at");
        return false;
    }
    unsigned id = ts->count;
    gva_t kstack = kstack_of(vm, id);
    if (kstack == 0)
        return false;
    ts->t[ts->count++] = (struct vw_thread){.id = id,
                                            .state = T_NEW,
                                            .object = vw_kalloc(vm, THREAD_OBJECT_SIZE),
                                            .kstack = kstack,
                                            .host_fn = ts->preempt_fn,
                                            .host_ctx = ts->preempt_ctx,
                                            .deadline = VW_NO_DEADLINE};
    vw_wr(vm, ts->t[id].object + VW_OFFSET(vm, KEVENT, Header.Type), THREAD_OBJECT, 1);
    ts->preempt_fn = NULL;
    ts->preempt_thread = id;
    me->kind = WAIT_PREEMPTED;
    me->count = 0;
    me->deadline = VW_NO_DEADLINE;
    me->resume_pc = vw_pc(vm);
    uc_context_save(vm->uc, me->cpu);
    ts->blocked_now = true;
    uc_emu_stop(vm->uc);
    char w[48];
    vw_log(vm, "preempted at the kernel call from %s: harness thread %u runs",
           vw_where(vm, vw_return_address(vm), w), id);
    return true;
}

bool vw_preempt_finish(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    if (vm->failed || ts == NULL || ts->preempt_thread == 0)
        return false;
    struct vw_thread *t = &ts->t[ts->preempt_thread], *me = current(vm);
    if (t->state != T_DONE) {
        me->objects[0] = t->object;
        me->count = 1;
        me->kind = WAIT_SINGLE;
        me->deadline = VW_NO_DEADLINE;
        block(vm, false);
    }
    return !vm->failed && t->state == T_DONE;
}

/* (ThreadHandle, DesiredAccess, ObjectAttributes, ProcessHandle, ClientId,
 * StartRoutine, StartContext) */
void vw_PsCreateSystemThread(struct vm *vm, const struct vw_api *api)
{
    struct vw_threads *ts = threads(vm);
    gva_t out = vw_arg(vm, api, 0);
    if (ts == NULL) {
        vw_set_return(vm, VW_STATUS_INSUFFICIENT_RESOURCES);
        return;
    }
    if (ts->count == VW_MAX_THREADS) {
        vw_fail(vm, "harness: hard limit: more than %u system threads (PsCreateSystemThread)",
                VW_MAX_THREADS - 1);
        return;
    }
    if (vw_arg(vm, api, 3) != 0) {
        vw_fail(vm, "PsCreateSystemThread: a driver thread belongs to the system process "
                    "(ProcessHandle must be NULL)");
        return;
    }
    unsigned id = ts->count;
    gva_t kstack = kstack_of(vm, id);
    if (kstack == 0)
        return;
    struct vw_thread *t = &ts->t[ts->count++];
    *t = (struct vw_thread){.id = id,
                            .state = T_NEW,
                            .object = vw_kalloc(vm, THREAD_OBJECT_SIZE),
                            .start = vw_arg(vm, api, 5),
                            .context = vw_arg(vm, api, 6),
                            .kstack = kstack,
                            .handle_open = true,
                            .deadline = VW_NO_DEADLINE};
    vw_wr(vm, t->object + VW_OFFSET(vm, KEVENT, Header.Type), THREAD_OBJECT, 1);
    vw_wr(vm, t->object + VW_OFFSET(vm, KEVENT, Header.SignalState), 0, 4);
    vw_wrptr(vm, out, HANDLE_BASE + 4 * id);
    gva_t client = vw_arg(vm, api, 4);
    if (client != 0) { /* CLIENT_ID: UniqueProcess 4 (System), UniqueThread */
        vw_wrptr(vm, client, 4);
        vw_wrptr(vm, client + vm->ptr_size, 0x1000 + 4 * id);
    }
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_PsTerminateSystemThread(struct vm *vm, const struct vw_api *api)
{
    struct vw_threads *ts = vm->k->threads;
    (void)api;
    if (ts == NULL || ts->current == 0) {
        vw_fail(vm, "PsTerminateSystemThread called outside a system thread");
        return;
    }
    if (vm->depth != 1) {
        vw_fail(vm, "PsTerminateSystemThread from a nested call (depth %u)", vm->depth);
        return;
    }
    ts->exit_now = true;
    uc_emu_stop(vm->uc);
}

static struct vw_thread *by_handle(struct vm *vm, uint64_t handle)
{
    struct vw_threads *ts = vm->k->threads;
    uint64_t id = (handle - HANDLE_BASE) / 4;
    if (ts == NULL || handle < HANDLE_BASE || (handle - HANDLE_BASE) % 4 != 0 || id == 0 ||
        id >= ts->count || !ts->t[id].handle_open)
        return NULL;
    return &ts->t[id];
}

bool vw_thread_close_handle(struct vm *vm, uint64_t handle)
{
    struct vw_thread *t = by_handle(vm, handle);
    if (t == NULL)
        return false;
    t->handle_open = false;
    return true;
}

/* (Handle, DesiredAccess, ObjectType, AccessMode, Object, HandleInformation):
 * only thread handles; ObjectType is not checked (drivers pass
 * *PsThreadType or NULL). */
void vw_ObReferenceObjectByHandle(struct vm *vm, const struct vw_api *api)
{
    struct vw_thread *t = by_handle(vm, vw_arg(vm, api, 0));
    if (t == NULL && vw_ob_reference_user_handle(vm, api))
        return; /* a user-mode process's event (k_ob.c) */
    if (t == NULL) {
        vw_set_return(vm, VW_STATUS_INVALID_HANDLE);
        return;
    }
    t->refs++;
    vw_wrptr(vm, vw_arg(vm, api, 4), t->object);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

bool vw_thread_dereference(struct vm *vm, gva_t object)
{
    struct vw_threads *ts = vm->k->threads;
    for (unsigned i = 1; ts != NULL && i < ts->count; i++)
        if (ts->t[i].object == object) {
            if (ts->t[i].refs <= 0)
                vw_fail(vm, "ObfDereferenceObject of thread %u without a reference", i);
            else
                ts->t[i].refs--;
            return true;
        }
    return false;
}

unsigned vw_thread_report_leaks(struct vm *vm)
{
    struct vw_threads *ts = vm->k->threads;
    unsigned n = 0;
    char w[48];
    for (unsigned i = 1; ts != NULL && i < ts->count; i++) {
        const struct vw_thread *t = &ts->t[i];
        if (t->state != T_DONE) {
            vw_log(vm, "leak: system thread %u (start %s) still running", i,
                   vw_where(vm, t->start, w));
            n++;
        }
        if (t->handle_open) {
            vw_log(vm, "leak: handle of system thread %u never closed (ZwClose)", i);
            n++;
        }
        if (t->refs > 0) {
            vw_log(vm, "leak: %d reference(s) to system thread %u never dropped", t->refs, i);
            n++;
        }
    }
    return n;
}
