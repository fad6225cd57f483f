"""The native stdlib externs (gox_ref_native/src/stdlib_*.c) against the reference.

The golden cases of ``tests/data/stdlib_golden.json`` (results real Go computed) run on both
backends in tests/test_stdlib.py.  Here: the extern table (ids, arity errors, replacement by a
user extern); then hypothesis drives the native runtime and ``RefRuntime`` side by side on
random inputs (raw double bit patterns, byte strings with invalid UTF-8, FormatFloat
format/precision/bitSize combinations, ParseFloat and Atoi texts) and compares results, errors
(class and message) and the collector's counters (so both allocate the same objects).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from test_stdlib import EXPECTED_ORDER, U64, Bits, Caller, b2f, f2b

from gox_abi.externs import ExternHost, ExternSpec
from gox_ref import GoxABIError, GoxError, GoxFatal, GoxPanic, RefRuntime
from gox_ref.stdlib import STDLIB
from gox_ref.stdlib.strconvlib import to_float32

native = pytest.importorskip("gox_ref_native")
from gox_ref_native import NativeRuntime, gen_unicode_tables  # noqa: E402

SPECS = {s.name: s for s in STDLIB}


@pytest.fixture(scope="module")
def nat() -> Iterator[Caller]:
    c = Caller.on("native")
    yield c
    c.close()


# ---------------------------------------------------------------- the table


def test_stdlib_is_preregistered_with_the_reference_ids() -> None:
    rt, ref = NativeRuntime(), RefRuntime()
    for i, spec in enumerate(STDLIB):
        assert rt.gox_extern_lookup(spec.name.encode()) == ref.gox_extern_lookup(spec.name.encode()) == i + 1
        # the arity check of gox_extern_call names the same parameters and results
        msgs = []
        for r in (rt, ref):
            with pytest.raises(GoxABIError) as info:
                r.gox_extern_call(i + 1, [0] * (len(spec.params) + 1), len(spec.results))
            msgs.append(str(info.value))
        assert msgs[0] == msgs[1]
        assert f"takes {len(spec.params)} args and returns {len(spec.results)} slots" in msgs[0]
    assert [s.name for s in STDLIB] == EXPECTED_ORDER
    with pytest.raises(GoxABIError, match=r"unknown extern 'math.Cbrt'"):
        rt.gox_extern_lookup(b"math.Cbrt")
    with pytest.raises(GoxABIError, match=r"unknown extern id 34; expected a registered id"):
        rt.gox_extern_call(34, [], 0)
    rt.close()


def test_a_user_extern_may_replace_a_stdlib_id() -> None:
    def twice(host: ExternHost, args: Any) -> list[int]:
        return [f2b(2 * b2f(args[0]))]

    spec = ExternSpec("my.Twice", ("float",), ("float",), twice)
    for rt in (NativeRuntime(), RefRuntime()):
        rt.gox_register_extern(1, spec)  # before any other extern operation
        assert rt.gox_extern_call(1, [f2b(4.0)], 1) == [f2b(8.0)]
        assert rt.gox_extern_lookup(b"my.Twice") == 1
        with pytest.raises(GoxABIError, match=r"unknown extern 'math\.Sqrt'"):
            rt.gox_extern_lookup(b"math.Sqrt")
        assert rt.gox_extern_lookup(b"math.Floor") == 2
        assert rt.gox_extern_call(7, [f2b(0.0)], 1) == [f2b(1.0)]  # math.Exp


def test_each_instance_has_its_own_stdlib() -> None:
    a, b = NativeRuntime(), NativeRuntime()
    assert a.gox_extern_lookup(b"strconv.ParseFloat") == 33
    b.gox_register_extern(33, ExternSpec("x.Y", (), (), lambda h, a: []))
    assert a.gox_extern_lookup(b"strconv.ParseFloat") == 33
    with pytest.raises(GoxABIError):
        b.gox_extern_lookup(b"strconv.ParseFloat")
    a.close()
    b.close()


def test_unicode_table_is_fresh() -> None:
    assert gen_unicode_tables.main(["--check"]) == 0, "run: python -m gox_ref_native.gen_unicode_tables"


# ---------------------------------------------------------------- native vs reference


class Pair:
    """A reference and a native runtime given the same calls."""

    def __init__(self) -> None:
        self.ref, self.nat = RefRuntime(), NativeRuntime()
        self.callers = (Caller(self.ref), Caller(self.nat))

    def same(self, name: str, *args: Any) -> Any:
        outcomes: list[Any] = []
        for c in self.callers:
            try:
                outcomes.append(("ok", c(name, *args)))
            except GoxError as exc:
                outcomes.append((type(exc).__name__, str(exc)))
        assert outcomes[0] == outcomes[1], f"{name}{args!r}:\n  ref:    {outcomes[0]!r}\n  native: {outcomes[1]!r}"
        stats = (self.ref.gox_gc_stats(), self.nat.gox_gc_stats())
        assert stats[0] == stats[1], f"{name}{args!r}: GC counters differ:\n  ref:    {stats[0]}\n  native: {stats[1]}"
        return outcomes[0]


@pytest.fixture(scope="module")
def pair() -> Iterator[Pair]:
    p = Pair()
    yield p
    p.nat.close()


HYP = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

SPECIAL_BITS = [
    0, 1 << 63, 1, 0x000FFFFFFFFFFFFF, 0x0010000000000000, 0x7FEFFFFFFFFFFFFF, 0x7FF0000000000000,
    0xFFF0000000000000, 0x7FF8000000000000, 0x7FF8000000000001, 0xFFF8000000000000, 0x7FF0000000000001,
    0x3FF0000000000000, 0xBFF0000000000000, 0x3FE0000000000000, 0x4086232BDD7ABCD2, 0x41D0000000000000,
]  # fmt: skip

doubles = st.one_of(
    st.sampled_from(SPECIAL_BITS).map(Bits),
    st.integers(0, U64).map(Bits),
    st.floats(),
    st.floats(min_value=-800, max_value=800),
    st.integers(-(1 << 60), 1 << 60).map(float),
    st.floats(min_value=2**28, max_value=2**80),
)
UNARY = ["Sqrt", "Floor", "Ceil", "Trunc", "Abs", "Exp", "Log", "Sin", "Cos", "Tan", "IsNaN"]
BINARY = ["Pow", "Atan2", "Hypot", "Mod"]


@HYP
@given(st.sampled_from(UNARY), doubles)
def test_math_unary_matches_reference(pair: Pair, fn: str, x: Any) -> None:
    pair.same("math." + fn, x)


@HYP
@given(st.sampled_from(BINARY), doubles, doubles)
@example("Pow", -2.0, 2.0**63)
@example("Pow", 0.5, -1075.5)
@example("Pow", 10.0, 308.25)
def test_math_binary_matches_reference(pair: Pair, fn: str, x: Any, y: Any) -> None:
    pair.same("math." + fn, x, y)


@HYP
@given(doubles, st.integers(-(1 << 63), (1 << 63) - 1))
def test_math_inf_isinf_matches_reference(pair: Pair, x: Any, sign: int) -> None:
    pair.same("math.IsInf", x, sign)
    pair.same("math.Inf", sign)


texts = st.one_of(
    st.binary(max_size=24),
    st.text(max_size=12).map(str.encode),
    st.lists(st.sampled_from([b"a", b"A", b" ", b"\t", b"\xc3\x9f", b"\xc7\x85", b"\xe2\x80\xa8", b"\xff", b"\xe2\x82",
                              b"\xc4\xb0", b"\xce\xa3", b"\xf0\x9f\x98\x80", b"\xed\xa0\x80", b"\xc2\x85", b"\x80"]),
             max_size=10).map(b"".join),
)  # fmt: skip


@HYP
@given(st.sampled_from(["ToUpper", "ToLower", "TrimSpace"]), texts)
def test_strings_unary_matches_reference(pair: Pair, fn: str, s: bytes) -> None:
    pair.same("strings." + fn, s)


@HYP
@given(st.sampled_from(["Index", "LastIndex", "Contains", "HasPrefix", "HasSuffix", "Count"]), texts, texts)
def test_strings_pairs_match_reference(pair: Pair, fn: str, s: bytes, t: bytes) -> None:
    pair.same("strings." + fn, s, t)
    pair.same("strings." + fn, s + t + s, t[: len(t) // 2])


@HYP
@given(texts, st.sampled_from([b"", b"a", b"\xff", b"ab", b"\xe2\x82"]), texts, st.integers(-3, 8))
def test_strings_replace_matches_reference(pair: Pair, s: bytes, old: bytes, new: bytes, n: int) -> None:
    pair.same("strings.Replace", s, old, new, n)
    pair.same("strings.Replace", s + old + s, old, new[:2], n)


@HYP
@given(texts, st.one_of(st.integers(-2, 6), st.sampled_from([1 << 62, -(1 << 63), 1 << 47, 70000])))
def test_strings_repeat_matches_reference(pair: Pair, s: bytes, n: int) -> None:
    if len(s) * n > 1 << 24 and len(s) * n <= 1 << 48:
        return  # the reference would build the whole result in Python before failing
    pair.same("strings.Repeat", s, n)


def test_string_panics_and_limits(pair: Pair) -> None:
    assert pair.same("strings.Repeat", b"ab", -1) == ("GoxPanic", "strings: negative Repeat count")
    assert pair.same("strings.Repeat", b"ab", 1 << 62) == ("GoxPanic", "strings: Repeat output length overflow")
    assert pair.same("strings.Repeat", b"", 1 << 62) == ("ok", b"")
    assert pair.same("strings.Repeat", b"x", 0) == ("ok", b"")
    # results past the old 65535-slot object (524,248 bytes) are large objects, as in Go
    assert pair.same("strings.Repeat", b"xyz", 200000) == ("ok", b"xyz" * 200000)
    big = b"\xff" * 200000  # ToUpper writes each invalid byte as 3 bytes (U+FFFD)
    assert pair.same("strings.ToUpper", big) == ("ok", "\ufffd".encode() * 200000)
    assert pair.same("strings.Replace", b"a" * 1000, b"a", b"b" * 1000, -1) == ("ok", b"b" * 1_000_000)
    assert pair.same("strings.Replace", b"a" * 1000, b"", b"b" * 1000, -1)[1][:2001] == b"b" * 1000 + b"a" + b"b" * 1000
    assert pair.same("strings.Count", big, b"") == ("ok", 200001)


def test_native_makeslice_panic() -> None:
    """Over Go's maxAlloc (2**48 bytes); the reference agrees but is not asked (it builds first)."""
    with pytest.raises(GoxPanic, match=r"^runtime error: makeslice: len out of range$"):
        Caller(NativeRuntime())("strings.Repeat", b"ab", 1 << 48)


def test_bad_string_reference_is_the_same_abi_error(pair: Pair) -> None:
    for name in ("strings.ToUpper", "strconv.Atoi", "strconv.ParseFloat", "strings.Replace"):
        spec = SPECS[name]
        eid = EXPECTED_ORDER.index(name) + 1
        outcomes = []
        for rt in (pair.ref, pair.nat):
            with pytest.raises(GoxABIError) as info:
                rt.gox_extern_call(eid, [8] + [0] * (len(spec.params) - 1), len(spec.results))
            outcomes.append(str(info.value))
        assert outcomes[0] == outcomes[1]
        assert outcomes[0].startswith("gox_string_read: ")


int_texts = st.one_of(
    st.binary(max_size=22),
    st.from_regex(rb"\A[+-]?[0-9_]{0,24}[a ]?\Z"),
    st.integers(-(1 << 70), 1 << 70).map(lambda i: str(i).encode()),
    st.sampled_from([b"9223372036854775807", b"-9223372036854775808", b"9223372036854775808",
                     b"-9223372036854775809", b"18446744073709551615", b"18446744073709551616",
                     b"99999999999999999999x", b"+000000000000000000001", b"0x10", b"1_000", b"\xff\n\"\\"]),
)  # fmt: skip


@HYP
@given(int_texts)
def test_atoi_matches_reference(pair: Pair, s: bytes) -> None:
    pair.same("strconv.Atoi", s)


@HYP
@given(st.integers(-(1 << 63), (1 << 63) - 1))
def test_itoa_matches_reference(pair: Pair, i: int) -> None:
    pair.same("strconv.Itoa", i)


fmts = st.one_of(st.sampled_from(b"bbeEfgGxX"), st.integers(0, 255))
precs = st.one_of(st.integers(-2, 20), st.integers(-(1 << 63), 800), st.sampled_from([30, 60, 200, 767, 1100, 1200]))
bit_sizes = st.one_of(st.sampled_from([64, 64, 32]), st.integers(-(1 << 63), (1 << 63) - 1))


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(doubles, fmts, precs, bit_sizes)
@example(Bits(1), ord("e"), 800, 64)
@example(Bits(1), ord("f"), 1100, 64)
@example(1e23, ord("g"), -1, 64)
@example(5e-324, ord("g"), -1, 64)
@example(Bits(0x7FEFFFFFFFFFFFFF), ord("e"), -1, 64)
@example(Bits(0x0010000000000000), ord("e"), -1, 64)
@example(2.0**-1022, ord("e"), -1, 32)
def test_formatfloat_matches_reference(pair: Pair, x: Any, fmt: int, prec: int, bits: int) -> None:
    pair.same("strconv.FormatFloat", x, fmt, prec, bits)


@HYP
@given(st.integers(0, U64), st.sampled_from(b"eEfgG"))
def test_formatfloat_shortest_all_bit_patterns(pair: Pair, bits: int, fmt: int) -> None:
    pair.same("strconv.FormatFloat", Bits(bits), fmt, -1, 64)
    pair.same("strconv.FormatFloat", Bits(bits), fmt, -1, 32)


def test_formatfloat_huge_precision(pair: Pair) -> None:
    ff = "strconv.FormatFloat"
    for fmt in b"efxX":  # 600,000 digits, then more than the 2**20 past which the output is sized first
        for prec in (600_000, 2_000_000):
            kind, out = pair.same(ff, 1.5, fmt, prec, 64)
            assert kind == "ok" and len(out) > prec and out.rstrip(b"0ep+xXP").endswith(b"1.8" if fmt in b"xX" else b"1.5")
        # past Go's maxAlloc (or Python's own limit) the result is out of memory on both
        assert pair.same(ff, 1.5, fmt, (1 << 63) - 1, 64) == ("GoxFatal", "runtime: out of memory")
    assert pair.same(ff, math.nan, ord("e"), (1 << 63) - 1, 64) == ("ok", b"NaN")
    assert pair.same(ff, 1.5, ord("g"), 100000, 64) == ("ok", b"1.5")
    assert pair.same(ff, 1.0, ord("g"), -1, 7) == ("GoxPanic", "strconv: illegal AppendFloat/FormatFloat bitSize")
    nat = Caller(NativeRuntime())  # beyond the reference's reach (Python refuses such precisions)
    for fmt in b"efx":  # a result past Go's maxAlloc: out of memory before it is built
        with pytest.raises(GoxFatal, match=r"^runtime: out of memory$"):
            nat(ff, 1.5, fmt, (1 << 63) - 1, 64)
    assert nat(ff, 1.5, ord("g"), (1 << 63) - 1, 64) == b"1.5"
    assert nat(ff, 0.1, ord("g"), 1 << 40, 64) == b"0.1000000000000000055511151231257827021181583404541015625"


def _float_text(parts: list[bytes]) -> bytes:
    return b"".join(parts)


float_texts = st.one_of(
    st.binary(max_size=16),
    st.from_regex(rb"\A[+-]?(0[xX])?[0-9a-fA-F_]{0,8}(\.[0-9a-fA-F_]{0,8})?([eEpP][+-]?[0-9_]{1,6})?\Z"),
    st.from_regex(rb"\A[+-]?[0-9]{0,30}(\.[0-9]{0,30})?([eE][+-]?[0-9]{1,4})?\Z"),
    st.lists(st.sampled_from([b"+", b"-", b"inf", b"Infinity", b"nan", b"NaN", b"in", b"infinit", b"0", b"1", b"_",
                              b".", b"e", b"p", b"0x", b"9", b"5", b"e-", b"1e400", b"x"]), max_size=6).map(_float_text),
    st.builds(lambda m, e: f"{m}e{e}".encode(), st.integers(0, 10**40), st.integers(-400, 400)),
    st.floats(allow_nan=False).map(lambda x: repr(x).encode()),
    st.floats(allow_nan=False).map(lambda x: x.hex().encode()),
    st.floats(allow_nan=False, width=32).map(lambda x: f"{x:.9g}".encode()),
)  # fmt: skip


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(float_texts, st.one_of(st.sampled_from([64, 32]), st.integers(-(1 << 63), (1 << 63) - 1)))
@example(b"0x1p-1074", 64)
@example(b"0x1.fffffffffffff8p1023", 64)
@example(b"0x1.ffffffp127", 32)
@example(b"0x.0000000000000000000000000000000000001p-900", 64)
@example(b"0x1.000000000000080000000001p0", 64)
@example(b"0x1.00000000000008p0", 64)
@example(b"0x1.00000000000018p0", 64)
@example(b"0x1p-149", 32)
@example(b"0x1p-150", 32)
@example(b"0x1.0000000000001p-150", 32)
@example(b"1e-400", 64)
@example(b"nan", 32)
@example(b"2.4703282292062327e-324", 64)
@example(b"2.4703282292062328e-324", 64)
@example(b"1_0.5", 64)
@example(b"0x_1p0", 64)
@example(b"1e99999", 64)
@example(b"-0x0p0", 64)
@example(b"3.4028235677973366e38", 32)
def test_parsefloat_matches_reference(pair: Pair, s: bytes, bits: int) -> None:
    pair.same("strconv.ParseFloat", s, bits)


def test_parsefloat_long_inputs(pair: Pair) -> None:
    halfway = b"1.00000000000000011102230246251565404236316680908203125"  # 1 + 2**-53: ties to even (1.0)
    cases = [
        b"9" * 5000, b"0." + b"0" * 400 + b"1" * 800, b"1" + b"0" * 309 + b".5", b"0x" + b"f" * 5000 + b"p-20000",
        b"2.2250738585072011" + b"0" * 700 + b"1e-308", b"0x1" + b"0" * 13 + b"8" + b"0" * 3000 + b"1p0", halfway,
        halfway + b"0" * 900 + b"1", halfway[:-1] + b"4" + b"9" * 900, b"4.9406564584124654417656879286822137236505980e-324",
        b"1" * 100000, b"0x" + b"0" * 3000 + b"1p-1074", b"." + b"0" * 3000 + b"1e3000",
    ]  # fmt: skip
    for s in cases:
        for bits in (64, 32):
            pair.same("strconv.ParseFloat", s, bits)


@HYP
@given(st.floats(allow_nan=False, allow_infinity=False), st.sampled_from(b"eEfgGxX"), st.sampled_from([64, 32]))
def test_native_shortest_roundtrips(nat: Caller, x: float, fmt: int, bits: int) -> None:
    """Shortest text parses back to the same float (native only: FormatFloat then ParseFloat)."""
    want = x if bits == 64 else to_float32(x)
    text = nat("strconv.FormatFloat", x, fmt, -1, bits)
    v, err = nat("strconv.ParseFloat", text, bits)
    if math.isinf(want):
        assert text in (b"+Inf", b"-Inf")
    else:
        assert err is None and v == f2b(want), (x, text)
