/* oom.c: running out of memory (Go's fatal error, as gox_ref/oom.py) and the allocation that
 * cannot fail: xmalloc and its kin, grow_array. */
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gox_internal.h"

/* ---- running out of memory (docs/SCHEDULER.md, "Out of memory") ---------------------------
 * Go ends the process with "fatal error: runtime: out of memory" and exit status 2 when the
 * system refuses it memory.  Here every allocation that fails comes to gox_out_of_memory, which
 * first gives a reserve back (reporting and ending need a little memory), then:
 *   - in a goroutine, the program ends with Go's report and status 2 (it never returns);
 *   - on a worker's hub (between goroutines), the report, and the program is over (status 2)
 *     once the hub is back in its loop;
 *   - in host mode (no program on this thread), the fatal error goes in the runtime's record
 *     (GoxFatal in Python) and the call goes on.
 * xmalloc and its kin then try once more: the reserve lets the call complete, so a host's
 * runtime is never left half-changed.  Should even that fail (a request larger than the
 * reserve), the process ends as Go's would: the report and _exit(2).  The requests that may be
 * large are handled by their callers instead, which change nothing when they fail: the heap's
 * chunks, chunk table and order (heap.c), goroutine stacks (stack.c, sched.c), channel buffers,
 * map entries and indexes, pins, the global and function tables (grow_array below, or their
 * own code). */
#define OOM_RESERVE (1u << 20)
static _Atomic(void *) oom_reserve;

void oom_reserve_arm(void) {
    if (atomic_load_explicit(&oom_reserve, memory_order_relaxed)) return;
    void *p = malloc(OOM_RESERVE), *none = NULL;
    if (p && !atomic_compare_exchange_strong(&oom_reserve, &none, p)) free(p);
}

_Noreturn void oom_exit(void) {
    static const char msg[] = "fatal error: " OOM_TEXT "\n";
    fflush(stdout);
    if (write(2, msg, sizeof msg - 1) < 0) _exit(2);
    _exit(2);
}

void gox_out_of_memory(GoxRuntime *R) {
    static _Thread_local bool recording; /* a failure while recording one: the last resort */
    free(atomic_exchange(&oom_reserve, NULL));
    if (!R || recording) oom_exit();
    if (sched_out_of_memory(R)) return; /* a program runs on this thread: it is over */
    recording = true;
    gox_fail(R, ERR_FATAL, OOM_TEXT); /* host mode */
    recording = false;
}

void *grow_array(GoxRuntime *R, void *p, size_t *cap, size_t size, size_t first) {
    size_t n = *cap ? 2 * *cap : first;
    void *q = n <= SIZE_MAX / size ? realloc(p, n * size) : NULL;
    if (!q) {
        gox_out_of_memory(R);
        return NULL;
    }
    *cap = n;
    return q;
}

/* After gox_out_of_memory: the request once more, from the reserve's memory. */
static void *oom_retry(void *p) {
    if (!p) oom_exit();
    return p;
}

void *xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    if (__builtin_expect(!p, 0)) {
        gox_out_of_memory(gox_current_rt);
        p = oom_retry(malloc(n ? n : 1));
    }
    return p;
}

void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n ? n : 1, size ? size : 1);
    if (__builtin_expect(!p, 0)) {
        gox_out_of_memory(gox_current_rt);
        p = oom_retry(calloc(n ? n : 1, size ? size : 1));
    }
    return p;
}

/* Zeroed memory on a cache line's boundary, for a struct that keeps fields apart on lines of
 * their own (_Alignas(64): GoxRuntime, the workers); free() frees it. */
void *xcalloc_lines(size_t size) {
    size_t n = (size + 63) & ~(size_t)63;
    void *p = aligned_alloc(64, n ? n : 64);
    if (__builtin_expect(!p, 0)) {
        gox_out_of_memory(gox_current_rt);
        p = oom_retry(aligned_alloc(64, n ? n : 64));
    }
    memset(p, 0, n ? n : 64);
    return p;
}

void *xrealloc(void *p, size_t n) {
    void *q = realloc(p, n ? n : 1);
    if (__builtin_expect(!q, 0)) { /* (p is still the caller's) */
        gox_out_of_memory(gox_current_rt);
        q = oom_retry(realloc(p, n ? n : 1));
    }
    return q;
}

char *xstrdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *p = xmalloc(n);
    memcpy(p, s, n);
    return p;
}
