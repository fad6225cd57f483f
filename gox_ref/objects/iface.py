"""Interfaces: two inline slots, not a heap object.

Slot 0 packs the header: bits 0..7 value_kind, bits 16..31 value_type_id, bits 32..47
iface_type_id (so ``0x0000_IIII_VVVV_00KK`` in hex).  Slot 1 holds the data: a value, or a
reference when value_kind is a reference kind.  A nil interface has value_kind Nil (its
slot 0 may still carry the interface's own type id).  Boxed values (BoxedInt, BoxedFloat,
BoxedBool) are one-slot heap objects used where a value must be a reference.
"""

from __future__ import annotations

from gox_abi.errors import GoxABIError
from gox_abi.kinds import ValueKind, kind_name, valid_kind

from ..core import RuntimeCore

KIND_SHIFT = 0
VTYPE_SHIFT = 16
ITYPE_SHIFT = 32

_BOXES = {ValueKind.BOXED_INT, ValueKind.BOXED_FLOAT, ValueKind.BOXED_BOOL}


def iface_kind(slot0: int) -> int:
    return slot0 & 0xFF


class IfaceOps(RuntimeCore):
    def gox_interface_pack(self, iface_type_id: int, value_type_id: int, value_kind: int) -> int:
        if not valid_kind(value_kind) or value_kind == ValueKind.INTERFACE:
            raise GoxABIError(
                f"gox_interface_pack: value_kind={value_kind} cannot be held by an interface; "
                "expected 0..22 or 24..26"
            )
        return (iface_type_id << ITYPE_SHIFT) | (value_type_id << VTYPE_SHIFT) | value_kind

    def gox_interface_unbox_type(self, slot0: int) -> int:
        return (slot0 >> VTYPE_SHIFT) & 0xFFFF

    def gox_interface_unbox_kind(self, slot0: int) -> int:
        return iface_kind(slot0)

    def gox_interface_iface_type(self, slot0: int) -> int:
        return (slot0 >> ITYPE_SHIFT) & 0xFFFF

    def gox_interface_unbox_data(self, slot0: int, slot1: int) -> int:
        return slot1 if iface_kind(slot0) != ValueKind.NIL else 0

    def gox_interface_is_nil(self, slot0: int) -> bool:
        return iface_kind(slot0) == ValueKind.NIL

    def gox_rt_box(self, kind: int, val: int) -> int:
        if kind not in _BOXES:
            raise GoxABIError(f"gox_rt_box: kind={kind_name(kind)}, expected 24 (BoxedInt), 25 (BoxedFloat) or 26 (BoxedBool)")
        self.gc.safepoint()
        obj = self._alloc(ValueKind(kind), 0xFFFF, 1)
        obj.slots[0] = (1 if val else 0) if kind == ValueKind.BOXED_BOOL else val
        return obj.ref

    def gox_box_get(self, box: int) -> int:
        obj = self.heap.deref(box, "gox_box_get", "a BoxedInt, BoxedFloat or BoxedBool object")
        if obj.kind not in _BOXES:
            raise GoxABIError(f"gox_box_get: {self.heap.fmt(box)} is a {kind_name(obj.kind)} object, expected a boxed value")
        return obj.slots[0]
