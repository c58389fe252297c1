/*
 * Calling conventions of the three architectures: reading the arguments of
 * an imported call at its thunk, returning from it, and calling into the
 * driver (DriverEntry, dispatch routines, callbacks) with the sentinel as
 * return address.
 *
 *  x86:   stdcall/cdecl arguments on the stack from [esp+4]; fastcall puts the
 *         first two in ecx/edx; a 64-bit value takes two slots; eax(:edx).
 *  amd64: rcx, rdx, r8, r9, then [rsp+0x28] (after the 32-byte home area); rax.
 *  arm64: x0-x7 (variadic too), then [sp]; x0.  x18 is the KPCR: never written.
 */
#pragma once
#include "api.h"
#include "vm.h"

gva_t vw_pc(struct vm *vm);
gva_t vw_sp(struct vm *vm);
/* The caller's return address, valid at an import thunk. */
gva_t vw_return_address(struct vm *vm);

/* Raw argument slot SLOT of the call now at a thunk (varargs included). */
uint64_t vw_slot(struct vm *vm, const struct vw_api *api, unsigned slot);
/* Declared argument I, 64-bit-by-value arguments assembled from two x86 slots. */
uint64_t vw_arg(struct vm *vm, const struct vw_api *api, unsigned i);
/* First slot after the declared arguments (where varargs start). */
unsigned vw_vararg_slot(struct vm *vm, const struct vw_api *api);
/* Bytes the x86 thunk pops (ret N); 0 elsewhere. */
unsigned vw_callee_pop(const struct vw_api *api);
void vw_set_return(struct vm *vm, uint64_t value);

/* Call FN in the driver with N pointer-sized arguments (NTAPI: stdcall on
 * x86).  Works from a thunk handler too (nested): the interrupted context is
 * saved and restored.  False when the call did not come back normally. */
bool vw_call(struct vm *vm, gva_t fn, unsigned n, const uint64_t *args, uint64_t *result);
