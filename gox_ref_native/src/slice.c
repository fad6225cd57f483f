/* slice.c: slices: [0] array ref, [1] start, [2] len, [3] cap; 0 is the nil slice.  append
 * grows by Go's formula without size classes: grow_cap, docs/ABI.md "Slice growth". */
#include <inttypes.h>

#include "gox_internal.h"

GoxObj *slice_new_header(GoxRuntime *R, uint64_t arr, uint64_t start, uint64_t len, uint64_t cap) {
    GoxObj *o = gc_alloc(R, K_SLICE, NO_TYPE, 4);
    if (!o) return NULL;
    o->slots[0] = arr;
    o->slots[1] = start;
    o->slots[2] = len;
    o->slots[3] = cap;
    return o;
}

static uint64_t grow_cap(uint64_t old_cap, uint64_t needed) {
    if (needed > 2 * old_cap) return needed;
    if (old_cap < 256) return old_cap * 2 > 1 ? old_cap * 2 : 1;
    uint64_t cap = old_cap;
    while (cap < needed) cap += (cap + 768) / 4;
    return cap;
}

static GoxObj *slice_obj(GoxRuntime *R, GoxRef s, const char *fn, bool *ok) {
    *ok = true;
    if (s == 0) return NULL;
    GoxObj *o = heap_get_kind(R, s, K_SLICE, fn);
    if (!o) *ok = false;
    return o;
}

#define BACKING(o) REF_OBJ((o)->slots[0])

static GoxObj *slice_elem(GoxRuntime *R, GoxRef ref, int64_t idx, const char *fn, uint64_t *ai) {
    bool ok;
    GoxObj *s = slice_obj(R, ref, fn, &ok);
    if (!ok) return NULL;
    int64_t n = s ? (int64_t)s->slots[2] : 0;
    if (!s || idx < 0 || idx >= n) {
        gox_panic_index(R, idx, n);
        return NULL;
    }
    GoxObj *arr = BACKING(s);
    if (arr->slots[A_ELEM_BYTES] > 8) {
        gox_fail(R, ERR_ABI,
                 "%s: 0x%" PRIx64 " has elements of %" PRIu64 " bytes; expected single-slot elements "
                 "(use gox_gc_read_slot/gox_gc_write_slot)",
                 fn, heap_canon(R, ref), arr->slots[A_ELEM_BYTES]);
        return NULL;
    }
    *ai = s->slots[1] + (uint64_t)idx;
    return arr;
}

GoxRef gox_rt_slice_create(uint8_t elem_kind, uint16_t elem_type_id, int64_t length, int64_t cap) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_slice_create";
    int64_t w = array_elem_bytes(R, elem_kind, elem_type_id, fn);
    if (w < 0) return 0;
    if (length < 0 || data_slots((uint64_t)w, (uint64_t)length) > MAX_DATA_SLOTS) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: len out of range");
        return 0;
    }
    if (cap < length || data_slots((uint64_t)w, (uint64_t)cap) > MAX_DATA_SLOTS) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: cap out of range");
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *arr = array_new(R, elem_kind, elem_type_id, cap, fn);
    if (!arr) return 0;
    return obj_ref0(slice_new_header(R, OBJ_REF(arr), 0, (uint64_t)length, (uint64_t)cap));
}

int64_t gox_slice_len(GoxRef s) {
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = slice_obj(R, s, "gox_slice_len", &ok);
    return o ? (int64_t)o->slots[2] : 0;
}

int64_t gox_slice_cap(GoxRef s) {
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = slice_obj(R, s, "gox_slice_cap", &ok);
    return o ? (int64_t)o->slots[3] : 0;
}

uint64_t gox_slice_get(GoxRef s, int64_t idx) {
    uint64_t i;
    GOX_ENTER(R);
    GoxObj *arr = slice_elem(R, s, idx, "gox_slice_get", &i);
    return arr ? array_read(arr, i) : 0;
}

void gox_slice_set(GoxRef s, int64_t idx, uint64_t val) {
    GOX_ENTER(R);
    uint64_t i;
    GoxObj *arr = slice_elem(R, s, idx, "gox_slice_set", &i);
    if (arr) array_set_elem(R, arr, i, val, "gox_slice_set");
}

static GoxRef reslice(GoxRuntime *R, GoxRef s, GoxObj *o, int64_t lo, int64_t hi, int64_t cap) {
    if (!o) return 0;
    uint64_t args[1] = {s};
    if (!gc_safepoint(R, args, 1)) return 0;
    return obj_ref0(slice_new_header(R, o->slots[0], o->slots[1] + (uint64_t)lo, (uint64_t)(hi - lo), (uint64_t)(cap - lo)));
}

GoxRef gox_rt_slice_slice(GoxRef s, int64_t lo, int64_t hi) {
    GOX_ENTER(R);
    bool ok;
    GoxObj *o = slice_obj(R, s, "gox_rt_slice_slice", &ok);
    if (!ok) return 0;
    int64_t cap = o ? (int64_t)o->slots[3] : 0;
    if (!gox_check_slice(R, lo, hi, cap, "capacity")) return 0;
    return reslice(R, s, o, lo, hi, cap);
}

GoxRef gox_rt_slice_slice3(GoxRef s, int64_t lo, int64_t hi, int64_t mx) {
    GOX_ENTER(R);
    bool ok;
    GoxObj *o = slice_obj(R, s, "gox_rt_slice_slice3", &ok);
    if (!ok) return 0;
    int64_t cap = o ? (int64_t)o->slots[3] : 0;
    if (!gox_check_slice3(R, lo, hi, mx, cap)) return 0;
    return reslice(R, s, o, lo, hi, mx);
}

static void barrier_child(GoxRuntime *R, void *ctx, uint64_t ref) {
    if (ref) gc_barrier(R, (GoxObj *)ctx, ref);
}

int64_t gox_slice_copy(GoxRef dst, GoxRef src) {
    GOX_ENTER(R);
    const char *fn = "gox_slice_copy";
    bool ok;
    GoxObj *d = slice_obj(R, dst, fn, &ok);
    if (!ok) return 0;
    GoxObj *s = slice_obj(R, src, fn, &ok);
    if (!ok || !d || !s) return 0;
    uint64_t n = d->slots[2] < s->slots[2] ? d->slots[2] : s->slots[2];
    GoxObj *da = BACKING(d), *sa = BACKING(s);
    unsigned dk = (unsigned)da->slots[A_ELEM_KIND], sk = (unsigned)sa->slots[A_ELEM_KIND];
    if (dk != sk || (dk == K_STRUCT && da->slots[A_ELEM_TYPE] != sa->slots[A_ELEM_TYPE])) {
        Buf b = {0};
        buf_printf(&b, "%s: element kinds differ (", fn);
        buf_kind(&b, dk);
        buf_puts(&b, " and ");
        buf_kind(&b, sk);
        buf_puts(&b, "); expected slices of one element type");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    array_copy(da, d->slots[1], sa, s->slots[1], n);
    if (gox_is_ref_kind(dk) || da->slots[A_ELEM_BYTES] > 8) gc_children(R, da, barrier_child, da);
    return (int64_t)n;
}

GoxRef gox_rt_slice_append(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_slice_append";
    int64_t w = array_elem_bytes(R, elem_kind, elem_type_id, fn);
    if (w < 0) return 0;
    if (w > 8) {
        Buf b = {0};
        buf_printf(&b, "%s: elements of kind ", fn);
        buf_kind(&b, elem_kind);
        buf_printf(&b, " take %" PRId64 " bytes; expected a single-slot kind", w);
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    bool ok;
    GoxObj *o = slice_obj(R, s, fn, &ok);
    if (!ok) return 0;
    GoxObj *old = o ? BACKING(o) : NULL;
    if (old && (old->slots[A_ELEM_KIND] != elem_kind ||
                (elem_kind == K_STRUCT && old->slots[A_ELEM_TYPE] != elem_type_id))) {
        Buf b = {0};
        buf_printf(&b, "%s: 0x%" PRIx64 " has ", fn, heap_canon(R, s));
        buf_kind(&b, (unsigned)old->slots[A_ELEM_KIND]);
        buf_puts(&b, " elements; expected ");
        buf_kind(&b, elem_kind);
        buf_puts(&b, " as elem_kind says");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    bool ref_elem = array_elem_is_ref(R, elem_kind, elem_type_id);
    if (ref_elem && !heap_ref_ok(R, val)) {
        Buf where = {0};
        buf_puts(&where, "an element of kind ");
        buf_kind(&where, elem_kind);
        ok = heap_check_ref_value(R, val, fn, where.data);
        buf_free(&where);
        if (!ok) return 0;
    }
    uint64_t start = o ? o->slots[1] : 0, len = o ? o->slots[2] : 0, cap = o ? o->slots[3] : 0;
    uint64_t new_cap = len < cap ? cap : grow_cap(cap, len + 1);
    if (data_slots((uint64_t)w, new_cap) > MAX_DATA_SLOTS) {
        gox_fail(R, ERR_PANIC, "runtime error: growslice: len out of range");
        return 0;
    }
    uint64_t args[2] = {s, val};
    if (!gc_safepoint(R, args, ref_elem ? 2 : 1)) return 0;
    if (old && len < cap) {
        array_set_elem(R, old, start + len, val, fn);
        return obj_ref0(slice_new_header(R, OBJ_REF(old), start, len + 1, cap));
    }
    GoxObj *arr = array_new(R, elem_kind, elem_type_id, (int64_t)new_cap, fn);
    if (!arr) return 0;
    if (old) array_copy(arr, 0, old, start, len);
    array_set_elem(R, arr, len, val, fn);
    return obj_ref0(slice_new_header(R, OBJ_REF(arr), 0, len + 1, new_cap));
}
