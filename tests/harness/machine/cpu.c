/*
 * CPU set-up and fault hooks (see cpu.h).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "abi.h"
#include "bus.h"
#include "cpu.h"
#include "layout.h"

#define PAGE 0x1000ull

static const char *access_name(uc_mem_type type)
{
    switch (type) {
    case UC_MEM_READ_UNMAPPED:
    case UC_MEM_READ_PROT:
        return "read";
    case UC_MEM_WRITE_UNMAPPED:
    case UC_MEM_WRITE_PROT:
        return "write";
    case UC_MEM_FETCH_UNMAPPED:
    case UC_MEM_FETCH_PROT:
        return "execute";
    default:
        return "access";
    }
}

static bool on_bad_access(uc_engine *uc, uc_mem_type type, uint64_t addr, int size, int64_t value,
                          void *user)
{
    struct vm *vm = user;
    char w[48];
    (void)uc;
    (void)value;
    bool prot = type == UC_MEM_READ_PROT || type == UC_MEM_WRITE_PROT || type == UC_MEM_FETCH_PROT;
    vw_fail(vm, "%s %s of %d bytes at %s%s", prot ? "protection fault:" : "unmapped",
            access_name(type), size, vw_where(vm, addr, w), vm->os->describe_address(vm, addr));
    return false;
}

static void on_interrupt(uc_engine *uc, uint32_t intno, void *user)
{
    struct vm *vm = user;
    (void)uc;
    if (vm->arch == VW_ARM64)
        vw_fail(vm, "arm64 exception %u (brk, undefined instruction or fault)", intno);
    else if (intno == 3)
        vw_fail(vm, "int3: breakpoint (DbgBreakPoint?) reached");
    else if (intno == 0x2c)
        vw_fail(vm, "int 0x2c: assertion failure");
    else if (intno == 0x29)
        vw_fail(vm, "int 0x29: fast-fail (__fastfail)");
    else if (intno == 6)
        vw_fail(vm, "invalid opcode (ud2)");
    else
        vw_fail(vm, "x86 exception/interrupt %u", intno);
}

static bool on_invalid_insn(uc_engine *uc, void *user)
{
    (void)uc;
    vw_fail(user, "invalid instruction");
    return false;
}

static uint32_t on_in(uc_engine *uc, uint32_t port, int size, void *user)
{
    (void)uc;
    return (uint32_t)vw_bus_port_read(user, (uint16_t)port, (unsigned)size);
}

static void on_out(uc_engine *uc, uint32_t port, int size, uint32_t value, void *user)
{
    (void)uc;
    vw_bus_port_write(user, (uint16_t)port, value, (unsigned)size);
}

static uint64_t gdt_entry(uint32_t base, uint32_t limit, uint8_t access, uint8_t flags)
{
    return (uint64_t)(limit & 0xffff) | (uint64_t)(base & 0xffffff) << 16 | (uint64_t)access << 40 |
           (uint64_t)((limit >> 16) & 0xf) << 48 | (uint64_t)(flags & 0xf) << 52 |
           (uint64_t)(base >> 24) << 56;
}

/* x86: flat ring-0 code/data and an FS segment whose base is the KPCR. */
static bool setup_x86_segments(struct vm *vm)
{
    uint64_t gdt[4] = {0, gdt_entry(0, 0xfffff, 0x9a, 0xc), gdt_entry(0, 0xfffff, 0x92, 0xc),
                       gdt_entry((uint32_t)vm->map.kpcr, 0xfff, 0x92, 0x4)};
    if (!vw_map_pages(vm, vm->map.gdt, PAGE, UC_PROT_READ | UC_PROT_WRITE) ||
        !vw_write(vm, vm->map.gdt, gdt, sizeof(gdt)))
        return false;
    uc_x86_mmr gdtr = {.base = vm->map.gdt, .limit = sizeof(gdt) - 1};
    uint32_t data = 0x10, fs = 0x18;
    return uc_reg_write(vm->uc, UC_X86_REG_GDTR, &gdtr) == UC_ERR_OK &&
           uc_reg_write(vm->uc, UC_X86_REG_SS, &data) == UC_ERR_OK &&
           uc_reg_write(vm->uc, UC_X86_REG_DS, &data) == UC_ERR_OK &&
           uc_reg_write(vm->uc, UC_X86_REG_ES, &data) == UC_ERR_OK &&
           uc_reg_write(vm->uc, UC_X86_REG_GS, &data) == UC_ERR_OK &&
           uc_reg_write(vm->uc, UC_X86_REG_FS, &fs) == UC_ERR_OK;
}

static bool setup_kpcr_register(struct vm *vm)
{
    switch (vm->arch) {
    case VW_X86:
        /* KPCR.SelfPcr (+0x1c) and Prcb (+0x20) point back, as on Windows. */
        vw_wr(vm, vm->map.kpcr + 0x1c, vm->map.kpcr, 4);
        return setup_x86_segments(vm);
    case VW_AMD64: {
        uc_x86_msr gs_base = {.rid = 0xc0000101, .value = vm->map.kpcr};
        vw_wr(vm, vm->map.kpcr + 0x18, vm->map.kpcr, 8); /* KPCR.Self */
        return uc_reg_write(vm->uc, UC_X86_REG_MSR, &gs_base) == UC_ERR_OK;
    }
    case VW_ARM64: {
        uint64_t pcr = vm->map.kpcr;
        return uc_reg_write(vm->uc, UC_ARM64_REG_X18, &pcr) == UC_ERR_OK;
    }
    default:
        return false;
    }
}

/* KUSER_SHARED_DATA: read-only to the driver, backed by a host page the
 * harness writes directly (vw_kuser_write). */
static bool map_kuser(struct vm *vm)
{
    vm->kuser_host = aligned_alloc(PAGE, PAGE);
    if (vm->kuser_host == NULL)
        return false;
    memset(vm->kuser_host, 0, PAGE);
    uc_err err = uc_mem_map_ptr(vm->uc, vm->map.kuser, PAGE, UC_PROT_READ, vm->kuser_host);
    if (err != UC_ERR_OK) {
        vw_fail(vm, "harness: mapping KUSER_SHARED_DATA: %s", uc_strerror(err));
        return false;
    }
    return true;
}

/* The return address of every call into the driver: a return instruction
 * alone on a page of its own, never reached (emulation stops there).  At
 * each stop unicorn drops the translated block at that address, walking
 * every block of its page: on the import thunks' page that was every thunk
 * the driver had called, at each of a run's thousands of calls. */
static bool map_sentinel(struct vm *vm)
{
    static const uint8_t ret_arm64[4] = {0xc0, 0x03, 0x5f, 0xd6}, ret_x86[1] = {0xc3};
    gva_t page = vm->map.thunks + VW_SENTINEL_PAGE;
    vm->sentinel = page;
    return vw_map_pages(vm, page, PAGE, UC_PROT_READ | UC_PROT_EXEC) &&
           (vm->arch == VW_ARM64
                ? uc_mem_write(vm->uc, page, ret_arm64, sizeof(ret_arm64))
                : uc_mem_write(vm->uc, page, ret_x86, sizeof(ret_x86))) == UC_ERR_OK;
}

bool vw_cpu_create(struct vm *vm)
{
    static const struct {
        uc_arch arch;
        uc_mode mode;
    } modes[VW_ARCH_COUNT] = {
        [VW_X86] = {UC_ARCH_X86, UC_MODE_32},
        [VW_AMD64] = {UC_ARCH_X86, UC_MODE_64},
        [VW_ARM64] = {UC_ARCH_ARM64, UC_MODE_ARM},
    };
    if (uc_open(modes[vm->arch].arch, modes[vm->arch].mode, &vm->uc) != UC_ERR_OK) {
        vm->uc = NULL;
        return false;
    }
    const struct vw_map *m = &vm->map;
    if (!vw_map_pages(vm, m->thunks, PAGE, UC_PROT_READ | UC_PROT_EXEC) || !map_sentinel(vm) ||
        !vw_map_pages(vm, m->stack, m->stack_size, UC_PROT_READ | UC_PROT_WRITE) ||
        !vw_map_pages(vm, m->istack, VW_ISTACK_SIZE, UC_PROT_READ | UC_PROT_WRITE) ||
        !vw_map_pages(vm, m->wstack, VW_WSTACK_SIZE, UC_PROT_READ | UC_PROT_WRITE) ||
        !vw_map_pages(vm, m->kpcr, PAGE, UC_PROT_READ | UC_PROT_WRITE) || !map_kuser(vm) ||
        !setup_kpcr_register(vm))
        return false;

    /* VwDriverEntry mixes InterruptTime into the stack-protector seed. */
    uint64_t interrupt_time = 0x0000001234abcd00ull;
    vw_kuser_write(vm, VW_OFFSET(vm, KUSER_SHARED_DATA, InterruptTime), interrupt_time, 8);

    uc_hook h;
    uc_hook_add(vm->uc, &h, UC_HOOK_MEM_UNMAPPED | UC_HOOK_MEM_PROT, on_bad_access, vm, 1, 0);
    uc_hook_add(vm->uc, &h, UC_HOOK_INTR, on_interrupt, vm, 1, 0);
    if (vm->arch != VW_ARM64) {
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN_INVALID, on_invalid_insn, vm, 1, 0);
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN, on_in, vm, 1, 0, UC_X86_INS_IN);
        uc_hook_add(vm->uc, &h, UC_HOOK_INSN, on_out, vm, 1, 0, UC_X86_INS_OUT);
    }
    return true;
}

/* amd64 CR8 (IRQL) accesses: REX(.R) 0F 20|22 modrm. */
struct cr8_site {
    struct vm *vm;
    bool write;
    int gpr;
    unsigned size;
};

static const int gprs[16] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
                             UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
                             UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
                             UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};

static void on_cr8(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct cr8_site *site = user;
    struct vm *vm = site->vm;
    uint64_t value;
    if (site->write) {
        uc_reg_read(uc, site->gpr, &value);
        vm->os->irql_set(vm, (unsigned)(value & 0xf), "mov cr8");
    } else {
        value = vm->irql;
        uc_reg_write(uc, site->gpr, &value);
    }
    uint64_t next = addr + size;
    uc_reg_write(uc, UC_X86_REG_RIP, &next);
    vm->os->irql_settle(vm); /* an interrupt the lower IRQL lets in preempts here */
}

bool vw_cpu_hook_cr8(struct vm *vm, gva_t addr, bool write, unsigned gpr, unsigned size)
{
    struct cr8_site *site = malloc(sizeof(*site));
    uc_hook h;
    if (site == NULL)
        return false;
    site->vm = vm;
    site->write = write;
    site->gpr = gprs[gpr & 15];
    site->size = size;
    vm->os->keep(vm, site); /* freed with the kernel state */
    return uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_cr8, site, addr, addr) == UC_ERR_OK;
}
