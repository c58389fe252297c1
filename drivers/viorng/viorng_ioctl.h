/*
 * The user-mode interface of viorng, shared with viorngum.dll and tests.
 *
 * The device is found through its device interface (GUID below).  Random
 * bytes are read either with ReadFile or with IOCTL_VIORNG_READ
 * (METHOD_BUFFERED, no input, output = the bytes).  A read returns at most
 * VIORNG_MAX_READ bytes and may return fewer: callers loop.
 */
#pragma once

/* {6393b2fb-56cf-48ec-96a2-b74723750f20} */
#define VIORNG_INTERFACE_GUID_INIT                                                                 \
    {0x6393b2fb, 0x56cf, 0x48ec, {0x96, 0xa2, 0xb7, 0x47, 0x23, 0x75, 0x0f, 0x20}}

#define VIORNG_MAX_READ 4096

#define IOCTL_VIORNG_READ CTL_CODE(FILE_DEVICE_UNKNOWN, 0x800, METHOD_BUFFERED, FILE_READ_ACCESS)
