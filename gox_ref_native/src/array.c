/* array.c: arrays: [0] elem_kind, [1] elem_type_id, [2] elem_bytes, [3] len, [4..] data.
 * Elements of 1, 2 or 4 bytes are packed little-endian into the data slots. */
#include <inttypes.h>
#include <string.h>

#include "gox_internal.h"

uint64_t data_slots(uint64_t w, uint64_t length) {
    unsigned __int128 n = ((unsigned __int128)w * length + 7) / 8;
    return n > UINT64_MAX ? UINT64_MAX : (uint64_t)n;
}

int64_t array_elem_bytes(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, const char *fn) {
    if (!gox_valid_kind(elem_kind) || elem_kind == K_NIL) {
        gox_fail(R, ERR_ABI, "%s: elem_kind=%u is not an element kind; expected 1..26", fn, elem_kind);
        return -1;
    }
    if (elem_kind == K_STRUCT) {
        GoxType *t = heap_get_type(R, elem_type, fn);
        return t ? 8 * (int64_t)t->n : -1;
    }
    if (elem_kind == K_INTERFACE) return 16;
    return gox_scalar_bytes(elem_kind);
}

bool array_elem_is_ref(GoxRuntime *R, unsigned elem_kind, unsigned elem_type) {
    if (elem_kind == K_STRUCT) return R->types[elem_type].n == 1 && R->types[elem_type].st[0] == ST_GC_REF;
    return gox_is_ref_kind(elem_kind);
}

/* Allocate (after the caller's safepoint and length checks). */
GoxObj *array_new(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, int64_t length, const char *fn) {
    int64_t w = array_elem_bytes(R, elem_kind, elem_type, fn);
    if (!go_alloc_fits((uint64_t)w, (uint64_t)length)) { /* (Go's panics were the caller's) */
        gox_out_of_memory(R);
        return NULL;
    }
    GoxObj *o = gc_alloc(R, K_ARRAY, elem_type, 4u + data_slots((uint64_t)w, (uint64_t)length));
    if (!o) return NULL;
    o->slots[A_ELEM_KIND] = elem_kind;
    o->slots[A_ELEM_TYPE] = elem_type;
    o->slots[A_ELEM_BYTES] = (uint64_t)w;
    o->slots[A_LEN] = (uint64_t)length;
    return o;
}

uint64_t array_read(GoxObj *o, uint64_t i) {
    uint64_t w = o->slots[A_ELEM_BYTES];
    if (w == 8) return o->slots[A_DATA + i];
    if (w == 0) return 0;
    uint64_t bit = i * w * 8;
    uint64_t raw = (o->slots[A_DATA + bit / 64] >> (bit % 64)) & ((1ULL << (w * 8)) - 1);
    return gox_normalize((unsigned)o->slots[A_ELEM_KIND], raw);
}

void array_write(GoxObj *o, uint64_t i, uint64_t val) {
    uint64_t w = o->slots[A_ELEM_BYTES];
    if (w == 8) {
        o->slots[A_DATA + i] = val;
        return;
    }
    if (w == 0) return;
    uint64_t bit = i * w * 8, idx = A_DATA + bit / 64, shift = bit % 64;
    uint64_t mask = ((1ULL << (w * 8)) - 1) << shift;
    o->slots[idx] = (o->slots[idx] & ~mask) | ((val << shift) & mask);
}

void array_copy(GoxObj *dst, uint64_t di, GoxObj *src, uint64_t si, uint64_t n) {
    uint64_t w = src->slots[A_ELEM_BYTES];
    if (w % 8 == 0) {
        uint64_t k = w / 8;
        if (k && n) memmove(dst->slots + A_DATA + di * k, src->slots + A_DATA + si * k, n * k * 8);
        return;
    }
    if (dst == src && di > si) {
        for (uint64_t j = n; j-- > 0;) array_write(dst, di + j, array_read(src, si + j));
    } else {
        for (uint64_t j = 0; j < n; j++) array_write(dst, di + j, array_read(src, si + j));
    }
}

bool array_set_elem(GoxRuntime *R, GoxObj *o, uint64_t i, uint64_t val, const char *fn) {
    unsigned ek = (unsigned)o->slots[A_ELEM_KIND];
    if (array_elem_is_ref(R, ek, (unsigned)o->slots[A_ELEM_TYPE])) {
        if (!heap_ref_ok(R, val)) {
            Buf w = {0};
            buf_puts(&w, "an element of kind ");
            buf_kind(&w, ek);
            heap_check_ref_value(R, val, fn, w.data);
            buf_free(&w);
            return false;
        }
        gc_store_ref(R, o, A_DATA + i, val);
    } else if (ek == K_BOOL) {
        array_write(o, i, val ? 1 : 0);
    } else {
        array_write(o, i, val);
    }
    return true;
}

static GoxObj *scalar_array(GoxRuntime *R, GoxRef ref, const char *fn) {
    GoxObj *o = heap_deref_kind(R, ref, K_ARRAY, fn); /* a[i] of a nil *[N]T: Go's panic */
    if (o && o->slots[A_ELEM_BYTES] > 8) {
        Buf b = {0};
        buf_printf(&b, "%s: 0x%" PRIx64 " has ", fn, heap_canon(R, ref));
        buf_kind(&b, (unsigned)o->slots[A_ELEM_KIND]);
        buf_printf(&b,
                   " elements of %" PRIu64 " bytes; expected single-slot elements "
                   "(use gox_gc_read_slot/gox_gc_write_slot for multi-slot elements)",
                   o->slots[A_ELEM_BYTES]);
        gox_fail_buf(R, ERR_ABI, &b);
        return NULL;
    }
    return o;
}

static GoxObj *mutable_array(GoxRuntime *R, GoxRef ref, const char *fn) {
    GoxObj *o = heap_deref_kind(R, ref, K_ARRAY, fn);
    if (o && (o->flags & FLAG_IMMUTABLE)) {
        gox_fail(R, ERR_ABI, "%s: 0x%" PRIx64 " holds a string's bytes, which are immutable", fn, heap_canon(R, ref));
        return NULL;
    }
    return o;
}

GoxRef gox_rt_array_create(uint8_t elem_kind, uint16_t elem_type_id, int64_t length) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_array_create";
    int64_t w = array_elem_bytes(R, elem_kind, elem_type_id, fn);
    if (w < 0) return 0;
    if (length < 0 || !go_alloc_fits(go_elem_size(elem_kind, (uint64_t)w), (uint64_t)length)) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: len out of range");
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    return obj_ref0(array_new(R, elem_kind, elem_type_id, length, fn));
}

int64_t gox_array_len(GoxRef arr) {
    GOX_ENTER(R);
    GoxObj *o = heap_get_kind(R, arr, K_ARRAY, "gox_array_len");
    return o ? (int64_t)o->slots[A_LEN] : 0;
}

uint64_t gox_array_get(GoxRef arr, int64_t idx) {
    GOX_ENTER(R);
    GoxObj *o = scalar_array(R, arr, "gox_array_get");
    if (!o) return 0;
    int64_t n = (int64_t)o->slots[A_LEN];
    if (idx < 0 || idx >= n) {
        gox_panic_index(R, idx, n);
        return 0;
    }
    return array_read(o, (uint64_t)idx);
}

void gox_array_set(GoxRef arr, int64_t idx, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_array_set";
    GoxObj *o = scalar_array(R, arr, fn);
    if (!o || !mutable_array(R, arr, fn)) return;
    int64_t n = (int64_t)o->slots[A_LEN];
    if (idx < 0 || idx >= n) {
        gox_panic_index(R, idx, n);
        return;
    }
    array_set_elem(R, o, (uint64_t)idx, val, fn);
}

GoxRef gox_rt_array_slice(GoxRef arr, int64_t lo, int64_t hi) {
    GOX_ENTER(R);
    GoxObj *o = mutable_array(R, arr, "gox_rt_array_slice");
    if (!o) return 0;
    int64_t n = (int64_t)o->slots[A_LEN];
    if (!gox_check_slice(R, lo, hi, n, "length")) return 0;
    uint64_t args[1] = {arr};
    if (!gc_safepoint(R, args, 1)) return 0;
    return obj_ref0(slice_new_header(R, OBJ_REF(o), (uint64_t)lo, (uint64_t)(hi - lo), (uint64_t)(n - lo)));
}
