"""The stdlib externs: ``math``, ``strings`` and ``strconv`` functions with Go's exact results.

``STDLIB`` is the extern table; its ORDER IS THE ABI: the extern id of ``STDLIB[i]`` is
``i + 1`` (docs/EXTERNS.md has the id table).  Append new entries at the end; never reorder.

Slot conventions: ints are two's complement u64, floats are IEEE-754 binary64 bits, bools are
0/1, a byte is its value 0..255 (only the low 8 bits are used), strings are references read and
made through the host (0 is ""), an ``error`` result is a string reference to the message (0
is nil).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gox_abi.externs import ExternHost, ExternSpec

from . import mathlib as M
from . import strconvlib as C
from . import stringslib as S

_U64 = 0xFFFFFFFFFFFFFFFF


def _i64(v: int) -> int:
    v &= _U64
    return v - (1 << 64) if v >> 63 else v


def _u64(v: int) -> int:
    return v & _U64


def _str(host: ExternHost, ref: int) -> bytes:
    return bytes(host.gox_string_read(ref)) if ref else b""


def _mk(host: ExternHost, data: bytes) -> int:
    return host.gox_rt_string_from_ptr(data) if data else 0


def _err(host: ExternHost, msg: bytes | None) -> int:
    return 0 if msg is None else host.gox_rt_string_from_ptr(msg)


_Fn = Callable[[ExternHost, Sequence[int]], Sequence[int]]


def _f_f(fn: Callable[[float], float]) -> _Fn:
    return lambda host, a: [M.f2b(fn(M.b2f(a[0])))]


def _ff_f(fn: Callable[[float, float], float]) -> _Fn:
    return lambda host, a: [M.f2b(fn(M.b2f(a[0]), M.b2f(a[1])))]


def _ss_i(fn: Callable[[bytes, bytes], int]) -> _Fn:
    return lambda host, a: [_u64(fn(_str(host, a[0]), _str(host, a[1])))]


def _ss_b(fn: Callable[[bytes, bytes], bool]) -> _Fn:
    return lambda host, a: [int(fn(_str(host, a[0]), _str(host, a[1])))]


def _s_s(fn: Callable[[bytes], bytes]) -> _Fn:
    return lambda host, a: [_mk(host, fn(_str(host, a[0])))]


def _atoi(host: ExternHost, a: Sequence[int]) -> list[int]:
    v, err = C.atoi(_str(host, a[0]))
    return [_u64(v), _err(host, err)]


def _format_float(host: ExternHost, a: Sequence[int]) -> list[int]:
    return [_mk(host, C.format_float(M.b2f(a[0]), a[1] & 0xFF, _i64(a[2]), _i64(a[3])))]


def _parse_float(host: ExternHost, a: Sequence[int]) -> list[int]:
    v, err = C.parse_float(_str(host, a[0]), _i64(a[1]))
    return [M.f2b(v), _err(host, err)]


_F, _I, _B, _S = "float", "int", "bool", "string"

STDLIB: tuple[ExternSpec, ...] = (
    # ---- math (ids 1..18)
    ExternSpec("math.Sqrt", (_F,), (_F,), _f_f(M.sqrt), "square root; NaN for x < 0, ±0 and +Inf unchanged"),
    ExternSpec("math.Floor", (_F,), (_F,), _f_f(M.floor), "greatest integer value <= x"),
    ExternSpec("math.Ceil", (_F,), (_F,), _f_f(M.ceil), "least integer value >= x"),
    ExternSpec("math.Trunc", (_F,), (_F,), _f_f(M.trunc), "integer value of x, rounded toward zero"),
    ExternSpec("math.Abs", (_F,), (_F,), _f_f(M.fabs), "absolute value (clears the sign bit)"),
    ExternSpec("math.Pow", (_F, _F), (_F,), _ff_f(M.pow), "x**y (Go's pow.go)"),
    ExternSpec("math.Exp", (_F,), (_F,), _f_f(M.exp), "e**x (Go's amd64 FMA assembly)"),
    ExternSpec("math.Log", (_F,), (_F,), _f_f(M.log), "natural logarithm (Go's amd64 assembly)"),
    ExternSpec("math.Sin", (_F,), (_F,), _f_f(M.sin), "sine of a radian argument (Go's sin.go)"),
    ExternSpec("math.Cos", (_F,), (_F,), _f_f(M.cos), "cosine of a radian argument (Go's sin.go)"),
    ExternSpec("math.Tan", (_F,), (_F,), _f_f(M.tan), "tangent of a radian argument (Go's tan.go)"),
    ExternSpec("math.Atan2", (_F, _F), (_F,), _ff_f(M.atan2), "arc tangent of y/x, quadrant by signs"),
    ExternSpec("math.Hypot", (_F, _F), (_F,), _ff_f(M.hypot), "sqrt(p*p + q*q) without undue overflow"),
    ExternSpec("math.Mod", (_F, _F), (_F,), _ff_f(M.mod), "exact remainder of x/y, sign of x"),
    ExternSpec("math.Inf", (_I,), (_F,), lambda h, a: [M.f2b(M.inf(_i64(a[0])))], "+Inf if sign >= 0 else -Inf"),
    ExternSpec("math.NaN", (), (_F,), lambda h, a: [M.NAN_BITS], "Go's NaN, bits 0x7FF8000000000001"),
    ExternSpec(
        "math.IsInf", (_F, _I), (_B,), lambda h, a: [int(M.is_inf(M.b2f(a[0]), _i64(a[1])))],
        "f is +Inf (sign > 0), -Inf (sign < 0) or either (sign == 0)",
    ),
    ExternSpec("math.IsNaN", (_F,), (_B,), lambda h, a: [int(M.b2f(a[0]) != M.b2f(a[0]))], "f is a NaN"),
    # ---- strings (ids 19..29)
    ExternSpec("strings.Index", (_S, _S), (_I,), _ss_i(S.index), "byte index of the first substr, or -1"),
    ExternSpec("strings.LastIndex", (_S, _S), (_I,), _ss_i(S.last_index), "byte index of the last substr, or -1"),
    ExternSpec("strings.Contains", (_S, _S), (_B,), _ss_b(S.contains), "substr is within s"),
    ExternSpec("strings.HasPrefix", (_S, _S), (_B,), _ss_b(S.has_prefix), "s begins with prefix"),
    ExternSpec("strings.HasSuffix", (_S, _S), (_B,), _ss_b(S.has_suffix), "s ends with suffix"),
    ExternSpec("strings.ToUpper", (_S,), (_S,), _s_s(S.to_upper), "simple Unicode upper case mapping per rune"),
    ExternSpec("strings.ToLower", (_S,), (_S,), _s_s(S.to_lower), "simple Unicode lower case mapping per rune"),
    ExternSpec(
        "strings.Repeat", (_S, _I), (_S,), lambda h, a: [_mk(h, S.repeat(_str(h, a[0]), _i64(a[1])))],
        "count copies of s; panics if count < 0 or the length overflows",
    ),
    ExternSpec("strings.TrimSpace", (_S,), (_S,), _s_s(S.trim_space), "s without leading/trailing unicode.IsSpace"),
    ExternSpec("strings.Count", (_S, _S), (_I,), _ss_i(S.count), "non-overlapping substr count; runes+1 for \"\""),
    ExternSpec(
        "strings.Replace", (_S, _S, _S, _I), (_S,),
        lambda h, a: [_mk(h, S.replace(_str(h, a[0]), _str(h, a[1]), _str(h, a[2]), _i64(a[3])))],
        "first n (all if n < 0) non-overlapping old replaced by new",
    ),
    # ---- strconv (ids 30..33)
    ExternSpec("strconv.Itoa", (_I,), (_S,), lambda h, a: [_mk(h, C.itoa(_i64(a[0])))], "decimal text of i"),
    ExternSpec("strconv.Atoi", (_S,), (_I, "error"), _atoi, "ParseInt(s, 10, 0) with Go's errors"),
    ExternSpec(
        "strconv.FormatFloat", (_F, "byte", _I, _I), (_S,), _format_float,
        "f in format fmt ('b','e','E','f','g','G','x','X') with prec (-1: shortest) for bitSize 32/64",
    ),
    ExternSpec(
        "strconv.ParseFloat", (_S, _I), (_F, "error"), _parse_float,
        "correctly rounded decimal/hex float parse for bitSize 32/64, with Go's errors",
    ),
)  # fmt: skip
