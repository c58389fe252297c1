/*
 * The virtual clock: time moves only when the driver stalls or a wait
 * times out, so runs are deterministic.  KUSER_SHARED_DATA.InterruptTime
 * and SystemTime follow it (amd64 and arm64 read them inline).
 */
#include "abi.h"
#include "kernel.h"
#include "layout.h"

/* 2026-01-01 in 100 ns units since 1601. */
#define SYSTEM_TIME_BASE 0x01dc7a6a0b2a4000ull

static void publish(struct vm *vm, uint64_t off, uint64_t t)
{
    /* KSYSTEM_TIME: LowPart, High1Time, High2Time (High2 written last). */
    vw_kuser_write(vm, off, t, 8);
    vw_kuser_write(vm, off + 8, t >> 32, 4);
}

void vw_time_advance(struct vm *vm, uint64_t units)
{
    vm->k->interrupt_time += units;
    publish(vm, VW_OFFSET(vm, KUSER_SHARED_DATA, InterruptTime), vm->k->interrupt_time);
    publish(vm, VW_OFFSET(vm, KUSER_SHARED_DATA, SystemTime),
            SYSTEM_TIME_BASE + vm->k->interrupt_time);
    vw_sched_check_stalls(vm, false); /* a device stuck too long in virtual time */
}

uint64_t vw_time_due(struct vm *vm, int64_t due)
{
    uint64_t now = vm->k->interrupt_time;
    if (due < 0)
        return now + (uint64_t)-due;
    /* Absolute system time; one already past is due now. */
    uint64_t at = (uint64_t)due - SYSTEM_TIME_BASE;
    return (uint64_t)due < SYSTEM_TIME_BASE || at < now ? now : at;
}

void vw_KeStallExecutionProcessor(struct vm *vm, const struct vw_api *api)
{
    uint32_t us = (uint32_t)vw_arg(vm, api, 0);
    static bool logged;       /* once per run (one run per process) */
    if (us > 50 && !logged) { /* Microsoft: stalls should be no longer than 50 us */
        logged = true;
        vw_log(vm, "KeStallExecutionProcessor(%u us): longer than the documented 50 us", us);
    }
    vw_time_advance(vm, 10ull * us);
}

void vw_KeQueryInterruptTime(struct vm *vm, const struct vw_api *api)
{
    (void)api;
    vw_set_return(vm, vm->k->interrupt_time);
}

void vw_KeQuerySystemTime(struct vm *vm, const struct vw_api *api)
{
    vw_wr(vm, vw_arg(vm, api, 0), SYSTEM_TIME_BASE + vm->k->interrupt_time, 8);
}

/* A 10 MHz performance counter: the interrupt time itself. */
void vw_KeQueryPerformanceCounter(struct vm *vm, const struct vw_api *api)
{
    gva_t freq = vw_arg(vm, api, 0);
    if (freq != 0)
        vw_wr(vm, freq, 10000000, 8);
    vw_set_return(vm, vm->k->interrupt_time);
}
