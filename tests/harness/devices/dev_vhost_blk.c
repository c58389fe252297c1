/*
 * virtio-blk through qemu-storage-daemon (Debian qemu-system-common): the
 * device-specific table of the generic vhost-user function (dev_vhost.h).
 * The daemon exports the image file with p.queues queues; the configuration
 * space comes from the back end (GET_CONFIG).
 */
#include <stdio.h>
#include "dev_vhost.h"

#define VIRTIO_ID_BLOCK 2
#define BLK_CONFIG_LEN  60 /* capacity .. write_zeroes_may_unmap */

/* qemu-storage-daemon --blockdev file --blockdev raw --export vhost-user-blk. */
static void blk_argv(const struct vw_vhost_dev *d, const char **argv, char *store, size_t cap)
{
    int file = snprintf(store, cap, "file,node-name=file0,filename=%s", d->p.target) + 1;
    snprintf(store + file, cap - (size_t)file,
             "type=vhost-user-blk,id=exp0,addr.type=unix,addr.path=%s,node-name=disk0,"
             "writable=on,num-queues=%u",
             d->sock, d->p.queues);
    const char *args[] = {
        d->type->program, "--blockdev", store, "--blockdev", "raw,node-name=disk0,file=file0",
        "--export",       store + file, NULL};
    for (unsigned i = 0; i < sizeof(args) / sizeof(args[0]); i++)
        argv[i] = args[i];
}

const struct vw_vhost_type vw_vhost_blk = {
    .name = "blk",
    .program = "qemu-storage-daemon",
    .package = "qemu-system-common",
    .device_type = VIRTIO_ID_BLOCK,
    .config_len = BLK_CONFIG_LEN,
    .argv = blk_argv,
};
