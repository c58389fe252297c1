/*
 * Exceptions raised into driver code by kernel routines that raise
 * (MmMapLockedPagesSpecifyCache(UserMode) when the mapping fails).
 *
 * Dispatch, as RtlDispatchException does it on the 64-bit arches: from the
 * driver's call site outwards, each frame's function is looked up in the
 * image's .pdata; a function whose unwind data names __C_specific_handler
 * (what __try/__except compiles to with clang on x64 and arm64) has a
 * scope table of {BeginAddress, EndAddress, HandlerAddress, JumpTarget};
 * a scope covering the frame's ControlPc with a JumpTarget is an __except:
 * its filter (the constant EXCEPTION_EXECUTE_HANDLER / CONTINUE_SEARCH, or
 * a filter function called with the EXCEPTION_POINTERS and the
 * establisher frame) decides.  The handler is entered with the frame's
 * registers and the exception code in the return register, which the
 * kernel routine's return instruction carries out.
 *   amd64: frames are unwound with the UNWIND_INFO codes (push, alloc,
 *          set-frame-pointer, save-nonvolatile; chained info).
 *   arm64: only the driver function that called the raising routine is
 *          searched (its registers are the call site's); an __except further
 *          out is not found.
 *   x86:   the fs:[0] chain of EXCEPTION_REGISTRATION_RECORDs (KPCR
 *          NtTib.ExceptionList) is walked: each handler is called (cdecl)
 *          with the EXCEPTION_RECORD, its record, a CONTEXT of the call
 *          site and no dispatcher context; ExceptionContinueExecution
 *          resumes at the CONTEXT it left, ExceptionContinueSearch goes on
 *          to the next record.  Clang cannot compile __try for i686 mingw,
 *          so an x86 driver registers a record of its own (see
 *          testdrv/vwseh86.c).
 * __finally blocks of the frames passed over are not run.
 *
 * Unhandled: an exception no handler takes in a system thread is 0x7E
 * SYSTEM_THREAD_EXCEPTION_NOT_HANDLED ("a system thread generated an
 * exception that the error handler did not catch"); in any other thread (a
 * dispatch routine on behalf of a user process) it is 0x1E
 * KMODE_EXCEPTION_NOT_HANDLED ("a kernel-mode program generated an
 * exception that the error handler did not catch").
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "vw_ke.h"

#define UNW_FLAG_EHANDLER  0x1
#define UNW_FLAG_CHAININFO 0x4
#define MAX_FRAMES         32

/* x64 nonvolatile registers by unwind-code register number. */
static const int x64_regs[16] = {UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
                                 UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
                                 UC_X86_REG_R8,  UC_X86_REG_R9,  UC_X86_REG_R10, UC_X86_REG_R11,
                                 UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15};

struct frame {
    uint64_t pc, sp, regs[32]; /* x64: by unwind number; arm64: x0..x30 */
};

static uint64_t rd(struct vm *vm, gva_t va, unsigned size)
{
    uint64_t v = 0;
    uc_mem_read(vm->uc, va, &v, size);
    return v;
}

/* The image's exception directory (.pdata): RVA and size. */
static bool pdata(struct vm *vm, uint32_t *rva, uint32_t *size)
{
    gva_t nt = vm->image.base + rd(vm, vm->image.base + 0x3c, 4);
    /* PE32+ optional header: DataDirectory at 112, entry 3 (exception). */
    *rva = (uint32_t)rd(vm, nt + 24 + 112 + 3 * 8, 4);
    *size = (uint32_t)rd(vm, nt + 24 + 112 + 3 * 8 + 4, 4);
    return *rva != 0 && *size != 0;
}

/* The RUNTIME_FUNCTION entry covering image offset PC (entry RVA), or 0. */
static uint32_t lookup(struct vm *vm, uint64_t pc)
{
    uint32_t rva, size;
    if (!pdata(vm, &rva, &size))
        return 0;
    unsigned entry = vm->arch == VW_AMD64 ? 12 : 8;
    for (uint32_t off = 0; off + entry <= size; off += entry) {
        uint32_t begin = (uint32_t)rd(vm, vm->image.base + rva + off, 4);
        uint32_t end = vm->arch == VW_AMD64
                           ? (uint32_t)rd(vm, vm->image.base + rva + off + 4, 4)
                           : begin + 4 * ((uint32_t)rd(vm, vm->image.base + rva + off + 4, 4) >> 2 &
                                          0x7ff); /* packed: FunctionLength */
        if (vm->arch == VW_ARM64) {
            uint32_t unwind = (uint32_t)rd(vm, vm->image.base + rva + off + 4, 4);
            if ((unwind & 3) == 0) /* xdata: FunctionLength in its first word */
                end = begin + 4 * ((uint32_t)rd(vm, vm->image.base + unwind, 4) & 0x3ffff);
        }
        if (pc >= begin && pc < end)
            return rva + off;
    }
    return 0;
}

/* Whether code at image offset RVA is the import thunk of
 * __C_specific_handler (x64: jmp [rip+d]; arm64: adrp x16 / ldr x16 / br). */
static bool is_c_specific_handler(struct vm *vm, uint32_t rva)
{
    gva_t slot = 0, at = vm->image.base + rva, iat = 0;
    for (unsigned i = 0; i < vm->import_count; i++)
        if (strcmp(vm->imports[i].name, "__C_specific_handler") == 0)
            slot = vm->imports[i].slot;
    if (slot == 0)
        return false;
    if (vm->arch == VW_AMD64) {
        if (rd(vm, at, 2) != 0x25ff)
            return false;
        iat = at + 6 + (int64_t)(int32_t)rd(vm, at + 2, 4);
    } else {
        uint32_t adrp = (uint32_t)rd(vm, at, 4), ldr = (uint32_t)rd(vm, at + 4, 4);
        if ((adrp & 0x9f00001f) != 0x90000010 || (ldr & 0xffc003ff) != 0xf9400210)
            return false;
        uint64_t v = ((uint64_t)((adrp >> 5) & 0x7ffff) << 2) | ((adrp >> 29) & 3);
        int64_t imm = (int64_t)(v << 43) >> 31; /* 21-bit page count, sign-extended, x4096 */
        iat = (at & ~0xfffull) + (uint64_t)imm + ((ldr >> 10) & 0xfff) * 8;
    }
    return rd(vm, iat, 8) == slot;
}

/* The language-specific data (scope table) of the function at ENTRY when
 * its handler is __C_specific_handler, else 0. */
static gva_t scope_table(struct vm *vm, uint32_t entry)
{
    gva_t base = vm->image.base;
    if (vm->arch == VW_AMD64) {
        uint32_t info = (uint32_t)rd(vm, base + entry + 8, 4);
        for (unsigned hops = 0; hops < 8; hops++) {
            uint8_t flags = (uint8_t)(rd(vm, base + info, 1) >> 3);
            unsigned codes = (unsigned)rd(vm, base + info + 2, 1);
            gva_t after = base + info + 4 + 2ull * ((codes + 1) & ~1u);
            if (flags & UNW_FLAG_CHAININFO) {
                info = (uint32_t)rd(vm, after + 8, 4);
                continue;
            }
            if (!(flags & UNW_FLAG_EHANDLER))
                return 0;
            return is_c_specific_handler(vm, (uint32_t)rd(vm, after, 4)) ? after + 4 : 0;
        }
        return 0;
    }
    uint32_t unwind = (uint32_t)rd(vm, base + entry + 4, 4);
    if ((unwind & 3) != 0)
        return 0; /* packed unwind data: no handler */
    uint32_t h = (uint32_t)rd(vm, base + unwind, 4);
    bool x = h >> 20 & 1, e = h >> 21 & 1;
    unsigned epilogs = h >> 22 & 0x1f, words = h >> 27 & 0x1f;
    gva_t p = base + unwind + 4;
    if (epilogs == 0 && words == 0) { /* extended header */
        uint32_t ext = (uint32_t)rd(vm, p, 4);
        epilogs = ext & 0xffff;
        words = ext >> 16 & 0xff;
        p += 4;
    }
    if (!x)
        return 0;
    p += 4ull * (e ? 0 : epilogs) + 4ull * words;
    return is_c_specific_handler(vm, (uint32_t)rd(vm, p, 4)) ? p + 4 : 0;
}

/* x64: undo the prolog of the function at ENTRY for frame F (a call site,
 * so the whole prolog ran): restore saved registers, pop the return
 * address.  False when the unwind data is not understood. */
static bool unwind_x64(struct vm *vm, uint32_t entry, struct frame *f)
{
    gva_t base = vm->image.base;
    uint32_t info = (uint32_t)rd(vm, base + entry + 8, 4);
    for (unsigned hops = 0; hops < 8; hops++) {
        uint8_t flags = (uint8_t)(rd(vm, base + info, 1) >> 3);
        unsigned count = (unsigned)rd(vm, base + info + 2, 1);
        unsigned fr = (unsigned)rd(vm, base + info + 3, 1);
        if ((fr & 15) != 0 && hops == 0) /* frame register: rsp from it */
            f->sp = f->regs[fr & 15] - 16ull * (fr >> 4);
        for (unsigned i = 0; i < count; i++) {
            uint16_t code = (uint16_t)rd(vm, base + info + 4 + 2 * i, 2);
            unsigned op = code >> 8 & 15, arg = code >> 12;
            switch (op) {
            case 0: /* UWOP_PUSH_NONVOL */
                f->regs[arg] = rd(vm, f->sp, 8);
                f->sp += 8;
                break;
            case 1: /* UWOP_ALLOC_LARGE */
                if (arg == 0) {
                    f->sp += 8ull * rd(vm, base + info + 4 + 2 * (i + 1), 2);
                    i += 1;
                } else {
                    f->sp += rd(vm, base + info + 4 + 2 * (i + 1), 4);
                    i += 2;
                }
                break;
            case 2: /* UWOP_ALLOC_SMALL */
                f->sp += 8ull * arg + 8;
                break;
            case 3: /* UWOP_SET_FPREG: rsp already taken from it */
                break;
            case 4: /* UWOP_SAVE_NONVOL */
                f->regs[arg] = rd(vm, f->sp + 8ull * rd(vm, base + info + 4 + 2 * (i + 1), 2), 8);
                i += 1;
                break;
            case 5: /* UWOP_SAVE_NONVOL_FAR */
                f->regs[arg] = rd(vm, f->sp + rd(vm, base + info + 4 + 2 * (i + 1), 4), 8);
                i += 2;
                break;
            case 8: /* UWOP_SAVE_XMM128 */
                i += 1;
                break;
            case 9: /* UWOP_SAVE_XMM128_FAR */
                i += 2;
                break;
            default: /* UWOP_PUSH_MACHFRAME and others: not in driver code */
                return false;
            }
        }
        if (!(flags & UNW_FLAG_CHAININFO))
            break;
        info = (uint32_t)rd(vm, base + info + 4 + 2ull * ((count + 1) & ~1u) + 8, 4);
    }
    f->pc = rd(vm, f->sp, 8);
    f->sp += 8;
    return true;
}

/* The filter of a scope: a constant or a filter function. */
static int32_t filter(struct vm *vm, uint32_t handler, uint32_t code, const struct frame *f,
                      gva_t establisher)
{
    if (handler == VW_EXCEPTION_EXECUTE_HANDLER || handler == VW_EXCEPTION_CONTINUE_SEARCH)
        return (int32_t)handler;
    gva_t record = vw_kalloc(vm, 0x100), context = vw_kalloc(vm, 0x500);
    gva_t pointers = vw_kalloc(vm, 16);
    vw_wr(vm, record, code, 4);
    vw_wrptr(vm, record + 16, f->pc);
    vw_wrptr(vm, pointers, record);
    vw_wrptr(vm, pointers + 8, context);
    uint64_t args[2] = {pointers, establisher}, result = 0;
    if (!vw_call(vm, vm->image.base + handler, 2, args, &result))
        return VW_EXCEPTION_CONTINUE_SEARCH;
    return (int32_t)result;
}

/* Enter the __except block at image offset TARGET with frame F's
 * registers: the kernel routine's return lands there. */
static void enter_handler(struct vm *vm, uint32_t target, const struct frame *f, uint32_t code)
{
    if (vm->arch == VW_AMD64) {
        for (unsigned r = 0; r < 16; r++)
            if (r != 4)
                uc_reg_write(vm->uc, x64_regs[r], &f->regs[r]);
        uint64_t sp = f->sp - 8, pc = vm->image.base + target, rax = code;
        vw_wr(vm, sp, pc, 8);
        uc_reg_write(vm->uc, UC_X86_REG_RSP, &sp);
        uc_reg_write(vm->uc, UC_X86_REG_RAX, &rax);
    } else {
        uint64_t pc = vm->image.base + target, x0 = code;
        uc_reg_write(vm->uc, UC_ARM64_REG_X30, &pc);
        uc_reg_write(vm->uc, UC_ARM64_REG_X0, &x0);
    }
}

/* Search the frames for an __except that takes CODE; true when entered. */
static bool dispatch(struct vm *vm, uint32_t code)
{
    struct frame f = {0};
    if (vm->arch == VW_AMD64) {
        for (unsigned r = 0; r < 16; r++)
            uc_reg_read(vm->uc, x64_regs[r], &f.regs[r]);
        f.sp = vw_sp(vm) + 8;
    } else {
        f.sp = vw_sp(vm);
    }
    f.pc = vw_return_address(vm);
    for (unsigned depth = 0; depth < MAX_FRAMES; depth++) {
        if (f.pc < vm->image.base || f.pc >= vm->image.base + vm->image.size)
            return false; /* out of the driver: the harness called it */
        uint64_t pc = f.pc - vm->image.base;
        uint32_t entry = lookup(vm, pc);
        if (entry == 0 && vm->arch == VW_AMD64) { /* a leaf: no prolog */
            f.pc = rd(vm, f.sp, 8);
            f.sp += 8;
            continue;
        }
        gva_t scopes = entry != 0 ? scope_table(vm, entry) : 0;
        uint32_t count = scopes != 0 ? (uint32_t)rd(vm, scopes, 4) : 0;
        for (uint32_t i = 0; i < count && i < 256; i++) {
            gva_t s = scopes + 4 + 16ull * i;
            uint32_t begin = (uint32_t)rd(vm, s, 4), end = (uint32_t)rd(vm, s + 4, 4);
            uint32_t handler = (uint32_t)rd(vm, s + 8, 4), target = (uint32_t)rd(vm, s + 12, 4);
            if (pc < begin || pc >= end || target == 0)
                continue; /* not covering, or a __finally */
            gva_t establisher = f.sp;
            int32_t verdict = filter(vm, handler, code, &f, establisher);
            if (vm->failed)
                return false;
            if (verdict > 0) {
                char w[48];
                vw_log(vm, "exception 0x%08x handled by the __except at %s", code,
                       vw_where(vm, vm->image.base + target, w));
                enter_handler(vm, target, &f, code);
                return true;
            }
            if (verdict < 0) {
                vw_fail(vm, "exception filter returned EXCEPTION_CONTINUE_EXECUTION for a "
                            "non-continuable exception (bug check 0x1E)");
                return false;
            }
        }
        if (vm->arch != VW_AMD64 || entry == 0 || !unwind_x64(vm, entry, &f))
            return false;
    }
    return false;
}

/* x86 CONTEXT: Edi at 0x9c ... SegSs at 0xc8, CONTEXT_FULL flags. */
#define X86_CONTEXT_SIZE 0x2cc
#define X86_CONTEXT_FULL 0x00010007u
static const struct {
    int reg;
    unsigned off;
} x86_ctx[] = {{UC_X86_REG_EDI, 0x9c}, {UC_X86_REG_ESI, 0xa0}, {UC_X86_REG_EBX, 0xa4},
               {UC_X86_REG_EDX, 0xa8}, {UC_X86_REG_ECX, 0xac}, {UC_X86_REG_EAX, 0xb0},
               {UC_X86_REG_EBP, 0xb4}};

/* x86: walk the fs:[0] chain; true when a handler continued execution.
 * POP is what the raising routine's stdcall return pops. */
static bool dispatch_x86(struct vm *vm, uint32_t code, unsigned pop)
{
    gva_t list = vm->map.kpcr; /* NtTib.ExceptionList */
    gva_t record = vw_kalloc(vm, 0x50), context = vw_kalloc(vm, X86_CONTEXT_SIZE);
    gva_t ret = vw_return_address(vm), sp = vw_sp(vm);
    vw_wr(vm, record, code, 4);
    vw_wr(vm, record + 12, ret, 4); /* ExceptionAddress */
    for (unsigned depth = 0; depth < MAX_FRAMES; depth++) {
        gva_t reg = rd(vm, list, 4);
        if (reg == 0 || reg == 0xffffffffu)
            return false;
        gva_t handler = rd(vm, reg + 4, 4);
        /* The call site's registers, as if the routine had returned. */
        vw_wr(vm, context, X86_CONTEXT_FULL, 4);
        for (unsigned i = 0; i < sizeof(x86_ctx) / sizeof(x86_ctx[0]); i++) {
            uint64_t v = 0;
            uc_reg_read(vm->uc, x86_ctx[i].reg, &v);
            vw_wr(vm, context + x86_ctx[i].off, v, 4);
        }
        vw_wr(vm, context + 0xb8, ret, 4);          /* Eip */
        vw_wr(vm, context + 0xc4, sp + 4 + pop, 4); /* Esp */
        if (handler < vm->image.base || handler >= vm->image.base + vm->image.size) {
            vw_fail(vm,
                    "exception handler 0x%" PRIx64 " in the fs:[0] chain is not in the "
                    "driver (corrupt chain: bug check 0x1E)",
                    handler);
            return false;
        }
        uint64_t args[4] = {record, reg, context, 0}, disposition = 0;
        vm->call_cdecl = true;
        if (!vw_call(vm, handler, 4, args, &disposition))
            return false;
        if ((uint32_t)disposition == 1) { /* ExceptionContinueSearch */
            list = reg;                   /* the record's Next */
            continue;
        }
        if ((uint32_t)disposition != 0) {
            vw_fail(vm, "exception handler returned disposition %u (bug check 0x1E)",
                    (unsigned)disposition);
            return false;
        }
        /* ExceptionContinueExecution: resume at the CONTEXT; the routine's
         * `ret POP` carries it out. */
        for (unsigned i = 0; i < sizeof(x86_ctx) / sizeof(x86_ctx[0]); i++) {
            uint64_t v = rd(vm, context + x86_ctx[i].off, 4);
            uc_reg_write(vm->uc, x86_ctx[i].reg, &v);
        }
        uint64_t esp = rd(vm, context + 0xc4, 4) - 4 - pop;
        vw_wr(vm, esp, rd(vm, context + 0xb8, 4), 4);
        uc_reg_write(vm->uc, UC_X86_REG_ESP, &esp);
        vw_log(vm, "exception 0x%08x: the fs:[0] handler continued execution", code);
        return true;
    }
    return false;
}

bool vw_raise(struct vm *vm, uint32_t code, const struct vw_api *api)
{
    char w[48];
    const char *who = api->name;
    if (vm->arch != VW_X86 && dispatch(vm, code))
        return true;
    if (vm->arch == VW_X86 && dispatch_x86(vm, code, vw_callee_pop(api)))
        return true;
    if (vm->failed)
        return false;
    bool system = vm->k->process == VW_PROCESS_SYSTEM;
    vw_fail(vm,
            "bug check 0x%x (%s): exception 0x%08x raised by %s called from %s: no exception "
            "handler of the driver takes it",
            system ? 0x7e : 0x1e,
            system ? "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" : "KMODE_EXCEPTION_NOT_HANDLED", code,
            who, vw_where(vm, vw_return_address(vm), w));
    return false;
}

/* Reached only through the unwind data, never called by driver code. */
static void C_specific_handler(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_fail(vm, "the driver called __C_specific_handler directly");
}

static const struct vw_api apis[] = {
    {"__C_specific_handler", VW_ARCH_BIT(VW_AMD64) | VW_ARCH_BIT(VW_ARM64), VW_CDECL, 4, 0,
     VW_HIGH_LEVEL, C_specific_handler},
};
VW_API_GROUP(except, apis);
