/* sched.c: goroutines on native stacks and the deterministic scheduler (gox_ref/sched.py,
 * docs/SCHEDULER.md section 1).
 *
 * One goroutine runs at a time on the thread that called gox_run_main.  The scheduler loop (the
 * hub) runs on that thread's own stack; each goroutine runs on a pooled stack (stack.c) and the
 * hand-written context switch (ctx_<arch>.S) moves between them.  The run queue is one FIFO:
 * spawn appends, yield appends the running goroutine, a wake appends the woken one (the waker
 * keeps running), a goroutine that blocks is in no queue.  The program ends when the main
 * goroutine returns (every other goroutine is abandoned without running more code), when a
 * goroutine panics past its outermost frame, on a fatal error, or when the queue is empty while
 * main has not returned (the deadlock report).
 *
 * Program mode: while a goroutine runs, a run-time error raised inside any ABI call (gox_fail
 * with a panic) becomes a panic of that goroutine and never returns to the caller (defer.c);
 * a fatal error ends the program (status 2); an ABI error ends it too, and gox_run_main
 * returns -1 with the error in the record.  Outside a program (host mode) every error stays in
 * the record, as before.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

#ifdef GOX_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

GoxSched *sched_of(GoxRuntime *R) {
    if (!R->sched) {
        GoxSched *S = xcalloc(1, sizeof *S);
        S->host.gid = 0;
        S->host.status = G_RUNNABLE;
        S->next_gid = S->next_fid = S->next_iter = 1;
        S->exit_status = -1;
        R->sched = S;
    }
    return R->sched;
}

GoxG *sched_g(GoxRuntime *R) {
    GoxSched *S = sched_of(R);
    return S->current ? S->current : &S->host;
}

bool sched_program_mode(GoxRuntime *R) { return R->sched && R->sched->current; }

GoxG *sched_running(GoxRuntime *R, const char *what) {
    GoxSched *S = sched_of(R);
    if (S->current) return S->current;
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
    GoxRuntime *R = gox_rt();
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
    free(g->parked_on);
    free(g->sim.frames);
    free(g->sim.mem);
    if (g->stack) stack_release(g->stack);
    free(g);
}

static void runq_push(GoxSched *S, GoxG *g) {
    g->next = NULL;
    if (S->runq_tail)
        S->runq_tail->next = g;
    else
        S->runq_head = g;
    S->runq_tail = g;
}

static GoxG *runq_pop(GoxSched *S) {
    GoxG *g = S->runq_head;
    if (g) {
        S->runq_head = g->next;
        if (!S->runq_head) S->runq_tail = NULL;
        g->next = NULL;
    }
    return g;
}

/* ---- switching ------------------------------------------------------------------------------ */
static void to_hub(GoxRuntime *R, GoxG *g, bool dying) {
    GoxSched *S = R->sched;
#ifdef GOX_ASAN
    __sanitizer_start_switch_fiber(dying ? NULL : &g->asan_fake, (const void *)S->hub_lo, S->hub_hi - S->hub_lo);
#else
    (void)dying;
#endif
    gox_ctx_switch(&g->ctx_sp, S->hub_sp);
#ifdef GOX_ASAN
    __sanitizer_finish_switch_fiber(g->asan_fake, NULL, NULL);
#endif
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
    GoxSched *S = R->sched;
    GoxG *g = S->current;
    if (S->exit_status < 0) S->exit_status = status;
    g->status = G_DEAD;
    to_hub(R, g, true);
    abort(); /* an ended program's goroutine is never resumed */
}

static void goroutine_main(void *arg) {
    GoxRuntime *R = arg;
    GoxSched *S = R->sched;
#ifdef GOX_ASAN
    const void *hub_bottom;
    size_t hub_size;
    __sanitizer_finish_switch_fiber(NULL, &hub_bottom, &hub_size);
    S->hub_lo = (uintptr_t)hub_bottom;
    S->hub_hi = (uintptr_t)hub_bottom + hub_size;
#endif
    GoxG *g = S->current;
    g->started = true;
    sched_call_entry(R, g->entry, g->args, g->nargs);
    /* returned normally (a panic or fatal error never comes back here) */
    g->status = G_DEAD;
    sched_trace0(R, "exit");
    unlink_all(S, g); /* an ended goroutine holds nothing (and is no root) */
    S->dead = g;
    if (g->gid == S->main_gid && S->exit_status < 0) S->exit_status = 0;
    to_hub(R, g, true);
    abort();
}

static void run(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched;
    S->current = g;
    g->status = G_RUNNING;
    R->sim = &g->sim;
    sched_trace0(R, "run");
    if (!g->ctx_sp) {
        g->stack = stack_acquire();
        g->ctx_sp = ctx_make(g->stack->hi, goroutine_main, R);
    }
#ifdef GOX_ASAN
    __sanitizer_start_switch_fiber(&S->hub_asan_fake, (const void *)g->stack->lo, g->stack->hi - g->stack->lo);
#endif
    gox_ctx_switch(&S->hub_sp, g->ctx_sp);
#ifdef GOX_ASAN
    __sanitizer_finish_switch_fiber(S->hub_asan_fake, NULL, NULL);
#endif
    S->current = NULL;
    R->sim = &R->host_sim;
    if (S->dead) {
        free_goroutine(S->dead);
        S->dead = NULL;
    }
}

void sched_park(GoxRuntime *R, GoxG *g, const char *reason, const uint64_t *chans, size_t nchans) {
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
    to_hub(R, g, false);
    g->nparked = 0;
    g->wake_ref = false; /* the value now belongs to the goroutine's own frames */
}

void sched_ready(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched;
    g->status = G_RUNNABLE;
    g->wait_reason = "";
    runq_push(S, g);
    sched_trace_u(R, "wake", "target", g->gid);
}

uint64_t sched_call_entry(GoxRuntime *R, const void *fn, const uint64_t *args, uint32_t nargs) {
    if (!fn) {
        gox_fail(R, ERR_PANIC, "runtime error: invalid memory address or nil pointer dereference");
        return 0;
    }
    GoxEntry f;
    memcpy(&f, &fn, sizeof f); /* POSIX: object and function pointers convert */
    return f(args, nargs);
}

static const char *status_name(int st) {
    switch (st) {
    case G_RUNNABLE: return "runnable";
    case G_RUNNING: return "running";
    case G_WAITING: return "waiting";
    default: return "dead";
    }
}

static void deadlock(GoxRuntime *R) {
    GoxSched *S = R->sched;
    Buf b = {0};
    buf_puts(&b, "fatal error: all goroutines are asleep - deadlock!\n\n");
    for (GoxG *g = S->all_head; g; g = g->all_next) {
        if (g->status == G_DEAD) continue;
        buf_printf(&b, "goroutine %" PRIu64 " [%s]:\n", g->gid, *g->wait_reason ? g->wait_reason : status_name(g->status));
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
    S->exit_status = 2;
}

/* The program is over: forget every goroutine without running its code.  A parked goroutine's
 * waiters leave their channels' queues (the reference leaves them queued; nothing could wake
 * them usefully, and C must not keep pointers to freed goroutines). */
static void abandon(GoxRuntime *R) {
    GoxSched *S = R->sched;
    while (S->all_head) {
        GoxG *g = S->all_head;
        unlink_all(S, g);
        free_goroutine(g);
    }
    if (S->dead) free_goroutine(S->dead);
    S->dead = NULL;
    S->runq_head = S->runq_tail = NULL;
    S->current = NULL;
    R->sim = &R->host_sim;
}

/* ---- the ABI ------------------------------------------------------------------------------- */
int32_t gox_run_main(GoxEntryFn main_fn, const uint64_t *args, uint32_t args_len, uint64_t seed) {
    GoxRuntime *R = gox_rt();
    GoxSched *S = sched_of(R);
    if (S->running) {
        gox_fail(R, ERR_ABI, "gox_run_main: a program is already running on this runtime");
        return -1;
    }
    S->rng = (Rng){seed, 0};
    S->running = true;
    S->exit_status = -1;
    S->abi_error = false;
    const void *entry;
    memcpy(&entry, &main_fn, sizeof entry);
    GoxG *m = new_goroutine(R, entry, args, args_len);
    S->main_gid = m->gid;
    sched_trace_u(R, "spawn", "child", m->gid);
    runq_push(S, m);
    stack_install_guard_handler();
    for (;;) {
        if (S->exit_status >= 0) break;
        GoxG *g = runq_pop(S);
        if (!g) {
            deadlock(R);
            break;
        }
        run(R, g);
    }
    abandon(R);
    stack_restore_guard_handler();
    S->running = false;
    if (S->abi_error) return -1;
    return S->exit_status < 0 ? 0 : S->exit_status;
}

void gox_go_spawn(const void *func_ptr, const uint64_t *args, uint32_t args_len) {
    GoxRuntime *R = gox_rt();
    GoxSched *S = sched_of(R);
    if (!func_ptr) {
        /* Go's newproc1: fatal("go of nil func value"), an error no recover stops. */
        gox_fail(R, ERR_FATAL, "go of nil func value");
        return;
    }
    uint64_t live_small[8];
    uint64_t *live = args_len <= 8 ? live_small : xmalloc(args_len * sizeof *live);
    size_t nlive = 0;
    for (uint32_t i = 0; i < args_len; i++)
        if (args[i] && heap_is_live(R, args[i])) live[nlive++] = args[i];
    bool ok = gc_safepoint(R, live, nlive);
    if (live != live_small) free(live);
    if (!ok) return;
    GoxG *g = new_goroutine(R, func_ptr, args, args_len);
    sched_trace_u(R, "spawn", "child", g->gid);
    runq_push(S, g);
}

void gox_yield(void) {
    GoxRuntime *R = gox_rt();
    GoxSched *S = sched_of(R);
    GoxG *g = S->current;
    if (!g) return; /* the host has nobody to yield to */
    g->status = G_RUNNABLE;
    runq_push(S, g);
    sched_trace0(R, "yield");
    to_hub(R, g, false);
}

/* ---- errors in program mode ------------------------------------------------------------------ */
void sched_fatal(GoxRuntime *R, const char *msg) {
    Buf b = {0};
    buf_printf(&b, "fatal error: %s\n", msg);
    sched_write_err(R, b.data, b.len);
    buf_free(&b);
    sched_end_program(R, 2);
}

void sched_on_error(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S || !S->current) return;
    switch (R->err_code) {
    case ERR_PANIC:
        defer_runtime_error(R);
    case ERR_FATAL: {
        char *msg = xstrdup(R->err_msg.data ? R->err_msg.data : "");
        R->err_code = ERR_NONE;
        R->err_msg.len = 0;
        sched_fatal(R, msg); /* (msg is freed with the program: it never returns) */
    }
    default:
        /* an ABI error: the program stops; gox_run_main returns -1 with the record set, as the
         * reference's run_main lets the GoxABIError out */
        S->abi_error = true;
        sched_end_program(R, 2);
    }
}

/* ---- roots ------------------------------------------------------------------------------------ */
static bool walk_real(GoxRuntime *R, GoxG *g, uintptr_t here_fp, const char *owner, RootFn fn, void *ctx) {
    bool stop = false;
    if (!g->stack) return true;
    uintptr_t fp = g == R->sched->current ? here_fp : (g->ctx_sp ? ctx_saved_fp(g->ctx_sp) : 0);
    if (fp) stack_real_roots(R, fp, g->stack->lo, g->stack->hi, owner, fn, ctx, &stop);
    return !stop;
}

__attribute__((noinline)) void sched_current_real_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    if (!R->sched || !R->sched->current) return;
    if (!walk_real(R, R->sched->current, (uintptr_t)__builtin_frame_address(0), "", fn, ctx)) *stop = true;
}

static bool state_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx) {
    bool stop = false;
    defer_goroutine_roots(R, g, owner, fn, ctx, &stop);
    if (!stop) select_roots(R, g, owner, fn, ctx, &stop);
    if (!stop && g->status != G_DEAD) iter_roots(R, g, owner, fn, ctx, &stop);
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
        if (!g->started) {
            for (uint32_t i = 0; i < g->nargs; i++) {
                if (!g->args[i] || !heap_is_live(R, g->args[i])) continue; /* conservative */
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

void sched_each_shadow(GoxRuntime *R, ShadowEachFn fn, void *ctx, bool *stop) {
    GoxSched *S = sched_of(R);
    fn(R, 0, S->host.shadow_top, ctx, stop);
    for (GoxG *g = S->all_head; g && !*stop; g = g->all_next) fn(R, g->gid, g->shadow_top, ctx, stop);
}

void sched_free(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S) return;
    abandon(R);
    defer_free_g(&S->host);
    select_free_g(&S->host);
    iter_free_g(&S->host);
    for (size_t i = 0; i < S->nnames; i++) free(S->name_strs[i]);
    free(S->name_strs);
    u64map_free(&S->names);
    buf_free(&S->trace);
    free(S);
    R->sched = NULL;
}
