/* gox_internal.h: the native runtime's private types and helpers.
 *
 * One struct (GoxRuntime) holds every piece of state of an instance; the ABI's functions take
 * no context argument, so they act on the calling thread's current instance (gox_runtime_use).
 * An object is a hidden prefix (allocation number, allocation-order links, host state) followed
 * by the 8-byte header the ABI documents and its data slots; a GoxRef is the address of the
 * header, so compiled code reads slot i at ref + 8 + 8*i.
 */
#ifndef GOX_INTERNAL_H
#define GOX_INTERNAL_H

#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* GOX_ASAN / GOX_TSAN: built with AddressSanitizer / ThreadSanitizer (stack switches must be
 * announced to them). */
#if defined(__SANITIZE_ADDRESS__)
#define GOX_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define GOX_ASAN 1
#endif
#endif

#if defined(__SANITIZE_THREAD__)
#define GOX_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define GOX_TSAN 1
#endif
#endif

#include "../gox_abi.h"

/* A small thread-local read on every ABI call: the initial-exec model reads it straight from the
 * thread pointer instead of calling __tls_get_addr (the library is loaded at start or by
 * dlopen into glibc's static TLS surplus, which a few pointers fit). */
#define GOX_TLS_FAST __attribute__((tls_model("initial-exec")))

/* Everything declared below is private to the library: only gox_abi.h's symbols are exported. */
#pragma GCC visibility push(hidden)

/* ---- kinds (kinds.c) ------------------------------------------------------------------ */
enum {
    K_NIL = 0, K_BOOL, K_INT, K_INT8, K_INT16, K_INT32, K_INT64, K_UINT, K_UINT8, K_UINT16,
    K_UINT32, K_UINT64, K_FLOAT32, K_FLOAT64, K_FUNC_PTR, K_STRING, K_ARRAY, K_SLICE, K_MAP,
    K_CHANNEL, K_CLOSURE, K_STRUCT, K_POINTER, K_INTERFACE, K_BOXED_INT, K_BOXED_FLOAT,
    K_BOXED_BOOL, K_MAX = K_BOXED_BOOL
};
enum { ST_VALUE = 0, ST_GC_REF = 1, ST_IFACE0 = 2, ST_IFACE1 = 3 };

bool gox_valid_kind(unsigned kind);
/* String, Array, Slice, Map, Channel, Closure, Struct, Pointer and the boxed values */
#define REF_KIND_MASK                                                                                  \
    ((1u << K_STRING) | (1u << K_ARRAY) | (1u << K_SLICE) | (1u << K_MAP) | (1u << K_CHANNEL) |        \
     (1u << K_CLOSURE) | (1u << K_STRUCT) | (1u << K_POINTER) | (1u << K_BOXED_INT) |                  \
     (1u << K_BOXED_FLOAT) | (1u << K_BOXED_BOOL))
static inline bool gox_is_ref_kind(unsigned kind) { return kind < 32 && ((REF_KIND_MASK >> kind) & 1u); }
unsigned gox_scalar_bytes(unsigned kind);
uint64_t gox_normalize(unsigned kind, uint64_t val);
const char *gox_kind_title(unsigned kind); /* "String", "BoxedInt", ... or NULL */

/* ---- growable byte buffer (buf.c) ---------------------------------------------------- */
typedef struct {
    char *data;
    size_t len, cap;
} Buf;
void buf_put(Buf *b, const void *p, size_t n);
void buf_puts(Buf *b, const char *s);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(Buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
void buf_free(Buf *b);
void buf_repr(Buf *b, const uint8_t *s, size_t n); /* Python's repr of s.decode("utf-8", "replace") */
/* The next character of s.decode("utf-8", "replace") from s[*i] (*i < n): its rune, its UTF-8
 * bytes (*len of them at *bytes: U+FFFD's for an invalid sequence's maximal invalid subpart, as
 * Python replaces it), *i moved past what it read. */
int32_t utf8_replace_next(const uint8_t *s, size_t n, size_t *i, const uint8_t **bytes, size_t *len);
void buf_kind(Buf *b, unsigned kind); /* kinds.c, kind_name: "15 (String)" */

/* ---- objects --------------------------------------------------------------------------- */
#define HEAP_BASE ((uint64_t)0x10000000)
#define REF_STRIDE ((uint64_t)16)
#define NO_TYPE 0xFFFFu
#define MAX_SLOTS 0xFFFFu /* the header's 16-bit slots field; a larger (array) object stores 0 there */
#define GO_MAX_ALLOC (1ULL << 48) /* Go's maxAlloc on amd64 (runtime/malloc.go): no allocation is larger */
#define FREE_CLASSES 64u /* unchecked mode reuses the memory of objects of fewer slots (heap.c) */
#define FLAG_IMMUTABLE 0x01u
#define FLAG_FREED 0x80u /* native only: a quarantined (freed) object in checked mode */
enum { WHITE0 = 0, WHITE1 = 1, GRAY = 2, BLACK = 3 };

typedef struct GoxObj GoxObj;
struct GoxObj {
    /* hidden prefix: not part of the ABI, not counted in the byte accounting; the allocation
     * order is not here but in GoxRuntime.order, so that the objects are dense */
    union {
        uint64_t num;      /* allocation number (live, awaiting the sweep or quarantined) */
        GoxObj *free_next; /* unchecked mode, freed: the next on its free list (heap.c) */
    };
    union {
        void *ext;            /* host state (a map's table, a channel's queues) */
        uint64_t big_nslots;  /* a large array's slot count (its header's nslots is 0): obj_nslots */
    };
    /* the 8-byte header: a GoxRef points here */
    uint8_t mark, gen, kind, flags;
    uint16_t type_id, nslots;
    uint64_t slots[];
};
/* An object's slot count: the header's, or for a large array (more than MAX_SLOTS slots, header
 * 0) the hidden prefix's; a zero-slot object has 0 in both (docs/GC.md, "Large objects"). */
static inline uint64_t obj_nslots(const struct GoxObj *o) { return o->nslots ? o->nslots : o->big_nslots; }
#define OBJ_REF(o) ((GoxRef)(uintptr_t)&(o)->mark)
/* ... of an object just made, or 0 when there was no memory for it (gc_alloc's NULL) */
static inline GoxRef obj_ref0(GoxObj *o) { return o ? OBJ_REF(o) : 0; }
#define REF_OBJ(r) ((GoxObj *)((char *)(uintptr_t)(r) - offsetof(GoxObj, mark)))
#define OBJ_SIZE(o) (8u + 8u * obj_nslots(o))

typedef struct {
    char *name;
    uint8_t *st;
    uint32_t n;
} GoxType;

/* u64 -> u64 open-addressing hash map (keys != 0 mapped through a salt; deletions by
 * backward shift), used for the checked-mode address set, stack maps, the sim stack. */
struct GoxRuntime;
typedef struct {
    uint64_t *keys, *vals;
    uint8_t *used;
    size_t cap, len;
} U64Map;
bool u64map_get(const U64Map *m, uint64_t key, uint64_t *out);
void u64map_put(U64Map *m, uint64_t key, uint64_t val);
bool u64map_del(U64Map *m, uint64_t key);
void u64map_clear(U64Map *m);
void u64map_free(U64Map *m);

typedef struct {
    uint64_t num;
    GoxObj *obj;
    uint64_t count;
} Pin;

typedef struct {
    uint64_t ip, sp;
    uint32_t size;
} SimFrame;

/* One simulated native stack (gox_sim_*): the host's, or a goroutine's. */
typedef struct {
    SimFrame *frames;
    size_t nframes, frames_cap;
    uint64_t *mem; /* slot k holds address STACK_TOP - 8*(k+1) */
    size_t slots;
} SimStack;

struct GoxSched; /* the concurrency half's state (sched.c) */

typedef struct {
    uint32_t id;
    char *name;
    uint32_t nparams, nresults;
    GoxExternFn fn;
} Extern;

typedef struct {
    int32_t *offs;
    size_t n;
} StackMapEntry;

enum { GC_PAUSE = 0, GC_PROPAGATE = 1, GC_ATOMIC = 2, GC_SWEEP = 3 };

/* An error record: a code (ERR_*) and its message. */
typedef struct {
    int32_t code;
    Buf msg;
} ErrRec;

typedef struct GoxRuntime {
    ErrRec err; /* first field: the host reads err.code through gox_error_flag() */
    /* parallel mode (gox_run_main with several workers): the runtime lock, held by the
     * goroutine that is inside the runtime (rt_enter below), except in the channel calls and
     * select, which take their channels' locks instead when they can (chan.c, C5).
     *
     * Lock order (parallel mode; with one worker no lock is taken), Go's hchan.lock before
     * sched.lock:
     *     R->mu  before  a channel's lock (ChanState.mu)  before  R->sched->idle_mu
     *     two channels' locks: only a select's, in address order (select.c, sellock)
     *     pool_lock (stack.c: the stack pool and the guard handler) is a leaf
     * Nothing takes R->mu while it holds a channel's lock (chan.c, C2: an error, a trace line,
     * a switch or a stop of the world gives the channel's lock back first).  The workers' run
     * queues take no lock (parallel.c: lock-free rings); a wake-up under a channel's lock may
     * take idle_mu.  Never take R->mu or a channel's lock while holding idle_mu: the deadlock
     * check lets idle_mu go before it takes R->mu for the report.  Nothing is taken while
     * pool_lock is held.  No lock is held across a goroutine switch: to_hub gives R->mu back
     * before it switches and takes it again after; a goroutine that parks in a channel call
     * gives the channel's lock back before it switches (chan.c, C3).
     * Condition waits: each worker's wake_cv with idle_mu alone (an idle worker holds no
     * R->mu), stw_stopped_cv and stw_done_cv with R->mu.  A goroutine's on_cpu flag is a spin-wait below them all:
     * its hub clears it holding no lock, so the collector may wait for it holding R->mu
     * (settle), and a hub waits for it holding nothing (sched_run). */
    _Alignas(64) pthread_mutex_t mu; /* (a cache line of its own: every locked call writes it) */
    /* Read by every ABI call, and without R->mu by the lock-free paths (P1-P4 at heap_lookup_par);
     * written rarely (most only with the world stopped): on cache lines apart from the mutex and
     * from what every allocation writes, so that reading them does not bounce between cores. */
    _Alignas(64) bool parallel;
    bool checked;
    int state, current_white; /* the collector's (GC_*, WHITE0/WHITE1) */
    int dead_mark;
    struct GoxSched *sched; /* the concurrency half: goroutines, scheduler, generator, trace (sched.c, parallel.c) */
    struct ChunkSlot *chunk_tab; /* checked mode's arena (below): open addressing by address >> CHUNK_SHIFT */
    size_t chunk_mask;
    GoxType *types;
    size_t ntypes, types_cap;
    /* globals */
    uint64_t *globals;
    uint8_t *globals_is_ref;
    size_t nglobals;
    /* heap: every object not yet freed, in allocation order (the sweep's order): heap_new
     * appends; while a sweep runs, [sweep_keep, sweep_pos) is a gap (HEAP_EACH skips it) */
    _Alignas(64) GoxObj **order;
    size_t norder, order_cap;
    uint64_t next_num, live_bytes, live_objects;
    U64Map addrs; /* checked mode: the set of every object address ever handed out: the
                   * arena's (below) plus, in this map, objects made before checked mode was on */
    /* checked mode's object arena (heap.c): objects bump-allocated from aligned chunks, each
     * with a bitmap of its object starts, so membership is a chunk lookup and a bit test */
    size_t nchunks, nretired; /* (the table: chunk_tab above) */
    struct HeapChunk *cur_chunk;  /* the one allocations bump in */
    uintptr_t *spare;             /* the pages of retired chunks, at new addresses, for new ones */
    size_t nspare, spare_cap;
    uintptr_t arena_lo, arena_hi; /* every chunk lies in [arena_lo, arena_hi) */
    /* the last chunk heap_known found in the table (key: base >> CHUNK_SHIFT, HOT_NONE: none),
     * never a retired one: a program's references mostly lie in a few chunks, and this one
     * answers without the range test and the probe (chunk_forget when it retires or goes) */
    uint64_t hot_key;
    struct HeapChunk *hot_chunk;
    /* parallel mode: memory lock-free readers may still hold, freed at the next stop of the
     * world, and full chunks to retire then (heap.c, heap_world_stopped) */
    void **deferred;
    size_t ndeferred, deferred_cap;
    struct HeapChunk **retire_later;
    size_t nretire_later, retire_later_cap;
    /* unchecked mode: freed small objects by slot count, linked through GoxObj.free_next, reused
     * first in, first out (heap.c, obj_release_mem) */
    GoxObj *free_objs[FREE_CLASSES], *free_tail[FREE_CLASSES];
    /* collector (its state and white: above) */
    GoxObj **gray;
    size_t ngray, gray_cap;
    /* the sweep reads R->order[sweep_pos..sweep_end) (the objects of the atomic step) and writes
     * the survivors back from sweep_keep on (gc.c, gc_step) */
    size_t sweep_pos, sweep_end, sweep_keep;
    uint64_t pause, stepmul, step_size, min_threshold, threshold, debt, pause_depth;
    uint64_t estimate; /* during the sweep: the bytes that survive the cycle (docs/GC.md) */
    uint64_t cycles, steps, allocated_objects, allocated_bytes, freed_objects, freed_bytes;
    Pin *pins;
    size_t npins, pins_cap;
    /* function table */
    const void **funcs;
    size_t nfuncs;
    /* externs, in registration order */
    Extern *externs;
    size_t nexterns, externs_cap;
    /* stack maps: return address -> index into maps */
    U64Map map_index;
    StackMapEntry *maps;
    size_t nmaps, maps_cap;
    SimStack host_sim; /* the host's simulated stack */
    /* the running goroutine's simulated stack: sim_current(R) */
    /* debug output */
    bool capture;
    Buf out;
    bool assert_open;
    Buf assert_buf;
    size_t assert_nargs;
    Buf err_out; /* with capture on: reports (panics, fatal errors) collect here, not in stderr */
} GoxRuntime;

/* The calling thread's current instance (created on first use), read at the top of every ABI
 * call.  Inline: every worker thread of a parallel program has the same instance, so even a
 * read a compiler kept from before a goroutine moved to another thread gives the right one. */
extern _Thread_local GoxRuntime *gox_current_rt GOX_TLS_FAST;
GoxRuntime *gox_rt_first_use(void);
static inline GoxRuntime *gox_rt(void) {
    GoxRuntime *R = gox_current_rt;
    return R ? R : gox_rt_first_use();
}

/* ---- the runtime lock (runtime.c, docs/SCHEDULER.md "Parallel mode") ----------------------
 * With one worker (the default, deterministic) there is no lock.  In parallel mode a goroutine
 * holds R->mu while it runs inside the runtime: every ABI function starts with GOX_ENTER(R),
 * which takes the lock unless the calling thread already holds it (a per-thread depth: ABI
 * functions call each other, deferred calls and externs run inside ABI calls) and gives it
 * back on every return (the cleanup attribute).  A goroutine that switches out inside the
 * runtime saves its depth and releases the lock first, and takes it again (restoring the
 * depth) when it resumes, possibly on another worker: every lock operation stays on one side
 * of a switch (sched.c, to_hub).  Compiled code between ABI calls runs in parallel.  The lock
 * order: at GoxRuntime.mu above. */
void rt_lock_slow(GoxRuntime *R);
void rt_unlock_slow(GoxRuntime *R);
unsigned rt_depth(void);        /* the calling thread's hold count */
void rt_set_depth(unsigned d);  /* after a switch or a longjmp: the new hold count (no locking) */
static inline GoxRuntime *rt_enter(void) {
    GoxRuntime *R = gox_rt();
    if (R->parallel) rt_lock_slow(R);
    return R;
}
static inline void rt_leave(GoxRuntime **pR) {
    if ((*pR)->parallel) rt_unlock_slow(*pR);
}
#define GOX_ENTER(R) GoxRuntime *R __attribute__((cleanup(rt_leave))) = rt_enter()
/* The record errors go to: in parallel mode a worker's own (a goroutine's error becomes its
 * panic before the lock is released), else the runtime's. */
ErrRec *err_rec(GoxRuntime *R);

/* ---- errors (errors.c) ------------------------------------------------------------------- */
enum { ERR_NONE = 0, ERR_PANIC = 1, ERR_ABI = 2, ERR_FATAL = 3 };
void gox_fail(GoxRuntime *R, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void gox_fail_buf(GoxRuntime *R, int code, Buf *msg); /* takes the message */
void gox_panic_index(GoxRuntime *R, int64_t idx, int64_t len);
/* Go's nil-dereference panic and the report's line for it (gox_abi/errors.py's NIL_DEREF and
 * SIGNAL_LINE) */
#define NIL_DEREF_TEXT "runtime error: invalid memory address or nil pointer dereference"
#define SIGNAL_LINE "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"
bool gox_check_slice(GoxRuntime *R, int64_t lo, int64_t hi, int64_t bound, const char *what);
bool gox_check_slice3(GoxRuntime *R, int64_t lo, int64_t hi, int64_t mx, int64_t cap);

/* ---- heap (heap.c) ----------------------------------------------------------------------- */
/* NULL: out of memory (gox_out_of_memory called: in host mode the fatal error is recorded) */
GoxObj *heap_new(GoxRuntime *R, unsigned kind, unsigned type_id, uint64_t nslots, int color);
void heap_free(GoxRuntime *R, GoxObj *o);
void heap_drop_all(GoxRuntime *R);
void heap_release_arena(GoxRuntime *R); /* the end of a runtime: every object and chunk goes back */
/* The canonical address of a value that is an object this runtime ever made, else the value. */
uint64_t heap_canon(GoxRuntime *R, uint64_t ref);
/* The arena's chunks (heap.c): CHUNK_BYTES-aligned, bump-allocated; bit k of starts: an
 * object's header (its GoxRef) at base + 8k.  Checked mode never reuses an address: a chunk all
 * of whose objects are quarantined is retired (its pages move to a new address for new objects;
 * its addresses stay reserved and its bitmap stays, to recognise them). */
#define CHUNK_SHIFT 20
#define CHUNK_BYTES ((uintptr_t)1 << CHUNK_SHIFT)
typedef struct HeapChunk {
    uintptr_t base;
    bool retired;    /* its memory is gone: every object of its is a freed one */
    bool numbered;   /* its k-th object (in address order) is object number first_num + k */
    bool recycled;   /* its memory held objects before (not zero): allocation zeroes it */
    /* parallel mode, checked: its objects' numbers were reserved when it was made (CHUNK_NUMS
     * from first_num), so its k-th object is number first_num + k whoever allocates in it */
    bool ranged;
    bool owned;      /* a worker allocates in it without R->mu (heap_alloc_local): not retired */
    uint64_t first_num;
    size_t bytes; /* its mapping: CHUNK_BYTES, or a large object's whole size rounded up to them */
    size_t used;  /* the bump offset */
    size_t nobj;  /* objects whose memory is in use: live, awaiting sweep or quarantined */
    size_t nquar; /* checked mode: of those, the quarantined (freed) ones */
    size_t nfree; /* unchecked mode: freed objects of its on a free list, for reuse */
    uint64_t starts[CHUNK_BYTES / 8 / 64];
} HeapChunk;

/* The chunk table's entries carry the key (base >> CHUNK_SHIFT, 0: empty) and whether the chunk
 * is retired, so a lookup reads the chunk itself only for its bitmap. */
#define CHUNK_RETIRED ((uint64_t)1 << 63)
typedef struct ChunkSlot {
    uint64_t key; /* | CHUNK_RETIRED */
    HeapChunk *c;
} ChunkSlot;

static inline const ChunkSlot *chunk_slot(const GoxRuntime *R, uint64_t addr) {
    if (addr - R->arena_lo >= R->arena_hi - R->arena_lo) return NULL;
    uint64_t key = addr >> CHUNK_SHIFT;
    for (size_t i = (size_t)key & R->chunk_mask;; i = (i + 1) & R->chunk_mask) {
        const ChunkSlot *s = &R->chunk_tab[i];
        if ((s->key & ~CHUNK_RETIRED) == key) return s;
        if (!s->key) return NULL;
    }
}

static inline HeapChunk *chunk_of(const GoxRuntime *R, uint64_t addr) {
    const ChunkSlot *s = chunk_slot(R, addr);
    return s ? s->c : NULL;
}

/* c: chunk_of(ref) (so ref's offset in it is its low bits: no load of c->base) */
static inline bool chunk_has(const HeapChunk *c, uint64_t ref) {
    uint64_t off = ref & (CHUNK_BYTES - 1);
    if (off & 7) return false;
    off >>= 3;
    /* (atomic: in parallel mode a worker sets bits in its own chunk without R->mu) */
    return (__atomic_load_n(&c->starts[off >> 6], __ATOMIC_RELAXED) >> (off & 63)) & 1;
}

GoxObj *heap_known_slow(GoxRuntime *R, uint64_t ref); /* checked mode, outside the arena */
#define HOT_NONE UINT64_MAX /* GoxRuntime.hot_key of no chunk (no address >> CHUNK_SHIFT is) */
GoxObj *heap_known_table(GoxRuntime *R, uint64_t ref); /* heap_known past its cache (heap.c) */

/* The object of a value that is an object this runtime ever made and whose memory is still
 * its own (checked mode: quarantined ones included, not those of a retired chunk: see
 * heap_number), else NULL; unchecked mode trusts any non-zero value. */
static inline GoxObj *heap_known(GoxRuntime *R, uint64_t ref) {
    if (ref == 0) return NULL;
    if (!R->checked) return REF_OBJ(ref);
    if (ref >> CHUNK_SHIFT == R->hot_key) return chunk_has(R->hot_chunk, ref) ? REF_OBJ(ref) : NULL;
    return heap_known_table(R, ref);
}
/* The number of the object a value names if this runtime ever made it (checked mode: freed
 * ones included, *freed says which), else 0. */
uint64_t heap_number(GoxRuntime *R, uint64_t ref, bool *freed);

/* The object a value names if it is a live (or, with dead_ok, awaiting-sweep) object. */
static inline GoxObj *heap_lookup(GoxRuntime *R, uint64_t ref, bool dead_ok) {
    GoxObj *o = heap_known(R, ref);
    if (!o || (o->flags & FLAG_FREED)) return NULL;
    if (!dead_ok && o->mark == R->dead_mark) return NULL;
    return o;
}
static inline bool heap_is_live(GoxRuntime *R, uint64_t ref) { return heap_lookup(R, ref, false) != NULL; }
/* The conservative test for an untyped word (a spawned or deferred call's argument): is it a
 * live object?  Safe on any value in both modes (unchecked mode trusts references, not words). */
bool heap_maybe_ref(GoxRuntime *R, uint64_t val);
void heap_describe(GoxRuntime *R, uint64_t ref, Buf *b);
/* The live object ref names, else NULL with the ABI error recorded (what: "a live object"). */
GoxObj *heap_get_fail(GoxRuntime *R, GoxRef ref, const char *fn, const char *what);
static inline GoxObj *heap_get(GoxRuntime *R, GoxRef ref, const char *fn, const char *what) {
    GoxObj *o = heap_lookup(R, ref, false);
    return o ? o : heap_get_fail(R, ref, fn, what);
}
/* ... and of the given kind */
GoxObj *heap_get_kind_fail(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn);
static inline GoxObj *heap_get_kind(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn) {
    GoxObj *o = heap_lookup(R, ref, false);
    return o && o->kind == kind ? o : heap_get_kind_fail(R, ref, kind, fn);
}
/* heap_get/heap_get_kind where Go dereferences a pointer: a nil reference is Go's
 * nil-dereference panic (recorded; NULL), a freed or forged one the ABI error */
GoxObj *heap_nil_deref(GoxRuntime *R);
static inline GoxObj *heap_deref(GoxRuntime *R, GoxRef ref, const char *fn, const char *what) {
    return ref ? heap_get(R, ref, fn, what) : heap_nil_deref(R);
}
static inline GoxObj *heap_deref_kind(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn) {
    return ref ? heap_get_kind(R, ref, kind, fn) : heap_nil_deref(R);
}
bool heap_check_ref_value(GoxRuntime *R, uint64_t val, const char *fn, const char *where);
/* The fast path of heap_check_ref_value: may val be stored where a reference belongs?
 * Callers test it first and format their error text only when it fails. */
static inline bool heap_ref_ok(GoxRuntime *R, uint64_t val) { return val == 0 || heap_is_live(R, val); }
void heap_types_init(GoxRuntime *R);
GoxType *heap_get_type_fail(GoxRuntime *R, uint32_t type_id, const char *fn);
static inline GoxType *heap_get_type(GoxRuntime *R, uint32_t type_id, const char *fn) {
    /* id 0 is the reserved entry (heap_types_init), never a registered type */
    return type_id != 0 && type_id < R->ntypes ? &R->types[type_id] : heap_get_type_fail(R, type_id, fn);
}
void heap_set_checked(GoxRuntime *R, bool on);
/* The objects in allocation order: R->order[i] for every i of HEAP_EACH, which skips the
 * sweep's gap (what it has freed or already moved down). */
static inline size_t heap_order_skip(const GoxRuntime *R, size_t i) { return i == R->sweep_keep ? R->sweep_pos : i; }
#define HEAP_EACH(R, i) for (size_t i = heap_order_skip(R, 0); i < (R)->norder; i = heap_order_skip(R, i + 1))
/* The end of a sweep: the objects made during it move down to the survivors, closing the gap. */
void heap_sweep_done(GoxRuntime *R);

/* ---- collector (gc.c) -------------------------------------------------------------------- */
/* gox_gc_tune's defaults (gc.py's DEFAULT_*) */
#define DEFAULT_PAUSE 200u
#define DEFAULT_STEPMUL 200u
#define DEFAULT_STEP_SIZE 8192u
#define DEFAULT_MIN_THRESHOLD (1024u * 1024u)
void gc_reset(GoxRuntime *R);
void gc_set_threshold(GoxRuntime *R); /* the next cycle's trigger, from pause and the estimate */
void gc_full_collect(GoxRuntime *R);  /* gox_collect_garbage: finish the running cycle, run one more */
bool gc_explicit_step(GoxRuntime *R); /* gox_gc_step: start a cycle if none runs, one standard step */
/* A new object of the current white, counted (the caller passed its safepoint). */
static inline GoxObj *gc_alloc(GoxRuntime *R, unsigned kind, unsigned type_id, uint64_t nslots) {
    GoxObj *o = heap_new(R, kind, type_id, nslots, R->current_white);
    if (__builtin_expect(!o, 0)) return NULL; /* out of memory (host mode: the fatal error recorded) */
    R->allocated_objects++;
    R->allocated_bytes += OBJ_SIZE(o);
    if (R->state != GC_PAUSE) R->debt += OBJ_SIZE(o);
    return o;
}
bool gc_safepoint_slow(GoxRuntime *R, const uint64_t *args, size_t nargs);
/* Parallel mode: a step is due every PAR_STEP_FACTOR x step_size of debt, not every step_size.
 * Every step there stops the world (gc_safepoint_slow); the budget is the debt times stepmul,
 * as ever, so the collector does the same work in PAR_STEP_FACTOR times fewer stops (each a
 * handshake with every worker).  One worker: every step_size, as the reference. */
#define PAR_STEP_SHIFT 6u
#define PAR_STEP_FACTOR (1u << PAR_STEP_SHIFT)
/* Is a collection step due at this safepoint: a cycle to start, or enough debt for a step? */
static inline bool gc_work_due(const GoxRuntime *R) {
    if (R->pause_depth) return false;
    if (R->state == GC_PAUSE) return R->live_bytes >= R->threshold;
    /* (a shift, not step_size * factor: gox_gc_tune takes any step_size) */
    return (R->parallel ? R->debt >> PAR_STEP_SHIFT : R->debt) >= R->step_size;
}
/* Every allocation is a safepoint (docs/GC.md): a collection step when one is due.  The test
 * inline; with one worker nothing else happens when none is due. */
static inline bool gc_safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs) {
    if (!R->parallel && !gc_work_due(R)) return true;
    return gc_safepoint_slow(R, args, nargs);
}
void gc_mark_gray(GoxRuntime *R, GoxObj *o);
void gc_barrier_slow(GoxRuntime *R, uint64_t child);
/* The write barrier (docs/GC.md): a child stored into a black object turns gray while marking. */
static inline void gc_barrier(GoxRuntime *R, GoxObj *parent, uint64_t child) {
    if (R->state != GC_PROPAGATE || parent->mark != BLACK || child == 0) return;
    gc_barrier_slow(R, child);
}
bool gc_step(GoxRuntime *R, uint64_t budget, const uint64_t *args, size_t nargs, bool *ok);
bool gc_start_cycle(GoxRuntime *R, const uint64_t *args, size_t nargs);
typedef void (*ChildFn)(GoxRuntime *R, void *ctx, uint64_t ref);
void gc_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx);
/* Roots in order: calls fn(where, value) for every root value (0s included); stops early
 * when fn returns false. */
typedef bool (*RootFn)(GoxRuntime *R, void *ctx, const char *where, uint64_t val);
void gc_each_root(GoxRuntime *R, RootFn fn, void *ctx);
void gc_store_ref(GoxRuntime *R, GoxObj *o, size_t idx, uint64_t ref);

/* ---- arrays (array.c), strings (string.c), maps (map.c) ------------------------------------ */
enum { A_ELEM_KIND = 0, A_ELEM_TYPE = 1, A_ELEM_BYTES = 2, A_LEN = 3, A_DATA = 4 };
/* The size of the Go element type a kind stands for (amd64), given the runtime's element width:
 * a string is 16 bytes in Go and a slice 24, each one reference slot here (slice.py go_elem_size). */
static inline uint64_t go_elem_size(unsigned elem_kind, uint64_t elem_bytes) {
    return elem_kind == K_STRING ? 16 : elem_kind == K_SLICE ? 24 : elem_bytes;
}
/* Go's makeslice test (slice.py go_alloc_fits): do n elements of elem_size bytes fit in maxAlloc? */
static inline bool go_alloc_fits(uint64_t elem_size, uint64_t n) { return !elem_size || n <= GO_MAX_ALLOC / elem_size; }
int64_t array_elem_bytes(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, const char *fn); /* -1: error */
bool array_elem_is_ref(GoxRuntime *R, unsigned elem_kind, unsigned elem_type);
GoxObj *array_new(GoxRuntime *R, unsigned elem_kind, unsigned elem_type, int64_t length, const char *fn);
uint64_t array_read(GoxObj *o, uint64_t i);
void array_write(GoxObj *o, uint64_t i, uint64_t val);
void array_copy(GoxObj *dst, uint64_t di, GoxObj *src, uint64_t si, uint64_t n);
bool array_set_elem(GoxRuntime *R, GoxObj *o, uint64_t i, uint64_t val, const char *fn);
uint64_t data_slots(uint64_t w, uint64_t length);

/* The bytes of a string (ok=false on error); *len set; pointer valid until the next alloc. */
bool string_bytes(GoxRuntime *R, GoxRef s, const char *fn, const uint8_t **data, uint64_t *len);
GoxObj *string_obj(GoxRuntime *R, GoxRef s, const char *fn, bool *ok);
GoxRef string_new(GoxRuntime *R, const uint8_t *data, size_t n);
int32_t decode_rune(const uint8_t *b, size_t n, size_t pos, int64_t *width);
size_t encode_rune(int64_t r, uint8_t out[4]);
bool string_check_size(GoxRuntime *R, uint64_t n); /* false when out of memory (past Go's maxAlloc) */

void map_free_state(GoxObj *o);
void map_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx);

GoxObj *slice_new_header(GoxRuntime *R, uint64_t arr, uint64_t start, uint64_t len, uint64_t cap);

/* ---- stack maps (stackmap.c) ---------------------------------------------------------- */
#define STACK_TOP 0x7FFF00000000ULL
#define MAX_STACK_BYTES (8u * 1024u * 1024u)
void stack_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);

/* Reading a compacted stack (stack.c, a parked goroutine's): addresses in [lo, hi) are read
 * from copy + (address - lo). */
typedef struct {
    uintptr_t lo, hi;
    const uint8_t *copy;
} StackView;

/* ---- shadow stacks of compiled programs (shadow.c) ------------------------------------- */
/* One goroutine's frame records from top, innermost first, named "goroutine <gid>: ...". */
void shadow_scan(GoxRuntime *R, const GoxShadowFrame *top, const StackView *view, uint64_t gid, RootFn fn, void *ctx,
                 bool *stop);
/* Every shadow stack; the root walk calls it last (the reference registers its interpreter's
 * root source after all the runtime's own). */
void shadow_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);

/* ---- debug (debug.c) ------------------------------------------------------------------- */
bool debug_format(GoxRuntime *R, uint64_t val, unsigned kind, const char *fn, Buf *out);
void format_float(double v, Buf *out);
void runtime_emit(GoxRuntime *R, const char *data, size_t n);

/* ---- allocation, running out of memory (oom.c) ------------------------------------------- */
/* Allocation that cannot fail: on failure, Go's out-of-memory fatal error. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xcalloc_lines(size_t size); /* zeroed, 64-byte aligned (structs with _Alignas(64) fields) */
void *xrealloc(void *p, size_t n);
#define OOM_TEXT "runtime: out of memory"
/* An allocation failed: the program ends here (in a goroutine), is over (on a hub), or the
 * runtime's record gets the fatal error (host mode; the caller goes on or gives up cleanly). */
void gox_out_of_memory(GoxRuntime *R);
_Noreturn void oom_exit(void); /* the last resort: Go's report, _exit(2) */
/* p (holding *cap elements of `size` bytes) grown to twice as many (`first` when empty), or NULL
 * when there is no memory for it: gox_out_of_memory called, p and *cap unchanged. */
void *grow_array(GoxRuntime *R, void *p, size_t *cap, size_t size, size_t first);
void oom_reserve_arm(void);    /* take the memory gox_out_of_memory gives back first, if it can */
char *xstrdup(const char *s);

/* ---- the concurrency half (sched.c, parallel.c, chan.c, select.c, defer.c, iter.c, trace.c,
 *      rng.c, stack.c, ctx_*.S): README "The concurrency half" ------------------------------- */
typedef uint64_t (*GoxEntry)(const uint64_t *args, uint32_t nargs); /* = GoxEntryFn */

/* the generator (rng.c): SplitMix64, docs/SCHEDULER.md section 2.  Inline: every select draws
 * once per case (rng.c has the rejection loop of the other ranges). */
typedef struct {
    uint64_t state, draws;
} Rng;
static inline uint64_t rng_next(Rng *r) {
    r->draws++;
    r->state += 0x9E3779B97F4A7C15ULL;
    uint64_t z = r->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}
uint64_t rng_below_reject(Rng *r, uint64_t n); /* n >= 3, not a power of two */
/* Uniform in [0, n), n >= 1: the first r = next() with r >= (2^64 - n) mod n, then r mod n.  For
 * a power of two the bound is 0 (every r is taken) and r mod n is r & (n - 1): no division. */
static inline uint64_t rng_below(Rng *r, uint64_t n) {
    return (n & (n - 1)) == 0 ? rng_next(r) & (n - 1) : rng_below_reject(r, n);
}

/* stacks (stack.c): pooled, each with a guard region below it */
typedef struct GoxStackSeg {
    uintptr_t lo, hi; /* usable stack [lo, hi); the guard is just below lo */
    struct GoxStackSeg *next_free;
    struct GoxStackSeg *next_all; /* growth segments: every one mapped */
    struct GoxStackSeg *below;    /* growth segments in use: the goroutine's segment before it */
} GoxStackSeg;
GoxStackSeg *stack_acquire(void); /* NULL: no memory for it */
void stack_release(GoxStackSeg *s);
size_t stack_size(void);
void stack_install_guard_handler(void);   /* SIGSEGV on an alternate stack (run_main) */
/* compaction of a parked goroutine's stack (stack.c): the used part copied out, the pages given
 * back; restored at the same addresses before it runs */
bool stack_can_compact(void);
void *stack_compact(GoxStackSeg *s, uintptr_t sp, size_t *len); /* NULL: not compacted (no memory) */
void stack_restore(GoxStackSeg *s, void *copy, size_t len);
void stack_release_cold(GoxStackSeg *s);
const void *stack_view_at(const StackView *v, const void *p); /* p itself without a view */
void stack_restore_guard_handler(void);
/* growth segments (gox_stack_grow): after a recovered panic's longjmp to sp, those it left go
 * back; a goroutine that ends gives back any it still has */
void stack_after_unwind(uintptr_t sp);
struct GoxG;
void stack_release_grown(struct GoxG *g);
void stack_drop_spare(struct GoxG *g); /* its spare growth segment back to the pool */

/* the context switch (ctx_<arch>.S): saves the callee-saved registers on the current stack,
 * stores the stack pointer in *save, loads to and restores from there.  A new context is
 * prepared by ctx_make: its first switch calls fn(arg) on the new stack (fn never returns). */
void gox_ctx_switch(void **save, void *to);
void *ctx_make(uintptr_t stack_hi, void (*fn)(void *), void *arg);
uintptr_t ctx_saved_fp(void *sp); /* the frame pointer a switched-out context resumes with */

enum { G_RUNNABLE = 0, G_RUNNING, G_WAITING, G_DEAD };

typedef struct {
    const void *fn;
    uint64_t *args;
    uint32_t nargs;
} DeferRec;

typedef struct {
    uint64_t fid;
    DeferRec *defers;
    size_t ndefers, cap;
    bool recovered;      /* a deferred call recovered: the longjmp back runs the exit path */
    int64_t pause;        /* the goroutine's share of the collector's pause count at enter */
    unsigned lock_depth;  /* the runtime lock's hold count of the frame's function (parallel mode) */
    GoxShadowFrame *shadow; /* the goroutine's shadow top at enter, restored when a panic reaches the frame */
    jmp_buf jb;
} DeferFrame;

typedef struct {
    uint64_t slot0, slot1;
    char *text; /* how the report prints the value */
    uint64_t start_fid;
    bool recovered;
} PanicRec;

enum { SEL_SEND = 0, SEL_RECV = 1 };
typedef struct {
    int dir;
    uint64_t ch, val;
    GoxObj *o; /* the channel's object (validated when the case was added; a root until exec) */
} SelCase;
typedef struct {
    bool open;
    uint32_t ncases, n;
    bool has_default;
    SelCase *cases;
    size_t cap;
} SelectState;

#define LIVE_CACHE_BITS 3u /* a goroutine's cache of references known live (GoxG.live_ref): 8 */
#define LIVE_CACHE (1u << LIVE_CACHE_BITS)

typedef struct IterState IterState;
typedef struct GoxG GoxG;
typedef struct SelectWait SelectWait;

typedef struct Waiter {
    GoxG *g;
    uint64_t value;       /* the value a sender offers */
    int64_t case_i;       /* the select case, -1 for a plain send/receive */
    SelectWait *sel;      /* the select it belongs to, or NULL */
    GoxObj *chan;         /* the channel whose queue holds it */
    bool is_send;
    uint64_t hist_t0;     /* the channel history's start of its operation (0: not recorded) */
    struct Waiter *prev, *next;
} Waiter;

struct SelectWait {
    Waiter **waiters;
    size_t n;
    /* a case completed (Go's gp.selectDone).  Parallel mode: the waker that completes a case
     * sets it with a CAS from 0, holding that case's channel lock only, so at most one case
     * completes; a waker whose CAS fails skips the waiter (chan.c, dequeue) */
    uint8_t done;
};

struct GoxG {
    uint64_t gid;
    const void *entry;
    uint64_t *args;
    uint32_t nargs;
    int status;
    const char *wait_reason;
    bool started;
    /* the machine context */
    void *ctx_sp;
    GoxStackSeg *stack;
    GoxStackSeg *big;  /* the innermost growth segment it runs on (stack.c), NULL: its slot */
    unsigned nbig;     /* how many it has */
    GoxStackSeg *spare; /* a growth segment kept resident for its next growth */
    void *asan_fake;
    /* defer, panic, recover */
    DeferFrame **frames; /* open frames, outermost first; frames[nframes..nalloc) are spare */
    size_t nframes, nalloc, frames_cap;
    PanicRec *panics;
    size_t npanics, panics_cap;
    bool sig; /* Go's gp.sig: a nil-dereference panic, until a recovery leaves none (defer.c) */
    size_t *bases; /* defer_call_base */
    size_t nbases, bases_cap;
    /* select */
    SelectState sel;
    uint64_t sel_value;
    bool sel_ok;
    bool sel_ref; /* sel_value is a reference received: a root until its next select */
    /* iterators, by handle */
    IterState **iters;
    size_t niters, iters_cap;
    /* what a waker hands a parked goroutine */
    uint64_t wake_value;
    bool wake_ok, wake_ref;
    int64_t wake_case;
    uint64_t *parked_on;
    size_t nparked, parked_cap;
    SimStack sim;
    GoxShadowFrame *shadow_top; /* the innermost frame record of compiled code (shadow.c) */
    uint64_t *results;          /* gox_shadow_results (GOX_MAX_RESULTS slots, made on first use) */
    Waiter *plain_wait;         /* while parked in a send or receive: &plain_node */
    Waiter plain_node;
    SelectWait *sel_wait;       /* while parked in a select */
    bool sel_active;            /* exec runs: the cases stay roots (parked in pass 2) */
    GoxG *next;       /* run queue link */
    GoxG *all_prev, *all_next; /* live goroutines by id */
    int64_t pause;    /* its share of R->pause_depth (gox_gc_pause in it, extern calls) */
    /* parallel mode */
    unsigned lock_depth;         /* its hold count of the runtime lock while switched out */
    const uint64_t *stw_args;    /* stopped for the world: the live arguments of its call */
    size_t nstw_args;
    uintptr_t stw_fp;            /* ... and its frame pointer there */
    bool stw_stopped;
    /* a parked goroutine's compacted stack (stack.c): the copy of [hi - saved_len, hi) */
    bool compact;               /* set when it parks: compact the stack once switched out */
    bool cold;                  /* was compacted: its stack's pages go back when it ends */
    void *saved;
    size_t saved_len;
    _Atomic bool on_cpu;         /* a worker is running it (or has not finished its switch out) */
    /* parallel mode: references it found live under the runtime lock, and the world_epoch it
     * found them in (live_known: the channel calls' check without the lock; its own, so that
     * moving to another worker costs it nothing) */
    uint64_t live_ref[LIVE_CACHE], live_epoch[LIVE_CACHE];
    void *tsan_fiber;
};

/* A worker (parallel.c): an OS thread that runs goroutines (docs/SCHEDULER.md "Parallel mode").
 * Worker 0 is the thread that called gox_run_main; with one worker that is all there is. */
#define MAX_WORKERS 64u
#define RUNQ_SIZE 256u /* a worker's ring (Go's runq): beyond it, half moves to the overflow queue */

/* ---- the channel history (history.c; $GOX_CHAN_HISTORY) ------------------------------------ */
enum { H_MAKE, H_SEND, H_RECV, H_CLOSE, H_LEN, H_CAP, H_SELECT };
typedef struct {
    uint64_t t0, t1;   /* CLOCK_MONOTONIC ns: before the operation starts, after it is over */
    uint64_t gid, chan, value; /* gid: 0 the recording goroutine; chan: the channel's object number;
                                * make: value is the element kind */
    int64_t arg;       /* make: the capacity; select: the case it completed, -1 default */
    uint8_t op, dir;   /* H_*; select: SEL_SEND / SEL_RECV of its case (default: of its one case) */
    bool ok;           /* receive: ok; send, close and a select's send: false when it panicked */
    unsigned ncases;   /* select: its non-nil cases */
} HistRec;
typedef struct {
    HistRec *recs;
    size_t n, cap;
} HistBuf;
extern int gox_hist_on;
uint64_t now_ns(void); /* CLOCK_MONOTONIC, ns (parallel.c) */
/* t0 of an operation: 0 when no program records (one predictable branch) */
static inline uint64_t hist_begin(void) {
    return __builtin_expect(__atomic_load_n(&gox_hist_on, __ATOMIC_RELAXED), 0) ? now_ns() : 0;
}
bool hist_start(GoxRuntime *R);      /* gox_run_main: opens $GOX_CHAN_HISTORY (false: ABI error) */
void hist_add(GoxRuntime *R, HistRec r); /* the operation is over: t1 now, into this worker's buffer */
void hist_chan(GoxRuntime *R, uint64_t t0, int op, GoxObj *o, uint64_t value, bool ok);
/* a parked operation completed by another goroutine's (w: the waker's view of it) */
void hist_woken(GoxRuntime *R, GoxObj *o, const Waiter *w, uint64_t value, bool ok);
void hist_finish(GoxRuntime *R);     /* gox_run_main, the workers joined: written out, freed */
typedef struct GoxWorker {
    GoxRuntime *R;
    pthread_t thread;
    GoxG *current;             /* the goroutine it runs; NULL in its scheduler loop */
    GoxG *dead;                /* a goroutine that ended, its stack to release in the loop */
    bool counted;              /* parallel mode: its hub is in its nrunning (hub_count_in) */
    GoxG *runq_head, *runq_tail; /* one worker: its run queue (FIFO, unbounded) */
    size_t runq_len;
    /* several workers: its run queue is a ring (parallel.c, "run queues"): the owner puts at
     * rq_tail and takes at rq_head, thieves take from rq_head with a CAS */
    /* (a cache line apart from current and R above, which every lock-free call reads: thieves
     * write the ring's indices) */
    _Alignas(64) _Atomic uint32_t rq_head;  /* the oldest goroutine's index (owner and thieves: CAS) */
    _Atomic uint32_t rq_tail;  /* the next free slot's index (stored by the owner only) */
    GoxG *_Atomic rq[RUNQ_SIZE];
    /* parallel mode: counts that every switch writes, on a cache line of their own (one count
     * shared by the workers moved a line between cores at every switch: 6% of a two-worker
     * ping-pong run in sched_count_in alone) */
    _Alignas(64) _Atomic unsigned nrunning; /* its goroutines counted running (parallel.c,
                                              * "stopping the world"; only its thread writes it) */
    int nparked_delta;         /* parks less resumes on it not yet added to S->nparked_par */
    unsigned ticks;            /* goroutines it has taken: every GQ_EVERY-th comes from the overflow */
    GoxG *eyed;                /* a thief: the lone goroutine of another queue it waits for, */
    uint64_t eyed_since;       /* since when (its grace period: steal) */
    /* an idle worker (S->idle_mu): listed in S->idle until woken or its wait times out */
    struct GoxWorker *idle_next;
    bool listed, watching, asleep, woken;
    pthread_cond_t wake_cv;    /* it sleeps on its own condition variable (with idle_mu) */
    void *hub_sp;              /* the scheduler loop's saved context */
    void *hub_asan_fake, *tsan_fiber;
    uintptr_t hub_lo, hub_hi;  /* the loop's (the thread's own) stack */
    ErrRec err;                /* the record of the goroutine it runs (err_rec) */
    HistBuf hist;              /* its channel history (history.c): only its thread appends */
    Rng rng;                   /* parallel mode: its selects' generator (only its thread draws) */
    /* parallel mode, checked: its allocation cache (Go's mcache; heap.c, heap_alloc_local): the
     * chunk it bumps in without R->mu, the objects it made since its last flush (not yet in
     * R->order) and their bytes and debt (not yet in R's counts).  Only its thread touches it,
     * but for the flush of a stopped world (heap_world_stopped). */
    struct HeapChunk *achunk;
    GoxObj **aobjs;
    size_t naobjs;
    uint64_t abytes, adebt;
} GoxWorker;

typedef struct GoxSched {
    GoxG host;            /* goroutine 0: state of ABI calls made outside run_main */
    GoxG *all_head, *all_tail;
    bool running;          /* inside gox_run_main */
    GoxWorker *workers;
    unsigned nworkers;     /* of the program that runs */
    unsigned want_workers; /* gox_sched_set_workers; 0: $GOX_WORKERS, else 1 */
    _Atomic int exit_status; /* -1: the program goes on */
    bool abi_error;        /* the program ended with an ABI error (in the error record) */
    ErrRec abi_err;        /* parallel mode: that error, until gox_run_main returns */
    /* parallel mode (parallel.c): the workers' rings need no lock; idle_mu (Go's sched.lock:
     * taken after R->mu, never before it: the lock order at GoxRuntime.mu) guards the overflow
     * queue and the idle workers; the counts below it are also read without it (atomics) */
    pthread_mutex_t idle_mu;
    GoxG *gq_head, *gq_tail; /* the overflow queue (FIFO, linked by GoxG.next) */
    _Atomic size_t gq_len;
    GoxWorker *idle;       /* the idle workers, last listed first */
    _Atomic unsigned nidle;     /* listed idle workers (asleep or watching) */
    _Atomic unsigned nwatching; /* of them, those waiting out a goroutine's grace period */
    unsigned nasleep;      /* of them, those asleep without a timeout: all workers is the deadlock */
    /* (the goroutines on workers and not stopped for the world: each worker counts its own,
     * GoxWorker.nrunning) */
    size_t nparked;        /* goroutines parked (one worker): beyond PARKED_RESIDENT their stacks are compacted */
    /* parallel mode: the same count give or take PARKED_BATCH per worker, which each adds its
     * changes to in batches (sched.c, park_switch) */
    _Atomic int64_t nparked_par;
    uint32_t stw_pending;  /* a collection stops the world: set and cleared under R->mu with
                            * atomic stores (seq_cst to set it), read without the lock by
                            * compiled loops (gox_sched_preempt_flag) and by the hubs */
    uint32_t preempt;      /* what compiled loops poll (gox_sched_preempt_flag), set like stw_pending:
                            * while a collection stops the world, and from the program's end on,
                            * so that a goroutine looping on another worker stops at its next poll
                            * (gox_sched_poll enters the runtime: sched_after_lock abandons it) */
    pthread_cond_t stw_stopped_cv, stw_done_cv;
    /* the stops of the world so far (R->mu, written while the world is stopped): whether an
     * object is live changes only then (the collector's steps), so a reference found live in
     * an epoch stays live until it ends (live_known) */
    uint64_t world_epoch;
    Rng rng;
    uint64_t next_gid, next_fid, next_iter, main_gid;
    /* names of entries, for reports */
    U64Map names;
    char **name_strs;
    size_t nnames;
    /* tracing */
    bool trace_on;
    uint64_t trace_seq;
    Buf trace;
    FILE *hist_file;       /* $GOX_CHAN_HISTORY's, while a program records (history.c) */
    /* time (timer.c): the virtual clock and the pending timers, a binary heap by (when, seq) */
    int64_t clock_now;     /* one worker: the virtual clock */
    uint64_t start_ns;     /* parallel mode: CLOCK_MONOTONIC at gox_run_main (the clock is now_ns() - it) */
    _Atomic int64_t timers_next; /* parallel mode: the earliest deadline (INT64_MAX: none), for the hubs' look */
    uint64_t timer_seq;
    struct GoxTimer **timers;
    size_t ntimers, timers_cap;
} GoxSched;

GoxSched *sched_of(GoxRuntime *R);                     /* created on first use */
GoxG *sched_current(GoxRuntime *R);                     /* the goroutine this thread runs, else NULL */
SimStack *sim_current(GoxRuntime *R);                   /* its simulated stack, else the host's */
void sched_after_lock(GoxRuntime *R); /* the runtime lock just taken: stop if the program ended */
void sched_run(GoxRuntime *R, GoxWorker *W, GoxG *g); /* the hub runs g until it switches out */
void sched_deadlock(GoxRuntime *R); /* the report (parallel mode: R->mu held, idle_mu not); the program is over */
void sched_end_status(GoxRuntime *R, int status); /* the program's exit status: the first ending wins */
void gc_pause_adjust(GoxRuntime *R, int delta);         /* gox_gc_pause / resume, extern calls */
void gc_pause_restore(GoxRuntime *R, GoxG *g, int64_t pause); /* a panic unwinding to a frame */
/* the calling thread's worker, else NULL (sched.c; not inlined: see there) */
GoxWorker *this_worker(void);
extern _Thread_local GoxWorker *gox_t_worker GOX_TLS_FAST; /* this_worker's (sched.c) */
void set_this_worker(GoxWorker *W); /* a worker's loop starts (W) or ends (the one before) */
GoxG *sched_host(GoxRuntime *R); /* the host's goroutine record (goroutine 0) */
/* The running goroutine, else the host's.  Inline (select and channel calls ask at every call).
 * In parallel mode this_worker is the one reader of the thread's worker (a goroutine may move
 * to another thread: see sched.c); with one worker the program runs on one thread, where a
 * thread-local's address kept across a goroutine switch stays right, so it is read inline. */
static inline GoxG *sched_g(GoxRuntime *R) {
    GoxWorker *W = R->parallel ? this_worker() : gox_t_worker;
    return W && W->R == R && W->current ? W->current : sched_host(R);
}
GoxG *sched_running(GoxRuntime *R, const char *what);   /* NULL (fatal error recorded) outside run_main */
void sched_park(GoxRuntime *R, GoxG *g, const char *reason, const uint64_t *chans, size_t nchans);
/* sched_park's two halves.  Parallel mode, a channel's waiter: prepare before the waiter is in a
 * queue (under the channel's lock: a waker may make g runnable from then on), switch after the
 * lock is given back, holding R->mu (sched_run starts g on another worker only once its switch
 * out is over: on_cpu) */
void sched_park_prepare(GoxRuntime *R, GoxG *g, const char *reason, const uint64_t *chans, size_t nchans);
void sched_park_switch(GoxRuntime *R, GoxG *g);
void sched_ready(GoxRuntime *R, GoxG *g);
void sched_free(GoxRuntime *R);
/* an error just recorded by gox_fail: in program mode it becomes a panic, a fatal error or the
 * end of the program (never returns then); outside a program it stays in the record */
void sched_on_error(GoxRuntime *R);
void sched_fatal(GoxRuntime *R, const char *msg) __attribute__((noreturn)); /* program mode */
/* oom.c's gox_out_of_memory while this thread runs a program: in a goroutine the program ends
 * (no return); on a hub the report, and the program is over.  False in host mode. */
bool sched_out_of_memory(GoxRuntime *R);
void sched_end_program(GoxRuntime *R, int status) __attribute__((noreturn)); /* from the running goroutine */
void sched_write_err(GoxRuntime *R, const char *data, size_t n);
void sched_func_name(GoxRuntime *R, const void *fn, Buf *out);
void sched_goroutine_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);
void sched_current_real_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);
uint64_t sched_call_entry(GoxRuntime *R, const void *fn, const uint64_t *args, uint32_t nargs);
void sim_stack_roots(GoxRuntime *R, const SimStack *S, const char *owner, RootFn fn, void *ctx, bool *stop);
void stack_real_roots(GoxRuntime *R, uintptr_t fp, uintptr_t lo, uintptr_t hi, const char *owner, RootFn fn,
                      void *ctx, bool *stop);
/* The shadow-stack slot of the running goroutine (the host's outside run_main): shadow.c keeps
 * its innermost GoxShadowFrame * there.  Stable accessor; each goroutine has its own slot. */
GoxShadowFrame **gox_current_shadow(void);
void shadow_use_slot(GoxShadowFrame **slot); /* the scheduler: this thread now runs that goroutine (NULL: none) */
uint64_t *sched_current_results(void); /* the running goroutine's (the host's) gox_shadow_results */
/* Every shadow stack, host (gid 0) first, then goroutines by id. */
typedef void (*ShadowEachFn)(GoxRuntime *R, uint64_t gid, GoxShadowFrame *top, const StackView *view, void *ctx,
                             bool *stop);
void sched_each_shadow(GoxRuntime *R, ShadowEachFn fn, void *ctx, bool *stop);


/* workers (parallel.c): run queues, stealing, the worker threads, stopping the world */
void workers_init(GoxRuntime *R, GoxSched *S);
void workers_free(GoxSched *S);
bool workers_wanted(GoxRuntime *R, unsigned *n); /* the next program's worker count; false: ABI error */
void workers_run(GoxRuntime *R, unsigned nworkers); /* the program runs, to its end */
void runq_put(GoxRuntime *R, GoxG *g);             /* g runnable: at the back of the caller's queue */
void wake_idle_workers(GoxSched *S);               /* the program is over: they leave their loops (idle_mu free) */
void wake_idle_worker(GoxSched *S);                /* one idle worker looks again (a new earliest timer) */
/* a FIFO of goroutines linked by GoxG.next: first..last (already linked) go to its back (one
 * worker's run queue; with several, the overflow queue, idle_mu held: parallel.c) */
static inline void glist_append(GoxG **head, GoxG **tail, GoxG *first, GoxG *last) {
    last->next = NULL;
    if (*tail)
        (*tail)->next = first;
    else
        *head = first;
    *tail = last;
}

/* one worker's run queue (FIFO) */
static inline void runq_push(GoxWorker *W, GoxG *g) {
    glist_append(&W->runq_head, &W->runq_tail, g, g);
    W->runq_len++;
}

static inline GoxG *runq_pop(GoxWorker *W) {
    GoxG *g = W->runq_head;
    if (g) {
        W->runq_head = g->next;
        if (!W->runq_head) W->runq_tail = NULL;
        g->next = NULL;
        W->runq_len--;
    }
    return g;
}

/* parallel mode: the stop-the-world handshake of the collector (docs/SCHEDULER.md) */
void sched_stop_world(GoxRuntime *R);
void hub_count_in(GoxRuntime *R, GoxWorker *W);  /* W's hub runs a goroutine next (waits while the world is stopped) */
void hub_count_out(GoxRuntime *R, GoxWorker *W); /* W's hub, R->mu not held: no goroutine of it runs now */
void sched_start_world(GoxRuntime *R);
void sched_safepoint(GoxRuntime *R, const uint64_t *args, size_t nargs); /* stops here if asked */

/* tracing (trace.c): one canonical line per event (gox_ref/trace.py) */
typedef enum { TV_U64, TV_I64, TV_STR, TV_BOOL } TraceValKind;
typedef struct {
    const char *key;
    TraceValKind kind;
    uint64_t u; /* TV_U64, TV_BOOL */
    int64_t i;  /* TV_I64 */
    const char *s;
    size_t slen; /* TV_STR: Python's repr of the text */
} TraceArg;
void trace_emit(GoxRuntime *R, const char *event, const TraceArg *args, size_t nargs); /* args sorted by key */
void trace_gc(GoxRuntime *R, const char *phase);
static inline bool trace_on(GoxRuntime *R) { return R->sched && R->sched->trace_on; }

/* time (timer.c): a timer object is a Pointer boxing its channel, its GoxTimer in ext */
bool timers_advance(GoxRuntime *R); /* nothing runnable: the clock jumps; false: no timer can fire */
void timers_start(GoxRuntime *R);   /* gox_run_main: the clock starts */
/* parallel mode, a hub looking for work: fires what is due (R->mu taken here); the next deadline
 * as CLOCK_MONOTONIC ns, 0 when no timer can ever fire */
uint64_t timers_poll(GoxRuntime *R);
void timers_drop(GoxRuntime *R);    /* the program is over: none pending, the clock at 0 */
void timers_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop);
void timer_free_state(GoxRuntime *R, GoxObj *o);
static inline bool timer_obj(const GoxObj *o) { return o->kind == K_POINTER && o->ext; }

/* channels (chan.c) */
/* The running goroutine's cache of references known live (parallel mode): live_note under the
 * runtime lock, after a check found ref live; live_known without it (W: its worker). */
void live_note(GoxRuntime *R, uint64_t ref);
/* (a multiplicative hash: objects made one after another are a fixed stride apart) */
static inline unsigned live_slot(uint64_t ref) { return (unsigned)((ref * 0x9E3779B97F4A7C15ULL) >> (64 - LIVE_CACHE_BITS)); }
static inline bool live_known(const GoxRuntime *R, const GoxWorker *W, uint64_t ref) {
    unsigned i = live_slot(ref);
    return W->current->live_ref[i] == ref && W->current->live_epoch[i] == R->sched->world_epoch;
}
/* The channel ch names when the cache knows it live (live_known), else NULL: the fast path's
 * check, without the runtime lock (chan.c, C5). */
static inline GoxObj *chan_fast_obj(const GoxRuntime *R, const GoxWorker *W, uint64_t ch) {
    if (!ch || !live_known(R, W, ch)) return NULL;
    GoxObj *o = REF_OBJ(ch);
    return o->kind == K_CHANNEL ? o : NULL;
}
/* A FIFO of parked goroutines (Go's waitq), linked through Waiter.prev/next. */
typedef struct {
    Waiter *first, *last;
} WaitQ;

/* A channel's lock in parallel mode, Go's hchan.lock (the invariants: chan.c, C1-C2).  Its
 * holder never blocks on anything but idle_mu, never switches and holds it for a few hundred
 * instructions, so it is a spin lock: an exchange takes it and a release store gives it back (a
 * pthread mutex's unlock is a second atomic read-modify-write: lock and unlock were a fifth of
 * a two-worker ping-pong run).  A waiter that has spun a while yields its core (chan_lock_slow):
 * on a machine with more threads than cores the holder may be waiting for one. */
typedef struct {
    uint32_t held; /* (__atomic builtins only) */
} ChanLock;
/* a spinning thread's hint to the core (x86's pause, Arm's yield) */
static inline void cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
void chan_lock_slow(ChanLock *l);
static inline void chan_lock(ChanLock *l) {
    if (__builtin_expect(!__atomic_exchange_n(&l->held, 1, __ATOMIC_ACQUIRE), 1)) return;
    chan_lock_slow(l);
}
static inline void chan_unlock(ChanLock *l) { __atomic_store_n(&l->held, 0, __ATOMIC_RELEASE); }

/* A channel's state (behind its object's opaque slot 0, in the hidden ext pointer).  Here, not in
 * chan.c, for the inline fast paths below: a select polls its cases with them. */
typedef struct {
    unsigned elem_kind;
    int64_t cap;
    ChanLock mu; /* parallel mode: Go's hchan.lock (the invariants: chan.c) */
    uint64_t *buf;
    size_t head, len, bufcap;
    bool closed;
    WaitQ recvq, sendq; /* chan.py's recvq and sendq */
} ChanState;

static inline ChanState *chan_state(GoxObj *o) { return (ChanState *)o->ext; }
static inline bool chan_elem_is_ref(GoxObj *o) { return gox_is_ref_kind(chan_state(o)->elem_kind); }
static inline unsigned chan_elem_kind(GoxObj *o) { return chan_state(o)->elem_kind; }
static inline bool chan_is_closed(GoxObj *o) { return chan_state(o)->closed; }
/* A channel's lock in parallel mode (chan.c, C1); par: R->parallel (one worker takes no lock) */
#define LOCK_IF(par, o) (par ? chan_lock(&chan_state(o)->mu) : (void)0)
#define UNLOCK_IF(par, o) (par ? chan_unlock(&chan_state(o)->mu) : (void)0)

void chan_free_state(GoxObj *o);
/* parallel mode, without R->mu (chan.c, C5): a receive for a range loop; false: nothing done,
 * the locked path must run it */
bool chan_recv_fast(GoxRuntime *R, GoxWorker *W, uint64_t ch, uint64_t *v, bool *okp, uint64_t t0);
GoxObj *chan_new(GoxRuntime *R, unsigned elem_kind, int64_t cap); /* no checks, no safepoint */
void chan_children(GoxRuntime *R, GoxObj *o, ChildFn fn, void *ctx);
/* The channel ref names: NULL with *ok for nil, NULL without it (the error recorded) for what
 * is no live channel.  Inline: every channel operation and select case starts here. */
static inline GoxObj *chan_obj(GoxRuntime *R, uint64_t ref, const char *fn, bool *ok) {
    *ok = true;
    if (!ref) return NULL;
    GoxObj *o = heap_get_kind(R, ref, K_CHANNEL, fn);
    if (!o) *ok = false;
    return o;
}

/* The ring's index of the i-th value, i <= len <= bufcap: head < bufcap, so one conditional
 * subtraction is the modulo (no division on every send and receive). */
static inline size_t chan_buf_index(const ChanState *st, size_t i) {
    size_t k = st->head + i;
    return k >= st->bufcap ? k - st->bufcap : k;
}

/* the trace line of a channel operation (out of line: with tracing off an operation pays one
 * test, not a call) */
void trace_chan_emit(GoxRuntime *R, const char *event, GoxObj *o, const char *k2, uint64_t v2, uint64_t value,
                     bool closed) __attribute__((cold));
static inline void trace_chan(GoxRuntime *R, const char *event, GoxObj *o, const char *k2, uint64_t v2,
                              uint64_t value, bool closed) {
    if (trace_on(R)) trace_chan_emit(R, event, o, k2, v2, value, closed);
}

/* A send that goes into the buffer (no receiver waits, there is room and the ring has it) and a
 * receive that takes the buffer's head (no sender waits): the common cases of a buffered channel,
 * inline; chan_try_send/chan_try_recv take them here and leave the others to chan.c. */
static inline void chan_buf_append(ChanState *st, uint64_t v) { /* len < bufcap */
    st->buf[chan_buf_index(st, st->len)] = v;
    st->len++;
}
static inline uint64_t chan_buf_pop(ChanState *st) { /* len > 0 */
    uint64_t v = st->buf[st->head];
    st->head = chan_buf_index(st, 1);
    st->len--;
    return v;
}
static inline void chan_put(GoxRuntime *R, GoxObj *o, uint64_t val) { /* room in the ring */
    ChanState *st = chan_state(o);
    chan_buf_append(st, val);
    if (gox_is_ref_kind(st->elem_kind) && val) gc_barrier(R, o, val);
    trace_chan(R, "send", o, NULL, 0, val, false);
}
static inline uint64_t chan_take(GoxRuntime *R, GoxObj *o) { /* a value buffered */
    uint64_t v = chan_buf_pop(chan_state(o));
    trace_chan(R, "recv", o, NULL, 0, v, false);
    return v;
}

int chan_send_now(GoxRuntime *R, GoxObj *o, uint64_t val);
/* Complete a send now if possible: 1 when done, 0 when it must wait; nothing done and no error
 * recorded yet (the caller gives the channel's lock back first: chan_send_fail): -1 the channel
 * is closed, -2 no memory to grow its buffer. */
static inline int chan_try_send(GoxRuntime *R, GoxObj *o, uint64_t val) {
    const ChanState *st = chan_state(o);
    if (st->closed || st->recvq.first || (int64_t)st->len >= st->cap || st->len == st->bufcap)
        return chan_send_now(R, o, val);
    chan_put(R, o, val);
    return 1;
}
bool chan_recv_now(GoxRuntime *R, GoxObj *o, uint64_t *val, bool *ok);
/* Complete a receive now if possible (true; *ok false: closed and drained). */
static inline bool chan_try_recv(GoxRuntime *R, GoxObj *o, uint64_t *val, bool *ok) {
    const ChanState *st = chan_state(o);
    if (st->sendq.first || !st->len) return chan_recv_now(R, o, val, ok);
    *val = chan_take(R, o);
    *ok = true;
    return true;
}
void chan_send_fail(GoxRuntime *R, int r); /* chan_try_send's -1 or -2: the panic or the fatal error */
void chan_enqueue(GoxRuntime *R, GoxObj *o, Waiter *w); /* a sender's value: with the barrier */
/* Parallel mode: the calling goroutine's worker when a channel call may run without the runtime
 * lock (chan.c, "without the runtime lock"), else NULL (one worker: always). */
GoxWorker *rt_fast_worker(GoxRuntime *R);     /* may the caller take a lock-free path? (runtime.c) */
static inline GoxWorker *chan_fast_worker(GoxRuntime *R) {
    return __builtin_expect(R->parallel, 0) ? rt_fast_worker(R) : NULL;
}

/* ---- lock-free object access (parallel mode: gcapi.c, globals.c) -----------------------------
 * gox_gc_read_slot, gox_gc_write_slot, gox_gc_write_slot_barrier, gox_rt_write_barrier,
 * gox_rt_get_global, gox_rt_set_global, gox_rt_alloc, and gox_slice_len, gox_slice_cap,
 * gox_slice_get, gox_string_len, gox_rt_string_concat and gox_rt_string_from_rune (slice.c,
 * string.c) run without R->mu when rt_fast_worker
 * allows it (a goroutine on a worker outside every other ABI call, tracing off, the program not
 * over: chan_fast_worker's test), on the channel fast path's argument (chan.c, C5).  The
 * invariants they rest on (and A1-A3 in heap.c for the allocation caches):
 *   P1  Objects die only with the world stopped (every collection step stops it in parallel
 *       mode, and so do the explicit collections), and a goroutine inside an ABI call counts as
 *       running, so the world cannot stop under it: an object found live stays live until the
 *       call returns, and its header (kind, slot count, type, flags) does not change.
 *   P2  R->state, R->dead_mark, R->checked and the globals' array and count change only with
 *       the world stopped (gox_set_checked and gox_init_globals stop it) or before the workers
 *       start.  Marks change while goroutines run only while the collector marks (GC_PROPAGATE:
 *       the write barrier and gox_rt_mark_gray, under R->mu), so a lock-free path reads a mark
 *       only in GC_SWEEP (the dead mark), and a reference store that needs the barrier (while
 *       marking) takes the locked path.
 *   P3  What allocations change under R->mu while lock-free readers look -- the chunk table,
 *       the chunks' bitmaps, the type table -- is published whole (heap.c, "the arena";
 *       gox_type_register), and memory a reader may still hold is freed only at the next stop
 *       of the world (heap_defer_free, heap_world_stopped).
 *   P4  Slots and globals are loaded with acquire and stored with release, on both paths: a
 *       reference read from one comes with its object's header and bitmap bit (written before
 *       the reference was stored).
 * Anything the lock-free check does not settle -- a nil, unknown, freed or dead reference, an
 * index out of range, a slot of the wrong type, a store that needs the barrier -- changes
 * nothing and runs the locked path (the deterministic mode's code under R->mu), which gives
 * the error exactly as before.  With one worker none of this runs. */
void heap_defer_free(GoxRuntime *R, void *p); /* (heap.c) */
void heap_world_stopped(GoxRuntime *R);       /* sched_stop_world, the world just stopped */
/* heap_lookup(R, ref, false) without R->mu (P1-P4): the live object ref names, or NULL when
 * that is not certain (the caller takes the locked path).  No hot-chunk cache: it is R->mu's. */
static inline GoxObj *heap_lookup_par(const GoxRuntime *R, uint64_t ref) {
    if (!ref) return NULL;
    if (__atomic_load_n(&R->checked, __ATOMIC_RELAXED)) {
        /* the mask, then the table: a new mask comes with the new table (heap.c) */
        size_t mask = __atomic_load_n(&R->chunk_mask, __ATOMIC_ACQUIRE);
        const ChunkSlot *tab = __atomic_load_n(&R->chunk_tab, __ATOMIC_ACQUIRE);
        if (!tab) return NULL;
        uint64_t key = ref >> CHUNK_SHIFT;
        const HeapChunk *c = NULL;
        for (size_t i = (size_t)key & mask, n = 0; n <= mask; i = (i + 1) & mask, n++) {
            uint64_t k = __atomic_load_n(&tab[i].key, __ATOMIC_ACQUIRE);
            if (k == key) {
                c = __atomic_load_n(&tab[i].c, __ATOMIC_RELAXED);
                break;
            }
            if (!k || (k & ~CHUNK_RETIRED) == key) return NULL; /* (none, or retired: no live object) */
        }
        if (!c) return NULL;
        uint64_t off = ref & (CHUNK_BYTES - 1);
        if (off & 7) return NULL;
        off >>= 3;
        if (!((__atomic_load_n(&c->starts[off >> 6], __ATOMIC_RELAXED) >> (off & 63)) & 1)) return NULL;
    }
    GoxObj *o = REF_OBJ(ref);
    if (o->flags & FLAG_FREED) return NULL;
    if (R->state == GC_SWEEP && o->mark == R->dead_mark) return NULL; /* (P2: marks hold still then) */
    return o;
}
static inline bool heap_ref_ok_par(const GoxRuntime *R, uint64_t val) { return val == 0 || heap_lookup_par(R, val); }
/* Parallel mode, checked: gox_rt_alloc's object from W's allocation cache, without R->mu, or
 * NULL when the cache cannot make it (no room, a flush due, the world stopping): then the
 * locked path flushes and refills it (heap_local_refill) or allocates as one worker does. */
GoxObj *heap_alloc_local(GoxRuntime *R, GoxWorker *W, unsigned kind, unsigned type_id, uint64_t nslots);
void heap_local_refill(GoxRuntime *R, GoxWorker *W); /* R->mu held */
bool heap_local_safepoint(GoxRuntime *R, GoxWorker *W, const uint64_t *args, size_t nargs); /* (heap.c) */
void heap_workers_done(GoxRuntime *R); /* the workers joined: every cache flushed and given up */
/* R->types without R->mu: gox_type_register publishes a grown table with a release store */
static inline const GoxType *type_par(const GoxRuntime *R, unsigned type_id) {
    return &__atomic_load_n(&R->types, __ATOMIC_ACQUIRE)[type_id];
}

void chan_unlink(Waiter *w);
uint64_t chan_recv(GoxRuntime *R, uint64_t ch, const char *fn, bool *ok, uint64_t t0); /* t0: hist_begin() */
void select_won(GoxRuntime *R, Waiter *w);

/* defer (defer.c) */
void defer_free_g(GoxG *g);
void defer_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop);
void defer_runtime_error(GoxRuntime *R) __attribute__((noreturn)); /* the recorded panic, as a panic */
void defer_report(GoxRuntime *R, GoxG *g);                             /* Go's unrecovered-panic report */

/* select (select.c), iterators (iter.c) */
void select_free_g(GoxG *g);
void select_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop);
void iter_free_g(GoxG *g);
void iter_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop);

/* maps, for iteration (map.c) */
typedef struct MapSnapKey MapSnapKey;
MapSnapKey *map_snapshot(GoxObj *m, size_t *n);
bool map_snap_lookup(GoxRuntime *R, GoxObj *m, const MapSnapKey *keys, size_t i, uint64_t *key, uint64_t *val);
void map_snapshot_free(MapSnapKey *keys, size_t n);

#pragma GCC visibility pop

#endif
