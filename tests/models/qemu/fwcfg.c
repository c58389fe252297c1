/*
 * The fw_cfg registers and DMA (see fwcfg.h).  Facts from QEMU
 * docs/specs/fw_cfg.rst and docs/specs/vmcoreinfo.rst: the selector is
 * little-endian on ports and big-endian on memory; the data register
 * streams the selected item (zeros past its end); the DMA address register
 * and the FWCfgDmaAccess descriptor are big-endian, and the write of the
 * register's low half runs the operation synchronously.
 */
#include <string.h>
#include "fwcfg.h"

#define KEY_SIGNATURE 0x0000
#define KEY_ID        0x0001
#define KEY_FILE_DIR  0x0019

#define DMA_ERROR  0x01
#define DMA_READ   0x02
#define DMA_SKIP   0x04
#define DMA_SELECT 0x08
#define DMA_WRITE  0x10

static const uint64_t dma_signature = 0x51454d5520434647ull; /* "QEMU CFG" */

/* Read-only files before ours, so the driver has to search. */
static const uint8_t boot_fail_wait[4] = {5, 0, 0, 0};
static const uint8_t bootorder[] = "/pci@i0cf8/ide@1,1/drive@0/disk@0\n";

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void add_file(struct qemu_fwcfg *dev, const char *name, uint16_t key, uint32_t size)
{
    uint32_t n = get_be32(dev->directory);
    uint8_t *e = dev->directory + 4 + 64 * n;
    put_be32(e, size);
    e[4] = (uint8_t)(key >> 8), e[5] = (uint8_t)key;
    if (dev->mode == QEMU_FWCFG_NAME_UNTERMINATED && n == 1)
        memset(e + 8, 'x', 56);
    else
        strncpy((char *)e + 8, name, 55);
    put_be32(dev->directory, n + 1);
    dev->directory_len = 4 + 64 * (n + 1);
}

static void build_directory(struct qemu_fwcfg *dev)
{
    put_be32(dev->directory, 0);
    add_file(dev, "etc/boot-fail-wait", 0x20, sizeof(boot_fail_wait));
    add_file(dev, "bootorder", 0x21, sizeof(bootorder) - 1);
    if (dev->mode != QEMU_FWCFG_NO_VMCOREINFO && dev->mode != QEMU_FWCFG_COUNT_TOO_BIG)
        add_file(dev, "etc/vmcoreinfo", QEMU_FWCFG_VMCOREINFO_KEY,
                 dev->mode == QEMU_FWCFG_WRONG_SIZE ? 4096 : 16);
    add_file(dev, "etc/smbios/smbios-tables", 0x23, 0);
    if (dev->mode == QEMU_FWCFG_COUNT_ABSURD)
        put_be32(dev->directory, 0xffffffffu);
    else if (dev->mode == QEMU_FWCFG_COUNT_TOO_BIG)
        put_be32(dev->directory, 1000);
}

/* The bytes of item KEY (NULL when there is none); *WRITABLE for ours. */
static uint8_t *item(struct qemu_fwcfg *dev, uint16_t key, uint32_t *len, bool *writable)
{
    static uint8_t signature[4], id[4];
    *writable = false;
    switch (key) {
    case KEY_SIGNATURE:
        memcpy(signature, dev->mode == QEMU_FWCFG_BAD_SIGNATURE ? "BOCH" : "QEMU", 4);
        *len = 4;
        return signature;
    case KEY_ID:
        id[0] = dev->mode == QEMU_FWCFG_NO_DMA ? 0x1 : 0x3;
        *len = 4;
        return id;
    case KEY_FILE_DIR:
        *len = dev->directory_len;
        return dev->directory;
    case 0x20:
        *len = sizeof(boot_fail_wait);
        return (uint8_t *)boot_fail_wait;
    case 0x21:
        *len = sizeof(bootorder) - 1;
        return (uint8_t *)bootorder;
    case QEMU_FWCFG_VMCOREINFO_KEY:
        if (dev->mode == QEMU_FWCFG_NO_VMCOREINFO || dev->mode == QEMU_FWCFG_COUNT_TOO_BIG)
            break;
        *len = sizeof(dev->vmcoreinfo);
        *writable = true;
        return dev->vmcoreinfo;
    }
    *len = 0;
    return NULL;
}

static uint8_t data_byte(struct qemu_fwcfg *dev)
{
    uint32_t len;
    bool writable;
    uint8_t *bytes = item(dev, dev->selector, &len, &writable);
    uint8_t b = bytes != NULL && dev->offset < len ? bytes[dev->offset] : 0;
    dev->offset++;
    return b;
}

/* Host view of guest memory the device may reach, or NULL. */
static uint8_t *map(struct qemu_fwcfg *dev, uint64_t pa, uint32_t len)
{
    return dev->map != NULL ? dev->map(dev->map_ctx, pa, len) : NULL;
}

/* One operation: returns the control word to leave in the descriptor. */
static uint32_t dma_run(struct qemu_fwcfg *dev, uint32_t control, uint32_t length, uint64_t address)
{
    if (dev->mode == QEMU_FWCFG_DMA_ERROR)
        return DMA_ERROR;
    if (control & DMA_SELECT) {
        dev->selector = (uint16_t)(control >> 16);
        dev->offset = 0;
    }
    uint32_t len;
    bool writable;
    uint8_t *bytes = item(dev, dev->selector, &len, &writable);
    if (control & (DMA_READ | DMA_WRITE)) {
        uint8_t *ram = map(dev, address, length);
        if (ram == NULL) {
            model_report(&dev->report, false, "DMA data at 0x%llx+%u is outside the common buffers",
                         (unsigned long long)address, length);
            dev->dma_refused++;
            return DMA_ERROR;
        }
        if (control & DMA_READ) {
            for (uint32_t i = 0; i < length; i++)
                ram[i] = bytes != NULL && dev->offset + i < len ? bytes[dev->offset + i] : 0;
            dev->offset += length;
            if (dev->selector == QEMU_FWCFG_VMCOREINFO_KEY)
                dev->vmcoreinfo_reads++;
            return 0;
        }
        /* QEMU: no resizing, truncated or read-only writes are errors. */
        if (!writable || dev->offset > len || length > len - dev->offset)
            return DMA_ERROR;
        memcpy(bytes + dev->offset, ram, length);
        dev->offset += length;
        dev->vmcoreinfo_writes++;
        return 0;
    }
    if (control & DMA_SKIP)
        dev->offset += length;
    return 0;
}

static void dma_start(struct qemu_fwcfg *dev, uint64_t address)
{
    dev->dma_ops++;
    uint8_t *desc = map(dev, address, 16);
    if (desc == NULL) {
        model_report(&dev->report, false, "DMA descriptor at 0x%llx is outside the common buffers",
                     (unsigned long long)address);
        dev->dma_refused++;
        return;
    }
    if (dev->mode == QEMU_FWCFG_DMA_STUCK)
        return;
    uint64_t data = (uint64_t)get_be32(desc + 8) << 32 | get_be32(desc + 12);
    uint32_t control = dma_run(dev, get_be32(desc), get_be32(desc + 4), data);
    put_be32(desc, control);
}

static uint32_t dma_register_half(struct qemu_fwcfg *dev, bool high)
{
    if (dev->mode == QEMU_FWCFG_NO_DMA)
        return 0;
    uint64_t sig =
        dev->mode == QEMU_FWCFG_BAD_DMA_SIGNATURE ? 0x1122334455667788ull : dma_signature;
    return (uint32_t)(high ? sig >> 32 : sig);
}

/* The CPU's value of a big-endian register of SIZE bytes. */
static uint64_t swap(uint64_t v, unsigned size)
{
    switch (size) {
    case 2:
        return __builtin_bswap16((uint16_t)v);
    case 4:
        return __builtin_bswap32((uint32_t)v);
    case 8:
        return __builtin_bswap64(v);
    }
    return v;
}

static void dma_write(struct qemu_fwcfg *dev, uint64_t offset, uint64_t value, unsigned size)
{
    value = swap(value, size);
    if (size == 8 && offset == 0) {
        dma_start(dev, value);
    } else if (size == 4 && offset == 0) {
        dev->dma_high = (uint32_t)value;
    } else if (size == 4 && offset == 4) {
        dma_start(dev, (uint64_t)dev->dma_high << 32 | (uint32_t)value);
        dev->dma_high = 0;
    } else {
        model_report(&dev->report, false, "%u-byte DMA register write at +%u ignored", size,
                     (unsigned)offset);
    }
}

static uint64_t dma_read(struct qemu_fwcfg *dev, uint64_t offset, unsigned size)
{
    uint64_t sig = (uint64_t)dma_register_half(dev, true) << 32 | dma_register_half(dev, false);
    if (size == 8 && offset == 0)
        return swap(sig, 8);
    if (size == 4 && (offset == 0 || offset == 4))
        return swap(offset == 0 ? sig >> 32 : (uint32_t)sig, 4);
    return 0;
}

uint64_t qemu_fwcfg_port_read(struct qemu_fwcfg *dev, uint64_t offset, unsigned size)
{
    if (dev->removed)
        return ~0ull;
    if (offset == 1 && size == 1)
        return data_byte(dev);
    if (offset >= 4)
        return dma_read(dev, offset - 4, size);
    return 0;
}

void qemu_fwcfg_port_write(struct qemu_fwcfg *dev, uint64_t offset, uint64_t value, unsigned size)
{
    if (dev->removed)
        return;
    if (offset == 0 && size == 2) {
        dev->selector = (uint16_t)value;
        dev->offset = 0;
    } else if (offset >= 4) {
        dma_write(dev, offset - 4, value, size);
    } else {
        model_report(&dev->report, false, "%u-byte port write at +%u ignored", size,
                     (unsigned)offset);
    }
}

uint64_t qemu_fwcfg_mmio_read(struct qemu_fwcfg *dev, uint64_t offset, unsigned size)
{
    if (dev->removed)
        return ~0ull;
    if (offset == 0) { /* string-preserving: bytes in memory order */
        uint64_t v = 0;
        for (unsigned i = 0; i < size; i++)
            v |= (uint64_t)data_byte(dev) << (8 * i);
        return v;
    }
    if (offset >= 16)
        return dma_read(dev, offset - 16, size);
    return 0;
}

void qemu_fwcfg_mmio_write(struct qemu_fwcfg *dev, uint64_t offset, uint64_t value, unsigned size)
{
    if (dev->removed)
        return;
    if (offset == 8 && size == 2) {
        dev->selector = (uint16_t)swap(value, 2);
        dev->offset = 0;
    } else if (offset >= 16) {
        dma_write(dev, offset - 16, value, size);
    } else {
        model_report(&dev->report, false, "%u-byte write at +%u ignored", size, (unsigned)offset);
    }
}

void qemu_fwcfg_init(struct qemu_fwcfg *dev, enum qemu_fwcfg_mode mode)
{
    dev->mode = mode;
    build_directory(dev);
    /* host_format, set by QEMU at reset. */
    dev->vmcoreinfo[0] = mode == QEMU_FWCFG_HOST_NOT_ELF ? 0 : 1;
}

uint16_t qemu_fwcfg_guest_format(const struct qemu_fwcfg *dev)
{
    return (uint16_t)(dev->vmcoreinfo[2] | dev->vmcoreinfo[3] << 8);
}

uint32_t qemu_fwcfg_note_size(const struct qemu_fwcfg *dev)
{
    uint32_t v;
    memcpy(&v, dev->vmcoreinfo + 4, 4);
    return v;
}

uint64_t qemu_fwcfg_note_paddr(const struct qemu_fwcfg *dev)
{
    uint64_t v;
    memcpy(&v, dev->vmcoreinfo + 8, 8);
    return v;
}
