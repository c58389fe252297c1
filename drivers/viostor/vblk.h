/*
 * vblk.h - the OS-neutral half of viostor: virtio-blk facts (virtio 1.2,
 * section 5.2), the disk as the driver sees it once the device's
 * configuration has been checked (vblk_config.c), the queue and message
 * plan (vblk_queues.c) and the SCSI translation (vblk_scsi.c).  Nothing here
 * includes a Windows header: the host unit tests (tests/host/) build these
 * files as they are, under ASan and UBSan.
 */
#ifndef VBLK_H
#define VBLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <storport/stor_bad_value.h>

/* ---- virtio-blk (spec 5.2) -------------------------------------------- */
#define VIRTIO_BLK_F_SIZE_MAX     1
#define VIRTIO_BLK_F_SEG_MAX      2
#define VIRTIO_BLK_F_GEOMETRY     4
#define VIRTIO_BLK_F_RO           5
#define VIRTIO_BLK_F_BLK_SIZE     6
#define VIRTIO_BLK_F_FLUSH        9
#define VIRTIO_BLK_F_TOPOLOGY     10
#define VIRTIO_BLK_F_CONFIG_WCE   11
#define VIRTIO_BLK_F_MQ           12
#define VIRTIO_BLK_F_DISCARD      13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

#define VIRTIO_BLK_T_IN           0
#define VIRTIO_BLK_T_OUT          1
#define VIRTIO_BLK_T_FLUSH        4
#define VIRTIO_BLK_T_GET_ID       8
#define VIRTIO_BLK_T_DISCARD      11
#define VIRTIO_BLK_T_WRITE_ZEROES 13

#define VIRTIO_BLK_S_OK     0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_ID_BYTES      20 /* GET_ID: the serial, NUL-padded, maybe not terminated */
#define VIRTIO_BLK_SECTOR_SHIFT  9  /* request sectors are always 512 bytes */
#define VIRTIO_BLK_WZ_FLAG_UNMAP 1  /* discard/write-zeroes segment flag */

/* Offsets in struct virtio_blk_config (spec 5.2.4) */
#define VBLK_CFG_CAPACITY         0  /* le64, 512-byte sectors */
#define VBLK_CFG_SIZE_MAX         8  /* le32 */
#define VBLK_CFG_SEG_MAX          12 /* le32 */
#define VBLK_CFG_BLK_SIZE         20 /* le32 */
#define VBLK_CFG_PHYS_BLOCK_EXP   24 /* u8 */
#define VBLK_CFG_ALIGNMENT_OFFSET 25 /* u8 */
#define VBLK_CFG_MIN_IO_SIZE      26 /* le16 */
#define VBLK_CFG_OPT_IO_SIZE      28 /* le32 */
#define VBLK_CFG_WRITEBACK        32 /* u8 */
#define VBLK_CFG_NUM_QUEUES       34 /* le16 */
#define VBLK_CFG_MAX_DISCARD_SECT 36 /* le32 */
#define VBLK_CFG_MAX_DISCARD_SEG  40 /* le32 */
#define VBLK_CFG_DISCARD_ALIGN    44 /* le32 */
#define VBLK_CFG_MAX_WZ_SECT      48 /* le32 */
#define VBLK_CFG_MAX_WZ_SEG       52 /* le32 */
#define VBLK_CFG_WZ_MAY_UNMAP     56 /* u8 */
#define VBLK_CFG_BYTES            60 /* what the driver reads */

/* Request header (device-readable, 16 bytes) and a discard/write-zeroes
 * segment (16 bytes), little-endian on the wire */
struct vblk_req_hdr {
    uint32_t type;
    uint32_t ioprio;
    uint64_t sector;
};

struct vblk_range {
    uint64_t sector;
    uint32_t num_sectors;
    uint32_t flags;
};

/* ---- Driver limits ----------------------------------------------------- */
#define VBLK_MAX_QUEUES        64   /* request queues the driver runs at most */
#define VBLK_MAX_DATA_SEGS     1026 /* data segments per request: 4 MiB unaligned is 1025 pages */
#define VBLK_MAX_RANGES        32   /* discard/write-zeroes ranges per request */
#define VBLK_DEFAULT_DATA_SEGS 128  /* without SEG_MAX (512 KiB of 4 KiB pages) */

/* ---- The disk, from a checked configuration (vblk_config.c) ------------ */
struct vblk_disk {
    uint64_t sectors;    /* capacity in 512-byte sectors */
    uint64_t blocks;     /* capacity in logical blocks */
    uint32_t blk_size;   /* logical block size: a power of two, 512 .. 65536 */
    uint8_t blk_shift;   /* log2(blk_size / 512) */
    uint8_t phys_exp;    /* logical blocks per physical block, log2 */
    uint16_t align_off;  /* lowest aligned logical block */
    uint16_t min_io;     /* logical blocks (0: not reported) */
    uint32_t opt_io;     /* logical blocks (0: not reported) */
    uint32_t size_max;   /* bytes per segment (0: no limit) */
    uint32_t data_segs;  /* data segments per request */
    uint32_t max_elems;  /* scatter/gather elements StorPort may send */
    uint16_t num_queues; /* request queues the device has */
    bool ro, flush, config_wce, writeback;
    bool discard, write_zeroes, wz_may_unmap;
    uint32_t max_discard;  /* 512-byte sectors per range */
    uint32_t discard_segs; /* ranges per request */
    uint32_t discard_align;
    uint32_t max_wz; /* 512-byte sectors per range */
    uint32_t wz_segs;
    uint32_t max_transfer; /* bytes per read/write request */
    uint8_t serial[VIRTIO_BLK_ID_BYTES];
    uint8_t serial_len;
};

/* Findings of vblk_config_check: each one field the device got wrong */
enum vblk_finding {
    VBLK_BAD_SEG_MAX = 1u << 0,        /* 0: one data segment */
    VBLK_BAD_BLK_SIZE = 1u << 1,       /* 0, not a power of two, outside 512..64K: 512 */
    VBLK_BAD_NUM_QUEUES = 1u << 2,     /* 0: one queue */
    VBLK_BAD_CAPACITY = 1u << 3,       /* bytes overflow 64 bits: start fails */
    VBLK_BAD_SIZE_MAX = 1u << 4,       /* 1..511: 512 used (0: VBLK_ZERO_SIZE_MAX) */
    VBLK_BAD_PHYS_EXP = 1u << 5,       /* exponent > 15: topology ignored (0, offset 0) */
    VBLK_BAD_DISCARD = 1u << 6,        /* max_discard_sectors below a block: discard off */
    VBLK_BAD_WRITE_ZEROES = 1u << 7,   /* max_write_zeroes_sectors below a block: off */
    VBLK_BAD_WRITEBACK = 1u << 8,      /* not 0/1: write-back (flushes kept) */
    VBLK_ODD_CAPACITY = 1u << 9,       /* not a whole number of blocks: tail unused */
    VBLK_BAD_DISCARD_ALIGN = 1u << 10, /* 0 or not whole blocks: rounded up to blocks */
    VBLK_BAD_DISCARD_SEG = 1u << 11,   /* max_discard_seg 0: one range */
    VBLK_BAD_WZ_SEG = 1u << 12,        /* max_write_zeroes_seg 0: one range */
    VBLK_BAD_ALIGN_OFFSET = 1u << 13,  /* alignment_offset beyond the physical block: 0 */
    VBLK_BAD_OPT_IO = 1u << 14,        /* opt_io_size above the max transfer: the max transfer */
    VBLK_ZERO_SIZE_MAX = 1u << 15,     /* size_max 0 with the feature: no segment size limit */
};
#define VBLK_FINDINGS 16 /* bits in enum vblk_finding */

/* A little-endian 16-bit load from the configuration bytes. IRQL: any. */
static inline uint16_t vblk_le16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}
/* A little-endian 32-bit load. IRQL: any. */
static inline uint32_t vblk_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
/* A little-endian 64-bit load. IRQL: any. */
static inline uint64_t vblk_le64(const uint8_t *p)
{
    return vblk_le32(p) | (uint64_t)vblk_le32(p + 4) << 32;
}

/*
 * Check the device configuration (cfg: VBLK_CFG_BYTES read consistently)
 * against the negotiated features and fill disk.  Returns the findings
 * (enum vblk_finding); start fails when VBLK_BAD_CAPACITY is among them,
 * every other finding has a safe default in disk.
 */
unsigned vblk_config_check(const uint8_t *cfg, uint64_t features, struct vblk_disk *disk);

/* Lower the data segments per request to segs (a queue shorter than
 * seg_max + 2), with the transfer limits that follow */
void vblk_limit_segments(struct vblk_disk *disk, uint32_t segs);

/* Describe one finding (a single bit) of the check of cfg that produced disk,
 * for the log; false for a bit that is no finding */
bool vblk_finding_value(unsigned finding, const uint8_t *cfg, const struct vblk_disk *disk,
                        struct vw_bad_value *out);

/* Record the GET_ID answer (20 bytes): the printable prefix */
void vblk_set_serial(struct vblk_disk *disk, const uint8_t *id, size_t len);

/* ---- Queues and messages (vblk_queues.c) ------------------------------- */
enum vblk_msg_mode {
    VBLK_MSG_ONE_EACH = 0, /* config on message 0, queue q on message q + 1 */
    VBLK_MSG_SHARED = 1,   /* config on 0, queues round robin on 1..n-1 */
    VBLK_MSG_ALL_ONE = 2,  /* one message (or a line) for everything */
};

struct vblk_queue_plan {
    unsigned nqueues;        /* request queues to run */
    enum vblk_msg_mode mode; /* how messages are shared */
    unsigned config_msg;     /* message of configuration changes */
    uint16_t queue_msg[VBLK_MAX_QUEUES];
};

/*
 * Choose the request queues and their messages: one queue per CPU up to
 * what the device has (and VBLK_MAX_QUEUES); messages is what the system
 * granted (0: a line interrupt).  Fewer messages than queues + 1 make queues
 * share messages; the number of queues never drops for that.
 */
void vblk_plan_queues(unsigned cpus, unsigned dev_queues, unsigned messages,
                      struct vblk_queue_plan *plan);

/* The requests the rings hold at once (sizes[q] for n queues): StorPort's
 * MaxNumberOfIO, MaxIOsPerLun and InitialLunQueueDepth (the one LUN may use
 * them all).  A request is one descriptor with an indirect table, else
 * header, data and status: three at least.  1 at the least. */
uint32_t vblk_queue_depth(const uint16_t *sizes, unsigned n, bool indirect);

/* ---- SCSI translation (vblk_scsi.c) ------------------------------------ */
#define SCSI_STATUS_GOOD            0x00
#define SCSI_STATUS_CHECK_CONDITION 0x02

#define SCSI_SENSE_NO_SENSE        0x00
#define SCSI_SENSE_MEDIUM_ERROR    0x03
#define SCSI_SENSE_HARDWARE_ERROR  0x04
#define SCSI_SENSE_ILLEGAL_REQUEST 0x05
#define SCSI_SENSE_DATA_PROTECT    0x07

#define SCSI_ASC_WRITE_ERROR         0x0c
#define SCSI_ASC_UNRECOVERED_READ    0x11
#define SCSI_ASC_INVALID_OPCODE      0x20
#define SCSI_ASC_LBA_OUT_OF_RANGE    0x21
#define SCSI_ASC_INVALID_CDB_FIELD   0x24
#define SCSI_ASC_INVALID_PARAM_FIELD 0x26
#define SCSI_ASC_WRITE_PROTECTED     0x27
#define SCSI_ASC_SAVING_UNSUPPORTED  0x39
#define SCSI_ASC_INTERNAL_FAILURE    0x44

#define VBLK_SENSE_BYTES 18 /* fixed-format sense data */

/* What a command becomes */
enum vblk_action {
    VBLK_DONE = 0,    /* answered here: status, sense and data_len are final */
    VBLK_IO = 1,      /* a virtio-blk request (io below) */
    VBLK_SET_WCE = 2, /* write the config writeback byte (io.wce), then good */
};

/* A virtio-blk request to issue */
struct vblk_io {
    uint32_t type;    /* VIRTIO_BLK_T_* */
    uint64_t sector;  /* 512-byte sector (IN/OUT) */
    uint32_t bytes;   /* data bytes (IN/OUT), 0 otherwise */
    bool fua;         /* a FLUSH must follow before completion */
    uint8_t wce;      /* VBLK_SET_WCE: new writeback value */
    uint16_t nranges; /* DISCARD/WRITE_ZEROES: ranges written to the caller's array */
};

/* One command */
struct vblk_cmd {
    const uint8_t *cdb;
    unsigned cdb_len;
    uint8_t *data;     /* the mapped data buffer (non-read/write commands) */
    uint32_t data_len; /* its length: in, allocation; out, bytes transferred */
    bool data_in;      /* direction of the data buffer (to the initiator) */
    /* results */
    uint8_t status; /* SCSI status */
    uint8_t sense[VBLK_SENSE_BYTES];
    bool sense_valid;
    struct vblk_io io;
    struct vblk_range *ranges; /* caller's array of VBLK_MAX_RANGES (le on the wire) */
};

/* Translate cmd against disk: an answer, or a request to issue */
enum vblk_action vblk_scsi_translate(const struct vblk_disk *disk, struct vblk_cmd *cmd);

/* Whether the command's answer carries the serial: an INQUIRY of VPD page
 * 0x80 (unit serial number) or 0x83 (its designator) */
bool vblk_scsi_needs_serial(const uint8_t *cdb, unsigned cdb_len);

/*
 * The SCSI outcome of a finished request: status byte as the device wrote
 * it (0xff when it wrote none), written the bytes the device said it
 * wrote (used length).  Fills status, sense and data_len of cmd.
 */
void vblk_scsi_complete(struct vblk_cmd *cmd, uint8_t blk_status, uint32_t written);

/* Fill fixed-format sense data and CHECK CONDITION */
void vblk_scsi_sense(struct vblk_cmd *cmd, uint8_t key, uint8_t asc, uint8_t ascq);

#endif /* VBLK_H */
