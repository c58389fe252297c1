/*
 * Memory pressure (\KernelObjects\LowMemoryCondition): with
 * DEFLATE_ON_OOM the balloon gives back one chunk per second while memory
 * is low, telling the device each time; without it the balloon only stops
 * growing.  Once memory recovers the balloon returns to the host's target.
 */
#include "balloon_test.h"

VW_SCENARIO("balloon", deflate_on_oom, NULL)
{
    struct vw_balloon *b = balloon_start(
        vm, VMODEL_MODERN, true, VMODEL_BALLOON_F_DEFLATE_ON_OOM | VMODEL_BALLOON_F_MUST_TELL_HOST);
    if (b == NULL)
        return;
    balloon_target(vm, b, 1000);
    balloon_expect(vm, b, 1000);
    vw_named_event_set(vm, VW_LOW_MEMORY_EVENT, true);
    vw_run_for(vm, SECOND + SECOND / 2);
    unsigned first = b->model.pages;
    VW_EXPECT(vm, first < 1000 && first >= 1000 - 2 * 256,
              "after 1.5 s of low memory the balloon holds %u pages", first);
    balloon_expect(vm, b, first);
    vw_run_for(vm, 10 * SECOND);
    balloon_expect(vm, b, 0); /* all of it, a chunk at a time */
    vw_named_event_set(vm, VW_LOW_MEMORY_EVENT, false);
    balloon_target(vm, b, 1000); /* the host asks again */
    balloon_expect(vm, b, 1000);
    balloon_finish(vm, b);
}

VW_SCENARIO("balloon", low_memory_stops_inflating, NULL)
{
    struct vw_balloon *b = balloon_start(vm, VMODEL_MODERN, false, 0);
    if (b == NULL)
        return;
    balloon_target(vm, b, 300);
    balloon_expect(vm, b, 300);
    vw_named_event_set(vm, VW_LOW_MEMORY_EVENT, true);
    balloon_target(vm, b, 800);
    balloon_expect(vm, b, 300); /* no growth, and nothing given back */
    vw_named_event_set(vm, VW_LOW_MEMORY_EVENT, false);
    vw_run_for(vm, 5 * SECOND); /* the retry timer, no new target needed */
    balloon_expect(vm, b, 800);
    balloon_finish(vm, b);
}
