/*
 * Registry: the device's hardware key ("Device Parameters", what an INF's
 * HKR AddReg writes) opened with IoOpenDeviceRegistryKey, read with
 * ZwQueryValueKey (KeyValuePartialInformation), closed with ZwClose.  The
 * scenario supplies the values (vw_registry_set); keys still open at unload
 * are leaks.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"
#include "pnp.h"
#include "vw_ntstatus.h"
#include "vw_registry.h"

#define HANDLE_BASE 0x80000100u

struct vw_reg_value {
    gva_t pdo;
    char name[64];
    uint32_t type, len;
    uint8_t data[256];
};

/* Registry: values the scenario set, open keys: this part's state (vw_part_state). */
struct registry_state {
    struct vw_reg_value reg_values[16];
    unsigned reg_value_count;
    gva_t reg_open[8];
};

static const char registry_key;

/* This machine's registry state; harness side, any IRQL. */
static struct registry_state *registry(struct vm *vm)
{
    return vw_part_state(vm, &registry_key, sizeof(struct registry_state));
}

void vw_registry_set(struct vm *vm, gva_t pdo, const char *name, uint32_t type, const void *data,
                     uint32_t len)
{
    struct registry_state *s = registry(vm);
    if (s->reg_value_count == sizeof(s->reg_values) / sizeof(s->reg_values[0]) ||
        len > sizeof(s->reg_values[0].data) || strlen(name) >= sizeof(s->reg_values[0].name)) {
        vw_fail(vm, "harness: registry value %s does not fit", name);
        return;
    }
    struct vw_reg_value *v = &s->reg_values[s->reg_value_count++];
    v->pdo = pdo;
    v->type = type;
    v->len = len;
    strcpy(v->name, name);
    memcpy(v->data, data, len);
}

void vw_IoOpenDeviceRegistryKey(struct vm *vm, const struct vw_api *api)
{
    struct registry_state *s = registry(vm);
    gva_t pdo = vw_arg(vm, api, 0), out = vw_arg(vm, api, 3);
    uint32_t which = (uint32_t)vw_arg(vm, api, 1);
    if (vw_pdo_find(vm, pdo) == NULL) {
        vw_fail(vm, "IoOpenDeviceRegistryKey: 0x%" PRIx64 " is not a PDO", pdo);
        return;
    }
    if (which != VW_PLUGPLAY_REGKEY_DEVICE) {
        vw_set_return(vm, VW_STATUS_INVALID_PARAMETER); /* only the hardware key is modelled */
        return;
    }
    unsigned slot = 0;
    while (slot < 8 && s->reg_open[slot] != 0)
        slot++;
    if (slot == 8) {
        vw_fail(vm, "IoOpenDeviceRegistryKey: more than 8 keys open");
        return;
    }
    s->reg_open[slot] = pdo;
    vw_wrptr(vm, out, HANDLE_BASE + 4 * slot);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

static gva_t key_pdo(struct vm *vm, uint64_t handle)
{
    struct registry_state *s = registry(vm);
    uint64_t slot = (handle - HANDLE_BASE) / 4;
    if (handle < HANDLE_BASE || (handle - HANDLE_BASE) % 4 || slot >= 8)
        return 0;
    return s->reg_open[slot];
}

/* ZwQueryValueKey(Key, Name, Class, Info, Length, &ResultLength) */
void vw_ZwQueryValueKey(struct vm *vm, const struct vw_api *api)
{
    struct registry_state *s = registry(vm);
    gva_t pdo = key_pdo(vm, vw_arg(vm, api, 0)), info = vw_arg(vm, api, 3);
    uint32_t cls = (uint32_t)vw_arg(vm, api, 2), len = (uint32_t)vw_arg(vm, api, 4);
    gva_t result = vw_arg(vm, api, 5);
    char name[64];
    if (pdo == 0) {
        vw_set_return(vm, VW_STATUS_INVALID_HANDLE);
        return;
    }
    if (cls != VW_KEY_VALUE_PARTIAL_INFORMATION_CLASS) {
        vw_fail(vm, "ZwQueryValueKey: information class %u not modelled", cls);
        return;
    }
    if (!vw_read_unicode_string(vm, vw_arg(vm, api, 1), name, sizeof(name)))
        return;
    const struct vw_reg_value *v = NULL;
    for (unsigned i = 0; i < s->reg_value_count; i++)
        if (s->reg_values[i].pdo == pdo && strcasecmp(s->reg_values[i].name, name) == 0)
            v = &s->reg_values[i];
    if (v == NULL) {
        vw_set_return(vm, VW_STATUS_OBJECT_NAME_NOT_FOUND);
        return;
    }
    uint64_t head = VW_OFFSET(vm, KEY_VALUE_PARTIAL_INFORMATION, Data);
    uint32_t need = (uint32_t)head + v->len;
    if (result != 0)
        vw_wr(vm, result, need, 4);
    if (len < head) {
        vw_set_return(vm, VW_STATUS_BUFFER_TOO_SMALL);
        return;
    }
    vw_wr(vm, info, 0, 4); /* TitleIndex */
    vw_wr(vm, info + VW_OFFSET(vm, KEY_VALUE_PARTIAL_INFORMATION, Type), v->type, 4);
    vw_wr(vm, info + VW_OFFSET(vm, KEY_VALUE_PARTIAL_INFORMATION, DataLength), v->len, 4);
    if (len < need) {
        vw_set_return(vm, VW_STATUS_BUFFER_OVERFLOW);
        return;
    }
    vw_write(vm, info + head, v->data, v->len);
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

void vw_ZwClose(struct vm *vm, const struct vw_api *api)
{
    struct registry_state *s = registry(vm);
    uint64_t handle = vw_arg(vm, api, 0);
    if (vw_thread_close_handle(vm, handle)) { /* a system thread's handle */
        vw_set_return(vm, VW_STATUS_SUCCESS);
        return;
    }
    if (vw_event_handle_close(vm, handle) || vw_security_close_handle(vm, handle)) {
        vw_set_return(vm, VW_STATUS_SUCCESS);
        return;
    }
    if (key_pdo(vm, handle) == 0) {
        vw_fail(vm, "ZwClose(0x%" PRIx64 "): not an open handle", handle);
        return;
    }
    s->reg_open[(handle - HANDLE_BASE) / 4] = 0;
    vw_set_return(vm, VW_STATUS_SUCCESS);
}

unsigned vw_registry_report_leaks(struct vm *vm)
{
    struct registry_state *s = registry(vm);
    unsigned n = 0;
    for (unsigned i = 0; i < 8; i++)
        if (s->reg_open[i] != 0) {
            vw_log(vm, "leak: registry key handle 0x%x never closed", HANDLE_BASE + 4 * i);
            n++;
        }
    return n;
}
