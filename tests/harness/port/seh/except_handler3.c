/*
 * _except_handler3, x86 ntoskrnl's language handler for __try/__except
 * frames (what clang's i686-pc-windows-msvc triple compiles __try to:
 * common/wdm/guard.c), as a plug-in group (api.h).  k_except.c's fs:[0]
 * walk calls it like any registered handler, with (ExceptionRecord,
 * EstablisherFrame, ContextRecord, DispatcherContext).
 *
 * The frame it serves: the registration {Next, Handler, ScopeTable,
 * TryLevel} with the saved ESP at -8 and the EXCEPTION_POINTERS slot at -4,
 * the frame's EBP at registration + 16; the scope table holds
 * {EnclosingLevel, FilterFunc, HandlerFunc} per try level (FilterFunc 0: a
 * __finally).  A filter runs with EBP = the frame's EBP; on
 * EXCEPTION_EXECUTE_HANDLER the real routine unwinds and jumps to the
 * handler with that EBP and the saved ESP, the try level set to the
 * enclosing one.  Here the same end state is left in the CONTEXT and
 * ExceptionContinueExecution returned, which k_except.c resumes.  Not
 * modelled: running the __finally blocks of the frames unwound.
 */
#include "abi.h"
#include "api.h"
#include "kernel.h"

#define CONTEXT_EBP        0xb4
#define CONTEXT_EIP        0xb8
#define CONTEXT_ESP        0xc4
#define CONTINUE_EXECUTION 0
#define CONTINUE_SEARCH    1

static void except_handler3(struct vm *vm, const struct vw_api *api)
{
    uint32_t record = (uint32_t)vw_arg(vm, api, 0), reg = (uint32_t)vw_arg(vm, api, 1);
    uint32_t context = (uint32_t)vw_arg(vm, api, 2);
    uint32_t table = (uint32_t)vw_rd(vm, reg + 8, 4);
    int32_t level = (int32_t)vw_rd(vm, reg + 12, 4);
    uint32_t frame = reg + 16;
    gva_t pointers = vw_kalloc(vm, 8);
    vw_wr(vm, pointers, record, 4);
    vw_wr(vm, pointers + 4, context, 4);
    vw_wr(vm, reg - 4, pointers, 4);
    for (unsigned depth = 0; level >= 0 && depth < 64 && !vm->failed; depth++) {
        gva_t e = table + 12u * (uint32_t)level;
        int32_t enclosing = (int32_t)vw_rd(vm, e, 4);
        uint32_t filter = (uint32_t)vw_rd(vm, e + 4, 4), handler = (uint32_t)vw_rd(vm, e + 8, 4);
        if (filter != 0) {
            uint64_t verdict = filter;
            if (filter != 1) { /* a filter function, in the frame's EBP */
                uint64_t saved, ebp = frame;
                bool cdecl = vm->call_cdecl; /* our own caller's, kept for its return */
                uc_reg_read(vm->uc, UC_X86_REG_EBP, &saved);
                uc_reg_write(vm->uc, UC_X86_REG_EBP, &ebp);
                bool ok = vw_call(vm, filter, 0, NULL, &verdict);
                uc_reg_write(vm->uc, UC_X86_REG_EBP, &saved);
                vm->call_cdecl = cdecl;
                if (!ok)
                    return;
            }
            if ((int32_t)verdict == 1) { /* EXCEPTION_EXECUTE_HANDLER */
                vw_wr(vm, reg + 12, (uint32_t)enclosing, 4);
                vw_wr(vm, context + CONTEXT_EBP, frame, 4);
                vw_wr(vm, context + CONTEXT_ESP, vw_rd(vm, reg - 8, 4), 4);
                vw_wr(vm, context + CONTEXT_EIP, handler, 4);
                vw_set_return(vm, CONTINUE_EXECUTION);
                return;
            }
            if ((int32_t)verdict != 0) { /* EXCEPTION_CONTINUE_EXECUTION */
                vw_set_return(vm, CONTINUE_EXECUTION);
                return;
            }
        }
        level = enclosing;
    }
    vw_set_return(vm, CONTINUE_SEARCH);
}

static const struct vw_api apis[] = {
    {"_except_handler3", VW_ARCH_BIT(VW_X86), VW_CDECL, 4, 0, VW_HIGH_LEVEL, except_handler3},
};

VW_API_GROUP(seh, apis, .report_leaks = NULL)
