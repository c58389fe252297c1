/*
 * Named kernel events: IoCreateNotificationEvent opens (or creates) a
 * notification event by name, such as the standard
 * \KernelObjects\LowMemoryCondition the memory manager signals while free
 * memory is low (the driver reads it with KeReadStateEvent, k_ke.c).  The scenario signals
 * and clears the standard events with vw_named_event.  Handles must go
 * back with ZwClose; one still open at unload is a leak.
 */
#include <inttypes.h>
#include <string.h>
#include "abi.h"
#include "kernel.h"
#include "layout.h"

#define EVENT_HANDLE_BASE 0x80000400u
#define NOTIFICATION      0

/* Named events and their handles: this part's state (vw_part_state). */
struct kobjects_state {
    struct {
        char name[64];
        gva_t event;
    } named_events[4];
    unsigned named_event_count;
    gva_t event_handles[8];
};

static const char kobjects_key;

/* This machine's kobjects state; harness side, any IRQL. */
static struct kobjects_state *kobjects(struct vm *vm)
{
    return vw_part_state(vm, &kobjects_key, sizeof(struct kobjects_state));
}

gva_t vw_named_event(struct vm *vm, const char *name)
{
    struct kobjects_state *s = kobjects(vm);
    for (unsigned i = 0; i < s->named_event_count; i++)
        if (strcmp(s->named_events[i].name, name) == 0)
            return s->named_events[i].event;
    if (s->named_event_count == sizeof(s->named_events) / sizeof(s->named_events[0]) ||
        strlen(name) >= sizeof(s->named_events[0].name)) {
        vw_fail(vm, "harness: too many named events (%s)", name);
        return 0;
    }
    gva_t event =
        vw_pool_alloc(vm, VW_SIZEOF(vm, KEVENT), VW_TAG('E', 'v', 'n', 't'), "named event", false);
    if (event == 0)
        return 0;
    vw_event_init(vm, event, NOTIFICATION, false);
    strcpy(s->named_events[s->named_event_count].name, name);
    s->named_events[s->named_event_count++].event = event;
    return event;
}

void vw_named_event_set(struct vm *vm, const char *name, bool signalled)
{
    gva_t event = vw_named_event(vm, name);
    if (event != 0)
        vw_wr(vm, event + VW_OFFSET(vm, KEVENT, Header.SignalState), signalled, 4);
}

/* PKEVENT IoCreateNotificationEvent(PUNICODE_STRING EventName, PHANDLE EventHandle) */
void vw_IoCreateNotificationEvent(struct vm *vm, const struct vw_api *api)
{
    struct kobjects_state *s = kobjects(vm);
    char name[96];
    gva_t name_us = vw_arg(vm, api, 0), handle_out = vw_arg(vm, api, 1);
    vw_set_return(vm, 0); /* arm64: x0 is the first argument too, read above */
    if (!vw_read_unicode_string(vm, name_us, name, sizeof(name)) || handle_out == 0) {
        vw_fail(vm, "IoCreateNotificationEvent: bad name or handle pointer");
        return;
    }
    unsigned slot = 0;
    while (slot < 8 && s->event_handles[slot] != 0)
        slot++;
    if (slot == 8) {
        vw_fail(vm, "harness: too many event handles open");
        return;
    }
    gva_t event = vw_named_event(vm, name);
    if (event == 0)
        return;
    s->event_handles[slot] = event;
    vw_wrptr(vm, handle_out, EVENT_HANDLE_BASE + 4 * slot);
    vw_set_return(vm, event);
}

bool vw_event_handle_close(struct vm *vm, uint64_t handle)
{
    struct kobjects_state *s = kobjects(vm);
    uint64_t slot = (handle - EVENT_HANDLE_BASE) / 4;
    if (handle < EVENT_HANDLE_BASE || (handle - EVENT_HANDLE_BASE) % 4 != 0 || slot >= 8 ||
        s->event_handles[slot] == 0)
        return false;
    s->event_handles[slot] = 0;
    return true;
}

unsigned vw_event_handles_report_leaks(struct vm *vm)
{
    struct kobjects_state *s = kobjects(vm);
    unsigned n = 0;
    for (unsigned i = 0; i < 8; i++)
        if (s->event_handles[i] != 0) {
            vw_log(vm, "leak: event handle 0x%x (IoCreateNotificationEvent) never closed",
                   EVENT_HANDLE_BASE + 4 * i);
            n++;
        }
    return n;
}
