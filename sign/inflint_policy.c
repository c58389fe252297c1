/* inflint: install-policy rules (see inflint_policy.h).
 *
 * Facts, from Microsoft's INF and driver-installation pages:
 *   - HKR in an AddReg section means the device's software key when the
 *     section is named by DDInstall, its hardware key from DDInstall.HW and
 *     the service key from a service-install section ("INF AddReg
 *     directive").
 *   - Kernel DMA protection ("Enabling DMA remapping for device drivers"):
 *     the per-driver opt-in is HKR,Parameters,DmaRemappingCompatible in the
 *     service-install section's AddReg (0 opt out, 1 opt in, 2 opt in only
 *     for external devices or under Driver Verifier's DMA checks); since
 *     Windows 11 24H2 the per-device HKR,"DMA Management",RemappingSupported
 *     in DDInstall.HW's AddReg (0 opt out, 1 opt in), which overrides the
 *     per-driver value when present.  Anywhere else Windows never reads them.
 *   - Universal INFs ("Using a Universal INF File", the rules of InfVerif
 *     /u; Windows drivers' /w adds driver package isolation on top) write
 *     the registry only through HKR, with two documented exceptions (the
 *     same page, AddReg caveats): COM registration under HKCR and
 *     HKLM\SOFTWARE\Classes, and hardware Media Foundation transforms under
 *     HKLM\SOFTWARE\Microsoft\Windows Media Foundation and its
 *     WOW6432Node/WOW3232Node twins (allowed_global[]).  InfVerif /h's
 *     longer list (infverif_h, "Current Requirements as of April 2024":
 *     HKLM\SYSTEM\CurrentControlSet, ...\CurrentVersion\Run and others) is
 *     a set of temporary WHCP exceptions that page says "should not be used";
 *     it is not followed here, so the CNG keys under SYSTEM\CurrentControlSet
 *     stay refused.
 *   - One device has one function driver: DDInstall.Services holds one
 *     AddService with SPSVCINST_ASSOCSERVICE (0x2).  Include/Needs of another
 *     INF's .Services section runs that INF's AddService lines too, so a
 *     HID minidriver that needs input.inf's HID_Inst.NT.Services installs
 *     HidUsb as a second associated service; such packages Include/Needs
 *     only the non-service sections (HID_Inst.NT).
 *   - CNG providers (BCryptRegisterProvider, CRYPT_PROVIDER_REG): bcrypt
 *     loads a provider's user-mode image by file name from System32, and
 *     finds the algorithms of an interface in the Functions multi-string of
 *     Providers\<name>\UM\<interface>, not in subkeys.
 *   - Service-install sections and the interrupt keys of the hardware key:
 *     inflint_service.c.
 *   - virtio devices: every upstream INF lists the generic
 *     PCI\VEN_1AF4&DEV_xxxx after the SUBSYS/REV ID, so that a device with
 *     another subsystem ID (another VMM) still finds its driver. */
#include "inflint_policy.h"
#include "inflint_service.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAXF     32
#define MAX_SEEN 128
#define MAX_IFC  16

enum ctx { CTX_SOFTWARE, CTX_HARDWARE, CTX_SERVICE };

static const struct inf *g_inf;
static const char *g_arch;
static policy_report_fn *g_report;

/* Global registry keys a universal INF may write ("Using a Universal INF
 * File", learn.microsoft.com/windows-hardware/drivers/install/
 * using-a-universal-inf-file, the AddReg caveats): a root and a subkey
 * prefix ending at a key boundary (NULL: any subkey).  No package here
 * uses one. */
static const struct {
    const char *root, *subkey;
} allowed_global[] = {
    {"HKCR", NULL},                                                         /* COM registration */
    {"HKLM", "SOFTWARE\\Classes"},                                          /* COM registration */
    {"HKLM", "SOFTWARE\\Microsoft\\Windows Media Foundation"},              /* MFTs */
    {"HKLM", "SOFTWARE\\WOW6432Node\\Microsoft\\Windows Media Foundation"}, /* MFTs */
    {"HKLM", "SOFTWARE\\WOW3232Node\\Microsoft\\Windows Media Foundation"}, /* MFTs */
    {NULL, NULL},
};

/* Whether ROOT,SUBKEY is one of allowed_global[]. */
static int global_allowed(const char *root, const char *subkey)
{
    for (size_t a = 0; allowed_global[a].root; a++) {
        if (strcasecmp(root, allowed_global[a].root))
            continue;
        const char *p = allowed_global[a].subkey;
        if (p == NULL)
            return 1;
        size_t n = strlen(p);
        if (!strncasecmp(subkey, p, n) && (subkey[n] == '\0' || subkey[n] == '\\'))
            return 1;
    }
    return 0;
}

#define CNG_PROVIDERS "SYSTEM\\CurrentControlSet\\Control\\Cryptography\\Providers\\"

/* A CNG interface key written by the INF and whether it lists Functions. */
static struct {
    char key[512];
    int lineno, has_functions;
} g_ifc[MAX_IFC];
static size_t g_nifc;

/* Whether p is seen for the first time (then remembered). */
static int once(const void **seen, size_t *n, const void *p)
{
    for (size_t i = 0; i < *n; i++)
        if (seen[i] == p)
            return 0;
    if (*n < MAX_SEEN)
        seen[(*n)++] = p;
    return 1;
}

/* Expand %strings% from [Strings] into out, bounded. */
void policy_expand(const struct inf *inf, const char *in, char *out, size_t outlen)
{
    size_t o = 0;
    const struct inf_section *str = inf_find(inf, "Strings");
    for (const char *p = in; *p && o + 1 < outlen;) {
        const char *e = *p == '%' ? strchr(p + 1, '%') : NULL;
        const char *val = NULL;
        if (e && str)
            for (size_t k = 0; k < str->n; k++)
                if (str->lines[k].key && strlen(str->lines[k].key) == (size_t)(e - p - 1) &&
                    !strncasecmp(str->lines[k].key, p + 1, (size_t)(e - p - 1)))
                    val = str->lines[k].value;
        if (!val) {
            out[o++] = *p++;
            continue;
        }
        for (const char *v = val; *v && o + 1 < outlen; v++)
            if (*v != '"')
                out[o++] = *v;
        p = e + 1;
    }
    out[o] = 0;
}

/* A number in C notation, with *ok saying whether all of s was one. */
static unsigned long number(const char *s, int *ok)
{
    char *end;
    unsigned long v = strtoul(s, &end, 0);
    *ok = *s && !*end;
    return v;
}

/* Whether s is exactly eight hexadecimal digits. */
static int hex8(const char *s)
{
    for (int i = 0; i < 8; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return s[8] == 0;
}

/* A registry line under Cryptography\Providers: the layout bcrypt reads. */
static void cng_line(const char *subkey, const char *name, const char *flags, const char *value,
                     int lineno)
{
    const char *rest = subkey + strlen(CNG_PROVIDERS);
    const char *um = strstr(rest, "\\UM");
    if (!um)
        return;
    const char *after = um + 3;
    if (!*after && !strcasecmp(name, "Image") && (strpbrk(value, "\\/:") || value[0] == '%'))
        g_report(lineno,
                 "CNG provider Image \"%s\" is a path: bcrypt loads the bare file name of a DLL "
                 "in System32",
                 value);
    if (*after != '\\')
        return;
    char ifc[16];
    snprintf(ifc, sizeof(ifc), "%.8s", after + 1);
    size_t keylen = (size_t)(after - subkey) + 1 + strlen(ifc);
    if (!hex8(ifc) || (after[9] && after[9] != '\\'))
        return;
    if (after[9] == '\\') {
        g_report(lineno,
                 "CNG algorithm key %s: bcrypt enumerates an interface's algorithms from its "
                 "Functions multi-string, not from subkeys",
                 after + 10);
        return;
    }
    size_t i;
    for (i = 0; i < g_nifc; i++)
        if (strlen(g_ifc[i].key) == keylen && !strncasecmp(g_ifc[i].key, subkey, keylen))
            break;
    if (i == g_nifc) {
        if (g_nifc == MAX_IFC)
            return;
        snprintf(g_ifc[g_nifc].key, sizeof(g_ifc[0].key), "%.*s", (int)keylen, subkey);
        g_ifc[g_nifc++].lineno = lineno;
    }
    int ok;
    unsigned long fl = number(flags, &ok);
    if (!strcasecmp(name, "Functions") && ok && (fl & 0x00010000) && !(fl & 0x00000001))
        g_ifc[i].has_functions = 1;
}

/* Check an AddReg section against what a universal INF may write where. */
static void addreg_section(const struct inf_section *s, enum ctx ctx)
{
    static const char *const where[] = {"the software key (DDInstall)",
                                        "the hardware key (DDInstall.HW)",
                                        "the service key (service-install section)"};
    char buf[1024], *f[MAXF], subkey[512];
    for (size_t k = 0; k < s->n; k++) {
        const struct inf_line *l = &s->lines[k];
        if (l->key)
            continue;
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        const char *root = f[0], *name = n > 2 ? f[2] : "", *flags = n > 3 ? f[3] : "0";
        const char *value = n > 4 ? f[4] : "";
        policy_expand(g_inf, n > 1 ? f[1] : "", subkey, sizeof(subkey));
        if (strcasecmp(root, "HKR")) {
            if (!global_allowed(root, subkey))
                g_report(l->lineno,
                         "%s write to %s: universal INFs write the registry only through HKR", root,
                         subkey);
            if (!strcasecmp(root, "HKLM") &&
                !strncasecmp(subkey, CNG_PROVIDERS, strlen(CNG_PROVIDERS)))
                cng_line(subkey, name, flags, value, l->lineno);
            continue;
        }
        int ok;
        unsigned long v = number(value, &ok);
        irq_value_check(subkey, name, flags, value, ctx == CTX_HARDWARE, l->lineno, g_report);
        if (!strcasecmp(name, "DmaRemappingCompatible")) {
            if (ctx != CTX_SERVICE || strcasecmp(subkey, "Parameters"))
                g_report(l->lineno,
                         "DmaRemappingCompatible in %s%s%s: Windows reads it only from "
                         "HKR,Parameters of the service-install section's AddReg",
                         where[ctx], *subkey ? ", subkey " : "", subkey);
            else if (!ok || v > 2)
                g_report(l->lineno, "DmaRemappingCompatible %s: 0, 1 or 2", value);
        } else if (!strcasecmp(name, "RemappingSupported")) {
            if (ctx != CTX_HARDWARE || strcasecmp(subkey, "DMA Management"))
                g_report(l->lineno,
                         "RemappingSupported in %s%s%s: Windows reads it only from "
                         "HKR,\"DMA Management\" of DDInstall.HW's AddReg",
                         where[ctx], *subkey ? ", subkey " : "", subkey);
            else if (!ok || v > 1)
                g_report(l->lineno, "RemappingSupported %s: 0 or 1", value);
        }
    }
}

/* Every AddReg section a section names, each checked once per context. */
static void addregs_of(const struct inf_section *s, enum ctx ctx)
{
    static const void *seen[3][MAX_SEEN];
    static size_t nseen[3];
    char buf[1024], *f[MAXF];
    for (size_t k = 0; s && k < s->n; k++) {
        const struct inf_line *l = &s->lines[k];
        if (!l->key || strcasecmp(l->key, "AddReg"))
            continue;
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        for (size_t j = 0; j < n; j++) {
            const struct inf_section *r = inf_find(g_inf, f[j]);
            if (r && once(seen[ctx], &nseen[ctx], r))
                addreg_section(r, ctx);
        }
    }
}

/* DDInstall.Services: the AddService lines, their service-install
 * sections, and one associated service at most. */
static void services_section(const struct inf_section *s)
{
    char buf[1024], *f[MAXF];
    int assoc = 0, include = 0;
    for (size_t k = 0; k < s->n; k++)
        include |= s->lines[k].key && !strcasecmp(s->lines[k].key, "Include");
    for (size_t k = 0; k < s->n; k++) {
        const struct inf_line *l = &s->lines[k];
        if (!l->key)
            continue;
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        if (!strcasecmp(l->key, "AddService")) {
            int ok;
            unsigned long fl = n > 1 ? number(f[1], &ok) : 0;
            if (fl & 0x2 && ++assoc > 1)
                g_report(l->lineno, "a second associated service in [%s] (one per device)",
                         s->name);
            const struct inf_section *svc = n > 2 && f[2][0] ? inf_find(g_inf, f[2]) : NULL;
            if (svc) {
                service_check(g_inf, svc, fl, g_report);
                addregs_of(svc, CTX_SERVICE);
            }
        }
    }
    for (size_t k = 0; include && k < s->n; k++) {
        const struct inf_line *l = &s->lines[k];
        if (!l->key || strcasecmp(l->key, "Needs"))
            continue;
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        for (size_t j = 0; j < n; j++) {
            size_t len = strlen(f[j]);
            if (len > 9 && !strcasecmp(f[j] + len - 9, ".Services") && assoc)
                g_report(l->lineno,
                         "Needs = %s adds the included INF's associated service to [%s], which "
                         "has its own: two function drivers for one device",
                         f[j], s->name);
        }
    }
}

/* Check an install section of the arch and the sections it reaches, each once. */
static void install_section(const char *base)
{
    static const void *seen[MAX_SEEN];
    static size_t nseen;
    char name[512];
    snprintf(name, sizeof(name), "%s.NT%s", base, g_arch);
    const struct inf_section *s = inf_find(g_inf, name);
    if (!s) {
        snprintf(name, sizeof(name), "%s.NT", base);
        s = inf_find(g_inf, name);
    }
    if (!s)
        s = inf_find(g_inf, base);
    if (!s || !once(seen, &nseen, s))
        return;
    addregs_of(s, CTX_SOFTWARE);
    snprintf(name, sizeof(name), "%s.HW", s->name);
    addregs_of(inf_find(g_inf, name), CTX_HARDWARE);
    snprintf(name, sizeof(name), "%s.Services", s->name);
    const struct inf_section *svc = inf_find(g_inf, name);
    if (svc)
        services_section(svc);
}

/* PCI\VEN_1AF4&DEV_xxxx&... needs PCI\VEN_1AF4&DEV_xxxx in the same models
 * section (reported once per device ID). */
static void generic_ids(const struct inf_section *m)
{
    char buf[1024], *f[MAXF], buf2[1024], *g[MAXF];
    for (size_t k = 0; k < m->n; k++) {
        size_t n = inf_fields(m->lines[k].value, f, MAXF, buf, sizeof(buf));
        for (size_t j = 1; j < n; j++) {
            const char *id = f[j];
            if (strncasecmp(id, "PCI\\VEN_1AF4&DEV_", 17) || strlen(id) <= 21)
                continue;
            int found = 0, earlier = 0;
            for (size_t a = 0; a < m->n && !found; a++) {
                size_t gn = inf_fields(m->lines[a].value, g, MAXF, buf2, sizeof(buf2));
                for (size_t b = 1; b < gn; b++) {
                    found |= strlen(g[b]) == 21 && !strncasecmp(g[b], id, 21);
                    if (a < k && strlen(g[b]) > 21 && !strncasecmp(g[b], id, 21))
                        earlier = 1;
                }
            }
            if (!found && !earlier)
                g_report(m->lines[k].lineno,
                         "virtio device %.21s has no generic hardware ID (without SUBSYS/REV): "
                         "a device with another subsystem or revision gets no driver",
                         id);
        }
    }
}

/* Check an INF against the universal and declarative driver rules for arch. */
void policy_check(const struct inf *inf, const char *arch, policy_report_fn *report)
{
    g_inf = inf;
    g_arch = arch;
    g_report = report;
    g_nifc = 0;
    const struct inf_section *mf = inf_find(inf, "Manufacturer");
    char buf[1024], *f[MAXF], name[512], buf2[1024], *g[MAXF];
    for (size_t k = 0; mf && k < mf->n; k++) {
        size_t n = inf_fields(mf->lines[k].value, f, MAXF, buf, sizeof(buf));
        for (size_t j = n > 1 ? 1 : 0; j < n; j++) {
            if (n > 1)
                snprintf(name, sizeof(name), "%s.%s", f[0], f[j]);
            else
                snprintf(name, sizeof(name), "%s", f[0]);
            const struct inf_section *m = inf_find(inf, name);
            if (!m)
                continue;
            generic_ids(m);
            for (size_t a = 0; a < m->n; a++) {
                size_t gn = inf_fields(m->lines[a].value, g, MAXF, buf2, sizeof(buf2));
                if (gn && g[0][0])
                    install_section(g[0]);
            }
        }
    }
    for (size_t i = 0; i < g_nifc; i++)
        if (!g_ifc[i].has_functions)
            report(g_ifc[i].lineno,
                   "CNG interface key %s has no Functions multi-string: bcrypt finds none of "
                   "its algorithms",
                   g_ifc[i].key);
}
