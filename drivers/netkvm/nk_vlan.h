/*
 * nk_vlan.h - 802.1Q in the driver: virtio-net has no VLAN offload, so
 * the miniport inserts the tag on send and strips it on receive itself
 * (the OS passes and expects the tag in the NBL's Ieee8021Q info, not in
 * the frame: NDIS "802.1Q tagged frames"), and drops received frames of
 * another VLAN when a VlanId is configured.  OS-neutral (no Windows
 * header): the host tests build it as is under ASan and UBSan.
 *
 * Usage:
 *   struct nk_vlan_cfg c = {settings.priority_vlan, settings.vlan_id};
 *   Send (≤ DISPATCH): int rc = nk_vlan_tx_tci(&c, os_prio, os_vid, &tci);
 *       NK_VLAN_TAG: write nk_vlan_tag_bytes(macs, tci, hdr16) in place of
 *       the frame's first 12 bytes; NK_VLAN_NONE: as is; NK_VLAN_BAD: fail.
 *   Receive (≤ DISPATCH): int v = nk_vlan_rx(&c, frame, contiguous, &tci);
 *       NK_VLAN_TAG: nk_vlan_strip(frame) and start the frame 4 bytes
 *       later, tci into the NBL; NK_VLAN_DROP: drop; else as is.
 */
#ifndef NK_VLAN_H
#define NK_VLAN_H

#include <stddef.h>
#include <stdint.h>

#define NK_VLAN_TPID       0x8100 /* IEEE 802.1Q tag protocol identifier */
#define NK_VLAN_VID_MAX    4094   /* 4095 is reserved */
#define NK_VLAN_PRIO_ON    1u     /* *PriorityVLANTag bit: 802.1p priority */
#define NK_VLAN_VID_ON     2u     /* *PriorityVLANTag bit: VLAN id */
#define NK_VLAN_TAGGED_MIN 18u    /* two addresses, the tag and a type */

struct nk_vlan_cfg {
    uint8_t priority_vlan; /* *PriorityVLANTag: NK_VLAN_PRIO_ON | NK_VLAN_VID_ON */
    uint16_t vlan_id;      /* VlanId: 0 none, else 1..4094 */
};

enum nk_vlan_verdict {
    NK_VLAN_NONE = 0, /* no tag to insert / the frame carries none */
    NK_VLAN_TAG = 1,  /* insert this tag / strip the frame's tag */
    NK_VLAN_DROP = 2, /* receive: a frame of another VLAN */
    NK_VLAN_BAD = 3,  /* send: a VLAN id the OS may not ask for (4095) */
};

/* The TCI to insert for the OS's priority and VLAN id (each only when
 * *PriorityVLANTag allows it; VLAN id 0 from the OS means VlanId). */
int nk_vlan_tx_tci(const struct nk_vlan_cfg *c, unsigned prio, unsigned vid, uint16_t *tci);

/* The 16 bytes that replace a frame's 12 address bytes: the addresses,
 * then the tag (TPID, TCI), big-endian. */
void nk_vlan_tag_bytes(const uint8_t *macs, uint16_t tci, uint8_t *out);

/* A received frame's first contiguous bytes: strip, drop or pass. */
int nk_vlan_rx(const struct nk_vlan_cfg *c, const uint8_t *frame, size_t len, uint16_t *tci);

/* Moves the 12 address bytes over the tag; the frame then starts at frame + 4. */
void nk_vlan_strip(uint8_t *frame);

#endif /* NK_VLAN_H */
