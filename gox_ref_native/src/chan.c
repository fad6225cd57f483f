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
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

/* Go's makechan on 64-bit Linux: cap * 8 must not exceed maxAlloc - hchanSize. */
#define MAX_CHAN_CAP ((int64_t)(GO_MAX_ALLOC - 96) / 8)

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

/* false: no memory to grow the buffer (gox_out_of_memory called; the buffer is unchanged).
 * Out of line: a buffer grows a few times in its life, and its channel's every send is inline. */
__attribute__((noinline)) static bool buf_grow(GoxRuntime *R, ChanState *st) {
    size_t ncap = st->bufcap ? 2 * st->bufcap : 4;
    if ((int64_t)ncap > st->cap) ncap = (size_t)st->cap;
    uint64_t *nb = malloc(ncap * sizeof *nb); /* (a buffer of up to MAX_CHAN_CAP values) */
    if (!nb) {
        gox_out_of_memory(R);
        return false;
    }
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

/* The first waiter of a queue; a select's other waiters leave their queues now. */
static Waiter *dequeue(GoxRuntime *R, Waiter *head) {
    if (!head) return NULL;
    chan_unlink(head);
    if (head->sel) select_won(R, head);
    return head;
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
    if (st->closed) {
        gox_fail(R, ERR_PANIC, "send on closed channel");
        return -1;
    }
    Waiter *w = dequeue(R, st->recvq.first);
    if (w) {
        trace_chan(R, "send", o, "to", w->g->gid, val, false);
        wake(R, o, w, val, true, gox_is_ref_kind(st->elem_kind));
        return 1;
    }
    if ((int64_t)st->len < st->cap) {
        if (st->len == st->bufcap && !buf_grow(R, st)) return -1;
        chan_put(R, o, val);
        return 1;
    }
    return 0;
}

/* chan_try_recv, every case (the inline one takes a buffered value no sender waits behind) */
bool chan_recv_now(GoxRuntime *R, GoxObj *o, uint64_t *val, bool *ok) {
    ChanState *st = chan_state(o);
    Waiter *w = dequeue(R, st->sendq.first);
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

static bool check_elem(GoxRuntime *R, GoxObj *o, uint64_t val, const char *fn) { /* (kinds as select) */
    unsigned ek = chan_state(o)->elem_kind;
    if (!gox_is_ref_kind(ek) || heap_ref_ok(R, val)) return true;
    Buf w = {0};
    buf_puts(&w, "an element of kind ");
    buf_kind(&w, ek);
    bool okv = heap_check_ref_value(R, val, fn, w.data);
    buf_free(&w);
    return okv;
}

static void send(GoxRuntime *R, uint64_t ch, uint64_t val, const char *fn, uint64_t t0) {
    bool ok;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return;
    if (!o) {
        GoxG *g = sched_running(R, "block");
        if (g) sched_park(R, g, "chan send (nil chan)", NULL, 0); /* never woken */
        return;
    }
    if (!check_elem(R, o, val, fn)) return;
    if (t0 && chan_state(o)->closed) hist_chan(R, t0, H_SEND, o, val, false); /* (the panic does not return) */
    int done = chan_try_send(R, o, val);
    if (done > 0 && t0) hist_chan(R, t0, H_SEND, o, val, true);
    if (done != 0) return;
    GoxG *g = sched_running(R, "send on a full channel");
    if (!g) return;
    Waiter *w = &g->plain_node; /* in the goroutine, not on its stack: a parked stack may be compacted */
    *w = (Waiter){.g = g, .value = val, .case_i = -1, .is_send = true, .hist_t0 = t0}; /* (recorded by its waker) */
    chan_enqueue(R, o, w);
    g->plain_wait = w;
    sched_park(R, g, "chan send", &ch, 1);
    g->plain_wait = NULL;
    if (!g->wake_ok) gox_fail(R, ERR_PANIC, "send on closed channel");
}

uint64_t chan_recv(GoxRuntime *R, uint64_t ch, const char *fn, bool *okp, uint64_t t0) {
    bool ok;
    *okp = false;
    GoxObj *o = chan_obj(R, ch, fn, &ok);
    if (!ok) return 0;
    if (!o) {
        GoxG *g = sched_running(R, "block");
        if (g) sched_park(R, g, "chan receive (nil chan)", NULL, 0); /* never woken */
        return 0;
    }
    uint64_t v;
    if (chan_try_recv(R, o, &v, okp)) {
        if (t0) hist_chan(R, t0, H_RECV, o, v, *okp);
        return v;
    }
    GoxG *g = sched_running(R, "receive from an empty channel");
    if (!g) return 0;
    Waiter *w = &g->plain_node;
    *w = (Waiter){.g = g, .case_i = -1, .is_send = false, .hist_t0 = t0};
    chan_enqueue(R, o, w);
    g->plain_wait = w;
    sched_park(R, g, "chan receive", &ch, 1);
    g->plain_wait = NULL;
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

/* (t0 before GOX_ENTER: the interval starts before the lock is taken) */
void gox_chan_send(GoxRef ch, uint64_t val) {
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    send(R, ch, val, "gox_chan_send", t0);
}

uint64_t gox_chan_recv(GoxRef ch) {
    bool ok;
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    return chan_recv(R, ch, "gox_chan_recv", &ok, t0);
}

uint64_t gox_chan_recv_ok(GoxRef ch, bool *out_ok) {
    bool ok;
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    uint64_t v = chan_recv(R, ch, "gox_chan_recv_ok", &ok, t0);
    if (out_ok) *out_ok = ok;
    return v;
}

void gox_chan_close(GoxRef ch) {
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    bool ok;
    GoxObj *o = chan_obj(R, ch, "gox_chan_close", &ok);
    if (!ok) return;
    if (!o) {
        gox_fail(R, ERR_PANIC, "close of nil channel");
        return;
    }
    ChanState *st = chan_state(o);
    if (st->closed) {
        if (t0) hist_chan(R, t0, H_CLOSE, o, 0, false);
        gox_fail(R, ERR_PANIC, "close of closed channel");
        return;
    }
    st->closed = true;
    if (trace_on(R)) {
        TraceArg a = {.key = "chan", .kind = TV_U64, .u = o->num};
        trace_emit(R, "close", &a, 1);
    }
    Waiter *w;
    while ((w = dequeue(R, st->recvq.first)) != NULL) wake(R, o, w, 0, false, false);
    while ((w = dequeue(R, st->sendq.first)) != NULL) wake(R, o, w, 0, false, false);
    if (t0) hist_chan(R, t0, H_CLOSE, o, 0, true);
}

int64_t gox_chan_len(GoxRef ch) {
    bool ok;
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    GoxObj *o = chan_obj(R, ch, "gox_chan_len", &ok);
    if (o && t0) hist_chan(R, t0, H_LEN, o, chan_state(o)->len, true);
    return o ? (int64_t)chan_state(o)->len : 0;
}

int64_t gox_chan_cap(GoxRef ch) {
    bool ok;
    uint64_t t0 = hist_begin();
    GOX_ENTER(R);
    GoxObj *o = chan_obj(R, ch, "gox_chan_cap", &ok);
    if (o && t0) hist_chan(R, t0, H_CAP, o, (uint64_t)chan_state(o)->cap, true);
    return o ? chan_state(o)->cap : 0;
}
