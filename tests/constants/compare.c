/*
 * Checks the constants table (table.h) against both trees: the drivers'
 * values per arch, read from the .vwconst sections drivers.c leaves (one
 * file per arch, given as ARCH=FILE), and the harness's values, compiled in
 * here from its own headers.  Prints a FAIL line naming each constant whose
 * value differs from the documented one, then "N passed, M failed".
 * Built with VW_CONSTANTS_PLANTED, the documented values of planted.h
 * replace the table's: the check must then fail on each of them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vw_irp.h"
#include "vw_ke.h"
#include "vw_mm.h"
#include "vw_ndis.h"
#include "vw_ntstatus.h"
#include "vw_oid.h"
#include "vw_registry.h"
#include "vw_resources.h"
#include "vw_security.h"
#include "vw_storage.h"
#include "vm.h"            /* VW_PASSIVE_LEVEL ... */
#include "internal.h"      /* the StorPort emulation's SRB and control constants */
#include "harness-local.h" /* generated: the harness's constants in .c files */

/* One row of the table: Microsoft's name, the names in each tree ("" where
 * a tree does not define it), the documented value (the x86 one where it
 * differs by arch; the drivers' side carries its own per arch) and the
 * harness's value. */
struct vw_const {
    const char *name, *drivers, *harness;
    long long doc, hval;
};

#define VW_P64(a, b)   (b)
#define K(n, h, v)     {#n, #n, #h, (long long)(v), (long long)(h)},
#define KD(n, v)       {#n, #n, "", (long long)(v), 0},
#define KX(n, d, h, v) {#n, #d, #h, (long long)(v), (long long)(h)},
#define KXD(n, d, v)   {#n, #d, "", (long long)(v), 0},
#define KH(n, h, v)    {#n, "", #h, (long long)(v), (long long)(h)},
static const struct vw_const table[] = {
#include "table.h"
};
#undef K
#undef KD
#undef KX
#undef KXD
#undef KH
#define NTABLE (sizeof(table) / sizeof(table[0]))

/* One drivers' entry of a .vwconst section: the header's value, the
 * documented one. */
typedef long long vw_pair[2];

#ifdef VW_CONSTANTS_PLANTED
struct vw_plant {
    const char *name;
    long long doc;
};
#define PLANT(n, v) {#n, (long long)(v)},
static const struct vw_plant plants[] = {
#include "planted.h"
};
#endif

/* The documented value of row i as this build believes it (planted or not);
 * doc is the value the table gives for the arch at hand. */
static long long documented(size_t i, long long doc)
{
#ifdef VW_CONSTANTS_PLANTED
    for (size_t p = 0; p < sizeof(plants) / sizeof(plants[0]); p++)
        if (!strcmp(plants[p].name, table[i].name))
            return plants[p].doc;
#else
    (void)i;
#endif
    return doc;
}

/* Whether a header's value v equals the documented 32-bit value d: the same
 * low 32 bits and nothing beyond them but a sign extension. */
static int same(long long v, long long d)
{
    return v >= -2147483648LL && v <= 0xffffffffLL && (uint32_t)v == (uint32_t)d;
}

static unsigned passed, failed;

/* Compares one tree's value of row i, printing a FAIL line naming it. */
static void check(const char *where, size_t i, const char *as, long long v, long long doc)
{
    long long d = documented(i, doc);
    if (same(v, d)) {
        passed++;
        return;
    }
    failed++;
    printf("FAIL %s %s", where, table[i].name);
    if (strcmp(as, table[i].name))
        printf(" (%s)", as);
    printf(" = 0x%llx, documented 0x%x\n", (unsigned long long)v, (uint32_t)d);
}

/* Reads one arch's .vwconst section and checks every drivers' row in it. */
static void check_arch(const char *arg)
{
    const char *eq = strchr(arg, '=');
    if (!eq) {
        printf("FAIL bad argument %s (want ARCH=FILE)\n", arg);
        failed++;
        return;
    }
    char arch[16];
    snprintf(arch, sizeof(arch), "%.*s", (int)(eq - arg), arg);
    FILE *f = fopen(eq + 1, "rb");
    if (!f) {
        printf("FAIL %s: cannot open %s\n", arch, eq + 1);
        failed++;
        return;
    }
    vw_pair *pairs = calloc(NTABLE + 1, sizeof(*pairs));
    size_t n = pairs ? fread(pairs, sizeof(*pairs), NTABLE + 1, f) : 0;
    fclose(f);
    size_t want = 0;
    for (size_t i = 0; i < NTABLE; i++)
        want += table[i].drivers[0] != 0;
    if (n != want) {
        printf("FAIL %s: %zu drivers' entries in %s, the table has %zu\n", arch, n, eq + 1, want);
        failed++;
        free(pairs);
        return;
    }
    char where[40];
    snprintf(where, sizeof(where), "%s drivers", arch);
    for (size_t i = 0, k = 0; i < NTABLE; i++)
        if (table[i].drivers[0])
            check(where, i, table[i].drivers, pairs[k][0], pairs[k][1]), k++;
    printf("ok %s: %zu constants of the drivers' headers pinned\n", arch, want);
    free(pairs);
}

int main(int argc, char **argv)
{
#ifdef VW_CONSTANTS_PLANTED
    for (size_t p = 0; p < sizeof(plants) / sizeof(plants[0]); p++) {
        size_t i = 0;
        while (i < NTABLE && strcmp(plants[p].name, table[i].name))
            i++;
        if (i == NTABLE) {
            printf("FAIL planted %s is no row of the table\n", plants[p].name);
            failed++;
        }
    }
#endif
    for (int a = 1; a < argc; a++)
        check_arch(argv[a]);
    size_t harness = 0, both = 0;
    for (size_t i = 0; i < NTABLE; i++) {
        if (!table[i].harness[0])
            continue;
        harness++;
        both += table[i].drivers[0] != 0;
        check("harness", i, table[i].harness, table[i].hval, table[i].doc);
    }
    printf("ok harness: %zu constants of the harness's headers pinned (%zu also in the drivers')\n",
           harness, both);
    printf("%u passed, %u failed\n", passed, failed);
    return failed != 0;
}
