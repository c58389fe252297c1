/*
 * viostor.h - the StorPort half of viostor: the adapter (device extension),
 * the per-request state (SRB extension) and the routines shared by
 * driver.c (registration, HwFindAdapter, HwInitialize, adapter control),
 * io.c (HwBuildIo, HwStartIo, submission) and complete.c (interrupts,
 * DPCs, completion, reset).
 *
 * Locks: without concurrent channels the rings are touched only under
 * StorPort's StartIo lock: HwStartIo holds it (full duplex), the completion
 * DPCs and the configuration DPC take it, HwResetBus runs under it.  With
 * them (common/storport/stor_perf.h) a queue's ring is guarded by its message's MSI lock, and
 * what the queues share by every message's lock (VwStorLockAll): "the
 * StartIo lock" below means that set then.  The interrupt routines touch
 * no ring: they queue the DPC of each queue on their message.  A dump copy
 * has no DPCs: it completes from HwInterrupt, which StorPort polls.
 *
 * Surprise removal: Removed is published (ViostorMarkGone) before anything
 * else, then ViostorGone takes the StartIo lock and the interrupt lock in
 * turn; every path that reads or writes a register checks Removed while it
 * holds one of those locks, so once ViostorGone has them no path is between
 * its check and its access, and every later path sees Removed.
 */
#pragma once
#include <storport/stor_pnp.h>
#include <storport/stor_control.h>
#include <storport/stor_perf.h>
#include <storport/stor_srb.h>
#include <storport/virtio_stor.h>
#include <virtio/virtqueue_req.h>
#include "vblk.h"

#define VIOSTOR_DUMP_QUEUE_SIZE 128 /* a dump copy's ring: little memory */
#define VIOSTOR_TABLE_ENTRIES   (VBLK_MAX_DATA_SEGS + 6)
/* An INQUIRY for the serial waits for GET_ID's answer 100 ms at most */
#define VIOSTOR_ID_WAIT_US 100000
/* VIOSTOR_SRBEXT.Action of an INQUIRY whose answer carries the serial */
#define VIOSTOR_ACTION_SERIAL 0xfe

/* Where a request is */
enum viostor_stage {
    VIOSTOR_STAGE_IO = 0,    /* the translated request is at the device */
    VIOSTOR_STAGE_FLUSH = 1, /* the FLUSH that follows a FUA write */
};

/* One request queue */
typedef struct _VIOSTOR_QUEUE {
    struct virtqueue Vq;
    STOR_DPC Dpc;
} VIOSTOR_QUEUE, *PVIOSTOR_QUEUE;

/* The GET_ID request of the start, in the uncached extension */
typedef struct _VIOSTOR_ID_BUFFER {
    struct vblk_req_hdr Hdr;
    UCHAR Id[VIRTIO_BLK_ID_BYTES];
    UCHAR Status;
} VIOSTOR_ID_BUFFER;

/* The adapter */
typedef struct _VIOSTOR {
    VW_STOR_VIRTIO Virtio;
    struct vblk_disk Disk;
    struct vblk_queue_plan Plan;
    struct virtqueue_plan QueuePlan;
    uint16_t QueueSizes[VBLK_MAX_QUEUES];
    struct virtio_dma RingBlock;
    struct virtio_dma IdDma;
    PVOID RingMem;
    ULONG NumQueues;
    ULONG Messages;    /* MSI/MSI-X messages granted (0: a line) */
    VW_STOR_PERF Perf; /* performance options; Perf.Concurrent: a lock per queue */
    ULONG Findings;    /* enum vblk_finding of the last configuration check */
    ULONG Resets;      /* device resets done */
    ULONG Depth;       /* requests StorPort may have at the adapter */
    ULONG SegLimit;    /* data segments the shortest queue allows */
    BOOLEAN Dump;      /* a crash-dump or hibernation copy */
    BOOLEAN DpcReady;  /* the DPCs are initialised */
    BOOLEAN Ready;     /* DRIVER_OK set, queues live */
    BOOLEAN IdAsked;   /* GET_ID was posted (once, at the first INQUIRY for the serial) */
    BOOLEAN IdPending; /* the GET_ID request is at the device */
    BOOLEAN IdLate;    /* GET_ID not answered in time: its answer is ignored */
    struct _VIOSTOR_SRBEXT *IdWaiting; /* INQUIRYs that wait for GET_ID's answer */
    BOOLEAN Resetting;                 /* a reset the device has not finished: the timer polls it */
    BOOLEAN Restarting; /* ScsiRestartAdapter's reset not finished: the timer brings it up */
    BOOLEAN Paused;     /* StorPortPause in force for a slow reset or restart */
    ULONG ResetWaits;   /* timer periods the reset has waited */
    struct _VIOSTOR_SRBEXT *ResetWaiting; /* reset SRBs that complete when it has finished */
    volatile LONG Removed;                /* surprise removed: the device is never touched again */
    STOR_DPC ConfigDpc;
    VIOSTOR_QUEUE Queues[VBLK_MAX_QUEUES];
} VIOSTOR, *PVIOSTOR;

/* One request: translated by HwBuildIo, submitted by HwStartIo */
typedef struct _VIOSTOR_SRBEXT {
    struct vblk_req_hdr Hdr; /* device-readable */
    UCHAR Status;            /* device-writable; 0xff until the device writes it */
    UCHAR Stage;             /* enum viostor_stage */
    UCHAR Action;            /* enum vblk_action of the translation */
    UCHAR Pad;
    ULONG Queue;
    PVOID Srb;
    struct _VIOSTOR_SRBEXT *NextWaiting; /* IdWaiting's or ResetWaiting's chain (one at a time) */
    struct vblk_io Io;
    struct vblk_range Ranges[VBLK_MAX_RANGES]; /* device-readable */
    /* This request's indirect table: 16-byte aligned inside */
    UCHAR Table[VIOSTOR_TABLE_ENTRIES * 16 + 16];
} VIOSTOR_SRBEXT, *PVIOSTOR_SRBEXT;

/* A request's pieces HwStartIo works out before it takes its queue's lock */
typedef struct _VIOSTOR_PREP {
    PSTOR_SCATTER_GATHER_LIST Sgl;
    struct virtqueue_indirect Ind;
    uint64_t HdrPa, StPa;
    int HdrN, StN, RangeN;
    BOOLEAN Data, Ranges;
} VIOSTOR_PREP, *PVIOSTOR_PREP;

/* driver.c */
/* IRQL: any. read the device configuration and check it (DbgPrint findings). */
BOOLEAN ViostorReadConfig(PVIOSTOR Stor);

/* io.c */
HW_BUILDIO ViostorBuildIo;
HW_STARTIO ViostorStartIo;
/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or a dump copy): put the request
 * of X on its queue; returns an SRB status, SRB_STATUS_PENDING when queued. */
UCHAR ViostorSubmit(PVIOSTOR Stor, PVIOSTOR_SRBEXT X);
/* IRQL: any. complete Srb with Status (and the sense of Cmd, if any). */
VOID ViostorComplete(PVIOSTOR Stor, PVOID Srb, UCHAR SrbStatus, const struct vblk_cmd *Cmd);
/* IRQL: DISPATCH_LEVEL, no lock (or StartIo lock): translate the SCSI command
 * of X's SRB against the disk into Cmd. */
enum vblk_action ViostorTranslate(PVIOSTOR Stor, PVIOSTOR_SRBEXT X, struct vblk_cmd *Cmd);

/* serial.c */
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: GET_ID came back (Written
 * bytes): the serial is set, the INQUIRYs that waited are answered. */
VOID ViostorIdDone(PVIOSTOR Stor, uint32_t Written);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: GET_ID will not be answered
 * (a reset took it back, the time ran out, the device is gone): the
 * INQUIRYs that waited end with Status (SUCCESS: answered without a serial). */
VOID ViostorIdGiveUp(PVIOSTOR Stor, UCHAR Status);
/* IRQL: DISPATCH_LEVEL, StartIo lock: an INQUIRY whose answer carries the
 * serial: completed now, or kept while GET_ID is at the device (both
 * SRB_STATUS_PENDING), else the status to complete it with. */
UCHAR ViostorSerialInquiry(PVIOSTOR Stor, PVIOSTOR_SRBEXT X);

/* complete.c */
HW_INTERRUPT ViostorInterrupt;
HW_MESSAGE_SIGNALED_INTERRUPT_ROUTINE ViostorMsiInterrupt;
HW_RESET_BUS ViostorResetBus;
HW_DPC_ROUTINE ViostorQueueDpc;
HW_DPC_ROUTINE ViostorConfigDpc;
/* IRQL: DISPATCH_LEVEL, StartIo lock held by StorPort: the adapter's one timer
 * (a slow reset's 1 ms polls, else the end of the wait for GET_ID). */
HW_TIMER ViostorTimer;
/* IRQL: DISPATCH_LEVEL or above, StartIo lock (or a dump copy): complete what
 * queue Q has finished; a queue the device broke resets the device. */
VOID ViostorDrain(PVIOSTOR Stor, ULONG Q);
/* IRQL: DIRQL, queue Q's lock (concurrent channels): complete what queue Q
 * has finished; TRUE if the device broke it (the caller resets under
 * every lock). */
BOOLEAN ViostorDrainQueue(PVIOSTOR Stor, ULONG Q);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: reset the device, complete every
 * request it had with BUS_RESET, bring it back; a device slow to read 0 is
 * finished by a timer (Resetting; StorPort paused meanwhile).  FALSE if it
 * did not come back. */
BOOLEAN ViostorResetDevice(PVIOSTOR Stor);
/* IRQL: DIRQL, interrupt lock (ScsiRestartAdapter: First), or DISPATCH_LEVEL
 * with the StartIo lock (the timer): the restart's reset, one step: 0 (the
 * adapter is up), VIRTIO_EAGAIN (the device has not read 0 yet) or an
 * error (the device left FAILED). */
int ViostorRestartStep(PVIOSTOR Stor, BOOLEAN First);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: a reset SRB or HwResetBus
 * (storage/multi-tier-reset-in-storport): what the device finished
 * completes as it ended, then the device is reset, which completes the rest
 * BUS_RESET once it reads 0 (before this returns, or from the timer while
 * Resetting stays TRUE); FALSE if the device did not come back. */
BOOLEAN ViostorResetAll(PVIOSTOR Stor);
/* IRQL: DISPATCH_LEVEL or above, StartIo lock: the reset SRB X completes
 * when the reset or restart under way has finished (SUCCESS, or ERROR if
 * the device did not come back), after the requests the device held. */
VOID ViostorWaitReset(PVIOSTOR Stor, PVIOSTOR_SRBEXT X);
/* IRQL: any, no lock: the device was surprise removed: from now on every
 * path that would touch it sees Removed (ViostorGone follows). */
VOID ViostorMarkGone(PVIOSTOR Stor);
/* IRQL: DISPATCH_LEVEL, StartIo lock: the device was surprise removed: it is
 * never touched again and every request it held is completed once (NO_DEVICE). */
VOID ViostorGone(PVIOSTOR Stor);
