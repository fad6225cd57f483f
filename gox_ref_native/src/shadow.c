/* shadow.c: shadow stacks, how compiled code without stack maps roots its references.
 *
 * A compiled conformance program (gox_program/compile_c.py) gives every function a frame
 * record (GoxShadowFrame, gox_abi.h) in its own C frame: the function's reference locals and
 * parameters, the reference temporaries of a call whose arguments are being evaluated, and its
 * reference results while its deferred calls run.  gox_shadow_push links the record in on
 * entry, gox_shadow_pop unlinks it on every way out (compiled code does both inline, through
 * gox_shadow_slot and gox_abi.h's gox_shadow_push_at / gox_shadow_pop_at), and
 * gox_shadow_unwind drops the records a recovered panic's longjmp skipped.  The collector
 * scans the records after every other root, innermost frame first, exactly as the reference's
 * interpreter yields its frames (docs/GC.md, docs/PROGRAM_FORMAT.md "Rooting"), so both
 * backends see the same roots at every safepoint.
 *
 * shadow_slot() is the only place that knows where the top pointer lives: the running
 * goroutine's slot (gox_current_shadow(), sched.c), or one per thread in a library built
 * without the scheduler, named "goroutine 1" (the program's main goroutine).
 */
#include <inttypes.h>
#include <stdio.h>

#include "gox_internal.h"

/* The scheduler (sched.c) keeps one slot per goroutine and walks them all; without it (a
 * library built without the concurrency half) there is one slot per thread, "goroutine 1".
 * Weak references keep this file independent of which one the library has. */
#pragma weak gox_current_shadow
#pragma weak sched_each_shadow

static _Thread_local GoxShadowFrame *shadow_top_;

/* The slot of the goroutine this thread runs, set by the scheduler as it switches one in and out
 * (shadow_use_slot): a push or pop (one per compiled call) reads one thread-local.  NULL: the
 * host's (gox_current_shadow), or this thread's without the scheduler. */
static _Thread_local GoxShadowFrame **cur_slot GOX_TLS_FAST;

void shadow_use_slot(GoxShadowFrame **slot) { cur_slot = slot; }

static GoxShadowFrame **shadow_slot(void) {
    GoxShadowFrame **s = cur_slot;
    if (s) return s;
    return gox_current_shadow ? gox_current_shadow() : &shadow_top_;
}

void gox_shadow_push(GoxShadowFrame *frame) { gox_shadow_push_at(shadow_slot(), frame); }

void gox_shadow_pop(GoxShadowFrame *frame) {
    GoxShadowFrame **top = shadow_slot();
    if (*top != frame || frame == NULL) {
        GOX_ENTER(R);
        gox_fail(R, ERR_ABI, "gox_shadow_pop: frame %p is not the innermost frame record (%p is)",
                 (void *)frame, (void *)*top);
        return;
    }
    *top = frame->prev;
}

/* The records above frame are dead memory by now (the longjmp discarded their C frames and
 * later calls may have reused it), so they are not walked: frame is trusted. */
void gox_shadow_unwind(GoxShadowFrame *frame) {
    if (frame == NULL) {
        GOX_ENTER(R);
        gox_fail(R, ERR_ABI, "gox_shadow_unwind: frame is NULL");
        return;
    }
    *shadow_slot() = frame;
    stack_after_unwind((uintptr_t)__builtin_frame_address(0)); /* (growth segments it left) */
}

GoxShadowFrame *gox_shadow_top(void) { return *shadow_slot(); }

/* A goroutine's slot is in its GoxG (or the host's), which never moves: compiled code keeps it. */
GoxShadowFrame **gox_shadow_slot(void) { return shadow_slot(); }

/* Per goroutine (the scheduler's), else per thread. */
#pragma weak sched_current_results
static _Thread_local uint64_t results_[GOX_MAX_RESULTS];

uint64_t *gox_shadow_results(void) { return sched_current_results ? sched_current_results() : results_; }

/* view: the goroutine's stack is compacted (stack.c), its records are read from the copy. */
void shadow_scan(GoxRuntime *R, const GoxShadowFrame *top, const StackView *view, uint64_t gid, RootFn fn, void *ctx,
                 bool *stop) {
    char where[192];
    for (const GoxShadowFrame *fa = top, *f; fa; fa = f->prev) {
        f = stack_view_at(view, fa);
        const uint64_t *slots = stack_view_at(view, (const void *)(uintptr_t)f->slots);
        const GoxShadowInfo *info = f->info;
        const char *name = info && info->func ? info->func : "?";
        uint32_t nlocals = info ? info->nlocals : 0, cap = info ? info->ntemps : 0;
        for (uint32_t i = 0; i < nlocals; i++) {
            uint64_t v = slots[i];
            if (!v) continue;
            snprintf(where, sizeof where, "goroutine %" PRIu64 ": %s local %s", gid, name,
                     info->local_names ? info->local_names[i] : "?");
            if (!fn(R, ctx, where, v)) goto stopped;
        }
        uint32_t nt = f->ntemps < cap ? f->ntemps : cap;
        for (uint32_t i = 0; i < nt; i++) {
            uint64_t v = slots[nlocals + i];
            if (!v) continue;
            snprintf(where, sizeof where, "goroutine %" PRIu64 ": %s temporary", gid, name);
            if (!fn(R, ctx, where, v)) goto stopped;
        }
        for (uint32_t i = 0; i < f->nret; i++) {
            uint64_t v = slots[nlocals + cap + i];
            if (!v) continue;
            snprintf(where, sizeof where, "goroutine %" PRIu64 ": %s result", gid, name);
            if (!fn(R, ctx, where, v)) goto stopped;
        }
    }
    return;
stopped:
    *stop = true;
}

typedef struct {
    RootFn fn;
    void *ctx;
} EachCtx;

static void scan_one(GoxRuntime *R, uint64_t gid, GoxShadowFrame *top, const StackView *view, void *ctx, bool *stop) {
    EachCtx *c = ctx;
    if (top && !*stop) shadow_scan(R, top, view, gid, c->fn, c->ctx, stop);
}

void shadow_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    if (sched_each_shadow) {
        EachCtx c = {fn, ctx};
        sched_each_shadow(R, scan_one, &c, stop);
        return;
    }
    shadow_scan(R, shadow_top_, NULL, 1, fn, ctx, stop);
}
