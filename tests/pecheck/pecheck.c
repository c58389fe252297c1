/*
 * pecheck: post-link checks for our kernel-mode driver images (.sys) and,
 * with --user-dll, for the user-mode DLLs shipped beside them.
 *
 * usage: pecheck [--arch x86|amd64|arm64] [--allow-dll NAME]... [--user-dll]
 *                [--export NAME]... FILE...
 *
 * --user-dll switches the rules that differ for a user-mode DLL: subsystem
 * WINDOWS_GUI or WINDOWS_CUI (not native), IMAGE_FILE_DLL set, imports from
 * the user-mode allow list (kernel32, advapi32, bcrypt, cfgmgr32), and an
 * export table with at least one name, including every --export NAME.
 *
 * Prints "FILE: RULE: explanation" for each failed rule, or "FILE: ok".
 * Exit status: 0 all files pass, 1 some file fails, 2 usage error.
 *
 * The file is read into memory once and every offset and size taken from it
 * is bounds-checked before use, so a truncated or garbage file yields a
 * single "format" line instead of a crash.  Rule IDs are stable; the test
 * suite (run-tests.sh) and the pefile cross-check depend on them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_FILE (512u << 20) /* refuse absurd inputs rather than allocate */
#define MAX_DLLS 64

enum arch { ARCH_ANY, ARCH_X86, ARCH_AMD64, ARCH_ARM64 };

static const char *const arch_name[] = {"any", "x86", "amd64", "arm64"};
static const uint16_t arch_machine[] = {0, 0x14c, 0x8664, 0xaa64};

/* Kernel modules a driver may import from (compared case-insensitively). */
static const char *allow[MAX_DLLS] = {"ntoskrnl.exe", "hal.dll",      "storport.sys",
                                      "ndis.sys",     "hidclass.sys", "wmilib.sys",
                                      "ksecdd.sys",   "cng.sys",      "netio.sys"};
static int nallow = 9;

/* User-mode DLLs: the Win32 modules they may import from. */
static const char *uallow[MAX_DLLS] = {"kernel32.dll", "advapi32.dll", "bcrypt.dll",
                                       "cfgmgr32.dll"};
static int nuallow = 4;
static int user_dll;
static const char *exports_wanted[MAX_DLLS];
static int nexports;

/* The parsed headers of one image; all offsets already validated. */
struct img {
    const uint8_t *d;
    uint32_t n;        /* file size */
    uint32_t opt;      /* file offset of the optional header */
    int plus;          /* PE32+ */
    uint16_t machine;  /* IMAGE_FILE_HEADER.Machine */
    uint16_t chars;    /* IMAGE_FILE_HEADER.Characteristics */
    uint32_t sec;      /* file offset of the section table */
    uint32_t nsec;     /* number of sections */
    uint32_t size_hdr; /* SizeOfHeaders (<= n) */
    uint32_t dir_va[16], dir_sz[16];
};

static uint16_t rd16(const uint8_t *p)
{
    return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Up to max bytes of a name from the file, made safe to print on one line. */
static const char *printable(const uint8_t *p, size_t max)
{
    static char buf[80];
    size_t i = 0;
    for (; i < max && i < sizeof buf - 1 && p[i]; i++)
        buf[i] = p[i] >= 0x20 && p[i] < 0x7f ? (char)p[i] : '?';
    buf[i] = 0;
    return buf;
}

static char msg[256]; /* explanation of the current failure */

#define FAIL(...) (snprintf(msg, sizeof msg, __VA_ARGS__), msg)

/* Validate the headers and section table; returns NULL or an explanation. */
static const char *parse(struct img *im)
{
    const uint8_t *d = im->d;
    uint64_t n = im->n;
    if (n < 64 || d[0] != 'M' || d[1] != 'Z')
        return FAIL("not a PE image (no MZ header)");
    uint32_t pe = rd32(d + 0x3c);
    if ((uint64_t)pe + 24 > n)
        return FAIL("truncated: PE header offset 0x%x beyond end of file", pe);
    if (memcmp(d + pe, "PE\0\0", 4) != 0)
        return FAIL("no PE signature at offset 0x%x", pe);
    im->machine = rd16(d + pe + 4);
    im->nsec = rd16(d + pe + 6);
    uint32_t symptr = rd32(d + pe + 12), nsym = rd32(d + pe + 16);
    uint32_t optsz = rd16(d + pe + 20);
    im->chars = rd16(d + pe + 22);
    im->opt = pe + 24;
    if (im->opt + 2ull > n)
        return FAIL("truncated: optional header beyond end of file");
    uint16_t magic = rd16(d + im->opt);
    if (magic != 0x10b && magic != 0x20b)
        return FAIL("unknown optional header magic 0x%x", magic);
    im->plus = magic == 0x20b;
    uint32_t dirs = im->plus ? 112 : 96; /* offset of the data directories */
    if (optsz < dirs)
        return FAIL("optional header too small (%u bytes)", optsz);
    if ((uint64_t)im->opt + optsz > n)
        return FAIL("truncated: optional header beyond end of file");
    const uint8_t *o = d + im->opt;
    im->size_hdr = rd32(o + 60);
    if (im->size_hdr > n)
        return FAIL("truncated: SizeOfHeaders 0x%x beyond end of file", im->size_hdr);
    uint32_t ndir = rd32(o + dirs - 4);
    if (ndir > 16)
        ndir = 16; /* the loader ignores the rest too */
    if (dirs + 8ull * ndir > optsz)
        return FAIL("%u data directories do not fit the optional header", ndir);
    for (uint32_t i = 0; i < 16; i++) {
        im->dir_va[i] = i < ndir ? rd32(o + dirs + 8 * i) : 0;
        im->dir_sz[i] = i < ndir ? rd32(o + dirs + 8 * i + 4) : 0;
    }
    im->sec = im->opt + optsz;
    if (im->nsec == 0 || im->nsec > 96)
        return FAIL("bad number of sections (%u)", im->nsec);
    if (im->sec + 40ull * im->nsec > n)
        return FAIL("truncated: section table beyond end of file");
    for (uint32_t i = 0; i < im->nsec; i++) {
        const uint8_t *s = d + im->sec + 40 * i;
        uint32_t raw = rd32(s + 16), ptr = rd32(s + 20);
        if (raw && (uint64_t)ptr + raw > n)
            return FAIL("truncated: section %s data 0x%x+0x%x beyond end of file 0x%x",
                        printable(s, 8), ptr, raw, (unsigned)n);
    }
    /* The certificate table is addressed by file offset, not RVA. */
    if (im->dir_sz[4] && (uint64_t)im->dir_va[4] + im->dir_sz[4] > n)
        return FAIL("truncated: certificate table beyond end of file");
    if (symptr && (uint64_t)symptr + 18ull * nsym > n)
        return FAIL("truncated: COFF symbol table beyond end of file");
    return NULL;
}

/* Map an RVA to file data; *avail gets the bytes readable from there. */
static const uint8_t *rva_map(const struct img *im, uint32_t rva, uint32_t *avail)
{
    if (rva < im->size_hdr) {
        *avail = im->size_hdr - rva;
        return im->d + rva;
    }
    for (uint32_t i = 0; i < im->nsec; i++) {
        const uint8_t *s = im->d + im->sec + 40 * i;
        uint32_t va = rd32(s + 12), raw = rd32(s + 16), ptr = rd32(s + 20);
        if (rva >= va && rva - va < raw) {
            *avail = raw - (rva - va);
            return im->d + ptr + (rva - va);
        }
    }
    *avail = 0;
    return NULL;
}

/* Pointer to len readable bytes at rva, or NULL. */
static const uint8_t *rva_get(const struct img *im, uint32_t rva, uint32_t len)
{
    uint32_t avail;
    const uint8_t *p = rva_map(im, rva, &avail);
    return p && avail >= len ? p : NULL;
}

/* Standard PE checksum: 16-bit one's-complement style folded word sum of the
 * file with the CheckSum field read as zero, plus the file length. */
static uint32_t pe_checksum(const uint8_t *d, uint32_t n, uint32_t csum_off)
{
    uint32_t sum = 0;
    for (uint32_t i = 0; i < n; i += 2) {
        uint32_t lo = d[i], hi = i + 1 < n ? d[i + 1] : 0;
        if (i - csum_off < 4)
            lo = 0;
        if (i + 1 - csum_off < 4)
            hi = 0;
        sum += lo | hi << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return (sum & 0xffff) + n;
}

static const char *r_machine(const struct img *im, enum arch want)
{
    enum arch got = ARCH_ANY;
    for (int a = ARCH_X86; a <= ARCH_ARM64; a++)
        if (im->machine == arch_machine[a])
            got = (enum arch)a;
    if (want != ARCH_ANY && got != want)
        return FAIL("machine 0x%x, expected 0x%x (%s)", im->machine, arch_machine[want],
                    arch_name[want]);
    if (got == ARCH_ANY)
        return FAIL("machine 0x%x is not x86, amd64 or arm64", im->machine);
    if (im->plus != (got != ARCH_X86))
        return FAIL("%s image must be %s", arch_name[got], got == ARCH_X86 ? "PE32" : "PE32+");
    return NULL;
}

static const char *r_subsystem(const struct img *im)
{
    uint16_t sub = rd16(im->d + im->opt + 68);
    if (user_dll)
        return sub == 2 || sub == 3 ? NULL
                                    : FAIL("subsystem %u, expected 2 or 3 (Windows GUI/CUI)", sub);
    return sub == 1 ? NULL : FAIL("subsystem %u, expected 1 (native)", sub);
}

static const char *r_checksum(const struct img *im)
{
    uint32_t have = rd32(im->d + im->opt + 64);
    uint32_t want = pe_checksum(im->d, im->n, im->opt + 64);
    if (have == 0)
        return FAIL("checksum is zero (link with /release), should be 0x%x", want);
    return have == want ? NULL : FAIL("checksum 0x%x, computed 0x%x", have, want);
}

/* Windows frees INIT after DriverEntry only if it is marked discardable. */
static const char *r_init(const struct img *im)
{
    for (uint32_t i = 0; i < im->nsec; i++) {
        const uint8_t *s = im->d + im->sec + 40 * i;
        if (memcmp(s, "INIT\0\0\0\0", 8) == 0 && !(rd32(s + 36) & 0x02000000))
            return FAIL("section INIT is not discardable (link with /section:INIT,ERD)");
    }
    return NULL;
}

/* W+X sections are refused under HVCI and are an exploitation aid. */
static const char *r_wx(const struct img *im)
{
    for (uint32_t i = 0; i < im->nsec; i++) {
        const uint8_t *s = im->d + im->sec + 40 * i;
        uint32_t c = rd32(s + 36);
        if ((c & 0x80000000) && (c & 0x20000000))
            return FAIL("section %s is writable and executable", printable(s, 8));
    }
    return NULL;
}

static const char *r_dllchar(const struct img *im, uint16_t bit, const char *name)
{
    uint16_t dc = rd16(im->d + im->opt + 70);
    return dc & bit ? NULL : FAIL("DllCharacteristics 0x%x lacks %s (0x%x)", dc, name, bit);
}

static const char *r_dll(const struct img *im)
{
    if (user_dll)
        return im->chars & 0x2000 ? NULL : FAIL("IMAGE_FILE_DLL is not set (link with /dll)");
    return im->chars & 0x2000 ? FAIL("IMAGE_FILE_DLL is set (link with /driver, not /dll)") : NULL;
}

static int allowed(const char *dll)
{
    const char *const *list = user_dll ? uallow : allow;
    int n = user_dll ? nuallow : nallow;
    for (int i = 0; i < n; i++)
        if (strcasecmp(dll, list[i]) == 0)
            return 1;
    return 0;
}

static const char *r_imports(const struct img *im)
{
    /* Kernel images cannot use delay-load imports at all. */
    if (im->dir_va[13] || im->dir_sz[13])
        return FAIL("delay-load import directory present");
    if (!im->dir_va[1])
        return NULL;
    for (uint32_t i = 0;; i++) {
        const uint8_t *e = rva_get(im, im->dir_va[1] + 20 * i, 20);
        if (i >= 4096 || !e)
            return FAIL("import descriptor %u outside the image data", i);
        uint32_t name = rd32(e + 12);
        if (!name && !rd32(e + 16))
            return NULL; /* null terminator */
        uint32_t avail;
        const char *s = (const char *)rva_map(im, name, &avail);
        size_t len = s ? strnlen(s, avail < 256 ? avail : 256) : 0;
        if (!s || len == 0 || len == avail || len == 256)
            return FAIL("import descriptor %u has an unreadable DLL name", i);
        if (!allowed(s))
            return FAIL("imports from %s, not an allowed %s module",
                        printable((const uint8_t *)s, len), user_dll ? "user-mode" : "kernel");
    }
}

/* A user-mode DLL: named exports, every --export among them. */
static const char *r_dll_exports(const struct img *im)
{
    const uint8_t *e = im->dir_va[0] ? rva_get(im, im->dir_va[0], 40) : NULL;
    if (!e)
        return FAIL("no export directory");
    uint32_t nname = rd32(e + 24), names = rd32(e + 32);
    if (nname == 0)
        return FAIL("exports no names");
    if (nname > 65536 || !rva_get(im, names, 4 * nname))
        return FAIL("export name table outside the image data");
    for (int w = 0; w < nexports; w++) {
        int found = 0;
        for (uint32_t i = 0; i < nname && !found; i++) {
            uint32_t avail = 0;
            const uint8_t *np = rva_get(im, names + 4 * i, 4);
            const char *s = np ? (const char *)rva_map(im, rd32(np), &avail) : NULL;
            found = s && strnlen(s, avail) < avail && strcmp(s, exports_wanted[w]) == 0;
        }
        if (!found)
            return FAIL("does not export %s", exports_wanted[w]);
    }
    return NULL;
}

static const char *r_exports(const struct img *im)
{
    if (user_dll)
        return r_dll_exports(im);
    if (!im->dir_va[0] && !im->dir_sz[0])
        return NULL;
    const uint8_t *e = rva_get(im, im->dir_va[0], 40);
    if (!e)
        return FAIL("export directory outside the image data");
    uint32_t nfunc = rd32(e + 20), nname = rd32(e + 24);
    if (nfunc || nname)
        return FAIL("exports %u functions, %u names (drivers export nothing)", nfunc, nname);
    return NULL;
}

/* Without .pdata, exception dispatch and stack walks through us fail. */
static const char *r_pdata(const struct img *im, enum arch a)
{
    uint32_t esz = a == ARCH_AMD64 ? 12 : 8; /* RUNTIME_FUNCTION size */
    if (im->dir_sz[3] < esz)
        return FAIL("no exception directory (.pdata) entries (compile with "
                    "-fasynchronous-unwind-tables)");
    if (!rva_get(im, im->dir_va[3], esz))
        return FAIL("exception directory outside the image data");
    return NULL;
}

static const char *r_relocs(const struct img *im)
{
    if (im->chars & 0x0001)
        return FAIL("IMAGE_FILE_RELOCS_STRIPPED is set");
    uint32_t va = im->dir_va[5], sz = im->dir_sz[5], count = 0;
    if (!va || !sz)
        return FAIL("no base relocation directory");
    /* Walk the blocks; count entries other than IMAGE_REL_BASED_ABSOLUTE padding. */
    for (uint32_t off = 0; off + 8 <= sz;) {
        const uint8_t *b = rva_get(im, va + off, 8);
        uint32_t bsz = b ? rd32(b + 4) : 0;
        if (!b || bsz < 8 || bsz > sz - off || !(b = rva_get(im, va + off, bsz)))
            return FAIL("malformed base relocation block at +0x%x", off);
        for (uint32_t k = 8; k + 2 <= bsz; k += 2)
            count += rd16(b + k) >> 12 != 0;
        off += bsz;
    }
    return count ? NULL : FAIL("base relocation directory has no entries");
}

/* Check one file; returns 1 if all rules pass. */
static int check(const char *path, enum arch want)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("%s: format: cannot open file\n", path);
        return 0;
    }
    struct img im = {0};
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    uint8_t *buf = size >= 0 && size <= MAX_FILE ? malloc(size ? (size_t)size : 1) : NULL;
    int err = !buf || fseek(f, 0, SEEK_SET) != 0 || fread(buf, 1, (size_t)size, f) != (size_t)size;
    fclose(f);
    if (err) {
        printf("%s: format: %s\n", path,
               size > MAX_FILE ? "not a regular file, or over 512 MiB" : "cannot read file");
        free(buf);
        return 0;
    }
    im.d = buf;
    im.n = (uint32_t)size;
    const char *e = parse(&im);
    if (e) {
        printf("%s: format: %s\n", path, e);
        free(buf);
        return 0;
    }
    /* Rules that differ per architecture follow --arch, else the image. */
    enum arch a = want;
    for (int i = ARCH_X86; a == ARCH_ANY && i <= ARCH_ARM64; i++)
        if (im.machine == arch_machine[i])
            a = (enum arch)i;
    int bad = 0;
#define RULE(id, call)                                                                             \
    if ((e = (call)) != NULL) {                                                                    \
        printf("%s: %s: %s\n", path, id, e);                                                       \
        bad = 1;                                                                                   \
    }
    RULE("machine", r_machine(&im, want));
    RULE("subsystem", r_subsystem(&im));
    RULE("checksum", r_checksum(&im));
    RULE("init-discardable", r_init(&im));
    RULE("wx-section", r_wx(&im));
    RULE("dynamicbase", r_dllchar(&im, 0x40, "DYNAMIC_BASE"));
    RULE("nxcompat", r_dllchar(&im, 0x100, "NX_COMPAT"));
    RULE("dll-flag", r_dll(&im));
    RULE("imports", r_imports(&im));
    RULE("exports", r_exports(&im));
    if (a == ARCH_AMD64 || a == ARCH_ARM64 || (a == ARCH_ANY && im.plus))
        RULE("pdata", r_pdata(&im, a));
    RULE("relocs", r_relocs(&im));
#undef RULE
    if (!bad)
        printf("%s: ok\n", path);
    free(buf);
    return !bad;
}

static int usage(void)
{
    fprintf(stderr, "usage: pecheck [--arch x86|amd64|arm64] [--allow-dll NAME]... [--user-dll] "
                    "[--export NAME]... FILE...\n");
    return 2;
}

int main(int argc, char **argv)
{
    enum arch want = ARCH_ANY;
    int i = 1;
    for (; i < argc && strncmp(argv[i], "--", 2) == 0; i++) {
        if (strcmp(argv[i], "--") == 0) {
            i++;
            break;
        }
        if (strcmp(argv[i], "--user-dll") == 0) {
            user_dll = 1;
            continue;
        }
        if (i + 1 >= argc)
            return usage();
        if (strcmp(argv[i], "--arch") == 0) {
            const char *v = argv[++i];
            for (want = ARCH_X86; want <= ARCH_ARM64; want++)
                if (strcmp(v, arch_name[want]) == 0)
                    break;
            if (want > ARCH_ARM64)
                return usage();
        } else if (strcmp(argv[i], "--allow-dll") == 0 && nallow < MAX_DLLS && nuallow < MAX_DLLS) {
            allow[nallow++] = argv[i + 1];
            uallow[nuallow++] = argv[++i];
        } else if (strcmp(argv[i], "--export") == 0 && nexports < MAX_DLLS) {
            exports_wanted[nexports++] = argv[++i];
        } else {
            return usage();
        }
    }
    if (i >= argc)
        return usage();
    int ok = 1;
    for (; i < argc; i++)
        ok &= check(argv[i], want);
    return ok ? 0 : 1;
}
