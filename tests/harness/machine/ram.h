/*
 * Guest RAM: one memfd, mapped once in the harness process.  A "physical"
 * address is an offset into it; the pool window of the address map
 * (vm->map.pool) maps the same offsets linearly, so va = pool base + pa.
 * The pool window below the page area (the pool arena) is ONE unicorn
 * mapping, made when the machine is built: pool blocks, common buffers and
 * DMA memory are carved from it without a uc_mem_map each (unicorn slows
 * down with every mapping and, on arm64, aborts past about a thousand).
 * What per-block mappings caught is still caught: a byte per page says
 * whether the pool has the page handed out, and a memory hook on the arena
 * fails any driver read or write of a page that is not (a guard page, a
 * freed block, memory never allocated), as does a kernel read or write
 * (vw_read/vw_write).  A device model (in process, or a vhost-user back end
 * given the fd) reads and writes exactly what the driver sees.
 */
#pragma once
#include "vm.h"

#define VW_RAM_SIZE (256ull << 20)
/* The top VW_MM_PAGES_BYTES: pages the kernel hands out with
 * MmAllocatePagesForMdlEx (nt/mm/k_mmpages.c), never pool or DMA memory;
 * reserved device memory sits just below. */
#define VW_MM_PAGES_BYTES (64ull << 20)
#define VW_MM_PAGES_BASE  (VW_RAM_SIZE - VW_MM_PAGES_BYTES)

bool vw_ram_create(struct vm *vm);
void vw_ram_destroy(struct vm *vm);
/* Hand out [va, va+len) of the pool arena (page aligned), zeroed. */
bool vw_ram_map(struct vm *vm, gva_t va, uint64_t len);
/* Take [va, va+len) back: from now on an access to it fails the run. */
void vw_ram_unmap(struct vm *vm, gva_t va, uint64_t len);
/* True when [va, va+len) touches a pool-arena page that is not handed out
 * (a guard page, a freed block): an access there is a bug. */
bool vw_ram_dead(struct vm *vm, gva_t va, uint64_t len);
/* Physical address of a pool-window VA, and back; ~0 when outside. */
uint64_t vw_ram_pa(struct vm *vm, gva_t va);
gva_t vw_ram_va(struct vm *vm, uint64_t pa);
/* Take LEN bytes (page multiple) from the top of RAM for a device whose
 * memory is RAM (a shared-memory BAR): its physical address, or ~0 when
 * RAM is short.  The pool never hands these pages out. */
uint64_t vw_ram_reserve(struct vm *vm, uint64_t len);
/* Host view of [pa, pa+len), or NULL when it is not all RAM. */
void *vw_ram_host(struct vm *vm, uint64_t pa, uint64_t len);
