/* heap.c: objects, allocation numbers, canonical addresses, validation, the type table.
 *
 * Checked mode keeps every address it ever handed out in `addrs` and never returns a freed
 * object's memory to malloc (the object is quarantined with FLAG_FREED), so a freed reference
 * is always recognised and no address is ever reused.  Unchecked mode frees at once and
 * trusts its caller with references; only the words that carry no kind (the arguments of a
 * spawned or deferred call, roots when they are live objects) are looked up, in live_set.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

/* ---- u64 hash map ----------------------------------------------------------------------- */
static size_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return (size_t)k;
}

bool u64map_get(const U64Map *m, uint64_t key, uint64_t *out) {
    if (!m->cap) return false;
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) return false;
        if (m->keys[i] == key) {
            if (out) *out = m->vals[i];
            return true;
        }
    }
}

static void u64map_grow(U64Map *m) {
    U64Map n = {0};
    n.cap = m->cap ? m->cap * 2 : 64;
    n.keys = xcalloc(n.cap, sizeof *n.keys);
    n.vals = xcalloc(n.cap, sizeof *n.vals);
    n.used = xcalloc(n.cap, 1);
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i]) u64map_put(&n, m->keys[i], m->vals[i]);
    u64map_free(m);
    *m = n;
}

void u64map_put(U64Map *m, uint64_t key, uint64_t val) {
    if ((m->len + 1) * 4 >= m->cap * 3) u64map_grow(m);
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) {
            m->used[i] = 1;
            m->keys[i] = key;
            m->vals[i] = val;
            m->len++;
            return;
        }
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
    }
}

bool u64map_del(U64Map *m, uint64_t key) {
    if (!m->cap) return false;
    size_t mask = m->cap - 1, i = mix(key) & mask;
    for (;; i = (i + 1) & mask) {
        if (!m->used[i]) return false;
        if (m->keys[i] == key) break;
    }
    m->used[i] = 0;
    m->len--;
    /* backward-shift deletion */
    for (size_t j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = mix(m->keys[j]) & mask;
        bool move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (move) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            m->used[i] = 1;
            m->used[j] = 0;
            i = j;
        }
    }
    return true;
}

void u64map_clear(U64Map *m) {
    if (m->cap) memset(m->used, 0, m->cap);
    m->len = 0;
}

void u64map_free(U64Map *m) {
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}

/* ---- objects ------------------------------------------------------------------------------ */
GoxObj *heap_new(GoxRuntime *R, unsigned kind, unsigned type_id, unsigned nslots, int color) {
    GoxObj *o = xcalloc(1, sizeof(GoxObj) + 8u * (size_t)nslots);
    o->num = R->next_num++;
    o->kind = (uint8_t)kind;
    o->type_id = (uint16_t)type_id;
    o->nslots = (uint16_t)nslots;
    o->mark = (uint8_t)color;
    o->prev = R->tail;
    if (R->tail)
        R->tail->next = o;
    else
        R->head = o;
    R->tail = o;
    R->live_bytes += OBJ_SIZE(o);
    R->live_objects++;
    u64map_put(R->checked ? &R->addrs : &R->live_set, OBJ_REF(o), 1);
    return o;
}

static void unlink_obj(GoxRuntime *R, GoxObj *o) {
    if (o->prev)
        o->prev->next = o->next;
    else
        R->head = o->next;
    if (o->next)
        o->next->prev = o->prev;
    else
        R->tail = o->prev;
    o->prev = o->next = NULL;
}

static void release(GoxRuntime *R, GoxObj *o) {
    if (o->kind == K_MAP) map_free_state(o);
    if (o->kind == K_CHANNEL) chan_free_state(o);
    if (R->checked) {
        o->flags |= FLAG_FREED; /* quarantined: the address stays recognisable */
        o->mark = 0xFF;
    } else {
        u64map_del(&R->live_set, OBJ_REF(o));
        free(o);
    }
}

void heap_free(GoxRuntime *R, GoxObj *o) {
    unlink_obj(R, o);
    R->live_bytes -= OBJ_SIZE(o);
    R->live_objects--;
    release(R, o);
}

void heap_drop_all(GoxRuntime *R) {
    GoxObj *o = R->head;
    while (o) {
        GoxObj *next = o->next;
        o->prev = o->next = NULL;
        release(R, o);
        o = next;
    }
    R->head = R->tail = NULL;
    R->live_bytes = 0;
    R->live_objects = 0;
    R->dead_mark = -1;
}

void heap_set_checked(GoxRuntime *R, bool on) {
    if (on == R->checked) return;
    if (on) {
        for (GoxObj *o = R->head; o; o = o->next) u64map_put(&R->addrs, OBJ_REF(o), 1);
        u64map_free(&R->live_set);
    } else {
        for (GoxObj *o = R->head; o; o = o->next) u64map_put(&R->live_set, OBJ_REF(o), 1);
        for (size_t i = 0; i < R->addrs.cap; i++) {
            if (!R->addrs.used[i]) continue;
            GoxObj *o = REF_OBJ(R->addrs.keys[i]);
            if (o->flags & FLAG_FREED) free(o);
        }
        u64map_free(&R->addrs);
    }
    R->checked = on;
}

/* ---- lookup and validation ------------------------------------------------------------------ */
static GoxObj *known(GoxRuntime *R, uint64_t ref) {
    if (ref == 0) return NULL;
    if (R->checked) return u64map_get(&R->addrs, ref, NULL) ? REF_OBJ(ref) : NULL;
    return REF_OBJ(ref); /* unchecked: trusted */
}

uint64_t heap_canon(GoxRuntime *R, uint64_t ref) {
    GoxObj *o = known(R, ref);
    return o ? HEAP_BASE + REF_STRIDE * o->num : ref;
}

GoxObj *heap_lookup(GoxRuntime *R, uint64_t ref, bool dead_ok) {
    GoxObj *o = known(R, ref);
    if (!o || (o->flags & FLAG_FREED)) return NULL;
    if (!dead_ok && o->mark == R->dead_mark) return NULL;
    return o;
}

bool heap_is_live(GoxRuntime *R, uint64_t ref) { return heap_lookup(R, ref, false) != NULL; }

bool heap_maybe_ref(GoxRuntime *R, uint64_t val) {
    if (!val || (!R->checked && !u64map_get(&R->live_set, val, NULL))) return false;
    return heap_is_live(R, val);
}

void heap_describe(GoxRuntime *R, uint64_t ref, Buf *b) {
    GoxObj *o = known(R, ref);
    if (!o) {
        buf_printf(b, "0x%" PRIx64 " is not a reference the heap ever allocated", ref);
        return;
    }
    uint64_t c = HEAP_BASE + REF_STRIDE * o->num;
    if (!(o->flags & FLAG_FREED))
        buf_printf(b,
                   "0x%" PRIx64 " (object #%" PRIu64 ") was unreachable when the collector finished "
                   "marking and is being swept; keep references held across allocating calls "
                   "rooted (gox_gc_pin, a global or a stack map)",
                   c, o->num);
    else
        buf_printf(b, "0x%" PRIx64 " is a freed reference (object #%" PRIu64 ")", c, o->num);
}

GoxObj *heap_get(GoxRuntime *R, GoxRef ref, const char *fn, const char *what) {
    GoxObj *o = heap_lookup(R, ref, false);
    if (o) return o;
    if (ref == 0) {
        gox_fail(R, ERR_ABI, "%s: nil reference, expected %s", fn, what ? what : "a live object");
        return NULL;
    }
    Buf b = {0};
    buf_printf(&b, "%s: ", fn);
    heap_describe(R, ref, &b);
    buf_printf(&b, "; expected %s", what ? what : "a live object");
    gox_fail_buf(R, ERR_ABI, &b);
    return NULL;
}

GoxObj *heap_get_kind(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn) {
    GoxObj *fast = heap_lookup(R, ref, false);
    if (fast && fast->kind == kind) return fast; /* the error text is built only on failure */
    Buf what = {0};
    buf_puts(&what, "a ");
    buf_kind(&what, kind);
    buf_puts(&what, " object");
    GoxObj *o = heap_get(R, ref, fn, what.data);
    if (o && o->kind != kind) {
        Buf b = {0};
        buf_printf(&b, "%s: 0x%" PRIx64 " is a ", fn, heap_canon(R, ref));
        buf_kind(&b, o->kind);
        buf_puts(&b, " object, expected ");
        buf_put(&b, what.data, what.len);
        gox_fail_buf(R, ERR_ABI, &b);
        o = NULL;
    }
    buf_free(&what);
    return o;
}

bool heap_check_ref_value(GoxRuntime *R, uint64_t val, const char *fn, const char *where) {
    if (val == 0 || heap_is_live(R, val)) return true;
    Buf b = {0};
    buf_printf(&b, "%s: %s takes a reference or 0, but ", fn, where);
    heap_describe(R, val, &b);
    gox_fail_buf(R, ERR_ABI, &b);
    return false;
}

GoxType *heap_get_type(GoxRuntime *R, uint32_t type_id, const char *fn) {
    if (type_id >= R->ntypes) {
        gox_fail(R, ERR_ABI, "%s: unknown struct type id %u; expected 0..%lld (registered with gox_type_register)", fn,
                 type_id, (long long)R->ntypes - 1);
        return NULL;
    }
    return &R->types[type_id];
}
