"""Maps: ``[0] implementation state, [1] key_kind, [2] val_kind``; 0 is the nil map.

The state is host-side (an insertion-ordered table; slot 0 holds an opaque handle).  Keys
compare as Go compares them: strings by content, floats by value (+0 == -0, and NaN never
equals anything, so every NaN key is a new entry that no lookup finds), references by
identity.  Keys of kinds Go cannot compare (slices, maps, closures) are refused at creation.
The order of a range loop over a map: docs/SCHEDULER.md section 5, "Map".
"""

from __future__ import annotations

import math
import struct
from collections.abc import Iterable

from gox_abi.errors import GoxABIError, GoxPanic
from gox_abi.kinds import ValueKind, is_ref_kind, kind_name, normalize, valid_kind
from gox_abi.layout import MAP_KEY_KIND as KEY_KIND
from gox_abi.layout import MAP_SLOTS, NO_TYPE
from gox_abi.layout import MAP_VAL_KIND as VAL_KIND

from ..core import RuntimeCore
from ..heap import GcObject
from .string import string_bytes

_KEY_KINDS = frozenset(
    {
        ValueKind.BOOL, ValueKind.INT, ValueKind.INT8, ValueKind.INT16, ValueKind.INT32,
        ValueKind.INT64, ValueKind.UINT, ValueKind.UINT8, ValueKind.UINT16, ValueKind.UINT32,
        ValueKind.UINT64, ValueKind.FLOAT32, ValueKind.FLOAT64, ValueKind.STRING,
        ValueKind.CHANNEL, ValueKind.POINTER, ValueKind.FUNC_PTR,
    }
)


class MapState:
    """Entries in insertion order: normalized key -> (key slot, value slot)."""

    def __init__(self) -> None:
        self.entries: dict[object, tuple[int, int]] = {}


class MapOps(RuntimeCore):
    def __init__(self) -> None:
        super().__init__()
        self.gc.state_tracers[ValueKind.MAP] = _map_children

    def _map(self, ref: int, fn: str) -> GcObject | None:
        if ref == 0:
            return None
        return self.heap.get_kind(ref, ValueKind.MAP, fn)

    def _key(self, m: GcObject, key: int, fn: str) -> object:
        """The key as the table compares it."""
        kk = m.slots[KEY_KIND]
        if kk == ValueKind.STRING:
            return string_bytes(self.heap, key, fn)
        if kk in (ValueKind.FLOAT64, ValueKind.FLOAT32):
            fmt = ("<d", "<Q") if kk == ValueKind.FLOAT64 else ("<f", "<I")
            mask = (1 << 64) - 1 if kk == ValueKind.FLOAT64 else 0xFFFFFFFF
            f = struct.unpack(fmt[0], struct.pack(fmt[1], key & mask))[0]
            return object() if math.isnan(f) else ("f", f + 0.0)
        if is_ref_kind(kk):
            self.heap.check_ref_value(key, fn, f"a key of kind {kind_name(kk)}")
        return _scalar(kk, key)

    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_map_new(self, key_kind: int, val_kind: int) -> int:
        fn = "gox_rt_map_new"
        if key_kind not in _KEY_KINDS:
            raise GoxABIError(f"{fn}: key_kind={kind_name(key_kind)} is not a comparable single-slot kind")
        if not valid_kind(val_kind) or val_kind in (ValueKind.NIL, ValueKind.INTERFACE):
            raise GoxABIError(f"{fn}: val_kind={kind_name(val_kind)} is not a single-slot value kind")
        self.gc.safepoint()
        obj = self._alloc(ValueKind.MAP, NO_TYPE, MAP_SLOTS)
        obj.state = MapState()
        obj.slots[:] = [obj.num, key_kind, val_kind]  # slot 0: an opaque handle
        return obj.ref

    def gox_map_len(self, m: int) -> int:
        obj = self._map(m, "gox_map_len")
        return len(_state(obj).entries) if obj else 0

    def gox_map_get(self, m: int, key: int) -> tuple[int, bool]:
        """``v, ok := m[key]``; a missing key gives the zero value and false."""
        obj = self._map(m, "gox_map_get")
        if obj is None:
            return 0, False
        hit = _state(obj).entries.get(self._key(obj, key, "gox_map_get"))
        return (hit[1], True) if hit else (0, False)

    def gox_map_set(self, m: int, key: int, val: int) -> None:
        fn = "gox_map_set"
        obj = self._map(m, fn)
        if obj is None:
            raise GoxPanic("assignment to entry in nil map")
        k = self._key(obj, key, fn)
        vk = obj.slots[VAL_KIND]
        if is_ref_kind(vk):
            self.heap.check_ref_value(val, fn, f"a value of kind {kind_name(vk)}")
        else:
            val = _scalar(vk, val)  # an int8 value reads back sign-extended, as from an array
        kk = obj.slots[KEY_KIND]
        if not is_ref_kind(kk) and kk not in (ValueKind.FLOAT32, ValueKind.FLOAT64):
            key = _scalar(kk, key)
        _state(obj).entries[k] = (key, val)  # Go updates the stored key too
        for ref in (key if is_ref_kind(obj.slots[KEY_KIND]) else 0, val if is_ref_kind(vk) else 0):
            if ref:
                self.gc.barrier(obj, ref)

    def gox_map_delete(self, m: int, key: int) -> None:
        obj = self._map(m, "gox_map_delete")
        if obj is not None:
            _state(obj).entries.pop(self._key(obj, key, "gox_map_delete"), None)


def _scalar(kind: int, val: int) -> int:
    """The canonical slot of a scalar of ``kind`` (Go's sign/zero extension; a bool is 0 or 1)."""
    if kind == ValueKind.BOOL:
        return 1 if val else 0  # any non-zero bool is true
    return normalize(kind, val)


def _state(obj: GcObject) -> MapState:
    st = obj.state
    assert isinstance(st, MapState)
    return st


def _map_children(obj: GcObject) -> Iterable[int]:
    key_ref = is_ref_kind(obj.slots[KEY_KIND])
    val_ref = is_ref_kind(obj.slots[VAL_KIND])
    for key, val in _state(obj).entries.values():
        if key_ref:
            yield key
        if val_ref:
            yield val
