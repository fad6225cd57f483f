/* defer.c: defer, panic and recover per goroutine, exactly as gox_ref/defer.py.
 *
 * Frames: a function that defers (or recovers) opens a frame on entry and closes it on every
 * way out.  Compiled C does
 *
 *     uint64_t fr = gox_defer_frame_enter();
 *     if (setjmp(*(jmp_buf *)gox_defer_frame_jmpbuf(fr))) goto out;   // a recovery lands here
 *     ... body, gox_defer_push(...) ...
 *   out:
 *     gox_defer_frame_exit(fr);
 *     return results;
 *
 * Unwinding native frames: a panic (gox_panic, or a run-time error recorded by any ABI call
 * while a program runs) never returns to its caller.  The panicking call runs the deferred
 * calls itself, on top of the panicking stack as Go does: innermost open frame first, each
 * frame's records newest first.  Before a frame's records run for a panic, the goroutine's
 * shadow-stack top (shadow.c) goes back to what it was at gox_defer_frame_enter: the records
 * of the functions the panic unwound are no roots any more (the reference has popped those
 * frames), so a compiled function pushes its own record before it enters its frame (and a
 * recovery restores the same top before its longjmp).  A deferred call that panics starts a newer panic on top (the
 * older panic's loop below it is never resumed: the newer one either ends the program or is
 * recovered at a frame whose setjmp is below both).  When a deferred call recovers, the
 * runtime marks the frame that deferred it and longjmps to that frame's jmp_buf; the C
 * frames between (the panicking callee chain and the panic machinery) are discarded without
 * running anything, and the function's exit path calls gox_defer_frame_exit, which sees the
 * mark: it drops the panics started within the frame's extent, emits `recover`, runs the
 * frame's remaining records and returns normally to the function's caller.  Past the
 * goroutine's outermost frame the panic prints Go's report and the program exits with 2.
 *
 * recover() is effective iff the innermost open frame is the first frame opened since the
 * runtime started the panic-driven deferred call (defer_call_base, as the reference).  The
 * helpers are the reference's: open_frame, close_frame, run_deferred, pop_frame.
 * Outside a program (host mode) nothing unwinds: gox_panic records the panic's text in the
 * error record (code 1) and returns.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

#define RUNTIME_ERROR_TYPE 0xFFFEull /* value_type_id of run-time error panic values */
#define VTYPE_SHIFT 16

static _Thread_local jmp_buf dummy_jb; /* handed out after an ABI error: never jumped to */

/* ---- state ------------------------------------------------------------------------------- */
static void free_frame_records(DeferFrame *fr) {
    for (size_t i = 0; i < fr->ndefers; i++) free(fr->defers[i].args);
    fr->ndefers = 0;
}

void defer_free_g(GoxG *g) {
    for (size_t i = 0; i < g->nalloc; i++) {
        if (i < g->nframes) free_frame_records(g->frames[i]);
        free(g->frames[i]->defers);
        free(g->frames[i]);
    }
    free(g->frames);
    g->frames = NULL;
    g->nframes = g->nalloc = g->frames_cap = 0;
    for (size_t i = 0; i < g->npanics; i++) free(g->panics[i].text);
    free(g->panics);
    g->panics = NULL;
    g->npanics = g->panics_cap = 0;
    free(g->bases);
    g->bases = NULL;
    g->nbases = g->bases_cap = 0;
}

/* defer_call_base.append: a deferred call runs because of a panic (recover may see it) */
static inline void push_base(GoxG *g, size_t v) {
    if (g->nbases == g->bases_cap) {
        g->bases_cap = g->bases_cap ? 2 * g->bases_cap : 8;
        g->bases = xrealloc(g->bases, g->bases_cap * sizeof *g->bases);
    }
    g->bases[g->nbases++] = v;
}

/* The innermost frame closes (defer.py's _pop_frame): its records left go with it. */
static void pop_frame(GoxG *g) {
    DeferFrame *fr = g->frames[--g->nframes];
    free_frame_records(fr);
    fr->recovered = false;
}

/* g's deferred calls' arguments, then its panic values (defer.py's _defer_roots) */
void defer_roots(GoxRuntime *R, GoxG *g, const char *owner, RootFn fn, void *ctx, bool *stop) {
    char where[128];
    for (size_t f = 0; f < g->nframes; f++) {
        DeferFrame *fr = g->frames[f];
        for (size_t i = 0; i < fr->ndefers; i++) {
            for (uint32_t a = 0; a < fr->defers[i].nargs; a++) {
                uint64_t v = fr->defers[i].args[a];
                if (!heap_maybe_ref(R, v)) continue; /* conservative: arguments carry no kinds */
                snprintf(where, sizeof where, "%sdeferred call %zu argument", owner, i);
                if (!fn(R, ctx, where, v)) goto stopped;
            }
        }
    }
    for (size_t i = 0; i < g->npanics; i++) {
        if (!gox_is_ref_kind((unsigned)(g->panics[i].slot0 & 0xFF))) continue;
        snprintf(where, sizeof where, "%spanic value", owner);
        if (!fn(R, ctx, where, g->panics[i].slot1)) goto stopped;
    }
    return;
stopped:
    *stop = true;
}

/* ---- the report -------------------------------------------------------------------------- */
/* text.decode("utf-8", "replace") re-encoded; with indent, newlines indented (printpanicval of
 * a string) */
static void utf8_replace(Buf *b, const uint8_t *s, size_t n, bool indent) {
    for (size_t i = 0; i < n;) {
        const uint8_t *ch;
        size_t len;
        if (utf8_replace_next(s, n, &i, &ch, &len) == '\n' && indent)
            buf_puts(b, "\n\t");
        else
            buf_put(b, ch, len);
    }
}

/* A value of a basic kind (string, bool, the floats, the integers) as print shows it; false
 * after an ABI error (not a string) */
static bool basic_text(GoxRuntime *R, unsigned kind, uint64_t slot1, Buf *b) {
    switch (kind) {
    case K_STRING: {
        const uint8_t *d;
        uint64_t n;
        if (!string_bytes(R, slot1, "gox_panic", &d, &n)) return false;
        utf8_replace(b, d, n, true);
        return true;
    }
    case K_BOOL: buf_puts(b, slot1 ? "true" : "false"); return true;
    case K_FLOAT64: {
        double d;
        memcpy(&d, &slot1, 8);
        format_float(d, b);
        return true;
    }
    case K_FLOAT32: { /* widened, as print shows a float32 */
        uint32_t bits = (uint32_t)slot1;
        float f;
        memcpy(&f, &bits, 4);
        format_float((double)f, b);
        return true;
    }
    case K_INT: case K_INT8: case K_INT16: case K_INT32: case K_INT64:
        buf_printf(b, "%" PRId64, (int64_t)gox_normalize(kind, slot1));
        return true;
    default: /* the unsigned integers (is_basic) */
        buf_printf(b, "%" PRIu64, gox_normalize(kind, slot1));
        return true;
    }
}

static bool is_basic(unsigned kind) {
    return kind == K_STRING || kind == K_BOOL || kind == K_FLOAT64 || kind == K_FLOAT32 || (kind >= K_INT && kind <= K_UINT64);
}

/* The name the value's type was registered with; NULL for an unnamed value: type.None,
 * type.RuntimeError, an id never registered, or an empty name. */
static const char *type_name(GoxRuntime *R, uint64_t slot0) {
    size_t tid = (size_t)((slot0 >> VTYPE_SHIFT) & 0xFFFF);
    if (tid == RUNTIME_ERROR_TYPE || tid >= R->ntypes || !R->types[tid].name[0]) return NULL;
    return R->types[tid].name;
}

static void put_name(Buf *b, const char *name) {
    utf8_replace(b, (const uint8_t *)name, strlen(name), false);
}

/* printpanicval: how Go prints a panic value; false after an ABI error (not a string).  A
 * value whose value_type_id names a registered type prints as printanycustomtype does:
 * `main.Msg("second")` for a basic kind, `(main.T) 0xADDR` otherwise. */
static bool panic_text(GoxRuntime *R, uint64_t slot0, uint64_t slot1, Buf *b) {
    unsigned kind = (unsigned)(slot0 & 0xFF);
    if (kind == K_NIL) {
        buf_puts(b, "panic called with nil argument");
        return true;
    }
    const char *name = type_name(R, slot0);
    if (is_basic(kind)) {
        if (!name) return basic_text(R, kind, slot1, b);
        put_name(b, name);
        buf_puts(b, kind == K_STRING ? "(\"" : "(");
        if (!basic_text(R, kind, slot1, b)) return false;
        buf_puts(b, kind == K_STRING ? "\")" : ")");
        return true;
    }
    /* a reference prints as its canonical address, as in the reference */
    uint64_t v = gox_is_ref_kind(kind) ? heap_canon(R, slot1) : slot1;
    const char *t = gox_kind_title(kind);
    buf_puts(b, "(");
    if (name)
        put_name(b, name);
    else if (t)
        buf_puts(b, t);
    else
        buf_printf(b, "%u", kind);
    buf_printf(b, ") 0x%" PRIx64, v);
    return true;
}

/* A panic's text, made on first use when the value is no reference (a pure function of the
 * value: the common int panic costs no formatting unless a report or the trace shows it). */
static const char *prec_text(GoxRuntime *R, PanicRec *p) {
    if (!p->text) {
        Buf b = {0};
        panic_text(R, p->slot0, p->slot1, &b); /* cannot fail: no object to read */
        p->text = xstrdup(b.data ? b.data : "");
        buf_free(&b);
    }
    return p->text;
}

/* printpanics, oldest first (Go 1.25): a recovered value panicked again as the very same value
 * prints once, as `[recovered, repanicked]`. */
void defer_report(GoxRuntime *R, GoxG *g) {
    Buf b = {0};
    for (size_t i = 0; i < g->npanics;) {
        PanicRec *p = &g->panics[i];
        prec_text(R, p);
        if (i) buf_puts(&b, "\n\t");
        bool again = i + 1 < g->npanics && g->panics[i + 1].slot0 == p->slot0 && g->panics[i + 1].slot1 == p->slot1;
        if (p->recovered && again) {
            buf_printf(&b, "panic: %s [recovered, repanicked]", p->text);
            i += 2;
            continue;
        }
        buf_printf(&b, "panic: %s%s", p->text, p->recovered ? " [recovered]" : "");
        i++;
    }
    if (g->sig) buf_puts(&b, "\n" SIGNAL_LINE); /* Go's dopanic_m: the goroutine's nil dereference */
    buf_printf(&b, "\n\ngoroutine %" PRIu64 " [running]:\n", g->gid);
    sched_func_name(R, g->entry, &b);
    buf_puts(&b, "(...)\n");
    sched_write_err(R, b.data, b.len);
    buf_free(&b);
}

/* Run a deferred call whose record has just been taken off its frame: its arguments move to
 * this C frame (the record is gone while it runs). */
static inline void run_record(GoxRuntime *R, DeferRec d) {
    uint64_t local[16];
    uint64_t *args = local;
    if (d.nargs) {
        if (d.nargs > 16) args = xmalloc(d.nargs * sizeof *args);
        memcpy(args, d.args, d.nargs * sizeof *args);
        free(d.args);
    }
    sched_call_entry(R, d.fn, args, d.nargs);
    if (args != local) free(args);
}

__attribute__((noreturn)) static void recover_to(GoxRuntime *R, GoxG *g, size_t i);

/* Run the deferred calls of fr, frame i, newest first (defer.py's _run_deferred).  driven: for
 * panic pi, each call runs because of the panic, so recover may see it (push_base), and one that
 * recovers it ends the loop (recover_to); else fr's function is on its way out normally.  A newer
 * panic raised by a call never returns here: it unwinds on top (unwind below).  (fr stays
 * frames[i] meanwhile: grow_frames only appends.)  Inlined: each caller's loop is its own. */
__attribute__((always_inline)) static inline void run_deferred(GoxRuntime *R, GoxG *g, size_t i, DeferFrame *fr,
                                                               bool driven, size_t pi) {
    while (fr->ndefers) {
        if (driven) push_base(g, i + 1);
        run_record(R, fr->defers[--fr->ndefers]);
        if (driven) {
            g->nbases--;
            if (g->panics[pi].recovered) recover_to(R, g, i);
        }
    }
}

/* ---- the panic machinery ------------------------------------------------------------------- */
__attribute__((noreturn)) static void recover_to(GoxRuntime *R, GoxG *g, size_t i) {
    DeferFrame *fr = g->frames[i];
    while (g->nbases && g->bases[g->nbases - 1] > i) g->nbases--;
    fr->recovered = true;
    if (g->pause != fr->pause) gc_pause_restore(R, g, fr->pause);
    g->shadow_top = fr->shadow; /* as compiled code's gox_shadow_unwind(&F) after the longjmp */
    if (R->parallel) { /* the frame's function holds the runtime lock as it did at enter */
        rt_set_depth(fr->lock_depth ? fr->lock_depth : 1);
        if (!fr->lock_depth) rt_unlock_slow(R);
    }
    longjmp(fr->jb, 1);
}

__attribute__((noreturn)) static void unrecovered(GoxRuntime *R, GoxG *g, size_t pi) {
    defer_report(R, g);
    if (trace_on(R)) {
        Buf m = {0};
        buf_printf(&m, "panic: %s", prec_text(R, &g->panics[pi]));
        TraceArg a = {.key = "message", .kind = TV_STR, .s = m.data, .slen = m.len};
        trace_emit(R, "fatal", &a, 1);
        buf_free(&m);
    }
    sched_end_program(R, 2);
}

/* Run deferred calls for panic pi, innermost frame first, until one recovers it (longjmp) or
 * no frame is left (the report). */
__attribute__((noreturn)) static void unwind(GoxRuntime *R, GoxG *g, size_t pi) {
    for (;;) {
        if (g->nframes == 0) unrecovered(R, g, pi);
        size_t i = g->nframes - 1;
        /* deferred calls started from this frame or above are over */
        while (g->nbases && g->bases[g->nbases - 1] > i) g->nbases--;
        DeferFrame *fr = g->frames[i];
        /* the calls the panic left (an extern's pause among them) are over, as the reference's
         * finally clauses end them while its exception passes */
        if (g->pause != fr->pause) gc_pause_restore(R, g, fr->pause);
        /* ... and so are their frames: the shadow records the panic left behind (the callees
         * between this frame and the panicking call) are dead, as the reference has popped
         * its frames; only the records active when the frame opened stay roots */
        g->shadow_top = fr->shadow;
        run_deferred(R, g, i, fr, true, pi);
        pop_frame(g); /* the frame closes; the panic goes on to the next frame out */
    }
}

/* text: the value's text, or NULL to make it when needed (prec_text: not a reference) */
__attribute__((noreturn)) static void start_panic(GoxRuntime *R, GoxG *g, uint64_t slot0, uint64_t slot1,
                                                  char *text) {
    GoxSched *S = R->sched;
    if (g->npanics == g->panics_cap) {
        g->panics_cap = g->panics_cap ? 2 * g->panics_cap : 4;
        g->panics = xrealloc(g->panics, g->panics_cap * sizeof *g->panics);
    }
    size_t pi = g->npanics++;
    g->panics[pi] = (PanicRec){slot0, slot1, text, S->next_fid, false};
    if (trace_on(R)) {
        const char *t = prec_text(R, &g->panics[pi]);
        TraceArg a = {.key = "value", .kind = TV_STR, .s = t, .slen = strlen(t)};
        trace_emit(R, "panic", &a, 1);
    }
    unwind(R, g, pi);
}

/* A run-time error recorded while a program runs: a panic whose value is a runtime.Error
 * string with Go's text (allocated with the collector paused, as the reference does). */
void defer_runtime_error(GoxRuntime *R) {
    ErrRec *e = err_rec(R);
    char *msg = xstrdup(e->msg.data ? e->msg.data : "");
    e->code = ERR_NONE;
    e->msg.len = 0;
    gc_pause_adjust(R, 1);
    GoxRef s = string_new(R, (const uint8_t *)msg, strlen(msg));
    gc_pause_adjust(R, -1);
    uint64_t slot0 = (RUNTIME_ERROR_TYPE << VTYPE_SHIFT) | K_STRING;
    GoxG *g = sched_current(R);
    if (!strcmp(msg, NIL_DEREF_TEXT)) g->sig = true; /* in Go a SIGSEGV: the report's signal line */
    start_panic(R, g, slot0, s, msg);
}

/* ---- frames -------------------------------------------------------------------------------- */
__attribute__((noinline, cold)) static void frame_error(GoxRuntime *R, GoxG *g, uint64_t frame, const char *fn) {
    if (g->nframes)
        gox_fail(R, ERR_ABI, "%s: frame %" PRIu64 " is not the innermost open frame (%" PRIu64 " is)", fn, frame,
                 g->frames[g->nframes - 1]->fid);
    else
        gox_fail(R, ERR_ABI, "%s: frame %" PRIu64 " is not the innermost open frame (no frame is open)", fn, frame);
}

static inline DeferFrame *frame_by_id(GoxRuntime *R, GoxG *g, uint64_t frame, const char *fn) {
    if (g->nframes) {
        DeferFrame *fr = g->frames[g->nframes - 1];
        if (fr->fid == frame) return fr;
    }
    frame_error(R, g, frame, fn);
    return NULL;
}

/* The array doubles (a recursion 100,000 deep opens as many frames: growing it by one would copy
 * it each time where realloc moves it, as under ASan, every time). */
__attribute__((noinline)) static void grow_frames(GoxG *g) {
    if (g->nalloc == g->frames_cap) {
        g->frames_cap = g->frames_cap ? 2 * g->frames_cap : 16;
        g->frames = xrealloc(g->frames, g->frames_cap * sizeof *g->frames);
    }
    g->frames[g->nalloc++] = xcalloc(1, sizeof(DeferFrame));
}

/* A new innermost frame of g (defer.py's _open_frame), with what a panic unwinding to it or a
 * recovery at it restores. */
static inline DeferFrame *open_frame(GoxRuntime *R, GoxG *g) {
    GoxSched *S = R->sched; /* (sched_g made it) */
    if (g->nframes == g->nalloc) grow_frames(g);
    DeferFrame *fr = g->frames[g->nframes++];
    fr->fid = S->next_fid++;
    fr->ndefers = 0;
    fr->recovered = false;
    fr->pause = g->pause;
    fr->lock_depth = R->parallel ? rt_depth() - 1 : 0; /* the caller's (GOX_ENTER counted this call) */
    fr->shadow = g->shadow_top;
    return fr;
}

uint64_t gox_defer_frame_enter(void) {
    GOX_ENTER(R);
    return open_frame(R, sched_g(R))->fid;
}

void *gox_defer_frame_jmpbuf(uint64_t frame) {
    GOX_ENTER(R);
    DeferFrame *fr = frame_by_id(R, sched_g(R), frame, "gox_defer_frame_jmpbuf");
    return fr ? (void *)&fr->jb : (void *)&dummy_jb;
}

/* fr, the innermost frame, closes on the way out of its function (defer.py's _close_frame), when
 * it recovered or still has records (gox_defer_frame_exit pops one with neither itself). */
__attribute__((noinline)) static void close_frame(GoxRuntime *R, GoxG *g, DeferFrame *fr) {
    size_t i = g->nframes - 1;
    if (fr->recovered) {
        /* Panicking stopped here: every panic started within this frame's extent is over (the
         * recovered one and any it aborted); one started before the frame opened goes on. */
        fr->recovered = false;
        size_t k = 0;
        for (size_t j = 0; j < g->npanics; j++) {
            if (g->panics[j].start_fid <= fr->fid)
                g->panics[k++] = g->panics[j];
            else if (g->panics[j].text)
                free(g->panics[j].text);
        }
        g->npanics = k;
        if (!k) g->sig = false; /* Go clears gp.sig only when no panic is left */
        if (trace_on(R)) trace_emit(R, "recover", NULL, 0);
    }
    run_deferred(R, g, i, fr, false, 0); /* a panic in one runs the rest (unwind) */
    g->nframes--; /* pop_frame: no record is left */
    fr->recovered = false;
}

void gox_defer_frame_exit(uint64_t frame) {
    GOX_ENTER(R);
    GoxG *g = sched_g(R);
    DeferFrame *fr = frame_by_id(R, g, frame, "gox_defer_frame_exit");
    if (!fr) return;
    if (fr->recovered || fr->ndefers)
        close_frame(R, g, fr);
    else
        g->nframes--; /* pop_frame: nothing to run or free */
}

void gox_defer_push(const void *func_ptr, const uint64_t *args, uint32_t args_len) {
    GOX_ENTER(R);
    GoxG *g = sched_g(R);
    if (!g->nframes) {
        gox_fail(R, ERR_ABI, "gox_defer_push: no frame is open; expected gox_defer_frame_enter first");
        return;
    }
    DeferFrame *fr = g->frames[g->nframes - 1];
    if (fr->ndefers == fr->cap) {
        fr->cap = fr->cap ? 2 * fr->cap : 4;
        fr->defers = xrealloc(fr->defers, fr->cap * sizeof *fr->defers);
    }
    DeferRec *d = &fr->defers[fr->ndefers++];
    d->fn = func_ptr;
    d->nargs = args_len;
    d->args = NULL;
    if (args_len) {
        d->args = xmalloc(args_len * sizeof *d->args);
        memcpy(d->args, args, args_len * sizeof *d->args);
    }
}

void gox_defer_pop(void) {
    GOX_ENTER(R);
    GoxG *g = sched_g(R);
    if (!g->nframes || !g->frames[g->nframes - 1]->ndefers) {
        gox_fail(R, ERR_ABI, "gox_defer_pop: the innermost frame has no deferred call");
        return;
    }
    DeferFrame *fr = g->frames[g->nframes - 1];
    run_record(R, fr->defers[--fr->ndefers]);
}

void gox_panic(uint64_t slot0, uint64_t slot1) {
    GOX_ENTER(R);
    unsigned kind = (unsigned)(slot0 & 0xFF);
    if (kind == K_NIL) { /* Go 1.21: panic(nil) is a run-time error */
        gox_fail(R, ERR_PANIC, "panic called with nil argument");
        return;
    }
    GoxG *g = sched_current(R); /* NULL: host mode */
    if (!gox_is_ref_kind(kind)) {
        if (g) start_panic(R, g, slot0, slot1, NULL); /* the text when needed */
    } else if (slot1 && !heap_get(R, slot1, "gox_panic", "the panic value's object")) {
        return;
    }
    Buf b = {0};
    if (!panic_text(R, slot0, slot1, &b)) { /* not a string (reported) */
        buf_free(&b);
        return;
    }
    char *text = xstrdup(b.data ? b.data : "");
    buf_free(&b);
    if (g) start_panic(R, g, slot0, slot1, text);
    /* host mode: nothing to unwind to; the panic's text goes to the error record */
    gox_fail(R, ERR_PANIC, "%s", text);
    free(text);
}

uint64_t gox_recover(uint64_t *out_slot1) {
    GOX_ENTER(R);
    GoxG *g = sched_g(R);
    if (out_slot1) *out_slot1 = 0;
    if (!g->npanics || !g->nbases) return 0;
    PanicRec *p = &g->panics[g->npanics - 1];
    /* Directly called by the deferred call: its own frame is the innermost one. */
    if (p->recovered || g->nframes != g->bases[g->nbases - 1] + 1) return 0;
    p->recovered = true;
    if (trace_on(R)) {
        const char *text = prec_text(R, p);
        TraceArg a = {.key = "value", .kind = TV_STR, .s = text, .slen = strlen(text)};
        trace_emit(R, "recovered", &a, 1);
    }
    if (out_slot1) *out_slot1 = p->slot1;
    return p->slot0;
}
