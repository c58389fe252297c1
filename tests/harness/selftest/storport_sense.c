/*
 * Sense data through StorPort (port/storport/sense.c) with the RAM-disk
 * miniport testdrv/vwstor.c: CHECK CONDITION with autosense parsed for the
 * class layer (key, ASC, ASCQ) within the buffer's length, no sense without
 * a buffer, the class driver's retry of UNIT ATTENTION; and the sense
 * checkers on the planted twin (bad/badstor.c, "mode=7" and "mode=8").
 */
#include <string.h>
#include "stor_common.h"

#define SECTOR 512u

/* An opcode the disk does not have: SRB_STATUS_ERROR with autosense,
 * ILLEGAL REQUEST / INVALID COMMAND OPERATION CODE (5/20/00); with an
 * 8-byte buffer only those 8 bytes (the key, no ASC); with none, no sense. */
VW_SCENARIO("vwstor", storport_sense_illegal_request, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    uint8_t cdb[6] = {0xc7};
    struct vw_stor_result r;
    if (!vw_stor_scsi(vm, cdb, 6, NULL, 0, false, &r))
        return;
    VW_EXPECT(vm,
              r.srb_status == 0x04 && r.scsi_status == 0x02 && r.sense_valid && r.sense_key == 5 &&
                  r.asc == 0x20 && r.ascq == 0 && r.sense_len == 18,
              "status 0x%02x/0x%02x, sense %d %x/%02x/%02x (%u bytes)", r.srb_status, r.scsi_status,
              r.sense_valid, r.sense_key, r.asc, r.ascq, r.sense_len);
    vw_stor_sense_buffer(vm, 8);
    if (!vw_stor_scsi(vm, cdb, 6, NULL, 0, false, &r))
        return;
    VW_EXPECT(vm, r.sense_valid && r.sense_key == 5 && r.asc == 0 && r.sense_len == 8,
              "8-byte buffer: sense %d key %x ASC %02x, %u bytes", r.sense_valid, r.sense_key,
              r.asc, r.sense_len);
    vw_stor_sense_buffer(vm, 0);
    if (!vw_stor_scsi(vm, cdb, 6, NULL, 0, false, &r))
        return;
    VW_EXPECT(vm, r.srb_status == 0x04 && !r.sense_valid, "no buffer: status 0x%02x, sense %d",
              r.srb_status, r.sense_valid);
    stor_finish(vm);
}

/* "ua=1": the first read reports UNIT ATTENTION (6/29/00, a reset); the
 * class layer's retry sends it again and it succeeds; ILLEGAL REQUEST is
 * never retried. */
VW_SCENARIO("vwstor", storport_class_retries_unit_attention, NULL)
{
    if (!stor_start_ram(vm, "vwstor", "ua=1"))
        return;
    uint8_t cdb[10] = {0x28, 0, 0, 0, 0, 4, 0, 0, 1, 0}, buf[SECTOR];
    struct vw_stor_result r;
    unsigned tries = 0;
    if (!vw_stor_scsi_retry(vm, cdb, 10, buf, SECTOR, true, 4, &r, &tries))
        return;
    VW_EXPECT(vm, r.srb_status == 1 && tries == 2, "READ: status 0x%02x after %u tries",
              r.srb_status, tries);
    uint8_t bad[6] = {0xc7};
    if (!vw_stor_scsi_retry(vm, bad, 6, NULL, 0, false, 4, &r, &tries))
        return;
    VW_EXPECT(vm, r.srb_status == 4 && r.sense_key == 5 && tries == 1,
              "ILLEGAL REQUEST: status 0x%02x key %x after %u tries", r.srb_status, r.sense_key,
              tries);
    stor_finish(vm);
}

/* Planted: sense written past SenseInfoBufferLength (8 bytes given). */
VW_SCENARIO("badstor", checker_stor_sense_overrun, "past SenseInfoBufferLength 8")
{
    if (!stor_start_ram(vm, "badstor", "mode=7"))
        return;
    vw_stor_sense_buffer(vm, 8);
    uint8_t cdb[6] = {0xc7};
    vw_stor_scsi(vm, cdb, 6, NULL, 0, false, NULL);
}

/* Planted: AUTOSENSE_VALID on an SRB that had no sense buffer. */
VW_SCENARIO("badstor", checker_stor_autosense_without_buffer,
            "SRB_STATUS_AUTOSENSE_VALID but the class driver gave no sense buffer")
{
    if (!stor_start_ram(vm, "badstor", "mode=8"))
        return;
    vw_stor_sense_buffer(vm, 0);
    uint8_t cdb[6] = {0xc7};
    vw_stor_scsi(vm, cdb, 6, NULL, 0, false, NULL);
}

/* The SRBs the port sends besides SCSI commands, each through HwBuildIo
 * and HwStartIo and completed once: FLUSH, SHUTDOWN, RESET_DEVICE,
 * RESET_LOGICAL_UNIT (function codes of storport/ns-storport-
 * _scsi_request_block); data written before them reads back after. */
VW_SCENARIO("vwstor", storport_class_srb_functions, NULL)
{
    if (!stor_start_ram(vm, "vwstor", NULL))
        return;
    uint8_t w[10] = {0x2a, 0, 0, 0, 0, 9, 0, 0, 1, 0}, r10[10] = {0x28, 0, 0, 0, 0, 9, 0, 0, 1, 0};
    uint8_t out[SECTOR], in[SECTOR];
    memset(out, 0x6b, sizeof(out));
    struct vw_stor_result r;
    if (!vw_stor_scsi(vm, w, 10, out, SECTOR, false, &r))
        return;
    static const unsigned functions[] = {0x08, 0x07, 0x16, 0x20};
    for (unsigned i = 0; i < 4; i++) {
        if (!vw_stor_srb(vm, functions[i], &r))
            return;
        VW_EXPECT(vm, r.srb_status == 1, "SRB function 0x%02x: status 0x%02x", functions[i],
                  r.srb_status);
    }
    if (!vw_stor_scsi(vm, r10, 10, in, SECTOR, true, &r))
        return;
    VW_EXPECT(vm, r.srb_status == 1 && memcmp(in, out, SECTOR) == 0,
              "sector 9 after the SRBs: status 0x%02x or other data", r.srb_status);
    struct vw_stor_stats s;
    stor_stats_after_scan(vm, &s);
    VW_EXPECT(vm, s.completed == 6, "%u completions for 6 requests", s.completed);
    stor_finish(vm);
}
