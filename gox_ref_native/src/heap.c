/* heap.c: objects, allocation numbers, canonical addresses, validation, the type table.
 *
 * Checked mode keeps the set of every address it ever handed out and never reuses one: a
 * freed object stays where it is, quarantined with FLAG_FREED, so a freed reference is always
 * recognised.  Its objects are bump-allocated from CHUNK_BYTES-aligned chunks (the arena); each
 * chunk has a bitmap of its objects' header addresses, so membership in the set is a chunk
 * lookup (a small table indexed by address >> CHUNK_SHIFT) and a bit test, and an allocation
 * is a bump and a bit.  Addresses are never reused, memory is: once every object of a chunk is
 * quarantined the chunk is retired (chunk_retire): its pages move to a fresh address range,
 * where a new chunk takes them, and its own range stays mapped, empty, so that no mmap hands
 * those addresses out again.  The retired chunk keeps its bitmap, and since its objects were
 * numbered in address order (HeapChunk.numbered) a freed reference into it still has its
 * number (heap_number).  Objects made before checked mode was switched on (by an
 * older runtime without the arena) are in the hash map R->addrs.  Unchecked mode allocates
 * from the same arena but frees at once: a freed object's bit goes and a small object's memory
 * goes on the free list of its slot count, for the next object of that size; it trusts its
 * caller with references, and only the words that carry no kind (the arguments of a spawned
 * or deferred call) are looked up, by their bits (heap_maybe_ref).
 * An object larger than a chunk (a large array: docs/GC.md, "Large objects") gets a chunk of its
 * own, its size rounded up to whole chunks, with the object at its start; it is never on a free
 * list, and freeing it gives the whole chunk back (unchecked) or retires it (checked).
 * Nothing of this shows: allocation numbers, the allocation order (R->order, the sweep's) and
 * the byte accounting (8 + 8 x slots) are the same whatever the memory comes from.  The order
 * is a vector of pointers, not links in the objects: an object is its number, its host state,
 * the 8-byte header and its slots (40 bytes for two slots), and the sweep reads the vector
 * ahead of the objects it visits.
 */
#define _GNU_SOURCE /* MAP_ANONYMOUS, mremap */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "gox_internal.h"

#ifdef GOX_ASAN
#include <sanitizer/asan_interface.h>
#define OBJ_REDZONE 16u /* poisoned bytes after each arena object */
#define POISON(p, n) ASAN_POISON_MEMORY_REGION((const void *)(p), (n))
#define UNPOISON(p, n) ASAN_UNPOISON_MEMORY_REGION((const void *)(p), (n))
#else
#define OBJ_REDZONE 0u
#define POISON(p, n) ((void)0)
#define UNPOISON(p, n) ((void)0)
#endif

/* ---- u64 hash map ----------------------------------------------------------------------- */
static size_t mix(uint64_t k) {
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return (size_t)k;
}

bool u64map_get(const U64Map *m, uint64_t key, uint64_t *out) {
    if (!m->cap) return false;
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) return false;
        if (m->keys[i] == key) {
            if (out) *out = m->vals[i];
            return true;
        }
    }
}

static void u64map_grow(U64Map *m) {
    U64Map n = {0};
    n.cap = m->cap ? m->cap * 2 : 64;
    n.keys = xcalloc(n.cap, sizeof *n.keys);
    n.vals = xcalloc(n.cap, sizeof *n.vals);
    n.used = xcalloc(n.cap, 1);
    for (size_t i = 0; i < m->cap; i++)
        if (m->used[i]) u64map_put(&n, m->keys[i], m->vals[i]);
    free(m->keys);
    free(m->vals);
    free(m->used);
    *m = n;
}

void u64map_put(U64Map *m, uint64_t key, uint64_t val) {
    if ((m->len + 1) * 4 >= m->cap * 3) u64map_grow(m);
    size_t mask = m->cap - 1;
    for (size_t i = mix(key) & mask;; i = (i + 1) & mask) {
        if (!m->used[i]) {
            m->used[i] = 1;
            m->keys[i] = key;
            m->vals[i] = val;
            m->len++;
            return;
        }
        if (m->keys[i] == key) {
            m->vals[i] = val;
            return;
        }
    }
}

bool u64map_del(U64Map *m, uint64_t key) {
    if (!m->cap) return false;
    size_t mask = m->cap - 1, i = mix(key) & mask;
    for (;; i = (i + 1) & mask) {
        if (!m->used[i]) return false;
        if (m->keys[i] == key) break;
    }
    m->used[i] = 0;
    m->len--;
    /* backward-shift deletion */
    for (size_t j = (i + 1) & mask; m->used[j]; j = (j + 1) & mask) {
        size_t home = mix(m->keys[j]) & mask;
        bool move = (j > i) ? (home <= i || home > j) : (home <= i && home > j);
        if (move) {
            m->keys[i] = m->keys[j];
            m->vals[i] = m->vals[j];
            m->used[i] = 1;
            m->used[j] = 0;
            i = j;
        }
    }
    return true;
}

void u64map_clear(U64Map *m) {
    if (m->cap) memset(m->used, 0, m->cap);
    m->len = 0;
}

void u64map_free(U64Map *m) {
    free(m->keys);
    free(m->vals);
    free(m->used);
    memset(m, 0, sizeof *m);
}

/* ---- the arena (checked mode) -------------------------------------------------------------
 * Parallel mode: lock-free readers (heap_lookup_par, gox_internal.h: P1-P4 there) look at the
 * chunk table and the bitmaps while an allocation under R->mu changes them.  So:
 *   - a bitmap word is stored whole with an atomic store (a set bit: an allocation, under R->mu;
 *     a cleared one: a free, with the world stopped or in one-worker mode); the writers of a
 *     word never race each other (R->mu), only its readers;
 *   - a table slot is filled c first, then its key (release): a reader that sees the key sees c;
 *     a key changes in place only to gain CHUNK_RETIRED (an atomic store);
 *   - a bigger table is filled before it is published (the table, then its mask, release), and
 *     the old one is freed only at the next stop of the world (heap_defer_free): a reader that
 *     loaded it still reads valid memory, and one with the old mask probes the new table only
 *     at indices the old mask allows (and gives up after mask + 1 probes);
 *   - a chunk whose objects are all freed is retired (its pages go) only with the world stopped
 *     in parallel mode: a reader may be looking at a freed object's header in it.
 * Slots are emptied (chunk_drop) only with the world stopped or in one-worker mode. */
static inline void chunk_bit(HeapChunk *c, uint64_t ref, bool on) {
    uint64_t off = (ref - c->base) >> 3, bit = (uint64_t)1 << (off & 63);
    uint64_t *w = &c->starts[off >> 6];
    /* (a load and a store, no read-modify-write: R->mu orders the writers) */
    __atomic_store_n(w, on ? *w | bit : *w & ~bit, __ATOMIC_RELAXED);
    if (!on) c->numbered = false; /* a bit gone: the k-th bit is no longer the k-th object */
}

static void chunk_tab_insert(GoxRuntime *R, HeapChunk *c) {
    uint64_t key = c->base >> CHUNK_SHIFT;
    size_t i = (size_t)key & R->chunk_mask;
    while (R->chunk_tab[i].key) i = (i + 1) & R->chunk_mask;
    __atomic_store_n(&R->chunk_tab[i].c, c, __ATOMIC_RELAXED);
    __atomic_store_n(&R->chunk_tab[i].key, key | (c->retired ? CHUNK_RETIRED : 0), __ATOMIC_RELEASE);
}

/* Memory a lock-free reader may still hold (an old chunk table, an old type table): freed at
 * the next stop of the world in parallel mode (heap_world_stopped), at once with one worker. */
void heap_defer_free(GoxRuntime *R, void *p) {
    if (!R->parallel) {
        free(p);
        return;
    }
    if (R->ndeferred == R->deferred_cap) {
        R->deferred_cap = R->deferred_cap ? 2 * R->deferred_cap : 8;
        R->deferred = xrealloc(R->deferred, R->deferred_cap * sizeof *R->deferred);
    }
    R->deferred[R->ndeferred++] = p;
}

static void chunk_retire(GoxRuntime *R, HeapChunk *c);
static void local_flush_all(GoxRuntime *R);
static void local_give_up(GoxRuntime *R);

/* The world is stopped (sched_stop_world; R->mu held): no lock-free reader runs.  What waited
 * for that happens now: deferred frees, and the retirement of chunks filled while readers ran. */
void heap_world_stopped(GoxRuntime *R) {
    local_flush_all(R); /* (A1: before the collector reads R->order or a count) */
    for (size_t i = 0; i < R->ndeferred; i++) free(R->deferred[i]);
    R->ndeferred = 0;
    for (size_t i = 0; i < R->nretire_later; i++) chunk_retire(R, R->retire_later[i]); /* (if still due) */
    R->nretire_later = 0;
}

static ChunkSlot *chunk_tab_find(GoxRuntime *R, const HeapChunk *c) {
    size_t i = (size_t)(c->base >> CHUNK_SHIFT) & R->chunk_mask;
    while (R->chunk_tab[i].c != c) i = (i + 1) & R->chunk_mask;
    return &R->chunk_tab[i];
}

/* false: no memory for the new table (the old one stays) */
static bool chunk_tab_rebuild(GoxRuntime *R, size_t cap) {
    ChunkSlot *old = R->chunk_tab, *tab = calloc(cap, sizeof *tab);
    if (!tab) return false;
    size_t ocap = old ? R->chunk_mask + 1 : 0;
    /* filled first, then published: the table, then its mask (a reader loads them in the other
     * order, so a new mask comes with the new table) */
    for (size_t i = 0; i < ocap; i++) {
        if (!old[i].key) continue;
        size_t j = (size_t)(old[i].key & ~CHUNK_RETIRED) & (cap - 1);
        while (tab[j].key) j = (j + 1) & (cap - 1);
        tab[j] = old[i];
    }
    __atomic_store_n(&R->chunk_tab, tab, __ATOMIC_RELEASE);
    __atomic_store_n(&R->chunk_mask, cap - 1, __ATOMIC_RELEASE);
    if (old) heap_defer_free(R, old);
    return true;
}

#define POPULATE_AFTER_CHUNKS 8u
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23 /* Linux 5.14; older kernels refuse it (EINVAL): lazy faults */
#endif

/* bytes (a multiple of CHUNK_BYTES) of fresh memory at a CHUNK_BYTES-aligned address; 0: the
 * system refused it */
static uintptr_t map_chunk(size_t bytes) {
    /* one chunk more, then the unaligned ends go back */
    if (bytes > SIZE_MAX - CHUNK_BYTES) return 0;
    void *p = mmap(NULL, bytes + CHUNK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) return 0;
    uintptr_t a = (uintptr_t)p, base = (a + CHUNK_BYTES - 1) & ~(CHUNK_BYTES - 1);
    if (base > a) munmap(p, base - a);
    if (a + CHUNK_BYTES > base) munmap((void *)(base + bytes), a + CHUNK_BYTES - base);
    return base;
}

/* Parallel mode, checked: several allocate at once (R->cur_chunk under R->mu, each worker in its
 * own: heap_alloc_local), so numbers taken from R->next_num one by one would not be consecutive
 * within a chunk, and a retired chunk could not tell a freed reference's number (heap_number).
 * A chunk made then reserves the most numbers it can hold instead, and its k-th object gets
 * first_num + k: the numbers of a parallel run have gaps, in exchange for no shared counter. */
#define CHUNK_NUMS (CHUNK_BYTES / sizeof(GoxObj))
static inline bool chunk_ranging(const GoxRuntime *R) { return R->parallel && R->checked; }

/* A new chunk of bytes (CHUNK_BYTES, or more for a large object: a chunk of its own), or NULL
 * when there is no memory for it (nothing changed then). */
static HeapChunk *chunk_new(GoxRuntime *R, size_t bytes) {
    /* the pages of a retired chunk if there are some (no page faults), else fresh ones */
    bool recycled = bytes == CHUNK_BYTES && R->nspare > 0;
    uintptr_t base = recycled ? R->spare[R->nspare - 1] : map_chunk(bytes);
    HeapChunk *c = base ? calloc(1, sizeof *c) : NULL;
    if (!c || ((!R->chunk_tab || 2 * (R->nchunks + 1) > R->chunk_mask + 1) &&
               !chunk_tab_rebuild(R, R->chunk_tab ? 2 * (R->chunk_mask + 1) : 64))) {
        free(c);
        if (base && !recycled) munmap((void *)base, bytes);
        return NULL;
    }
    if (recycled) R->nspare--;
    /* a big heap faults its fresh pages in a chunk at a time: one call instead of a fault per
     * page; a small one keeps touching them lazily, and so does a large object (a big make
     * need not touch most of its pages, as in Go) */
    if (!recycled && bytes == CHUNK_BYTES && R->nchunks - R->nretired >= POPULATE_AFTER_CHUNKS)
        madvise((void *)base, CHUNK_BYTES, MADV_POPULATE_WRITE);
    POISON(base, bytes);
    c->base = base;
    c->bytes = bytes;
    c->recycled = recycled;
    c->numbered = R->checked; /* and stays so while checked mode lasts (heap_set_checked) */
    if (bytes == CHUNK_BYTES && chunk_ranging(R)) { /* (parallel mode: its numbers reserved now) */
        c->ranged = true;
        c->first_num = R->next_num;
        R->next_num += CHUNK_NUMS;
    }
    chunk_tab_insert(R, c);
    if (!R->nchunks++) {
        R->arena_lo = base;
        R->arena_hi = base + bytes;
    } else {
        if (base < R->arena_lo) R->arena_lo = base;
        if (base + bytes > R->arena_hi) R->arena_hi = base + bytes;
    }
    return c;
}

/* c retires or goes: heap_known's cache must not answer for it any more */
static void chunk_forget(GoxRuntime *R, const HeapChunk *c) {
    if (R->hot_chunk == c) {
        R->hot_key = HOT_NONE;
        R->hot_chunk = NULL;
    }
}

/* A chunk none of whose objects is in use any more (only outside checked mode) goes back. */
static void chunk_drop(GoxRuntime *R, HeapChunk *c) {
    chunk_forget(R, c);
    UNPOISON(c->base, c->bytes);
    munmap((void *)c->base, c->bytes);
    ChunkSlot *s = chunk_tab_find(R, c);
    *s = (ChunkSlot){0, NULL};
    /* linear probing: the rest of the cluster goes in again */
    for (size_t j = ((size_t)(s - R->chunk_tab) + 1) & R->chunk_mask; R->chunk_tab[j].key; j = (j + 1) & R->chunk_mask) {
        HeapChunk *m = R->chunk_tab[j].c;
        R->chunk_tab[j] = (ChunkSlot){0, NULL};
        chunk_tab_insert(R, m);
    }
    if (R->cur_chunk == c) R->cur_chunk = NULL;
    if (c->retired) R->nretired--;
    free(c);
    if (--R->nchunks == 0) {
        free(R->chunk_tab);
        R->chunk_tab = NULL;
        R->chunk_mask = 0;
        R->arena_lo = R->arena_hi = 0;
    }
}

/* The most pages of retired chunks kept for new chunks: as many as the chunks in use (at
 * least SPARE_MIN); beyond that a retired chunk's pages go back to the system. */
#define SPARE_MIN 16u
#ifndef MREMAP_DONTUNMAP
#define MREMAP_DONTUNMAP 4 /* Linux 5.7 */
#endif

/* Checked mode: a chunk every object of which is quarantined (and in which no more are
 * bumped) gives its memory up.  Its pages move to a fresh range (mremap moves the page tables:
 * no copy, no fault when they are used again), kept for the next chunk_new; its own range stays
 * mapped and empty (MREMAP_DONTUNMAP), so that no address of it is handed out again.  A kernel
 * without MREMAP_DONTUNMAP gets the pages back instead (MADV_DONTNEED). */
static void chunk_retire(GoxRuntime *R, HeapChunk *c) {
    if (!c->numbered || c->retired || c == R->cur_chunk || c->owned || c->nquar != c->nobj) return; /* not (yet) */
    size_t in_use = R->nchunks - R->nretired;
    bool moved = false;
    if (c->bytes == CHUNK_BYTES && (R->nspare < SPARE_MIN || R->nspare < in_use)) {
        uintptr_t to = map_chunk(CHUNK_BYTES); /* (none: the pages are simply given back, below) */
        if (to && R->nspare == R->spare_cap) {
            size_t cap = R->spare_cap ? 2 * R->spare_cap : SPARE_MIN;
            uintptr_t *spare = realloc(R->spare, cap * sizeof *spare);
            if (spare) {
                R->spare = spare;
                R->spare_cap = cap;
            }
        }
        moved = to && R->nspare < R->spare_cap &&
                mremap((void *)c->base, CHUNK_BYTES, CHUNK_BYTES, MREMAP_MAYMOVE | MREMAP_FIXED | MREMAP_DONTUNMAP,
                       (void *)to) != MAP_FAILED;
        if (moved)
            R->spare[R->nspare++] = to;
        else if (to)
            munmap((void *)to, CHUNK_BYTES);
    }
    if (!moved) madvise((void *)c->base, c->bytes, MADV_DONTNEED);
    POISON(c->base, c->bytes);
    c->retired = true;
    ChunkSlot *s = chunk_tab_find(R, c);
    __atomic_store_n(&s->key, s->key | CHUNK_RETIRED, __ATOMIC_RELAXED);
    chunk_forget(R, c);
    R->nretired++;
}

/* A large object (more than a chunk's bytes) gets a chunk of its own, of its size rounded up
 * to whole chunks: its reference is the chunk's first, so the chunk table, the bitmap, the
 * retirement and the numbering of a retired chunk recognise it as any other (docs/GC.md). */
/* No more objects go into full (it was R->cur_chunk or a worker's): it retires if its objects
 * are all quarantined already, in parallel mode at the next stop of the world (a lock-free reader
 * may be looking at a freed object's header in it). */
static void chunk_full(GoxRuntime *R, HeapChunk *full) {
    full->owned = false;
    if (!R->parallel) {
        chunk_retire(R, full);
    } else if (full->numbered && full->nquar == full->nobj) {
        if (R->nretire_later == R->retire_later_cap) {
            R->retire_later_cap = R->retire_later_cap ? 2 * R->retire_later_cap : 8;
            R->retire_later = xrealloc(R->retire_later, R->retire_later_cap * sizeof *R->retire_later);
        }
        R->retire_later[R->nretire_later++] = full;
    }
}

/* *num: the number R->next_num would give; a ranged chunk gives its own (chunk_ranging) */
static GoxObj *arena_alloc(GoxRuntime *R, size_t size, uint64_t *num) {
    size_t need = size + OBJ_REDZONE;
    HeapChunk *c = R->cur_chunk;
    if (need > CHUNK_BYTES) {
        if (need > SIZE_MAX - CHUNK_BYTES || !(c = chunk_new(R, (need + CHUNK_BYTES - 1) & ~(CHUNK_BYTES - 1))))
            return NULL;
    } else if (!c || c->used + need > CHUNK_BYTES || c->ranged != chunk_ranging(R)) {
        /* (a chunk of the other numbering, when a parallel run starts or ends, is left too) */
        HeapChunk *full = c;
        c = chunk_new(R, CHUNK_BYTES);
        if (!c) return NULL;
        R->cur_chunk = c;
        if (full) chunk_full(R, full);
    }
    GoxObj *o = (GoxObj *)(c->base + c->used);
    c->used += need;
    UNPOISON(o, size);
    if (c->recycled) memset(o, 0, size); /* fresh memory is zero already */
    chunk_bit(c, OBJ_REF(o), true);
    if (c->ranged)
        *num = c->first_num + c->nobj;
    else if (!c->nobj)
        c->first_num = *num;
    else if (*num - c->first_num != c->nobj)
        c->numbered = false;
    c->nobj++;
    return o;
}

/* ---- the workers' allocation caches (parallel mode, checked; Go's mcache) --------------------
 * Each worker bumps gox_rt_alloc's objects out of a chunk of its own (achunk: owned, ranged, so
 * its numbers are its own too), keeps them in its list (aobjs) and counts their bytes and debt
 * there, without R->mu (heap_alloc_local).  It takes R->mu to flush -- its list appended to
 * R->order, its counts added to R's -- every LOCAL_FLUSH objects, and for a new chunk
 * (heap_local_safepoint, from the locked paths of the calls that allocate from the cache).
 * Invariants:
 *   A1  Only the worker's own thread touches its cache, its chunk's bump offset and object count
 *       and the headers it writes, except with the world stopped: sched_stop_world flushes every
 *       cache (heap_world_stopped) before the collector reads R->order or a count, so the atomic
 *       step's sweep range, the sweep and the statistics see every object made before the stop.
 *       A goroutine counts as running while it allocates (P1): the world cannot stop under it.
 *   A2  A new object's color is R->current_white, which changes only with the world stopped,
 *       and the debt is counted only while a cycle runs (R->state, likewise): the same as
 *       gc_alloc's, taken at the same moment.  The flushed counts may lag R's by a worker's
 *       LOCAL_FLUSH objects, so a step may come that much later: the parallel mode is not
 *       deterministic anyway.
 *   A3  A chunk a worker owns is never retired (chunk_retire) nor anyone else's cur_chunk; other
 *       threads read only its table slot and its bitmap, which it sets with atomic stores. */
#define LOCAL_FLUSH 512u
#define LOCAL_MAX_BYTES 4096u /* bigger objects take the locked path (a chunk is not wasted on them) */

GoxObj *heap_alloc_local(GoxRuntime *R, GoxWorker *W, unsigned kind, unsigned type_id, uint64_t nslots) {
    HeapChunk *c = W->achunk;
    size_t size = sizeof(GoxObj) + 8u * (size_t)nslots, need = size + OBJ_REDZONE;
    if (!c || need > LOCAL_MAX_BYTES || c->used + need > CHUNK_BYTES || W->naobjs == LOCAL_FLUSH || !R->checked ||
        __atomic_load_n(&R->sched->stw_pending, __ATOMIC_RELAXED))
        return NULL;
    GoxObj *o = (GoxObj *)(c->base + c->used);
    c->used += need;
    UNPOISON(o, size);
    if (c->recycled) memset(o, 0, size); /* fresh memory is zero already */
    o->num = c->first_num + c->nobj;
    o->kind = (uint8_t)kind;
    o->type_id = (uint16_t)type_id;
    o->nslots = (uint16_t)nslots;
    o->mark = (uint8_t)R->current_white;
    chunk_bit(c, OBJ_REF(o), true);
    c->nobj++;
    W->aobjs[W->naobjs++] = o;
    W->abytes += OBJ_SIZE(o);
    if (R->state != GC_PAUSE) W->adebt += OBJ_SIZE(o);
    return o;
}

/* W's objects go into R->order and its counts into R's (R->mu held, W's thread or the world stopped) */
static void local_flush(GoxRuntime *R, GoxWorker *W) {
    size_t n = W->naobjs;
    if (!n) return;
    if (R->norder + n > R->order_cap) { /* (the objects exist: no failure is possible here) */
        size_t cap = R->order_cap ? R->order_cap : 1024;
        while (cap < R->norder + n) cap *= 2;
        R->order = xrealloc(R->order, cap * sizeof *R->order);
        R->order_cap = cap;
    }
    memcpy(R->order + R->norder, W->aobjs, n * sizeof *R->order);
    R->norder += n;
    R->live_objects += n;
    R->allocated_objects += n;
    R->live_bytes += W->abytes;
    R->allocated_bytes += W->abytes;
    R->debt += W->adebt;
    W->naobjs = 0;
    W->abytes = W->adebt = 0;
}

void heap_local_refill(GoxRuntime *R, GoxWorker *W) {
    local_flush(R, W);
    if (!R->checked) return;
    if (!W->aobjs) W->aobjs = xmalloc(LOCAL_FLUSH * sizeof *W->aobjs);
    HeapChunk *c = W->achunk;
    if (c && c->used + LOCAL_MAX_BYTES <= CHUNK_BYTES) return; /* room for any object it takes */
    HeapChunk *fresh = chunk_new(R, CHUNK_BYTES); /* (ranged: parallel and checked) */
    if (!fresh) return; /* (the locked path allocates, or reports the out-of-memory) */
    fresh->owned = true;
    W->achunk = fresh;
    if (c) chunk_full(R, c);
}

/* The safepoint of a locked path that allocates from W's cache (W: NULL when it cannot; R->mu
 * held): the cache is flushed first, so that the step sees its objects and debt, and refilled
 * after, with a chunk that has room (a stop of the world meanwhile took W's), so that this call
 * and the next lock-free ones find it ready. */
bool heap_local_safepoint(GoxRuntime *R, GoxWorker *W, const uint64_t *args, size_t nargs) {
    if (W) heap_local_refill(R, W);
    if (!gc_safepoint(R, args, nargs)) return false;
    if (W) heap_local_refill(R, W);
    return true;
}

/* (R->mu held, the world stopped, or the workers joined) */
static void local_flush_all(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S) return;
    for (unsigned i = 0; i < S->nworkers; i++) local_flush(R, &S->workers[i]);
}

/* Every cache flushed and its chunk given up (the world stopped, or the workers joined) */
static void local_give_up(GoxRuntime *R) {
    GoxSched *S = R->sched;
    if (!S) return;
    for (unsigned i = 0; i < S->nworkers; i++) {
        GoxWorker *W = &S->workers[i];
        local_flush(R, W);
        if (W->achunk) chunk_full(R, W->achunk);
        W->achunk = NULL;
    }
}

void heap_workers_done(GoxRuntime *R) {
    local_give_up(R);
    for (unsigned i = 0; i < R->sched->nworkers; i++) {
        free(R->sched->workers[i].aobjs);
        R->sched->workers[i].aobjs = NULL;
    }
    heap_world_stopped(R); /* (one thread left: what waited for a stop goes now) */
}

/* The memory of an object that is gone (unchecked mode, or the quarantine's end).  Its bit goes:
 * the address is no object any more.  In unchecked mode a small object's memory waits on the
 * free list of its slot count for the next object of that size.  The lists are queues: the
 * sweep frees in allocation order, so new objects take the memory of old ones in the order the
 * old ones were made, and what was allocated together (a tree, in address order when it was
 * bumped) stays together.  A stack would reverse that order at every cycle and scatter
 * consecutive objects over the heap: the sweep's walk and the program's own reads would then
 * miss the cache at every object (binary-trees, unchecked: 0.74 -> 0.46 s). */
static void obj_release_mem(GoxRuntime *R, GoxObj *o) {
    HeapChunk *c = chunk_of(R, OBJ_REF(o));
    if (!c) {
        free(o);
        return;
    }
    chunk_bit(c, OBJ_REF(o), false);
    c->nobj--;
    uint64_t nslots = obj_nslots(o);
    if (!R->checked && nslots < FREE_CLASSES) {
        o->free_next = NULL;
        if (R->free_objs[o->nslots])
            R->free_tail[o->nslots]->free_next = o;
        else
            R->free_objs[o->nslots] = o;
        R->free_tail[o->nslots] = o;
        c->nfree++;
        POISON(&o->ext, sizeof(GoxObj) + 8u * (size_t)nslots - offsetof(GoxObj, ext)); /* all but the link */
        return;
    }
    POISON(o, sizeof(GoxObj) + 8u * (size_t)nslots);
    if (!c->nobj && !c->nfree) chunk_drop(R, c);
}

/* Unchecked mode: a freed object's memory of this slot count, zeroed, or NULL. */
static GoxObj *reuse(GoxRuntime *R, uint64_t nslots, size_t size) {
    GoxObj *o = nslots < FREE_CLASSES ? R->free_objs[nslots] : NULL;
    if (!o) return NULL;
    UNPOISON(o, size);
    R->free_objs[nslots] = o->free_next;
    HeapChunk *c = chunk_of(R, OBJ_REF(o));
    c->nfree--;
    c->nobj++;
    chunk_bit(c, OBJ_REF(o), true);
    memset(o, 0, size);
    return o;
}

/* Checked mode never reuses memory: the free lists are emptied (their empty chunks go back);
 * so does the end of a runtime (heap_release_arena). */
static void drop_free_lists(GoxRuntime *R) {
    for (unsigned k = 0; k < FREE_CLASSES; k++) {
        while (R->free_objs[k]) {
            GoxObj *o = R->free_objs[k];
            R->free_objs[k] = o->free_next;
            POISON(o, sizeof(GoxObj) + 8u * (size_t)k);
            HeapChunk *c = chunk_of(R, OBJ_REF(o));
            if (--c->nfree == 0 && !c->nobj) chunk_drop(R, c);
        }
    }
}

/* Every chunk, in a fresh array (*n of them): a walk that may drop chunks walks this copy. */
static HeapChunk **all_chunks(GoxRuntime *R, size_t *n) {
    HeapChunk **all = xmalloc((R->nchunks ? R->nchunks : 1) * sizeof *all);
    *n = 0;
    for (size_t i = 0; R->chunk_tab && i <= R->chunk_mask; i++)
        if (R->chunk_tab[i].key) all[(*n)++] = R->chunk_tab[i].c;
    return all;
}

/* Checked mode's set of the objects outside the arena (from before checked mode) goes, and the
 * quarantined ones among them with it. */
static void free_quarantined_outside(GoxRuntime *R) {
    for (size_t i = 0; i < R->addrs.cap; i++) {
        if (!R->addrs.used[i]) continue;
        GoxObj *o = REF_OBJ(R->addrs.keys[i]);
        if (o->flags & FLAG_FREED) free(o);
    }
    u64map_free(&R->addrs);
}

/* The end of a runtime: what the objects hold outside the arena goes (a map's index, a channel's
 * queue, an object of its own allocation, quarantined or not), then every chunk whole, its
 * quarantined objects with it -- not object by object through the free lists as heap_drop_all's
 * release does, nor through the quarantine's end (heap_set_checked), which cost a program that
 * exits with 2 million objects a sixth of its run (compiled programs free their runtime at exit:
 * gox_prog.h's gx_exit). */
void heap_release_arena(GoxRuntime *R) {
    free_quarantined_outside(R);
    HEAP_EACH(R, i) {
        GoxObj *o = R->order[i];
        if (o->kind == K_MAP) map_free_state(o);
        if (o->kind == K_CHANNEL) chan_free_state(o);
        if (timer_obj(o)) timer_free_state(R, o);
        if (!chunk_of(R, OBJ_REF(o))) free(o);
    }
    R->norder = 0;
    drop_free_lists(R);
    size_t n; /* (every chunk: the objects still in them went above) */
    HeapChunk **all = all_chunks(R, &n);
    R->nretire_later = 0; /* (they go with the rest) */
    for (size_t i = 0; i < n; i++) chunk_drop(R, all[i]);
    free(all);
    for (size_t i = 0; i < R->ndeferred; i++) free(R->deferred[i]);
    free(R->deferred);
    free(R->retire_later);
    R->deferred = NULL;
    R->retire_later = NULL;
    R->ndeferred = R->deferred_cap = R->nretire_later = R->retire_later_cap = 0;
    while (R->nspare) munmap((void *)R->spare[--R->nspare], CHUNK_BYTES);
    free(R->spare);
    R->spare = NULL;
    R->spare_cap = 0;
    free(R->order);
    R->order = NULL;
    R->norder = R->order_cap = 0;
}

/* ---- objects ------------------------------------------------------------------------------ */
/* Out of memory: the order's room first, then the object's memory, so that a failure changes
 * nothing (a chunk that could not be had leaves no trace). */
GoxObj *heap_new(GoxRuntime *R, unsigned kind, unsigned type_id, uint64_t nslots, int color) {
    if (nslots > (SIZE_MAX - sizeof(GoxObj)) / 8u) {
        gox_out_of_memory(R);
        return NULL;
    }
    size_t size = sizeof(GoxObj) + 8u * (size_t)nslots;
    if (R->norder == R->order_cap) {
        GoxObj **order = grow_array(R, R->order, &R->order_cap, sizeof *order, 1024);
        if (!order) return NULL;
        R->order = order;
    }
    GoxObj *o = R->checked ? NULL : reuse(R, nslots, size);
    uint64_t num = R->next_num;
    if (!o) o = arena_alloc(R, size, &num); /* in the set of addresses from now on (its bit) */
    if (!o) {
        gox_out_of_memory(R); /* in a goroutine the program ends here */
        return NULL;
    }
    o->num = num;
    if (num == R->next_num) R->next_num++; /* (not a ranged chunk's) */
    o->kind = (uint8_t)kind;
    o->type_id = (uint16_t)type_id;
    if (nslots > MAX_SLOTS) /* (only arrays: a large object's header says 0) */
        o->big_nslots = nslots;
    else
        o->nslots = (uint16_t)nslots;
    o->mark = (uint8_t)color;
    R->order[R->norder++] = o;
    R->live_bytes += OBJ_SIZE(o);
    R->live_objects++;
    return o;
}

static void release(GoxRuntime *R, GoxObj *o) {
    if (o->kind == K_MAP) map_free_state(o);
    if (o->kind == K_CHANNEL) chan_free_state(o);
    if (timer_obj(o)) timer_free_state(R, o);
    if (R->checked) {
        o->flags |= FLAG_FREED; /* quarantined: the address stays recognisable */
        o->mark = 0xFF;
        HeapChunk *c = chunk_of(R, OBJ_REF(o));
        if (c && ++c->nquar == c->nobj) chunk_retire(R, c);
    } else {
        obj_release_mem(R, o);
    }
}

/* (only the sweep frees, and leaves the object out of R->order as it goes) */
void heap_free(GoxRuntime *R, GoxObj *o) {
    R->live_bytes -= OBJ_SIZE(o);
    R->live_objects--;
    release(R, o);
}

void heap_sweep_done(GoxRuntime *R) {
    size_t made = R->norder - R->sweep_end;
    if (made) memmove(R->order + R->sweep_keep, R->order + R->sweep_end, made * sizeof *R->order);
    R->norder = R->sweep_keep + made;
    R->sweep_pos = R->sweep_end = R->sweep_keep = 0;
}

void heap_drop_all(GoxRuntime *R) {
    HEAP_EACH(R, i) release(R, R->order[i]);
    R->norder = 0;
    R->sweep_pos = R->sweep_end = R->sweep_keep = 0;
    R->live_bytes = 0;
    R->live_objects = 0;
    R->dead_mark = -1;
}

void heap_set_checked(GoxRuntime *R, bool on) {
    if (on == R->checked) return;
    local_give_up(R); /* (the caller stopped the world: the workers' chunks are numbered for checked mode) */
    heap_world_stopped(R); /* (the chunks waiting to retire do so before any is dropped) */
    if (on) {
        /* arena objects still in use have their bits; the others go into the map */
        HEAP_EACH(R, i) if (!chunk_of(R, OBJ_REF(R->order[i]))) u64map_put(&R->addrs, OBJ_REF(R->order[i]), 1);
        drop_free_lists(R);
    } else {
        /* the quarantine ends: in the map (objects from before checked mode) ... */
        free_quarantined_outside(R);
        /* ... and in the arena, whose empty chunks go back */
        size_t n;
        HeapChunk **all = all_chunks(R, &n);
        for (size_t ci = 0; ci < n; ci++) {
            HeapChunk *c = all[ci];
            if (c->retired) { /* its addresses may be handed out again */
                chunk_drop(R, c);
                continue;
            }
            c->numbered = false; /* (numbered chunks are born in checked mode and stay in it) */
            c->nquar = 0;
            for (size_t w = 0; w < CHUNK_BYTES / 8 / 64; w++) {
                for (uint64_t bits = c->starts[w]; bits; bits &= bits - 1) {
                    uint64_t ref = c->base + 8u * (64u * w + (uint64_t)__builtin_ctzll(bits));
                    GoxObj *o = REF_OBJ(ref);
                    if (!(o->flags & FLAG_FREED)) continue;
                    chunk_bit(c, ref, false);
                    c->nobj--;
                }
            }
            if (!c->nobj) chunk_drop(R, c);
        }
        free(all);
    }
    R->checked = on;
}

/* ---- lookup and validation ------------------------------------------------------------------ */
GoxObj *heap_known_table(GoxRuntime *R, uint64_t ref) {
    const ChunkSlot *s = chunk_slot(R, ref);
    if (!s) return heap_known_slow(R, ref);
    if (s->key & CHUNK_RETIRED) return NULL;
    R->hot_key = s->key; /* (the next lookup in this chunk answers from the cache) */
    R->hot_chunk = s->c;
    return chunk_has(s->c, ref) ? REF_OBJ(ref) : NULL;
}

GoxObj *heap_known_slow(GoxRuntime *R, uint64_t ref) {
    return R->addrs.len && u64map_get(&R->addrs, ref, NULL) ? REF_OBJ(ref) : NULL;
}

uint64_t heap_number(GoxRuntime *R, uint64_t ref, bool *freed) {
    GoxObj *o = heap_known(R, ref);
    if (o) {
        if (freed) *freed = o->flags & FLAG_FREED;
        return o->num;
    }
    const HeapChunk *c = R->checked && ref ? chunk_of(R, ref) : NULL;
    if (!c || !c->retired || !chunk_has(c, ref)) return 0;
    /* a retired chunk is numbered: its k-th object in address order is number first_num + k */
    uint64_t off = (ref - c->base) >> 3, rank = 0;
    for (size_t w = 0; w < off >> 6; w++) rank += (uint64_t)__builtin_popcountll(c->starts[w]);
    rank += (uint64_t)__builtin_popcountll(c->starts[off >> 6] & (((uint64_t)1 << (off & 63)) - 1));
    if (freed) *freed = true;
    return c->first_num + rank;
}

uint64_t heap_canon(GoxRuntime *R, uint64_t ref) {
    uint64_t num = heap_number(R, ref, NULL);
    return num ? HEAP_BASE + REF_STRIDE * num : ref;
}

bool heap_maybe_ref(GoxRuntime *R, uint64_t val) {
    if (!val) return false;
    if (!R->checked) { /* an arena object's bit is set while it lives (a freed one's is not) */
        HeapChunk *c = chunk_of(R, val);
        if (!c || !chunk_has(c, val)) return false;
    }
    return heap_is_live(R, val);
}

void heap_describe(GoxRuntime *R, uint64_t ref, Buf *b) {
    bool freed = false;
    uint64_t num = heap_number(R, ref, &freed);
    if (!num) {
        buf_printf(b, "0x%" PRIx64 " is not a reference the heap ever allocated", ref);
        return;
    }
    uint64_t c = HEAP_BASE + REF_STRIDE * num;
    if (!freed)
        buf_printf(b,
                   "0x%" PRIx64 " (object #%" PRIu64 ") was unreachable when the collector finished "
                   "marking and is being swept; keep references held across allocating calls "
                   "rooted (gox_gc_pin, a global or a stack map)",
                   c, num);
    else
        buf_printf(b, "0x%" PRIx64 " is a freed reference (object #%" PRIu64 ")", c, num);
}

GoxObj *heap_get_fail(GoxRuntime *R, GoxRef ref, const char *fn, const char *what) {
    GoxObj *o = heap_lookup(R, ref, false);
    if (o) return o;
    if (ref == 0) {
        gox_fail(R, ERR_ABI, "%s: nil reference, expected %s", fn, what ? what : "a live object");
        return NULL;
    }
    Buf b = {0};
    buf_printf(&b, "%s: ", fn);
    heap_describe(R, ref, &b);
    buf_printf(&b, "; expected %s", what ? what : "a live object");
    gox_fail_buf(R, ERR_ABI, &b);
    return NULL;
}

GoxObj *heap_nil_deref(GoxRuntime *R) {
    gox_fail(R, ERR_PANIC, NIL_DEREF_TEXT);
    return NULL;
}

GoxObj *heap_get_kind_fail(GoxRuntime *R, GoxRef ref, unsigned kind, const char *fn) {
    GoxObj *fast = heap_lookup(R, ref, false);
    if (fast && fast->kind == kind) return fast; /* the error text is built only on failure */
    Buf what = {0};
    buf_puts(&what, "a ");
    buf_kind(&what, kind);
    buf_puts(&what, " object");
    GoxObj *o = heap_get(R, ref, fn, what.data);
    if (o && o->kind != kind) {
        Buf b = {0};
        buf_printf(&b, "%s: 0x%" PRIx64 " is a ", fn, heap_canon(R, ref));
        buf_kind(&b, o->kind);
        buf_puts(&b, " object, expected ");
        buf_put(&b, what.data, what.len);
        gox_fail_buf(R, ERR_ABI, &b);
        o = NULL;
    }
    buf_free(&what);
    return o;
}

bool heap_check_ref_value(GoxRuntime *R, uint64_t val, const char *fn, const char *where) {
    if (val == 0 || heap_is_live(R, val)) return true;
    Buf b = {0};
    buf_printf(&b, "%s: %s takes a reference or 0, but ", fn, where);
    heap_describe(R, val, &b);
    gox_fail_buf(R, ERR_ABI, &b);
    return false;
}

/* Type id 0 is reserved: an interface's slot 0 packed from a bare kind (gox_panic(K_STRING,
 * "boom")) has type bits 0 and means "no type", so no registered type may have id 0.  The
 * placeholder entry keeps ids equal to indexes; heap_get_type rejects it. */
void heap_types_init(GoxRuntime *R) {
    R->types_cap = 16;
    R->types = xcalloc(R->types_cap, sizeof *R->types);
    R->types[0].name = xstrdup("");
    R->types[0].st = xmalloc(1);
    R->ntypes = 1;
}

GoxType *heap_get_type_fail(GoxRuntime *R, uint32_t type_id, const char *fn) {
    if (type_id == 0 || type_id >= R->ntypes) {
        if (R->ntypes <= 1) /* (entry 0 is reserved) */
            gox_fail(R, ERR_ABI, "%s: unknown struct type id %u; no struct type is registered yet (gox_type_register registers them)",
                     fn, type_id);
        else
            gox_fail(R, ERR_ABI, "%s: unknown struct type id %u; expected 1..%zu (registered with gox_type_register)", fn,
                     type_id, R->ntypes - 1);
        return NULL;
    }
    return &R->types[type_id];
}
