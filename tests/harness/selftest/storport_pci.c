/*
 * StorPort on a PCI function: the stordisk device model
 * (port/storport/stordisk.h) under the test miniport testdrv/vwpcidisk.c.
 * Access ranges, configuration space and device bases; requests that the
 * device completes and signals with MSI-X messages (per-message locks) or
 * the line, delivered to the miniport on the CPUs the messages target; a
 * hung device reset by the time-out; interrupts kept from a stopped
 * adapter; and the checkers on the planted twin (bad/badpcidisk.c).
 */
#include <string.h>
#include "kernel.h"
#include "stor_common.h"

#define SECTOR 512u

/* Discovery, then data written through the device and read back, checked
 * against the device's own disk. */
static void data_round_trip(struct vm *vm, struct vw_stordisk *d)
{
    uint8_t cdb[16] = {0x12, 0, 0, 0, 36}, buf[36];
    if (!stor_scsi(vm, cdb, 6, buf, 36, true, 1, "INQUIRY"))
        return;
    VW_EXPECT(vm, memcmp(buf + 8, "VW      PCIDISK", 15) == 0, "INQUIRY: not the PCIDISK");
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = 0x25;
    if (!stor_scsi(vm, cdb, 10, buf, 8, true, 1, "READ CAPACITY(10)"))
        return;
    VW_EXPECT(vm, buf[2] == 0 && buf[3] == 255, "READ CAPACITY: last LBA %u, not 255",
              buf[2] << 8 | buf[3]);
    static uint8_t out[8 * SECTOR], in[8 * SECTOR];
    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 13 + 5);
    stor_rw10(cdb, 0x2a, 40, 8);
    if (!stor_scsi(vm, cdb, 10, out, sizeof(out), false, 1, "WRITE(10)"))
        return;
    VW_EXPECT(vm, memcmp(vw_stordisk_data(d) + 40 * SECTOR, out, sizeof(out)) == 0,
              "the device's disk does not hold what was written");
    stor_rw10(cdb, 0x28, 40, 8);
    if (!stor_scsi(vm, cdb, 10, in, sizeof(in), true, 1, "READ(10)"))
        return;
    VW_EXPECT(vm, memcmp(in, out, sizeof(in)) == 0, "READ(10) returned other data");
    stor_rw10(cdb, 0x28, 250, 8); /* past the end: refused by the miniport */
    stor_scsi(vm, cdb, 10, in, sizeof(in), true, 6, "READ(10) past the end");
}

/* MSI-X: four messages, per-message locks, interrupts from the device. */
VW_SCENARIO("vwpcidisk", storport_pci_msix, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, NULL);
    if (d == NULL)
        return;
    data_round_trip(vm, d);
    struct vw_stor_stats s;
    struct vw_stordisk_stats ds;
    vw_stor_stats(vm, &s);
    vw_stordisk_stats(d, &ds);
    VW_EXPECT(vm, ds.completed == 2 && s.device_interrupts >= 2,
              "%u device completions, %u ISR calls (2 and 2 expected)", ds.completed,
              s.device_interrupts);
    stor_finish(vm);
}

/* No MSI-X capability taken ("line=1"): HwInterrupt on the INTx line. */
VW_SCENARIO("vwpcidisk", storport_pci_line, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 0, NULL);
    if (d == NULL)
        return;
    data_round_trip(vm, d);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.device_interrupts >= 2, "%u line ISR calls", s.device_interrupts);
    stor_finish(vm);
}

/* Sixteen writes at once over four messages, then read back: completions
 * interleave on the CPUs the messages target. */
VW_SCENARIO("vwpcidisk", storport_pci_batch, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, NULL);
    if (d == NULL)
        return;
    enum { N = 16 };
    static uint8_t data[N][SECTOR], back[N][SECTOR];
    uint8_t cdbs[N][16], *bufs[N];
    unsigned lens[N];
    uint32_t sizes[N];
    bool in[N];
    struct vw_stor_result res[N];
    for (unsigned pass = 0; pass < 2 && !vm->failed; pass++) {
        for (unsigned i = 0; i < N; i++) {
            memset(data[i], (int)(i + 1), SECTOR);
            stor_rw10(cdbs[i], pass ? 0x28 : 0x2a, 100 + 3 * i, 1);
            bufs[i] = pass ? back[i] : data[i];
            lens[i] = 10, sizes[i] = SECTOR, in[i] = pass == 1;
        }
        if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
            return;
        for (unsigned i = 0; i < N; i++)
            VW_EXPECT(vm, res[i].srb_status == 1, "request %u: SRB status 0x%02x", i,
                      res[i].srb_status);
    }
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm, memcmp(data[i], back[i], SECTOR) == 0, "sector %u read back wrong",
                  100 + 3 * i);
    struct vw_stordisk_stats ds;
    vw_stordisk_stats(d, &ds);
    VW_EXPECT(vm, ds.completed == 2 * N && ds.max_in_flight > 1,
              "%u completions, at most %u in flight", ds.completed, ds.max_in_flight);
    stor_finish(vm);
}

/* "dpc=1": the ISRs hand completions to per-message StorPort DPCs, which
 * run on the CPUs the messages target (not CPU 0, which submits). */
VW_SCENARIO("vwpcidisk", storport_pci_dpc_on_message_cpus, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, "dpc=1");
    if (d == NULL)
        return;
    data_round_trip(vm, d);
    enum { N = 12 };
    static uint8_t data[N][SECTOR];
    uint8_t cdbs[N][16], *bufs[N];
    unsigned lens[N];
    uint32_t sizes[N];
    bool in[N];
    struct vw_stor_result res[N];
    for (unsigned i = 0; i < N; i++) {
        memset(data[i], (int)(0x40 + i), SECTOR);
        stor_rw10(cdbs[i], 0x2a, 160 + i, 1);
        bufs[i] = data[i], lens[i] = 10, sizes[i] = SECTOR, in[i] = false;
    }
    if (!vw_stor_scsi_batch(vm, N, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        return;
    for (unsigned i = 0; i < N; i++)
        VW_EXPECT(vm,
                  res[i].srb_status == 1 &&
                      memcmp(vw_stordisk_data(d) + (160 + i) * SECTOR, data[i], SECTOR) == 0,
                  "write %u: SRB status 0x%02x or data not on the disk", i, res[i].srb_status);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    unsigned cpus = vw_cpu_count(vm);
    unsigned want = 0; /* message m targets CPU (m + 1) mod CPUS (k_intr.c) */
    for (unsigned m = 0; m < 4; m++)
        want |= 1u << ((m + 1) % cpus % 32);
    VW_EXPECT(vm,
              s.dpcs_run > 0 && (s.dpc_cpus & ~want) == 0 &&
                  (cpus == 1 || !(s.dpc_cpus & 1u) || (want & 1u)),
              "DPCs queued on CPUs 0x%x, expected within 0x%x (%u DPCs)", s.dpc_cpus, want,
              s.dpcs_run);
    stor_finish(vm);
}

/* A hung device: the read times out, HwResetBus resets the device, the
 * read ends with BUS_RESET and the device had nothing left; then it works. */
VW_SCENARIO("vwpcidisk", storport_pci_timeout_reset, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, "timer=1");
    if (d == NULL)
        return;
    uint8_t cdb[16], buf[SECTOR];
    vw_stordisk_hold(d, true);
    stor_rw10(cdb, 0x28, 7, 1);
    if (!stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "READ(10) on a hung device"))
        return;
    vw_stordisk_hold(d, false);
    struct vw_stordisk_stats ds;
    vw_stordisk_stats(d, &ds);
    VW_EXPECT(vm, ds.dropped_by_reset == 1, "the reset dropped %u requests", ds.dropped_by_reset);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s); /* the watchdog ran while the read waited: 1, 2, 3 ms */
    VW_EXPECT(vm, s.timer_calls == 3, "HwTimer ran %u times, not 3", s.timer_calls);
    memset(buf, 0x77, sizeof(buf));
    stor_rw10(cdb, 0x2a, 7, 1);
    if (stor_scsi(vm, cdb, 10, buf, SECTOR, false, 1, "WRITE(10) after the reset"))
        stor_finish(vm);
}

/* Stopped: an interrupt the device raises never reaches the miniport;
 * restarted, requests flow again. */
VW_SCENARIO("vwpcidisk", storport_pci_stopped_masks_interrupts, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, NULL);
    if (d == NULL || !vw_stor_power(vm, false))
        return;
    vw_intr_raise(vm, vw_stordisk_pdo(d), 1);
    vw_sched_settle(vm);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, s.interrupts_masked == 1 && s.device_interrupts == 0,
              "stopped adapter: %u interrupts masked, %u given to the miniport",
              s.interrupts_masked, s.device_interrupts);
    if (!vw_stor_power(vm, true))
        return;
    data_round_trip(vm, d);
    stor_finish(vm);
}

/* The crash-dump copy of the same miniport on the same function: second
 * image, FindAdapter with "dump=1", a write and a read polled through
 * HwInterrupt; the sector lands on the device's disk. */
VW_SCENARIO("vwpcidisk", storport_pci_dump_copy, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, "dpc=1");
    if (d == NULL)
        return;
    data_round_trip(vm, d);
    if (!vw_stor_dump(vm, 77, 0xd5))
        return;
    const uint8_t *disk = vw_stordisk_data(d) + 77 * SECTOR;
    VW_EXPECT(vm, disk[0] == 0xd5 && disk[SECTOR - 1] == 0xd5,
              "the dump's sector is not on the device's disk");
    stor_finish(vm);
}

/* The crash with four writes in flight on a hung device: the dump copy
 * takes the device over (its reset drops them) and writes its sector; the
 * writes in flight never land. */
VW_SCENARIO("vwpcidisk", storport_pci_dump_with_io_outstanding, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 4, NULL);
    if (d == NULL)
        return;
    vw_stordisk_hold(d, true);
    if (!vw_stor_submit_writes(vm, 4, 20, 0x5a) || !vw_stor_dump(vm, 90, 0xd7))
        return;
    const uint8_t *disk = vw_stordisk_data(d);
    struct vw_stordisk_stats ds;
    vw_stordisk_stats(d, &ds);
    VW_EXPECT(vm, disk[90 * SECTOR] == 0xd7 && disk[20 * SECTOR] == 0 && ds.dropped_by_reset == 4,
              "dump sector 0x%02x, in-flight sector 0x%02x, %u dropped (0xd7, 0, 4 expected)",
              disk[90 * SECTOR], disk[20 * SECTOR], ds.dropped_by_reset);
    stor_finish(vm);
}

static void planted_write(struct vm *vm, const char *args)
{
    if (stor_start_pci(vm, "badpcidisk", 4, args) == NULL)
        return;
    uint8_t cdb[16], buf[2 * SECTOR] = {0};
    stor_rw10(cdb, 0x2a, 3, 2);
    stor_scsi(vm, cdb, 10, buf, sizeof(buf), false, 1, "WRITE(10)");
}

VW_SCENARIO("badpcidisk", checker_stor_completed_while_device_owns,
            "completed while the device still owns its data buffer")
{
    planted_write(vm, "mode=1");
}

VW_SCENARIO("badpcidisk", checker_stor_msi_lock_in_own_isr, "inside the ISR of message")
{
    planted_write(vm, "mode=2");
}

VW_SCENARIO("badpcidisk", checker_stor_msi_lock_wrong_mode,
            "only InterruptSynchronizePerMessage has message locks")
{
    planted_write(vm, "mode=3");
}

VW_SCENARIO("badpcidisk", checker_stor_timer_takes_startio_lock,
            "StorPortAcquireSpinLock(StartIoLock) in HwTimer: the lock is already held")
{
    if (stor_start_pci(vm, "badpcidisk", 2, "mode=4 timer=1") == NULL)
        return;
    uint8_t cdb[16] = {0};
    vw_run_for(vm, 20000); /* nothing waits: the timer fires as time runs */
    stor_scsi(vm, cdb, 6, NULL, 0, false, 1, "TEST UNIT READY");
    uint8_t buf[SECTOR];
    stor_rw10(cdb, 0x28, 1, 1);
    stor_scsi(vm, cdb, 10, buf, SECTOR, true, 1, "READ(10)");
}

/* The same with concurrent channels: HwTimer still holds the StartIo
 * lock ("the StartIo spin lock is still taken", storport/nc-storport-hw_timer). */
VW_SCENARIO("badpcidisk", checker_stor_timer_takes_startio_lock_channels,
            "StorPortAcquireSpinLock(StartIoLock) in HwTimer: the lock is already held")
{
    if (stor_start_pci(vm, "badpcidisk", 2, "mode=4 timer=1 cc=1") == NULL)
        return;
    uint8_t cdb[16] = {0}, buf[SECTOR];
    vw_run_for(vm, 20000); /* the timer fires as time runs */
    stor_scsi(vm, cdb, 6, NULL, 0, false, 1, "TEST UNIT READY");
    stor_rw10(cdb, 0x28, 1, 1);
    stor_scsi(vm, cdb, 10, buf, SECTOR, true, 1, "READ(10)");
}

/* MapBuffers STOR_MAP_NON_READ_WRITE_BUFFERS: a write's DataBuffer is no
 * system address, and the miniport reading it faults. */
VW_SCENARIO("badpcidisk", checker_stor_unmapped_data_buffer, "at 0x")
{
    planted_write(vm, "mode=5");
}

/* A hung device's read times out; HwResetBus returns leaving it at the
 * device (no reset, no completion): StorPort's own BUS_RESET would hand
 * the class driver a buffer the device may still write. */
VW_SCENARIO("badpcidisk", checker_stor_reset_bus_leaves_device_owner,
            "completed while the device still owns its data buffer")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "mode=10");
    if (d == NULL)
        return;
    uint8_t cdb[16], buf[SECTOR];
    vw_stordisk_hold(d, true);
    stor_rw10(cdb, 0x28, 7, 1);
    stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "READ(10) on a hung device");
}

/* HwResetBus returns FALSE ("late=1": the bus was not reset) and HwTimer
 * resets the device 1 ms later: StorPort leaves the read with the
 * miniport, which completes it BUS_RESET after the device dropped it. */
VW_SCENARIO("vwpcidisk", storport_pci_reset_bus_false, NULL)
{
    struct vw_stordisk *d = stor_start_pci(vm, "vwpcidisk", 2, "late=1");
    if (d == NULL)
        return;
    uint8_t cdb[16], buf[SECTOR];
    vw_stordisk_hold(d, true);
    stor_rw10(cdb, 0x28, 7, 1);
    if (!stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "READ(10) on a hung device"))
        return;
    vw_stordisk_hold(d, false);
    struct vw_stordisk_stats ds;
    vw_stordisk_stats(d, &ds);
    struct vw_stor_stats s;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm, ds.dropped_by_reset == 1 && s.resets == 1,
              "the late reset dropped %u requests, %u HwResetBus", ds.dropped_by_reset, s.resets);
    memset(buf, 0x77, sizeof(buf));
    stor_rw10(cdb, 0x2a, 7, 1);
    if (stor_scsi(vm, cdb, 10, buf, SECTOR, false, 1, "WRITE(10) after the reset"))
        stor_finish(vm);
}

/* The same, but the timer never resets: a full time-out later the read is
 * still the miniport's, named as never completed. */
VW_SCENARIO("badpcidisk", checker_stor_reset_bus_false_never_completes,
            "never completed: still at the miniport a full time-out after HwResetBus returned")
{
    struct vw_stordisk *d = stor_start_pci(vm, "badpcidisk", 2, "late=1 mode=11");
    if (d == NULL)
        return;
    uint8_t cdb[16], buf[SECTOR];
    vw_stordisk_hold(d, true);
    stor_rw10(cdb, 0x28, 7, 1);
    stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "READ(10) on a hung device");
}
