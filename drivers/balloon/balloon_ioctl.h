/*
 * The user-mode interface of the balloon driver: the guest tools' service
 * finds the device through its interface (GUID below), opens it for
 * writing and hands over the memory statistics Windows gives it with
 * IOCTL_BALLOON_SET_STATS (METHOD_BUFFERED; input: 1 to
 * BALLOON_USER_STATS_MAX entries of a little-endian 16-bit tag and a
 * 64-bit value, packed, 10 bytes each, as on the stats queue; no output).
 *
 * Accepted tags (virtio spec 5.5.6.3), each at most once: SWAP_IN (0),
 * SWAP_OUT (1) in bytes, MAJFLT (2), MINFLT (3) in faults, MEMFREE (4),
 * AVAIL (6), CACHES (7) in bytes, none of them above the total memory the
 * driver measures.  MEMTOT (5) is the driver's own and is refused, as are
 * unknown tags.  A refused request (STATUS_INVALID_PARAMETER) changes
 * nothing.  The figures are sent with every statistics update until the
 * handle that set them is closed; then the driver reports MEMTOT alone.
 */
#pragma once

/* {1fe7af62-3804-43e3-9d67-36ec9f210ca7} */
#define BALLOON_INTERFACE_GUID_INIT                                                                \
    {0x1fe7af62, 0x3804, 0x43e3, {0x9d, 0x67, 0x36, 0xec, 0x9f, 0x21, 0x0c, 0xa7}}

#define IOCTL_BALLOON_SET_STATS                                                                    \
    CTL_CODE(FILE_DEVICE_UNKNOWN, 0x801, METHOD_BUFFERED, FILE_WRITE_ACCESS)

#define BALLOON_USER_STATS_MAX 7
