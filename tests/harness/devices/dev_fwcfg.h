/*
 * QEMU's fw_cfg device (ACPI QEMU0002) with its DMA interface and the
 * etc/vmcoreinfo item of -device vmcoreinfo: I/O ports 0x510-0x51b on
 * x86/amd64, memory (data +0, selector +8, DMA +16) on arm64.  DMA reads
 * and writes guest RAM, but only inside the driver's common buffers (a
 * descriptor or data elsewhere is refused with the ERROR bit).  What the
 * driver writes to etc/vmcoreinfo is kept for the scenario to check.
 */
#pragma once
#include "vm.h"

enum vw_fwcfg_mode {
    VW_FWCFG_NORMAL,
    VW_FWCFG_NO_VMCOREINFO,     /* directory without etc/vmcoreinfo */
    VW_FWCFG_BAD_SIGNATURE,     /* item 0 is not "QEMU" */
    VW_FWCFG_NO_DMA,            /* feature bit 1 clear, DMA register reads 0 */
    VW_FWCFG_BAD_DMA_SIGNATURE, /* feature set, DMA register not "QEMU CFG" */
    VW_FWCFG_COUNT_ABSURD,      /* directory count 0xffffffff */
    VW_FWCFG_COUNT_TOO_BIG,     /* count 1000, zeros after the real entries (no vmcoreinfo) */
    VW_FWCFG_NAME_UNTERMINATED, /* an entry's name fills all 56 bytes */
    VW_FWCFG_WRONG_SIZE,        /* etc/vmcoreinfo listed as 4096 bytes */
    VW_FWCFG_DMA_ERROR,         /* every DMA operation ends with ERROR */
    VW_FWCFG_DMA_STUCK,         /* DMA operations never finish */
    VW_FWCFG_HOST_NOT_ELF,      /* host_format NONE */
};

#define VW_FWCFG_VMCOREINFO_KEY 0x22

struct vw_fwcfg {
    enum vw_fwcfg_mode mode;
    bool removed; /* set by a scenario: the device stops answering */
    gva_t pdo;

    /* Register state. */
    uint16_t selector;
    uint32_t offset;
    uint32_t dma_high;

    /* etc/vmcoreinfo: its 16 bytes (little-endian) and what happened to it. */
    uint8_t vmcoreinfo[16];
    unsigned vmcoreinfo_reads, vmcoreinfo_writes;
    unsigned dma_ops, dma_refused;

    /* The driver's common buffers, announced by the DMA adapter. */
    struct {
        uint64_t pa, len;
    } dma[16];
    unsigned dma_count;

    uint8_t directory[4 + 8 * 64];
    uint32_t directory_len;
};

struct vw_fwcfg *vw_fwcfg_create(struct vm *vm, enum vw_fwcfg_mode mode);
/* Fields of etc/vmcoreinfo as last written. */
uint16_t vw_fwcfg_guest_format(const struct vw_fwcfg *dev);
uint32_t vw_fwcfg_note_size(const struct vw_fwcfg *dev);
uint64_t vw_fwcfg_note_paddr(const struct vw_fwcfg *dev);
