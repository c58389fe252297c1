/*
 * The SRBs Windows sends a StorPort miniport besides commands:
 * SRB_FUNCTION_PNP with an SRBEX_DATA_PNP block, SRB_FUNCTION_POWER with
 * an SRBEX_DATA_POWER block, SRB_FUNCTION_IO_CONTROL with an
 * SRB_IO_CONTROL header at DataBuffer (what IOCTL_SCSI_MINIPORT turns
 * into).  Every member of those three structures is 4 bytes or bytes
 * inside a 4-byte slot, so their offsets are the same on every arch.
 * Pages: srb/ns-srb-_srbex_data_pnp, srb/ns-srb-_srbex_data_power,
 * storport/ns-storport-_srb_io_control.
 */
#include <string.h>
#include "internal.h"

#define SRB_FUNCTION_IO_CONTROL 0x02
#define SRB_FUNCTION_POWER      0x24
#define SRB_FUNCTION_PNP        0x25
#define SRBEX_TYPE_POWER        0x61 /* SrbExDataTypePower */
#define SRBEX_TYPE_PNP          0x62 /* SrbExDataTypePnp */
#define SRBEX_PNP_SIZE          24   /* Type, Length, SubFunction+3, Action, Flags, Reserved1 */
#define SRBEX_POWER_SIZE        20   /* Type, Length, Flags+3, DevicePowerState, PowerAction */
#define SRB_IO_CONTROL_SIZE     28   /* HeaderLength, Signature[8], Timeout, Code, Return, Length */
#define SRB_IO_CONTROL_LENGTH   24   /* offset of Length */
#define SRB_IO_CONTROL_RETURN   20   /* offset of ReturnCode */

/* Little-endian ULONG into a block built host-side. */
static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8), p[2] = (uint8_t)(v >> 16),
    p[3] = (uint8_t)(v >> 24);
}

/* Little-endian ULONG out of a block read back. */
static uint32_t get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

bool vw_stor_pnp_srb(struct vm *vm, unsigned action, bool adapter, struct vw_stor_result *res)
{
    uint8_t b[SRBEX_PNP_SIZE] = {0};
    put32(b, SRBEX_TYPE_PNP);
    put32(b + 4, SRBEX_PNP_SIZE - 8); /* SRBEX_DATA_PNP_LENGTH: from PnPSubFunction on */
    put32(b + 12, action);
    put32(b + 16, adapter ? 1u : 0u); /* SRB_PNP_FLAGS_ADAPTER_REQUEST */
    return stor_exdata_request(vm, SRB_FUNCTION_PNP, b, sizeof(b), NULL, 0, res);
}

#define CAPS_SIZE       24          /* STOR_DEVICE_CAPABILITIES_EX */
#define CAPS_MINIPORT_0 0xfffff403u /* D1, D2, NoDisplayInUI, Reserved0 */

bool vw_stor_query_capabilities(struct vm *vm, struct vw_stor_caps *out, struct vw_stor_result *res)
{
    uint8_t b[SRBEX_PNP_SIZE] = {0}, caps[CAPS_SIZE] = {0};
    put32(b, SRBEX_TYPE_PNP);
    put32(b + 4, SRBEX_PNP_SIZE - 8);
    put32(b + 12, STOR_PNP_QUERY_CAPABILITIES);
    caps[0] = 1;         /* STOR_DEVICE_CAPABILITIES_EX_VERSION_1 */
    caps[2] = CAPS_SIZE; /* Size */
    memset(out, 0, sizeof(*out));
    if (!stor_exdata_request(vm, SRB_FUNCTION_PNP, b, sizeof(b), caps, sizeof(caps), res))
        return false;
    stor_state(vm)->normal.stats.pnp_srbs++;
    if ((res->srb_status & SRB_STATUS_MASK) != SRB_STATUS_SUCCESS)
        return true; /* not answered: StorPort keeps its own defaults */
    uint32_t bits = get32(caps + 4);
    if (caps[0] != 1 || caps[1] != 0 || caps[2] != CAPS_SIZE || caps[3] != 0) {
        vw_fail(vm, "storport: the miniport changed STOR_DEVICE_CAPABILITIES_EX's Version/Size");
        return false;
    }
    if (bits & CAPS_MINIPORT_0) {
        vw_fail(vm,
                "storport: StorQueryCapabilities answered bits 0x%08x: DeviceD1, DeviceD2, "
                "NoDisplayInUI and Reserved0 stay 0 (storport/ns-storport-_stor_device_"
                "capabilities_ex)",
                bits & CAPS_MINIPORT_0);
        return false;
    }
    out->answered = true;
    out->removable = bits >> 4 & 1;
    out->unique_id = bits >> 6 & 1;
    out->silent_install = bits >> 7 & 1;
    out->raw_device_ok = bits >> 8 & 1;
    out->surprise_removal_ok = bits >> 9 & 1;
    out->default_write_cache = bits >> 11 & 1;
    out->address = get32(caps + 8);
    out->ui_number = get32(caps + 12);
    return true;
}

bool vw_stor_power_srb(struct vm *vm, unsigned dstate, unsigned action, bool adapter,
                       struct vw_stor_result *res)
{
    uint8_t b[SRBEX_POWER_SIZE] = {0};
    put32(b, SRBEX_TYPE_POWER);
    put32(b + 4, SRBEX_POWER_SIZE - 8); /* SRBEX_DATA_POWER_LENGTH: from SrbPowerFlags on */
    b[8] = adapter ? 1 : 0;             /* SRB_POWER_FLAGS_ADAPTER_REQUEST */
    put32(b + 12, dstate);
    put32(b + 16, action);
    return stor_exdata_request(vm, SRB_FUNCTION_POWER, b, sizeof(b), NULL, 0, res);
}

bool vw_stor_ioctl_srb(struct vm *vm, const char *signature, uint32_t code, uint8_t *payload,
                       uint32_t *len, uint32_t cap, uint32_t *return_code,
                       struct vw_stor_result *res)
{
    static uint8_t buf[SRB_IO_CONTROL_SIZE + 4096];
    if (cap > sizeof(buf) - SRB_IO_CONTROL_SIZE || *len > cap) {
        vw_fail(vm, "harness: hard limit: an SRB_IO_CONTROL payload of %u bytes", cap);
        return false;
    }
    memset(buf, 0, SRB_IO_CONTROL_SIZE + cap);
    put32(buf, SRB_IO_CONTROL_SIZE); /* HeaderLength */
    memcpy(buf + 4, signature, strnlen(signature, 8));
    put32(buf + 12, 10); /* Timeout (s) */
    put32(buf + 16, code);
    put32(buf + SRB_IO_CONTROL_LENGTH, *len);
    memcpy(buf + SRB_IO_CONTROL_SIZE, payload, *len);
    if (!stor_exdata_request(vm, SRB_FUNCTION_IO_CONTROL, NULL, 0, buf, SRB_IO_CONTROL_SIZE + cap,
                             res))
        return false;
    /* Length "indicates the length in bytes of the data buffer following
     * the header" (the page): never more than the buffer holds. */
    uint32_t out = get32(buf + SRB_IO_CONTROL_LENGTH);
    if (get32(buf) != SRB_IO_CONTROL_SIZE) {
        vw_fail(vm, "storport: the miniport changed SRB_IO_CONTROL.HeaderLength to %u", get32(buf));
        return false;
    }
    if (out > cap) {
        vw_fail(vm, "storport: SRB_IO_CONTROL.Length %u past the buffer's %u payload bytes", out,
                cap);
        return false;
    }
    *len = out;
    *return_code = get32(buf + SRB_IO_CONTROL_RETURN);
    memcpy(payload, buf + SRB_IO_CONTROL_SIZE, out);
    return true;
}
