/*
 * Physical device objects: the record the I/O manager keeps of each PDO
 * (its resource lists, interrupts, bus interface and references), so that
 * the kernel parts taking a PDO (DMA adapters, interrupts, the registry,
 * power requests) find it here; pnp/ creates PDOs and fills their records.
 */
#include <stdlib.h>
#include "kernel.h"

/* The record of PDO object OBJ, or NULL; any IRQL (harness side). */
struct vw_pdo *vw_pdo_find(struct vm *vm, gva_t obj)
{
    for (unsigned i = 0; i < vm->k->pdo_count; i++)
        if (vm->k->pdos[i]->obj == obj)
            return vm->k->pdos[i];
    return NULL;
}

/* A new, zeroed record (kept until the machine goes), or NULL after a
 * failure; the caller sets its object. */
struct vw_pdo *vw_pdo_add(struct vm *vm)
{
    struct vw_kernel *k = vm->k;
    if (!VW_GROW(vm, k->pdos, k->pdo_count, k->pdo_cap, "devices (PDOs)"))
        return NULL;
    struct vw_pdo *pdo = calloc(1, sizeof(*pdo));
    if (pdo == NULL) {
        vw_fail(vm, "harness: out of host memory for a PDO");
        return NULL;
    }
    vw_kernel_keep(vm, pdo);
    k->pdos[k->pdo_count++] = pdo;
    return pdo;
}
