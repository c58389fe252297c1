/*
 * Hibernation after a crash dump (vw_stor_dump, vw_stor_reboot,
 * vw_stor_hibernate): vioscsi's dump copy writes while the crashed
 * instance had writes the target lost; the machine restarts (the function
 * reset, vioscsi loaded afresh and started); the dump sector is read by the
 * new instance; then a separate hibernation copy (another image at its own
 * base: Windows' "dump_" and "hiber_" loads,
 * storage/crash-dump-filter-drivers) writes the hibernation file, and after
 * the resume the normal instance reads it back.  Also hibernation on its
 * own.
 */
#include "vioscsi_test.h"

#define HIBER_LBA   80
#define HIBER_COUNT 4

/* The hibernation file as the hibernation copy wrote it (sector i all
 * 0x70 + i), read by the normal instance after the resume. */
static void read_hibernation_file(struct vm *vm)
{
    static uint8_t in[HIBER_COUNT * SC_BLOCK];
    uint8_t cdb[16];
    sc_rw16(cdb, false, HIBER_LBA, HIBER_COUNT);
    if (sc_ok(vm, 0, 0, cdb, 16, in, sizeof(in), true, "READ of the hibernation file"))
        for (unsigned i = 0; i < sizeof(in) && !vm->failed; i++)
            VW_EXPECT(vm, in[i] == (uint8_t)(0x70 + i / SC_BLOCK),
                      "hibernation file byte %u: 0x%02x, written 0x%02x", i, in[i],
                      (uint8_t)(0x70 + i / SC_BLOCK));
}

VW_SCENARIO("vioscsi", dump_reboot_hibernate, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.lose_every = 1});
    if (!vw_stor_submit_writes(vm, 6, 300, 0x11))
        goto out;
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    if (!vw_stor_dump(vm, 40, 0xd7))
        goto out;
    /* The restart resets the function before anything is freed. */
    vw_virtio_platform_reset(h.scsi->dev);
    struct vw_stor_config stc = {.timeout_s = 10};
    if (!vw_stor_reboot(vm) || !vw_stor_start(vm, &stc))
        goto out;
    uint8_t cdb[16], sector[SC_BLOCK];
    sc_rw16(cdb, false, 40, 1);
    if (!sc_ok(vm, 0, 0, cdb, 16, sector, sizeof(sector), true, "READ of the dump after restart"))
        goto out;
    for (unsigned i = 0; i < sizeof(sector) && !vm->failed; i++)
        VW_EXPECT(vm, sector[i] == 0xd7, "dump byte %u after the restart: 0x%02x", i, sector[i]);
    if (!vw_stor_hibernate(vm, HIBER_LBA, HIBER_COUNT, 0x70))
        goto out;
    VW_EXPECT(vm, vm->image_copies == 2, "%u second images loaded, not 2 (dump, hibernation)",
              vm->image_copies);
    read_hibernation_file(vm);
out:
    sc_finish(vm, &h);
}

/* Writes submitted before S4 are on the disk after the resume; the hibernation
 * copy within the 32 KiB of uncached extension a dump-mode miniport may
 * ask for (storage/restrictions-on-miniport-drivers-that-manage-the-boot-drive). */
VW_SCENARIO("vioscsi", hibernate_resume, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    /* The in-process target answers at once: the writes may be done
     * before the power-down (drained_at_stop counts those that were not). */
    if (!vw_stor_submit_writes(vm, 8, 200, 0x2c))
        goto out;
    if (!vw_stor_hibernate(vm, HIBER_LBA, HIBER_COUNT, 0x70))
        goto out;
    struct vw_stor_stats st;
    vw_stor_stats(vm, &st);
    VW_EXPECT(vm,
              st.hibernations == 1 && st.drained_at_stop <= 8 && st.control_stop == 1 &&
                  st.control_restart == 1 && st.dump_uncached > 0 &&
                  st.dump_uncached <= VW_STOR_DUMP_MEMORY_LIMIT,
              "hibernation: %u, drained %u, stop %u, restart %u, hibernation copy's uncached "
              "extension %u bytes",
              st.hibernations, st.drained_at_stop, st.control_stop, st.control_restart,
              st.dump_uncached);
    read_hibernation_file(vm);
    uint8_t before[8 * SC_BLOCK], cdb[16];
    sc_rw16(cdb, false, 200, 8);
    if (sc_ok(vm, 0, 0, cdb, 16, before, sizeof(before), true, "READ of the writes before S4"))
        for (unsigned i = 0; i < sizeof(before) && !vm->failed; i++)
            VW_EXPECT(vm, before[i] == 0x2c, "byte %u of the writes before S4: 0x%02x", i,
                      before[i]);
out:
    sc_finish(vm, &h);
}
