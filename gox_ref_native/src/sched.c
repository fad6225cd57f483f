/* sched.c: goroutines on native stacks and the deterministic scheduler (gox_ref/sched.py,
 * docs/SCHEDULER.md section 1); the workers that run them, their queues and the parallel mode
 * are parallel.c's (docs/SCHEDULER.md section 7).
 *
 * Each goroutine runs on a pooled stack (stack.c) and the hand-written context switch
 * (ctx_<arch>.S) moves between a worker's scheduler loop (the hub, parallel.c) and a
 * goroutine: run starts or resumes one, to_hub switches back.
 *
 * One worker (the default): one goroutine runs at a time, in the run queue's order of
 * docs/SCHEDULER.md section 1, the reference's.  A goroutine that stops hands the processor to
 * the front directly when it can (hand_off).
 *
 * The end: the program ends when the main goroutine returns (every other goroutine is
 * abandoned without running more code: in parallel mode, one on another worker stops at its
 * next entry into the runtime), when a goroutine calls gox_os_exit (status code & 0xFF, the
 * same abandonment), when a goroutine panics past its outermost frame, on a fatal
 * error, or when no goroutine is runnable or running while main has not returned (the
 * deadlock report).
 *
 * Program mode: while a goroutine runs, a run-time error raised inside any ABI call (gox_fail
 * with a panic) becomes a panic of that goroutine and never returns to the caller (defer.c);
 * a fatal error ends the program (status 2); an ABI error ends it too, and gox_run_main
 * returns -1 with the error in the record.  Outside a program (host mode) every error stays in
 * the record, as it does for every host call.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

#ifdef GOX_ASAN
#include <sanitizer/common_interface_defs.h>
#endif
#ifdef GOX_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* Parked goroutines whose stacks stay resident; a goroutine that parks beyond them has its
 * stack compacted once it has switched out (stack.c), so 100k parked goroutines cost their used
 * stack bytes, not a page each.  Few parked goroutines (ping-pong) never pay for it. */
#define PARKED_RESIDENT 1024u

_Thread_local GoxWorker *gox_t_worker GOX_TLS_FAST;

/* The calling thread's worker.  Not inlined, and the only reader of gox_t_worker on a
 * goroutine's side in parallel mode: a goroutine may resume on another thread than it switched
 * out on, and a compiler may keep a thread-local's address across a call it cannot see into.
 * (Here, beside its most frequent callers: they see which registers it leaves alone.)  With one
 * worker there is one thread, so sched_g reads it inline (gox_internal.h). */
__attribute__((noinline)) GoxWorker *this_worker(void) { return gox_t_worker; }

void set_this_worker(GoxWorker *W) { gox_t_worker = W; }

GoxSched *sched_of(GoxRuntime *R) {
    if (!R->sched) {
        GoxSched *S = xcalloc(1, sizeof *S);
        S->host.gid = 0;
        S->host.status = G_RUNNABLE;
        S->next_gid = S->next_fid = S->next_iter = 1;
        S->exit_status = -1;
        S->timers_next = INT64_MAX; /* (no timer: timer.c) */
        workers_init(R, S);
        R->sched = S;
    }
    return R->sched;
}

GoxG *sched_current(GoxRuntime *R) {
    GoxWorker *W = this_worker();
    return W && W->R == R ? W->current : NULL;
}

GoxG *sched_host(GoxRuntime *R) { return &sched_of(R)->host; }

SimStack *sim_current(GoxRuntime *R) {
    GoxG *g = sched_current(R);
    return g ? &g->sim : &R->host_sim;
}

ErrRec *err_rec(GoxRuntime *R) {
    if (R->parallel) {
        GoxWorker *W = this_worker();
        if (W && W->R == R) return &W->err;
    }
    return &R->err;
}

/* Parallel mode keeps an ABI error out of the runtime's record while the program runs (in
 * S->abi_err): the two records trade places. */
static void err_swap(ErrRec *a, ErrRec *b) {
    ErrRec t = *a;
    *a = *b;
    *b = t;
}

GoxG *sched_running(GoxRuntime *R, const char *what) {
    GoxG *g = sched_current(R);
    if (g) return g;
    /* No program runs: the host is the only "goroutine", and nothing can wake it. */
    gox_fail(R, ERR_FATAL, "all goroutines are asleep - deadlock! (the host tried to %s outside run_main)", what);
    return NULL;
}

/* ---- output of reports ---------------------------------------------------------------------- */
void sched_write_err(GoxRuntime *R, const char *data, size_t n) {
    if (R->capture) {
        buf_put(&R->err_out, data, n);
    } else {
        fflush(stdout);
        fwrite(data, 1, n, stderr);
        fflush(stderr);
    }
}

/* ---- names of entries -------------------------------------------------------------------------- */
void gox_func_set_name(const void *func_ptr, const char *name) {
    GOX_ENTER(R);
    GoxSched *S = sched_of(R);
    if (!func_ptr || !name) {
        gox_fail(R, ERR_ABI, "gox_func_set_name: func_ptr and name must not be NULL");
        return;
    }
    uint64_t idx;
    if (u64map_get(&S->names, (uint64_t)(uintptr_t)func_ptr, &idx)) {
        free(S->name_strs[idx]);
        S->name_strs[idx] = xstrdup(name);
        return;
    }
    S->name_strs = xrealloc(S->name_strs, (S->nnames + 1) * sizeof *S->name_strs);
    S->name_strs[S->nnames] = xstrdup(name);
    u64map_put(&S->names, (uint64_t)(uintptr_t)func_ptr, S->nnames++);
}

void sched_func_name(GoxRuntime *R, const void *fn, Buf *out) {
    GoxSched *S = sched_of(R);
    uint64_t idx;
    if (!fn) {
        buf_puts(out, "None"); /* the reference prints repr(None) */
        return;
    }
    if (u64map_get(&S->names, (uint64_t)(uintptr_t)fn, &idx)) {
        buf_puts(out, S->name_strs[idx]);
        return;
    }
    Dl_info info;
    if (dladdr(fn, &info) && info.dli_sname && info.dli_saddr == fn) {
        buf_puts(out, info.dli_sname);
        return;
    }
    buf_printf(out, "func@%p", fn);
}

/* ---- goroutines ------------------------------------------------------------------------------- */
static GoxG *new_goroutine(GoxRuntime *R, const void *entry, const uint64_t *args, uint32_t nargs) {
    GoxSched *S = sched_of(R);
    GoxG *g = xcalloc(1, sizeof *g);
    g->gid = S->next_gid++;
    g->entry = entry;
    g->nargs = nargs;
    if (nargs) {
        g->args = xmalloc(nargs * sizeof *g->args);
        memcpy(g->args, args, nargs * sizeof *g->args);
    }
    g->status = G_RUNNABLE;
    g->wait_reason = "";
    g->wake_ok = true;
    g->wake_case = -1;
#ifdef GOX_TSAN
    g->tsan_fiber = __tsan_create_fiber(0);
#endif
    g->all_prev = S->all_tail;
    if (S->all_tail)
        S->all_tail->all_next = g;
    else
        S->all_head = g;
    S->all_tail = g;
    return g;
}

static void unlink_all(GoxSched *S, GoxG *g) {
    if (g->all_prev)
        g->all_prev->all_next = g->all_next;
    else
        S->all_head = g->all_next;
    if (g->all_next)
        g->all_next->all_prev = g->all_prev;
    else
        S->all_tail = g->all_prev;
    g->all_prev = g->all_next = NULL;
}

static void free_goroutine(GoxG *g) {
    if (g->plain_wait) chan_unlink(g->plain_wait);
    g->plain_wait = NULL;
    defer_free_g(g);
    select_free_g(g);
    iter_free_g(g);
    free(g->args);
    free(g->results);
    free(g->parked_on);
    free(g->sim.frames);
    free(g->sim.mem);
    free(g->saved);
    stack_release_grown(g);
    if (g->stack) {
        if (g->cold)
            stack_release_cold(g->stack);
        else
            stack_release(g->stack);
    }
#ifdef GOX_TSAN
    if (g->tsan_fiber) __tsan_destroy_fiber(g->tsan_fiber);
#endif
    free(g);
}

/* The program's exit status, once: the first ending wins (R->mu held in parallel mode).  A
 * collection that stopped the world is over too (the ending may be its own ABI error): the
 * goroutines stopped for it go no further (stw_wait). */
void sched_end_status(GoxRuntime *R, int status) {
    GoxSched *S = R->sched;
    int expected = -1;
    if (!atomic_compare_exchange_strong(&S->exit_status, &expected, status)) return;
    if (R->parallel) __atomic_store_n(&S->preempt, 1, __ATOMIC_RELAXED); /* loops elsewhere stop */
    if (R->parallel && S->stw_pending) {
        __atomic_store_n(&S->stw_pending, 0, __ATOMIC_RELEASE); /* (as sched_start_world's) */
        pthread_cond_broadcast(&S->stw_done_cv);
        pthread_cond_broadcast(&S->stw_stopped_cv); /* (a collector waiting for the count stops too) */
    }
    wake_idle_workers(S);
}

/* ---- switching ------------------------------------------------------------------------------ */
#ifdef GOX_ASAN
/* A goroutine just switched in from its worker's hub: the stack ASan reports it came from is
 * that hub's, which the goroutine's next switch back announces. */
static void note_hub_stack(const void *bottom, size_t size) {
    GoxWorker *W = this_worker();
    W->hub_lo = (uintptr_t)bottom;
    W->hub_hi = (uintptr_t)bottom + size;
}
#endif

/* From a goroutine to its worker's hub.  In parallel mode the goroutine gives the runtime lock
 * back if it holds it, and takes it again when it resumes, possibly on another worker; every
 * lock operation stays on one side of a switch.  The hub marks the goroutine's context saved
 * (on_cpu) once the switch is done, and the worker stays counted running until its hub counts
 * out (parallel.c, "stopping the world": never a goroutine on its own stack, which may still be
 * switching out). */
static void to_hub(GoxRuntime *R, GoxG *g, bool dying) {
    GoxSched *S = R->sched;
    GoxWorker *W = this_worker();
    if (R->parallel) {
        g->lock_depth = rt_depth();
        if (g->lock_depth) {
            rt_set_depth(0);
            pthread_mutex_unlock(&R->mu);
        }
    }
#ifdef GOX_ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &g->asan_fake, (const void *)W->hub_lo, W->hub_hi - W->hub_lo);
#else
    (void)dying;
#endif
#ifdef GOX_TSAN
    __tsan_switch_to_fiber(W->tsan_fiber, 0);
#endif
    gox_ctx_switch(&g->ctx_sp, W->hub_sp);
#ifdef GOX_ASAN
    const void *bottom;
    size_t size;
    __sanitizer_finish_switch_fiber(g->asan_fake, &bottom, &size);
    note_hub_stack(bottom, size); /* (it may have resumed on another worker) */
#endif
    if (R->parallel) { /* sched_run counted it running again */
        if (g->lock_depth) {
            pthread_mutex_lock(&R->mu);
            rt_set_depth(g->lock_depth);
            sched_after_lock(R);
        } else if (atomic_load_explicit(&S->exit_status, memory_order_relaxed) >= 0) {
            rt_lock_slow(R); /* the program ended meanwhile: abandoned there (sched_after_lock) */
        }
    }
}

static void sched_trace0(GoxRuntime *R, const char *event) {
    if (trace_on(R)) trace_emit(R, event, NULL, 0);
}

static void sched_trace_u(GoxRuntime *R, const char *event, const char *key, uint64_t v) {
    if (!trace_on(R)) return;
    TraceArg a = {.key = key, .kind = TV_U64, .u = v};
    trace_emit(R, event, &a, 1);
}

/* The end of the program, from the running goroutine: it never runs again. */
void sched_end_program(GoxRuntime *R, int status) {
    GoxG *g = sched_current(R);
    sched_end_status(R, status);
    g->status = G_DEAD;
    to_hub(R, g, true);
    abort(); /* an ended program's goroutine is never resumed */
}

/* Parallel mode: the runtime lock was just taken by a goroutine entering the runtime.  If the
 * program ended meanwhile (on another worker) the goroutine goes no further: it is abandoned
 * here, as Go's other goroutines are when main returns. */
void sched_after_lock(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S || S->exit_status < 0) return;
    GoxG *g = sched_current(R);
    if (!g) return;
    to_hub(R, g, true);
    abort();
}

/* A goroutine's life, and how it exits, in this order (sched.py's Scheduler.goroutine_main):
 * 1. its function runs; a panic past its outermost frame, or a fatal error, ends the program
 *    where it happens (defer.c's unrecovered, sched_fatal) and never comes back here;
 * 2. it returned: it is dead, the trace records `exit`, and it leaves the goroutine list (an
 *    ended goroutine holds nothing and is no root);
 * 3. if it is main, the program ends with status 0. */
static void goroutine_main(void *arg) {
    GoxRuntime *R = arg;
    GoxSched *S = R->sched;
#ifdef GOX_ASAN
    const void *hub_bottom;
    size_t hub_size;
    __sanitizer_finish_switch_fiber(NULL, &hub_bottom, &hub_size);
    note_hub_stack(hub_bottom, hub_size);
#endif
    GoxG *g = sched_current(R);
    g->started = true;
    sched_call_entry(R, g->entry, g->args, g->nargs); /* outside the runtime lock */
    if (R->parallel) rt_lock_slow(R);
    g->status = G_DEAD;
    sched_trace0(R, "exit");
    unlink_all(S, g);
    this_worker()->dead = g;
    if (g->gid == S->main_gid) sched_end_status(R, 0);
    to_hub(R, g, true);
    abort();
}

/* A goroutine whose stack was compacted while it was parked gets it back, in place. */
static void unpack_stack(GoxG *g) {
    if (!g->saved) return;
    stack_restore(g->stack, g->saved, g->saved_len);
    g->saved = NULL;
    g->saved_len = 0;
}

/* W's processor goes to g, just taken from a queue (the hub's run and hand_off alike). */
static void start_running(GoxRuntime *R, GoxWorker *W, GoxG *g) {
    W->current = g;
    g->status = G_RUNNING;
    sched_trace0(R, "run");
}

/* The hub runs g until it switches out (parks, yields, ends).  In parallel mode not while the
 * world is stopped, and only once g's last switch out (on another worker) is complete. */
void sched_run(GoxRuntime *R, GoxWorker *W, GoxG *g) {
    GoxSched *S = R->sched;
    if (R->parallel) {
        hub_count_in(R, W);
        if (S->exit_status >= 0) return; /* the program ended while g waited in a queue */
        /* (the trace's "run" event needs the runtime lock; tracing serialises) */
        bool traced = trace_on(R);
        if (traced) pthread_mutex_lock(&R->mu);
        start_running(R, W, g);
        if (traced) pthread_mutex_unlock(&R->mu);
    } else {
        start_running(R, W, g);
    }
    if (R->parallel) {
        while (atomic_load_explicit(&g->on_cpu, memory_order_acquire)) sched_yield();
        atomic_store_explicit(&g->on_cpu, true, memory_order_relaxed);
    }
    unpack_stack(g);
    if (!g->ctx_sp) {
        g->stack = stack_acquire();
        if (!g->stack) { /* no memory for its stack: Go's newproc would have thrown */
            W->current = NULL; /* (g is abandoned with the others) */
            if (R->parallel) {
                atomic_store_explicit(&g->on_cpu, false, memory_order_release);
                hub_count_out(R, W);
                pthread_mutex_lock(&R->mu);
            }
            gox_out_of_memory(R); /* on the hub: the report, and the program is over */
            if (R->parallel) pthread_mutex_unlock(&R->mu);
            return;
        }
        g->ctx_sp = ctx_make(g->stack->hi, goroutine_main, R);
    }
#ifdef GOX_ASAN
    GoxStackSeg *seg = g->big ? g->big : g->stack; /* (a growth segment: stack.c) */
    __sanitizer_start_switch_fiber(&W->hub_asan_fake, (const void *)seg->lo, seg->hi - seg->lo);
#endif
#ifdef GOX_TSAN
    __tsan_switch_to_fiber(g->tsan_fiber, 0);
#endif
    shadow_use_slot(&g->shadow_top);
    gox_ctx_switch(&W->hub_sp, g->ctx_sp);
    shadow_use_slot(NULL);
#ifdef GOX_ASAN
    __sanitizer_finish_switch_fiber(W->hub_asan_fake, NULL, NULL);
#endif
    g = W->current; /* the goroutine that switched back: with direct switches (hand_off) not
                     * necessarily the one started here */
    W->current = NULL;
    if (W->dead) { /* (it released everything shared before it ended) */
        free_goroutine(W->dead);
        W->dead = NULL;
    } else {
        if (g->compact) {
            g->compact = false;
            g->saved = stack_compact(g->stack, (uintptr_t)g->ctx_sp, &g->saved_len);
            g->cold = g->saved != NULL; /* (no memory for the copy: the stack stays resident) */
        }
        if (R->parallel) atomic_store_explicit(&g->on_cpu, false, memory_order_release);
    }
}

/* The running goroutine g stops (it parked or yielded): with one worker the front of the run
 * queue runs next, and when that goroutine has run before (its context is saved and resident)
 * g switches to it directly: one switch instead of two through the hub, with the same choice
 * and the same events as the hub's.  Everything else goes through the hub: a goroutine to
 * start, an empty queue (the deadlock check), a stack to compact or restore, the parallel mode,
 * and the sanitizer builds (whose switch annotations assume hub <-> goroutine). */
static void hand_off(GoxRuntime *R, GoxG *g) {
#if !defined(GOX_ASAN) && !defined(GOX_TSAN)
    GoxWorker *W = this_worker();
    GoxG *next = W->runq_head;
    if (!R->parallel && next && !g->compact && (next == g || (next->ctx_sp && !next->saved))) {
        runq_pop(W);
        start_running(R, W, next);
        if (next == g) return; /* a lone goroutine that yielded goes on */
        shadow_use_slot(&next->shadow_top);
        gox_ctx_switch(&g->ctx_sp, next->ctx_sp);
        return; /* g runs again: whoever switched to it set W->current and its shadow slot */
    }
#endif
    to_hub(R, g, false);
}

/* (sched_park's halves, inline in it: a park of the deterministic mode is one call, as before
 * they were split) */
static inline __attribute__((always_inline)) void park_prepare(GoxRuntime *R, GoxG *g, const char *reason,
                                                               const uint64_t *chans, size_t nchans) {
    g->status = G_WAITING;
    g->wait_reason = reason;
    if (nchans > g->parked_cap) {
        g->parked_cap = nchans;
        g->parked_on = xrealloc(g->parked_on, nchans * sizeof *g->parked_on);
    }
    if (nchans) memcpy(g->parked_on, chans, nchans * sizeof *chans);
    g->nparked = nchans;
    if (trace_on(R)) {
        TraceArg a = {.key = "reason", .kind = TV_STR, .s = reason, .slen = strlen(reason)};
        trace_emit(R, "park", &a, 1);
    }
}

/* Parallel mode: the parked count changes by d on this worker; about how many are parked.  A
 * goroutine may park without the runtime lock (chan.c's C5), so the count is an atomic one, and
 * each worker adds to it every PARKED_BATCH changes only (one count that every park and resume
 * changed moved a cache line between the cores each time); the sum is off by less than
 * PARKED_BATCH per worker, which only moves the point where stacks are compacted a little. */
#define PARKED_BATCH 32
__attribute__((noinline)) static size_t parked_par(GoxSched *S, int d) {
    GoxWorker *W = this_worker();
    if (!W) return (size_t)(atomic_fetch_add_explicit(&S->nparked_par, d, memory_order_relaxed) + d);
    W->nparked_delta += d;
    int64_t n;
    if (W->nparked_delta >= PARKED_BATCH || W->nparked_delta <= -PARKED_BATCH) {
        n = atomic_fetch_add_explicit(&S->nparked_par, W->nparked_delta, memory_order_relaxed) + W->nparked_delta;
        W->nparked_delta = 0;
    } else {
        n = atomic_load_explicit(&S->nparked_par, memory_order_relaxed) + W->nparked_delta;
    }
    return n > 0 ? (size_t)n : 0;
}

static inline __attribute__((always_inline)) void park_switch(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched;
    size_t parked = R->parallel ? parked_par(S, 1) : ++S->nparked;
    /* (not on a growth segment: its slot is not where its stack pointer is) */
    g->compact = parked > PARKED_RESIDENT && R->nmaps == 0 && stack_can_compact() && !g->big;
    if (parked > PARKED_RESIDENT) stack_drop_spare(g); /* (its pages: stack.c) */
    hand_off(R, g);
    if (R->parallel)
        parked_par(S, -1);
    else
        S->nparked--;
    g->nparked = 0;
    g->wake_ref = false; /* the value now belongs to the goroutine's own frames */
}

void sched_park(GoxRuntime *R, GoxG *g, const char *reason, const uint64_t *chans, size_t nchans) {
    park_prepare(R, g, reason, chans, nchans);
    park_switch(R, g);
}

void sched_park_prepare(GoxRuntime *R, GoxG *g, const char *reason, const uint64_t *chans, size_t nchans) {
    park_prepare(R, g, reason, chans, nchans);
}

void sched_park_switch(GoxRuntime *R, GoxG *g) { park_switch(R, g); }

void sched_ready(GoxRuntime *R, GoxG *g) {
    uint64_t gid = g->gid; /* (once queued, g may run on another worker, and end) */
    g->status = G_RUNNABLE;
    g->wait_reason = "";
    runq_put(R, g);
    sched_trace_u(R, "wake", "target", gid);
}

uint64_t sched_call_entry(GoxRuntime *R, const void *fn, const uint64_t *args, uint32_t nargs) {
    if (!fn) {
        gox_fail(R, ERR_PANIC, NIL_DEREF_TEXT);
        return 0;
    }
    GoxEntry f;
    memcpy(&f, &fn, sizeof f); /* POSIX: object and function pointers convert */
    return f(args, nargs);
}

void sched_deadlock(GoxRuntime *R) {
    GoxSched *S = R->sched;
    Buf b = {0};
    buf_puts(&b, "fatal error: all goroutines are asleep - deadlock!\n\n");
    for (GoxG *g = S->all_head; g; g = g->all_next) { /* each parked (sched_park names why) */
        if (g->status == G_DEAD) continue;
        buf_printf(&b, "goroutine %" PRIu64 " [%s]:\n", g->gid, g->wait_reason);
        sched_func_name(R, g->entry, &b);
        buf_puts(&b, "(...)\n\n");
    }
    sched_write_err(R, b.data, b.len);
    buf_free(&b);
    if (trace_on(R)) {
        static const char msg[] = "all goroutines are asleep - deadlock!";
        TraceArg a = {.key = "message", .kind = TV_STR, .s = msg, .slen = sizeof msg - 1};
        trace_emit(R, "fatal", &a, 1);
    }
    sched_end_status(R, 2);
}

/* The program is over (every worker has left its loop): forget every goroutine without running
 * its code, in the order of sched.py's Scheduler.abandon:
 * 1. no timer is pending (timers_drop), no channel keeps a waiter of theirs and 2. each goroutine goes, by id, no deferred call
 *    running: free_goroutine, which unlinks its waiters first (chan_unlink, and select_free_g
 *    for a select's) and then frees its state and its stack;
 * 3. the workers' run queues and running goroutines are cleared: the runtime can run another
 *    program. */
static void abandon(GoxRuntime *R) {
    GoxSched *S = R->sched;
    timers_drop(R);
    while (S->all_head) {
        GoxG *g = S->all_head;
        unlink_all(S, g);
        free_goroutine(g);
    }
    for (unsigned i = 0; i < MAX_WORKERS; i++) {
        GoxWorker *W = &S->workers[i];
        if (W->dead) free_goroutine(W->dead);
        W->dead = W->current = NULL;
        W->runq_head = W->runq_tail = NULL;
        W->runq_len = 0;
        atomic_store_explicit(&W->nrunning, 0, memory_order_relaxed);
        W->counted = false;
        W->nparked_delta = 0;
    }
    atomic_store_explicit(&S->nparked_par, 0, memory_order_relaxed);
}

/* ---- the ABI ------------------------------------------------------------------------------- */
int32_t gox_run_main(GoxEntryFn main_fn, const uint64_t *args, uint32_t args_len, uint64_t seed) {
    GoxRuntime *R = gox_rt();
    GoxSched *S = sched_of(R);
    if (S->running) {
        gox_fail(R, ERR_ABI, "gox_run_main: a program is already running on this runtime");
        return -1;
    }
    unsigned nworkers;
    if (!workers_wanted(R, &nworkers) || !hist_start(R)) return -1;
    oom_reserve_arm();
    S->rng = (Rng){seed, 0};
    timers_start(R);
    S->running = true;
    S->exit_status = -1;
    S->abi_error = false;
    __atomic_store_n(&S->stw_pending, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&S->preempt, 0, __ATOMIC_RELAXED);
    const void *entry;
    memcpy(&entry, &main_fn, sizeof entry);
    GoxG *m = new_goroutine(R, entry, args, args_len);
    S->main_gid = m->gid;
    sched_trace_u(R, "spawn", "child", m->gid);
    runq_push(&S->workers[0], m);
    workers_run(R, nworkers);
    hist_finish(R);
    abandon(R);
    S->running = false;
    if (S->abi_error) {
        if (nworkers > 1) err_swap(&R->err, &S->abi_err); /* the error waited there: now it is the runtime's */
        return -1;
    }
    return S->exit_status < 0 ? 0 : S->exit_status;
}

void gox_go_spawn(const void *func_ptr, const uint64_t *args, uint32_t args_len) {
    GOX_ENTER(R);
    if (!func_ptr) {
        /* Go's newproc1: fatal("go of nil func value"), an error no recover stops. */
        gox_fail(R, ERR_FATAL, "go of nil func value");
        return;
    }
    uint64_t live_small[8];
    uint64_t *live = args_len <= 8 ? live_small : xmalloc(args_len * sizeof *live);
    size_t nlive = 0;
    for (uint32_t i = 0; i < args_len; i++)
        if (heap_maybe_ref(R, args[i])) live[nlive++] = args[i];
    bool ok = gc_safepoint(R, live, nlive);
    if (live != live_small) free(live);
    if (!ok) return;
    GoxG *g = new_goroutine(R, func_ptr, args, args_len);
    sched_trace_u(R, "spawn", "child", g->gid);
    runq_put(R, g);
}

void gox_yield(void) {
    GOX_ENTER(R);
    GoxG *g = sched_current(R);
    if (!g) return; /* the host has nobody to yield to */
    g->status = G_RUNNABLE;
    runq_put(R, g);
    sched_trace0(R, "yield");
    hand_off(R, g);
}

/* os.Exit: the status a shell sees of Go's exit(2), the code's low byte.  Printed output is
 * already out (runtime_emit flushes each print; captured output waits in R->out for the host). */
void gox_os_exit(int64_t code) {
    GOX_ENTER(R);
    if (!sched_current(R)) {
        gox_fail(R, ERR_ABI,
                 "gox_os_exit: os.Exit(%" PRId64 ") outside a running program (call it from a goroutine under run_main)",
                 code);
        return;
    }
    sched_end_program(R, (int)(code & 0xFF));
}

/* ---- errors in program mode ------------------------------------------------------------------ */
void sched_fatal(GoxRuntime *R, const char *msg) {
    Buf b = {0};
    buf_printf(&b, "fatal error: %s\n", msg);
    sched_write_err(R, b.data, b.len);
    buf_free(&b);
    sched_end_program(R, 2);
}

/* Go's report, once (R->mu held in parallel mode: the first ending wins).  Writing it may need
 * memory too (captured output): a failure meanwhile is the last resort. */
static void write_oom_report(GoxRuntime *R) {
    static const char msg[] = "fatal error: " OOM_TEXT "\n";
    static _Thread_local bool writing;
    if (R->sched->exit_status >= 0) return;
    if (writing) oom_exit();
    writing = true;
    sched_write_err(R, msg, sizeof msg - 1);
    writing = false;
}

/* In a goroutine the program ends here; on a worker's hub (between goroutines) it is over
 * (status 2) and the hub's loop ends at its next look for work. */
bool sched_out_of_memory(GoxRuntime *R) {
    GoxWorker *W = this_worker();
    if (!W || W->R != R) return false; /* host mode */
    write_oom_report(R);
    if (W->current) sched_end_program(R, 2);
    sched_end_status(R, 2);
    return true;
}

void sched_on_error(GoxRuntime *R) {
    if (!sched_current(R)) return;
    GoxSched *S = R->sched;
    ErrRec *e = err_rec(R);
    switch (e->code) {
    case ERR_PANIC:
        defer_runtime_error(R);
    case ERR_FATAL: {
        char *msg = xstrdup(e->msg.data ? e->msg.data : "");
        e->code = ERR_NONE;
        e->msg.len = 0;
        sched_fatal(R, msg); /* (msg is freed with the program: it never returns) */
    }
    default:
        /* an ABI error: the program stops; gox_run_main returns -1 with the record set, as the
         * reference's run_main lets the GoxABIError out (in parallel mode the record is the
         * worker's: it waits in S->abi_err, the first one wins) */
        if (R->parallel && !S->abi_error) {
            err_swap(&S->abi_err, e);
            e->code = ERR_NONE;
            e->msg.len = 0;
        }
        S->abi_error = true;
        sched_end_program(R, 2);
    }
}

/* ---- roots ------------------------------------------------------------------------------------ */
/* Parallel mode, the world stopped: the collector reads a goroutine's stack once its switch out
 * and its hub's compaction of its stack are done.  A worker counts out on its hub's stack only
 * (parallel.c, "stopping the world"), after both, so this wait ends at once; it stays as the
 * statement of what the walk needs. */
static void settle(GoxG *g, bool mine) {
    while (!mine && !g->stw_stopped && atomic_load_explicit(&g->on_cpu, memory_order_acquire)) sched_yield();
}

static bool walk_real(GoxRuntime *R, GoxG *g, uintptr_t here_fp, const char *owner, RootFn fn, void *ctx) {
    bool stop = false;
    if (!g->stack || !R->nmaps) return true; /* (no stack map: no frame has roots) */
    unpack_stack(g); /* compacted before the first stack map was registered: put it back */
    bool mine = g == sched_current(R);
    settle(g, mine);
    uintptr_t fp = mine ? here_fp : g->stw_stopped ? g->stw_fp : (g->ctx_sp ? ctx_saved_fp(g->ctx_sp) : 0);
    if (fp) stack_real_roots(R, fp, g->stack->lo, g->stack->hi, owner, fn, ctx, &stop);
    return !stop;
}

__attribute__((noinline)) void sched_current_real_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    GoxG *g = sched_current(R);
    if (!g) return;
    if (!walk_real(R, g, (uintptr_t)__builtin_frame_address(0), "", fn, ctx)) *stop = true;
}

/* Each goroutine's own roots, after its stack and what it waits on: defer, select, iterators
 * (the reference writes the same list in RefRuntime.__init__). */
static bool state_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx) {
    bool stop = false;
    defer_roots(R, g, owner, fn, ctx, &stop);
    if (!stop) select_roots(R, g, owner, fn, ctx, &stop);
    if (!stop) iter_roots(R, g, owner, fn, ctx, &stop);
    return !stop;
}

/* Root 4 of docs/GC.md: the host's state (goroutine 0) first, then every goroutine by id: its
 * simulated stack, its real frames (C only), the channels it waits on, a value handed to it,
 * the arguments of one not started, then its defer records, panic values, select cases and
 * iterators. */
__attribute__((noinline)) void sched_goroutine_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    GoxSched *S = R->sched;
    if (!S) return;
    uintptr_t here = (uintptr_t)__builtin_frame_address(0);
    char owner[64], where[128];
    if (!state_roots(R, &S->host, "goroutine 0: ", fn, ctx)) goto stopped;
    for (GoxG *g = S->all_head; g; g = g->all_next) {
        snprintf(owner, sizeof owner, "goroutine %" PRIu64 ": ", g->gid);
        bool st = false;
        sim_stack_roots(R, &g->sim, owner, fn, ctx, &st);
        if (st || !walk_real(R, g, here, owner, fn, ctx)) goto stopped;
        for (size_t i = 0; i < g->nparked; i++) {
            snprintf(where, sizeof where, "%schannel it waits on", owner);
            if (!fn(R, ctx, where, g->parked_on[i])) goto stopped;
        }
        if (g->wake_ref && g->wake_value) {
            snprintf(where, sizeof where, "%svalue handed to it", owner);
            if (!fn(R, ctx, where, g->wake_value)) goto stopped;
        }
        for (size_t i = 0; i < g->nstw_args; i++) {
            snprintf(where, sizeof where, "%sargument of the call it stopped in", owner);
            if (!fn(R, ctx, where, g->stw_args[i])) goto stopped;
        }
        if (!g->started) {
            for (uint32_t i = 0; i < g->nargs; i++) {
                if (!heap_maybe_ref(R, g->args[i])) continue; /* conservative */
                snprintf(where, sizeof where, "%sargument %u", owner, i);
                if (!fn(R, ctx, where, g->args[i])) goto stopped;
            }
        }
        if (!state_roots(R, g, owner, fn, ctx)) goto stopped;
    }
    return;
stopped:
    *stop = true;
}

GoxShadowFrame **gox_current_shadow(void) { return &sched_g(gox_rt())->shadow_top; }

uint64_t *sched_current_results(void) {
    GoxG *g = sched_g(gox_rt());
    if (!g->results) g->results = xcalloc(GOX_MAX_RESULTS, sizeof *g->results);
    return g->results;
}

void sched_each_shadow(GoxRuntime *R, ShadowEachFn fn, void *ctx, bool *stop) {
    GoxSched *S = sched_of(R);
    fn(R, 0, S->host.shadow_top, NULL, ctx, stop);
    for (GoxG *g = S->all_head; g && !*stop; g = g->all_next) {
        settle(g, g == sched_current(R));
        StackView view = {g->stack ? g->stack->hi - g->saved_len : 0, g->stack ? g->stack->hi : 0, g->saved};
        fn(R, g->gid, g->shadow_top, g->saved ? &view : NULL, ctx, stop);
    }
}

void sched_free(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S) return;
    abandon(R);
    defer_free_g(&S->host);
    free(S->host.results);
    select_free_g(&S->host);
    iter_free_g(&S->host);
    workers_free(S);
    buf_free(&S->abi_err.msg);
    for (size_t i = 0; i < S->nnames; i++) free(S->name_strs[i]);
    free(S->name_strs);
    u64map_free(&S->names);
    buf_free(&S->trace);
    free(S);
    R->sched = NULL;
}
