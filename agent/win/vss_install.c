/*
 * `qemu-ga.exe -s vss-install` / `-s vss-uninstall`: registers our VSS
 * provider (qga-vss.dll, agent/vss/) with VSS through
 * IVssAdmin::RegisterProvider / UnregisterProvider, as QEMU's agent does
 * for its own.  The COM class itself (InprocServer32 and the surrogate's
 * AppID) is written by the agent MSI's Registry table; the MSI runs these
 * commands as deferred custom actions.  Registering again replaces an
 * older registration; unregistering what is not registered succeeds.
 */
#define COBJMACROS
#include <initguid.h>
#include <windows.h>
#include <vss.h>
#include <vsadmin.h>

#include "../core/util.h"
#include "../vss/qga_vss.h"
#include "win.h"

static const VSS_ID ProviderId = QGA_VSS_PROVIDER_ID_INIT;
static const CLSID ProviderClsid = QGA_VSS_CLSID_INIT;
static const VSS_ID ProviderVersionId = QGA_VSS_VERSION_ID_INIT;

/* Register (or unregister) our VSS provider with the VSS service. */
int ga_vss_install(bool install)
{
    struct ga_err err = {GA_ERR_NONE, {0}};
    IVssAdmin *admin = NULL;
    HRESULT hr = CoInitializeEx(NULL, COINIT_MULTITHREADED);
    if (FAILED(hr)) {
        ga_vss_hr_error(&err, hr, "failed to initialize COM");
        ga_log("%s", err.desc);
        return 1;
    }
    /* As QEMU's installer: VSS talks back to its caller. */
    CoInitializeSecurity(NULL, -1, NULL, NULL, RPC_C_AUTHN_LEVEL_PKT_PRIVACY,
                         RPC_C_IMP_LEVEL_IDENTIFY, NULL, EOAC_NONE, NULL);
    hr = CoCreateInstance(&CLSID_VSSCoordinator, NULL, CLSCTX_ALL, &IID_IVssAdmin, (void **)&admin);
    if (FAILED(hr)) {
        ga_vss_hr_error(&err, hr, "failed to reach the VSS coordinator");
    } else {
        /* A registration left by an older version goes first. */
        hr = IVssAdmin_UnregisterProvider(admin, ProviderId);
        if (FAILED(hr) && hr != (HRESULT)VSS_E_PROVIDER_NOT_REGISTERED) {
            ga_vss_hr_error(&err, hr, "failed to unregister the VSS provider");
        } else if (install) {
            hr = IVssAdmin_RegisterProvider(
                admin, ProviderId, ProviderClsid, (VSS_PWSZ)L"" QGA_VSS_PROVIDER_NAME,
                VSS_PROV_SOFTWARE, (VSS_PWSZ)L"" QGA_VSS_PROVIDER_VERSION, ProviderVersionId);
            if (FAILED(hr)) {
                ga_vss_hr_error(&err, hr, "failed to register the VSS provider");
            }
        }
        IVssAdmin_Release(admin);
    }
    CoUninitialize();
    if (err.cls != GA_ERR_NONE) {
        ga_log("%s", err.desc);
        return 1;
    }
    ga_log(install ? "VSS provider registered" : "VSS provider unregistered");
    return 0;
}
