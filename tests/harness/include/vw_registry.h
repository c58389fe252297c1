/*
 * Registry constants (wdm.h; values from Microsoft's documented
 * declarations): value types, the information class ZwQueryValueKey
 * answers, the key IoOpenDeviceRegistryKey opens.  Defined once for the
 * harness.
 */
#pragma once

#define VW_REG_SZ    1u
#define VW_REG_DWORD 4u

#define VW_KEY_VALUE_PARTIAL_INFORMATION_CLASS 2 /* KeyValuePartialInformation */
#define VW_PLUGPLAY_REGKEY_DEVICE              1
