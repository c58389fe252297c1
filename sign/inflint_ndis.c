/* inflint: NDIS rules of a Net-class INF (see inflint_ndis.h for the
 * sources).  The standardized keywords' value sets are Microsoft's tables:
 * 0 disabled / 1 Tx / 2 Rx / 3 Rx and Tx for the checksum offloads, 0/1
 * for LSO, RSS, RSC, USO and interrupt moderation, 0..3 for
 * *PriorityVLANTag, 0..4 for *FlowControl; *JumboPacket, *ReceiveBuffers,
 * *TransmitBuffers, *NumRssQueues and *MaxRssProcessors are editable
 * integers; NetworkAddress is an optional edit field of 12 hex digits,
 * hyphens allowed.  "Keywords that can be edited" gives the values a
 * driver must use: *JumboPacket Default 1514 with a Min and a Max (the
 * range is the IHV's, the 1514-byte standard frame in it).  "DDInstall
 * section in a network INF file": NCF_VIRTUAL, NCF_SOFTWARE_ENUMERATED and
 * NCF_PHYSICAL are mutually exclusive, NCF_NO_SERVICE goes with none of
 * them, NCF_HAS_UI marks a component with a user interface (the Advanced
 * page), a physical adapter needs BusType, an INTERFACE_TYPE value. */
#include "inflint_ndis.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NCF_VIRTUAL             0x1
#define NCF_SOFTWARE_ENUMERATED 0x2
#define NCF_PHYSICAL            0x4
#define NCF_NO_SERVICE          0x10
#define NCF_HAS_UI              0x80
#define INTERFACE_TYPE_LAST     17 /* ACPIBus: Internal 0 ... PCIBus 5 ... ACPIBus 17 */
#define JUMBO_STANDARD_FRAME    1514

enum kw_kind { KW_ENUM, KW_NUMBER };

static const struct {
    const char *name;
    enum kw_kind kind;
    long hi;     /* KW_ENUM: documented values 0..hi */
    long min_lo; /* KW_NUMBER: lowest Min allowed */
} g_keywords[] = {
    {"*PriorityVLANTag", KW_ENUM, 3, 0},
    {"*IPChecksumOffloadIPv4", KW_ENUM, 3, 0},
    {"*TCPChecksumOffloadIPv4", KW_ENUM, 3, 0},
    {"*TCPChecksumOffloadIPv6", KW_ENUM, 3, 0},
    {"*UDPChecksumOffloadIPv4", KW_ENUM, 3, 0},
    {"*UDPChecksumOffloadIPv6", KW_ENUM, 3, 0},
    {"*LsoV1IPv4", KW_ENUM, 1, 0},
    {"*LsoV2IPv4", KW_ENUM, 1, 0},
    {"*LsoV2IPv6", KW_ENUM, 1, 0},
    {"*RSS", KW_ENUM, 1, 0},
    {"*RscIPv4", KW_ENUM, 1, 0},
    {"*RscIPv6", KW_ENUM, 1, 0},
    {"*UsoIPv4", KW_ENUM, 1, 0},
    {"*UsoIPv6", KW_ENUM, 1, 0},
    {"*InterruptModeration", KW_ENUM, 1, 0},
    {"*FlowControl", KW_ENUM, 4, 0},
    {"*JumboPacket", KW_NUMBER, 0, 1},
    {"*ReceiveBuffers", KW_NUMBER, 0, 1},
    {"*TransmitBuffers", KW_NUMBER, 0, 1},
    {"*NumRssQueues", KW_NUMBER, 0, 1},
    {"*MaxRssProcessors", KW_NUMBER, 0, 1},
};

/* A whole decimal (or 0x hex) number; -1 when text is not one. */
static int number(const char *text, long *out)
{
    char *end;
    if (!text || !text[0])
        return -1;
    *out = strtol(text, &end, 0);
    return *end ? -1 : 0;
}

/* NetworkAddress: an optional edit field wide enough for 12 hex digits. */
static void check_network_address(const struct ndis_prop_view *p, ndi_report_fn *report)
{
    long limit;
    if (strcasecmp(p->type, "edit")) {
        report(p->type_lineno ? p->type_lineno : p->lineno,
               "NetworkAddress must be Type edit (found \"%s\")", p->type);
    } else if (number(p->limit, &limit) || limit < 12 || limit > 17) {
        report(p->lineno,
               "NetworkAddress: LimitText \"%s\" outside 12..17 (12 hex digits, "
               "hyphens allowed)",
               p->limit);
    } else if (strcmp(p->optional, "1")) {
        report(p->lineno, "NetworkAddress must be Optional 1 (empty means the device's address)");
    }
}

/* *JumboPacket: a Min and a Max, Default the 1514-byte standard frame
 * (inflint_ndi.c keeps the Default inside Min..Max). */
static void check_jumbo(const struct ndis_prop_view *p, ndi_report_fn *report)
{
    long def;
    if (!p->min_lineno || !p->max_lineno)
        report(p->lineno, "standardized keyword *JumboPacket needs a Min and a Max");
    else if (number(p->def, &def) || def != JUMBO_STANDARD_FRAME)
        report(p->def_lineno ? p->def_lineno : p->lineno,
               "standardized keyword *JumboPacket: Default \"%s\", Microsoft documents %d", p->def,
               JUMBO_STANDARD_FRAME);
}

/* Checks a property against the standardized keyword of its name. */
void ndis_keyword_check(const struct ndis_prop_view *p, ndi_report_fn *report)
{
    if (!strcasecmp(p->name, "NetworkAddress")) {
        check_network_address(p, report);
        return;
    }
    for (size_t i = 0; i < sizeof(g_keywords) / sizeof(g_keywords[0]); i++) {
        if (strcasecmp(p->name, g_keywords[i].name))
            continue;
        int line = p->type_lineno ? p->type_lineno : p->lineno;
        if (g_keywords[i].kind == KW_ENUM) {
            if (strcasecmp(p->type, "enum")) {
                report(line, "standardized keyword %s must be Type enum (found \"%s\")", p->name,
                       p->type);
                return;
            }
            for (size_t k = 0; k < p->nenum; k++) {
                long v;
                if (number(p->enums[k], &v) || v < 0 || v > g_keywords[i].hi) {
                    report(p->enum_lineno,
                           "standardized keyword %s: enum value \"%s\" is not one Microsoft "
                           "documents (0..%ld)",
                           p->name, p->enums[k], g_keywords[i].hi);
                    return;
                }
            }
            return;
        }
        long min;
        if (strcasecmp(p->type, "int") && strcasecmp(p->type, "long") &&
            strcasecmp(p->type, "word") && strcasecmp(p->type, "dword")) {
            report(line, "standardized keyword %s must be a numeric Type (found \"%s\")", p->name,
                   p->type);
        } else if (!number(p->min, &min) && min < g_keywords[i].min_lo) {
            report(p->min_lineno, "standardized keyword %s: Min %ld below %ld", p->name, min,
                   g_keywords[i].min_lo);
        } else if (!strcasecmp(p->name, "*JumboPacket")) {
            check_jumbo(p, report);
        }
        return;
    }
}

/* True when [Version] says Class = Net. */
int ndis_is_net(const struct inf *inf)
{
    const struct inf_section *v = inf_find(inf, "Version");
    for (size_t k = 0; v && k < v->n; k++)
        if (v->lines[k].key && !strcasecmp(v->lines[k].key, "Class"))
            return !strcasecmp(v->lines[k].value, "Net");
    return 0;
}

/* What a Net install section's AddReg sections set. */
struct net_keys {
    int iftype, mediatype, physmedia, service, upper, lower, params;
    char service_name[64];
    int service_lineno;
};

/* Records the keys of one HKR line (reg-root, subkey, value-name, flags, value). */
static void note_line(const struct inf_line *l, struct net_keys *k, ndi_report_fn *report)
{
    char buf[1024], *f[5] = {0};
    size_t n = inf_fields(l->key ? l->key : l->value, f, 5, buf, sizeof(buf));
    if (n < 3 || strcasecmp(f[0], "HKR"))
        return;
    const char *sub = f[1], *name = f[2];
    if (!sub[0] && (!strcasecmp(name, "*IfType") || !strcasecmp(name, "*MediaType") ||
                    !strcasecmp(name, "*PhysicalMediaType"))) {
        long flags, v;
        if (n < 5 || number(f[3], &flags) || flags != 0x00010001 || number(f[4], &v) || v < 0)
            report(l->lineno, "%s must be a REG_DWORD (0x00010001) number", name);
        *(!strcasecmp(name, "*IfType")      ? &k->iftype
          : !strcasecmp(name, "*MediaType") ? &k->mediatype
                                            : &k->physmedia) = l->lineno;
    } else if (!strcasecmp(sub, "Ndi") && !strcasecmp(name, "Service") && n > 4) {
        k->service = l->lineno;
        k->service_lineno = l->lineno;
        snprintf(k->service_name, sizeof(k->service_name), "%s", f[4]);
    } else if (!strncasecmp(sub, "Ndi\\Params\\", 11)) {
        if (!k->params)
            k->params = l->lineno;
    } else if (!strcasecmp(sub, "Ndi\\Interfaces") && !strcasecmp(name, "UpperRange")) {
        k->upper = l->lineno;
    } else if (!strcasecmp(sub, "Ndi\\Interfaces") && !strcasecmp(name, "LowerRange")) {
        k->lower = l->lineno;
    }
}

/* The directive `key` of a section, or NULL. */
static const struct inf_line *directive(const struct inf_section *s, const char *key)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->lines[i].key && !strcasecmp(s->lines[i].key, key))
            return &s->lines[i];
    return NULL;
}

/* True when the install section's .Services adds `name` as the device's service. */
static int service_installed(const struct inf *inf, const struct inf_section *install,
                             const char *name)
{
    char sname[512], buf[512], *f[3];
    snprintf(sname, sizeof(sname), "%s.Services", install->name);
    const struct inf_section *s = inf_find(inf, sname);
    for (size_t i = 0; s && i < s->n; i++) {
        long flags;
        if (!s->lines[i].key || strcasecmp(s->lines[i].key, "AddService"))
            continue;
        size_t n = inf_fields(s->lines[i].value, f, 3, buf, sizeof(buf));
        if (n >= 2 && !strcasecmp(f[0], name) && !number(f[1], &flags) && (flags & 0x2))
            return 1;
    }
    return 0;
}

/* Checks one Net-class install section. */
void ndis_install_check(const struct inf *inf, const struct inf_section *install,
                        ndi_report_fn *report)
{
    const struct inf_line *c = directive(install, "Characteristics");
    const struct inf_line *b = directive(install, "BusType");
    const struct inf_line *a = directive(install, "AddReg");
    long chars = 0, bus;
    if (!c)
        report(install->lineno, "Net install section [%s] has no Characteristics", install->name);
    else if (number(c->value, &chars))
        report(c->lineno, "Characteristics \"%s\" is not a number", c->value);
    long kind = chars & (NCF_VIRTUAL | NCF_SOFTWARE_ENUMERATED | NCF_PHYSICAL);
    if (kind & (kind - 1))
        report(c->lineno,
               "Characteristics 0x%lx: NCF_VIRTUAL, NCF_SOFTWARE_ENUMERATED and NCF_PHYSICAL "
               "exclude one another",
               chars);
    else if (kind && (chars & NCF_NO_SERVICE))
        report(c->lineno,
               "Characteristics 0x%lx: NCF_NO_SERVICE on an adapter (it needs its service)", chars);
    if ((chars & NCF_PHYSICAL) && !b)
        report(c->lineno, "a physical adapter (Characteristics 0x%lx) needs BusType", chars);
    else if (b && (number(b->value, &bus) || bus < 0 || bus > INTERFACE_TYPE_LAST))
        report(b->lineno, "BusType \"%s\" is not an INTERFACE_TYPE (0..%d)", b->value,
               INTERFACE_TYPE_LAST);

    struct net_keys k = {0};
    char buf[1024], *f[32];
    size_t n = a ? inf_fields(a->value, f, 32, buf, sizeof(buf)) : 0;
    for (size_t i = 0; i < n; i++) {
        const struct inf_section *r = inf_find(inf, f[i]);
        for (size_t j = 0; r && j < r->n; j++)
            note_line(&r->lines[j], &k, report);
    }
    if (k.params && c && !(chars & NCF_HAS_UI))
        report(
            c->lineno,
            "Characteristics 0x%lx lacks NCF_HAS_UI (0x80): the advanced properties (Ndi\\Params, "
            "line %d) get no Advanced page",
            chars, k.params);
    static const char *const need[] = {"*IfType", "*MediaType", "*PhysicalMediaType"};
    const int have[] = {k.iftype, k.mediatype, k.physmedia};
    for (size_t i = 0; i < 3; i++)
        if (!have[i])
            report(install->lineno,
                   "Net install section [%s] sets no %s (NDIS will not initialize the miniport)",
                   install->name, need[i]);
    if (!k.service)
        report(install->lineno, "Net install section [%s] sets no Ndi Service", install->name);
    else if (!service_installed(inf, install, k.service_name))
        report(k.service_lineno, "Ndi Service \"%s\" is not the service [%s.Services] installs",
               k.service_name, install->name);
    if (!k.upper || !k.lower)
        report(install->lineno, "Net install section [%s] sets no Ndi\\Interfaces %s",
               install->name, !k.upper ? "UpperRange" : "LowerRange");
}
