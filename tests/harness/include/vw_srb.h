/*
 * SRB constants the StorPort emulation sends or checks and the StorPort
 * scenarios assert (srb/ns-srb-_scsi_request_block, SrbStatus and Function;
 * storport/ns-storport-_storage_request_block).  The driver side has its
 * own in common/include/vw/storport.h; tests/constants pins both.
 */
#pragma once

#define SRB_FUNCTION_EXECUTE_SCSI    0x00
#define SRB_FUNCTION_FLUSH           0x08
#define SRB_FUNCTION_STORAGE_BLOCK   0x28
#define SRB_FUNCTION_RESET_DEVICE    0x16
#define SRB_FUNCTION_RESET_LU        0x20 /* SRB_FUNCTION_RESET_LOGICAL_UNIT */
#define SRB_STATUS_PENDING           0x00
#define SRB_STATUS_SUCCESS           0x01
#define SRB_STATUS_ABORTED           0x02
#define SRB_STATUS_ERROR             0x04
#define SRB_STATUS_BUSY              0x05
#define SRB_STATUS_NO_DEVICE         0x08
#define SRB_STATUS_SELECTION_TIMEOUT 0x0a /* no target at that address */
#define SRB_STATUS_BUS_RESET         0x0e
#define SRB_STATUS_DATA_OVERRUN      0x12 /* also an underrun: DataTransferLength the bytes moved */
#define SRB_STATUS_INVALID_LUN       0x20
#define SRB_STATUS_INVALID_TARGET_ID 0x21
/* SRB_STATUS(): the status without AUTOSENSE_VALID and QUEUE_FROZEN */
#define SRB_STATUS_MASK 0x3f
