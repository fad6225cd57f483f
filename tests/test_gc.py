"""The collector's documented rules, one test each: roots, precise scanning, the trigger
rule and step sizes (a timeline pinned exactly, so a second implementation can be held to
it), the barrier, the pause counter, statistics and use-after-free detection."""

from __future__ import annotations

import itertools

import pytest
from conftest import Runtime, new_runtime

from gox_ref import GcState, GoxABIError, SlotType, ValueKind

K = ValueKind
NODE = bytes([SlotType.GC_REF, SlotType.GC_REF, SlotType.VALUE])  # 3 slots: 32 bytes


def node_rt(backend: str) -> tuple[Runtime, int]:
    rt = new_runtime(backend)
    return rt, rt.gox_type_register(b"Node", NODE)


def state(rt: Runtime) -> GcState:
    return GcState(rt.gox_gc_stats().state)


def start_marking(rt: Runtime, node: int, first: int, link: int = 0) -> None:
    """Root ``first`` with a tail of 3 more nodes (linked through slot ``link``) and run one
    64-byte step: ``first`` and the next object popped become black, and the cycle is still
    propagating."""
    rt.gox_gc_tune(100, 100, 64, 1 << 30)
    prev = first
    for _ in range(3):
        nxt = rt.gox_rt_alloc(K.STRUCT, node, 3)
        rt.gox_gc_write_slot(prev, link, nxt)
        prev = nxt
    rt.gox_gc_pin(first)
    rt.gox_gc_step()
    assert state(rt) == GcState.PROPAGATE
    assert rt.object_color(first) == "black"


def alive(rt: Runtime, *refs: int) -> list[bool]:
    return [rt.is_live(r) for r in refs]


# -- roots and precise scanning ---------------------------------------------------------------


def test_unrooted_objects_are_freed_and_rooted_ones_kept(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_init_globals(2, [True, False])
    g = rt.gox_rt_alloc(K.STRUCT, node, 3)
    not_a_root = rt.gox_rt_alloc(K.STRUCT, node, 3)
    pinned = rt.gox_rt_alloc(K.STRUCT, node, 3)
    garbage = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_rt_set_global(0, g)
    rt.gox_rt_set_global(1, not_a_root)  # global 1 is not a reference global
    rt.gox_gc_pin(pinned)
    rt.gox_collect_garbage()
    assert alive(rt, g, not_a_root, pinned, garbage) == [True, False, True, False]
    rt.gox_gc_unpin(pinned)
    rt.gox_collect_garbage()
    assert alive(rt, g, pinned) == [True, False]


def test_reference_chains_are_traced_through_every_kind(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_init_globals(1, [True])
    # struct -> closure -> upval box -> slice -> array of strings -> string -> bytes
    root = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_rt_set_global(0, root)
    clo_layout = rt.gox_type_register(b"clo", bytes([SlotType.VALUE, SlotType.GC_REF]))
    clo = rt.gox_rt_closure_create(7, clo_layout, 2)
    rt.gox_gc_write_slot(root, 0, clo)
    s = rt.gox_rt_string_from_ptr(b"kept")
    strs = rt.gox_rt_slice_create(K.STRING, 0, 1, 1)
    rt.gox_slice_set(strs, 0, s)
    box = rt.gox_rt_upval_box_create(K.SLICE, strs)
    rt.gox_closure_set_upvalue(clo, 1, box)
    # a map from string keys to boxed ints, reached through the struct's second slot
    m = rt.gox_rt_map_new(K.STRING, K.BOXED_INT)
    key = rt.gox_rt_string_from_ptr(b"k")
    val = rt.gox_rt_box(K.BOXED_INT, 5)
    rt.gox_map_set(m, key, val)
    rt.gox_gc_write_slot(root, 1, m)
    # an interface slot in a struct: the data slot is a reference only for reference kinds
    iface_t = rt.gox_type_register(b"I", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1]))
    holder = rt.gox_rt_alloc(K.STRUCT, iface_t, 2)
    boxed = rt.gox_rt_box(K.BOXED_FLOAT, 0)
    rt.gox_gc_write_slot(holder, 0, rt.gox_interface_pack(1, 2, K.BOXED_FLOAT))
    rt.gox_gc_write_slot(holder, 1, boxed)
    rt.gox_map_set(m, rt.gox_rt_string_from_ptr(b"h"), 0)
    garbage = rt.gox_rt_string_from_ptr(b"garbage")
    rt.gox_gc_pin(holder)
    rt.gox_collect_garbage()
    assert all(alive(rt, root, clo, box, strs, s, m, key, val, holder, boxed))
    assert rt.gox_string_read(rt.gox_slice_get(rt.gox_upval_box_get(rt.gox_closure_get_upvalue(clo, 1)), 0)) == b"kept"
    assert alive(rt, garbage) == [False]


def test_scanning_is_precise(backend: str) -> None:
    """A value slot that happens to hold a live object's address does not keep it alive,
    and neither does an interface whose kind is not a reference kind."""
    rt, node = node_rt(backend)
    root = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_pin(root)
    victim = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_write_slot(root, 2, victim)  # slot 2 is a Value slot
    iface_t = rt.gox_type_register(b"I", bytes([SlotType.INTERFACE0, SlotType.INTERFACE1]))
    holder = rt.gox_rt_alloc(K.STRUCT, iface_t, 2)
    rt.gox_gc_pin(holder)
    victim2 = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_write_slot(holder, 0, rt.gox_interface_pack(0, 0, K.INT))
    rt.gox_gc_write_slot(holder, 1, victim2)  # an int that looks like an address
    ints = rt.gox_rt_array_create(K.UINT64, 0, 1)
    rt.gox_gc_pin(ints)
    victim3 = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_array_set(ints, 0, victim3)
    rt.gox_collect_garbage()
    assert alive(rt, root, victim, holder, victim2, victim3) == [True, False, True, False, False]


def test_struct_elements_of_arrays_are_scanned_by_their_layout(backend: str) -> None:
    rt, node = node_rt(backend)
    arr = rt.gox_rt_array_create(K.STRUCT, node, 3)  # 3 elements x 3 slots
    rt.gox_gc_pin(arr)
    kept = rt.gox_rt_string_from_ptr(b"x")
    dropped = rt.gox_rt_string_from_ptr(b"y")
    rt.gox_gc_write_slot(arr, 4 + 2 * 3 + 1, kept)  # element 2, field 1 (a reference)
    rt.gox_gc_write_slot(arr, 4 + 1 * 3 + 2, dropped)  # element 1, field 2 (a value)
    rt.gox_collect_garbage()
    assert alive(rt, kept, dropped) == [True, False]


def test_stack_maps_root_only_described_slots(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_stack_map_register(0x401000, [8])
    sp = rt.gox_sim_frame_push(0x401000, 16)
    described = rt.gox_rt_alloc(K.STRUCT, node, 3)
    undescribed = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_sim_stack_write(sp + 8, described)
    rt.gox_sim_stack_write(sp, undescribed)
    # a frame suspended at an address without a map is not scanned at all
    sp2 = rt.gox_sim_frame_push(0x402000, 16)
    unmapped = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_sim_stack_write(sp2 + 8, unmapped)
    rt.gox_collect_garbage()
    assert alive(rt, described, undescribed, unmapped) == [True, False, False]
    rt.gox_sim_frame_pop()
    rt.gox_sim_frame_pop()
    rt.gox_collect_garbage()
    assert alive(rt, described) == [False]


def test_a_mapped_slot_holding_a_dangling_reference_is_reported(backend: str) -> None:
    rt, _ = node_rt(backend)
    rt.gox_stack_map_register(0x401000, [0])
    sp = rt.gox_sim_frame_push(0x401000, 8)
    rt.gox_sim_stack_write(sp, 0x1234_5670)
    before = rt.heap_snapshot().canonical()
    with pytest.raises(GoxABIError, match=r"stack slot sp\+0 of the frame at ip 0x401000 holds 0x12345670"):
        rt.gox_collect_garbage()
    assert rt.heap_snapshot().canonical() == before


# -- the trigger rule, pinned as a timeline ---------------------------------------------------


def test_trigger_rule_timeline(backend: str) -> None:
    """pause=200, stepmul=100, step_size=64, min_threshold=200; 32-byte nodes, none rooted.

    Allocation k enters its safepoint with live = 32*(k-1) bytes.  The cycle starts at the
    first safepoint with live >= 200, i.e. k = 8 (224 bytes), doing no work.  Each
    allocation in a cycle adds 32 to the debt; the safepoint of k = 10 sees debt 64 and
    steps with budget 64: the gray stack is empty (no roots), so the atomic step runs and
    the sweep visits 2 objects (32 bytes each): nodes 1 and 2 are freed.  Every second
    allocation then sweeps two more.  At k = 18 the step sweeps the last of the 9 objects
    that existed at the atomic step and, budget left, ends the cycle: threshold =
    max(estimate * 200%, 200) = 200, since none of the 9 survived (the estimate leaves out
    nodes 10..17, allocated during the sweep).  Those 8 nodes (256 bytes) are over it, so the
    next safepoint (k = 19) starts the second cycle, which frees them.
    """
    rt, node = node_rt(backend)
    rt.gox_gc_tune(200, 100, 64, 200)
    timeline = []
    refs = []
    for k in range(1, 30):
        refs.append(rt.gox_rt_alloc(K.STRUCT, node, 3))
        st = rt.gox_gc_stats()
        timeline.append((k, GcState(st.state).name, st.freed_objects, st.cycles))
    assert timeline[6] == (7, "PAUSE", 0, 0)
    assert timeline[7] == (8, "PROPAGATE", 0, 0)  # started, no work yet
    assert timeline[8] == (9, "PROPAGATE", 0, 0)
    assert timeline[9] == (10, "SWEEP", 2, 0)  # atomic + 2 objects swept
    assert timeline[10] == (11, "SWEEP", 2, 0)
    assert timeline[11] == (12, "SWEEP", 4, 0)
    assert [t[2] for t in timeline[12:18]] == [4, 6, 6, 8, 8, 9]  # the last of 9 at k=18
    assert timeline[17][1:] == ("PAUSE", 9, 1)
    assert timeline[16][1:] == ("SWEEP", 8, 0)
    # nodes 10..17 survived the first cycle but are not its estimate: the threshold stays 200
    assert timeline[18] == (19, "PROPAGATE", 9, 1)
    assert timeline[20] == (21, "SWEEP", 11, 1)  # atomic at 21: nodes 10..20 are garbage
    assert [t[2] for t in timeline[21:]] == [11, 13, 13, 15, 15, 17, 17, 19]
    # nodes 21.. were allocated after the second atomic step: they survive it
    assert alive(rt, *refs) == [False] * 20 + [True] * 9
    st = rt.gox_gc_stats()
    assert st.threshold == 200
    assert GcState(st.state) == GcState.SWEEP


def test_a_step_scans_gray_objects_by_size_budget(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_gc_tune(100, 100, 64, 1 << 30)
    chain = [rt.gox_rt_alloc(K.STRUCT, node, 3) for _ in range(5)]
    for a, b in itertools.pairwise(chain):
        rt.gox_gc_write_slot(a, 0, b)
    rt.gox_gc_pin(chain[0])
    assert rt.gox_gc_step() is False  # starts the cycle, then scans 64 bytes: 2 nodes
    colors = [rt.object_color(r) for r in chain]
    assert colors[:3] == ["black", "black", "gray"]
    assert state(rt) == GcState.PROPAGATE


def test_pause_counter_suspends_all_work(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_gc_tune(200, 100, 64, 64)
    rt.gox_gc_pause()
    for _ in range(50):
        rt.gox_rt_alloc(K.STRUCT, node, 3)
    assert rt.gox_gc_step() is False
    st = rt.gox_gc_stats()
    assert (st.cycles, st.state, st.freed_objects, st.pause_depth) == (0, 0, 0, 1)
    with pytest.raises(GoxABIError, match="gox_collect_garbage: the collector is paused"):
        rt.gox_collect_garbage()
    rt.gox_gc_resume()
    with pytest.raises(GoxABIError, match="gox_gc_resume: the collector is not paused"):
        rt.gox_gc_resume()
    rt.gox_rt_alloc(K.STRUCT, node, 3)  # the first safepoint after resuming starts a cycle
    assert state(rt) == GcState.PROPAGATE


def test_extern_calls_run_with_the_collector_paused(backend: str) -> None:
    rt, _ = node_rt(backend)
    seen = []
    from gox_abi.externs import ExternSpec

    def probe(host: object, args: object) -> list[int]:
        seen.append(rt.gox_gc_stats().pause_depth)
        return [0]

    rt.gox_register_extern(900, ExternSpec("test.Probe", (), ("int",), probe))
    assert rt.gox_extern_call(900, [], 1) == [0]
    assert seen == [1] and rt.gox_gc_stats().pause_depth == 0


# -- the barrier ------------------------------------------------------------------------------


def test_forward_barrier_grays_a_white_child_of_a_black_parent(backend: str) -> None:
    rt, node = node_rt(backend)
    parent = rt.gox_rt_alloc(K.STRUCT, node, 3)
    start_marking(rt, node, parent)
    child = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_write_slot(parent, 1, child)
    assert rt.object_color(child) == "white"
    rt.gox_rt_write_barrier(parent, child)
    assert rt.object_color(child) == "gray"
    while state(rt) != GcState.PAUSE:
        rt.gox_gc_step()
    assert rt.is_live(child)


def test_typed_setters_run_the_barrier_themselves(backend: str) -> None:
    rt, node = node_rt(backend)
    arr = rt.gox_rt_array_create(K.STRING, 0, 1)
    holder = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_write_slot(holder, 0, arr)
    start_marking(rt, node, holder, link=1)
    assert rt.object_color(arr) == "black"  # scanned first: slot 0 before slot 1
    s = rt.gox_rt_string_from_ptr(b"late")
    rt.gox_array_set(arr, 0, s)
    assert rt.object_color(s) == "gray"


def test_a_box_store_during_marking_runs_the_barrier(backend: str) -> None:
    """gox_upval_box_set on a black box: the string stored, white (made during marking),
    turns gray, so the cycle keeps it."""
    rt, _ = node_rt(backend)
    rt.gox_gc_tune(100, 100, 8, 64)
    rt.gox_init_globals(1, [True])
    box = rt.gox_rt_alloc(K.POINTER, K.STRING, 1)
    rt.gox_rt_set_global(0, box)
    rt.gox_gc_step()  # starts a cycle, blackens the root
    assert (state(rt), rt.object_color(box)) == (GcState.PROPAGATE, "black")
    s = rt.gox_rt_string_from_ptr(b"late")
    assert rt.object_color(s) == "white"
    rt.gox_upval_box_set(box, s)
    assert rt.object_color(s) == "gray"
    while not rt.gox_gc_step():
        pass
    assert rt.gox_string_read(rt.gox_upval_box_get(box)) == b"late"


def test_a_fused_store_is_the_write_then_the_barrier(backend: str) -> None:
    """gox_gc_write_slot_barrier on a reference slot: the write, then the barrier (a black
    parent's white child turns gray), true; a value the write refuses changes nothing.  On a
    value slot (where the barrier may refuse what the write takes) it does nothing and returns
    false: the caller makes the two calls."""
    rt, node = node_rt(backend)
    rt.gox_gc_tune(100, 100, 64, 1 << 30)
    parent = prev = rt.gox_rt_alloc(K.STRUCT, node, 3)
    for _ in range(3):  # a tail, so that the cycle still propagates after one step
        nxt = rt.gox_rt_alloc(K.STRUCT, node, 3)
        rt.gox_gc_write_slot(prev, 0, nxt)
        prev = nxt
    rt.gox_gc_pin(parent)
    rt.gox_gc_step()  # 64 bytes: the parent and the first of its tail are scanned
    child = rt.gox_rt_alloc(K.STRUCT, node, 3)
    assert rt.gox_gc_write_slot_barrier(parent, 1, child) is True
    assert rt.gox_gc_read_slot(parent, 1) == child
    colors = [o.color for o in rt.heap_snapshot().objects]  # in allocation order
    assert (colors[0], colors[-1]) == ("black", "gray")
    with pytest.raises(GoxABIError, match=r"^gox_gc_write_slot: slot 1 \(a reference slot\)"):
        rt.gox_gc_write_slot_barrier(parent, 1, 0x1234)
    assert rt.gox_gc_read_slot(parent, 1) == child
    assert rt.gox_gc_write_slot_barrier(parent, 2, 0x1234) is False  # slot 2 holds a value
    assert rt.gox_gc_read_slot(parent, 2) == 0


def test_mark_gray_only_acts_while_propagating(backend: str) -> None:
    rt, node = node_rt(backend)
    obj = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_rt_mark_gray(obj)
    assert rt.object_color(obj) == "white"
    start_marking(rt, node, rt.gox_rt_alloc(K.STRUCT, node, 3))
    rt.gox_rt_mark_gray(obj)
    assert rt.object_color(obj) == "gray"


# -- statistics, reset, use after free --------------------------------------------------------


def test_statistics_count_allocations_and_frees(backend: str) -> None:
    rt, node = node_rt(backend)
    for _ in range(3):
        rt.gox_rt_alloc(K.STRUCT, node, 3)
    s = rt.gox_rt_string_from_ptr(b"abc")  # a byte array (4 + 1 slots: 48 bytes) + a string (32)
    rt.gox_gc_pin(s)
    rt.gox_collect_garbage()
    st = rt.gox_gc_stats()
    assert (st.allocated_objects, st.allocated_bytes) == (5, 3 * 32 + 48 + 32)
    assert (st.freed_objects, st.freed_bytes) == (3, 96)
    assert (st.live_objects, st.live_bytes, st.cycles) == (2, 80, 1)


def test_init_gc_drops_everything_and_old_refs_read_as_freed(backend: str) -> None:
    rt, node = node_rt(backend)
    old = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_pin(old)
    rt.gox_init_gc()
    assert rt.gox_gc_stats().live_objects == 0
    with pytest.raises(GoxABIError, match="freed reference"):
        rt.gox_gc_read_slot(old, 0)
    new = rt.gox_rt_alloc(K.STRUCT, node, 3)
    assert new != old


def test_objects_awaiting_the_sweep_cannot_be_used_or_stored(backend: str) -> None:
    rt, node = node_rt(backend)
    rt.gox_gc_tune(100, 100, 8, 1 << 30)
    keep = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_pin(keep)
    doomed = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_step()  # scans keep
    rt.gox_gc_step()  # atomic: doomed was unreachable; sweep begins (8-byte budget)
    assert state(rt) == GcState.SWEEP
    assert (rt.is_live(doomed), rt.object_color(doomed)) == (False, "white(dead)")  # not yet freed
    with pytest.raises(GoxABIError, match="unreachable when the collector finished marking"):
        rt.gox_gc_write_slot(keep, 0, doomed)
    with pytest.raises(GoxABIError, match="unreachable when the collector finished marking"):
        rt.gox_gc_read_slot(doomed, 0)


def test_a_scans_children_are_popped_in_slot_order(backend: str) -> None:
    """Depth first, first child first (docs/GC.md): after a 64-byte step on a pinned root with
    two children, the root and its slot-0 child are black and the slot-1 child is still gray
    (before the gray run was reversed it was the other way round)."""
    rt, node = node_rt(backend)
    rt.gox_gc_tune(100, 100, 64, 1 << 30)
    root, a, b = (rt.gox_rt_alloc(K.STRUCT, node, 3) for _ in range(3))
    for slot, child in ((0, a), (1, b)):
        rt.gox_gc_write_slot(root, slot, child)
    rt.gox_gc_pin(root)
    rt.gox_gc_step()  # starts the cycle, then 64 bytes: the root (32) and the first child popped
    colors = [o.color for o in rt.heap_snapshot().objects]  # in allocation order
    assert colors == ["black", "black", "gray"]


def test_the_heap_in_allocation_order_during_a_sweep(backend: str) -> None:
    """Half way through a sweep the heap, in allocation order, is the survivors swept so far,
    the objects not yet swept (dead ones included: they await the sweep) and those made during
    the sweep, after them (the native heap keeps the order in a vector with a gap, heap.c)."""
    rt, node = node_rt(backend)
    objs = [rt.gox_rt_alloc(K.STRUCT, node, 3) for _ in range(8)]  # numbers 1..8
    for o in objs[::2]:
        rt.gox_gc_pin(o)  # 1, 3, 5, 7 live; 2, 4, 6, 8 garbage
    rt.gox_gc_tune(100, 100, 96, 1 << 30)  # 96 bytes a step: three 32-byte objects
    while rt.gox_gc_stats().state != 3:  # SWEEP
        rt.gox_gc_step()
    rt.gox_gc_step()  # with what the step before left: 1 to 5 swept, 2 and 4 freed
    made = rt.gox_rt_alloc(K.STRUCT, node, 3)  # number 9, after every other
    assert made and [o.num for o in rt.heap_snapshot().objects] == [1, 3, 5, 6, 7, 8, 9]
    while rt.gox_gc_stats().state != 0:  # the sweep's end closes the gap
        rt.gox_gc_step()
    assert [o.num for o in rt.heap_snapshot().objects] == [1, 3, 5, 7, 9]


def test_a_steady_live_set_keeps_the_heap_bounded(backend: str) -> None:
    """The threshold follows what survives a cycle, not what the sweep let the program allocate
    meanwhile: with 10 nodes rooted and garbage allocated without end, every cycle's threshold
    is the minimum and the heap never holds more than a cycle's worth of garbage.  (Counting live
    bytes at the cycle's end instead would raise the threshold by about 3 x the live set every
    cycle: docs/GC.md.)"""
    rt, node = node_rt(backend)
    rt.gox_gc_tune(200, 200, 64, 1024)
    head = rt.gox_rt_alloc(K.STRUCT, node, 3)
    rt.gox_gc_pin(head)
    prev = head
    for _ in range(9):
        n = rt.gox_rt_alloc(K.STRUCT, node, 3)
        rt.gox_gc_write_slot(prev, 0, n)
        rt.gox_rt_write_barrier(prev, n)
        prev = n
    thresholds, peak = set(), 0
    for _ in range(6000):
        rt.gox_rt_alloc(K.STRUCT, node, 3)
        st = rt.gox_gc_stats()
        thresholds.add(st.threshold)
        peak = max(peak, st.live_bytes)
    assert st.cycles > 50
    assert thresholds == {1024}  # 10 live nodes = 320 bytes, x 200% < the minimum
    assert peak <= 4 * 1024
