/* map.c: maps [0] opaque handle (the allocation number, as in the reference), [1] key_kind,
 * [2] val_kind; the table lives in the object's hidden ext pointer.  Entries keep insertion
 * order, as a Python dict does: the order a range loop follows (docs/SCHEDULER.md section 5,
 * "Map").
 * Keys compare as Go compares them: strings by content, floats by value (+0 == -0, NaN never
 * equal: every NaN key is a new entry no lookup finds), everything else by its normalized slot. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

typedef struct {
    uint64_t key, val, hash;
    bool live;
} Entry;

typedef struct {
    Entry *e;
    size_t n, cap, live;
    size_t *idx; /* open addressing: entry index + 1; 0 empty; SIZE_MAX tombstone */
    size_t idx_cap;
} MapState;

/* A key as the table compares it. */
typedef struct {
    bool nan;
    const uint8_t *bytes;
    uint64_t len; /* strings */
    double f;     /* floats */
    uint64_t u;   /* everything else */
    uint64_t hash;
} Key;

static uint64_t fnv(const uint8_t *p, uint64_t n) {
    uint64_t h = 1469598103934665603ULL;
    for (uint64_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
    return h ^ (h >> 29);
}

static uint64_t mix64(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

static bool is_float(unsigned k) { return k == K_FLOAT32 || k == K_FLOAT64; }

static uint64_t map_scalar(unsigned kind, uint64_t v) { return kind == K_BOOL ? (v ? 1 : 0) : gox_normalize(kind, v); }

static double float_of(unsigned kind, uint64_t bits) {
    if (kind == K_FLOAT64) {
        double d;
        memcpy(&d, &bits, 8);
        return d;
    }
    uint32_t b = (uint32_t)bits;
    float f;
    memcpy(&f, &b, 4);
    return (double)f;
}

static bool make_key(GoxRuntime *R, GoxObj *m, uint64_t key, const char *fn, Key *k) {
    unsigned kk = (unsigned)m->slots[1];
    memset(k, 0, sizeof *k);
    if (kk == K_STRING) {
        if (!string_bytes(R, key, fn, &k->bytes, &k->len)) return false;
        k->hash = fnv(k->bytes, k->len);
        return true;
    }
    if (is_float(kk)) {
        k->f = float_of(kk, key);
        if (isnan(k->f)) {
            k->nan = true;
            return true;
        }
        double z = k->f + 0.0; /* -0 -> +0 */
        uint64_t bits;
        memcpy(&bits, &z, 8);
        k->hash = mix64(bits);
        return true;
    }
    if (gox_is_ref_kind(kk) && !heap_ref_ok(R, key)) {
        Buf w = {0};
        buf_puts(&w, "a key of kind ");
        buf_kind(&w, kk);
        bool ok = heap_check_ref_value(R, key, fn, w.data);
        buf_free(&w);
        if (!ok) return false;
    }
    k->u = map_scalar(kk, key);
    k->hash = mix64(k->u);
    return true;
}

static bool key_eq(GoxRuntime *R, unsigned kk, const Entry *e, const Key *k) {
    if (e->hash != k->hash) return false;
    if (kk == K_STRING) {
        const uint8_t *d;
        uint64_t n;
        string_bytes(R, e->key, "map", &d, &n);
        return n == k->len && (n == 0 || memcmp(d, k->bytes, n) == 0);
    }
    if (is_float(kk)) return float_of(kk, e->key) == k->f;
    return e->key == k->u;
}

static MapState *state(GoxObj *m) { return (MapState *)m->ext; }

/* Compact dead entries, then rebuild the index with room for `extra` more; false: no memory for
 * the index (the map is unchanged). */
static bool reindex(MapState *s, size_t extra) {
    size_t cap = 16;
    while (cap < 2 * (s->live + extra + 1)) cap *= 2;
    size_t *idx = calloc(cap, sizeof *idx);
    if (!idx) return false;
    size_t j = 0;
    for (size_t i = 0; i < s->n; i++)
        if (s->e[i].live) s->e[j++] = s->e[i];
    s->n = j;
    free(s->idx);
    s->idx = idx;
    s->idx_cap = cap;
    for (size_t i = 0; i < s->n; i++) {
        if (s->e[i].hash == UINT64_MAX) continue; /* NaN keys are never indexed */
        size_t p = s->e[i].hash & (cap - 1);
        while (s->idx[p]) p = (p + 1) & (cap - 1);
        s->idx[p] = i + 1;
    }
    return true;
}

/* The slot in idx holding k's entry, or SIZE_MAX. */
static size_t find(GoxRuntime *R, GoxObj *m, const Key *k) {
    MapState *s = state(m);
    if (k->nan || !s->idx_cap) return SIZE_MAX;
    size_t mask = s->idx_cap - 1;
    for (size_t p = k->hash & mask;; p = (p + 1) & mask) {
        size_t v = s->idx[p];
        if (v == 0) return SIZE_MAX;
        if (v != SIZE_MAX && key_eq(R, (unsigned)m->slots[1], &s->e[v - 1], k)) return p;
    }
}

void map_free_state(GoxObj *o) {
    MapState *s = state(o);
    if (!s) return;
    free(s->e);
    free(s->idx);
    free(s);
    o->ext = NULL;
}

void map_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx) {
    MapState *s = state(o);
    bool kr = gox_is_ref_kind((unsigned)o->slots[1]), vr = gox_is_ref_kind((unsigned)o->slots[2]);
    if (!s || (!kr && !vr)) return;
    for (size_t i = 0; i < s->n; i++) {
        if (!s->e[i].live) continue;
        if (kr) fn(R, ctx, s->e[i].key);
        if (vr) fn(R, ctx, s->e[i].val);
    }
}

static bool key_kind_ok(unsigned k) {
    return (k >= K_BOOL && k <= K_FLOAT64) || k == K_STRING || k == K_CHANNEL || k == K_POINTER || k == K_FUNC_PTR;
}

GoxRef gox_rt_map_new(uint8_t key_kind, uint8_t val_kind) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_map_new";
    if (!key_kind_ok(key_kind)) {
        Buf b = {0};
        buf_printf(&b, "%s: key_kind=", fn);
        buf_kind(&b, key_kind);
        buf_puts(&b, " is not a comparable single-slot kind");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    if (!gox_valid_kind(val_kind) || val_kind == K_NIL || val_kind == K_INTERFACE) {
        Buf b = {0};
        buf_printf(&b, "%s: val_kind=", fn);
        buf_kind(&b, val_kind);
        buf_puts(&b, " is not a single-slot value kind");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *o = gc_alloc(R, K_MAP, NO_TYPE, 3);
    if (!o) return 0;
    o->ext = xcalloc(1, sizeof(MapState));
    o->slots[0] = o->num;
    o->slots[1] = key_kind;
    o->slots[2] = val_kind;
    return OBJ_REF(o);
}

static GoxObj *map_obj(GoxRuntime *R, GoxRef m, const char *fn, bool *ok) {
    *ok = true;
    if (!m) return NULL;
    GoxObj *o = heap_get_kind(R, m, K_MAP, fn);
    if (!o) *ok = false;
    return o;
}

int64_t gox_map_len(GoxRef m) {
    bool ok;
    GOX_ENTER(R);
    GoxObj *o = map_obj(R, m, "gox_map_len", &ok);
    return o ? (int64_t)state(o)->live : 0;
}

uint64_t gox_map_get(GoxRef m, uint64_t key, bool *out_ok) {
    GOX_ENTER(R);
    const char *fn = "gox_map_get";
    bool ok;
    if (out_ok) *out_ok = false;
    GoxObj *o = map_obj(R, m, fn, &ok);
    if (!o) return 0;
    Key k;
    if (!make_key(R, o, key, fn, &k)) return 0;
    size_t p = find(R, o, &k);
    if (p == SIZE_MAX) return 0;
    if (out_ok) *out_ok = true;
    return state(o)->e[state(o)->idx[p] - 1].val;
}

void gox_map_set(GoxRef m, uint64_t key, uint64_t val) {
    GOX_ENTER(R);
    const char *fn = "gox_map_set";
    bool ok;
    GoxObj *o = map_obj(R, m, fn, &ok);
    if (!ok) return;
    if (!o) {
        gox_fail(R, ERR_PANIC, "assignment to entry in nil map");
        return;
    }
    Key k;
    if (!make_key(R, o, key, fn, &k)) return;
    unsigned kk = (unsigned)o->slots[1], vk = (unsigned)o->slots[2];
    if (gox_is_ref_kind(vk)) {
        if (!heap_ref_ok(R, val)) {
            Buf w = {0};
            buf_puts(&w, "a value of kind ");
            buf_kind(&w, vk);
            heap_check_ref_value(R, val, fn, w.data);
            buf_free(&w);
            return;
        }
    } else {
        val = map_scalar(vk, val);
    }
    if (!gox_is_ref_kind(kk) && !is_float(kk)) key = map_scalar(kk, key);
    MapState *s = state(o);
    size_t p = find(R, o, &k);
    if (p != SIZE_MAX) {
        Entry *e = &s->e[s->idx[p] - 1];
        e->key = key;
        e->val = val;
    } else {
        /* the room first (a map of millions of entries: its arrays may not be had), so that a
         * failure changes nothing the map holds */
        if (!k.nan && 2 * (s->n + 2) > s->idx_cap && !reindex(s, 1)) {
            gox_out_of_memory(R);
            return;
        }
        if (s->n == s->cap) {
            Entry *e = grow_array(R, s->e, &s->cap, sizeof *e, 8);
            if (!e) return;
            s->e = e;
        }
        s->e[s->n++] = (Entry){key, val, k.nan ? UINT64_MAX : k.hash, true};
        s->live++;
        if (!k.nan) {
            size_t mask = s->idx_cap - 1, q = k.hash & mask;
            while (s->idx[q] && s->idx[q] != SIZE_MAX) q = (q + 1) & mask;
            s->idx[q] = s->n;
        }
    }
    if (gox_is_ref_kind(kk) && key) gc_barrier(R, o, key);
    if (gox_is_ref_kind(vk) && val) gc_barrier(R, o, val);
}

void gox_map_delete(GoxRef m, uint64_t key) {
    GOX_ENTER(R);
    const char *fn = "gox_map_delete";
    bool ok;
    GoxObj *o = map_obj(R, m, fn, &ok);
    if (!o) return;
    Key k;
    if (!make_key(R, o, key, fn, &k)) return;
    size_t p = find(R, o, &k);
    if (p == SIZE_MAX) return;
    MapState *s = state(o);
    s->e[s->idx[p] - 1].live = false;
    s->idx[p] = SIZE_MAX;
    s->live--;
    if (s->n > 16 && s->live * 2 < s->n) reindex(s, 0); /* (without memory for it: not compacted) */
}

/* ---- iteration (iter.c): the keys present at gox_iter_begin ---------------------------------- */
/* A key as the loop remembers it: its slot, a copy of a string key's bytes (the entry, and so
 * the string, may go away during the loop), and for a NaN key the entry's value (NaN entries
 * are never deleted or updated: every m[NaN] = v makes a new one). */
struct MapSnapKey {
    uint64_t key, nan_val;
    bool nan;
    uint8_t *bytes;
    uint64_t len;
};

MapSnapKey *map_snapshot(GoxObj *m, size_t *n) {
    MapState *s = state(m);
    unsigned kk = (unsigned)m->slots[1];
    MapSnapKey *keys = xcalloc(s->live ? s->live : 1, sizeof *keys);
    size_t k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const Entry *e = &s->e[i];
        if (!e->live) continue;
        MapSnapKey *sk = &keys[k++];
        sk->key = e->key;
        if (kk == K_STRING) {
            GoxObj *so = REF_OBJ(e->key);
            sk->len = e->key ? so->slots[2] : 0;
            sk->bytes = xmalloc(sk->len ? sk->len : 1);
            if (sk->len) memcpy(sk->bytes, (const uint8_t *)(REF_OBJ(so->slots[0])->slots + A_DATA) + so->slots[1], sk->len);
        } else if (is_float(kk) && isnan(float_of(kk, e->key))) {
            sk->nan = true;
            sk->nan_val = e->val;
        }
    }
    *n = k;
    return keys;
}

void map_snapshot_free(MapSnapKey *keys, size_t n) {
    for (size_t i = 0; i < n; i++) free(keys[i].bytes);
    free(keys);
}

/* The entry the map holds now for remembered key i: its key slot and value. */
bool map_snap_lookup(GoxRuntime *R, GoxObj *m, const MapSnapKey *keys, size_t i, uint64_t *key, uint64_t *val) {
    const MapSnapKey *sk = &keys[i];
    if (sk->nan) {
        *key = sk->key;
        *val = sk->nan_val;
        return true;
    }
    unsigned kk = (unsigned)m->slots[1];
    Key k;
    memset(&k, 0, sizeof k);
    if (kk == K_STRING) {
        k.bytes = sk->bytes;
        k.len = sk->len;
        k.hash = fnv(sk->bytes, sk->len);
    } else if (is_float(kk)) {
        k.f = float_of(kk, sk->key);
        double z = k.f + 0.0;
        uint64_t bits;
        memcpy(&bits, &z, 8);
        k.hash = mix64(bits);
    } else {
        k.u = map_scalar(kk, sk->key);
        k.hash = mix64(k.u);
    }
    size_t p = find(R, m, &k);
    if (p == SIZE_MAX) return false;
    const Entry *e = &state(m)->e[state(m)->idx[p] - 1];
    *key = e->key;
    *val = e->val;
    return true;
}
