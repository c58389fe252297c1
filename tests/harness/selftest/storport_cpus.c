/*
 * StorPort's requests from every CPU (port/storport/perf.c) under the PCI
 * test miniport testdrv/vwpcidisk.c: the class layer issues each request
 * on its own CPU; without concurrent channels HwStartIo is serialised by
 * the StartIo lock, with them ("cc=1") it runs on several CPUs at once and
 * completions are redirected to the issuing CPU; and the StartIo checker
 * naming the emulation's planted bug (HwStartIo without the lock).
 */
#include <string.h>
#include "kernel.h"
#include "pnp.h"
#include "stor_common.h"

#define SECTOR 512u
#define N      16u

/* N one-sector writes issued from CPU i mod CPUS, then read back; every
 * request started on the CPU that issued it; RES holds the reads. */
static bool spread_round_trip(struct vm *vm, struct vw_stordisk *d, struct vw_stor_result *res)
{
    static uint8_t data[N][SECTOR], back[N][SECTOR];
    uint8_t cdbs[N][16], *bufs[N];
    unsigned lens[N];
    uint32_t sizes[N];
    bool in[N];
    vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < N; i++) {
            memset(data[i], (int)(0x30 + i), SECTOR);
            stor_rw10(cdbs[i], pass ? 0x28 : 0x2a, 40 + 5 * i, 1);
            bufs[i] = pass ? back[i] : data[i];
            lens[i] = 10, sizes[i] = SECTOR, in[i] = pass == 1;
        }
        vw_stor_submit_from(vm, VW_STOR_CPU_SPREAD);
        if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
            return false;
        for (unsigned i = 0; i < N; i++) {
            unsigned cpu = i % vw_cpu_count(vm);
            VW_EXPECT(vm,
                      res[i].srb_status == 1 && res[i].submit_cpu == cpu && res[i].start_cpu == cpu,
                      "request %u: SRB status 0x%02x, issued on CPU %u, started on CPU %u "
                      "(CPU %u expected)",
                      i, res[i].srb_status, res[i].submit_cpu, res[i].start_cpu, cpu);
        }
    }
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm,
                  memcmp(back[i], data[i], SECTOR) == 0 &&
                      memcmp(vw_stordisk_data(d) + (40 + 5 * i) * SECTOR, data[i], SECTOR) == 0,
                  "sector %u: not what was written", 40 + 5 * i);
    return !vm->failed;
}

static unsigned popcount(unsigned v)
{
    unsigned n = 0;
    for (; v; v &= v - 1)
        n++;
    return n;
}

/* Without concurrent channels: requests from every CPU, HwStartIo on each
 * of them, never two at once (the StartIo lock). */
VW_SCENARIO("vwpcidisk", storport_cpus_serialised_startio, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, NULL);
    struct vw_stor_result res[N];
    if (d == NULL || !spread_round_trip(vm, d, res))
        return;
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    unsigned cpus = vw_cpu_count(vm), want = cpus < N ? cpus : N;
    VW_EXPECT(vm,
              s.perf_flags == 0 && s.max_concurrent_startio == 1 &&
                  popcount(s.startio_cpus) == (want < 32 ? want : 32),
              "perf 0x%x, %u HwStartIo at once, on CPUs 0x%x", s.perf_flags,
              s.max_concurrent_startio, s.startio_cpus);
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
}

/* "cc=1": STOR_PERF_CONCURRENT_CHANNELS and DPC redirection granted;
 * HwStartIo runs on several CPUs at once (CPU 0's is interrupted at a
 * scheduling point by the submissions queued on the others), each request
 * goes through the message StorPortGetStartIoPerfParams gives its CPU, and
 * each completion is redirected to the CPU that issued it. */
VW_SCENARIO("vwpcidisk", storport_cpus_concurrent_channels, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, "cc=1");
    struct vw_stor_result res[N];
    if (d == NULL || !spread_round_trip(vm, d, res))
        return;
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm, res[i].complete_cpu == res[i].submit_cpu,
                  "request %u issued on CPU %u, its completion ran on CPU %u", i, res[i].submit_cpu,
                  res[i].complete_cpu);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    unsigned cpus = vw_cpu_count(vm);
    VW_EXPECT(vm, s.perf_flags == 3 && (cpus == 1 || s.max_concurrent_startio > 1),
              "perf 0x%x, at most %u HwStartIo at once on %u CPUs", s.perf_flags,
              s.max_concurrent_startio, cpus);
    if (!vm->failed && vw_stor_remove(vm))
        vw_driver_unload(vm);
}

/* The emulation's own rule: no second HwStartIo while one runs unless the
 * miniport asked for concurrent channels.  Planted: StartIo without the
 * StartIo lock (vw_stor_plant_startio_unlocked); at least 2 CPUs. */
VW_SCENARIO("vwpcidisk", checker_stor_startio_concurrent,
            "while another CPU is in it, without STOR_PERF_CONCURRENT_CHANNELS")
{
    if (vw_cpu_count(vm) < 2 && !vw_cpus_set(vm, 4))
        return;
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, NULL);
    if (d == NULL)
        return;
    vw_stor_plant_startio_unlocked(vm);
    struct vw_stor_result res[N];
    spread_round_trip(vm, d, res);
}
