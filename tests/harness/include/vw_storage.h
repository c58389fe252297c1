/*
 * IOCTL_STORAGE_QUERY_PROPERTY (ntddstor.h; values and declarations from
 * Microsoft's DDI pages): the property IDs and query types, the bus types,
 * the identifier enumerations and the descriptors the class layer returns
 * (port/storport/property.c).  Fixed-width members in the documented order;
 * each size and offset pinned below against the documented declaration
 * (every member is a ULONG, an enum, a USHORT or a byte, so x86, amd64 and
 * arm64 agree and the host's layout is Windows' layout).
 */
#pragma once
#include <stddef.h>
#include <stdint.h>

/* CTL_CODE(IOCTL_STORAGE_BASE 0x2d, 0x500, METHOD_BUFFERED, FILE_ANY_ACCESS) */
#define VW_IOCTL_STORAGE_QUERY_PROPERTY 0x002d1400u

/* STORAGE_PROPERTY_ID (ne-ntddstor-_storage_property_id) */
#define VW_StorageDeviceProperty            0
#define VW_StorageAdapterProperty           1
#define VW_StorageDeviceIdProperty          2
#define VW_StorageDeviceUniqueIdProperty    3
#define VW_StorageDeviceWriteCacheProperty  4
#define VW_StorageMiniportProperty          5
#define VW_StorageAccessAlignmentProperty   6
#define VW_StorageDeviceSeekPenaltyProperty 7
#define VW_StorageDeviceTrimProperty        8

/* STORAGE_QUERY_TYPE (ne-ntddstor-_storage_query_type) */
#define VW_PropertyStandardQuery 0
#define VW_PropertyExistsQuery   1
#define VW_PropertyMaskQuery     2

/* STORAGE_BUS_TYPE (ne-ntddstor-_storage_bus_type), the ones named here */
#define VW_BusTypeUnknown 0x00
#define VW_BusTypeScsi    0x01
#define VW_BusTypeSas     0x0a
#define VW_BusTypeVirtual 0x0e

/* SrbType and AddressType of STORAGE_ADAPTER_DESCRIPTOR (ntddstor.h) */
#define VW_SRB_TYPE_SCSI_REQUEST_BLOCK    0
#define VW_SRB_TYPE_STORAGE_REQUEST_BLOCK 1
#define VW_STORAGE_ADDRESS_TYPE_BTL8      0

/* STORAGE_DESCRIPTOR_HEADER (ns-ntddstor-_storage_descriptor_header) */
struct vw_storage_descriptor_header {
    uint32_t Version, Size;
};

/* STORAGE_DEVICE_DESCRIPTOR (ns-ntddstor-_storage_device_descriptor) */
struct vw_storage_device_descriptor {
    uint32_t Version, Size;
    uint8_t DeviceType, DeviceTypeModifier, RemovableMedia, CommandQueueing;
    uint32_t VendorIdOffset, ProductIdOffset, ProductRevisionOffset, SerialNumberOffset;
    uint32_t BusType; /* STORAGE_BUS_TYPE */
    uint32_t RawPropertiesLength;
    uint8_t RawDeviceProperties[1];
};

/* STORAGE_ADAPTER_DESCRIPTOR (ns-ntddstor-_storage_adapter_descriptor) */
struct vw_storage_adapter_descriptor {
    uint32_t Version, Size;
    uint32_t MaximumTransferLength, MaximumPhysicalPages, AlignmentMask;
    uint8_t AdapterUsesPio, AdapterScansDown, CommandQueueing, AcceleratedTransfer;
    uint8_t BusType;
    uint16_t BusMajorVersion, BusMinorVersion;
    uint8_t SrbType, AddressType;
};

/* STORAGE_ACCESS_ALIGNMENT_DESCRIPTOR
 * (ns-ntddstor-_storage_access_alignment_descriptor) */
struct vw_storage_access_alignment_descriptor {
    uint32_t Version, Size;
    uint32_t BytesPerCacheLine, BytesOffsetForCacheAlignment;
    uint32_t BytesPerLogicalSector, BytesPerPhysicalSector, BytesOffsetForSectorAlignment;
};

/* DEVICE_TRIM_DESCRIPTOR (ns-ntddstor-_device_trim_descriptor) */
struct vw_device_trim_descriptor {
    uint32_t Version, Size;
    uint8_t TrimEnabled;
};

/* DEVICE_SEEK_PENALTY_DESCRIPTOR (ns-ntddstor-_device_seek_penalty_descriptor) */
struct vw_device_seek_penalty_descriptor {
    uint32_t Version, Size;
    uint8_t IncursSeekPenalty;
};

/* STORAGE_DEVICE_ID_DESCRIPTOR (ns-ntddstor-_storage_device_id_descriptor):
 * NumberOfIdentifiers STORAGE_IDENTIFIERs from Identifiers on, each
 * NextOffset bytes after the one before. */
struct vw_storage_device_id_descriptor {
    uint32_t Version, Size;
    uint32_t NumberOfIdentifiers;
    uint8_t Identifiers[1];
};

/* STORAGE_IDENTIFIER (ns-ntddstor-_storage_identifier); its CodeSet, Type
 * and Association enumerations number the code sets, designator types and
 * associations as SPC's device identification page does (1 binary, 2
 * ASCII, 3 UTF-8; type 0 vendor specific, 1 T10 vendor ID, 2 EUI-64, 3
 * NAA, ...; association 0 device, 1 port, 2 target). */
struct vw_storage_identifier {
    uint32_t CodeSet, Type;
    uint16_t IdentifierSize, NextOffset;
    uint32_t Association;
    uint8_t Identifier[1];
};

#define VW_STORAGE_PIN(T, size)  _Static_assert(sizeof(struct T) == (size), #T " size")
#define VW_STORAGE_AT(T, m, off) _Static_assert(offsetof(struct T, m) == (off), #T "." #m)
VW_STORAGE_PIN(vw_storage_descriptor_header, 8);
VW_STORAGE_PIN(vw_storage_device_descriptor, 40);
VW_STORAGE_AT(vw_storage_device_descriptor, VendorIdOffset, 12);
VW_STORAGE_AT(vw_storage_device_descriptor, BusType, 28);
VW_STORAGE_AT(vw_storage_device_descriptor, RawDeviceProperties, 36);
VW_STORAGE_PIN(vw_storage_adapter_descriptor, 32);
VW_STORAGE_AT(vw_storage_adapter_descriptor, BusType, 24);
VW_STORAGE_AT(vw_storage_adapter_descriptor, BusMajorVersion, 26);
VW_STORAGE_AT(vw_storage_adapter_descriptor, SrbType, 30);
VW_STORAGE_PIN(vw_storage_access_alignment_descriptor, 28);
VW_STORAGE_PIN(vw_device_trim_descriptor, 12);
VW_STORAGE_PIN(vw_device_seek_penalty_descriptor, 12);
VW_STORAGE_PIN(vw_storage_device_id_descriptor, 16);
VW_STORAGE_AT(vw_storage_device_id_descriptor, Identifiers, 12);
VW_STORAGE_PIN(vw_storage_identifier, 20);
VW_STORAGE_AT(vw_storage_identifier, NextOffset, 10);
VW_STORAGE_AT(vw_storage_identifier, Association, 12);
VW_STORAGE_AT(vw_storage_identifier, Identifier, 16);
