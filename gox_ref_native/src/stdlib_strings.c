/* stdlib_strings.c: the strings externs (ids 19..29) on raw bytes, exactly as Go's strings
 * package (gox_ref/stdlib/stringslib.py), the Unicode data they and strconv.Quote use, and
 * the string helpers every stdlib extern shares.
 *
 * Strings may hold invalid UTF-8: where Go decodes runes it uses utf8.DecodeRune (an invalid
 * or truncated sequence decodes as U+FFFD of width 1: decode_rune in string.c). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "gox_stdlib.h"

typedef struct {
    int32_t lo, hi;
    int32_t d[3]; /* delta upper, lower, title */
} UniCaseRange;
typedef struct {
    int32_t lo, hi;
} UniRange;

#include "unicode_tables.inc"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))
#define RUNE_ERROR 0xFFFD

/* ---- shared helpers --------------------------------------------------------------------------- */
bool sl_arg_str(GoxRuntime *R, uint64_t ref, const uint8_t **data, size_t *len) {
    uint64_t n;
    bool ok = string_bytes(R, ref, "gox_string_read", data, &n);
    *len = (size_t)n;
    return ok;
}

bool sl_ret_str(GoxRuntime *R, const uint8_t *data, size_t len, uint64_t *out) {
    *out = 0;
    if (!len) return true;
    GoxRef s = gox_rt_string_from_ptr(data, len);
    if (err_rec(R)->code != ERR_NONE) return false;
    *out = s;
    return true;
}

bool sl_is_print(int32_t r) {
    size_t lo = 0, hi = NELEM(UNI_PRINT_RANGES); /* the last range with lo <= r */
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (UNI_PRINT_RANGES[mid].lo <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && r <= UNI_PRINT_RANGES[lo - 1].hi;
}

/* ---- Unicode case mapping (Go's unicode.To over unicode.CaseRanges) ------------------------ */
enum { UPPER = 0, LOWER = 1 };

static int32_t to_case(int c, int32_t r) {
    size_t lo = 0, hi = NELEM(UNI_CASE_RANGES);
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (UNI_CASE_RANGES[mid].lo <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo > 0) {
        const UniCaseRange *cr = &UNI_CASE_RANGES[lo - 1];
        if (r <= cr->hi) {
            int32_t delta = cr->d[c];
            /* alternating Upper/Lower pairs starting at lo: even offsets are upper case */
            if (delta == UNI_UPPER_LOWER) return cr->lo + (((r - cr->lo) & ~1) | (c & 1));
            return r + delta;
        }
    }
    return r;
}

static int32_t to_upper_rune(int32_t r) {
    if (r < 0x80) return (r >= 'a' && r <= 'z') ? r - 32 : r;
    return to_case(UPPER, r);
}

static int32_t to_lower_rune(int32_t r) {
    if (r < 0x80) return (r >= 'A' && r <= 'Z') ? r + 32 : r;
    return to_case(LOWER, r);
}

static bool is_space(int32_t r) {
    if (r <= 0xFF) return r == 0x09 || r == 0x0A || r == 0x0B || r == 0x0C || r == 0x0D || r == 0x20 || r == 0x85 || r == 0xA0;
    return r == 0x1680 || (r >= 0x2000 && r <= 0x200A) || r == 0x2028 || r == 0x2029 || r == 0x202F || r == 0x205F ||
           r == 0x3000;
}

/* Go's utf8.DecodeLastRune of s[:end]. */
static int32_t decode_last_rune(const uint8_t *s, size_t end, int64_t *width) {
    if (end == 0) {
        *width = 0;
        return RUNE_ERROR;
    }
    size_t start = end - 1;
    if (s[start] < 0x80) {
        *width = 1;
        return s[start];
    }
    /* scan back at most 3 more bytes for a byte that is not 10xxxxxx (utf8.RuneStart) */
    int64_t lim = (int64_t)end - 4, k = (int64_t)start;
    if (lim < 0) lim = 0;
    for (k--; k >= lim; k--)
        if ((s[k] & 0xC0) != 0x80) break;
    if (k < 0) k = 0;
    start = (size_t)k;
    int64_t w;
    int32_t r = decode_rune(s, end, start, &w);
    if (start + (size_t)w != end) {
        *width = 1;
        return RUNE_ERROR;
    }
    *width = w;
    return r;
}

/* ---- byte search -------------------------------------------------------------------------------- */
static int64_t find(const uint8_t *s, size_t n, const uint8_t *sub, size_t m, size_t from) {
    if (m == 0) return from <= n ? (int64_t)from : -1;
    if (m > n) return -1;
    const uint8_t *p = s + from, *last = s + (n - m);
    while (p <= last) {
        p = memchr(p, sub[0], (size_t)(last - p) + 1);
        if (!p) return -1;
        if (memcmp(p, sub, m) == 0) return p - s;
        p++;
    }
    return -1;
}

static int64_t rfind(const uint8_t *s, size_t n, const uint8_t *sub, size_t m) {
    if (m > n) return -1;
    if (m == 0) return (int64_t)n;
    for (size_t i = n - m + 1; i-- > 0;)
        if (s[i] == sub[0] && memcmp(s + i, sub, m) == 0) return (int64_t)i;
    return -1;
}

static uint64_t rune_count(const uint8_t *s, size_t n) {
    uint64_t c = 0;
    for (size_t i = 0; i < n; c++) {
        int64_t w;
        decode_rune(s, n, i, &w);
        i += (size_t)w;
    }
    return c;
}

static uint64_t count(const uint8_t *s, size_t n, const uint8_t *sub, size_t m) {
    if (m == 0) return rune_count(s, n) + 1;
    uint64_t c = 0;
    for (int64_t i = find(s, n, sub, m, 0); i >= 0; i = find(s, n, sub, m, (size_t)i + m)) c++;
    return c;
}

/* ---- the externs ---------------------------------------------------------------------------------- */
#define UNUSED (void)na, (void)nr

/* Reads string arguments 0..k-1 into d[i], l[i] (in order: the first bad reference fails). */
static bool args_str(GoxRuntime *R, const uint64_t *a, unsigned k, const uint8_t **d, size_t *l) {
    for (unsigned i = 0; i < k; i++)
        if (!sl_arg_str(R, a[i], &d[i], &l[i])) return false;
    return true;
}

#define STR2_HEAD                                          \
    UNUSED;                                                \
    GOX_ENTER(R);                              \
    const uint8_t *d[2];                                   \
    size_t l[2];                                           \
    if (!args_str(R, a, 2, d, l)) return 1;

int32_t ext_strings_index(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = (uint64_t)find(d[0], l[0], d[1], l[1], 0);
    return 0;
}

int32_t ext_strings_last_index(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = (uint64_t)rfind(d[0], l[0], d[1], l[1]);
    return 0;
}

int32_t ext_strings_contains(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = find(d[0], l[0], d[1], l[1], 0) >= 0;
    return 0;
}

int32_t ext_strings_has_prefix(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = l[1] <= l[0] && memcmp(d[0], d[1], l[1]) == 0;
    return 0;
}

int32_t ext_strings_has_suffix(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = l[1] <= l[0] && memcmp(d[0] + (l[0] - l[1]), d[1], l[1]) == 0;
    return 0;
}

int32_t ext_strings_count(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    STR2_HEAD
    r[0] = count(d[0], l[0], d[1], l[1]);
    return 0;
}

/* ToUpper / ToLower: the ASCII fast path, else strings.Map (every rune re-encoded). */
static int32_t map_case(const uint64_t *a, uint64_t *r, int32_t (*fn)(int32_t), bool upper) {
    GOX_ENTER(R);
    const uint8_t *s;
    size_t n;
    if (!sl_arg_str(R, a[0], &s, &n)) return 1;
    bool ascii = true;
    for (size_t i = 0; i < n && ascii; i++) ascii = s[i] < 0x80;
    Buf b = {0};
    if (ascii) {
        buf_put(&b, s, n);
        for (size_t i = 0; i < n; i++) {
            char c = b.data[i];
            if (upper && c >= 'a' && c <= 'z') b.data[i] = (char)(c - 32);
            if (!upper && c >= 'A' && c <= 'Z') b.data[i] = (char)(c + 32);
        }
    } else {
        for (size_t i = 0; i < n;) {
            int64_t w;
            int32_t rune = decode_rune(s, n, i, &w);
            uint8_t enc[4];
            buf_put(&b, enc, encode_rune(fn(rune), enc));
            i += (size_t)w;
        }
    }
    bool ok = sl_ret_str(R, (const uint8_t *)b.data, b.len, &r[0]);
    buf_free(&b);
    return ok ? 0 : 1;
}

int32_t ext_strings_to_upper(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    return map_case(a, r, to_upper_rune, true);
}

int32_t ext_strings_to_lower(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    return map_case(a, r, to_lower_rune, false);
}

int32_t ext_strings_trim_space(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    const uint8_t *s;
    size_t n;
    if (!sl_arg_str(R, a[0], &s, &n)) return 1;
    size_t start = 0, end = n;
    while (start < n) {
        int64_t w;
        int32_t rune = decode_rune(s, n, start, &w);
        if (!is_space(rune)) break;
        start += (size_t)w;
    }
    while (end > start) {
        int64_t w;
        int32_t rune = decode_last_rune(s, end, &w);
        if (!is_space(rune)) break;
        end -= (size_t)w;
    }
    return sl_ret_str(R, s + start, end - start, &r[0]) ? 0 : 1;
}

int32_t ext_strings_repeat(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    const uint8_t *s;
    size_t n;
    if (!sl_arg_str(R, a[0], &s, &n)) return 1;
    int64_t count = (int64_t)a[1];
    r[0] = 0;
    if (count == 0) return 0;
    if (count < 0) {
        gox_fail(R, ERR_PANIC, "strings: negative Repeat count");
        return 1;
    }
    if (n && (uint64_t)count > (uint64_t)INT64_MAX / n) {
        gox_fail(R, ERR_PANIC, "strings: Repeat output length overflow");
        return 1;
    }
    uint64_t total = (uint64_t)count * n;
    if (total > GO_MAX_ALLOC) {
        gox_fail(R, ERR_PANIC, "runtime error: makeslice: len out of range");
        return 1;
    }
    if (!string_check_size(R, total)) return 1;
    if (!total) return 0;
    uint8_t *out = xmalloc((size_t)total);
    for (uint64_t i = 0; i < (uint64_t)count; i++) memcpy(out + i * n, s, n);
    bool ok = sl_ret_str(R, out, (size_t)total, &r[0]);
    free(out);
    return ok ? 0 : 1;
}

int32_t ext_strings_replace(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    const uint8_t *d[3];
    size_t l[3];
    if (!args_str(R, a, 3, d, l)) return 1;
    const uint8_t *s = d[0], *old = d[1], *new = d[2];
    size_t ns = l[0], nold = l[1], nnew = l[2];
    int64_t n = (int64_t)a[3];
    if ((nold == nnew && memcmp(old, new, nold) == 0) || n == 0) return sl_ret_str(R, s, ns, &r[0]) ? 0 : 1;
    uint64_t m = count(s, ns, old, nold);
    if (m == 0) return sl_ret_str(R, s, ns, &r[0]) ? 0 : 1;
    if (n < 0 || m < (uint64_t)n) n = (int64_t)m;
    /* the result's length, checked before it is built */
    uint64_t total = (uint64_t)ns - (uint64_t)n * nold + (uint64_t)n * nnew;
    if (!string_check_size(R, total)) return 1;
    uint8_t *out = xmalloc(total ? (size_t)total : 1);
    size_t o = 0, start = 0;
    for (int64_t i = 0; i < n; i++) {
        size_t j = start;
        if (nold == 0) {
            if (i > 0) {
                int64_t w;
                decode_rune(s, ns, start, &w);
                j += (size_t)w;
            }
        } else {
            j = (size_t)find(s, ns, old, nold, start);
        }
        memcpy(out + o, s + start, j - start);
        o += j - start;
        memcpy(out + o, new, nnew);
        o += nnew;
        start = j + nold;
    }
    memcpy(out + o, s + start, ns - start);
    o += ns - start;
    bool ok = sl_ret_str(R, out, o, &r[0]);
    free(out);
    return ok ? 0 : 1;
}
