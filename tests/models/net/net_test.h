/*
 * net_test.h - the virtio-net model's test tables and shared helpers.
 */
#ifndef NET_TEST_H
#define NET_TEST_H

#include <string.h>

#include "../../virtio/vtest.h"
#include "frames.h"
#include "rig.h"

extern const struct vtest net_tx_tests[];
extern const struct vtest net_rx_tests[];
extern const struct vtest net_ctrl_tests[];

#define NF(x) (1ull << VIRTIO_NET_F_##x)

/** A default config offering BITS, with PAIRS queue pairs */
static inline struct vmodel_net_config net_cfg(uint64_t bits, uint16_t pairs)
{
    struct vmodel_net_config nc;
    vmodel_net_default_config(&nc);
    nc.features = bits;
    nc.max_virtqueue_pairs = pairs;
    return nc;
}

/** A virtio_net_hdr in HDR (20 bytes, zeroed first) */
static inline void net_hdr(uint8_t *h, uint8_t flags, uint8_t gso, uint16_t hdr_len,
                           uint16_t gso_size, uint16_t start, uint16_t off)
{
    memset(h, 0, 20);
    h[0] = flags;
    h[1] = gso;
    h[2] = (uint8_t)hdr_len;
    h[3] = (uint8_t)(hdr_len >> 8);
    h[4] = (uint8_t)gso_size;
    h[5] = (uint8_t)(gso_size >> 8);
    h[6] = (uint8_t)start;
    h[7] = (uint8_t)(start >> 8);
    h[8] = (uint8_t)off;
    h[9] = (uint8_t)(off >> 8);
}

/** Does the last rule named start with NAME? */
static inline bool net_rule_is(struct nrig *r, const char *name)
{
    const char *l = vmodel_net_stats(r->n)->last_rule;
    return strncmp(l, name, strlen(name)) == 0 && l[strlen(name)] == ':';
}

/** A test on a rig offering OFFER, the driver taking WANT, PAIRS pairs, PACKED ring:
 *  NT(name, ...) { body using struct nrig *r }; the rig is always torn down. */
#define NT(name, offer, want, pairs, packed)                                                       \
    static void name##_b(struct nrig *r);                                                          \
    static void name(void)                                                                         \
    {                                                                                              \
        struct nrig rig;                                                                           \
        struct vmodel_net_config nc = net_cfg(offer, pairs);                                       \
        int rc = nrig_init(&rig, &nc, want, packed, NULL);                                         \
        if (rc == 0)                                                                               \
            name##_b(&rig);                                                                        \
        nrig_fini(&rig);                                                                           \
        CHECK_EQ(rc, 0);                                                                           \
    }                                                                                              \
    static void name##_b(struct nrig *r)

#endif /* NET_TEST_H */
