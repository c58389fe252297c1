/*
 * CPU set-up per architecture and the hooks that turn faults into scenario
 * failures: KPCR (x86 FS via a GDT entry, amd64 GS base, arm64 x18), stack,
 * KUSER_SHARED_DATA, CR8 accesses (amd64, found with capstone because
 * unicorn ignores CR8), port I/O, interrupts, unmapped and invalid accesses.
 */
#pragma once
#include "vm.h"

bool vw_cpu_create(struct vm *vm);
/* Called by the loader for each executable section (host copy of its bytes
 * at guest address VA): hooks that depend on the code (amd64 CR8). */
bool vw_cpu_scan_code(struct vm *vm, gva_t va, const uint8_t *code, size_t len);
/* cpu_barrier.c: hook the memory barrier instructions of a section, counted
 * in vm->barriers (called by vw_cpu_scan_code). */
bool vw_cpu_scan_barriers(struct vm *vm, gva_t va, const uint8_t *code, size_t len);
/* cpu_barrier.c: hook INSN (capstone, x86) when it is a barrier; for a
 * scan that also looks for other instructions in the same pass. */
struct cs_insn;
bool vw_cpu_barrier_insn(struct vm *vm, const struct cs_insn *insn);
/* cpu_insns.c: count every instruction run inside the loaded driver image
 * in vm->insns from now on (a code hook over the image: slow, for benches). */
bool vw_cpu_count_insns(struct vm *vm);
