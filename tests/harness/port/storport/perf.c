/*
 * StorPort's performance options and the CPUs requests come from: which
 * CPU the class layer issues each request on (StorPort's submission runs
 * there, carried by a KDPC queued on that CPU), StorPortInitializePerfOpts
 * (storport/nf-storport-storportinitializeperfopts, flags and their
 * versions from storport/ns-storport-_perf_configuration_data),
 * StorPortGetStartIoPerfParams (storport/nf-storport-storportgetstartioperfparams,
 * storport/ns-storport-_startio_performance_parameters), concurrent
 * HwStartIo calls, and the CPU StorPort's completion runs on.
 */
#include <inttypes.h>
#include "internal.h"

/* What the emulation grants: DPC redirection .. current-CPU redirection
 * (STOR_PERF_NO_SGL, version 5, is not: StorPort always builds the list). */
#define STOR_PERF_SUPPORTED 0x3fu

/* The flags PERF_CONFIGURATION_DATA's Version makes valid (the page's
 * table: 2 and 3 for redirection, channels and message ranges; 3 for
 * locality and completion during StartIo; 4 for current-CPU redirection). */
static uint32_t flags_for_version(uint32_t version)
{
    uint32_t f = 0;
    if (version >= 2)
        f |= STOR_PERF_DPC_REDIRECTION | STOR_PERF_CONCURRENT_CHANNELS |
             STOR_PERF_INTERRUPT_MESSAGE_RANGES;
    if (version >= 3)
        f |= STOR_PERF_ADV_CONFIG_LOCALITY | STOR_PERF_OPTIMIZE_FOR_COMPLETION;
    if (version >= 4)
        f |= STOR_PERF_DPC_REDIRECTION_CURRENT_CPU;
    return f & STOR_PERF_SUPPORTED;
}

/* StorPortInitializePerfOpts(ext, Query, data): HwInitialize or the
 * passive routine only; Query fills Flags with what StorPort supports,
 * else the flags are applied.  A flag StorPort does not recognise gets
 * STOR_STATUS_UNSUCCESSFUL; message ranges, locality and completion
 * during StartIo "must also set" DPC redirection, and current-CPU
 * redirection too (PERF_CONFIGURATION_DATA), so without it they fail. */
uint32_t stor_perf_opts(struct vm *vm, struct stor_adapter *a, bool query, gva_t data)
{
    enum stor_ctx ctx = stor_cpu(vm, a)->ctx;
    if (ctx != CTX_HW_INITIALIZE && ctx != CTX_PASSIVE_INIT) {
        vw_fail(vm, "StorPortInitializePerfOpts in %s (HwInitialize or the passive routine only)",
                stor_ctx_name(ctx));
        return STOR_STATUS_UNSUCCESSFUL;
    }
    if (data == 0)
        return STOR_STATUS_INVALID_PARAMETER;
    uint32_t version = (uint32_t)vw_rd(vm, data, 4);
    uint64_t fl = VW_OFFSET(vm, PERF_CONFIGURATION_DATA, Flags);
    if (query) {
        vw_wr(vm, data + fl, flags_for_version(version), 4);
        return STOR_STATUS_SUCCESS;
    }
    uint32_t flags = (uint32_t)vw_rd(vm, data + fl, 4);
    const uint32_t needs_redirection =
        STOR_PERF_INTERRUPT_MESSAGE_RANGES | STOR_PERF_ADV_CONFIG_LOCALITY |
        STOR_PERF_OPTIMIZE_FOR_COMPLETION | STOR_PERF_DPC_REDIRECTION_CURRENT_CPU;
    if ((flags & ~flags_for_version(version)) ||
        ((flags & needs_redirection) && !(flags & STOR_PERF_DPC_REDIRECTION)) ||
        ((flags & STOR_PERF_ADV_CONFIG_LOCALITY) &&
         !(flags & STOR_PERF_INTERRUPT_MESSAGE_RANGES))) {
        vw_log(vm, "storport: StorPortInitializePerfOpts refused flags 0x%x (version %u)", flags,
               version);
        return STOR_STATUS_UNSUCCESSFUL;
    }
    a->perf_flags = flags;
    a->channels =
        (uint32_t)vw_rd(vm, data + VW_OFFSET(vm, PERF_CONFIGURATION_DATA, ConcurrentChannels), 4);
    a->first_msg = 0;
    a->last_msg = a->msi_messages ? a->msi_messages - 1 : 0;
    if (flags & STOR_PERF_INTERRUPT_MESSAGE_RANGES) {
        uint32_t first = (uint32_t)vw_rd(
            vm, data + VW_OFFSET(vm, PERF_CONFIGURATION_DATA, FirstRedirectionMessageNumber), 4);
        uint32_t last = (uint32_t)vw_rd(
            vm, data + VW_OFFSET(vm, PERF_CONFIGURATION_DATA, LastRedirectionMessageNumber), 4);
        if (first > last || last >= a->msi_messages) {
            vw_log(vm, "storport: redirection messages %u..%u, %u granted", first, last,
                   a->msi_messages);
            a->perf_flags = 0;
            return STOR_STATUS_UNSUCCESSFUL;
        }
        a->first_msg = first, a->last_msg = last;
    }
    if ((flags & STOR_PERF_CONCURRENT_CHANNELS) && a->channels == 0) {
        vw_log(vm, "storport: STOR_PERF_CONCURRENT_CHANNELS with ConcurrentChannels 0");
        a->perf_flags = 0;
        return STOR_STATUS_UNSUCCESSFUL;
    }
    vw_log(vm, "storport: performance options 0x%x (%u channel(s), messages %u..%u)", flags,
           a->channels, a->first_msg, a->last_msg);
    return STOR_STATUS_SUCCESS;
}

/* StorPortGetStartIoPerfParams(ext, Srb, params): the SRB must be one
 * StorPort sent (and the miniport holds), Size large enough.
 * MessageNumber: "the optimal MSI-X message with which to interrupt",
 * here the first message of the redirection range that targets the
 * running CPU, else (fewer messages than CPUs: which one Windows picks is
 * not documented) the range's message CPU modulo its size; 0 without
 * MSI-X.  ChannelNumber: the channel StorPort passes the I/O in (the CPU
 * modulo ConcurrentChannels), 0 without concurrent channels. */
uint32_t stor_startio_params(struct vm *vm, struct stor_adapter *a, gva_t srb, gva_t p)
{
    struct stor_req *r = srb ? stor_find_req(a, srb) : NULL;
    uint32_t size = p ? (uint32_t)vw_rd(vm, p + 4, 4) : 0;
    if (r == NULL || r->state != REQ_AT_MINIPORT || p == 0 ||
        size < VW_SIZEOF(vm, STARTIO_PERFORMANCE_PARAMETERS))
        return STOR_STATUS_INVALID_PARAMETER;
    unsigned cpu = vw_cpu_current(vm), message = 0, channel = 0;
    if (a->msi_messages > 0) {
        unsigned n = a->last_msg - a->first_msg + 1;
        message = a->first_msg + cpu % n;
        for (unsigned m = a->first_msg; m <= a->last_msg; m++)
            if (vw_intr_target_cpu(vm, true, m) == cpu) {
                message = m;
                break;
            }
    }
    if (a->perf_flags & STOR_PERF_CONCURRENT_CHANNELS)
        channel = cpu % a->channels;
    vw_wr(vm, p + VW_OFFSET(vm, STARTIO_PERFORMANCE_PARAMETERS, MessageNumber), message, 4);
    vw_wr(vm, p + VW_OFFSET(vm, STARTIO_PERFORMANCE_PARAMETERS, ChannelNumber), channel, 4);
    return STOR_STATUS_SUCCESS;
}

/* ---- Requests from every CPU ------------------------------------------ */

void vw_stor_submit_from(struct vm *vm, int cpu)
{
    struct stor_adapter *a = &stor_state(vm)->normal;
    if (cpu >= (int)vw_cpu_count(vm)) {
        vw_fail(vm, "storport: no CPU %d to issue requests from", cpu);
        return;
    }
    a->submit_mode = cpu;
    a->submit_next = 0;
    a->submit_rng = vm->k->sched_rng;
}

/* The CPU the next request is issued on (vw_stor_submit_from). */
unsigned stor_submit_cpu(struct vm *vm, struct stor_adapter *a)
{
    unsigned n = vw_cpu_count(vm);
    if (a->submit_mode >= 0)
        return (unsigned)a->submit_mode < n ? (unsigned)a->submit_mode : 0;
    if (a->submit_mode == VW_STOR_CPU_SEEDED && a->submit_rng != 0) {
        uint64_t *x = &a->submit_rng;
        *x ^= *x << 13, *x ^= *x >> 7, *x ^= *x << 17;
        return (unsigned)((*x >> 32) % n);
    }
    return a->submit_next++ % n;
}

/* Where StorPort's completion of R runs: with STOR_PERF_DPC_REDIRECTION
 * on the CPU that originated the request; with
 * STOR_PERF_DPC_REDIRECTION_CURRENT_CPU, or without redirection, on the
 * CPU that completed it (PERF_CONFIGURATION_DATA: "set to the CPU
 * requesting the DPC instead of the CPU originating the IO request"). */
unsigned stor_completion_cpu(struct vm *vm, const struct stor_adapter *a, const struct stor_req *r)
{
    if ((a->perf_flags & STOR_PERF_DPC_REDIRECTION) &&
        !(a->perf_flags & STOR_PERF_DPC_REDIRECTION_CURRENT_CPU))
        return r->cpu;
    return vw_cpu_current(vm);
}

/* May the running CPU call HwStartIo now?  Without concurrent channels
 * StorPort holds the StartIo lock around it, so a request waits while
 * another CPU holds it; with them, at most ConcurrentChannels at once.  A
 * CPU run at another's scheduling point cannot spin inside this nested
 * call (k_cpus.c), so StorPort starts nothing there while the interrupted
 * CPU holds any spin lock: the request waits for a later point. */
static bool may_start_here(struct vm *vm, struct stor_adapter *a)
{
    unsigned me = vw_cpu_current(vm);
    for (unsigned n = 0; n < vw_cpu_count(vm); n++)
        if (n != me && vw_cpu_holds_locks(vm, n))
            return false;
    int h = vw_cpu_lock_holder(vm, a->startio_word);
    if (!(a->perf_flags & STOR_PERF_CONCURRENT_CHANNELS) && !a->plant_unlocked_startio &&
        (h >= 0 || a->in_startio > 0))
        return false;
    if ((a->perf_flags & STOR_PERF_CONCURRENT_CHANNELS) && a->in_startio >= a->channels)
        return false;
    return true;
}

static vw_api_fn stor_submit_dpc;
static const struct vw_api submit_dpc_api = {
    "storport submission DPC", VW_ALL_ARCHES, VW_STDCALL, 4, 0, VW_HIGH_LEVEL, stor_submit_dpc};

/* DISPATCH_LEVEL on the issuing CPU: StorPort's submission of one request
 * (args: KDPC, device extension, SRB). */
static void stor_submit_dpc(struct vm *vm, const struct vw_api *api)
{
    struct stor_adapter *a = stor_by_ext(vm, vw_arg(vm, api, 1), api->name);
    struct stor_req *r = a ? stor_find_req(a, vw_arg(vm, api, 2)) : NULL;
    if (r == NULL || r->state != REQ_PENDING || !a->started || a->crashed)
        return; /* started meanwhile by another path, or the adapter is gone */
    if (!a->no_gate && (!stor_gate_open(a) || !stor_lun_room(a, r)))
        return;
    if (!may_start_here(vm, a))
        return;
    stor_start_one(vm, a, r);
}

/* Queue R's submission on its CPU (not already queued); false after a
 * failure. */
bool stor_queue_submission(struct vm *vm, struct stor_adapter *a, struct stor_req *r)
{
    if (r->kdpc == 0) {
        r->kdpc = vw_pool_alloc(vm, VW_SIZEOF(vm, KDPC), VW_TAG('S', 't', 'o', 'r'),
                                "StorPort KDPC", false);
        if (r->kdpc == 0) {
            vw_fail(vm, "storport: no pool for a submission DPC");
            return false;
        }
        vw_wrptr(vm, r->kdpc + VW_OFFSET(vm, KDPC, DeferredRoutine),
                 vw_kernel_routine(vm, &submit_dpc_api));
        vw_wrptr(vm, r->kdpc + VW_OFFSET(vm, KDPC, DeferredContext), a->ext);
    }
    if (vw_dpc_queued_in(vm, r->kdpc, 1))
        return true;
    return vw_cpu_dpc_push(vm, r->cpu, (struct vw_dpc_entry){r->kdpc, r->srb, 0});
}

void vw_stor_plant_startio_unlocked(struct vm *vm)
{
    stor_state(vm)->normal.plant_unlocked_startio = true;
}
