/* timer.c: time -- the clock, sleeps, timers and tickers -- exactly as gox_ref/timer.py
 * (docs/SCHEDULER.md, "Time").
 *
 * The clock is int64 nanoseconds since the program started, virtual with one worker: it starts
 * at 0 and moves only when nothing is runnable (find_work asks timers_advance), to the earliest
 * deadline, and every timer of that deadline fires, in the order an inside-out Fisher-Yates over
 * them in seq order draws from the scheduler's generator.  The pending timers are a binary heap
 * ordered by (when, seq), seq a counter taken whenever a timer is set; the reference keeps a
 * SortedList, and both give the GC its roots in (when, seq) order.
 *
 * A timer object is a Pointer object boxing its channel (type id: the Channel kind; immutable),
 * its GoxTimer in the hidden ext pointer.  A sleep is a GoxTimer without an object, made when the
 * goroutine parks and freed when it fires or the program ends.
 *
 * Parallel mode (several workers) runs on the real clock: CLOCK_MONOTONIC minus the start of
 * gox_run_main.  The timers stay in one heap under the runtime lock; a hub looking for work fires
 * what is due (timers_poll, in (when, seq) order: real time decides, not the generator) and an
 * idle worker sleeps until the next deadline; a timer that becomes the earliest wakes an idle
 * worker to look.  S->timers_next mirrors the earliest deadline, so a hub's look costs an atomic
 * load while no timer is pending. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

#define MAX_WHEN INT64_MAX /* Go's maxWhen */
#define NOT_PENDING SIZE_MAX

typedef struct GoxTimer {
    GoxObj *obj;   /* the timer object; NULL for a sleep */
    GoxG *g;       /* a sleep's goroutine */
    uint64_t chan; /* the channel a firing sends to (0 for a sleep) */
    int64_t period; /* a ticker's, else 0 */
    int64_t when;
    uint64_t seq;
    size_t idx;    /* its index in the heap, NOT_PENDING when it is not pending */
} GoxTimer;

/* Go's when(d): now + d, now for d <= 0, maxWhen past int64 */
static int64_t deadline(int64_t now, int64_t ns) {
    if (ns <= 0) return now;
    return ns > MAX_WHEN - now ? MAX_WHEN : now + ns;
}

static uint64_t timer_num(const GoxTimer *t) { return t->obj ? t->obj->num : 0; }

/* the clock: virtual with one worker, real in parallel mode */
static int64_t clock_read(GoxRuntime *R, GoxSched *S) {
    return R->parallel ? (int64_t)(now_ns() - S->start_ns) : S->clock_now;
}

/* the heap's top changed: parallel mode's hubs read its deadline without the lock (seq_cst: the
 * setter's half of the Dekker pattern with a worker going idle, parallel.c's idle_wait) */
static void note_next(GoxSched *S) {
    atomic_store(&S->timers_next, S->ntimers ? S->timers[0]->when : INT64_MAX);
}

/* ---- the heap ------------------------------------------------------------------------------ */
static bool before(const GoxTimer *a, const GoxTimer *b) {
    return a->when < b->when || (a->when == b->when && a->seq < b->seq);
}

static void heap_place(GoxSched *S, GoxTimer *t, size_t i) {
    S->timers[i] = t;
    t->idx = i;
}

static void sift_up(GoxSched *S, size_t i) {
    GoxTimer *t = S->timers[i];
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (!before(t, S->timers[p])) break;
        heap_place(S, S->timers[p], i);
        i = p;
    }
    heap_place(S, t, i);
}

static void sift_down(GoxSched *S, size_t i) {
    GoxTimer *t = S->timers[i];
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= S->ntimers) break;
        if (c + 1 < S->ntimers && before(S->timers[c + 1], S->timers[c])) c++;
        if (!before(S->timers[c], t)) break;
        heap_place(S, S->timers[c], i);
        i = c;
    }
    heap_place(S, t, i);
}

/* t (not pending) is pending until when */
static void timer_set(GoxRuntime *R, GoxTimer *t, int64_t when) {
    GoxSched *S = R->sched;
    t->when = when;
    t->seq = ++S->timer_seq;
    if (S->ntimers == S->timers_cap) {
        S->timers_cap = S->timers_cap ? 2 * S->timers_cap : 16;
        S->timers = xrealloc(S->timers, S->timers_cap * sizeof *S->timers);
    }
    S->timers[S->ntimers] = t;
    sift_up(S, S->ntimers++);
    if (t->idx == 0) {
        note_next(S);
        if (R->parallel) wake_idle_worker(S); /* (one asleep may wait for a later deadline) */
    }
    if (trace_on(R)) {
        TraceArg a[3];
        size_t n = 0;
        if (t->period) a[n++] = (TraceArg){.key = "period", .kind = TV_I64, .i = t->period};
        a[n++] = (TraceArg){.key = "timer", .kind = TV_U64, .u = timer_num(t)};
        a[n++] = (TraceArg){.key = "when", .kind = TV_I64, .i = when};
        trace_emit(R, "timer_set", a, n);
    }
}

/* t is no longer pending; whether it was */
static bool timer_unset(GoxSched *S, GoxTimer *t) {
    size_t i = t->idx;
    if (i == NOT_PENDING) return false;
    t->idx = NOT_PENDING;
    GoxTimer *last = S->timers[--S->ntimers];
    if (i < S->ntimers) {
        heap_place(S, last, i);
        sift_down(S, i);
        sift_up(S, last->idx);
    }
    if (i == 0) note_next(S);
    return true;
}

/* ---- roots ---------------------------------------------------------------------------------- */
static int by_deadline(const void *a, const void *b) {
    const GoxTimer *x = *(GoxTimer *const *)a, *y = *(GoxTimer *const *)b;
    return before(x, y) ? -1 : before(y, x) ? 1 : 0;
}

/* Root 5 of docs/GC.md: every pending timer object, in (when, seq) order (the heap's array is
 * not: a sorted copy). */
void timers_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    GoxSched *S = R->sched;
    if (!S || !S->ntimers) return;
    GoxTimer **v = xmalloc(S->ntimers * sizeof *v);
    size_t n = 0;
    for (size_t i = 0; i < S->ntimers; i++)
        if (S->timers[i]->obj) v[n++] = S->timers[i];
    qsort(v, n, sizeof *v, by_deadline);
    char where[64];
    for (size_t i = 0; i < n && !*stop; i++) {
        snprintf(where, sizeof where, "pending timer #%" PRIu64, v[i]->obj->num);
        if (!fn(R, ctx, where, OBJ_REF(v[i]->obj))) *stop = true;
    }
    free(v);
}

/* ---- the clock ------------------------------------------------------------------------------ */
/* A ticker whose firing can never deliver: its channel is full or closed (read under the
 * channel's lock in parallel mode: chan.c, C1). */
static bool undeliverable(const GoxRuntime *R, const GoxTimer *t) {
    if (!t->period) return false;
    GoxObj *ch = REF_OBJ(t->chan);
    LOCK_IF(R->parallel, ch);
    const ChanState *st = chan_state(ch);
    bool full = st->closed || (int64_t)st->len >= st->cap;
    UNLOCK_IF(R->parallel, ch);
    return full;
}

/* stuck: every pending timer is one that can never deliver (or there is none) */
static bool timers_stuck(const GoxRuntime *R, const GoxSched *S) {
    for (size_t i = 0; i < S->ntimers; i++)
        if (!undeliverable(R, S->timers[i])) return false;
    return true;
}

/* t, just out of the heap, fires at now */
static void fire(GoxRuntime *R, GoxTimer *t, int64_t now) {
    if (trace_on(R)) {
        TraceArg a[2] = {{.key = "timer", .kind = TV_U64, .u = timer_num(t)},
                         {.key = "when", .kind = TV_I64, .i = t->when}};
        trace_emit(R, "timer_fire", a, 2);
    }
    if (t->g) {
        GoxG *g = t->g;
        free(t);
        g->wake_value = 0;
        g->wake_ok = true;
        g->wake_case = -1;
        g->wake_ref = false;
        sched_ready(R, g);
        return;
    }
    if (t->period) { /* Go's runOneTimer re-arms a ticker before it sends */
        int64_t k = 1 + (now - t->when) / t->period;
        int64_t when = k > (MAX_WHEN - t->when) / t->period ? MAX_WHEN : t->when + t->period * k;
        timer_set(R, t, when);
    }
    /* sendTime: a full channel drops it.  Parallel mode: R->mu held, then the channel's lock
     * (chan.c, C2), as any sender that is no goroutine of the fast path */
    GoxObj *ch = REF_OBJ(t->chan);
    LOCK_IF(R->parallel, ch);
    if (!chan_is_closed(ch)) chan_try_send(R, ch, (uint64_t)now);
    UNLOCK_IF(R->parallel, ch);
}

bool timers_advance(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (timers_stuck(R, S)) return false;
    int64_t now = S->clock_now = S->timers[0]->when;
    if (trace_on(R)) {
        TraceArg a = {.key = "now", .kind = TV_I64, .i = now};
        trace_emit(R, "clock", &a, 1);
    }
    size_t n = 0, cap = 4;
    GoxTimer **group = xmalloc(cap * sizeof *group);
    while (S->ntimers && S->timers[0]->when == now) {
        GoxTimer *t = S->timers[0];
        timer_unset(S, t);
        if (n == cap) group = xrealloc(group, (cap *= 2) * sizeof *group);
        size_t j = n ? (size_t)rng_below(&S->rng, (uint64_t)n + 1) : 0;
        group[n++] = t;
        group[n - 1] = group[j];
        group[j] = t;
    }
    for (size_t i = 0; i < n; i++) fire(R, group[i], now);
    free(group);
    return true;
}

void timers_start(GoxRuntime *R) {
    GoxSched *S = R->sched;
    S->clock_now = 0;
    S->start_ns = now_ns();
    note_next(S);
}

uint64_t timers_poll(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (atomic_load_explicit(&S->timers_next, memory_order_relaxed) == INT64_MAX) return 0;
    pthread_mutex_lock(&R->mu);
    uint64_t until = 0;
    if (S->exit_status < 0) {
        int64_t now = clock_read(R, S);
        while (S->ntimers && S->timers[0]->when <= now) {
            GoxTimer *t = S->timers[0];
            timer_unset(S, t);
            fire(R, t, now);
        }
        if (!timers_stuck(R, S)) until = S->start_ns + (uint64_t)S->timers[0]->when;
    }
    pthread_mutex_unlock(&R->mu);
    return until;
}

void timers_drop(GoxRuntime *R) {
    GoxSched *S = R->sched;
    for (size_t i = 0; i < S->ntimers; i++) {
        GoxTimer *t = S->timers[i];
        t->idx = NOT_PENDING;
        if (!t->obj) free(t); /* a sleep's */
    }
    S->ntimers = 0;
    S->clock_now = 0;
    note_next(S);
    free(S->timers);
    S->timers = NULL;
    S->timers_cap = 0;
}

void timer_free_state(GoxRuntime *R, GoxObj *o) {
    GoxTimer *t = o->ext;
    if (t->idx != NOT_PENDING) timer_unset(R->sched, t); /* (gox_init_gc drops every object) */
    free(t);
    o->ext = NULL;
}

/* ---- ABI ------------------------------------------------------------------------------------ */
/* The timer t names (a nil one is Go's nil dereference); ticker: which kind the call takes
 * (-1: either). */
static GoxTimer *timer_of(GoxRuntime *R, GoxRef ref, const char *fn, int ticker) {
    const char *want = ticker == 1 ? "a ticker (gox_ticker_new)" : ticker == 0 ? "a timer (gox_timer_new)"
                                                                                 : "a timer or a ticker";
    GoxObj *o = heap_deref(R, ref, fn, want);
    if (!o) return NULL;
    GoxTimer *t = timer_obj(o) ? o->ext : NULL;
    if (!t || (ticker >= 0 && (t->period != 0) != (ticker == 1))) {
        gox_fail(R, ERR_ABI, "%s: 0x%" PRIx64 " is not %s", fn, heap_canon(R, ref), want);
        return NULL;
    }
    return t;
}

/* A timer object and its channel (one safepoint, then the channel, then the timer); NULL on an
 * error (recorded). */
static GoxObj *new_timer(GoxRuntime *R, int64_t ns, int64_t period) {
    GoxSched *S = sched_of(R);
    if (!gc_safepoint(R, NULL, 0)) return NULL;
    GoxObj *ch = chan_new(R, K_INT64, 1);
    if (!ch) return NULL;
    GoxObj *o = gc_alloc(R, K_POINTER, K_CHANNEL, 1);
    if (!o) return NULL;
    o->slots[0] = OBJ_REF(ch);
    o->flags |= FLAG_IMMUTABLE;
    GoxTimer *t = xcalloc(1, sizeof *t);
    *t = (GoxTimer){.obj = o, .chan = OBJ_REF(ch), .period = period, .idx = NOT_PENDING};
    o->ext = t;
    timer_set(R, t, deadline(clock_read(R, S), ns));
    return o;
}

int64_t gox_time_now(void) {
    GOX_ENTER(R);
    return clock_read(R, sched_of(R));
}

void gox_time_sleep(int64_t ns) {
    GOX_ENTER(R);
    if (ns <= 0) {
        gox_yield();
        return;
    }
    GoxG *g = sched_running(R, "sleep");
    if (!g) return;
    GoxSched *S = R->sched;
    GoxTimer *t = xcalloc(1, sizeof *t);
    *t = (GoxTimer){.g = g, .idx = NOT_PENDING};
    timer_set(R, t, deadline(clock_read(R, S), ns));
    sched_park(R, g, "sleep", NULL, 0);
}

GoxRef gox_time_after(int64_t ns) {
    GOX_ENTER(R);
    GoxObj *o = new_timer(R, ns, 0);
    return o ? o->slots[0] : 0;
}

GoxRef gox_timer_new(int64_t ns) {
    GOX_ENTER(R);
    return obj_ref0(new_timer(R, ns, 0));
}

GoxRef gox_timer_chan(GoxRef t) {
    GOX_ENTER(R);
    GoxTimer *tm = timer_of(R, t, "gox_timer_chan", -1);
    return tm ? tm->chan : 0;
}

static void trace_stop(GoxRuntime *R, const char *event, const GoxTimer *t, bool was) {
    if (!trace_on(R)) return;
    TraceArg a[2] = {{.key = "pending", .kind = TV_BOOL, .u = was}, {.key = "timer", .kind = TV_U64, .u = timer_num(t)}};
    trace_emit(R, event, a, 2);
}

bool gox_timer_stop(GoxRef t) {
    GOX_ENTER(R);
    GoxTimer *tm = timer_of(R, t, "gox_timer_stop", 0);
    if (!tm) return false;
    bool was = timer_unset(R->sched, tm);
    trace_stop(R, "timer_stop", tm, was);
    return was;
}

bool gox_timer_reset(GoxRef t, int64_t ns) {
    GOX_ENTER(R);
    GoxTimer *tm = timer_of(R, t, "gox_timer_reset", 0);
    if (!tm) return false;
    bool was = timer_unset(R->sched, tm);
    trace_stop(R, "timer_reset", tm, was);
    timer_set(R, tm, deadline(clock_read(R, R->sched), ns));
    return was;
}

GoxRef gox_ticker_new(int64_t ns) {
    GOX_ENTER(R);
    if (ns <= 0) {
        gox_fail(R, ERR_PANIC, "non-positive interval for NewTicker");
        return 0;
    }
    return obj_ref0(new_timer(R, ns, ns));
}

void gox_ticker_stop(GoxRef t) {
    GOX_ENTER(R);
    GoxTimer *tm = timer_of(R, t, "gox_ticker_stop", 1);
    if (!tm) return;
    bool was = timer_unset(R->sched, tm);
    trace_stop(R, "timer_stop", tm, was);
}
