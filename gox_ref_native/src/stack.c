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

/* ---- the guard ------------------------------------------------------------------------------ */
static struct sigaction old_segv;
static int handler_users;
static _Thread_local stack_t old_alt;
static _Thread_local void *alt_mem;

static bool in_guard(uintptr_t a) {
    size_t slot = GUARD_BYTES + stack_size();
    for (Chunk *c = atomic_load(&chunks); c; c = c->next)
        if (a >= c->base && a < c->end) return (a - c->base) % slot < GUARD_BYTES;
    return false;
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
    if (in_guard(a)) {
        char buf[256];
        size_t n = 0;
        put_str(buf, &n, "runtime: goroutine stack exceeds ");
        put_u64(buf, &n, stack_size());
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
