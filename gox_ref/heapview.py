"""The reference's heap as a snapshot (``gox_abi.heapview``'s types, which every backend fills).

Every reference is shown as its canonical address (``Heap.canonical``: what the native
backend's snapshot shows too).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from gox_abi.heapview import HeapSnapshot, ObjectView
from gox_abi.kinds import ValueKind
from gox_abi.layout import canonical_ref

from .gc import color_name
from .heap import GcObject

if TYPE_CHECKING:
    from .runtime import RefRuntime

_OPAQUE_SLOT0 = {ValueKind.MAP, ValueKind.CHANNEL}


def view_object(rt: RefRuntime, obj: GcObject) -> ObjectView:
    type_name = ""
    if obj.kind in (ValueKind.STRUCT, ValueKind.CLOSURE) and obj.type_id < len(rt.heap.types):
        type_name = rt.heap.types[obj.type_id].name
    canon, base = rt.heap.canonical, rt.heap.base
    # any slot holding a reference this heap made (a child, or one stored in a value slot);
    # values up to the heap's base are none (a large array's zeros are its most slots)
    slots: list[int | None] = [canon(s) if s > base else s for s in obj.slots]
    if obj.kind in _OPAQUE_SLOT0:
        slots[0] = None
    return ObjectView(
        num=obj.num,
        ref=canonical_ref(obj.num),
        kind=ValueKind(obj.kind).name.title().replace("_", ""),
        type_id=obj.type_id,
        type_name=type_name,
        color=color_name(obj, rt.gc.current_white),
        gen=obj.gen,
        flags=obj.flags,
        slots=tuple(slots),
        refs=tuple(canon(r) for r in rt.gc.children(obj) if r),
    )


def snapshot(rt: RefRuntime) -> HeapSnapshot:
    roots = tuple((w, rt.heap.canonical(v)) for src in rt.gc.root_sources for w, v in src() if v)
    return HeapSnapshot(
        state=rt.gc.state.name,
        objects=tuple(view_object(rt, o) for o in rt.heap.objects.values()),
        roots=roots,
    )
