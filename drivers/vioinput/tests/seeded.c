/*
 * Race testing on one CPU: seeded injection points move where the device
 * delivers events and where its interrupt lands, while hidclass's reads,
 * LED writes and the DPC interleave, with a device that completes late and
 * in batches.  Every seed must give every frame, in order.
 */
#include "vioinput_test.h"

static void run(struct vm *vm, bool msix, uint64_t features)
{
    struct vioinput_bed bed =
        vioinput_device(vm, VMODEL_INPUT_KEYBOARD | VMODEL_INPUT_MOUSE, msix, features);
    if (!vioinput_start(vm, &bed))
        return;
    struct vmodel_behaviour b = {.delay = 2, .batch = 3};
    vmodel_set_behaviour(bed.dev->model, &b);
    for (uint64_t seed = 1; seed <= 24 && !vm->failed; seed++) {
        vw_sched_seed(vm, seed);
        unsigned mark = vw_hid(vm)->log_count;
        for (unsigned i = 1; i <= 5; i++) {
            vmodel_input_event(bed.vi, VMODEL_INPUT_EV_REL, REL_X, (uint32_t)(seed * 10 + i));
            vmodel_input_syn(bed.vi);
        }
        const uint8_t leds[] = {1, (uint8_t)(seed & 3)};
        uint32_t st = vw_hid_write_report(vm, leds, sizeof(leds));
        VW_EXPECT(vm, st == 0, "seed %llu: LED report 0x%08x", (unsigned long long)seed, st);
        unsigned got = vioinput_new_reports(vm, &mark);
        VW_EXPECT(vm, got == 5, "seed %llu: %u reports for 5 frames", (unsigned long long)seed,
                  got);
        for (unsigned i = 0; i < 5 && !vm->failed; i++)
            VW_EXPECT(vm,
                      hid_value(vioinput_report(vm, 4 - i), PAGE_DESKTOP, USAGE_X) ==
                          (int)(seed * 10 + i + 1),
                      "seed %llu: frame %u out of order", (unsigned long long)seed, i);
        if (vm->failed)
            vw_log(vm, "failing injection seed: %llu", (unsigned long long)seed);
    }
    vw_sched_seed(vm, 0);
    vioinput_finish(vm, &bed);
}

VW_SCENARIO("vioinput", seeded_points_msix_split, NULL)
{
    run(vm, true, 0);
}

VW_SCENARIO("vioinput", seeded_points_intx_packed, NULL)
{
    run(vm, false, F_RING_PACKED);
}
