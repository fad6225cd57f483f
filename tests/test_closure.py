"""Closures and their upvalue boxes."""

from __future__ import annotations

from conftest import NO_TYPE, U64, K, Runtime, f64, from_f64, gstr, sread

from gox_ref import SlotType


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


def test_upval_box_narrow_values_extend_like_go(rt: Runtime) -> None:
    box = rt.gox_rt_upval_box_create(K.INT8, 0xFF)
    assert rt.gox_upval_box_get(box) == U64
    rt.gox_upval_box_set(box, 0x7F)
    assert rt.gox_upval_box_get(box) == 0x7F
    ub = rt.gox_rt_upval_box_create(K.UINT8, U64)
    assert rt.gox_upval_box_get(ub) == 0xFF
    bb = rt.gox_rt_upval_box_create(K.BOOL, 0x100)
    assert rt.gox_upval_box_get(bb) == 1
