/*
 * virtio_types.h - basic types, error codes and byte-order helpers for the
 * OS-neutral virtio core.
 *
 * The core is freestanding C11: it includes only <stdint.h>, <stddef.h> and
 * <stdbool.h>, and calls no library function other than memset/memcpy/memmove.
 * Written from the Virtual I/O Device (VIRTIO) specification 1.x.
 */
#ifndef VIRTIO_TYPES_H
#define VIRTIO_TYPES_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

/*
 * memset/memcpy are provided by every kernel we run in (and by libc on the
 * host). Declare them here so that no OS header is needed inside the core.
 */
void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);

/**
 * @defgroup virtio_err Error codes
 *
 * Functions return 0 on success or one of these negative values. The
 * numbers follow POSIX errno so that logs read naturally; no errno header
 * is needed.
 * @{
 */
#define VIRTIO_OK        0    /**< Success */
#define VIRTIO_EIO       -5   /**< Device broken or protocol violation */
#define VIRTIO_EAGAIN    -11  /**< Inconsistent read; retry later */
#define VIRTIO_ENOMEM    -12  /**< Out of memory */
#define VIRTIO_EBUSY     -16  /**< Resource in use */
#define VIRTIO_ENODEV    -19  /**< No such device or queue */
#define VIRTIO_EINVAL    -22  /**< Invalid argument */
#define VIRTIO_ENOSPC    -28  /**< Ring full */
#define VIRTIO_ERANGE    -34  /**< Value out of range */
#define VIRTIO_EPROTO    -71  /**< Device violated the specification */
#define VIRTIO_ENOTSUP   -95  /**< Feature not supported */
#define VIRTIO_ETIMEDOUT -110 /**< Device did not answer in time */
/** @} */

/**
 * Reasons why the core declared a queue or device broken. Each one names a
 * device-written value that failed a check. Reported through
 * virtio_os_ops.report and kept in the queue or device.
 */
enum virtio_violation {
    VIRTIO_VIOL_NONE = 0,
    VIRTIO_VIOL_USED_ID_RANGE,      /**< used id >= queue size */
    VIRTIO_VIOL_USED_ID_IDLE,       /**< used id not outstanding (or double completion) */
    VIRTIO_VIOL_USED_LEN,           /**< written length > device-writable length posted */
    VIRTIO_VIOL_USED_IDX,           /**< used index moved further than requests in flight */
    VIRTIO_VIOL_PACKED_WRAP,        /**< packed descriptor flags inconsistent with wrap */
    VIRTIO_VIOL_CAP,                /**< capability list malformed */
    VIRTIO_VIOL_CAP_RANGE,          /**< capability outside its BAR */
    VIRTIO_VIOL_NOTIFY_RANGE,       /**< queue notify offset outside the notify region */
    VIRTIO_VIOL_QUEUE_SIZE,         /**< queue size unusable */
    VIRTIO_VIOL_CONFIG_UNSTABLE,    /**< config_generation never settled */
    VIRTIO_VIOL_RESET_TIMEOUT,      /**< status did not return to 0 after reset */
    VIRTIO_VIOL_FEATURES_REFUSED,   /**< FEATURES_OK not kept */
    VIRTIO_VIOL_FEATURES_UNOFFERED, /**< device kept features it did not offer */
    VIRTIO_VIOL_MSIX_VECTOR,        /**< MSI-X vector read back differs */
    VIRTIO_VIOL_NEEDS_RESET,        /**< device set DEVICE_NEEDS_RESET */
    VIRTIO_VIOL_GONE,               /**< status reads 0xff: the function was removed */
    VIRTIO_VIOL_MAX
};

/**
 * @defgroup virtio_le Little-endian conversion
 *
 * Every ring field and every register is little-endian. All Windows
 * targets are little-endian, so these compile to nothing there; they are
 * still written at every access so that the code states what it does.
 * @{
 */
#if defined(__BYTE_ORDER__) && (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)
#define VIRTIO_LE(bits, x) __builtin_bswap##bits(x)
#else
#define VIRTIO_LE(bits, x) (x)
#endif

/* Little-endian 16-bit value to the CPU's order. IRQL: any. */
static inline uint16_t virtio_le16_to_cpu(uint16_t v)
{
    return (uint16_t)VIRTIO_LE(16, v);
}

/* Little-endian 32-bit value to the CPU's order. IRQL: any. */
static inline uint32_t virtio_le32_to_cpu(uint32_t v)
{
    return (uint32_t)VIRTIO_LE(32, v);
}

/* Little-endian 64-bit value to the CPU's order. IRQL: any. */
static inline uint64_t virtio_le64_to_cpu(uint64_t v)
{
    return (uint64_t)VIRTIO_LE(64, v);
}

/* CPU-order 16-bit value to little-endian. IRQL: any. */
static inline uint16_t virtio_cpu_to_le16(uint16_t v)
{
    return (uint16_t)VIRTIO_LE(16, v);
}

/* CPU-order 32-bit value to little-endian. IRQL: any. */
static inline uint32_t virtio_cpu_to_le32(uint32_t v)
{
    return (uint32_t)VIRTIO_LE(32, v);
}

/* CPU-order 64-bit value to little-endian. IRQL: any. */
static inline uint64_t virtio_cpu_to_le64(uint64_t v)
{
    return (uint64_t)VIRTIO_LE(64, v);
}
/** @} */

/**
 * Read a little-endian ring field that the device may change at any time.
 *
 * The volatile access makes the compiler read it exactly once, so a check
 * and the later use see the same value.
 * IRQL: any.
 */
static inline uint16_t virtio_read_le16(const void *p)
{
    return virtio_le16_to_cpu(*(const volatile uint16_t *)p);
}

/* Read a little-endian 32-bit ring field exactly once (see virtio_read_le16). IRQL: any. */
static inline uint32_t virtio_read_le32(const void *p)
{
    return virtio_le32_to_cpu(*(const volatile uint32_t *)p);
}

/* Store a 16-bit ring field in little-endian, as one access. IRQL: any. */
static inline void virtio_write_le16(void *p, uint16_t v)
{
    *(volatile uint16_t *)p = virtio_cpu_to_le16(v);
}

/* Store a 32-bit ring field in little-endian, as one access. IRQL: any. */
static inline void virtio_write_le32(void *p, uint32_t v)
{
    *(volatile uint32_t *)p = virtio_cpu_to_le32(v);
}

/* Store a 64-bit ring field in little-endian, as one access. IRQL: any. */
static inline void virtio_write_le64(void *p, uint64_t v)
{
    *(volatile uint64_t *)p = virtio_cpu_to_le64(v);
}

/** Round x up to a multiple of the power of two a */
#define VIRTIO_ALIGN_UP(x, a) (((x) + ((a) - 1)) & ~((size_t)(a) - 1))

/** True if x is a non-zero power of two. IRQL: any. */
static inline bool virtio_is_pow2(uint32_t x)
{
    return x != 0 && (x & (x - 1)) == 0;
}

#endif /* VIRTIO_TYPES_H */
