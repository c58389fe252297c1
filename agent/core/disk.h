/* Disk facts from raw Windows data, without Windows headers: the storage
 * descriptor a disk answers IOCTL_STORAGE_QUERY_PROPERTY with (device
 * data: untrusted), bus type names, PCI addresses, defrag's output. */
#ifndef GA_DISK_H
#define GA_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* QEMU's GuestDiskBusType name for a STORAGE_BUS_TYPE value ("unknown"
 * for any value it has no name for). */
const char *ga_bus_type_name(uint32_t storage_bus_type);

/* Reads a STORAGE_DEVICE_DESCRIPTOR of len received bytes: its BusType and
 * its serial number (printable ASCII only, other bytes as '?', blanks
 * trimmed, truncated to size - 1; empty when the device gives none).
 * False when the buffer is too short or the serial's offset lies outside
 * it or inside the fixed header. */
bool ga_storage_descriptor(const unsigned char *buf, size_t len, uint32_t *bus_type, char *serial,
                           size_t size);

/* PCI slot and function from a device's SPDRP_ADDRESS value (device number
 * in the high word, function in the low word). */
void ga_pci_slot_function(uint32_t address, int *slot, int *function);

/* The first line of defrag.exe's output (len bytes, any line ends) that
 * holds an error code "(0x", printable ASCII only, truncated to size - 1:
 * defrag reports errors only there (its exit code is always 0).  False
 * when there is none. */
bool ga_defrag_error(const char *out, size_t len, char *line, size_t size);

#endif
