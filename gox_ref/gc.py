"""The collector: Lua 5.4 style incremental tri-color mark and sweep.

Invariants (checked by tests/test_gc_model.py after every operation):

* Colors.  White objects are unvisited, gray ones are reached but not scanned (they sit on the
  gray stack), black ones are scanned.  There are two whites; ``current_white`` is the one new
  objects get.  At the atomic step the whites swap, so everything still carrying the old white
  is garbage and the sweep frees it.
* Tri-color invariant.  While the state is PROPAGATE no black object refers to a white one:
  the forward write barrier (``barrier``) turns a white child gray when it is stored into a
  black parent.  Roots (globals, pins, stacks, the current call's arguments) have no barrier;
  they are marked at the cycle's start and marked again in the atomic step.
* Determinism.  Everything below is a function of the sequence of ABI calls: roots are marked
  in a fixed order, the gray stack is last-in first-out and a scanned object's children are
  popped in slot order, the sweep visits objects in allocation order, and work is counted in
  logical bytes (8 + 8 x slots).  A second implementation that follows docs/GC.md frees the
  same objects at the same calls.

States: PAUSE -> PROPAGATE -> (ATOMIC, done within one step) -> SWEEP -> PAUSE.

When a cycle starts, how much each step does and the next cycle's threshold are docs/GC.md's
rules ("Allocation and safepoints", "A cycle"); ``safepoint``, ``step`` and ``finish_cycle``
below follow its pseudo-code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from gox_abi.errors import GoxABIError
from gox_abi.gcstats import DEFAULT_MIN_THRESHOLD, DEFAULT_PAUSE, DEFAULT_STEP_SIZE, DEFAULT_STEPMUL, GcState, GcStats
from gox_abi.kinds import SlotType, ValueKind, is_ref_kind
from gox_abi.layout import (
    ARRAY_DATA,
    ARRAY_ELEM_KIND,
    ARRAY_ELEM_TYPE,
    ARRAY_LEN,
    BLACK,
    CLOSURE_UPVALS,
    GRAY,
    NO_TYPE,
    WHITE0,
    WHITE1,
)

from .heap import GcObject, Heap

# A root: (where, value); ``where`` names the slot for error messages.
Root = tuple[str, int]
RootSource = Callable[[], Iterable[Root]]
# Extra children of host-side state (map entries, channel buffers), in a fixed order.
StateTracer = Callable[[GcObject], Iterable[int]]


class Collector:
    def __init__(self, heap: Heap) -> None:
        self.heap = heap
        self.root_sources: list[RootSource] = []
        self.state_tracers: dict[ValueKind, StateTracer] = {}
        self.on_cycle: list[Callable[[str, GcStats], None]] = []  # trace hooks: "start"/"end"
        self.on_drop_all: list[Callable[[], None]] = []  # gox_init_gc drops every object (timer.py)
        self.reset()

    def reset(self) -> None:
        """Back to a fresh collector: state, parameters and counters (not the hooks)."""
        self.state = GcState.PAUSE
        self.current_white = WHITE0
        self.gray: list[GcObject] = []  # a stack: last in, first scanned
        self.sweep_list: list[GcObject] = []
        self.sweep_pos = 0
        self.pause = DEFAULT_PAUSE
        self.stepmul = DEFAULT_STEPMUL
        self.step_size = DEFAULT_STEP_SIZE
        self.min_threshold = DEFAULT_MIN_THRESHOLD
        self.threshold = DEFAULT_MIN_THRESHOLD
        self.estimate = 0  # during the sweep: the bytes that survive this cycle (finish_cycle)
        self.debt = 0
        self.pause_depth = 0
        self.cycles = 0
        self.steps = 0
        self.allocated_objects = 0
        self.allocated_bytes = 0
        self.freed_objects = 0
        self.freed_bytes = 0

    # -- allocation -------------------------------------------------------------------------
    def allocate(self, kind: ValueKind, type_id: int, nslots: int) -> GcObject:
        obj = self.heap.new_object(kind, type_id, nslots, self.current_white)
        self.allocated_objects += 1
        self.allocated_bytes += obj.size
        if self.state != GcState.PAUSE:
            self.debt += obj.size
        return obj

    def safepoint(self, args: Iterable[int] = ()) -> None:
        """Entry of an allocating call; ``args`` are the call's reference arguments (roots)."""
        if self.pause_depth:
            return
        if self.state == GcState.PAUSE:
            if self.heap.live_bytes >= self.threshold:
                self.start_cycle(args)
            return
        if self.debt >= self.step_size:
            budget = self.debt * self.stepmul // 100
            self.debt = 0
            self.step(budget, args)

    # -- colors -----------------------------------------------------------------------------
    @staticmethod
    def is_white(obj: GcObject) -> bool:
        return obj.mark == WHITE0 or obj.mark == WHITE1

    def mark_gray(self, obj: GcObject) -> None:
        if obj.mark == WHITE0 or obj.mark == WHITE1:
            self.gray.append(obj)  # first: if the list cannot grow, the object stays white
            obj.mark = GRAY

    def barrier(self, parent: GcObject, child_ref: int) -> None:
        """Forward barrier: a black parent gaining a white child turns the child gray."""
        if self.state != GcState.PROPAGATE or parent.mark != BLACK or child_ref == 0:
            return
        child = self.heap.lookup(child_ref)
        if child is not None:
            self.mark_gray(child)

    # -- roots ------------------------------------------------------------------------------
    def collect_roots(self, args: Iterable[int]) -> list[GcObject]:
        """Every root object, in root order; validated before anything is marked."""
        out: list[GcObject] = []
        objects, num_of = self.heap.objects, self.heap.num_of
        for source in self.root_sources:
            for where, val in source():
                if val == 0:
                    continue
                obj = objects.get(num_of(val))
                if obj is None or obj.mark == self.heap.dead_mark:
                    raise GoxABIError(
                        f"gc: {where} holds {self.heap.fmt(val)}, which is not a live reference "
                        f"({self.heap.describe(val)})"
                    )
                out.append(obj)
        for val in args:
            obj = objects.get(num_of(val))
            if obj is not None:
                out.append(obj)
        return out

    def mark_roots(self, args: Iterable[int]) -> None:
        for obj in self.collect_roots(args):
            self.mark_gray(obj)

    # -- tracing ----------------------------------------------------------------------------
    def children(self, obj: GcObject) -> Iterator[int]:
        """The references ``obj`` holds, in slot order (docs/GC.md, "Precise scanning")."""
        kind = obj.kind
        slots = obj.slots
        if kind == ValueKind.STRING or kind == ValueKind.SLICE:
            yield slots[0]
        elif kind == ValueKind.ARRAY:
            yield from self._array_children(obj)
        elif kind == ValueKind.STRUCT:
            yield from self._typed_children(slots, 0, self.heap.types[obj.type_id].slot_types)
        elif kind == ValueKind.CLOSURE:
            yield from self._closure_children(obj)
        elif kind == ValueKind.POINTER:
            if is_ref_kind(obj.type_id):
                yield slots[0]
        elif kind in self.state_tracers:
            yield from self.state_tracers[kind](obj)

    def _array_children(self, obj: GcObject) -> Iterator[int]:
        slots = obj.slots
        ek = slots[ARRAY_ELEM_KIND]
        if is_ref_kind(ek) and ek != ValueKind.STRUCT:
            yield from slots[ARRAY_DATA : ARRAY_DATA + slots[ARRAY_LEN]]
        elif ek == ValueKind.STRUCT:
            layout = self.heap.types[slots[ARRAY_ELEM_TYPE]].slot_types
            n = len(layout)
            for i in range(slots[ARRAY_LEN]):
                yield from self._typed_children(slots, ARRAY_DATA + i * n, layout)
        elif ek == ValueKind.INTERFACE:
            for i in range(slots[ARRAY_LEN]):
                head = ARRAY_DATA + 2 * i
                if is_ref_kind(slots[head] & 0xFF):
                    yield slots[head + 1]

    def _closure_children(self, obj: GcObject) -> Iterator[int]:
        if obj.type_id == NO_TYPE:
            return
        layout = self.heap.types[obj.type_id].slot_types
        yield from self._typed_children(obj.slots, CLOSURE_UPVALS, layout)

    @staticmethod
    def _typed_children(slots: list[int], base: int, layout: tuple[SlotType, ...]) -> Iterator[int]:
        for i, st in enumerate(layout):
            if st == SlotType.GC_REF or (st == SlotType.INTERFACE1 and is_ref_kind(slots[base + i - 1] & 0xFF)):
                yield slots[base + i]

    def blacken(self, obj: GcObject) -> None:
        """Scan ``obj``: its white children turn gray, and the run they were pushed as is
        reversed so that they are popped in slot order (depth first, first child first: a tree
        built depth first is scanned in allocation order, so the native collector's scan
        follows memory)."""
        obj.mark = BLACK
        objects, num_of = self.heap.objects, self.heap.num_of
        gray = self.gray
        start = len(gray)
        for ref in self.children(obj):
            if ref:
                child = objects.get(num_of(ref))
                if child is not None:
                    self.mark_gray(child)
        if len(gray) - start > 1:
            gray[start:] = reversed(gray[start:])

    # -- the cycle --------------------------------------------------------------------------
    def start_cycle(self, args: Iterable[int] = ()) -> None:
        roots = self.collect_roots(args)
        self.state = GcState.PROPAGATE
        self.debt = 0
        for hook in self.on_cycle:
            hook("start", self.stats())
        for obj in roots:
            self.mark_gray(obj)

    def atomic(self, args: Iterable[int]) -> None:
        self.state = GcState.ATOMIC
        self.mark_roots(args)
        while self.gray:
            self.blacken(self.gray.pop())
        self.current_white ^= 1  # the old white now means dead
        self.heap.dead_mark = self.current_white ^ 1
        self.sweep_list = list(self.heap.objects.values())
        self.sweep_pos = 0
        self.estimate = self.heap.live_bytes  # the sweep takes the dead ones off
        self.state = GcState.SWEEP

    def step(self, budget: int, args: Iterable[int] = ()) -> bool:
        """One incremental step; returns True when it completed the cycle."""
        if self.state == GcState.PAUSE:
            return False
        if self.state == GcState.PROPAGATE:
            # Validate the roots the atomic step may need before any object changes color.
            self.collect_roots(args)
        self.steps += 1
        dead = self.current_white ^ 1
        while budget > 0:
            if self.state == GcState.PROPAGATE:
                if self.gray:
                    obj = self.gray.pop()
                    self.blacken(obj)
                    budget -= obj.size
                else:
                    self.atomic(args)
                    dead = self.current_white ^ 1
            else:  # SWEEP
                if self.sweep_pos == len(self.sweep_list):
                    self.finish_cycle()
                    return True
                obj = self.sweep_list[self.sweep_pos]
                self.sweep_pos += 1
                budget -= obj.size
                if obj.mark == dead:
                    self.freed_objects += 1
                    self.freed_bytes += obj.size
                    self.estimate -= obj.size
                    self.heap.free(obj)
                else:
                    obj.mark = self.current_white
        return False

    def finish_cycle(self) -> None:
        self.sweep_list = []
        self.sweep_pos = 0
        self.heap.dead_mark = -1
        self.state = GcState.PAUSE
        self.cycles += 1
        self.set_threshold()
        for hook in self.on_cycle:
            hook("end", self.stats())

    def set_threshold(self) -> None:
        """The next cycle's trigger: the threshold rule of docs/GC.md (``finish_cycle``)."""
        self.threshold = max(self.estimate * self.pause // 100, self.min_threshold)

    def full_collect(self) -> None:
        """Finish the running cycle, if any, then run one complete cycle."""
        if self.pause_depth:
            raise GoxABIError(
                f"gox_collect_garbage: the collector is paused (pause depth {self.pause_depth}); "
                "expected a call outside extern calls"
            )
        while self.state != GcState.PAUSE:
            self.step(1 << 62)
        self.start_cycle()
        while self.state != GcState.PAUSE:
            self.step(1 << 62)
        self.debt = 0

    def explicit_step(self) -> bool:
        """``gox_gc_step``: start a cycle if none runs, then one step of the standard size."""
        if self.pause_depth:
            return False
        if self.state == GcState.PAUSE:
            self.start_cycle()
        self.debt = 0
        return self.step(self.step_size * self.stepmul // 100)

    def stats(self) -> GcStats:
        return GcStats(
            cycles=self.cycles,
            state=int(self.state),
            live_objects=len(self.heap.objects),
            live_bytes=self.heap.live_bytes,
            threshold=self.threshold,
            debt=self.debt,
            allocated_objects=self.allocated_objects,
            allocated_bytes=self.allocated_bytes,
            freed_objects=self.freed_objects,
            freed_bytes=self.freed_bytes,
            steps=self.steps,
            pause_depth=self.pause_depth,
        )


def color_name(obj: GcObject, current_white: int) -> str:
    if obj.mark == GRAY:
        return "gray"
    if obj.mark == BLACK:
        return "black"
    return "white" if obj.mark == current_white else "white(dead)"


__all__ = ["Collector", "color_name"]
