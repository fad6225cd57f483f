/* stackmap.c: stack maps (return address -> sp-relative reference slots), the simulated
 * native stack they describe (gox_sim_*, growing down from STACK_TOP as in the reference: one
 * per goroutine, sim_current(R) is the running one's), and the walk of real machine frames (frame
 * pointers) of goroutine stacks (stack_real_roots; README "Stack maps over real frames"). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

static uint64_t stack_low(const SimStack *S) { return S->nframes ? S->frames[S->nframes - 1].sp : STACK_TOP; }

static uint64_t *slot_at(const SimStack *S, uint64_t addr) {
    /* addr within [low, TOP), 8-aligned */
    size_t k = (size_t)((STACK_TOP - addr) / 8 - 1);
    return k < S->slots ? &S->mem[k] : NULL;
}

static uint64_t mem_get(const SimStack *S, uint64_t addr) {
    if (addr >= STACK_TOP || addr < stack_low(S) || addr % 8) return 0;
    uint64_t *p = slot_at(S, addr);
    return p ? *p : 0;
}

static const StackMapEntry *map_for(GoxRuntime *R, uint64_t ip) {
    uint64_t mi;
    return u64map_get(&R->map_index, ip, &mi) ? &R->maps[mi] : NULL;
}

void sim_stack_roots(GoxRuntime *R, const SimStack *S, const char *owner, RootFn fn, void *ctx, bool *stop) {
    char where[160];
    for (size_t f = S->nframes; f-- > 0;) {
        const SimFrame *fr = &S->frames[f];
        const StackMapEntry *e = map_for(R, fr->ip);
        if (!e) continue;
        for (size_t i = 0; i < e->n; i++) {
            snprintf(where, sizeof where, "%sstack slot sp%+d of the frame at ip 0x%" PRIx64, owner, e->offs[i], fr->ip);
            if (!fn(R, ctx, where, mem_get(S, fr->sp + (uint64_t)(int64_t)e->offs[i]))) {
                *stop = true;
                return;
            }
        }
    }
}

void stack_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) { sim_stack_roots(R, &R->host_sim, "", fn, ctx, stop); }

/* Real frames: fp is the address of the innermost frame record to consider (a frame record
 * is the pair [saved frame pointer, return address] that -fno-omit-frame-pointer code keeps:
 * rbp on x86-64, x29 on aarch64).  For each record r: ra = r[1] is a return address into the
 * caller F and r[0] is F's frame pointer; when ra has a stack map, F's slots are at
 * base + offset with base = F's frame pointer + 16 (on x86-64 exactly F's CFA, the value of
 * rsp before the call that entered F).  The walk stays inside [lo, hi) and stops at a null or
 * non-increasing frame pointer (the goroutine's first frame has a null saved frame pointer). */
#if defined(__aarch64__)
/* With pointer authentication (-mbranch-protection=pac-ret/standard, the default of some
 * distributions) the x30 saved in a frame record carries a signature in its upper bits, while
 * the return addresses maps are registered under (__builtin_return_address) are plain: strip
 * it with xpaclri ("hint #7", a no-op on cores without FEAT_PAuth). */
static uintptr_t strip_ra(uintptr_t ra) {
    register uintptr_t x30 __asm__("x30") = ra;
    __asm__("hint #7" : "+r"(x30));
    return x30;
}
#endif

void stack_real_roots(GoxRuntime *R, uintptr_t fp, uintptr_t lo, uintptr_t hi, const char *owner, RootFn fn,
                      void *ctx, bool *stop) {
    char where[160];
    if (!R->nmaps) return;
    uintptr_t r = fp;
    while (r >= lo && r % sizeof(void *) == 0 && r + 16 <= hi) {
        const uintptr_t *rec = (const uintptr_t *)r;
        uintptr_t caller_fp = rec[0], ra = rec[1];
#if defined(__aarch64__)
        ra = strip_ra(ra);
#endif
        if (caller_fp <= r || caller_fp + 16 > hi) break;
        const StackMapEntry *e = map_for(R, (uint64_t)ra);
        if (e) {
            uintptr_t base = caller_fp + 16;
            for (size_t i = 0; i < e->n; i++) {
                uintptr_t a = base + (uintptr_t)(intptr_t)e->offs[i];
                uint64_t v = (a >= lo && a + 8 <= hi) ? *(const uint64_t *)a : 0;
                snprintf(where, sizeof where, "%sstack slot sp%+d of the frame at ip 0x%" PRIx64, owner, e->offs[i],
                         (uint64_t)ra);
                if (!fn(R, ctx, where, v)) {
                    *stop = true;
                    return;
                }
            }
        }
        r = caller_fp;
    }
}

static bool check_offsets(GoxRuntime *R, const int32_t *offs, size_t n, const char *fn) {
    for (size_t i = 0; i < n; i++) {
        if (offs[i] % 8) {
            gox_fail(R, ERR_ABI, "%s: sp offset %d is not a multiple of 8; stack slots are 8-byte aligned", fn, offs[i]);
            return false;
        }
    }
    return true;
}

static void put_map(GoxRuntime *R, uint64_t addr, const int32_t *offs, size_t n) {
    uint64_t mi;
    if (!u64map_get(&R->map_index, addr, &mi)) {
        if (R->nmaps == R->maps_cap) {
            R->maps_cap = R->maps_cap ? 2 * R->maps_cap : 16;
            R->maps = xrealloc(R->maps, R->maps_cap * sizeof *R->maps);
        }
        mi = R->nmaps++;
        R->maps[mi] = (StackMapEntry){NULL, 0};
        u64map_put(&R->map_index, addr, mi);
    }
    free(R->maps[mi].offs);
    R->maps[mi].offs = xmalloc(n * sizeof(int32_t));
    memcpy(R->maps[mi].offs, offs, n * sizeof(int32_t));
    R->maps[mi].n = n;
}

void gox_stack_map_register(uintptr_t return_addr, const int32_t *sp_offsets, size_t sp_offsets_len) {
    GOX_ENTER(R);
    if (!check_offsets(R, sp_offsets, sp_offsets_len, "gox_stack_map_register")) return;
    if (sp_offsets_len) put_map(R, return_addr, sp_offsets, sp_offsets_len);
}

void gox_stack_map_register_batch(uintptr_t base_addr, const uint32_t *code_offsets, const uint32_t *counts,
                                  const int32_t *sp_offsets, size_t n_entries) {
    GOX_ENTER(R);
    size_t total = 0;
    for (size_t i = 0; i < n_entries; i++) {
        if (!check_offsets(R, sp_offsets + total, counts[i], "gox_stack_map_register_batch")) return;
        total += counts[i];
    }
    total = 0;
    for (size_t i = 0; i < n_entries; i++) {
        if (counts[i]) put_map(R, (uint64_t)base_addr + code_offsets[i], sp_offsets + total, counts[i]);
        total += counts[i];
    }
}

int64_t gox_stack_map_lookup(uintptr_t return_addr, int32_t *out_offsets, size_t cap) {
    GOX_ENTER(R);
    uint64_t mi;
    if (!u64map_get(&R->map_index, return_addr, &mi)) return -1;
    StackMapEntry *e = &R->maps[mi];
    if (out_offsets) memcpy(out_offsets, e->offs, (e->n < cap ? e->n : cap) * sizeof(int32_t));
    return (int64_t)e->n;
}

void gox_stack_map_clear(void) {
    GOX_ENTER(R);
    for (size_t i = 0; i < R->nmaps; i++) free(R->maps[i].offs);
    R->nmaps = 0;
    u64map_clear(&R->map_index);
}

typedef struct {
    size_t count;
    bool ok, mark;
} ScanCtx;

static bool scan_check(GoxRuntime *R, void *ctx, const char *where, uint64_t val) {
    ScanCtx *c = ctx;
    if (!val) return true;
    if (!heap_check_ref_value(R, val, "gox_stack_map_scan", where)) {
        c->ok = false;
        return false;
    }
    c->count++;
    if (c->mark) gc_mark_gray(R, heap_lookup(R, val, true));
    return true;
}

/* The running goroutine's (or the host's) stack: its simulated frames, then its real frames. */
static void current_stack_roots(GoxRuntime *R, RootFn fn, void *ctx, bool *stop) {
    sim_stack_roots(R, sim_current(R), "", fn, ctx, stop);
    if (!*stop) sched_current_real_roots(R, fn, ctx, stop);
}

size_t gox_stack_map_scan(void) {
    GOX_ENTER(R);
    ScanCtx c = {0, true, false};
    bool stop = false;
    current_stack_roots(R, scan_check, &c, &stop);
    if (!c.ok) return 0;
    if (R->state == GC_PROPAGATE) {
        c = (ScanCtx){0, true, true};
        stop = false;
        current_stack_roots(R, scan_check, &c, &stop);
    }
    return c.count;
}

uint64_t gox_sim_frame_push(uint64_t ip, uint32_t size) {
    GOX_ENTER(R);
    SimStack *S = sim_current(R);
    const char *fn = "gox_sim_frame_push";
    if (size % 8) {
        gox_fail(R, ERR_ABI, "%s: size=%u, expected a non-negative multiple of 8", fn, size);
        return 0;
    }
    uint64_t sp = stack_low(S) - size;
    if (STACK_TOP - sp > MAX_STACK_BYTES) {
        gox_fail(R, ERR_ABI, "%s: the simulated stack would exceed %u bytes", fn, MAX_STACK_BYTES);
        return 0;
    }
    if (S->nframes == S->frames_cap) {
        S->frames_cap = S->frames_cap ? 2 * S->frames_cap : 16;
        S->frames = xrealloc(S->frames, S->frames_cap * sizeof *S->frames);
    }
    S->frames[S->nframes++] = (SimFrame){ip, sp, size};
    size_t need = (size_t)((STACK_TOP - sp) / 8);
    if (need > S->slots) {
        S->mem = xrealloc(S->mem, need * sizeof *S->mem);
        memset(S->mem + S->slots, 0, (need - S->slots) * sizeof *S->mem);
        S->slots = need;
    }
    return sp;
}

void gox_sim_frame_pop(void) {
    GOX_ENTER(R);
    SimStack *S = sim_current(R);
    if (!S->nframes) {
        gox_fail(R, ERR_ABI, "gox_sim_frame_pop: the simulated stack is empty");
        return;
    }
    SimFrame fr = S->frames[--S->nframes];
    for (uint64_t a = fr.sp; a < fr.sp + fr.size; a += 8) {
        uint64_t *p = slot_at(S, a);
        if (p) *p = 0;
    }
}

static bool stack_addr(GoxRuntime *R, uint64_t addr, const char *fn) {
    uint64_t low = stack_low(sim_current(R));
    if (addr < low || addr >= STACK_TOP || addr % 8) {
        gox_fail(R, ERR_ABI,
                 "%s: address 0x%" PRIx64 " is not an 8-byte slot of the simulated stack (0x%" PRIx64 "..0x%llx)", fn,
                 addr, low, (unsigned long long)STACK_TOP);
        return false;
    }
    return true;
}

void gox_sim_stack_write(uint64_t addr, uint64_t val) {
    GOX_ENTER(R);
    SimStack *S = sim_current(R);
    if (stack_addr(R, addr, "gox_sim_stack_write")) *slot_at(S, addr) = val;
}

uint64_t gox_sim_stack_read(uint64_t addr) {
    GOX_ENTER(R);
    SimStack *S = sim_current(R);
    return stack_addr(R, addr, "gox_sim_stack_read") ? mem_get(S, addr) : 0;
}
