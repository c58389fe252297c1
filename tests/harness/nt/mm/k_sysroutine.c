/*
 * MmGetSystemRoutineAddress: any routine of the API table, as a kernel
 * routine slot (routine.c), or NULL.  Routines newer than the drivers'
 * minimum Windows are reached only this way; the scenario can hide one to
 * play an older Windows (vw_hide_routine).
 *
 * MmGetPhysicalMemoryRangesEx2 (Windows 10 2004): guest RAM as one range,
 * in a pool block the caller frees.
 */
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "ram.h"

void vw_hide_routine(struct vm *vm, const char *name)
{
    vm->k->hidden_routine = name;
}

void vw_MmGetSystemRoutineAddress(struct vm *vm, const struct vw_api *api)
{
    char name[96];
    gva_t name_us = vw_arg(vm, api, 0);
    vw_set_return(vm, 0); /* arm64: x0 is the first argument too, read above */
    if (!vw_read_unicode_string(vm, name_us, name, sizeof(name))) {
        vw_fail(vm, "MmGetSystemRoutineAddress: bad routine name");
        return;
    }
    if (vm->k->hidden_routine != NULL && strcmp(name, vm->k->hidden_routine) == 0)
        return;
    const struct vw_api *found = vw_api_find(name, vm->arch);
    if (found != NULL)
        vw_set_return(vm, vw_kernel_routine(vm, found));
}

void vw_MmGetPhysicalMemoryRangesEx2(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    /* PHYSICAL_MEMORY_RANGE {BaseAddress, NumberOfBytes}, zero-terminated. */
    gva_t block = vw_pool_alloc(vm, 32, VW_TAG('M', 'm', 'P', 'h'), "physical memory ranges", true);
    if (block != 0) {
        vw_wr(vm, block, 0, 8);
        vw_wr(vm, block + 8, VW_RAM_SIZE, 8);
        vw_wr(vm, block + 16, 0, 8);
        vw_wr(vm, block + 24, 0, 8);
    }
    vw_set_return(vm, block);
}
