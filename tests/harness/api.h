/*
 * The kernel API table: which imports the harness implements, and the ABI
 * facts the binary does not carry (x86 convention and argument count,
 * 64-bit-by-value arguments) plus the IRQL range Windows documents for each.
 * The table itself is data (api_table.c); handlers live with the kernel part
 * they belong to.
 */
#pragma once
#include <stdint.h>
#include "vm.h"

/* x86 conventions (amd64 and arm64 have one each). */
/* VW_DATA: a data import (e.g. ExEventObjectType); its slot holds a
 * pointer-sized value the matching kernel routine recognises
 * (vw_data_import_value), and calling it is a failure. */
enum vw_cc { VW_STDCALL, VW_FASTCALL, VW_CDECL, VW_DATA };

struct vw_api;
typedef void vw_api_fn(struct vm *vm, const struct vw_api *api);

struct vw_api {
    const char *name;
    unsigned arches;  /* VW_ARCH_BIT set */
    enum vw_cc cc;    /* on x86 */
    uint8_t nargs;    /* declared arguments (varargs follow) */
    uint8_t wide;     /* bit i: argument i is 64 bits by value (two x86 slots) */
    uint8_t irql_max; /* highest IRQL Windows allows the call at */
    vw_api_fn *fn;
};

/* One import of the loaded image, bound to one thunk slot. */
struct vw_import {
    char module[64];
    char name[64];
    const struct vw_api *api; /* NULL: not implemented */
    gva_t slot;
};

/* The entry for NAME on ARCH, or NULL. */
const struct vw_api *vw_api_find(const char *name, enum vw_arch arch);
