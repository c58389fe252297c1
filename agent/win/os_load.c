/*
 * Win32 layer: the sampler behind guest-get-load.  A thread reads the
 * performance counter "\System\Processor Queue Length" (PDH) every 5
 * seconds and folds it into fixed-point averages (core/load.c).
 */
#include <pdh.h>

#include "../core/load.h"
#include "../core/os.h"
#include "../core/util.h"
#include "win.h"

static CRITICAL_SECTION load_lock;
static struct ga_load load;
static LONG load_started;
static PDH_STATUS load_status = ERROR_SUCCESS; /* why sampling is off */

static PDH_HQUERY load_query;
static PDH_HCOUNTER load_counter;

/* Thread: samples the queue length every GA_LOAD_PERIOD_MS. */
static DWORD WINAPI sampler(void *arg)
{
    (void)arg;
    for (;;) {
        Sleep(GA_LOAD_PERIOD_MS);
        PDH_FMT_COUNTERVALUE v;
        if (PdhCollectQueryData(load_query) == ERROR_SUCCESS &&
            PdhGetFormattedCounterValue(load_counter, PDH_FMT_LONG, NULL, &v) == ERROR_SUCCESS &&
            v.longValue >= 0) {
            EnterCriticalSection(&load_lock);
            ga_load_sample(&load, (uint32_t)v.longValue);
            LeaveCriticalSection(&load_lock);
        }
    }
}

/* Start sampling the processor queue length (PDH) once, in its own thread. */
void ga_win_load_start(void)
{
    if (InterlockedExchange(&load_started, 1)) {
        return;
    }
    InitializeCriticalSection(&load_lock);
    /* The counter is set up here, not in the thread, so that a request
     * right after start already knows whether there is one. */
    PDH_STATUS st = PdhOpenQueryW(NULL, 0, &load_query);
    if (st == ERROR_SUCCESS) {
        st = PdhAddEnglishCounterW(load_query, L"\\System\\Processor Queue Length", 0,
                                   &load_counter);
        if (st == ERROR_SUCCESS) {
            st = PdhCollectQueryData(load_query);
        }
        if (st != ERROR_SUCCESS) {
            PdhCloseQuery(load_query);
        }
    }
    if (st == ERROR_SUCCESS) {
        HANDLE t = CreateThread(NULL, 64 * 1024, sampler, NULL, 0, NULL);
        if (t) {
            CloseHandle(t);
        } else {
            st = (PDH_STATUS)GetLastError();
        }
    }
    load_status = st;
}

/* The current load averages, or the PDH error when there is no counter. */
bool ga_os_load(uint32_t avg[3], struct ga_err *err)
{
    ga_win_load_start();
    EnterCriticalSection(&load_lock);
    PDH_STATUS st = load_status;
    for (int i = 0; i < 3; i++) {
        avg[i] = load.avg[i];
    }
    LeaveCriticalSection(&load_lock);
    if (st != ERROR_SUCCESS) {
        return ga_error(err, "cannot sample \\System\\Processor Queue Length (PDH status 0x%x)",
                        (unsigned)st);
    }
    return true;
}
