/*
 * Guest RAM as one memfd (see ram.h).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ram.h"

#define PAGE 0x1000ull
/* Ranges from this size on are zeroed around the memfd's holes. */
#define ZERO_SEEK_MIN (16 * PAGE)
/* The pool arena: the pool window below the page area, one mapping. */
#define ARENA_BYTES VW_MM_PAGES_BASE

bool vw_ram_dead(struct vm *vm, gva_t va, uint64_t len)
{
    uint64_t off = va - vm->map.pool;
    if (va < vm->map.pool || off >= ARENA_BYTES || len == 0 || vm->ram.live == NULL)
        return false;
    uint64_t last = off + len - 1 < ARENA_BYTES ? off + len - 1 : ARENA_BYTES - 1;
    for (uint64_t p = off / PAGE; p <= last / PAGE; p++)
        if (!vm->ram.live[p])
            return true;
    return false;
}

/* Every driver access inside the arena (any IRQL): a page the pool has not
 * handed out faults, as it did when each block was its own mapping. */
static void on_arena_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                            void *user)
{
    struct vm *vm = user;
    (void)uc;
    (void)value;
    if (!vw_ram_dead(vm, addr, (uint64_t)size))
        return;
    char w[48];
    vw_fail(vm, "unmapped %s of %d bytes at %s%s", type == UC_MEM_WRITE ? "write" : "read", size,
            vw_where(vm, addr, w), vm->os ? vm->os->describe_address(vm, addr) : "");
}

/* Map the arena once and hook its accesses (before any code runs, so every
 * translated block sees the hook). */
static bool map_arena(struct vm *vm)
{
    struct vw_ram *ram = &vm->ram;
    ram->live = calloc(ARENA_BYTES / PAGE, 1);
    uc_hook h;
    return ram->live != NULL &&
           uc_mem_map_ptr(vm->uc, vm->map.pool, ARENA_BYTES, UC_PROT_READ | UC_PROT_WRITE,
                          ram->host) == UC_ERR_OK &&
           uc_hook_add(vm->uc, &h, UC_HOOK_MEM_READ | UC_HOOK_MEM_WRITE, on_arena_access, vm,
                       vm->map.pool, vm->map.pool + ARENA_BYTES - 1) == UC_ERR_OK;
}

bool vw_ram_create(struct vm *vm)
{
    struct vw_ram *ram = &vm->ram;
    ram->fd = memfd_create("vw-guest-ram", MFD_CLOEXEC);
    if (ram->fd < 0)
        return false;
    if (ftruncate(ram->fd, (off_t)VW_RAM_SIZE) != 0) {
        close(ram->fd);
        ram->fd = -1;
        return false;
    }
    void *p = mmap(NULL, VW_RAM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, ram->fd, 0);
    if (p == MAP_FAILED) {
        close(ram->fd);
        ram->fd = -1;
        return false;
    }
    ram->host = p;
    ram->size = VW_RAM_SIZE;
    return map_arena(vm);
}

void vw_ram_destroy(struct vm *vm)
{
    struct vw_ram *ram = &vm->ram;
    if (ram->host != NULL)
        munmap(ram->host, ram->size);
    if (ram->fd >= 0)
        close(ram->fd);
    free(ram->live);
    ram->live = NULL;
    ram->host = NULL;
    ram->fd = -1;
}

uint64_t vw_ram_pa(struct vm *vm, gva_t va)
{
    if (va < vm->map.pool || va - vm->map.pool >= vm->ram.size)
        return ~0ull;
    return va - vm->map.pool;
}

gva_t vw_ram_va(struct vm *vm, uint64_t pa)
{
    return pa < vm->ram.size ? vm->map.pool + pa : 0;
}

void *vw_ram_host(struct vm *vm, uint64_t pa, uint64_t len)
{
    if (pa >= vm->ram.size || len > vm->ram.size - pa)
        return NULL;
    return vm->ram.host + pa;
}

uint64_t vw_ram_reserve(struct vm *vm, uint64_t len)
{
    struct vw_ram *ram = &vm->ram;
    if (len == 0 || (len & 0xfff) != 0 || len > VW_MM_PAGES_BASE / 2 - ram->reserved)
        return ~0ull;
    ram->reserved += len;
    return VW_MM_PAGES_BASE - ram->reserved; /* just below the MDL page area */
}

/* Zero LEN bytes at PA.  A large range skips the memfd's holes (pages never
 * written, or swapped: lseek counts those as data), which already read as
 * zero: touching them only to clear them was most of a run's page faults. */
static void zero_range(struct vw_ram *ram, uint64_t pa, uint64_t len)
{
    if (len < ZERO_SEEK_MIN) {
        memset(ram->host + pa, 0, len);
        return;
    }
    uint64_t end = pa + len;
    while (pa < end) {
        off_t data = lseek(ram->fd, (off_t)pa, SEEK_DATA);
        if (data < 0 || (uint64_t)data >= end) {
            if (data < 0 && errno != ENXIO) /* not "no data after PA": be plain */
                memset(ram->host + pa, 0, end - pa);
            return;
        }
        off_t hole = lseek(ram->fd, data, SEEK_HOLE);
        uint64_t stop = hole <= data || (uint64_t)hole > end ? end : (uint64_t)hole;
        memset(ram->host + data, 0, stop - (uint64_t)data);
        pa = stop;
    }
}

bool vw_ram_map(struct vm *vm, gva_t va, uint64_t len)
{
    uint64_t pa = vw_ram_pa(vm, va);
    void *host = vw_ram_host(vm, pa, len);
    /* The top of RAM is the page area of MmAllocatePagesForMdlEx. */
    if (pa == ~0ull || host == NULL || pa + len > VW_MM_PAGES_BASE - vm->ram.reserved) {
        vw_fail(vm, "guest RAM exhausted (0x%" PRIx64 "+0x%" PRIx64 ")", va, len);
        return false;
    }
    /* Fresh pages read as zero, as from the pool. */
    zero_range(&vm->ram, pa, len);
    memset(vm->ram.live + pa / PAGE, 1, len / PAGE);
    return true;
}

void vw_ram_unmap(struct vm *vm, gva_t va, uint64_t len)
{
    uint64_t pa = vw_ram_pa(vm, va);
    if (pa != ~0ull && pa + len <= ARENA_BYTES)
        memset(vm->ram.live + pa / PAGE, 0, len / PAGE);
}
