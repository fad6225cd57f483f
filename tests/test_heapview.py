"""Seeing the heap: snapshots and DOT output of the whole heap, and the inspection calls
(``is_live``, ``object_kind``, ``object_slots``, ``object_color``) for one object."""

from __future__ import annotations

import re

import pytest
from conftest import NO_TYPE, K, Runtime, gstr, new_runtime

from gox_abi.heapview import SUMMARY_OVER, ObjectLabel, readable, to_dot
from gox_abi.layout import HEAP_BASE
from gox_ref import GcState, GoxABIError, SlotType


# -- snapshots ---------------------------------------------------------------------------------
def test_snapshot_lists_objects(rt: Runtime) -> None:
    rt.gox_init_globals(1, [True])
    s = gstr(rt, "hi")
    rt.gox_rt_set_global(0, s)
    snap = rt.heap_snapshot()
    assert snap.state == "PAUSE"
    kinds = [o.kind for o in snap.objects]
    assert kinds == ["Array", "String"]  # the byte array, then the string over it
    arr, string = snap.objects
    assert arr.num == 1 and string.num == 2
    # a snapshot shows canonical addresses (the reference's own references differ per instance)
    assert string.ref == rt.canonical(s) == HEAP_BASE + 16 * 2 != s
    assert string.refs == (arr.ref,)
    assert string.slots == (arr.ref, 0, 2)
    assert snap.roots == (("global 0", string.ref),)
    assert snap.by_ref()[string.ref] is string
    assert string.color == "white"


def test_snapshot_canonical_uses_allocation_numbers(backend: str, rt: Runtime) -> None:
    s = gstr(rt, "hi")
    canon = rt.heap_snapshot().canonical()
    state, objects, roots = canon
    assert state == "PAUSE" and roots == ()
    assert isinstance(objects, tuple)
    string = objects[1]
    assert string[0] == 2 and string[1] == "String"
    assert string[6] == (("ref", 1), 0, 2)  # slot 0 canonicalized to the array's number
    assert string[7] == (1,)
    other = new_runtime(backend)
    gstr(other, "hi")
    assert other.heap_snapshot().canonical() == canon
    assert s


def test_snapshot_hides_map_state(rt: Runtime) -> None:
    m = rt.gox_rt_map_new(K.STRING, K.STRING)
    rt.gox_map_set(m, gstr(rt, "k"), gstr(rt, "v"))
    view = rt.heap_snapshot().by_ref()[rt.canonical(m)]
    assert view.slots == (None, K.STRING, K.STRING)
    assert len(view.refs) == 2  # key and value strings


def test_snapshot_type_names_and_colors(rt: Runtime) -> None:
    t = rt.gox_type_register(b"main.Point", bytes([SlotType.VALUE, SlotType.GC_REF]))
    p = rt.gox_rt_alloc(K.STRUCT, t, 2)
    c = rt.gox_rt_closure_create(1, t, 2)
    by = rt.heap_snapshot().by_ref()
    assert by[rt.canonical(p)].type_name == "main.Point" and by[rt.canonical(c)].type_name == "main.Point"
    rt.gox_gc_pin(p)
    rt.gox_collect_garbage()
    assert [o.ref for o in rt.heap_snapshot().objects] == [rt.canonical(p)]


def test_dot(rt: Runtime) -> None:
    rt.gox_init_globals(1, [True])
    sl = rt.gox_rt_slice_create(K.STRING, NO_TYPE, 1, 1)
    rt.gox_rt_set_global(0, sl)
    rt.gox_slice_set(sl, 0, gstr(rt, "x"))
    dot = rt.heap_dot("my heap")
    assert dot.startswith("digraph heap {\n") and dot.endswith("}\n")
    assert 'label="my heap (GC state PAUSE)"' in dot
    nodes = re.findall(r"^  o(\d+) \[label=", dot, re.M)
    assert nodes == ["1", "2", "3", "4"]  # array, slice, byte array, string
    # each edge is labelled with the slot it comes from (before: every edge was labelled 0)
    assert '  o2 -> o1 [label="array", constraint=false];' in dot  # slice -> its array
    assert '  o1 -> o4 [label="[0]", constraint=false];' in dot  # array element 0 -> string
    assert '  o4 -> o3 [label="bytes", constraint=false];' in dot  # string -> bytes
    assert '  r0 [shape=plaintext, style="", label="global 0"];' in dot
    assert "  r0 -> o2 [style=dashed];" in dot
    assert "  legend [shape=note, " in dot and "pink,\\lwhite(dead): garbage the sweep frees" in dot
    assert "  { rank=same; o1; o2; o3; o4; }" in dot  # a row, in allocation order


def test_dot_escapes_names(rt: Runtime) -> None:
    t = rt.gox_type_register(b'main.T{"x"|<y>}', bytes([SlotType.VALUE]))
    rt.gox_rt_alloc(K.STRUCT, t, 1)
    dot = rt.heap_dot('a "quoted" title')
    assert 'label="a \\"quoted\\" title' in dot
    assert '>#1 Struct main.T{"x"|&lt;y&gt;} 0x10000010<' in dot  # an HTML-like label
    # every quoted string is properly closed: an even number of unescaped quotes per line
    for line in dot.splitlines():
        assert len(re.findall(r'(?<!\\)"', line)) % 2 == 0, line


def test_dot_long_objects_elided_with_a_count(rt: Runtime) -> None:
    a = rt.gox_rt_array_create(K.INT, NO_TYPE, 20)
    rt.gox_array_set(a, 0, 7)
    dot = rt.heap_dot()
    # the header slots by name, the first 8 elements by index, the rest counted
    cells = re.findall(r'<td><font color="black">([^<]*)</font></td>', dot)
    assert cells == ["Int x 20", "[0] = 7", *(f"[{i}] = 0" for i in range(1, 8)), "... 12 more slots"]


def _label(rt: Runtime, ref: int) -> ObjectLabel:
    snap = rt.heap_snapshot()
    return readable(snap.by_ref()[rt.canonical(ref)], snap.by_ref().get)


def test_readable_strings_structs_and_headers(rt: Runtime) -> None:
    # a string shows as its text, not as packed bytes (before: '#1 0 7', bytes as 9056056326776168)
    s = gstr(rt, "hello, ")
    assert _label(rt, s) == ObjectLabel("#2 String", ('"hello, " (7 bytes)',), (("bytes", 1),))
    long = gstr(rt, "x" * 40)
    assert _label(rt, long).fields == (f'"{"x" * 32}..." (40 bytes)',)
    # its byte array: element kind and count, then the bytes
    arr = rt.heap_snapshot().objects[0]
    assert readable(arr, rt.heap_snapshot().by_ref().get).fields == ("Uint8 x 7, 1-byte elements", "'hello, '")
    # struct slots by index, references as arrows, the type named
    t = rt.gox_type_register(b"main.Node", bytes([SlotType.GC_REF, SlotType.VALUE]))
    n = rt.gox_rt_alloc(K.STRUCT, t, 2)
    rt.gox_gc_pin(n)
    rt.gox_gc_write_slot_barrier(n, 0, s)
    rt.gox_gc_write_slot(n, 1, 5)
    assert _label(rt, n) == ObjectLabel("#5 Struct main.Node", ("[0] -> #2", "[1] = 5"), (("[0]", 2),))
    # a slice's header slots by name
    sl = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 3)
    lab = _label(rt, sl)
    assert lab.fields[1:] == ("start = 0", "len = 2", "cap = 3") and lab.edges == (("array", 6),)


def test_large_heap_is_summarised_and_focus_draws_a_neighbourhood(rt: Runtime) -> None:
    t = rt.gox_type_register(b"main.Node", bytes([SlotType.GC_REF]))
    rt.gox_init_globals(1, [True])
    head = 0
    for _ in range(SUMMARY_OVER + 1):
        n = rt.gox_rt_alloc(K.STRUCT, t, 1)
        rt.gox_gc_write_slot_barrier(n, 0, head)
        rt.gox_rt_set_global(0, n)
        head = n
    snap = rt.heap_snapshot()
    dot = to_dot(snap)
    assert "  summary [shape=record, label=" in dot and "{Struct main.Node|301|0|0|0}" in dot
    assert "  o1 [" not in dot and "--focus N" in dot
    focused = to_dot(snap, focus=150)
    assert re.findall(r"^  o(\d+) \[label=", focused, re.M) == ["149", "150", "151"]
    assert "object #150 and its 2 neighbours" in focused
    assert '  o150 -> o149 [label="[0]", constraint=false];' in focused


# -- inspection: one object ------------------------------------------------------------------
def test_inspection_shows_what_the_snapshot_shows(rt: Runtime) -> None:
    t = rt.gox_type_register(b"P", bytes([SlotType.VALUE, SlotType.GC_REF]))
    p = rt.gox_rt_alloc(K.STRUCT, t, 2)
    rt.gox_gc_pin(p)
    s = gstr(rt, "hi")
    rt.gox_gc_write_slot(p, 0, 7)
    rt.gox_gc_write_slot(p, 1, s)
    m = rt.gox_rt_map_new(K.INT, K.INT)
    refs = [p, rt.gox_gc_read_slot(s, 0), s, m, rt.gox_rt_closure_create(3, NO_TYPE, 1)]
    assert rt.heap_objects() == refs  # in allocation order: the string's byte array before it
    by = rt.heap_snapshot().by_ref()
    for r in refs:
        view = by[rt.canonical(r)]
        assert rt.is_live(r)
        assert rt.object_kind(r).name.title().replace("_", "") == view.kind
        assert rt.object_color(r) == view.color == "white"
        slots = rt.object_slots(r)
        assert [rt.gox_gc_read_slot(r, i) for i in range(len(slots))] == slots  # the raw slots
        shown: list[int | None] = [rt.canonical(v) for v in slots]
        if r == m:
            shown[0] = None  # a map's slot 0, its opaque handle, is hidden in snapshots
        assert tuple(shown) == view.slots
    assert rt.object_slots(p) == [7, s] and rt.object_kind(p) == K.STRUCT
    rt.object_slots(p)[0] = 99  # a copy
    assert rt.gox_gc_read_slot(p, 0) == 7


def test_inspection_through_a_sweep(rt: Runtime) -> None:
    """An object that was unreachable at the atomic step is no longer live but still there
    (white(dead)) until the sweep frees it; then only is_live answers."""
    keep, doomed = gstr(rt, "keep"), gstr(rt, "doomed")
    rt.gox_gc_pin(keep)
    rt.gox_gc_tune(100, 100, 8, 1 << 30)
    while rt.gox_gc_stats().state != GcState.SWEEP:
        rt.gox_gc_step()
    assert (rt.is_live(doomed), rt.object_color(doomed), rt.object_kind(doomed)) == (False, "white(dead)", K.STRING)
    assert rt.object_slots(doomed)[1:] == [0, 6]
    assert rt.is_live(keep) and rt.object_color(keep) != "white(dead)"
    while rt.gox_gc_stats().state != GcState.PAUSE:
        rt.gox_gc_step()
    assert not rt.is_live(doomed)
    num = rt.ref_number(doomed)
    for fn in ("object_kind", "object_slots", "object_color"):
        with pytest.raises(GoxABIError) as info:
            getattr(rt, fn)(doomed)
        assert str(info.value) == (
            f"{fn}: {HEAP_BASE + 16 * num:#x} is a freed reference (object #{num}); "
            "expected an object not yet freed (live or awaiting the sweep)"
        )


def test_inspection_refuses_what_is_no_reference(backend: str, rt: Runtime) -> None:
    other = new_runtime(backend)
    foreign = gstr(other, "theirs")
    gstr(rt, "mine")
    for val in (0, 0x1234, HEAP_BASE + 16 * 2, foreign):
        assert not rt.is_live(val)
        with pytest.raises(GoxABIError) as info:
            rt.object_kind(val)
        what = "nil reference" if val == 0 else f"{val:#x} is not a reference the heap ever allocated"
        assert str(info.value) == f"object_kind: {what}; expected an object not yet freed (live or awaiting the sweep)"
    for bad in (-1, 2**64, "x", True, 1.0, None):
        for fn in ("is_live", "object_slots"):
            with pytest.raises(GoxABIError) as info:
                getattr(rt, fn)(bad)
            assert str(info.value) == f"{fn}: ref={bad!r} is not a reference; expected an int in 0..2**64-1"
