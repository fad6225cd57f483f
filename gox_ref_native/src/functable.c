/* functable.c: the function table, func_id -> native code pointer (NULL when unset). */
#include <stdlib.h>

#include "gox_internal.h"

#define MAX_FUNCS (1u << 24)

static bool func_index(GoxRuntime *R, uint32_t id, const char *fn) {
    if (id < R->nfuncs) return true;
    if (R->nfuncs)
        gox_fail(R, ERR_ABI, "%s: unknown function id %u; expected 0..%zu", fn, id, R->nfuncs - 1);
    else
        gox_fail(R, ERR_ABI, "%s: unknown function id %u; expected none (call gox_init_func_table first)", fn, id);
    return false;
}

void gox_init_func_table(size_t size) {
    GOX_ENTER(R);
    if (size > MAX_FUNCS) {
        gox_fail(R, ERR_ABI, "gox_init_func_table: size=%zu, expected at most %u", size, MAX_FUNCS);
        return;
    }
    const void **funcs = calloc(size ? size : 1, sizeof *funcs); /* (the old table stays if none) */
    if (!funcs) {
        gox_out_of_memory(R);
        return;
    }
    free(R->funcs);
    R->funcs = funcs;
    R->nfuncs = size;
}

void gox_set_func_ptr(uint32_t func_id, const void *ptr) {
    GOX_ENTER(R);
    if (func_index(R, func_id, "gox_set_func_ptr")) R->funcs[func_id] = ptr;
}

const void *const *gox_func_table_ptr(void) {
    GOX_ENTER(R);
    return (const void *const *)R->funcs;
}

size_t gox_func_table_len(void) {
    GOX_ENTER(R);
    return R->nfuncs;
}

const void *gox_func_table_get(uint32_t func_id) {
    GOX_ENTER(R);
    return func_index(R, func_id, "gox_func_table_get") ? R->funcs[func_id] : NULL;
}
