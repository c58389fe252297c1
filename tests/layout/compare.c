/*
 * compare X86.bin AMD64.bin ARM64.bin DOC-X86.bin DOC-AMD64.bin
 *
 * Checks the kernel structure layouts extracted from probe.c (the mingw-w64
 * headers the drivers and the fake kernel are built with):
 *  - ARM64 equals amd64 for every entry (both are LLP64 with 8-byte
 *    pointers; a difference means the generated ARM64 headers took a 32-bit
 *    path, which silently corrupts IRPs and friends);
 *  - every entry equals, on x86 and on amd64, the value computed from
 *    Microsoft's documented declarations (documented.h, compiled without the
 *    mingw-w64 headers into DOC-*.bin), or is listed in documented-list.h as
 *    not documented, which is printed and counted as a skip, or as a size
 *    mingw-w64 gets wrong (SX), printed, and failed should mingw-w64 agree;
 *  - a few values Windows' debuggers show (known[] below) hold in the
 *    documented table, a check on the transcription itself.
 * Prints one line per failure and skip, and ends with "N passed, N failed".
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "layout-list.h"
#include "documented-list.h"

#define VW_SIZE(T)     "sizeof(" #T ")",
#define VW_FIELD(T, M) #T "." #M,
#define VW_NONE(...)

static const char *const names[] = {VW_LAYOUT_LIST(VW_SIZE, VW_FIELD)};
#define COUNT (sizeof(names) / sizeof(names[0]))

/* The pinned entries, in the order of the values in DOC-*.bin. */
static const char *const doc_names[] = {
    VW_DOCUMENTED_LIST(VW_SIZE, VW_FIELD, VW_NONE, VW_NONE, VW_SIZE)};
#define DOC_COUNT (sizeof(doc_names) / sizeof(doc_names[0]))

static const char *const undoc_names[] = {
    VW_DOCUMENTED_LIST(VW_NONE, VW_NONE, VW_SIZE, VW_FIELD, VW_NONE)};
#define UNDOC_COUNT (sizeof(undoc_names) / sizeof(undoc_names[0]))

/* Sizes the mingw-w64 headers get wrong: pinned, expected to differ. */
static const char *const differs_names[] = {
    VW_DOCUMENTED_LIST(VW_NONE, VW_NONE, VW_NONE, VW_NONE, VW_SIZE)};
#define DIFFERS_COUNT (sizeof(differs_names) / sizeof(differs_names[0]))

struct known {
    int arch; /* 0 = x86, 1 = amd64 */
    const char *name;
    uint64_t value;
};

/* Sizes and offsets as Windows' debuggers show them (dt nt!_IRP ...: the
 * public symbols of ntoskrnl, Windows 8 to 11). */
static const struct known known[] = {
    {1, "sizeof(DRIVER_OBJECT)", 0x150},
    {1, "sizeof(IRP)", 0xd0},
    {1, "sizeof(IO_STACK_LOCATION)", 0x48},
    {1, "sizeof(KDPC)", 0x40},
    {1, "DRIVER_OBJECT.DriverUnload", 0x68},
    {1, "DRIVER_OBJECT.MajorFunction", 0x70},
    {1, "IRP.Tail.Overlay.CurrentStackLocation", 0xb8},
    {1, "KUSER_SHARED_DATA.InterruptTime", 0x8},
    {1, "sizeof(DEVICE_OBJECT)", 0x150},
    {1, "DEVICE_OBJECT.AlignmentRequirement", 0x98},
    {1, "DEVICE_OBJECT.DeviceExtension", 0x40},
    {1, "DRIVER_OBJECT.DriverExtension", 0x30},
    {1, "IRP.IoStatus", 0x30},
    {1, "IRP.UserBuffer", 0x70},
    {1, "sizeof(DMA_OPERATIONS)", 0x140},
    {1, "sizeof(DEVICE_DESCRIPTION)", 0x40},
    {1, "DEVICE_DESCRIPTION.DmaPort", 0x24},
    {0, "sizeof(DRIVER_OBJECT)", 0xa8},
    {0, "sizeof(IRP)", 0x70},
    {0, "sizeof(IO_STACK_LOCATION)", 0x24},
    {0, "sizeof(KDPC)", 0x20},
    {0, "DRIVER_OBJECT.DriverUnload", 0x34},
    {0, "DRIVER_OBJECT.MajorFunction", 0x38},
    {0, "IRP.Tail.Overlay.CurrentStackLocation", 0x60},
    {0, "KUSER_SHARED_DATA.InterruptTime", 0x8},
    {0, "sizeof(DEVICE_OBJECT)", 0xb8},
    {0, "DEVICE_OBJECT.AlignmentRequirement", 0x5c},
    {0, "DEVICE_OBJECT.DeviceExtension", 0x28},
    {0, "DRIVER_OBJECT.DriverExtension", 0x18},
    {0, "IRP.IoStatus", 0x18},
    {0, "IRP.UserBuffer", 0x3c},
    {0, "sizeof(DEVICE_DESCRIPTION)", 0x40},
    {0, "DEVICE_DESCRIPTION.DmaPort", 0x24},
    /* ndis.sys's public symbols (dt ndis!_NDIS_OFFLOAD, _NDIS_OFFLOAD_ENCAPSULATION):
     * no pointers, so the same on both arches. */
    {0, "NDIS_OFFLOAD.LsoV1", 0x24},
    {0, "NDIS_OFFLOAD.IPsecV1", 0x34},
    {0, "NDIS_OFFLOAD.LsoV2", 0x50},
    {0, "NDIS_OFFLOAD.Flags", 0x6c},
    {1, "NDIS_OFFLOAD.Flags", 0x6c},
    {1, "sizeof(NDIS_OFFLOAD_ENCAPSULATION)", 0x1c},
};

static const char *const arch_names[] = {"x86", "amd64", "arm64"};

static int load(const char *path, uint64_t *values, size_t count)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t got = fread(values, sizeof(uint64_t), count, f);
    int extra = fgetc(f);
    fclose(f);
    if (got != count || extra != EOF) {
        fprintf(stderr, "%s: expected %zu layout values: stale or foreign file\n", path, count);
        return -1;
    }
    return 0;
}

/* The index of NAME in LIST, or N when it is not there. */
static size_t find(const char *const *list, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], name) == 0)
            return i;
    return n;
}

int main(int argc, char **argv)
{
    static uint64_t values[3][COUNT];
    static uint64_t doc[2][DOC_COUNT + 1]; /* + 1: never a zero-length array */
    unsigned passed = 0, failed = 0, skipped = 0, differs = 0, pinned[2] = {0, 0};

    if (argc != 6) {
        fprintf(stderr, "usage: %s X86.bin AMD64.bin ARM64.bin DOC-X86.bin DOC-AMD64.bin\n",
                argv[0]);
        return 2;
    }
    for (int a = 0; a < 3; a++)
        if (load(argv[1 + a], values[a], COUNT) != 0)
            return 2;
    for (int a = 0; a < 2; a++)
        if (load(argv[4 + a], doc[a], DOC_COUNT) != 0)
            return 2;

    for (size_t i = 0; i < COUNT; i++) {
        if (values[2][i] == values[1][i]) {
            passed++;
            continue;
        }
        failed++;
        printf("FAIL arm64 %s = 0x%llx, amd64 0x%llx\n", names[i], (unsigned long long)values[2][i],
               (unsigned long long)values[1][i]);
    }

    for (size_t i = 0; i < COUNT; i++) {
        size_t d = find(doc_names, DOC_COUNT, names[i]);
        if (d == DOC_COUNT) {
            if (find(undoc_names, UNDOC_COUNT, names[i]) < UNDOC_COUNT) {
                skipped++;
                printf("skip %s: not documented\n", names[i]);
            } else {
                failed++;
                printf("FAIL %s is neither pinned nor listed as not documented in "
                       "documented-list.h\n",
                       names[i]);
            }
            continue;
        }
        if (find(differs_names, DIFFERS_COUNT, names[i]) < DIFFERS_COUNT) {
            bool agrees = values[0][i] == doc[0][d] && values[1][i] == doc[1][d];
            if (agrees) {
                failed++;
                printf("FAIL %s: the mingw-w64 headers now agree with the documented "
                       "declaration: pin it with S() in documented-list.h\n",
                       names[i]);
                continue;
            }
            differs++;
            printf("known mingw-w64 difference %s: x86 0x%llx, amd64 0x%llx; documented "
                   "x86 0x%llx, amd64 0x%llx (our code must not use it)\n",
                   names[i], (unsigned long long)values[0][i], (unsigned long long)values[1][i],
                   (unsigned long long)doc[0][d], (unsigned long long)doc[1][d]);
            continue;
        }
        for (int a = 0; a < 2; a++) {
            if (values[a][i] == doc[a][d]) {
                passed++;
                pinned[a]++;
                continue;
            }
            failed++;
            printf("FAIL %s %s = 0x%llx in the mingw-w64 headers, 0x%llx as documented\n",
                   arch_names[a], names[i], (unsigned long long)values[a][i],
                   (unsigned long long)doc[a][d]);
        }
    }
    /* documented-list.h names nothing layout-list.h lacks, and nothing twice. */
    for (size_t d = 0; d < DOC_COUNT + UNDOC_COUNT; d++) {
        const char *name = d < DOC_COUNT ? doc_names[d] : undoc_names[d - DOC_COUNT];
        if (find(names, COUNT, name) == COUNT) {
            failed++;
            printf("FAIL %s is in documented-list.h but not in layout-list.h\n", name);
        }
        size_t first = find(doc_names, DOC_COUNT, name);
        if (first == DOC_COUNT)
            first = DOC_COUNT + find(undoc_names, UNDOC_COUNT, name);
        if (first != d) {
            failed++;
            printf("FAIL %s is listed twice in documented-list.h\n", name);
        }
    }

    for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++) {
        const struct known *e = &known[k];
        size_t d = find(doc_names, DOC_COUNT, e->name);
        if (d == DOC_COUNT) {
            failed++;
            printf("FAIL %s is known but not pinned in documented-list.h\n", e->name);
        } else if (doc[e->arch][d] != e->value) {
            failed++;
            printf("FAIL %s %s = 0x%llx as transcribed, 0x%llx in Windows' debugger\n",
                   arch_names[e->arch], e->name, (unsigned long long)doc[e->arch][d],
                   (unsigned long long)e->value);
        } else {
            passed++;
        }
    }
    printf("pinned to the documented declarations: %u of %zu entries on x86, %u on amd64; "
           "%u skipped (not documented); %u known mingw-w64 differences\n",
           pinned[0], COUNT, pinned[1], skipped, differs);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
