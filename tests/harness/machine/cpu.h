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
 * at guest address VA): hooks that depend on the code (cpu_sites.c: the
 * memory barriers, amd64 CR8 accesses), from the sites the runner found
 * before forking when it saw these bytes at VA, else from a scan now. */
bool vw_cpu_scan_code(struct vm *vm, gva_t va, const uint8_t *code, size_t len);
/* cpu_sites.c, in the runner before it forks: find the sites of CODE at VA
 * on ARCH once, for every run that loads the same bytes there. */
void vw_cpu_sites_remember(enum vw_arch arch, gva_t va, const uint8_t *code, size_t len);
/* cpu.c: hook an amd64 CR8 access at ADDR (a write when WRITE) through
 * general register GPR (0-15: rax..r15), SIZE bytes long. */
bool vw_cpu_hook_cr8(struct vm *vm, gva_t addr, bool write, unsigned gpr, unsigned size);
/* cpu_barrier.c: hook the barrier of KIND (VW_BARRIER_* bits) at ADDR,
 * SIZE bytes long, counted in vm->barriers and made a host fence where the
 * host needs one; the kind of an arm64 instruction word or an x86
 * instruction (capstone), 0 when it is no barrier. */
bool vw_cpu_hook_barrier(struct vm *vm, gva_t addr, unsigned kind, unsigned size);
unsigned vw_barrier_kind_arm64(uint32_t insn);
struct cs_insn;
unsigned vw_barrier_kind_x86(const struct cs_insn *insn);
/* cpu_insns.c: count every instruction run inside the loaded driver image
 * in vm->insns from now on (a code hook over the image: slow, for benches). */
bool vw_cpu_count_insns(struct vm *vm);
/* Planted (selftest/cpu_insns.c): vw_cpu_count_insns without its flush of
 * the blocks translated before, the bug that counted 18 instructions a
 * request in bench/storage's tgt rows. */
void vw_cpu_plant_count_without_flush(struct vm *vm);
