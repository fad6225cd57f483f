/* string.c: strings: [0] byte array ref, [1] start, [2] len -- a view of an immutable Uint8
 * array.  The reference 0 is "". */
#include <inttypes.h>
#include <string.h>

#include "gox_internal.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "gox: the packed array layout assumes a little-endian host"
#endif

int32_t decode_rune(const uint8_t *b, size_t len, size_t pos, int64_t *width) {
    if (pos >= len) {
        *width = 0;
        return 0xFFFD;
    }
    size_t n = len - pos;
    uint8_t b0 = b[pos];
    if (b0 < 0x80) {
        *width = 1;
        return b0;
    }
    unsigned need, lo = 0x80, hi = 0xBF;
    int32_t val;
    if (b0 >= 0xC2 && b0 <= 0xDF) {
        need = 1;
        val = b0 & 0x1F;
    } else if (b0 >= 0xE0 && b0 <= 0xEF) {
        need = 2;
        val = b0 & 0x0F;
        if (b0 == 0xE0) lo = 0xA0;
        if (b0 == 0xED) hi = 0x9F;
    } else if (b0 >= 0xF0 && b0 <= 0xF4) {
        need = 3;
        val = b0 & 0x07;
        if (b0 == 0xF0) lo = 0x90;
        if (b0 == 0xF4) hi = 0x8F;
    } else {
        *width = 1;
        return 0xFFFD;
    }
    *width = 1;
    if (n < need + 1) return 0xFFFD;
    uint8_t b1 = b[pos + 1];
    if (b1 < lo || b1 > hi) return 0xFFFD;
    val = (val << 6) | (b1 & 0x3F);
    for (unsigned k = 2; k <= need; k++) {
        uint8_t bk = b[pos + k];
        if (bk < 0x80 || bk > 0xBF) return 0xFFFD;
        val = (val << 6) | (bk & 0x3F);
    }
    *width = need + 1;
    return val;
}

/* Go's UTF-8 encoding of rune r (runtime/utf8.go, encoderune; string.py encode_rune): a negative
 * r, a surrogate half (U+D800..U+DFFF) or one above U+10FFFF encodes U+FFFD.  Returns the width. */
size_t encode_rune(int64_t r, uint8_t out[4]) {
    if (r < 0 || r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = 0xFFFD;
    if (r < 0x80) {
        out[0] = (uint8_t)r;
        return 1;
    }
    if (r < 0x800) {
        out[0] = (uint8_t)(0xC0 | (r >> 6));
        out[1] = (uint8_t)(0x80 | (r & 0x3F));
        return 2;
    }
    if (r < 0x10000) {
        out[0] = (uint8_t)(0xE0 | (r >> 12));
        out[1] = (uint8_t)(0x80 | ((r >> 6) & 0x3F));
        out[2] = (uint8_t)(0x80 | (r & 0x3F));
        return 3;
    }
    out[0] = (uint8_t)(0xF0 | (r >> 18));
    out[1] = (uint8_t)(0x80 | ((r >> 12) & 0x3F));
    out[2] = (uint8_t)(0x80 | ((r >> 6) & 0x3F));
    out[3] = (uint8_t)(0x80 | (r & 0x3F));
    return 4;
}

GoxObj *string_obj(GoxRuntime *R, GoxRef s, const char *fn, bool *ok) {
    *ok = true;
    if (s == 0) return NULL;
    GoxObj *o = heap_get_kind(R, s, K_STRING, fn);
    if (!o) *ok = false;
    return o;
}

bool string_bytes(GoxRuntime *R, GoxRef s, const char *fn, const uint8_t **data, uint64_t *len) {
    bool ok;
    GoxObj *o = string_obj(R, s, fn, &ok);
    *data = (const uint8_t *)"";
    *len = 0;
    if (!ok) return false;
    if (o) {
        GoxObj *arr = REF_OBJ(o->slots[0]);
        *data = (const uint8_t *)(arr->slots + A_DATA) + o->slots[1];
        *len = o->slots[2];
    }
    return true;
}

/* A string is as large as memory allows: more than Go's maxAlloc is out of memory, as Go's
 * mallocgc (string.py check_string_size). */
bool string_check_size(GoxRuntime *R, uint64_t n) {
    if (n <= GO_MAX_ALLOC) return true;
    gox_out_of_memory(R);
    return false;
}

/* A string's byte array (new, of n = na + nb slots' bytes) gets its header and a, then b. */
static void fill_bytes(GoxObj *arr, const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    arr->slots[A_ELEM_KIND] = K_UINT8;
    arr->slots[A_ELEM_TYPE] = NO_TYPE;
    arr->slots[A_ELEM_BYTES] = 1;
    arr->slots[A_LEN] = na + nb;
    memcpy((uint8_t *)(arr->slots + A_DATA), a, na);
    if (nb) memcpy((uint8_t *)(arr->slots + A_DATA) + na, b, nb);
    arr->flags |= FLAG_IMMUTABLE;
}

/* A new string header over all of arr's n bytes. */
static GoxRef fill_string(GoxObj *s, GoxObj *arr, size_t n) {
    s->slots[0] = OBJ_REF(arr);
    s->slots[1] = 0;
    s->slots[2] = n;
    return OBJ_REF(s);
}

/* A byte array and a string over it (after the caller's safepoint); a/b concatenated. */
static GoxRef string_new2(GoxRuntime *R, const uint8_t *a, size_t na, const uint8_t *b, size_t nb) {
    size_t n = na + nb;
    if (!n) return 0;
    GoxObj *arr = gc_alloc(R, K_ARRAY, NO_TYPE, 4u + (n + 7) / 8);
    if (!arr) return 0;
    fill_bytes(arr, a, na, b, nb);
    GoxObj *s = gc_alloc(R, K_STRING, NO_TYPE, 3);
    return s ? fill_string(s, arr, n) : 0;
}

GoxRef string_new(GoxRuntime *R, const uint8_t *data, size_t n) { return string_new2(R, data, n, NULL, 0); }

/* ---- parallel mode: strings made without the runtime lock -----------------------------------
 * gox_rt_string_concat and gox_rt_string_from_rune make their string from the worker's
 * allocation cache (heap.c, A1-A3) when it can serve both objects, on the lock-free object
 * access's argument (P1-P4 at heap_lookup_par): the operands are strings found live, which
 * never change, and nothing dies or changes color while the call runs.  Both objects are new
 * and of the current white, so the header's reference to its bytes needs no barrier (as in
 * string_new2).  Anything else -- an operand that is no live string, a cache that cannot serve
 * (full, a collection pending, unchecked mode, a string too long for it) -- is the locked
 * path's, with its safepoint and its errors; a byte array made before the cache ran out is
 * garbage the next cycle frees. */
static bool string_new2_par(GoxRuntime *R, GoxWorker *W, const uint8_t *a, size_t na, const uint8_t *b, size_t nb,
                            GoxRef *out) {
    size_t n = na + nb;
    if (!n) {
        *out = 0;
        return true;
    }
    GoxObj *arr = heap_alloc_local(R, W, K_ARRAY, NO_TYPE, 4u + (n + 7) / 8);
    GoxObj *str = arr ? heap_alloc_local(R, W, K_STRING, NO_TYPE, 3) : NULL;
    if (!str) return false;
    fill_bytes(arr, a, na, b, nb);
    *out = fill_string(str, arr, n);
    return true;
}

/* s when the lock-free lookup finds it a live string, else NULL (a string never changes: P1) */
static GoxObj *string_obj_par(const GoxRuntime *R, GoxRef s) {
    GoxObj *o = heap_lookup_par(R, s);
    return o && o->kind == K_STRING ? o : NULL;
}

/* a string operand found live without the lock (0: the empty string); false: the locked path's */
static bool string_par(const GoxRuntime *R, GoxRef s, const uint8_t **data, uint64_t *len) {
    *data = (const uint8_t *)"";
    *len = 0;
    if (!s) return true;
    GoxObj *o = string_obj_par(R, s);
    if (!o) return false;
    *data = (const uint8_t *)(REF_OBJ(o->slots[0])->slots + A_DATA) + o->slots[1];
    *len = o->slots[2];
    return true;
}

__attribute__((noinline)) static bool concat_par(GoxRuntime *R, GoxWorker *W, GoxRef a, GoxRef b, GoxRef *out) {
    const uint8_t *da, *db;
    uint64_t na, nb;
    if (!W->achunk || !string_par(R, a, &da, &na) || !string_par(R, b, &db, &nb)) return false;
    if (!nb || !na) {
        *out = nb ? b : a;
        return true;
    }
    return string_new2_par(R, W, da, na, db, nb, out);
}

__attribute__((noinline)) static bool from_rune_par(GoxRuntime *R, GoxWorker *W, int64_t r, GoxRef *out) {
    if (!W->achunk) return false;
    uint8_t enc[4];
    return string_new2_par(R, W, enc, encode_rune(r, enc), NULL, 0, out);
}

GoxRef gox_rt_string_from_ptr(const uint8_t *data, size_t data_len) {
    GOX_ENTER(R);
    if (!string_check_size(R, data_len)) return 0;
    if (!gc_safepoint(R, NULL, 0)) return 0;
    return string_new(R, data, data_len);
}

GoxRef gox_rt_string_from_rune(int64_t r) {
    GoxRuntime *R0 = gox_rt();
    GoxWorker *W = __builtin_expect(R0->parallel, 0) ? rt_fast_worker(R0) : NULL;
    GoxRef made;
    if (W && from_rune_par(R0, W, r, &made)) return made;
    GOX_ENTER(R);
    uint8_t enc[4];
    size_t n = encode_rune(r, enc);
    if (!heap_local_safepoint(R, W, NULL, 0)) return 0; /* (W: the next call's cache) */
    return string_new(R, enc, n);
}

size_t gox_string_read(GoxRef s, uint8_t *out_buf, size_t cap) {
    const uint8_t *d;
    uint64_t n;
    GOX_ENTER(R);
    if (!string_bytes(R, s, "gox_string_read", &d, &n)) return 0;
    if (out_buf) memcpy(out_buf, d, n < cap ? n : cap);
    return n;
}

int64_t gox_string_len(GoxRef s) {
    GoxRuntime *R0 = gox_rt();
    GoxObj *p = __builtin_expect(R0->parallel, 0) && rt_fast_worker(R0) ? string_obj_par(R0, s) : NULL;
    if (p) return (int64_t)p->slots[2];
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = string_obj(R, s, "gox_string_len", &ok);
    return o ? (int64_t)o->slots[2] : 0;
}

uint8_t gox_string_index(GoxRef s, int64_t idx) {
    GOX_ENTER(R);
    const uint8_t *d;
    uint64_t n;
    if (!string_bytes(R, s, "gox_string_index", &d, &n)) return 0;
    if (idx < 0 || (uint64_t)idx >= n) {
        gox_panic_index(R, idx, (int64_t)n);
        return 0;
    }
    return d[idx];
}

GoxRef gox_rt_string_concat(GoxRef a, GoxRef b) {
    GoxRuntime *R0 = gox_rt();
    GoxWorker *W = __builtin_expect(R0->parallel, 0) ? rt_fast_worker(R0) : NULL;
    GoxRef made;
    if (W && concat_par(R0, W, a, b, &made)) return made;
    GOX_ENTER(R);
    const char *fn = "gox_rt_string_concat";
    const uint8_t *da, *db;
    uint64_t na, nb;
    if (!string_bytes(R, a, fn, &da, &na) || !string_bytes(R, b, fn, &db, &nb)) return 0;
    if (!string_check_size(R, na + nb)) return 0;
    uint64_t args[2] = {a, b};
    if (!heap_local_safepoint(R, W, args, 2)) return 0;
    if (!nb) return a;
    if (!na) return b;
    return string_new2(R, da, na, db, nb);
}

GoxRef gox_rt_string_slice(GoxRef s, int64_t lo, int64_t hi) {
    GOX_ENTER(R);
    bool ok;
    GoxObj *o = string_obj(R, s, "gox_rt_string_slice", &ok);
    if (!ok) return 0;
    int64_t n = o ? (int64_t)o->slots[2] : 0;
    if (!gox_check_slice(R, lo, hi, n, "length")) return 0;
    uint64_t args[1] = {s};
    if (!gc_safepoint(R, args, 1)) return 0;
    if (!o || lo == hi) return 0;
    if (lo == 0 && hi == n) return s;
    GoxObj *v = gc_alloc(R, K_STRING, NO_TYPE, 3);
    if (!v) return 0;
    v->slots[0] = o->slots[0];
    v->slots[1] = o->slots[1] + (uint64_t)lo;
    v->slots[2] = (uint64_t)(hi - lo);
    return OBJ_REF(v);
}

static int cmp(GoxRef a, GoxRef b, const char *fn, bool *ok) {
    GOX_ENTER(R);
    const uint8_t *da, *db;
    uint64_t na, nb;
    *ok = string_bytes(R, a, fn, &da, &na) && string_bytes(R, b, fn, &db, &nb);
    if (!*ok) return 0;
    int c = memcmp(da, db, na < nb ? na : nb);
    if (c) return c < 0 ? -1 : 1;
    return (na > nb) - (na < nb);
}

int32_t gox_string_cmp(GoxRef a, GoxRef b) {
    bool ok;
    return cmp(a, b, "gox_string_cmp", &ok);
}

#define STRING_OP(NAME, EXPR)                       \
    bool gox_string_##NAME(GoxRef a, GoxRef b) {    \
        bool ok;                                    \
        int c = cmp(a, b, "gox_string_" #NAME, &ok); \
        return ok && (EXPR);                        \
    }
STRING_OP(eq, c == 0)
STRING_OP(ne, c != 0)
STRING_OP(lt, c < 0)
STRING_OP(le, c <= 0)
STRING_OP(gt, c > 0)
STRING_OP(ge, c >= 0)

int32_t gox_string_decode_rune(GoxRef s, int64_t pos, int64_t *out_width) {
    GOX_ENTER(R);
    const uint8_t *d;
    uint64_t n;
    int64_t w = 0;
    if (out_width) *out_width = 0;
    if (!string_bytes(R, s, "gox_string_decode_rune", &d, &n)) return 0;
    if (pos < 0 || (uint64_t)pos >= n) {
        gox_panic_index(R, pos, (int64_t)n);
        return 0;
    }
    int32_t r = decode_rune(d, n, (size_t)pos, &w);
    if (out_width) *out_width = w;
    return r;
}
