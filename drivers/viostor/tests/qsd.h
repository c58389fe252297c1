/*
 * viostor against qemu-storage-daemon (issue 14, "Tests"): shared parts of
 * the qsd_* scenarios.  The image (raw or qcow2) is made here, served by
 * the daemon through the generic vhost-user function (dev_vhost.h) with
 * discard=unmap, and read back by the test outside the daemon after it
 * stopped (raw: the file itself; qcow2: `qemu-img convert` to raw).
 */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "dev_vhost.h"

#define QSD_SECTOR     512u
#define QSD_SLOT       (64u << 10) /* every write lands in a 64 KiB slot of its own */
#define QSD_SLOTS      768u        /* 48 MiB image */
#define QSD_IMAGE_SIZE ((uint64_t)QSD_SLOT * QSD_SLOTS)

enum qsd_format { QSD_RAW, QSD_QCOW2 };

/* Requests of virtio-blk TYPE (VIRTIO_BLK_T_*: IN 0, OUT 1, FLUSH 4,
 * DISCARD 11, WRITE_ZEROES 13) the driver handed to the daemon so far,
 * read from the ring as each was made available. */
#define QSD_T_FLUSH 4u
unsigned qsd_handed(unsigned type);
/* The daemon's table for FORMAT: file and format nodes with discard=unmap. */
const struct vw_vhost_type *qsd_type(enum qsd_format format);
/* A raw image behind a throttle of 50 requests a second: a slow daemon
 * that holds the requests it took for a while. */
const struct vw_vhost_type *qsd_slow_type(void);
/* Create an empty image of QSD_IMAGE_SIZE at PATH (qcow2 through qemu-img);
 * false after a failure (the run failed). */
bool qsd_make_image(struct vm *vm, enum qsd_format format, const char *name, char *path,
                    size_t cap);
/* The guest-visible bytes of the image, read outside the daemon (which has
 * stopped): a malloc'd QSD_IMAGE_SIZE buffer, NULL after a failure. */
uint8_t *qsd_read_image(struct vm *vm, enum qsd_format format, const char *path);
/* Remove the image and what qsd_read_image left. */
void qsd_remove_image(const char *path);
