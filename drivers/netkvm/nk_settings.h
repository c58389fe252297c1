/*
 * nk_settings.h - what the miniport does with its advanced properties: the
 * checked nk_params turned into the feature wish, the queue pairs wanted,
 * the MTU (from *JumboPacket, within the device's MTU), the transmit and
 * receive capacities and the address to use.  OS-neutral (no Windows
 * header): the host tests build nk_settings.c as it is, under ASan and
 * UBSan (check-netkvm-units).
 *
 * Usage (driver, PASSIVE_LEVEL, MiniportInitializeEx):
 *     nk_params_load(&p, reader, ctx);          // every keyword checked
 *     nk_settings_from_params(&p, &s);          // before negotiation: s.wish
 *     mtu = nk_settings_mtu(&s, negotiated, device_mtu, &capped);
 *     tx  = nk_settings_tx_count(&s, ring_size);
 */
#ifndef NK_SETTINGS_H
#define NK_SETTINGS_H

#include <stdbool.h>
#include <stdint.h>

#include "nk_net.h"
#include "nk_params.h"

struct nk_settings {
    struct nk_feature_wish wish;   /* the feature bits the properties allow */
    struct nk_offload_cfg offload; /* the offload switches (keyword AND legacy mask) */
    uint32_t frame_max;            /* *JumboPacket: frame bytes with the 14-byte header */
    uint32_t pairs_wanted;         /* queue pairs at most (*RSS ? *NumRssQueues : 1) */
    uint32_t tx_capacity;          /* TxCapacity: send requests per queue at most */
    uint32_t rx_capacity;          /* RxCapacity: receive buffers per queue wanted */
    uint32_t min_rx_percent;       /* MinRxBufferPercent */
    uint16_t vlan_id;              /* VlanId (0: none) */
    uint8_t priority_vlan;         /* *PriorityVLANTag: bit 0 priority, bit 1 VLAN */
    int8_t log_level;              /* DoLog 0: -1 (nothing logged); else DebugLevel 0..8 */
    bool mac_set;                  /* NetworkAddress given and usable */
    uint8_t mac[NK_ETH_ALEN];
};

/* Fill s from checked parameters (every value already within its range). */
void nk_settings_from_params(const struct nk_params *p, struct nk_settings *s);

/*
 * The MTU to run: *JumboPacket less the Ethernet header; when the device
 * reports its MTU (VIRTIO_NET_F_MTU negotiated) no more than that, and
 * *capped says the property asked for more (spec 5.1.4.1: the driver MUST
 * NOT send frames above the device's MTU).
 */
uint32_t nk_settings_mtu(const struct nk_settings *s, uint64_t features, uint16_t device_mtu,
                         bool *capped);

/* Send requests a queue takes: TxCapacity, no more than the ring holds. */
uint32_t nk_settings_tx_count(const struct nk_settings *s, uint32_t ring_size);

#endif /* NK_SETTINGS_H */
