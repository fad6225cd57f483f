"""Every heap-half symbol on the native runtime: values, panics and ABI errors as the reference
gives them (the differential machine covers random sequences; these pin concrete behaviour)."""

from __future__ import annotations

import io
import struct
from collections.abc import Iterator, Sequence

import pytest

from gox_abi.externs import ExternHost, ExternSpec
from gox_ref import GoxABIError, GoxPanic
from gox_ref import ValueKind as K

native = pytest.importorskip("gox_ref_native")
from gox_ref_native import NativeRuntime  # noqa: E402

NO_TYPE = 0xFFFF
TOP = 0x7FFF_0000_0000


@pytest.fixture
def out() -> io.BytesIO:
    return io.BytesIO()


@pytest.fixture
def rt(out: io.BytesIO) -> Iterator[NativeRuntime]:
    r = NativeRuntime(out=out)
    yield r
    r.close()


def f64(x: float) -> int:
    return int(struct.unpack("<Q", struct.pack("<d", x))[0])


def test_gc_objects_slots_and_collection(rt: NativeRuntime) -> None:
    tid = rt.gox_type_register(b"Node", bytes([1, 0, 2, 3]))
    assert rt.gox_type_slot_count(tid) == 4
    node = rt.gox_rt_alloc(K.STRUCT, tid, 4)
    rt.gox_gc_pin(node)
    child = rt.gox_rt_box(K.BOXED_INT, 7)
    rt.gox_gc_write_slot(node, 0, child)
    rt.gox_gc_write_slot(node, 1, 99)
    assert rt.gox_gc_read_slot(node, 1) == 99
    with pytest.raises(GoxABIError, match=r"^gox_gc_write_slot: slot 0 \(a reference slot\) takes a reference or 0, but 0x2a"):
        rt.gox_gc_write_slot(node, 0, 0x2A)
    with pytest.raises(GoxABIError, match=r"slot index 4 out of range for 21 \(Struct\) object 0x10000010 with 4 slots"):
        rt.gox_gc_read_slot(node, 4)
    rt.gox_rt_write_barrier(node, child)
    rt.gox_rt_mark_gray(node)
    garbage = rt.gox_rt_box(K.BOXED_FLOAT, f64(2.0))
    rt.gox_collect_garbage()
    st = rt.gox_gc_stats()
    assert (st.cycles, st.live_objects, st.freed_objects, st.live_bytes) == (1, 2, 1, 40 + 16)
    with pytest.raises(GoxABIError, match=r"0x10000030 is a freed reference \(object #3\)"):
        rt.gox_box_get(garbage)
    assert rt.gox_box_get(child) == 7
    rt.gox_gc_pause()
    assert rt.gox_gc_step() is False
    with pytest.raises(GoxABIError, match=r"the collector is paused"):
        rt.gox_collect_garbage()
    rt.gox_gc_resume()
    with pytest.raises(GoxABIError, match=r"not paused"):
        rt.gox_gc_resume()
    rt.gox_gc_tune(100, 100, 8, 64)
    with pytest.raises(GoxABIError, match=r"step_size=4"):
        rt.gox_gc_tune(0, 0, 4, 0)
    steps = 0
    while not rt.gox_gc_step():
        steps += 1
    assert rt.gox_gc_stats().cycles == 2
    rt.gox_gc_unpin(node)
    with pytest.raises(GoxABIError, match=r"is not pinned"):
        rt.gox_gc_unpin(node)
    rt.gox_init_gc()
    assert rt.gox_gc_stats().live_objects == 0
    with pytest.raises(GoxABIError, match=r"freed reference"):
        rt.gox_gc_read_slot(node, 0)


def test_incremental_cycle_and_barrier(rt: NativeRuntime) -> None:
    rt.gox_gc_tune(100, 100, 8, 64)
    rt.gox_init_globals(1, [True])
    parent = rt.gox_rt_alloc(K.POINTER, K.STRING, 1)
    rt.gox_rt_set_global(0, parent)
    assert rt.gox_rt_get_global(0) == parent
    assert rt.gox_globals_count() == 1 and rt.gox_global_is_ref(0)
    rt.gox_gc_step()  # starts a cycle, blackens the root
    s = rt.gox_rt_string_from_ptr(b"late")
    rt.gox_upval_box_set(parent, s)  # the barrier grays s
    while not rt.gox_gc_step():
        pass
    assert rt.gox_string_read(rt.gox_upval_box_get(parent)) == b"late"
    snap = rt.heap_snapshot()
    assert [o.kind for o in snap.objects] == ["Pointer", "Array", "String"]
    assert snap.roots == (("global 0", 0x10000010),)
    assert "digraph heap" in rt.heap_dot()


def test_strings(rt: NativeRuntime) -> None:
    a = rt.gox_rt_string_from_ptr(b"h\xc3\xa9llo")
    b = rt.gox_rt_string_from_ptr(b", world")
    c = rt.gox_rt_string_concat(a, b)
    assert rt.gox_string_read(c) == b"h\xc3\xa9llo, world"
    assert rt.gox_rt_string_concat(a, 0) == a
    assert rt.gox_string_len(c) == 13 and rt.gox_string_len(0) == 0
    assert rt.gox_string_index(a, 1) == 0xC3
    with pytest.raises(GoxPanic, match=r"^runtime error: index out of range \[6\] with length 6$"):
        rt.gox_string_index(a, 6)
    v = rt.gox_rt_string_slice(c, 1, 3)
    assert rt.gox_string_read(v) == b"\xc3\xa9"
    assert rt.gox_rt_string_slice(c, 2, 2) == 0
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[:20\] with length 13$"):
        rt.gox_rt_string_slice(c, 0, 20)
    assert rt.gox_string_decode_rune(a, 1) == (0xE9, 2)
    assert rt.gox_string_decode_rune(a, 2) == (0xFFFD, 1)
    assert rt.gox_string_cmp(a, b) == 1 and rt.gox_string_cmp(b, a) == -1
    assert rt.gox_string_eq(a, a) and rt.gox_string_ne(a, b)
    assert rt.gox_string_lt(b, a) and rt.gox_string_le(a, a)
    assert rt.gox_string_gt(a, b) and rt.gox_string_ge(a, 0)
    with pytest.raises(GoxABIError, match=r"expected a 15 \(String\) object"):
        rt.gox_string_len(rt.gox_rt_box(K.BOXED_INT, 1))


def test_arrays(rt: NativeRuntime) -> None:
    arr = rt.gox_rt_array_create(K.INT8, NO_TYPE, 10)
    rt.gox_array_set(arr, 3, 0xFF)
    assert rt.gox_array_get(arr, 3) == 2**64 - 1  # sign-extended -1
    assert rt.gox_array_len(arr) == 10
    with pytest.raises(GoxPanic, match=r"^runtime error: index out of range \[-1\]$"):
        rt.gox_array_get(arr, -1)
    sl = rt.gox_rt_array_slice(arr, 2, 5)
    assert (rt.gox_slice_len(sl), rt.gox_slice_cap(sl), rt.gox_slice_get(sl, 1)) == (3, 8, 2**64 - 1)
    with pytest.raises(GoxPanic, match=r"makeslice: len out of range"):
        rt.gox_rt_array_create(K.INT, NO_TYPE, 70000)
    s = rt.gox_rt_string_from_ptr(b"abc")
    byte_array = rt.gox_gc_read_slot(s, 0)
    with pytest.raises(GoxABIError, match=r"immutable"):
        rt.gox_array_set(byte_array, 0, 1)


def test_slices(rt: NativeRuntime) -> None:
    s = 0
    caps = []
    for i in range(300):
        s = rt.gox_rt_slice_append(K.INT, NO_TYPE, s, i)
        caps.append(rt.gox_slice_cap(s))
    assert sorted(set(caps))[:6] == [1, 2, 4, 8, 16, 32] and 512 in caps
    assert rt.gox_slice_get(s, 299) == 299
    t = rt.gox_rt_slice_create(K.INT, NO_TYPE, 2, 5)
    rt.gox_slice_set(t, 1, 5)
    assert rt.gox_slice_copy(t, s) == 2 and rt.gox_slice_get(t, 1) == 1
    u = rt.gox_rt_slice_slice(t, 1, 4)
    assert (rt.gox_slice_len(u), rt.gox_slice_cap(u)) == (3, 4)
    w = rt.gox_rt_slice_slice3(t, 0, 1, 2)
    assert rt.gox_slice_cap(w) == 2
    with pytest.raises(GoxPanic, match=r"^runtime error: slice bounds out of range \[::9\] with capacity 5$"):
        rt.gox_rt_slice_slice3(t, 0, 1, 9)
    with pytest.raises(GoxPanic, match=r"makeslice: cap out of range"):
        rt.gox_rt_slice_create(K.INT, NO_TYPE, 3, 2)
    with pytest.raises(GoxABIError, match=r"element kinds differ"):
        rt.gox_slice_copy(t, rt.gox_rt_slice_create(K.UINT8, NO_TYPE, 1, 1))


def test_closures_and_boxes(rt: NativeRuntime) -> None:
    tid = rt.gox_type_register(b"env", bytes([0, 1]))
    c = rt.gox_rt_closure_create(42, tid, 2)
    assert rt.gox_closure_func_id(c) == 42 and rt.gox_closure_upval_count(c) == 2
    box = rt.gox_rt_upval_box_create(K.INT16, 0xFFFF)
    assert rt.gox_upval_box_get(box) == 2**64 - 1
    rt.gox_closure_set_upvalue(c, 1, box)
    rt.gox_closure_set_upvalue(c, 0, 5)
    assert rt.gox_closure_get_upvalue(c, 1) == box
    with pytest.raises(GoxABIError, match=r"upvalue index 2 out of range for closure 0x10000010 with 2 upvalues"):
        rt.gox_closure_get_upvalue(c, 2)
    rt.gox_upval_box_set(box, 3)
    assert rt.gox_upval_box_get(box) == 3


def test_interfaces(rt: NativeRuntime) -> None:
    slot0 = rt.gox_interface_pack(3, 7, K.BOXED_INT)
    assert slot0 == (3 << 32) | (7 << 16) | 24
    assert rt.gox_interface_unbox_type(slot0) == 7 and rt.gox_interface_iface_type(slot0) == 3
    assert rt.gox_interface_unbox_kind(slot0) == 24 and not rt.gox_interface_is_nil(slot0)
    assert rt.gox_interface_unbox_data(slot0, 9) == 9 and rt.gox_interface_unbox_data(0, 9) == 0
    with pytest.raises(GoxABIError, match=r"cannot be held by an interface"):
        rt.gox_interface_pack(0, 0, K.INTERFACE)
    b = rt.gox_rt_box(K.BOXED_BOOL, 5)
    assert rt.gox_box_get(b) == 1


def test_maps(rt: NativeRuntime) -> None:
    m = rt.gox_rt_map_new(K.STRING, K.INT)
    rt.gox_gc_pin(m)
    k1 = rt.gox_rt_string_from_ptr(b"key")
    k2 = rt.gox_rt_string_from_ptr(b"key")
    rt.gox_map_set(m, k1, 1)
    rt.gox_map_set(m, k2, 2)
    assert rt.gox_map_len(m) == 1 and rt.gox_map_get(m, k1) == (2, True)
    rt.gox_map_delete(m, k1)
    assert rt.gox_map_get(m, k2) == (0, False)
    fm = rt.gox_rt_map_new(K.FLOAT64, K.INT)
    rt.gox_map_set(fm, f64(0.0), 1)
    rt.gox_map_set(fm, f64(-0.0), 2)
    rt.gox_map_set(fm, f64(float("nan")), 3)
    rt.gox_map_set(fm, f64(float("nan")), 4)
    assert rt.gox_map_len(fm) == 3 and rt.gox_map_get(fm, f64(0.0)) == (2, True)
    assert rt.gox_map_get(fm, f64(float("nan"))) == (0, False)
    with pytest.raises(GoxPanic, match=r"^assignment to entry in nil map$"):
        rt.gox_map_set(0, 1, 1)
    assert rt.gox_map_len(0) == 0 and rt.gox_map_get(0, 1) == (0, False)
    rt.gox_map_delete(0, 1)


def test_functable_symbols_externs(rt: NativeRuntime) -> None:
    rt.gox_init_func_table(3)
    assert rt.gox_func_table_len() == 3

    def f(host: object, x: int) -> int:
        return x + 1

    rt.gox_set_func_ptr(0, f)
    rt.gox_set_func_ptr(1, 0x401000)
    assert rt.gox_func_table_get(0) is f and rt.gox_func_table_get(1) == 0x401000
    assert rt.gox_func_table_ptr() == (f, 0x401000, None)
    with pytest.raises(GoxABIError, match=r"unknown function id 3; expected 0\.\.2"):
        rt.gox_func_table_get(3)
    assert rt.gox_symbols_count() > 80 and rt.gox_symbols_name(0) == b"gox_init_gc"

    def add(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
        return [args[0] + args[1]]

    def greet(host: ExternHost, args: Sequence[int]) -> Sequence[int]:
        return [host.gox_rt_string_from_ptr(b"hi " + host.gox_string_read(args[0]))]

    rt.gox_register_extern(500, ExternSpec("t.Add", ("int", "int"), ("int",), add))
    rt.gox_register_extern(501, ExternSpec("t.Greet", ("string",), ("string",), greet))
    assert rt.gox_extern_lookup(b"t.Add") == 500
    assert rt.gox_extern_call(500, [40, 2], 1) == [42]
    s = rt.gox_extern_call(501, [rt.gox_rt_string_from_ptr(b"bob")], 1)[0]
    assert rt.gox_string_read(s) == b"hi bob"
    with pytest.raises(GoxABIError, match=r"takes 2 args and returns 1 slots"):
        rt.gox_extern_call(500, [1], 1)
    assert rt.gox_extern_lookup(b"math.Sqrt") == 1  # the stdlib: tests/test_native_stdlib.py
    with pytest.raises(GoxABIError, match=r"unknown extern 'math.Cbrt'"):
        rt.gox_extern_lookup(b"math.Cbrt")


def test_stack_maps_and_sim_stack(rt: NativeRuntime) -> None:
    rt.gox_stack_map_register(0x401000, [8, 0])
    rt.gox_stack_map_register_batch(0x400000, [(0x10, [16]), (0x20, [])])
    assert rt.gox_stack_map_lookup(0x401000) == (8, 0)
    assert rt.gox_stack_map_lookup(0x400010) == (16,)
    assert rt.gox_stack_map_lookup(0x400020) is None
    sp = rt.gox_sim_frame_push(0x401000, 16)
    assert sp == TOP - 16
    s = rt.gox_rt_string_from_ptr(b"rooted")
    rt.gox_sim_stack_write(sp + 8, s)
    assert rt.gox_sim_stack_read(sp + 8) == s
    rt.gox_collect_garbage()
    assert rt.gox_string_read(s) == b"rooted"
    assert rt.gox_stack_map_scan() == 1
    rt.gox_sim_stack_write(sp, 0x2A)
    with pytest.raises(GoxABIError, match=r"^gc: stack slot sp\+0 of the frame at ip 0x401000 holds 0x2a"):
        rt.gox_collect_garbage()
    rt.gox_sim_frame_pop()
    with pytest.raises(GoxABIError, match=r"the simulated stack is empty"):
        rt.gox_sim_frame_pop()
    rt.gox_stack_map_clear()
    assert rt.gox_stack_map_lookup(0x401000) is None


def test_debug_and_asserts(rt: NativeRuntime, out: io.BytesIO) -> None:
    for bits in (f64(1.5), f64(-0.0), f64(float("nan")), f64(float("-inf")), f64(123456789.0), f64(1e-300)):
        rt.gox_debug_print(bits, K.FLOAT64)
    rt.gox_debug_print(0x3FC00000, K.FLOAT32)
    rt.gox_debug_write(0xFF, K.INT8)
    rt.gox_debug_print(0, K.SLICE)
    assert out.getvalue() == (
        b"+1.500000e+000\n-0.000000e+000\nNaN\n-Inf\n+1.234568e+008\n+1.000000e-300\n+1.500000e+000\n-1[0/0]0x0\n"
    )
    rt.gox_assert_begin()
    rt.gox_assert_arg(3, K.INT)
    rt.gox_assert_arg(rt.gox_rt_string_from_ptr(b"x"), K.STRING)
    with pytest.raises(GoxPanic, match=r"^assertion failed: 3 x$"):
        rt.gox_assert_end(False)
    with pytest.raises(GoxABIError, match=r"no assertion is open"):
        rt.gox_assert_end(True)
