/* iter.c: range loops (gox_iter_begin / next / end), exactly gox_ref/iter.py; the rules, the
 * order of a loop over a map included, are docs/SCHEDULER.md section 5. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

struct IterState {
    uint64_t handle;
    unsigned kind;
    uint64_t container;
    uint64_t pos, length, offset;
    uint8_t *data; /* a string's bytes */
    MapSnapKey *keys;
    bool done;
};

static void iter_free(IterState *st) {
    free(st->data);
    if (st->keys) map_snapshot_free(st->keys, st->length);
    free(st);
}

void iter_free_g(GoxG *g) {
    for (size_t i = 0; i < g->niters; i++) iter_free(g->iters[i]);
    free(g->iters);
    g->iters = NULL;
    g->niters = g->iters_cap = 0;
}

/* the containers of g's live iterators, by handle; none once g is dead (iter.py's _iter_roots) */
void iter_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop) {
    char where[128];
    if (g->status == G_DEAD) return;
    for (size_t i = 0; i < g->niters; i++) {
        IterState *st = g->iters[i];
        if (!st->container) continue;
        snprintf(where, sizeof where, "%siterator %" PRIu64 " container", owner, st->handle);
        if (!fn(R, ctx, where, st->container)) {
            *stop = true;
            return;
        }
    }
}

static int64_t find(GoxG *g, uint64_t h) {
    size_t lo = 0, hi = g->niters;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (g->iters[mid]->handle < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < g->niters && g->iters[lo]->handle == h ? (int64_t)lo : -1;
}

static IterState *iter_state(GoxRuntime *R, uint64_t it, const char *fn, size_t *idx) {
    GoxSched *S = sched_of(R);
    GoxG *g = sched_g(R);
    int64_t i = find(g, it);
    if (i >= 0) {
        if (idx) *idx = (size_t)i;
        return g->iters[i];
    }
    GoxG *owner = NULL;
    if (g != &S->host && find(&S->host, it) >= 0) owner = &S->host;
    for (GoxG *o = S->all_head; o && !owner; o = o->all_next)
        if (o != g && find(o, it) >= 0) owner = o;
    if (owner)
        gox_fail(R, ERR_ABI,
                 "%s: iterator %" PRIu64 " belongs to goroutine %" PRIu64 ", not to goroutine %" PRIu64
                 "; iterators are per goroutine",
                 fn, it, owner->gid, g->gid);
    else if (it > 0 && it < S->next_iter)
        gox_fail(R, ERR_ABI, "%s: iterator %" PRIu64 " has ended (gox_iter_end); expected a live handle", fn, it);
    else
        gox_fail(R, ERR_ABI, "%s: iterator %" PRIu64 " was never returned by gox_iter_begin", fn, it);
    return NULL;
}

static bool iter_kind(unsigned k) {
    return k == K_SLICE || k == K_ARRAY || k == K_STRING || k == K_MAP || k == K_CHANNEL;
}

uint64_t gox_iter_begin(GoxRef container, uint8_t kind) {
    GOX_ENTER(R);
    GoxSched *S = sched_of(R);
    const char *fn = "gox_iter_begin";
    if (!iter_kind(kind)) {
        Buf b = {0};
        buf_printf(&b, "%s: kind=", fn);
        buf_kind(&b, kind);
        buf_puts(&b, ", expected Slice, Array, String, Map or Channel");
        gox_fail_buf(R, ERR_ABI, &b);
        return 0;
    }
    GoxObj *o = NULL;
    if (!container && kind == K_ARRAY) { /* range over a nil *[N]T's values: Go's panic */
        heap_nil_deref(R);
        return 0;
    }
    if (container) {
        o = heap_get_kind(R, container, kind, fn);
        if (!o) return 0;
        uint64_t w = 0;
        if (kind == K_SLICE) w = REF_OBJ(o->slots[0])->slots[A_ELEM_BYTES];
        if (kind == K_ARRAY) w = o->slots[A_ELEM_BYTES];
        if (w > 8) {
            gox_fail(R, ERR_ABI,
                     "%s: 0x%" PRIx64 " has elements of %" PRIu64 " bytes; expected single-slot elements "
                     "(range over the indices instead)",
                     fn, heap_canon(R, container), w);
            return 0;
        }
    }
    uint64_t arg = container;
    if (!gc_safepoint(R, &arg, container ? 1 : 0)) return 0;
    IterState *st = xcalloc(1, sizeof *st);
    st->handle = S->next_iter++;
    st->kind = kind;
    st->container = container;
    if (o) {
        if (kind == K_SLICE) {
            st->length = o->slots[2];
        } else if (kind == K_ARRAY) {
            st->length = o->slots[A_LEN];
        } else if (kind == K_STRING) {
            const uint8_t *d;
            uint64_t n;
            string_bytes(R, container, fn, &d, &n);
            st->data = xmalloc(n ? n : 1);
            if (n) memcpy(st->data, d, n);
            st->length = n;
        } else if (kind == K_MAP) {
            size_t n;
            st->keys = map_snapshot(o, &n);
            st->length = n;
            if (n > 0) st->offset = rng_below(&S->rng, n);
        }
    }
    GoxG *g = sched_g(R);
    if (g->niters == g->iters_cap) {
        g->iters_cap = g->iters_cap ? 2 * g->iters_cap : 4;
        g->iters = xrealloc(g->iters, g->iters_cap * sizeof *g->iters);
    }
    g->iters[g->niters++] = st;
    return st->handle;
}

/* Parallel mode: a range loop over a channel receives on the channel calls' fast path (chan.c,
 * C5), without the runtime lock, when the goroutine's own iterator names a channel it knows
 * live; -1: nothing done, the locked path runs the call (and reports any error).  An iterator is
 * its goroutine's alone (g->iters), so reading it here races with nothing. */
__attribute__((noinline)) static int next_chan_fast(GoxRuntime *R, uint64_t it, uint64_t *out_key, uint64_t *out_val) {
    GoxWorker *W = chan_fast_worker(R);
    if (!W) return -1;
    GoxG *g = W->current; /* (W is stale once g has parked: g only from here on) */
    int64_t i = find(g, it);
    if (i < 0) return -1;
    IterState *st = g->iters[i];
    if (st->kind != K_CHANNEL || st->done) return -1;
    uint64_t v;
    bool ok;
    if (!chan_recv_fast(R, W, st->container, &v, &ok, hist_begin())) return -1;
    if (!ok) st->done = true;
    if (out_key) *out_key = ok ? v : 0;
    if (out_val) *out_val = 0;
    return ok;
}

bool gox_iter_next(uint64_t it, uint64_t *out_key, uint64_t *out_val) {
    GoxRuntime *R0 = gox_rt();
    if (__builtin_expect(R0->parallel, 0)) {
        int r = next_chan_fast(R0, it, out_key, out_val);
        if (r >= 0) return r;
    }
    GOX_ENTER(R);
    const char *fn = "gox_iter_next";
    uint64_t k = 0, v = 0;
    bool more = false;
    IterState *st = iter_state(R, it, fn, NULL);
    if (!st || st->done) goto out;
    if (st->kind == K_CHANNEL) {
        bool ok;
        uint64_t val = chan_recv(R, st->container, fn, &ok, hist_begin()); /* a nil channel parks forever here */
        if (!ok) {
            st->done = true;
            goto out;
        }
        more = true;
        k = val;
        goto out;
    }
    if (st->kind == K_MAP) {
        GoxObj *m = st->container ? heap_get(R, st->container, fn, NULL) : NULL;
        while (st->pos < st->length) {
            size_t i = (size_t)((st->offset + st->pos) % st->length);
            st->pos++;
            if (m && map_snap_lookup(R, m, st->keys, i, &k, &v)) {
                more = true;
                goto out;
            }
        }
        k = v = 0;
        st->done = true;
        goto out;
    }
    if (st->pos >= st->length) {
        st->done = true;
        goto out;
    }
    uint64_t i = st->pos;
    if (st->kind == K_STRING) {
        int64_t w = 0;
        int32_t r = decode_rune(st->data, (size_t)st->length, (size_t)i, &w);
        st->pos += (uint64_t)w;
        more = true;
        k = i;
        v = (uint64_t)(int64_t)r;
        goto out;
    }
    GoxObj *o = heap_get(R, st->container, fn, NULL);
    if (!o) goto out;
    st->pos++;
    more = true;
    k = i;
    if (st->kind == K_SLICE)
        v = array_read(REF_OBJ(o->slots[0]), o->slots[1] + i);
    else
        v = array_read(o, i);
out:
    if (out_key) *out_key = k;
    if (out_val) *out_val = v;
    return more;
}

void gox_iter_end(uint64_t it) {
    GOX_ENTER(R);
    size_t idx;
    IterState *st = iter_state(R, it, "gox_iter_end", &idx);
    if (!st) return;
    GoxG *g = sched_g(R);
    memmove(&g->iters[idx], &g->iters[idx + 1], (g->niters - idx - 1) * sizeof *g->iters);
    g->niters--;
    iter_free(st);
}
