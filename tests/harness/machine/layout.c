/*
 * Reading the per-architecture layout table (see layout.h).
 */
#include <stdint.h>
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

/* Open-addressed hash of the names, built on first use: the lookups happen
 * per kernel call (thousands per run), and a linear strcmp search over the
 * few hundred names was a few per cent of a run's CPU. */
#define SLOTS 2048 /* a power of two, well above COUNT */
_Static_assert(COUNT < SLOTS / 2, "layout hash too small");
static uint16_t slots[SLOTS]; /* index + 1; 0 = empty */

/* FNV-1a of NAME (any IRQL: harness-side only). */
static uint32_t name_hash(const char *name)
{
    uint32_t h = 2166136261u;
    for (; *name; name++)
        h = (h ^ (uint8_t)*name) * 16777619u;
    return h;
}

/* Fill the hash once (a forked run inherits it from the runner if built). */
static void build_slots(void)
{
    for (size_t i = 0; i < COUNT; i++) {
        uint32_t s = name_hash(names[i]) & (SLOTS - 1);
        while (slots[s] != 0)
            s = (s + 1) & (SLOTS - 1);
        slots[s] = (uint16_t)(i + 1);
    }
}

/* The table index of NAME; an unknown name is a harness bug and aborts. */
static size_t layout_index(const char *name)
{
    static bool built;
    if (!built) {
        build_slots();
        built = true;
    }
    for (uint32_t s = name_hash(name) & (SLOTS - 1); slots[s] != 0; s = (s + 1) & (SLOTS - 1))
        if (strcmp(names[slots[s] - 1], name) == 0)
            return slots[s] - 1u;
    fprintf(stderr, "harness bug: layout entry %s is not in layout-list.h\n", name);
    abort();
}

uint64_t vw_layout(struct vm *vm, const char *name)
{
    return vm->layout[layout_index(name)];
}

/* Indexes remembered by the address of the literal (direct-mapped; a
 * collision only looks the name up again).  Hashing and comparing the
 * name was ~2% of a StorPort run's CPU (VW_OFFSET in every request). */
#define MEMO 1024
static const char *memo_name[MEMO];
static uint16_t memo_index[MEMO];

static bool plant_memo_slot_only; /* planted: a slot's first name answers for all */

/* The planted twin's knob: an occupied memo slot is taken as a hit. */
void vw_layout_plant_memo_slot_only(void)
{
    plant_memo_slot_only = true;
}

uint64_t vw_layout_literal(struct vm *vm, const char *name)
{
    size_t m = ((uintptr_t)name >> 3) % MEMO;
    if (memo_name[m] != name && !(plant_memo_slot_only && memo_name[m] != NULL)) {
        memo_index[m] = (uint16_t)layout_index(name);
        memo_name[m] = name;
    }
    return vm->layout[memo_index[m]];
}
