/* inflint: advanced-property rules (see inflint_ndi.h).
 *
 * Facts from Microsoft's "Specifying Configuration Parameters for the
 * Advanced Properties Page": each Ndi\Params\<name> key needs ParamDesc and
 * Type; Type is int, long, word, dword (numeric: Min, Max, Step, Base 10 or
 * 16), edit (LimitText, UpperCase) or enum (values under <name>\enum).  The
 * numeric types are 16-bit signed, 32-bit signed, 16-bit unsigned and 32-bit
 * unsigned.  Our own policy on top: every property that is not Optional has
 * a Default, and the Default must be a value the page itself would accept
 * (within Min..Max on the Step grid, one of the enum values, within
 * LimitText), so that the value a driver gets without user action is one it
 * was written for. */
#include "inflint_ndi.h"
#include "inflint_ndis.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NDI_MAX_PROPS 128
#define NDI_MAX_ENUM  64
#define NDI_MAX_SECS  64
#define NDI_PREFIX    "Ndi\\Params\\"

struct ndi_value {
    char text[128];
    int lineno; /* 0 = absent */
};

struct ndi_prop {
    char name[64];
    int lineno; /* first line that names the property */
    struct ndi_value desc, type, def, min, max, step, base, limit, optional;
    char enums[NDI_MAX_ENUM][32];
    size_t nenum;
    int enum_lineno;
};

static struct ndi_prop g_props[NDI_MAX_PROPS];
static size_t g_nprops;
static const struct inf_section *g_seen[NDI_MAX_SECS];
static size_t g_nseen;

/* The advanced property called name, added on first sight; NULL past the table's size. */
static struct ndi_prop *prop_named(const char *name, size_t len, int lineno)
{
    for (size_t i = 0; i < g_nprops; i++)
        if (strlen(g_props[i].name) == len && !strncasecmp(g_props[i].name, name, len))
            return &g_props[i];
    if (g_nprops == NDI_MAX_PROPS || len >= sizeof(g_props[0].name))
        return NULL;
    struct ndi_prop *p = &g_props[g_nprops++];
    memcpy(p->name, name, len);
    p->name[len] = '\0';
    p->lineno = lineno;
    return p;
}

/* Record one value of an advanced property with its line. */
static void set_value(struct ndi_value *v, const char *text, int lineno)
{
    snprintf(v->text, sizeof(v->text), "%s", text);
    v->lineno = lineno;
}

/* Record an HKR,Ndi\params\... line of an AddReg section. */
static void collect_line(const struct inf_line *l)
{
    char buf[1024], *f[5] = {0};
    /* reg-root, subkey, value-name, flags, value */
    size_t n = inf_fields(l->key ? l->key : l->value, f, 5, buf, sizeof(buf));
    if (n < 2 || strcasecmp(f[0], "HKR") || strncasecmp(f[1], NDI_PREFIX, strlen(NDI_PREFIX)))
        return;
    const char *name = f[1] + strlen(NDI_PREFIX);
    const char *sub = strchr(name, '\\');
    struct ndi_prop *p = prop_named(name, sub ? (size_t)(sub - name) : strlen(name), l->lineno);
    const char *key = n > 2 ? f[2] : "", *value = n > 4 ? f[4] : "";
    if (p == NULL)
        return;
    if (sub != NULL) {
        if (strcasecmp(sub + 1, "enum") || !key[0])
            return;
        if (p->nenum < NDI_MAX_ENUM)
            snprintf(p->enums[p->nenum++], sizeof(p->enums[0]), "%s", key);
        if (p->enum_lineno == 0)
            p->enum_lineno = l->lineno;
        return;
    }
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"ParamDesc", offsetof(struct ndi_prop, desc)},
        {"Type", offsetof(struct ndi_prop, type)},
        {"Default", offsetof(struct ndi_prop, def)},
        {"Min", offsetof(struct ndi_prop, min)},
        {"Max", offsetof(struct ndi_prop, max)},
        {"Step", offsetof(struct ndi_prop, step)},
        {"Base", offsetof(struct ndi_prop, base)},
        {"LimitText", offsetof(struct ndi_prop, limit)},
        {"Optional", offsetof(struct ndi_prop, optional)},
    };
    for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
        if (!strcasecmp(key, keys[i].key))
            set_value((struct ndi_value *)((char *)p + keys[i].off), value, l->lineno);
}

/* Collect the advanced properties of one AddReg section (each section once). */
void ndi_collect(const struct inf_section *addreg)
{
    for (size_t i = 0; i < g_nseen; i++)
        if (g_seen[i] == addreg)
            return;
    if (g_nseen < NDI_MAX_SECS)
        g_seen[g_nseen++] = addreg;
    for (size_t k = 0; k < addreg->n; k++)
        collect_line(&addreg->lines[k]);
}

/* A whole number in base 10 or 16 (an optional 0x with base 16). */
static int parse_number(const char *s, int base, long long *out)
{
    char *end;
    if (!s[0])
        return -1;
    errno = 0;
    *out = strtoll(s, &end, base);
    return errno || *end ? -1 : 0;
}

static const struct {
    const char *name;
    long long lo, hi;
} g_numeric[] = {
    {"int", -32768, 32767},
    {"long", -2147483648LL, 2147483647LL},
    {"word", 0, 65535},
    {"dword", 0, 4294967295LL},
};

/* Check an int/long property: base, min <= default <= max, step, within the type's range. */
static void check_numeric(const struct ndi_prop *p, long long lo, long long hi,
                          ndi_report_fn *report)
{
    int base = 10;
    long long v[4];
    const struct ndi_value *val[4] = {&p->min, &p->max, &p->step, &p->def};
    static const char *const what[4] = {"Min", "Max", "Step", "Default"};

    if (p->base.lineno && strcmp(p->base.text, "10")) {
        if (strcmp(p->base.text, "16")) {
            report(p->base.lineno, "advanced property %s: Base \"%s\" is not 10 or 16", p->name,
                   p->base.text);
            return;
        }
        base = 16;
    }
    v[0] = lo, v[1] = hi, v[2] = 1, v[3] = lo;
    for (int i = 0; i < 4; i++) {
        if (!val[i]->lineno)
            continue;
        if (parse_number(val[i]->text, base, &v[i])) {
            report(val[i]->lineno, "advanced property %s: %s \"%s\" is not a number", p->name,
                   what[i], val[i]->text);
            return;
        }
        if (i != 2 && (v[i] < lo || v[i] > hi)) {
            report(val[i]->lineno, "advanced property %s: %s %lld outside its type's %lld..%lld",
                   p->name, what[i], v[i], lo, hi);
            return;
        }
    }
    if (v[0] > v[1]) {
        report(p->max.lineno ? p->max.lineno : p->min.lineno,
               "advanced property %s: Min %lld is above Max %lld", p->name, v[0], v[1]);
        return;
    }
    if (v[2] <= 0) {
        report(p->step.lineno, "advanced property %s: Step %lld is not positive", p->name, v[2]);
        return;
    }
    if (!p->def.lineno)
        return;
    if (v[3] < v[0] || v[3] > v[1])
        report(p->def.lineno, "advanced property %s: Default %lld outside Min..Max %lld..%lld",
               p->name, v[3], v[0], v[1]);
    else if ((v[3] - v[0]) % v[2])
        report(p->def.lineno,
               "advanced property %s: Default %lld is not Min %lld + a multiple of Step %lld",
               p->name, v[3], v[0], v[2]);
}

/* Check an enum property: values listed and its default among them. */
static void check_enum(const struct ndi_prop *p, ndi_report_fn *report)
{
    if (p->nenum == 0) {
        report(p->type.lineno, "advanced property %s: enum without values (Ndi\\Params\\%s\\enum)",
               p->name, p->name);
        return;
    }
    if (!p->def.lineno)
        return;
    for (size_t i = 0; i < p->nenum; i++)
        if (!strcmp(p->enums[i], p->def.text))
            return;
    report(p->def.lineno, "advanced property %s: Default \"%s\" is not one of its enum values",
           p->name, p->def.text);
}

/* Check an edit property: LimitText a positive number that holds the default. */
static void check_edit(const struct ndi_prop *p, ndi_report_fn *report)
{
    long long limit;
    if (!p->limit.lineno)
        return;
    if (parse_number(p->limit.text, 10, &limit) || limit <= 0) {
        report(p->limit.lineno, "advanced property %s: LimitText \"%s\" is not a positive number",
               p->name, p->limit.text);
        return;
    }
    if (p->def.lineno && (long long)strlen(p->def.text) > limit)
        report(p->def.lineno, "advanced property %s: Default is longer than LimitText %lld",
               p->name, limit);
}

/* Check a property against the standardized keyword of its name (inflint_ndis.c). */
static void check_standard(const struct ndi_prop *p, ndi_report_fn *report)
{
    struct ndis_prop_view v = {
        .name = p->name,
        .lineno = p->lineno,
        .type = p->type.text,
        .type_lineno = p->type.lineno,
        .def = p->def.text,
        .min = p->min.text,
        .max = p->max.text,
        .optional = p->optional.text,
        .limit = p->limit.text,
        .def_lineno = p->def.lineno,
        .min_lineno = p->min.lineno,
        .max_lineno = p->max.lineno,
        .enums = p->enums,
        .nenum = p->nenum,
        .enum_lineno = p->enum_lineno,
    };
    ndis_keyword_check(&v, report);
}

/* Check one advanced property: description, type and the rules of its type. */
static void check_prop(const struct ndi_prop *p, ndi_report_fn *report)
{
    if (!p->desc.lineno) {
        report(p->lineno, "advanced property %s has no ParamDesc", p->name);
        return;
    }
    if (!p->type.lineno) {
        report(p->lineno, "advanced property %s has no Type", p->name);
        return;
    }
    if (!p->def.lineno && strcmp(p->optional.text, "1")) {
        report(p->lineno, "advanced property %s has no Default and is not Optional", p->name);
        return;
    }
    if (p->nenum && strcasecmp(p->type.text, "enum")) {
        report(p->enum_lineno, "advanced property %s: enum values for a property of Type %s",
               p->name, p->type.text);
        return;
    }
    for (size_t i = 0; i < sizeof(g_numeric) / sizeof(g_numeric[0]); i++)
        if (!strcasecmp(p->type.text, g_numeric[i].name)) {
            check_numeric(p, g_numeric[i].lo, g_numeric[i].hi, report);
            check_standard(p, report);
            return;
        }
    if (!strcasecmp(p->type.text, "enum"))
        check_enum(p, report);
    else if (!strcasecmp(p->type.text, "edit"))
        check_edit(p, report);
    else {
        report(p->type.lineno, "advanced property %s: unknown Type \"%s\"", p->name, p->type.text);
        return;
    }
    check_standard(p, report);
}

/* Check every advanced property collected. */
void ndi_check(ndi_report_fn *report)
{
    for (size_t i = 0; i < g_nprops; i++)
        check_prop(&g_props[i], report);
}
