/* externs.c: extern dispatch by id.  The stdlib externs (math, strings, strconv: stdlib_*.c)
 * take ids 1..33, registered on an instance before its first extern operation, as the
 * reference registers them at construction (docs/EXTERNS.md); other externs are registered
 * from C with gox_register_extern, or from Python through a ctypes callback (NativeRuntime). */
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"
#include "gox_stdlib.h"

/* The stdlib first: an instance's extern table is allocated only here. */
static void ensure_stdlib(GoxRuntime *R) {
    if (R->externs) return;
    R->externs_cap = 64;
    R->externs = xcalloc(R->externs_cap, sizeof *R->externs);
    stdlib_register();
}

void gox_register_extern(uint32_t extern_id, const GoxExternSpec *spec) {
    GOX_ENTER(R);
    ensure_stdlib(R);
    if (extern_id == 0) {
        gox_fail(R, ERR_ABI, "gox_register_extern: extern id 0 is reserved; expected 1 or more");
        return;
    }
    if (!spec || !spec->fn) {
        gox_fail(R, ERR_ABI, "gox_register_extern: spec is NULL or has no function; expected a GoxExternSpec");
        return;
    }
    Extern *x = NULL;
    for (size_t i = 0; i < R->nexterns; i++)
        if (R->externs[i].id == extern_id) x = &R->externs[i];
    if (!x) {
        if (R->nexterns == R->externs_cap) {
            R->externs_cap = R->externs_cap ? 2 * R->externs_cap : 16;
            R->externs = xrealloc(R->externs, R->externs_cap * sizeof *R->externs);
        }
        x = &R->externs[R->nexterns++];
        x->id = extern_id;
    } else {
        free(x->name);
    }
    x->name = xstrdup(spec->name ? spec->name : "");
    x->nparams = spec->nparams;
    x->nresults = spec->nresults;
    x->fn = spec->fn;
}

uint32_t gox_extern_lookup(const char *name) {
    GOX_ENTER(R);
    ensure_stdlib(R);
    for (size_t i = 0; i < R->nexterns; i++)
        if (strcmp(R->externs[i].name, name) == 0) return R->externs[i].id;
    Buf b = {0};
    buf_puts(&b, "gox_extern_lookup: unknown extern ");
    buf_repr(&b, (const uint8_t *)name, strlen(name));
    buf_puts(&b, "; expected a name from docs/EXTERNS.md");
    gox_fail_buf(R, ERR_ABI, &b);
    return 0;
}

void gox_extern_call(uint32_t extern_id, const uint64_t *args, uint32_t args_len, uint64_t *out_rets, uint32_t ret_count) {
    GOX_ENTER(R);
    ensure_stdlib(R);
    const char *fn = "gox_extern_call";
    Extern *x = NULL;
    for (size_t i = 0; i < R->nexterns; i++)
        if (R->externs[i].id == extern_id) x = &R->externs[i];
    if (!x) {
        gox_fail(R, ERR_ABI, "%s: unknown extern id %u; expected a registered id", fn, extern_id);
        return;
    }
    if (args_len != x->nparams || ret_count != x->nresults) {
        gox_fail(R, ERR_ABI, "%s: %s takes %u args and returns %u slots, got %u args and ret_count=%u", fn, x->name,
                 x->nparams, x->nresults, args_len, ret_count);
        return;
    }
    char *name = xstrdup(x->name);
    GoxExternFn f = x->fn;
    gc_pause_adjust(R, 1);
    err_rec(R)->code = ERR_NONE;
    int32_t rc = f(args, args_len, out_rets, ret_count);
    gc_pause_adjust(R, -1);
    if (rc != 0 && err_rec(R)->code == ERR_NONE) gox_fail(R, ERR_PANIC, "extern %s failed (code %d)", name, rc);
    free(name);
}
