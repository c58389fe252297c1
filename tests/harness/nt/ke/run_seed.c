/*
 * The run seed (`--seeds N`, `--seed S`): it picks the scheduling points
 * (vw_sched_seed) and is mixed into every device's random stream (delays,
 * completion order, busy steps, seeded faults), so each seed is another
 * device behaviour as well as another interleaving.  Seed 0 leaves each
 * device the stream its configured seed gave before the mix existed, so a
 * seed-0 failure of an older stop replays unchanged.
 */
#include "kernel.h"
#include "pnp.h"

/* The runner's seed: scheduling points now, device streams from now on. */
void vw_run_seed(struct vm *vm, uint64_t seed)
{
    vm->k->run_seed = seed;
    vw_sched_seed(vm, seed);
}

/* splitmix64's finalizer, folded to 32 bits: seeds 1, 2, 3 far apart in
 * every bit, so each of the model's differently shifted streams moves. */
static uint32_t run_mix(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    z ^= z >> 31;
    uint32_t m = (uint32_t)(z ^ (z >> 32));
    return m ? m : 1; /* a nonzero run seed always changes the stream */
}

/* The seed of a device created now (see kernel.h). */
uint32_t vw_device_seed(struct vm *vm, uint32_t seed)
{
    const struct vw_kernel *k = vm->k;
    if (k->run_seed == 0 || k->device_seed_fixed)
        return seed;
    return seed ^ run_mix(k->run_seed);
}

/* Devices created from now on keep their configured seed (or follow the run seed again). */
void vw_device_seed_fixed(struct vm *vm, bool fixed)
{
    vm->k->device_seed_fixed = fixed;
}
