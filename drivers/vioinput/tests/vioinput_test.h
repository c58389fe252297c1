/*
 * Shared set-up of the vioinput scenarios: a virtio-input PCI function
 * (modern only, 1AF4:1052) with a keyboard, mouse and/or tablet
 * personality (tests/models/virtio/vmodel_input), the driver loaded under the
 * hidclass emulation (tests/harness/port/hidclass) and started, and helpers that
 * inject Linux input events and return the decoded HID reports.
 */
#pragma once
#include <stdlib.h>
#include <string.h>
#include "dev_virtio.h"
#include "port/hidclass/hidclass.h"
#include "kernel.h"
#include "scenario.h"
#include "vmodel_input.h"
#include "vw_ntstatus.h"

#define VIRTIO_ID_INPUT 18
#define F_VERSION_1     (1ull << 32)
#define F_RING_PACKED   (1ull << 34)
#define F_EVENT_IDX     (1ull << 29)
#define F_INDIRECT      (1ull << 28)

#define PAGE_DESKTOP  0x01
#define PAGE_KEYBOARD 0x07
#define PAGE_LED      0x08
#define PAGE_BUTTON   0x09
#define PAGE_CONSUMER 0x0c
#define USAGE_X       0x30
#define USAGE_Y       0x31
#define USAGE_WHEEL   0x38
#define USAGE_AC_PAN  0x238

/* Linux codes the scenarios use. */
#define KEY_A         30
#define KEY_B         48
#define KEY_C         46
#define KEY_D         32
#define KEY_E         18
#define KEY_F         33
#define KEY_G         34
#define KEY_LEFTSHIFT 42
#define KEY_LEFTCTRL  29
#define KEY_RIGHTALT  100
#define BTN_LEFT      0x110
#define BTN_RIGHT     0x111
#define REL_X         0
#define REL_Y         1
#define REL_HWHEEL    6
#define REL_WHEEL     8
#define ABS_X         0
#define ABS_Y         1

struct vioinput_bed {
    struct vw_virtio *dev;
    struct vmodel_input *vi;
};

/* The PCI function and its personality (not started). */
static inline struct vioinput_bed vioinput_device(struct vm *vm, unsigned kinds, bool msix,
                                                  uint64_t extra_features)
{
    struct vw_virtio_config cfg = {
        .transport = VMODEL_MODERN,
        .device_type = VIRTIO_ID_INPUT,
        .features = F_VERSION_1 | F_EVENT_IDX | F_INDIRECT | extra_features,
        .queues = 2,
        .queue_max = 64,
        .msix = msix,
        .seed = 0x1e9,
        .device_cfg_len = VMODEL_INPUT_CFG_LEN,
    };
    struct vioinput_bed bed = {vw_virtio_create(vm, &cfg), calloc(1, sizeof(struct vmodel_input))};
    if (bed.vi != NULL)
        vw_kernel_keep(vm, bed.vi);
    if (bed.dev != NULL && bed.vi != NULL)
        vmodel_input_init(bed.vi, bed.dev->model, kinds);
    return bed;
}

/* Load under hidclass, add, START; returns START's status (0 = up). */
static inline uint32_t vioinput_try_start(struct vm *vm, struct vioinput_bed *bed)
{
    if (bed->dev == NULL || bed->vi == NULL || !vw_driver_load(vm, "vioinput") ||
        !vw_add_device(vm, bed->dev->pdo))
        return VW_STATUS_INVALID_DEVICE_REQUEST;
    return vw_pnp(vm, bed->dev->pdo, VW_IRP_MN_START_DEVICE);
}

static inline bool vioinput_start(struct vm *vm, struct vioinput_bed *bed)
{
    uint32_t status = vioinput_try_start(vm, bed);
    VW_EXPECT(vm, status == 0, "START_DEVICE failed with 0x%08x", status);
    VW_EXPECT(vm, vw_hid(vm) != NULL && vw_hid(vm)->started, "hidclass did not start the device");
    vw_hid_pump(vm);
    return !vm->failed;
}

/* Reports that arrived since mark *MARK (advanced). */
static inline unsigned vioinput_new_reports(struct vm *vm, unsigned *mark)
{
    vw_hid_pump(vm);
    unsigned n = vw_hid(vm)->log_count - *mark;
    *mark = vw_hid(vm)->log_count;
    return n;
}

/* The most recent report. */
static inline const struct hid_report *vioinput_last(struct vm *vm)
{
    struct vw_hidclass *h = vw_hid(vm);
    return &h->log[(h->log_count + VW_HID_LOG - 1) % VW_HID_LOG];
}

/* The report AGO reports before the last (0 = the last). */
static inline const struct hid_report *vioinput_report(struct vm *vm, unsigned ago)
{
    struct vw_hidclass *h = vw_hid(vm);
    return &h->log[(h->log_count + VW_HID_LOG - 1 - ago) % VW_HID_LOG];
}

/* Inject events then SYN_REPORT, and expect exactly WANT new reports. */
static inline void vioinput_frame(struct vm *vm, struct vioinput_bed *bed, unsigned *mark,
                                  unsigned want, const struct vmodel_input_event *ev, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        vmodel_input_event(bed->vi, ev[i].type, ev[i].code, ev[i].value);
    vmodel_input_syn(bed->vi);
    unsigned got = vioinput_new_reports(vm, mark);
    VW_EXPECT(vm, got == want, "expected %u report(s) for the frame, got %u", want, got);
}

/* Remove and unload with the leak checks. */
static inline void vioinput_finish(struct vm *vm, struct vioinput_bed *bed)
{
    vw_pnp(vm, bed->dev->pdo, VW_IRP_MN_REMOVE_DEVICE);
    vw_driver_unload(vm);
}
