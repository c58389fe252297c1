# qemupciserial: QEMU's PCI 16550 serial cards (pci-serial, -2x, -4x) through
# Windows' own drivers; an INF and its catalog, no image of ours.  Not on
# arm64 (upstream's ARM64 packages omit it).
INF_ONLY += qemupciserial
qemupciserial_ARCHES := x86 amd64
