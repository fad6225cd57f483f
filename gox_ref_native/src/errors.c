/* errors.c: the per-runtime error record and Go's panic texts (those of gox_abi/errors.py). */
#include <inttypes.h>
#include <stdarg.h>

#include "gox_internal.h"

/* ---- the error record ------------------------------------------------------------------ */
void gox_fail(GoxRuntime *R, int code, const char *fmt, ...) {
    ErrRec *e = err_rec(R);
    e->msg.len = 0;
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(&e->msg, fmt, ap);
    va_end(ap);
    if (!e->msg.len) buf_put(&e->msg, "", 0); /* (an empty text: the message is still a string) */
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
