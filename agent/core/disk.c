/* Disk facts from raw Windows data (see disk.h). */
#include "disk.h"

#include <string.h>

/* STORAGE_DEVICE_DESCRIPTOR: Version, Size, four BOOLEAN-sized fields, the
 * vendor, product, revision and serial offsets, BusType (winioctl.h). */
#define SDD_SERIAL_OFFSET 24
#define SDD_BUS_TYPE      28
#define SDD_HEADER        36 /* up to RawPropertiesLength included */

/* Little-endian 32-bit read from a descriptor buffer. */
static uint32_t le32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* QEMU's disk bus type name for a Windows STORAGE_BUS_TYPE. */
const char *ga_bus_type_name(uint32_t t)
{
    /* STORAGE_BUS_TYPE order (BusTypeUnknown = 0 ...), mapped to QEMU's
     * GuestDiskBusType; Spaces, SCM, UFS have no name there. */
    static const char *const names[] = {
        "unknown", "scsi",  "ide", "ide",  "ieee1394", "ssa", "fibre",   "usb",
        "raid",    "iscsi", "sas", "sata", "sd",       "mmc", "virtual", "file-backed-virtual",
        "unknown", "nvme"};
    return t < sizeof(names) / sizeof(names[0]) ? names[t] : "unknown";
}

/* Copies src[0..n) as printable ASCII ('?' for other bytes), without
 * leading and trailing blanks, truncated to size - 1. */
static void printable(const unsigned char *src, size_t n, char *dst, size_t size)
{
    while (n && src[0] == ' ') {
        src++, n--;
    }
    while (n && (src[n - 1] == ' ' || src[n - 1] == '\t')) {
        n--;
    }
    size_t o = 0;
    for (size_t i = 0; i < n && o + 1 < size; i++) {
        dst[o++] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
    }
    if (size) {
        dst[o] = 0;
    }
}

/* Bus type and serial from a STORAGE_DEVICE_DESCRIPTOR, every offset checked against len. */
bool ga_storage_descriptor(const unsigned char *buf, size_t len, uint32_t *bus_type, char *serial,
                           size_t size)
{
    if (size) {
        serial[0] = 0;
    }
    if (!buf || len < SDD_HEADER) {
        return false;
    }
    *bus_type = le32(buf + SDD_BUS_TYPE);
    uint32_t off = le32(buf + SDD_SERIAL_OFFSET);
    if (off == 0) {
        return true; /* no serial number */
    }
    if (off < SDD_HEADER || off >= len) {
        return false;
    }
    const unsigned char *s = buf + off;
    size_t n = 0;
    while (off + n < len && s[n]) {
        n++;
    }
    printable(s, n, serial, size);
    return true;
}

/* PCI slot and function from SPDRP_ADDRESS. */
void ga_pci_slot_function(uint32_t address, int *slot, int *function)
{
    *slot = (int)(address >> 16);
    *function = (int)(address & 0xffff);
}

/* The first error line of defrag's output, if any. */
bool ga_defrag_error(const char *out, size_t len, char *line, size_t size)
{
    size_t start = 0;
    while (start < len) {
        size_t end = start;
        while (end < len && out[end] != '\n' && out[end] != '\r') {
            end++;
        }
        for (size_t i = start; i + 3 <= end; i++) {
            if (out[i] == '(' && out[i + 1] == '0' && out[i + 2] == 'x') {
                printable((const unsigned char *)out + start, end - start, line, size);
                return true;
            }
        }
        start = end + 1;
    }
    return false;
}
