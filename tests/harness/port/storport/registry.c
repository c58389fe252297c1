/*
 * StorPort's registry services: the values a scenario puts under the
 * miniport's service key (Parameters\Device for every adapter,
 * Parameters\Device0 for this adapter, port number 0) before the adapter
 * starts, the one registry buffer per miniport instance, and the reads
 * and writes that go through it.  Pages: storport/nf-storport-
 * storportregistryread, -storportregistrywrite, -storportallocate
 * registrybuffer, -storportfreeregistrybuffer.
 */
#include <inttypes.h>
#include <string.h>
#include <strings.h>
#include "internal.h"

/* The value named NAME under the key GLOBAL selects, or NULL. */
static struct stor_reg_value *find_value(struct stor_state *s, bool global, const char *name)
{
    for (unsigned i = 0; i < s->nregs; i++)
        if (s->regs[i].global == global && strcasecmp(s->regs[i].name, name) == 0)
            return &s->regs[i];
    return NULL;
}

/* Store (or replace) a value; false when the harness's limits are hit. */
static bool store_value(struct vm *vm, bool global, const char *name, uint32_t type,
                        const void *data, uint32_t len)
{
    struct stor_state *s = stor_state(vm);
    struct stor_reg_value *v = find_value(s, global, name);
    if (strlen(name) >= sizeof(v->name) || len > sizeof(v->data)) {
        vw_fail(vm, "harness: hard limit: registry value %s (%u bytes)", name, len);
        return false;
    }
    if (v == NULL) {
        if (s->nregs == STOR_MAX_REGS) {
            vw_fail(vm, "harness: hard limit: %u StorPort registry values", STOR_MAX_REGS);
            return false;
        }
        v = &s->regs[s->nregs++];
    }
    memset(v, 0, sizeof(*v));
    v->global = global;
    strcpy(v->name, name);
    v->type = type;
    v->len = len;
    memcpy(v->data, data, len);
    return true;
}

void vw_stor_registry_set(struct vm *vm, bool global, const char *name, uint32_t type,
                          const void *data, uint32_t len)
{
    store_value(vm, global, name, type, data, len);
}

bool vw_stor_registry_get(struct vm *vm, bool global, const char *name, uint32_t *type,
                          void *data, uint32_t *len)
{
    struct stor_reg_value *v = find_value(stor_state(vm), global, name);
    if (v == NULL || v->len > *len)
        return false;
    *type = v->type;
    *len = v->len;
    memcpy(data, v->data, v->len);
    return true;
}

/* The adapter of argument 0 when a registry routine may run now: at
 * PASSIVE_LEVEL (every page's parameter text).  The dump copy runs above
 * it: its reads fail and are counted (miniports.md 4), not a failed run. */
static struct stor_adapter *registry_adapter(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 0), api->name);
    if (a == NULL)
        return NULL;
    if (a->dump) {
        vw_log(vm, "storport: %s from the dump copy (no registry in dump mode): refused",
               api->name);
        a->stats.registry_refused++;
        return NULL;
    }
    if (vm->irql != VW_PASSIVE_LEVEL) {
        vw_fail(vm, "IRQL: %s called at IRQL %u (PASSIVE_LEVEL only)", api->name, vm->irql);
        return NULL;
    }
    return a;
}

/* The value name the miniport passed (a NUL-terminated byte string). */
static bool read_name(struct vm *vm, gva_t va, char *out, size_t cap, const char *who)
{
    for (size_t i = 0; i < cap; i++) {
        if (!vw_read(vm, va + i, &out[i], 1)) {
            vw_fail(vm, "%s: ValueName 0x%" PRIx64 " is not readable", who, va);
            return false;
        }
        if (out[i] == 0)
            return true;
    }
    vw_fail(vm, "%s: ValueName longer than %zu bytes", who, cap - 1);
    return false;
}

/* The Buffer/length pair must lie in the registry buffer StorPort gave
 * out: "Buffer" of both pages is the one StorPortAllocateRegistryBuffer
 * returned. */
static bool check_buffer(struct vm *vm, const struct stor_adapter *a, gva_t buf, uint32_t len,
                         const char *who)
{
    if (a->reg_buf == 0 || buf != a->reg_buf) {
        vw_fail(vm, "%s: Buffer 0x%" PRIx64 " is not from StorPortAllocateRegistryBuffer", who,
                buf);
        return false;
    }
    if (len > a->reg_len) {
        vw_fail(vm, "%s: BufferLength %u past the %u-byte registry buffer", who, len, a->reg_len);
        return false;
    }
    return true;
}

/* PASSIVE_LEVEL: one buffer per miniport instance at a time; a second
 * allocation fails with NULL (the page's remarks); *Length is the size
 * allocated. */
void stor_allocate_registry_buffer(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = registry_adapter(vm, api);
    gva_t lenp = vw_arg(vm, api, 1);
    vw_set_return(vm, 0); /* after the arguments: x0 is argument 0 on arm64 */
    if (a == NULL)
        return;
    uint32_t len = (uint32_t)vw_rd(vm, lenp, 4);
    if (a->reg_buf != 0) {
        vw_log(vm, "storport: second registry buffer refused (one at a time)");
        return;
    }
    if (len == 0 || len > STOR_MAX_REG_BUFFER) {
        vw_log(vm, "storport: registry buffer of %u bytes refused", len);
        return;
    }
    a->reg_buf = vw_pool_alloc(vm, len, VW_TAG('S', 't', 'R', 'g'), "storport registry", false);
    a->reg_len = len;
    vw_wr(vm, lenp, len, 4);
    vw_set_return(vm, a->reg_buf);
}

/* PASSIVE_LEVEL: only the buffer StorPortAllocateRegistryBuffer gave. */
void stor_free_registry_buffer(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = registry_adapter(vm, api);
    gva_t buf = vw_arg(vm, api, 1);
    if (a == NULL)
        return;
    if (a->reg_buf == 0 || buf != a->reg_buf) {
        vw_fail(vm, "StorPortFreeRegistryBuffer: 0x%" PRIx64 " is not the registry buffer", buf);
        return;
    }
    vw_pool_free(vm, a->reg_buf, "storport");
    a->reg_buf = 0;
    a->reg_len = 0;
}

/* PASSIVE_LEVEL: TRUE with the value's bytes in Buffer and their number in
 * *BufferLength; FALSE (nothing written) when the value is missing, of
 * another Type than asked, or larger than *BufferLength. */
void stor_registry_read(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = registry_adapter(vm, api);
    vw_set_return(vm, 0); /* after argument 0: the same register on arm64 */
    if (a == NULL)
        return;
    char name[64];
    uint32_t type = (uint32_t)vw_arg(vm, api, 3);
    bool global = (uint32_t)vw_arg(vm, api, 2) != 0;
    gva_t buf = vw_arg(vm, api, 4), lenp = vw_arg(vm, api, 5);
    if (!read_name(vm, vw_arg(vm, api, 1), name, sizeof(name), api->name))
        return;
    uint32_t room = (uint32_t)vw_rd(vm, lenp, 4);
    if (!check_buffer(vm, a, buf, room, api->name))
        return;
    struct stor_reg_value *v = find_value(stor_state(vm), global, name);
    if (v == NULL || v->type != type || v->len > room) {
        vw_log(vm, "storport: registry read %s\\%s: %s", global ? "Device" : "Device0", name,
               v == NULL ? "no such value" : v->type != type ? "other type" : "too long");
        return;
    }
    vw_write(vm, buf, v->data, v->len);
    vw_wr(vm, lenp, v->len, 4);
    a->stats.registry_reads++;
    vw_set_return(vm, 1);
}

/* PASSIVE_LEVEL: BufferLength bytes of Buffer become the value. */
void stor_registry_write(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = registry_adapter(vm, api);
    vw_set_return(vm, 0); /* after argument 0: the same register on arm64 */
    if (a == NULL)
        return;
    char name[64];
    uint8_t data[STOR_MAX_REG_VALUE];
    uint32_t type = (uint32_t)vw_arg(vm, api, 3), len = (uint32_t)vw_arg(vm, api, 5);
    bool global = (uint32_t)vw_arg(vm, api, 2) != 0;
    gva_t buf = vw_arg(vm, api, 4);
    if (!read_name(vm, vw_arg(vm, api, 1), name, sizeof(name), api->name) ||
        !check_buffer(vm, a, buf, len, api->name))
        return;
    if (len > sizeof(data)) {
        vw_log(vm, "storport: registry write %s of %u bytes refused", name, len);
        return;
    }
    vw_read(vm, buf, data, len);
    if (store_value(vm, global, name, type, data, len))
        vw_set_return(vm, 1);
}

/* At removal: a registry buffer still allocated is the miniport's leak
 * (it goes back with StorPortFreeRegistryBuffer, that page). */
void stor_registry_release(struct vm *vm, struct stor_adapter *a)
{
    if (a->reg_buf == 0)
        return;
    if (!vm->failed)
        vw_fail(vm, "leak: storport registry buffer (%u bytes) never freed at removal",
                a->reg_len);
    vw_pool_free(vm, a->reg_buf, "storport");
    a->reg_buf = 0;
    a->reg_len = 0;
}
