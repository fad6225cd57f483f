"""Slices: ``[0] array ref, [1] start, [2] len, [3] cap``; 0 is the nil slice (len 0, cap 0).

A slice is a window on an array; slicing and appending within capacity share the array, as
in Go.  An append beyond capacity copies into a new array once, whatever the number of
elements appended, with the capacity Go 1.19 gives (``grow_cap``: the one home of the rule;
gox_ref_native/src/slice.c ``slice_grow_cap`` is its C twin; docs/ABI.md, "Slice growth",
lists the capacities it gives, checked against Go).  The byte and rune conversions between
strings and slices live here too: they make or read slices.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence

from gox_abi.errors import GoxABIError, GoxPanic, index_out_of_range, slice3_out_of_range, slice_out_of_range
from gox_abi.gcstats import GcState
from gox_abi.kinds import U64_MASK, ValueKind, as_signed, is_ref_kind, kind_name
from gox_abi.layout import ARRAY_ELEM_BYTES as ELEM_BYTES
from gox_abi.layout import ARRAY_ELEM_KIND as ELEM_KIND
from gox_abi.layout import ARRAY_ELEM_TYPE as ELEM_TYPE
from gox_abi.layout import BLACK, GO_MAX_ALLOC, NO_TYPE, unpack_bytes
from gox_abi.layout import SLICE_ARRAY as ARRAY
from gox_abi.layout import SLICE_CAP as CAP
from gox_abi.layout import SLICE_LEN as SLEN
from gox_abi.layout import SLICE_START as START

from ..core import RuntimeCore
from ..heap import GcObject
from .array import (
    copy_elems,
    elem_is_ref,
    fill_elems,
    go_alloc_fits,
    go_elem_size,
    new_array,
    new_slice_header,
    read_elem,
    set_elem,
    write_elem,
)
from .array import elem_bytes as array_elem_bytes
from .string import alloc_string, encode_rune, runes, string_bytes

# Go 1.19's malloc size classes on amd64 (runtime/sizeclasses.go, class_to_size), in bytes.
# Go rounds an allocation below MAX_SMALL_SIZE up to the smallest class holding it, and a
# larger one up to a whole number of PAGE_SIZE pages (runtime/msize.go, roundupsize).
SIZE_CLASSES = (
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256, 288, 320, 352,
    384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280, 1408, 1536, 1792, 2048, 2304,
    2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528, 6784, 6912, 8192, 9472, 9728, 10240, 10880,
    12288, 13568, 14336, 16384, 18432, 19072, 20480, 21760, 24576, 27264, 28672, 32768,
)  # fmt: skip
MAX_SMALL_SIZE = 32768
PAGE_SIZE = 8192
GROW_THRESHOLD = 256  # below this capacity Go doubles (runtime/slice.go, growslice)



def round_up_size(nbytes: int) -> int:
    """The bytes Go's allocator gives a request of ``nbytes`` (runtime/msize.go, roundupsize)."""
    if nbytes < MAX_SMALL_SIZE:
        return SIZE_CLASSES[bisect_left(SIZE_CLASSES, nbytes)]
    return -(-nbytes // PAGE_SIZE) * PAGE_SIZE


def grow_cap(old_cap: int, needed: int, elem_size: int) -> int | None:
    """Go 1.19's capacity for a slice of capacity ``old_cap`` grown to hold ``needed`` elements
    of ``elem_size`` bytes (runtime/slice.go, growslice): the new capacity before rounding is
    ``needed`` when that is more than double, else double below GROW_THRESHOLD, else 1.25x plus
    a step that smooths the change, repeated until it holds ``needed``; then the allocation is
    rounded up to Go's size class and the capacity is what fits in it.  Zero-size elements get
    exactly ``needed``.  None when the allocation would exceed GO_MAX_ALLOC (Go panics
    ``growslice: cap out of range``)."""
    if elem_size == 0:
        return needed
    if needed > 2 * old_cap:
        cap = needed
    elif old_cap < GROW_THRESHOLD:
        cap = 2 * old_cap
    else:
        cap = old_cap
        while cap < needed:
            cap += (cap + 3 * GROW_THRESHOLD) // 4
    if cap * elem_size > GO_MAX_ALLOC:
        return None
    return round_up_size(cap * elem_size) // elem_size


class SliceOps(RuntimeCore):
    def _slice(self, ref: int, fn: str) -> GcObject | None:
        """The slice object, or None for the nil slice."""
        if ref == 0:
            return None
        return self.heap.get_kind(ref, ValueKind.SLICE, fn)

    def _backing(self, s: GcObject) -> GcObject:
        return self.heap.objects[self.heap.num_of(s.slots[ARRAY])]

    def _typed_slice(self, ref: int, elem_kind: int, elem_type_id: int, why: str, fn: str) -> GcObject | None:
        """The slice ``ref`` (None for nil), which must hold ``elem_kind`` elements (of struct
        type ``elem_type_id`` for Struct elements); ``why`` ends the message when it does not."""
        obj = self._slice(ref, fn)
        if obj is None:
            return None
        arr = self._backing(obj)
        if arr.slots[ELEM_KIND] != elem_kind or (elem_kind == ValueKind.STRUCT and arr.slots[ELEM_TYPE] != elem_type_id):
            raise GoxABIError(
                f"{fn}: {self.heap.fmt(ref)} has {kind_name(arr.slots[ELEM_KIND])} elements; "
                f"expected {kind_name(elem_kind)} {why}"
            )
        return obj

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

    def _barrier_children(self, arr: GcObject) -> None:
        """After a bulk copy into a possibly black array: re-gray the array's new children (the
        walk only while the barrier can act: a black array, the collector propagating)."""
        if self.gc.state != GcState.PROPAGATE or arr.mark != BLACK:
            return
        if is_ref_kind(arr.slots[ELEM_KIND]) or arr.slots[ELEM_BYTES] > 8:
            for ref in self.gc.children(arr):
                if ref:
                    self.gc.barrier(arr, ref)

    # -- append: one plan for every form ------------------------------------------------------
    def _grow_to(self, obj: GcObject | None, elem_kind: int, w: int, n: int) -> int:
        """The capacity after appending ``n`` elements: the old one when they fit, else Go's
        (grow_cap); Go's panic when it cannot be had."""
        length, cap = (obj.slots[SLEN], obj.slots[CAP]) if obj else (0, 0)
        if length + n <= cap:
            return cap
        new_cap = grow_cap(cap, length + n, go_elem_size(elem_kind, w))
        if new_cap is None:
            raise GoxPanic("runtime error: growslice: cap out of range")
        return new_cap

    def _append(
        self, obj: GcObject | None, elem_kind: int, elem_type_id: int, n: int, new_cap: int, fn: str
    ) -> tuple[int, GcObject, int]:
        """Make room for ``n`` more elements (after the caller's safepoint): in the array when
        they fit (shared, as in Go), else in a new array holding a copy of the old elements.
        Returns the new slice, its array and the array index of the first new element."""
        start, length, cap = (obj.slots[START], obj.slots[SLEN], obj.slots[CAP]) if obj else (0, 0, 0)
        if obj is not None and new_cap == cap:
            arr = self._backing(obj)
            return new_slice_header(self, arr.ref, start, length + n, cap).ref, arr, start + length
        arr = new_array(self, elem_kind, elem_type_id, new_cap, fn)
        if obj is not None:
            copy_elems(arr, 0, self._backing(obj), start, length)
        return new_slice_header(self, arr.ref, 0, length + n, new_cap).ref, arr, length

    def _single_slot(self, elem_kind: int, w: int, fn: str) -> None:
        if w > 8:
            raise GoxABIError(f"{fn}: elements of kind {kind_name(elem_kind)} take {w} bytes; expected a single-slot kind")

    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_slice_create(self, elem_kind: int, elem_type_id: int, length: int, cap: int) -> int:
        fn = "gox_rt_slice_create"
        gw = go_elem_size(elem_kind, array_elem_bytes(self.heap, elem_kind, elem_type_id, fn))
        if length < 0 or not go_alloc_fits(gw, length):
            raise GoxPanic("runtime error: makeslice: len out of range")
        if cap < length or not go_alloc_fits(gw, cap):
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
        self._barrier_children(da)
        return n

    def gox_slice_copy_string(self, dst: int, src: int) -> int:
        """Go's ``copy(dst []byte, src string)``: copies min(len) bytes; returns the count."""
        fn = "gox_slice_copy_string"
        d = self._typed_slice(dst, ValueKind.UINT8, NO_TYPE, "elements (a []byte)", fn)
        data = string_bytes(self.heap, src, fn)
        if d is None:
            return 0
        n = min(d.slots[SLEN], len(data))
        arr, at = self._backing(d), d.slots[START]
        for i in range(n):
            write_elem(arr, at + i, data[i])
        return n

    def gox_rt_slice_append(self, elem_kind: int, elem_type_id: int, s: int, val: int) -> int:
        return self._append_values(elem_kind, elem_type_id, s, (val,), "gox_rt_slice_append")

    def gox_rt_slice_append_n(self, elem_kind: int, elem_type_id: int, s: int, vals: Sequence[int]) -> int:
        """``append(s, vals...)`` of single-slot values: grows once, as Go does."""
        return self._append_values(elem_kind, elem_type_id, s, vals, "gox_rt_slice_append_n")

    def _append_values(self, elem_kind: int, elem_type_id: int, s: int, vals: Sequence[int], fn: str) -> int:
        w = array_elem_bytes(self.heap, elem_kind, elem_type_id, fn)
        self._single_slot(elem_kind, w, fn)
        obj = self._typed_slice(s, elem_kind, elem_type_id, "as elem_kind says", fn)
        ref_elem = elem_is_ref(self.heap, elem_kind, elem_type_id)
        if ref_elem:
            for v in vals:
                self.heap.check_ref_value(v, fn, f"an element of kind {kind_name(elem_kind)}")
        new_cap = self._grow_to(obj, elem_kind, w, len(vals))
        self.gc.safepoint((s, *vals) if ref_elem else (s,))
        if not vals:
            return s
        out, arr, at = self._append(obj, elem_kind, elem_type_id, len(vals), new_cap, fn)
        for i, v in enumerate(vals):
            set_elem(self, arr, at + i, v & U64_MASK, fn)
        return out

    def gox_rt_slice_append_slice(self, elem_kind: int, elem_type_id: int, s: int, t: int) -> int:
        """``append(s, t...)``, elements of any layout; ``t`` may overlap ``s`` (Go's memmove)."""
        fn = "gox_rt_slice_append_slice"
        w = array_elem_bytes(self.heap, elem_kind, elem_type_id, fn)
        obj = self._typed_slice(s, elem_kind, elem_type_id, "as elem_kind says", fn)
        tobj = self._typed_slice(t, elem_kind, elem_type_id, "as elem_kind says", fn)
        n = tobj.slots[SLEN] if tobj else 0
        new_cap = self._grow_to(obj, elem_kind, w, n)
        self.gc.safepoint((s, t))
        if tobj is None or n == 0:
            return s
        out, arr, at = self._append(obj, elem_kind, elem_type_id, n, new_cap, fn)
        copy_elems(arr, at, self._backing(tobj), tobj.slots[START], n)
        self._barrier_children(arr)
        return out

    def gox_rt_slice_append_string(self, s: int, text: int) -> int:
        """``append(s, text...)``: a string's bytes appended to a []byte."""
        fn = "gox_rt_slice_append_string"
        obj = self._typed_slice(s, ValueKind.UINT8, NO_TYPE, "elements (a []byte)", fn)
        data = string_bytes(self.heap, text, fn)
        new_cap = self._grow_to(obj, ValueKind.UINT8, 1, len(data))
        self.gc.safepoint((s, text))
        if not data:
            return s
        out, arr, at = self._append(obj, ValueKind.UINT8, NO_TYPE, len(data), new_cap, fn)
        for i, b in enumerate(data):
            write_elem(arr, at + i, b)
        return out

    # -- conversions (Go spec, "Conversions to and from a string type") ------------------------
    # A new []byte or []rune has the capacity Go's heap allocation gives it (runtime/string.go,
    # rawbyteslice and rawruneslice): what escape analysis may place on Go's stack instead has
    # a capacity of 32 whatever the length (docs/decisions.md, "Append capacities are Go's").
    def _converted(self, src: int, elem_kind: int, w: int, vals: Sequence[int], fn: str) -> int:
        """A new slice of ``vals``, ``w``-byte scalars, with the capacity of Go's heap allocation
        for them; ``src`` is the safepoint's root."""
        cap = round_up_size(w * len(vals)) // w
        self.gc.safepoint((src,))
        arr = new_array(self, elem_kind, NO_TYPE, cap, fn)
        fill_elems(arr, vals)
        return new_slice_header(self, arr.ref, 0, len(vals), cap).ref

    def gox_rt_string_to_bytes(self, s: int) -> int:
        """``[]byte(s)``: a new byte slice (never nil) holding a copy of the string's bytes."""
        fn = "gox_rt_string_to_bytes"
        return self._converted(s, ValueKind.UINT8, 1, string_bytes(self.heap, s, fn), fn)

    def gox_rt_bytes_to_string(self, b: int) -> int:
        """``string(b)``: a new string holding a copy of the slice's bytes."""
        fn = "gox_rt_bytes_to_string"
        obj = self._typed_slice(b, ValueKind.UINT8, NO_TYPE, "elements (a []byte)", fn)
        data = unpack_bytes(self._backing(obj).slots, obj.slots[START], obj.slots[SLEN]) if obj else b""
        return alloc_string(self, data, fn, (b,))

    def gox_rt_string_to_runes(self, s: int) -> int:
        """``[]rune(s)``: the runes ``for range s`` sees, invalid UTF-8 one U+FFFD per byte."""
        fn = "gox_rt_string_to_runes"
        return self._converted(s, ValueKind.INT32, 4, [r for r, _ in runes(string_bytes(self.heap, s, fn))], fn)

    def gox_rt_runes_to_string(self, r: int) -> int:
        """``string(runes)``: each rune's UTF-8, U+FFFD for one that is not a Unicode scalar."""
        fn = "gox_rt_runes_to_string"
        obj = self._typed_slice(r, ValueKind.INT32, NO_TYPE, "elements (a []rune)", fn)
        data = b""
        if obj is not None:
            arr, at = self._backing(obj), obj.slots[START]
            data = b"".join(encode_rune(as_signed(read_elem(arr, at + i))) for i in range(obj.slots[SLEN]))
        return alloc_string(self, data, fn, (r,))
