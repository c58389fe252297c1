/*
 * scsi_test.h - the virtio-scsi model's test tables and shared helpers.
 */
#ifndef SCSI_TEST_H
#define SCSI_TEST_H

#include "../../virtio/vtest.h"
#include "rig.h"
#include "scsi_cdb.h"

extern const struct vtest scsi_mem_tests[];
extern const struct vtest scsi_rule_tests[];
extern const struct vtest scsi_tgt_tests[];

#define SCSI_F(x) (1ull << VIRTIO_SCSI_F_##x)
#define ALL_SCSI  (SCSI_F(INOUT) | SCSI_F(HOTPLUG) | SCSI_F(CHANGE))

/** CDB builders */
static inline void cdb_inquiry(struct rig_cmd *c, uint16_t alloc)
{
    memset(c->cdb, 0, 16);
    c->cdb[0] = SCSI_OP_INQUIRY;
    c->cdb[3] = (uint8_t)(alloc >> 8);
    c->cdb[4] = (uint8_t)alloc;
    c->in_len = alloc;
    c->out_len = 0;
}

static inline void cdb_report_luns(struct rig_cmd *c, uint32_t alloc)
{
    memset(c->cdb, 0, 16);
    c->cdb[0] = SCSI_OP_REPORT_LUNS;
    scsi_put_be32(c->cdb + 6, alloc);
    c->in_len = alloc;
    c->out_len = 0;
}

static inline void cdb_read_capacity16(struct rig_cmd *c)
{
    memset(c->cdb, 0, 16);
    c->cdb[0] = SCSI_OP_SERVICE_IN16;
    c->cdb[1] = SCSI_SA_READ_CAPACITY16;
    scsi_put_be32(c->cdb + 10, 32);
    c->in_len = 32;
    c->out_len = 0;
}

static inline void cdb_rw16(struct rig_cmd *c, bool write, uint64_t lba, uint32_t blocks)
{
    memset(c->cdb, 0, 16);
    c->cdb[0] = write ? SCSI_OP_WRITE16 : SCSI_OP_READ16;
    scsi_put_be64(c->cdb + 2, lba);
    scsi_put_be32(c->cdb + 10, blocks);
    c->in_len = write ? 0 : blocks * 512;
    c->out_len = write ? blocks * 512 : 0;
}

/** UNMAP of one range: the parameter list goes in the slot's data buffer */
static inline void cdb_unmap(struct rig_cmd *c, uint8_t *data, uint64_t lba, uint32_t blocks)
{
    memset(c->cdb, 0, 16);
    c->cdb[0] = SCSI_OP_UNMAP;
    c->cdb[8] = 24;
    memset(data, 0, 24);
    data[1] = 22;
    data[3] = 16;
    scsi_put_be64(data + 8, lba);
    scsi_put_be32(data + 16, blocks);
    c->out_len = 24;
    c->in_len = 0;
}

#endif /* SCSI_TEST_H */
