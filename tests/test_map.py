"""Closures and upvalue boxes, interfaces and boxed values, maps."""

from __future__ import annotations

import math

import pytest
from conftest import NO_TYPE, U64, K, Runtime, f32, f64, from_f64, gstr, new_runtime, sread
from hypothesis import given, settings
from hypothesis import strategies as st

from gox_ref import GoxPanic, SlotType


# -- closures ----------------------------------------------------------------------------------
def test_closure_basics(rt: Runtime) -> None:
    c = rt.gox_rt_closure_create(7, NO_TYPE, 3)
    assert rt.gox_closure_func_id(c) == 7
    assert rt.gox_closure_upval_count(c) == 3
    assert [rt.gox_closure_get_upvalue(c, i) for i in range(3)] == [0, 0, 0]
    rt.gox_closure_set_upvalue(c, 2, U64)
    assert rt.gox_closure_get_upvalue(c, 2) == U64
    z = rt.gox_rt_closure_create(0xFFFF_FFFF, NO_TYPE, 0)
    assert rt.gox_closure_func_id(z) == 0xFFFF_FFFF
    assert rt.gox_closure_upval_count(z) == 0


def test_closure_shares_upval_box(rt: Runtime) -> None:
    """x := 1; inc := func() { x++ }; get := func() int { return x } -- both see one x."""
    refs = rt.gox_type_register(b"closure{*int}", bytes([SlotType.GC_REF]))
    box = rt.gox_rt_upval_box_create(K.INT, 1)
    inc = rt.gox_rt_closure_create(1, refs, 1)
    get = rt.gox_rt_closure_create(2, refs, 1)
    rt.gox_closure_set_upvalue(inc, 0, box)
    rt.gox_closure_set_upvalue(get, 0, box)
    b = rt.gox_closure_get_upvalue(inc, 0)
    rt.gox_upval_box_set(b, rt.gox_upval_box_get(b) + 1)
    assert rt.gox_upval_box_get(rt.gox_closure_get_upvalue(get, 0)) == 2


def test_reference_upvalues_keep_objects_alive(rt: Runtime) -> None:
    layout = rt.gox_type_register(b"closure{int,string,*string}", bytes([SlotType.VALUE, SlotType.GC_REF, SlotType.GC_REF]))
    c = rt.gox_rt_closure_create(3, layout, 3)
    rt.gox_gc_pin(c)
    rt.gox_closure_set_upvalue(c, 0, 12345)  # a plain value slot takes any u64
    rt.gox_closure_set_upvalue(c, 1, gstr(rt, "by value"))
    box = rt.gox_rt_upval_box_create(K.STRING, gstr(rt, "by reference"))
    rt.gox_closure_set_upvalue(c, 2, box)
    garbage = gstr(rt, "garbage")
    rt.gox_collect_garbage()
    assert not rt.is_live(garbage)
    assert sread(rt, rt.gox_closure_get_upvalue(c, 1)) == b"by value"
    assert sread(rt, rt.gox_upval_box_get(rt.gox_closure_get_upvalue(c, 2))) == b"by reference"
    assert rt.gox_closure_get_upvalue(c, 0) == 12345


def test_value_upvalue_not_traced(rt: Runtime) -> None:
    # with type_id 0xFFFF no upvalue is a reference: a ref stored there does not root anything
    c = rt.gox_rt_closure_create(1, NO_TYPE, 1)
    rt.gox_gc_pin(c)
    s = gstr(rt, "x")
    rt.gox_closure_set_upvalue(c, 0, s)
    rt.gox_collect_garbage()
    assert not rt.is_live(s)


def test_upval_box_kinds(rt: Runtime) -> None:
    fb = rt.gox_rt_upval_box_create(K.FLOAT64, f64(2.5))
    assert from_f64(rt.gox_upval_box_get(fb)) == 2.5
    rt.gox_upval_box_set(fb, f64(-1.0))
    assert from_f64(rt.gox_upval_box_get(fb)) == -1.0
    sb = rt.gox_rt_upval_box_create(K.STRING, 0)
    rt.gox_gc_pin(sb)
    rt.gox_upval_box_set(sb, gstr(rt, "late"))
    rt.gox_collect_garbage()
    assert sread(rt, rt.gox_upval_box_get(sb)) == b"late"
    # a box is a one-slot Pointer object whose type_id is the boxed kind
    view = rt.heap_snapshot().by_ref()[rt.canonical(sb)]
    assert (view.kind, view.type_id, len(view.slots)) == ("Pointer", K.STRING, 1)


# -- interfaces --------------------------------------------------------------------------------
def test_interface_pack_unpack(rt: Runtime) -> None:
    slot0 = rt.gox_interface_pack(0x1234, 0xBEEF, K.STRING)
    assert slot0 == 0x1234_BEEF_000F
    assert rt.gox_interface_unbox_kind(slot0) == K.STRING
    assert rt.gox_interface_unbox_type(slot0) == 0xBEEF
    assert rt.gox_interface_iface_type(slot0) == 0x1234
    assert not rt.gox_interface_is_nil(slot0)
    s = gstr(rt, "dyn")
    assert rt.gox_interface_unbox_data(slot0, s) == s


def test_nil_interface(rt: Runtime) -> None:
    nil0 = rt.gox_interface_pack(5, 0, K.NIL)
    assert rt.gox_interface_is_nil(nil0)
    assert rt.gox_interface_is_nil(0)
    assert rt.gox_interface_iface_type(nil0) == 5  # keeps its own type id
    assert rt.gox_interface_unbox_kind(nil0) == 0
    assert rt.gox_interface_unbox_data(nil0, 0xDEAD) == 0


@settings(max_examples=50, deadline=None)
@given(st.integers(0, 0xFFFF), st.integers(0, 0xFFFF), st.sampled_from([k for k in K if k != K.INTERFACE]))
def test_interface_pack_roundtrip(backend: str, itype: int, vtype: int, kind: int) -> None:
    rt = new_runtime(backend)
    slot0 = rt.gox_interface_pack(itype, vtype, kind)
    assert rt.gox_interface_iface_type(slot0) == itype
    assert rt.gox_interface_unbox_type(slot0) == vtype
    assert rt.gox_interface_unbox_kind(slot0) == kind
    assert rt.gox_interface_is_nil(slot0) == (kind == K.NIL)


def test_boxed_values(rt: Runtime) -> None:
    bi = rt.gox_rt_box(K.BOXED_INT, (-7) & U64)
    bf = rt.gox_rt_box(K.BOXED_FLOAT, f64(math.pi))
    bb = rt.gox_rt_box(K.BOXED_BOOL, 5)
    bz = rt.gox_rt_box(K.BOXED_BOOL, 0)
    assert rt.gox_box_get(bi) == (-7) & U64
    assert from_f64(rt.gox_box_get(bf)) == math.pi
    assert rt.gox_box_get(bb) == 1 and rt.gox_box_get(bz) == 0
    assert rt.object_kind(bf) == K.BOXED_FLOAT


def test_interface_holding_box_in_struct(rt: Runtime) -> None:
    t = rt.gox_type_register(b"struct{any}", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1]))
    obj = rt.gox_rt_alloc(K.STRUCT, t, 2)
    rt.gox_gc_pin(obj)
    box = rt.gox_rt_box(K.BOXED_INT, 99)
    rt.gox_gc_write_slot(obj, 1, box)
    rt.gox_gc_write_slot(obj, 0, rt.gox_interface_pack(1, 0, K.BOXED_INT))
    rt.gox_rt_write_barrier(obj, box)
    rt.gox_collect_garbage()
    slot0, slot1 = rt.gox_gc_read_slot(obj, 0), rt.gox_gc_read_slot(obj, 1)
    assert rt.gox_box_get(rt.gox_interface_unbox_data(slot0, slot1)) == 99


# -- maps --------------------------------------------------------------------------------------
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


def test_upval_box_narrow_values_extend_like_go(rt: Runtime) -> None:
    box = rt.gox_rt_upval_box_create(K.INT8, 0xFF)
    assert rt.gox_upval_box_get(box) == U64
    rt.gox_upval_box_set(box, 0x7F)
    assert rt.gox_upval_box_get(box) == 0x7F
    ub = rt.gox_rt_upval_box_create(K.UINT8, U64)
    assert rt.gox_upval_box_get(ub) == 0xFF
    bb = rt.gox_rt_upval_box_create(K.BOOL, 0x100)
    assert rt.gox_upval_box_get(bb) == 1
