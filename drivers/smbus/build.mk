# smbus: a null driver for the ICH9 SMBus controller of QEMU's q35 machine;
# an INF and its catalog, no image.  Shipped for amd64 (w11, 2k22, 2k25).
INF_ONLY += smbus
smbus_ARCHES := amd64
