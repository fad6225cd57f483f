/* buf.c: a growable byte buffer (Buf), and text as Python decodes it ("replace") and repr()s it. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_internal.h"

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

void buf_vprintf(Buf *b, const char *fmt, va_list ap) {
    va_list ap2;
    va_copy(ap2, ap);
    int n = vsnprintf(NULL, 0, fmt, ap);
    if (n > 0) {
        buf_reserve(b, (size_t)n);
        vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap2);
        b->len += (size_t)n;
    }
    va_end(ap2);
}

void buf_printf(Buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void buf_free(Buf *b) {
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

/* How many bytes from s[i] (where an invalid UTF-8 sequence starts) Python's
 * bytes.decode("utf-8", "replace") turns into one U+FFFD: the maximal subpart, i.e. a valid
 * lead byte followed by valid continuations that end early. */
static size_t utf8_invalid_span(const uint8_t *s, size_t n, size_t i) {
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

static const uint8_t REPLACEMENT[] = "\xEF\xBF\xBD"; /* U+FFFD */

int32_t utf8_replace_next(const uint8_t *s, size_t n, size_t *i, const uint8_t **bytes, size_t *len) {
    int64_t w = 0;
    int32_t r = decode_rune(s, n, *i, &w);
    if (r == 0xFFFD && w == 1) { /* Python's maximal invalid subpart is one replacement */
        *bytes = REPLACEMENT;
        *len = sizeof REPLACEMENT - 1;
        *i += utf8_invalid_span(s, n, *i);
        return r;
    }
    *bytes = s + *i;
    *len = (size_t)w;
    *i += (size_t)w;
    return r;
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
        const uint8_t *ch;
        size_t len;
        int32_t r = utf8_replace_next(s, n, &i, &ch, &len);
        /* C1 controls and a few separators are not printable in Python */
        if ((r >= 0x80 && r <= 0xA0) || r == 0xAD)
            buf_printf(b, "\\x%02x", (unsigned)r);
        else if (r == 0x2028 || r == 0x2029 || (r >= 0x200B && r <= 0x200F) || r == 0xFEFF ||
                 (r >= 0x2060 && r <= 0x2064) || r == 0x3000 || (r >= 0x2000 && r <= 0x200A))
            buf_printf(b, "\\u%04x", (unsigned)r);
        else
            buf_put(b, ch, len);
    }
    buf_put(b, &q, 1);
}
