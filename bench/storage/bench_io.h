/*
 * What the two bench-storage rigs (harness_storage.c: viostor,
 * harness_vioscsi.c: vioscsi) share: 4 KiB WRITE(10) batches through the
 * StorPort class layer, the counted start of a miniport on a PCI
 * function, and one BENCH line per measurement (harness_bench_io.c).
 */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "vm.h"

#define BENCH_BLOCK  4096u
#define BENCH_MAX_QD 512u /* 16 queues x 32: QD 32 per queue */

struct vmodel;

/* The asynchronous device: its I/O thread looks at a queue at most every
 * 20 us of virtual time (vmodel_queue_service), as both rigs' async_* and
 * scsiasync_* runs have it. */
#define BENCH_ASYNC_PERIOD 200
/* Queues FIRST..FIRST+COUNT-1 of MODEL served on that schedule. */
void bench_async(struct vmodel *model, uint16_t first, unsigned count);
/* The adapter removed and the driver unloaded with the leak checks, unless
 * the run failed. */
void bench_finish(struct vm *vm);

/* Where the device-side counts come from: NOTIFICATIONS(CTX) the kicks
 * the device saw so far; MODEL, when the device is an in-process model,
 * the descriptors it walked (NULL: an external back end, not counted). */
struct bench_probe {
    uint64_t (*notifications)(const void *ctx);
    const void *ctx;
    struct vmodel *model;
};

/* CompletionHoldoff US in the miniport's Parameters\Device (0: not set),
 * before it starts; the backend name for the BENCH line in NAME (BASE, or
 * BASE+hUS). */
void bench_holdoff(struct vm *vm, unsigned us, const char *base, char *name, size_t cap);
/* COUNT 4 KiB WRITE(10)s at queue depth QD to the addressed LUN from LBA
 * (wrapping below BLOCKS - 8); every one must succeed. */
bool bench_writes(struct vm *vm, unsigned count, unsigned qd, uint32_t lba, uint32_t blocks);
/* DRIVER loaded on the PCI function PDO, its instructions counted from
 * then on, the adapter started, requests spread over the CPUs. */
bool bench_start_counted(struct vm *vm, gva_t pdo, const char *driver);
/* One write to warm up, then 32 (QD 1), 64 (QD 32), 256 (QD 128, 256) or
 * 512 (QD 512) writes at QD, and one line: "BENCH BACKEND queues Q qd D: N
 * requests, ... notifications, ... interrupts, ... descriptors (... in the
 * ring), ... driver instructions per request, ... outstanding at most, max
 * transfer MAX_TRANSFER bytes, latency ... us mean ... us max" (virtual
 * time from HwStartIo to RequestComplete, port/storport/latency.c). */
void bench_measure(struct vm *vm, const struct bench_probe *p, const char *backend, unsigned queues,
                   unsigned qd, uint32_t blocks, uint32_t max_transfer);
