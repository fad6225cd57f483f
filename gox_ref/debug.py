"""Debug output and assertions, formatted as Go's builtin ``print``/``println`` format them.

The format of each kind is the table of docs/decisions.md, "Debug print formats and output"
(objects at their canonical addresses, the same on every backend, so output compares byte for
byte).  Output goes to the runtime's sink (stdout unless the host sets another).
"""

from __future__ import annotations

import struct

from gox_abi.errors import GoxABIError, GoxPanic
from gox_abi.kinds import ValueKind, as_signed, is_ref_kind, normalize, valid_kind
from gox_abi.layout import canonical_ref

from .core import RuntimeCore
from .objects.string import string_bytes

_SIGNED = {ValueKind.INT, ValueKind.INT8, ValueKind.INT16, ValueKind.INT32, ValueKind.INT64}
_UNSIGNED = {ValueKind.UINT, ValueKind.UINT8, ValueKind.UINT16, ValueKind.UINT32, ValueKind.UINT64}


def format_float(v: float) -> str:
    """Go's runtime printfloat: 7 significant digits, ``+d.dddddde+ddd``.

    The digits come from repeated IEEE division and multiplication by 10 exactly as Go's
    runtime does them, so a C implementation with doubles prints the same bytes.
    """
    if v != v:
        return "NaN"
    if v + v == v and v > 0:
        return "+Inf"
    if v + v == v and v < 0:
        return "-Inf"
    n = 7
    sign = "+"
    e = 0
    if v == 0:
        if str(v).startswith("-"):
            sign = "-"
    else:
        if v < 0:
            v = -v
            sign = "-"
        while v >= 10:
            e += 1
            v /= 10
        while v < 1:
            e -= 1
            v *= 10
        h = 5.0
        for _ in range(n):
            h /= 10
        v += h
        if v >= 10:
            e += 1
            v /= 10
    digits = []
    for _ in range(n):
        s = int(v)
        digits.append(chr(s + 48))
        v -= float(s)
        v *= 10
    esign = "+"
    if e < 0:
        e, esign = -e, "-"
    return f"{sign}{digits[0]}.{''.join(digits[1:])}e{esign}{e // 100}{e // 10 % 10}{e % 10}"


def f64_from_bits(bits: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", bits & (2**64 - 1)))[0])


def f32_from_bits(bits: int) -> float:
    return float(struct.unpack("<f", struct.pack("<I", bits & 0xFFFFFFFF))[0])


class DebugOps(RuntimeCore):
    assert_args: list[bytes] | None

    def __init__(self) -> None:
        super().__init__()
        self.assert_args = None

    def format_value(self, val: int, kind: int, fn: str) -> bytes:
        """The bytes ``println`` writes for one value of ``kind`` (without separators)."""
        if not valid_kind(kind):
            raise GoxABIError(f"{fn}: kind={kind} is not a value kind; expected 0..26")
        if kind == ValueKind.NIL:
            return b"nil"
        if kind == ValueKind.BOOL:
            return b"true" if val else b"false"
        if kind in _SIGNED:
            return str(as_signed(normalize(kind, val))).encode()
        if kind in _UNSIGNED:
            return str(normalize(kind, val)).encode()
        if kind == ValueKind.FLOAT64:
            return format_float(f64_from_bits(val)).encode()
        if kind == ValueKind.FLOAT32:
            return format_float(f32_from_bits(val)).encode()
        if kind == ValueKind.FUNC_PTR:
            return f"{val:#x}".encode()
        if kind == ValueKind.INTERFACE:
            raise GoxABIError(
                f"{fn}: an interface takes two slots; print its data with its value kind "
                "(gox_interface_unbox_kind / gox_interface_unbox_data)"
            )
        assert is_ref_kind(kind)
        if val == 0:
            return b"[0/0]0x0" if kind == ValueKind.SLICE else (b"" if kind == ValueKind.STRING else b"0x0")
        obj = self.heap.get_kind(val, ValueKind(kind), fn)
        if kind == ValueKind.STRING:
            return string_bytes(self.heap, val, fn)
        if kind == ValueKind.SLICE:
            arr = self.heap.canonical(obj.slots[0])
            return f"[{obj.slots[2]}/{obj.slots[3]}]{arr:#x}".encode()
        return f"{canonical_ref(obj.num):#x}".encode()

    # -- ABI ----------------------------------------------------------------------------------
    def gox_debug_print(self, val: int, kind: int) -> None:
        """``println(v)``: the value and a newline."""
        self.out.write(self.format_value(val, kind, "gox_debug_print") + b"\n")

    def gox_debug_write(self, val: int, kind: int) -> None:
        """``print(v)``: the value alone."""
        self.out.write(self.format_value(val, kind, "gox_debug_write"))

    def gox_assert_begin(self) -> None:
        if self.assert_args is not None:
            raise GoxABIError("gox_assert_begin: an assertion is already open; expected gox_assert_end first")
        self.assert_args = []

    def gox_assert_arg(self, val: int, kind: int) -> None:
        if self.assert_args is None:
            raise GoxABIError("gox_assert_arg: no assertion is open; expected gox_assert_begin first")
        self.assert_args.append(self.format_value(val, kind, "gox_assert_arg"))

    def gox_assert_end(self, passed: bool) -> None:
        """A failed assertion panics with ``assertion failed`` and its arguments, println style."""
        if self.assert_args is None:
            raise GoxABIError("gox_assert_end: no assertion is open; expected gox_assert_begin first")
        args, self.assert_args = self.assert_args, None
        if not passed:
            detail = b" ".join(args).decode("utf-8", "replace")
            raise GoxPanic("assertion failed" + (f": {detail}" if args else ""))
