/*
 * NTSTATUS values the fake kernel and the scenarios use (ntstatus.h; values
 * from Microsoft's NTSTATUS reference), defined once for the harness.
 */
#pragma once
#include <stdint.h>

#define VW_NT_SUCCESS(s) ((int32_t)(s) >= 0)

#define VW_STATUS_SUCCESS                    0x00000000u
#define VW_STATUS_TIMEOUT                    0x00000102u
#define VW_STATUS_PENDING                    0x00000103u
#define VW_STATUS_BUFFER_OVERFLOW            0x80000005u
#define VW_STATUS_UNSUCCESSFUL               0xc0000001u
#define VW_STATUS_INVALID_HANDLE             0xc0000008u
#define VW_STATUS_INVALID_PARAMETER          0xc000000du
#define VW_STATUS_INVALID_DEVICE_REQUEST     0xc0000010u
#define VW_STATUS_MORE_PROCESSING            0xc0000016u /* STATUS_MORE_PROCESSING_REQUIRED */
#define VW_STATUS_ACCESS_DENIED              0xc0000022u
#define VW_STATUS_BUFFER_TOO_SMALL           0xc0000023u
#define VW_STATUS_OBJECT_TYPE_MISMATCH       0xc0000024u
#define VW_STATUS_OBJECT_NAME_INVALID        0xc0000033u
#define VW_STATUS_OBJECT_NAME_NOT_FOUND      0xc0000034u
#define VW_STATUS_OBJECT_NAME_COLLISION      0xc0000035u
#define VW_STATUS_DELETE_PENDING             0xc0000056u
#define VW_STATUS_UNKNOWN_REVISION           0xc0000058u
#define VW_STATUS_INVALID_ACL                0xc0000077u
#define VW_STATUS_INVALID_SID                0xc0000078u
#define VW_STATUS_INVALID_SECURITY_DESCR     0xc0000079u
#define VW_STATUS_ALLOTTED_SPACE_EXCEEDED    0xc0000099u
#define VW_STATUS_INSUFFICIENT_RESOURCES     0xc000009au
#define VW_STATUS_DEVICE_DATA_ERROR          0xc000009cu
#define VW_STATUS_DEVICE_NOT_CONNECTED       0xc000009du
#define VW_STATUS_DEVICE_NOT_READY           0xc00000a3u
#define VW_STATUS_IO_TIMEOUT                 0xc00000b5u
#define VW_STATUS_NOT_SUPPORTED              0xc00000bbu
#define VW_STATUS_INVALID_PARAMETER_1        0xc00000efu
#define VW_STATUS_INVALID_PARAMETER_3        0xc00000f1u
#define VW_STATUS_CANCELLED                  0xc0000120u
#define VW_STATUS_DEVICE_CONFIGURATION_ERROR 0xc0000182u
#define VW_STATUS_IO_DEVICE_ERROR            0xc0000185u
#define VW_STATUS_DEVICE_PROTOCOL_ERROR      0xc0000186u
#define VW_STATUS_NOT_FOUND                  0xc0000225u
