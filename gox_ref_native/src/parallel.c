/* parallel.c: the workers that run goroutines: their run queues, work stealing, idle workers,
 * the worker threads, and stopping the world for the collector (docs/SCHEDULER.md section 7,
 * "Parallel mode"; C only: the reference runs one goroutine at a time).
 *
 * A worker is an OS thread with a scheduler loop (the hub: worker_loop) on the thread's own
 * stack and a local FIFO run queue; worker 0 is the thread that called gox_run_main.  With one
 * worker (the default) that is all there is: no thread is made, no lock is taken, and its
 * queue is the reference's run queue (runq_put appends; find_work takes the head, and reports
 * the deadlock when there is none).
 *
 * Several workers (gox_sched_set_workers, $GOX_WORKERS): the queues, stealing and the grace
 * period of a goroutine alone in its worker's queue (STEAL_GRACE_NS, Go's runnext) follow
 * docs/SCHEDULER.md section 7, "Workers and work stealing".  One lock (qmu) guards the queues
 * and the count of goroutines taken from them; the runtime lock (R->mu, runtime.c) guards
 * everything else, and is what makes channels and select atomic: a select completes at most
 * one case because its whole decision runs under the lock (the lock order: gox_internal.h, at
 * GoxRuntime.mu).  The collector stops the world: it waits until every other goroutine on a
 * worker has switched out or stopped at a safepoint (an allocation, where its live values are
 * roots: sched_safepoint) before it reads a root.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
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

/* ---- the workers' state ------------------------------------------------------------------- */
/* A new scheduler's: worker 0 only, until gox_run_main makes more (workers_run). */
void workers_init(GoxRuntime *R, GoxSched *S) {
    S->workers = xcalloc(MAX_WORKERS, sizeof *S->workers);
    S->workers[0].R = R;
    S->nworkers = 1;
    pthread_mutex_init(&S->qmu, NULL);
    pthread_condattr_t ca; /* the idle workers' timed waits measure the grace period */
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&S->idle_cv, &ca);
    pthread_condattr_destroy(&ca);
    pthread_cond_init(&S->stw_stopped_cv, NULL);
    pthread_cond_init(&S->stw_done_cv, NULL);
}

void workers_free(GoxSched *S) {
    for (unsigned i = 0; i < MAX_WORKERS; i++) buf_free(&S->workers[i].err.msg);
    free(S->workers);
    pthread_mutex_destroy(&S->qmu);
    pthread_cond_destroy(&S->idle_cv);
    pthread_cond_destroy(&S->stw_stopped_cv);
    pthread_cond_destroy(&S->stw_done_cv);
}

/* ---- run queues (qmu) ------------------------------------------------------------------------- */
static void qlock(GoxSched *S) {
    if (S->nworkers > 1) pthread_mutex_lock(&S->qmu);
}

static void qunlock(GoxSched *S) {
    if (S->nworkers > 1) pthread_mutex_unlock(&S->qmu);
}

/* CLOCK_MONOTONIC in ns: the grace period's clock and the channel history's (history.c) */
uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Work stealing (qmu held): half of the longest other queue, oldest first, moves to W's.  A
 * goroutine alone in its queue is taken only once W has seen it there for its grace period
 * (*waiting: W waits for one).  The thief keeps the time, as Go's does: the owner's queue
 * operations read no clock. */
static GoxG *steal(GoxSched *S, GoxWorker *W, bool *waiting) {
    GoxWorker *victim = NULL;
    uint64_t now = 0; /* read once, when a lone goroutine is first met */
    for (unsigned i = 0; i < S->nworkers; i++) {
        GoxWorker *V = &S->workers[i];
        if (V == W || !V->runq_len || (victim && V->runq_len <= victim->runq_len)) continue;
        if (V->runq_len == 1) {
            if (!now) now = now_ns();
            if (W->eyed != V->runq_head) {
                W->eyed = V->runq_head;
                W->eyed_since = now;
            }
            if (now - W->eyed_since < STEAL_GRACE_NS) {
                *waiting = true;
                continue;
            }
        }
        victim = V;
    }
    if (!victim) return NULL;
    for (size_t n = (victim->runq_len + 1) / 2; n; n--) runq_push(W, runq_pop(victim));
    return runq_pop(W);
}

/* g becomes runnable at the back of the calling worker's queue (worker 0's for the host).  An
 * idle worker is woken for a second goroutine in the queue, for one the worker's own thread did
 * not queue, or when no idle worker watches the queues: a goroutine alone in its queue is its
 * worker's next (see steal), but someone must take it if its worker never stops. */
void runq_put(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched;
    GoxWorker *self = this_worker(), *W = self;
    if (!W || W->R != R) W = &S->workers[0];
    qlock(S);
    runq_push(W, g);
    if (S->nidle && (W->runq_len > 1 || W != self || !S->nwatching)) pthread_cond_signal(&S->idle_cv);
    qunlock(S);
}

void wake_idle_workers(GoxSched *S) {
    if (S->nworkers < 2) return;
    pthread_mutex_lock(&S->qmu);
    pthread_cond_broadcast(&S->idle_cv);
    pthread_mutex_unlock(&S->qmu);
}

/* ---- the hub ---------------------------------------------------------------------------------- */
/* The next goroutine for W: its own queue's head, else stolen work; NULL when the program is
 * over (the deadlock report included: nothing queued and no goroutine running that could
 * make one runnable). */
static GoxG *find_work(GoxRuntime *R, GoxWorker *W) {
    GoxSched *S = R->sched;
    qlock(S);
    for (;;) {
        if (S->exit_status >= 0) break;
        bool waiting = false; /* a goroutine in its grace period (steal) */
        GoxG *g = runq_pop(W);
        if (!g && S->nworkers > 1) g = steal(S, W, &waiting);
        if (g) {
            S->active++;
            qunlock(S);
            return g;
        }
        if (S->active == 0 && !waiting) {
            qunlock(S);
            if (R->parallel) pthread_mutex_lock(&R->mu);
            if (S->exit_status < 0) sched_deadlock(R);
            if (R->parallel) pthread_mutex_unlock(&R->mu);
            return NULL;
        }
        S->nidle++;
        if (waiting) {
            uint64_t until = now_ns() + STEAL_GRACE_NS;
            struct timespec ts = {(time_t)(until / 1000000000u), (long)(until % 1000000000u)};
            S->nwatching++;
            pthread_cond_timedwait(&S->idle_cv, &S->qmu, &ts);
            S->nwatching--;
        } else {
            pthread_cond_wait(&S->idle_cv, &S->qmu);
        }
        S->nidle--;
    }
    qunlock(S);
    return NULL;
}

/* A worker's scheduler loop (the hub), on its thread's own stack: it runs goroutines until the
 * program is over. */
static void worker_loop(GoxWorker *W) {
    GoxRuntime *R = W->R;
    GoxSched *S = R->sched;
    GoxWorker *outer = this_worker();
    set_this_worker(W);
#ifdef GOX_TSAN
    W->tsan_fiber = __tsan_get_current_fiber();
#endif
    stack_install_guard_handler(); /* per thread: its alternate signal stack */
    for (GoxG *g; (g = find_work(R, W));) {
        sched_run(R, W, g);
        qlock(S);
        S->active--; /* (counted by find_work) */
        qunlock(S);
    }
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
    for (unsigned i = 0; i < nworkers; i++) S->workers[i].R = R;
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
    R->parallel = false;
    S->nworkers = 1;
}

/* ---- stopping the world (parallel mode; R->mu held) --------------------------------------- */
/* g stops here until the collector is done; its live values are roots meanwhile. */
static void stw_wait(GoxRuntime *R, GoxG *g, const uint64_t *args, size_t nargs) {
    GoxSched *S = R->sched;
    g->stw_args = args;
    g->nstw_args = nargs;
    g->stw_fp = (uintptr_t)__builtin_frame_address(0);
    g->stw_stopped = true;
    S->nrunning--;
    pthread_cond_signal(&S->stw_stopped_cv);
    while (S->stw_pending) pthread_cond_wait(&S->stw_done_cv, &R->mu);
    S->nrunning++;
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
    __atomic_store_n(&S->stw_pending, 1, __ATOMIC_RELAXED);
    __atomic_store_n(&S->preempt, 1, __ATOMIC_RELAXED);
    while (S->nrunning > (me ? 1u : 0u)) {
        pthread_cond_wait(&S->stw_stopped_cv, &R->mu);
        if (S->exit_status >= 0) { /* the program ended meanwhile: no collection, and me stops */
            sched_start_world(R);
            sched_after_lock(R);
        }
    }
}

void sched_start_world(GoxRuntime *R) {
    if (!R->parallel) return;
    __atomic_store_n(&R->sched->stw_pending, 0, __ATOMIC_RELAXED);
    if (R->sched->exit_status < 0) __atomic_store_n(&R->sched->preempt, 0, __ATOMIC_RELAXED);
    pthread_cond_broadcast(&R->sched->stw_done_cv);
}
