/*
 * A LUN reset that races commands inside tgt itself, not answers the
 * device model holds: the run's own tgtd is stopped (SIGSTOP) while 16
 * writes to 0:1 and 16 to 1:1 are handed to it, then the class driver's
 * LUN reset of 0:1 (a LOGICAL UNIT RESET TMF, virtio 1.2 5.6.6.2) is sent
 * to it too, and tgtd goes on (SIGCONT) 20 ms after the TMF: it reads the writes
 * and the TMF in order and executes them at once (its back-end threads
 * still writing when the reset comes).  StorPort's emulation fails a
 * request completed twice, one left pending, and a reset SRB completed
 * while a request of its LUN is still at the miniport; each write ends
 * once, the reset SRB succeeds, 1:1's writes (another target, another
 * session) are all in its backing file, and 0:1 works after.
 */
#include <pthread.h>
#include <signal.h>
#include "vioscsi_test.h"

/* Who resumes tgtd, and when: once the device took a TMF more than it
 * had (read from another thread: a word the scenario's thread writes) and
 * 20 ms more, or after 5 s */
struct resume_job {
    pid_t pid;
    const uint64_t *tmfs;
    uint64_t before;
};

/* tgtd sent SIGCONT once the reset's TMF went to it */
static void *resume_later(void *arg)
{
    struct resume_job *j = arg;
    for (int i = 0; i < 1000 && __atomic_load_n(j->tmfs, __ATOMIC_RELAXED) == j->before; i++)
        usleep(5000);
    usleep(20000);
    kill(j->pid, SIGCONT);
    return NULL;
}

VW_SCENARIO("vioscsi", tgt_lun_reset_races_tgt, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.own_tgtd = true;
    o.sc.num_queues = 4;
    uint8_t tur[6] = {0};
    pthread_t thread;
    bool resumed = true, sent = false;
    struct vw_stor_result r;
    if (!sc_start_tgt(vm, &h, &o) || !sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY") ||
        !sc_ok(vm, 1, 1, tur, 6, NULL, 0, false, "TEST UNIT READY"))
        goto out;
    unsigned before = sc_completed(vm), extra = 0;
    uint32_t resets = vmodel_reset_count(h.scsi->dev->model);
    vw_stor_submit_from(vm, 0); /* every write at the miniport when the reset comes */
    if (kill(h.tgt.pid, SIGSTOP) != 0) {
        vw_fail(vm, "cannot stop tgtd %d", (int)h.tgt.pid);
        goto out;
    }
    resumed = false;
    struct resume_job job = {h.tgt.pid, &vmodel_scsi_stats(h.scsi->model)->tmfs,
                             vmodel_scsi_stats(h.scsi->model)->tmfs};
    if (pthread_create(&thread, NULL, resume_later, &job) != 0) {
        vw_fail(vm, "cannot start the SIGCONT thread");
        goto out;
    }
    vw_scsi_no_wait(h.scsi, true); /* the writes handed over, not waited for */
    vw_stor_address(vm, 0, 1);
    bool handed = vw_stor_submit_writes(vm, 16, 100, 0x5a);
    vw_stor_address(vm, 1, 1);
    handed = handed && vw_stor_submit_writes(vm, 16, 100, 0xa5);
    vw_scsi_no_wait(h.scsi, false); /* the reset SRB waits for tgt as usual */
    if (!handed)
        goto join;
    unsigned early = sc_completed(vm) - before;
    uint64_t at_tgt = h.scsi->target->ops->outstanding(h.scsi->target);
    vw_stor_address(vm, 0, 1);
    sent = vw_stor_srb(vm, SRB_FUNCTION_RESET_LU, &r);
join:
    pthread_join(thread, NULL);
    resumed = true;
    if (!sent || vm->failed)
        goto out;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h.scsi->model);
    VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS,
              "RESET_LOGICAL_UNIT: SRB 0x%02x", r.srb_status);
    VW_EXPECT(vm, early == 0 && ms->tmfs >= 1 && ms->tmf_raced >= 1,
              "%u writes completed with tgtd stopped; %llu TMFs, %llu commands at tgt on the "
              "LUN when the TMF came (want >= 1: the reset raced them inside tgt)",
              early, (unsigned long long)ms->tmfs, (unsigned long long)ms->tmf_raced);
    sc_tgt_drain(vm, before, 33, 1, 1, &extra);
    VW_EXPECT(vm, sc_completed(vm) - before - extra == 33,
              "%u of 32 writes and the reset SRB completed", sc_completed(vm) - before - extra);
    VW_EXPECT(vm, sc_tgt_file_holds(&h, 1, 1, 100, 16, 0xa5),
              "1:1's 16 writes (another target) are not all in its backing file");
    vw_log(vm,
           "LUN reset inside tgt: %llu commands at tgt before it, %llu raced, %u device "
           "resets, %llu TMFs",
           (unsigned long long)at_tgt, (unsigned long long)ms->tmf_raced,
           vmodel_reset_count(h.scsi->dev->model) - resets, (unsigned long long)ms->tmfs);
    sc_round_trip(vm, 0, 1, 300, 4, "the LUN reset");
out:
    if (!resumed && h.tgt.pid > 0)
        kill(h.tgt.pid, SIGCONT);
    sc_finish(vm, &h);
}
