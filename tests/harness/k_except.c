/*
 * Exceptions raised into driver code by kernel routines that raise
 * (MmMapLockedPagesSpecifyCache(UserMode) when the mapping fails,
 * ExRaiseStatus...).  The harness looks for no structured exception
 * handler of the driver: every such exception is unhandled, which Windows
 * turns into a bug check, so a driver that relies on __try/__except around
 * a raising call fails here, and one that calls it with no handler fails
 * here as on Windows.  Which bug check: an exception no handler takes in a
 * system thread is 0x7E SYSTEM_THREAD_EXCEPTION_NOT_HANDLED ("a system
 * thread generated an exception that the error handler did not catch");
 * in any other thread (a dispatch routine on behalf of a user process) it
 * is 0x1E KMODE_EXCEPTION_NOT_HANDLED ("a kernel-mode program generated an
 * exception that the error handler did not catch").
 */
#include <inttypes.h>
#include "abi.h"
#include "kernel.h"

bool vw_raise(struct vm *vm, uint32_t code, const char *who)
{
    char w[48];
    bool system = vm->k->process == VW_PROCESS_SYSTEM;
    vw_fail(vm,
            "bug check 0x%x (%s): exception 0x%08x raised by %s called from %s: the driver "
            "has no handler for it (the harness dispatches no structured exception handler)",
            system ? 0x7e : 0x1e,
            system ? "SYSTEM_THREAD_EXCEPTION_NOT_HANDLED" : "KMODE_EXCEPTION_NOT_HANDLED", code,
            who, vw_where(vm, vw_return_address(vm), w));
    return false;
}
