/*
 * rngreg: what viorngum.dll's DllRegisterServer/DllUnregisterServer ask of
 * bcrypt (see rngreg.h).
 */
#include "rngreg.h"

#include <stddef.h>

const uint16_t rngreg_provider_name[] = u"QEMU VirtIO RNG Provider";

/* bcrypt loads a user-mode provider by this name from System32. */
static uint16_t rngreg_image[] = u"viorngum.dll";
static const uint16_t rngreg_context[] = u"Default";
static uint16_t rngreg_function[] = u"RNG";

/* Register the provider with CNG and add it at the bottom of the RNG list. */
rngprov_status rngreg_register(const struct rngreg_bcrypt *b)
{
    uint16_t *functions[1] = {rngreg_function};
    RNGREG_INTERFACE_REG rng = {
        .Interface = RNGREG_RNG_INTERFACE,
        .Flags = RNGREG_CRYPT_LOCAL,
        .FunctionCount = 1,
        .Functions = functions,
    };
    RNGREG_INTERFACE_REG *interfaces[1] = {&rng};
    RNGREG_IMAGE_REG um = {
        .Image = rngreg_image,
        .InterfaceCount = 1,
        .Interfaces = interfaces,
    };
    RNGREG_PROVIDER_REG reg = {.AliasCount = 0, .Aliases = NULL, .UserMode = &um};
    rngprov_status status;

    status = b->register_provider(b->ctx, rngreg_provider_name, RNGREG_CRYPT_OVERWRITE, &reg);
    if (status != RNGPROV_SUCCESS)
        return status;
    status = b->add_context_function_provider(b->ctx, RNGREG_CRYPT_LOCAL, rngreg_context,
                                              RNGREG_RNG_INTERFACE, rngreg_function,
                                              rngreg_provider_name, RNGREG_POSITION);
    if (status != RNGPROV_SUCCESS)
        b->unregister_provider(b->ctx, rngreg_provider_name);
    return status;
}

/* Both steps are tried (an uninstall takes away what it can); the first
 * failure is the answer. */
rngprov_status rngreg_unregister(const struct rngreg_bcrypt *b)
{
    rngprov_status removed, unregistered;

    removed = b->remove_context_function_provider(b->ctx, RNGREG_CRYPT_LOCAL, rngreg_context,
                                                  RNGREG_RNG_INTERFACE, rngreg_function,
                                                  rngreg_provider_name);
    unregistered = b->unregister_provider(b->ctx, rngreg_provider_name);
    if (removed != RNGPROV_SUCCESS && removed != RNGPROV_NOT_FOUND)
        return removed;
    return unregistered == RNGPROV_NOT_FOUND ? RNGPROV_SUCCESS : unregistered;
}
