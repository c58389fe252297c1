/*
 * mem_target.h - an in-process SCSI target (target.h) on memory-backed
 * disks, for the faults tgt cannot be made to show: lost responses, a TMF
 * that never completes, BUSY storms, sense longer than the device posts,
 * a residual larger than the transfer, a target that hangs.
 *
 * It answers TEST UNIT READY, INQUIRY (standard, VPD 0x00/0x80), REPORT
 * LUNS, READ CAPACITY(10)/(16), READ/WRITE(10)/(16), SYNCHRONIZE CACHE(10)
 * and UNMAP; anything else gets CHECK CONDITION, ILLEGAL REQUEST, INVALID
 * COMMAND OPERATION CODE.  Commands execute at submit and complete at the
 * next poll; TMFs too.
 */
#ifndef MEM_TARGET_H
#define MEM_TARGET_H

#include "target.h"

#define MEM_TARGET_BLOCK 512u

/** Faults, changeable at any time */
struct mem_target_faults {
    uint32_t lose_every; /**< every Nth command's response is lost: it stays outstanding
                              until a TMF ends it */
    bool tmf_never;      /**< TMFs are taken and never complete */
    uint32_t busy;       /**< the next BUSY commands answer status BUSY (a BUSY storm) */
    bool long_sense;     /**< CHECK CONDITION with 200 bytes of sense data */
    bool big_residual;   /**< residual reported as the transfer + 4096 */
    bool hung;           /**< nothing completes, commands or TMFs */
    bool tmf_reject;     /**< every TMF answers FUNCTION REJECTED and ends nothing (SAM-5
                              7.1: a target that supports none of them) */
    bool no_report_luns; /**< REPORT LUNS answers CHECK CONDITION, ILLEGAL REQUEST, INVALID
                              COMMAND OPERATION CODE (SPC-4: an operation code not supported;
                              a SCSI-2 target has no REPORT LUNS); INQUIRY answers as ever */
};

struct mem_target;

/** NTARGETS targets with LUNS LUNs each (0..LUNS-1) of BLOCKS blocks */
struct mem_target *mem_target_create(uint16_t ntargets, uint32_t luns, uint64_t blocks);
struct scsi_target *mem_target_base(struct mem_target *t);
void mem_target_set_faults(struct mem_target *t, const struct mem_target_faults *f);
/** A slow backend answering after all: every lost response still
 *  outstanding is given at the next poll (returns how many) */
unsigned mem_target_release_lost(struct mem_target *t);
/** Hot plug: add (BLOCKS > 0) or remove (BLOCKS == 0) a LUN */
int mem_target_set_lun(struct mem_target *t, uint16_t target, uint32_t lun, uint64_t blocks);
/** The LUN's bytes, for a test to check what reached the disk */
uint8_t *mem_target_disk(struct mem_target *t, uint16_t target, uint32_t lun, uint64_t *blocks);

#endif /* MEM_TARGET_H */
