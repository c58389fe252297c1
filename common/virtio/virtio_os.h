/*
 * virtio_os.h - the services the virtio core needs from its environment.
 *
 * The core never includes an OS header. Everything it needs from the
 * operating system goes through one table of function pointers, filled in
 * once per device by the driver model (WDM, StorPort, NDIS, or the host test
 * harness):
 *
 *   - register access (MMIO and I/O port, 8/16/32/64 bit);
 *   - PCI configuration space reads;
 *   - BAR description and mapping;
 *   - DMA-able memory with its bus address, and private (non-DMA) memory;
 *   - a short delay;
 *   - an optional report hook for device protocol violations.
 *
 * Memory barriers are not in the table: a call per barrier would cost more
 * than the barrier. They are inline below, per CPU architecture.
 */
#ifndef VIRTIO_OS_H
#define VIRTIO_OS_H

#include "virtio_types.h"

/** Address spaces a register can live in */
enum virtio_space {
    VIRTIO_SPACE_NONE = 0, /**< Not mapped */
    VIRTIO_SPACE_MMIO = 1, /**< Memory-mapped I/O: address is a virtual address */
    VIRTIO_SPACE_PORT = 2, /**< I/O port: address is a port number */
};

/** A mapped register window (part of a BAR) */
struct virtio_region {
    uintptr_t base; /**< Mapped address or port of offset 0 */
    uint32_t len;   /**< Length in bytes */
    uint8_t space;  /**< enum virtio_space */
    uint8_t bar;    /**< BAR index it came from */
};

/** A block of DMA-able memory */
struct virtio_dma {
    void *va;     /**< Kernel virtual address */
    uint64_t pa;  /**< Bus address the device uses */
    size_t size;  /**< Size in bytes */
    void *handle; /**< OS bookkeeping, opaque to the core */
};

/**
 * OS services table. All functions take the ctx pointer of struct virtio_os.
 * Register accessors take the address space and the address; values are in
 * CPU order (the accessor does the little-endian bus conversion, as the
 * Windows READ_REGISTER_* / READ_PORT_* routines do on little-endian CPUs).
 */
struct virtio_os_ops {
    uint8_t (*read8)(void *ctx, uint8_t space, uintptr_t addr);
    uint16_t (*read16)(void *ctx, uint8_t space, uintptr_t addr);
    uint32_t (*read32)(void *ctx, uint8_t space, uintptr_t addr);
    void (*write8)(void *ctx, uint8_t space, uintptr_t addr, uint8_t val);
    void (*write16)(void *ctx, uint8_t space, uintptr_t addr, uint16_t val);
    void (*write32)(void *ctx, uint8_t space, uintptr_t addr, uint32_t val);

    /**
     * Read len bytes of PCI configuration space at off (off < 4096), in bus
     * (little-endian) order; bytes the function does not have read as 0xff.
     */
    void (*pci_read)(void *ctx, uint32_t off, void *buf, uint32_t len);

    /**
     * Describe a BAR: its length and space. Return 0, or a negative error
     * if the BAR is absent (the core then ignores capabilities naming it).
     */
    int (*bar_info)(void *ctx, unsigned bar, uint64_t *len, uint8_t *space);

    /**
     * Map len bytes at offset of a BAR; the core has already checked the
     * range against bar_info. Return 0 and the address, or a negative error.
     */
    int (*bar_map)(void *ctx, unsigned bar, uint64_t offset, uint32_t len, uintptr_t *addr);
    /** Undo bar_map (may be NULL) */
    void (*bar_unmap)(void *ctx, uintptr_t addr, uint32_t len);

    /** Allocate zeroed, physically contiguous DMA memory aligned to align */
    int (*dma_alloc)(void *ctx, size_t size, size_t align, struct virtio_dma *dma);
    void (*dma_free)(void *ctx, struct virtio_dma *dma);

    /** Allocate zeroed, non-paged private memory (never seen by the device) */
    void *(*mem_alloc)(void *ctx, size_t size);
    void (*mem_free)(void *ctx, void *ptr, size_t size);

    /** Busy-wait or sleep for about us microseconds */
    void (*delay_us)(void *ctx, uint32_t us);

    /**
     * Report a device protocol violation (may be NULL). queue is the queue
     * index, or -1 for the device. Called once, when the violation is found.
     */
    void (*report)(void *ctx, int queue, enum virtio_violation why);
};

/** OS services: the table plus its context */
struct virtio_os {
    const struct virtio_os_ops *ops;
    void *ctx;
};

/**
 * @defgroup virtio_barrier Memory barriers
 *
 * Two strengths. The "smp" barriers order memory as seen by another CPU,
 * which is all a device emulated by a hypervisor on another CPU needs. The
 * "platform" barriers also order against a real bus master; they are used
 * when VIRTIO_F_ORDER_PLATFORM is negotiated (spec 6.1).
 * @{
 */
#define virtio_compiler_barrier() __asm__ __volatile__("" ::: "memory")

#ifdef VIRTIO_BENCH_FENCES
/* bench/ring counts the full fences it executes (never in a driver build) */
extern unsigned long long virtio_bench_fences;
#define VIRTIO_COUNT_FENCE() (virtio_bench_fences++)
#else
#define VIRTIO_COUNT_FENCE() ((void)0)
#endif

#if defined(__x86_64__) || defined(__i386__)
/* x86 is TSO: loads are not reordered with loads, stores not with stores. */
/* Full barrier between ring accesses: the one reordering TSO allows. IRQL: any. */
static inline void virtio_mb(bool platform)
{
    (void)platform;
    VIRTIO_COUNT_FENCE();
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
/* Order ring reads after the index read that found them. IRQL: any. */
static inline void virtio_rmb(bool platform)
{
    (void)platform;
    virtio_compiler_barrier();
}
/* Order ring writes before the index or flag that publishes them. IRQL: any. */
static inline void virtio_wmb(bool platform)
{
    (void)platform;
    virtio_compiler_barrier();
}
#elif defined(__aarch64__)
/* Full barrier between ring accesses: dmb, or dsb for platform (device) order. IRQL: any. */
static inline void virtio_mb(bool platform)
{
    VIRTIO_COUNT_FENCE();
    if (platform)
        __asm__ __volatile__("dsb sy" ::: "memory");
    else
        __asm__ __volatile__("dmb ish" ::: "memory");
}
/* Order ring reads after the index read that found them. IRQL: any. */
static inline void virtio_rmb(bool platform)
{
    if (platform)
        __asm__ __volatile__("dsb ld" ::: "memory");
    else
        __asm__ __volatile__("dmb ishld" ::: "memory");
}
/* Order ring writes before the index or flag that publishes them. IRQL: any. */
static inline void virtio_wmb(bool platform)
{
    if (platform)
        __asm__ __volatile__("dsb st" ::: "memory");
    else
        __asm__ __volatile__("dmb ishst" ::: "memory");
}
#else
/* Full barrier between ring accesses (host builds: a sequentially consistent fence). IRQL: any. */
static inline void virtio_mb(bool platform)
{
    (void)platform;
    VIRTIO_COUNT_FENCE();
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
/* Order ring reads after the index read that found them. IRQL: any. */
static inline void virtio_rmb(bool platform)
{
    (void)platform;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
/* Order ring writes before the index or flag that publishes them. IRQL: any. */
static inline void virtio_wmb(bool platform)
{
    (void)platform;
    __atomic_thread_fence(__ATOMIC_SEQ_CST);
}
#endif
/** @} */

#endif /* VIRTIO_OS_H */
