/* slice.c: slices: [0] array ref, [1] start, [2] len, [3] cap; 0 is the nil slice.  An append
 * beyond capacity copies into a new array once, whatever the number of elements appended, with
 * Go 1.19's capacity (slice_grow_cap, the twin of gox_ref/objects/slice.py grow_cap; docs/ABI.md,
 * "Slice growth").  The byte and rune conversions between strings and slices live here too. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

/* ---- the growth rule ------------------------------------------------------------------------
 * Go 1.19's malloc size classes on amd64 (runtime/sizeclasses.go, class_to_size), in bytes: an
 * allocation below MAX_SMALL_SIZE takes the smallest class holding it, a larger one a whole
 * number of GO_PAGE_SIZE pages (runtime/msize.go, roundupsize).  The same table as slice.py. */
static const uint16_t SIZE_CLASSES[] = {
    0,     8,     16,    24,    32,    48,    64,    80,    96,    112,   128,   144,   160,   176,
    192,   208,   224,   240,   256,   288,   320,   352,   384,   416,   448,   480,   512,   576,
    640,   704,   768,   896,   1024,  1152,  1280,  1408,  1536,  1792,  2048,  2304,  2688,  3072,
    3200,  3456,  4096,  4864,  5376,  6144,  6528,  6784,  6912,  8192,  9472,  9728,  10240, 10880,
    12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
};
#define MAX_SMALL_SIZE 32768u
#define GO_PAGE_SIZE 8192u
#define GROW_THRESHOLD 256u       /* below this capacity Go doubles (runtime/slice.go) */

static uint64_t round_up_size(uint64_t n) {
    if (n >= MAX_SMALL_SIZE) return (n + GO_PAGE_SIZE - 1) / GO_PAGE_SIZE * GO_PAGE_SIZE;
    size_t lo = 0, hi = sizeof SIZE_CLASSES / sizeof SIZE_CLASSES[0] - 1; /* the last class >= n */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (SIZE_CLASSES[mid] < n) lo = mid + 1;
        else hi = mid;
    }
    return SIZE_CLASSES[lo];
}

/* Go 1.19's capacity for a slice of capacity old_cap grown to hold needed elements of elem_size
 * bytes (runtime/slice.go, growslice; the rule in words is slice.py's grow_cap).  0 when the
 * allocation would exceed GO_MAX_ALLOC (Go: growslice: cap out of range).  No step overflows:
 * old_cap < needed <= GO_MAX_ALLOC. */
static uint64_t slice_grow_cap(uint64_t old_cap, uint64_t needed, uint64_t elem_size) {
    if (elem_size == 0) return needed;
    if (needed > GO_MAX_ALLOC) return 0;
    uint64_t cap;
    if (needed > 2 * old_cap) {
        cap = needed;
    } else if (old_cap < GROW_THRESHOLD) {
        cap = 2 * old_cap;
    } else {
        cap = old_cap;
        while (cap < needed) cap += (cap + 3 * GROW_THRESHOLD) / 4;
    }
    if (cap > GO_MAX_ALLOC / elem_size) return 0;
    return round_up_size(cap * elem_size) / elem_size;
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
    uint64_t gw = go_elem_size(elem_kind, (uint64_t)w);
    if (length < 0 || !go_alloc_fits(gw, (uint64_t)length)) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: len out of range");
        return 0;
    }
    if (cap < length || !go_alloc_fits(gw, (uint64_t)cap)) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: cap out of range");
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *arr = array_new(R, elem_kind, elem_type_id, cap, fn);
    if (!arr) return 0;
    return obj_ref0(slice_new_header(R, OBJ_REF(arr), 0, (uint64_t)length, (uint64_t)cap));
}

/* ---- parallel mode: the reads without the runtime lock ------------------------------------------
 * gox_slice_len, gox_slice_cap and gox_slice_get, on the lock-free object access's argument
 * (P1-P4 at heap_lookup_par in gox_internal.h): a slice's header never changes once made
 * (slice_new_header writes it before its reference is published), and its backing array lives
 * as long as the slice does.  An element of one slot is loaded with acquire (P4: a reference
 * comes with its object); narrower elements are bytes of data, never references.  Anything
 * else -- nil, not a slice, out of range, elements of several slots -- is the locked path's,
 * with its error. */
static GoxObj *slice_par(GoxRuntime *R, GoxRef s) {
    if (!rt_fast_worker(R)) return NULL;
    GoxObj *o = heap_lookup_par(R, s);
    return o && o->kind == K_SLICE ? o : NULL;
}

__attribute__((noinline)) static bool slice_get_par(GoxRuntime *R, GoxRef s, int64_t idx, uint64_t *v) {
    GoxObj *o = slice_par(R, s);
    if (!o || idx < 0 || idx >= (int64_t)o->slots[2]) return false;
    GoxObj *arr = BACKING(o);
    uint64_t w = arr->slots[A_ELEM_BYTES], i = o->slots[1] + (uint64_t)idx;
    if (w > 8) return false;
    *v = w == 8 ? __atomic_load_n(&arr->slots[A_DATA + i], __ATOMIC_ACQUIRE) : array_read(arr, i);
    return true;
}

int64_t gox_slice_len(GoxRef s) {
    GoxRuntime *R0 = gox_rt();
    GoxObj *p = __builtin_expect(R0->parallel, 0) ? slice_par(R0, s) : NULL;
    if (p) return (int64_t)p->slots[2];
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = slice_obj(R, s, "gox_slice_len", &ok);
    return o ? (int64_t)o->slots[2] : 0;
}

int64_t gox_slice_cap(GoxRef s) {
    GoxRuntime *R0 = gox_rt();
    GoxObj *p = __builtin_expect(R0->parallel, 0) ? slice_par(R0, s) : NULL;
    if (p) return (int64_t)p->slots[3];
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = slice_obj(R, s, "gox_slice_cap", &ok);
    return o ? (int64_t)o->slots[3] : 0;
}

uint64_t gox_slice_get(GoxRef s, int64_t idx) {
    GoxRuntime *R0 = gox_rt();
    uint64_t v;
    if (__builtin_expect(R0->parallel, 0) && slice_get_par(R0, s, idx, &v)) return v;
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

/* After a bulk copy into a possibly black array: re-gray the array's new children (the walk
 * only while the barrier can act: a black array, the collector propagating). */
static void barrier_children(GoxRuntime *R, GoxObj *arr) {
    if (R->state != GC_PROPAGATE || arr->mark != BLACK) return;
    if (gox_is_ref_kind((unsigned)arr->slots[A_ELEM_KIND]) || arr->slots[A_ELEM_BYTES] > 8)
        gc_children(R, arr, barrier_child, arr);
}

/* The slice ref (NULL for nil, *ok false on error), which must hold elem_kind elements (of struct
 * type elem_type for Struct elements); why ends the message when it does not. */
static GoxObj *typed_slice(GoxRuntime *R, GoxRef ref, unsigned elem_kind, unsigned elem_type, const char *why,
                           const char *fn, bool *ok) {
    GoxObj *o = slice_obj(R, ref, fn, ok);
    if (!o) return NULL;
    GoxObj *arr = BACKING(o);
    unsigned k = (unsigned)arr->slots[A_ELEM_KIND];
    if (k != elem_kind || (elem_kind == K_STRUCT && arr->slots[A_ELEM_TYPE] != elem_type)) {
        Buf b = {0};
        buf_printf(&b, "%s: 0x%" PRIx64 " has ", fn, heap_canon(R, ref));
        buf_kind(&b, k);
        buf_puts(&b, " elements; expected ");
        buf_kind(&b, elem_kind);
        buf_printf(&b, " %s", why);
        gox_fail_buf(R, ERR_ABI, &b);
        *ok = false;
        return NULL;
    }
    return o;
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
    barrier_children(R, da);
    return (int64_t)n;
}


int64_t gox_slice_copy_string(GoxRef dst, GoxRef src) {
    GOX_ENTER(R);
    const char *fn = "gox_slice_copy_string";
    bool ok;
    GoxObj *d = typed_slice(R, dst, K_UINT8, NO_TYPE, "elements (a []byte)", fn, &ok);
    const uint8_t *data;
    uint64_t len;
    if (!ok || !string_bytes(R, src, fn, &data, &len) || !d) return 0;
    uint64_t n = d->slots[2] < len ? d->slots[2] : len;
    if (n) memcpy((uint8_t *)(BACKING(d)->slots + A_DATA) + d->slots[1], data, n);
    return (int64_t)n;
}

/* ---- append: one plan for every form -------------------------------------------------------- */

/* The capacity after appending n elements to o: the old one when they fit, else Go's
 * (slice_grow_cap); false after Go's panic when it cannot be had. */
static bool grow_to(GoxRuntime *R, GoxObj *o, unsigned elem_kind, uint64_t w, uint64_t n, uint64_t *new_cap) {
    uint64_t len = o ? o->slots[2] : 0, cap = o ? o->slots[3] : 0;
    *new_cap = cap;
    if (n <= cap - len) return true;
    uint64_t got = n > UINT64_MAX - len ? 0 : slice_grow_cap(cap, len + n, go_elem_size(elem_kind, w));
    if (!got) {
        gox_fail(R, ERR_PANIC, "runtime error: growslice: cap out of range");
        return false;
    }
    *new_cap = got;
    return true;
}

/* Make room for n more elements (after the caller's safepoint): in o's array when they fit
 * (shared, as in Go), else in a new array holding a copy of the old elements.  Returns the new
 * slice (0 if an allocation failed) with *arr its array and *at the array index of the first
 * new element. */
static GoxRef append_room(GoxRuntime *R, GoxObj *o, unsigned elem_kind, unsigned elem_type, uint64_t n,
                          uint64_t new_cap, const char *fn, GoxObj **arr, uint64_t *at) {
    uint64_t start = o ? o->slots[1] : 0, len = o ? o->slots[2] : 0, cap = o ? o->slots[3] : 0;
    if (o && new_cap == cap) {
        *arr = BACKING(o);
        *at = start + len;
        return obj_ref0(slice_new_header(R, OBJ_REF(*arr), start, len + n, cap));
    }
    *arr = array_new(R, elem_kind, elem_type, (int64_t)new_cap, fn);
    if (!*arr) return 0;
    if (o) array_copy(*arr, 0, BACKING(o), start, len);
    *at = len;
    return obj_ref0(slice_new_header(R, OBJ_REF(*arr), 0, len + n, new_cap));
}

static GoxRef append_values(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, GoxRef s, const uint64_t *vals,
                            uint64_t n, const char *fn) {
    int64_t w = array_elem_bytes(R, elem_kind, elem_type, fn);
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
    GoxObj *o = typed_slice(R, s, elem_kind, elem_type, "as elem_kind says", fn, &ok);
    if (!ok) return 0;
    bool ref_elem = array_elem_is_ref(R, elem_kind, elem_type);
    for (uint64_t i = 0; ref_elem && i < n; i++) {
        if (heap_ref_ok(R, vals[i])) continue;
        Buf where = {0};
        buf_puts(&where, "an element of kind ");
        buf_kind(&where, elem_kind);
        heap_check_ref_value(R, vals[i], fn, where.data);
        buf_free(&where);
        return 0;
    }
    uint64_t new_cap;
    if (!grow_to(R, o, elem_kind, (uint64_t)w, n, &new_cap)) return 0;
    /* the roots of the safepoint: s, then the values when they are references */
    uint64_t small[17], *args = small;
    size_t nargs = ref_elem ? n + 1 : 1;
    if (nargs > sizeof small / sizeof small[0]) args = xmalloc(nargs * sizeof *args);
    args[0] = s;
    if (ref_elem && n) memcpy(args + 1, vals, n * sizeof *vals);
    ok = gc_safepoint(R, args, nargs);
    if (args != small) free(args);
    if (!ok) return 0;
    if (!n) return s;
    GoxObj *arr;
    uint64_t at;
    GoxRef out = append_room(R, o, elem_kind, elem_type, n, new_cap, fn, &arr, &at);
    for (uint64_t i = 0; out && i < n; i++) array_set_elem(R, arr, at + i, vals[i], fn);
    return out;
}

GoxRef gox_rt_slice_append(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, uint64_t val) {
    GOX_ENTER(R);
    return append_values(R, elem_kind, elem_type_id, s, &val, 1, "gox_rt_slice_append");
}

GoxRef gox_rt_slice_append_n(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, const uint64_t *vals,
                             size_t vals_len) {
    GOX_ENTER(R);
    return append_values(R, elem_kind, elem_type_id, s, vals, vals_len, "gox_rt_slice_append_n");
}

GoxRef gox_rt_slice_append_slice(uint8_t elem_kind, uint16_t elem_type_id, GoxRef s, GoxRef t) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_slice_append_slice";
    int64_t w = array_elem_bytes(R, elem_kind, elem_type_id, fn);
    if (w < 0) return 0;
    bool ok;
    GoxObj *o = typed_slice(R, s, elem_kind, elem_type_id, "as elem_kind says", fn, &ok);
    if (!ok) return 0;
    GoxObj *to = typed_slice(R, t, elem_kind, elem_type_id, "as elem_kind says", fn, &ok);
    if (!ok) return 0;
    uint64_t n = to ? to->slots[2] : 0, new_cap;
    if (!grow_to(R, o, elem_kind, (uint64_t)w, n, &new_cap)) return 0;
    uint64_t args[2] = {s, t};
    if (!gc_safepoint(R, args, 2)) return 0;
    if (!n) return s;
    GoxObj *arr;
    uint64_t at;
    GoxRef out = append_room(R, o, elem_kind, elem_type_id, n, new_cap, fn, &arr, &at);
    if (!out) return 0;
    array_copy(arr, at, BACKING(to), to->slots[1], n);
    barrier_children(R, arr);
    return out;
}

GoxRef gox_rt_slice_append_string(GoxRef s, GoxRef text) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_slice_append_string";
    bool ok;
    GoxObj *o = typed_slice(R, s, K_UINT8, NO_TYPE, "elements (a []byte)", fn, &ok);
    const uint8_t *data;
    uint64_t n, new_cap;
    if (!ok || !string_bytes(R, text, fn, &data, &n)) return 0;
    if (!grow_to(R, o, K_UINT8, 1, n, &new_cap)) return 0;
    uint64_t args[2] = {s, text};
    if (!gc_safepoint(R, args, 2)) return 0;
    if (!n) return s;
    GoxObj *arr;
    uint64_t at;
    GoxRef out = append_room(R, o, K_UINT8, NO_TYPE, n, new_cap, fn, &arr, &at);
    if (out) memcpy((uint8_t *)(arr->slots + A_DATA) + at, data, n);
    return out;
}

/* ---- conversions (Go spec, "Conversions to and from a string type") -------------------------
 * A new []byte or []rune has the capacity Go's heap allocation gives it (runtime/string.go,
 * rawbyteslice, rawruneslice), as in slice.py. */

/* A new slice of len w-byte scalars with the capacity of Go's heap allocation for them (src
 * is the safepoint's root); *arr is its array for the caller to fill.  0 after an error. */
static GoxRef converted(GoxRuntime *R, GoxRef src, unsigned elem_kind, uint64_t w, uint64_t len, const char *fn,
                        GoxObj **arr) {
    uint64_t cap = round_up_size(w * len) / w;
    uint64_t args[1] = {src};
    if (!gc_safepoint(R, args, 1)) return 0;
    *arr = array_new(R, elem_kind, NO_TYPE, (int64_t)cap, fn);
    return *arr ? obj_ref0(slice_new_header(R, OBJ_REF(*arr), 0, len, cap)) : 0;
}

GoxRef gox_rt_string_to_bytes(GoxRef s) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_string_to_bytes";
    const uint8_t *data;
    uint64_t n;
    GoxObj *arr;
    if (!string_bytes(R, s, fn, &data, &n)) return 0;
    GoxRef out = converted(R, s, K_UINT8, 1, n, fn, &arr);
    if (out && n) memcpy((uint8_t *)(arr->slots + A_DATA), data, n);
    return out;
}

GoxRef gox_rt_bytes_to_string(GoxRef b) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_bytes_to_string";
    bool ok;
    GoxObj *o = typed_slice(R, b, K_UINT8, NO_TYPE, "elements (a []byte)", fn, &ok);
    if (!ok) return 0;
    uint64_t n = o ? o->slots[2] : 0;
    if (!string_check_size(R, n)) return 0;
    uint64_t args[1] = {b};
    if (!gc_safepoint(R, args, 1)) return 0;
    if (!n) return 0;
    return string_new(R, (const uint8_t *)(BACKING(o)->slots + A_DATA) + o->slots[1], n);
}

GoxRef gox_rt_string_to_runes(GoxRef s) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_string_to_runes";
    const uint8_t *data;
    uint64_t n, count = 0;
    int64_t width;
    GoxObj *arr;
    if (!string_bytes(R, s, fn, &data, &n)) return 0;
    for (uint64_t pos = 0; pos < n; pos += (uint64_t)width, count++) decode_rune(data, n, pos, &width);
    GoxRef out = converted(R, s, K_INT32, 4, count, fn, &arr);
    for (uint64_t pos = 0, i = 0; out && pos < n; pos += (uint64_t)width)
        array_write(arr, i++, (uint32_t)decode_rune(data, n, pos, &width));
    return out;
}

GoxRef gox_rt_runes_to_string(GoxRef r) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_runes_to_string";
    bool ok;
    GoxObj *o = typed_slice(R, r, K_INT32, NO_TYPE, "elements (a []rune)", fn, &ok);
    if (!ok) return 0;
    uint64_t len = o ? o->slots[2] : 0, start = o ? o->slots[1] : 0, n = 0;
    uint8_t enc[4];
    for (uint64_t i = 0; i < len; i++) n += encode_rune((int32_t)array_read(BACKING(o), start + i), enc);
    if (!string_check_size(R, n)) return 0;
    uint64_t args[1] = {r};
    if (!gc_safepoint(R, args, 1)) return 0;
    if (!n) return 0;
    uint8_t *buf = xmalloc(n);
    for (uint64_t i = 0, at = 0; i < len; i++) at += encode_rune((int32_t)array_read(BACKING(o), start + i), buf + at);
    GoxRef out = string_new(R, buf, n);
    free(buf);
    return out;
}
