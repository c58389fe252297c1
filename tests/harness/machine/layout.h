/*
 * Kernel structure layouts of the architecture under test, read from
 * build/layout/<arch>.bin (extracted at build time from the real headers, see
 * tests/layout/).  Offsets are looked up by the same names compare.c uses,
 * "sizeof(IRP)" and "IRP.IoStatus", so no offsets are written by hand.
 */
#pragma once
#include "vm.h"

/* Load the table for vm->arch; false (with a message on stderr) when the
 * file is missing or does not match layout-list.h. */
bool vw_layout_load(struct vm *vm, const char *build_dir);

/* The value for NAME; an unknown name is a harness bug and aborts. */
uint64_t vw_layout(struct vm *vm, const char *name);

/* The same for NAME a string literal, which must never change: its index
 * is remembered by its address (VW_SIZEOF, VW_OFFSET; never a buffer). */
uint64_t vw_layout_literal(struct vm *vm, const char *name);
/* Planted (selftest/layout_memo.c): a memo slot answers with the index of
 * the first literal stored there, whatever literal asks (two literals whose
 * addresses share a slot get one answer). */
void vw_layout_plant_memo_slot_only(void);

#define VW_SIZEOF(vm, T)    vw_layout_literal((vm), "sizeof(" #T ")")
#define VW_OFFSET(vm, T, M) vw_layout_literal((vm), #T "." #M)
