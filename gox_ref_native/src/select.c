/* select.c: start / add_send / add_recv / exec with Go's semantics, exactly gox_ref/select.py.
 *
 * exec follows the rule of docs/SCHEDULER.md section 2 (item 1), step by step as numbered
 * below: the poll order, pass 1, default or blocking forever, then parking one waiter per case
 * until the first completes (select_won).
 *
 * Parallel mode (exec_par): Go's selectgo.  The select locks the distinct channels of its cases
 * in address order (sellock; chan.c's C2: the one order two channel locks are ever taken in),
 * polls them in the poll order, and either completes one case or enqueues a waiter on every
 * channel and parks (chan.c's C3, all its channels prepared for at once).  A waker completes at
 * most one of its cases (C4: the done flag); when the select resumes it locks its channels again
 * and takes its other waiters out of their queues (pass 3).  The poll order comes from the
 * worker's own generator.  Like the channel calls, a select runs without the runtime lock when
 * it can (chan.c's C5) and takes it for what needs it: an error, a reference sent while the
 * collector marks, the switch of a park.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

void select_won(GoxRuntime *R, Waiter *w) {
    (void)R;
    SelectWait *sw = w->sel;
    sw->done = true;
    for (size_t i = 0; i < sw->n; i++)
        if (sw->waiters[i] != w) chan_unlink(sw->waiters[i]);
}

static void free_wait(SelectWait *sw) {
    if (!sw) return;
    for (size_t i = 0; i < sw->n; i++) {
        chan_unlink(sw->waiters[i]);
        free(sw->waiters[i]);
    }
    free(sw->waiters);
    free(sw);
}

void select_free_g(GoxG *g) {
    free_wait(g->sel_wait);
    g->sel_wait = NULL;
    free(g->sel.cases);
    memset(&g->sel, 0, sizeof g->sel);
    g->sel_active = false;
}

/* g's open select: each case's channel and a send case's value, then the value its last receive
 * case took (select.py's _select_roots) */
void select_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop) {
    char where[128];
    for (uint32_t i = 0; (g->sel.open || g->sel_active) && i < g->sel.n; i++) {
        const SelCase *c = &g->sel.cases[i];
        snprintf(where, sizeof where, "%sselect case %u channel", owner, i);
        if (!fn(R, ctx, where, c->ch)) goto stopped;
        if (c->dir == SEL_SEND && c->ch) {
            GoxObj *o = heap_lookup(R, c->ch, true);
            if (o && chan_elem_is_ref(o)) {
                snprintf(where, sizeof where, "%sselect case %u value", owner, i);
                if (!fn(R, ctx, where, c->val)) goto stopped;
            }
        }
    }
    /* the value a receive case took stays alive until gox_select_recv_result may read it */
    if (g->sel_ref && g->sel_value) {
        snprintf(where, sizeof where, "%sselect's received value", owner);
        if (!fn(R, ctx, where, g->sel_value)) goto stopped;
    }
    return;
stopped:
    *stop = true;
}

__attribute__((noinline, cold)) static SelectState *open_select_fail(GoxRuntime *R, GoxG *g, const char *fn) {
    if (!g->sel.open)
        gox_fail(R, ERR_ABI, "%s: no select is open; expected gox_select_start first", fn);
    else
        gox_fail(R, ERR_ABI, "%s: the select already has its %u cases", fn, g->sel.ncases);
    return NULL;
}

/* (inline, the errors out of line: a select adds a case per channel at every run) */
static inline SelectState *open_select(GoxRuntime *R, const char *fn) {
    GoxG *g = sched_g(R);
    return g->sel.open && g->sel.n < g->sel.ncases ? &g->sel : open_select_fail(R, g, fn);
}

__attribute__((noinline)) static void grow_cases(SelectState *st) {
    st->cap = st->cap ? 2 * st->cap : 4;
    st->cases = xrealloc(st->cases, st->cap * sizeof *st->cases);
}

static inline void add_case(SelectState *st, int dir, uint64_t ch, uint64_t val, GoxObj *o) {
    if (st->n == st->cap) grow_cases(st);
    st->cases[st->n++] = (SelCase){dir, ch, val, o};
}

/* The locked path (R->mu held, or one worker), and the ABI calls: with one worker one test of
 * R->parallel, then this code; in parallel mode the fast path (chan.c, C5) when it can, else
 * this code under R->mu (out of line: *_par). */
static inline __attribute__((always_inline)) void select_start(GoxRuntime *R, uint32_t ncases, bool has_default) {
    GoxG *g = sched_g(R);
    if (g->sel.open) {
        gox_fail(R, ERR_ABI, "gox_select_start: a select is already open; expected gox_select_exec first");
        return;
    }
    if (ncases > 65536) {
        gox_fail(R, ERR_ABI, "gox_select_start: ncases=%u, expected at most 65536 (Go's limit)", ncases);
        return;
    }
    g->sel.open = true;
    g->sel.ncases = ncases;
    g->sel.n = 0;
    g->sel.has_default = has_default;
}

static inline __attribute__((always_inline)) void select_add_send(GoxRuntime *R, GoxRef ch, uint64_t val, bool par) {
    const char *fn = "gox_select_add_send";
    SelectState *st = open_select(R, fn);
    if (!st) return;
    bool ok;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return;
    if (o && chan_elem_is_ref(o) && !heap_ref_ok(R, val)) {
        Buf w = {0};
        buf_puts(&w, "an element of kind ");
        buf_kind(&w, chan_elem_kind(o));
        heap_check_ref_value(R, val, fn, w.data);
        buf_free(&w);
        return;
    }
    if (par && o) { /* (the fast path's next checks: chan.c, C5) */
        live_note(R, ch);
        if (chan_elem_is_ref(o)) live_note(R, val);
    }
    add_case(st, SEL_SEND, ch, val, o);
}

static inline __attribute__((always_inline)) void select_add_recv(GoxRuntime *R, GoxRef ch, bool par) {
    const char *fn = "gox_select_add_recv";
    SelectState *st = open_select(R, fn);
    if (!st) return;
    bool ok;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return;
    if (par && o) live_note(R, ch);
    add_case(st, SEL_RECV, ch, 0, o);
}

/* The fast path's select state: the running goroutine's, else NULL (the locked path). */
static inline SelectState *fast_select(GoxRuntime *R, GoxWorker **W) {
    *W = rt_fast_worker(R);
    return *W ? &(*W)->current->sel : NULL;
}

__attribute__((noinline)) static void select_start_par(GoxRuntime *R, uint32_t ncases, bool has_default) {
    GoxWorker *W;
    SelectState *fs = fast_select(R, &W);
    if (fs && !fs->open && ncases <= 65536) {
        *fs = (SelectState){.open = true, .ncases = ncases, .has_default = has_default, .cases = fs->cases, .cap = fs->cap};
        return;
    }
    rt_lock_slow(R);
    select_start(R, ncases, has_default);
    rt_unlock_slow(R);
}

__attribute__((noinline)) static void select_add_send_par(GoxRuntime *R, GoxRef ch, uint64_t val) {
    GoxWorker *W;
    SelectState *fs = fast_select(R, &W);
    if (fs && fs->open && fs->n < fs->ncases) {
        GoxObj *o = chan_fast_obj(R, W, ch);
        if (!ch || (o && (!val || !chan_elem_is_ref(o) || live_known(R, W, val)))) {
            add_case(fs, SEL_SEND, ch, val, o);
            return;
        }
    }
    rt_lock_slow(R);
    select_add_send(R, ch, val, true);
    rt_unlock_slow(R);
}

__attribute__((noinline)) static void select_add_recv_par(GoxRuntime *R, GoxRef ch) {
    GoxWorker *W;
    SelectState *fs = fast_select(R, &W);
    if (fs && fs->open && fs->n < fs->ncases) {
        GoxObj *o = chan_fast_obj(R, W, ch);
        if (!ch || o) {
            add_case(fs, SEL_RECV, ch, 0, o);
            return;
        }
    }
    rt_lock_slow(R);
    select_add_recv(R, ch, true);
    rt_unlock_slow(R);
}

void gox_select_start(uint32_t ncases, bool has_default) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0))
        select_start_par(R, ncases, has_default);
    else
        select_start(R, ncases, has_default);
}

void gox_select_add_send(GoxRef ch, uint64_t val) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0))
        select_add_send_par(R, ch, val);
    else
        select_add_send(R, ch, val, false);
}

void gox_select_add_recv(GoxRef ch) {
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0))
        select_add_recv_par(R, ch);
    else
        select_add_recv(R, ch, false);
}

/* The channel history's record of the select (history.c): case i (a receive's value is in g, a
 * send's in the case; ok false: the send panicked), or default (-1) with its one non-nil case. */
static void hist_select(GoxRuntime *R, GoxG *g, uint64_t t0, int64_t i, bool ok) {
    const SelectState *st = &g->sel;
    HistRec r = {.t0 = t0, .op = H_SELECT, .arg = i, .ok = ok};
    const SelCase *one = NULL;
    for (uint32_t j = 0; j < st->n; j++)
        if (st->cases[j].ch) {
            r.ncases++;
            one = &st->cases[j];
        }
    const SelCase *c = i >= 0 ? &st->cases[i] : r.ncases == 1 ? one : NULL;
    if (c) {
        r.chan = c->o->num;
        r.dir = (uint8_t)c->dir;
        r.value = c->dir == SEL_SEND ? c->val : i >= 0 ? g->sel_value : 0;
        if (c->dir == SEL_RECV && i >= 0) r.ok = g->sel_ok;
    }
    hist_add(R, r);
}

static inline int64_t chose(GoxRuntime *R, GoxG *g, int64_t i, uint64_t t0) {
    if (t0) hist_select(R, g, t0, i, true);
    g->sel_active = false;
    if (trace_on(R)) {
        TraceArg a = {.key = "case", .kind = TV_I64, .i = i};
        trace_emit(R, "select", &a, 1);
    }
    return i;
}

static int64_t exec_wait(GoxRuntime *R, GoxG *g, uint64_t t0, uint32_t k);

/* pass 2: case i's waiter, into its channel's queue (parallel mode: its lock held) */
static void enqueue_case(GoxRuntime *R, GoxG *me, SelectWait *sw, const SelCase *c, uint32_t i, uint64_t t0) {
    Waiter *w = xcalloc(1, sizeof *w);
    w->g = me;
    w->value = c->dir == SEL_SEND ? c->val : 0;
    w->case_i = i;
    w->sel = sw;
    w->is_send = c->dir == SEL_SEND;
    w->hist_t0 = t0; /* the case that wins is recorded by its waker */
    chan_enqueue(R, c->o, w);
    sw->waiters[sw->n++] = w;
}

static void hold(GoxRuntime *R, bool *held);

/* The parked select resumed: the case its waker completed (a send's panic if the channel was
 * closed meanwhile; held: parallel mode, whether R->mu is held, taken for the panic). */
static int64_t woken(GoxRuntime *R, GoxG *g, GoxG *me, bool *held) {
    const SelectState *st = &g->sel;
    int64_t i = me->wake_case;
    if (st->cases[i].dir == SEL_SEND) {
        if (!me->wake_ok) {
            g->sel_active = false;
            if (held) hold(R, held);
            gox_fail(R, ERR_PANIC, "send on closed channel");
            return -2;
        }
    } else {
        g->sel_value = me->wake_value;
        g->sel_ok = me->wake_ok;
        g->sel_ref = chan_elem_is_ref(st->cases[i].o);
    }
    return chose(R, g, i, 0); /* (recorded when it was woken) */
}

static inline __attribute__((always_inline)) int64_t exec(GoxRuntime *R, GoxG *g, uint64_t t0) {
    GoxSched *S = R->sched;
    SelectState *st = &g->sel;
    uint32_t n = st->n;
    /* 1. poll order over the non-nil cases */
    uint32_t local[16];
    uint32_t *order = n <= 16 ? local : xmalloc(n * sizeof *order);
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!st->cases[i].ch) continue;
        uint32_t j = (uint32_t)rng_below(&S->rng, (uint64_t)k + 1);
        order[k] = order[j];
        order[j] = i;
        k++;
    }
    /* 2. pass 1: the first ready case in poll order */
    for (uint32_t x = 0; x < k; x++) {
        uint32_t i = order[x];
        const SelCase *c = &st->cases[i];
        GoxObj *o = c->o;
        if (c->dir == SEL_SEND) {
            int r = chan_try_send(R, o, c->val);
            if (r < 0) { /* the select is over before the panic starts */
                if (r == -1 && t0) hist_select(R, g, t0, i, false);
                g->sel_active = false;
                if (order != local) free(order);
                chan_send_fail(R, r);
                return -2;
            }
            if (r > 0) {
                if (order != local) free(order);
                return chose(R, g, i, t0);
            }
        } else {
            uint64_t v;
            bool ok;
            if (chan_try_recv(R, o, &v, &ok)) {
                g->sel_value = v;
                g->sel_ok = ok;
                g->sel_ref = chan_elem_is_ref(o);
                if (order != local) free(order);
                return chose(R, g, i, t0);
            }
        }
    }
    if (order != local) free(order);
    return exec_wait(R, g, t0, k);
}

/* exec when no case is ready: steps 3 and 4 (out of line: pass 1 is the common end, and it
 * needs fewer registers without them) */
__attribute__((noinline)) static int64_t exec_wait(GoxRuntime *R, GoxG *g, uint64_t t0, uint32_t k) {
    SelectState *st = &g->sel;
    uint32_t n = st->n;
    /* 3. default, or block forever */
    if (st->has_default) return chose(R, g, -1, t0);
    if (k == 0) {
        GoxG *me = sched_running(R, "block");
        if (me) sched_park(R, me, st->ncases == 0 ? "select (no cases)" : "select", NULL, 0); /* never woken */
        g->sel_active = false;
        return -2;
    }
    /* 4. pass 2: park on every channel; the first to complete a case wins */
    GoxG *me = sched_running(R, "block in select");
    if (!me) {
        g->sel_active = false;
        return -2;
    }
    SelectWait *sw = xcalloc(1, sizeof *sw);
    sw->waiters = xmalloc(k * sizeof *sw->waiters);
    uint64_t *chans = xmalloc(n * sizeof *chans);
    size_t nch = 0;
    for (uint32_t i = 0; i < n; i++) {
        const SelCase *c = &st->cases[i];
        if (!c->ch) continue;
        chans[nch++] = c->ch;
        enqueue_case(R, me, sw, c, i, t0);
    }
    me->sel_wait = sw;
    sched_park(R, me, "select", chans, nch);
    me->sel_wait = NULL;
    free(chans);
    free_wait(sw);
    return woken(R, g, me, NULL);
}

/* ---- parallel mode ------------------------------------------------------------------------- */
static int cmp_obj(const void *a, const void *b) {
    uintptr_t x = (uintptr_t) * (GoxObj *const *)a, y = (uintptr_t) * (GoxObj *const *)b;
    return (x > y) - (x < y);
}

/* The distinct channels of the cases, by address (Go's lockorder); how many. */
static size_t lock_order(const SelectState *st, GoxObj **out) {
    size_t n = 0, m = 0;
    for (uint32_t i = 0; i < st->n; i++)
        if (st->cases[i].o) out[n++] = st->cases[i].o;
    qsort(out, n, sizeof *out, cmp_obj);
    for (size_t i = 0; i < n; i++)
        if (!m || out[m - 1] != out[i]) out[m++] = out[i];
    return m;
}

static void sellock(GoxObj **locks, size_t n) {
    for (size_t i = 0; i < n; i++) chan_lock(&chan_state(locks[i])->mu);
}

static void selunlock(GoxObj **locks, size_t n) {
    for (size_t i = n; i-- > 0;) chan_unlock(&chan_state(locks[i])->mu);
}

/* Takes the runtime lock if the caller does not hold it (*held), which it keeps. */
static void hold(GoxRuntime *R, bool *held) {
    if (*held) return;
    rt_lock_slow(R);
    *held = true;
}

/* exec in parallel mode, *held: whether this thread holds R->mu (on return it may, when it did
 * not on entry: the caller gives it back).  The steps are exec's. */
__attribute__((noinline)) static int64_t exec_par(GoxRuntime *R, GoxG *g, uint64_t t0, bool *held) {
    SelectState *st = &g->sel;
    uint32_t n = st->n;
    GoxWorker *W = this_worker();
    Rng *rng = W && W->R == R ? &W->rng : &R->sched->rng; /* (a thread that is no worker: R->mu held) */
    uint32_t local[16];
    GoxObj *lock_local[16];
    uint32_t *order = n <= 16 ? local : xmalloc(n * sizeof *order);
    GoxObj **locks = n <= 16 ? lock_local : xmalloc(n * sizeof *locks);
    /* 1. poll order over the non-nil cases, then the lock order */
    uint32_t k = 0;
    for (uint32_t i = 0; i < n; i++) {
        if (!st->cases[i].ch) continue;
        uint32_t j = (uint32_t)rng_below(rng, (uint64_t)k + 1);
        order[k] = order[j];
        order[j] = i;
        k++;
    }
    size_t nl = lock_order(st, locks);
    int64_t res = -2;
    /* a reference sent while the collector marks needs the write barrier (chan.c, C5) */
    for (uint32_t i = 0; i < n && !*held; i++)
        if (st->cases[i].dir == SEL_SEND && st->cases[i].o && chan_elem_is_ref(st->cases[i].o) &&
            R->state == GC_PROPAGATE)
            hold(R, held);
again:
    sellock(locks, nl);
    /* 2. pass 1: the first ready case in poll order */
    for (uint32_t x = 0; x < k; x++) {
        uint32_t i = order[x];
        const SelCase *c = &st->cases[i];
        if (c->dir == SEL_SEND) {
            int r = chan_try_send(R, c->o, c->val);
            if (r > 0) {
                selunlock(locks, nl);
                res = chose(R, g, i, t0);
                goto out;
            }
            if (r < 0) { /* closed, or no memory: nothing done; the error needs the runtime lock */
                selunlock(locks, nl);
                if (!*held) {
                    hold(R, held);
                    goto again;
                }
                if (r == -1 && t0) hist_select(R, g, t0, i, false);
                g->sel_active = false;
                if (order != local) free(order);
                if (locks != lock_local) free(locks);
                chan_send_fail(R, r);
                return -2;
            }
        } else {
            uint64_t v;
            bool ok;
            if (chan_try_recv(R, c->o, &v, &ok)) {
                selunlock(locks, nl);
                g->sel_value = v;
                g->sel_ok = ok;
                g->sel_ref = chan_elem_is_ref(c->o);
                res = chose(R, g, i, t0);
                goto out;
            }
        }
    }
    /* 3. default, or block forever */
    if (st->has_default) {
        selunlock(locks, nl);
        res = chose(R, g, -1, t0);
        goto out;
    }
    GoxG *me = sched_current(R);
    if (k == 0 || !me) {
        selunlock(locks, nl);
        hold(R, held);
        if (!me) sched_running(R, k == 0 ? "block" : "block in select");
        if (me) sched_park(R, me, st->ncases == 0 ? "select (no cases)" : "select", NULL, 0); /* never woken */
        g->sel_active = false;
        goto out;
    }
    /* 4. pass 2: a waiter on every channel, then park; the first waker to complete a case wins */
    SelectWait *sw = xcalloc(1, sizeof *sw);
    sw->waiters = xmalloc(k * sizeof *sw->waiters);
    uint64_t *chans = xmalloc(n * sizeof *chans);
    size_t nch = 0;
    for (uint32_t i = 0; i < n; i++)
        if (st->cases[i].ch) chans[nch++] = st->cases[i].ch;
    sched_park_prepare(R, me, "select", chans, nch);
    me->sel_wait = sw;
    for (uint32_t i = 0; i < n; i++) {
        const SelCase *c = &st->cases[i];
        if (!c->ch) continue;
        enqueue_case(R, me, sw, c, i, t0);
    }
    selunlock(locks, nl);
    sched_park_switch(R, me); /* (without the runtime lock unless the caller holds it) */
    /* pass 3: the other waiters leave their queues (the winner left its own) */
    sellock(locks, nl);
    for (size_t j = 0; j < sw->n; j++) chan_unlink(sw->waiters[j]);
    selunlock(locks, nl);
    me->sel_wait = NULL;
    free(chans);
    free_wait(sw);
    if (order != local) free(order);
    if (locks != lock_local) free(locks);
    return woken(R, g, me, held);
out:
    if (order != local) free(order);
    if (locks != lock_local) free(locks);
    return res;
}

/* gox_select_exec's: t0 from before any lock, as chan.c's calls */
static inline __attribute__((always_inline)) int64_t select_exec(GoxRuntime *R, uint64_t t0, bool par) {
    GoxG *g = sched_g(R);
    if (!g->sel.open) {
        gox_fail(R, ERR_ABI, "gox_select_exec: no select is open; expected gox_select_start first");
        return 0;
    }
    if (g->sel.n != g->sel.ncases) {
        gox_fail(R, ERR_ABI, "gox_select_exec: %u cases added, the select was opened with %u", g->sel.n,
                 g->sel.ncases);
        return 0;
    }
    g->sel.open = false; /* (the reference's finally: the select is over however exec ends) */
    g->sel_active = true;
    g->sel_ref = false;
    bool held = true;
    int64_t r = par ? exec_par(R, g, t0, &held) : exec(R, g, t0);
    g->sel_active = false;
    return r == -2 ? 0 : r;
}

__attribute__((noinline)) static int64_t select_exec_par(GoxRuntime *R, uint64_t t0) {
    GoxWorker *W = rt_fast_worker(R);
    if (W) {
        GoxG *g = W->current;
        if (g->sel.open && g->sel.n == g->sel.ncases) { /* (else the locked path reports it) */
            g->sel.open = false;
            g->sel_active = true;
            g->sel_ref = false;
            bool held = false;
            int64_t r = exec_par(R, g, t0, &held);
            g->sel_active = false;
            if (held) rt_unlock_slow(R);
            return r == -2 ? 0 : r;
        }
    }
    rt_lock_slow(R);
    int64_t r = select_exec(R, t0, true);
    rt_unlock_slow(R);
    return r;
}

int64_t gox_select_exec(void) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R = gox_rt();
    return __builtin_expect(R->parallel, 0) ? select_exec_par(R, t0) : select_exec(R, t0, false);
}

uint64_t gox_select_recv_result(bool *out_ok) {
    GoxRuntime *R = gox_rt();
    GoxG *g = sched_g(R); /* (its own state: no lock in either mode) */
    if (out_ok) *out_ok = g->sel_ok;
    return g->sel_value;
}
