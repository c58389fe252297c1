/*
 * Bug-check callbacks.  A bug check runs at HIGH_LEVEL: when crash dumps are
 * enabled the dump is "written" first, calling every KbCallbackDumpIo reason
 * callback for each block (header, body blocks, completion); the plain
 * bug-check callbacks run after the dump, as on Windows.
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

#define KB_CALLBACK_DUMP_IO 3
#define BUFFER_EMPTY        0
#define BUFFER_INSERTED     1
#define BUFFER_STARTED      2
#define BUFFER_FINISHED     3

static int find(struct vm *vm, gva_t record, bool is_reason)
{
    for (unsigned i = 0; i < vm->k->callback_count; i++)
        if (vm->k->callbacks[i].record == record && vm->k->callbacks[i].is_reason == is_reason)
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
    /* Windows refuses a record that is not in the BufferEmpty state, e.g.
     * one registered twice or never initialized. */
    uint64_t state = vw_rd(vm, cb.record + state_offset(vm, cb.is_reason), 1);
    if (state != BUFFER_EMPTY || find(vm, cb.record, cb.is_reason) >= 0 ||
        vm->k->callback_count == VW_MAX_OBJECTS)
        return false;
    vm->k->callbacks[vm->k->callback_count++] = cb;
    vw_wr(vm, cb.record + state_offset(vm, cb.is_reason), BUFFER_INSERTED, 1);
    return true;
}

static bool remove_record(struct vm *vm, gva_t record, bool is_reason)
{
    int i = find(vm, record, is_reason);
    if (i < 0)
        return false;
    vm->k->callbacks[i] = vm->k->callbacks[--vm->k->callback_count];
    vw_wr(vm, record + state_offset(vm, is_reason), BUFFER_EMPTY, 1);
    return true;
}

void vw_KeRegisterBugCheckCallback(struct vm *vm, const struct vw_api *api)
{
    struct vw_callback cb = {.record = vw_arg(vm, api, 0),
                             .routine = vw_arg(vm, api, 1),
                             .buffer = vw_arg(vm, api, 2),
                             .length = (uint32_t)vw_arg(vm, api, 3)};
    vw_set_return(vm, add(vm, cb));
}

void vw_KeRegisterBugCheckReasonCallback(struct vm *vm, const struct vw_api *api)
{
    struct vw_callback cb = {.record = vw_arg(vm, api, 0),
                             .routine = vw_arg(vm, api, 1),
                             .reason = (uint32_t)vw_arg(vm, api, 2),
                             .is_reason = true};
    vw_set_return(vm, add(vm, cb));
}

void vw_KeDeregisterBugCheckCallback(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, remove_record(vm, vw_arg(vm, api, 0), false));
}

void vw_KeDeregisterBugCheckReasonCallback(struct vm *vm, const struct vw_api *api)
{
    vw_set_return(vm, remove_record(vm, vw_arg(vm, api, 0), true));
}

unsigned vw_bugcheck_registered(struct vm *vm)
{
    return vm->k->callback_count;
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

void vw_bugcheck_run(struct vm *vm, uint32_t code)
{
    unsigned saved_irql = vm->irql;
    vm->k->bugchecks++;
    vm->irql = VW_HIGH_LEVEL;
    vw_log(vm, "bug check 0x%x (crash dump %s)", code, vm->k->dump_enabled ? "enabled" : "off");
    /* Newest registration first, as the kernel's callback list is LIFO. */
    if (vm->k->dump_enabled) {
        gva_t info = vw_kalloc(vm, VW_SIZEOF(vm, KBUGCHECK_DUMP_IO));
        gva_t buffer = vw_kalloc(vm, 0x1000);
        static const unsigned types[] = {1, 2, 2, 2, 4}; /* header, body x3, complete */
        for (unsigned t = 0; t < sizeof(types) / sizeof(types[0]); t++)
            for (int i = (int)vm->k->callback_count - 1; i >= 0 && !vm->failed; i--) {
                const struct vw_callback *cb = &vm->k->callbacks[i];
                if (cb->is_reason && cb->reason == KB_CALLBACK_DUMP_IO)
                    dump_io(vm, cb, info, buffer, types[t], 0x1000ull * t);
            }
    }
    for (int i = (int)vm->k->callback_count - 1; i >= 0 && !vm->failed; i--) {
        const struct vw_callback *cb = &vm->k->callbacks[i];
        if (cb->is_reason)
            continue;
        vw_wr(vm, cb->record + state_offset(vm, false), BUFFER_STARTED, 1);
        uint64_t args[2] = {cb->buffer, cb->length};
        if (vw_call(vm, cb->routine, 2, args, NULL))
            vw_wr(vm, cb->record + state_offset(vm, false), BUFFER_FINISHED, 1);
    }
    vm->irql = saved_irql;
}

void vw_KeBugCheckEx(struct vm *vm, const struct vw_api *api)
{
    uint32_t code = (uint32_t)vw_arg(vm, api, 0);
    char w[48];
    vw_bugcheck_run(vm, code);
    vw_fail(vm,
            "driver raised bug check 0x%x (0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64 ", 0x%" PRIx64
            ") from %s",
            code, vw_arg(vm, api, 1), vw_arg(vm, api, 2), vw_arg(vm, api, 3), vw_arg(vm, api, 4),
            vw_where(vm, vw_return_address(vm), w));
}
