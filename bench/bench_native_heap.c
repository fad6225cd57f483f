/* bench_native_heap.c: heap workloads on the native runtime, driven from C through gox_abi.h.
 *
 * Not a test: bench/bench_heap.py builds this with the system compiler, runs it, and compares
 * the figures with the Python reference doing the same calls in the same run.  Standalone:
 *
 *     cc -O2 -std=c11 -I gox_ref_native bench/bench_native_heap.c gox_ref_native/libgox.so \
 *        -Wl,-rpath,$PWD/gox_ref_native -o /tmp/bench_native_heap
 *     /tmp/bench_native_heap [--scale S] [--repeat R]
 *
 * Every workload runs on a fresh instance (gox_runtime_new + gox_runtime_use), once with
 * gox_set_checked(false) and once with checked mode (the default); only the workload's loop is
 * timed; the figure is the best of R runs, in nanoseconds per operation, printed as JSON.
 *
 * Workloads (the counts at scale 1; bench_heap.py makes the same calls on RefRuntime):
 *   alloc_collect  gox_gc_pause; N x gox_rt_alloc(Struct, T, 3) with T = {value, value, ref};
 *                  gox_gc_resume; gox_collect_garbage (frees all N).  Per object.  N = 1M.
 *   slot_rw        one pinned struct; per iteration gox_gc_write_slot(o, 0, i),
 *                  gox_gc_write_slot(o, 2, other-or-0) (other is pinned; the collector is idle,
 *                  so no barrier is due), gox_gc_read_slot(o, 1), gox_gc_read_slot(o, 2).
 *                  Per slot call.  N = 4M calls.
 *   string_concat  two pinned short strings ("hello, ", "world"); N x gox_rt_string_concat,
 *                  results dropped (the incremental collector reclaims them).  Per call.  N = 1M.
 *   slice_append   s = 0 (nil); L x s = gox_rt_slice_append(Int, 0xFFFF, s, i), repeated
 *                  N / L times (L = 1000; the slice is rooted by being the call's argument).
 *                  Per append.  N = 1M.
 */
#define _POSIX_C_SOURCE 199309L
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "gox_abi.h"

#define NO_TYPE 0xFFFF
#define APPEND_LEN 1000

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static volatile uint64_t sink; /* keeps results observable */

static void check_error(const char *workload) {
    if (*gox_error_flag() != 0) {
        char msg[512];
        int32_t code = gox_error_take(msg, sizeof msg);
        fprintf(stderr, "bench_native_heap: %s: runtime error %d: %s\n", workload, (int)code, msg);
        exit(2);
    }
}

static uint16_t register_struct(void) {
    static const uint8_t st[3] = {GOX_SLOT_VALUE, GOX_SLOT_VALUE, GOX_SLOT_GC_REF};
    return gox_type_register("bench.T", st, 3);
}

/* Each returns the elapsed nanoseconds of its timed part. */

static double run_alloc_collect(long n) {
    uint16_t t = register_struct();
    double t0 = now_ns();
    gox_gc_pause();
    for (long i = 0; i < n; i++) gox_rt_alloc(GOX_KIND_STRUCT, t, 3);
    gox_gc_resume();
    gox_collect_garbage();
    double dt = now_ns() - t0;
    check_error("alloc_collect");
    uint64_t stats[GOX_STAT_COUNT];
    gox_gc_stats(stats, GOX_STAT_COUNT);
    if (stats[GOX_STAT_FREED_OBJECTS] != (uint64_t)n || stats[GOX_STAT_LIVE_OBJECTS] != 0) {
        fprintf(stderr, "bench_native_heap: alloc_collect: freed %" PRIu64 " of %ld, %" PRIu64 " live\n",
                stats[GOX_STAT_FREED_OBJECTS], n, stats[GOX_STAT_LIVE_OBJECTS]);
        exit(2);
    }
    return dt;
}

static double run_slot_rw(long n) {
    uint16_t t = register_struct();
    GoxRef o = gox_rt_alloc(GOX_KIND_STRUCT, t, 3);
    gox_gc_pin(o);
    GoxRef other = gox_rt_alloc(GOX_KIND_STRUCT, t, 3);
    gox_gc_pin(other);
    gox_collect_garbage(); /* the collector is idle (PAUSE) during the loop */
    check_error("slot_rw setup");
    long iters = n / 4;
    uint64_t acc = 0;
    double t0 = now_ns();
    for (long i = 0; i < iters; i++) {
        gox_gc_write_slot(o, 0, (uint64_t)i);
        gox_gc_write_slot(o, 2, (i & 1) ? other : 0);
        acc += gox_gc_read_slot(o, 1);
        acc += gox_gc_read_slot(o, 2);
    }
    double dt = now_ns() - t0;
    sink = acc;
    check_error("slot_rw");
    gox_gc_unpin(other);
    gox_gc_unpin(o);
    return dt;
}

static double run_string_concat(long n) {
    GoxRef a = gox_rt_string_from_ptr((const uint8_t *)"hello, ", 7);
    gox_gc_pin(a);
    GoxRef b = gox_rt_string_from_ptr((const uint8_t *)"world", 5);
    gox_gc_pin(b);
    check_error("string_concat setup");
    GoxRef r = 0;
    double t0 = now_ns();
    for (long i = 0; i < n; i++) r = gox_rt_string_concat(a, b);
    double dt = now_ns() - t0;
    check_error("string_concat");
    if (gox_string_len(r) != 12) {
        fprintf(stderr, "bench_native_heap: string_concat: bad result length\n");
        exit(2);
    }
    sink = r;
    gox_gc_unpin(b);
    gox_gc_unpin(a);
    return dt;
}

static double run_slice_append(long n) {
    long rounds = n / APPEND_LEN;
    GoxRef s = 0;
    double t0 = now_ns();
    for (long r = 0; r < rounds; r++) {
        s = 0;
        for (long i = 0; i < APPEND_LEN; i++) s = gox_rt_slice_append(GOX_KIND_INT, NO_TYPE, s, (uint64_t)i);
    }
    double dt = now_ns() - t0;
    check_error("slice_append");
    if (rounds && (gox_slice_len(s) != APPEND_LEN || gox_slice_get(s, APPEND_LEN - 1) != APPEND_LEN - 1)) {
        fprintf(stderr, "bench_native_heap: slice_append: bad result\n");
        exit(2);
    }
    return dt;
}

typedef double (*Workload)(long n);

typedef struct {
    const char *name;
    Workload fn;
    long base_n;  /* operations at scale 1 */
    long quantum; /* n is a multiple of this */
} Spec;

static const Spec SPECS[] = {
    {"alloc_collect", run_alloc_collect, 1000000, 1},
    {"slot_rw", run_slot_rw, 4000000, 4},
    {"string_concat", run_string_concat, 1000000, 1},
    {"slice_append", run_slice_append, 1000000, APPEND_LEN},
};

/* Best of `repeat` runs on fresh instances, in ns per operation. */
static double measure(const Spec *s, long n, bool checked, int repeat) {
    double best = -1;
    for (int k = 0; k < repeat; k++) {
        void *prev = gox_runtime_current();
        void *rt = gox_runtime_new();
        gox_runtime_use(rt);
        gox_set_checked(checked);
        if (gox_is_checked() != checked) {
            fprintf(stderr, "bench_native_heap: could not select checked=%d\n", (int)checked);
            exit(2);
        }
        double dt = s->fn(n);
        gox_runtime_use(prev);
        gox_runtime_free(rt);
        double per_op = dt / (double)n;
        if (best < 0 || per_op < best) best = per_op;
    }
    return best;
}

int main(int argc, char **argv) {
    double scale = 1.0;
    int repeat = 3;
    const char *only = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--scale") && i + 1 < argc) scale = atof(argv[++i]);
        else if (!strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = atoi(argv[++i]);
        else if (!strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
        else {
            fprintf(stderr, "usage: %s [--scale S] [--repeat R] [--only WORKLOAD]\n", argv[0]);
            return 2;
        }
    }
    if (scale <= 0) scale = 1.0;
    if (repeat < 1) repeat = 1;
    size_t nspecs = sizeof SPECS / sizeof SPECS[0];
    printf("{\"repeat\": %d, \"scale\": %g, \"results\": [", repeat, scale);
    const char *sep = "";
    for (size_t i = 0; i < nspecs; i++) {
        const Spec *s = &SPECS[i];
        if (only && strcmp(only, s->name)) continue;
        long n = (long)((double)s->base_n * scale);
        n -= n % s->quantum;
        if (n < s->quantum) n = s->quantum;
        double unchecked = measure(s, n, false, repeat);
        double checked = measure(s, n, true, repeat);
        printf("%s\n  {\"name\": \"%s\", \"n\": %ld, \"unchecked_ns\": %.3f, \"checked_ns\": %.3f}", sep, s->name, n,
               unchecked, checked);
        sep = ",";
        fflush(stdout);
    }
    printf("\n]}\n");
    return 0;
}
