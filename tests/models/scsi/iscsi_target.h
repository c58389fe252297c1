/*
 * iscsi_target.h - a SCSI target back end (target.h) that forwards every
 * CDB to an iSCSI target (tgt) through libiscsi, asynchronously: INQUIRY,
 * READ CAPACITY, MODE SENSE, UNMAP, WRITE SAME, REPORT LUNS, sense data and
 * reservation conflicts come from code we did not write.  One iSCSI session
 * per virtio-scsi target (target N = the Nth IQN), plus one for REPORT LUNS
 * when the model rescans; a target may be added or removed at run time (log in, log
 * out).  TMFs become iSCSI task management functions:
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
/** Log in to IQN at PORTAL as virtio-scsi target SLOT (< 16; one made after the start,
 *  or one removed before): the device's targets grow to cover it and the model's next
 *  rescan finds its LUNs.  0, or -1 with ERR */
int iscsi_target_add(struct iscsi_target *t, uint16_t slot, const char *portal, const char *iqn,
                     char *err, size_t errlen);
/** Drop target SLOT (its connections closed): the commands it still had end ABORTED (as QEMU ends
 * the requests of an unplugged device), later ones end with no LUN (BAD_TARGET), and its LUN list
 * is empty (the model's next rescan raises REMOVED for each) */
void iscsi_target_remove(struct iscsi_target *t, uint16_t slot);

#endif /* ISCSI_TARGET_H */
