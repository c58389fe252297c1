/*
 * A HID report descriptor parser (HID 1.11, section 6.2.2) and report
 * decoder for the hidclass emulation: what a minidriver returns for
 * IOCTL_HID_GET_REPORT_DESCRIPTOR must be well formed (items inside the
 * buffer, balanced collections, main items inside a top-level collection,
 * sane logical ranges and sizes, report IDs used consistently), and input
 * reports decode to (usage page, usage, value) so that scenarios assert
 * "key A is down", not bytes.
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HID_MAX_FIELDS      64
#define HID_MAX_USAGES      16
#define HID_MAX_COLLECTIONS 8
#define HID_MAX_ITEMS       64

enum hid_field_kind { HID_INPUT, HID_OUTPUT, HID_FEATURE };

struct hid_field {
    enum hid_field_kind kind;
    uint8_t report_id;
    unsigned collection; /* top-level collection index */
    unsigned bit_offset; /* after the report ID byte */
    unsigned size, count;
    uint32_t flags; /* bit 0 constant, bit 1 variable, bit 2 relative */
    uint16_t page;
    uint16_t usages[HID_MAX_USAGES]; /* explicit usages, in order */
    unsigned nusages;
    uint32_t usage_min, usage_max; /* a range, when nusages == 0 */
    int32_t logical_min, logical_max;
};

struct hid_collection {
    uint16_t page, usage;
};

struct hid_descriptor {
    struct hid_field fields[HID_MAX_FIELDS];
    unsigned nfields;
    struct hid_collection collections[HID_MAX_COLLECTIONS];
    unsigned ncollections;
    bool uses_ids;
    unsigned input_bits[256], output_bits[256]; /* per report ID, without the ID byte */
};

/* Parse; false with the reason in ERR when the descriptor is malformed. */
bool hid_parse(const uint8_t *desc, size_t len, struct hid_descriptor *out, char *err,
               size_t errlen);

struct hid_item {
    uint16_t page, usage;
    int32_t value;
    bool relative;
};

struct hid_report {
    uint8_t id;
    unsigned collection;
    uint8_t raw[64];
    unsigned len;
    struct hid_item items[HID_MAX_ITEMS]; /* non-zero variables, array usages */
    unsigned nitems;
};

/* Decode an input report (with its ID byte when the descriptor uses IDs);
 * false with the reason in ERR when its ID or length does not match. */
bool hid_decode(const struct hid_descriptor *d, const uint8_t *data, size_t len,
                struct hid_report *out, char *err, size_t errlen);

/* The value of (PAGE, USAGE) in a decoded report; 0 when absent. */
int32_t hid_value(const struct hid_report *r, uint16_t page, uint16_t usage);
/* Whether (PAGE, USAGE) appears (a key in the array, a button at 1). */
bool hid_has(const struct hid_report *r, uint16_t page, uint16_t usage);
