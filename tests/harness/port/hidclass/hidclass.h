/*
 * hidclass.sys, emulated for HID minidrivers (one device per machine).
 *
 * A plug-in API group (VW_API_GROUP, api.h) with per-machine state.
 * HidRegisterMinidriver records the minidriver's dispatch
 * routines, AddDevice and DriverUnload and puts the class driver's in their
 * place, as hidclass does.  Then, through the ordinary PnP calls of pnp.h:
 *   AddDevice  creates the FDO with room for HID_DEVICE_EXTENSION and the
 *              minidriver's extension, attaches it to the PDO, calls the
 *              minidriver's AddDevice;
 *   START      goes to the minidriver; on success the class driver asks for
 *              the HID descriptor, report descriptor and attributes
 *              (IRP_MJ_INTERNAL_DEVICE_CONTROL, METHOD_NEITHER), parses the
 *              report descriptor (hidparse.h: it must be well formed) and
 *              asks for the product string (optional) and keeps two
 *              IOCTL_HID_READ_REPORT requests pending (ping-pong);
 *   STOP, SURPRISE_REMOVAL, REMOVE, D1-D3: pending reads are cancelled first;
 *              after REMOVE the FDO is detached and deleted;
 *   D0         reads start again.
 * Completed reads are decoded to usages and logged for the scenario.
 */
#pragma once
#include "kernel.h"
#include "hidparse.h"

#define VW_HID_READS      2
#define VW_HID_LOG        256
#define VW_HID_READ_BYTES 64

struct vw_hid_read {
    gva_t irp, buffer;
    bool busy; /* sent, not completed */
};

struct vw_hidclass {
    bool registered;
    uint32_t ext_size;
    bool polled;
    gva_t mini_major[28];
    gva_t mini_add, mini_unload;
    gva_t fdo, pdo, next;
    bool started, reading;
    bool power_at_dispatch; /* vw_hidclass_power_at_dispatch */
    bool sync_done;         /* the last synchronous request completed */
    uint64_t next_type3;    /* Type3InputBuffer of the next request */
    uint8_t hid_descriptor[9];
    uint8_t report_descriptor[1024];
    unsigned report_descriptor_len;
    uint16_t vendor, product, version;
    char product_string[128]; /* IOCTL_HID_GET_STRING(product), "" if refused */
    struct hid_descriptor parsed;
    struct vw_hid_read reads[VW_HID_READS];
    unsigned read_errors;
    uint32_t last_read_status;
    struct hid_report log[VW_HID_LOG];
    unsigned log_count;
};

/* The emulation's state, or NULL when the driver never registered. */
struct vw_hidclass *vw_hid(struct vm *vm);
/* hidclass's FDO without DO_POWER_PAGABLE: device set-power IRPs reach the
 * minidriver at DISPATCH_LEVEL (hidclass waits for a pending one). */
void vw_hidclass_power_at_dispatch(struct vm *vm, bool on);
/* Let the device run, deliver completed reads, keep two reads pending;
 * returns how many reports arrived. */
unsigned vw_hid_pump(struct vm *vm);
/* The collection index with (PAGE, USAGE), or -1. */
int vw_hid_collection(struct vm *vm, uint16_t page, uint16_t usage);
/* An output report through IOCTL_HID_WRITE_REPORT (DATA starts with the
 * report ID byte); returns the final status. */
uint32_t vw_hid_write_report(struct vm *vm, const uint8_t *data, uint32_t len);
