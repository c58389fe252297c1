/*
 * Port and physical-memory decoding (see bus.h).  An access nobody decodes
 * reads as all-ones and is logged, like a PC bus with nothing behind it.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include "bus.h"
#include "ram.h"

struct range {
    uint64_t base, len;
    const struct vw_device_ops *ops; /* NULL: RAM (vw_bus_add_ram) */
    void *dev;
};

/* One MMIO mapping in the MmMapIoSpace window. */
struct window {
    struct vm *vm;
    gva_t va;
    uint64_t phys, len;
    bool live;
    bool ram; /* plain memory over guest RAM, not MMIO callbacks */
};

struct vw_bus {
    struct range *ports, *memory; /* grow (add_range) */
    unsigned nports, nmemory, cap_ports, cap_memory;
    struct window **windows; /* grows */
    unsigned nwindows, cap_windows;
    vw_bus_guard guard;
};

static struct vw_bus *bus(struct vm *vm)
{
    if (vm->bus == NULL)
        vm->bus = calloc(1, sizeof(*vm->bus));
    return vm->bus;
}

void vw_bus_free(struct vm *vm)
{
    if (vm->bus == NULL)
        return;
    for (unsigned i = 0; i < vm->bus->nwindows; i++)
        free(vm->bus->windows[i]);
    free(vm->bus->windows);
    free(vm->bus->ports);
    free(vm->bus->memory);
    free(vm->bus);
    vm->bus = NULL;
}

/* Room for one more element in *ARRAY (N used, *CAP allocated). */
static bool grow(struct vm *vm, void **array, unsigned n, unsigned *cap, size_t size,
                 const char *what)
{
    if (n < *cap)
        return true;
    unsigned c = *cap ? 2 * *cap : 16;
    void *p = realloc(*array, c * size);
    if (p == NULL) {
        vw_fail(vm, "harness: out of host memory for %u bus %s", c, what);
        return false;
    }
    *array = p;
    *cap = c;
    return true;
}

void vw_bus_add_ports(struct vm *vm, uint16_t base, uint16_t len, const struct vw_device_ops *ops,
                      void *dev)
{
    struct vw_bus *b = bus(vm);
    if (grow(vm, (void **)&b->ports, b->nports, &b->cap_ports, sizeof(*b->ports), "port ranges"))
        b->ports[b->nports++] = (struct range){base, len, ops, dev};
}

void vw_bus_add_memory(struct vm *vm, uint64_t phys, uint64_t len, const struct vw_device_ops *ops,
                       void *dev)
{
    struct vw_bus *b = bus(vm);
    if (grow(vm, (void **)&b->memory, b->nmemory, &b->cap_memory, sizeof(*b->memory),
             "memory ranges"))
        b->memory[b->nmemory++] = (struct range){phys, len, ops, dev};
}

void vw_bus_add_ram(struct vm *vm, uint64_t phys, uint64_t len)
{
    vw_bus_add_memory(vm, phys, len, NULL, NULL);
}

static const struct range *decode(const struct range *r, unsigned n, uint64_t addr, unsigned size)
{
    for (unsigned i = 0; i < n; i++)
        if (addr >= r[i].base && addr + size <= r[i].base + r[i].len)
            return &r[i];
    return NULL;
}

static uint64_t all_ones(unsigned size)
{
    return size >= 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

void vw_bus_set_guard(struct vm *vm, vw_bus_guard fn)
{
    bus(vm)->guard = fn;
}

uint64_t vw_bus_port_read(struct vm *vm, uint16_t port, unsigned size)
{
    const struct range *r = decode(bus(vm)->ports, bus(vm)->nports, port, size);
    if (r == NULL) {
        vw_log(vm, "port read of %u bytes at 0x%x: nothing decodes it", size, port);
        return all_ones(size);
    }
    if (bus(vm)->guard)
        bus(vm)->guard(vm, true, port, false);
    return r->ops->read(vm, r->dev, port - r->base, size);
}

void vw_bus_port_write(struct vm *vm, uint16_t port, uint64_t value, unsigned size)
{
    const struct range *r = decode(bus(vm)->ports, bus(vm)->nports, port, size);
    if (r == NULL) {
        vw_log(vm, "port write of %u bytes at 0x%x: nothing decodes it", size, port);
        return;
    }
    if (bus(vm)->guard)
        bus(vm)->guard(vm, true, port, true);
    r->ops->write(vm, r->dev, port - r->base, value, size);
}

static uint64_t phys_read(struct vm *vm, uint64_t phys, unsigned size)
{
    const struct range *r = decode(bus(vm)->memory, bus(vm)->nmemory, phys, size);
    if (r == NULL) {
        vw_log(vm, "memory read at physical 0x%" PRIx64 ": nothing decodes it", phys);
        return all_ones(size);
    }
    if (r->ops == NULL) {
        uint64_t v = 0;
        void *host = vw_ram_host(vm, phys, size);
        if (host != NULL)
            memcpy(&v, host, size);
        return v;
    }
    if (bus(vm)->guard)
        bus(vm)->guard(vm, false, phys, false);
    return r->ops->read(vm, r->dev, phys - r->base, size);
}

static void phys_write(struct vm *vm, uint64_t phys, uint64_t value, unsigned size)
{
    const struct range *r = decode(bus(vm)->memory, bus(vm)->nmemory, phys, size);
    if (r == NULL)
        vw_log(vm, "memory write at physical 0x%" PRIx64 ": nothing decodes it", phys);
    else if (r->ops == NULL) {
        void *host = vw_ram_host(vm, phys, size);
        if (host != NULL)
            memcpy(host, &value, size);
    } else {
        if (bus(vm)->guard)
            bus(vm)->guard(vm, false, phys, true);
        r->ops->write(vm, r->dev, phys - r->base, value, size);
    }
}

static uint64_t on_mmio_read(uc_engine *uc, uint64_t offset, unsigned size, void *user)
{
    struct window *w = user;
    (void)uc;
    return phys_read(w->vm, w->phys + offset, size);
}

static void on_mmio_write(uc_engine *uc, uint64_t offset, unsigned size, uint64_t value, void *user)
{
    struct window *w = user;
    (void)uc;
    phys_write(w->vm, w->phys + offset, value, size);
}

bool vw_bus_map_mmio(struct vm *vm, gva_t va, uint64_t phys, uint64_t len)
{
    struct vw_bus *b = bus(vm);
    const struct range *r = decode(b->memory, b->nmemory, phys, 1);
    if (r == NULL || !grow(vm, (void **)&b->windows, b->nwindows, &b->cap_windows,
                           sizeof(*b->windows), "MMIO windows"))
        return false;
    struct window *w = calloc(1, sizeof(*w));
    if (w == NULL)
        return false;
    *w = (struct window){vm, va, phys, len, true, r->ops == NULL};
    void *host = w->ram ? vw_ram_host(vm, phys, len) : NULL;
    uc_err err =
        w->ram
            ? (host == NULL ? UC_ERR_ARG
                            : uc_mem_map_ptr(vm->uc, va, len, UC_PROT_READ | UC_PROT_WRITE, host))
            : uc_mmio_map(vm->uc, va, len, on_mmio_read, w, on_mmio_write, w);
    if (err != UC_ERR_OK) {
        free(w);
        return false;
    }
    b->windows[b->nwindows++] = w;
    return true;
}

void vw_bus_unmap_mmio(struct vm *vm, gva_t va)
{
    struct vw_bus *b = bus(vm);
    for (unsigned i = 0; i < b->nwindows; i++)
        if (b->windows[i]->live && b->windows[i]->va == va) {
            uc_mem_unmap(vm->uc, va, b->windows[i]->len);
            b->windows[i]->live = false;
        }
}

uint64_t vw_bus_ram_window_pa(struct vm *vm, gva_t va)
{
    struct vw_bus *b = bus(vm);
    for (unsigned i = 0; i < b->nwindows; i++) {
        const struct window *w = b->windows[i];
        if (w->live && w->ram && va >= w->va && va - w->va < w->len)
            return w->phys + (va - w->va);
    }
    return ~0ull;
}

bool vw_bus_va_access(struct vm *vm, gva_t va, unsigned size, bool write, uint64_t *value)
{
    struct vw_bus *b = bus(vm);
    for (unsigned i = 0; i < b->nwindows; i++) {
        const struct window *w = b->windows[i];
        if (va < w->va || va + size > w->va + w->len)
            continue;
        if (!w->live)
            continue;
        if (write)
            phys_write(vm, w->phys + (va - w->va), *value, size);
        else
            *value = phys_read(vm, w->phys + (va - w->va), size);
        return true;
    }
    return false;
}
