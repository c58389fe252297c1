/* infgen: stamps an INF template (.inx) for one build set and arch.
 *
 *   infgen -o OUT.inf --set w10|w11 --arch x86|amd64|arm64 --version-file VERSION
 *          --epoch SOURCE_DATE_EPOCH --catalog NAME.cat --provider TEXT
 *          --manufacturer TEXT [--min-build N] TEMPLATE.inx
 *
 * Placeholders (@@ is a literal @):
 *   @DRIVERVER@    MM/DD/YYYY,a.b.c.d: the UTC date of the epoch and the
 *                  version from the VERSION file (see version_4part)
 *   @CATALOG@      the catalog file name
 *   @PROVIDER@ @MANUFACTURER@  the given texts
 *   @DECORATION@   NT<arch>.10.0 (w10) or NT<arch>.10.0...16299 (w11);
 *                  --min-build N: NT<arch>.10.0...N, a package whose image
 *                  needs a newer build than its set's floor (netkvm's w11
 *                  image registers NDIS 6.83: 22000, Windows 11)
 *   @DIRID@        12 (w10: System32\drivers) or 13 (w11: run from the
 *                  driver store)
 *   @UMDIRID@      where user-mode files of a package go: 11 (w10:
 *                  System32) or 13 (w11: they run from the driver store
 *                  too, as Windows 11 driver package isolation asks)
 *   @ARCH@         x86, amd64 or arm64
 *   @SET@          the build set, w10 or w11 (a section name's suffix for
 *                  a value that differs per set)
 *   infgen --print-version VERSION  prints the DriverVer version alone.
 * A malformed template (unknown placeholder, INF syntax error) gives one
 * "file:line: message" error and nothing is written. */
#include "fileio.h"
#include "inf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct build_set {
    const char *name;
    const char *arches[4];
    const char *os_suffix; /* after NT<arch> */
    const char *dirid;
    const char *umdirid;
};

/* Windows 10 set: Windows 10 and Server 2016/2019/2022, all three arches.
 * Windows 11 set: Windows 11 and Server 2025; "...16299" means NT 10.0 of
 * any product type and suite from build 16299 on, the floor upstream uses for
 * packages that run from the driver store. */
static const struct build_set sets[] = {
    {"w10", {"x86", "amd64", "arm64"}, ".10.0", "12", "11"},
    {"w11", {"amd64", "arm64"}, ".10.0...16299", "13", "13"},
};

/* Print infgen's usage and exit with status 2. */
static void usage(void)
{
    fputs("usage: infgen -o OUT.inf --set w10|w11 --arch ARCH --version-file FILE --epoch N\n"
          "              --catalog NAME --provider TEXT --manufacturer TEXT [--min-build N]\n"
          "              TEMPLATE\n",
          stderr);
    exit(2);
}

/* VERSION "a.b.c" (1 to 4 numeric parts, each 0..65534, not all 0) becomes the
 * four-part DriverVer version "a.b.c.0": missing parts are 0.  Windows
 * compares the parts left to right as numbers, exactly the order of the
 * VERSION tuples, so a higher VERSION always gives a higher DriverVer. */
static int version_4part(const char *text, char *out, size_t outlen)
{
    unsigned long part[4] = {0, 0, 0, 0};
    int n = 0;
    const char *p = text;

    for (;;) {
        if (n == 4 || *p < '0' || *p > '9')
            return -1;
        char *end;
        errno = 0;
        part[n++] = strtoul(p, &end, 10);
        /* Each part below 65535 (INF DriverVer directive). */
        if (errno || part[n - 1] >= 65535 || end - p > 5)
            return -1;
        p = end;
        if (*p == '.') {
            p++;
            continue;
        }
        break;
    }
    while (*p == '\n' || *p == '\r' || *p == ' ')
        p++;
    if (*p || (part[0] | part[1] | part[2] | part[3]) == 0)
        return -1; /* 0.0.0.0 is no version */
    snprintf(out, outlen, "%lu.%lu.%lu.%lu", part[0], part[1], part[2], part[3]);
    return 0;
}

/* Growable output text. */
struct text {
    char *p;
    size_t len, cap;
};

/* Append n bytes to the growing output text. */
static void put(struct text *t, const char *s, size_t n)
{
    if (t->len + n + 1 > t->cap) {
        t->cap = (t->len + n + 1) * 2;
        t->p = realloc(t->p, t->cap);
        if (!t->p) {
            fputs("out of memory\n", stderr);
            exit(1);
        }
    }
    memcpy(t->p + t->len, s, n);
    t->len += n;
    t->p[t->len] = 0;
}

/* Stamp an INF template for an OS set and arch: DriverVer, catalog, provider and manufacturer. */
int main(int argc, char **argv)
{
    const char *out = NULL, *set_name = NULL, *arch = NULL, *verfile = NULL, *epoch_s = NULL;
    const char *catalog = NULL, *provider = NULL, *mfg = NULL, *tpl = NULL, *min_build = NULL;
    int i;

    /* infgen --print-version VERSION: the four-part version alone, for the
     * images' version resources (sign/versionrc.sh), so that they carry
     * exactly the DriverVer version of their INF. */
    if (argc == 3 && !strcmp(argv[1], "--print-version")) {
        size_t n;
        char *text = (char *)read_file(argv[2], &n), v[64];
        if (!text)
            return fprintf(stderr, "infgen: %s: %s\n", argv[2], strerror(errno)), 1;
        if (version_4part(text, v, sizeof(v)))
            return fprintf(stderr, "%s:1: not a version\n", argv[2]), 1;
        free(text);
        return puts(v) < 0;
    }

    for (i = 1; i + 1 < argc && argv[i][0] == '-'; i += 2) {
        const char *o = argv[i], *v = argv[i + 1];
        if (!strcmp(o, "-o"))
            out = v;
        else if (!strcmp(o, "--set"))
            set_name = v;
        else if (!strcmp(o, "--arch"))
            arch = v;
        else if (!strcmp(o, "--version-file"))
            verfile = v;
        else if (!strcmp(o, "--epoch"))
            epoch_s = v;
        else if (!strcmp(o, "--catalog"))
            catalog = v;
        else if (!strcmp(o, "--provider"))
            provider = v;
        else if (!strcmp(o, "--manufacturer"))
            mfg = v;
        else if (!strcmp(o, "--min-build"))
            min_build = v;
        else
            usage();
    }
    if (i != argc - 1 || !out || !set_name || !arch || !verfile || !epoch_s || !catalog ||
        !provider || !mfg)
        usage();
    tpl = argv[i];

    const struct build_set *set = NULL;
    for (size_t k = 0; k < sizeof(sets) / sizeof(sets[0]); k++)
        if (!strcmp(sets[k].name, set_name))
            set = &sets[k];
    if (!set)
        return fprintf(stderr, "infgen: unknown build set %s\n", set_name), 2;
    int arch_ok = 0;
    for (int k = 0; set->arches[k]; k++)
        arch_ok |= !strcmp(set->arches[k], arch);
    if (!arch_ok)
        return fprintf(stderr, "infgen: set %s has no arch %s\n", set_name, arch), 2;
    /* Texts go inside "..." in [Strings]: no quotes, no line breaks, no '%'. */
    if (strpbrk(provider, "\"\r\n%") || strpbrk(mfg, "\"\r\n%") || strpbrk(catalog, "\"\r\n%, "))
        return fputs("infgen: provider, manufacturer and catalog must not contain \", %, "
                     "or line breaks\n",
                     stderr),
               2;

    size_t len;
    char *vtext = (char *)read_file(verfile, &len);
    char ver[64];
    if (!vtext)
        return fprintf(stderr, "infgen: %s: %s\n", verfile, strerror(errno)), 1;
    if (version_4part(vtext, ver, sizeof(ver)))
        return fprintf(stderr,
                       "%s:1: version must be 1 to 4 numbers 0..65534 joined by '.', not all 0\n",
                       verfile),
               1;
    free(vtext);

    char *end;
    errno = 0;
    long long epoch = strtoll(epoch_s, &end, 10);
    if (errno || *end || epoch < 0)
        return fprintf(stderr, "infgen: bad --epoch %s\n", epoch_s), 2;
    time_t t = (time_t)epoch;
    struct tm tm;
    char date[16], driverver[96], decoration[64];
    gmtime_r(&t, &tm);
    strftime(date, sizeof(date), "%m/%d/%Y", &tm);
    snprintf(driverver, sizeof(driverver), "%s,%s", date, ver);
    snprintf(decoration, sizeof(decoration), "NT%s%s", arch, set->os_suffix);
    if (min_build) {
        /* A build number above the set's floor (the set's suffix has none: ".10.0") */
        long b = strtol(min_build, &end, 10);
        if (*end || end == min_build || b < 10240 || b > 99999)
            return fprintf(stderr, "infgen: bad --min-build %s\n", min_build), 2;
        snprintf(decoration, sizeof(decoration), "NT%s.10.0...%ld", arch, b);
    }

    const struct {
        const char *name, *value;
    } subst[] = {
        {"DRIVERVER", driverver},   {"CATALOG", catalog},
        {"PROVIDER", provider},     {"MANUFACTURER", mfg},
        {"DECORATION", decoration}, {"DIRID", set->dirid},
        {"UMDIRID", set->umdirid},  {"ARCH", arch},
        {"SET", set->name},
    };

    char *src = (char *)read_file(tpl, &len);
    if (!src)
        return fprintf(stderr, "infgen: %s: %s\n", tpl, strerror(errno)), 1;
    if (memchr(src, 0, len))
        return fprintf(stderr, "%s:1: template contains a NUL byte\n", tpl), 1;

    /* Substitute line by line, so that line numbers stay those of the
     * template; lines end in CRLF like the INFs Windows tools write. */
    struct text o = {0};
    int lineno = 0;
    for (char *line = src, *next; line; line = next) {
        lineno++;
        next = strchr(line, '\n');
        if (next)
            *next++ = 0;
        else if (!*line)
            break; /* no empty last line after the final newline */
        size_t n = strlen(line);
        if (n && line[n - 1] == '\r')
            line[--n] = 0;
        for (char *p = line; *p;) {
            char *at = strchr(p, '@');
            if (!at) {
                put(&o, p, strlen(p));
                break;
            }
            put(&o, p, (size_t)(at - p));
            char *close = strchr(at + 1, '@');
            if (!close)
                return fprintf(stderr, "%s:%d: unterminated placeholder (a literal @ is @@)\n", tpl,
                               lineno),
                       1;
            size_t nlen = (size_t)(close - at - 1);
            const char *val = nlen == 0 ? "@" : NULL;
            for (size_t k = 0; !val && k < sizeof(subst) / sizeof(subst[0]); k++)
                if (strlen(subst[k].name) == nlen && !strncmp(subst[k].name, at + 1, nlen))
                    val = subst[k].value;
            if (!val)
                return fprintf(stderr, "%s:%d: unknown placeholder @%.*s@\n", tpl, lineno,
                               (int)nlen, at + 1),
                       1;
            put(&o, val, strlen(val));
            p = close + 1;
        }
        put(&o, "\r\n", 2);
    }
    free(src);

    /* The result must be a well-formed INF; errors name template lines. */
    char *copy = strdup(o.p ? o.p : "");
    struct inf inf;
    char err[512];
    if (!copy)
        return 1;
    if (inf_parse(&inf, tpl, copy, err, sizeof(err)))
        return fprintf(stderr, "%s\n", err), 1;
    inf_free(&inf);
    free(copy);

    int rc = write_file_atomic(out, o.p ? o.p : "", o.len) ? 1 : 0;
    free(o.p);
    return rc;
}
