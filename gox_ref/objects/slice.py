"""Slices: ``[0] array ref, [1] start, [2] len, [3] cap``; 0 is the nil slice (len 0, cap 0).

A slice is a window on an array; slicing and appending within capacity share the array, as
in Go.  ``append`` beyond capacity copies into a new array whose capacity follows Go's
growth formula without size-class rounding: ``grow_cap``, docs/ABI.md "Slice growth".
"""

from __future__ import annotations

from gox_abi.errors import GoxABIError, GoxPanic, index_out_of_range, slice3_out_of_range, slice_out_of_range
from gox_abi.kinds import ValueKind, is_ref_kind, kind_name
from gox_abi.layout import ARRAY_ELEM_BYTES as ELEM_BYTES
from gox_abi.layout import ARRAY_ELEM_KIND as ELEM_KIND
from gox_abi.layout import ARRAY_ELEM_TYPE as ELEM_TYPE
from gox_abi.layout import SLICE_ARRAY as ARRAY
from gox_abi.layout import SLICE_CAP as CAP
from gox_abi.layout import SLICE_LEN as SLEN
from gox_abi.layout import SLICE_START as START

from ..core import RuntimeCore
from ..heap import GcObject
from .array import MAX_DATA_SLOTS, copy_elems, data_slots, elem_is_ref, new_array, new_slice_header, read_elem, set_elem
from .array import elem_bytes as array_elem_bytes


def grow_cap(old_cap: int, needed: int) -> int:
    if needed > 2 * old_cap:
        return needed
    if old_cap < 256:
        return max(2 * old_cap, 1)
    cap = old_cap
    while cap < needed:
        cap += (cap + 768) // 4
    return cap


class SliceOps(RuntimeCore):
    def _slice(self, ref: int, fn: str) -> GcObject | None:
        """The slice object, or None for the nil slice."""
        if ref == 0:
            return None
        return self.heap.get_kind(ref, ValueKind.SLICE, fn)

    def _backing(self, s: GcObject) -> GcObject:
        return self.heap.objects[self.heap.num_of(s.slots[ARRAY])]

    def _slice_elem(self, ref: int, idx: int, fn: str) -> tuple[GcObject, int]:
        """The backing array and the array index of element ``idx`` (bounds checked)."""
        s = self._slice(ref, fn)
        n = s.slots[SLEN] if s else 0
        if s is None or not 0 <= idx < n:
            raise index_out_of_range(idx, n)
        arr = self._backing(s)
        if arr.slots[ELEM_BYTES] > 8:
            raise GoxABIError(
                f"{fn}: {self.heap.fmt(ref)} has elements of {arr.slots[ELEM_BYTES]} bytes; expected "
                "single-slot elements (use gox_gc_read_slot/gox_gc_write_slot)"
            )
        return arr, s.slots[START] + idx

    def _reslice(self, s: int, lo: int, err: GoxPanic | None, hi: int, cap: int, fn: str) -> int:
        if err:
            raise err
        obj = self._slice(s, fn)
        if obj is None:  # nil[0:0] and nil[0:0:0] are nil
            return 0
        self.gc.safepoint((s,))
        return new_slice_header(self, obj.slots[ARRAY], obj.slots[START] + lo, hi - lo, cap - lo).ref

    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_slice_create(self, elem_kind: int, elem_type_id: int, length: int, cap: int) -> int:
        fn = "gox_rt_slice_create"
        w = array_elem_bytes(self.heap, elem_kind, elem_type_id, fn)
        if length < 0 or data_slots(w, length) > MAX_DATA_SLOTS:
            raise GoxPanic("runtime error: makeslice: len out of range")
        if cap < length or data_slots(w, cap) > MAX_DATA_SLOTS:
            raise GoxPanic("runtime error: makeslice: cap out of range")
        self.gc.safepoint()
        arr = new_array(self, elem_kind, elem_type_id, cap, fn)
        return new_slice_header(self, arr.ref, 0, length, cap).ref

    def gox_slice_len(self, s: int) -> int:
        obj = self._slice(s, "gox_slice_len")
        return obj.slots[SLEN] if obj else 0

    def gox_slice_cap(self, s: int) -> int:
        obj = self._slice(s, "gox_slice_cap")
        return obj.slots[CAP] if obj else 0

    def gox_slice_get(self, s: int, idx: int) -> int:
        arr, i = self._slice_elem(s, idx, "gox_slice_get")
        return read_elem(arr, i)

    def gox_slice_set(self, s: int, idx: int, val: int) -> None:
        arr, i = self._slice_elem(s, idx, "gox_slice_set")
        set_elem(self, arr, i, val, "gox_slice_set")

    def gox_rt_slice_slice(self, s: int, lo: int, hi: int) -> int:
        """``s[lo:hi]``: bounded by the capacity, sharing the array."""
        obj = self._slice(s, "gox_rt_slice_slice")
        cap = obj.slots[CAP] if obj else 0
        return self._reslice(s, lo, slice_out_of_range(lo, hi, cap, "capacity"), hi, cap, "gox_rt_slice_slice")

    def gox_rt_slice_slice3(self, s: int, lo: int, hi: int, mx: int) -> int:
        """``s[lo:hi:max]``: the result's capacity is ``max - lo``."""
        obj = self._slice(s, "gox_rt_slice_slice3")
        cap = obj.slots[CAP] if obj else 0
        return self._reslice(s, lo, slice3_out_of_range(lo, hi, mx, cap), hi, mx, "gox_rt_slice_slice3")

    def gox_slice_copy(self, dst: int, src: int) -> int:
        """Go's ``copy(dst, src)``: copies min(len) elements, overlap allowed; returns the count."""
        fn = "gox_slice_copy"
        d, s = self._slice(dst, fn), self._slice(src, fn)
        n = min(d.slots[SLEN] if d else 0, s.slots[SLEN] if s else 0)
        if d is None or s is None:
            return 0
        da, sa = self._backing(d), self._backing(s)
        # elem_type_id only means something for struct elements
        if da.slots[ELEM_KIND] != sa.slots[ELEM_KIND] or (
            da.slots[ELEM_KIND] == ValueKind.STRUCT and da.slots[ELEM_TYPE] != sa.slots[ELEM_TYPE]
        ):
            raise GoxABIError(
                f"{fn}: element kinds differ ({kind_name(da.slots[ELEM_KIND])} and "
                f"{kind_name(sa.slots[ELEM_KIND])}); expected slices of one element type"
            )
        copy_elems(da, d.slots[START], sa, s.slots[START], n)
        if is_ref_kind(da.slots[ELEM_KIND]) or da.slots[ELEM_BYTES] > 8:
            # A bulk copy of references into a black array: re-gray the array's new children.
            for ref in self.gc.children(da):
                if ref:
                    self.gc.barrier(da, ref)
        return n

    def gox_rt_slice_append(self, elem_kind: int, elem_type_id: int, s: int, val: int) -> int:
        fn = "gox_rt_slice_append"
        w = array_elem_bytes(self.heap, elem_kind, elem_type_id, fn)
        if w > 8:
            raise GoxABIError(f"{fn}: elements of kind {kind_name(elem_kind)} take {w} bytes; expected a single-slot kind")
        obj = self._slice(s, fn)
        old = self._backing(obj) if obj else None
        if old is not None and (
            old.slots[ELEM_KIND] != elem_kind
            or (elem_kind == ValueKind.STRUCT and old.slots[ELEM_TYPE] != elem_type_id)
        ):
            raise GoxABIError(
                f"{fn}: {self.heap.fmt(s)} has {kind_name(old.slots[ELEM_KIND])} elements; "
                f"expected {kind_name(elem_kind)} as elem_kind says"
            )
        ref_elem = elem_is_ref(self.heap, elem_kind, elem_type_id)
        if ref_elem:
            self.heap.check_ref_value(val, fn, f"an element of kind {kind_name(elem_kind)}")
        start, length, cap = (obj.slots[START], obj.slots[SLEN], obj.slots[CAP]) if obj else (0, 0, 0)
        new_cap = cap if length < cap else grow_cap(cap, length + 1)
        if data_slots(w, new_cap) > MAX_DATA_SLOTS:
            raise GoxPanic("runtime error: growslice: len out of range")
        self.gc.safepoint((s, val) if ref_elem else (s,))
        if old is not None and length < cap:
            set_elem(self, old, start + length, val, fn)
            return new_slice_header(self, old.ref, start, length + 1, cap).ref
        arr = new_array(self, elem_kind, elem_type_id, new_cap, fn)
        if old is not None:
            copy_elems(arr, 0, old, start, length)
        set_elem(self, arr, length, val, fn)
        return new_slice_header(self, arr.ref, 0, length + 1, new_cap).ref
