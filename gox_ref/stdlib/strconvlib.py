"""The ``strconv`` externs (Itoa, Atoi, FormatFloat, ParseFloat) with Go's exact results.

Decimal <-> binary conversions are done exactly (Python ints), so every result is the
correctly rounded one (round half to even), which is what Go produces; Go's text layout
(``fmtE``, ``fmtF``, ``%g`` selection, ``fmtB``, ``fmtX``) is restated on top of a
(digits, decimal point) pair.  docs/EXTERNS.md gives the algorithms.
"""

from __future__ import annotations

import math
import struct
from bisect import bisect_right
from dataclasses import dataclass

from gox_abi.errors import GoxPanic
from gox_abi.layout import GO_MAX_ALLOC
from gox_abi.unicode_tables import PRINT_RANGES

from ..objects.string import decode_rune, encode_rune

MAX_INT64 = (1 << 63) - 1
MIN_INT64 = -(1 << 63)

# ------------------------------------------------------------------ Quote (for error texts)

_PRINT_LO = [lo for lo, _ in PRINT_RANGES]


def is_print(r: int) -> bool:
    """Go's strconv.IsPrint."""
    k = bisect_right(_PRINT_LO, r) - 1
    return k >= 0 and r <= PRINT_RANGES[k][1]


_ESC = {0x07: b"\\a", 0x08: b"\\b", 0x0C: b"\\f", 0x0A: b"\\n", 0x0D: b"\\r", 0x09: b"\\t", 0x0B: b"\\v"}


def quote(s: bytes) -> bytes:
    """Go's strconv.Quote."""
    out = bytearray(b'"')
    i = 0
    while i < len(s):
        r, w = decode_rune(s, i)
        if w == 1 and r == 0xFFFD:
            out += b"\\x%02x" % s[i]
        elif r in (0x22, 0x5C):
            out += b"\\" + bytes([r])
        elif is_print(r):
            out += encode_rune(r)
        elif r in _ESC:
            out += _ESC[r]
        elif r < 0x20 or r == 0x7F:
            out += b"\\x%02x" % r
        elif r < 0x10000:
            out += b"\\u%04x" % r
        else:
            out += b"\\U%08x" % r
        i += w
    out += b'"'
    return bytes(out)


def _num_error(fn: str, s: bytes, what: str) -> bytes:
    return b"strconv." + fn.encode() + b": parsing " + quote(s) + b": " + what.encode()


# ------------------------------------------------------------------ Itoa, Atoi


def itoa(i: int) -> bytes:
    return str(i).encode()


def atoi(s: bytes) -> tuple[int, bytes | None]:
    """strconv.Atoi: (value, error message or None)."""
    if 0 < len(s) < 19:  # Go's fast path: no overflow possible
        body = s[1:] if s[0] in b"+-" else s
        if not body or any(not 0x30 <= c <= 0x39 for c in body):
            return 0, _num_error("Atoi", s, "invalid syntax")
        n = int(body)
        return (-n if s[0] == 0x2D else n), None
    # ParseInt(s, 10, 0): sign, then ParseUint's left-to-right scan; the first overflow wins.
    if not s:
        return 0, _num_error("Atoi", s, "invalid syntax")
    neg = s[0] == 0x2D
    body = s[1:] if s[0] in b"+-" else s
    if not body:
        return 0, _num_error("Atoi", s, "invalid syntax")
    n = 0
    overflow = False
    for c in body:
        if not 0x30 <= c <= 0x39:
            return 0, _num_error("Atoi", s, "invalid syntax")
        n = n * 10 + (c - 0x30)
        if n > 0xFFFFFFFFFFFFFFFF:
            overflow = True
            break
    if overflow or (not neg and n > MAX_INT64) or (neg and n > 1 << 63):
        return (MIN_INT64 if neg else MAX_INT64), _num_error("Atoi", s, "value out of range")
    return (-n if neg else n), None


# ------------------------------------------------------------------ float formats


@dataclass(frozen=True)
class FloatInfo:
    mantbits: int
    expbits: int
    bias: int  # Go's floatInfo.bias (-1023 or -127)


F64 = FloatInfo(52, 11, -1023)
F32 = FloatInfo(23, 8, -127)


def f2b(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def b2f(b: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", b & 0xFFFFFFFFFFFFFFFF))[0])


def to_float32(x: float) -> float:
    """float32(x) (round to nearest even, overflow to ±Inf), returned as the exact float64."""
    if x != x:
        # CVTSD2SS keeps the top payload bits and sets the quiet bit.
        b = f2b(x)
        b32 = ((b >> 32) & 0x80000000) | 0x7FC00000 | ((b >> 29) & 0x003FFFFF)
        return float(struct.unpack("<f", struct.pack("<I", b32))[0])
    try:
        return float(struct.unpack("<f", struct.pack("<f", x))[0])
    except OverflowError:
        return math.copysign(math.inf, x)


def float32_bits(x: float) -> int:
    return int(struct.unpack("<I", struct.pack("<f", x))[0])


def round_ratio(num: int, den: int, flt: FloatInfo) -> tuple[float, bool]:
    """num/den (num >= 0, den > 0) correctly rounded (half even) to ``flt``; (value, overflow)."""
    if num == 0:
        return 0.0, False
    prec = flt.mantbits + 1
    emin = flt.bias + 1  # exponent of the smallest normal: -1022 or -126
    emax = -flt.bias  # exponent of the largest finite: 1023 or 127
    e = num.bit_length() - den.bit_length()
    if (num << -e if e < 0 else num) < (den << e if e > 0 else den):
        e -= 1  # now 2**e <= num/den < 2**(e+1)
    q = max(e, emin) - (prec - 1)  # the exponent of one ulp
    n, d = (num << -q, den) if q <= 0 else (num, den << q)
    m, rem = divmod(n, d)
    if 2 * rem > d or (2 * rem == d and m & 1):
        m += 1
    if m.bit_length() + q > emax + 1:
        return math.inf, True
    return math.ldexp(m, q), False


# ------------------------------------------------------------------ shortest digits


def _shortest_digits(mant: int, exp: int, flt: FloatInfo) -> tuple[str, int]:
    """The shortest decimal that rounds back to mant*2**(exp-mantbits), closest if several.

    The rounding interval is Go's (ftoaryu.go computeBounds): half-way to the neighbours,
    with a lower neighbour half as far at the bottom of a binade, boundaries included iff
    mant is even.  Returns (digits without trailing zeros, decimal point position dp):
    value = 0.digits * 10**dp.
    """
    e2 = exp - flt.mantbits
    if mant != 1 << flt.mantbits or exp == flt.bias + 1:
        lo_n, c_n, hi_n, sh = 2 * mant - 1, 2 * mant, 2 * mant + 1, e2 - 1
    else:
        lo_n, c_n, hi_n, sh = 4 * mant - 1, 4 * mant, 4 * mant + 2, e2 - 2
    inclusive = mant % 2 == 0
    # Values are x_n * 2**sh; use a common denominator.
    if sh >= 0:
        lo, c, hi, den = lo_n << sh, c_n << sh, hi_n << sh, 1
    else:
        lo, c, hi, den = lo_n, c_n, hi_n, 1 << -sh
    # k: 10**k <= c/den < 10**(k+1)
    k = len(str(c // den)) - 1 if c >= den else -len(str(den // c))
    while True:
        p10 = 10**k
        if c * (1 if k >= 0 else 10**-k) < den * (p10 if k >= 0 else 1):
            k -= 1
        elif c * (1 if k + 1 >= 0 else 10 ** -(k + 1)) >= den * (10 ** (k + 1) if k + 1 >= 0 else 1):
            k += 1
        else:
            break
    for nd in range(1, 30):
        s = k - nd + 1  # candidates are n * 10**s
        if s >= 0:
            sd = den * 10**s
            a, b, cc = lo, hi, c
        else:
            sd = den
            f = 10**-s
            a, b, cc = lo * f, hi * f, c * f
        nlo = -(-a // sd)
        if inclusive is False and nlo * sd == a:
            nlo += 1
        nhi = b // sd
        if not inclusive and nhi * sd == b:
            nhi -= 1
        if nlo > nhi:
            continue
        n, rem = divmod(cc, sd)
        if 2 * rem > sd or (2 * rem == sd and n & 1):
            n += 1
        n = min(max(n, nlo), nhi)
        digits = str(n)
        dp = len(digits) + s
        return digits.rstrip("0"), dp
    raise AssertionError("unreachable: 17 digits always suffice")


def _fixed_digits(x: float, ndigits: int) -> tuple[str, int]:
    """|x| correctly rounded (half even) to ndigits >= 1 significant digits."""
    if x == 0:
        return "", 0
    text = f"{abs(x):.{ndigits - 1}e}"
    mant, _, ex = text.partition("e")
    digits = mant.replace(".", "").rstrip("0")
    return digits, int(ex) + 1


def _f_digits(x: float, prec: int) -> tuple[str, int]:
    """|x| correctly rounded (half even) to prec digits after the point, as (digits, dp)."""
    if x == 0:
        return "", 0
    text = f"{abs(x):.{prec}f}"
    ip, _, fp = text.partition(".")
    ip = ip.lstrip("0")
    if ip:
        return (ip + fp).rstrip("0"), len(ip)
    stripped = fp.lstrip("0")
    if not stripped:
        return "", 0
    return stripped.rstrip("0"), -(len(fp) - len(stripped))


def _fmt_e(neg: bool, d: str, dp: int, prec: int, fmt: int) -> bytes:
    out = bytearray(b"-" if neg else b"")
    out += (d[0] if d else "0").encode()
    if prec > 0:
        out += b"."
        frac = d[1 : prec + 1]
        out += frac.encode() + b"0" * (prec - len(frac))
    out.append(fmt)
    e = 0 if not d else dp - 1
    out += b"-" if e < 0 else b"+"
    e = abs(e)
    out += (b"%02d" % e) if e < 100 else (b"%d" % e)
    return bytes(out)


def _fmt_f(neg: bool, d: str, dp: int, prec: int) -> bytes:
    out = bytearray(b"-" if neg else b"")
    if dp > 0:
        ip = d[:dp]
        out += ip.encode() + b"0" * (dp - len(ip))
    else:
        out += b"0"
    if prec > 0:
        out += b"."
        for i in range(prec):
            j = dp + i
            out += d[j].encode() if 0 <= j < len(d) else b"0"
    return bytes(out)


def _fmt_b(neg: bool, mant: int, exp: int, flt: FloatInfo) -> bytes:
    e = exp - flt.mantbits
    return (b"-" if neg else b"") + b"%dp" % mant + (b"+" if e >= 0 else b"") + b"%d" % e


def _fmt_x(prec: int, fmt: int, neg: bool, mant: int, exp: int, flt: FloatInfo) -> bytes:
    m64 = 0xFFFFFFFFFFFFFFFF
    if mant == 0:
        exp = 0
    mant <<= 60 - flt.mantbits
    while mant != 0 and mant & (1 << 60) == 0:
        mant <<= 1
        exp -= 1
    if 0 <= prec < 15:
        shift = prec * 4
        extra = (mant << shift) & ((1 << 60) - 1)
        mant >>= 60 - shift
        if extra | (mant & 1) > 1 << 59:
            mant += 1
        mant <<= 60 - shift
        if mant & (1 << 61):
            mant >>= 1
            exp += 1
    hexd = "0123456789ABCDEF" if fmt == ord("X") else "0123456789abcdef"
    out = bytearray(b"-" if neg else b"")
    out += b"0" + bytes([fmt]) + bytes([0x30 + ((mant >> 60) & 1)])
    mant = (mant << 4) & m64
    if prec < 0 and mant != 0:
        out += b"."
        while mant != 0:
            out += hexd[(mant >> 60) & 15].encode()
            mant = (mant << 4) & m64
    elif prec > 0:
        if prec > GO_MAX_ALLOC:  # no string can hold the result (stdlib_strconv.c fmt_x)
            raise MemoryError
        out += b"."
        for _ in range(min(prec, 16)):  # (16 hex digits empty the 64-bit mantissa: zeros follow)
            out += hexd[(mant >> 60) & 15].encode()
            mant = (mant << 4) & m64
        out += b"0" * (prec - min(prec, 16))
    out += b"P" if fmt == ord("X") else b"p"
    out += b"-" if exp < 0 else b"+"
    exp = abs(exp)
    out += (b"%02d" % exp) if exp < 100 else (b"%d" % exp)
    return bytes(out)


HUGE_PREC = 1 << 20  # (stdlib_strconv.c's: an output this long is sized before it is built)


def format_float(val: float, fmt: int, prec: int, bit_size: int) -> bytes:
    """strconv.FormatFloat(val, fmt, prec, bitSize).  A result Python refuses to format (a
    precision past its C int) is out of memory, as Go's would be."""
    try:
        return _format_float(val, fmt, prec, bit_size)
    except ValueError:  # "precision too big"
        if prec > HUGE_PREC:
            raise MemoryError from None
        raise


def _format_float(val: float, fmt: int, prec: int, bit_size: int) -> bytes:
    if bit_size == 32:
        val = to_float32(val)
        bits, flt = float32_bits(val), F32
    elif bit_size == 64:
        bits, flt = f2b(val), F64
    else:
        raise GoxPanic("strconv: illegal AppendFloat/FormatFloat bitSize")
    neg = bits >> (flt.expbits + flt.mantbits) != 0
    exp = (bits >> flt.mantbits) & ((1 << flt.expbits) - 1)
    mant = bits & ((1 << flt.mantbits) - 1)
    if exp == (1 << flt.expbits) - 1:
        return b"NaN" if mant != 0 else b"-Inf" if neg else b"+Inf"
    if exp == 0:
        exp += 1
    else:
        mant |= 1 << flt.mantbits
    exp += flt.bias
    if fmt == ord("b"):
        return _fmt_b(neg, mant, exp, flt)
    if fmt in (ord("x"), ord("X")):
        return _fmt_x(prec, fmt, neg, mant, exp, flt)

    shortest = prec < 0
    x = abs(val)
    if shortest:
        d, dp = _shortest_digits(mant, exp, flt) if mant != 0 else ("", 0)
        if fmt in (ord("e"), ord("E")):
            prec = max(len(d) - 1, 0)
        elif fmt == ord("f"):
            prec = max(len(d) - dp, 0)
        elif fmt in (ord("g"), ord("G")):
            prec = len(d)
    elif fmt in (ord("e"), ord("E")):
        d, dp = _fixed_digits(x, prec + 1)
    elif fmt == ord("f"):
        d, dp = _f_digits(x, prec)
    elif fmt in (ord("g"), ord("G")):
        if prec == 0:
            prec = 1
        d, dp = _fixed_digits(x, prec)
    else:
        return b"%" + bytes([fmt])

    if fmt in (ord("e"), ord("E")):
        return _fmt_e(neg, d, dp, prec, fmt)
    if fmt == ord("f"):
        return _fmt_f(neg, d, dp, prec)
    if fmt in (ord("g"), ord("G")):
        nd = len(d)
        eprec = prec
        if eprec > nd and nd >= dp:
            eprec = nd
        if shortest:
            eprec = 6
        e = dp - 1
        if e < -4 or e >= eprec:
            if prec > nd:
                prec = nd
            return _fmt_e(neg, d, dp, prec - 1, fmt + ord("e") - ord("g"))
        if prec > dp:
            prec = nd
        return _fmt_f(neg, d, dp, max(prec - dp, 0))
    return b"%" + bytes([fmt])


# ------------------------------------------------------------------ ParseFloat


def _lower(c: int) -> int:
    return c | 0x20


def _common_prefix_len_ignore_case(s: bytes, prefix: bytes) -> int:
    n = min(len(s), len(prefix))
    for i in range(n):
        c = s[i]
        if 0x41 <= c <= 0x5A:
            c += 0x20
        if c != prefix[i]:
            return i
    return n


def _special(s: bytes) -> tuple[float, int] | None:
    if not s:
        return None
    sign, nsign = 1.0, 0
    c = s[0]
    if c in b"+-":
        if c == 0x2D:
            sign = -1.0
        nsign = 1
        s = s[1:]
        c = 0x69  # fall through to the "inf" case
    if c in b"iI":
        n = _common_prefix_len_ignore_case(s, b"infinity")
        if 3 < n < 8:
            n = 3
        if n in (3, 8):
            return sign * math.inf, nsign + n
    elif c in b"nN" and _common_prefix_len_ignore_case(s, b"nan") == 3:
        return b2f(0x7FF8000000000001), 3
    return None


def _underscore_ok(s: bytes) -> bool:
    saw = "^"
    i = 0
    if len(s) >= 1 and s[0] in b"+-":
        s = s[1:]
    hexa = False
    if len(s) >= 2 and s[0] == 0x30 and _lower(s[1]) in b"box":
        i = 2
        saw = "0"
        hexa = _lower(s[1]) == ord("x")
    while i < len(s):
        c = s[i]
        if 0x30 <= c <= 0x39 or (hexa and 0x61 <= _lower(c) <= 0x66):
            saw = "0"
        elif c == 0x5F:
            if saw != "0":
                return False
            saw = "_"
        else:
            if saw == "_":
                return False
            saw = "!"
        i += 1
    return saw != "_"


@dataclass
class _Read:
    n: int  # bytes consumed
    neg: bool
    hexa: bool
    mant: int  # all significant digits, exactly
    nd: int  # number of significant digits
    dp: int  # decimal (or hex digit) point position, after the exponent was applied


def _read_float(s: bytes) -> _Read | None:
    """Go's readFloat syntax, keeping every digit (value = mant * base**(dp - nd))."""
    i = 0
    underscores = False
    if i >= len(s):
        return None
    neg = False
    if s[i] == 0x2B:
        i += 1
    elif s[i] == 0x2D:
        neg = True
        i += 1
    base = 10
    exp_char = ord("e")
    hexa = False
    if i + 2 < len(s) and s[i] == 0x30 and _lower(s[i + 1]) == ord("x"):
        base, exp_char, hexa = 16, ord("p"), True
        i += 2
    sawdot = sawdigits = False
    nd = dp = 0
    mant = 0
    while i < len(s):
        c = s[i]
        if c == 0x5F:
            underscores = True
        elif c == 0x2E:
            if sawdot:
                break
            sawdot = True
            dp = nd
        elif 0x30 <= c <= 0x39:
            sawdigits = True
            if c == 0x30 and nd == 0:
                dp -= 1
            else:
                nd += 1
                mant = mant * base + (c - 0x30)
        elif base == 16 and 0x61 <= _lower(c) <= 0x66:
            sawdigits = True
            nd += 1
            mant = mant * 16 + (_lower(c) - 0x61 + 10)
        else:
            break
        i += 1
    if not sawdigits:
        return None
    if not sawdot:
        dp = nd
    if hexa:
        dp *= 4
        nd *= 4
    if i < len(s) and _lower(s[i]) == exp_char:
        i += 1
        if i >= len(s):
            return None
        esign = 1
        if s[i] == 0x2B:
            i += 1
        elif s[i] == 0x2D:
            i += 1
            esign = -1
        if i >= len(s) or not 0x30 <= s[i] <= 0x39:
            return None
        e = 0
        while i < len(s) and (0x30 <= s[i] <= 0x39 or s[i] == 0x5F):
            if s[i] == 0x5F:
                underscores = True
            elif e < 10000:
                e = e * 10 + (s[i] - 0x30)
            i += 1
        dp += e * esign
    elif hexa:
        return None
    if underscores and not _underscore_ok(s[:i]):
        return None
    return _Read(i, neg, hexa, mant, nd, dp)


def parse_float(s: bytes, bit_size: int) -> tuple[float, bytes | None]:
    """strconv.ParseFloat(s, bitSize): (value, error message or None)."""
    flt = F32 if bit_size == 32 else F64
    syntax = (0.0, _num_error("ParseFloat", s, "invalid syntax"))
    sp = _special(s)
    if sp is not None:
        val, n = sp
        if n != len(s):
            return syntax
        return (to_float32(val) if flt is F32 else val), None
    rd = _read_float(s)
    if rd is None or rd.n != len(s):
        return syntax
    sign = -1.0 if rd.neg else 1.0
    if rd.mant == 0:
        return sign * 0.0, None
    if rd.hexa:
        e2 = rd.dp - rd.nd  # value = mant * 2**e2
        if e2 >= 0:
            val, ovf = round_ratio(rd.mant << e2, 1, flt)
        else:
            val, ovf = round_ratio(rd.mant, 1 << -e2, flt)
    elif rd.dp > 310:
        val, ovf = math.inf, True
    elif rd.dp < -330:
        val, ovf = 0.0, False
    else:
        e10 = rd.dp - rd.nd
        if e10 >= 0:
            val, ovf = round_ratio(rd.mant * 10**e10, 1, flt)
        else:
            val, ovf = round_ratio(rd.mant, 10**-e10, flt)
    if ovf:
        return sign * math.inf, _num_error("ParseFloat", s, "value out of range")
    return sign * val, None
