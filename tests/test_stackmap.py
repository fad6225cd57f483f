"""Stack maps and the simulated native stack: registration, lookup, scanning, rooting."""

from __future__ import annotations

import pytest
from conftest import Runtime, gstr, sread

from gox_ref import GcState, GoxABIError
from gox_ref.stackmap import STACK_TOP


def test_register_and_lookup(rt: Runtime) -> None:
    assert rt.gox_stack_map_lookup(0x1000) is None
    rt.gox_stack_map_register(0x1000, [0, 16, -8])
    assert rt.gox_stack_map_lookup(0x1000) == (0, 16, -8)
    rt.gox_stack_map_register(0x1000, [8])  # re-registering replaces
    assert rt.gox_stack_map_lookup(0x1000) == (8,)
    rt.gox_stack_map_register(0x2000, [])  # an empty map registers nothing
    assert rt.gox_stack_map_lookup(0x2000) is None


def test_register_batch(rt: Runtime) -> None:
    rt.gox_stack_map_register_batch(0x40_0000, [(0x10, [0, 8]), (0x20, []), (0x30, [24])])
    assert rt.gox_stack_map_lookup(0x40_0010) == (0, 8)
    assert rt.gox_stack_map_lookup(0x40_0020) is None
    assert rt.gox_stack_map_lookup(0x40_0030) == (24,)


def test_batch_is_all_or_nothing(rt: Runtime) -> None:
    with pytest.raises(GoxABIError, match="gox_stack_map_register_batch"):
        rt.gox_stack_map_register_batch(0x1000, [(0, [8]), (4, [3])])
    assert rt.gox_stack_map_lookup(0x1000) is None


def test_clear(rt: Runtime) -> None:
    rt.gox_stack_map_register(1, [0])
    rt.gox_stack_map_register(2, [8])
    rt.gox_stack_map_clear()
    assert rt.gox_stack_map_lookup(1) is None and rt.gox_stack_map_lookup(2) is None


def test_sim_stack_frames(rt: Runtime) -> None:
    sp1 = rt.gox_sim_frame_push(0xA, 32)
    assert sp1 == STACK_TOP - 32
    sp2 = rt.gox_sim_frame_push(0xB, 16)
    assert sp2 == sp1 - 16
    rt.gox_sim_stack_write(sp2 + 8, 77)
    rt.gox_sim_stack_write(sp1, 5)
    assert rt.gox_sim_stack_read(sp2 + 8) == 77
    assert rt.gox_sim_stack_read(sp1) == 5
    assert rt.gox_sim_stack_read(sp2) == 0  # unwritten slots read 0
    rt.gox_sim_frame_pop()
    assert rt.gox_sim_stack_read(sp1) == 5
    with pytest.raises(GoxABIError, match="gox_sim_stack_read"):
        rt.gox_sim_stack_read(sp2 + 8)  # popped frame is gone
    # a new frame at the same place starts zeroed
    assert rt.gox_sim_frame_push(0xC, 16) == sp2
    assert rt.gox_sim_stack_read(sp2 + 8) == 0
    rt.gox_sim_frame_pop()
    rt.gox_sim_frame_pop()
    with pytest.raises(GoxABIError, match="gox_sim_frame_pop"):
        rt.gox_sim_frame_pop()


def test_scan_counts_non_nil_mapped_slots(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [0, 8, 16])
    sp = rt.gox_sim_frame_push(0x100, 24)
    a, b = gstr(rt, "a"), gstr(rt, "b")
    rt.gox_sim_stack_write(sp, a)
    rt.gox_sim_stack_write(sp + 16, b)
    assert rt.gox_stack_map_scan() == 2
    # frames at an unmapped ip contribute nothing
    sp2 = rt.gox_sim_frame_push(0x999, 8)
    rt.gox_sim_stack_write(sp2, a)
    assert rt.gox_stack_map_scan() == 2


def test_scan_marks_gray_while_propagating(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [0])
    sp = rt.gox_sim_frame_push(0x100, 8)
    s = gstr(rt, "x")
    for word in ("p", "q", "r"):
        rt.gox_gc_pin(gstr(rt, word))
    rt.gox_gc_tune(0, 0, 8, 0)  # tiny steps: the cycle stays in PROPAGATE
    rt.gox_gc_step()
    assert rt.gox_gc_stats().state == GcState.PROPAGATE
    assert rt.object_color(s) == "white"
    rt.gox_sim_stack_write(sp, s)
    assert rt.gox_stack_map_scan() == 1
    assert rt.object_color(s) == "gray"
    while not rt.gox_gc_step():
        pass
    assert sread(rt, s) == b"x"


def test_mapped_stack_slot_roots_object(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [8])
    sp = rt.gox_sim_frame_push(0x100, 16)
    kept, lost = gstr(rt, "kept"), gstr(rt, "lost")
    rt.gox_sim_stack_write(sp + 8, kept)
    rt.gox_sim_stack_write(sp, lost)  # an unmapped slot of the same frame
    rt.gox_collect_garbage()
    assert sread(rt, rt.gox_sim_stack_read(sp + 8)) == b"kept"
    assert not rt.is_live(lost)
    # once the frame is popped, its referent is garbage
    rt.gox_sim_frame_pop()
    rt.gox_collect_garbage()
    assert not rt.is_live(kept)


def test_outer_frames_scanned_too(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [0])
    rt.gox_stack_map_register(0x200, [8])
    outer = rt.gox_sim_frame_push(0x100, 8)
    inner = rt.gox_sim_frame_push(0x200, 16)
    a, b, c = gstr(rt, "outer"), gstr(rt, "inner"), gstr(rt, "nothing")
    rt.gox_sim_stack_write(outer, a)
    rt.gox_sim_stack_write(inner + 8, b)
    rt.gox_sim_stack_write(inner, c)
    assert rt.gox_stack_map_scan() == 2
    rt.gox_collect_garbage()
    assert rt.is_live(a) and rt.is_live(b) and not rt.is_live(c)
    roots = [w for w, _ in rt.heap_snapshot().roots]
    assert roots == ["stack slot sp+8 of the frame at ip 0x200", "stack slot sp+0 of the frame at ip 0x100"]


def test_clearing_maps_unroots(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [0])
    sp = rt.gox_sim_frame_push(0x100, 8)
    s = gstr(rt, "x")
    rt.gox_sim_stack_write(sp, s)
    rt.gox_stack_map_clear()
    assert rt.gox_stack_map_scan() == 0
    rt.gox_collect_garbage()
    assert not rt.is_live(s)


def test_scan_refuses_non_reference_in_mapped_slot(rt: Runtime) -> None:
    rt.gox_stack_map_register(0x100, [0])
    sp = rt.gox_sim_frame_push(0x100, 8)
    rt.gox_sim_stack_write(sp, 0x1234)
    with pytest.raises(GoxABIError, match="gox_stack_map_scan"):
        rt.gox_stack_map_scan()
