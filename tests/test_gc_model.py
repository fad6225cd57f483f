"""The collector against a reachability model (hypothesis stateful testing).

The model keeps its own object graph, built only from the operations it performs.  After
every operation it checks:

* safety: every object reachable from the roots is alive;
* the tri-color invariant: while propagating, no black object refers to a white one;
* completeness and precision: the objects a cycle frees are exactly those that were
  unreachable at that cycle's atomic step;
* after a full collection the live set equals the reachable set;
* the runtime's slots hold what the model wrote.

It sees the heap through snapshots and the inspection calls, so it runs on both backends
(``TestGcModelRef``, ``TestGcModelNative``).
"""

from __future__ import annotations

import os

from conftest import new_runtime
from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, precondition, rule

from gox_abi.heapview import HeapSnapshot
from gox_abi.layout import GRAY, canonical_num
from gox_ref import GcState, GoxABIError, RefRuntime, SlotType, ValueKind

WHITES = ("white", "white(dead)")

NODE_SLOTS = bytes([SlotType.GC_REF, SlotType.GC_REF, SlotType.VALUE])
# A large object (docs/GC.md, "Large objects"): an array of references past the header's 16-bit
# slot count; the model's two child slots are its first and last elements.
LARGE_LEN = 65533
ARRAY_DATA = 4
N_GLOBALS = 3
FRAME_IP = 0x4000_1000
MAX_EXAMPLES = int(os.environ.get("GOX_GC_MODEL_EXAMPLES", "120"))


class GcModel(RuleBasedStateMachine):
    refs = Bundle("refs")
    backend = "ref"

    def __init__(self) -> None:
        super().__init__()
        self.rt = new_runtime(self.backend)
        # Small numbers so that cycles start, step and finish within a few dozen operations.
        self.rt.gox_gc_tune(200, 100, 64, 256)
        self.node = self.rt.gox_type_register(b"Node", NODE_SLOTS)
        self.rt.gox_init_globals(N_GLOBALS, [True] * N_GLOBALS)
        self.rt.gox_stack_map_register(FRAME_IP, [0, 8])
        self.edges: dict[int, list[int]] = {}  # model: num -> child nums (0 = nil) per ref slot
        self.arrays: set[int] = set()  # the large arrays' numbers
        self.globals: list[int] = [0] * N_GLOBALS
        self.pins: dict[int, int] = {}
        self.pinned_refs: dict[int, int] = {}  # num -> the reference pinned
        self.frames: list[tuple[int, list[int]]] = []  # (sp, [slot0 num, slot1 num])
        self.ever: set[int] | None = None  # see run()
        self.atomic: tuple[set[int], set[int]] | None = None  # (live, reachable) at the atomic step
        self.freed_this_cycle: set[int] = set()

    # -- the model ----------------------------------------------------------------------------
    def roots(self) -> set[int]:
        out = {n for n in self.globals if n}
        out |= set(self.pins)
        for _, slots in self.frames:
            out |= {n for n in slots if n}
        return out

    def closure(self, start: set[int]) -> set[int]:
        seen: set[int] = set()
        todo = list(start)
        while todo:
            n = todo.pop()
            if n in seen:
                continue
            seen.add(n)
            todo.extend(c for c in self.edges.get(n, ()) if c)
        return seen

    def reachable(self) -> set[int]:
        return self.closure(self.roots())

    def snap(self) -> HeapSnapshot:
        return self.rt.heap_snapshot()

    def live(self) -> set[int]:
        """The objects not yet freed (those awaiting the sweep included)."""
        return {self.num_of(r) for r in self.rt.heap_objects()}

    def gc(self) -> tuple[int, GcState]:
        stats = self.rt.gox_gc_stats()
        return stats.cycles, GcState(stats.state)

    def run(self, op: str, *args: object) -> object:
        """Run one ABI call, then check what the cycle phases it went through freed.

        An incremental cycle frees a subset of what was unreachable at its atomic step, and
        at least everything outside ``ever``: the objects reachable at some moment of the
        cycle from the roots or from objects already in ``ever`` (a superset of what the
        collector can have marked, since marks come from roots, from scanning marked objects
        and from the barrier on marked parents).
        """
        before_reach, before_live = self.reachable(), self.live()
        cycles, state = self.gc()
        result = getattr(self.rt, op)(*args)
        cycles_after, state_after = self.gc()
        freed = before_live - self.live()
        for n in freed:
            self.edges.pop(n, None)
        if op == "gox_collect_garbage":  # finishes any cycle, then a complete one
            assert freed == before_live - before_reach
            self.ever, self.atomic = None, None
            return result
        finished = cycles_after > cycles
        if state == GcState.PAUSE and (state_after != GcState.PAUSE or finished):
            self.ever = self.closure(self.roots() | before_reach)
        if state in (GcState.PAUSE, GcState.PROPAGATE) and (state_after == GcState.SWEEP or finished):
            self.atomic = (before_live, before_reach)
            self.freed_this_cycle = set()
        if self.atomic is None:
            assert not freed, f"{op} freed {sorted(freed)} before the atomic step"
        else:
            atomic_live, atomic_reach = self.atomic
            assert freed <= atomic_live - atomic_reach, f"{op} freed {sorted(freed & atomic_reach)}, reachable at the atomic step"
            self.freed_this_cycle |= freed
            if freed:
                event("incremental sweep freed objects")
        if finished:
            event("incremental cycle finished")
            assert self.atomic is not None and self.ever is not None
            must = self.atomic[0] - self.ever
            assert must <= self.freed_this_cycle, f"the cycle kept {sorted(must - self.freed_this_cycle)}, never reachable"
            self.ever, self.atomic = None, None
        return result

    def after_op(self) -> None:
        if self.ever is not None:
            self.ever = self.closure(self.ever | self.roots())

    def num_of(self, ref: int) -> int:
        return self.rt.ref_number(ref)

    # -- rules --------------------------------------------------------------------------------
    @rule(target=refs)
    def alloc_node(self) -> int:
        ref = self.run("gox_rt_alloc", ValueKind.STRUCT, self.node, 3)
        assert isinstance(ref, int)
        self.edges[self.num_of(ref)] = [0, 0]
        return ref

    @precondition(lambda self: not self.arrays)  # one per run: each snapshot reads all its slots
    @rule(target=refs)
    def alloc_large_array(self) -> int:
        ref = self.run("gox_rt_array_create", ValueKind.POINTER, 0xFFFF, LARGE_LEN)
        assert isinstance(ref, int)
        self.edges[self.num_of(ref)] = [0, 0]
        self.arrays.add(self.num_of(ref))
        event("large array")
        return ref

    def ref_slot(self, parent: int, slot: int) -> int:
        """The runtime slot of the model's child slot 0 or 1: a node's own, a large array's
        first or last element."""
        if self.num_of(parent) not in self.arrays:
            return slot
        return ARRAY_DATA + (LARGE_LEN - 1 if slot else 0)

    @rule(data=st.binary(max_size=40))
    def alloc_garbage_string(self, data: bytes) -> None:
        ref = self.run("gox_rt_string_from_ptr", data)
        assert isinstance(ref, int)
        if ref:  # a string holds its byte array (allocated just before it)
            self.edges[self.num_of(ref)] = [self.num_of(ref) - 1]
            self.edges[self.num_of(ref) - 1] = []

    def usable(self, ref: int) -> bool:
        return self.rt.is_live(ref)

    @rule(parent=refs, child=st.one_of(st.just(0), refs), slot=st.integers(0, 1))
    def write_with_barrier(self, parent: int, child: int, slot: int) -> None:
        if not self.usable(parent) or (child and not self.usable(child)):
            return
        self.rt.gox_gc_write_slot(parent, self.ref_slot(parent, slot), child)
        self.rt.gox_rt_write_barrier(parent, child)
        self.edges[self.num_of(parent)][slot] = self.num_of(child) if child else 0

    @rule(parent=refs, child=st.one_of(st.just(0), refs), slot=st.integers(0, 1))
    def write_without_barrier(self, parent: int, child: int, slot: int) -> None:
        """Compiled code may skip the barrier where it cannot break the invariant:
        the parent is not black, or the child is not white (e.g. nil)."""
        if not self.usable(parent) or (child and not self.usable(child)):
            return
        black_parent = self.rt.object_color(parent) == "black"
        if self.gc()[1] == GcState.PROPAGATE and black_parent and child and self.rt.object_color(child) in WHITES:
            return
        self.rt.gox_gc_write_slot(parent, self.ref_slot(parent, slot), child)
        self.edges[self.num_of(parent)][slot] = self.num_of(child) if child else 0

    @rule(node=refs, val=st.integers(0, 2**64 - 1))
    def write_value_slot(self, node: int, val: int) -> None:
        if self.usable(node) and self.num_of(node) not in self.arrays:
            self.rt.gox_gc_write_slot(node, 2, val)

    @rule(idx=st.integers(0, N_GLOBALS - 1), ref=st.one_of(st.just(0), refs))
    def set_global(self, idx: int, ref: int) -> None:
        if ref and not self.usable(ref):
            return
        self.rt.gox_rt_set_global(idx, ref)
        self.globals[idx] = self.num_of(ref) if ref else 0

    @rule(ref=refs)
    def pin(self, ref: int) -> None:
        if self.usable(ref):
            self.rt.gox_gc_pin(ref)
            self.pins[self.num_of(ref)] = self.pins.get(self.num_of(ref), 0) + 1
            self.pinned_refs[self.num_of(ref)] = ref

    @precondition(lambda self: bool(self.pins))
    @rule(data=st.data())
    def unpin(self, data: st.DataObject) -> None:
        num = data.draw(st.sampled_from(sorted(self.pins)))
        self.rt.gox_gc_unpin(self.pinned_refs[num])
        self.pins[num] -= 1
        if not self.pins[num]:
            del self.pins[num], self.pinned_refs[num]

    @rule(a=st.one_of(st.just(0), refs), b=st.one_of(st.just(0), refs))
    def push_frame(self, a: int, b: int) -> None:
        if (a and not self.usable(a)) or (b and not self.usable(b)) or len(self.frames) > 4:
            return
        sp = self.rt.gox_sim_frame_push(FRAME_IP, 16)
        self.rt.gox_sim_stack_write(sp, a)
        self.rt.gox_sim_stack_write(sp + 8, b)
        self.frames.append((sp, [self.num_of(a) if a else 0, self.num_of(b) if b else 0]))

    @precondition(lambda self: bool(self.frames))
    @rule()
    def pop_frame(self) -> None:
        self.rt.gox_sim_frame_pop()
        self.frames.pop()

    @rule()
    def step(self) -> None:
        self.run("gox_gc_step")

    @rule()
    def full_collection(self) -> None:
        self.run("gox_collect_garbage")
        assert self.live() == self.reachable()
        assert self.gc()[1] == GcState.PAUSE

    @rule(ref=consumes(refs))
    def forget(self, ref: int) -> None:
        """The host drops its handle (the object lives on only if something reaches it)."""

    @rule(ref=refs)
    def use_after_free_is_refused(self, ref: int) -> None:
        if self.usable(ref):
            return
        before = self.rt.heap_snapshot().canonical()
        try:
            self.rt.gox_gc_read_slot(ref, 0)
        except GoxABIError:
            pass
        else:
            raise AssertionError("reading a freed or doomed object must fail")
        assert self.rt.heap_snapshot().canonical() == before

    # -- invariants ---------------------------------------------------------------------------
    @invariant()
    def track_reachability(self) -> None:
        self.after_op()

    @invariant()
    def reachable_objects_are_alive(self) -> None:
        missing = self.reachable() - self.live()
        assert not missing, f"reachable objects {sorted(missing)} were freed"

    @invariant()
    def the_heap_agrees(self) -> None:
        """One snapshot: no black object refers to a white one while propagating, every object
        is white between cycles, the struct slots hold what the model wrote, and the counters
        add up."""
        snap, stats = self.snap(), self.rt.gox_gc_stats()
        by_ref = snap.by_ref()
        if stats.state == GcState.PROPAGATE:
            for obj in snap.objects:
                if obj.color == "black":
                    for ref in obj.refs:
                        assert by_ref[ref].color not in WHITES, f"black #{obj.num} points to white #{canonical_num(ref)}"
        if stats.state == GcState.PAUSE:
            assert all(o.color == "white" for o in snap.objects)
        for obj in snap.objects:
            if obj.kind == "Struct" and obj.num in self.edges:
                assert [canonical_num(s) if s else 0 for s in obj.slots[:2]] == self.edges[obj.num]
            if obj.num in self.arrays and obj.num in self.edges:
                ends = (obj.slots[ARRAY_DATA], obj.slots[ARRAY_DATA + LARGE_LEN - 1])
                assert [canonical_num(s) if s else 0 for s in ends] == self.edges[obj.num]
        assert stats.live_objects == len(snap.objects)
        assert stats.live_bytes == sum(8 + 8 * len(o.slots) for o in snap.objects)
        assert stats.allocated_bytes - stats.freed_bytes == stats.live_bytes
        assert stats.allocated_objects - stats.freed_objects == stats.live_objects

    @invariant()
    def gray_objects_are_queued(self) -> None:
        """The reference's gray stack (no call shows the native one)."""
        if not isinstance(self.rt, RefRuntime):
            return
        gc = self.rt.gc
        queued = {o.num for o in gc.gray}
        for obj in self.rt.heap.objects.values():
            if obj.mark == GRAY:
                assert obj.num in queued
        if gc.state == GcState.PAUSE:
            assert not gc.gray


class GcModelNative(GcModel):
    backend = "native"


SETTINGS = settings(max_examples=MAX_EXAMPLES, stateful_step_count=60, deadline=None)
TestGcModelRef = GcModel.TestCase
TestGcModelRef.settings = SETTINGS
TestGcModelNative = GcModelNative.TestCase
TestGcModelNative.settings = SETTINGS
