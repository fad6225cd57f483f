/* runtime.c: runtime instances and the C-only host functions (group "host" of the ABI table):
 * the error record, checked mode, captured output, and the heap walk behind snapshots. */
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

_Thread_local GoxRuntime *gox_current_rt GOX_TLS_FAST;
static GoxRuntime *default_rt;

void *gox_runtime_new(void) {
    oom_reserve_arm();
    GoxRuntime *R = xcalloc_lines(sizeof *R); /* (its _Alignas(64) fields) */
    R->next_num = 1;
    R->dead_mark = -1;
    R->checked = true;
    R->hot_key = HOT_NONE;
    heap_types_init(R);
    pthread_mutex_init(&R->mu, NULL);
    gc_reset(R);
    return R;
}

GoxRuntime *gox_rt_first_use(void) {
    if (!gox_current_rt) {
        if (!default_rt) default_rt = gox_runtime_new();
        gox_current_rt = default_rt;
    }
    return gox_current_rt;
}

void gox_runtime_use(void *rt) { gox_current_rt = rt; }

/* ---- the runtime lock (gox_internal.h) ------------------------------------------------------ */
static _Thread_local unsigned lock_depth GOX_TLS_FAST;

void rt_lock_slow(GoxRuntime *R) {
    if (lock_depth++ == 0) {
        pthread_mutex_lock(&R->mu);
        sched_after_lock(R); /* a program that ended meanwhile: this goroutine stops here */
    }
}

void rt_unlock_slow(GoxRuntime *R) {
    if (--lock_depth == 0) pthread_mutex_unlock(&R->mu);
}

unsigned rt_depth(void) { return lock_depth; }

/* The lock-free paths' test (gox_internal.h, P1-P4; chan.c's C5 for the channel calls):
 * the calling thread is a worker running a goroutine of R outside every other ABI call, tracing
 * is off and the program is not over; else NULL.  Not inlined: it reads the thread's worker and
 * lock depth, which a goroutine that moves to another thread must not keep (this_worker). */
__attribute__((noinline)) GoxWorker *rt_fast_worker(GoxRuntime *R) {
    GoxWorker *W = gox_t_worker;
    if (lock_depth || !W || W->R != R || !W->current) return NULL;
    GoxSched *S = R->sched;
    if (__atomic_load_n(&S->trace_on, __ATOMIC_RELAXED) || atomic_load_explicit(&S->exit_status, memory_order_relaxed) >= 0)
        return NULL;
    return W;
}

void rt_set_depth(unsigned d) { lock_depth = d; }

void *gox_runtime_current(void) { return gox_rt(); }

void gox_runtime_free(void *rt) {
    GoxRuntime *R = rt;
    if (!R) return;
    sched_free(R);
    heap_release_arena(R);
    for (size_t i = 0; i < R->ntypes; i++) {
        free(R->types[i].name);
        free(R->types[i].st);
    }
    free(R->types);
    free(R->gray);
    free(R->pins);
    free(R->globals);
    free(R->globals_is_ref);
    free(R->funcs);
    for (size_t i = 0; i < R->nexterns; i++) free(R->externs[i].name);
    free(R->externs);
    for (size_t i = 0; i < R->nmaps; i++) free(R->maps[i].offs);
    free(R->maps);
    u64map_free(&R->map_index);
    free(R->host_sim.frames);
    free(R->host_sim.mem);
    buf_free(&R->err_out);
    buf_free(&R->err.msg);
    buf_free(&R->out);
    buf_free(&R->assert_buf);
    if (gox_current_rt == R) gox_current_rt = NULL;
    if (default_rt == R) default_rt = NULL;
    pthread_mutex_destroy(&R->mu);
    free(R);
}

void gox_set_checked(bool on) {
    GOX_ENTER(R);
    if (on == R->checked) return;
    sched_stop_world(R); /* parallel mode: lock-free lookups read the mode and the chunks (P2) */
    heap_set_checked(R, on);
    sched_start_world(R);
}

bool gox_is_checked(void) {
    GOX_ENTER(R);
    return R->checked;
}

/* ---- the error record --------------------------------------------------------------------- */
/* The runtime's own record; in parallel mode a goroutine's errors go to its worker's record
 * (err_rec) and never show here while the program runs. */
const int32_t *gox_error_flag(void) { return &gox_rt()->err.code; }

size_t gox_error_message_len(void) {
    GOX_ENTER(R);
    return err_rec(R)->msg.len;
}

int32_t gox_error_take(char *out_msg, size_t cap) {
    GOX_ENTER(R);
    ErrRec *e = err_rec(R);
    int32_t code = e->code;
    if (out_msg && cap) {
        size_t n = e->msg.len < cap - 1 ? e->msg.len : cap - 1;
        if (n) memcpy(out_msg, e->msg.data, n);
        out_msg[n] = 0;
    }
    e->code = ERR_NONE;
    e->msg.len = 0;
    if (code == ERR_FATAL) oom_reserve_arm(); /* (given back if it was an out-of-memory) */
    return code;
}

void gox_error_set(int32_t code, const char *msg) {
    GOX_ENTER(R);
    gox_fail(R, code, "%s", msg ? msg : "");
}

/* ---- output ---------------------------------------------------------------------------------- */
void gox_output_capture(bool on) {
    GOX_ENTER(R);
    R->capture = on;
}

size_t gox_output_len(void) {
    GOX_ENTER(R);
    return R->out.len;
}

size_t gox_output_take(uint8_t *out_buf, size_t cap) {
    GOX_ENTER(R);
    size_t n = R->out.len < cap ? R->out.len : cap;
    if (n) {
        memcpy(out_buf, R->out.data, n);
        memmove(R->out.data, R->out.data + n, R->out.len - n);
        R->out.len -= n;
    }
    return n;
}

/* Reports (an unrecovered panic, a fatal error, the deadlock dump) under capture. */
size_t gox_errout_len(void) {
    GOX_ENTER(R);
    return R->err_out.len;
}

size_t gox_errout_take(uint8_t *out_buf, size_t cap) {
    GOX_ENTER(R);
    size_t n = R->err_out.len < cap ? R->err_out.len : cap;
    if (n) {
        memcpy(out_buf, R->err_out.data, n);
        memmove(R->err_out.data, R->err_out.data + n, R->err_out.len - n);
        R->err_out.len -= n;
    }
    return n;
}

/* ---- the heap walk -------------------------------------------------------------------------- */
uint64_t gox_ref_number(GoxRef ref) {
    GOX_ENTER(R);
    if (!ref) return 0;
    if (R->checked) return heap_number(R, ref, NULL); /* live, awaiting the sweep or freed */
    return heap_maybe_ref(R, ref) ? REF_OBJ(ref)->num : 0; /* unchecked: only live objects are known */
}

size_t gox_heap_walk(GoxRef *out_refs, size_t cap) {
    GOX_ENTER(R);
    size_t n = 0;
    HEAP_EACH(R, i) {
        if (out_refs && n < cap) out_refs[n] = OBJ_REF(R->order[i]);
        n++;
    }
    return n;
}

bool gox_heap_object_info(GoxRef obj, uint64_t *out_info, size_t n) {
    GOX_ENTER(R);
    GoxObj *o = heap_lookup(R, obj, true);
    if (!o) return false;
    uint64_t color = o->mark == GRAY ? 2 : o->mark == BLACK ? 3 : (o->mark == R->current_white ? 0 : 1);
    uint64_t v[7] = {o->num, o->kind, o->type_id, color, o->gen, o->flags, obj_nslots(o)};
    for (size_t i = 0; i < n && i < 7; i++) out_info[i] = v[i];
    return true;
}

size_t gox_heap_object_slots(GoxRef obj, uint64_t *out_slots, size_t cap) {
    GOX_ENTER(R);
    GoxObj *o = heap_lookup(R, obj, true);
    if (!o) return 0;
    size_t n = obj_nslots(o) < cap ? (size_t)obj_nslots(o) : cap;
    if (out_slots && n) memcpy(out_slots, o->slots, n * 8);
    return (size_t)obj_nslots(o);
}

typedef struct {
    GoxRef *out;
    size_t cap, n;
} RefCollect;

static void collect_child(GoxRuntime *R, void *ctx, uint64_t ref) {
    (void)R;
    RefCollect *c = ctx;
    if (!ref) return;
    if (c->out && c->n < c->cap) c->out[c->n] = ref;
    c->n++;
}

size_t gox_heap_object_refs(GoxRef obj, GoxRef *out_refs, size_t cap) {
    GOX_ENTER(R);
    GoxObj *o = heap_lookup(R, obj, true);
    if (!o) return 0;
    RefCollect c = {out_refs, cap, 0};
    gc_children(R, o, collect_child, &c);
    return c.n;
}

static bool collect_root(GoxRuntime *R, void *ctx, const char *where, uint64_t val) {
    (void)R;
    if (val) buf_printf((Buf *)ctx, "%s\t%" PRIu64 "\n", where, val);
    return true;
}

size_t gox_heap_roots(char *out_text, size_t cap) {
    GOX_ENTER(R);
    Buf b = {0};
    sched_stop_world(R); /* other goroutines' frames hold still */
    gc_each_root(R, collect_root, &b);
    sched_start_world(R);
    size_t n = b.len;
    if (out_text && cap) {
        size_t k = n < cap - 1 ? n : cap - 1;
        if (k) memcpy(out_text, b.data, k);
        out_text[k] = 0;
    }
    buf_free(&b);
    return n;
}
