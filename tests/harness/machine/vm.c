/*
 * The machine: address map, guest memory helpers, failure and log.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "cpu.h"
#include "kernel.h"
#include "layout.h"
#include "ram.h"
#include "vm.h"
#include "watchdog.h"

#define PAGE 0x1000ull

/* Images are loaded away from their preferred base (0x140000000 / 0x10000)
 * so that missing relocations break loudly; addresses look like Windows'
 * kernel space. */
static const struct vw_map maps[VW_ARCH_COUNT] = {
    [VW_X86] = {.thunks = 0x80f00000,
                .image = 0x81000000,
                .copies = 0x84000000,
                .stack = 0x82000000,
                .stack_size = 0x40000,
                .istack = 0x82100000,
                .wstack = 0x82200000,
                .kpcr = 0x83000000,
                .gdt = 0x83001000,
                .kheap = 0x90000000,
                .pool = 0xa0000000,
                .mmio = 0xb0000000,
                .kuser = 0xffdf0000,
                .mdl_map = 0xc0000000,
                .user = 0x10000000},
    [VW_AMD64] = {.thunks = 0xfffff80000f00000,
                  .image = 0xfffff80001000000,
                  .copies = 0xfffff80004000000,
                  .stack = 0xfffff80002000000,
                  .stack_size = 0x40000,
                  .istack = 0xfffff80002100000,
                  .wstack = 0xfffff80002200000,
                  .kpcr = 0xfffff80003000000,
                  .kheap = 0xfffff80010000000,
                  .pool = 0xfffff80020000000,
                  .mmio = 0xfffff80030000000,
                  .kuser = 0xfffff78000000000,
                  .mdl_map = 0xfffff80040000000,
                  .user = 0x10000000},
    [VW_ARM64] = {.thunks = 0xfffff80000f00000,
                  .image = 0xfffff80001000000,
                  .copies = 0xfffff80004000000,
                  .stack = 0xfffff80002000000,
                  .stack_size = 0x40000,
                  .istack = 0xfffff80002100000,
                  .wstack = 0xfffff80002200000,
                  .kpcr = 0xfffff80003000000,
                  .kheap = 0xfffff80010000000,
                  .pool = 0xfffff80020000000,
                  .mmio = 0xfffff80030000000,
                  .kuser = 0xfffff78000000000,
                  .mdl_map = 0xfffff80040000000,
                  .user = 0x10000000},
};

static const char *const arch_names[VW_ARCH_COUNT] = {"x86", "amd64", "arm64"};

const char *vw_arch_name(enum vw_arch arch)
{
    return arch_names[arch];
}

bool vw_arch_from_name(const char *name, enum vw_arch *arch)
{
    for (int a = 0; a < VW_ARCH_COUNT; a++)
        if (strcmp(name, arch_names[a]) == 0) {
            *arch = (enum vw_arch)a;
            return true;
        }
    return false;
}

struct vm *vw_vm_template(enum vw_arch arch, const char *out_dir, const char *build_dir)
{
    struct vm *vm = calloc(1, sizeof(*vm));
    if (vm == NULL)
        return NULL;
    vm->arch = arch;
    vm->ptr_size = arch == VW_X86 ? 4 : 8;
    vm->map = maps[arch];
    vm->out_dir = out_dir;
    vm->build_dir = build_dir;
    vm->kheap_next = vm->kheap_mapped_end = vm->map.kheap;
    vm->ram.fd = -1;
    if (!vw_layout_load(vm, build_dir) || !vw_cpu_create(vm)) {
        vw_vm_destroy(vm);
        return NULL;
    }
    return vm;
}

struct vm *vw_vm_adopt(struct vm *vm)
{
    if (vm == NULL)
        return NULL;
    if (!vw_ram_create(vm) || !vw_kernel_create(vm)) {
        vw_vm_destroy(vm);
        return NULL;
    }
    return vm;
}

struct vm *vw_vm_create(enum vw_arch arch, const char *out_dir, const char *build_dir)
{
    return vw_vm_adopt(vw_vm_template(arch, out_dir, build_dir));
}

void vw_vm_destroy(struct vm *vm)
{
    if (vm == NULL)
        return;
    vw_watchdog_destroy(vm);
    vw_kernel_destroy(vm);
    if (vm->uc)
        uc_close(vm->uc);
    for (unsigned i = 0; i < vm->host_block_count; i++)
        free(vm->host_blocks[i]);
    free(vm->host_blocks);
    vw_ram_destroy(vm);
    free(vm->kuser_host);
    free((void *)vm->layout);
    free(vm->imports);
    free(vm->log);
    free(vm);
}

void vw_vm_exit(struct vm *vm)
{
    if (vm == NULL)
        return;
    vw_watchdog_destroy(vm);
    vw_kernel_destroy(vm);
}

const char *vw_where(struct vm *vm, gva_t va, char buf[48])
{
    if (vm->image.size && va >= vm->image.base && va < vm->image.base + vm->image.size)
        snprintf(buf, 48, "image+0x%" PRIx64, va - vm->image.base);
    else
        snprintf(buf, 48, "0x%" PRIx64, va);
    return buf;
}

/* Stack words that point into the image: a cheap backtrace that needs no
 * unwind information and works the same on every architecture. */
static void append_backtrace(struct vm *vm, char *out, size_t cap)
{
    char w[48];
    size_t len = strlen(out);
    gva_t pc = vw_pc(vm), sp = vw_sp(vm);
    len += snprintf(out + len, cap - len, "\n  at pc %s", vw_where(vm, pc, w));
    if (vm->arch == VW_ARM64) {
        uint64_t lr;
        uc_reg_read(vm->uc, UC_ARM64_REG_LR, &lr);
        len += snprintf(out + len, cap - len, ", lr %s", vw_where(vm, lr, w));
    }
    int shown = 0;
    for (unsigned i = 0; i < 64 && shown < 6 && len < cap; i++) {
        uint64_t word = 0;
        if (uc_mem_read(vm->uc, sp + (uint64_t)i * vm->ptr_size, &word, vm->ptr_size) != UC_ERR_OK)
            break;
        if (vm->image.size && word >= vm->image.base && word < vm->image.base + vm->image.size) {
            len += snprintf(out + len, cap - len, "\n  stack %s", vw_where(vm, word, w));
            shown++;
        }
    }
}

void vw_fail(struct vm *vm, const char *fmt, ...)
{
    if (!vm->failed) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(vm->failure, sizeof(vm->failure), fmt, ap);
        va_end(ap);
        vm->failed = true;
        if (vm->depth > 0)
            append_backtrace(vm, vm->failure, sizeof(vm->failure));
    }
    if (vm->depth > 0)
        uc_emu_stop(vm->uc);
}

void vw_vlog(struct vm *vm, const char *fmt, va_list ap)
{
    char line[1024];
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
    if (vm->log_len + len + 2 > vm->log_cap) {
        size_t cap = (vm->log_cap + len + 2) * 2;
        char *log = realloc(vm->log, cap);
        if (log == NULL)
            return;
        vm->log = log;
        vm->log_cap = cap;
    }
    memcpy(vm->log + vm->log_len, line, len);
    vm->log_len += len;
    if (len == 0 || line[len - 1] != '\n')
        vm->log[vm->log_len++] = '\n';
    vm->log[vm->log_len] = 0;
}

void vw_log(struct vm *vm, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vw_vlog(vm, fmt, ap);
    va_end(ap);
}

bool vw_read(struct vm *vm, gva_t va, void *buf, size_t len)
{
    /* uc_mem_read sees no hook: a freed pool block is checked here. */
    if (!vw_ram_dead(vm, va, len) && uc_mem_read(vm->uc, va, buf, len) == UC_ERR_OK)
        return true;
    memset(buf, 0, len);
    vw_fail(vm, "kernel read of %zu bytes at 0x%" PRIx64 " (unmapped)", len, va);
    return false;
}

bool vw_write(struct vm *vm, gva_t va, const void *buf, size_t len)
{
    if (!vw_ram_dead(vm, va, len) && uc_mem_write(vm->uc, va, buf, len) == UC_ERR_OK)
        return true;
    vw_fail(vm, "kernel write of %zu bytes at 0x%" PRIx64 " (unmapped)", len, va);
    return false;
}

uint64_t vw_rd(struct vm *vm, gva_t va, unsigned size)
{
    uint64_t value = 0; /* little-endian on all three */
    vw_read(vm, va, &value, size);
    return value;
}

void vw_wr(struct vm *vm, gva_t va, uint64_t value, unsigned size)
{
    vw_write(vm, va, &value, size);
}

gva_t vw_rdptr(struct vm *vm, gva_t va)
{
    return vw_rd(vm, va, vm->ptr_size);
}

void vw_wrptr(struct vm *vm, gva_t va, gva_t value)
{
    vw_wr(vm, va, value, vm->ptr_size);
}

void vw_kuser_write(struct vm *vm, uint64_t off, uint64_t value, unsigned size)
{
    if (off + size <= PAGE)
        memcpy(vm->kuser_host + off, &value, size); /* little-endian on all three */
}

bool vw_map_pages(struct vm *vm, gva_t va, uint64_t len, uint32_t perms)
{
    uc_err err = uc_mem_map(vm->uc, va, len, perms);
    if (err != UC_ERR_OK) {
        vw_fail(vm, "harness: mapping 0x%" PRIx64 "+0x%" PRIx64 ": %s", va, len, uc_strerror(err));
        return false;
    }
    return true;
}

uint8_t *vw_map_host_pages(struct vm *vm, gva_t va, uint64_t len, uint32_t perms)
{
    void **blocks = realloc(vm->host_blocks, (vm->host_block_count + 1) * sizeof(*blocks));
    if (blocks != NULL)
        vm->host_blocks = blocks;
    uint8_t *host = blocks != NULL ? aligned_alloc(PAGE, len) : NULL;
    if (host == NULL) {
        vw_fail(vm, "harness: out of memory for 0x%" PRIx64 "+0x%" PRIx64, va, len);
        return NULL;
    }
    memset(host, 0, len);
    uc_err err = uc_mem_map_ptr(vm->uc, va, len, perms, host);
    if (err != UC_ERR_OK) {
        free(host);
        vw_fail(vm, "harness: mapping 0x%" PRIx64 "+0x%" PRIx64 ": %s", va, len, uc_strerror(err));
        return NULL;
    }
    vm->host_blocks[vm->host_block_count++] = host; /* unicorn's until it closes */
    return host;
}

gva_t vw_kalloc(struct vm *vm, uint64_t size)
{
    gva_t va = (vm->kheap_next + 15) & ~15ull;
    gva_t end = va + size;
    if (end > vm->kheap_mapped_end) {
        /* 2 MiB at a time: each growth is a unicorn mapping of its own. */
        uint64_t grow = ((end - vm->kheap_mapped_end) + 0x1fffff) & ~0x1fffffull;
        if (!vw_map_pages(vm, vm->kheap_mapped_end, grow, UC_PROT_READ | UC_PROT_WRITE))
            return 0;
        vm->kheap_mapped_end += grow;
    }
    vm->kheap_next = end;
    return va;
}
