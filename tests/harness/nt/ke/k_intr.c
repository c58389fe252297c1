/*
 * Interrupts: IoConnectInterruptEx (CONNECT_MESSAGE_BASED with its message
 * table, the line-based fallback, CONNECT_LINE_BASED), IoDisconnectInterruptEx,
 * and delivery: a device raises a message, which targets one CPU (message
 * M: CPU (M + 1) mod CPUS, since CPU 0 runs the threads; a line: CPU 1 mod
 * CPUS); at that CPU's next scheduling point below the device IRQL (also
 * inside a DPC or a spin-locked region, and when the IRQL is lowered) the
 * CPU context is saved, the IRQL raised to the device IRQL, the ISR called
 * (KMESSAGE_SERVICE_ROUTINE or KSERVICE_ROUTINE) on the CPU's interrupt
 * stack, and everything restored.  The DPCs the ISR queued run when that
 * CPU's IRQL drops below DISPATCH_LEVEL (sched.c, k_cpus.c).  The
 * interrupt's spin lock (KeSynchronizeExecution, KeAcquireInterruptSpinLock)
 * keeps its ISR off every CPU while held.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "pnp.h"
#include "vw_ntstatus.h"
#include "vw_resources.h"

#define DEVICE_IRQL     5 /* one level for every device */
#define KINTERRUPT_SIZE 0x100

static uint64_t off(struct vm *vm, const char *member)
{
    char name[128];
    snprintf(name, sizeof(name), "IO_CONNECT_INTERRUPT_PARAMETERS.%s", member);
    return vw_layout(vm, name);
}

static struct vw_interrupt *new_interrupt(struct vm *vm, gva_t pdo)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->interrupt_count; i++)
        if (k->interrupts[i]->live && k->interrupts[i]->pdo == pdo) {
            vw_fail(vm, "IoConnectInterruptEx: the PDO's interrupt is already connected");
            return NULL;
        }
    if (!VW_GROW(vm, k->interrupts, k->interrupt_count, k->interrupt_cap, "interrupt connections"))
        return NULL;
    struct vw_interrupt *in = calloc(1, sizeof(*in));
    if (in == NULL) {
        vw_fail(vm, "harness: out of host memory for an interrupt connection");
        return NULL;
    }
    vw_kernel_keep(vm, in);
    k->interrupts[k->interrupt_count++] = in;
    *in = (struct vw_interrupt){.pdo = pdo, .live = true, .irql = DEVICE_IRQL};
    in->object = vw_kalloc(vm, KINTERRUPT_SIZE);
    return in;
}

/* The message table: one entry per message, all on the same IRQL. */
static gva_t message_table(struct vm *vm, struct vw_interrupt *in)
{
    uint64_t entries = VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO, MessageInfo);
    uint64_t esize = VW_SIZEOF(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY);
    gva_t t = vw_kalloc(vm, entries + esize * in->messages);
    vw_wr(vm, t + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO, UnifiedIrql), in->irql, 1);
    vw_wr(vm, t + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO, MessageCount), in->messages, 4);
    for (unsigned i = 0; i < in->messages; i++) {
        gva_t e = t + entries + esize * i;
        vw_wrptr(vm, e + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY, InterruptObject),
                 in->object);
        vw_wr(vm, e + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY, MessageData), i, 4);
        vw_wr(vm, e + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY, Vector), 0x60 + i, 4);
        vw_wr(vm, e + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY, Irql), in->irql, 1);
        vw_wr(vm, e + VW_OFFSET(vm, IO_INTERRUPT_MESSAGE_INFO_ENTRY, TargetProcessorSet),
              1ull << (vw_intr_target_cpu(vm, true, i) % 64), vm->ptr_size);
    }
    return t;
}

static void connect_line(struct vm *vm, gva_t pdo, gva_t routine, gva_t context, gva_t out)
{
    if (routine == 0) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    struct vw_interrupt *in = new_interrupt(vm, pdo);
    if (in == NULL)
        return;
    in->routine = routine;
    in->context = context;
    in->messages = 1;
    if (out != 0)
        vw_wrptr(vm, out, in->object);
    vw_log(vm, "interrupt: line-based, ISR %" PRIx64, routine);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_IoConnectInterruptEx(struct vm *vm, const struct vw_api *api)
{
    gva_t p = vw_arg(vm, api, 0);
    uint32_t version = (uint32_t)vw_rd(vm, p + off(vm, "Version"), 4);
    if (version == VW_CONNECT_LINE_BASED) {
        gva_t pdo = vw_rdptr(vm, p + off(vm, "LineBased.PhysicalDeviceObject"));
        struct vw_pdo *rec = vw_pdo_find(vm, pdo);
        if (rec == NULL || !rec->line) {
            vw_set_return(vm, VW_STATUS_NOT_FOUND);
            return;
        }
        connect_line(vm, pdo, vw_rdptr(vm, p + off(vm, "LineBased.ServiceRoutine")),
                     vw_rdptr(vm, p + off(vm, "LineBased.ServiceContext")),
                     vw_rdptr(vm, p + off(vm, "LineBased.InterruptObject")));
        return;
    }
    if (version != VW_CONNECT_MESSAGE_BASED) {
        vw_fail(vm, "IoConnectInterruptEx: version %u not modelled", version);
        return;
    }
    if (vm->k->intr_empty_message_context) {
        vw_log(vm, "interrupt: quirk: message-based connect succeeds with nothing filled in");
        vw_set_return(vm, VW_STATUS_SUCCESS);
        return;
    }
    gva_t pdo = vw_rdptr(vm, p + off(vm, "MessageBased.PhysicalDeviceObject"));
    gva_t out = vw_rdptr(vm, p + off(vm, "MessageBased.ConnectionContext"));
    gva_t context = vw_rdptr(vm, p + off(vm, "MessageBased.ServiceContext"));
    struct vw_pdo *rec = vw_pdo_find(vm, pdo);
    if (rec == NULL) {
        vw_fail(vm, "IoConnectInterruptEx: 0x%" PRIx64 " is not a PDO", pdo);
        return;
    }
    if (rec->messages == 0) {
        /* No messages assigned: the documented fallback to the line. */
        gva_t fallback = vw_rdptr(vm, p + off(vm, "MessageBased.FallBackServiceRoutine"));
        if (!rec->line || fallback == 0) {
            vw_set_return(vm, VW_STATUS_NOT_FOUND);
            return;
        }
        connect_line(vm, pdo, fallback, context, out);
        vw_wr(vm, p + off(vm, "Version"), VW_CONNECT_LINE_BASED, 4);
        return;
    }
    gva_t routine = vw_rdptr(vm, p + off(vm, "MessageBased.MessageServiceRoutine"));
    if (routine == 0 || out == 0) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER);
        return;
    }
    struct vw_interrupt *in = new_interrupt(vm, pdo);
    if (in == NULL)
        return;
    in->message = true;
    in->routine = routine;
    in->context = context;
    in->messages = rec->messages;
    in->table = message_table(vm, in);
    vw_wrptr(vm, out, in->table);
    vw_log(vm, "interrupt: %u message(s), ISR %" PRIx64, in->messages, routine);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_intr_quirk_empty_context(struct vm *vm, bool on)
{
    vm->k->intr_empty_message_context = on;
}

void vw_IoDisconnectInterruptEx(struct vm *vm, const struct vw_api *api)
{
    gva_t p = vw_arg(vm, api, 0);
    uint32_t version =
        (uint32_t)vw_rd(vm, p + VW_OFFSET(vm, IO_DISCONNECT_INTERRUPT_PARAMETERS, Version), 4);
    gva_t ctx =
        vw_rdptr(vm, p + VW_OFFSET(vm, IO_DISCONNECT_INTERRUPT_PARAMETERS, ConnectionContext));
    for (unsigned i = 0; i < vm->k->interrupt_count; i++) {
        struct vw_interrupt *in = vm->k->interrupts[i];
        if (!in->live || (in->message ? in->table : in->object) != ctx)
            continue;
        if ((version == VW_CONNECT_MESSAGE_BASED) != in->message) {
            vw_fail(vm, "IoDisconnectInterruptEx: version %u does not match the connection",
                    version);
            return;
        }
        in->live = false;
        return;
    }
    vw_fail(vm, "IoDisconnectInterruptEx: 0x%" PRIx64 " is not a connected interrupt", ctx);
}

static uint64_t bit(unsigned m)
{
    return 1ull << (m % 64);
}

void vw_intr_raise(struct vm *vm, gva_t pdo, unsigned message)
{
    for (unsigned i = 0; i < vm->k->interrupt_count; i++) {
        struct vw_interrupt *in = vm->k->interrupts[i];
        if (!in->live || in->pdo != pdo)
            continue;
        if (!in->message)
            message = 0; /* a line has one "message" */
        if (message >= in->messages) {
            vw_log(vm, "interrupt: message %u beyond the %u connected: dropped", message,
                   in->messages);
            return;
        }
        if (!(in->pending[message / 64] & bit(message))) {
            in->pending[message / 64] |= bit(message);
            in->pending_count++;
        }
        return;
    }
    vw_log(vm, "interrupt: message %u with no ISR connected: dropped", message);
}

unsigned vw_intr_target_cpu(struct vm *vm, bool message, unsigned m)
{
    return ((message ? m : 0) + 1) % vw_cpu_count(vm);
}

static unsigned target(struct vm *vm, const struct vw_interrupt *in, unsigned m)
{
    return vw_intr_target_cpu(vm, in->message, m);
}

/* The first pending message of IN that CPU may take now (IRQL and the
 * interrupt's lock permitting when NOW), or -1. */
static int first_for(struct vm *vm, const struct vw_interrupt *in, unsigned cpu, bool now)
{
    if (!in->live || in->pending_count == 0)
        return -1;
    if (now && (vm->irql >= in->irql || vw_cpu_lock_holder(vm, in->object) >= 0))
        return -1;
    for (unsigned w = 0; w * 64 < in->messages; w++)
        for (uint64_t bits = in->pending[w]; bits != 0; bits &= bits - 1) {
            unsigned m = w * 64 + (unsigned)__builtin_ctzll(bits);
            /* A message whose own lock is held waits for it (per-message
             * locks of a port driver's connection). */
            if (now && in->msg_locks != 0 &&
                vw_cpu_lock_holder(vm, vw_intr_message_lock(in, m)) >= 0)
                continue;
            if (m < in->messages && target(vm, in, m) == cpu)
                return (int)m;
        }
    return -1;
}

bool vw_intr_pending_on(struct vm *vm, unsigned n)
{
    for (unsigned i = 0; i < vm->k->interrupt_count; i++)
        if (first_for(vm, vm->k->interrupts[i], n, false) >= 0)
            return true;
    return false;
}

static bool deliver_one(struct vm *vm, struct vw_interrupt *in)
{
    int found = first_for(vm, in, vw_cpu_current(vm), true);
    if (found < 0)
        return false;
    unsigned m = (unsigned)found;
    in->pending[m / 64] &= ~bit(m);
    in->pending_count--;
    unsigned irql = vm->irql;
    uint64_t result = 0;
    uint64_t args[3] = {in->object, in->context, m};
    vm->irql = in->irql;
    vm->next_call_stack = vw_cpu_enter_istack(vm);
    vw_call(vm, in->routine, in->message ? 3 : 2, args, &result);
    vw_cpu_leave_istack(vm);
    vm->irql = irql;
    vm->k->interrupts_delivered++;
    if (!in->message && (uint8_t)result == 0)
        vw_log(vm, "interrupt: the line ISR did not claim the interrupt");
    return true;
}

bool vw_intr_deliver(struct vm *vm)
{
    bool any = false;
    for (unsigned i = 0; i < vm->k->interrupt_count && !vm->failed; i++) {
        struct vw_interrupt *in = vm->k->interrupts[i];
        while (!vm->failed && deliver_one(vm, in))
            any = true;
    }
    return any;
}

unsigned vw_intr_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->k->interrupt_count; i++)
        if (vm->k->interrupts[i]->live) {
            vw_log(vm, "leak: interrupt still connected (ISR 0x%" PRIx64 ")",
                   vm->k->interrupts[i]->routine);
            n++;
        }
    return n;
}

static struct vw_interrupt *by_object(struct vm *vm, gva_t object, const char *who)
{
    for (unsigned i = 0; i < vm->k->interrupt_count; i++)
        if (vm->k->interrupts[i]->live && vm->k->interrupts[i]->object == object)
            return vm->k->interrupts[i];
    vw_fail(vm, "%s: 0x%" PRIx64 " is not a connected interrupt object", who, object);
    return NULL;
}

/* Take IN's spin lock at its IRQL; the previous IRQL, or ~0u on failure. */
static unsigned lock_interrupt(struct vm *vm, struct vw_interrupt *in, const char *who)
{
    unsigned old = vm->irql;
    if (old > in->irql) {
        vw_fail(vm, "IRQL: %s at IRQL %u, above the interrupt's %u", who, old, in->irql);
        return ~0u;
    }
    /* The holder is never suspended (nothing spins at DIRQL), so it is this
     * CPU: a second acquisition. */
    if (vw_cpu_lock_holder(vm, in->object) >= 0) {
        vw_fail(vm, "deadlock: %s: the interrupt spin lock is already held", who);
        return ~0u;
    }
    vm->irql = in->irql;
    vw_spinlock_note(vm, in->object, true, who);
    return old;
}

static void unlock_interrupt(struct vm *vm, struct vw_interrupt *in, unsigned old, const char *who)
{
    vw_spinlock_note(vm, in->object, false, who);
    /* A CPU held off by the lock takes the ISR at once, as its spinning
     * dispatch would: at the next point, whatever the seed. */
    if (in->pending_count > 0)
        vm->k->point_unseeded = true;
    vw_irql_set(vm, old, who);
}

/* KeSynchronizeExecution(Interrupt, SynchronizeRoutine, Context): the
 * routine runs at the interrupt's IRQL holding its spin lock, so the ISR
 * runs on no CPU meanwhile; returns what the routine returns. */
void vw_KeSynchronizeExecution(struct vm *vm, const struct vw_api *api)
{
    struct vw_interrupt *in = by_object(vm, vw_arg(vm, api, 0), api->name);
    if (in == NULL)
        return;
    unsigned old = lock_interrupt(vm, in, api->name);
    if (old == ~0u)
        return;
    uint64_t args[1] = {vw_arg(vm, api, 2)}, result = 0;
    gva_t routine = vw_arg(vm, api, 1);
    if (!vw_call(vm, routine, 1, args, &result))
        return;
    unlock_interrupt(vm, in, old, api->name);
    vw_set_return(vm, result & 0xff);
}

/* KeAcquireInterruptSpinLock(Interrupt): the previous IRQL. */
void vw_KeAcquireInterruptSpinLock(struct vm *vm, const struct vw_api *api)
{
    struct vw_interrupt *in = by_object(vm, vw_arg(vm, api, 0), api->name);
    unsigned old = in != NULL ? lock_interrupt(vm, in, api->name) : ~0u;
    if (old != ~0u)
        vw_set_return(vm, old);
}

/* KeReleaseInterruptSpinLock(Interrupt, OldIrql). */
void vw_KeReleaseInterruptSpinLock(struct vm *vm, const struct vw_api *api)
{
    struct vw_interrupt *in = by_object(vm, vw_arg(vm, api, 0), api->name);
    if (in != NULL)
        unlock_interrupt(vm, in, (unsigned)(vw_arg(vm, api, 1) & 0xff), api->name);
}

void vw_intr_raise_at_import(struct vm *vm, gva_t pdo, unsigned message, const char *import,
                             unsigned times)
{
    struct vw_kernel *k = vm->k;
    k->raise_at.pdo = pdo;
    k->raise_at.message = message;
    k->raise_at.import = import;
    k->raise_at.times = times;
}

void vw_intr_import_point(struct vm *vm, const char *name)
{
    struct vw_kernel *k = vm->k;
    if (k->raise_at.times == 0 || strcmp(k->raise_at.import, name) != 0)
        return;
    k->raise_at.times--;
    vw_intr_raise(vm, k->raise_at.pdo, k->raise_at.message);
    k->point_unseeded = true; /* it lands at this call on every seed */
}

struct vw_interrupt *vw_intr_connect_port(struct vm *vm, gva_t pdo, gva_t message_routine,
                                          gva_t line_routine, gva_t context, bool per_message)
{
    struct vw_pdo *rec = vw_pdo_find(vm, pdo);
    if (rec == NULL || (rec->messages == 0 && !rec->line))
        return NULL;
    struct vw_interrupt *in = new_interrupt(vm, pdo);
    if (in == NULL)
        return NULL;
    in->context = context;
    if (rec->messages != 0) {
        in->message = true;
        in->routine = message_routine;
        in->messages = rec->messages;
        in->table = message_table(vm, in);
        if (per_message)
            in->msg_locks = vw_kalloc(vm, (uint64_t)vm->ptr_size * in->messages);
    } else {
        in->routine = line_routine;
        in->messages = 1;
    }
    return in;
}

gva_t vw_intr_message_lock(const struct vw_interrupt *in, unsigned m)
{
    return in->msg_locks != 0 && m < in->messages ? in->msg_locks + 8ull * m : in->object;
}
