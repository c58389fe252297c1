/*
 * ring_bench.c - ring cost per request cycle (add 1-3 segments, kick
 * decision, get) against the model device, and notifications/interrupts
 * per request.
 *
 *   ring-bench ipr  API FORMAT EVENT_IDX QD N        run N requests (for callgrind)
 *   ring-bench rate API FORMAT EVENT_IDX QD N BATCH  print notify/irq/fence rates
 *
 * API is add (virtqueue_add from a struct virtqueue_sg array), req (the
 * descriptor writer, straight from a StorPort-shaped element array) or
 * reqind (the writer with a caller-owned indirect table per request).
 * FORMAT is split or packed. Under callgrind, run-bench.sh collects only
 * inside the ring entry points (for the writer: bench_req_add, which holds
 * nothing but the open/append/close calls), so the model and the transport
 * (notify register write) are not counted. Built with VIRTIO_BENCH_FENCES,
 * the binary also counts full fences (virtio_mb).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../common/virtio/virtio_pci.h"
#include "../../common/virtio/virtqueue_req.h"
#include "../../tests/virtio/host_os.h"
#include "../../tests/models/virtio/vmodel.h"

#ifdef VIRTIO_BENCH_FENCES
unsigned long long virtio_bench_fences;
#endif

/** An element shaped like STOR_SCATTER_GATHER_ELEMENT on 64-bit Windows */
struct os_sg_element {
    uint64_t addr;
    uint32_t len;
    void *reserved;
};

/** The caller's request: an OS SG list for the data, a header, a table */
struct os_request {
    uint64_t hdr_pa;
    unsigned n;
    struct os_sg_element sgl[2];
    struct virtqueue_indirect ind;
};

enum api { API_ADD, API_REQ, API_REQIND };

struct bench {
    struct vmodel *m;
    struct host_os h;
    struct virtio_os os;
    struct virtio_device dev;
    struct virtqueue vq;
    struct virtio_dma buf;
    bool irq;
    uint64_t irqs, polls;
    uint64_t added, completed;
    enum api api;
    int cookie[1024];
    struct os_request req[1024];
    struct virtio_dma tables;
};

/**
 * The writer's whole add: open, the header, the data straight from the OS
 * list, close. Not inlined: callgrind counts exactly this function.
 */
__attribute__((noinline)) int bench_req_add(struct virtqueue *vq, struct os_request *r,
                                            void *cookie)
{
    struct virtqueue_req rq;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, 1 + r->n, NULL)) != 0)
        return rc;
    virtqueue_req_seg(&rq, r->hdr_pa, 512, 0);
    if (r->n)
        virtqueue_req_sgl(&rq, r->sgl, r->n, sizeof(r->sgl[0]), VIRTQUEUE_SEG_WRITE);
    return virtqueue_req_close(&rq, cookie);
}

/** The same with the request's own indirect table */
__attribute__((noinline)) int bench_reqind_add(struct virtqueue *vq, struct os_request *r,
                                               void *cookie)
{
    struct virtqueue_req rq;
    int rc;

    if ((rc = virtqueue_req_open(vq, &rq, 1 + r->n, &r->ind)) != 0)
        return rc;
    virtqueue_req_seg(&rq, r->hdr_pa, 512, 0);
    if (r->n)
        virtqueue_req_sgl(&rq, r->sgl, r->n, sizeof(r->sgl[0]), VIRTQUEUE_SEG_WRITE);
    return virtqueue_req_close(&rq, cookie);
}

static void on_irq(void *ctx, uint16_t vector)
{
    struct bench *b = ctx;

    (void)vector;
    b->irq = true;
    b->irqs++;
}

static void add_one(struct bench *b)
{
    struct virtqueue_sg sg[3];
    unsigned nseg = 1 + (unsigned)(b->added % 3), i, slot = (unsigned)(b->added % 1024);
    struct os_request *r = &b->req[slot];
    int rc;

    if (b->api == API_ADD) {
        for (i = 0; i < nseg; i++) {
            sg[i].addr = b->buf.pa + 512 * i;
            sg[i].len = 512;
        }
        rc = virtqueue_add(&b->vq, sg, 1, nseg - 1, &b->cookie[slot]);
    } else {
        /* The OS built the request's list; the driver only points at it */
        r->hdr_pa = b->buf.pa;
        r->n = nseg - 1;
        for (i = 0; i + 1 < nseg; i++) {
            r->sgl[i].addr = b->buf.pa + 512 * (i + 1);
            r->sgl[i].len = 512;
        }
        if (b->api == API_REQIND) {
            r->ind.va = (uint8_t *)b->tables.va + 64 * slot;
            r->ind.pa = b->tables.pa + 64 * slot;
            r->ind.capacity = 4;
        }
        rc = b->api == API_REQIND ? bench_reqind_add(&b->vq, r, &b->cookie[slot])
                                  : bench_req_add(&b->vq, r, &b->cookie[slot]);
    }
    if (rc != 0) {
        fprintf(stderr, "add failed\n");
        exit(1);
    }
    b->added++;
}

int main(int argc, char **argv)
{
    struct vmodel_config mc;
    struct vmodel_behaviour beh;
    struct virtio_queue_config qc = {.index = 0, .msix_vector = 1};
    struct bench *b = calloc(1, sizeof(*b));
    bool packed, event_idx, rate;
    unsigned qd, i;
    uint64_t n, want;

    if (argc < 7 || b == NULL) {
        fprintf(stderr, "usage: %s ipr|rate add|req|reqind split|packed 0|1 QD N [BATCH]\n",
                argv[0]);
        return 2;
    }
    rate = strcmp(argv[1], "rate") == 0;
    b->api = strcmp(argv[2], "req") == 0      ? API_REQ
             : strcmp(argv[2], "reqind") == 0 ? API_REQIND
                                              : API_ADD;
    argv++;
    argc--;
    packed = strcmp(argv[2], "packed") == 0;
    event_idx = atoi(argv[3]) != 0;
    qd = (unsigned)atoi(argv[4]);
    n = strtoull(argv[5], NULL, 0);
    if (qd == 0 || qd > 340)
        return 2;

    memset(&mc, 0, sizeof(mc));
    mc.seed = 1;
    mc.device_type = 2;
    mc.num_queues = 1;
    mc.queue_max = 1024;
    mc.features = VIRTIO_BIT(VIRTIO_F_VERSION_1) | VIRTIO_BIT(VIRTIO_F_EVENT_IDX) |
                  VIRTIO_BIT(VIRTIO_F_RING_PACKED) | VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC);
    mc.msix_vectors = 2;
    mc.msix_enabled = true;
    mc.notify_off_multiplier = 4;
    mc.device_cfg_len = 8;
    b->m = vmodel_create(&mc);
    memset(&beh, 0, sizeof(beh));
    beh.batch = argc > 6 ? (uint32_t)atoi(argv[6]) : 0;
    vmodel_set_behaviour(b->m, &beh);
    vmodel_set_irq(b->m, on_irq, b);
    host_os_init(&b->h, b->m, &b->os);
    want = (packed ? VIRTIO_BIT(VIRTIO_F_RING_PACKED) : 0) |
           (event_idx ? VIRTIO_BIT(VIRTIO_F_EVENT_IDX) : 0) |
           (b->api == API_REQIND ? VIRTIO_BIT(VIRTIO_F_INDIRECT_DESC) : 0);
    if (b->os.ops->dma_alloc(b->os.ctx, 4096, 4096, &b->buf) != 0 ||
        b->os.ops->dma_alloc(b->os.ctx, 64 * 1024, 4096, &b->tables) != 0 ||
        virtio_pci_probe(&b->dev, &b->os, VIRTIO_PCI_MODE_MODERN) != 0 ||
        virtio_negotiate(&b->dev, want, NULL) != 0 || virtio_set_config_vector(&b->dev, 0) != 0 ||
        virtio_queue_setup(&b->dev, &b->vq, &qc) != 0 || virtio_device_ready(&b->dev) != 0) {
        fprintf(stderr, "setup failed\n");
        return 1;
    }

    /* Fill to the queue depth, one kick */
    for (i = 0; i < qd && b->added < n; i++)
        add_one(b);
    if (virtqueue_kick_prepare(&b->vq))
        virtqueue_notify(&b->vq);
    virtqueue_enable_cb_delayed(&b->vq);

    while (b->completed < n) {
        unsigned done = vmodel_run(b->m);

        if (!b->irq) {
            if (done != 0 || vmodel_pending(b->m, 0) != 0)
                continue;
            b->polls++; /* nothing will interrupt: poll (counted) */
        }
        b->irq = false;
        /* Interrupt handler: drain, refill, kick once, re-arm */
        do {
            void *c;

            virtqueue_disable_cb(&b->vq);
            while ((c = virtqueue_get(&b->vq, NULL)) != NULL) {
                b->completed++;
                if (b->added < n)
                    add_one(b);
            }
            if (virtqueue_kick_prepare(&b->vq))
                virtqueue_notify(&b->vq);
        } while (!virtqueue_enable_cb_delayed(&b->vq));
        if (virtqueue_broken(&b->vq)) {
            fprintf(stderr, "queue broken: %d\n", virtqueue_broken(&b->vq));
            return 1;
        }
    }
    if (vmodel_stats(b->m)->errors) {
        fprintf(stderr, "device model errors: %s\n", vmodel_stats(b->m)->last_error);
        return 1;
    }
    if (rate) {
        double fences = -1;

#ifdef VIRTIO_BENCH_FENCES
        fences = (double)virtio_bench_fences / (double)b->completed;
#endif
        printf("%s %s event_idx=%d qd=%u batch=%u requests=%llu notify/req=%.4f irq/req=%.4f "
               "fences/req=%.4f polls=%llu\n",
               b->api == API_ADD   ? "add"
               : b->api == API_REQ ? "req"
                                   : "reqind",
               packed ? "packed" : "split", event_idx, qd, beh.batch,
               (unsigned long long)b->completed,
               (double)vmodel_stats(b->m)->notifies / (double)b->completed,
               (double)b->irqs / (double)b->completed, fences, (unsigned long long)b->polls);
    }
    return 0;
}
