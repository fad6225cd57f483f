"""Debug output (Go's print/println formats) and assertions."""

from __future__ import annotations

import io

import pytest
from conftest import NO_TYPE, U64, Env, K, Runtime, f32, f64, gstr, new_runtime

from gox_ref import GoxABIError, GoxPanic
from gox_ref.debug import format_float


def printed(env: Env, val: int, kind: int) -> bytes:
    env.rt.gox_debug_print(val, kind)
    out = env.output()
    assert out.endswith(b"\n")
    return out[:-1]


@pytest.mark.parametrize(
    ("kind", "val", "text"),
    [
        (K.INT, 0, b"0"),
        (K.INT, 42, b"42"),
        (K.INT, U64, b"-1"),
        (K.INT, 1 << 63, b"-9223372036854775808"),
        (K.INT64, (1 << 63) - 1, b"9223372036854775807"),
        (K.INT8, 0xFF, b"-1"),
        (K.INT8, 0x7F, b"127"),
        (K.INT8, 0x80, b"-128"),
        (K.INT8, U64, b"-1"),
        (K.INT16, 0x8000, b"-32768"),
        (K.INT16, 0x7FFF, b"32767"),
        (K.INT32, 0xFFFF_FFFF, b"-1"),
        (K.INT32, 0x8000_0000, b"-2147483648"),
        (K.UINT, U64, b"18446744073709551615"),
        (K.UINT64, U64, b"18446744073709551615"),
        (K.UINT8, 0xFF, b"255"),
        (K.UINT8, U64, b"255"),
        (K.UINT16, 0xFFFF, b"65535"),
        (K.UINT32, U64, b"4294967295"),
        (K.BOOL, 1, b"true"),
        (K.BOOL, 0, b"false"),
        (K.BOOL, 2, b"true"),
        (K.NIL, 0, b"nil"),
        (K.FUNC_PTR, 0, b"0x0"),
        (K.FUNC_PTR, 0x4000_10AB, b"0x400010ab"),
    ],
)
def test_print_scalars(env: Env, kind: int, val: int, text: bytes) -> None:
    assert printed(env, val, kind) == text


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (1.5, b"+1.500000e+000"),
        (0.0, b"+0.000000e+000"),
        (-0.0, b"-0.000000e+000"),
        (float("nan"), b"NaN"),
        (float("inf"), b"+Inf"),
        (float("-inf"), b"-Inf"),
        (1e21, b"+1.000000e+021"),
        (5e-324, b"+4.940656e-324"),
        (1.7976931348623157e308, b"+1.797693e+308"),
        (-2.5, b"-2.500000e+000"),
        (0.1, b"+1.000000e-001"),
        (100.0, b"+1.000000e+002"),
        (123456789.0, b"+1.234568e+008"),
        (9.9999999, b"+1.000000e+001"),
        (3.141592653589793, b"+3.141593e+000"),
        (1e-5, b"+1.000000e-005"),
    ],
)
def test_print_float64(env: Env, x: float, text: bytes) -> None:
    assert printed(env, f64(x), K.FLOAT64) == text
    assert format_float(x).encode() == text


def test_print_negative_nan(env: Env) -> None:
    assert printed(env, 0xFFF8_0000_0000_0001, K.FLOAT64) == b"NaN"


@pytest.mark.parametrize(
    ("x", "text"),
    [
        (1.5, b"+1.500000e+000"),
        (0.1, b"+1.000000e-001"),  # float32(0.1) widened: 0.100000001490116...
        (-0.0, b"-0.000000e+000"),
        (float("inf"), b"+Inf"),
        (float("-inf"), b"-Inf"),
        (float("nan"), b"NaN"),
        (3.4028234663852886e38, b"+3.402823e+038"),
    ],
)
def test_print_float32(env: Env, x: float, text: bytes) -> None:
    assert printed(env, f32(x), K.FLOAT32) == text
    # only the low 32 bits count
    assert printed(env, f32(x) | 0xABCD_0000_0000_0000, K.FLOAT32) == text


def test_print_strings(env: Env) -> None:
    rt = env.rt
    assert printed(env, gstr(rt, "héllo\nworld"), K.STRING) == "héllo\nworld".encode()
    assert printed(env, 0, K.STRING) == b""
    assert printed(env, gstr(rt, b"\xff\x00"), K.STRING) == b"\xff\x00"  # raw bytes
    view = rt.gox_rt_string_slice(gstr(rt, "abcdef"), 1, 3)
    assert printed(env, view, K.STRING) == b"bc"


def test_print_slices(env: Env) -> None:
    rt = env.rt
    assert printed(env, 0, K.SLICE) == b"[0/0]0x0"
    s = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 5)
    arr = rt.canonical(rt.object_slots(s)[0])  # printed canonical
    assert printed(env, s, K.SLICE) == f"[2/5]{arr:#x}".encode()
    t = rt.gox_rt_slice_slice(s, 1, 3)
    assert printed(env, t, K.SLICE) == f"[2/4]{arr:#x}".encode()  # the array's address


def test_print_references(env: Env) -> None:
    rt = env.rt
    m = rt.gox_rt_map_new(K.INT, K.INT)
    c = rt.gox_rt_closure_create(1, NO_TYPE, 0)
    box = rt.gox_rt_upval_box_create(K.INT, 1)
    arr = rt.gox_rt_array_create(K.INT, NO_TYPE, 1)
    bi = rt.gox_rt_box(K.BOXED_INT, 3)
    for ref, kind in [(m, K.MAP), (c, K.CLOSURE), (box, K.POINTER), (arr, K.ARRAY), (bi, K.BOXED_INT)]:
        canon = rt.canonical(ref)  # printed as the canonical address, the same on both backends
        assert printed(env, ref, kind) == f"{canon:#x}".encode()
        assert canon >= 0x1000_0000 and (canon - 0x1000_0000) % 16 == 0 and canon != ref
    for kind in (K.MAP, K.CLOSURE, K.POINTER, K.CHANNEL, K.ARRAY, K.STRUCT):
        assert printed(env, 0, kind) == b"0x0"


def test_debug_write_has_no_newline(env: Env) -> None:
    rt = env.rt
    rt.gox_debug_write(1, K.INT)
    rt.gox_debug_write(gstr(rt, " "), K.STRING)
    rt.gox_debug_write(1, K.BOOL)
    rt.gox_debug_print(f64(1.5), K.FLOAT64)
    assert env.output() == b"1 true+1.500000e+000\n"


def test_output_sinks(backend: str) -> None:
    a, b = io.BytesIO(), io.BytesIO()
    rt = new_runtime(backend, out=a)
    rt.gox_debug_print(7, K.INT)
    rt.set_output(b)
    rt.gox_debug_print(8, K.UINT8)
    assert a.getvalue() == b"7\n" and b.getvalue() == b"8\n"


def test_print_interface_is_refused(env: Env) -> None:
    with pytest.raises(GoxABIError, match="gox_debug_print"):
        env.rt.gox_debug_print(0, K.INTERFACE)
    assert env.output() == b""


# -- assertions --------------------------------------------------------------------------------
def test_assert_passes(env: Env) -> None:
    rt = env.rt
    rt.gox_assert_begin()
    rt.gox_assert_arg(1, K.INT)
    rt.gox_assert_end(True)
    rt.gox_assert_begin()
    rt.gox_assert_end(True)
    assert env.output() == b""


def test_assert_fails_with_args(env: Env) -> None:
    rt = env.rt
    rt.gox_assert_begin()
    rt.gox_assert_arg(gstr(rt, "x ="), K.STRING)
    rt.gox_assert_arg(U64, K.INT)
    rt.gox_assert_arg(f64(0.5), K.FLOAT64)
    rt.gox_assert_arg(0, K.BOOL)
    with pytest.raises(GoxPanic) as info:
        rt.gox_assert_end(False)
    assert str(info.value) == "assertion failed: x = -1 +5.000000e-001 false"
    # the assertion is closed after failing: a new one can begin
    rt.gox_assert_begin()
    rt.gox_assert_end(True)


def test_assert_fails_without_args(rt: Runtime) -> None:
    rt.gox_assert_begin()
    with pytest.raises(GoxPanic) as info:
        rt.gox_assert_end(False)
    assert str(info.value) == "assertion failed"


def test_assert_protocol_errors(rt: Runtime) -> None:
    with pytest.raises(GoxABIError, match="gox_assert_arg"):
        rt.gox_assert_arg(1, K.INT)
    with pytest.raises(GoxABIError, match="gox_assert_end"):
        rt.gox_assert_end(True)
    rt.gox_assert_begin()
    with pytest.raises(GoxABIError, match="gox_assert_begin"):
        rt.gox_assert_begin()
    with pytest.raises(GoxABIError, match="gox_assert_arg"):
        rt.gox_assert_arg(0, 99)
    rt.gox_assert_end(True)  # still open after the refused calls
