/*
 * StorPort's queue when nobody waits (port/storport/queue.c) against the
 * RAM-disk miniport: writes handed to StorPort with vw_stor_submit_writes
 * while the scenario only runs the clock.  StorPortResume starts what the
 * pause held; a pause runs out after its Timeout; a BUSY answer is sent
 * again 1 ms later, with the clock moving, and a request still BUSY after
 * its TimeOutValue reaches the class layer BUSY.  Planted: Resume starting
 * nothing (the emulation's former behaviour) leaves requests held at the
 * remove, which fails by name.
 */
#include "kernel.h"
#include "stor_common.h"

#define MS           10000ull
#define SECTOR_BYTES 512u

/* Six writes nobody waits for on an adapter the first one pauses, then
 * the clock runs 10 ms (the DPC resumes it); PLANTED: the emulation's
 * Resume starting nothing.  False when the run failed. */
static bool six_unwaited_writes(struct vm *vm, bool planted)
{
    if (!stor_start_ram(vm, "vwstor", "pause=1"))
        return false;
    if (planted)
        vw_stor_plant_no_resume_start(vm);
    if (!vw_stor_submit_writes(vm, 6, 0, 0x5a))
        return false;
    vw_run_for(vm, 10 * MS);
    return !vm->failed;
}

/* The five held writes start once the DPC resumes the adapter. */
VW_SCENARIO("vwstor", storport_pause_resume_unwaited, NULL)
{
    if (!six_unwaited_writes(vm, false))
        return;
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.pauses == 1 && st.max_started_paused == 0 && st.completed == 6,
              "%u pauses, %u started while paused, %u of 6 completed", st.pauses,
              st.max_started_paused, st.completed);
    stor_finish(vm);
}

/* The same with the emulation's Resume starting nothing: five writes stay
 * held by the port with nothing holding them, named at the remove. */
VW_SCENARIO("vwstor", checker_stor_held_by_port, "held by the port at the remove")
{
    if (six_unwaited_writes(vm, true))
        stor_finish(vm);
}

/* A pause nobody resumes: held for its 1 s Timeout, then the rest start. */
VW_SCENARIO("vwstor", storport_pause_times_out, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "pause=2") || !vw_stor_submit_writes(vm, 6, 0, 0x5a))
        return;
    uint64_t start = vm->k->interrupt_time;
    vw_run_for(vm, 900 * MS);
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.completed == 1 && vw_stor_paused(vm),
              "before the Timeout: %u completed, paused %d", st.completed, vw_stor_paused(vm));
    vw_run_for(vm, 200 * MS);
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.completed == 6 && st.pause_timeouts == 1 && !vw_stor_paused(vm),
              "after the Timeout (%llu ms): %u completed, %u pauses ran out, paused %d",
              (unsigned long long)((vm->k->interrupt_time - start) / MS), st.completed,
              st.pause_timeouts, vw_stor_paused(vm));
    stor_finish(vm);
}

/* Three BUSY answers: the write is sent four times, 1 ms apart on the
 * clock, and succeeds (waited by the class layer and not). */
VW_SCENARIO("vwstor", storport_busy_retried_later, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "busy=3"))
        return;
    uint8_t cdb[16], buf[SECTOR_BYTES];
    memset(buf, 0x3c, sizeof(buf));
    stor_rw10(cdb, 0x2a, 4, 1);
    uint64_t start = vm->k->interrupt_time;
    if (!stor_scsi(vm, cdb, 10, buf, sizeof(buf), false, 1, "WRITE answered BUSY 3 times"))
        return;
    uint64_t took = vm->k->interrupt_time - start;
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.busy_retries == 3 && took >= 3 * MS, "%u BUSY retries in %llu us (1 ms apart)",
              st.busy_retries, (unsigned long long)(took / 10));
    stor_finish(vm);
}

/* BUSY with nobody waiting: the retries still come, the clock moving. */
VW_SCENARIO("vwstor", storport_busy_retried_unwaited, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "busy=3") || !vw_stor_submit_writes(vm, 1, 4, 0x3c))
        return;
    vw_run_for(vm, 10 * MS);
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.busy_retries == 3 && st.completed == 4,
              "%u BUSY retries, %u completions (3 BUSY and the write)", st.busy_retries,
              st.completed);
    stor_finish(vm);
}

/* A write the miniport always answers BUSY: retried for its TimeOutValue
 * (10 s), then completed to the class layer with SRB_STATUS_BUSY. */
VW_SCENARIO("vwstor", storport_busy_gives_up, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "busy=100000"))
        return;
    uint8_t cdb[16], buf[SECTOR_BYTES];
    memset(buf, 0x3c, sizeof(buf));
    stor_rw10(cdb, 0x2a, 4, 1);
    uint64_t start = vm->k->interrupt_time;
    if (!stor_scsi(vm, cdb, 10, buf, sizeof(buf), false, 5, "WRITE always BUSY"))
        return;
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.busy_failed == 1 && vm->k->interrupt_time - start >= 10000 * MS,
              "%u given up after %u retries, %llu ms", st.busy_failed, st.busy_retries,
              (unsigned long long)((vm->k->interrupt_time - start) / MS));
    stor_finish(vm);
}
