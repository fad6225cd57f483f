"""Maps: keys by value (Go's rules for floats and strings), nil maps, narrow values."""

from __future__ import annotations

import pytest
from conftest import U64, K, Runtime, f32, f64, gstr, new_runtime, sread
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_ref import GoxPanic


def test_map_int_keys(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.INT, K.INT)
    assert rt.gox_map_len(m) == 0
    assert rt.gox_map_get(m, 1) == (0, False)
    rt.gox_map_set(m, 1, 10)
    rt.gox_map_set(m, U64, 20)  # -1
    assert rt.gox_map_get(m, 1) == (10, True)
    assert rt.gox_map_get(m, U64) == (20, True)
    assert rt.gox_map_len(m) == 2
    rt.gox_map_set(m, 1, 11)
    assert rt.gox_map_get(m, 1) == (11, True) and rt.gox_map_len(m) == 2
    rt.gox_map_delete(m, 1)
    assert rt.gox_map_get(m, 1) == (0, False) and rt.gox_map_len(m) == 1
    rt.gox_map_delete(m, 12345)  # deleting a missing key is a no-op
    assert rt.gox_map_len(m) == 1


def test_map_narrow_int_keys_normalize(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.INT8, K.INT)
    rt.gox_map_set(m, 0xFF, 1)  # int8(-1)
    assert rt.gox_map_get(m, U64) == (1, True)
    b = rt.gox_rt_map_new(K.BOOL, K.INT)
    rt.gox_map_set(b, 1, 7)
    assert rt.gox_map_get(b, 0x100) == (7, True)  # any non-zero bool is true


def test_map_string_keys_by_content(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.STRING, K.INT)
    rt.gox_map_set(m, gstr(rt, "key"), 1)
    other = gstr(rt, "a key!")
    view = rt.gox_rt_string_slice(other, 2, 5)
    assert rt.gox_map_get(m, gstr(rt, "key")) == (1, True)
    assert rt.gox_map_get(m, view) == (1, True)
    rt.gox_map_set(m, 0, 2)  # "" is a key like any other
    assert rt.gox_map_get(m, 0) == (2, True)
    assert rt.gox_map_len(m) == 2
    rt.gox_map_delete(m, gstr(rt, "key"))
    assert rt.gox_map_get(m, view) == (0, False)


def test_map_float_keys(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.FLOAT64, K.INT)
    rt.gox_map_set(m, f64(0.0), 1)
    assert rt.gox_map_get(m, f64(-0.0)) == (1, True)  # +0 == -0
    rt.gox_map_set(m, f64(-0.0), 2)
    assert rt.gox_map_len(m) == 1 and rt.gox_map_get(m, f64(0.0)) == (2, True)
    nan = f64(float("nan"))
    rt.gox_map_set(m, nan, 3)
    rt.gox_map_set(m, nan, 4)
    assert rt.gox_map_len(m) == 3  # each NaN key is a new entry
    assert rt.gox_map_get(m, nan) == (0, False)  # that no lookup finds
    rt.gox_map_delete(m, nan)
    assert rt.gox_map_len(m) == 3
    rt.gox_map_set(m, f64(1.5), 5)
    assert rt.gox_map_get(m, f64(1.5)) == (5, True)


def test_map_float32_keys(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.FLOAT32, K.BOOL)
    rt.gox_map_set(m, f32(0.0), 1)
    assert rt.gox_map_get(m, f32(-0.0)) == (1, True)
    rt.gox_map_set(m, f32(float("nan")), 1)
    assert rt.gox_map_get(m, f32(float("nan"))) == (0, False)
    assert rt.gox_map_len(m) == 2


def test_map_pointer_keys_by_identity(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.POINTER, K.INT)
    p1 = rt.gox_rt_upval_box_create(K.INT, 1)
    p2 = rt.gox_rt_upval_box_create(K.INT, 1)
    rt.gox_map_set(m, p1, 10)
    assert rt.gox_map_get(m, p1) == (10, True)
    assert rt.gox_map_get(m, p2) == (0, False)
    assert rt.gox_map_get(m, 0) == (0, False)


def test_map_reference_values_traced(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.STRING, K.STRING)
    rt.gox_gc_pin(m)
    rt.gox_map_set(m, gstr(rt, "k"), gstr(rt, "v"))
    rt.gox_collect_garbage()
    v, ok = rt.gox_map_get(m, gstr(rt, "k"))
    assert ok and sread(rt, v) == b"v"


def test_nil_map(rt: Runtime) -> None:
    assert rt.gox_map_len(0) == 0
    assert rt.gox_map_get(0, 5) == (0, False)
    rt.gox_map_delete(0, 5)  # no-op
    with pytest.raises(GoxPanic) as info:
        rt.gox_map_set(0, 1, 2)
    assert str(info.value) == "assignment to entry in nil map"


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["set", "del", "get"]), st.integers(-5, 5), st.integers(0, 100)), max_size=40))
def test_map_model(backend: str, ops: list[tuple[str, int, int]]) -> None:
    rt = new_runtime(backend)
    m = rt.gox_rt_map_new(K.INT, K.INT)
    model: dict[int, int] = {}
    for op, k, v in ops:
        if op == "set":
            rt.gox_map_set(m, k, v)
            model[k] = v
        elif op == "del":
            rt.gox_map_delete(m, k)
            model.pop(k, None)
        else:
            assert rt.gox_map_get(m, k) == ((model[k], True) if k in model else (0, False))
        assert rt.gox_map_len(m) == len(model)


def test_map_narrow_values_extend_like_go(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.INT, K.INT8)
    rt.gox_map_set(m, 1, 0xFF)  # int8(-1)
    assert rt.gox_map_get(m, 1) == (U64, True)
    u = rt.gox_rt_map_new(K.INT, K.UINT16)
    rt.gox_map_set(u, 1, U64)
    assert rt.gox_map_get(u, 1) == (0xFFFF, True)
    b = rt.gox_rt_map_new(K.INT, K.BOOL)
    rt.gox_map_set(b, 1, 0x100)
    assert rt.gox_map_get(b, 1) == (1, True)
