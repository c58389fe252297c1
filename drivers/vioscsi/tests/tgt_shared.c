/*
 * One tgtd for every vioscsi run of a harness invocation: the runner
 * starts it before forking the first run (VW_RUN_BACKEND) and stops it by
 * PID after the last; each run borrows it with targets, IQNs and backing
 * files of its own (sc_start_tgt), made and deleted through tgtadm.  Saves
 * a tgtd start and stop (process starts, polling for the port, the
 * system delete) per run.  A tgtd that cannot start is recorded here and
 * fails every scenario that needs it.
 */
#include "vioscsi_test.h"

struct tgt_fixture sc_tgt_shared;

/* Start the shared tgtd with files under BUILD/vioscsi/tgt-RUNNER_PID (the runner, once). */
static void shared_start(const char *build_dir)
{
    char dir[256];
    snprintf(dir, sizeof(dir), "%s/vioscsi", build_dir);
    mkdir(dir, 0755);
    snprintf(dir, sizeof(dir), "%s/vioscsi/tgt-%d", build_dir, (int)getpid());
    if (tgt_start(&sc_tgt_shared, dir) != 0)
        sc_tgt_shared.pid = 0; /* the error stays in .err for the scenarios */
}

/* Stop it by PID after the last run (the runner). */
static void shared_stop(void)
{
    tgt_stop(&sc_tgt_shared);
}

VW_RUN_BACKEND("vioscsi", vioscsi_tgt, shared_start, shared_stop)
VW_RUN_BACKEND("bench-storage", bench_storage_tgt, shared_start, shared_stop)
