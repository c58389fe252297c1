/*
 * Guest RAM as one memfd (see ram.h).
 */
#include <inttypes.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "ram.h"

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
    return true;
}

void vw_ram_destroy(struct vm *vm)
{
    struct vw_ram *ram = &vm->ram;
    if (ram->host != NULL)
        munmap(ram->host, ram->size);
    if (ram->fd >= 0)
        close(ram->fd);
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
    memset(host, 0, len);
    uc_err err = uc_mem_map_ptr(vm->uc, va, len, UC_PROT_READ | UC_PROT_WRITE, host);
    if (err != UC_ERR_OK) {
        vw_fail(vm, "harness: mapping RAM 0x%" PRIx64 "+0x%" PRIx64 ": %s", va, len,
                uc_strerror(err));
        return false;
    }
    return true;
}

void vw_ram_unmap(struct vm *vm, gva_t va, uint64_t len)
{
    uc_mem_unmap(vm->uc, va, len);
}
