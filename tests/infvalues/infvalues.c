/*
 * infvalues DRIVER FILE.inf: the values Windows relies on in a shipped
 * viostor, vioscsi or netkvm INF, asserted (check-infvalues).  One line
 * "FILE:LINE: family: message" per value that differs; exit 1 if any.
 *
 * The expected values (table below) are the existing distribution's
 * (../shared/reference/drivers.md: hardware IDs, service names, BusType,
 * MessageNumberLimit), so that an upgrade replaces the installed driver in
 * place, and what Microsoft documents for them:
 *   - "INF AddService Directive": ServiceType 1 SERVICE_KERNEL_DRIVER;
 *     StartType 0 SERVICE_BOOT_START "must be used for drivers of devices
 *     required for loading the operating system", 3 SERVICE_DEMAND_START
 *     for PnP drivers that are not; ErrorControl 1 SERVICE_ERROR_NORMAL;
 *     SPSVCINST_ASSOCSERVICE (0x2) names the device's function driver, and
 *     the NOCLOBBER flags (0x10 start type, 0x40 load order group) would
 *     keep an installed service's old values on an upgrade.
 *   - "Registry Entries for Plug and Play SCSI Miniport Drivers": the
 *     service key's Parameters\PnpInterface holds one REG_DWORD per
 *     INTERFACE_TYPE the miniport serves (5 = PCIBus); without it the
 *     miniport is not started as a PnP driver on that bus.
 *   - STORAGE_BUS_TYPE (ntddstor.h): BusTypeScsi 1 ... BusTypeSas 0xA ...
 *     BusTypeNvmeof 0x14, BusTypeMax 0x15 (not a value to use).
 *   - "Enabling Message-Signaled Interrupts in the Registry": MSISupported
 *     (REG_DWORD 1) and MessageNumberLimit (REG_DWORD, at most 2048 for
 *     MSI-X) under the device's hardware key, i.e. DDInstall.HW's AddReg;
 *     "Interrupt Affinity and Priority": DevicePolicy 5
 *     IrqPolicySpreadMessagesAcrossAllProcessors, GroupPolicy 1
 *     GroupAffinityDontCare, same key.
 *   - Crash dump and hibernation write through a second copy of the boot
 *     disk's miniport image that the kernel loads itself: the boot-start
 *     service's ServiceBinary must be the very file the package copies, into
 *     the directory the package copies it to (family "files").
 *   - Network ("INF File Sections and Directives" for network adapters,
 *     "Standardized INF Keywords"): Characteristics 0x84 NCF_PHYSICAL |
 *     NCF_HAS_UI, BusType 5 PCIBus, *IfType 6 IF_TYPE_ETHERNET_CSMACD,
 *     *MediaType 0 NdisMedium802_3, *PhysicalMediaType 14
 *     NdisPhysicalMedium802_3; Ndi Service the adapter's service, Ndi\Interfaces
 *     UpperRange "ndis5" (binds the NDIS 5+ protocols) and LowerRange
 *     "ethernet" (an 802.3 adapter).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../sign/fileio.h"
#include "../../sign/inf.h"

#define REG_DWORD_FLAGS   0x00010001 /* FLG_ADDREG_TYPE_DWORD */
#define MSIX_MESSAGES_MAX 2048       /* "Enabling Message-Signaled Interrupts" */
#define BUS_TYPE_MAX      0x15       /* STORAGE_BUS_TYPE BusTypeMax */
#define PCI_BUS           5          /* INTERFACE_TYPE PCIBus */
#define ASSOC_SERVICE     0x2        /* SPSVCINST_ASSOCSERVICE */
#define MAX_IDS           8
#define NONE              (-1L)

/* What one driver's shipped INF must say. */
struct expect {
    const char *driver, *class_name, *class_guid;
    const char *hwids[MAX_IDS]; /* in [Models] order: specific IDs, then generic */
    const char *service, *binary, *load_order_group;
    long service_type, start_type, error_control;
    int storport;                            /* PnpInterface\5 and Parameters BusType */
    long bus_type;                           /* storage: STORAGE_BUS_TYPE */
    long msi_limit;                          /* MessageNumberLimit */
    int spread;                              /* DevicePolicy 5, GroupPolicy 1 */
    long characteristics, ndis_bus;          /* network: DDInstall directives */
    long if_type, media_type, physical_type; /* network: *IfType, *MediaType, ... */
    long dma_w10, dma_w11; /* Parameters\DmaRemappingCompatible per build set (NONE: any) */
};

/* Fields not named are 0; NONE where a value does not apply. */
static const struct expect g_table[] = {
    {
        .driver = "viostor",
        .class_name = "SCSIAdapter",
        .class_guid = "{4d36e97b-e325-11ce-bfc1-08002be10318}",
        .hwids = {"PCI\\VEN_1AF4&DEV_1001&SUBSYS_00021AF4&REV_00",
                  "PCI\\VEN_1AF4&DEV_1042&SUBSYS_11001AF4&REV_01", "PCI\\VEN_1AF4&DEV_1001",
                  "PCI\\VEN_1AF4&DEV_1042"},
        .service = "viostor",
        .binary = "viostor.sys",
        .load_order_group = "SCSI miniport",
        .service_type = 1,
        .start_type = 0,
        .error_control = 1,
        .storport = 1,
        .bus_type = 0x1, /* BusTypeScsi */
        .msi_limit = 257,
        .dma_w10 = 0,
        .dma_w11 = 0,
        .spread = 1,
        .characteristics = NONE,
    },
    {
        .driver = "vioscsi",
        .class_name = "SCSIAdapter",
        .class_guid = "{4d36e97b-e325-11ce-bfc1-08002be10318}",
        .hwids = {"PCI\\VEN_1AF4&DEV_1004&SUBSYS_00081AF4&REV_00",
                  "PCI\\VEN_1AF4&DEV_1048&SUBSYS_11001AF4&REV_01", "PCI\\VEN_1AF4&DEV_1004",
                  "PCI\\VEN_1AF4&DEV_1048"},
        .service = "vioscsi",
        .binary = "vioscsi.sys",
        .load_order_group = "SCSI miniport",
        .service_type = 1,
        .start_type = 0,
        .error_control = 1,
        .storport = 1,
        .bus_type = 0xA, /* BusTypeSas */
        .msi_limit = 258,
        .dma_w10 = 0,
        .dma_w11 = 0,
        .spread = 1,
        .characteristics = NONE,
    },
    {
        .driver = "netkvm",
        .class_name = "Net",
        .class_guid = "{4d36e972-e325-11ce-bfc1-08002be10318}",
        .hwids = {"PCI\\VEN_1AF4&DEV_1000&SUBSYS_00011AF4&REV_00",
                  "PCI\\VEN_1AF4&DEV_1041&SUBSYS_11001AF4&REV_01", "PCI\\VEN_1AF4&DEV_1000",
                  "PCI\\VEN_1AF4&DEV_1041"},
        .service = "netkvm",
        .binary = "netkvm.sys",
        .load_order_group = "NDIS",
        .service_type = 1,
        .start_type = 3,
        .error_control = 1,
        .bus_type = NONE,
        .msi_limit = 2048,
        .dma_w10 = 0,
        .dma_w11 = 2,
        .characteristics = 0x84,
        .ndis_bus = 5,
        .if_type = 6,
        .media_type = 0,
        .physical_type = 14,
    },
};

static const struct inf *g_inf;
static int g_findings;

/* One finding: file:line: family: message. */
__attribute__((format(printf, 3, 4))) static void report(int lineno, const char *family,
                                                         const char *fmt, ...)
{
    va_list ap;
    printf("%s:%d: %s: ", g_inf->path, lineno, family);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    g_findings++;
}

/* The directive `key` of section s, or NULL. */
static const struct inf_line *directive(const struct inf_section *s, const char *key)
{
    for (size_t i = 0; s && i < s->n; i++)
        if (s->lines[i].key && !strcasecmp(s->lines[i].key, key))
            return &s->lines[i];
    return NULL;
}

/* text as a whole number (decimal or 0x hex), or NONE. */
static long number(const char *text)
{
    char *end;
    if (!text || !text[0])
        return NONE;
    long v = strtol(text, &end, 0);
    while (*end == ' ' || *end == '\t')
        end++;
    return *end || v < 0 ? NONE : v;
}

/* One registry value an AddReg section sets. */
struct regval {
    int lineno;
    long flags, value;
    char text[64];
};

/* Finds HKR,subkey,name in the AddReg sections `addreg` names (later lines win). */
static struct regval hkr_value(const struct inf_line *addreg, const char *subkey, const char *name)
{
    struct regval r = {0, NONE, NONE, ""};
    char lbuf[512], *secs[16];
    size_t ns = addreg ? inf_fields(addreg->value, secs, 16, lbuf, sizeof(lbuf)) : 0;
    for (size_t s = 0; s < ns; s++) {
        const struct inf_section *sec = inf_find(g_inf, secs[s]);
        for (size_t i = 0; sec && i < sec->n; i++) {
            const struct inf_line *l = &sec->lines[i];
            char buf[1024], *f[5] = {0};
            size_t n = inf_fields(l->key ? l->key : l->value, f, 5, buf, sizeof(buf));
            if (n < 3 || strcasecmp(f[0], "HKR") || strcasecmp(f[1], subkey) ||
                strcasecmp(f[2], name))
                continue;
            r.lineno = l->lineno;
            r.flags = n > 3 ? number(f[3]) : NONE;
            r.value = n > 4 ? number(f[4]) : NONE;
            snprintf(r.text, sizeof(r.text), "%s", n > 4 ? f[4] : "");
        }
    }
    return r;
}

/* A REG_DWORD the INF must set to want (family fam, where: which key). */
static void need_dword(const struct inf_line *addreg, int at, const char *fam, const char *subkey,
                       const char *name, long want, const char *why)
{
    struct regval r = hkr_value(addreg, subkey, name);
    const char *sep = subkey[0] ? "\\" : "";
    if (!r.lineno)
        report(at, fam, "%s%s%s not set (want REG_DWORD %ld: %s)", subkey, sep, name, want, why);
    else if (r.flags != REG_DWORD_FLAGS || r.value != want)
        report(r.lineno, fam, "%s%s%s is flags 0x%lx value %ld, want REG_DWORD %ld (%s)", subkey,
               sep, name, r.flags, r.value, want, why);
}

/* A REG_SZ (flags 0) the INF must set to want, case aside. */
static void need_sz(const struct inf_line *addreg, int at, const char *fam, const char *subkey,
                    const char *name, const char *want)
{
    struct regval r = hkr_value(addreg, subkey, name);
    if (!r.lineno)
        report(at, fam, "%s\\%s not set (want \"%s\")", subkey, name, want);
    else if (r.flags != 0 || strcasecmp(r.text, want))
        report(r.lineno, fam, "%s\\%s is flags 0x%lx \"%s\", want REG_SZ \"%s\"", subkey, name,
               r.flags, r.text, want);
}

/* [Version] Class and ClassGuid. */
static void check_version(const struct expect *e)
{
    const struct inf_section *v = inf_find(g_inf, "Version");
    const struct inf_line *c = directive(v, "Class"), *g = directive(v, "ClassGuid");
    if (!c || strcasecmp(c->value, e->class_name))
        report(c ? c->lineno : 1, "version", "Class %s, want %s", c ? c->value : "missing",
               e->class_name);
    if (!g || strcasecmp(g->value, e->class_guid))
        report(g ? g->lineno : 1, "version", "ClassGuid %s, want %s", g ? g->value : "missing",
               e->class_guid);
}

/* The models sections' hardware IDs, in order, all to one install section. */
static const char *check_models(const struct expect *e, char *install, size_t len)
{
    const struct inf_section *man = inf_find(g_inf, "Manufacturer");
    char buf[512], *f[8], name[256];
    install[0] = '\0';
    if (!man || !man->n) {
        report(1, "hwid", "no [Manufacturer] section");
        return NULL;
    }
    size_t n = inf_fields(man->lines[0].value, f, 8, buf, sizeof(buf));
    for (size_t d = n > 1 ? 1 : 0; d < n; d++) {
        if (n > 1)
            snprintf(name, sizeof(name), "%s.%s", f[0], f[d]);
        else
            snprintf(name, sizeof(name), "%s", f[0]);
        const struct inf_section *s = inf_find(g_inf, name);
        if (!s) {
            report(man->lines[0].lineno, "hwid", "models section [%s] missing", name);
            continue;
        }
        size_t k = 0;
        for (size_t i = 0; i < s->n; i++, k++) {
            char lb[512], *lf[3];
            size_t ln = inf_fields(s->lines[i].value, lf, 3, lb, sizeof(lb));
            const char *id = ln > 1 ? lf[1] : "";
            if (k >= MAX_IDS || !e->hwids[k] || strcasecmp(id, e->hwids[k]))
                report(s->lines[i].lineno, "hwid", "[%s] entry %zu is %s, want %s", name, k + 1, id,
                       k < MAX_IDS && e->hwids[k] ? e->hwids[k] : "no more entries");
            if (!install[0])
                snprintf(install, len, "%s", lf[0]);
            else if (strcasecmp(install, lf[0]))
                report(s->lines[i].lineno, "hwid", "install section %s, want %s as the others",
                       lf[0], install);
        }
        if (k < MAX_IDS && e->hwids[k])
            report(s->lineno, "hwid", "[%s] lacks %s", name, e->hwids[k]);
    }
    return install[0] ? install : NULL;
}

/* The dirid a file-list section copies to ([DestinationDirs]), or NONE. */
static long dest_dirid(const char *files)
{
    const struct inf_section *d = inf_find(g_inf, "DestinationDirs");
    const struct inf_line *l = directive(d, files);
    if (!l)
        l = directive(d, "DefaultDestDir");
    char buf[128], *f[2];
    return l && inf_fields(l->value, f, 2, buf, sizeof(buf)) ? number(f[0]) : NONE;
}

/* CopyFiles copies exactly the image, which [SourceDisksFiles] lists; returns its dirid. */
static long check_files(const struct expect *e, const struct inf_section *inst)
{
    const struct inf_line *c = directive(inst, "CopyFiles");
    char buf[512], *f[8];
    size_t n = c ? inf_fields(c->value, f, 8, buf, sizeof(buf)) : 0;
    long dirid = NONE;
    int found = 0;
    for (size_t i = 0; i < n; i++) {
        const struct inf_section *s = inf_find(g_inf, f[i]);
        for (size_t k = 0; s && k < s->n; k++) {
            char lb[256], *lf[2];
            inf_fields(s->lines[k].key ? s->lines[k].key : s->lines[k].value, lf, 2, lb,
                       sizeof(lb));
            if (!strcasecmp(lf[0], e->binary)) {
                found = 1;
                dirid = dest_dirid(f[i]);
            } else {
                report(s->lines[k].lineno, "files", "copies %s; the package is %s alone", lf[0],
                       e->binary);
            }
        }
    }
    if (!found)
        report(c ? c->lineno : inst->lineno, "files", "[%s] does not copy %s", inst->name,
               e->binary);
    if (!directive(inf_find(g_inf, "SourceDisksFiles"), e->binary))
        report(1, "files", "[SourceDisksFiles] does not list %s", e->binary);
    if (found && dirid != 12 && dirid != 13)
        report(c->lineno, "files", "%s copied to dirid %ld, want 12 (drivers) or 13 (driver store)",
               e->binary, dirid);
    return dirid;
}

/* A service-install section's number directive against want (meaning: its name). */
static void service_number(const struct inf_section *svc, const char *key, long want,
                           const char *meaning)
{
    const struct inf_line *l = directive(svc, key);
    long v = l ? number(l->value) : NONE;
    if (v != want)
        report(l ? l->lineno : svc->lineno, "service", "%s %s, want %ld (%s)", key,
               l ? l->value : "missing", want, meaning);
}

/* DDInstall.Services: the one associated service and its values; returns its section. */
static const struct inf_section *check_service(const struct expect *e,
                                               const struct inf_section *inst, long dirid)
{
    char name[256], buf[512], *f[4];
    snprintf(name, sizeof(name), "%s.Services", inst->name);
    const struct inf_section *s = inf_find(g_inf, name);
    const struct inf_line *a = directive(s, "AddService");
    size_t n = a ? inf_fields(a->value, f, 4, buf, sizeof(buf)) : 0;
    if (n < 3) {
        report(s ? s->lineno : inst->lineno, "service", "[%s] has no AddService", name);
        return NULL;
    }
    if (strcasecmp(f[0], e->service))
        report(a->lineno, "service", "service name %s, want %s (the installed driver's)", f[0],
               e->service);
    if (number(f[1]) != ASSOC_SERVICE)
        report(a->lineno, "service",
               "AddService flags %s, want 0x2 (SPSVCINST_ASSOCSERVICE alone: no NOCLOBBER)", f[1]);
    const struct inf_section *svc = inf_find(g_inf, f[2]);
    if (!svc) {
        report(a->lineno, "service", "service-install section [%s] missing", f[2]);
        return NULL;
    }
    service_number(svc, "ServiceType", e->service_type, "SERVICE_KERNEL_DRIVER");
    service_number(svc, "StartType", e->start_type,
                   e->start_type ? "SERVICE_DEMAND_START" : "SERVICE_BOOT_START: the system disk");
    service_number(svc, "ErrorControl", e->error_control, "SERVICE_ERROR_NORMAL");
    const struct inf_line *g = directive(svc, "LoadOrderGroup");
    if (!g || strcasecmp(g->value, e->load_order_group))
        report(g ? g->lineno : svc->lineno, "service", "LoadOrderGroup %s, want %s",
               g ? g->value : "missing", e->load_order_group);
    const struct inf_line *b = directive(svc, "ServiceBinary");
    char want[128];
    snprintf(want, sizeof(want), "%%%ld%%\\%s", dirid, e->binary);
    if (!b || strcasecmp(b->value, want))
        report(b ? b->lineno : svc->lineno, "files",
               "ServiceBinary %s, want %s (the file the package copies, where it copies it)",
               b ? b->value : "missing", want);
    return svc;
}

/* The service key's DmaRemappingCompatible (pci/enabling-dma-remapping-
 * for-device-drivers: 0 out, 1 in, 2 in for external devices or under
 * Driver Verifier's DMA checks) for the build set: the w11 set's packages
 * run from the driver store (ServiceBinary dirid 13), the w10 set's not. */
static void check_dma(const struct expect *e, const struct inf_section *svc, long dirid)
{
    long want = dirid == 13 ? e->dma_w11 : e->dma_w10;
    if (want != NONE)
        need_dword(directive(svc, "AddReg"), svc->lineno, "dma", "Parameters",
                   "DmaRemappingCompatible", want,
                   dirid == 13 ? "the w11 set's opt-in" : "the w10 set's opt-in");
}

/* StorPort's service-key values: PnpInterface for PCI, the BusType disks report. */
static void check_storport(const struct expect *e, const struct inf_section *svc)
{
    const struct inf_line *a = directive(svc, "AddReg");
    char pci[8];
    snprintf(pci, sizeof(pci), "%d", PCI_BUS);
    need_dword(a, svc->lineno, "storport", "Parameters\\PnpInterface", pci, 1,
               "PnP miniport on PCIBus");
    need_dword(a, svc->lineno, "storport", "Parameters", "BusType", e->bus_type,
               "the existing driver's STORAGE_BUS_TYPE");
}

/* DDInstall.HW: MSI(-X) and the interrupt affinity policy. */
static void check_msi(const struct expect *e, const struct inf_section *inst)
{
    char name[256];
    snprintf(name, sizeof(name), "%s.HW", inst->name);
    const struct inf_section *hw = inf_find(g_inf, name);
    const struct inf_line *a = directive(hw, "AddReg");
    int at = hw ? hw->lineno : inst->lineno;
    const char *msi = "Interrupt Management\\MessageSignaledInterruptProperties";
    need_dword(a, at, "msi", msi, "MSISupported", 1, "MSI enabled");
    need_dword(a, at, "msi", msi, "MessageNumberLimit", e->msi_limit, "the existing driver's");
    if (e->spread) {
        const char *aff = "Interrupt Management\\Affinity Policy";
        need_dword(a, at, "msi", aff, "DevicePolicy", 5, "spread messages over all processors");
        need_dword(a, at, "msi", aff, "GroupPolicy", 1, "any processor group");
    }
}

/* A network install section's directive and its value. */
static void ndis_number(const struct inf_section *inst, const char *key, long want)
{
    const struct inf_line *l = directive(inst, key);
    long v = l ? number(l->value) : NONE;
    if (v != want)
        report(l ? l->lineno : inst->lineno, "ndis", "%s %s, want 0x%lx", key,
               l ? l->value : "missing", want);
}

/* Network adapter: Characteristics, BusType, the three medium keywords, the Ndi bindings. */
static void check_ndis(const struct expect *e, const struct inf_section *inst)
{
    ndis_number(inst, "Characteristics", e->characteristics);
    ndis_number(inst, "BusType", e->ndis_bus);
    const struct inf_line *a = directive(inst, "AddReg");
    need_dword(a, inst->lineno, "ndis", "", "*IfType", e->if_type, "IF_TYPE_ETHERNET_CSMACD");
    need_dword(a, inst->lineno, "ndis", "", "*MediaType", e->media_type, "NdisMedium802_3");
    need_dword(a, inst->lineno, "ndis", "", "*PhysicalMediaType", e->physical_type,
               "NdisPhysicalMedium802_3");
    need_sz(a, inst->lineno, "ndis", "Ndi", "Service", e->service);
    need_sz(a, inst->lineno, "ndis", "Ndi\\Interfaces", "UpperRange", "ndis5");
    need_sz(a, inst->lineno, "ndis", "Ndi\\Interfaces", "LowerRange", "ethernet");
}

/* The table itself within what Microsoft documents (a wrong row fails every INF). */
static int table_sane(const struct expect *e)
{
    return e->service_type == 1 && (e->start_type == 0 || e->start_type == 3) &&
           e->error_control >= 0 && e->error_control <= 3 && e->msi_limit >= 1 &&
           e->msi_limit <= MSIX_MESSAGES_MAX &&
           (!e->storport || (e->bus_type > 0 && e->bus_type < BUS_TYPE_MAX));
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: infvalues viostor|vioscsi|netkvm FILE.inf\n");
        return 2;
    }
    const struct expect *e = NULL;
    for (size_t i = 0; i < sizeof(g_table) / sizeof(g_table[0]); i++)
        if (!strcasecmp(argv[1], g_table[i].driver))
            e = &g_table[i];
    if (!e || !table_sane(e)) {
        fprintf(stderr, "infvalues: no (sane) table row for %s\n", argv[1]);
        return 2;
    }
    size_t len;
    char *text = (char *)read_file(argv[2], &len), err[256], install[128], name[160];
    struct inf inf = {0};
    if (!text || inf_parse(&inf, argv[2], text, err, sizeof(err))) {
        fprintf(stderr, "infvalues: %s: %s\n", argv[2], text ? err : "cannot read");
        return 2;
    }
    g_inf = &inf;
    check_version(e);
    if (check_models(e, install, sizeof(install))) {
        snprintf(name, sizeof(name), "%s.NT", install);
        const struct inf_section *inst = inf_find(&inf, name);
        if (!inst)
            inst = inf_find(&inf, install);
        if (!inst) {
            report(1, "hwid", "install section [%s] missing", name);
        } else {
            long dirid = check_files(e, inst);
            const struct inf_section *svc = check_service(e, inst, dirid);
            if (svc && e->storport)
                check_storport(e, svc);
            if (svc)
                check_dma(e, svc, dirid);
            check_msi(e, inst);
            if (e->characteristics != NONE)
                check_ndis(e, inst);
        }
    }
    inf_free(&inf);
    free(text);
    return g_findings ? 1 : 0;
}
