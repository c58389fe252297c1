/*
 * vioscsi.h - the StorPort half of vioscsi: the adapter (device extension),
 * the per-request state (SRB extension) and the routines shared by
 * driver.c (registration, HwFindAdapter, HwInitialize, adapter control),
 * io.c (HwBuildIo, HwStartIo, submission, task management) and complete.c
 * (interrupts, DPCs, completion, events, reset).
 *
 * Locks: without concurrent channels every ring is touched only under
 * StorPort's StartIo lock: HwStartIo holds it (full duplex), the DPCs take
 * it, HwResetBus and the timer run under it.  With them (stor_perf.h) a request
 * queue's ring is guarded by its message's MSI lock, and the control and
 * event queues and what the queues share by every message's lock
 * (VwStorLockAll): "the StartIo lock" below means that set then.  The interrupt routines touch no
 * ring: they queue the DPC of each queue on their message.  A dump copy has no DPCs: it completes
 * from HwInterrupt, which StorPort polls.
 *
 * Surprise removal: Removed is published (VioscsiMarkGone) before anything
 * else, then VioscsiGone takes the StartIo lock and the interrupt lock in
 * turn; every path that reads or writes a register checks Removed while it
 * holds one of those locks, so once VioscsiGone has them no path is between
 * its check and its access, and every later path sees Removed.
 */
#pragma once
#include <storport/stor_pnp.h>
#include <storport/stor_control.h>
#include <storport/stor_perf.h>
#include <storport/stor_srb.h>
#include "vscsi.h"

#define VIOSCSI_DUMP_QUEUE_SIZE 64 /* a dump copy's rings: little memory */
#define VIOSCSI_TABLE_ENTRIES   (VSCSI_MAX_DATA_SEGS + 2)
#define VIOSCSI_EVENTS          8 /* event buffers kept at the device */
#define VIOSCSI_AN_SLOTS        4 /* AN_SUBSCRIBE requests at the device at once */
/* The TMF timer's period: a TMF still unanswered at the end of the period
 * after the one it was posted in ends in a device reset, 1.5 to 3 s after it
 * was posted (one timer for all TMFs, never pushed back by newer ones) */
#define VIOSCSI_TMF_PERIOD_US 1500000
#define VIOSCSI_NQ            (VSCSI_MAX_QUEUES + VSCSI_FIRST_REQUEST)

/* What a cookie on the rings is (the first byte of each) */
enum vioscsi_kind {
    VIOSCSI_KIND_REQUEST = 1, /* a SCSI command (SRB extension) */
    VIOSCSI_KIND_SRB_TMF = 2, /* a TMF for a LUN reset or abort SRB (SRB extension) */
    VIOSCSI_KIND_EVENT = 4,   /* an event buffer (adapter slot) */
    VIOSCSI_KIND_AN = 8,      /* an AN_SUBSCRIBE request (adapter slot) */
};

/* One virtqueue and its DPC */
typedef struct _VIOSCSI_QUEUE {
    struct virtqueue Vq;
    STOR_DPC Dpc;
    /* Answered INQUIRY and REPORT LUNS commands of this request queue,
     * drained under its lock alone (concurrent channels): completed under
     * every lock, once the LUNs they found are in the table (NextWaiting) */
    struct _VIOSCSI_SRBEXT *Found;
} VIOSCSI_QUEUE, *PVIOSCSI_QUEUE;

/* An event buffer, in the uncached extension */
typedef struct _VIOSCSI_EVENT_BUF {
    UCHAR Kind; /* VIOSCSI_KIND_EVENT */
    UCHAR Pad[15];
    UCHAR Data[VSCSI_EVENT_MAX_BYTES];
} VIOSCSI_EVENT_BUF;

/* An asynchronous notification request, in the uncached extension; laid
 * out as an event buffer up to Pad (Pad[0]: at the device) */
typedef struct _VIOSCSI_AN_BUF {
    UCHAR Kind; /* VIOSCSI_KIND_AN */
    UCHAR Pad[15];
    LONG Entry;   /* the LUN table entry it subscribes */
    ULONG Lun;    /* ... and that entry's LUN when it was sent */
    UCHAR Target; /* (the driver's own: the device reads Req only) */
    UCHAR Pad2[7];
    UCHAR Req[VSCSI_AN_REQ_BYTES];   /* device-readable */
    UCHAR Resp[VSCSI_AN_RESP_BYTES]; /* device-writable */
} VIOSCSI_AN_BUF;

/* The adapter's DMA block in the uncached extension */
typedef struct _VIOSCSI_SHARED {
    VIOSCSI_EVENT_BUF Events[VIOSCSI_EVENTS];
    VIOSCSI_AN_BUF An[VIOSCSI_AN_SLOTS];
} VIOSCSI_SHARED;

/* The adapter */
typedef struct _VIOSCSI {
    VW_STOR_VIRTIO Virtio;
    struct vscsi_ctrl Ctrl;
    struct vscsi_queue_plan Plan;
    struct virtqueue_plan QueuePlan;
    uint16_t QueueSizes[VIOSCSI_NQ];
    struct virtio_dma RingBlock;
    struct virtio_dma SharedDma;
    VIOSCSI_SHARED *Shared;
    PVOID RingMem;
    ULONG NumQueues;      /* request queues */
    ULONG Messages;       /* MSI/MSI-X messages granted (0: a line) */
    VW_STOR_PERF Perf;    /* performance options; Perf.Concurrent: a lock per request queue */
    ULONG Findings;       /* enum vscsi_finding of the configuration check */
    ULONG Depth;          /* requests StorPort may have at the adapter */
    ULONG LunDepth;       /* per LUN */
    ULONG SegLimit;       /* data segments the shortest ring and PhysicalBreaks allow */
    ULONG ResetAction;    /* enum vscsi_reset_action (VioscsiActionOnReset) */
    ULONG Resets;         /* device resets done */
    ULONG Outstanding;    /* requests at the device */
    ULONG TmfOutstanding; /* TMFs at the device */
    ULONG TmfPeriods;     /* TMF timer periods ended so far */
    ULONG TmfIn[2];       /* TMFs at the device by the parity of their period */
    ULONG EventsPosted;
    /* StorPortStateChangeDetected's addresses: the one of the last call
     * StorPort took stays as it is (it may still read it), the next goes
     * in the other */
    STOR_ADDR_BTL8 StateAddr[2];
    ULONG StateLast;
    struct vscsi_ua_table Ua; /* PARAM_CHANGE unit attentions not reported yet (every lock) */
    struct vscsi_an_table An; /* LUNs seen and their subscriptions (written under every lock) */
    BOOLEAN AnFull;           /* a LUN found the table had no room for was logged */
    BOOLEAN Dump;             /* a crash-dump or hibernation copy */
    BOOLEAN DpcReady;         /* the DPCs are initialised */
    BOOLEAN Ready;            /* DRIVER_OK set, queues live */
    BOOLEAN TimerArmed;
    BOOLEAN Resetting;  /* a reset the device has not finished: the timer polls it */
    BOOLEAN Restarting; /* ScsiRestartAdapter's reset not finished: the timer brings it up */
    BOOLEAN Paused;     /* StorPortPause in force for a slow reset or restart */
    ULONG ResetWaits;   /* timer periods the reset has waited */
    struct _VIOSCSI_SRBEXT *Waiting;  /* reset SRBs that complete when the reset finished */
    volatile LONG Removed;            /* surprise removed: the device is never touched again */
    VIOSCSI_QUEUE Queues[VIOSCSI_NQ]; /* control, event, requests */
} VIOSCSI, *PVIOSCSI;

/* One request: encoded by HwBuildIo, submitted by HwStartIo */
typedef struct _VIOSCSI_SRBEXT {
    UCHAR Kind; /* enum vioscsi_kind */
    UCHAR Target;
    UCHAR TmfResponse; /* device-writable (a TMF SRB) */
    UCHAR TmfGen;      /* a TMF SRB: parity of the timer period it was posted in */
    ULONG Lun;
    ULONG Queue;
    ULONG ReqLen;   /* request header bytes */
    ULONG Written;  /* bytes the device wrote (an answer kept on a queue's Found) */
    ULONG Transfer; /* data bytes posted */
    BOOLEAN DataIn;
    BOOLEAN AtDevice;
    PVOID Srb;
    struct _VIOSCSI_SRBEXT *NextWaiting; /* Waiting's chain */
    ULONG64 Tag;
    UCHAR Req[VSCSI_REQ_HDR_BYTES + VSCSI_CDB_MAX];     /* device-readable; a TMF's request too */
    UCHAR Resp[VSCSI_RESP_HDR_BYTES + VSCSI_SENSE_MAX]; /* device-writable */
    /* This request's indirect table: 16-byte aligned inside */
    UCHAR Table[VIOSCSI_TABLE_ENTRIES * 16 + 16];
} VIOSCSI_SRBEXT, *PVIOSCSI_SRBEXT;

/* driver.c */
/* IRQL: DIRQL or DISPATCH_LEVEL, StartIo lock (or before DRIVER_OK): the
 * queues set up, events posted, DRIVER_OK. */
BOOLEAN VioscsiStartQueues(PVIOSCSI Scsi);

/* IRQL: DIRQL, interrupt lock (ScsiRestartAdapter: First), or DISPATCH_LEVEL
 * with the StartIo lock (the timer): the restart's reset, one step: 0 (the
 * adapter is up), VIRTIO_EAGAIN (the device has not read 0 yet) or an
 * error (the device left FAILED). */
int VioscsiRestartStep(PVIOSCSI Scsi, BOOLEAN First);

/* IRQL: any: the CDB and sense sizes asked for again after a device reset;
 * FALSE if the device now lays requests out otherwise. */
BOOLEAN VioscsiKeepSizes(PVIOSCSI Scsi);

/* io.c */
HW_BUILDIO VioscsiBuildIo;
HW_STARTIO VioscsiStartIo;
/* IRQL: any. complete Srb with SrbStatus; Res (if any) gives sense, status, length. */
VOID VioscsiComplete(PVIOSCSI Scsi, PVOID Srb, UCHAR SrbStatus, const struct vscsi_result *Res,
                     const UCHAR *Sense);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: post the TMF of reset SRB X
 * (X->Req encoded); FALSE if it could not be. */
BOOLEAN VioscsiPostTmf(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: post every free event buffer. */
VOID VioscsiPostEvents(PVIOSCSI Scsi);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: ask the device (AN_SUBSCRIBE)
 * for the asynchronous notifications the class layer acts on (media and
 * operational change) at each LUN seen that has not asked yet, as many
 * as there are free request slots (VIOSCSI_AN_SLOTS); never waits. */
VOID VioscsiPostAn(PVIOSCSI Scsi);

/* complete.c */
HW_INTERRUPT VioscsiInterrupt;
HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE VioscsiMsiInterrupt;
HW_RESET_BUS VioscsiResetBus;
HW_DPC_ROUTINE VioscsiQueueDpc;
/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: the adapter's one timer
 * (a slow reset's or restart's 1 ms polls, else the TMF periods). */
HW_TIMER VioscsiTimer;
/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or a dump copy): complete
 * what virtqueue Q (0 control, 1 event, 2.. requests) has finished. */
VOID VioscsiDrain(PVIOSCSI Scsi, ULONG Q);
/* IRQL: DIRQL, request queue Q's lock (concurrent channels, QueueOnly), or
 * the StartIo lock: complete what virtqueue Q has finished (QueueOnly: an
 * answered INQUIRY or REPORT LUNS waits on the queue's Found for every
 * lock); TRUE if the device broke it (the caller resets under every lock). */
BOOLEAN VioscsiDrainQueue(PVIOSCSI Scsi, ULONG Q, BOOLEAN QueueOnly);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: reset the device, complete
 * every request it had, bring it back; a device slow to read 0 is finished
 * by the timer (Resetting; StorPort paused meanwhile).  FALSE if it did not
 * come back. */
BOOLEAN VioscsiResetDevice(PVIOSCSI Scsi);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the reset SRB X completes
 * when the reset under way has finished (SUCCESS, or ERROR if the device
 * did not come back). */
VOID VioscsiWaitReset(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X);
/* IRQL: DISPATCH_LEVEL, StartIo lock: a bus reset: what the device gave back
 * completes, then a device reset if it still holds anything; a device slow
 * to read 0 keeps its requests until the timer's finish (Resetting stays
 * TRUE).  FALSE if the device did not come back. */
BOOLEAN VioscsiResetAll(PVIOSCSI Scsi);
/* IRQL: any, no lock: the device was surprise removed: from now on every
 * path that would touch it sees Removed (VioscsiGone follows). */
VOID VioscsiMarkGone(PVIOSCSI Scsi);
/* IRQL: DISPATCH_LEVEL, StartIo lock: the device was surprise removed: it is
 * never touched again and every request it held is completed once (NO_DEVICE). */
VOID VioscsiGone(PVIOSCSI Scsi);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the TMF of X was posted:
 * counted in the current timer period, the timer armed if it is not. */
VOID VioscsiTmfPosted(PVIOSCSI Scsi, PVIOSCSI_SRBEXT X);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: forget every TMF (the device
 * was reset, stopped or removed). */
VOID VioscsiTmfClear(PVIOSCSI Scsi);
