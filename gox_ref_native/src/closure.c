/* closure.c: closures [0] func_id, [1] upvalue count, [2..] upvalues (header type_id: the
 * struct type marking reference upvalues, 0xFFFF: none) and upvalue boxes (one-slot Pointer
 * objects whose header type_id is the boxed value kind). */
#include <inttypes.h>
#include <stdio.h>

#include "gox_internal.h"

GoxRef gox_rt_closure_create(uint32_t func_id, uint16_t type_id, uint32_t upval_count) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_closure_create";
    if (type_id != NO_TYPE) {
        GoxType *t = heap_get_type(R, type_id, fn);
        if (!t) return 0;
        if (t->n != upval_count) {
            gox_fail(R, ERR_ABI,
                     "%s: type %u describes %u slots, expected upval_count=%u (or type_id=0xffff for no reference upvalues)",
                     fn, type_id, t->n, upval_count);
            return 0;
        }
        for (uint32_t i = 0; i < t->n; i++) {
            if (t->st[i] == ST_IFACE0 || t->st[i] == ST_IFACE1) {
                gox_fail(R, ERR_ABI, "%s: type %u has interface slots; upvalues are single slots", fn, type_id);
                return 0;
            }
        }
    }
    if (upval_count > 0xFFFFu - 2) {
        gox_fail(R, ERR_ABI, "%s: upval_count=%u, expected at most %u", fn, upval_count, 0xFFFFu - 2);
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *o = gc_alloc(R, K_CLOSURE, type_id, 2 + upval_count);
    if (!o) return 0;
    o->slots[0] = func_id;
    o->slots[1] = upval_count;
    return OBJ_REF(o);
}

uint32_t gox_closure_func_id(GoxRef c) {
    GOX_ENTER(R);
    GoxObj *o = heap_deref_kind(R, c, K_CLOSURE, "gox_closure_func_id"); /* calling a nil func */
    return o ? (uint32_t)o->slots[0] : 0;
}

uint32_t gox_closure_upval_count(GoxRef c) {
    GOX_ENTER(R);
    GoxObj *o = heap_get_kind(R, c, K_CLOSURE, "gox_closure_upval_count");
    return o ? (uint32_t)o->slots[1] : 0;
}

static bool upval_index(GoxRuntime *R, GoxObj *o, size_t idx, const char *fn) {
    if (idx >= o->slots[1]) {
        gox_fail(R, ERR_ABI, "%s: upvalue index %zu out of range for closure 0x%" PRIx64 " with %" PRIu64 " upvalues", fn,
                 idx, HEAP_BASE + REF_STRIDE * o->num, o->slots[1]);
        return false;
    }
    return true;
}

uint64_t gox_closure_get_upvalue(GoxRef c, size_t idx) {
    GOX_ENTER(R);
    const char *fn = "gox_closure_get_upvalue";
    GoxObj *o = heap_deref_kind(R, c, K_CLOSURE, fn);
    if (!o || !upval_index(R, o, idx, fn)) return 0;
    return o->slots[2 + idx];
}

void gox_closure_set_upvalue(GoxRef c, size_t idx, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_closure_set_upvalue";
    GoxObj *o = heap_deref_kind(R, c, K_CLOSURE, fn);
    if (!o || !upval_index(R, o, idx, fn)) return;
    if (o->type_id != NO_TYPE && R->types[o->type_id].st[idx] == ST_GC_REF) {
        if (!heap_ref_ok(R, val)) {
            char where[64];
            snprintf(where, sizeof where, "upvalue %zu (a reference)", idx);
            heap_check_ref_value(R, val, fn, where);
            return;
        }
        gc_store_ref(R, o, 2 + idx, val);
    } else {
        o->slots[2 + idx] = val;
    }
}

static bool check_box_value(GoxRuntime *R, unsigned kind, uint64_t val, const char *fn) {
    if (heap_ref_ok(R, val)) return true;
    Buf w = {0};
    buf_puts(&w, "a box of kind ");
    buf_kind(&w, kind);
    bool ok = heap_check_ref_value(R, val, fn, w.data);
    buf_free(&w);
    return ok;
}

GoxRef gox_rt_upval_box_create(uint8_t value_kind, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_upval_box_create";
    if (!gox_valid_kind(value_kind) || value_kind == K_NIL || value_kind == K_INTERFACE) {
        gox_fail(R, ERR_ABI, "%s: value_kind=%u is not a single-slot value kind", fn, value_kind);
        return 0;
    }
    bool is_ref = gox_is_ref_kind(value_kind);
    if (is_ref && !check_box_value(R, value_kind, val, fn)) return 0;
    uint64_t args[1] = {val};
    if (!gc_safepoint(R, args, is_ref ? 1 : 0)) return 0;
    GoxObj *o = gc_alloc(R, K_POINTER, value_kind, 1);
    if (!o) return 0;
    o->slots[0] = val;
    return OBJ_REF(o);
}

uint64_t gox_upval_box_get(GoxRef box) {
    GOX_ENTER(R);
    GoxObj *o = heap_deref_kind(R, box, K_POINTER, "gox_upval_box_get"); /* *p of a nil p */
    if (!o) return 0;
    uint64_t v = o->slots[0];
    if (o->type_id == K_BOOL) return v ? 1 : 0;
    return gox_is_ref_kind(o->type_id) ? v : gox_normalize(o->type_id, v);
}

void gox_upval_box_set(GoxRef box, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_upval_box_set";
    GoxObj *o = heap_deref_kind(R, box, K_POINTER, fn);
    if (!o) return;
    if (gox_is_ref_kind(o->type_id)) {
        if (!check_box_value(R, o->type_id, val, fn)) return;
        gc_store_ref(R, o, 0, val);
    } else {
        o->slots[0] = val;
    }
}
