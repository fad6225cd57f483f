/* rng.c: the one pseudo-random generator, SplitMix64 with rejection sampling for ranges,
 * exactly gox_ref/rng.py (docs/SCHEDULER.md section 2): select's poll order and map iteration
 * offsets draw from it, so a native run makes the reference's choices for the same seed.
 * rng_next and rng_below's power-of-two case are inline (gox_internal.h); here the rest. */
#include "gox_internal.h"

/* rng_below for an n that is no power of two: the first r with r >= (2^64 - n) mod n. */
uint64_t rng_below_reject(Rng *r, uint64_t n) {
    uint64_t bound = (0 - n) % n;
    for (;;) {
        uint64_t v = rng_next(r);
        if (v >= bound) return v % n;
    }
}
