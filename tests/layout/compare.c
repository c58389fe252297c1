/*
 * compare X86.bin AMD64.bin ARM64.bin
 *
 * Checks the kernel structure layouts extracted from probe.c:
 *  - ARM64 equals amd64 for every entry (both are LLP64 with 8-byte
 *    pointers; a difference means the generated ARM64 headers took a 32-bit
 *    path, which silently corrupts IRPs and friends);
 *  - the sizes and offsets Microsoft documents (or its debuggers show) for
 *    x86 and amd64.
 * Prints one line per failure and ends with "N passed, N failed".
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "layout-list.h"

#define VW_SIZE(T)     "sizeof(" #T ")",
#define VW_FIELD(T, M) #T "." #M,

static const char *const names[] = {VW_LAYOUT_LIST(VW_SIZE, VW_FIELD)};
#define COUNT (sizeof(names) / sizeof(names[0]))

struct documented {
    int arch; /* 0 = x86, 1 = amd64 */
    const char *name;
    uint64_t value;
};

static const struct documented documented[] = {
    {1, "sizeof(DRIVER_OBJECT)", 0x150},
    {1, "sizeof(IRP)", 0xd0},
    {1, "sizeof(IO_STACK_LOCATION)", 0x48},
    {1, "sizeof(KDPC)", 0x40},
    {1, "DRIVER_OBJECT.DriverUnload", 0x68},
    {1, "DRIVER_OBJECT.MajorFunction", 0x70},
    {1, "IRP.Tail.Overlay.CurrentStackLocation", 0xb8},
    {1, "KUSER_SHARED_DATA.InterruptTime", 0x8},
    {0, "sizeof(DRIVER_OBJECT)", 0xa8},
    {0, "sizeof(IRP)", 0x70},
    {0, "sizeof(IO_STACK_LOCATION)", 0x24},
    {0, "sizeof(KDPC)", 0x20},
    {0, "DRIVER_OBJECT.DriverUnload", 0x34},
    {0, "DRIVER_OBJECT.MajorFunction", 0x38},
    {0, "IRP.Tail.Overlay.CurrentStackLocation", 0x60},
    {0, "KUSER_SHARED_DATA.InterruptTime", 0x8},
    /* hidport.h (ours): the documented members, natural alignment. */
    {1, "sizeof(VW_HID_MINIDRIVER_REGISTRATION)", 0x20},
    {1, "VW_HID_MINIDRIVER_REGISTRATION.DeviceExtensionSize", 0x18},
    {1, "sizeof(VW_HID_DEVICE_EXTENSION)", 0x18},
    {1, "sizeof(VW_HID_DESCRIPTOR)", 9},
    {1, "sizeof(VW_HID_DEVICE_ATTRIBUTES)", 0x20},
    {1, "sizeof(VW_HID_XFER_PACKET)", 0x10},
    {0, "sizeof(VW_HID_MINIDRIVER_REGISTRATION)", 0x14},
    {0, "VW_HID_MINIDRIVER_REGISTRATION.DeviceExtensionSize", 0xc},
    {0, "sizeof(VW_HID_DEVICE_EXTENSION)", 0xc},
    {0, "sizeof(VW_HID_DESCRIPTOR)", 9},
    {0, "sizeof(VW_HID_DEVICE_ATTRIBUTES)", 0x20},
    {0, "sizeof(VW_HID_XFER_PACKET)", 0xc},
};

static const char *const arch_names[] = {"x86", "amd64", "arm64"};

static int load(const char *path, uint64_t values[COUNT])
{
    FILE *f = fopen(path, "rb");
    if (f == NULL) {
        perror(path);
        return -1;
    }
    size_t got = fread(values, sizeof(uint64_t), COUNT, f);
    int extra = fgetc(f);
    fclose(f);
    if (got != COUNT || extra != EOF) {
        fprintf(stderr, "%s: expected %zu layout values: stale or foreign file\n", path, COUNT);
        return -1;
    }
    return 0;
}

static size_t find(const char *name)
{
    for (size_t i = 0; i < COUNT; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return COUNT;
}

int main(int argc, char **argv)
{
    static uint64_t values[3][COUNT];
    unsigned passed = 0, failed = 0;

    if (argc != 4) {
        fprintf(stderr, "usage: %s X86.bin AMD64.bin ARM64.bin\n", argv[0]);
        return 2;
    }
    for (int a = 0; a < 3; a++)
        if (load(argv[1 + a], values[a]) != 0)
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
    for (size_t d = 0; d < sizeof(documented) / sizeof(documented[0]); d++) {
        const struct documented *doc = &documented[d];
        size_t i = find(doc->name);
        if (i == COUNT) {
            failed++;
            printf("FAIL %s is documented but missing from layout-list.h\n", doc->name);
        } else if (values[doc->arch][i] != doc->value) {
            failed++;
            printf("FAIL %s %s = 0x%llx, documented 0x%llx\n", arch_names[doc->arch], doc->name,
                   (unsigned long long)values[doc->arch][i], (unsigned long long)doc->value);
        } else {
            passed++;
        }
    }
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
