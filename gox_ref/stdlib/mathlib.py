"""The ``math`` externs, bit for bit as Go 1.19 on amd64 computes them.

Each function works on Python floats (IEEE-754 binary64, round-to-nearest-even, no fused
operations unless ``_fma`` is called), so every expression below is one binary64 operation in
the order written: a C port that evaluates the same expressions with ``-ffp-contract=off`` and
C99 ``fma()`` where ``_fma`` is used gets the same bits.  docs/EXTERNS.md restates each algorithm.

- Sqrt, Floor, Ceil, Trunc, Abs, Mod, Inf, NaN, IsInf, IsNaN are exact IEEE operations.
- Exp is Go's amd64 assembly (FMA path, used on every CPU with AVX+FMA), Log is Go's amd64
  assembly, Hypot is Go's amd64 assembly, Sin/Cos/Tan/Atan2/Pow are Go's portable code
  (``src/math/{sin,tan,trig_reduce,atan,atan2,pow}.go``), which amd64 uses.
"""

from __future__ import annotations

import math
import struct
from fractions import Fraction

_SIGN = 1 << 63
_INF_BITS = 0x7FF0000000000000
_NEGINF_BITS = 0xFFF0000000000000
NAN_BITS = 0x7FF8000000000001  # Go's math.NaN()
_HW_NAN_BITS = 0xFFF8000000000000  # the x86 "default NaN" an invalid SSE operation returns

INF = math.inf


def f2b(x: float) -> int:
    """The IEEE-754 binary64 bits of ``x``."""
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def b2f(b: int) -> float:
    """The float whose binary64 bits are ``b`` (taken modulo 2**64)."""
    return float(struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0])


GO_NAN = b2f(NAN_BITS)
_HW_NAN = b2f(_HW_NAN_BITS)


def _fma(a: float, b: float, c: float) -> float:
    """``a*b + c`` with a single rounding (C99 ``fma``); exact via rationals."""
    if not (math.isfinite(a) and math.isfinite(b) and math.isfinite(c)):
        return a * b + c
    exact = Fraction(a) * Fraction(b) + Fraction(c)
    if exact == 0:
        return a * b + c  # the IEEE sign of an exact zero sum
    try:
        return float(exact)  # int/int true division: correctly rounded
    except OverflowError:
        return INF if exact > 0 else -INF


# ---------------------------------------------------------------- exact operations


def sqrt(x: float) -> float:
    if x != x or x == 0 or x == INF:
        return x  # NaN, ±0 and +Inf are returned unchanged
    if x < 0:
        return _HW_NAN  # SQRTSD of a negative number: the default NaN
    return math.sqrt(x)  # correctly rounded


def _int_part(x: float, rounder: str) -> float:
    if x != x or x == 0 or math.isinf(x) or abs(x) >= 4503599627370496.0:
        return x  # NaN, ±0, ±Inf and integers (|x| >= 2**52) are returned unchanged
    if rounder == "floor":
        r = float(math.floor(x))
    elif rounder == "ceil":
        r = float(math.ceil(x))
    else:
        r = float(math.trunc(x))
    return math.copysign(r, x) if r == 0 else r  # a zero result keeps the sign of x


def floor(x: float) -> float:
    return _int_part(x, "floor")


def ceil(x: float) -> float:
    return _int_part(x, "ceil")


def trunc(x: float) -> float:
    return _int_part(x, "trunc")


def fabs(x: float) -> float:
    return b2f(f2b(x) & ~_SIGN)


def mod(x: float, y: float) -> float:
    if y == 0 or math.isinf(x) or x != x or y != y:
        return GO_NAN
    return math.fmod(x, y)  # exact; the result has the sign of x; Mod(x, ±Inf) = x


def inf(sign: int) -> float:
    return INF if sign >= 0 else -INF


def is_inf(f: float, sign: int) -> bool:
    return (sign >= 0 and f == INF) or (sign <= 0 and f == -INF)


# ---------------------------------------------------------------- Exp (amd64 assembly)

_LOG2E = 1.4426950408889634073599246810018920
_LN2U = 0.69314718055966295651160180568695068359375
_LN2L = 0.28235290563031577122588448175013436025525412068e-12
_EXP_OVERFLOW = 7.09782712893384e02
_EXP_C = (
    2.4801587301587301587e-5,
    1.9841269841269841270e-4,
    1.3888888888888888889e-3,
    8.3333333333333333333e-3,
    4.1666666666666666667e-2,
    1.6666666666666666667e-1,
    0.5,
    1.0,
)


def _cvtsd2si32(t: float) -> int:
    """x86 CVTSD2SI (32-bit): round half to even; out of range or NaN gives -2**31."""
    if t != t or not (-2147483648.5 < t < 2147483647.5):
        return -2147483648
    k = round(t)  # Python rounds floats half to even
    if not -2147483648 <= k <= 2147483647:
        return -2147483648
    return k


def exp(x: float) -> float:
    bx = f2b(x)
    if bx & ~_SIGN >= _INF_BITS:
        return 0.0 if bx == _NEGINF_BITS else x  # -Inf -> 0; NaN, +Inf -> x
    if x > _EXP_OVERFLOW:
        return INF
    k = _cvtsd2si32(_LOG2E * x)
    kf = float(k)
    r = _fma(-_LN2U, kf, x)
    r = _fma(-_LN2L, kf, r)
    r = r * 0.0625
    p = _EXP_C[0]
    for c in _EXP_C[1:]:
        p = _fma(p, r, c)
    r = r * p
    for _ in range(3):
        r = r * (r + 2.0)
    r = _fma(r, r + 2.0, 1.0)
    e = k + 0x3FF
    if e <= 0:
        if e < -52:
            return 0.0
        r = r * b2f((e + 0x3FE) << 52)
        e = 1
    elif e >= 0x7FF:
        return INF
    return r * b2f(e << 52)


# ---------------------------------------------------------------- Log (amd64 assembly)

_HSQRT2 = 7.07106781186547524401e-01
_LN2HI = 6.93147180369123816490e-01
_LN2LO = 1.90821492927058770002e-10
_L1 = 6.666666666666735130e-01
_L2 = 3.999999999940941908e-01
_L3 = 2.857142874366239149e-01
_L4 = 2.222219843214978396e-01
_L5 = 1.818357216161805012e-01
_L6 = 1.531383769920937332e-01
_L7 = 1.479819860511658591e-01


def log(x: float) -> float:
    bx = f2b(x)
    if bx & ~_SIGN == 0:
        return -INF
    if bx & _SIGN:
        return GO_NAN  # any negative input, including -NaN
    if bx >= _INF_BITS:
        return x  # +Inf, NaN
    # The raw exponent field is used even for subnormals (Go's amd64 code does not normalize).
    f1 = b2f((bx & 0x000FFFFFFFFFFFFF) | 0x3FE0000000000000)
    k = float(((bx >> 52) & 0x7FF) - 0x3FE)
    if f1 <= _HSQRT2:  # CMPSD not-less-than: HSqrt2 >= f1
        k = k - 1.0
        f1 = f1 * 2.0
    f = f1 - 1.0
    s = f / (2.0 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * ((((_L7 * s4 + _L5) * s4 + _L3) * s4) + _L1)
    t2 = s4 * (((_L6 * s4 + _L4) * s4) + _L2)
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * _LN2HI - ((hfsq - (s * (r + hfsq) + k * _LN2LO)) - f)


# ---------------------------------------------------------------- Hypot (amd64 assembly)


def hypot(p: float, q: float) -> float:
    p, q = fabs(p), fabs(q)
    if math.isinf(p) or math.isinf(q):
        return INF
    if p != p or q != q:
        return GO_NAN
    if p == 0 and q == 0:
        return 0.0
    big, small = (p, q) if p >= q else (q, p)
    t = small / big
    t = t * t
    t = t + 1.0
    return math.sqrt(t) * big


# ---------------------------------------------------------------- Sin, Cos, Tan (sin.go, tan.go)

_PI4A = 7.85398125648498535156e-1
_PI4B = 3.77489470793079817668e-8
_PI4C = 2.69515142907905952645e-15
_FOUR_OVER_PI = float.fromhex("0x1.45f306dc9c883p+0")  # the Go constant 4/Pi rounded once
_PI = float.fromhex("0x1.921fb54442d18p+1")
_REDUCE_THRESHOLD = float(1 << 29)

_SIN = (
    1.58962301576546568060e-10,
    -2.50507477628578072866e-8,
    2.75573136213857245213e-6,
    -1.98412698295895385996e-4,
    8.33333333332211858878e-3,
    -1.66666666666666307295e-1,
)
_COS = (
    -1.13585365213876817300e-11,
    2.08757008419747316778e-9,
    -2.75573141792967388112e-7,
    2.48015872888517045348e-5,
    -1.38888888888730564116e-3,
    4.16666666666665929218e-2,
)
# Bits of 4/pi (Payne-Hanek), as in Go's trig_reduce.go.
_M_PI4 = (
    0x0000000000000001, 0x45F306DC9C882A53, 0xF84EAFA3EA69BB81, 0xB6C52B3278872083,
    0xFCA2C757BD778AC3, 0x6E48DC74849BA5C0, 0x0C925DD413A32439, 0xFC3BD63962534E7D,
    0xD1046BEA5D768909, 0xD338E04D68BEFC82, 0x7323AC7306A673E9, 0x3908BF177BF25076,
    0x3FF12FFFBC0B301F, 0xDE5E2316B414DA3E, 0xDA6CFD9E4F96136E, 0x9E8C7ECD3CBFD45A,
    0xEA4F758FD7CBE2F6, 0x7A0E73EF14A525D4, 0xD7F6BF623F1ABA10, 0xAC06608DF8F6D757,
)  # fmt: skip
_M64 = 0xFFFFFFFFFFFFFFFF


def _trig_reduce(x: float) -> tuple[int, float]:
    """Payne-Hanek reduction for x >= 2**29: (octant j, remainder z) as Go's trigReduce."""
    pi4 = _PI / 4
    if x < pi4:
        return 0, x
    ix = f2b(x)
    e = ((ix >> 52) & 0x7FF) - 1023 - 52
    ix = (ix & ((1 << 52) - 1)) | (1 << 52)
    digit, bitshift = (e + 61) // 64, (e + 61) % 64

    def word(i: int) -> int:
        hi = (_M_PI4[i] << bitshift) & _M64
        lo = _M_PI4[i + 1] >> (64 - bitshift) if bitshift else 0  # Go: x >> 64 == 0
        return hi | lo

    z0, z1, z2 = word(digit), word(digit + 1), word(digit + 2)
    z2hi = (z2 * ix) >> 64
    p1 = z1 * ix
    z1hi, z1lo = p1 >> 64, p1 & _M64
    z0lo = (z0 * ix) & _M64
    s = z1lo + z2hi
    lo, carry = s & _M64, s >> 64
    hi = (z0lo + z1hi + carry) & _M64
    j = hi >> 61
    hi = ((hi << 3) & _M64) | (lo >> 61)
    lz = 64 - hi.bit_length()
    ebits = 1023 - (lz + 1)
    hi = ((hi << (lz + 1)) & _M64) | (lo >> (64 - (lz + 1)))
    hi >>= 64 - 52
    hi |= ebits << 52
    z = b2f(hi)
    if j & 1:
        j = (j + 1) & 7
        z = z - 1.0
    return j, z * pi4


def _octant(x: float) -> tuple[int, float]:
    """x >= 0 finite: (j, z) with z the reduced argument (Go's sin/cos/tan preamble)."""
    if x >= _REDUCE_THRESHOLD:
        return _trig_reduce(x)
    j = int(x * _FOUR_OVER_PI)  # truncation, like uint64(x * (4/Pi))
    y = float(j)
    if j & 1:
        j += 1
        y = y + 1.0
    j &= 7
    z = ((x - y * _PI4A) - y * _PI4B) - y * _PI4C
    return j, z


def _sin_poly(z: float, zz: float) -> float:
    s = _SIN
    return z + z * zz * ((((((s[0] * zz) + s[1]) * zz + s[2]) * zz + s[3]) * zz + s[4]) * zz + s[5])


def _cos_poly(zz: float) -> float:
    c = _COS
    return 1.0 - 0.5 * zz + zz * zz * ((((((c[0] * zz) + c[1]) * zz + c[2]) * zz + c[3]) * zz + c[4]) * zz + c[5])


def sin(x: float) -> float:
    if x == 0 or x != x:
        return x
    if math.isinf(x):
        return GO_NAN
    sign = False
    if x < 0:
        x = -x
        sign = True
    j, z = _octant(x)
    if j > 3:
        sign = not sign
        j -= 4
    zz = z * z
    y = _cos_poly(zz) if j in (1, 2) else _sin_poly(z, zz)
    return -y if sign else y


def cos(x: float) -> float:
    if x != x or math.isinf(x):
        return GO_NAN
    sign = False
    x = fabs(x)
    j, z = _octant(x)
    if j > 3:
        j -= 4
        sign = not sign
    if j > 1:
        sign = not sign
    zz = z * z
    y = _sin_poly(z, zz) if j in (1, 2) else _cos_poly(zz)
    return -y if sign else y


_TANP = (-1.30936939181383777646e4, 1.15351664838587416140e6, -1.79565251976484877988e7)
_TANQ = (
    1.00000000000000000000e0,
    1.36812963470692954678e4,
    -1.32089234440210967447e6,
    2.50083801823357915839e7,
    -5.38695755929454629881e7,
)


def tan(x: float) -> float:
    if x == 0 or x != x:
        return x
    if math.isinf(x):
        return GO_NAN
    sign = False
    if x < 0:
        x = -x
        sign = True
    if x >= _REDUCE_THRESHOLD:
        j, z = _trig_reduce(x)
    else:
        j = int(x * _FOUR_OVER_PI)
        y = float(j)
        if j & 1:
            j += 1
            y = y + 1.0
        z = ((x - y * _PI4A) - y * _PI4B) - y * _PI4C
    zz = z * z
    p, q = _TANP, _TANQ
    if zz > 1e-14:
        y = z + z * (zz * (((p[0] * zz) + p[1]) * zz + p[2]) / ((((zz + q[1]) * zz + q[2]) * zz + q[3]) * zz + q[4]))
    else:
        y = z
    if j & 2:
        y = -1 / y if y != 0 else math.copysign(INF, -y)  # IEEE: -1/±0 = ∓Inf
    return -y if sign else y


# ---------------------------------------------------------------- Atan2 (atan.go, atan2.go)

_P0, _P1, _P2, _P3, _P4 = (
    -8.750608600031904122785e-01,
    -1.615753718733365076637e01,
    -7.500855792314704667340e01,
    -1.228866684490136173410e02,
    -6.485021904942025371773e01,
)
_Q0, _Q1, _Q2, _Q3, _Q4 = (
    2.485846490142306297962e01,
    1.650270098316988542046e02,
    4.328810604912902668951e02,
    4.853903996359136964868e02,
    1.945506571482613964425e02,
)
_MOREBITS = 6.123233995736765886130e-17
_TAN3PIO8 = 2.41421356237309504880
_THREE_PI_4 = float.fromhex("0x1.2d97c7f3321d2p+1")  # the Go constant 3*Pi/4 rounded once


def _xatan(x: float) -> float:
    z = x * x
    z = z * ((((_P0 * z + _P1) * z + _P2) * z + _P3) * z + _P4) / (((((z + _Q0) * z + _Q1) * z + _Q2) * z + _Q3) * z + _Q4)
    return x * z + x


def _satan(x: float) -> float:
    if x <= 0.66:
        return _xatan(x)
    if x > _TAN3PIO8:
        return _PI / 2 - _xatan(1 / x) + _MOREBITS
    return _PI / 4 + _xatan((x - 1) / (x + 1)) + 0.5 * _MOREBITS


def atan(x: float) -> float:
    if x == 0:
        return x
    return _satan(x) if x > 0 else -_satan(-x)


def atan2(y: float, x: float) -> float:
    if y != y or x != x:
        return GO_NAN
    if y == 0:
        if x >= 0 and not math.copysign(1.0, x) < 0:
            return math.copysign(0.0, y)
        return math.copysign(_PI, y)
    if x == 0:
        return math.copysign(_PI / 2, y)
    if math.isinf(x):
        if x > 0:
            return math.copysign(_PI / 4, y) if math.isinf(y) else math.copysign(0.0, y)
        return math.copysign(_THREE_PI_4, y) if math.isinf(y) else math.copysign(_PI, y)
    if math.isinf(y):
        return math.copysign(_PI / 2, y)
    q = atan(y / x)
    if x < 0:
        return q + _PI if q <= 0 else q - _PI
    return q


# ---------------------------------------------------------------- Pow (pow.go)


def _ldexp(frac: float, e: int) -> float:
    try:
        return math.ldexp(frac, e)  # correctly rounded, like Go's Ldexp
    except OverflowError:
        return math.copysign(INF, frac)


def _is_odd_int(x: float) -> bool:
    if math.isinf(x):
        return False  # Go's Modf(±Inf) has a NaN fraction
    xf, xi = math.modf(x)
    if xf != 0:
        return False
    i = int(xi)
    if not -(1 << 63) <= i < (1 << 63):
        return False  # Go's int64() of an out-of-range float is -2**63 on amd64: even
    return i & 1 == 1


def pow(x: float, y: float) -> float:
    if y == 0 or x == 1:
        return 1.0
    if y == 1:
        return x
    if x != x or y != y:
        return GO_NAN
    if x == 0:
        if y < 0:
            return math.copysign(INF, x) if _is_odd_int(y) else INF
        return x if _is_odd_int(y) else 0.0
    if math.isinf(y):
        if x == -1:
            return 1.0
        if (fabs(x) < 1) == (y > 0):
            return 0.0
        return INF
    if math.isinf(x):
        if x < 0:
            return pow(1 / x, -y)  # Pow(-0, -y)
        return 0.0 if y < 0 else INF
    if y == 0.5:
        return sqrt(x)
    if y == -0.5:
        return 1 / sqrt(x)

    yf, yi = math.modf(fabs(y))
    if yf != 0 and x < 0:
        return GO_NAN
    if yi >= 9223372036854775808.0:
        if x == -1:
            return 1.0
        if (fabs(x) < 1) == (y > 0):
            return 0.0
        return INF

    a1 = 1.0
    ae = 0
    if yf != 0:
        if yf > 0.5:
            yf = yf - 1
            yi = yi + 1
        a1 = exp(yf * log(x))

    x1, xe = math.frexp(x)
    i = int(yi)
    while i != 0:
        if xe < -(1 << 12) or xe > (1 << 12):
            ae += xe
            break
        if i & 1 == 1:
            a1 = a1 * x1
            ae += xe
        x1 = x1 * x1
        xe <<= 1
        if x1 < 0.5:
            x1 = x1 + x1
            xe -= 1
        i >>= 1

    if y < 0:
        a1 = 1 / a1
        ae = -ae
    return _ldexp(a1, ae)
