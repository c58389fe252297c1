/*
 * viorngum.dll: DllRegisterServer and DllUnregisterServer (regsvr32, the
 * guest-tools MSI), binding rngreg.c to bcrypt.dll.  Run as an
 * administrator: bcrypt writes the machine's CNG configuration.
 *
 * mingw-w64's bcrypt.h does not declare the provider-registration calls;
 * they are declared here with our structure (rngreg.h), whose layout is
 * checked against mingw-w64's CRYPT_* declarations below.
 */
#include <windows.h>
#include <bcrypt.h>
#include <stddef.h>

#include "rngreg.h"

#define RNGREG_SAME_LAYOUT(ours, theirs, a, b)                                                     \
    _Static_assert(offsetof(ours, a) == offsetof(theirs, b), #ours "." #a)
_Static_assert(sizeof(RNGREG_INTERFACE_REG) == sizeof(CRYPT_INTERFACE_REG), "interface reg");
RNGREG_SAME_LAYOUT(RNGREG_INTERFACE_REG, CRYPT_INTERFACE_REG, Functions, rgpszFunctions);
_Static_assert(sizeof(RNGREG_IMAGE_REG) == sizeof(CRYPT_IMAGE_REG), "image reg");
RNGREG_SAME_LAYOUT(RNGREG_IMAGE_REG, CRYPT_IMAGE_REG, Interfaces, rgpInterfaces);
_Static_assert(sizeof(RNGREG_PROVIDER_REG) == sizeof(CRYPT_PROVIDER_REG), "provider reg");
RNGREG_SAME_LAYOUT(RNGREG_PROVIDER_REG, CRYPT_PROVIDER_REG, UserMode, pUM);
RNGREG_SAME_LAYOUT(RNGREG_PROVIDER_REG, CRYPT_PROVIDER_REG, KernelMode, pKM);
_Static_assert(RNGREG_RNG_INTERFACE == BCRYPT_RNG_INTERFACE, "BCRYPT_RNG_INTERFACE");
_Static_assert(RNGREG_CRYPT_LOCAL == CRYPT_LOCAL, "CRYPT_LOCAL");
_Static_assert(RNGREG_PRIORITY_BOTTOM == CRYPT_PRIORITY_BOTTOM, "CRYPT_PRIORITY_BOTTOM");

/* bcrypt.dll exports (Microsoft's bcrypt.h prototypes). */
NTSTATUS WINAPI BCryptRegisterProvider(LPCWSTR pszProvider, ULONG dwFlags,
                                       const RNGREG_PROVIDER_REG *pReg);
NTSTATUS WINAPI BCryptUnregisterProvider(LPCWSTR pszProvider);
NTSTATUS WINAPI BCryptAddContextFunctionProvider(ULONG dwTable, LPCWSTR pszContext,
                                                 ULONG dwInterface, LPCWSTR pszFunction,
                                                 LPCWSTR pszProvider, ULONG dwPosition);
NTSTATUS WINAPI BCryptRemoveContextFunctionProvider(ULONG dwTable, LPCWSTR pszContext,
                                                    ULONG dwInterface, LPCWSTR pszFunction,
                                                    LPCWSTR pszProvider);

/* BCryptRegisterProvider for the registration core. */
static rngprov_status RngregRegister(void *ctx, const uint16_t *provider, uint32_t flags,
                                     const RNGREG_PROVIDER_REG *reg)
{
    (void)ctx;
    return BCryptRegisterProvider((LPCWSTR)provider, flags, reg);
}

/* BCryptUnregisterProvider for the registration core. */
static rngprov_status RngregUnregister(void *ctx, const uint16_t *provider)
{
    (void)ctx;
    return BCryptUnregisterProvider((LPCWSTR)provider);
}

/* BCryptAddContextFunctionProvider for the registration core. */
static rngprov_status RngregAdd(void *ctx, uint32_t table, const uint16_t *context, uint32_t iface,
                                const uint16_t *function, const uint16_t *provider,
                                uint32_t position)
{
    (void)ctx;
    return BCryptAddContextFunctionProvider(table, (LPCWSTR)context, iface, (LPCWSTR)function,
                                            (LPCWSTR)provider, position);
}

/* BCryptRemoveContextFunctionProvider for the registration core. */
static rngprov_status RngregRemove(void *ctx, uint32_t table, const uint16_t *context,
                                   uint32_t iface, const uint16_t *function,
                                   const uint16_t *provider)
{
    (void)ctx;
    return BCryptRemoveContextFunctionProvider(table, (LPCWSTR)context, iface, (LPCWSTR)function,
                                               (LPCWSTR)provider);
}

static const struct rngreg_bcrypt RngregBcrypt = {
    .register_provider = RngregRegister,
    .unregister_provider = RngregUnregister,
    .add_context_function_provider = RngregAdd,
    .remove_context_function_provider = RngregRemove,
};

/* An NTSTATUS as the HRESULT regsvr32 reports (HRESULT_FROM_NT). */
static HRESULT RngregResult(rngprov_status status)
{
    return status == RNGPROV_SUCCESS ? S_OK : (HRESULT)((uint32_t)status | 0x10000000u);
}

HRESULT WINAPI DllRegisterServer(void);
HRESULT WINAPI DllUnregisterServer(void);

/* Exported by name (viorngum.def). */
HRESULT WINAPI DllRegisterServer(void)
{
    return RngregResult(rngreg_register(&RngregBcrypt));
}

/* regsvr32 /u: take the provider out of CNG's RNG list and unregister it. */
HRESULT WINAPI DllUnregisterServer(void)
{
    return RngregResult(rngreg_unregister(&RngregBcrypt));
}
