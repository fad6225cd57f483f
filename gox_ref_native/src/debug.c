/* debug.c: println/print formatted as Go's builtins do (docs/decisions.md, "Debug print formats
 * and output"), and assertions.  Floats use Go's runtime printfloat algorithm (7 digits by
 * repeated IEEE division/multiplication by 10). */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "gox_internal.h"

void format_float(double v, Buf *out) {
    if (v != v) {
        buf_puts(out, "NaN");
        return;
    }
    if (v + v == v && v > 0) {
        buf_puts(out, "+Inf");
        return;
    }
    if (v + v == v && v < 0) {
        buf_puts(out, "-Inf");
        return;
    }
    enum { N = 7 };
    char sign = '+';
    int e = 0;
    if (v == 0) {
        if (signbit(v)) sign = '-';
    } else {
        if (v < 0) {
            v = -v;
            sign = '-';
        }
        while (v >= 10) {
            e++;
            v /= 10;
        }
        while (v < 1) {
            e--;
            v *= 10;
        }
        double h = 5.0;
        for (int i = 0; i < N; i++) h /= 10;
        v += h;
        if (v >= 10) {
            e++;
            v /= 10;
        }
    }
    char d[N];
    for (int i = 0; i < N; i++) {
        int s = (int)v;
        d[i] = (char)(s + '0');
        v -= (double)s;
        v *= 10;
    }
    char esign = '+';
    if (e < 0) {
        e = -e;
        esign = '-';
    }
    buf_printf(out, "%c%c.%.6se%c%c%c%c", sign, d[0], d + 1, esign, '0' + e / 100, '0' + e / 10 % 10, '0' + e % 10);
}

static bool is_signed(unsigned k) { return k >= K_INT && k <= K_INT64; }
static bool is_unsigned(unsigned k) { return k >= K_UINT && k <= K_UINT64; }

bool debug_format(GoxRuntime *R, uint64_t val, unsigned kind, const char *fn, Buf *out) {
    if (!gox_valid_kind(kind)) {
        gox_fail(R, ERR_ABI, "%s: kind=%u is not a value kind; expected 0..26", fn, kind);
        return false;
    }
    if (kind == K_NIL) {
        buf_puts(out, "nil");
    } else if (kind == K_BOOL) {
        buf_puts(out, val ? "true" : "false");
    } else if (is_signed(kind)) {
        buf_printf(out, "%" PRId64, (int64_t)gox_normalize(kind, val));
    } else if (is_unsigned(kind)) {
        buf_printf(out, "%" PRIu64, gox_normalize(kind, val));
    } else if (kind == K_FLOAT64) {
        double d;
        memcpy(&d, &val, 8);
        format_float(d, out);
    } else if (kind == K_FLOAT32) {
        uint32_t b = (uint32_t)val;
        float f;
        memcpy(&f, &b, 4);
        format_float((double)f, out);
    } else if (kind == K_FUNC_PTR) {
        buf_printf(out, "0x%" PRIx64, val);
    } else if (kind == K_INTERFACE) {
        gox_fail(R, ERR_ABI,
                 "%s: an interface takes two slots; print its data with its value kind "
                 "(gox_interface_unbox_kind / gox_interface_unbox_data)",
                 fn);
        return false;
    } else if (val == 0) {
        buf_puts(out, kind == K_SLICE ? "[0/0]0x0" : kind == K_STRING ? "" : "0x0");
    } else {
        GoxObj *o = heap_get_kind(R, val, kind, fn);
        if (!o) return false;
        if (kind == K_STRING) {
            GoxObj *arr = REF_OBJ(o->slots[0]);
            buf_put(out, (const uint8_t *)(arr->slots + A_DATA) + o->slots[1], o->slots[2]);
        } else if (kind == K_SLICE) {
            buf_printf(out, "[%" PRIu64 "/%" PRIu64 "]0x%" PRIx64, o->slots[2], o->slots[3],
                       HEAP_BASE + REF_STRIDE * REF_OBJ(o->slots[0])->num);
        } else {
            buf_printf(out, "0x%" PRIx64, HEAP_BASE + REF_STRIDE * o->num);
        }
    }
    return true;
}

void runtime_emit(GoxRuntime *R, const char *data, size_t n) {
    if (R->capture) {
        buf_put(&R->out, data, n);
    } else {
        fwrite(data, 1, n, stdout);
        fflush(stdout);
    }
}

static void print(uint64_t val, uint8_t kind, const char *fn, bool nl) {
    GOX_ENTER(R);
    Buf b = {0};
    if (debug_format(R, val, kind, fn, &b)) {
        if (nl) buf_put(&b, "\n", 1);
        runtime_emit(R, b.data ? b.data : "", b.len);
    }
    buf_free(&b);
}

void gox_debug_print(uint64_t val, uint8_t kind) { print(val, kind, "gox_debug_print", true); }

void gox_debug_write(uint64_t val, uint8_t kind) { print(val, kind, "gox_debug_write", false); }

void gox_assert_begin(void) {
    GOX_ENTER(R);
    if (R->assert_open) {
        gox_fail(R, ERR_ABI, "gox_assert_begin: an assertion is already open; expected gox_assert_end first");
        return;
    }
    R->assert_open = true;
    R->assert_buf.len = 0;
    R->assert_nargs = 0;
}

void gox_assert_arg(uint64_t val, uint8_t kind) {
    GOX_ENTER(R);
    if (!R->assert_open) {
        gox_fail(R, ERR_ABI, "gox_assert_arg: no assertion is open; expected gox_assert_begin first");
        return;
    }
    Buf b = {0};
    if (debug_format(R, val, kind, "gox_assert_arg", &b)) {
        if (R->assert_nargs++) buf_put(&R->assert_buf, " ", 1);
        buf_put(&R->assert_buf, b.data ? b.data : "", b.len);
    }
    buf_free(&b);
}

void gox_assert_end(bool passed) {
    GOX_ENTER(R);
    if (!R->assert_open) {
        gox_fail(R, ERR_ABI, "gox_assert_end: no assertion is open; expected gox_assert_begin first");
        return;
    }
    R->assert_open = false;
    if (!passed) {
        Buf m = {0};
        buf_puts(&m, "assertion failed");
        if (R->assert_nargs) {
            buf_puts(&m, ": ");
            buf_put(&m, R->assert_buf.data, R->assert_buf.len);
        }
        gox_fail_buf(R, ERR_PANIC, &m);
    }
    R->assert_buf.len = 0;
    R->assert_nargs = 0;
}
