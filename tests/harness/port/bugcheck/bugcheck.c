/*
 * Bug-check callbacks and KeBugCheckEx, as a plug-in API group (api.h):
 * its own table, state and unload/free checks, and the scenario's
 * vw_crash (pnp.h).  A bug check runs at HIGH_LEVEL: when crash dumps are
 * enabled the dump is "written" first, calling every KbCallbackDumpIo
 * reason callback for each block (header, body blocks, completion); the
 * plain bug-check callbacks run after the dump, as on Windows.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "pnp.h"

#define KB_CALLBACK_DUMP_IO 3
#define BUFFER_EMPTY        0
#define BUFFER_INSERTED     1
#define BUFFER_STARTED      2
#define BUFFER_FINISHED     3

struct vw_callback {
    gva_t record, routine, buffer;
    uint64_t length;
    uint32_t reason;
    bool is_reason;
};

struct bugcheck_state {
    struct vw_callback callbacks[VW_MAX_OBJECTS];
    unsigned callback_count, bugchecks;
    bool dump_enabled; /* scenario option: crash dumps configured */
};

static struct vw_api_group bugcheck_group;

static struct bugcheck_state *state(struct vm *vm)
{
    struct bugcheck_state *s = vw_port_state(vm, &bugcheck_group, sizeof(*s));
    if (s == NULL)
        vw_fail(vm, "harness: no memory for the bug-check state");
    return s;
}

static int find(struct bugcheck_state *s, gva_t record, bool is_reason)
{
    for (unsigned i = 0; i < s->callback_count; i++)
        if (s->callbacks[i].record == record && s->callbacks[i].is_reason == is_reason)
            return (int)i;
    return -1;
}

static uint64_t state_offset(struct vm *vm, bool is_reason)
{
    return is_reason ? VW_OFFSET(vm, KBUGCHECK_REASON_CALLBACK_RECORD, State)
                     : VW_OFFSET(vm, KBUGCHECK_CALLBACK_RECORD, State);
}

static bool add(struct vm *vm, struct vw_callback cb)
{
    struct bugcheck_state *s = state(vm);
    if (s == NULL)
        return false;
    /* Windows refuses a record that is not in the BufferEmpty state, e.g.
     * one registered twice or never initialized. */
    uint64_t state = vw_rd(vm, cb.record + state_offset(vm, cb.is_reason), 1);
    if (state != BUFFER_EMPTY || find(s, cb.record, cb.is_reason) >= 0 ||
        s->callback_count == VW_MAX_OBJECTS)
        return false;
    s->callbacks[s->callback_count++] = cb;
    vw_wr(vm, cb.record + state_offset(vm, cb.is_reason), BUFFER_INSERTED, 1);
    return true;
}

static bool remove_record(struct vm *vm, gva_t record, bool is_reason)
{
    struct bugcheck_state *s = state(vm);
    int i = s != NULL ? find(s, record, is_reason) : -1;
    if (i < 0)
        return false;
    s->callbacks[i] = s->callbacks[--s->callback_count];
    vw_wr(vm, record + state_offset(vm, is_reason), BUFFER_EMPTY, 1);
    return true;
}

static void KeRegisterBugCheckCallback(struct vm *vm, const struct vw_api *api)
{
    struct vw_callback cb = {.record = vw_arg(vm, api, 0),
                             .routine = vw_arg(vm, api, 1),
                             .buffer = vw_arg(vm, api, 2),
                             .length = (uint32_t)vw_arg(vm, api, 3)};
    vw_set_return(vm, add(vm, cb));
}

static void KeRegisterBugCheckReasonCallback(struct vm *vm, const struct vw_api *api)
{
    struct vw_callback cb = {.record = vw_arg(vm, api, 0),
                             .routine = vw_arg(vm, api, 1),
                             .reason = (uint32_t)vw_arg(vm, api, 2),
                             .is_reason = true};
    vw_set_return(vm, add(vm, cb));
}

static void KeDeregisterBugCheckCallback(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, remove_record(vm, vw_arg(vm, api, 0), false));
}

static void KeDeregisterBugCheckReasonCallback(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, remove_record(vm, vw_arg(vm, api, 0), true));
}

/* Registrations left at unload: the kernel would call into the unloaded
 * image at the next crash. */
static unsigned report_leaks(struct vm *vm)
{
    struct bugcheck_state *s = state(vm);
    char w[48];
    for (unsigned i = 0; s != NULL && i < s->callback_count; i++)
        vw_log(vm, "leak: bug-check %scallback record 0x%" PRIx64 " (routine %s) still registered",
               s->callbacks[i].is_reason ? "reason " : "", s->callbacks[i].record,
               vw_where(vm, s->callbacks[i].routine, w));
    return s != NULL ? s->callback_count : 0;
}

static const char *holds(struct vm *vm, gva_t start, uint64_t len)
{
    struct bugcheck_state *s = state(vm);
    for (unsigned i = 0; s != NULL && i < s->callback_count; i++)
        if (s->callbacks[i].record >= start && s->callbacks[i].record < start + len)
            return "a registered bug-check callback record";
    return NULL;
}

static void dump_io(struct vm *vm, const struct vw_callback *cb, gva_t info, gva_t buffer,
                    unsigned type, uint64_t offset)
{
    vw_wr(vm, info + VW_OFFSET(vm, KBUGCHECK_DUMP_IO, Offset), offset, 8);
    vw_wrptr(vm, info + VW_OFFSET(vm, KBUGCHECK_DUMP_IO, Buffer), buffer);
    vw_wr(vm, info + VW_OFFSET(vm, KBUGCHECK_DUMP_IO, BufferLength), 0x1000, 4);
    vw_wr(vm, info + VW_OFFSET(vm, KBUGCHECK_DUMP_IO, Type), type, 4);
    uint64_t args[4] = {KB_CALLBACK_DUMP_IO, cb->record, info, VW_SIZEOF(vm, KBUGCHECK_DUMP_IO)};
    vw_call(vm, cb->routine, 4, args, NULL);
}

static void bugcheck_run(struct vm *vm, uint32_t code)
{
    struct bugcheck_state *s = state(vm);
    if (s == NULL)
        return;
    unsigned saved_irql = vm->irql;
    s->bugchecks++;
    vm->irql = VW_HIGH_LEVEL;
    vw_log(vm, "bug check 0x%x (crash dump %s)", code, s->dump_enabled ? "enabled" : "off");
    /* Newest registration first, as the kernel's callback list is LIFO. */
    if (s->dump_enabled) {
        gva_t info = vw_kalloc(vm, VW_SIZEOF(vm, KBUGCHECK_DUMP_IO));
        gva_t buffer = vw_kalloc(vm, 0x1000);
        static const unsigned types[] = {1, 2, 2, 2, 4}; /* header, body x3, complete */
        for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++)
            for (int i = (int)s->callback_count - 1; i >= 0 && !vm->failed; i--) {
                const struct vw_callback *cb = &s->callbacks[i];
                if (cb->is_reason && cb->reason == KB_CALLBACK_DUMP_IO)
                    dump_io(vm, cb, info, buffer, types[t], 0x1000ull * t);
            }
    }
    for (int i = (int)s->callback_count - 1; i >= 0 && !vm->failed; i--) {
        const struct vw_callback *cb = &s->callbacks[i];
        if (cb->is_reason)
            continue;
        vw_wr(vm, cb->record + state_offset(vm, false), BUFFER_STARTED, 1);
        uint64_t args[2] = {cb->buffer, cb->length};
        if (vw_call(vm, cb->routine, 2, args, NULL))
            vw_wr(vm, cb->record + state_offset(vm, false), BUFFER_FINISHED, 1);
    }
    vm->irql = saved_irql;
}

static void KeBugCheckEx(struct vm *vm, const struct vw_api *api)
{
    uint32_t code = (uint32_t)vw_arg(vm, api, 0);
    char w[48];
    bugcheck_run(vm, code);
    vw_fail(vm,
            "driver raised bug check 0x%x (0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
            ") from %s",
            code, vw_arg(vm, api, 1), vw_arg(vm, api, 2), vw_arg(vm, api, 3), vw_arg(vm, api, 4),
            vw_where(vm, vw_return_address(vm), w));
}

void vw_crash(struct vm *vm, uint32_t code, bool dump_enabled)
{
    struct bugcheck_state *s = vm->failed ? NULL : state(vm);
    if (s == NULL)
        return;
    s->dump_enabled = dump_enabled;
    vm->k->driver_state = VW_DRIVER_CRASHED; /* nothing to unload at the scenario's end */
    bugcheck_run(vm, code);
}

#define D VW_DISPATCH_LEVEL
static const struct vw_api apis[] = {
    /* name, arches, x86 convention, args, 64-bit args, max IRQL, handler */
    {"KeRegisterBugCheckCallback", VW_ALL_ARCHES, VW_STDCALL, 5, 0, D, KeRegisterBugCheckCallback},
    {"KeRegisterBugCheckReasonCallback", VW_ALL_ARCHES, VW_STDCALL, 4, 0, D,
     KeRegisterBugCheckReasonCallback},
    {"KeDeregisterBugCheckCallback", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D,
     KeDeregisterBugCheckCallback},
    {"KeDeregisterBugCheckReasonCallback", VW_ALL_ARCHES, VW_STDCALL, 1, 0, D,
     KeDeregisterBugCheckReasonCallback},
    {"KeBugCheckEx", VW_ALL_ARCHES, VW_STDCALL, 5, 0, VW_HIGH_LEVEL, KeBugCheckEx},
};

VW_API_GROUP(bugcheck, apis, .report_leaks = report_leaks, .holds = holds)
