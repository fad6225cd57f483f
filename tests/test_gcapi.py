"""The GC group of the ABI (gox_ref/gcapi.py, src/gcapi.c): the type table, raw objects and
their slots, the barrier and gray marking, pins, pause and resume, tuning, statistics and
gox_init_gc.  The collection algorithm itself is tests/test_gc.py's."""

from __future__ import annotations

import pytest
from conftest import NO_TYPE, K, Runtime, expect_error, gstr, sread

from gox_ref import GcState, GcStats, GoxABIError, RefRuntime, SlotType


def test_type_table(rt: Runtime) -> None:
    t0 = rt.gox_type_register(b"A", bytes([SlotType.VALUE, SlotType.GC_REF]))
    t1 = rt.gox_type_register(b"B", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1, SlotType.VALUE]))
    t2 = rt.gox_type_register(b"Empty", b"")
    assert (t0, t1, t2) == (1, 2, 3)  # id 0 is reserved: type bits 0 in an interface mean no type
    assert [rt.gox_type_slot_count(t) for t in (t0, t1, t2)] == [2, 3, 0]


def test_type_id_zero_is_never_a_registered_type(rt: Runtime) -> None:
    """Every lookup of a registered type rejects id 0 as it does an id never registered, with
    or without types in the table (an empty struct's 0 slots must not match the reserved entry)."""
    no_types = "no struct type is registered yet (gox_type_register registers them)"
    expect_error(rt, GoxABIError, lambda: rt.gox_rt_alloc(K.STRUCT, 0, 0), "gox_rt_alloc: unknown struct type id 0; " + no_types)
    rt.gox_type_register(b"main.T", b"")
    one = "unknown struct type id 0; expected 1..1 (registered with gox_type_register)"
    for fn, call in [
        ("gox_rt_alloc", lambda: rt.gox_rt_alloc(K.STRUCT, 0, 0)),
        ("gox_type_slot_count", lambda: rt.gox_type_slot_count(0)),
        ("gox_rt_array_create", lambda: rt.gox_rt_array_create(K.STRUCT, 0, 1)),
        ("gox_rt_slice_create", lambda: rt.gox_rt_slice_create(K.STRUCT, 0, 1, 1)),
        ("gox_rt_closure_create", lambda: rt.gox_rt_closure_create(1, 0, 0)),
    ]:
        expect_error(rt, GoxABIError, call, f"{fn}: {one}")


def test_type_table_full(rt: Runtime) -> None:
    """Ids run 1..0xFFFE: 0 is reserved and NO_TYPE (0xFFFF) means none, so 65534 types fit."""
    ids = [rt.gox_type_register(b"", b"") for _ in range(NO_TYPE - 1)]
    assert (ids[0], ids[-1]) == (1, NO_TYPE - 1)
    expect_error(rt, GoxABIError, lambda: rt.gox_type_register(b"", b""),
                 exact="gox_type_register: the type table is full (65534 types)")


def test_alloc_struct_and_slots(rt: Runtime) -> None:
    t = rt.gox_type_register(b"S", bytes([SlotType.VALUE, SlotType.GC_REF]))
    obj = rt.gox_rt_alloc(K.STRUCT, t, 2)
    assert [rt.gox_gc_read_slot(obj, i) for i in range(2)] == [0, 0]
    rt.gox_gc_pin(obj)
    rt.gox_gc_write_slot(obj, 0, 2**64 - 1)
    s = gstr(rt, "field")
    rt.gox_gc_write_slot(obj, 1, s)
    rt.gox_rt_write_barrier(obj, s)
    rt.gox_collect_garbage()
    assert rt.gox_gc_read_slot(obj, 0) == 2**64 - 1
    assert sread(rt, rt.gox_gc_read_slot(obj, 1)) == b"field"


def test_alloc_pointer_and_boxes(rt: Runtime) -> None:
    p = rt.gox_rt_alloc(K.POINTER, K.INT, 1)
    rt.gox_gc_write_slot(p, 0, 5)
    assert rt.gox_upval_box_get(p) == 5
    b = rt.gox_rt_alloc(K.BOXED_FLOAT, 0, 1)
    assert rt.gox_box_get(b) == 0


def test_read_slot_of_every_kind(rt: Runtime) -> None:
    s = gstr(rt, "abc")
    assert rt.gox_gc_read_slot(s, 1) == 0 and rt.gox_gc_read_slot(s, 2) == 3
    sl = rt.gox_rt_slice_create(K.INT, NO_TYPE, 1, 2)
    assert rt.gox_gc_read_slot(sl, 2) == 1 and rt.gox_gc_read_slot(sl, 3) == 2
    c = rt.gox_rt_closure_create(9, NO_TYPE, 1)
    assert rt.gox_gc_read_slot(c, 0) == 9 and rt.gox_gc_read_slot(c, 1) == 1
    rt.gox_gc_write_slot(c, 2, 44)  # an upvalue slot is writable
    assert rt.gox_closure_get_upvalue(c, 0) == 44


def test_mark_gray_and_barrier(rt: Runtime) -> None:
    t = rt.gox_type_register(b"S", bytes([SlotType.GC_REF]))
    parent = rt.gox_rt_alloc(K.STRUCT, t, 1)
    rt.gox_gc_pin(parent)
    extra = [gstr(rt, w) for w in "abc"]
    for e in extra:
        rt.gox_gc_pin(e)
    child = gstr(rt, "child")
    rt.gox_gc_tune(0, 0, 8, 0)
    rt.gox_rt_mark_gray(child)  # outside a cycle: no effect
    assert rt.object_color(child) == "white"
    rt.gox_gc_step()
    assert rt.gox_gc_stats().state == GcState.PROPAGATE
    while rt.object_color(parent) != "black":
        rt.gox_gc_step()
    rt.gox_gc_write_slot(parent, 0, child)
    rt.gox_rt_write_barrier(parent, child)  # black parent, white child: child turns gray
    assert rt.object_color(child) == "gray"
    lone = gstr(rt, "lone")
    rt.gox_rt_mark_gray(lone)
    assert rt.object_color(lone) == "gray"
    while not rt.gox_gc_step():
        pass
    assert sread(rt, child) == b"child" and sread(rt, lone) == b"lone"


def test_pins_count(rt: Runtime) -> None:
    s = gstr(rt, "x")
    rt.gox_gc_pin(s)
    rt.gox_gc_pin(s)
    rt.gox_gc_unpin(s)
    rt.gox_collect_garbage()
    assert rt.is_live(s)
    rt.gox_gc_unpin(s)
    rt.gox_collect_garbage()
    assert not rt.is_live(s)


def test_pause_resume_and_stats(rt: Runtime) -> None:
    st = rt.gox_gc_stats()
    assert isinstance(st, GcStats) and st.cycles == 0 and st.pause_depth == 0
    rt.gox_gc_pause()
    rt.gox_gc_pause()
    assert rt.gox_gc_stats().pause_depth == 2
    assert rt.gox_gc_step() is False  # no-op while paused
    assert rt.gox_gc_stats().steps == 0
    rt.gox_gc_resume()
    rt.gox_gc_resume()
    gstr(rt, "x")
    rt.gox_collect_garbage()
    st = rt.gox_gc_stats()
    assert st.cycles == 1 and st.live_objects == 0 and st.freed_objects == 2
    assert st.allocated_objects == 2 and st.allocated_bytes == st.freed_bytes == (8 + 8 * 5) + (8 + 8 * 3)


@pytest.mark.reference_only("reads the collector's tuning back from the reference's fields (no call returns it)")
def test_tune(rt: RefRuntime) -> None:
    rt.gox_gc_tune(150, 300, 64, 4096)
    assert (rt.gc.pause, rt.gc.stepmul, rt.gc.step_size, rt.gc.min_threshold) == (150, 300, 64, 4096)
    assert rt.gox_gc_stats().threshold == 4096
    rt.gox_gc_tune(0, 0, 0, 0)
    assert (rt.gc.pause, rt.gc.stepmul, rt.gc.step_size, rt.gc.min_threshold) == (200, 200, 8192, 1 << 20)


def test_init_gc_drops_everything(rt: Runtime) -> None:
    s = gstr(rt, "x")
    rt.gox_gc_pin(s)
    rt.gox_gc_pause()
    rt.gox_init_gc()
    assert rt.heap_snapshot().objects == ()
    st = rt.gox_gc_stats()
    assert st.pause_depth == 0 and st.live_bytes == 0
    try:
        rt.gox_string_len(s)
    except GoxABIError as e:
        assert "freed" in str(e)
    else:
        raise AssertionError("old reference still readable")
    t = gstr(rt, "y")
    assert rt.ref_number(t) > rt.ref_number(s)  # allocation numbers keep counting
