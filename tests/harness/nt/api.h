/*
 * The kernel API table: which imports the harness implements, and the ABI
 * facts the binary does not carry (x86 convention and argument count,
 * 64-bit-by-value arguments) plus the IRQL range Windows documents for each.
 * The table itself is data (api_table.c); handlers live with the kernel part
 * they belong to.
 */
#pragma once
#include <stddef.h>
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

/*
 * A group of APIs: the core table (api_table.c) or a plug-in folder
 * (tests/harness/port/<name>/, e.g. a port driver's class emulation) that
 * brings its own table and callbacks without touching the core:
 *
 *   static const struct vw_api apis[] = {{"StorPortInitialize", ...}, ...};
 *   VW_API_GROUP(storport, apis, .report_leaks = leaks, .holds = holds);
 *
 * Per-machine state of a group: vw_port_state (zeroed on first use, freed
 * with the machine).
 */
struct vw_api_group {
    const char *name;
    const struct vw_api *apis;
    size_t count;
    /* At unload, after DriverUnload: log each object the driver left
     * behind, return their number (a leak failure when not 0). */
    unsigned (*report_leaks)(struct vm *vm);
    /* Before pool memory [start, start+len) is freed: what it holds that
     * the group still uses (a registered record...), or NULL. */
    const char *(*holds)(struct vm *vm, gva_t start, uint64_t len);
    struct vw_api_group *next;
    unsigned slot; /* vw_port_state index, set at registration */
};

void vw_api_register(struct vw_api_group *group);
/* The registered groups, the core one first (the coverage report). */
const struct vw_api_group *vw_api_groups(void);
/* Per-machine state of GROUP, SIZE bytes, zeroed on first use. */
void *vw_port_state(struct vm *vm, const struct vw_api_group *group, size_t size);
/* Every group's leak report and freed-memory check (pnp.c, k_pool.c). */
unsigned vw_api_groups_report_leaks(struct vm *vm);
const char *vw_api_groups_holding(struct vm *vm, gva_t start, uint64_t len);

#define VW_API_GROUP(NAME, APIS, ...)                                                              \
    static struct vw_api_group NAME##_group = {                                                    \
        .name = #NAME, .apis = APIS, .count = sizeof(APIS) / sizeof(APIS[0]), __VA_ARGS__};        \
    __attribute__((constructor)) static void NAME##_group_register(void)                           \
    {                                                                                              \
        vw_api_register(&NAME##_group);                                                            \
    }

/* The entry for NAME on ARCH, or NULL. */
const struct vw_api *vw_api_find(const char *name, enum vw_arch arch);
