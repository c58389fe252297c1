/* inflint: checks a driver package's INF before it is catalogued.
 *
 *   inflint --arch x86|amd64|arm64 [--dir PACKAGE_DIR] FILE.inf
 *
 * Rules (one "file:line: message" per finding, exit 1 if any):
 *   - every section referenced (models, install, CopyFiles, AddReg, DelReg,
 *     AddService, DestinationDirs) exists;
 *   - every copied file is listed in [SourceDisksFiles] and, with --dir,
 *     present in the package directory;
 *   - [Manufacturer] and SourceDisks* decorations name --arch;
 *   - hardware IDs are well-formed (PCI\VEN_xxxx&DEV_xxxx[&SUBSYS_xxxxxxxx]
 *     [&REV_xx][&CC_xxxx[xx]], ACPI\<id>, or <enumerator>\<id> of safe
 *     characters);
 *   - every %string% is defined in [Strings] (%N% dirids and %% excepted);
 *   - no key appears twice in a section where keys must be unique;
 *   - [Version] DriverVer is MM/DD/YYYY,w.x.y.z with a real date, parts
 *     below 65535 (INF DriverVer directive) and not 0.0.0.0;
 *   - advanced properties (Ndi\Params) are complete and their defaults lie
 *     within their own ranges (inflint_ndi.c);
 *   - install policy (inflint_policy.c): one associated service per device,
 *     HKR-only registry writes, DMA-remapping keys where Windows reads them,
 *     CNG provider registration as bcrypt reads it, generic virtio IDs;
 *   - service-install sections (required entries, documented values, start
 *     types of a device's function driver, a SCSI miniport's PnpInterface
 *     and BusType) and the interrupt values of the hardware key (MSI,
 *     affinity policy): inflint_service.c.
 *
 *   inflint --ranks --arch ARCH FILE.inf...
 * checks that no two of the packages (those one ISO folder offers) match a
 * hardware ID with equal rank (inflint_rank.c). */
#include "fileio.h"
#include "inf.h"
#include "inflint_ndi.h"
#include "inflint_ndis.h"
#include "inflint_policy.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define MAXF 32

static const struct inf *g_inf;
static const char *g_arch, *g_dir;
static int g_errors;

/* Print one finding as file:line: message. */
static void report(int lineno, const char *fmt, ...)
{
    va_list ap;
    fprintf(stdout, "%s:%d: ", g_inf->path, lineno);
    va_start(ap, fmt);
    vfprintf(stdout, fmt, ap);
    va_end(ap);
    fputc('\n', stdout);
    g_errors++;
}

/* Whether s starts with prefix, ignoring case. */
static int starts_ci(const char *s, const char *prefix)
{
    return !strncasecmp(s, prefix, strlen(prefix));
}

/* A section reference must resolve; reports at the referencing line. */
static const struct inf_section *need(const char *name, int lineno)
{
    const struct inf_section *s = inf_find(g_inf, name);
    if (!s)
        report(lineno, "section [%s] is referenced but does not exist", name);
    return s;
}

/* ---- decorations ---- */

/* NT<arch>[.major[.minor[.producttype[.suitemask[.build]]]]] for our arch. */
static int decoration_ok(const char *d)
{
    if (!starts_ci(d, "NT"))
        return 0;
    size_t n = strlen(g_arch);
    if (strncasecmp(d + 2, g_arch, n))
        return 0;
    return d[2 + n] == 0 || d[2 + n] == '.';
}

/* ---- hardware IDs ---- */

/* Whether the first n characters are hexadecimal digits. */
static int hexrun(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* Whether a hardware ID is well formed (PCI\VEN_xxxx&DEV_xxxx..., ACPI\..., or another bus's form).
 */
static int hwid_ok(const char *id)
{
    if (starts_ci(id, "PCI\\")) {
        const char *p = id + 4;
        if (strncmp(p, "VEN_", 4) || !hexrun(p + 4, 4) || strncmp(p + 8, "&DEV_", 5) ||
            !hexrun(p + 13, 4))
            return 0;
        p += 17;
        if (!strncmp(p, "&SUBSYS_", 8)) {
            if (!hexrun(p + 8, 8))
                return 0;
            p += 16;
        }
        if (!strncmp(p, "&REV_", 5)) {
            if (!hexrun(p + 5, 2))
                return 0;
            p += 7;
        }
        /* Class code: &CC_ccss or &CC_ccsspp (class, subclass, interface). */
        if (!strncmp(p, "&CC_", 4)) {
            size_t n = strspn(p + 4, "0123456789abcdefABCDEF");
            if ((n != 4 && n != 6) || p[4 + n])
                return 0;
            p += 4 + n;
        }
        return *p == 0;
    }
    if (starts_ci(id, "ACPI\\")) {
        /* ACPI _HID: PNP id (3 letters + 4 hex) or ACPI id (4 upper-case
         * letters/digits + 4 hex). */
        const char *p = id + 5;
        size_t n = strlen(p);
        if (n == 7)
            return isupper((unsigned char)p[0]) && isupper((unsigned char)p[1]) &&
                   isupper((unsigned char)p[2]) && hexrun(p + 3, 4);
        if (n == 8) {
            for (int i = 0; i < 4; i++)
                if (!isupper((unsigned char)p[i]) && !isdigit((unsigned char)p[i]))
                    return 0;
            return hexrun(p + 4, 4);
        }
        return 0;
    }
    /* Other enumerators: ENUM\ID with no blanks, commas or control bytes. */
    const char *bs = strchr(id, '\\');
    if (!bs || bs == id || !bs[1])
        return 0;
    for (const char *p = id; *p; p++)
        if (*p <= ' ' || *p == ',' || *p > '~')
            return 0;
    return 1;
}

/* ---- files ---- */

/* Whether a file is listed in [SourceDisksFiles] (undecorated or for our platform). */
static int listed_in_source_disks(const char *file)
{
    for (size_t i = 0; i < g_inf->n; i++) {
        const struct inf_section *s = &g_inf->sec[i];
        /* Undecorated, or decorated with our platform only. */
        if (strcasecmp(s->name, "SourceDisksFiles") &&
            !(starts_ci(s->name, "SourceDisksFiles.") && !strcasecmp(s->name + 17, g_arch)))
            continue;
        for (size_t k = 0; k < s->n; k++)
            if (s->lines[k].key && !strcasecmp(s->lines[k].key, file))
                return 1;
    }
    return 0;
}

/* Check a copied file: listed in [SourceDisksFiles] and, with a package folder, present there. */
static void copied_file(const char *file, int lineno)
{
    if (!listed_in_source_disks(file))
        report(lineno, "file %s is copied but not listed in [SourceDisksFiles]", file);
    if (g_dir) {
        char path[4096];
        snprintf(path, sizeof(path), "%s/%s", g_dir, file);
        if (access(path, R_OK))
            report(lineno, "file %s is not in the package directory %s", file, g_dir);
    }
}

/* ---- install sections ---- */

/* Check the CopyFiles, AddReg and AddService directives of an install section. */
static void check_directives(const struct inf_section *s, int is_services)
{
    char buf[1024], *f[MAXF];
    for (size_t k = 0; k < s->n; k++) {
        const struct inf_line *l = &s->lines[k];
        if (!l->key)
            continue;
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        if (!strcasecmp(l->key, "CopyFiles")) {
            for (size_t j = 0; j < n; j++) {
                if (f[j][0] == '@') {
                    copied_file(f[j] + 1, l->lineno);
                    continue;
                }
                const struct inf_section *fl = need(f[j], l->lineno);
                for (size_t m = 0; fl && m < fl->n; m++) {
                    char b2[512], *g[4];
                    /* destination[,source[,...]]: the source name is what
                     * the package holds; it defaults to the destination. */
                    size_t gn = inf_fields(fl->lines[m].key ? fl->lines[m].key : fl->lines[m].value,
                                           g, 4, b2, sizeof(b2));
                    const char *src = gn > 1 && g[1][0] ? g[1] : g[0];
                    copied_file(src, fl->lines[m].lineno);
                }
            }
        } else if (!strcasecmp(l->key, "AddReg") || !strcasecmp(l->key, "DelReg") ||
                   !strcasecmp(l->key, "DelFiles") || !strcasecmp(l->key, "RenFiles")) {
            for (size_t j = 0; j < n; j++) {
                const struct inf_section *r = need(f[j], l->lineno);
                if (r != NULL && !strcasecmp(l->key, "AddReg"))
                    ndi_collect(r);
            }
        } else if (is_services && !strcasecmp(l->key, "AddService")) {
            /* AddService = name, flags, service-install[, event-log-install] */
            for (size_t j = 2; j < n && j < 4; j++)
                if (f[j][0])
                    need(f[j], l->lineno);
        }
    }
}

/* The install section a models entry names, as Windows picks it: the
 * NT<arch> decoration first, then .NT, then the plain name. */
static const struct inf_section *install_section(const char *base, int lineno)
{
    /* Several models usually share one install section: check it once. */
    static const struct inf_section *seen[64];
    static size_t nseen;
    char name[512];
    snprintf(name, sizeof(name), "%s.NT%s", base, g_arch);
    const struct inf_section *s = inf_find(g_inf, name);
    if (!s) {
        snprintf(name, sizeof(name), "%s.NT", base);
        s = inf_find(g_inf, name);
    }
    if (!s)
        s = need(base, lineno);
    if (!s)
        return NULL;
    for (size_t i = 0; i < nseen; i++)
        if (seen[i] == s)
            return s;
    if (nseen < sizeof(seen) / sizeof(seen[0]))
        seen[nseen++] = s;
    check_directives(s, 0);
    if (ndis_is_net(g_inf))
        ndis_install_check(g_inf, s, report);
    static const char *const suffix[] = {".Services", ".HW", ".CoInstallers", ".Wdf"};
    for (size_t i = 0; i < sizeof(suffix) / sizeof(suffix[0]); i++) {
        snprintf(name, sizeof(name), "%s%s", s->name, suffix[i]);
        const struct inf_section *x = inf_find(g_inf, name);
        if (x)
            check_directives(x, i == 0);
    }
    return s;
}

/* Check every line of a models section: description, install section, hardware IDs. */
static void check_models(const struct inf_section *m)
{
    char buf[1024], *f[MAXF];
    for (size_t k = 0; k < m->n; k++) {
        const struct inf_line *l = &m->lines[k];
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        if (!l->key || n < 2) {
            report(l->lineno, "model line needs: description = install-section, hardware-id");
            continue;
        }
        /* The hardware-ID position may be empty when compatible IDs
         * follow ("INF Models section": at least one ID per entry). */
        if (!f[1][0] && n < 3)
            report(l->lineno, "model line has no hardware or compatible ID");
        for (size_t j = 1; j < n; j++)
            if ((f[j][0] || j > 1) && !hwid_ok(f[j]))
                report(l->lineno, "malformed hardware ID \"%s\"", f[j]);
        if (f[0][0])
            install_section(f[0], l->lineno);
    }
}

/* Check [Manufacturer] and the models sections it names. */
static void check_manufacturer(void)
{
    const struct inf_section *mf = inf_find(g_inf, "Manufacturer");
    char buf[1024], *f[MAXF];
    if (!mf) {
        report(1, "no [Manufacturer] section");
        return;
    }
    for (size_t k = 0; k < mf->n; k++) {
        const struct inf_line *l = &mf->lines[k];
        size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
        char name[512];
        if (n < 2) {
            report(l->lineno, "models section has no NT%s decoration", g_arch);
            const struct inf_section *s = need(f[0], l->lineno);
            if (s)
                check_models(s);
            continue;
        }
        for (size_t j = 1; j < n; j++) {
            if (!decoration_ok(f[j])) {
                report(l->lineno, "decoration %s does not match arch %s", f[j], g_arch);
                continue;
            }
            snprintf(name, sizeof(name), "%s.%s", f[0], f[j]);
            const struct inf_section *s = need(name, l->lineno);
            if (s)
                check_models(s);
        }
    }
}

/* SourceDisksNames.<arch> / SourceDisksFiles.<arch>: the platform must be
 * ours (x86, amd64, arm64 are also SetupAPI's names). */
static void check_platform_sections(void)
{
    for (size_t i = 0; i < g_inf->n; i++) {
        const char *name = g_inf->sec[i].name;
        const char *dot = strchr(name, '.');
        if (!dot ||
            (strncasecmp(name, "SourceDisksNames", 16) &&
             strncasecmp(name, "SourceDisksFiles", 16)) ||
            (size_t)(dot - name) != 16)
            continue;
        if (strcasecmp(dot + 1, g_arch))
            report(g_inf->sec[i].lineno, "decoration %s does not match arch %s", dot + 1, g_arch);
    }
}

/* Check that every [DestinationDirs] entry names a copy section that exists. */
static void check_destination_dirs(void)
{
    const struct inf_section *d = inf_find(g_inf, "DestinationDirs");
    for (size_t k = 0; d && k < d->n; k++)
        if (d->lines[k].key && strcasecmp(d->lines[k].key, "DefaultDestDir"))
            need(d->lines[k].key, d->lines[k].lineno);
}

/* ---- strings ---- */

/* Whether a %string% token is defined in [Strings]. */
static int string_defined(const char *name, size_t n)
{
    for (size_t i = 0; i < g_inf->n; i++) {
        const struct inf_section *s = &g_inf->sec[i];
        if (strcasecmp(s->name, "Strings") && !starts_ci(s->name, "Strings."))
            continue;
        for (size_t k = 0; k < s->n; k++)
            if (s->lines[k].key && strlen(s->lines[k].key) == n &&
                !strncasecmp(s->lines[k].key, name, n))
                return 1;
    }
    return 0;
}

/* Check every %token% of a line is terminated and defined. */
static void check_tokens(const char *text, int lineno)
{
    for (const char *p = text; (p = strchr(p, '%'));) {
        const char *e = strchr(p + 1, '%');
        if (!e) {
            report(lineno, "unterminated %%string%% token");
            return;
        }
        size_t n = (size_t)(e - p - 1);
        int dirid = n > 0;
        for (size_t i = 0; i < n; i++)
            dirid &= isdigit((unsigned char)p[1 + i]) != 0;
        if (n && !dirid && !string_defined(p + 1, n))
            report(lineno, "string %%%.*s%% is not defined in [Strings]", (int)n, p + 1);
        p = e + 1;
    }
}

/* Check every %token% outside the [Strings] sections. */
static void check_strings(void)
{
    for (size_t i = 0; i < g_inf->n; i++) {
        const struct inf_section *s = &g_inf->sec[i];
        if (!strcasecmp(s->name, "Strings") || starts_ci(s->name, "Strings."))
            continue;
        for (size_t k = 0; k < s->n; k++) {
            if (s->lines[k].key)
                check_tokens(s->lines[k].key, s->lines[k].lineno);
            check_tokens(s->lines[k].value, s->lines[k].lineno);
        }
    }
}

/* ---- duplicate keys ---- */

/* Whether a section is named by an AddService directive. */
static int is_service_install(const char *name)
{
    char buf[1024], *f[MAXF];
    for (size_t i = 0; i < g_inf->n; i++)
        for (size_t k = 0; k < g_inf->sec[i].n; k++) {
            const struct inf_line *l = &g_inf->sec[i].lines[k];
            if (!l->key || strcasecmp(l->key, "AddService"))
                continue;
            size_t n = inf_fields(l->value, f, MAXF, buf, sizeof(buf));
            if (n > 2 && !strcasecmp(f[2], name))
                return 1;
        }
    return 0;
}

/* Keys must be unique where they name one thing: [Version], [Strings],
 * [Manufacturer], [DestinationDirs], SourceDisks* and service sections.
 * Models and install sections may repeat keys (descriptions, CopyFiles). */
static void check_duplicates(void)
{
    static const char *const unique[] = {"Version",         "Strings",          "Manufacturer",
                                         "DestinationDirs", "SourceDisksNames", "SourceDisksFiles"};
    for (size_t i = 0; i < g_inf->n; i++) {
        const struct inf_section *s = &g_inf->sec[i];
        int check = is_service_install(s->name);
        for (size_t u = 0; u < sizeof(unique) / sizeof(unique[0]); u++) {
            size_t n = strlen(unique[u]);
            check |= !strncasecmp(s->name, unique[u], n) && (!s->name[n] || s->name[n] == '.');
        }
        for (size_t a = 0; check && a < s->n; a++)
            for (size_t b = 0; s->lines[a].key && b < a; b++)
                if (s->lines[b].key && !strcasecmp(s->lines[a].key, s->lines[b].key)) {
                    report(s->lines[a].lineno, "duplicate key %s in [%s] (first at line %d)",
                           s->lines[a].key, s->name, s->lines[b].lineno);
                    break;
                }
    }
}

/* ---- DriverVer ---- */

/* Whether DriverVer is a real date and a four-part version within 16 bits each. */
static int driverver_ok(const char *v)
{
    int mm, dd, yyyy, used = 0;
    unsigned long part[4];
    if (sscanf(v, "%2d/%2d/%4d%n", &mm, &dd, &yyyy, &used) != 3 || used != 10)
        return 0;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (yyyy % 4 == 0 && yyyy % 100 != 0) || yyyy % 400 == 0;
    if (yyyy < 1980 || mm < 1 || mm > 12 || dd < 1 || dd > mdays[mm - 1] ||
        (mm == 2 && dd == 29 && !leap))
        return 0;
    const char *p = v + 10;
    while (*p == ' ')
        p++;
    if (*p++ != ',')
        return 0;
    while (*p == ' ')
        p++;
    for (int i = 0; i < 4; i++) {
        char *end;
        if (!isdigit((unsigned char)*p))
            return 0;
        errno = 0;
        part[i] = strtoul(p, &end, 10);
        if (errno || part[i] >= 65535)
            return 0;
        p = end;
        if (i < 3 && *p++ != '.')
            return 0;
    }
    return *p == 0 && (part[0] | part[1] | part[2] | part[3]) != 0;
}

/* Check [Version]: Signature, Class/ClassGuid, Provider, CatalogFile, DriverVer, PnpLockdown. */
static void check_version(void)
{
    const struct inf_section *v = inf_find(g_inf, "Version");
    if (!v) {
        report(1, "no [Version] section");
        return;
    }
    for (size_t k = 0; k < v->n; k++)
        if (v->lines[k].key && !strcasecmp(v->lines[k].key, "DriverVer")) {
            if (!driverver_ok(v->lines[k].value))
                report(v->lines[k].lineno,
                       "malformed DriverVer \"%s\" (want MM/DD/YYYY,w.x.y.z, "
                       "each part below 65535, not 0.0.0.0)",
                       v->lines[k].value);
            return;
        }
    report(v->lineno, "[Version] has no DriverVer");
}

/* inflint: lint one INF (or, with --ranks, compare the ranks of several), exit 1 on a finding. */
int main(int argc, char **argv)
{
    const char *path = NULL;
    if (argc > 3 && !strcmp(argv[1], "--ranks") && !strcmp(argv[2], "--arch")) {
        int r = rank_check(argc - 4, argv + 4, argv[3]);
        return r < 0 ? 2 : r > 0;
    }
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--arch") && i + 1 < argc)
            g_arch = argv[++i];
        else if (!strcmp(argv[i], "--dir") && i + 1 < argc)
            g_dir = argv[++i];
        else if (!path && argv[i][0] != '-')
            path = argv[i];
        else
            path = NULL, i = argc;
    }
    if (!path || !g_arch) {
        fputs("usage: inflint --arch ARCH [--dir PACKAGE_DIR] FILE.inf\n"
              "       inflint --ranks --arch ARCH FILE.inf...\n",
              stderr);
        return 2;
    }
    size_t len;
    char *text = (char *)read_file(path, &len), err[512];
    if (!text)
        return fprintf(stderr, "inflint: %s: %s\n", path, strerror(errno)), 2;
    struct inf inf;
    if (inf_parse(&inf, path, text, err, sizeof(err))) {
        printf("%s\n", err);
        return 1;
    }
    g_inf = &inf;
    check_version();
    check_manufacturer();
    check_platform_sections();
    check_destination_dirs();
    check_strings();
    check_duplicates();
    ndi_check(report);
    policy_check(&inf, g_arch, report);
    inf_free(&inf);
    free(text);
    return g_errors ? 1 : 0;
}
