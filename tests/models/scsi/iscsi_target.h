/*
 * iscsi_target.h - a SCSI target back end (target.h) that forwards every
 * CDB to an iSCSI target (tgt) through libiscsi, asynchronously: INQUIRY,
 * READ CAPACITY, MODE SENSE, UNMAP, WRITE SAME, REPORT LUNS, sense data and
 * reservation conflicts come from code we did not write.  One iSCSI session
 * per virtio-scsi target (target N = the Nth IQN), plus one for REPORT LUNS
 * when the model rescans.  TMFs become iSCSI task management functions:
 * ABORT TASK, ABORT TASK SET, LOGICAL UNIT RESET; I_T NEXUS RESET a TARGET
 * WARM RESET.
 */
#ifndef ISCSI_TARGET_H
#define ISCSI_TARGET_H

#include <stddef.h>

#include "target.h"

struct iscsi_target;

/** Log in to each of the N targets IQNS at PORTAL; NULL with ERR on failure */
struct iscsi_target *iscsi_target_open(const char *portal, const char *const *iqns, uint16_t n,
                                       char *err, size_t errlen);
struct scsi_target *iscsi_target_base(struct iscsi_target *t);

#endif /* ISCSI_TARGET_H */
