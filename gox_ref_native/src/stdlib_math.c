/* stdlib_math.c: the math externs (ids 1..18), bit for bit as Go 1.19 on amd64 computes them,
 * and the stdlib's id table (stdlib_register).
 *
 * Every floating-point expression is one binary64 operation in the order written, as in
 * gox_ref/stdlib/mathlib.py; fma() is called exactly where Go's FMA assembly (Exp) fuses.
 * docs/EXTERNS.md restates each algorithm.  Contraction of a*b+c into an FMA must be off
 * (with -march=native it changes Atan2, Hypot, Log, ...): GCC turns it off in ISO mode
 * (-std=c11, what the Makefile and setup.py use) and by the pragma below in GNU modes, Clang
 * by STDC FP_CONTRACT; x87 evaluation (FLT_EVAL_METHOD != 0) would change results and is
 * refused. */
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "gox_stdlib.h"

#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__) && !defined(__STRICT_ANSI__)
#pragma GCC optimize("fp-contract=off") /* GNU modes default to -ffp-contract=fast */
#endif
#if FLT_EVAL_METHOD != 0
#error "stdlib_math.c: needs binary64 evaluation (SSE2), not x87 extended precision"
#endif

#define SIGN_BIT 0x8000000000000000ULL
#define INF_BITS 0x7FF0000000000000ULL
#define NEGINF_BITS 0xFFF0000000000000ULL
#define GO_NAN_BITS 0x7FF8000000000001ULL /* Go's math.NaN() */
#define HW_NAN_BITS 0xFFF8000000000000ULL /* the x86 "default NaN" of an invalid SSE operation */

static double go_nan(void) { return b2f(GO_NAN_BITS); }

/* ---- exact operations ------------------------------------------------------------------- */
static double go_sqrt(double x) {
    if (x != x || x == 0 || x == INFINITY) return x; /* NaN, ±0 and +Inf unchanged */
    if (x < 0) return b2f(HW_NAN_BITS);                /* SQRTSD of a negative number */
    return sqrt(x);
}

enum { R_FLOOR, R_CEIL, R_TRUNC };

static double int_part(double x, int how) {
    if (x != x || x == 0 || isinf(x) || fabs(x) >= 4503599627370496.0) return x;
    double r = how == R_FLOOR ? floor(x) : how == R_CEIL ? ceil(x) : trunc(x);
    return r == 0 ? copysign(r, x) : r; /* a zero result keeps the sign of x */
}

static double go_mod(double x, double y) {
    if (y == 0 || isinf(x) || x != x || y != y) return go_nan();
    return fmod(x, y);
}

/* ---- Exp (Go's exp_amd64.s, FMA path) --------------------------------------------------- */
static int32_t cvtsd2si32(double t) {
    /* x86 CVTSD2SI to int32: round half to even; out of range or NaN gives -2**31 */
    if (t != t || !(-2147483648.5 < t && t < 2147483647.5)) return INT32_MIN;
    double k = nearbyint(t); /* the default rounding mode: nearest, ties to even */
    if (k < -2147483648.0 || k > 2147483647.0) return INT32_MIN;
    return (int32_t)k;
}

static double go_exp(double x) {
    static const double LOG2E = 1.4426950408889634073599246810018920;
    static const double LN2U = 0.69314718055966295651160180568695068359375;
    static const double LN2L = 0.28235290563031577122588448175013436025525412068e-12;
    static const double C[8] = {
        2.4801587301587301587e-5, 1.9841269841269841270e-4, 1.3888888888888888889e-3, 8.3333333333333333333e-3,
        4.1666666666666666667e-2, 1.6666666666666666667e-1, 0.5, 1.0,
    };
    uint64_t bx = f2b(x);
    if ((bx & ~SIGN_BIT) >= INF_BITS) return bx == NEGINF_BITS ? 0.0 : x;
    if (x > 7.09782712893384e+02) return INFINITY;
    int32_t k = cvtsd2si32(LOG2E * x);
    double kf = (double)k;
    double r = fma(-LN2U, kf, x);
    r = fma(-LN2L, kf, r);
    r = r * 0.0625;
    double p = C[0];
    for (int i = 1; i < 8; i++) p = fma(p, r, C[i]);
    r = r * p;
    for (int i = 0; i < 3; i++) r = r * (r + 2.0);
    r = fma(r, r + 2.0, 1.0);
    int64_t e = (int64_t)k + 0x3FF;
    if (e <= 0) {
        if (e < -52) return 0.0;
        r = r * b2f((uint64_t)(e + 0x3FE) << 52);
        e = 1;
    } else if (e >= 0x7FF) {
        return INFINITY;
    }
    return r * b2f((uint64_t)e << 52);
}

/* ---- Log (Go's log_amd64.s) ------------------------------------------------------------- */
static double go_log(double x) {
    static const double HSQRT2 = 7.07106781186547524401e-01, LN2HI = 6.93147180369123816490e-01,
                        LN2LO = 1.90821492927058770002e-10, L1 = 6.666666666666735130e-01,
                        L2 = 3.999999999940941908e-01, L3 = 2.857142874366239149e-01, L4 = 2.222219843214978396e-01,
                        L5 = 1.818357216161805012e-01, L6 = 1.531383769920937332e-01, L7 = 1.479819860511658591e-01;
    uint64_t bx = f2b(x);
    if ((bx & ~SIGN_BIT) == 0) return -INFINITY;
    if (bx & SIGN_BIT) return go_nan(); /* any negative input, including -NaN */
    if (bx >= INF_BITS) return x;      /* +Inf, NaN */
    /* the raw exponent field even for subnormals: Go's amd64 code does not normalize */
    double f1 = b2f((bx & 0x000FFFFFFFFFFFFFULL) | 0x3FE0000000000000ULL);
    double k = (double)((int64_t)((bx >> 52) & 0x7FF) - 0x3FE);
    if (f1 <= HSQRT2) { /* CMPSD not-less-than: HSqrt2 >= f1 */
        k = k - 1.0;
        f1 = f1 * 2.0;
    }
    double f = f1 - 1.0;
    double s = f / (2.0 + f);
    double s2 = s * s;
    double s4 = s2 * s2;
    double t1 = s2 * ((((L7 * s4 + L5) * s4 + L3) * s4) + L1);
    double t2 = s4 * (((L6 * s4 + L4) * s4) + L2);
    double R = t1 + t2;
    double hfsq = 0.5 * f * f;
    return k * LN2HI - ((hfsq - (s * (R + hfsq) + k * LN2LO)) - f);
}

/* ---- Hypot (Go's hypot_amd64.s) --------------------------------------------------------- */
static double go_hypot(double p, double q) {
    p = b2f(f2b(p) & ~SIGN_BIT);
    q = b2f(f2b(q) & ~SIGN_BIT);
    if (isinf(p) || isinf(q)) return INFINITY;
    if (p != p || q != q) return go_nan();
    if (p == 0 && q == 0) return 0.0;
    double big = p, small = q;
    if (!(p >= q)) {
        big = q;
        small = p;
    }
    double t = small / big;
    t = t * t;
    t = t + 1.0;
    return sqrt(t) * big;
}

/* ---- Sin, Cos, Tan (Go's sin.go, tan.go, trig_reduce.go) ---------------------------------- */
static const double PI4A = 7.85398125648498535156e-1, PI4B = 3.77489470793079817668e-8,
                    PI4C = 2.69515142907905952645e-15;
#define FOUR_OVER_PI 0x1.45f306dc9c883p+0
#define GO_PI 0x1.921fb54442d18p+1
#define REDUCE_THRESHOLD 536870912.0 /* 1 << 29 */

static const double SIN_C[6] = {
    1.58962301576546568060e-10,  -2.50507477628578072866e-8, 2.75573136213857245213e-6,
    -1.98412698295895385996e-4, 8.33333333332211858878e-3,  -1.66666666666666307295e-1,
};
static const double COS_C[6] = {
    -1.13585365213876817300e-11, 2.08757008419747316778e-9, -2.75573141792967388112e-7,
    2.48015872888517045348e-5,   -1.38888888888730564116e-3, 4.16666666666665929218e-2,
};
static const uint64_t M_PI4[20] = {
    0x0000000000000001ULL, 0x45F306DC9C882A53ULL, 0xF84EAFA3EA69BB81ULL, 0xB6C52B3278872083ULL,
    0xFCA2C757BD778AC3ULL, 0x6E48DC74849BA5C0ULL, 0x0C925DD413A32439ULL, 0xFC3BD63962534E7DULL,
    0xD1046BEA5D768909ULL, 0xD338E04D68BEFC82ULL, 0x7323AC7306A673E9ULL, 0x3908BF177BF25076ULL,
    0x3FF12FFFBC0B301FULL, 0xDE5E2316B414DA3EULL, 0xDA6CFD9E4F96136EULL, 0x9E8C7ECD3CBFD45AULL,
    0xEA4F758FD7CBE2F6ULL, 0x7A0E73EF14A525D4ULL, 0xD7F6BF623F1ABA10ULL, 0xAC06608DF8F6D757ULL,
};

/* Go's shifts: a count of 64 or more gives 0. */
static inline uint64_t shl(uint64_t x, unsigned n) { return n >= 64 ? 0 : x << n; }
static inline uint64_t shr(uint64_t x, unsigned n) { return n >= 64 ? 0 : x >> n; }

/* Payne-Hanek reduction of x >= 2**29: (octant j, remainder z), as Go's trigReduce. */
static uint64_t trig_reduce(double x, double *z) {
    const double pi4 = GO_PI / 4;
    if (x < pi4) {
        *z = x;
        return 0;
    }
    uint64_t ix = f2b(x);
    int e = (int)((ix >> 52) & 0x7FF) - 1023 - 52;
    ix = (ix & ((1ULL << 52) - 1)) | (1ULL << 52);
    unsigned digit = (unsigned)(e + 61) / 64, bitshift = (unsigned)(e + 61) % 64;
    uint64_t w[3];
    for (unsigned i = 0; i < 3; i++)
        w[i] = shl(M_PI4[digit + i], bitshift) | shr(M_PI4[digit + i + 1], 64 - bitshift);
    unsigned __int128 p2 = (unsigned __int128)w[2] * ix, p1 = (unsigned __int128)w[1] * ix,
                      p0 = (unsigned __int128)w[0] * ix;
    uint64_t z2hi = (uint64_t)(p2 >> 64), z1hi = (uint64_t)(p1 >> 64), z1lo = (uint64_t)p1, z0lo = (uint64_t)p0;
    uint64_t lo = z1lo + z2hi;
    uint64_t carry = lo < z1lo;
    uint64_t hi = z0lo + z1hi + carry;
    uint64_t j = hi >> 61;
    hi = hi << 3 | lo >> 61;
    unsigned lz = hi ? (unsigned)__builtin_clzll(hi) : 64;
    uint64_t ebits = (uint64_t)(1023 - (int)(lz + 1));
    hi = shl(hi, lz + 1) | shr(lo, 64 - (lz + 1));
    hi >>= 64 - 52;
    hi |= ebits << 52;
    double zz = b2f(hi);
    if (j & 1) {
        j = (j + 1) & 7;
        zz = zz - 1.0;
    }
    *z = zz * pi4;
    return j;
}

/* x >= 0 finite: the octant j (masked to 0..7 when mask) and the reduced argument z. */
static uint64_t octant(double x, double *z, bool mask) {
    if (x >= REDUCE_THRESHOLD) return trig_reduce(x, z);
    uint64_t j = (uint64_t)(x * FOUR_OVER_PI); /* truncation */
    double y = (double)j;
    if (j & 1) {
        j += 1;
        y = y + 1.0;
    }
    if (mask) j &= 7;
    *z = ((x - y * PI4A) - y * PI4B) - y * PI4C;
    return j;
}

static double sin_poly(double z, double zz) {
    const double *s = SIN_C;
    return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5]);
}

static double cos_poly(double zz) {
    const double *c = COS_C;
    return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5]);
}

static double go_sin(double x) {
    if (x == 0 || x != x) return x;
    if (isinf(x)) return go_nan();
    bool sign = false;
    if (x < 0) {
        x = -x;
        sign = true;
    }
    double z;
    uint64_t j = octant(x, &z, true);
    if (j > 3) {
        sign = !sign;
        j -= 4;
    }
    double zz = z * z;
    double y = (j == 1 || j == 2) ? cos_poly(zz) : sin_poly(z, zz);
    return sign ? -y : y;
}

static double go_cos(double x) {
    if (x != x || isinf(x)) return go_nan();
    bool sign = false;
    x = b2f(f2b(x) & ~SIGN_BIT);
    double z;
    uint64_t j = octant(x, &z, true);
    if (j > 3) {
        j -= 4;
        sign = !sign;
    }
    if (j > 1) sign = !sign;
    double zz = z * z;
    double y = (j == 1 || j == 2) ? sin_poly(z, zz) : cos_poly(zz);
    return sign ? -y : y;
}

static double go_tan(double x) {
    static const double P0 = -1.30936939181383777646e4, P1 = 1.15351664838587416140e6,
                        P2 = -1.79565251976484877988e7, Q1 = 1.36812963470692954678e4,
                        Q2 = -1.32089234440210967447e6, Q3 = 2.50083801823357915839e7,
                        Q4 = -5.38695755929454629881e7;
    if (x == 0 || x != x) return x;
    if (isinf(x)) return go_nan();
    bool sign = false;
    if (x < 0) {
        x = -x;
        sign = true;
    }
    double z, y;
    uint64_t j = octant(x, &z, false);
    double zz = z * z;
    if (zz > 1e-14)
        y = z + z * (zz * (((P0 * zz) + P1) * zz + P2) / ((((zz + Q1) * zz + Q2) * zz + Q3) * zz + Q4));
    else
        y = z;
    if (j & 2) y = -1 / y; /* IEEE: -1/±0 = ∓Inf */
    return sign ? -y : y;
}

/* ---- Atan2 (Go's atan.go, atan2.go) ------------------------------------------------------- */
static double xatan(double x) {
    static const double P0 = -8.750608600031904122785e-01, P1 = -1.615753718733365076637e+01,
                        P2 = -7.500855792314704667340e+01, P3 = -1.228866684490136173410e+02,
                        P4 = -6.485021904942025371773e+01, Q0 = +2.485846490142306297962e+01,
                        Q1 = +1.650270098316988542046e+02, Q2 = +4.328810604912902668951e+02,
                        Q3 = +4.853903996359136964868e+02, Q4 = +1.945506571482613964425e+02;
    double z = x * x;
    z = z * ((((P0 * z + P1) * z + P2) * z + P3) * z + P4) / (((((z + Q0) * z + Q1) * z + Q2) * z + Q3) * z + Q4);
    return x * z + x;
}

static double satan(double x) {
    static const double MOREBITS = 6.123233995736765886130e-17, TAN3PIO8 = 2.41421356237309504880;
    if (x <= 0.66) return xatan(x);
    if (x > TAN3PIO8) return GO_PI / 2 - xatan(1 / x) + MOREBITS;
    return GO_PI / 4 + xatan((x - 1) / (x + 1)) + 0.5 * MOREBITS;
}

static double go_atan(double x) {
    if (x == 0) return x;
    return x > 0 ? satan(x) : -satan(-x);
}

static double go_atan2(double y, double x) {
    if (y != y || x != x) return go_nan();
    if (y == 0) {
        if (x >= 0 && !signbit(x)) return copysign(0.0, y);
        return copysign(GO_PI, y);
    }
    if (x == 0) return copysign(GO_PI / 2, y);
    if (isinf(x)) {
        if (x > 0) return isinf(y) ? copysign(GO_PI / 4, y) : copysign(0.0, y);
        return isinf(y) ? copysign(0x1.2d97c7f3321d2p+1, y) : copysign(GO_PI, y);
    }
    if (isinf(y)) return copysign(GO_PI / 2, y);
    double q = go_atan(y / x);
    if (x < 0) return q <= 0 ? q + GO_PI : q - GO_PI;
    return q;
}

/* ---- Pow (Go's pow.go) ------------------------------------------------------------------ */
static bool is_odd_int(double x) {
    if (isinf(x)) return false; /* Go's Modf(±Inf) has a NaN fraction */
    double xi;
    double xf = modf(x, &xi);
    if (xf != 0) return false;
    if (!(xi >= -9223372036854775808.0 && xi < 9223372036854775808.0)) return false; /* out of int64: even */
    return ((int64_t)xi & 1) == 1;
}

static double go_pow(double x, double y) {
    if (y == 0 || x == 1) return 1.0;
    if (y == 1) return x;
    if (x != x || y != y) return go_nan();
    if (x == 0) {
        if (y < 0) return is_odd_int(y) ? copysign(INFINITY, x) : INFINITY;
        return is_odd_int(y) ? x : 0.0;
    }
    if (isinf(y)) {
        if (x == -1) return 1.0;
        if ((fabs(x) < 1) == (y > 0)) return 0.0;
        return INFINITY;
    }
    if (isinf(x)) {
        if (x < 0) return go_pow(1 / x, -y); /* Pow(-0, -y) */
        return y < 0 ? 0.0 : INFINITY;
    }
    if (y == 0.5) return go_sqrt(x);
    if (y == -0.5) return 1 / go_sqrt(x);

    double yi;
    double yf = modf(fabs(y), &yi);
    if (yf != 0 && x < 0) return go_nan();
    if (yi >= 9223372036854775808.0) {
        if (x == -1) return 1.0;
        if ((fabs(x) < 1) == (y > 0)) return 0.0;
        return INFINITY;
    }
    double a1 = 1.0;
    int64_t ae = 0;
    if (yf != 0) {
        if (yf > 0.5) {
            yf = yf - 1;
            yi = yi + 1;
        }
        a1 = go_exp(yf * go_log(x));
    }
    int xe_i;
    double x1 = frexp(x, &xe_i);
    int64_t xe = xe_i;
    for (int64_t i = (int64_t)yi; i != 0; i >>= 1) {
        if (xe < -(1 << 12) || xe > (1 << 12)) {
            ae += xe;
            break;
        }
        if ((i & 1) == 1) {
            a1 = a1 * x1;
            ae += xe;
        }
        x1 = x1 * x1;
        xe *= 2; /* Go: xe <<= 1 */
        if (x1 < 0.5) {
            x1 = x1 + x1;
            xe--;
        }
    }
    if (y < 0) {
        a1 = 1 / a1;
        ae = -ae;
    }
    /* ldexp is correctly rounded (into subnormals, to ±Inf on overflow); a1 is within 2**±2000,
     * so clamping the exponent changes nothing */
    if (ae > 100000) ae = 100000;
    if (ae < -100000) ae = -100000;
    return ldexp(a1, (int)ae);
}

/* ---- the externs ---------------------------------------------------------------------------- */
#define F(i) b2f(a[i])
#define UNUSED (void)na, (void)nr

#define EXT_F_F(NAME, EXPR)                                                      \
    int32_t ext_math_##NAME(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) { \
        UNUSED;                                                                  \
        r[0] = f2b(EXPR);                                                        \
        return 0;                                                                \
    }

EXT_F_F(sqrt, go_sqrt(F(0)))
EXT_F_F(floor, int_part(F(0), R_FLOOR))
EXT_F_F(ceil, int_part(F(0), R_CEIL))
EXT_F_F(trunc, int_part(F(0), R_TRUNC))
EXT_F_F(pow, go_pow(F(0), F(1)))
EXT_F_F(exp, go_exp(F(0)))
EXT_F_F(log, go_log(F(0)))
EXT_F_F(sin, go_sin(F(0)))
EXT_F_F(cos, go_cos(F(0)))
EXT_F_F(tan, go_tan(F(0)))
EXT_F_F(atan2, go_atan2(F(0), F(1)))
EXT_F_F(hypot, go_hypot(F(0), F(1)))
EXT_F_F(mod, go_mod(F(0), F(1)))
EXT_F_F(inf, (int64_t)a[0] >= 0 ? INFINITY : -INFINITY)

int32_t ext_math_abs(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    r[0] = a[0] & ~SIGN_BIT;
    return 0;
}

int32_t ext_math_nan(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    (void)a;
    UNUSED;
    r[0] = GO_NAN_BITS;
    return 0;
}

int32_t ext_math_isinf(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    double f = F(0);
    int64_t sign = (int64_t)a[1];
    r[0] = (sign >= 0 && f == INFINITY) || (sign <= 0 && f == -INFINITY);
    return 0;
}

int32_t ext_math_isnan(const uint64_t *a, uint32_t na, uint64_t *r, uint32_t nr) {
    UNUSED;
    r[0] = F(0) != F(0);
    return 0;
}

/* ---- the id table: ids 1..33 in this order (docs/EXTERNS.md); never reorder ----------------- */
static const GoxExternSpec STDLIB[] = {
    {"math.Sqrt", 1, 1, ext_math_sqrt},
    {"math.Floor", 1, 1, ext_math_floor},
    {"math.Ceil", 1, 1, ext_math_ceil},
    {"math.Trunc", 1, 1, ext_math_trunc},
    {"math.Abs", 1, 1, ext_math_abs},
    {"math.Pow", 2, 1, ext_math_pow},
    {"math.Exp", 1, 1, ext_math_exp},
    {"math.Log", 1, 1, ext_math_log},
    {"math.Sin", 1, 1, ext_math_sin},
    {"math.Cos", 1, 1, ext_math_cos},
    {"math.Tan", 1, 1, ext_math_tan},
    {"math.Atan2", 2, 1, ext_math_atan2},
    {"math.Hypot", 2, 1, ext_math_hypot},
    {"math.Mod", 2, 1, ext_math_mod},
    {"math.Inf", 1, 1, ext_math_inf},
    {"math.NaN", 0, 1, ext_math_nan},
    {"math.IsInf", 2, 1, ext_math_isinf},
    {"math.IsNaN", 1, 1, ext_math_isnan},
    {"strings.Index", 2, 1, ext_strings_index},
    {"strings.LastIndex", 2, 1, ext_strings_last_index},
    {"strings.Contains", 2, 1, ext_strings_contains},
    {"strings.HasPrefix", 2, 1, ext_strings_has_prefix},
    {"strings.HasSuffix", 2, 1, ext_strings_has_suffix},
    {"strings.ToUpper", 1, 1, ext_strings_to_upper},
    {"strings.ToLower", 1, 1, ext_strings_to_lower},
    {"strings.Repeat", 2, 1, ext_strings_repeat},
    {"strings.TrimSpace", 1, 1, ext_strings_trim_space},
    {"strings.Count", 2, 1, ext_strings_count},
    {"strings.Replace", 4, 1, ext_strings_replace},
    {"strconv.Itoa", 1, 1, ext_strconv_itoa},
    {"strconv.Atoi", 1, 2, ext_strconv_atoi},
    {"strconv.FormatFloat", 4, 1, ext_strconv_format_float},
    {"strconv.ParseFloat", 2, 2, ext_strconv_parse_float},
};

void stdlib_register(void) {
    for (uint32_t i = 0; i < sizeof STDLIB / sizeof STDLIB[0]; i++) gox_register_extern(i + 1, &STDLIB[i]);
}
