/* gc.c: the incremental tri-color collector, exactly as docs/GC.md and gox_ref/gc.py.
 *
 * Roots in a fixed order, a LIFO gray stack that pops a scan's children in slot order, the
 * sweep in allocation order and work counted in logical bytes (8 + 8 x slots): the same objects
 * are freed at the same calls as in the reference.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "gox_internal.h"

#define HUGE_BUDGET ((int64_t)1 << 62)

void gc_reset(GoxRuntime *R) {
    R->state = GC_PAUSE;
    R->current_white = WHITE0;
    R->ngray = 0;
    R->sweep_pos = R->sweep_end = R->sweep_keep = 0;
    R->pause = DEFAULT_PAUSE;
    R->stepmul = DEFAULT_STEPMUL;
    R->step_size = DEFAULT_STEP_SIZE;
    R->min_threshold = DEFAULT_MIN_THRESHOLD;
    R->threshold = DEFAULT_MIN_THRESHOLD;
    R->estimate = 0;
    R->debt = 0;
    R->pause_depth = 0;
    R->cycles = R->steps = 0;
    R->allocated_objects = R->allocated_bytes = 0;
    R->freed_objects = R->freed_bytes = 0;
}

/* ---- colors -------------------------------------------------------------------------------- */
/* Marking waits on memory: reading a child's mark is a cache miss.  An object made gray is
 * blackened soon (the gray stack is last in, first out), so its children's headers are fetched
 * ahead when it turns gray: a hint only (prefetching never faults, and no slot is trusted to be
 * a reference), which changes no order. */
#define PREFETCH_SLOTS 8u
#define SWEEP_PREFETCH 8u

static void prefetch_children(const GoxRuntime *R, const GoxObj *o) {
    for (uint64_t i = 0; i < obj_nslots(o) && i < PREFETCH_SLOTS; i++)
        if (o->slots[i] - R->arena_lo < R->arena_hi - R->arena_lo) __builtin_prefetch(REF_OBJ(o->slots[i]));
}

void gc_mark_gray(GoxRuntime *R, GoxObj *o) {
    if (o->mark == WHITE0 || o->mark == WHITE1) {
        o->mark = GRAY;
        if (R->ngray == R->gray_cap) {
            R->gray_cap = R->gray_cap ? 2 * R->gray_cap : 256;
            R->gray = xrealloc(R->gray, R->gray_cap * sizeof *R->gray);
        }
        R->gray[R->ngray++] = o;
        prefetch_children(R, o);
    }
}

void gc_barrier_slow(GoxRuntime *R, uint64_t child) {
    GoxObj *c = heap_lookup(R, child, true);
    if (c) gc_mark_gray(R, c);
}

void gc_store_ref(GoxRuntime *R, GoxObj *o, size_t idx, uint64_t ref) {
    o->slots[idx] = ref;
    if (ref) gc_barrier(R, o, ref);
}

/* ---- roots --------------------------------------------------------------------------------- */
void gc_each_root(GoxRuntime *R, RootFn fn, void *ctx) {
    char where[96];
    for (size_t i = 0; i < R->nglobals; i++) {
        if (!R->globals_is_ref[i]) continue;
        snprintf(where, sizeof where, "global %zu", i);
        if (!fn(R, ctx, where, R->globals[i])) return;
    }
    for (size_t i = 0; i < R->npins; i++) {
        snprintf(where, sizeof where, "pinned object #%" PRIu64, R->pins[i].num);
        if (!fn(R, ctx, where, OBJ_REF(R->pins[i].obj))) return;
    }
    bool stop = false;
    stack_roots(R, fn, ctx, &stop);
    if (!stop) sched_goroutine_roots(R, fn, ctx, &stop); /* root 4: goroutines (sched.c) */
    if (!stop) timers_roots(R, fn, ctx, &stop); /* root 5: pending timers (timer.c) */
    if (!stop) shadow_roots(R, fn, ctx, &stop); /* root 6: compiled programs' frames */
}

static bool validate_root(GoxRuntime *R, void *ctx, const char *where, uint64_t val) {
    bool *ok = ctx;
    if (val == 0 || heap_is_live(R, val)) return true;
    Buf b = {0};
    buf_printf(&b, "gc: %s holds 0x%" PRIx64 ", which is not a live reference (", where, heap_canon(R, val));
    heap_describe(R, val, &b);
    buf_puts(&b, ")");
    gox_fail_buf(R, ERR_ABI, &b);
    *ok = false;
    return false;
}

static bool roots_validate(GoxRuntime *R) {
    bool ok = true;
    gc_each_root(R, validate_root, &ok);
    return ok;
}

static bool mark_root(GoxRuntime *R, void *ctx, const char *where, uint64_t val) {
    (void)ctx;
    (void)where;
    if (val) {
        GoxObj *o = heap_lookup(R, val, true);
        if (o) gc_mark_gray(R, o);
    }
    return true;
}

static void roots_mark(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    gc_each_root(R, mark_root, NULL);
    for (size_t i = 0; i < nargs; i++) {
        GoxObj *o = args[i] ? heap_lookup(R, args[i], true) : NULL;
        if (o) gc_mark_gray(R, o);
    }
}

/* ---- tracing ------------------------------------------------------------------------------- */
/* Inlined into each caller, so that the marker's fn (gray_child, a constant) is a direct call
 * and inline too, not one indirect call per child. */
#define GC_INLINE static inline __attribute__((always_inline))

GC_INLINE void typed_children(GoxRuntime *R, const uint64_t *slots, const GoxType *t, ChildFn fn, void *ctx) {
    for (uint32_t i = 0; i < t->n; i++) {
        if (t->st[i] == ST_GC_REF || (t->st[i] == ST_IFACE1 && gox_is_ref_kind((unsigned)(slots[i - 1] & 0xFF))))
            fn(R, ctx, slots[i]);
    }
}

GC_INLINE void children_of(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx) {
    uint64_t *s = o->slots;
    switch (o->kind) {
    case K_STRING:
    case K_SLICE:
        fn(R, ctx, s[0]);
        break;
    case K_ARRAY: {
        unsigned ek = (unsigned)s[A_ELEM_KIND];
        uint64_t len = s[A_LEN];
        if (gox_is_ref_kind(ek) && ek != K_STRUCT) {
            for (uint64_t i = 0; i < len; i++) fn(R, ctx, s[A_DATA + i]);
        } else if (ek == K_STRUCT) {
            const GoxType *t = &R->types[s[A_ELEM_TYPE]];
            for (uint64_t i = 0; i < len && t->n; i++) typed_children(R, s + A_DATA + i * t->n, t, fn, ctx);
        } else if (ek == K_INTERFACE) {
            for (uint64_t i = 0; i < len; i++) {
                uint64_t head = A_DATA + 2 * i;
                if (gox_is_ref_kind((unsigned)(s[head] & 0xFF))) fn(R, ctx, s[head + 1]);
            }
        }
        break;
    }
    case K_STRUCT:
        typed_children(R, s, &R->types[o->type_id], fn, ctx);
        break;
    case K_CLOSURE:
        if (o->type_id != NO_TYPE) typed_children(R, s + 2, &R->types[o->type_id], fn, ctx);
        break;
    case K_POINTER:
        if (gox_is_ref_kind(o->type_id)) fn(R, ctx, s[0]);
        break;
    case K_MAP:
        map_children(R, o, fn, ctx);
        break;
    case K_CHANNEL:
        chan_children(R, o, fn, ctx);
        break;
    default:
        break;
    }
}

void gc_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx) { children_of(R, o, fn, ctx); }

GC_INLINE void gray_child(GoxRuntime *R, void *ctx, uint64_t ref) {
    (void)ctx;
    if (ref) {
        GoxObj *c = heap_lookup(R, ref, true);
        if (c) gc_mark_gray(R, c);
    }
}

/* The children a scan turns gray are popped in slot order: the run pushed is reversed, so the
 * scan goes depth first, first child first.  A structure built depth first (a tree) is then
 * scanned in allocation order, which in the arena is address order: the scan follows memory,
 * where popping the last child first jumped across whole subtrees (docs/GC.md). */
static void blacken(GoxRuntime *R, GoxObj *o) {
    o->mark = BLACK;
    size_t lo = R->ngray;
    children_of(R, o, gray_child, NULL);
    for (size_t hi = R->ngray; hi - lo > 1; lo++, hi--) {
        GoxObj *t = R->gray[lo];
        R->gray[lo] = R->gray[hi - 1];
        R->gray[hi - 1] = t;
    }
}

/* ---- the cycle ------------------------------------------------------------------------------- */
bool gc_start_cycle(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    if (!roots_validate(R)) return false;
    R->state = GC_PROPAGATE;
    R->debt = 0;
    trace_gc(R, "start");
    roots_mark(R, args, nargs);
    return true;
}

static void atomic(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    R->state = GC_ATOMIC;
    roots_mark(R, args, nargs);
    while (R->ngray) blacken(R, R->gray[--R->ngray]);
    R->current_white ^= 1;
    R->dead_mark = R->current_white ^ 1;
    R->sweep_pos = R->sweep_keep = 0;
    R->sweep_end = R->norder; /* the objects made during the sweep come after these */
    R->estimate = R->live_bytes; /* the sweep takes the dead ones off */
    R->state = GC_SWEEP;
}

static uint64_t sat_mul_div(uint64_t a, uint64_t b, uint64_t d) {
    unsigned __int128 p = (unsigned __int128)a * b / d;
    return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

/* The next cycle's trigger: the threshold rule of docs/GC.md (finish_cycle). */
void gc_set_threshold(GoxRuntime *R) {
    uint64_t t = sat_mul_div(R->estimate, R->pause, 100);
    R->threshold = t > R->min_threshold ? t : R->min_threshold;
}

static void finish_cycle(GoxRuntime *R) {
    R->dead_mark = -1;
    R->state = GC_PAUSE;
    R->cycles++;
    gc_set_threshold(R);
    trace_gc(R, "end");
}

/* One step; returns true when it completed the cycle.  *ok is false after a root error. */
bool gc_step(GoxRuntime *R, uint64_t ubudget, const uint64_t *args, size_t nargs, bool *ok) {
    *ok = true;
    if (R->state == GC_PAUSE) return false;
    if (R->state == GC_PROPAGATE && !roots_validate(R)) {
        *ok = false;
        return false;
    }
    R->steps++;
    int64_t budget = ubudget > (uint64_t)HUGE_BUDGET ? HUGE_BUDGET : (int64_t)ubudget;
    while (budget > 0) {
        if (R->state == GC_PROPAGATE) {
            if (R->ngray) {
                GoxObj *o = R->gray[--R->ngray];
                blacken(R, o);
                budget -= (int64_t)OBJ_SIZE(o);
            } else {
                atomic(R, args, nargs);
            }
        } else {
            if (R->sweep_pos == R->sweep_end) {
                heap_sweep_done(R);
                finish_cycle(R);
                return true;
            }
            /* the header of an object some places on is fetched while this one is visited */
            if (R->sweep_pos + SWEEP_PREFETCH < R->sweep_end) __builtin_prefetch(R->order[R->sweep_pos + SWEEP_PREFETCH]);
            GoxObj *o = R->order[R->sweep_pos++];
            budget -= (int64_t)OBJ_SIZE(o);
            if (o->mark == (R->current_white ^ 1)) {
                R->freed_objects++;
                R->freed_bytes += OBJ_SIZE(o);
                R->estimate -= OBJ_SIZE(o);
                heap_free(R, o);
            } else {
                o->mark = (uint8_t)R->current_white;
                R->order[R->sweep_keep++] = o;
            }
        }
    }
    return false;
}

/* ---- pausing ----------------------------------------------------------------------------------- */
/* R->pause_depth is the sum of every goroutine's share (the host's included): a panic that
 * unwinds a goroutine's extern calls gives back only that goroutine's. */
void gc_pause_adjust(GoxRuntime *R, int delta) {
    R->pause_depth += (uint64_t)(int64_t)delta;
    sched_g(R)->pause += delta;
}

void gc_pause_restore(GoxRuntime *R, GoxG *g, int64_t pause) {
    R->pause_depth -= (uint64_t)(g->pause - pause);
    g->pause = pause;
}

/* ---- safepoints ------------------------------------------------------------------------------- */
static bool safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs);

/* Every allocation is a safepoint (docs/GC.md).  In parallel mode it is also where a goroutine
 * stops for another's collection (its live values stay roots), and a collection's work runs
 * with the world stopped: it is decided again once every other goroutine has stopped. */
bool gc_safepoint_slow(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    if (!R->parallel) return safepoint(R, args, nargs);
    sched_safepoint(R, args, nargs);
    if (!gc_work_due(R)) return true;
    sched_stop_world(R);
    bool ok = safepoint(R, args, nargs);
    sched_start_world(R);
    return ok;
}

static bool safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    if (!gc_work_due(R)) return true;
    if (R->state == GC_PAUSE) return gc_start_cycle(R, args, nargs);
    uint64_t budget = sat_mul_div(R->debt, R->stepmul, 100);
    R->debt = 0;
    bool ok;
    gc_step(R, budget, args, nargs, &ok);
    return ok;
}

/* ---- explicit collections (gcapi.c: gox_collect_garbage, gox_gc_step) ------------------------ */
void gc_full_collect(GoxRuntime *R) {
    if (R->pause_depth) {
        gox_fail(R, ERR_ABI,
                 "gox_collect_garbage: the collector is paused (pause depth %" PRIu64 "); "
                 "expected a call outside extern calls",
                 R->pause_depth);
        return;
    }
    bool ok = true;
    while (R->state != GC_PAUSE) {
        gc_step(R, (uint64_t)HUGE_BUDGET, NULL, 0, &ok);
        if (!ok) return;
    }
    if (!gc_start_cycle(R, NULL, 0)) return;
    while (R->state != GC_PAUSE) {
        gc_step(R, (uint64_t)HUGE_BUDGET, NULL, 0, &ok);
        if (!ok) return;
    }
    R->debt = 0;
}

bool gc_explicit_step(GoxRuntime *R) {
    if (R->pause_depth) return false;
    if (R->state == GC_PAUSE && !gc_start_cycle(R, NULL, 0)) return false;
    R->debt = 0;
    bool ok;
    return gc_step(R, sat_mul_div(R->step_size, R->stepmul, 100), NULL, 0, &ok);
}
