/*
 * The StorPort emulation (port/storport/) against the RAM-disk miniport
 * (testdrv/vwstor.c): the adapter life cycle, the class layer's commands,
 * the queue-depth gate, a time-out that resets the bus, stop/restart,
 * remove, the crash-dump copy; and each StorPort checker failing by name
 * on its planted bug (bad/badstor.c, "mode=N" in the ArgumentString).
 */
#include <string.h>
#include "stor_common.h"

#define SECTOR 512u

static void rw16(uint8_t *cdb, uint8_t op, uint32_t lba, uint32_t blocks)
{
    memset(cdb, 0, 16);
    cdb[0] = op, cdb[6] = (uint8_t)(lba >> 24), cdb[7] = (uint8_t)(lba >> 16);
    cdb[8] = (uint8_t)(lba >> 8), cdb[9] = (uint8_t)lba, cdb[10] = (uint8_t)(blocks >> 24);
    cdb[11] = (uint8_t)(blocks >> 16), cdb[12] = (uint8_t)(blocks >> 8), cdb[13] = (uint8_t)blocks;
}

/* What disk.sys and Setup ask first: INQUIRY (+VPD), capacities, caching. */
VW_SCENARIO("vwstor", storport_class_discovery, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    uint8_t buf[64], cdb[16] = {0};
    cdb[0] = 0x12, cdb[4] = 36;
    if (!stor_scsi(vm, cdb, 6, buf, 36, true, 1, "INQUIRY"))
        return;
    VW_EXPECT(vm, memcmp(buf + 8, "VW      RAMDISK", 15) == 0 && buf[0] == 0,
              "INQUIRY: not a direct-access RAMDISK");
    static const uint8_t pages[] = {0x00, 0x80, 0xb0};
    for (unsigned i = 0; i < sizeof(pages); i++) {
        cdb[1] = 1, cdb[2] = pages[i], cdb[4] = 64;
        if (!stor_scsi(vm, cdb, 6, buf, 64, true, pages[i] == 0xb0 ? 1 : 0x12, "INQUIRY VPD"))
            return;
        VW_EXPECT(vm, buf[1] == pages[i], "VPD page 0x%02x answered as 0x%02x", pages[i], buf[1]);
    }
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = 0x25;
    if (!stor_scsi(vm, cdb, 10, buf, 8, true, 1, "READ CAPACITY(10)"))
        return;
    VW_EXPECT(vm, buf[3] == 127 && buf[6] == 2 && buf[7] == 0, "READ CAPACITY(10): %u blocks",
              buf[3] + 1u);
    cdb[0] = 0x9e, cdb[1] = 0x10, cdb[13] = 32;
    if (!stor_scsi(vm, cdb, 16, buf, 32, true, 1, "READ CAPACITY(16)"))
        return;
    VW_EXPECT(vm, buf[7] == 127 && (buf[14] & 0x80), "READ CAPACITY(16): last LBA %u, LBPME %d",
              buf[7], buf[14] >> 7);
    memset(cdb, 0, sizeof(cdb));
    cdb[0] = 0x1a, cdb[2] = 0x08, cdb[4] = 24;
    if (!stor_scsi(vm, cdb, 6, buf, 24, true, 1, "MODE SENSE(6)"))
        return;
    VW_EXPECT(vm, buf[4] == 0x08 && (buf[6] & 0x04), "MODE SENSE: no caching page with WCE");
    memset(cdb, 0, sizeof(cdb));
    if (!stor_scsi(vm, cdb, 6, NULL, 0, false, 1, "TEST UNIT READY"))
        return;
    cdb[0] = 0xc7; /* vendor-specific: refused, never guessed */
    if (!stor_scsi(vm, cdb, 6, NULL, 0, false, 4, "opcode 0xC7"))
        return;
    VW_EXPECT(vm, !vw_stor_interrupt(vm), "HwInterrupt claimed an interrupt with no device");
    VW_EXPECT(vm, !vw_stor_msi(vm, 2), "the MSI routine claimed message 2 with no device");
    stor_finish(vm);
}

/* Reads and writes through SG lists, flush, UNMAP, WRITE SAME. */
VW_SCENARIO("vwstor", storport_class_data, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    static uint8_t out[8 * SECTOR], in[8 * SECTOR];
    for (unsigned i = 0; i < sizeof(out); i++)
        out[i] = (uint8_t)(i * 7 + 3);
    uint8_t cdb[16];
    stor_rw10(cdb, 0x2a, 10, 8);
    if (!stor_scsi(vm, cdb, 10, out, sizeof(out), false, 1, "WRITE(10)"))
        return;
    rw16(cdb, 0x88, 10, 8);
    if (!stor_scsi(vm, cdb, 16, in, sizeof(in), true, 1, "READ(16)"))
        return;
    VW_EXPECT(vm, memcmp(in, out, sizeof(in)) == 0, "READ(16) returned other data");
    memset(cdb, 0, 16);
    cdb[0] = 0x35;
    if (!stor_scsi(vm, cdb, 10, NULL, 0, false, 1, "SYNCHRONIZE CACHE(10)"))
        return;
    /* UNMAP sectors 12..13: 8-byte header, one 16-byte descriptor. */
    uint8_t list[24] = {0, 22, 0, 16};
    list[8 + 7] = 12, list[8 + 11] = 2;
    memset(cdb, 0, 16);
    cdb[0] = 0x42, cdb[8] = sizeof(list);
    if (!stor_scsi(vm, cdb, 10, list, sizeof(list), false, 1, "UNMAP"))
        return;
    stor_rw10(cdb, 0x28, 10, 8);
    if (!stor_scsi(vm, cdb, 10, in, sizeof(in), true, 1, "READ(10)"))
        return;
    static const uint8_t zero[2 * SECTOR];
    VW_EXPECT(vm,
              memcmp(in + 2 * SECTOR, zero, sizeof(zero)) == 0 &&
                  memcmp(in, out, 2 * SECTOR) == 0 &&
                  memcmp(in + 4 * SECTOR, out + 4 * SECTOR, 4 * SECTOR) == 0,
              "UNMAP did not zero exactly sectors 12-13");
    uint8_t block[SECTOR];
    memset(block, 0x5c, sizeof(block));
    rw16(cdb, 0x93, 40, 4);
    if (!stor_scsi(vm, cdb, 16, block, SECTOR, false, 1, "WRITE SAME(16)"))
        return;
    stor_rw10(cdb, 0x28, 40, 4);
    if (!stor_scsi(vm, cdb, 10, in, 4 * SECTOR, true, 1, "READ(10)"))
        return;
    bool same = true;
    for (unsigned i = 0; i < 4 * SECTOR; i++)
        same &= in[i] == 0x5c;
    VW_EXPECT(vm, same, "WRITE SAME(16) did not repeat the block");
    stor_rw10(cdb, 0x28, 126, 4); /* past the end: refused in HwBuildIo */
    if (!stor_scsi(vm, cdb, 10, in, 4 * SECTOR, true, 6, "READ(10) past the end"))
        return;
    stor_finish(vm);
}

/* 24 writes at once: the miniport allows 8 (MaxNumberOfIO), the gate
 * never gives it more, and reaches 8. */
static void batch_writes(struct vm *vm, unsigned n)
{
    static uint8_t data[24][SECTOR];
    uint8_t cdbs[24][16];
    unsigned lens[24];
    uint32_t sizes[24];
    uint8_t *bufs[24];
    bool in[24];
    struct vw_stor_result res[24];
    for (unsigned i = 0; i < n; i++) {
        memset(data[i], (int)i, SECTOR);
        stor_rw10(cdbs[i], 0x2a, i, 1);
        lens[i] = 10, sizes[i] = SECTOR, bufs[i] = data[i], in[i] = false;
    }
    if (!vw_stor_scsi_batch(vm, n, (const uint8_t(*)[16])cdbs, lens, bufs, sizes, in, res))
        return;
    for (unsigned i = 0; i < n; i++)
        VW_EXPECT(vm, res[i].srb_status == 1, "write %u: SRB status 0x%02x", i, res[i].srb_status);
}

VW_SCENARIO("vwstor", storport_queue_depth, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    batch_writes(vm, 24);
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.max_outstanding == 8 && st.max_io == 8 && st.completed == 24,
              "outstanding reached %u of %u allowed, %u completed", st.max_outstanding, st.max_io,
              st.completed);
    vw_log(vm, "24 writes: at most %u outstanding (allowed %u), %u DPC runs", st.max_outstanding,
           st.max_io, st.dpcs_run);
    stor_finish(vm);
}

/* A read the miniport holds, with ARGS saying how it answers reset SRBs:
 * its time-out escalates (multi-tier-reset-in-storport) until tier TIER
 * ends it, the read ends with BUS_RESET exactly once, and I/O goes on. */
static void held_read_tier(struct vm *vm, const char *args, unsigned tier)
{
    if (!stor_start_ram(vm, "vwstor", args))
        return;
    uint8_t cdb[16], buf[SECTOR];
    stor_rw10(cdb, 0x28, 0, 1);
    if (!stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "held READ(10)"))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    unsigned lu = 1, target = tier >= VW_STOR_TIER_TARGET, bus = tier == VW_STOR_TIER_BUS;
    VW_EXPECT(vm,
              st.timeouts == 1 && st.last_tier == tier && st.lun_resets == lu &&
                  st.target_resets == target && st.resets == bus,
              "one time-out: %u time-outs, ended by tier %u (want %u), %u LUN resets, %u target "
              "resets, %u bus resets",
              st.timeouts, st.last_tier, tier, st.lun_resets, st.target_resets, st.resets);
    if (!stor_scsi(vm, cdb, 10, buf, SECTOR, true, 1, "READ(10) after the reset"))
        return;
    stor_finish(vm);
}

/* The LUN reset SRB completes the held read: no further tier. */
VW_SCENARIO("vwstor", storport_timeout_lun_reset, NULL)
{
    held_read_tier(vm, "hang=1", VW_STOR_TIER_LUN);
}

/* The LUN reset SRB is held: its own time-out, then the target reset. */
VW_SCENARIO("vwstor", storport_timeout_lun_reset_hangs, NULL)
{
    held_read_tier(vm, "hang=1 lureset=1", VW_STOR_TIER_TARGET);
}

/* The LUN reset SRB fails (SRB_STATUS_ERROR): the target reset. */
VW_SCENARIO("vwstor", storport_timeout_lun_reset_fails, NULL)
{
    held_read_tier(vm, "hang=1 lureset=2", VW_STOR_TIER_TARGET);
}

/* Both reset SRBs held: HwResetBus ends the read and both SRBs. */
VW_SCENARIO("vwstor", storport_timeout_resets_bus, NULL)
{
    held_read_tier(vm, "hang=1 lureset=1 devreset=1", VW_STOR_TIER_BUS);
}

/* Both reset SRBs fail: HwResetBus. */
VW_SCENARIO("vwstor", storport_timeout_resets_fail_bus, NULL)
{
    held_read_tier(vm, "hang=1 lureset=2 devreset=2", VW_STOR_TIER_BUS);
}

/* Stop (ScsiStopAdapter) and restart (ScsiRestartAdapter); data survives. */
VW_SCENARIO("vwstor", storport_stop_restart, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    uint8_t cdb[16], out[SECTOR], in[SECTOR];
    memset(out, 0x77, sizeof(out));
    stor_rw10(cdb, 0x2a, 3, 1);
    if (!stor_scsi(vm, cdb, 10, out, SECTOR, false, 1, "WRITE(10)") || !vw_stor_power(vm, false) ||
        !vw_stor_power(vm, true))
        return;
    stor_rw10(cdb, 0x28, 3, 1);
    if (!stor_scsi(vm, cdb, 10, in, SECTOR, true, 1, "READ(10) after restart"))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, memcmp(in, out, SECTOR) == 0 && st.control_stop == 1 && st.control_restart == 1,
              "after stop/restart: data %s, %u stops, %u restarts",
              memcmp(in, out, SECTOR) ? "lost" : "kept", st.control_stop, st.control_restart);
    stor_finish(vm);
}

/* The crash-dump copy writes and reads back with no DPC, polled. */
VW_SCENARIO("vwstor", storport_dump_copy, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    batch_writes(vm, 4);
    if (vw_stor_dump(vm, 20, 0xd5))
        stor_finish(vm);
}

/* ---- Planted bugs: each checker fails by name ----------------------- */

static void write1(struct vm *vm)
{
    uint8_t cdb[16], buf[SECTOR] = {0};
    stor_rw10(cdb, 0x2a, 1, 1);
    stor_scsi(vm, cdb, 10, buf, SECTOR, false, 1, "WRITE(10)");
}

static void planted_write(struct vm *vm, const char *args)
{
    if (stor_start_ram(vm, "badstor", args))
        write1(vm);
}

VW_SCENARIO("badstor", checker_stor_completed_twice, "completed twice")
{
    planted_write(vm, "mode=1");
}

/* The planted miniport with ARGS ("hang=1": it holds reads) started, and
 * a READ(10) it holds until a reset ends it with BUS_RESET. */
static bool planted_held_read(struct vm *vm, const char *args)
{
    if (!stor_start_ram(vm, "badstor", args))
        return false;
    uint8_t cdb[16], buf[SECTOR] = {0};
    stor_rw10(cdb, 0x28, 0, 1);
    return stor_scsi(vm, cdb, 10, buf, SECTOR, true, 0x0e, "held READ(10)");
}

VW_SCENARIO("badstor", checker_stor_completed_after_reset, "completed after the reset")
{
    /* Reset SRBs refused, so that the time-out reaches HwResetBus; the
     * next write's DPC completes the read the reset already returned. */
    if (planted_held_read(vm, "mode=2 hang=1 lureset=2 devreset=2"))
        write1(vm);
}

/* The LUN reset SRB succeeds while the read it should have ended is still
 * held (srb/ns-srb-_storage_request_block, SRB_FUNCTION_RESET_LOGICAL_UNIT). */
VW_SCENARIO("badstor", checker_stor_lun_reset_keeps_requests,
            "LUN reset for 0:0 completed SUCCESS while SRB")
{
    planted_held_read(vm, "mode=16 hang=1");
}

/* The LUN reset SRB fails, the target reset SRB succeeds with the read
 * still held (SRB_FUNCTION_RESET_DEVICE: "complete any active requests for
 * the target controller"). */
VW_SCENARIO("badstor", checker_stor_target_reset_keeps_requests,
            "target reset for 0:0 completed SUCCESS while SRB")
{
    planted_held_read(vm, "mode=16 hang=1 lureset=2");
}

VW_SCENARIO("badstor", checker_stor_lock_held, "the lock is already held")
{
    planted_write(vm, "mode=3");
}

VW_SCENARIO("badstor", checker_stor_uncached_outside_find_adapter,
            "StorPortGetUncachedExtension in HwInitialize")
{
    stor_start_ram(vm, "badstor", "mode=4");
}

VW_SCENARIO("badstor", checker_stor_wrong_irql, "IRQL: StorPortPause called at IRQL 5")
{
    if (stor_start_ram(vm, "badstor", "mode=5"))
        vw_stor_interrupt(vm);
}

VW_SCENARIO("badstor", checker_stor_control_list_overrun, "past MaxControlType")
{
    stor_start_ram(vm, "badstor", "mode=6");
}

/* The emulation's own gate planted open: the independent count names it. */
VW_SCENARIO("vwstor", checker_stor_too_many_outstanding, "more than the 8 the miniport allowed")
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    vw_stor_plant_no_gate(vm);
    batch_writes(vm, 24);
}

/* StorPortPause at the first write holds the queue until the DPC's
 * StorPortResume: nothing starts in between, everything completes. */
VW_SCENARIO("vwstor", storport_pause_resume, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "pause=1"))
        return;
    batch_writes(vm, 6);
    struct vw_stor_stats st;
    stor_stats_after_scan(vm, &st);
    VW_EXPECT(vm, st.pauses == 1 && st.max_started_paused == 0 && st.completed == 6,
              "%u pauses, %u requests started while paused, %u completed", st.pauses,
              st.max_started_paused, st.completed);
    stor_finish(vm);
}

/* StorPortRegistryRead/Write through the one registry buffer: PhysicalBreaks
 * under Parameters\Device reaches NumberOfPhysicalBreaks; the miniport's
 * start count goes to Device0 and leaves the global value of that name. */
VW_SCENARIO("vwstor", storport_registry, NULL)
{
    uint32_t breaks = 3, global_starts = 99, type = 0, value = 0, len = 4;
    vw_stor_registry_set(vm, true, "PhysicalBreaks", 4, &breaks, 4);
    vw_stor_registry_set(vm, true, "VwstorStarts", 4, &global_starts, 4);
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.breaks == 3, "NumberOfPhysicalBreaks %u, not the registry's 3", st.breaks);
    VW_EXPECT(vm, st.registry_reads == 1, "%u registry reads returned TRUE, expected 1",
              st.registry_reads);
    VW_EXPECT(vm,
              vw_stor_registry_get(vm, false, "VwstorStarts", &type, &value, &len) && type == 4 &&
                  len == 4 && value == 1,
              "Device0\\VwstorStarts: type %u, %u bytes, %u (expected DWORD 1)", type, len, value);
    len = 4;
    VW_EXPECT(vm,
              vw_stor_registry_get(vm, true, "VwstorStarts", &type, &value, &len) && value == 99,
              "Device\\VwstorStarts changed to %u by an adapter-specific write", value);
    stor_finish(vm);
}

/* A value of another type than asked is not read: the default stays. */
VW_SCENARIO("vwstor", storport_registry_type, NULL)
{
    static const uint16_t text[] = {'3', 0};
    vw_stor_registry_set(vm, true, "PhysicalBreaks", 1, text, sizeof(text));
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm, st.breaks == 5 && st.registry_reads == 0,
              "a REG_SZ read as REG_DWORD: breaks %u, %u reads TRUE", st.breaks, st.registry_reads);
    stor_finish(vm);
}

VW_SCENARIO("badstor", checker_stor_registry_foreign_buffer,
            "is not from StorPortAllocateRegistryBuffer")
{
    stor_start_ram(vm, "badstor", "mode=9");
}

VW_SCENARIO("badstor", checker_stor_registry_overlong, "past the 4-byte registry buffer")
{
    stor_start_ram(vm, "badstor", "mode=10");
}

VW_SCENARIO("badstor", checker_stor_registry_leak, "registry buffer (4 bytes) never freed")
{
    if (stor_start_ram(vm, "badstor", "mode=11"))
        vw_stor_remove(vm);
}

/* SRB_FUNCTION_PNP and SRB_FUNCTION_POWER reach HwStartIo with their
 * SRBEX blocks: what the miniport supports succeeds, the rest it refuses
 * (its answer, not the port's). */
VW_SCENARIO("vwstor", storport_pnp_power_srbs, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    static const struct {
        unsigned action;
        bool adapter;
        uint8_t want;
    } pnp[] = {{0x09, false, 1}, {0x09, true, 1},  {0x04, true, 1},
               {0x17, false, 1}, {0x02, false, 1}, {0x0b, true, 6}};
    struct vw_stor_result r;
    for (unsigned i = 0; i < sizeof(pnp) / sizeof(pnp[0]) && !vm->failed; i++)
        if (vw_stor_pnp_srb(vm, pnp[i].action, pnp[i].adapter, &r))
            VW_EXPECT(vm, r.srb_status == pnp[i].want, "PnP action 0x%02x: SRB status 0x%02x",
                      pnp[i].action, r.srb_status);
    for (unsigned d = 1; d <= 5 && !vm->failed; d++)
        if (vw_stor_power_srb(vm, d, d == 4 ? 3 : 0, d == 4, &r))
            VW_EXPECT(vm, r.srb_status == (d <= 4 ? 1 : 6), "power D%u: SRB status 0x%02x", d - 1,
                      r.srb_status);
    stor_finish(vm);
}

/* SRB_FUNCTION_ABORT_COMMAND names the request in NextSrb, but StorPort
 * never sends it to a miniport (srb/ns-srb-_storage_request_block): the
 * emulation refuses to, so no scenario shows a path Windows never takes. */
VW_SCENARIO("vwstor", checker_stor_abort_never_sent, "StorPort does not send SRB function 0x10")
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    struct vw_stor_result r;
    vw_stor_srb(vm, 0x10, &r);
}

/* SRB_FUNCTION_IO_CONTROL: the header and payload reach the miniport and
 * its answer comes back; another signature is refused. */
VW_SCENARIO("vwstor", storport_io_control_srb, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    uint8_t payload[64];
    for (unsigned i = 0; i < sizeof(payload); i++)
        payload[i] = (uint8_t)i;
    uint32_t len = 40, rc = 99;
    struct vw_stor_result r;
    if (vw_stor_ioctl_srb(vm, "VWSTOR", 1, payload, &len, sizeof(payload), &rc, &r)) {
        VW_EXPECT(vm, r.srb_status == 1 && rc == 0 && len == 40,
                  "IO_CONTROL: SRB status 0x%02x, ReturnCode %u, Length %u", r.srb_status, rc, len);
        for (unsigned i = 0; i < 40 && !vm->failed; i++)
            VW_EXPECT(vm, payload[i] == (uint8_t)(i + 1), "IO_CONTROL payload byte %u: %u", i,
                      payload[i]);
    }
    len = 8;
    if (vw_stor_ioctl_srb(vm, "OTHER", 1, payload, &len, sizeof(payload), &rc, &r))
        VW_EXPECT(vm, r.srb_status == 6, "IO_CONTROL with a foreign signature: SRB status 0x%02x",
                  r.srb_status);
    stor_finish(vm);
}

VW_SCENARIO("badstor", checker_stor_io_control_length, "past the buffer's 64 payload bytes")
{
    if (!stor_start_ram(vm, "badstor", "mode=12"))
        return;
    uint8_t payload[64] = {0};
    uint32_t len = 16, rc = 0;
    struct vw_stor_result r;
    vw_stor_ioctl_srb(vm, "VWSTOR", 1, payload, &len, sizeof(payload), &rc, &r);
}

/* A stop with writes in flight: StorPort lets them finish, flushes, then
 * stops; after the restart every write is there. */
VW_SCENARIO("vwstor", storport_stop_with_io_outstanding, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    struct vw_stor_stats before, after;
    vw_stor_stats(vm, &before);
    if (!vw_stor_submit_writes(vm, 6, 10, 0xa5) || !vw_stor_power(vm, false))
        return;
    vw_stor_stats(vm, &after);
    VW_EXPECT(vm, after.completed == before.completed + 7,
              "%u requests completed by the stop, expected the 6 writes and the flush",
              after.completed - before.completed);
    VW_EXPECT(vm, after.stop_flushes == 1 && after.control_stop == before.control_stop + 1,
              "stop: %u flushes, %u ScsiStopAdapter", after.stop_flushes,
              after.control_stop - before.control_stop);
    if (!vw_stor_power(vm, true))
        return;
    uint8_t cdb[16], buf[6 * SECTOR];
    stor_rw10(cdb, 0x28, 10, 6);
    if (stor_scsi(vm, cdb, 10, buf, sizeof(buf), true, 1, "READ(10) after the restart"))
        for (unsigned i = 0; i < sizeof(buf) && !vm->failed; i++)
            VW_EXPECT(vm, buf[i] == 0xa5, "byte %u after the stop: 0x%02x", i, buf[i]);
    stor_finish(vm);
}

/* The configuration control types, claimed: SetBootConfig after the stop,
 * SetRunningConfig before the restart (the miniport refuses any other
 * order), at PASSIVE_LEVEL. */
VW_SCENARIO("vwstor", storport_control_config, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "config=1") || !vw_stor_power(vm, false) ||
        !vw_stor_power(vm, true))
        return;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.control_stop == 1 && st.control_boot_config == 1 &&
                  st.control_running_config == 1 && st.control_restart == 1,
              "stop %u, boot config %u, running config %u, restart %u", st.control_stop,
              st.control_boot_config, st.control_running_config, st.control_restart);
    stor_finish(vm);
}

VW_SCENARIO("badstor", checker_stor_restart_not_claimed,
            "required: ScsiStopAdapter and ScsiRestartAdapter")
{
    stor_start_ram(vm, "badstor", "mode=13");
}

/* Hibernation: the RAM disk powered down and up around its hibernation
 * copy, which writes 4 sectors; the adapter works after the resume. */
VW_SCENARIO("vwstor", storport_hibernate_resume, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    struct vw_stor_stats st;
    if (!vw_stor_hibernate(vm, 8, 4, 0x31))
        return;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.hibernations == 1 && st.control_stop == 1 && st.control_restart == 1 &&
                  st.dump_uncached > 0 && st.dump_uncached <= VW_STOR_DUMP_MEMORY_LIMIT,
              "hibernations %u, stop %u, restart %u, dump copy's uncached extension %u bytes",
              st.hibernations, st.control_stop, st.control_restart, st.dump_uncached);
    uint8_t cdb[16], buf[SECTOR];
    stor_rw10(cdb, 0x28, 1, 1);
    if (stor_scsi(vm, cdb, 10, buf, SECTOR, true, 1, "READ(10) after the resume"))
        stor_finish(vm);
}

/* HwStartIo busy-waiting 10 ms (20 stalls of 500 us, each within the
 * documented limit): the third takes the call past the harness's 1 ms. */
VW_SCENARIO("badstor", checker_stor_long_stall, "HwStartIo stalled 1500 us in one call")
{
    planted_write(vm, "mode=15");
}

/* The dump copy asking for more than 32 KiB of uncached extension. */
VW_SCENARIO("badstor", checker_stor_dump_memory, "a miniport in dump mode may allocate at most")
{
    if (!stor_start_ram(vm, "badstor", NULL))
        return;
    vw_stor_dump_args(vm, "mode=14");
    vw_stor_dump(vm, 20, 0xd5);
}

/* A crash dump, the restart, hibernation: the RAM disk's dump copy, then
 * vwstor loaded afresh and started, then its hibernation copy, a second
 * image of its own (Windows' "dump_" and "hiber_" loads,
 * storage/crash-dump-filter-drivers), and the restarted adapter works
 * after the resume.  Each copy checks its own write by reading it back
 * (the RAM disk's data lives in each instance's extension, so the dump
 * and the hibernation file are read later only by viostor's and vioscsi's
 * scenarios, whose disks persist). */
VW_SCENARIO("vwstor", storport_dump_reboot_hibernate, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    batch_writes(vm, 4);
    struct vw_stor_config cfg = {.timeout_s = 10, .msi_messages = 3};
    if (!vw_stor_dump(vm, 20, 0xd5) || !vw_stor_reboot(vm) || !vw_stor_start(vm, &cfg))
        return;
    uint8_t cdb[16], buf[SECTOR];
    if (!vw_stor_hibernate(vm, 8, 4, 0x31))
        return;
    VW_EXPECT(vm, vm->image_copies == 2, "%u second images, not 2", vm->image_copies);
    stor_rw10(cdb, 0x28, 1, 1);
    if (stor_scsi(vm, cdb, 10, buf, SECTOR, true, 1, "READ(10) after the resume"))
        stor_finish(vm);
}

/* A restart with no crash dump before it (the emulation's own guard). */
VW_SCENARIO("vwstor", checker_stor_reboot_without_crash, "a restart without a crash dump")
{
    if (stor_start_ram(vm, "vwstor", NULL))
        vw_stor_reboot(vm);
}
