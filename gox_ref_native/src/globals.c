/* globals.c: a flat array of u64 slots; the ones flagged as references are GC roots. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

static bool global_index(GoxRuntime *R, size_t idx, const char *fn) {
    if (idx < R->nglobals) return true;
    if (R->nglobals)
        gox_fail(R, ERR_ABI, "%s: unknown global %zu; expected 0..%zu", fn, idx, R->nglobals - 1);
    else
        gox_fail(R, ERR_ABI, "%s: unknown global %zu; expected none (call gox_init_globals first)", fn, idx);
    return false;
}

void gox_init_globals(size_t size, const uint8_t *is_ref, size_t is_ref_len) {
    GOX_ENTER(R);
    if (is_ref_len != size) {
        gox_fail(R, ERR_ABI, "gox_init_globals: size=%zu but is_ref has %zu flags; expected one per global", size,
                 is_ref_len);
        return;
    }
    uint64_t *globals = calloc(size ? size : 1, sizeof *globals); /* (the old ones stay if none) */
    uint8_t *flags = calloc(size ? size : 1, 1);
    if (!globals || !flags) {
        free(globals);
        free(flags);
        gox_out_of_memory(R);
        return;
    }
    for (size_t i = 0; i < size; i++) flags[i] = is_ref[i] ? 1 : 0;
    sched_stop_world(R); /* parallel mode: gox_rt_get_global reads them without R->mu (P2) */
    free(R->globals);
    free(R->globals_is_ref);
    R->globals = globals;
    R->globals_is_ref = flags;
    R->nglobals = size;
    sched_start_world(R);
}

size_t gox_globals_count(void) {
    GOX_ENTER(R);
    return R->nglobals;
}

bool gox_global_is_ref(size_t idx) {
    GOX_ENTER(R);
    return global_index(R, idx, "gox_global_is_ref") && R->globals_is_ref[idx];
}

/* Parallel mode: both without R->mu when the index is known and a reference value is live
 * (gox_internal.h, P1-P4), else the locked path and its error. */
static inline uint64_t get_global_locked(size_t idx) {
    GOX_ENTER(R);
    return global_index(R, idx, "gox_rt_get_global") ? __atomic_load_n(&R->globals[idx], __ATOMIC_ACQUIRE) : 0;
}

uint64_t gox_rt_get_global(size_t idx) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0) && idx < R->nglobals && rt_fast_worker(R))
        return __atomic_load_n(&R->globals[idx], __ATOMIC_ACQUIRE);
    return get_global_locked(idx);
}

static inline void set_global_locked(size_t idx, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_set_global";
    if (!global_index(R, idx, fn)) return;
    if (R->globals_is_ref[idx]) {
        if (!heap_ref_ok(R, val)) {
            char where[64];
            snprintf(where, sizeof where, "global %zu (a reference global)", idx);
            heap_check_ref_value(R, val, fn, where);
            return;
        }
    }
    __atomic_store_n(&R->globals[idx], val, __ATOMIC_RELEASE); /* (P4) */
}

/* (globals are roots: no barrier, on either path) */
void gox_rt_set_global(size_t idx, uint64_t val) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0) && idx < R->nglobals && rt_fast_worker(R) &&
        (!R->globals_is_ref[idx] || heap_ref_ok_par(R, val))) {
        __atomic_store_n(&R->globals[idx], val, __ATOMIC_RELEASE);
        return;
    }
    set_global_locked(idx, val);
}
