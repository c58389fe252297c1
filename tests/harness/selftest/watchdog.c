/*
 * The call budget's watchdog (machine/watchdog.c) against an import that
 * blocks in the host: testdrv/vwslow.c calls VwSelftestSlowCall once from
 * DriverEntry, and this group serves it by sleeping 1.1 s of real time.
 * The call must complete with its answer and the import must run exactly
 * once: the old budget cut emulation into real-time slices, stopped it
 * inside an import hook and restarted the import (one NdisAcquireSpinLock
 * taken twice under load).  Planted: a watchdog that counts real time
 * (0.5 s) must stop the same driver.
 */
#include <time.h>
#include "abi.h"
#include "kernel.h"
#include "scenario.h"
#include "watchdog.h"

#define SLOW_CALL_NS (1100ull * 1000 * 1000)

struct slow_state {
    unsigned calls;
};

static struct vw_api_group selftest_group;

/* VwSelftestSlowCall(Value): Value + 1, after sleeping in the host. */
static void slow_call(struct vm *vm, const struct vw_api *api)
{
    struct slow_state *s = vw_port_state(vm, &selftest_group, sizeof(*s));
    uint64_t value = vw_arg(vm, api, 0);
    struct timespec ts = {(time_t)(SLOW_CALL_NS / 1000000000u), (long)(SLOW_CALL_NS % 1000000000u)};
    if (s != NULL)
        s->calls++;
    while (nanosleep(&ts, &ts) != 0)
        ;
    vw_set_return(vm, (uint32_t)(value + 1));
}

static const struct vw_api apis[] = {
    {"VwSelftestSlowCall", VW_ALL_ARCHES, VW_STDCALL, 1, 0, VW_PASSIVE_LEVEL, slow_call},
};
VW_API_GROUP(selftest, apis);

/* Loads vwslow, checks that the slow import ran once, unloads it. */
static void slow_import(struct vm *vm)
{
    if (!vw_driver_load(vm, "vwslow"))
        return;
    struct slow_state *s = vw_port_state(vm, &selftest_group, sizeof(*s));
    VW_EXPECT(vm, s != NULL && s->calls == 1, "VwSelftestSlowCall ran %u times, want once",
              s != NULL ? s->calls : 0);
    vw_driver_unload(vm);
}

VW_SCENARIO("harness", watchdog_slow_import_runs_once, NULL)
{
    slow_import(vm);
}

VW_SCENARIO("harness", checker_watchdog_real_time_budget, "driver routine did not return")
{
    if (vw_watchdog_plant_wall_budget(vm, 500ull * 1000 * 1000))
        slow_import(vm);
}
