/*
 * Reading the per-architecture layout table (see layout.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "layout.h"
#include "../../layout/layout-list.h"

#define VW_SIZE(T)     "sizeof(" #T ")",
#define VW_FIELD(T, M) #T "." #M,
static const char *const names[] = {VW_LAYOUT_LIST(VW_SIZE, VW_FIELD)};
#define COUNT (sizeof(names) / sizeof(names[0]))

bool vw_layout_load(struct vm *vm, const char *build_dir)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/layout/%s.bin", build_dir, vw_arch_name(vm->arch));
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return false;
    }
    uint64_t *values = calloc(COUNT, sizeof(uint64_t));
    size_t got = values ? fread(values, sizeof(uint64_t), COUNT, f) : 0;
    int extra = fgetc(f);
    fclose(f);
    if (got != COUNT || extra != EOF) {
        fprintf(stderr, "%s: expected %zu layout values: stale file\n", path, COUNT);
        free(values);
        return false;
    }
    vm->layout = values;
    return true;
}

uint64_t vw_layout(struct vm *vm, const char *name)
{
    /* A short linear search: the table has a few hundred entries and the
     * lookups happen per kernel call, far below emulation cost. */
    for (size_t i = 0; i < COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return vm->layout[i];
    fprintf(stderr, "harness bug: layout entry %s is not in layout-list.h\n", name);
    abort();
}
