/* chan.c: channels, per the Go spec and runtime/chan.go, exactly as gox_ref/chan.py.
 *
 * State (behind the channel object's opaque slot 0, in its hidden ext pointer): the element
 * kind, the capacity, a FIFO ring buffer, a closed flag and two FIFO queues of parked
 * goroutines (Waiter, Go's sudog): receivers (recvq) and senders (sendq, with the value each
 * offers).  A send to a parked receiver hands the value over directly; a receive from a full
 * buffer with a parked sender takes the head and appends the sender's value at the tail; close
 * wakes every receiver (zero value, ok=false), then every sender (which panics when it
 * resumes).  A waiter that belongs to a select makes the select's other waiters leave their
 * queues the moment it is taken (select6).
 *
 * Parallel mode (docs/SCHEDULER.md section 7, "Channels and select"), Go's runtime/chan.go.
 * Invariants:
 *   C1  A channel's state (buffer, closed flag, both queues, and the links and chan field of
 *       every waiter in a queue) is read and written with the channel's lock held (ChanState.mu,
 *       Go's hchan.lock), or with the world stopped (the collector: chan_children, the sweep's
 *       chan_free_state), or once the workers are joined (abandon).  elem_kind and cap never
 *       change after gox_chan_new.
 *   C2  Lock order: R->mu before a channel's lock; two channels' locks only in a select's order
 *       (by address: select.c, sellock); a channel's lock before idle_mu (a wake-up puts into a
 *       run queue and may wake a worker) and before nothing else.  So nothing takes R->mu,
 *       stops the world, records an error (a panic longjmps) or switches out while it holds a
 *       channel's lock: every path gives the lock back first.
 *   C3  A goroutine that waits is prepared (sched_park_prepare: its status, why, what it waits
 *       on) before its waiter enters a queue, and gives the channel's lock back before it
 *       switches out (with R->mu if it holds it, and without it on the fast path, C5; either way
 *       its worker stays counted running until its hub counts out: parallel.c).  A waker may make it
 *       runnable as soon as the lock is free; sched_run starts it, on any worker, only once its
 *       switch out is over (on_cpu).  So no wake-up is lost and no goroutine runs on two
 *       threads: the handshake Go's gopark does with chanparkcommit (unlock once off the stack).
 *   C4  A select's waiter is taken by the first waker that sets its select's done flag from 0
 *       (a CAS, Go's gp.selectDone): at most one case of a select completes.  A waiter whose
 *       select is done leaves the queue and is skipped (dequeue); the select's goroutine takes
 *       its other waiters out of their queues when it resumes (select.c, pass 3).  With one
 *       worker the won select's waiters leave their queues at once (select_won), as the
 *       reference's do.
 *   C5  Without the runtime lock ("the fast path": chan_fast_worker, a goroutine in parallel
 *       mode outside every other ABI call, tracing off, the program not over) a call completes
 *       only what needs no global state: the channel (and a reference value sent) known live in
 *       this stop-the-world epoch (live_known: objects die only while the world is stopped, and
 *       a goroutine inside a channel call counts as running, so the world cannot stop under
 *       it), no write barrier (a reference value while the collector marks), no error, no
 *       buffer that cannot grow.  Anything else changes nothing, gives the channel's lock back
 *       and runs the call again under the runtime lock (the locked path: the deterministic
 *       mode's code, with the channel's lock around the state and C3's parking).
 *   C6  The history (history.c) is per worker: a waker records the operation it completes
 *       (hist_woken) with the channel's lock held, inside the operation's interval.
 */
#include <inttypes.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

/* Go's makechan on 64-bit Linux: cap * 8 must not exceed maxAlloc - hchanSize. */
#define MAX_CHAN_CAP ((int64_t)(GO_MAX_ALLOC - 96) / 8)

/* The channel's lock when par (R->parallel: a constant where the deterministic mode's calls
 * inline the code, so they pay no test) */

void chan_free_state(GoxObj *o) {
    ChanState *st = chan_state(o);
    if (!st) return;
    /* parked goroutines root their channels, so no queue holds a waiter here */
    free(st->buf);
    free(st);
    o->ext = NULL;
}

static uint64_t buf_at(const ChanState *st, size_t i) { return st->buf[chan_buf_index(st, i)]; }

void chan_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx) {
    ChanState *st = chan_state(o);
    if (!st || !gox_is_ref_kind(st->elem_kind)) return;
    for (size_t i = 0; i < st->len; i++) fn(R, ctx, buf_at(st, i));
    for (Waiter *w = st->sendq.first; w; w = w->next) fn(R, ctx, w->value);
}

/* false: no memory to grow the buffer (unchanged; the caller reports it: chan_send_fail).
 * Out of line: a buffer grows a few times in its life, and its channel's every send is inline. */
__attribute__((noinline)) static bool buf_grow(ChanState *st) {
    size_t ncap = st->bufcap ? 2 * st->bufcap : 4;
    if ((int64_t)ncap > st->cap) ncap = (size_t)st->cap;
    uint64_t *nb = malloc(ncap * sizeof *nb); /* (a buffer of up to MAX_CHAN_CAP values) */
    if (!nb) return false;
    for (size_t i = 0; i < st->len; i++) nb[i] = buf_at(st, i);
    free(st->buf);
    st->buf = nb;
    st->bufcap = ncap;
    st->head = 0;
    return true;
}

/* ---- queues ---------------------------------------------------------------------------------- */
/* A sender's value is a child of the channel from now on (chan_children), so the write
 * barrier applies to it as to a buffered value: a channel scanned before the sender parked
 * would otherwise hide a new (white) value from the atomic step, and the sweep would free it
 * while a receiver can still take it. */
void chan_enqueue(GoxRuntime *R, GoxObj *o, Waiter *w) {
    ChanState *st = chan_state(o);
    if (w->is_send && gox_is_ref_kind(st->elem_kind) && w->value) gc_barrier(R, o, w->value);
    WaitQ *q = w->is_send ? &st->sendq : &st->recvq;
    w->chan = o;
    w->next = NULL;
    w->prev = q->last;
    if (q->last)
        q->last->next = w;
    else
        q->first = w;
    q->last = w;
}

void chan_unlink(Waiter *w) {
    if (!w->chan) return;
    ChanState *st = chan_state(w->chan);
    WaitQ *q = w->is_send ? &st->sendq : &st->recvq;
    if (w->prev)
        w->prev->next = w->next;
    else
        q->first = w->next;
    if (w->next)
        w->next->prev = w->prev;
    else
        q->last = w->prev;
    w->prev = w->next = NULL;
    w->chan = NULL;
}

static Waiter *dequeue(GoxRuntime *R, WaitQ *q);

/* dequeue's select waiter w in parallel mode (out of line): w if it wins its select (C4), else
 * the next waiter of q that may complete */
__attribute__((noinline)) static Waiter *dequeue_select(GoxRuntime *R, WaitQ *q, Waiter *w) {
    uint8_t open = 0;
    if (__atomic_compare_exchange_n(&w->sel->done, &open, 1, false, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) return w;
    return dequeue(R, q); /* (its select is done: w has left the queue, try the next) */
}

/* The first waiter of q that may complete: a select's other waiters leave their queues now
 * (one worker), or the select must not be done already (parallel mode: C4). */
static inline Waiter *dequeue(GoxRuntime *R, WaitQ *q) {
    Waiter *w = q->first;
    if (!w) return NULL;
    chan_unlink(w);
    if (w->sel) {
        if (R->parallel) return dequeue_select(R, q, w);
        select_won(R, w);
    }
    return w;
}

static void wake(GoxRuntime *R, GoxObj *o, Waiter *w, uint64_t value, bool ok, bool is_ref) {
    if (w->hist_t0) hist_woken(R, o, w, value, ok);
    GoxG *g = w->g;
    g->wake_value = value;
    g->wake_ok = ok;
    g->wake_case = w->case_i;
    g->wake_ref = is_ref; /* a reference handed over stays a root until the receiver runs */
    sched_ready(R, g);
}

void trace_chan_emit(GoxRuntime *R, const char *event, GoxObj *o, const char *k2, uint64_t v2, uint64_t value,
                     bool closed) {
    TraceArg a[4];
    size_t n = 0;
    a[n++] = (TraceArg){.key = "chan", .kind = TV_U64, .u = o->num};
    if (closed) a[n++] = (TraceArg){.key = "closed", .kind = TV_BOOL, .u = 1};
    if (k2 && strcmp(k2, "sender") == 0) a[n++] = (TraceArg){.key = "sender", .kind = TV_U64, .u = v2};
    if (k2 && strcmp(k2, "to") == 0) a[n++] = (TraceArg){.key = "to", .kind = TV_U64, .u = v2};
    /* a reference shows its canonical address, as every reference does in the reference */
    if (gox_is_ref_kind(chan_state(o)->elem_kind)) value = heap_canon(R, value);
    a[n++] = (TraceArg){.key = "value", .kind = TV_U64, .u = value};
    trace_emit(R, event, a, n);
}

/* ---- the operations, shared by plain calls and select --------------------------------------- */
/* chan_try_send, every case (the inline one takes a send into the ring's room) */
int chan_send_now(GoxRuntime *R, GoxObj *o, uint64_t val) {
    ChanState *st = chan_state(o);
    if (st->closed) return -1;
    Waiter *w = dequeue(R, &st->recvq);
    if (w) {
        trace_chan(R, "send", o, "to", w->g->gid, val, false);
        wake(R, o, w, val, true, gox_is_ref_kind(st->elem_kind));
        return 1;
    }
    if ((int64_t)st->len < st->cap) {
        if (st->len == st->bufcap && !buf_grow(st)) return -2;
        chan_put(R, o, val);
        return 1;
    }
    return 0;
}

void chan_send_fail(GoxRuntime *R, int r) {
    if (r == -1)
        gox_fail(R, ERR_PANIC, "send on closed channel");
    else
        gox_out_of_memory(R);
}

/* chan_try_recv, every case (the inline one takes a buffered value no sender waits behind) */
bool chan_recv_now(GoxRuntime *R, GoxObj *o, uint64_t *val, bool *ok) {
    ChanState *st = chan_state(o);
    Waiter *w = dequeue(R, &st->sendq);
    if (w) {
        uint64_t v;
        if (st->cap == 0) {
            v = w->value;
        } else { /* full buffer: take the head, the sender's value goes to the tail */
            v = chan_buf_pop(st);
            chan_buf_append(st, w->value); /* (room: the buffer was full, one value just left) */
        }
        trace_chan(R, "recv", o, "sender", w->g->gid, v, false);
        wake(R, o, w, 0, true, false);
        *val = v;
        *ok = true;
        return true;
    }
    if (st->len) {
        *val = chan_take(R, o);
        *ok = true;
        return true;
    }
    if (st->closed) {
        trace_chan(R, "recv", o, NULL, 0, 0, true);
        *val = 0;
        *ok = false;
        return true;
    }
    return false;
}

static inline __attribute__((always_inline)) bool check_elem(GoxRuntime *R, GoxObj *o, uint64_t val, const char *fn,
                                                             bool par) { /* (kinds as select) */
    unsigned ek = chan_state(o)->elem_kind;
    if (!gox_is_ref_kind(ek)) return true;
    if (heap_ref_ok(R, val)) {
        if (par) live_note(R, val); /* (the fast path's next check: chan.c, C5) */
        return true;
    }
    Buf w = {0};
    buf_puts(&w, "an element of kind ");
    buf_kind(&w, ek);
    bool okv = heap_check_ref_value(R, val, fn, w.data);
    buf_free(&w);
    return okv;
}

/* g waits in o's queue.  One worker: sched_park, as the reference.  Parallel mode (C3): o's
 * lock held on entry, given back before the switch (which takes no lock when the caller holds
 * no R->mu: its hub keeps the running count, parallel.c). */
static inline __attribute__((always_inline)) void wait_on(GoxRuntime *R, GoxObj *o, GoxG *g, Waiter *w,
                                                         const char *reason, uint64_t ch, bool par) {
    if (!par) {
        chan_enqueue(R, o, w);
        g->plain_wait = w;
        sched_park(R, g, reason, &ch, 1);
    } else {
        sched_park_prepare(R, g, reason, &ch, 1);
        chan_enqueue(R, o, w);
        g->plain_wait = w;
        chan_unlock(&chan_state(o)->mu);
        sched_park_switch(R, g);
    }
    g->plain_wait = NULL;
}

/* The locked path (R->mu held, or one worker): every check and error.  par: R->parallel, a
 * constant where the deterministic mode inlines it (no test of the channel's lock there). */
static inline __attribute__((always_inline)) void send(GoxRuntime *R, uint64_t ch, uint64_t val, const char *fn, uint64_t t0,
                                                      bool par) {
    bool ok;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return;
    if (!o) {
        GoxG *g = sched_running(R, "block");
        if (g) sched_park(R, g, "chan send (nil chan)", NULL, 0); /* never woken */
        return;
    }
    if (!check_elem(R, o, val, fn, par)) return;
    if (par) live_note(R, ch);
    LOCK_IF(par, o);
    if (t0 && chan_state(o)->closed) hist_chan(R, t0, H_SEND, o, val, false); /* (the panic does not return) */
    int done = chan_try_send(R, o, val);
    if (done != 0) {
        UNLOCK_IF(par, o);
        if (done < 0) chan_send_fail(R, done);
        if (done > 0 && t0) hist_chan(R, t0, H_SEND, o, val, true);
        return;
    }
    GoxG *g = sched_current(R);
    if (!g) {
        UNLOCK_IF(par, o);
        sched_running(R, "send on a full channel");
        return;
    }
    Waiter *w = &g->plain_node; /* in the goroutine, not on its stack: a parked stack may be compacted */
    *w = (Waiter){.g = g, .value = val, .case_i = -1, .is_send = true, .hist_t0 = t0}; /* (recorded by its waker) */
    wait_on(R, o, g, w, "chan send", ch, par);
    if (!g->wake_ok) gox_fail(R, ERR_PANIC, "send on closed channel");
}

static inline __attribute__((always_inline)) uint64_t recv(GoxRuntime *R, uint64_t ch, const char *fn, bool *okp,
                                                          uint64_t t0, bool par) {
    bool ok;
    *okp = false;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return 0;
    if (!o) {
        GoxG *g = sched_running(R, "block");
        if (g) sched_park(R, g, "chan receive (nil chan)", NULL, 0); /* never woken */
        return 0;
    }
    if (par) live_note(R, ch);
    uint64_t v;
    LOCK_IF(par, o);
    if (chan_try_recv(R, o, &v, okp)) {
        UNLOCK_IF(par, o);
        if (t0) hist_chan(R, t0, H_RECV, o, v, *okp);
        return v;
    }
    GoxG *g = sched_current(R);
    if (!g) {
        UNLOCK_IF(par, o);
        sched_running(R, "receive from an empty channel");
        return 0;
    }
    Waiter *w = &g->plain_node;
    *w = (Waiter){.g = g, .case_i = -1, .is_send = false, .hist_t0 = t0};
    wait_on(R, o, g, w, "chan receive", ch, par);
    *okp = g->wake_ok;
    return g->wake_value;
}

/* A new channel (the caller checked the arguments and passed its safepoint); NULL: no memory. */
GoxObj *chan_new(GoxRuntime *R, unsigned elem_kind, int64_t cap) {
    GoxObj *o = gc_alloc(R, K_CHANNEL, NO_TYPE, 1);
    if (!o) return NULL;
    ChanState *st = xcalloc(1, sizeof *st);
    st->elem_kind = elem_kind;
    st->cap = cap;
    o->ext = st;
    o->slots[0] = o->num; /* an opaque handle */
    return o;
}

uint64_t chan_recv(GoxRuntime *R, uint64_t ch, const char *fn, bool *okp, uint64_t t0) {
    return recv(R, ch, fn, okp, t0, R->parallel);
}

/* close, the channel's lock held and the channel open: every receiver wakes (zero, !ok), then
 * every sender (it panics when it resumes) */
static void close_now(GoxRuntime *R, GoxObj *o) {
    ChanState *st = chan_state(o);
    st->closed = true;
    if (trace_on(R)) {
        TraceArg a = {.key = "chan", .kind = TV_U64, .u = o->num};
        trace_emit(R, "close", &a, 1);
    }
    Waiter *w;
    while ((w = dequeue(R, &st->recvq)) != NULL) wake(R, o, w, 0, false, false);
    while ((w = dequeue(R, &st->sendq)) != NULL) wake(R, o, w, 0, false, false);
}

/* ---- the fast path: parallel mode without the runtime lock (C5) ------------------------------ */
/* chan_lock's wait: spin on a read (the line stays shared until the holder's store), and after
 * a while yield the core at each try */
void chan_lock_slow(ChanLock *l) {
    for (unsigned spins = 0;; spins++) {
        if (!__atomic_load_n(&l->held, __ATOMIC_RELAXED) && !__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE))
            return;
        if (spins < 100)
            cpu_relax();
        else
            sched_yield();
    }
}

void live_note(GoxRuntime *R, uint64_t ref) {
    GoxG *g = sched_current(R);
    if (!g || !ref) return;
    unsigned i = live_slot(ref);
    g->live_ref[i] = ref;
    g->live_epoch[i] = R->sched->world_epoch;
}

/* Each returns true when the call is done, false when it changed nothing and the locked path
 * must run it.  A wait parks and resumes without the runtime lock (C3). */
__attribute__((noinline)) static bool send_fast(GoxRuntime *R, GoxWorker *W, uint64_t ch, uint64_t val, uint64_t t0) {
    GoxObj *o = chan_fast_obj(R, W, ch);
    if (!o) return false;
    ChanState *st = chan_state(o);
    if (gox_is_ref_kind(st->elem_kind) && val && (R->state == GC_PROPAGATE || !live_known(R, W, val))) return false;
    chan_lock(&st->mu);
    int done = chan_try_send(R, o, val);
    if (done != 0) {
        chan_unlock(&st->mu);
        if (done > 0 && t0) hist_chan(R, t0, H_SEND, o, val, true);
        return done > 0;
    }
    GoxG *g = W->current; /* (W is stale once g has switched: g only from here on) */
    Waiter *w = &g->plain_node;
    *w = (Waiter){.g = g, .value = val, .case_i = -1, .is_send = true, .hist_t0 = t0};
    wait_on(R, o, g, w, "chan send", ch, true);
    if (!g->wake_ok) { /* closed meanwhile: the panic (which does not return) needs the lock */
        rt_lock_slow(R);
        gox_fail(R, ERR_PANIC, "send on closed channel");
        rt_unlock_slow(R);
    }
    return true;
}

/* (also a range loop's receive: iter.c's gox_iter_next) */
__attribute__((noinline)) bool chan_recv_fast(GoxRuntime *R, GoxWorker *W, uint64_t ch, uint64_t *v, bool *okp, uint64_t t0) {
    GoxObj *o = chan_fast_obj(R, W, ch);
    if (!o) return false;
    ChanState *st = chan_state(o);
    chan_lock(&st->mu);
    if (chan_try_recv(R, o, v, okp)) {
        chan_unlock(&st->mu);
        if (t0) hist_chan(R, t0, H_RECV, o, *v, *okp);
        return true;
    }
    GoxG *g = W->current;
    Waiter *w = &g->plain_node;
    *w = (Waiter){.g = g, .case_i = -1, .is_send = false, .hist_t0 = t0};
    wait_on(R, o, g, w, "chan receive", ch, true);
    *okp = g->wake_ok;
    *v = g->wake_value;
    return true;
}

__attribute__((noinline)) static bool close_fast(GoxRuntime *R, GoxWorker *W, uint64_t ch, uint64_t t0) {
    GoxObj *o = chan_fast_obj(R, W, ch);
    if (!o) return false;
    ChanState *st = chan_state(o);
    chan_lock(&st->mu);
    bool open = !st->closed;
    if (open) close_now(R, o);
    chan_unlock(&st->mu);
    if (open && t0) hist_chan(R, t0, H_CLOSE, o, 0, true);
    return open;
}

/* Parallel mode: the fast path, else the locked path under R->mu (out of line: with one worker
 * an ABI call tests R->parallel once and goes on to the deterministic code). */
__attribute__((noinline)) static void send_par(GoxRuntime *R, uint64_t ch, uint64_t val, uint64_t t0) {
    GoxWorker *W = rt_fast_worker(R);
    if (W && send_fast(R, W, ch, val, t0)) return;
    rt_lock_slow(R);
    send(R, ch, val, "gox_chan_send", t0, true);
    rt_unlock_slow(R);
}

__attribute__((noinline)) static uint64_t recv_par(GoxRuntime *R, uint64_t ch, const char *fn, bool *ok, uint64_t t0) {
    GoxWorker *W = rt_fast_worker(R);
    uint64_t v;
    if (W && chan_recv_fast(R, W, ch, &v, ok, t0)) return v;
    rt_lock_slow(R);
    v = recv(R, ch, fn, ok, t0, true);
    rt_unlock_slow(R);
    return v;
}

/* ---- ABI ----------------------------------------------------------------------------------- */
GoxRef gox_chan_new(uint8_t elem_kind, int64_t cap) {
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    if (!gox_valid_kind(elem_kind) || elem_kind == K_INTERFACE) {
        Buf b = {0};
        buf_puts(&b, "gox_chan_new: elem_kind=");
        buf_kind(&b, elem_kind);
        buf_puts(&b, ", expected a single-slot value kind");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    if (cap < 0 || cap > MAX_CHAN_CAP) {
        gox_fail(R, ERR_PANIC, "makechan: size out of range");
        return 0;
    }
    if (!gc_safepoint(R, NULL, 0)) return 0;
    GoxObj *o = chan_new(R, elem_kind, cap);
    if (!o) return 0;
    if (t0) hist_add(R, (HistRec){.t0 = t0, .op = H_MAKE, .chan = o->num, .value = elem_kind, .arg = cap});
    return OBJ_REF(o);
}

/* (t0 before the lock: the interval starts before the lock is taken) */
void gox_chan_send(GoxRef ch, uint64_t val) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R = gox_rt();
    if (__builtin_expect(R->parallel, 0))
        send_par(R, ch, val, t0);
    else
        send(R, ch, val, "gox_chan_send", t0, false);
}

static inline uint64_t recv_call(uint64_t ch, const char *fn, bool *ok) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R = gox_rt();
    return __builtin_expect(R->parallel, 0) ? recv_par(R, ch, fn, ok, t0) : recv(R, ch, fn, ok, t0, false);
}

uint64_t gox_chan_recv(GoxRef ch) {
    bool ok;
    return recv_call(ch, "gox_chan_recv", &ok);
}

uint64_t gox_chan_recv_ok(GoxRef ch, bool *out_ok) {
    bool ok;
    uint64_t v = recv_call(ch, "gox_chan_recv_ok", &ok);
    if (out_ok) *out_ok = ok;
    return v;
}

void gox_chan_close(GoxRef ch) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R0 = gox_rt();
    GoxWorker *W = chan_fast_worker(R0);
    if (W && close_fast(R0, W, ch, t0)) return;
    GOX_ENTER(R);
    bool ok;
    GoxObj *o = chan_obj(R, ch, "gox_chan_close", &ok);
    if (!ok) return;
    if (R->parallel && o) live_note(R, ch);
    if (!o) {
        gox_fail(R, ERR_PANIC, "close of nil channel");
        return;
    }
    LOCK_IF(R->parallel, o);
    if (chan_state(o)->closed) {
        UNLOCK_IF(R->parallel, o);
        if (t0) hist_chan(R, t0, H_CLOSE, o, 0, false);
        gox_fail(R, ERR_PANIC, "close of closed channel");
        return;
    }
    close_now(R, o);
    UNLOCK_IF(R->parallel, o);
    if (t0) hist_chan(R, t0, H_CLOSE, o, 0, true);
}

/* len and cap: the channel's lock for len (C1); cap never changes */
static int64_t chan_len_of(GoxRuntime *R, GoxObj *o, uint64_t t0) {
    LOCK_IF(R->parallel, o);
    int64_t n = (int64_t)chan_state(o)->len;
    UNLOCK_IF(R->parallel, o);
    if (t0) hist_chan(R, t0, H_LEN, o, (uint64_t)n, true);
    return n;
}

static int64_t chan_cap_of(GoxRuntime *R, GoxObj *o, uint64_t t0) {
    if (t0) hist_chan(R, t0, H_CAP, o, (uint64_t)chan_state(o)->cap, true);
    return chan_state(o)->cap;
}

int64_t gox_chan_len(GoxRef ch) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R0 = gox_rt();
    GoxWorker *W = chan_fast_worker(R0);
    GoxObj *o = W ? chan_fast_obj(R0, W, ch) : NULL;
    if (o) return chan_len_of(R0, o, t0);
    bool ok;
    GOX_ENTER(R);
    o = chan_obj(R, ch, "gox_chan_len", &ok);
    if (R->parallel && o) live_note(R, ch);
    return o ? chan_len_of(R, o, t0) : 0;
}

int64_t gox_chan_cap(GoxRef ch) {
    uint64_t t0 = hist_begin();
    GoxRuntime *R0 = gox_rt();
    GoxWorker *W = chan_fast_worker(R0);
    GoxObj *o = W ? chan_fast_obj(R0, W, ch) : NULL;
    if (o) return chan_cap_of(R0, o, t0);
    bool ok;
    GOX_ENTER(R);
    o = chan_obj(R, ch, "gox_chan_cap", &ok);
    if (R->parallel && o) live_note(R, ch);
    return o ? chan_cap_of(R, o, t0) : 0;
}
