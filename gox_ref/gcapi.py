"""The GC group of the ABI: raw objects, slot access, the barrier, pins and collector control.

``gox_gc_read_slot``/``gox_gc_write_slot`` are the raw accessors compiled code uses for
structs, boxes and array data.  A raw write does not run the barrier: compiled code calls
``gox_rt_write_barrier(parent, child)`` after storing a reference (docs/GC.md, "The write barrier").
The typed setters (``gox_array_set``, ``gox_closure_set_upvalue``, ...) run it themselves.
A raw write is checked against the object's slot types, so that no call can leave a
non-reference in a reference slot or change an immutable header.
"""

from __future__ import annotations

from collections.abc import Iterable

from gox_abi.errors import GoxABIError
from gox_abi.gcstats import DEFAULT_MIN_THRESHOLD, DEFAULT_PAUSE, DEFAULT_STEP_SIZE, DEFAULT_STEPMUL, GcStats
from gox_abi.kinds import SlotType, ValueKind, is_ref_kind, kind_name
from gox_abi.layout import ARRAY_DATA, ARRAY_ELEM_KIND, ARRAY_ELEM_TYPE, CLOSURE_UPVALS, FLAG_IMMUTABLE, MAX_SLOTS, NO_TYPE

from .core import RuntimeCore
from .gc import Collector, Root
from .heap import GcObject, Heap
from .objects.iface import iface_kind

# Kinds that only their own constructors may create (their layouts carry invariants).
_RAW_ALLOC_KINDS = {
    ValueKind.STRUCT: "a struct of the given type",
    ValueKind.POINTER: "a one-slot box whose type_id is the boxed value kind",
    ValueKind.BOXED_INT: "a one-slot boxed int",
    ValueKind.BOXED_FLOAT: "a one-slot boxed float",
    ValueKind.BOXED_BOOL: "a one-slot boxed bool",
}


def slot_type(heap: Heap, obj: GcObject, idx: int) -> SlotType | None:
    """What slot ``idx`` of ``obj`` holds, or None when compiled code may not write it."""
    kind = obj.kind
    if kind == ValueKind.STRUCT:
        return heap.types[obj.type_id].slot_types[idx]
    if kind == ValueKind.POINTER:
        if obj.flags & FLAG_IMMUTABLE:  # a timer's channel (timer.py)
            return None
        return SlotType.GC_REF if is_ref_kind(obj.type_id) else SlotType.VALUE
    if kind in (ValueKind.BOXED_INT, ValueKind.BOXED_FLOAT, ValueKind.BOXED_BOOL):
        return SlotType.VALUE
    if kind == ValueKind.CLOSURE:
        if idx < CLOSURE_UPVALS:
            return None
        if obj.type_id == NO_TYPE:
            return SlotType.VALUE
        return heap.types[obj.type_id].slot_types[idx - CLOSURE_UPVALS]
    if kind == ValueKind.ARRAY:
        if idx < ARRAY_DATA or obj.flags & FLAG_IMMUTABLE:
            return None
        ek = obj.slots[ARRAY_ELEM_KIND]
        if ek == ValueKind.STRUCT:
            layout = heap.types[obj.slots[ARRAY_ELEM_TYPE]].slot_types
            return layout[(idx - ARRAY_DATA) % len(layout)]
        if ek == ValueKind.INTERFACE:
            return SlotType.INTERFACE0 if (idx - ARRAY_DATA) % 2 == 0 else SlotType.INTERFACE1
        return SlotType.GC_REF if is_ref_kind(ek) else SlotType.VALUE
    return None  # String, Slice, Map, Channel: immutable or opaque


class GcOps(RuntimeCore):
    pins: dict[int, int]

    def __init__(self) -> None:
        super().__init__()
        self.pins = {}

    def _pinned_roots(self) -> Iterable[Root]:
        """Root 2 of docs/GC.md: pinned objects, by allocation number."""
        for num in sorted(self.pins):
            yield f"pinned object #{num}", self.heap.objects[num].ref if num in self.heap.objects else 0

    def _slot(self, ref: int, idx: int, fn: str) -> GcObject:
        obj = self.heap.deref(ref, fn)  # a nil reference: Go's nil-dereference panic
        if not 0 <= idx < len(obj.slots):
            raise GoxABIError(
                f"{fn}: slot index {idx} out of range for {kind_name(obj.kind)} object "
                f"{self.heap.fmt(ref)} with {len(obj.slots)} slots"
            )
        return obj

    # -- objects and slots --------------------------------------------------------------------
    def gox_rt_alloc(self, value_kind: int, type_id: int, slots: int) -> int:
        fn = "gox_rt_alloc"
        if value_kind not in _RAW_ALLOC_KINDS:
            raise GoxABIError(
                f"{fn}: value_kind={kind_name(value_kind)} has its own constructor; expected "
                "21 (Struct), 22 (Pointer) or 24..26 (boxed values)"
            )
        if value_kind == ValueKind.STRUCT:
            want = len(self.heap.get_type(type_id, fn).slot_types)
            if slots != want:
                raise GoxABIError(f"{fn}: struct type {type_id} has {want} slots, but slots={slots}")
        elif value_kind == ValueKind.POINTER:
            if slots != 1 or not 0 < type_id <= max(ValueKind) or type_id == ValueKind.INTERFACE:
                raise GoxABIError(
                    f"{fn}: a Pointer box takes slots=1 and type_id = the boxed value kind, "
                    f"got slots={slots}, type_id={type_id}"
                )
        elif slots != 1:
            raise GoxABIError(f"{fn}: {kind_name(value_kind)} objects have 1 slot, got slots={slots}")
        self.gc.safepoint()
        return self._alloc(ValueKind(value_kind), type_id, slots).ref

    def gox_gc_read_slot(self, obj: int, idx: int) -> int:
        return self._slot(obj, idx, "gox_gc_read_slot").slots[idx]

    def gox_gc_write_slot(self, obj: int, idx: int, val: int) -> None:
        fn = "gox_gc_write_slot"
        o = self._slot(obj, idx, fn)
        st = slot_type(self.heap, o, idx)
        if st is None:
            raise GoxABIError(
                f"{fn}: slot {idx} of {kind_name(o.kind)} object {self.heap.fmt(obj)} is not writable "
                "(headers and strings are immutable; use the kind's own calls)"
            )
        if st == SlotType.GC_REF:
            self.heap.check_ref_value(val, fn, f"slot {idx} (a reference slot)")
        elif st == SlotType.INTERFACE0 and is_ref_kind(iface_kind(val)):
            where = f"the data slot {idx + 1} of an interface of kind {kind_name(iface_kind(val))}"
            self.heap.check_ref_value(o.slots[idx + 1], fn, where)
        elif st == SlotType.INTERFACE1 and is_ref_kind(iface_kind(o.slots[idx - 1])):
            self.heap.check_ref_value(val, fn, f"slot {idx} (an interface holding {kind_name(iface_kind(o.slots[idx - 1]))})")
        o.slots[idx] = val

    def gox_rt_write_barrier(self, parent: int, child: int) -> None:
        fn = "gox_rt_write_barrier"
        p = self.heap.get(parent, fn)
        if child:
            self.heap.get(child, fn, "a live child object or 0")
        self.gc.barrier(p, child)

    def gox_gc_write_slot_barrier(self, obj: int, idx: int, val: int) -> bool:
        """The pair on a reference slot (where the barrier cannot refuse what the write took);
        on any other slot nothing: the caller makes the two calls."""
        o = self._slot(obj, idx, "gox_gc_write_slot")
        if slot_type(self.heap, o, idx) != SlotType.GC_REF:
            return False
        self.gox_gc_write_slot(obj, idx, val)
        self.gox_rt_write_barrier(obj, val)
        return True

    def gox_rt_mark_gray(self, obj: int) -> None:
        o = self.heap.get(obj, "gox_rt_mark_gray")
        if self.gc.state == 1:  # PROPAGATE
            self.gc.mark_gray(o)

    # -- collector control ---------------------------------------------------------------------
    def gox_init_gc(self) -> None:
        """Drop every object and reset the collector; allocation numbers keep counting."""
        for hook in self.gc.on_drop_all:
            hook()
        self.heap.objects.clear()
        self.heap.live_bytes = 0
        self.heap.dead_mark = -1
        self.gc.reset()
        self.pins.clear()

    def gox_collect_garbage(self) -> None:
        self.gc.full_collect()

    def gox_gc_step(self) -> bool:
        return self.gc.explicit_step()

    def gox_gc_pause(self) -> None:
        self.gc.pause_depth += 1

    def gox_gc_resume(self) -> None:
        if self.gc.pause_depth == 0:
            raise GoxABIError("gox_gc_resume: the collector is not paused; expected a matching gox_gc_pause")
        self.gc.pause_depth -= 1

    def gox_gc_pin(self, obj: int) -> None:
        num = self.heap.num_of(obj)
        self.heap.get(obj, "gox_gc_pin")
        self.pins[num] = self.pins.get(num, 0) + 1

    def gox_gc_unpin(self, obj: int) -> None:
        num = self.heap.num_of(obj)
        if self.pins.get(num, 0) == 0:
            raise GoxABIError(f"gox_gc_unpin: {self.heap.fmt(obj)} is not pinned; expected a ref passed to gox_gc_pin")
        self.pins[num] -= 1
        if self.pins[num] == 0:
            del self.pins[num]

    def gox_gc_tune(self, pause: int, stepmul: int, step_size: int, min_threshold: int) -> None:
        """Set the collector's parameters; 0 keeps a parameter's default."""
        gc: Collector = self.gc
        if step_size and step_size < 8:
            raise GoxABIError(f"gox_gc_tune: step_size={step_size}, expected 0 (default) or at least 8 bytes")
        gc.pause = pause or DEFAULT_PAUSE
        gc.stepmul = stepmul or DEFAULT_STEPMUL
        gc.step_size = step_size or DEFAULT_STEP_SIZE
        gc.min_threshold = min_threshold or DEFAULT_MIN_THRESHOLD
        if gc.state == 0:
            gc.set_threshold()

    def gox_gc_stats(self) -> GcStats:
        return self.gc.stats()

    # -- struct type table ---------------------------------------------------------------------
    def gox_type_register(self, name: bytes, slot_types: bytes) -> int:
        fn = "gox_type_register"
        if len(slot_types) > MAX_SLOTS:
            raise GoxABIError(f"{fn}: {len(slot_types)} slots, expected at most {MAX_SLOTS}")
        types: list[SlotType] = []
        for i, st in enumerate(slot_types):
            if st > SlotType.INTERFACE1:
                raise GoxABIError(f"{fn}: slot {i} has slot type {st}, expected 0..3")
            if st == SlotType.INTERFACE0 and (i + 1 >= len(slot_types) or slot_types[i + 1] != SlotType.INTERFACE1):
                raise GoxABIError(f"{fn}: slot {i} is Interface0 but slot {i + 1} is not Interface1")
            if st == SlotType.INTERFACE1 and (i == 0 or slot_types[i - 1] != SlotType.INTERFACE0):
                raise GoxABIError(f"{fn}: slot {i} is Interface1 but slot {i - 1} is not Interface0")
            types.append(SlotType(st))
        return self.heap.register_type(bytes(name).decode("utf-8", "replace"), tuple(types))

    def gox_type_slot_count(self, type_id: int) -> int:
        return len(self.heap.get_type(type_id, "gox_type_slot_count").slot_types)
