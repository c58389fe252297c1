/*
 * Statistics: the driver keeps one buffer in the stats queue; each time
 * the device gives it back, the driver refreshes it and adds it again.
 * Without a service (tests/service.c) only MEMTOT is reported (the one
 * value with a documented kernel source), equal to the guest's RAM.  Without that source (Windows
 * before 2004) the driver does not negotiate STATS_VQ, and the balloon still works.
 */
#include "balloon_test.h"

#define TAG_MEMTOT 5

VW_SCENARIO("balloon", stats_update, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_STATS_VQ);
    if (b == NULL)
        return;
    vw_run_for(vm, SECOND);
    VW_EXPECT(vm, vmodel_driver_features(b->dev->model) & VMODEL_BALLOON_F_STATS_VQ,
              "STATS_VQ not negotiated");
    VW_EXPECT(vm, b->model.stats_updates == 1, "%u statistics buffers at start",
              b->model.stats_updates);
    VW_EXPECT(vm, b->model.memtot == VW_RAM_SIZE, "MEMTOT %llu, RAM is %llu",
              (unsigned long long)b->model.memtot, (unsigned long long)VW_RAM_SIZE);
    VW_EXPECT(vm, b->model.stat_tags == 1u << TAG_MEMTOT, "statistics tags 0x%x",
              b->model.stat_tags);
    for (unsigned i = 2; i <= 4 && !vm->failed; i++) {
        vw_balloon_stats_request(b);
        vw_run_for(vm, SECOND);
        VW_EXPECT(vm, b->model.stats_updates == i, "%u statistics updates, expected %u",
                  b->model.stats_updates, i);
    }
    balloon_target(vm, b, 500);
    balloon_expect(vm, b, 500);
    vw_balloon_stats_request(b);
    vw_run_for(vm, SECOND);
    VW_EXPECT(vm, b->model.stats_updates == 5 && b->model.memtot == VW_RAM_SIZE,
              "after inflating: %u updates, MEMTOT %llu", b->model.stats_updates,
              (unsigned long long)b->model.memtot);
    balloon_finish(vm, b);
}

VW_SCENARIO("balloon", stats_without_memory_source, NULL)
{
    vw_hide_routine(vm, "MmGetPhysicalMemoryRangesEx2");
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_STATS_VQ);
    if (b == NULL)
        return;
    vw_run_for(vm, SECOND);
    VW_EXPECT(vm, !(vmodel_driver_features(b->dev->model) & VMODEL_BALLOON_F_STATS_VQ),
              "STATS_VQ negotiated with nothing honest to report");
    VW_EXPECT(vm, b->model.stats_updates == 0, "%u statistics buffers", b->model.stats_updates);
    balloon_target(vm, b, 100);
    balloon_expect(vm, b, 100);
    balloon_finish(vm, b);
}
