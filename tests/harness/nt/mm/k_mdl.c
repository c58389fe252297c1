/*
 * MDLs: IoAllocateMdl builds the header (harness memory, freed with
 * IoFreeMdl) with its PFN array right after it; MmBuildMdlForNonPagedPool
 * and MmProbeAndLockPages fill the PFNs from guest RAM (physical = RAM
 * offset, ram.h) and refuse memory that is not RAM.  MmMapLockedPages-
 * SpecifyCache maps the pages again, page by page onto the same RAM, in the
 * kernel's MDL window or (UserMode) in a user region; every mapping must be
 * undone with MmUnmapLockedPages.  Unload reports MDLs, locked pages and
 * mappings left behind.
 */
#include <inttypes.h>
#include "abi.h"
#include "bus.h"
#include "kernel.h"
#include "layout.h"
#include "ram.h"
#include "vw_irp.h"
#include "vw_mm.h"

#define PAGE ((uint64_t)0x1000)

static struct vw_mdl *find(struct vm *vm, gva_t mdl, const char *who)
{
    for (unsigned i = 0; i < vm->k->mdl_count; i++)
        if (vm->k->mdls[i].mdl == mdl && vm->k->mdls[i].live)
            return &vm->k->mdls[i];
    vw_fail(vm, "%s: 0x%" PRIx64 " is not an MDL from IoAllocateMdl", who, mdl);
    return NULL;
}

static unsigned flags(struct vm *vm, gva_t mdl)
{
    return (unsigned)vw_rd(vm, mdl + VW_OFFSET(vm, MDL, MdlFlags), 2);
}

static void set_flags(struct vm *vm, gva_t mdl, unsigned f)
{
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, MdlFlags), f, 2);
}

static gva_t start_va(struct vm *vm, gva_t mdl)
{
    return vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, StartVa));
}

static uint64_t byte_offset(struct vm *vm, gva_t mdl)
{
    return vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteOffset), 4);
}

static uint64_t page_count(struct vm *vm, gva_t mdl)
{
    uint64_t count = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
    return (byte_offset(vm, mdl) + count + PAGE - 1) / PAGE;
}

static gva_t pfn_slot(struct vm *vm, gva_t mdl, uint64_t i)
{
    return mdl + VW_SIZEOF(vm, MDL) + i * vm->ptr_size;
}

/* (VirtualAddress, Length, SecondaryBuffer, ChargeQuota, Irp) */
void vw_IoAllocateMdl(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t va = vw_arg(vm, api, 0), irp = vw_arg(vm, api, 4);
    uint64_t len = (uint32_t)vw_arg(vm, api, 1);
    bool secondary = vw_arg(vm, api, 2) & 0xff;
    uint64_t pages = ((va & (PAGE - 1)) + len + PAGE - 1) / PAGE;
    if (len == 0 || !VW_GROW(vm, k->mdls, k->mdl_count, k->mdl_cap, "MDLs")) {
        vw_set_return(vm, 0);
        return;
    }
    uint64_t size = VW_SIZEOF(vm, MDL) + pages * vm->ptr_size;
    gva_t mdl = vw_pool_alloc(vm, size, VW_TAG('M', 'd', 'l', ' '), "MDL", false);
    if (mdl == 0) {
        vw_set_return(vm, 0);
        return;
    }
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, Size), size, 2);
    vw_wrptr(vm, mdl + VW_OFFSET(vm, MDL, StartVa), va & ~(PAGE - 1));
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, ByteOffset), va & (PAGE - 1), 4);
    vw_wr(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), len, 4);
    if (irp != 0) {
        /* The first MDL of an IRP, or appended to its chain. */
        gva_t link = irp + VW_OFFSET(vm, IRP, MdlAddress);
        for (unsigned i = 0; secondary && vw_rdptr(vm, link) != 0 && i < 64; i++)
            link = vw_rdptr(vm, link) + VW_OFFSET(vm, MDL, Next);
        vw_wrptr(vm, link, mdl);
    }
    k->mdls[k->mdl_count++] = (struct vw_mdl){.mdl = mdl, .live = true, .allocated = true};
    vw_set_return(vm, mdl);
}

static bool mapped_by(struct vm *vm, gva_t mdl, bool user)
{
    for (unsigned i = 0; i < vm->k->mdl_map_count; i++)
        if (vm->k->mdl_maps[i].mdl == mdl && vm->k->mdl_maps[i].user == user)
            return true;
    return false;
}

void vw_IoFreeMdl(struct vm *vm, const struct vw_api *api)
{
    gva_t mdl = vw_arg(vm, api, 0);
    struct vw_mdl *m = find(vm, mdl, "IoFreeMdl");
    if (m == NULL)
        return;
    if (flags(vm, mdl) & VW_MDL_PAGES_LOCKED) {
        vw_fail(vm, "IoFreeMdl of MDL 0x%" PRIx64 " whose pages are still locked (MmUnlockPages)",
                mdl);
        return;
    }
    if (mapped_by(vm, mdl, true) || mapped_by(vm, mdl, false)) {
        vw_fail(vm, "IoFreeMdl of MDL 0x%" PRIx64 " that is still mapped (MmUnmapLockedPages)",
                mdl);
        return;
    }
    m->live = false;
    vw_pool_free(vm, mdl, "IoFreeMdl");
}

/* Fill the PFN array from the pages the MDL describes; false (failed) when
 * one is not RAM. */
static bool fill_pfns(struct vm *vm, gva_t mdl, const char *who)
{
    gva_t va = start_va(vm, mdl);
    uint64_t pages = page_count(vm, mdl);
    for (uint64_t i = 0; i < pages && !vm->failed; i++) {
        uint64_t pa = vw_ram_pa(vm, va + i * PAGE);
        if (pa == ~0ull) /* a shared-memory BAR mapped with MmMapIoSpace */
            pa = vw_bus_ram_window_pa(vm, va + i * PAGE);
        uint8_t probe;
        if (pa == ~0ull || vw_ram_dead(vm, va + i * PAGE, 1) ||
            uc_mem_read(vm->uc, va + i * PAGE, &probe, 1) != UC_ERR_OK) {
            vw_fail(vm, "%s: page 0x%" PRIx64 " of MDL 0x%" PRIx64 " is not valid memory%s", who,
                    va + i * PAGE, mdl, vw_kernel_describe_address(vm, va + i * PAGE));
            return false;
        }
        vw_wrptr(vm, pfn_slot(vm, mdl, i), pa / PAGE);
    }
    return !vm->failed;
}

void vw_MmBuildMdlForNonPagedPool(struct vm *vm, const struct vw_api *api)
{
    gva_t mdl = vw_arg(vm, api, 0);
    if (find(vm, mdl, "MmBuildMdlForNonPagedPool") == NULL ||
        !fill_pfns(vm, mdl, "MmBuildMdlForNonPagedPool"))
        return;
    vw_wrptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa),
             start_va(vm, mdl) + byte_offset(vm, mdl));
    set_flags(vm, mdl, flags(vm, mdl) | VW_MDL_SOURCE_IS_NONPAGED_POOL);
}

/* (MemoryDescriptorList, AccessMode, Operation) */
void vw_MmProbeAndLockPages(struct vm *vm, const struct vw_api *api)
{
    gva_t mdl = vw_arg(vm, api, 0);
    if (find(vm, mdl, "MmProbeAndLockPages") == NULL)
        return;
    if (flags(vm, mdl) & (VW_MDL_PAGES_LOCKED | VW_MDL_SOURCE_IS_NONPAGED_POOL)) {
        vw_fail(vm, "MmProbeAndLockPages: MDL 0x%" PRIx64 " is already locked or built", mdl);
        return;
    }
    if (fill_pfns(vm, mdl, "MmProbeAndLockPages"))
        set_flags(vm, mdl, flags(vm, mdl) | VW_MDL_PAGES_LOCKED);
}

static void unmap_at(struct vm *vm, unsigned i)
{
    struct vw_kernel *k = vm->k;
    struct vw_mdl_mapping *m = &k->mdl_maps[i];
    uc_mem_unmap(vm->uc, m->base, m->len);
    if (!m->user && vw_rdptr(vm, m->mdl + VW_OFFSET(vm, MDL, MappedSystemVa)) == m->va &&
        (flags(vm, m->mdl) & VW_MDL_MAPPED_TO_SYSTEM_VA))
        set_flags(vm, m->mdl, flags(vm, m->mdl) & ~VW_MDL_MAPPED_TO_SYSTEM_VA);
    *m = k->mdl_maps[--k->mdl_map_count];
}

void vw_MmUnlockPages(struct vm *vm, const struct vw_api *api)
{
    gva_t mdl = vw_arg(vm, api, 0);
    if (find(vm, mdl, "MmUnlockPages") == NULL)
        return;
    if (!(flags(vm, mdl) & VW_MDL_PAGES_LOCKED)) {
        vw_fail(vm, "MmUnlockPages: MDL 0x%" PRIx64 " is not locked", mdl);
        return;
    }
    if (mapped_by(vm, mdl, true)) {
        vw_fail(vm, "MmUnlockPages: MDL 0x%" PRIx64 " is still mapped into user space", mdl);
        return;
    }
    /* Unlocking also drops the system mapping, as on Windows. */
    for (unsigned i = 0; i < vm->k->mdl_map_count;)
        if (vm->k->mdl_maps[i].mdl == mdl)
            unmap_at(vm, i);
        else
            i++;
    set_flags(vm, mdl, flags(vm, mdl) & ~(VW_MDL_PAGES_LOCKED | VW_MDL_MAPPED_TO_SYSTEM_VA));
}

/* (Mdl, AccessMode, CacheType, RequestedAddress, BugCheckOnFailure, Priority) */
void vw_MmMapLockedPagesSpecifyCache(struct vm *vm, const struct vw_api *api)
{
    struct vw_kernel *k = vm->k;
    gva_t mdl = vw_arg(vm, api, 0);
    unsigned mode = (unsigned)(vw_arg(vm, api, 1) & 0xff);
    if (find(vm, mdl, "MmMapLockedPagesSpecifyCache") == NULL)
        return;
    unsigned f = flags(vm, mdl);
    if (!(f & (VW_MDL_PAGES_LOCKED | VW_MDL_SOURCE_IS_NONPAGED_POOL))) {
        vw_fail(vm, "MmMapLockedPagesSpecifyCache: MDL 0x%" PRIx64 " describes no locked pages",
                mdl);
        return;
    }
    if (mode > VW_USER_MODE || (mode == VW_KERNEL_MODE && (f & VW_MDL_MAPPED_TO_SYSTEM_VA))) {
        vw_fail(vm, "MmMapLockedPagesSpecifyCache: MDL 0x%" PRIx64 " %s", mdl,
                mode > VW_USER_MODE ? "with a bad access mode" : "is already mapped");
        return;
    }
    if (mode == VW_USER_MODE && vm->irql > VW_APC_LEVEL) {
        vw_fail(vm, "IRQL: MmMapLockedPagesSpecifyCache(UserMode) at IRQL %u (allowed up to 1)",
                vm->irql);
        return;
    }
    if (mode == VW_USER_MODE && k->fail_next_user_map) {
        /* "If AccessMode = UserMode and the specified pages cannot be
         * mapped, the routine raises an exception. Callers that specify
         * UserMode must wrap the call in a try/except block."
         * (MmMapLockedPagesSpecifyCache, wdm.h) */
        k->fail_next_user_map = false;
        vw_raise(vm, VW_STATUS_INSUFFICIENT_RESOURCES, api);
        return;
    }
    if (!VW_GROW(vm, k->mdl_maps, k->mdl_map_count, k->mdl_map_cap, "MDL mappings"))
        return;
    gva_t *next = mode == VW_USER_MODE ? &k->user_next : &k->mdl_map_next;
    if (*next == 0)
        *next = mode == VW_USER_MODE ? vm->map.user : vm->map.mdl_map;
    uint64_t pages = page_count(vm, mdl);
    gva_t base = *next;
    /* One mapping per run of physically contiguous pages (a pool buffer is
     * one run), not one per page: unicorn slows down with every mapping. */
    for (uint64_t i = 0, run; i < pages; i += run) {
        uint64_t pa = vw_rdptr(vm, pfn_slot(vm, mdl, i)) * PAGE;
        for (run = 1;
             i + run < pages && vw_rdptr(vm, pfn_slot(vm, mdl, i + run)) * PAGE == pa + run * PAGE;
             run++)
            ;
        void *host = vw_ram_host(vm, pa, run * PAGE);
        if (host == NULL || uc_mem_map_ptr(vm->uc, base + i * PAGE, run * PAGE,
                                           UC_PROT_READ | UC_PROT_WRITE, host) != UC_ERR_OK) {
            vw_fail(vm,
                    "MmMapLockedPagesSpecifyCache: PFN 0x%" PRIx64 " of MDL 0x%" PRIx64
                    " is not RAM",
                    pa / PAGE, mdl);
            if (i > 0)
                uc_mem_unmap(vm->uc, base, i * PAGE);
            return;
        }
    }
    *next += (pages + 1) * PAGE; /* an unmapped guard page after each */
    gva_t va = base + byte_offset(vm, mdl);
    k->mdl_maps[k->mdl_map_count++] = (struct vw_mdl_mapping){.mdl = mdl,
                                                              .va = va,
                                                              .base = base,
                                                              .len = pages * PAGE,
                                                              .user = mode == VW_USER_MODE,
                                                              .process = k->process};
    if (mode == VW_KERNEL_MODE && !(f & VW_MDL_SOURCE_IS_NONPAGED_POOL)) {
        vw_wrptr(vm, mdl + VW_OFFSET(vm, MDL, MappedSystemVa), va);
        set_flags(vm, mdl, f | VW_MDL_MAPPED_TO_SYSTEM_VA);
    }
    vw_set_return(vm, va);
}

/* (BaseAddress, Mdl) */
void vw_MmUnmapLockedPages(struct vm *vm, const struct vw_api *api)
{
    gva_t va = vw_arg(vm, api, 0), mdl = vw_arg(vm, api, 1);
    for (unsigned i = 0; i < vm->k->mdl_map_count; i++)
        if (vm->k->mdl_maps[i].va == va && vm->k->mdl_maps[i].mdl == mdl) {
            const struct vw_mdl_mapping *m = &vm->k->mdl_maps[i];
            /* "If the call to MmMapLockedPages or MmMapLockedPagesSpecify-
             * Cache specified user mode, the caller must be in the context
             * of the original process before calling MmUnmapLockedPages"
             * (MmUnmapLockedPages, wdm.h): elsewhere the address is not a
             * mapping of this process, which Windows bug-checks (0xD7,
             * "a driver is trying to unmap an address that was not
             * mapped") or, worse, unmaps another range of that process. */
            if (m->user && m->process != vm->k->process) {
                vw_fail(vm,
                        "bug check 0xd7 (DRIVER_UNMAPPING_INVALID_VIEW): MmUnmapLockedPages of "
                        "user mapping 0x%" PRIx64 " made in process %u, called in process %u",
                        va, m->process, vm->k->process);
                return;
            }
            if (m->user && vm->irql > VW_APC_LEVEL) {
                vw_fail(vm,
                        "IRQL: MmUnmapLockedPages of a user mapping at IRQL %u (allowed up "
                        "to 1)",
                        vm->irql);
                return;
            }
            unmap_at(vm, i);
            return;
        }
    vw_fail(vm, "MmUnmapLockedPages: 0x%" PRIx64 " is not a mapping of MDL 0x%" PRIx64, va, mdl);
}

unsigned vw_mdl_report_leaks(struct vm *vm)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->k->mdl_map_count; i++, n++)
        vw_log(vm, "leak: %s mapping 0x%" PRIx64 " of MDL 0x%" PRIx64 " never unmapped",
               vm->k->mdl_maps[i].user ? "user" : "kernel", vm->k->mdl_maps[i].va,
               vm->k->mdl_maps[i].mdl);
    for (unsigned i = 0; i < vm->k->mdl_count; i++)
        if (vm->k->mdls[i].live) {
            bool locked = flags(vm, vm->k->mdls[i].mdl) & VW_MDL_PAGES_LOCKED;
            vw_log(vm, "leak: MDL 0x%" PRIx64 " never freed%s", vm->k->mdls[i].mdl,
                   locked ? " (pages still locked)" : "");
            n++;
        }
    return n;
}

unsigned vw_mdl_user_mappings(struct vm *vm, unsigned process)
{
    unsigned n = 0;
    for (unsigned i = 0; i < vm->k->mdl_map_count; i++)
        if (vm->k->mdl_maps[i].user && vm->k->mdl_maps[i].process == process) {
            vw_log(vm, "user mapping 0x%" PRIx64 " of MDL 0x%" PRIx64 " still in process %u",
                   vm->k->mdl_maps[i].va, vm->k->mdl_maps[i].mdl, process);
            n++;
        }
    return n;
}

unsigned vw_mdl_phys(struct vm *vm, gva_t mdl, gva_t va, uint64_t len, uint64_t *pa, uint64_t *plen,
                     unsigned max, const char *who)
{
    unsigned n = 0;
    /* hops: a bound against a looping chain, far above the chains stacks build */
    for (unsigned hops = 0; len > 0 && mdl != 0 && hops < 1024 && !vm->failed; hops++) {
        if (!(flags(vm, mdl) & (VW_MDL_PAGES_LOCKED | VW_MDL_SOURCE_IS_NONPAGED_POOL))) {
            vw_fail(vm, "%s: MDL 0x%" PRIx64 " describes no locked pages", who, mdl);
            return 0;
        }
        gva_t first = start_va(vm, mdl) + byte_offset(vm, mdl);
        uint64_t count = vw_rd(vm, mdl + VW_OFFSET(vm, MDL, ByteCount), 4);
        if (va < first || va >= first + count) {
            vw_fail(vm, "%s: CurrentVa 0x%" PRIx64 " is outside MDL 0x%" PRIx64, who, va, mdl);
            return 0;
        }
        for (uint64_t off = va - first; off < count && len > 0;) {
            uint64_t in_page = (byte_offset(vm, mdl) + off) % PAGE;
            uint64_t page = (byte_offset(vm, mdl) + off) / PAGE;
            uint64_t chunk = PAGE - in_page;
            if (chunk > count - off)
                chunk = count - off;
            if (chunk > len)
                chunk = len;
            uint64_t addr = vw_rdptr(vm, pfn_slot(vm, mdl, page)) * PAGE + in_page;
            if (n > 0 && pa[n - 1] + plen[n - 1] == addr) {
                plen[n - 1] += chunk;
            } else if (n == max) {
                vw_fail(vm, "%s: more than %u scatter/gather elements", who, max);
                return 0;
            } else {
                pa[n] = addr;
                plen[n++] = chunk;
            }
            off += chunk;
            len -= chunk;
        }
        /* The rest of the transfer continues in the next MDL of the chain. */
        mdl = vw_rdptr(vm, mdl + VW_OFFSET(vm, MDL, Next));
        if (mdl != 0)
            va = start_va(vm, mdl) + byte_offset(vm, mdl);
    }
    if (len > 0 && !vm->failed)
        vw_fail(vm, "%s: the transfer is longer than its MDL chain", who);
    return vm->failed ? 0 : n;
}
