/*
 * A device whose configuration lies (virtio 1.2 5.6.4) or whose responses
 * do (5.6.6.1): each bad value gets a safe value and the disks work, or
 * the start fails with one clear error; a target or LUN beyond
 * max_target / max_lun never reaches the device (the model fails the run
 * on lun-out-of-range) and is no device for StorPort; a sense
 * length beyond what was posted and a residual beyond the transfer are
 * never trusted.
 */
#include "vioscsi_test.h"

/* One-block writes and reads on 0:0 and 1:1, checked in the target's memory. */
static void small_io(struct vm *vm, struct sc_host *h)
{
    static const uint8_t at[2][2] = {{0, 0}, {1, 1}};
    uint8_t out[SC_BLOCK], in[SC_BLOCK], cdb[16];
    for (unsigned i = 0; i < 2 && !vm->failed; i++) {
        uint8_t t = at[i][0], l = at[i][1];
        uint64_t lba = 5 + i, blocks;
        sc_fill(out, SC_BLOCK, t, l, lba, 9);
        sc_rw16(cdb, true, lba, 1);
        if (!sc_ok(vm, t, l, cdb, 16, out, SC_BLOCK, false, "WRITE(16)"))
            return;
        sc_rw16(cdb, false, lba, 1);
        if (!sc_ok(vm, t, l, cdb, 16, in, SC_BLOCK, true, "READ(16)"))
            return;
        uint8_t *disk = mem_target_disk(h->mem, t, l, &blocks);
        VW_EXPECT(vm,
                  memcmp(in, out, SC_BLOCK) == 0 && disk != NULL &&
                      memcmp(disk + lba * SC_BLOCK, out, SC_BLOCK) == 0,
                  "%u:%u LBA %llu: read back or the disk differs", t, l, (unsigned long long)lba);
    }
}

/* Start with O's configuration, find the driver's log line LOGGED (the
 * bad value named; NULL: none asked) and do a little I/O. */
static void survives(struct vm *vm, struct sc_opts *o, const char *logged)
{
    struct sc_host h;
    if (sc_start_mem(vm, &h, o)) {
        if (logged != NULL)
            stor_expect_logged(vm, logged, NULL);
        small_io(vm, &h);
    }
    sc_finish(vm, &h);
}

/* INQUIRY of T:L answered by vioscsi itself as no device there
 * (SELECTION_TIMEOUT, NO_DEVICE, INVALID_LUN or INVALID_TARGET_ID). */
static void absent(struct vm *vm, uint8_t t, uint8_t l)
{
    uint8_t cdb[6] = {0x12, 0, 0, 0, 36, 0}, r[36];
    struct vw_stor_result res;
    if (sc_scsi(vm, t, l, cdb, 6, r, 36, true, &res))
        VW_EXPECT(vm,
                  (res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT ||
                      (res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_NO_DEVICE ||
                      (res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_INVALID_LUN ||
                      (res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_INVALID_TARGET_ID,
                  "INQUIRY of %u:%u beyond the device's limits: SRB 0x%02x, not a missing device",
                  t, l, res.srb_status);
}

/* FIELD set to VALUE: the start fails with EXPECT, or the disks work and
 * the driver logged LOGGED (a bad value: "a bad value gets a logged
 * error"; NULL for values the driver may take or overwrite) */
#define HOSTILE(NAME, FIELD, VALUE, EXPECT, LOGGED)                                                \
    VW_SCENARIO("vioscsi", hostile_##NAME, EXPECT)                                                 \
    {                                                                                              \
        struct sc_opts o;                                                                          \
        sc_defaults(&o);                                                                           \
        o.sc.FIELD = VALUE;                                                                        \
        survives(vm, &o, LOGGED);                                                                  \
    }

/* No request queue at all: nothing can be sent, the start fails */
HOSTILE(num_queues_zero, num_queues, 0, "HwFindAdapter returned", NULL)
HOSTILE(num_queues_65535, num_queues, 65535, NULL, NULL)
/* No data segment fits a command (5.6.4): the start fails */
HOSTILE(seg_max_zero, seg_max, 0, "HwFindAdapter returned", NULL)
/* More segments than any transfer needs: the driver's own limit */
HOSTILE(seg_max_huge, seg_max, 0xffffffffu, NULL, NULL)
HOSTILE(max_sectors_zero, max_sectors, 0, NULL, "vioscsi: bad device value: max_sectors 0")
HOSTILE(cmd_per_lun_zero, cmd_per_lun, 0, NULL, "vioscsi: bad device value: cmd_per_lun 0")
HOSTILE(event_info_size_small, event_info_size, 8, NULL,
        "vioscsi: bad device value: event_info_size")
HOSTILE(event_info_size_zero, event_info_size, 0, NULL,
        "vioscsi: bad device value: event_info_size")
/* The driver writes its own sense_size and cdb_size (5.6.4: writable) */
HOSTILE(sense_size_huge, sense_size, 100000, NULL, NULL)
HOSTILE(cdb_size_tiny, cdb_size, 1, NULL, NULL)
HOSTILE(max_target_huge, max_target, 65535, NULL, "vioscsi: bad device value: max_target")
HOSTILE(max_lun_huge, max_lun, 0xffffffffu, NULL, "vioscsi: bad device value: max_lun")

/* num_queues 65535: with the control and event queues that is 65537
 * queues, more than queue_select (16 bits) can name (virtio 1.2 4.1.4.3):
 * a bad value, logged like the others */
VW_SCENARIO("vioscsi", hostile_num_queues_65535_logged, NULL)
{
    struct sc_opts o;
    sc_defaults(&o);
    o.sc.num_queues = 65535;
    survives(vm, &o, "vioscsi: bad device value: num_queues");
}

/* max_target 0: target 1 is never sent to the device */
VW_SCENARIO("vioscsi", hostile_max_target_zero, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_target = 0;
    if (sc_start_mem(vm, &h, &o)) {
        absent(vm, 1, 0);
        uint8_t tur[6] = {0};
        sc_ok(vm, 0, 1, tur, 6, NULL, 0, false, "TEST UNIT READY of 0:1");
    }
    sc_finish(vm, &h);
}

/* max_lun 0: LUN 1 is never sent to the device */
VW_SCENARIO("vioscsi", hostile_max_lun_zero, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    o.sc.max_lun = 0;
    if (sc_start_mem(vm, &h, &o)) {
        absent(vm, 0, 1);
        uint8_t tur[6] = {0};
        sc_ok(vm, 1, 0, tur, 6, NULL, 0, false, "TEST UNIT READY of 1:0");
    }
    sc_finish(vm, &h);
}

/* sense_len 200 against the 96 posted: at most the class driver's buffer
 * (32 bytes) comes back, and it parses */
VW_SCENARIO("vioscsi", hostile_sense_len_200, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vmodel_scsi_set_hostile(h.scsi->model, &(struct vmodel_scsi_hostile){.sense_len = true});
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.long_sense = true});
    uint8_t cdb[16], buf[SC_BLOCK];
    struct vw_stor_result r;
    sc_rw16(cdb, false, o.blocks + 1, 1);
    if (sc_scsi(vm, 0, 0, cdb, 16, buf, SC_BLOCK, true, &r))
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_ERROR && r.scsi_status == 0x02 &&
                      r.sense_len <= 32,
                  "sense_len 200: SRB 0x%02x, SCSI 0x%02x, SenseInfoBufferLength %u (buffer 32)",
                  r.srb_status, r.scsi_status, r.sense_len);
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    vmodel_scsi_set_hostile(h.scsi->model, &(struct vmodel_scsi_hostile){0});
    small_io(vm, &h);
out:
    sc_finish(vm, &h);
}

/* A residual of the transfer + 4096: never more bytes moved than asked,
 * never a success */
VW_SCENARIO("vioscsi", hostile_residual_beyond_transfer, NULL)
{
    struct sc_opts o;
    struct sc_host h;
    sc_defaults(&o);
    if (!sc_start_mem(vm, &h, &o))
        goto out;
    vmodel_scsi_set_hostile(h.scsi->model, &(struct vmodel_scsi_hostile){.residual = true});
    mem_target_set_faults(h.mem, &(struct mem_target_faults){.big_residual = true});
    uint8_t cdb[16], buf[4096];
    struct vw_stor_result r;
    for (int write = 0; write < 2 && !vm->failed; write++) {
        sc_rw16(cdb, write, 16, 8);
        if (sc_scsi(vm, 0, 0, cdb, 16, buf, sizeof(buf), !write, &r))
            VW_EXPECT(
                vm, (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS && r.transferred <= 4096,
                "%s with residual 8192 of 4096: SRB 0x%02x, %u bytes moved",
                write ? "WRITE" : "READ", r.srb_status, r.transferred);
    }
    mem_target_set_faults(h.mem, &(struct mem_target_faults){0});
    vmodel_scsi_set_hostile(h.scsi->model, &(struct vmodel_scsi_hostile){0});
    small_io(vm, &h);
out:
    sc_finish(vm, &h);
}
