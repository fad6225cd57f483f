"""Go's arithmetic on the program format's values, for the interpreter (``interp.py``).

The rules are docs/PROGRAM_FORMAT.md's ("Expressions" and the conversions after it); the
native backend's copy of each is in ``gox_ref_native/gox_prog.h`` under the same name with
``gx_`` in front (``sdiv`` is ``gx_sdiv``), and the two must agree bit for bit
(``tests/test_native_programs.py``, ``test_integer_and_float_semantics_match``).  Here values
are in the interpreter's Python form (i64 a signed int, u64 an unsigned int, f64 a float);
there they are 64-bit slots, so one C helper may stand for two typed ones here (``gx_shl``:
``shl_i64`` and ``shl_u64``).  Python's own operators differ from Go's where these functions
exist: ``//`` and ``%`` round toward minus infinity, ``<<`` never overflows, float division by
zero raises.
"""

from __future__ import annotations

import math
import operator
import struct
from collections.abc import Callable
from typing import Any

from gox_abi.errors import GoxPanic

M64 = (1 << 64) - 1


def i64(v: int) -> int:
    """v wrapped to int64 (C: the ``(int64_t)`` cast of the slot)."""
    v &= M64
    return v - (1 << 64) if v >> 63 else v


def f64_bits(x: float) -> int:
    """The IEEE bits of a float (C: ``gx_b``)."""
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def f64_from_bits(b: int) -> float:
    """The float of IEEE bits (C: ``gx_f``)."""
    return float(struct.unpack("<d", struct.pack("<Q", b & M64))[0])


def _div_zero() -> GoxPanic:
    return GoxPanic("runtime error: integer divide by zero")


def sdiv(a: int, b: int) -> int:
    """i64 ``a / b``."""
    if b == 0:
        raise _div_zero()
    q = abs(a) // abs(b)
    return i64(-q if (a < 0) != (b < 0) else q)


def srem(a: int, b: int) -> int:
    """i64 ``a % b``."""
    if b == 0:
        raise _div_zero()
    r = abs(a) % abs(b)
    return -r if a < 0 else r


def udiv(a: int, b: int) -> int:
    """u64 ``a / b``."""
    if b == 0:
        raise _div_zero()
    return a // b


def urem(a: int, b: int) -> int:
    """u64 ``a % b``."""
    if b == 0:
        raise _div_zero()
    return a % b


def shift_count(c: int) -> int:
    """A shift count, which must not be negative."""
    if c < 0:
        raise GoxPanic("runtime error: negative shift amount")
    return c


def shl_i64(a: int, c: int) -> int:
    """i64 ``a << c`` (C: ``gx_shl``)."""
    return i64(a << shift_count(c)) if c < 64 else 0


def shl_u64(a: int, c: int) -> int:
    """u64 ``a << c`` (C: ``gx_shl``)."""
    return (a << shift_count(c)) & M64 if c < 64 else 0


def sar(a: int, c: int) -> int:
    """i64 ``a >> c``: arithmetic."""
    return a >> min(shift_count(c), 63)


def shr(a: int, c: int) -> int:
    """u64 ``a >> c``: logical."""
    return a >> shift_count(c) if c < 64 else 0


def fdiv(a: float, b: float) -> float:
    """f64 ``a / b``."""
    if b == 0.0:
        if a == 0.0 or math.isnan(a):
            return math.nan
        neg = (a < 0) != (math.copysign(1.0, b) < 0)
        return -math.inf if neg else math.inf
    return a / b


def f2i(x: float) -> int:
    """``i64(x)`` of a float."""
    if math.isnan(x) or math.isinf(x):
        return -(1 << 63)
    v = int(x)
    return v if -(1 << 63) <= v < (1 << 63) else -(1 << 63)


def f2u(x: float) -> int:
    """``u64(x)`` of a float (a negative one in int64's range wraps, as amd64 converts it)."""
    if math.isnan(x) or math.isinf(x):
        return 1 << 63
    v = int(x)
    return v & M64 if -(1 << 63) <= v < (1 << 64) else 1 << 63


# Binary operators by (operator, operand type); comparisons are COMPARE's.  The C translation
# writes + - * & | ^ &^ inline on uint64_t (wrap-around is C's unsigned arithmetic) and calls
# the gx_ helpers for the rest (compile_c.CCompiler._binop).
ARITH: dict[tuple[str, str], Callable[[Any, Any], Any]] = {
    ("+", "i64"): lambda a, b: i64(a + b),
    ("-", "i64"): lambda a, b: i64(a - b),
    ("*", "i64"): lambda a, b: i64(a * b),
    ("/", "i64"): sdiv,
    ("%", "i64"): srem,
    ("&", "i64"): operator.and_,
    ("|", "i64"): operator.or_,
    ("^", "i64"): operator.xor,
    ("&^", "i64"): lambda a, b: a & ~b,
    ("<<", "i64"): shl_i64,
    (">>", "i64"): sar,
    ("+", "u64"): lambda a, b: (a + b) & M64,
    ("-", "u64"): lambda a, b: (a - b) & M64,
    ("*", "u64"): lambda a, b: (a * b) & M64,
    ("/", "u64"): udiv,
    ("%", "u64"): urem,
    ("&", "u64"): operator.and_,
    ("|", "u64"): operator.or_,
    ("^", "u64"): operator.xor,
    ("&^", "u64"): lambda a, b: a & ~b & M64,
    ("<<", "u64"): shl_u64,
    (">>", "u64"): shr,
    ("+", "f64"): operator.add,
    ("-", "f64"): operator.sub,
    ("*", "f64"): operator.mul,
    ("/", "f64"): fdiv,
}
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
