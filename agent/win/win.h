/* Shared helpers of the agent's Win32 layer. */
#ifndef GA_WIN_H
#define GA_WIN_H

#include <windows.h>

#include "../core/agent.h"

/* UTF-8 to a heap UTF-16 string (ga_free), or NULL. */
WCHAR *ga_wide(const char *s);
/* UTF-16 to UTF-8 into buf (truncated, NUL-terminated). */
void ga_narrow(const WCHAR *w, char *buf, size_t size);
/* UTF-16 to a heap UTF-8 string (ga_free), or NULL. */
char *ga_narrow_dup(const WCHAR *w);
/* Sets a GenericError with the system's text for code. */
bool ga_win_error(struct ga_err *err, DWORD code);
/* Sets err to "<what>: <system text for hr>" (or "unknown Windows error
 * 0x..."), as QEMU's agent words HRESULT errors (vss_requester.c). */
bool ga_vss_hr_error(struct ga_err *err, HRESULT hr, const char *what);
/* -s vss-install / vss-uninstall (vss_install.c); the exit status. */
int ga_vss_install(bool install);
/* Enables a privilege (SeShutdownPrivilege, SeSystemtimePrivilege) in the
 * process token. */
bool ga_enable_privilege(const WCHAR *name, struct ga_err *err);
/* Writes a log line when logging is on (see main.c). */
void ga_log(const char *fmt, ...);
extern bool ga_verbose;
/* Fills vol's disks from the volume's extents (os_disks.c). */
struct ga_volume;
void ga_win_volume_disks(const WCHAR *volume, struct ga_volume *vol);
/* Ends a guest-exec process (os_exec.c). */
void ga_os_exec_kill(void *proc);
/* Starts sampling the processor queue for guest-get-load (os_load.c). */
void ga_win_load_start(void);
/* Starts feeding the balloon driver memory statistics (balloon_win.c). */
void ga_win_balloon_start(void);

#endif
