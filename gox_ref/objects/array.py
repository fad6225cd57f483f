"""Arrays: ``[0] elem_kind, [1] elem_type_id, [2] elem_bytes, [3] len, [4..] data``.

Elements of 1, 2 or 4 bytes are packed little-endian into the data slots (element i of width
w lives in slot ``4 + i*w // 8`` at bit ``(i*w % 8) * 8``); 8-byte elements and references take
a slot each; a struct element takes its type's slot count, an interface element two slots.
Reading an element sign- or zero-extends it by its kind, as Go does.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

from gox_abi.errors import GoxABIError, GoxPanic, index_out_of_range, slice_out_of_range
from gox_abi.kinds import U64_MASK, SlotType, ValueKind, is_ref_kind, kind_name, normalize, scalar_bytes, valid_kind
from gox_abi.layout import ARRAY_DATA as DATA
from gox_abi.layout import ARRAY_ELEM_BYTES as ELEM_BYTES
from gox_abi.layout import ARRAY_ELEM_KIND as ELEM_KIND
from gox_abi.layout import ARRAY_ELEM_TYPE as ELEM_TYPE
from gox_abi.layout import ARRAY_HEADER_SLOTS as HEADER_SLOTS
from gox_abi.layout import ARRAY_LEN as LEN
from gox_abi.layout import FLAG_IMMUTABLE, GO_MAX_ALLOC, NO_TYPE, SLICE_SLOTS, pack_bytes

from ..core import RuntimeCore
from ..heap import GcObject, Heap

# Go's size of the element types whose kind takes one reference slot here: a string is a
# pointer and a length, a slice a pointer, a length and a capacity.
_GO_REF_ELEM_SIZES = {ValueKind.STRING: 16, ValueKind.SLICE: 24}


def go_elem_size(elem_kind: int, elem_bytes: int) -> int:
    """The size in bytes of the Go element type a kind stands for (amd64), given the runtime's
    element width: the same, except for strings and slices (docs/decisions.md, "Append
    capacities are Go's")."""
    return _GO_REF_ELEM_SIZES.get(ValueKind(elem_kind), elem_bytes)


def go_alloc_fits(elem_size: int, n: int) -> bool:
    """Go's makeslice test: do ``n`` elements of ``elem_size`` bytes fit in maxAlloc?  (No
    heap limit of its own: an array is as large as memory allows; docs/GC.md, "Large objects".)"""
    return elem_size * n <= GO_MAX_ALLOC


def elem_bytes(heap: Heap, elem_kind: int, elem_type_id: int, fn: str) -> int:
    """Bytes one element of this kind takes; validates the kind and struct type."""
    if not valid_kind(elem_kind) or elem_kind == ValueKind.NIL:
        raise GoxABIError(f"{fn}: elem_kind={elem_kind} is not an element kind; expected 1..26")
    if elem_kind == ValueKind.STRUCT:
        return 8 * len(heap.get_type(elem_type_id, fn).slot_types)
    if elem_kind == ValueKind.INTERFACE:
        return 16
    return scalar_bytes(elem_kind)


def elem_is_ref(heap: Heap, elem_kind: int, elem_type_id: int) -> bool:
    """Whether a single-slot element is a reference.  Struct elements are inline: a one-slot
    struct element is a reference only when its type's one slot is."""
    if elem_kind == ValueKind.STRUCT:
        return heap.types[elem_type_id].slot_types == (SlotType.GC_REF,)
    return is_ref_kind(elem_kind)


def data_slots(nbytes_each: int, length: int) -> int:
    return (nbytes_each * length + 7) // 8


def read_elem(obj: GcObject, i: int) -> int:
    """Element ``i`` of a scalar or reference array (no bounds check)."""
    slots = obj.slots
    w = slots[ELEM_BYTES]
    if w == 8:
        return slots[DATA + i]
    if w == 0:  # zero-size elements (struct{}) have no data
        return 0
    bit = i * w * 8
    raw = (slots[DATA + bit // 64] >> (bit % 64)) & ((1 << (w * 8)) - 1)
    return normalize(slots[ELEM_KIND], raw)


def copy_elems(dst: GcObject, di: int, src: GcObject, si: int, n: int) -> None:
    """Copy ``n`` elements of equal layout, as memmove would (overlap allowed)."""
    w = src.slots[ELEM_BYTES]
    if w % 8 == 0:
        k = w // 8
        dst.slots[DATA + di * k : DATA + (di + n) * k] = src.slots[DATA + si * k : DATA + (si + n) * k]
        return
    vals = [read_elem(src, si + j) for j in range(n)]
    for j, v in enumerate(vals):
        write_elem(dst, di + j, v)


def write_elem(obj: GcObject, i: int, val: int) -> None:
    slots = obj.slots
    w = slots[ELEM_BYTES]
    if w == 8:
        slots[DATA + i] = val & U64_MASK
        return
    if w == 0:
        return
    bit = i * w * 8
    idx, shift = DATA + bit // 64, bit % 64
    mask = ((1 << (w * 8)) - 1) << shift
    slots[idx] = (slots[idx] & ~mask) | ((val << shift) & mask)


_PACK_FORMATS = {1: "B", 2: "H", 4: "I"}


def fill_elems(obj: GcObject, vals: Sequence[int]) -> None:
    """Store scalar ``vals`` as elements 0.. of a fresh array, packed at once (a large
    conversion's millions of elements, element by element, would take seconds)."""
    w = obj.slots[ELEM_BYTES]
    n = len(vals)
    if w == 8:
        obj.slots[DATA : DATA + n] = [v & U64_MASK for v in vals]
        return
    mask = (1 << (8 * w)) - 1
    raw = vals if isinstance(vals, bytes) else struct.pack(f"<{n}{_PACK_FORMATS[w]}", *(v & mask for v in vals))
    words = pack_bytes(raw)
    obj.slots[DATA : DATA + len(words)] = words


def new_slice_header(rt: RuntimeCore, arr: int, start: int, length: int, cap: int) -> GcObject:
    """A slice over ``arr`` (here rather than in slice.py, which builds on this module: arrays
    are sliced too)."""
    obj = rt._alloc(ValueKind.SLICE, NO_TYPE, SLICE_SLOTS)
    obj.slots[:] = [arr, start, length, cap]
    return obj


def new_array(rt: RuntimeCore, elem_kind: int, elem_type_id: int, length: int, fn: str) -> GcObject:
    """Allocate an array (the caller has passed its safepoint and checked ``length``)."""
    w = elem_bytes(rt.heap, elem_kind, elem_type_id, fn)
    if not go_alloc_fits(w, length):  # past maxAlloc Go's mallocgc is out of memory
        raise MemoryError
    obj = rt._alloc(ValueKind.ARRAY, elem_type_id, HEADER_SLOTS + data_slots(w, length))
    obj.slots[ELEM_KIND] = elem_kind
    obj.slots[ELEM_TYPE] = elem_type_id
    obj.slots[ELEM_BYTES] = w
    obj.slots[LEN] = length
    return obj


def set_elem(rt: RuntimeCore, obj: GcObject, i: int, val: int, fn: str) -> None:
    """Store element ``i``: references are checked and go through the write barrier."""
    ek = obj.slots[ELEM_KIND]
    if elem_is_ref(rt.heap, ek, obj.slots[ELEM_TYPE]):
        rt.heap.check_ref_value(val, fn, f"an element of kind {kind_name(ek)}")
        rt._store_ref(obj, DATA + i, val)
    elif ek == ValueKind.BOOL:
        write_elem(obj, i, 1 if val else 0)  # any non-zero bool is true
    else:
        write_elem(obj, i, val)


class ArrayOps(RuntimeCore):
    def _check_new_array(self, elem_kind: int, elem_type_id: int, length: int, fn: str) -> None:
        w = elem_bytes(self.heap, elem_kind, elem_type_id, fn)
        if length < 0 or not go_alloc_fits(go_elem_size(elem_kind, w), length):
            raise GoxPanic("runtime error: makeslice: len out of range")

    def _array(self, ref: int, fn: str) -> GcObject:
        return self.heap.get_kind(ref, ValueKind.ARRAY, fn)

    def _mutable_array(self, ref: int, fn: str) -> GcObject:
        obj = self.heap.deref_kind(ref, ValueKind.ARRAY, fn)
        if obj.flags & FLAG_IMMUTABLE:
            raise GoxABIError(f"{fn}: {self.heap.fmt(ref)} holds a string's bytes, which are immutable")
        return obj

    def _scalar_array(self, ref: int, fn: str) -> GcObject:
        obj = self.heap.deref_kind(ref, ValueKind.ARRAY, fn)  # a[i] of a nil *[N]T: Go's panic
        if obj.slots[ELEM_BYTES] > 8:
            raise GoxABIError(
                f"{fn}: {self.heap.fmt(ref)} has {kind_name(obj.slots[ELEM_KIND])} elements of "
                f"{obj.slots[ELEM_BYTES]} bytes; expected single-slot elements "
                "(use gox_gc_read_slot/gox_gc_write_slot for multi-slot elements)"
            )
        return obj

    # -- ABI ----------------------------------------------------------------------------------
    def gox_rt_array_create(self, elem_kind: int, elem_type_id: int, length: int) -> int:
        self._check_new_array(elem_kind, elem_type_id, length, "gox_rt_array_create")
        self.gc.safepoint()
        return new_array(self, elem_kind, elem_type_id, length, "gox_rt_array_create").ref

    def gox_array_len(self, arr: int) -> int:
        return self._array(arr, "gox_array_len").slots[LEN]

    def gox_array_get(self, arr: int, idx: int) -> int:
        obj = self._scalar_array(arr, "gox_array_get")
        n = obj.slots[LEN]
        if not 0 <= idx < n:
            raise index_out_of_range(idx, n)
        return read_elem(obj, idx)

    def gox_array_set(self, arr: int, idx: int, val: int) -> None:
        obj = self._scalar_array(arr, "gox_array_set")
        self._mutable_array(arr, "gox_array_set")
        n = obj.slots[LEN]
        if not 0 <= idx < n:
            raise index_out_of_range(idx, n)
        set_elem(self, obj, idx, val, "gox_array_set")

    def gox_rt_array_slice(self, arr: int, lo: int, hi: int) -> int:
        """``arr[lo:hi]``: a slice sharing the array (cap runs to the array's end)."""
        obj = self._mutable_array(arr, "gox_rt_array_slice")
        err = slice_out_of_range(lo, hi, obj.slots[LEN], "length")
        if err:
            raise err
        self.gc.safepoint((arr,))
        return new_slice_header(self, obj.ref, lo, hi - lo, obj.slots[LEN] - lo).ref
