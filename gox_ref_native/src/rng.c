/* rng.c: the one pseudo-random generator, SplitMix64 with rejection sampling for ranges,
 * exactly gox_ref/rng.py (docs/SCHEDULER.md section 2): select's poll order and map iteration
 * offsets draw from it, so a native run makes the reference's choices for the same seed. */
#include "gox_internal.h"

uint64_t rng_next(Rng *r) {
    r->draws++;
    r->state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = r->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1: the first r = next() with r >= (2^64 - n) mod n, then r mod n. */
uint64_t rng_below(Rng *r, uint64_t n) {
    if ((n & (n - 1)) == 0) return rng_next(r) & (n - 1); /* a power of two: bound 0, no division */
    uint64_t bound = (0 - n) % n;
    for (;;) {
        uint64_t v = rng_next(r);
        if (v >= bound) return v % n;
    }
}
