/*
 * VW_OFFSET and VW_SIZEOF remember a literal's layout index by its address
 * (machine/layout.c vw_layout_literal, h-runcpu's cut of a name lookup per
 * use), direct-mapped: two literals whose addresses share a slot must each
 * get their own value, asked in turn.  The names sit 8 KiB apart in one
 * array, which puts them in the same slot.  Planted: a memo that takes an
 * occupied slot as a hit answers the second name with the first's value.
 */
#include <inttypes.h>
#include <string.h>
#include "layout.h"
#include "scenario.h"

#define MEMO_SPAN 8192 /* 1024 slots of 8 bytes: the same slot again */

static char names[2][MEMO_SPAN] __attribute__((aligned(8)));

/* Ask for both names in turn, three times, against the table's values. */
static void ask_in_turn(struct vm *vm)
{
    static const char *const want[2] = {"IRP.IoStatus", "sizeof(IRP)"};
    strcpy(names[0], want[0]);
    strcpy(names[1], want[1]);
    if (vw_layout(vm, want[0]) == vw_layout(vm, want[1])) {
        vw_fail(vm, "harness: %s and %s have one value: the check would see nothing", want[0],
                want[1]);
        return;
    }
    for (unsigned round = 0; round < 6 && !vm->failed; round++) {
        const char *name = names[round % 2];
        uint64_t got = vw_layout_literal(vm, name), table = vw_layout(vm, name);
        VW_EXPECT(vm, got == table,
                  "layout memo: %s gave %" PRIu64 ", the table has %" PRIu64
                  " (two literals in one memo slot)",
                  name, got, table);
    }
}

VW_SCENARIO_NO_DRIVER("harness", layout_memo_shared_slot)
{
    ask_in_turn(vm);
}

/* Planted: the slot's first name answers for the second. */
VW_SCENARIO("harness", checker_layout_memo_slot_only, "layout memo: sizeof(IRP) gave ")
{
    vw_layout_plant_memo_slot_only();
    ask_in_turn(vm);
}
