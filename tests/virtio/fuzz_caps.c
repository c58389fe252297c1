/*
 * fuzz_caps.c - fuzz the capability walk and everything after it: the
 * input supplies PCI configuration space, BAR sizes and device behaviour;
 * the core probes, negotiates, sets up a queue, reads configuration and
 * does one request. Oracles: no access outside a BAR (the core must only
 * use ranges it checked), no leak, termination.
 */
#include <string.h>

#include "../../common/virtio/virtio_pci.h"
#include "fuzz.h"
#include "host_os.h"
#include "../models/virtio/vmodel.h"

int fuzz_pci_caps(const uint8_t *data, size_t size)
{
    struct vmodel_config mc;
    struct vmodel_behaviour beh;
    struct host_os h;
    struct virtio_os os;
    struct virtio_device dev;
    struct virtqueue vq;
    struct vmodel *m;
    uint8_t *cfg, knobs[16], buf[64];
    unsigned i;

    if (size < 256)
        return 0;
    memset(knobs, 0, sizeof(knobs));
    memcpy(knobs, data + 256, size - 256 > sizeof(knobs) ? sizeof(knobs) : size - 256);

    memset(&mc, 0, sizeof(mc));
    mc.seed = knobs[0];
    mc.transport = (enum vmodel_transport)(knobs[1] % 3);
    mc.device_type = 2;
    mc.num_queues = 2;
    mc.queue_max = (uint16_t)(1 + knobs[2] * 4);
    mc.features = ((uint64_t)knobs[3] << 28) | ((uint64_t)knobs[4] << 32) | 0xff;
    mc.msix_vectors = knobs[5] % 5;
    mc.msix_enabled = knobs[5] & 0x80;
    mc.notify_off_multiplier = 4;
    mc.device_cfg_len = 64;
    if ((m = vmodel_create(&mc)) == NULL)
        return 0;
    memset(&beh, 0, sizeof(beh));
    beh.reset_delay = knobs[6] & 0x80 ? ~0u : knobs[6] % 4;
    beh.config_churn = knobs[7] & 0x80 ? ~0u : knobs[7] % 4;
    beh.refuse_features_ok = knobs[8] & 1;
    beh.evil = knobs[8] >> 1;
    vmodel_set_behaviour(m, &beh);

    /* The input's configuration space; keep it a virtio function mostly */
    cfg = vmodel_cfg_space(m);
    memcpy(cfg, data, 256);
    if (!(knobs[9] & 1)) {
        cfg[0] = 0xf4;
        cfg[1] = 0x1a;
        cfg[3] = 0x10;
        cfg[2] = knobs[9] & 2 ? 0x42 : 0x01;
        cfg[8] = knobs[9] & 2 ? 1 : 0;
    }
    for (i = 0; i < 6; i++)
        if (knobs[10] & (1u << i))
            vmodel_set_bar_len(m, i, (uint64_t)knobs[11 + (i % 5)] << (i * 2));

    host_os_init(&h, m, &os);
    if (virtio_pci_probe(&dev, &os, (enum virtio_pci_mode)(knobs[1] / 3 % 3)) == 0) {
        struct virtio_queue_config qc = {.index = 0,
                                         .size = knobs[2],
                                         .indirect_max = 4,
                                         .msix_vector = (uint16_t)(knobs[5] & 3)};

        if (virtio_negotiate(&dev, ~0ull, NULL) == 0) {
            (void)virtio_set_config_vector(&dev, 0);
            if (virtio_queue_setup(&dev, &vq, &qc) == 0) {
                struct virtqueue_sg sg = {0x100000000ull, 16};
                int c;

                (void)virtio_device_ready(&dev);
                if (virtqueue_add(&vq, &sg, 0, 1, &c) == 0 && virtqueue_kick_prepare(&vq))
                    virtqueue_notify(&vq);
                vmodel_run(m);
                (void)virtqueue_get(&vq, NULL);
                (void)virtio_device_reset(&dev);
                while (virtqueue_detach_unused(&vq) != NULL)
                    ;
                virtio_queue_teardown(&dev, &vq);
            }
            for (i = 0; i < 4; i++)
                (void)virtio_config_read(&dev, knobs[12 + i] % 80, buf, 1 + knobs[i] % 16);
        }
        (void)virtio_isr_read(&dev);
        (void)virtio_device_needs_reset(&dev);
        virtio_pci_release(&dev);
    }
    FUZZ_ASSERT(strstr(vmodel_stats(m)->last_error, "outside BAR") == NULL);
    FUZZ_ASSERT(h.dma_live == 0 && h.mem_live == 0);
    vmodel_destroy(m);
    return 0;
}
