/*
 * A virtio-blk PCI function whose rings are served by a real back end,
 * qemu-storage-daemon, over vhost-user (the second tier: external, not
 * deterministic in timing).  The harness starts the daemon on a unix socket
 * under the build directory, bounded in time (it dies with the harness
 * process and is stopped by PID when the machine goes away), shares guest
 * RAM with it as the memfd, forwards the driver's notifications as kicks and
 * turns its calls into MSI-X message 0.  The register file and
 * configuration space are the device model's (dev_virtio.h), filled with
 * the back end's features and configuration.
 */
#pragma once
#include "dev_virtio.h"
#include "vhost_user.h"

struct vw_vhost_blk {
    struct vw_virtio *dev;
    struct vw_vhost vu;
    int daemon; /* pid, 0 = none */
    struct vm *vm;
    char sock[200], log[260]; /* the daemon's log is kept when the run fails */
    int kick, call;
    bool started, in_flight;
    uint64_t deadline_ms;
};

/* True when qemu-storage-daemon is installed (else the tier is skipped). */
bool vw_vhost_blk_available(void);
/* Export IMAGE (a raw file) and create the function; NULL after a failure. */
struct vw_vhost_blk *vw_vhost_blk_create(struct vm *vm, const char *image);
