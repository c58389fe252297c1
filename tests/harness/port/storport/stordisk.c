/*
 * The stordisk PCI function (stordisk.h): configuration space with an
 * MSI-X capability, a memory BAR of registers, an I/O BAR, and a RAM disk
 * behind a doorbell.  Requests complete at scheduling points after a
 * seeded delay, each into the completion queue of the message the
 * doorbell named, which the device then raises.  Every value the driver
 * gives it is checked (a bad descriptor completes with status 2).
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "kernel.h"
#include "pnp.h"
#include "ram.h"
#include "stor.h"
#include "stordisk.h"

#define BAR0_BASE  0xfd000000ull
#define BAR1_PORT  0xd000u
#define ARM64_PIO  0x3eff0000ull /* where arm64 maps PCI I/O space (as dev_virtio) */
#define SLOT_SPAN  0x10000ull
#define MSIX_TABLE 0x800u
#define MSIX_PBA   0xc00u

struct flight {
    bool used;
    uint64_t desc_pa, due;
    unsigned message;
    uint32_t op, tag, sectors, nsg;
    uint64_t lba;
    uint64_t sg_pa[STORDISK_MAX_SG];
    uint32_t sg_len[STORDISK_MAX_SG];
};

struct vw_stordisk {
    struct vm *vm;
    struct vw_stordisk_config cfg;
    gva_t pdo;
    uint8_t pcicfg[256];
    uint8_t msix[STORDISK_MAX_MSG * 16];
    uint8_t *disk;
    uint64_t desc_pa, rng;
    uint32_t control, int_status;
    bool hold, gone;
    struct flight flight[STORDISK_MAX_FLIGHT];
    uint32_t cq[STORDISK_MAX_MSG][STORDISK_MAX_FLIGHT];
    unsigned cq_head[STORDISK_MAX_MSG], cq_len[STORDISK_MAX_MSG];
    struct vw_stordisk_stats stats;
};

static uint64_t next_rand(struct vw_stordisk *d)
{
    d->rng ^= d->rng << 13;
    d->rng ^= d->rng >> 7;
    d->rng ^= d->rng << 17;
    return d->rng;
}

static unsigned in_flight(const struct vw_stordisk *d)
{
    unsigned n = 0;
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT; i++)
        n += d->flight[i].used;
    return n;
}

/* The doorbell: fetch and check the descriptor at desc_pa; the device owns
 * it and its ranges from here on. */
static void doorbell(struct vw_stordisk *d, unsigned message)
{
    struct vm *vm = d->vm;
    d->stats.doorbells++;
    if (!(d->control & 1)) {
        vw_log(vm, "stordisk: doorbell while disabled: ignored");
        return;
    }
    unsigned messages = d->cfg.messages ? d->cfg.messages : 1;
    uint8_t *desc = vw_ram_host(vm, d->desc_pa, STORDISK_DESC_LEN);
    struct flight *f = NULL;
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT && f == NULL; i++)
        if (!d->flight[i].used)
            f = &d->flight[i];
    if (desc == NULL || f == NULL || message >= messages) {
        /* Nowhere to report it: a device error the driver sees as a lost
         * request, which is what its time-out is for. */
        vw_log(vm, "stordisk: doorbell for 0x%" PRIx64 " message %u refused", d->desc_pa, message);
        d->stats.errors++;
        return;
    }
    memset(f, 0, sizeof(*f));
    f->used = true;
    f->desc_pa = d->desc_pa;
    f->message = message;
    memcpy(&f->op, desc, 4);
    memcpy(&f->tag, desc + 4, 4);
    memcpy(&f->lba, desc + 8, 8);
    memcpy(&f->sectors, desc + 16, 4);
    memcpy(&f->nsg, desc + 20, 4);
    for (unsigned i = 0; i < STORDISK_MAX_SG && i < f->nsg; i++) {
        memcpy(&f->sg_pa[i], desc + 32 + 16 * i, 8);
        memcpy(&f->sg_len[i], desc + 40 + 16 * i, 4);
    }
    uint64_t span = d->cfg.delay ? next_rand(d) % (d->cfg.delay + 1) : 0;
    f->due = vm->k->interrupt_time + span;
    unsigned n = in_flight(d);
    if (n > d->stats.max_in_flight)
        d->stats.max_in_flight = n;
}

/* Do one request: check it, move the data, write the status. */
static uint32_t perform(struct vw_stordisk *d, struct flight *f)
{
    struct vm *vm = d->vm;
    if (f->op == 3)
        return 1;
    uint64_t bytes = 0;
    if ((f->op != 1 && f->op != 2) || f->nsg == 0 || f->nsg > STORDISK_MAX_SG ||
        f->lba > d->cfg.sectors || f->sectors > d->cfg.sectors - f->lba)
        return 2;
    for (unsigned i = 0; i < f->nsg; i++)
        bytes += f->sg_len[i];
    if (bytes != 512ull * f->sectors)
        return 2;
    uint64_t off = f->lba * 512;
    for (unsigned i = 0; i < f->nsg; i++) {
        uint8_t *p = vw_ram_host(vm, f->sg_pa[i], f->sg_len[i]);
        if (p == NULL)
            return 2;
        if (f->op == 1)
            memcpy(p, d->disk + off, f->sg_len[i]);
        else
            memcpy(d->disk + off, p, f->sg_len[i]);
        off += f->sg_len[i];
    }
    return 1;
}

static void raise_message(struct vw_stordisk *d, unsigned m)
{
    d->stats.interrupts++;
    if (d->cfg.messages == 0) {
        d->int_status |= 1;
        vw_intr_raise(d->vm, d->pdo, 0);
        return;
    }
    uint32_t ctrl;
    memcpy(&ctrl, d->msix + 16 * m + 12, 4);
    if (ctrl & 1) /* the vector is masked: the message stays pending in the PBA */
        return;
    vw_intr_raise(d->vm, d->pdo, m);
}

static bool poll(struct vm *vm, void *opaque)
{
    struct vw_stordisk *d = opaque;
    bool did = false; /* requests not yet due wait through next_due, not here */
    if (d->hold || d->gone)
        return false;
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT; i++) {
        struct flight *f = &d->flight[i];
        if (!f->used || f->due > vm->k->interrupt_time)
            continue;
        did = true;
        uint32_t status = perform(d, f);
        uint8_t *desc = vw_ram_host(vm, f->desc_pa, 32);
        if (desc != NULL)
            memcpy(desc + 24, &status, 4);
        if (status != 1)
            d->stats.errors++;
        unsigned m = f->message;
        d->cq[m][(d->cq_head[m] + d->cq_len[m]) % STORDISK_MAX_FLIGHT] = f->tag;
        d->cq_len[m]++;
        f->used = false;
        d->stats.completed++;
        raise_message(d, m);
    }
    return did;
}

static uint64_t next_due(struct vm *vm, void *opaque)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    uint64_t first = VW_NO_DEADLINE;
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT && !d->hold && !d->gone; i++)
        if (d->flight[i].used && d->flight[i].due < first)
            first = d->flight[i].due;
    return first;
}

/* The device's claim on guest memory, for StorPort's completion check. */
static bool owns(struct vm *vm, void *opaque, uint64_t pa, uint64_t len, char *what, size_t n)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT && !d->gone; i++) { /* gone: no DMA any more */
        const struct flight *f = &d->flight[i];
        if (!f->used)
            continue;
        if (f->desc_pa < pa + len && pa < f->desc_pa + STORDISK_DESC_LEN) {
            snprintf(what, n, "stordisk request tag %u: its descriptor at 0x%" PRIx64, f->tag,
                     f->desc_pa);
            return true;
        }
        for (unsigned s = 0; s < f->nsg && s < STORDISK_MAX_SG; s++)
            if (f->sg_pa[s] < pa + len && pa < f->sg_pa[s] + f->sg_len[s]) {
                snprintf(what, n, "stordisk request tag %u: data at 0x%" PRIx64 " (%u bytes)",
                         f->tag, f->sg_pa[s], f->sg_len[s]);
                return true;
            }
    }
    return false;
}

static void reset(struct vw_stordisk *d)
{
    for (unsigned i = 0; i < STORDISK_MAX_FLIGHT; i++)
        if (d->flight[i].used) {
            d->flight[i].used = false;
            d->stats.dropped_by_reset++;
        }
    memset(d->cq_len, 0, sizeof(d->cq_len));
    d->int_status = 0;
    d->hold = false; /* a reset brings a hung disk back */
}

static uint64_t reg_read(struct vm *vm, void *opaque, uint64_t off, unsigned size)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    if (d->gone) { /* a removed function: every read all ones */
        vw_stor_gone_access(vm, "stordisk register read");
        return size == 8 ? ~0ull : (1ull << 8 * size) - 1;
    }
    vw_stor_device_access(vm, "stordisk register read");
    if (off >= MSIX_TABLE && off + size <= MSIX_TABLE + sizeof(d->msix)) {
        uint64_t v = 0;
        memcpy(&v, d->msix + off - MSIX_TABLE, size);
        return v;
    }
    if (size != 4)
        return ~0ull;
    switch (off) {
    case 0x00:
        return STORDISK_ID;
    case 0x04:
        return d->cfg.sectors;
    case 0x08:
        return (uint32_t)d->desc_pa;
    case 0x0c:
        return (uint32_t)(d->desc_pa >> 32);
    case 0x14: {
        uint32_t s = d->int_status;
        d->int_status = 0;
        return s;
    }
    case 0x18:
        return d->control;
    }
    if (off >= 0x100 && off < 0x100 + 4 * STORDISK_MAX_MSG) {
        unsigned m = (unsigned)(off - 0x100) / 4;
        if (d->cq_len[m] == 0)
            return 0xffffffffu;
        uint32_t tag = d->cq[m][d->cq_head[m]];
        d->cq_head[m] = (d->cq_head[m] + 1) % STORDISK_MAX_FLIGHT;
        d->cq_len[m]--;
        return tag;
    }
    return 0;
}

static void reg_write(struct vm *vm, void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    if (d->gone) {
        vw_stor_gone_access(vm, "stordisk register write");
        return;
    }
    vw_stor_device_access(vm, "stordisk register write");
    if (off >= MSIX_TABLE && off + size <= MSIX_TABLE + sizeof(d->msix)) {
        memcpy(d->msix + off - MSIX_TABLE, &v, size);
        return;
    }
    if (size != 4)
        return;
    switch (off) {
    case 0x08:
        d->desc_pa = (d->desc_pa & ~0xffffffffull) | (uint32_t)v;
        return;
    case 0x0c:
        d->desc_pa = (d->desc_pa & 0xffffffffull) | (uint64_t)(uint32_t)v << 32;
        return;
    case 0x10:
        doorbell(d, (unsigned)v);
        return;
    case 0x18:
        d->control = (uint32_t)v;
        if (!(v & 1))
            reset(d);
        return;
    }
}

static uint64_t io_read(struct vm *vm, void *opaque, uint64_t off, unsigned size)
{
    const struct vw_stordisk *d = opaque;
    (void)vm;
    return off == 0 && size == 4 && !d->gone ? STORDISK_ID : ~0ull;
}

static void io_write(struct vm *vm, void *opaque, uint64_t off, uint64_t v, unsigned size)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    if (off == 4 && size == 4 && !d->gone) {
        d->desc_pa = (uint32_t)v;
        doorbell(d, 0);
    }
}

static const struct vw_device_ops reg_ops = {reg_read, reg_write};
static const struct vw_device_ops io_ops = {io_read, io_write};

static uint32_t cfg_read(struct vm *vm, void *opaque, uint32_t off, unsigned size)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    uint32_t v = 0;
    if (off < sizeof(d->pcicfg) && size <= sizeof(d->pcicfg) - off)
        memcpy(&v, d->pcicfg + off, size);
    return v;
}

static void cfg_write(struct vm *vm, void *opaque, uint32_t off, uint32_t v, unsigned size)
{
    struct vw_stordisk *d = opaque;
    (void)vm;
    /* The command register and the MSI-X message control's enable and
     * function-mask bits are writable; the rest is read-only. */
    if (off >= 4 && off + size <= 6)
        memcpy(d->pcicfg + off, &v, size);
    else if (off >= 0x52 && off + size <= 0x54)
        d->pcicfg[0x53] = (uint8_t)((d->pcicfg[0x53] & 0x3f) | ((v >> (8 * (0x53 - off))) & 0xc0));
}

static const struct vw_pci_ops pci_ops = {cfg_read, cfg_write};

static void put16(uint8_t *p, uint16_t v)
{
    memcpy(p, &v, 2);
}

static void put32(uint8_t *p, uint32_t v)
{
    memcpy(p, &v, 4);
}

/* Type 0 header (PCI Local Bus 3.0, 6.1): harness IDs 0x1b36:0x00fe (a
 * QEMU-range ID no real device has), mass storage / other; capabilities
 * list with MSI-X (ID 0x11) at 0x50: table and PBA in BAR0. */
static void build_config(struct vw_stordisk *d, uint64_t bar0, uint16_t port)
{
    uint8_t *c = d->pcicfg;
    put16(c + 0x00, 0x1b36);
    put16(c + 0x02, 0x00fe);
    put16(c + 0x06, 0x0010);        /* status: capabilities list */
    c[0x0a] = 0x80, c[0x0b] = 0x01; /* class 01 (storage), subclass 80 (other) */
    put32(c + 0x10, (uint32_t)bar0);
    put32(c + 0x14, port | 1u);
    put16(c + 0x2c, 0x1b36);
    put16(c + 0x2e, 0x00fe);
    c[0x3c] = 11, c[0x3d] = 1; /* INTA */
    if (d->cfg.messages == 0)
        return;
    c[0x34] = 0x50;
    c[0x50] = 0x11, c[0x51] = 0;
    put16(c + 0x52, (uint16_t)(d->cfg.messages - 1));
    put32(c + 0x54, MSIX_TABLE); /* BIR 0 */
    put32(c + 0x58, MSIX_PBA);
}

struct vw_stordisk *vw_stordisk_create(struct vm *vm, const struct vw_stordisk_config *cfg)
{
    if (cfg->messages > STORDISK_MAX_MSG) {
        vw_fail(vm, "harness: stordisk has at most %u messages", STORDISK_MAX_MSG);
        return NULL;
    }
    struct vw_stordisk *d = calloc(1, sizeof(*d));
    if (d == NULL) {
        vw_fail(vm, "harness: out of host memory for stordisk");
        return NULL;
    }
    vw_kernel_keep(vm, d);
    d->vm = vm;
    d->cfg = *cfg;
    if (d->cfg.sectors == 0)
        d->cfg.sectors = 256;
    d->disk = calloc(d->cfg.sectors, 512);
    if (d->disk == NULL) {
        vw_fail(vm, "harness: out of host memory for stordisk's %u sectors", d->cfg.sectors);
        return NULL;
    }
    vw_kernel_keep(vm, d->disk);
    d->rng = 0x9e3779b97f4a7c15ull ^ vw_device_seed(vm, cfg->seed);
    unsigned slot = vm->k->pdo_count;
    uint64_t bar0 = BAR0_BASE + SLOT_SPAN * slot;
    uint16_t port = (uint16_t)(BAR1_PORT + 0x20 * slot);
    build_config(d, bar0, port);
    struct vw_resource res[3];
    unsigned n = 0;
    vw_bus_add_memory(vm, bar0, 0x1000, &reg_ops, d);
    res[n++] = (struct vw_resource){VW_RES_MEMORY, bar0, 0x1000, 0};
    if (vm->arch == VW_ARM64) {
        vw_bus_add_memory(vm, ARM64_PIO + port, 0x10, &io_ops, d);
        res[n++] = (struct vw_resource){VW_RES_PORT, port, 0x10, ARM64_PIO + port};
    } else {
        vw_bus_add_ports(vm, port, 0x10, &io_ops, d);
        res[n++] = (struct vw_resource){VW_RES_PORT, port, 0x10, 0};
    }
    res[n++] = (struct vw_resource){VW_RES_INTERRUPT, 11, d->cfg.messages, 0};
    d->pdo = vw_pdo_create(vm, VW_PCI_BUS, res, n);
    vw_pdo_set_pci(vm, d->pdo, &pci_ops, d);
    vw_sched_add_poller(vm, poll, d);
    vw_sched_add_next_due(vm, next_due, d);
    vw_stor_add_owner_check(vm, owns, d);
    return d;
}

gva_t vw_stordisk_pdo(const struct vw_stordisk *d)
{
    return d->pdo;
}

uint8_t *vw_stordisk_data(struct vw_stordisk *d)
{
    return d->disk;
}

void vw_stordisk_stats(const struct vw_stordisk *d, struct vw_stordisk_stats *out)
{
    *out = d->stats;
}

void vw_stordisk_hold(struct vw_stordisk *d, bool hold)
{
    d->hold = hold;
}

void vw_stordisk_unplug(struct vw_stordisk *d)
{
    d->gone = true;
}
