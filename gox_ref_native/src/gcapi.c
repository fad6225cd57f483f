/* gcapi.c: the GC group of the ABI, as gox_ref/gcapi.py: raw objects and slots, the barrier,
 * collector control (explicit collections: gc.c), pins, the type table. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

/* What slot idx of o holds, or -1 when compiled code may not write it (gcapi.slot_type). */
static int slot_type(GoxRuntime *R, GoxObj *o, size_t idx) {
    switch (o->kind) {
    case K_STRUCT:
        return type_par(R, o->type_id)->st[idx]; /* (also without R->mu: P3) */
    case K_POINTER:
        if (o->flags & FLAG_IMMUTABLE) return -1; /* a timer's channel (timer.c) */
        return gox_is_ref_kind(o->type_id) ? ST_GC_REF : ST_VALUE;
    case K_BOXED_INT: case K_BOXED_FLOAT: case K_BOXED_BOOL:
        return ST_VALUE;
    case K_CLOSURE:
        if (idx < 2) return -1;
        if (o->type_id == NO_TYPE) return ST_VALUE;
        return type_par(R, o->type_id)->st[idx - 2];
    case K_ARRAY: {
        if (idx < A_DATA || (o->flags & FLAG_IMMUTABLE)) return -1;
        unsigned ek = (unsigned)o->slots[A_ELEM_KIND];
        if (ek == K_STRUCT) {
            const GoxType *t = type_par(R, (unsigned)o->slots[A_ELEM_TYPE]);
            return t->st[(idx - A_DATA) % t->n];
        }
        if (ek == K_INTERFACE) return (idx - A_DATA) % 2 == 0 ? ST_IFACE0 : ST_IFACE1;
        return gox_is_ref_kind(ek) ? ST_GC_REF : ST_VALUE;
    }
    default:
        return -1;
    }
}

/* slot_obj's failures: not a live object, or idx out of range (the error recorded) */
__attribute__((noinline, cold)) static GoxObj *slot_fail(GoxRuntime *R, GoxRef ref, size_t idx, const char *fn) {
    GoxObj *o = heap_deref(R, ref, fn, NULL); /* a nil reference: Go's nil-dereference panic */
    if (!o) return NULL;
    Buf b = {0};
    buf_printf(&b, "%s: slot index %zu out of range for ", fn, idx);
    buf_kind(&b, o->kind);
    buf_printf(&b, " object 0x%" PRIx64 " with %" PRIu64 " slots", heap_canon(R, ref), obj_nslots(o));
    gox_fail_buf(R, ERR_ABI, &b);
    return NULL;
}

static inline GoxObj *slot_obj(GoxRuntime *R, GoxRef ref, size_t idx, const char *fn) {
    GoxObj *o = heap_lookup(R, ref, false);
    return o && idx < obj_nslots(o) ? o : slot_fail(R, ref, idx, fn);
}

/* gox_rt_alloc's checks of its arguments, in the reference's order (false: the error recorded) */
__attribute__((noinline)) static bool alloc_args_ok(GoxRuntime *R, uint8_t value_kind, uint16_t type_id,
                                                    uint16_t slots) {
    const char *fn = "gox_rt_alloc";
    if (value_kind != K_STRUCT && value_kind != K_POINTER && value_kind != K_BOXED_INT &&
        value_kind != K_BOXED_FLOAT && value_kind != K_BOXED_BOOL) {
        Buf b = {0};
        buf_printf(&b, "%s: value_kind=", fn);
        buf_kind(&b, value_kind);
        buf_puts(&b, " has its own constructor; expected 21 (Struct), 22 (Pointer) or 24..26 (boxed values)");
        gox_fail_buf(R, ERR_ABI, &b);
        return false;
    }
    if (value_kind == K_STRUCT) {
        GoxType *t = heap_get_type(R, type_id, fn);
        if (!t) return false;
        if (slots != t->n) {
            gox_fail(R, ERR_ABI, "%s: struct type %u has %u slots, but slots=%u", fn, type_id, t->n, slots);
            return false;
        }
    } else if (value_kind == K_POINTER) {
        if (slots != 1 || !(type_id > 0 && type_id <= K_MAX) || type_id == K_INTERFACE) {
            gox_fail(R, ERR_ABI,
                     "%s: a Pointer box takes slots=1 and type_id = the boxed value kind, got slots=%u, type_id=%u", fn,
                     slots, type_id);
            return false;
        }
    } else if (slots != 1) {
        Buf b = {0};
        buf_printf(&b, "%s: ", fn);
        buf_kind(&b, value_kind);
        buf_printf(&b, " objects have 1 slot, got slots=%u", slots);
        gox_fail_buf(R, ERR_ABI, &b);
        return false;
    }
    return true;
}

/* W: the caller's worker when its allocation cache may serve it (parallel mode), else NULL */
static inline GoxRef alloc_locked(uint8_t value_kind, uint16_t type_id, uint16_t slots, GoxWorker *W) {
    GOX_ENTER(R);
    /* the common case (a struct of a registered type) checked inline, the rest in order */
    if (!(value_kind == K_STRUCT && type_id != 0 && type_id < R->ntypes && slots == R->types[type_id].n) &&
        !alloc_args_ok(R, value_kind, type_id, slots))
        return 0;
    if (!heap_local_safepoint(R, W, NULL, 0)) return 0;
    if (W) {
        GoxObj *o = heap_alloc_local(R, W, value_kind, type_id, slots);
        if (o) return OBJ_REF(o);
    }
    return obj_ref0(gc_alloc(R, value_kind, type_id, slots));
}

/* Parallel mode: from the worker's allocation cache without R->mu (heap.c, A1-A3) when the
 * arguments are a registered struct type's (ntypes is published after its entry) or a one-slot
 * box, else, or when the cache cannot serve, the locked path. */
__attribute__((noinline)) static GoxRef alloc_par(GoxRuntime *R, uint8_t value_kind, uint16_t type_id, uint16_t slots) {
    GoxWorker *W = rt_fast_worker(R);
    if (W && W->achunk) {
        bool ok = value_kind == K_STRUCT
                      ? type_id != 0 && type_id < __atomic_load_n(&R->ntypes, __ATOMIC_ACQUIRE) && slots == type_par(R, type_id)->n
                  : value_kind == K_POINTER ? slots == 1 && type_id > 0 && type_id <= K_MAX && type_id != K_INTERFACE
                                            : (value_kind == K_BOXED_INT || value_kind == K_BOXED_FLOAT || value_kind == K_BOXED_BOOL) &&
                                                  slots == 1;
        GoxObj *o = ok ? heap_alloc_local(R, W, value_kind, type_id, slots) : NULL;
        if (o) return OBJ_REF(o);
    }
    return alloc_locked(value_kind, type_id, slots, W);
}

GoxRef gox_rt_alloc(uint8_t value_kind, uint16_t type_id, uint16_t slots) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0)) return alloc_par(R, value_kind, type_id, slots);
    return alloc_locked(value_kind, type_id, slots, NULL);
}

/* The slot calls and the barrier have a lock-free path in parallel mode (P1-P4 in
 * gox_internal.h); each falls back to its locked path (the deterministic mode's code, under R->mu)
 * when that path cannot settle the call, so every error is the locked path's. */
static inline uint64_t read_slot_locked(GoxRef obj, size_t idx) {
    GOX_ENTER(R);
    GoxObj *o = slot_obj(R, obj, idx, "gox_gc_read_slot");
    return o ? __atomic_load_n(&o->slots[idx], __ATOMIC_ACQUIRE) : 0; /* (P4) */
}

uint64_t gox_gc_read_slot(GoxRef obj, size_t idx) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0) && rt_fast_worker(R)) {
        GoxObj *o = heap_lookup_par(R, obj);
        if (o && idx < obj_nslots(o)) return __atomic_load_n(&o->slots[idx], __ATOMIC_ACQUIRE);
    }
    return read_slot_locked(obj, idx);
}

/* gox_gc_write_slot's checks past its fast path: headers, interface halves, the errors (false:
 * the error is recorded) */
__attribute__((noinline)) static bool write_slot_checked(GoxRuntime *R, GoxObj *o, GoxRef obj, size_t idx,
                                                         uint64_t val, int st) {
    const char *fn = "gox_gc_write_slot";
    char where[160];
    if (st < 0) {
        Buf b = {0};
        buf_printf(&b, "%s: slot %zu of ", fn, idx);
        buf_kind(&b, o->kind);
        buf_printf(&b, " object 0x%" PRIx64 " is not writable (headers and strings are immutable; use the kind's own calls)",
                   heap_canon(R, obj));
        gox_fail_buf(R, ERR_ABI, &b);
        return false;
    }
    if (st == ST_GC_REF) {
        if (!heap_ref_ok(R, val)) {
            snprintf(where, sizeof where, "slot %zu (a reference slot)", idx);
            heap_check_ref_value(R, val, fn, where);
            return false;
        }
    } else if (st == ST_IFACE0 && gox_is_ref_kind((unsigned)(val & 0xFF)) && !heap_ref_ok(R, o->slots[idx + 1])) {
        Buf w = {0};
        buf_printf(&w, "the data slot %zu of an interface of kind ", idx + 1);
        buf_kind(&w, (unsigned)(val & 0xFF));
        bool ok = heap_check_ref_value(R, o->slots[idx + 1], fn, w.data);
        buf_free(&w);
        if (!ok) return false;
    } else if (st == ST_IFACE1 && gox_is_ref_kind((unsigned)(o->slots[idx - 1] & 0xFF)) && !heap_ref_ok(R, val)) {
        Buf w = {0};
        buf_printf(&w, "slot %zu (an interface holding ", idx);
        buf_kind(&w, (unsigned)(o->slots[idx - 1] & 0xFF));
        buf_puts(&w, ")");
        bool ok = heap_check_ref_value(R, val, fn, w.data);
        buf_free(&w);
        if (!ok) return false;
    }
    return true;
}

static inline void write_slot_locked(GoxRef obj, size_t idx, uint64_t val) {
    GOX_ENTER(R);
    GoxObj *o = slot_obj(R, obj, idx, "gox_gc_write_slot");
    if (!o) return;
    int st = slot_type(R, o, idx);
    if (st == ST_VALUE || (st == ST_GC_REF && heap_ref_ok(R, val)) || write_slot_checked(R, o, obj, idx, val, st))
        __atomic_store_n(&o->slots[idx], val, __ATOMIC_RELEASE); /* (P4) */
}

/* (no barrier here, on either path: compiled code pairs it with gox_rt_write_barrier) */
void gox_gc_write_slot(GoxRef obj, size_t idx, uint64_t val) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0) && rt_fast_worker(R)) {
        GoxObj *o = heap_lookup_par(R, obj);
        int st = o && idx < obj_nslots(o) ? slot_type(R, o, idx) : -1;
        if (st == ST_VALUE || (st == ST_GC_REF && heap_ref_ok_par(R, val))) {
            __atomic_store_n(&o->slots[idx], val, __ATOMIC_RELEASE);
            return;
        }
    }
    write_slot_locked(obj, idx, val);
}

static inline void write_barrier_locked(GoxRef parent, GoxRef child) {
    GOX_ENTER(R);
    const char *fn = "gox_rt_write_barrier";
    GoxObj *p = heap_get(R, parent, fn, NULL);
    if (!p) return;
    if (child && !heap_get(R, child, fn, "a live child object or 0")) return;
    gc_barrier(R, p, child);
}

void gox_rt_write_barrier(GoxRef parent, GoxRef child) {
    GoxRuntime *R = gox_rt();
    /* lock-free only where the barrier does nothing: not while marking, or a nil child (P2) */
    if (__builtin_expect(R->parallel, 0) && rt_fast_worker(R) && heap_lookup_par(R, parent) &&
        (!child || (R->state != GC_PROPAGATE && heap_lookup_par(R, child))))
        return;
    write_barrier_locked(parent, child);
}

/* Only a reference slot: there the write checks that val is 0 or live, which is all the barrier
 * checks besides the parent, so the pair cannot fail half way (a value slot takes what the
 * barrier refuses: in a program the pair would end it after the write, and a failing call must
 * change nothing, so such a store is left to the pair). */
static inline bool write_slot_barrier_locked(GoxRef obj, size_t idx, uint64_t val) {
    GOX_ENTER(R);
    GoxObj *o = slot_obj(R, obj, idx, "gox_gc_write_slot");
    if (!o) return false;
    /* a struct's slot type inline: the common store of compiled code */
    int st = o->kind == K_STRUCT ? R->types[o->type_id].st[idx] : slot_type(R, o, idx);
    if (st != ST_GC_REF) return false;
    if (!heap_ref_ok(R, val)) return write_slot_checked(R, o, obj, idx, val, ST_GC_REF); /* its error: false */
    __atomic_store_n(&o->slots[idx], val, __ATOMIC_RELEASE); /* (P4) */
    gc_barrier(R, o, val);
    return true;
}

bool gox_gc_write_slot_barrier(GoxRef obj, size_t idx, uint64_t val) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0) && rt_fast_worker(R)) {
        GoxObj *o = heap_lookup_par(R, obj);
        if (o && idx < obj_nslots(o)) {
            int st = o->kind == K_STRUCT ? type_par(R, o->type_id)->st[idx] : slot_type(R, o, idx);
            if (st != ST_GC_REF) return false; /* (as the locked path: no error) */
            /* the barrier does nothing unless the collector marks (P2): then the locked path */
            if ((!val || R->state != GC_PROPAGATE) && heap_ref_ok_par(R, val)) {
                __atomic_store_n(&o->slots[idx], val, __ATOMIC_RELEASE);
                return true;
            }
        }
    }
    return write_slot_barrier_locked(obj, idx, val);
}

void gox_rt_mark_gray(GoxRef obj) {
    GOX_ENTER(R);
    GoxObj *o = heap_get(R, obj, "gox_rt_mark_gray", NULL);
    if (o && R->state == GC_PROPAGATE) gc_mark_gray(R, o);
}

void gox_init_gc(void) {
    GOX_ENTER(R);
    heap_drop_all(R);
    gc_reset(R);
    R->npins = 0;
}

void gox_collect_garbage(void) {
    GOX_ENTER(R);
    sched_stop_world(R);
    gc_full_collect(R);
    sched_start_world(R);
}

bool gox_gc_step(void) {
    GOX_ENTER(R);
    sched_stop_world(R);
    bool done = gc_explicit_step(R);
    sched_start_world(R);
    return done;
}

void gox_gc_pause(void) {
    GOX_ENTER(R);
    gc_pause_adjust(R, 1);
}

void gox_gc_resume(void) {
    GOX_ENTER(R);
    if (!R->pause_depth) {
        gox_fail(R, ERR_ABI, "gox_gc_resume: the collector is not paused; expected a matching gox_gc_pause");
        return;
    }
    gc_pause_adjust(R, -1);
}

static size_t pin_index(GoxRuntime *R, uint64_t num, bool *found) {
    size_t lo = 0, hi = R->npins;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (R->pins[mid].num < num)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < R->npins && R->pins[lo].num == num;
    return lo;
}

void gox_gc_pin(GoxRef obj) {
    GOX_ENTER(R);
    GoxObj *o = heap_get(R, obj, "gox_gc_pin", NULL);
    if (!o) return;
    bool found;
    size_t i = pin_index(R, o->num, &found);
    if (found) {
        R->pins[i].count++;
        return;
    }
    if (R->npins == R->pins_cap) { /* (one per pinned object: no memory for more, no pin) */
        Pin *pins = grow_array(R, R->pins, &R->pins_cap, sizeof *pins, 16);
        if (!pins) return;
        R->pins = pins;
    }
    memmove(R->pins + i + 1, R->pins + i, (R->npins - i) * sizeof *R->pins);
    R->pins[i] = (Pin){o->num, o, 1};
    R->npins++;
}

void gox_gc_unpin(GoxRef obj) {
    GOX_ENTER(R);
    bool found = false;
    size_t i = 0;
    GoxObj *o = heap_lookup(R, obj, true);
    if (o) i = pin_index(R, o->num, &found);
    if (!found) {
        gox_fail(R, ERR_ABI, "gox_gc_unpin: 0x%" PRIx64 " is not pinned; expected a ref passed to gox_gc_pin",
                 heap_canon(R, obj));
        return;
    }
    if (--R->pins[i].count == 0) {
        memmove(R->pins + i, R->pins + i + 1, (R->npins - i - 1) * sizeof *R->pins);
        R->npins--;
    }
}

void gox_gc_tune(uint32_t pause, uint32_t stepmul, uint64_t step_size, uint64_t min_threshold) {
    GOX_ENTER(R);
    if (step_size && step_size < 8) {
        gox_fail(R, ERR_ABI, "gox_gc_tune: step_size=%" PRIu64 ", expected 0 (default) or at least 8 bytes", step_size);
        return;
    }
    R->pause = pause ? pause : DEFAULT_PAUSE;
    R->stepmul = stepmul ? stepmul : DEFAULT_STEPMUL;
    R->step_size = step_size ? step_size : DEFAULT_STEP_SIZE;
    R->min_threshold = min_threshold ? min_threshold : DEFAULT_MIN_THRESHOLD;
    if (R->state == GC_PAUSE) gc_set_threshold(R);
}

void gox_gc_stats(uint64_t *out_stats, size_t n) {
    GOX_ENTER(R);
    uint64_t v[GOX_STAT_COUNT] = {
        R->cycles, (uint64_t)R->state, R->live_objects, R->live_bytes, R->threshold, R->debt,
        R->allocated_objects, R->allocated_bytes, R->freed_objects, R->freed_bytes, R->steps, R->pause_depth,
    };
    if (!out_stats) return;
    for (size_t i = 0; i < n && i < GOX_STAT_COUNT; i++) out_stats[i] = v[i];
}

uint16_t gox_type_register(const char *name, const uint8_t *slot_types, size_t slot_types_len) {
    GOX_ENTER(R);
    const char *fn = "gox_type_register";
    if (slot_types_len > MAX_SLOTS) {
        gox_fail(R, ERR_ABI, "%s: %zu slots, expected at most %u", fn, slot_types_len, MAX_SLOTS);
        return 0;
    }
    for (size_t i = 0; i < slot_types_len; i++) {
        uint8_t st = slot_types[i];
        if (st > ST_IFACE1) {
            gox_fail(R, ERR_ABI, "%s: slot %zu has slot type %u, expected 0..3", fn, i, st);
            return 0;
        }
        if (st == ST_IFACE0 && (i + 1 >= slot_types_len || slot_types[i + 1] != ST_IFACE1)) {
            gox_fail(R, ERR_ABI, "%s: slot %zu is Interface0 but slot %zu is not Interface1", fn, i, i + 1);
            return 0;
        }
        if (st == ST_IFACE1 && (i == 0 || slot_types[i - 1] != ST_IFACE0)) {
            gox_fail(R, ERR_ABI, "%s: slot %zu is Interface1 but slot %lld is not Interface0", fn, i, (long long)i - 1);
            return 0;
        }
    }
    if (R->ntypes >= NO_TYPE) {
        /* ids 1..0xFFFE: 0 is reserved (heap_types_init) and NO_TYPE means none */
        gox_fail(R, ERR_ABI, "gox_type_register: the type table is full (%u types)", NO_TYPE - 1);
        return 0;
    }
    if (R->ntypes == R->types_cap) {
        /* a new table, published whole; the old one freed once no lock-free reader can hold it
         * (gox_internal.h, P3) */
        GoxType *types = xmalloc(2 * R->types_cap * sizeof *types);
        memcpy(types, R->types, R->ntypes * sizeof *types);
        GoxType *old = R->types;
        __atomic_store_n(&R->types, types, __ATOMIC_RELEASE);
        R->types_cap *= 2;
        heap_defer_free(R, old);
    }
    GoxType *t = &R->types[R->ntypes];
    t->name = xstrdup(name ? name : "");
    t->n = (uint32_t)slot_types_len;
    t->st = xmalloc(slot_types_len ? slot_types_len : 1);
    if (slot_types_len) memcpy(t->st, slot_types, slot_types_len);
    /* (published after the entry: gox_rt_alloc's lock-free check reads it) */
    __atomic_store_n(&R->ntypes, R->ntypes + 1, __ATOMIC_RELEASE);
    return (uint16_t)(R->ntypes - 1);
}

uint32_t gox_type_slot_count(uint16_t type_id) {
    GOX_ENTER(R);
    GoxType *t = heap_get_type(R, type_id, "gox_type_slot_count");
    return t ? t->n : 0;
}
