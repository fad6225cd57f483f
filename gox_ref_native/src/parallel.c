/* parallel.c: the workers that run goroutines: their run queues, work stealing, idle workers,
 * the worker threads, and stopping the world for the collector (docs/SCHEDULER.md section 7,
 * "Parallel mode"; C only: the reference runs one goroutine at a time).
 *
 * A worker is an OS thread with a scheduler loop (the hub: worker_loop) on the thread's own
 * stack and a local FIFO run queue; worker 0 is the thread that called gox_run_main.  With one
 * worker (the default) that is all there is: no thread is made, no lock or atomic operation is
 * taken, and its queue is the reference's run queue (runq_put appends; find_work takes the
 * head, and reports the deadlock when there is none).
 *
 * Several workers (gox_sched_set_workers, $GOX_WORKERS): Go's scheduler, docs/SCHEDULER.md
 * section 7, "Workers and work stealing": lock-free rings with work stealing ("run queues"
 * below), an overflow queue and the idle workers behind idle_mu ("idle workers"), the grace
 * period of a goroutine alone in its worker's ring (STEAL_GRACE_NS, Go's runnext).  Channels
 * and select have a lock per channel (chan.c, select.c); the runtime lock (R->mu, runtime.c)
 * guards everything else (the lock order: gox_internal.h, at GoxRuntime.mu).  The collector
 * stops the world: it waits until every other goroutine on a worker has switched out or
 * stopped at a safepoint (an allocation, where its live values are roots: sched_safepoint)
 * before it reads a root; the hubs count goroutines in and out of running without the lock
 * (hub_count_in, hub_count_out).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gox_internal.h"

#ifdef GOX_TSAN
#include <sanitizer/tsan_interface.h>
#endif

/* How long a goroutine alone in a busy worker's queue is safe from thieves (Go: 3 us of
 * spinning; a timed wait sleeps a little longer than asked, the kernel's timer slack). */
#define STEAL_GRACE_NS 20000u
/* A worker takes from the overflow queue first every GQ_EVERY goroutines (Go's schedtick % 61),
 * so that goroutines there are not left behind two rings that never run dry. */
#define GQ_EVERY 61u

/* ---- the workers' state ------------------------------------------------------------------- */
/* A new scheduler's: worker 0 only, until gox_run_main makes more (workers_run). */
void workers_init(GoxRuntime *R, GoxSched *S) {
    S->workers = xcalloc_lines(MAX_WORKERS * sizeof *S->workers); /* (GoxWorker's _Alignas(64) ring) */
    S->workers[0].R = R;
    S->nworkers = 1;
    pthread_mutex_init(&S->idle_mu, NULL);
    pthread_condattr_t ca; /* a watching worker's timed wait measures the grace period */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    for (unsigned i = 0; i < MAX_WORKERS; i++) pthread_cond_init(&S->workers[i].wake_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&S->stw_stopped_cv, NULL);
    pthread_cond_init(&S->stw_done_cv, NULL);
}

void workers_free(GoxSched *S) {
    for (unsigned i = 0; i < MAX_WORKERS; i++) {
        buf_free(&S->workers[i].err.msg);
        pthread_cond_destroy(&S->workers[i].wake_cv);
    }
    free(S->workers);
    pthread_mutex_destroy(&S->idle_mu);
    pthread_cond_destroy(&S->stw_stopped_cv);
    pthread_cond_destroy(&S->stw_done_cv);
}

/* CLOCK_MONOTONIC in ns: the grace period's clock and the channel history's (history.c) */
uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- run queues (several workers) ---------------------------------------------------------- */
/* Each worker's queue is a bounded FIFO ring, Go's runq (runtime/proc.go: runqput, runqget,
 * runqgrab), and goroutines that do not fit wait in one overflow queue behind idle_mu.
 *
 * Invariants:
 *   R1  only the owner stores rq_tail and the slots at and after it; rq_head only grows, by a
 *       CAS of the owner (one goroutine) or of a thief (a batch); the ring holds
 *       rq[rq_head .. rq_tail), indices mod RUNQ_SIZE, and rq_tail - rq_head <= RUNQ_SIZE.
 *   R2  only a worker puts into its own ring (runq_put: the calling worker's; a thread that is
 *       no worker uses the overflow queue), so a worker's ring that it found empty stays empty
 *       until it queues a goroutine itself: the deadlock check below rests on this.
 * Memory order (the argument of proc.go's comments):
 *   - the owner writes a slot, then stores rq_tail with release (seq_cst in ring_put: the
 *     Dekker pattern of "idle workers"); whoever loads rq_tail with acquire and sees the new
 *     index also sees the slot and everything the putter wrote before (the goroutine's state);
 *   - a taker reads the slots, then moves rq_head with a release CAS; the owner loads rq_head
 *     with acquire before it writes a slot, so it overwrites a slot only after every taker
 *     that read it has committed (or failed its CAS and drops what it read); the owner's own
 *     overflow (ring_put_slow) may claim first and read after, since only it writes slots;
 *   - a slot may be read by a thief while the owner rewrites it (the thief's CAS then fails):
 *     the slots are atomic (relaxed), so that read is no data race, only a discarded value. */
static inline uint32_t ring_len(GoxWorker *V) {
    uint32_t h = atomic_load_explicit(&V->rq_head, memory_order_acquire);
    uint32_t t = atomic_load(&V->rq_tail); /* (seq_cst: the sleeper's half of the Dekker pattern below) */
    uint32_t n = t - h;
    return n > RUNQ_SIZE ? 0 : n; /* (h read before t moved on and h moved past it: a stale view) */
}

/* The overflow queue (idle_mu held): n goroutines linked first..last go to its back. */
static void gq_append(GoxSched *S, GoxG *first, GoxG *last, size_t n) {
    glist_append(&S->gq_head, &S->gq_tail, first, last);
    atomic_store_explicit(&S->gq_len, S->gq_len + n, memory_order_relaxed);
}

/* The owner's ring is full: its older half and g move to the overflow queue (Go's
 * runqputslow); false when a thief took some meanwhile (the ring may have room now).  The
 * half is claimed first and read after: a thief reads only from the head on, and only the
 * owner (this thread) writes slots, so the claimed ones keep their goroutines (and no array
 * of them is needed on a goroutine's small stack). */
static bool ring_put_slow(GoxSched *S, GoxWorker *W, GoxG *g, uint32_t h, uint32_t t) {
    uint32_t n = (t - h) / 2;
    if (!atomic_compare_exchange_strong_explicit(&W->rq_head, &h, h + n, memory_order_acquire, memory_order_relaxed))
        return false;
    GoxG *first = atomic_load_explicit(&W->rq[h % RUNQ_SIZE], memory_order_relaxed), *prev = first;
    for (uint32_t i = 1; i < n; i++) {
        GoxG *next = atomic_load_explicit(&W->rq[(h + i) % RUNQ_SIZE], memory_order_relaxed);
        prev->next = next;
        prev = next;
    }
    prev->next = g;
    pthread_mutex_lock(&S->idle_mu);
    gq_append(S, first, g, n + 1);
    pthread_mutex_unlock(&S->idle_mu);
    return true;
}

/* g at the back of the owner's ring; the ring's length after it (RUNQ_SIZE: it overflowed). */
static uint32_t ring_put(GoxSched *S, GoxWorker *W, GoxG *g) {
    for (;;) {
        uint32_t h = atomic_load_explicit(&W->rq_head, memory_order_acquire);
        uint32_t t = atomic_load_explicit(&W->rq_tail, memory_order_relaxed); /* (its own) */
        if (t - h < RUNQ_SIZE) {
            atomic_store_explicit(&W->rq[t % RUNQ_SIZE], g, memory_order_relaxed);
            atomic_store(&W->rq_tail, t + 1); /* (seq_cst: the putter's half of the Dekker pattern) */
            return t + 1 - h;
        }
        if (ring_put_slow(S, W, g, h, t)) return RUNQ_SIZE;
    }
}

/* The owner takes its ring's head (Go's runqget); NULL when it is empty. */
static GoxG *ring_get(GoxWorker *W) {
    uint32_t h = atomic_load_explicit(&W->rq_head, memory_order_acquire);
    for (;;) {
        uint32_t t = atomic_load_explicit(&W->rq_tail, memory_order_relaxed);
        if (t == h) return NULL;
        GoxG *g = atomic_load_explicit(&W->rq[h % RUNQ_SIZE], memory_order_relaxed);
        if (atomic_compare_exchange_weak_explicit(&W->rq_head, &h, h + 1, memory_order_release,
                                                  memory_order_acquire))
            return g;
    }
}

/* W's ring is empty (R2): the first goroutine to run, the others of a batch after it in W's
 * ring, published by one release store of its tail. */
static GoxG *ring_refill(GoxWorker *W, GoxG *first, uint32_t n) {
    uint32_t t = atomic_load_explicit(&W->rq_tail, memory_order_relaxed);
    if (n > 1) atomic_store_explicit(&W->rq_tail, t + n - 1, memory_order_release);
    return first;
}

/* The overflow queue's share for W (Go's globrunqget): the oldest goroutine to run and up to
 * a half ring more into W's (empty) ring; NULL when the queue is empty. */
static GoxG *gq_get(GoxSched *S, GoxWorker *W) {
    if (!atomic_load_explicit(&S->gq_len, memory_order_relaxed)) return NULL;
    pthread_mutex_lock(&S->idle_mu);
    size_t len = S->gq_len, n = len / S->nworkers + 1;
    if (n > len) n = len;
    if (n > RUNQ_SIZE / 2) n = RUNQ_SIZE / 2;
    if (ring_len(W)) n = n ? 1 : 0; /* (its ring is not empty: the fairness turn takes one) */
    GoxG *first = S->gq_head;
    uint32_t t = atomic_load_explicit(&W->rq_tail, memory_order_relaxed);
    for (size_t i = 0; i < n; i++) {
        GoxG *g = S->gq_head;
        S->gq_head = g->next;
        g->next = NULL;
        if (i) atomic_store_explicit(&W->rq[(t + i - 1) % RUNQ_SIZE], g, memory_order_relaxed);
    }
    if (!S->gq_head) S->gq_tail = NULL;
    atomic_store_explicit(&S->gq_len, len - n, memory_order_relaxed);
    pthread_mutex_unlock(&S->idle_mu);
    return n ? ring_refill(W, first, (uint32_t)n) : NULL;
}

/* Work stealing: the older half of the longest other ring moves to W's (empty) ring, and its
 * oldest runs.  A goroutine alone in its ring is taken only once W has seen it there for its
 * grace period (*waiting: W waits for one).  The thief keeps the time, as Go's does: the
 * owner's queue operations read no clock. */
static GoxG *steal(GoxSched *S, GoxWorker *W, bool *waiting) {
    GoxWorker *victim = NULL;
    uint32_t vlen = 0;
    uint64_t now = 0; /* read once, when a lone goroutine is first met */
    for (unsigned i = 0; i < S->nworkers; i++) {
        GoxWorker *V = &S->workers[i];
        uint32_t n = V == W ? 0 : ring_len(V);
        if (!n || n <= vlen) continue;
        if (n == 1) {
            GoxG *lone = atomic_load_explicit(&V->rq[atomic_load_explicit(&V->rq_head, memory_order_acquire) % RUNQ_SIZE],
                                              memory_order_relaxed);
            if (!now) now = now_ns();
            if (W->eyed != lone) {
                W->eyed = lone;
                W->eyed_since = now;
            }
            if (now - W->eyed_since < STEAL_GRACE_NS) {
                *waiting = true;
                continue;
            }
        }
        victim = V;
        vlen = n;
    }
    if (!victim) return NULL;
    /* Go's runqgrab: read a batch, then claim it with a CAS of the victim's head; the batch
     * (but its first) goes into W's slots, which nobody reads before W publishes its tail. */
    uint32_t t = atomic_load_explicit(&W->rq_tail, memory_order_relaxed);
    for (;;) {
        uint32_t h = atomic_load_explicit(&victim->rq_head, memory_order_acquire);
        uint32_t vt = atomic_load_explicit(&victim->rq_tail, memory_order_acquire);
        uint32_t n = vt - h;
        if (n > RUNQ_SIZE) continue; /* (a stale head: read both again) */
        n -= n / 2;
        if (!n) return NULL;
        GoxG *first = atomic_load_explicit(&victim->rq[h % RUNQ_SIZE], memory_order_relaxed);
        for (uint32_t i = 1; i < n; i++) {
            GoxG *g = atomic_load_explicit(&victim->rq[(h + i) % RUNQ_SIZE], memory_order_relaxed);
            atomic_store_explicit(&W->rq[(t + i - 1) % RUNQ_SIZE], g, memory_order_relaxed);
        }
        if (atomic_compare_exchange_weak_explicit(&victim->rq_head, &h, h + n, memory_order_release,
                                                  memory_order_relaxed))
            return ring_refill(W, first, n);
    }
}

/* ---- idle workers ---------------------------------------------------------------------------- */
/* A worker that finds no work lists itself in S->idle and sleeps on its own condition variable;
 * a putter wakes one (wake_one) only when a worker is listed, which it learns from an atomic
 * count: with every worker busy a put takes no lock.  The waker takes the worker off the list
 * (and out of the counts) itself, as Go's wakep takes an idle P, so a second put does not wake
 * the same worker again, and each wake-up is a worker that will look.
 *
 * No lost wake-up (Dekker's pattern, as Go's "delicate dance" in findrunnable): a putter
 * stores its ring's tail, then loads nidle; a worker going to sleep adds itself to nidle, then
 * loads every ring's tail again (work_elsewhere).  The four are seq_cst operations (no fences:
 * ThreadSanitizer does not model them), so they are in one total order, and one of the two
 * sees the other's store: the putter wakes a worker, or the worker does not sleep (on x86 the
 * putter's seq_cst store is one xchg).  A putter that sees a watching worker and a ring of one
 * goroutine wakes nobody: the watcher looks again within the grace period, and a goroutine
 * alone in its ring is its owner's to run until then.
 *
 * The deadlock: a worker asleep without a timeout found its ring empty and no longer puts (R2),
 * so when every worker is asleep every ring is empty, no goroutine is running (a running one is
 * its worker's) and none is in a worker's hands; the overflow queue is looked at under idle_mu
 * before a worker lists itself and is filled under it by a running goroutine only.  So the
 * worker whose sleep makes nasleep == nworkers (under idle_mu) knows that no goroutine can ever
 * be woken: it reports the deadlock (Go's checkdead, run by the M that goes idle last). */

/* idle_mu held: V leaves the list and its counts (it was woken, or its wait timed out). */
static void unlist(GoxSched *S, GoxWorker *V) {
    GoxWorker **p = &S->idle;
    while (*p != V) p = &(*p)->idle_next;
    *p = V->idle_next;
    V->idle_next = NULL;
    V->listed = false;
    atomic_fetch_sub(&S->nidle, 1);
    if (V->watching) atomic_fetch_sub(&S->nwatching, 1);
    V->watching = false;
    if (V->asleep) S->nasleep--;
    V->asleep = false;
}

/* idle_mu held: V, listed, wakes. */
static void wake_locked(GoxSched *S, GoxWorker *V) {
    unlist(S, V);
    V->woken = true;
    pthread_cond_signal(&V->wake_cv);
}

/* the first listed worker (the last to go idle: its caches are the warmest) wakes */
static void wake_one(GoxSched *S) {
    pthread_mutex_lock(&S->idle_mu);
    if (S->idle) wake_locked(S, S->idle);
    pthread_mutex_unlock(&S->idle_mu);
}

void wake_idle_worker(GoxSched *S) {
    if (S->nworkers > 1 && atomic_load(&S->nidle)) wake_one(S);
}

void wake_idle_workers(GoxSched *S) {
    if (S->nworkers < 2) return;
    pthread_mutex_lock(&S->idle_mu);
    while (S->idle) wake_locked(S, S->idle);
    pthread_mutex_unlock(&S->idle_mu);
}

/* g becomes runnable at the back of the calling worker's queue (worker 0's for the host with
 * one worker, the overflow queue's for a thread that is no worker with several).  An idle
 * worker is woken for a second goroutine in the queue, for one queued from elsewhere, or when
 * no idle worker watches the queues: a goroutine alone in its queue is its worker's next (see
 * steal), but someone must take it if its worker never stops. */
void runq_put(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched;
    GoxWorker *W = this_worker();
    if (S->nworkers == 1) { /* (the deterministic mode: no atomics, no lock) */
        runq_push(W && W->R == R ? W : &S->workers[0], g);
        return;
    }
    uint32_t n = RUNQ_SIZE;
    if (W && W->R == R) {
        n = ring_put(S, W, g);
    } else {
        pthread_mutex_lock(&S->idle_mu);
        gq_append(S, g, g, 1);
        pthread_mutex_unlock(&S->idle_mu);
    }
    if (atomic_load(&S->nidle) && (n > 1 || !atomic_load(&S->nwatching))) wake_one(S);
}

/* Is there a goroutine in any ring but W's, or in the overflow queue? */
static bool work_elsewhere(GoxSched *S, GoxWorker *W) {
    if (atomic_load_explicit(&S->gq_len, memory_order_relaxed)) return true;
    for (unsigned i = 0; i < S->nworkers; i++)
        if (&S->workers[i] != W && ring_len(&S->workers[i])) return true;
    return false;
}

/* W found no work: it sleeps until woken (watching: until the grace period is over; until, if
 * not 0: until then, CLOCK_MONOTONIC ns, the next timer's deadline).  True when the program is
 * over, W having reported the deadlock if it was that.  A worker waiting for a timer is not
 * asleep: while a timer can fire the program is not deadlocked (Go's checkdead).  seen: the
 * earliest deadline when W looked at the timers; a timer set since then (a new earliest one's
 * setter wakes a listed worker, timer.c) makes W look again: the setter stores timers_next and
 * then reads nidle, W adds itself to nidle and then reads timers_next (seq_cst, Dekker's pattern
 * as for the rings below), so one of the two sees the other. */
static bool idle_wait(GoxRuntime *R, GoxWorker *W, bool watching, uint64_t until, int64_t seen) {
    GoxSched *S = R->sched;
    pthread_mutex_lock(&S->idle_mu);
    if (S->exit_status >= 0 || S->gq_len) { /* (the overflow queue: gq_get takes it) */
        pthread_mutex_unlock(&S->idle_mu);
        return S->exit_status >= 0;
    }
    W->listed = true;
    W->woken = false;
    W->watching = watching;
    W->idle_next = S->idle;
    S->idle = W;
    atomic_fetch_add(&S->nidle, 1);
    if (watching) atomic_fetch_add(&S->nwatching, 1);
    pthread_mutex_unlock(&S->idle_mu);
    bool recheck = (!watching && work_elsewhere(S, W)) || atomic_load(&S->timers_next) != seen;
    bool deadlock = false;
    if (watching) {
        uint64_t grace = now_ns() + STEAL_GRACE_NS;
        if (!until || grace < until) until = grace;
    }
    struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
    pthread_mutex_lock(&S->idle_mu);
    while (!W->woken && S->exit_status < 0 && !recheck) {
        if (until) {
            if (pthread_cond_timedwait(&W->wake_cv, &S->idle_mu, &ts) == ETIMEDOUT) break;
            continue;
        }
        if (!W->asleep) {
            W->asleep = true;
            if (++S->nasleep == S->nworkers) {
                deadlock = true;
                break;
            }
        }
        pthread_cond_wait(&W->wake_cv, &S->idle_mu);
    }
    if (W->listed && !deadlock) unlist(S, W); /* (not woken: it leaves the list itself) */
    pthread_mutex_unlock(&S->idle_mu);
    if (deadlock) { /* W stays listed and asleep: the end wakes it with the others */
        pthread_mutex_lock(&R->mu);
        if (S->exit_status < 0) sched_deadlock(R);
        pthread_mutex_unlock(&R->mu);
        pthread_mutex_lock(&S->idle_mu);
        if (W->listed) unlist(S, W);
        pthread_mutex_unlock(&S->idle_mu);
    }
    return S->exit_status >= 0;
}

/* ---- the hub ---------------------------------------------------------------------------------- */
/* The next goroutine for W: its own queue's head, else the overflow queue's, else stolen work;
 * NULL when the program is over (the deadlock report included: nothing queued and no goroutine
 * running that could make one runnable). */
static GoxG *find_work(GoxRuntime *R, GoxWorker *W) {
    GoxSched *S = R->sched;
    if (S->nworkers == 1) { /* (the deterministic mode: the reference's run queue) */
        if (S->exit_status >= 0) return NULL;
        GoxG *g = runq_pop(W);
        while (!g && timers_advance(R)) g = runq_pop(W); /* a pending timer is no deadlock (timer.c) */
        if (!g) sched_deadlock(R);
        return g;
    }
    for (;;) {
        if (S->exit_status >= 0) return NULL;
        uint64_t until = timers_poll(R); /* (what is due fires: its goroutines join this worker's ring) */
        int64_t seen = atomic_load(&S->timers_next);
        GoxG *g = NULL;
        if (++W->ticks % GQ_EVERY == 0) g = gq_get(S, W);
        if (!g) g = ring_get(W);
        if (!g) g = gq_get(S, W);
        bool waiting = false; /* a goroutine in its grace period (steal) */
        if (!g) g = steal(S, W, &waiting);
        if (g) return g;
        hub_count_out(R, W); /* (a collection need not wait for an idle worker) */
        if (idle_wait(R, W, waiting, until, seen)) return NULL;
    }
}

/* A worker's scheduler loop (the hub), on its thread's own stack: it runs goroutines until the
 * program is over. */
static void worker_loop(GoxWorker *W) {
    GoxRuntime *R = W->R;
    GoxWorker *outer = this_worker();
    set_this_worker(W);
#ifdef GOX_TSAN
    W->tsan_fiber = __tsan_get_current_fiber();
#endif
    stack_install_guard_handler(); /* per thread: its alternate signal stack */
    for (GoxG *g; (g = find_work(R, W));) sched_run(R, W, g);
    if (R->parallel) hub_count_out(R, W);
    stack_restore_guard_handler();
    set_this_worker(outer);
}

static void *worker_thread(void *arg) {
    GoxWorker *W = arg;
    gox_runtime_use(W->R);
    worker_loop(W);
    return NULL;
}

/* ---- the worker threads ------------------------------------------------------------------------ */
/* The worker count of the next gox_run_main: gox_sched_set_workers, else $GOX_WORKERS, else 1. */
bool workers_wanted(GoxRuntime *R, unsigned *n) {
    GoxSched *S = R->sched;
    *n = 1;
    if (S->want_workers) {
        *n = S->want_workers;
        return true;
    }
    const char *env = getenv("GOX_WORKERS");
    if (!env || !*env) return true;
    char *end;
    unsigned long v = strtoul(env, &end, 10);
    if (*end || v < 1 || v > MAX_WORKERS) {
        gox_fail(R, ERR_ABI, "gox_run_main: $GOX_WORKERS=%s is not a worker count; expected 1..%u", env, MAX_WORKERS);
        return false;
    }
    *n = (unsigned)v;
    return true;
}

/* A worker thread that could not be made: Go's report (runtime/os_linux.go, newosproc), and the
 * program is over before it starts (status 2). */
static void no_worker_thread(GoxRuntime *R, unsigned have, int err) {
    char msg[256];
    int n = snprintf(msg, sizeof msg, "runtime: failed to create new OS thread (have %u already; errno=%d)\n%s"
                     "fatal error: newosproc\n", have, err,
                     err == EAGAIN ? "runtime: may need to increase max user processes (ulimit -u)\n" : "");
    pthread_mutex_lock(&R->mu); /* (the workers already made may be running goroutines) */
    sched_write_err(R, msg, (size_t)n);
    sched_end_status(R, 2);
    pthread_mutex_unlock(&R->mu);
}

void gox_sched_set_workers(uint32_t n) {
    GOX_ENTER(R);
    GoxSched *S = sched_of(R);
    if (S->running) {
        gox_fail(R, ERR_ABI, "gox_sched_set_workers: a program is running; expected a call before gox_run_main");
        return;
    }
    if (n > MAX_WORKERS) {
        gox_fail(R, ERR_ABI, "gox_sched_set_workers: n=%u; expected 0 ($GOX_WORKERS, else 1) or 1..%u", n, MAX_WORKERS);
        return;
    }
    S->want_workers = n;
}

/* The program runs on nworkers workers (its main goroutine queued on worker 0's queue): worker 0
 * is the calling thread, the others are made here, and joined once the program is over. */
void workers_run(GoxRuntime *R, unsigned nworkers) {
    GoxSched *S = R->sched;
    (void)stack_size(); /* settled before other threads read it */
    S->nworkers = nworkers;
    R->parallel = nworkers > 1;
    for (unsigned i = 0; i < nworkers; i++) {
        GoxWorker *W = &S->workers[i];
        W->R = R;
        /* a select's generator per worker (one worker draws from S->rng, the reference's) */
        W->rng = (Rng){S->rng.state ^ (0xD1B54A32D192ED03ULL * (i + 1)), 0};
    }
    GoxWorker *W0 = &S->workers[0];
    /* the main goroutine: into worker 0's ring (this thread is worker 0's) */
    while (R->parallel && W0->runq_head) ring_put(S, W0, runq_pop(W0));
    unsigned started = 1;
    for (; started < nworkers; started++) {
        int rc = pthread_create(&S->workers[started].thread, NULL, worker_thread, &S->workers[started]);
        if (rc != 0) { /* (no memory for its stack, or a process limit): Go's newosproc throws */
            no_worker_thread(R, started, rc);
            break;
        }
    }
    worker_loop(&S->workers[0]);
    for (unsigned i = 1; i < started; i++) pthread_join(S->workers[i].thread, NULL);
    for (unsigned i = 0; i < nworkers; i++) { /* (what they held is abandoned: sched.c) */
        GoxWorker *W = &S->workers[i];
        atomic_store_explicit(&W->rq_head, 0, memory_order_relaxed);
        atomic_store_explicit(&W->rq_tail, 0, memory_order_relaxed);
        W->ticks = 0;
        W->eyed = NULL;
    }
    S->gq_head = S->gq_tail = NULL;
    atomic_store_explicit(&S->gq_len, 0, memory_order_relaxed);
    R->parallel = false;
    heap_workers_done(R); /* the allocation caches into R->order and R's counts (heap.c) */
    S->nworkers = 1;
}

/* ---- stopping the world (parallel mode) ---------------------------------------------------- */
/* The count of running goroutines without the runtime lock: each worker's nrunning, the hubs'
 * side of the handshake (Dekker's pattern again, with seq_cst operations).  A hub counts itself
 * in before it runs a goroutine and then reads stw_pending; a collector sets stw_pending and then
 * reads the counts.  One of the two sees the other: the hub backs out and waits (its goroutine
 * does not start), or the collector waits for the hub to count out.
 *
 * A hub stays counted from one goroutine to the next (GoxWorker.counted): a goroutine that
 * switches out leaves the count as it is, and the hub, before it starts the next one, only reads
 * stw_pending (hub_count_in).  It counts out when it sees a collection pending, before it waits
 * for work (find_work) and when its loop ends.  Two atomic read-modify-writes per switch were a
 * seventh of a two-worker ping-pong run.  So a worker's count drops to 0 only on its hub's stack,
 * every goroutine it ran switched out completely (on_cpu clear): a collector that saw the counts
 * drop never waits for a goroutine's switch that needs the runtime lock it holds (an earlier
 * version counted a goroutine out before its switch, and a collector then waited in settle for
 * a goroutine that waited for R->mu: the TSan fuzz test's hang in CI).
 *
 * A hub that counts out reads stw_pending after its decrement and, if a collector waits, signals
 * it under R->mu (the collector reads the counts under R->mu before it sleeps on stw_stopped_cv,
 * so the signal is not lost).  The decrement is a release and the collector's read an acquire:
 * what the goroutines did before they switched out happens before the collector reads their
 * roots.  Counting takes no lock unless a collection is pending. */
static void count_in(GoxRuntime *R, GoxWorker *W) {
    GoxSched *S = R->sched;
    for (;;) {
        atomic_fetch_add(&W->nrunning, 1);
        if (!__atomic_load_n(&S->stw_pending, __ATOMIC_SEQ_CST)) break;
        pthread_mutex_lock(&R->mu);
        atomic_fetch_sub(&W->nrunning, 1);
        pthread_cond_signal(&S->stw_stopped_cv);
        while (S->stw_pending) pthread_cond_wait(&S->stw_done_cv, &R->mu);
        pthread_mutex_unlock(&R->mu);
    }
    W->counted = true;
}

void hub_count_out(GoxRuntime *R, GoxWorker *W) { /* (R->mu not held) */
    if (!W->counted) return;
    W->counted = false;
    GoxSched *S = R->sched;
    atomic_fetch_sub(&W->nrunning, 1);
    if (!__atomic_load_n(&S->stw_pending, __ATOMIC_SEQ_CST)) return;
    pthread_mutex_lock(&R->mu);
    pthread_cond_signal(&S->stw_stopped_cv);
    pthread_mutex_unlock(&R->mu);
}

void hub_count_in(GoxRuntime *R, GoxWorker *W) {
    if (W->counted) {
        if (!__atomic_load_n(&R->sched->stw_pending, __ATOMIC_SEQ_CST)) return;
        hub_count_out(R, W); /* (a collection waits for this worker: it stops here) */
    }
    count_in(R, W);
}

/* the rest: R->mu held */
/* the goroutines counted running on every worker (seq_cst loads: the collector's half of the
 * handshake, after its store of stw_pending) */
static unsigned running_count(GoxSched *S) {
    unsigned n = 0;
    for (unsigned i = 0; i < S->nworkers; i++) n += atomic_load(&S->workers[i].nrunning);
    return n;
}

/* g stops here until the collector is done; its live values are roots meanwhile. */
static void stw_wait(GoxRuntime *R, GoxG *g, const uint64_t *args, size_t nargs) {
    GoxSched *S = R->sched;
    g->stw_args = args;
    g->nstw_args = nargs;
    g->stw_fp = (uintptr_t)__builtin_frame_address(0);
    g->stw_stopped = true;
    GoxWorker *W = this_worker(); /* (g's: it stops on its own thread) */
    atomic_fetch_sub(&W->nrunning, 1);
    pthread_cond_signal(&S->stw_stopped_cv);
    while (S->stw_pending) pthread_cond_wait(&S->stw_done_cv, &R->mu);
    atomic_fetch_add(&W->nrunning, 1);
    g->stw_stopped = false;
    g->stw_args = NULL;
    g->nstw_args = 0;
    sched_after_lock(R); /* the program ended meanwhile: g is abandoned here */
}

const uint32_t *gox_sched_preempt_flag(void) {
    GOX_ENTER(R);
    return &sched_of(R)->preempt;
}

/* Compiled loops call it at a back-edge when the flag above is set: a goroutine that loops
 * without allocating stops for the collector there (every live reference of it is in its
 * shadow frames then), instead of holding the whole world up until the loop ends. */
void gox_sched_poll(void) {
    GOX_ENTER(R);
    sched_safepoint(R, NULL, 0);
}

void sched_safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    if (!R->parallel || !R->sched->stw_pending) return;
    GoxG *g = sched_current(R);
    if (g) stw_wait(R, g, args, nargs);
}

/* The caller (the collector, in a goroutine) waits until every other goroutine on a worker
 * has stopped at a safepoint or switched out; a worker does not resume one meanwhile. */
void sched_stop_world(GoxRuntime *R) {
    if (!R->parallel) return;
    GoxSched *S = R->sched;
    GoxG *me = sched_current(R);
    while (S->stw_pending && me) stw_wait(R, me, NULL, 0); /* another collector is first */
    __atomic_store_n(&S->stw_pending, 1, __ATOMIC_SEQ_CST); /* (then the counts: hub_count_in) */
    __atomic_store_n(&S->preempt, 1, __ATOMIC_RELAXED);
    while (running_count(S) > (me ? 1u : 0u)) {
        pthread_cond_wait(&S->stw_stopped_cv, &R->mu);
        if (S->exit_status >= 0) { /* the program ended meanwhile: no collection, and me stops */
            sched_start_world(R);
            sched_after_lock(R);
        }
    }
    S->world_epoch++; /* objects may die now: every goroutine's live_known forgets (chan.c, C5) */
    heap_world_stopped(R); /* no lock-free reader runs: deferred frees, chunks to retire (heap.c) */
}

void sched_start_world(GoxRuntime *R) {
    if (!R->parallel) return;
    /* (release: a hub that reads 0 in hub_count_in runs its goroutine after the collection,
     * without R->mu; everything the collector did happens before) */
    __atomic_store_n(&R->sched->stw_pending, 0, __ATOMIC_RELEASE);
    if (R->sched->exit_status < 0) __atomic_store_n(&R->sched->preempt, 0, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&R->sched->stw_done_cv);
}
