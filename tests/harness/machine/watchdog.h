/*
 * The budget of an outermost driver call: 5 s of the emulating thread's
 * CPU time (an endless loop in the driver) and at most 120 s of real time.
 *
 * Usage: vw_watchdog_arm() before emulating an outermost call (or the
 * resumed part of one), vw_watchdog_disarm() when emulation returned;
 * vw_watchdog_fired() then says whether the budget stopped it.
 * vw_watchdog_destroy() at machine teardown joins the watchdog thread.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>

struct vm;

/* Start the budget of the call about to run on this (the emulating) thread. */
bool vw_watchdog_arm(struct vm *vm);
/* End it; true when the budget was spent and emulation was stopped. */
bool vw_watchdog_disarm(struct vm *vm);
/* A planted budget for the self-test (selftest/watchdog.c): NS of real
 * time instead of 120 s, as a watchdog that counted real time would. */
bool vw_watchdog_plant_wall_budget(struct vm *vm, uint64_t ns);
/* A smaller CPU budget for the self-test of an endless loop
 * (selftest/planted_more.c): NS of CPU time instead of 5 s, so that its
 * every run does not spend 5 s proving the same stop. */
bool vw_watchdog_plant_cpu_budget(struct vm *vm, uint64_t ns);
/* Planted (selftest/watchdog.c): an arm never wakes the thread from its
 * wait for one, so a call armed while it waits is never stopped. */
bool vw_watchdog_plant_never_woken(struct vm *vm);
/* Start the watchdog if needed and wait up to WALL_NS of real time until
 * its thread waits for an arm (no call armed): true when it does. */
bool vw_watchdog_wait_idle(struct vm *vm, uint64_t wall_ns);
/* The budgets in force (what a stopped call's message names). */
void vw_watchdog_budgets(struct vm *vm, uint64_t *cpu_ns, uint64_t *wall_ns);
/* Stop the watchdog thread, if one was started. */
void vw_watchdog_destroy(struct vm *vm);
