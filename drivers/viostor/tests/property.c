/*
 * viostor seen the way Windows asks about a disk: IOCTL_STORAGE_QUERY_PROPERTY
 * (device, adapter, device ID, access alignment, trim, seek penalty; the
 * standard and the exists query), answered by the StorPort emulation from
 * viostor's SCSI answers as StorPort and classpnp build the descriptors
 * (port/storport/property.c).  Issue 14's "TRIM not reaching the disk on
 * Windows 11" starts here: Windows sends no TRIM to a disk whose
 * DEVICE_TRIM_DESCRIPTOR says TrimEnabled FALSE.
 */
#include "viostor_test.h"
#include "vw_ntstatus.h"
#include "vw_storage.h"

/* The standard query of PROPERTY into BUF (CAP bytes): must succeed. */
static bool query(struct vm *vm, unsigned property, void *buf, uint32_t cap, uint32_t *got)
{
    memset(buf, 0xee, cap);
    uint32_t st = vw_stor_query_property(vm, property, VW_PropertyStandardQuery, buf, cap, got);
    VW_EXPECT(vm, st == VW_STATUS_SUCCESS && *got >= 8,
              "property %u: status 0x%08x, %u bytes returned", property, st, *got);
    return !vm->failed;
}

/* The exists query of PROPERTY answers STATUS_SUCCESS with no data. */
static void exists(struct vm *vm, unsigned property)
{
    uint8_t buf[16];
    uint32_t got = 0;
    uint32_t st =
        vw_stor_query_property(vm, property, VW_PropertyExistsQuery, buf, sizeof(buf), &got);
    VW_EXPECT(vm, st == VW_STATUS_SUCCESS && got == 0,
              "exists query of property %u: status 0x%08x, %u bytes", property, st, got);
}

/* What the trim and alignment descriptors say about the disk. */
static bool trim_enabled(struct vm *vm, bool *on)
{
    struct vw_device_trim_descriptor t;
    uint32_t got;
    if (!query(vm, VW_StorageDeviceTrimProperty, &t, sizeof(t), &got))
        return false;
    VW_EXPECT(vm, t.Version == sizeof(t) && t.Size == sizeof(t) && got == sizeof(t),
              "trim descriptor: version %u, size %u, %u bytes", t.Version, t.Size, got);
    *on = t.TrimEnabled != 0;
    return !vm->failed;
}

/* The alignment descriptor says LOGICAL, PHYSICAL and OFFSET bytes. */
static void check_alignment(struct vm *vm, uint32_t logical, uint32_t physical, uint32_t offset)
{
    struct vw_storage_access_alignment_descriptor al;
    uint32_t got;
    if (!query(vm, VW_StorageAccessAlignmentProperty, &al, sizeof(al), &got))
        return;
    VW_EXPECT(vm,
              al.BytesPerLogicalSector == logical && al.BytesPerPhysicalSector == physical &&
                  al.BytesOffsetForSectorAlignment == offset,
              "access alignment: %u logical, %u physical, offset %u (want %u, %u, %u)",
              al.BytesPerLogicalSector, al.BytesPerPhysicalSector, al.BytesOffsetForSectorAlignment,
              logical, physical, offset);
}

/* The device descriptor: a disk, the INF's bus type, the serial of GET_ID. */
static void check_device(struct vm *vm)
{
    uint8_t buf[512];
    uint32_t got;
    if (!query(vm, VW_StorageDeviceProperty, buf, sizeof(buf), &got))
        return;
    struct vw_storage_device_descriptor d;
    memcpy(&d, buf, sizeof(d));
    VW_EXPECT(vm, d.Version == sizeof(d) && d.Size == got && got < sizeof(buf),
              "device descriptor: version %u, size %u, %u returned", d.Version, d.Size, got);
    VW_EXPECT(vm, d.DeviceType == 0 && !d.RemovableMedia && d.BusType == VW_BusTypeScsi,
              "device descriptor: type %u, removable %u, bus type %u", d.DeviceType,
              d.RemovableMedia, d.BusType);
    VW_EXPECT(vm,
              d.SerialNumberOffset != 0 && d.SerialNumberOffset < got &&
                  strcmp((const char *)buf + d.SerialNumberOffset, "vmodel-blk") == 0,
              "device descriptor: serial at %u is not the model's 'vmodel-blk'",
              d.SerialNumberOffset);
    VW_EXPECT(vm, d.VendorIdOffset != 0 && d.VendorIdOffset < got && d.RawPropertiesLength == 36,
              "device descriptor: vendor at %u, %u raw bytes", d.VendorIdOffset,
              d.RawPropertiesLength);
    vw_log(vm, "device descriptor: vendor '%s', product '%s', revision '%s', serial '%s'",
           (const char *)buf + d.VendorIdOffset, (const char *)buf + d.ProductIdOffset,
           (const char *)buf + d.ProductRevisionOffset, (const char *)buf + d.SerialNumberOffset);
    /* A buffer of the header alone gets the header: Size says how much. */
    struct vw_storage_descriptor_header h;
    if (query(vm, VW_StorageDeviceProperty, &h, sizeof(h), &got))
        VW_EXPECT(vm, got == sizeof(h) && h.Size == d.Size,
                  "header-only query: %u bytes, size %u (full %u)", got, h.Size, d.Size);
}

/* The adapter descriptor: what viostor's HwFindAdapter configured. */
static void check_adapter(struct vm *vm)
{
    struct vw_storage_adapter_descriptor ad;
    struct vw_stor_stats s;
    uint32_t got;
    if (!query(vm, VW_StorageAdapterProperty, &ad, sizeof(ad), &got))
        return;
    vw_stor_stats(vm, &s);
    VW_EXPECT(vm,
              got == sizeof(ad) && ad.MaximumTransferLength == s.max_transfer &&
                  ad.MaximumPhysicalPages == s.breaks + 1 &&
                  ad.SrbType == VW_SRB_TYPE_STORAGE_REQUEST_BLOCK &&
                  ad.AddressType == VW_STORAGE_ADDRESS_TYPE_BTL8 && ad.BusType == VW_BusTypeScsi,
              "adapter descriptor: max transfer %u (config %u), %u pages (breaks %u), SRB type "
              "%u, address type %u, bus type %u",
              ad.MaximumTransferLength, s.max_transfer, ad.MaximumPhysicalPages, s.breaks,
              ad.SrbType, ad.AddressType, ad.BusType);
    vw_log(vm,
           "adapter descriptor: %u bytes per transfer, %u pages, alignment mask 0x%x, tagged %u",
           ad.MaximumTransferLength, ad.MaximumPhysicalPages, ad.AlignmentMask, ad.CommandQueueing);
}

/* The device ID descriptor: VPD 0x83's T10 vendor ID designator carries
 * the serial (disk.c checks the page itself). */
static void check_device_id(struct vm *vm)
{
    uint8_t buf[512];
    uint32_t got;
    if (!query(vm, VW_StorageDeviceIdProperty, buf, sizeof(buf), &got))
        return;
    struct vw_storage_device_id_descriptor d;
    memcpy(&d, buf, sizeof(d));
    bool found = false;
    uint32_t at = offsetof(struct vw_storage_device_id_descriptor, Identifiers);
    for (uint32_t i = 0; i < d.NumberOfIdentifiers && at + 16 <= got; i++) {
        struct vw_storage_identifier id;
        memcpy(&id, buf + at, sizeof(id));
        const uint8_t *v = buf + at + offsetof(struct vw_storage_identifier, Identifier);
        vw_log(vm, "identifier %u: code set %u, type %u, association %u, %u bytes", i, id.CodeSet,
               id.Type, id.Association, id.IdentifierSize);
        found |= id.Type == 1 && id.IdentifierSize >= 18 && at + 16 + id.IdentifierSize <= got &&
                 memcmp(v + 8, "vmodel-blk", 10) == 0;
        if (id.NextOffset == 0)
            break;
        at += id.NextOffset;
    }
    VW_EXPECT(vm, d.Version == sizeof(d) && d.Size == got && d.NumberOfIdentifiers >= 1 && found,
              "device ID descriptor: %u identifiers in %u bytes, none a T10 vendor ID with the "
              "serial",
              d.NumberOfIdentifiers, d.Size);
}

/* Everything Windows asks a disk with discard, of 512-byte sectors. */
VW_SCENARIO("viostor", property_queries, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {0};
    if (!vs_start(vm, &d, &o))
        goto out;
    static const unsigned props[] = {
        VW_StorageDeviceProperty,     VW_StorageAdapterProperty,
        VW_StorageDeviceIdProperty,   VW_StorageAccessAlignmentProperty,
        VW_StorageDeviceTrimProperty, VW_StorageDeviceSeekPenaltyProperty};
    for (unsigned i = 0; i < sizeof(props) / sizeof(props[0]); i++)
        exists(vm, props[i]);
    check_device(vm);
    check_adapter(vm);
    check_device_id(vm);
    check_alignment(vm, 512, 512, 0);
    bool trim = false;
    if (trim_enabled(vm, &trim))
        VW_EXPECT(vm, trim, "a disk offering DISCARD: TrimEnabled FALSE (Windows sends no TRIM)");
    struct vw_device_seek_penalty_descriptor sp;
    uint32_t got;
    if (query(vm, VW_StorageDeviceSeekPenaltyProperty, &sp, sizeof(sp), &got))
        VW_EXPECT(vm, !sp.IncursSeekPenalty,
                  "a virtual disk (rotation rate 1) with a seek penalty");
    uint8_t buf[16];
    uint32_t st = vw_stor_query_property(vm, VW_StorageDeviceTrimProperty, VW_PropertyMaskQuery,
                                         buf, sizeof(buf), &got);
    VW_EXPECT(vm, st == VW_STATUS_NOT_SUPPORTED, "mask query: status 0x%08x", st);
out:
    vs_finish(vm, &d);
}

/* Without VIRTIO_BLK_F_DISCARD the disk must not claim TRIM. */
VW_SCENARIO("viostor", property_no_discard_trim_off, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT & ~VS_F_DISCARD};
    bool trim = true;
    if (vs_start(vm, &d, &o) && trim_enabled(vm, &trim))
        VW_EXPECT(vm, !trim, "a disk without DISCARD: TrimEnabled TRUE");
    vs_finish(vm, &d);
}

/* Planted twin: the class layer inverting TrimEnabled is caught. */
VW_SCENARIO("viostor", checker_property_trim_inverted, "a disk without DISCARD: TrimEnabled TRUE")
{
    struct vs_disk d;
    struct vs_opts o = {.features = VS_F_DEFAULT & ~VS_F_DISCARD};
    bool trim = true;
    vw_stor_plant_class_bug(vm, VW_STOR_PLANT_TRIM);
    if (vs_start(vm, &d, &o) && trim_enabled(vm, &trim))
        VW_EXPECT(vm, !trim, "a disk without DISCARD: TrimEnabled TRUE");
    vs_finish(vm, &d);
}

/* 512-byte logical sectors, 4 KiB physical (exponent 3): aligned, and with
 * the first aligned LBA at 3 (LBA 0 five sectors into its physical one). */
VW_SCENARIO("viostor", property_4k_physical, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.phys_exp = 3};
    if (vs_start(vm, &d, &o))
        check_alignment(vm, 512, 4096, 0);
    vs_finish(vm, &d);
}

VW_SCENARIO("viostor", property_4k_physical_unaligned, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.phys_exp = 3, .align_off = 3};
    if (vs_start(vm, &d, &o))
        check_alignment(vm, 512, 4096, 5 * 512);
    vs_finish(vm, &d);
}

/* Planted twin: an alignment offset that ignores the lowest aligned LBA. */
VW_SCENARIO("viostor", checker_property_alignment_offset,
            "access alignment: 512 logical, 4096 physical, offset 0")
{
    struct vs_disk d;
    struct vs_opts o = {.phys_exp = 3, .align_off = 3};
    vw_stor_plant_class_bug(vm, VW_STOR_PLANT_ALIGN);
    if (vs_start(vm, &d, &o))
        check_alignment(vm, 512, 4096, 5 * 512);
    vs_finish(vm, &d);
}

/* 4 KiB logical sectors (VIRTIO_BLK_F_BLK_SIZE 4096). */
VW_SCENARIO("viostor", property_4k_logical, NULL)
{
    struct vs_disk d;
    struct vs_opts o = {.blk_size = 4096, .max_discard = 2048, .max_wz = 4096};
    if (vs_start(vm, &d, &o))
        check_alignment(vm, 4096, 4096, 0);
    vs_finish(vm, &d);
}
