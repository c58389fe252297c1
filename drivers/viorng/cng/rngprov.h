/*
 * rngprov: the logic of viorngum.dll, the user-mode CNG random number
 * provider for viorng, written without Windows headers so that it runs in
 * host-side unit tests (tests/rngprov_test.c) as well as in the DLL.
 *
 * The CNG RNG interface (BCRYPT_RNG_FUNCTION_TABLE) has five entries; each
 * maps to one function here.  Everything that touches the system (finding
 * and opening the device, reading from it, memory) goes through struct
 * rngprov_io, which rngprov_win.c implements with Win32 calls and the tests
 * with a scripted fake.
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* NTSTATUS values (the CNG interface returns NTSTATUS). */
typedef int32_t rngprov_status;
#define RNGPROV_SUCCESS           ((rngprov_status)0x00000000)
#define RNGPROV_INVALID_HANDLE    ((rngprov_status)0xC0000008) /* STATUS_INVALID_HANDLE */
#define RNGPROV_INVALID_PARAMETER ((rngprov_status)0xC000000D) /* STATUS_INVALID_PARAMETER */
#define RNGPROV_NO_SUCH_DEVICE    ((rngprov_status)0xC000000E) /* STATUS_NO_SUCH_DEVICE */
#define RNGPROV_NO_MEMORY         ((rngprov_status)0xC0000017) /* STATUS_NO_MEMORY */
#define RNGPROV_NOT_SUPPORTED     ((rngprov_status)0xC00000BB) /* STATUS_NOT_SUPPORTED */
#define RNGPROV_DEVICE_ERROR      ((rngprov_status)0xC0000185) /* STATUS_IO_DEVICE_ERROR */
#define RNGPROV_NOT_FOUND         ((rngprov_status)0xC0000225) /* STATUS_NOT_FOUND */

/* The driver returns at most this many bytes per read (VIORNG_MAX_READ). */
#define RNGPROV_MAX_READ 4096u

/* Reads in a row that may fail or return nothing before GenRandom gives up:
 * a device restart in the driver fails one read, so one retry is enough;
 * the bound keeps a dead device from spinning the caller forever. */
#define RNGPROV_MAX_ATTEMPTS 3

/* GenRandom flags (bcrypt.h): the only one a provider sees.  Windows 8 and
 * later ignore it, and so do we (the device needs no extra entropy). */
#define RNGPROV_USE_ENTROPY_IN_BUFFER 0x00000001u

/* The system services the provider needs.  dev is the layer's own handle. */
struct rngprov_io {
    void *ctx;
    /* Finds and opens the first usable viorng device. */
    rngprov_status (*open)(void *ctx, void **dev);
    /* One read of at most len (<= RNGPROV_MAX_READ) bytes; *got = bytes read. */
    rngprov_status (*read)(void *ctx, void *dev, uint8_t *buf, uint32_t len, uint32_t *got);
    void (*close)(void *ctx, void *dev);
    void *(*alloc)(void *ctx, size_t size);
    void (*free)(void *ctx, void *p);
};

/* BCryptOpenAlgorithmProvider: alg_id must be "RNG", flags 0. */
rngprov_status rngprov_open(const struct rngprov_io *io, void **alg, const uint16_t *alg_id,
                            uint32_t flags);
/* BCryptCloseAlgorithmProvider. */
rngprov_status rngprov_close(void *alg, uint32_t flags);
/* BCryptGenRandom: fills buf completely or fails with buf zeroed. */
rngprov_status rngprov_gen(void *alg, uint8_t *buf, uint32_t len, uint32_t flags);
/* BCryptGetProperty / BCryptSetProperty: the RNG has no properties. */
rngprov_status rngprov_get_property(void *object, const uint16_t *property, uint8_t *out,
                                    uint32_t len, uint32_t *result, uint32_t flags);
rngprov_status rngprov_set_property(void *object, const uint16_t *property, const uint8_t *in,
                                    uint32_t len, uint32_t flags);

/* Walks a REG_MULTI_SZ-style list of count UTF-16 units (the device
 * interface list): returns the string at *pos and advances *pos past it, or
 * NULL at the end.  A list without its final terminators ends where count
 * says, never beyond. */
const uint16_t *rngprov_multisz_next(const uint16_t *list, size_t count, size_t *pos);
