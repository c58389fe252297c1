/*
 * What the agent's VSS requester (agent/win/vss_requester.c), our VSS
 * provider (qga-vss.dll, this folder) and the agent MSI
 * (installer/msi/mkagentmsi.py reads the CLSID from here) share: the
 * provider's identity and the three named events of the freeze handshake.
 * No Windows headers: the provider's logic is also built for the host.
 *
 * Our own IDs, not QEMU's: an upstream provider left registered by an
 * older agent is a different provider and never answers for ours.
 */
#ifndef QGA_VSS_H
#define QGA_VSS_H

/* VSS_ID of the provider (IVssAdmin::RegisterProvider, AddToSnapshotSet). */
#define QGA_VSS_PROVIDER_ID_INIT                                                                   \
    {0x60bc79ef, 0x735e, 0x45d5, {0xa6, 0x50, 0x21, 0x13, 0x23, 0x54, 0xeb, 0xda}}
/* CLSID of the provider's COM class (also its AppID, for the surrogate). */
#define QGA_VSS_CLSID_INIT                                                                         \
    {0x262b189f, 0x9fe3, 0x4dfe, {0x8a, 0x76, 0x38, 0x04, 0xcf, 0x03, 0xb3, 0x08}}
#define QGA_VSS_CLSID_STR "{262B189F-9FE3-4DFE-8A76-3804CF03B308}"
/* VSS_ID of this provider version (changes only when its behaviour does). */
#define QGA_VSS_VERSION_ID_INIT                                                                    \
    {0x850dd5ed, 0x29c7, 0x422e, {0x8c, 0x2a, 0xec, 0x6a, 0x06, 0xfc, 0x84, 0xb7}}
#define QGA_VSS_PROVIDER_NAME    "QEMU Guest Agent VSS Provider (virtio-win)"
#define QGA_VSS_PROVIDER_VERSION "1.0"

/* Named events, created by the requester (which owns them) and opened by
 * the provider: "frozen" (provider to agent: writers and I/O are held),
 * "thaw" (agent to provider: let go), "timeout" (provider to agent: the
 * hold ran out before thaw came). */
#define QGA_VSS_EVENT_FROZEN  "Global\\virtio-win-qga-vss-frozen"
#define QGA_VSS_EVENT_THAW    "Global\\virtio-win-qga-vss-thaw"
#define QGA_VSS_EVENT_TIMEOUT "Global\\virtio-win-qga-vss-timeout"

/* How long writes may be held: VSS's own flush-and-hold limit (it aborts
 * the snapshot set past it), so the provider never waits longer. */
#define QGA_VSS_HOLD_MS 10000u

#endif
