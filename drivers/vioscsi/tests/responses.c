/*
 * The virtio-scsi response codes (virtio 1.2 5.6.6.1) as the class layer
 * sees them through StorPort, on commands the device answers itself
 * (vmodel_scsi_answer_next), as issue 15 prescribes: BAD_TARGET a
 * selection time-out (the LUN goes away, never retried); BUSY and
 * TRANSPORT_FAILURE retried until the command goes through (by StorPort
 * on SRB_STATUS_BUSY, or by the class driver: vw_stor_scsi_retry), each
 * answer counted once; RESET a bus reset (SRB_STATUS_BUS_RESET);
 * TARGET_FAILURE an error, not a success; and a residual an underrun:
 * SRB_STATUS_DATA_OVERRUN with DataTransferLength = transfer - resid
 * (srb/ns-srb-_scsi_request_block: "SRB_STATUS_DATA_OVERRUN ... overrun or
 * underrun"; DataTransferLength "the number of bytes transferred").
 */
#include "vioscsi_test.h"

#define RS_BYTES 4096u
#define RS_LBA   40u

/* 0:0 at RS_LBA written through the driver (generation 9), device faults P
 * planted once started (before, the start's bus scan would meet the 253
 * absent targets answering what P swaps BAD_TARGET to: BUSY, each
 * retried for a whole TimeOutValue) */
static bool rs_start(struct vm *vm, struct sc_host *h, uint8_t *want,
                     const struct vmodel_scsi_planted *p)
{
    struct sc_opts o;
    uint8_t cdb[16];
    sc_defaults(&o);
    if (!sc_start_mem(vm, h, &o))
        return false;
    vmodel_scsi_plant(h->scsi->model, p);
    for (unsigned b = 0; b < RS_BYTES / SC_BLOCK; b++)
        sc_fill(want + b * SC_BLOCK, SC_BLOCK, 0, 0, RS_LBA + b, 9);
    sc_rw16(cdb, true, RS_LBA, RS_BYTES / SC_BLOCK);
    return sc_ok(vm, 0, 0, cdb, 16, want, RS_BYTES, false, "WRITE(16)");
}

/* The next COUNT reads of 0:0 answered RESPONSE by the device; the read
 * sent as disk.sys does (RETRIES more at most): the last answer in R,
 * the class driver's sends in *TRIES, StorPort's own BUSY retries in
 * *BUSY, requests the device took in *TAKEN */
static bool rs_read(struct vm *vm, struct sc_host *h, uint8_t response, unsigned count,
                    unsigned retries, uint8_t *got, struct vw_stor_result *r, unsigned *tries,
                    unsigned *busy, unsigned *taken)
{
    uint8_t cdb[16];
    struct vw_stor_stats st;
    const struct vmodel_scsi_stats *ms = vmodel_scsi_stats(h->scsi->model);
    uint64_t cmds = ms->cmds, injected = ms->injected;
    vw_stor_stats(vm, &st);
    unsigned busy0 = st.busy_retries;
    memset(got, 0xee, RS_BYTES);
    sc_rw16(cdb, false, RS_LBA, RS_BYTES / SC_BLOCK);
    vmodel_scsi_answer_next(h->scsi->model, count, response, 0);
    vw_stor_address(vm, 0, 0);
    if (!vw_stor_scsi_retry(vm, cdb, 16, got, RS_BYTES, true, retries, r, tries) || vm->failed)
        return false;
    vmodel_scsi_answer_next(h->scsi->model, 0, 0, 0);
    vw_stor_stats(vm, &st);
    *busy = st.busy_retries - busy0;
    *taken = (unsigned)(ms->cmds - cmds);
    VW_EXPECT(vm, ms->injected - injected == count,
              "%llu of %u answers given by the device; the last SRB 0x%02x after %u sends",
              (unsigned long long)(ms->injected - injected), count, r->srb_status, *tries);
    return !vm->failed;
}

/* RESPONSE answered COUNT times, then the read goes through: every answer
 * led to one more send (StorPort's or the class driver's), the data right */
static void rs_retried(struct vm *vm, uint8_t response, unsigned count, const char *name)
{
    struct sc_host h;
    uint8_t want[RS_BYTES], got[RS_BYTES];
    struct vw_stor_result r;
    unsigned tries, busy, taken;
    if (rs_start(vm, &h, want, &(struct vmodel_scsi_planted){0}) &&
        rs_read(vm, &h, response, count, count + 2, got, &r, &tries, &busy, &taken)) {
        vw_log(vm, "%s x%u: %u class sends, %u StorPort BUSY retries, %u at the device", name,
               count, tries, busy, taken);
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS &&
                      r.transferred == RS_BYTES && memcmp(got, want, RS_BYTES) == 0,
                  "%s x%u: last answer SRB 0x%02x, %u bytes, data %s", name, count, r.srb_status,
                  r.transferred, memcmp(got, want, RS_BYTES) ? "wrong" : "right");
        VW_EXPECT(
            vm, (tries - 1) + busy == count && taken == count + 1,
            "%s x%u: %u class retries + %u StorPort retries (want %u), %u sends at the device "
            "(want %u)",
            name, count, tries - 1, busy, count, taken, count + 1);
    }
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", response_busy_retried, NULL)
{
    rs_retried(vm, VIRTIO_SCSI_S_BUSY, 3, "BUSY");
}

VW_SCENARIO("vioscsi", response_transport_failure_retried, NULL)
{
    rs_retried(vm, VIRTIO_SCSI_S_TRANSPORT_FAILURE, 2, "TRANSPORT_FAILURE");
}

/* One answer of RESPONSE (device faults P planted), no retry: its SRB status in R */
static bool rs_once(struct vm *vm, struct sc_host *h, uint8_t response, uint8_t *want,
                    struct vw_stor_result *r, const struct vmodel_scsi_planted *p)
{
    uint8_t got[RS_BYTES];
    unsigned tries, busy, taken;
    return rs_start(vm, h, want, p) &&
           rs_read(vm, h, response, 1, 0, got, r, &tries, &busy, &taken);
}

/* BAD_TARGET: a selection time-out, which disk.sys does not retry */
static void bad_target(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_host h;
    uint8_t want[RS_BYTES];
    struct vw_stor_result r;
    if (rs_once(vm, &h, VIRTIO_SCSI_S_BAD_TARGET, want, &r, p))
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SELECTION_TIMEOUT,
                  "BAD_TARGET: SRB 0x%02x, want SELECTION_TIMEOUT 0x%02x", r.srb_status,
                  SRB_STATUS_SELECTION_TIMEOUT);
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", response_bad_target_selection_timeout, NULL)
{
    bad_target(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device writes BUSY where it means BAD_TARGET */
VW_SCENARIO("vioscsi", planted_response_bad_target_as_busy, "want SELECTION_TIMEOUT")
{
    bad_target(vm, &(struct vmodel_scsi_planted){.swap = true,
                                                 .swap_from = VIRTIO_SCSI_S_BAD_TARGET,
                                                 .swap_to = VIRTIO_SCSI_S_BUSY});
}

/* RESET: a bus reset; the command sent again goes through */
static void reset_bus_reset(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_host h;
    uint8_t want[RS_BYTES], got[RS_BYTES];
    struct vw_stor_result r;
    if (rs_once(vm, &h, VIRTIO_SCSI_S_RESET, want, &r, p)) {
        VW_EXPECT(vm, (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_BUS_RESET,
                  "RESET: SRB 0x%02x, want BUS_RESET 0x%02x", r.srb_status, SRB_STATUS_BUS_RESET);
        uint8_t cdb[16];
        sc_rw16(cdb, false, RS_LBA, RS_BYTES / SC_BLOCK);
        if (sc_ok(vm, 0, 0, cdb, 16, got, RS_BYTES, true, "READ(16) after RESET"))
            VW_EXPECT(vm, memcmp(got, want, RS_BYTES) == 0, "READ after RESET: data wrong");
    }
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", response_reset_bus_reset, NULL)
{
    reset_bus_reset(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device writes TARGET_FAILURE where it means RESET */
VW_SCENARIO("vioscsi", planted_response_reset_as_target_failure, "want BUS_RESET")
{
    reset_bus_reset(vm, &(struct vmodel_scsi_planted){.swap = true,
                                                      .swap_from = VIRTIO_SCSI_S_RESET,
                                                      .swap_to = VIRTIO_SCSI_S_TARGET_FAILURE});
}

/* TARGET_FAILURE: an error the class driver sees, never a success */
VW_SCENARIO("vioscsi", response_target_failure_error, NULL)
{
    struct sc_host h;
    uint8_t want[RS_BYTES];
    struct vw_stor_result r;
    if (rs_once(vm, &h, VIRTIO_SCSI_S_TARGET_FAILURE, want, &r, &(struct vmodel_scsi_planted){0}))
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS &&
                      (r.srb_status & SRB_STATUS_MASK) != SRB_STATUS_DATA_OVERRUN,
                  "TARGET_FAILURE: SRB 0x%02x, %u bytes: completed as if it went through",
                  r.srb_status, r.transferred);
    sc_finish(vm, &h);
}

/* An underrun on a READ (resid 1024) and on a WRITE (resid 512):
 * DATA_OVERRUN with DataTransferLength = transfer - resid; the bytes
 * moved of the read are the disk's */
static void underrun(struct vm *vm, const struct vmodel_scsi_planted *p)
{
    struct sc_host h;
    uint8_t want[RS_BYTES], got[RS_BYTES], cdb[16];
    struct vw_stor_result r;
    if (!rs_start(vm, &h, want, p))
        goto out;
    static const struct {
        bool write;
        uint32_t resid;
    } cases[] = {{false, 1024}, {true, 512}, {false, RS_BYTES - SC_BLOCK}};
    for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]) && !vm->failed; i++) {
        memset(got, 0xee, sizeof(got));
        sc_rw16(cdb, cases[i].write, RS_LBA, RS_BYTES / SC_BLOCK);
        vmodel_scsi_answer_next(h.scsi->model, 1, VIRTIO_SCSI_S_OK, cases[i].resid);
        if (!sc_scsi(vm, 0, 0, cdb, 16, cases[i].write ? want : got, RS_BYTES, !cases[i].write, &r))
            break;
        uint32_t moved = RS_BYTES - cases[i].resid;
        VW_EXPECT(vm,
                  (r.srb_status & SRB_STATUS_MASK) == SRB_STATUS_DATA_OVERRUN &&
                      r.scsi_status == 0 && r.transferred == moved,
                  "%s with resid %u: SRB 0x%02x, SCSI 0x%02x, DataTransferLength %u (want "
                  "DATA_OVERRUN, %u)",
                  cases[i].write ? "WRITE" : "READ", cases[i].resid, r.srb_status, r.scsi_status,
                  r.transferred, moved);
        if (!cases[i].write)
            VW_EXPECT(vm, memcmp(got, want, moved) == 0,
                      "READ with resid %u: the %u bytes moved differ from the disk", cases[i].resid,
                      moved);
    }
out:
    sc_finish(vm, &h);
}

VW_SCENARIO("vioscsi", response_underrun_resid, NULL)
{
    underrun(vm, &(struct vmodel_scsi_planted){0});
}

/* Planted twin: the device reports no residual for an underrun */
VW_SCENARIO("vioscsi", planted_response_underrun_resid_zero, "READ with resid 1024: SRB")
{
    underrun(vm, &(struct vmodel_scsi_planted){.resid_zero = true});
}
