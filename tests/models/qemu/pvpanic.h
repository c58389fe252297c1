/*
 * QEMU's pvpanic device, the register alone: one byte; reads at offset 0
 * return the supported events, writes there report events.  Every byte
 * written is kept.  Its ACPI and PCI functions are
 * tests/harness/devices/dev_pvpanic.
 */
#pragma once
#include <stdint.h>

#define QEMU_PVPANIC_PANICKED     0x01
#define QEMU_PVPANIC_CRASH_LOADED 0x02

struct qemu_pvpanic {
    uint8_t supported;
    uint8_t written[64];
    unsigned write_count, read_count;
};

/* A read at OFFSET of the register window. */
uint8_t qemu_pvpanic_read(struct qemu_pvpanic *p, uint64_t offset);
/* A write of VALUE at OFFSET (offset 0 is the event register). */
void qemu_pvpanic_write(struct qemu_pvpanic *p, uint64_t offset, uint8_t value);
/* How many times VALUE was written. */
unsigned qemu_pvpanic_writes_of(const struct qemu_pvpanic *p, uint8_t value);
