"""Closures and upvalue boxes.

A closure is ``[0] func_id, [1] upvalue count, [2..] upvalues``.  Its header's type_id names
a struct type whose slot types say which upvalues are references (``NO_TYPE``: none are);
that is how the collector scans closures precisely.  A variable captured by reference lives
in an upvalue box: a one-slot Pointer object whose header type_id is the value kind of the
boxed value, shared by every closure that captured it.
"""

from __future__ import annotations

from gox_abi.errors import GoxABIError
from gox_abi.kinds import SlotType, ValueKind, is_ref_kind, kind_name, normalize, valid_kind
from gox_abi.layout import CLOSURE_COUNT as COUNT
from gox_abi.layout import CLOSURE_FUNC_ID as FUNC_ID
from gox_abi.layout import CLOSURE_UPVALS as UPVALS
from gox_abi.layout import NO_TYPE

from ..core import RuntimeCore
from ..heap import GcObject


class ClosureOps(RuntimeCore):
    def _closure(self, ref: int, fn: str) -> GcObject:
        return self.heap.get_kind(ref, ValueKind.CLOSURE, fn)

    def _upval_index(self, obj: GcObject, idx: int, fn: str) -> int:
        n = obj.slots[COUNT]
        if not 0 <= idx < n:
            raise GoxABIError(
                f"{fn}: upvalue index {idx} out of range for closure {self.heap.fmt(obj.ref)} "
                f"with {n} upvalues"
            )
        return UPVALS + idx

    def _upval_is_ref(self, obj: GcObject, idx: int) -> bool:
        if obj.type_id == NO_TYPE:
            return False
        return self.heap.types[obj.type_id].slot_types[idx] == SlotType.GC_REF

    def _box(self, ref: int, fn: str) -> GcObject:
        return self.heap.deref_kind(ref, ValueKind.POINTER, fn)  # *p of a nil p: Go's panic

    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_closure_create(self, func_id: int, type_id: int, upval_count: int) -> int:
        fn = "gox_rt_closure_create"
        if type_id != NO_TYPE:
            layout = self.heap.get_type(type_id, fn).slot_types
            if len(layout) != upval_count:
                raise GoxABIError(
                    f"{fn}: type {type_id} describes {len(layout)} slots, expected "
                    f"upval_count={upval_count} (or type_id={NO_TYPE:#x} for no reference upvalues)"
                )
            if any(st in (SlotType.INTERFACE0, SlotType.INTERFACE1) for st in layout):
                raise GoxABIError(f"{fn}: type {type_id} has interface slots; upvalues are single slots")
        if upval_count > 0xFFFF - UPVALS:
            raise GoxABIError(f"{fn}: upval_count={upval_count}, expected at most {0xFFFF - UPVALS}")
        self.gc.safepoint()
        obj = self._alloc(ValueKind.CLOSURE, type_id, UPVALS + upval_count)
        obj.slots[FUNC_ID] = func_id
        obj.slots[COUNT] = upval_count
        return obj.ref

    def gox_closure_func_id(self, c: int) -> int:
        # calling a nil func value: Go's nil-dereference panic
        return self.heap.deref_kind(c, ValueKind.CLOSURE, "gox_closure_func_id").slots[FUNC_ID]

    def gox_closure_upval_count(self, c: int) -> int:
        return self._closure(c, "gox_closure_upval_count").slots[COUNT]

    def gox_closure_get_upvalue(self, c: int, idx: int) -> int:
        obj = self.heap.deref_kind(c, ValueKind.CLOSURE, "gox_closure_get_upvalue")
        return obj.slots[self._upval_index(obj, idx, "gox_closure_get_upvalue")]

    def gox_closure_set_upvalue(self, c: int, idx: int, val: int) -> None:
        fn = "gox_closure_set_upvalue"
        obj = self.heap.deref_kind(c, ValueKind.CLOSURE, fn)
        slot = self._upval_index(obj, idx, fn)
        if self._upval_is_ref(obj, idx):
            self.heap.check_ref_value(val, fn, f"upvalue {idx} (a reference)")
            self._store_ref(obj, slot, val)
        else:
            obj.slots[slot] = val

    def gox_rt_upval_box_create(self, value_kind: int, val: int) -> int:
        fn = "gox_rt_upval_box_create"
        if not valid_kind(value_kind) or value_kind in (ValueKind.NIL, ValueKind.INTERFACE):
            raise GoxABIError(f"{fn}: value_kind={value_kind} is not a single-slot value kind")
        if is_ref_kind(value_kind):
            self.heap.check_ref_value(val, fn, f"a box of kind {kind_name(value_kind)}")
        self.gc.safepoint((val,) if is_ref_kind(value_kind) else ())
        obj = self._alloc(ValueKind.POINTER, value_kind, 1)
        obj.slots[0] = val
        return obj.ref

    def gox_upval_box_get(self, box: int) -> int:
        obj = self._box(box, "gox_upval_box_get")
        val = obj.slots[0]
        if obj.type_id == ValueKind.BOOL:
            return 1 if val else 0
        return val if is_ref_kind(obj.type_id) else normalize(obj.type_id, val)

    def gox_upval_box_set(self, box: int, val: int) -> None:
        fn = "gox_upval_box_set"
        obj = self._box(box, fn)
        if is_ref_kind(obj.type_id):
            self.heap.check_ref_value(val, fn, f"a box of kind {kind_name(obj.type_id)}")
            self._store_ref(obj, 0, val)
        else:
            obj.slots[0] = val
