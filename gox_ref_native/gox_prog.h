/* gox_prog.h: the glue every compiled .gox program shares (gox_program/compile_c.py, the
 * native backend; docs/PROGRAM_FORMAT.md "Running a program").
 *
 * A program's translation unit is the generator's #defines, this header, then the program:
 *   GX_SCHED      1 when the library has the scheduler (gox_run_main, defer frames), else 0
 *   GX_NSTR       the number of string literals (the size of gx_str; a batch: its largest)
 *   GX_FUEL       the step budget, calls plus loop iterations (--max-steps, limits.py)
 *   GX_MAX_DEPTH  frames per goroutine before "fatal error: stack overflow" (--max-depth);
 *                 0: no frame limit, only Go's 1 GB of stack (src/stack.c)
 *   GX_STEPS_MESSAGE, GX_DEPTH_MESSAGE  the runner's texts at those limits (limits.py)
 * It defines the program's runtime state and helpers (all static), so it is included once per
 * translation unit; a batch of programs (compile_c.compile_batch) shares one copy: a process
 * runs one program.  The program's own names (gx_f_*, gx_e_*, gx_names_*, gx_abi_<n>,
 * gx_install, main) are the generator's; a batch renames them per program.  Go's arithmetic
 * rules (the gx_sdiv ... gx_f2u section) are also the interpreter's, in gox_program/ops.py
 * under the same names without "gx_".
 * `make -C gox_ref_native prog-check` compiles it in both GX_SCHED modes with the project's
 * warning flags (tests/c/prog_check.c). */
#ifndef GOX_PROG_H
#define GOX_PROG_H

#include <math.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_abi.h"

/* Interface slot 0 of a run-time error's panic value: a string of value type runtime.Error
 * (gox_ref/defer.py RUNTIME_ERROR_TYPE, src/defer.c). */
#define GX_RUNTIME_ERROR_SLOT0 ((UINT64_C(0xFFFE) << 16) | GOX_KIND_STRING)

/* A program may recurse without bound on purpose (it ends with "fatal error: stack overflow"
 * at GX_MAX_DEPTH frames or Go's stack limit): the one warning generated code cannot avoid. */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Winfinite-recursion"
#elif defined(__GNUC__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Winfinite-recursion"
#endif
/* GCC's -Wclobbered (in -Wextra) flags any register local written after a defer frame's setjmp,
 * but after the longjmp a function only reads what is volatile (S[], R[]), in memory (F) or
 * not written since (gx_fr): false positives, which -O1 triggers on ordinary programs. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wclobbered"
#endif

#if !defined(GX_SCHED) || !defined(GX_NSTR) || !defined(GX_FUEL) || !defined(GX_MAX_DEPTH) || \
    !defined(GX_STEPS_MESSAGE) || !defined(GX_DEPTH_MESSAGE)
#error "gox_prog.h: define GX_SCHED, GX_NSTR, GX_FUEL, GX_MAX_DEPTH and their messages before including it"
#endif

/* TinyCC (the fuzzer's fast builds, docs/DIFF_AND_FUZZ.md "Speed") has neither _Thread_local
 * nor the __atomic builtins.  Its programs run on one worker thread (gx_one_worker refuses
 * more), where a plain static and a volatile access are what the relaxed atomics amount to. */
#if defined(__TINYC__)
#define GX_THREAD_LOCAL
#define GX_LOAD(p) (*(volatile __typeof__(*(p)) *)(p))
#define GX_STORE(p, v) (*(volatile __typeof__(*(p)) *)(p) = (v))
#else
#define GX_THREAD_LOCAL _Thread_local
#define GX_LOAD(p) __atomic_load_n((p), __ATOMIC_RELAXED)
#define GX_STORE(p, v) __atomic_store_n((p), (v), __ATOMIC_RELAXED)
#endif

typedef uint64_t (*gx_entry_t)(const uint64_t *args, uint32_t nargs);

static const int32_t *gx_err;             /* the runtime's pending error code */
static bool gx_in_main;                   /* main runs (the program is installed) */
#if GX_SCHED
/* Non-zero while a collection stops the world (parallel mode).  A loop's back-edge is a
 * safepoint (every live reference is in a shadow slot there, no temporary is): a goroutine that
 * loops without allocating stops there for the collector instead of holding it up. */
static const uint32_t *gx_stw;
static inline void gx_poll(void) { if (GX_LOAD(gx_stw)) gox_sched_poll(); }
/* A TinyCC build shares one step budget among all threads, with plain accesses: it refuses the
 * parallel mode rather than run it with a data race (main's status 125, before the program). */
static int gx_one_worker(void) {
#if defined(__TINYC__)
    const char *w = getenv("GOX_WORKERS");
    if (w && *w && strcmp(w, "1") != 0) {
        fprintf(stderr, "gox-ref: a program built with TinyCC runs on one worker: $GOX_WORKERS=%s; expected 1\n", w);
        return 0;
    }
#endif
    return 1;
}
#endif
/* Unchecked mode ($GOX_NATIVE_UNCHECKED): references are trusted, and a raw slot read or write
 * (gox_gc_read_slot / gox_gc_write_slot) is a load or a store at the documented layout (data
 * slot i at ref + 8 + 8*i), as JIT-compiled code would do it: nothing about it is validated
 * but nil, which calls the runtime for Go's nil-dereference panic (as Go's code traps it). */
static int gx_unchecked;
static inline uint64_t *gx_slots(uint64_t ref) { return (uint64_t *)(uintptr_t)(ref + 8); }
/* the string literals (reference globals; a program may have none, and only main may name it) */
static __attribute__((unused)) uint64_t gx_str[GX_NSTR > 0 ? GX_NSTR : 1];
/* The step budget, per thread: with several workers (docs/SCHEDULER.md "Parallel mode") each
 * has its own (one shared counter would make every step a cache miss).  A goroutine may move to
 * another thread while a function keeps the thread-local's old address, hence relaxed atomics:
 * a step may be counted on another worker's budget, never a data race.  Results 1.. of a
 * multi-result entry go through the goroutine's gox_shadow_results() for the same reason. */
static GX_THREAD_LOCAL int64_t gx_fuel = GX_FUEL;
static const char *gx_dump_path, *gx_dump_at;
static int gx_dumped;
/* The name each struct type id was registered with, for the heap dump (the ABI has no way to
 * ask for it); relaxed atomics, as goroutines on several workers may register types. */
static const char *gx_type_names[65536];
static const char *gx_trace_path;              /* GOX_NATIVE_TRACE: the canonical trace's file */

static inline double gx_f(uint64_t b) { double d; memcpy(&d, &b, sizeof d); return d; }
static inline uint64_t gx_b(double d) { uint64_t b; memcpy(&b, &d, sizeof b); return b; }

/* The heap at a checkpoint or at exit, for differential tests (GOX_NATIVE_DUMP=path). */
static void gx_dump(void) {
    FILE *f;
    size_t n, i, k;
    uint64_t st[GOX_STAT_COUNT], info[7], *refs, *slots, *kids;
    char *text;
    if (!gx_dump_path || gx_dumped) return;
    gx_dumped = 1;
    f = fopen(gx_dump_path, "w");
    if (!f) return;
    gox_gc_stats(st, GOX_STAT_COUNT);
    fprintf(f, "stats");
    for (i = 0; i < GOX_STAT_COUNT; i++) fprintf(f, " %llu", (unsigned long long)st[i]);
    fprintf(f, "\n");
    for (i = 0; i < 65536; i++) {
        const char *name = GX_LOAD(&gx_type_names[i]);
        if (!name) continue;
        fprintf(f, "type %zu ", i);  /* the name in hex: any bytes, one line */
        for (; *name; name++) fprintf(f, "%02x", (unsigned)(unsigned char)*name);
        fprintf(f, "\n");
    }
    n = gox_heap_walk(NULL, 0);
    refs = malloc((n + 1) * sizeof *refs);
    n = gox_heap_walk(refs, n);
    for (i = 0; i < n; i++) {
        size_t ns, nk;
        if (!gox_heap_object_info(refs[i], info, 7)) continue;
        ns = gox_heap_object_slots(refs[i], NULL, 0);
        slots = malloc((ns + 1) * sizeof *slots);
        gox_heap_object_slots(refs[i], slots, ns);
        nk = gox_heap_object_refs(refs[i], NULL, 0);
        kids = malloc((nk + 1) * sizeof *kids);
        gox_heap_object_refs(refs[i], kids, nk);
        fprintf(f, "obj %llu %llu %llu %llu %llu %llu ;", (unsigned long long)info[0], (unsigned long long)info[1],
                (unsigned long long)info[2], (unsigned long long)info[3], (unsigned long long)info[4],
                (unsigned long long)info[5]);
        for (k = 0; k < ns; k++) {
            size_t j;
            int child = 0;
            for (j = 0; j < nk; j++) child |= slots[k] != 0 && kids[j] == slots[k];
            if (child) fprintf(f, " r%llu", (unsigned long long)gox_ref_number(slots[k]));
            else if (slots[k] > 0xFFFFFFFFu && gox_ref_number(slots[k]))
                fprintf(f, " a%llu", (unsigned long long)gox_ref_number(slots[k]));
            else fprintf(f, " %llu", (unsigned long long)slots[k]);
        }
        fprintf(f, " ;");
        for (k = 0; k < nk; k++) fprintf(f, " %llu", (unsigned long long)gox_ref_number(kids[k]));
        fprintf(f, "\n");
        free(slots);
        free(kids);
    }
    free(refs);
    n = gox_heap_roots(NULL, 0);
    text = malloc(n + 1);
    gox_heap_roots(text, n + 1);
    for (char *line = text, *end; line < text + n; line = end + 1) {
        char *tab;
        end = strchr(line, '\n');
        if (!end) end = text + n;
        *end = 0;
        tab = strrchr(line, '\t');
        if (tab) {
            *tab = 0;
            fprintf(f, "root %llu\t%s\n", (unsigned long long)gox_ref_number(strtoull(tab + 1, NULL, 10)), line);
        }
    }
    free(text);
    fclose(f);
}

static inline void gx_checkpoint(const char *label) {
    if (gx_dump_at && strcmp(label, gx_dump_at) == 0) gx_dump();
}

#if GX_SCHED
/* The runtime's canonical trace (gox_ref/trace.py TraceLog.canonical()), written at exit. */
static void gx_trace_write(void) {
    FILE *f;
    size_t n;
    char *text;
    if (!gx_trace_path) return;
    gox_trace_stop();
    n = gox_trace_text(NULL, 0);
    text = malloc(n + 1);
    if (!text) return;
    gox_trace_text(text, n + 1);
    f = fopen(gx_trace_path, "w");
    if (f) {
        fwrite(text, 1, n, f);
        fclose(f);
    }
    free(text);
    gx_trace_path = NULL;
}
#else
static void gx_trace_write(void) { }
#endif

_Noreturn static void gx_exit(int status) {
    /* the reference's frames are gone when it reports: drop ours before a final dump */
    while (gox_shadow_top()) gox_shadow_pop(gox_shadow_top());
    gx_trace_write();
    if (!gx_dump_at) gx_dump();
#if GX_SCHED
    /* Outside gox_run_main (its program is over, or not started: no goroutine runs, the workers
     * are joined) the runtime is freed as a host frees one it is done with, so that every
     * program's end state -- goroutines abandoned parked in a send, a select, with defers and
     * iterators -- goes through the teardown (sched_free, the heap's release). */
    if (!gx_in_main) gox_runtime_free(gox_runtime_current());
#endif
    fflush(stdout);
    fflush(stderr);
    exit(status);
}

/* The pending error of the runtime's record: the program's way out (or, with the scheduler,
 * a panic that unwinds to the innermost defer frame). */
_Noreturn static void gx_fail(void) {
    size_t n = gox_error_message_len();
    char *msg = malloc(n + 1);
    int32_t code = gox_error_take(msg, n + 1);
    if (code == 1) {
#if GX_SCHED
        if (gx_in_main) { /* a panic of the running goroutine: it unwinds (gox_panic does not return) */
            uint64_t s;
            gox_gc_pause(); /* the panic value, allocated as the reference's is */
            s = gox_rt_string_from_ptr((const uint8_t *)msg, n);
            gox_gc_resume();
            gox_panic(GX_RUNTIME_ERROR_SLOT0, s);
            /* it returns only when it could not unwind: another error is recorded, reported
             * once (a panic error again is reported below: failing never recurses) */
            if (*gx_err && *gx_err != 1) gx_fail();
        }
#endif
        /* before main (installing globals and literals) as Go reports a panic in package
         * initialization; without the scheduler, the panic of main */
        fprintf(stderr, "panic: %s\n\ngoroutine 1 [running]:\n%s(...)\n", msg, gx_in_main ? "main.main" : "main.init");
        gx_exit(2);
    }
    if (code == 3) {
        fprintf(stderr, "fatal error: %s\n", msg);
        gx_exit(2);
    }
    fprintf(stderr, "gox-ref: ABI error: %s\n", msg);
    gx_exit(3);
}

#define GX_CHECK() do { if (*gx_err) gx_fail(); } while (0)

/* A store gox_gc_write_slot_barrier left to the pair (not a reference slot). */
__attribute__((cold, unused)) static void gx_write_pair(uint64_t obj, size_t idx, uint64_t val) {
    gox_gc_write_slot(obj, idx, val);
    GX_CHECK();
    gox_rt_write_barrier(obj, val);
}

_Noreturn static inline void gx_rterr(const char *msg) {
    gox_error_set(1, msg);
    gx_fail();
}

_Noreturn static inline void gx_abi_error(const char *msg) {
    gox_error_set(2, msg);
    gx_fail();
}

_Noreturn static inline void gx_fatal(const char *msg) {
    gox_error_set(3, msg);
    gx_fail();
}

_Noreturn static void gx_out_of_steps(void) {
    fprintf(stderr, "gox-ref: %s\n", GX_STEPS_MESSAGE);
    gx_exit(3);
}

/* The frame limit (--max-depth): the runner's line, then Go's fatal error. */
__attribute__((cold, unused)) _Noreturn static void gx_too_deep(void) {
    fprintf(stderr, "%s\n", GX_DEPTH_MESSAGE);
    gx_fatal("stack overflow");
}

static inline void gx_burn(void) {
    int64_t fuel = GX_LOAD(&gx_fuel) - 1;
    GX_STORE(&gx_fuel, fuel);
    if (fuel < 0) gx_out_of_steps();
}
/* A loop that neither calls nor panics (compile_c._plain_stmt) cannot switch goroutines or
 * threads, so it counts its steps in a local (in a register, not a memory round trip per
 * iteration) taken from the budget before the loop and given back on every way out of it. */
static inline int64_t gx_fuel_take(void) { return GX_LOAD(&gx_fuel); }
/* Every 1024th step of a plain loop, and its first below zero (-1 is 1023 mod 1024): one test
 * per iteration for both the budget and the poll (a load of the flag each time would cost a
 * tight loop a third of its time). */
__attribute__((cold, unused)) static void gx_lf_every(int64_t fuel) {
    if (fuel < 0) gx_out_of_steps();
#if GX_SCHED
    gx_poll();
#endif
}
static inline void gx_fuel_give(int64_t fuel) { GX_STORE(&gx_fuel, fuel); }

/* An integer argument outside its C parameter's range: the reference's ABI error text. */
_Noreturn static inline void gx_range(const char *sym, const char *param, uint64_t v, int is_signed, const char *ctype,
                               const char *range) {
    char buf[256];
    if (is_signed) snprintf(buf, sizeof buf, "%s: %s=%lld is out of range for %s (%s)", sym, param, (long long)v, ctype, range);
    else snprintf(buf, sizeof buf, "%s: %s=%llu is out of range for %s (%s)", sym, param, (unsigned long long)v, ctype, range);
    gx_abi_error(buf);
}

/* Go's arithmetic rules (docs/PROGRAM_FORMAT.md, "Expressions") on 64-bit slots.  The
 * interpreter's copy is gox_program/ops.py, each rule under the same name without "gx_"
 * (gx_shl is its shl_i64 and shl_u64); is_signed says whether a shift count is of a signed type. */
static inline uint64_t gx_sdiv(uint64_t a, uint64_t b) {
    if (b == 0) gx_rterr("runtime error: integer divide by zero");
    if ((int64_t)b == -1) return 0 - a;
    return (uint64_t)((int64_t)a / (int64_t)b);
}
static inline uint64_t gx_srem(uint64_t a, uint64_t b) {
    if (b == 0) gx_rterr("runtime error: integer divide by zero");
    if ((int64_t)b == -1) return 0;
    return (uint64_t)((int64_t)a % (int64_t)b);
}
static inline uint64_t gx_udiv(uint64_t a, uint64_t b) {
    if (b == 0) gx_rterr("runtime error: integer divide by zero");
    return a / b;
}
static inline uint64_t gx_urem(uint64_t a, uint64_t b) {
    if (b == 0) gx_rterr("runtime error: integer divide by zero");
    return a % b;
}
static inline uint64_t gx_shift_count(uint64_t c, int is_signed) {
    if (is_signed && (int64_t)c < 0) gx_rterr("runtime error: negative shift amount");
    return c;
}
static inline uint64_t gx_shl(uint64_t a, uint64_t c, int is_signed) {
    c = gx_shift_count(c, is_signed);
    return c < 64 ? a << c : 0;
}
static inline uint64_t gx_sar(uint64_t a, uint64_t c, int is_signed) {
    c = gx_shift_count(c, is_signed);
    return (uint64_t)((int64_t)a >> (c < 63 ? c : 63));
}
static inline uint64_t gx_shr(uint64_t a, uint64_t c, int is_signed) {
    c = gx_shift_count(c, is_signed);
    return c < 64 ? a >> c : 0;
}
static inline uint64_t gx_fdiv(uint64_t a, uint64_t b) {
    double x = gx_f(a), y = gx_f(b);
    if (y == 0.0) {
        if (x == 0.0 || isnan(x)) return UINT64_C(0x7ff8000000000000); /* ops.fdiv's NaN: float('nan') */
        return gx_b(((x < 0) != (signbit(y) != 0)) ? -INFINITY : INFINITY);
    }
    return gx_b(x / y);
}
static inline uint64_t gx_f2i(uint64_t b) {
    double d = gx_f(b);
    if (isnan(d) || isinf(d) || !(d >= -0x1p63 && d < 0x1p63)) return UINT64_C(0x8000000000000000);
    return (uint64_t)(int64_t)d;
}
static inline uint64_t gx_f2u(uint64_t b) {
    double d = gx_f(b);
    if (isnan(d) || isinf(d) || !(d >= -0x1p63 && d < 0x1p64)) return UINT64_C(0x8000000000000000);
    if (d < 0) return (uint64_t)(int64_t)d;
    return (uint64_t)d;
}
static inline gx_entry_t gx_entry_of(const void *p) {
    gx_entry_t e;
    memcpy(&e, &p, sizeof e);
    return e;
}
static inline const void *gx_ptr_of(gx_entry_t e) {
    const void *p;
    memcpy(&p, &e, sizeof p);
    return p;
}
static inline void gx_nargs(const char *fn, uint32_t got, uint32_t want) {
    char buf[160];
    if (got == want) return;
    snprintf(buf, sizeof buf, "%s: called with %u arguments, expects %u", fn, (unsigned)got, (unsigned)want);
    gx_abi_error(buf);
}

#endif /* GOX_PROG_H */
