/*
 * HID report descriptor parser and report decoder (hidparse.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "hidparse.h"

struct globals {
    uint16_t page;
    int32_t logical_min, logical_max;
    uint32_t size, count;
    uint8_t report_id;
};

struct locals {
    uint16_t usages[HID_MAX_USAGES];
    unsigned nusages;
    uint32_t usage_min, usage_max;
    bool have_min, have_max;
};

static bool fail(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return false;
}

static int32_t sign_extend(uint32_t v, unsigned bytes)
{
    if (bytes == 1)
        return (int8_t)v;
    if (bytes == 2)
        return (int16_t)v;
    return (int32_t)v;
}

bool hid_parse(const uint8_t *desc, size_t len, struct hid_descriptor *out, char *err,
               size_t errlen)
{
    struct globals g = {0}, stack[4];
    struct locals l = {0};
    unsigned depth = 0, nstack = 0, top = 0;
    bool any_main = false, in_top = false;
    size_t pos = 0;

    memset(out, 0, sizeof(*out));
    if (len == 0)
        return fail(err, errlen, "empty report descriptor");
    while (pos < len) {
        uint8_t prefix = desc[pos];
        if (prefix == 0xfe)
            return fail(err, errlen, "long item at %zu (not used by HID 1.11 devices)", pos);
        unsigned size = (prefix & 3) == 3 ? 4 : prefix & 3;
        unsigned type = (prefix >> 2) & 3, tag = prefix >> 4;
        if (pos + 1 + size > len)
            return fail(err, errlen, "item at %zu runs past the end (%zu bytes)", pos, len);
        uint32_t u = 0;
        for (unsigned i = 0; i < size; i++)
            u |= (uint32_t)desc[pos + 1 + i] << (8 * i);
        int32_t s = size ? sign_extend(u, size) : 0;
        pos += 1 + size;

        if (type == 0) {      /* main */
            if (tag == 0xa) { /* Collection */
                if (depth == 0) {
                    if (u != 1)
                        return fail(err, errlen, "top-level collection is not Application");
                    if (out->ncollections == HID_MAX_COLLECTIONS)
                        return fail(err, errlen, "too many top-level collections");
                    if (l.nusages == 0)
                        return fail(err, errlen, "top-level collection without a usage");
                    out->collections[out->ncollections].page = g.page;
                    out->collections[out->ncollections].usage = l.usages[0];
                    top = out->ncollections++;
                    in_top = true;
                }
                depth++;
            } else if (tag == 0xc) { /* End Collection */
                if (depth == 0)
                    return fail(err, errlen, "End Collection without Collection at %zu", pos - 1);
                if (--depth == 0)
                    in_top = false;
            } else if (tag == 0x8 || tag == 0x9 || tag == 0xb) { /* Input, Output, Feature */
                if (!in_top)
                    return fail(err, errlen, "main item outside a top-level collection");
                if (g.size == 0 || g.size > 32 || g.count == 0 || g.count > 255)
                    return fail(err, errlen, "report size %u / count %u out of range", g.size,
                                g.count);
                if (g.logical_min > g.logical_max)
                    return fail(err, errlen, "logical minimum %d above maximum %d", g.logical_min,
                                g.logical_max);
                if (out->nfields == HID_MAX_FIELDS)
                    return fail(err, errlen, "too many fields");
                if (any_main && out->uses_ids != (g.report_id != 0))
                    return fail(err, errlen, "report IDs used for some reports only");
                any_main = true;
                out->uses_ids = g.report_id != 0;
                struct hid_field *f = &out->fields[out->nfields++];
                f->kind = tag == 0x8 ? HID_INPUT : tag == 0x9 ? HID_OUTPUT : HID_FEATURE;
                f->report_id = g.report_id;
                f->collection = top;
                f->size = g.size;
                f->count = g.count;
                f->flags = u;
                f->page = g.page;
                memcpy(f->usages, l.usages, sizeof(l.usages));
                f->nusages = l.nusages;
                f->usage_min = l.usage_min;
                f->usage_max = l.usage_max;
                f->logical_min = g.logical_min;
                f->logical_max = g.logical_max;
                if (!(u & 1) && l.nusages == 0 && !(l.have_min && l.have_max))
                    return fail(err, errlen, "data field without usages");
                unsigned *bits = f->kind == HID_OUTPUT ? out->output_bits : out->input_bits;
                if (f->kind != HID_FEATURE) {
                    f->bit_offset = bits[g.report_id];
                    bits[g.report_id] += g.size * g.count;
                }
            } else {
                return fail(err, errlen, "unknown main item tag 0x%x", tag);
            }
            memset(&l, 0, sizeof(l));
        } else if (type == 1) { /* global */
            switch (tag) {
            case 0x0:
                g.page = (uint16_t)u;
                break;
            case 0x1:
                g.logical_min = s;
                break;
            case 0x2:
                g.logical_max = s;
                break;
            case 0x3: /* physical min/max, unit exponent, unit: ignored */
            case 0x4:
            case 0x5:
            case 0x6:
                break;
            case 0x7:
                g.size = u;
                break;
            case 0x8:
                if (u == 0 || u > 255)
                    return fail(err, errlen, "report ID %u out of range", u);
                g.report_id = (uint8_t)u;
                break;
            case 0x9:
                g.count = u;
                break;
            case 0xa:
                if (nstack == 4)
                    return fail(err, errlen, "Push nested too deep");
                stack[nstack++] = g;
                break;
            case 0xb:
                if (nstack == 0)
                    return fail(err, errlen, "Pop without Push");
                g = stack[--nstack];
                break;
            default:
                return fail(err, errlen, "unknown global item tag 0x%x", tag);
            }
        } else if (type == 2) { /* local */
            if (tag == 0x0) {
                if (l.nusages == HID_MAX_USAGES)
                    return fail(err, errlen, "too many usages for one field");
                l.usages[l.nusages++] = (uint16_t)u;
            } else if (tag == 0x1) {
                l.usage_min = u, l.have_min = true;
            } else if (tag == 0x2) {
                l.usage_max = u, l.have_max = true;
                if (l.have_min && l.usage_min > l.usage_max)
                    return fail(err, errlen, "usage minimum above maximum");
            }
        } else {
            return fail(err, errlen, "reserved item type at %zu", pos);
        }
    }
    if (depth != 0)
        return fail(err, errlen, "%u collection(s) left open", depth);
    if (out->ncollections == 0)
        return fail(err, errlen, "no top-level collection");
    for (unsigned id = 0; id < 256; id++)
        if (out->input_bits[id] % 8 || out->output_bits[id] % 8)
            return fail(err, errlen, "report %u is not a whole number of bytes", id);
    return true;
}

static uint32_t bits_at(const uint8_t *p, unsigned off, unsigned n)
{
    uint32_t v = 0;
    for (unsigned i = 0; i < n; i++)
        v |= (uint32_t)((p[(off + i) / 8] >> ((off + i) % 8)) & 1) << i;
    return v;
}

static void add_item(struct hid_report *r, uint16_t page, uint32_t usage, int32_t value, bool rel)
{
    if (r->nitems < HID_MAX_ITEMS)
        r->items[r->nitems++] = (struct hid_item){page, (uint16_t)usage, value, rel};
}

bool hid_decode(const struct hid_descriptor *d, const uint8_t *data, size_t len,
                struct hid_report *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof(*out));
    if (len == 0 || len > sizeof(out->raw))
        return fail(err, errlen, "report of %zu bytes", len);
    memcpy(out->raw, data, len);
    out->len = (unsigned)len;
    out->id = d->uses_ids ? data[0] : 0;
    const uint8_t *body = d->uses_ids ? data + 1 : data;
    size_t body_len = d->uses_ids ? len - 1 : len;
    if (d->input_bits[out->id] == 0)
        return fail(err, errlen, "input report ID %u is not in the descriptor", out->id);
    if (body_len * 8 != d->input_bits[out->id])
        return fail(err, errlen, "input report %u has %zu bytes, the descriptor says %u", out->id,
                    body_len, d->input_bits[out->id] / 8);
    for (unsigned i = 0; i < d->nfields; i++) {
        const struct hid_field *f = &d->fields[i];
        if (f->kind != HID_INPUT || f->report_id != out->id || (f->flags & 1))
            continue;
        out->collection = f->collection;
        for (unsigned k = 0; k < f->count; k++) {
            uint32_t raw = bits_at(body, f->bit_offset + k * f->size, f->size);
            int32_t v = (int32_t)raw;
            if (f->logical_min < 0 && f->size < 32 && (raw >> (f->size - 1)) & 1)
                v = (int32_t)(raw | ~((1u << f->size) - 1));
            if (f->flags & 2) { /* variable */
                uint32_t usage =
                    f->nusages ? f->usages[k < f->nusages ? k : f->nusages - 1] : f->usage_min + k;
                if (v != 0)
                    add_item(out, f->page, usage, v, (f->flags & 4) != 0);
            } else if (v != 0 && v >= f->logical_min && v <= f->logical_max) { /* array */
                uint32_t usage =
                    f->nusages
                        ? f->usages[v - f->logical_min < (int32_t)f->nusages ? v - f->logical_min
                                                                             : 0]
                        : f->usage_min + (uint32_t)(v - f->logical_min);
                add_item(out, f->page, usage, 1, false);
            }
        }
    }
    return true;
}

int32_t hid_value(const struct hid_report *r, uint16_t page, uint16_t usage)
{
    for (unsigned i = 0; i < r->nitems; i++)
        if (r->items[i].page == page && r->items[i].usage == usage)
            return r->items[i].value;
    return 0;
}

bool hid_has(const struct hid_report *r, uint16_t page, uint16_t usage)
{
    return hid_value(r, page, usage) != 0;
}
