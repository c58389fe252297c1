/*
 * ndis.sys's configuration API over the adapter's registry keywords (the
 * values an INF's advanced properties leave under the adapter's key; a
 * scenario sets them with vw_ndis_keyword before InitializeEx):
 * ndis/nf-ndis-ndisopenconfigurationex, ndis/nf-ndis-ndisreadconfiguration,
 * ndis/nf-ndis-ndiswriteconfiguration, ndis/nf-ndis-ndiscloseconfiguration,
 * ndis/nf-ndis-ndisreadnetworkaddress, all at PASSIVE_LEVEL.  Keyword
 * names compare without case (registry value names).  A REG_SZ read as
 * NdisParameterInteger is converted base 10, as NdisParameterHexInteger
 * base 16, and either comes back typed NdisParameterInteger
 * (ndis/ns-ndis-_ndis_configuration_parameter).  What a read returns is
 * NDIS's memory, valid until NdisCloseConfiguration.
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "internal.h"
#include "layout.h"

#define PARAM_INTEGER 0  /* NdisParameterInteger */
#define PARAM_HEX     1  /* NdisParameterHexInteger */
#define PARAM_STRING  2  /* NdisParameterString */
#define PARAM_MULTI   3  /* NdisParameterMultiString */
#define NETADDR_MAX   32 /* NDIS_MAX_PHYS_ADDRESS_LENGTH */

static struct ndis_keyword *find(struct ndis_state *s, const char *name)
{
    for (unsigned i = 0; i < s->nkeywords; i++)
        if (strcasecmp(s->keywords[i].name, name) == 0)
            return &s->keywords[i];
    return NULL;
}

static void set_keyword(struct vm *vm, const char *name, const char *value, bool integer)
{
    struct ndis_state *s = ndis_state(vm);
    struct ndis_keyword *k = find(s, name);
    if (strlen(name) >= NDIS_KEYWORD_MAX || strlen(value) >= NDIS_VALUE_MAX) {
        vw_fail(vm, "harness: keyword %s or its value too long (not modelled)", name);
        return;
    }
    if (k == NULL) {
        if (s->nkeywords == NDIS_MAX_KEYWORDS) {
            vw_fail(vm, "harness: hard limit: %u NDIS keywords", NDIS_MAX_KEYWORDS);
            return;
        }
        k = &s->keywords[s->nkeywords++];
    }
    snprintf(k->name, sizeof(k->name), "%s", name);
    snprintf(k->value, sizeof(k->value), "%s", value);
    k->integer = integer;
}

void vw_ndis_keyword(struct vm *vm, const char *name, const char *value)
{
    set_keyword(vm, name, value, false);
}

void vw_ndis_keyword_dword(struct vm *vm, const char *name, uint32_t value)
{
    char v[16];
    snprintf(v, sizeof(v), "%u", value);
    set_keyword(vm, name, v, true);
}

void vw_ndis_plant_keyword_lost(struct vm *vm, const char *name)
{
    struct ndis_state *s = ndis_state(vm);
    snprintf(s->plant_lost, sizeof(s->plant_lost), "%s", name);
}

const char *vw_ndis_keyword_value(struct vm *vm, const char *name)
{
    struct ndis_keyword *k = find(ndis_state(vm), name);
    return k ? k->value : NULL;
}

static struct ndis_config *config(struct vm *vm, gva_t h, const char *who)
{
    struct ndis_state *s = ndis_state(vm);
    for (unsigned i = 0; i < NDIS_MAX_CONFIGS; i++)
        if (h != 0 && s->configs[i].handle == h)
            return &s->configs[i];
    vw_fail(vm, "%s: 0x%" PRIx64 " is no open configuration handle", who, h);
    return NULL;
}

/* (ConfigObject, &ConfigurationHandle): the adapter's keywords for the
 * adapter handle; the driver handle's (the service's Parameters key) has
 * none here. */
static void vw_NdisOpenConfigurationEx(struct vm *vm, const struct vw_api *api)
{
    struct ndis_state *s = ndis_state(vm);
    gva_t o = vw_arg(vm, api, 0), out = vw_arg(vm, api, 1);
    gva_t h = vw_rdptr(vm, o + VW_OFFSET(vm, NDIS_CONFIGURATION_OBJECT, NdisHandle));
    unsigned type = (unsigned)vw_rd(vm, o, 1), size = (unsigned)vw_rd(vm, o + 2, 2);
    vw_set_return(vm, VW_NDIS_STATUS_FAILURE);
    /* NDIS_SIZEOF_CONFIGURATION_OBJECT_REVISION_1: through Flags. */
    if (type != VW_NDIS_OBJECT_TYPE_CONFIGURATION_OBJECT ||
        size < VW_OFFSET(vm, NDIS_CONFIGURATION_OBJECT, Flags) + 4) {
        vw_fail(vm, "NdisOpenConfigurationEx: header type 0x%x size %u", type, size);
        vw_set_return(vm, VW_NDIS_STATUS_INVALID_PARAMETER);
        return;
    }
    if (h == 0 || (h != s->adapter && h != s->driver_handle)) {
        vw_fail(vm,
                "NdisOpenConfigurationEx: NdisHandle 0x%" PRIx64 " is neither the adapter "
                "nor the driver handle",
                h);
        return;
    }
    for (unsigned i = 0; i < NDIS_MAX_CONFIGS; i++)
        if (s->configs[i].handle == 0) {
            s->configs[i] = (struct ndis_config){.handle = vw_kalloc(vm, 16)};
            vw_wrptr(vm, out, s->configs[i].handle);
            vw_set_return(vm, VW_NDIS_STATUS_SUCCESS);
            return;
        }
    vw_fail(vm, "harness: hard limit: %u open configuration handles", NDIS_MAX_CONFIGS);
}

/* A guest NDIS_STRING as ASCII (keywords are ASCII); false when not. */
static bool read_string(struct vm *vm, gva_t us, char *out, size_t cap)
{
    unsigned len = (unsigned)vw_rd(vm, us, 2) / 2;
    gva_t buf = vw_rdptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer));
    if (len >= cap || buf == 0)
        return false;
    for (unsigned i = 0; i < len; i++) {
        unsigned c = (unsigned)vw_rd(vm, buf + 2ull * i, 2);
        if (c == 0 || c > 0x7e)
            return false;
        out[i] = (char)c;
    }
    out[len] = 0;
    return true;
}

/* A parameter block in NDIS memory, kept for the close. */
static gva_t param_block(struct vm *vm, struct ndis_config *c, uint64_t extra)
{
    if (c->nparams == NDIS_MAX_KEYWORDS) {
        vw_fail(vm, "harness: hard limit: %u reads on one configuration handle", NDIS_MAX_KEYWORDS);
        return 0;
    }
    gva_t p = vw_pool_alloc(vm, VW_SIZEOF(vm, NDIS_CONFIGURATION_PARAMETER) + extra, NDIS_TAG,
                            "NDIS configuration parameter", false);
    if (p != 0)
        c->params[c->nparams++] = p;
    return p;
}

static bool parse(const char *v, int base, uint32_t *out)
{
    char *end;
    errno = 0;
    unsigned long long n = strtoull(v, &end, base);
    if (*v == 0 || *v == '-' || *end != 0 || n > 0xffffffffull)
        return false;
    *out = (uint32_t)n;
    return true;
}

/* (&Status, &ParameterValue, ConfigurationHandle, Keyword, ParameterType). */
static void vw_NdisReadConfiguration(struct vm *vm, const struct vw_api *api)
{
    gva_t st = vw_arg(vm, api, 0), out = vw_arg(vm, api, 1);
    unsigned want = (unsigned)vw_arg(vm, api, 4);
    struct ndis_config *c = config(vm, vw_arg(vm, api, 2), api->name);
    char name[NDIS_KEYWORD_MAX];
    vw_wr(vm, st, VW_NDIS_STATUS_FAILURE, 4);
    if (c == NULL)
        return;
    if (!read_string(vm, vw_arg(vm, api, 3), name, sizeof(name))) {
        vw_log(vm, "NdisReadConfiguration: a keyword that is not a short ASCII NDIS_STRING");
        return;
    }
    struct ndis_keyword *k = find(ndis_state(vm), name);
    if (strcasecmp(ndis_state(vm)->plant_lost, name) == 0)
        k = NULL; /* planted: the value set is not delivered */
    if (k == NULL)
        return; /* not present: NDIS_STATUS_FAILURE, the miniport's default applies */
    gva_t p;
    if (want == PARAM_INTEGER || want == PARAM_HEX) {
        uint32_t v;
        if (!parse(k->value, k->integer ? 10 : want == PARAM_HEX ? 16 : 10, &v)) {
            vw_log(vm, "NdisReadConfiguration(%s): \"%s\" is not a %s number", name, k->value,
                   want == PARAM_HEX ? "hex" : "decimal");
            return;
        }
        if ((p = param_block(vm, c, 0)) == 0)
            return;
        vw_wr(vm, p, PARAM_INTEGER, 4);
        vw_wr(vm, p + VW_OFFSET(vm, NDIS_CONFIGURATION_PARAMETER, ParameterData), v, 4);
    } else if ((want == PARAM_STRING || want == PARAM_MULTI) && !k->integer) {
        unsigned n = (unsigned)strlen(k->value);
        uint64_t chars = n + (want == PARAM_MULTI ? 2 : 1);
        if ((p = param_block(vm, c, 2 * chars)) == 0)
            return;
        gva_t text = p + VW_SIZEOF(vm, NDIS_CONFIGURATION_PARAMETER);
        for (unsigned i = 0; i < chars; i++)
            vw_wr(vm, text + 2ull * i, i < n ? (uint8_t)k->value[i] : 0, 2);
        gva_t us = p + VW_OFFSET(vm, NDIS_CONFIGURATION_PARAMETER, ParameterData);
        vw_wr(vm, p, want, 4);
        vw_wr(vm, us, 2ull * (chars - 1), 2);
        vw_wr(vm, us + 2, 2ull * chars, 2);
        vw_wrptr(vm, us + VW_OFFSET(vm, UNICODE_STRING, Buffer), text);
    } else {
        vw_log(vm, "NdisReadConfiguration(%s): type %u of a %s value not emulated", name, want,
               k->integer ? "REG_DWORD" : "REG_SZ");
        return;
    }
    vw_wrptr(vm, out, p);
    vw_wr(vm, st, VW_NDIS_STATUS_SUCCESS, 4);
}

/* (&Status, ConfigurationHandle, Keyword, ParameterValue): an integer
 * becomes a REG_DWORD, a string a REG_SZ. */
static void vw_NdisWriteConfiguration(struct vm *vm, const struct vw_api *api)
{
    gva_t st = vw_arg(vm, api, 0), p = vw_arg(vm, api, 3);
    char name[NDIS_KEYWORD_MAX], value[NDIS_VALUE_MAX];
    vw_wr(vm, st, VW_NDIS_STATUS_FAILURE, 4);
    if (config(vm, vw_arg(vm, api, 1), api->name) == NULL)
        return;
    if (!read_string(vm, vw_arg(vm, api, 2), name, sizeof(name))) {
        vw_fail(vm, "NdisWriteConfiguration: a keyword that is not a short ASCII NDIS_STRING");
        return;
    }
    unsigned type = (unsigned)vw_rd(vm, p, 4);
    gva_t data = p + VW_OFFSET(vm, NDIS_CONFIGURATION_PARAMETER, ParameterData);
    if (type == PARAM_INTEGER || type == PARAM_HEX) {
        vw_ndis_keyword_dword(vm, name, (uint32_t)vw_rd(vm, data, 4));
    } else if (type == PARAM_STRING && read_string(vm, data, value, sizeof(value))) {
        vw_ndis_keyword(vm, name, value);
    } else {
        vw_log(vm, "NdisWriteConfiguration(%s): type %u not emulated", name, type);
        return;
    }
    vw_wr(vm, st, VW_NDIS_STATUS_SUCCESS, 4);
}

static void vw_NdisCloseConfiguration(struct vm *vm, const struct vw_api *api)
{
    struct ndis_config *c = config(vm, vw_arg(vm, api, 0), api->name);
    if (c == NULL)
        return;
    for (unsigned i = 0; i < c->nparams; i++)
        vw_pool_free(vm, c->params[i], "NdisCloseConfiguration");
    memset(c, 0, sizeof(*c));
}

/* (&Status, &NetworkAddress, &NetworkAddressLength, ConfigurationHandle):
 * the NetworkAddress keyword's hex digits as bytes (separators '-' and ':'
 * skipped); FAILURE when absent or not whole bytes of hex.  Whether the
 * address may be used (unicast, locally administered) is the miniport's
 * to check. */
static void vw_NdisReadNetworkAddress(struct vm *vm, const struct vw_api *api)
{
    gva_t st = vw_arg(vm, api, 0), out = vw_arg(vm, api, 1), out_len = vw_arg(vm, api, 2);
    struct ndis_config *c = config(vm, vw_arg(vm, api, 3), api->name);
    vw_wr(vm, st, VW_NDIS_STATUS_FAILURE, 4);
    if (c == NULL)
        return;
    struct ndis_keyword *k = find(ndis_state(vm), "NetworkAddress");
    if (k == NULL || k->integer)
        return;
    uint8_t bytes[NETADDR_MAX];
    unsigned n = 0, digits = 0;
    for (const char *q = k->value; *q; q++) {
        if (*q == '-' || *q == ':')
            continue;
        if (!isxdigit((unsigned char)*q) || n == NETADDR_MAX) {
            vw_log(vm, "NdisReadNetworkAddress: \"%s\" is not a hex address", k->value);
            return;
        }
        unsigned v = (unsigned)(isdigit((unsigned char)*q) ? *q - '0' : tolower(*q) - 'a' + 10);
        bytes[n] = (uint8_t)(digits % 2 ? bytes[n] << 4 | v : v);
        n += digits++ % 2;
    }
    if (n == 0 || digits % 2) {
        vw_log(vm, "NdisReadNetworkAddress: \"%s\" is not whole bytes", k->value);
        return;
    }
    gva_t p = param_block(vm, c, 0);
    if (p == 0)
        return;
    vw_write(vm, p, bytes, n);
    vw_wrptr(vm, out, p);
    vw_wr(vm, out_len, n, 4);
    vw_wr(vm, st, VW_NDIS_STATUS_SUCCESS, 4);
}

bool ndis_config_after_halt(struct vm *vm)
{
    struct ndis_state *s = ndis_state(vm);
    for (unsigned i = 0; i < NDIS_MAX_CONFIGS; i++)
        if (s->configs[i].handle != 0) {
            vw_fail(vm,
                    "ndis: MiniportHaltEx returned with configuration handle 0x%" PRIx64
                    " open (NdisCloseConfiguration)",
                    s->configs[i].handle);
            return false;
        }
    return true;
}

#define P VW_PASSIVE_LEVEL
static const struct vw_api config_apis[] = {
    {"NdisOpenConfigurationEx", VW_ALL_ARCHES, VW_STDCALL, 2, 0, P, vw_NdisOpenConfigurationEx},
    {"NdisReadConfiguration", VW_ALL_ARCHES, VW_STDCALL, 5, 0, P, vw_NdisReadConfiguration},
    {"NdisWriteConfiguration", VW_ALL_ARCHES, VW_STDCALL, 4, 0, P, vw_NdisWriteConfiguration},
    {"NdisCloseConfiguration", VW_ALL_ARCHES, VW_STDCALL, 1, 0, P, vw_NdisCloseConfiguration},
    {"NdisReadNetworkAddress", VW_ALL_ARCHES, VW_STDCALL, 4, 0, P, vw_NdisReadNetworkAddress},
};
#undef P

VW_API_GROUP(ndis_config, config_apis)
