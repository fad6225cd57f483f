/* stdlib_strconv.c: the strconv externs (ids 30..33) with Go's exact results
 * (gox_ref/stdlib/strconvlib.py; docs/EXTERNS.md describes every algorithm).
 *
 * - FormatFloat shortest (prec < 0): an exact digit-by-digit search of the rounding interval
 *   with a small fixed-size bignum (Steele-White / Burger-Dybvig free format: the shortest
 *   digits in the interval, the closest of them, ties to even), which is what the reference's
 *   exact-integer search and Go's Ryu produce.
 * - FormatFloat with a precision: the correctly rounded digits from glibc's printf %e / %f
 *   (exact, half to even), capped where further digits are known zeros.
 * - ParseFloat: Go's syntax (readFloat, special, underscoreOK) checked here; decimal values
 *   are rounded by strtod/strtof (glibc's are correctly rounded for any number of digits) on a
 *   canonical "<digits>e<exp>" text, hexadecimal values are rounded here exactly. */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gox_stdlib.h"

#define UNUSED (void)na, (void)nr
#define I64_MAX INT64_MAX
#define I64_MIN INT64_MIN

/* ---- Quote and the error texts -------------------------------------------------------------- */
static void quote(Buf *b, const uint8_t *s, size_t n) {
    static const char hexd[] = "0123456789abcdef";
    buf_put(b, "\"", 1);
    for (size_t i = 0; i < n;) {
        int64_t w;
        int32_t r = decode_rune(s, n, i, &w);
        if (w == 1 && r == 0xFFFD) {
            char e[4] = {'\\', 'x', hexd[s[i] >> 4], hexd[s[i] & 15]};
            buf_put(b, e, 4);
        } else if (r == '"' || r == '\\') {
            char e[2] = {'\\', (char)r};
            buf_put(b, e, 2);
        } else if (sl_is_print(r)) {
            uint8_t enc[4];
            buf_put(b, enc, encode_rune(r, enc));
        } else if (r == 7 || r == 8 || r == 12 || r == 10 || r == 13 || r == 9 || r == 11) {
            const char *esc = r == 7 ? "\\a" : r == 8 ? "\\b" : r == 12 ? "\\f" : r == 10 ? "\\n" : r == 13 ? "\\r" : r == 9 ? "\\t" : "\\v";
            buf_put(b, esc, 2);
        } else if (r < 0x20 || r == 0x7F) {
            buf_printf(b, "\\x%02x", (unsigned)r);
        } else if (r < 0x10000) {
            buf_printf(b, "\\u%04x", (unsigned)r);
        } else {
            buf_printf(b, "\\U%08x", (unsigned)r);
        }
        i += (size_t)w;
    }
    buf_put(b, "\"", 1);
}

/* The error result "strconv.<fn>: parsing <Quote(s)>: <what>" as a string reference. */
static bool num_error(GoxRuntime *R, const char *fn, const uint8_t *s, size_t n, const char *what, uint64_t *out) {
    Buf b = {0};
    buf_printf(&b, "strconv.%s: parsing ", fn);
    quote(&b, s, n);
    buf_printf(&b, ": %s", what);
    bool ok = sl_ret_str(R, (const uint8_t *)b.data, b.len, out);
    buf_free(&b);
    return ok;
}

/* ---- Itoa, Atoi ----------------------------------------------------------------------------------- */
int32_t ext_strconv_itoa(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    char text[24];
    int len = snprintf(text, sizeof text, "%" PRId64, (int64_t)a[0]);
    return sl_ret_str(R, (const uint8_t *)text, (size_t)len, &r[0]) ? 0 : 1;
}

static bool is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

int32_t ext_strconv_atoi(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    const uint8_t *s;
    size_t n;
    if (!sl_arg_str(R, a[0], &s, &n)) return 1;
    r[0] = r[1] = 0;
    const char *err = NULL;
    int64_t val = 0;
    if (n > 0 && n < 19) { /* Go's fast path: no overflow possible */
        size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        if (i == n) err = "invalid syntax";
        uint64_t v = 0;
        for (size_t k = i; k < n && !err; k++) {
            if (!is_digit(s[k]))
                err = "invalid syntax";
            else
                v = v * 10 + (uint64_t)(s[k] - '0');
        }
        if (!err) val = s[0] == '-' ? -(int64_t)v : (int64_t)v;
    } else if (n == 0) {
        err = "invalid syntax";
    } else { /* ParseInt(s, 10, 0): a sign, then ParseUint's scan; the first overflow wins */
        bool neg = s[0] == '-';
        size_t i = (s[0] == '+' || s[0] == '-') ? 1 : 0;
        if (i == n) err = "invalid syntax";
        uint64_t v = 0;
        bool overflow = false;
        for (size_t k = i; k < n && !err && !overflow; k++) {
            if (!is_digit(s[k])) {
                err = "invalid syntax";
                break;
            }
            unsigned d = (unsigned)(s[k] - '0');
            if (v > (UINT64_MAX - d) / 10)
                overflow = true;
            else
                v = v * 10 + d;
        }
        if (!err) {
            if (overflow || (!neg && v > (uint64_t)I64_MAX) || (neg && v > (uint64_t)1 << 63)) {
                err = "value out of range";
                val = neg ? I64_MIN : I64_MAX;
            } else {
                val = neg ? (int64_t)(0 - v) : (int64_t)v;
            }
        }
    }
    if (err && strcmp(err, "invalid syntax") == 0) val = 0;
    r[0] = (uint64_t)val;
    if (err && !num_error(R, "Atoi", s, n, err, &r[1])) return 1;
    return 0;
}

/* ---- float formats ------------------------------------------------------------------------------------ */
typedef struct {
    int mantbits, expbits, bias;
} FloatInfo;
static const FloatInfo F64 = {52, 11, -1023}, F32 = {23, 8, -127};

/* float32(x): round to nearest even (overflow to ±Inf); a NaN keeps its top payload bits with
 * the quiet bit set (CVTSD2SS).  Returned as the exact float64. */
static double to_float32(double x) {
    if (x != x) {
        uint64_t b = f2b(x);
        uint32_t b32 = (uint32_t)(((b >> 32) & 0x80000000u) | 0x7FC00000u | ((b >> 29) & 0x003FFFFFu));
        float f;
        memcpy(&f, &b32, sizeof f);
        return (double)f;
    }
    return (double)(float)x;
}

/* -- a small fixed-size bignum (little-endian 32-bit limbs) for the shortest search -- */
#define BN_LIMBS 48 /* 1536 bits: the largest value is below 2**1140 */
typedef struct {
    uint32_t d[BN_LIMBS];
    int n; /* limbs in use (no high zero limbs) */
} Big;

static void bn_set(Big *a, uint64_t v) {
    memset(a, 0, sizeof *a);
    a->d[0] = (uint32_t)v;
    a->d[1] = (uint32_t)(v >> 32);
    a->n = a->d[1] ? 2 : a->d[0] ? 1 : 0;
}

static void bn_trim(Big *a) {
    while (a->n > 0 && a->d[a->n - 1] == 0) a->n--;
}

static void bn_shl(Big *a, int bits) {
    int words = bits / 32, sh = bits % 32;
    if (a->n == 0) return;
    int top = a->n + words + 1;
    for (int i = top - 1; i >= 0; i--) {
        int src = i - words;
        uint64_t hi = src >= 0 && src < a->n ? a->d[src] : 0;
        uint64_t lo = src - 1 >= 0 && src - 1 < a->n ? a->d[src - 1] : 0;
        a->d[i] = sh ? (uint32_t)((hi << sh) | (lo >> (32 - sh))) : (uint32_t)hi;
    }
    a->n = top;
    bn_trim(a);
}

static void bn_mul_small(Big *a, uint32_t m) {
    uint64_t carry = 0;
    for (int i = 0; i < a->n; i++) {
        uint64_t t = (uint64_t)a->d[i] * m + carry;
        a->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    if (carry) a->d[a->n++] = (uint32_t)carry;
}

static void bn_mul_pow10(Big *a, int k) {
    for (; k >= 9; k -= 9) bn_mul_small(a, 1000000000u);
    static const uint32_t p10[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};
    if (k > 0) bn_mul_small(a, p10[k]);
}

static int bn_cmp(const Big *a, const Big *b) {
    if (a->n != b->n) return a->n < b->n ? -1 : 1;
    for (int i = a->n - 1; i >= 0; i--)
        if (a->d[i] != b->d[i]) return a->d[i] < b->d[i] ? -1 : 1;
    return 0;
}

static void bn_sub(Big *a, const Big *b) { /* a -= b, a >= b */
    int64_t borrow = 0;
    for (int i = 0; i < a->n; i++) {
        int64_t t = (int64_t)a->d[i] - (i < b->n ? b->d[i] : 0) - borrow;
        borrow = t < 0;
        a->d[i] = (uint32_t)(t + (borrow ? ((int64_t)1 << 32) : 0));
    }
    bn_trim(a);
}

static void bn_add(Big *out, const Big *a, const Big *b) {
    uint64_t carry = 0;
    int n = a->n > b->n ? a->n : b->n;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < n; i++) {
        uint64_t t = (uint64_t)(i < a->n ? a->d[i] : 0) + (i < b->n ? b->d[i] : 0) + carry;
        out->d[i] = (uint32_t)t;
        carry = t >> 32;
    }
    out->n = n;
    if (carry) out->d[out->n++] = (uint32_t)carry;
}

/* The shortest decimal in the rounding interval of mant*2**(exp-mantbits) (mant != 0), the
 * closest if several, ties to even: digits (no trailing zeros) into d, returns nd; *dp is the
 * decimal point position (value = 0.d * 10**dp).  The interval is Go's (ftoaryu.go
 * computeBounds): halfway to the neighbours, the lower one half as far at the bottom of a
 * binade, the boundaries included iff mant is even. */
static int shortest_digits(uint64_t mant, int exp, const FloatInfo *flt, double value, char *d, int *dp) {
    int e2 = exp - flt->mantbits, sh;
    uint64_t c_n, lo_m, hi_m; /* the value and the margins below and above, in units of 2**sh */
    if (mant != (1ULL << flt->mantbits) || exp == flt->bias + 1) {
        c_n = 2 * mant, lo_m = 1, hi_m = 1, sh = e2 - 1;
    } else {
        c_n = 4 * mant, lo_m = 1, hi_m = 2, sh = e2 - 2;
    }
    bool inclusive = mant % 2 == 0;
    Big r, s, mlo, mhi, t;
    bn_set(&r, c_n);
    bn_set(&mlo, lo_m);
    bn_set(&mhi, hi_m);
    bn_set(&s, 1);
    if (sh >= 0) {
        bn_shl(&r, sh);
        bn_shl(&mlo, sh);
        bn_shl(&mhi, sh);
    } else {
        bn_shl(&s, -sh);
    }
    /* k: 10**k <= value < 10**(k+1); scale so that 1 <= r/s < 10 */
    int k = (int)floor(log10(value));
    if (k >= 0) {
        bn_mul_pow10(&s, k);
    } else {
        bn_mul_pow10(&r, -k);
        bn_mul_pow10(&mlo, -k);
        bn_mul_pow10(&mhi, -k);
    }
    for (;;) {
        if (bn_cmp(&r, &s) < 0) { /* the estimate was one too high */
            k--;
            bn_mul_small(&r, 10);
            bn_mul_small(&mlo, 10);
            bn_mul_small(&mhi, 10);
            continue;
        }
        t = s;
        bn_mul_small(&t, 10);
        if (bn_cmp(&r, &t) >= 0) { /* one too low */
            k++;
            bn_mul_small(&s, 10);
            continue;
        }
        break;
    }
    int nd = 0;
    for (;;) {
        int digit = 0;
        while (bn_cmp(&r, &s) >= 0) {
            bn_sub(&r, &s);
            digit++;
        }
        d[nd++] = (char)('0' + digit);
        /* the digits so far (P) are in the interval iff r <= mlo (< when exclusive); P+1 iff
         * s - r <= mhi */
        int cl = bn_cmp(&r, &mlo);
        bool low_ok = inclusive ? cl <= 0 : cl < 0;
        bn_add(&t, &r, &mhi);
        int ch = bn_cmp(&t, &s);
        bool high_ok = inclusive ? ch >= 0 : ch > 0;
        if (low_ok || high_ok) {
            bool up;
            if (low_ok && high_ok) {
                bn_add(&t, &r, &r);
                int c2 = bn_cmp(&t, &s);
                up = c2 > 0 || (c2 == 0 && (d[nd - 1] - '0') % 2 == 1);
            } else {
                up = high_ok;
            }
            *dp = k + 1;
            if (up) {
                int i = nd - 1;
                while (i >= 0 && d[i] == '9') d[i--] = '0';
                if (i >= 0) {
                    d[i]++;
                } else { /* 99..9 + 1: one digit more */
                    memmove(d + 1, d, (size_t)nd);
                    d[0] = '1';
                    nd++;
                    (*dp)++;
                }
            }
            break;
        }
        bn_mul_small(&r, 10);
        bn_mul_small(&mlo, 10);
        bn_mul_small(&mhi, 10);
    }
    while (nd > 0 && d[nd - 1] == '0') nd--;
    return nd;
}

/* Digits (no trailing zeros) and dp from a printf "%.*e" / "%.*f" text of |x| (x != 0). */
#define MAX_E_DIGITS 800  /* an exact binary64 value has at most 767 significant digits */
#define MAX_F_DIGITS 1100 /* and at most 1074 digits after the point */

static int fixed_digits(double x, int64_t ndigits, char **d, int *dp) {
    if (ndigits > MAX_E_DIGITS) ndigits = MAX_E_DIGITS;
    int len = snprintf(NULL, 0, "%.*e", (int)(ndigits - 1), fabs(x));
    char *text = xmalloc((size_t)len + 1);
    snprintf(text, (size_t)len + 1, "%.*e", (int)(ndigits - 1), fabs(x));
    char *e = strchr(text, 'e');
    int nd = 0;
    for (char *p = text; p < e; p++)
        if (*p != '.') text[nd++] = *p;
    *dp = atoi(e + 1) + 1;
    while (nd > 0 && text[nd - 1] == '0') nd--;
    *d = text;
    return nd;
}

static int f_digits(double x, int64_t prec, char **d, int *dp) {
    if (prec > MAX_F_DIGITS) prec = MAX_F_DIGITS;
    int len = snprintf(NULL, 0, "%.*f", (int)prec, fabs(x));
    char *text = xmalloc((size_t)len + 1);
    snprintf(text, (size_t)len + 1, "%.*f", (int)prec, fabs(x));
    char *dot = strchr(text, '.');
    int nip = dot ? (int)(dot - text) : len;
    const char *fp = dot ? dot + 1 : "";
    int nfp = (int)strlen(fp);
    int ip0 = 0;
    while (ip0 < nip && text[ip0] == '0') ip0++;
    char *out = xmalloc((size_t)len + 1);
    int nd = 0;
    if (ip0 < nip) {
        memcpy(out, text + ip0, (size_t)(nip - ip0));
        memcpy(out + (nip - ip0), fp, (size_t)nfp);
        nd = nip - ip0 + nfp;
        *dp = nip - ip0;
    } else {
        int z = 0;
        while (z < nfp && fp[z] == '0') z++;
        if (z == nfp) {
            *dp = 0;
        } else {
            memcpy(out, fp + z, (size_t)(nfp - z));
            nd = nfp - z;
            *dp = -z;
        }
    }
    while (nd > 0 && out[nd - 1] == '0') nd--;
    free(text);
    *d = out;
    return nd;
}

/* Decimal digits of |e| with at least two. */
static int64_t exp_len(int64_t e) {
    if (e < 0) e = -e;
    if (e < 100) return 2;
    int64_t n = 0;
    for (; e; e /= 10) n++;
    return n;
}

/* Output lengths of fmtE / fmtF / fmtX with a huge precision (below 2**64 for any int64 prec). */
static uint64_t fmt_e_len(bool neg, int64_t dp, int nd, int64_t prec) {
    return (uint64_t)neg + 1 + (prec > 0 ? 1 + (uint64_t)prec : 0) + 2 + (uint64_t)exp_len(nd ? dp - 1 : 0);
}

static uint64_t fmt_f_len(bool neg, int64_t dp, int64_t prec) {
    return (uint64_t)neg + (uint64_t)(dp > 0 ? dp : 1) + (prec > 0 ? 1 + (uint64_t)prec : 0);
}

static void fmt_e(Buf *b, bool neg, const char *d, int nd, int dp, int64_t prec, char fmt) {
    if (neg) buf_put(b, "-", 1);
    buf_put(b, nd ? d : "0", 1);
    if (prec > 0) {
        buf_put(b, ".", 1);
        int64_t have = nd - 1 < prec ? nd - 1 : prec;
        if (have > 0) buf_put(b, d + 1, (size_t)have);
        for (int64_t i = have > 0 ? have : 0; i < prec; i++) buf_put(b, "0", 1);
    }
    buf_put(b, &fmt, 1);
    int e = nd ? dp - 1 : 0;
    buf_put(b, e < 0 ? "-" : "+", 1);
    if (e < 0) e = -e;
    buf_printf(b, e < 100 ? "%02d" : "%d", e);
}

static void fmt_f(Buf *b, bool neg, const char *d, int nd, int dp, int64_t prec) {
    if (neg) buf_put(b, "-", 1);
    if (dp > 0) {
        int have = nd < dp ? nd : dp;
        buf_put(b, d, (size_t)have);
        for (int i = have; i < dp; i++) buf_put(b, "0", 1);
    } else {
        buf_put(b, "0", 1);
    }
    if (prec > 0) {
        buf_put(b, ".", 1);
        for (int64_t i = 0; i < prec; i++) {
            int64_t j = dp + i;
            buf_put(b, j >= 0 && j < nd ? d + j : "0", 1);
        }
    }
}

static void fmt_b(Buf *b, bool neg, uint64_t mant, int exp, const FloatInfo *flt) {
    int e = exp - flt->mantbits;
    buf_printf(b, "%s%" PRIu64 "p%s%d", neg ? "-" : "", mant, e >= 0 ? "+" : "", e);
}

/* Go's fmtX; the output length when it is more than Go's maxAlloc (then b is untouched: no
 * string can hold it), else 0. */
static uint64_t fmt_x(Buf *b, int64_t prec, char fmt, bool neg, uint64_t mant, int exp, const FloatInfo *flt) {
    if (mant == 0) exp = 0;
    mant <<= 60 - flt->mantbits;
    while (mant != 0 && (mant & (1ULL << 60)) == 0) {
        mant <<= 1;
        exp--;
    }
    if (prec >= 0 && prec < 15) {
        unsigned shift = (unsigned)prec * 4;
        uint64_t extra = (mant << shift) & ((1ULL << 60) - 1);
        mant >>= 60 - shift;
        if ((extra | (mant & 1)) > (1ULL << 59)) mant++;
        mant <<= 60 - shift;
        if (mant & (1ULL << 61)) {
            mant >>= 1;
            exp++;
        }
    }
    uint64_t len = (uint64_t)neg + 3 + 1 + (uint64_t)(prec > 0 ? prec : 0) + 2 + (uint64_t)exp_len(exp);
    if (len > GO_MAX_ALLOC) return len; /* longer than any string: only the length is needed */
    const char *hexd = fmt == 'X' ? "0123456789ABCDEF" : "0123456789abcdef";
    if (neg) buf_put(b, "-", 1);
    char head[3] = {'0', fmt, (char)('0' + ((mant >> 60) & 1))};
    buf_put(b, head, 3);
    mant <<= 4;
    if (prec < 0 && mant != 0) {
        buf_put(b, ".", 1);
        while (mant != 0) {
            buf_put(b, &hexd[(mant >> 60) & 15], 1);
            mant <<= 4;
        }
    } else if (prec > 0) {
        buf_put(b, ".", 1);
        for (int64_t i = 0; i < prec; i++) {
            buf_put(b, &hexd[(mant >> 60) & 15], 1);
            mant <<= 4;
        }
    }
    buf_put(b, fmt == 'X' ? "P" : "p", 1);
    buf_put(b, exp < 0 ? "-" : "+", 1);
    if (exp < 0) exp = -exp;
    buf_printf(b, exp < 100 ? "%02d" : "%d", exp);
    return 0;
}

#define HUGE_PREC ((int64_t)1 << 20) /* an output this long is sized before it is built */

/* strconv.FormatFloat into b; false (error record filled) on a panic. */
static bool go_format_float(GoxRuntime *R, Buf *b, double val, int fmt, int64_t prec, int64_t bit_size) {
    uint64_t bits;
    const FloatInfo *flt;
    if (bit_size == 32) {
        val = to_float32(val);
        float f = (float)val;
        uint32_t b32;
        memcpy(&b32, &f, sizeof b32);
        bits = b32;
        flt = &F32;
    } else if (bit_size == 64) {
        bits = f2b(val);
        flt = &F64;
    } else {
        gox_fail(R, ERR_PANIC, "strconv: illegal AppendFloat/FormatFloat bitSize");
        return false;
    }
    bool neg = (bits >> (flt->expbits + flt->mantbits)) != 0;
    int exp = (int)((bits >> flt->mantbits) & ((1ULL << flt->expbits) - 1));
    uint64_t mant = bits & ((1ULL << flt->mantbits) - 1);
    if (exp == (1 << flt->expbits) - 1) {
        buf_puts(b, mant != 0 ? "NaN" : neg ? "-Inf" : "+Inf");
        return true;
    }
    if (exp == 0)
        exp++;
    else
        mant |= 1ULL << flt->mantbits;
    exp += flt->bias;
    if (fmt == 'b') {
        fmt_b(b, neg, mant, exp, flt);
        return true;
    }
    if (fmt == 'x' || fmt == 'X') {
        uint64_t n = fmt_x(b, prec, (char)fmt, neg, mant, exp, flt);
        return n == 0 || string_check_size(R, n);
    }
    bool is_e = fmt == 'e' || fmt == 'E', is_g = fmt == 'g' || fmt == 'G';
    if (!is_e && !is_g && fmt != 'f') {
        char t[2] = {'%', (char)fmt};
        buf_put(b, t, 2);
        return true;
    }
    bool shortest = prec < 0;
    char *d = NULL, sd[32];
    int nd = 0, dp = 0;
    double x = fabs(val);
    if (shortest) {
        if (mant != 0) {
            nd = shortest_digits(mant, exp, flt, x, sd, &dp);
            d = sd;
        }
        prec = is_e ? (nd - 1 > 0 ? nd - 1 : 0) : fmt == 'f' ? (nd - dp > 0 ? nd - dp : 0) : nd;
    } else if (is_e) {
        if (x != 0) nd = fixed_digits(x, prec >= MAX_E_DIGITS ? MAX_E_DIGITS : prec + 1, &d, &dp);
    } else if (fmt == 'f') {
        if (x != 0) nd = f_digits(x, prec, &d, &dp);
    } else {
        if (prec == 0) prec = 1;
        if (x != 0) nd = fixed_digits(x, prec, &d, &dp);
    }
    bool ok = true;
    if (is_e) {
        ok = prec <= HUGE_PREC || string_check_size(R, fmt_e_len(neg, dp, nd, prec));
        if (ok) fmt_e(b, neg, d, nd, dp, prec, (char)fmt);
    } else if (fmt == 'f') {
        ok = prec <= HUGE_PREC || string_check_size(R, fmt_f_len(neg, dp, prec));
        if (ok) fmt_f(b, neg, d, nd, dp, prec);
    } else {
        int64_t eprec = prec;
        if (eprec > nd && nd >= dp) eprec = nd;
        if (shortest) eprec = 6;
        int64_t e = (int64_t)dp - 1;
        if (e < -4 || e >= eprec) {
            if (prec > nd) prec = nd;
            fmt_e(b, neg, d, nd, dp, prec - 1, (char)(fmt + 'e' - 'g'));
        } else {
            if (prec > dp) prec = nd;
            fmt_f(b, neg, d, nd, dp, prec - dp > 0 ? prec - dp : 0);
        }
    }
    if (d != sd) free(d);
    return ok;
}

int32_t ext_strconv_format_float(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    Buf b = {0};
    bool ok = go_format_float(R, &b, b2f(a[0]), (int)(a[1] & 0xFF), (int64_t)a[2], (int64_t)a[3]) &&
              sl_ret_str(R, (const uint8_t *)b.data, b.len, &r[0]);
    buf_free(&b);
    return ok ? 0 : 1;
}

/* ---- ParseFloat ------------------------------------------------------------------------------------ */
static uint8_t lower(uint8_t c) { return c | 0x20; }

static size_t prefix_len_ignore_case(const uint8_t *s, size_t n, const char *prefix) {
    size_t m = strlen(prefix), k = n < m ? n : m;
    for (size_t i = 0; i < k; i++) {
        uint8_t c = s[i];
        if (c >= 'A' && c <= 'Z') c += 0x20;
        if (c != (uint8_t)prefix[i]) return i;
    }
    return k;
}

/* Go's special: ±Inf / NaN and the bytes consumed (0: not special). */
static size_t special(const uint8_t *s, size_t n, double *val) {
    if (n == 0) return 0;
    double sign = 1.0;
    size_t nsign = 0;
    uint8_t c = s[0];
    if (c == '+' || c == '-') {
        if (c == '-') sign = -1.0;
        nsign = 1;
        s++;
        n--;
        c = 'i'; /* fall through to the "inf" case */
    }
    if (c == 'i' || c == 'I') {
        size_t k = prefix_len_ignore_case(s, n, "infinity");
        if (k > 3 && k < 8) k = 3;
        if (k == 3 || k == 8) {
            *val = sign * INFINITY;
            return nsign + k;
        }
    } else if ((c == 'n' || c == 'N') && prefix_len_ignore_case(s, n, "nan") == 3) {
        *val = b2f(0x7FF8000000000001ULL);
        return 3;
    }
    return 0;
}

static bool underscore_ok(const uint8_t *s, size_t n) {
    char saw = '^';
    size_t i = 0;
    if (n >= 1 && (s[0] == '+' || s[0] == '-')) {
        s++;
        n--;
    }
    bool hexa = false;
    if (n >= 2 && s[0] == '0' && (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
        i = 2;
        saw = '0';
        hexa = lower(s[1]) == 'x';
    }
    for (; i < n; i++) {
        uint8_t c = s[i];
        if (is_digit(c) || (hexa && lower(c) >= 'a' && lower(c) <= 'f')) {
            saw = '0';
        } else if (c == '_') {
            if (saw != '0') return false;
            saw = '_';
        } else {
            if (saw == '_') return false;
            saw = '!';
        }
    }
    return saw != '_';
}

typedef struct {
    size_t n; /* bytes consumed */
    bool neg, hexa;
    Buf digits;     /* the significant digits (leading zeros skipped), as characters */
    int64_t nd, dp; /* value = digits * base**(dp - nd); for hex nd and dp count bits */
} Read;

static int hexval(uint8_t c) { return is_digit(c) ? c - '0' : lower(c) - 'a' + 10; }

/* Go's readFloat syntax, keeping every digit. */
static bool read_float(const uint8_t *s, size_t len, Read *rd) {
    size_t i = 0;
    bool underscores = false;
    memset(rd, 0, sizeof *rd);
    if (len == 0) return false;
    if (s[i] == '+') {
        i++;
    } else if (s[i] == '-') {
        rd->neg = true;
        i++;
    }
    int base = 10;
    uint8_t exp_char = 'e';
    if (i + 2 < len && s[i] == '0' && lower(s[i + 1]) == 'x') {
        base = 16;
        exp_char = 'p';
        rd->hexa = true;
        i += 2;
    }
    bool sawdot = false, sawdigits = false;
    int64_t nd = 0, dp = 0;
    for (; i < len; i++) {
        uint8_t c = s[i];
        if (c == '_') {
            underscores = true;
        } else if (c == '.') {
            if (sawdot) break;
            sawdot = true;
            dp = nd;
        } else if (is_digit(c)) {
            sawdigits = true;
            if (c == '0' && nd == 0) {
                dp--;
            } else {
                nd++;
                buf_put(&rd->digits, &c, 1);
            }
        } else if (base == 16 && lower(c) >= 'a' && lower(c) <= 'f') {
            sawdigits = true;
            nd++;
            buf_put(&rd->digits, &c, 1);
        } else {
            break;
        }
    }
    if (!sawdigits) return false;
    if (!sawdot) dp = nd;
    if (rd->hexa) {
        dp *= 4;
        nd *= 4;
    }
    if (i < len && lower(s[i]) == exp_char) {
        i++;
        if (i >= len) return false;
        int64_t esign = 1, e = 0;
        if (s[i] == '+') {
            i++;
        } else if (s[i] == '-') {
            i++;
            esign = -1;
        }
        if (i >= len || !is_digit(s[i])) return false;
        for (; i < len && (is_digit(s[i]) || s[i] == '_'); i++) {
            if (s[i] == '_')
                underscores = true;
            else if (e < 10000)
                e = e * 10 + (s[i] - '0');
        }
        dp += e * esign;
    } else if (rd->hexa) {
        return false;
    }
    if (underscores && !underscore_ok(s, i)) return false;
    rd->n = i;
    rd->nd = nd;
    rd->dp = dp;
    return true;
}

/* The hexadecimal mantissa (digit characters, the first nonzero) times 2**e2, correctly
 * rounded (half to even) to flt; *ovf when it rounds to 2**(emax+1) or more. */
static double round_hex(const char *dig, int64_t ndig, int64_t e2, const FloatInfo *flt, bool *ovf) {
    int prec = flt->mantbits + 1, emin = flt->bias + 1, emax = -flt->bias;
    int lead = hexval((uint8_t)dig[0]);
    int64_t L = 4 * (ndig - 1) + (lead >= 8 ? 4 : lead >= 4 ? 3 : lead >= 2 ? 2 : 1); /* bit length */
    int64_t etop = L - 1 + e2;
    int64_t q = (etop > emin ? etop : emin) - (prec - 1);
    int64_t cut = q - e2; /* low bits of the mantissa below one ulp */
#define BIT(j) ((j) < 0 || (j) >= 4 * ndig ? 0 : (hexval((uint8_t)dig[ndig - 1 - (j) / 4]) >> ((j) % 4)) & 1)
    uint64_t m = 0;
    if (cut <= 0) {
        for (int64_t j = L - 1; j >= 0; j--) m = m << 1 | (uint64_t)BIT(j);
        m <<= -cut;
    } else {
        for (int64_t j = L - 1; j >= cut; j--) m = m << 1 | (uint64_t)BIT(j);
        int half = BIT(cut - 1);
        bool sticky = false;
        /* any bit below the half bit: whole digits first, then the bits of a partial one */
        int64_t jmax = cut - 1 < 4 * ndig ? cut - 1 : 4 * ndig;
        for (int64_t j = 0; j < jmax && !sticky; j++) {
            if (j % 4 == 0 && j + 4 <= jmax) {
                if (hexval((uint8_t)dig[ndig - 1 - j / 4])) sticky = true;
                j += 3;
            } else if (BIT(j)) {
                sticky = true;
            }
        }
        if (half && (sticky || (m & 1))) m++;
    }
#undef BIT
    int mbits = 0;
    for (uint64_t t = m; t; t >>= 1) mbits++;
    *ovf = mbits + q > emax + 1;
    if (*ovf) return INFINITY;
    return ldexp((double)m, (int)q);
}

int32_t ext_strconv_parse_float(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    GOX_ENTER(R);
    const uint8_t *s;
    size_t n;
    if (!sl_arg_str(R, a[0], &s, &n)) return 1;
    const FloatInfo *flt = (int64_t)a[1] == 32 ? &F32 : &F64;
    r[0] = r[1] = 0;
    double val;
    size_t k = special(s, n, &val);
    if (k) {
        if (k != n) return num_error(R, "ParseFloat", s, n, "invalid syntax", &r[1]) ? 0 : 1;
        r[0] = f2b(flt == &F32 ? to_float32(val) : val);
        return 0;
    }
    Read rd;
    bool syntax_ok = read_float(s, n, &rd) && rd.n == n;
    if (!syntax_ok) {
        buf_free(&rd.digits);
        return num_error(R, "ParseFloat", s, n, "invalid syntax", &r[1]) ? 0 : 1;
    }
    bool ovf = false;
    if (rd.digits.len == 0) {
        val = 0.0;
    } else if (rd.hexa) {
        val = round_hex(rd.digits.data, (int64_t)rd.digits.len, rd.dp - rd.nd, flt, &ovf);
    } else if (rd.dp > 310) {
        val = INFINITY;
        ovf = true;
    } else if (rd.dp < -330) {
        val = 0.0;
    } else {
        /* "<digits>e<exp>": no decimal point, so the locale plays no part */
        buf_printf(&rd.digits, "e%" PRId64, rd.dp - rd.nd);
        buf_put(&rd.digits, "", 1);
        val = flt == &F32 ? (double)strtof(rd.digits.data, NULL) : strtod(rd.digits.data, NULL);
        ovf = isinf(val);
    }
    buf_free(&rd.digits);
    if (rd.neg) val = -val;
    r[0] = f2b(val);
    if (ovf) return num_error(R, "ParseFloat", s, n, "value out of range", &r[1]) ? 0 : 1;
    return 0;
}
