/*
 * pemutate: plant exactly one defect in a good driver image (or user-mode
 * DLL), so that the test suite can prove each pecheck rule actually fires.
 * On a DLL the same mutations break its own rules: subsystem native, DLL
 * flag cleared, an import renamed off the allow list, an export directory
 * replaced by one without names.
 *
 * usage: pemutate MUTATION IN.sys OUT.sys
 *        pemutate --list        (prints "MUTATION EXPECTED-RULE" lines)
 *        pemutate fuzz:SEED IN.sys OUT.sys
 *        pemutate --all IN.sys DIR   (every mutation, DIR/MUTATION.EXT)
 *        pemutate --fuzz N IN.sys DIR (seeds 1..N, DIR/fuzz-SEED.bin)
 *
 * --all and --fuzz plant from one read of the input, so the test suite
 * starts one process per image instead of one per mutation (process starts
 * were most of check-pecheck's time).  --all prints one line per mutation:
 * "MUTATION EXPECTED-RULE" when written, "SKIP MUTATION why" when not
 * applicable, "FAIL MUTATION why" when it could not be planted; it exits 1
 * if any line is FAIL.
 *
 * fuzz:SEED is not a single-rule mutation: it corrupts a few random header
 * bytes (and maybe truncates), deterministically per seed, to test that
 * pecheck survives hostile input.  The verdict is not predicted.
 *
 * After the change the PE checksum is recomputed (except for the checksum,
 * truncation and garbage mutations), so that only the planted rule fails.
 * Exit status: 0 written, 1 error / cannot plant, 3 not applicable to this
 * image (pdata on a PE32 image, which has no exception directory).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const table[][2] = {
    {"machine", "machine"},
    {"subsystem", "subsystem"},
    {"checksum", "checksum"},
    {"checksum-zero", "checksum"},
    {"init-discardable", "init-discardable"},
    {"wx-section", "wx-section"},
    {"dynamicbase", "dynamicbase"},
    {"nxcompat", "nxcompat"},
    {"dll-flag", "dll-flag"},
    {"imports", "imports"},
    {"exports", "exports"},
    {"pdata", "pdata"},
    {"relocs", "relocs"},
    {"relocs-stripped", "relocs"},
    {"truncated", "format"},
    {"truncated-header", "format"},
    {"garbage", "format"},
};
#define NMUT (sizeof table / sizeof table[0])

static uint8_t *d; /* the image */
static uint32_t n; /* its size */
static uint32_t pe, opt, sec, nsec, dirs, size_hdr;

static uint32_t rd16(uint32_t o)
{
    return d[o] | (uint32_t)d[o + 1] << 8;
}

static uint32_t rd32(uint32_t o)
{
    return rd16(o) | rd16(o + 2) << 16;
}

static void wr16(uint32_t o, uint32_t v)
{
    d[o] = (uint8_t)v;
    d[o + 1] = (uint8_t)(v >> 8);
}

static void wr32(uint32_t o, uint32_t v)
{
    wr16(o, v & 0xffff);
    wr16(o + 2, v >> 16);
}

static int die(const char *why)
{
    fprintf(stderr, "pemutate: %s\n", why);
    return 1;
}

/* Minimal header parse; the input is a good image, but stay in bounds. */
static const char *parse(void)
{
    if (n < 64 || d[0] != 'M' || d[1] != 'Z' || (pe = rd32(0x3c)) > n - 24 ||
        memcmp(d + pe, "PE\0\0", 4) != 0)
        return "input is not a PE image";
    opt = pe + 24;
    nsec = rd16(pe + 6);
    sec = opt + rd16(pe + 20);
    if (sec > n || 40ull * nsec > n - sec || opt + 112 > sec)
        return "input headers are truncated";
    dirs = opt + (rd16(opt) == 0x20b ? 112 : 96);
    size_hdr = rd32(opt + 60);
    if (size_hdr > n || rd32(dirs - 4) < 16)
        return "input headers are unusual";
    return NULL;
}

/* File offset of rva with at least len bytes of file data, or 0. */
static uint32_t rva_off(uint32_t rva, uint32_t len)
{
    if ((uint64_t)rva + len <= size_hdr)
        return rva;
    for (uint32_t i = 0; i < nsec; i++) {
        uint32_t s = sec + 40 * i, va = rd32(s + 12), raw = rd32(s + 16), ptr = rd32(s + 20);
        if (rva >= va && (uint64_t)rva - va + len <= raw && (uint64_t)ptr + raw <= n)
            return ptr + (rva - va);
    }
    return 0;
}

/* Same algorithm as pecheck; duplicated to keep each tool one file. */
static uint32_t checksum(void)
{
    uint32_t sum = 0, c = opt + 64;
    for (uint32_t i = 0; i < n; i += 2) {
        uint32_t lo = i - c < 4 ? 0 : d[i], hi = i + 1 >= n || i + 1 - c < 4 ? 0 : d[i + 1];
        sum += lo | hi << 8;
        sum = (sum & 0xffff) + (sum >> 16);
    }
    sum = (sum & 0xffff) + (sum >> 16);
    return (sum & 0xffff) + n;
}

/* Section header offset of the first section matching flag bits, or 0. */
static uint32_t find_section(const char *name, uint32_t flag)
{
    for (uint32_t i = 0; i < nsec; i++) {
        uint32_t s = sec + 40 * i;
        if ((name && strncmp((const char *)d + s, name, 8) == 0) ||
            (!name && (rd32(s + 36) & flag)))
            return s;
    }
    return 0;
}

/* Rename the first imported DLL in place to a forbidden name of equal length. */
static const char *plant_import(void)
{
    uint32_t e = rva_off(rd32(dirs + 8), 20);
    uint32_t name = e ? rva_off(rd32(e + 12), 1) : 0;
    if (!name)
        return "no import descriptor";
    size_t len = strnlen((const char *)d + name, n - name);
    if (len < 5 || len == n - name)
        return "imported DLL name too short";
    if (strcasecmp((const char *)d + name, "ntoskrnl.exe") == 0)
        memcpy(d + name, "kernel32.dll", 12);
    else
        memset(d + name, 'z', len - 4), memcpy(d + name + len - 4, ".dll", 4);
    return NULL;
}

/* Build a one-function export directory in the zero padding after the
 * section table (headers are mapped at RVA 0, so RVA == file offset). */
static const char *plant_export(void)
{
    uint32_t at = (sec + 40 * nsec + 7) & ~7u;
    if ((uint64_t)at + 64 > size_hdr)
        return "no room for an export directory in the headers";
    for (uint32_t i = 0; i < 64; i++)
        if (d[at + i])
            return "header padding is not zero";
    wr32(at + 12, at + 44);               /* Name */
    wr32(at + 16, 1);                     /* Base */
    wr32(at + 20, 1);                     /* NumberOfFunctions */
    wr32(at + 28, at + 40);               /* AddressOfFunctions */
    wr32(at + 40, rd32(opt + 16));        /* export the entry point */
    memcpy(d + at + 44, "pemut.sys", 10); /* NUL included */
    wr32(dirs, at);
    wr32(dirs + 4, 40);
    return NULL;
}

static const char *clear_dir(int i)
{
    if (!rd32(dirs + 8 * i) && !rd32(dirs + 8 * i + 4))
        return "directory already absent";
    wr32(dirs + 8 * i, 0);
    wr32(dirs + 8 * i + 4, 0);
    return NULL;
}

/* xorshift32: deterministic noise, the same on every host. */
static uint32_t xorshift(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Apply mutation m; sets *len to the output size. */
static const char *mutate(const char *m, uint32_t *len)
{
    uint32_t s;
    *len = n;
    if (strcmp(m, "machine") == 0)
        wr16(pe + 4, 0x1c4); /* ARMNT: a real machine, but not one of ours */
    else if (strcmp(m, "subsystem") == 0)
        /* A driver becomes a GUI program, a user-mode DLL a native image. */
        wr16(opt + 68, rd16(opt + 68) == 1 ? 2 : 1);
    else if (strcmp(m, "init-discardable") == 0) {
        if ((s = find_section("INIT", 0)) != 0)
            wr32(s + 36, rd32(s + 36) & ~0x02000000u);
        else if ((s = find_section(NULL, 0x20000000)) != 0)
            memcpy(d + s, "INIT\0\0\0\0", 8); /* no INIT: name the code section so */
        else
            return "no INIT or executable section";
    } else if (strcmp(m, "wx-section") == 0) {
        if (!(s = find_section(NULL, 0x20000000)))
            return "no executable section";
        wr32(s + 36, rd32(s + 36) | 0x80000000);
    } else if (strcmp(m, "dynamicbase") == 0)
        wr16(opt + 70, rd16(opt + 70) & ~0x40u);
    else if (strcmp(m, "nxcompat") == 0)
        wr16(opt + 70, rd16(opt + 70) & ~0x100u);
    else if (strcmp(m, "dll-flag") == 0)
        wr16(pe + 22, rd16(pe + 22) ^ 0x2000); /* set on a driver, cleared on a DLL */
    else if (strcmp(m, "imports") == 0)
        return plant_import();
    else if (strcmp(m, "exports") == 0)
        return plant_export();
    else if (strcmp(m, "pdata") == 0)
        return clear_dir(3);
    else if (strcmp(m, "relocs") == 0)
        return clear_dir(5);
    else if (strcmp(m, "relocs-stripped") == 0)
        wr16(pe + 22, rd16(pe + 22) | 0x0001);
    else if (strcmp(m, "truncated") == 0) {
        *len = n / 2; /* must cut into the data of some section */
        for (s = 0;
             s < nsec && (uint64_t)rd32(sec + 40 * s + 20) + rd32(sec + 40 * s + 16) <= *len;)
            s++;
        if (s == nsec)
            return "no section data in the second half of the file";
    } else if (strcmp(m, "truncated-header") == 0)
        *len = opt + 40; /* inside the optional header */
    else if (strcmp(m, "garbage") == 0) {
        uint32_t x = 0x2545f491;
        for (uint32_t i = 0; i < n; i++)
            d[i] = (uint8_t)xorshift(&x);
        d[0] = 0; /* never "MZ" */
    } else if (strncmp(m, "fuzz:", 5) == 0) {
        uint32_t x = (uint32_t)strtoul(m + 5, NULL, 10) * 2654435761u | 1;
        uint32_t hot = size_hdr > 64 ? size_hdr : n; /* most damage in the headers */
        for (uint32_t k = xorshift(&x) % 8 + 1; k-- > 0;) {
            uint32_t where = xorshift(&x) % 4 ? xorshift(&x) % hot : xorshift(&x) % n;
            d[where] ^= (uint8_t)(xorshift(&x) | 1);
        }
        if (xorshift(&x) % 4 == 0)
            *len = xorshift(&x) % n;
    } else if (strcmp(m, "checksum") != 0 && strcmp(m, "checksum-zero") != 0)
        return "unknown mutation";
    return NULL;
}

/* Plant mutation m into the pristine image orig (n bytes) and write it to
 * path; returns 0 written, 1 error, 3 not applicable, with *why set. */
static int plant(const uint8_t *orig, const char *m, const char *path, const char **why)
{
    memcpy(d, orig, n);
    if (strcmp(m, "pdata") == 0 && rd16(opt) != 0x20b) {
        *why = "not applicable to a PE32 image";
        return 3;
    }
    uint32_t len;
    if ((*why = mutate(m, &len)) != NULL)
        return 1;
    /* Keep the checksum valid unless it is the defect (or the file is junk). */
    if (strncmp(m, "truncated", 9) != 0 && strcmp(m, "garbage") != 0 &&
        strncmp(m, "fuzz:", 5) != 0) {
        uint32_t c = checksum();
        if (strcmp(m, "checksum") == 0)
            c ^= 0x10;
        else if (strcmp(m, "checksum-zero") == 0)
            c = 0;
        wr32(opt + 64, c);
    }
    FILE *f = fopen(path, "wb");
    int bad = !f || fwrite(d, 1, len, f) != len;
    if (f && fclose(f) != 0)
        bad = 1;
    *why = bad ? "cannot write output" : NULL;
    return bad;
}

/* --all: every mutation of the table into dir, one status line each. */
static int plant_all(const uint8_t *orig, const char *in, const char *dir)
{
    const char *dot = strrchr(in, '.'), *slash = strrchr(in, '/');
    const char *ext = dot && (!slash || dot > slash) ? dot + 1 : "sys";
    int failed = 0;
    for (size_t i = 0; i < NMUT; i++) {
        char path[4096];
        const char *why;
        if (snprintf(path, sizeof path, "%s/%s.%s", dir, table[i][0], ext) >= (int)sizeof path)
            return die("output path too long");
        int rc = plant(orig, table[i][0], path, &why);
        if (rc == 0)
            printf("%s %s\n", table[i][0], table[i][1]);
        else
            printf("%s %s %s\n", rc == 3 ? "SKIP" : "FAIL", table[i][0], why);
        failed |= rc == 1;
    }
    return failed;
}

/* --fuzz N: seeds 1..N into dir/fuzz-SEED.bin. */
static int plant_fuzz(const uint8_t *orig, const char *count, const char *dir)
{
    char *end;
    unsigned long seeds = strtoul(count, &end, 10);
    if (*count == '\0' || *end != '\0' || seeds > 100000)
        return die("--fuzz: the count must be a number up to 100000");
    for (unsigned long seed = 1; seed <= seeds; seed++) {
        char m[32], path[4096];
        const char *why;
        snprintf(m, sizeof m, "fuzz:%lu", seed);
        if (snprintf(path, sizeof path, "%s/fuzz-%lu.bin", dir, seed) >= (int)sizeof path)
            return die("output path too long");
        if (plant(orig, m, path, &why) != 0) {
            fprintf(stderr, "pemutate: %s: %s\n", m, why);
            return 1;
        }
    }
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 2 && strcmp(argv[1], "--list") == 0) {
        for (size_t i = 0; i < NMUT; i++)
            printf("%s %s\n", table[i][0], table[i][1]);
        return 0;
    }
    int all = argc == 4 && strcmp(argv[1], "--all") == 0;
    int fuzz = argc == 5 && strcmp(argv[1], "--fuzz") == 0;
    if (argc != 4 && !fuzz) {
        fprintf(stderr, "usage: pemutate MUTATION IN.sys OUT.sys | pemutate --list\n"
                        "       pemutate --all IN.sys DIR | pemutate --fuzz N IN.sys DIR\n");
        return 1;
    }
    const char *m = argv[1], *in = argv[2 + fuzz], *out = argv[3 + fuzz];
    FILE *f = fopen(in, "rb");
    long size = f && fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    uint8_t *orig = NULL;
    if (size < 0 || size > (256L << 20) || !(d = malloc(size ? (size_t)size : 1)) ||
        !(orig = malloc(size ? (size_t)size : 1)) || fseek(f, 0, SEEK_SET) != 0 ||
        fread(orig, 1, (size_t)size, f) != (size_t)size)
        return die("cannot read input");
    fclose(f);
    n = (uint32_t)size;
    memcpy(d, orig, n);
    const char *err = parse();
    if (err)
        return die(err);
    int rc;
    if (all)
        rc = plant_all(orig, in, out);
    else if (fuzz)
        rc = plant_fuzz(orig, argv[2], out);
    else if ((rc = plant(orig, m, out, &err)) != 0)
        fprintf(stderr, "pemutate: %s: %s\n", m, err);
    free(orig);
    free(d);
    return rc;
}
