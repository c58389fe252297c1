/*
 * netkvm.inx and nk_param_table agree (check-netkvm-units): every
 * Ndi\Params property of the INF is a row of the table and every row is in
 * the INF, with the same Default, the same Min/Max for numbers, the same
 * enum values for enumerations and powers of two, and Type edit for the
 * address.  A copy of the INF with VlanId's Max changed (the planted
 * build, NK_INX_PATH pointing at it) must fail.
 */
#define HOSTCHECK_PREFIX "inf: "
#include "hostcheck.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../../../../sign/fileio.h"
#include "../../../../sign/inf.h"
#include "../../nk_params.h"

#ifndef NK_INX_PATH
#define NK_INX_PATH "drivers/netkvm/netkvm.inx"
#endif

#define MAX_PROPS 64
#define MAX_ENUM  16

/* One advanced property as the INF states it. */
struct prop {
    char name[64], type[16], def[32], min[16], max[16];
    long enums[MAX_ENUM];
    int nenum;
};

static struct prop g_props[MAX_PROPS];
static int g_nprops;

/* The property called name, added on first sight. */
static struct prop *prop_named(const char *name, size_t len)
{
    for (int i = 0; i < g_nprops; i++)
        if (strlen(g_props[i].name) == len && !strncasecmp(g_props[i].name, name, len))
            return &g_props[i];
    if (g_nprops == MAX_PROPS || len >= sizeof(g_props[0].name))
        return NULL;
    struct prop *p = &g_props[g_nprops++];
    memcpy(p->name, name, len);
    return p;
}

/* Records one HKR, Ndi\Params\... line of any section. */
static void collect(const struct inf_line *l)
{
    char buf[512], *f[5] = {0};
    size_t n = inf_fields(l->key ? l->key : l->value, f, 5, buf, sizeof(buf));
    if (n < 3 || strcasecmp(f[0], "HKR") || strncasecmp(f[1], "Ndi\\Params\\", 11))
        return;
    const char *name = f[1] + 11, *sub = strchr(name, '\\');
    struct prop *p = prop_named(name, sub ? (size_t)(sub - name) : strlen(name));
    const char *v = n > 4 ? f[4] : "";
    if (!p)
        return;
    if (sub) {
        if (p->nenum < MAX_ENUM)
            p->enums[p->nenum++] = strtol(f[2], NULL, 10);
    } else if (!strcasecmp(f[2], "Type")) {
        snprintf(p->type, sizeof(p->type), "%s", v);
    } else if (!strcasecmp(f[2], "Default")) {
        snprintf(p->def, sizeof(p->def), "%s", v);
    } else if (!strcasecmp(f[2], "Min")) {
        snprintf(p->min, sizeof(p->min), "%s", v);
    } else if (!strcasecmp(f[2], "Max")) {
        snprintf(p->max, sizeof(p->max), "%s", v);
    }
}

/* "text" is the decimal number v. */
static int is_num(const char *text, long v)
{
    char *end;
    long got = strtol(text, &end, 10);
    return text[0] && !*end && got == v;
}

/* One table row against the INF's property of the same name. */
static void compare(const struct nk_param_def *d)
{
    struct prop *p = NULL;
    for (int i = 0; i < g_nprops; i++)
        if (!strcasecmp(g_props[i].name, d->name))
            p = &g_props[i];
    if (!p) {
        expect(0, "%s is in the table but not in the INF", d->name);
        return;
    }
    if (d->type == NK_PT_MAC) {
        expect(!strcasecmp(p->type, "edit") && !p->def[0], "%s: Type edit, empty Default", d->name);
        return;
    }
    expect(is_num(p->def, d->def), "%s: Default %s (table %d)", d->name, p->def, d->def);
    if (d->type == NK_PT_INT) {
        int num = !strcasecmp(p->type, "int") || !strcasecmp(p->type, "long") ||
                  !strcasecmp(p->type, "dword") || !strcasecmp(p->type, "word");
        expect(num && is_num(p->min, d->min) && is_num(p->max, d->max) && !p->nenum,
               "%s: numeric %s Min %s Max %s (table %d..%d)", d->name, p->type, p->min, p->max,
               d->min, d->max);
        return;
    }
    int same = !strcasecmp(p->type, "enum") && p->nenum == d->nenums;
    for (int i = 0; same && i < d->nenums; i++) {
        int found = 0;
        for (int k = 0; k < p->nenum; k++)
            found |= p->enums[k] == d->enums[i];
        same = found;
    }
    expect(same, "%s: enum with the table's %d values", d->name, d->nenums);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : NK_INX_PATH;
    size_t len;
    char *text = (char *)read_file(path, &len), err[256];
    struct inf inf;
    if (!text || inf_parse(&inf, path, text, err, sizeof(err))) {
        expect(0, "%s does not parse", path);
        return hostcheck_end();
    }
    for (size_t s = 0; s < inf.n; s++)
        for (size_t k = 0; k < inf.sec[s].n; k++)
            collect(&inf.sec[s].lines[k]);
    for (int i = 0; i < NK_P_COUNT; i++)
        compare(&nk_param_table[i]);
    for (int i = 0; i < g_nprops; i++)
        if (!nk_param_def_named(g_props[i].name))
            expect(0, "%s is in the INF but not in the table", g_props[i].name);
    expect(g_nprops == NK_P_COUNT, "the INF has %d advanced properties, the table %d", g_nprops,
           NK_P_COUNT);
    inf_free(&inf);
    free(text);
    return hostcheck_end();
}
