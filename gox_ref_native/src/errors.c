/* errors.c: the per-runtime error record, Go's panic texts, a growable buffer, allocation. */
#include <inttypes.h>
#include <stdatomic.h>
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

static void buf_reserve(Buf *b, size_t extra) {
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 64;
        while (cap < b->len + extra + 1) cap *= 2;
        b->data = xrealloc(b->data, cap);
        b->cap = cap;
    }
}

void buf_put(Buf *b, const void *p, size_t n) {
    buf_reserve(b, n);
    if (n) memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = 0;
}

void buf_puts(Buf *b, const char *s) { buf_put(b, s, strlen(s)); }

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void buf_free(Buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

void buf_kind(Buf *b, unsigned kind) {
    const char *t = gox_kind_title(kind);
    if (t)
        buf_printf(b, "%u (%s)", kind, t);
    else
        buf_printf(b, "%u (unknown)", kind);
}

/* How many bytes from s[i] (where an invalid UTF-8 sequence starts) Python's
 * bytes.decode("utf-8", "replace") turns into one U+FFFD: the maximal subpart, i.e. a valid
 * lead byte followed by valid continuations that end early. */
size_t utf8_invalid_span(const uint8_t *s, size_t n, size_t i) {
    uint8_t c = s[i];
    size_t need = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC2 ? 1 : 0, k = 1;
    if (!need || c > 0xF4) return 1;
    uint8_t lo = 0x80, hi = 0xBF;
    if (c == 0xE0) lo = 0xA0;
    if (c == 0xED) hi = 0x9F;
    if (c == 0xF0) lo = 0x90;
    if (c == 0xF4) hi = 0x8F;
    if (i + 1 < n && s[i + 1] >= lo && s[i + 1] <= hi) {
        k = 2;
        while (k <= need && i + k < n && s[i + k] >= 0x80 && s[i + k] <= 0xBF) k++;
    }
    return k;
}

/* Python's repr() of text.decode("utf-8", "replace"); quoting as Python chooses.  Invalid
 * UTF-8 becomes U+FFFD per maximal invalid subpart, which is what Python does for the common
 * cases (a stray byte, a truncated sequence). */
void buf_repr(Buf *b, const uint8_t *s, size_t n) {
    bool has_sq = memchr(s, '\'', n) != NULL, has_dq = memchr(s, '"', n) != NULL;
    char q = (has_sq && !has_dq) ? '"' : '\'';
    buf_put(b, &q, 1);
    size_t i = 0;
    while (i < n) {
        uint8_t c = s[i];
        if (c < 0x80) {
            if (c == '\\' || (char)c == q)
                buf_printf(b, "\\%c", c);
            else if (c == '\n')
                buf_puts(b, "\\n");
            else if (c == '\r')
                buf_puts(b, "\\r");
            else if (c == '\t')
                buf_puts(b, "\\t");
            else if (c < 0x20 || c == 0x7F)
                buf_printf(b, "\\x%02x", c);
            else
                buf_put(b, &c, 1);
            i++;
            continue;
        }
        int64_t w = 0;
        int32_t r = decode_rune(s, n, i, &w);
        if (r == 0xFFFD && w == 1) { /* Python's maximal invalid subpart is one replacement */
            buf_puts(b, "\xEF\xBF\xBD");
            i += utf8_invalid_span(s, n, i);
            continue;
        }
        /* C1 controls and a few separators are not printable in Python */
        if ((r >= 0x80 && r <= 0xA0) || r == 0xAD)
            buf_printf(b, "\\x%02x", (unsigned)r);
        else if (r == 0x2028 || r == 0x2029 || (r >= 0x200B && r <= 0x200F) || r == 0xFEFF ||
                 (r >= 0x2060 && r <= 0x2064) || r == 0x3000 || (r >= 0x2000 && r <= 0x200A))
            buf_printf(b, "\\u%04x", (unsigned)r);
        else
            buf_put(b, s + i, (size_t)w);
        i += (size_t)w;
    }
    buf_put(b, &q, 1);
}

/* ---- the error record ------------------------------------------------------------------ */
void gox_fail(GoxRuntime *R, int code, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    ErrRec *e = err_rec(R);
    e->msg.len = 0;
    if (n > 0) {
        buf_reserve(&e->msg, (size_t)n);
        vsnprintf(e->msg.data, (size_t)n + 1, fmt, ap2);
        e->msg.len = (size_t)n;
    } else {
        buf_put(&e->msg, "", 0);
    }
    va_end(ap2);
    e->code = code;
    sched_on_error(R); /* in program mode: a panic, a fatal error or the program's end */
}

void gox_fail_buf(GoxRuntime *R, int code, Buf *msg) {
    ErrRec *e = err_rec(R);
    buf_free(&e->msg);
    e->msg = *msg;
    if (!e->msg.data) buf_put(&e->msg, "", 0);
    msg->data = NULL;
    msg->len = msg->cap = 0;
    e->code = code;
    sched_on_error(R);
}

void gox_panic_index(GoxRuntime *R, int64_t idx, int64_t len) {
    if (idx < 0)
        gox_fail(R, ERR_PANIC, "runtime error: index out of range [%" PRId64 "]", idx);
    else
        gox_fail(R, ERR_PANIC, "runtime error: index out of range [%" PRId64 "] with length %" PRId64, idx, len);
}

bool gox_check_slice(GoxRuntime *R, int64_t lo, int64_t hi, int64_t bound, const char *what) {
    if (hi < 0)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [:%" PRId64 "]", hi);
    else if (hi > bound)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [:%" PRId64 "] with %s %" PRId64, hi, what, bound);
    else if (lo < 0)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [%" PRId64 ":]", lo);
    else if (lo > hi)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [%" PRId64 ":%" PRId64 "]", lo, hi);
    else
        return true;
    return false;
}

bool gox_check_slice3(GoxRuntime *R, int64_t lo, int64_t hi, int64_t mx, int64_t cap) {
    if (mx < 0)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [::%" PRId64 "]", mx);
    else if (mx > cap)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [::%" PRId64 "] with capacity %" PRId64, mx, cap);
    else if (hi < 0)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [:%" PRId64 ":]", hi);
    else if (hi > mx)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [:%" PRId64 ":%" PRId64 "]", hi, mx);
    else if (lo < 0)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [%" PRId64 "::]", lo);
    else if (lo > hi)
        gox_fail(R, ERR_PANIC, "runtime error: slice bounds out of range [%" PRId64 ":%" PRId64 ":]", lo, hi);
    else
        return true;
    return false;
}
