/*
 * rngreg: the CNG registration of viorngum.dll (DllRegisterServer /
 * DllUnregisterServer, for regsvr32 and the guest-tools MSI), written
 * without Windows headers so that host unit tests run it against a fake
 * bcrypt (tests/rngprov_test.c); rngreg_win.c binds it to bcrypt.dll.
 *
 * The two documented calls (CNG "Registering a provider",
 * learn.microsoft.com/windows/win32/seccng/): BCryptRegisterProvider with a
 * CRYPT_PROVIDER_REG whose user-mode image is the bare file name of a DLL
 * in System32 and which serves BCRYPT_RNG_INTERFACE with the function
 * "RNG"; then BCryptAddContextFunctionProvider(CRYPT_LOCAL, "Default",
 * BCRYPT_RNG_INTERFACE, "RNG", provider, CRYPT_PRIORITY_BOTTOM): the
 * in-box RNG provider stays the first one.  Unregistration is the inverse
 * (BCryptRemoveContextFunctionProvider, then BCryptUnregisterProvider).
 */
#pragma once

#include <stdint.h>

#include "rngprov.h"

/* bcrypt.h constants (Microsoft's CNG reference). */
#define RNGREG_RNG_INTERFACE   0x00000006u /* BCRYPT_RNG_INTERFACE */
#define RNGREG_CRYPT_LOCAL     0x00000001u /* CRYPT_LOCAL: the machine's table */
#define RNGREG_CRYPT_OVERWRITE 0x00000001u /* CRYPT_OVERWRITE: re-registration */
#define RNGREG_PRIORITY_TOP    0x00000000u /* CRYPT_PRIORITY_TOP */
#define RNGREG_PRIORITY_BOTTOM 0xFFFFFFFFu /* CRYPT_PRIORITY_BOTTOM */

/* Where our provider goes in the RNG function's provider list. */
#ifndef RNGREG_POSITION
#define RNGREG_POSITION RNGREG_PRIORITY_BOTTOM
#endif

/* The registration structures, as bcrypt.h declares them (ULONG is 32 bits
 * on every Windows ABI, PWSTR a pointer to UTF-16):
 * CRYPT_INTERFACE_REG {ULONG dwInterface; ULONG dwFlags; ULONG cFunctions;
 *                      PWSTR *rgpszFunctions;}
 * CRYPT_IMAGE_REG     {PWSTR pszImage; ULONG cInterfaces;
 *                      PCRYPT_INTERFACE_REG *rgpInterfaces;}
 * CRYPT_PROVIDER_REG  {ULONG cAliases; PWSTR *rgpszAliases;
 *                      PCRYPT_IMAGE_REG pUM; PCRYPT_IMAGE_REG pKM;} */
typedef struct {
    uint32_t Interface;
    uint32_t Flags;
    uint32_t FunctionCount;
    uint16_t **Functions;
} RNGREG_INTERFACE_REG;

typedef struct {
    uint16_t *Image;
    uint32_t InterfaceCount;
    RNGREG_INTERFACE_REG **Interfaces;
} RNGREG_IMAGE_REG;

typedef struct {
    uint32_t AliasCount;
    uint16_t **Aliases;
    RNGREG_IMAGE_REG *UserMode;
    RNGREG_IMAGE_REG *KernelMode;
} RNGREG_PROVIDER_REG;

/* The four bcrypt calls, so that tests can fake them. */
struct rngreg_bcrypt {
    void *ctx;
    rngprov_status (*register_provider)(void *ctx, const uint16_t *provider, uint32_t flags,
                                        const RNGREG_PROVIDER_REG *reg);
    rngprov_status (*unregister_provider)(void *ctx, const uint16_t *provider);
    rngprov_status (*add_context_function_provider)(void *ctx, uint32_t table,
                                                    const uint16_t *context, uint32_t iface,
                                                    const uint16_t *function,
                                                    const uint16_t *provider, uint32_t position);
    rngprov_status (*remove_context_function_provider)(void *ctx, uint32_t table,
                                                       const uint16_t *context, uint32_t iface,
                                                       const uint16_t *function,
                                                       const uint16_t *provider);
};

/* The provider's name (upstream's, so an upgrade replaces its entry). */
extern const uint16_t rngreg_provider_name[];

/* Registers the provider and adds it to the RNG function; if the second
 * call fails, the first is undone (nothing half-registered). */
rngprov_status rngreg_register(const struct rngreg_bcrypt *b);
/* Removes both, trying the second even when the first fails; what is
 * already gone (STATUS_NOT_FOUND) is not an error, so an uninstall after a
 * failed or partial install succeeds. */
rngprov_status rngreg_unregister(const struct rngreg_bcrypt *b);
