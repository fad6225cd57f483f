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
    free(R->globals);
    free(R->globals_is_ref);
    R->globals = globals;
    R->globals_is_ref = flags;
    for (size_t i = 0; i < size; i++) R->globals_is_ref[i] = is_ref[i] ? 1 : 0;
    R->nglobals = size;
}

size_t gox_globals_count(void) {
    GOX_ENTER(R);
    return R->nglobals;
}

bool gox_global_is_ref(size_t idx) {
    GOX_ENTER(R);
    return global_index(R, idx, "gox_global_is_ref") && R->globals_is_ref[idx];
}

uint64_t gox_rt_get_global(size_t idx) {
    GOX_ENTER(R);
    return global_index(R, idx, "gox_rt_get_global") ? R->globals[idx] : 0;
}

void gox_rt_set_global(size_t idx, uint64_t val) {
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
    R->globals[idx] = val;
}
