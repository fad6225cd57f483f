"""The stdlib externs against golden results computed by real Go (tests/data/stdlib_golden.json).

The golden file is produced by ``tools/gen_stdlib_golden.sh`` (Go 1.19, amd64 with FMA); these
tests need no Go.  Every comparison is bit for bit (floats by their IEEE bits, NaN payloads
included).  Calls go through the real dispatch (``gox_extern_call``) of both backends, the
reference (``RefRuntime``) and the C runtime (``NativeRuntime``, gox_ref_native/src/stdlib_*.c);
many also go through a minimal fake host to show the Python externs only need
``gox_string_read`` and ``gox_rt_string_from_ptr``.  tests/test_native_stdlib.py drives the two
backends side by side on random inputs.
"""

from __future__ import annotations

import json
import math
import struct
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import BACKENDS, Runtime, new_runtime
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_abi.errors import GoxPanic
from gox_abi.externs import ExternSpec
from gox_ref import RefRuntime
from gox_ref.stdlib import STDLIB
from gox_ref.stdlib import strconvlib as C

GOLDEN_PATH = Path(__file__).parent / "data" / "stdlib_golden.json"
U64 = (1 << 64) - 1

EXPECTED_ORDER = [
    "math.Sqrt", "math.Floor", "math.Ceil", "math.Trunc", "math.Abs", "math.Pow", "math.Exp", "math.Log",
    "math.Sin", "math.Cos", "math.Tan", "math.Atan2", "math.Hypot", "math.Mod", "math.Inf", "math.NaN",
    "math.IsInf", "math.IsNaN",
    "strings.Index", "strings.LastIndex", "strings.Contains", "strings.HasPrefix", "strings.HasSuffix",
    "strings.ToUpper", "strings.ToLower", "strings.Repeat", "strings.TrimSpace", "strings.Count", "strings.Replace",
    "strconv.Itoa", "strconv.Atoi", "strconv.FormatFloat", "strconv.ParseFloat",
]  # fmt: skip


@cache
def golden() -> dict[str, Any]:
    with GOLDEN_PATH.open() as f:
        data: dict[str, Any] = json.load(f)
    return data


def f2b(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def b2f(b: int) -> float:
    return float(struct.unpack("<d", struct.pack("<Q", b & U64))[0])


def hx(s: str) -> bytes:
    return bytes.fromhex(s)


class FakeHost:
    """The smallest ExternHost: strings live in a dict."""

    def __init__(self) -> None:
        self.strings: dict[int, bytes] = {}

    def gox_string_read(self, s: int) -> bytes:
        return self.strings[s] if s else b""

    def gox_rt_string_from_ptr(self, data: bytes) -> int:
        if not data:
            return 0
        ref = len(self.strings) + 1
        self.strings[ref] = bytes(data)
        return ref


class Bits:
    """A float argument given by its IEEE bits (any NaN payload)."""

    def __init__(self, bits: int) -> None:
        self.bits = bits & U64

    def __repr__(self) -> str:
        return f"Bits(0x{self.bits:016x})"


class Caller:
    """Calls a stdlib extern by name with Python values, converting to and from slots: through
    a runtime's real dispatch (``gox_extern_call``) or, without one, straight into the extern
    with a ``FakeHost``.

    Floats go in as Python floats or as raw bits (``Bits``); float results come back as bits,
    strings and errors as bytes (None for a nil error)."""

    def __init__(self, rt: Runtime | None) -> None:
        self.rt = rt
        self.fake = FakeHost()
        self.ids: dict[str, int] = {}

    @classmethod
    def on(cls, backend: str) -> Caller:
        """A caller through ``backend``'s runtime, or through the fake host for "fake"."""
        return cls(None if backend == "fake" else new_runtime(backend))

    def close(self) -> None:
        if self.rt is not None and not isinstance(self.rt, RefRuntime):
            self.rt.close()

    def _spec_id(self, name: str) -> tuple[ExternSpec, int]:
        if name not in self.ids:
            self.ids[name] = self.rt.gox_extern_lookup(name.encode()) if self.rt else EXPECTED_ORDER.index(name) + 1
        eid = self.ids[name]
        return STDLIB[eid - 1], eid

    def _mk(self, b: bytes) -> int:
        return int(self.rt.gox_rt_string_from_ptr(b)) if self.rt else self.fake.gox_rt_string_from_ptr(b)

    def _read(self, ref: int) -> bytes:
        if ref == 0:
            return b""
        return bytes(self.rt.gox_string_read(ref)) if self.rt else self.fake.gox_string_read(ref)

    def __call__(self, name: str, *args: Any) -> Any:
        spec, eid = self._spec_id(name)
        if self.rt:
            self.rt.gox_gc_pause()  # keep argument strings alive: they are not rooted
        try:
            slots = []
            for t, v in zip(spec.params, args, strict=True):
                if t == "float":
                    slots.append(v.bits if isinstance(v, Bits) else f2b(v))
                elif t == "string":
                    slots.append(self._mk(v))
                else:
                    slots.append(int(v) & U64)
            rets = self.rt.gox_extern_call(eid, slots, len(spec.results)) if self.rt else list(spec.fn(self.fake, slots))
            out: list[Any] = []
            for t, r in zip(spec.results, rets, strict=True):
                if t == "float":
                    out.append(r)  # float results stay as bits
                elif t == "string":
                    out.append(self._read(r))
                elif t == "error":
                    out.append(None if r == 0 else self._read(r))
                elif t == "bool":
                    assert r in (0, 1)
                    out.append(bool(r))
                else:
                    out.append(r)
            return out[0] if len(out) == 1 else tuple(out)
        finally:
            if self.rt:
                self.rt.gox_gc_resume()


@pytest.fixture(scope="module", params=BACKENDS)
def call(request: pytest.FixtureRequest) -> Iterator[Caller]:
    """Through each backend's dispatch: the reference and the C runtime."""
    c = Caller.on(str(request.param))
    yield c
    c.close()


@pytest.fixture(scope="module", params=[*BACKENDS, "fake"])
def anycall(request: pytest.FixtureRequest) -> Iterator[Caller]:
    """As ``call``, and also straight into the Python externs with the fake host."""
    c = Caller.on(str(request.param))
    yield c
    c.close()


# ---------------------------------------------------------------- the table


def test_table_order_is_the_abi() -> None:
    assert [s.name for s in STDLIB] == EXPECTED_ORDER
    rt = RefRuntime()
    for i, name in enumerate(EXPECTED_ORDER):
        assert rt.gox_extern_lookup(name.encode()) == i + 1
    for spec in STDLIB:
        assert spec.doc
        assert set(spec.params) <= {"int", "float", "bool", "string", "byte"}
        assert set(spec.results) <= {"int", "float", "bool", "string", "error"}


def test_signatures() -> None:
    sig = {s.name: (s.params, s.results) for s in STDLIB}
    assert sig["math.Inf"] == (("int",), ("float",))
    assert sig["math.NaN"] == ((), ("float",))
    assert sig["math.IsInf"] == (("float", "int"), ("bool",))
    assert sig["strings.Repeat"] == (("string", "int"), ("string",))
    assert sig["strings.Replace"] == (("string", "string", "string", "int"), ("string",))
    assert sig["strconv.Atoi"] == (("string",), ("int", "error"))
    assert sig["strconv.FormatFloat"] == (("float", "byte", "int", "int"), ("string",))
    assert sig["strconv.ParseFloat"] == (("string", "int"), ("float", "error"))


# ---------------------------------------------------------------- math

MATH_FUNCS = ["Sqrt", "Floor", "Ceil", "Trunc", "Abs", "Exp", "Log", "Sin", "Cos", "Tan", "Pow", "Atan2", "Hypot", "Mod"]


@pytest.mark.parametrize("fn", MATH_FUNCS)
def test_math_golden(call: Caller, fn: str) -> None:
    rows = golden()["math"][fn]
    assert len(rows) > 700
    bad = []
    for row in rows:
        args = [Bits(int(h, 16)) for h in row[:-1]]
        want = int(row[-1], 16)
        got = call("math." + fn, *args)
        if got != want:
            bad.append((args, hex(want), hex(got)))
    assert not bad, f"{len(bad)} of {len(rows)} differ from Go, first: {bad[:5]}"


def test_math_inf_nan_isinf_isnan(anycall: Caller) -> None:
    g = golden()
    for sign, want in g["math_inf"]:
        assert anycall("math.Inf", sign) == int(want, 16)
    assert anycall("math.NaN") == int(g["math_nan"], 16) == 0x7FF8000000000001
    for xb, sign, isinf, isnan in g["math_isinf_isnan"]:
        x = Bits(int(xb, 16))
        assert anycall("math.IsInf", x, sign) is isinf
        assert anycall("math.IsNaN", x) is isnan


@pytest.mark.parametrize(
    ("fn", "args", "want"),
    [
        ("math.Sqrt", (-1.0,), math.nan),
        ("math.Sqrt", (-0.0,), -0.0),
        ("math.Sqrt", (math.inf,), math.inf),
        ("math.Sqrt", (-math.inf,), math.nan),
        ("math.Floor", (-0.5,), -1.0),
        ("math.Ceil", (-0.5,), -0.0),
        ("math.Trunc", (-0.5,), -0.0),
        ("math.Floor", (math.inf,), math.inf),
        ("math.Mod", (math.inf, 1.0), math.nan),
        ("math.Mod", (1.0, 0.0), math.nan),
        ("math.Mod", (-5.0, math.inf), -5.0),
        ("math.Mod", (-6.0, 3.0), -0.0),
        ("math.Log", (0.0,), -math.inf),
        ("math.Log", (-1.0,), math.nan),
        ("math.Exp", (1000.0,), math.inf),
        ("math.Exp", (-math.inf,), 0.0),
        ("math.Pow", (0.0, -1.0), math.inf),
        ("math.Pow", (-0.0, -3.0), -math.inf),
        ("math.Pow", (-8.0, 1.0 / 3), math.nan),
        ("math.Pow", (-1.0, math.inf), 1.0),
        ("math.Pow", (2.0, 10.0), 1024.0),
        ("math.Atan2", (0.0, -0.0), math.pi),
        ("math.Atan2", (-0.0, -0.0), -math.pi),
        ("math.Hypot", (math.inf, math.nan), math.inf),
        ("math.Hypot", (3.0, 4.0), 5.0),
        ("math.Sin", (-0.0,), -0.0),
        ("math.Tan", (math.inf,), math.nan),
    ],
)
def test_math_special_cases(anycall: Caller, fn: str, args: tuple[float, ...], want: float) -> None:
    got = b2f(anycall(fn, *args))
    if math.isnan(want):
        assert math.isnan(got)
    else:
        assert f2b(got) == f2b(want)


@settings(max_examples=300, deadline=None)
@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(allow_nan=False, allow_infinity=False))
def test_math_mod_is_fmod(x: float, y: float) -> None:
    from gox_ref.stdlib import mathlib

    if y == 0:
        assert math.isnan(mathlib.mod(x, y))
    else:
        assert f2b(mathlib.mod(x, y)) == f2b(math.fmod(x, y))


@settings(max_examples=300, deadline=None)
@given(st.floats(min_value=-700, max_value=700))
def test_math_exp_log_accuracy(x: float) -> None:
    """Go's Exp/Log are not correctly rounded, but they stay within 1 ulp of the true value."""
    from gox_ref.stdlib import mathlib

    e = mathlib.exp(x)
    assert abs(e - math.exp(x)) <= 2 * math.ulp(math.exp(x))
    if x >= 2.2250738585072014e-308:  # Go's amd64 Log ignores subnormals (see docs/EXTERNS.md)
        assert abs(mathlib.log(x) - math.log(x)) <= 2 * math.ulp(math.log(x))


def test_math_log_subnormal_is_go_amd64(call: Caller) -> None:
    """Go's amd64 Log reads the raw exponent field, so subnormal inputs give Go's (inexact) value."""
    x = 2.2250738585e-313
    got = b2f(call("math.Log", x))
    assert got == -709.089555712874  # what Go 1.19 amd64 prints for math.Log(2.2250738585e-313)
    assert abs(got - math.log(x)) > 10


# ---------------------------------------------------------------- strings


def test_strings_unary_golden(anycall: Caller) -> None:
    for s, up, low, trim, cnt in golden()["strings_unary"]:
        b = hx(s)
        assert anycall("strings.ToUpper", b) == hx(up), b
        assert anycall("strings.ToLower", b) == hx(low), b
        assert anycall("strings.TrimSpace", b) == hx(trim), b
        assert anycall("strings.Count", b, b"") == cnt, b


def test_strings_pairs_golden(call: Caller) -> None:
    for s, t, ix, lix, contains, hp, hs, cnt in golden()["strings_pairs"]:
        a, b = hx(s), hx(t)
        assert call("strings.Index", a, b) == ix, (a, b)
        assert call("strings.LastIndex", a, b) == lix, (a, b)
        assert call("strings.Contains", a, b) is contains
        assert call("strings.HasPrefix", a, b) is hp
        assert call("strings.HasSuffix", a, b) is hs
        assert call("strings.Count", a, b) == cnt, (a, b)


def test_strings_replace_golden(call: Caller) -> None:
    for s, old, new, n, want in golden()["strings_replace"]:
        assert call("strings.Replace", hx(s), hx(old), hx(new), n) == hx(want), (s, old, new, n)


def test_strings_repeat_golden(anycall: Caller) -> None:
    for s, n, want in golden()["strings_repeat"]:
        assert anycall("strings.Repeat", hx(s), n) == hx(want)


def test_strings_repeat_panics(anycall: Caller) -> None:
    with pytest.raises(GoxPanic, match=r"^strings: negative Repeat count$"):
        anycall("strings.Repeat", b"ab", -1)
    with pytest.raises(GoxPanic, match=r"^strings: Repeat output length overflow$"):
        anycall("strings.Repeat", b"ab", 1 << 62)
    assert anycall("strings.Repeat", b"", 1 << 62) == b""
    assert anycall("strings.Repeat", b"x", 0) == b""


def test_unicode_case_table_matches_go() -> None:
    from gox_ref.stdlib import stringslib as S

    want = {r: (u, lo) for r, u, lo in golden()["unicode_case"]}
    for r in range(0x110000):
        u, lo = S.to_upper_rune(r), S.to_lower_rune(r)
        assert (u, lo) == want.get(r, (r, r)), hex(r)
    assert [r for r in range(0x110000) if S.is_space(r)] == golden()["unicode_space"]


def _runes(lo: int, hi: int) -> list[int]:
    return [r for r in range(lo, hi) if not 0xD800 <= r <= 0xDFFF]


def test_unicode_case_mapping_golden(call: Caller) -> None:
    """ToUpper/ToLower map rune by rune, so whole blocks of runes are checked per call."""
    want = {r: (u, lo) for r, u, lo in golden()["unicode_case"]}
    for start in range(0x80, 0x110000, 0x2000):
        rs = _runes(start, min(start + 0x2000, 0x110000))
        text = "".join(map(chr, rs)).encode()
        up = "".join(chr(want.get(r, (r, r))[0]) for r in rs).encode()
        low = "".join(chr(want.get(r, (r, r))[1]) for r in rs).encode()
        assert call("strings.ToUpper", text) == up, hex(start)
        assert call("strings.ToLower", text) == low, hex(start)


def test_unicode_space_golden(call: Caller) -> None:
    spaces = set(golden()["unicode_space"])
    for r in _runes(0, 0x3100):
        c = chr(r).encode()
        assert (call("strings.TrimSpace", c + b"x" + c) == b"x") is (r in spaces), hex(r)
    assert max(spaces) < 0x3100


@pytest.mark.parametrize(
    ("fn", "s", "want"),
    [
        ("strings.ToUpper", "straße", "STRAßE"),  # simple mapping: ß stays
        ("strings.ToUpper", "ǆ", "Ǆ"),
        ("strings.ToLower", "İ", "i"),  # simple mapping, not the full "i̇"
        ("strings.ToUpper", "ı", "I"),
        ("strings.ToLower", "Σ", "σ"),
        ("strings.TrimSpace", "\u00a0\u3000 x \u2028", "x"),
    ],
)
def test_strings_known(anycall: Caller, fn: str, s: str, want: str) -> None:
    assert anycall(fn, s.encode()) == want.encode()


def test_strings_invalid_utf8(anycall: Caller) -> None:
    assert anycall("strings.ToUpper", b"a\xffb") == b"A\xef\xbf\xbdB"
    assert anycall("strings.ToUpper", b"AB\xff") == b"AB\xef\xbf\xbd"  # unchanged runes, still rewritten
    assert anycall("strings.Count", b"\xe2\x82", b"") == 3  # a truncated sequence is 2 runes
    assert anycall("strings.Replace", b"\xe2\x82\xac", b"", b"|", -1) == b"|\xe2\x82\xac|"


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=12), st.binary(min_size=1, max_size=3), st.binary(max_size=3))
def test_strings_replace_all_property(s: bytes, old: bytes, new: bytes) -> None:
    from gox_ref.stdlib import stringslib as S

    assert S.replace(s, old, new, -1) == s.replace(old, new)
    assert S.index(s, old) == s.find(old)
    assert S.count(s, old) == s.count(old)


# ---------------------------------------------------------------- strconv


def test_itoa_golden(anycall: Caller) -> None:
    for v, want in golden()["strconv_itoa"]:
        assert anycall("strconv.Itoa", v) == hx(want)


def test_atoi_golden(anycall: Caller) -> None:
    for s, v, err, iserr in golden()["strconv_atoi"]:
        got_v, got_err = anycall("strconv.Atoi", hx(s))
        assert got_v == v, hx(s)
        assert got_err == (hx(err) if iserr else None), hx(s)


def test_atoi_messages(anycall: Caller) -> None:
    assert anycall("strconv.Atoi", b"12a") == (0, b'strconv.Atoi: parsing "12a": invalid syntax')
    assert anycall("strconv.Atoi", b"99999999999999999999") == (
        (1 << 63) - 1,
        b'strconv.Atoi: parsing "99999999999999999999": value out of range',
    )
    assert anycall("strconv.Atoi", b"-99999999999999999999")[0] == 1 << 63  # MinInt64 as u64
    assert anycall("strconv.Atoi", b"\xff\n") == (0, b'strconv.Atoi: parsing "\\xff\\n": invalid syntax')


def _formatfloat_rows() -> Iterator[list[Any]]:
    yield from golden()["strconv_formatfloat"]


def test_formatfloat_golden(call: Caller) -> None:
    rows = list(_formatfloat_rows())
    assert len(rows) > 5000
    bad = []
    for fb, fmt, prec, bits, want in rows:
        got = call("strconv.FormatFloat", Bits(int(fb, 16)), fmt, prec, bits)
        if got != hx(want):
            bad.append((fb, chr(fmt), prec, bits, got, hx(want)))
    assert not bad, f"{len(bad)} of {len(rows)} differ from Go, first: {bad[:5]}"


def test_formatfloat_cases(anycall: Caller) -> None:
    ff = "strconv.FormatFloat"
    assert anycall(ff, 1.5, ord("z"), -1, 64) == b"%z"
    assert anycall(ff, math.nan, ord("z"), 3, 64) == b"NaN"
    assert anycall(ff, -math.inf, ord("g"), -1, 64) == b"-Inf"
    assert anycall(ff, 0.1, ord("g"), -1, 32) == b"0.1"
    assert anycall(ff, 0.1, ord("g"), 20, 64) == b"0.10000000000000000555"
    assert anycall(ff, 1e21, ord("g"), -1, 64) == b"1e+21"
    assert anycall(ff, 2.5, ord("f"), 0, 64) == b"2"
    assert anycall(ff, 1.0, ord("x"), -1, 64) == b"0x1p+00"
    assert anycall(ff, 1.0, ord("b"), -1, 64) == b"4503599627370496p-52"
    with pytest.raises(GoxPanic, match="illegal AppendFloat/FormatFloat bitSize"):
        anycall(ff, 1.0, ord("g"), -1, 16)


def test_parsefloat_golden(call: Caller) -> None:
    rows = golden()["strconv_parsefloat"]
    assert len(rows) > 2000
    bad = []
    for s, bits, want, err in rows:
        got, got_err = call("strconv.ParseFloat", hx(s), bits)
        if got != int(want, 16) or got_err != (hx(err) if err else None):
            bad.append((hx(s)[:60], bits, hex(got), want, got_err, hx(err)))
    assert not bad, f"{len(bad)} of {len(rows)} differ from Go, first: {bad[:5]}"


def test_parsefloat_cases(anycall: Caller) -> None:
    pf = "strconv.ParseFloat"
    assert anycall(pf, b"abc", 64) == (0, b'strconv.ParseFloat: parsing "abc": invalid syntax')
    assert anycall(pf, b"1e400", 64) == (0x7FF0000000000000, b'strconv.ParseFloat: parsing "1e400": value out of range')
    assert anycall(pf, b"-1e39", 32)[0] == 0xFFF0000000000000
    assert anycall(pf, b"0x1p-2", 64) == (f2b(0.25), None)
    assert anycall(pf, b"-Infinity", 64) == (0xFFF0000000000000, None)
    assert anycall(pf, b"1_000", 64) == (f2b(1000.0), None)  # Go accepts '_' between digits
    assert anycall(pf, b"1__0", 64)[1] is not None
    assert anycall(pf, b"0.1", 32) == (f2b(float(struct.unpack("<f", struct.pack("<f", 0.1))[0])), None)


finite64 = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=400, deadline=None)
@given(finite64, st.sampled_from("eEfgGxX"))
def test_formatfloat_shortest_roundtrips(x: float, fmt: str) -> None:
    text = C.format_float(x, ord(fmt), -1, 64)
    v, err = C.parse_float(text, 64)
    assert err is None
    assert f2b(v) == f2b(x)


@settings(max_examples=400, deadline=None)
@given(st.floats(width=32, allow_nan=False, allow_infinity=False))
def test_formatfloat_shortest32_roundtrips(x: float) -> None:
    text = C.format_float(x, ord("g"), -1, 32)
    v, err = C.parse_float(text, 32)
    assert err is None
    assert f2b(v) == f2b(x)
    assert len(text.lstrip(b"-").replace(b".", b"").split(b"e")[0].lstrip(b"0")) <= 9


@settings(max_examples=400, deadline=None)
@given(finite64)
def test_shortest_digits_agree_with_python_repr(x: float) -> None:
    """Python's repr is also shortest-then-closest (David Gay); the digit strings must agree."""
    ours = C.format_float(x, ord("e"), -1, 64)
    want = repr(abs(x)).split("e")[0].replace(".", "").strip("0") or "0"
    got = ours.lstrip(b"-").split(b"e")[0].replace(b".", b"").strip(b"0").decode() or "0"
    assert got == want


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=0, max_value=10**30), st.integers(min_value=-340, max_value=320))
def test_parsefloat_is_correctly_rounded(m: int, e: int) -> None:
    s = f"{m}e{e}"
    v, err = C.parse_float(s.encode(), 64)
    want = float(s)  # CPython's float() is correctly rounded
    assert f2b(v) == f2b(want)
    assert (err is not None) == math.isinf(want)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=-(1 << 63), max_value=(1 << 63) - 1))
def test_itoa_atoi_roundtrip(i: int) -> None:
    assert C.atoi(C.itoa(i)) == (i, None)
