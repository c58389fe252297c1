/*
 * One tgtd for every vioscsi run of a harness invocation: the runner
 * starts it before forking the first run (VW_RUN_BACKEND) and stops it by
 * PID after the last; each run borrows it with targets, IQNs and backing
 * files of its own (sc_start_tgt), made and deleted through tgtadm.  Saves
 * a tgtd start and stop (process starts, polling for the port, the
 * system delete) per run.  A tgtd that cannot start is recorded here and
 * fails every scenario that needs it.
 */
#include <fcntl.h>
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

/* Let tgt answer (in real time, 10 s at most) until WANT requests
 * completed since BEFORE.  The emulation processes completions while the
 * class layer waits for a request: a TEST UNIT READY at T:L each round
 * (counted in *EXTRA) is that wait, as disk.sys's own I/O would be. */
void sc_tgt_drain(struct vm *vm, unsigned before, unsigned want, uint8_t t, uint8_t l,
                  unsigned *extra)
{
    uint8_t tur[6] = {0};
    struct vw_stor_result r;
    for (int i = 0; i < 2000 && !vm->failed && sc_completed(vm) - before - *extra < want; i++) {
        if (!sc_scsi(vm, t, l, tur, 6, NULL, 0, false, &r))
            return;
        ++*extra;
        if (!vw_sched_settle(vm))
            usleep(5000);
    }
}

/* Blocks LBA..LBA+COUNT-1 of tgt's target T LUN L hold PATTERN
 * (vw_stor_submit_writes), read in the backing file outside the driver */
bool sc_tgt_file_holds(struct sc_host *h, unsigned t, unsigned l, uint32_t lba, unsigned count,
                       uint8_t pattern)
{
    char path[300];
    uint8_t b[SC_BLOCK];
    sc_tgt_file(h, t, l, path, sizeof(path));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    bool ok = fd >= 0;
    for (unsigned i = 0; i < count && ok; i++) {
        ok = pread(fd, b, SC_BLOCK, (off_t)(lba + i) * SC_BLOCK) == SC_BLOCK;
        for (unsigned j = 0; j < SC_BLOCK && ok; j++)
            ok = b[j] == pattern;
    }
    if (fd >= 0)
        close(fd);
    return ok;
}

/* T:L ready (TEST UNIT READY past its unit attentions), then a one-block
 * WRITE(16) at LBA (generation GEN) read back the same through the driver
 * after WHAT */
void sc_round_trip(struct vm *vm, uint8_t t, uint8_t l, uint64_t lba, unsigned gen,
                   const char *what)
{
    uint8_t out[SC_BLOCK], in[SC_BLOCK], cdb[16], tur[6] = {0};
    char msg[96];
    snprintf(msg, sizeof(msg), "TEST UNIT READY after %s", what);
    if (vm->failed || !sc_ok(vm, t, l, tur, 6, NULL, 0, false, msg))
        return;
    sc_fill(out, SC_BLOCK, t, l, lba, gen);
    sc_rw16(cdb, true, lba, 1);
    snprintf(msg, sizeof(msg), "WRITE(16) after %s", what);
    if (!sc_ok(vm, t, l, cdb, 16, out, SC_BLOCK, false, msg))
        return;
    sc_rw16(cdb, false, lba, 1);
    snprintf(msg, sizeof(msg), "READ(16) after %s", what);
    if (sc_ok(vm, t, l, cdb, 16, in, SC_BLOCK, true, msg))
        VW_EXPECT(vm, memcmp(in, out, SC_BLOCK) == 0, "%u:%u reads back wrong after %s", t, l,
                  what);
}
