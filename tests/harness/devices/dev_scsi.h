/*
 * A virtio-scsi PCI function in the harness: the generic virtio function
 * (dev_virtio: BARs, PDO, MSI-X, checkers) whose requests the virtio-scsi
 * model (tests/models/virtio/vmodel_scsi) takes and hands to a SCSI target
 * back end (tests/models/scsi/target.h):
 *  - the in-process target (mem_target) answers in virtual time: each
 *    batch of new work is answered a seeded 0..VW_VIRTIO_DELAY_MAX after it
 *    reached the device;
 *  - tgt through libiscsi (iscsi_target) answers in real time: while
 *    commands are at tgt, virtual time stands still and the device waits
 *    for tgt, at most VW_SCSI_REAL_TIMEOUT_MS of real time without an
 *    answer before the run fails.
 * PCI IDs 1AF4:1004 (transitional) or 1AF4:1048 (modern) come from the
 * model's transport; queue 0 is the control queue, 1 the event queue,
 * 2.. the request queues.
 */
#pragma once
#include "../../models/virtio/vmodel_scsi.h"
#include "dev_virtio.h"

#define VW_SCSI_REAL_TIMEOUT_MS 10000

struct vw_scsi_config {
    enum vmodel_transport transport;
    uint64_t features; /* virtio bits offered (VERSION_1, INDIRECT_DESC, EVENT_IDX, RING_PACKED) */
    struct vmodel_scsi_config scsi; /* configuration fields and virtio-scsi feature bits */
    uint16_t queue_max;             /* ring size (0: 128) */
    bool line;                      /* the INTx line instead of MSI-X */
    uint16_t msix_vectors;          /* messages granted (0: one per queue + 1) */
    uint32_t seed;
};

struct vw_scsi {
    struct vw_virtio *dev;
    struct vmodel_scsi *model;
    struct scsi_target *target;
    bool real_time;       /* tgt: answers awaited in real time */
    uint64_t work_seen;   /* model's work counters at the last look (virtual-time target) */
    unsigned events_seen; /* event buffers the device held at the last look */
    bool poll_pending;    /* the target answers at poll_at */
    uint64_t poll_at;     /* virtual time */
    uint64_t rng;         /* seeded delays */
    uint64_t waiting_ms;  /* real time the oldest unanswered wait began; 0 none */
    bool no_wait;         /* tgt: commands at tgt do not hold virtual time (vw_scsi_no_wait) */
    unsigned waiting_outstanding;
    bool closed;
};

/* The function on the bus with TARGET behind it (REAL_TIME for tgt); the
 * attachment owns the target from here on.  NULL (the run failed) when
 * the model cannot be made. */
struct vw_scsi *vw_scsi_create(struct vm *vm, const struct vw_scsi_config *cfg,
                               struct scsi_target *target, bool real_time);
/* tgt: while ON, commands at tgt do not keep the machine waiting for them
 * (a settle returns though tgt has not answered), so a scenario can hand
 * more to a tgt it stopped; answers are still taken as they come. */
void vw_scsi_no_wait(struct vw_scsi *s, bool on);
/* Let the target answer what it holds now (virtual-time target: at once). */
void vw_scsi_flush(struct vw_scsi *s);
/* End the back end and the model (before the tgt fixture stops); the
 * function then reads as removed.  Also done when the machine goes. */
void vw_scsi_close(struct vw_scsi *s);
