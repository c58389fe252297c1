/*
 * Host unit tests of viostor's OS-neutral half (check-viostor, under ASan
 * and UBSan): every hostile configuration value, the queue and message
 * plan, every CDB the translation answers or forwards, every sense path,
 * and the completion of every device status.  A copy built with
 * VBLK_PLANTED_WRAP (an LBA range check that wraps) must fail, and so
 * must one built with VBLK_PLANTED_PROTECT (the RDPROTECT field ignored).
 */
#define HOSTCHECK_PREFIX "vblk: "
#include "hostcheck.h"

#include <string.h>

#include "../../vblk.h"

static uint8_t cfg[VBLK_CFG_BYTES];

static void set16(unsigned off, uint16_t v)
{
    cfg[off] = (uint8_t)v, cfg[off + 1] = (uint8_t)(v >> 8);
}
static void set32(unsigned off, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        cfg[off + i] = (uint8_t)(v >> (8 * i));
}
static void set64(unsigned off, uint64_t v)
{
    set32(off, (uint32_t)v), set32(off + 4, (uint32_t)(v >> 32));
}

#define F(bit) (1ull << (bit))
static const uint64_t all_features =
    F(VIRTIO_BLK_F_SIZE_MAX) | F(VIRTIO_BLK_F_SEG_MAX) | F(VIRTIO_BLK_F_BLK_SIZE) |
    F(VIRTIO_BLK_F_FLUSH) | F(VIRTIO_BLK_F_TOPOLOGY) | F(VIRTIO_BLK_F_CONFIG_WCE) |
    F(VIRTIO_BLK_F_MQ) | F(VIRTIO_BLK_F_DISCARD) | F(VIRTIO_BLK_F_WRITE_ZEROES);

/* A sane device: 1 GiB, 4K logical blocks, 4 queues, discard, zeroes */
static void good_config(void)
{
    memset(cfg, 0, sizeof(cfg));
    set64(VBLK_CFG_CAPACITY, 2097152);
    set32(VBLK_CFG_SIZE_MAX, 65536);
    set32(VBLK_CFG_SEG_MAX, 126);
    set32(VBLK_CFG_BLK_SIZE, 4096);
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 0;
    set16(VBLK_CFG_MIN_IO_SIZE, 1);
    set32(VBLK_CFG_OPT_IO_SIZE, 32);
    cfg[VBLK_CFG_WRITEBACK] = 1;
    set16(VBLK_CFG_NUM_QUEUES, 4);
    set32(VBLK_CFG_MAX_DISCARD_SECT, 1u << 22);
    set32(VBLK_CFG_MAX_DISCARD_SEG, 8);
    set32(VBLK_CFG_DISCARD_ALIGN, 8);
    set32(VBLK_CFG_MAX_WZ_SECT, 1u << 22);
    set32(VBLK_CFG_MAX_WZ_SEG, 1);
    cfg[VBLK_CFG_WZ_MAY_UNMAP] = 1;
}

/* The log line of finding want after one hostile value: the field by its
 * spec name, the device's value, and the number used (or the phrase) */
static void logged(unsigned want, const char *field, uint64_t value, uint64_t used,
                   const char *instead)
{
    struct vblk_disk d = {0};
    struct vw_bad_value bad;
    unsigned f = vblk_config_check(cfg, all_features, &d);

    expect(f == want, "%s %llu: finding 0x%x (want 0x%x)", field, (unsigned long long)value, f,
           want);
    if (!vblk_finding_value(want, cfg, &d, &bad)) {
        expect(0, "%s: finding 0x%x has no log line", field, want);
        return;
    }
    expect(strcmp(bad.field, field) == 0 && bad.value == value,
           "finding 0x%x names %s %llu (want %s %llu)", want, bad.field,
           (unsigned long long)bad.value, field, (unsigned long long)value);
    if (instead != NULL)
        expect(bad.instead != NULL && strcmp(bad.instead, instead) == 0,
               "%s %llu: \"%s\" (want \"%s\")", field, (unsigned long long)value,
               bad.instead != NULL ? bad.instead : "(a number)", instead);
    else
        expect(bad.instead == NULL && bad.used == used, "%s %llu: %llu used (want %llu)", field,
               (unsigned long long)value, (unsigned long long)bad.used, (unsigned long long)used);
}

/* Every config check has one log line naming its field, its value and the
 * replacement; the new checks (discard alignment in whole blocks, opt_io_size
 * within the max transfer) */
static void test_config_more(void)
{
    struct vblk_disk d = {0};
    struct vw_bad_value bad;
    unsigned f;

    good_config();
    set32(VBLK_CFG_OPT_IO_SIZE, 1); /* within one page: this field alone */
    set32(VBLK_CFG_SEG_MAX, 0);
    logged(VBLK_BAD_SEG_MAX, "seg_max", 0, 1, NULL);
    good_config();
    set32(VBLK_CFG_BLK_SIZE, 1000);
    logged(VBLK_BAD_BLK_SIZE, "blk_size", 1000, 512, NULL);
    good_config();
    set16(VBLK_CFG_NUM_QUEUES, 0);
    logged(VBLK_BAD_NUM_QUEUES, "num_queues", 0, 1, NULL);
    good_config();
    set64(VBLK_CFG_CAPACITY, UINT64_MAX);
    logged(VBLK_BAD_CAPACITY, "capacity", UINT64_MAX, 0, "the disk is not started");
    good_config();
    set64(VBLK_CFG_CAPACITY, 9);
    logged(VBLK_ODD_CAPACITY, "capacity", 9, 0, "the part past the last whole block is unused");
    good_config();
    set32(VBLK_CFG_OPT_IO_SIZE, 0);
    set32(VBLK_CFG_SIZE_MAX, 100);
    logged(VBLK_BAD_SIZE_MAX, "size_max", 100, 512, NULL);
    good_config();
    set32(VBLK_CFG_SIZE_MAX, 0);
    logged(VBLK_ZERO_SIZE_MAX, "size_max", 0, 0, "no segment size limit");
    good_config();
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 16;
    logged(VBLK_BAD_PHYS_EXP, "physical_block_exp", 16, 0, "0 used, alignment_offset ignored");
    good_config();
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 3;
    cfg[VBLK_CFG_ALIGNMENT_OFFSET] = 8;
    logged(VBLK_BAD_ALIGN_OFFSET, "alignment_offset", 8, 0, NULL);
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SECT, 4);
    logged(VBLK_BAD_DISCARD, "max_discard_sectors", 4, 0, "discard off");
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SEG, 0);
    logged(VBLK_BAD_DISCARD_SEG, "max_discard_seg", 0, 1, NULL);
    good_config();
    set32(VBLK_CFG_DISCARD_ALIGN, 0);
    logged(VBLK_BAD_DISCARD_ALIGN, "discard_sector_alignment", 0, 8, NULL);
    good_config();
    set32(VBLK_CFG_DISCARD_ALIGN, 12);
    logged(VBLK_BAD_DISCARD_ALIGN, "discard_sector_alignment", 12, 16, NULL);
    good_config();
    set32(VBLK_CFG_DISCARD_ALIGN, 0xffffffffu);
    logged(VBLK_BAD_DISCARD_ALIGN, "discard_sector_alignment", 0xffffffffu, 0xfffffff8u, NULL);
    good_config();
    set32(VBLK_CFG_DISCARD_ALIGN, 16);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.discard_align == 16, "discard alignment of two blocks kept");
    good_config();
    set32(VBLK_CFG_MAX_WZ_SECT, 0);
    logged(VBLK_BAD_WRITE_ZEROES, "max_write_zeroes_sectors", 0, 0, "write zeroes off");
    good_config();
    set32(VBLK_CFG_MAX_WZ_SEG, 0);
    logged(VBLK_BAD_WZ_SEG, "max_write_zeroes_seg", 0, 1, NULL);
    good_config();
    cfg[VBLK_CFG_WRITEBACK] = 7;
    logged(VBLK_BAD_WRITEBACK, "writeback", 7, 0, "write-back assumed");
    good_config();
    vblk_config_check(cfg, all_features, &d);
    uint32_t most = d.max_transfer / d.blk_size;
    set32(VBLK_CFG_OPT_IO_SIZE, most + 1);
    logged(VBLK_BAD_OPT_IO, "opt_io_size", most + 1, most, NULL);
    good_config();
    set32(VBLK_CFG_OPT_IO_SIZE, most);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.opt_io == most, "opt_io_size at the max transfer (%u) kept", most);

    for (unsigned b = 0; b < VBLK_FINDINGS; b++)
        expect(vblk_finding_value(1u << b, cfg, &d, &bad) && bad.field != NULL,
               "finding %u has a log line", b);
    expect(!vblk_finding_value(1u << VBLK_FINDINGS, cfg, &d, &bad), "no line past the last");
}

/* Issue 14's "max transfer >= 4 MiB": seg_max >= 1025 and size_max >= 4096,
 * PhysicalBreaks absent, the queue long enough for the chain (a chain is
 * never longer than the queue, virtio 1.2 2.7.5.3.1: header, status and
 * their spares take 6, as ViostorPlanMemory counts): StorPort is told 4
 * MiB and breaks for an unaligned 4 MiB buffer (1025 pages); a shorter
 * queue or seg_max clamps it to what the chain may hold (with size_max
 * 4096 and fewer than 1025 segments, half of them: each list element may
 * be cut into one piece more than its share of size_max). */
static void test_max_transfer(void)
{
    static const struct {
        uint32_t seg_max, size_max;
        uint16_t queue; /* the shortest queue; its chain limit is queue - 6 */
        uint32_t want;  /* bytes StorPort is told */
    } cases[] = {
        {1025, 4096, 2048, 4u << 20},     {1025, 65536, 2048, 4u << 20},
        {4096, 4096, 4096, 4u << 20},     {0xffffffffu, 1u << 20, 32768, 4u << 20},
        {1025, 8192, 1024, 1017u * 4096}, {1025, 4096, 1024, 508u * 4096},
        {1025, 4096, 256, 124u * 4096},   {1024, 1u << 20, 2048, 1023u * 4096},
    };
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct vblk_disk d = {0};
        good_config();
        set32(VBLK_CFG_SEG_MAX, cases[i].seg_max);
        set32(VBLK_CFG_SIZE_MAX, cases[i].size_max);
        unsigned f = vblk_config_check(cfg, all_features, &d);
        vblk_limit_segments(&d, cases[i].queue - 6u);
        /* StorPort's NumberOfPhysicalBreaks is max_elems - 1 */
        bool pages = d.max_transfer / 4096 + 1 <= d.max_elems;
        expect(f == 0 && d.max_transfer == cases[i].want && pages,
               "seg_max %u, size_max %u, queue %u: max transfer %u (want %u), %u elements",
               cases[i].seg_max, cases[i].size_max, cases[i].queue, d.max_transfer, cases[i].want,
               d.max_elems);
    }
}

static void test_config(void)
{
    struct vblk_disk d = {0};
    unsigned f;

    good_config();
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0, "sane config: no finding (0x%x)", f);
    expect(d.blk_size == 4096 && d.blk_shift == 3 && d.blocks == 262144,
           "4K blocks: shift %u, %llu blocks", d.blk_shift, (unsigned long long)d.blocks);
    expect(d.data_segs == 126 && d.num_queues == 4 && d.writeback && d.discard && d.write_zeroes,
           "sane config: 126 segments, 4 queues, write-back, discard, write zeroes");
    expect(d.max_transfer >= 4096 && d.max_transfer <= (4u << 20) && d.max_transfer % 4096 == 0,
           "max transfer %u within 4 KiB..4 MiB, whole blocks", d.max_transfer);
    expect(d.max_elems <= d.data_segs, "list elements %u within the segments", d.max_elems);

    /* Each hostile value: its finding and a safe default */
    good_config();
    set32(VBLK_CFG_SEG_MAX, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_SEG_MAX) && d.data_segs == 1 && d.max_elems >= 1 && d.max_transfer >= 4096,
           "seg_max 0: finding, one segment, no underflow (max transfer %u)", d.max_transfer);
    good_config();
    set32(VBLK_CFG_SEG_MAX, 0xffffffffu);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.data_segs == VBLK_MAX_DATA_SEGS, "seg_max 2^32-1: capped at %u",
           d.data_segs);
    good_config();
    vblk_config_check(cfg, all_features, &d);
    vblk_limit_segments(&d, 30);
    expect(d.data_segs == 30 && d.max_elems <= 30 && d.max_transfer <= 29 * 4096,
           "a queue of 32: 30 data segments, %u bytes", d.max_transfer);
    vblk_limit_segments(&d, 0);
    expect(d.data_segs == 1 && d.max_transfer >= 512, "a queue of 2: one data segment");
    static const uint32_t bad_bs[] = {0, 1, 256, 511, 513, 1000, 3000, 131072, 0x80000000u};
    for (unsigned i = 0; i < sizeof(bad_bs) / sizeof(bad_bs[0]); i++) {
        good_config();
        set32(VBLK_CFG_BLK_SIZE, bad_bs[i]);
        f = vblk_config_check(cfg, all_features, &d);
        expect((f & VBLK_BAD_BLK_SIZE) && d.blk_size == 512 && d.blk_shift == 0,
               "blk_size %u: finding, 512 used", bad_bs[i]);
    }
    good_config();
    set32(VBLK_CFG_BLK_SIZE, 65536);
    f = vblk_config_check(cfg, all_features, &d);
    expect(!(f & VBLK_BAD_BLK_SIZE) && d.blk_shift == 7, "blk_size 65536 accepted");
    good_config();
    set32(VBLK_CFG_BLK_SIZE, 0);
    f = vblk_config_check(cfg, all_features & ~F(VIRTIO_BLK_F_BLK_SIZE), &d);
    expect(f == 0 && d.blk_size == 512, "blk_size ignored without BLK_SIZE");
    good_config();
    set16(VBLK_CFG_NUM_QUEUES, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_NUM_QUEUES) && d.num_queues == 1, "num_queues 0: finding, one queue");
    good_config();
    set16(VBLK_CFG_NUM_QUEUES, 0xffff);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.num_queues == 0xffff, "num_queues 65535 kept for the plan to cap");
    good_config();
    set64(VBLK_CFG_CAPACITY, UINT64_MAX);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_CAPACITY) && d.blocks == 0, "capacity 2^64-1: start-failing finding");
    good_config();
    set64(VBLK_CFG_CAPACITY, (UINT64_MAX >> 9) + 1);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_CAPACITY) != 0, "capacity 2^55: bytes overflow, finding");
    good_config();
    set64(VBLK_CFG_CAPACITY, UINT64_MAX >> 9);
    f = vblk_config_check(cfg, all_features, &d);
    expect(!(f & VBLK_BAD_CAPACITY), "capacity 2^55-1 sectors accepted");
    good_config();
    set64(VBLK_CFG_CAPACITY, 9);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_ODD_CAPACITY) && d.blocks == 1, "capacity 9 sectors of 4K blocks: 1 block");
    good_config();
    set64(VBLK_CFG_CAPACITY, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.blocks == 0, "capacity 0: an empty disk");
    good_config();
    set32(VBLK_CFG_SIZE_MAX, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == VBLK_ZERO_SIZE_MAX && d.size_max == 0 && d.max_transfer >= (64u << 10),
           "size_max 0 (qemu-storage-daemon): logged, no segment limit (max transfer %u)",
           d.max_transfer);
    d = (struct vblk_disk){0};
    expect(vblk_config_check(cfg, all_features & ~F(VIRTIO_BLK_F_SIZE_MAX), &d) == 0,
           "size_max 0 without VIRTIO_BLK_F_SIZE_MAX: nothing to log");
    good_config();
    set32(VBLK_CFG_SIZE_MAX, 100);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_SIZE_MAX) && d.size_max == 512 && d.max_transfer >= 512,
           "size_max 100: finding, 512 (max transfer %u)", d.max_transfer);
    good_config();
    set32(VBLK_CFG_SIZE_MAX, 512);
    f = vblk_config_check(cfg, all_features, &d);
    expect(d.max_elems * 2 <= d.data_segs && d.max_transfer / 512 + d.max_elems <= d.data_segs,
           "size_max 512: pieces fit the segments (%u elems, %u bytes)", d.max_elems,
           d.max_transfer);
    good_config();
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 16;
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == VBLK_BAD_PHYS_EXP && d.phys_exp == 0 && d.align_off == 0,
           "physical block exponent 16: ignored");
    good_config();
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 3;
    cfg[VBLK_CFG_ALIGNMENT_OFFSET] = 8;
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == VBLK_BAD_ALIGN_OFFSET && d.phys_exp == 3 && d.align_off == 0,
           "alignment offset beyond the block: 0, the exponent kept");
    good_config();
    cfg[VBLK_CFG_PHYS_BLOCK_EXP] = 3;
    cfg[VBLK_CFG_ALIGNMENT_OFFSET] = 7;
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && d.phys_exp == 3 && d.align_off == 7, "topology 3/7 accepted");
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SECT, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_DISCARD) && !d.discard, "max_discard_sectors 0: discard off");
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SECT, 4);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_DISCARD) && !d.discard, "max_discard_sectors below a block: off");
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SEG, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == VBLK_BAD_DISCARD_SEG && d.discard && d.discard_segs == 1,
           "max_discard_seg 0: one range");
    good_config();
    set32(VBLK_CFG_MAX_DISCARD_SEG, 0xffffffffu);
    f = vblk_config_check(cfg, all_features, &d);
    expect(d.discard_segs == VBLK_MAX_RANGES, "max_discard_seg 2^32-1: capped at %u",
           d.discard_segs);
    good_config();
    set32(VBLK_CFG_DISCARD_ALIGN, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_DISCARD_ALIGN) && d.discard_align == 8, "discard alignment 0: a block");
    good_config();
    set32(VBLK_CFG_MAX_WZ_SECT, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_WRITE_ZEROES) && !d.write_zeroes, "max_write_zeroes_sectors 0: off");
    good_config();
    set32(VBLK_CFG_MAX_WZ_SEG, 0);
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == VBLK_BAD_WZ_SEG && d.wz_segs == 1, "max_write_zeroes_seg 0: one range");
    good_config();
    cfg[VBLK_CFG_WRITEBACK] = 7;
    f = vblk_config_check(cfg, all_features, &d);
    expect((f & VBLK_BAD_WRITEBACK) && d.writeback, "writeback 7: write-back assumed");
    good_config();
    cfg[VBLK_CFG_WRITEBACK] = 0;
    f = vblk_config_check(cfg, all_features, &d);
    expect(f == 0 && !d.writeback, "writeback 0: write-through");
    good_config();
    f = vblk_config_check(cfg, F(VIRTIO_BLK_F_RO), &d);
    expect(f == 0 && d.ro && !d.flush && !d.writeback && d.num_queues == 1 &&
               d.data_segs == VBLK_DEFAULT_DATA_SEGS && !d.discard,
           "no features but RO: read-only, write-through, one queue, default segments");
    test_config_more();

    /* Serial: printable prefix, trailing spaces dropped, 20 bytes at most */
    memset(&d, 0, sizeof(d));
    vblk_set_serial(&d, (const uint8_t *)"disk-serial-0001    ", 20);
    expect(d.serial_len == 16 && memcmp(d.serial, "disk-serial-0001", 16) == 0,
           "serial: trailing spaces dropped");
    vblk_set_serial(&d, (const uint8_t *)"abcdefghijklmnopqrstuvwxyz", 26);
    expect(d.serial_len == 20, "serial: 20 bytes without a NUL, no more");
    vblk_set_serial(&d, (const uint8_t *)"ab\x01zz", 5);
    expect(d.serial_len == 2, "serial: cut at a control byte");
    good_config();
    vblk_config_check(cfg, all_features, &d);
    expect(d.serial_len == 2, "serial survives a re-check");
}

static void test_queues(void)
{
    struct vblk_queue_plan p;

    vblk_plan_queues(4, 4, 5, &p);
    expect(p.nqueues == 4 && p.mode == VBLK_MSG_ONE_EACH && p.queue_msg[0] == 1 &&
               p.queue_msg[3] == 4,
           "4 CPUs, 4 queues, 5 messages: one message each");
    vblk_plan_queues(8, 4, 9, &p);
    expect(p.nqueues == 4, "8 CPUs, 4 device queues: 4 queues");
    vblk_plan_queues(2, 16, 17, &p);
    expect(p.nqueues == 2, "2 CPUs, 16 device queues: 2 queues");
    vblk_plan_queues(4, 4, 3, &p);
    expect(p.nqueues == 4 && p.mode == VBLK_MSG_SHARED && p.queue_msg[0] == 1 &&
               p.queue_msg[1] == 2 && p.queue_msg[2] == 1 && p.queue_msg[3] == 2,
           "3 messages for 4 queues: shared round robin, still 4 queues");
    vblk_plan_queues(4, 4, 1, &p);
    expect(p.nqueues == 4 && p.mode == VBLK_MSG_ALL_ONE && p.queue_msg[3] == 0,
           "one message: all on message 0, still 4 queues");
    vblk_plan_queues(4, 4, 0, &p);
    expect(p.nqueues == 4 && p.mode == VBLK_MSG_ALL_ONE, "line interrupt: 4 queues on it");
    vblk_plan_queues(256, 0xffff, 300, &p);
    expect(p.nqueues == VBLK_MAX_QUEUES, "65535 device queues, 256 CPUs: capped at %u", p.nqueues);
    vblk_plan_queues(0, 0, 0, &p);
    expect(p.nqueues == 1, "0 CPUs, 0 queues: one queue");
    unsigned bad = 0;
    for (unsigned c = 1; c <= 70; c++)
        for (unsigned m = 0; m <= 70; m++) {
            vblk_plan_queues(c, 64, m, &p);
            for (unsigned q = 0; q < p.nqueues; q++)
                if (m > 0 ? p.queue_msg[q] >= m : p.queue_msg[q] != 0)
                    bad++;
        }
    expect(bad == 0, "every queue's message is one granted (70x71 plans, %u bad)", bad);
    /* The depth StorPort is told: ring capacity x queues */
    static const uint16_t sizes[4] = {256, 256, 256, 256}, odd[2] = {16, 2};
    expect(vblk_queue_depth(sizes, 4, true) == 1024, "4 rings of 256, indirect: depth 1024 (%u)",
           vblk_queue_depth(sizes, 4, true));
    expect(vblk_queue_depth(sizes, 1, true) == 256, "1 ring of 256: depth 256");
    expect(vblk_queue_depth(sizes, 4, false) == 4 * 85, "4 rings of 256, direct: 85 each (%u)",
           vblk_queue_depth(sizes, 4, false));
    expect(vblk_queue_depth(odd, 2, false) == 5, "rings of 16 and 2, direct: 5 + 0");
    expect(vblk_queue_depth(odd, 0, true) == 1 && vblk_queue_depth(odd + 1, 1, false) == 1,
           "no queue or no room: depth 1, never 0");
}

/* ---- SCSI ---- */
static struct vblk_disk disk;
static uint8_t buf[8192];
static struct vblk_range ranges[VBLK_MAX_RANGES];

static enum vblk_action run(const uint8_t *cdb, unsigned len, bool in, uint32_t data_len,
                            struct vblk_cmd *c)
{
    memset(c, 0, sizeof(*c));
    c->cdb = cdb;
    c->cdb_len = len;
    c->data = buf;
    c->data_len = data_len;
    c->data_in = in;
    c->ranges = ranges;
    return vblk_scsi_translate(&disk, c);
}

static bool sense_is(const struct vblk_cmd *c, uint8_t key, uint8_t asc)
{
    return c->status == SCSI_STATUS_CHECK_CONDITION && c->sense_valid && c->sense[0] == 0x70 &&
           c->sense[2] == key && c->sense[12] == asc && c->sense[7] == 10;
}

static void fresh_disk(void)
{
    good_config();
    memset(&disk, 0, sizeof(disk));
    vblk_config_check(cfg, all_features, &disk);
    vblk_set_serial(&disk, (const uint8_t *)"SER123", 6);
}

static void test_inquiry(void)
{
    struct vblk_cmd c;
    fresh_disk();

    uint8_t std[6] = {0x12, 0, 0, 0, 96, 0};
    expect(run(std, 6, true, 96, &c) == VBLK_DONE && c.status == 0 && c.data_len == 36 &&
               buf[0] == 0 && buf[2] == 6 && memcmp(buf + 8, "VirtIO  ", 8) == 0,
           "INQUIRY standard: disk, SPC-4, 36 bytes");
    uint8_t std5[6] = {0x12, 0, 0, 0, 5, 0};
    run(std5, 6, true, 96, &c);
    expect(c.data_len == 5, "INQUIRY truncated to the allocation length (%u)", c.data_len);
    run(std, 6, true, 10, &c);
    expect(c.data_len == 10, "INQUIRY truncated to the buffer");
    uint8_t badpage[6] = {0x12, 0, 0x80, 0, 96, 0};
    run(badpage, 6, true, 96, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "INQUIRY page without EVPD: refused");
    uint8_t cmddt[6] = {0x12, 2, 0, 0, 96, 0};
    run(cmddt, 6, true, 96, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "INQUIRY CMDDT: refused");

    uint8_t v0[6] = {0x12, 1, 0x00, 0, 255, 0};
    run(v0, 6, true, 255, &c);
    expect(c.status == 0 && buf[1] == 0 && buf[3] == 6 && buf[4] == 0 && buf[5] == 0x80 &&
               buf[6] == 0x83 && buf[7] == 0xb0 && buf[8] == 0xb1 && buf[9] == 0xb2,
           "VPD 0x00 lists 00 80 83 B0 B1 B2");
    uint8_t v80[6] = {0x12, 1, 0x80, 0, 255, 0};
    run(v80, 6, true, 255, &c);
    expect(c.status == 0 && buf[3] == 6 && memcmp(buf + 4, "SER123", 6) == 0,
           "VPD 0x80: serial from GET_ID");
    uint8_t v83[6] = {0x12, 1, 0x83, 0, 255, 0};
    run(v83, 6, true, 255, &c);
    expect(c.status == 0 && buf[4] == 2 && buf[5] == 1 && buf[7] == 14 &&
               memcmp(buf + 8, "VirtIO  SER123", 14) == 0 && c.data_len == 22,
           "VPD 0x83: T10 vendor designator with the serial");
    uint8_t vpdb0[6] = {0x12, 1, 0xb0, 0, 255, 0};
    expect(vblk_scsi_needs_serial(v80, 6) && vblk_scsi_needs_serial(v83, 6) &&
               !vblk_scsi_needs_serial(v0, 6) && !vblk_scsi_needs_serial(vpdb0, 6) &&
               !vblk_scsi_needs_serial(std, 6) && !vblk_scsi_needs_serial(badpage, 6) &&
               !vblk_scsi_needs_serial(v80, 5) && !vblk_scsi_needs_serial(NULL, 6),
           "the INQUIRYs that carry the serial: VPD 0x80 and 0x83 only");
    disk.serial_len = 0;
    run(v83, 6, true, 255, &c);
    expect(c.status == 0 && buf[7] == 24, "VPD 0x83 without a serial: vendor + product");
    uint8_t vb0[6] = {0x12, 1, 0xb0, 0, 255, 0};
    run(vb0, 6, true, 255, &c);
    expect(c.status == 0 && buf[3] == 0x3c && (buf[4] & 1) &&
               ((uint32_t)buf[8] << 24 | buf[9] << 16 | buf[10] << 8 | buf[11]) ==
                   disk.max_transfer / 4096 &&
               buf[27] == 8 && buf[21] == 0x08 && buf[31] == 1,
           "VPD 0xB0: max transfer, unmap count, 8 descriptors, granularity 1");
    expect(buf[32] == 0x80 && buf[33] == 0 && buf[34] == 0 && buf[35] == 0,
           "VPD 0xB0: UGAVALID, unmap granularity alignment 0 (%02x %02x %02x %02x)", buf[32],
           buf[33], buf[34], buf[35]);
    uint32_t keep_align = disk.discard_align;
    disk.discard_align = 8 * (1u << disk.blk_shift); /* 8 blocks */
    run(vb0, 6, true, 255, &c);
    expect(c.status == 0 && buf[28] == 0 && buf[29] == 0 && buf[30] == 0 && buf[31] == 8 &&
               buf[32] == 0x80 && buf[35] == 0,
           "VPD 0xB0: discard_sector_alignment of 8 blocks: granularity 8, aligned at LBA 0");
    disk.discard_align = keep_align;
    disk.discard = false;
    run(vb0, 6, true, 255, &c);
    expect(c.status == 0 && buf[20] == 0 && buf[23] == 0 && buf[31] == 0 && buf[32] == 0,
           "VPD 0xB0 without discard: no unmap limits, granularity or UGAVALID");
    disk.discard = true;
    uint8_t vb1[6] = {0x12, 1, 0xb1, 0, 255, 0};
    run(vb1, 6, true, 255, &c);
    expect(c.status == 0 && buf[5] == 1, "VPD 0xB1: non-rotating");
    uint8_t vb2[6] = {0x12, 1, 0xb2, 0, 255, 0};
    run(vb2, 6, true, 255, &c);
    expect(c.status == 0 && buf[5] == 0xc0 && buf[6] == 2, "VPD 0xB2: LBPU, LBPWS, thin");
    disk.discard = false;
    disk.write_zeroes = false;
    run(vb2, 6, true, 255, &c);
    expect(c.status == 0 && buf[5] == 0 && buf[6] == 0, "VPD 0xB2 without discard: none");
    uint8_t vbad[6] = {0x12, 1, 0x86, 0, 255, 0};
    run(vbad, 6, true, 255, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "VPD 0x86: refused");
}

static void test_capacity_mode(void)
{
    struct vblk_cmd c;
    fresh_disk();

    uint8_t rc10[10] = {0x25};
    run(rc10, 10, true, 8, &c);
    expect(c.status == 0 && c.data_len == 8 && buf[0] == 0 && buf[1] == 3 && buf[2] == 0xff &&
               buf[3] == 0xff && buf[6] == 0x10,
           "READ CAPACITY(10): last LBA 262143, 4096 bytes");
    disk.blocks = 1ull << 33;
    run(rc10, 10, true, 8, &c);
    expect(c.status == 0 && buf[0] == 0xff && buf[3] == 0xff,
           "READ CAPACITY(10) above 2 TiB: FFFFFFFF");
    fresh_disk();
    disk.phys_exp = 3;
    disk.align_off = 0x123;
    uint8_t rc16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 32, 0, 0};
    run(rc16, 16, true, 32, &c);
    expect(c.status == 0 && c.data_len == 32 && buf[7] == 0xff && buf[10] == 0x10 && buf[13] == 3 &&
               buf[14] == (0x80 | 0x01) && buf[15] == 0x23,
           "READ CAPACITY(16): exponent 3, LBPME, lowest aligned 0x123");
    uint8_t sa[16] = {0x9e, 0x11};
    run(sa, 16, true, 32, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD),
           "SERVICE ACTION IN other than 0x10: refused");

    fresh_disk();
    uint8_t ms6[6] = {0x1a, 0, 0x08, 0, 255, 0};
    run(ms6, 6, true, 255, &c);
    expect(c.status == 0 && c.data_len == 32 && buf[0] == 31 && buf[2] == 0x10 && buf[3] == 8 &&
               buf[12] == 8 && buf[13] == 0x12 && (buf[14] & 4),
           "MODE SENSE(6) caching: DPOFUA, block descriptor, WCE set");
    uint8_t ms6all[6] = {0x1a, 0x08, 0x3f, 0, 255, 0};
    run(ms6all, 6, true, 255, &c);
    expect(c.status == 0 && c.data_len == 24 && buf[3] == 0 && buf[4] == 8,
           "MODE SENSE(6) all pages, DBD: caching page only");
    uint8_t ms10[10] = {0x5a, 0, 0x08, 0, 0, 0, 0, 0, 255, 0};
    run(ms10, 10, true, 255, &c);
    expect(c.status == 0 && c.data_len == 36 && buf[1] == 34 && buf[7] == 8 && buf[16] == 8,
           "MODE SENSE(10) caching");
    uint8_t msch[6] = {0x1a, 0x08, 0x48, 0, 255, 0};
    run(msch, 6, true, 255, &c);
    expect(c.status == 0 && (buf[6] & 4), "MODE SENSE changeable: WCE changeable with CONFIG_WCE");
    uint8_t mssv[6] = {0x1a, 0x08, 0xc8, 0, 255, 0};
    run(mssv, 6, true, 255, &c);
    expect(sense_is(&c, 5, SCSI_ASC_SAVING_UNSUPPORTED), "MODE SENSE saved values: refused");
    uint8_t msbad[6] = {0x1a, 0, 0x0a, 0, 255, 0};
    run(msbad, 6, true, 255, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "MODE SENSE page 0x0A: refused");
    uint8_t mssub[6] = {0x1a, 0, 0x08, 1, 255, 0};
    run(mssub, 6, true, 255, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "MODE SENSE subpage: refused");
    disk.ro = true;
    run(ms6, 6, true, 255, &c);
    expect(c.status == 0 && (buf[2] & 0x80), "MODE SENSE of a read-only disk: WP");
    disk.ro = false;
    uint8_t ms4[6] = {0x1a, 0, 0x08, 0, 4, 0};
    run(ms4, 6, true, 255, &c);
    expect(c.status == 0 && c.data_len == 4, "MODE SENSE truncated to 4 bytes");

    /* MODE SELECT: the caching page's WCE */
    uint8_t sel6[6] = {0x15, 0x10, 0, 0, 24, 0};
    memset(buf, 0, 64);
    buf[4] = 8, buf[5] = 0x12, buf[6] = 0; /* header 4, page at 4 */
    expect(run(sel6, 6, false, 24, &c) == VBLK_SET_WCE && c.io.wce == 0,
           "MODE SELECT(6) WCE 0: set write-through");
    buf[6] = 4;
    expect(run(sel6, 6, false, 24, &c) == VBLK_DONE && c.status == 0,
           "MODE SELECT(6) WCE unchanged: good, nothing to do");
    uint8_t sel10[10] = {0x55, 0x10, 0, 0, 0, 0, 0, 0, 36, 0};
    memset(buf, 0, 64);
    buf[7] = 8; /* a block descriptor */
    buf[16] = 8, buf[17] = 0x12, buf[18] = 0;
    expect(run(sel10, 10, false, 36, &c) == VBLK_SET_WCE && c.io.wce == 0,
           "MODE SELECT(10) past a block descriptor");
    buf[16] = 0x0a;
    run(sel10, 10, false, 36, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD), "MODE SELECT of page 0x0A: refused");
    buf[16] = 8, buf[7] = 200;
    run(sel10, 10, false, 36, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD),
           "MODE SELECT descriptor length beyond the list");
    uint8_t selnopf[6] = {0x15, 0, 0, 0, 24, 0};
    run(selnopf, 6, false, 24, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "MODE SELECT without PF: refused");
    uint8_t sellong[6] = {0x15, 0x10, 0, 0, 200, 0};
    run(sellong, 6, false, 24, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "MODE SELECT longer than the buffer");
    disk.config_wce = false;
    memset(buf, 0, 64);
    buf[4] = 8, buf[5] = 0x12, buf[6] = 0;
    run(sel6, 6, false, 24, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD),
           "MODE SELECT WCE without CONFIG_WCE: refused");
}

static void test_rw(void)
{
    struct vblk_cmd c;
    fresh_disk();

    uint8_t r6[6] = {0x08, 0, 0, 16, 2, 0};
    expect(run(r6, 6, true, 8192, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_IN &&
               c.io.sector == 128 && c.io.bytes == 8192 && !c.io.fua,
           "READ(6): LBA 16, 2 blocks -> IN sector 128, 8192 bytes");
    uint8_t r6z[6] = {0x08, 0, 0, 0, 0, 0};
    disk.max_transfer = 1u << 20;
    expect(run(r6z, 6, true, 1u << 20, &c) == VBLK_IO && c.io.bytes == 256 * 4096,
           "READ(6) length 0 means 256 blocks");
    uint8_t w6[6] = {0x0a, 0, 0, 1, 1, 0};
    expect(run(w6, 6, false, 4096, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_OUT && !c.io.fua,
           "WRITE(6) -> OUT, no FUA");
    uint8_t r10[10] = {0x28, 0, 0, 0, 0, 5, 0, 0, 1, 0};
    expect(run(r10, 10, true, 4096, &c) == VBLK_IO && c.io.sector == 40, "READ(10)");
    uint8_t w10[10] = {0x2a, 0x08, 0, 0, 0, 5, 0, 0, 1, 0};
    expect(run(w10, 10, false, 4096, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_OUT && c.io.fua,
           "WRITE(10) FUA on a write-back cache: FLUSH follows");
    disk.writeback = false;
    run(w10, 10, false, 4096, &c);
    expect(!c.io.fua, "WRITE(10) FUA on write-through: no flush needed");
    disk.writeback = true;
    uint8_t r12[12] = {0xa8, 0, 0, 0, 0, 7, 0, 0, 0, 1};
    expect(run(r12, 12, true, 4096, &c) == VBLK_IO && c.io.sector == 56, "READ(12)");
    uint8_t w12[12] = {0xaa, 0, 0, 0, 0, 7, 0, 0, 0, 1};
    expect(run(w12, 12, false, 4096, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_OUT, "WRITE(12)");
    uint8_t r16[16] = {0x88, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0, 0, 0, 1};
    expect(run(r16, 16, true, 4096, &c) == VBLK_IO && c.io.sector == 262143ull * 8,
           "READ(16) of the last block");
    uint8_t w16[16] = {0x8a, 0x08, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    expect(run(w16, 16, false, 4096, &c) == VBLK_IO && c.io.fua, "WRITE(16) FUA");
    uint8_t past[16] = {0x88, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1};
    run(past, 16, true, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "READ(16) past the end: LBA out of range");
    uint8_t straddle[16] = {0x88, 0, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 0, 0, 0, 2};
    run(straddle, 16, true, 8192, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "READ(16) across the end: out of range");
    uint8_t wrap[16] = {0x88, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2};
    run(wrap, 16, true, 8192, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE),
           "READ(16) at LBA 2^64-1 (sum wraps): out of range");
    uint8_t big[16] = {0x88, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0};
    run(big, 16, true, 8192, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "READ(16) beyond the data buffer: refused");
    uint8_t r10z[10] = {0x28, 0, 0, 0, 0, 5, 0, 0, 0, 0};
    expect(run(r10z, 10, true, 0, &c) == VBLK_DONE && c.status == 0, "READ(10) of 0 blocks: good");
    run(r10, 10, false, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "READ with a data-out buffer: refused");
    run(r10, 6, true, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "READ(10) in a 6-byte CDB: refused");
    disk.ro = true;
    run(w10, 10, false, 4096, &c);
    expect(sense_is(&c, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED),
           "WRITE(10) to a read-only disk: DATA PROTECT");
    run(w6, 6, false, 4096, &c);
    expect(sense_is(&c, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED), "WRITE(6) read-only");
    expect(run(r10, 10, true, 4096, &c) == VBLK_IO, "READ of a read-only disk");
    disk.ro = false;

    uint8_t v10[10] = {0x2f, 0, 0, 0, 0, 5, 0, 0, 1, 0};
    expect(run(v10, 10, false, 0, &c) == VBLK_DONE && c.status == 0, "VERIFY(10): range good");
    uint8_t v12[12] = {0xaf, 0, 0, 0, 0, 5, 0, 0, 0, 1};
    expect(run(v12, 12, false, 0, &c) == VBLK_DONE && c.status == 0, "VERIFY(12)");
    uint8_t v16[16] = {0x8f, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1};
    run(v16, 16, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "VERIFY(16) past the end");
    uint8_t vbyt[10] = {0x2f, 0x02, 0, 0, 0, 5, 0, 0, 1, 0};
    run(vbyt, 10, false, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "VERIFY BYTCHK: refused");

    uint8_t sc10[10] = {0x35};
    expect(run(sc10, 10, false, 0, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_FLUSH,
           "SYNCHRONIZE CACHE(10) -> FLUSH");
    uint8_t sc16[16] = {0x91};
    expect(run(sc16, 16, false, 0, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_FLUSH,
           "SYNCHRONIZE CACHE(16) -> FLUSH");
    uint8_t sc10r[10] = {0x35, 0, 0, 3, 0xff, 0xff, 0, 0, 1, 0}; /* the last block */
    expect(run(sc10r, 10, false, 0, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_FLUSH,
           "SYNCHRONIZE CACHE(10) of the last block -> FLUSH");
    sc10r[8] = 2;
    run(sc10r, 10, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE),
           "sync range: SYNCHRONIZE CACHE(10) across the end: LBA out of range");
    uint8_t sc16r[16] = {0x91, 0, 0, 0, 0, 0, 0, 4, 0, 1}; /* LBA past the end, 0 blocks */
    run(sc16r, 16, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE),
           "sync range: SYNCHRONIZE CACHE(16) from past the end: LBA out of range");
    run(sc10, 6, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "SYNCHRONIZE CACHE(10) in 6 bytes");
    disk.flush = false;
    expect(run(sc10, 10, false, 0, &c) == VBLK_DONE && c.status == 0,
           "SYNCHRONIZE CACHE without FLUSH: good (no volatile cache)");
    run(sc10r, 10, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "sync range: checked without FLUSH too");
}

/* RDPROTECT/WRPROTECT/VRPROTECT non-zero on a disk without protection
 * information: INVALID FIELD IN CDB pointing at byte 1 bit 7 (SBC-3) */
static void test_protect(void)
{
    struct vblk_cmd c;
    fresh_disk();

    static const uint8_t ops[][2] = {{0x28, 10}, {0x2a, 10}, {0x2f, 10}, {0xa8, 12}, {0xaa, 12},
                                     {0xaf, 12}, {0x88, 16}, {0x8a, 16}, {0x8f, 16}, {0x93, 16}};
    unsigned refused = 0, tried = 0, bad_op = 0, bad_prot = 0;
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        for (uint8_t prot = 1; prot < 8; prot++) {
            uint8_t cdb[16] = {ops[i][0], (uint8_t)(prot << 5 | (ops[i][0] == 0x93 ? 0x01 : 0))};
            cdb[ops[i][1] == 10 ? 8 : ops[i][1] == 12 ? 9 : 13] = 1; /* one block */
            bool in = ops[i][0] == 0x28 || ops[i][0] == 0xa8 || ops[i][0] == 0x88;
            memset(buf, 0, 4096);
            run(cdb, ops[i][1], in, 4096, &c);
            tried++;
            if (sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD) && c.sense[13] == 0 &&
                c.sense[15] == 0xcf && c.sense[16] == 0 && c.sense[17] == 1)
                refused++;
            else if (bad_op == 0)
                bad_op = ops[i][0], bad_prot = prot;
        }
    }
    expect(refused == tried,
           "protect field 1-7 of READ/WRITE/VERIFY(10/12/16), WRITE SAME(16): refused "
           "pointing at byte 1 bit 7 (%u of %u; first miss opcode 0x%02x field %u)",
           refused, tried, bad_op, bad_prot);
    disk.ro = true;
    uint8_t w10[10] = {0x2a, 0x20, 0, 0, 0, 5, 0, 0, 1, 0};
    run(w10, 10, false, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD),
           "WRPROTECT on a read-only disk: the CDB field first, then the medium");
    disk.ro = false;
    uint8_t r10[10] = {0x28, 0x18, 0, 0, 0, 5, 0, 0, 1, 0}; /* DPO and FUA only */
    expect(run(r10, 10, true, 4096, &c) == VBLK_IO, "READ(10) DPO|FUA, RDPROTECT 0: read");
}

/* NACA (CONTROL byte bit 2) set in any CDB the translation knows: ILLEGAL
 * REQUEST, INVALID FIELD IN CDB pointing at the CONTROL byte's bit 2
 * (SAM-5 5.3: NACA not supported); never a request to the device */
static void test_naca(void)
{
    struct vblk_cmd c;
    fresh_disk();

    static const uint8_t ops[][2] = {
        {0x00, 6},  {0x03, 6},  {0x12, 6},  {0x1b, 6},  {0x08, 6},  {0x0a, 6},  {0x15, 6},
        {0x1a, 6},  {0x25, 10}, {0x28, 10}, {0x2a, 10}, {0x2f, 10}, {0x35, 10}, {0x42, 10},
        {0x55, 10}, {0x5a, 10}, {0x88, 16}, {0x8a, 16}, {0x8f, 16}, {0x91, 16}, {0x93, 16},
        {0x9e, 16}, {0xa0, 12}, {0xa8, 12}, {0xaa, 12}, {0xaf, 12}};
    unsigned refused = 0, tried = 0, bad_op = 0;
    for (unsigned i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
        uint8_t cdb[16] = {ops[i][0]};
        unsigned len = ops[i][1];
        cdb[len - 1] = 0x04; /* NACA */
        if (ops[i][0] == 0x12)
            cdb[4] = 96;
        if (ops[i][0] == 0x9e)
            cdb[1] = 0x10, cdb[13] = 32;
        if (ops[i][0] == 0xa0)
            cdb[9] = 16;
        memset(buf, 0, 4096);
        enum vblk_action a = run(cdb, len, true, 4096, &c);
        tried++;
        if (a == VBLK_DONE && sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD) && c.sense[13] == 0 &&
            c.sense[15] == 0xca && c.sense[16] == 0 && c.sense[17] == len - 1)
            refused++;
        else if (bad_op == 0)
            bad_op = ops[i][0] | 0x100;
    }
    expect(refused == tried,
           "NACA set: refused pointing at the CONTROL byte, bit 2 (%u of %u; first miss "
           "opcode 0x%02x)",
           refused, tried, bad_op & 0xff);
    uint8_t r10[10] = {0x28, 0, 0, 0, 0, 5, 0, 0, 1, 0x03}; /* LINK and flag bits, not NACA */
    expect(run(r10, 10, true, 4096, &c) == VBLK_IO, "CONTROL bits other than NACA: read");
    uint8_t vendor[6] = {0xc0, 0, 0, 0, 0, 0x04};
    run(vendor, 6, true, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_OPCODE),
           "an opcode the translation does not know: INVALID COMMAND OPERATION CODE first");
    uint8_t inq80[6] = {0x12, 0x01, 0x80, 0, 96, 0x04};
    expect(!vblk_scsi_needs_serial(inq80, 6), "INQUIRY VPD 0x80 with NACA: no serial asked for");
}

static void test_unmap_ws(void)
{
    struct vblk_cmd c;
    fresh_disk();

    uint8_t um[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 40, 0};
    memset(buf, 0, 64);
    buf[1] = 38, buf[3] = 32;
    buf[8 + 7] = 10, buf[8 + 11] = 2;    /* LBA 10, 2 blocks */
    buf[24 + 7] = 100, buf[24 + 11] = 0; /* empty: skipped */
    expect(run(um, 10, false, 40, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_DISCARD &&
               c.io.nranges == 1,
           "UNMAP: one range (an empty descriptor skipped)");
    const uint8_t *r = (const uint8_t *)ranges;
    expect(r[0] == 80 && r[8] == 16 && r[12] == 0, "UNMAP range: sector 80, 16 sectors, LE");
    buf[24 + 11] = 1;
    expect(run(um, 10, false, 40, &c) == VBLK_IO && c.io.nranges == 2, "UNMAP: two ranges");
    buf[24 + 5] = 0x10; /* LBA beyond */
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "UNMAP range past the end");
    buf[24 + 5] = 0;
    buf[3] = 33;
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD), "UNMAP descriptor length not 16n");
    buf[3] = 160;
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD), "UNMAP descriptors beyond the list");
    uint8_t um200[10] = {0x42, 0, 0, 0, 0, 0, 0, 0, 200, 0};
    memset(buf, 0, 256);
    buf[3] = 144; /* 9 descriptors, device allows 8 */
    for (unsigned i = 0; i < 9; i++)
        buf[8 + 16 * i + 7] = (uint8_t)i, buf[8 + 16 * i + 11] = 1;
    run(um200, 10, false, 200, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD),
           "UNMAP with more ranges than max_discard_seg");
    memset(buf, 0, 64);
    buf[3] = 16;
    buf[8 + 7] = 0, buf[8 + 10] = 0x20; /* 8192 blocks = 65536 sectors */
    disk.max_discard = 65535;
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_PARAM_FIELD), "UNMAP range above max_discard_sectors");
    disk.ro = true;
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED), "UNMAP on read-only");
    disk.ro = false;
    disk.discard = false;
    run(um, 10, false, 40, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_OPCODE), "UNMAP without DISCARD: invalid opcode");

    fresh_disk();
    uint8_t ws[16] = {0x93, 0x08, 0, 0, 0, 0, 0, 0, 0, 4, 0, 0, 0, 8};
    memset(buf, 0, 4096);
    expect(run(ws, 16, false, 4096, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_WRITE_ZEROES &&
               r[0] == 32 && r[8] == 64 && r[12] == VIRTIO_BLK_WZ_FLAG_UNMAP,
           "WRITE SAME(16) UNMAP -> WRITE_ZEROES with the unmap flag");
    ws[1] = 0;
    expect(run(ws, 16, false, 4096, &c) == VBLK_IO && r[12] == 0,
           "WRITE SAME(16) zero block -> WRITE_ZEROES");
    buf[100] = 1;
    run(ws, 16, false, 4096, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "WRITE SAME(16) non-zero pattern: refused");
    ws[1] = 0x01; /* NDOB */
    expect(run(ws, 16, false, 0, &c) == VBLK_IO, "WRITE SAME(16) NDOB: zeroes without a buffer");
    ws[13] = 0;
    run(ws, 16, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "WRITE SAME(16) of 0 blocks (WSNZ)");
    uint8_t wsp[16] = {0x93, 0x09, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 1};
    run(wsp, 16, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_LBA_OUT_OF_RANGE), "WRITE SAME(16) past the end");
    disk.write_zeroes = false;
    ws[13] = 8, ws[1] = 0x09;
    expect(run(ws, 16, false, 0, &c) == VBLK_IO && c.io.type == VIRTIO_BLK_T_DISCARD,
           "WRITE SAME(16) UNMAP without WRITE_ZEROES -> DISCARD");
    ws[1] = 0x01;
    run(ws, 16, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD),
           "WRITE SAME(16) zeroes without WRITE_ZEROES");
    disk.ro = true;
    ws[1] = 0x09;
    run(ws, 16, false, 0, &c);
    expect(sense_is(&c, SCSI_SENSE_DATA_PROTECT, SCSI_ASC_WRITE_PROTECTED),
           "WRITE SAME on read-only");
}

static void test_misc(void)
{
    struct vblk_cmd c;
    fresh_disk();

    uint8_t tur[6] = {0};
    expect(run(tur, 6, false, 0, &c) == VBLK_DONE && c.status == 0, "TEST UNIT READY: good");
    uint8_t ssu[6] = {0x1b, 0, 0, 0, 1, 0};
    expect(run(ssu, 6, false, 0, &c) == VBLK_DONE && c.status == 0, "START STOP UNIT: good");
    uint8_t rl[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 64};
    run(rl, 12, true, 64, &c);
    expect(c.status == 0 && c.data_len == 16 && buf[3] == 8 && buf[8] == 0,
           "REPORT LUNS: LUN 0 only");
    uint8_t rl8[12] = {0xa0, 0, 0, 0, 0, 0, 0, 0, 0, 8};
    run(rl8, 12, true, 64, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_CDB_FIELD), "REPORT LUNS allocation below 16");
    uint8_t rs[6] = {0x03, 0, 0, 0, 18, 0};
    run(rs, 6, true, 64, &c);
    expect(c.status == 0 && c.data_len == 18 && buf[0] == 0x70 && buf[2] == 0,
           "REQUEST SENSE: no sense");
    static const uint8_t unsupported[] = {0x04, 0x1e, 0x3b, 0x3c, 0x41,
                                          0x4d, 0x5e, 0x89, 0xa3, 0xff};
    for (unsigned i = 0; i < sizeof(unsupported); i++) {
        uint8_t u[16] = {unsupported[i]};
        run(u, 16, true, 64, &c);
        expect(sense_is(&c, 5, SCSI_ASC_INVALID_OPCODE), "opcode 0x%02x: invalid opcode",
               unsupported[i]);
    }
    run(tur, 0, false, 0, &c);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_OPCODE), "empty CDB: refused");
    c.cdb = NULL;
    expect(vblk_scsi_translate(&disk, &c) == VBLK_DONE && c.status == 2, "no CDB: refused");
}

static void test_complete(void)
{
    struct vblk_cmd c = {0};

    c.io.type = VIRTIO_BLK_T_IN, c.io.bytes = 4096;
    vblk_scsi_complete(&c, VIRTIO_BLK_S_OK, 4097);
    expect(c.status == 0 && c.data_len == 4096, "IN OK with 4097 bytes written: good");
    vblk_scsi_complete(&c, VIRTIO_BLK_S_OK, 1);
    expect(sense_is(&c, SCSI_SENSE_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE),
           "IN OK but only the status written: not believed");
    vblk_scsi_complete(&c, VIRTIO_BLK_S_IOERR, 1);
    expect(sense_is(&c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_UNRECOVERED_READ),
           "IN IOERR: medium error");
    c.io.type = VIRTIO_BLK_T_OUT;
    vblk_scsi_complete(&c, VIRTIO_BLK_S_OK, 1);
    expect(c.status == 0, "OUT OK");
    vblk_scsi_complete(&c, VIRTIO_BLK_S_IOERR, 1);
    expect(sense_is(&c, SCSI_SENSE_MEDIUM_ERROR, SCSI_ASC_WRITE_ERROR), "OUT IOERR: write error");
    c.io.type = VIRTIO_BLK_T_FLUSH;
    vblk_scsi_complete(&c, VIRTIO_BLK_S_IOERR, 1);
    expect(sense_is(&c, SCSI_SENSE_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE), "FLUSH IOERR");
    vblk_scsi_complete(&c, VIRTIO_BLK_S_UNSUPP, 1);
    expect(sense_is(&c, 5, SCSI_ASC_INVALID_OPCODE), "UNSUPP: invalid opcode");
    for (unsigned s = 3; s < 256; s++) {
        vblk_scsi_complete(&c, (uint8_t)s, 1);
        if (!sense_is(&c, SCSI_SENSE_HARDWARE_ERROR, SCSI_ASC_INTERNAL_FAILURE)) {
            expect(0, "status byte %u: hardware error", s);
            return;
        }
    }
    expect(1, "status bytes 3..255 (0xff: none written): hardware error");
}

int main(void)
{
    test_config();
    test_max_transfer();
    test_queues();
    test_inquiry();
    test_capacity_mode();
    test_rw();
    test_protect();
    test_naca();
    test_unmap_ws();
    test_misc();
    test_complete();
    return hostcheck_end();
}
