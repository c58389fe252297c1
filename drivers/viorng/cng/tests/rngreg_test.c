/*
 * Host-side unit tests of viorngum.dll's CNG registration (rngreg.c)
 * against a fake bcrypt that records every call and keeps the state bcrypt
 * would keep (the provider registered, its place in the RNG function's
 * provider list).  Prints one PASS/FAIL line per check ("reg: ...") and
 * ends with "N passed, N failed" (exit 1 on failures).
 */
#include "../rngreg.h"

#include <stdio.h>
#include <string.h>
#define HOSTCHECK_PREFIX "reg: "
#include <hostcheck.h>

/* UTF-16 against ASCII. */
static int wide_is(const uint16_t *w, const char *s)
{
    if (w == NULL)
        return 0;
    for (; *s != '\0'; w++, s++)
        if (*w != (uint16_t)(unsigned char)*s)
            return 0;
    return *w == 0;
}

static int wide_has(const uint16_t *w, char c)
{
    for (; w != NULL && *w != 0; w++)
        if (*w == (uint16_t)c)
            return 1;
    return 0;
}

/* ---- the fake bcrypt ---- */

struct fake {
    /* what to answer */
    rngprov_status register_status, add_status, remove_status, unregister_status;
    /* the state bcrypt keeps */
    int registered, in_rng_list;
    uint32_t position;
    /* the calls, in order: 'R'egister, 'A'dd, 'X' remove, 'U'nregister */
    char calls[16];
    int ncalls;
    /* what register saw (copied: the structure lives on the caller's stack) */
    int reg_ok; /* the structure had the shape checked in fake_register */
    char reg_why[128];
    uint32_t reg_flags;
    int provider_names_match;
    /* what add/remove saw */
    uint32_t table, iface;
    int context_default, function_rng;
};

static void note(struct fake *f, char c)
{
    if (f->ncalls < (int)sizeof(f->calls) - 1)
        f->calls[f->ncalls++] = c;
}

static rngprov_status fake_register(void *ctx, const uint16_t *provider, uint32_t flags,
                                    const RNGREG_PROVIDER_REG *reg)
{
    struct fake *f = ctx;
    note(f, 'R');
    f->reg_flags = flags;
    f->provider_names_match = wide_is(provider, "QEMU VirtIO RNG Provider");
    const char *why = NULL;
    const RNGREG_IMAGE_REG *um = reg != NULL ? reg->UserMode : NULL;
    if (reg == NULL)
        why = "no CRYPT_PROVIDER_REG";
    else if (reg->AliasCount != 0 || reg->Aliases != NULL)
        why = "aliases";
    else if (reg->KernelMode != NULL)
        why = "a kernel-mode image";
    else if (um == NULL || um->Image == NULL)
        why = "no user-mode image";
    else if (wide_has(um->Image, '\\') || wide_has(um->Image, '/') || wide_has(um->Image, ':'))
        why = "the image is a path, not the bare name of a DLL in System32";
    else if (!wide_is(um->Image, "viorngum.dll"))
        why = "the image is not viorngum.dll";
    else if (um->InterfaceCount != 1 || um->Interfaces == NULL || um->Interfaces[0] == NULL)
        why = "not exactly one interface";
    else if (um->Interfaces[0]->Interface != RNGREG_RNG_INTERFACE)
        why = "the interface is not BCRYPT_RNG_INTERFACE";
    else if (um->Interfaces[0]->Flags != RNGREG_CRYPT_LOCAL)
        why = "the interface is not in the local table (CRYPT_LOCAL)";
    else if (um->Interfaces[0]->FunctionCount != 1 || um->Interfaces[0]->Functions == NULL ||
             !wide_is(um->Interfaces[0]->Functions[0], "RNG"))
        why = "the interface does not serve exactly the function RNG";
    f->reg_ok = why == NULL;
    snprintf(f->reg_why, sizeof(f->reg_why), "%s", why != NULL ? why : "");
    if (f->register_status == RNGPROV_SUCCESS)
        f->registered = 1;
    return f->register_status;
}

static rngprov_status fake_unregister(void *ctx, const uint16_t *provider)
{
    struct fake *f = ctx;
    note(f, 'U');
    f->provider_names_match &= wide_is(provider, "QEMU VirtIO RNG Provider");
    if (f->unregister_status != RNGPROV_SUCCESS)
        return f->unregister_status;
    if (!f->registered)
        return RNGPROV_NOT_FOUND;
    f->registered = 0;
    return RNGPROV_SUCCESS;
}

static void fake_saw(struct fake *f, uint32_t table, const uint16_t *context, uint32_t iface,
                     const uint16_t *function, const uint16_t *provider)
{
    f->table = table;
    f->iface = iface;
    f->context_default = wide_is(context, "Default");
    f->function_rng = wide_is(function, "RNG");
    f->provider_names_match &= wide_is(provider, "QEMU VirtIO RNG Provider");
}

static rngprov_status fake_add(void *ctx, uint32_t table, const uint16_t *context, uint32_t iface,
                               const uint16_t *function, const uint16_t *provider,
                               uint32_t position)
{
    struct fake *f = ctx;
    note(f, 'A');
    fake_saw(f, table, context, iface, function, provider);
    f->position = position;
    if (f->add_status != RNGPROV_SUCCESS)
        return f->add_status;
    f->in_rng_list = 1;
    return RNGPROV_SUCCESS;
}

static rngprov_status fake_remove(void *ctx, uint32_t table, const uint16_t *context,
                                  uint32_t iface, const uint16_t *function,
                                  const uint16_t *provider)
{
    struct fake *f = ctx;
    note(f, 'X');
    fake_saw(f, table, context, iface, function, provider);
    if (f->remove_status != RNGPROV_SUCCESS)
        return f->remove_status;
    if (!f->in_rng_list)
        return RNGPROV_NOT_FOUND;
    f->in_rng_list = 0;
    return RNGPROV_SUCCESS;
}

static struct rngreg_bcrypt bcrypt_of(struct fake *f)
{
    memset(f->calls, 0, sizeof(f->calls));
    f->ncalls = 0;
    f->provider_names_match = 1;
    return (struct rngreg_bcrypt){f, fake_register, fake_unregister, fake_add, fake_remove};
}

/* ---- tests ---- */

static void test_register(void)
{
    struct fake f = {0};
    struct rngreg_bcrypt b = bcrypt_of(&f);
    rngprov_status st = rngreg_register(&b);
    expect(st == RNGPROV_SUCCESS, "register succeeds (0x%08x)", (unsigned)st);
    expect(strcmp(f.calls, "RA") == 0,
           "BCryptRegisterProvider, then "
           "BCryptAddContextFunctionProvider (calls \"%s\")",
           f.calls);
    expect(f.reg_ok, "CRYPT_PROVIDER_REG: %s",
           f.reg_ok ? "UM image viorngum.dll, BCRYPT_RNG_INTERFACE (CRYPT_LOCAL) serving RNG"
                    : f.reg_why);
    expect(f.reg_flags == RNGREG_CRYPT_OVERWRITE, "registered with CRYPT_OVERWRITE (0x%x)",
           f.reg_flags);
    expect(f.table == RNGREG_CRYPT_LOCAL && f.context_default && f.iface == RNGREG_RNG_INTERFACE &&
               f.function_rng,
           "added to CRYPT_LOCAL, context Default, BCRYPT_RNG_INTERFACE, function RNG");
    expect(f.position == RNGREG_PRIORITY_BOTTOM,
           "added at CRYPT_PRIORITY_BOTTOM: the in-box RNG stays first (position 0x%x)",
           f.position);
    expect(f.provider_names_match, "every call names the provider QEMU VirtIO RNG Provider");
    expect(f.registered && f.in_rng_list, "bcrypt's state: registered and in the RNG list");

    /* Registering again (a repair) overwrites and succeeds. */
    b = bcrypt_of(&f);
    st = rngreg_register(&b);
    expect(st == RNGPROV_SUCCESS && f.registered && f.in_rng_list, "registering twice succeeds");
}

static void test_register_failures(void)
{
    struct fake f = {.register_status = (rngprov_status)0xC0000022 /* ACCESS_DENIED */};
    struct rngreg_bcrypt b = bcrypt_of(&f);
    rngprov_status st = rngreg_register(&b);
    expect(st == (rngprov_status)0xC0000022 && strcmp(f.calls, "R") == 0 && !f.in_rng_list,
           "a refused registration (not an administrator) is reported, nothing added "
           "(0x%08x, calls \"%s\")",
           (unsigned)st, f.calls);

    struct fake g = {.add_status = RNGPROV_NO_MEMORY};
    b = bcrypt_of(&g);
    st = rngreg_register(&b);
    expect(st == RNGPROV_NO_MEMORY && strcmp(g.calls, "RAU") == 0 && !g.registered,
           "a failed add undoes the registration: nothing half-registered "
           "(0x%08x, calls \"%s\")",
           (unsigned)st, g.calls);
}

static void test_unregister(void)
{
    struct fake f = {0};
    struct rngreg_bcrypt b = bcrypt_of(&f);
    rngreg_register(&b);
    b = bcrypt_of(&f);
    rngprov_status st = rngreg_unregister(&b);
    expect(st == RNGPROV_SUCCESS && strcmp(f.calls, "XU") == 0,
           "unregister: BCryptRemoveContextFunctionProvider, then BCryptUnregisterProvider "
           "(0x%08x, calls \"%s\")",
           (unsigned)st, f.calls);
    expect(f.table == RNGREG_CRYPT_LOCAL && f.context_default && f.iface == RNGREG_RNG_INTERFACE &&
               f.function_rng && f.provider_names_match,
           "removed from CRYPT_LOCAL, Default, BCRYPT_RNG_INTERFACE, RNG by the same name");
    expect(!f.registered && !f.in_rng_list, "bcrypt's state: nothing left");

    /* Uninstall again, or after a failed install: nothing to remove. */
    b = bcrypt_of(&f);
    st = rngreg_unregister(&b);
    expect(st == RNGPROV_SUCCESS && strcmp(f.calls, "XU") == 0,
           "unregistering what is not registered succeeds (0x%08x)", (unsigned)st);

    struct fake g = {.remove_status = (rngprov_status)0xC0000022};
    b = bcrypt_of(&g);
    st = rngreg_unregister(&b);
    expect(st == (rngprov_status)0xC0000022 && strcmp(g.calls, "XU") == 0,
           "a refused removal is reported, the provider is still unregistered "
           "(0x%08x, calls \"%s\")",
           (unsigned)st, g.calls);
}

int main(void)
{
    test_register();
    test_register_failures();
    test_unregister();
    return hostcheck_end();
}
