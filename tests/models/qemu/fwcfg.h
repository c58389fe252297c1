/*
 * QEMU's fw_cfg device with its DMA interface and the etc/vmcoreinfo item
 * of -device vmcoreinfo, the registers alone: the I/O port form (selector
 * +0, data +1, DMA +4) and the memory form (data +0, selector +8, DMA +16).
 * DMA reaches guest memory only through the user's MAP hook, which answers
 * NULL where the device may not reach (a descriptor or data there is
 * refused with the ERROR bit).  What the driver writes to etc/vmcoreinfo is
 * kept for the scenario to check.  Its ACPI function on the machine is
 * tests/harness/devices/dev_fwcfg.
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "model_report.h"

enum qemu_fwcfg_mode {
    QEMU_FWCFG_NORMAL,
    QEMU_FWCFG_NO_VMCOREINFO,     /* directory without etc/vmcoreinfo */
    QEMU_FWCFG_BAD_SIGNATURE,     /* item 0 is not "QEMU" */
    QEMU_FWCFG_NO_DMA,            /* feature bit 1 clear, DMA register reads 0 */
    QEMU_FWCFG_BAD_DMA_SIGNATURE, /* feature set, DMA register not "QEMU CFG" */
    QEMU_FWCFG_COUNT_ABSURD,      /* directory count 0xffffffff */
    QEMU_FWCFG_COUNT_TOO_BIG,     /* count 1000, zeros after the real entries (no vmcoreinfo) */
    QEMU_FWCFG_NAME_UNTERMINATED, /* an entry's name fills all 56 bytes */
    QEMU_FWCFG_WRONG_SIZE,        /* etc/vmcoreinfo listed as 4096 bytes */
    QEMU_FWCFG_DMA_ERROR,         /* every DMA operation ends with ERROR */
    QEMU_FWCFG_DMA_STUCK,         /* DMA operations never finish */
    QEMU_FWCFG_HOST_NOT_ELF,      /* host_format NONE */
};

#define QEMU_FWCFG_VMCOREINFO_KEY 0x22

struct qemu_fwcfg {
    enum qemu_fwcfg_mode mode;
    bool removed; /* set by a scenario: the device stops answering */
    struct model_report report;
    /* Host view of LEN bytes of guest memory at PA, or NULL where the
     * device may not reach. */
    uint8_t *(*map)(void *ctx, uint64_t pa, uint32_t len);
    void *map_ctx;

    /* Register state. */
    uint16_t selector;
    uint32_t offset;
    uint32_t dma_high;

    /* etc/vmcoreinfo: its 16 bytes (little-endian) and what happened to it. */
    uint8_t vmcoreinfo[16];
    unsigned vmcoreinfo_reads, vmcoreinfo_writes;
    unsigned dma_ops, dma_refused;

    uint8_t directory[4 + 8 * 64];
    uint32_t directory_len;
};

/* A device in MODE (its directory, host_format). */
void qemu_fwcfg_init(struct qemu_fwcfg *d, enum qemu_fwcfg_mode mode);
/* Accesses of SIZE bytes at OFFSET of the port form and the memory form. */
uint64_t qemu_fwcfg_port_read(struct qemu_fwcfg *d, uint64_t offset, unsigned size);
void qemu_fwcfg_port_write(struct qemu_fwcfg *d, uint64_t offset, uint64_t value, unsigned size);
uint64_t qemu_fwcfg_mmio_read(struct qemu_fwcfg *d, uint64_t offset, unsigned size);
void qemu_fwcfg_mmio_write(struct qemu_fwcfg *d, uint64_t offset, uint64_t value, unsigned size);
/* Fields of etc/vmcoreinfo as last written. */
uint16_t qemu_fwcfg_guest_format(const struct qemu_fwcfg *d);
uint32_t qemu_fwcfg_note_size(const struct qemu_fwcfg *d);
uint64_t qemu_fwcfg_note_paddr(const struct qemu_fwcfg *d);
