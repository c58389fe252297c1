/*
 * Barrier instructions the driver executes (see cpu.h): the loader's scan
 * of each executable section finds them (cpu_sites.c, by the kinds below),
 * and a code hook on each one (not
 * on every instruction: the cost is per barrier executed) counts it in
 * vm->barriers by what it orders.  One emulated CPU is sequentially
 * consistent, so a missing barrier cannot show as a wrong value; the ring
 * checkers (dev_virtio_check.c) compare these counts at the points where
 * the virtio spec needs an order instead.
 *
 * The hook also makes the barrier real on the host.  Guest memory is shared
 * with back ends running on other host cores (qemu-storage-daemon, testpmd),
 * but unicorn translates a guest barrier to nothing (tcg_gen_mb emits only
 * under CF_PARALLEL, and unicorn's curr_cflags() is 0) and a locked
 * read-modify-write to a plain load and store.  Guest stores are host
 * stores, so on an x86 host a store can wait in the store buffer while a
 * later load runs: the EVENT_IDX handshake (virtio 1.2 2.7.7.2, 2.7.10:
 * store avail idx, full barrier, load avail_event) then loses the kick
 * exactly when the device re-arms at that moment.  So each hook issues the
 * host fence a FULL barrier needs (before the instruction, which orders
 * nothing itself once translated; the x86-64 host keeps the other orders
 * by itself), and an instruction whose own store
 * the guest architecture orders before later loads (x86 locked or XCHG
 * with memory, arm64 STLR before LDAR) gets a second hook on the next
 * instruction that issues a full fence after it.
 *   arm64: DMB and DSB by their type field (LD: loads, ST: stores, else
 *          both and store->load); STLR counts as a store barrier (it
 *          orders every earlier store before its own), LDAR/LDAPR arm an
 *          acquire that the next ring read takes (later loads after it);
 *   x86:   MFENCE, a LOCK-prefixed read-modify-write and XCHG with memory
 *          (full), SFENCE (stores), LFENCE (loads).
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"

struct barrier_site {
    struct vm *vm;
    unsigned kind; /* VW_BARRIER_* bits */
};

static void on_barrier(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct barrier_site *site = user;
    struct vw_barriers *b = &site->vm->barriers;
    (void)uc, (void)size;
    if (site->kind & VW_BARRIER_STORE)
        b->store++;
    if (site->kind & VW_BARRIER_LOAD)
        b->load++;
    if (site->kind & VW_BARRIER_FULL)
        b->full++;
    if (site->kind & VW_BARRIER_ACQUIRE)
        b->acquire = true;
    (void)addr;
    /* The x86-64 host keeps every order but store->load by itself. */
    if (site->kind & VW_BARRIER_FULL) {
        __atomic_thread_fence(__ATOMIC_SEQ_CST);
        b->host_fences++;
    }
}

/* After an instruction whose own store must precede later loads. */
static void on_after_own_store(uc_engine *uc, uint64_t addr, uint32_t size, void *user)
{
    struct vm *vm = user;
    (void)uc, (void)addr, (void)size;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
    vm->barriers.host_fences++;
}

bool vw_cpu_hook_barrier(struct vm *vm, gva_t addr, unsigned kind, unsigned size)
{
    struct barrier_site *site = malloc(sizeof(*site));
    uc_hook h;
    if (site == NULL)
        return false;
    site->vm = vm;
    site->kind = kind;
    vm->os->keep(vm, site); /* freed with the kernel state */
    if (uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_barrier, site, addr, addr) != UC_ERR_OK)
        return false;
    if (!(kind & VW_BARRIER_OWN) || vm->barriers.plant_no_after)
        return true;
    /* Only the fall-through follows: these instructions do not branch. */
    gva_t next = addr + size;
    return uc_hook_add(vm->uc, &h, UC_HOOK_CODE, on_after_own_store, vm, next, next) == UC_ERR_OK;
}

/* DMB/DSB <option>: CRm bits 1:0 are the access types ordered. */
unsigned vw_barrier_kind_arm64(uint32_t insn)
{
    uint32_t ordered = insn & 0x3ffffc00u;
    if (ordered == 0x089ffc00u) /* STLR: RCsc, before a later LDAR */
        return VW_BARRIER_STORE | VW_BARRIER_OWN;
    if (ordered == 0x08dffc00u || ordered == 0x38bfc000u) /* LDAR, LDAPR */
        return VW_BARRIER_ACQUIRE;
    uint32_t op = insn & 0xfffff0ffu;
    if (op != 0xd50330bfu && op != 0xd503309fu) /* DMB, DSB */
        return 0;
    switch ((insn >> 8) & 3) {
    case 1:
        return VW_BARRIER_LOAD;
    case 2:
        return VW_BARRIER_STORE;
    case 3:
        return VW_BARRIER_LOAD | VW_BARRIER_STORE | VW_BARRIER_FULL;
    default:
        return 0; /* SSBB, PSSBB: speculation only */
    }
}

/* A LOCK prefix among the instruction's legacy prefixes. */
static bool x86_locked(const cs_insn *insn)
{
    for (unsigned i = 0; i < insn->size; i++) {
        uint8_t b = insn->bytes[i];
        if (b == 0xf0)
            return true;
        if (b != 0xf2 && b != 0xf3 && b != 0x2e && b != 0x36 && b != 0x3e && b != 0x26 &&
            b != 0x64 && b != 0x65 && b != 0x66 && b != 0x67)
            return false;
    }
    return false;
}

unsigned vw_barrier_kind_x86(const cs_insn *insn)
{
    const unsigned all = VW_BARRIER_LOAD | VW_BARRIER_STORE | VW_BARRIER_FULL;
    switch (insn->id) {
    case X86_INS_MFENCE:
        return all;
    case X86_INS_SFENCE:
        return VW_BARRIER_STORE;
    case X86_INS_LFENCE:
        return VW_BARRIER_LOAD;
    case X86_INS_XCHG:
        /* locked when on memory */
        return strstr(insn->op_str, "ptr") != NULL ? all | VW_BARRIER_OWN : 0;
    default:
        return x86_locked(insn) ? all | VW_BARRIER_OWN : 0;
    }
}
