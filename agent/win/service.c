/* The Windows service: installation (-s install/uninstall) under QEMU's
 * agent's names, and the service entry (-d). */
#include "../core/util.h"
#include "agent_win.h"
#include "win.h"

static const struct ga_config *svc_cfg;
static SERVICE_STATUS_HANDLE svc_handle;
static SERVICE_STATUS svc_status;
static HANDLE svc_stop;

/* Reports the service's state to the service control manager. */
static void report(DWORD state, DWORD exit_code)
{
    svc_status.dwServiceType = SERVICE_WIN32_OWN_PROCESS;
    svc_status.dwCurrentState = state;
    svc_status.dwControlsAccepted =
        state == SERVICE_RUNNING ? SERVICE_ACCEPT_STOP | SERVICE_ACCEPT_SHUTDOWN : 0;
    svc_status.dwWin32ExitCode = exit_code;
    svc_status.dwWaitHint = state == SERVICE_RUNNING || state == SERVICE_STOPPED ? 0 : 5000;
    SetServiceStatus(svc_handle, &svc_status);
}

/* Control requests: stop and shutdown end the agent. */
static DWORD WINAPI control(DWORD ctrl, DWORD type, void *data, void *ctx)
{
    (void)type, (void)data, (void)ctx;
    switch (ctrl) {
    case SERVICE_CONTROL_STOP:
    case SERVICE_CONTROL_SHUTDOWN:
        report(SERVICE_STOP_PENDING, NO_ERROR);
        SetEvent(svc_stop);
        return NO_ERROR;
    case SERVICE_CONTROL_INTERROGATE:
        return NO_ERROR;
    default:
        return ERROR_CALL_NOT_IMPLEMENTED;
    }
}

/* The service's main function, on the dispatcher's thread. */
static void WINAPI service_main(DWORD argc, WCHAR **argv)
{
    (void)argc, (void)argv;
    svc_handle = RegisterServiceCtrlHandlerExW(GA_SERVICE_NAME, control, NULL);
    if (!svc_handle) {
        return;
    }
    svc_stop = CreateEventW(NULL, TRUE, FALSE, NULL);
    report(SERVICE_RUNNING, NO_ERROR);
    int rc = svc_stop ? ga_serve(svc_cfg, svc_stop) : 1;
    report(SERVICE_STOPPED, rc ? ERROR_SERVICE_SPECIFIC_ERROR : NO_ERROR);
}

/* Run as the QEMU-GA service under the service control manager. */
int ga_service_dispatch(const struct ga_config *cfg)
{
    static SERVICE_TABLE_ENTRYW table[] = {{(WCHAR *)GA_SERVICE_NAME, service_main}, {NULL, NULL}};
    svc_cfg = cfg;
    if (!StartServiceCtrlDispatcherW(table)) {
        ga_log("cannot start the service dispatcher (error %u): -d runs only as a service",
               (unsigned)GetLastError());
        return 1;
    }
    return 0;
}

/* Appends ' OPT "value"' to the service command line when value is set. */
static void add_opt(struct gw *cl, const char *opt, const char *value)
{
    if (value) {
        gw_raw(cl, " ", 1);
        gw_raw(cl, opt, strlen(opt));
        gw_raw(cl, " \"", 2);
        gw_raw(cl, value, strlen(value));
        gw_raw(cl, "\"", 1);
    }
}

/* Installs the service: automatic start, "<exe>" -d --retry-path. */
static int install(const struct ga_config *cfg)
{
    WCHAR exe[MAX_PATH];
    DWORD n = GetModuleFileNameW(NULL, exe, MAX_PATH);
    if (!n || n >= MAX_PATH) {
        ga_log("cannot find the agent's own path");
        return 1;
    }
    char exe8[MAX_PATH * 3];
    ga_narrow(exe, exe8, sizeof(exe8));
    struct gw cl;
    gw_init(&cl, 8192);
    gw_raw(&cl, "\"", 1);
    gw_raw(&cl, exe8, strlen(exe8));
    gw_raw(&cl, "\" -d --retry-path", 17);
    add_opt(&cl, "-l", cfg->logfile);
    add_opt(&cl, "-f", cfg->pidfile);
    add_opt(&cl, "-t", cfg->statedir);
    add_opt(&cl, "-c", cfg->config_path);
    WCHAR *cmd = cl.failed ? NULL : ga_wide(cl.buf);
    gw_free(&cl);
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    if (!cmd || !scm) {
        ga_log("cannot open the service manager (error %u)", (unsigned)GetLastError());
        ga_free(cmd);
        return 1;
    }
    SC_HANDLE svc =
        CreateServiceW(scm, GA_SERVICE_NAME, GA_SERVICE_DISPLAY_NAME, SERVICE_ALL_ACCESS,
                       SERVICE_WIN32_OWN_PROCESS, SERVICE_AUTO_START, SERVICE_ERROR_NORMAL, cmd,
                       NULL, NULL, NULL, NULL, NULL);
    DWORD code = GetLastError();
    ga_free(cmd);
    if (!svc) {
        ga_log("cannot create the service (error %u)", (unsigned)code);
        CloseServiceHandle(scm);
        return 1;
    }
    SERVICE_DESCRIPTIONW desc = {(WCHAR *)GA_SERVICE_DESCRIPTION};
    ChangeServiceConfig2W(svc, SERVICE_CONFIG_DESCRIPTION, &desc);
    CloseServiceHandle(svc);
    CloseServiceHandle(scm);
    ga_log("service installed");
    return 0;
}

/* Removes the service. */
/* Remove the QEMU-GA service. */
static int uninstall(void)
{
    SC_HANDLE scm = OpenSCManagerW(NULL, NULL, SC_MANAGER_ALL_ACCESS);
    SC_HANDLE svc = scm ? OpenServiceW(scm, GA_SERVICE_NAME, DELETE) : NULL;
    bool ok = svc && DeleteService(svc);
    DWORD code = GetLastError();
    if (svc) {
        CloseServiceHandle(svc);
    }
    if (scm) {
        CloseServiceHandle(scm);
    }
    if (!ok) {
        ga_log("cannot remove the service (error %u)", (unsigned)code);
        return 1;
    }
    ga_log("service removed");
    return 0;
}

/* -s install/uninstall/vss-install/vss-uninstall from the command line. */
int ga_service_command(const struct ga_config *cfg)
{
    if (ga_streq(cfg->service, "install")) {
        return install(cfg);
    }
    if (ga_streq(cfg->service, "uninstall")) {
        return uninstall();
    }
    if (ga_streq(cfg->service, "vss-install")) {
        return ga_vss_install(true);
    }
    if (ga_streq(cfg->service, "vss-uninstall")) {
        return ga_vss_install(false);
    }
    ga_log("unknown service command '%s'", cfg->service);
    return 1;
}
