/*
 * Win32 layer: the agent feeds the balloon driver the memory statistics
 * Windows gives (drivers/balloon/balloon_ioctl.h), every 5 seconds, from
 * documented performance counters (PDH), so that `virsh dommemstat` shows
 * more than the total the driver measures itself.  No balloon device: the
 * thread looks again every 30 seconds.  When the agent stops, its handle
 * closes and the driver reports the total alone again.
 */
#include <windows.h>
#include <winioctl.h>
#include <cfgmgr32.h>
#include <pdh.h>

#include "../../drivers/balloon/balloon_ioctl.h"
#include "../core/balloon_stats.h"
#include "../core/util.h"
#include "win.h"

#define BALLOON_PERIOD_MS 5000
#define BALLOON_SEARCH_MS 30000

static const GUID balloon_interface = BALLOON_INTERFACE_GUID_INIT;

/* The counters behind each figure; "per second" counters are read raw,
 * which is their count since boot. */
static const struct {
    const WCHAR *path;
    enum ga_mem_figure figure;
    uint64_t scale;
} counters[] = {
    {L"\\Memory\\Pages Input/sec", GA_MEM_SWAP_IN, 4096},
    {L"\\Memory\\Pages Output/sec", GA_MEM_SWAP_OUT, 4096},
    {L"\\Memory\\Page Reads/sec", GA_MEM_MAJFLT, 1},
    {L"\\Memory\\Page Faults/sec", GA_MEM_MINFLT, 1}, /* all faults; majors taken off */
    {L"\\Memory\\Free & Zero Page List Bytes", GA_MEM_FREE, 1},
    {L"\\Memory\\Available Bytes", GA_MEM_AVAIL, 1},
    {L"\\Memory\\Cache Bytes", GA_MEM_CACHES, 1},
};
#define NCOUNTERS (sizeof(counters) / sizeof(counters[0]))

/* Opens the first present balloon device, or INVALID_HANDLE_VALUE. */
static HANDLE open_balloon(void)
{
    ULONG n = 0;
    if (CM_Get_Device_Interface_List_SizeW(&n, (LPGUID)&balloon_interface, NULL,
                                           CM_GET_DEVICE_INTERFACE_LIST_PRESENT) != CR_SUCCESS ||
        n <= 1) {
        return INVALID_HANDLE_VALUE;
    }
    WCHAR *list = ga_alloc(n * sizeof(WCHAR));
    HANDLE h = INVALID_HANDLE_VALUE;
    if (list &&
        CM_Get_Device_Interface_ListW((LPGUID)&balloon_interface, NULL, list, n,
                                      CM_GET_DEVICE_INTERFACE_LIST_PRESENT) == CR_SUCCESS &&
        list[0]) {
        h = CreateFileW(list, GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE, NULL,
                        OPEN_EXISTING, 0, NULL);
    }
    ga_free(list);
    return h;
}

/* Thread: samples the counters and sends the figures. */
static DWORD WINAPI feeder(void *arg)
{
    (void)arg;
    PDH_HQUERY query = NULL;
    PDH_HCOUNTER handles[NCOUNTERS] = {0};
    if (PdhOpenQueryW(NULL, 0, &query) == ERROR_SUCCESS) {
        for (size_t i = 0; i < NCOUNTERS; i++) {
            if (PdhAddEnglishCounterW(query, counters[i].path, 0, &handles[i]) != ERROR_SUCCESS) {
                handles[i] = NULL; /* that figure is not sent */
            }
        }
    }
    HANDLE dev = INVALID_HANDLE_VALUE;
    for (;;) {
        if (dev == INVALID_HANDLE_VALUE) {
            dev = open_balloon();
            if (dev == INVALID_HANDLE_VALUE) {
                Sleep(BALLOON_SEARCH_MS);
                continue;
            }
        }
        struct ga_mem_figures f;
        memset(&f, 0, sizeof(f));
        MEMORYSTATUSEX ms;
        ms.dwLength = sizeof(ms);
        if (GlobalMemoryStatusEx(&ms)) {
            f.total = ms.ullTotalPhys;
        }
        if (query && PdhCollectQueryData(query) == ERROR_SUCCESS) {
            for (size_t i = 0; i < NCOUNTERS; i++) {
                PDH_RAW_COUNTER raw;
                if (handles[i] && PdhGetRawCounterValue(handles[i], NULL, &raw) == ERROR_SUCCESS &&
                    raw.FirstValue >= 0) {
                    f.have[counters[i].figure] = true;
                    f.value[counters[i].figure] = (uint64_t)raw.FirstValue * counters[i].scale;
                }
            }
        }
        if (f.have[GA_MEM_MINFLT] && f.have[GA_MEM_MAJFLT]) {
            uint64_t all = f.value[GA_MEM_MINFLT], hard = f.value[GA_MEM_MAJFLT];
            f.value[GA_MEM_MINFLT] = all > hard ? all - hard : 0;
        }
        unsigned char buf[GA_MEM_COUNT * GA_BALLOON_ENTRY_SIZE];
        size_t n = ga_balloon_pack(&f, buf);
        DWORD done;
        if (n &&
            !DeviceIoControl(dev, IOCTL_BALLOON_SET_STATS, buf, (DWORD)n, NULL, 0, &done, NULL)) {
            ga_log("balloon statistics refused (error %u); looking for the device again",
                   (unsigned)GetLastError());
            CloseHandle(dev);
            dev = INVALID_HANDLE_VALUE;
        }
        Sleep(BALLOON_PERIOD_MS);
    }
}

/* Start the thread that feeds Windows' memory figures to the balloon driver. */
void ga_win_balloon_start(void)
{
    HANDLE t = CreateThread(NULL, 64 * 1024, feeder, NULL, 0, NULL);
    if (t) {
        CloseHandle(t);
    }
}
