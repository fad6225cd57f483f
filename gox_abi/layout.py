"""The heap's layout as the ABI fixes it: references, object headers and the slots of each
object kind (docs/ABI.md, "Data model"; docs/GC.md), shown the same way by every backend.

A reference names an object; what outputs and messages print is its *canonical address*
``HEAP_BASE + REF_STRIDE * n`` for the n-th object ever allocated (n counts from 1), the same on
both backends whatever address the object really has (``canonical_ref``).

An object is an 8-byte header (mark, gen, value_kind, flags, type_id, slots) followed by
``slots`` 64-bit data slots; it is accounted as ``HEADER_BYTES + SLOT_BYTES * slots`` bytes.
An array may have more slots than the header's 16-bit field holds (a *large object*: the field
says 0 and the native backend keeps the count beside the header; docs/GC.md, "Large objects");
every other kind stays within ``MAX_SLOTS``.  No object is larger than Go's ``maxAlloc``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence

HEAP_BASE = 0x1000_0000
REF_STRIDE = 16
HEADER_BYTES = 8
SLOT_BYTES = 8
MAX_SLOTS = 0xFFFF  # the header's slots field is a u16: the most slots of a struct or closure
GO_MAX_ALLOC = 1 << 48  # Go's maxAlloc on amd64 (runtime/malloc.go): no allocation is larger

# Header mark byte: two whites that swap roles every cycle, gray and black (docs/GC.md).
WHITE0 = 0
WHITE1 = 1
GRAY = 2
BLACK = 3
COLOR_NAMES = {WHITE0: "white0", WHITE1: "white1", GRAY: "gray", BLACK: "black"}

# Header gen byte: generations are reserved for a later phase; every object stays Young.
GEN_YOUNG = 0
GEN_OLD = 1
GEN_TOUCHED = 2

# Header flags.  FLAG_IMMUTABLE marks the byte array behind a string: Go strings never change,
# so no call may write it or slice it into a mutable slice.
FLAG_IMMUTABLE = 0x01

# type_id of objects whose header type_id carries no struct type.
NO_TYPE = 0xFFFF

# The slots of each object kind (docs/ABI.md, "Data model"): the index of each field.
# String: [0] byte array ref, [1] start, [2] len.
STRING_BYTES = 0
STRING_START = 1
STRING_LEN = 2
STRING_SLOTS = 3
# Array: [0] elem_kind, [1] elem_type_id, [2] elem_bytes, [3] len, [4..] data.
ARRAY_ELEM_KIND = 0
ARRAY_ELEM_TYPE = 1
ARRAY_ELEM_BYTES = 2
ARRAY_LEN = 3
ARRAY_DATA = 4
ARRAY_HEADER_SLOTS = 4
# Slice: [0] array ref, [1] start, [2] len, [3] cap.
SLICE_ARRAY = 0
SLICE_START = 1
SLICE_LEN = 2
SLICE_CAP = 3
SLICE_SLOTS = 4
# Map: [0] opaque state, [1] key_kind, [2] val_kind.
MAP_STATE = 0
MAP_KEY_KIND = 1
MAP_VAL_KIND = 2
MAP_SLOTS = 3
# Closure: [0] func_id, [1] upvalue count, [2..] upvalues.
CLOSURE_FUNC_ID = 0
CLOSURE_COUNT = 1
CLOSURE_UPVALS = 2


def canonical_ref(num: int) -> int:
    """The canonical address of object ``num`` (what outputs and messages show)."""
    return HEAP_BASE + REF_STRIDE * num


def canonical_num(addr: int) -> int:
    """The allocation number of a canonical address (as snapshots hold), 0 for none."""
    off = addr - HEAP_BASE
    if off <= 0 or off % REF_STRIDE:
        return 0
    return off // REF_STRIDE


def pack_bytes(data: bytes) -> list[int]:
    """Bytes as a byte array's data slots: little-endian u64s, the tail padded with zeros."""
    n = (len(data) + 7) // 8
    return list(struct.unpack(f"<{n}Q", data.ljust(8 * n, b"\0")))


def unpack_bytes(slots: Sequence[int], start: int, nbytes: int) -> bytes:
    """``nbytes`` bytes from the data slots of a byte array (its slots, header included),
    beginning at byte ``start``."""
    first = ARRAY_DATA + start // 8
    last = ARRAY_DATA + (start + nbytes + 7) // 8
    raw = struct.pack(f"<{last - first}Q", *slots[first:last])
    off = start % 8
    return raw[off : off + nbytes]
