/*
 * Host unit tests of vioscsi's OS-neutral half (check-vioscsi, under ASan
 * and UBSan): every hostile configuration value, the registry parameters,
 * the queue and message plan, the request header, every response code and
 * response field, task management and every event.  A copy built with
 * VSCSI_PLANTED_RESID (a residual trusted as the device wrote it) must fail.
 */
#define HOSTCHECK_PREFIX "vscsi: "
#include "hostcheck.h"

#include <string.h>

#include "../../vscsi.h"

static uint8_t cfg[VSCSI_CFG_BYTES];

static void set16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8);
}
static void set32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

#define F(bit) (1ull << (bit))
static const uint64_t all_features = F(VIRTIO_SCSI_F_HOTPLUG) | F(VIRTIO_SCSI_F_CHANGE);

/* A sane device, as QEMU's defaults: 4 queues, 126 segments */
static void good_config(void)
{
    memset(cfg, 0, sizeof(cfg));
    set32(cfg + VSCSI_CFG_NUM_QUEUES, 4);
    set32(cfg + VSCSI_CFG_SEG_MAX, 126);
    set32(cfg + VSCSI_CFG_MAX_SECTORS, 0xffff);
    set32(cfg + VSCSI_CFG_CMD_PER_LUN, 128);
    set32(cfg + VSCSI_CFG_EVENT_INFO_SIZE, 16);
    set32(cfg + VSCSI_CFG_SENSE_SIZE, 96);
    set32(cfg + VSCSI_CFG_CDB_SIZE, 32);
    set16(cfg + VSCSI_CFG_MAX_CHANNEL, 0);
    set16(cfg + VSCSI_CFG_MAX_TARGET, 255);
    set32(cfg + VSCSI_CFG_MAX_LUN, 16383);
}

/* One hostile value at off (32 bits, or 16 when wide is false): its finding */
static void one_bad(unsigned off, uint32_t v, int wide, unsigned want, const char *what,
                    struct vscsi_ctrl *c)
{
    good_config();
    if (wide)
        set32(cfg + off, v);
    else
        set16(cfg + off, (uint16_t)v);
    unsigned f = vscsi_config_check(cfg, sizeof(cfg), all_features, c);
    expect(f == want, "%s: finding 0x%x (want 0x%x)", what, f, want);
}

/* One hostile value's log line: the field by its spec name, the device's
 * value, and the number used instead (or the phrase) */
static void logged(unsigned off, uint32_t v, int wide, unsigned want, const char *field,
                   uint64_t used, const char *instead)
{
    struct vscsi_ctrl c;
    struct vw_bad_value bad;

    one_bad(off, v, wide, want, field, &c);
    if (!vscsi_finding_value(want, cfg, sizeof(cfg), &c, &bad)) {
        expect(0, "%s: finding 0x%x has no log line", field, want);
        return;
    }
    expect(strcmp(bad.field, field) == 0 && bad.value == v, "finding 0x%x names %s %llu", want,
           bad.field, (unsigned long long)bad.value);
    if (instead != NULL)
        expect(bad.instead != NULL && strcmp(bad.instead, instead) == 0, "%s %u: \"%s\"", field, v,
               bad.instead != NULL ? bad.instead : "(a number)");
    else
        expect(bad.instead == NULL && bad.used == used, "%s %u: %llu used (want %llu)", field, v,
               (unsigned long long)bad.used, (unsigned long long)used);
}

/* Every config check has one log line naming its field, value and replacement */
static void test_config_logged(void)
{
    struct vscsi_ctrl c;
    struct vw_bad_value bad;

    logged(VSCSI_CFG_NUM_QUEUES, 0, 1, VSCSI_BAD_NUM_QUEUES, "num_queues", 1, NULL);
    logged(VSCSI_CFG_SEG_MAX, 0, 1, VSCSI_BAD_SEG_MAX, "seg_max", 0, "the start fails");
    logged(VSCSI_CFG_MAX_SECTORS, 0, 1, VSCSI_BAD_MAX_SECTORS, "max_sectors", 8, NULL);
    logged(VSCSI_CFG_CMD_PER_LUN, 0, 1, VSCSI_BAD_CMD_PER_LUN, "cmd_per_lun", 1, NULL);
    logged(VSCSI_CFG_EVENT_INFO_SIZE, 4, 1, VSCSI_BAD_EVENT_SIZE, "event_info_size", 16, NULL);
    logged(VSCSI_CFG_EVENT_INFO_SIZE, 1000, 1, VSCSI_BAD_EVENT_SIZE, "event_info_size",
           VSCSI_EVENT_MAX_BYTES, NULL);
    logged(VSCSI_CFG_SENSE_SIZE, 257, 1, VSCSI_BAD_SENSE_SIZE, "sense_size", 0, "the start fails");
    logged(VSCSI_CFG_CDB_SIZE, 5, 1, VSCSI_BAD_CDB_SIZE, "cdb_size", 0, "the start fails");
    logged(VSCSI_CFG_MAX_CHANNEL, 3, 0, VSCSI_BAD_MAX_CHANNEL, "max_channel", 0, NULL);
    logged(VSCSI_CFG_MAX_TARGET, 1000, 0, VSCSI_BAD_MAX_TARGET, "max_target", 254, NULL);
    logged(VSCSI_CFG_NUM_QUEUES, 65535, 1, VSCSI_BAD_NUM_QUEUES, "num_queues", 0,
           "the request queues present are used, 64 at most");
    logged(VSCSI_CFG_MAX_LUN, 0x10000000, 1, VSCSI_BAD_MAX_LUN, "max_lun", 16383, NULL);

    good_config();
    vscsi_config_check(cfg, 20, all_features, &c);
    expect(vscsi_finding_value(VSCSI_SHORT_CONFIG, cfg, 20, &c, &bad) && bad.value == 20 &&
               strcmp(bad.instead, "the start fails") == 0,
           "short region: its length logged, the start fails");
    expect(vscsi_finding_value(VSCSI_BAD_CDB_SIZE, cfg, 20, &c, &bad) && bad.value == 0,
           "short region: cdb_size past the end logged as the 0 the check read (%llu)",
           (unsigned long long)bad.value);
    for (unsigned b = 0; b < VSCSI_FINDINGS; b++)
        expect(vscsi_finding_value(1u << b, cfg, sizeof(cfg), &c, &bad) && bad.field != NULL,
               "finding %u has a log line", b);
    expect(!vscsi_finding_value(1u << VSCSI_FINDINGS, cfg, sizeof(cfg), &c, &bad),
           "no line past the last finding");
}

static void test_config(void)
{
    struct vscsi_ctrl c;
    unsigned f;

    good_config();
    f = vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    expect(f == 0, "sane config: no finding (0x%x)", f);
    expect(c.num_queues == 4 && c.data_segs == 126 && c.cmd_per_lun == 128 && c.sense_size == 96 &&
               c.cdb_size == 32 && c.max_target == 254 && c.dev_max_target == 255 &&
               c.max_lun == 16383 && c.hotplug && c.change,
           "sane config: values kept");
    expect(c.max_transfer == 125u * 4096, "126 segments: %u bytes (125 pages, any alignment)",
           c.max_transfer);
    expect(c.event_bytes == 16, "event buffer 16 bytes");

    one_bad(VSCSI_CFG_NUM_QUEUES, 0, 1, VSCSI_BAD_NUM_QUEUES, "num_queues 0", &c);
    expect(c.num_queues == 1, "num_queues 0: one queue");
    one_bad(VSCSI_CFG_NUM_QUEUES, 65534, 1, 0, "num_queues 65534 (every 16-bit index used)", &c);
    expect(c.num_queues == 65534, "num_queues 65534: kept (the queues present bound it)");
    one_bad(VSCSI_CFG_NUM_QUEUES, 65535, 1, VSCSI_BAD_NUM_QUEUES,
            "num_queues 65535 (more than a queue index selects)", &c);
    expect(c.num_queues == VSCSI_MAX_QUEUES, "num_queues 65535: %u, the driver's most",
           c.num_queues);
    one_bad(VSCSI_CFG_NUM_QUEUES, 0xffffffffu, 1, VSCSI_BAD_NUM_QUEUES, "num_queues 2^32-1", &c);
    one_bad(VSCSI_CFG_MAX_TARGET, 255, 0, 0, "max_target 255 (QEMU's): valid", &c);
    expect(c.max_target == VSCSI_PORT_MAX_TARGET && c.dev_max_target == 255,
           "max_target 255: target ids up to 254 (a UCHAR counts 255 targets), 255 remembered");
    one_bad(VSCSI_CFG_MAX_TARGET, 7, 0, 0, "max_target 7", &c);
    expect(c.max_target == 7 && c.dev_max_target == 7, "max_target 7: kept");
    one_bad(VSCSI_CFG_SEG_MAX, 0, 1, VSCSI_BAD_SEG_MAX, "seg_max 0", &c);
    expect((VSCSI_BAD_SEG_MAX & VSCSI_FATAL_FINDINGS) && c.data_segs == 1,
           "seg_max 0: fatal (no data fits a command), %u segments", c.data_segs);
    one_bad(VSCSI_CFG_SEG_MAX, 1, 1, 0, "seg_max 1", &c);
    expect(c.data_segs == 1 && c.max_transfer == 4096, "seg_max 1: one page, no underflow (%u)",
           c.max_transfer);
    one_bad(VSCSI_CFG_SEG_MAX, 0xffffffffu, 1, 0, "seg_max 2^32-1", &c);
    expect(c.data_segs == VSCSI_MAX_DATA_SEGS, "seg_max huge: capped at %u", c.data_segs);
    one_bad(VSCSI_CFG_MAX_SECTORS, 0, 1, VSCSI_BAD_MAX_SECTORS, "max_sectors 0", &c);
    expect(c.max_transfer == 4096, "max_sectors 0: one page (%u)", c.max_transfer);
    one_bad(VSCSI_CFG_MAX_SECTORS, 16, 1, 0, "max_sectors 16", &c);
    expect(c.max_transfer == 8192, "max_sectors 16: 8 KiB (%u)", c.max_transfer);
    one_bad(VSCSI_CFG_MAX_SECTORS, 0xffffffffu, 1, 0, "max_sectors 2^32-1", &c);
    expect(c.max_transfer == 125u * 4096, "max_sectors huge: no overflow, segments rule (%u)",
           c.max_transfer);
    one_bad(VSCSI_CFG_CMD_PER_LUN, 0, 1, VSCSI_BAD_CMD_PER_LUN, "cmd_per_lun 0", &c);
    expect(c.cmd_per_lun == 1, "cmd_per_lun 0: one");
    one_bad(VSCSI_CFG_EVENT_INFO_SIZE, 4, 1, VSCSI_BAD_EVENT_SIZE, "event_info_size 4", &c);
    expect(c.event_bytes == 16, "event_info_size 4: 16 posted");
    one_bad(VSCSI_CFG_EVENT_INFO_SIZE, 0x10000000, 1, VSCSI_BAD_EVENT_SIZE, "event_info_size huge",
            &c);
    expect(c.event_bytes == VSCSI_EVENT_MAX_BYTES, "event_info_size huge: %u posted",
           c.event_bytes);
    one_bad(VSCSI_CFG_SENSE_SIZE, 257, 1, VSCSI_BAD_SENSE_SIZE, "sense_size 257", &c);
    expect(VSCSI_BAD_SENSE_SIZE & VSCSI_FATAL_FINDINGS, "sense_size 257: start fails");
    one_bad(VSCSI_CFG_SENSE_SIZE, 0, 1, 0, "sense_size 0 (no sense, laid out)", &c);
    one_bad(VSCSI_CFG_CDB_SIZE, 0, 1, VSCSI_BAD_CDB_SIZE, "cdb_size 0", &c);
    one_bad(VSCSI_CFG_CDB_SIZE, 5, 1, VSCSI_BAD_CDB_SIZE, "cdb_size 5", &c);
    one_bad(VSCSI_CFG_CDB_SIZE, 0xffffffffu, 1, VSCSI_BAD_CDB_SIZE, "cdb_size 2^32-1", &c);
    expect(VSCSI_BAD_CDB_SIZE & VSCSI_FATAL_FINDINGS, "a bad cdb_size fails the start");
    one_bad(VSCSI_CFG_MAX_CHANNEL, 3, 0, VSCSI_BAD_MAX_CHANNEL, "max_channel 3", &c);
    one_bad(VSCSI_CFG_MAX_TARGET, 1000, 0, VSCSI_BAD_MAX_TARGET, "max_target 1000", &c);
    expect(c.max_target == 254, "max_target 1000: 254 (the highest id StorPort addresses)");
    one_bad(VSCSI_CFG_MAX_LUN, 0x10000000, 1, VSCSI_BAD_MAX_LUN, "max_lun 2^28", &c);
    expect(c.max_lun == VSCSI_MAX_LUN_FLAT, "max_lun 2^28: 16383");

    good_config();
    f = vscsi_config_check(cfg, 20, all_features, &c);
    expect((f & VSCSI_SHORT_CONFIG) && (f & VSCSI_BAD_CDB_SIZE), "short region: fatal (0x%x)", f);
    good_config();
    set32(cfg + VSCSI_CFG_EVENT_INFO_SIZE, 0);
    f = vscsi_config_check(cfg, sizeof(cfg), 0, &c);
    expect(f == 0 && c.event_bytes == 16 && !c.hotplug,
           "event_info_size 0 without HOTPLUG/CHANGE: no finding");

    test_config_logged();

    /* Segments lowered by a short ring or PhysicalBreaks */
    good_config();
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    vscsi_limit_segments(&c, 17);
    expect(c.data_segs == 17 && c.max_transfer == 16 * 4096, "17 segments: 64 KiB (%u)",
           c.max_transfer);
    vscsi_limit_segments(&c, 0);
    vscsi_limit_segments(&c, 1000);
    expect(c.data_segs == 17, "limit 0 or above: unchanged");
}

static void test_registry(void)
{
    struct vscsi_ctrl c;
    bool bad;

    good_config();
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    expect(vscsi_reset_action(false, 7, &bad) == VSCSI_RESET_COMPLETE && !bad,
           "VioscsiActionOnReset absent: complete");
    expect(vscsi_reset_action(true, 1, &bad) == VSCSI_RESET_NOTHING && !bad,
           "VioscsiActionOnReset 1: nothing");
    expect(vscsi_reset_action(true, 0xDEADDEAD, &bad) == VSCSI_RESET_BUGCHECK && !bad,
           "VioscsiActionOnReset 0xDEADDEAD: bugcheck");
    expect(vscsi_reset_action(true, 5, &bad) == VSCSI_RESET_COMPLETE && bad,
           "VioscsiActionOnReset 5: bad, default");
    expect(vscsi_breaks_segments(&c, false, 0, &bad) == 126 && !bad, "PhysicalBreaks absent");
    expect(vscsi_breaks_segments(&c, true, 64, &bad) == 65 && !bad,
           "PhysicalBreaks 64: 65 elements");
    expect(vscsi_breaks_segments(&c, true, 0, &bad) == 2 && bad, "PhysicalBreaks 0: 2, bad");
    expect(vscsi_breaks_segments(&c, true, 0xffffffffu, &bad) == 126 && bad,
           "PhysicalBreaks 2^32-1: no wrap, the device's 126");
    expect(vscsi_adapter_depth(0) == 1 && vscsi_adapter_depth(4 * 256) == 1024,
           "adapter depth: ring slots x queues");
    expect(vscsi_lun_depth(&c, 1024) == 128 && vscsi_lun_depth(&c, 64) == 64,
           "LUN depth: cmd_per_lun within the adapter's");
}

static void test_plan(void)
{
    struct vscsi_queue_plan p;

    vscsi_plan_queues(4, 4, 7, &p);
    expect(p.nqueues == 4 && p.mode == VSCSI_MSG_ONE_EACH && p.control_msg == 1 &&
               p.event_msg == 2 && p.queue_msg[0] == 3 && p.queue_msg[3] == 6,
           "4 CPUs, 7 messages: one each");
    vscsi_plan_queues(64, 16, 100, &p);
    expect(p.nqueues == 16, "64 CPUs, 16 device queues: 16");
    vscsi_plan_queues(128, 100, 200, &p);
    expect(p.nqueues == VSCSI_MAX_QUEUES, "capped at %u", VSCSI_MAX_QUEUES);
    vscsi_plan_queues(8, 8, 5, &p);
    int ok = p.nqueues == 8 && p.mode == VSCSI_MSG_SHARED && p.control_msg == 1;
    for (unsigned q = 0; q < 8; q++)
        ok &= p.queue_msg[q] >= 3 && p.queue_msg[q] < 5;
    expect(ok, "8 queues, 5 messages: 8 queues share messages 3..4");
    vscsi_plan_queues(8, 8, 2, &p);
    ok = p.nqueues == 8 && p.mode == VSCSI_MSG_SHARED && p.control_msg == 0;
    for (unsigned q = 0; q < 8; q++)
        ok &= p.queue_msg[q] == 1;
    expect(ok, "8 queues, 2 messages: requests on 1, the rest on 0, never one queue");
    vscsi_plan_queues(8, 8, 0, &p);
    expect(p.nqueues == 8 && p.mode == VSCSI_MSG_ALL_ONE, "line interrupt: 8 queues, all on one");
    vscsi_plan_queues(0, 0, 0, &p);
    expect(p.nqueues == 1, "0 CPUs, 0 queues: one");
}

static void test_request(void)
{
    uint8_t hdr[VSCSI_REQ_HDR_BYTES + VSCSI_CDB_MAX];
    uint8_t cdb[16] = {0x28, 0, 0, 0, 0x10, 0, 0, 0, 8, 0};
    uint8_t t;
    uint32_t l;

    memset(hdr, 0xaa, sizeof(hdr));
    uint32_t n =
        vscsi_encode_cmd(hdr, 32, 3, 5, 0x1122334455667788ull, VIRTIO_SCSI_S_ORDERED, cdb, 10);
    expect(n == 51, "header with cdb_size 32: 51 bytes (%u)", n);
    expect(hdr[0] == 1 && hdr[1] == 3 && hdr[2] == 0x40 && hdr[3] == 5 && hdr[4] == 0 &&
               hdr[7] == 0,
           "LUN: 01 03 40 05 00..");
    expect(hdr[8] == 0x88 && hdr[15] == 0x11, "tag little-endian");
    expect(hdr[16] == VIRTIO_SCSI_S_ORDERED && hdr[17] == 0 && hdr[18] == 0, "task attribute");
    expect(memcmp(hdr + 19, cdb, 10) == 0 && hdr[29] == 0 && hdr[50] == 0 && hdr[51] == 0xaa,
           "CDB padded with zeroes to cdb_size, nothing past it");
    expect(vscsi_encode_cmd(hdr, 12, 0, 0, 1, 0, cdb, 16) == 0, "CDB 16 over cdb_size 12: refused");
    expect(vscsi_encode_cmd(hdr, 32, 0, 0, 1, 0, cdb, 0) == 0, "empty CDB: refused");
    expect(vscsi_encode_cmd(hdr, 32, 0, 16384, 1, 0, cdb, 6) == 0, "LUN 16384: refused");
    n = vscsi_encode_cmd(hdr, 32, 0, 0, 1, 9, cdb, 6);
    expect(n == 51 && hdr[16] == VIRTIO_SCSI_S_SIMPLE, "unknown task attribute: SIMPLE");
    vscsi_encode_lun(hdr, 255, 16383);
    expect(hdr[2] == 0x7f && hdr[3] == 0xff && vscsi_decode_lun(hdr, &t, &l) && t == 255 &&
               l == 16383,
           "LUN 16383 round trip");
    uint8_t periph[8] = {1, 2, 0, 7, 0, 0, 0, 0};
    expect(vscsi_decode_lun(periph, &t, &l) && t == 2 && l == 7, "peripheral form decoded");
    uint8_t bad1[8] = {2, 0, 0x40, 0, 0, 0, 0, 0}, bad2[8] = {1, 0, 0x40, 0, 0, 0, 0, 1},
            bad3[8] = {1, 0, 0x80, 0, 0, 0, 0, 0};
    expect(!vscsi_decode_lun(bad1, &t, &l) && !vscsi_decode_lun(bad2, &t, &l) &&
               !vscsi_decode_lun(bad3, &t, &l),
           "malformed LUNs refused");
}

static uint8_t resp[VSCSI_RESP_HDR_BYTES + VSCSI_SENSE_MAX];

static void mkresp(uint32_t sense_len, uint32_t resid, uint8_t status, uint8_t code)
{
    memset(resp, 0, sizeof(resp));
    set32(resp, sense_len);
    set32(resp + 4, resid);
    resp[10] = status;
    resp[11] = code;
}

static void test_response(void)
{
    struct vscsi_result r;
    const uint32_t full = VSCSI_RESP_HDR_BYTES + 96;

    mkresp(0, 0, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 4096, true, full + 4096, &r);
    expect(r.outcome == VSCSI_OUT_SUCCESS && r.transferred == 4096 && r.findings == 0,
           "good read: success, 4096 bytes");
    mkresp(0, 1024, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 4096, true, full + 3072, &r);
    expect(r.outcome == VSCSI_OUT_UNDERRUN && r.transferred == 3072,
           "residual 1024: underrun, 3072");
    mkresp(0, 8192, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 4096, false, full, &r);
    expect(r.outcome == VSCSI_OUT_PROTOCOL && (r.findings & VSCSI_RESP_RESID_LONG) &&
               r.transferred <= 4096,
           "residual 8192 of 4096: protocol error, transferred %u within the transfer",
           r.transferred);
    mkresp(0, 0, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 4096, true, full + 100, &r);
    expect(r.transferred == 100 && (r.findings & VSCSI_RESP_DATA_UNWRITTEN) &&
               r.outcome == VSCSI_OUT_UNDERRUN,
           "read claiming more than written: 100 bytes, underrun");
    mkresp(0, 0, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 4096, false, full, &r);
    expect(r.outcome == VSCSI_OUT_SUCCESS && r.transferred == 4096,
           "write: written is the response");
    mkresp(18, 0, 2, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 512, true, full, &r);
    expect(r.outcome == VSCSI_OUT_SCSI_ERROR && r.scsi_status == 2 && r.sense_len == 18,
           "CHECK CONDITION: 18 sense bytes");
    mkresp(4000, 0, 2, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 512, true, full, &r);
    expect(r.sense_len == 96 && (r.findings & VSCSI_RESP_SENSE_LONG),
           "sense_len 4000: clamped to sense_size 96");
    mkresp(60, 0, 2, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 512, true, VSCSI_RESP_HDR_BYTES + 20, &r);
    expect(r.sense_len == 20 && (r.findings & VSCSI_RESP_SENSE_UNWRITTEN),
           "sense beyond what was written: 20 bytes");
    mkresp(0xffffffffu, 0, 2, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 0, 512, true, full, &r);
    expect(r.sense_len == 0, "sense_size 0: no sense whatever sense_len says");
    mkresp(18, 0, 0x18, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 512, false, full, &r);
    expect(r.outcome == VSCSI_OUT_SCSI_ERROR && r.scsi_status == 0x18,
           "RESERVATION CONFLICT: the status passed on");
    mkresp(0, 0, 0, VIRTIO_SCSI_S_OK);
    vscsi_decode_resp(resp, 96, 512, true, 11, &r);
    expect(r.outcome == VSCSI_OUT_PROTOCOL && r.findings == VSCSI_RESP_SHORT && r.transferred == 0,
           "11 bytes written: no response");

    static const struct {
        uint8_t code;
        enum vscsi_outcome out;
        const char *name;
    } codes[] = {
        {VIRTIO_SCSI_S_OVERRUN, VSCSI_OUT_OVERRUN, "OVERRUN"},
        {VIRTIO_SCSI_S_ABORTED, VSCSI_OUT_ABORTED, "ABORTED"},
        {VIRTIO_SCSI_S_BAD_TARGET, VSCSI_OUT_NO_TARGET, "BAD_TARGET"},
        {VIRTIO_SCSI_S_RESET, VSCSI_OUT_BUS_RESET, "RESET"},
        {VIRTIO_SCSI_S_BUSY, VSCSI_OUT_BUSY, "BUSY"},
        {VIRTIO_SCSI_S_TRANSPORT_FAILURE, VSCSI_OUT_TRANSPORT, "TRANSPORT_FAILURE"},
        {VIRTIO_SCSI_S_TARGET_FAILURE, VSCSI_OUT_FAILED, "TARGET_FAILURE"},
        {VIRTIO_SCSI_S_NEXUS_FAILURE, VSCSI_OUT_FAILED, "NEXUS_FAILURE"},
        {VIRTIO_SCSI_S_FAILURE, VSCSI_OUT_FAILED, "FAILURE"},
        {VIRTIO_SCSI_S_FUNCTION_SUCCEEDED, VSCSI_OUT_PROTOCOL, "a TMF code on a request"},
        {200, VSCSI_OUT_PROTOCOL, "code 200"},
    };
    for (unsigned i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
        mkresp(50, 9999, 2, codes[i].code);
        vscsi_decode_resp(resp, 96, 4096, true, full, &r);
        expect(r.outcome == codes[i].out && r.sense_len == 0 && r.scsi_status == 0 &&
                   r.transferred == (codes[i].out == VSCSI_OUT_OVERRUN ? 4096u : 0u),
               "%s: outcome %d, no sense, no SCSI status, transferred %u", codes[i].name,
               (int)r.outcome, r.transferred);
    }
}

static void test_tmf(void)
{
    uint8_t t[VSCSI_TMF_BYTES];

    expect(vscsi_encode_tmf(t, VIRTIO_SCSI_T_TMF_ABORT_TASK, 1, 2, 0xabcdef), "ABORT TASK encoded");
    expect(vscsi_le32(t) == VIRTIO_SCSI_T_TMF && vscsi_le32(t + 4) == 0 && t[8] == 1 && t[9] == 1 &&
               t[11] == 2 && vscsi_le64(t + 16) == 0xabcdef,
           "ABORT TASK: type, subtype, LUN, tag");
    expect(vscsi_encode_tmf(t, VIRTIO_SCSI_T_TMF_LOGICAL_UNIT_RESET, 0, 7, 99) &&
               vscsi_le32(t + 4) == 5 && vscsi_le64(t + 16) == 0,
           "LUN RESET: subtype 5, no tag");
    expect(vscsi_encode_tmf(t, VIRTIO_SCSI_T_TMF_I_T_NEXUS_RESET, 4, 0, 0) &&
               vscsi_le32(t + 4) == 4 && t[9] == 4,
           "I_T NEXUS RESET: subtype 4");
    expect(!vscsi_encode_tmf(t, VIRTIO_SCSI_T_TMF_CLEAR_ACA, 0, 0, 0) &&
               !vscsi_encode_tmf(t, VIRTIO_SCSI_T_TMF_ABORT_TASK, 0, 20000, 0),
           "unsent function or bad LUN refused");
    expect(vscsi_decode_tmf(0, 1) == VSCSI_TMF_DONE && vscsi_decode_tmf(10, 1) == VSCSI_TMF_DONE,
           "COMPLETE and SUCCEEDED: done");
    expect(vscsi_decode_tmf(11, 1) == VSCSI_TMF_REJECTED &&
               vscsi_decode_tmf(12, 1) == VSCSI_TMF_REJECTED,
           "REJECTED and INCORRECT_LUN: rejected");
    expect(vscsi_decode_tmf(9, 1) == VSCSI_TMF_FAILED &&
               vscsi_decode_tmf(77, 1) == VSCSI_TMF_FAILED,
           "FAILURE and unknown: failed");
    expect(vscsi_decode_tmf(0, 0) == VSCSI_TMF_FAILED, "no byte written: failed");
}

static void mkevent(uint8_t *e, uint32_t event, uint8_t target, uint32_t lun, uint32_t reason)
{
    memset(e, 0, VSCSI_EVENT_BYTES);
    set32(e, event);
    vscsi_encode_lun(e + 4, target, lun);
    set32(e + 12, reason);
}

static void test_events(void)
{
    struct vscsi_ctrl c;
    struct vscsi_event ev;
    uint8_t e[VSCSI_EVENT_BYTES];

    good_config();
    set16(cfg + VSCSI_CFG_MAX_TARGET, 7);
    set32(cfg + VSCSI_CFG_MAX_LUN, 15);
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);

    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 2, 3, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_RESCAN && ev.target == 2 && ev.lun == 3 && ev.findings == 0,
           "RESCAN 2:3");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 2, 3, VIRTIO_SCSI_EVT_RESET_REMOVED);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_REMOVED, "REMOVED");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 2, 3, VIRTIO_SCSI_EVT_RESET_HARD);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_RESET, "HARD reset");
    good_config(); /* QEMU's max_target 255: StorPort addresses 0..254 */
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 254, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_RESCAN && ev.target == 254, "max_target 255: RESCAN at 254 taken");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 255, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_RANGE,
           "max_target 255: RESCAN at 255 out of range (no target id StorPort has)");
    good_config();
    set16(cfg + VSCSI_CFG_MAX_TARGET, 7);
    set32(cfg + VSCSI_CFG_MAX_LUN, 15);
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 2, 3, 9);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_REASON, "reason 9: bad");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 8, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_RANGE, "target 8 > max 7: bad");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 0, 16, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_RANGE, "LUN 16 > max 15: bad");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 0, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    e[4] = 0;
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_LUN, "LUN byte 0 not 1: bad");
    mkevent(e, VIRTIO_SCSI_T_PARAM_CHANGE, 1, 0, 0x2a | 0x09 << 8);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_PARAM_CHANGE && ev.asc == 0x2a && ev.ascq == 0x09,
           "PARAM_CHANGE: capacity data changed 2A/09");
    mkevent(e, VIRTIO_SCSI_T_NO_EVENT, 0, 0, 0);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_NONE, "NO_EVENT");
    mkevent(e, VIRTIO_SCSI_T_EVENTS_MISSED | VIRTIO_SCSI_T_TRANSPORT_RESET, 0, 0, 0);
    memset(e + 4, 0xff, 8); /* the rest says nothing */
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_MISSED, "EVENTS_MISSED: full rescan");
    mkevent(e, 77, 0, 0, 0);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_EVENT, "event 77: bad");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 0, 0, 0x10);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED, "unsubscribed AN: ignored");
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 0, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 15, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_SHORT, "15 bytes written: bad");

    good_config();
    vscsi_config_check(cfg, sizeof(cfg), 0, &c);
    mkevent(e, VIRTIO_SCSI_T_TRANSPORT_RESET, 0, 0, VIRTIO_SCSI_EVT_RESET_RESCAN);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "TRANSPORT_RESET without HOTPLUG: ignored");
    mkevent(e, VIRTIO_SCSI_T_PARAM_CHANGE, 0, 0, 0x2a);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "PARAM_CHANGE without CHANGE: ignored");
}

/* Asynchronous notification: the request's layout, what a response
 * grants (only what was asked, only with OK, only when written in full),
 * and ASYNC_NOTIFY events checked against the subscription */
static void test_async_notify(void)
{
    struct vscsi_ctrl c;
    struct vscsi_event ev;
    uint8_t e[VSCSI_EVENT_BYTES], req[VSCSI_AN_REQ_BYTES], resp[VSCSI_AN_RESP_BYTES];
    unsigned f;

    memset(req, 0xee, sizeof(req));
    expect(vscsi_encode_an(req, VIRTIO_SCSI_T_AN_SUBSCRIBE, 2, 5, VSCSI_AN_WANTED) && req[0] == 2 &&
               req[1] == 0 && req[2] == 0 && req[3] == 0 && req[4] == 1 && req[5] == 2 &&
               req[6] == 0x40 && req[7] == 5 && req[12] == 0x12 && req[13] == 0,
           "AN: SUBSCRIBE 2:5 for media and operational change: type, LUN, events");
    expect(!vscsi_encode_an(req, VIRTIO_SCSI_T_TMF, 0, 0, VSCSI_AN_WANTED) &&
               !vscsi_encode_an(req, VIRTIO_SCSI_T_AN_QUERY, 0, 0, 0) &&
               !vscsi_encode_an(req, VIRTIO_SCSI_T_AN_QUERY, 0, 0, 0x81) &&
               !vscsi_encode_an(req, VIRTIO_SCSI_T_AN_QUERY, 0, 16384, 0x10),
           "AN: a TMF type, no event, unknown classes, LUN 16384: not encoded");
    set32(resp, 0x10);
    resp[4] = VIRTIO_SCSI_S_OK;
    expect(vscsi_decode_an(resp, 5, VSCSI_AN_WANTED, &f) == 0x10 && f == 0,
           "AN: media change granted of the two asked");
    set32(resp, 0x16);
    expect(vscsi_decode_an(resp, 5, VSCSI_AN_WANTED, &f) == 0x12 && f == VSCSI_AN_UNASKED,
           "AN: power management granted unasked: dropped, finding");
    expect(vscsi_decode_an(resp, 4, VSCSI_AN_WANTED, &f) == 0 && f == VSCSI_AN_SHORT,
           "AN: 4 bytes written: nothing granted");
    resp[4] = VIRTIO_SCSI_S_FAILURE;
    expect(vscsi_decode_an(resp, 5, VSCSI_AN_WANTED, &f) == 0 && f == VSCSI_AN_REFUSED,
           "AN: FAILURE: nothing granted");

    good_config();
    set16(cfg + VSCSI_CFG_MAX_TARGET, 7);
    set32(cfg + VSCSI_CFG_MAX_LUN, 15);
    vscsi_config_check(cfg, sizeof(cfg), all_features, &c);
    static struct vscsi_an_table an;
    uint8_t tt;
    uint32_t tl;
    memset(&an, 0, sizeof(an));
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x10);
    vscsi_decode_event(e, 16, &c, NULL, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "AN: media change at 1:2, no table: ignored");
    expect(vscsi_an_seen(&an, 1, 2) && vscsi_an_seen(&an, 1, 3), "AN: 1:2 and 1:3 seen");
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "AN: media change at 1:2 seen but not answered yet: ignored");
    int i2 = vscsi_an_next(&an, &tt, &tl);
    expect(i2 >= 0 && tt == 1 && tl == 2, "AN: 1:2 asked first");
    expect(vscsi_an_answered(&an, i2, 1, 2, 0x10), "AN: 1:2 answered");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 3, 0x10);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "AN: media change at 1:3, only 1:2 subscribed: ignored");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x10);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_ASYNC && ev.target == 1 && ev.lun == 2 && ev.events == 0x10,
           "AN: media change at 1:2, subscribed: per-LUN notification");
    int i3 = vscsi_an_next(&an, &tt, &tl);
    expect(i3 >= 0 && tt == 1 && tl == 3 && vscsi_an_answered(&an, i3, 1, 3, 0x12),
           "AN: 1:3 asked and granted both");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 3, 0x02);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_ASYNC && ev.target == 1 && ev.lun == 3 && ev.events == 0x02,
           "AN: operational change at 1:3, granted there: per-LUN notification");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x02);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_UNASKED,
           "AN: operational change not granted: ignored");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x81);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_REASON,
           "AN: unknown class bits: bad");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_REASON, "AN: no class: bad");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 8, 2, 0x10);
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_RANGE,
           "AN: target 8 beyond max_target 7: bad");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x10);
    e[4] = 2; /* not the single-level form */
    vscsi_decode_event(e, 16, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_BAD_LUN, "AN: malformed LUN: bad");
    mkevent(e, VIRTIO_SCSI_T_ASYNC_NOTIFY, 1, 2, 0x10);
    vscsi_decode_event(e, 15, &c, &an, &ev);
    expect(ev.kind == VSCSI_EV_BAD && ev.findings == VSCSI_EVF_SHORT, "AN: 15 bytes written: bad");
}

/* The LUN table (vscsi_luns.c): a LUN seen once asks once, a full table
 * refuses, a forgotten LUN's late answer is dropped, a reset asks again;
 * INQUIRY and REPORT LUNS data from the device checked */
static void test_an_table(void)
{
    static struct vscsi_an_table t;
    uint8_t tt;
    uint32_t tl;
    unsigned n = 0;

    memset(&t, 0, sizeof(t));
    expect(vscsi_an_next(&t, &tt, &tl) < 0, "AN table: empty: nothing to ask");
    expect(vscsi_an_seen(&t, 0, 0) && vscsi_an_seen(&t, 0, 0) && t.want == 1,
           "AN table: 0:0 seen twice wants one subscription");
    int i = vscsi_an_next(&t, &tt, &tl);
    expect(i >= 0 && vscsi_an_next(&t, &tt, &tl) < 0, "AN table: 0:0 asked once");
    vscsi_an_unask(&t, i);
    expect(t.want == 1 && vscsi_an_next(&t, &tt, &tl) == i, "AN table: unsent: asked again");
    vscsi_an_forget(&t, 0, 0);
    expect(!vscsi_an_answered(&t, i, 0, 0, 0x10) && vscsi_an_granted(&t, 0, 0) == 0,
           "AN table: the answer of a forgotten LUN dropped");
    expect(vscsi_an_seen(&t, 0, 0) && vscsi_an_next(&t, &tt, &tl) == i &&
               !vscsi_an_answered(&t, i, 0, 1, 0x10) && vscsi_an_answered(&t, i, 0, 0, 0xff),
           "AN table: an answer for another LUN of the entry dropped, its own taken");
    expect(vscsi_an_granted(&t, 0, 0) == VSCSI_AN_KNOWN, "AN table: only known classes kept");
    vscsi_an_renew(&t);
    expect(t.want == 1 && vscsi_an_granted(&t, 0, 0) == 0, "AN table: a reset asks again");
    for (unsigned k = 0; k < VSCSI_AN_LUNS + 4; k++)
        n += vscsi_an_seen(&t, (uint8_t)(k / 64), k % 64);
    expect(n == VSCSI_AN_LUNS && t.want == VSCSI_AN_LUNS,
           "AN table: %u of %u LUNs taken (room for %u)", n, VSCSI_AN_LUNS + 4, VSCSI_AN_LUNS);
    vscsi_an_forget(&t, 1, 5);
    expect(vscsi_an_seen(&t, 9, 9) && !vscsi_an_seen(&t, 9, 10),
           "AN table: a forgotten LUN's room taken again, then full");

    uint8_t inq[2] = {0x00, 0};
    expect(vscsi_inquiry_present(inq, 1), "INQUIRY: qualifier 0, disk: a LUN");
    inq[0] = 0x7f;
    expect(!vscsi_inquiry_present(inq, 1), "INQUIRY: qualifier 3, type 1Fh: no LUN");
    inq[0] = 0x20;
    expect(!vscsi_inquiry_present(inq, 1), "INQUIRY: qualifier 1: not connected");
    inq[0] = 0x1f;
    expect(!vscsi_inquiry_present(inq, 1), "INQUIRY: type 1Fh: no device");
    inq[0] = 0x05;
    expect(vscsi_inquiry_present(inq, 1) && !vscsi_inquiry_present(inq, 0),
           "INQUIRY: a CD-ROM is a LUN, nothing moved is not");

    uint8_t rl[8 + 4 * 8];
    memset(rl, 0, sizeof(rl));
    rl[3] = 4 * 8;
    rl[8 + 8 + 1] = 1;                           /* LUN 1, peripheral */
    rl[8 + 16] = 0x40 | 0x01, rl[8 + 17] = 0x02; /* LUN 258, flat */
    rl[8 + 24] = 0x80;                           /* logical unit addressing: not ours */
    expect(vscsi_report_lun(rl, sizeof(rl), 0, &tl) == 1 && tl == 0 &&
               vscsi_report_lun(rl, sizeof(rl), 1, &tl) == 1 && tl == 1 &&
               vscsi_report_lun(rl, sizeof(rl), 2, &tl) == 1 && tl == 258 &&
               vscsi_report_lun(rl, sizeof(rl), 3, &tl) == 0 &&
               vscsi_report_lun(rl, sizeof(rl), 4, &tl) < 0,
           "REPORT LUNS: 0, 1, flat 258, one not single-level, then the end");
    expect(vscsi_report_lun(rl, 8 + 12, 1, &tl) < 0 && vscsi_report_lun(rl, 8 + 12, 0, &tl) == 1,
           "REPORT LUNS: an entry past the bytes moved not read");
    rl[3] = 8;
    expect(vscsi_report_lun(rl, sizeof(rl), 1, &tl) < 0,
           "REPORT LUNS: an entry past the LUN LIST LENGTH not read");
    rl[0] = 0xff;
    expect(vscsi_report_lun(rl, sizeof(rl), 4, &tl) < 0 && vscsi_report_lun(rl, 7, 0, &tl) < 0,
           "REPORT LUNS: a huge list length bounded by the bytes moved; a short header: none");
}

/* Unit attentions PARAM_CHANGE raises: the LUN's next command reports it
 * once (fixed sense, key 6, the event's ASC/ASCQ), INQUIRY and REPORT LUNS
 * pass it by, other LUNs never see it, the table is bounded */
static void test_unit_attention(void)
{
    struct vscsi_ua_table t;
    uint8_t sense[VSCSI_SENSE_FIXED_BYTES];

    memset(&t, 0, sizeof(t));
    expect(!vscsi_ua_take(&t, 0, 1, 0x28, sense), "UA: none raised, none reported");
    expect(vscsi_ua_raise(&t, 0, 1, 0x2a, 0x09), "UA: 2A/09 raised at 0:1");
    expect(!vscsi_ua_take(&t, 0, 2, 0x28, sense) && !vscsi_ua_take(&t, 1, 1, 0x28, sense),
           "UA: 0:2 and 1:1 do not see 0:1's");
    expect(!vscsi_ua_take(&t, 0, 1, VSCSI_OP_INQUIRY, sense) &&
               !vscsi_ua_take(&t, 0, 1, VSCSI_OP_REPORT_LUNS, sense) &&
               !vscsi_ua_take(&t, 0, 1, VSCSI_OP_REQUEST_SENSE, sense),
           "UA: INQUIRY, REPORT LUNS, REQUEST SENSE pass it by (SPC-4 5.14)");
    memset(sense, 0xee, sizeof(sense));
    expect(vscsi_ua_take(&t, 0, 1, 0x28, sense) && sense[0] == 0x70 && sense[2] == 0x06 &&
               sense[7] == 10 && sense[12] == 0x2a && sense[13] == 0x09 && sense[1] == 0 &&
               sense[17] == 0,
           "UA: READ(10) at 0:1 gets fixed sense 70, key 6, 2A/09");
    expect(!vscsi_ua_take(&t, 0, 1, 0x28, sense) && t.count == 0, "UA: reported once");
    expect(vscsi_ua_raise(&t, 0, 1, 0x2a, 0x01) && vscsi_ua_raise(&t, 0, 1, 0x2a, 0x09) &&
               t.count == 1,
           "UA: a second change at the same LUN replaces the first");
    for (unsigned l = 2; l <= VSCSI_UA_MAX; l++)
        vscsi_ua_raise(&t, 0, l, 0x2a, 0x09);
    expect(t.count == VSCSI_UA_MAX && !vscsi_ua_raise(&t, 3, 0, 0x2a, 0x09),
           "UA: full table: one more LUN not raised");
    expect(vscsi_ua_take(&t, 0, VSCSI_UA_MAX, 0x00, sense) &&
               vscsi_ua_take(&t, 0, 1, 0x00, sense) && t.count == VSCSI_UA_MAX - 2,
           "UA: TEST UNIT READY reports it too; entries leave the table");
}

int main(void)
{
    test_config();
    test_registry();
    test_plan();
    test_request();
    test_response();
    test_tmf();
    test_events();
    test_async_notify();
    test_unit_attention();
    test_an_table();
    return hostcheck_end();
}
