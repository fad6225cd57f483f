/* stack.c: goroutine stacks and the stack-overflow guard.
 *
 * Stacks come from a process-wide pool.  The pool maps chunks of STACKS_PER_CHUNK slots; a
 * slot is a guard region (GUARD_BYTES) followed by the usable stack (stack_size(), 64 KiB by
 * default, 256 KiB in the sanitizer build, $GOX_STACK_SIZE overrides).  Memory is reserved
 * (MAP_NORESERVE) and touched lazily, so a parked goroutine costs the pages its frames used.
 * Guards are installed with madvise(MADV_GUARD_INSTALL) (Linux 6.13+: no VMA per guard, so
 * 100k stacks fit under vm.max_map_count), else with mprotect(PROT_NONE).  A SIGSEGV handler
 * on an alternate signal stack recognises a fault inside a guard and ends the program as Go
 * does: `runtime: goroutine stack exceeds N-byte limit`, `fatal error: stack overflow`, exit
 * status 2.  Any other fault goes to the previous handler (the sanitizers' own, or the
 * default action).  A dead goroutine's stack goes back to the pool's free list.  A chunk that
 * cannot be had (its mapping, its tables, a guard) leaves stack_acquire with NULL: the
 * scheduler reports Go's out-of-memory fatal error (sched.c, sched_run).
 *
 * A goroutine's stack grows in segments, up to Go's limit of 1 GB (docs/SCHEDULER.md, "Stacks").
 * Compiled code (gox_program/compile_c.py) compares its frame record's address with the limit
 * its caller's record carries (gox_stack_limit: the segment's low end plus MARGIN); below it,
 * the call runs through gox_stack_grow on a new segment of BIG_BYTES.  When the call returns the
 * goroutine keeps one segment as its spare, resident, for its next growth (a loop whose calls
 * cross the boundary would otherwise fault the pages in again each time); it goes back to the
 * pool, its pages given back, when the goroutine parks among many (sched_park) or ends.
 * MARGIN is the room below the limit for a frame (compiled code counts a larger one's bytes)
 * and the ABI calls it makes (the runtime's own code: locks, the collector, the reports), so
 * no guard is hit inside the runtime.  A goroutine parked at a shallow depth keeps only its
 * small slot.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gox_internal.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif

#ifdef GOX_ASAN
#include <sanitizer/asan_interface.h>
#define DEFAULT_STACK (256u * 1024u)
#else
#define DEFAULT_STACK (64u * 1024u)
#endif

#define GUARD_BYTES (64u * 1024u)
#define STACKS_PER_CHUNK 256u

/* Growth segments: 32 MiB (under AddressSanitizer's 64 MiB, past which it ignores a stack on a
 * longjmp), as many as fit in Go's 1 GB with the first slot. */
#define GO_STACK_LIMIT 1000000000u
#define BIG_BYTES (32u * 1024u * 1024u)
#ifdef GOX_ASAN
#define MARGIN (96u * 1024u)
#else
#define MARGIN (24u * 1024u)
#endif

typedef struct Chunk {
    uintptr_t base, end;
    struct Chunk *next;
} Chunk;

/* A leaf lock: nothing is taken while it is held (the lock order: gox_internal.h, GoxRuntime.mu). */
static pthread_mutex_t pool_lock = PTHREAD_MUTEX_INITIALIZER;
static _Atomic(Chunk *) chunks;
static GoxStackSeg *free_list;
static size_t the_stack_size;
static bool madv_guard_ok = true;

size_t stack_size(void) {
    if (!the_stack_size) {
        size_t n = DEFAULT_STACK;
        const char *env = getenv("GOX_STACK_SIZE");
        if (env && *env) {
            unsigned long long v = strtoull(env, NULL, 0);
            if (v >= 16384 && v <= (1ull << 30)) n = (size_t)v;
        }
        size_t page = (size_t)sysconf(_SC_PAGESIZE);
        the_stack_size = (n + page - 1) / page * page;
    }
    return the_stack_size;
}

/* A chunk of fresh slots onto the free list (pool_lock held); false: no memory for it. */
static bool new_chunk(void) {
    size_t slot = GUARD_BYTES + stack_size();
    size_t len = slot * STACKS_PER_CHUNK;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return false;
    GoxStackSeg *segs = calloc(STACKS_PER_CHUNK, sizeof *segs);
    Chunk *c = malloc(sizeof *c);
    if (!segs || !c) {
        free(segs);
        free(c);
        munmap(p, len);
        return false;
    }
    uintptr_t base = (uintptr_t)p;
    for (size_t i = 0; i < STACKS_PER_CHUNK; i++) {
        void *g = (void *)(base + i * slot);
        if (madv_guard_ok && madvise(g, GUARD_BYTES, MADV_GUARD_INSTALL) == 0) continue;
        madv_guard_ok = false;
        if (mprotect(g, GUARD_BYTES, PROT_NONE) != 0) { /* ENOMEM: no VMA left (vm.max_map_count) */
            free(segs);
            free(c);
            munmap(p, len);
            return false;
        }
    }
    for (size_t i = STACKS_PER_CHUNK; i-- > 0;) {
        uintptr_t g = base + i * slot;
        segs[i].lo = g + GUARD_BYTES;
        segs[i].hi = g + slot;
        segs[i].next_free = free_list;
        free_list = &segs[i];
    }
    c->base = base;
    c->end = base + len;
    c->next = atomic_load(&chunks);
    atomic_store(&chunks, c);
    return true;
}

GoxStackSeg *stack_acquire(void) {
    pthread_mutex_lock(&pool_lock);
    if (!free_list && !new_chunk()) {
        pthread_mutex_unlock(&pool_lock);
        return NULL;
    }
    GoxStackSeg *s = free_list;
    free_list = s->next_free;
    pthread_mutex_unlock(&pool_lock);
    s->next_free = NULL;
    return s;
}

void stack_release(GoxStackSeg *s) {
#ifdef GOX_ASAN
    /* frames abandoned on it (a program's end, a longjmp) may have left redzones poisoned */
    ASAN_UNPOISON_MEMORY_REGION((void *)s->lo, s->hi - s->lo);
#endif
    pthread_mutex_lock(&pool_lock);
    s->next_free = free_list;
    free_list = s;
    pthread_mutex_unlock(&pool_lock);
}

/* ---- compaction of parked goroutines' stacks ---------------------------------------------- *
 * A parked goroutine's stack is mostly untouched memory, but its used part sits on at least one
 * resident page.  With many goroutines parked, sched.c compacts a parking goroutine's stack:
 * the used bytes [sp, hi) are copied out and the stack's pages are given back to the kernel
 * (they read as zeros until the copy is put back, at the same addresses, before the goroutine
 * runs again).  Nothing but the goroutine itself may point into its stack then (its channel
 * waiter lives in its GoxG); the collector reads its frame records through a StackView.  Not
 * under AddressSanitizer, whose stack redzones a plain copy would trip over. */
bool stack_can_compact(void) {
#ifdef GOX_ASAN
    return false;
#else
    return true;
#endif
}

static void drop_pages(GoxStackSeg *s) {
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    uintptr_t lo = s->lo & ~(uintptr_t)(page - 1);
    if (madvise((void *)lo, s->hi - lo, MADV_DONTNEED) != 0) { /* not fatal: the pages stay */
    }
}

void *stack_compact(GoxStackSeg *s, uintptr_t sp, size_t *len) {
    void *copy = malloc(s->hi - sp); /* (an optimisation: without memory for it, none) */
    *len = copy ? s->hi - sp : 0;
    if (!copy) return NULL;
    memcpy(copy, (const void *)sp, *len);
    drop_pages(s);
    return copy;
}

void stack_restore(GoxStackSeg *s, void *copy, size_t len) {
    memcpy((void *)(s->hi - len), copy, len);
    free(copy);
}

void stack_release_cold(GoxStackSeg *s) {
    drop_pages(s); /* its pages came back for one run: give them back again */
    stack_release(s);
}

const void *stack_view_at(const StackView *v, const void *p) {
    uintptr_t a = (uintptr_t)p;
    if (!v || a < v->lo || a >= v->hi) return p;
    return v->copy + (a - v->lo);
}

/* ---- the context of a new goroutine (the layouts of ctx_<arch>.S) -------------------------- */
extern void gox_ctx_trampoline(void);

void *ctx_make(uintptr_t hi, void (*fn)(void *), void *arg) {
    hi &= ~(uintptr_t)15;
#if defined(__x86_64__)
    uint64_t *sp = (uint64_t *)(hi - 16 - 64);
    sp[0] = 0x1F80u | ((uint64_t)0x037Fu << 32); /* MXCSR, x87 control word: the defaults */
    sp[1] = 0;                                    /* r15 */
    sp[2] = 0;                                    /* r14 */
    sp[3] = (uint64_t)(uintptr_t)fn;              /* r13 */
    sp[4] = (uint64_t)(uintptr_t)arg;             /* r12 */
    sp[5] = 0;                                    /* rbx */
    sp[6] = 0;                                    /* rbp: ends frame-pointer walks */
    sp[7] = (uint64_t)(uintptr_t)gox_ctx_trampoline;
    sp[8] = sp[9] = 0;
    return sp;
#elif defined(__aarch64__)
    uint64_t *sp = (uint64_t *)(hi - 176);
    memset(sp, 0, 176);
    sp[0] = (uint64_t)(uintptr_t)arg; /* x19 */
    sp[1] = (uint64_t)(uintptr_t)fn;  /* x20 */
    sp[10] = 0;                       /* x29 */
    sp[11] = (uint64_t)(uintptr_t)gox_ctx_trampoline;
    return sp;
#else
#error "gox_ref_native: no context switch for this architecture (x86-64 and aarch64 only)"
#endif
}

uintptr_t ctx_saved_fp(void *sp) {
#if defined(__x86_64__)
    return (uintptr_t)((uint64_t *)sp)[6];
#else
    return (uintptr_t)((uint64_t *)sp)[10];
#endif
}

/* ---- growth segments ------------------------------------------------------------------------ */
/* Every growth segment ever mapped (the guard handler reads the list without a lock: it only
 * grows); released ones wait on big_free (pool_lock) with their pages given back. */
static _Atomic(GoxStackSeg *) bigs;
static GoxStackSeg *big_free;

static uintptr_t margin(void) {
    size_t half = stack_size() / 2;
    return MARGIN < half ? MARGIN : half;
}

static GoxStackSeg *big_acquire(void) {
    pthread_mutex_lock(&pool_lock);
    GoxStackSeg *b = big_free;
    if (b) big_free = b->next_free;
    pthread_mutex_unlock(&pool_lock);
    if (b) return b;
    size_t len = GUARD_BYTES + BIG_BYTES;
    void *p = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED) return NULL;
    b = calloc(1, sizeof *b);
    bool guarded = madvise(p, GUARD_BYTES, MADV_GUARD_INSTALL) == 0 || mprotect(p, GUARD_BYTES, PROT_NONE) == 0;
    if (!b || !guarded) {
        free(b);
        munmap(p, len);
        return NULL;
    }
    b->lo = (uintptr_t)p + GUARD_BYTES;
    b->hi = (uintptr_t)p + len;
    pthread_mutex_lock(&pool_lock);
    b->next_all = atomic_load(&bigs);
    atomic_store(&bigs, b);
    pthread_mutex_unlock(&pool_lock);
    return b;
}

static void big_release(GoxStackSeg *b) {
#ifdef GOX_ASAN
    ASAN_UNPOISON_MEMORY_REGION((void *)b->lo, b->hi - b->lo);
#endif
    drop_pages(b);
    pthread_mutex_lock(&pool_lock);
    b->next_free = big_free;
    big_free = b;
    pthread_mutex_unlock(&pool_lock);
}

/* The segment compiled code runs on now: the goroutine's innermost growth segment, else its slot. */
static GoxStackSeg *current_seg(GoxG *g) { return g->big ? g->big : g->stack; }

uintptr_t gox_stack_limit(void) {
    GoxG *g = sched_current(gox_rt());
    GoxStackSeg *s = g ? current_seg(g) : NULL;
    return s ? s->lo + margin() : 0;
}

/* Go's report past its limit: the runtime's line, then the fatal error (which ends the program). */
static void go_stack_overflow(void) {
    GOX_ENTER(R);
    static const char line[] = "runtime: goroutine stack exceeds 1000000000-byte limit\n";
    sched_write_err(R, line, sizeof line - 1);
    gox_fail(R, ERR_FATAL, "stack overflow");
}

typedef struct GrowCall {
    GoxGrowFn fn;
    void *arg;
    void *back; /* the context of gox_stack_grow, on the segment below */
    GoxStackSeg *seg;
    GoxShadowFrame **top;
#ifdef GOX_ASAN
    void *fake;
    const void *below_lo;
    size_t below_size;
#endif
} GrowCall;

/* On the new segment: a frame record that carries its limit (no function: the collector finds
 * no slots in it, and it keeps its caller's depth), then the call.  It never returns (it
 * switches back), so ThreadSanitizer must not count it as a call: its shadow call stack would
 * keep an entry per growth. */
#ifdef GOX_TSAN
__attribute__((no_sanitize("thread")))
#endif
static void grow_main(void *p) {
    GrowCall *c = p;
#ifdef GOX_ASAN
    __sanitizer_finish_switch_fiber(NULL, &c->below_lo, &c->below_size);
#endif
    static const GoxShadowInfo info = {"(stack growth)", NULL, 0u, 0u};
    GoxShadowFrame mark;
    memset(&mark, 0, sizeof mark);
    mark.info = &info;
    mark.prev = *c->top;
    mark.depth = mark.prev ? mark.prev->depth : 0;
    mark.stack_limit = c->seg->lo + margin();
    *c->top = &mark;
    c->fn(c->arg);
    *c->top = mark.prev;
#ifdef GOX_ASAN
    __sanitizer_start_switch_fiber(NULL, c->below_lo, c->below_size); /* (this segment's frames are over) */
#endif
    void *dead;
    gox_ctx_switch(&dead, c->back);
    abort(); /* never resumed */
}

void gox_stack_grow(GoxGrowFn call, void *arg) {
    GoxG *g = sched_current(gox_rt());
    if (!g || !g->stack) { /* (no goroutine: nothing to grow) */
        call(arg);
        return;
    }
    if (stack_size() + (size_t)(g->nbig + 1) * BIG_BYTES > GO_STACK_LIMIT) {
        go_stack_overflow();
        return;
    }
    GoxStackSeg *b = g->spare ? g->spare : big_acquire();
    g->spare = NULL;
    if (!b) {
        GOX_ENTER(R);
        gox_out_of_memory(R);
        return;
    }
    GrowCall c = {.fn = call, .arg = arg, .seg = b, .top = gox_shadow_slot()};
    b->below = g->big;
    g->big = b;
    g->nbig++;
#ifdef GOX_ASAN
    __sanitizer_start_switch_fiber(&c.fake, (const void *)b->lo, b->hi - b->lo);
#endif
    gox_ctx_switch(&c.back, ctx_make(b->hi, grow_main, &c));
#ifdef GOX_ASAN
    __sanitizer_finish_switch_fiber(c.fake, NULL, NULL);
#endif
    /* (g is still the goroutine, whichever worker runs it now) */
    g->big = b->below;
    g->nbig--;
    if (g->spare)
        big_release(b);
    else
        g->spare = b;
}

void stack_drop_spare(GoxG *g) {
    if (g->spare) big_release(g->spare);
    g->spare = NULL;
}

/* A recovered panic's longjmp landed at sp, maybe below growth segments it left: they go back. */
void stack_after_unwind(uintptr_t sp) {
    GoxG *g = sched_current(gox_rt());
    if (!g || !g->big || (sp >= g->big->lo && sp < g->big->hi)) return;
    while (g->big && !(sp >= g->big->lo && sp < g->big->hi)) {
        GoxStackSeg *b = g->big;
        g->big = b->below;
        g->nbig--;
        big_release(b);
    }
#ifdef GOX_ASAN
    /* ASan still has the left segment as this goroutine's stack: the one it runs on now; and the
     * longjmp cleaned that one, not this: the redzones of the frames it skipped here stay */
    GoxStackSeg *s = current_seg(g);
    void *fake;
    __sanitizer_start_switch_fiber(&fake, (const void *)s->lo, s->hi - s->lo);
    __sanitizer_finish_switch_fiber(fake, NULL, NULL);
    ASAN_UNPOISON_MEMORY_REGION((void *)s->lo, sp - s->lo);
#endif
}

void stack_release_grown(GoxG *g) {
    stack_drop_spare(g);
    while (g->big) {
        GoxStackSeg *b = g->big;
        g->big = b->below;
        big_release(b);
    }
    g->nbig = 0;
}

/* ---- the guard ------------------------------------------------------------------------------ */
static struct sigaction old_segv;
static int handler_users;
static _Thread_local stack_t old_alt;
static _Thread_local void *alt_mem;

/* The limit a fault at a hits (0: not in a guard): a slot's size, or Go's 1 GB below a growth
 * segment. */
static uint64_t guard_limit(uintptr_t a) {
    size_t slot = GUARD_BYTES + stack_size();
    for (Chunk *c = atomic_load(&chunks); c; c = c->next)
        if (a >= c->base && a < c->end) return (a - c->base) % slot < GUARD_BYTES ? stack_size() : 0;
    for (GoxStackSeg *b = atomic_load(&bigs); b; b = b->next_all)
        if (a >= b->lo - GUARD_BYTES && a < b->lo) return GO_STACK_LIMIT;
    return 0;
}

static void put_str(char *buf, size_t *n, const char *s) {
    while (*s) buf[(*n)++] = *s++;
}

static void put_u64(char *buf, size_t *n, uint64_t v) {
    char tmp[24];
    size_t k = 0;
    do {
        tmp[k++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    while (k) buf[(*n)++] = tmp[--k];
}

static void on_segv(int sig, siginfo_t *info, void *uctx) {
    uintptr_t a = (uintptr_t)info->si_addr;
    uint64_t limit = guard_limit(a);
    if (limit) {
        char buf[256];
        size_t n = 0;
        put_str(buf, &n, "runtime: goroutine stack exceeds ");
        put_u64(buf, &n, limit);
        put_str(buf, &n, "-byte limit\nfatal error: stack overflow\n");
        GoxRuntime *R = gox_rt();
        GoxG *g = sched_current(R);
        if (g) {
            put_str(buf, &n, "\ngoroutine ");
            put_u64(buf, &n, g->gid);
            put_str(buf, &n, " [running]:\n");
        }
        if (write(2, buf, n) < 0) _exit(2);
        _exit(2);
    }
    if (old_segv.sa_flags & SA_SIGINFO) {
        if (old_segv.sa_sigaction) {
            old_segv.sa_sigaction(sig, info, uctx);
            return;
        }
    } else if (old_segv.sa_handler != SIG_DFL && old_segv.sa_handler != SIG_IGN) {
        old_segv.sa_handler(sig);
        return;
    }
    signal(SIGSEGV, SIG_DFL); /* the fault happens again, with the default action */
}

void stack_install_guard_handler(void) {
    size_t alt = 64 * 1024;
    alt_mem = xmalloc(alt);
    stack_t ss = {.ss_sp = alt_mem, .ss_size = alt, .ss_flags = 0};
    sigaltstack(&ss, &old_alt);
    pthread_mutex_lock(&pool_lock);
    if (handler_users++ == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_segv;
        sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGSEGV, &sa, &old_segv);
    }
    pthread_mutex_unlock(&pool_lock);
}

void stack_restore_guard_handler(void) {
    pthread_mutex_lock(&pool_lock);
    if (--handler_users == 0) sigaction(SIGSEGV, &old_segv, NULL);
    pthread_mutex_unlock(&pool_lock);
    if (old_alt.ss_sp && !(old_alt.ss_flags & SS_DISABLE)) {
        sigaltstack(&old_alt, NULL);
    } else {
        stack_t off = {.ss_sp = NULL, .ss_size = 0, .ss_flags = SS_DISABLE};
        sigaltstack(&off, NULL);
    }
    free(alt_mem);
    alt_mem = NULL;
}
