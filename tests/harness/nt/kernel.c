/*
 * Kernel state, the thunk dispatcher and IRQL.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "bus.h"
#include "kernel.h"

/* The spin locks the running CPU holds (vw_os.held_locks); any IRQL. */
static unsigned held_locks(struct vm *vm)
{
    return vm->k->held_count;
}

/* After an inline IRQL write: deliver what the lowered IRQL lets in. */
static void irql_settle(struct vm *vm)
{
    if (vm->k->irql_lowered)
        vw_irql_lowered(vm);
}

/* What the machine asks of this kernel (vm.h). */
static const struct vw_os nt_os = {
    .find_api = vw_api_find,
    .data_import_value = vw_data_import_value,
    .data_import_direct = vw_data_import_direct,
    .bind_thunks = vw_kernel_bind_thunks,
    .held_locks = held_locks,
    .after_call = vw_kernel_after_call,
    .take_block = vw_thread_take_block,
    .block = vw_thread_block,
    .take_suspend = vw_cpu_take_suspend,
    .take_exit = vw_thread_take_exit,
    .irql_set = vw_irql_set,
    .irql_settle = irql_settle,
    .describe_address = vw_kernel_describe_address,
    .keep = vw_kernel_keep,
};

bool vw_kernel_create(struct vm *vm)
{
    vm->k = calloc(1, sizeof(*vm->k));
    if (vm->k == NULL)
        return false;
    vm->os = &nt_os;
    vm->k->pool_next = vm->map.pool;
    vm->k->interrupt_time = 0x0000001234abcd00ull; /* what cpu.c published */
    vm->k->mmio_next = vm->map.mmio;
    vm->k->process = VW_PROCESS_SCENARIO; /* the scenario's code acts in its process */
    return vw_cpus_init(vm);
}

void vw_kernel_destroy(struct vm *vm)
{
    if (vm->k == NULL)
        return;
    for (unsigned i = vm->k->destructor_count; i-- > 0;)
        vm->k->destructors[i].fn(vm->k->destructors[i].p);
    for (unsigned i = vm->k->grown_count; i-- > 0;) {
        free(*vm->k->grown[i]);
        *vm->k->grown[i] = NULL;
    }
    free(vm->k->grown);
    for (unsigned i = 0; i < vm->k->kept_count; i++)
        free(vm->k->kept[i]);
    free(vm->k->kept);
    free(vm->k->pool);
    vw_dpc_free_targets(vm);
    vw_cpus_free(vm);
    free(vm->k);
    vm->k = NULL;
    vw_bus_free(vm);
}

void vw_kernel_keep(struct vm *vm, void *p)
{
    void **kept = realloc(vm->k->kept, (vm->k->kept_count + 1) * sizeof(*kept));
    if (kept == NULL)
        return;
    vm->k->kept = kept;
    kept[vm->k->kept_count++] = p;
}

bool vw_grow(struct vm *vm, void **array, unsigned *cap, unsigned count, size_t size,
             const char *what)
{
    struct vw_kernel *k = vm->k;
    if (count < *cap)
        return true;
    unsigned n = *cap ? 2 * *cap : 8;
    void *p = realloc(*array, (size_t)n * size);
    void ***grown =
        *array == NULL ? realloc(k->grown, (k->grown_count + 1) * sizeof(*grown)) : NULL;
    if (p == NULL || (*array == NULL && grown == NULL)) {
        if (grown != NULL)
            k->grown = grown;
        if (*array == NULL)
            free(p); /* never recorded */
        else if (p != NULL)
            *array = p;
        vw_fail(vm, "harness: out of host memory for %s (%u of them)", what, count);
        return false;
    }
    memset((char *)p + (size_t)*cap * size, 0, (size_t)(n - *cap) * size);
    if (*array == NULL) {
        k->grown = grown;
        k->grown[k->grown_count++] = array;
    }
    *array = p;
    *cap = n;
    return true;
}

void vw_kernel_keep_fn(struct vm *vm, void (*fn)(void *), void *p)
{
    struct vw_kernel *k = vm->k;
    if (!VW_GROW(vm, k->destructors, k->destructor_count, k->destructor_cap, "destructors"))
        return;
    k->destructors[k->destructor_count++] = (struct vw_destructor){fn, p};
}

void *vw_part_state(struct vm *vm, const void *key, size_t size)
{
    struct vw_kernel *k = vm->k;
    for (unsigned i = 0; i < k->part_count; i++)
        if (k->parts[i].key == key)
            return k->parts[i].state;
    void *state = calloc(1, size);
    if (state == NULL || !VW_GROW(vm, k->parts, k->part_count, k->part_cap, "part states")) {
        fprintf(stderr, "harness: out of host memory for a part's state\n");
        abort();
    }
    vw_kernel_keep(vm, state);
    k->parts[k->part_count++] = (struct vw_part_slot){key, state};
    return state;
}

const char *vw_kernel_describe_address(struct vm *vm, gva_t va)
{
    static char text[160];
    char w[48];
    if (va < 0x10000)
        return " (NULL pointer dereference)";
    for (unsigned i = 0; i < vm->k->pool_count; i++) {
        const struct vw_pool_block *b = &vm->k->pool[i];
        if (va < b->pages || va >= b->pages + b->pages_len + 0x1000)
            continue;
        const char *what = !b->live                ? "freed"
                           : va >= b->va + b->size ? "past the end of"
                           : va < b->va            ? "before the start of"
                                                   : "inside";
        snprintf(text, sizeof(text), " (%s %s block of %" PRIu64 " bytes allocated at %s)", what,
                 b->kind, b->size, vw_where(vm, b->caller, w));
        return text;
    }
    return "";
}

void vw_irql_set(struct vm *vm, unsigned irql, const char *who)
{
    if (irql > VW_HIGH_LEVEL) {
        vw_fail(vm, "IRQL: %s sets invalid IRQL %u", who, irql);
        return;
    }
    if (irql < vm->irql)
        vm->k->irql_lowered = true;
    vm->irql = irql;
}

void vw_irql_lowered(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    k->irql_lowered = false;
    if (vm->failed)
        return;
    if (k->in_sched) {
        vw_intr_deliver(vm);
        return;
    }
    k->in_sched = true;
    vw_intr_deliver(vm);
    vw_dpc_drain(vm);
    k->in_sched = false;
}

static void on_thunk(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct vm *vm = user;
    (void)uc;
    (void)size;
    uint64_t index = (addr - vm->map.thunks) / 16;
    if ((addr - vm->map.thunks) % 16 != 0 || index >= vm->import_count)
        return; /* the ret of a slot, or the sentinel */
    if (vw_thread_skip(vm, addr))
        return; /* a thread resuming after its wait: the call is done */
    const struct vw_import *imp = &vm->imports[index];
    char w[48];
    if (imp->api == NULL) {
        vw_fail(vm, "call to unimplemented import %s!%s", imp->module, imp->name);
        return;
    }
    if (vm->irql > imp->api->irql_max) {
        vw_fail(vm, "IRQL: %s called at IRQL %u (allowed up to %u) from %s", imp->name, vm->irql,
                imp->api->irql_max, vw_where(vm, vw_return_address(vm), w));
        return;
    }
    if (vw_thread_preempt_point(vm, imp->api->name))
        return; /* another thread runs first; this call runs when it resumes */
    vw_intr_import_point(vm, imp->api->name);
    vw_sched_point(vm);
    imp->api->fn(vm, imp->api);
    if (vm->k->irql_lowered)
        vw_irql_lowered(vm); /* what the lower IRQL lets in runs now */
    if (vm->failed)
        uc_emu_stop(vm->uc);
}

bool vw_kernel_bind_thunks(struct vm *vm)
{
    uc_hook h;
    if (vm->import_count == vm->thunks_bound)
        return true;
    /* Limited to the slots not yet hooked (a second image adds some): no
     * cost for driver code. */
    bool ok = uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_thunk, vm,
                          vm->map.thunks + 16ull * vm->thunks_bound,
                          vm->map.thunks + 16ull * vm->import_count - 1) == UC_ERR_OK;
    vm->thunks_bound = vm->import_count;
    return ok;
}
