/*
 * vblk_findings.c - what the log says of each value vblk_config_check
 * found wrong: the field by its virtio_blk_config name (virtio 1.2 5.2.4),
 * the value the device gave, and what the driver uses instead.  One line
 * per finding, so a reader of the log never has to guess which field.
 */
#include "vblk.h"

/* Where a finding's field lies in the configuration and how it is named */
struct vblk_field {
    unsigned finding;
    const char *name;
    uint8_t offset, width; /* bytes into virtio_blk_config, 1 to 8 */
};

static const struct vblk_field vblk_fields[] = {
    {VBLK_BAD_SEG_MAX, "seg_max", VBLK_CFG_SEG_MAX, 4},
    {VBLK_BAD_BLK_SIZE, "blk_size", VBLK_CFG_BLK_SIZE, 4},
    {VBLK_BAD_NUM_QUEUES, "num_queues", VBLK_CFG_NUM_QUEUES, 2},
    {VBLK_BAD_CAPACITY, "capacity", VBLK_CFG_CAPACITY, 8},
    {VBLK_BAD_SIZE_MAX, "size_max", VBLK_CFG_SIZE_MAX, 4},
    {VBLK_BAD_PHYS_EXP, "physical_block_exp", VBLK_CFG_PHYS_BLOCK_EXP, 1},
    {VBLK_BAD_DISCARD, "max_discard_sectors", VBLK_CFG_MAX_DISCARD_SECT, 4},
    {VBLK_BAD_WRITE_ZEROES, "max_write_zeroes_sectors", VBLK_CFG_MAX_WZ_SECT, 4},
    {VBLK_BAD_WRITEBACK, "writeback", VBLK_CFG_WRITEBACK, 1},
    {VBLK_ODD_CAPACITY, "capacity", VBLK_CFG_CAPACITY, 8},
    {VBLK_BAD_DISCARD_ALIGN, "discard_sector_alignment", VBLK_CFG_DISCARD_ALIGN, 4},
    {VBLK_BAD_DISCARD_SEG, "max_discard_seg", VBLK_CFG_MAX_DISCARD_SEG, 4},
    {VBLK_BAD_WZ_SEG, "max_write_zeroes_seg", VBLK_CFG_MAX_WZ_SEG, 4},
    {VBLK_BAD_ALIGN_OFFSET, "alignment_offset", VBLK_CFG_ALIGNMENT_OFFSET, 1},
    {VBLK_BAD_OPT_IO, "opt_io_size", VBLK_CFG_OPT_IO_SIZE, 4},
    {VBLK_ZERO_SIZE_MAX, "size_max", VBLK_CFG_SIZE_MAX, 4},
};

/* IRQL: any. what the driver uses instead of a finding's value, from the checked disk */
static void vblk_finding_used(unsigned finding, const struct vblk_disk *d, struct vw_bad_value *out)
{
    switch (finding) {
    case VBLK_BAD_SEG_MAX:
        out->used = 1;
        break;
    case VBLK_BAD_BLK_SIZE:
        out->used = d->blk_size;
        break;
    case VBLK_BAD_NUM_QUEUES:
        out->used = 1;
        break;
    case VBLK_BAD_CAPACITY:
        out->instead = "the disk is not started";
        break;
    case VBLK_BAD_SIZE_MAX:
        out->used = d->size_max;
        break;
    case VBLK_BAD_PHYS_EXP:
        out->instead = "0 used, alignment_offset ignored";
        break;
    case VBLK_BAD_DISCARD:
        out->instead = "discard off";
        break;
    case VBLK_BAD_WRITE_ZEROES:
        out->instead = "write zeroes off";
        break;
    case VBLK_BAD_WRITEBACK:
        out->instead = "write-back assumed";
        break;
    case VBLK_ODD_CAPACITY:
        out->instead = "the part past the last whole block is unused";
        break;
    case VBLK_BAD_DISCARD_ALIGN:
        out->used = d->discard_align;
        break;
    case VBLK_BAD_DISCARD_SEG:
        out->used = d->discard_segs;
        break;
    case VBLK_BAD_WZ_SEG:
        out->used = d->wz_segs;
        break;
    case VBLK_BAD_ALIGN_OFFSET:
        out->used = d->align_off;
        break;
    case VBLK_BAD_OPT_IO:
        out->used = d->opt_io;
        break;
    case VBLK_ZERO_SIZE_MAX:
        out->instead = "no segment size limit";
        break;
    }
}

/* IRQL: any. see vblk.h */
bool vblk_finding_value(unsigned finding, const uint8_t *cfg, const struct vblk_disk *disk,
                        struct vw_bad_value *out)
{
    for (unsigned i = 0; i < sizeof(vblk_fields) / sizeof(vblk_fields[0]); i++) {
        const struct vblk_field *f = &vblk_fields[i];
        if (f->finding != finding)
            continue;
        out->field = f->name;
        out->value = 0;
        for (unsigned b = 0; b < f->width; b++)
            out->value |= (uint64_t)cfg[f->offset + b] << (8 * b);
        out->used = 0;
        out->instead = NULL;
        vblk_finding_used(finding, disk, out);
        return true;
    }
    return false;
}
