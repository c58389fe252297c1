/*
 * IOCTL_STORAGE_QUERY_PROPERTY as disk.sys and user mode send it to the
 * disk, answered the way StorPort and the class layer build each
 * descriptor from the miniport's SCSI answers and the adapter's
 * configuration (vw_storage.h has the declarations):
 *   - StorageDeviceProperty: standard INQUIRY (type, modifier, RMB, CmdQue,
 *     vendor, product, revision as NUL-terminated strings, the raw data)
 *     and the serial of VPD 0x80 when page 0x00 lists it;
 *   - StorageAdapterProperty: PORT_CONFIGURATION_INFORMATION after
 *     HwFindAdapter (MaximumTransferLength, NumberOfPhysicalBreaks + 1
 *     pages: "the number of scatter/gather lists minus one", AlignmentMask,
 *     TaggedQueuing), SRB_EX with BTL8 addresses, the INF's BusType;
 *   - StorageDeviceIdProperty: each designation descriptor of VPD 0x83;
 *   - StorageAccessAlignmentProperty: READ CAPACITY(16) (logical block
 *     length, exponent, lowest aligned LBA turned into the byte offset of
 *     LBA 0 in its physical sector, as the descriptor's page draws it);
 *   - StorageDeviceTrimProperty: TrimEnabled is LBPU of VPD 0xB2 when page
 *     0x00 lists it, else FALSE (classpnp's ClasspDeviceTrimProperty,
 *     Windows-driver-samples storage/class/classpnp);
 *   - StorageDeviceSeekPenaltyProperty: VPD 0xB1's rotation rate, 1 no
 *     penalty, 0x401..0xFFFE a penalty, anything else STATUS_UNSUCCESSFUL
 *     (classpnp's IncursSeekPenalty).
 * Query types as classpnp answers them: PropertyExistsQuery succeeds with
 * no data when the property is answered, any other type but the standard
 * query is STATUS_NOT_SUPPORTED; a buffer smaller than the header is
 * STATUS_BUFFER_TOO_SMALL, one smaller than the descriptor gets what fits
 * (the header at least: Size says how much to ask for).
 */
#include <string.h>
#include "internal.h"
#include "vw_ntstatus.h"
#include "vw_storage.h"

#define INQ_LEN  36  /* INQUIRYDATABUFFERSIZE */
#define VPD_LEN  252 /* one allocation length byte */
#define DESC_MAX 1024

/* INQUIRY (EVPD for PAGE >= 0) into BUF; 1 answered, 0 refused, -1 the
 * run failed.  *GOT the bytes transferred. */
static int inquiry(struct vm *vm, int page, uint8_t *buf, uint32_t len, uint32_t *got)
{
    uint8_t cdb[6] = {0x12, page >= 0 ? 1 : 0, (uint8_t)(page >= 0 ? page : 0), 0, (uint8_t)len, 0};
    struct vw_stor_result res;
    memset(buf, 0, len);
    if (!vw_stor_scsi(vm, cdb, 6, buf, len, true, &res) || vm->failed)
        return -1;
    *got = res.transferred;
    if ((res.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS || res.scsi_status != 0)
        return 0;
    return page < 0 || (*got >= 4 && buf[1] == (uint8_t)page) ? 1 : 0;
}

/* Does VPD page 0x00 list PAGE?  -1 when the run failed. */
static int vpd_listed(struct vm *vm, uint8_t page)
{
    uint8_t d[VPD_LEN];
    uint32_t got;
    int r = inquiry(vm, 0x00, d, sizeof(d), &got);
    if (r <= 0)
        return r;
    for (uint32_t i = 4; i < 4u + d[3] && i < got; i++)
        if (d[i] == page)
            return 1;
    return 0;
}

/* Append S (N bytes, NUL added) to the descriptor; its offset. */
static uint32_t put_string(uint8_t *desc, uint32_t *size, const void *s, uint32_t n)
{
    uint32_t at = *size;
    memcpy(desc + at, s, n);
    desc[at + n] = 0;
    *size += n + 1;
    return at;
}

/* STORAGE_DEVICE_DESCRIPTOR: standard INQUIRY and VPD 0x80's serial. */
static uint32_t device_descriptor(struct vm *vm, struct stor_adapter *a, uint8_t *desc,
                                  uint32_t *size)
{
    uint8_t inq[INQ_LEN], vpd[VPD_LEN];
    uint32_t got, serial_len = 0;
    int r = inquiry(vm, -1, inq, sizeof(inq), &got);
    if (r <= 0)
        return r < 0 ? VW_STATUS_UNSUCCESSFUL : VW_STATUS_IO_DEVICE_ERROR;
    int listed = vpd_listed(vm, 0x80);
    if (listed < 0)
        return VW_STATUS_UNSUCCESSFUL;
    if (listed && (r = inquiry(vm, 0x80, vpd, sizeof(vpd), &got)) < 0)
        return VW_STATUS_UNSUCCESSFUL;
    if (listed && r > 0)
        serial_len = vpd[3] < got - 4 ? vpd[3] : got - 4;
    struct vw_storage_device_descriptor d = {0};
    d.DeviceType = inq[0] & 0x1f;
    d.DeviceTypeModifier = inq[1] & 0x7f;
    d.RemovableMedia = (inq[1] & 0x80) != 0;
    d.CommandQueueing = (inq[7] & 0x02) != 0;
    d.BusType = a->bus_type;
    d.RawPropertiesLength = INQ_LEN;
    *size = offsetof(struct vw_storage_device_descriptor, RawDeviceProperties);
    memcpy(desc + *size, inq, INQ_LEN);
    *size += INQ_LEN;
    d.VendorIdOffset = put_string(desc, size, inq + 8, 8);
    d.ProductIdOffset = put_string(desc, size, inq + 16, 16);
    d.ProductRevisionOffset = put_string(desc, size, inq + 32, 4);
    if (serial_len != 0)
        d.SerialNumberOffset = put_string(desc, size, vpd + 4, serial_len);
    d.Version = sizeof(d);
    d.Size = *size;
    memcpy(desc, &d, offsetof(struct vw_storage_device_descriptor, RawDeviceProperties));
    return VW_STATUS_SUCCESS;
}

/* STORAGE_ADAPTER_DESCRIPTOR from the configuration FindAdapter left. */
static uint32_t adapter_descriptor(struct stor_adapter *a, uint8_t *desc, uint32_t *size)
{
    struct vw_storage_adapter_descriptor d = {0};
    d.Version = d.Size = sizeof(d);
    d.MaximumTransferLength = a->max_transfer;
    d.MaximumPhysicalPages = a->breaks + 1;
    d.AlignmentMask = a->alignment_mask;
    d.CommandQueueing = a->tagged_queuing;
    d.AcceleratedTransfer = 1;
    d.BusType = (uint8_t)a->bus_type;
    d.SrbType = VW_SRB_TYPE_STORAGE_REQUEST_BLOCK;
    d.AddressType = VW_STORAGE_ADDRESS_TYPE_BTL8;
    memcpy(desc, &d, sizeof(d));
    *size = sizeof(d);
    return VW_STATUS_SUCCESS;
}

/* Each designation descriptor of VPD 0x83 as a STORAGE_IDENTIFIER. */
static uint32_t device_id_descriptor(struct vm *vm, uint8_t *desc, uint32_t *size)
{
    uint8_t vpd[VPD_LEN];
    uint32_t got;
    int listed = vpd_listed(vm, 0x83), r = 0;
    if (listed < 0 || (listed && (r = inquiry(vm, 0x83, vpd, sizeof(vpd), &got)) < 0))
        return VW_STATUS_UNSUCCESSFUL;
    if (!listed || r == 0)
        return VW_STATUS_NOT_SUPPORTED;
    uint32_t end = 4u + (uint32_t)(vpd[2] << 8 | vpd[3]);
    end = end < got ? end : got;
    struct vw_storage_device_id_descriptor d = {0};
    *size = offsetof(struct vw_storage_device_id_descriptor, Identifiers);
    for (uint32_t at = 4; at + 4 <= end && at + 4u + vpd[at + 3] <= end; at += 4u + vpd[at + 3]) {
        const uint8_t *s = vpd + at;
        uint32_t n = s[3], entry = offsetof(struct vw_storage_identifier, Identifier) + n;
        entry = (entry + 3) & ~3u;
        if (*size + entry > DESC_MAX)
            break;
        struct vw_storage_identifier id = {.CodeSet = s[0] & 0x0f,
                                           .Type = s[1] & 0x0f,
                                           .IdentifierSize = (uint16_t)n,
                                           .NextOffset = (uint16_t)entry,
                                           .Association = (s[1] >> 4) & 0x03};
        memset(desc + *size, 0, entry);
        memcpy(desc + *size, &id, offsetof(struct vw_storage_identifier, Identifier));
        memcpy(desc + *size + offsetof(struct vw_storage_identifier, Identifier), s + 4, n);
        *size += entry;
        d.NumberOfIdentifiers++;
    }
    d.Version = sizeof(d);
    d.Size = *size;
    memcpy(desc, &d, offsetof(struct vw_storage_device_id_descriptor, Identifiers));
    return VW_STATUS_SUCCESS;
}

/* READ CAPACITY(16): logical bytes, logical blocks per physical block and
 * the lowest aligned LBA; falls back to READ CAPACITY(10) (no exponent). */
static uint32_t alignment_descriptor(struct vm *vm, uint8_t *desc, uint32_t *size)
{
    uint8_t rc[32] = {0}, c16[16] = {0x9e, 0x10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, sizeof(rc)};
    struct vw_stor_result res;
    if (!vw_stor_scsi(vm, c16, 16, rc, sizeof(rc), true, &res) || vm->failed)
        return VW_STATUS_UNSUCCESSFUL;
    uint32_t logical, per = 1, lowest = 0;
    if ((res.srb_status & SRB_STATUS_MASK) == SRB_STATUS_SUCCESS && res.transferred >= 16) {
        logical = (uint32_t)rc[8] << 24 | rc[9] << 16 | rc[10] << 8 | rc[11];
        per = 1u << (rc[13] & 0x0f);
        lowest = (uint32_t)(rc[14] & 0x3f) << 8 | rc[15];
    } else {
        uint8_t c10[10] = {0x25};
        if (!vw_stor_scsi(vm, c10, 10, rc, 8, true, &res) || vm->failed)
            return VW_STATUS_UNSUCCESSFUL;
        if ((res.srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
            return VW_STATUS_IO_DEVICE_ERROR;
        logical = (uint32_t)rc[4] << 24 | rc[5] << 16 | rc[6] << 8 | rc[7];
    }
    if (lowest > per) /* classpnp: garbage */
        return VW_STATUS_UNSUCCESSFUL;
    struct vw_storage_access_alignment_descriptor d = {0};
    d.Version = d.Size = sizeof(d);
    d.BytesPerLogicalSector = logical;
    d.BytesPerPhysicalSector = logical * per;
    /* LBA 0 sits (PER - LOWEST) % PER logical blocks into its physical one */
    d.BytesOffsetForSectorAlignment = logical * ((per - lowest) % per);
    if (stor_state(vm)->plant_class & VW_STOR_PLANT_ALIGN) /* planted: lowest aligned LBA ignored */
        d.BytesOffsetForSectorAlignment = 0;
    memcpy(desc, &d, sizeof(d));
    *size = sizeof(d);
    return VW_STATUS_SUCCESS;
}

/* DEVICE_TRIM_DESCRIPTOR: LBPU of VPD 0xB2 when page 0x00 lists it. */
static uint32_t trim_descriptor(struct vm *vm, uint8_t *desc, uint32_t *size)
{
    uint8_t vpd[VPD_LEN];
    uint32_t got;
    int listed = vpd_listed(vm, 0xb2), r = 0;
    if (listed < 0 || (listed && (r = inquiry(vm, 0xb2, vpd, sizeof(vpd), &got)) < 0))
        return VW_STATUS_UNSUCCESSFUL;
    struct vw_device_trim_descriptor d = {0};
    d.Version = d.Size = sizeof(d);
    d.TrimEnabled = listed && r > 0 && got > 5 && (vpd[5] & 0x80) != 0; /* LBPU */
    if (stor_state(vm)->plant_class & VW_STOR_PLANT_TRIM) /* planted: the answer inverted */
        d.TrimEnabled = !d.TrimEnabled;
    memcpy(desc, &d, sizeof(d));
    *size = sizeof(d);
    return VW_STATUS_SUCCESS;
}

/* DEVICE_SEEK_PENALTY_DESCRIPTOR from VPD 0xB1's rotation rate. */
static uint32_t seek_penalty_descriptor(struct vm *vm, uint8_t *desc, uint32_t *size)
{
    uint8_t vpd[VPD_LEN];
    uint32_t got;
    int listed = vpd_listed(vm, 0xb1), r = 0;
    if (listed < 0 || (listed && (r = inquiry(vm, 0xb1, vpd, sizeof(vpd), &got)) < 0))
        return VW_STATUS_UNSUCCESSFUL;
    unsigned rate = listed && r > 0 && got > 5 ? (unsigned)(vpd[4] << 8 | vpd[5]) : 0;
    if (rate != 1 && (rate < 0x401 || rate > 0xfffe))
        return VW_STATUS_UNSUCCESSFUL;
    struct vw_device_seek_penalty_descriptor d = {0};
    d.Version = d.Size = sizeof(d);
    d.IncursSeekPenalty = rate != 1;
    memcpy(desc, &d, sizeof(d));
    *size = sizeof(d);
    return VW_STATUS_SUCCESS;
}

/* IOCTL_STORAGE_QUERY_PROPERTY at PASSIVE_LEVEL from the class layer. */
uint32_t vw_stor_query_property(struct vm *vm, unsigned property, unsigned query_type, void *out,
                                uint32_t cap, uint32_t *returned)
{
    struct stor_state *s = stor_state(vm);
    struct stor_adapter *a = &s->normal;
    static uint8_t desc[DESC_MAX];
    uint32_t size = 0, st;
    *returned = 0;
    if (!a->started) {
        vw_fail(vm, "storport: property query before the adapter started");
        return VW_STATUS_UNSUCCESSFUL;
    }
    if (query_type != VW_PropertyStandardQuery && query_type != VW_PropertyExistsQuery)
        return VW_STATUS_NOT_SUPPORTED;
    memset(desc, 0, sizeof(desc));
    switch (property) {
    case VW_StorageDeviceProperty:
        st = device_descriptor(vm, a, desc, &size);
        break;
    case VW_StorageAdapterProperty:
        st = adapter_descriptor(a, desc, &size);
        break;
    case VW_StorageDeviceIdProperty:
        st = device_id_descriptor(vm, desc, &size);
        break;
    case VW_StorageAccessAlignmentProperty:
        st = alignment_descriptor(vm, desc, &size);
        break;
    case VW_StorageDeviceTrimProperty:
        /* classpnp answers the exists query without asking the device */
        if (query_type == VW_PropertyExistsQuery)
            return VW_STATUS_SUCCESS;
        st = trim_descriptor(vm, desc, &size);
        break;
    case VW_StorageDeviceSeekPenaltyProperty:
        if (query_type == VW_PropertyExistsQuery)
            return VW_STATUS_SUCCESS;
        st = seek_penalty_descriptor(vm, desc, &size);
        break;
    default:
        return VW_STATUS_NOT_SUPPORTED;
    }
    if (st != VW_STATUS_SUCCESS || query_type == VW_PropertyExistsQuery)
        return st;
    if (cap < sizeof(struct vw_storage_descriptor_header))
        return VW_STATUS_BUFFER_TOO_SMALL;
    *returned = cap < size ? cap : size;
    memcpy(out, desc, *returned);
    return VW_STATUS_SUCCESS;
}
