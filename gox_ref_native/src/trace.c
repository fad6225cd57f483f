/* trace.c: the opt-in event log, in the canonical form of gox_ref/trace.py
 * (TraceLog.canonical(), docs/SCHEDULER.md section 6): one line per event,
 * "<seq> g<gid> <event>" and " key=value" per detail in key order, values as Python's repr
 * (ints in decimal, strings quoted, True/False).  seq is a logical clock; gid the running
 * goroutine (0 outside goroutines).  C hosts: gox_trace_start / gox_trace_stop /
 * gox_trace_text. */
#include <inttypes.h>
#include <string.h>

#include "gox_internal.h"

void trace_emit(GoxRuntime *R, const char *event, const TraceArg *args, size_t nargs) {
    GoxSched *S = R->sched;
    Buf *b = &S->trace;
    GoxG *g = sched_current(R);
    uint64_t gid = g ? g->gid : 0;
    buf_printf(b, "%" PRIu64 " g%" PRIu64 " %s", ++S->trace_seq, gid, event);
    for (size_t i = 0; i < nargs; i++) {
        const TraceArg *a = &args[i];
        buf_printf(b, " %s=", a->key);
        switch (a->kind) {
        case TV_U64: buf_printf(b, "%" PRIu64, a->u); break;
        case TV_I64: buf_printf(b, "%" PRId64, a->i); break;
        case TV_BOOL: buf_puts(b, a->u ? "True" : "False"); break;
        case TV_STR: buf_repr(b, (const uint8_t *)a->s, a->slen); break;
        }
    }
    buf_put(b, "\n", 1);
}

/* gc_start / gc_end with every GcStats field, sorted by name */
void trace_gc(GoxRuntime *R, const char *phase) {
    if (!trace_on(R)) return;
    uint64_t st[GOX_STAT_COUNT];
    gox_gc_stats(st, GOX_STAT_COUNT);
    TraceArg a[] = {
        {.key = "allocated_bytes", .u = st[GOX_STAT_ALLOCATED_BYTES]},
        {.key = "allocated_objects", .u = st[GOX_STAT_ALLOCATED_OBJECTS]},
        {.key = "cycles", .u = st[GOX_STAT_CYCLES]},
        {.key = "debt", .u = st[GOX_STAT_DEBT]},
        {.key = "freed_bytes", .u = st[GOX_STAT_FREED_BYTES]},
        {.key = "freed_objects", .u = st[GOX_STAT_FREED_OBJECTS]},
        {.key = "live_bytes", .u = st[GOX_STAT_LIVE_BYTES]},
        {.key = "live_objects", .u = st[GOX_STAT_LIVE_OBJECTS]},
        {.key = "pause_depth", .u = st[GOX_STAT_PAUSE_DEPTH]},
        {.key = "state", .u = st[GOX_STAT_STATE]},
        {.key = "steps", .u = st[GOX_STAT_STEPS]},
        {.key = "threshold", .u = st[GOX_STAT_THRESHOLD]},
    };
    trace_emit(R, strcmp(phase, "start") == 0 ? "gc_start" : "gc_end", a, sizeof a / sizeof a[0]);
}

void gox_trace_start(void) {
    GOX_ENTER(R);
    GoxSched *S = sched_of(R);
    S->trace.len = 0;
    if (S->trace.data) S->trace.data[0] = 0;
    S->trace_seq = 0;
    __atomic_store_n(&S->trace_on, true, __ATOMIC_RELAXED); /* (read without the lock: chan.c, C5) */
}

void gox_trace_stop(void) {
    GOX_ENTER(R);
    __atomic_store_n(&sched_of(R)->trace_on, false, __ATOMIC_RELAXED);
}

size_t gox_trace_text(char *out_text, size_t cap) {
    GOX_ENTER(R);
    GoxSched *S = sched_of(R);
    size_t n = S->trace.len;
    if (out_text && cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        if (k) memcpy(out_text, S->trace.data, k);
        out_text[k] = 0;
    }
    return n;
}
