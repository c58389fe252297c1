/*
 * The fw_cfg device model (see dev_fwcfg.h).  Facts from QEMU
 * docs/specs/fw_cfg.rst and docs/specs/vmcoreinfo.rst: the selector is
 * little-endian on ports and big-endian on memory; the data register
 * streams the selected item (zeros past its end); the DMA address register
 * and the FWCfgDmaAccess descriptor are big-endian, and the write of the
 * register's low half runs the operation synchronously.
 */
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "dev_fwcfg.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"

#define PORT_BASE 0x510
#define PORT_LEN  0x0c
#define MMIO_BASE 0x09020000ull /* QEMU virt's fw_cfg */
#define MMIO_LEN  0x18

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

static void add_file(struct vw_fwcfg *dev, const char *name, uint16_t key, uint32_t size)
{
    uint32_t n = get_be32(dev->directory);
    uint8_t *e = dev->directory + 4 + 64 * n;
    put_be32(e, size);
    e[4] = (uint8_t)(key >> 8), e[5] = (uint8_t)key;
    if (dev->mode == VW_FWCFG_NAME_UNTERMINATED && n == 1)
        memset(e + 8, 'x', 56);
    else
        strncpy((char *)e + 8, name, 55);
    put_be32(dev->directory, n + 1);
    dev->directory_len = 4 + 64 * (n + 1);
}

static void build_directory(struct vw_fwcfg *dev)
{
    put_be32(dev->directory, 0);
    add_file(dev, "etc/boot-fail-wait", 0x20, sizeof(boot_fail_wait));
    add_file(dev, "bootorder", 0x21, sizeof(bootorder) - 1);
    if (dev->mode != VW_FWCFG_NO_VMCOREINFO && dev->mode != VW_FWCFG_COUNT_TOO_BIG)
        add_file(dev, "etc/vmcoreinfo", VW_FWCFG_VMCOREINFO_KEY,
                 dev->mode == VW_FWCFG_WRONG_SIZE ? 4096 : 16);
    add_file(dev, "etc/smbios/smbios-tables", 0x23, 0);
    if (dev->mode == VW_FWCFG_COUNT_ABSURD)
        put_be32(dev->directory, 0xffffffffu);
    else if (dev->mode == VW_FWCFG_COUNT_TOO_BIG)
        put_be32(dev->directory, 1000);
}

/* The bytes of item KEY (NULL when there is none); *WRITABLE for ours. */
static uint8_t *item(struct vw_fwcfg *dev, uint16_t key, uint32_t *len, bool *writable)
{
    static uint8_t signature[4], id[4];
    *writable = false;
    switch (key) {
    case KEY_SIGNATURE:
        memcpy(signature, dev->mode == VW_FWCFG_BAD_SIGNATURE ? "BOCH" : "QEMU", 4);
        *len = 4;
        return signature;
    case KEY_ID:
        id[0] = dev->mode == VW_FWCFG_NO_DMA ? 0x1 : 0x3;
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
    case VW_FWCFG_VMCOREINFO_KEY:
        if (dev->mode == VW_FWCFG_NO_VMCOREINFO || dev->mode == VW_FWCFG_COUNT_TOO_BIG)
            break;
        *len = sizeof(dev->vmcoreinfo);
        *writable = true;
        return dev->vmcoreinfo;
    }
    *len = 0;
    return NULL;
}

static uint8_t data_byte(struct vw_fwcfg *dev)
{
    uint32_t len;
    bool writable;
    uint8_t *bytes = item(dev, dev->selector, &len, &writable);
    uint8_t b = bytes != NULL && dev->offset < len ? bytes[dev->offset] : 0;
    dev->offset++;
    return b;
}

static bool in_common_buffer(struct vw_fwcfg *dev, uint64_t pa, uint64_t len)
{
    for (unsigned i = 0; i < dev->dma_count; i++)
        if (pa >= dev->dma[i].pa && len <= dev->dma[i].len &&
            pa - dev->dma[i].pa <= dev->dma[i].len - len)
            return true;
    return false;
}

static void dma_listener(struct vm *vm, void *opaque, uint64_t pa, uint64_t len, bool add)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    if (add && dev->dma_count == sizeof(dev->dma) / sizeof(dev->dma[0])) {
        vw_fail(vm, "harness: hard limit: fw_cfg tracks more than %u DMA regions", dev->dma_count);
        return;
    }
    if (add) {
        dev->dma[dev->dma_count].pa = pa;
        dev->dma[dev->dma_count++].len = len;
        return;
    }
    for (unsigned i = 0; i < dev->dma_count; i++)
        if (!add && dev->dma[i].pa == pa) {
            dev->dma[i] = dev->dma[--dev->dma_count];
            return;
        }
}

/* One operation: returns the control word to leave in the descriptor. */
static uint32_t dma_run(struct vm *vm, struct vw_fwcfg *dev, uint32_t control, uint32_t length,
                        uint64_t address)
{
    if (dev->mode == VW_FWCFG_DMA_ERROR)
        return DMA_ERROR;
    if (control & DMA_SELECT) {
        dev->selector = (uint16_t)(control >> 16);
        dev->offset = 0;
    }
    uint32_t len;
    bool writable;
    uint8_t *bytes = item(dev, dev->selector, &len, &writable);
    if (control & (DMA_READ | DMA_WRITE)) {
        uint8_t *ram =
            in_common_buffer(dev, address, length) ? vw_ram_host(vm, address, length) : NULL;
        if (ram == NULL) {
            vw_log(vm, "fwcfg: DMA data at 0x%llx+%u is outside the common buffers",
                   (unsigned long long)address, length);
            dev->dma_refused++;
            return DMA_ERROR;
        }
        if (control & DMA_READ) {
            for (uint32_t i = 0; i < length; i++)
                ram[i] = bytes != NULL && dev->offset + i < len ? bytes[dev->offset + i] : 0;
            dev->offset += length;
            if (dev->selector == VW_FWCFG_VMCOREINFO_KEY)
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

static void dma_start(struct vm *vm, struct vw_fwcfg *dev, uint64_t address)
{
    dev->dma_ops++;
    uint8_t *desc = in_common_buffer(dev, address, 16) ? vw_ram_host(vm, address, 16) : NULL;
    if (desc == NULL) {
        vw_log(vm, "fwcfg: DMA descriptor at 0x%llx is outside the common buffers",
               (unsigned long long)address);
        dev->dma_refused++;
        return;
    }
    if (dev->mode == VW_FWCFG_DMA_STUCK)
        return;
    uint64_t data = (uint64_t)get_be32(desc + 8) << 32 | get_be32(desc + 12);
    uint32_t control = dma_run(vm, dev, get_be32(desc), get_be32(desc + 4), data);
    put_be32(desc, control);
}

static uint32_t dma_register_half(struct vw_fwcfg *dev, bool high)
{
    if (dev->mode == VW_FWCFG_NO_DMA)
        return 0;
    uint64_t sig = dev->mode == VW_FWCFG_BAD_DMA_SIGNATURE ? 0x1122334455667788ull : dma_signature;
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

static void dma_write(struct vm *vm, struct vw_fwcfg *dev, uint64_t offset, uint64_t value,
                      unsigned size)
{
    value = swap(value, size);
    if (size == 8 && offset == 0) {
        dma_start(vm, dev, value);
    } else if (size == 4 && offset == 0) {
        dev->dma_high = (uint32_t)value;
    } else if (size == 4 && offset == 4) {
        dma_start(vm, dev, (uint64_t)dev->dma_high << 32 | (uint32_t)value);
        dev->dma_high = 0;
    } else {
        vw_log(vm, "fwcfg: %u-byte DMA register write at +%u ignored", size, (unsigned)offset);
    }
}

static uint64_t dma_read(struct vw_fwcfg *dev, uint64_t offset, unsigned size)
{
    uint64_t sig = (uint64_t)dma_register_half(dev, true) << 32 | dma_register_half(dev, false);
    if (size == 8 && offset == 0)
        return swap(sig, 8);
    if (size == 4 && (offset == 0 || offset == 4))
        return swap(offset == 0 ? sig >> 32 : (uint32_t)sig, 4);
    return 0;
}

static uint64_t port_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
    if (dev->removed)
        return ~0ull;
    if (offset == 1 && size == 1)
        return data_byte(dev);
    if (offset >= 4)
        return dma_read(dev, offset - 4, size);
    return 0;
}

static void port_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    if (dev->removed)
        return;
    if (offset == 0 && size == 2) {
        dev->selector = (uint16_t)value;
        dev->offset = 0;
    } else if (offset >= 4) {
        dma_write(vm, dev, offset - 4, value, size);
    } else {
        vw_log(vm, "fwcfg: %u-byte port write at +%u ignored", size, (unsigned)offset);
    }
}

static uint64_t mmio_read(struct vm *vm, void *opaque, uint64_t offset, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    (void)vm;
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

static void mmio_write(struct vm *vm, void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    struct vw_fwcfg *dev = opaque;
    if (dev->removed)
        return;
    if (offset == 8 && size == 2) {
        dev->selector = (uint16_t)swap(value, 2);
        dev->offset = 0;
    } else if (offset >= 16) {
        dma_write(vm, dev, offset - 16, value, size);
    } else {
        vw_log(vm, "fwcfg: %u-byte write at +%u ignored", size, (unsigned)offset);
    }
}

static const struct vw_device_ops port_ops = {port_read, port_write};
static const struct vw_device_ops mmio_ops = {mmio_read, mmio_write};

struct vw_fwcfg *vw_fwcfg_create(struct vm *vm, enum vw_fwcfg_mode mode)
{
    struct vw_fwcfg *dev = calloc(1, sizeof(*dev));
    if (dev == NULL) {
        vw_fail(vm, "out of memory");
        return NULL;
    }
    vw_kernel_keep(vm, dev);
    dev->mode = mode;
    build_directory(dev);
    /* host_format, set by QEMU at reset. */
    dev->vmcoreinfo[0] = mode == VW_FWCFG_HOST_NOT_ELF ? 0 : 1;
    vw_dma_add_listener(vm, dma_listener, dev);

    struct vw_resource res;
    if (vm->arch == VW_ARM64) {
        vw_bus_add_memory(vm, MMIO_BASE, 0x1000, &mmio_ops, dev);
        res = (struct vw_resource){VW_RES_MEMORY, MMIO_BASE, MMIO_LEN, 0};
    } else {
        vw_bus_add_ports(vm, PORT_BASE, PORT_LEN, &port_ops, dev);
        res = (struct vw_resource){VW_RES_PORT, PORT_BASE, PORT_LEN, 0};
    }
    dev->pdo = vw_pdo_create(vm, VW_ACPI_BUS, &res, 1);
    return dev;
}

uint16_t vw_fwcfg_guest_format(const struct vw_fwcfg *dev)
{
    return (uint16_t)(dev->vmcoreinfo[2] | dev->vmcoreinfo[3] << 8);
}

uint32_t vw_fwcfg_note_size(const struct vw_fwcfg *dev)
{
    uint32_t v;
    memcpy(&v, dev->vmcoreinfo + 4, 4);
    return v;
}

uint64_t vw_fwcfg_note_paddr(const struct vw_fwcfg *dev)
{
    uint64_t v;
    memcpy(&v, dev->vmcoreinfo + 8, 8);
    return v;
}
