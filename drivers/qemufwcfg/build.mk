# qemufwcfg: a null driver for QEMU's fw_cfg device (ACPI\QEMU0002) where the
# fwcfg driver is not wanted; an INF and its catalog, no image.
INF_ONLY += qemufwcfg
qemufwcfg_ARCHES := x86 amd64
