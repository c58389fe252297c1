/* VwDriverEntry seeds the stack-protector guard before DriverEntry runs. */
#include "pvpanic_test.h"

VW_SCENARIO("pvpanic", stack_guard_seeded, NULL)
{
    uint64_t initial, now;
    if (!vw_driver_load(vm, "pvpanic"))
        return;
    VW_EXPECT(vm, vw_stack_guard(vm, &initial, &now), "__stack_chk_guard not found in the image");
    VW_EXPECT(vm, now != initial, "__stack_chk_guard still holds its initial value");
    VW_EXPECT(vm, (now & 0xff) == 0, "guard 0x%llx lacks the zero terminator byte",
              (unsigned long long)now);
}
